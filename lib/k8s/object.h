/*
 * object.h: Kubernetes objects as cJSON trees: identity, validation, and
 * accessors for labels, annotations and nested fields.  All functions
 * borrow the tree; returned strings point into it (valid while it lives).
 */
#ifndef GITOPS_OBJECT_H
#define GITOPS_OBJECT_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/base/json.h"

/* group/version/kind/namespace/name.  Pointers borrow from the object. */
struct gitops_id {
	char group[254];       /* "" for the core group */
	char version[64];
	const char *kind;
	const char *namespace; /* NULL when not set (or set to "") */
	const char *name;
};

/* One object of a stream, and where it was read. */
struct gitops_object {
	cJSON *json;        /* owned by whoever holds the struct: gitops_object_release */
	const char *source; /* the input's name; borrowed from the reader */
	size_t doc;         /* 1-based document number in the input */
	size_t line;        /* 1-based line where the object starts */
	size_t item;        /* 1-based position inside a List, or 0 */
};

void gitops_object_release(struct gitops_object *o);

/*
 * Set err to "SOURCE:LINE: document N: MESSAGE" for the object o (with
 * ", item M" inside a List): where every message about a stream's object
 * says where it is.  Returns -1.
 */
int gitops_object_err(struct gitops_err *err, const struct gitops_object *o, int code, const char *fmt, ...)
	GITOPS_PRINTF(4, 5);

/*
 * Check that `obj` is an object the stream contract accepts: a mapping with
 * apiVersion, kind and metadata.name, valid names, string labels and
 * annotations; a v1 Secret's data and stringData mappings of strings, data's
 * in base64 (as the API server requires).  On failure: -1, and err
 * (GITOPS_EXIT_INPUT) says what is wrong ("missing metadata.name"); it never
 * quotes a Secret's value.
 */
int gitops_object_check(const cJSON *obj, struct gitops_err *err);
/*
 * The same, with GITOPS_OBJECT_NAMES_LENIENT: the syntax of metadata.name
 * and metadata.namespace left unchecked (gitops-render only warns about it,
 * as kustomize outputs such names; gitops-apply and gitops-diff refuse them).
 */
#define GITOPS_OBJECT_NAMES_LENIENT 1
/* ... and GITOPS_OBJECT_NO_API_VERSION: an object without apiVersion accepted (kustomize outputs one whose
 * kind its tables do not know; gitops-render passes it on with a warning, the others refuse it) */
#define GITOPS_OBJECT_NO_API_VERSION 2
/* ... and GITOPS_OBJECT_VALUES_LENIENT: labels' and annotations' values of any type, a Secret's data not base64
 * (kustomize outputs what a replacement or a patch put there) */
#define GITOPS_OBJECT_VALUES_LENIENT 4
int gitops_object_check_flags(const cJSON *obj, int flags, struct gitops_err *err);
/* Only that syntax: -1 and err when a name or namespace is not one the API server accepts. */
int gitops_object_check_names(const cJSON *obj, struct gitops_err *err);
/* Only what the lenient flags let pass (names, a missing apiVersion, labels' and annotations' values): -1 and
 * err for the first such thing, for a warning. */
int gitops_object_check_lenient(const cJSON *obj, struct gitops_err *err);

/* Fill *out from a checked object. -1 if apiVersion/kind/name are missing. */
int gitops_object_id(struct gitops_id *out, const cJSON *obj);

/* "apps/v1/Deployment ns/name" or "v1/Namespace name" into buf. */
void gitops_id_format(const struct gitops_id *id, char *buf, size_t size);


const char *gitops_object_label(const cJSON *obj, const char *key);
const char *gitops_object_annotation(const cJSON *obj, const char *key);
/* Set metadata.annotations[key] = value (creating what is missing). 0 or -1 (oom). */
int gitops_object_set_annotation(cJSON *obj, const char *key, const char *value);
int gitops_object_set_label(cJSON *obj, const char *key, const char *value);

/*
 * Where an object came from, for messages, from the provenance annotations
 * gitops-render stamps (gitops.dev/source "REPO//PATH", gitops.dev/file,
 * gitops.dev/revision): "REPO//FILE@abc1234" (7 digits of the commit), or
 * "REPO//PATH@abc1234" without a file.  NULL without them, or out of
 * memory.  Caller frees.
 */
char *gitops_object_provenance(const cJSON *obj);

/* kind ends in "List" with an "items" sequence: a list to flatten. */
int gitops_object_is_list(const cJSON *obj);



/*
 * A set of object identities, to find an object that appears twice in a
 * stream.  Compact (a 64-bit hash and where it was first seen, 16 bytes an
 * object) so that it stays small next to a bounded-memory stream.
 */
struct gitops_idset;

int gitops_idset_new(struct gitops_idset **out);
/*
 * Add an identity seen at (input, line).  1: new; 0: seen before, and
 * *first_input / *first_line say where; -1: out of memory.
 */
int gitops_idset_add(struct gitops_idset *s, const struct gitops_id *id, unsigned input, unsigned line,
		     unsigned *first_input, unsigned *first_line);
void gitops_idset_free(struct gitops_idset *s);
#endif
