#include "lib/value/jsonio.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/value/value.h"

#define MAX_DEPTH 512

/* Length of a valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned cp;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp < 0xE000))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

/* --- parsing --- */

struct parser {
	const char *s, *end, *p;
	const char *name;
	struct gitops_err *err;
	size_t depth;
	struct gitops_json_pool *pool; /* NULL: every node and string malloc'ed */
};

/* --- pools --- */

struct pool_chunk {
	struct pool_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct gitops_json_pool {
	struct pool_chunk *chunks;
};

static void *pool_alloc(struct gitops_json_pool *pool, size_t size)
{
	struct pool_chunk *c = pool->chunks;
	size_t align = sizeof(max_align_t), need = (size + align - 1) / align * align;

	if (!c || c->cap - c->used < need) {
		/* each chunk twice the last: a few allocations for a whole document */
		size_t cap = c ? c->cap * 2 : 16384;

		while (cap < need)
			cap *= 2;
		if (!(c = malloc(sizeof(*c) + cap)))
			return NULL;
		c->next = pool->chunks;
		c->used = 0;
		c->cap = cap;
		pool->chunks = c;
	}
	c->used += need;
	return (char *)c->data + c->used - need;
}

char *gitops_json_pool_strdup(struct gitops_json_pool *pool, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = pool_alloc(pool, n);

	return d ? memcpy(d, s, n) : NULL;
}

void gitops_json_pool_free(struct gitops_json_pool *pool)
{
	struct pool_chunk *c, *next;

	if (!pool)
		return;
	for (c = pool->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(pool);
}

/* A node of the given type, all else zero, as cJSON_CreateNull makes one */
static cJSON *node_new(struct parser *ps, int type)
{
	cJSON *n;

	if (!ps->pool)
		n = cJSON_CreateNull();
	else if ((n = pool_alloc(ps->pool, sizeof(*n))))
		memset(n, 0, sizeof(*n));
	if (n)
		n->type = type;
	return n;
}

/* What parsing gives up: freed unless the pool holds it */
static void drop(struct parser *ps, cJSON *v)
{
	if (!ps->pool)
		cJSON_Delete(v);
}

static void drop_string(struct parser *ps, char *str)
{
	if (!ps->pool)
		free(str);
}

static int fail(struct parser *ps, const char *at, const char *fmt, ...) GITOPS_PRINTF(3, 4);
static int fail(struct parser *ps, const char *at, const char *fmt, ...)
{
	size_t line = 1, col = 1;
	const char *q;
	char msg[256];
	va_list ap;

	for (q = ps->s; q < at && q < ps->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->name)
		return gitops_err_set(ps->err, GITOPS_EXIT_INPUT, "%s:%zu:%zu: %s", ps->name, line, col, msg);
	return gitops_err_set(ps->err, GITOPS_EXIT_INPUT, "%zu:%zu: %s", line, col, msg);
}

/*
 * Eight bytes at a time where the byte order lets the lowest set bit of a
 * mask name the first byte it flags: (w - 0x01..) & ~w & 0x80.. flags the
 * zero bytes of w and, below the first one, nothing else.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define SWAR 1
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t load8(const char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* The high bit of each byte of w below c (c <= 0x80), exact up to the first such byte. */
static inline uint64_t bytes_below(uint64_t w, unsigned c)
{
	return (w - ONES * c) & ~w & HIGHS;
}

static inline uint64_t bytes_equal(uint64_t w, unsigned c)
{
	return bytes_below(w ^ (ONES * c), 1);
}
#endif

static void skip_ws_run(struct parser *ps)
{
	const char *p = ps->p, *end = ps->end;

	while (p < end) {
		if (*p == ' ') {
#ifdef SWAR
			/* indentation: a run of spaces */
			if (end - p >= 8) {
				uint64_t x = load8(p) ^ (ONES * ' ');

				if (x) {
					p += __builtin_ctzll(x) >> 3;
					continue;
				}
				p += 8;
				continue;
			}
#endif
			p++;
		} else if (*p == '\n' || *p == '\t' || *p == '\r') {
			p++;
		} else {
			break;
		}
	}
	ps->p = p;
}

/* Most calls find no whitespace at all: that without a call */
static inline void skip_ws(struct parser *ps)
{
	if (ps->p < ps->end && (unsigned char)*ps->p > ' ')
		return;
	skip_ws_run(ps);
}

/* Past the bytes a string holds as they are: printable ASCII but '"' and '\\'. */
static const char *skip_plain(const char *q, const char *end)
{
#ifdef SWAR
	while (end - q >= 8) {
		uint64_t w = load8(q);
		uint64_t m = bytes_equal(w, '"') | bytes_equal(w, '\\') | bytes_below(w, 0x20) | (w & HIGHS);

		if (m)
			return q + (__builtin_ctzll(m) >> 3);
		q += 8;
	}
#endif
	while (q < end && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80 && *q != '"' && *q != '\\')
		q++;
	return q;
}

static const char *found(struct parser *ps)
{
	return ps->p >= ps->end ? "the end of the input" : NULL;
}

static int unexpected(struct parser *ps, const char *expected)
{
	char msg[96];
	const char *f = found(ps);

	if (f)
		snprintf(msg, sizeof(msg), "%s, found %s", expected, f);
	else if ((unsigned char)*ps->p >= 0x20 && (unsigned char)*ps->p < 0x7f)
		snprintf(msg, sizeof(msg), "%s, found '%c'", expected, *ps->p);
	else
		snprintf(msg, sizeof(msg), "%s, found byte 0x%02x", expected, (unsigned char)*ps->p);
	return fail(ps, ps->p, "%s", msg);
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* A string at ps->p (on the opening quote) into a malloc'ed buffer. */
static int parse_string(struct parser *ps, char **out)
{
	const char *start = ++ps->p, *q;
	char *buf, *o;
	int escapes = 0;

	for (q = start;; q++) {
		if ((q = skip_plain(q, ps->end)) >= ps->end || *q == '"')
			break;
		if ((unsigned char)*q < 0x20) {
			ps->p = q;
			return fail(ps, q, "control character in a string (escape it)");
		}
		if (*q == '\\') {
			escapes = 1;
			if (++q >= ps->end)
				break;
		} else if ((unsigned char)*q >= 0x80) {
			size_t l = utf8_len((const unsigned char *)q, (size_t)(ps->end - q));

			if (l)
				q += l - 1;
			else
				escapes = 1; /* invalid UTF-8: U+FFFD in its place, as Go reads it */
		}
	}
	if (q >= ps->end)
		return fail(ps, start - 1, "unterminated string");
	/* the slow path may turn a byte into U+FFFD's three */
	if (ps->pool)
		buf = pool_alloc(ps->pool, (size_t)(q - start) * (escapes ? 3 : 1) + 1);
	else
		buf = malloc((size_t)(q - start) * (escapes ? 3 : 1) + 1);
	if (!buf)
		return gitops_err_oom(ps->err);
	if (!escapes) {
		memcpy(buf, start, (size_t)(q - start));
		buf[q - start] = 0;
		ps->p = q + 1;
		*out = buf;
		return 0;
	}
	for (o = buf, ps->p = start; ps->p < q;) {
		unsigned cp, lo;

		if ((unsigned char)*ps->p >= 0x80) {
			size_t l = utf8_len((const unsigned char *)ps->p, (size_t)(q - ps->p));

			if (l) {
				memcpy(o, ps->p, l);
				o += l;
				ps->p += l;
			} else {
				o += put_utf8(o, 0xFFFD);
				ps->p++;
			}
			continue;
		}
		if (*ps->p != '\\') {
			*o++ = *ps->p++;
			continue;
		}
		switch (ps->p[1]) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (q - ps->p < 6 || hex4(ps->p + 2, &cp)) {
				drop_string(ps, buf);
				return fail(ps, ps->p, "invalid \\u escape");
			}
			ps->p += 6;
			if (cp >= 0xD800 && cp < 0xDC00) {
				/* a high surrogate: with a low one, a pair; alone, U+FFFD (as Go reads it) */
				if (q - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u' && !hex4(ps->p + 2, &lo) &&
				    lo >= 0xDC00 && lo < 0xE000) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					ps->p += 6;
				} else {
					cp = 0xFFFD;
				}
			} else if (cp >= 0xDC00 && cp < 0xE000) {
				cp = 0xFFFD;
			}
			o += put_utf8(o, cp); /* never longer than the 6 bytes it came from */
			continue;
		default:
			drop_string(ps, buf);
			return fail(ps, ps->p, "invalid escape in a string");
		}
		ps->p += 2;
	}
	*o = 0;
	ps->p = q + 1;
	*out = buf;
	return 0;
}

/* A number node made by value.c moved into the pool, when there is one */
static int number_out(struct parser *ps, cJSON *n, cJSON **out)
{
	cJSON *pn;

	if (!n)
		return gitops_err_oom(ps->err);
	if (ps->pool) {
		if (!(pn = node_new(ps, 0))) {
			cJSON_Delete(n);
			return gitops_err_oom(ps->err);
		}
		*pn = *n;
		if (n->valuestring && !(pn->valuestring = gitops_json_pool_strdup(ps->pool, n->valuestring))) {
			cJSON_Delete(n);
			return gitops_err_oom(ps->err);
		}
		cJSON_Delete(n);
		n = pn;
	}
	*out = n;
	return 0;
}

static int parse_number(struct parser *ps, cJSON **out)
{
	const char *start = ps->p, *p = ps->p;
	int is_float = 0;
	char tmp[64], *heap = NULL, *text;
	size_t len;
	cJSON *n;

	if (p < ps->end && *p == '-')
		p++;
	if (p >= ps->end || *p < '0' || *p > '9')
		return fail(ps, start, "invalid number");
	if (*p == '0') {
		p++;
		if (p < ps->end && *p >= '0' && *p <= '9')
			return fail(ps, start, "invalid number (leading zero)");
	} else {
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < ps->end && *p == '.') {
		is_float = 1;
		p++;
		if (p >= ps->end || *p < '0' || *p > '9')
			return fail(ps, start, "invalid number (no digit after '.')");
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		is_float = 1;
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= ps->end || *p < '0' || *p > '9')
			return fail(ps, start, "invalid number (no digit in the exponent)");
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	len = (size_t)(p - start);
	if (!is_float && len <= 16) {
		/* the common case: at most 15 digits, exact in a double and an int64 */
		int64_t v = 0;
		const char *d = start + (*start == '-');

		for (; d < p; d++)
			v = v * 10 + (*d - '0');
		/* "-0": only a float holds a negative zero (Go prints float64 -0 so) */
		n = *start == '-' && !v ? gitops_value_new_float(-0.0) : gitops_value_new_int(*start == '-' ? -v : v);
		ps->p = p;
		return number_out(ps, n, out);
	}
	if (len < sizeof(tmp)) {
		text = tmp;
	} else {
		if (!(heap = malloc(len + 1)))
			return gitops_err_oom(ps->err);
		text = heap;
	}
	memcpy(text, start, len);
	text[len] = 0;
	if (is_float) {
		double d = strtod(text, NULL);

		if (isinf(d)) {
			int rc = fail(ps, start, "number out of range: %.40s", text);

			free(heap);
			return rc;
		}
		n = gitops_value_new_float(d);
	} else {
		n = gitops_value_new_int_text(text);
	}
	free(heap);
	ps->p = p;
	return number_out(ps, n, out);
}

static int by_key(const void *x, const void *y)
{
	return strcmp((*(const cJSON *const *)x)->string, (*(const cJSON *const *)y)->string);
}

/* A duplicate key in an object of n members: the first one found, or NULL. */
static const char *duplicate_key(const cJSON *obj, size_t n, int *oom)
{
	const cJSON **v, *c, *a, *b;
	const char *dup = NULL;
	size_t i = 0;

	*oom = 0;
	if (n < 2)
		return NULL;
	if (n <= 8) {
		for (a = obj->child; a; a = a->next)
			for (b = a->next; b; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return a->string;
		return NULL;
	}
	if (!(v = malloc(n * sizeof(*v)))) {
		*oom = 1;
		return NULL;
	}
	for (c = obj->child; c; c = c->next)
		v[i++] = c;
	qsort(v, n, sizeof(*v), by_key);
	for (i = 1; i < n && !dup; i++)
		if (strcmp(v[i - 1]->string, v[i]->string) == 0)
			dup = v[i]->string;
	free(v);
	return dup;
}

static int parse_value(struct parser *ps, cJSON **out);

static int parse_container(struct parser *ps, cJSON **out)
{
	int is_obj = *ps->p == '{';
	cJSON *c = node_new(ps, is_obj ? cJSON_Object : cJSON_Array), *last = NULL;
	const char *open = ps->p;
	size_t n = 0;

	if (!c)
		return gitops_err_oom(ps->err);
	if (++ps->depth > MAX_DEPTH) {
		drop(ps, c);
		return fail(ps, open, "nested deeper than 512 levels");
	}
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == (is_obj ? '}' : ']')) {
		ps->p++;
		goto done;
	}
	for (;;) {
		char *key = NULL;
		cJSON *v;

		skip_ws(ps);
		if (is_obj) {
			if (ps->p >= ps->end || *ps->p != '"') {
				drop(ps, c);
				return unexpected(ps, "expected a string key");
			}
			if (parse_string(ps, &key)) {
				drop(ps, c);
				return -1;
			}
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				drop_string(ps, key);
				drop(ps, c);
				return unexpected(ps, "expected ':'");
			}
			ps->p++;
		}
		if (parse_value(ps, &v)) {
			drop_string(ps, key);
			drop(ps, c);
			return -1;
		}
		v->string = key;
		/* append in O(1): cJSON keeps the last element in child->prev */
		if (!last) {
			c->child = v;
			v->prev = v;
		} else {
			last->next = v;
			v->prev = last;
			c->child->prev = v;
		}
		last = v;
		n++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == (is_obj ? '}' : ']')) {
			ps->p++;
			break;
		}
		drop(ps, c);
		return unexpected(ps, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
	if (is_obj) {
		int oom;
		const char *dup = duplicate_key(c, n, &oom);

		if (oom) {
			drop(ps, c);
			return gitops_err_oom(ps->err);
		}
		if (dup) {
			int rc = fail(ps, open, "duplicate key '%.64s'", dup);

			drop(ps, c);
			return rc;
		}
	}
done:
	ps->depth--;
	*out = c;
	return 0;
}

static int literal(struct parser *ps, const char *word, int type, cJSON **out)
{
	size_t len = strlen(word);

	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len))
		return unexpected(ps, "expected a value");
	if (!(*out = node_new(ps, type)))
		return gitops_err_oom(ps->err);
	ps->p += len;
	return 0;
}

static int parse_value(struct parser *ps, cJSON **out)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return unexpected(ps, "expected a value");
	switch (*ps->p) {
	case '{':
	case '[':
		return parse_container(ps, out);
	case '"': {
		char *s;
		cJSON *n;

		if (parse_string(ps, &s))
			return -1;
		if (!(n = node_new(ps, cJSON_String))) {
			drop_string(ps, s);
			return gitops_err_oom(ps->err);
		}
		n->valuestring = s;
		*out = n;
		return 0;
	}
	case 't':
		return literal(ps, "true", cJSON_True, out);
	case 'f':
		return literal(ps, "false", cJSON_False, out);
	case 'n':
		return literal(ps, "null", cJSON_NULL, out);
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps, out);
		return unexpected(ps, "expected a value");
	}
}

int gitops_json_parse(cJSON **out, const char *text, size_t len, const char *name, struct gitops_err *err)
{
	struct parser ps = {.s = text, .end = text + len, .p = text, .name = name, .err = err};
	cJSON *v;

	*out = NULL;
	if (parse_value(&ps, &v))
		return -1;
	skip_ws(&ps);
	if (ps.p < ps.end) {
		cJSON_Delete(v);
		return unexpected(&ps, "expected the end of the input");
	}
	*out = v;
	return 0;
}

int gitops_json_parse_pool(cJSON **out, struct gitops_json_pool **pool, const char *text, size_t len, const char *name,
			   struct gitops_err *err)
{
	struct parser ps = {.s = text, .end = text + len, .p = text, .name = name, .err = err};
	cJSON *v;

	*out = NULL;
	*pool = NULL;
	if (!(ps.pool = calloc(1, sizeof(*ps.pool))))
		return gitops_err_oom(err);
	if (parse_value(&ps, &v))
		goto fail;
	skip_ws(&ps);
	if (ps.p < ps.end) {
		unexpected(&ps, "expected the end of the input");
		goto fail;
	}
	*out = v;
	*pool = ps.pool;
	return 0;
fail:
	gitops_json_pool_free(ps.pool);
	return -1;
}

/* --- printing --- */

struct printer {
	struct gitops_buf b;
	unsigned flags;
	int oom;
};

static void put(struct printer *pr, const char *s, size_t n)
{
	if (!pr->oom && gitops_buf_add(&pr->b, s, n))
		pr->oom = 1;
}

static void puts_(struct printer *pr, const char *s)
{
	put(pr, s, strlen(s));
}

/* A string as Go's encoding/json writes it. */
static void put_string(struct printer *pr, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	size_t n = strlen(s);
	const unsigned char *end = p + n;
	char esc[8];

	put(pr, "\"", 1);
	while (p < end) {
		unsigned char c = *p;
		const char *rep = NULL;
		size_t l;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80 &&
		    !((pr->flags & GITOPS_JSON_ESCAPE_HTML) && (c == '<' || c == '>' || c == '&'))) {
			p++;
			continue;
		}
		if (c >= 0x80) {
			l = utf8_len(p, (size_t)(end - p));
			if (l == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
				rep = p[2] == 0xA8 ? "\\u2028" : "\\u2029";
			} else if (l) {
				p += l;
				continue;
			} else {
				rep = "\\ufffd";
				l = 1;
			}
		} else {
			l = 1;
			switch (c) {
			case '"': rep = "\\\""; break;
			case '\\': rep = "\\\\"; break;
			case '\n': rep = "\\n"; break;
			case '\r': rep = "\\r"; break;
			case '\t': rep = "\\t"; break;
			default:
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				rep = esc;
			}
		}
		put(pr, (const char *)run, (size_t)(p - run));
		puts_(pr, rep);
		p += l;
		run = p;
	}
	put(pr, (const char *)run, (size_t)(p - run));
	put(pr, "\"", 1);
}

static void newline(struct printer *pr, size_t depth)
{
	size_t i;

	if (!(pr->flags & GITOPS_JSON_INDENT))
		return;
	put(pr, "\n", 1);
	for (i = 0; i < depth; i++)
		put(pr, "  ", 2);
}

static int print_value(struct printer *pr, const cJSON *v, size_t depth);

static int print_members(struct printer *pr, const cJSON *v, size_t depth)
{
	const cJSON **sorted = NULL, *c;
	size_t n = 0, i = 0;
	int first = 1, rc = 0;

	if ((pr->flags & GITOPS_JSON_SORTED) && gitops_value_sorted(&sorted, &n, v)) {
		pr->oom = 1;
		return -1;
	}
	for (c = sorted ? sorted[0] : v->child; c; c = sorted ? (++i < n ? sorted[i] : NULL) : c->next) {
		if (!first)
			put(pr, ",", 1);
		first = 0;
		newline(pr, depth + 1);
		put_string(pr, c->string ? c->string : "");
		puts_(pr, (pr->flags & GITOPS_JSON_INDENT) ? ": " : ":");
		if ((rc = print_value(pr, c, depth + 1)))
			break;
	}
	free(sorted);
	if (!first)
		newline(pr, depth);
	return rc;
}

static int print_value(struct printer *pr, const cJSON *v, size_t depth)
{
	char num[64];
	const cJSON *c;
	int first = 1;

	switch (v->type & 0xFF) {
	case cJSON_NULL:
		puts_(pr, "null");
		return 0;
	case cJSON_True:
		puts_(pr, "true");
		return 0;
	case cJSON_False:
		puts_(pr, "false");
		return 0;
	case cJSON_Number:
		if (!(v->type & GITOPS_VALUE_INT) && (isnan(v->valuedouble) || isinf(v->valuedouble)))
			return -2;
		if (v->type & GITOPS_VALUE_INT)
			gitops_value_format_number(num, sizeof(num), v);
		else
			gitops_value_format_float(num, sizeof(num), v->valuedouble, GITOPS_FLOAT_JSON);
		puts_(pr, num);
		return 0;
	case cJSON_String:
		put_string(pr, v->valuestring ? v->valuestring : "");
		return 0;
	case cJSON_Array:
		put(pr, "[", 1);
		for (c = v->child; c; c = c->next) {
			int rc;

			if (!first)
				put(pr, ",", 1);
			first = 0;
			newline(pr, depth + 1);
			if ((rc = print_value(pr, c, depth + 1)))
				return rc;
		}
		if (!first)
			newline(pr, depth);
		put(pr, "]", 1);
		return 0;
	case cJSON_Object: {
		int rc;

		put(pr, "{", 1);
		if ((rc = print_members(pr, v, depth)))
			return rc;
		put(pr, "}", 1);
		return 0;
	}
	default:
		return -3;
	}
}

int gitops_json_print(char **out, const cJSON *v, unsigned flags, struct gitops_err *err)
{
	struct printer pr = {.b = GITOPS_BUF_INIT, .flags = flags};
	int rc;

	*out = NULL;
	rc = v ? print_value(&pr, v, 0) : -3;
	if (rc || pr.oom) {
		gitops_buf_release(&pr.b);
		if (rc == -2)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "JSON has no text for NaN or infinity");
		if (rc == -3)
			return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "JSON: not a value");
		return gitops_err_oom(err);
	}
	if (pr.b.cap - pr.b.len > 64) {
		/* printed text is usually kept (live objects until their chunk is compared): not its doubling slack */
		char *exact = realloc(pr.b.data, pr.b.len + 1);

		if (exact)
			pr.b.data = exact;
	}
	*out = gitops_buf_detach(&pr.b);
	return 0;
}

cJSON *gitops_json_read(const char *text, size_t len)
{
	cJSON *v;

	return text && !gitops_json_parse(&v, text, len, NULL, NULL) ? v : NULL;
}

char *gitops_json_text(const cJSON *v)
{
	char *s;

	return !gitops_json_print(&s, v, 0, NULL) ? s : NULL;
}
