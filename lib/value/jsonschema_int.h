/*
 * jsonschema_int.h: what jsonschema.c takes from jsonschema_util.c: exact
 * decimal numbers (gojsonschema's big.Rat), the canonical JSON text it
 * compares const/enum/uniqueItems by, URI references, format checkers.
 * Internal to lib/value/jsonschema*.c.
 */
#ifndef GITOPS_JSONSCHEMA_INT_H
#define GITOPS_JSONSCHEMA_INT_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/buf.h"

#define JS_NUM_DIGITS 120

/* A decimal: (neg ? -1 : 1) * 0.d[0]d[1]...d[nd-1] * 10^exp; zero has nd == 0. */
struct js_num {
	int neg;
	int nd;
	int exp;
	char d[JS_NUM_DIGITS];
};

void js_num_from_node(struct js_num *n, const cJSON *v);
int js_num_sign(const struct js_num *n);
int js_num_cmp(const struct js_num *a, const struct js_num *b);
int js_num_is_int(const struct js_num *n);
/* Is a / b an integer (b > 0)? */
int js_num_is_multiple(const struct js_num *a, const struct js_num *b);
/* As Go prints a big.Float with %v: shortest digits, %e from exponent 6 (1e+06). */
char *js_num_format(char *buf, size_t size, const struct js_num *n);

#define JS_CANON_MAX_DEPTH 1000

/* gojsonschema's marshalWithoutNumber: json.Marshal of the value read back as float64s.  0; -1 out of
 * memory; -2 nested deeper than JS_CANON_MAX_DEPTH. */
int js_canonical(struct gitops_buf *out, const cJSON *v);

/* RFC 3986 reference resolution: a malloc'ed string, or NULL when out of memory. */
char *js_uri_resolve(const char *base, const char *ref);
/* %XX decoded (invalid escapes kept); malloc'ed or NULL. */
char *js_percent_decode(const char *s);

size_t js_rune_count(const char *s, size_t len);
int js_format_known(const char *name);
/* 1 when s is of the format (an unknown format always is). */
int js_format_ok(const char *name, const char *s, size_t len);

/* The built-in meta-schema text for a draft 4/6/7 meta-schema URI (with or without '#'), or NULL. */
const char *js_meta_schema(const char *uri);

/* --- the compiled schema (jsonschema_compile.c builds it, jsonschema.c reads it) --- */

#include <stdlib.h>
#include <string.h>
#include "lib/base/regex.h"
#include "lib/value/jsonio.h"
#include "lib/value/jsonschema.h"

#define JS_MAX_DEPTH 1000

enum { D4 = 4, D6 = 6, D7 = 7, DHYBRID = 1000 };

enum {
	T_ARRAY = 1, T_BOOLEAN = 2, T_INTEGER = 4, T_NUMBER = 8, T_NULL = 16, T_OBJECT = 32, T_STRING = 64,
};

struct js_node;

struct js_prop {
	const char *name; /* the schema tree's */
	struct js_node *schema;
};

struct js_pprop {
	char *pattern;
	struct gitops_regex *re;
	struct js_node *schema;
};

struct js_dep {
	char *name;
	char **keys; /* NULL-less array of nkeys, or schema */
	size_t nkeys;
	struct js_node *schema;
};

struct js_list {
	struct js_node **v;
	size_t n;
};

struct js_node {
	int pass;                 /* -1: an object schema; 0/1: false/true */
	struct js_node *ref;      /* $ref: validation goes there only */
	int has_ref;
	unsigned types;
	char type_text[96];       /* types.String(): "integer" or "[integer,null]" */
	struct js_prop *props;
	size_t nprops;
	size_t *props_sorted;     /* indexes of props by name, for lookups */
	struct js_pprop *pprops;
	size_t npprops;
	int addprops_bool;        /* -1 unset, 0, 1 */
	struct js_node *addprops;
	struct js_node *propnames;
	struct js_dep *deps;
	size_t ndeps;
	struct js_list items;
	int items_single;
	int additems_bool;
	struct js_node *additems;
	struct js_num *multiple_of, *maximum, *exclusive_maximum, *minimum, *exclusive_minimum;
	long min_length, max_length, min_props, max_props, min_items, max_items;
	struct gitops_regex *pattern;
	char *format;
	char **required;
	size_t nrequired;
	int unique;
	struct js_node *contains;
	char *constant;           /* canonical text */
	char **enums;
	size_t nenums;
	char *enum_text;          /* the canonical texts joined by ", " */
	struct js_list all_of, any_of, one_of;
	struct js_node *not_, *if_, *then_, *else_;
};

struct js_doc {
	char *uri;   /* without fragment; "" for the root document */
	cJSON *tree; /* owned copy */
	struct gitops_json_pool *pool; /* the tree's memory, when it came from gitops_json_parse_pool */
	int draft;   /* 0: none of its own */
};

struct js_id {
	char *uri;
	const cJSON *node;
	int doc;
};

struct js_memo {
	const cJSON *key;
	struct js_node *node;
};

struct gitops_jsonschema {
	struct js_node *root;
	struct js_node **nodes;
	size_t nnodes, capnodes;
	struct js_doc *docs;
	size_t ndocs, capdocs;
	struct js_id *ids;
	size_t nids, capids;
	struct js_memo *memo;  /* open addressing, capmemo a power of two */
	size_t nmemo, capmemo;
};

/* --- small helpers both use --- */

static inline int js_grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*v, n * size);
	if (!p)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

static inline int js_is_obj(const cJSON *v)
{
	return v && (v->type & 0xFF) == cJSON_Object;
}

static inline int js_is_bool(const cJSON *v)
{
	return v && ((v->type & 0xFF) == cJSON_True || (v->type & 0xFF) == cJSON_False);
}

static inline const cJSON *js_member(const cJSON *obj, const char *key)
{
	const cJSON *c;
	const cJSON *found = NULL;

	/* Go's map: the last of repeated keys wins */
	/* the first byte first: a node's ~40 keyword lookups, each over all its members */
	for (c = obj->child; c; c = c->next)
		if (c->string && c->string[0] == key[0] && strcmp(c->string, key) == 0)
			found = c;
	return found;
}

#endif
