/*
 * fastyaml.c: libyaml 0.2.5's events for a whole buffer, in one pass, for
 * the YAML that charts, values, rendered templates and kustomize files use.
 *
 * The subset: block mappings and block sequences (compact "- key: v" and
 * "- - x", sequences as values at their key's indentation), keys that are
 * one-line plain or quoted scalars, plain and quoted scalars over one line
 * or more (folded as libyaml folds them), literal and folded block scalars
 * (chomping and indentation indicators), empty flow collections "{}" and
 * "[]", flow sequences of scalars on one line, comments, "---" and "...",
 * UTF-8 text.  The root of a document is a
 * block collection or an empty flow collection; an explicit document may be
 * empty.
 *
 * Given up on (libyaml reads those): tabs outside scalar text, CR and the
 * Unicode line breaks, a BOM, control characters, anchors, aliases, tags,
 * directives, other flow collections, "?" keys, scalars at the root,
 * content after "---" on its line, a block scalar on the line after its
 * key, keys more than 1024 characters before their ':', nesting deeper
 * than FY_MAX_DEPTH, and every error.
 *
 * Marks follow libyaml: index and column count characters, not bytes; a
 * block collection starts at its first key or '-' and ends where the token
 * that closes it starts; the end of the stream is at column 0 of the line
 * after the last one when the text does not end with a line break.
 */
#include "lib/yaml/fastyaml.h"

#include "lib/base/enc.h"

#include <cjson/cJSON.h>

#include <setjmp.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FY_MAX_DEPTH 200
#define FY_KEY_SPAN 1024      /* libyaml forgets a simple key this many characters on */
#define FY_MAX_COMMENTS 65536 /* column-0 comments (the reader's marker queue stays as libyaml's) */

/* a mark in 32 bits a field: the fast source takes no buffer over the document limit (32 MiB) */
struct fy_mark {
	uint32_t index, line, column;
};

/* 40 bytes, not 80: a big file's events are all held before the first goes out */
struct fy_event {
	unsigned char type;     /* yaml_event_type_t */
	unsigned char style;    /* scalar, mapping or sequence style */
	unsigned char implicit; /* document start or end */
	unsigned char in_text;  /* the scalar is in text, else in the input */
	struct fy_mark start, end;
	uint32_t off, len;
};

struct gitops_fastyaml {
	const unsigned char *src; /* the input, borrowed */
	struct fy_event *ev;
	size_t n, cap, next;
	char *text;               /* decoded scalars */
	size_t tlen, tcap;
	int cjson_values;         /* scalar values from cJSON_malloc (gitops_fastyaml_cjson_values) */
};

/* the scanner's state */
struct fy {
	struct gitops_fastyaml *out;
	const unsigned char *s;
	size_t n;
	int ascii;
	size_t ls;      /* byte offset of the line of the marks being made */
	size_t le;      /* where that line ends (its '\n', or n) */
	size_t line;
	size_t lcont;   /* UTF-8 continuation bytes before ls */
	int lascii;     /* the line from ls to le is ASCII: a mark there counts no continuation byte */
	size_t t;       /* the next token */
	int indent;     /* libyaml's parser->indent: the innermost block collection's column */
	int depth;
	size_t comments;
	jmp_buf fail;
};

struct fy_scalar {
	size_t start, end;   /* the token's bytes */
	int style;
	int in_text;
	size_t off, len;
	int at_eol;          /* a plain scalar that ends its line (it might go on) */
	size_t lines;        /* line breaks inside */
};

static void giveup_at(struct fy *fy, int line)
{
#ifdef FASTYAML_TRACE
	fprintf(stderr, "fastyaml: gave up at fastyaml.c:%d, byte %zu\n", line, fy->t);
#else
	(void)line;
#endif
	longjmp(fy->fail, 1);
}

/* FASTYAML_TRACE: say where (to improve the subset, compile with -DFASTYAML_TRACE) */
#define giveup(fy) giveup_at(fy, __LINE__)

static int blankz(const struct fy *fy, size_t i)
{
	return i >= fy->n || fy->s[i] == ' ' || fy->s[i] == '\t' || fy->s[i] == '\n';
}

static size_t cont_bytes(const unsigned char *s, size_t from, size_t to)
{
	size_t k = 0;

	for (; from < to; from++)
		k += (s[from] & 0xC0) == 0x80;
	return k;
}

/* Has s[from, to) a byte of 0x80 or above? */
static int any_high(const unsigned char *s, size_t from, size_t to)
{
	uint64_t acc = 0, w;

	for (; to - from >= 8; from += 8) {
		memcpy(&w, s + from, sizeof(w));
		acc |= w;
	}
	for (; from < to; from++)
		acc |= s[from];
	return (acc & 0x8080808080808080ull) != 0;
}

/* Move the line of the marks forward to the line holding byte p (never back). */
static void advance(struct fy *fy, size_t p)
{
	while (p > fy->le) {
		const unsigned char *nl;
		size_t next = fy->le + 1;
		if (!fy->lascii)
			fy->lcont += cont_bytes(fy->s, fy->ls, next);
		fy->ls = next;
		fy->line++;
		nl = memchr(fy->s + next, '\n', fy->n - next);
		fy->le = nl ? (size_t)(nl - fy->s) : fy->n;
		fy->lascii = fy->ascii || !any_high(fy->s, fy->ls, fy->le);
	}
}

/* 8 bytes of s from i, as a number (bytes in memory order) */
static uint64_t word(const unsigned char *s, size_t i)
{
	uint64_t w;

	memcpy(&w, s + i, sizeof(w));
	return w;
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static yaml_mark_t mark(struct fy *fy, size_t p)
{
	yaml_mark_t m;
	size_t k;

	if (p < fy->ls)
		giveup(fy); /* not reached: marks are made in order */
	advance(fy, p);
	k = fy->lascii ? 0 : cont_bytes(fy->s, fy->ls, p);
	m.index = p - fy->lcont - k;
	m.line = fy->line;
	m.column = p - fy->ls - k;
	return m;
}

static size_t column(struct fy *fy, size_t p)
{
	return mark(fy, p).column;
}

/* where libyaml's STREAM-END token (and what it closes) lies */
static yaml_mark_t end_mark(struct fy *fy)
{
	yaml_mark_t m = mark(fy, fy->n);

	if (m.column) {
		m.line++;
		m.column = 0;
	}
	return m;
}

/* the mark of the token at t: the end of the stream at the end */
static yaml_mark_t token_mark(struct fy *fy, size_t t)
{
	return t == fy->n ? end_mark(fy) : mark(fy, t);
}

/*
 * Where the block collection at column c ends when the token at t closes
 * it: at the end of the text, libyaml closes the collections indented past
 * the last column first, there, and the others on the line it adds.
 */
static yaml_mark_t close_mark(struct fy *fy, size_t t, int c)
{
	yaml_mark_t m;

	if (t < fy->n)
		return mark(fy, t);
	m = mark(fy, t);
	return (size_t)c > m.column ? m : end_mark(fy);
}

static struct fy_event *push(struct fy *fy, yaml_event_type_t type, yaml_mark_t start, yaml_mark_t end)
{
	struct gitops_fastyaml *o = fy->out;
	struct fy_event *e;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		struct fy_event *ev = realloc(o->ev, cap * sizeof(*ev));
		if (!ev)
			giveup(fy);
		o->ev = ev;
		o->cap = cap;
	}
	e = &o->ev[o->n++];
	memset(e, 0, sizeof(*e));
	e->type = (unsigned char)type;
	e->start = (struct fy_mark){ (uint32_t)start.index, (uint32_t)start.line, (uint32_t)start.column };
	e->end = (struct fy_mark){ (uint32_t)end.index, (uint32_t)end.line, (uint32_t)end.column };
	return e;
}

static void text_add(struct fy *fy, const void *p, size_t len)
{
	struct gitops_fastyaml *o = fy->out;

	if (!len)
		return;
	if (o->tcap - o->tlen < len) {
		size_t cap = o->tcap ? o->tcap : 256;
		char *t;
		while (cap - o->tlen < len) {
			if (cap > SIZE_MAX / 2)
				giveup(fy);
			cap *= 2;
		}
		t = realloc(o->text, cap);
		if (!t)
			giveup(fy);
		o->text = t;
		o->tcap = cap;
	}
	memcpy(o->text + o->tlen, p, len);
	o->tlen += len;
}

static void text_rep(struct fy *fy, char c, size_t k)
{
	while (k--)
		text_add(fy, &c, 1);
}

static void scalar_event(struct fy *fy, const struct fy_scalar *sc)
{
	yaml_mark_t a = mark(fy, sc->start);
	struct fy_event *e = push(fy, YAML_SCALAR_EVENT, a, mark(fy, sc->end));

	e->style = sc->style;
	e->in_text = sc->in_text;
	e->off = sc->off;
	e->len = sc->len;
}

/* libyaml's empty scalar (a missing value), at m */
static void empty_event(struct fy *fy, yaml_mark_t m)
{
	struct fy_event *e = push(fy, YAML_SCALAR_EVENT, m, m);

	e->style = YAML_PLAIN_SCALAR_STYLE;
}

/*
 * Every character libyaml's reader lets through and its scanner does not
 * take for a line break, tab and line feed aside; no BOM.  Sets fy->ascii.
 */
static void check_text(struct fy *fy)
{
	const unsigned char *s = fy->s;
	size_t i = 0, n = fy->n;

	fy->ascii = 1;
	while (i < n) {
		unsigned b, v, w, k;
		/* 8 ASCII bytes at a time, none below 0x20 or 0x7F (the test errs only towards the slow way) */
		while (n - i >= 8) {
			uint64_t x = word(s, i), y = x ^ (0x7F * ONES);
			if ((x & HIGHS) || ((x - 0x20 * ONES) & HIGHS) || ((y - ONES) & ~y & HIGHS))
				break;
			i += 8;
		}
		if (i == n)
			break;
		b = s[i];
		if (b < 0x80) {
			if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7F)
				giveup(fy);
			i++;
			continue;
		}
		fy->ascii = 0;
		if ((b & 0xE0) == 0xC0)
			w = 2, v = b & 0x1F;
		else if ((b & 0xF0) == 0xE0)
			w = 3, v = b & 0x0F;
		else if ((b & 0xF8) == 0xF0)
			w = 4, v = b & 0x07;
		else
			giveup(fy);
		if (n - i < w)
			giveup(fy);
		for (k = 1; k < w; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				giveup(fy);
			v = (v << 6) | (s[i + k] & 0x3F);
		}
		if ((w == 2 && v < 0x80) || (w == 3 && v < 0x800) || (w == 4 && v < 0x10000))
			giveup(fy);
		if (!((v >= 0xA0 && v <= 0xD7FF && v != 0x2028 && v != 0x2029) ||
		      (v >= 0xE000 && v <= 0xFFFD && v != 0xFEFF) || (v >= 0x10000 && v <= 0x10FFFF)))
			giveup(fy);
		i += w;
	}
}

/* To the next token from p, over spaces, comments and line breaks: fy->t. */
static void skip(struct fy *fy, size_t p)
{
	const unsigned char *s = fy->s;

	for (;;) {
		while (fy->n - p >= 8 && word(s, p) == ' ' * ONES)
			p += 8;
		while (p < fy->n && s[p] == ' ')
			p++;
		if (p == fy->n)
			break;
		if (s[p] == '\t')
			giveup(fy);
		if (s[p] == '#') {
			const unsigned char *nl;
			if (p && s[p - 1] != ' ' && s[p - 1] != '\n')
				giveup(fy);
			if ((!p || s[p - 1] == '\n') && ++fy->comments > FY_MAX_COMMENTS)
				giveup(fy);
			nl = memchr(s + p, '\n', fy->n - p);
			if (!nl) {
				p = fy->n;
				break;
			}
			p = (size_t)(nl - s);
		}
		if (s[p] != '\n')
			break;
		p++;
	}
	fy->t = p;
	advance(fy, p);
}

/* Only blanks and a comment left on the line from p. */
static void rest_of_line(struct fy *fy, size_t p)
{
	size_t q = p;

	while (q < fy->n && fy->s[q] == ' ')
		q++;
	if (q == fy->n || fy->s[q] == '\n')
		return;
	if (fy->s[q] == '#' && q > p)
		return;
	giveup(fy);
}

static int doc_marker(const struct fy *fy, size_t t, char c)
{
	return t < fy->n && (t == 0 || fy->s[t - 1] == '\n') && fy->n - t >= 3 && fy->s[t] == c &&
	       fy->s[t + 1] == c && fy->s[t + 2] == c && blankz(fy, t + 3);
}

static int any_doc_marker(const struct fy *fy, size_t t)
{
	return doc_marker(fy, t, '-') || doc_marker(fy, t, '.');
}

static int is_entry(const struct fy *fy, size_t t)
{
	return t < fy->n && fy->s[t] == '-' && blankz(fy, t + 1);
}

/* A plain scalar on one line at p; at_eol when a line break ends it. */
static void scan_plain(struct fy *fy, size_t p, struct fy_scalar *sc)
{
	const unsigned char *s = fy->s;
	size_t q = p, end;
	unsigned char c = s[p];

	if (strchr("-?:,[]{}#&*!|>'\"%@`", c) && !(c == '-' && !blankz(fy, p + 1)))
		giveup(fy);
	sc->at_eol = 0;
	sc->lines = 0;
	for (;;) {
		size_t w;
		while (q < fy->n && s[q] != ' ' && s[q] != '\t' && s[q] != '\n' && !(s[q] == ':' && blankz(fy, q + 1)))
			q++;
		end = q;
		if (q < fy->n && s[q] == ':')
			break;
		for (w = q; w < fy->n && (s[w] == ' ' || s[w] == '\t'); w++)
			;
		if (w == fy->n || s[w] == '\n' || s[w] == '#' || (s[w] == ':' && blankz(fy, w + 1))) {
			if (memchr(s + q, '\t', w - q))
				giveup(fy);
			sc->at_eol = w < fy->n && s[w] == '\n';
			break;
		}
		q = w;
	}
	sc->start = p;
	sc->end = end;
	sc->style = YAML_PLAIN_SCALAR_STYLE;
	sc->in_text = 0;
	sc->off = p;
	sc->len = end - p;
}

static void add_utf8(struct fy *fy, unsigned long v)
{
	unsigned char b[4];
	size_t k;

	if (v <= 0x7F) {
		b[0] = (unsigned char)v;
		k = 1;
	} else if (v <= 0x7FF) {
		b[0] = (unsigned char)(0xC0 | (v >> 6));
		b[1] = (unsigned char)(0x80 | (v & 0x3F));
		k = 2;
	} else if (v <= 0xFFFF) {
		b[0] = (unsigned char)(0xE0 | (v >> 12));
		b[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (v & 0x3F));
		k = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | (v >> 18));
		b[1] = (unsigned char)(0x80 | ((v >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (v & 0x3F));
		k = 4;
	}
	text_add(fy, b, k);
}

/* Decode the escape at q (a backslash, not before a line break) into text; the byte after it. */
static size_t escape(struct fy *fy, size_t q)
{
	static const char simple_from[] = "0abt\tnvfre \"/\\";
	static const char simple_to[] = "\0\a\b\t\t\n\v\f\r\x1b \"/\\";
	const unsigned char *s = fy->s;
	const char *k;
	int digits = 0;
	unsigned long v = 0;
	unsigned char c;

	if (q + 1 >= fy->n)
		giveup(fy);
	c = s[q + 1];
	if (c && (k = memchr(simple_from, c, sizeof(simple_from) - 1))) {
		text_add(fy, simple_to + (k - simple_from), 1);
		return q + 2;
	}
	switch (c) {
	case 'N': text_add(fy, "\xC2\x85", 2); return q + 2;
	case '_': text_add(fy, "\xC2\xA0", 2); return q + 2;
	case 'L': text_add(fy, "\xE2\x80\xA8", 3); return q + 2;
	case 'P': text_add(fy, "\xE2\x80\xA9", 3); return q + 2;
	case 'x': digits = 2; break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	default: giveup(fy);
	}
	q += 2;
	for (int i = 0; i < digits; i++, q++) {
		int h = q < fy->n ? gitops_hex_value(s[q]) : -1;
		if (h < 0)
			giveup(fy);
		v = (v << 4) | (unsigned long)h;
	}
	if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		giveup(fy);
	add_utf8(fy, v);
	return q;
}

/*
 * A quoted scalar at p, as libyaml's scan_flow_scalar reads it: escapes
 * decoded, line breaks folded (one into a space, more into all but one),
 * blanks around them dropped, an escaped line break joining the lines.
 */
static void scan_quoted(struct fy *fy, size_t p, struct fy_scalar *sc)
{
	const unsigned char *s = fy->s;
	unsigned char quote = s[p];
	int dbl = quote == '"';
	size_t q = p + 1, from = q;

	sc->start = p;
	sc->style = dbl ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_SINGLE_QUOTED_SCALAR_STYLE;
	sc->at_eol = 0;
	sc->lines = 0;
	/* the common case: nothing to decode, the text is the input's */
	while (q < fy->n && s[q] != '\n' && s[q] != quote && !(dbl && s[q] == '\\'))
		q++;
	if (q == fy->n)
		giveup(fy);
	if (s[q] == quote && !(!dbl && q + 1 < fy->n && s[q + 1] == '\'')) {
		sc->in_text = 0;
		sc->off = from;
		sc->len = q - from;
		sc->end = q + 1;
		return;
	}
	sc->in_text = 1;
	sc->off = fy->out->tlen;
	q = from;
	for (;;) {
		int leading_blanks = 0, lead_break = 0;
		size_t ws = 0, we = 0, breaks = 0;
		if (q == fy->n)
			giveup(fy);
		if (s[q - 1] == '\n' && any_doc_marker(fy, q))
			giveup(fy);
		while (q < fy->n && s[q] != ' ' && s[q] != '\t' && s[q] != '\n') {
			if (s[q] == quote) {
				if (!dbl && q + 1 < fy->n && s[q + 1] == '\'') {
					text_add(fy, "'", 1);
					q += 2;
					continue;
				}
				break;
			}
			if (dbl && s[q] == '\\') {
				if (q + 1 < fy->n && s[q + 1] == '\n') {
					q += 2;
					leading_blanks = 1;
					sc->lines++;
					break;
				}
				q = escape(fy, q);
				continue;
			}
			{
				size_t r = q + 1;
				while (r < fy->n && s[r] != ' ' && s[r] != '\t' && s[r] != '\n' && s[r] != quote &&
				       s[r] != '\\')
					r++;
				text_add(fy, s + q, r - q);
				q = r;
			}
		}
		if (q < fy->n && s[q] == quote)
			break;
		ws = we = q;
		while (q < fy->n && (s[q] == ' ' || s[q] == '\t' || s[q] == '\n')) {
			if (s[q] != '\n') {
				if (!leading_blanks)
					we = q + 1;
			} else if (!leading_blanks) {
				leading_blanks = lead_break = 1;
				sc->lines++;
			} else {
				breaks++;
				sc->lines++;
			}
			q++;
		}
		if (leading_blanks) {
			if (lead_break && !breaks)
				text_add(fy, " ", 1);
			else
				text_rep(fy, '\n', breaks);
		} else {
			text_add(fy, s + ws, we - ws);
		}
	}
	sc->len = fy->out->tlen - sc->off;
	sc->end = q + 1;
}

/* A scalar at p (plain on its line, or quoted): 1 and *colon when a key's ':' follows on the line. */
static int scan_scalar(struct fy *fy, size_t p, struct fy_scalar *sc, size_t *colon)
{
	size_t q;

	if (fy->s[p] == '"' || fy->s[p] == '\'')
		scan_quoted(fy, p, sc);
	else
		scan_plain(fy, p, sc);
	for (q = sc->end; q < fy->n && fy->s[q] == ' '; q++)
		;
	if (q < fy->n && fy->s[q] == ':' && blankz(fy, q + 1)) {
		if (sc->lines)
			giveup(fy); /* libyaml's simple keys are on one line */
		*colon = q;
		return 1;
	}
	return 0;
}

/*
 * A plain value that ends its line goes on, in libyaml, over the lines
 * indented past the collection that are not comments, each line break
 * folded (one into a space, more into all but one), the blanks around them
 * dropped.  Extends *sc with them.
 */
static void plain_more(struct fy *fy, struct fy_scalar *sc)
{
	const unsigned char *s = fy->s;
	size_t q = sc->end;

	if (!sc->at_eol)
		return;
	while (s[q] != '\n')
		q++;
	for (;;) {
		size_t ls, breaks = 0, w;
		for (;;) {
			ls = ++q;
			while (q < fy->n && s[q] == ' ')
				q++;
			if (q == fy->n)
				return;
			if (s[q] == '\t')
				giveup(fy);
			if (s[q] != '\n')
				break;
			breaks++;
		}
		if ((long)(q - ls) < (long)fy->indent + 1 || s[q] == '#')
			return;
		if (q == ls && any_doc_marker(fy, q))
			return;
		/* the line goes on the scalar */
		if (!sc->in_text) {
			size_t off = fy->out->tlen;
			text_add(fy, s + sc->off, sc->len);
			sc->in_text = 1;
			sc->off = off;
		}
		if (breaks)
			text_rep(fy, '\n', breaks);
		else
			text_add(fy, " ", 1);
		sc->lines += 1 + breaks;
		/* the line's chunks and the blanks between them, verbatim */
		{
			size_t c0 = q;
			for (;;) {
				while (q < fy->n && s[q] != ' ' && s[q] != '\t' && s[q] != '\n' &&
				       !(s[q] == ':' && blankz(fy, q + 1)))
					q++;
				if (q < fy->n && s[q] == ':')
					giveup(fy);
				for (w = q; w < fy->n && (s[w] == ' ' || s[w] == '\t'); w++)
					;
				if (w == fy->n || s[w] == '\n' || s[w] == '#') {
					if (memchr(s + q, '\t', w - q))
						giveup(fy);
					break;
				}
				if (s[w] == ':' && blankz(fy, w + 1))
					giveup(fy);
				q = w;
			}
			text_add(fy, s + c0, q - c0);
			sc->end = q;
		}
		sc->len = fy->out->tlen - sc->off;
		if (w == fy->n || s[w] == '#')
			return;
		q = w;
	}
}

/* libyaml's scan_block_scalar_breaks: the indentation and the empty lines from *q */
static void bs_breaks(struct fy *fy, size_t *q, size_t *col, int *ind, size_t *breaks, size_t *endpos)
{
	const unsigned char *s = fy->s;
	size_t max = 0;

	*endpos = *q;
	for (;;) {
		*col = 0;
		while ((!*ind || *col < (size_t)*ind) && *q < fy->n && s[*q] == ' ') {
			(*q)++;
			(*col)++;
		}
		if (*col > max)
			max = *col;
		if ((!*ind || *col < (size_t)*ind) && *q < fy->n && s[*q] == '\t')
			giveup(fy);
		if (*q == fy->n || s[*q] != '\n')
			break;
		(*q)++;
		(*breaks)++;
		*endpos = *q;
	}
	if (!*ind) {
		if (max > 100000)
			giveup(fy);
		*ind = (int)max;
		if (*ind < fy->indent + 1)
			*ind = fy->indent + 1;
		if (*ind < 1)
			*ind = 1;
	}
}

/* A literal or folded block scalar at p; the next token into fy->t. */
static void block_scalar(struct fy *fy, size_t p)
{
	const unsigned char *s = fy->s;
	int literal = s[p] == '|', chomp = 0, incr = 0, ind = 0, leading_blank = 0;
	size_t q = p + 1, col, breaks = 0, lead = 0, endpos;
	struct fy_scalar sc;
	yaml_mark_t start = mark(fy, p);
	struct fy_event *e;

	if (q < fy->n && (s[q] == '+' || s[q] == '-')) {
		chomp = s[q++] == '+' ? 1 : -1;
		if (q < fy->n && s[q] >= '1' && s[q] <= '9')
			incr = s[q++] - '0';
	} else if (q < fy->n && s[q] >= '1' && s[q] <= '9') {
		incr = s[q++] - '0';
		if (q < fy->n && (s[q] == '+' || s[q] == '-'))
			chomp = s[q++] == '+' ? 1 : -1;
	}
	rest_of_line(fy, q);
	while (q < fy->n && s[q] != '\n')
		q++;
	if (q == fy->n)
		giveup(fy); /* the header ends the text: rare, leave it to libyaml */
	q++;
	if (incr)
		ind = fy->indent >= 0 ? fy->indent + incr : incr;
	memset(&sc, 0, sizeof(sc));
	sc.style = literal ? YAML_LITERAL_SCALAR_STYLE : YAML_FOLDED_SCALAR_STYLE;
	sc.in_text = 1;
	sc.off = fy->out->tlen;
	bs_breaks(fy, &q, &col, &ind, &breaks, &endpos);
	while (col == (size_t)ind && q < fy->n) {
		int trailing_blank = s[q] == ' ' || s[q] == '\t';
		const unsigned char *nl;
		size_t e2;
		if (!literal && lead && !leading_blank && !trailing_blank) {
			if (!breaks)
				text_add(fy, " ", 1);
		} else if (lead) {
			text_add(fy, "\n", 1);
		}
		lead = 0;
		text_rep(fy, '\n', breaks);
		breaks = 0;
		leading_blank = s[q] == ' ' || s[q] == '\t';
		nl = memchr(s + q, '\n', fy->n - q);
		e2 = nl ? (size_t)(nl - s) : fy->n;
		text_add(fy, s + q, e2 - q);
		q = e2;
		if (q < fy->n) {
			q++;
			lead = 1;
		}
		bs_breaks(fy, &q, &col, &ind, &breaks, &endpos);
	}
	if (chomp != -1)
		text_rep(fy, '\n', lead);
	if (chomp == 1)
		text_rep(fy, '\n', breaks);
	e = push(fy, YAML_SCALAR_EVENT, start, mark(fy, endpos));
	e->style = sc.style;
	e->in_text = 1;
	e->off = sc.off;
	e->len = fy->out->tlen - sc.off;
	skip(fy, q);
}

/* A plain scalar inside "[...]": the characters no flow or key indicator can take. */
static void flow_plain(struct fy *fy, size_t p, struct fy_scalar *sc)
{
	const unsigned char *s = fy->s;
	size_t q = p;

	if (!((s[p] >= 'a' && s[p] <= 'z') || (s[p] >= 'A' && s[p] <= 'Z') || (s[p] >= '0' && s[p] <= '9') ||
	      s[p] == '_' || s[p] == '.' || s[p] == '/' || s[p] >= 0x80))
		giveup(fy);
	while (q < fy->n && !strchr(" \t\n,[]{}#:'\"?", s[q]))
		q++;
	memset(sc, 0, sizeof(*sc));
	sc->start = sc->off = p;
	sc->end = q;
	sc->len = q - p;
	sc->style = YAML_PLAIN_SCALAR_STYLE;
}

/*
 * A flow collection on one line at p: "{}", "[]", or a flow sequence of
 * scalars, "[a, 'b', "c"]"; the next token into fy->t.
 */
static void flow(struct fy *fy, size_t p)
{
	const unsigned char *s = fy->s;
	int map = s[p] == '{';
	size_t q = p + 1;
	yaml_mark_t a = mark(fy, p), b;
	struct fy_event *e;

	e = push(fy, map ? YAML_MAPPING_START_EVENT : YAML_SEQUENCE_START_EVENT, a, mark(fy, p + 1));
	e->style = map ? YAML_FLOW_MAPPING_STYLE : YAML_FLOW_SEQUENCE_STYLE;
	while (q < fy->n && s[q] == ' ')
		q++;
	if (!map && q < fy->n && s[q] != ']') {
		for (;;) {
			struct fy_scalar sc;
			if (q == fy->n)
				giveup(fy);
			if (s[q] == '"' || s[q] == '\'') {
				scan_quoted(fy, q, &sc);
				if (sc.lines)
					giveup(fy);
			} else {
				flow_plain(fy, q, &sc);
			}
			scalar_event(fy, &sc);
			for (q = sc.end; q < fy->n && s[q] == ' '; q++)
				;
			if (q < fy->n && s[q] == ']')
				break;
			if (q == fy->n || s[q] != ',')
				giveup(fy);
			for (q++; q < fy->n && s[q] == ' '; q++)
				;
		}
	}
	if (q == fy->n || s[q] != (map ? '}' : ']'))
		giveup(fy);
	b = mark(fy, q);
	push(fy, map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT, b, mark(fy, q + 1));
	rest_of_line(fy, q + 1);
	skip(fy, q + 1);
}

static void block_map(struct fy *fy, size_t t, struct fy_scalar *key, size_t colon);
static void block_seq(struct fy *fy, size_t t);
static void indentless_seq(struct fy *fy, int c);

/*
 * The node whose first token is at t: a collection, a scalar or an empty
 * flow collection.  same_line: it follows "key:" (collections not allowed)
 * rather than starting a line or following "-".  The next token into fy->t.
 */
static void node(struct fy *fy, size_t t, int after_key)
{
	struct fy_scalar sc;
	size_t colon;
	unsigned char c = fy->s[t];

	if (is_entry(fy, t)) {
		if (after_key)
			giveup(fy);
		block_seq(fy, t);
		return;
	}
	if (c == '{' || c == '[') {
		flow(fy, t);
		return;
	}
	if (scan_scalar(fy, t, &sc, &colon)) {
		if (after_key)
			giveup(fy);
		block_map(fy, t, &sc, colon);
		return;
	}
	plain_more(fy, &sc);
	scalar_event(fy, &sc);
	rest_of_line(fy, sc.end);
	skip(fy, sc.end);
}

/* The node after "key:" (in_seq 0) or "-" (in_seq 1) ending at p, in a block collection at column c. */
static void value(struct fy *fy, size_t p, int c, int in_seq)
{
	yaml_mark_t empty = mark(fy, p);
	size_t q = p, t, col;

	while (q < fy->n && fy->s[q] == ' ')
		q++;
	if (q < fy->n && fy->s[q] != '\n' && fy->s[q] != '#') {
		if (fy->s[q] == '\t')
			giveup(fy);
		if (fy->s[q] == '|' || fy->s[q] == '>')
			block_scalar(fy, q);
		else
			node(fy, q, !in_seq);
		return;
	}
	skip(fy, q);
	t = fy->t;
	if (t == fy->n || any_doc_marker(fy, t)) {
		empty_event(fy, empty);
		return;
	}
	col = column(fy, t);
	if (col > (size_t)c) {
		if (fy->s[t] == '|' || fy->s[t] == '>')
			giveup(fy);
		node(fy, t, 0);
	} else if (col == (size_t)c && !in_seq && is_entry(fy, t)) {
		indentless_seq(fy, c);
	} else {
		empty_event(fy, empty);
	}
}

static void enter(struct fy *fy)
{
	if (++fy->depth > FY_MAX_DEPTH)
		giveup(fy);
}

/* A block mapping whose first key (scanned into *key, its ':' at colon) starts at t. */
static void block_map(struct fy *fy, size_t t, struct fy_scalar *key, size_t colon)
{
	yaml_mark_t m = mark(fy, t);
	int saved = fy->indent, c = (int)m.column;
	struct fy_event *e;

	if (c <= fy->indent)
		giveup(fy);
	enter(fy);
	fy->indent = c;
	e = push(fy, YAML_MAPPING_START_EVENT, m, m);
	e->style = YAML_BLOCK_MAPPING_STYLE;
	for (;;) {
		struct fy_scalar sc;
		if (colon - t > FY_KEY_SPAN)
			giveup(fy);
		scalar_event(fy, key);
		value(fy, colon + 1, c, 0);
		t = fy->t;
		if (t == fy->n || any_doc_marker(fy, t))
			break;
		m = mark(fy, t);
		if (m.column < (size_t)c)
			break;
		if (m.column > (size_t)c || is_entry(fy, t) || !scan_scalar(fy, t, &sc, &colon))
			giveup(fy);
		*key = sc;
	}
	m = close_mark(fy, t, c);
	push(fy, YAML_MAPPING_END_EVENT, m, m);
	fy->indent = saved;
	fy->depth--;
}

static void block_seq(struct fy *fy, size_t t)
{
	yaml_mark_t m = mark(fy, t);
	int saved = fy->indent, c = (int)m.column;
	struct fy_event *e;

	if (c <= fy->indent)
		giveup(fy);
	enter(fy);
	fy->indent = c;
	e = push(fy, YAML_SEQUENCE_START_EVENT, m, m);
	e->style = YAML_BLOCK_SEQUENCE_STYLE;
	for (;;) {
		value(fy, t + 1, c, 1);
		t = fy->t;
		if (t == fy->n || any_doc_marker(fy, t))
			break;
		m = mark(fy, t);
		if (m.column < (size_t)c)
			break;
		if (m.column > (size_t)c || !is_entry(fy, t))
			giveup(fy);
	}
	m = close_mark(fy, t, c);
	push(fy, YAML_SEQUENCE_END_EVENT, m, m);
	fy->indent = saved;
	fy->depth--;
}

/* A sequence at its key's column c (libyaml's indentless sequence), from the "-" at fy->t. */
static void indentless_seq(struct fy *fy, int c)
{
	size_t t = fy->t;
	yaml_mark_t m = mark(fy, t);
	struct fy_event *e;

	enter(fy);
	/* libyaml's SEQUENCE-START here is the "-" token itself */
	e = push(fy, YAML_SEQUENCE_START_EVENT, m, mark(fy, t + 1));
	e->style = YAML_BLOCK_SEQUENCE_STYLE;
	for (;;) {
		value(fy, t + 1, c, 1);
		t = fy->t;
		if (t == fy->n || any_doc_marker(fy, t))
			break;
		m = mark(fy, t);
		if (m.column > (size_t)c)
			giveup(fy);
		if (m.column < (size_t)c || !is_entry(fy, t))
			break;
	}
	m = close_mark(fy, t, c); /* the token after it closes its mapping */
	push(fy, YAML_SEQUENCE_END_EVENT, m, m);
	fy->depth--;
}

/* A document's root at fy->t: a block collection or an empty flow collection. */
static void root(struct fy *fy)
{
	size_t t = fy->t, colon;
	struct fy_scalar sc;

	fy->indent = -1;
	if (is_entry(fy, t))
		block_seq(fy, t);
	else if (fy->s[t] == '{' || fy->s[t] == '[')
		flow(fy, t);
	else if (scan_scalar(fy, t, &sc, &colon))
		block_map(fy, t, &sc, colon);
	else
		giveup(fy);
}

static void stream(struct fy *fy)
{
	yaml_mark_t m = mark(fy, 0);
	int first = 1;
	struct fy_event *e;

	e = push(fy, YAML_STREAM_START_EVENT, m, m);
	skip(fy, 0);
	while (fy->t < fy->n) {
		size_t t = fy->t;
		if (doc_marker(fy, t, '.'))
			giveup(fy);
		if (doc_marker(fy, t, '-')) {
			m = mark(fy, t);
			push(fy, YAML_DOCUMENT_START_EVENT, m, mark(fy, t + 3));
			rest_of_line(fy, t + 3);
			skip(fy, t + 3);
			if (fy->t == fy->n || any_doc_marker(fy, fy->t))
				empty_event(fy, token_mark(fy, fy->t));
			else
				root(fy);
		} else {
			if (!first)
				giveup(fy);
			m = mark(fy, t);
			e = push(fy, YAML_DOCUMENT_START_EVENT, m, m);
			e->implicit = 1;
			root(fy);
		}
		first = 0;
		t = fy->t;
		if (doc_marker(fy, t, '.')) {
			m = mark(fy, t);
			push(fy, YAML_DOCUMENT_END_EVENT, m, mark(fy, t + 3));
			rest_of_line(fy, t + 3);
			skip(fy, t + 3);
			if (fy->t < fy->n && !doc_marker(fy, fy->t, '-'))
				giveup(fy);
		} else if (t == fy->n || doc_marker(fy, t, '-')) {
			m = token_mark(fy, t);
			e = push(fy, YAML_DOCUMENT_END_EVENT, m, m);
			e->implicit = 1;
		} else {
			giveup(fy);
		}
	}
	m = end_mark(fy);
	push(fy, YAML_STREAM_END_EVENT, m, m);
}

void gitops_fastyaml_cjson_values(struct gitops_fastyaml *fy)
{
	fy->cjson_values = 1;
}

void gitops_fastyaml_free(struct gitops_fastyaml *fy)
{
	if (!fy)
		return;
	free(fy->ev);
	free(fy->text);
	free(fy);
}

int gitops_fastyaml_scan(struct gitops_fastyaml **out, const void *data, size_t len)
{
	struct gitops_fastyaml *o;
	struct fy fy;

	*out = NULL;
	/* marks and offsets in 32 bits (struct fy_mark); the readers stop far sooner (32 MiB a document) */
	if (len >= (size_t)1 << 30 || !(o = calloc(1, sizeof(*o))))
		return 0;
	memset(&fy, 0, sizeof(fy));
	fy.out = o;
	fy.s = data ? data : (const void *)"";
	fy.n = data ? len : 0;
	fy.indent = -1;
	{
		const unsigned char *nl = memchr(fy.s, '\n', fy.n);
		fy.le = nl ? (size_t)(nl - fy.s) : fy.n;
	}
	o->src = fy.s;
	if (setjmp(fy.fail)) {
		gitops_fastyaml_free(o);
		return 0;
	}
	check_text(&fy);
	fy.lascii = fy.ascii || !any_high(fy.s, 0, fy.le);
	stream(&fy);
	*out = o;
	return 1;
}

int gitops_fastyaml_next(struct gitops_fastyaml *fy, yaml_event_t *ev)
{
	const struct fy_event *e;

	memset(ev, 0, sizeof(*ev));
	if (fy->next == fy->n)
		return 1;
	e = &fy->ev[fy->next];
	ev->type = (yaml_event_type_t)e->type;
	ev->start_mark = (yaml_mark_t){ e->start.index, e->start.line, e->start.column };
	ev->end_mark = (yaml_mark_t){ e->end.index, e->end.line, e->end.column };
	switch (e->type) {
	case YAML_STREAM_START_EVENT:
		ev->data.stream_start.encoding = YAML_UTF8_ENCODING;
		break;
	case YAML_DOCUMENT_START_EVENT:
		ev->data.document_start.implicit = e->implicit;
		break;
	case YAML_DOCUMENT_END_EVENT:
		ev->data.document_end.implicit = e->implicit;
		break;
	case YAML_SCALAR_EVENT: {
		yaml_char_t *v = fy->cjson_values ? cJSON_malloc(e->len + 1) : malloc(e->len + 1);
		if (!v)
			return 0;
		if (e->len) /* an empty block scalar may have no text at all */
			memcpy(v, e->in_text ? (const unsigned char *)fy->text + e->off : fy->src + e->off, e->len);
		v[e->len] = '\0';
		ev->data.scalar.value = v;
		ev->data.scalar.length = e->len;
		ev->data.scalar.plain_implicit = e->style == YAML_PLAIN_SCALAR_STYLE;
		ev->data.scalar.quoted_implicit = e->style != YAML_PLAIN_SCALAR_STYLE;
		ev->data.scalar.style = (yaml_scalar_style_t)e->style;
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
		ev->data.sequence_start.implicit = 1;
		ev->data.sequence_start.style = (yaml_sequence_style_t)e->style;
		break;
	case YAML_MAPPING_START_EVENT:
		ev->data.mapping_start.implicit = 1;
		ev->data.mapping_start.style = (yaml_mapping_style_t)e->style;
		break;
	default:
		break;
	}
	fy->next++;
	return 1;
}
