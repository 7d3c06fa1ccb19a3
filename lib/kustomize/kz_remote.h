/*
 * kz_remote.h: kustomize's remote targets (private to lib/kustomize):
 * which `resources:` / `components:` entries are remote, in kustomize
 * v5.5's URL grammar (a Git repository, a directory in it and a ref; or an
 * http(s) file), and fetching them: repositories through the Git cache
 * (lib/git: mirrors, locks, credentials, known_hosts, checkouts of the
 * whole commit), files through the HTTP layer (lib/net/http).
 *
 * Ownership: a spec's strings are its own (kz_remote_spec_release); a
 * struct kz_remote holds the repositories a build opened, locked until
 * kz_remote_free (NULL is a no-op), so a checkout it handed out stays
 * while the build reads it.
 */
#ifndef GITOPS_KZ_REMOTE_H
#define GITOPS_KZ_REMOTE_H

#include "lib/base/buf.h"
#include "lib/base/err.h"
#include "lib/kustomize/kustomize.h"

enum kz_remote_kind { KZ_REMOTE_NONE = 0, KZ_REMOTE_GIT, KZ_REMOTE_FILE };

struct kz_remote_spec {
	enum kz_remote_kind kind;
	char *repo;  /* GIT: the repository's address, for gitops_git_url_parse */
	char *path;  /* GIT: the directory in the repository, cleaned ("" the top) */
	char *ref;   /* GIT: ?ref=, else ?version=, else NULL (HEAD) */
	char *url;   /* FILE: the URL to get */
	char *shown; /* the entry as messages show it: a password in it replaced by "***" */
};

/*
 * Is `entry` remote, and what: kind NONE for a local path.  file_ok: an
 * http(s) URL of a .yaml, .yml or .json file with no "//", ".git" or ref
 * in it is a file (resources only).  -1 with GITOPS_EXIT_INPUT when the
 * directory leaves the repository ("//../..").
 */
int kz_remote_parse(struct kz_remote_spec *out, const char *entry, int file_ok, struct gitops_err *err);
void kz_remote_spec_release(struct kz_remote_spec *s);

/* entry with a password in it replaced by "***", into out (size bytes) */
void kz_remote_redact(char *out, size_t size, const char *entry);

struct kz_remote;

int kz_remote_new(struct kz_remote **out, const struct gitops_kustomize_options *opts, struct gitops_err *err);
void kz_remote_free(struct kz_remote *r);

/*
 * The checkout of a GIT spec: the repository fetched (once a build), the
 * ref resolved, the whole commit checked out read-only.  *root (the
 * checkout) and *dir (root/PATH) are the caller's to free.  -1 with err:
 * unreachable, refused credentials, an unknown ref (GITOPS_EXIT_INPUT), a
 * path not in the commit or not a directory (GITOPS_EXIT_INPUT).
 */
int kz_remote_checkout(char **root, char **dir, struct kz_remote *r, const struct kz_remote_spec *s,
		       struct gitops_err *err);

/* The body of a FILE spec (at most KZ_FILE_MAX bytes), appended to out. */
int kz_remote_get(struct gitops_buf *out, struct kz_remote *r, const struct kz_remote_spec *s,
		  struct gitops_err *err);

/*
 * The frames between gitops-render and its gitops-fetch child
 * (remote_child.c, remote.c): "TYPE LEN\n" then LEN bytes.  Requests
 * "checkout" and "get" carry the entry; answers are "note" and "warn"
 * (a message to relay), then "ok" (checkout: ROOT NUL DIR; get: the body)
 * or "err" ("CODE MESSAGE").
 */
int kz_frame_write(int fd, const char *type, const void *data, size_t len);
/* 1 with type (at most 15 characters) and data (replaced) read, 0 at end of input, -1 broken or over max */
int kz_frame_read(int fd, char type[16], struct gitops_buf *data, size_t max);

#endif
