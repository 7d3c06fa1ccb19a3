#include "lib/render.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/object.h"

#define MAX_DIR_DEPTH 64

/* A file of a Source's checkout and the commit that last changed it (borrowed from the revisions file's tree). */
struct revision {
	const char *path;       /* relative to spec.dir */
	const char *rev;
};

static int revision_cmp(const void *a, const void *b)
{
	return strcmp(((const struct revision *)a)->path, ((const struct revision *)b)->path);
}

/* What every reader of one render shares. */
struct render {
	const struct gitops_limits *limits;
	gitops_object_fn fn;
	void *ctx;
	struct gitops_render_stats *stats;
	const char *source;     /* inside a Source: the gitops.dev/source annotation ("REPO//PATH") */
	const char *revision;   /* and gitops.dev/revision (the commit) */
	const struct revision *files;  /* from spec.revisions: the commit that last changed each file, by path */
	size_t n_files;
	const char *dir;        /* the Source's spec.dir, which those paths are relative to */
};

struct walk {
	struct render *rd;
	char *root_real;        /* realpath of the directory given */
};

/* Where an input was found, which decides what it vouches for. */
enum origin {
	ORIGIN_STREAM,  /* standard input, or a pipe or device named: whole only when a valid marker closes it */
	ORIGIN_FILE,    /* a regular file named: read whole */
	ORIGIN_WALKED   /* a regular file a directory walk found: read whole; Source documents refused */
};

static int render_path(struct render *rd, const char *path, struct gitops_render_input *in, struct gitops_err *err);

static int is_source(const cJSON *obj)
{
	const char *av = gitops_json_get_string(obj, "apiVersion", NULL);
	const char *kind = gitops_json_get_string(obj, "kind", NULL);

	return av && kind && !strncmp(av, "gitops.dev/", 11) && !strcmp(kind, "Source");
}

/* The commit that last changed the file an object came from, or the Source's commit. */
static const char *revision_of(const struct render *rd, const struct gitops_object *obj)
{
	size_t n = rd->dir ? strlen(rd->dir) : 0;
	const char *rel, *rev;

	while (n > 1 && rd->dir[n - 1] == '/')
		n--;
	if (!rd->n_files || !obj->source || strncmp(obj->source, rd->dir, n) || obj->source[n] != '/')
		return rd->revision;
	for (rel = obj->source + n; *rel == '/'; rel++)
		;
	{
		struct revision key = { rel, NULL }, *hit;
		hit = bsearch(&key, rd->files, rd->n_files, sizeof(*rd->files), revision_cmp);
		rev = hit ? hit->rev : NULL;
	}
	return rev && *rev ? rev : rd->revision;
}

/* Hand one object on, stamped with its provenance when it comes from a Source. */
static int emit(struct render *rd, struct gitops_object *obj, struct gitops_err *err)
{
	if (rd->source && (gitops_object_set_annotation(obj->json, "gitops.dev/source", rd->source) < 0 ||
			   gitops_object_set_annotation(obj->json, "gitops.dev/revision", revision_of(rd, obj)) < 0))
		return gitops_err_oom(err);
	return rd->fn(rd->ctx, obj, err);
}

/* spec.FIELD of a Source, a non-empty string, or an error naming the document. */
static const char *source_field(const cJSON *src, const char *field, const char *name, const struct gitops_object *o,
				struct gitops_err *err)
{
	const cJSON *spec = gitops_json_get(src, "spec", NULL);
	const cJSON *v = spec ? cJSON_GetObjectItemCaseSensitive(spec, field) : NULL;

	if (!cJSON_IsString(v) || !v->valuestring[0]) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.%s must be a non-empty string",
			       name, o->line, o->doc, gitops_json_get_string(src, "metadata", "name", NULL), field);
		return NULL;
	}
	return v->valuestring;
}

/*
 * A Source document (gitops-fetch): render the plain manifests under its
 * spec.dir, which is the root for the symbolic link check, and stamp each
 * object with where it came from.
 */
static int expand_source(struct render *rd, const struct gitops_object *o, const char *name, struct gitops_err *err)
{
	const char *repository, *commit, *path, *dir;
	struct gitops_buf src = GITOPS_BUF_INIT;
	struct render sub = *rd;
	struct stat st;
	int ret;

	if (rd->source)
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      "%s:%zu: document %zu: a Source document inside a fetched source is refused "
				      "(it could point anywhere on this machine)", name, o->line, o->doc);
	if (!(repository = source_field(o->json, "repository", name, o, err)) ||
	    !(commit = source_field(o->json, "commit", name, o, err)) ||
	    !(path = source_field(o->json, "path", name, o, err)) || !(dir = source_field(o->json, "dir", name, o, err)))
		return -1;
	if (dir[0] != '/')
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.dir '%s' is not an "
				      "absolute path", name, o->line, o->doc,
				      gitops_json_get_string(o->json, "metadata", "name", NULL), dir);
	if (stat(dir, &st) < 0)
		return gitops_err_set(err, GITOPS_EXIT_IO, "%s:%zu: document %zu: Source '%s': %s: %s", name, o->line,
				      o->doc, gitops_json_get_string(o->json, "metadata", "name", NULL), dir,
				      strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': %s is not a directory",
				      name, o->line, o->doc, gitops_json_get_string(o->json, "metadata", "name", NULL),
				      dir);
	if (gitops_buf_addstr(&src, repository) < 0 ||
	    (strcmp(path, ".") != 0 && (gitops_buf_addstr(&src, "//") < 0 || gitops_buf_addstr(&src, path) < 0)))
		return gitops_err_oom(err);
	sub.source = src.data;
	sub.revision = commit;
	sub.dir = dir;
	/* spec.revisions (optional, gitops-fetch writes it): the commit that last changed each file */
	{
		const cJSON *rv = gitops_json_get(o->json, "spec", "revisions", NULL);
		struct gitops_buf text = GITOPS_BUF_INIT;
		cJSON *map = NULL;
		if (rv && !cJSON_IsString(rv)) {
			gitops_buf_release(&src);
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.revisions must be "
					      "a string", name, o->line, o->doc,
					      gitops_json_get_string(o->json, "metadata", "name", NULL));
		}
		if (rv) {
			if (gitops_buf_read_file(&text, rv->valuestring, 64u << 20, err) < 0) {
				gitops_buf_release(&src);
				return gitops_err_prefix(err, "%s:%zu: document %zu: Source '%s': spec.revisions", name, o->line,
							 o->doc, gitops_json_get_string(o->json, "metadata", "name", NULL));
			}
			map = cJSON_ParseWithLength(text.data, text.len);
			gitops_buf_release(&text);
			if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(map, "files"))) {
				cJSON_Delete(map);
				gitops_buf_release(&src);
				return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': %s is not a "
						      "revisions file", name, o->line, o->doc,
						      gitops_json_get_string(o->json, "metadata", "name", NULL), rv->valuestring);
			}
			/* indexed once: a lookup per object must not scan the whole list */
			{
				const cJSON *f;
				struct revision *idx = calloc((size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(map, "files")) + 1,
							      sizeof(*idx));
				size_t k = 0;
				if (!idx) {
					cJSON_Delete(map);
					gitops_buf_release(&src);
					return gitops_err_oom(err);
				}
				cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(map, "files"))
				{
					const char *r = gitops_json_get_string(f, "revision", NULL);
					if (f->string && r) {
						idx[k].path = f->string;
						idx[k++].rev = r;
					}
				}
				qsort(idx, k, sizeof(*idx), revision_cmp);
				sub.files = idx;
				sub.n_files = k;
			}
		}
		{
			struct gitops_render_input sub_in;
			ret = render_path(&sub, dir, &sub_in, err);
		}
		free((void *)sub.files);
		cJSON_Delete(map);
	}
	gitops_buf_release(&src);
	return ret;
}

static int render_stream(struct render *rd, int fd, const char *name, enum origin origin,
			 struct gitops_render_input *in, struct gitops_err *err)
{
	struct gitops_stream_reader *r = NULL;
	struct gitops_stream_status st;
	struct gitops_object obj;
	int n, ret = -1;

	memset(in, 0, sizeof(*in));
	if (gitops_stream_reader_fd(&r, fd, name, rd->limits, 0, err) < 0)
		return -1;
	while ((n = gitops_stream_read(r, &obj, err)) > 0) {
		int cb;
		if (is_source(obj.json)) {
			/*
			 * Only the user names Sources: on standard input or in a file on the
			 * command line.  One in a directory (a cloned repository) could point
			 * the renderer at any directory of this machine.  (Inside a fetched
			 * source, expand_source says so itself.)
			 */
			if (origin == ORIGIN_WALKED && !rd->source) {
				gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: a Source document found in a "
					       "directory is refused (only standard input and files named on the "
					       "command line may hold one)", name, obj.line, obj.doc);
				gitops_object_release(&obj);
				goto done;
			}
			cb = expand_source(rd, &obj, name, err);
			gitops_object_release(&obj);
			if (cb < 0)
				goto done;
			continue;
		}
		cb = emit(rd, &obj, err);
		gitops_object_release(&obj);
		if (cb < 0)
			goto done;
		if (rd->stats)
			rd->stats->objects++;
	}
	if (n < 0)
		goto done;
	/* a stream that carries markers must be whole: never pass on half of one as if complete */
	gitops_stream_reader_status(r, &st);
	if (st.marker == GITOPS_MARKER_BAD) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: end-of-stream check failed: %s", name, st.problem);
		goto done;
	}
	/*
	 * A file is read whole; a stream is whole only if its marker says so.
	 * The Source documents of a stream count as its objects: one lost on
	 * the way is as missing as any other object.
	 */
	in->streamed = origin == ORIGIN_STREAM;
	in->status = st;
	in->whole = origin != ORIGIN_STREAM || st.marker == GITOPS_MARKER_OK;
	if (rd->stats)
		rd->stats->files++;
	ret = 0;
done:
	gitops_stream_reader_free(r);
	return ret;
}

int gitops_render_fd(struct gitops_render_input *out, int fd, const char *name, const struct gitops_limits *limits,
		     gitops_object_fn fn, void *ctx, struct gitops_render_stats *stats, struct gitops_err *err)
{
	struct render rd = { limits, fn, ctx, stats, NULL, NULL, NULL, 0, NULL };

	return render_stream(&rd, fd, name, ORIGIN_STREAM, out, err);
}

/*
 * A path that is not a directory: a regular file is read whole, anything
 * else (a pipe, /dev/stdin) is a stream.  `walked`: found by walking a
 * directory, not named.
 */
static int render_file(struct render *rd, const char *path, int walked, struct gitops_render_input *in,
		       struct gitops_err *err)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gitops_err_errno(err, errno, path);
	if (fstat(fd, &st) < 0) {
		ret = gitops_err_errno(err, errno, path);
		close(fd);
		return ret;
	}
	ret = render_stream(rd, fd, path, !S_ISREG(st.st_mode) ? ORIGIN_STREAM : walked ? ORIGIN_WALKED : ORIGIN_FILE,
			    in, err);
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

/*
 * A link realpath cannot follow: name where it points, and whether that is
 * outside the root (judged on the text of the link, as the target is missing).
 */
static void link_nowhere(const struct walk *w, const char *path, struct gitops_err *err)
{
	char target[PATH_MAX], joined[2 * PATH_MAX + 2], norm[2 * PATH_MAX + 2];
	int errnum = errno;     /* realpath's */
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *p;
	size_t o = 0;

	if (n < 0) {
		gitops_err_errno(err, errno, path);
		return;
	}
	target[n] = '\0';
	if (target[0] == '/') {
		snprintf(joined, sizeof(joined), "%s", target);
	} else {
		char parent[PATH_MAX], *slash, *dir;
		snprintf(parent, sizeof(parent), "%s", path);
		slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		dir = realpath(slash ? parent : ".", NULL);
		snprintf(joined, sizeof(joined), "%s/%s", dir ? dir : parent, target);
		free(dir);
	}
	/* lexical clean-up: "." and ".." components */
	for (p = joined; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && norm[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (len && !(len == 1 && p[0] == '.')) {
			norm[o++] = '/';
			memcpy(norm + o, p, len);
			o += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	norm[o] = '\0';
	if (!o)
		snprintf(norm, sizeof(norm), "/");
	if (!path_inside(norm, w->root_real))
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: symbolic link points outside %s (to %s)", path, w->root_real,
			       target);
	else
		gitops_err_errno(err, errnum, path);
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
				link_nowhere(w, path.data, err);
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
		{
			struct gitops_render_input in;
			if (render_file(w->rd, path.data, 1, &in, err) < 0)
				goto done;
		}
	}
	ret = 0;
done:
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	gitops_buf_release(&path);
	return ret;
}

static int render_path(struct render *rd, const char *path, struct gitops_render_input *in, struct gitops_err *err)
{
	struct walk w = { rd, NULL };
	struct stat st;
	int ret;

	memset(in, 0, sizeof(*in));
	if (stat(path, &st) < 0)
		return gitops_err_errno(err, errno, path);
	if (!S_ISDIR(st.st_mode))
		return render_file(rd, path, 0, in, err);
	in->whole = 1;  /* every file of it read whole */
	w.root_real = realpath(path, NULL);
	if (!w.root_real)
		return gitops_err_errno(err, errno, path);
	ret = walk_dir(&w, path, 0, err);
	free(w.root_real);
	return ret;
}

int gitops_render_path(struct gitops_render_input *out, const char *path, const struct gitops_limits *limits,
		       gitops_object_fn fn, void *ctx, struct gitops_render_stats *stats, struct gitops_err *err)
{
	struct render rd = { limits, fn, ctx, stats, NULL, NULL, NULL, 0, NULL };

	return render_path(&rd, path, out, err);
}
