/*
 * overrides.c: Argo CD's per-application Kustomize overrides (an
 * Application's spec.source.kustomize), applied as Argo CD applies them:
 * it runs `kustomize edit` in the application's directory before the
 * build, so each override edits the top kustomization, in Argo CD's order:
 *
 *   namePrefix, nameSuffix     edit set nameprefix/namesuffix: replaced
 *   images                     edit set image NAME[=NEWNAME][:TAG|@DIGEST]...:
 *                              an entry of that name updated (a tag clears
 *                              the digest and back), else added; the list
 *                              sorted by name
 *   replicas                   edit set replicas NAME=COUNT: updated or added
 *   commonLabels               edit add label [--force] [--without-selector]:
 *                              a key already there is an error unless
 *                              forceCommonLabels; labelWithoutSelector adds
 *                              a `labels` entry without selectors instead
 *   commonAnnotations          edit add annotation [--force]: likewise
 *   namespace                  edit set namespace: replaced
 *   patches                    appended to `patches`
 *   components                 edit add component: appended when missing
 *
 * Errors name the override (GITOPS_EXIT_INPUT).
 */
#include "lib/kustomize/kz_overrides.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/json.h"
#include "lib/kustomize/kustomize.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

static const char *const known[] = {
	"namePrefix", "nameSuffix", "images", "replicas", "commonLabels", "commonAnnotations",
	"commonAnnotationsEnvsubst", "forceCommonLabels", "forceCommonAnnotations", "labelWithoutSelector",
	"labelIncludeTemplates", "namespace", "patches", "components", "version", "kubeVersion", "apiVersions",
	"ignoreMissingComponents",
	"allowRemote", /* a permission (gitops-fetch --allow-remote), read by gitops-render, no edit */
	NULL,
};

static int set_string(cJSON *k, const char *field, const cJSON *v, struct gitops_err *err)
{
	cJSON *c;

	if (!cJSON_IsString(v))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override %s must be a string", field);
	if (!(c = cJSON_CreateString(v->valuestring)) || gitops_value_set(k, field, c) < 0) {
		cJSON_Delete(c);
		return gitops_err_oom(err);
	}
	return 0;
}

/* The list `field` of k, made when missing (an error when it is something else). */
static cJSON *list_of(cJSON *k, const char *field, struct gitops_err *err)
{
	cJSON *l = (cJSON *)gitops_value_get(k, field);

	if (l && !cJSON_IsNull(l) && !cJSON_IsArray(l)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "the kustomization's %s is not a list", field);
		return NULL;
	}
	if (!cJSON_IsArray(l)) {
		cJSON *n = cJSON_CreateArray();

		if (!n || gitops_value_set(k, field, n) < 0) {
			cJSON_Delete(n);
			gitops_err_oom(err);
			return NULL;
		}
		l = n;
	}
	return l;
}

static cJSON *map_of(cJSON *k, const char *field, struct gitops_err *err)
{
	cJSON *m = (cJSON *)gitops_value_get(k, field);

	if (m && !cJSON_IsNull(m) && !cJSON_IsObject(m)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "the kustomization's %s is not a mapping", field);
		return NULL;
	}
	if (!cJSON_IsObject(m)) {
		cJSON *n = cJSON_CreateObject();

		if (!n || gitops_value_set(k, field, n) < 0) {
			cJSON_Delete(n);
			gitops_err_oom(err);
			return NULL;
		}
		m = n;
	}
	return m;
}

static int put_str(cJSON *o, const char *key, const char *s, size_t n, struct gitops_err *err)
{
	char *d = strndup(s, n);
	cJSON *v = d ? cJSON_CreateString(d) : NULL;

	free(d);
	if (!v || gitops_value_set(o, key, v) < 0) {
		cJSON_Delete(v);
		return gitops_err_oom(err);
	}
	return 0;
}

/*
 * One `edit set image` argument: NAME, NAME=NEWNAME, then :TAG or @DIGEST
 * on the last part (a ':' after the last '/' only: registry ports stay).
 */
static int set_image(cJSON *images, const char *arg, struct gitops_err *err)
{
	const char *eq = strchr(arg, '='), *ref = eq ? eq + 1 : arg, *slash, *at, *colon;
	size_t name_len, ref_name_len;
	const char *tag = NULL, *digest = NULL;
	cJSON *e = NULL, *it;
	char name[512];

	slash = strrchr(ref, '/');
	at = strchr(slash ? slash : ref, '@');
	colon = strchr(slash ? slash : ref, ':');
	if (at) {
		digest = at + 1;
		ref_name_len = (size_t)(at - ref);
	} else if (colon) {
		tag = colon + 1;
		ref_name_len = (size_t)(colon - ref);
	} else {
		ref_name_len = strlen(ref);
	}
	name_len = eq ? (size_t)(eq - arg) : ref_name_len;
	if (!name_len || name_len >= sizeof(name) || (tag && !*tag) || (digest && !*digest))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override images: invalid image '%s'", arg);
	memcpy(name, arg, name_len);
	name[name_len] = 0;
	cJSON_ArrayForEach(it, images)
		if (!strcmp(gitops_json_get_string(it, "name", NULL) ? gitops_json_get_string(it, "name", NULL) : "", name))
			e = it;
	if (!e) {
		if (!(e = cJSON_CreateObject()) || !cJSON_AddItemToArray(images, e) || put_str(e, "name", name, name_len, err))
			return gitops_err_oom(err);
	}
	if (eq && put_str(e, "newName", ref, ref_name_len, err))
		return -1;
	if (tag) {
		cJSON_DeleteItemFromObjectCaseSensitive(e, "digest");
		if (put_str(e, "newTag", tag, strlen(tag), err))
			return -1;
	}
	if (digest) {
		cJSON_DeleteItemFromObjectCaseSensitive(e, "newTag");
		if (put_str(e, "digest", digest, strlen(digest), err))
			return -1;
	}
	return 0;
}

static int cmp_image(const void *a, const void *b)
{
	const char *x = gitops_json_get_string(*(const cJSON *const *)a, "name", NULL);
	const char *y = gitops_json_get_string(*(const cJSON *const *)b, "name", NULL);

	return strcmp(x ? x : "", y ? y : "");
}

/* kustomize edit sorts the images by name */
static int sort_images(cJSON *images, struct gitops_err *err)
{
	size_t n = (size_t)cJSON_GetArraySize(images), i;
	cJSON **v;

	if (n < 2)
		return 0;
	if (!(v = calloc(n, sizeof(*v))))
		return gitops_err_oom(err);
	for (i = 0; i < n; i++)
		v[i] = cJSON_DetachItemFromArray(images, 0);
	qsort(v, n, sizeof(*v), cmp_image);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(images, v[i]);
	free(v);
	return 0;
}

static int set_replicas(cJSON *list, const cJSON *r, struct gitops_err *err)
{
	const char *name = gitops_json_get_string(r, "name", NULL);
	const cJSON *count = gitops_value_get(r, "count"), *it;
	cJSON *e = NULL, *c;
	int64_t n;

	if (!name || !*name)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override replicas: an entry without a name");
	/* Argo CD's count is an integer or a string holding one */
	if (cJSON_IsString(count)) {
		char *end;
		long long v = strtoll(count->valuestring, &end, 10);

		if (!*count->valuestring || *end)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override replicas: count of %s is not a number",
					      name);
		n = v;
	} else if (!count || gitops_value_get_int(&n, count, 0)) {
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override replicas: count of %s is not a number", name);
	}
	cJSON_ArrayForEach(it, list)
		if (gitops_json_get_string(it, "name", NULL) && !strcmp(gitops_json_get_string(it, "name", NULL), name))
			e = (cJSON *)it;
	if (!e && (!(e = cJSON_CreateObject()) || !cJSON_AddItemToArray(list, e) || put_str(e, "name", name, strlen(name), err)))
		return gitops_err_oom(err);
	if (!(c = gitops_value_new_int(n)) || gitops_value_set(e, "count", c) < 0) {
		cJSON_Delete(c);
		return gitops_err_oom(err);
	}
	return 0;
}

/* edit add label/annotation: into commonLabels / commonAnnotations (or a labels entry without selectors) */
static int add_pairs(cJSON *k, const char *field, const cJSON *pairs, int force, int without_selector,
		     int include_templates, struct gitops_err *err)
{
	const char *what = !strcmp(field, "commonLabels") ? "label" : "annotation";
	const cJSON *p;
	cJSON *dst;

	if (!cJSON_IsObject(pairs))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override %s must be a mapping", field);
	if (without_selector) {
		cJSON *labels = list_of(k, "labels", err), *entry;

		if (!labels)
			return -1;
		if (!(entry = cJSON_CreateObject()) || !cJSON_AddItemToArray(labels, entry) ||
		    !(dst = cJSON_AddObjectToObject(entry, "pairs")) ||
		    (include_templates && !cJSON_AddTrueToObject(entry, "includeTemplates")))
			return gitops_err_oom(err);
	} else if (!(dst = map_of(k, field, err))) {
		return -1;
	}
	cJSON_ArrayForEach(p, pairs) {
		char num[64];
		const char *s = cJSON_IsString(p) ? p->valuestring :
				cJSON_IsNumber(p) ? gitops_value_format_number(num, sizeof(num), p) :
				cJSON_IsBool(p) ? (cJSON_IsTrue(p) ? "true" : "false") : NULL;

		if (!s)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override %s: %s must be a string", field,
					      p->string);
		if (!force && gitops_value_get(dst, p->string))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s %s already in kustomization file", what, p->string);
		if (put_str(dst, p->string, s, strlen(s), err))
			return -1;
	}
	return 0;
}

int kz_overrides_apply(cJSON *k, const cJSON *o, struct gitops_err *err)
{
	const cJSON *v, *it;
	size_t i;

	if (!o || cJSON_IsNull(o))
		return 0;
	if (!cJSON_IsObject(o))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize overrides must be a mapping");
	cJSON_ArrayForEach(v, o) {
		for (i = 0; known[i] && strcmp(known[i], v->string); i++)
			;
		if (!known[i])
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize overrides: unknown field \"%s\"", v->string);
	}
	if ((v = gitops_value_get(o, "namePrefix")) && set_string(k, "namePrefix", v, err))
		return -1;
	if ((v = gitops_value_get(o, "nameSuffix")) && set_string(k, "nameSuffix", v, err))
		return -1;
	if ((v = gitops_value_get(o, "images"))) {
		cJSON *images;

		if (!cJSON_IsArray(v))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override images must be a list of strings");
		if (!(images = list_of(k, "images", err)))
			return -1;
		cJSON_ArrayForEach(it, v) {
			if (!cJSON_IsString(it))
				return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override images must be a list of strings");
			if (set_image(images, it->valuestring, err))
				return -1;
		}
		if (sort_images(images, err))
			return -1;
	}
	if ((v = gitops_value_get(o, "replicas"))) {
		cJSON *list;

		if (!cJSON_IsArray(v))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override replicas must be a list");
		if (!(list = list_of(k, "replicas", err)))
			return -1;
		cJSON_ArrayForEach(it, v)
			if (set_replicas(list, it, err))
				return -1;
	}
	if ((v = gitops_value_get(o, "commonLabels")) &&
	    add_pairs(k, "commonLabels", v, cJSON_IsTrue(gitops_value_get(o, "forceCommonLabels")),
		      cJSON_IsTrue(gitops_value_get(o, "labelWithoutSelector")),
		      cJSON_IsTrue(gitops_value_get(o, "labelIncludeTemplates")), err))
		return -1;
	if ((v = gitops_value_get(o, "commonAnnotations")) &&
	    add_pairs(k, "commonAnnotations", v, cJSON_IsTrue(gitops_value_get(o, "forceCommonAnnotations")), 0, 0, err))
		return -1;
	if ((v = gitops_value_get(o, "namespace")) && set_string(k, "namespace", v, err))
		return -1;
	if ((v = gitops_value_get(o, "patches"))) {
		cJSON *list;

		if (!cJSON_IsArray(v))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override patches must be a list");
		if (!(list = list_of(k, "patches", err)))
			return -1;
		cJSON_ArrayForEach(it, v) {
			cJSON *cp = gitops_value_copy(it);

			if (!cJSON_IsObject(it)) {
				cJSON_Delete(cp);
				return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override patches: an entry is not a mapping");
			}
			if (!cp || !cJSON_AddItemToArray(list, cp)) {
				cJSON_Delete(cp);
				return gitops_err_oom(err);
			}
		}
	}
	if ((v = gitops_value_get(o, "components"))) {
		cJSON *list;

		if (!cJSON_IsArray(v))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomize override components must be a list of paths");
		if (!(list = list_of(k, "components", err)))
			return -1;
		cJSON_ArrayForEach(it, v) {
			const cJSON *c;
			int have = 0;
			cJSON *s;

			if (!cJSON_IsString(it))
				return gitops_err_set(err, GITOPS_EXIT_INPUT,
						      "kustomize override components must be a list of paths");
			cJSON_ArrayForEach(c, list)
				have |= cJSON_IsString(c) && !strcmp(c->valuestring, it->valuestring);
			if (have)
				continue;
			if (!(s = cJSON_CreateString(it->valuestring)) || !cJSON_AddItemToArray(list, s)) {
				cJSON_Delete(s);
				return gitops_err_oom(err);
			}
		}
	}
	return 0;
}

int gitops_kustomize_overrides_read(cJSON **out, const char *file, const struct gitops_limits *limits,
				    struct gitops_err *err)
{
	return gitops_yaml_read_mapping_file(out, file, "Argo CD's source.kustomize fields", limits, err);
}
