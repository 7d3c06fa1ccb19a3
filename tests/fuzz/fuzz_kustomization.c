/*
 * libFuzzer target: the kustomization reader (lib/kustomize/kustomization.c)
 * and the resource parser of the loader (kz_parse_objects).
 *
 * The input is read as a kustomization: it must be accepted or refused with
 * a clean one-line error, never a crash, a leak or undefined behaviour; an
 * accepted one has a kind and an apiVersion.  The same bytes then go
 * through kz_parse_objects as a resource file, whose objects must all carry
 * a kind and a name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/json.h"
#include "lib/kustomize/spine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const struct gitops_err *err, const char *what)
{
	if (!err->msg[0] || strchr(err->msg, '\n') || !err->code) {
		fprintf(stderr, "%s: an error must be one line with a message and a class: '%s'\n", what, err->msg);
		abort();
	}
}

static void count_warning(void *ctx, const char *msg)
{
	(void)msg;
	(*(int *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct kz_resmap m = KZ_RESMAP_INIT;
	cJSON *k = NULL;
	int warnings = 0;
	size_t i;

	if (kz_kustomization_parse(&k, (const char *)data, size, "kustomization.yaml", "/fuzz", count_warning, &warnings,
				   &err) < 0) {
		check_err(&err, "kustomization");
		if (k)
			abort();
	} else {
		if (!gitops_json_get_string(k, "kind", NULL) || !gitops_json_get_string(k, "apiVersion", NULL))
			abort();
		if (warnings > 6)
			abort();
		cJSON_Delete(k);
	}
	memset(&err, 0, sizeof(err));
	if (kz_parse_objects(&m, (const char *)data, size, "r.yaml", &err) < 0)
		check_err(&err, "resources");
	for (i = 0; i < m.n; i++)
		if (!gitops_json_get_string(m.v[i], "kind", NULL) || !gitops_json_get_string(m.v[i], "metadata", "name", NULL))
			abort();
	kz_resmap_release(&m);
	return 0;
}
