/* notify.c: run an operator's hook with a state record in its environment and on its stdin. */
#include "lib/ops/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/base/json.h"

extern char **environ;

static const char *const our_vars[] = {
	"GITOPS_APP", "GITOPS_EVENT", "GITOPS_SYNC", "GITOPS_HEALTH", "GITOPS_REVISION", "GITOPS_RESULT",
	"GITOPS_EXIT_STATUS", "GITOPS_MESSAGE", "GITOPS_SYNCED_REVISION", "GITOPS_DESIRED_REVISION", NULL,
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

static int is_ours(const char *entry)
{
	for (size_t i = 0; our_vars[i]; i++) {
		size_t n = strlen(our_vars[i]);

		if (!strncmp(entry, our_vars[i], n) && entry[n] == '=')
			return 1;
	}
	return 0;
}

/* the environment: ours without the names we set, then ours; *envp and its strings freed by env_free */
static int env_build(char ***envp, const char *event, const cJSON *rec)
{
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(rec, "lastOperation");
	const char *synced = gitops_json_get_string(rec, "syncedRevision", NULL);
	const char *desired = gitops_json_get_string(rec, "desiredRevision", NULL);
	const char *result = gitops_json_get_string(op, "result", NULL);
	const char *rev = gitops_json_get_string(op, "revision", NULL);
	const cJSON *es = cJSON_GetObjectItemCaseSensitive(op, "exitStatus");
	char exit_status[32] = "";
	const char *vals[10];
	size_t n = 0, k = 0;
	char **env;

	if (!rev) {
		if ((result && !strcmp(result, "Succeeded")) || (event && !strcmp(event, "sync")))
			rev = synced;
		else
			rev = desired && *desired ? desired : synced;
	}
	if (cJSON_IsNumber(es) && isfinite(es->valuedouble) && fabs(es->valuedouble) < 1e15)
		snprintf(exit_status, sizeof(exit_status), "%lld", (long long)es->valuedouble);
	else if (cJSON_IsString(es))
		snprintf(exit_status, sizeof(exit_status), "%.30s", es->valuestring);
	vals[0] = gitops_json_get_string(rec, "app", NULL);
	vals[1] = event;
	vals[2] = gitops_json_get_string(rec, "sync", NULL);
	vals[3] = gitops_json_get_string(rec, "health", NULL);
	vals[4] = rev;
	vals[5] = result;
	vals[6] = exit_status;
	vals[7] = gitops_json_get_string(op, "message", NULL);
	vals[8] = synced;
	vals[9] = desired;

	while (environ && environ[n])
		n++;
	env = calloc(n + 11, sizeof(*env));
	if (!env)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!is_ours(environ[i]) && !(env[k++] = strdup(environ[i])))
			goto oom;
	for (size_t i = 0; our_vars[i]; i++) {
		struct gitops_buf b = GITOPS_BUF_INIT;

		const char *v = str_or_empty(vals[i]);
		size_t vlen = strlen(v);

		if (vlen > GITOPS_OPS_NOTIFY_ENV_MAX) {   /* cut at a character's start */
			vlen = GITOPS_OPS_NOTIFY_ENV_MAX;
			while (vlen && ((unsigned char)v[vlen] & 0xC0) == 0x80)
				vlen--;
		}
		if (gitops_buf_printf(&b, "%s=", our_vars[i]) < 0 || gitops_buf_add(&b, v, vlen) < 0) {
			gitops_buf_release(&b);
			goto oom;
		}
		env[k++] = gitops_buf_detach(&b);
	}
	*envp = env;
	return 0;
oom:
	for (size_t i = 0; i < k; i++)
		free(env[i]);
	free(env);
	return -1;
}

static void env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/*
 * Write all of data to fd (non-blocking) before the deadline; a reader that
 * went away (EPIPE) ends it quietly.  SIGPIPE is blocked in this thread
 * while it writes, and one it raised is taken off again.  0, 1 on timeout,
 * -1 with errno on another error.
 */
static int write_stdin(int fd, const char *data, size_t len, int64_t deadline)
{
	sigset_t pipe_set, old, pending;
	int was_pending, ret = 0;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w > 0) {
			data += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EPIPE)
			break;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { fd, POLLOUT, 0 };
			int64_t left = deadline - now_ms();

			if (left <= 0) {
				ret = 1;
				break;
			}
			if (poll(&p, 1, left > 1000 ? 1000 : (int)left) < 0 && errno != EINTR) {
				ret = -1;
				break;
			}
			continue;
		}
		ret = -1;
		break;
	}
	if (!was_pending) {
		struct timespec zero = { 0, 0 };
		int e = errno;

		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			sigtimedwait(&pipe_set, NULL, &zero);
		errno = e;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/* a short form of the command for messages: its first line, at most 60 bytes */
static void cmd_label(char *out, size_t size, const char *cmd)
{
	size_t n = strcspn(cmd, "\n");

	if (n > 60)
		snprintf(out, size, "%.57s...", cmd);
	else
		snprintf(out, size, "%.*s%s", (int)n, cmd, cmd[n] ? "..." : "");
}

int gitops_ops_notify_with(const char *cmd, const char *event, const cJSON *record,
			   const struct gitops_ops_notify_options *opt, struct gitops_err *err)
{
	int timeout_ms = opt && opt->timeout_ms > 0 ? opt->timeout_ms : GITOPS_OPS_NOTIFY_TIMEOUT_MS;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, deflt;
	char **env = NULL, *json = NULL, label[80];
	char *argv[] = { "sh", "-c", NULL, NULL };
	int fds[2] = { -1, -1 }, ret = -1, rc, status = 0, timed_out = 0, reaped = 0;
	int have_fa = 0, have_attr = 0;
	pid_t pid = -1;
	int64_t deadline;

	if (!cmd || !*cmd)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "notify hook \"%s\": no command", str_or_empty(event));
	cmd_label(label, sizeof(label), cmd);
	argv[2] = (char *)cmd;
	if (record) {
		json = cJSON_PrintUnformatted(record);
	} else {
		cJSON *null = cJSON_CreateNull();

		json = null ? cJSON_PrintUnformatted(null) : NULL;
		cJSON_Delete(null);
	}
	if (!json || env_build(&env, event, record) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		gitops_err_errno(err, errno, "notify hook: pipe");
		goto done;
	}
	if (posix_spawn_file_actions_init(&fa) || (have_fa = 1, 0) ||
	    posix_spawn_file_actions_adddup2(&fa, fds[0], 0) ||
	    (opt && opt->out_fd >= 0 && posix_spawn_file_actions_adddup2(&fa, opt->out_fd, 1)) ||
	    (opt && opt->err_fd >= 0 && posix_spawn_file_actions_adddup2(&fa, opt->err_fd, 2)) ||
	    posix_spawnattr_init(&attr) || (have_attr = 1, 0)) {
		gitops_err_oom(err);
		goto done;
	}
	sigemptyset(&none);
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGPIPE);
	sigaddset(&deflt, SIGINT);
	sigaddset(&deflt, SIGQUIT);
	sigaddset(&deflt, SIGHUP);
	sigaddset(&deflt, SIGTERM);
	sigaddset(&deflt, SIGCHLD);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, env);
	if (rc) {
		pid = -1;
		gitops_err_set(err, GITOPS_EXIT_IO, "notify hook \"%s\" (%s): cannot start /bin/sh: %s",
			       str_or_empty(event), label, strerror(rc));
		goto done;
	}
	deadline = now_ms() + timeout_ms;
	close(fds[0]);
	fds[0] = -1;
	fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
	{
		size_t len = strlen(json);

		json[len] = '\n';   /* one line: the NUL goes, the length says where it ends */
		rc = write_stdin(fds[1], json, len + 1, deadline);
		json[len] = 0;
	}
	close(fds[1]);
	fds[1] = -1;
	if (rc < 0) {
		gitops_err_errno(err, errno, "notify hook: writing the record to its stdin");
		goto done;
	}
	timed_out = rc == 1;
	while (!timed_out) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			reaped = 1;
			break;
		}
		if (w < 0 && errno != EINTR) {
			reaped = 1;
			gitops_err_errno(err, errno, "notify hook: waitpid");
			goto done;
		}
		if (now_ms() >= deadline) {
			timed_out = 1;
			break;
		}
		{
			struct timespec ts = { 0, 5 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	if (timed_out) {
		gitops_err_set(err, GITOPS_EXIT_UNREACHABLE, "notify hook \"%s\" (%s): killed after %d.%03d s",
			       str_or_empty(event), label, timeout_ms / 1000, timeout_ms % 1000);
		goto done;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		ret = 0;
	else if (WIFEXITED(status))
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "notify hook \"%s\" (%s): exited with status %d",
			       str_or_empty(event), label, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "notify hook \"%s\" (%s): killed by signal %d (%s)",
			       str_or_empty(event), label, WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "notify hook \"%s\" (%s): ended with wait status %d",
			       str_or_empty(event), label, status);
done:
	if (pid > 0 && !reaped) {
		/* the hook's whole process group: sh and what it started */
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (have_fa)
		posix_spawn_file_actions_destroy(&fa);
	if (have_attr)
		posix_spawnattr_destroy(&attr);
	env_free(env);
	cJSON_free(json);
	return ret;
}

int gitops_ops_notify(const char *cmd, const char *event, const cJSON *record, struct gitops_err *err)
{
	return gitops_ops_notify_with(cmd, event, record, NULL, err);
}
