/*
 * libFuzzer target: strategic merge patch.
 *
 * The input is JSON: a document followed by a patch (one value only: the
 * patch, applied to a fixed Deployment).  The patch is applied as the
 * document's own kind, as a Deployment, as a Pod and as a kind no table
 * knows; a document with `definitions` is also read as a runtime schema.
 * Any input must give a result or a clean error, never a crash, a leak or
 * undefined behaviour; a failed patch leaves the document unchanged and
 * says why in one line; a result is a mapping.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/value/smp.h"
#include "lib/value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char deployment[] =
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"},"
	"\"finalizers\":[\"a/b\",\"c/d\"]},\"spec\":{\"replicas\":2,\"strategy\":{\"type\":\"RollingUpdate\","
	"\"rollingUpdate\":{\"maxSurge\":1}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"
	"\"containers\":[{\"name\":\"app\",\"image\":\"a:1\",\"args\":[\"x\",\"y\"],\"env\":[{\"name\":\"A\",\"value\":\"1\"}],"
	"\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]},{\"name\":\"side\",\"image\":\"s:1\"}],"
	"\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}}],\"tolerations\":[{\"key\":\"k\"}]}}}}";

static void one(const cJSON *doc, const cJSON *patch, const struct gitops_smp_schema *schema, const char *av,
		const char *kind)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *work = gitops_value_copy(doc), *before = gitops_value_copy(doc);

	if (!work || !before)
		abort();
	if (gitops_smp_apply(&work, patch, schema, av, kind, &err) < 0) {
		if (!err.msg[0] || strchr(err.msg, '\n') || (err.code != GITOPS_EXIT_INPUT && err.code != GITOPS_EXIT_INTERNAL)) {
			fprintf(stderr, "bad error: %d '%s'\n", err.code, err.msg);
			abort();
		}
		if (!gitops_value_equal(work, before)) {
			fprintf(stderr, "a failed patch changed the document: %s\n", err.msg);
			abort();
		}
	} else if (!cJSON_IsObject(work)) {
		fprintf(stderr, "the result is not a mapping\n");
		abort();
	}
	cJSON_Delete(work);
	cJSON_Delete(before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *end = NULL;
	cJSON *first, *second = NULL, *doc, *patch, *fixed = cJSON_Parse(deployment);
	struct gitops_smp_schema *schema = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;

	if (!fixed)
		abort();
	first = cJSON_ParseWithLengthOpts((const char *)data, size, &end, 0);
	if (!first) {
		cJSON_Delete(fixed);
		return 0;
	}
	if (end && (size_t)(end - (const char *)data) < size)
		second = cJSON_ParseWithLength(end, size - (size_t)(end - (const char *)data));
	if (second) {
		doc = first;
		patch = second;
	} else {
		doc = fixed;
		patch = first;
	}
	if (cJSON_IsObject(doc) && cJSON_GetObjectItemCaseSensitive(doc, "definitions")) {
		if (gitops_smp_schema_new(&schema, &err) < 0)
			abort();
		if (gitops_smp_schema_add(schema, doc, "fuzz", &err) < 0 && (!err.msg[0] || strchr(err.msg, '\n')))
			abort();
	}
	one(doc, patch, schema, NULL, NULL);
	one(doc, patch, NULL, "apps/v1", "Deployment");
	one(doc, patch, NULL, "v1", "Pod");
	one(doc, patch, NULL, "example.com/v1", "Widget");
	if (schema) {
		struct gitops_smp_field_info f;

		one(fixed, patch, schema, NULL, NULL);
		gitops_smp_lookup(&f, schema, "apps/v1", "Deployment", "spec.template.spec.containers");
	}
	gitops_smp_schema_free(schema);
	cJSON_Delete(first);
	cJSON_Delete(second);
	cJSON_Delete(fixed);
	return 0;
}
