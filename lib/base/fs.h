/*
 * fs.h: the file system chores every program shares: atomic writes, the
 * cache directory, a sorted directory walk, clean relative paths.
 *
 * Uses libc and lib/buf, lib/err only.  Errors come back in struct
 * gitops_err; nothing here prints.
 */
#ifndef GITOPS_FS_H
#define GITOPS_FS_H

#include <stddef.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"

/* gitops_fs_write_atomic's mode: keep the mode of the file being replaced (which must exist). */
#define GITOPS_FS_KEEP_MODE (-1)
/* or'd into a mode: exactly that mode, the umask not applied (a file another user's daemon reads) */
#define GITOPS_FS_EXACT_MODE 0x10000

/*
 * Replace `path` with `len` bytes of `data` atomically: a temporary file
 * beside it (".tmp-NAME-PID-XXXXXX", which the Git cache's clean-up
 * recognises and no "*.ext" glob matches), written, synced, given `mode`
 * (less the umask, unless GITOPS_FS_EXACT_MODE) or the old file's mode,
 * renamed into place, and the directory synced so that the rename
 * survives a crash.  Readers see the old file or the new one, never half
 * of one.
 */
int gitops_fs_write_atomic(const char *path, const void *data, size_t len, int mode, struct gitops_err *err);

/*
 * The user's cache directory of gitops: $XDG_CACHE_HOME/gitops (when it is
 * absolute), else $HOME/.cache/gitops, with "/sub" after it when `sub` is
 * given.  *out is the caller's to free.  Neither set: a usage error.
 */
int gitops_fs_cache_dir(char **out, const char *sub, struct gitops_err *err);

/*
 * A cache's root as an absolute path without trailing '/': `given` (made
 * absolute against the current directory: Source documents name
 * checkouts by absolute paths), else gitops_fs_cache_dir's.  *out to free.
 */
int gitops_fs_cache_root(char **out, const char *given, struct gitops_err *err);

/* mkdir -p: path and every parent, mode 0755 (existing ones left as they are). */
int gitops_fs_mkdir_p(const char *path, struct gitops_err *err);

/*
 * An exclusive flock(2) on the file `path` (created 0644), waited for up
 * to timeout seconds (polling every 50 ms): 0 with *fd open and locked; 1
 * when another holder kept it that long (*fd closed, -1); -1 with err on
 * an error.  `waiting` (may be NULL) is told once, when a wait begins.
 */
int gitops_fs_lock_wait(int *fd, const char *path, unsigned timeout, void (*waiting)(void *ctx), void *ctx,
			struct gitops_err *err);

/*
 * Walk `dir` recursively, entries in byte order of their names: calls `fn`
 * for each regular file (its path: dir "/" name...; its name).  Hidden
 * entries (a leading '.') are skipped, and so are symbolic links and special
 * files, so a walk never leaves the tree it was given.  The first `fn` that
 * returns < 0 ends the walk with its error.
 */
typedef int (*gitops_fs_walk_fn)(void *ctx, const char *path, const char *name, struct gitops_err *err);
int gitops_fs_walk(const char *dir, gitops_fs_walk_fn fn, void *ctx, struct gitops_err *err);

/*
 * Append the relative path `path` to b, cleaned: empty and "." segments
 * dropped, repeated '/' folded, segments joined with '/' (and one '/'
 * before them when b is not empty).  Returns 0, 1 when a segment is ".."
 * (b then holds what came before it), or -1 when out of memory.
 */
int gitops_fs_path_clean(struct gitops_buf *b, const char *path);

#endif
