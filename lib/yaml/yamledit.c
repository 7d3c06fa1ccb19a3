#include "lib/yaml/yamledit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <yaml.h>

#include "lib/base/buf.h"
#include "lib/value/path.h"
#include "lib/yaml/scalar.h"
#include "lib/value/jsonio.h"

enum ntype { N_SCALAR, N_SEQ, N_MAP, N_ALIAS };

struct node {
	enum ntype type;
	int style;              /* scalar: yaml_scalar_style_t; collections: 1 when flow */
	int tagged;             /* an explicit tag ("!!str") */
	size_t start, end;      /* bytes: from the first property (anchor, tag) to the end of the node */
	size_t vstart;          /* scalar: the first byte of the scalar text itself */
	char *value;            /* scalar value (owned) */
	size_t len;
	char *anchor;           /* anchor defined here (owned), or NULL */
	char *alias;            /* N_ALIAS: the anchor it names (owned) */
	struct node **kids;     /* mapping: key, value, key, value...; sequence: items */
	size_t n, cap;
	struct node *parent;
	int flow_ctx;           /* inside a flow collection */
};

struct edit {
	size_t start, end;
	size_t seq;             /* insertions at one place keep their order */
	char *text;
	size_t tlen;
};

struct change {
	struct gitops_yamledit_change pub;
	char *what, *old, *new;
};

struct gitops_yamledit {
	char *name;
	char *data;
	size_t len;
	size_t bom;             /* bytes of a UTF-8 byte order mark that libyaml skipped */
	int ascii;
	size_t cur_c, cur_b;    /* character index <-> byte offset cursor */
	const char *eol;        /* "\r\n" when the file uses it, else "\n" */
	size_t *lines;          /* byte offset of each line start */
	size_t nlines;
	struct node **docs;     /* root of each document (NULL for an empty one) */
	size_t ndocs;
	struct node **all;      /* every node, in document order (owns them) */
	size_t nall, capall;
	struct edit *edits;
	size_t nedits, capedits;
	struct change *changes;
	size_t nchanges, capchanges;
	struct gitops_buf out;
	struct gitops_limits limits;
};

/* --- positions --- */

static size_t to_byte(struct gitops_yamledit *y, size_t ci)
{
	if (y->ascii)
		return y->bom + ci < y->len ? y->bom + ci : y->len;
	while (y->cur_c < ci && y->cur_b < y->len) {
		unsigned char c = (unsigned char)y->data[y->cur_b];
		size_t w = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		y->cur_b += w;
		if (y->cur_b > y->len)
			y->cur_b = y->len;
		y->cur_c++;
	}
	while (y->cur_c > ci && y->cur_b > y->bom) {
		y->cur_b--;
		while (y->cur_b > y->bom && ((unsigned char)y->data[y->cur_b] & 0xc0) == 0x80)
			y->cur_b--;
		y->cur_c--;
	}
	return y->cur_b;
}

/* 0-based line of byte offset off. */
static size_t line_of(const struct gitops_yamledit *y, size_t off)
{
	size_t lo = 0, hi = y->nlines;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (y->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static size_t line_start(const struct gitops_yamledit *y, size_t off)
{
	return y->lines[line_of(y, off)];
}

static int build_lines(struct gitops_yamledit *y)
{
	size_t i, n = 1;

	for (i = 0; i < y->len; i++)
		if (y->data[i] == '\n')
			n++;
	y->lines = malloc(n * sizeof(*y->lines));
	if (!y->lines)
		return -1;
	y->lines[0] = 0;
	y->nlines = 1;
	for (i = 0; i < y->len; i++)
		if (y->data[i] == '\n')
			y->lines[y->nlines++] = i + 1;
	return 0;
}

/* --- the node tree --- */

static void node_free(struct node *n)
{
	free(n->value);
	free(n->anchor);
	free(n->alias);
	free(n->kids);
	free(n);
}

void gitops_yamledit_free(struct gitops_yamledit *y)
{
	size_t i;

	if (!y)
		return;
	for (i = 0; i < y->nall; i++)
		node_free(y->all[i]);
	free(y->all);
	free(y->docs);
	for (i = 0; i < y->nedits; i++)
		free(y->edits[i].text);
	free(y->edits);
	for (i = 0; i < y->nchanges; i++) {
		free(y->changes[i].what);
		free(y->changes[i].old);
		free(y->changes[i].new);
	}
	free(y->changes);
	gitops_buf_release(&y->out);
	free(y->lines);
	free(y->name);
	free(y->data);
	free(y);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	void *q;
	size_t c;

	if (need <= *cap)
		return 0;
	c = *cap ? *cap * 2 : 8;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/*
 * n bytes copied and NUL-terminated: not strndup, which stops at a NUL,
 * while a file or a scalar ("\0") may hold one and its length is kept.
 */
static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip "&anchor" and "!tag" properties, blanks, line breaks and comments before a scalar's text. */
static size_t skip_properties(const struct gitops_yamledit *y, size_t p, size_t end)
{
	while (p < end) {
		char c = y->data[p];
		if (c == '&' || c == '!') {
			while (p < end && !is_space(y->data[p]))
				p++;
		} else if (is_space(c)) {
			p++;
		} else if (c == '#' && (p == 0 || is_space(y->data[p - 1]))) {
			while (p < end && y->data[p] != '\n')
				p++;
		} else {
			break;
		}
	}
	return p;
}

static int blank_range(const char *s, size_t a, size_t b)
{
	for (; a < b; a++)
		if (s[a] != ' ' && s[a] != '\t' && s[a] != '\r' && s[a] != '\n')
			return 0;
	return 1;
}

/*
 * The end of a block scalar's content: libyaml's end mark lies past the
 * trailing line breaks and the next line's indentation; back up to the end
 * of the last line that holds content (or of the header line).
 */
static size_t block_end(const struct gitops_yamledit *y, size_t vstart, size_t end)
{
	size_t header_end = vstart, e = end;

	while (header_end < y->len && y->data[header_end] != '\n')
		header_end++;
	if (header_end > vstart && y->data[header_end - 1] == '\r')
		header_end--;
	while (e > header_end) {
		size_t ls = line_start(y, e > 0 ? e - 1 : 0);
		/* e is the end of a line (or inside the last one) */
		if (ls <= header_end)
			break;
		if (!blank_range(y->data, ls, e))
			break;
		e = ls > 0 ? ls - 1 : 0;        /* the '\n' ending the line before */
		if (e > 0 && y->data[e - 1] == '\r' && e - 1 > header_end)
			e--;
	}
	if (e <= header_end)
		return header_end;
	/* strip the line break (and trailing blanks of a partial last line) */
	while (e > header_end && (y->data[e - 1] == '\n' || y->data[e - 1] == '\r'))
		e--;
	/* e may sit on the indentation of the next line: back up to a line end */
	if (!blank_range(y->data, line_start(y, e), e))
		return e;
	e = line_start(y, e);
	while (e > header_end && (y->data[e - 1] == '\n' || y->data[e - 1] == '\r'))
		e--;
	return e > header_end ? e : header_end;
}

static struct node *new_node(struct gitops_yamledit *y, enum ntype type, const yaml_mark_t *s, const yaml_mark_t *e)
{
	struct node *n;

	if (grow((void **)&y->all, &y->capall, y->nall + 1, sizeof(*y->all)) < 0)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	y->all[y->nall++] = n;
	n->type = type;
	n->start = to_byte(y, s->index);
	n->end = to_byte(y, e->index);
	if (n->end < n->start)
		n->end = n->start;
	n->vstart = n->start;
	return n;
}

static int attach(struct node *parent, struct node *n)
{
	if (grow((void **)&parent->kids, &parent->cap, parent->n + 1, sizeof(*parent->kids)) < 0)
		return -1;
	parent->kids[parent->n++] = n;
	n->parent = parent;
	n->flow_ctx = parent->flow_ctx || parent->style;
	return 0;
}

static int parse_error(struct gitops_yamledit *y, yaml_parser_t *p, struct gitops_err *err)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";

	if (p->error == YAML_MEMORY_ERROR)
		return gitops_err_oom(err);
	if (p->error == YAML_READER_ERROR)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: invalid UTF-8 or control character (%s)", y->name,
				      line_of(y, p->problem_offset < y->len ? p->problem_offset : y->len) + 1, problem);
	if (p->context)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: %s %s", y->name, (size_t)p->problem_mark.line + 1,
				      problem, p->context);
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: %s", y->name, (size_t)p->problem_mark.line + 1, problem);
}

static int parse(struct gitops_yamledit *y, struct gitops_err *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct node **stack = NULL;
	size_t depth = 0, stack_cap = 0, docs_cap = 0;
	int done = 0, error = -1;

	if (!yaml_parser_initialize(&p))
		return gitops_err_oom(err);
	yaml_parser_set_input_string(&p, (const unsigned char *)y->data, y->len);
	while (!done) {
		struct node *n = NULL;
		if (!yaml_parser_parse(&p, &ev)) {
			parse_error(y, &p, err);
			goto out;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (grow((void **)&y->docs, &docs_cap, y->ndocs + 1, sizeof(*y->docs)) < 0)
				goto oom;
			y->docs[y->ndocs++] = NULL;
			break;
		case YAML_SCALAR_EVENT:
			n = new_node(y, N_SCALAR, &ev.start_mark, &ev.end_mark);
			if (!n || !(n->value = dup_n((const char *)ev.data.scalar.value, ev.data.scalar.length)))
				goto oom;
			n->len = ev.data.scalar.length;
			n->style = ev.data.scalar.style;
			n->tagged = ev.data.scalar.tag != NULL;
			if (ev.data.scalar.anchor || ev.data.scalar.tag)
				n->vstart = skip_properties(y, n->start, n->end);
			if (n->style == YAML_LITERAL_SCALAR_STYLE || n->style == YAML_FOLDED_SCALAR_STYLE)
				n->end = block_end(y, n->vstart, n->end);
			if (ev.data.scalar.anchor && !(n->anchor = strdup((const char *)ev.data.scalar.anchor)))
				goto oom;
			break;
		case YAML_ALIAS_EVENT:
			n = new_node(y, N_ALIAS, &ev.start_mark, &ev.end_mark);
			if (!n || !(n->alias = strdup((const char *)ev.data.alias.anchor)))
				goto oom;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			int seq = ev.type == YAML_SEQUENCE_START_EVENT;
			const yaml_char_t *anchor = seq ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor;
			n = new_node(y, seq ? N_SEQ : N_MAP, &ev.start_mark, &ev.end_mark);
			if (!n)
				goto oom;
			n->style = seq ? ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
				       : ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
			if (anchor && !(n->anchor = strdup((const char *)anchor)))
				goto oom;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0) {
				depth--;
				stack[depth]->end = to_byte(y, ev.end_mark.index);
			}
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		if (n) {
			if (y->nall > y->limits.max_nodes) {
				yaml_event_delete(&ev);
				gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: more than %zu nodes", y->name,
					       line_of(y, n->start) + 1, y->limits.max_nodes);
				goto out;
			}
			if (depth > 0) {
				if (attach(stack[depth - 1], n) < 0)
					goto oom;
			} else if (y->ndocs > 0) {
				y->docs[y->ndocs - 1] = n;
			}
			if (n->type == N_SEQ || n->type == N_MAP) {
				if (depth >= y->limits.max_depth) {
					yaml_event_delete(&ev);
					gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: nested deeper than %zu levels", y->name,
						       line_of(y, n->start) + 1, y->limits.max_depth);
					goto out;
				}
				if (grow((void **)&stack, &stack_cap, depth + 1, sizeof(*stack)) < 0)
					goto oom;
				stack[depth++] = n;
			}
		}
		yaml_event_delete(&ev);
		continue;
oom:
		yaml_event_delete(&ev);
		gitops_err_oom(err);
		goto out;
	}
	error = 0;
out:
	free(stack);
	yaml_parser_delete(&p);
	return error;
}

int gitops_yamledit_new(struct gitops_yamledit **out, const void *data, size_t len, const char *name,
		     const struct gitops_limits *limits, struct gitops_err *err)
{
	struct gitops_limits def = GITOPS_LIMITS_INIT;
	struct gitops_yamledit *y;
	size_t i;

	*out = NULL;
	y = calloc(1, sizeof(*y));
	if (!y)
		return gitops_err_oom(err);
	y->limits = limits ? *limits : def;
	if (len > y->limits.max_stream_bytes) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: larger than the limit of %zu bytes", name,
			       y->limits.max_stream_bytes);
		goto fail;
	}
	if (!(y->name = strdup(name)) || !(y->data = dup_n(data, len)))
		goto oom;
	y->len = len;
	if (build_lines(y) < 0)
		goto oom;
	{
		const char *nul = memchr(y->data, '\0', len);
		if (nul) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: binary data (a NUL byte)", name,
				       line_of(y, (size_t)(nul - y->data)) + 1);
			goto fail;
		}
	}
	if (len >= 3 && !memcmp(y->data, "\xef\xbb\xbf", 3))
		y->bom = 3;
	y->cur_b = y->bom;
	y->ascii = 1;
	for (i = 0; i < len; i++)
		if ((unsigned char)y->data[i] >= 0x80) {
			y->ascii = 0;
			break;
		}
	if (y->bom)
		y->ascii = 0;
	y->eol = memmem(y->data, len, "\r\n", 2) ? "\r\n" : "\n";
	if (parse(y, err) < 0)
		goto fail;
	*out = y;
	return 0;
oom:
	gitops_err_oom(err);
fail:
	gitops_yamledit_free(y);
	return -1;
}

/* --- edits and changes --- */

static int add_change(struct gitops_yamledit *y, size_t off, const char *what, const char *old, const char *new)
{
	struct change *c;

	if (grow((void **)&y->changes, &y->capchanges, y->nchanges + 1, sizeof(*y->changes)) < 0)
		return -1;
	c = &y->changes[y->nchanges];
	c->what = strdup(what);
	c->old = strdup(old);
	c->new = strdup(new);
	if (!c->what || !c->old || !c->new) {
		free(c->what), free(c->old), free(c->new);
		return -1;
	}
	c->pub.line = line_of(y, off) + 1;
	c->pub.what = c->what, c->pub.old = c->old, c->pub.new = c->new;
	y->nchanges++;
	return 0;
}

/* Replace bytes [start, end) with text; 1 added, 0 the same edit was there, -1 conflict or oom. */
static int add_edit(struct gitops_yamledit *y, size_t start, size_t end, const char *text, size_t tlen,
		    struct gitops_err *err)
{
	size_t i;
	struct edit *e;

	for (i = 0; i < y->nedits; i++) {
		e = &y->edits[i];
		if (e->start == start && e->end == end && e->tlen == tlen && !memcmp(e->text, text, tlen))
			return 0;
		if ((start < e->end && e->start < end) || (start == end && e->start < start && start < e->end) ||
		    (e->start == e->end && start < e->start && e->start < end))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: two edits of the same value disagree",
					      y->name, line_of(y, start) + 1);
	}
	if (grow((void **)&y->edits, &y->capedits, y->nedits + 1, sizeof(*y->edits)) < 0)
		return gitops_err_oom(err);
	e = &y->edits[y->nedits];
	if (!(e->text = dup_n(text, tlen)))
		return gitops_err_oom(err);
	e->start = start, e->end = end, e->tlen = tlen, e->seq = y->nedits;
	y->nedits++;
	return 1;
}

/* --- writing scalars --- */

static int plain_ok(const char *s, size_t len, int in_flow)
{
	size_t i;

	if (len == 0 || strchr("?:,[]{}#&*!|>'\"%@`", s[0]))
		return 0;
	if (s[0] == '-' && (len == 1 || s[1] == ' ' || s[1] == '-'))
		return 0;
	if (s[0] == '.' && len >= 3 && s[1] == '.' && s[2] == '.')
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == ':')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c == ':' && i + 1 < len && (s[i + 1] == ' ' || (in_flow && strchr(",[]{}", s[i + 1]))))
			return 0;
		if (c == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t'))
			return 0;
		if (in_flow && strchr(",[]{}:", c))
			return 0;   /* "a:b" is plain in a flow collection for libyaml 0.2.5, not for older readers */
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0x85)
			return 0;
		if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9))
			return 0;
		if (c == 0xef && i + 2 < len && (unsigned char)s[i + 1] == 0xbb && (unsigned char)s[i + 2] == 0xbf)
			return 0;
	}
	return 1;
}

static int printable_line(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0x85)
			return 0;
		if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9))
			return 0;
	}
	return 1;
}

static int write_double(struct gitops_buf *b, const char *s, size_t len)
{
	size_t i;

	if (gitops_buf_add(b, "\"", 1) < 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int r;
		switch (c) {
		case '"': r = gitops_buf_add(b, "\\\"", 2); break;
		case '\\': r = gitops_buf_add(b, "\\\\", 2); break;
		case '\n': r = gitops_buf_add(b, "\\n", 2); break;
		case '\t': r = gitops_buf_add(b, "\\t", 2); break;
		case '\r': r = gitops_buf_add(b, "\\r", 2); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				r = gitops_buf_printf(b, "\\x%02x", c);
			} else if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0x85) {
				r = gitops_buf_add(b, "\\N", 2), i++;
			} else if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
				   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
				r = gitops_buf_add(b, (unsigned char)s[i + 2] == 0xa8 ? "\\L" : "\\P", 2), i += 2;
			} else if (c == 0xef && i + 2 < len && (unsigned char)s[i + 1] == 0xbb &&
				   (unsigned char)s[i + 2] == 0xbf) {
				r = gitops_buf_add(b, "\\uFEFF", 6), i += 2;
			} else {
				r = gitops_buf_add(b, s + i, 1);
			}
		}
		if (r < 0)
			return -1;
	}
	return gitops_buf_add(b, "\"", 1);
}

static int write_single(struct gitops_buf *b, const char *s, size_t len)
{
	size_t i;

	if (gitops_buf_add(b, "'", 1) < 0)
		return -1;
	for (i = 0; i < len; i++)
		if (gitops_buf_add(b, s + i, 1) < 0 || (s[i] == '\'' && gitops_buf_add(b, "'", 1) < 0))
			return -1;
	return gitops_buf_add(b, "'", 1);
}

/* The indentation (bytes of spaces) of the first content line of a block scalar, or -1. */
static long block_indent(const struct gitops_yamledit *y, const struct node *n)
{
	size_t p = n->vstart;

	while (p < n->end && y->data[p] != '\n')
		p++;
	while (p < n->end) {
		size_t q = ++p, k = 0;
		while (q < n->end && y->data[q] == ' ')
			q++, k++;
		if (q < n->end && y->data[q] != '\n' && y->data[q] != '\r')
			return (long)k;
		p = q;
		while (p < n->end && y->data[p] != '\n')
			p++;
	}
	return -1;
}

static size_t column_of(const struct gitops_yamledit *y, size_t off)
{
	return off - line_start(y, off);
}

/* A block scalar, keeping the header's comment; -1 when the value cannot be one. */
static int write_block(struct gitops_yamledit *y, const struct node *n, const char *s, size_t len, struct gitops_buf *b)
{
	size_t body = len, p, hdr = n->vstart + 1, hdr_end;
	long indent = block_indent(y, n);
	char style = y->data[n->vstart];
	int multi = memchr(s, '\n', len) != NULL;

	if (body > 0 && s[body - 1] == '\n')
		body--;
	if (body == 0 || s[0] == ' ' || s[0] == '\t' || s[body - 1] == '\n')
		return -1;
	for (p = 0; p < body;) {
		const char *nl = memchr(s + p, '\n', body - p);
		size_t l = nl ? (size_t)(nl - (s + p)) : body - p;
		if (!printable_line(s + p, l))
			return -1;
		p += l + 1;
	}
	if (indent < 0) {
		indent = (long)column_of(y, n->start);
		if (n->parent && n->parent->type == N_MAP)
			indent = (long)column_of(y, n->parent->kids[0]->start) + 2;
	}
	if (indent < 1)
		indent = 1;
	if (style == '>' && multi)
		style = '|';
	while (hdr < n->end && strchr("+-0123456789", y->data[hdr]) && y->data[hdr])
		hdr++;
	hdr_end = hdr;
	while (hdr_end < y->len && y->data[hdr_end] != '\n' && y->data[hdr_end] != '\r')
		hdr_end++;
	if (gitops_buf_add(b, &style, 1) < 0 || (body == len && gitops_buf_add(b, "-", 1) < 0) ||
	    gitops_buf_add(b, y->data + hdr, hdr_end - hdr) < 0)
		return -2;
	for (p = 0; p < body;) {
		const char *nl = memchr(s + p, '\n', body - p);
		size_t l = nl ? (size_t)(nl - (s + p)) : body - p;
		if (gitops_buf_addstr(b, y->eol) < 0)
			return -2;
		if (l && gitops_buf_printf(b, "%*s%.*s", (int)indent, "", (int)l, s + p) < 0)
			return -2;
		p += l + 1;
	}
	return 0;
}

/*
 * The text that replaces node n's scalar so that it reads back as `s`, in
 * n's style.  force_string: the value is a string whatever the old one was.
 */
static int render(struct gitops_yamledit *y, const struct node *n, const char *s, size_t len, int force_string,
		  struct gitops_buf *b)
{
	int style = n->style, r;

	if (style == YAML_LITERAL_SCALAR_STYLE || style == YAML_FOLDED_SCALAR_STYLE) {
		r = write_block(y, n, s, len, b);
		if (r == 0)
			return 0;
		if (r < -1)
			return -1;
		b->len = 0;
		return write_double(b, s, len);
	}
	if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE) {
		if (printable_line(s, len))
			return write_single(b, s, len);
		return write_double(b, s, len);
	}
	if (style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		return write_double(b, s, len);
	{
		struct gitops_scalar old;
		int old_string;
		gitops_scalar_resolve(n->value, n->len, &old);
		old_string = force_string || old.kind == GITOPS_SCALAR_STRING;
		if (plain_ok(s, len, n->flow_ctx) && (n->tagged || !old_string || !gitops_scalar_needs_quotes(s, len))) {
			/* an empty value right after "key:" needs a blank before the new one */
			if (n->len == 0 && n->vstart == n->end && n->vstart > 0 && !is_space(y->data[n->vstart - 1]) &&
			    gitops_buf_add(b, " ", 1) < 0)
				return -1;
			return gitops_buf_add(b, s, len);
		}
		if (n->len == 0 && n->vstart == n->end && n->vstart > 0 && !is_space(y->data[n->vstart - 1]) &&
		    gitops_buf_add(b, " ", 1) < 0)
			return -1;
		return write_double(b, s, len);
	}
}

/* Set scalar n to s: 1 changed, 0 already so, -1 error. */
static int set_scalar(struct gitops_yamledit *y, const struct node *n, const char *s, int force_string,
		      const char *what, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len = strlen(s);
	int r;

	if (n->type != N_SCALAR)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: %s is not a scalar", y->name,
				      line_of(y, n->start) + 1, what);
	if (n->len == len && !memcmp(n->value, s, len))
		return 0;
	if (render(y, n, s, len, force_string, &b) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	r = add_edit(y, n->vstart, n->end, b.data ? b.data : "", b.len, err);
	gitops_buf_release(&b);
	if (r < 0)
		return -1;
	if (r > 0 && add_change(y, n->vstart, what, n->value, s) < 0)
		return gitops_err_oom(err);
	return 1;
}

/* --- lookups --- */

static int scalar_is(const struct node *n, const char *s)
{
	return n && n->type == N_SCALAR && n->len == strlen(s) && !memcmp(n->value, s, n->len);
}

static struct node *map_get(const struct node *m, const char *key)
{
	size_t i;

	if (!m || m->type != N_MAP)
		return NULL;
	for (i = 0; i + 1 < m->n; i += 2)
		if (scalar_is(m->kids[i], key))
			return m->kids[i + 1];
	return NULL;
}

static struct node *map_key(const struct node *m, const char *key)
{
	size_t i;

	for (i = 0; m && m->type == N_MAP && i + 1 < m->n; i += 2)
		if (scalar_is(m->kids[i], key))
			return m->kids[i];
	return NULL;
}

static const struct node *find_anchor(const struct gitops_yamledit *y, const char *name, size_t before)
{
	const struct node *found = NULL;
	size_t i;

	for (i = 0; i < y->nall; i++)
		if (y->all[i]->anchor && !strcmp(y->all[i]->anchor, name) && y->all[i]->start < before)
			found = y->all[i];
	return found;
}

static const char *type_name(const struct node *n)
{
	switch (n->type) {
	case N_MAP: return "a mapping";
	case N_SEQ: return "a sequence";
	case N_ALIAS: return "an alias";
	default: return "a scalar";
	}
}

static int alias_error(struct gitops_yamledit *y, const struct node *n, const char *path, struct gitops_err *err)
{
	const struct node *a = find_anchor(y, n->alias, n->start);

	if (a)
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      "%s:%zu: '%s' goes through the alias '*%s'; edit its anchor '&%s' at line %zu",
				      y->name, line_of(y, n->start) + 1, path, n->alias, n->alias, line_of(y, a->start) + 1);
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: '%s' goes through the alias '*%s'", y->name,
			      line_of(y, n->start) + 1, path, n->alias);
}

/* --- paths --- */

/* Paths are lib/value/path's yamledit syntax: keys, [N] and [KEY=VALUE] steps. */

static int has_merge_key(const struct node *m)
{
	return map_key(m, "<<") != NULL;
}

/*
 * Walk segs from root.  Returns the node at the path; or NULL with *stop
 * (the last node reached) and *at (the index of the first segment not
 * found); or NULL with err set (alias, merge key).
 */
static struct node *walk(struct gitops_yamledit *y, struct node *root, const char *path, const struct gitops_path_step *segs, size_t n,
			 struct node **stop, size_t *at, struct gitops_err *err)
{
	struct node *cur = root;
	size_t i, j;

	*stop = root;
	*at = 0;
	err->code = 0;
	for (i = 0; i < n; i++) {
		struct node *next = NULL;
		if (cur->type == N_ALIAS) {
			alias_error(y, cur, path, err);
			return NULL;
		}
		switch (segs[i].kind) {
		case GITOPS_PATH_KEY:
			if (cur->type == N_MAP) {
				next = map_get(cur, segs[i].key);
				if (!next && has_merge_key(cur)) {
					gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: '%s': the mapping has no key '%s' "
						       "of its own, only maybe through a merge key ('<<'); edit it where it is "
						       "defined", y->name, line_of(y, cur->start) + 1, path, segs[i].key);
					return NULL;
				}
			}
			break;
		case GITOPS_PATH_INDEX:
			if (cur->type == N_SEQ && segs[i].index < cur->n)
				next = cur->kids[segs[i].index];
			break;
		case GITOPS_PATH_MATCH:
			for (j = 0; cur->type == N_SEQ && j < cur->n && !next; j++) {
				struct node *v = map_get(cur->kids[j], segs[i].key);
				if (v && v->type == N_SCALAR && !strcmp(v->value, segs[i].value))
					next = cur->kids[j];
			}
			break;
		default:
			break;    /* the yamledit syntax has no '-' and no '*' */
		}
		if (!next) {
			*stop = cur;
			*at = i;
			return NULL;
		}
		cur = next;
	}
	if (cur->type == N_ALIAS) {
		alias_error(y, cur, path, err);
		return NULL;
	}
	return cur;
}

static int not_found(struct gitops_yamledit *y, const char *path, const struct node *stop, const struct gitops_path_step *s,
		     struct gitops_err *err)
{
	size_t line;

	if (!stop)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: '%s' not found: the file holds no YAML document",
				      y->name, path);
	line = line_of(y, stop->start) + 1;
	switch (s->kind) {
	case GITOPS_PATH_KEY:
		if (stop->type != N_MAP)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: '%s' not found: '%s' would be a key of %s, "
					      "not of a mapping", y->name, line, path, s->key, type_name(stop));
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: '%s' not found: the mapping has no key '%s' "
				      "(--create adds it)", y->name, line, path, s->key);
	case GITOPS_PATH_INDEX:
		if (stop->type != N_SEQ)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: '%s' not found: [%zu] needs a sequence, "
					      "found %s", y->name, line, path, s->index, type_name(stop));
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: '%s' not found: the sequence has %zu item%s, "
				      "no [%zu]", y->name, line, path, stop->n, stop->n == 1 ? "" : "s", s->index);
	case GITOPS_PATH_MATCH:
		if (stop->type != N_SEQ)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: '%s' not found: [%s=%s] needs a sequence, "
					      "found %s", y->name, line, path, s->key, s->value, type_name(stop));
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: '%s' not found: no item of the sequence has "
				      "%s=%s", y->name, line, path, s->key, s->value);
	default:
		break;
	}
	return -1;
}

/* --- adding keys --- */

/* The byte just past the last text of n (a collection's last value, a flow collection's bracket). */
static size_t deep_end(const struct node *n)
{
	while ((n->type == N_MAP || n->type == N_SEQ) && !n->style && n->n > 0)
		n = n->kids[n->n - 1];
	return n->end;
}

/* The indentation step of the file: how far a block mapping's keys sit right of their parent's. */
static size_t indent_step(const struct gitops_yamledit *y, const struct node *m)
{
	size_t i;

	for (; m; m = m->parent) {
		const struct node *p = m->parent;
		while (p && p->type != N_MAP)
			p = p->parent;
		if (m->type == N_MAP && !m->style && m->n && p && !p->style && p->n) {
			size_t a = column_of(y, m->kids[0]->start), b = column_of(y, p->kids[0]->start);
			if (a > b && line_of(y, m->kids[0]->start) != line_of(y, p->kids[0]->start))
				return a - b;
		}
	}
	for (i = 0; i < y->nall; i++) {
		const struct node *c = y->all[i], *p = c->parent;
		if (c->type == N_MAP && !c->style && c->n && p && p->type == N_MAP && !p->style) {
			size_t a = column_of(y, c->kids[0]->start), b = column_of(y, p->kids[0]->start);
			if (a > b)
				return a - b;
		}
	}
	return 2;
}

static int add_key_text(struct gitops_buf *b, const char *key)
{
	size_t len = strlen(key);

	if (plain_ok(key, len, 0) && !gitops_scalar_needs_quotes(key, len))
		return gitops_buf_add(b, key, len);
	return write_double(b, key, len);
}

static int add_value_text(struct gitops_yamledit *y, struct gitops_buf *b, const char *value, int in_flow)
{
	size_t len = strlen(value);

	(void)y;
	if (plain_ok(value, len, in_flow) && !gitops_scalar_needs_quotes(value, len))
		return gitops_buf_add(b, value, len);
	return write_double(b, value, len);
}

/* Add keys segs[0..n) (the last one holding value) to mapping m. */
static int create_in(struct gitops_yamledit *y, struct node *m, const struct gitops_path_step *segs, size_t n, const char *value,
		     const char *what, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t pos, i;
	int r = -1;

	if (m->style) {
		/* flow mapping: ", key: {key2: value}" before the closing brace */
		size_t close = m->end;
		while (close > m->start && y->data[close - 1] != '}')
			close--;
		if (close == m->start)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: cannot find the end of the flow mapping",
					      y->name, line_of(y, m->start) + 1);
		pos = m->n ? deep_end(m->kids[m->n - 1]) : close - 1;
		if (m->n && gitops_buf_add(&b, ", ", 2) < 0)
			goto oom;
		for (i = 0; i < n; i++) {
			if (add_key_text(&b, segs[i].key) < 0 || gitops_buf_add(&b, i + 1 < n ? ": {" : ": ", 2 + (i + 1 < n)) < 0)
				goto oom;
		}
		if (add_value_text(y, &b, value, 1) < 0)
			goto oom;
		for (i = 1; i < n; i++)
			if (gitops_buf_add(&b, "}", 1) < 0)
				goto oom;
	} else {
		size_t indent = column_of(y, m->kids[0]->start), step = indent_step(y, m);
		size_t e = deep_end(m->kids[m->n - 1]);
		const char *nl = memchr(y->data + e, '\n', y->len - e);
		if (!nl && gitops_buf_addstr(&b, y->eol) < 0)
			goto oom;
		pos = nl ? (size_t)(nl - y->data) + 1 : y->len;
		for (i = 0; i < n; i++) {
			if (gitops_buf_printf(&b, "%*s", (int)(indent + i * step), "") < 0 || add_key_text(&b, segs[i].key) < 0 ||
			    gitops_buf_add(&b, ":", 1) < 0)
				goto oom;
			if (i + 1 == n && (gitops_buf_add(&b, " ", 1) < 0 || add_value_text(y, &b, value, 0) < 0))
				goto oom;
			if ((i + 1 < n || nl) && gitops_buf_addstr(&b, y->eol) < 0)
				goto oom;
		}
	}
	r = add_edit(y, pos, pos, b.data, b.len, err);
	if (r >= 0 && add_change(y, pos < y->len ? pos : m->start, what, "", value) < 0)
		goto oom;
	gitops_buf_release(&b);
	return r < 0 ? -1 : 1;
oom:
	gitops_buf_release(&b);
	return gitops_err_oom(err);
}

static int create_key(struct gitops_yamledit *y, struct node *m, const char *key, const char *value,
		      struct gitops_err *err)
{
	struct gitops_path_step s;

	memset(&s, 0, sizeof(s));
	s.kind = GITOPS_PATH_KEY;
	s.key = (char *)key;
	return create_in(y, m, &s, 1, value, key, err);
}

/* Remove key and its (one-line scalar) value from a block mapping; a flow mapping gets "" instead. */
static int remove_key(struct gitops_yamledit *y, struct node *m, const char *key, struct gitops_err *err)
{
	struct node *k = map_key(m, key), *v = map_get(m, key);
	size_t a, e;
	const char *nl;
	int r;

	if (!k || !v || v->type != N_SCALAR || !v->len)
		return 0;
	if (m->style || line_of(y, k->start) != line_of(y, v->end) || m->n == 2)
		return set_scalar(y, v, "", 1, key, err);
	a = line_start(y, k->start);
	if (!blank_range(y->data, a, k->start))
		return set_scalar(y, v, "", 1, key, err);
	nl = memchr(y->data + v->end, '\n', y->len - v->end);
	e = nl ? (size_t)(nl - y->data) + 1 : y->len;
	r = add_edit(y, a, e, "", 0, err);
	if (r < 0)
		return -1;
	if (r > 0 && add_change(y, k->start, key, v->value, "") < 0)
		return gitops_err_oom(err);
	return 1;
}

int gitops_yamledit_set(struct gitops_yamledit *y, const char *path, const char *value, int create,
		     struct gitops_err *err)
{
	struct gitops_path parsed = GITOPS_PATH_INIT;
	const struct gitops_path_step *segs;
	size_t n, d, count = 0, first_at = 0;
	struct node *first_stop = NULL;
	int first = 1, error = -1;

	if (gitops_path_parse(&parsed, GITOPS_PATH_YAMLEDIT, path, 0, err) < 0)
		return -1;
	segs = parsed.steps;
	n = parsed.n;
	for (d = 0; d < y->ndocs; d++) {
		struct node *stop, *found;
		size_t at;
		if (!y->docs[d])
			continue;
		found = walk(y, y->docs[d], path, segs, n, &stop, &at, err);
		if (!found && err->code)
			goto done;
		if (!found) {
			/* --create adds to the document where the path goes deepest (the first of equals) */
			if (first || at > first_at)
				first_stop = stop, first_at = at, first = 0;
			continue;
		}
		if (found->type != N_SCALAR) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: '%s' is %s, not a scalar", y->name,
				       line_of(y, found->start) + 1, path, type_name(found));
			goto done;
		}
		if (set_scalar(y, found, value, 0, path, err) < 0)
			goto done;
		count++;
	}
	if (!count) {
		size_t i;
		int all_keys = 1;
		if (!first_stop) {
			not_found(y, path, NULL, segs, err);
			goto done;
		}
		for (i = first_at; i < n; i++)
			if (segs[i].kind != GITOPS_PATH_KEY)
				all_keys = 0;
		if (!create || !all_keys || first_stop->type != N_MAP) {
			not_found(y, path, first_stop, &segs[first_at], err);
			if (create && err->code && first_stop->type == N_MAP && !all_keys)
				gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: '%s' not found, and --create adds mapping "
					       "keys only, not sequence items", y->name, line_of(y, first_stop->start) + 1,
					       path);
			goto done;
		}
		if (create_in(y, first_stop, segs + first_at, n - first_at, value, path, err) < 0)
			goto done;
		count = 1;
	}
	error = (int)count;
done:
	gitops_path_release(&parsed);
	return error;
}

/* --- images --- */

struct img_ctx {
	struct gitops_yamledit *y;
	const struct gitops_yamledit_image *images;
	size_t n;
	int changes;
	struct gitops_err *err;
};

static int count_change(struct img_ctx *c, int r)
{
	if (r < 0)
		return -1;
	c->changes += r;
	return 0;
}

/* The new reference: the old one with the parts REF gives replaced (a new tag drops an old digest). */
static char *merged(const struct gitops_image_ref *old, const struct gitops_image_ref *ref)
{
	struct gitops_image_ref m;

	m.name = ref->name ? ref->name : old->name;
	m.tag = ref->tag ? ref->tag : old->tag;
	m.digest = ref->digest ? ref->digest : ref->tag ? NULL : old->digest;
	return gitops_image_format(&m);
}

static int image_scalar(struct img_ctx *c, struct node *v)
{
	struct gitops_image_ref old = GITOPS_IMAGE_REF_INIT;
	struct gitops_err ignored = GITOPS_ERR_INIT;
	size_t i;
	int r = 0;

	if (v->type != N_SCALAR || !v->len || gitops_image_parse(&old, v->value, &ignored) < 0)
		return 0;
	for (i = 0; i < c->n; i++) {
		char *s;
		if (!gitops_image_same_name(old.name, strlen(old.name), c->images[i].name, strlen(c->images[i].name)))
			continue;
		s = merged(&old, c->images[i].ref);
		if (!s) {
			r = gitops_err_oom(c->err);
			break;
		}
		r = count_change(c, set_scalar(c->y, v, s, 1, "image", c->err));
		free(s);
		break;
	}
	gitops_image_release(&old);
	return r;
}

static int same(const struct node *n, const char *name)
{
	return n && n->type == N_SCALAR && n->len &&
	       gitops_image_same_name(n->value, n->len, name, strlen(name));
}

static int kustomize_entry(struct img_ctx *c, struct node *m)
{
	struct node *name = map_get(m, "name"), *new_name = map_get(m, "newName"), *tag = map_get(m, "newTag");
	struct node *digest = map_get(m, "digest");
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct gitops_image_ref *ref = c->images[i].ref;
		if (!same(name, c->images[i].name) && !same(new_name, c->images[i].name))
			continue;
		if (ref->name) {
			if (new_name) {
				if (count_change(c, set_scalar(c->y, new_name, ref->name, 1, "newName", c->err)) < 0)
					return -1;
			} else if (!same(name, ref->name)) {
				if (count_change(c, create_key(c->y, m, "newName", ref->name, c->err)) < 0)
					return -1;
			}
		}
		if (ref->tag && count_change(c, tag ? set_scalar(c->y, tag, ref->tag, 1, "newTag", c->err)
					       : create_key(c->y, m, "newTag", ref->tag, c->err)) < 0)
			return -1;
		if (ref->digest && count_change(c, digest ? set_scalar(c->y, digest, ref->digest, 1, "digest", c->err)
						  : create_key(c->y, m, "digest", ref->digest, c->err)) < 0)
			return -1;
		if (!ref->digest && ref->tag && digest && count_change(c, remove_key(c->y, m, "digest", c->err)) < 0)
			return -1;
		return 0;
	}
	return 0;
}

static int helm_map(struct img_ctx *c, struct node *m)
{
	struct node *repo = map_get(m, "repository"), *reg = map_get(m, "registry"), *tag = map_get(m, "tag");
	struct node *digest = map_get(m, "digest");
	char full[600];
	size_t i;

	if (!repo || repo->type != N_SCALAR || !repo->len)
		return 0;
	if (reg && reg->type == N_SCALAR && reg->len)
		snprintf(full, sizeof(full), "%s/%s", reg->value, repo->value);
	else
		snprintf(full, sizeof(full), "%s", repo->value), reg = NULL;
	for (i = 0; i < c->n; i++) {
		const struct gitops_image_ref *ref = c->images[i].ref;
		char *t = NULL;
		int r;
		if (!gitops_image_same_name(full, strlen(full), c->images[i].name, strlen(c->images[i].name)))
			continue;
		if (ref->name && !gitops_image_same_name(full, strlen(full), ref->name, strlen(ref->name))) {
			const char *slash = strchr(ref->name, '/');
			if (reg && slash && (memchr(ref->name, '.', (size_t)(slash - ref->name)) ||
					     memchr(ref->name, ':', (size_t)(slash - ref->name)) ||
					     !strncmp(ref->name, "localhost/", 10))) {
				char host[256];
				snprintf(host, sizeof(host), "%.*s", (int)(slash - ref->name), ref->name);
				if (count_change(c, set_scalar(c->y, reg, host, 1, "registry", c->err)) < 0 ||
				    count_change(c, set_scalar(c->y, repo, slash + 1, 1, "repository", c->err)) < 0)
					return -1;
			} else if (count_change(c, set_scalar(c->y, repo, ref->name, 1, "repository", c->err)) < 0) {
				return -1;
			}
		}
		if (ref->tag || (ref->digest && !digest)) {
			const char *base = ref->tag ? ref->tag : tag && tag->type == N_SCALAR ? tag->value : "";
			size_t n = strlen(base) + (ref->digest ? strlen(ref->digest) + 2 : 1);
			if (!(t = malloc(n)))
				return gitops_err_oom(c->err);
			snprintf(t, n, "%s%s%s", base, ref->digest && !digest ? "@" : "", ref->digest && !digest ? ref->digest : "");
			r = count_change(c, tag ? set_scalar(c->y, tag, t, 1, "tag", c->err) : create_key(c->y, m, "tag", t, c->err));
			free(t);
			if (r < 0)
				return -1;
		}
		if (digest && (ref->digest || ref->tag) &&
		    count_change(c, set_scalar(c->y, digest, ref->digest ? ref->digest : "", 1, "digest", c->err)) < 0)
			return -1;
		return 0;
	}
	return 0;
}

static int visit(struct img_ctx *c, struct node *n)
{
	size_t i;

	if (n->type == N_SEQ) {
		for (i = 0; i < n->n; i++)
			if (visit(c, n->kids[i]) < 0)
				return -1;
		return 0;
	}
	if (n->type != N_MAP)
		return 0;
	for (i = 0; i + 1 < n->n; i += 2) {
		struct node *k = n->kids[i], *v = n->kids[i + 1];
		if (scalar_is(k, "image")) {
			if (v->type == N_SCALAR && image_scalar(c, v) < 0)
				return -1;
			if (v->type == N_MAP && helm_map(c, v) < 0)
				return -1;
		} else if (scalar_is(k, "images") && v->type == N_SEQ) {
			size_t j;
			for (j = 0; j < v->n; j++)
				if (v->kids[j]->type == N_MAP && kustomize_entry(c, v->kids[j]) < 0)
					return -1;
		}
		if (visit(c, v) < 0)
			return -1;
	}
	return 0;
}

/* The scalar whose text ends last on the line of `hash`, before it, with only blanks between. */
static struct node *scalar_before(struct gitops_yamledit *y, size_t ls, size_t hash)
{
	struct node *best = NULL;
	size_t i;

	for (i = 0; i < y->nall; i++) {
		struct node *n = y->all[i];
		if (n->type != N_SCALAR || n->end < ls || n->end > hash || n->vstart > hash)
			continue;
		if (!best || n->end > best->end)
			best = n;
	}
	if (best && !blank_range(y->data, best->end, hash))
		return NULL;
	return best;
}

static int markers(struct gitops_yamledit *y, const struct gitops_yamledit_policy *pols, size_t npol, int *changes,
		   struct gitops_err *err)
{
	static const char token[] = "$imagepolicy";
	size_t off = 0;

	while (off < y->len) {
		const char *hit = memmem(y->data + off, y->len - off, token, sizeof(token) - 1);
		size_t at, ls, le, hash, i;
		const char *brace, *id, *field;
		cJSON *json;
		const cJSON *v;
		struct node *n;
		char setter[512];

		if (!hit)
			break;
		at = (size_t)(hit - y->data);
		off = at + sizeof(token) - 1;
		ls = line_start(y, at);
		le = at;
		while (le < y->len && y->data[le] != '\n')
			le++;
		for (hash = at; hash > ls && y->data[hash] != '#'; hash--)
			;
		if (y->data[hash] != '#' || (hash > ls && !is_space(y->data[hash - 1])))
			continue;
		brace = memchr(y->data + hash, '{', at - hash);
		if (!brace)
			continue;
		json = gitops_json_read(brace, le - (size_t)(brace - y->data));
		if (!json) {
			/* a trailing '\r' (CRLF) */
			size_t l = le - (size_t)(brace - y->data);
			while (l && (brace[l - 1] == '\r' || brace[l - 1] == ' ' || brace[l - 1] == '\t'))
				l--;
			json = gitops_json_read(brace, l);
		}
		v = json ? cJSON_GetObjectItemCaseSensitive(json, token) : NULL;
		if (!cJSON_IsString(v)) {
			cJSON_Delete(json);
			continue;
		}
		snprintf(setter, sizeof(setter), "%s", v->valuestring);
		cJSON_Delete(json);
		/* "ns:name" or "ns:name:field" */
		id = setter;
		field = strchr(setter, ':');
		field = field ? strchr(field + 1, ':') : NULL;
		n = scalar_before(y, ls, hash);
		for (i = 0; i < npol; i++) {
			size_t idlen = field ? (size_t)(field - id) : strlen(id);
			const struct gitops_image_ref *ref = pols[i].ref;
			const char *nv = NULL;
			char *whole = NULL;
			int r;
			if (strlen(pols[i].id) != idlen || memcmp(pols[i].id, id, idlen))
				continue;
			if (!n)
				break;  /* a comment line of its own: Flux does not attach it to a value either */
			if (!field)
				nv = whole = gitops_image_format(ref);
			else if (!strcmp(field + 1, "tag"))
				nv = ref->tag;
			else if (!strcmp(field + 1, "name"))
				nv = ref->name;
			else if (!strcmp(field + 1, "digest"))
				nv = ref->digest;
			else
				return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: unknown setter field '%s' in "
						      "'%s' (tag, name or digest)", y->name, line_of(y, hash) + 1, field + 1,
						      setter);
			if (!field && !whole)
				return gitops_err_oom(err);
			r = nv ? set_scalar(y, n, nv, 1, setter, err) : 0;
			free(whole);
			if (r < 0)
				return -1;
			*changes += r;
			break;
		}
	}
	return 0;
}

int gitops_yamledit_images(struct gitops_yamledit *y, const struct gitops_yamledit_image *images, size_t n_images,
			const struct gitops_yamledit_policy *policies, size_t n_policies, struct gitops_err *err)
{
	struct img_ctx c;
	size_t d;

	c.y = y, c.images = images, c.n = n_images, c.changes = 0, c.err = err;
	for (d = 0; n_images && d < y->ndocs; d++)
		if (y->docs[d] && visit(&c, y->docs[d]) < 0)
			return -1;
	if (n_policies && markers(y, policies, n_policies, &c.changes, err) < 0)
		return -1;
	return c.changes;
}

/* --- results --- */

size_t gitops_yamledit_nchanges(const struct gitops_yamledit *y)
{
	return y->nchanges;
}

const struct gitops_yamledit_change *gitops_yamledit_change_at(const struct gitops_yamledit *y, size_t i)
{
	return i < y->nchanges ? &y->changes[i].pub : NULL;
}

static int edit_cmp(const void *a, const void *b)
{
	const struct edit *x = a, *z = b;

	if (x->start != z->start)
		return x->start < z->start ? -1 : 1;
	if (x->end != z->end)
		return x->end < z->end ? -1 : 1;
	return x->seq < z->seq ? -1 : x->seq > z->seq;
}

int gitops_yamledit_output(struct gitops_yamledit *y, const char **out, size_t *len, struct gitops_err *err)
{
	size_t i, pos = 0;

	if (y->nedits > 1)
		qsort(y->edits, y->nedits, sizeof(*y->edits), edit_cmp);
	y->out.len = 0;
	for (i = 0; i < y->nedits; i++) {
		const struct edit *e = &y->edits[i];
		if (gitops_buf_add(&y->out, y->data + pos, e->start - pos) < 0 ||
		    gitops_buf_add(&y->out, e->text, e->tlen) < 0)
			return gitops_err_oom(err);
		pos = e->end;
	}
	if (gitops_buf_add(&y->out, y->data + pos, y->len - pos) < 0)
		return gitops_err_oom(err);
	*out = y->out.data ? y->out.data : "";
	*len = y->out.len;
	return 0;
}
