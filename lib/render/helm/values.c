/*
 * values.c: a chart's values as helm v3.17 computes them: the user's
 * (pkg/cli/values MergeValues), dependencies enabled and imported
 * (chartutil ProcessDependenciesWithMerge), coalescing with the charts'
 * defaults and globals (chartutil CoalesceValues).
 *
 * Helm's maps have no order; these trees keep insertion order, which no
 * template sees (range and the serializers sort keys).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/render/helm/helm_int.h"
#include "lib/value/jsonio.h"
#include "lib/value/jsonschema.h"
#include "lib/value/path.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

/* Helm's mergeMaps: b's keys over a's, maps merged, a new top map (takes b's items) */
static void merge_maps(cJSON *a, cJSON *b)
{
	cJSON *v, *next;

	for (v = b->child; v; v = next) {
		cJSON *av;
		next = v->next;
		av = cJSON_GetObjectItemCaseSensitive(a, v->string);
		if (cJSON_IsObject(v) && av && cJSON_IsObject(av)) {
			merge_maps(av, v);
			continue;
		}
		cJSON_DetachItemViaPointer(b, v);
		if (av)
			cJSON_ReplaceItemViaPointer(a, av, v);
		else
			cJSON_AddItemToObject(a, v->string, v);
	}
}

/* a values file: YAML read as sigs.k8s.io/yaml reads it into map[string]interface {} */
int helm_read_values_yaml(cJSON **out, const char *data, size_t len, const char *name, struct gitops_err *err)
{
	cJSON *v = NULL;

	*out = NULL;
	if (helm_yaml_read(&v, data, len, name, 0, err) < 0)
		return -1;
	if (!v)
		v = cJSON_CreateObject();
	if (!v)
		return gitops_err_oom(err);
	if (!cJSON_IsObject(v)) {
		const char *t = cJSON_IsArray(v) ? "array" : cJSON_IsString(v) ? "string" : cJSON_IsBool(v) ? "bool" : "number";
		cJSON_Delete(v);
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s into Go "
				      "value of type map[string]interface {}",
				      t);
	}
	*out = v;
	return 0;
}

/* --set-file KEY=PATH[,KEY=PATH]: each file's text as a --set-string value (strvals' escapes kept) */
static int set_file(cJSON *vals, const char *arg, struct gitops_err *err)
{
	struct gitops_buf key = GITOPS_BUF_INIT, path = GITOPS_BUF_INIT, one = GITOPS_BUF_INIT, text = GITOPS_BUF_INIT;
	const char *p = arg;
	int ret = -1;

	while (*p) {
		key.len = path.len = one.len = text.len = 0;
		/* the key, up to '=' (escapes kept for strvals) */
		while (*p && *p != '=') {
			if (*p == '\\' && p[1]) {
				if (gitops_buf_add(&key, p, 2) < 0)
					goto oom;
				p += 2;
				continue;
			}
			if (gitops_buf_add(&key, p++, 1) < 0)
				goto oom;
		}
		if (*p != '=') {
			gitops_err_set(err, GITOPS_EXIT_USAGE, "failed parsing --set-file data: key \"%s\" has no value",
				       key.data ? key.data : "");
			goto done;
		}
		p++;
		while (*p && *p != ',') {
			if (*p == '\\' && p[1])
				p++;
			if (gitops_buf_add(&path, p++, 1) < 0)
				goto oom;
		}
		if (*p == ',')
			p++;
		if (gitops_buf_read_file(&text, path.data ? path.data : "", 64u << 20, err) < 0) {
			gitops_err_prefix(err, "failed parsing --set-file data");
			goto done;
		}
		if (gitops_buf_add(&one, key.data ? key.data : "", key.len) < 0 || gitops_buf_addstr(&one, "=") < 0)
			goto oom;
		for (size_t i = 0; i < text.len; i++) {
			char c = text.data[i];
			if ((c == '\\' || c == ',' || c == '{' || c == '}' || c == '[' || c == ']' || c == '=') &&
			    gitops_buf_add(&one, "\\", 1) < 0)
				goto oom;
			if (gitops_buf_add(&one, &c, 1) < 0)
				goto oom;
		}
		if (gitops_path_helm_set(vals, one.data, GITOPS_PATH_HELM_SET_STRING, err) < 0) {
			gitops_err_prefix(err, "failed parsing --set-file data");
			goto done;
		}
	}
	ret = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	gitops_buf_release(&key);
	gitops_buf_release(&path);
	gitops_buf_release(&one);
	gitops_buf_release(&text);
	return ret;
}

int helm_user_values(cJSON **out, const struct gitops_helm_options *o, struct gitops_err *err)
{
	static const enum gitops_helm_set_kind order[] = { GITOPS_HELM_SET_JSON, GITOPS_HELM_SET,
							   GITOPS_HELM_SET_STRING, GITOPS_HELM_SET_FILE,
							   GITOPS_HELM_SET_LITERAL };
	cJSON *base = cJSON_CreateObject();
	size_t i, k;

	*out = NULL;
	if (!base)
		return gitops_err_oom(err);
	for (i = 0; i < o->n_values_files; i++) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		cJSON *cur = NULL;
		const char *f = o->values_files[i];
		if (gitops_buf_read_file(&b, f, 64u << 20, err) < 0)
			goto fail;
		if (helm_read_values_yaml(&cur, b.data ? b.data : "", b.len, f, err) < 0) {
			gitops_buf_release(&b);
			gitops_err_prefix(err, "failed to parse %s", f);
			goto fail;
		}
		gitops_buf_release(&b);
		merge_maps(base, cur);
		cJSON_Delete(cur);
	}
	for (i = 0; i < o->n_values_texts; i++) {
		const char *t = o->values_texts[i], *name = o->values_text_names[i];
		cJSON *cur = NULL;
		if (helm_read_values_yaml(&cur, t, strlen(t), name, err) < 0) {
			gitops_err_prefix(err, "failed to parse %s", name);
			goto fail;
		}
		merge_maps(base, cur);
		cJSON_Delete(cur);
	}
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < o->n_sets; i++) {
			const struct gitops_helm_set *s = &o->sets[i];
			if (s->kind != order[k])
				continue;
			switch (s->kind) {
			case GITOPS_HELM_SET_JSON:
				if (gitops_path_helm_set(base, s->arg, GITOPS_PATH_HELM_SET_JSON, err) < 0) {
					gitops_err_set(err, GITOPS_EXIT_USAGE, "failed parsing --set-json data %s", s->arg);
					goto fail;
				}
				break;
			case GITOPS_HELM_SET:
				if (gitops_path_helm_set(base, s->arg, GITOPS_PATH_HELM_SET, err) < 0) {
					gitops_err_prefix(err, "failed parsing --set data");
					goto fail;
				}
				break;
			case GITOPS_HELM_SET_STRING:
				if (gitops_path_helm_set(base, s->arg, GITOPS_PATH_HELM_SET_STRING, err) < 0) {
					gitops_err_prefix(err, "failed parsing --set-string data");
					goto fail;
				}
				break;
			case GITOPS_HELM_SET_FILE:
				if (set_file(base, s->arg, err) < 0)
					goto fail;
				break;
			case GITOPS_HELM_SET_LITERAL:
				if (gitops_path_helm_set(base, s->arg, GITOPS_PATH_HELM_SET_LITERAL, err) < 0) {
					gitops_err_prefix(err, "failed parsing --set-literal data");
					goto fail;
				}
				break;
			}
		}
	*out = base;
	return 0;
fail:
	cJSON_Delete(base);
	return -1;
}

/* --- coalescing --- */

static int is_table(const cJSON *v)
{
	return v && cJSON_IsObject(v);
}

static void coalesce_warn(void *ctx, const char *key, const char *why)
{
	const struct helm_chart *c = ctx;

	if (!strcmp(why, "cannot overwrite table with non table"))
		helm_warn(c, "warning: cannot overwrite table with non table for %s", key);
	else
		helm_warn(c, "warning: destination for %s is a table. Ignoring non-table value", key);
}

/* coalesceTablesFullKey (c: the chart whose log it is, or NULL) */
static int coalesce_tables(const struct helm_chart *c, cJSON *dst, const cJSON *src, int merge, struct gitops_err *err)
{
	return gitops_value_coalesce(dst, src, merge, c ? coalesce_warn : NULL, (void *)c, err);
}

/* coalesceGlobals: the parent's globals (src) pushed into a subchart's values (dest) */
static int coalesce_globals(const struct helm_chart *c, cJSON *dest, const cJSON *src, struct gitops_err *err)
{
	cJSON *dg = cJSON_GetObjectItemCaseSensitive(dest, "global");
	const cJSON *sg = cJSON_GetObjectItemCaseSensitive(src, "global"), *val;
	int fresh = 0;

	if (!dg) {
		dg = cJSON_CreateObject();
		if (!dg)
			return gitops_err_oom(err);
		fresh = 1;
	} else if (!cJSON_IsObject(dg)) {
		helm_warn(c, "warning: skipping globals because destination global is not a table.");
		return 0;
	}
	if (sg && !cJSON_IsObject(sg)) {
		helm_warn(c, "warning: skipping globals because source global is not a table.");
		if (fresh)
			cJSON_Delete(dg);
		return 0;
	}
	cJSON_ArrayForEach(val, sg) {
		cJSON *dv = cJSON_GetObjectItemCaseSensitive(dg, val->string);
		if (is_table(val)) {
			cJSON *vv = cJSON_Duplicate(val, 1);
			if (!vv)
				goto oom;
			if (!dv) {
				cJSON_AddItemToObject(dg, val->string, vv);
			} else if (!cJSON_IsObject(dv)) {
				helm_warn(c, "Conflict: cannot merge map onto non-map for \"%s\". Skipping.", val->string);
				cJSON_Delete(vv);
			} else {
				if (coalesce_tables(c, vv, dv, 1, err) < 0) {
					cJSON_Delete(vv);
					goto fail;
				}
				cJSON_ReplaceItemViaPointer(dg, dv, vv);
			}
		} else if (dv && is_table(dv)) {
			helm_warn(c, "key %s is table. Skipping", val->string);
		} else {
			cJSON *cp = cJSON_Duplicate(val, 1);
			if (!cp)
				goto oom;
			if (dv)
				cJSON_ReplaceItemViaPointer(dg, dv, cp);
			else
				cJSON_AddItemToObject(dg, val->string, cp);
		}
	}
	if (fresh)
		cJSON_AddItemToObject(dest, "global", dg);
	return 0;
oom:
	gitops_err_oom(err);
fail:
	if (fresh)
		cJSON_Delete(dg);
	return -1;
}

static int is_subchart(const struct helm_chart *c, const char *key)
{
	for (size_t i = 0; i < c->nsub; i++)
		if (!strcmp(c->sub[i]->name, key))
			return 1;
	return 0;
}

/*
 * cJSON_GetObjectItemCaseSensitive over v's entries before stop (NULL: all):
 * the entries coalesce_values appends come from earlier keys of the chart's
 * values, all different from the one looked up (a values mapping has each
 * key once), so a lookup need not go over them: with v's own few keys and
 * a chart's hundred defaults appended, the search stays short.
 */
static cJSON *own_item(const cJSON *v, const char *key, const cJSON *stop)
{
	cJSON *e;

	for (e = v ? v->child : NULL; e && e != stop && e->string; e = e->next)
		if (!strcmp(key, e->string))
			return e;
	return NULL;
}

/*
 * coalesceValues: the chart's defaults under v.  take: the defaults are
 * moved out of the chart's values into v, not copied (the last coalescing
 * of a render: nothing reads a chart's values after it).
 */
static int coalesce_values(const struct helm_chart *c, cJSON *v, int merge, int take, struct gitops_err *err)
{
	cJSON *val, *next, *added = NULL;

	for (val = c->values ? c->values->child : NULL; val; val = next) {
		cJSON *value = own_item(v, val->string, added);
		next = val->next;
		if (value) {
			if (cJSON_IsNull(value) && !merge) {
				cJSON_DeleteItemFromObjectCaseSensitive(v, val->string);
			} else if (cJSON_IsObject(value)) {
				if (!is_table(val)) {
					if (!cJSON_IsNull(val))
						helm_warn(c, "warning: skipped value for %s.%s: Not a table.", c->name, val->string);
					continue;
				}
				if (coalesce_tables(c, value, val, merge || is_subchart(c, val->string), err) < 0)
					return -1;
			}
		} else {
			cJSON *cp = take ? cJSON_DetachItemViaPointer(c->values, val) : cJSON_Duplicate(val, 1);
			if (!cp)
				return gitops_err_oom(err);
			if (take) {
				/* detached: the item and its subtree are v's now (its key copied by cJSON) */
				if (!cJSON_AddItemToObject(v, cp->string, cp)) {
					cJSON_Delete(cp);
					return gitops_err_oom(err);
				}
			} else {
				cJSON_AddItemToObject(v, val->string, cp);
			}
			if (!added)
				added = cp;
		}
	}
	return 0;
}

static int go_t(struct gitops_buf *b, const cJSON *v)
{
	/* fmt's %t of a value that is not a bool */
	char *text = NULL;
	int r;
	if (cJSON_IsBool(v))
		return gitops_buf_addstr(b, cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsString(v))
		return gitops_buf_printf(b, "%%!t(string=%s)", v->valuestring);
	if (cJSON_IsNumber(v)) {
		if (v->type & GITOPS_VALUE_INT)
			return gitops_buf_printf(b, "%%!t(int64=%.0f)", v->valuedouble);
		return gitops_buf_printf(b, "%%!t(float64=%g)", v->valuedouble);
	}
	text = cJSON_PrintUnformatted(v);
	r = gitops_buf_printf(b, "%%!t(%s)", text ? text : "?");
	cJSON_free(text);
	return r;
}

static int coalesce(const struct helm_chart *c, cJSON *dest, int merge, int take, struct gitops_err *err);

static int coalesce_deps(const struct helm_chart *c, cJSON *dest, int merge, int take, struct gitops_err *err)
{
	for (size_t i = 0; i < c->nsub; i++) {
		const struct helm_chart *sub = c->sub[i];
		cJSON *dv = cJSON_GetObjectItemCaseSensitive(dest, sub->name);
		if (!dv) {
			dv = cJSON_CreateObject();
			if (!dv)
				return gitops_err_oom(err);
			cJSON_AddItemToObject(dest, sub->name, dv);
		} else if (!cJSON_IsObject(dv)) {
			struct gitops_buf b = GITOPS_BUF_INIT;
			go_t(&b, dv);
			gitops_err_set(err, GITOPS_EXIT_INPUT, "type mismatch on %s: %s", sub->name, b.data ? b.data : "");
			gitops_buf_release(&b);
			return -1;
		}
		if (coalesce_globals(c, dv, dest, err) < 0 ||
		    coalesce(sub, dv, merge, take == HELM_TAKE_ALL ? take : 0, err) < 0)
			return -1;
	}
	return 0;
}

static int coalesce(const struct helm_chart *c, cJSON *dest, int merge, int take, struct gitops_err *err)
{
	if (coalesce_values(c, dest, merge, take, err) < 0)
		return -1;
	return coalesce_deps(c, dest, merge, take, err);
}

int helm_coalesce_values(cJSON **out, const struct helm_chart *c, const cJSON *vals, int merge, int take,
			 struct gitops_err *err)
{
	cJSON *v = vals ? cJSON_Duplicate(vals, 1) : cJSON_CreateObject();

	*out = NULL;
	if (!v)
		return gitops_err_oom(err);
	if (coalesce(c, v, merge, take, err) < 0) {
		cJSON_Delete(v);
		return -1;
	}
	*out = v;
	return 0;
}

/* --- paths into values --- */

const cJSON *helm_values_table(const cJSON *vals, const char *path)
{
	const cJSON *t = vals;
	const char *p = path;

	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		const cJSON *e;
		if (!cJSON_IsObject(t))
			return NULL;
		for (e = t->child; e; e = e->next)
			if (strlen(e->string) == n && !memcmp(e->string, p, n))
				break;
		if (!e || !cJSON_IsObject(e))
			return NULL;
		t = e;
		if (!dot)
			return t;
		p = dot + 1;
	}
}

/* Values.PathValue: a value that is not a table, or NULL */
static const cJSON *path_value(const cJSON *vals, const char *path)
{
	const char *last = strrchr(path, '.');
	const cJSON *t, *v;

	if (!*path)
		return NULL;
	if (!last) {
		v = cJSON_GetObjectItemCaseSensitive(vals, path);
		return v && !is_table(v) ? v : NULL;
	}
	{
		char *head = strndup(path, (size_t)(last - path));
		if (!head)
			return NULL;
		t = helm_values_table(vals, head);
		free(head);
	}
	if (!t)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(t, last + 1);
	return v && !is_table(v) ? v : NULL;
}

/* pathToMap: data nested under the dotted path ("." is data itself); takes data */
static cJSON *path_to_map(const char *path, cJSON *data)
{
	const char *end;

	if (!strcmp(path, "."))
		return data;
	end = path + strlen(path);
	for (;;) {
		const char *start = end;
		cJSON *m;
		char *key;
		while (start > path && start[-1] != '.')
			start--;
		key = strndup(start, (size_t)(end - start));
		m = cJSON_CreateObject();
		if (!key || !m) {
			free(key);
			cJSON_Delete(m);
			cJSON_Delete(data);
			return NULL;
		}
		cJSON_AddItemToObject(m, key, data);
		free(key);
		data = m;
		if (start == path)
			return data;
		end = start - 1;
	}
}

/* --- dependencies --- */

static void deps_tags(struct helm_chart *c, const cJSON *cvals)
{
	const cJSON *vt = helm_values_table(cvals, "tags");

	if (!vt)
		return;
	for (size_t i = 0; i < c->ndeps; i++) {
		int has_true = 0, has_false = 0;
		const cJSON *k;
		cJSON_ArrayForEach(k, c->deps[i].tags) {
			const cJSON *b;
			if (!cJSON_IsString(k))
				continue;
			b = cJSON_GetObjectItemCaseSensitive(vt, k->valuestring);
			if (cJSON_IsBool(b)) {
				if (cJSON_IsTrue(b))
					has_true = 1;
				else
					has_false = 1;
			} else if (b) {
				helm_warn(c, "Warning: Tag '%s' for chart %s returned non-bool value", k->valuestring,
					  c->deps[i].name ? c->deps[i].name : "");
			}
		}
		if (!has_true && has_false)
			c->deps[i].enabled = 0;
		else
			c->deps[i].enabled = 1;
	}
}

static int deps_conditions(struct helm_chart *c, const cJSON *cvals, const char *cpath, struct gitops_err *err)
{
	for (size_t i = 0; i < c->ndeps; i++) {
		const char *cond = c->deps[i].condition;
		char *copy, *tok, *save = NULL, *start;
		if (!cond)
			continue;
		copy = strdup(cond);
		if (!copy)
			return gitops_err_oom(err);
		/* strings.TrimSpace then Split on ',': each part used as it is */
		start = copy;
		while (*start == ' ' || (*start >= '\t' && *start <= '\r'))
			start++;
		{
			size_t n = strlen(start);
			while (n && (start[n - 1] == ' ' || (start[n - 1] >= '\t' && start[n - 1] <= '\r')))
				start[--n] = 0;
		}
		for (tok = start; tok; tok = save) {
			struct gitops_buf p = GITOPS_BUF_INIT;
			const cJSON *vv;
			save = strchr(tok, ',');
			if (save)
				*save++ = 0;
			if (!*tok)
				continue;
			if (gitops_buf_printf(&p, "%s%s", cpath, tok) < 0) {
				free(copy);
				return gitops_err_oom(err);
			}
			vv = path_value(cvals, p.data);
			gitops_buf_release(&p);
			if (vv && cJSON_IsBool(vv)) {
				c->deps[i].enabled = cJSON_IsTrue(vv);
				break;
			}
			if (vv)
				helm_warn(c, "Warning: Condition path '%s' for chart %s returned non-bool value", tok,
					  c->deps[i].name ? c->deps[i].name : "");
		}
		free(copy);
	}
	return 0;
}

/* getAliasDependency's choice: the first loaded subchart that satisfies dep, or -1 */
static long alias_match(const struct helm_chart *c, const struct helm_dep *dep)
{
	for (size_t i = 0; i < c->nsub; i++) {
		const struct helm_chart *s = c->sub[i];
		const cJSON *v;
		if (strcmp(s->name, dep->name ? dep->name : ""))
			continue;
		v = cJSON_GetObjectItemCaseSensitive(s->meta, "version");
		if (!helm_compatible_range(dep->version, cJSON_IsString(v) ? v->valuestring : ""))
			continue;
		return (long)i;
	}
	return -1;
}

/*
 * A copy of subchart i for one of its uses (uses[i] of them left): the last
 * use takes the subchart itself (c->sub[i] NULL then), the others get deep
 * copies of it, as getAliasDependency's copies are all alike.
 */
static struct helm_chart *sub_for_use(struct helm_chart *c, size_t i, size_t *uses)
{
	struct helm_chart *s = c->sub[i];

	if (--uses[i] == 0) {
		c->sub[i] = NULL;
		return s;
	}
	return helm_chart_clone(s, c);
}

static int push_chart(struct helm_chart ***v, size_t *n, struct helm_chart *c)
{
	struct helm_chart **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -1;
	*v = nv;
	nv[(*n)++] = c;
	return 0;
}

static void set_subs(struct helm_chart *c, struct helm_chart **v, size_t n)
{
	free(c->sub);
	c->sub = v;
	c->nsub = n;
	for (size_t i = 0; i < n; i++)
		v[i]->parent = c;
}

static int dependency_enabled(struct helm_chart *c, const cJSON *v, const char *path, struct gitops_err *err)
{
	struct helm_chart **cds = NULL, **keep = NULL;
	size_t ncds = 0, nkeep = 0, i, j, *uses = NULL;
	long *match = NULL;
	char *unlisted = NULL;
	cJSON *cvals = NULL;
	int ret = -1;

	if (!c->deps_listed)
		return 0;
	/*
	 * Which subchart each use takes, found first on the subcharts as loaded:
	 * the last use of a subchart takes it, the others copy it, so the
	 * common case (each subchart used once) copies nothing.
	 */
	uses = calloc(c->nsub ? c->nsub : 1, sizeof(*uses));
	unlisted = calloc(c->nsub ? c->nsub : 1, sizeof(*unlisted));
	match = calloc(c->ndeps ? c->ndeps : 1, sizeof(*match));
	if (!uses || !unlisted || !match)
		goto oom;
	/* subcharts no entry of Chart.yaml names (with a version they satisfy) stay */
	for (i = 0; i < c->nsub; i++) {
		struct helm_chart *s = c->sub[i];
		const cJSON *ver = cJSON_GetObjectItemCaseSensitive(s->meta, "version");
		int listed = 0;
		for (j = 0; j < c->ndeps && !listed; j++)
			listed = c->deps[j].name && !strcmp(s->name, c->deps[j].name) &&
				 helm_compatible_range(c->deps[j].version, cJSON_IsString(ver) ? ver->valuestring : "");
		unlisted[i] = !listed;
		uses[i] += !listed;
	}
	for (i = 0; i < c->ndeps; i++) {
		match[i] = alias_match(c, &c->deps[i]);
		if (match[i] >= 0)
			uses[match[i]]++;
	}
	for (i = 0; i < c->nsub; i++) {
		if (unlisted[i]) {
			struct helm_chart *cp = sub_for_use(c, i, uses);
			if (!cp || push_chart(&cds, &ncds, cp) < 0) {
				helm_chart_free(cp);
				goto oom;
			}
		}
	}
	for (i = 0; i < c->ndeps; i++) {
		if (match[i] >= 0) {
			struct helm_chart *a = sub_for_use(c, (size_t)match[i], uses);
			if (a && c->deps[i].alias && *c->deps[i].alias) {
				char *n = strdup(c->deps[i].alias);
				if (!n) {
					helm_chart_free(a);
					goto oom;
				}
				free(a->name);
				a->name = n;
			}
			if (!a || push_chart(&cds, &ncds, a) < 0) {
				helm_chart_free(a);
				goto oom;
			}
		}
		if (c->deps[i].alias && *c->deps[i].alias) {
			char *n = strdup(c->deps[i].alias);
			if (!n)
				goto oom;
			free(c->deps[i].name);
			c->deps[i].name = n;
		}
	}
	for (i = 0; i < c->nsub; i++)
		helm_chart_free(c->sub[i]);
	set_subs(c, cds, ncds);
	cds = NULL;
	ncds = 0;
	for (i = 0; i < c->ndeps; i++)
		c->deps[i].enabled = 1;
	if (helm_coalesce_values(&cvals, c, v, 0, 0, err) < 0)
		goto done;
	deps_tags(c, cvals);
	if (deps_conditions(c, cvals, path, err) < 0)
		goto done;
	/* disabled charts removed, from the subcharts and from the metadata */
	for (i = 0; i < c->nsub; i++) {
		int off = 0;
		for (j = 0; j < c->ndeps && !off; j++)
			off = !c->deps[j].enabled && c->deps[j].name && !strcmp(c->deps[j].name, c->sub[i]->name);
		if (off) {
			helm_chart_free(c->sub[i]);
			continue;
		}
		if (push_chart(&keep, &nkeep, c->sub[i]) < 0) {
			/* the rest are still c's */
			for (j = i; j < c->nsub; j++)
				helm_chart_free(c->sub[j]);
			c->nsub = 0;
			goto oom;
		}
	}
	free(c->sub);
	c->sub = NULL;
	c->nsub = 0;
	set_subs(c, keep, nkeep);
	keep = NULL;
	{
		size_t w = 0;
		for (i = 0; i < c->ndeps; i++) {
			int off = 0;
			for (j = 0; j < c->ndeps && !off; j++)
				off = !c->deps[j].enabled && c->deps[j].name && c->deps[i].name &&
				      !strcmp(c->deps[j].name, c->deps[i].name);
			if (off) {
				struct helm_dep *d = &c->deps[i];
				free(d->name);
				free(d->version);
				free(d->repository);
				free(d->condition);
				free(d->alias);
				cJSON_Delete(d->tags);
				cJSON_Delete(d->import_values);
				memset(d, 0, sizeof(*d));
				d->enabled = -1; /* removed */
				continue;
			}
			w++;
		}
		/* compact, keeping order; removed entries are gone */
		j = 0;
		for (i = 0; i < c->ndeps; i++)
			if (c->deps[i].enabled != -1)
				c->deps[j++] = c->deps[i];
		c->ndeps = j;
		(void)w;
		/* Go appends what is left to a nil slice: none left is nil, as never listed */
		if (!c->ndeps)
			c->deps_listed = 0;
	}
	for (i = 0; i < c->nsub; i++) {
		struct gitops_buf sp = GITOPS_BUF_INIT;
		if (gitops_buf_printf(&sp, "%s%s.", path, c->sub[i]->name) < 0)
			goto oom;
		if (dependency_enabled(c->sub[i], cvals, sp.data, err) < 0) {
			gitops_buf_release(&sp);
			goto done;
		}
		gitops_buf_release(&sp);
	}
	ret = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	for (i = 0; i < ncds; i++)
		helm_chart_free(cds[i]);
	free(cds);
	free(keep);
	free(uses);
	free(unlisted);
	free(match);
	cJSON_Delete(cvals);
	return ret;
}

static int import_values(struct helm_chart *c, struct gitops_err *err)
{
	cJSON *cvals = NULL, *b = NULL;
	size_t i;
	int ret = -1;

	for (i = 0; i < c->nsub; i++)
		if (import_values(c->sub[i], err) < 0)
			return -1;
	if (!c->deps_listed)
		return 0;
	/* c's values become cvals: its own defaults move (its subcharts' stay theirs) */
	if (helm_coalesce_values(&cvals, c, NULL, 1, HELM_TAKE_TOP, err) < 0)
		return -1;
	if (!(b = cJSON_CreateObject()))
		goto oom;
	for (i = 0; i < c->ndeps; i++) {
		struct helm_dep *r = &c->deps[i];
		const cJSON *iv;
		cJSON *outiv = NULL;
		/* the metadata keeps each entry as {child, parent} (a string X is {exports.X, .}) */
		cJSON_ArrayForEach(iv, r->import_values) {
			cJSON *o = NULL;
			if (cJSON_IsObject(iv)) {
				const cJSON *ch = cJSON_GetObjectItemCaseSensitive(iv, "child");
				const cJSON *pa = cJSON_GetObjectItemCaseSensitive(iv, "parent");
				if (cJSON_IsString(ch) && cJSON_IsString(pa) && (o = cJSON_CreateObject()) &&
				    (!cJSON_AddStringToObject(o, "child", ch->valuestring) ||
				     !cJSON_AddStringToObject(o, "parent", pa->valuestring))) {
					cJSON_Delete(o);
					o = NULL;
				}
			} else if (cJSON_IsString(iv)) {
				struct gitops_buf p = GITOPS_BUF_INIT;
				if (gitops_buf_printf(&p, "exports.%s", iv->valuestring) == 0 && (o = cJSON_CreateObject()) &&
				    (!cJSON_AddStringToObject(o, "child", p.data) || !cJSON_AddStringToObject(o, "parent", "."))) {
					cJSON_Delete(o);
					o = NULL;
				}
				gitops_buf_release(&p);
			} else {
				continue;
			}
			if (!o || (!outiv && !(outiv = cJSON_CreateArray()))) {
				cJSON_Delete(o);
				cJSON_Delete(outiv);
				goto oom;
			}
			cJSON_AddItemToArray(outiv, o);
		}
		cJSON_ArrayForEach(iv, r->import_values) {
			struct gitops_buf p = GITOPS_BUF_INIT;
			const cJSON *t;
			cJSON *add;
			if (cJSON_IsObject(iv)) {
				const cJSON *child = cJSON_GetObjectItemCaseSensitive(iv, "child");
				const cJSON *parent = cJSON_GetObjectItemCaseSensitive(iv, "parent");
				if (!cJSON_IsString(child) || !cJSON_IsString(parent)) {
					gitops_err_set(err, GITOPS_EXIT_INPUT,
						       "%s: import-values of dependency %s: child and parent must be strings "
						       "(helm panics: interface conversion)",
						       c->name, r->name ? r->name : "");
					cJSON_Delete(outiv);
					goto done;
				}
				if (gitops_buf_printf(&p, "%s.%s", r->name ? r->name : "", child->valuestring) < 0) {
					cJSON_Delete(outiv);
					goto oom;
				}
				t = helm_values_table(cvals, p.data);
				gitops_buf_release(&p);
				if (!t) {
					helm_warn(c, "Warning: ImportValues missing table from chart %s: %s", r->name ? r->name : "",
						  child->valuestring);
					continue;
				}
				add = path_to_map(parent->valuestring, cJSON_Duplicate(t, 1));
			} else if (cJSON_IsString(iv)) {
				if (gitops_buf_printf(&p, "%s.exports.%s", r->name ? r->name : "", iv->valuestring) < 0) {
					cJSON_Delete(outiv);
					goto oom;
				}
				if (!(t = helm_values_table(cvals, p.data)))
					helm_warn(c, "Warning: ImportValues missing table: %s", p.data);
				gitops_buf_release(&p);
				if (!t)
					continue;
				add = cJSON_Duplicate(t, 1);
			} else {
				continue;
			}
			if (!add) {
				cJSON_Delete(outiv);
				goto oom;
			}
			/* MergeTables(b, add): b wins */
			ret = coalesce_tables(c, b, add, 1, err);
			cJSON_Delete(add);
			if (ret < 0) {
				cJSON_Delete(outiv);
				goto done;
			}
			ret = -1;
		}
		if (r->import_values) {
			cJSON_Delete(r->import_values);
			r->import_values = outiv;
		} else {
			cJSON_Delete(outiv);
		}
	}
	/* the parent's values win over what it imports */
	if (coalesce_tables(c, cvals, b, 1, err) < 0)
		goto done;
	cJSON_Delete(c->values);
	c->values = cvals;
	cvals = NULL;
	ret = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	cJSON_Delete(cvals);
	cJSON_Delete(b);
	return ret;
}

int helm_process_dependencies(struct helm_chart *c, const cJSON *vals, struct gitops_err *err)
{
	if (dependency_enabled(c, vals, "", err) < 0)
		return -1;
	return import_values(c, err);
}

/* ValidateAgainstSingleSchema: 1 and the chart's report in b when the values fail (or the schema does not compile) */
static int validate_one(struct gitops_buf *b, const struct helm_chart *c, const cJSON *vals, struct gitops_err *err)
{
	struct gitops_jsonschema *s = NULL;
	struct gitops_buf lines = GITOPS_BUF_INIT;
	struct gitops_err e = GITOPS_ERR_INIT;
	cJSON *empty = NULL;
	int rc;

	rc = gitops_jsonschema_compile_text(&s, c->c->schema, c->c->schema_len, "values.schema.json", NULL, NULL, &e);
	if (rc < 0) {
		/* helm prints the schema's own error under the chart's name, without "- " */
		return gitops_buf_printf(b, "%s:\n%s", c->name, e.msg) < 0 ? gitops_err_oom(err) : 1;
	}
	/* null values validate as {} */
	if (!vals || cJSON_IsNull(vals))
		vals = empty = cJSON_CreateObject();
	rc = vals ? gitops_jsonschema_validate(&lines, s, vals, err) : gitops_err_oom(err);
	if (rc == 1 && (gitops_buf_printf(b, "%s:\n", c->name) < 0 || gitops_buf_add(b, lines.data, lines.len) < 0))
		rc = gitops_err_oom(err);
	gitops_buf_release(&lines);
	gitops_jsonschema_free(s);
	cJSON_Delete(empty);
	return rc;
}

int helm_validate_schemas(struct gitops_buf *b, const struct helm_chart *c, const cJSON *vals, struct gitops_err *err)
{
	int bad = 0, rc;

	if (c->c->schema) {
		rc = validate_one(b, c, vals, err);
		if (rc < 0)
			return -1;
		bad |= rc;
	}
	for (size_t i = 0; i < c->nsub; i++) {
		const cJSON *sv = cJSON_GetObjectItemCaseSensitive(vals, c->sub[i]->name);
		rc = helm_validate_schemas(b, c->sub[i], cJSON_IsObject(sv) ? sv : NULL, err);
		if (rc < 0)
			return -1;
		bad |= rc;
	}
	return bad;
}
