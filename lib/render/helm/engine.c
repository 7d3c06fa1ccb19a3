/*
 * engine.c: `helm template` v3.17: the chart's templates executed
 * (pkg/engine), the manifests split, sorted and printed (pkg/releaseutil,
 * pkg/action's renderResources, cmd/helm/template.go).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/render/helm/builtins.h"
#include "lib/render/helm/helm_int.h"
#include "lib/render/helm/ignore.h"
#include "lib/template/funcs/funcs.h"
#include "lib/template/template.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

/* releaseutil.InstallOrder of v3.17 (the webhook configurations came later: here they are unknown kinds) */
static const char *const install_order[] = {
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
	"PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
	"ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
	"Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
};

/* release.HookEvent names */
static const char *const hook_events[] = {
	"pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade", "post-upgrade",
	"pre-rollback", "post-rollback", "test", "test-success",
};

struct tpl {
	char *name;                      /* "chart/templates/x.yaml" */
	const struct gitops_helm_file *f;
	struct gitops_tmpl_value *vals;  /* the chart's top object (borrowed from the chart's entry) */
	char *base_path;                 /* "chart/templates" */
	int slashes;
};

struct rendered {
	char *name;
	char *text;
};

struct manifest {
	const char *path; /* borrowed: a rendered file's name */
	char *content;    /* borrowed: in the rendered file's text (split in place) */
	char *kind;
	cJSON *tree;      /* the document as lib/yaml read it (NULL: empty) */
	size_t line;      /* its root's line in content */
	int unsafe;       /* the tree cannot stand in for the text (stand_in) */
	int order;        /* index in install_order, or -1 */
	int test;         /* a test hook */
	size_t seq;       /* for a stable sort */
};

struct engine {
	struct gitops_tmpl_helm helm; /* first: lib/template/funcs' include and tpl count through it */
	struct tpl *t;
	size_t nt;
	struct gitops_tmpl_value **tops; /* each chart's top object, freed at the end */
	size_t ntops;
};

static void engine_release(struct engine *e)
{
	for (size_t i = 0; i < e->nt; i++) {
		free(e->t[i].name);
		free(e->t[i].base_path);
	}
	free(e->t);
	for (size_t i = 0; i < e->ntops; i++)
		gitops_tmpl_value_unref(e->tops[i]);
	free(e->tops);
	gitops_tmpl_helm_release(&e->helm);
}

/* --- the objects templates see --- */

static int map_set(struct gitops_tmpl_value *m, const char *k, struct gitops_tmpl_value *v)
{
	if (!v)
		return -1;
	return gitops_tmpl_map_set(m, k, strlen(k), v);
}

/* a map's entries as a chartutil.Values (the entries shared) */
static struct gitops_tmpl_value *as_values(const struct gitops_tmpl_value *m)
{
	struct gitops_tmpl_value *r = gitops_tmpl_value_map("chartutil.Values");
	size_t i, kl;

	for (i = 0; r && m && i < gitops_tmpl_value_len(m); i++) {
		const char *k = gitops_tmpl_value_key(m, i, &kl);
		struct gitops_tmpl_value *v = gitops_tmpl_value_item(m, i);
		if (gitops_tmpl_map_set(r, k, kl, v ? gitops_tmpl_value_ref(v) : gitops_tmpl_value_nil()) < 0) {
			gitops_tmpl_value_unref(r);
			return NULL;
		}
	}
	return r;
}

/* the chart's metadata as templates see it: its name after an alias, its dependencies after processing */
static cJSON *meta_of(const struct helm_chart *c)
{
	cJSON *m = cJSON_Duplicate(c->meta, 1), *deps;

	if (!m)
		return NULL;
	if (gitops_value_set(m, "name", cJSON_CreateString(c->name)) < 0)
		goto fail;
	if (!c->deps_listed) {
		/* none listed, or none left: nil */
		cJSON_DeleteItemFromObjectCaseSensitive(m, "dependencies");
		return m;
	}
	deps = cJSON_CreateArray();
	if (!deps)
		goto fail;
	for (size_t i = 0; i < c->ndeps; i++) {
		const struct helm_dep *d = &c->deps[i];
		cJSON *o = cJSON_CreateObject();
		if (!o) {
			cJSON_Delete(deps);
			goto fail;
		}
		cJSON_AddItemToArray(deps, o);
		if ((d->name && !cJSON_AddStringToObject(o, "name", d->name)) ||
		    (d->version && !cJSON_AddStringToObject(o, "version", d->version)) ||
		    (d->repository && !cJSON_AddStringToObject(o, "repository", d->repository)) ||
		    (d->condition && !cJSON_AddStringToObject(o, "condition", d->condition)) ||
		    (d->tags && !cJSON_AddItemToObject(o, "tags", cJSON_Duplicate(d->tags, 1))) ||
		    !cJSON_AddBoolToObject(o, "enabled", d->enabled) ||
		    (d->import_values && !cJSON_AddItemToObject(o, "import-values", cJSON_Duplicate(d->import_values, 1))) ||
		    (d->alias && !cJSON_AddStringToObject(o, "alias", d->alias))) {
			cJSON_Delete(deps);
			goto fail;
		}
	}
	if (gitops_value_set(m, "dependencies", deps) < 0)
		goto fail;
	return m;
fail:
	cJSON_Delete(m);
	return NULL;
}

static int is_partial(const char *name)
{
	const char *b = strrchr(name, '/');

	return (b ? b[1] : name[0]) == '_';
}

/* recAllTpls: a chart's top object, its templates listed; *top gets one reference */
static int all_templates(struct engine *e, struct gitops_tmpl_value **top, const struct helm_chart *c,
			 struct gitops_tmpl_value *parent, struct gitops_tmpl_value *root_values,
			 const struct gitops_tmpl_value *release, const struct gitops_tmpl_value *caps,
			 struct gitops_err *err)
{
	struct gitops_tmpl_value *next = gitops_tmpl_value_map(NULL), *subs = gitops_tmpl_value_map(NULL);
	struct gitops_tmpl_value *chart = NULL, *files = NULL, *values = NULL;
	struct gitops_buf full = GITOPS_BUF_INIT;
	cJSON *meta = NULL;
	size_t i;
	int ret = -1;

	*top = NULL;
	if (!next || !subs)
		goto oom;
	if (!(meta = meta_of(c)))
		goto oom;
	if (gitops_helm_chart_value_ex(&chart, meta, c->parent == NULL, err) < 0)
		goto done;
	if (gitops_helm_files_value(&files, &c->c->files, err) < 0)
		goto done;
	if (map_set(next, "Chart", chart) < 0 || map_set(next, "Files", files) < 0)
		goto oom_taken;
	chart = files = NULL;
	if (map_set(next, "Release", gitops_tmpl_value_ref((struct gitops_tmpl_value *)release)) < 0 ||
	    map_set(next, "Capabilities", gitops_tmpl_value_ref((struct gitops_tmpl_value *)caps)) < 0)
		goto oom;
	if (parent) {
		/* vals.Table("Values." + name): the parent's values under the chart's name, else empty */
		struct gitops_tmpl_value *pv = gitops_tmpl_map_get(parent, "Values", 6);
		struct gitops_tmpl_value *sv = pv ? gitops_tmpl_map_get(pv, c->name, strlen(c->name)) : NULL;
		if (sv && gitops_tmpl_value_kind(sv) == GITOPS_TMPL_MAP)
			values = as_values(sv);
		else
			values = gitops_tmpl_value_map("chartutil.Values");
		if (map_set(next, "Values", values) < 0) {
			values = NULL;
			goto oom;
		}
		values = NULL;
	} else if (map_set(next, "Values", gitops_tmpl_value_ref(root_values)) < 0) {
		goto oom;
	}
	if (map_set(next, "Subcharts", gitops_tmpl_value_ref(subs)) < 0)
		goto oom;
	for (i = 0; i < c->nsub; i++) {
		struct gitops_tmpl_value *st = NULL;
		if (all_templates(e, &st, c->sub[i], next, NULL, release, caps, err) < 0)
			goto done;
		if (map_set(subs, c->sub[i]->name, st) < 0)
			goto oom;
	}
	if (helm_chart_full_path(&full, c) < 0)
		goto oom;
	for (i = 0; i < c->c->templates.n; i++) {
		const struct gitops_helm_file *f = &c->c->templates.v[i];
		struct tpl *t;
		struct gitops_buf nm = GITOPS_BUF_INIT, bp = GITOPS_BUF_INIT;
		const char *p;
		size_t k;
		if (c->library && !is_partial(f->name))
			continue;
		/* "FULL/NAME" and "FULL/templates", appended (no printf for each of a chart's files) */
		if (gitops_buf_add(&nm, full.data, full.len) < 0 || gitops_buf_add(&nm, "/", 1) < 0 ||
		    gitops_buf_addstr(&nm, f->name) < 0 || gitops_buf_add(&bp, full.data, full.len) < 0 ||
		    gitops_buf_add(&bp, "/templates", 10) < 0) {
			gitops_buf_release(&nm);
			gitops_buf_release(&bp);
			goto oom;
		}
		/* a later chart's file of the same name replaces an earlier one (a map in Helm) */
		for (k = 0; k < e->nt; k++)
			if (!strcmp(e->t[k].name, nm.data))
				break;
		if (k == e->nt) {
			t = realloc(e->t, (e->nt + 1) * sizeof(*e->t));
			if (!t) {
				gitops_buf_release(&nm);
				gitops_buf_release(&bp);
				goto oom;
			}
			e->t = t;
			e->nt++;
		} else {
			free(e->t[k].name);
			free(e->t[k].base_path);
		}
		t = &e->t[k];
		t->name = gitops_buf_detach(&nm);
		t->base_path = gitops_buf_detach(&bp);
		t->f = f;
		t->vals = next;
		t->slashes = 0;
		for (p = t->name; *p; p++)
			t->slashes += *p == '/';
	}
	{
		struct gitops_tmpl_value **nt = realloc(e->tops, (e->ntops + 1) * sizeof(*e->tops));
		if (!nt)
			goto oom;
		e->tops = nt;
		e->tops[e->ntops++] = gitops_tmpl_value_ref(next);
	}
	*top = next;
	next = NULL;
	ret = 0;
	goto done;
oom_taken:
	chart = files = NULL;
oom:
	gitops_err_oom(err);
done:
	gitops_tmpl_value_unref(next);
	gitops_tmpl_value_unref(subs);
	gitops_tmpl_value_unref(chart);
	gitops_tmpl_value_unref(files);
	gitops_tmpl_value_unref(values);
	gitops_buf_release(&full);
	cJSON_Delete(meta);
	return ret;
}

/* sort.Reverse(byPathLen): deeper paths first; equal depth, reverse byte order */
static int cmp_tpl(const void *a, const void *b)
{
	const struct tpl *x = a, *y = b;

	if (x->slashes != y->slashes)
		return x->slashes > y->slashes ? -1 : 1;
	return -strcmp(x->name, y->name);
}

/* --- errors as helm words them --- */

/* cleanupParseError: "template: NAME:LINE: ...: MSG" -> "parse error at (NAME:LINE): MSG" */
static void parse_error(struct gitops_err *err, const char *filename)
{
	char msg[GITOPS_ERR_MSG_MAX];
	const char *tok1 = strstr(err->msg, ": "), *end, *last, *q;

	snprintf(msg, sizeof(msg), "%s", err->msg);
	if (!tok1) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "parse error in (%s): %s", filename, msg);
		return;
	}
	tok1 = msg + (tok1 - err->msg) + 2;
	end = strstr(tok1, ": ");
	last = tok1;
	for (q = tok1; (q = strstr(q, ": ")) != NULL; q += 2)
		last = q + 2;
	if (!end)
		end = tok1 + strlen(tok1);
	gitops_err_set(err, GITOPS_EXIT_INPUT, "parse error at (%.*s): %s", (int)(end - tok1), tok1, last);
}

/* cleanupExecError: an execution error whose message carries Helm's marker keeps only the marked text */
static void exec_error(struct gitops_err *err)
{
	char msg[GITOPS_ERR_MSG_MAX];
	const char *tok1, *end, *a, *z = NULL, *w;

	snprintf(msg, sizeof(msg), "%s", err->msg);
	err->code = GITOPS_EXIT_INPUT;
	if (strncmp(msg, "template: ", 10) || !strstr(msg, ": executing \""))
		return;
	tok1 = msg + 10;
	end = strstr(tok1, ": ");
	if (!end)
		return;
	a = strstr(end + 2, "HELM[");
	for (w = a; w && (w = strstr(w, "]HELM")) != NULL; w++)
		z = w;
	if (!a || !z || z < a + 5)
		return;
	gitops_err_set(err, GITOPS_EXIT_INPUT, "execution error at (%.*s): %.*s", (int)(end - tok1), tok1,
		       (int)(z - a - 5), a + 5);
}

/* --- rendering --- */

static int replace_no_value(struct gitops_buf *b)
{
	static const char nv[] = "<no value>";
	char *w, *r, *end;

	if (!b->data || !strstr(b->data, nv))
		return 0;
	end = b->data + b->len;
	for (w = r = b->data; r < end;) {
		if (end - r >= 10 && !memcmp(r, nv, 10)) {
			r += 10;
			continue;
		}
		*w++ = *r++;
	}
	*w = 0;
	b->len = (size_t)(w - b->data);
	return 0;
}

static void rendered_free(struct rendered *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].name);
		free(r[i].text);
	}
	free(r);
}

/*
 * After an error at template `upto` (e->nt: in an execution), what Helm
 * would report: the first parse error in its order, among the templates
 * before upto (every one, for an execution's error) not known to parse
 * (ok[]), else the error itself (a parse error there, when upto < e->nt).
 * Returns 1 with err a parse error in Helm's words, else 0 (err as it was).
 */
static int first_parse_error(struct engine *e, struct gitops_tmpl_set *set, const unsigned char *ok, size_t upto,
			     struct gitops_err *err)
{
	struct gitops_err first = GITOPS_ERR_INIT;
	size_t j;

	for (j = 0; j < upto; j++)
		if (!ok[j] && gitops_tmpl_set_check(set, e->t[j].name, (const char *)e->t[j].f->data, e->t[j].f->len,
					  &first) < 0) {
			*err = first;
			parse_error(err, e->t[j].name);
			return 1;
		}
	if (upto < e->nt) {
		parse_error(err, e->t[upto].name);
		return 1;
	}
	return 0;
}

/* render_all's executions, in Helm's order (on the set's stack: gitops_tmpl_set_run) */
struct exec_all {
	struct engine *e;
	struct gitops_tmpl_set *set;
	unsigned char *ok;
	struct rendered *r;
	size_t nr;
	struct gitops_err *err;
};

static int exec_all(void *arg)
{
	struct exec_all *x = arg;
	struct engine *e = x->e;
	struct gitops_err *err = x->err;
	size_t i;

	for (i = 0; i < e->nt; i++) {
		const struct tpl *t = &e->t[i];
		struct gitops_tmpl_value *tv;
		struct gitops_buf b = GITOPS_BUF_INIT;
		if (is_partial(t->name))
			continue;
		tv = gitops_tmpl_value_map("chartutil.Values");
		if (!tv || map_set(tv, "Name", gitops_tmpl_value_cstring(t->name)) < 0 ||
		    map_set(tv, "BasePath", gitops_tmpl_value_cstring(t->base_path)) < 0 ||
		    map_set(t->vals, "Template", tv) < 0)
			return gitops_err_oom(err);
		/* a big file's output is mostly its text (a CRD's megabyte): room for it at once */
		if (t->f->len >= 16384 && gitops_buf_reserve(&b, t->f->len + t->f->len / 8) < 0)
			return gitops_err_oom(err);
		if (gitops_tmpl_exec(&b, x->set, t->name, t->vals, err) < 0) {
			gitops_buf_release(&b);
			if (!first_parse_error(e, x->set, x->ok, e->nt, err))
				exec_error(err);
			return -1;
		}
		x->ok[i] = 1;
		gitops_tmpl_set_unparse(x->set, t->name);
		if (gitops_buf_add(&b, "", 0) < 0) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
		replace_no_value(&b);
		x->r[x->nr].name = strdup(t->name);
		x->r[x->nr].text = gitops_buf_detach(&b);
		if (!x->r[x->nr].name || !x->r[x->nr].text) {
			free(x->r[x->nr].name);
			free(x->r[x->nr].text);
			return gitops_err_oom(err);
		}
		x->nr++;
	}
	return 0;
}

static int render_all(struct rendered **out, size_t *nout, struct engine *e, const struct gitops_helm_options *o,
		      struct gitops_err *err)
{
	struct gitops_tmpl_options topts = GITOPS_TMPL_OPTIONS_INIT;
	struct gitops_tmpl_func *all = NULL;
	struct gitops_tmpl_set *set = NULL;
	const struct gitops_tmpl_func *extra;
	struct rendered *r = NULL;
	unsigned char *ok = NULL;
	size_t ntable = 0, nextra = 0, nr = 0, i;
	int ret = -1, rc;

	*out = NULL;
	*nout = 0;
	/* Sprig's and helm's functions in one table, which the set takes (no copies of it) */
	extra = gitops_helm_builtin_funcs(&nextra);
	if (gitops_tmpl_funcs_table_with(&all, &ntable, extra, nextra) < 0)
		goto oom;
	topts.missingkey_error = o->strict;
	topts.set_name = "gotpl";
	topts.borrow_texts = 1; /* the chart's files (NUL-terminated) outlive the set */
	rc = gitops_tmpl_set_new_take(&set, all, ntable, &topts, e, err);
	all = NULL;
	if (rc < 0)
		goto done;
	if (e->nt > 1)
		qsort(e->t, e->nt, sizeof(*e->t), cmp_tpl);
	if (!(ok = calloc(e->nt ? e->nt : 1, 1)))
		goto oom;
	/*
	 * Helm parses every template, then executes them. Here the partials (and
	 * any text that might define a template) are parsed first, in Helm's
	 * order, and every other template just before its execution, its parse
	 * freed after it: one template's nodes at a time (a chart's parse is some
	 * ten times its text). Which error is reported is still Helm's: on any,
	 * the first parse error in Helm's order wins (first_parse_error).
	 */
	for (i = 0; i < e->nt; i++) {
		const struct tpl *t = &e->t[i];
		if (is_partial(t->name)) {
			rc = gitops_tmpl_set_parse(set, t->name, (const char *)t->f->data, t->f->len, err);
			ok[i] = rc == 0;
		} else {
			rc = gitops_tmpl_set_defer(set, t->name, (const char *)t->f->data, t->f->len, err);
		}
		if (rc < 0) {
			first_parse_error(e, set, ok, i, err);
			goto done;
		}
	}
	r = calloc(e->nt ? e->nt : 1, sizeof(*r));
	if (!r)
		goto oom;
	{
		/* every template executed from one switch onto the executor's stack */
		struct exec_all x = { e, set, ok, r, 0, err };
		rc = gitops_tmpl_set_run(set, exec_all, &x, err);
		nr = x.nr;
		if (rc < 0)
			goto done;
	}
	*out = r;
	*nout = nr;
	r = NULL;
	ret = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	rendered_free(r, nr);
	gitops_tmpl_set_free(set);
	free(ok);
	free(all);
	return ret;
}

/* --- manifests --- */

static int is_go_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int is_trim_space(unsigned char c)
{
	return is_go_space(c) || c == '\v';
}

/* strings.TrimSpace (ASCII and the two Latin-1 spaces Go's unicode.IsSpace has) */
static void trim_space(const char **s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t len = *n;

	for (;;) {
		if (len && is_trim_space(p[0])) {
			p++;
			len--;
		} else if (len >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0)) {
			p += 2;
			len -= 2;
		} else {
			break;
		}
	}
	for (;;) {
		if (len && is_trim_space(p[len - 1]))
			len--;
		else if (len >= 2 && p[len - 2] == 0xc2 && (p[len - 1] == 0x85 || p[len - 1] == 0xa0))
			len -= 2;
		else
			break;
	}
	*s = (const char *)p;
	*n = len;
}

/*
 * The next match of releaseutil's separator `(?:^|\s*\n)---\s*` in s[from..n)
 * (s trimmed: it starts with no space): its start and end, or 0 when none.
 * A match of the second form is a run of \s ending in '\n' right before
 * "---"; it starts where the run does (or at from, inside one).
 */
static int next_sep(const char *s, size_t n, size_t from, size_t *ms, size_t *me)
{
	size_t i, r, dash;
	const char *p;

	if (from == 0 && n >= 3 && !memcmp(s, "---", 3)) {
		i = dash = 0;
	} else {
		/* the first "\n---" at or after from; the match starts where the run of \s before "---" does */
		for (p = s + from;; p++) {
			p = memchr(p, '\n', n - (size_t)(p - s));
			if (!p)
				return 0;
			if ((size_t)(p - s) + 3 < n && p[1] == '-' && p[2] == '-' && p[3] == '-')
				break;
		}
		dash = (size_t)(p - s) + 1;
		for (i = (size_t)(p - s); i > from && is_go_space((unsigned char)s[i - 1]); i--)
			;
	}
	*ms = i;
	for (r = dash + 3; r < n && is_go_space((unsigned char)s[r]); r++)
		;
	*me = r;
	return 1;
}

/*
 * SplitManifests: the documents of one rendered file, each trimmed (one
 * empty after trimming is kept), in place: each ends with a NUL written over
 * the space or separator after it, and *out points into text (a NUL after
 * its len bytes).  A document's NUL is the byte simple_head may set to the
 * line break the text gives it; no later document starts there.
 */
static int split_manifests(char ***out, size_t *nout, char *text, size_t len)
{
	const char *s = text;
	size_t n = len, from = 0, ms, me, cnt = 0;
	char **v = NULL;

	*out = NULL;
	*nout = 0;
	trim_space(&s, &n);
	for (;;) {
		int more = next_sep(s, n, from, &ms, &me);
		size_t end = more ? ms : n;
		if (end > from) {
			const char *d = s + from;
			size_t dl = end - from;
			char **nv, *doc;
			trim_space(&d, &dl);
			nv = realloc(v, (cnt + 1) * sizeof(*v));
			if (!nv) {
				free(v);
				return -1;
			}
			v = nv;
			doc = text + (d - text);
			doc[dl] = 0;
			v[cnt++] = doc;
		}
		if (!more)
			break;
		from = me;
	}
	*out = v;
	*nout = cnt;
	return 0;
}

static const char *json_type(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "bool";
	if (cJSON_IsArray(v))
		return "array";
	return "object";
}

/* a SimpleHead field: a scalar as its text (sigs.k8s.io/yaml into a string field), "" for null; -1: not a scalar */
static int head_str(const char **out, char *buf, size_t size, const cJSON *v)
{
	if (!v || cJSON_IsNull(v)) {
		*out = "";
		return 0;
	}
	if (cJSON_IsString(v)) {
		*out = v->valuestring;
		return 0;
	}
	if (cJSON_IsNumber(v) || cJSON_IsBool(v)) {
		helm_scalar_text(buf, size, v);
		*out = buf;
		return 0;
	}
	return -1;
}

static int head_error(struct gitops_err *err, const char *path, const cJSON *v, const char *field, const char *type)
{
	return gitops_err_set(err, GITOPS_EXIT_INPUT,
			      "YAML parse error on %s: error unmarshaling JSON: while decoding JSON: json: cannot "
			      "unmarshal %s into Go %s of type %s",
			      path, json_type(v), field, type);
}

static int ends_in_break(const cJSON *v)
{
	size_t n;

	if (!cJSON_IsString(v))
		return 0;
	n = strlen(v->valuestring);
	return n && v->valuestring[n - 1] == '\n';
}

/* Does a field SimpleHead reads end in a line break (a block scalar, maybe the document's last)? */
static int head_breaks(const cJSON *head)
{
	const cJSON *m, *a, *x;

	if (!cJSON_IsObject(head))
		return 0;
	if (ends_in_break(cJSON_GetObjectItemCaseSensitive(head, "apiVersion")) ||
	    ends_in_break(cJSON_GetObjectItemCaseSensitive(head, "kind")))
		return 1;
	m = cJSON_GetObjectItemCaseSensitive(head, "metadata");
	if (!cJSON_IsObject(m))
		return 0;
	if (ends_in_break(cJSON_GetObjectItemCaseSensitive(m, "name")))
		return 1;
	a = cJSON_GetObjectItemCaseSensitive(m, "annotations");
	if (!cJSON_IsObject(a))
		return 0;
	cJSON_ArrayForEach(x, a)
		if (ends_in_break(x))
			return 1;
	return 0;
}

/* releaseutil.SimpleHead of a document: its kind (into kbuf) and annotations (borrowed from *head) */
static int simple_head(cJSON **head, size_t *line, int *fallback, const char **kind, char *kbuf, size_t ksize,
		       const cJSON **annotations, const char *doc, const char *path, struct gitops_err *err)
{
	const cJSON *m, *a, *x;
	const char *s;
	char buf[64];

	*head = NULL;
	*kind = "";
	*annotations = NULL;
	*fallback = 0;
	{
		/*
		 * lib/yaml's reader first (the tree straight from libyaml's events), on
		 * the document with the line break that ends it in helm's text: the
		 * tree the text gives (a block scalar last keeps its break).  helm reads
		 * it without: when a field SimpleHead takes ends in a break, the
		 * document is read again as helm reads it.  What lib/yaml refuses
		 * (duplicate keys, which go-yaml lets the last win, or a real error)
		 * goes through sigs.k8s.io/yaml's reader, for its tree or its message.
		 */
		struct gitops_limits limits = GITOPS_LIMITS_INIT;
		struct gitops_err e = GITOPS_ERR_INIT;
		size_t len = strlen(doc);
		char *d = (char *)doc; /* split_manifests left a byte to spare */
		int rc;
		d[len] = '\n';
		rc = gitops_yaml_parse_one_at(head, line, doc, len + 1, path, &limits, &e);
		d[len] = 0;
		if (rc == 0 && head_breaks(*head)) {
			cJSON_Delete(*head);
			*head = NULL;
			*fallback = 1;
			rc = gitops_yaml_parse_one(head, doc, len, path, &limits, &e);
		}
		if (rc < 0) {
			*head = NULL;
			*fallback = 1;
			if (helm_yaml_read(head, doc, len, path, 0, err) < 0)
				return gitops_err_prefix(err, "YAML parse error on %s", path);
		}
	}
	if (!*head || cJSON_IsNull(*head))
		return 0;
	if (!cJSON_IsObject(*head))
		return head_error(err, path, *head, "value", "releaseutil.SimpleHead");
	if (head_str(&s, buf, sizeof(buf), cJSON_GetObjectItemCaseSensitive(*head, "apiVersion")) < 0)
		return head_error(err, path, cJSON_GetObjectItemCaseSensitive(*head, "apiVersion"),
				  "struct field SimpleHead.apiVersion", "string");
	x = cJSON_GetObjectItemCaseSensitive(*head, "kind");
	if (head_str(&s, kbuf, ksize, x) < 0)
		return head_error(err, path, x, "struct field SimpleHead.kind", "string");
	*kind = s;
	m = cJSON_GetObjectItemCaseSensitive(*head, "metadata");
	if (!m || cJSON_IsNull(m))
		return 0;
	if (!cJSON_IsObject(m))
		return head_error(err, path, m, "struct field SimpleHead.metadata",
				  "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string "
				  "\"json:\\\"annotations\\\"\" }");
	x = cJSON_GetObjectItemCaseSensitive(m, "name");
	if (head_str(&s, buf, sizeof(buf), x) < 0)
		return head_error(err, path, x, "struct field .metadata.name", "string");
	a = cJSON_GetObjectItemCaseSensitive(m, "annotations");
	if (!a || cJSON_IsNull(a))
		return 0;
	if (!cJSON_IsObject(a))
		return head_error(err, path, a, "struct field .metadata.annotations", "map[string]string");
	cJSON_ArrayForEach(x, a)
		if (head_str(&s, buf, sizeof(buf), x) < 0)
			return head_error(err, path, x, "struct field .metadata.annotations", "string");
	*annotations = a;
	return 0;
}

/*
 * Could `content` read differently as one document of helm's text ("---\n#
 * Source: PATH\n" CONTENT "\n" in a stream) than alone?  Yes when a line of
 * it (a break as libyaml counts them: \n, \r, NEL, LS, PS) starts with a
 * document marker, when it starts with a directive or a byte order mark, when
 * PATH would not stay one comment line, or when the two would come near
 * lib/yaml's document size limit.  Such a document's tree is not handed on.
 */
static int not_stand_in(const char *content, const char *path)
{
	/* the bytes that end a line in libyaml's reading, besides \n: \r, and NEL's, LS's and PS's last */
	static const unsigned char breaks[] = { '\r', 0x85, 0xa8, 0xa9 };
	size_t len = strlen(content);
	const struct gitops_limits limits = GITOPS_LIMITS_INIT;
	const char *p, *end = content + len;

	if (strpbrk(path, "\r\n") || len + strlen(path) + 64 >= limits.max_document_bytes)
		return 1;
	if (content[0] == '%' || (unsigned char)content[0] == 0xef || !strncmp(content, "---", 3) ||
	    !strncmp(content, "...", 3))
		return 1;
	for (size_t b = 0; b < sizeof(breaks); b++)
		if (memchr(content, breaks[b], len))
			return 1; /* rare: not looked at more closely */
	for (p = content; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		if (end - p > 3 && (!memcmp(p + 1, "---", 3) || !memcmp(p + 1, "...", 3)))
			return 1;
	return 0;
}

static int kind_order(const char *kind)
{
	for (size_t i = 0; i < sizeof(install_order) / sizeof(install_order[0]); i++)
		if (!strcmp(install_order[i], kind))
			return (int)i;
	return -1;
}

/* lessByKind (sort.SliceStable: seq breaks ties) */
static int cmp_manifest(const void *a, const void *b)
{
	const struct manifest *x = a, *y = b;

	if (x->order < 0 && y->order < 0) {
		int c = strcmp(x->kind, y->kind);
		if (c)
			return c;
	} else if (x->order < 0) {
		return 1;
	} else if (y->order < 0) {
		return -1;
	} else if (x->order != y->order) {
		return x->order < y->order ? -1 : 1;
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct mlist {
	struct manifest *v;
	size_t n;
};

static int mlist_push(struct mlist *l, const char *path, char *content, cJSON *tree, size_t line, int unsafe,
		      const char *kind, int test, size_t seq)
{
	struct manifest *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	l->v = nv;
	nv[l->n].path = path;
	nv[l->n].content = content;
	nv[l->n].tree = tree;
	nv[l->n].line = line;
	nv[l->n].unsafe = unsafe;
	nv[l->n].kind = strdup(kind);
	nv[l->n].order = kind_order(kind);
	nv[l->n].test = test;
	nv[l->n].seq = seq;
	if (!nv[l->n].kind)
		return -1;
	l->n++;
	return 0;
}

static void mlist_release(struct mlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].kind);
		cJSON_Delete(l->v[i].tree);
	}
	free(l->v);
}

static int cmp_rendered(const void *a, const void *b)
{
	return strcmp(((const struct rendered *)a)->name, ((const struct rendered *)b)->name);
}

/* SortManifests */
static int sort_manifests(struct mlist *generic, struct mlist *hooks, struct rendered *r, size_t nr,
			  struct gitops_err *err)
{
	size_t i, k, seq = 0;

	if (nr > 1)
		qsort(r, nr, sizeof(*r), cmp_rendered);
	for (i = 0; i < nr; i++) {
		const char *s = r[i].text, *base = strrchr(r[i].name, '/');
		size_t n = strlen(s);
		char **docs = NULL;
		size_t ndocs = 0;
		base = base ? base + 1 : r[i].name;
		if (base[0] == '_')
			continue;
		trim_space(&s, &n);
		if (!n)
			continue;
		/* the documents stay in r[i].text (freed with r, after the text is written) */
		if (split_manifests(&docs, &ndocs, r[i].text, strlen(r[i].text)) < 0)
			return gitops_err_oom(err);
		for (k = 0; k < ndocs; k++) {
			cJSON *head = NULL;
			const char *kind;
			char kbuf[64];
			const cJSON *ann, *hook;
			size_t line = 0;
			int rc, fallback = 0, unsafe;
			if (simple_head(&head, &line, &fallback, &kind, kbuf, sizeof(kbuf), &ann, docs[k], r[i].name, err) < 0) {
				cJSON_Delete(head);
				goto fail;
			}
			hook = ann ? cJSON_GetObjectItemCaseSensitive(ann, "helm.sh/hook") : NULL;
			unsafe = fallback || not_stand_in(docs[k], r[i].name);
			if (cJSON_IsNull(head)) { /* kind is "" and there are no annotations */
				cJSON_Delete(head);
				head = NULL;
			}
			if (!ann || !ann->child || !hook) {
				rc = mlist_push(generic, r[i].name, docs[k], head, line, unsafe, kind, 0, seq++);
			} else {
				/* every event must be known, else the document is skipped ("info: skipping unknown hook") */
				char hbuf[64];
				const char *h = "";
				head_str(&h, hbuf, sizeof(hbuf), hook);
				int unknown = 0, test = 0;
				while (!unknown) {
					const char *comma = strchr(h, ',');
					size_t hl = comma ? (size_t)(comma - h) : strlen(h), e;
					const char *hs = h;
					char ev[64];
					trim_space(&hs, &hl);
					if (hl >= sizeof(ev)) {
						unknown = 1;
						break;
					}
					for (e = 0; e < hl; e++)
						ev[e] = (char)((hs[e] >= 'A' && hs[e] <= 'Z') ? hs[e] + 32 : hs[e]);
					ev[hl] = 0;
					for (e = 0; e < sizeof(hook_events) / sizeof(hook_events[0]); e++)
						if (!strcmp(ev, hook_events[e]))
							break;
					if (e == sizeof(hook_events) / sizeof(hook_events[0]))
						unknown = 1;
					else if (!strcmp(ev, "test") || !strcmp(ev, "test-success"))
						test = 1;
					if (!comma)
						break;
					h = comma + 1;
				}
				if (unknown) {
					cJSON_Delete(head);
					rc = 0;
				} else {
					rc = mlist_push(hooks, r[i].name, docs[k], head, line, unsafe, kind, test, seq++);
				}
			}
			docs[k] = NULL;
			if (rc < 0) {
				cJSON_Delete(head);
				gitops_err_oom(err);
				goto fail;
			}
		}
		free(docs);
		continue;
fail:
		free(docs);
		return -1;
	}
	if (generic->n > 1)
		qsort(generic->v, generic->n, sizeof(*generic->v), cmp_manifest);
	if (hooks->n > 1)
		qsort(hooks->v, hooks->n, sizeof(*hooks->v), cmp_manifest);
	return 0;
}

static int has_manifest_ext(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") || !strcmp(dot, ".json"));
}

/* "---\n# Source: PATH\nCONTENT\n" (no printf: a CRD is megabytes) */
static int put_doc(struct gitops_buf *b, const char *path, const char *content)
{
	if (gitops_buf_add(b, "---\n", 4) < 0 || (path && (gitops_buf_add(b, "# Source: ", 10) < 0 ||
							 gitops_buf_addstr(b, path) < 0 || gitops_buf_add(b, "\n", 1) < 0)))
		return -1;
	return gitops_buf_addstr(b, content) < 0 || gitops_buf_add(b, "\n", 1) < 0 ? -1 : 0;
}

/* about what add_crds writes (its headers' paths taken as 256 bytes) */
static size_t crds_size(const struct helm_chart *c)
{
	size_t n = 0, i;

	for (i = 0; i < c->c->files.n; i++) {
		const struct gitops_helm_file *f = &c->c->files.v[i];
		if (!strncmp(f->name, "crds/", 5) && has_manifest_ext(f->name))
			n += 256 + strlen(f->name) + f->len;
	}
	for (i = 0; i < c->nsub; i++)
		n += crds_size(c->sub[i]);
	return n;
}

/* CRDObjects: crds/ of the chart, then of its subcharts */
static int add_crds(struct gitops_buf *b, const struct helm_chart *c)
{
	struct gitops_buf full = GITOPS_BUF_INIT;
	size_t i;
	int ret = -1;

	if (helm_chart_full_path(&full, c) < 0)
		goto done;
	for (i = 0; i < c->c->files.n; i++) {
		const struct gitops_helm_file *f = &c->c->files.v[i];
		if (strncmp(f->name, "crds/", 5) || !has_manifest_ext(f->name))
			continue;
		if (gitops_buf_printf(b, "---\n# Source: %s/%s\n", full.data, f->name) < 0 ||
		    gitops_buf_add(b, f->data, f->len) < 0 || gitops_buf_addstr(b, "\n") < 0)
			goto done;
	}
	for (i = 0; i < c->nsub; i++)
		if (add_crds(b, c->sub[i]) < 0)
			goto done;
	ret = 0;
done:
	gitops_buf_release(&full);
	return ret;
}

/*
 * --show-only: the documents whose "# Source: CHART/PATH" PATH matches a
 * pattern, in the patterns' order (text is split in place)
 */
static int show_only(struct gitops_buf *out, char *text, const struct gitops_helm_options *o,
		     struct gitops_err *err)
{
	char **docs = NULL;
	size_t ndocs = 0, i, k;
	int ret = -1;

	if (split_manifests(&docs, &ndocs, text, strlen(text)) < 0)
		return gitops_err_oom(err);
	for (i = 0; i < o->n_show_only; i++) {
		const char *pat = o->show_only[i];
		int missing = 1;
		for (k = 0; k < ndocs; k++) {
			const char *src = strstr(docs[k], "# Source: "), *p, *slash, *eol;
			char *name;
			int m;
			if (!src)
				continue;
			p = src + 10;
			/* [^/]+/(.+) */
			slash = p;
			while (*slash && *slash != '/' && *slash != '\n')
				slash++;
			if (slash == p || *slash != '/')
				continue;
			eol = strchr(slash + 1, '\n');
			if (!eol)
				eol = slash + 1 + strlen(slash + 1);
			if (eol == slash + 1)
				continue;
			name = strndup(slash + 1, (size_t)(eol - slash - 1));
			if (!name)
				goto oom;
			m = gitops_helm_path_match(pat, strlen(pat), name, strlen(name)) == 1;
			free(name);
			if (!m)
				continue;
			if (put_doc(out, NULL, docs[k]) < 0)
				goto oom;
			missing = 0;
		}
		if (missing) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "could not find template %s in chart", pat);
			goto done;
		}
	}
	ret = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	free(docs);
	return ret;
}

static int check_dependencies(const struct helm_chart *c, struct gitops_err *err)
{
	struct gitops_buf missing = GITOPS_BUF_INIT;
	size_t i, k;
	int ret = 0;

	if (!c->deps_listed)
		return 0;
	for (i = 0; i < c->ndeps; i++) {
		int found = 0;
		for (k = 0; k < c->nsub && !found; k++)
			found = c->deps[i].name && !strcmp(c->sub[k]->name, c->deps[i].name);
		if (!found && gitops_buf_printf(&missing, "%s%s", missing.len ? ", " : "",
						c->deps[i].name ? c->deps[i].name : "") < 0) {
			gitops_buf_release(&missing);
			return gitops_err_oom(err);
		}
	}
	if (missing.len)
		ret = gitops_err_set(err, GITOPS_EXIT_INPUT,
				     "An error occurred while checking for chart dependencies. You may need to run `helm "
				     "dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in "
				     "charts/ directory: %s",
				     missing.data);
	gitops_buf_release(&missing);
	return ret;
}

static struct gitops_tmpl_value *release_value(const struct gitops_helm_options *o)
{
	struct gitops_tmpl_value *r = gitops_tmpl_value_map(NULL);

	if (!r || map_set(r, "Name", gitops_tmpl_value_cstring(o->release ? o->release : "release-name")) < 0 ||
	    map_set(r, "Namespace", gitops_tmpl_value_cstring(o->namespace ? o->namespace : "default")) < 0 ||
	    map_set(r, "IsUpgrade", gitops_tmpl_value_bool(o->is_upgrade)) < 0 ||
	    map_set(r, "IsInstall", gitops_tmpl_value_bool(!o->is_upgrade)) < 0 ||
	    map_set(r, "Revision", gitops_tmpl_value_int(1)) < 0 ||
	    map_set(r, "Service", gitops_tmpl_value_cstring("Helm")) < 0) {
		gitops_tmpl_value_unref(r);
		return NULL;
	}
	return r;
}

static int template_chart(struct gitops_buf *out, struct gitops_helm_docs *docs, struct helm_chart *c,
			  const struct gitops_helm_options *o, struct gitops_tmpl_value *caps, struct gitops_err *err);

void gitops_helm_docs_release(struct gitops_helm_docs *d)
{
	for (size_t i = 0; d && i < d->n; i++)
		cJSON_Delete(d->v[i].tree);
	if (d) {
		free(d->v);
		d->v = NULL;
		d->n = 0;
	}
}

int gitops_helm_template(struct gitops_buf *out, const char *path, const struct gitops_helm_options *o,
			 struct gitops_err *err)
{
	return gitops_helm_template_docs(out, NULL, path, o, err);
}

int gitops_helm_template_files(struct gitops_buf *out, const struct gitops_helm_files *files, const char *what,
			       const struct gitops_helm_options *o, struct gitops_err *err)
{
	return gitops_helm_template_files_docs(out, NULL, files, what, o, err);
}

int gitops_helm_template_docs(struct gitops_buf *out, struct gitops_helm_docs *docs, const char *path,
			      const struct gitops_helm_options *o, struct gitops_err *err)
{
	struct gitops_tmpl_value *caps = NULL;
	struct helm_chart *c = NULL;
	int ret;

	/* helm parses --kube-version before it loads the chart (the value serves the render: taken by template_chart) */
	if (gitops_helm_capabilities(&caps, o->kube_version, o->api_versions, o->n_api_versions, err) < 0)
		return -1;
	if (helm_chart_load_path(&c, path, err) < 0) {
		gitops_tmpl_value_unref(caps);
		return -1;
	}
	c->warn = o->warn;
	c->warn_ctx = o->warn_ctx;
	ret = template_chart(out, docs, c, o, caps, err);
	helm_chart_free(c);
	return ret;
}

int gitops_helm_template_files_docs(struct gitops_buf *out, struct gitops_helm_docs *docs,
				    const struct gitops_helm_files *files, const char *what,
				    const struct gitops_helm_options *o, struct gitops_err *err)
{
	struct gitops_helm_files copy = GITOPS_HELM_FILES_INIT;
	struct helm_chart *c = NULL;
	int ret;

	for (size_t i = 0; i < files->n; i++)
		if (gitops_helm_files_add(&copy, files->v[i].name, files->v[i].data, files->v[i].len, err) < 0) {
			gitops_helm_files_release(&copy);
			return -1;
		}
	ret = helm_chart_load(&c, &copy, what, err);
	gitops_helm_files_release(&copy);
	if (ret < 0)
		return -1;
	c->warn = o->warn;
	c->warn_ctx = o->warn_ctx;
	ret = template_chart(out, docs, c, o, NULL, err);
	helm_chart_free(c);
	return ret;
}

/* docs: a document's tree with the line its root has in text ("---" at offset, "# Source: " next) */
static int docs_push(struct gitops_helm_docs *docs, size_t *cap, const struct manifest *m, size_t offset)
{
	if (docs->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct gitops_helm_doc *nv = realloc(docs->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		docs->v = nv;
		*cap = nc;
	}
	docs->v[docs->n].tree = m->tree;
	docs->v[docs->n].line = offset; /* made a line once the text is whole (root_line: m->line) */
	docs->v[docs->n].root_line = m->line;
	docs->n++;
	return 0;
}

/* caps: .Capabilities made already (taken), or NULL */
static int template_chart(struct gitops_buf *out, struct gitops_helm_docs *docs, struct helm_chart *c,
			  const struct gitops_helm_options *o, struct gitops_tmpl_value *caps, struct gitops_err *err)
{
	struct engine e;
	cJSON *user = NULL, *vals = NULL;
	struct gitops_tmpl_value *release = NULL, *root_values = NULL, *vv = NULL, *top = NULL;
	struct gitops_buf report = GITOPS_BUF_INIT, text = GITOPS_BUF_INIT;
	struct rendered *r = NULL;
	size_t nr = 0, i;
	struct mlist generic = { NULL, 0 }, hooks = { NULL, 0 };
	const cJSON *tp;
	size_t dcap = 0;
	int rc, ret = -1, stand_in;

	memset(&e, 0, sizeof(e));
	if (docs) {
		docs->v = NULL;
		docs->n = 0;
	}
	if (!caps && gitops_helm_capabilities(&caps, o->kube_version, o->api_versions, o->n_api_versions, err) < 0)
		goto done;
	tp = cJSON_GetObjectItemCaseSensitive(c->meta, "type");
	if (cJSON_IsString(tp) && *tp->valuestring && strcmp(tp->valuestring, "application")) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s charts are not installable", tp->valuestring);
		goto done;
	}
	if (check_dependencies(c, err) < 0)
		goto done;
	if (helm_user_values(&user, o, err) < 0)
		goto done;
	if (helm_process_dependencies(c, user, err) < 0)
		goto done;
	/* the last coalescing: the charts' defaults move into vals */
	if (helm_coalesce_values(&vals, c, user, 0, HELM_TAKE_ALL, err) < 0)
		goto done;
	rc = o->skip_schema_validation ? 0 : helm_validate_schemas(&report, c, vals, err);
	if (rc < 0)
		goto done;
	if (rc > 0) {
		/* one line: the report's last line break would end it with a space */
		while (report.len && report.data[report.len - 1] == '\n')
			report.data[--report.len] = 0;
		gitops_err_set(err, GITOPS_EXIT_INPUT,
			       "values don't meet the specifications of the schema(s) in the following chart(s):\n%s",
			       report.data);
		goto done;
	}
	{
		const cJSON *kv = cJSON_GetObjectItemCaseSensitive(c->meta, "kubeVersion");
		const char *cur = gitops_helm_capabilities_kube_version(caps);
		if (cJSON_IsString(kv) && *kv->valuestring && !helm_compatible_range(kv->valuestring, cur)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "chart requires kubeVersion: %s which is incompatible with Kubernetes %s",
				       kv->valuestring, cur);
			goto done;
		}
	}
	if (!(release = release_value(o)))
		goto oom;
	/* vals is freed right after: its strings move into the engine's values */
	if (gitops_tmpl_value_from_tree_take(&vv, vals, GITOPS_TMPL_TREE_INT64, err) < 0)
		goto done;
	/* the engine's copy is the one templates read: the trees' memory serves the render */
	cJSON_Delete(user);
	cJSON_Delete(vals);
	user = vals = NULL;
	if (!(root_values = as_values(vv)))
		goto oom;
	if (all_templates(&e, &top, c, NULL, root_values, release, caps, err) < 0)
		goto done;
	if (render_all(&r, &nr, &e, o, err) < 0)
		goto done;
	/* the templates, their values and the built-in objects are done with: their memory serves what follows */
	engine_release(&e);
	memset(&e, 0, sizeof(e));
	gitops_tmpl_value_unref(top);
	gitops_tmpl_value_unref(root_values);
	gitops_tmpl_value_unref(vv);
	top = root_values = vv = NULL;
	/* NOTES.txt: rendered (its errors fail the render), never printed */
	{
		size_t w = 0;
		for (i = 0; i < nr; i++) {
			size_t nl = strlen(r[i].name);
			if (nl >= 9 && !strcmp(r[i].name + nl - 9, "NOTES.txt")) {
				free(r[i].name);
				free(r[i].text);
				continue;
			}
			r[w++] = r[i];
		}
		nr = w;
	}
	if (sort_manifests(&generic, &hooks, r, nr, err) < 0)
		goto done;
	/* the trees stand in for the text when every document of it is one of theirs, read as the text would be */
	stand_in = docs && !o->include_crds && !o->n_show_only;
	for (i = 0; stand_in && i < generic.n; i++)
		stand_in = !generic.v[i].unsafe;
	for (i = 0; stand_in && !o->no_hooks && i < hooks.n; i++)
		stand_in = (o->skip_tests && hooks.v[i].test) || !hooks.v[i].unsafe;
	/* written once: the CRDs and manifests, space-trimmed, then the hooks (the rendered files hold the documents) */
	{
		/* the text's size, known before it is written: one allocation */
		size_t total = 1;
		for (i = 0; i < generic.n; i++)
			total += 16 + strlen(generic.v[i].path) + strlen(generic.v[i].content);
		for (i = 0; !o->no_hooks && i < hooks.n; i++)
			total += 16 + strlen(hooks.v[i].path) + strlen(hooks.v[i].content);
		if (o->include_crds)
			total += crds_size(c);
		if (gitops_buf_reserve(&text, total) < 0)
			goto oom;
	}
	if (o->include_crds && add_crds(&text, c) < 0)
		goto oom;
	for (i = 0; i < generic.n; i++) {
		if (stand_in && docs_push(docs, &dcap, &generic.v[i], text.len) < 0)
			goto oom;
		if (stand_in)
			generic.v[i].tree = NULL;
		if (put_doc(&text, generic.v[i].path, generic.v[i].content) < 0)
			goto oom;
	}
	{
		const char *s = text.data ? text.data : "";
		size_t n = text.len;
		trim_space(&s, &n);
		if (n && s != text.data)
			memmove(text.data, s, n);
		text.len = n;
		if (gitops_buf_addstr(&text, "\n") < 0)
			goto oom;
	}
	if (!o->no_hooks)
		for (i = 0; i < hooks.n; i++) {
			if (o->skip_tests && hooks.v[i].test)
				continue;
			if (stand_in && docs_push(docs, &dcap, &hooks.v[i], text.len) < 0)
				goto oom;
			if (stand_in)
				hooks.v[i].tree = NULL;
			if (put_doc(&text, hooks.v[i].path, hooks.v[i].content) < 0)
				goto oom;
		}
	if (stand_in) {
		/* offsets into lines: 1 + the line breaks before each "---" */
		size_t line = 1, at = 0;
		for (i = 0; i < docs->n; i++) {
			size_t to = docs->v[i].line;
			const char *p = text.data + at, *end = text.data + to;
			while ((p = memchr(p, '\n', (size_t)(end - p)))) {
				line++;
				p++;
			}
			/* "---", "# Source: PATH", then the content's lines */
			docs->v[i].line = line + 1 + docs->v[i].root_line;
			at = to;
		}
	}
	if (o->n_show_only) {
		if (show_only(out, text.data, o, err) < 0)
			goto done;
	} else if (!out->len) {
		gitops_buf_release(out);
		*out = text;
		memset(&text, 0, sizeof(text));
	} else if (gitops_buf_add(out, text.data, text.len) < 0) {
		goto oom;
	}
	ret = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	if (ret < 0)
		gitops_helm_docs_release(docs);
	rendered_free(r, nr);
	mlist_release(&generic);
	mlist_release(&hooks);
	engine_release(&e);
	gitops_tmpl_value_unref(top);
	gitops_tmpl_value_unref(caps);
	gitops_tmpl_value_unref(release);
	gitops_tmpl_value_unref(vv);
	gitops_tmpl_value_unref(root_values);
	gitops_buf_release(&report);
	gitops_buf_release(&text);
	cJSON_Delete(user);
	cJSON_Delete(vals);
	return ret;
}
