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

#endif
