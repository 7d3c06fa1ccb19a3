/*
 * bump_walk.h: which files gitops-bump reads.  A PATH is a file, or a
 * directory searched recursively for *.yaml, *.yml, *.json and files
 * without an extension (Kustomization); hidden entries, symbolic links,
 * special files and submodules inside a directory are skipped, as Flux
 * does.  On disk (through lib/fs's walk) or in the commit a
 * gitops_git_edit edits (lib/git_write): the same walk, byte order.
 * The application directory of a file found: what a warning about a bump
 * that spreads over several applications names.
 */
#ifndef GITOPS_BUMP_WALK_H
#define GITOPS_BUMP_WALK_H

#include "lib/base/err.h"
#include "lib/git/git_write.h"

/* A file found: named (given on the command line) or found by a walk. */
typedef int (*gitops_bump_file_fn)(void *ctx, const char *path, int named, struct gitops_err *err);

/* path ends in .yaml, .yml or .json */
int gitops_bump_walk_is_yaml(const char *path);

/*
 * Call fn for the file `path`, or for each file a walk of the directory
 * `path` finds.  ge: the commit being edited, or NULL for the disk.
 */
int gitops_bump_walk(struct gitops_git_edit *ge, const char *path, gitops_bump_file_fn fn, void *ctx,
		     struct gitops_err *err);

/*
 * The application directory of `file`, a file a walk of the directory
 * `root` found: the nearest directory above it, from its own up to `root`,
 * that holds a kustomization.yaml, kustomization.yml, Kustomization or
 * Chart.yaml (an overlay, a chart); else the file's own directory ("."
 * for the top of a repository).  ge: the commit being edited, or NULL for
 * the disk.  *out is the caller's to free.
 */
int gitops_bump_walk_app_dir(char **out, struct gitops_git_edit *ge, const char *root, const char *file,
			     struct gitops_err *err);

#endif
