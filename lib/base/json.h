/*
 * json.h: reading cJSON trees, whatever they hold: nested lookups, type
 * names for messages, deep equality.  All functions borrow the trees;
 * returned strings point into them.  Uses nothing but cJSON.
 */
#ifndef GITOPS_JSON_H
#define GITOPS_JSON_H

#include <cjson/cJSON.h>

/* Nested lookup by keys, NULL-terminated: gitops_json_get(obj, "metadata", "labels", NULL). */
const cJSON *gitops_json_get(const cJSON *obj, ...);
/* "a mapping", "a sequence", "a string", "a boolean", "null" or "a number", for messages. */
const char *gitops_json_type_name(const cJSON *n);
/* The string at a nested path, or NULL when absent or not a string. */
const char *gitops_json_get_string(const cJSON *obj, ...);
/*
 * Deep equality of two trees: 1 or 0.  Mappings are equal when they hold the
 * same keys with equal values, in any order (keys are unique: the reader
 * refuses duplicates); numbers compare exactly.  Linear in the size of the
 * trees while keys come in the same order, n log n for a reordered mapping.
 * (cJSON_Compare walks every mapping twice at every level: 2^depth.)
 */
int gitops_json_equal(const cJSON *a, const cJSON *b);

#endif
