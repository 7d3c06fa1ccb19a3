/*
 * libFuzzer target: JSON Merge Patch (RFC 7396): apply and create.
 *
 * Input: a document and a patch (tests/fuzz/pairs.h says how they are
 * cut).  Applying never fails (short of memory), never crashes or leaks,
 * and gives a well-linked tree; when no mapping repeats a key:
 *   - applying is idempotent: the patch applied to its own result changes nothing;
 *   - create(document, result) applied to the document gives the result
 *     (a merge patch's result is always one a merge patch can reach);
 *   - create(document, patch) and create(result, document), taking the
 *     patch and the document as targets, round trip or are refused for a
 *     null member they cannot set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/value/mergepatch.h"
#include "lib/value/value.h"
#include "tests/fuzz/pairs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* create(from, to) applied to from gives to; 0, or -1 when refused for a null member. */
static int round_trip(const cJSON *from, const cJSON *to)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *mp = NULL, *d;

	if (gitops_mergepatch_create(&mp, from, to, &err) < 0) {
		fuzz_check_message(err.msg);
		if (err.code != GITOPS_EXIT_INPUT || !strstr(err.msg, "which a merge patch cannot set")) {
			fprintf(stderr, "create: %s\n", err.msg);
			abort();
		}
		return -1;
	}
	fuzz_check_links(mp);
	if (!(d = gitops_value_copy(from)) || gitops_mergepatch_apply(&d, mp, &err) < 0)
		abort();
	if (!gitops_value_equal(d, to)) {
		char *a = cJSON_PrintUnformatted(from), *b = cJSON_PrintUnformatted(to), *p = cJSON_PrintUnformatted(mp);

		fprintf(stderr, "create did not round trip: %s -> %s made %s\n", a, b, p);
		abort();
	}
	cJSON_Delete(d);
	cJSON_Delete(mp);
	return 0;
}

static void check(const cJSON *doc, const cJSON *patch)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *d = gitops_value_copy(doc), *again;

	if (!d || gitops_mergepatch_apply(&d, patch, &err) < 0)
		abort();
	fuzz_check_links(d);
	if (fuzz_repeats_key(doc) || fuzz_repeats_key(patch)) {
		cJSON_Delete(d);
		return;
	}
	if (!(again = gitops_value_copy(d)) || gitops_mergepatch_apply(&again, patch, &err) < 0)
		abort();
	if (!gitops_value_equal_strict(again, d)) {
		fprintf(stderr, "applying the patch twice changed the result\n");
		abort();
	}
	cJSON_Delete(again);
	if (round_trip(doc, d) < 0) {
		fprintf(stderr, "create refused a merge patch's own result: %s\n", err.msg);
		abort();
	}
	round_trip(doc, patch);
	round_trip(d, doc);
	cJSON_Delete(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pairs(data, size, check);
	return 0;
}
