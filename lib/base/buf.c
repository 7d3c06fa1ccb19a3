#include "lib/base/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* room for extra bytes and a NUL: the capacity doubled as far as needed, or exactly what is needed */
static int buf_grow_to(struct gitops_buf *b, size_t extra, int exact)
{
	size_t need, cap;
	char *p;

	if (extra > (size_t)-1 - b->len - 1)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = exact ? need : b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -1;
	if (!b->data)
		p[0] = '\0';
	b->data = p;
	b->cap = cap;
	return 0;
}

static int buf_grow(struct gitops_buf *b, size_t extra)
{
	return buf_grow_to(b, extra, 0);
}

int gitops_buf_reserve(struct gitops_buf *b, size_t more)
{
	return buf_grow_to(b, more, 1);
}

int gitops_buf_add(struct gitops_buf *b, const void *data, size_t len)
{
	if (buf_grow(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int gitops_buf_addstr(struct gitops_buf *b, const char *s)
{
	return gitops_buf_add(b, s, strlen(s));
}

/* Does fmt convert nothing but %s, %c and %%? */
static int plain_format(const char *fmt)
{
	const char *p;

	for (p = fmt; (p = strchr(p, '%')); p += 2)
		if (p[1] != 's' && p[1] != 'c' && p[1] != '%')
			return 0;
	return 1;
}

int gitops_buf_printf(struct gitops_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* the usual format, strings between words, appended without vsnprintf's two passes */
	if (plain_format(fmt)) {
		size_t len0 = b->len;
		const char *p = fmt, *q;
		int rc = buf_grow(b, 0);

		va_start(ap, fmt);
		while (rc == 0) {
			size_t lit;

			q = strchr(p, '%');
			lit = q ? (size_t)(q - p) : strlen(p);
			if (lit && gitops_buf_add(b, p, lit) < 0)
				rc = -1;
			if (rc < 0 || !q)
				break;
			if (q[1] == 's') {
				const char *s = va_arg(ap, const char *);

				if (!s)
					s = "(null)"; /* glibc's */
				rc = gitops_buf_add(b, s, strlen(s));
			} else {
				char c = q[1] == 'c' ? (char)va_arg(ap, int) : '%';

				rc = gitops_buf_add(b, &c, 1);
			}
			p = q + 2;
		}
		va_end(ap);
		if (rc < 0) {
			b->len = len0;
			if (b->data)
				b->data[len0] = '\0';
		}
		return rc;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void gitops_buf_release(struct gitops_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *gitops_buf_detach(struct gitops_buf *b)
{
	char *d;

	if (!b->data && gitops_buf_add(b, "", 0) < 0)
		return NULL;
	d = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

int gitops_buf_read_fd(struct gitops_buf *out, int fd, size_t max, const char *path, struct gitops_err *err)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gitops_err_errno(err, errno, path);
		if (n == 0)
			break;
		if (out->len + (size_t)n > max)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: larger than the limit of %zu bytes", path, max);
		if (gitops_buf_add(out, chunk, (size_t)n) < 0)
			return gitops_err_oom(err);
	}
	if (!out->data && gitops_buf_add(out, "", 0) < 0)
		return gitops_err_oom(err);
	return 0;
}

int gitops_buf_read_file(struct gitops_buf *out, const char *path, size_t max, struct gitops_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return gitops_err_errno(err, errno, path);
	ret = gitops_buf_read_fd(out, fd, max, path, err);
	close(fd);
	return ret;
}

int gitops_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

struct gitops_spool {
	struct gitops_buf mem;
	size_t mem_max;
	int fd;             /* -1 until the spool spills to a file */
	size_t size;
};

int gitops_spool_new(struct gitops_spool **out, size_t mem_max, struct gitops_err *err)
{
	struct gitops_spool *s = calloc(1, sizeof(*s));

	if (!s)
		return gitops_err_oom(err);
	s->mem_max = mem_max;
	s->fd = -1;
	*out = s;
	return 0;
}

static int spool_spill(struct gitops_spool *s, struct gitops_err *err)
{
	const char *dir = getenv("TMPDIR");
	struct gitops_buf path = GITOPS_BUF_INIT;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if (gitops_buf_printf(&path, "%s/gitops-spool-XXXXXX", dir) < 0)
		return gitops_err_oom(err);
	fd = mkostemp(path.data, O_CLOEXEC);
	if (fd < 0) {
		gitops_err_set(err, errno == ENOMEM ? GITOPS_EXIT_INTERNAL : GITOPS_EXIT_IO,
			       "cannot create a temporary file in '%s' for the output: %s", dir, strerror(errno));
		gitops_buf_release(&path);
		return -1;
	}
	unlink(path.data);
	gitops_buf_release(&path);
	if (gitops_write_all(fd, s->mem.data, s->mem.len) < 0) {
		gitops_err_errno(err, errno, "cannot write the temporary output file");
		close(fd);
		return -1;
	}
	gitops_buf_release(&s->mem);
	s->fd = fd;
	return 0;
}

#define SPOOL_BLOCK (64u << 10)

static int spool_flush(struct gitops_spool *s, struct gitops_err *err)
{
	if (s->fd < 0 || !s->mem.len)
		return 0;
	if (gitops_write_all(s->fd, s->mem.data, s->mem.len) < 0)
		return gitops_err_errno(err, errno, "cannot write the temporary output file");
	s->mem.len = 0;
	return 0;
}

int gitops_spool_write(void *ctx, const void *data, size_t len, struct gitops_err *err)
{
	struct gitops_spool *s = ctx;

	if (s->fd < 0 && s->mem.len + len > s->mem_max && spool_spill(s, err) < 0)
		return -1;
	/* once in a file, writes still go through the buffer, in blocks of SPOOL_BLOCK */
	if (s->fd >= 0 && s->mem.len + len > SPOOL_BLOCK && spool_flush(s, err) < 0)
		return -1;
	if (s->fd >= 0 && len > SPOOL_BLOCK) {
		if (gitops_write_all(s->fd, data, len) < 0)
			return gitops_err_errno(err, errno, "cannot write the temporary output file");
	} else if (gitops_buf_add(&s->mem, data, len) < 0) {
		return gitops_err_oom(err);
	}
	s->size += len;
	return 0;
}

size_t gitops_spool_size(const struct gitops_spool *s)
{
	return s->size;
}

int gitops_spool_copy_to_fd(struct gitops_spool *s, int fd, struct gitops_err *err)
{
	char chunk[1 << 16];
	off_t off = 0;

	if (s->fd < 0) {
		if (gitops_write_all(fd, s->mem.data, s->mem.len) < 0)
			return gitops_err_errno(err, errno, "write error on standard output");
		return 0;
	}
	if (spool_flush(s, err) < 0)
		return -1;
	for (;;) {
		ssize_t n = pread(s->fd, chunk, sizeof(chunk), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gitops_err_errno(err, errno, "cannot read the temporary output file");
		if (n == 0)
			break;
		if (gitops_write_all(fd, chunk, (size_t)n) < 0)
			return gitops_err_errno(err, errno, "write error on standard output");
		off += n;
	}
	return 0;
}

void gitops_spool_free(struct gitops_spool *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	gitops_buf_release(&s->mem);
	free(s);
}
