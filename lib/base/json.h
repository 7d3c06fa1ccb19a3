/*
 * json.h: reading cJSON trees, whatever they hold: nested lookups, type
 * names for messages (deep equality: lib/value/value.h).  All functions borrow the trees;
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
#endif
