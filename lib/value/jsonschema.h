/*
 * jsonschema.h: JSON Schema validation as helm v3.17.2 does it for a chart's
 * values.schema.json, that is as gojsonschema v1.2.0 validates: drafts 4, 6
 * and 7 chosen by `$schema`, and without one gojsonschema's hybrid mode (the
 * keywords of all three); its error texts, its order of errors and its
 * choice of the "best" branch of a failed anyOf/oneOf/contains.
 *
 * Where gojsonschema departs from the drafts this follows gojsonschema:
 * `$ref` hides its siblings but resolves against its own object's id; ids
 * ("id" when present, else "$id", in any draft) count anywhere but in
 * const and enum; a known `format` fails on numbers (not only on strings);
 * integral keywords (minLength, ...) must be written as integers;
 * const/enum/uniqueItems compare values as float64 JSON texts; an empty
 * enum allows anything.  The draft 4/6/7 meta-schemas are built in.  Where
 * Go iterates a map (an object's keys, properties, patternProperties,
 * dependencies) the order is random in helm; here it is the order of the
 * texts.  Not as helm: a string holding NUL is seen up to the NUL (the
 * value tree keeps C strings).
 *
 * Ownership: gitops_jsonschema_compile borrows the schema tree (it copies
 * what it keeps; gitops_jsonschema_compile_take takes it instead) and gives the caller a compiled schema to free with
 * gitops_jsonschema_free.  Trees a fetch callback returns belong to the
 * compiled schema.  A compiled schema is only read by validate: it may be
 * reused, and shared between threads.
 */
#ifndef GITOPS_JSONSCHEMA_H
#define GITOPS_JSONSCHEMA_H

#include <cjson/cJSON.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"

struct gitops_jsonschema;

/*
 * Resolve a non-local $ref's document: uri is absolute, without fragment.
 * 0 with *out a tree the schema takes, or -1 with err set.  A NULL fetch:
 * such refs are an error.
 */
typedef int (*gitops_jsonschema_fetch_fn)(void *ctx, const char *uri, cJSON **out, struct gitops_err *err);

/* Compile a schema: 0, or -1 with gojsonschema's message (GITOPS_EXIT_INPUT). */
int gitops_jsonschema_compile(struct gitops_jsonschema **out, const cJSON *schema, gitops_jsonschema_fetch_fn fetch,
			      void *ctx, struct gitops_err *err);
/* The same, taking the schema tree (freed on every path): no copy of a large schema. */
int gitops_jsonschema_compile_take(struct gitops_jsonschema **out, cJSON *schema, gitops_jsonschema_fetch_fn fetch,
				   void *ctx, struct gitops_err *err);

/*
 * Parse a schema text as gitops_json_parse does (its errors, name in them)
 * and compile it: as parse and compile_take, with the tree's memory in a
 * few blocks instead of a malloc per node and string.
 */
int gitops_jsonschema_compile_text(struct gitops_jsonschema **out, const char *text, size_t len, const char *name,
				   gitops_jsonschema_fetch_fn fetch, void *ctx, struct gitops_err *err);

/*
 * Validate an instance: 0 valid; 1 invalid, with one line per error appended
 * to out, "- FIELD: DESCRIPTION\n" as helm prints them; -1 when validation
 * cannot finish (nesting or $ref recursion deeper than 1,000 levels, out
 * of memory), err set.
 */
int gitops_jsonschema_validate(struct gitops_buf *out, const struct gitops_jsonschema *s, const cJSON *instance,
			       struct gitops_err *err);

void gitops_jsonschema_free(struct gitops_jsonschema *s);

#endif
