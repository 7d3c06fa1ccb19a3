/*
 * libFuzzer target: lib/yaml/fastyaml.c against libyaml.
 *
 * Whenever the fast source takes an input, its events must be libyaml's,
 * every field (tests/fuzz/fastyaml_diff.h), and the reader must give the
 * same documents, message and markers with it as without it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/yaml/yaml.h"
#include "tests/fuzz/fastyaml_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reader_run(struct gitops_buf *out, const uint8_t *data, size_t size, int fast)
{
	struct gitops_yaml_reader *r;
	struct gitops_yaml_doc doc;
	struct gitops_yaml_marker m;
	struct gitops_err err = GITOPS_ERR_INIT;
	char line[128];
	int n;

	if (gitops_yaml_reader_mem(&r, data, size, "f.yaml", NULL, &err) < 0)
		abort();
	gitops_yaml_reader_set_fast(r, fast);
	while ((n = gitops_yaml_reader_next(r, &doc, &err)) > 0) {
		char *js = doc.root ? cJSON_PrintUnformatted(doc.root) : NULL;
		snprintf(line, sizeof(line), "doc %zu %zu:%zu flow %d items %zu: ", doc.index, doc.line, doc.column,
			 doc.flow, doc.n_item_lines);
		gitops_buf_addstr(out, line);
		gitops_buf_addstr(out, js ? js : "(null)");
		gitops_buf_addstr(out, "\n");
		free(js);
		gitops_yaml_doc_release(&doc);
	}
	if (n < 0) {
		gitops_buf_addstr(out, "error: ");
		gitops_buf_addstr(out, err.msg);
		gitops_buf_addstr(out, "\n");
	}
	while (gitops_yaml_reader_pop_marker(r, SIZE_MAX, &m)) {
		snprintf(line, sizeof(line), "marker %zu %zu\n", m.line, m.count);
		gitops_buf_addstr(out, line);
	}
	gitops_yaml_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gitops_buf a = GITOPS_BUF_INIT, b = GITOPS_BUF_INIT;
	int accepted;
	const char *why = fastyaml_diff(data, size, &accepted);

	if (why) {
		fprintf(stderr, "fastyaml differs from libyaml: %s\n", why);
		abort();
	}
	if (!accepted)
		return 0;
	reader_run(&a, data, size, 0);
	reader_run(&b, data, size, 1);
	gitops_buf_add(&a, "", 1);
	gitops_buf_add(&b, "", 1);
	if (!a.data || !b.data || strcmp(a.data, b.data)) {
		fprintf(stderr, "the reader differs with the fast source:\nlibyaml:\n%s\nfast:\n%s\n",
			a.data ? a.data : "?", b.data ? b.data : "?");
		abort();
	}
	gitops_buf_release(&a);
	gitops_buf_release(&b);
	return 0;
}
