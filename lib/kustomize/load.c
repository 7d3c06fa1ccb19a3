/*
 * load.c: kustomize's file loader (api/internal/loader.FileLoader): files
 * relative to a kustomization's directory, the load restrictor (root only:
 * a file's resolved directory in or below the root's; none), directories of
 * other kustomizations anywhere, with cycles refused; a boundary (a Source's
 * checkout) that no file or directory may leave, whatever the restrictor;
 * and a file's objects parsed into a resource map.  Messages are
 * kustomize's, paths absolute.
 */
#include "lib/kustomize/spine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/base/json.h"
#include "lib/k8s/object.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

/* Go's filepath.Clean of an absolute path, into a malloc'ed string. */
static char *clean_abs(const char *path)
{
	size_t n = strlen(path), o = 0;
	char *out = malloc(n + 2);
	const char *p = path;

	if (!out)
		return NULL;
	while (*p) {
		size_t len;
		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (!len)
			break;
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (!(len == 1 && p[0] == '.')) {
			out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

char *kz_loader_join(const struct kz_loader *l, const char *rel)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char *out;

	if (rel[0] == '/')
		return clean_abs(rel);
	if (gitops_buf_printf(&b, "%s/%s", l->root, rel) < 0) {
		gitops_buf_release(&b);
		return NULL;
	}
	out = clean_abs(b.data);
	gitops_buf_release(&b);
	return out;
}

/* ConfirmedDir.HasPrefix: d is prefix or in or below it */
static int has_prefix(const char *d, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!strcmp(prefix, "/") || !strcmp(d, prefix))
		return 1;
	return !strncmp(d, prefix, n) && d[n] == '/';
}

/* filepath.EvalSymlinks' error for a path that is not there: the first component lstat(2) fails on. */
static int evalsymlink_error(struct gitops_err *err, const char *path, int errnum, const char *what)
{
	char prefix[PATH_MAX];
	const char *p = path;
	struct stat st;
	int e = errnum;

	snprintf(prefix, sizeof(prefix), "%s", path);
	while (*p) {
		size_t len;
		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (!len)
			break;
		p += len;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(p - path), path);
		if (lstat(prefix, &st) < 0) {
			e = errno;
			break;
		}
	}
	if (e == ELOOP) /* Go's filepath.EvalSymlinks counts the links itself */
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%sevalsymlink failure on '%s' : EvalSymlinks: too many links",
				      what, path);
	return gitops_err_set(err, GITOPS_EXIT_IO, "%sevalsymlink failure on '%s' : lstat %s: %s", what, path, prefix,
			      e == ENOENT ? "no such file or directory" : strerror(e));
}

int kz_loader_init(struct kz_loader *l, const char *path, const struct kz_loader *referrer, int restrict_root,
		   struct gitops_err *err)
{
	char *joined = NULL, *real = NULL;
	const struct kz_loader *r;
	struct stat st;
	int rc = -1;

	memset(l, 0, sizeof(*l));
	if (referrer) {
		joined = kz_loader_join(referrer, path);
	} else if (path[0] == '/') {
		joined = clean_abs(path);
	} else {
		char *cwd = realpath(".", NULL);
		struct gitops_buf b = GITOPS_BUF_INIT;
		if (cwd && gitops_buf_printf(&b, "%s/%s", cwd, path) == 0)
			joined = clean_abs(b.data);
		free(cwd);
		gitops_buf_release(&b);
	}
	if (!joined) {
		gitops_err_oom(err);
		goto done;
	}
	if (!(real = realpath(joined, NULL))) {
		evalsymlink_error(err, joined, errno, "must build at directory: not a valid directory: ");
		goto done;
	}
	if (stat(real, &st) < 0) {
		gitops_err_errno(err, errno, real);
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "must build at directory: '%s': file is not directory", joined);
		goto done;
	}
	/* errIfArgEqualOrHigher: the new root must not contain a root visited on the way here */
	for (r = referrer; r; r = r->referrer)
		if (has_prefix(r->root, real)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "cycle detected: candidate root '%s' contains visited root '%s'",
				       real, r->root);
			goto done;
		}
	/* the boundary goes with every loader the top one leads to */
	if (referrer && referrer->boundary && !has_prefix(real, referrer->boundary)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "security; directory '%s' is not in or below '%s'", joined,
			       referrer->boundary);
		goto done;
	}
	l->root = real;
	real = NULL;
	l->restrict_root = restrict_root;
	l->referrer = referrer;
	l->boundary = referrer ? referrer->boundary : NULL;
	l->remote = referrer ? referrer->remote : 0;
	rc = 0;
done:
	free(joined);
	free(real);
	return rc;
}

void kz_loader_release(struct kz_loader *l)
{
	free(l->root);
	free(l->dir_key);
	free(l->dir_real);
	l->root = l->dir_key = l->dir_real = NULL;
	if (l->owns_boundary)
		free(l->boundary);
	l->boundary = NULL;
	l->owns_boundary = 0;
}

int kz_loader_init_remote(struct kz_loader *l, const char *dir, const char *root, const struct kz_loader *referrer,
			  int restrict_root, struct gitops_err *err)
{
	char *real = NULL, *broot = NULL;
	const struct kz_loader *r;

	memset(l, 0, sizeof(*l));
	if (!(broot = realpath(root, NULL)))
		return evalsymlink_error(err, root, errno, "remote checkout: ");
	if (!(real = realpath(dir, NULL))) {
		free(broot);
		return evalsymlink_error(err, dir, errno, "must build at directory: not a valid directory: ");
	}
	if (!has_prefix(real, broot)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "security; directory '%s' is not in or below '%s'", dir, broot);
		goto fail;
	}
	for (r = referrer; r; r = r->referrer)
		if (has_prefix(r->root, real)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "cycle detected: candidate root '%s' contains visited root '%s'",
				       real, r->root);
			goto fail;
		}
	l->root = real;
	l->restrict_root = restrict_root;
	l->referrer = referrer;
	l->boundary = broot;
	l->owns_boundary = 1;
	l->remote = 1;
	return 0;
fail:
	free(real);
	free(broot);
	return -1;
}

int kz_loader_bound(struct kz_loader *l, const char *boundary, struct gitops_err *err)
{
	char *real = realpath(boundary, NULL);

	if (!real)
		return evalsymlink_error(err, boundary, errno, "boundary: ");
	if (!has_prefix(l->root, real)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "security; directory '%s' is not in or below '%s'", l->root, real);
		free(real);
		return -1;
	}
	if (l->owns_boundary)
		free(l->boundary);
	l->boundary = real;
	l->owns_boundary = 1;
	return 0;
}

/*
 * realpath(path), with the directory's real path remembered from the last
 * file of the same directory: a file that is no symbolic link is that
 * directory's real path and its own name.  NULL with errno as realpath.
 */
static char *file_realpath(struct kz_loader *l, const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : NULL;
	struct stat st;
	char *out;
	size_t dn;

	if (!base || !*base || !strcmp(base, ".") || !strcmp(base, "..") || slash == path || lstat(path, &st) < 0 ||
	    S_ISLNK(st.st_mode))
		return realpath(path, NULL);
	dn = (size_t)(slash - path);
	if (!l->dir_key || strlen(l->dir_key) != dn || strncmp(l->dir_key, path, dn)) {
		char *key = strndup(path, dn), *real = key ? realpath(key, NULL) : NULL;

		if (!real) {
			free(key);
			return realpath(path, NULL);
		}
		free(l->dir_key);
		free(l->dir_real);
		l->dir_key = key;
		l->dir_real = real;
	}
	if (!(out = malloc(strlen(l->dir_real) + strlen(base) + 2)))
		return NULL;
	sprintf(out, "%s%s%s", l->dir_real, strcmp(l->dir_real, "/") ? "/" : "", base);
	return out;
}

/* All of fd into out, at most max bytes (more: an input error naming path). */
static int read_fd(struct gitops_buf *out, int fd, const char *path, size_t max, struct gitops_err *err)
{
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gitops_err_errno(err, errno, path);
		if (n == 0)
			break;
		if (out->len + (size_t)n > max)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "file '%s' is larger than %zu bytes", path, max);
		if (gitops_buf_add(out, buf, (size_t)n))
			return gitops_err_oom(err);
	}
	if (!out->data && gitops_buf_add(out, "", 0))
		return gitops_err_oom(err);
	return 0;
}

int kz_load_file(struct gitops_buf *out, struct kz_ctx *c, const char *rel, size_t max, struct gitops_err *err)
{
	struct kz_loader tmp;
	const struct kz_loader *l = c->loader;
	char *path, *real = NULL;
	struct stat st;
	int rc = -1;

	/* a context without a loader (a stage run on its own): one for c->dir, restricted to it */
	if (!l) {
		if (kz_loader_init(&tmp, c->dir ? c->dir : ".", NULL, 1, err))
			return -1;
		l = &tmp;
	}
	if (!(path = kz_loader_join(l, rel))) {
		if (l == &tmp)
			kz_loader_release(&tmp);
		return gitops_err_oom(err);
	}
	if (!(real = file_realpath((struct kz_loader *)l, path))) {
		evalsymlink_error(err, path, errno, "");
		goto done;
	}
	if (stat(real, &st) < 0) {
		gitops_err_errno(err, errno, path);
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "'%s' must resolve to a file", path);
		goto done;
	}
	if (l->boundary && !has_prefix(real, l->boundary)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "security; file '%s' is not in or below '%s'", path, l->boundary);
		goto done;
	}
	if (l->restrict_root) {
		char *slash = strrchr(real, '/');
		int inside;
		*slash = '\0';
		inside = has_prefix(*real ? real : "/", l->root);
		*slash = '/';
		if (!inside) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "security; file '%s' is not in or below '%s'", path, l->root);
			goto done;
		}
	}
	if ((size_t)st.st_size > max) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "file '%s' is larger than %zu bytes", path, max);
		goto done;
	}
	if (c->read_hook) {
		/* the hook sees the very file read: opened once, checked, then read from that descriptor */
		int fd = open(real, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			gitops_err_errno(err, errno, path);
			goto done;
		}
		if (c->read_hook(c->read_ctx, path, fd, err) < 0) {
			close(fd);
			rc = -2; /* refused: not a file to try as anything else */
			goto done;
		}
		if (read_fd(out, fd, path, max, err) < 0) {
			close(fd);
			goto done;
		}
		close(fd);
		rc = 0;
		goto done;
	}
	rc = gitops_buf_read_file(out, real, max, err);
done:
	free(path);
	free(real);
	if (l == &tmp)
		kz_loader_release(&tmp);
	return rc;
}

/* Every object of src onto dst (src left empty); kz_resmap_append's id index keeps this linear. */
int kz_resmap_append_all(struct kz_resmap *dst, struct kz_resmap *src, struct gitops_err *err)
{
	size_t i;
	int rc = 0;

	/* into an empty map, objects whose ids are known distinct: moved whole, no id read again */
	if (kz_resmap_move_unique(dst, src))
		return 0;
	for (i = 0; i < src->n; i++) {
		cJSON *obj = src->v[i];

		src->v[i] = NULL;
		if (rc < 0)
			cJSON_Delete(obj);
		else
			rc = kz_resmap_append(dst, obj, err); /* takes obj; kustomize's message on a duplicate id */
	}
	src->n = 0;
	return rc;
}

/* A Go map[string]string as fmt's %v prints it: map[k1:v1 k2:v2], keys sorted. */
static void go_map(struct gitops_buf *b, const cJSON *map)
{
	const cJSON **keys = NULL;
	size_t n = 0, i;

	gitops_buf_addstr(b, "map[");
	if (cJSON_IsObject(map) && gitops_value_sorted(&keys, &n, map) == 0) {
		for (i = 0; i < n; i++)
			gitops_buf_printf(b, "%s%s:%s", i ? " " : "", keys[i]->string,
					  cJSON_IsString(keys[i]) ? keys[i]->valuestring : "");
	}
	free(keys);
	gitops_buf_addstr(b, "]");
}

/* kustomize's error for an object it cannot take: "missing kind in object {{v1 } {{a } map[] map[]}}" */
static int missing(struct gitops_err *err, const char *what, const cJSON *obj)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *s[4] = { gitops_json_get_string(obj, "apiVersion", NULL), gitops_json_get_string(obj, "kind", NULL),
			     gitops_json_get_string(obj, "metadata", "name", NULL),
			     gitops_json_get_string(obj, "metadata", "namespace", NULL) };
	int rc;

	gitops_buf_printf(&b, "{{%s %s} {{%s %s} ", s[0] ? s[0] : "", s[1] ? s[1] : "", s[2] ? s[2] : "", s[3] ? s[3] : "");
	go_map(&b, gitops_json_get(obj, "metadata", "labels", NULL));
	gitops_buf_addstr(&b, " ");
	go_map(&b, gitops_json_get(obj, "metadata", "annotations", NULL));
	gitops_buf_addstr(&b, "}}");
	rc = gitops_err_set(err, GITOPS_EXIT_INPUT, "missing %s in object %s", what, b.data ? b.data : "");
	gitops_buf_release(&b);
	return rc;
}

/* One object into the map: a mapping, lists' items each in turn; kind and name required, as kustomize requires them. */
static int add_object(struct kz_resmap *m, cJSON *obj, struct gitops_err *err)
{
	const char *kind, *name;

	if (!cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "missing Resource metadata");
	}
	if (gitops_object_is_list(obj)) {
		cJSON *items = cJSON_GetObjectItemCaseSensitive(obj, "items"), *x;
		while (items && (x = items->child) != NULL) {
			if (add_object(m, cJSON_DetachItemViaPointer(items, x), err) < 0) {
				cJSON_Delete(obj);
				return -1;
			}
		}
		cJSON_Delete(obj);
		return 0;
	}
	kind = gitops_json_get_string(obj, "kind", NULL);
	name = gitops_json_get_string(obj, "metadata", "name", NULL);
	if (!kind || !*kind) {
		missing(err, "kind", obj);
		cJSON_Delete(obj);
		return -1;
	}
	if (!name || !*name) {
		missing(err, "metadata.name", obj);
		cJSON_Delete(obj);
		return -1;
	}
	return kz_resmap_push(m, obj, err);
}

int kz_parse_objects(struct kz_resmap *m, const char *text, size_t len, const char *name, struct gitops_err *err)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct kz_resmap got = KZ_RESMAP_INIT;
	struct gitops_yaml_reader *r = NULL;
	struct gitops_yaml_doc doc;
	int n, rc = -1;

	if (gitops_yaml_reader_mem(&r, text, len, name, &limits, err) < 0)
		return -1;
	gitops_yaml_reader_set_kyaml(r, 1);
	gitops_yaml_reader_set_fast(r, 1); /* a resource file is read whole */
	while ((n = gitops_yaml_reader_next(r, &doc, err)) > 0) {
		cJSON *root = doc.root;
		doc.root = NULL;
		gitops_yaml_doc_release(&doc);
		if (!root || cJSON_IsNull(root)) {
			cJSON_Delete(root);
			continue;
		}
		if (add_object(&got, root, err) < 0)
			goto done;
	}
	if (n < 0) {
		gitops_err_prefix(err, "MalformedYAMLError");
		goto done;
	}
	rc = kz_resmap_append_all(m, &got, err);
done:
	kz_resmap_release(&got);
	gitops_yaml_reader_free(r);
	return rc;
}
