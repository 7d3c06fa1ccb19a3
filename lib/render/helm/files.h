/*
 * files.h: a Helm chart's files, as Helm's loader reads them (pkg/chart/loader).
 *
 * Layer "render/helm".  A chart is loaded from a list of files (a name
 * relative to the chart's root, '/'-separated, and its bytes), whether it
 * came from a directory or from a packaged chart (.tgz).  The list owns its
 * names and bytes; gitops_helm_files_release frees them.
 */
#ifndef GITOPS_HELM_FILES_H
#define GITOPS_HELM_FILES_H
#include <stddef.h>
#include "lib/base/err.h"

struct gitops_helm_file {
	char *name;          /* relative, '/'-separated, clean ("templates/deployment.yaml") */
	unsigned char *data; /* len bytes, and a NUL after them (not counted) */
	size_t len;
};

struct gitops_helm_files {
	struct gitops_helm_file *v;
	size_t n, cap;
};

#define GITOPS_HELM_FILES_INIT { NULL, 0, 0 }

/*
 * The files of the chart directory `dir`, in byte order of their names,
 * `.helmignore`'s rules applied as Helm's LoadDir applies them.  Nothing
 * outside `dir` is read.  Errors name the file.
 */
int gitops_helm_files_from_dir(struct gitops_helm_files *out, const char *dir, struct gitops_err *err);

/*
 * The files of a packaged chart (a gzipped tar of len bytes; `what` names it
 * in errors: its path, or "charts/sub-1.0.0.tgz" inside a parent chart), as
 * Helm's LoadArchiveFiles reads it: the first path component stripped,
 * hostile entries (absolute paths, "..", links, devices, sizes past Helm's
 * limits) refused.
 */
int gitops_helm_files_from_archive(struct gitops_helm_files *out, const void *data, size_t len, const char *what,
				   struct gitops_err *err);

/* Append a copy of one file (name and len bytes of data); 0 or -1 (out of memory, err set). */
int gitops_helm_files_add(struct gitops_helm_files *f, const char *name, const void *data, size_t len,
			  struct gitops_err *err);

void gitops_helm_files_release(struct gitops_helm_files *f);

#endif
