/*
 * libFuzzer target: lib/render/helm, a whole chart rendered from files in memory.
 *
 * The input (at most 64 KB) is cut at each line "#@@" into pieces, which
 * become the chart's files in this order: Chart.yaml, values.yaml,
 * templates/a.yaml, templates/_h.tpl, values.schema.json,
 * charts/sub/Chart.yaml, charts/sub/values.yaml, charts/sub/templates/b.yaml,
 * templates/NOTES.txt, crds/c.yaml, files/f.txt (an empty piece is no
 * file).  The chart is rendered by gitops_helm_template_files with the
 * default options.  Any input must render or fail with a message, never
 * crash, leak, overflow the stack or run away.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/err.h"
#include "lib/render/helm/files.h"
#include "lib/render/helm/helm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (64u * 1024u)
static const char sep[] = "\n#@@\n";
static const char *const names[] = {
	"Chart.yaml",
	"values.yaml",
	"templates/a.yaml",
	"templates/_h.tpl",
	"values.schema.json",
	"charts/sub/Chart.yaml",
	"charts/sub/values.yaml",
	"charts/sub/templates/b.yaml",
	"templates/NOTES.txt",
	"crds/c.yaml",
	"files/f.txt",
};

static const uint8_t *find(const uint8_t *p, size_t n, const char *s, size_t sn)
{
	while (n >= sn) {
		const uint8_t *q = memchr(p, s[0], n - sn + 1);
		if (!q)
			return NULL;
		if (!memcmp(q, s, sn))
			return q;
		n -= (size_t)(q - p) + 1;
		p = q + 1;
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gitops_helm_files files = GITOPS_HELM_FILES_INIT;
	struct gitops_helm_options o = GITOPS_HELM_OPTIONS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf out = GITOPS_BUF_INIT;
	const uint8_t *piece[sizeof(names) / sizeof(names[0])] = { NULL };
	size_t plen[sizeof(names) / sizeof(names[0])] = { 0 };
	/* the files in byte order of their names, as the loader reads a directory */
	static const size_t order[] = { 0, 5, 6, 7, 9, 10, 2, 3, 8, 4, 1 };
	size_t i, sn = sizeof(sep) - 1;

	if (size > MAX_INPUT)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && size > 0; i++) {
		const uint8_t *end = find(data, size, sep, sn);
		size_t len = end ? (size_t)(end - data) : size;
		piece[i] = data;
		plen[i] = len;
		if (!end)
			break;
		data = end + sn;
		size -= len + sn;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (plen[order[i]] && gitops_helm_files_add(&files, names[order[i]], piece[order[i]], plen[order[i]], &err) < 0)
			abort();
	if (gitops_helm_template_files(&out, &files, "fuzz", &o, &err) < 0) {
		if (!err.msg[0]) {
			fprintf(stderr, "an error without a message\n");
			abort();
		}
	}
	gitops_buf_release(&out);
	gitops_helm_files_release(&files);
	return 0;
}
