/*
 * files.h: a Helm chart's files, as Helm's loader reads them (pkg/chart/loader).
 *
 * Layer "render/helm".  A chart is loaded from a list of files (a name
 * relative to the chart's root, '/'-separated, and its bytes), whether it
 * came from a directory or from a packaged chart (.tgz).  The list owns its
 * names and bytes; gitops_helm_files_release frees them.  The .helmignore
 * rules are lib/render/helm/ignore.h's.
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
 * Helm 3.17.3's limits, which 3.17.2 does not have (it reads any size): a
 * file of more than 5 MiB, or a chart of 100 MiB or more in all, is refused
 * with 3.17.3's messages (a directory's whole size with ours: 3.17.3 has
 * none there).  Besides, our own bounds: at most 100000 files, names of at
 * most 4096 bytes, at most 100000 directories walked.
 */
#define GITOPS_HELM_FILE_MAX ((size_t)5 << 20)
#define GITOPS_HELM_CHART_MAX ((size_t)100 << 20)

/*
 * Append the files of the chart directory `dir` to out, as Helm's LoadDir
 * reads them: every file, hidden ones too, in the order of Helm's walk (each
 * directory's entries in byte order of their names, a directory's files
 * where its name falls: "a/b" before "a.txt"); the rules of `.helmignore`
 * (lib/render/helm/ignore.h) and the default "templates/.?*" applied, an
 * ignored directory not entered; a leading UTF-8 BOM taken off each file's
 * data, as Helm does.  A device, fifo or socket that is not ignored: Helm's
 * "cannot load irregular file ... as it has file mode type bits set".
 *
 * Symbolic links (where we part from Helm, which follows every link, with a
 * warning): a link is followed only when its target resolves inside `dir`
 * (a file is read, a directory walked under the link's name); a link whose
 * target lies outside is refused with a one-line error naming it, unless
 * .helmignore ignores the link's name (its target is then only stat'd,
 * never read); a dangling link is an error, ignored or not, as in Helm; a
 * link back up to a directory being walked is an error (Helm would loop
 * until the system refused).  Nothing outside `dir` is read.  Error
 * messages name files by the absolute path of `dir` as given (Helm's
 * topdir).  On error out is left as it was.
 */
int gitops_helm_files_from_dir(struct gitops_helm_files *out, const char *dir, struct gitops_err *err);

/*
 * Append the files of a packaged chart (a gzipped tar of len bytes) to out,
 * as Helm's LoadArchiveFiles reads it: in archive order, directories and PAX
 * headers skipped, each name's first component dropped ('\' the separator
 * when the name holds one), made '/'-separated and clean (Go's path.Clean),
 * a leading BOM taken off the data.  Refused with Helm's messages: absolute
 * paths, names that clean to nothing or start with "..", "c:/" names, a
 * first component "Chart.yaml" with more after it, the limits above, an
 * archive with no files ("no files in chart archive").  Refused where Helm
 * loads them as empty files: symbolic and hard links, devices, fifos.
 *
 * `what` names the archive as Helm's LoadFile does (its path, made absolute
 * by the caller when it wants Helm's words): bytes that are not gzip give
 * "file '<what>' does not appear to be a gzipped archive; got '<Go's
 * content type>'" (or "seems to be a YAML file" for a .yaml/.yml name).
 * `what` NULL is a subchart's archive inside a parent (Helm's LoadArchive on
 * bytes): "gzip: invalid header" then.  A damaged stream (truncated,
 * corrupt, gzip twice, not tar) is "<what>: not a valid chart archive:
 * <libarchive's reason>".  On error out is left as it was.
 */
int gitops_helm_files_from_archive(struct gitops_helm_files *out, const void *data, size_t len, const char *what,
				   struct gitops_err *err);

/* Append a copy of one file (name and len bytes of data); 0 or -1 (out of memory, err set). */
int gitops_helm_files_add(struct gitops_helm_files *f, const char *name, const void *data, size_t len,
			  struct gitops_err *err);

/* Append one file under `name`, taking src's data (src->data is NULL after): no copy of the bytes. */
int gitops_helm_files_take(struct gitops_helm_files *f, const char *name, struct gitops_helm_file *src,
			   struct gitops_err *err);

void gitops_helm_files_release(struct gitops_helm_files *f);

#endif
