#include "lib/sync/compare.h"

#include <stdlib.h>
#include <string.h>

#include "lib/k8s/object.h"
#include "lib/value/value.h"
#include "lib/value/jsonio.h"

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

/* --- normalisation --- */

/* `creationTimestamp: null` in nested metadata (pod templates): noise the API server writes. */
static void strip_null_timestamps(cJSON *node)
{
	cJSON *c;

	cJSON_ArrayForEach(c, node)
	{
		if (c->string && !strcmp(c->string, "metadata") && cJSON_IsObject(c) &&
		    cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(c, "creationTimestamp")))
			cJSON_DeleteItemFromObjectCaseSensitive(c, "creationTimestamp");
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			strip_null_timestamps(c);
	}
}

/* Does the manifest set this (to something other than null)? */
static int manifest_sets(const cJSON *m)
{
	return m && !cJSON_IsNull(m);
}

void gitops_compare_normalize(cJSON *obj, const cJSON *manifest)
{
	static const char *const noise[] = { "managedFields", "resourceVersion", "generation", "uid",
					     "creationTimestamp", "selfLink", NULL };
	const cJSON *mmeta = gitops_json_get(manifest, "metadata", NULL);
	const char *const *k;
	cJSON *meta, *ann;

	if (!cJSON_IsObject(obj))
		return;
	meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (cJSON_IsObject(meta)) {
		for (k = noise; *k; k++)
			if (!manifest_sets(gitops_json_get(mmeta, *k, NULL)))
				cJSON_DeleteItemFromObjectCaseSensitive(meta, *k);
		ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
		if (cJSON_IsObject(ann) && cJSON_GetObjectItemCaseSensitive(ann, LAST_APPLIED) &&
		    !manifest_sets(gitops_json_get(mmeta, "annotations", LAST_APPLIED, NULL))) {
			cJSON_DeleteItemFromObjectCaseSensitive(ann, LAST_APPLIED);
			if (!ann->child)
				cJSON_DeleteItemFromObjectCaseSensitive(meta, "annotations");
		}
	}
	if (!manifest_sets(gitops_json_get(manifest, "status", NULL)))
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
	strip_null_timestamps(obj);
}

/* --- masking --- */

int gitops_compare_is_secret(const cJSON *obj)
{
	const char *av = gitops_json_get_string(obj, "apiVersion", NULL);
	const char *kind = gitops_json_get_string(obj, "kind", NULL);

	return av && kind && !strcmp(av, "v1") && !strcmp(kind, "Secret");
}

/* Replace item (a member of the mapping parent) by the string mask. */
static int set_mask(cJSON *parent, cJSON *item, const char *mask)
{
	cJSON *m = cJSON_CreateString(mask);

	if (!m)
		return -1;
	if (!cJSON_ReplaceItemInObjectCaseSensitive(parent, item->string, m)) {
		cJSON_Delete(m);
		return -1;
	}
	return 0;
}

/* kubectl's rule for one value on each side (either NULL: absent there). */
static int mask_pair(cJSON *pa, cJSON *a, cJSON *pb, cJSON *b)
{
	if (a && b) {
		int same = gitops_value_equal(a, b);
		if (set_mask(pa, a, same ? GITOPS_COMPARE_MASK : GITOPS_COMPARE_MASK_BEFORE) < 0 ||
		    set_mask(pb, b, same ? GITOPS_COMPARE_MASK : GITOPS_COMPARE_MASK_AFTER) < 0)
			return -1;
		return 0;
	}
	if (a)
		return set_mask(pa, a, GITOPS_COMPARE_MASK);
	if (b)
		return set_mask(pb, b, GITOPS_COMPARE_MASK);
	return 0;
}

static cJSON *member(cJSON *parent, const char *key)
{
	cJSON *c = cJSON_IsObject(parent) ? cJSON_GetObjectItemCaseSensitive(parent, key) : NULL;

	return cJSON_IsNull(c) ? NULL : c;
}

/* Mask the values of the mapping `key` of pa and pb (either may be NULL); a value that is no mapping, whole. */
static int mask_field(cJSON *pa, cJSON *pb, const char *key)
{
	cJSON *a = member(pa, key), *b = member(pb, key), *c, *next;

	if ((a && !cJSON_IsObject(a)) || (b && !cJSON_IsObject(b)))
		return mask_pair(pa, a, pb, b);
	for (c = a ? a->child : NULL; c; c = next) {
		next = c->next;
		if (mask_pair(a, c, b, b ? cJSON_GetObjectItemCaseSensitive(b, c->string) : NULL) < 0)
			return -1;
	}
	for (c = b ? b->child : NULL; c; c = next) {
		next = c->next;
		if (!a || !cJSON_GetObjectItemCaseSensitive(a, c->string))
			if (set_mask(b, c, GITOPS_COMPARE_MASK) < 0)
				return -1;
	}
	return 0;
}

/* Put the masked text back into the annotation. */
static int set_annotation_json(cJSON *ann, cJSON *item, const cJSON *json)
{
	char *text;
	cJSON *s;

	if (!ann || !item)
		return 0;
	text = gitops_json_text(json);
	s = text ? cJSON_CreateString(text) : NULL;
	free(text);
	if (!s)
		return -1;
	if (!cJSON_ReplaceItemInObjectCaseSensitive(ann, LAST_APPLIED, s)) {
		cJSON_Delete(s);
		return -1;
	}
	return 0;
}

/* The Secret kubectl apply remembered, values and all, in the last-applied annotation. */
static int mask_last_applied(cJSON *live, cJSON *desired)
{
	cJSON *anna = member(member(live, "metadata"), "annotations");
	cJSON *annb = member(member(desired, "metadata"), "annotations");
	cJSON *a = member(anna, LAST_APPLIED), *b = member(annb, LAST_APPLIED);
	cJSON *ja = cJSON_IsString(a) ? gitops_json_read(a->valuestring, strlen(a->valuestring)) : NULL;
	cJSON *jb = cJSON_IsString(b) ? gitops_json_read(b->valuestring, strlen(b->valuestring)) : NULL;
	int ret;

	if ((a && !cJSON_IsObject(ja)) || (b && !cJSON_IsObject(jb)))
		ret = mask_pair(anna, a, annb, b); /* not JSON: masked whole */
	else
		ret = mask_field(ja, jb, "data") < 0 || mask_field(ja, jb, "stringData") < 0 ||
			      set_annotation_json(anna, a, ja) < 0 || set_annotation_json(annb, b, jb) < 0 ? -1 : 0;
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	return ret;
}

int gitops_compare_mask_secrets(cJSON *live, cJSON *desired)
{
	if (!gitops_compare_is_secret(live) && !gitops_compare_is_secret(desired))
		return 0;
	if (mask_field(live, desired, "data") < 0 || mask_field(live, desired, "stringData") < 0 ||
	    mask_last_applied(live, desired) < 0)
		return -1;
	return 0;
}
