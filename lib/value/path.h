/*
 * path.h: one path grammar for the whole project, and the paths' surface syntaxes.
 *
 * A parsed path is a sequence of steps (a mapping key, a sequence index,
 * the append position '-', every item '*', the items matching
 * '[key=value]') with flags.  Five surface syntaxes parse into it:
 *
 *   GITOPS_PATH_YAMLEDIT     gitops-bump --set: `a.b[0][name=web].image`,
 *                            '\' escapes the next character in a key
 *   GITOPS_PATH_FIELDSPEC    a Kustomize fieldspec `path:`: `spec/template/metadata/labels`,
 *                            `spec/containers[]/image`, `\/` for a '/' in a key;
 *                            a sequence met where a key is due is walked into
 *                            (every item), with or without `[]`, as Kustomize
 *                            does; `name[]` only says the member is a sequence,
 *                            which `create` never makes
 *   GITOPS_PATH_REPLACEMENT  a Kustomize replacement fieldPath (kyaml's
 *                            SmarterPathSplitter + PathMatcher/PathGetter):
 *                            `spec.containers.[name=app].image`, `[=v]` for a
 *                            primitive item, `[a.b/c]` a key holding dots,
 *                            `*` every element, `-` append, `0` an index
 *                            (a key on a mapping), `\.` a dot in a key.
 *                            Stricter than kyaml: a '[' never closed is an
 *                            error, `[x]` is the key x; `[k=v]` compares v
 *                            as text (kyaml compiles it as a regexp)
 *   GITOPS_PATH_POINTER      a JSON Pointer (RFC 6901): "" the root, `/a/0/-`, `~0` `~1`;
 *                            "0" and "-" are keys on a mapping
 *   GITOPS_PATH_HELM         the key part of Helm's --set: `a.b[0].c`, '\' escapes
 *
 * Helm's --set, --set-string, --set-json and --set-literal arguments
 * (`a.b=1,c={x,y}`) are applied to a values tree by gitops_path_helm_set,
 * with Helm's own rules (pkg/strvals) and messages.
 *
 * A match `[k=v]` holds an item whose member k (the item itself for
 * `[=v]`) is the string v, or a number or boolean written as v.  Creating
 * replaces a null met on the way by a mapping or sequence, as Helm and
 * JSON merge do.
 *
 * Errors are one line and name the path and the column of the offending
 * character: `path "a.[x": unterminated '[' at column 3` (GITOPS_EXIT_USAGE).
 * The yamledit syntax keeps gitops-bump's messages (`invalid path 'a..b':
 * empty key`); Helm's --set keeps Helm's (`key "a" has no value`), for the
 * caller to prefix as Helm does ("failed parsing --set data: ").
 *
 * Ownership: a struct gitops_path owns its steps and their strings
 * (gitops_path_release frees them).  Functions borrow the trees they are
 * given; gitops_path_set takes `value` (as cJSON_AddItemTo* do, also when it
 * fails); gitops_path_get returns borrowed pointers into the tree in a
 * malloc'ed array (free the array only); gitops_path_format returns a
 * malloc'ed string (free).
 */
#ifndef GITOPS_PATH_H
#define GITOPS_PATH_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"

enum gitops_path_syntax {
	GITOPS_PATH_YAMLEDIT,
	GITOPS_PATH_FIELDSPEC,
	GITOPS_PATH_REPLACEMENT,
	GITOPS_PATH_POINTER,
	GITOPS_PATH_HELM,
};

enum gitops_path_kind {
	GITOPS_PATH_KEY,        /* a mapping's member `key` */
	GITOPS_PATH_INDEX,      /* a sequence's item `index` */
	GITOPS_PATH_APPEND,     /* one past a sequence's last item ('-') */
	GITOPS_PATH_ALL,        /* every item of a sequence ('*') */
	GITOPS_PATH_MATCH,      /* the items whose member `key` is the string `value`; key "": the items equal to it */
};

/* A step's flags */
#define GITOPS_PATH_STEP_SEQ 1u         /* fieldspec `name[]`: the member should be a sequence; never created */

struct gitops_path_step {
	enum gitops_path_kind kind;
	/*
	 * KEY: the key.  MATCH: the item's key ("" for a primitive item).
	 * INDEX, APPEND: the step's text when a mapping may take it as a key
	 * instead (JSON Pointer "0" and "-", Kustomize "0"), else NULL.
	 */
	char *key;
	char *value;            /* MATCH: the value to match */
	size_t index;           /* INDEX */
	size_t column;          /* 1-based column of the step's first character in the text */
	unsigned flags;         /* GITOPS_PATH_STEP_* */
};

/* A path's flags */
#define GITOPS_PATH_CREATE 1u           /* set: create what is missing (Kustomize `create: true`, --create) */
#define GITOPS_PATH_WALK_SEQ 2u         /* a sequence met where a key is due: each of its items (fieldspecs) */

/* At most this many steps (and Helm nesting levels): deeper trees are not built. */
#define GITOPS_PATH_MAX_STEPS 512

struct gitops_path {
	struct gitops_path_step *steps;
	size_t n;
	unsigned flags;         /* GITOPS_PATH_CREATE, GITOPS_PATH_WALK_SEQ */
	char *text;             /* the text parsed (owned), for messages */
};

#define GITOPS_PATH_INIT { NULL, 0, 0, NULL }

/* "yamledit", "fieldspec", "replacement", "pointer", "helm" */
const char *gitops_path_syntax_name(enum gitops_path_syntax syntax);

/*
 * Parse `text` in `syntax` into *out (released first; flags ORed with the
 * syntax's own, e.g. GITOPS_PATH_WALK_SEQ for fieldspecs).  -1 with a
 * message naming the path and the column (GITOPS_EXIT_USAGE).
 */
int gitops_path_parse(struct gitops_path *out, enum gitops_path_syntax syntax, const char *text, unsigned flags,
		      struct gitops_err *err);
void gitops_path_release(struct gitops_path *p);

/*
 * The path written in `syntax` (malloc'ed, *out): parsing it again gives
 * the same steps.  -1 when the syntax cannot say a step (a match in a JSON
 * Pointer, '[]' in a Helm key) or a key (a yamledit match value holding
 * ']'), GITOPS_EXIT_USAGE.
 */
int gitops_path_format(char **out, const struct gitops_path *p, enum gitops_path_syntax syntax,
		       struct gitops_err *err);

/*
 * yamledit: the '=' that ends the path in `PATH=VALUE` (not one escaped
 * or inside '[...]'), or NULL.
 */
char *gitops_path_assignment_split(const char *arg);

/* --- operations on a tree --- */

/*
 * Every node the path reaches (wildcards and matches give several), in
 * tree order: *out a malloc'ed array of *n borrowed pointers (NULL when
 * none).  A path that leads nowhere is not an error.  -1 only when out of
 * memory.
 */
int gitops_path_get(const cJSON ***out, size_t *n, const cJSON *root, const struct gitops_path *p,
		    struct gitops_err *err);

/*
 * Set every place the path reaches to `value` (taken; copies for places
 * after the first).  With GITOPS_PATH_CREATE, missing members are created
 * (a mapping, or a sequence when the next step is an index, '-' or a
 * match), '-' and an index one past the end append, and a match that
 * finds no item appends {key: value} (or the value, for `[=v]`).  Returns
 * the number of places set (0: the path leads nowhere), or -1 with
 * `path "a.b": cannot create "b" in a string at column 3` when a step
 * must go through a node of the wrong kind to create.
 */
int gitops_path_set(cJSON *root, const struct gitops_path *p, cJSON *value, struct gitops_err *err);

/* Remove every node the path reaches.  Returns how many, or -1.  The root itself is not removed. */
int gitops_path_delete(cJSON *root, const struct gitops_path *p, struct gitops_err *err);

/* --- Helm's --set --- */

enum gitops_path_helm_mode {
	GITOPS_PATH_HELM_SET,           /* --set: true/false/null, int64, else string */
	GITOPS_PATH_HELM_SET_STRING,    /* --set-string: strings */
	GITOPS_PATH_HELM_SET_JSON,      /* --set-json: each value is JSON (numbers are float64, as in Go) */
	GITOPS_PATH_HELM_SET_LITERAL,   /* --set-literal: one key, the rest of the argument its string */
};

/*
 * Apply one --set argument (`a.b=1,c[0]=x`) to the mapping `values`, as
 * Helm's strvals.ParseInto and friends build the values map: typed
 * values, `{a,b}` lists, `\` escapes, nulls filling a sequence up to an
 * index (at most 65536), `key=null` storing a null (which Helm's
 * coalescing later turns into a removal, see gitops_value_coalesce).
 * -1 with Helm's own message (GITOPS_EXIT_USAGE); `values` may then hold
 * part of the argument, as in Helm.
 */
int gitops_path_helm_set(cJSON *values, const char *arg, enum gitops_path_helm_mode mode, struct gitops_err *err);

#endif
