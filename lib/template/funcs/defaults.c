/*
 * defaults.c: Sprig's defaults family: default, empty, coalesce, all, any,
 * ternary (sprig v3.3 defaults.go), on Sprig's empty().
 */
#include "lib/template/funcs/funcs_int.h"

static int ret(struct gitops_tmpl_value **out, struct gitops_tmpl_value *v, struct gitops_err *err)
{
	(void)err;
	*out = v ? gitops_tmpl_value_ref(v) : NULL;
	return 0;
}

static int ret_bool(struct gitops_tmpl_value **out, int b, struct gitops_err *err)
{
	*out = gitops_tmpl_value_bool(b);
	return *out ? 0 : gitops_err_oom(err);
}

/* default DEFAULT [GIVEN]: GIVEN unless it is empty (or missing) */
FN(f_default)
{
	(void)call;
	if (n < 2 || fn_empty(args[1]))
		return ret(out, args[0], err);
	return ret(out, args[1], err);
}

FN(f_empty)
{
	(void)call, (void)n;
	return ret_bool(out, fn_empty(args[0]), err);
}

FN(f_coalesce)
{
	size_t i;

	(void)call;
	for (i = 0; i < n; i++)
		if (!fn_empty(args[i]))
			return ret(out, args[i], err);
	*out = NULL;
	return 0;
}

FN(f_all)
{
	size_t i;

	(void)call;
	for (i = 0; i < n; i++)
		if (fn_empty(args[i]))
			return ret_bool(out, 0, err);
	return ret_bool(out, 1, err);
}

FN(f_any)
{
	size_t i;

	(void)call;
	for (i = 0; i < n; i++)
		if (!fn_empty(args[i]))
			return ret_bool(out, 1, err);
	return ret_bool(out, 0, err);
}

/* ternary TRUE FALSE COND */
FN(f_ternary)
{
	(void)call, (void)n;
	return ret(out, gitops_tmpl_value_bool_of(args[2]) ? args[0] : args[1], err);
}

const struct gitops_tmpl_func gitops_tmpl_funcs_defaults[] = {
	{ "default", f_default, 1, 1, { GITOPS_TMPL_P_ANY, GITOPS_TMPL_P_ANY }, NULL },
	{ "empty", f_empty, 1, 0, { GITOPS_TMPL_P_ANY }, NULL },
	{ "coalesce", f_coalesce, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	{ "all", f_all, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	{ "any", f_any, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	{ "ternary", f_ternary, 3, 0, { GITOPS_TMPL_P_ANY, GITOPS_TMPL_P_ANY, GITOPS_TMPL_P_BOOL }, NULL },
};
const size_t gitops_tmpl_funcs_defaults_n = sizeof(gitops_tmpl_funcs_defaults) / sizeof(gitops_tmpl_funcs_defaults[0]);
