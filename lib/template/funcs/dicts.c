/*
 * dicts.c: Sprig's dict family (sprig v3.3 dict.go): dict, get, set, unset,
 * hasKey, pluck, keys, values, pick, omit, dig, merge, mergeOverwrite (and
 * their must* forms, on mergo v1.0.1), deepCopy, mustDeepCopy.  set, unset
 * and merge change the map they are given, as in Go (maps are references).  keys and values
 * come in Go's map order, which is random: here each map's sorted order,
 * one of Go's possible orders (charts sort them with sortAlpha).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/template/funcs/funcs_int.h"

static struct gitops_tmpl_value *ref_or_nil(struct gitops_tmpl_value *v)
{
	return v ? gitops_tmpl_value_ref(v) : gitops_tmpl_value_nil();
}

/* dict K V K V ...: keys by strval, a missing last value "" */
FN(f_dict)
{
	struct gitops_tmpl_value *m = gitops_tmpl_value_map(NULL), *v;
	struct gitops_buf k = GITOPS_BUF_INIT;
	size_t i;

	(void)call;
	if (!m)
		return gitops_err_oom(err);
	for (i = 0; i < n; i += 2) {
		k.len = 0;
		if (gitops_buf_add(&k, "", 0) < 0 || fn_strval(&k, args[i]) < 0)
			goto oom;
		v = i + 1 < n ? ref_or_nil(args[i + 1]) : gitops_tmpl_value_cstring("");
		if (!v || gitops_tmpl_map_set(m, k.data, k.len, v) < 0)
			goto oom;
	}
	gitops_buf_release(&k);
	*out = m;
	return 0;
oom:
	gitops_buf_release(&k);
	gitops_tmpl_value_unref(m);
	return gitops_err_oom(err);
}

/* get MAP KEY: its value, or "" */
FN(f_get)
{
	size_t kl;
	const char *k = gitops_tmpl_value_str(args[1], &kl);
	struct gitops_tmpl_value *v = gitops_tmpl_map_get(args[0], k, kl);

	(void)call, (void)n;
	v = v ? gitops_tmpl_value_ref(v) : gitops_tmpl_value_cstring("");
	if (!v)
		return gitops_err_oom(err);
	*out = v;
	return 0;
}

FN(f_set)
{
	size_t kl;
	const char *k = gitops_tmpl_value_str(args[1], &kl);
	struct gitops_tmpl_value *v = ref_or_nil(args[2]);

	(void)call, (void)n;
	if (gitops_tmpl_value_kind(args[0]) == GITOPS_TMPL_NIL || gitops_tmpl_value_is_nil_of(args[0])) {
		/* a nil map[string]interface {}: Go panics on the assignment */
		gitops_tmpl_value_unref(v);
		return fn_fail(err, "assignment to entry in nil map");
	}
	if (v && fn_holds(v, args[0], 0)) {
		gitops_tmpl_value_unref(v);
		return fn_fail(err, "%s", FN_CYCLE_MSG);
	}
	if (!v || gitops_tmpl_map_set(args[0], k, kl, v) < 0)
		return gitops_err_oom(err);
	*out = gitops_tmpl_value_ref(args[0]);
	return 0;
}

FN(f_unset)
{
	size_t kl;
	const char *k = gitops_tmpl_value_str(args[1], &kl);

	(void)call, (void)n;
	if (gitops_tmpl_value_kind(args[0]) == GITOPS_TMPL_NIL) {
		/* a nil map[string]interface {}: delete is a no-op, and it prints map[] */
		*out = gitops_tmpl_value_map(NULL);
		return *out ? 0 : gitops_err_oom(err);
	}
	gitops_tmpl_map_delete(args[0], k, kl);
	*out = gitops_tmpl_value_ref(args[0]);
	return 0;
}

FN(f_has_key)
{
	size_t kl;
	const char *k = gitops_tmpl_value_str(args[1], &kl);

	(void)call, (void)n;
	*out = gitops_tmpl_value_bool(gitops_tmpl_map_get(args[0], k, kl) != NULL);
	return *out ? 0 : gitops_err_oom(err);
}

/* pluck KEY MAP...: the values of KEY in the maps that have it */
FN(f_pluck)
{
	size_t kl, i;
	const char *k = gitops_tmpl_value_str(args[0], &kl);
	struct gitops_tmpl_value *l = gitops_tmpl_value_list(GITOPS_TMPL_LIST), *v;

	(void)call;
	if (!l)
		return gitops_err_oom(err);
	for (i = 1; i < n; i++)
		if ((v = gitops_tmpl_map_get(args[i], k, kl)) != NULL && gitops_tmpl_list_push(l, gitops_tmpl_value_ref(v)) < 0) {
			gitops_tmpl_value_unref(l);
			return gitops_err_oom(err);
		}
	tmpl_set_append_cap(l, 0); /* appended to []T{} */
	*out = l;
	return 0;
}

/* keys MAP...: []string; values MAP: []interface {} */
FN(f_keys)
{
	struct gitops_tmpl_value *l = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST), *s;
	size_t i, k;

	(void)call;
	if (!l)
		return gitops_err_oom(err);
	for (i = 0; i < n; i++)
		for (k = 0; k < gitops_tmpl_value_len(args[i]); k++) {
			size_t kl;
			const char *key = gitops_tmpl_value_key(args[i], k, &kl);
			if (!(s = gitops_tmpl_value_string(key, kl)) || gitops_tmpl_list_push(l, s) < 0) {
				gitops_tmpl_value_unref(l);
				return gitops_err_oom(err);
			}
		}
	tmpl_set_append_cap(l, 0); /* appended to []T{} */
	*out = l;
	return 0;
}

FN(f_values)
{
	struct gitops_tmpl_value *l = gitops_tmpl_value_list(GITOPS_TMPL_LIST), *v;
	size_t k;

	(void)call, (void)n;
	if (!l)
		return gitops_err_oom(err);
	for (k = 0; k < gitops_tmpl_value_len(args[0]); k++)
		if (!(v = ref_or_nil(gitops_tmpl_value_item(args[0], k))) || gitops_tmpl_list_push(l, v) < 0) {
			gitops_tmpl_value_unref(l);
			return gitops_err_oom(err);
		}
	tmpl_set_append_cap(l, 0); /* appended to []T{} */
	*out = l;
	return 0;
}

/* pick MAP KEY... (keep) / omit MAP KEY... (drop): a new map */
static int pick_omit(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, size_t n, int keep,
		     struct gitops_err *err)
{
	struct gitops_tmpl_value *m = gitops_tmpl_value_map(NULL), *src = args[0];
	size_t k, i;

	if (!m)
		return gitops_err_oom(err);
	for (k = 0; k < gitops_tmpl_value_len(src); k++) {
		size_t kl;
		const char *key = gitops_tmpl_value_key(src, k, &kl);
		int listed = 0;
		for (i = 1; i < n && !listed; i++) {
			size_t al;
			const char *a = gitops_tmpl_value_str(args[i], &al);
			listed = al == kl && !memcmp(a, key, kl);
		}
		if (listed == keep &&
		    gitops_tmpl_map_set(m, key, kl, ref_or_nil(gitops_tmpl_value_item(src, k))) < 0) {
			gitops_tmpl_value_unref(m);
			return gitops_err_oom(err);
		}
	}
	*out = m;
	return 0;
}

FN(f_pick)
{
	(void)call;
	return pick_omit(out, args, n, 1, err);
}

FN(f_omit)
{
	(void)call;
	return pick_omit(out, args, n, 0, err);
}

/* Go's failed type assertion x.(T) */
static int assertion(struct gitops_err *err, const struct gitops_tmpl_value *v, const char *want)
{
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL)
		return fn_fail(err, "interface conversion: interface {} is nil, not %s", want);
	return fn_fail(err, "interface conversion: interface {} is %s, not %s", gitops_tmpl_value_type_name(v), want);
}

static int is_plain_map(const struct gitops_tmpl_value *v)
{
	return gitops_tmpl_value_kind(v) == GITOPS_TMPL_MAP && !v->u.map.type_name;
}

/* dig KEY... DEFAULT MAP: the value at the path, or DEFAULT where a key is missing */
FN(f_dig)
{
	struct gitops_tmpl_value *m, *step;
	size_t i;

	(void)call;
	if (n < 3)
		return fn_fail(err, "dig needs at least three arguments");
	m = args[n - 1];
	if (!is_plain_map(m))
		return assertion(err, m, "map[string]interface {}");
	for (i = 0; i < n - 2; i++)
		if (gitops_tmpl_value_kind(args[i]) != GITOPS_TMPL_STRING)
			return assertion(err, args[i], "string");
	for (i = 0; i < n - 2; i++) {
		size_t kl;
		const char *k = gitops_tmpl_value_str(args[i], &kl);
		step = gitops_tmpl_map_get(m, k, kl);
		if (!step) {
			*out = args[n - 2] ? gitops_tmpl_value_ref(args[n - 2]) : NULL;
			return 0;
		}
		if (i == n - 3) {
			*out = gitops_tmpl_value_ref(step);
			return 0;
		}
		if (!is_plain_map(step))
			return assertion(err, step, "map[string]interface {}");
		m = step;
	}
	*out = NULL;
	return 0;
}

/* how deep merge and deepCopy go into nested values: a bound of ours (Go's is its stack) */
#define MAX_DEPTH 100000

static int too_deep(struct gitops_err *err, const char *what)
{
	return fn_fail(err, "%s: values nested deeper than %d levels", what, MAX_DEPTH);
}

/* a map of Go's map kind (not a struct's fields) */
static int is_map(const struct gitops_tmpl_value *v)
{
	return gitops_tmpl_value_kind(v) == GITOPS_TMPL_MAP && !v->u.map.is_struct;
}

static int is_slice(const struct gitops_tmpl_value *v)
{
	return gitops_tmpl_value_kind(v) == GITOPS_TMPL_LIST || gitops_tmpl_value_kind(v) == GITOPS_TMPL_STRLIST;
}

/* map[string]string (split's): its values must be strings */
static int is_string_map(const struct gitops_tmpl_value *v)
{
	return v->u.map.type_name && !strcmp(v->u.map.type_name, "map[string]string");
}

/* mergo's isEmptyValue, through the interface: nil, false, 0, "", empty map or list (a complex number never) */
static int mergo_empty(const struct gitops_tmpl_value *v)
{
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_COMPLEX128:
		return 0;
	case GITOPS_TMPL_MAP:
		return !v->u.map.is_struct && v->u.map.n == 0;
	default:
		return fn_empty(v);
	}
}

/* reflect's SetMapIndex: takes a reference to v (NULL: nil) of the static type vtype */
static int map_store(struct gitops_tmpl_value *d, const char *key, size_t klen, struct gitops_tmpl_value *v,
		     const char *vtype, struct gitops_err *err)
{
	if (is_string_map(d) && strcmp(vtype, "string"))
		return fn_fail(err, "reflect.Value.SetMapIndex: value of type %s is not assignable to type string", vtype);
	if (fn_holds(v, d, 0))
		return fn_fail(err, "%s", FN_CYCLE_MSG);
	if (gitops_tmpl_map_set(d, key, klen, ref_or_nil(v)) < 0)
		return gitops_err_oom(err);
	return 0;
}

struct snap {
	char *key;
	size_t klen;
	struct gitops_tmpl_value *val;
};

/*
 * mergo's deepMerge of two maps (dario.cat/mergo v1.0.1, as Sprig calls it),
 * dst changed in place.  For each key of src: a nil value is set only when
 * overwriting; a map merges into dst's map there (in place), or replaces a
 * dst value that is empty (or any, when overwriting); a list replaces an
 * empty dst value (any, when overwriting: lists are never merged); any
 * other value replaces an empty dst value, or any when overwriting, even
 * with an empty one.  Values are shared, not copied, as in Go.
 */
static int merge_map(struct gitops_tmpl_value *dst, struct gitops_tmpl_value *src, int over, size_t depth,
		     struct gitops_err *err)
{
	const char *stype = is_string_map(src) ? "string" : "interface {}";
	struct snap *e = NULL;
	size_t i, cnt = src->u.map.n;
	int r = -1;

	if (depth > MAX_DEPTH)
		return too_deep(err, "merge");
	/* src may change under us (it can be dst, or inside it): its entries as they are now */
	if (cnt && !(e = calloc(cnt, sizeof(*e))))
		return gitops_err_oom(err);
	for (i = 0; i < cnt; i++) {
		e[i].klen = src->u.map.e[i].klen;
		e[i].val = src->u.map.e[i].val ? gitops_tmpl_value_ref(src->u.map.e[i].val) : NULL;
		if (!(e[i].key = malloc(e[i].klen + 1))) {
			gitops_err_oom(err);
			goto done;
		}
		memcpy(e[i].key, src->u.map.e[i].key, e[i].klen + 1);
	}
	for (i = 0; i < cnt; i++) {
		struct gitops_tmpl_value *s = e[i].val, *d = gitops_tmpl_map_get(dst, e[i].key, e[i].klen);
		int rc = 0;
		if (!s || gitops_tmpl_value_kind(s) == GITOPS_TMPL_NIL) {
			if (over && map_store(dst, e[i].key, e[i].klen, NULL, stype, err) < 0)
				goto done;
			continue;
		}
		if (d)
			gitops_tmpl_value_ref(d);
		if (is_map(s)) {
			if (d && is_map(d))
				rc = merge_map(d, s, over, depth + 1, err);
		} else if (is_slice(s)) {
			/* mergo stores a list back: dst's own (or a new empty one), or src's when overwriting or dst is empty */
			struct gitops_tmpl_value *ds = NULL;
			int fresh = !d || gitops_tmpl_value_kind(d) == GITOPS_TMPL_NIL;
			if (over || dst->u.map.n == 0)
				ds = gitops_tmpl_value_ref(s);
			else if (fresh)
				ds = gitops_tmpl_value_named_list(s->kind, s->u.list.type_name);
			else
				ds = gitops_tmpl_value_ref(d);
			if (!ds)
				rc = gitops_err_oom(err);
			else
				rc = map_store(dst, e[i].key, e[i].klen, ds, gitops_tmpl_value_type_name(ds), err);
			gitops_tmpl_value_unref(ds);
		}
		if (rc == 0 && !(d && !mergo_empty(d) && (is_slice(s) || (is_map(s) && is_map(d)))) &&
		    (over || !d || mergo_empty(d)))
			rc = map_store(dst, e[i].key, e[i].klen, s, stype, err);
		gitops_tmpl_value_unref(d);
		if (rc < 0)
			goto done;
	}
	r = 0;
done:
	for (i = 0; i < cnt; i++) {
		free(e[i].key);
		gitops_tmpl_value_unref(e[i].val);
	}
	free(e);
	return r;
}

/* merge DST SRC...: mergo.Merge(&DST, SRC) for each; DST changed and returned (a nil DST: a new map) */
static int merge(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, size_t n, int over,
		 struct gitops_err *err)
{
	struct gitops_tmpl_value *dst = args[0];
	size_t i;

	dst = gitops_tmpl_value_kind(dst) == GITOPS_TMPL_NIL ? gitops_tmpl_value_map(NULL) : gitops_tmpl_value_ref(dst);
	if (!dst)
		return gitops_err_oom(err);
	for (i = 1; i < n; i++) {
		if (gitops_tmpl_value_kind(args[i]) != GITOPS_TMPL_MAP)
			continue;
		if (dst->go_nil && !args[i]->go_nil) {
			/* mergo makes a nil DST a new map (the caller's stays nil) when a SRC is not nil */
			gitops_tmpl_value_unref(dst);
			if (!(dst = gitops_tmpl_value_map(NULL)))
				return gitops_err_oom(err);
		}
		if (merge_map(dst, args[i], over, 0, err) < 0) {
			gitops_tmpl_value_unref(dst);
			return -1;
		}
	}
	*out = dst;
	return 0;
}

FN(f_merge)
{
	(void)call;
	return merge(out, args, n, 0, err);
}

FN(f_merge_overwrite)
{
	(void)call;
	return merge(out, args, n, 1, err);
}

/* copystructure.Copy: maps and lists copied (their types kept), everything else shared (it never changes) */
static int deep_copy(struct gitops_tmpl_value **out, struct gitops_tmpl_value *v, size_t depth, struct gitops_err *err)
{
	struct gitops_tmpl_value *c = NULL, *item;
	size_t i;

	if (depth > MAX_DEPTH)
		return too_deep(err, "deepCopy");
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_MAP:
		c = v->u.map.is_struct ? gitops_tmpl_value_struct(v->u.map.type_name) : gitops_tmpl_value_map(v->u.map.type_name);
		if (!c)
			return gitops_err_oom(err);
		for (i = 0; i < v->u.map.n; i++) {
			if (deep_copy(&item, v->u.map.e[i].val, depth + 1, err) < 0)
				goto fail;
			if (gitops_tmpl_map_set(c, v->u.map.e[i].key, v->u.map.e[i].klen, item) < 0)
				goto oom;
		}
		break;
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		if (!(c = gitops_tmpl_value_named_list(v->kind, v->u.list.type_name)))
			return gitops_err_oom(err);
		for (i = 0; i < v->u.list.n; i++) {
			if (deep_copy(&item, v->u.list.items[i], depth + 1, err) < 0)
				goto fail;
			if (gitops_tmpl_list_push(c, item) < 0)
				goto oom;
		}
		c->u.list.gocap = tmpl_go_cap(v); /* MakeSlice(type, len, cap): the items past len zero */
		break;
	default:
		c = ref_or_nil(v);
		if (!c)
			return gitops_err_oom(err);
	}
	if (gitops_tmpl_value_is_nil_of(v))
		c->go_nil = 1; /* copystructure keeps a nil slice or map nil */
	*out = c;
	return 0;
oom:
	gitops_err_oom(err);
fail:
	gitops_tmpl_value_unref(c);
	return -1;
}

/* deepCopy V: a copy of V's maps and lists; nil is reflect's panic */
FN(f_deep_copy)
{
	(void)call, (void)n;
	if (gitops_tmpl_value_kind(args[0]) == GITOPS_TMPL_NIL)
		return fn_fail(err, "reflect: call of reflect.Value.Type on zero Value");
	return deep_copy(out, args[0], 0, err);
}

#define A GITOPS_TMPL_P_ANY
#define M GITOPS_TMPL_P_MAP
#define S GITOPS_TMPL_P_STRING
const struct gitops_tmpl_func gitops_tmpl_funcs_dicts[] = {
	{ "dict", f_dict, 0, 1, { A }, NULL },
	{ "get", f_get, 2, 0, { M, S }, NULL },
	{ "set", f_set, 3, 0, { M, S, A }, NULL },
	{ "unset", f_unset, 2, 0, { M, S }, NULL },
	{ "hasKey", f_has_key, 2, 0, { M, S }, NULL },
	{ "pluck", f_pluck, 1, 1, { S, M }, NULL },
	{ "keys", f_keys, 0, 1, { M }, NULL },
	{ "values", f_values, 1, 0, { M }, NULL },
	{ "pick", f_pick, 1, 1, { M, S }, NULL },
	{ "omit", f_omit, 1, 1, { M, S }, NULL },
	{ "dig", f_dig, 0, 1, { A }, NULL },
	{ "merge", f_merge, 1, 1, { M, M }, NULL },
	{ "mustMerge", f_merge, 1, 1, { M, M }, NULL },
	{ "mergeOverwrite", f_merge_overwrite, 1, 1, { M, M }, NULL },
	{ "mustMergeOverwrite", f_merge_overwrite, 1, 1, { M, M }, NULL },
	{ "deepCopy", f_deep_copy, 1, 0, { A }, NULL },
	{ "mustDeepCopy", f_deep_copy, 1, 0, { A }, NULL },
};
const size_t gitops_tmpl_funcs_dicts_n = sizeof(gitops_tmpl_funcs_dicts) / sizeof(gitops_tmpl_funcs_dicts[0]);
