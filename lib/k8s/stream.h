/*
 * stream.h: streams of Kubernetes objects, the contract between the programs.
 *
 * Reading: YAML (or JSON) documents; empty documents skipped; `kind: List`
 * (and any *List with items) flattened; every object checked (mapping,
 * apiVersion, kind, metadata.name).  Errors name the input, line and
 * document: "in.yaml:12: document 3: missing metadata.name".
 *
 * The end-of-stream marker "# gitops: end of stream (N objects)" closes every
 * stream a gitops program writes whose objects are known to be all there are.
 * A reader counts the objects before each marker; gitops_stream_reader_status()
 * says whether the stream was closed by a marker whose count matched.
 * Completeness passes on, never appears: a program that passes a stream on
 * ends it with the marker only if its own input carried a valid one (or it
 * built every object itself from files it read whole); otherwise it ends it
 * with gitops_stream_writer_finish_as(w, GITOPS_STREAM_UNVOUCHED, err).
 */
#ifndef GITOPS_STREAM_H
#define GITOPS_STREAM_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/k8s/object.h"
#include "lib/yaml/yaml.h"

enum gitops_stream_flags {
	GITOPS_STREAM_RAW = 1,  /* any YAML documents: no checks, no List flattening */
	GITOPS_STREAM_NAMES_LENIENT = 2 /* names' and namespaces' syntax not checked (GITOPS_OBJECT_NAMES_LENIENT) */
};

struct gitops_stream_reader;

int gitops_stream_reader_fd(struct gitops_stream_reader **out, int fd, const char *name,
			    const struct gitops_limits *limits, int flags, struct gitops_err *err);
int gitops_stream_reader_mem(struct gitops_stream_reader **out, const void *data, size_t len,
			     const char *name, const struct gitops_limits *limits, int flags,
			     struct gitops_err *err);

/* Next object: 1 (out filled, caller owns out->json), 0 at the end, -1 on error. */
int gitops_stream_read(struct gitops_stream_reader *r, struct gitops_object *out, struct gitops_err *err);

enum gitops_marker_state {
	GITOPS_MARKER_NONE,     /* no marker in the stream */
	GITOPS_MARKER_OK,       /* closed by a marker; every marker's count matched */
	GITOPS_MARKER_BAD       /* a count did not match, or objects follow the last marker */
};

struct gitops_stream_status {
	enum gitops_marker_state marker;
	size_t objects;         /* objects read */
	size_t markers;         /* marker lines seen */
	char problem[256];      /* for GITOPS_MARKER_BAD: what was wrong */
};

/* Meaningful once gitops_stream_read returned 0. */
void gitops_stream_reader_status(const struct gitops_stream_reader *r, struct gitops_stream_status *out);
/* 0 if the stream was closed by a matching marker, else -1 with GITOPS_EXIT_UNSAFE. */
int gitops_stream_require_complete(const struct gitops_stream_reader *r, struct gitops_err *err);
/*
 * An input `name` that held no object and no marker cannot be told from the
 * output of a producer that failed before writing anything: -1 with
 * GITOPS_EXIT_INPUT for it (the caller's --allow-empty-input skips the call),
 * else 0.  A BAD status is the caller's to report.
 */
int gitops_stream_check_empty(const struct gitops_stream_status *st, const char *name, struct gitops_err *err);
void gitops_stream_reader_free(struct gitops_stream_reader *r);

/* --- writing --- */

enum gitops_format { GITOPS_FORMAT_YAML, GITOPS_FORMAT_JSON };

struct gitops_stream_writer;

int gitops_stream_writer_new(struct gitops_stream_writer **out, enum gitops_format format,
			     gitops_write_fn write, void *ctx, struct gitops_err *err);
/* Write one object (borrowed). */
int gitops_stream_writer_put(struct gitops_stream_writer *w, const cJSON *obj, struct gitops_err *err);
/* How a YAML stream ends. */
enum gitops_stream_end {
	GITOPS_STREAM_COMPLETE,  /* with the end-of-stream marker: every object is there */
	GITOPS_STREAM_UNVOUCHED  /* without it: the input carried none, so nothing says it was whole */
};
/* Close the stream: YAML ends as `end` says; JSON closes the List (it never carries a marker). */
int gitops_stream_writer_finish_as(struct gitops_stream_writer *w, enum gitops_stream_end end,
				   struct gitops_err *err);
/* gitops_stream_writer_finish_as(w, GITOPS_STREAM_COMPLETE, err). */
int gitops_stream_writer_finish(struct gitops_stream_writer *w, struct gitops_err *err);
/*
 * Write YAML as go-yaml v2 prints it (lib/yaml/emit.h: the bytes of
 * `kubectl kustomize`) instead of libyaml's style; before the first object.
 */
int gitops_stream_writer_go_yaml(struct gitops_stream_writer *w, struct gitops_err *err);
/*
 * The writer's output is thrown away when anything fails (a spool): an
 * object's go-yaml text may reach it in pieces (gitops_yaml_emitter_pieces),
 * and a big object is never held whole.
 */
void gitops_stream_writer_pieces(struct gitops_stream_writer *w);
size_t gitops_stream_writer_count(const struct gitops_stream_writer *w);
void gitops_stream_writer_free(struct gitops_stream_writer *w);

#endif
