/*
 * bump.h: gitops-bump's work.  New image tags or values written into YAML
 * files on disk, into the files at the tip of a Git branch (committed and
 * pushed, never forced; the edit redone on the new tip when another push
 * moved the branch first), or into a stream of objects.
 *
 * Layers: yamledit (the edits of a file), bump_images (which edits, and
 * the stream's, on podspec), bump_walk (which files, and the application
 * directories they belong to), bump_newer (--only-newer), bump_conflicts and
 * bump_message (the write-back's checks and its commit message), git and
 * git_write (the cache, the commit and the push), registry and semver (a
 * tag picked from a registry).
 *
 * Nothing here prints: every value changed is handed to the options'
 * on_change callback, notes to notice; errors come back in struct
 * gitops_err (a GITOPS_EXIT_USAGE error names the option at fault).
 * When the files changed by a directory walk lie in more than one
 * application directory (gitops_bump_walk_app_dir), a warning names them.
 *
 * Ownership: the options own the image references their add functions
 * parsed (gitops_bump_options_release frees them); the strings they point
 * to (files, sets, repo, ...) are borrowed and must outlive the run.
 */
#ifndef GITOPS_BUMP_H
#define GITOPS_BUMP_H

#include <stddef.h>
#include "lib/base/err.h"
#include "lib/git/git.h"
#include "lib/git/git_write.h"
#include "lib/base/image.h"
#include "lib/net/registry.h"
#include "lib/yaml/yaml.h"

#define GITOPS_BUMP_MAX_ARGS 64

/* --image NAME=REF */
struct gitops_bump_image {
	char name[512];
	struct gitops_image_ref ref;      /* owned */
};

/* --policy NS:NAME=REF */
struct gitops_bump_policy {
	char id[512];                     /* "ns:name" */
	struct gitops_image_ref ref;      /* owned */
};

/* One value changed: borrowed, valid during the callback. */
struct gitops_bump_change {
	const char *file;     /* the file (in a repository: its path there), or the stream's source */
	size_t line;
	const char *what;     /* the field ("image", "newTag", a --set path, a setter) */
	const char *old;      /* "" when the key was added */
	const char *new;      /* "" when the key was removed */
};

struct gitops_bump_options {
	const char *files[GITOPS_BUMP_MAX_ARGS];     /* --file */
	size_t nfiles;
	const char *sets[GITOPS_BUMP_MAX_ARGS];      /* --set PATH=VALUE */
	size_t nsets;
	struct gitops_bump_image images[GITOPS_BUMP_MAX_ARGS];
	size_t nimages;
	struct gitops_bump_policy policies[GITOPS_BUMP_MAX_ARGS];
	size_t npolicies;
	const char *registry_image;       /* --image NAME without =REF */
	int create, check, from_registry, digest;
	int only_newer;                   /* --only-newer: a version only replaced by a higher one (bump_newer.h) */
	int allow_empty_input;            /* stream mode: an empty stream without a marker is no error */
	const char *semver, *regex;
	enum gitops_tag_order order;
	int order_set;
	struct gitops_registry_options reg;
	/* write-back to Git */
	const char *repo, *branch, *path_prefix, *push_branch, *author, *message;
	unsigned retries;
	struct gitops_git_cache_options cache;
	struct gitops_git_auth auth;
	/* the limits of every reader; NULL: the defaults */
	const struct gitops_limits *limits;
	/* reports (each may be NULL): a value changed; a note at verbosity level (0 always, 1 with -v,
	 * GITOPS_BUMP_WARNING a warning) */
	void (*on_change)(void *ctx, const struct gitops_bump_change *c);
	void (*notice)(void *ctx, int level, const char *msg);
	void *ctx;
};

/* The level of a note that is a warning (silenced by -q). */
#define GITOPS_BUMP_WARNING (-1)

#define GITOPS_BUMP_OPTIONS_INIT                                                                                   \
	{ .order = GITOPS_ORDER_SEMVER, .reg = GITOPS_REGISTRY_OPTIONS_INIT, .retries = 5,                          \
	  .cache = GITOPS_GIT_CACHE_OPTIONS_INIT, .auth = GITOPS_GIT_AUTH_INIT }

/* Hand o->notice a formatted note (nothing when it is NULL). */
void gitops_bump_notice(const struct gitops_bump_options *o, int level, const char *fmt, ...) GITOPS_PRINTF(3, 4);

/* The '=' that ends PATH in --set PATH=VALUE: the first one outside [...] (a selector holds one); NULL if none. */
char *gitops_bump_set_split(const char *arg);

/*
 * The option --NAME (its long name, without the dashes) with its argument
 * (NULL for a flag), into the options.  Returns 0, or 1 when it is an
 * option that only means something with --repo; -1 with a usage error.
 */
int gitops_bump_options_set(struct gitops_bump_options *o, const char *name, const char *arg, struct gitops_err *err);

/* --image NAME=REF, or NAME alone (for --from-registry); --policy NS:NAME=REF.  Usage errors. */
int gitops_bump_options_add_image(struct gitops_bump_options *o, const char *arg, struct gitops_err *err);
int gitops_bump_options_add_policy(struct gitops_bump_options *o, const char *arg, struct gitops_err *err);

/* The options together make sense (stream: a stream on standard input is edited).  Usage errors. */
int gitops_bump_options_check(const struct gitops_bump_options *o, int stream, struct gitops_err *err);

/* Free the image references the options own. */
void gitops_bump_options_release(struct gitops_bump_options *o);

/*
 * --from-registry: pick the tag of o->registry_image (newest in --semver,
 * or by --regex/--order), and its digest with --digest, and add it to the
 * images as NAME=TAG[@DIGEST].
 */
int gitops_bump_pick_tag(struct gitops_bump_options *o, struct gitops_err *err);

/* A run over the options (borrowed: they must outlive it). */
struct gitops_bump;

int gitops_bump_new(struct gitops_bump **out, const struct gitops_bump_options *o, struct gitops_err *err);
void gitops_bump_free(struct gitops_bump *b);

/* The files read, parsed and changed so far. */
void gitops_bump_stats(size_t *scanned, size_t *parsed, size_t *changed, const struct gitops_bump *b);

/*
 * Stream mode: the stream on `in` with the images set, written to `out`
 * (-1: not written) with the end-of-stream marker only if the input ended
 * with a valid one; an input whose marker is wrong is refused.
 */
int gitops_bump_stream(struct gitops_bump *b, int in, int out, struct gitops_err *err);

/*
 * Files on disk: the --file FILEs and the PATHs (files, or directories
 * walked), edited and written atomically (not with --check), only those
 * that changed.
 */
int gitops_bump_files(struct gitops_bump *b, char *const *paths, size_t npaths, struct gitops_err *err);

/*
 * Write-back to Git, in two steps.  prepare checks everything that can be
 * checked before anything is fetched (the author and committer, dates,
 * --message, branch names, the paths inside the repository: usage errors);
 * git fetches, edits the tip of the branch, commits and pushes.
 */
struct gitops_bump_git_result {
	char *repository;                   /* the repository, for messages (owned) */
	struct gitops_git_write_result w;   /* branch, base, commit, attempts, changed */
};

int gitops_bump_git_prepare(struct gitops_bump *b, char *const *paths, size_t npaths, struct gitops_err *err);
int gitops_bump_git(struct gitops_bump_git_result *out, struct gitops_bump *b, struct gitops_err *err);
void gitops_bump_git_result_release(struct gitops_bump_git_result *res);

/* -o json: a change as {"file", "line", "field", "old", "new"}; a result's repository, branch, base, commit,
 * pushBranch (push_branch, when given) and attempts added to doc.  NULL / nothing added when out of memory. */
cJSON *gitops_bump_change_json(const struct gitops_bump_change *c);
void gitops_bump_git_result_json(cJSON *doc, const struct gitops_bump_git_result *res, const char *push_branch);

#endif
