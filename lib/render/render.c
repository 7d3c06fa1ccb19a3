#include "lib/render/render.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/k8s/object.h"
#include "lib/k8s/source.h"
#include "lib/kustomize/kustomize.h"
#include "lib/render/helm/files.h"
#include "lib/template/funcs/funcs.h"
#include "lib/template/template.h"
#include "lib/value/jsonio.h"

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

struct checkout_check;
struct listed;

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
	const char *dir;        /* the Source's checkout (spec.root, else spec.dir), which those paths are relative to */
	struct checkout_check *check;  /* inside a Source with spec.revisions: what the walk must read */
	const struct gitops_kustomize_options *kustomize; /* how kustomizations are built (NULL: defaults) */
	const struct gitops_helm_options *helm;          /* how charts are rendered (NULL: helm template's defaults) */
	const char *build_revision;    /* while a kustomize build's objects are handed on: the newest of its files */
	const cJSON *kz_overrides;     /* inside a Source: its spec.kustomize (Argo CD's overrides), or NULL */
	int allow_remote;              /* inside a Source: its spec.kustomize.allowRemote */
	/* inside a Source with spec.revisions: the newest of the files of the checkout its spec.helm names
	 * (value files, file parameters), which count for its charts' revision, and whether one had no rank */
	const struct listed *helm_newest;
	int helm_unranked;
	struct fetched *fetched;       /* the gitops-fetch child charts from repositories come through (shared) */
};

/* The fetcher a render opened for charts from repositories: its charts stay locked until the render ends. */
struct fetched {
	const struct gitops_kustomize_fetcher *f;
	void *state;
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
static int check_read(struct checkout_check *c, const char *path, int fd, struct gitops_err *err);

/* The file an object came from, relative to the Source's checkout (NULL: not inside it). */
static const char *file_of(const struct render *rd, const struct gitops_object *obj)
{
	size_t n = rd->dir ? strlen(rd->dir) : 0;
	const char *rel;

	while (n > 1 && rd->dir[n - 1] == '/')
		n--;
	if (!n || !obj->source || strncmp(obj->source, rd->dir, n) || obj->source[n] != '/')
		return NULL;
	for (rel = obj->source + n; *rel == '/'; rel++)
		;
	return *rel ? rel : NULL;
}

/* The commit that last changed the file an object came from, or the Source's commit. */
static const char *revision_of(const struct render *rd, const struct gitops_object *obj)
{
	const char *rel, *rev;

	if (rd->build_revision)
		return rd->build_revision;
	if (!rd->n_files || !(rel = file_of(rd, obj)))
		return rd->revision;
	{
		struct revision key = { rel, NULL }, *hit;
		hit = bsearch(&key, rd->files, rd->n_files, sizeof(*rd->files), revision_cmp);
		rev = hit ? hit->rev : NULL;
	}
	return rev && *rev ? rev : rd->revision;
}

/*
 * Hand one object on, stamped with its provenance when it comes from a
 * Source: gitops.dev/source (REPO//PATH), gitops.dev/file (the file it was
 * read from, or the kustomization or chart that built it, relative to the
 * repository) and gitops.dev/revision, which the other programs' messages
 * quote instead of a cache path.
 */
static int emit(struct render *rd, struct gitops_object *obj, struct gitops_err *err)
{
	const char *file;

	if (rd->source) {
		if (gitops_object_set_annotation(obj->json, "gitops.dev/source", rd->source) < 0 ||
		    ((file = file_of(rd, obj)) && gitops_object_set_annotation(obj->json, "gitops.dev/file", file) < 0) ||
		    gitops_object_set_annotation(obj->json, "gitops.dev/revision", revision_of(rd, obj)) < 0)
			return gitops_err_oom(err);
	}
	return rd->fn(rd->ctx, obj, err);
}

/*
 * A message about a Source's checkout names the repository, not the cache:
 * every ROOT/REL in err's message becomes REPO//REL@COMMIT (7 hex digits),
 * the checkout itself REPO@COMMIT.  A path ends at a character no message
 * puts inside one (':', a quote, a space, a comma, a parenthesis).
 */
static void name_checkout(struct gitops_err *err, const char *root, const char *repository, const char *commit)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t n = strlen(root);
	const char *p = err->msg, *hit;

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n < 2 || !strstr(p, root))
		return;
	while ((hit = strstr(p, root))) {
		const char *rel = hit + n, *end;
		if (*rel && *rel != '/' && !strchr(":'\" ,)", *rel)) {
			gitops_buf_add(&b, p, (size_t)(rel - p));
			p = rel;
			continue;
		}
		while (*rel == '/')
			rel++;
		end = rel + strcspn(rel, ":'\" ,()\t");
		gitops_buf_add(&b, p, (size_t)(hit - p));
		if (end > rel)
			gitops_buf_printf(&b, "%s//%.*s@%.7s", repository, (int)(end - rel), rel, commit);
		else
			gitops_buf_printf(&b, "%s@%.7s", repository, commit);
		p = end;
	}
	gitops_buf_addstr(&b, p);
	if (b.data)
		snprintf(err->msg, sizeof(err->msg), "%s", b.data);
	gitops_buf_release(&b);
}

/*
 * A Source's checkout checked against its revisions file, which lists every
 * file of the checkout (gitops-fetch writes it from the commit's tree, with
 * sizes and modes): each file the walk reads must be listed, with its size;
 * every listed manifest must have been read, and every listed file must
 * still be there once the walk is over.  A checkout that lost files (a tmp
 * cleaner, a full disk, a cache GC) then fails the render instead of giving
 * fewer objects, which a sync would prune.
 */
struct listed {
	const char *path;       /* relative to the checkout; borrowed from the revisions file's tree */
	long long size;         /* -1: not given (a revisions file of an older gitops-fetch) */
	int link;               /* 1 a symbolic link, 0 a file, -1 not given */
	int read;               /* opened by the walk */
	const char *rev;        /* the commit that last changed it (NULL: not given) */
	size_t rank;            /* its place in the revisions file's "commits", newest 0; RANK_UNKNOWN: not there */
};

#define RANK_UNKNOWN ((size_t)-1)

struct checkout_check {
	const char *dir;        /* the checkout: spec.root (else spec.dir) */
	const char *walk;       /* spec.dir relative to it ("" the same): the plain walk's part */
	const char *commit;
	const char *where;      /* "NAME:LINE: document N: Source 'S'", for messages */
	struct listed *files;   /* sorted by path */
	size_t n;
	/* directories built by kustomize, relative: it reads what the kustomization names, not every file */
	char **kz_roots;
	size_t n_kz_roots;
	/* while a kustomize build reads: the newest file read (by rank), and whether one had no rank */
	int tracking, unranked;
	const struct listed *newest;
};

struct ranked {
	const char *rev;
	size_t rank;
};

static int ranked_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ranked *)a)->rev, ((const struct ranked *)b)->rev);
}

static int listed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->path, ((const struct listed *)b)->path);
}

static int check_fail(const struct checkout_check *c, struct gitops_err *err, const char *fmt, ...) GITOPS_PRINTF(3, 4);
static int check_fail(const struct checkout_check *c, struct gitops_err *err, const char *fmt, ...)
{
	char what[GITOPS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return gitops_err_set(err, GITOPS_EXIT_IO, "%s: checkout %s does not match commit %.12s: %s (run gitops-fetch "
			      "again)", c->where, c->dir, c->commit, what);
}

/*
 * The files of the revisions file's map `files`, ranked by its list
 * `commits` (newest first; may be NULL: a file of an older gitops-fetch).
 * Borrowed: c lives no longer than the map.
 */
static int check_init(struct checkout_check *c, const cJSON *files, const cJSON *commits, struct gitops_err *err)
{
	struct ranked *order = NULL;
	const cJSON *f;
	size_t k = 0, nr = 0;

	c->files = calloc((size_t)cJSON_GetArraySize(files) + 1, sizeof(*c->files));
	if (!c->files || (cJSON_IsArray(commits) &&
			  !(order = calloc((size_t)cJSON_GetArraySize(commits) + 1, sizeof(*order))))) {
		free(order);
		return gitops_err_oom(err);
	}
	if (order) {
		cJSON_ArrayForEach(f, commits)
		{
			if (cJSON_IsString(f)) {
				order[nr].rev = f->valuestring;
				order[nr].rank = nr;
				nr++;
			}
		}
		qsort(order, nr, sizeof(*order), ranked_cmp);
	}
	cJSON_ArrayForEach(f, files)
	{
		const cJSON *size = cJSON_GetObjectItemCaseSensitive(f, "size");
		const char *mode = gitops_json_get_string(f, "mode", NULL);
		struct ranked key, *hit;
		if (!f->string)
			continue;
		c->files[k].path = f->string;
		c->files[k].size = cJSON_IsNumber(size) && size->valuedouble >= 0 ? (long long)size->valuedouble : -1;
		c->files[k].link = !mode ? -1 : !strcmp(mode, "120000");
		c->files[k].rev = gitops_json_get_string(f, "revision", NULL);
		key.rev = c->files[k].rev;
		hit = key.rev && nr ? bsearch(&key, order, nr, sizeof(*order), ranked_cmp) : NULL;
		c->files[k].rank = hit ? hit->rank : RANK_UNKNOWN;
		k++;
	}
	free(order);
	qsort(c->files, k, sizeof(*c->files), listed_cmp);
	c->n = k;
	return 0;
}

/* The path of a file of the checkout relative to it, or NULL when it is not under it. */
static const char *check_rel(const struct checkout_check *c, const char *path)
{
	size_t n = strlen(c->dir);

	while (n > 1 && c->dir[n - 1] == '/')
		n--;
	if (strncmp(path, c->dir, n) != 0 || path[n] != '/')
		return NULL;
	for (path += n; *path == '/'; path++)
		;
	return path;
}

/* The walk opened `path` (fd): it must be a listed file of that size. */
static int check_read(struct checkout_check *c, const char *path, int fd, struct gitops_err *err)
{
	const char *rel = check_rel(c, path);
	struct listed key, *hit;
	struct stat st;

	key.path = rel ? rel : path;
	hit = rel && c->n ? bsearch(&key, c->files, c->n, sizeof(*c->files), listed_cmp) : NULL;
	if (!hit)
		return check_fail(c, err, "'%s' is not a file of the commit", key.path);
	if (fstat(fd, &st) < 0)
		return gitops_err_errno(err, errno, path);
	if (hit->link == 0 && hit->size >= 0 && (long long)st.st_size != hit->size)
		return check_fail(c, err, "'%s' has %lld bytes, not %lld", rel, (long long)st.st_size, hit->size);
	hit->read = 1;
	if (c->tracking) {
		if (hit->rank == RANK_UNKNOWN)
			c->unranked = 1;
		else if (!c->newest || hit->rank < c->newest->rank)
			c->newest = hit;
	}
	return 0;
}

/* Whether the plain walk reads a file of this path: a manifest, no hidden component. */
static int walk_reads(const char *rel)
{
	const char *p, *dot;

	for (p = rel; *p; p += strcspn(p, "/"), p += *p == '/')
		if (*p == '.')
			return 0;
	p = strrchr(rel, '/');
	dot = strrchr(p ? p + 1 : rel, '.');
	return dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") || !strcmp(dot, ".json"));
}

/* Is rel inside a directory kustomize built (whose files it reads only when named)? */
static int under_kz_root(const struct checkout_check *c, const char *rel)
{
	size_t i, n;

	for (i = 0; i < c->n_kz_roots; i++) {
		n = strlen(c->kz_roots[i]);
		if (!n || (!strncmp(rel, c->kz_roots[i], n) && rel[n] == '/'))
			return 1;
	}
	return 0;
}

/* kustomize read a file of the checkout: it must be a listed file of that size (a kustomize read hook) */
static int check_kz_read(void *ctx, const char *path, int fd, struct gitops_err *err)
{
	struct checkout_check *c = ctx;
	char *real;
	size_t n;
	int rc;

	if (check_rel(c, path))
		return check_read(c, path, fd, err);
	/* kustomize names files under the checkout's real path (symbolic links resolved) */
	if ((real = realpath(c->dir, NULL)) && (n = strlen(real)) && !strncmp(path, real, n) && path[n] == '/') {
		struct gitops_buf b = GITOPS_BUF_INIT;

		free(real);
		if (gitops_buf_printf(&b, "%s%s", c->dir, path + n) < 0)
			return gitops_err_oom(err);
		rc = check_read(c, b.data, fd, err);
		gitops_buf_release(&b);
		return rc;
	}
	free(real);
	return check_read(c, path, fd, err);
}

/* Remember a directory kustomize builds (absolute or under the checkout's dir). */
static int check_add_kz_root(struct checkout_check *c, const char *dir, struct gitops_err *err)
{
	const char *rel = check_rel(c, dir);
	char **v;
	size_t n;

	if (!rel) {
		size_t d = strlen(c->dir);

		while (d > 1 && c->dir[d - 1] == '/')
			d--;
		if (strncmp(dir, c->dir, d) != 0 || (dir[d] && dir[d] != '/'))
			return 0; /* not in the checkout: nothing of it is listed */
		rel = "";
	}
	if (!(v = realloc(c->kz_roots, (c->n_kz_roots + 1) * sizeof(*v))))
		return gitops_err_oom(err);
	c->kz_roots = v;
	if (!(v[c->n_kz_roots] = strdup(rel)))
		return gitops_err_oom(err);
	n = strlen(v[c->n_kz_roots]);
	while (n && v[c->n_kz_roots][n - 1] == '/')
		v[c->n_kz_roots][--n] = 0;
	c->n_kz_roots++;
	return 0;
}

/* The part of a path (relative to the checkout) under the walked directory, or NULL when it is not under it. */
static const char *in_walk(const struct checkout_check *c, const char *rel)
{
	size_t n = strlen(c->walk);

	if (!n)
		return rel;
	return !strncmp(rel, c->walk, n) && rel[n] == '/' ? rel + n + 1 : NULL;
}

/*
 * CHECK_FINISH, once the walk is over: every listed file under the walked
 * directory still there, every listed manifest there read (files elsewhere
 * in the checkout were checked as they were read, and need not be there
 * unread).  Why a build failed (a file it needs lost), none required to be
 * read: CHECK_WALK the files under the walked directory, CHECK_ALL every
 * listed file of the checkout.
 */
enum { CHECK_FINISH, CHECK_WALK, CHECK_ALL };

static int check_files(const struct checkout_check *c, int how, struct gitops_err *err)
{
	struct gitops_buf path = GITOPS_BUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < c->n && ret == 0; i++) {
		const struct listed *f = &c->files[i];
		const char *w = in_walk(c, f->path);
		struct stat st;
		if (!w && how != CHECK_ALL)
			continue;
		path.len = 0;
		if (gitops_buf_printf(&path, "%s/%s", c->dir, f->path) < 0) {
			ret = gitops_err_oom(err);
			break;
		}
		if (lstat(path.data, &st) < 0) {
			ret = errno == ENOENT || errno == ENOTDIR ? check_fail(c, err, "'%s' is missing", f->path) :
								    gitops_err_errno(err, errno, path.data);
		} else if (!(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) ||
			   (f->link >= 0 && (S_ISLNK(st.st_mode) ? 1 : 0) != f->link)) {
			ret = check_fail(c, err, "'%s' is no %s", f->path, f->link > 0 ? "symbolic link" : "file");
		} else if (f->size >= 0 && (long long)st.st_size != f->size) {
			ret = check_fail(c, err, "'%s' has %lld bytes, not %lld", f->path, (long long)st.st_size, f->size);
		} else if (how == CHECK_FINISH && S_ISREG(st.st_mode) && !f->read && walk_reads(w) &&
			   !under_kz_root(c, f->path)) {
			ret = check_fail(c, err, "'%s' was not read", f->path);
		}
	}
	gitops_buf_release(&path);
	return ret;
}

/*
 * Hold the checkout dir for reading: a shared flock(2) on it, which the
 * cache's GC (gitops-fetch) respects, never removing a checkout a reader
 * holds.  Checked to be still the directory of that name once locked (the
 * GC may have taken it away between open and lock).  *fd is the caller's
 * to close, which releases the lock.
 */
static int hold_checkout(int *fd, const char *dir, const char *where, struct gitops_err *err)
{
	struct stat held, named;
	int tries;

	for (tries = 0;; tries++) {
		int e = 0;
		*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (*fd < 0)
			return gitops_err_set(err, GITOPS_EXIT_IO, "%s: %s: %s", where, dir, strerror(errno));
		while (flock(*fd, LOCK_SH) < 0 && (e = errno) == EINTR)
			e = 0;
		if (!e && (fstat(*fd, &held) < 0 || stat(dir, &named) < 0))
			e = errno;
		if (!e && held.st_dev == named.st_dev && held.st_ino == named.st_ino)
			return 0;
		close(*fd);
		*fd = -1;
		/* gone: the next open says so; replaced by another: that one is held next */
		if (e && e != ENOENT)
			return gitops_err_set(err, GITOPS_EXIT_IO, "%s: %s: %s", where, dir, strerror(e));
		if (tries == 3)
			return gitops_err_set(err, GITOPS_EXIT_IO, "%s: %s: replaced while being opened", where, dir);
	}
}

/* The Sources of one stream with a spec.refName (Argo CD's `ref`): the checkouts `$NAME/...` resolves into. */
struct source_refs {
	struct source_ref {
		char *name, *root;
	} *v;
	size_t n;
};

static void source_refs_release(struct source_refs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].root);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int release_name_valid(const char *s);

/* A string o owns (freed by gitops_helm_options_release); NULL when out of memory */
static const char *helm_keep(struct gitops_helm_options *o, char *s)
{
	char **nv;

	if (!s || !(nv = realloc(o->owned, (o->n_owned + 1) * sizeof(*nv)))) {
		free(s);
		return NULL;
	}
	o->owned = nv;
	nv[o->n_owned++] = s;
	return s;
}

static int helm_grow(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc((void *)*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

/* A values document given as text, named in errors */
static int helm_text(struct gitops_helm_options *o, const char *text, const char *name)
{
	size_t n = o->n_values_texts;

	if (helm_grow(&o->values_text_names, &n, name) < 0)
		return -1;
	return helm_grow(&o->values_texts, &o->n_values_texts, text);
}

/* The files of a Source's own checkout its spec.helm names, relative to the checkout's real path */
struct helm_own {
	char **rel;
	size_t n;
};

static void helm_own_release(struct helm_own *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->rel[i]);
	free(o->rel);
	o->rel = NULL;
	o->n = 0;
}

/*
 * A file spec.helm names (a value file, a file parameter): relative to the
 * Source's dir and inside its root, or `$NAME/...` inside the root of the
 * stream's Source whose spec.refName is NAME; symbolic links resolved and
 * kept inside too.  *out: the real path (NULL: missing, and `missing_ok`).
 */
static int helm_file(char **out, const char *where, const char *field, const char *rel, const char *dir,
		     const char *root, const struct source_refs *refs, int missing_ok, struct helm_own *own,
		     struct gitops_err *err)
{
	char real_root[PATH_MAX], real[PATH_MAX];
	struct gitops_buf joined = GITOPS_BUF_INIT;
	size_t n = gitops_source_values_ref(rel), i;
	int ret = -1;

	int refs_used = n != 0;

	*out = NULL;
	if (n) {
		for (i = 0; i < refs->n && (strlen(refs->v[i].name) != n || strncmp(refs->v[i].name, rel + 1, n)); i++)
			;
		if (i == refs->n)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: spec.helm.%s '%s': no Source with spec.refName "
					      "'%.*s' in the stream", where, field, rel, (int)n, rel + 1);
		root = refs->v[i].root;
		dir = root;
		rel += n + 2;
	}
	if (!realpath(root, real_root))
		return gitops_err_set(err, GITOPS_EXIT_IO, "%s: %s: %s", where, root, strerror(errno));
	if (gitops_buf_printf(&joined, "%s/%s", dir, rel) < 0)
		return gitops_err_oom(err);
	/* out of the root by its text (../, whatever exists there): refused before anything is looked at */
	{
		const char *p = rel;
		long depth = 0;
		for (const char *d = dir + strlen(root); *d; d++)
			depth += *d == '/' && d[1] && d[1] != '/';
		while (*p) {
			size_t len = strcspn(p, "/");
			if (len == 2 && !strncmp(p, "..", 2))
				depth--;
			else if (len && !(len == 1 && *p == '.'))
				depth++;
			if (depth < 0) {
				gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: spec.helm.%s '%s' is outside the checkout %s",
					       where, field, rel, root);
				goto done;
			}
			p += len + (p[len] == '/');
		}
	}
	if (!realpath(joined.data, real)) {
		if (errno == ENOENT && missing_ok) {
			ret = 0;
			goto done;
		}
		gitops_err_set(err, errno == ENOENT ? GITOPS_EXIT_INPUT : GITOPS_EXIT_IO, "%s: spec.helm.%s '%s': %s",
			       where, field, rel, errno == ENOENT ? "no such file in the checkout" : strerror(errno));
		goto done;
	}
	n = strlen(real_root);
	if (strcmp(real_root, "/") && (strncmp(real, real_root, n) || (real[n] != '/' && real[n]))) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: spec.helm.%s '%s' is outside the checkout %s", where, field,
			       rel, root);
		goto done;
	}
	if (!(*out = strdup(real))) {
		gitops_err_oom(err);
		goto done;
	}
	/* a file of this Source's own checkout: checked against its commit, and counted for the revision */
	if (!refs_used) {
		char **nv = realloc(own->rel, (own->n + 1) * sizeof(*nv));
		const char *r = !strcmp(real_root, "/") ? real + 1 : real[n] ? real + n + 1 : "";
		if (!nv || !(nv[own->n] = strdup(r))) {
			if (nv)
				own->rel = nv;
			free(*out);
			*out = NULL;
			gitops_err_oom(err);
			goto done;
		}
		own->rel = nv;
		own->n++;
	}
	ret = 0;
done:
	gitops_buf_release(&joined);
	return ret;
}

/*
 * helm template's options for the charts of a Source with spec.helm: the
 * command line's (base, NULL: helm template's defaults), with the fields
 * spec.helm sets winning and its files, values and parameters after the
 * command line's (later values win in Helm).  Argo CD's defaults: CRDs
 * included unless skipCrds; the release name spec.helm.releaseName, else
 * --release, else the Source's metadata.name.  *o owns its arrays
 * (gitops_helm_options_release).
 */
static int source_helm_options(struct gitops_helm_options *o, struct helm_own *own,
			       const struct gitops_helm_options *base, const struct gitops_source *src,
			       const struct source_refs *refs, const char *root, const char *where, struct gitops_err *err)
{
	const struct gitops_helm_options def = GITOPS_HELM_OPTIONS_INIT;
	const cJSON *h = src->helm, *e, *v;
	const char *s;
	int missing_ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "ignoreMissingValueFiles"));
	size_t k;

	*o = base ? *base : def;
	o->values_files = o->api_versions = o->show_only = o->values_texts = o->values_text_names = NULL;
	o->n_values_files = o->n_api_versions = o->n_show_only = o->n_values_texts = 0;
	o->sets = NULL;
	o->n_sets = 0;
	o->owned = NULL;
	o->n_owned = 0;
	if (base) {
		for (k = 0; k < base->n_values_files; k++)
			if (helm_grow(&o->values_files, &o->n_values_files, base->values_files[k]) < 0)
				goto oom;
		for (k = 0; k < base->n_values_texts; k++)
			if (helm_text(o, base->values_texts[k], base->values_text_names[k]) < 0)
				goto oom;
		for (k = 0; k < base->n_api_versions; k++)
			if (helm_grow(&o->api_versions, &o->n_api_versions, base->api_versions[k]) < 0)
				goto oom;
		for (k = 0; k < base->n_show_only; k++)
			if (helm_grow(&o->show_only, &o->n_show_only, base->show_only[k]) < 0)
				goto oom;
		if (base->n_sets) {
			if (!(o->sets = malloc(base->n_sets * sizeof(*o->sets))))
				goto oom;
			memcpy(o->sets, base->sets, base->n_sets * sizeof(*o->sets));
			o->n_sets = base->n_sets;
		}
	}
	if ((s = gitops_json_get_string(h, "releaseName", NULL)) && *s)
		o->release = s;
	else if (!o->release)
		o->release = src->name;
	if (!o->release || !release_name_valid(o->release))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: release name '%s' is not valid (helm's rule: DNS-1123 "
				      "labels, at most 53 characters): set spec.helm.releaseName", where,
				      o->release ? o->release : "");
	if ((s = gitops_json_get_string(h, "namespace", NULL)) && *s)
		o->namespace = s;
	if ((s = gitops_json_get_string(h, "kubeVersion", NULL)) && *s)
		o->kube_version = s;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(h, "apiVersions"))
		if (helm_grow(&o->api_versions, &o->n_api_versions, e->valuestring) < 0)
			goto oom;
	o->include_crds = !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "skipCrds"));
	if ((v = cJSON_GetObjectItemCaseSensitive(h, "skipTests")))
		o->skip_tests = cJSON_IsTrue(v);
	if ((v = cJSON_GetObjectItemCaseSensitive(h, "skipSchemaValidation")))
		o->skip_schema_validation = cJSON_IsTrue(v);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "passCredentials")) && o->warn) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s: spec.helm.passCredentials: charts come from the Source, no Helm "
			 "repository is asked", where);
		o->warn(o->warn_ctx, msg);
	}
	k = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(h, "valueFiles")) {
		char field[64], *real;
		snprintf(field, sizeof(field), "valueFiles[%zu]", k++);
		if (helm_file(&real, where, field, e->valuestring, src->dir, root, refs, missing_ok, own, err) < 0)
			return -1;
		if (real && (!helm_keep(o, real) || helm_grow(&o->values_files, &o->n_values_files, real) < 0))
			goto oom;
	}
	/* values, then valuesObject (which wins, as in Argo CD), after the files */
	if ((v = cJSON_GetObjectItemCaseSensitive(h, "values")) && *v->valuestring &&
	    helm_text(o, v->valuestring, "spec.helm.values") < 0)
		goto oom;
	if (cJSON_IsObject(v = cJSON_GetObjectItemCaseSensitive(h, "valuesObject"))) {
		const char *text = helm_keep(o, gitops_json_text(v));
		if (!text || helm_text(o, text, "spec.helm.valuesObject") < 0)
			goto oom;
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(h, "parameters")) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		struct gitops_helm_set *ns;
		const char *val = gitops_json_get_string(e, "value", NULL);
		if (gitops_buf_printf(&b, "%s=%s", gitops_json_get_string(e, "name", NULL), val ? val : "") < 0 ||
		    !helm_keep(o, b.data) || !(ns = realloc(o->sets, (o->n_sets + 1) * sizeof(*ns))))
			goto oom;
		o->sets = ns;
		ns[o->n_sets].kind = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "forceString")) ?
					     GITOPS_HELM_SET_STRING : GITOPS_HELM_SET;
		ns[o->n_sets++].arg = b.data;
	}
	k = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(h, "fileParameters")) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		struct gitops_helm_set *ns;
		char field[64], *real;
		snprintf(field, sizeof(field), "fileParameters[%zu].path", k++);
		if (helm_file(&real, where, field, gitops_json_get_string(e, "path", NULL), src->dir, root, refs, 0,
			      own, err) < 0)
			return -1;
		if (gitops_buf_printf(&b, "%s=%s", gitops_json_get_string(e, "name", NULL), real) < 0) {
			free(real);
			goto oom;
		}
		free(real);
		if (!helm_keep(o, b.data) || !(ns = realloc(o->sets, (o->n_sets + 1) * sizeof(*ns))))
			goto oom;
		o->sets = ns;
		ns[o->n_sets].kind = GITOPS_HELM_SET_FILE;
		ns[o->n_sets++].arg = b.data;
	}
	return 0;
oom:
	return gitops_err_oom(err);
}

/* The files spec.helm names in the Source's own checkout, read as the walk reads: listed, of their size. */
static int check_helm_files(struct render *sub, const struct helm_own *own, struct gitops_err *err)
{
	struct checkout_check *c = sub->check;
	struct gitops_buf path = GITOPS_BUF_INIT;
	int ret = 0;

	c->tracking = 1;
	c->unranked = 0;
	c->newest = NULL;
	for (size_t i = 0; i < own->n && ret == 0; i++) {
		int fd;
		path.len = 0;
		if (gitops_buf_printf(&path, "%s/%s", c->dir, own->rel[i]) < 0) {
			ret = gitops_err_oom(err);
			break;
		}
		if ((fd = open(path.data, O_RDONLY | O_CLOEXEC)) < 0) {
			ret = gitops_err_errno(err, errno, path.data);
			break;
		}
		ret = check_read(c, path.data, fd, err);
		close(fd);
	}
	sub->helm_newest = c->newest;
	sub->helm_unranked = c->unranked;
	c->tracking = 0;
	c->newest = NULL;
	c->unranked = 0;
	gitops_buf_release(&path);
	return ret;
}

/*
 * A Source document (gitops-fetch): render what its spec.dir holds (plain
 * manifests: the root for the symbolic link check), reading nothing outside
 * its checkout spec.root (a kustomization's bases elsewhere in the commit
 * are inside it), and stamp each object with where it came from.
 */
static int expand_source(struct render *rd, const struct gitops_object *o, const char *name, struct source_refs *refs,
			 struct gitops_err *err)
{
	struct gitops_helm_options helm = GITOPS_HELM_OPTIONS_INIT;
	struct helm_own own = { NULL, 0 };
	const char *repository, *commit, *path, *dir, *root, *walk;
	struct gitops_buf src = GITOPS_BUF_INIT, where = GITOPS_BUF_INIT;
	struct gitops_source source;
	struct checkout_check check;
	struct render sub = *rd;
	cJSON *map = NULL;
	struct stat st;
	int ret, held = -1;

	if (rd->source)
		return gitops_object_err(err, o, GITOPS_EXIT_INPUT, "a Source document inside a fetched source is refused "
					 "(it could point anywhere on this machine)");
	if (gitops_source_read(&source, o->json, name, o->line, o->doc, err) < 0)
		return -1;
	repository = source.repository;
	commit = source.commit;
	path = source.path;
	dir = source.dir;
	if (dir[0] != '/')
		return gitops_object_err(err, o, GITOPS_EXIT_INPUT, "Source '%s': spec.dir '%s' is not an absolute path",
					 gitops_json_get_string(o->json, "metadata", "name", NULL), dir);
	if (stat(dir, &st) < 0)
		return gitops_object_err(err, o, GITOPS_EXIT_IO, "Source '%s': %s: %s",
					 gitops_json_get_string(o->json, "metadata", "name", NULL), dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return gitops_object_err(err, o, GITOPS_EXIT_INPUT, "Source '%s': %s is not a directory",
					 gitops_json_get_string(o->json, "metadata", "name", NULL), dir);
	/* the checkout: dir itself, or a directory above it (the whole commit's tree) */
	root = source.root ? source.root : dir;
	{
		size_t n = strlen(root);
		while (n > 1 && root[n - 1] == '/')
			n--;
		if (root[0] != '/' || strncmp(dir, root, n) != 0 || (dir[n] && dir[n] != '/') ||
		    strstr(dir + n, "/../") || strstr(dir + n, "/./") ||
		    (strlen(dir) >= 3 && !strcmp(dir + strlen(dir) - 3, "/..")))
			return gitops_object_err(err, o, GITOPS_EXIT_INPUT, "Source '%s': spec.dir '%s' is not inside "
						 "spec.root '%s'", gitops_json_get_string(o->json, "metadata", "name", NULL),
						 dir, root);
		for (walk = dir + n; *walk == '/'; walk++)
			;
	}
	memset(&check, 0, sizeof(check));
	/* a Source with spec.refName: the checkout its `$NAME/...` value files name; rendered only with a path */
	if (source.ref_name) {
		struct source_ref *nv;
		for (size_t i = 0; i < refs->n; i++)
			if (!strcmp(refs->v[i].name, source.ref_name))
				return gitops_object_err(err, o, GITOPS_EXIT_INPUT, "Source '%s': spec.refName '%s' is "
							 "already another Source's in this stream", source.name,
							 source.ref_name);
		if (!(nv = realloc(refs->v, (refs->n + 1) * sizeof(*nv))))
			return gitops_err_oom(err);
		refs->v = nv;
		nv[refs->n].name = strdup(source.ref_name);
		nv[refs->n].root = strdup(root);
		if (!nv[refs->n].name || !nv[refs->n].root) {
			free(nv[refs->n].name);
			free(nv[refs->n].root);
			return gitops_err_oom(err);
		}
		refs->n++;
		if (!strcmp(path, "."))
			return 0;
	}
	sub.kz_overrides = source.kustomize;
	sub.allow_remote = source.allow_remote;
	sub.files = NULL;
	sub.n_files = 0;
	sub.check = NULL;
	if (gitops_buf_printf(&where, "%s:%zu: document %zu: Source '%s'", name, o->line, o->doc,
			      gitops_json_get_string(o->json, "metadata", "name", NULL)) < 0)
		return gitops_err_oom(err);
	/* held for the whole walk: the cache's GC never removes a checkout being read */
	if (hold_checkout(&held, root, where.data, err) < 0) {
		gitops_buf_release(&where);
		return -1;
	}
	if (gitops_buf_addstr(&src, repository) < 0 ||
	    (strcmp(path, ".") != 0 && (gitops_buf_addstr(&src, "//") < 0 || gitops_buf_addstr(&src, path) < 0))) {
		ret = gitops_err_oom(err);
		goto done;
	}
	sub.source = src.data;
	sub.revision = commit;
	sub.dir = root;
	if (source.helm) {
		if ((ret = source_helm_options(&helm, &own, rd->helm, &source, refs, root, where.data, err)) < 0)
			goto done;
		sub.helm = &helm;
	}
	/* spec.revisions (optional, gitops-fetch writes it): every file of the checkout and the commit that last changed it */
	if (source.revisions) {
		struct gitops_buf text = GITOPS_BUF_INIT;
		const cJSON *files, *f;
		struct revision *idx;
		size_t k = 0;
		if (gitops_buf_read_file(&text, source.revisions, 256u << 20, err) < 0) {
			ret = gitops_err_prefix(err, "%s: spec.revisions", where.data);
			goto done;
		}
		map = gitops_json_read(text.data, text.len);
		gitops_buf_release(&text);
		files = cJSON_GetObjectItemCaseSensitive(map, "files");
		if (!cJSON_IsObject(files)) {
			ret = gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: %s is not a revisions file", where.data,
					     source.revisions);
			goto done;
		}
		/* indexed once: a lookup per object must not scan the whole list */
		if (!(idx = calloc((size_t)cJSON_GetArraySize(files) + 1, sizeof(*idx)))) {
			ret = gitops_err_oom(err);
			goto done;
		}
		cJSON_ArrayForEach(f, files)
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
		/* and what the walk must find */
		check.dir = root;
		check.walk = walk;
		check.commit = commit;
		check.where = where.data;
		if ((ret = check_init(&check, files, cJSON_GetObjectItemCaseSensitive(map, "commits"), err)) < 0)
			goto done;
		sub.check = &check;
		/* spec.helm's files of this checkout: of the commit, and the newest of them counts for its charts */
		if (own.n && (ret = check_helm_files(&sub, &own, err)) < 0)
			goto done;
	}
	{
		struct gitops_render_input sub_in;
		ret = render_path(&sub, dir, &sub_in, err);
	}
	if (ret == 0 && sub.check)
		ret = check_files(sub.check, CHECK_FINISH, err);
	/* (a checkout that does not match its commit is named as it is on this machine: that is what to repair) */
	if (ret < 0 && !strstr(err->msg, "does not match commit"))
		name_checkout(err, root, repository, commit);
done:
	if (held >= 0)
		close(held);
	for (size_t i = 0; i < check.n_kz_roots; i++)
		free(check.kz_roots[i]);
	free(check.kz_roots);
	free(check.files);
	free((void *)sub.files);
	gitops_helm_options_release(&helm);
	helm_own_release(&own);
	cJSON_Delete(map);
	gitops_buf_release(&src);
	gitops_buf_release(&where);
	return ret;
}

/* Does a Source name `$NAME/...` files of a NAME that no Source of the stream has given yet? */
static int helm_refs_pending(const cJSON *src, const struct source_refs *refs)
{
	const cJSON *h = gitops_json_get(src, "spec", "helm", NULL), *e;

	if (!cJSON_IsObject(h))
		return 0;
	for (int fp = 0; fp < 2; fp++)
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(h, fp ? "fileParameters" : "valueFiles")) {
			const char *p = fp ? gitops_json_get_string(e, "path", NULL) : cJSON_IsString(e) ? e->valuestring : NULL;
			size_t n = p ? gitops_source_values_ref(p) : 0, i;
			if (!n)
				continue;
			for (i = 0; i < refs->n && (strlen(refs->v[i].name) != n || strncmp(refs->v[i].name, p + 1, n)); i++)
				;
			if (i == refs->n)
				return 1;
		}
	return 0;
}

static int render_stream(struct render *rd, int fd, const char *name, enum origin origin,
			 struct gitops_render_input *in, struct gitops_err *err)
{
	struct gitops_stream_reader *r = NULL;
	struct gitops_stream_status st;
	struct gitops_object obj;
	struct source_refs refs = { NULL, 0 };
	/* Sources whose `$NAME/...` files name a Source later in the stream: expanded at its end */
	struct gitops_object *later = NULL;
	size_t n_later = 0;
	int n, ret = -1;

	memset(in, 0, sizeof(*in));
	/* names' syntax: the caller's to warn about (kustomize outputs what the API server would refuse) */
	if (gitops_stream_reader_fd(&r, fd, name, rd->limits, GITOPS_STREAM_NAMES_LENIENT, err) < 0)
		return -1;
	while ((n = gitops_stream_read(r, &obj, err)) > 0) {
		int cb;
		if (gitops_source_is(obj.json)) {
			/*
			 * Only the user names Sources: on standard input or in a file on the
			 * command line.  One in a directory (a cloned repository) could point
			 * the renderer at any directory of this machine.  (Inside a fetched
			 * source, expand_source says so itself.)
			 */
			if (origin == ORIGIN_WALKED && !rd->source) {
				gitops_object_err(err, &obj, GITOPS_EXIT_INPUT, "a Source document found in a directory is "
						  "refused (only standard input and files named on the command line may hold "
						  "one)");
				gitops_object_release(&obj);
				goto done;
			}
			if (!rd->source && helm_refs_pending(obj.json, &refs)) {
				struct gitops_object *nl = realloc(later, (n_later + 1) * sizeof(*nl));
				if (!nl) {
					gitops_object_release(&obj);
					gitops_err_oom(err);
					goto done;
				}
				later = nl;
				later[n_later++] = obj;
				continue;
			}
			cb = expand_source(rd, &obj, name, &refs, err);
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
	for (size_t i = 0; i < n_later; i++)
		if (expand_source(rd, &later[i], name, &refs, err) < 0)
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
	for (size_t i = 0; i < n_later; i++)
		gitops_object_release(&later[i]);
	free(later);
	source_refs_release(&refs);
	gitops_stream_reader_free(r);
	return ret;
}

int gitops_render_fd(struct gitops_render_input *out, int fd, const char *name, const struct gitops_limits *limits,
		     gitops_object_fn fn, void *ctx, struct gitops_render_stats *stats, struct gitops_err *err)
{
	return gitops_render_fd_with(out, fd, name, limits, NULL, NULL, fn, ctx, stats, err);
}

int gitops_render_fd_with(struct gitops_render_input *out, int fd, const char *name, const struct gitops_limits *limits,
			  const struct gitops_kustomize_options *kustomize, const struct gitops_helm_options *helm,
			  gitops_object_fn fn, void *ctx, struct gitops_render_stats *stats, struct gitops_err *err)
{
	struct fetched fetched = { NULL, NULL };
	struct render rd = { limits, fn, ctx, stats, NULL, NULL, NULL, 0, NULL, NULL, kustomize, helm,
			     NULL, NULL, 0, NULL, 0, &fetched };
	int ret = render_stream(&rd, fd, name, ORIGIN_STREAM, out, err);

	if (fetched.state)
		fetched.f->close(fetched.state);
	return ret;
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
	if (rd->check && check_read(rd->check, path, fd, err) < 0) {
		close(fd);
		return -1;
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

/*
 * A directory that another renderer owns: 1 and *kust (the kustomization
 * file's name) for a Kustomize overlay, 2 for a Helm chart, 0 for plain
 * manifests.
 */
static int check_special(const char *dir, struct dirent **ents, int n, const char **kust, struct gitops_err *err)
{
	int i, chart = 0;

	*kust = NULL;
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		if (!*kust && (!strcmp(nm, "kustomization.yaml") || !strcmp(nm, "kustomization.yml") ||
			       !strcmp(nm, "Kustomization")))
			*kust = nm;
		if (!strcmp(nm, "Chart.yaml"))
			chart = 1;
	}
	if (*kust && chart)
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      "%s: both a kustomization (%s) and a Helm chart (Chart.yaml): which one to render is "
				      "ambiguous", dir, *kust);
	if (chart)
		return 2;
	return *kust ? 1 : 0;
}

static int kz_helm_chart(void *ctx, struct gitops_buf *out, const char *chart_dir,
			 const struct gitops_kustomize_helm_chart *chart, struct gitops_err *err);
static int kz_helm_pull(void *ctx, char **dir, const char *repo, const char *name, const char *version,
			struct gitops_err *err);

/* A Kustomize overlay: built natively, each object checked and handed on in kustomize's output order. */
static int render_kustomize(struct render *rd, const char *dir, const char *kust, struct gitops_err *err)
{
	struct gitops_kustomize_options ko = GITOPS_KUSTOMIZE_OPTIONS_INIT;
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct gitops_buf name = GITOPS_BUF_INIT;
	size_t i;
	int ret = -1;

	if (gitops_buf_printf(&name, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", kust) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	if (rd->check) {
		int fd = open(name.data, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			gitops_err_errno(err, errno, name.data);
			goto done;
		}
		ret = check_read(rd->check, name.data, fd, err);
		close(fd);
		if (ret < 0)
			goto done;
		ret = -1;
	}
	if (rd->kustomize)
		ko = *rd->kustomize;
	/* inside a Source: nothing outside its checkout, whatever --load-restrictor says; its own overrides */
	if (rd->source)
		ko.boundary = rd->dir;
	if (rd->kz_overrides)
		ko.overrides = rd->kz_overrides;
	/* remote targets: --allow-remote, or inside a Source that permits them (gitops-fetch --allow-remote) */
	if (rd->source && rd->allow_remote)
		ko.allow_remote = 1;
	/* helmCharts (with --enable-helm): rendered here, natively */
	ko.helm_chart = kz_helm_chart;
	ko.helm_pull = kz_helm_pull;
	ko.helm_ctx = rd;
	if (rd->check) {
		/* every file kustomize reads is one of the commit's, of its size; unnamed ones need no reading */
		if (check_add_kz_root(rd->check, dir, err) < 0)
			goto done;
		ko.read_hook = check_kz_read;
		ko.read_ctx = rd->check;
		/* the newest of the files the build reads (the kustomization's, above, included) stamps its objects */
		rd->check->tracking = 1;
		rd->check->unranked = 0;
		rd->check->newest = NULL;
	}
	ret = gitops_kustomize_build(&m, dir, &ko, err);
	if (rd->check)
		rd->check->tracking = 0;
	if (ret < 0) {
		struct gitops_err lost = GITOPS_ERR_INIT;
		/* a build that failed on a checkout that lost a file: say that, as the walk would (exit 4) */
		if (rd->check &&
		    (check_files(rd->check, CHECK_WALK, &lost) < 0 || check_files(rd->check, CHECK_ALL, &lost) < 0)) {
			*err = lost;
			goto done;
		}
		/* kustomize's messages end with the cause: never cut that off */
		if (strlen(dir) + 2 + strlen(err->msg) < sizeof(err->msg))
			gitops_err_prefix(err, "%s", dir);
		goto done;
	}
	ret = -1;
	if (rd->check && !rd->check->unranked && rd->check->newest && rd->check->newest->rev)
		rd->build_revision = rd->check->newest->rev;
	for (i = 0; i < m.n; i++) {
		struct gitops_object obj;
		struct gitops_err e = GITOPS_ERR_INIT;

		memset(&obj, 0, sizeof(obj));
		obj.json = m.v[i];
		obj.source = name.data;
		obj.doc = i + 1;
		obj.line = 1;
		/* what kustomize outputs, render passes on: names the API server refuses, an object without
		 * apiVersion, a label that is a number (the programs that send objects refuse them; render warns) */
		if (gitops_object_check_flags(obj.json,
					      GITOPS_OBJECT_NAMES_LENIENT | GITOPS_OBJECT_NO_API_VERSION |
						      GITOPS_OBJECT_VALUES_LENIENT,
					      &e) < 0) {
			const char *kind = gitops_json_get_string(obj.json, "kind", NULL);
			const char *nm = gitops_json_get_string(obj.json, "metadata", "name", NULL);
			gitops_err_set(err, e.code, "%s: built object %zu (%s %s): %s", dir, i + 1, kind ? kind : "?",
				       nm ? nm : "?", e.msg);
			goto done;
		}
		m.v[i] = NULL;
		ret = emit(rd, &obj, err);
		cJSON_Delete(obj.json);
		if (ret < 0)
			goto done;
		ret = -1;
		if (rd->stats)
			rd->stats->objects++;
	}
	if (rd->stats)
		rd->stats->files++;
	ret = 0;
done:
	rd->build_revision = NULL;
	kz_resmap_release(&m);
	gitops_buf_release(&name);
	return ret;
}

/*
 * A Helm chart (a directory with Chart.yaml, or a packaged .tgz): rendered
 * as `helm template` renders it (lib/render/helm), its documents read back
 * as objects in helm's order; documents with no object (comments only)
 * dropped, as a YAML reader drops them.
 */
/*
 * A chart inside a Source's checkout, read with the checkout's check: every
 * file the loader takes (a directory's, after .helmignore) is a file of the
 * commit of its size (less a byte-order mark the loader drops); a .tgz is
 * one, read from the descriptor the check looked at.  The chart's other
 * files (ignored ones) need no reading, as a kustomization's unnamed ones.
 * The newest of the files read stamps the chart's objects, as a build's do.
 */
static int chart_files_checked(struct render *rd, struct gitops_helm_files *files, const char *path,
			       struct gitops_err *err)
{
	struct checkout_check *c = rd->check;
	struct gitops_buf full = GITOPS_BUF_INIT;
	struct stat st;
	int ret = -1;

	c->tracking = 1;
	c->unranked = 0;
	c->newest = NULL;
	if (stat(path, &st) < 0) {
		gitops_err_errno(err, errno, path);
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		if (check_add_kz_root(c, path, err) < 0 || gitops_helm_files_from_dir(files, path, err) < 0)
			goto done;
		for (size_t i = 0; i < files->n; i++) {
			const char *rel;
			struct listed key, *hit;
			full.len = 0;
			if (gitops_buf_printf(&full, "%s/%s", path, files->v[i].name) < 0) {
				gitops_err_oom(err);
				goto done;
			}
			rel = check_rel(c, full.data);
			key.path = rel ? rel : full.data;
			hit = rel && c->n ? bsearch(&key, c->files, c->n, sizeof(*c->files), listed_cmp) : NULL;
			if (!hit) {
				check_fail(c, err, "'%s' is not a file of the commit", key.path);
				goto done;
			}
			if (hit->link == 0 && hit->size >= 0 && (long long)files->v[i].len != hit->size &&
			    (long long)files->v[i].len + 3 != hit->size) {
				check_fail(c, err, "'%s' has %zu bytes, not %lld", rel, files->v[i].len, hit->size);
				goto done;
			}
			hit->read = 1;
			if (hit->rank == RANK_UNKNOWN)
				c->unranked = 1;
			else if (!c->newest || hit->rank < c->newest->rank)
				c->newest = hit;
		}
	} else {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			gitops_err_errno(err, errno, path);
			goto done;
		}
		if (check_read(c, path, fd, err) < 0 || gitops_buf_read_fd(&full, fd, GITOPS_HELM_CHART_MAX, path, err) < 0) {
			close(fd);
			goto done;
		}
		close(fd);
		if (gitops_helm_files_from_archive(files, full.data ? full.data : "", full.len, path, err) < 0)
			goto done;
	}
	ret = 0;
done:
	c->tracking = 0;
	gitops_buf_release(&full);
	return ret;
}

/* helm's chartutil.ValidateReleaseName: DNS-1123 subdomain labels, at most 53 characters */
static int release_name_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 53)
		return 0;
	for (i = 0; i < n; i++) {
		int alnum = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9');
		int first = i == 0 || s[i - 1] == '.', last = i + 1 == n || s[i + 1] == '.';
		if (s[i] == '.' ? first || last : !alnum && (s[i] != '-' || first || last))
			return 0;
	}
	return 1;
}

/*
 * helm template --name-template: the text executed as a Go template with
 * Sprig's functions (not Helm's own: include, tpl, toYaml...) and no data,
 * its output the release name.
 */
static int name_template(struct gitops_buf *out, const char *text, struct gitops_err *err)
{
	static const char *const helm_only[] = {
		"include", "tpl", "required", "lookup", "toToml", "fromToml", "toYaml", "toYamlPretty",
		"fromYaml", "fromYamlArray", "fromJson", "fromJsonArray",
	};
	struct gitops_tmpl_options topts = GITOPS_TMPL_OPTIONS_INIT;
	struct gitops_tmpl_func *table = NULL;
	struct gitops_tmpl_set *set = NULL;
	size_t n = 0, i, j, kept = 0;
	int rc = -1;

	if (gitops_tmpl_funcs_table(&table, &n) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof(helm_only) / sizeof(helm_only[0]) && strcmp(table[i].name, helm_only[j]); j++)
			;
		if (j == sizeof(helm_only) / sizeof(helm_only[0]))
			table[kept++] = table[i];
	}
	if (gitops_tmpl_set_new(&set, table, kept, &topts, NULL, err) < 0 ||
	    gitops_tmpl_set_parse(set, "name-template", text, strlen(text), err) < 0 ||
	    gitops_tmpl_exec(out, set, "name-template", NULL, err) < 0)
		goto done;
	rc = 0;
done:
	if (set)
		gitops_tmpl_set_free(set);
	free(table);
	return rc;
}

/*
 * A kustomization's helmCharts entry (kustomize's HelmChartInflationGenerator):
 * `helm template` with the arguments kustomize gives it, natively.  The
 * values documents kustomize prepared go to helm as files (a private
 * temporary directory, removed before returning).  Inside a Source the
 * chart's files are checked as a chart's are, the build's newest file kept.
 */
static int kz_helm_chart(void *ctx, struct gitops_buf *out, const char *chart_dir,
			 const struct gitops_kustomize_helm_chart *chart, struct gitops_err *err)
{
	struct render *rd = ctx;
	struct gitops_helm_options o = GITOPS_HELM_OPTIONS_INIT;
	struct gitops_buf path = GITOPS_BUF_INIT, named = GITOPS_BUF_INIT;
	const char *tmp = getenv("TMPDIR"), *release = chart->release;
	char dir[PATH_MAX], **files = NULL;
	size_t i, made = 0;
	int rc = -1;

	/* helm template's release name: the NAME given, or --name-template's output; checked (helm's words) */
	if (chart->name_template) {
		if (chart->release)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "cannot set --name-template and also specify a name");
		if (name_template(&named, chart->name_template, err) < 0) {
			gitops_buf_release(&named);
			return -1;
		}
		release = named.data ? named.data : "";
	}
	if (release && !release_name_valid(release)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT,
			       "release name \"%s\": invalid release name, must match regex "
			       "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length "
			       "must not be longer than 53",
			       release);
		gitops_buf_release(&named);
		return -1;
	}
	if (snprintf(dir, sizeof(dir), "%s/gitops-helm-XXXXXX", tmp && *tmp ? tmp : "/tmp") >= (int)sizeof(dir)) {
		gitops_buf_release(&named);
		return gitops_err_set(err, GITOPS_EXIT_IO, "TMPDIR: path too long");
	}
	if (!mkdtemp(dir)) {
		gitops_buf_release(&named);
		return gitops_err_errno(err, errno, dir);
	}
	if (!(files = calloc(chart->n_values + 1, sizeof(*files)))) {
		gitops_err_oom(err);
		goto done;
	}
	for (i = 0; i < chart->n_values; i++) {
		int fd;
		path.len = 0;
		if (gitops_buf_printf(&path, "%s/values-%zu.yaml", dir, i) < 0 || !(files[i] = strdup(path.data))) {
			gitops_err_oom(err);
			goto done;
		}
		made = i + 1;
		fd = open(files[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			gitops_err_errno(err, errno, files[i]);
			goto done;
		}
		if (gitops_write_all(fd, chart->values[i].data ? chart->values[i].data : "", chart->values[i].len) < 0) {
			gitops_err_errno(err, errno, files[i]);
			close(fd);
			goto done;
		}
		close(fd);
	}
	o.release = release;
	o.namespace = chart->namespace;
	o.values_files = (const char **)files;
	o.n_values_files = chart->n_values;
	o.kube_version = chart->kube_version;
	o.api_versions = (const char **)chart->api_versions;
	o.n_api_versions = chart->n_api_versions;
	o.include_crds = chart->include_crds;
	o.skip_tests = chart->skip_tests;
	o.no_hooks = chart->skip_hooks;
	/* a remote target's chart is its checkout's, not one of the Source's files to check */
	if (rd->check && !chart->remote) {
		struct checkout_check *c = rd->check;
		struct gitops_helm_files hf = GITOPS_HELM_FILES_INIT;
		int unranked = c->unranked;
		const struct listed *newest = c->newest;

		rc = chart_files_checked(rd, &hf, chart_dir, err);
		if (rc == 0)
			rc = gitops_helm_template_files(out, &hf, chart_dir, &o, err);
		gitops_helm_files_release(&hf);
		/* back to the build's tracking, the chart's files counted in */
		c->tracking = 1;
		c->unranked |= unranked;
		if (newest && (!c->newest || newest->rank < c->newest->rank))
			c->newest = newest;
	} else {
		rc = gitops_helm_template(out, chart_dir, &o, err);
	}
done:
	for (i = 0; i < made; i++) {
		unlink(files[i]);
		free(files[i]);
	}
	free(files);
	rmdir(dir);
	gitops_buf_release(&path);
	gitops_buf_release(&named);
	return rc;
}

/* A chart's files: through the checkout's check inside a Source that has one, else as Helm's loader reads them */
static int chart_files(struct render *rd, struct gitops_helm_files *files, const char *path, struct gitops_err *err)
{
	struct gitops_buf data = GITOPS_BUF_INIT;
	struct stat st;
	int ret;

	if (rd->check)
		return chart_files_checked(rd, files, path, err);
	if (stat(path, &st) < 0)
		return gitops_err_errno(err, errno, path);
	if (S_ISDIR(st.st_mode))
		return gitops_helm_files_from_dir(files, path, err);
	ret = gitops_buf_read_file(&data, path, GITOPS_HELM_CHART_MAX, err);
	if (ret == 0)
		ret = gitops_helm_files_from_archive(files, data.data ? data.data : "", data.len, path, err);
	gitops_buf_release(&data);
	return ret;
}

/* A Source's charts get their missing dependencies, as Argo CD builds them; a chart named on the command line
 * with --dependency-update, as helm template */
static int deps_wanted(const struct render *rd)
{
	return rd->source || (rd->helm && rd->helm->dependency_update);
}

/*
 * A chart from a chart repository or an OCI registry, through the
 * kustomize options' fetcher (gitops-render's gitops-fetch child, opened
 * on the first such chart): *dir in the cache, locked until the render
 * ends; *version the one `range` chose.
 */
static int fetch_chart(struct render *rd, char **dir, char **version, const char *repo, const char *name,
		       const char *range, struct gitops_err *err)
{
	const struct gitops_kustomize_options *ko = rd->kustomize;

	*dir = *version = NULL;
	if (!ko || !ko->fetcher || !ko->fetcher->chart || !rd->fetched)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "chart %s of %s: charts from repositories are not fetched here",
				      name, repo);
	if (!rd->fetched->state && ko->fetcher->open(&rd->fetched->state, ko, err) < 0)
		return -1;
	rd->fetched->f = ko->fetcher;
	return ko->fetcher->chart(dir, version, rd->fetched->state, repo, name, range, err);
}

/* gitops_helm_pull_fn: a dependency's files, read from the cache (the version exact or a constraint alike) */
static int dep_pull(void *ctx, struct gitops_helm_files *out, char **chosen, const char *repository, const char *name,
		    const char *version, int exact, struct gitops_err *err)
{
	char *dir = NULL;
	int rc;

	(void)exact; /* an exact version is a range that names it: helm's choice takes it first */
	if (fetch_chart(ctx, &dir, chosen, repository, name, version, err) < 0)
		return -1;
	rc = gitops_helm_files_from_dir(out, dir, err);
	free(dir);
	return rc;
}

/* kustomize's helm_pull: a helmCharts entry's chart from its repo (kustomize hands helm pull the version) */
static int kz_helm_pull(void *ctx, char **dir, const char *repo, const char *name, const char *version,
			struct gitops_err *err)
{
	char *chosen = NULL;
	int rc = fetch_chart(ctx, dir, &chosen, repo, name, version, err);

	free(chosen);
	return rc;
}

/* a file:// dependency's directory, read as the chart's own files are (the checkout's check counts them in) */
static int dep_dir(void *ctx, struct gitops_helm_files *out, const char *dir, struct gitops_err *err)
{
	struct render *rd = ctx;
	struct checkout_check *c = rd->check;
	const struct listed *newest;
	int unranked, ret;

	if (!c)
		return gitops_helm_files_from_dir(out, dir, err);
	newest = c->newest;
	unranked = c->unranked;
	ret = chart_files_checked(rd, out, dir, err);
	c->unranked |= unranked;
	if (newest && (!c->newest || newest->rank < c->newest->rank))
		c->newest = newest;
	return ret;
}

/*
 * The dependencies charts/ lacks (lib/render/helm/deps.c): file:// ones
 * must resolve inside the Source's checkout, or on the command line inside
 * the current directory; those from repositories come through the helm
 * options' pull (gitops-render wires the chart cache there).
 */
static int chart_deps(struct render *rd, struct gitops_helm_files *files, const char *path, struct gitops_err *err)
{
	struct gitops_helm_deps d = { NULL, NULL, dep_dir, rd, NULL, NULL };
	struct stat st;
	char cwd[PATH_MAX];

	if (!deps_wanted(rd))
		return 0;
	if (rd->helm && rd->helm->pull)
		d.pull = rd->helm->pull, d.ctx = rd->helm->pull_ctx;
	else
		d.pull = dep_pull, d.ctx = rd;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		d.chart_dir = path;
	if (rd->source)
		d.root = rd->dir;
	else if (getcwd(cwd, sizeof(cwd)))
		d.root = cwd;
	else
		return gitops_err_errno(err, errno, "the current directory");
	return gitops_helm_deps_build(files, path, &d, err);
}

/*
 * Can the chart's documents go out as the engine read them, instead of its
 * text read again?  When the stream reader, under rd's limits, would read
 * the same trees from the text (the engine read them with lib/yaml's default
 * limits: rd's must be no tighter) and would accept every one as an object
 * that is not a List (else the text gives the reader's own messages and
 * the Lists' item lines).
 */
static int docs_stand_in(const struct render *rd, const struct gitops_helm_docs *docs, size_t text_len)
{
	const struct gitops_limits def = GITOPS_LIMITS_INIT, *l = rd->limits ? rd->limits : &def;
	struct gitops_err e = GITOPS_ERR_INIT;

	if (!docs->n || l->max_depth < def.max_depth || l->max_nodes < def.max_nodes ||
	    l->max_alias_nodes < def.max_alias_nodes || l->max_document_bytes < def.max_document_bytes ||
	    l->max_stream_bytes < text_len)
		return 0;
	for (size_t i = 0; i < docs->n; i++) {
		const cJSON *t = docs->v[i].tree;
		if (t && (gitops_object_check_flags(t, GITOPS_OBJECT_NAMES_LENIENT, &e) < 0 || gitops_object_is_list(t)))
			return 0;
	}
	return 1;
}

/* One object a chart rendered: a Source is refused, the rest go out (obj is released). */
static int chart_object(struct render *rd, struct gitops_object *obj, struct gitops_err *err)
{
	int rc;

	if (gitops_source_is(obj->json)) {
		gitops_object_err(err, obj, GITOPS_EXIT_INPUT, "a chart rendered a Source document: refused");
		gitops_object_release(obj);
		return -1;
	}
	rc = emit(rd, obj, err);
	gitops_object_release(obj);
	if (rc < 0)
		return -1;
	if (rd->stats)
		rd->stats->objects++;
	return 0;
}

static int render_chart(struct render *rd, const char *path, struct gitops_err *err)
{
	struct gitops_helm_options def = GITOPS_HELM_OPTIONS_INIT;
	struct gitops_buf text = GITOPS_BUF_INIT;
	struct gitops_helm_docs docs = GITOPS_HELM_DOCS_INIT;
	struct gitops_stream_reader *r = NULL;
	struct gitops_object obj;
	int n, ret = -1;

	if (rd->check || deps_wanted(rd)) {
		struct gitops_helm_files files = GITOPS_HELM_FILES_INIT;
		int rc = chart_files(rd, &files, path, err);
		if (rc == 0)
			rc = chart_deps(rd, &files, path, err);
		if (rc == 0)
			rc = gitops_helm_template_files_docs(&text, &docs, &files, path, rd->helm ? rd->helm : &def, err);
		gitops_helm_files_release(&files);
		if (rc < 0) {
			if (strlen(path) + 2 + strlen(err->msg) < sizeof(err->msg) && !strstr(err->msg, "does not match commit"))
				gitops_err_prefix(err, "%s", path);
			goto done;
		}
		/* the files spec.helm names count as the chart's */
		if (rd->check && rd->helm_unranked)
			rd->check->unranked = 1;
		if (rd->check && rd->helm_newest && (!rd->check->newest || rd->helm_newest->rank < rd->check->newest->rank))
			rd->check->newest = rd->helm_newest;
		if (rd->check && !rd->check->unranked && rd->check->newest && rd->check->newest->rev)
			rd->build_revision = rd->check->newest->rev;
	} else if (gitops_helm_template_docs(&text, &docs, path, rd->helm ? rd->helm : &def, err) < 0) {
		if (strlen(path) + 2 + strlen(err->msg) < sizeof(err->msg))
			gitops_err_prefix(err, "%s", path);
		goto done;
	}
	if (docs_stand_in(rd, &docs, text.len)) {
		/* what gitops_stream_read would hand out, without reading the text again */
		gitops_buf_release(&text);
		for (size_t i = 0; i < docs.n; i++) {
			if (!docs.v[i].tree)
				continue;
			memset(&obj, 0, sizeof(obj));
			obj.json = docs.v[i].tree;
			docs.v[i].tree = NULL;
			obj.source = path;
			obj.doc = i + 1;
			obj.line = docs.v[i].line;
			if (chart_object(rd, &obj, err) < 0)
				goto done;
		}
		if (rd->stats)
			rd->stats->files++;
		ret = 0;
		goto done;
	}
	if (gitops_stream_reader_mem(&r, text.data ? text.data : "", text.len, path, rd->limits,
				     GITOPS_STREAM_NAMES_LENIENT, err) < 0)
		goto done;
	while ((n = gitops_stream_read(r, &obj, err)) > 0)
		if (chart_object(rd, &obj, err) < 0)
			goto done;
	if (n < 0)
		goto done;
	if (rd->stats)
		rd->stats->files++;
	ret = 0;
done:
	rd->build_revision = NULL;
	gitops_stream_reader_free(r);
	gitops_buf_release(&text);
	gitops_helm_docs_release(&docs);
	return ret;
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
	{
		const char *kust;
		int special = check_special(dir, ents, n, &kust, err);
		if (special < 0)
			goto done;
		if (special == 1) {
			ret = render_kustomize(w->rd, dir, kust, err);
			goto done;
		}
		if (special == 2) {
			ret = render_chart(w->rd, dir, err);
			goto done;
		}
	}
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
	if (!S_ISDIR(st.st_mode) && gitops_helm_is_chart(path)) {
		in->whole = 1;
		return render_chart(rd, path, err);
	}
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
	return gitops_render_path_kustomize(out, path, limits, NULL, fn, ctx, stats, err);
}

int gitops_render_path_kustomize(struct gitops_render_input *out, const char *path, const struct gitops_limits *limits,
				 const struct gitops_kustomize_options *kustomize, gitops_object_fn fn, void *ctx,
				 struct gitops_render_stats *stats, struct gitops_err *err)
{
	return gitops_render_path_with(out, path, limits, kustomize, NULL, fn, ctx, stats, err);
}

int gitops_render_path_with(struct gitops_render_input *out, const char *path, const struct gitops_limits *limits,
			    const struct gitops_kustomize_options *kustomize, const struct gitops_helm_options *helm,
			    gitops_object_fn fn, void *ctx, struct gitops_render_stats *stats, struct gitops_err *err)
{
	struct fetched fetched = { NULL, NULL };
	struct render rd = { limits, fn, ctx, stats, NULL, NULL, NULL, 0, NULL, NULL, kustomize, NULL,
			     NULL, NULL, 0, NULL, 0, &fetched };
	int ret;

	rd.helm = helm;
	ret = render_path(&rd, path, out, err);
	if (fetched.state)
		fetched.f->close(fetched.state);
	return ret;
}
