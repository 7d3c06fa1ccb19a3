/*
 * tmpl_parse.c: text/template's parser (Go 1.23's parse.go and node.go).
 *
 * Go's parser panics on the first error; this one longjmps back to
 * tmpl_parse with the message in err.  Nothing is lost by it: every node
 * and string lives in the arena of the parse's struct tmpl_src, freed with
 * it, and the few malloc'ed arrays hang off the parser, freed at the end.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/template/tmpl_int.h"

struct tmpl_chunk {
	struct tmpl_chunk *next;
	size_t cap;                /* in units of ARENA_ALIGN bytes */
	uint64_t data[];
};

/* nodes hold pointers, 64-bit integers and doubles: 8 bytes is their alignment */
#define ARENA_ALIGN sizeof(uint64_t)

void tmpl_src_unref(struct tmpl_src *src)
{
	struct tmpl_chunk *c, *n;

	if (!src || --src->refs)
		return;
	for (c = src->chunks; c; c = n) {
		n = c->next;
		free(c);
	}
	while (src->nconsts)
		gitops_tmpl_value_unref(src->consts[--src->nconsts]);
	free(src->consts);
	free(src->parse_name);
	if (!src->borrowed)
		free(src->text);
	free(src);
}

int tmpl_src_keep(struct tmpl_src *src, struct gitops_tmpl_value *v)
{
	if (src->nconsts == src->capconsts) {
		size_t cap = src->capconsts ? src->capconsts * 2 : 16;
		struct gitops_tmpl_value **c = realloc(src->consts, cap * sizeof(*c));
		if (!c)
			return -1;
		src->consts = c;
		src->capconsts = cap;
	}
	src->consts[src->nconsts++] = v;
	return 0;
}

void tmpl_tree_unref(struct tmpl_tree *t)
{
	if (!t || --t->refs)
		return;
	tmpl_src_unref(t->src);
	free(t->name);
	free(t);
}

struct parser {
	struct tmpl_lexer lex;
	struct tmpl_token token[3];
	int peek_count;
	const struct gitops_tmpl_set *set;
	struct tmpl_src *src;
	uint64_t *abump, *aend;   /* the free part of the src's newest chunk */
	const char *tree_name;    /* the tree being parsed (for nothing but symmetry with Go) */
	struct { const char *s; size_t n; } *vars;
	size_t nvars, capvars, var_base;
	int range_depth;
	size_t action_pos;        /* 1 + the offset of the action being parsed (0: none): its line on error */
	size_t depth;
	struct tmpl_tree **trees; /* parsed so far: the file's tree and its definitions */
	size_t ntrees, captrees;
	struct gitops_err *err;
	jmp_buf jmp;
};

static void arena_chunk(struct parser *p, size_t units);

static _Noreturn void fail_oom(struct parser *p)
{
	gitops_err_oom(p->err);
	longjmp(p->jmp, 1);
}

/* n bytes, uninitialized, as long as the src lives (for what the caller fills at once) */
static inline __attribute__((always_inline)) void *arena_raw(struct parser *p, size_t n)
{
	size_t units = n ? (n + ARENA_ALIGN - 1) / ARENA_ALIGN : 1;
	void *r;

	if (__builtin_expect((uintptr_t)p->aend - (uintptr_t)p->abump < units * ARENA_ALIGN, 0))
		arena_chunk(p, units);
	r = p->abump;
	p->abump += units;
	return r;
}

/* n zeroed bytes, as long as the src lives: inlined, so that a constant n zeroes in a few stores */
static inline __attribute__((always_inline)) void *arena(struct parser *p, size_t n)
{
	void *r = arena_raw(p, n);

	memset(r, 0, n);
	return r;
}

static __attribute__((noinline)) void arena_chunk(struct parser *p, size_t units)
{
	struct tmpl_chunk *c = p->src->chunks;
	/* chunks grow with the text (1 KB, doubling to 64 KB): a small template wastes little */
	size_t cap = c ? 2 * c->cap : 128;

	if (cap > 8192)
		cap = 8192;
	if (cap < units)
		cap = units;
	c = malloc(sizeof(*c) + cap * ARENA_ALIGN);
	if (!c)
		fail_oom(p);
	c->cap = cap;
	c->next = p->src->chunks;
	p->src->chunks = c;
	/* what is left of the chunk before is not used */
	p->abump = c->data;
	p->aend = c->data + cap;
}

static inline __attribute__((always_inline)) char *arena_str(struct parser *p, const char *s, size_t n)
{
	char *r = arena_raw(p, n + 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static _Noreturn void errorf(struct parser *p, const char *fmt, ...) GITOPS_PRINTF(2, 3);
static _Noreturn void errorf(struct parser *p, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gitops_err_set(p->err, GITOPS_EXIT_INPUT, "template: %s:%d: %s", p->src->parse_name,
		       tmpl_lex_line(&p->lex, &p->token[0]), msg);
	longjmp(p->jmp, 1);
}

/* --- tokens --- */

static struct tmpl_token *next(struct parser *p)
{
	if (p->peek_count > 0)
		p->peek_count--;
	else
		tmpl_lex_next(&p->lex, &p->token[0]);
	return &p->token[p->peek_count];
}

static void backup(struct parser *p)
{
	p->peek_count++;
}

static void backup2(struct parser *p, const struct tmpl_token *t1)
{
	p->token[1] = *t1;
	p->peek_count = 2;
}

static void backup3(struct parser *p, const struct tmpl_token *t2, const struct tmpl_token *t1)
{
	p->token[1] = *t1;
	p->token[2] = *t2;
	p->peek_count = 3;
}

static struct tmpl_token *peek(struct parser *p)
{
	if (p->peek_count > 0)
		return &p->token[p->peek_count - 1];
	p->peek_count = 1;
	tmpl_lex_next(&p->lex, &p->token[0]);
	return &p->token[0];
}

static struct tmpl_token *next_non_space(struct parser *p)
{
	struct tmpl_token *t;

	for (;;) {
		t = next(p);
		if (t->typ != I_SPACE)
			break;
	}
	return t;
}

static struct tmpl_token *peek_non_space(struct parser *p)
{
	struct tmpl_token *t = next_non_space(p);

	backup(p);
	return t;
}

/* item.String(): EOF, the error, <keyword>, %.10q..., %q */
static void item_string(char *out, size_t size, const struct tmpl_token *t)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t n = t->len, i = 0, runes = 0;
	const char *dot;

	if (t->typ == I_EOF) {
		snprintf(out, size, "EOF");
		return;
	}
	if (t->typ == I_ERROR) {
		snprintf(out, size, "%.*s", (int)t->len, t->val);
		return;
	}
	if (t->typ > I_KEYWORD) {
		snprintf(out, size, "<%.*s>", (int)t->len, t->val);
		return;
	}
	/* a run of fields (.a.b) is one item here, its first name Go's item */
	if (t->typ == I_FIELD && n > 1 && (dot = memchr(t->val + 1, '.', n - 1)))
		n = (size_t)(dot - t->val);
	while (i < n) {
		i++;
		while (i < n && ((unsigned char)t->val[i] & 0xC0) == 0x80)
			i++;
		if (++runes == 10)
			break;
	}
	if (tmpl_fmt_quote(&b, t->val, runes == 10 ? i : n, 0) < 0) {
		snprintf(out, size, "?");
	} else {
		snprintf(out, size, "%s%s", b.data, runes == 10 && i < n ? "..." : "");
	}
	gitops_buf_release(&b);
}

static _Noreturn void unexpected(struct parser *p, const struct tmpl_token *t, const char *context)
{
	char s[200];

	if (t->typ == I_ERROR) {
		char extra[300] = "";
		int aline = p->action_pos ? tmpl_lex_line(&p->lex, &(struct tmpl_token){ .pos = p->action_pos - 1 }) : 0;
		if (aline != 0 && aline != tmpl_lex_line(&p->lex, t)) {
			int action = t->len >= 7 && !memcmp(t->val + t->len - 7, " action", 7);
			snprintf(extra, sizeof(extra), "%s started at %s:%d", action ? "" : " in action",
				 p->src->parse_name, aline);
		}
		errorf(p, "%.*s%s", (int)t->len, t->val, extra);
	}
	item_string(s, sizeof(s), t);
	errorf(p, "unexpected %s in %s", s, context);
}

static struct tmpl_token expect(struct parser *p, enum tmpl_item typ, const char *context)
{
	struct tmpl_token *t = next_non_space(p);

	if (t->typ != typ)
		unexpected(p, t, context);
	return *t;
}

/* --- nodes --- */

static inline __attribute__((always_inline)) struct tmpl_node *new_node(struct parser *p, enum tmpl_ntype type,
								      size_t pos)
{
	typedef uint64_t zero16 __attribute__((vector_size(16)));
	const zero16 z = { 0, 0 };
	struct tmpl_node *n = arena_raw(p, sizeof(*n));
	size_t i;

	/* zeroed sixteen bytes a store (a memset of this size is a rep stos, slow to start) */
	_Static_assert(sizeof(*n) % 8 == 0, "a node is whole 8-byte words");
	for (i = 0; i + 16 <= sizeof(*n); i += 16)
		memcpy((char *)n + i, &z, 16);
	if (i < sizeof(*n))
		memset((char *)n + i, 0, 8);
	n->type = type;
	n->pos = pos;
	n->src = p->src;
	return n;
}

static __attribute__((noinline)) void grow_kids(struct parser *p, struct tmpl_node *n)
{
	size_t cap = n->nkids ? (size_t)n->nkids * 2 : 4;
	struct tmpl_node **k = arena_raw(p, cap * sizeof(*k)); /* items past nkids unread */

	if (n->nkids)
		memcpy(k, n->kids, n->nkids * sizeof(*k));
	n->kids = k;
}

static inline __attribute__((always_inline)) void append_kid(struct parser *p, struct tmpl_node *n,
							     struct tmpl_node *kid)
{
	/* the capacity is implied: 4, then doubling (a power of two when full) */
	if (n->nkids == 0 || (n->nkids >= 4 && !(n->nkids & (n->nkids - 1))))
		grow_kids(p, n);
	n->kids[n->nkids++] = kid;
}

static void append_decl(struct parser *p, struct tmpl_node *n, struct tmpl_node *v)
{
	/* as kids: 2, then doubling */
	if (n->ndecl == 0 || (n->ndecl >= 2 && !(n->ndecl & (n->ndecl - 1)))) {
		size_t cap = n->ndecl ? (size_t)n->ndecl * 2 : 2;
		struct tmpl_node **k = arena_raw(p, cap * sizeof(*k)); /* items past nkids unread */
		if (n->ndecl)
			memcpy(k, n->decl, n->ndecl * sizeof(*k));
		n->decl = k;
	}
	n->decl[n->ndecl++] = v;
}

/* a growing array of names, on the stack until it outgrows it */
struct names {
	char **v;
	size_t n, cap;
	char *local[8];
};

static void names_init(struct names *nm)
{
	nm->v = nm->local;
	nm->n = 0;
	nm->cap = sizeof(nm->local) / sizeof(nm->local[0]);
}

/*
 * The names of s (n bytes, names joined by dots: "a.b.c") appended: one copy
 * of s, each dot made the NUL that ends a name.
 */
static void names_add(struct parser *p, struct names *nm, const char *s, size_t n)
{
	char *buf = arena_raw(p, n + 1), *start = buf, *end = buf + n, *dot;

	memcpy(buf, s, n);
	*end = '\0';
	for (;;) {
		if (nm->n == nm->cap) {
			char **grown = arena_raw(p, 2 * nm->cap * sizeof(char *));
			memcpy(grown, nm->v, nm->n * sizeof(char *));
			nm->v = grown;
			nm->cap *= 2;
		}
		nm->v[nm->n++] = start;
		dot = memchr(start, '.', (size_t)(end - start));
		if (!dot)
			break;
		*dot = '\0';
		start = dot + 1;
	}
}

/* the names, in the arena */
static char **names_keep(struct parser *p, struct names *nm)
{
	char **v = nm->v;

	if (v == nm->local) {
		v = arena_raw(p, nm->n * sizeof(char *));
		memcpy(v, nm->local, nm->n * sizeof(char *));
	}
	return v;
}

/* a field or variable node from dotted text (".A.B", "$x.A") */
static struct tmpl_node *new_path(struct parser *p, enum tmpl_ntype type, size_t pos, const char *s, size_t n)
{
	struct tmpl_node *node = new_node(p, type, pos);
	struct names nm;

	/* a field's name follows its dot; a variable's first is the whole "$x" (even "$") */
	names_init(&nm);
	if (type == N_FIELD)
		names_add(p, &nm, s + 1, n - 1);
	else
		names_add(p, &nm, s, n);
	node->ident = names_keep(p, &nm);
	node->nident = (uint32_t)nm.n;
	return node;
}

static void push_var(struct parser *p, const char *s, size_t n)
{
	if (p->nvars == p->capvars) {
		size_t cap = p->capvars ? p->capvars * 2 : 8;
		void *v = realloc(p->vars, cap * sizeof(*p->vars));
		if (!v)
			fail_oom(p);
		p->vars = v;
		p->capvars = cap;
	}
	p->vars[p->nvars].s = s;
	p->vars[p->nvars].n = n;
	p->nvars++;
}

/* --- Go's literals --- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t put_rune(char *out, unsigned r)
{
	if (r < 0x80) {
		out[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (char)(0xC0 | (r >> 6));
		out[1] = (char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r < 0x10000) {
		out[0] = (char)(0xE0 | (r >> 12));
		out[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		out[2] = (char)(0x80 | (r & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (r >> 18));
	out[1] = (char)(0x80 | ((r >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((r >> 6) & 0x3F));
	out[3] = (char)(0x80 | (r & 0x3F));
	return 4;
}

static int utf8_len(const unsigned char *s, size_t n, unsigned *r)
{
	size_t size;

	*r = tmpl_rune((const char *)s, n, &size);
	return (int)size;
}

/*
 * strconv.UnquoteChar: one character of s (n bytes) quoted by `quote`: its
 * bytes into out (at most 4), the bytes of s used; -1 on bad syntax.
 * multibyte says whether a \x or octal escape is a byte (strings) or a rune.
 */
static int unquote_char(char *out, size_t *outn, unsigned *rune, const char *s, size_t n, char quote, int *used)
{
	unsigned char c = (unsigned char)s[0];
	unsigned v = 0;
	int i, k;

	if (c == (unsigned char)quote && (quote == '\'' || quote == '"'))
		return -1;
	if (c >= 0x80) {
		int len = utf8_len((const unsigned char *)s, n, &v);
		memcpy(out, s, (size_t)len);
		*outn = (size_t)len;
		*rune = v;
		*used = len;
		return 0;
	}
	if (c != '\\') {
		out[0] = (char)c;
		*outn = 1;
		*rune = c;
		*used = 1;
		return 0;
	}
	if (n <= 1)
		return -1;
	c = (unsigned char)s[1];
	*used = 2;
	switch (c) {
	case 'a': v = '\a'; break;
	case 'b': v = '\b'; break;
	case 'f': v = '\f'; break;
	case 'n': v = '\n'; break;
	case 'r': v = '\r'; break;
	case 't': v = '\t'; break;
	case 'v': v = '\v'; break;
	case 'x':
	case 'u':
	case 'U':
		k = c == 'x' ? 2 : c == 'u' ? 4 : 8;
		if ((int)n < 2 + k)
			return -1;
		for (i = 0; i < k; i++) {
			int h = hexval(s[2 + i]);
			if (h < 0)
				return -1;
			v = (v << 4) | (unsigned)h;
		}
		*used = 2 + k;
		if (c == 'x') {
			out[0] = (char)v;
			*outn = 1;
			*rune = v;
			return 1; /* a byte */
		}
		if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return -1;
		*outn = put_rune(out, v);
		*rune = v;
		return 0;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		if (n < 4)
			return -1;
		for (i = 1; i < 4; i++) {
			int d = s[i] - '0';
			if (d < 0 || d > 7)
				return -1;
			v = (v << 3) | (unsigned)d;
		}
		if (v > 255)
			return -1;
		*used = 4;
		out[0] = (char)v;
		*outn = 1;
		*rune = v;
		return 1;
	case '\\':
		v = '\\';
		break;
	case '\'':
	case '"':
		if (c != (unsigned char)quote)
			return -1;
		v = c;
		break;
	default:
		return -1;
	}
	out[0] = (char)v;
	*outn = 1;
	*rune = v;
	return 0;
}

/* strconv.Unquote of a "..." or `...` token into the arena */
static char *unquote(struct parser *p, const struct tmpl_token *t, size_t *len)
{
	const char *s = t->val + 1;
	size_t n = t->len - 2, i = 0, k = 0;
	char *out;

	/* no escape (the lexer saw no backslash, no \r in a raw string): the text as written */
	if (!t->esc) {
		*len = n;
		return arena_str(p, s, n);
	}
	out = arena(p, n + 1);
	if (t->val[0] == '`') {
		for (i = 0; i < n; i++)
			if (s[i] != '\r')
				out[k++] = s[i];
		out[k] = '\0';
		*len = k;
		return out;
	}
	while (i < n) {
		char tmp[4];
		size_t tn;
		unsigned r;
		int used;
		if (s[i] == '\n' || unquote_char(tmp, &tn, &r, s + i, n - i, '"', &used) < 0)
			errorf(p, "invalid syntax");
		memcpy(out + k, tmp, tn);
		k += tn;
		i += (size_t)used;
	}
	out[k] = '\0';
	*len = k;
	return out;
}

/* strconv's underscoreOK */
static int underscore_ok(const char *s, size_t n)
{
	char saw = '^';
	size_t i = 0;
	int hex = 0;

	if (n >= 1 && (s[0] == '-' || s[0] == '+')) {
		s++;
		n--;
	}
	if (n >= 2 && s[0] == '0' && strchr("bBoOxX", s[1]) && s[1]) {
		i = 2;
		saw = '0';
		hex = s[1] == 'x' || s[1] == 'X';
	}
	for (; i < n; i++) {
		char c = s[i];
		if ((c >= '0' && c <= '9') || (hex && hexval(c) >= 0)) {
			saw = '0';
			continue;
		}
		if (c == '_') {
			if (saw != '0')
				return 0;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return 0;
		saw = '!';
	}
	return saw != '_';
}

/* strconv.ParseUint(text, 0, 64) (neg: a leading '-' seen: fails, as Go) */
static int parse_uint(uint64_t *out, const char *s, size_t n)
{
	uint64_t v = 0;
	unsigned base = 10;
	size_t i = 0;
	int any = 0, underscores = 0;

	if (n == 0)
		return -1;
	if (s[0] == '0' && n > 1) {
		if (s[1] == 'x' || s[1] == 'X')
			base = 16, i = 2;
		else if (s[1] == 'b' || s[1] == 'B')
			base = 2, i = 2;
		else if (s[1] == 'o' || s[1] == 'O')
			base = 8, i = 2;
		else
			base = 8, i = 1;
	}
	for (; i < n; i++) {
		int d;
		if (s[i] == '_') {
			underscores = 1;
			continue;
		}
		d = hexval(s[i]);
		if (d < 0 || (unsigned)d >= base)
			return -1;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return -2; /* range */
		v = v * base + (unsigned)d;
		any = 1;
	}
	if (!any)
		return -1;
	if (underscores && !underscore_ok(s, n))
		return -1;
	*out = v;
	return 0;
}

static int parse_int(int64_t *out, const char *s, size_t n)
{
	int neg = 0;
	uint64_t u;
	int r;

	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	r = parse_uint(&u, s, n);
	if (r < 0)
		return r;
	if (!neg && u > (uint64_t)INT64_MAX)
		return -2;
	if (neg && u > (uint64_t)INT64_MAX + 1)
		return -2;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/* strconv.ParseFloat(text, 64): 0, or -1 (syntax or overflow) */
static int parse_float(double *out, const char *s, size_t n)
{
	char buf[512], *end;
	size_t i, k = 0, j;
	int hex = 0, digits = 0, expo = 0;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	if (!underscore_ok(s, n))
		return -1;
	j = 0;
	if (s[0] == '+' || s[0] == '-')
		j = 1;
	if (n - j >= 2 && s[j] == '0' && (s[j + 1] == 'x' || s[j + 1] == 'X'))
		hex = 1;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '_')
			continue;
		if (c == 'i' || c == 'I' || c == 'n' || c == 'N')
			return -1; /* no inf/nan from a template */
		buf[k++] = c;
	}
	buf[k] = '\0';
	/* the form Go accepts: digits, one '.', an exponent (p required for hex mantissas) */
	for (i = j + (hex ? 2 : 0); i < k; i++) {
		char c = buf[i];
		if (hex ? hexval(c) >= 0 : (c >= '0' && c <= '9'))
			digits = 1;
		else if (c == '.')
			continue;
		else if ((!hex && (c == 'e' || c == 'E')) || (hex && (c == 'p' || c == 'P'))) {
			expo = 1;
			break;
		} else
			return -1;
	}
	if (!digits || (hex && !expo))
		return -1;
	errno = 0;
	*out = strtod(buf, &end);
	if (*end != '\0')
		return -1;
	if (errno == ERANGE && isinf(*out))
		return -2;
	return 0;
}

/* fmt's floatToken, as Sscan reads a part of a complex number: its length from s */
static size_t float_token(const char *s, size_t n)
{
	size_t i = 0;
	const char *digits = "0123456789_", *exp = "eEpP";

#define ACCEPT(set) (i < n && s[i] && strchr(set, s[i]) ? (i++, 1) : 0)
	if (ACCEPT("nN") && ACCEPT("aA") && ACCEPT("nN"))
		return i;
	ACCEPT("+-");
	if (ACCEPT("iI") && ACCEPT("nN") && ACCEPT("fF"))
		return i;
	if (ACCEPT("0") && ACCEPT("xX")) {
		digits = "0123456789aAbBcCdDeEfF_";
		exp = "pP";
	}
	while (ACCEPT(digits))
		;
	if (ACCEPT("."))
		while (ACCEPT(digits))
			;
	if (ACCEPT(exp)) {
		ACCEPT("+-");
		while (ACCEPT("0123456789_"))
			;
	}
#undef ACCEPT
	return i;
}

/*
 * A complex constant (2+3i) as Go's parser reads one, with fmt.Sscan: real
 * part, sign, imaginary part, 'i'; each part by strconv.ParseFloat.
 */
static void parse_complex(struct parser *p, struct tmpl_node *n, const char *s, size_t len)
{
	size_t i = float_token(s, len), j;
	const char *re = s, *im;
	size_t relen = i, imlen;
	double parts[2];
	int k;

	if (i >= len || (s[i] != '+' && s[i] != '-'))
		errorf(p, "syntax error scanning complex number");
	im = s + i;
	j = i + 1 + float_token(s + i + 1, len - i - 1);
	imlen = j - i;
	if (j >= len || s[j] != 'i')
		errorf(p, "syntax error scanning complex number");
	for (k = 0; k < 2; k++) {
		const char *t = k ? im : re;
		size_t tl = k ? imlen : relen;
		int r = parse_float(&parts[k], t, tl);
		if (r < 0) {
			/* fmt reports strconv's error: strconv.ParseFloat: parsing "X": invalid syntax */
			struct gitops_buf q = GITOPS_BUF_INIT;
			char msg[600];
			if (tmpl_fmt_quote(&q, t, tl, 0) < 0)
				fail_oom(p);
			snprintf(msg, sizeof(msg), "%s", q.data);
			gitops_buf_release(&q);
			errorf(p, "strconv.ParseFloat: parsing %s: %s", msg, r == -2 ? "value out of range" : "invalid syntax");
		}
	}
	n->is_complex = 1;
	n->num->c_re = parts[0];
	n->num->c_im = parts[1];
}

/* simplifyComplex: a complex constant with no imaginary part is a float too, and maybe an integer */
static void simplify_complex(struct tmpl_node *n)
{
	double f = n->num->c_re;

	if (n->num->c_im != 0)
		return;
	n->is_float = 1;
	n->num->f64 = f;
	if (f >= -9223372036854775808.0 && f < 9223372036854775808.0 && (double)(int64_t)f == f) {
		n->is_int = 1;
		n->num->i64 = (int64_t)f;
	}
	if (f >= 0 && f < 18446744073709551616.0 && (double)(uint64_t)f == f) {
		n->is_uint = 1;
		n->num->u64 = (uint64_t)f;
	}
}

static struct tmpl_node *new_number(struct parser *p, const struct tmpl_token *t)
{
	struct tmpl_node *n = new_node(p, N_NUMBER, t->pos);
	const char *text = t->val;
	size_t len = t->len;
	uint64_t u;
	int64_t i;
	double f;

	n->num = arena(p, sizeof(*n->num));
	n->quoted = arena_str(p, text, len);
	if (t->typ == I_CHARCONST) {
		char tmp[4];
		size_t tn;
		unsigned r;
		int used;
		if (len < 3 || unquote_char(tmp, &tn, &r, text + 1, len - 1, '\'', &used) < 0)
			errorf(p, "invalid syntax");
		if ((size_t)used + 1 != len - 1 || text[len - 1] != '\'')
			errorf(p, "malformed character constant: %s", n->quoted);
		n->num->i64 = r;
		n->num->u64 = r;
		n->num->f64 = r;
		n->is_int = n->is_uint = n->is_float = 1;
		return n;
	}
	/* Go's complex constants (2+3i) and imaginary ones (1i): complex128 */
	if (t->typ == I_COMPLEX) {
		parse_complex(p, n, text, len);
		simplify_complex(n);
		return n;
	}
	if (len > 0 && text[len - 1] == 'i' && parse_float(&f, text, len - 1) == 0) {
		n->is_complex = 1;
		n->num->c_re = 0;
		n->num->c_im = f;
		simplify_complex(n);
		return n;
	}
	if (parse_uint(&u, text, len) == 0) {
		n->is_uint = 1;
		n->num->u64 = u;
	}
	if (parse_int(&i, text, len) == 0) {
		n->is_int = 1;
		n->num->i64 = i;
		if (i == 0) {
			n->is_uint = 1;
			n->num->u64 = 0;
		}
	}
	if (n->is_int) {
		n->is_float = 1;
		n->num->f64 = (double)n->num->i64;
	} else if (n->is_uint) {
		n->is_float = 1;
		n->num->f64 = (double)n->num->u64;
	} else if (parse_float(&f, text, len) == 0) {
		if (!memchr(text, '.', len) && !memchr(text, 'e', len) && !memchr(text, 'E', len) &&
		    !memchr(text, 'p', len) && !memchr(text, 'P', len))
			errorf(p, "integer overflow: \"%s\"", n->quoted);
		n->is_float = 1;
		n->num->f64 = f;
		if (f >= -9223372036854775808.0 && f < 9223372036854775808.0 && (double)(int64_t)f == f) {
			n->is_int = 1;
			n->num->i64 = (int64_t)f;
		}
		if (f >= 0 && f < 18446744073709551616.0 && (double)(uint64_t)f == f) {
			n->is_uint = 1;
			n->num->u64 = (uint64_t)f;
		}
	}
	if (!n->is_int && !n->is_uint && !n->is_float) {
		struct gitops_buf q = GITOPS_BUF_INIT;
		if (tmpl_fmt_quote(&q, text, len, 0) < 0)
			fail_oom(p);
		{
			char msg[600];
			snprintf(msg, sizeof(msg), "%s", q.data);
			gitops_buf_release(&q);
			errorf(p, "illegal number syntax: %s", msg);
		}
	}
	return n;
}

/* --- the grammar --- */

static struct tmpl_node *pipeline(struct parser *p, const char *context, enum tmpl_item end);
static struct tmpl_node *item_list(struct parser *p, struct tmpl_node **next_node);
static struct tmpl_node *text_or_action(struct parser *p);

static void enter(struct parser *p)
{
	if (++p->depth > p->set->opts.max_parse_depth)
		errorf(p, "max expression depth exceeded");
}

static void leave(struct parser *p)
{
	p->depth--;
}

static struct tmpl_node *term(struct parser *p)
{
	struct tmpl_token *t = next_non_space(p);
	struct tmpl_node *n;

	switch (t->typ) {
	case I_IDENT:
		n = new_node(p, N_IDENT, t->pos);
		n->text = arena_str(p, t->val, t->len);
		n->tlen = t->len;
		{
			long f = tmpl_set_find_func(p->set, t->val, t->len);
			if (f == LONG_MIN || f < INT_MIN + 1 || f > INT_MAX)
				errorf(p, "function \"%s\" not defined", n->text);
			n->func = (int)f;
		}
		return n;
	case I_DOT:
		return new_node(p, N_DOT, t->pos);
	case I_NIL:
		return new_node(p, N_NIL, t->pos);
	case I_VARIABLE: {
		size_t i, nlen = t->len;
		const char *dot = memchr(t->val, '.', t->len);
		if (dot)
			nlen = (size_t)(dot - t->val);
		n = new_path(p, N_VARIABLE, t->pos, t->val, t->len);
		for (i = p->var_base; i < p->nvars; i++)
			if (p->vars[i].n == nlen && !memcmp(p->vars[i].s, t->val, nlen))
				return n;
		errorf(p, "undefined variable \"%s\"", n->ident[0]);
		return NULL;
	}
	case I_FIELD:
		n = new_path(p, N_FIELD, t->pos, t->val, t->len);
		/* a run (.a.b): Go chains the names after the first, the node at the second */
		if (n->nident > 1)
			n->pos += 1 + (uint32_t)strlen(n->ident[0]);
		return n;
	case I_BOOL:
		n = new_node(p, N_BOOL, t->pos);
		n->bval = t->len == 4;
		return n;
	case I_CHARCONST:
	case I_COMPLEX:
	case I_NUMBER:
		return new_number(p, t);
	case I_LPAREN:
		enter(p);
		n = pipeline(p, "parenthesized pipeline", I_RPAREN);
		leave(p);
		return n;
	case I_STRING:
	case I_RAWSTRING:
		n = new_node(p, N_STRING, t->pos);
		n->quoted = arena_str(p, t->val, t->len);
		{
			size_t tl;
			n->text = unquote(p, t, &tl);
			n->tlen = (uint32_t)tl;
		}
		return n;
	default:
		break;
	}
	backup(p);
	return NULL;
}

static struct tmpl_node *operand(struct parser *p)
{
	struct tmpl_node *node = term(p), *chain;
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct names nm;

	if (!node)
		return NULL;
	if (peek(p)->typ != I_FIELD)
		return node;
	chain = new_node(p, N_CHAIN, peek(p)->pos);
	chain->pipe = node;
	names_init(&nm);
	while (peek(p)->typ == I_FIELD) {
		/* an item may be a run of names (.a.b): one each */
		struct tmpl_token *t = next(p);
		names_add(p, &nm, t->val + 1, t->len - 1);
	}
	chain->ident = nm.v;
	chain->nident = (uint32_t)nm.n;
	switch (node->type) {
	case N_FIELD:
	case N_VARIABLE: {
		/* more fields on the original node */
		char **ident = arena(p, (node->nident + chain->nident) * sizeof(char *));
		memcpy(ident, node->ident, node->nident * sizeof(char *));
		memcpy(ident + node->nident, chain->ident, chain->nident * sizeof(char *));
		node->ident = ident;
		node->nident += chain->nident;
		node->pos = chain->pos;
		return node;
	}
	case N_BOOL:
	case N_STRING:
	case N_NUMBER:
	case N_NIL:
	case N_DOT: {
		char msg[600];
		if (tmpl_node_string(&b, node) < 0)
			fail_oom(p);
		snprintf(msg, sizeof(msg), "%s", b.data ? b.data : "");
		gitops_buf_release(&b);
		b = (struct gitops_buf)GITOPS_BUF_INIT;
		if (tmpl_fmt_quote(&b, msg, strlen(msg), 0) < 0)
			fail_oom(p);
		snprintf(msg, sizeof(msg), "%s", b.data);
		gitops_buf_release(&b);
		errorf(p, "unexpected . after term %s", msg);
	}
	default:
		chain->ident = names_keep(p, &nm);
		return chain;
	}
}

static struct tmpl_node *command(struct parser *p)
{
	struct tmpl_node *cmd = new_node(p, N_COMMAND, peek_non_space(p)->pos), *op;
	struct tmpl_token *t;

	for (;;) {
		peek_non_space(p);
		op = operand(p);
		if (op)
			append_kid(p, cmd, op);
		t = next(p);
		if (t->typ == I_SPACE)
			continue;
		if (t->typ == I_RDELIM || t->typ == I_RPAREN)
			backup(p);
		else if (t->typ != I_PIPE)
			unexpected(p, t, "operand");
		break;
	}
	if (!cmd->nkids)
		errorf(p, "empty command");
	return cmd;
}

static void check_pipeline(struct parser *p, struct tmpl_node *pipe, const char *context)
{
	size_t i;

	if (!pipe->nkids)
		errorf(p, "missing value for %s", context);
	for (i = 1; i < pipe->nkids; i++) {
		switch (pipe->kids[i]->kids[0]->type) {
		case N_BOOL:
		case N_DOT:
		case N_NIL:
		case N_NUMBER:
		case N_STRING:
			errorf(p, "non executable command in pipeline stage %zu", i + 1);
		default:
			break;
		}
	}
}

static struct tmpl_node *pipeline(struct parser *p, const char *context, enum tmpl_item end)
{
	struct tmpl_token *t = peek_non_space(p), v, after, nx;
	struct tmpl_node *pipe = new_node(p, N_PIPE, t->pos);

decls:
	t = peek_non_space(p);
	if (t->typ == I_VARIABLE) {
		v = *next(p);
		after = *peek(p);
		nx = *peek_non_space(p);
		if (nx.typ == I_ASSIGN || nx.typ == I_DECLARE) {
			pipe->is_assign = nx.typ == I_ASSIGN;
			next_non_space(p);
			append_decl(p, pipe, new_path(p, N_VARIABLE, v.pos, v.val, v.len));
			push_var(p, v.val, v.len);
		} else if (nx.typ == I_CHAR && nx.len == 1 && nx.val[0] == ',') {
			next_non_space(p);
			append_decl(p, pipe, new_path(p, N_VARIABLE, v.pos, v.val, v.len));
			push_var(p, v.val, v.len);
			if (!strcmp(context, "range") && pipe->ndecl < 2) {
				enum tmpl_item k = peek_non_space(p)->typ;
				if (k == I_VARIABLE || k == I_RDELIM || k == I_RPAREN)
					goto decls;
				errorf(p, "range can only initialize variables");
			}
			errorf(p, "too many declarations in %s", context);
		} else if (after.typ == I_SPACE) {
			backup3(p, &v, &after);
		} else {
			backup2(p, &v);
		}
	}
	for (;;) {
		t = next_non_space(p);
		if (t->typ == end) {
			check_pipeline(p, pipe, context);
			return pipe;
		}
		switch (t->typ) {
		case I_BOOL:
		case I_CHARCONST:
		case I_COMPLEX:
		case I_DOT:
		case I_FIELD:
		case I_IDENT:
		case I_NUMBER:
		case I_NIL:
		case I_RAWSTRING:
		case I_STRING:
		case I_VARIABLE:
		case I_LPAREN:
			backup(p);
			append_kid(p, pipe, command(p));
			break;
		default:
			unexpected(p, t, context);
		}
	}
}

static struct tmpl_node *control(struct parser *p, enum tmpl_ntype type, const char *context);

static struct tmpl_node *control(struct parser *p, enum tmpl_ntype type, const char *context)
{
	size_t mark = p->nvars;
	struct tmpl_node *n, *pipe, *list, *next_node, *else_list = NULL;

	enter(p);
	pipe = pipeline(p, context, I_RDELIM);
	if (type == N_RANGE)
		p->range_depth++;
	list = item_list(p, &next_node);
	if (type == N_RANGE)
		p->range_depth--;
	if (next_node->type == N_ELSE) {
		if (type == N_IF && peek(p)->typ == I_IF) {
			next(p);
			else_list = new_node(p, N_LIST, next_node->pos);
			append_kid(p, else_list, control(p, N_IF, "if"));
		} else if (type == N_WITH && peek(p)->typ == I_WITH) {
			next(p);
			else_list = new_node(p, N_LIST, next_node->pos);
			append_kid(p, else_list, control(p, N_WITH, "with"));
		} else {
			else_list = item_list(p, &next_node);
			if (next_node->type != N_END) {
				struct gitops_buf b = GITOPS_BUF_INIT;
				char msg[200];
				if (tmpl_node_string(&b, next_node) < 0)
					fail_oom(p);
				snprintf(msg, sizeof(msg), "%s", b.data);
				gitops_buf_release(&b);
				errorf(p, "expected end; found %s", msg);
			}
		}
	}
	leave(p);
	p->nvars = mark;
	n = new_node(p, type, pipe->pos);
	n->pipe = pipe;
	n->list = list;
	n->else_list = else_list;
	return n;
}

static char *template_name(struct parser *p, const struct tmpl_token *t, const char *context, size_t *len)
{
	if (t->typ != I_STRING && t->typ != I_RAWSTRING)
		unexpected(p, t, context);
	return unquote(p, t, len);
}

static void add_tree(struct parser *p, const char *name, struct tmpl_node *root);

static struct tmpl_node *action(struct parser *p)
{
	struct tmpl_token t = *next_non_space(p), *tk;
	struct tmpl_node *n;
	size_t len;

	switch (t.typ) {
	case I_BLOCK: {
		struct tmpl_token name_tok = *next_non_space(p);
		char *name = template_name(p, &name_tok, "block clause", &len);
		struct tmpl_node *pipe = pipeline(p, "block clause", I_RDELIM), *list, *end;
		int range_depth = p->range_depth;
		size_t nsaved = p->nvars, base = p->var_base;
		/* the block's body is a template of its own: it sees only $ */
		p->var_base = p->nvars;
		p->range_depth = 0;
		push_var(p, "$", 1);
		enter(p);
		list = item_list(p, &end);
		leave(p);
		p->nvars = nsaved;
		p->var_base = base;
		if (end->type != N_END)
			errorf(p, "unexpected {{else}} in block clause");
		add_tree(p, name, list);
		p->range_depth = range_depth;
		n = new_node(p, N_TEMPLATE, name_tok.pos);
		n->text = name;
		n->tlen = len;
		n->pipe = pipe;
		return n;
	}
	case I_BREAK:
	case I_CONTINUE:
		tk = next_non_space(p);
		if (tk->typ != I_RDELIM)
			unexpected(p, tk, t.typ == I_BREAK ? "{{break}}" : "{{continue}}");
		if (p->range_depth == 0)
			errorf(p, t.typ == I_BREAK ? "{{break}} outside {{range}}" : "{{continue}} outside {{range}}");
		return new_node(p, t.typ == I_BREAK ? N_BREAK : N_CONTINUE, t.pos);
	case I_ELSE:
		tk = peek_non_space(p);
		if (tk->typ == I_IF || tk->typ == I_WITH)
			return new_node(p, N_ELSE, tk->pos);
		return new_node(p, N_ELSE, expect(p, I_RDELIM, "else").pos);
	case I_END:
		return new_node(p, N_END, expect(p, I_RDELIM, "end").pos);
	case I_IF:
		return control(p, N_IF, "if");
	case I_RANGE:
		return control(p, N_RANGE, "range");
	case I_WITH:
		return control(p, N_WITH, "with");
	case I_TEMPLATE: {
		struct tmpl_token name_tok = *next_non_space(p);
		char *name = template_name(p, &name_tok, "template clause", &len);
		struct tmpl_node *pipe = NULL;
		if (next_non_space(p)->typ != I_RDELIM) {
			backup(p);
			pipe = pipeline(p, "template clause", I_RDELIM);
		}
		n = new_node(p, N_TEMPLATE, name_tok.pos);
		n->text = name;
		n->tlen = len;
		n->pipe = pipe;
		return n;
	}
	default:
		break;
	}
	backup(p);
	tk = peek(p);
	n = new_node(p, N_ACTION, tk->pos);
	n->pipe = pipeline(p, "command", I_RDELIM);
	return n;
}

static struct tmpl_node *text_or_action(struct parser *p)
{
	struct tmpl_token *t = next_non_space(p);
	struct tmpl_node *n;

	switch (t->typ) {
	case I_TEXT:
		n = new_node(p, N_TEXT, t->pos);
		/* the text where it lies in the source (which the tree holds), not NUL-terminated: tlen says */
		n->text = (char *)t->val;
		n->tlen = t->len;
		return n;
	case I_LDELIM:
		/* Go clears it when any action ends, even inside the body of an enclosing one */
		p->action_pos = t->pos + 1;
		n = action(p);
		p->action_pos = 0;
		return n;
	case I_COMMENT:
		return new_node(p, N_COMMENT, t->pos);
	default:
		unexpected(p, t, "input");
	}
	return NULL;
}

static struct tmpl_node *item_list(struct parser *p, struct tmpl_node **next_node)
{
	struct tmpl_node *list = new_node(p, N_LIST, peek_non_space(p)->pos), *n;

	while (peek_non_space(p)->typ != I_EOF) {
		n = text_or_action(p);
		if (n->type == N_END || n->type == N_ELSE) {
			*next_node = n;
			return list;
		}
		append_kid(p, list, n);
	}
	errorf(p, "unexpected EOF");
	return NULL;
}

int tmpl_tree_is_empty(const struct tmpl_node *n)
{
	size_t i;

	if (!n)
		return 1;
	switch (n->type) {
	case N_COMMENT:
		return 1;
	case N_LIST:
		for (i = 0; i < n->nkids; i++)
			if (!tmpl_tree_is_empty(n->kids[i]))
				return 0;
		return 1;
	case N_TEXT:
		for (i = 0; i < n->tlen; i++) {
			unsigned char c = (unsigned char)n->text[i];
			if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'))
				return 0;
		}
		return 1;
	default:
		return 0;
	}
}

/* Tree.add: into this parse's set of trees */
static void add_tree(struct parser *p, const char *name, struct tmpl_node *root)
{
	struct tmpl_tree *t;
	size_t i;

	for (i = 0; i < p->ntrees; i++) {
		if (!strcmp(p->trees[i]->name, name)) {
			if (tmpl_tree_is_empty(p->trees[i]->root)) {
				p->trees[i]->root = root;
				return;
			}
			if (!tmpl_tree_is_empty(root))
				errorf(p, "template: multiple definition of template \"%s\"", name);
			return;
		}
	}
	if (p->ntrees == p->captrees) {
		size_t cap = p->captrees ? p->captrees * 2 : 4;
		void *v = realloc(p->trees, cap * sizeof(*p->trees));
		if (!v)
			fail_oom(p);
		p->trees = v;
		p->captrees = cap;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		fail_oom(p);
	t->name = strdup(name);
	if (!t->name) {
		free(t);
		fail_oom(p);
	}
	t->refs = 1;
	t->src = p->src;
	p->src->refs++;
	t->root = root;
	p->trees[p->ntrees++] = t;
}

static void parse_definition(struct parser *p)
{
	struct tmpl_token t = *next_non_space(p);
	struct tmpl_node *root, *end;
	size_t len, nsaved;
	char *name;

	if (t.typ != I_STRING && t.typ != I_RAWSTRING)
		unexpected(p, &t, "define clause");
	name = unquote(p, &t, &len);
	expect(p, I_RDELIM, "define clause");
	/* a definition is a template of its own: it sees only $ */
	nsaved = p->nvars;
	p->var_base = p->nvars;
	push_var(p, "$", 1);
	p->range_depth = 0;
	root = item_list(p, &end);
	if (end->type != N_END) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		char msg[200];
		if (tmpl_node_string(&b, end) < 0)
			fail_oom(p);
		snprintf(msg, sizeof(msg), "%s", b.data);
		gitops_buf_release(&b);
		errorf(p, "unexpected %s in define clause", msg);
	}
	add_tree(p, name, root);
	p->nvars = nsaved;
	p->var_base = 0;
}

int tmpl_parse(struct tmpl_tree ***out, size_t *n, const struct gitops_tmpl_set *set, const char *name,
	       const char *text, size_t len, struct gitops_err *err)
{
	struct parser *p = calloc(1, sizeof(*p));
	struct tmpl_src *src = calloc(1, sizeof(*src));
	struct tmpl_node *root, *node;
	volatile int error = -1;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!p || !src) {
		free(p);
		free(src);
		return gitops_err_oom(err);
	}
	src->refs = 1;
	src->parse_name = strdup(name);
	if (set->opts.borrow_texts && text && text[len] == '\0') {
		src->text = (char *)text;
		src->borrowed = 1;
	} else if ((src->text = malloc(len + 1))) {
		if (len)
			memcpy(src->text, text, len);
		src->text[len] = '\0';
	}
	if (!src->parse_name || !src->text) {
		gitops_err_oom(err);
		goto done;
	}
	src->len = len;
	p->set = set;
	p->src = src;
	p->err = err;
	tmpl_lex_init(&p->lex, src->text, len);
	if (setjmp(p->jmp))
		goto done;
	push_var(p, "$", 1);
	root = new_node(p, N_LIST, peek(p)->pos);
	while (peek(p)->typ != I_EOF) {
		if (peek(p)->typ == I_LDELIM) {
			struct tmpl_token delim = *next(p);
			if (next_non_space(p)->typ == I_DEFINE) {
				parse_definition(p);
				continue;
			}
			backup2(p, &delim);
		}
		node = text_or_action(p);
		if (node->type == N_END || node->type == N_ELSE) {
			struct gitops_buf b = GITOPS_BUF_INIT;
			char msg[64];
			if (tmpl_node_string(&b, node) < 0)
				fail_oom(p);
			snprintf(msg, sizeof(msg), "%s", b.data);
			gitops_buf_release(&b);
			errorf(p, "unexpected %s", msg);
		}
		append_kid(p, root, node);
	}
	add_tree(p, name, root);
	/* the file's own tree first */
	for (i = 0; i < p->ntrees; i++) {
		if (!strcmp(p->trees[i]->name, name) && i > 0) {
			struct tmpl_tree *t = p->trees[i];
			memmove(&p->trees[1], &p->trees[0], i * sizeof(*p->trees));
			p->trees[0] = t;
			break;
		}
	}
	*out = p->trees;
	*n = p->ntrees;
	p->trees = NULL;
	p->ntrees = 0;
	error = 0;
done:
	for (i = 0; i < p->ntrees; i++)
		tmpl_tree_unref(p->trees[i]);
	free(p->trees);
	free(p->vars);
	free(p);
	tmpl_src_unref(src);
	return error;
}

/* --- Node.String() --- */

static int node_string(struct gitops_buf *b, const struct tmpl_node *n, int depth);

static int idents(struct gitops_buf *b, const struct tmpl_node *n, int field)
{
	size_t i;

	for (i = 0; i < n->nident; i++) {
		if ((field || i > 0) && gitops_buf_add(b, ".", 1) < 0)
			return -1;
		if (gitops_buf_addstr(b, n->ident[i]) < 0)
			return -1;
	}
	return 0;
}

static int control_string(struct gitops_buf *b, const struct tmpl_node *n, const char *kw, int depth)
{
	if (gitops_buf_printf(b, "{{%s ", kw) < 0 || node_string(b, n->pipe, depth + 1) < 0 ||
	    gitops_buf_addstr(b, "}}") < 0 || node_string(b, n->list, depth + 1) < 0)
		return -1;
	if (n->else_list && (gitops_buf_addstr(b, "{{else}}") < 0 || node_string(b, n->else_list, depth + 1) < 0))
		return -1;
	return gitops_buf_addstr(b, "{{end}}");
}

static int node_string(struct gitops_buf *b, const struct tmpl_node *n, int depth)
{
	size_t i;

	if (!n)
		return 0;
	if (depth > 200)
		return gitops_buf_addstr(b, "...");
	switch (n->type) {
	case N_TEXT:
		return gitops_buf_add(b, n->text, n->tlen);
	case N_ACTION:
		if (gitops_buf_addstr(b, "{{") < 0 || node_string(b, n->pipe, depth + 1) < 0)
			return -1;
		return gitops_buf_addstr(b, "}}");
	case N_BOOL:
		return gitops_buf_addstr(b, n->bval ? "true" : "false");
	case N_CHAIN:
		if (n->pipe->type == N_PIPE) {
			if (gitops_buf_addstr(b, "(") < 0 || node_string(b, n->pipe, depth + 1) < 0 ||
			    gitops_buf_addstr(b, ")") < 0)
				return -1;
		} else if (node_string(b, n->pipe, depth + 1) < 0) {
			return -1;
		}
		return idents(b, n, 1);
	case N_COMMAND:
		for (i = 0; i < n->nkids; i++) {
			if (i > 0 && gitops_buf_addstr(b, " ") < 0)
				return -1;
			if (n->kids[i]->type == N_PIPE) {
				if (gitops_buf_addstr(b, "(") < 0 || node_string(b, n->kids[i], depth + 1) < 0 ||
				    gitops_buf_addstr(b, ")") < 0)
					return -1;
			} else if (node_string(b, n->kids[i], depth + 1) < 0) {
				return -1;
			}
		}
		return 0;
	case N_DOT:
		return gitops_buf_addstr(b, ".");
	case N_FIELD:
		return idents(b, n, 1);
	case N_IDENT:
		return gitops_buf_addstr(b, n->text);
	case N_VARIABLE:
		return idents(b, n, 0);
	case N_IF:
		return control_string(b, n, "if", depth);
	case N_RANGE:
		return control_string(b, n, "range", depth);
	case N_WITH:
		return control_string(b, n, "with", depth);
	case N_LIST:
		for (i = 0; i < n->nkids; i++)
			if (node_string(b, n->kids[i], depth + 1) < 0)
				return -1;
		return 0;
	case N_NIL:
		return gitops_buf_addstr(b, "nil");
	case N_NUMBER:
	case N_STRING:
		return gitops_buf_addstr(b, n->quoted);
	case N_PIPE:
		if (n->ndecl) {
			for (i = 0; i < n->ndecl; i++) {
				if (i > 0 && gitops_buf_addstr(b, ", ") < 0)
					return -1;
				if (node_string(b, n->decl[i], depth + 1) < 0)
					return -1;
			}
			if (gitops_buf_addstr(b, n->is_assign ? " = " : " := ") < 0)
				return -1;
		}
		for (i = 0; i < n->nkids; i++) {
			if (i > 0 && gitops_buf_addstr(b, " | ") < 0)
				return -1;
			if (node_string(b, n->kids[i], depth + 1) < 0)
				return -1;
		}
		return 0;
	case N_TEMPLATE:
		if (gitops_buf_addstr(b, "{{template ") < 0 || tmpl_fmt_quote(b, n->text, n->tlen, 0) < 0)
			return -1;
		if (n->pipe && (gitops_buf_addstr(b, " ") < 0 || node_string(b, n->pipe, depth + 1) < 0))
			return -1;
		return gitops_buf_addstr(b, "}}");
	case N_COMMENT:
		return gitops_buf_addstr(b, "{{/* */}}");
	case N_BREAK:
		return gitops_buf_addstr(b, "{{break}}");
	case N_CONTINUE:
		return gitops_buf_addstr(b, "{{continue}}");
	case N_ELSE:
		return gitops_buf_addstr(b, "{{else}}");
	case N_END:
		return gitops_buf_addstr(b, "{{end}}");
	}
	return 0;
}

int tmpl_node_string(struct gitops_buf *b, const struct tmpl_node *n)
{
	if (gitops_buf_add(b, "", 0) < 0)
		return -1;
	return node_string(b, n, 0);
}

/* strconv for the function families (tmpl_int.h) */
int tmpl_strconv_parse_int(int64_t *out, const char *s, size_t n)
{
	return parse_int(out, s, n);
}

int tmpl_strconv_parse_float(double *out, const char *s, size_t n)
{
	size_t i = 0;
	int neg = 0;

	/* strconv's special(): [+-]inf, [+-]infinity, nan, any case */
	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if ((n - i == 3 && !strncasecmp(s + i, "inf", 3)) || (n - i == 8 && !strncasecmp(s + i, "infinity", 8))) {
		*out = neg ? -INFINITY : INFINITY;
		return 0;
	}
	if (n == 3 && !strncasecmp(s, "nan", 3)) {
		*out = NAN;
		return 0;
	}
	return parse_float(out, s, n);
}
