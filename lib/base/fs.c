/* fs.c: atomic writes, the cache directory, the sorted walk, clean paths. */
#include "lib/base/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/buf.h"

int gitops_fs_write_atomic(const char *path, const void *data, size_t len, int mode, struct gitops_err *err)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	mode_t mask;
	int fd = -1, error = -1;

	if (mode == GITOPS_FS_KEEP_MODE) {
		if (stat(path, &st) < 0)
			return gitops_err_errno(err, errno, path);
		mode = (int)(st.st_mode & 07777);
	} else if (mode & GITOPS_FS_EXACT_MODE) {
		mode &= 07777;
	} else {
		mask = umask(0);
		umask(mask);
		mode &= ~(int)mask;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s.tmp-%s-%ld-XXXXXX", slash ? (int)(slash - path + 1) : 0, path,
			     slash ? slash + 1 : path, (long)getpid()) >= sizeof(tmp))
		return gitops_err_set(err, GITOPS_EXIT_IO, "%s: path too long", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return gitops_err_errno(err, errno, path);
	if (gitops_write_all(fd, data, len) < 0 || fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0) {
		gitops_err_errno(err, errno, path);
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		gitops_err_errno(err, errno, path);
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		gitops_err_errno(err, errno, path);
		goto done;
	}
	error = 0;
	/* the directory's entry: the rename itself survives a crash (best effort) */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
			     slash ? path : ".") < sizeof(tmp) &&
	    (fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	fd = -1;
done:
	if (fd >= 0)
		close(fd);
	if (error < 0)
		unlink(tmp);
	return error;
}

int gitops_fs_cache_dir(char **out, const char *sub, struct gitops_err *err)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct gitops_buf b = GITOPS_BUF_INIT;
	int r;

	*out = NULL;
	if (xdg && xdg[0] == '/')
		r = gitops_buf_printf(&b, "%s/gitops", xdg);
	else if (home && *home)
		r = gitops_buf_printf(&b, "%s/.cache/gitops", home);
	else
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "no cache directory: set HOME or XDG_CACHE_HOME, or give --cache-dir");
	if (r < 0 || (sub && gitops_buf_printf(&b, "/%s", sub) < 0)) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	*out = gitops_buf_detach(&b);
	return *out ? 0 : gitops_err_oom(err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int gitops_fs_walk(const char *dir, gitops_fs_walk_fn fn, void *ctx, struct gitops_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int error = 0;

	if (!d)
		return gitops_err_errno(err, errno, dir);
	while ((de = readdir(d))) {
		char **p;
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(p = realloc(names, cap * sizeof(*p)))) {
				error = gitops_err_oom(err);
				break;
			}
			names = p;
		}
		if (!(names[n] = strdup(de->d_name))) {
			error = gitops_err_oom(err);
			break;
		}
		n++;
	}
	closedir(d);
	if (!error && n > 1) /* (an empty directory has no list to sort: qsort(NULL) is undefined) */
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; !error && i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
				     names[i]) >= sizeof(path)) {
			error = gitops_err_set(err, GITOPS_EXIT_IO, "%s/%s: path too long", dir, names[i]);
			break;
		}
		if (lstat(path, &st) < 0) {
			error = gitops_err_errno(err, errno, path);
			break;
		}
		if (S_ISDIR(st.st_mode))
			error = gitops_fs_walk(path, fn, ctx, err);
		else if (S_ISREG(st.st_mode))
			error = fn(ctx, path, names[i], err);
		/* symbolic links and special files inside a tree are skipped, as Flux does */
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return error;
}

int gitops_fs_path_clean(struct gitops_buf *b, const char *p)
{
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2))
			return 1;
		if (n && !(n == 1 && p[0] == '.') &&
		    ((b->len && gitops_buf_add(b, "/", 1) < 0) || gitops_buf_add(b, p, n) < 0))
			return -1;
		p += n;
		while (*p == '/')
			p++;
	}
	return 0;
}

int gitops_fs_cache_root(char **out, const char *given, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	int r;

	if (given && given[0] == '/') {
		r = gitops_buf_addstr(&b, given);
	} else if (given && *given) {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return gitops_err_errno(err, errno, "the current directory");
		r = gitops_buf_printf(&b, "%s/%s", cwd, given);
	} else {
		char *dir;
		if (gitops_fs_cache_dir(&dir, NULL, err) < 0)
			return -1;
		r = gitops_buf_addstr(&b, dir);
		free(dir);
	}
	if (r < 0)
		return gitops_err_oom(err);
	while (b.len > 1 && b.data[b.len - 1] == '/')
		b.data[--b.len] = '\0';
	*out = gitops_buf_detach(&b);
	return *out ? 0 : gitops_err_oom(err);
}

int gitops_fs_mkdir_p(const char *path, struct gitops_err *err)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(buf))
		return gitops_err_set(err, GITOPS_EXIT_IO, "%s: path too long", path);
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return gitops_err_errno(err, errno, buf);
		buf[i] = path[i];
	}
	return 0;
}

int gitops_fs_lock_wait(int *fd, const char *path, unsigned timeout, void (*waiting)(void *ctx), void *ctx,
			struct gitops_err *err)
{
	struct timespec start, now;
	int waited = 0;

	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0)
		return gitops_err_errno(err, errno, path);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct timespec nap = { 0, 50 * 1000 * 1000 };
		if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			gitops_err_errno(err, errno, path);
			close(*fd);
			*fd = -1;
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!waited && waiting)
			waiting(ctx);
		waited = 1;
		if (now.tv_sec - start.tv_sec >= (time_t)timeout) {
			close(*fd);
			*fd = -1;
			return 1;
		}
		nanosleep(&nap, NULL);
	}
}
