/*
 * jsonschema_compile.c: a schema tree compiled into nodes as gojsonschema
 * v1.2.0 parses it (see jsonschema.h): its documents and their ids walked
 * as gojsonschema's schema pool does, refs made absolute and resolved (a
 * fetch callback for remote documents, the built-in meta-schemas), every
 * keyword checked with gojsonschema's schema error texts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/regex.h"
#include "lib/value/jsonio.h"
#include "lib/value/jsonschema.h"
#include "lib/value/jsonschema_int.h"
#include "lib/value/value.h"

static const char *const type_names[] = { "array", "boolean", "integer", "number", "null", "object", "string" };
static const size_t type_lens[] = { 5, 7, 7, 6, 4, 6, 6 };

struct js_cc {
	struct gitops_jsonschema *s;
	gitops_jsonschema_fetch_fn fetch;
	void *ctx;
	struct gitops_err *err;
};


static int schema_err(struct js_cc *cc, const char *fmt, const char *a, const char *b)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, a ? a : "", b ? b : "");
	return gitops_err_set(cc->err, GITOPS_EXIT_INPUT, "%s", msg);
}

/* ------------------------------------------------------------------ */
/* the memo: compiled nodes by schema subtree */

static struct js_node *memo_get(const struct gitops_jsonschema *s, const cJSON *key)
{
	size_t i;

	if (!s->capmemo)
		return NULL;
	i = ((uintptr_t)key >> 4) * 0x9E3779B97F4A7C15ull & (s->capmemo - 1);
	for (; s->memo[i].key; i = (i + 1) & (s->capmemo - 1))
		if (s->memo[i].key == key)
			return s->memo[i].node;
	return NULL;
}

static int memo_put(struct gitops_jsonschema *s, const cJSON *key, struct js_node *node)
{
	size_t i;

	if ((s->nmemo + 1) * 2 > s->capmemo) {
		size_t ncap = s->capmemo ? s->capmemo * 2 : 64, j;
		struct js_memo *nm = calloc(ncap, sizeof(*nm));

		if (!nm)
			return -1;
		for (j = 0; j < s->capmemo; j++) {
			if (!s->memo[j].key)
				continue;
			i = ((uintptr_t)s->memo[j].key >> 4) * 0x9E3779B97F4A7C15ull & (ncap - 1);
			while (nm[i].key)
				i = (i + 1) & (ncap - 1);
			nm[i] = s->memo[j];
		}
		free(s->memo);
		s->memo = nm;
		s->capmemo = ncap;
	}
	i = ((uintptr_t)key >> 4) * 0x9E3779B97F4A7C15ull & (s->capmemo - 1);
	while (s->memo[i].key)
		i = (i + 1) & (s->capmemo - 1);
	s->memo[i].key = key;
	s->memo[i].node = node;
	s->nmemo++;
	return 0;
}

static struct js_node *node_new(struct gitops_jsonschema *s)
{
	struct js_node *n;

	if (js_grow((void **)&s->nodes, &s->capnodes, s->nnodes + 1, sizeof(*s->nodes)) < 0)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->pass = -1;
	n->addprops_bool = -1;
	n->additems_bool = -1;
	n->min_length = n->max_length = n->min_props = n->max_props = n->min_items = n->max_items = -1;
	s->nodes[s->nnodes++] = n;
	return n;
}

/* Most of a node's parts are unset: no call for those. */
static inline void xfree(void *p)
{
	if (p)
		free(p);
}

static void node_free(struct js_node *n)
{
	size_t i, j;

	xfree(n->props); /* the names are the tree's */
	xfree(n->props_sorted);
	for (i = 0; i < n->npprops; i++) {
		xfree(n->pprops[i].pattern);
		gitops_regex_free(n->pprops[i].re);
	}
	xfree(n->pprops);
	for (i = 0; i < n->ndeps; i++) {
		xfree(n->deps[i].name);
		for (j = 0; j < n->deps[i].nkeys; j++)
			xfree(n->deps[i].keys[j]);
		xfree(n->deps[i].keys);
	}
	xfree(n->deps);
	xfree(n->items.v);
	xfree(n->all_of.v);
	xfree(n->any_of.v);
	xfree(n->one_of.v);
	xfree(n->multiple_of);
	xfree(n->maximum);
	xfree(n->exclusive_maximum);
	xfree(n->minimum);
	xfree(n->exclusive_minimum);
	if (n->pattern)
		gitops_regex_free(n->pattern);
	xfree(n->format);
	for (i = 0; i < n->nrequired; i++)
		xfree(n->required[i]);
	xfree(n->required);
	xfree(n->constant);
	for (i = 0; i < n->nenums; i++)
		xfree(n->enums[i]);
	xfree(n->enums);
	xfree(n->enum_text);
	free(n);
}

void gitops_jsonschema_free(struct gitops_jsonschema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nnodes; i++)
		node_free(s->nodes[i]);
	free(s->nodes);
	for (i = 0; i < s->ndocs; i++) {
		free(s->docs[i].uri);
		if (s->docs[i].pool)
			gitops_json_pool_free(s->docs[i].pool);
		else
			cJSON_Delete(s->docs[i].tree);
	}
	free(s->docs);
	for (i = 0; i < s->nids; i++)
		free(s->ids[i].uri);
	free(s->ids);
	free(s->memo);
	free(s);
}

/* ------------------------------------------------------------------ */
/* the keywords of one schema object, found in one walk over its members */

enum {
	K_ID,
	K_DOLLAR_ID,
	K_DOLLAR_REF,
	K_DEFINITIONS,
	K_TITLE,
	K_DESCRIPTION,
	K_TYPE,
	K_PROPERTIES,
	K_ADDITIONAL_PROPERTIES,
	K_PATTERN_PROPERTIES,
	K_PROPERTY_NAMES,
	K_DEPENDENCIES,
	K_ITEMS,
	K_ADDITIONAL_ITEMS,
	K_MULTIPLE_OF,
	K_MINIMUM,
	K_EXCLUSIVE_MINIMUM,
	K_MAXIMUM,
	K_EXCLUSIVE_MAXIMUM,
	K_MIN_LENGTH,
	K_MAX_LENGTH,
	K_PATTERN,
	K_FORMAT,
	K_MIN_PROPERTIES,
	K_MAX_PROPERTIES,
	K_REQUIRED,
	K_MIN_ITEMS,
	K_MAX_ITEMS,
	K_UNIQUE_ITEMS,
	K_CONTAINS,
	K_CONST,
	K_ENUM,
	K_ONE_OF,
	K_ANY_OF,
	K_ALL_OF,
	K_NOT,
	K_IF,
	K_THEN,
	K_ELSE,
	K_N
};

static const char *const kw_names[K_N] = {
	[K_ID] = "id",
	[K_DOLLAR_ID] = "$id",
	[K_DOLLAR_REF] = "$ref",
	[K_DEFINITIONS] = "definitions",
	[K_TITLE] = "title",
	[K_DESCRIPTION] = "description",
	[K_TYPE] = "type",
	[K_PROPERTIES] = "properties",
	[K_ADDITIONAL_PROPERTIES] = "additionalProperties",
	[K_PATTERN_PROPERTIES] = "patternProperties",
	[K_PROPERTY_NAMES] = "propertyNames",
	[K_DEPENDENCIES] = "dependencies",
	[K_ITEMS] = "items",
	[K_ADDITIONAL_ITEMS] = "additionalItems",
	[K_MULTIPLE_OF] = "multipleOf",
	[K_MINIMUM] = "minimum",
	[K_EXCLUSIVE_MINIMUM] = "exclusiveMinimum",
	[K_MAXIMUM] = "maximum",
	[K_EXCLUSIVE_MAXIMUM] = "exclusiveMaximum",
	[K_MIN_LENGTH] = "minLength",
	[K_MAX_LENGTH] = "maxLength",
	[K_PATTERN] = "pattern",
	[K_FORMAT] = "format",
	[K_MIN_PROPERTIES] = "minProperties",
	[K_MAX_PROPERTIES] = "maxProperties",
	[K_REQUIRED] = "required",
	[K_MIN_ITEMS] = "minItems",
	[K_MAX_ITEMS] = "maxItems",
	[K_UNIQUE_ITEMS] = "uniqueItems",
	[K_CONTAINS] = "contains",
	[K_CONST] = "const",
	[K_ENUM] = "enum",
	[K_ONE_OF] = "oneOf",
	[K_ANY_OF] = "anyOf",
	[K_ALL_OF] = "allOf",
	[K_NOT] = "not",
	[K_IF] = "if",
	[K_THEN] = "then",
	[K_ELSE] = "else",
};

/* kw_slot[hash]: 1 + the keyword with that hash (see kw_of), 0 for none */
static const unsigned char kw_slot[128] = {
	[2] = 1 + K_NOT,
	[3] = 1 + K_THEN,
	[5] = 1 + K_IF,
	[6] = 1 + K_ALL_OF,
	[7] = 1 + K_MIN_ITEMS,
	[10] = 1 + K_CONTAINS,
	[11] = 1 + K_ADDITIONAL_PROPERTIES,
	[12] = 1 + K_DOLLAR_ID,
	[13] = 1 + K_MAX_ITEMS,
	[15] = 1 + K_ADDITIONAL_ITEMS,
	[20] = 1 + K_PATTERN_PROPERTIES,
	[22] = 1 + K_MINIMUM,
	[27] = 1 + K_FORMAT,
	[28] = 1 + K_MIN_LENGTH,
	[32] = 1 + K_EXCLUSIVE_MINIMUM,
	[39] = 1 + K_TYPE,
	[44] = 1 + K_PROPERTY_NAMES,
	[47] = 1 + K_DOLLAR_REF,
	[49] = 1 + K_TITLE,
	[61] = 1 + K_MAXIMUM,
	[62] = 1 + K_REQUIRED,
	[67] = 1 + K_ANY_OF,
	[72] = 1 + K_EXCLUSIVE_MAXIMUM,
	[73] = 1 + K_CONST,
	[90] = 1 + K_MIN_PROPERTIES,
	[91] = 1 + K_MAX_LENGTH,
	[92] = 1 + K_ONE_OF,
	[93] = 1 + K_DEPENDENCIES,
	[96] = 1 + K_DEFINITIONS,
	[97] = 1 + K_PATTERN,
	[99] = 1 + K_ENUM,
	[103] = 1 + K_ID,
	[104] = 1 + K_ITEMS,
	[105] = 1 + K_MULTIPLE_OF,
	[109] = 1 + K_MAX_PROPERTIES,
	[110] = 1 + K_PROPERTIES,
	[113] = 1 + K_DESCRIPTION,
	[118] = 1 + K_ELSE,
	[124] = 1 + K_UNIQUE_ITEMS,
};

/* The keyword a member name is, or -1. */
static int kw_of(const char *k)
{
	const unsigned char *p;
	uint32_t x = 0;
	int i;

	for (p = (const unsigned char *)k; *p; p++)
		x = x * 357u + *p;
	i = kw_slot[(uint32_t)(x * 0x9E3779B1u) >> 25] - 1;
	return i >= 0 && strcmp(kw_names[i], k) == 0 ? i : -1;
}

/* kw[K_...]: the member of that name, the last of repeated ones (as js_member finds it), or NULL. */
static void keywords(const cJSON *kw[K_N], const cJSON *m)
{
	const cJSON *c;
	int i;

	memset(kw, 0, K_N * sizeof(*kw));
	for (c = m->child; c; c = c->next)
		if (c->string && (i = kw_of(c->string)) >= 0)
			kw[i] = c;
}

/* The id member and its name as id_key chooses it. */
static const cJSON *kw_id(const cJSON *const kw[K_N], int draft, const char **key)
{
	if (draft == D4 || (draft == DHYBRID && kw[K_ID])) {
		*key = "id";
		return kw[K_ID];
	}
	*key = "$id";
	return kw[K_DOLLAR_ID];
}

/* ------------------------------------------------------------------ */
/* documents, ids and refs */

static int draft_of(const cJSON *root)
{
	const cJSON *sch;
	const char *u;
	size_t n;

	if (!js_is_obj(root) || !(sch = js_member(root, "$schema")) || !cJSON_IsString(sch))
		return 0;
	u = sch->valuestring;
	n = strlen(u);
	if (n && u[n - 1] == '#')
		n--;
	if (n == 38 && strncmp(u, "http://json-schema.org/draft-04/schema", n) == 0)
		return D4;
	if (n == 38 && strncmp(u, "http://json-schema.org/draft-06/schema", n) == 0)
		return D6;
	if (n == 38 && strncmp(u, "http://json-schema.org/draft-07/schema", n) == 0)
		return D7;
	return 0;
}

static const char *id_key(const cJSON *obj, int draft)
{
	if (draft == D4)
		return "id";
	if (draft == DHYBRID && js_member(obj, "id"))
		return "id";
	return "$id";
}

static int add_id(struct gitops_jsonschema *s, char *uri, const cJSON *node, int doc)
{
	size_t n = strlen(uri);

	if (n && uri[n - 1] == '#')
		uri[n - 1] = '\0';
	if (js_grow((void **)&s->ids, &s->capids, s->nids + 1, sizeof(*s->ids)) < 0) {
		free(uri);
		return -1;
	}
	s->ids[s->nids].uri = uri;
	s->ids[s->nids].node = node;
	s->ids[s->nids].doc = doc;
	s->nids++;
	return 0;
}

static int id_known(const struct gitops_jsonschema *s, const char *uri)
{
	size_t i, n = strlen(uri);

	if (n && uri[n - 1] == '#')
		n--;
	for (i = 0; i < s->nids; i++)
		if (strlen(s->ids[i].uri) == n && strncmp(s->ids[i].uri, uri, n) == 0)
			return 1;
	return 0;
}

/*
 * Walk a document as gojsonschema's schema pool does: every object's id
 * ("id" when it has one, else "$id", whatever the draft) registered once,
 * resolved against the ids around it; every "$ref" string rewritten to the
 * absolute reference against the same base (its own object's id included).
 * const and enum are values, not schemas; the maps of properties,
 * patternProperties and dependencies are walked through their values.
 */
static int index_ids(struct gitops_jsonschema *s, cJSON *v, const char *base, int doc, int depth)
{
	cJSON *id, *dollar_id, *ref, *c, *g;
	char *local = NULL;
	int rc = 0;

	if (depth > JS_MAX_DEPTH)
		return 0;
	if (cJSON_IsArray(v)) {
		for (c = v->child; c && rc == 0; c = c->next)
			rc = index_ids(s, c, base, doc, depth + 1);
		return rc;
	}
	if (!js_is_obj(v))
		return 0;
	/* "id", else "$id"; and "$ref": the last of repeated names, as js_member finds them */
	id = dollar_id = ref = NULL;
	for (c = v->child; c; c = c->next) {
		const char *k = c->string;

		if (k[0] == 'i' && k[1] == 'd' && !k[2])
			id = c;
		else if (k[0] == '$' && strcmp(k, "$id") == 0)
			dollar_id = c;
		else if (k[0] == '$' && strcmp(k, "$ref") == 0)
			ref = c;
	}
	if (!id)
		id = dollar_id;
	if (id && cJSON_IsString(id)) {
		char *copy;

		if (!(local = js_uri_resolve(base, id->valuestring)))
			return -1;
		if (id_known(s, local)) {
			free(local);
			return 0; /* "Reference already exists": gojsonschema stops here */
		}
		if (!(copy = strdup(local)) || add_id(s, copy, v, doc) < 0) {
			free(local);
			return -1;
		}
		base = local;
	}
	if (ref && cJSON_IsString(ref)) {
		char *abs = js_uri_resolve(base, ref->valuestring), *set = NULL;
		struct gitops_json_pool *pool = s->docs[doc].pool;

		/* a tree in a pool takes no string from cJSON (it would free the old one) */
		if (abs)
			set = pool ? (ref->valuestring = gitops_json_pool_strdup(pool, abs)) : cJSON_SetValuestring(ref, abs);
		free(abs);
		if (!set) {
			free(local);
			return -1;
		}
	}
	for (c = v->child; c && rc == 0; c = c->next) {
		int k;

		if (!c->child)
			continue; /* no object below */
		k = kw_of(c->string);
		if (k == K_CONST || k == K_ENUM)
			continue;
		if ((k == K_PROPERTIES || k == K_DEPENDENCIES || k == K_PATTERN_PROPERTIES) && js_is_obj(c)) {
			for (g = c->child; g && rc == 0; g = g->next)
				rc = index_ids(s, g, base, doc, depth + 1);
		} else {
			rc = index_ids(s, c, base, doc, depth + 1);
		}
	}
	free(local);
	return rc;
}

/* The tree (and its pool, when it has one) is the schema's on every path. */
static int add_doc(struct gitops_jsonschema *s, const char *uri, cJSON *tree, struct gitops_json_pool *pool, int draft)
{
	struct js_doc *d;
	char *u = strdup(uri), *u2;

	if (!u || js_grow((void **)&s->docs, &s->capdocs, s->ndocs + 1, sizeof(*s->docs)) < 0) {
		free(u);
		if (pool)
			gitops_json_pool_free(pool);
		else
			cJSON_Delete(tree);
		return -1;
	}
	d = &s->docs[s->ndocs];
	d->uri = u;
	d->tree = tree;
	d->pool = pool;
	d->draft = draft_of(tree) ? draft_of(tree) : draft;
	s->ndocs++;
	if (index_ids(s, tree, uri, (int)s->ndocs - 1, 0) < 0)
		return -1;
	/* the document itself last: it wins over an id with its own address */
	if (!(u2 = strdup(uri)) || add_id(s, u2, tree, (int)s->ndocs - 1) < 0)
		return -1;
	return 0;
}

/* Follow a JSON pointer fragment (percent-decoded here) from node, its base updated by the ids passed; on a
 * miss, why in why[] as gojsonpointer says it. */
static const cJSON *follow_pointer(const cJSON *node, const char *frag, char **base, int draft, char *why,
				   size_t whylen)
{
	char *dec = js_percent_decode(frag), *p, *seg;
	const cJSON *cur = node;

	if (!dec)
		return NULL;
	p = dec;
	if (*p == '\0') {
		free(dec);
		return cur;
	}
	if (*p != '/') {
		/* gojsonreference drops a pointer it cannot parse: the whole document */
		free(dec);
		return cur;
	}
	while (cur && *p == '/') {
		char *end, *w, *r;

		seg = ++p;
		end = strchr(seg, '/');
		if (end)
			*end = '\0';
		for (r = w = seg; *r; r++) {
			if (*r == '~' && r[1] == '0') {
				*w++ = '~';
				r++;
			} else if (*r == '~' && r[1] == '1') {
				*w++ = '/';
				r++;
			} else {
				*w++ = *r;
			}
		}
		*w = '\0';
		if (cJSON_IsArray(cur)) {
			char *e;
			long i = strtol(seg, &e, 10);
			long n = cJSON_GetArraySize(cur);
			const cJSON *c = NULL;

			if (!*seg || *e)
				snprintf(why, whylen, "Invalid array index '%s'", seg);
			else if (i < 0 || i >= n)
				snprintf(why, whylen, "Out of bound array[0,%ld] index '%ld'", n, i);
			else
				for (c = cur->child; c && i > 0; i--)
					c = c->next;
			cur = c;
		} else if (js_is_obj(cur)) {
			const cJSON *c = js_member(cur, seg);

			if (!c)
				snprintf(why, whylen, "Object has no key '%s'", seg);
			cur = c;
		} else {
			snprintf(why, whylen, "Invalid token reference '%s'", seg);
			cur = NULL;
		}
		if (cur && js_is_obj(cur) && !js_member(cur, "$ref")) {
			const cJSON *id = js_member(cur, id_key(cur, draft));

			if (id && cJSON_IsString(id)) {
				char *nb = js_uri_resolve(*base, id->valuestring);

				if (nb) {
					free(*base);
					*base = nb;
				}
			}
		}
		if (!end)
			break;
		*end = '/';
		p = end;
	}
	free(dec);
	return cur;
}

static struct js_node *compile_node(struct js_cc *cc, const cJSON *v, const char *base, int draft, int depth);

/* Resolve and compile a $ref (absolute uri) to its target. */
static struct js_node *compile_ref(struct js_cc *cc, const char *uri, int draft, int depth)
{
	struct gitops_jsonschema *s = cc->s;
	const char *hash = strchr(uri, '#');
	size_t dlen = hash ? (size_t)(hash - uri) : strlen(uri);
	const char *frag = hash ? hash + 1 : "";
	char *docuri = strndup(uri, dlen), *base = NULL;
	const cJSON *target = NULL;
	struct js_node *n = NULL;
	size_t i;
	int tries, tdraft = draft;
	char why[512];

	if (!docuri) {
		gitops_err_oom(cc->err);
		return NULL;
	}
	/* a location-independent identifier ("#foo") first */
	if (*frag) {
		for (i = s->nids; i-- > 0;)
			if (strcmp(s->ids[i].uri, uri) == 0) {
				target = s->ids[i].node;
				base = strdup(uri);
				tdraft = s->docs[s->ids[i].doc].draft ? s->docs[s->ids[i].doc].draft : draft;
				break;
			}
	}
	for (tries = 0; !target && tries < 2; tries++) {
		for (i = s->nids; i-- > 0;) {
			if (strcmp(s->ids[i].uri, docuri) != 0)
				continue;
			tdraft = s->docs[s->ids[i].doc].draft ? s->docs[s->ids[i].doc].draft : draft;
			if (!(base = strdup(docuri)))
				break;
			why[0] = '\0';
			target = follow_pointer(s->ids[i].node, frag, &base, tdraft, why, sizeof(why));
			if (!target) {
				if (!why[0])
					snprintf(why, sizeof(why), "Invalid JSON pointer '%s'", frag);
				gitops_err_set(cc->err, GITOPS_EXIT_INPUT, "%s", why);
				goto done;
			}
			break;
		}
		if (target || tries)
			break;
		if (js_meta_schema(docuri)) {
			const char *text = js_meta_schema(docuri);
			cJSON *tree = gitops_json_read(text, strlen(text));

			if (!tree || add_doc(s, docuri, tree, NULL, draft) < 0) {
				gitops_err_oom(cc->err);
				goto done;
			}
			continue;
		}
		if (!cc->fetch || !*docuri) {
			if (*docuri)
				/* Go's url.ResolveReference against an empty base gives a rooted path */
				gitops_err_set(cc->err, GITOPS_EXIT_INPUT, "Reference %s%s must be canonical",
					       strchr(uri, ':') || uri[0] == '/' ? "" : "/", uri);
			else
				schema_err(cc, "Object has no key '%s'", frag, NULL);
			goto done;
		}
		{
			cJSON *tree = NULL;

			if (cc->fetch(cc->ctx, docuri, &tree, cc->err) < 0)
				goto done;
			if (!tree) {
				gitops_err_set(cc->err, GITOPS_EXIT_INPUT, "%s: no document", docuri);
				goto done;
			}
			if (add_doc(s, docuri, tree, NULL, draft) < 0) {
				gitops_err_oom(cc->err);
				goto done;
			}
		}
	}
	if (!target) {
		if (!cc->err->msg[0])
			schema_err(cc, "Object has no key '%s'", frag, NULL);
		goto done;
	}
	if (!js_is_obj(target) && !js_is_bool(target)) {
		gitops_err_set(cc->err, GITOPS_EXIT_INPUT, "valid schema must be of type object");
		goto done;
	}
	n = compile_node(cc, target, base ? base : docuri, tdraft, depth + 1);
done:
	free(docuri);
	free(base);
	return n;
}

/* ------------------------------------------------------------------ */
/* compiling one schema object */

static int type_add(struct js_cc *cc, struct js_node *n, const char *t)
{
	int i;

	/* the names differ in their first two bytes */
	for (i = 0; i < 7; i++)
		if (t[0] == type_names[i][0] && t[0] && t[1] == type_names[i][1] && strcmp(t, type_names[i]) == 0)
			break;
	if (i == 7) {
		char given[256];

		snprintf(given, sizeof(given), "/%s/", t);
		return schema_err(cc, "has a primitive type that is NOT VALID -- given: %s Expected valid values "
				      "are:[array boolean integer number null object string]", given, NULL);
	}
	if (n->types & (1u << i))
		return schema_err(cc, "%s type is duplicated", t, NULL);
	n->types |= 1u << i;
	{
		/* at most the seven names, each once: it fits */
		size_t len = strlen(n->type_text), tl = type_lens[i];

		if (len)
			n->type_text[len++] = ',';
		memcpy(n->type_text + len, type_names[i], tl + 1);
	}
	return 0;
}

static int get_int(struct js_cc *cc, const cJSON *v, const char *key, long *out)
{
	int64_t i;

	if (!cJSON_IsNumber(v) || !(v->type & GITOPS_VALUE_INT) || gitops_value_get_int(&i, v, 0) < 0 ||
	    i > INT32_MAX || i < INT32_MIN)
		return schema_err(cc, "%s must be of an %s", key, "integer");
	if (i < 0)
		return schema_err(cc, "%s must be greater than or equal to 0", key, NULL);
	*out = (long)i;
	return 0;
}

static int get_num(struct js_cc *cc, const cJSON *v, const char *key, const char *fmt, struct js_num **out)
{
	if (!cJSON_IsNumber(v))
		return schema_err(cc, fmt, key, "number");
	if (!(*out = malloc(sizeof(**out))))
		return gitops_err_oom(cc->err);
	js_num_from_node(*out, v);
	return 0;
}

static int compile_list(struct js_cc *cc, struct js_list *l, const cJSON *arr, const char *key, const char *base,
			int draft, int depth)
{
	const cJSON *c;
	size_t n = 0, i = 0;

	if (!cJSON_IsArray(arr))
		return schema_err(cc, "%s must be of an %s", key, "array");
	for (c = arr->child; c; c = c->next)
		n++;
	if (!(l->v = calloc(n ? n : 1, sizeof(*l->v))))
		return gitops_err_oom(cc->err);
	for (c = arr->child; c; c = c->next) {
		if (!(l->v[i++] = compile_node(cc, c, base, draft, depth + 1)))
			return -1;
		l->n = i;
	}
	return 0;
}

static int sub(struct js_cc *cc, struct js_node **out, const cJSON *v, const char *base, int draft, int depth)
{
	return (*out = compile_node(cc, v, base, draft, depth + 1)) ? 0 : -1;
}

static int canon(struct js_cc *cc, char **out, const cJSON *v)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	int rc = js_canonical(&b, v);

	if (rc < 0) {
		gitops_buf_release(&b);
		if (rc == -2)
			return gitops_err_set(cc->err, GITOPS_EXIT_INPUT, "const/enum value nested deeper than %d levels",
					      JS_CANON_MAX_DEPTH);
		return gitops_err_oom(cc->err);
	}
	*out = gitops_buf_detach(&b);
	return *out ? 0 : gitops_err_oom(cc->err);
}

struct name_at {
	const char *name;
	size_t at;
};

static int cmp_name_at(const void *a, const void *b)
{
	return strcmp(((const struct name_at *)a)->name, ((const struct name_at *)b)->name);
}

/* props_sorted: the indexes of props in name order (no shared state: compiles may run in threads) */
static int sort_props(struct js_node *n)
{
	struct name_at *v;
	size_t i;

	/* schemas often list their properties sorted: props_sorted is then the identity it starts as */
	for (i = 1; i < n->nprops && strcmp(n->props[i - 1].name, n->props[i].name) < 0; i++)
		;
	if (i >= n->nprops)
		return 0;
	if (!(v = malloc(n->nprops * sizeof(*v))))
		return -1;
	for (i = 0; i < n->nprops; i++) {
		v[i].name = n->props[i].name;
		v[i].at = i;
	}
	qsort(v, n->nprops, sizeof(*v), cmp_name_at);
	for (i = 0; i < n->nprops; i++)
		n->props_sorted[i] = v[i].at;
	free(v);
	return 0;
}

static int compile_body(struct js_cc *cc, struct js_node *n, const cJSON *const kw[K_N], const char *base, int draft,
			int depth)
{
	const cJSON *k, *c;
	char *nb = NULL;
	int rc = -1;
	const char *key;

	/* id */
	if ((k = kw_id(kw, draft, &key))) {
		if (!cJSON_IsString(k))
			return schema_err(cc, "Invalid type. Expected: %s, given: %s", "string", key);
		if (!(nb = js_uri_resolve(base, k->valuestring)))
			return gitops_err_oom(cc->err);
		base = nb;
	}
	/* definitions: compiled for their errors */
	if ((k = kw[K_DEFINITIONS])) {
		if (!js_is_obj(k)) {
			schema_err(cc, "Invalid type. Expected: %s, given: %s", "array of schemas", "definitions");
			goto done;
		}
		for (c = k->child; c; c = c->next) {
			if (!js_is_obj(c) && !js_is_bool(c)) {
				schema_err(cc, "Invalid type. Expected: %s, given: %s", "array of schemas", "definitions");
				goto done;
			}
			if (!compile_node(cc, c, base, draft, depth + 1))
				goto done;
		}
	}
	if ((k = kw[K_TITLE]) && !cJSON_IsString(k)) {
		schema_err(cc, "Invalid type. Expected: %s, given: %s", "string", "title");
		goto done;
	}
	if ((k = kw[K_DESCRIPTION]) && !cJSON_IsString(k)) {
		schema_err(cc, "Invalid type. Expected: %s, given: %s", "string", "description");
		goto done;
	}
	if ((k = kw[K_TYPE])) {
		if (cJSON_IsString(k)) {
			if (type_add(cc, n, k->valuestring) < 0)
				goto done;
		} else if (cJSON_IsArray(k)) {
			for (c = k->child; c; c = c->next) {
				if (!cJSON_IsString(c)) {
					schema_err(cc, "Invalid type. Expected: %s, given: %s", "string/array of strings",
						   "type");
					goto done;
				}
				if (type_add(cc, n, c->valuestring) < 0)
					goto done;
			}
			if (k->child && k->child->next) {
				size_t len = strlen(n->type_text); /* at most 47 of the 96 bytes */

				memmove(n->type_text + 1, n->type_text, len);
				n->type_text[0] = '[';
				n->type_text[len + 1] = ']';
				n->type_text[len + 2] = '\0';
			}
		} else {
			schema_err(cc, "Invalid type. Expected: %s, given: %s", "string/array of strings", "type");
			goto done;
		}
	}
	if ((k = kw[K_PROPERTIES])) {
		size_t i = 0;

		if (!js_is_obj(k)) {
			schema_err(cc, "%s must be of type %s", "properties", "object");
			goto done;
		}
		for (c = k->child; c; c = c->next)
			i++;
		n->props = calloc(i ? i : 1, sizeof(*n->props));
		n->props_sorted = calloc(i ? i : 1, sizeof(*n->props_sorted));
		if (!n->props || !n->props_sorted) {
			gitops_err_oom(cc->err);
			goto done;
		}
		for (c = k->child; c; c = c->next) {
			size_t j;

			for (j = 0; j < n->nprops; j++)
				if (strcmp(n->props[j].name, c->string) == 0)
					break;
			if (j == n->nprops) {
				n->props[j].name = c->string; /* the schema keeps the tree */
				n->props_sorted[j] = j;
				n->nprops++;
			}
			if (!(n->props[j].schema = compile_node(cc, c, base, draft, depth + 1)))
				goto done;
		}
		if (sort_props(n) < 0) {
			gitops_err_oom(cc->err);
			goto done;
		}
	}
	if ((k = kw[K_ADDITIONAL_PROPERTIES])) {
		if (js_is_bool(k))
			n->addprops_bool = cJSON_IsTrue(k);
		else if (js_is_obj(k)) {
			if (sub(cc, &n->addprops, k, base, draft, depth) < 0)
				goto done;
		} else {
			schema_err(cc, "Invalid type. Expected: %s, given: %s", "boolean/valid schema",
				   "additionalProperties");
			goto done;
		}
	}
	if ((k = kw[K_PATTERN_PROPERTIES])) {
		size_t i = 0;

		if (!js_is_obj(k)) {
			schema_err(cc, "Invalid type. Expected: %s, given: %s", "valid schema", "patternProperties");
			goto done;
		}
		for (c = k->child; c; c = c->next)
			i++;
		if (!(n->pprops = calloc(i ? i : 1, sizeof(*n->pprops)))) {
			gitops_err_oom(cc->err);
			goto done;
		}
		for (c = k->child; c; c = c->next) {
			struct js_pprop *p = &n->pprops[n->npprops];
			struct gitops_err e2 = GITOPS_ERR_INIT;

			if (gitops_regex_compile(&p->re, c->string, strlen(c->string), &e2) < 0) {
				if (e2.code == GITOPS_EXIT_INTERNAL) {
					*cc->err = e2;
					goto done;
				}
				schema_err(cc, "Invalid regex pattern '%s'", c->string, NULL);
				goto done;
			}
			n->npprops++;
			if (!(p->pattern = strdup(c->string))) {
				gitops_err_oom(cc->err);
				goto done;
			}
			if (!(p->schema = compile_node(cc, c, base, draft, depth + 1)))
				goto done;
		}
	}
	if ((k = kw[K_PROPERTY_NAMES]) && draft >= D6) {
		if (!js_is_obj(k) && !js_is_bool(k)) {
			schema_err(cc, "Invalid type. Expected: %s, given: %s", "valid schema", "patternProperties");
			goto done;
		}
		if (sub(cc, &n->propnames, k, base, draft, depth) < 0)
			goto done;
	}
	if ((k = kw[K_DEPENDENCIES])) {
		size_t i = 0;

		if (!js_is_obj(k)) {
			schema_err(cc, "%s must be of type %s", "dependencies", "object");
			goto done;
		}
		for (c = k->child; c; c = c->next)
			i++;
		if (!(n->deps = calloc(i ? i : 1, sizeof(*n->deps)))) {
			gitops_err_oom(cc->err);
			goto done;
		}
		for (c = k->child; c; c = c->next) {
			struct js_dep *d = &n->deps[n->ndeps];

			if (cJSON_IsArray(c)) {
				const cJSON *e;
				size_t ne = 0;

				for (e = c->child; e; e = e->next) {
					if (!cJSON_IsString(e)) {
						schema_err(cc, "%s must be of type %s", "dependency",
							   "schema or array of strings");
						goto done;
					}
					ne++;
				}
				if (!ne)
					continue; /* gojsonschema registers nothing for [] */
				if (!(d->name = strdup(c->string)) || !(d->keys = calloc(ne, sizeof(char *)))) {
					free(d->name);
					d->name = NULL;
					gitops_err_oom(cc->err);
					goto done;
				}
				n->ndeps++;
				for (e = c->child; e; e = e->next) {
					if (!(d->keys[d->nkeys] = strdup(e->valuestring))) {
						gitops_err_oom(cc->err);
						goto done;
					}
					d->nkeys++;
				}
			} else if (js_is_obj(c) || js_is_bool(c)) {
				if (!(d->name = strdup(c->string))) {
					gitops_err_oom(cc->err);
					goto done;
				}
				n->ndeps++;
				if (sub(cc, &d->schema, c, base, draft, depth) < 0)
					goto done;
			} else {
				schema_err(cc, "%s must be of type %s", "dependency", "schema or array of strings");
				goto done;
			}
		}
	}
	if ((k = kw[K_ITEMS])) {
		if (cJSON_IsArray(k)) {
			for (c = k->child; c; c = c->next)
				if (!js_is_obj(c) && !js_is_bool(c)) {
					schema_err(cc, "Invalid type. Expected: %s, given: %s",
						   "valid schema/array of schemas", "items");
					goto done;
				}
			if (compile_list(cc, &n->items, k, "items", base, draft, depth) < 0)
				goto done;
		} else if (js_is_obj(k) || js_is_bool(k)) {
			if (!(n->items.v = calloc(1, sizeof(*n->items.v)))) {
				gitops_err_oom(cc->err);
				goto done;
			}
			if (sub(cc, &n->items.v[0], k, base, draft, depth) < 0)
				goto done;
			n->items.n = 1;
			n->items_single = 1;
		} else {
			schema_err(cc, "Invalid type. Expected: %s, given: %s", "valid schema/array of schemas", "items");
			goto done;
		}
	}
	if ((k = kw[K_ADDITIONAL_ITEMS])) {
		if (js_is_bool(k))
			n->additems_bool = cJSON_IsTrue(k);
		else if (js_is_obj(k)) {
			if (sub(cc, &n->additems, k, base, draft, depth) < 0)
				goto done;
		} else {
			schema_err(cc, "Invalid type. Expected: %s, given: %s", "boolean/valid schema", "additionalItems");
			goto done;
		}
	}
	if ((k = kw[K_MULTIPLE_OF])) {
		if (get_num(cc, k, NULL, "Invalid type. Expected: %s, given: multipleOf", &n->multiple_of) < 0)
			goto done;
		if (js_num_sign(n->multiple_of) <= 0) {
			schema_err(cc, "%s must be strictly greater than 0", "multipleOf", NULL);
			goto done;
		}
	}
	if ((k = kw[K_MINIMUM]) && get_num(cc, k, "minimum", "%s must be of a %s", &n->minimum) < 0)
		goto done;
	if ((k = kw[K_EXCLUSIVE_MINIMUM])) {
		if (draft == D4 || (draft == DHYBRID && js_is_bool(k))) {
			if (!js_is_bool(k)) {
				schema_err(cc, "Invalid type. Expected: %s, given: %s", "boolean", "exclusiveMinimum");
				goto done;
			}
			if (!n->minimum) {
				schema_err(cc, "%s cannot be used without %s", "exclusiveMinimum", "minimum");
				goto done;
			}
			if (cJSON_IsTrue(k)) {
				n->exclusive_minimum = n->minimum;
				n->minimum = NULL;
			}
		} else if (cJSON_IsNumber(k)) {
			if (get_num(cc, k, "exclusiveMinimum", "%s", &n->exclusive_minimum) < 0)
				goto done;
		} else {
			schema_err(cc, "Invalid type. Expected: %s, given: %s",
				   draft == DHYBRID ? "boolean/number" : "number", "exclusiveMinimum");
			goto done;
		}
	}
	if ((k = kw[K_MAXIMUM]) && get_num(cc, k, "maximum", "%s must be of a %s", &n->maximum) < 0)
		goto done;
	if ((k = kw[K_EXCLUSIVE_MAXIMUM])) {
		if (draft == D4 || (draft == DHYBRID && js_is_bool(k))) {
			if (!js_is_bool(k)) {
				schema_err(cc, "Invalid type. Expected: %s, given: %s", "boolean", "exclusiveMaximum");
				goto done;
			}
			if (!n->maximum) {
				schema_err(cc, "%s cannot be used without %s", "exclusiveMaximum", "maximum");
				goto done;
			}
			if (cJSON_IsTrue(k)) {
				n->exclusive_maximum = n->maximum;
				n->maximum = NULL;
			}
		} else if (cJSON_IsNumber(k)) {
			if (get_num(cc, k, "exclusiveMaximum", "%s", &n->exclusive_maximum) < 0)
				goto done;
		} else {
			schema_err(cc, "Invalid type. Expected: %s, given: %s",
				   draft == DHYBRID ? "boolean/number" : "number", "exclusiveMaximum");
			goto done;
		}
	}
	if ((k = kw[K_MIN_LENGTH]) && get_int(cc, k, "minLength", &n->min_length) < 0)
		goto done;
	if ((k = kw[K_MAX_LENGTH]) && get_int(cc, k, "maxLength", &n->max_length) < 0)
		goto done;
	if (n->min_length >= 0 && n->max_length >= 0 && n->min_length > n->max_length) {
		schema_err(cc, "%s cannot be greater than %s", "minLength", "maxLength");
		goto done;
	}
	if ((k = kw[K_PATTERN])) {
		struct gitops_err e2 = GITOPS_ERR_INIT;

		if (!cJSON_IsString(k)) {
			schema_err(cc, "%s must be of a %s", "pattern", "string");
			goto done;
		}
		if (gitops_regex_compile(&n->pattern, k->valuestring, strlen(k->valuestring), &e2) < 0) {
			if (e2.code == GITOPS_EXIT_INTERNAL)
				*cc->err = e2;
			else
				schema_err(cc, "%s must be a valid regex", "pattern", NULL);
			goto done;
		}
	}
	if ((k = kw[K_FORMAT])) {
		if (!cJSON_IsString(k)) {
			schema_err(cc, "%s must be of type %s", "format", "string");
			goto done;
		}
		if (!(n->format = strdup(k->valuestring))) {
			gitops_err_oom(cc->err);
			goto done;
		}
	}
	if ((k = kw[K_MIN_PROPERTIES]) && get_int(cc, k, "minProperties", &n->min_props) < 0)
		goto done;
	if ((k = kw[K_MAX_PROPERTIES]) && get_int(cc, k, "maxProperties", &n->max_props) < 0)
		goto done;
	if (n->min_props >= 0 && n->max_props >= 0 && n->min_props > n->max_props) {
		schema_err(cc, "%s cannot be greater than %s", "minProperties", "maxProperties");
		goto done;
	}
	if ((k = kw[K_REQUIRED])) {
		size_t i = 0, j;

		if (!cJSON_IsArray(k)) {
			schema_err(cc, "%s must be of an %s", "required", "array");
			goto done;
		}
		for (c = k->child; c; c = c->next)
			i++;
		if (!(n->required = calloc(i ? i : 1, sizeof(char *)))) {
			gitops_err_oom(cc->err);
			goto done;
		}
		for (c = k->child; c; c = c->next) {
			if (!cJSON_IsString(c)) {
				schema_err(cc, "%s items must be %s", "required", "string");
				goto done;
			}
			for (j = 0; j < n->nrequired; j++)
				if (strcmp(n->required[j], c->valuestring) == 0) {
					schema_err(cc, "%s items must be unique", "required", NULL);
					goto done;
				}
			if (!(n->required[n->nrequired] = strdup(c->valuestring))) {
				gitops_err_oom(cc->err);
				goto done;
			}
			n->nrequired++;
		}
	}
	if ((k = kw[K_MIN_ITEMS]) && get_int(cc, k, "minItems", &n->min_items) < 0)
		goto done;
	if ((k = kw[K_MAX_ITEMS]) && get_int(cc, k, "maxItems", &n->max_items) < 0)
		goto done;
	if ((k = kw[K_UNIQUE_ITEMS])) {
		if (!js_is_bool(k)) {
			schema_err(cc, "%s must be of a %s", "uniqueItems", "boolean");
			goto done;
		}
		n->unique = cJSON_IsTrue(k);
	}
	if ((k = kw[K_CONTAINS]) && draft >= D6 && sub(cc, &n->contains, k, base, draft, depth) < 0)
		goto done;
	if ((k = kw[K_CONST]) && draft >= D6 && canon(cc, &n->constant, k) < 0)
		goto done;
	if ((k = kw[K_ENUM])) {
		struct gitops_buf all = GITOPS_BUF_INIT;
		size_t i = 0, j;

		if (!cJSON_IsArray(k)) {
			schema_err(cc, "%s must be of an %s", "enum", "array");
			goto done;
		}
		for (c = k->child; c; c = c->next)
			i++;
		if (!(n->enums = calloc(i ? i : 1, sizeof(char *)))) {
			gitops_err_oom(cc->err);
			goto done;
		}
		for (c = k->child; c; c = c->next) {
			char *t;

			if (canon(cc, &t, c) < 0) {
				gitops_buf_release(&all);
				goto done;
			}
			for (j = 0; j < n->nenums; j++)
				if (strcmp(n->enums[j], t) == 0)
					break;
			if (j < n->nenums) {
				free(t);
				gitops_buf_release(&all);
				schema_err(cc, "%s items must be unique", "enum", NULL);
				goto done;
			}
			n->enums[n->nenums++] = t;
			if ((n->nenums > 1 && gitops_buf_addstr(&all, ", ") < 0) || gitops_buf_addstr(&all, t) < 0) {
				gitops_buf_release(&all);
				gitops_err_oom(cc->err);
				goto done;
			}
		}
		if (!(n->enum_text = all.data ? gitops_buf_detach(&all) : strdup(""))) {
			gitops_err_oom(cc->err);
			goto done;
		}
	}
	if ((k = kw[K_ONE_OF]) && compile_list(cc, &n->one_of, k, "oneOf", base, draft, depth) < 0)
		goto done;
	if ((k = kw[K_ANY_OF]) && compile_list(cc, &n->any_of, k, "anyOf", base, draft, depth) < 0)
		goto done;
	if ((k = kw[K_ALL_OF]) && compile_list(cc, &n->all_of, k, "anyOf", base, draft, depth) < 0)
		goto done;
	if ((k = kw[K_NOT])) {
		if (!js_is_obj(k) && !js_is_bool(k)) {
			schema_err(cc, "%s must be of an %s", "not", "object");
			goto done;
		}
		if (sub(cc, &n->not_, k, base, draft, depth) < 0)
			goto done;
	}
	if (draft >= D7) {
		static const char *const names[] = { "if", "then", "else" };
		static const int keys[] = { K_IF, K_THEN, K_ELSE };
		struct js_node **slots[3];
		int i;

		slots[0] = &n->if_;
		slots[1] = &n->then_;
		slots[2] = &n->else_;
		for (i = 0; i < 3; i++) {
			if (!(k = kw[keys[i]]))
				continue;
			if (!js_is_obj(k) && !js_is_bool(k)) {
				schema_err(cc, "%s must be of an %s", names[i], "object");
				goto done;
			}
			if (sub(cc, slots[i], k, base, draft, depth) < 0)
				goto done;
		}
	}
	rc = 0;
done:
	free(nb);
	return rc;
}

/* What gojsonschema checks of a schema before its $ref: the id's type, definitions, title, description. */
static int ref_siblings(struct js_cc *cc, const cJSON *const kw[K_N], const char *base, int draft, int depth)
{
	const char *key;
	const cJSON *k, *c;
	char *nb = NULL;
	int rc = -1;

	if ((k = kw_id(kw, draft, &key))) {
		if (!cJSON_IsString(k))
			return schema_err(cc, "Invalid type. Expected: %s, given: %s", "string", key);
		if (!(nb = js_uri_resolve(base, k->valuestring)))
			return gitops_err_oom(cc->err);
		base = nb;
	}
	if ((k = kw[K_DEFINITIONS])) {
		if (!js_is_obj(k)) {
			schema_err(cc, "Invalid type. Expected: %s, given: %s", "array of schemas", "definitions");
			goto done;
		}
		for (c = k->child; c; c = c->next) {
			if (!js_is_obj(c) && !js_is_bool(c)) {
				schema_err(cc, "Invalid type. Expected: %s, given: %s", "array of schemas", "definitions");
				goto done;
			}
			if (!compile_node(cc, c, base, draft, depth + 1))
				goto done;
		}
	}
	if ((k = kw[K_TITLE]) && !cJSON_IsString(k)) {
		schema_err(cc, "Invalid type. Expected: %s, given: %s", "string", "title");
		goto done;
	}
	if ((k = kw[K_DESCRIPTION]) && !cJSON_IsString(k)) {
		schema_err(cc, "Invalid type. Expected: %s, given: %s", "string", "description");
		goto done;
	}
	rc = 0;
done:
	free(nb);
	return rc;
}

static struct js_node *compile_node(struct js_cc *cc, const cJSON *v, const char *base, int draft, int depth)
{
	struct js_node *n;
	const cJSON *ref;
	const cJSON *kw[K_N];

	if ((n = memo_get(cc->s, v)))
		return n;
	if (depth > JS_MAX_DEPTH) {
		gitops_err_set(cc->err, GITOPS_EXIT_INPUT, "schema nested deeper than %d levels", JS_MAX_DEPTH);
		return NULL;
	}
	if (!(n = node_new(cc->s)) || memo_put(cc->s, v, n) < 0) {
		gitops_err_oom(cc->err);
		return NULL;
	}
	if (js_is_bool(v) && draft >= D6) {
		n->pass = cJSON_IsTrue(v);
		return n;
	}
	if (!js_is_obj(v)) {
		schema_err(cc, "Expected: %s, given: Invalid JSON", "valid schema", NULL);
		return NULL;
	}
	keywords(kw, v);
	if ((ref = kw[K_DOLLAR_REF])) {
		char *uri;

		if (!cJSON_IsString(ref)) {
			schema_err(cc, "Invalid type. Expected: %s, given: %s", "string", "$ref");
			return NULL;
		}
		/* gojsonschema reads id, definitions, title and description before $ref: their errors count */
		if (ref_siblings(cc, kw, base, draft, depth) < 0)
			return NULL;
		/* the document walk made it absolute (index_ids) */
		if (!(uri = strdup(ref->valuestring))) {
			gitops_err_oom(cc->err);
			return NULL;
		}
		n->has_ref = 1;
		n->ref = compile_ref(cc, uri, draft, depth);
		free(uri);
		return n->ref ? n : NULL;
	}
	return compile_body(cc, n, kw, base, draft, depth) < 0 ? NULL : n;
}

/* A schema tree compile_schema was given to keep: freed */
static void drop_schema(cJSON *schema, int take, struct gitops_json_pool *pool)
{
	if (pool)
		gitops_json_pool_free(pool);
	else if (take)
		cJSON_Delete(schema);
}

/*
 * schema: borrowed and copied (take 0), or taken (take 1: freed on every
 * path), with the pool that holds it when it has one
 */
static int compile_schema(struct gitops_jsonschema **out, cJSON *schema, int take, struct gitops_json_pool *pool,
			  gitops_jsonschema_fetch_fn fetch, void *ctx, struct gitops_err *err)
{
	struct gitops_jsonschema *s = calloc(1, sizeof(*s));
	struct js_cc cc;
	cJSON *copy;
	int draft;
	size_t i;

	*out = NULL;
	if (!s) {
		drop_schema(schema, take, pool);
		return gitops_err_oom(err);
	}
	cc.s = s;
	cc.fetch = fetch;
	cc.ctx = ctx;
	cc.err = err;
	if (err)
		err->msg[0] = '\0';
	if (!schema || (!js_is_obj(schema) && !js_is_bool(schema))) {
		gitops_jsonschema_free(s);
		drop_schema(schema, take, pool);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "schema is invalid");
	}
	if (js_is_obj(schema) && js_member(schema, "$schema") && !cJSON_IsString(js_member(schema, "$schema"))) {
		gitops_jsonschema_free(s);
		drop_schema(schema, take, pool);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "$schema must be of type string");
	}
	if (!(copy = take ? schema : gitops_value_copy(schema))) {
		gitops_jsonschema_free(s);
		return gitops_err_oom(err);
	}
	draft = draft_of(copy) ? draft_of(copy) : DHYBRID;
	if (add_doc(s, "", copy, take ? pool : NULL, draft) < 0) {
		gitops_jsonschema_free(s);
		return gitops_err_oom(err);
	}
	if (!(s->root = compile_node(&cc, copy, "", draft, 0))) {
		gitops_jsonschema_free(s);
		if (err && !err->msg[0])
			gitops_err_set(err, GITOPS_EXIT_INPUT, "schema is invalid");
		return -1;
	}
	/* a $ref chain that comes back to itself would never consume input */
	for (i = 0; i < s->nnodes; i++) {
		struct js_node *n = s->nodes[i];
		size_t steps = 0;

		while (n && n->has_ref && steps <= s->nnodes) {
			n = n->ref;
			steps++;
		}
		if (steps > s->nnodes) {
			gitops_jsonschema_free(s);
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "$ref cycle: a schema refers to itself");
		}
	}
	*out = s;
	return 0;
}

int gitops_jsonschema_compile(struct gitops_jsonschema **out, const cJSON *schema, gitops_jsonschema_fetch_fn fetch,
			      void *ctx, struct gitops_err *err)
{
	return compile_schema(out, (cJSON *)schema, 0, NULL, fetch, ctx, err);
}

int gitops_jsonschema_compile_take(struct gitops_jsonschema **out, cJSON *schema, gitops_jsonschema_fetch_fn fetch,
				   void *ctx, struct gitops_err *err)
{
	return compile_schema(out, schema, 1, NULL, fetch, ctx, err);
}

int gitops_jsonschema_compile_text(struct gitops_jsonschema **out, const char *text, size_t len, const char *name,
				   gitops_jsonschema_fetch_fn fetch, void *ctx, struct gitops_err *err)
{
	struct gitops_json_pool *pool;
	cJSON *schema;

	*out = NULL;
	if (gitops_json_parse_pool(&schema, &pool, text, len, name, err) < 0)
		return -1;
	return compile_schema(out, schema, 1, pool, fetch, ctx, err);
}

