/*
 * err.h: error values and the exit-code table shared by every program.
 *
 * The library never prints and never exits: a failing function fills a
 * caller-owned struct gitops_err with a one-line message and the exit class,
 * and returns -1.  Only the programs in cmd/ decide what reaches stderr.
 */
#ifndef GITOPS_ERR_H
#define GITOPS_ERR_H

#include <stddef.h>

/* The one exit-code table (documented in gitops(7)). */
enum gitops_exit {
	GITOPS_EXIT_OK = 0,          /* success, in sync */
	GITOPS_EXIT_DIFFERENT = 1,   /* gitops-diff: differences; gitops-bump --check: a bump is needed */
	GITOPS_EXIT_USAGE = 2,       /* bad options or arguments, or a capability this build lacks */
	GITOPS_EXIT_INPUT = 3,       /* invalid input: malformed YAML/JSON, invalid object, a limit exceeded */
	GITOPS_EXIT_IO = 4,          /* a file, directory or pipe could not be read or written */
	GITOPS_EXIT_UNREACHABLE = 5, /* a server could not be reached, or TLS failed */
	GITOPS_EXIT_AUTH = 6,        /* authentication or authorisation failed */
	GITOPS_EXIT_REJECTED = 7,    /* a server rejected a request */
	GITOPS_EXIT_UNHEALTHY = 8,   /* waiting for health failed or timed out */
	GITOPS_EXIT_UNSAFE = 9,      /* refused a destructive step: incomplete or empty stream */
	GITOPS_EXIT_UNCHANGED = 10,  /* nothing new to do (gitops-fetch --if-changed) */
	GITOPS_EXIT_BUSY = 11,       /* another sync of the same application or ApplySet holds its lock */
	GITOPS_EXIT_STALE = 12,      /* gitops-apply --plan: what the plan was made against moved; plan again */
	GITOPS_EXIT_INTERNAL = 70    /* out of memory or an internal error */
};

#define GITOPS_ERR_MSG_MAX 1024

struct gitops_err {
	int code;                       /* an enum gitops_exit value */
	char msg[GITOPS_ERR_MSG_MAX];   /* one line, no trailing newline */
};

#define GITOPS_ERR_INIT { 0, { 0 } }

#if defined(__GNUC__)
#define GITOPS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define GITOPS_PRINTF(a, b)
#endif

/* Set the error (err may be NULL); always returns -1 so callers can `return gitops_err_set(...)`. */
int gitops_err_set(struct gitops_err *err, int code, const char *fmt, ...) GITOPS_PRINTF(3, 4);
/* Put "context: " in front of the existing message; returns -1. */
int gitops_err_prefix(struct gitops_err *err, const char *fmt, ...) GITOPS_PRINTF(2, 3);
/* Out of memory: sets GITOPS_EXIT_INTERNAL; returns -1. */
int gitops_err_oom(struct gitops_err *err);
/* Set from errno: "<what>: <strerror>", GITOPS_EXIT_IO; returns -1. */
int gitops_err_errno(struct gitops_err *err, int errnum, const char *what);

#endif
