/*
 * jsonio.h: JSON text <-> value trees, exactly.  Integers stay integers
 * (exact to any length, see value.h), floats stay floats; nothing goes
 * through a double that would change it.  Returned trees and strings belong
 * to the caller (cJSON_Delete, free).
 */
#ifndef GITOPS_VALUE_JSONIO_H
#define GITOPS_VALUE_JSONIO_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"

/*
 * Parse one JSON text (RFC 8259; surrounding whitespace allowed, nothing
 * else).  Errors read "NAME:LINE:COL: ..." (name may be NULL: "LINE:COL"),
 * class GITOPS_EXIT_INPUT.  Nesting deeper than 512 is refused.
 */
int gitops_json_parse(cJSON **out, const char *text, size_t len, const char *name, struct gitops_err *err);

/*
 * The same into a pool: the tree's nodes and strings hold no memory of
 * their own, all of it goes at once with gitops_json_pool_free (fewer
 * allocations for a large document read once).  Never cJSON_Delete a node
 * of such a tree nor give it a string through cJSON (which frees the old
 * one): set strings from gitops_json_pool_strdup.  On an error there is
 * no tree and no pool.
 */
struct gitops_json_pool;

int gitops_json_parse_pool(cJSON **out, struct gitops_json_pool **pool, const char *text, size_t len, const char *name,
			   struct gitops_err *err);
/* A copy of s in the pool, or NULL when out of memory. */
char *gitops_json_pool_strdup(struct gitops_json_pool *pool, const char *s);
void gitops_json_pool_free(struct gitops_json_pool *pool);

enum {
	GITOPS_JSON_SORTED = 1 << 0,      /* mapping keys in byte order (Go's encoding/json) */
	GITOPS_JSON_ESCAPE_HTML = 1 << 1, /* <, >, & as \u003c \u003e \u0026 (Go's json.Marshal) */
	GITOPS_JSON_INDENT = 1 << 2,      /* two-space indent, "key": value, one member a line */
};

/* Print a tree: a malloc'ed NUL-terminated string in *out, or -1 (out of memory, NaN/Inf). */
int gitops_json_print(char **out, const cJSON *v, unsigned flags, struct gitops_err *err);

/* Shorthands where a caller reports its own error: the tree or NULL; the text or NULL. */
cJSON *gitops_json_read(const char *text, size_t len);
char *gitops_json_text(const cJSON *v);

#endif
