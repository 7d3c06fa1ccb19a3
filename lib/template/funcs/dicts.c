/*
 * dicts.c: Sprig's dict family (sprig v3.3 dict.go): dict, get, set, unset,
 * hasKey, pluck, keys, values, pick, omit, dig.  set and unset change the
 * map they are given, as in Go (maps are references).  keys and values
 * come in Go's map order, which is random: here each map's sorted order,
 * one of Go's possible orders (charts sort them with sortAlpha).
 */
#include <string.h>

#include "lib/template/funcs/funcs_int.h"

#define FN(name) \
	static int name(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, \
			struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)

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
	if (!v || gitops_tmpl_map_set(args[0], k, kl, v) < 0)
		return gitops_err_oom(err);
	*out = gitops_tmpl_value_ref(args[0]);
	return 0;
}

FN(f_unset)
{
	size_t kl;
	const char *k = gitops_tmpl_value_str(args[1], &kl);

	(void)call, (void)n, (void)err;
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
};
const size_t gitops_tmpl_funcs_dicts_n = sizeof(gitops_tmpl_funcs_dicts) / sizeof(gitops_tmpl_funcs_dicts[0]);
