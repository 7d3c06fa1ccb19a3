/*
 * buf.h: a growable byte buffer, and a spool that holds a program's whole
 * output until it is known to be good.
 *
 * A spool keeps up to `mem_max` bytes in memory and moves to an unlinked
 * temporary file beyond that, so memory stays bounded however long the
 * stream.  Programs write their stream into a spool and copy it to stdout
 * only on success: a rejected stream writes nothing.
 */
#ifndef GITOPS_BUF_H
#define GITOPS_BUF_H

#include <stddef.h>
#include "lib/base/err.h"

struct gitops_buf {
	char *data;     /* NUL-terminated when non-NULL; owned */
	size_t len;
	size_t cap;
};

#define GITOPS_BUF_INIT { NULL, 0, 0 }

int gitops_buf_add(struct gitops_buf *b, const void *data, size_t len);
/*
 * Room for `more` bytes beyond what b holds, made at once and exactly (the
 * contents kept, NUL-terminated): for a caller that knows about how much
 * comes, sparing the copies of a doubling buffer.  0, or -1 (out of memory).
 */
int gitops_buf_reserve(struct gitops_buf *b, size_t more);
int gitops_buf_addstr(struct gitops_buf *b, const char *s);
int gitops_buf_printf(struct gitops_buf *b, const char *fmt, ...) GITOPS_PRINTF(2, 3);
void gitops_buf_release(struct gitops_buf *b);
/* Hand the caller the data (to free; never NULL unless out of memory) and empty the buffer. */
char *gitops_buf_detach(struct gitops_buf *b);

/* Read a whole file (at most `max` bytes, else an input error). */
int gitops_buf_read_file(struct gitops_buf *out, const char *path, size_t max, struct gitops_err *err);
/* The same from an open descriptor (to its end); path names it in errors. */
int gitops_buf_read_fd(struct gitops_buf *out, int fd, size_t max, const char *path, struct gitops_err *err);

struct gitops_spool;

/* mem_max: bytes kept in memory before spilling to a temporary file. */
int gitops_spool_new(struct gitops_spool **out, size_t mem_max, struct gitops_err *err);
/* The write callback used by stream writers: ctx is the spool. 0 or -1. */
int gitops_spool_write(void *ctx, const void *data, size_t len, struct gitops_err *err);
/* Copy everything written so far to fd. */
int gitops_spool_copy_to_fd(struct gitops_spool *s, int fd, struct gitops_err *err);
size_t gitops_spool_size(const struct gitops_spool *s);
void gitops_spool_free(struct gitops_spool *s);

/* write(2) all of it, retrying on EINTR and short writes. 0 or -1 with errno. */
int gitops_write_all(int fd, const void *data, size_t len);

#endif
