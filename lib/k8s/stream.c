#include "lib/k8s/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/k8s/object.h"
#include "lib/yaml/emit.h"
#include "lib/value/jsonio.h"

struct gitops_stream_reader {
	struct gitops_yaml_reader *y;
	int flags;
	struct gitops_yaml_doc list;     /* a List being flattened */
	size_t list_next;                /* 0-based index of its next item */
	size_t objects, seg_objects, markers;
	int bad;
	char problem[256];
	int finished;
};

static int reader_wrap(struct gitops_stream_reader **out, struct gitops_yaml_reader *y, int flags,
		       struct gitops_err *err)
{
	struct gitops_stream_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		gitops_yaml_reader_free(y);
		return gitops_err_oom(err);
	}
	r->y = y;
	r->flags = flags;
	*out = r;
	return 0;
}

int gitops_stream_reader_fd(struct gitops_stream_reader **out, int fd, const char *name,
			    const struct gitops_limits *limits, int flags, struct gitops_err *err)
{
	struct gitops_yaml_reader *y;

	if (gitops_yaml_reader_fd(&y, fd, name, limits, err) < 0)
		return -1;
	return reader_wrap(out, y, flags, err);
}

int gitops_stream_reader_mem(struct gitops_stream_reader **out, const void *data, size_t len,
			     const char *name, const struct gitops_limits *limits, int flags,
			     struct gitops_err *err)
{
	struct gitops_yaml_reader *y;

	if (gitops_yaml_reader_mem(&y, data, len, name, limits, err) < 0)
		return -1;
	gitops_yaml_reader_set_fast(y, 1); /* held whole: the fast event source may take it */
	return reader_wrap(out, y, flags, err);
}

void gitops_stream_reader_free(struct gitops_stream_reader *r)
{
	if (!r)
		return;
	gitops_yaml_doc_release(&r->list);
	gitops_yaml_reader_free(r->y);
	free(r);
}

/* Account for the markers that came before `line`. */
static void take_markers(struct gitops_stream_reader *r, size_t line)
{
	struct gitops_yaml_marker m;

	while (gitops_yaml_reader_pop_marker(r->y, line, &m)) {
		r->markers++;
		if (m.count != r->seg_objects && !r->bad) {
			r->bad = 1;
			snprintf(r->problem, sizeof(r->problem),
				 "the marker at line %zu counts %zu objects, but %zu came before it",
				 m.line, m.count, r->seg_objects);
		}
		r->seg_objects = 0;
	}
}

static int object_error(struct gitops_stream_reader *r, size_t line, size_t doc, size_t item, const char *msg,
			struct gitops_err *err)
{
	if (item)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu, item %zu: %s",
				      gitops_yaml_reader_name(r->y), line, doc, item, msg);
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: document %zu: %s", gitops_yaml_reader_name(r->y),
			      line, doc, msg);
}

/* Hand out the next item of the List being flattened: 1, or 0 when it has none left. */
static int next_item(struct gitops_stream_reader *r, struct gitops_object *out, struct gitops_err *err)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(r->list.root, "items"), *item;
	struct gitops_err e = GITOPS_ERR_INIT;
	size_t idx = r->list_next, line;

	item = cJSON_IsArray(items) ? items->child : NULL;
	if (!item) {
		gitops_yaml_doc_release(&r->list);
		return 0;
	}
	line = idx < r->list.n_item_lines ? r->list.item_lines[idx] : r->list.line;
	if (gitops_object_check_flags(item, r->flags & GITOPS_STREAM_NAMES_LENIENT ? GITOPS_OBJECT_NAMES_LENIENT : 0, &e) < 0)
		return object_error(r, line, r->list.index, idx + 1, e.msg, err);
	if (gitops_object_is_list(item))
		return object_error(r, line, r->list.index, idx + 1, "a List inside a List is not supported", err);
	cJSON_DetachItemViaPointer(items, item);
	r->list_next++;
	out->json = item;
	out->source = gitops_yaml_reader_name(r->y);
	out->doc = r->list.index;
	out->line = line;
	out->item = idx + 1;
	r->objects++;
	r->seg_objects++;
	return 1;
}

int gitops_stream_read(struct gitops_stream_reader *r, struct gitops_object *out, struct gitops_err *err)
{
	struct gitops_yaml_doc doc;
	struct gitops_err e = GITOPS_ERR_INIT;
	int n;

	memset(out, 0, sizeof(*out));
	for (;;) {
		if (r->list.root) {
			n = next_item(r, out, err);
			if (n != 0)
				return n;
		}
		n = gitops_yaml_reader_next(r->y, &doc, err);
		if (n < 0)
			return -1;
		if (n == 0) {
			take_markers(r, (size_t)-1);
			r->finished = 1;
			return 0;
		}
		take_markers(r, doc.line);
		if (!doc.root) {
			gitops_yaml_doc_release(&doc);
			continue;
		}
		if (!(r->flags & GITOPS_STREAM_RAW)) {
			if (gitops_object_check_flags(doc.root,
						      r->flags & GITOPS_STREAM_NAMES_LENIENT ? GITOPS_OBJECT_NAMES_LENIENT : 0,
						      &e) < 0) {
				object_error(r, doc.line, doc.index, 0, e.msg, err);
				gitops_yaml_doc_release(&doc);
				return -1;
			}
			if (gitops_object_is_list(doc.root)) {
				r->list = doc;
				r->list_next = 0;
				continue;
			}
		}
		out->json = doc.root;
		out->source = gitops_yaml_reader_name(r->y);
		out->doc = doc.index;
		out->line = doc.line;
		doc.root = NULL;
		gitops_yaml_doc_release(&doc);
		r->objects++;
		r->seg_objects++;
		return 1;
	}
}

void gitops_stream_reader_status(const struct gitops_stream_reader *r, struct gitops_stream_status *out)
{
	memset(out, 0, sizeof(*out));
	out->objects = r->objects;
	out->markers = r->markers;
	if (!r->markers && !gitops_yaml_reader_marker_overflow(r->y)) {
		out->marker = GITOPS_MARKER_NONE;
		return;
	}
	out->marker = GITOPS_MARKER_BAD;
	if (gitops_yaml_reader_marker_overflow(r->y))
		snprintf(out->problem, sizeof(out->problem), "too many end-of-stream markers");
	else if (r->bad)
		snprintf(out->problem, sizeof(out->problem), "%s", r->problem);
	else if (r->seg_objects)
		snprintf(out->problem, sizeof(out->problem),
			 "%zu object%s after the last marker (did the producer stop mid-stream?)",
			 r->seg_objects, r->seg_objects == 1 ? "" : "s");
	else if (!r->finished)
		snprintf(out->problem, sizeof(out->problem), "the stream was not read to its end");
	else
		out->marker = GITOPS_MARKER_OK;
}

int gitops_stream_require_complete(const struct gitops_stream_reader *r, struct gitops_err *err)
{
	struct gitops_stream_status st;

	gitops_stream_reader_status(r, &st);
	if (st.marker == GITOPS_MARKER_OK)
		return 0;
	if (st.marker == GITOPS_MARKER_NONE)
		return gitops_err_set(err, GITOPS_EXIT_UNSAFE,
				      "%s: no end-of-stream marker: the stream may be incomplete",
				      gitops_yaml_reader_name(r->y));
	return gitops_err_set(err, GITOPS_EXIT_UNSAFE, "%s: end-of-stream check failed: %s",
			      gitops_yaml_reader_name(r->y), st.problem);
}

int gitops_stream_check_empty(const struct gitops_stream_status *st, const char *name, struct gitops_err *err)
{
	if (st->objects || st->marker != GITOPS_MARKER_NONE)
		return 0;
	return gitops_err_set(err, GITOPS_EXIT_INPUT,
			      "%s: empty input and no end-of-stream marker (did the program before this one fail?); "
			      "--allow-empty-input accepts it", name);
}

/* ---------------------------------------------------------------- writer */

struct gitops_stream_writer {
	enum gitops_format format;
	struct gitops_yaml_writer *yaml;
	struct gitops_yaml_emitter *go;  /* YAML as go-yaml v2 prints it (kubectl kustomize), when asked */
	gitops_write_fn write;
	void *ctx;
	size_t count;
	int finished;
	int pieces;                      /* gitops_stream_writer_pieces */
};

/* the size of the pieces an object's go-yaml text may reach the writer in */
#define PIECE (64u << 10)

int gitops_stream_writer_new(struct gitops_stream_writer **out, enum gitops_format format,
			     gitops_write_fn write, void *ctx, struct gitops_err *err)
{
	struct gitops_stream_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return gitops_err_oom(err);
	w->format = format;
	w->write = write;
	w->ctx = ctx;
	if (format == GITOPS_FORMAT_YAML && gitops_yaml_writer_new(&w->yaml, write, ctx, err) < 0) {
		free(w);
		return -1;
	}
	*out = w;
	return 0;
}

static int raw_write(struct gitops_stream_writer *w, const char *s, struct gitops_err *err)
{
	if (w->write(w->ctx, s, strlen(s), err) < 0)
		return err->msg[0] ? -1 : gitops_err_set(err, GITOPS_EXIT_IO, "cannot write the output");
	return 0;
}

int gitops_stream_writer_put(struct gitops_stream_writer *w, const cJSON *obj, struct gitops_err *err)
{
	char *text;
	int ret;

	if (w->format == GITOPS_FORMAT_YAML && w->go) {
		if (gitops_yaml_emitter_doc(w->go, obj, err) < 0)
			return -1;
		w->count++;
		return 0;
	}
	if (w->format == GITOPS_FORMAT_YAML) {
		if (gitops_yaml_writer_doc(w->yaml, obj, err) < 0)
			return -1;
		w->count++;
		return 0;
	}
	if (raw_write(w, w->count ? ",\n" : "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[\n", err) < 0)
		return -1;
	text = gitops_json_text(obj);
	if (!text)
		return gitops_err_oom(err);
	ret = raw_write(w, text, err);
	free(text);
	if (ret == 0)
		w->count++;
	return ret;
}

int gitops_stream_writer_finish_as(struct gitops_stream_writer *w, enum gitops_stream_end end,
				   struct gitops_err *err)
{
	char line[96];

	if (w->finished)
		return 0;
	w->finished = 1;
	if (w->format == GITOPS_FORMAT_JSON)
		return raw_write(w, w->count ? "\n]}\n" : "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[]}\n", err);
	if (!w->go && gitops_yaml_writer_end(w->yaml, err) < 0)
		return -1;
	if (end != GITOPS_STREAM_COMPLETE)
		return 0;
	snprintf(line, sizeof(line), "# gitops: end of stream (%zu objects)\n", w->count);
	return raw_write(w, line, err);
}

int gitops_stream_writer_finish(struct gitops_stream_writer *w, struct gitops_err *err)
{
	return gitops_stream_writer_finish_as(w, GITOPS_STREAM_COMPLETE, err);
}

size_t gitops_stream_writer_count(const struct gitops_stream_writer *w)
{
	return w->count;
}

void gitops_stream_writer_free(struct gitops_stream_writer *w)
{
	if (!w)
		return;
	gitops_yaml_writer_free(w->yaml);
	gitops_yaml_emitter_free(w->go);
	free(w);
}

int gitops_stream_writer_go_yaml(struct gitops_stream_writer *w, struct gitops_err *err)
{
	if (w->format != GITOPS_FORMAT_YAML || w->go)
		return 0;
	if (w->count)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "the YAML style is chosen before the first object");
	if (gitops_yaml_emitter_new(&w->go, w->write, w->ctx, NULL, err) < 0)
		return -1;
	if (w->pieces)
		gitops_yaml_emitter_pieces(w->go, PIECE);
	return 0;
}

void gitops_stream_writer_pieces(struct gitops_stream_writer *w)
{
	w->pieces = 1;
	if (w->go)
		gitops_yaml_emitter_pieces(w->go, PIECE);
}
