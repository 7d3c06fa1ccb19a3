/* bump_walk.c: the files of gitops-bump's PATHs, on disk and in a Git tree. */
#include "lib/bump/bump_walk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/base/fs.h"

int gitops_bump_walk_is_yaml(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (!dot || (slash && dot < slash))
		return 0;
	return !strcmp(dot, ".yaml") || !strcmp(dot, ".yml") || !strcmp(dot, ".json");
}

/* A manifest by its name: *.yaml, *.yml, *.json, or no extension at all. */
static int manifest_name(const char *name)
{
	return gitops_bump_walk_is_yaml(name) || !strchr(name, '.');
}

struct disk_walk {
	gitops_bump_file_fn fn;
	void *ctx;
};

static int on_disk_file(void *ctx, const char *path, const char *name, struct gitops_err *err)
{
	struct disk_walk *w = ctx;

	return manifest_name(name) ? w->fn(w->ctx, path, 0, err) : 0;
}

/* The directory walk of the disk, over the commit being edited. */
static int walk_tree(struct gitops_git_edit *ge, const char *dir, gitops_bump_file_fn fn, void *ctx,
		     struct gitops_err *err)
{
	struct gitops_git_dirent *d = NULL;
	size_t n = 0, i;
	int error = 0;

	if (gitops_git_edit_list(ge, dir, &d, &n, err) < 0)
		return -1;
	for (i = 0; !error && i < n; i++) {
		char *path;
		if (d[i].name[0] == '.')
			continue;
		if (!(path = malloc(strlen(dir) + strlen(d[i].name) + 2))) {
			error = gitops_err_oom(err);
			break;
		}
		sprintf(path, "%s%s%s", dir, *dir ? "/" : "", d[i].name);
		if (d[i].kind == GITOPS_GIT_KIND_DIR)
			error = walk_tree(ge, path, fn, ctx, err);
		else if (d[i].kind == GITOPS_GIT_KIND_FILE && manifest_name(d[i].name))
			error = fn(ctx, path, 0, err);
		/* symbolic links and submodules inside a tree are skipped, as on disk */
		free(path);
	}
	gitops_git_dirents_free(d, n);
	return error;
}

int gitops_bump_walk(struct gitops_git_edit *ge, const char *path, gitops_bump_file_fn fn, void *ctx,
		     struct gitops_err *err)
{
	struct disk_walk w = { fn, ctx };
	struct stat st;

	if (ge) {
		enum gitops_git_kind kind;
		if (gitops_git_edit_kind(ge, path, 1, &kind, err) < 0)
			return -1;
		if (kind == GITOPS_GIT_KIND_DIR)
			return walk_tree(ge, path, fn, ctx, err);
		if (kind == GITOPS_GIT_KIND_FILE)
			return fn(ctx, path, 1, err);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: %s in branch %s at %.12s", *path ? path : ".",
				      kind == GITOPS_GIT_KIND_MISSING ? "no such file or directory" : "not a file or directory",
				      gitops_git_edit_branch(ge), gitops_git_edit_commit(ge));
	}
	if (stat(path, &st) < 0)
		return gitops_err_errno(err, errno, path);
	if (S_ISDIR(st.st_mode))
		return gitops_fs_walk(path, on_disk_file, &w, err);
	return fn(ctx, path, 1, err);
}

/* dir (a path on disk, or in the commit: "" its top) holds a file that makes it an application. */
static int app_marker(struct gitops_git_edit *ge, const char *dir)
{
	static const char *const names[] = { "kustomization.yaml", "kustomization.yml", "Kustomization", "Chart.yaml" };
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct gitops_err ignored = GITOPS_ERR_INIT;
		enum gitops_git_kind kind;
		struct stat st;
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir, *dir ? "/" : "", names[i]) >= sizeof(path))
			return 0;
		if (ge ? gitops_git_edit_kind(ge, path, 1, &kind, &ignored) == 0 && kind == GITOPS_GIT_KIND_FILE
		       : stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return 1;
	}
	return 0;
}

int gitops_bump_walk_app_dir(char **out, struct gitops_git_edit *ge, const char *root, const char *file,
			     struct gitops_err *err)
{
	size_t rootlen = strlen(root);
	char *dir = strdup(file), *own = NULL, *slash;
	int error = -1;

	*out = NULL;
	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	if (!dir)
		return gitops_err_oom(err);
	/* the file's own directory ("" at the top of a commit), then up to the walk's root */
	slash = strrchr(dir, '/');
	*(slash ? slash + (slash == dir) : dir) = '\0';
	if (!(own = strdup(*dir ? dir : "."))) {
		gitops_err_oom(err);
		goto done;
	}
	for (;;) {
		if (app_marker(ge, dir))
			break;
		if (strlen(dir) <= rootlen || !strcmp(dir, "/")) {
			/* none up to the walk's root: the file's own directory */
			*out = own;
			own = NULL;
			error = 0;
			goto done;
		}
		slash = strrchr(dir, '/');
		*(slash ? slash + (slash == dir) : dir) = '\0';
	}
	if (!*dir) {
		free(dir);
		if (!(dir = strdup("."))) {
			gitops_err_oom(err);
			goto done;
		}
	}
	*out = dir;
	dir = NULL;
	error = 0;
done:
	free(dir);
	free(own);
	return error;
}
