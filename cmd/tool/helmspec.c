/*
 * helmspec.c: gitops-fetch's --helm-* options into spec.helm (helmspec.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/tool/helmspec.h"
#include "lib/base/buf.h"
#include "lib/k8s/source.h"
#include "lib/yaml/yaml.h"

/* An item of helm's list `key` (made when missing); -1 when out of memory */
static int helm_add(cJSON *helm, const char *key, cJSON *item)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(helm, key);

	if (!item || (!list && !(list = cJSON_AddArrayToObject(helm, key)))) {
		cJSON_Delete(item);
		return -1;
	}
	cJSON_AddItemToArray(list, item);
	return 0;
}

int gitops_helmspec_option(cJSON **helm, const char *flag, const char *arg, struct gitops_err *err)
{
	static const struct {
		const char *flag, *field;
	} scalars[] = {
		{ "helm-release", "releaseName" },
		{ "helm-namespace", "namespace" },
		{ "helm-kube-version", "kubeVersion" },
	};
	const char *eq = arg ? strchr(arg, '=') : NULL;
	int set = !strcmp(flag, "helm-set"), set_string = !strcmp(flag, "helm-set-string"),
	    set_file = !strcmp(flag, "helm-set-file");
	cJSON *p = NULL;
	size_t i;
	int rc = 0;

	if (!*helm && !(*helm = cJSON_CreateObject()))
		return gitops_err_oom(err);
	for (i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (!strcmp(scalars[i].flag, flag)) {
			if (!arg || !*arg)
				return gitops_err_set(err, GITOPS_EXIT_USAGE, "--%s needs a value", flag);
			cJSON_DeleteItemFromObjectCaseSensitive(*helm, scalars[i].field);
			rc = cJSON_AddStringToObject(*helm, scalars[i].field, arg) ? 0 : -1;
			goto done;
		}
	if (!strcmp(flag, "helm-values") || !strcmp(flag, "helm-api-versions")) {
		if (!arg || !*arg)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--%s needs a value", flag);
		rc = helm_add(*helm, !strcmp(flag, "helm-values") ? "valueFiles" : "apiVersions", cJSON_CreateString(arg));
	} else if (set || set_string || set_file) {
		char *name;
		int ok;
		if (!eq || eq == arg)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--%s '%s': NAME=%s expected", flag, arg ? arg : "",
					      set_file ? "FILE" : "VALUE");
		if (!(p = cJSON_CreateObject()))
			return gitops_err_oom(err);
		name = strndup(arg, (size_t)(eq - arg));
		ok = name && cJSON_AddStringToObject(p, "name", name) &&
		     cJSON_AddStringToObject(p, set_file ? "path" : "value", eq + 1) &&
		     (!set_string || cJSON_AddTrueToObject(p, "forceString"));
		free(name);
		if (!ok) {
			cJSON_Delete(p);
			return gitops_err_oom(err);
		}
		rc = helm_add(*helm, set_file ? "fileParameters" : "parameters", p);
	} else if (!strcmp(flag, "helm-skip-crds") || !strcmp(flag, "helm-skip-tests")) {
		const char *field = !strcmp(flag, "helm-skip-crds") ? "skipCrds" : "skipTests";
		cJSON_DeleteItemFromObjectCaseSensitive(*helm, field);
		rc = cJSON_AddTrueToObject(*helm, field) ? 0 : -1;
	} else {
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "--%s: not a --helm-* option", flag);
	}
done:
	return rc < 0 ? gitops_err_oom(err) : 0;
}

int gitops_helmspec_build(cJSON **out, const char *file, const cJSON *options, const struct gitops_limits *limits,
			  struct gitops_err *err)
{
	const cJSON *v;

	*out = NULL;
	if (!file && !options)
		return 0;
	if (file) {
		if (gitops_yaml_read_mapping_file(out, file, "Argo CD's source.helm fields", limits, err) < 0)
			return -1;
	} else if (!(*out = cJSON_CreateObject())) {
		return gitops_err_oom(err);
	}
	/* the options: scalars replace the file's, lists add to them */
	cJSON_ArrayForEach(v, options) {
		cJSON *have = cJSON_GetObjectItemCaseSensitive(*out, v->string), *e;
		if (cJSON_IsArray(v) && cJSON_IsArray(have)) {
			cJSON_ArrayForEach(e, v)
				cJSON_AddItemToArray(have, cJSON_Duplicate(e, 1));
		} else {
			cJSON_DeleteItemFromObjectCaseSensitive(*out, v->string);
			cJSON_AddItemToObject(*out, v->string, cJSON_Duplicate(v, 1));
		}
	}
	if (gitops_source_helm_check(*out, file ? file : "--helm-* options", err) < 0) {
		err->code = GITOPS_EXIT_USAGE;
		cJSON_Delete(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
