/*
 * chart.c: a chart loaded from its files as Helm's loader (pkg/chart/loader,
 * LoadFiles) and its metadata checks (chart.Metadata.Validate) load it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdio.h>

#include "lib/base/buf.h"
#include "lib/render/helm/helm_int.h"
#include "lib/template/funcs/funcs.h"
#include "lib/value/value.h"
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
		struct gitops_tmpl_func *t;
		size_t n, i;
		if (gitops_tmpl_funcs_table(&t, &n) < 0)
			return 0;
		for (i = 0; i < n; i++)
			if (!strcmp(t[i].name, "semverCompare") && !t[i].receiver)
				compare = t[i].fn;
		free(t);
		if (!compare)
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

/* sigs.k8s.io/yaml into a struct: JSON's types must fit the field's */
static const char *json_type(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "bool";
	if (cJSON_IsArray(v))
		return "array";
	if (cJSON_IsObject(v))
		return "object";
	return "null";
}

static int type_error(struct gitops_err *err, const char *file, const cJSON *v, const char *field, const char *type)
{
	return gitops_err_set(err, GITOPS_EXIT_INPUT,
			      "cannot load %s: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s "
			      "into Go struct field %s of type %s",
			      file, json_type(v), field, type);
}

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
		/* multi-byte: keep it (printable in practice); drop C1 controls and invalid bytes */
		n = 1;
		if ((c & 0xe0) == 0xc0)
			n = 2;
		else if ((c & 0xf0) == 0xe0)
			n = 3;
		else if ((c & 0xf8) == 0xf0)
			n = 4;
		else {
			s++;
			continue;
		}
		if (strnlen(s, n) < n) {
			s++;
			continue;
		}
		if (n == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0) { /* U+0080..U+009F; U+0085 is a space */
			if ((unsigned char)s[1] == 0x85)
				*w++ = ' ';
			s += 2;
			continue;
		}
		if (n == 2 && c == 0xc2 && (unsigned char)s[1] == 0xa0) { /* U+00A0 */
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

/* a string field of the metadata: absent or null is "", another type an error */
static int str_field(char **out, const cJSON *obj, const char *key, const char *gofield, const char *file,
		     struct gitops_err *err)
{
	const cJSON *v = gitops_value_get(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return type_error(err, file, v, gofield, "string");
	*out = strdup(v->valuestring);
	return *out ? 0 : gitops_err_oom(err);
}

static int check_string_list(const cJSON *obj, const char *key, const char *gofield, const char *file,
			     struct gitops_err *err)
{
	const cJSON *v = gitops_value_get(obj, key), *e;

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v))
		return type_error(err, file, v, gofield, "[]string");
	cJSON_ArrayForEach(e, v)
		if (!cJSON_IsString(e) && !cJSON_IsNull(e))
			return type_error(err, file, e, gofield, "string");
	return 0;
}

/* The types of the metadata's fields, as json.Unmarshal into chart.Metadata checks them. */
static int check_meta(const cJSON *m, const char *file, struct gitops_err *err)
{
	static const char *const strs[][2] = {
		{ "name", "Metadata.name" },		{ "home", "Metadata.home" },
		{ "version", "Metadata.version" },	{ "description", "Metadata.description" },
		{ "icon", "Metadata.icon" },		{ "apiVersion", "Metadata.apiVersion" },
		{ "condition", "Metadata.condition" },	{ "tags", "Metadata.tags" },
		{ "appVersion", "Metadata.appVersion" }, { "kubeVersion", "Metadata.kubeVersion" },
		{ "type", "Metadata.type" },
	};
	const cJSON *v, *e;
	size_t i;

	if (!cJSON_IsObject(m))
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      "cannot load %s: error unmarshaling JSON: while decoding JSON: json: cannot "
				      "unmarshal %s into Go value of type chart.Metadata",
				      file, json_type(m));
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		v = gitops_value_get(m, strs[i][0]);
		if (v && !cJSON_IsNull(v) && !cJSON_IsString(v))
			return type_error(err, file, v, strs[i][1], "string");
	}
	if (check_string_list(m, "sources", "Metadata.sources", file, err) < 0 ||
	    check_string_list(m, "keywords", "Metadata.keywords", file, err) < 0)
		return -1;
	v = gitops_value_get(m, "deprecated");
	if (v && !cJSON_IsNull(v) && !cJSON_IsBool(v))
		return type_error(err, file, v, "Metadata.deprecated", "bool");
	v = gitops_value_get(m, "annotations");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsObject(v))
			return type_error(err, file, v, "Metadata.annotations", "map[string]string");
		cJSON_ArrayForEach(e, v)
			if (!cJSON_IsString(e) && !cJSON_IsNull(e))
				return type_error(err, file, e, "Metadata.annotations", "string");
	}
	v = gitops_value_get(m, "maintainers");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsArray(v))
			return type_error(err, file, v, "Metadata.maintainers", "[]*chart.Maintainer");
		cJSON_ArrayForEach(e, v) {
			static const char *const mf[] = { "name", "email", "url" };
			if (cJSON_IsNull(e))
				continue;
			if (!cJSON_IsObject(e))
				return type_error(err, file, e, "Metadata.maintainers", "chart.Maintainer");
			for (i = 0; i < 3; i++) {
				const cJSON *f = gitops_value_get(e, mf[i]);
				char gf[64];
				snprintf(gf, sizeof(gf), "Maintainer.maintainers.%s", mf[i]);
				if (f && !cJSON_IsNull(f) && !cJSON_IsString(f))
					return type_error(err, file, f, gf, "string");
			}
		}
	}
	v = gitops_value_get(m, "dependencies");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsArray(v))
			return type_error(err, file, v, "Metadata.dependencies", "[]*chart.Dependency");
		cJSON_ArrayForEach(e, v) {
			static const char *const df[] = { "name", "version", "repository", "condition", "alias" };
			const cJSON *f;
			if (cJSON_IsNull(e))
				continue;
			if (!cJSON_IsObject(e))
				return type_error(err, file, e, "Metadata.dependencies", "chart.Dependency");
			for (i = 0; i < 5; i++) {
				char gf[64];
				f = gitops_value_get(e, df[i]);
				snprintf(gf, sizeof(gf), "Dependency.dependencies.%s", df[i]);
				if (f && !cJSON_IsNull(f) && !cJSON_IsString(f))
					return type_error(err, file, f, gf, "string");
			}
			if (check_string_list(e, "tags", "Dependency.dependencies.tags", file, err) < 0)
				return -1;
			f = gitops_value_get(e, "enabled");
			if (f && !cJSON_IsNull(f) && !cJSON_IsBool(f))
				return type_error(err, file, f, "Dependency.dependencies.enabled", "bool");
			f = gitops_value_get(e, "import-values");
			if (f && !cJSON_IsNull(f) && !cJSON_IsArray(f))
				return type_error(err, file, f, "Dependency.dependencies.import-values", "[]interface {}");
		}
	}
	return 0;
}

/* YAML (go-yaml v2, as sigs.k8s.io/yaml reads it) into a tree with JSON's types */
static int read_yaml(cJSON **out, const struct gitops_helm_file *f, const char *what, struct gitops_err *err)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;

	*out = NULL;
	if (gitops_yaml_parse_one(out, f->data, f->len, f->name, &limits, err) < 0)
		return gitops_err_prefix(err, "cannot load %s", what);
	return 0;
}

/* the dependencies of a metadata tree (Chart.yaml's, or requirements.yaml's for a v1 chart) */
static int load_deps(struct helm_chart *c, const cJSON *list, struct gitops_err *err)
{
	const cJSON *e;
	size_t n = 0;

	deps_free(c->deps, c->ndeps);
	c->deps = NULL;
	c->ndeps = 0;
	c->deps_listed = list && cJSON_IsArray(list);
	if (!c->deps_listed)
		return 0;
	n = (size_t)cJSON_GetArraySize(list);
	if (!n)
		return 0;
	c->deps = calloc(n, sizeof(*c->deps));
	if (!c->deps)
		return gitops_err_oom(err);
	cJSON_ArrayForEach(e, list) {
		struct helm_dep *d = &c->deps[c->ndeps];
		const cJSON *t, *iv;
		if (cJSON_IsNull(e))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "validation: dependencies must not be nil");
		c->ndeps++;
		if (str_field(&d->name, e, "name", "", "", err) < 0 || str_field(&d->version, e, "version", "", "", err) < 0 ||
		    str_field(&d->repository, e, "repository", "", "", err) < 0 ||
		    str_field(&d->condition, e, "condition", "", "", err) < 0 ||
		    str_field(&d->alias, e, "alias", "", "", err) < 0)
			return -1;
		t = gitops_value_get(e, "tags");
		if (t && cJSON_IsArray(t) && !(d->tags = cJSON_Duplicate(t, 1)))
			return gitops_err_oom(err);
		iv = gitops_value_get(e, "import-values");
		if (iv && cJSON_IsArray(iv) && !(d->import_values = cJSON_Duplicate(iv, 1)))
			return gitops_err_oom(err);
		if (d->name)
			sanitize(d->name);
		if (d->version)
			sanitize(d->version);
		if (d->repository)
			sanitize(d->repository);
	}
	return 0;
}

static int alias_ok(const char *a)
{
	for (; *a; a++)
		if (!((*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z') || (*a >= '0' && *a <= '9') || *a == '-' ||
		      *a == '_'))
			return 0;
	return 1;
}

/* chart.Metadata.Validate */
static int validate(struct helm_chart *c, struct gitops_err *err)
{
	static const char *const sanitized[] = { "name", "description", "home", "icon", "condition", "tags",
						 "appVersion", "kubeVersion" };
	const cJSON *f;
	const char *s;
	size_t i, j;

	for (i = 0; i < sizeof(sanitized) / sizeof(sanitized[0]); i++) {
		cJSON *x = cJSON_GetObjectItemCaseSensitive(c->meta, sanitized[i]);
		if (cJSON_IsString(x))
			sanitize(x->valuestring);
	}
	f = gitops_value_get(c->meta, "apiVersion");
	if (!cJSON_IsString(f) || !*f->valuestring)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "validation: chart.metadata.apiVersion is required");
	f = gitops_value_get(c->meta, "name");
	s = cJSON_IsString(f) ? f->valuestring : "";
	if (!*s)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "validation: chart.metadata.name is required");
	if (strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "validation: chart.metadata.name \"%s\" is invalid", s);
	f = gitops_value_get(c->meta, "version");
	s = cJSON_IsString(f) ? f->valuestring : "";
	if (!*s)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "validation: chart.metadata.version is required");
	/* semver.NewVersion: every version it reads is at least 0.0.0-0 */
	if (!helm_compatible_range(">=0.0.0-0", s))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "validation: chart.metadata.version \"%s\" is invalid", s);
	f = gitops_value_get(c->meta, "type");
	s = cJSON_IsString(f) ? f->valuestring : "";
	if (*s && strcmp(s, "application") && strcmp(s, "library"))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "validation: chart.metadata.type must be application or library");
	c->library = !strcmp(s, "library");
	for (i = 0; i < c->ndeps; i++) {
		const char *key = c->deps[i].alias && *c->deps[i].alias ? c->deps[i].alias : c->deps[i].name;
		if (c->deps[i].alias && *c->deps[i].alias && !alias_ok(c->deps[i].alias))
			return gitops_err_set(err, GITOPS_EXIT_INPUT,
					      "validation: dependency \"%s\" has disallowed characters in the alias",
					      c->deps[i].name ? c->deps[i].name : "");
		for (j = 0; j < i; j++) {
			const char *k2 = c->deps[j].alias && *c->deps[j].alias ? c->deps[j].alias : c->deps[j].name;
			if (!strcmp(key ? key : "", k2 ? k2 : ""))
				return gitops_err_set(err, GITOPS_EXIT_INPUT,
						      "validation: more than one dependency with name or alias \"%s\"",
						      key ? key : "");
		}
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

int helm_chart_load(struct helm_chart **out, const struct gitops_helm_files *files, const char *what,
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
		if (check_meta(c->meta, "Chart.yaml", err) < 0)
			goto done;
		if (!cJSON_IsString(gitops_value_get(c->meta, "apiVersion")) ||
		    !*gitops_value_get(c->meta, "apiVersion")->valuestring)
			if (gitops_value_set(c->meta, "apiVersion", cJSON_CreateString("v1")) < 0)
				goto oom;
		have_meta = 1;
	}
	for (i = 0; i < files->n; i++) {
		const struct gitops_helm_file *f = &files->v[i];
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
			if (read_yaml(&c->values, f, "values.yaml", err) < 0)
				goto done;
			if (c->values && !cJSON_IsObject(c->values)) {
				gitops_err_set(err, GITOPS_EXIT_INPUT,
					       "cannot load values.yaml: error unmarshaling JSON: while decoding JSON: json: "
					       "cannot unmarshal %s into Go value of type map[string]interface {}",
					       json_type(c->values));
				goto done;
			}
			continue;
		}
		if (!strcmp(n, "values.schema.json")) {
			free(c->c->schema);
			if (!(c->c->schema = malloc(f->len + 1)))
				goto oom;
			memcpy(c->c->schema, f->data, f->len + 1);
			c->c->schema_len = f->len;
			continue;
		}
		if (!strcmp(n, "requirements.yaml")) {
			cJSON_Delete(reqs);
			reqs = NULL;
			if (read_yaml(&reqs, f, "requirements.yaml", err) < 0)
				goto done;
			if (reqs && check_meta(reqs, "requirements.yaml", err) < 0)
				goto done;
			{
				const cJSON *av = gitops_value_get(c->meta, "apiVersion");
				if ((!have_meta || (cJSON_IsString(av) && !strcmp(av->valuestring, "v1"))) &&
				    gitops_helm_files_add(&c->c->files, n, f->data, f->len, err) < 0)
					goto done;
			}
			continue;
		}
		if (!strncmp(n, "templates/", 10)) {
			if (gitops_helm_files_add(&c->c->templates, n, f->data, f->len, err) < 0)
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
			if (gitops_helm_files_add(&subs[k].files, fname, f->data, f->len, err) < 0)
				goto done;
			continue;
		}
		if (gitops_helm_files_add(&c->c->files, n, f->data, f->len, err) < 0)
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
	if (load_deps(c, gitops_value_get(c->meta, "dependencies"), err) < 0)
		goto done;
	if (validate(c, err) < 0)
		goto done;
	{
		const cJSON *nm = gitops_value_get(c->meta, "name");
		if (!(c->name = strdup(nm->valuestring)))
			goto oom;
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
			const struct gitops_helm_file *f = &subs[k].files.v[0];
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
				const struct gitops_helm_file *f = &subs[k].files.v[i];
				const char *slash = strchr(f->name, '/');
				if (!slash)
					continue;
				if (gitops_helm_files_add(&inner, slash + 1, f->data, f->len, err) < 0) {
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
