/*
 * merge.c: strategic merge as kustomize applies it (kyaml's merge2 walker
 * with the OpenAPI schema, api/filters/patchstrategicmerge), which is not
 * the API server's (lib/value/smp.c):
 *
 *   - the patch's items come first: a merged associative list is the
 *     patch's items in the patch's order (each merged with the resource's
 *     item of the same key), then the resource's items the patch does not
 *     name; a list of scalars with strategy merge is the union in that order;
 *   - a patch item without the merge key drops itself and every item the
 *     patch does not name (kyaml's walk of the "" key);
 *   - `$retainKeys`, `$setElementOrder/...` and `$deleteFromPrimitiveList/...`
 *     mean nothing: they are fields like any other and stay in the output;
 *   - `$patch` is read only in mappings and in lists the schema merges; in a
 *     list replaced whole, a `{$patch: delete}` item is kept as written;
 *   - `$patch: delete` at the top deletes the resource;
 *   - null deletes a field; a null the resource holds and the patch does
 *     not touch stays;
 *   - lists merge by the schema's x-kubernetes-list-map-keys where given
 *     (container ports by containerPort and protocol), else its merge key;
 *     kinds the schema lacks (custom resources) have every list replaced.
 *
 * Schema facts come from lib/value/smp.h (gitops_smp_lookup); the table is
 * not duplicated.  Ownership: kz_patch.h.
 */
#include "lib/kustomize/kz_patch.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/json.h"
#include "lib/value/value.h"
#include "lib/yaml/scalar.h"
#include "lib/yaml/yaml.h"

struct mstate {
	const struct gitops_smp_schema *schema;
	const char *api_version, *kind;
	struct gitops_err *err;
	int depth;
};

/* merge()'s results besides a tree */
#define M_CLEAR 1

static int has_dot(const char *s)
{
	return strchr(s, '.') != NULL;
}

/* The field facts of `path` (dotted field names from the root); 0 if none known. */
static int facts(struct gitops_smp_field_info *fi, struct mstate *s, const char *path)
{
	if (!s->kind || !*path)
		return 0;
	return gitops_smp_lookup(fi, s->schema, s->api_version, s->kind, path) == 0;
}

static int scalar_text(char *buf, size_t size, const cJSON *v, const char **out)
{
	if (cJSON_IsString(v)) {
		*out = v->valuestring;
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		*out = gitops_value_format_number(buf, size, v);
		return 0;
	}
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v) ? "true" : "false";
		return 0;
	}
	return -1;
}

static int scalars_same(const cJSON *a, const cJSON *b)
{
	char ba[64], bb[64];
	const char *ta, *tb;

	if (scalar_text(ba, sizeof(ba), a, &ta) || scalar_text(bb, sizeof(bb), b, &tb))
		return gitops_value_equal(a, b);
	return !strcmp(ta, tb);
}

/* The `$patch` directive of a mapping: "" none, else its value (error when not a string). */
static int directive(const char **out, const cJSON *patch, struct mstate *s)
{
	const cJSON *d = gitops_value_get(patch, "$patch");

	*out = "";
	if (!d)
		return 0;
	if (!cJSON_IsString(d) || (strcmp(d->valuestring, "merge") && strcmp(d->valuestring, "replace") &&
				   strcmp(d->valuestring, "delete")))
		return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "unknown patch strategy '%s'",
				      cJSON_IsString(d) ? d->valuestring : gitops_json_type_name(d));
	*out = d->valuestring;
	return 0;
}

static int merge(cJSON **out, int *flags, cJSON *dest, int owned, const cJSON *patch, struct gitops_buf *path,
		 struct mstate *s);

/*
 * Merge the members of patch into base, in place: *out is base.  Base is
 * taken over (freed on error) unless `owned` says it lies inside a tree the
 * caller owns and frees.  Its mapping members are merged in place too (the
 * copy made at the top is the only one).
 */
static int merge_members(cJSON **out, cJSON *base, int owned, const cJSON *patch, struct gitops_buf *path,
			 struct mstate *s)
{
	const cJSON *pv;
	size_t old = path->len;
	int rc = -1;

	cJSON_ArrayForEach(pv, patch) {
		cJSON *r = NULL, *d;
		int fl = 0;

		if (!pv->string || !strcmp(pv->string, "$patch"))
			continue;
		path->len = old;
		if (path->data)
			path->data[old] = 0;
		if ((old && gitops_buf_addstr(path, ".")) || gitops_buf_addstr(path, has_dot(pv->string) ? "?" : pv->string)) {
			gitops_err_oom(s->err);
			goto done;
		}
		d = (cJSON *)gitops_value_get(base, pv->string);
		if (merge(&r, &fl, d, 1, pv, path, s))
			goto done;
		if (fl & M_CLEAR) {
			cJSON_DeleteItemFromObjectCaseSensitive(base, pv->string);
			continue;
		}
		if (r == d)
			continue; /* merged in place */
		if (gitops_value_set(base, pv->string, r)) {
			gitops_err_oom(s->err);
			goto done;
		}
	}
	*out = base;
	base = NULL;
	rc = 0;
done:
	path->len = old;
	if (path->data)
		path->data[old] = 0;
	if (!owned)
		cJSON_Delete(base);
	return rc;
}

static int is_absent(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}

/* The merge keys of a list: up to 4, from list-map keys or the merge key. */
struct keys {
	char k[4][128];
	size_t n;
};

/* Does any item of the list carry one of the keys after the first? */
static int has_secondary(const cJSON *list, const struct keys *ks)
{
	const cJSON *e;
	size_t i;

	cJSON_ArrayForEach(e, list)
		for (i = 1; i < ks->n; i++)
			if (cJSON_IsObject(e) && gitops_value_get(e, ks->k[i]))
				return 1;
	return 0;
}

static void split_keys(struct keys *ks, const char *src);

/*
 * The keys items are matched by: the list-map keys (a key an item lacks
 * matches only its absence), else the merge key.  *multi: some item holds a
 * key after the first, where kyaml keeps matched items in the resource's
 * order (new ones first) instead of the patch's.
 */
static void keys_of(struct keys *ks, int *multi, const struct gitops_smp_field_info *fi, const cJSON *dest,
		    const cJSON *patch)
{
	*multi = 0;
	split_keys(ks, *fi->map_keys ? fi->map_keys : fi->merge_key);
	if (ks->n > 1)
		*multi = has_secondary(dest, ks) || has_secondary(patch, ks);
}

static void split_keys(struct keys *ks, const char *src)
{

	ks->n = 0;
	while (*src && ks->n < 4) {
		const char *comma = strchr(src, ',');
		size_t n = comma ? (size_t)(comma - src) : strlen(src);

		if (n >= sizeof(ks->k[0]))
			n = sizeof(ks->k[0]) - 1;
		memcpy(ks->k[ks->n], src, n);
		ks->k[ks->n][n] = 0;
		if (n)
			ks->n++;
		if (!comma)
			break;
		src = comma + 1;
	}
}

static int keyed(const cJSON *e, const struct keys *ks)
{
	return cJSON_IsObject(e) && gitops_value_get(e, ks->k[0]) != NULL;
}

static int same_key(const cJSON *a, const cJSON *b, const struct keys *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++) {
		const cJSON *x = gitops_value_get(a, ks->k[i]), *y = gitops_value_get(b, ks->k[i]);

		if (!x && !y)
			continue;
		if (!x || !y || !scalars_same(x, y))
			return 0;
	}
	return 1;
}

/* Does an item of list share e's first key but hold a different set of the other keys? */
static int conflicting(const cJSON *list, const cJSON *e, const struct keys *ks)
{
	const cJSON *d;
	size_t i;

	cJSON_ArrayForEach(d, list) {
		if (!keyed(d, ks) || !scalars_same(gitops_value_get(d, ks->k[0]), gitops_value_get(e, ks->k[0])))
			continue;
		for (i = 1; i < ks->n; i++)
			if (!gitops_value_get(d, ks->k[i]) != !gitops_value_get(e, ks->k[i]))
				return 1;
	}
	return 0;
}

static int is_directive_item(const cJSON *e)
{
	return cJSON_IsObject(e) && gitops_value_get(e, "$patch") && cJSON_GetArraySize(e) == 1;
}

/* An associative list (the schema merges it): dest NULL when absent. */
static int merge_assoc(cJSON **out, int *flags, const cJSON *dest, const cJSON *patch,
		       const struct gitops_smp_field_info *fi, struct gitops_buf *path, struct mstate *s)
{
	struct keys ks;
	const cJSON *e, *d;
	const char *how = "merge";
	cJSON *res = NULL;
	char *used = NULL;
	cJSON **merged = NULL;
	size_t nd = 0, i;
	int keyless = 0, multi, rc = -1;

	/* a `$patch` item says what to do with the whole list; kyaml reads it only where the resource has one */
	const cJSON *scan = cJSON_IsArray(dest) ? patch : NULL;

	cJSON_ArrayForEach(e, scan) {
		if (is_directive_item(e)) {
			if (directive(&how, e, s))
				goto done;
			break;
		}
	}
	if (!strcmp(how, "delete")) {
		*flags |= M_CLEAR;
		return 0;
	}
	if (!strcmp(how, "replace") || !cJSON_IsArray(dest))
		dest = NULL;
	keys_of(&ks, &multi, fi, dest, patch);
	if (ks.n) {
		/*
		 * kyaml walks an item without the key as the key "": the list it
		 * merges into (the patch itself where the resource has none,
		 * without its `$patch` item where it replaces) then comes out as
		 * its last such item alone.
		 */
		const cJSON *last = NULL, *into = dest ? dest : patch;

		cJSON_ArrayForEach(e, into)
			if (!keyed(e, &ks) && (dest || !how[0] || strcmp(how, "replace") || !is_directive_item(e)))
				last = e;
		if (last) {
			if (!(res = cJSON_CreateArray()) || !cJSON_AddItemToArray(res, gitops_value_copy(last))) {
				gitops_err_oom(s->err);
				goto done;
			}
			*out = res;
			return 0;
		}
	}
	if (dest)
		nd = (size_t)cJSON_GetArraySize(dest);
	if (nd && (!(used = calloc(nd, 1)) || !(merged = calloc(nd, sizeof(*merged))))) {
		gitops_err_oom(s->err);
		goto done;
	}
	if (!(res = cJSON_CreateArray())) {
		gitops_err_oom(s->err);
		goto done;
	}
	cJSON_ArrayForEach(e, patch) {
		const cJSON *match = NULL;
		cJSON *r = NULL;
		int fl = 0;

		if (is_directive_item(e))
			continue;
		if (!ks.n) {
			/* scalars: a union, the patch's first */
			const cJSON *x;
			int dup = 0;

			cJSON_ArrayForEach(x, res)
				if (scalars_same(x, e))
					dup = 1;
			i = 0;
			cJSON_ArrayForEach(d, dest) {
				if (scalars_same(d, e))
					used[i] = 1;
				i++;
			}
			if (dup || cJSON_IsNull(e))
				continue;
			if (!(r = gitops_value_copy(e)) || !cJSON_AddItemToArray(res, r)) {
				cJSON_Delete(r);
				gitops_err_oom(s->err);
				goto done;
			}
			continue;
		}
		if (!keyed(e, &ks)) {
			keyless = 1;
			continue;
		}
		i = 0;
		cJSON_ArrayForEach(d, dest) {
			if (!used[i] && keyed(d, &ks) && same_key(d, e, &ks)) {
				match = d;
				used[i] = 1;
				break;
			}
			i++;
		}
		if (merge(&r, &fl, (cJSON *)match, 0, e, path, s))
			goto done;
		if (!match && multi && conflicting(dest, e, &ks)) {
			/* kyaml loses an item whose keys are a resource item's plus or minus some */
			cJSON_Delete(r);
			continue;
		}
		if (match && multi) {
			/* list-map keys: a matched item stays where the resource has it */
			merged[i] = fl & M_CLEAR ? NULL : r;
			continue;
		}
		if (fl & M_CLEAR)
			continue;
		if (!cJSON_AddItemToArray(res, r)) {
			cJSON_Delete(r);
			gitops_err_oom(s->err);
			goto done;
		}
	}
	if (!keyless) {
		i = 0;
		cJSON_ArrayForEach(d, dest) {
			cJSON *r;

			if (used[i] && merged && merged[i]) {
				cJSON_AddItemToArray(res, merged[i]);
				merged[i] = NULL;
			}
			if (!used[i++]) {
				if (!(r = gitops_value_copy(d)) || !cJSON_AddItemToArray(res, r)) {
					cJSON_Delete(r);
					gitops_err_oom(s->err);
					goto done;
				}
			}
		}
	}
	*out = res;
	res = NULL;
	rc = 0;
done:
	for (i = 0; merged && i < nd; i++)
		cJSON_Delete(merged[i]);
	free(merged);
	free(used);
	cJSON_Delete(res);
	return rc;
}

/* dest is borrowed, or with `owned` a part of the result's tree to merge into in place (then *out == dest) */
static int merge(cJSON **out, int *flags, cJSON *dest, int owned, const cJSON *patch, struct gitops_buf *path,
		 struct mstate *s)
{
	int in_place = 0;
	struct gitops_smp_field_info fi;
	const char *how;
	cJSON *base;

	*out = NULL;
	if (++s->depth > 1000) {
		s->depth--;
		return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "patch nested too deeply");
	}
	s->depth--;
	if (cJSON_IsNull(patch)) {
		*flags |= M_CLEAR;
		return 0;
	}
	if (cJSON_IsObject(patch)) {
		if (!is_absent(dest) && !cJSON_IsObject(dest))
			goto raw; /* the resource's kind decides: a scalar or list is replaced */
		if (directive(&how, patch, s))
			return -1;
		if (!strcmp(how, "delete")) {
			*flags |= M_CLEAR;
			return 0;
		}
		if (!strcmp(how, "replace") || is_absent(dest))
			base = cJSON_CreateObject();
		else if (owned)
			base = dest, in_place = 1;
		else
			base = gitops_value_copy(dest);
		if (!base)
			return gitops_err_oom(s->err);
		s->depth++;
		if (merge_members(out, base, in_place, patch, path, s)) {
			s->depth--;
			return -1;
		}
		s->depth--;
		return 0;
	}
	if (cJSON_IsArray(patch)) {
		if (cJSON_IsObject(dest)) {
			if (!(*out = gitops_value_copy(dest)))
				return gitops_err_oom(s->err);
			return 0;
		}
		if (facts(&fi, s, path->data ? path->data : "") && (fi.strategy & GITOPS_SMP_MERGE) &&
		    fi.shape == GITOPS_SMP_ARRAY) {
			int rc;

			s->depth++;
			rc = merge_assoc(out, flags, dest, patch, &fi, path, s);
			s->depth--;
			return rc;
		}
		goto raw;
	}
	if (cJSON_IsObject(dest)) {
		char buf[64];
		const char *t = "";

		scalar_text(buf, sizeof(buf), patch, &t);
		return gitops_err_set(s->err, GITOPS_EXIT_INPUT,
				      "no implemented strategic merge patch strategy for '%s' ('%s')",
				      cJSON_IsString(patch) ? "!!str" : cJSON_IsBool(patch) ? "!!bool" :
				      (patch->type & GITOPS_VALUE_INT) ? "!!int" : "!!float", t);
	}
raw:
	/* kyaml's VisitScalar keeps the style of what it merges into: a number or boolean merged over a quoted
	 * (or block) scalar is written quoted, a string */
	if (dest && (dest->type & GITOPS_YAML_QUOTED) && (cJSON_IsNumber(patch) || cJSON_IsBool(patch))) {
		char num[64];
		const char *t = cJSON_IsNumber(patch) ? gitops_value_format_number(num, sizeof(num), patch) :
				cJSON_IsTrue(patch)   ? "true" :
							"false";

		if (!(*out = cJSON_CreateString(t)))
			return gitops_err_oom(s->err);
		(*out)->type |= GITOPS_YAML_QUOTED;
		return 0;
	}
	if (!(*out = gitops_value_copy(patch)))
		return gitops_err_oom(s->err);
	return 0;
}

/*
 * kyaml's merge walks the whole resource, not only what the patch names,
 * and what it walks comes out changed (checked against kubectl kustomize):
 *   - every field it sets back into its map: a scalar a replacement left
 *     without a tag is quoted when YAML 1.1 reads it as no string
 *     (kyaml's IsYaml1_1NonString: replaced: 7 reads "7" afterwards, a
 *     date or a word stays plain);
 *   - a list the schema merges by key that holds an item without the key
 *     is walked as the key "" and comes out as its last such item alone,
 *     whether the patch names the list or not (merge_assoc does the same
 *     for the lists it merges);
 *   - items of one key in such a list come out as one, where the first
 *     stood, as the last was;
 *   - the walk goes into the items of such lists that have the key, and
 *     into every mapping, but not into a list's scalars.
 */
static int walked(cJSON *node, struct gitops_buf *path, struct mstate *s)
{
	size_t old = path->len;
	cJSON *c;
	int rc = 0;

	cJSON_ArrayForEach(c, node) {
		struct gitops_smp_field_info fi;
		struct keys ks = { .n = 0 };
		int multi;
		cJSON *e, *last = NULL;

		if (cJSON_IsString(c) && (c->type & KZ_TAGLESS)) {
			struct gitops_scalar sc;

			/* quoted where YAML 1.1 would read it as no string (7, yes, 1.5, ~); a date or a word stays plain */
			gitops_scalar_resolve(c->valuestring, strlen(c->valuestring), &sc);
			if (*c->valuestring && sc.kind != GITOPS_SCALAR_STRING)
				c->type &= ~KZ_TAGLESS;
			continue;
		}
		if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
			continue;
		path->len = old;
		if ((old && gitops_buf_add(path, ".", 1) < 0) || gitops_buf_addstr(path, c->string) < 0)
			return gitops_err_oom(s->err);
		if (cJSON_IsObject(c)) {
			if (walked(c, path, s) < 0)
				return -1;
			continue;
		}
		if (facts(&fi, s, path->data) && (fi.strategy & GITOPS_SMP_MERGE) && fi.shape == GITOPS_SMP_ARRAY)
			keys_of(&ks, &multi, &fi, c, NULL);
		if (ks.n) {
			cJSON_ArrayForEach(e, c)
				if (!keyed(e, &ks))
					last = e;
			if (last) {
				/* the list as its last keyless item */
				while (c->child && c->child != last)
					cJSON_Delete(cJSON_DetachItemViaPointer(c, c->child));
				while (last->next)
					cJSON_Delete(cJSON_DetachItemViaPointer(c, last->next));
				continue;
			}
		}
		/* items of one key: one stays where the first was, as the last one is (kyaml's element setter) */
		for (e = ks.n ? c->child : NULL; e; e = e->next) {
			cJSON *f, *nf, *dup = NULL;

			for (f = e->next; f; f = f->next)
				if (keyed(f, &ks) && same_key(e, f, &ks))
					dup = f;
			if (!dup)
				continue;
			for (f = e->next; f != dup; f = nf) {
				nf = f->next;
				if (keyed(f, &ks) && same_key(e, f, &ks))
					cJSON_Delete(cJSON_DetachItemViaPointer(c, f));
			}
			cJSON_DetachItemViaPointer(c, dup);
			cJSON_ReplaceItemViaPointer(c, e, dup);
			e = dup;
		}
		cJSON_ArrayForEach(e, c)
			if (cJSON_IsObject(e) && walked(e, path, s) < 0)
				return -1;
	}
	path->len = old;
	if (path->data)
		path->data[old] = 0;
	return rc;
}

int kz_merge(cJSON **out, const cJSON *doc, const cJSON *patch, const struct gitops_smp_schema *schema,
	     struct gitops_err *err)
{
	struct mstate s = { schema, NULL, NULL, err, 0 };
	struct gitops_buf path = GITOPS_BUF_INIT;
	cJSON *r = NULL, *copy = NULL;
	int fl = 0, rc = -1;

	*out = NULL;
	s.api_version = gitops_json_get_string(doc, "apiVersion", NULL);
	s.kind = gitops_json_get_string(doc, "kind", NULL);
	if (!cJSON_IsObject(doc) || !cJSON_IsObject(patch)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "a strategic merge patch must be a mapping");
		goto done;
	}
	if (gitops_buf_addstr(&path, "")) {
		gitops_err_oom(err);
		goto done;
	}
	/* the one copy of the resource, merged into in place */
	if (!(copy = gitops_value_copy(doc))) {
		gitops_err_oom(err);
		goto done;
	}
	if (merge(&r, &fl, copy, 1, patch, &path, &s))
		goto done;
	if (r != copy)
		cJSON_Delete(copy);
	copy = NULL;
	if (fl & M_CLEAR) {
		cJSON_Delete(r);
		r = NULL;
	}
	path.len = 0;
	if (r && walked(r, &path, &s) < 0) {
		cJSON_Delete(r);
		goto done;
	}
	*out = r;
	rc = 0;
done:
	cJSON_Delete(copy);
	gitops_buf_release(&path);
	return rc;
}
