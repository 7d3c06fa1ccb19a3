/*
 * files.c: a chart's files from a directory or a packaged chart.
 */
#include "lib/render/helm/files.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/fs.h"

/* Helm's MaxDecompressedFileSize: 5 MiB a file. */
#define HELM_FILE_MAX (5u << 20)

int gitops_helm_files_add(struct gitops_helm_files *f, const char *name, const void *data, size_t len,
			  struct gitops_err *err)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct gitops_helm_file *v = realloc(f->v, cap * sizeof(*v));
		if (!v)
			return gitops_err_oom(err);
		f->v = v;
		f->cap = cap;
	}
	struct gitops_helm_file *e = &f->v[f->n];
	e->name = strdup(name);
	e->data = malloc(len + 1);
	if (!e->name || !e->data) {
		free(e->name);
		free(e->data);
		return gitops_err_oom(err);
	}
	if (len)
		memcpy(e->data, data, len);
	e->data[len] = 0;
	e->len = len;
	f->n++;
	return 0;
}

void gitops_helm_files_release(struct gitops_helm_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].data);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

struct walk {
	struct gitops_helm_files *out;
	size_t rootlen;
};

static int walk_file(void *ctx, const char *path, const char *name, struct gitops_err *err)
{
	struct walk *w = ctx;
	struct gitops_buf b = GITOPS_BUF_INIT;
	(void)name;
	if (gitops_buf_read_file(&b, path, HELM_FILE_MAX, err) < 0)
		return -1;
	int rc = gitops_helm_files_add(w->out, path + w->rootlen + 1, b.data ? b.data : "", b.len, err);
	gitops_buf_release(&b);
	return rc;
}

int gitops_helm_files_from_dir(struct gitops_helm_files *out, const char *dir, struct gitops_err *err)
{
	struct walk w = { out, strlen(dir) };
	while (w.rootlen > 1 && dir[w.rootlen - 1] == '/')
		w.rootlen--;
	return gitops_fs_walk(dir, walk_file, &w, err);
}

int gitops_helm_files_from_archive(struct gitops_helm_files *out, const void *data, size_t len, const char *what,
				   struct gitops_err *err)
{
	(void)out;
	(void)data;
	(void)len;
	return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: packaged charts are not read yet", what);
}
