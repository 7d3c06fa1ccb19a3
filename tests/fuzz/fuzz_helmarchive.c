/*
 * libFuzzer target: a packaged Helm chart (lib/render/helm/files.c's
 * gitops_helm_files_from_archive).
 *
 * The first byte picks the mode: odd, the rest is a tar stream that the
 * target gzips itself (so the fuzzer works on tar headers, names and sizes
 * rather than on deflate); even, the rest is given as it is (gzip or not),
 * once as a subchart's bytes (what NULL) and once as a named file.  Any
 * input must load or give a clean one-line error, never a crash, a leak or
 * undefined behaviour; what loads must keep the promises of files.h: names
 * relative and clean, no "..", data within Helm's limits and NUL-terminated.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/render/helm/files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, const char *what)
{
	struct gitops_helm_files f = GITOPS_HELM_FILES_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	size_t total = 0;

	if (gitops_helm_files_from_archive(&f, data, size, what, &err) < 0) {
		if (!err.msg[0] || strchr(err.msg, '\n') || f.n != 0) {
			fprintf(stderr, "an error must be one line with a message and leave no files: '%s'\n", err.msg);
			abort();
		}
		return;
	}
	if (f.n == 0)
		abort();
	for (size_t i = 0; i < f.n; i++) {
		const char *n = f.v[i].name;
		size_t len = strlen(n);
		if (!*n || n[0] == '/' || strncmp(n, "..", 2) == 0 || strstr(n, "//") || strstr(n, "/../")
		    || strcmp(n, ".") == 0 || strncmp(n, "./", 2) == 0 || strstr(n, "/./") || n[len - 1] == '/'
		    || (len >= 3 && strcmp(n + len - 3, "/..") == 0) || (len >= 2 && strcmp(n + len - 2, "/.") == 0)) {
			fprintf(stderr, "not a clean relative name: '%s'\n", n);
			abort();
		}
		if (f.v[i].len > GITOPS_HELM_FILE_MAX || f.v[i].data[f.v[i].len] != 0)
			abort();
		total += f.v[i].len;
	}
	if (total >= GITOPS_HELM_CHART_MAX)
		abort();
	gitops_helm_files_release(&f);
}

static la_ssize_t gz_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	(void)a;
	if (gitops_buf_add(ctx, buf, len) < 0)
		abort();
	return (la_ssize_t)len;
}

/* gzip the tar bytes with libarchive's writer (the raw format: one stream, as it is) */
static void gzip_it(struct gitops_buf *out, const uint8_t *data, size_t size)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	if (!a || !e || archive_write_set_format_raw(a) != ARCHIVE_OK || archive_write_add_filter_gzip(a) != ARCHIVE_OK
	    || archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK
	    || archive_write_open(a, out, NULL, gz_write, NULL) != ARCHIVE_OK)
		abort();
	archive_entry_set_pathname(e, "data");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)size);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		abort();
	if (size && archive_write_data(a, data, size) != (la_ssize_t)size)
		abort();
	if (archive_write_close(a) != ARCHIVE_OK)
		abort();
	archive_entry_free(e);
	archive_write_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1) {
		struct gitops_buf gz = GITOPS_BUF_INIT;
		gzip_it(&gz, data + 1, size - 1);
		check((const uint8_t *)gz.data, gz.len, "chart.tgz");
		gitops_buf_release(&gz);
	} else {
		check(data + 1, size - 1, NULL);
		check(data + 1, size - 1, "chart.tgz");
	}
	return 0;
}
