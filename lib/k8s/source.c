/* source.c: the Source document, built (gitops-fetch) and read (gitops-render). */
#include "lib/k8s/source.h"

#include <stdio.h>
#include <string.h>

#include "lib/k8s/object.h"

void gitops_source_name(char *out, size_t size, const char *repo_name, const char *path)
{
	char raw[512];
	size_t i, o = 0;
	int dash = 1;

	snprintf(raw, sizeof(raw), "%s%s%s", repo_name, *path ? "-" : "", path);
	for (i = 0; raw[i] && o + 1 < size && o < 253; i++) {
		char c = raw[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.') {
			out[o++] = c;
			dash = 0;
		} else if (!dash) {
			out[o++] = '-';
			dash = 1;
		}
	}
	while (o > 0 && (out[o - 1] == '-' || out[o - 1] == '.'))
		o--;
	out[o] = '\0';
	if (!o || !strcmp(out, "."))
		snprintf(out, size, "source");
}

int gitops_source_new(cJSON **out, const struct gitops_source *s, struct gitops_err *err)
{
	cJSON *doc = cJSON_CreateObject(), *meta = cJSON_CreateObject(), *spec = cJSON_CreateObject();

	*out = NULL;
	if (!doc || !meta || !spec) {
		cJSON_Delete(doc);
		cJSON_Delete(meta);
		cJSON_Delete(spec);
		return gitops_err_oom(err);
	}
	cJSON_AddStringToObject(doc, "apiVersion", GITOPS_SOURCE_API_VERSION);
	cJSON_AddStringToObject(doc, "kind", "Source");
	cJSON_AddStringToObject(meta, "name", s->name);
	cJSON_AddItemToObject(doc, "metadata", meta);
	cJSON_AddStringToObject(spec, "repository", s->repository);
	if (s->chart)
		cJSON_AddStringToObject(spec, "chart", s->chart);
	cJSON_AddStringToObject(spec, "ref", s->ref);
	if (s->version)
		cJSON_AddStringToObject(spec, "version", s->version);
	if (s->digest)
		cJSON_AddStringToObject(spec, "digest", s->digest);
	cJSON_AddStringToObject(spec, "commit", s->commit);
	cJSON_AddStringToObject(spec, "path", *s->path ? s->path : ".");
	if (s->root)
		cJSON_AddStringToObject(spec, "root", s->root);
	cJSON_AddStringToObject(spec, "dir", s->dir);
	if (s->kustomize || s->allow_remote) {
		cJSON *k = s->kustomize ? cJSON_Duplicate(s->kustomize, 1) : cJSON_CreateObject(), *t = NULL;

		/* the permission to fetch remote bases goes with the overrides gitops-render applies */
		if (k && s->allow_remote) {
			cJSON_DeleteItemFromObjectCaseSensitive(k, "allowRemote");
			if (!(t = cJSON_CreateTrue()) || !cJSON_AddItemToObject(k, "allowRemote", t)) {
				cJSON_Delete(t);
				cJSON_Delete(k);
				k = NULL;
			}
		}
		if (!k || !cJSON_AddItemToObject(spec, "kustomize", k)) {
			cJSON_Delete(k);
			cJSON_Delete(doc);
			return gitops_err_oom(err);
		}
	}
	if (s->revisions)
		cJSON_AddStringToObject(spec, "revisions", s->revisions);
	if (s->helm) {
		cJSON *h = cJSON_Duplicate(s->helm, 1);
		if (!h || !cJSON_AddItemToObject(spec, "helm", h)) {
			cJSON_Delete(h);
			cJSON_Delete(doc);
			return gitops_err_oom(err);
		}
	}
	if (s->ref_name)
		cJSON_AddStringToObject(spec, "refName", s->ref_name);
	cJSON_AddItemToObject(doc, "spec", spec);
	*out = doc;
	return 0;
}

int gitops_source_is(const cJSON *obj)
{
	const char *av = gitops_json_get_string(obj, "apiVersion", NULL);
	const char *kind = gitops_json_get_string(obj, "kind", NULL);

	return av && kind && !strncmp(av, "gitops.dev/", 11) && !strcmp(kind, "Source");
}

/* Where a spec.helm error is: "INPUT:LINE: document N: Source 'NAME': " */
struct where {
	const char *input, *name;
	size_t line, doc;
};

static int helm_fail(struct gitops_err *err, const struct where *w, const char *field, const char *what)
{
	if (!w->line)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: spec.helm.%s %s", w->input, field, what);
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.helm.%s %s", w->input,
			      w->line, w->doc, w->name, field, what);
}

/* A mapping's fields: each one of names[] (NULL-terminated) with the type types[] says (s string, b bool, l list
 * of strings, o mapping, p parameters, f file parameters) */
static int helm_fields(const cJSON *m, const char *at, const char *const *names, const char *types,
		       const struct where *w, struct gitops_err *err)
{
	const cJSON *v, *e;
	char field[128];
	size_t i;

	cJSON_ArrayForEach(v, m) {
		for (i = 0; names[i] && strcmp(names[i], v->string); i++)
			;
		snprintf(field, sizeof(field), "%s%s", at, v->string);
		if (!names[i])
			return helm_fail(err, w, field, *at ? "is not a field here" :
					 "is not one of Argo CD's source.helm fields");
		switch (types[i]) {
		case 's':
			if (!cJSON_IsString(v))
				return helm_fail(err, w, field, "must be a string");
			break;
		case 'b':
			if (!cJSON_IsBool(v))
				return helm_fail(err, w, field, "must be true or false");
			break;
		case 'o':
			if (!cJSON_IsObject(v) && !cJSON_IsNull(v))
				return helm_fail(err, w, field, "must be a mapping");
			break;
		case 'l':
			if (!cJSON_IsArray(v))
				return helm_fail(err, w, field, "must be a list of strings");
			cJSON_ArrayForEach(e, v)
				if (!cJSON_IsString(e) || !e->valuestring[0])
					return helm_fail(err, w, field, "must be a list of non-empty strings");
			break;
		case 'p':
		case 'f': {
			static const char *const pn[] = { "name", "value", "forceString", NULL };
			static const char *const fn[] = { "name", "path", NULL };
			size_t k = 0;
			if (!cJSON_IsArray(v))
				return helm_fail(err, w, field, "must be a list");
			cJSON_ArrayForEach(e, v) {
				char item[160];
				const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
				const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
				snprintf(item, sizeof(item), "%s[%zu].", field, k++);
				if (!cJSON_IsObject(e))
					return helm_fail(err, w, field, "must be a list of mappings");
				if (helm_fields(e, item, types[i] == 'p' ? pn : fn, types[i] == 'p' ? "ssb" : "ss", w, err) < 0)
					return -1;
				item[strlen(item) - 1] = '\0';
				if (!n || !n->valuestring[0])
					return helm_fail(err, w, item, "needs a non-empty name");
				if (types[i] == 'f' && (!p || !p->valuestring[0]))
					return helm_fail(err, w, item, "needs a non-empty path");
			}
			break;
		}
		}
	}
	return 0;
}

/* `$NAME/...`: NAME's length (0: not a reference) */
size_t gitops_source_values_ref(const char *path)
{
	size_t n = 0;

	if (path[0] != '$')
		return 0;
	while (path[1 + n] && path[1 + n] != '/')
		n++;
	return path[1 + n] == '/' ? n : 0;
}

/* Argo CD's ref: letters, digits, '-' and '_' */
static int ref_name_valid(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return 0;
	return 1;
}

static int helm_check(const cJSON *h, const struct where *w, struct gitops_err *err)
{
	static const char *const names[] = {
		"releaseName", "namespace", "valueFiles", "values", "valuesObject", "parameters", "fileParameters",
		"skipCrds", "skipTests", "skipSchemaValidation", "kubeVersion", "apiVersions",
		"ignoreMissingValueFiles", "passCredentials", "version", NULL,
	};
	const cJSON *e;
	char field[64];
	size_t k = 0;

	if (helm_fields(h, "", names, "sslsopfbbbslbbs", w, err) < 0)
		return -1;
	/* files: relative to the Source's dir (kept inside its root when read), or `$NAME/...` in another Source */
	for (int fp = 0; fp < 2; fp++) {
		k = 0;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(h, fp ? "fileParameters" : "valueFiles")) {
			const char *p = fp ? gitops_json_get_string(e, "path", NULL) : e->valuestring;
			snprintf(field, sizeof(field), "%s[%zu]%s", fp ? "fileParameters" : "valueFiles", k++,
				 fp ? ".path" : "");
			if (strstr(p, "://"))
				return helm_fail(err, w, field, "is a URL: value files come from a Source's checkout");
			if (p[0] == '/')
				return helm_fail(err, w, field, "is an absolute path: name a file of the checkout, "
						 "relative to spec.dir, or $NAME/... in the Source whose spec.refName is NAME");
			if (p[0] == '$' && !gitops_source_values_ref(p))
				return helm_fail(err, w, field, "starts with '$' but is not $NAME/PATH");
		}
	}
	return 0;
}

int gitops_source_helm_check(const cJSON *helm, const char *what, struct gitops_err *err)
{
	struct where w = { what, NULL, 0, 0 };

	if (!cJSON_IsObject(helm))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a mapping of Argo CD's source.helm fields", what);
	return helm_check(helm, &w, err);
}

int gitops_source_ref_name_valid(const char *name)
{
	return ref_name_valid(name);
}

/* spec.chart, spec.version, spec.digest: optional, checked when there */
static int read_chart(struct gitops_source *out, const cJSON *obj, const char *input, size_t line, size_t doc,
		      struct gitops_err *err)
{
	static const char *const names[] = { "chart", "version", "digest" };
	const char **field[] = { &out->chart, &out->version, &out->digest };
	const cJSON *v;
	size_t i;

	for (i = 0; i < 3; i++) {
		v = gitops_json_get(obj, "spec", names[i], NULL);
		if (!v)
			continue;
		if (!cJSON_IsString(v) || !v->valuestring[0])
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.%s must be a "
					      "non-empty string", input, line, doc, out->name, names[i]);
		*field[i] = v->valuestring;
	}
	if (out->chart && strchr(out->chart, '/'))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.chart must be a "
				      "chart's name, without '/'", input, line, doc, out->name);
	if (out->digest) {
		const char *d = out->digest;
		int ok = !strncmp(d, "sha256:", 7) && strlen(d) == 71;
		for (i = 7; ok && d[i]; i++)
			ok = (d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f');
		if (!ok)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.digest must be "
					      "\"sha256:\" and 64 lowercase hex digits", input, line, doc, out->name);
	}
	return 0;
}

int gitops_source_read(struct gitops_source *out, const cJSON *obj, const char *input, size_t line, size_t doc,
		       struct gitops_err *err)
{
	static const char *const required[] = { "repository", "commit", "path", "dir" };
	const char **field[] = { &out->repository, &out->commit, &out->path, &out->dir };
	const cJSON *spec = gitops_json_get(obj, "spec", NULL), *v;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->name = gitops_json_get_string(obj, "metadata", "name", NULL);
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		v = spec ? cJSON_GetObjectItemCaseSensitive(spec, required[i]) : NULL;
		if (!cJSON_IsString(v) || !v->valuestring[0])
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.%s must be a "
					      "non-empty string", input, line, doc, out->name, required[i]);
		*field[i] = v->valuestring;
	}
	out->ref = gitops_json_get_string(obj, "spec", "ref", NULL);
	v = gitops_json_get(obj, "spec", "revisions", NULL);
	if (v && !cJSON_IsString(v))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.revisions must be a "
				      "string", input, line, doc, out->name);
	out->revisions = v ? v->valuestring : NULL;
	v = gitops_json_get(obj, "spec", "root", NULL);
	if (v && (!cJSON_IsString(v) || !v->valuestring[0]))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.root must be a "
				      "non-empty string", input, line, doc, out->name);
	out->root = v ? v->valuestring : NULL;
	v = gitops_json_get(obj, "spec", "kustomize", NULL);
	if (v && !cJSON_IsObject(v) && !cJSON_IsNull(v))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.kustomize must be a "
				      "mapping (Argo CD's source.kustomize fields)", input, line, doc, out->name);
	out->kustomize = cJSON_IsObject(v) ? v : NULL;
	v = out->kustomize ? cJSON_GetObjectItemCaseSensitive(out->kustomize, "allowRemote") : NULL;
	if (v && !cJSON_IsBool(v))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': "
				      "spec.kustomize.allowRemote must be true or false", input, line, doc, out->name);
	out->allow_remote = cJSON_IsTrue(v);
	v = gitops_json_get(obj, "spec", "helm", NULL);
	if (v && !cJSON_IsObject(v) && !cJSON_IsNull(v))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.helm must be a "
				      "mapping (Argo CD's source.helm fields)", input, line, doc, out->name);
	if (cJSON_IsObject(v)) {
		struct where w = { input, out->name, line, doc };
		if (helm_check(v, &w, err) < 0)
			return -1;
		out->helm = v;
	}
	v = gitops_json_get(obj, "spec", "refName", NULL);
	if (v && (!cJSON_IsString(v) || !ref_name_valid(v->valuestring)))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: Source '%s': spec.refName must be "
				      "letters, digits, '-' and '_' (Argo CD's ref)", input, line, doc, out->name);
	out->ref_name = v ? v->valuestring : NULL;
	return read_chart(out, obj, input, line, doc, err);
}
