#include "lib/value/mergepatch.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/value/jsonpatch.h"
#include "lib/value/value.h"

/* Delete every member of map with the key (a tree read from YAML or cJSON may repeat one). */
static void remove_all(cJSON *map, const char *key)
{
	cJSON *c = map->child, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->string && !strcmp(c->string, key))
			cJSON_Delete(cJSON_DetachItemViaPointer(map, c));
	}
}

/* Take the key off a copied member (a copy keeps it), or give it another. 0 or -1. */
static int set_key(cJSON *v, const char *key)
{
	char *k = NULL;

	if (key && !(k = strdup(key)))
		return -1;
	if (!(v->type & cJSON_StringIsConst))
		cJSON_free(v->string);
	v->string = k;
	v->type &= ~cJSON_StringIsConst;
	return 0;
}

/* What patch makes of an absent member: a copy of it, with null members dropped from mappings. */
static cJSON *merged_new(const cJSON *patch);

/* Merge the mapping patch into the mapping obj, in place.  0 or -1 when out of memory. */
static int merge_object(cJSON *obj, const cJSON *patch)
{
	const cJSON *m;

	for (m = patch->child; m; m = m->next) {
		cJSON *have, *v, *dup, *next;

		if (!m->string)
			continue;
		have = gitops_value_get(obj, m->string);
		if (cJSON_IsNull(m)) {
			if (have)
				remove_all(obj, m->string);
			continue;
		}
		/* a repeated key in the target: the first takes the patch, the rest go */
		for (dup = have ? have->next : NULL; dup; dup = next) {
			next = dup->next;
			if (dup->string && !strcmp(dup->string, m->string))
				cJSON_Delete(cJSON_DetachItemViaPointer(obj, dup));
		}
		if (have && cJSON_IsObject(have) && cJSON_IsObject(m)) {
			if (merge_object(have, m) < 0)
				return -1;
			continue;
		}
		if (!(v = merged_new(m)))
			return -1;
		if (have) {
			if (set_key(v, m->string) < 0) {
				cJSON_Delete(v);
				return -1;
			}
			cJSON_ReplaceItemViaPointer(obj, have, v);
		} else if (!cJSON_AddItemToObject(obj, m->string, v)) {
			cJSON_Delete(v);
			return -1;
		}
	}
	return 0;
}

static cJSON *merged_new(const cJSON *patch)
{
	cJSON *o;

	if (!cJSON_IsObject(patch))
		return gitops_value_copy(patch);
	if (!(o = cJSON_CreateObject()))
		return NULL;
	if (merge_object(o, patch) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int gitops_mergepatch_apply(cJSON **doc, const cJSON *patch, struct gitops_err *err)
{
	cJSON *work = NULL;

	if (!patch)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "no merge patch");
	if (cJSON_IsObject(patch) && cJSON_IsObject(*doc)) {
		if (!(work = gitops_value_copy(*doc)))
			return gitops_err_oom(err);
		if (merge_object(work, patch) < 0) {
			cJSON_Delete(work);
			return gitops_err_oom(err);
		}
	} else if (!(work = merged_new(patch))) {
		return gitops_err_oom(err);
	}
	set_key(work, NULL); /* a document is no member, whatever it was copied from */
	cJSON_Delete(*doc);
	*doc = work;
	return 0;
}

/* --- creating --- */

/*
 * Can `to`, set where nothing or something else was, come through a merge
 * patch as it is?  Not when a mapping in it (not inside a sequence) holds
 * a null member.  path is where `to` goes; on failure the error names the member.
 */
static int settable(const cJSON *to, struct gitops_buf *path, struct gitops_err *err)
{
	const cJSON *m;
	size_t len = path->len;

	if (!cJSON_IsObject(to))
		return 0;
	for (m = to->child; m; m = m->next) {
		if (!m->string)
			continue;
		if (gitops_jsonpointer_append(path, m->string) < 0)
			return gitops_err_oom(err);
		if (cJSON_IsNull(m)) {
			char q[256];

			return gitops_err_set(err, GITOPS_EXIT_INPUT,
					      "cannot create a merge patch: %s is null, which a merge patch cannot set",
					      gitops_jsonpointer_quote(q, sizeof(q), path->data));
		}
		if (settable(m, path, err) < 0)
			return -1;
		path->len = len;
		path->data[len] = '\0';
	}
	return 0;
}

static int create(cJSON **out, const cJSON *from, const cJSON *to, struct gitops_buf *path, struct gitops_err *err)
{
	cJSON *patch = NULL, *sub = NULL;
	const cJSON *m;
	size_t len = path->len;
	int error = -1;

	*out = NULL;
	if (!cJSON_IsObject(from) || !cJSON_IsObject(to)) {
		if (settable(to, path, err) < 0)
			return -1;
		if (!(*out = gitops_value_copy(to)))
			return gitops_err_oom(err);
		set_key(*out, NULL);
		return 0;
	}
	if (!(patch = cJSON_CreateObject()))
		return gitops_err_oom(err);
	for (m = from->child; m; m = m->next) {
		if (!m->string || gitops_value_get(to, m->string) || gitops_value_get(patch, m->string))
			continue;
		if (!(sub = cJSON_CreateNull()) || !cJSON_AddItemToObject(patch, m->string, sub)) {
			error = gitops_err_oom(err);
			goto done;
		}
	}
	sub = NULL;
	for (m = to->child; m; m = m->next) {
		const cJSON *was;

		if (!m->string || gitops_value_get(to, m->string) != m)
			continue; /* a repeated key: the first one counts, as when reading */
		was = gitops_value_get(from, m->string);
		if (was && gitops_value_equal(was, m))
			continue;
		if (gitops_jsonpointer_append(path, m->string) < 0) {
			error = gitops_err_oom(err);
			goto done;
		}
		if (cJSON_IsNull(m)) {
			char q[256];

			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "cannot create a merge patch: %s is null, which a merge patch cannot set",
				       gitops_jsonpointer_quote(q, sizeof(q), path->data));
			goto done;
		}
		if (create(&sub, was, m, path, err) < 0)
			goto done;
		path->len = len;
		path->data[len] = '\0';
		if (!cJSON_AddItemToObject(patch, m->string, sub)) {
			error = gitops_err_oom(err);
			goto done;
		}
		sub = NULL;
	}
	*out = patch;
	patch = NULL;
	error = 0;
done:
	cJSON_Delete(sub);
	cJSON_Delete(patch);
	return error;
}

int gitops_mergepatch_create(cJSON **out, const cJSON *from, const cJSON *to, struct gitops_err *err)
{
	struct gitops_buf path = GITOPS_BUF_INIT;
	int error;

	*out = NULL;
	if (!from || !to)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "no document to compare");
	if (gitops_buf_add(&path, "", 0) < 0)
		return gitops_err_oom(err);
	error = create(out, from, to, &path, err);
	gitops_buf_release(&path);
	return error;
}
