/*
 * regex.c: Go's regexp on PCRE2.
 *
 * The pattern is parsed by a port of Go's regexp/syntax parser (parse.go:
 * the same stack of operands, '(' and '|' markers, the same checks in the
 * same order and the same messages) into a small tree, and the tree is
 * written out as a PCRE2 pattern that spells every Go meaning out: `^` and
 * `$` become \A, \z, (?m:^) or (?m:$); `.` becomes [^\n] or (?s:.); every
 * literal is an escape; (?i) becomes (?i:...) around the literals and
 * classes it covers; greediness is written on each quantifier; \d \s \w and
 * the POSIX classes become ASCII ranges.  So no option of the PCRE2 pattern
 * changes anywhere inside it, and Go's flag scoping is Go's own.
 *
 * A loop whose body can match empty gets two hidden empty groups and a
 * callout, so that an empty iteration backtracks as in Go (emit_empty_loop);
 * Go's group numbers are mapped onto PCRE2's for that.
 *
 * The iteration of FindAll, ReplaceAll and Split is Go's, line for line
 * (regexp.go: allMatches, replaceAll, Split, expand, extract).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "lib/base/regex.h"

#include <limits.h>
#include <pcre2.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Go's limits (regexp/syntax): tree height, repeat counts, compiled size. */
#define MAX_HEIGHT 1000
#define MAX_REPEAT 1000
#define MAX_SIZE ((int64_t)(128 << 20) / 40)
/* ours: PCRE2's nesting of the written pattern, backtracking budget */
#define PARENS_LIMIT 3000
#define MATCH_LIMIT 10000000
#define DEPTH_LIMIT 200000
#define HEAP_LIMIT_KIB (64 * 1024)

#define RUNE_ERROR 0xFFFD
#define MAX_RUNE 0x10FFFF

/* parse flags, as Go's */
enum {
	F_FOLD = 1 << 0,      /* FoldCase (?i) */
	F_DOTNL = 1 << 1,     /* DotNL (?s) */
	F_ONELINE = 1 << 2,   /* OneLine: ^ $ are text edges; cleared by (?m) */
	F_NONGREEDY = 1 << 3  /* NonGreedy (?U) */
};

enum op {
	OP_NOMATCH = 1,
	OP_EMPTY,
	OP_LIT,
	OP_CLASS,
	OP_ANY_NOTNL,
	OP_ANY,
	OP_BOL,
	OP_EOL,
	OP_BOT,
	OP_EOT,
	OP_WB,
	OP_NWB,
	OP_CAPTURE,
	OP_STAR,
	OP_PLUS,
	OP_QUEST,
	OP_REPEAT,
	OP_CONCAT,
	OP_ALT,
	OP_PSEUDO = 128, /* markers on the parse stack only */
	OP_LPAREN,
	OP_VBAR
};

struct node {
	enum op op;
	unsigned flags;
	int32_t rune;        /* OP_LIT */
	int min, max;        /* OP_REPEAT; max -1: no upper bound */
	size_t cap;          /* OP_CAPTURE, OP_LPAREN (0: only grouping) */
	char *name;          /* OP_LPAREN, OP_CAPTURE: the group's name or NULL */
	char *cls;           /* OP_CLASS: the whole PCRE2 text */
	struct node **sub;
	size_t nsub;
	int height;
	int64_t size;
	struct node *next;   /* every node of a parse, for freeing */
};

struct gitops_regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
	char *pattern;       /* as given, NUL-terminated */
	size_t plen;
	size_t nsub;
	char **names;        /* [0..nsub]; NULL for unnamed */
	size_t *map;         /* [0..nsub]: Go's group i is PCRE2's group map[i] (0 is 0) */
	/*
	 * JIT compiling costs more than a few dozen short matches, which is all
	 * most regexes of a short-lived program see (a chart's semverCompare, a
	 * Kustomize target): a JIT-compiled copy is made at the JIT_AFTER'th
	 * match and published for the matches after it (a copy, so that no
	 * thread matches on a code being compiled).
	 */
	_Atomic(pcre2_code *) jit;
	atomic_uint uses;
	/*
	 * A match data kept from the last match, for the next: making one is a
	 * malloc, and pcre2 (10.41 on) keeps its backtracking frames in it, a
	 * 20 KiB heap vector each match would allocate anew (13K instructions
	 * a match in all).  Taken and given back atomically.
	 */
	_Atomic(pcre2_match_data *) spare;
};

#define JIT_AFTER 64

static const pcre2_code *match_code(const struct gitops_regex *cre)
{
	struct gitops_regex *re = (struct gitops_regex *)cre; /* the counter and the copy only */
	pcre2_code *jit = atomic_load_explicit(&re->jit, memory_order_acquire);

	if (jit)
		return jit;
	if (atomic_fetch_add_explicit(&re->uses, 1, memory_order_relaxed) == JIT_AFTER) {
		pcre2_code *copy = pcre2_code_copy(re->code);
		if (copy && pcre2_jit_compile(copy, PCRE2_JIT_COMPLETE) == 0) {
			atomic_store_explicit(&re->jit, copy, memory_order_release);
			return copy;
		}
		pcre2_code_free(copy);
	}
	return re->code;
}

struct parser {
	unsigned flags;
	struct node **stack;
	size_t n, cap;
	struct node *all;
	size_t ncap;
	const char *whole;
	size_t wlen;
	struct gitops_err *err;
};

/* ---- UTF-8, as Go's unicode/utf8 decodes it ---- */

/* The rune at s (n > 0 bytes): its width, 1 with RUNE_ERROR for an invalid byte. */
static size_t decode_rune(const unsigned char *s, size_t n, int32_t *r)
{
	unsigned char b = s[0], lo = 0x80, hi = 0xBF;
	size_t w, i;
	int32_t c;

	if (b < 0x80) {
		*r = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF) {
		w = 2;
		c = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		w = 3;
		c = b & 0x0F;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F;
	} else if (b >= 0xF0 && b <= 0xF4) {
		w = 4;
		c = b & 0x07;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
	} else {
		goto bad;
	}
	if (n < w)
		goto bad;
	for (i = 1; i < w; i++) {
		unsigned char x = s[i];
		if (x < (i == 1 ? lo : 0x80) || x > (i == 1 ? hi : 0xBF))
			goto bad;
		c = (c << 6) | (x & 0x3F);
	}
	*r = c;
	return w;
bad:
	*r = RUNE_ERROR;
	return 1;
}

/* Go's utf8.DecodeRuneInString width: 0 at the end, 1 for an invalid byte. */
static size_t rune_width(const char *s, size_t len, size_t pos)
{
	int32_t r;

	if (pos >= len)
		return 0;
	return decode_rune((const unsigned char *)s + pos, len - pos, &r);
}

/* ---- errors, in Go's words ---- */

static int syntax_error(struct parser *p, const char *code, const char *expr, size_t len)
{
	return gitops_err_set(p->err, GITOPS_EXIT_INPUT, "error parsing regexp: %s: `%.*s`", code, (int)len, expr);
}

#define E_CLASS_RANGE "invalid character class range"
#define E_ESCAPE "invalid escape sequence"
#define E_NAMED "invalid named capture"
#define E_PERL_OP "invalid or unsupported Perl syntax"
#define E_REPEAT_OP "invalid nested repetition operator"
#define E_REPEAT_SIZE "invalid repeat count"
#define E_UTF8 "invalid UTF-8"
#define E_BRACKET "missing closing ]"
#define E_PAREN "missing closing )"
#define E_REPEAT_ARG "missing argument to repetition operator"
#define E_BACKSLASH "trailing backslash at end of expression"
#define E_UNEXPECTED_PAREN "unexpected )"
#define E_NESTING "expression nests too deeply"
#define E_LARGE "expression too large"

/* Go's nextRune: the rune at t, or ErrInvalidUTF8 with the rest of the text. */
static int next_rune(struct parser *p, const char **t, const char *end, int32_t *r)
{
	size_t w;

	if (*t >= end) {
		*r = RUNE_ERROR;
		return 0;
	}
	w = decode_rune((const unsigned char *)*t, (size_t)(end - *t), r);
	if (*r == RUNE_ERROR && w == 1)
		return syntax_error(p, E_UTF8, *t, (size_t)(end - *t));
	*t += w;
	return 0;
}

static int check_utf8(struct parser *p, const char *s, const char *end)
{
	int32_t r;

	while (s < end)
		if (next_rune(p, &s, end, &r) < 0)
			return -1;
	return 0;
}

/* ---- the tree ---- */

static struct node *new_node(struct parser *p, enum op op)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n) {
		gitops_err_oom(p->err);
		return NULL;
	}
	n->op = op;
	n->flags = p->flags;
	n->height = 1;
	n->size = 1;
	n->next = p->all;
	p->all = n;
	return n;
}

static void free_nodes(struct node *n)
{
	while (n) {
		struct node *next = n->next;
		free(n->sub);
		free(n->name);
		free(n->cls);
		free(n);
		n = next;
	}
}

/* Height and compiled size as Go's calcHeight and calcSize; the limits as Go's checkLimits. */
static int measure(struct parser *p, struct node *n)
{
	int64_t sub = n->nsub ? n->sub[0]->size : 0, size = 0;
	size_t i;

	for (i = 0; i < n->nsub; i++)
		if (n->height < 1 + n->sub[i]->height)
			n->height = 1 + n->sub[i]->height;
	switch (n->op) {
	case OP_LIT:
		size = 1;
		break;
	case OP_CAPTURE:
	case OP_STAR:
		size = 2 + sub;
		break;
	case OP_PLUS:
	case OP_QUEST:
		size = 1 + sub;
		break;
	case OP_CONCAT:
	case OP_ALT:
		for (i = 0; i < n->nsub; i++)
			size += n->sub[i]->size;
		if (n->op == OP_ALT && n->nsub > 1)
			size += (int64_t)n->nsub - 1;
		break;
	case OP_REPEAT:
		if (n->max == -1)
			size = n->min == 0 ? 2 + sub : 1 + (int64_t)n->min * sub;
		else
			size = (int64_t)n->max * sub + (n->max - n->min);
		break;
	default:
		break;
	}
	n->size = size < 1 ? 1 : size > MAX_SIZE ? MAX_SIZE + 1 : size;
	if (n->size > MAX_SIZE)
		return syntax_error(p, E_LARGE, p->whole, p->wlen);
	if (n->height > MAX_HEIGHT)
		return syntax_error(p, E_NESTING, p->whole, p->wlen);
	return 0;
}

static int push(struct parser *p, struct node *n)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct node **s = realloc(p->stack, cap * sizeof(*s));
		if (!s)
			return gitops_err_oom(p->err);
		p->stack = s;
		p->cap = cap;
	}
	p->stack[p->n++] = n;
	return 0;
}

static int push_op(struct parser *p, enum op op, struct node **out)
{
	struct node *n = new_node(p, op);

	if (!n || push(p, n) < 0)
		return -1;
	if (out)
		*out = n;
	return 0;
}

static int literal(struct parser *p, int32_t r)
{
	struct node *n = new_node(p, OP_LIT);

	if (!n)
		return -1;
	n->rune = r;
	return push(p, n);
}

/* Go's collapse: one operand stays itself, more become one node. */
static int collapse(struct parser *p, size_t from, enum op op)
{
	size_t k = p->n - from;
	struct node *n;

	if (k == 1)
		return 0;
	if (!(n = new_node(p, op)))
		return -1;
	if (!(n->sub = malloc(k * sizeof(*n->sub))))
		return gitops_err_oom(p->err);
	memcpy(n->sub, p->stack + from, k * sizeof(*n->sub));
	n->nsub = k;
	p->n = from;
	if (measure(p, n) < 0)
		return -1;
	return push(p, n);
}

static size_t above_marker(const struct parser *p)
{
	size_t i = p->n;

	while (i > 0 && p->stack[i - 1]->op < OP_PSEUDO)
		i--;
	return i;
}

static int concat(struct parser *p)
{
	size_t i = above_marker(p);

	if (i == p->n)
		return push_op(p, OP_EMPTY, NULL);
	return collapse(p, i, OP_CONCAT);
}

static int alternate(struct parser *p)
{
	size_t i = above_marker(p);

	if (i == p->n)
		return push_op(p, OP_NOMATCH, NULL);
	return collapse(p, i, OP_ALT);
}

/* Go's swapVerticalBar (without its class merging, which only optimises). */
static int swap_vertical_bar(struct parser *p)
{
	if (p->n >= 2 && p->stack[p->n - 2]->op == OP_VBAR) {
		struct node *t = p->stack[p->n - 1];
		p->stack[p->n - 1] = p->stack[p->n - 2];
		p->stack[p->n - 2] = t;
		return 1;
	}
	return 0;
}

static int parse_vertical_bar(struct parser *p)
{
	if (concat(p) < 0)
		return -1;
	if (!swap_vertical_bar(p))
		return push_op(p, OP_VBAR, NULL);
	return 0;
}

static int parse_right_paren(struct parser *p)
{
	struct node *re1, *re2;

	if (concat(p) < 0)
		return -1;
	if (swap_vertical_bar(p))
		p->n--;
	if (alternate(p) < 0)
		return -1;
	if (p->n < 2)
		return syntax_error(p, E_UNEXPECTED_PAREN, p->whole, p->wlen);
	re1 = p->stack[p->n - 1];
	re2 = p->stack[p->n - 2];
	p->n -= 2;
	if (re2->op != OP_LPAREN)
		return syntax_error(p, E_UNEXPECTED_PAREN, p->whole, p->wlen);
	p->flags = re2->flags;
	if (re2->cap == 0)
		return push(p, re1);
	re2->op = OP_CAPTURE;
	if (!(re2->sub = malloc(sizeof(*re2->sub))))
		return gitops_err_oom(p->err);
	re2->sub[0] = re1;
	re2->nsub = 1;
	if (measure(p, re2) < 0)
		return -1;
	return push(p, re2);
}

/* Go's repeatIsValid. */
static int repeat_is_valid(const struct node *re, int n)
{
	size_t i;

	if (re->op == OP_REPEAT) {
		int m = re->max;
		if (m == 0)
			return 1;
		if (m < 0)
			m = re->min;
		if (m > n)
			return 0;
		if (m > 0)
			n /= m;
	}
	for (i = 0; i < re->nsub; i++)
		if (!repeat_is_valid(re->sub[i], n))
			return 0;
	return 1;
}

/*
 * Go's repeat: the top operand repeated.  before: the operator's text;
 * *after: just past it (moved past a lazy '?'); last_repeat: the previous
 * operator's text when it came right before, else NULL.
 */
static int repeat(struct parser *p, enum op op, int min, int max, const char *before, const char **after,
		  const char *last_repeat, const char *end)
{
	unsigned flags = p->flags;
	struct node *sub, *re;

	if (*after < end && **after == '?') {
		(*after)++;
		flags ^= F_NONGREEDY;
	}
	if (last_repeat)
		return syntax_error(p, E_REPEAT_OP, last_repeat, (size_t)(*after - last_repeat));
	if (p->n == 0 || (sub = p->stack[p->n - 1])->op >= OP_PSEUDO)
		return syntax_error(p, E_REPEAT_ARG, before, (size_t)(*after - before));
	if (!(re = new_node(p, op)))
		return -1;
	re->min = min;
	re->max = max;
	re->flags = flags;
	if (!(re->sub = malloc(sizeof(*re->sub))))
		return gitops_err_oom(p->err);
	re->sub[0] = sub;
	re->nsub = 1;
	p->stack[p->n - 1] = re;
	if (measure(p, re) < 0)
		return -1;
	if (op == OP_REPEAT && (min >= 2 || max >= 2) && !repeat_is_valid(re, MAX_REPEAT))
		return syntax_error(p, E_REPEAT_SIZE, before, (size_t)(*after - before));
	return 0;
}

/* Go's parseInt: decimal, no leading zeros; -1 for a too big number.  0 if not a number. */
static int parse_int(const char **s, const char *end, int *n)
{
	const char *t = *s;

	if (t >= end || *t < '0' || *t > '9')
		return 0;
	if (end - t >= 2 && t[0] == '0' && t[1] >= '0' && t[1] <= '9')
		return 0;
	*n = 0;
	for (; t < end && *t >= '0' && *t <= '9'; t++) {
		if (*n >= 100000000)
			*n = -1;
		else if (*n >= 0)
			*n = *n * 10 + (*t - '0');
	}
	*s = t;
	return 1;
}

/* Go's parseRepeat: {min} {min,} {min,max}; 0 when s is not of that form. */
static int parse_repeat(const char *s, const char *end, int *min, int *max, const char **rest)
{
	if (s >= end || *s != '{')
		return 0;
	s++;
	if (!parse_int(&s, end, min) || s >= end)
		return 0;
	if (*s != ',') {
		*max = *min;
	} else {
		s++;
		if (s >= end)
			return 0;
		if (*s == '}') {
			*max = -1;
		} else {
			if (!parse_int(&s, end, max))
				return 0;
			if (*max < 0)
				*min = -1;
		}
	}
	if (s >= end || *s != '}')
		return 0;
	*rest = s + 1;
	return 1;
}

static int is_alnum(int32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int valid_capture_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] != '_' && !is_alnum((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Go's parsePerlFlags (Go 1.22 and later: (?P<name> and (?<name>). *t is at "(?". */
static int parse_perl_flags(struct parser *p, const char **t, const char *end)
{
	const char *s = *t, *u = s;
	size_t len = (size_t)(end - s);
	unsigned flags = p->flags;
	int sign = 1, saw_flag = 0;
	int32_t c;
	struct node *lp;

	if ((len > 4 && s[2] == 'P' && s[3] == '<') || (len > 3 && s[2] == '<')) {
		const char *name = s + (s[2] == 'P' ? 4 : 3), *gt = memchr(s, '>', len);
		if (!gt) {
			if (check_utf8(p, s, end) < 0)
				return -1;
			return syntax_error(p, E_NAMED, s, len);
		}
		if (check_utf8(p, name, gt) < 0)
			return -1;
		if (!valid_capture_name(name, (size_t)(gt - name)))
			return syntax_error(p, E_NAMED, s, (size_t)(gt + 1 - s));
		if (push_op(p, OP_LPAREN, &lp) < 0)
			return -1;
		lp->cap = ++p->ncap;
		if (!(lp->name = strndup(name, (size_t)(gt - name))))
			return gitops_err_oom(p->err);
		*t = gt + 1;
		return 0;
	}
	u = s + 2;
	while (u < end) {
		if (next_rune(p, &u, end, &c) < 0)
			return -1;
		switch (c) {
		case 'i':
			flags = sign > 0 ? flags | F_FOLD : flags & ~(unsigned)F_FOLD;
			saw_flag = 1;
			continue;
		case 'm':
			flags = sign > 0 ? flags & ~(unsigned)F_ONELINE : flags | F_ONELINE;
			saw_flag = 1;
			continue;
		case 's':
			flags = sign > 0 ? flags | F_DOTNL : flags & ~(unsigned)F_DOTNL;
			saw_flag = 1;
			continue;
		case 'U':
			flags = sign > 0 ? flags | F_NONGREEDY : flags & ~(unsigned)F_NONGREEDY;
			saw_flag = 1;
			continue;
		case '-':
			if (sign < 0)
				break;
			sign = -1;
			saw_flag = 0;
			continue;
		case ':':
		case ')':
			if (sign < 0 && !saw_flag)
				break;
			if (c == ':') {
				if (push_op(p, OP_LPAREN, NULL) < 0)
					return -1;
			}
			p->flags = flags;
			*t = u;
			return 0;
		default:
			break;
		}
		break;
	}
	return syntax_error(p, E_PERL_OP, s, (size_t)(u - s));
}

static int unhex(int32_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Go's parseEscape: *t at the backslash; the rune it stands for. */
static int parse_escape(struct parser *p, const char **t, const char *end, int32_t *r)
{
	const char *s = *t, *u = s + 1;
	int32_t c;
	int i;

	if (u >= end)
		return syntax_error(p, E_BACKSLASH, "", 0);
	if (next_rune(p, &u, end, &c) < 0)
		return -1;
	switch (c) {
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		/* a single non-zero digit is a backreference: not supported */
		if (u >= end || *u < '0' || *u > '7')
			break;
		/* fall through */
	case '0':
		*r = c - '0';
		for (i = 1; i < 3 && u < end && *u >= '0' && *u <= '7'; i++)
			*r = *r * 8 + (*u++ - '0');
		*t = u;
		return 0;
	case 'x':
		if (u >= end)
			break;
		if (next_rune(p, &u, end, &c) < 0)
			return -1;
		if (c == '{') {
			int nhex = 0;
			int32_t v = 0;
			for (;;) {
				int d;
				if (u >= end)
					goto bad;
				if (next_rune(p, &u, end, &c) < 0)
					return -1;
				if (c == '}')
					break;
				if ((d = unhex(c)) < 0)
					goto bad;
				v = v * 16 + d;
				if (v > MAX_RUNE)
					goto bad;
				nhex++;
			}
			if (nhex == 0)
				goto bad;
			*r = v;
			*t = u;
			return 0;
		} else {
			int x = unhex(c), y;
			if (next_rune(p, &u, end, &c) < 0)
				return -1;
			y = unhex(c);
			if (x < 0 || y < 0)
				break;
			*r = x * 16 + y;
			*t = u;
			return 0;
		}
	case 'a': *r = '\a'; *t = u; return 0;
	case 'f': *r = '\f'; *t = u; return 0;
	case 'n': *r = '\n'; *t = u; return 0;
	case 'r': *r = '\r'; *t = u; return 0;
	case 't': *r = '\t'; *t = u; return 0;
	case 'v': *r = '\v'; *t = u; return 0;
	default:
		if (c < 0x80 && !is_alnum(c)) {
			*r = c;
			*t = u;
			return 0;
		}
		break;
	}
bad:
	return syntax_error(p, E_ESCAPE, s, (size_t)(u - s));
}

/* ---- character classes, written as PCRE2 class items ---- */

struct group {
	const char *name;
	int sign;
	const int32_t *r;  /* lo, hi pairs */
	size_t n;          /* pairs */
};

static const int32_t g_digit[] = { 0x30, 0x39 };
static const int32_t g_space_perl[] = { 0x9, 0xa, 0xc, 0xd, 0x20, 0x20 };
static const int32_t g_word[] = { 0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a };
static const int32_t g_alnum[] = { 0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a };
static const int32_t g_alpha[] = { 0x41, 0x5a, 0x61, 0x7a };
static const int32_t g_ascii[] = { 0x0, 0x7f };
static const int32_t g_blank[] = { 0x9, 0x9, 0x20, 0x20 };
static const int32_t g_cntrl[] = { 0x0, 0x1f, 0x7f, 0x7f };
static const int32_t g_graph[] = { 0x21, 0x7e };
static const int32_t g_lower[] = { 0x61, 0x7a };
static const int32_t g_print[] = { 0x20, 0x7e };
static const int32_t g_punct[] = { 0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e };
static const int32_t g_space[] = { 0x9, 0xd, 0x20, 0x20 };
static const int32_t g_upper[] = { 0x41, 0x5a };
static const int32_t g_xdigit[] = { 0x30, 0x39, 0x41, 0x46, 0x61, 0x66 };

#define G(name, sign, tab) { name, sign, tab, sizeof(tab) / sizeof(tab[0]) / 2 }
static const struct group perl_groups[] = {
	G("\\d", 1, g_digit), G("\\D", -1, g_digit), G("\\s", 1, g_space_perl), G("\\S", -1, g_space_perl),
	G("\\w", 1, g_word), G("\\W", -1, g_word),
};
static const struct group posix_groups[] = {
	G("[:alnum:]", 1, g_alnum), G("[:^alnum:]", -1, g_alnum), G("[:alpha:]", 1, g_alpha),
	G("[:^alpha:]", -1, g_alpha), G("[:ascii:]", 1, g_ascii), G("[:^ascii:]", -1, g_ascii),
	G("[:blank:]", 1, g_blank), G("[:^blank:]", -1, g_blank), G("[:cntrl:]", 1, g_cntrl),
	G("[:^cntrl:]", -1, g_cntrl), G("[:digit:]", 1, g_digit), G("[:^digit:]", -1, g_digit),
	G("[:graph:]", 1, g_graph), G("[:^graph:]", -1, g_graph), G("[:lower:]", 1, g_lower),
	G("[:^lower:]", -1, g_lower), G("[:print:]", 1, g_print), G("[:^print:]", -1, g_print),
	G("[:punct:]", 1, g_punct), G("[:^punct:]", -1, g_punct), G("[:space:]", 1, g_space),
	G("[:^space:]", -1, g_space), G("[:upper:]", 1, g_upper), G("[:^upper:]", -1, g_upper),
	G("[:word:]", 1, g_word), G("[:^word:]", -1, g_word), G("[:xdigit:]", 1, g_xdigit),
	G("[:^xdigit:]", -1, g_xdigit),
};
#undef G

/* Go's unicode.Categories and unicode.Scripts (Unicode 15.0.0, Go 1.21 to 1.23), and "Any". */
static const char *const unicode_names[] = {
	"Any", "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd",
	"Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp",
	"Zs",
	"Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum",
	"Bassa_Vah", "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid",
	"Canadian_Aboriginal", "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian",
	"Common", "Coptic", "Cuneiform", "Cypriot", "Cypro_Minoan", "Cyrillic", "Deseret", "Devanagari",
	"Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs", "Elbasan", "Elymaic", "Ethiopic", "Georgian",
	"Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati", "Gunjala_Gondi", "Gurmukhi", "Han", "Hangul",
	"Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana", "Imperial_Aramaic", "Inherited",
	"Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese", "Kaithi", "Kannada", "Katakana", "Kawi",
	"Kayah_Li", "Kharoshthi", "Khitan_Small_Script", "Khmer", "Khojki", "Khudawadi", "Lao", "Latin", "Lepcha",
	"Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian", "Mahajani", "Makasar", "Malayalam", "Mandaic",
	"Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek", "Mende_Kikakui",
	"Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro", "Multani", "Myanmar",
	"Nabataean", "Nag_Mundari", "Nandinagari", "New_Tai_Lue", "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong",
	"Ogham", "Ol_Chiki", "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian",
	"Old_Sogdian", "Old_South_Arabian", "Old_Turkic", "Old_Uyghur", "Oriya", "Osage", "Osmanya",
	"Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic",
	"Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham", "SignWriting", "Sinhala", "Sogdian",
	"Sora_Sompeng", "Soyombo", "Sundanese", "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le",
	"Tai_Tham", "Tai_Viet", "Takri", "Tamil", "Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan",
	"Tifinagh", "Tirhuta", "Toto", "Ugaritic", "Vai", "Vithkuqi", "Wancho", "Warang_Citi", "Yezidi", "Yi",
	"Zanabazar_Square",
};

/* One code point as a PCRE2 escape. */
static int add_cp(struct gitops_buf *b, int32_t c)
{
	if (is_alnum(c))
		return gitops_buf_add(b, &(char){ (char)c }, 1);
	return gitops_buf_printf(b, "\\x{%x}", (unsigned)c);
}

/* A range as class items, without the surrogates PCRE2 refuses in UTF mode. */
static int add_range(struct gitops_buf *b, int32_t lo, int32_t hi)
{
	if (lo <= 0xDFFF && hi >= 0xD800) {
		if (lo < 0xD800 && add_range(b, lo, 0xD7FF) < 0)
			return -1;
		if (hi > 0xDFFF && add_range(b, 0xE000, hi) < 0)
			return -1;
		return 0;
	}
	if (add_cp(b, lo) < 0)
		return -1;
	if (hi != lo && (gitops_buf_add(b, "-", 1) < 0 || add_cp(b, hi) < 0))
		return -1;
	return 0;
}

/*
 * A Perl or POSIX group (ASCII) into class items, folded under (?i) as
 * Go's appendGroup folds it before negating: the ASCII case pairs, and
 * U+017F (s) and U+212A (k), the two non-ASCII runes that fold into ASCII.
 */
static int add_group(struct gitops_buf *b, const struct group *g, unsigned flags)
{
	unsigned char in[128] = { 0 };
	int32_t r[2 * 132], lo = 0;
	size_t n = 0, i;
	int c;

	for (i = 0; i < g->n; i++)
		for (c = g->r[2 * i]; c <= g->r[2 * i + 1]; c++)
			in[c] = 1;
	if (flags & F_FOLD)
		for (c = 'A'; c <= 'Z'; c++)
			in[c] = in[c + 32] = in[c] | in[c + 32];
	for (c = 0; c < 128; c++) {
		if (!in[c] || (c > 0 && in[c - 1]))
			continue;
		r[2 * n] = c;
		while (c + 1 < 128 && in[c + 1])
			c++;
		r[2 * n + 1] = c;
		n++;
	}
	if ((flags & F_FOLD) && in['s']) {
		r[2 * n] = r[2 * n + 1] = 0x17F;
		n++;
	}
	if ((flags & F_FOLD) && in['k']) {
		r[2 * n] = r[2 * n + 1] = 0x212A;
		n++;
	}
	if (g->sign > 0) {
		for (i = 0; i < n; i++)
			if (add_range(b, r[2 * i], r[2 * i + 1]) < 0)
				return -1;
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (r[2 * i] > lo && add_range(b, lo, r[2 * i] - 1) < 0)
			return -1;
		lo = r[2 * i + 1] + 1;
	}
	return lo <= MAX_RUNE ? add_range(b, lo, MAX_RUNE) : 0;
}

static const struct group *find_group(const struct group *tab, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(tab[i].name) == len && !memcmp(tab[i].name, s, len))
			return &tab[i];
	return NULL;
}

/* Go's parsePerlClassEscape: 1 with the group added and *t moved, 0 when t is no \d \s \w. */
static int perl_class_escape(struct parser *p, struct gitops_buf *b, const char **t, const char *end, int *added)
{
	const struct group *g;

	*added = 0;
	if (end - *t < 2 || **t != '\\' || !(g = find_group(perl_groups, 6, *t, 2)))
		return 0;
	if (add_group(b, g, p->flags) < 0)
		return gitops_err_oom(p->err);
	*t += 2;
	*added = 1;
	return 0;
}

/*
 * Go's parseUnicodeClass: \pN, \p{Name}, \PN, \P{Name}, \p{^Name}.  Written
 * as PCRE2 \p items; Go's C (Cc Cf Co Cs, no unassigned) is spelt out.
 */
static int unicode_class(struct parser *p, struct gitops_buf *b, const char **t, const char *end, int *added)
{
	const char *s = *t, *u, *name, *seq_end;
	size_t nlen, i;
	int sign, known = 0;
	int32_t c;

	*added = 0;
	if (end - s < 2 || s[0] != '\\' || (s[1] != 'p' && s[1] != 'P'))
		return 0;
	sign = s[1] == 'P' ? -1 : 1;
	u = s + 2;
	if (next_rune(p, &u, end, &c) < 0)
		return -1;
	if (c != '{') {
		name = s + 2;
		nlen = (size_t)(u - name);
		seq_end = u;
	} else {
		const char *close = memchr(s, '}', (size_t)(end - s));
		if (!close) {
			if (check_utf8(p, s, end) < 0)
				return -1;
			return syntax_error(p, E_CLASS_RANGE, s, (size_t)(end - s));
		}
		name = s + 3;
		nlen = (size_t)(close - name);
		seq_end = close + 1;
		if (check_utf8(p, name, close) < 0)
			return -1;
	}
	if (nlen && name[0] == '^') {
		sign = -sign;
		name++;
		nlen--;
	}
	for (i = 0; i < sizeof(unicode_names) / sizeof(unicode_names[0]); i++)
		if (strlen(unicode_names[i]) == nlen && !memcmp(unicode_names[i], name, nlen))
			known = 1;
	if (!known)
		return syntax_error(p, E_CLASS_RANGE, s, (size_t)(seq_end - s));
	if (nlen == 3 && !memcmp(name, "Any", 3)) {
		if (sign > 0 && add_range(b, 0, MAX_RUNE) < 0)
			return gitops_err_oom(p->err);
	} else if ((p->flags & F_FOLD) && nlen == 2 && name[0] == 'L' && strchr("ult", name[1])) {
		/*
		 * Go folds (?i)\p{Lu} to every rune with an upper, lower or title
		 * case partner; PCRE2 does not fold \p.  The cased letters L& are
		 * that, but for the few with no partner at all.
		 */
		if (gitops_buf_addstr(b, sign > 0 ? "\\p{L&}" : "\\P{L&}") < 0)
			return gitops_err_oom(p->err);
	} else if (nlen == 1 && name[0] == 'C') {
		if (gitops_buf_addstr(b, sign > 0 ? "\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}"
					       : "\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Z}\\p{Cn}") < 0)
			return gitops_err_oom(p->err);
	} else if (gitops_buf_printf(b, "\\%c{%.*s}", sign > 0 ? 'p' : 'P', (int)nlen, name) < 0) {
		return gitops_err_oom(p->err);
	}
	*t = seq_end;
	*added = 1;
	return 0;
}

/* Go's parseClassChar. */
static int class_char(struct parser *p, const char **t, const char *end, const char *whole, int32_t *r)
{
	if (*t >= end)
		return syntax_error(p, E_BRACKET, whole, (size_t)(end - whole));
	if (**t == '\\')
		return parse_escape(p, t, end, r);
	return next_rune(p, t, end, r);
}

/* A class node from its items: [items], [^items], empty ones spelt out, (?i:...) under fold. */
static int push_class(struct parser *p, struct gitops_buf *items, int negate)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct node *n;
	int fold = (p->flags & F_FOLD) != 0, r = -1;

	if (!items->len)
		r = gitops_buf_addstr(&b, negate ? "(?s:.)" : "(?!)");
	else
		r = gitops_buf_printf(&b, "%s[%s%s]%s", fold ? "(?i:" : "", negate ? "^" : "", items->data,
				      fold ? ")" : "");
	if (r < 0 || !(n = new_node(p, OP_CLASS))) {
		gitops_buf_release(&b);
		return r < 0 ? gitops_err_oom(p->err) : -1;
	}
	n->cls = gitops_buf_detach(&b);
	if (!n->cls)
		return gitops_err_oom(p->err);
	return push(p, n);
}

/* Go's parseClass: *t at '['. */
static int parse_class(struct parser *p, const char **t, const char *end)
{
	const char *s = *t, *u = s + 1;
	struct gitops_buf items = GITOPS_BUF_INIT;
	int negate = 0, first = 1, added, error = -1;

	if (u < end && *u == '^') {
		negate = 1;
		u++;
	}
	while (u >= end || *u != ']' || first) {
		const char *rng = u;
		int32_t lo, hi;

		first = 0;
		/* POSIX [:alnum:] and the like */
		if (end - u > 2 && u[0] == '[' && u[1] == ':') {
			const char *close = NULL, *q;
			for (q = u + 2; q + 1 < end; q++)
				if (q[0] == ':' && q[1] == ']') {
					close = q;
					break;
				}
			if (close) {
				const struct group *g = find_group(posix_groups, sizeof(posix_groups) / sizeof(posix_groups[0]),
								   u, (size_t)(close + 2 - u));
				if (!g) {
					syntax_error(p, E_CLASS_RANGE, u, (size_t)(close + 2 - u));
					goto done;
				}
				if (add_group(&items, g, p->flags) < 0) {
					gitops_err_oom(p->err);
					goto done;
				}
				u = close + 2;
				continue;
			}
		}
		if (unicode_class(p, &items, &u, end, &added) < 0)
			goto done;
		if (added)
			continue;
		if (perl_class_escape(p, &items, &u, end, &added) < 0)
			goto done;
		if (added)
			continue;
		if (class_char(p, &u, end, s, &lo) < 0)
			goto done;
		hi = lo;
		if (end - u >= 2 && u[0] == '-' && u[1] != ']') {
			u++;
			if (class_char(p, &u, end, s, &hi) < 0)
				goto done;
			if (hi < lo) {
				syntax_error(p, E_CLASS_RANGE, rng, (size_t)(u - rng));
				goto done;
			}
		}
		if (add_range(&items, lo, hi) < 0) {
			gitops_err_oom(p->err);
			goto done;
		}
	}
	u++;
	if (push_class(p, &items, negate) < 0)
		goto done;
	*t = u;
	error = 0;
done:
	gitops_buf_release(&items);
	return error;
}

/* Go's parse, with the Perl flags of regexp.Compile. */
static int parse(struct parser *p, const char *s, size_t len)
{
	const char *t = s, *end = s + len, *last_repeat = NULL;
	int32_t c;

	p->flags = F_ONELINE;
	p->whole = s;
	p->wlen = len;
	while (t < end) {
		const char *rep = NULL;
		struct node *n;
		int added;

		switch (*t) {
		default:
			if (next_rune(p, &t, end, &c) < 0 || literal(p, c) < 0)
				return -1;
			break;
		case '(':
			if (end - t >= 2 && t[1] == '?') {
				if (parse_perl_flags(p, &t, end) < 0)
					return -1;
				break;
			}
			if (push_op(p, OP_LPAREN, &n) < 0)
				return -1;
			n->cap = ++p->ncap;
			t++;
			break;
		case '|':
			if (parse_vertical_bar(p) < 0)
				return -1;
			t++;
			break;
		case ')':
			if (parse_right_paren(p) < 0)
				return -1;
			t++;
			break;
		case '^':
			if (push_op(p, (p->flags & F_ONELINE) ? OP_BOT : OP_BOL, NULL) < 0)
				return -1;
			t++;
			break;
		case '$':
			if (push_op(p, (p->flags & F_ONELINE) ? OP_EOT : OP_EOL, NULL) < 0)
				return -1;
			t++;
			break;
		case '.':
			if (push_op(p, (p->flags & F_DOTNL) ? OP_ANY : OP_ANY_NOTNL, NULL) < 0)
				return -1;
			t++;
			break;
		case '[':
			if (parse_class(p, &t, end) < 0)
				return -1;
			break;
		case '*':
		case '+':
		case '?': {
			const char *before = t, *after = t + 1;
			enum op op = *t == '*' ? OP_STAR : *t == '+' ? OP_PLUS : OP_QUEST;
			if (repeat(p, op, 0, 0, before, &after, last_repeat, end) < 0)
				return -1;
			rep = before;
			t = after;
			break;
		}
		case '{': {
			const char *before = t, *after;
			int min, max;
			if (!parse_repeat(t, end, &min, &max, &after)) {
				/* not a repeat: { is a literal */
				if (literal(p, '{') < 0)
					return -1;
				t++;
				break;
			}
			if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max))
				return syntax_error(p, E_REPEAT_SIZE, before, (size_t)(after - before));
			if (repeat(p, OP_REPEAT, min, max, before, &after, last_repeat, end) < 0)
				return -1;
			rep = before;
			t = after;
			break;
		}
		case '\\':
			if (end - t >= 2) {
				enum op op = 0;
				switch (t[1]) {
				case 'A': op = OP_BOT; break;
				case 'b': op = OP_WB; break;
				case 'B': op = OP_NWB; break;
				case 'z': op = OP_EOT; break;
				case 'C':
					/* any byte: not supported */
					return syntax_error(p, E_ESCAPE, t, 2);
				case 'Q': {
					/* \Q ... \E: literals */
					const char *lit = t + 2, *q, *stop = end;
					for (q = lit; q + 1 < end; q++)
						if (q[0] == '\\' && q[1] == 'E') {
							stop = q;
							break;
						}
					t = stop < end ? stop + 2 : end;
					while (lit < stop)
						if (next_rune(p, &lit, stop, &c) < 0 || literal(p, c) < 0)
							return -1;
					goto next;
				}
				default:
					break;
				}
				if (op) {
					if (push_op(p, op, NULL) < 0)
						return -1;
					t += 2;
					break;
				}
			}
			if (end - t >= 2 && (t[1] == 'p' || t[1] == 'P')) {
				struct gitops_buf items = GITOPS_BUF_INIT;
				int r = unicode_class(p, &items, &t, end, &added);
				if (r == 0 && added)
					r = push_class(p, &items, 0);
				gitops_buf_release(&items);
				if (r < 0)
					return -1;
				if (added)
					break;
			}
			{
				struct gitops_buf items = GITOPS_BUF_INIT;
				int r = perl_class_escape(p, &items, &t, end, &added);
				if (r == 0 && added)
					r = push_class(p, &items, 0);
				gitops_buf_release(&items);
				if (r < 0)
					return -1;
				if (added)
					break;
			}
			if (parse_escape(p, &t, end, &c) < 0 || literal(p, c) < 0)
				return -1;
			break;
		}
next:
		last_repeat = rep;
	}
	if (concat(p) < 0)
		return -1;
	if (swap_vertical_bar(p))
		p->n--;
	if (alternate(p) < 0)
		return -1;
	if (p->n != 1)
		return syntax_error(p, E_PAREN, s, len);
	return 0;
}

/* ---- the tree as a PCRE2 pattern ---- */

static int lit_needs_fold(const struct node *n)
{
	/* ASCII runes other than letters have no other case */
	return (n->flags & F_FOLD) && (n->rune >= 0x80 || (unsigned)((n->rune | 0x20) - 'a') < 26u);
}

static int emit_lit(struct gitops_buf *b, int32_t r)
{
	if (r >= 0xD800 && r <= 0xDFFF)   /* a surrogate never matches UTF-8 text */
		return gitops_buf_addstr(b, "(?!)");
	return add_cp(b, r);
}

/* Written as one PCRE2 atom: an escape, a class, (?i:x), (?!), (?s:.), a group. */
static int is_atom(const struct node *n)
{
	return n->op == OP_LIT || n->op == OP_CLASS || n->op == OP_ANY_NOTNL || n->op == OP_ANY || n->op == OP_CAPTURE;
}

/* Whether n can match the empty string. */
static int nullable(const struct node *n)
{
	size_t i;

	switch (n->op) {
	case OP_NOMATCH:
	case OP_LIT:
	case OP_CLASS:
	case OP_ANY_NOTNL:
	case OP_ANY:
		return 0;
	case OP_CAPTURE:
	case OP_PLUS:
		return nullable(n->sub[0]);
	case OP_REPEAT:
		return n->min == 0 || nullable(n->sub[0]);
	case OP_CONCAT:
		for (i = 0; i < n->nsub; i++)
			if (!nullable(n->sub[i]))
				return 0;
		return 1;
	case OP_ALT:
		for (i = 0; i < n->nsub; i++)
			if (nullable(n->sub[i]))
				return 1;
		return 0;
	default:
		return 1;
	}
}

struct emitter {
	struct gitops_buf *b;
	size_t groups;   /* PCRE2 groups written so far */
	size_t *map;     /* Go's group i is PCRE2's map[i] */
};

/* An empty group only to note where something began: it is PCRE2's group number e->groups. */
static int emit_mark(struct emitter *e)
{
	e->groups++;
	return gitops_buf_addstr(e->b, "()");
}

static int emit(struct emitter *e, const struct node *n);

/*
 * A loop whose body can match empty.  Go runs X+ as X then X again while
 * the state (instruction, position) is new, so an iteration after the first
 * that ends where it began is a dead end, and the match backtracks into it
 * for a longer way.  PCRE2 instead ends the loop on such an iteration.  So
 * the loop notes where it began and where each iteration began, and a
 * callout at the end of an iteration fails an empty one (unless it is the
 * first).  X* is (X+)?, as Go compiles it.
 */
static int emit_empty_loop(struct emitter *e, const struct node *n)
{
	int lazy = (n->flags & F_NONGREEDY) != 0, star = n->op == OP_STAR || (n->op == OP_REPEAT && n->min == 0);
	int before = n->op == OP_REPEAT && n->min > 1 ? n->min - 1 : 0;
	size_t loop, iter;

	/*
	 * X{n,} is Go's X{n-1}X+: the first n-1 are calls of the loop's X
	 * (a group of its own), whose groups PCRE2 restores after each call,
	 * so only the loop's last iteration sets them, as in Go.
	 */
	if (before && gitops_buf_printf(e->b, "(?:(?%zu)){%d}", e->groups + 3, before) < 0)
		return -1;
	if (emit_mark(e) < 0)
		return -1;
	loop = e->groups;
	if ((star && gitops_buf_addstr(e->b, "(?:") < 0) || gitops_buf_addstr(e->b, "(?:") < 0 || emit_mark(e) < 0)
		return -1;
	iter = e->groups;
	if (before) {
		e->groups++;
		if (gitops_buf_addstr(e->b, "(") < 0)
			return -1;
	}
	if (emit(e, n->sub[0]) < 0 || (before && gitops_buf_addstr(e->b, ")") < 0) ||
	    gitops_buf_printf(e->b, "(?C\"%zu,%zu\"))+%s", loop, iter, lazy ? "?" : "") < 0)
		return -1;
	return star ? gitops_buf_addstr(e->b, lazy ? ")??" : ")?") : 0;
}

static int emit(struct emitter *e, const struct node *n)
{
	struct gitops_buf *b = e->b;
	size_t i;
	int r = 0, atom;

	switch (n->op) {
	case OP_NOMATCH:
		return gitops_buf_addstr(b, "(?!)");
	case OP_EMPTY:
		return 0;
	case OP_LIT:
		if (lit_needs_fold(n))
			return gitops_buf_addstr(b, "(?i:") < 0 || emit_lit(b, n->rune) < 0 ? -1 : gitops_buf_addstr(b, ")");
		return emit_lit(b, n->rune);
	case OP_CLASS:
		return gitops_buf_addstr(b, n->cls);
	case OP_ANY_NOTNL:
		return gitops_buf_addstr(b, "[^\\n]");
	case OP_ANY:
		return gitops_buf_addstr(b, "(?s:.)");
	case OP_BOL:
		return gitops_buf_addstr(b, "(?m:^)");
	case OP_EOL:
		return gitops_buf_addstr(b, "(?m:$)");
	case OP_BOT:
		return gitops_buf_addstr(b, "\\A");
	case OP_EOT:
		return gitops_buf_addstr(b, "\\z");
	case OP_WB:
		return gitops_buf_addstr(b, "\\b");
	case OP_NWB:
		return gitops_buf_addstr(b, "\\B");
	case OP_CAPTURE:
		e->map[n->cap] = ++e->groups;
		if (gitops_buf_addstr(b, "(") < 0 || emit(e, n->sub[0]) < 0)
			return -1;
		return gitops_buf_addstr(b, ")");
	case OP_STAR:
	case OP_PLUS:
	case OP_QUEST:
	case OP_REPEAT:
		if ((n->op == OP_STAR || n->op == OP_PLUS || (n->op == OP_REPEAT && n->max < 0)) && nullable(n->sub[0]))
			return emit_empty_loop(e, n);
		/* one atom needs no group around it (PCRE2 nests (?: only about 500 deep) */
		atom = is_atom(n->sub[0]);
		if ((!atom && gitops_buf_addstr(b, "(?:") < 0) || emit(e, n->sub[0]) < 0 ||
		    (!atom && gitops_buf_addstr(b, ")") < 0))
			return -1;
		if (n->op == OP_REPEAT) {
			if (n->max == n->min)
				r = gitops_buf_printf(b, "{%d}", n->min);
			else if (n->max < 0)
				r = gitops_buf_printf(b, "{%d,}", n->min);
			else
				r = gitops_buf_printf(b, "{%d,%d}", n->min, n->max);
		} else {
			r = gitops_buf_addstr(b, n->op == OP_STAR ? "*" : n->op == OP_PLUS ? "+" : "?");
		}
		if (r < 0)
			return -1;
		return (n->flags & F_NONGREEDY) ? gitops_buf_addstr(b, "?") : 0;
	case OP_CONCAT:
		for (i = 0; i < n->nsub; i++) {
			const struct node *s = n->sub[i];
			/* a run of folded literals shares one (?i:...) */
			if (s->op == OP_LIT && lit_needs_fold(s)) {
				if (gitops_buf_addstr(b, "(?i:") < 0)
					return -1;
				for (; i < n->nsub && n->sub[i]->op == OP_LIT && lit_needs_fold(n->sub[i]); i++)
					if (emit_lit(b, n->sub[i]->rune) < 0)
						return -1;
				i--;
				if (gitops_buf_addstr(b, ")") < 0)
					return -1;
				continue;
			}
			if (emit(e, s) < 0)
				return -1;
		}
		return 0;
	case OP_ALT:
		if (gitops_buf_addstr(b, "(?:") < 0)
			return -1;
		for (i = 0; i < n->nsub; i++)
			if ((i && gitops_buf_addstr(b, "|") < 0) || emit(e, n->sub[i]) < 0)
				return -1;
		return gitops_buf_addstr(b, ")");
	default:
		return -1;
	}
}

/* The callout of emit_empty_loop: fail an iteration that ended where it began, but for the first. */
static int empty_iteration(pcre2_callout_block *cb, void *data)
{
	const char *s = (const char *)cb->callout_string;
	unsigned long loop, iter;
	char *end;

	(void)data;
	if (!s)
		return 0;
	loop = strtoul(s, &end, 10);
	iter = strtoul(end + 1, NULL, 10);
	if (iter >= cb->capture_top || loop >= cb->capture_top)
		return 0;
	return cb->offset_vector[2 * iter] == cb->current_position &&
	       cb->offset_vector[2 * iter] != cb->offset_vector[2 * loop];
}

/* The names of the groups, by number, from the tree (capture nodes keep theirs). */
static void collect_names(char **names, struct node *all)
{
	for (; all; all = all->next)
		if (all->op == OP_CAPTURE && all->name) {
			names[all->cap] = all->name;
			all->name = NULL;
		}
}

/* A PCRE2 failure in our words: what the pattern was, what PCRE2 said. */
static int pcre2_failed(struct gitops_err *err, const char *pattern, int code)
{
	PCRE2_UCHAR msg[256];

	if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
		strcpy((char *)msg, "unknown error");
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "regexp: %s (PCRE2): `%.200s%s`", (const char *)msg, pattern,
			      strlen(pattern) > 200 ? "..." : "");
}

int gitops_regex_compile(struct gitops_regex **out, const char *pat, size_t len, struct gitops_err *err)
{
	struct parser p = { 0 };
	struct gitops_buf text = GITOPS_BUF_INIT;
	struct emitter em = { NULL, 0, NULL };
	struct gitops_regex *re = NULL;
	pcre2_compile_context *cctx = NULL;
	int error = -1, code;
	PCRE2_SIZE off;

	*out = NULL;
	p.err = err;
	if (!(re = calloc(1, sizeof(*re))) || !(re->pattern = malloc(len + 1))) {
		gitops_err_oom(err);
		goto done;
	}
	if (len)
		memcpy(re->pattern, pat, len);
	re->pattern[len] = '\0';
	re->plen = len;
	if (parse(&p, re->pattern, len) < 0)
		goto done;
	re->nsub = p.ncap;
	if (!(re->names = calloc(p.ncap + 1, sizeof(*re->names)))) {
		gitops_err_oom(err);
		goto done;
	}
	collect_names(re->names, p.all);
	if (!(re->map = calloc(p.ncap + 1, sizeof(*re->map)))) {
		gitops_err_oom(err);
		goto done;
	}
	em.b = &text;
	em.map = re->map;
	if (emit(&em, p.stack[0]) < 0 || (!text.data && gitops_buf_add(&text, "", 0) < 0)) {
		gitops_err_oom(err);
		goto done;
	}
	if (!(cctx = pcre2_compile_context_create(NULL)) || !(re->mctx = pcre2_match_context_create(NULL))) {
		gitops_err_oom(err);
		goto done;
	}
	pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
	pcre2_set_bsr(cctx, PCRE2_BSR_UNICODE);
	pcre2_set_parens_nest_limit(cctx, PARENS_LIMIT);
	pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(re->mctx, HEAP_LIMIT_KIB);
	pcre2_set_callout(re->mctx, empty_iteration, NULL);
	re->code = pcre2_compile((PCRE2_SPTR)text.data, text.len,
				 PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ALT_CIRCUMFLEX | PCRE2_DOLLAR_ENDONLY |
					 PCRE2_NEVER_BACKSLASH_C,
				 &code, &off, cctx);
	if (!re->code) {
		pcre2_failed(err, re->pattern, code);
		goto done;
	}
	*out = re;
	re = NULL;
	error = 0;
done:
	gitops_regex_free(re);
	pcre2_compile_context_free(cctx);
	gitops_buf_release(&text);
	free_nodes(p.all);
	free(p.stack);
	return error;
}

void gitops_regex_free(struct gitops_regex *re)
{
	size_t i;

	if (!re)
		return;
	pcre2_code_free(re->code);
	pcre2_code_free(atomic_load(&re->jit));
	pcre2_match_data_free(atomic_load(&re->spare));
	pcre2_match_context_free(re->mctx);
	if (re->names)
		for (i = 0; i <= re->nsub; i++)
			free(re->names[i]);
	free(re->names);
	free(re->map);
	free(re->pattern);
	free(re);
}

const char *gitops_regex_pattern(const struct gitops_regex *re)
{
	return re->pattern;
}

size_t gitops_regex_nsub(const struct gitops_regex *re)
{
	return re->nsub;
}

const char *gitops_regex_subexp_name(const struct gitops_regex *re, size_t i)
{
	return i >= 1 && i <= re->nsub && re->names[i] ? re->names[i] : "";
}

long gitops_regex_subexp_index(const struct gitops_regex *re, const char *name)
{
	size_t i;

	if (name && *name)
		for (i = 1; i <= re->nsub; i++)
			if (re->names[i] && !strcmp(re->names[i], name))
				return (long)i;
	return -1;
}

/* ---- matching ---- */

static int backtrack_error(struct gitops_err *err, const struct gitops_regex *re)
{
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "regexp: too much backtracking, matching gave up: `%.200s%s`",
			      re->pattern, re->plen > 200 ? "..." : "");
}

/*
 * One search from pos (the text before pos still seen by \b and the like),
 * as Go's doExecute: 1 with idx filled (2 * (1 + nsub)), 0, or -1.
 */
static int exec_at(const struct gitops_regex *re, pcre2_match_data *md, const char *s, size_t len, size_t pos,
		   long *idx, struct gitops_err *err)
{
	PCRE2_SPTR subj = (PCRE2_SPTR)(s ? s : "");
	PCRE2_SIZE *ov;
	size_t i;
	int rc;

	rc = pcre2_match(match_code(re), subj, len, pos, 0, md, re->mctx);
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
		rc = pcre2_match(re->code, subj, len, pos, PCRE2_NO_JIT, md, re->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
	    rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return backtrack_error(err, re);
	if (rc == PCRE2_ERROR_NOMEMORY)
		return gitops_err_oom(err);
	if (rc < 0)
		return pcre2_failed(err, re->pattern, rc);
	ov = pcre2_get_ovector_pointer(md);
	for (i = 0; i <= re->nsub; i++) {
		size_t g = re->map[i];
		if (g < (size_t)rc && ov[2 * g] != PCRE2_UNSET) {
			idx[2 * i] = (long)ov[2 * g];
			idx[2 * i + 1] = (long)ov[2 * g + 1];
		} else {
			idx[2 * i] = idx[2 * i + 1] = -1;
		}
	}
	return 1;
}

static pcre2_match_data *new_md(const struct gitops_regex *cre, struct gitops_err *err)
{
	struct gitops_regex *re = (struct gitops_regex *)cre; /* the spare only */
	pcre2_match_data *md = atomic_exchange_explicit(&re->spare, NULL, memory_order_acquire);

	if (!md && !(md = pcre2_match_data_create_from_pattern(re->code, NULL)))
		gitops_err_oom(err);
	return md;
}

/* md back as the spare, or freed when another match's is there already */
static void md_done(const struct gitops_regex *cre, pcre2_match_data *md)
{
	struct gitops_regex *re = (struct gitops_regex *)cre;
	pcre2_match_data *none = NULL;

	if (md && !atomic_compare_exchange_strong_explicit(&re->spare, &none, md, memory_order_release,
							   memory_order_relaxed))
		pcre2_match_data_free(md);
}

int gitops_regex_find(long *idx, const struct gitops_regex *re, const char *s, size_t len, struct gitops_err *err)
{
	pcre2_match_data *md = new_md(re, err);
	long *tmp = NULL;
	int r = -1;

	if (!md)
		return -1;
	if (!(tmp = malloc(2 * (re->nsub + 1) * sizeof(*tmp)))) {
		gitops_err_oom(err);
		goto done;
	}
	r = exec_at(re, md, s, len, 0, tmp, err);
	if (r > 0)
		memcpy(idx, tmp, 2 * (re->nsub + 1) * sizeof(*tmp));
done:
	free(tmp);
	md_done(re, md);
	return r;
}

int gitops_regex_match(const struct gitops_regex *re, const char *s, size_t len, struct gitops_err *err)
{
	pcre2_match_data *md = new_md(re, err);
	PCRE2_SPTR subj = (PCRE2_SPTR)(s ? s : "");
	int rc;

	if (!md)
		return -1;
	rc = pcre2_match(match_code(re), subj, len, 0, 0, md, re->mctx);
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
		rc = pcre2_match(re->code, subj, len, 0, PCRE2_NO_JIT, md, re->mctx);
	md_done(re, md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_NOMEMORY)
		return gitops_err_oom(err);
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
	    rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return backtrack_error(err, re);
	return pcre2_failed(err, re->pattern, rc);
}

void gitops_regex_matches_release(struct gitops_regex_matches *m)
{
	free(m->at);
	m->at = NULL;
	m->n = m->width = 0;
}

static int matches_add(struct gitops_regex_matches *m, size_t *cap, const long *idx, struct gitops_err *err)
{
	if (m->n == *cap) {
		size_t c = *cap ? 2 * *cap : 8;
		long *at;
		if (c > SIZE_MAX / sizeof(*at) / m->width)
			return gitops_err_oom(err);
		if (!(at = realloc(m->at, c * m->width * sizeof(*at))))
			return gitops_err_oom(err);
		m->at = at;
		*cap = c;
	}
	memcpy(m->at + m->n * m->width, idx, m->width * sizeof(*idx));
	m->n++;
	return 0;
}

int gitops_regex_find_all(struct gitops_regex_matches *out, const struct gitops_regex *re, const char *s, size_t len,
			  long n, struct gitops_err *err)
{
	pcre2_match_data *md = NULL;
	long *idx = NULL, prev_end = -1;
	size_t pos = 0, cap = 0;
	int error = -1, r;

	gitops_regex_matches_release(out);
	out->width = 2 * (re->nsub + 1);
	if (n < 0)
		n = LONG_MAX;
	if (!(md = new_md(re, err)))
		goto done;
	if (!(idx = malloc(out->width * sizeof(*idx)))) {
		gitops_err_oom(err);
		goto done;
	}
	/* Go's allMatches */
	while ((long)out->n < n && pos <= len) {
		int accept = 1;
		if ((r = exec_at(re, md, s, len, pos, idx, err)) < 0)
			goto done;
		if (r == 0)
			break;
		if ((size_t)idx[1] == pos) {
			size_t w = rune_width(s, len, pos);
			/* no empty match right after the previous match */
			if (idx[0] == prev_end)
				accept = 0;
			pos = w > 0 ? pos + w : len + 1;
		} else {
			pos = (size_t)idx[1];
		}
		prev_end = idx[1];
		if (accept && matches_add(out, &cap, idx, err) < 0)
			goto done;
	}
	error = 0;
done:
	if (error < 0)
		gitops_regex_matches_release(out);
	free(idx);
	md_done(re, md);
	return error;
}

int gitops_regex_split(struct gitops_regex_matches *out, const struct gitops_regex *re, const char *s, size_t len,
		       long n, struct gitops_err *err)
{
	struct gitops_regex_matches m = GITOPS_REGEX_MATCHES_INIT;
	size_t cap = 0, i, beg = 0, end = 0;
	long piece[2];
	int error = -1;

	gitops_regex_matches_release(out);
	out->width = 2;
	if (n == 0)
		return 0;
	if (re->plen > 0 && len == 0) {
		piece[0] = piece[1] = 0;
		return matches_add(out, &cap, piece, err);
	}
	if (gitops_regex_find_all(&m, re, s, len, n, err) < 0)
		goto done;
	for (i = 0; i < m.n; i++) {
		const long *match = m.at + i * m.width;
		if (n > 0 && (long)out->n >= n - 1)
			break;
		end = (size_t)match[0];
		if (match[1] != 0) {
			piece[0] = (long)beg;
			piece[1] = (long)end;
			if (matches_add(out, &cap, piece, err) < 0)
				goto done;
		}
		beg = (size_t)match[1];
	}
	if (end != len) {
		piece[0] = (long)beg;
		piece[1] = (long)len;
		if (matches_add(out, &cap, piece, err) < 0)
			goto done;
	}
	error = 0;
done:
	if (error < 0)
		gitops_regex_matches_release(out);
	gitops_regex_matches_release(&m);
	return error;
}

/* unicode.IsLetter || unicode.IsDigit for a non-ASCII rune, asked of PCRE2's tables. */
static int letter_or_digit(pcre2_code **cache, const char *s, size_t len)
{
	pcre2_match_data *md;
	int code, rc;
	PCRE2_SIZE off;

	if (!*cache) {
		static const char pat[] = "\\A[\\p{L}\\p{Nd}]";
		*cache = pcre2_compile((PCRE2_SPTR)pat, sizeof(pat) - 1, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code,
				       &off, NULL);
		if (!*cache)
			return -1;
	}
	if (!(md = pcre2_match_data_create(1, NULL)))
		return -1;
	rc = pcre2_match(*cache, (PCRE2_SPTR)s, len, 0, PCRE2_ANCHORED, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/*
 * Go's extract: a name or {name} at t (just past '$').  1 with the name
 * [*name, *name + *nlen), its number (-1 when not a number) and the rest;
 * 0 when malformed; -1 on error.
 */
static int extract(pcre2_code **cache, const char *t, const char *end, const char **name, size_t *nlen, long *num,
		   const char **rest)
{
	int brace = 0;
	size_t i = 0, k;

	if (t >= end)
		return 0;
	if (*t == '{') {
		brace = 1;
		t++;
	}
	while (t + i < end) {
		int32_t r;
		size_t w = decode_rune((const unsigned char *)t + i, (size_t)(end - t - i), &r);
		if (r < 0x80) {
			if (!is_alnum(r) && r != '_')
				break;
		} else {
			int ld;
			if (r == RUNE_ERROR)
				break;
			if ((ld = letter_or_digit(cache, t + i, w)) < 0)
				return -1;
			if (!ld)
				break;
		}
		i += w;
	}
	if (i == 0)
		return 0;
	*name = t;
	*nlen = i;
	if (brace) {
		if (i >= (size_t)(end - t) || t[i] != '}')
			return 0;
		i++;
	}
	*num = 0;
	for (k = 0; k < *nlen; k++) {
		if ((*name)[k] < '0' || (*name)[k] > '9' || *num >= 100000000) {
			*num = -1;
			break;
		}
		*num = *num * 10 + ((*name)[k] - '0');
	}
	if ((*name)[0] == '0' && *nlen > 1)
		*num = -1;
	*rest = t + i;
	return 1;
}

static int expand(struct gitops_buf *out, pcre2_code **cache, const struct gitops_regex *re, const char *tmpl,
		  size_t tlen, const char *s, const long *idx, struct gitops_err *err)
{
	const char *t = tmpl, *end = tmpl + tlen;

	while (t < end) {
		const char *dollar = memchr(t, '$', (size_t)(end - t)), *name, *rest;
		size_t nlen, i;
		long num;
		int r;

		if (!dollar)
			break;
		if (gitops_buf_add(out, t, (size_t)(dollar - t)) < 0)
			return gitops_err_oom(err);
		t = dollar + 1;
		if (t < end && *t == '$') {
			if (gitops_buf_add(out, "$", 1) < 0)
				return gitops_err_oom(err);
			t++;
			continue;
		}
		if ((r = extract(cache, t, end, &name, &nlen, &num, &rest)) < 0)
			return gitops_err_oom(err);
		if (r == 0) {
			/* malformed: the $ is text */
			if (gitops_buf_add(out, "$", 1) < 0)
				return gitops_err_oom(err);
			continue;
		}
		t = rest;
		if (num >= 0) {
			if ((size_t)num <= re->nsub && idx[2 * num] >= 0 &&
			    gitops_buf_add(out, s + idx[2 * num], (size_t)(idx[2 * num + 1] - idx[2 * num])) < 0)
				return gitops_err_oom(err);
			continue;
		}
		for (i = 1; i <= re->nsub; i++)
			if (re->names[i] && strlen(re->names[i]) == nlen && !memcmp(re->names[i], name, nlen) &&
			    idx[2 * i] >= 0) {
				if (gitops_buf_add(out, s + idx[2 * i], (size_t)(idx[2 * i + 1] - idx[2 * i])) < 0)
					return gitops_err_oom(err);
				break;
			}
	}
	if (gitops_buf_add(out, t, (size_t)(end - t)) < 0)
		return gitops_err_oom(err);
	return 0;
}

int gitops_regex_expand(struct gitops_buf *out, const struct gitops_regex *re, const char *tmpl, size_t tlen,
			const char *s, const long *idx, struct gitops_err *err)
{
	pcre2_code *cache = NULL;
	int r = expand(out, &cache, re, tmpl, tlen, s, idx, err);

	pcre2_code_free(cache);
	return r;
}

/* Go's replaceAll; tmpl is expanded when literal is 0. */
static int replace_all(struct gitops_buf *out, const struct gitops_regex *re, const char *s, size_t len,
		       const char *tmpl, size_t tlen, int literal_repl, struct gitops_err *err)
{
	pcre2_match_data *md = NULL;
	pcre2_code *cache = NULL;
	long *idx = NULL;
	size_t last_end = 0, pos = 0;
	int error = -1, r;

	if (!s)
		s = "";
	if (!tmpl)
		tmpl = "";
	if (!(md = new_md(re, err)))
		goto done;
	if (!(idx = malloc(2 * (re->nsub + 1) * sizeof(*idx)))) {
		gitops_err_oom(err);
		goto done;
	}
	while (pos <= len) {
		size_t w;
		if ((r = exec_at(re, md, s, len, pos, idx, err)) < 0)
			goto done;
		if (r == 0)
			break;
		if (gitops_buf_add(out, s + last_end, (size_t)idx[0] - last_end) < 0) {
			gitops_err_oom(err);
			goto done;
		}
		/* no replacement for an empty match right after another match */
		if ((size_t)idx[1] > last_end || idx[0] == 0) {
			if (literal_repl && gitops_buf_add(out, tmpl, tlen) < 0) {
				gitops_err_oom(err);
				goto done;
			}
			if (!literal_repl && expand(out, &cache, re, tmpl, tlen, s, idx, err) < 0)
				goto done;
		}
		last_end = (size_t)idx[1];
		w = rune_width(s, len, pos);
		if (pos + w > (size_t)idx[1])
			pos += w;
		else if (pos + 1 > (size_t)idx[1])
			pos++;
		else
			pos = (size_t)idx[1];
	}
	if (gitops_buf_add(out, s + last_end, len - last_end) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	error = 0;
done:
	pcre2_code_free(cache);
	free(idx);
	md_done(re, md);
	return error;
}

int gitops_regex_replace_all(struct gitops_buf *out, const struct gitops_regex *re, const char *s, size_t len,
			     const char *tmpl, size_t tlen, struct gitops_err *err)
{
	return replace_all(out, re, s, len, tmpl, tlen, 0, err);
}

int gitops_regex_replace_all_literal(struct gitops_buf *out, const struct gitops_regex *re, const char *s, size_t len,
				     const char *repl, size_t rlen, struct gitops_err *err)
{
	return replace_all(out, re, s, len, repl, rlen, 1, err);
}

int gitops_regex_quote_meta(struct gitops_buf *out, const char *s, size_t len)
{
	size_t i, from = 0;

	for (i = 0; i < len; i++) {
		if (!strchr("\\.+*?()|[]{}^$", s[i]) || s[i] == '\0')
			continue;
		if (gitops_buf_add(out, s + from, i - from) < 0 || gitops_buf_add(out, "\\", 1) < 0)
			return -1;
		from = i;
	}
	if (gitops_buf_add(out, s + from, len - from) < 0)
		return -1;
	if (!out->data)  /* an empty input still leaves a string */
		return gitops_buf_add(out, "", 0);
	return 0;
}
