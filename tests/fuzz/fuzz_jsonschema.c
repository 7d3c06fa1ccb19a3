/*
 * libFuzzer target: JSON Schema validation (lib/value/jsonschema).
 *
 * Input: SCHEMA NUL INSTANCE, or SCHEMA NEWLINE INSTANCE (the first NUL, else
 * the first newline, splits), each read with the exact JSON reader; or one
 * JSON text in the JSON-Schema-Test-Suite's shape ([{"schema": S, "tests":
 * [{"data": D}, ...]}, ...]), each pair run.  Any schema must compile or fail
 * with a one-line message, never crash, leak or hang; and:
 *   - validate gives 0 with no output, 1 with lines "- FIELD: DESCRIPTION\n",
 *     or -1 with a one-line message;
 *   - validating again with the same compiled schema gives the same result
 *     (the compiled schema is read-only);
 *   - a schema compiled from its text gives what its tree compiled gives.
 * Remote refs are served by a fetch callback: a small schema for
 * http://f/ok..., an error for anything else.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/value/jsonio.h"
#include "lib/value/jsonschema.h"
#include "lib/value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const char *msg)
{
	if (!msg[0] || strchr(msg, '\n')) {
		fprintf(stderr, "bad message: '%s'\n", msg);
		abort();
	}
}

static int fetch(void *ctx, const char *uri, cJSON **out, struct gitops_err *err)
{
	static const char doc[] = "{\"definitions\":{\"i\":{\"type\":\"integer\"}},\"type\":[\"object\",\"integer\"],"
				  "\"properties\":{\"a\":{\"$ref\":\"#/definitions/i\"}}}";

	(void)ctx;
	if (strncmp(uri, "http://f/ok", 11) != 0)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "fuzz: no remote %s", uri);
	*out = gitops_json_read(doc, sizeof(doc) - 1);
	return *out ? 0 : gitops_err_oom(err);
}

static void check_output(int rc, const struct gitops_buf *out, const struct gitops_err *err)
{
	const char *p;

	if (rc < 0) {
		check_message(err->msg);
		return;
	}
	if ((rc == 0) != (out->len == 0))
		abort();
	/* lines "- FIELD: DESCRIPTION\n" (a key may itself hold a newline, as in helm) */
	p = out->data;
	if (p && (strncmp(p, "- ", 2) != 0 || out->data[out->len - 1] != '\n' || !strchr(p, ':')))
		abort();
}

/* text, when not NULL: the schema's text, compiled from it too with the same result */
static void run(const cJSON *schema, const char *text, size_t len, const cJSON *instance)
{
	struct gitops_err err = GITOPS_ERR_INIT, terr = GITOPS_ERR_INIT;
	struct gitops_jsonschema *s = NULL, *ts = NULL;
	struct gitops_buf a = GITOPS_BUF_INIT, b = GITOPS_BUF_INIT, c = GITOPS_BUF_INIT;
	int r0, r1, r2, r3;

	r0 = gitops_jsonschema_compile(&s, schema, fetch, NULL, &err);
	if (text && ((gitops_jsonschema_compile_text(&ts, text, len, NULL, fetch, NULL, &terr) < 0) != (r0 < 0) ||
		     (r0 < 0 && strcmp(err.msg, terr.msg) != 0))) {
		fprintf(stderr, "compiling the text differs: '%s' / '%s'\n", err.msg, terr.msg);
		abort();
	}
	if (r0 < 0) {
		check_message(err.msg);
		return;
	}
	r1 = gitops_jsonschema_validate(&a, s, instance, &err);
	check_output(r1, &a, &err);
	r2 = gitops_jsonschema_validate(&b, s, instance, &err);
	check_output(r2, &b, &err);
	if (r1 != r2 || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)) {
		fprintf(stderr, "a second validation gave another result\n");
		abort();
	}
	if (ts) {
		r3 = gitops_jsonschema_validate(&c, ts, instance, &terr);
		if (r3 != r1 || a.len != c.len || (a.len && memcmp(a.data, c.data, a.len) != 0) ||
		    (r1 < 0 && strcmp(err.msg, terr.msg) != 0)) {
			fprintf(stderr, "the schema compiled from its text validates otherwise\n");
			abort();
		}
	}
	gitops_buf_release(&a);
	gitops_buf_release(&b);
	gitops_buf_release(&c);
	gitops_jsonschema_free(s);
	gitops_jsonschema_free(ts);
}

static cJSON *parse(const uint8_t *data, size_t size)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *v = NULL;

	if (gitops_json_parse(&v, (const char *)data, size, NULL, &err) < 0)
		return NULL;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *cut = memchr(data, '\0', size);
	cJSON *schema, *instance, *whole, *g, *t;

	if (size > 32768)
		return 0;
	if (!cut && (whole = parse(data, size))) {
		if (cJSON_IsArray(whole)) {
			cJSON_ArrayForEach(g, whole)
			{
				const cJSON *sch = gitops_value_get(g, "schema"), *tests = gitops_value_get(g, "tests");

				if (!sch || !cJSON_IsArray(tests))
					continue;
				cJSON_ArrayForEach(t, tests)
				{
					const cJSON *d = gitops_value_get(t, "data");

					if (d)
						run(sch, NULL, 0, d);
				}
			}
		}
		cJSON_Delete(whole);
		return 0;
	}
	if (!cut)
		cut = memchr(data, '\n', size);
	if (!cut)
		return 0;
	schema = parse(data, (size_t)(cut - data));
	instance = parse(cut + 1, size - (size_t)(cut - data) - 1);
	if (schema && instance)
		run(schema, (const char *)data, (size_t)(cut - data), instance);
	cJSON_Delete(schema);
	cJSON_Delete(instance);
	return 0;
}
