/*
 * chart.c: a chart loaded from its files as Helm's loader (pkg/chart/loader,
 * LoadFiles) and its metadata checks (chart.Metadata.Validate) load it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <stdio.h>

#include "lib/base/buf.h"
#include "lib/render/helm/builtins.h"
#include "lib/render/helm/helm_int.h"
#include "lib/template/funcs/funcs.h"
#include "lib/value/value.h"
#include "lib/yaml/scalar.h"
#include "lib/yaml/yaml.h"

/* a packaged chart read whole: Helm's MaxDecompressedChartSize bounds what is inside; the .tgz itself less */
#define HELM_TGZ_MAX (100u << 20)

static struct helm_content *content_new(void)
{
	struct helm_content *c = calloc(1, sizeof(*c));

	if (c)
		c->refs = 1;
	return c;
}

static void content_unref(struct helm_content *c)
{
	if (!c || --c->refs > 0)
		return;
	gitops_helm_files_release(&c->templates);
	gitops_helm_files_release(&c->files);
	free(c->schema);
	free(c);
}

static void deps_free(struct helm_dep *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].name);
		free(d[i].version);
		free(d[i].repository);
		free(d[i].condition);
		free(d[i].alias);
		cJSON_Delete(d[i].tags);
		cJSON_Delete(d[i].import_values);
	}
	free(d);
}

void helm_chart_free(struct helm_chart *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nsub; i++)
		helm_chart_free(c->sub[i]);
	free(c->sub);
	deps_free(c->deps, c->ndeps);
	content_unref(c->c);
	free(c->name);
	cJSON_Delete(c->meta);
	cJSON_Delete(c->values);
	free(c);
}

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int dep_copy(struct helm_dep *d, const struct helm_dep *s)
{
	memset(d, 0, sizeof(*d));
	d->enabled = s->enabled;
	if ((s->name && !(d->name = strdup(s->name))) || (s->version && !(d->version = strdup(s->version))) ||
	    (s->repository && !(d->repository = strdup(s->repository))) ||
	    (s->condition && !(d->condition = strdup(s->condition))) || (s->alias && !(d->alias = strdup(s->alias))) ||
	    (s->tags && !(d->tags = cJSON_Duplicate(s->tags, 1))) ||
	    (s->import_values && !(d->import_values = cJSON_Duplicate(s->import_values, 1))))
		return -1;
	return 0;
}

struct helm_chart *helm_chart_clone(const struct helm_chart *s, struct helm_chart *parent)
{
	struct helm_chart *c = calloc(1, sizeof(*c));
	size_t i;

	if (!c)
		return NULL;
	c->c = s->c;
	c->c->refs++;
	c->parent = parent;
	c->library = s->library;
	c->v1 = s->v1;
	c->deps_listed = s->deps_listed;
	c->name = xstrdup(s->name);
	c->meta = s->meta ? cJSON_Duplicate(s->meta, 1) : NULL;
	c->values = s->values ? cJSON_Duplicate(s->values, 1) : NULL;
	if (!c->name || (s->meta && !c->meta) || (s->values && !c->values))
		goto fail;
	if (s->ndeps) {
		c->deps = calloc(s->ndeps, sizeof(*c->deps));
		if (!c->deps)
			goto fail;
		for (i = 0; i < s->ndeps; i++) {
			c->ndeps++;
			if (dep_copy(&c->deps[i], &s->deps[i]) < 0)
				goto fail;
		}
	}
	if (s->nsub) {
		c->sub = calloc(s->nsub, sizeof(*c->sub));
		if (!c->sub)
			goto fail;
		for (i = 0; i < s->nsub; i++) {
			if (!(c->sub[i] = helm_chart_clone(s->sub[i], c)))
				goto fail;
			c->nsub++;
		}
	}
	return c;
fail:
	helm_chart_free(c);
	return NULL;
}

void helm_warn(const struct helm_chart *c, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX];
	va_list ap;

	while (c && c->parent)
		c = c->parent;
	if (!c || !c->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->warn(c->warn_ctx, msg);
}

int helm_chart_full_path(struct gitops_buf *b, const struct helm_chart *c)
{
	if (c->parent) {
		if (helm_chart_full_path(b, c->parent) < 0 || gitops_buf_addstr(b, "/charts/") < 0)
			return -1;
	}
	return gitops_buf_addstr(b, c->name);
}

int helm_compatible_range(const char *constraint, const char *version)
{
	static gitops_tmpl_fn compare;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_tmpl_value *args[2], *out = NULL;
	int ok = 0;

	if (!compare) {
		/* looked up, not the whole table copied to search it (half a million instructions) */
		const struct gitops_tmpl_func *f = gitops_tmpl_funcs_find("semverCompare");
		if (!f || !(compare = f->fn))
			return 0;
	}
	args[0] = gitops_tmpl_value_cstring(constraint ? constraint : "");
	args[1] = gitops_tmpl_value_cstring(version ? version : "");
	if (args[0] && args[1] && compare(&out, NULL, args, 2, &err) == 0)
		ok = gitops_tmpl_value_truth(out);
	gitops_tmpl_value_unref(out);
	gitops_tmpl_value_unref(args[0]);
	gitops_tmpl_value_unref(args[1]);
	return ok;
}

/* --- Chart.yaml --- */

/* Helm's sanitizeString: whitespace becomes a space, what is not printable goes */
static void sanitize(char *s)
{
	char *w = s;
	size_t n;

	while (*s) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x80) {
			if (c == ' ' || (c >= '\t' && c <= '\r'))
				*w++ = ' ';
			else if (c >= 0x20 && c < 0x7f)
				*w++ = (char)c;
			s++;
			continue;
		}
		/* multi-byte: kept; C1 controls and invalid bytes dropped, U+0085 and U+00A0 are spaces */
		n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (!n || strnlen(s, n) < n) {
			s++;
			continue;
		}
		if (n == 2 && c == 0xc2 && (unsigned char)s[1] <= 0xa0) {
			if ((unsigned char)s[1] == 0x85 || (unsigned char)s[1] == 0xa0)
				*w++ = ' ';
			s += 2;
			continue;
		}
		memmove(w, s, n);
		w += n;
		s += n;
	}
	*w = 0;
}

/* a string field as sigs.k8s.io/yaml fills a Go struct's: a number or a boolean becomes its text */
static int coerce(cJSON *obj, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *s;
	char buf[64];

	if (!v || !(cJSON_IsNumber(v) || cJSON_IsBool(v)))
		return 0;
	helm_scalar_text(buf, sizeof(buf), v);
	s = cJSON_CreateString(buf);
	if (!s)
		return -1;
	cJSON_ReplaceItemInObjectCaseSensitive(obj, key, s); /* (ViaPointer would drop the key) */
	return 0;
}

static int coerce_list(cJSON *obj, const char *key)
{
	cJSON *l = cJSON_GetObjectItemCaseSensitive(obj, key), *e, *next;
	char buf[64];

	if (!cJSON_IsArray(l))
		return 0;
	for (e = l->child; e; e = next) {
		next = e->next;
		if (cJSON_IsNumber(e) || cJSON_IsBool(e)) {
			cJSON *s;
			helm_scalar_text(buf, sizeof(buf), e);
			if (!(s = cJSON_CreateString(buf)))
				return -1;
			cJSON_ReplaceItemViaPointer(l, e, s);
		}
	}
	return 0;
}

/* the fields this loader reads, as the Go struct holds them */
static int coerce_meta(cJSON *m)
{
	static const char *const f[] = { "name", "version", "type", "kubeVersion", "apiVersion", "condition", "tags" };
	static const char *const df[] = { "name", "version", "repository", "condition", "alias" };
	cJSON *deps = cJSON_GetObjectItemCaseSensitive(m, "dependencies"), *d;
	size_t i;

	if (!cJSON_IsObject(m))
		return 0;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (coerce(m, f[i]) < 0)
			return -1;
	if (!cJSON_IsArray(deps))
		return 0;
	cJSON_ArrayForEach(d, deps) {
		if (!cJSON_IsObject(d))
			continue;
		for (i = 0; i < sizeof(df) / sizeof(df[0]); i++)
			if (coerce(d, df[i]) < 0)
				return -1;
		if (coerce_list(d, "tags") < 0)
			return -1;
	}
	return 0;
}

/*
 * A YAML file as sigs.k8s.io/yaml reads it: go-yaml's messages, duplicate
 * keys (the last wins).  typed: integers kept apart from floats (what a
 * struct's string field needs), else every number a float64 (map values).
 */
/*
 * Could sigs.k8s.io/yaml refuse a text lib/yaml reads?  Only through what
 * lib/yaml takes and go-yaml's conversion to JSON does not: tags (!),
 * anchors and aliases (&, *: go-yaml's aliasing limits), merge keys (<<),
 * .inf and .nan (JSON has no such numbers), keys that are not plain
 * strings to YAML 1.1 (null, numbers, booleans).  The text's full-line
 * comments are skipped; anything else that could be one of these sends the
 * text through the go-yaml reader for its verdict.
 */
static int doubtful_keys(const cJSON *v)
{
	const cJSON *c;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return 0;
	for (c = v->child; c; c = c->next)
		if ((c->string && gitops_scalar_needs_quotes(c->string, strlen(c->string))) || doubtful_keys(c))
			return 1;
	return 0;
}

static int go_yaml_may_refuse(const char *data, size_t len)
{
	/* the bytes that end a line in libyaml's reading, besides \n: \r, and NEL's, LS's and PS's last */
	static const unsigned char breaks[] = { '\r', 0x85, 0xa8, 0xa9 };
	const char *p = data, *end = data + len;

	for (size_t b = 0; b < sizeof(breaks); b++)
		if (memchr(data, breaks[b], len))
			return 1;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q = p;
		if (!eol)
			eol = end;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (q < eol && *q != '#')
			for (; q < eol; q++) {
				char c = *q;
				if (c == '!' || c == '&' || c == '*' || (c == '<' && eol - q > 1 && q[1] == '<'))
					return 1;
				if (c == '.' && eol - q > 3 && (!strncasecmp(q + 1, "inf", 3) || !strncasecmp(q + 1, "nan", 3)))
					return 1;
			}
		p = eol + 1;
	}
	return 0;
}

int helm_yaml_read(cJSON **out, const char *data, size_t len, const char *name, int typed, struct gitops_err *err)
{
	struct gitops_tmpl_value *v = NULL;
	cJSON *first = NULL;
	int tried = 0;

	*out = NULL;
	/* lib/yaml's tree is the one kept: go-yaml's reader runs when it could refuse the text, or lib/yaml does */
	if (typed && !go_yaml_may_refuse(data, len)) {
		struct gitops_limits limits = GITOPS_LIMITS_INIT;
		struct gitops_err e = GITOPS_ERR_INIT;
		tried = 1;
		if (gitops_yaml_parse_one(&first, data, len, name, &limits, &e) == 0) {
			if (!doubtful_keys(first)) {
				*out = first;
				return 0;
			}
		} else {
			cJSON_Delete(first);
			first = NULL;
		}
	}
	if (gitops_tmpl_yaml_decode(&v, data, len, err) < 0) {
		cJSON_Delete(first);
		return -1;
	}
	if (typed) {
		struct gitops_limits limits = GITOPS_LIMITS_INIT;
		struct gitops_err e = GITOPS_ERR_INIT;
		/* go-yaml took it: lib/yaml's tree, kept from above (the same text parses the same) */
		if (tried ? first != NULL : gitops_yaml_parse_one(&first, data, len, name, &limits, &e) == 0) {
			gitops_tmpl_value_unref(v);
			*out = first;
			return 0;
		}
		first = NULL;
	}
	if (v) {
		/* v is dropped right after: its strings move into the tree */
		*out = gitops_tmpl_value_to_tree_take(v);
		gitops_tmpl_value_unref(v);
		if (!*out)
			return gitops_err_oom(err);
	}
	return 0;
}

static int read_yaml(cJSON **out, const struct gitops_helm_file *f, const char *what, struct gitops_err *err)
{
	if (helm_yaml_read(out, (const char *)f->data, f->len, f->name, 1, err) < 0)
		return gitops_err_prefix(err, "cannot load %s", what);
	return 0;
}

static char *str_of(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* the dependencies of the metadata (Chart.yaml's, or requirements.yaml's for a v1 chart) */
static int load_deps(struct helm_chart *c, const cJSON *list, struct gitops_err *err)
{
	const cJSON *e;
	size_t n;

	c->deps_listed = list && cJSON_IsArray(list);
	if (!c->deps_listed || !(n = (size_t)cJSON_GetArraySize(list)))
		return 0;
	c->deps = calloc(n, sizeof(*c->deps));
	if (!c->deps)
		return gitops_err_oom(err);
	cJSON_ArrayForEach(e, list) {
		struct helm_dep *d = &c->deps[c->ndeps];
		static const char *const k[] = { "name", "version", "repository", "condition", "alias" };
		char **dst[] = { &d->name, &d->version, &d->repository, &d->condition, &d->alias };
		const cJSON *t, *iv;
		size_t i;
		c->ndeps++;
		for (i = 0; i < 5; i++) {
			const char *s = str_of(e, k[i]);
			if (s && !(*dst[i] = strdup(s)))
				return gitops_err_oom(err);
			if (*dst[i] && i < 3)
				sanitize(*dst[i]);
		}
		t = cJSON_GetObjectItemCaseSensitive(e, "tags");
		if (cJSON_IsArray(t) && !(d->tags = cJSON_Duplicate(t, 1)))
			return gitops_err_oom(err);
		iv = cJSON_GetObjectItemCaseSensitive(e, "import-values");
		if (cJSON_IsArray(iv) && !(d->import_values = cJSON_Duplicate(iv, 1)))
			return gitops_err_oom(err);
	}
	return 0;
}

struct subfiles {
	char *name; /* the first component under charts/ */
	struct gitops_helm_files files;
};

static int cmp_sub(const void *a, const void *b)
{
	return strcmp(((const struct subfiles *)a)->name, ((const struct subfiles *)b)->name);
}

int helm_chart_load(struct helm_chart **out, struct gitops_helm_files *files, const char *what,
		    struct gitops_err *err)
{
	struct helm_chart *c = calloc(1, sizeof(*c));
	struct subfiles *subs = NULL;
	size_t nsubs = 0, i, k;
	cJSON *reqs = NULL;
	int have_meta = 0, ret = -1;

	*out = NULL;
	if (!c || !(c->c = content_new()))
		goto oom;
	/* Chart.yaml first, wherever it is in the list */
	for (i = 0; i < files->n; i++) {
		const struct gitops_helm_file *f = &files->v[i];
		if (strcmp(f->name, "Chart.yaml"))
			continue;
		cJSON_Delete(c->meta);
		if (read_yaml(&c->meta, f, "Chart.yaml", err) < 0)
			goto done;
		if (!c->meta && !(c->meta = cJSON_CreateObject()))
			goto oom;
		if (coerce_meta(c->meta) < 0)
			goto oom;
		if (!cJSON_IsString(gitops_value_get(c->meta, "apiVersion")) ||
		    !*gitops_value_get(c->meta, "apiVersion")->valuestring)
			if (gitops_value_set(c->meta, "apiVersion", cJSON_CreateString("v1")) < 0)
				goto oom;
		have_meta = 1;
	}
	for (i = 0; i < files->n; i++) {
		struct gitops_helm_file *f = &files->v[i];
		const char *n = f->name;
		if (!strcmp(n, "Chart.yaml"))
			continue;
		if (!strcmp(n, "Chart.lock") || !strcmp(n, "requirements.lock")) {
			cJSON *lock = NULL;
			if (read_yaml(&lock, f, n, err) < 0)
				goto done;
			cJSON_Delete(lock);
			if (!strcmp(n, "requirements.lock") && (!have_meta || c->v1) &&
			    gitops_helm_files_add(&c->c->files, n, f->data, f->len, err) < 0)
				goto done;
			continue;
		}
		if (!strcmp(n, "values.yaml")) {
			cJSON_Delete(c->values);
			c->values = NULL;
			if (helm_yaml_read(&c->values, (const char *)f->data, f->len, n, 0, err) < 0) {
				gitops_err_prefix(err, "cannot load values.yaml");
				goto done;
			}
			if (c->values && !cJSON_IsObject(c->values)) {
				gitops_err_set(err, GITOPS_EXIT_INPUT,
					       "cannot load values.yaml: error unmarshaling JSON: while decoding JSON: json: "
					       "cannot unmarshal %s into Go value of type map[string]interface {}",
					       cJSON_IsArray(c->values)	 ? "array"
					       : cJSON_IsString(c->values) ? "string"
					       : cJSON_IsBool(c->values)   ? "bool"
									   : "number");
				goto done;
			}
			continue;
		}
		if (!strcmp(n, "values.schema.json")) {
			/* the file's bytes (NUL after them) are the schema's: taken, not copied (a schema can be 200 KB) */
			free(c->c->schema);
			c->c->schema = (char *)f->data;
			c->c->schema_len = f->len;
			f->data = NULL;
			f->len = 0;
			continue;
		}
		if (!strcmp(n, "requirements.yaml")) {
			cJSON_Delete(reqs);
			reqs = NULL;
			if (read_yaml(&reqs, f, "requirements.yaml", err) < 0)
				goto done;
			if (reqs && coerce_meta(reqs) < 0)
				goto oom;
			{
				const cJSON *av = gitops_value_get(c->meta, "apiVersion");
				if ((!have_meta || (cJSON_IsString(av) && !strcmp(av->valuestring, "v1"))) &&
				    gitops_helm_files_add(&c->c->files, n, f->data, f->len, err) < 0)
					goto done;
			}
			continue;
		}
		if (!strncmp(n, "templates/", 10)) {
			if (gitops_helm_files_take(&c->c->templates, n, f, err) < 0)
				goto done;
			continue;
		}
		if (!strncmp(n, "charts/", 7)) {
			const char *fname = n + 7, *slash, *ext = strrchr(n, '.');
			size_t cl;
			if (ext && !strcmp(ext, ".prov") && !strchr(ext, '/')) {
				if (gitops_helm_files_add(&c->c->files, n, f->data, f->len, err) < 0)
					goto done;
				continue;
			}
			slash = strchr(fname, '/');
			cl = slash ? (size_t)(slash - fname) : strlen(fname);
			for (k = 0; k < nsubs; k++)
				if (strlen(subs[k].name) == cl && !strncmp(subs[k].name, fname, cl))
					break;
			if (k == nsubs) {
				struct subfiles *ns = realloc(subs, (nsubs + 1) * sizeof(*subs));
				if (!ns)
					goto oom;
				subs = ns;
				memset(&subs[nsubs], 0, sizeof(*subs));
				if (!(subs[nsubs].name = strndup(fname, cl)))
					goto oom;
				nsubs++;
			}
			if (gitops_helm_files_take(&subs[k].files, fname, f, err) < 0)
				goto done;
			continue;
		}
		if (gitops_helm_files_take(&c->c->files, n, f, err) < 0)
			goto done;
	}
	if (!have_meta) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "Chart.yaml file is missing");
		goto done;
	}
	if (!c->values && !(c->values = cJSON_CreateObject()))
		goto oom;
	{
		const cJSON *av = gitops_value_get(c->meta, "apiVersion");
		c->v1 = cJSON_IsString(av) && !strcmp(av->valuestring, "v1");
	}
	/* requirements.yaml's dependencies replace Chart.yaml's, as yaml.Unmarshal into the same Metadata does */
	if (reqs && cJSON_IsObject(reqs)) {
		const cJSON *d = gitops_value_get(reqs, "dependencies");
		if (d && gitops_value_set(c->meta, "dependencies", cJSON_Duplicate(d, 1)) < 0)
			goto oom;
	}
	{
		/* the types Go's struct holds and Metadata.Validate, as .Chart builds them */
		struct gitops_tmpl_value *md = NULL;
		const char *t;
		if (gitops_helm_chart_value(&md, c->meta, err) < 0)
			goto done;
		gitops_tmpl_value_unref(md);
		t = str_of(c->meta, "type");
		c->library = t && !strcmp(t, "library");
	}
	if (load_deps(c, gitops_value_get(c->meta, "dependencies"), err) < 0)
		goto done;
	{
		const char *nm = str_of(c->meta, "name");
		if (!(c->name = strdup(nm ? nm : "")))
			goto oom;
		sanitize(c->name);
	}
	/* subcharts, in byte order of their names (Helm's map order is random) */
	if (nsubs > 1)
		qsort(subs, nsubs, sizeof(*subs), cmp_sub);
	for (k = 0; k < nsubs; k++) {
		struct helm_chart *sc = NULL, **ns;
		const char *n = subs[k].name;
		size_t nl = strlen(n);
		if (n[0] == '_' || n[0] == '.')
			continue;
		if (nl > 4 && !strcmp(n + nl - 4, ".tgz")) {
			struct gitops_helm_files inner = GITOPS_HELM_FILES_INIT;
			struct gitops_buf w = GITOPS_BUF_INIT;
			struct gitops_helm_file *f = &subs[k].files.v[0];
			if (strcmp(f->name, n)) {
				gitops_err_set(err, GITOPS_EXIT_INPUT,
					       "error unpacking subchart tar in %s: expected %s, got %s", c->name, n, f->name);
				goto done;
			}
			if (gitops_buf_printf(&w, "charts/%s", n) < 0)
				goto oom;
			ret = gitops_helm_files_from_archive(&inner, f->data, f->len, w.data, err);
			if (ret == 0)
				ret = helm_chart_load(&sc, &inner, w.data, err);
			gitops_helm_files_release(&inner);
			gitops_buf_release(&w);
			if (ret < 0) {
				gitops_err_prefix(err, "error unpacking subchart %s in %s", n, c->name);
				goto done;
			}
			ret = -1;
		} else {
			struct gitops_helm_files inner = GITOPS_HELM_FILES_INIT;
			for (i = 0; i < subs[k].files.n; i++) {
				struct gitops_helm_file *f = &subs[k].files.v[i];
				const char *slash = strchr(f->name, '/');
				if (!slash)
					continue;
				if (gitops_helm_files_take(&inner, slash + 1, f, err) < 0) {
					gitops_helm_files_release(&inner);
					goto done;
				}
			}
			ret = helm_chart_load(&sc, &inner, n, err);
			gitops_helm_files_release(&inner);
			if (ret < 0) {
				gitops_err_prefix(err, "error unpacking subchart %s in %s", n, c->name);
				goto done;
			}
			ret = -1;
		}
		ns = realloc(c->sub, (c->nsub + 1) * sizeof(*c->sub));
		if (!ns) {
			helm_chart_free(sc);
			goto oom;
		}
		c->sub = ns;
		sc->parent = c;
		c->sub[c->nsub++] = sc;
	}
	(void)what;
	*out = c;
	c = NULL;
	ret = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	for (k = 0; k < nsubs; k++) {
		free(subs[k].name);
		gitops_helm_files_release(&subs[k].files);
	}
	free(subs);
	cJSON_Delete(reqs);
	helm_chart_free(c);
	return ret;
}

int gitops_helm_is_chart(const char *path)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct stat st;
	size_t n = strlen(path);
	int yes = 0;

	if (stat(path, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return n > 4 && !strcmp(path + n - 4, ".tgz");
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (gitops_buf_printf(&b, "%s/Chart.yaml", path) == 0 && stat(b.data, &st) == 0)
		yes = 1;
	gitops_buf_release(&b);
	return yes;
}

int helm_chart_load_path(struct helm_chart **out, const char *path, struct gitops_err *err)
{
	struct gitops_helm_files files = GITOPS_HELM_FILES_INIT;
	struct stat st;
	int ret;

	*out = NULL;
	if (stat(path, &st) < 0)
		return gitops_err_errno(err, errno, path);
	if (S_ISDIR(st.st_mode)) {
		ret = gitops_helm_files_from_dir(&files, path, err);
	} else {
		struct gitops_buf b = GITOPS_BUF_INIT;
		ret = gitops_buf_read_file(&b, path, HELM_TGZ_MAX, err);
		if (ret == 0)
			ret = gitops_helm_files_from_archive(&files, b.data ? b.data : "", b.len, path, err);
		gitops_buf_release(&b);
	}
	if (ret == 0)
		ret = helm_chart_load(out, &files, path, err);
	gitops_helm_files_release(&files);
	return ret;
}
