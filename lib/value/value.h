/*
 * value.h: the value tree every program reads YAML and JSON into.
 *
 * A value is a cJSON node: this module wraps cJSON rather than replacing it.
 * cJSON already keeps a mapping's insertion order and every program is
 * written on it; what it lacked is added here, over the same nodes:
 *
 *   - integers and floats kept apart: an integer is a cJSON_Number with the
 *     GITOPS_VALUE_INT flag in its type.  Its valuedouble holds the value when
 *     a double holds it exactly (|i| <= 2^53); beyond that, valuestring holds
 *     the exact decimal text (also for integers beyond int64, as YAML and
 *     JSON may write them).  A cJSON_Number without the flag is a float64.
 *     cJSON_Duplicate and cJSON_Delete keep and free both.
 *   - exact JSON in and out (lib/value/json.h), never through a double;
 *   - sorted iteration, deep copy, deep equality (linear), and merging with
 *     Helm's coalescing rules.
 *
 * Ownership: functions borrow the trees they are given; a returned tree
 * (gitops_value_int, _copy, ...) belongs to the caller (cJSON_Delete).
 */
#ifndef GITOPS_VALUE_H
#define GITOPS_VALUE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"

/* The type flag an integer carries (cJSON's own flags are 256 and 512). */
#define GITOPS_VALUE_INT (1 << 12)

enum gitops_value_kind {
	GITOPS_VALUE_KIND_INVALID = 0,
	GITOPS_VALUE_KIND_NULL,
	GITOPS_VALUE_KIND_BOOL,
	GITOPS_VALUE_KIND_INT,
	GITOPS_VALUE_KIND_FLOAT,
	GITOPS_VALUE_KIND_STRING,
	GITOPS_VALUE_KIND_SEQ,
	GITOPS_VALUE_KIND_MAP,
};

enum gitops_value_kind gitops_value_kind(const cJSON *v);
/* "null", "bool", "int", "float64", "string", "sequence", "mapping" */
const char *gitops_value_kind_name(enum gitops_value_kind k);

/* --- numbers --- */

/* A new integer (NULL when out of memory). */
cJSON *gitops_value_new_int(int64_t i);
/* A new integer from its decimal text ("-12", "18446744073709551615"); NULL if not one. */
cJSON *gitops_value_new_int_text(const char *text);
/* A new float64. */
cJSON *gitops_value_new_float(double d);
/* Add an integer member to a mapping: the member, or NULL. */
cJSON *gitops_value_add_int(cJSON *map, const char *key, int64_t i);
/* Turn a number node into an integer / a float in place. */
void gitops_value_set_int(cJSON *n, int64_t i);

/*
 * The integer a value holds: 0 and *out set for an integer within int64, or
 * for a float with an integral value within int64 (allow_float); -1 otherwise.
 */
int gitops_value_get_int(int64_t *out, const cJSON *v, int allow_float);
/* Is v an integer whose exact value a double cannot hold (valuestring has it)? */
int gitops_value_is_bigint(const cJSON *v);
/*
 * The number as text: an integer exactly, a float as the shortest text that
 * reads back the same (always with a '.' or an exponent when integral
 * beyond 2^53).  buf of at least 40 bytes; returns buf.
 */
char *gitops_value_format_number(char *buf, size_t size, const cJSON *n);

/*
 * A float64 as Go prints it, with the shortest digits that read back the
 * same.  GITOPS_FLOAT_G: strconv.FormatFloat(f, 'g', -1, 64), which is also
 * fmt's %v and go-yaml's: an exponent when it is below -4 or from 6 up
 * (1e+06, 1.5e-05, 123456).  GITOPS_FLOAT_JSON: encoding/json, plain
 * decimals within [1e-6, 1e21), else an exponent without a leading zero
 * when negative (1e-7, 1e+21).  NaN, +Inf, -Inf as Go writes them.
 * Returns buf (at least 40 bytes).
 */
enum { GITOPS_FLOAT_G, GITOPS_FLOAT_JSON };
char *gitops_value_format_float(char *buf, size_t size, double d, int style);

/* --- trees --- */

/* Deep copy (flags and exact integers kept); NULL when out of memory. */
cJSON *gitops_value_copy(const cJSON *v);
/*
 * Deep equality: 1 or 0.  Mappings equal whatever their key order; numbers
 * by value: integers exactly, an integer against a float as the doubles a
 * JSON reader would make of both (1 equals 1.0); linear while keys come in
 * the same order.
 */
int gitops_value_equal(const cJSON *a, const cJSON *b);
/* Like gitops_value_equal, but an integer never equals a float (Go's reflect.DeepEqual). */
int gitops_value_equal_strict(const cJSON *a, const cJSON *b);

/*
 * A mapping's members sorted by key (bytewise, as Go's sort.Strings): a
 * malloc'ed array of *n borrowed pointers (free the array only), or -1 when
 * out of memory.  *out is NULL for an empty mapping.
 */
int gitops_value_sorted(const cJSON ***out, size_t *n, const cJSON *map);

/* A mapping's member by key, or NULL (case-sensitive). */
cJSON *gitops_value_get(const cJSON *map, const char *key);
/* Set (replace or append, keeping the position of a replaced key); takes val. */
int gitops_value_set(cJSON *map, const char *key, cJSON *val);

/*
 * Helm's coalescing: dst (higher precedence) takes from src (a default)
 * what it lacks.  Mappings merge key by key, anything else in dst stays;
 * a key dst holds as null is removed (unless `merge`, which keeps nulls, as
 * Helm's MergeValues).  A mapping in one against a non-mapping in the other
 * keeps dst's and calls warn (if given) with the dotted key and the reason,
 * as Helm prints "warning: ...".  src is copied, never taken.
 */
typedef void (*gitops_value_warn_fn)(void *ctx, const char *key, const char *why);
int gitops_value_coalesce(cJSON *dst, const cJSON *src, int merge, gitops_value_warn_fn warn, void *ctx,
			  struct gitops_err *err);

/*
 * --- memory ---
 *
 * Put cJSON's nodes and its strings of up to 64 bytes in size-class pools
 * (lib/value/pool.c): a node takes 64 bytes instead of malloc's 80, a short
 * string 16 instead of 32.  For a program that holds whole trees
 * (gitops-render): call it first, before any cJSON allocation, from one
 * thread.  From then on, memory cJSON made (a node's valuestring or key, a
 * cJSON_Print result) must go back through cJSON_free, never free();
 * cJSON_free and cJSON_Delete still take what malloc made.  0, or -1 when
 * it stays with malloc (no address space, or under AddressSanitizer).
 */
int gitops_value_pool_install(void);
/* 1 under AddressSanitizer (gcc's or clang's), where the pools stay out */
#if defined(__SANITIZE_ADDRESS__)
#define GITOPS_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GITOPS_POOL_ASAN 1
#endif
#endif
#ifndef GITOPS_POOL_ASAN
#define GITOPS_POOL_ASAN 0
#endif
/*
 * Is p a block of the pools?  Code that takes a string out of a cJSON node
 * to own it past the tree, freed by free(), copies such a one instead.
 */
int gitops_value_pool_owns(const void *p);
/* Blocks the pools hand out now (for the tests). */
size_t gitops_value_pool_blocks(void);

#endif
