/*
 * yaml.c: libyaml events -> cJSON trees (one document at a time, with
 * limits), and cJSON trees -> libyaml's emitter.
 */
#include "lib/yaml/fastyaml.h"
#include "lib/yaml/scalar.h"
#include "lib/yaml/yaml.h"
#include "lib/value/value.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "lib/base/buf.h"
#include "lib/base/json.h"

#define TAG_PREFIX "tag:yaml.org,2002:"
#define MARKER_PREFIX "# gitops: end of stream ("
#define MARKER_MAX (1u << 20)   /* markers waiting to be checked; beyond: overflow */
#define KEYSET_FROM 16

/* ---------------------------------------------------------------- reader */

struct keyset {
	const char **slots;
	size_t cap, n;
};

struct frame {
	cJSON *node;
	int is_map;
	char *key;              /* pending mapping key; owned */
	yaml_mark_t key_mark;   /* where that key starts */
	int key_is_merge;
	char *anchor;           /* registered when the collection ends; owned */
	size_t nodes_at_start;
	size_t bytes_at_start;
	cJSON *merges;          /* mappings to merge in at the end; owned */
	struct keyset keys;
	size_t nkeys;
	int item_lines;         /* this is the root's "items" sequence */
};

struct anchor {
	char *name;
	const cJSON *node;      /* borrowed from the document tree */
	size_t size;            /* nodes in the subtree */
	size_t bytes;           /* text of its scalars, keys and values, aliases expanded */
};

/* live entries are m[head..n) */
struct marker_queue {
	struct gitops_yaml_marker *m;
	size_t head, n, cap;
};

struct gitops_yaml_reader {
	yaml_parser_t parser;      /* made when libyaml is first needed (parser_ready): the fast source never needs it */
	int parser_ready;
	char *name;
	int kyaml; /* read scalars as kustomize does (gitops_yaml_reader_set_kyaml) */
	struct gitops_limits limits;

	int fd;
	const unsigned char *mem;
	size_t mem_len, mem_off;

	size_t total;            /* bytes handed to libyaml */
	size_t doc_start_bytes;  /* total when the previous document ended */
	int input_failure;       /* 0, or why read_handler stopped */
	int input_done;          /* the end of the input was read */
	int io_errno;

	/* the last two chunks, to find the line of an encoding error */
	unsigned char *chunk[2];
	size_t chunk_len[2], chunk_off[2], chunk_line[2];

	/* marker comments found while reading, by line */
	size_t scan_line;
	size_t last_line_chars;  /* characters after the last line break read */
	int at_line_start, collecting;
	int cr;                  /* the last byte scanned was '\r' */
	unsigned char pend[2];   /* the start of a multi-byte line break */
	size_t npend;
	char linebuf[96];
	size_t linelen;
	struct marker_queue cand, conf;
	int marker_overflow;

	/* document state */
	size_t doc_index;
	int in_doc;
	yaml_mark_t content_end; /* end of the last scalar, alias or flow collection */
	int content_seen;
	size_t doc_start_index;
	int failed, done;
	struct gitops_err saved;
	struct frame *stack;
	size_t depth, stack_cap;
	struct anchor *anchors;
	size_t nanchors, anchors_cap;
	size_t nodes, alias_nodes;
	size_t bytes;            /* text of the document's scalars so far, keys included, aliases expanded */
	size_t alias_bytes;      /* the part of it that alias expansion added */
	cJSON *graveyard;        /* merge sources kept alive until the document ends */
	struct gitops_yaml_doc doc;
	size_t item_cap;

	/* the events of lib/yaml/fastyaml.c, when asked for and the whole buffer is in its subset */
	int fast;                /* FAST_* */
	struct gitops_fastyaml *fy;
};

enum { FAST_OFF, FAST_WANTED, FAST_ON };

enum { FAIL_NONE, FAIL_DOC_SIZE, FAIL_STREAM_SIZE, FAIL_IO };

void gitops_yaml_doc_release(struct gitops_yaml_doc *doc)
{
	cJSON_Delete(doc->root);
	free(doc->item_lines);
	memset(doc, 0, sizeof(*doc));
}

static void marker_push(struct gitops_yaml_reader *r, struct marker_queue *q, size_t line, size_t count)
{
	if (q->n == q->cap) {
		if (q->head) {
			memmove(q->m, q->m + q->head, (q->n - q->head) * sizeof(*q->m));
			q->n -= q->head;
			q->head = 0;
		} else {
			size_t cap = q->cap ? q->cap * 2 : 16;
			struct gitops_yaml_marker *m = cap <= MARKER_MAX ? realloc(q->m, cap * sizeof(*m)) : NULL;
			if (!m) {
				r->marker_overflow = 1;
				return;
			}
			q->m = m;
			q->cap = cap;
		}
	}
	q->m[q->n].line = line;
	q->m[q->n].count = count;
	q->n++;
}

/* "# gitops: end of stream (N objects)" with optional trailing blanks */
static void scan_finish_line(struct gitops_yaml_reader *r)
{
	const char *s = r->linebuf, *p;
	size_t plen = strlen(MARKER_PREFIX), count = 0, digits = 0;

	r->linebuf[r->linelen] = '\0';
	if (r->linelen >= sizeof(r->linebuf) - 1 || strncmp(s, MARKER_PREFIX, plen) != 0)
		return;
	for (p = s + plen; *p >= '0' && *p <= '9'; p++, digits++) {
		if (digits > 15)
			return;
		count = count * 10 + (size_t)(*p - '0');
	}
	if (!digits)
		return;
	if (strncmp(p, " objects)", 9) == 0)
		p += 9;
	else if (strncmp(p, " object)", 8) == 0)
		p += 8;
	else
		return;
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (*p)
		return;
	marker_push(r, &r->cand, r->scan_line + 1, count);
}

/* The common case: '\n' is the only line break in the chunk. */
static void scan_chunk_lf(struct gitops_yaml_reader *r, const unsigned char *buf, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const unsigned char *nl;
		if (r->collecting) {
			size_t end, take, room;
			nl = memchr(buf + i, '\n', n - i);
			end = nl ? (size_t)(nl - buf) : n;
			room = sizeof(r->linebuf) - 1 - r->linelen;
			take = end - i < room ? end - i : room;
			memcpy(r->linebuf + r->linelen, buf + i, take);
			r->linelen += take;
			if (!nl)
				return;
			scan_finish_line(r);
			r->collecting = 0;
			r->scan_line++;
			r->at_line_start = 1;
			i = end + 1;
			continue;
		}
		if (r->at_line_start) {
			r->at_line_start = 0;
			if (buf[i] == '#') {
				r->collecting = 1;
				r->linelen = 0;
				continue;
			}
		}
		nl = memchr(buf + i, '\n', n - i);
		if (!nl)
			return;
		r->scan_line++;
		r->at_line_start = 1;
		i = (size_t)(nl - buf) + 1;
	}
}

static void scan_break(struct gitops_yaml_reader *r)
{
	if (r->collecting) {
		scan_finish_line(r);
		r->collecting = 0;
	}
	r->scan_line++;
	r->at_line_start = 1;
}

/*
 * Every line break libyaml counts in its marks: \r\n, \r, \n, and U+0085,
 * U+2028, U+2029, so that the lines of markers and of events agree.
 */
static void scan_chunk_any(struct gitops_yaml_reader *r, const unsigned char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char b = buf[i];
		if (r->npend) {
			int done = 0;
			if (r->pend[0] == 0xC2 && b == 0x85)
				done = 1;
			else if (r->pend[0] == 0xE2 && r->npend == 1 && b == 0x80) {
				r->npend = 2;
				continue;
			} else if (r->npend == 2 && (b == 0xA8 || b == 0xA9))
				done = 1;
			if (done) {
				r->npend = 0;
				if (r->collecting && r->linelen)
					r->linelen--; /* its first byte is not line content */
				scan_break(r);
				continue;
			}
			r->npend = 0;
		}
		if (b == '\n') {
			if (!r->cr)
				scan_break(r);
			r->cr = 0;
			continue;
		}
		r->cr = 0;
		if (b == '\r') {
			scan_break(r);
			r->cr = 1;
			continue;
		}
		if (r->at_line_start) {
			r->at_line_start = 0;
			if (b == '#') {
				r->collecting = 1;
				r->linelen = 0;
			}
		}
		if (b == 0xC2 || b == 0xE2) {
			r->pend[0] = b;
			r->npend = 1;
		}
		if (r->collecting && r->linelen < sizeof(r->linebuf) - 1)
			r->linebuf[r->linelen++] = (char)b;
	}
}

/*
 * Does the chunk hold a line break other than '\n' (or the start of one
 * at its end)?  Text with accents or typographic quotes has 0xC2 and 0xE2
 * bytes all through it, nearly never as U+0085, U+2028 or U+2029: those
 * chunks too go line by line, not byte by byte (a tenth of a chart's
 * render with CRDs whose descriptions hold such characters).
 */
static int rare_break(const unsigned char *buf, size_t n)
{
	const unsigned char *p, *end = buf + n;

	if (memchr(buf, '\r', n))
		return 1;
	for (p = buf; (p = memchr(p, 0xC2, (size_t)(end - p))); p++)
		if (end - p < 2 || p[1] == 0x85)
			return 1;
	for (p = buf; (p = memchr(p, 0xE2, (size_t)(end - p))); p++)
		if (end - p < 3 || (p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)))
			return 1;
	return 0;
}

static void scan_chunk(struct gitops_yaml_reader *r, const unsigned char *buf, size_t n)
{
	if (r->cr || r->npend || rare_break(buf, n))
		scan_chunk_any(r, buf, n);
	else
		scan_chunk_lf(r, buf, n);
}

static void keep_chunk(struct gitops_yaml_reader *r, const unsigned char *buf, size_t n, size_t line)
{
	unsigned char *t = r->chunk[0];

	r->chunk[0] = r->chunk[1];
	r->chunk_len[0] = r->chunk_len[1];
	r->chunk_off[0] = r->chunk_off[1];
	r->chunk_line[0] = r->chunk_line[1];
	r->chunk[1] = t;
	if (!r->chunk[1])
		r->chunk[1] = malloc(16384);
	if (!r->chunk[1] || n > 16384) {
		r->chunk_len[1] = 0;
		return;
	}
	memcpy(r->chunk[1], buf, n);
	r->chunk_len[1] = n;
	r->chunk_off[1] = r->total;
	r->chunk_line[1] = line;
}

static int read_handler(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
	struct gitops_yaml_reader *r = data;
	size_t n, line = r->scan_line;

	if (r->mem) {
		n = r->mem_len - r->mem_off;
		if (n > size)
			n = size;
		memcpy(buffer, r->mem + r->mem_off, n);
		r->mem_off += n;
	} else {
		ssize_t got;
		do
			got = read(r->fd, buffer, size);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			r->input_failure = FAIL_IO;
			r->io_errno = errno;
			return 0;
		}
		n = (size_t)got;
	}
	if (n == 0) {
		r->input_done = 1;
		if (r->collecting) {
			scan_finish_line(r);
			r->collecting = 0;
		}
		*size_read = 0;
		return 1;
	}
	if (r->total + n > r->limits.max_stream_bytes) {
		r->input_failure = FAIL_STREAM_SIZE;
		return 0;
	}
	/* a document may not grow past its limit, even inside one huge token */
	if (r->total + n - r->doc_start_bytes > r->limits.max_document_bytes + 65536) {
		r->input_failure = FAIL_DOC_SIZE;
		return 0;
	}
	scan_chunk(r, buffer, n);
	keep_chunk(r, buffer, n, line);
	{
		const unsigned char *nl = memrchr(buffer, '\n', n);
		size_t k = nl ? (size_t)(nl - buffer) + 1 : 0;
		if (nl)
			r->last_line_chars = 0;
		for (; k < n; k++)
			r->last_line_chars += (buffer[k] & 0xC0) != 0x80;
	}
	r->total += n;
	*size_read = n;
	return 1;
}

static int reader_new(struct gitops_yaml_reader **out, const char *name,
		      const struct gitops_limits *limits, struct gitops_err *err)
{
	struct gitops_yaml_reader *r = calloc(1, sizeof(*r));
	struct gitops_limits def = GITOPS_LIMITS_INIT;

	if (!r)
		return gitops_err_oom(err);
	r->name = strdup(name ? name : "<stdin>");
	r->graveyard = cJSON_CreateArray();
	if (!r->name || !r->graveyard) {
		free(r->name);
		cJSON_Delete(r->graveyard);
		free(r);
		return gitops_err_oom(err);
	}
	r->limits = limits ? *limits : def;
	r->fd = -1;
	r->at_line_start = 1;
	*out = r;
	return 0;
}

int gitops_yaml_reader_fd(struct gitops_yaml_reader **out, int fd, const char *name,
			  const struct gitops_limits *limits, struct gitops_err *err)
{
	if (reader_new(out, name, limits, err) < 0)
		return -1;
	(*out)->fd = fd;
	return 0;
}

int gitops_yaml_reader_mem(struct gitops_yaml_reader **out, const void *data, size_t len,
			   const char *name, const struct gitops_limits *limits, struct gitops_err *err)
{
	if (reader_new(out, name, limits, err) < 0)
		return -1;
	(*out)->mem = data ? data : (const void *)"";
	(*out)->mem_len = len;
	return 0;
}

const char *gitops_yaml_reader_name(const struct gitops_yaml_reader *r)
{
	return r->name;
}

static void keyset_release(struct keyset *ks)
{
	free(ks->slots);
	memset(ks, 0, sizeof(*ks));
}

static void frame_release(struct frame *f)
{
	cJSON_free(f->key); /* a scalar's text (gitops_fastyaml_cjson_values), or malloc's */
	free(f->anchor);
	cJSON_Delete(f->merges);
	keyset_release(&f->keys);
	memset(f, 0, sizeof(*f));
}

static void doc_reset(struct gitops_yaml_reader *r)
{
	size_t i;

	while (r->depth)
		frame_release(&r->stack[--r->depth]);
	for (i = 0; i < r->nanchors; i++)
		free(r->anchors[i].name);
	r->nanchors = 0;
	r->nodes = r->alias_nodes = 0;
	r->bytes = r->alias_bytes = 0;
	cJSON_Delete(r->graveyard);
	r->graveyard = cJSON_CreateArray();
	gitops_yaml_doc_release(&r->doc);
	r->item_cap = 0;
}

void gitops_yaml_reader_free(struct gitops_yaml_reader *r)
{
	if (!r)
		return;
	doc_reset(r);
	cJSON_Delete(r->graveyard);
	free(r->stack);
	free(r->anchors);
	free(r->chunk[0]);
	free(r->chunk[1]);
	free(r->cand.m);
	free(r->conf.m);
	gitops_fastyaml_free(r->fy);
	if (r->parser_ready)
		yaml_parser_delete(&r->parser);
	free(r->name);
	free(r);
}

static int fail_at(struct gitops_yaml_reader *r, struct gitops_err *err, yaml_mark_t mark,
		   const char *fmt, ...) GITOPS_PRINTF(4, 5);

static int fail_at(struct gitops_yaml_reader *r, struct gitops_err *err, yaml_mark_t mark,
		   const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX];
	va_list ap;

	/* libyaml ends the input with a line break of its own: name the real last line */
	if (r->input_done && r->last_line_chars && mark.line == r->scan_line + 1 && mark.column == 0) {
		mark.line = r->scan_line;
		mark.column = r->last_line_chars;
	}

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gitops_err_set(&r->saved, GITOPS_EXIT_INPUT, "%s:%zu:%zu: %s", r->name,
		       (size_t)mark.line + 1, (size_t)mark.column + 1, msg);
	r->failed = 1;
	if (err)
		*err = r->saved;
	return -1;
}

static int fail_plain(struct gitops_yaml_reader *r, struct gitops_err *err, int code, const char *fmt, ...)
	GITOPS_PRINTF(4, 5);

static int fail_plain(struct gitops_yaml_reader *r, struct gitops_err *err, int code, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gitops_err_set(&r->saved, code, "%s: %s", r->name, msg);
	r->failed = 1;
	if (err)
		*err = r->saved;
	return -1;
}

/* The 1-based line of byte offset `off`, from the chunks kept, or 0. */
static size_t line_of_offset(const struct gitops_yaml_reader *r, size_t off)
{
	int i;

	for (i = 0; i < 2; i++) {
		size_t k, line;
		if (!r->chunk[i] || off < r->chunk_off[i] || off >= r->chunk_off[i] + r->chunk_len[i])
			continue;
		line = r->chunk_line[i] + 1;
		for (k = 0; k < off - r->chunk_off[i]; k++)
			if (r->chunk[i][k] == '\n')
				line++;
		return line;
	}
	return 0;
}

static int parser_error(struct gitops_yaml_reader *r, struct gitops_err *err)
{
	yaml_parser_t *p = &r->parser;
	const char *problem = p->problem ? p->problem : "malformed YAML";

	switch (r->input_failure) {
	case FAIL_DOC_SIZE:
		return fail_plain(r, err, GITOPS_EXIT_INPUT, "document %zu is larger than the limit of %zu bytes",
				  r->doc_index + (r->in_doc ? 0 : 1), r->limits.max_document_bytes);
	case FAIL_STREAM_SIZE:
		return fail_plain(r, err, GITOPS_EXIT_INPUT, "input is larger than the limit of %zu bytes",
				  r->limits.max_stream_bytes);
	case FAIL_IO:
		gitops_err_errno(&r->saved, r->io_errno, r->name);
		r->failed = 1;
		if (err)
			*err = r->saved;
		return -1;
	}
	if (p->error == YAML_READER_ERROR) {
		size_t line = line_of_offset(r, p->problem_offset);
		const char *what = strstr(problem, "UTF") || strstr(problem, "octet") ?
			"invalid UTF-8" : "invalid input";
		if (strcmp(problem, "control characters are not allowed") == 0)
			what = "binary data";
		if (line) {
			gitops_err_set(&r->saved, GITOPS_EXIT_INPUT, "%s:%zu: %s (%s at byte %zu)", r->name, line,
				       what, problem, p->problem_offset);
			r->failed = 1;
			if (err)
				*err = r->saved;
			return -1;
		}
		return fail_plain(r, err, GITOPS_EXIT_INPUT, "%s (%s at byte %zu)", what, problem,
				  p->problem_offset);
	}
	if (p->error == YAML_MEMORY_ERROR)
		return fail_plain(r, err, GITOPS_EXIT_INTERNAL, "out of memory");
	if (strcmp(problem, "found character that cannot start any token") == 0 &&
	    p->buffer.pointer && p->buffer.pointer < p->buffer.last && *p->buffer.pointer == '\t')
		return fail_at(r, err, p->problem_mark, "found a tab character where YAML does not allow one "
			       "(indent with spaces)");
	if (p->context && p->context_mark.line != p->problem_mark.line)
		return fail_at(r, err, p->problem_mark, "%s %s started at line %zu", problem, p->context,
			       (size_t)p->context_mark.line + 1);
	if (p->context)
		return fail_at(r, err, p->problem_mark, "%s %s", problem, p->context);
	return fail_at(r, err, p->problem_mark, "%s", problem);
}

/* Move candidate markers before `line` (0-based, exclusive) to the confirmed queue. */
static void confirm_markers(struct gitops_yaml_reader *r, size_t line)
{
	struct marker_queue *q = &r->cand;

	while (q->head < q->n && q->m[q->head].line - 1 < line) {
		size_t l = q->m[q->head].line - 1;
		/* a marker-like comment before the previous document's last content is just a comment */
		if (l > r->content_end.line || (l == r->content_end.line && r->content_end.column == 0) ||
		    !r->content_seen)
			marker_push(r, &r->conf, q->m[q->head].line, q->m[q->head].count);
		q->head++;
	}
	if (q->head == q->n)
		q->head = q->n = 0;
}

/* A marker-looking line inside a scalar is content, not a comment. */
static void drop_markers_inside(struct gitops_yaml_reader *r, yaml_mark_t start, yaml_mark_t end)
{
	struct marker_queue *q = &r->cand;
	size_t i, k = q->head;

	for (i = q->head; i < q->n; i++) {
		size_t l = q->m[i].line - 1;
		int inside = start.line < l && (l < end.line || (l == end.line && end.column > 0));
		if (!inside)
			q->m[k++] = q->m[i];
	}
	q->n = k;
}

int gitops_yaml_reader_pop_marker(struct gitops_yaml_reader *r, size_t line, struct gitops_yaml_marker *out)
{
	struct marker_queue *q = &r->conf;

	if (q->head == q->n || q->m[q->head].line >= line)
		return 0;
	*out = q->m[q->head++];
	if (q->head == q->n)
		q->head = q->n = 0;
	return 1;
}

int gitops_yaml_reader_marker_overflow(const struct gitops_yaml_reader *r)
{
	return r->marker_overflow;
}

static size_t str_hash(const char *s)
{
	size_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* 1 if inserted, 0 if present, -1 out of memory */
static int keyset_insert(struct keyset *ks, const char *key)
{
	size_t i;

	if ((ks->n + 1) * 2 > ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 64, j;
		const char **slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return -1;
		for (j = 0; j < ks->cap; j++) {
			if (!ks->slots[j])
				continue;
			i = str_hash(ks->slots[j]) & (cap - 1);
			while (slots[i])
				i = (i + 1) & (cap - 1);
			slots[i] = ks->slots[j];
		}
		free(ks->slots);
		ks->slots = slots;
		ks->cap = cap;
	}
	i = str_hash(key) & (ks->cap - 1);
	while (ks->slots[i]) {
		if (strcmp(ks->slots[i], key) == 0)
			return 0;
		i = (i + 1) & (ks->cap - 1);
	}
	ks->slots[i] = key;
	ks->n++;
	return 1;
}

/* Is `key` already a key of the frame's mapping?  Records it when not.  1 new, 0 dup, -1 oom. */
static int frame_add_key(struct frame *f, const char *key)
{
	const cJSON *c;

	if (f->nkeys < KEYSET_FROM) {
		for (c = f->node->child; c; c = c->next)
			if (c->string[0] == key[0] && strcmp(c->string, key) == 0)
				return 0;
		f->nkeys++;
		return 1;
	}
	if (!f->keys.slots) {
		for (c = f->node->child; c; c = c->next)
			if (keyset_insert(&f->keys, c->string) < 0)
				return -1;
	}
	f->nkeys++;
	return keyset_insert(&f->keys, key);
}

/*
 * Alias expansion may not make a document larger than a document may be:
 * its own text so far plus all that its aliases expanded to (each
 * expansion's whole text, keys and values) within max_document_bytes.  The
 * node limit alone lets one big anchored string, aliased a few thousand
 * times, take gigabytes and minutes.
 */
static int count_alias_bytes(struct gitops_yaml_reader *r, struct gitops_err *err, const yaml_event_t *ev, size_t n)
{
	size_t max = r->limits.max_document_bytes;
	size_t text = ev->end_mark.index - r->doc_start_index;

	if (n > max || r->alias_bytes > max - n || text > max - r->alias_bytes - n)
		return fail_at(r, err, ev->start_mark, "aliases make document %zu larger than the limit of %zu bytes "
			       "(an alias bomb?)", r->doc_index, max);
	r->alias_bytes += n;
	r->bytes += n;
	return 0;
}

static int count_node(struct gitops_yaml_reader *r, struct gitops_err *err, yaml_mark_t mark, size_t n)
{
	r->nodes += n;
	if (r->nodes > r->limits.max_nodes)
		return fail_at(r, err, mark, "document %zu has more than %zu nodes", r->doc_index,
			       r->limits.max_nodes);
	return 0;
}

/*
 * Mapping keys that most Kubernetes objects repeat (and CRD schemas, many
 * times over), in strcmp's order for the reader: a key found here points to the table
 * (cJSON_StringIsConst) instead of a copy of its own, a third of the
 * allocations of a typical tree.  Code that changes a node's type in place
 * keeps the flag (lib/value/value.h).
 */
static const char *const common_keys[] = {
	"accessModes", "add", "additionalPrinterColumns", "additionalProperties", "admissionReviewVersions",
	"affinity", "aggregationRule", "allOf", "allowPrivilegeEscalation", "annotations", "anyOf", "apiGroup",
	"apiGroups", "apiVersion", "app", "app.kubernetes.io/component", "app.kubernetes.io/created-by",
	"app.kubernetes.io/instance", "app.kubernetes.io/managed-by", "app.kubernetes.io/name",
	"app.kubernetes.io/part-of", "app.kubernetes.io/version", "args", "audience",
	"automountServiceAccountToken", "averageUtilization", "backend", "backoffLimit", "binaryData", "caBundle",
	"capabilities", "chart", "checksum/config", "cidr", "claimName", "clientConfig", "clusterIP",
	"clusterRoleSelectors", "command", "completions", "component", "concurrencyPolicy", "configMap",
	"configMapKeyRef", "configMapRef", "containerPort", "containers", "control-plane",
	"controller-gen.kubebuilder.io/version", "conversion", "cpu", "creationTimestamp", "csi", "data", "default",
	"defaultMode", "description", "dnsPolicy", "downwardAPI", "driver", "drop", "effect", "egress", "emptyDir",
	"enum", "env", "envFrom", "exec", "expirationSeconds", "failedJobsHistoryLimit", "failurePolicy",
	"failureThreshold", "false", "fieldPath", "fieldRef", "finalizers", "format", "from", "fsGroup",
	"generation", "group", "helm.sh/chart", "heritage", "host", "hostNetwork", "hostPath", "hostname", "hosts",
	"http", "httpGet", "image", "imagePullPolicy", "imagePullSecrets", "ingress", "initContainers",
	"initialDelaySeconds", "ipBlock", "items", "jobTemplate", "jsonPath", "k8s-app", "key", "kind",
	"kubectl.kubernetes.io/default-container", "kubernetes.io/metadata.name", "labelSelector", "labels",
	"lifecycle", "limits", "listKind", "livenessProbe", "matchExpressions", "matchLabels", "maxItems",
	"maxLength", "maxReplicas", "maxSkew", "maxSurge", "maxUnavailable", "maximum", "memory", "metadata",
	"metrics", "minItems", "minLength", "minReadySeconds", "minReplicas", "minimum", "mode", "mountPath",
	"name", "names", "namespace", "namespaceSelector", "nodeAffinity", "nodePort", "nodeSelector",
	"nodeSelectorTerms", "nonResourceURLs", "not", "nullable", "number", "oneOf", "openAPIV3Schema", "operator",
	"optional", "ownerReferences", "parallelism", "path", "pathType", "paths", "pattern", "periodSeconds",
	"persistentVolumeClaim", "plural", "podAffinity", "podAffinityTerm", "podAntiAffinity",
	"podManagementPolicy", "podSelector", "policyTypes", "port", "ports", "postStart", "preStop",
	"preferredDuringSchedulingIgnoredDuringExecution", "priority", "priorityClassName", "privileged",
	"progressDeadlineSeconds", "projected", "prometheus.io/path", "prometheus.io/port", "prometheus.io/scrape",
	"properties", "protocol", "readOnly", "readOnlyRootFilesystem", "readinessProbe", "release", "replicas",
	"requests", "required", "requiredDuringSchedulingIgnoredDuringExecution", "resourceFieldRef",
	"resourceNames", "resourceVersion", "resources", "restartPolicy", "revisionHistoryLimit", "roleRef",
	"rollingUpdate", "rules", "runAsGroup", "runAsNonRoot", "runAsUser", "scaleTargetRef", "schedule",
	"schedulerName", "schema", "scheme", "scope", "seccompProfile", "secret", "secretKeyRef", "secretName",
	"secretRef", "securityContext", "selector", "served", "service", "serviceAccount", "serviceAccountName",
	"serviceAccountToken", "serviceName", "servicePort", "sessionAffinity", "shortNames", "sideEffects",
	"singular", "sleep", "sources", "spec", "startupProbe", "status", "stdin", "storage", "storageClassName",
	"strategy", "stringData", "subPath", "subdomain", "subjects", "subresources", "successThreshold",
	"successfulJobsHistoryLimit", "target", "targetCPUUtilizationPercentage", "targetPort", "tcpSocket", "team",
	"template", "terminationGracePeriodSeconds", "tier", "timeoutSeconds", "tls", "to", "tolerations",
	"topologyKey", "topologySpreadConstraints", "true", "tty", "type", "uid", "updateStrategy", "value",
	"valueFrom", "values", "verbs", "version", "versions", "volumeAttributes", "volumeClaimTemplates",
	"volumeMounts", "volumes", "webhooks", "weight", "whenUnsatisfiable", "workingDir",
	"x-kubernetes-int-or-string", "x-kubernetes-list-map-keys", "x-kubernetes-list-type",
	"x-kubernetes-map-type", "x-kubernetes-preserve-unknown-fields",
};

/*
 * The table's keys by a hash of theirs, built once: a key is looked up for
 * every mapping member read, and a binary search took 8 strcmp calls each
 * (3.3M instructions of a chart with 1 MB of CRDs).  Slots hold an index
 * into common_keys plus one, and the key's hash to pass others by.
 */
#define COMMON_SLOTS 1024 /* a power of two, over three times the table */
static struct {
	uint32_t hash;
	uint16_t key;
} common_slots[COMMON_SLOTS];
static pthread_once_t common_once = PTHREAD_ONCE_INIT;

static uint32_t key_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void common_build(void)
{
	for (size_t i = 0; i < sizeof(common_keys) / sizeof(common_keys[0]); i++) {
		uint32_t h = key_hash(common_keys[i]), j = h & (COMMON_SLOTS - 1);

		while (common_slots[j].key)
			j = (j + 1) & (COMMON_SLOTS - 1);
		common_slots[j].hash = h;
		common_slots[j].key = (uint16_t)(i + 1);
	}
}

static const char *common_key(const char *key)
{
	uint32_t h = key_hash(key), j = h & (COMMON_SLOTS - 1);

	(void)pthread_once(&common_once, common_build);
	for (; common_slots[j].key; j = (j + 1) & (COMMON_SLOTS - 1))
		if (common_slots[j].hash == h && !strcmp(common_keys[common_slots[j].key - 1], key))
			return common_keys[common_slots[j].key - 1];
	return NULL;
}

/*
 * Attach a finished or just-started node where the parser is: the root, a
 * sequence element, or the value of the pending key.  Takes ownership.
 */
static int attach(struct gitops_yaml_reader *r, cJSON *node, yaml_mark_t mark, struct gitops_err *err)
{
	struct frame *f;
	const char *ckey;

	/* a copy made for an alias carries the key it had where it was defined (a static one: just dropped) */
	if (node->string && !(node->type & cJSON_StringIsConst))
		cJSON_free(node->string);
	node->string = NULL;
	node->type &= ~cJSON_StringIsConst;
	if (!r->depth) {
		r->doc.root = node;
		r->doc.line = mark.line + 1;
		r->doc.column = mark.column + 1;
		return 0;
	}
	f = &r->stack[r->depth - 1];
	if (!f->is_map) {
		cJSON_AddItemToArray(f->node, node);
		if (f->item_lines) {
			if (r->doc.n_item_lines == r->item_cap) {
				size_t cap = r->item_cap ? r->item_cap * 2 : 16;
				size_t *p = realloc(r->doc.item_lines, cap * sizeof(*p));
				if (!p)
					return gitops_err_oom(err);
				r->doc.item_lines = p;
				r->item_cap = cap;
			}
			r->doc.item_lines[r->doc.n_item_lines++] = mark.line + 1;
		}
		return 0;
	}
	if (!f->key) {
		cJSON_Delete(node);
		return fail_at(r, err, mark, "mapping keys must be scalars, not %s", gitops_json_type_name(node));
	}
	if (f->key_is_merge) {
		if (!cJSON_IsObject(node) && !cJSON_IsArray(node)) {
			cJSON_Delete(node);
			return fail_at(r, err, mark, "the merge key '<<' needs a mapping or a sequence of mappings");
		}
		if (!f->merges && !(f->merges = cJSON_CreateArray())) {
			cJSON_Delete(node);
			return gitops_err_oom(err);
		}
		cJSON_AddItemToArray(f->merges, node);
		cJSON_free(f->key);
		f->key = NULL;
		f->key_is_merge = 0;
		return 0;
	}
	ckey = common_key(f->key);
	switch (frame_add_key(f, ckey ? ckey : f->key)) {
	case 0:
		cJSON_Delete(node);
		return fail_at(r, err, f->key_mark, "duplicate key '%s'", f->key);
	case -1:
		cJSON_Delete(node);
		return gitops_err_oom(err);
	}
	if (ckey) {
		cJSON_free(f->key);
		node->string = (char *)ckey;
		node->type |= cJSON_StringIsConst;
	} else {
		node->string = f->key;
	}
	f->key = NULL;
	cJSON_AddItemToArray(f->node, node);
	return 0;
}

static int tag_is(const yaml_char_t *tag, const char *name)
{
	size_t plen = sizeof(TAG_PREFIX) - 1;

	return tag && strncmp((const char *)tag, TAG_PREFIX, plen) == 0 &&
	       strcmp((const char *)tag + plen, name) == 0;
}

static cJSON *node_from_scalar(const struct gitops_scalar *sc, char *text)
{
	cJSON *n;

	switch (sc->kind) {
	case GITOPS_SCALAR_NULL:
		return cJSON_CreateNull();
	case GITOPS_SCALAR_BOOL:
		return cJSON_CreateBool(sc->boolean);
	case GITOPS_SCALAR_INT:
		return gitops_value_new_int((int64_t)sc->number);
	case GITOPS_SCALAR_FLOAT:
		return gitops_value_new_float(sc->number);
	case GITOPS_SCALAR_BIGINT:
		return gitops_value_new_int_text(sc->bigint);
	default:
		break;
	}
	n = cJSON_CreateNull();
	if (!n)
		return NULL;
	n->type = cJSON_String;
	n->valuestring = text;
	return n;
}

/* The string a scalar key stands for (JSON keys are strings): owned by the caller. */
static char *key_text(const cJSON *n)
{
	char num[40];

	if (cJSON_IsString(n))
		return strdup(n->valuestring);
	if (cJSON_IsNull(n))
		return strdup("null");
	if (cJSON_IsBool(n))
		return strdup(cJSON_IsTrue(n) ? "true" : "false");
	if (n->type & GITOPS_VALUE_INT)
		gitops_value_format_number(num, sizeof(num), n);
	else
		gitops_number_format(n->valuedouble, num, sizeof(num));
	return strdup(num);
}

static int register_anchor(struct gitops_yaml_reader *r, char *name, const cJSON *node, size_t size, size_t bytes,
			   struct gitops_err *err)
{
	if (r->nanchors == r->anchors_cap) {
		size_t cap = r->anchors_cap ? r->anchors_cap * 2 : 16;
		struct anchor *a = realloc(r->anchors, cap * sizeof(*a));
		if (!a) {
			free(name);
			return gitops_err_oom(err);
		}
		r->anchors = a;
		r->anchors_cap = cap;
	}
	r->anchors[r->nanchors].name = name;
	r->anchors[r->nanchors].node = node;
	r->anchors[r->nanchors].size = size;
	r->anchors[r->nanchors].bytes = bytes;
	r->nanchors++;
	return 0;
}

/*
 * kustomize reads with kyaml (go-yaml v3: only true/false are booleans) and
 * converts through go-yaml v2 (the rest of YAML 1.1, and a plain timestamp
 * becomes a time, which JSON writes in RFC 3339).  The scalar's text may be
 * replaced (the event keeps owning it).
 */
static int kyaml_scalar(yaml_event_t *ev, struct gitops_scalar *sc, char **text)
{
	static const char *const v3_bools[] = { "true", "True", "TRUE", "false", "False", "FALSE" };
	struct gitops_timestamp t;
	size_t i, len = ev->data.scalar.length;
	char buf[64], *copy;

	if (sc->kind == GITOPS_SCALAR_BOOL) {
		for (i = 0; i < sizeof(v3_bools) / sizeof(v3_bools[0]); i++)
			if (!strcmp(*text, v3_bools[i]))
				return 0;
		sc->kind = GITOPS_SCALAR_STRING;
		return 0;
	}
	if (sc->kind != GITOPS_SCALAR_STRING || !gitops_scalar_timestamp(*text, len, &t))
		return 0;
	gitops_timestamp_format(buf, sizeof(buf), &t);
	if (!(copy = strdup(buf)))
		return -1;
	cJSON_free(ev->data.scalar.value);
	ev->data.scalar.value = (yaml_char_t *)copy;
	ev->data.scalar.length = strlen(copy);
	*text = copy;
	return 0;
}

void gitops_yaml_reader_set_kyaml(struct gitops_yaml_reader *r, int on)
{
	r->kyaml = on;
}

/*
 * A scalar among an object's metadata.annotations: kustomize ends every
 * build by writing the annotations back as strings (RemoveBuildAnnotations),
 * each the text it was written with ("0x10", "1.50", "~", "" stay so).
 */
static int in_annotations(const struct gitops_yaml_reader *r)
{
	return r->depth == 3 && r->stack[0].is_map && r->stack[1].is_map && r->stack[2].is_map &&
	       r->stack[1].node->string && !strcmp(r->stack[1].node->string, "metadata") &&
	       r->stack[2].node->string && !strcmp(r->stack[2].node->string, "annotations");
}

static int on_scalar(struct gitops_yaml_reader *r, yaml_event_t *ev, struct gitops_err *err)
{
	char *text = (char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const yaml_char_t *tag = ev->data.scalar.tag;
	struct gitops_scalar sc = { GITOPS_SCALAR_STRING, 0, 0, { 0 } };
	struct frame *f = r->depth ? &r->stack[r->depth - 1] : NULL;
	int is_key = f && f->is_map && !f->key;
	int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	cJSON *node;

	if (r->cand.n > r->cand.head)
		drop_markers_inside(r, ev->start_mark, ev->end_mark);
	if (memchr(text, '\0', len))
		return fail_at(r, err, ev->start_mark, "a NUL character in a string is not supported");
	if (!tag) {
		int as_text = plain && r->kyaml && !is_key && in_annotations(r);

		if (plain && !as_text)
			gitops_scalar_resolve(text, len, &sc);
		if (plain && r->kyaml && !as_text && kyaml_scalar(ev, &sc, &text) < 0)
			return gitops_err_oom(err);
		len = strlen(text);
	} else if (strcmp((const char *)tag, "!") == 0 || tag_is(tag, "str") || tag_is(tag, "timestamp")) {
		/* a string */
	} else if (tag_is(tag, "binary")) {
		size_t i, k = 0;
		for (i = 0; i < len; i++)
			if (text[i] != ' ' && text[i] != '\n' && text[i] != '\r' && text[i] != '\t')
				text[k++] = text[i];
		text[k] = '\0';
		len = k;
	} else if (tag_is(tag, "int") || tag_is(tag, "float") || tag_is(tag, "bool") || tag_is(tag, "null")) {
		const char *want = (const char *)tag + sizeof(TAG_PREFIX) - 1;
		int ok;
		gitops_scalar_resolve(text, len, &sc);
		if (!strcmp(want, "int"))
			ok = sc.kind == GITOPS_SCALAR_INT || sc.kind == GITOPS_SCALAR_BIGINT;
		else if (!strcmp(want, "float"))
			ok = sc.kind == GITOPS_SCALAR_INT || sc.kind == GITOPS_SCALAR_FLOAT ||
			     sc.kind == GITOPS_SCALAR_NONFINITE;
		else if (!strcmp(want, "bool"))
			ok = sc.kind == GITOPS_SCALAR_BOOL;
		else
			ok = sc.kind == GITOPS_SCALAR_NULL;
		if (!ok)
			return fail_at(r, err, ev->start_mark, "cannot read '%.40s' as !!%s", text, want);
	} else {
		return fail_at(r, err, ev->start_mark, "unsupported tag '%.60s'", (const char *)tag);
	}

	r->bytes += len;
	if (is_key && ev->data.scalar.anchor) {
		/* an anchored key: keep a string node for later aliases */
		cJSON *k = cJSON_CreateString(text);
		if (!k)
			return gitops_err_oom(err);
		cJSON_AddItemToArray(r->graveyard, k);
		if (register_anchor(r, (char *)ev->data.scalar.anchor, k, 1, len, err) < 0) {
			ev->data.scalar.anchor = NULL;
			return -1;
		}
		ev->data.scalar.anchor = NULL;
	}
	if (is_key) {
		f->key_mark = ev->start_mark;
		if (plain && !tag && len == 2 && text[0] == '<' && text[1] == '<') {
			f->key_is_merge = 1;
			f->key = strdup("<<");
			return f->key ? 0 : gitops_err_oom(err);
		}
		if (sc.kind == GITOPS_SCALAR_STRING) {
			f->key = text;
			ev->data.scalar.value = NULL; /* stolen */
			return 0;
		}
		if (sc.kind == GITOPS_SCALAR_NONFINITE) {
			f->key = strndup(text, len);
			return f->key ? 0 : gitops_err_oom(err);
		}
		node = node_from_scalar(&sc, NULL);
		if (!node)
			return gitops_err_oom(err);
		f->key = key_text(node);
		cJSON_Delete(node);
		return f->key ? 0 : gitops_err_oom(err);
	}

	if (sc.kind == GITOPS_SCALAR_NONFINITE)
		return fail_at(r, err, ev->start_mark, "'%.20s' is not a number JSON can hold", text);
	if (count_node(r, err, ev->start_mark, 1) < 0)
		return -1;
	node = node_from_scalar(&sc, text);
	if (!node)
		return gitops_err_oom(err);
	if (sc.kind == GITOPS_SCALAR_STRING)
		ev->data.scalar.value = NULL; /* stolen by the node */
	if (r->kyaml && !plain)
		node->type |= GITOPS_YAML_QUOTED;
	if (ev->data.scalar.anchor) {
		char *name = (char *)ev->data.scalar.anchor;
		ev->data.scalar.anchor = NULL;
		if (register_anchor(r, name, node, 1, len, err) < 0) {
			cJSON_Delete(node);
			return -1;
		}
	}
	return attach(r, node, ev->start_mark, err);
}

static int on_alias(struct gitops_yaml_reader *r, yaml_event_t *ev, struct gitops_err *err)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct frame *f = r->depth ? &r->stack[r->depth - 1] : NULL;
	const struct anchor *a = NULL;
	size_t i;
	cJSON *copy;

	for (i = r->nanchors; i-- > 0;)
		if (strcmp(r->anchors[i].name, name) == 0) {
			a = &r->anchors[i];
			break;
		}
	if (!a) {
		for (i = 0; i < r->depth; i++)
			if (r->stack[i].anchor && strcmp(r->stack[i].anchor, name) == 0)
				return fail_at(r, err, ev->start_mark, "alias '*%s' refers to a node that contains it",
					       name);
		return fail_at(r, err, ev->start_mark, "undefined alias '*%s'", name);
	}
	if (f && f->is_map && !f->key) {
		if (cJSON_IsObject(a->node) || cJSON_IsArray(a->node))
			return fail_at(r, err, ev->start_mark, "mapping keys must be scalars, not %s",
				       gitops_json_type_name(a->node));
		if (count_alias_bytes(r, err, ev, a->bytes) < 0)
			return -1;
		f->key = key_text(a->node);
		f->key_mark = ev->start_mark;
		return f->key ? 0 : gitops_err_oom(err);
	}
	if (a->size > r->limits.max_alias_nodes - r->alias_nodes)
		return fail_at(r, err, ev->start_mark, "aliases expand to more than %zu nodes (an alias bomb?)",
			       r->limits.max_alias_nodes);
	r->alias_nodes += a->size;
	if (count_node(r, err, ev->start_mark, a->size) < 0 || count_alias_bytes(r, err, ev, a->bytes) < 0)
		return -1;
	copy = cJSON_Duplicate(a->node, 1);
	if (!copy)
		return gitops_err_oom(err);
	return attach(r, copy, ev->start_mark, err);
}

static int on_collection_start(struct gitops_yaml_reader *r, yaml_event_t *ev, int is_map, struct gitops_err *err)
{
	const yaml_char_t *tag = is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
	yaml_char_t **anchor = is_map ? &ev->data.mapping_start.anchor : &ev->data.sequence_start.anchor;
	struct frame *parent = r->depth ? &r->stack[r->depth - 1] : NULL;
	int item_lines = 0;
	struct frame *f;
	cJSON *node;

	if (tag && strcmp((const char *)tag, "!") != 0 && !tag_is(tag, is_map ? "map" : "seq"))
		return fail_at(r, err, ev->start_mark, "unsupported tag '%.60s'", (const char *)tag);
	if (r->depth >= r->limits.max_depth)
		return fail_at(r, err, ev->start_mark, "nesting deeper than %zu levels", r->limits.max_depth);
	if (count_node(r, err, ev->start_mark, 1) < 0)
		return -1;
	if (parent && parent->is_map && !parent->key)
		return fail_at(r, err, ev->start_mark, "mapping keys must be scalars, not %s",
			       is_map ? "a mapping" : "a sequence");
	if (!is_map && r->depth == 1 && parent->is_map && parent->key && !strcmp(parent->key, "items"))
		item_lines = 1;
	node = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
	if (!node)
		return gitops_err_oom(err);
	if (r->kyaml && (is_map ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
				: ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE))
		node->type |= GITOPS_YAML_FLOW;
	if (attach(r, node, ev->start_mark, err) < 0)
		return -1;
	if (r->depth == r->stack_cap) {
		size_t cap = r->stack_cap ? r->stack_cap * 2 : 16;
		struct frame *s = realloc(r->stack, cap * sizeof(*s));
		if (!s)
			return gitops_err_oom(err);
		r->stack = s;
		r->stack_cap = cap;
	}
	f = &r->stack[r->depth++];
	memset(f, 0, sizeof(*f));
	f->node = node;
	f->is_map = is_map;
	f->nodes_at_start = r->nodes - 1;
	f->bytes_at_start = r->bytes;
	f->item_lines = item_lines;
	f->anchor = (char *)*anchor;
	*anchor = NULL;
	return 0;
}

/* Apply '<<' merges: keys the mapping has win, then earlier sources win. */
static int apply_merges(struct gitops_yaml_reader *r, struct frame *f, yaml_mark_t mark, struct gitops_err *err)
{
	cJSON *src;

	for (src = f->merges->child; src; src = src->next) {
		cJSON *maps = src, *m;
		int seq = cJSON_IsArray(src);
		for (m = seq ? maps->child : maps; m; m = seq ? m->next : NULL) {
			cJSON *c, *next;
			if (!cJSON_IsObject(m))
				return fail_at(r, err, mark, "the merge key '<<' needs a mapping or a sequence of mappings");
			for (c = m->child; c; c = next) {
				int added;
				next = c->next;
				added = frame_add_key(f, c->string);
				if (added < 0)
					return gitops_err_oom(err);
				if (!added)
					continue;
				cJSON_DetachItemViaPointer(m, c);
				cJSON_AddItemToArray(f->node, c);
			}
		}
	}
	/* what was not taken may hold anchors still referenced: keep it until the document ends */
	cJSON_AddItemToArray(r->graveyard, f->merges);
	f->merges = NULL;
	return 0;
}

static int on_collection_end(struct gitops_yaml_reader *r, yaml_event_t *ev, struct gitops_err *err)
{
	struct frame *f = &r->stack[r->depth - 1];
	int ret = 0;

	if (f->merges && apply_merges(r, f, ev->start_mark, err) < 0)
		return -1;
	if (f->anchor) {
		ret = register_anchor(r, f->anchor, f->node, r->nodes - f->nodes_at_start, r->bytes - f->bytes_at_start,
				      err);
		f->anchor = NULL;
	}
	r->depth--;
	frame_release(f);
	return ret;
}

static int handle_event(struct gitops_yaml_reader *r, yaml_event_t *ev, struct gitops_err *err)
{
	if (ev->type == YAML_SCALAR_EVENT || ev->type == YAML_ALIAS_EVENT ||
	    ((ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT) &&
	     ev->end_mark.index > ev->start_mark.index)) {
		r->content_end = ev->end_mark;
		r->content_seen = 1;
	}
	if (r->doc_index && ev->end_mark.index - r->doc_start_index > r->limits.max_document_bytes)
		return fail_at(r, err, ev->start_mark, "document %zu is larger than the limit of %zu bytes",
			       r->doc_index, r->limits.max_document_bytes);
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return on_scalar(r, ev, err);
	case YAML_ALIAS_EVENT:
		return on_alias(r, ev, err);
	case YAML_SEQUENCE_START_EVENT:
		if (!r->depth)
			r->doc.flow = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
		return on_collection_start(r, ev, 0, err);
	case YAML_MAPPING_START_EVENT:
		if (!r->depth)
			r->doc.flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		return on_collection_start(r, ev, 1, err);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_collection_end(r, ev, err);
	default:
		return 0;
	}
}

void gitops_yaml_reader_set_fast(struct gitops_yaml_reader *r, int on)
{
	if (r->mem && !r->total && !r->fy && r->fast != FAST_ON)
		r->fast = on ? FAST_WANTED : FAST_OFF;
}

/*
 * The whole buffer as read_handler would have read it for libyaml, chunk
 * by chunk to the end: its byte count, its marker comments, its last line.
 * (Its chunks are kept only to place libyaml's encoding errors, which the
 * fast source never has.)  The limits it checks cannot trip: fast_start
 * takes a buffer within both.
 */
static void read_all(struct gitops_yaml_reader *r)
{
	size_t n = r->mem_len - r->mem_off;

	if (n) {
		const unsigned char *buf = r->mem + r->mem_off;
		const unsigned char *nl = memrchr(buf, '\n', n);
		size_t k = nl ? (size_t)(nl - buf) + 1 : 0;
		scan_chunk(r, buf, n);
		if (nl)
			r->last_line_chars = 0;
		for (; k < n; k++)
			r->last_line_chars += (buf[k] & 0xC0) != 0x80;
		r->total += n;
		r->mem_off += n;
	}
	r->input_done = 1;
	if (r->collecting) {
		scan_finish_line(r);
		r->collecting = 0;
	}
}

static void fast_start(struct gitops_yaml_reader *r)
{
	r->fast = FAST_OFF;
	if (r->mem_off || r->mem_len > r->limits.max_stream_bytes || r->mem_len > r->limits.max_document_bytes)
		return;
	if (gitops_fastyaml_scan(&r->fy, r->mem, r->mem_len) <= 0)
		return;
	/* a scalar's text becomes a node's as it is: made where cJSON makes its strings */
	gitops_fastyaml_cjson_values(r->fy);
	r->fast = FAST_ON;
	read_all(r);
}

/* yaml_event_delete, for a fast event too: its scalar text is cJSON's when not taken */
static void event_delete(struct gitops_yaml_reader *r, yaml_event_t *ev)
{
	if (r->fast == FAST_ON && ev->type == YAML_SCALAR_EVENT) {
		cJSON_free(ev->data.scalar.value);
		ev->data.scalar.value = NULL;
	}
	yaml_event_delete(ev);
}

/* The next event, from the fast source when it took the buffer, else from libyaml: 0 on error. */
static int next_event(struct gitops_yaml_reader *r, yaml_event_t *ev)
{
	if (r->fast == FAST_WANTED)
		fast_start(r);
	if (r->fast == FAST_ON) {
		if (gitops_fastyaml_next(r->fy, ev))
			return 1;
		r->parser.error = YAML_MEMORY_ERROR;
		return 0;
	}
	if (!r->parser_ready) {
		/* its buffers (64 KiB) and stacks are allocated here, for a text the fast source did not take */
		if (!yaml_parser_initialize(&r->parser)) {
			memset(&r->parser, 0, sizeof(r->parser));
			r->parser.error = YAML_MEMORY_ERROR;
			return 0;
		}
		yaml_parser_set_input(&r->parser, read_handler, r);
		r->parser_ready = 1;
	}
	return yaml_parser_parse(&r->parser, ev);
}

int gitops_yaml_reader_next(struct gitops_yaml_reader *r, struct gitops_yaml_doc *out, struct gitops_err *err)
{
	memset(out, 0, sizeof(*out));
	if (r->failed) {
		if (err)
			*err = r->saved;
		return -1;
	}
	if (r->done)
		return 0;
	for (;;) {
		yaml_event_t ev;
		int ret = 0;

		if (!next_event(r, &ev)) {
			doc_reset(r);
			return parser_error(r, err);
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			confirm_markers(r, SIZE_MAX);
			r->done = 1;
			event_delete(r, &ev);
			return 0;
		case YAML_DOCUMENT_START_EVENT:
			confirm_markers(r, ev.start_mark.line);
			doc_reset(r);
			r->doc_index++;
			r->in_doc = 1;
			r->doc_start_index = ev.start_mark.index;
			r->doc.index = r->doc_index;
			r->doc.line = ev.start_mark.line + 1;
			r->doc.column = ev.start_mark.column + 1;
			break;
		case YAML_DOCUMENT_END_EVENT:
			r->in_doc = 0;
			r->doc_start_bytes = r->total;
			if (r->doc.root && cJSON_IsNull(r->doc.root)) {
				cJSON_Delete(r->doc.root);
				r->doc.root = NULL;
			}
			*out = r->doc;
			memset(&r->doc, 0, sizeof(r->doc));
			event_delete(r, &ev);
			doc_reset(r);
			return 1;
		default:
			ret = handle_event(r, &ev, err);
			break;
		}
		event_delete(r, &ev);
		if (ret < 0) {
			if (!r->failed) {
				if (err)
					r->saved = *err;
				r->failed = 1;
			}
			doc_reset(r);
			return -1;
		}
	}
}

int gitops_yaml_parse_one(cJSON **out, const void *data, size_t len, const char *name,
			  const struct gitops_limits *limits, struct gitops_err *err)
{
	return gitops_yaml_parse_one_at(out, NULL, data, len, name, limits, err);
}

int gitops_yaml_parse_one_at(cJSON **out, size_t *line, const void *data, size_t len, const char *name,
			     const struct gitops_limits *limits, struct gitops_err *err)
{
	struct gitops_yaml_reader *r = NULL;
	struct gitops_yaml_doc doc, extra;
	int n, ret = -1;

	*out = NULL;
	if (line)
		*line = 0;
	memset(&doc, 0, sizeof(doc));
	if (gitops_yaml_reader_mem(&r, data, len, name, limits, err) < 0)
		return -1;
	gitops_yaml_reader_set_fast(r, 1);
	n = gitops_yaml_reader_next(r, &doc, err);
	if (n < 0)
		goto done;
	if (n > 0) {
		n = gitops_yaml_reader_next(r, &extra, err);
		if (n < 0)
			goto done;
		if (n > 0) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: expected one YAML document, found more",
				       name, extra.line);
			gitops_yaml_doc_release(&extra);
			goto done;
		}
	}
	*out = doc.root;
	if (line)
		*line = doc.line;
	doc.root = NULL;
	ret = 0;
done:
	gitops_yaml_doc_release(&doc);
	gitops_yaml_reader_free(r);
	return ret;
}

/* ---------------------------------------------------------------- writer */

struct gitops_yaml_writer {
	yaml_emitter_t em;
	gitops_write_fn write;
	void *ctx;
	int started, ended, failed;
	int libyaml_only;         /* gitops_yaml_writer_libyaml_only */
	struct gitops_err werr;   /* why the write function failed */
	struct gitops_buf text;   /* a document written straight, the buffer kept from one to the next */
};

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct gitops_yaml_writer *w = data;

	if (w->write(w->ctx, buffer, size, &w->werr) < 0) {
		w->failed = 1;
		return 0;
	}
	return 1;
}

int gitops_yaml_writer_new(struct gitops_yaml_writer **out, gitops_write_fn write, void *ctx,
			   struct gitops_err *err)
{
	struct gitops_yaml_writer *w = calloc(1, sizeof(*w));

	if (!w || !yaml_emitter_initialize(&w->em)) {
		free(w);
		return gitops_err_oom(err);
	}
	w->write = write;
	w->ctx = ctx;
	yaml_emitter_set_output(&w->em, write_handler, w);
	yaml_emitter_set_unicode(&w->em, 1);
	yaml_emitter_set_indent(&w->em, 2);
	yaml_emitter_set_width(&w->em, -1);
	yaml_emitter_set_break(&w->em, YAML_LN_BREAK);
	*out = w;
	return 0;
}

static int emit(struct gitops_yaml_writer *w, yaml_event_t *ev, struct gitops_err *err)
{
	if (yaml_emitter_emit(&w->em, ev))
		return 0;
	if (w->failed) {
		*err = w->werr;
		return err->msg[0] ? -1 : gitops_err_set(err, GITOPS_EXIT_IO, "cannot write the output");
	}
	return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "YAML emitter: %s",
			      w->em.problem ? w->em.problem : "unknown error");
}

static int emit_scalar(struct gitops_yaml_writer *w, const char *s, size_t len, int quote_check, int is_key,
		       struct gitops_err *err)
{
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
	int plain_implicit = 1;
	yaml_event_t ev;

	if (quote_check) {
		if (!is_key && memchr(s, '\n', len)) {
			style = YAML_LITERAL_SCALAR_STYLE;
			plain_implicit = 0;
		} else if (gitops_scalar_needs_quotes(s, len)) {
			style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
			plain_implicit = 0;
		}
	}
	if (len > INT_MAX)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "a string is too long to write");
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, plain_implicit, 1, style))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "a string is not valid UTF-8: '%.40s'", s);
	return emit(w, &ev, err);
}

static int emit_node(struct gitops_yaml_writer *w, const cJSON *n, struct gitops_err *err)
{
	yaml_event_t ev;
	const cJSON *c;
	char num[40];

	switch (n->type & 0xff) {
	case cJSON_Object:
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		if (emit(w, &ev, err) < 0)
			return -1;
		for (c = n->child; c; c = c->next) {
			const char *k = c->string ? c->string : "";
			if (emit_scalar(w, k, strlen(k), 1, 1, err) < 0 || emit_node(w, c, err) < 0)
				return -1;
		}
		yaml_mapping_end_event_initialize(&ev);
		return emit(w, &ev, err);
	case cJSON_Array:
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (emit(w, &ev, err) < 0)
			return -1;
		for (c = n->child; c; c = c->next)
			if (emit_node(w, c, err) < 0)
				return -1;
		yaml_sequence_end_event_initialize(&ev);
		return emit(w, &ev, err);
	case cJSON_String:
		return emit_scalar(w, n->valuestring, strlen(n->valuestring), 1, 0, err);
	case cJSON_Number:
		if (n->type & GITOPS_VALUE_INT) {
			gitops_value_format_number(num, sizeof(num), n);
			return emit_scalar(w, num, strlen(num), 0, 0, err);
		}
		if (n->valuedouble != n->valuedouble || n->valuedouble * 0 != 0)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "a number is not finite");
		gitops_number_format(n->valuedouble, num, sizeof(num));
		return emit_scalar(w, num, strlen(num), 0, 0, err);
	case cJSON_True:
		return emit_scalar(w, "true", 4, 0, 0, err);
	case cJSON_False:
		return emit_scalar(w, "false", 5, 0, 0, err);
	default:
		return emit_scalar(w, "null", 4, 0, 0, err);
	}
}

/*
 * The common document written straight into a buffer, byte for byte as
 * libyaml's emitter writes it with this writer's settings (block style,
 * indent 2, unlimited width; empty collections as {} and []; sequences in
 * mappings not indented): every scalar plain, double-quoted or literal
 * where the text leaves libyaml no other way to write it.  A scalar whose
 * form would depend on libyaml's finer analysis (non-ASCII, control
 * characters, quotes and backslashes inside quotes, indicators, long keys,
 * literals with leading or trailing space or kept breaks) makes the whole
 * document go through libyaml: fw_* return 0 then, 1 when written, -1 when
 * out of memory.
 */
static int fw_indent(struct gitops_buf *b, int indent)
{
	static const char spaces[] = "                                ";

	while (indent > 0) {
		int n = indent < 32 ? indent : 32;
		if (gitops_buf_add(b, spaces, (size_t)n) < 0)
			return -1;
		indent -= n;
	}
	return 0;
}

/*
 * The length of the UTF-8 character at s (n bytes left) when libyaml's
 * analysis treats it as it treats a letter: valid, printable as its
 * IS_PRINTABLE has it (U+00A0 to U+D7FF, U+E000 to U+FFFD but U+FEFF;
 * none of four bytes), and no line break (U+2028, U+2029).  With the
 * emitter's unicode setting, such a character is written as it is, in any
 * style; 0 for anything else.
 */
static size_t fw_wide(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 && (c > 0xC2 || s[1] >= 0xA0) ? 2 : 0;
	if (c < 0xE0 || c > 0xEF || n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
		return 0;
	if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
		return 0; /* overlong, surrogate */
	if (c == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9))
		return 0; /* line and paragraph separators */
	if (c == 0xEF && ((s[1] == 0xBB && s[2] == 0xBF) || (s[1] == 0xBF && s[2] >= 0xBE)))
		return 0; /* BOM, U+FFFE, U+FFFF */
	return 3;
}

/* Are all 8 bytes of x printable ASCII (0x20 to 0x7e)? */
static int fw_ascii8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;

	/* a byte under 0x20 (its high bit clear and x - 0x20 borrowing) or over 0x7e */
	return !(((x - ones * 0x20) & ~x & highs) | (((x + ones * (0x7f - 0x7e)) | x) & highs));
}

/* Printable, no line break: libyaml's analysis has no special characters to weigh. */
static int fw_printable(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		size_t w;
		uint64_t x;

		while (len - i >= 8 && (memcpy(&x, u + i, 8), fw_ascii8(x)))
			i += 8;
		if (i == len)
			break;
		if (u[i] >= 0x20 && u[i] <= 0x7e)
			continue;
		if (u[i] < 0x80 || !(w = fw_wide(u + i, len - i)))
			return 0;
		i += w - 1;
	}
	return 1;
}

/* Does libyaml allow s plain in block context (analyze_scalar's indicators; s printable ASCII, not empty)? */
static int fw_plain_ok(const char *s, size_t len)
{
	char c0 = s[0];

	if (s[0] == ' ' || s[len - 1] == ' ')
		return 0;
	if (len >= 3 && (!memcmp(s, "...", 3) || !memcmp(s, "---", 3)))
		return 0;
	if (strchr("#,[]{}&*!|>'\"%@`", c0) || (strchr("?:-", c0) && (len == 1 || s[1] == ' ')))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] == ':' && (i + 1 == len || s[i + 1] == ' ')) || (s[i] == '#' && s[i - 1] == ' '))
			return 0;
	return 1;
}

/* a scalar after "key:" or "- " (after: 1 when a space must come first); emit_scalar's choice of style */
static int fw_scalar(struct gitops_buf *b, const char *s, size_t len, int quote_check, int is_key, int after,
		     int indent)
{
	if (is_key && len > 128)
		return 0;
	if (quote_check && !is_key && memchr(s, '\n', len)) {
		/* literal: "|" or "|-", each line indented by 2 more, empty lines bare */
		const char *p = s, *end = s + len;
		if (s[0] == ' ' || s[0] == '\n' || s[len - 1] == ' ' || (len >= 2 && !memcmp(s + len - 2, "\n\n", 2)))
			return 0;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)s[i];
			size_t w;
			if (c >= 0x80 && (w = fw_wide((const unsigned char *)s + i, len - i))) {
				i += w - 1;
				continue;
			}
			if ((c < 0x20 && c != '\n') || c > 0x7e || (c == ' ' && s[i + 1] == '\n'))
				return 0;
		}
		if ((after && gitops_buf_add(b, " ", 1) < 0) ||
		    gitops_buf_addstr(b, s[len - 1] == '\n' ? "|\n" : "|-\n") < 0)
			return -1;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if (n && (fw_indent(b, indent + 2) < 0 || gitops_buf_add(b, p, n) < 0))
				return -1;
			if (gitops_buf_add(b, "\n", 1) < 0)
				return -1;
			p += n + 1;
		}
		return 1;
	}
	if (quote_check && gitops_scalar_needs_quotes(s, len)) {
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)s[i];
			size_t w;
			if (c >= 0x80 && (w = fw_wide((const unsigned char *)s + i, len - i))) {
				i += w - 1;
				continue;
			}
			if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
				return 0;
		}
		if ((after && gitops_buf_add(b, " ", 1) < 0) || gitops_buf_add(b, "\"", 1) < 0 ||
		    gitops_buf_add(b, s, len) < 0 || gitops_buf_add(b, "\"", 1) < 0)
			return -1;
	} else if (!len || !fw_printable(s, len)) {
		return 0;
	} else if (fw_plain_ok(s, len)) {
		if ((after && gitops_buf_add(b, " ", 1) < 0) || gitops_buf_add(b, s, len) < 0)
			return -1;
	} else {
		/* single-quoted, a quote doubled */
		const char *p = s, *q, *end = s + len;
		if ((after && gitops_buf_add(b, " ", 1) < 0) || gitops_buf_add(b, "'", 1) < 0)
			return -1;
		while ((q = memchr(p, '\'', (size_t)(end - p)))) {
			if (gitops_buf_add(b, p, (size_t)(q - p) + 1) < 0 || gitops_buf_add(b, "'", 1) < 0)
				return -1;
			p = q + 1;
		}
		if (gitops_buf_add(b, p, (size_t)(end - p)) < 0 || gitops_buf_add(b, "'", 1) < 0)
			return -1;
	}
	return is_key ? 1 : gitops_buf_add(b, "\n", 1) < 0 ? -1 : 1;
}

static int fw_node(struct gitops_buf *b, const cJSON *n, int indent, int after);

/* a block mapping at indent; inline: its first key follows "- " on the current line */
static int fw_map(struct gitops_buf *b, const cJSON *m, int indent, int inline_first)
{
	const cJSON *c;
	int r;

	for (c = m->child; c; c = c->next) {
		const char *k = c->string ? c->string : "";
		if ((c != m->child || !inline_first) && fw_indent(b, indent) < 0)
			return -1;
		if ((r = fw_scalar(b, k, strlen(k), 1, 1, 0, indent)) <= 0)
			return r;
		if (gitops_buf_add(b, ":", 1) < 0)
			return -1;
		if (((c->type & 0xff) == cJSON_Object || (c->type & 0xff) == cJSON_Array) && c->child) {
			if (gitops_buf_add(b, "\n", 1) < 0)
				return -1;
			r = (c->type & 0xff) == cJSON_Object ? fw_map(b, c, indent + 2, 0) : fw_node(b, c, indent, 0);
		} else {
			r = fw_node(b, c, indent, 1);
		}
		if (r <= 0)
			return r;
	}
	return 1;
}

/* a block sequence at indent; inline: its first item follows "- " on the current line */
static int fw_seq(struct gitops_buf *b, const cJSON *a, int indent, int inline_first)
{
	const cJSON *c;
	int r;

	for (c = a->child; c; c = c->next) {
		if ((c != a->child || !inline_first) && fw_indent(b, indent) < 0)
			return -1;
		if (gitops_buf_add(b, "-", 1) < 0)
			return -1;
		if (((c->type & 0xff) == cJSON_Object || (c->type & 0xff) == cJSON_Array) && c->child) {
			if (gitops_buf_add(b, " ", 1) < 0)
				return -1;
			r = (c->type & 0xff) == cJSON_Object ? fw_map(b, c, indent + 2, 1) : fw_seq(b, c, indent + 2, 1);
		} else {
			r = fw_node(b, c, indent, 1);
		}
		if (r <= 0)
			return r;
	}
	return 1;
}

/*
 * A value after "key:" or "-" (after = 1) at the parent's indent: a scalar
 * or an empty collection on the same line; a non-empty sequence in a
 * mapping (after = 0, on the next lines) at the parent's own indent.
 */
static int fw_node(struct gitops_buf *b, const cJSON *n, int indent, int after)
{
	char num[40];

	switch (n->type & 0xff) {
	case cJSON_Object:
		if (n->child)
			return 0; /* not reached: fw_map and fw_seq place non-empty collections */
		return gitops_buf_addstr(b, after ? " {}\n" : "{}\n") < 0 ? -1 : 1;
	case cJSON_Array:
		if (n->child)
			return after ? 0 : fw_seq(b, n, indent, 0);
		return gitops_buf_addstr(b, after ? " []\n" : "[]\n") < 0 ? -1 : 1;
	case cJSON_String:
		return fw_scalar(b, n->valuestring, strlen(n->valuestring), 1, 0, after, indent);
	case cJSON_Number:
		if (n->type & GITOPS_VALUE_INT) {
			gitops_value_format_number(num, sizeof(num), n);
		} else {
			if (n->valuedouble != n->valuedouble || n->valuedouble * 0 != 0)
				return 0; /* libyaml's path gives the error */
			gitops_number_format(n->valuedouble, num, sizeof(num));
		}
		return fw_scalar(b, num, strlen(num), 0, 0, after, indent);
	case cJSON_True:
		return fw_scalar(b, "true", 4, 0, 0, after, indent);
	case cJSON_False:
		return fw_scalar(b, "false", 5, 0, 0, after, indent);
	default:
		return fw_scalar(b, "null", 4, 0, 0, after, indent);
	}
}

int gitops_yaml_writer_doc(struct gitops_yaml_writer *w, const cJSON *root, struct gitops_err *err)
{
	yaml_event_t ev;

	if (w->ended)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "YAML writer used after its end");
	if (!w->started) {
		yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
		if (emit(w, &ev, err) < 0)
			return -1;
		w->started = 1;
	}
	/* libyaml flushed its last document: a mapping can go straight out (open_ended 2 would want a "...") */
	if (cJSON_IsObject(root) && root->child && w->em.open_ended != 2 && !w->libyaml_only) {
		struct gitops_buf *b = &w->text;
		int r;

		b->len = 0;
		r = gitops_buf_add(b, "---\n", 4) < 0 ? -1 : fw_map(b, root, 0, 0);
		if (r > 0 && w->write(w->ctx, b->data, b->len, err) < 0)
			r = -2;
		/* a huge document's buffer is not kept for the next */
		if (b->cap > (1u << 20))
			gitops_buf_release(b);
		if (r < 0)
			return r == -1 ? gitops_err_oom(err) : -1;
		if (r > 0)
			return 0;
	}
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0);
	if (emit(w, &ev, err) < 0 || emit_node(w, root, err) < 0)
		return -1;
	yaml_document_end_event_initialize(&ev, 1);
	return emit(w, &ev, err);
}

int gitops_yaml_writer_end(struct gitops_yaml_writer *w, struct gitops_err *err)
{
	yaml_event_t ev;

	if (w->ended)
		return 0;
	w->ended = 1;
	if (!w->started)
		return 0;
	yaml_stream_end_event_initialize(&ev);
	if (emit(w, &ev, err) < 0)
		return -1;
	if (!yaml_emitter_flush(&w->em))
		return gitops_err_set(err, GITOPS_EXIT_IO, "cannot write the output");
	return 0;
}

void gitops_yaml_writer_libyaml_only(struct gitops_yaml_writer *w)
{
	w->libyaml_only = 1;
}

void gitops_yaml_writer_free(struct gitops_yaml_writer *w)
{
	if (!w)
		return;
	gitops_buf_release(&w->text);
	yaml_emitter_delete(&w->em);
	free(w);
}

static int buf_write(void *ctx, const void *data, size_t len, struct gitops_err *err)
{
	return gitops_buf_add(ctx, data, len) < 0 ? gitops_err_oom(err) : 0;
}

int gitops_yaml_dump(char **out, const cJSON *root, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_yaml_writer *w = NULL;
	int ret = -1;

	if (gitops_yaml_writer_new(&w, buf_write, &b, err) < 0)
		return -1;
	if (gitops_yaml_writer_doc(w, root, err) < 0 || gitops_yaml_writer_end(w, err) < 0)
		goto done;
	if (!b.data && gitops_buf_add(&b, "", 0) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	*out = gitops_buf_detach(&b);
	ret = *out ? 0 : gitops_err_oom(err);
done:
	gitops_buf_release(&b);
	gitops_yaml_writer_free(w);
	return ret;
}

int gitops_yaml_read_mapping_file(cJSON **out, const char *file, const char *what, const struct gitops_limits *limits,
				  struct gitops_err *err)
{
	struct gitops_buf text = GITOPS_BUF_INIT;
	int rc;

	*out = NULL;
	rc = gitops_buf_read_file(&text, file, 1u << 20, err) < 0 ||
	     gitops_yaml_parse_one(out, text.data ? text.data : "", text.len, file, limits, err) < 0;
	gitops_buf_release(&text);
	if (rc)
		return -1;
	if (!cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: not a mapping of %s", file, what);
	}
	return 0;
}
