/*
 * remote_child.c: remote targets fetched by a child, the gitops-fetch
 * beside this program run as `gitops-fetch --kustomize-remote-serve
 * OPTIONS` (gitops_kustomize_fetcher_child), and the frames both sides
 * speak (kz_remote.h).  gitops-render builds with it: libgit2 and libcurl,
 * some forty shared libraries and 4-5 ms of start-up, load only in the
 * child, and only when a build names a remote target.  The child holds the
 * repositories (their locks, so their checkouts stay) until the parent
 * closes its end at the end of the build.  Entries travel over the
 * socket, never on a command line (a URL may hold a password).
 */
#include "lib/kustomize/kz_remote.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/kustomize/spine.h"

extern char **environ;

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int kz_frame_write(int fd, const char *type, const void *data, size_t len)
{
	char head[64];
	int n = snprintf(head, sizeof(head), "%s %zu\n", type, len);

	return write_all(fd, head, (size_t)n) < 0 || write_all(fd, data, len) < 0 ? -1 : 0;
}

static int read_full(int fd, char *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int kz_frame_read(int fd, char type[16], struct gitops_buf *data, size_t max)
{
	char head[64];
	size_t i = 0, len;
	char *sp, *end;

	for (;;) {
		ssize_t r = read(fd, head + i, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 && i == 0 ? 0 : -1;
		if (head[i] == '\n')
			break;
		if (++i == sizeof(head))
			return -1;
	}
	head[i] = 0;
	if (!(sp = strchr(head, ' ')) || sp == head || sp - head > 15)
		return -1;
	*sp = 0;
	errno = 0;
	len = strtoul(sp + 1, &end, 10);
	if (errno || *end || end == sp + 1 || len > max)
		return -1;
	strcpy(type, head);
	data->len = 0;
	if (gitops_buf_add(data, "", 0) < 0)
		return -1;
	if (len) {
		char *tmp = malloc(len);
		int rc;

		if (!tmp)
			return -1;
		rc = read_full(fd, tmp, len) < 0 || gitops_buf_add(data, tmp, len) < 0 ? -1 : 0;
		free(tmp);
		if (rc < 0)
			return -1;
	}
	return 1;
}

struct child {
	pid_t pid;
	int fd;
	const struct gitops_kustomize_options *opts;
};

/* gitops-fetch in this program's directory */
static int sibling(char *out, size_t size, struct gitops_err *err)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return gitops_err_errno(err, errno, "/proc/self/exe");
	self[n] = 0;
	if (!(slash = strrchr(self, '/')))
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "cannot tell this program's directory");
	*slash = 0;
	if ((size_t)snprintf(out, size, "%s/gitops-fetch", self) >= size)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "this program's directory is too long a path");
	if (access(out, X_OK) < 0)
		return gitops_err_set(err, GITOPS_EXIT_USAGE,
				      "remote targets are fetched by gitops-fetch, which is not beside this program: %s: %s",
				      out, strerror(errno));
	return 0;
}

static int child_open(void **state, const struct gitops_kustomize_options *opts, struct gitops_err *err)
{
	char path[PATH_MAX];
	posix_spawn_file_actions_t fa;
	struct child *c;
	char **argv = NULL;
	size_t n = 0, i;
	int sv[2], rc;

	if (sibling(path, sizeof(path), err) < 0)
		return -1;
	while (opts->fetcher_args && opts->fetcher_args[n])
		n++;
	if (!(c = calloc(1, sizeof(*c))) || !(argv = calloc(n + 3, sizeof(*argv)))) {
		free(c);
		return gitops_err_oom(err);
	}
	argv[0] = "gitops-fetch";
	argv[1] = "--kustomize-remote-serve";
	for (i = 0; i < n; i++)
		argv[i + 2] = opts->fetcher_args[i];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		free(argv);
		free(c);
		return gitops_err_errno(err, errno, "socketpair");
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	rc = posix_spawn(&c->pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	free(argv);
	if (rc) {
		close(sv[0]);
		free(c);
		return gitops_err_errno(err, rc, path);
	}
	c->fd = sv[0];
	c->opts = opts;
	*state = c;
	return 0;
}

/* Close our end (the child frees what it holds and leaves): its exit status, or -1. */
static int reap(struct child *c)
{
	int status;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	while (waitpid(c->pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void child_close(void *state)
{
	struct child *c = state;

	if (!c)
		return;
	reap(c);
	free(c);
}

/* Send a request, relay its notes and warnings, and take its answer into out. */
static int request_n(struct gitops_buf *out, struct child *c, const char *type, const char *entry, size_t len,
		     struct gitops_err *err);

static int request(struct gitops_buf *out, struct child *c, const char *type, const char *entry,
		   struct gitops_err *err)
{
	return request_n(out, c, type, entry, strlen(entry), err);
}

static int request_n(struct gitops_buf *out, struct child *c, const char *type, const char *entry, size_t len,
		     struct gitops_err *err)
{
	char t[16];
	int r;

	if (c->fd < 0)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "gitops-fetch (remote targets) has ended");
	if (kz_frame_write(c->fd, type, entry, len) == 0) {
		while ((r = kz_frame_read(c->fd, t, out, KZ_FILE_MAX + (1u << 16))) > 0) {
			if (!strcmp(t, "note") && c->opts->remote_notice)
				c->opts->remote_notice(c->opts->warn_ctx, out->data);
			else if (!strcmp(t, "warn") && c->opts->warn)
				c->opts->warn(c->opts->warn_ctx, out->data);
			else if (!strcmp(t, "ok"))
				return 0;
			else if (!strcmp(t, "err")) {
				char *msg;
				long code = strtol(out->data, &msg, 10);

				return gitops_err_set(err, code > 0 && code < 128 ? (int)code : GITOPS_EXIT_INTERNAL, "%s",
						      *msg == ' ' ? msg + 1 : msg);
			}
		}
	}
	/* it left without an answer: its own message is on stderr already */
	r = reap(c);
	return gitops_err_set(err, r > 0 && r < 128 ? r : GITOPS_EXIT_INTERNAL,
			      "gitops-fetch (remote targets) ended without an answer (status %d)", r);
}

static int child_checkout(char **root, char **dir, void *state, const char *entry, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t n;

	*root = *dir = NULL;
	if (request(&b, state, "checkout", entry, err) < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	n = strlen(b.data);
	if (n == b.len || !(*root = strdup(b.data)) || !(*dir = strdup(b.data + n + 1))) {
		free(*root);
		*root = NULL;
		gitops_buf_release(&b);
		return n == b.len ? gitops_err_set(err, GITOPS_EXIT_INTERNAL, "gitops-fetch answered no directory")
				  : gitops_err_oom(err);
	}
	gitops_buf_release(&b);
	return 0;
}

static int child_get(struct gitops_buf *out, void *state, const char *entry, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	int rc = request(&b, state, "get", entry, err);

	if (!rc && b.len && gitops_buf_add(out, b.data, b.len) < 0)
		rc = gitops_err_oom(err);
	gitops_buf_release(&b);
	return rc;
}

static int child_chart(char **dir, char **version, void *state, const char *repo, const char *name, const char *range,
		       struct gitops_err *err)
{
	struct gitops_buf req = GITOPS_BUF_INIT, b = GITOPS_BUF_INIT;
	size_t n;
	int rc = -1;

	*dir = *version = NULL;
	if (gitops_buf_add(&req, repo, strlen(repo) + 1) < 0 || gitops_buf_add(&req, name, strlen(name) + 1) < 0 ||
	    gitops_buf_addstr(&req, range ? range : "")) {
		gitops_err_oom(err);
		goto done;
	}
	if (request_n(&b, state, "chart", req.data, req.len, err) < 0)
		goto done;
	n = strlen(b.data);
	if (n == b.len) {
		gitops_err_set(err, GITOPS_EXIT_INTERNAL, "gitops-fetch answered no chart directory");
		goto done;
	}
	if (!(*dir = strdup(b.data)) || !(*version = strdup(b.data + n + 1))) {
		free(*dir);
		*dir = NULL;
		gitops_err_oom(err);
		goto done;
	}
	rc = 0;
done:
	gitops_buf_release(&req);
	gitops_buf_release(&b);
	return rc;
}

const struct gitops_kustomize_fetcher gitops_kustomize_fetcher_child = { child_open, child_close, child_checkout,
									 child_get, child_chart };
