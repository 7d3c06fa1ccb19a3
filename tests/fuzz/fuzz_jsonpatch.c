/*
 * libFuzzer target: JSON Patch (RFC 6902) over the value tree.
 *
 * Input: a document and a patch (tests/fuzz/pairs.h says how they are
 * cut).  Any patch must apply or fail cleanly, never crash, leak or overrun;
 * and:
 *   - a failed patch leaves the document the very same tree, unchanged, with
 *     a one-line message;
 *   - a patch that applies gives a well-linked tree, and the same result
 *     applied again to the same document;
 *   - the merge patch created from the document to the result (when it has
 *     no repeated keys) turns the one into the other, or is refused for a
 *     null member it cannot set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/value/jsonpatch.h"
#include "lib/value/mergepatch.h"
#include "lib/value/value.h"
#include "tests/fuzz/pairs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const cJSON *doc, const cJSON *patch)
{
	struct gitops_jsonpatch_options opts = GITOPS_JSONPATCH_OPTIONS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *d = gitops_value_copy(doc), *orig = gitops_value_copy(doc), *was = d, *again, *mp = NULL;

	/* small limits keep each run fast; the limits are under test too */
	opts.max_nodes = 20000;
	opts.max_depth = 100;
	if (!d || !orig)
		abort();
	if (gitops_jsonpatch_apply_opts(&d, patch, &opts, &err) < 0) {
		fuzz_check_message(err.msg);
		if (err.code != GITOPS_EXIT_INPUT || strncmp(err.msg, "patch", 5) != 0) {
			fprintf(stderr, "unexpected error: %d %s\n", err.code, err.msg);
			abort();
		}
		if (d != was || !gitops_value_equal_strict(d, orig)) {
			fprintf(stderr, "a failed patch changed the document: %s\n", err.msg);
			abort();
		}
		fuzz_check_links(d);
		goto done;
	}
	fuzz_check_links(d);
	if (!(again = gitops_value_copy(orig)))
		abort();
	if (gitops_jsonpatch_apply_opts(&again, patch, &opts, &err) < 0 || !gitops_value_equal_strict(again, d)) {
		fprintf(stderr, "the same patch gave another result the second time\n");
		abort();
	}
	cJSON_Delete(again);
	if (fuzz_repeats_key(orig) || fuzz_repeats_key(d))
		goto done;
	if (gitops_mergepatch_create(&mp, orig, d, &err) < 0) {
		fuzz_check_message(err.msg);
		if (!strstr(err.msg, "which a merge patch cannot set"))
			abort();
		goto done;
	}
	if (gitops_mergepatch_apply(&orig, mp, &err) < 0 || !gitops_value_equal(orig, d)) {
		fprintf(stderr, "merge patch create did not round trip\n");
		abort();
	}
	fuzz_check_links(orig);
done:
	cJSON_Delete(mp);
	cJSON_Delete(d);
	cJSON_Delete(orig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pairs(data, size, check);
	return 0;
}
