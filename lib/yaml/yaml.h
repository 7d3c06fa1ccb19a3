/*
 * yaml.h: YAML streams <-> cJSON trees, through libyaml's parser and emitter.
 *
 * Ownership of cJSON trees, for every module: a function that returns a
 * cJSON * through `out` hands the caller the whole tree, to be freed with
 * cJSON_Delete.  Functions taking `const cJSON *` borrow it.  Attaching an
 * item to a parent (cJSON_AddItemTo*) moves its ownership to the parent.
 *
 * Scalars are resolved as Kubernetes' own YAML reader (go-yaml v2 under
 * sigs.k8s.io/yaml) resolves them: YAML 1.1 booleans (yes/no/on/off/y/n),
 * nulls, base-prefixed and octal integers, floats.  Timestamps stay strings.
 * Integers and floats are kept apart, integers exact to any length: the
 * value tree of lib/value/value.h.
 */
#ifndef GITOPS_YAML_H
#define GITOPS_YAML_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"

/* Limits that turn hostile input into an input error, never a crash or OOM. */
struct gitops_limits {
	size_t max_depth;          /* nesting of mappings/sequences */
	size_t max_nodes;          /* nodes in one document, alias copies included */
	size_t max_alias_nodes;    /* nodes created by alias expansion in one document */
	size_t max_document_bytes; /* size of one document, also with its aliases expanded */
	size_t max_stream_bytes;   /* size of one whole input */
};

#define GITOPS_LIMITS_INIT                                                                                 \
	{ .max_depth = 256, .max_nodes = 4000000, .max_alias_nodes = 1000000, .max_document_bytes = 32u << 20, \
	  .max_stream_bytes = 1u << 30 }

/* A document read from a stream. */
struct gitops_yaml_doc {
	cJSON *root;        /* owned by the caller once returned; NULL for an empty document */
	size_t index;       /* 1-based position in the input, empty documents counted */
	size_t line;        /* 1-based line, column of the document's content */
	size_t column;
	int flow;           /* the root is a flow (JSON-style) collection */
	size_t *item_lines; /* lines of the elements of a root key "items" sequence; owned */
	size_t n_item_lines;
};

void gitops_yaml_doc_release(struct gitops_yaml_doc *doc);

/* An end-of-stream marker comment ("# gitops: end of stream (N objects)") found between documents. */
struct gitops_yaml_marker {
	size_t line;        /* 1-based */
	size_t count;       /* N */
};

struct gitops_yaml_reader;

/*
 * A reader over a file descriptor (not closed by the reader) or a memory
 * buffer (borrowed; must outlive the reader).  `name` names the input in
 * messages ("<stdin>", a path); it is copied.
 */
int gitops_yaml_reader_fd(struct gitops_yaml_reader **out, int fd, const char *name,
			  const struct gitops_limits *limits, struct gitops_err *err);
int gitops_yaml_reader_mem(struct gitops_yaml_reader **out, const void *data, size_t len,
			   const char *name, const struct gitops_limits *limits, struct gitops_err *err);

/*
 * Next document: 1 and *out filled (root NULL for an empty document), 0 at
 * the end of the stream, -1 on error with a message "NAME:LINE:COL: ...".
 * After an error the reader only returns errors.
 */
int gitops_yaml_reader_next(struct gitops_yaml_reader *r, struct gitops_yaml_doc *out, struct gitops_err *err);

/*
 * Markers confirmed to lie before `line` (1-based; SIZE_MAX for "all",
 * at the end of the stream): removes the first one from the queue into *out
 * and returns 1, or returns 0.
 */
int gitops_yaml_reader_pop_marker(struct gitops_yaml_reader *r, size_t line, struct gitops_yaml_marker *out);
/* Marker lines seen that could not all be kept (more than the queue holds). */
int gitops_yaml_reader_marker_overflow(const struct gitops_yaml_reader *r);

const char *gitops_yaml_reader_name(const struct gitops_yaml_reader *r);
/*
 * Read scalars as kustomize does, not as kubectl: kyaml reads with go-yaml
 * v3, where only true/false (True, TRUE, ...) are booleans, so yes/no/on/
 * off/y/n stay strings; the rest is go-yaml v2's, and a plain timestamp
 * becomes the RFC 3339 text Go's JSON writes for a time
 * ("2001-12-14" -> "2001-12-14T00:00:00Z").
 */
void gitops_yaml_reader_set_kyaml(struct gitops_yaml_reader *r, int on);
/*
 * A memory reader only, before its first document: take the events of
 * lib/yaml/fastyaml.c, a one-pass scanner for the common subset of YAML,
 * when the whole buffer lies in that subset; libyaml reads it otherwise.
 * Documents, errors, limits and markers come out the same either way.
 */
void gitops_yaml_reader_set_fast(struct gitops_yaml_reader *r, int on);
/*
 * In kyaml mode, a scalar written quoted or as a block carries this bit in
 * its type (next to lib/value's GITOPS_VALUE_INT; copies keep it, printing
 * ignores it): kyaml's merge keeps the style of what it merges into, so a
 * number merged over a quoted string stays a string.
 */
#define GITOPS_YAML_QUOTED (1 << 14)
/* In kyaml mode, a mapping or sequence written in flow style ({a: b}, [a]) carries this bit. */
#define GITOPS_YAML_FLOW (1 << 15)
void gitops_yaml_reader_free(struct gitops_yaml_reader *r);

/* Parse a whole buffer that must hold exactly one document (or none: *out = NULL). */
int gitops_yaml_parse_one(cJSON **out, const void *data, size_t len, const char *name,
			  const struct gitops_limits *limits, struct gitops_err *err);
/* The same, with the line of the document's root node (1-based; as gitops_yaml_doc's line) in *line. */
int gitops_yaml_parse_one_at(cJSON **out, size_t *line, const void *data, size_t len, const char *name,
			     const struct gitops_limits *limits, struct gitops_err *err);

/*
 * A file of at most 1 MiB holding one YAML mapping (an options file:
 * Argo CD's source.helm or source.kustomize fields) into *out (the
 * caller's).  Not a mapping: GITOPS_EXIT_USAGE, "FILE: not a mapping of
 * WHAT".
 */
int gitops_yaml_read_mapping_file(cJSON **out, const char *file, const char *what, const struct gitops_limits *limits,
				  struct gitops_err *err);

/* --- writer --- */

/* Where emitted bytes go: return 0, or -1 to stop the writer. */
typedef int (*gitops_write_fn)(void *ctx, const void *data, size_t len, struct gitops_err *err);

struct gitops_yaml_writer;

int gitops_yaml_writer_new(struct gitops_yaml_writer **out, gitops_write_fn write, void *ctx,
			   struct gitops_err *err);
/* One document: "---" then the tree in block style, two-space indent. */
int gitops_yaml_writer_doc(struct gitops_yaml_writer *w, const cJSON *root, struct gitops_err *err);
/* End the YAML stream and flush; raw text may follow through the write callback. */
int gitops_yaml_writer_end(struct gitops_yaml_writer *w, struct gitops_err *err);
void gitops_yaml_writer_free(struct gitops_yaml_writer *w);
/*
 * Every document through libyaml's emitter, none written straight into a
 * buffer (the tests check that both give the same bytes).
 */
void gitops_yaml_writer_libyaml_only(struct gitops_yaml_writer *w);

/* One tree as a YAML document into a malloc'ed string (caller frees). */
int gitops_yaml_dump(char **out, const cJSON *root, struct gitops_err *err);

#endif
