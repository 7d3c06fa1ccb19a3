/*
 * files.c: a chart's files from a directory (Helm's LoadDir on
 * internal/sympath's walk, .helmignore applied) or a packaged chart (Helm's
 * LoadArchiveFiles, the tar read with libarchive).
 */
#include "lib/render/helm/files.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/render/helm/ignore.h"

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

int gitops_helm_files_take(struct gitops_helm_files *f, const char *name, struct gitops_helm_file *src,
			   struct gitops_err *err)
{
	struct gitops_helm_file *e;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct gitops_helm_file *v = realloc(f->v, cap * sizeof(*v));
		if (!v)
			return gitops_err_oom(err);
		f->v = v;
		f->cap = cap;
	}
	e = &f->v[f->n];
	if (!(e->name = strdup(name)))
		return gitops_err_oom(err);
	e->data = src->data;
	e->len = src->len;
	src->data = NULL;
	src->len = 0;
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

/* --- shared helpers --- */

static const unsigned char utf8_bom[3] = { 0xEF, 0xBB, 0xBF };

/* Take ownership of data (len bytes, room for a NUL after them), a leading BOM dropped as Helm drops it. */
static int add_owned(struct gitops_helm_files *f, const char *name, unsigned char *data, size_t len,
		     struct gitops_err *err)
{
	char *n = strdup(name);

	if (!n) {
		free(n);
		free(data);
		return gitops_err_oom(err);
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct gitops_helm_file *v = realloc(f->v, cap * sizeof(*v));
		if (!v) {
			free(n);
			free(data);
			return gitops_err_oom(err);
		}
		f->v = v;
		f->cap = cap;
	}
	if (len >= 3 && memcmp(data, utf8_bom, 3) == 0) {
		memmove(data, data + 3, len - 3);
		len -= 3;
	}
	data[len] = 0;
	f->v[f->n].name = n;
	f->v[f->n].data = data;
	f->v[f->n].len = len;
	f->n++;
	return 0;
}

/* Go's %q of a string (strconv.Quote), near enough for a message: b gets it, quotes included. */
static void go_quote(struct gitops_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	gitops_buf_addstr(b, "\"");
	while (*p) {
		unsigned c = *p;
		if (c == '"' || c == '\\') {
			gitops_buf_printf(b, "\\%c", c);
			p++;
		} else if (c >= 0x20 && c < 0x7f) {
			gitops_buf_add(b, p, 1);
			p++;
		} else if (c < 0x80) {
			const char *esc = c == '\a' ? "\\a" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : c == '\n' ? "\\n"
				: c == '\r' ? "\\r" : c == '\t' ? "\\t" : c == '\v' ? "\\v" : NULL;
			if (esc)
				gitops_buf_addstr(b, esc);
			else
				gitops_buf_printf(b, "\\x%02x", c);
			p++;
		} else {
			/* a UTF-8 sequence: kept when well formed and printable, else escaped */
			size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
			unsigned long r = n == 4 ? c & 7 : n == 3 ? c & 15 : c & 31;
			size_t i;
			for (i = 1; i < n && (p[i] & 0xC0) == 0x80; i++)
				r = r << 6 | (p[i] & 0x3F);
			if (n == 0 || i < n || (n == 3 && r < 0x800) || (n == 4 && (r < 0x10000 || r > 0x10FFFF))
			    || (r >= 0xD800 && r <= 0xDFFF) || (c >= 0xF5)) {
				gitops_buf_printf(b, "\\x%02x", c);
				p++;
				continue;
			}
			if (r < 0xA0 || r == 0xAD || r == 0xFEFF || (r >= 0x200B && r <= 0x200F) || r == 0x2028
			    || r == 0x2029 || (r >= 0x2060 && r <= 0x2064))
				gitops_buf_printf(b, r > 0xFFFF ? "\\U%08lx" : "\\u%04lx", r);
			else
				gitops_buf_add(b, p, n);
			p += n;
		}
	}
	gitops_buf_addstr(b, "\"");
}

/* Go's path.Clean of a relative path (s holds no leading '/'); a new string, NULL when out of memory. */
static char *go_clean(const char *s, size_t len)
{
	char *out = malloc(len + 2);
	size_t r = 0, w = 0, dotdot = 0;
	int rooted = len > 0 && s[0] == '/';

	if (!out)
		return NULL;
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < len) {
		if (s[r] == '/') {
			r++;
		} else if (s[r] == '.' && (r + 1 == len || s[r + 1] == '/')) {
			r++;
		} else if (s[r] == '.' && s[r + 1] == '.' && (r + 2 == len || s[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < len && s[r] != '/'; r++)
				out[w++] = s[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = 0;
	return out;
}

/* --- the directory --- */

/* Helm 3.17.3's limits (pkg/chart/loader): 5 MiB a file, 100 MiB a chart. */
#define HELM_FILE_MAX GITOPS_HELM_FILE_MAX
#define HELM_CHART_MAX GITOPS_HELM_CHART_MAX
/* our own bounds on what a chart's list holds */
#define HELM_FILES_MAX 100000
#define HELM_NAME_MAX 4096
#define HELM_DIRS_MAX 100000
/* directories held open while walked, to open their entries by name; deeper ones go by path */
#define HELM_FD_DEPTH 32
#define DENTS_BUF 32768

/*
 * 1 (the default): the walk opens what readdir calls a regular file or a
 * directory straight away, by name, and stats only the rest.  Tests set 0
 * (declaring it themselves: no header carries it) to send every entry the
 * long way, lstat first, as a file system whose readdir gives DT_UNKNOWN
 * does: the results must agree.
 */
int gitops_helm_files_trust_dtype = 1;

struct ino_ent {
	dev_t dev;
	ino_t ino;
};

/* what one read takes of a file before it is stat'ed (fast_file) */
#define FAST_READ ((size_t)64 << 10)

struct dirwalk {
	struct gitops_helm_files *out;
	struct gitops_helm_ignore *rules;
	char *root;      /* the chart directory's real path */
	size_t rootlen;
	char *top;       /* its absolute path as given, for messages (Helm's topdir) */
	size_t total;    /* bytes read */
	size_t dirs;     /* directories walked (links can make a tree of few directories walk long) */
	struct ino_ent *stack;  /* the directories being walked, to catch a link back up */
	size_t depth, stack_cap;
	int rootfd;             /* the chart directory open, or -1 */
	unsigned char *ign_data; /* .helmignore's bytes, read for its rules, for the walk to take */
	size_t ign_len;
	int dtype_off;          /* every entry the long way, as if readdir gave DT_UNKNOWN (tests) */
	int closing[64];        /* files read, closed together (close_later) */
	size_t nclosing;
};

/*
 * A chart's files are closed some 64 at a time, with close_range over each
 * run of consecutive descriptors (open takes the lowest free one, so most
 * are): one call instead of one a file.  A chart of 230 files made 230
 * closes, each a few microseconds on a VM where a system call is dear.
 */
static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void close_pending(struct dirwalk *w)
{
	size_t i = 0, j;

	if (w->nclosing > 1)
		qsort(w->closing, w->nclosing, sizeof(*w->closing), cmp_int);
	while (i < w->nclosing) {
		for (j = i; j + 1 < w->nclosing && w->closing[j + 1] == w->closing[j] + 1; j++)
			;
		if (j == i || close_range((unsigned)w->closing[i], (unsigned)w->closing[j], 0) != 0)
			for (size_t k = i; k <= j; k++)
				close(w->closing[k]);
		i = j + 1;
	}
	w->nclosing = 0;
}

static void close_later(struct dirwalk *w, int fd)
{
	if (w->nclosing == sizeof(w->closing) / sizeof(*w->closing))
		close_pending(w);
	w->closing[w->nclosing++] = fd;
}

static int inside_root(const struct dirwalk *w, const char *real)
{
	if (w->rootlen == 1)
		return real[0] == '/';
	return strncmp(real, w->root, w->rootlen) == 0 && (real[w->rootlen] == 0 || real[w->rootlen] == '/');
}

static int too_big(const char *path, struct gitops_err *err);

/*
 * Read the regular file open as fd, fstat'd as *fst, into a new buffer (room
 * for a NUL after its bytes); at most HELM_FILE_MAX bytes.  One read() of the
 * size stat gave and a byte more: when it returns just that size, that is the
 * whole file; otherwise (a file that grew or shrank meanwhile) it reads on to
 * the end.  The file is not closed.  A failed read() is -1 with *read_errno
 * set, err left for the caller to fill (it knows the name to show).
 */
static int read_fd(unsigned char **out, size_t *outlen, int fd, const char *path, const struct stat *fst,
		   int *read_errno, struct gitops_err *err)
{
	unsigned char *data = NULL;
	size_t len = 0;
	size_t cap = (size_t)fst->st_size < HELM_FILE_MAX ? (size_t)fst->st_size + 2 : HELM_FILE_MAX + 2;
	int first = 1;

	*out = NULL;
	*read_errno = 0;
	data = malloc(cap);
	if (!data)
		return gitops_err_oom(err);
	for (;;) {
		if (len + 1 >= cap) {
			size_t nc = cap * 2 < HELM_FILE_MAX + 2 ? cap * 2 : HELM_FILE_MAX + 2;
			unsigned char *nd = realloc(data, nc);
			if (!nd) {
				free(data);
				return gitops_err_oom(err);
			}
			data = nd;
			cap = nc;
		}
		ssize_t n = read(fd, data + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*read_errno = errno;
			free(data);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > HELM_FILE_MAX) {
			free(data);
			return too_big(path, err);
		}
		if (first && (uintmax_t)len == (uintmax_t)fst->st_size)
			break;
		first = 0;
	}
	*out = data;
	*outlen = len;
	return 0;
}

/* Read the regular file at path (stat'd as *st) into a new buffer; at most HELM_FILE_MAX bytes. */
static int read_regular(unsigned char **out, size_t *outlen, const char *path, const char *shown, const struct stat *st,
			struct gitops_err *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat fst;
	int rc, e;

	*out = NULL;
	if (fd < 0)
		return gitops_err_set(err, GITOPS_EXIT_IO, "error reading %s: %s", shown, strerror(errno));
	if (fstat(fd, &fst) < 0 || !S_ISREG(fst.st_mode) || fst.st_dev != st->st_dev || fst.st_ino != st->st_ino) {
		close(fd);
		return gitops_err_set(err, GITOPS_EXIT_IO, "error reading %s: the file changed while it was read", shown);
	}
	if ((rc = read_fd(out, outlen, fd, path, &fst, &e, err)) < 0 && e)
		gitops_err_set(err, GITOPS_EXIT_IO, "error reading %s: %s", shown, strerror(e));
	close(fd);
	return rc;
}

struct dent {
	char *name;
	unsigned char type; /* readdir's d_type: DT_UNKNOWN where the file system does not say */
};

static int cmp_dents(const void *a, const void *b)
{
	return strcmp(((const struct dent *)a)->name, ((const struct dent *)b)->name);
}

static void dents_free(struct dent *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/*
 * The sorted entries of a directory (Go's Readdirnames + sort.Strings), with
 * their types.  *fdp is the directory open, or -1 to open path here (it is
 * left open in *fdp then, for the caller to close).  getdents64 rather than
 * fdopendir: that would fstat and fcntl the descriptor once more.
 */
static int read_names(struct dent **out, size_t *n, int *fdp, const char *path, const char *shown,
		      struct gitops_err *err)
{
	struct dent *v = NULL;
	size_t cnt = 0, cap = 0;
	char *buf = NULL;
	int fd = *fdp;

	*out = NULL;
	*n = 0;
	if (fd < 0) {
		fd = open(path, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return gitops_err_set(err, GITOPS_EXIT_IO, "open %s: %s", shown, strerror(errno));
		*fdp = fd;
	}
	if (!(buf = malloc(DENTS_BUF)))
		goto oom;
	for (;;) {
		ssize_t got = getdents64(fd, buf, DENTS_BUF);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			dents_free(v, cnt);
			free(buf);
			return gitops_err_set(err, GITOPS_EXIT_IO, "readdirent %s: %s", shown, strerror(e));
		}
		if (got == 0)
			break;
		for (size_t off = 0; off < (size_t)got;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);
			off += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (cnt == cap) {
				size_t nc = cap ? cap * 2 : 32;
				struct dent *nv = realloc(v, nc * sizeof(*nv));
				if (!nv)
					goto oom;
				v = nv;
				cap = nc;
			}
			if (!(v[cnt].name = strdup(de->d_name)))
				goto oom;
			v[cnt].type = de->d_type;
			cnt++;
			if (cnt > HELM_FILES_MAX) {
				dents_free(v, cnt);
				free(buf);
				return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: more than %d entries in one directory",
						      shown, HELM_FILES_MAX);
			}
		}
	}
	free(buf);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_dents);
	*out = v;
	*n = cnt;
	return 0;
oom:
	dents_free(v, cnt);
	free(buf);
	return gitops_err_oom(err);
}


static int walk_dir(struct dirwalk *w, int fd, const char *path, const char *rel, const struct stat *st,
		    struct gitops_err *err);

static int too_big(const char *path, struct gitops_err *err)
{
	struct gitops_buf q = GITOPS_BUF_INIT;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	go_quote(&q, base);
	gitops_err_set(err, GITOPS_EXIT_INPUT, "chart file %s is larger than the maximum file size %zu",
		       q.data ? q.data : base, HELM_FILE_MAX);
	gitops_buf_release(&q);
	return -1;
}

/* The name messages give a file of the chart: Helm's topdir, '/', rel. */
static int shown_name(struct gitops_buf *shown, const struct dirwalk *w, const char *rel, struct gitops_err *err)
{
	if (gitops_buf_addstr(shown, w->top) < 0 || gitops_buf_add(shown, "/", 1) < 0 ||
	    gitops_buf_addstr(shown, rel) < 0)
		return gitops_err_oom(err);
	return 0;
}

/* The last checks of a file read (data, len bytes: taken), and its place in the list. */
static int add_read(struct dirwalk *w, const char *rel, unsigned char *data, size_t len, struct gitops_err *err)
{
	if (len >= HELM_CHART_MAX - w->total) {
		free(data);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "chart directory %s is larger than the maximum size %zu",
				      w->top, HELM_CHART_MAX);
	}
	w->total += len;
	return add_owned(w->out, rel, data, len, err);
}

static int too_many(const struct dirwalk *w, struct gitops_err *err)
{
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "chart directory %s holds more than %d files", w->top,
			      HELM_FILES_MAX);
}

/*
 * An entry that readdir says is a regular file, opened by its name in the
 * directory `at` (O_NOFOLLOW: a link put there meanwhile is not followed)
 * and read: one open, one fstat, one read.  1 when it could not be opened
 * as a regular file: the caller then takes the long way, whose lstat gives
 * the message it always gave.
 */
static int fast_file(struct dirwalk *w, int at, const char *name, const char *path, const char *rel,
		     struct gitops_err *err)
{
	struct gitops_buf shown = GITOPS_BUF_INIT;
	struct stat st;
	unsigned char *data = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, e, rc = -1;

	if (w->ign_data && w->depth == 1 && strcmp(name, ".helmignore") == 0) {
		/* read already for its rules (load_rules): the same bytes, not read twice */
		if (w->out->n >= HELM_FILES_MAX)
			return too_many(w, err);
		data = w->ign_data;
		len = w->ign_len;
		w->ign_data = NULL;
		return add_read(w, rel, data, len, err);
	}
	fd = openat(at, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 1;
	if (w->out->n >= HELM_FILES_MAX) {
		too_many(w, err);
		goto done;
	}
	/*
	 * Most of a chart's files are small: one read of up to FAST_READ bytes
	 * that comes back short has read the whole file (a regular file's read
	 * is short only at its end), with no fstat before it.  Anything else (a
	 * file as large, an empty one, a read that fails: a directory put there
	 * meanwhile) is looked at again from the start, as before: fstat, then
	 * the size stat gave and a byte more.
	 */
	if ((data = malloc(FAST_READ + 1))) {
		do
			n = read(fd, data, FAST_READ);
		while (n < 0 && errno == EINTR);
		if (n > 0 && (size_t)n < FAST_READ) {
			unsigned char *fit = realloc(data, (size_t)n + 1);
			if (fit)
				data = fit;
			data[n] = 0;
			rc = add_read(w, rel, data, (size_t)n, err);
			goto done;
		}
		free(data);
		data = NULL;
		if (n != 0 && lseek(fd, 0, SEEK_SET) != 0) {
			close(fd);
			return 1;
		}
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 1;
	}
	if ((uintmax_t)st.st_size > HELM_FILE_MAX) {
		too_big(path, err);
		goto done;
	}
	if (read_fd(&data, &len, fd, path, &st, &e, err) < 0) {
		if (e && shown_name(&shown, w, rel, err) == 0)
			gitops_err_set(err, GITOPS_EXIT_IO, "error reading %s: %s", shown.data, strerror(e));
		goto done;
	}
	rc = add_read(w, rel, data, len, err);
done:
	close_later(w, fd);
	gitops_buf_release(&shown);
	return rc;
}

/*
 * One entry of the walk: name in the directory open as `at` (-1: use path),
 * type readdir's d_type, path where it is on disk, rel its name in the
 * chart.  A regular file or a directory that readdir names as such is
 * opened by name (fast_file, or openat for a directory) and nothing more;
 * anything else (a link, a device, DT_UNKNOWN, or one that fails to open
 * so) takes the long way: lstat, a link resolved, then the same checks.
 */
static int walk_entry(struct dirwalk *w, int at, const char *name, unsigned char type, const char *path,
		      const char *rel, struct gitops_err *err)
{
	struct gitops_buf shown = GITOPS_BUF_INIT;
	struct stat st;
	const char *target = path;
	char *resolved = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	int rc = -1;

	if (at >= 0 && type == DT_REG) {
		if (gitops_helm_ignore_match(w->rules, rel, 0))
			return 0;
		if ((rc = fast_file(w, at, name, path, rel, err)) <= 0)
			return rc;
		rc = -1;
	} else if (at >= 0 && type == DT_DIR) {
		if (gitops_helm_ignore_match(w->rules, rel, 1))
			return 0;
		int fd = openat(at, name, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
				return walk_dir(w, fd, path, rel, &st, err);
			close(fd);
		}
	}
	if (shown_name(&shown, w, rel, err) < 0)
		goto done;
	if (lstat(path, &st) < 0) {
		gitops_err_set(err, GITOPS_EXIT_IO, "lstat %s: %s", shown.data, strerror(errno));
		goto done;
	}
	if (S_ISLNK(st.st_mode)) {
		/* Helm follows every link (with a warning); we follow those that stay inside the chart */
		resolved = realpath(path, NULL);
		if (!resolved) {
			gitops_err_set(err, GITOPS_EXIT_IO, "error evaluating symlink %s: %s", shown.data,
				       strerror(errno));
			goto done;
		}
		if (lstat(resolved, &st) < 0) {
			gitops_err_set(err, GITOPS_EXIT_IO, "lstat %s: %s", resolved, strerror(errno));
			goto done;
		}
		if (!inside_root(w, resolved)) {
			if (gitops_helm_ignore_match(w->rules, rel, S_ISDIR(st.st_mode))) {
				rc = 0;
				goto done;
			}
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "symbolic link %s resolves to %s, outside the chart directory (not followed)",
				       shown.data, resolved);
			goto done;
		}
		target = resolved;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = gitops_helm_ignore_match(w->rules, rel, 1) ? 0 : walk_dir(w, -1, target, rel, &st, err);
		goto done;
	}
	if (gitops_helm_ignore_match(w->rules, rel, 0)) {
		rc = 0;
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "cannot load irregular file %s as it has file mode type bits set",
			       shown.data);
		goto done;
	}
	if ((uintmax_t)st.st_size > HELM_FILE_MAX) {
		too_big(target, err);
		goto done;
	}
	if (w->out->n >= HELM_FILES_MAX) {
		too_many(w, err);
		goto done;
	}
	if (read_regular(&data, &len, target, shown.data, &st, err) < 0) {
		goto done;
	}
	rc = add_read(w, rel, data, len, err);
done:
	free(resolved);
	gitops_buf_release(&shown);
	return rc;
}

/*
 * Walk the directory open as fd (taken: closed here), or at path when fd is
 * -1; st is its stat.  Its entries are opened by name relative to it, down to
 * a depth of HELM_FD_DEPTH (deeper, by path: so few descriptors are held).
 */
static int walk_dir(struct dirwalk *w, int fd, const char *path, const char *rel, const struct stat *st,
		    struct gitops_err *err)
{
	struct dent *names = NULL;
	size_t n = 0, i;
	int rc = -1;
	struct gitops_buf cp = GITOPS_BUF_INIT, cr = GITOPS_BUF_INIT;

	for (i = 0; i < w->depth; i++)
		if (w->stack[i].dev == st->st_dev && w->stack[i].ino == st->st_ino) {
			rc = gitops_err_set(err, GITOPS_EXIT_INPUT,
					    "%s/%s: a symbolic link leads back to a directory that holds it", w->top, rel);
			goto out;
		}
	if (++w->dirs > HELM_DIRS_MAX) {
		rc = gitops_err_set(err, GITOPS_EXIT_INPUT, "chart directory %s: more than %d directories to walk",
				    w->top, HELM_DIRS_MAX);
		goto out;
	}
	if (w->depth == w->stack_cap) {
		size_t cap = w->stack_cap ? w->stack_cap * 2 : 16;
		struct ino_ent *v = realloc(w->stack, cap * sizeof(*v));
		if (!v) {
			rc = gitops_err_oom(err);
			goto out;
		}
		w->stack = v;
		w->stack_cap = cap;
	}
	w->stack[w->depth].dev = st->st_dev;
	w->stack[w->depth].ino = st->st_ino;
	w->depth++;
	if (read_names(&names, &n, &fd, path, *rel ? rel : w->top, err) < 0)
		goto done;
	if (w->depth > HELM_FD_DEPTH && fd >= 0) {
		close(fd);
		fd = -1;
	}
	for (i = 0; i < n; i++) {
		cp.len = cr.len = 0;
		/* joined by hand: a printf each was a tenth of loading a chart of many files */
		if (gitops_buf_addstr(&cp, path) < 0 || gitops_buf_add(&cp, "/", 1) < 0 ||
		    gitops_buf_addstr(&cp, names[i].name) < 0 || gitops_buf_addstr(&cr, rel) < 0 ||
		    gitops_buf_add(&cr, "/", *rel ? 1 : 0) < 0 || gitops_buf_addstr(&cr, names[i].name) < 0) {
			gitops_err_oom(err);
			goto done;
		}
		if (cr.len > HELM_NAME_MAX) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s/%.64s...: a name longer than %d bytes", w->top, cr.data,
				       HELM_NAME_MAX);
			goto done;
		}
		if (walk_entry(w, fd, names[i].name, w->dtype_off ? DT_UNKNOWN : names[i].type, cp.data, cr.data,
			       err) < 0)
			goto done;
	}
	rc = 0;
done:
	w->depth--;
	dents_free(names, n);
	gitops_buf_release(&cp);
	gitops_buf_release(&cr);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* dir made absolute and clean as Go's filepath.Abs makes it (no link resolved): the name messages use. */
static char *abs_dir(const char *dir)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char *out;

	if (dir[0] != '/') {
		char *cwd = getcwd(NULL, 0);
		if (!cwd)
			return NULL;
		gitops_buf_printf(&b, "%s/%s", cwd, dir);
		free(cwd);
	} else {
		gitops_buf_addstr(&b, dir);
	}
	if (!b.data)
		return NULL;
	out = go_clean(b.data, b.len);
	gitops_buf_release(&b);
	if (out && strcmp(out, "/") == 0)
		out[0] = 0; /* so that "%s/%s" shows "/name" */
	return out;
}

/* The chart's .helmignore, when it has one (Helm: os.Stat, then ignore.ParseFile). */
static int load_rules(struct dirwalk *w, struct gitops_err *err)
{
	struct gitops_buf path = GITOPS_BUF_INIT, shown = GITOPS_BUF_INIT;
	struct stat st;
	char *resolved = NULL;
	const char *target;
	unsigned char *data = NULL;
	size_t len = 0;
	int rc = -1;

	if (gitops_buf_printf(&path, "%s/.helmignore", w->root) < 0
	    || gitops_buf_printf(&shown, "%s/.helmignore", w->top) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	target = path.data;
	if (w->rootfd >= 0) {
		/* the usual case in three calls; anything unusual takes the long way below */
		int fd = openat(w->rootfd, ".helmignore", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), e;
		if (fd < 0 && errno == ENOENT) {
			rc = gitops_helm_ignore_parse(&w->rules, NULL, 0, err);
			goto done;
		}
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			if ((uintmax_t)st.st_size > HELM_FILE_MAX)
				too_big(target, err);
			else if (read_fd(&data, &len, fd, target, &st, &e, err) < 0) {
				if (e)
					gitops_err_set(err, GITOPS_EXIT_IO, "error reading %s: %s", shown.data, strerror(e));
			} else if ((rc = gitops_helm_ignore_parse(&w->rules, (const char *)data, len, err)) == 0) {
				w->ign_data = data;
				w->ign_len = len;
				data = NULL;
			}
			close(fd);
			goto done;
		}
		if (fd >= 0)
			close(fd);
	}
	if (lstat(path.data, &st) < 0) {
		rc = gitops_helm_ignore_parse(&w->rules, NULL, 0, err);
		goto done;
	}
	if (S_ISLNK(st.st_mode)) {
		resolved = realpath(path.data, NULL);
		if (!resolved || stat(resolved, &st) < 0) {
			/* Helm's os.Stat fails: no rules (the walk then stops at the link) */
			rc = gitops_helm_ignore_parse(&w->rules, NULL, 0, err);
			goto done;
		}
		if (!inside_root(w, resolved)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "symbolic link %s resolves to %s, outside the chart directory (not followed)",
				       shown.data, resolved);
			goto done;
		}
		target = resolved;
	}
	if (S_ISDIR(st.st_mode)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "read %s: is a directory", shown.data);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "cannot load irregular file %s as it has file mode type bits set",
			       shown.data);
		goto done;
	}
	if ((uintmax_t)st.st_size > HELM_FILE_MAX) {
		too_big(target, err);
		goto done;
	}
	if (read_regular(&data, &len, target, shown.data, &st, err) < 0) {
		goto done;
	}
	rc = gitops_helm_ignore_parse(&w->rules, (const char *)data, len, err);
done:
	free(data);
	free(resolved);
	gitops_buf_release(&path);
	gitops_buf_release(&shown);
	return rc;
}

/* Move every file of src to the end of dst (dst's own files kept); src is left empty. */
static int files_append(struct gitops_helm_files *dst, struct gitops_helm_files *src, struct gitops_err *err)
{
	if (dst->n == 0) {
		free(dst->v);
		*dst = *src;
	} else {
		if (dst->cap - dst->n < src->n) {
			size_t cap = dst->n + src->n;
			struct gitops_helm_file *v = realloc(dst->v, cap * sizeof(*v));
			if (!v) {
				gitops_helm_files_release(src);
				return gitops_err_oom(err);
			}
			dst->v = v;
			dst->cap = cap;
		}
		memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
		dst->n += src->n;
		free(src->v);
	}
	src->v = NULL;
	src->n = src->cap = 0;
	return 0;
}

int gitops_helm_files_from_dir(struct gitops_helm_files *out, const char *dir, struct gitops_err *err)
{
	struct gitops_helm_files got = GITOPS_HELM_FILES_INIT;
	struct dirwalk w;
	struct stat st;
	int rc = -1, fd;

	memset(&w, 0, sizeof(w));
	w.rootfd = -1;
	w.out = &got;
	w.top = abs_dir(dir);
	if (!w.top)
		return gitops_err_oom(err);
	w.root = realpath(dir, NULL);
	if (!w.root || stat(w.root, &st) < 0) {
		gitops_err_set(err, GITOPS_EXIT_IO, "stat %s: %s", dir, strerror(errno));
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: not a directory", dir);
		goto done;
	}
	w.rootlen = strlen(w.root);
	w.dtype_off = !gitops_helm_files_trust_dtype;
	w.rootfd = w.dtype_off ? -1 : open(w.root, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC);
	if (load_rules(&w, err) < 0 || gitops_helm_ignore_add_defaults(w.rules, err) < 0)
		goto done;
	fd = w.rootfd;
	w.rootfd = -1;
	if (walk_dir(&w, fd, w.root, "", &st, err) < 0)
		goto done;
	rc = files_append(out, &got, err);
done:
	close_pending(&w);
	gitops_helm_files_release(&got);
	gitops_helm_ignore_free(w.rules);
	if (w.rootfd >= 0)
		close(w.rootfd);
	free(w.ign_data);
	free(w.stack);
	free(w.root);
	free(w.top);
	return rc;
}

/* --- the packaged chart --- */

/*
 * Go's http.DetectContentType of the first 512 bytes, zero-padded to 512 as
 * Helm's ensureArchive reads them (so a short text file is
 * "application/octet-stream", as Helm says).
 */
static int is_ws(unsigned char c)
{
	return c == '\t' || c == '\n' || c == '\x0c' || c == '\r' || c == ' ';
}

static const char *sniff(const unsigned char *in, size_t inlen)
{
	static const char *const html[] = { "<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV",
		"<FONT", "<TABLE", "<A", "<STYLE", "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--" };
	static const struct {
		const char *pat, *mask;
		size_t len;
		const char *ct;
	} masked[] = {
		{ "\xFE\xFF\x00\x00", "\xFF\xFF\x00\x00", 4, "text/plain; charset=utf-16be" },
		{ "\xFF\xFE\x00\x00", "\xFF\xFF\x00\x00", 4, "text/plain; charset=utf-16le" },
		{ "\xEF\xBB\xBF\x00", "\xFF\xFF\xFF\x00", 4, "text/plain; charset=utf-8" },
		{ "\x00\x00\x01\x00", NULL, 4, "image/x-icon" },
		{ "\x00\x00\x02\x00", NULL, 4, "image/x-icon" },
		{ "BM", NULL, 2, "image/bmp" },
		{ "GIF87a", NULL, 6, "image/gif" },
		{ "GIF89a", NULL, 6, "image/gif" },
		{ "RIFF\x00\x00\x00\x00WEBPVP", "\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF", 14, "image/webp" },
		{ "\x89PNG\x0D\x0A\x1A\x0A", NULL, 8, "image/png" },
		{ "\xFF\xD8\xFF", NULL, 3, "image/jpeg" },
		{ "FORM\x00\x00\x00\x00" "AIFF", "\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", 12, "audio/aiff" },
		{ "ID3", NULL, 3, "audio/mpeg" },
		{ "OggS\x00", NULL, 5, "application/ogg" },
		{ "MThd\x00\x00\x00\x06", NULL, 8, "audio/midi" },
		{ "RIFF\x00\x00\x00\x00" "AVI ", "\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", 12, "video/avi" },
		{ "RIFF\x00\x00\x00\x00WAVE", "\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", 12, "audio/wave" },
	};
	static const struct {
		const char *pat;
		size_t len;
		const char *ct;
	} late[] = {
		{ "\x1A\x45\xDF\xA3", 4, "video/webm" },
		{ NULL, 0, NULL }, /* the font object, below */
		{ "\x00\x01\x00\x00", 4, "font/ttf" },
		{ "OTTO", 4, "font/otf" },
		{ "ttcf", 4, "font/collection" },
		{ "wOFF", 4, "font/woff" },
		{ "wOF2", 4, "font/woff2" },
		{ "\x1F\x8B\x08", 3, "application/x-gzip" },
		{ "PK\x03\x04", 4, "application/zip" },
		{ "Rar!\x1A\x07\x00", 7, "application/x-rar-compressed" },
		{ "Rar!\x1A\x07\x01\x00", 8, "application/x-rar-compressed" },
		{ "\x00\x61\x73\x6D", 4, "application/wasm" },
	};
	unsigned char d[512];
	size_t ws = 0, i, j;

	memset(d, 0, sizeof(d));
	memcpy(d, in, inlen < sizeof(d) ? inlen : sizeof(d));
	while (ws < sizeof(d) && is_ws(d[ws]))
		ws++;
	for (i = 0; i < sizeof(html) / sizeof(html[0]); i++) {
		size_t n = strlen(html[i]);
		if (ws + n + 1 > sizeof(d))
			continue;
		for (j = 0; j < n; j++) {
			unsigned char c = d[ws + j];
			if (c >= 'a' && c <= 'z' && html[i][j] >= 'A' && html[i][j] <= 'Z')
				c = (unsigned char)(c - 'a' + 'A');
			if (c != (unsigned char)html[i][j])
				break;
		}
		if (j == n && (d[ws + n] == ' ' || d[ws + n] == '>'))
			return "text/html; charset=utf-8";
	}
	if (ws + 5 <= sizeof(d) && memcmp(d + ws, "<?xml", 5) == 0)
		return "text/xml; charset=utf-8";
	if (memcmp(d, "%PDF-", 5) == 0)
		return "application/pdf";
	if (memcmp(d, "%!PS-Adobe-", 11) == 0)
		return "application/postscript";
	for (i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		for (j = 0; j < masked[i].len; j++) {
			unsigned char m = masked[i].mask ? (unsigned char)masked[i].mask[j] : 0xFF;
			if ((d[j] & m) != (unsigned char)masked[i].pat[j])
				break;
		}
		if (j == masked[i].len)
			return masked[i].ct;
	}
	/* mp4: a box "ftyp" whose brands hold "mp4" */
	{
		uint32_t box = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
		if (box <= sizeof(d) && box % 4 == 0 && memcmp(d + 4, "ftyp", 4) == 0)
			for (size_t st = 8; st < box; st += 4)
				if (st != 12 && memcmp(d + st, "mp4", 3) == 0)
					return "video/mp4";
	}
	for (i = 0; i < sizeof(late) / sizeof(late[0]); i++) {
		if (!late[i].pat) {
			for (j = 0; j < 34 && d[j] == 0; j++)
				;
			if (j == 34 && d[34] == 'L' && d[35] == 'P')
				return "application/vnd.ms-fontobject";
			continue;
		}
		if (memcmp(d, late[i].pat, late[i].len) == 0)
			return late[i].ct;
	}
	for (i = ws; i < sizeof(d); i++) {
		unsigned char b = d[i];
		if (b <= 0x08 || b == 0x0B || (b >= 0x0E && b <= 0x1A) || (b >= 0x1C && b <= 0x1F))
			return "application/octet-stream";
	}
	return "text/plain; charset=utf-8";
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Helm's error naming an entry: fmt is given the Go-quoted name (%s). */
static int entry_err(struct gitops_err *err, const char *fmt, const char *name)
{
	struct gitops_buf q = GITOPS_BUF_INIT;

	go_quote(&q, name);
	gitops_err_set(err, GITOPS_EXIT_INPUT, fmt, q.data ? q.data : "\"\"");
	gitops_buf_release(&q);
	return -1;
}

/*
 * Helm's checks of one entry's name, and its name in the chart (*out, to
 * free): the first component dropped ('\' the separator when the name holds
 * one), made '/'-separated and clean.
 */
static int entry_name(char **out, const char *name, struct gitops_err *err)
{
	char delim = strchr(name, '\\') ? '\\' : '/';
	const char *first = strchr(name, delim);
	size_t plen = first ? (size_t)(first - name) : strlen(name);
	const char *rest = first ? first + 1 : "";
	char *n = strdup(rest), *clean;

	*out = NULL;
	if (!n)
		return gitops_err_oom(err);
	for (char *p = n; *p; p++)
		if (*p == delim)
			*p = '/';
	if (n[0] == '/') {
		free(n);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "chart illegally contains absolute paths");
	}
	clean = go_clean(n, strlen(n));
	free(n);
	if (!clean)
		return gitops_err_oom(err);
	if (strcmp(clean, ".") == 0) {
		free(clean);
		return entry_err(err, "chart illegally contains content outside the base directory: %s", name);
	}
	if (strncmp(clean, "..", 2) == 0) {
		free(clean);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "chart illegally references parent directory");
	}
	if (((clean[0] >= 'a' && clean[0] <= 'z') || (clean[0] >= 'A' && clean[0] <= 'Z')) && clean[1] == ':'
	    && clean[2] == '/') {
		free(clean);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "chart contains illegally named files");
	}
	if (plen == 10 && memcmp(name, "Chart.yaml", 10) == 0) {
		free(clean);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "chart yaml not in base directory");
	}
	if (strlen(clean) > HELM_NAME_MAX) {
		free(clean);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "chart archive holds a name longer than %d bytes",
				      HELM_NAME_MAX);
	}
	*out = clean;
	return 0;
}

static int archive_err(struct archive *a, const char *what, struct gitops_err *err)
{
	const char *msg = archive_error_string(a);

	return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a valid chart archive: %s", what ? what : "chart archive",
			      msg ? msg : "unreadable");
}

int gitops_helm_files_from_archive(struct gitops_helm_files *out, const void *data, size_t len, const char *what,
				   struct gitops_err *err)
{
	static const unsigned char gz[3] = { 0x1F, 0x8B, 0x08 };
	struct gitops_helm_files got = GITOPS_HELM_FILES_INIT;
	struct archive *a = NULL;
	struct archive_entry *e;
	size_t remaining = HELM_CHART_MAX;
	unsigned char *buf = NULL;
	char *name = NULL;
	int rc = -1, r;

	if (len < 3 || memcmp(data, gz, 3) != 0) {
		if (!what)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "gzip: invalid header");
		if (ends_with(what, ".yml") || ends_with(what, ".yaml"))
			return gitops_err_set(err, GITOPS_EXIT_INPUT,
					      "file '%s' seems to be a YAML file, but expected a gzipped archive", what);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "file '%s' does not appear to be a gzipped archive; got '%s'",
				      what, sniff(data, len));
	}
	a = archive_read_new();
	if (!a)
		return gitops_err_oom(err);
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK || archive_read_support_format_tar(a) != ARCHIVE_OK
	    || archive_read_support_format_empty(a) != ARCHIVE_OK) {
		archive_err(a, what, err);
		goto done;
	}
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		archive_err(a, what, err);
		goto done;
	}
	for (;;) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			archive_err(a, what, err);
			goto done;
		}
		/* gzip once, then tar: a second layer of gzip is not a chart (Go's reader would not undo it) */
		if (archive_filter_count(a) != 2 || archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a valid chart archive: not one gzipped tar",
				       what ? what : "chart archive");
			goto done;
		}
		if (archive_entry_filetype(e) == AE_IFDIR)
			continue;
		const char *raw = archive_entry_pathname(e);
		if (!raw)
			raw = archive_entry_pathname_utf8(e);
		if (!raw) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a valid chart archive: an entry without a name",
				       what ? what : "chart archive");
			goto done;
		}
		free(name);
		name = NULL;
		if (entry_name(&name, raw, err) < 0)
			goto done;
		/* Helm loads links and special entries as empty files; we refuse them */
		if (archive_entry_hardlink(e)) {
			entry_err(err, "chart illegally contains a hard link: %s", raw);
			goto done;
		}
		if (archive_entry_filetype(e) == AE_IFLNK) {
			entry_err(err, "chart illegally contains a symbolic link: %s", raw);
			goto done;
		}
		if (archive_entry_filetype(e) != AE_IFREG) {
			entry_err(err, "chart illegally contains a device, fifo or socket: %s", raw);
			goto done;
		}
		la_int64_t size = archive_entry_size(e);
		if (size < 0)
			size = 0;
		if ((uint64_t)size > remaining) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "decompressed chart is larger than the maximum file size %zu",
				       HELM_CHART_MAX);
			goto done;
		}
		if ((uint64_t)size > HELM_FILE_MAX) {
			struct gitops_buf q = GITOPS_BUF_INIT;
			go_quote(&q, raw);
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "decompressed chart file %s is larger than the maximum file size %zu",
				       q.data ? q.data : raw, HELM_FILE_MAX);
			gitops_buf_release(&q);
			goto done;
		}
		if (got.n >= HELM_FILES_MAX) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: more than %d files in chart archive",
				       what ? what : "chart archive", HELM_FILES_MAX);
			goto done;
		}
		/* read at most what the header says, and one byte more to catch a lie */
		size_t want = (size_t)size, n = 0;
		buf = malloc(want + 2);
		if (!buf) {
			gitops_err_oom(err);
			goto done;
		}
		for (;;) {
			la_ssize_t k = archive_read_data(a, buf + n, want + 1 - n);
			if (k < 0) {
				archive_err(a, what, err);
				goto done;
			}
			if (k == 0)
				break;
			n += (size_t)k;
			if (n > want)
				break;
		}
		if (n != want) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a valid chart archive: %s holds %s bytes than its header says",
				       what ? what : "chart archive", name, n > want ? "more" : "fewer");
			goto done;
		}
		remaining -= n;
		if (remaining == 0) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "decompressed chart is larger than the maximum file size %zu",
				       HELM_CHART_MAX);
			goto done;
		}
		r = add_owned(&got, name, buf, n, err);
		buf = NULL;
		if (r < 0)
			goto done;
	}
	if (got.n == 0) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "no files in chart archive");
		goto done;
	}
	rc = files_append(out, &got, err);
done:
	free(buf);
	free(name);
	gitops_helm_files_release(&got);
	if (a)
		archive_read_free(a);
	return rc;
}
