/*
 * toml.c: toToml's writer and fromToml's reader (serialize_int.h), as
 * BurntSushi/toml v1.4.0 does them for Helm.
 *
 * Writing (Encoder.Encode): a map's plain keys first, then its tables and
 * arrays of tables, each group sorted; nil values left out; a sub-table
 * indented two spaces a level, a blank line before each top-level table;
 * floats with Go's 'f' digits and ".0" when integral; keys bare when they
 * are [A-Za-z0-9_-]+, else double-quoted.  Errors are the encoder's text
 * ("toml: cannot encode array with nil element"), which toToml returns as
 * its result.
 *
 * Reading (toml.Unmarshal into map[string]interface {}): TOML 1.0 key/value
 * pairs, dotted keys, [tables], [[arrays of tables]], inline tables,
 * arrays, the four string forms, int64 (0x/0o/0b, _), float64, booleans,
 * dates and times as time.Time values (lib/template/funcs/dates.c).  Errors read "toml: line N: ...",
 * BurntSushi's wording for the common ones.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/funcs/serialize_int.h"

/* ------------------------------------------------------------ writing */

struct tw {
	struct gitops_buf *b;
	int written;
	int oom;
	struct gitops_err *err;
};

static void tw_add(struct tw *w, const char *s, size_t n)
{
	w->oom |= gitops_buf_add(w->b, s, n) < 0;
	w->written = 1;
}

static void tw_str(struct tw *w, const char *s)
{
	tw_add(w, s, strlen(s));
}

static void tw_newline(struct tw *w)
{
	if (w->written)
		tw_add(w, "\n", 1);
}

static void tw_quoted(struct tw *w, const char *s, size_t len)
{
	size_t i, start = 0;
	char esc[8];

	tw_add(w, "\"", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		if (c == '"')
			rep = "\\\"";
		else if (c == '\\')
			rep = "\\\\";
		else if (c == '\b')
			rep = "\\b";
		else if (c == '\t')
			rep = "\\t";
		else if (c == '\n')
			rep = "\\n";
		else if (c == '\f')
			rep = "\\f";
		else if (c == '\r')
			rep = "\\r";
		else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			rep = esc;
		}
		if (rep) {
			tw_add(w, s + start, i - start);
			tw_str(w, rep);
			start = i + 1;
		}
	}
	tw_add(w, s + start, len - start);
	tw_add(w, "\"", 1);
}

static int bare_key(const char *k, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void tw_key(struct tw *w, const char *k, size_t n)
{
	if (bare_key(k, n))
		tw_add(w, k, n);
	else
		tw_quoted(w, k, n);
}

/* a path of keys: the map entries leading here */
struct tpath {
	const char *k[SER_MAX_DEPTH / 10];
	size_t n[SER_MAX_DEPTH / 10];
	size_t len;
};

static void tw_indent(struct tw *w, size_t len)
{
	size_t i;

	for (i = 1; i < len; i++)
		tw_add(w, "  ", 2);
}

static void tw_path(struct tw *w, const struct tpath *p)
{
	size_t i;

	for (i = 0; i < p->len; i++) {
		if (i)
			tw_add(w, ".", 1);
		tw_key(w, p->k[i], p->n[i]);
	}
}

enum ttype { T_NIL, T_PLAIN, T_ARRAY, T_HASH, T_ARRAY_HASH, T_BAD };

static enum ttype ttype_of(const struct gitops_tmpl_value *v, struct tw *w);

static int is_table_array(const struct gitops_tmpl_value *v, struct tw *w)
{
	size_t i;
	int ret = 1;

	if (!v->u.list.n)
		return 0;
	for (i = 0; i < v->u.list.n; i++) {
		enum ttype t = ttype_of(v->u.list.items[i], w);
		if (t == T_BAD)
			return -1;
		if (t == T_NIL) {
			fn_fail(w->err, "toml: cannot encode array with nil element");
			return -1;
		}
		if (t != T_HASH)
			ret = 0;
	}
	return ret;
}

static enum ttype ttype_of(const struct gitops_tmpl_value *v, struct tw *w)
{
	int r;

	if (gitops_tmpl_value_is_nil_of(v))
		return T_NIL; /* BurntSushi's isNil: a nil slice or map is skipped in a table, refused in an array */
	if (tmpl_named_int(v) || fn_marshal_string(v) || fn_is_time(v))
		return T_PLAIN;
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_NIL:
		return T_NIL;
	case GITOPS_TMPL_MAP:
		return T_HASH;
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		r = is_table_array(v, w);
		return r < 0 ? T_BAD : r ? T_ARRAY_HASH : T_ARRAY;
	case GITOPS_TMPL_COMPLEX128:
		fn_fail(w->err, "unsupported type: complex128");
		return T_BAD;
	default:
		return T_PLAIN;
	}
}

/* strconv.FormatFloat(f, 'f', -1, 64), with ".0" when it has no '.' */
static void tw_float(struct tw *w, double f)
{
	char e[64], dig[32];
	int p, nd = 0, exp, k;
	const char *c;

	if (isnan(f)) {
		tw_str(w, signbit(f) ? "-nan" : "nan");
		return;
	}
	if (isinf(f)) {
		tw_str(w, f < 0 ? "-inf" : "inf");
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(e, sizeof(e), "%.*e", p - 1, f);
		if (strtod(e, NULL) == f)
			break;
	}
	c = e;
	if (*c == '-') {
		tw_add(w, "-", 1);
		c++;
	}
	for (; *c && *c != 'e'; c++)
		if (*c != '.' && nd < (int)sizeof(dig) - 1)
			dig[nd++] = *c;
	exp = atoi(c + 1);
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (nd == 1 && dig[0] == '0')
		exp = 0;
	if (exp >= 0) {
		for (k = 0; k <= exp; k++)
			tw_add(w, k < nd ? &dig[k] : "0", 1);
		tw_add(w, ".", 1);
		if (nd > exp + 1)
			tw_add(w, dig + exp + 1, (size_t)(nd - exp - 1));
		else
			tw_add(w, "0", 1);
	} else {
		tw_add(w, "0.", 2);
		for (k = 0; k < -exp - 1; k++)
			tw_add(w, "0", 1);
		tw_add(w, dig, (size_t)nd);
	}
}

static int tw_map(struct tw *w, struct tpath *p, const struct gitops_tmpl_value *m, int inline_, size_t depth);

/* eElement: a value inline */
static int tw_element(struct tw *w, const struct gitops_tmpl_value *v, size_t depth)
{
	char num[32];
	size_t i;

	if (depth > SER_MAX_DEPTH / 10 - 2)
		return fn_fail(w->err, "toml: a value is nested too deep");
	if (tmpl_named_int(v))
		v = tmpl_named_int(v); /* time.Month: an integer kind */
	else if (fn_marshal_string(v))
		v = fn_marshal_string(v); /* semver: a TextMarshaler, quoted */
	else if (fn_is_time(v)) {
		/* time.Time: RFC 3339 with nanoseconds, bare */
		struct gitops_buf b = GITOPS_BUF_INIT;
		if (fn_time_marshal(&b, v, 2, w->err) < 0) {
			gitops_buf_release(&b);
			return -1;
		}
		tw_add(w, b.data, b.len);
		gitops_buf_release(&b);
		return 0;
	}
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_STRING:
		tw_quoted(w, v->u.str.s, v->u.str.len);
		return 0;
	case GITOPS_TMPL_BOOL:
		tw_str(w, v->u.b ? "true" : "false");
		return 0;
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8:
		snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
		tw_str(w, num);
		return 0;
	case GITOPS_TMPL_UINT64:
		snprintf(num, sizeof(num), "%llu", (unsigned long long)(uint64_t)v->u.i);
		tw_str(w, num);
		return 0;
	case GITOPS_TMPL_FLOAT64:
		tw_float(w, v->u.f);
		return 0;
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		tw_add(w, "[", 1);
		for (i = 0; i < v->u.list.n; i++) {
			if (tw_element(w, v->u.list.items[i], depth + 1) < 0)
				return -1;
			if (i + 1 != v->u.list.n)
				tw_add(w, ", ", 2);
		}
		tw_add(w, "]", 1);
		return 0;
	case GITOPS_TMPL_MAP: {
		struct tpath none = { .len = 0 };
		return tw_map(w, &none, v, 1, depth + 1);
	}
	case GITOPS_TMPL_NIL:
		return fn_fail(w->err, "unexpected type: <nil>");
	default:
		return fn_fail(w->err, "unexpected type: %s", gitops_tmpl_value_type_name(v));
	}
}

static int tw_encode(struct tw *w, struct tpath *p, const struct gitops_tmpl_value *v, size_t depth);

static int tw_key_value(struct tw *w, struct tpath *p, const struct gitops_tmpl_value *v, size_t depth)
{
	if (p->len == 0)
		return tw_element(w, v, depth);
	tw_indent(w, p->len);
	tw_key(w, p->k[p->len - 1], p->n[p->len - 1]);
	tw_add(w, " = ", 3);
	if (tw_element(w, v, depth) < 0)
		return -1;
	tw_newline(w);
	return 0;
}

static int tw_map(struct tw *w, struct tpath *p, const struct gitops_tmpl_value *m, int inline_, size_t depth)
{
	size_t i, pass, nsub = 0, ndirect = 0, done = 0;
	enum ttype *types;

	if (depth > SER_MAX_DEPTH / 10 - 2 || p->len + 1 >= SER_MAX_DEPTH / 10)
		return fn_fail(w->err, "toml: a value is nested too deep");
	types = calloc(m->u.map.n ? m->u.map.n : 1, sizeof(*types));
	if (!types)
		return gitops_err_oom(w->err);
	for (i = 0; i < m->u.map.n; i++) {
		types[i] = ttype_of(m->u.map.e[i].val, w);
		if (types[i] == T_BAD)
			goto fail;
		if (types[i] == T_HASH || types[i] == T_ARRAY_HASH)
			nsub++;
		else
			ndirect++;
	}
	if (inline_)
		tw_add(w, "{", 1);
	for (pass = 0; pass < 2; pass++) {
		size_t count = pass ? nsub : ndirect, k = 0;
		for (i = 0; i < m->u.map.n; i++) {
			int sub = types[i] == T_HASH || types[i] == T_ARRAY_HASH;
			const struct tmpl_entry *e = &m->u.map.e[i];
			if (sub != (int)pass)
				continue;
			k++;
			if (types[i] == T_NIL)
				continue;
			if (inline_) {
				tw_key(w, e->key, e->klen);
				tw_add(w, " = ", 3);
				if (tw_element(w, e->val, depth + 1) < 0)
					goto fail;
				if ((pass == 0 && nsub > 0) || k != count)
					tw_add(w, ", ", 2);
			} else {
				p->k[p->len] = e->key;
				p->n[p->len] = e->klen;
				p->len++;
				if (tw_encode(w, p, e->val, depth + 1) < 0) {
					p->len--;
					goto fail;
				}
				p->len--;
			}
		}
	}
	(void)done;
	if (inline_)
		tw_add(w, "}", 1);
	free(types);
	return 0;
fail:
	free(types);
	return -1;
}

static int tw_encode(struct tw *w, struct tpath *p, const struct gitops_tmpl_value *v, size_t depth)
{
	size_t i;
	int r;

	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_NIL:
		if (p->len == 0)
			return fn_fail(w->err, "toml: top-level values must be Go maps or structs");
		return 0;
	case GITOPS_TMPL_MAP:
		if (p->len > 0 && (tmpl_named_int(v) || fn_marshal_string(v) || fn_is_time(v)))
			return tw_key_value(w, p, v, depth); /* a struct Go writes as a value */
		if (p->len == 1)
			tw_newline(w);
		if (p->len > 0) {
			tw_indent(w, p->len);
			tw_add(w, "[", 1);
			tw_path(w, p);
			tw_add(w, "]", 1);
			tw_newline(w);
		}
		return tw_map(w, p, v, 0, depth);
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		r = is_table_array(v, w);
		if (r < 0)
			return -1;
		if (!r)
			return tw_key_value(w, p, v, depth);
		if (p->len == 0)
			return fn_fail(w->err, "toml: top-level values must be Go maps or structs");
		for (i = 0; i < v->u.list.n; i++) {
			tw_newline(w);
			tw_indent(w, p->len);
			tw_add(w, "[[", 2);
			tw_path(w, p);
			tw_add(w, "]]", 2);
			tw_newline(w);
			if (tw_map(w, p, v->u.list.items[i], 0, depth + 1) < 0)
				return -1;
		}
		return 0;
	case GITOPS_TMPL_COMPLEX128:
		return fn_fail(w->err, "unsupported type: complex128");
	default:
		return tw_key_value(w, p, v, depth);
	}
}

int ser_toml_encode(struct gitops_buf *b, const struct gitops_tmpl_value *v, struct gitops_err *err)
{
	struct tw w = { b, 0, 0, err };
	struct tpath *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return gitops_err_oom(err);
	r = tw_encode(&w, p, v, 0);
	free(p);
	if (r < 0)
		return -1;
	if (w.oom || gitops_buf_add(b, "", 0) < 0)
		return gitops_err_oom(err);
	return 0;
}

/* ------------------------------------------------------------ reading */

struct tr {
	const char *s;
	size_t len, pos;
	int line;
	char context[256]; /* the table of the lines read ("a.b") */
	char key[256];     /* the key whose value is being read, or "" (the parser's currentKey) */
	struct gitops_err *err;
	struct gitops_buf defined; /* the tables a [header] defined, each "\n" + path + "\n" */
	char bad[80];              /* the lexer's error for the byte at len, where the input was cut (or "") */
	size_t inline_key;         /* inside an inline table: the length of its key in `key` */
	int item_line;             /* the error is the parser's, at its item's line (no EOF step back) */
};

static int tr_defined(const struct tr *r, const char *path)
{
	char probe[610];

	snprintf(probe, sizeof(probe), "\n%s\n", path);
	return r->defined.data && strstr(r->defined.data, probe) != NULL;
}

static int tr_define(struct tr *r, const char *path)
{
	if (gitops_buf_printf(&r->defined, "\n%s\n", path) < 0)
		return gitops_err_oom(r->err);
	return 0;
}

/* a ParseError: "toml: line N (last key "K"): MSG", the line 0 for an error at the end (as BurntSushi's lexer) */
static int tr_fail(struct tr *r, const char *fmt, const char *arg)
{
	char msg[512], last[520];
	/* an error at the end of the input is a line early (BurntSushi's lexer has stepped back over EOF) */
	int line = r->pos >= r->len && !r->item_line ? r->line - 1 : r->line;

	snprintf(msg, sizeof(msg), fmt, arg);
	if (r->bad[0] && r->pos >= r->len) {
		/* the input stops at a byte the lexer refuses: that is the error, where it was met */
		snprintf(msg, sizeof(msg), "%s", r->bad);
		line = r->line;
	}
	if (r->key[0] && r->context[0])
		snprintf(last, sizeof(last), "%s.%s", r->context, r->key);
	else
		snprintf(last, sizeof(last), "%s", r->key[0] ? r->key : r->context);
	if (last[0])
		return fn_fail(r->err, "toml: line %d (last key \"%s\"): %s", line, last, msg);
	return fn_fail(r->err, "toml: line %d: %s", line, msg);
}

static int tr_peek(const struct tr *r)
{
	return r->pos < r->len ? (unsigned char)r->s[r->pos] : -1;
}

static void tr_ws(struct tr *r)
{
	while (r->pos < r->len && (r->s[r->pos] == ' ' || r->s[r->pos] == '\t'))
		r->pos++;
}

static void tr_comment(struct tr *r)
{
	if (tr_peek(r) == '#')
		while (r->pos < r->len && r->s[r->pos] != '\n')
			r->pos++;
}

/* whitespace, comments and newlines (inside arrays) */
static void tr_wsnl(struct tr *r)
{
	for (;;) {
		tr_ws(r);
		tr_comment(r);
		if (tr_peek(r) == '\n') {
			r->pos++;
			r->line++;
		} else if (tr_peek(r) == '\r' && r->pos + 1 < r->len && r->s[r->pos + 1] == '\n') {
			r->pos += 2;
			r->line++;
		} else {
			return;
		}
	}
}

static int bare_ch(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* the character at the reader's position as Go's %q quotes a rune (strconv.QuoteRune): the
 * lexer reads runes, so 'é' stays whole; "" at the end of input */
static void quote_at(char *buf, size_t size, const struct tr *r)
{
	size_t w = 1;
	int c;

	if (r->pos >= r->len) {
		snprintf(buf, size, "\"\"");
		return;
	}
	c = fn_rune(r->s + r->pos, r->len - r->pos, &w);
	switch (c) {
	case '\'': snprintf(buf, size, "'\\''"); return;
	case '\\': snprintf(buf, size, "'\\\\'"); return;
	case '\a': snprintf(buf, size, "'\\a'"); return;
	case '\b': snprintf(buf, size, "'\\b'"); return;
	case '\f': snprintf(buf, size, "'\\f'"); return;
	case '\n': snprintf(buf, size, "'\\n'"); return;
	case '\r': snprintf(buf, size, "'\\r'"); return;
	case '\t': snprintf(buf, size, "'\\t'"); return;
	case '\v': snprintf(buf, size, "'\\v'"); return;
	default: break;
	}
	if (tmpl_unicode_is_print(c))
		snprintf(buf, size, "'%.*s'", (int)w, r->s + r->pos);
	else if (c < 0x20 || c == 0x7f)
		snprintf(buf, size, "'\\x%02x'", c);
	else if (c < 0x10000)
		snprintf(buf, size, "'\\u%04x'", c);
	else
		snprintf(buf, size, "'\\U%08x'", c);
}

static int tr_basic_string(struct tr *r, struct gitops_buf *out, int multi)
{
	for (;;) {
		int c = tr_peek(r);
		if (c < 0)
			return tr_fail(r, multi ? "unexpected EOF; expected '\"\"\"'%s" : "unexpected EOF; expected '\"'%s", "");
		if (multi && c == '"' && r->pos + 2 < r->len + 0 && r->s[r->pos + 1] == '"' && r->s[r->pos + 2] == '"') {
			r->pos += 3;
			/* up to two more quotes belong to the string */
			while (tr_peek(r) == '"' && out) {
				if (gitops_buf_add(out, "\"", 1) < 0)
					return gitops_err_oom(r->err);
				r->pos++;
			}
			break;
		}
		if (!multi && c == '"') {
			r->pos++;
			break;
		}
		if (c == '\n') {
			if (!multi)
				return tr_fail(r, "strings cannot contain newlines%s", "");
			r->line++;
		}
		if (c == '\\') {
			int e, u = 0, k, nd;
			r->pos++;
			e = tr_peek(r);
			r->pos++;
			switch (e) {
			case 'b': u = '\b'; break;
			case 't': u = '\t'; break;
			case 'n': u = '\n'; break;
			case 'f': u = '\f'; break;
			case 'r': u = '\r'; break;
			case '"': u = '"'; break;
			case '\\': u = '\\'; break;
			case 'u': case 'U':
				nd = e == 'u' ? 4 : 8;
				for (k = 0; k < nd; k++) {
					int h = tr_peek(r), v;
					if (h >= '0' && h <= '9') v = h - '0';
					else if (h >= 'a' && h <= 'f') v = h - 'a' + 10;
					else if (h >= 'A' && h <= 'F') v = h - 'A' + 10;
					else return tr_fail(r, "invalid escape in string%s", "");
					u = u * 16 + v;
					r->pos++;
				}
				break;
			default:
				if (multi && (e == '\n' || e == ' ' || e == '\t' || e == '\r')) {
					/* a line-ending backslash: the break and the blanks after it go */
					r->pos--;
					while (r->pos < r->len && (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' ||
								   r->s[r->pos] == '\n' || r->s[r->pos] == '\r')) {
						if (r->s[r->pos] == '\n')
							r->line++;
						r->pos++;
					}
					continue;
				}
				{
					char q[8];
					snprintf(q, sizeof(q), "%c", e < 0 ? ' ' : e);
					return tr_fail(r, "invalid escape in string '\\%s'", q);
				}
			}
			if (fn_put_rune(out, u) < 0)
				return gitops_err_oom(r->err);
			continue;
		}
		if (gitops_buf_add(out, r->s + r->pos, 1) < 0)
			return gitops_err_oom(r->err);
		r->pos++;
	}
	return 0;
}

static int tr_literal_string(struct tr *r, struct gitops_buf *out, int multi)
{
	for (;;) {
		int c = tr_peek(r);
		if (c < 0)
			return tr_fail(r, "unexpected EOF; expected \"'\"%s", "");
		if (multi && c == '\'' && r->pos + 2 < r->len && r->s[r->pos + 1] == '\'' && r->s[r->pos + 2] == '\'') {
			r->pos += 3;
			while (tr_peek(r) == '\'') {
				if (gitops_buf_add(out, "'", 1) < 0)
					return gitops_err_oom(r->err);
				r->pos++;
			}
			return 0;
		}
		if (!multi && c == '\'') {
			r->pos++;
			return 0;
		}
		if (c == '\n') {
			if (!multi)
				return tr_fail(r, "strings cannot contain newlines%s", "");
			r->line++;
		}
		if (gitops_buf_add(out, r->s + r->pos, 1) < 0)
			return gitops_err_oom(r->err);
		r->pos++;
	}
}

/* a string at r->pos (its opening quote) */
static int tr_string(struct tr *r, struct gitops_buf *out)
{
	char q = r->s[r->pos];
	int multi = r->pos + 2 < r->len && r->s[r->pos + 1] == q && r->s[r->pos + 2] == q;

	r->pos += multi ? 3 : 1;
	if (multi) {
		/* a newline right after the opening quotes is trimmed */
		if (tr_peek(r) == '\n') {
			r->pos++;
			r->line++;
		} else if (tr_peek(r) == '\r' && r->pos + 1 < r->len && r->s[r->pos + 1] == '\n') {
			r->pos += 2;
			r->line++;
		}
	}
	if (gitops_buf_add(out, "", 0) < 0)
		return gitops_err_oom(r->err);
	return q == '"' ? tr_basic_string(r, out, multi) : tr_literal_string(r, out, multi);
}

/* one key part (bare or quoted), of a [header] or of a key = value */
static int tr_key_part(struct tr *r, struct gitops_buf *k, int header)
{
	int c = tr_peek(r);

	k->len = 0;
	if (c == '"' || c == '\'') {
		if (r->pos + 2 < r->len && r->s[r->pos + 1] == c && r->s[r->pos + 2] == c)
			return tr_fail(r, "multi-line strings are not allowed as keys%s", "");
		return tr_string(r, k);
	}
	if (!bare_ch(c)) {
		char q[16];
		quote_at(q, sizeof(q), r);
		if (c < 0)
			return tr_fail(r, "unexpected EOF; expected key%s", "");
		if (c == '=')
			return tr_fail(r, "unexpected '=': key name appears blank%s", "");
		if (c == '.')
			return tr_fail(r, "unexpected '.': keys cannot start with a '.'%s", "");
		if (c == '\n')
			r->line++;
		return tr_fail(r, header ? "expected '.' or ']' to end table name, but got %s instead" :
					   "expected '.' or '=', but got %s instead", q);
	}
	while (bare_ch(tr_peek(r))) {
		if (gitops_buf_add(k, r->s + r->pos, 1) < 0)
			return gitops_err_oom(r->err);
		r->pos++;
	}
	return 0;
}

static int tr_value(struct tr *r, struct gitops_tmpl_value **out, size_t depth);

static int toml_time(struct gitops_buf *out, const char *t, size_t n, const char **fixed);

static int is_hexdig(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* BurntSushi's numUnderscoresOK: each '_' after a hex digit, and the text ends with one */
static int underscores_ok(const char *s, size_t n)
{
	int accept = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '_' && !accept)
			return 0;
		accept = is_hexdig(s[i]);
	}
	return accept;
}

/*
 * BurntSushi's own errors for a number token t (n bytes, at start): a base
 * prefix not followed by a digit of its base (the lexer's, naming that
 * character), and a float's parts (split at '.', 'e', 'E') with a stray
 * underscore, or a float strconv refuses.  0 (none of those), or -1 with
 * the error set.
 */
static int toml_number_check(struct tr *r, const char *t, size_t n, size_t start)
{
	char q[300];
	size_t i, from;

	if (n >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b')) {
		char c = n > 2 ? t[2] : start + n < r->len ? r->s[start + n] : '\0';
		int ok = t[1] == 'x' ? is_hexdig(c) : t[1] == 'o' ? c >= '0' && c <= '7' : c == '0' || c == '1';
		if (ok || (unsigned char)c < 0x20)
			return 0; /* a NUL (the end of the input) or a line break, which Go names: no message here holds them */
		snprintf(q, sizeof(q), "'0%c%c'", t[1], c);
		r->pos = start;
		return tr_fail(r, t[1] == 'x' ? "not a hexidecimal number: %s" : t[1] == 'o' ? "not an octal number: %s"
										: "not a binary number: %s", q);
	}
	i = t[0] == '+' || t[0] == '-';
	if (i >= n || t[i] < '0' || t[i] > '9' || !strpbrk(t, ".eE") || strspn(t, "0123456789.eE+-_") != n)
		return 0;
	snprintf(q, sizeof(q), "\"%.*s\"", (int)(n > 200 ? 200 : n), t);
	for (from = 0, i = 0; i <= n; i++) {
		if (i < n && t[i] != '.' && t[i] != 'e' && t[i] != 'E')
			continue;
		if (i > from && !underscores_ok(t + from, i - from)) {
			r->pos = start;
			return tr_fail(r, "Invalid float %s: underscores must be surrounded by digits", q);
		}
		from = i + 1;
	}
	{
		char clean[256];
		size_t o = 0;
		double d;
		const char *dot = strchr(t, '.');
		if (n >= sizeof(clean) || (t[i = (t[0] == '+' || t[0] == '-')] == '0' && t[i + 1] >= '0' && t[i + 1] <= '9') ||
		    (dot && (dot[1] < '0' || dot[1] > '9')))
			return 0; /* leading zeroes, a bare '.': the messages below */
		for (i = 0; i < n; i++)
			if (t[i] != '_')
				clean[o++] = t[i];
		clean[o] = '\0';
		if (tmpl_strconv_parse_float(&d, clean, o) == -1) {
			r->pos = start;
			return tr_fail(r, "Invalid float value: %s", q);
		}
	}
	return 0;
}

/* a number, boolean, date or time at r->pos */
static int tr_scalar(struct tr *r, struct gitops_tmpl_value **out)
{
	size_t start = r->pos, n;
	char *t = NULL, *clean = NULL;
	int64_t i;
	double d;
	int ret = -1;

	while (r->pos < r->len) {
		char c = r->s[r->pos];
		if (c == ',' || c == ']' || c == '}' || c == '\n' || c == '\r' || c == '#' || c == '\t')
			break;
		if (c == ' ') {
			/* a date and a time may be separated by a space */
			if (r->pos + 1 < r->len && r->pos - start == 10 && r->s[start + 4] == '-' &&
			    r->s[r->pos + 1] >= '0' && r->s[r->pos + 1] <= '9') {
				r->pos++;
				continue;
			}
			break;
		}
		r->pos++;
	}
	if (r->pos >= r->len && r->bad[0])
		return tr_fail(r, "%s", ""); /* the lexer met the refused byte while reading this value */
	n = r->pos - start;
	t = malloc(n + 1); /* not strndup: the text may hold a NUL */
	clean = malloc(n + 1);
	if (!t || !clean) {
		gitops_err_oom(r->err);
		goto done;
	}
	memcpy(t, r->s + start, n);
	t[n] = '\0';
	if (n == 1 && (t[0] == '-' || t[0] == '+') && r->pos >= r->len) {
		tr_fail(r, "expected a digit but got %s", "'\\x00'");
		goto done;
	}
	if (strcmp(t, "true") == 0 || strcmp(t, "false") == 0) {
		*out = gitops_tmpl_value_bool(t[0] == 't');
		ret = *out ? 0 : gitops_err_oom(r->err);
		goto done;
	}
	if (strcmp(t, "inf") == 0 || strcmp(t, "+inf") == 0 || strcmp(t, "-inf") == 0 || strcmp(t, "nan") == 0 ||
	    strcmp(t, "+nan") == 0 || strcmp(t, "-nan") == 0) {
		*out = gitops_tmpl_value_float(strstr(t, "nan") ? NAN : t[0] == '-' ? -INFINITY : INFINITY);
		ret = *out ? 0 : gitops_err_oom(r->err);
		goto done;
	}
	if (n >= 8 && (t[2] == ':' || (n >= 10 && t[4] == '-' && t[7] == '-'))) {
		/* a date or time: a time.Time, from its RFC 3339 text */
		struct gitops_buf tb = GITOPS_BUF_INIT;
		const char *fixed = NULL;
		if (toml_time(&tb, t, n, &fixed) == 0 && tb.data) {
			struct gitops_err e2 = { 0 };
			ret = fn_time_parse(out, tb.data, tb.len, fixed, &e2);
			gitops_buf_release(&tb);
			if (ret == 0)
				goto done;
			if (e2.code == GITOPS_EXIT_INTERNAL) {
				gitops_err_oom(r->err);
				goto done;
			}
			ret = -1; /* a date Go's parser refuses (a day out of range): BurntSushi's error below */
		}
		gitops_buf_release(&tb);
		{
			char q[300];
			snprintf(q, sizeof(q), "\"%.*s\"", (int)(n > 200 ? 200 : n), t);
			r->pos = start;
			tr_fail(r, "invalid datetime: %s", q);
		}
		goto done;
	}
	if (toml_number_check(r, t, n, start) < 0)
		goto done;
	{
		/* underscores only between digits */
		size_t k, o = 0;
		for (k = 0; k < n; k++) {
			if (t[k] == '_') {
				if (k == 0 || k + 1 == n || !((t[k - 1] >= '0' && t[k - 1] <= '9') || (t[k-1] >= 'a' && t[k-1] <= 'f') || (t[k-1] >= 'A' && t[k-1] <= 'F')) ||
				    !((t[k + 1] >= '0' && t[k + 1] <= '9') || (t[k+1] >= 'a' && t[k+1] <= 'f') || (t[k+1] >= 'A' && t[k+1] <= 'F'))) {
					char q[300];
					snprintf(q, sizeof(q), "\"%.*s\"", (int)(n > 200 ? 200 : n), t);
					r->pos = start;
					tr_fail(r, strpbrk(t, ".eE") && !strchr(t, 'x') ? "Invalid float %s: underscores must be surrounded by digits" :
					       "Invalid integer %s: underscores must be surrounded by digits", q);
					goto done;
				}
				continue;
			}
			clean[o++] = t[k];
		}
		clean[o] = '\0';
	}
	if (!clean[0])
		goto bad;
	{
		const char *p = clean + (clean[0] == '+' || clean[0] == '-');
		int base = 10;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o' || p[1] == 'b')) {
			char *end;
			unsigned long long u;
			if (p != clean)
				goto bad;
			base = p[1] == 'x' ? 16 : p[1] == 'o' ? 8 : 2;
			if (!p[2] || p[2] == '+' || p[2] == '-')
				goto bad;
			errno = 0;
			u = strtoull(p + 2, &end, base);
			if (*end)
				goto bad;
			if (errno || u > INT64_MAX)
				goto range;
			*out = gitops_tmpl_value_int64((int64_t)u);
			ret = *out ? 0 : gitops_err_oom(r->err);
			goto done;
		}
		if (strspn(p, "0123456789") == strlen(p)) {
			if (p[0] == '0' && p[1]) {
				char q[300];
				snprintf(q, sizeof(q), "\"%.*s\"", (int)(n > 200 ? 200 : n), t);
				r->pos = start; /* the parser's error, at the value's line */
				tr_fail(r, "Invalid integer %s: cannot have leading zeroes", q);
				goto done;
			}
			if (tmpl_strconv_parse_int(&i, clean, strlen(clean)) < 0)
				goto range;
			*out = gitops_tmpl_value_int64(i);
			ret = *out ? 0 : gitops_err_oom(r->err);
			goto done;
		}
		if (strspn(p, "0123456789.eE+-") == strlen(p) && p[0] >= '0' && p[0] <= '9') {
			const char *dot = strchr(p, '.');
			if (dot && (dot[1] < '0' || dot[1] > '9')) {
				char q[300];
				snprintf(q, sizeof(q), "\"%.*s\"", (int)(n > 200 ? 200 : n), t);
				r->pos = start;
				tr_fail(r, "Invalid float %s: '.' must be followed by one or more digits", q);
				goto done;
			}
			if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
				goto bad;
			if (tmpl_strconv_parse_float(&d, clean, strlen(clean)) == -1)
				goto bad;
			*out = gitops_tmpl_value_float(d);
			ret = *out ? 0 : gitops_err_oom(r->err);
			goto done;
		}
	}
bad:
	r->pos = start;
	tr_fail(r, "invalid value: %s", "");
	if (n) {
		char q[512];
		snprintf(q, sizeof(q), "\"%.*s\"", (int)(n > 400 ? 400 : n), t);
		tr_fail(r, "invalid value: %s", q);
	}
	goto done;
range:
	r->pos = start;
	{
		char q[300];
		snprintf(q, sizeof(q), "%.*s", (int)(n > 200 ? 200 : n), t);
		tr_fail(r, "%s is out of range for int64", q);
	}
done:
	free(t);
	free(clean);
	return ret;
}

static int tr_inline_table(struct tr *r, struct gitops_tmpl_value **out, size_t depth);

static int digits(const char *s, int n)
{
	int k;

	for (k = 0; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			return 0;
	return 1;
}

/*
 * A TOML date, time or date-time as Go's time.Time MarshalJSON writes what
 * BurntSushi makes of it (local ones in the process's zone, UTC under
 * helm's harness; a time alone on 0000-01-01): 0, or -1 when it is none.
 */
static int toml_time(struct gitops_buf *out, const char *t, size_t n, const char **fixed)
{
	int have_zone = 0;
	char date[16] = "0000-01-01", clock[16] = "00:00:00", frac[16] = "", zone[8] = "Z";
	size_t i = 0;
	int have_date = 0;

	if (n >= 10 && t[4] == '-' && t[7] == '-' && digits(t, 4) && digits(t + 5, 2) && digits(t + 8, 2)) {
		memcpy(date, t, 10);
		have_date = 1;
		i = 10;
		if (i < n && (t[i] == 'T' || t[i] == 't' || t[i] == ' ')) {
			i++;
			if (i == n)
				return -1; /* a separator and no time */
		} else if (i != n) {
			return -1;
		}
	}
	if (i < n) {
		size_t f = 0;
		if (n - i < 8 || t[i + 2] != ':' || t[i + 5] != ':' || !digits(t + i, 2) || !digits(t + i + 3, 2) ||
		    !digits(t + i + 6, 2))
			return -1;
		memcpy(clock, t + i, 8);
		i += 8;
		if (i < n && t[i] == '.') {
			i++;
			while (i < n && t[i] >= '0' && t[i] <= '9') {
				if (f < 9)
					frac[f++] = t[i];
				i++;
			}
			if (!f)
				return -1;
			while (f && frac[f - 1] == '0')
				frac[--f] = '\0';
		}
		if (i < n && have_date) {
			if ((t[i] == 'Z' || t[i] == 'z') && i + 1 == n) {
				i++;
				have_zone = 1;
			} else if ((t[i] == '+' || t[i] == '-') && n - i == 6 && t[i + 3] == ':' && digits(t + i + 1, 2) &&
				   digits(t + i + 4, 2)) {
				if (memcmp(t + i + 1, "00:00", 5) != 0)
					memcpy(zone, t + i, 6), zone[6] = '\0';
				i = n;
				have_zone = 1;
			}
		}
		if (i != n)
			return -1;
	}
	/* BurntSushi's local kinds: fixed zones of offset 0 (internal.LocalDatetime...) */
	*fixed = have_zone ? NULL : !have_date ? "time-local" : i > 10 ? "datetime-local" : "date-local";
	return gitops_buf_printf(out, "%sT%s%s%s%s", date, clock, frac[0] ? "." : "", frac, zone);
}

static int tr_array(struct tr *r, struct gitops_tmpl_value **out, size_t depth)
{
	struct gitops_tmpl_value *l = gitops_tmpl_value_list(GITOPS_TMPL_LIST), *v;

	if (!l)
		return gitops_err_oom(r->err);
	r->pos++;
	for (;;) {
		tr_wsnl(r);
		if (tr_peek(r) == ']') {
			r->pos++;
			break;
		}
		if (tr_peek(r) < 0) {
			tr_fail(r, "unexpected EOF; expected value%s", "");
			goto fail;
		}
		if (tr_peek(r) == ',') {
			tr_fail(r, "unexpected comma%s", "");
			goto fail;
		}
		if (tr_value(r, &v, depth + 1) < 0)
			goto fail;
		if (gitops_tmpl_list_push(l, v) < 0) {
			gitops_err_oom(r->err);
			goto fail;
		}
		tr_wsnl(r);
		if (tr_peek(r) == ',') {
			r->pos++;
			continue;
		}
		if (tr_peek(r) == ']') {
			r->pos++;
			break;
		}
		{
			char q[16];
			quote_at(q, sizeof(q), r);
			tr_fail(r, "expected a comma (',') or array terminator (']'), but got %s", tr_peek(r) < 0 ? "end of file" : q);
		}
		goto fail;
	}
	*out = l;
	return 0;
fail:
	gitops_tmpl_value_unref(l);
	return -1;
}

static int tr_value(struct tr *r, struct gitops_tmpl_value **out, size_t depth)
{
	int c = tr_peek(r);

	*out = NULL;
	if (depth > SER_MAX_DEPTH)
		return tr_fail(r, "exceeded max depth%s", "");
	if (c == '"' || c == '\'') {
		struct gitops_buf b = GITOPS_BUF_INIT;
		if (tr_string(r, &b) < 0) {
			gitops_buf_release(&b);
			return -1;
		}
		*out = gitops_tmpl_value_string(b.data ? b.data : "", b.len);
		gitops_buf_release(&b);
		return *out ? 0 : gitops_err_oom(r->err);
	}
	if (c == '[')
		return tr_array(r, out, depth);
	if (c == '{')
		return tr_inline_table(r, out, depth);
	if (c < 0)
		return tr_fail(r, "unexpected EOF; expected value%s", "");
	if (c == '.')
		return tr_fail(r, "floats must start with a digit, not '.'%s", "");
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
		size_t e = r->pos;
		char word[300];
		while (e < r->len && ((r->s[e] >= 'a' && r->s[e] <= 'z') || (r->s[e] >= 'A' && r->s[e] <= 'Z')))
			e++;
		snprintf(word, sizeof(word), "%.*s", (int)(e - r->pos > 200 ? 200 : e - r->pos), r->s + r->pos);
		if (strcmp(word, "true") && strcmp(word, "false") && strcmp(word, "inf") && strcmp(word, "nan")) {
			char q[310];
			snprintf(q, sizeof(q), "\"%s\"", word);
			return tr_fail(r, "expected value but found %s instead", q);
		}
	} else if (c == '\n' || c == '\r' || c == '#' || c == ',' || c == ']' || c == '}' || c == '=') {
		char q[16];
		if (c == '\n')
			r->line++;
		quote_at(q, sizeof(q), r);
		return tr_fail(r, "expected value but found %s instead", q);
	}
	return tr_scalar(r, out);
}

/* the table at key k under t, made when missing; NULL with the error set (path: the dotted key so far) */
static struct gitops_tmpl_value *descend(struct tr *r, struct gitops_tmpl_value *t, const char *k, size_t kl,
					 const char *path)
{
	struct gitops_tmpl_value *c = gitops_tmpl_map_get(t, k, kl);

	if (!c) {
		c = gitops_tmpl_value_map(NULL);
		if (!c || gitops_tmpl_map_set(t, k, kl, c) < 0) {
			gitops_err_oom(r->err);
			return NULL;
		}
		return c;
	}
	if (gitops_tmpl_value_kind(c) == GITOPS_TMPL_LIST && c->u.list.n &&
	    gitops_tmpl_value_kind(c->u.list.items[c->u.list.n - 1]) == GITOPS_TMPL_MAP)
		return c->u.list.items[c->u.list.n - 1];
	if (gitops_tmpl_value_kind(c) != GITOPS_TMPL_MAP) {
		tr_fail(r, "Key '%s' has already been defined.", path);
		return NULL;
	}
	return c;
}

/* the dotted parts of a key (NUL-separated in parts), the raw dotted text in dotted */
static int tr_key(struct tr *r, struct gitops_buf *parts, size_t *nparts, struct gitops_buf *dotted, int header)
{
	struct gitops_buf k = GITOPS_BUF_INIT;
	int ret = -1;

	*nparts = 0;
	for (;;) {
		tr_ws(r);
		if (tr_key_part(r, &k, header) < 0)
			goto done;
		if (gitops_buf_add(parts, k.data ? k.data : "", k.len) < 0 || gitops_buf_add(parts, "\0", 1) < 0 ||
		    (*nparts && gitops_buf_add(dotted, ".", 1) < 0) || gitops_buf_add(dotted, k.data ? k.data : "", k.len) < 0 ||
		    gitops_buf_add(dotted, "", 0) < 0) {
			gitops_err_oom(r->err);
			goto done;
		}
		(*nparts)++;
		tr_ws(r);
		if (tr_peek(r) != '.')
			break;
		r->pos++;
	}
	(void)header;
	ret = 0;
done:
	gitops_buf_release(&k);
	return ret;
}

/* KEY = VALUE into table t */
static int tr_keyval(struct tr *r, struct gitops_tmpl_value *t, size_t depth)
{
	struct gitops_buf parts = GITOPS_BUF_INIT, dotted = GITOPS_BUF_INIT;
	struct gitops_tmpl_value *v = NULL;
	size_t nparts = 0, i, off = 0, plen = 0;
	char path[600];
	int ret = -1;

	if (tr_key(r, &parts, &nparts, &dotted, 0) < 0)
		goto done;
	if (tr_peek(r) != '=') {
		char q[16];
		if (tr_peek(r) < 0) {
			tr_fail(r, "unexpected EOF; expected key separator '='%s", "");
			goto done;
		}
		if (tr_peek(r) == '\n')
			r->line++;
		quote_at(q, sizeof(q), r);
		tr_fail(r, "expected '.' or '=', but got %s instead", q);
		goto done;
	}
	r->pos++;
	tr_ws(r);
	if (!depth) {
		snprintf(r->key, sizeof(r->key), "%s", dotted.data);
	} else {
		/* inside an inline table the last key is the table's and this one's (BurntSushi's context) */
		char *dot = strrchr(r->key, '.');
		size_t keep = r->inline_key ? r->inline_key : (dot ? (size_t)(dot - r->key) : strlen(r->key));
		snprintf(r->key + keep, sizeof(r->key) - keep, ".%s", dotted.data);
	}
	plen = (size_t)snprintf(path, sizeof(path), "%s", depth ? "" : r->context);
	for (i = 0; i < nparts; i++) {
		const char *k = parts.data + off;
		size_t kl = strlen(k);
		if (plen < sizeof(path))
			plen += (size_t)snprintf(path + plen, sizeof(path) - plen, "%s%s", plen ? "." : "", k);
		if (i + 1 < nparts) {
			if (!(t = descend(r, t, k, kl, path)))
				goto done;
			off += kl + 1;
			continue;
		}
		if (gitops_tmpl_map_get(t, k, kl)) {
			tr_fail(r, "Key '%s' has already been defined.", path);
			goto done;
		}
		{
			/* an inline table is whole: no [header] may add to it */
			size_t saved = r->inline_key;
			int inl = tr_peek(r) == '{';
			if (inl)
				r->inline_key = strlen(r->key);
			if (tr_value(r, &v, depth + 1) < 0)
				goto done;
			r->inline_key = saved;
			if (inl && tr_define(r, path) < 0) {
				gitops_tmpl_value_unref(v);
				goto done;
			}
		}
		if (!depth)
			r->key[0] = '\0';
		if (gitops_tmpl_map_set(t, k, kl, v) < 0) {
			gitops_err_oom(r->err);
			goto done;
		}
	}
	ret = 0;
done:
	gitops_buf_release(&parts);
	gitops_buf_release(&dotted);
	return ret;
}

static int tr_inline_table(struct tr *r, struct gitops_tmpl_value **out, size_t depth)
{
	struct gitops_tmpl_value *m = gitops_tmpl_value_map(NULL);

	if (!m)
		return gitops_err_oom(r->err);
	r->pos++;
	tr_ws(r);
	if (tr_peek(r) == '}') {
		r->pos++;
		*out = m;
		return 0;
	}
	for (;;) {
		tr_ws(r);
		if (tr_peek(r) == '\n' || tr_peek(r) == '\r') {
			tr_fail(r, "newlines not allowed within inline tables%s", "");
			goto fail;
		}
		if (tr_keyval(r, m, depth) < 0)
			goto fail;
		tr_ws(r);
		if (tr_peek(r) == ',') {
			r->pos++;
			continue;
		}
		if (tr_peek(r) == '}') {
			r->pos++;
			break;
		}
		if (tr_peek(r) == '\n' || tr_peek(r) == '\r') {
			tr_fail(r, "newlines not allowed within inline tables%s", "");
			goto fail;
		}
		{
			char q[16];
			quote_at(q, sizeof(q), r);
			tr_fail(r, "expected a comma or an inline table terminator '}', but got %s instead",
				tr_peek(r) < 0 ? "end of file" : q);
		}
		goto fail;
	}
	*out = m;
	return 0;
fail:
	gitops_tmpl_value_unref(m);
	return -1;
}

/* [a.b] or [[a.b]] at r->pos: the table lines after it go into */
static int tr_header(struct tr *r, struct gitops_tmpl_value *root, struct gitops_tmpl_value **cur)
{
	struct gitops_buf parts = GITOPS_BUF_INIT, dotted = GITOPS_BUF_INIT;
	int arr = r->pos + 1 < r->len && r->s[r->pos + 1] == '[';
	struct gitops_tmpl_value *t = root, *c;
	size_t nparts = 0, i, off = 0, plen = 0, kl;
	const char *k = "";
	char path[600] = "";
	int ret = -1;

	r->pos += arr ? 2 : 1;
	r->context[0] = '\0';
	if (tr_key(r, &parts, &nparts, &dotted, 1) < 0)
		goto done;
	if (tr_peek(r) != ']' || (arr && (r->pos + 1 >= r->len || r->s[r->pos + 1] != ']'))) {
		char q[16];
		if (tr_peek(r) == '\n')
			r->line++;
		quote_at(q, sizeof(q), r);
		if (tr_peek(r) < 0)
			tr_fail(r, "expected '.' or ']' to end table name, but got %s instead", "'\\x00'");
		else
			tr_fail(r, "expected '.' or ']' to end table name, but got %s instead", q);
		goto done;
	}
	r->pos += arr ? 2 : 1;
	for (i = 0; i < nparts; i++) {
		k = parts.data + off;
		kl = strlen(k);
		if (plen < sizeof(path))
			plen += (size_t)snprintf(path + plen, sizeof(path) - plen, "%s%s", plen ? "." : "", k);
		if (i + 1 == nparts)
			break;
		if (!(t = descend(r, t, k, kl, path)))
			goto done;
		off += kl + 1;
	}
	kl = strlen(k);
	c = gitops_tmpl_map_get(t, k, kl);
	if (arr) {
		struct gitops_tmpl_value *m;
		if (!c) {
			c = gitops_tmpl_value_list(GITOPS_TMPL_LIST);
			if (!c || gitops_tmpl_map_set(t, k, kl, c) < 0) {
				gitops_err_oom(r->err);
				goto done;
			}
		} else if (gitops_tmpl_value_kind(c) != GITOPS_TMPL_LIST) {
			r->item_line = 1; /* the parser's error, at the header's line */
			tr_fail(r, "Key '%s' has already been defined.", path);
			goto done;
		}
		m = gitops_tmpl_value_map(NULL);
		if (!m || gitops_tmpl_list_push(c, m) < 0) {
			gitops_err_oom(r->err);
			goto done;
		}
		*cur = m;
	} else {
		if (!c) {
			c = gitops_tmpl_value_map(NULL);
			if (!c || gitops_tmpl_map_set(t, k, kl, c) < 0) {
				gitops_err_oom(r->err);
				goto done;
			}
		} else if (gitops_tmpl_value_kind(c) != GITOPS_TMPL_MAP || tr_defined(r, path)) {
			r->item_line = 1;
			tr_fail(r, "Key '%s' has already been defined.", path);
			goto done;
		}
		if (tr_define(r, path) < 0)
			goto done;
		*cur = c;
	}
	snprintf(r->context, sizeof(r->context), "%s", dotted.data ? dotted.data : "");
	ret = 0;
done:
	gitops_buf_release(&parts);
	gitops_buf_release(&dotted);
	return ret;
}

int ser_toml_decode(struct gitops_tmpl_value **out, const char *s, size_t len, struct gitops_err *err)
{
	struct tr r = { s, len, 0, 1, "", "", err, GITOPS_BUF_INIT, "", 0, 0 };
	struct gitops_tmpl_value *root = gitops_tmpl_value_map(NULL), *cur;

	*out = NULL;
	if (!root)
		return gitops_err_oom(err);
	cur = root;
	{
		/* BurntSushi's lexer refuses bytes that are not UTF-8 and control characters (a CR
		 * only before LF): cut there */
		size_t i, w;
		for (i = 0; i < len; i += w) {
			unsigned char c = (unsigned char)s[i];
			int rr = fn_rune(s + i, len - i, &w);
			if (rr == 0xFFFD && w == 1 && c >= 0x80) {
				snprintf(r.bad, sizeof(r.bad), "invalid UTF-8 byte: 0x%02x", c);
				break;
			}
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f ||
			    (c == '\r' && (i + 1 >= len || s[i + 1] != '\n'))) {
				snprintf(r.bad, sizeof(r.bad), "TOML files cannot contain control characters: '0x%02x'", c);
				break;
			}
		}
		if (r.bad[0])
			r.len = i;
	}
	for (;;) {
		tr_wsnl(&r);
		if (r.pos >= r.len)
			break;
		if (tr_peek(&r) == '[') {
			if (tr_header(&r, root, &cur) < 0)
				goto fail;
		} else if (tr_keyval(&r, cur, 0) < 0) {
			goto fail;
		}
		tr_ws(&r);
		tr_comment(&r);
		if (r.pos < r.len && r.s[r.pos] != '\n' && !(r.s[r.pos] == '\r' && r.pos + 1 < r.len && r.s[r.pos + 1] == '\n')) {
			char q[16];
			quote_at(q, sizeof(q), &r);
			tr_fail(&r, "expected a top-level item to end with a newline, comment, or EOF, but got %s instead", q);
			goto fail;
		}
	}
	if (r.bad[0]) {
		r.pos = r.len;
		tr_fail(&r, "%s", "");
		goto fail;
	}
	gitops_buf_release(&r.defined);
	*out = root;
	return 0;
fail:
	gitops_buf_release(&r.defined);
	gitops_tmpl_value_unref(root);
	return -1;
}
