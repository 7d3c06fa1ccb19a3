/*
 * What the Sprig function fuzz targets share (fuzz_todate, fuzz_semver,
 * fuzz_sprigregex, fuzz_urlparse): the input, cut at its first two NUL or
 * newline bytes, gives up to three strings .a .b .c (any bytes), and each
 * of the target's templates runs over them with the full function table
 * (lib/template/funcs) under small limits.  Any input must render or fail
 * with a message: never crash, leak or run away.
 */
#ifndef GITOPS_FUZZ_SPRIG_CALL_H
#define GITOPS_FUZZ_SPRIG_CALL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/funcs/funcs.h"
#include "lib/template/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t fuzz_cut(const uint8_t *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (d[i] == 0 || d[i] == '\n')
			return i;
	return n;
}

static void fuzz_sprig(const uint8_t *data, size_t size, const char *const *templates, size_t ntemplates)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_tmpl_options opts = GITOPS_TMPL_OPTIONS_INIT;
	struct gitops_tmpl_func *funcs = NULL;
	struct gitops_tmpl_set *set = NULL;
	struct gitops_tmpl_value *root = gitops_tmpl_value_map(NULL);
	struct gitops_buf out = GITOPS_BUF_INIT;
	static const char *const keys[] = { "a", "b", "c" };
	size_t nfuncs, i, k;

	if (!root || gitops_tmpl_funcs_table(&funcs, &nfuncs) < 0)
		abort();
	for (k = 0; k < 3; k++) {
		size_t len = fuzz_cut(data, size);
		if (gitops_tmpl_map_set(root, keys[k], 1, gitops_tmpl_value_string((const char *)data, len)) < 0)
			abort();
		data += len < size ? len + 1 : len;
		size -= len < size ? len + 1 : len;
	}
	opts.max_output = 1 << 20;
	opts.max_string = 1 << 18;
	opts.max_stack = 1 << 20;
	if (gitops_tmpl_set_new(&set, funcs, nfuncs, &opts, NULL, &err) < 0)
		abort();
	for (i = 0; i < ntemplates; i++) {
		char name[16];
		snprintf(name, sizeof(name), "t%zu", i);
		if (gitops_tmpl_set_parse(set, name, templates[i], strlen(templates[i]), &err) < 0) {
			fprintf(stderr, "template %zu: %s\n", i, err.msg);
			abort();
		}
		err.msg[0] = 0;
		if (gitops_tmpl_exec(&out, set, name, root, &err) < 0 && !err.msg[0]) {
			fprintf(stderr, "an error without a message\n");
			abort();
		}
		gitops_buf_release(&out);
	}
	gitops_tmpl_set_free(set);
	gitops_tmpl_value_unref(root);
	free(funcs);
}

#endif
