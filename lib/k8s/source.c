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
	return read_chart(out, obj, input, line, doc, err);
}
