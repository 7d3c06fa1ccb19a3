/*
 * builtins_int.h: what builtins.c, capabilities.c and filesobj.c share (not
 * for other layers or modules): the methods of the built-in objects and
 * small helpers over the engine's values.
 */
#ifndef GITOPS_HELM_BUILTINS_INT_H
#define GITOPS_HELM_BUILTINS_INT_H

#include "lib/render/helm/builtins.h"

/* a method of the table, with the signature gitops_tmpl_fn */
#define HB_FN(name)                                                                                        \
	int name(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,                            \
		 struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)

HB_FN(hb_versionset_has);
HB_FN(hb_kubeversion_string);
HB_FN(hb_files_get);
HB_FN(hb_files_getbytes);
HB_FN(hb_files_glob);
HB_FN(hb_files_lines);
HB_FN(hb_files_asconfig);
HB_FN(hb_files_assecrets);

/* Call function `name` of gitops_tmpl_funcs_table (one that needs no call: toYaml, semver). */
int hb_call(const char *name, struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, size_t n,
	    struct gitops_err *err);
/* Set a struct's field key to val (taken): 0, or -1 when out of memory (val freed). */
int hb_set(struct gitops_tmpl_value *st, const char *key, struct gitops_tmpl_value *val);
/* Set a struct's declared fields (GITOPS_TMPL_FIELDS) from a NULL-ended list: 0 or -1 (out of memory). */
int hb_fields(struct gitops_tmpl_value *st, const char *const *fields);

#endif
