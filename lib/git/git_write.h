/*
 * git_write.h: write-back to Git for gitops-bump: edit files of a branch
 * of a remote repository, commit, push without force, and when the push
 * loses a race (another push moved the branch first) fetch and redo the
 * edit on the new tip.
 *
 * Everything happens in the mirror of lib/git.h's cache, which the caller
 * opened (and so locked): no working tree is written.  The edit sees the
 * tree of the branch's tip through struct gitops_git_edit (read, list,
 * write files); what it writes becomes blobs, one tree made from the tip's
 * (git_tree_create_updated: every entry not written keeps its id and mode)
 * and one commit whose only parent is the tip.
 *
 * The push is a compare-and-swap, never forced: the refspec has no '+',
 * and the update goes through only while the remote's branch still points
 * at the tip the edit saw (for --push-branch: while the branch does not
 * exist).  Remote transports check that in the push negotiation and the
 * server checks it again under its ref lock; a local repository (a path or
 * file://) is updated with git_reference_create_matching, which compares
 * under the lock too.
 *
 * Credentials: the caller's struct gitops_git_url and gitops_git_auth, used
 * through gitops_git_callbacks_init; messages name url->display only.
 *
 * Ownership: strings a function hands out (*out, *resolved, result.branch)
 * are the caller's to free; the struct gitops_git_edit an edit callback
 * gets belongs to gitops_git_write and lives for that call; borrowed
 * `const char *` members of option structs must outlive the call.
 */
#ifndef GITOPS_GIT_WRITE_H
#define GITOPS_GIT_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <git2.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"
#include "lib/git/git.h"

/* --- the edit's view of one commit --- */

struct gitops_git_edit;

enum gitops_git_kind {
	GITOPS_GIT_KIND_MISSING,   /* no such path in the commit */
	GITOPS_GIT_KIND_FILE,      /* a blob (executable or not) */
	GITOPS_GIT_KIND_DIR,
	GITOPS_GIT_KIND_LINK,
	GITOPS_GIT_KIND_OTHER      /* a submodule */
};

struct gitops_git_dirent {
	char *name;
	enum gitops_git_kind kind;
};

/* The branch ("main") and the commit (40 hex digits) the view shows: borrowed from e. */
const char *gitops_git_edit_branch(const struct gitops_git_edit *e);
const char *gitops_git_edit_commit(const struct gitops_git_edit *e);

/*
 * Paths are relative to the repository's root, '/'-separated ("" is the
 * root).  Symbolic links in the commit are followed inside it, as the file
 * system would follow them in a checkout (the last component only when
 * `follow`); one that leads outside the repository, or an absolute one,
 * is an input error that names the path.
 */
int gitops_git_edit_kind(struct gitops_git_edit *e, const char *path, int follow, enum gitops_git_kind *out,
			 struct gitops_err *err);

/* The entries of directory `dir`, sorted by name (strcmp); free with gitops_git_dirents_free. */
int gitops_git_edit_list(struct gitops_git_edit *e, const char *dir, struct gitops_git_dirent **out, size_t *n,
			 struct gitops_err *err);
void gitops_git_dirents_free(struct gitops_git_dirent *d, size_t n);

/*
 * The content of file `path` into out (emptied first; NUL-terminated);
 * larger than max bytes: an input error.  *resolved (may be NULL; the
 * caller's to free) gets the path the links led to: the one to write.
 */
int gitops_git_edit_read(struct gitops_git_edit *e, const char *path, struct gitops_buf *out, size_t max,
			 char **resolved, struct gitops_err *err);

/*
 * New content for the existing file `path` (no links followed: give what
 * gitops_git_edit_read resolved); its mode (executable or not) is kept.
 * Content equal to the commit's is no change.  A later write of the same
 * path replaces an earlier one.
 */
int gitops_git_edit_write(struct gitops_git_edit *e, const char *path, const void *data, size_t len,
			  struct gitops_err *err);

/* The commit message (copied); needed once anything changed. */
int gitops_git_edit_message(struct gitops_git_edit *e, const char *msg, struct gitops_err *err);
const char *gitops_git_edit_get_message(const struct gitops_git_edit *e);

/*
 * A view of `commit` (of branch, a name for messages) in repo; gitops_git_write
 * makes one per attempt.  gitops_git_edit_tree: the id of the tree the
 * writes make, and whether it differs from the commit's.  _free(NULL) is
 * a no-op.
 */
int gitops_git_edit_new(struct gitops_git_edit **out, git_repository *repo, const char *branch, const git_oid *commit,
			struct gitops_err *err);
int gitops_git_edit_tree(struct gitops_git_edit *e, git_oid *tree, int *changed, struct gitops_err *err);
void gitops_git_edit_free(struct gitops_git_edit *e);

/*
 * The edit: called with the view of the tip, once per attempt (0 the
 * first; later ones after the branch moved).  Return 0, or -1 with err set
 * to stop everything: nothing is committed or pushed.
 */
typedef int (*gitops_git_edit_fn)(struct gitops_git_edit *e, unsigned attempt, void *ctx, struct gitops_err *err);

/* --- commit and push --- */

/* Who: name and email (no '<', '>' or line breaks); date NULL: now, else as gitops_git_date_parse reads it. */
struct gitops_git_ident {
	const char *name, *email, *date;
};

struct gitops_git_write_options {
	const char *branch;          /* NULL: the remote's default branch (its HEAD) */
	const char *push_branch;     /* NULL: the commit goes onto branch; else onto this new branch */
	unsigned retries;            /* attempts after the first when the branch moved (default 5) */
	unsigned backoff_ms;         /* wait before the first retry (default 200), doubled for each next */
	unsigned backoff_max_ms;     /* the longest wait (default 5000); each is jittered to 50-100% */
	struct gitops_git_ident author, committer;
	int dry_run;                 /* fetch and edit only: no commit, no push (--check) */
	void (*notice)(void *ctx, const char *msg);   /* "branch main moved: ...": may be NULL */
	void *ctx;
};

#define GITOPS_GIT_WRITE_OPTIONS_INIT { .retries = 5, .backoff_ms = 200, .backoff_max_ms = 5000 }

struct gitops_git_write_result {
	char *branch;                       /* the branch the edit was made on (short name) */
	char base[GIT_OID_HEXSZ + 1];       /* its tip the last edit saw */
	char commit[GIT_OID_HEXSZ + 1];     /* the commit pushed; "" when nothing changed or dry_run */
	unsigned attempts;                  /* edits made (1 + retries used) */
	int changed;                        /* the last edit changed a file */
};

void gitops_git_write_result_release(struct gitops_git_write_result *res);

/*
 * Fetch r (open, locked), edit the tip of the branch, commit and push, as
 * the top of this file says.  A branch that moved before the push landed
 * is fetched again after a jittered backoff and the edit redone, up to
 * o->retries times; then GITOPS_EXIT_REJECTED.  A push the server refuses
 * for another reason (a hook, a protected branch) is GITOPS_EXIT_REJECTED
 * with the server's words.  An edit that changes nothing commits nothing
 * (res->changed 0, res->commit "").  Errors of the transport keep
 * gitops_git_error's classes (unreachable 5, auth 6, rejected 7).
 */
int gitops_git_write(struct gitops_git_write_result *res, struct gitops_git_repo *r, const struct gitops_git_url *url,
		     const struct gitops_git_auth *auth, const struct gitops_git_write_options *o, gitops_git_edit_fn edit,
		     void *ctx, struct gitops_err *err);

/* --- pieces, exposed for the command line and the tests --- */

/*
 * "Name <email>" into its parts (the caller frees both): blanks around the
 * name trimmed; an empty name or email, or '<', '>' or a line break inside
 * either, is a usage error.
 */
int gitops_git_ident_parse(char **name, char **email, const char *s, struct gitops_err *err);

/*
 * A date as git reads GIT_AUTHOR_DATE: "@SECONDS [+HHMM]", "SECONDS +HHMM"
 * (git's own), ISO 8601 ("2024-01-31T12:00:00Z", "2024-01-31 12:00:00
 * +0100", fractions of seconds ignored, no zone: local time) or RFC 2822
 * ("Wed, 31 Jan 2024 12:00:00 +0100").  *offset in minutes east of UTC.
 * 0, or -1 with a usage error naming `what`.
 */
int gitops_git_date_parse(const char *s, git_time_t *t, int *offset, const char *what, struct gitops_err *err);

/* A placeholder of a message template and its value. */
struct gitops_git_message_var {
	const char *name;     /* "old": written {old} */
	const char *value;
};

/*
 * Expand {NAME} placeholders of tmpl ("{{" and "}}" are braces); an unknown
 * name or an unclosed '{' is a usage error that lists the names known.
 * The result (the caller's) ends with exactly one newline, trailing blanks
 * and blank lines dropped; an empty message is a usage error.
 */
int gitops_git_message_format(char **out, const char *tmpl, const struct gitops_git_message_var *vars, size_t n,
			      struct gitops_err *err);

/* A branch name git accepts (refs/heads/NAME valid, at most 255 bytes): 1, else 0. */
int gitops_git_branch_name_valid(const char *name);

/*
 * PREFIX/PATH as a path inside the repository ('/'-separated, no "." or
 * empty components; "" the root): an absolute path or ".." in either is a
 * usage error naming `what` (the option).  *out is the caller's.
 */
int gitops_git_repo_path(char **out, const char *prefix, const char *path, const char *what, struct gitops_err *err);

/* The push refspec SRC:refs/heads/BRANCH: never with '+'.  0, or -1 when it does not fit in size. */
int gitops_git_push_refspec(char *out, size_t size, const char *src, const char *branch);

/* The wait before retry number `retry` (1, 2, ...): base doubled retry-1 times, at most max, jittered by rnd to 50-100%. */
unsigned gitops_git_backoff_ms(unsigned retry, unsigned base, unsigned max, uint32_t rnd);

#endif
