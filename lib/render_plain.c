#include "lib/render.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/object.h"

#define MAX_DIR_DEPTH 64

struct walk {
	const struct gitops_limits *limits;
	gitops_object_fn fn;
	void *ctx;
	struct gitops_render_stats *stats;
	char *root_real;        /* realpath of the directory given */
};

static int is_source(const cJSON *obj)
{
	const char *av = gitops_json_get_string(obj, "apiVersion", NULL);
	const char *kind = gitops_json_get_string(obj, "kind", NULL);

	return av && kind && !strncmp(av, "gitops.dev/", 11) && !strcmp(kind, "Source");
}

int gitops_render_fd(int fd, const char *name, const struct gitops_limits *limits, gitops_object_fn fn,
		     void *ctx, struct gitops_render_stats *stats, struct gitops_err *err)
{
	struct gitops_stream_reader *r = NULL;
	struct gitops_stream_status st;
	struct gitops_object obj;
	int n, ret = -1;

	if (gitops_stream_reader_fd(&r, fd, name, limits, 0, err) < 0)
		return -1;
	while ((n = gitops_stream_read(r, &obj, err)) > 0) {
		int cb;
		if (is_source(obj.json)) {
			gitops_err_set(err, GITOPS_EXIT_USAGE,
				       "%s:%zu: document %zu: a Source document (from gitops-fetch): "
				       "this version cannot expand Source documents yet", name, obj.line, obj.doc);
			gitops_object_release(&obj);
			goto done;
		}
		cb = fn(ctx, &obj, err);
		gitops_object_release(&obj);
		if (cb < 0)
			goto done;
		if (stats)
			stats->objects++;
	}
	if (n < 0)
		goto done;
	/* a stream that carries markers must be whole: never pass on half of one as if complete */
	gitops_stream_reader_status(r, &st);
	if (st.marker == GITOPS_MARKER_BAD) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: end-of-stream check failed: %s", name, st.problem);
		goto done;
	}
	if (stats)
		stats->files++;
	ret = 0;
done:
	gitops_stream_reader_free(r);
	return ret;
}

static int render_file(struct walk *w, const char *path, struct gitops_err *err)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gitops_err_errno(err, errno, path);
	ret = gitops_render_fd(fd, path, w->limits, w->fn, w->ctx, w->stats, err);
	close(fd);
	return ret;
}

static int has_manifest_ext(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") || !strcmp(dot, ".json"));
}

static int byte_order(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_entry(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* A directory that another renderer owns. */
static int check_special(const char *dir, struct dirent **ents, int n, struct gitops_err *err)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		if (!strcmp(nm, "kustomization.yaml") || !strcmp(nm, "kustomization.yml") ||
		    !strcmp(nm, "Kustomization"))
			return gitops_err_set(err, GITOPS_EXIT_USAGE,
					      "%s: a Kustomize overlay (%s): this version cannot render Kustomize yet",
					      dir, nm);
		if (!strcmp(nm, "Chart.yaml"))
			return gitops_err_set(err, GITOPS_EXIT_USAGE,
					      "%s: a Helm chart (Chart.yaml): this version cannot render Helm charts yet",
					      dir);
	}
	return 0;
}

static int path_inside(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return 1;
	return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static int walk_dir(struct walk *w, const char *dir, int depth, struct gitops_err *err)
{
	struct dirent **ents = NULL;
	struct gitops_buf path = GITOPS_BUF_INIT;
	size_t dlen = strlen(dir);
	int n, i, ret = -1;

	if (depth > MAX_DIR_DEPTH)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: directories nested deeper than %d levels", dir,
				      MAX_DIR_DEPTH);
	n = scandir(dir, &ents, skip_entry, byte_order);
	if (n < 0)
		return gitops_err_errno(err, errno, dir);
	if (check_special(dir, ents, n, err) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		struct stat st;

		path.len = 0;
		if (gitops_buf_add(&path, dir, dlen) < 0 ||
		    (dlen && dir[dlen - 1] != '/' && gitops_buf_add(&path, "/", 1) < 0) ||
		    gitops_buf_addstr(&path, nm) < 0) {
			gitops_err_oom(err);
			goto done;
		}
		if (lstat(path.data, &st) < 0) {
			gitops_err_errno(err, errno, path.data);
			goto done;
		}
		if (S_ISDIR(st.st_mode)) {
			if (walk_dir(w, path.data, depth + 1, err) < 0)
				goto done;
			continue;
		}
		if (!has_manifest_ext(nm))
			continue;
		if (S_ISLNK(st.st_mode)) {
			char *real = realpath(path.data, NULL);
			struct stat tst;
			if (!real) {
				gitops_err_errno(err, errno, path.data);
				goto done;
			}
			if (!path_inside(real, w->root_real)) {
				gitops_err_set(err, GITOPS_EXIT_INPUT,
					       "%s: symbolic link points outside %s (to %s)", path.data,
					       w->root_real, real);
				free(real);
				goto done;
			}
			if (stat(real, &tst) < 0 || !S_ISREG(tst.st_mode)) {
				free(real);
				continue; /* links to directories are not followed */
			}
			free(real);
		} else if (!S_ISREG(st.st_mode)) {
			continue;
		}
		if (render_file(w, path.data, err) < 0)
			goto done;
	}
	ret = 0;
done:
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	gitops_buf_release(&path);
	return ret;
}

int gitops_render_path(const char *path, const struct gitops_limits *limits, gitops_object_fn fn, void *ctx,
		       struct gitops_render_stats *stats, struct gitops_err *err)
{
	struct walk w = { limits, fn, ctx, stats, NULL };
	struct stat st;
	int ret;

	if (stat(path, &st) < 0)
		return gitops_err_errno(err, errno, path);
	if (!S_ISDIR(st.st_mode))
		return render_file(&w, path, err);
	w.root_real = realpath(path, NULL);
	if (!w.root_real)
		return gitops_err_errno(err, errno, path);
	ret = walk_dir(&w, path, 0, err);
	free(w.root_real);
	return ret;
}
