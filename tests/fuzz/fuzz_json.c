/*
 * libFuzzer target: exact JSON text (lib/value/jsonio).
 *
 * Any input gives a tree or a clean error, never a crash, a leak or
 * undefined behaviour.  A tree read must print in every style, read back
 * strictly equal (integers stay integers, exact), and print the same twice.
 * Read into a pool, the same tree or the same error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/value/jsonio.h"
#include "lib/value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const cJSON *v, unsigned flags)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *once = NULL, *twice = NULL;
	cJSON *back = NULL;

	if (gitops_json_print(&once, v, flags, &err)) {
		fprintf(stderr, "printer failed on a tree the parser made: %s\n", err.msg);
		abort();
	}
	if (gitops_json_parse(&back, once, strlen(once), "out", &err)) {
		fprintf(stderr, "output does not read back: %s\n%s\n", err.msg, once);
		abort();
	}
	/* floats may print as integers ("1.0" -> 1): equal by value; integers stay exact */
	if (!gitops_value_equal(v, back)) {
		fprintf(stderr, "round trip changed the data:\n%s\n", once);
		abort();
	}
	if (gitops_json_print(&twice, back, flags, &err) || strcmp(once, twice)) {
		fprintf(stderr, "printing is not idempotent:\n%s\n---\n%s\n", once, twice ? twice : "(error)");
		abort();
	}
	free(once);
	free(twice);
	cJSON_Delete(back);
}

/* A parse into a pool gives what the plain parse gives: the same tree, or the same error. */
static void pooled(const uint8_t *data, size_t size, const cJSON *v, const struct gitops_err *err)
{
	struct gitops_err perr = GITOPS_ERR_INIT;
	struct gitops_json_pool *pool = NULL;
	cJSON *pv = NULL;
	int rc = gitops_json_parse_pool(&pv, &pool, (const char *)data, size, "in", &perr);

	if (rc < 0 ? (v || pv || pool || strcmp(err->msg, perr.msg)) : (!v || !pool || !gitops_value_equal_strict(v, pv))) {
		fprintf(stderr, "a parse into a pool differs: '%s' / '%s'\n", err->msg, perr.msg);
		abort();
	}
	gitops_json_pool_free(pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *v = NULL, *copy;
	int rc = gitops_json_parse(&v, (const char *)data, size, "in", &err);

	pooled(data, size, v, &err);
	if (rc) {
		if (v || !err.msg[0]) {
			fprintf(stderr, "a failed parse must leave no tree and say why\n");
			abort();
		}
		return 0;
	}
	round_trip(v, 0);
	round_trip(v, GITOPS_JSON_SORTED | GITOPS_JSON_INDENT);
	round_trip(v, GITOPS_JSON_ESCAPE_HTML);
	copy = gitops_value_copy(v);
	if (!gitops_value_equal_strict(v, copy)) {
		fprintf(stderr, "a copy differs\n");
		abort();
	}
	cJSON_Delete(copy);
	cJSON_Delete(v);
	return 0;
}
