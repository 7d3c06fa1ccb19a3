/*
 * vars.c: kustomize's legacy vars: each var names a field of one resource
 * (objref kind / name / apiVersion / namespace, fieldref.fieldpath,
 * metadata.name by default), and `$(NAME)` in the varReference fields
 * (c->config->var_reference) is replaced by that field's value.
 *
 * As kustomize v5.5: the objref matches a resource's group, version and
 * kind exactly (an objref without apiVersion matches no apps/v1 object) and
 * its current or an earlier name; `$(NAME)` alone in a string takes the
 * value's type (an integer stays one), inside a longer string its text;
 * `$$` is a '$'; a `$(NAME)` no var defines stays as it is; a var whose
 * value is not a scalar replaces nothing.  Errors in kustomize's words:
 * "var 'SVC' already encountered", "found N resId matches for var ...",
 * "var '...' cannot be mapped to a field in the set of known resources",
 * "field specified in var '...' not found in corresponding resource".
 * The refBy annotation is not needed: kustomize never outputs it.
 *
 * Ownership: kz.h.  On error the map is unchanged.
 */
#include "lib/kustomize/kz_patch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/json.h"
#include "lib/value/path.h"
#include "lib/value/value.h"

struct var {
	const char *name;
	cJSON *value; /* a copy of the value read before any replacement; NULL: replaces nothing */
	size_t used;
};

/* kustomize's text of a var: {NAME Kind.version.group {fieldpath}} */
static void var_text(struct gitops_buf *b, const cJSON *v, int defaulted)
{
	const char *name = gitops_json_get_string(v, "name", NULL);
	const char *kind = gitops_json_get_string(v, "objref", "kind", NULL);
	const char *av = gitops_json_get_string(v, "objref", "apiVersion", NULL);
	const char *fp = gitops_json_get_string(v, "fieldref", "fieldpath", NULL);
	const char *slash = av ? strchr(av, '/') : NULL;
	char group[254] = "[noGrp]";
	const char *version = "[noVer]";

	if (defaulted && av && *av) {
		if (slash) {
			snprintf(group, sizeof(group), "%.*s", (int)(slash - av), av);
			version = slash + 1;
		} else {
			version = av;
		}
	}
	if (defaulted && (!fp || !*fp))
		fp = "metadata.name";
	gitops_buf_printf(b, "{%s %s.%s.%s {%s}}", name ? name : "", kind && *kind ? kind : "[noKind]", version, group,
			  fp ? fp : "");
}

static int names_match(const cJSON *obj, const char *want)
{
	struct kz_id id;
	const char *p;

	kz_id_of(&id, obj);
	if (!strcmp(id.name, want))
		return 1;
	p = kz_res_annotation(obj, KZ_ANN_PREV_NAMES);
	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (strlen(want) == n && !strncmp(p, want, n))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

static int objref_matches(const cJSON *v, const cJSON *obj)
{
	struct kz_id id;
	const char *kind = gitops_json_get_string(v, "objref", "kind", NULL);
	const char *name = gitops_json_get_string(v, "objref", "name", NULL);
	const char *av = gitops_json_get_string(v, "objref", "apiVersion", NULL);
	const char *ns = gitops_json_get_string(v, "objref", "namespace", NULL);
	const char *oav = gitops_json_get_string(obj, "apiVersion", NULL);

	kz_id_of(&id, obj);
	if (strcmp(av ? av : "", oav ? oav : "") || strcmp(kind ? kind : "", id.kind))
		return 0;
	if (!names_match(obj, name ? name : ""))
		return 0;
	if (ns && *ns) {
		const char *a = !strcmp(ns, "default") ? "" : ns, *b = !strcmp(id.ns, "default") ? "" : id.ns;

		return !strcmp(a, b);
	}
	return 1;
}

/* Expand $(NAME) in s: *out a new node (string, or the typed value when s is exactly one reference); NULL
 * when nothing changes. */
static int expand(cJSON **out, const char *s, struct var *vars, size_t nv, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *p = s;
	int changed = 0;

	*out = NULL;
	if (!strchr(s, '$'))
		return 0;
	if (gitops_buf_addstr(&b, ""))
		return gitops_err_oom(err);
	while (*p) {
		const char *close;
		size_t i;

		if (p[0] != '$') {
			size_t n = strcspn(p, "$");

			if (gitops_buf_add(&b, p, n))
				goto oom;
			p += n;
			continue;
		}
		if (p[1] == '$') {
			if (gitops_buf_addstr(&b, "$"))
				goto oom;
			p += 2;
			changed = 1;
			continue;
		}
		if (p[1] != '(' || !(close = strchr(p + 2, ')'))) {
			if (gitops_buf_add(&b, p, p[1] ? 2 : 1))
				goto oom;
			p += p[1] ? 2 : 1;
			continue;
		}
		for (i = 0; i < nv; i++) {
			if (vars[i].value && strlen(vars[i].name) == (size_t)(close - p - 2) &&
			    !strncmp(vars[i].name, p + 2, (size_t)(close - p - 2)))
				break;
		}
		if (i == nv) {
			if (gitops_buf_add(&b, p, (size_t)(close - p) + 1))
				goto oom;
		} else {
			const cJSON *v = vars[i].value;
			char num[64];

			vars[i].used++;
			if (p == s && !close[1] && !cJSON_IsString(v)) {
				gitops_buf_release(&b);
				if (!(*out = gitops_value_copy(v)))
					return gitops_err_oom(err);
				return 0;
			}
			if (gitops_buf_addstr(&b, cJSON_IsString(v) ? v->valuestring :
						   cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? "true" : "false") :
						   cJSON_IsNumber(v) ? gitops_value_format_number(num, sizeof(num), v) : ""))
				goto oom;
			changed = 1;
		}
		p = close + 1;
	}
	if (changed && !(*out = cJSON_CreateString(b.data)))
		goto oom;
	gitops_buf_release(&b);
	return 0;
oom:
	gitops_buf_release(&b);
	return gitops_err_oom(err);
}

static void take_over(cJSON *node, cJSON *v)
{
	int keep = node->type & cJSON_StringIsConst;

	cJSON_free(node->valuestring);
	node->type = (v->type & ~cJSON_StringIsConst) | keep;
	node->valuestring = v->valuestring;
	node->valueint = v->valueint;
	node->valuedouble = v->valuedouble;
	v->valuestring = NULL;
	cJSON_Delete(v);
}

/* kyaml's IsYNodeString: a string, tagged or not (a tagless one, KZ_TAGLESS, becomes a tagged string) */
static int is_ystring(const cJSON *n)
{
	return cJSON_IsString(n);
}

static int replace_scalar(cJSON *node, struct var *vars, size_t nv, struct gitops_err *err)
{
	char num[64];
	const char *text = cJSON_IsString(node) ? node->valuestring :
			   cJSON_IsNumber(node) ? gitops_value_format_number(num, sizeof(num), node) :
			   cJSON_IsTrue(node)   ? "true" :
						  "false";
	cJSON *n;

	if (expand(&n, text, vars, nv, err))
		return -1;
	/* updateNodeValue: the expanded text, a string now (even unchanged): no longer tagless */
	if (n)
		take_over(node, n);
	node->type &= ~KZ_TAGLESS;
	return 0;
}

/* refvar's Filter.set on one field: 1 when a sequence held something else than strings (kustomize's error) */
static int replace_in(cJSON *node, struct var *vars, size_t nv, struct gitops_err *err)
{
	cJSON *e;

	if (cJSON_IsArray(node)) {
		cJSON_ArrayForEach(e, node)
			if (!is_ystring(e))
				return 1;
		cJSON_ArrayForEach(e, node)
			if (replace_scalar(e, vars, nv, err))
				return -1;
		return 0;
	}
	if (cJSON_IsObject(node)) {
		cJSON_ArrayForEach(e, node)
			if (is_ystring(e) && replace_scalar(e, vars, nv, err))
				return -1;
		return 0;
	}
	return is_ystring(node) ? replace_scalar(node, vars, nv, err) : 0;
}

/*
 * "considering field 'PATH' of object ID: visit traversal on path: [REST]: ...:
 * invalid value type expect a string", the traversal named at every
 * sequence the fieldspec's path went through on the way to the field.
 */
static void seq_error(const cJSON *obj, const char *path, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct kz_id id;
	const cJSON *cur = obj;
	const char *p = path;

	kz_id_of(&id, obj);
	gitops_buf_printf(&b, "considering field '%s' of object %s.%s.%s/%s.%s", path, *id.kind ? id.kind : "[noKind]",
			  *id.version ? id.version : "[noVer]", *id.group ? id.group : "[noGrp]",
			  *id.name ? id.name : "[noName]", *id.ns ? id.ns : "[noNs]");
	while (cur && *p) {
		size_t n = strcspn(p, "/");
		char seg[256];

		snprintf(seg, sizeof(seg), "%.*s", (int)(n < 255 ? n : 255), p);
		p += n + (p[n] == '/');
		cur = gitops_value_get(cur, seg);
		if (cJSON_IsArray(cur) && *p) {
			gitops_buf_addstr(&b, ": visit traversal on path: [");
			for (const char *q = p; *q; q++)
				gitops_buf_add(&b, *q == '/' ? " " : q, 1);
			gitops_buf_addstr(&b, "]");
			cur = cur->child;
		}
	}
	gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: invalid value type expect a string", b.data ? b.data : path);
	gitops_buf_release(&b);
}

static int fs_applies(const struct kz_fieldspec *fs, const struct kz_id *id)
{
	return (!fs->group || !*fs->group || !strcmp(fs->group, id->group)) &&
	       (!fs->version || !*fs->version || !strcmp(fs->version, id->version)) &&
	       (!fs->kind || !*fs->kind || !strcmp(fs->kind, id->kind));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* kustomize's log line: "well-defined vars that were never replaced: A,B" (sorted) */
static int warn_unused(const struct var *vv, size_t nv, struct kz_ctx *c, struct gitops_err *err)
{
	const char **names;
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i, n = 0;

	if (!c || !c->warn || !nv)
		return 0;
	if (!(names = calloc(nv, sizeof(*names))))
		return gitops_err_oom(err);
	for (i = 0; i < nv; i++)
		if (!vv[i].used)
			names[n++] = vv[i].name;
	if (n) {
		qsort(names, n, sizeof(*names), cmp_names);
		gitops_buf_addstr(&b, "well-defined vars that were never replaced: ");
		for (i = 0; i < n; i++)
			gitops_buf_printf(&b, "%s%s", i ? "," : "", names[i]);
		if (!b.data) {
			free(names);
			return gitops_err_oom(err);
		}
		c->warn(c->warn_ctx, b.data);
	}
	gitops_buf_release(&b);
	free(names);
	return 0;
}

int kz_vars_resolve(struct kz_resmap *m, const cJSON *vars, struct kz_ctx *c, struct gitops_err *err)
{
	struct gitops_buf t = GITOPS_BUF_INIT;
	struct kz_id *ids = NULL;
	struct var *vv = NULL;
	const cJSON *v, *w;
	size_t nv = 0, i, k;
	int rc = -1;

	if (!cJSON_IsArray(vars) || !vars->child)
		return 0;
	/* names must be unique */
	cJSON_ArrayForEach(v, vars) {
		const char *name = gitops_json_get_string(v, "name", NULL);

		for (w = vars->child; w != v; w = w->next) {
			const char *other = gitops_json_get_string(w, "name", NULL);

			if (name && other && !strcmp(name, other)) {
				const cJSON *x;

				gitops_buf_addstr(&t, "merging vars [");
				cJSON_ArrayForEach(x, vars) {
					if (x != vars->child)
						gitops_buf_addstr(&t, " ");
					var_text(&t, x, 0);
				}
				gitops_err_set(err, GITOPS_EXIT_INPUT, "%s]: var '%s' already encountered",
					       t.data ? t.data : "", name);
				goto done;
			}
		}
	}
	if (!(vv = calloc((size_t)cJSON_GetArraySize(vars), sizeof(*vv)))) {
		gitops_err_oom(err);
		goto done;
	}
	cJSON_ArrayForEach(v, vars) {
		const char *fp = gitops_json_get_string(v, "fieldref", "fieldpath", NULL);
		const cJSON *target = NULL;
		struct gitops_path p = GITOPS_PATH_INIT;
		const cJSON **found = NULL;
		size_t nf = 0, matches = 0;

		for (i = 0; i < m->n; i++)
			if (objref_matches(v, m->v[i])) {
				matches++;
				target = m->v[i];
			}
		t.len = 0;
		if (t.data)
			t.data[0] = 0;
		var_text(&t, v, 1);
		if (matches > 1) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "found %zu resId matches for var %s (unable to disambiguate)",
				       matches, t.data ? t.data : "");
			goto done;
		}
		if (!matches) {
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "var '%s' cannot be mapped to a field in the set of known resources", t.data ? t.data : "");
			goto done;
		}
		if (!fp || !*fp)
			fp = "metadata.name";
		if (gitops_path_parse(&p, GITOPS_PATH_YAMLEDIT, fp, 0, err) || gitops_path_get(&found, &nf, target, &p, err)) {
			gitops_path_release(&p);
			goto done;
		}
		gitops_path_release(&p);
		if (!nf) {
			free(found);
			gitops_err_set(err, GITOPS_EXIT_INPUT, "field specified in var '%s' not found in corresponding resource",
				       t.data ? t.data : "");
			goto done;
		}
		vv[nv].name = gitops_json_get_string(v, "name", NULL);
		if (!vv[nv].name)
			vv[nv].name = "";
		if ((cJSON_IsString(found[0]) || cJSON_IsNumber(found[0]) || cJSON_IsBool(found[0])) &&
		    !(vv[nv].value = gitops_value_copy(found[0]))) {
			free(found);
			gitops_err_oom(err);
			goto done;
		}
		nv++;
		free(found);
	}
	/*
	 * The map changes in place (the values are copies, read before): a
	 * failure fails the build.  The ids, which no var reference changes,
	 * are read once.
	 */
	if (m->n && !(ids = calloc(m->n, sizeof(*ids)))) {
		gitops_err_oom(err);
		goto done;
	}
	for (k = 0; k < m->n; k++)
		kz_id_of(&ids[k], m->v[k]);
	for (i = 0; c && c->config && i < c->config->var_reference.n; i++) {
		const struct kz_fieldspec *fs = &c->config->var_reference.v[i];
		struct gitops_path p = GITOPS_PATH_INIT;

		if (!fs->path || gitops_path_parse(&p, GITOPS_PATH_FIELDSPEC, fs->path, 0, err)) {
			if (!fs->path)
				continue;
			goto done;
		}
		for (k = 0; k < m->n; k++) {
			const cJSON **found = NULL;
			size_t nf = 0, j;

			if (!fs_applies(fs, &ids[k]))
				continue;
			if (gitops_path_get(&found, &nf, m->v[k], &p, err)) {
				gitops_path_release(&p);
				goto done;
			}
			for (j = 0; j < nf; j++) {
				int r = replace_in((cJSON *)found[j], vv, nv, err);

				if (r > 0)
					seq_error(m->v[k], fs->path, err);
				if (r) {
					free(found);
					gitops_path_release(&p);
					goto done;
				}
			}
			free(found);
		}
		gitops_path_release(&p);
	}
	if (warn_unused(vv, nv, c, err))
		goto done;
	rc = 0;
done:
	kz_resmap_touch(m);
	for (i = 0; i < nv; i++)
		cJSON_Delete(vv[i].value);
	free(vv);
	free(ids);
	gitops_buf_release(&t);
	return rc;
}
