/*
 * reflect.c: Sprig's reflection family (typeOf, kindOf, kindIs, typeIs,
 * typeIsLike, deepEqual) and the two helpers other families use: Go's
 * reflect.Kind name of a value and reflect.DeepEqual.
 */
#include <string.h>

#include "lib/template/funcs/funcs_int.h"

const char *fn_kind_name(const struct gitops_tmpl_value *v)
{
	if (tmpl_named_int(v)) /* time.Month, time.Weekday: int; time.Duration: int64 */
		return strcmp(v->u.map.type_name, "time.Duration") ? "int" : "int64";
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_NIL:
		return "invalid";
	case GITOPS_TMPL_BOOL:
		return "bool";
	case GITOPS_TMPL_INT:
		return "int";
	case GITOPS_TMPL_INT64:
		return "int64";
	case GITOPS_TMPL_UINT8:
		return "uint8";
	case GITOPS_TMPL_UINT64:
		return "uint64";
	case GITOPS_TMPL_FLOAT64:
		return "float64";
	case GITOPS_TMPL_COMPLEX128:
		return "complex128";
	case GITOPS_TMPL_STRING:
		return "string";
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		return "slice";
	case GITOPS_TMPL_MAP:
		if (v->u.map.is_struct)
			return v->u.map.type_name && v->u.map.type_name[0] == '*' ? "ptr" : "struct";
		return "map";
	}
	return "invalid";
}

int fn_deep_equal(const struct gitops_tmpl_value *a, const struct gitops_tmpl_value *b)
{
	size_t i;

	if (gitops_tmpl_value_kind(a) == GITOPS_TMPL_NIL || gitops_tmpl_value_kind(b) == GITOPS_TMPL_NIL)
		return gitops_tmpl_value_kind(a) == gitops_tmpl_value_kind(b);
	if (a->kind != b->kind || strcmp(gitops_tmpl_value_type_name(a), gitops_tmpl_value_type_name(b)))
		return 0;
	switch (a->kind) {
	case GITOPS_TMPL_BOOL:
		return a->u.b == b->u.b;
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8:
	case GITOPS_TMPL_UINT64:
		return a->u.i == b->u.i;
	case GITOPS_TMPL_FLOAT64:
		return a->u.f == b->u.f;
	case GITOPS_TMPL_COMPLEX128:
		return a->u.c.re == b->u.c.re && a->u.c.im == b->u.c.im;
	case GITOPS_TMPL_STRING:
		return a->u.str.len == b->u.str.len && !memcmp(a->u.str.s, b->u.str.s, a->u.str.len);
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		if (a->go_nil != b->go_nil)
			return 0; /* a nil slice is no empty one */
		if (a == b)
			return 1;
		if (a->u.list.n != b->u.list.n)
			return 0;
		for (i = 0; i < a->u.list.n; i++)
			if (!fn_deep_equal(a->u.list.items[i], b->u.list.items[i]))
				return 0;
		return 1;
	case GITOPS_TMPL_MAP:
		if (a->go_nil != b->go_nil)
			return 0;
		if (a == b)
			return 1;
		if (a->u.map.n != b->u.map.n)
			return 0;
		for (i = 0; i < a->u.map.n; i++)
			if (tmpl_keycmp(a->u.map.e[i].key, a->u.map.e[i].klen, b->u.map.e[i].key, b->u.map.e[i].klen) ||
			    !fn_deep_equal(a->u.map.e[i].val, b->u.map.e[i].val))
				return 0;
		return 1;
	default:
		return 0;
	}
}

static int ret_bool(struct gitops_tmpl_value **out, int b, struct gitops_err *err)
{
	*out = gitops_tmpl_value_bool(b);
	return *out ? 0 : gitops_err_oom(err);
}

/* typeOf: fmt's %T */
FN(f_type_of)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_tmpl_value *v = args[0];

	(void)call, (void)n;
	if (gitops_buf_add(&b, "", 0) < 0 || tmpl_fmt_printf(&b, "%T", 2, &v, 1) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

FN(f_kind_of)
{
	const char *k = fn_kind_name(args[0]);

	(void)call, (void)n;
	return fn_ret_str(out, k, strlen(k), err);
}

FN(f_kind_is)
{
	size_t len;
	const char *t = gitops_tmpl_value_str(args[0], &len), *k = fn_kind_name(args[1]);

	(void)call, (void)n;
	return ret_bool(out, strlen(k) == len && !memcmp(k, t, len), err);
}

static int type_is(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, int like,
		   struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_tmpl_value *v = args[1];
	size_t len;
	const char *t = gitops_tmpl_value_str(args[0], &len);
	int r;

	if (gitops_buf_add(&b, "", 0) < 0 || tmpl_fmt_printf(&b, "%T", 2, &v, 1) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	r = (b.len == len && !memcmp(b.data, t, len)) ||
	    (like && b.len == len + 1 && b.data[0] == '*' && !memcmp(b.data + 1, t, len));
	gitops_buf_release(&b);
	return ret_bool(out, r, err);
}

FN(f_type_is)
{
	(void)call, (void)n;
	return type_is(out, args, 0, err);
}

FN(f_type_is_like)
{
	(void)call, (void)n;
	return type_is(out, args, 1, err);
}

FN(f_deep_equal)
{
	(void)call, (void)n;
	return ret_bool(out, fn_deep_equal(args[0], args[1]), err);
}

#define A GITOPS_TMPL_P_ANY
#define S GITOPS_TMPL_P_STRING
const struct gitops_tmpl_func gitops_tmpl_funcs_reflect[] = {
	{ "typeOf", f_type_of, 1, 0, { A }, NULL },
	{ "kindOf", f_kind_of, 1, 0, { A }, NULL },
	{ "kindIs", f_kind_is, 2, 0, { S, A }, NULL },
	{ "typeIs", f_type_is, 2, 0, { S, A }, NULL },
	{ "typeIsLike", f_type_is_like, 2, 0, { S, A }, NULL },
	{ "deepEqual", f_deep_equal, 2, 0, { A, A }, NULL },
};
const size_t gitops_tmpl_funcs_reflect_n = sizeof(gitops_tmpl_funcs_reflect) / sizeof(gitops_tmpl_funcs_reflect[0]);
