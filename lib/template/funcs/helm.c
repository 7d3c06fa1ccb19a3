/*
 * helm.c: Helm's own functions (pkg/engine/funcs.go, engine.go), those that
 * need no chart: fail, required.  Their errors carry HELM[MESSAGE]HELM, as
 * Helm's do (funcs.h says what the renderer makes of them).
 */
#include "lib/template/funcs/funcs_int.h"

/* fail MESSAGE: always an error */
static int f_fail(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		  size_t n, struct gitops_err *err)
{
	size_t len;
	const char *msg = gitops_tmpl_value_str(args[0], &len);

	(void)out, (void)call, (void)n;
	return fn_fail(err, "HELM[%.*s]HELM", (int)len, msg);
}

/* required MESSAGE VALUE: VALUE, unless it is nil or "" */
static int f_required(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,
		      struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)
{
	size_t len;
	const char *msg = gitops_tmpl_value_str(args[0], &len);
	struct gitops_tmpl_value *v = args[1];

	(void)call, (void)n;
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL ||
	    (gitops_tmpl_value_kind(v) == GITOPS_TMPL_STRING && gitops_tmpl_value_len(v) == 0))
		return fn_fail(err, "HELM[%.*s]HELM", (int)len, msg);
	*out = gitops_tmpl_value_ref(v);
	return 0;
}

const struct gitops_tmpl_func gitops_tmpl_funcs_helm[] = {
	{ "fail", f_fail, 1, 0, { GITOPS_TMPL_P_STRING }, NULL },
	{ "required", f_required, 2, 0, { GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_ANY }, NULL },
};
const size_t gitops_tmpl_funcs_helm_n = sizeof(gitops_tmpl_funcs_helm) / sizeof(gitops_tmpl_funcs_helm[0]);
