/*
 * libFuzzer target: lib/template, parse + execute under small limits.
 *
 * The input (up to its first NUL byte) is one template text, parsed into a
 * set beside a helper definition and executed with a fixed root (maps,
 * lists, floats, nil), with an include and a tpl that execute nested
 * templates of the same set.  Any input must render or fail with a
 * message, never crash, leak, overflow the stack or run away: the limits
 * (depth, output, range iterations, string sizes, stack) must hold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char root_json[] = "{\"Values\": {\"s\": \"str\", \"n\": 42, \"f\": 1.5, \"t\": true, \"z\": null,"
				"\"l\": [\"a\", 2, null, {\"k\": \"v\"}], \"m\": {\"b\": 2, \"a\": [1]}}, \"Release\": {\"Name\": \"r\"}}";

static int f_include(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,
		     struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	(void)n;
	if (gitops_tmpl_call_exec(&b, call, gitops_tmpl_value_str(args[0], NULL), args[1], err) < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	*out = gitops_tmpl_value_string(b.data ? b.data : "", b.len);
	gitops_buf_release(&b);
	return *out ? 0 : gitops_err_oom(err);
}

static int f_tpl(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		 size_t n, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len;
	const char *text = gitops_tmpl_value_str(args[0], &len);

	(void)n;
	if (gitops_tmpl_call_parse_exec(&b, call, "tpl", text, len, args[1], err) < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	*out = gitops_tmpl_value_string(b.data ? b.data : "", b.len);
	gitops_buf_release(&b);
	return *out ? 0 : gitops_err_oom(err);
}

static int f_list(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		  size_t n, struct gitops_err *err)
{
	size_t i;

	(void)call;
	*out = gitops_tmpl_value_list(GITOPS_TMPL_LIST);
	for (i = 0; *out && i < n; i++)
		if (gitops_tmpl_list_push(*out, gitops_tmpl_value_ref(args[i])) < 0)
			return gitops_err_oom(err);
	return *out ? 0 : gitops_err_oom(err);
}

static int f_repeat(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,
		    struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	int64_t i, count = gitops_tmpl_value_int_of(args[0]);
	size_t len;
	const char *s = gitops_tmpl_value_str(args[1], &len);

	(void)call, (void)n;
	for (i = 0; i < count && b.len < 100000; i++)
		if (gitops_buf_add(&b, s, len) < 0) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
	*out = gitops_tmpl_value_string(b.data ? b.data : "", b.len);
	gitops_buf_release(&b);
	return *out ? 0 : gitops_err_oom(err);
}

static const struct gitops_tmpl_func funcs[] = {
	{ "include", f_include, 2, 0, { GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_ANY }, NULL },
	{ "tpl", f_tpl, 2, 0, { GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_ANY }, NULL },
	{ "list", f_list, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	{ "repeat", f_repeat, 2, 0, { GITOPS_TMPL_P_INT, GITOPS_TMPL_P_STRING }, NULL },
};

static const char helpers[] = "{{define \"h\"}}[{{.}}]{{end}}{{define \"rec\"}}{{if .}}{{include \"rec\" .}}{{end}}{{end}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_tmpl_options opts = GITOPS_TMPL_OPTIONS_INIT;
	struct gitops_tmpl_set *set = NULL;
	struct gitops_tmpl_value *root = NULL;
	struct gitops_buf out = GITOPS_BUF_INIT;
	const uint8_t *nul = memchr(data, 0, size);
	size_t len = nul ? (size_t)(nul - data) : size;
	cJSON *tree = cJSON_Parse(root_json);
	int missing;

	if (!tree)
		abort();
	opts.max_depth = 40;
	opts.max_parse_depth = 200;
	opts.max_output = 1 << 20;
	opts.max_range = 20000;
	opts.max_string = 1 << 18;
	opts.max_stack = 1 << 20;
	for (missing = 0; missing <= 1; missing++) {
		opts.missingkey_error = missing;
		if (gitops_tmpl_set_new(&set, funcs, sizeof(funcs) / sizeof(funcs[0]), &opts, NULL, &err) < 0 ||
		    gitops_tmpl_value_from_tree(&root, tree, (unsigned)missing, &err) < 0)
			abort();
		if (gitops_tmpl_set_parse(set, "helpers.tpl", helpers, strlen(helpers), &err) < 0)
			abort();
		if (gitops_tmpl_set_parse(set, "t", (const char *)data, len, &err) < 0 ||
		    gitops_tmpl_exec(&out, set, "t", root, &err) < 0) {
			if (!err.msg[0]) {
				fprintf(stderr, "an error without a message\n");
				abort();
			}
		} else if (out.len > opts.max_output) {
			fprintf(stderr, "output beyond the limit: %zu\n", out.len);
			abort();
		}
		gitops_buf_release(&out);
		gitops_tmpl_value_unref(root);
		gitops_tmpl_set_free(set);
		root = NULL;
		set = NULL;
	}
	cJSON_Delete(tree);
	return 0;
}
