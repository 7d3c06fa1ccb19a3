/*
 * options.c: helm template's options, one at a time, for the programs that take them.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/render/helm/helm.h"

static int push(const char ***v, size_t *n, const char *s, struct gitops_err *err)
{
	const char **nv = realloc((void *)*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return gitops_err_oom(err);
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

/* --api-versions and -f/--values take comma-separated lists too (cobra's StringSlice; --show-only is a StringArray) */
static int push_list(const char ***v, size_t *n, const char *arg, char ***keep, size_t *nkeep,
		     struct gitops_err *err)
{
	const char *p = arg;

	for (;;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		char *s = strndup(p, len), **nk;
		if (!s)
			return gitops_err_oom(err);
		nk = realloc(*keep, (*nkeep + 1) * sizeof(**keep));
		if (!nk) {
			free(s);
			return gitops_err_oom(err);
		}
		*keep = nk;
		nk[(*nkeep)++] = s;
		if (push(v, n, s, err) < 0)
			return -1;
		if (!c)
			return 0;
		p = c + 1;
	}
}

int gitops_helm_option_set(struct gitops_helm_options *o, const char *name, const char *arg, struct gitops_err *err)
{
	static const struct {
		const char *name;
		enum gitops_helm_set_kind kind;
	} sets[] = {
		{ "set", GITOPS_HELM_SET },		{ "set-string", GITOPS_HELM_SET_STRING },
		{ "set-json", GITOPS_HELM_SET_JSON },	{ "set-file", GITOPS_HELM_SET_FILE },
		{ "set-literal", GITOPS_HELM_SET_LITERAL },
	};
	size_t i;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (!strcmp(name, sets[i].name)) {
			struct gitops_helm_set *ns = realloc(o->sets, (o->n_sets + 1) * sizeof(*ns));
			if (!ns)
				return gitops_err_oom(err);
			o->sets = ns;
			ns[o->n_sets].kind = sets[i].kind;
			ns[o->n_sets].arg = arg;
			o->n_sets++;
			return 1;
		}
	if (!strcmp(name, "release") || !strcmp(name, "release-name")) {
		o->release = arg;
		return 1;
	}
	if (!strcmp(name, "namespace")) {
		o->namespace = arg;
		return 1;
	}
	if (!strcmp(name, "values"))
		return push_list(&o->values_files, &o->n_values_files, arg, &o->owned, &o->n_owned, err) < 0 ? -1 : 1;
	if (!strcmp(name, "kube-version")) {
		o->kube_version = arg;
		return 1;
	}
	if (!strcmp(name, "api-versions"))
		return push_list(&o->api_versions, &o->n_api_versions, arg, &o->owned, &o->n_owned, err) < 0 ? -1 : 1;
	if (!strcmp(name, "show-only"))
		return push(&o->show_only, &o->n_show_only, arg, err) < 0 ? -1 : 1;
	if (!strcmp(name, "skip-schema-validation")) {
		o->skip_schema_validation = 1;
		return 1;
	}
	if (!strcmp(name, "dependency-update")) {
		o->dependency_update = 1;
		return 1;
	}
	if (!strcmp(name, "include-crds")) {
		o->include_crds = 1;
		return 1;
	}
	if (!strcmp(name, "skip-crds")) {
		o->include_crds = 0;
		return 1;
	}
	if (!strcmp(name, "skip-tests")) {
		o->skip_tests = 1;
		return 1;
	}
	if (!strcmp(name, "no-hooks")) {
		o->no_hooks = 1;
		return 1;
	}
	if (!strcmp(name, "is-upgrade")) {
		o->is_upgrade = 1;
		return 1;
	}
	return 0;
}

void gitops_helm_options_release(struct gitops_helm_options *o)
{
	free(o->sets);
	free((void *)o->values_files);
	free((void *)o->api_versions);
	free((void *)o->show_only);
	free((void *)o->values_texts);
	free((void *)o->values_text_names);
	o->values_texts = o->values_text_names = NULL;
	o->n_values_texts = 0;
	o->sets = NULL;
	o->values_files = o->api_versions = o->show_only = NULL;
	o->n_sets = o->n_values_files = o->n_api_versions = o->n_show_only = 0;
	for (size_t i = 0; i < o->n_owned; i++)
		free(o->owned[i]);
	free(o->owned);
	o->owned = NULL;
	o->n_owned = 0;
}
