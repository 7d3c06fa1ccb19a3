/*
 * jsonpatch.h: JSON Patch (RFC 6902) over value trees, and the JSON Pointer
 * (RFC 6901) it addresses them with.
 *
 * Owns: the pointer grammar of RFC 6901 ("" is the whole document, "/a/0",
 * "~0" for '~' and "~1" for '/', "-" past a sequence's end, indexes without
 * leading zeros), resolving a pointer in a tree, and the six operations
 * add, remove, replace, move, copy and test.  Uses base and the value tree
 * only; the pointer code is self-contained here.
 *
 * Ownership: functions borrow the trees they are given.  gitops_jsonpatch_apply
 * replaces *doc in place: on success the old tree is freed and *doc is the
 * patched one (the caller's, to cJSON_Delete); on any error *doc is left
 * exactly as it was (the patch is applied to a copy), never half-patched.
 * *doc must be a root (in no mapping or sequence); the result has no key.
 * A parsed pointer owns its tokens (gitops_jsonpointer_release).
 *
 * Errors are one line, GITOPS_EXIT_INPUT (GITOPS_EXIT_INTERNAL when out of
 * memory), and name the operation and the pointer:
 *   patch operation 2 (remove): path "/a/b": no member "b"
 */
#ifndef GITOPS_JSONPATCH_H
#define GITOPS_JSONPATCH_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"

/* --- JSON Pointer (RFC 6901) --- */

struct gitops_jsonpointer {
	char *text;     /* the pointer as written (owned) */
	char **tokens;  /* the n reference tokens, unescaped (owned) */
	size_t n;       /* 0: the whole document */
};

#define GITOPS_JSONPOINTER_INIT { NULL, NULL, 0 }

/*
 * Parse a pointer.  On error *out is empty and the message says what is
 * wrong without repeating the pointer ("must start with '/'"); the caller
 * puts the pointer in front (gitops_err_prefix).
 */
int gitops_jsonpointer_parse(struct gitops_jsonpointer *out, const char *text, struct gitops_err *err);
void gitops_jsonpointer_release(struct gitops_jsonpointer *p);

/*
 * The node p names in doc (borrowed from doc), or -1 with a message that
 * names the step that failed, not the whole pointer: `no member "b"`,
 * `index 5 out of range: the sequence has 2 elements`, `"1e0" is not a
 * sequence index`, `"/a" is a string, not a mapping or sequence`.
 */
int gitops_jsonpointer_resolve(cJSON **out, const cJSON *doc, const struct gitops_jsonpointer *p,
			       struct gitops_err *err);

/*
 * A token as a sequence index: 0 and *out for "0" or digits without a
 * leading zero (SIZE_MAX when beyond size_t), -1 for anything else ("-",
 * "01", "1e0", "+1", "").
 */
int gitops_jsonpointer_index(size_t *out, const char *token);

/* Append "/" and token, escaped (~ as ~0, / as ~1), to b: 0 or -1 when out of memory. */
int gitops_jsonpointer_append(struct gitops_buf *b, const char *token);

/*
 * A string (a pointer, a key) as messages show it: in double quotes, '"' and
 * '\\' escaped, control bytes as \n, \t or \xNN, cut with "..." when long.
 * Writes into buf (at least 16 bytes) and returns it.
 */
const char *gitops_jsonpointer_quote(char *buf, size_t size, const char *s);

/* --- JSON Patch (RFC 6902) --- */

struct gitops_jsonpatch_options {
	size_t max_nodes;  /* an operation may not make the document hold more nodes than this */
	size_t max_depth;  /* nor nest what it adds deeper than this */
};

#define GITOPS_JSONPATCH_OPTIONS_INIT { 4000000, 1000 }

/*
 * Apply patch (a sequence of operation mappings) to *doc, all or nothing;
 * *doc may be any value, and "" operations replace it whole.  Members an
 * operation does not use are ignored; one it uses written twice is an error.
 * Numbers compare by value in "test" (1 equals 1.0), mappings in any order.
 */
int gitops_jsonpatch_apply(cJSON **doc, const cJSON *patch, struct gitops_err *err);
/* The same with limits (opts NULL: GITOPS_JSONPATCH_OPTIONS_INIT). */
int gitops_jsonpatch_apply_opts(cJSON **doc, const cJSON *patch, const struct gitops_jsonpatch_options *opts,
				struct gitops_err *err);
/*
 * The same on *doc itself, without the copy that makes it all or nothing:
 * after a failure *doc is a whole tree but may hold some operations' work.
 * For a caller that patches a copy of its own and drops it on failure.
 */
int gitops_jsonpatch_apply_in_place(cJSON **doc, const cJSON *patch, struct gitops_err *err);

#endif
