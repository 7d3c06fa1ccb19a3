/*
 * git.h: Git through libgit2: remote URLs and their credentials, a cache of
 * bare mirrors, fetch, ref resolution, and read-only checkouts of one commit
 * (the whole tree; a path naming a file: that file alone).  gitops-fetch uses all of it; gitops-bump reuses the URL,
 * the cache and the credential callbacks to commit and push.
 *
 * The cache (default $XDG_CACHE_HOME/gitops, else ~/.cache/gitops):
 *
 *   repos/KEY.git              bare mirror of one remote: its branches and tags,
 *                              and HEAD pointing where the remote's HEAD points
 *   repos/KEY.lock             flock(2)ed for the whole of a run that uses the mirror
 *   checkouts/KEY/COMMIT-root  read-only checkout of the whole tree of one commit,
 *                              which every directory --path of that commit shares
 *   checkouts/KEY/COMMIT-PKEY  read-only checkout of one file of one commit (a
 *                              --path naming a file): a directory holding it
 *   checkouts/KEY/NAME.revisions.json
 *                              every file of checkout NAME: blob, size, mode and
 *                              the commit that last changed it; and those
 *                              commits, newest first in first-parent order
 *   checkouts/KEY/.tmp-...     a checkout being written: never trusted; removed
 *                              by the next run that holds the lock
 *
 * KEY is the last component of the URL (sanitised) and 16 hex digits of the
 * SHA-256 of the URL without credentials; PKEY is 12 hex digits of the
 * SHA-256 of the file's path.  Submodules are never checked out: one at,
 * under or on the way to a --path is an error, others are left out.  A checkout is written under a
 * temporary name and renamed into place once complete, so a name without
 * ".tmp-" is always a whole checkout.  Files are 0444 (0555 when executable),
 * directories 0555.  A checkout that shares files with an older checkout of
 * the same name (COMMIT-root: of another commit) gets them as hard links (the
 * files are never written again).
 * A reader (gitops-render) holds a shared flock(2) on the checkout it reads;
 * the GC never removes a checkout so held.
 *
 * Credentials never reach the cache path, messages or the URL shown: see
 * struct gitops_git_url.
 *
 * Ownership: every struct this header allocates has a _free (NULL is a
 * no-op) or a _release; strings a struct holds are its own.  Borrowed
 * `const char *` members of option structs must outlive the call.
 */
#ifndef GITOPS_GIT_H
#define GITOPS_GIT_H

#include <stddef.h>
#include <git2.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"

/* Start libgit2 once per process (later calls do nothing): no global or system git config is read. 0 or -1. */
int gitops_git_init(struct gitops_err *err);
/* Undo gitops_git_init (libgit2 frees its per-thread state): at the end of main. */
void gitops_git_shutdown(void);

/* --- remote URLs --- */

enum gitops_git_scheme {
	GITOPS_GIT_HTTPS, GITOPS_GIT_HTTP, GITOPS_GIT_SSH, GITOPS_GIT_GIT, GITOPS_GIT_FILE
};

/*
 * A remote as given on the command line: https://, http://, ssh://,
 * scp-like user@host:path, git://, file:// or a local path.
 */
struct gitops_git_url {
	enum gitops_git_scheme scheme;
	char *url;       /* what libgit2 is given: no password; for http(s) no user either */
	char *display;   /* no credentials: for messages, Source documents, the cache key.
			  * ssh keeps its user name (git@host:org/repo.git), which is no secret */
	char *user;      /* the URL's user name, or NULL */
	char *password;  /* the URL's password, or NULL: never shown anywhere */
	char *host;      /* NULL for local repositories */
	int port;        /* 0 when the URL names none */
	char *name;      /* the last path component without ".git": "deploy" */
};

/* Parse REPO.  -1 with GITOPS_EXIT_USAGE when it is no repository address. */
int gitops_git_url_parse(struct gitops_git_url *out, const char *repo, struct gitops_err *err);
void gitops_git_url_release(struct gitops_git_url *u);

/* --- credentials --- */

/*
 * Where credentials come from; all borrowed, any may be NULL.  HTTP(S):
 * the URL's user and password first, then username/password, then token
 * (sent as the password of `username`, or of "x-access-token"), then the
 * netrc file's entry for the host.  SSH: the key file, else ssh-agent
 * (SSH_AUTH_SOCK).  Each is offered once: a server that refuses it fails
 * the run with GITOPS_EXIT_AUTH.
 */
struct gitops_git_auth {
	const char *username, *password, *token;
	const char *netrc_file;
	const char *ca_file;            /* PEM CA bundle replacing the system's for https */
	const char *ssh_key;            /* private key file */
	const char *ssh_key_passphrase;
	const char *ssh_known_hosts;    /* NULL: ~/.ssh/known_hosts; an unknown host key is an error */
	int no_ssh_agent;
	int per_host;                   /* username, password and token are not to be offered (a host the
					 * operator did not name): messages say so */
};

#define GITOPS_GIT_AUTH_INIT { .username = NULL }

/*
 * The netrc file's login and password for host (its "default" entry when
 * no machine matches): 1 found (*user, *pass the caller's to free, either
 * may be NULL), 0 none, -1 unreadable.
 */
int gitops_git_netrc_lookup(const char *file, const char *host, char **user, char **pass, struct gitops_err *err);

/*
 * GITOPS_GIT_USERNAME, GITOPS_GIT_PASSWORD, GITOPS_GIT_TOKEN,
 * GITOPS_SSH_KEY_PASSPHRASE; GITOPS_SSH_KEY and GITOPS_SSH_KNOWN_HOSTS
 * (files) unless a->ssh_key, a->ssh_known_hosts are set already.
 */
void gitops_git_auth_from_env(struct gitops_git_auth *a);

/*
 * The state of one connection's callbacks: which credentials were offered,
 * and why the connection was refused (host key, TLS, credentials).  Fill
 * a git_remote_callbacks with gitops_git_callbacks_init, use it for
 * connect/fetch/push, then gitops_git_error turns a libgit2 failure into a
 * message and an exit code, preferring what the callbacks found.
 */
struct gitops_git_session {
	const struct gitops_git_url *url;
	const struct gitops_git_auth *auth;
	unsigned tried;                 /* bit set of the credentials offered */
	struct gitops_err why;          /* set by a callback that refused */
	void (*progress)(void *ctx, const char *msg);  /* a line at the end of each stage */
	void (*live)(void *ctx, const char *msg);      /* the counts as they move */
	void *progress_ctx;
	unsigned progress_shown;                       /* stages reported: 1 objects, 2 deltas */
};

/* Set up the session and callbacks (credentials, certificate and host key checks). 0 or -1 (bad --ca-file). */
int gitops_git_callbacks_init(git_remote_callbacks *cb, struct gitops_git_session *s, const struct gitops_git_url *url,
			      const struct gitops_git_auth *auth, struct gitops_err *err);

/*
 * Convert the last libgit2 error (code `ret`) into err: "WHAT: message",
 * with the exit class (unreachable, auth, rejected, io) it means.  Uses the
 * session's own reason when a callback refused.  s may be NULL.  Returns -1.
 */
int gitops_git_error(struct gitops_err *err, int ret, const struct gitops_git_session *s, const char *what);

/*
 * Check a host key against an OpenSSH known_hosts file (plain and hashed
 * names, [host]:port, wildcards, negation, @revoked).  1 matches; 0 not
 * (err says: unknown host, or a different key); -1 the file is unreadable.
 */
int gitops_git_known_hosts_check(const char *file, const char *host, int port, const void *key, size_t key_len,
				 struct gitops_err *err);

/* --- the cache --- */

struct gitops_git_cache_options {
	const char *cache_dir;          /* NULL: $XDG_CACHE_HOME/gitops, else $HOME/.cache/gitops */
	unsigned lock_timeout;          /* seconds to wait for another run's lock (default 300) */
	unsigned keep;                  /* checkouts kept per repository (default 10) */
	size_t max_bytes;               /* largest checkout, in bytes of file content (default 256 MiB) */
	size_t max_files;               /* most files in one checkout (default 100,000) */
	void (*notice)(void *ctx, const char *msg);    /* "waiting for the lock ...": may be NULL */
	void (*progress)(void *ctx, const char *msg);  /* "received 1234 objects ...": a line per stage, may be NULL */
	void (*live)(void *ctx, const char *msg);      /* "receiving objects: 45% ...": as counts move, may be NULL */
	void (*warning)(void *ctx, const char *msg);   /* "the checkout ... does not match ...": may be NULL */
	void *ctx;                                     /* for all four */
};

#define GITOPS_GIT_CACHE_OPTIONS_INIT { .lock_timeout = 300, .keep = 10, .max_bytes = 256u << 20, .max_files = 100000 }

/*
 * Walk `path` through `root` (a commit's tree) as a file system walks a
 * checkout, and as Argo CD finds an application's path in its clone: "."
 * skipped, a symbolic link followed inside the repository (the last
 * component only when follow_last), its target read from the directory
 * that holds the link, ".." against what is resolved so far.  Where the
 * walk stopped is told in `stop`, for the caller to word: returns -1 only
 * when out of memory.  gitops-fetch's --path and gitops-bump's paths in a
 * branch both walk this way.
 */
enum gitops_git_walk_stop {
	GITOPS_GIT_WALK_OK,             /* reached: `te` (NULL for the top), `reached` its path ("" the top) */
	GITOPS_GIT_WALK_MISSING,        /* the component `reached` is not there */
	GITOPS_GIT_WALK_NOT_DIR,        /* the component `reached` is not a directory, and the path goes on */
	GITOPS_GIT_WALK_SUBMODULE,      /* the same, and it is a submodule */
	GITOPS_GIT_WALK_ABOVE_TOP,      /* ".." above the top of the repository */
	GITOPS_GIT_WALK_LOOP,           /* more than 40 symbolic links (the last: `link`) */
	GITOPS_GIT_WALK_BAD_LINK,       /* the link `link` is empty, too long or holds a NUL (`target`) */
	GITOPS_GIT_WALK_ABSOLUTE_LINK,  /* the link `link` points to the absolute `target` */
	GITOPS_GIT_WALK_GIT_ERROR       /* libgit2 failed with `error` (git_error_last() still tells) */
};

struct gitops_git_walk {
	enum gitops_git_walk_stop stop;
	unsigned links;                 /* symbolic links followed */
	struct gitops_buf reached;      /* see stop; NUL-terminated */
	struct gitops_buf link;         /* the last symbolic link met (empty: none) */
	struct gitops_buf target;       /* a refused link's target: at most 4096 of its bytes */
	git_tree_entry *te;             /* with GITOPS_GIT_WALK_OK; owned */
	int error;
};

int gitops_git_tree_walk(struct gitops_git_walk *out, git_repository *repo, const git_tree *root, const char *path,
			 int follow_last, struct gitops_err *err);
void gitops_git_walk_release(struct gitops_git_walk *w);

/*
 * The options of the Git cache and of Git authentication that programs
 * share, by long name without the dashes: cache-dir, lock-timeout, keep,
 * max-size, max-files, ssh-key, ssh-known-hosts, no-ssh-agent, ca-file,
 * netrc-file (arg: the option's argument, borrowed).  Returns 1 when it
 * set one, 0 when `name` is none of them, -1 with a usage error naming the
 * option when `arg` is not a valid value.
 */
int gitops_git_option_set(struct gitops_git_cache_options *cache, struct gitops_git_auth *auth, const char *name,
			  const char *arg, struct gitops_err *err);

/* A mirror, open and locked. */
struct gitops_git_repo;

/*
 * Open the mirror of url in the cache, creating it (and the cache) when
 * missing, and take its lock (waiting up to lock_timeout).  Stale lock
 * files and half-written checkouts that a killed run left are removed.
 * A mirror that cannot be opened is an error (GITOPS_EXIT_IO) that names
 * it, so that it can be removed.  The repo keeps pointers to url and opts.
 */
int gitops_git_open(struct gitops_git_repo **out, const struct gitops_git_url *url,
		    const struct gitops_git_cache_options *opts, struct gitops_err *err);

/* libgit2's repository (borrowed; for commit and push). */
git_repository *gitops_git_repository(struct gitops_git_repo *r);
/* The mirror's directory and the cache's. */
const char *gitops_git_mirror_dir(const struct gitops_git_repo *r);

/*
 * Fetch every branch and tag into the mirror (forced, pruned) and point
 * its HEAD where the remote's points.  When the remote's refs equal the
 * mirror's, nothing is downloaded.  A failed fetch leaves the mirror as it
 * was.  *changed (may be NULL) says whether any ref moved.
 */
int gitops_git_fetch(struct gitops_git_repo *r, const struct gitops_git_auth *auth, int *changed,
		     struct gitops_err *err);

/*
 * Resolve REF in the mirror to a commit, in this order: HEAD; a full ref
 * name (refs/...); a branch; a tag (peeled); a full or abbreviated (4+ hex)
 * commit id; a semver range over the tags ("v1.2.*", ">=1.2 <2": the
 * highest matching tag).  commit gets 40 hex digits; what (may be NULL,
 * size bytes) says what was found: "branch main", "tag v1.2.3", ...
 * -1 with GITOPS_EXIT_INPUT for an unknown ref.
 */
int gitops_git_resolve(struct gitops_git_repo *r, const char *ref, char commit[GIT_OID_HEXSZ + 1], char *what,
		       size_t size, struct gitops_err *err);

/*
 * Normalise a path inside the repository: "./a//b/" is "a/b", "" and "."
 * are the whole tree (""); absolute paths and ".." are refused
 * (GITOPS_EXIT_USAGE).  *out is the caller's to free.
 */
int gitops_git_path_normalize(char **out, const char *path, struct gitops_err *err);

/*
 * The read-only checkout holding `path` (normalised) at `commit`: for a
 * directory (or "", the top) the checkout of the whole commit, for a file a
 * directory holding that one file.  Reused while it holds exactly what its
 * revisions file lists (each file's type, size and executable bit, and
 * nothing else), else written anew (opts.warning says why); checked once
 * a run.  Symbolic links at and on the way to `path` are followed inside
 * the commit's tree.  *root (the caller's to free) is the checkout's
 * absolute path, *dir (the caller's) the path reached inside it: root/PATH
 * for a directory, root itself for a file.  -1 with GITOPS_EXIT_INPUT when
 * the path is not in the commit, a link on the way leads outside the
 * repository or to nothing or loops, a submodule is at, under or on the
 * way to the path, or the checkout would exceed the limits (for a
 * directory: those of the whole commit).
 */
int gitops_git_checkout(struct gitops_git_repo *r, const char *commit, const char *path, char **root, char **dir,
			struct gitops_err *err);

/*
 * Which commit last changed each file of the checkout holding `path` at
 * `commit` (following first parents; what an older checkout of the same
 * name found is reused for files whose content is the same), written once,
 * atomically, beside the checkout as JSON: {"version": 3, "commit": C,
 * "commits": [C, ...], "files": {"REL/PATH": {"blob": B, "revision": R,
 * "size": N, "mode": "100644"}}}, paths relative to the checkout (its root:
 * the top of the repository for a directory), every file and symbolic link
 * listed (a file of an older version is written again).  "commits" lists
 * every revision of "files" once, newest first: in the order of the
 * first-parent history of C (those off it, reused from a checkout of
 * another branch, last).  *file (the caller's to free) is its path.
 * gitops-render stamps gitops.dev/revision from it, so that a commit
 * re-stamps only the objects whose files it changed (an object built from
 * several files: the newest of them), and checks against it that the
 * files it read are the commit's.
 */
int gitops_git_revisions(struct gitops_git_repo *r, const char *commit, const char *path, char **file,
			 struct gitops_err *err);

/*
 * Remove all but the `keep` most recently used checkouts of this repository,
 * never those of this run nor those a reader holds (a shared flock(2) on
 * the checkout's directory); each is renamed away under an exclusive lock
 * before it is removed, so that no reader finds one half removed.
 */
int gitops_git_gc(struct gitops_git_repo *r, struct gitops_err *err);

/* Release the lock and free (NULL is a no-op). */
void gitops_git_close(struct gitops_git_repo *r);

/* --- change detection for cron --- */

/*
 * The state file records the last commit fetched for (repository, ref,
 * paths), as JSON.  gitops_git_state_unchanged: 1 when the file records
 * this very request at `commit`; 0 when it does not or does not exist; -1
 * when it cannot be read (err set).  gitops_git_state_write replaces the
 * file atomically.
 */
int gitops_git_state_unchanged(const char *file, const char *repository, const char *ref, char *const *paths,
			       size_t npaths, const char *commit, struct gitops_err *err);
int gitops_git_state_write(const char *file, const char *repository, const char *ref, char *const *paths,
			   size_t npaths, const char *commit, struct gitops_err *err);

#endif
