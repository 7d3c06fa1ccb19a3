/*
 * tmpl_lex.c: text/template's lexer (Go 1.23's lex.go), one item at a time.
 * Delimiters are {{ and }}; trim markers "{{- " and " -}}"; comments open
 * with a slash and a star right after the delimiter.  Errors are items
 * (I_ERROR) whose text is Go's message.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/template/tmpl_int.h"

#define EOF_RUNE (-1)

static int is_space(int r)
{
	return r == ' ' || r == '\t' || r == '\r' || r == '\n';
}

/*
 * isSpace: Go 1.23's lexer has its own, ASCII only (a Unicode space such as
 * U+00A0 is an unrecognized character in an action, and no trim marker
 * trims it).  isAlphaNumeric: '_', unicode.IsLetter, unicode.IsDigit, with
 * Go's Unicode 15.0 tables (tmpl_unicode.c).
 */
static int is_alnum(int r)
{
	if (r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
		return 1;
	if (r < 0x80)
		return 0;
	return tmpl_unicode_is_letter(r) || tmpl_unicode_is_digit(r);
}

/* ASCII classes for the tight loops: isAlphaNumeric's ASCII part, and isSpace */
#define C_ALNUM 1
#define C_SPACE 2
#define C_TERM 4  /* ends a field or identifier (with the spaces, "}}" and the end) */
#define C_DEC 8   /* digits of scan_number's bases, with '_' */
#define C_HEX 16
#define C_OCT 32
#define C_BIN 64
#define C_DQSTOP 128 /* ends a run of a quoted string's plain bytes: the quote, '\\', a newline, NUL */
#define C_SQSTOP 256 /* the same in a character constant */
#define C_NAME1 512  /* starts a field name: an ASCII letter or '_' */
static const unsigned short ascii_class[256] = {
	[0] = C_DQSTOP | C_SQSTOP, ['"'] = C_DQSTOP, ['\''] = C_SQSTOP, ['\\'] = C_DQSTOP | C_SQSTOP,
	['\t'] = C_SPACE | C_TERM, ['\n'] = C_SPACE | C_TERM | C_DQSTOP | C_SQSTOP, ['\r'] = C_SPACE | C_TERM,
	[' '] = C_SPACE | C_TERM,
	['.'] = C_TERM, [','] = C_TERM, ['|'] = C_TERM, [':'] = C_TERM, [')'] = C_TERM, ['('] = C_TERM,
	['_'] = C_ALNUM | C_NAME1 | C_DEC | C_HEX | C_OCT | C_BIN,
	['0' ... '1'] = C_ALNUM | C_DEC | C_HEX | C_OCT | C_BIN, ['2' ... '7'] = C_ALNUM | C_DEC | C_HEX | C_OCT,
	['8' ... '9'] = C_ALNUM | C_DEC | C_HEX,
	['A' ... 'F'] = C_ALNUM | C_NAME1 | C_HEX, ['G' ... 'Z'] = C_ALNUM | C_NAME1,
	['a' ... 'f'] = C_ALNUM | C_NAME1 | C_HEX, ['g' ... 'z'] = C_ALNUM | C_NAME1,
};

/* decode, next and peek: inlined, a call each per byte of an action was a tenth of lexing */
static inline __attribute__((always_inline)) int decode(const struct tmpl_lexer *l, size_t pos, size_t *size)
{
	if (pos >= l->len) {
		*size = 0;
		return EOF_RUNE;
	}
	if ((unsigned char)l->input[pos] < 0x80) {
		/* ASCII, nearly every byte of a template: no call out */
		*size = 1;
		return (unsigned char)l->input[pos];
	}
	return (int)tmpl_rune(l->input + pos, l->len - pos, size);
}

static inline __attribute__((always_inline)) int next(struct tmpl_lexer *l, size_t *size)
{
	int r = decode(l, l->pos, size);

	l->pos += *size;
	return r;
}

static inline __attribute__((always_inline)) int peek(const struct tmpl_lexer *l)
{
	size_t size;

	return decode(l, l->pos, &size);
}

static void backup(struct tmpl_lexer *l, size_t size)
{
	l->pos -= size;
}

static void emit(struct tmpl_lexer *l, struct tmpl_token *out, enum tmpl_item t)
{
	out->typ = t;
	out->esc = 0;
	out->pos = l->start;
	out->val = l->input + l->start;
	out->len = l->pos - l->start;
	out->line = 0;
	l->start = l->pos;
}

/*
 * The newlines in s[0..n): eight bytes at a time (a chart's text runs are
 * long: a CRD is one).  A byte of x = w ^ "\n\n..." is zero at a newline;
 * ((x & 0x7f..) + 0x7f..) | x has its top bit clear exactly there.
 */
static size_t count_newlines(const char *s, size_t n)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, nl = 0x0a0a0a0a0a0a0a0aULL;
	size_t i = 0, count = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w, x, t;
		memcpy(&w, s + i, 8);
		x = w ^ nl;
		t = ~(((x & lo7) + lo7) | x | lo7);
		count += (size_t)((t >> 7) * 0x0101010101010101ULL >> 56);
	}
	for (; i < n; i++)
		count += s[i] == '\n';
	return count;
}

static void ignore(struct tmpl_lexer *l)
{
	l->start = l->pos;
}

static void errorf(struct tmpl_lexer *l, struct tmpl_token *out, const char *msg)
{
	snprintf(l->errmsg, sizeof(l->errmsg), "%s", msg);
	out->typ = I_ERROR;
	out->esc = 0;
	out->pos = l->start;
	out->val = l->errmsg;
	out->len = strlen(l->errmsg);
	out->line = 0;
	l->done = 1;
	l->done_pos = l->pos;
}

static void bad_char(struct tmpl_lexer *l, struct tmpl_token *out, const char *what, int r)
{
	char msg[64], ch[8];
	size_t n = 0;
	unsigned u = (unsigned)r;

	if (u < 0x80) {
		ch[n++] = (char)u;
	} else if (u < 0x800) {
		ch[n++] = (char)(0xC0 | (u >> 6));
		ch[n++] = (char)(0x80 | (u & 0x3F));
	} else if (u < 0x10000) {
		ch[n++] = (char)(0xE0 | (u >> 12));
		ch[n++] = (char)(0x80 | ((u >> 6) & 0x3F));
		ch[n++] = (char)(0x80 | (u & 0x3F));
	} else {
		ch[n++] = (char)(0xF0 | (u >> 18));
		ch[n++] = (char)(0x80 | ((u >> 12) & 0x3F));
		ch[n++] = (char)(0x80 | ((u >> 6) & 0x3F));
		ch[n++] = (char)(0x80 | (u & 0x3F));
	}
	ch[n] = '\0';
	/* %#U: U+0041 'A' (the quoted rune only when printable) */
	if (r == EOF_RUNE)
		snprintf(msg, sizeof(msg), "%s U+FFFFFFFFFFFFFFFF", what);
	else if (tmpl_unicode_is_print(r))
		snprintf(msg, sizeof(msg), "%s U+%04X '%s'", what, u, ch);
	else
		snprintf(msg, sizeof(msg), "%s U+%04X", what, u);
	errorf(l, out, msg);
}

/*
 * The prefix tests below read past a byte only when it matched one that is
 * not NUL, so never past the text's closing NUL (pos is at most len).
 */
static inline int has_left_trim(const struct tmpl_lexer *l, size_t pos)
{
	return l->input[pos] == '-' && is_space((unsigned char)l->input[pos + 1]);
}

static inline int has_right_trim(const struct tmpl_lexer *l, size_t pos)
{
	return is_space((unsigned char)l->input[pos]) && l->input[pos + 1] == '-';
}

/* s: a two-byte literal (the right delimiter, the comment opener), compared inline */
static inline __attribute__((always_inline)) int has_prefix(const struct tmpl_lexer *l, size_t pos, const char *s)
{
	return l->input[pos] == s[0] && l->input[pos + 1] == s[1];
}

/* at "}}" or " -}}": delim, and whether trimmed */
static inline __attribute__((always_inline)) int at_right_delim(const struct tmpl_lexer *l, int *trim)
{
	const char *s = l->input + l->pos;

	*trim = 0;
	if (s[0] == '}')
		return s[1] == '}';
	if (is_space((unsigned char)s[0]) && s[1] == '-' && s[2] == '}' && s[3] == '}') {
		*trim = 1;
		return 1;
	}
	return 0;
}

static size_t right_trim_length(const char *s, size_t n)
{
	size_t k = n;

	/* an indentation: eight spaces at a time */
	while (k >= 8) {
		uint64_t w;
		memcpy(&w, s + k - 8, 8);
		if (w != 0x2020202020202020ULL)
			break;
		k -= 8;
	}

	while (k > 0 && is_space((unsigned char)s[k - 1]))
		k--;
	return n - k;
}

static size_t left_trim_length(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && is_space((unsigned char)s[k]))
		k++;
	return k;
}

int tmpl_lex_line(const struct tmpl_lexer *l, const struct tmpl_token *t)
{
	return t->line ? t->line : 1 + (int)count_newlines(l->input, t->pos);
}

void tmpl_lex_init(struct tmpl_lexer *l, const char *input, size_t len)
{
	memset(l, 0, sizeof(*l));
	l->input = input;
	l->len = len;
}

static inline int at_terminator(const struct tmpl_lexer *l)
{
	unsigned char c = (unsigned char)l->input[l->pos];

	if (ascii_class[c] & C_TERM)
		return 1;
	if (c == '}')
		return l->input[l->pos + 1] == '}';
	return c == 0 && l->pos >= l->len;
}

/* inlined: valid is a short literal, the loop unrolled */
static inline __attribute__((always_inline)) int accept(struct tmpl_lexer *l, const char *valid)
{
	const char *v;

	if (l->pos < l->len)
		for (v = valid; *v; v++)
			if (l->input[l->pos] == *v) {
				l->pos++;
				return 1;
			}
	return 0;
}

/* past the bytes of class cls (C_DEC, C_HEX, C_OCT or C_BIN: a base's digits and '_') */
static void accept_run(struct tmpl_lexer *l, unsigned cls)
{
	while (ascii_class[(unsigned char)l->input[l->pos]] & cls)
		l->pos++;
}

static int scan_number(struct tmpl_lexer *l)
{
	unsigned digits = C_DEC;
	size_t size;

	accept(l, "+-");
	if (accept(l, "0")) {
		if (accept(l, "xX"))
			digits = C_HEX;
		else if (accept(l, "oO"))
			digits = C_OCT;
		else if (accept(l, "bB"))
			digits = C_BIN;
	}
	accept_run(l, digits);
	if (accept(l, "."))
		accept_run(l, digits);
	if (digits == C_DEC && accept(l, "eE")) {
		accept(l, "+-");
		accept_run(l, C_DEC);
	}
	if (digits == C_HEX && accept(l, "pP")) {
		accept(l, "+-");
		accept_run(l, C_DEC);
	}
	accept(l, "i");
	if (is_alnum(peek(l))) {
		next(l, &size);
		return 0;
	}
	return 1;
}

static void quoted_error(struct tmpl_lexer *l, struct tmpl_token *out, const char *what)
{
	char msg[200], q[64];
	size_t n = l->pos - l->start, i, k = 0, runes = 0;

	/* bad number syntax: %q of the text so far */
	q[k++] = '"';
	for (i = 0; i < n && k < sizeof(q) - 8 && runes < 40; i++, runes++) {
		char c = l->input[l->start + i];
		if (c == '"' || c == '\\')
			q[k++] = '\\';
		q[k++] = c;
	}
	q[k++] = '"';
	q[k] = '\0';
	snprintf(msg, sizeof(msg), "%s: %s", what, q);
	errorf(l, out, msg);
}


static void lex_right_delim(struct tmpl_lexer *l, struct tmpl_token *out)
{
	int trim;

	at_right_delim(l, &trim);
	if (trim) {
		l->pos += 2;
		ignore(l);
	}
	l->pos += 2;
	emit(l, out, I_RDELIM);
	if (trim) {
		l->pos += left_trim_length(l->input + l->pos, l->len - l->pos);
		ignore(l);
	}
	l->inside = 0;
}

static __attribute__((noinline)) void lex_text(struct tmpl_lexer *l, struct tmpl_token *out);

static void lex_comment(struct tmpl_lexer *l, struct tmpl_token *out)
{
	const char *end;
	int trim;

	l->pos += 2;
	end = memmem(l->input + l->pos, l->len - l->pos, "*/", 2);
	if (!end) {
		errorf(l, out, "unclosed comment");
		l->done_pos = l->start;
		return;
	}
	l->pos = (size_t)(end - l->input) + 2;
	if (!at_right_delim(l, &trim)) {
		errorf(l, out, "comment ends before closing delimiter");
		l->done_pos = l->start; /* the comment's newlines are not counted */
		return;
	}
	if (trim)
		l->pos += 2;
	l->pos += 2;
	if (trim)
		l->pos += left_trim_length(l->input + l->pos, l->len - l->pos);
	ignore(l);
	lex_text(l, out);
}

static inline __attribute__((always_inline)) void lex_left_delim(struct tmpl_lexer *l, struct tmpl_token *out)
{
	int trim;
	size_t after = 0;
	struct tmpl_token tok;

	l->pos += 2;
	trim = has_left_trim(l, l->pos);
	if (trim)
		after = 2;
	if (has_prefix(l, l->pos + after, "/*")) {
		l->pos += after;
		ignore(l);
		lex_comment(l, out);
		return;
	}
	emit(l, &tok, I_LDELIM);
	l->inside = 1;
	l->pos += after;
	ignore(l);
	l->paren_depth = 0;
	*out = tok;
}

/* the first "{{" at or after pos: memchr for the '{' (vectorized), then its second */
static const char *find_left_delim(const char *s, const char *end)
{
	while (s + 1 < end) {
		const char *x = memchr(s, '{', (size_t)(end - s - 1));
		if (!x)
			return NULL;
		if (x[1] == '{')
			return x;
		s = x + 1;
	}
	return NULL;
}

static __attribute__((noinline)) void lex_text(struct tmpl_lexer *l, struct tmpl_token *out)
{
	const char *x;

	/* right after a text, at the delimiter that ended it */
	if (l->input[l->pos] == '{' && l->input[l->pos + 1] == '{') {
		lex_left_delim(l, out);
		return;
	}
	x = find_left_delim(l->input + l->pos, l->input + l->len);

	if (x) {
		size_t at = (size_t)(x - l->input);
		if (at > l->pos) {
			size_t trim = 0;
			l->pos = at;
			if (has_left_trim(l, at + 2))
				trim = right_trim_length(l->input + l->start, l->pos - l->start);
			l->pos -= trim;
			if (l->pos > l->start) {
				emit(l, out, I_TEXT);
				l->pos += trim;
				ignore(l);
				return;
			}
			l->pos += trim;
			ignore(l);
		}
		lex_left_delim(l, out);
		return;
	}
	l->pos = l->len;
	if (l->pos > l->start) {
		emit(l, out, I_TEXT);
		return;
	}
	emit(l, out, I_EOF);
	l->done = 1;
	l->done_pos = l->pos;
}

/* past the alphanumeric runes at pos: ASCII a byte at a time, others decoded (none is a newline) */
static inline __attribute__((always_inline)) void scan_alnum(struct tmpl_lexer *l)
{
	const unsigned char *in = (const unsigned char *)l->input;
	size_t p = l->pos, n = l->len, size;

	for (;;) {
		while (ascii_class[in[p]] & C_ALNUM)
			p++;
		if (in[p] >= 0x80 && is_alnum((int)tmpl_rune(l->input + p, n - p, &size))) {
			p += size;
			continue;
		}
		break;
	}
	l->pos = p;
}

/* the keyword (or . true false) that word is, else I_IDENT */
static enum tmpl_item keyword(const char *w, size_t n)
{
#define IS(s) (!memcmp(w, s, sizeof(s) - 1))
	switch (n) {
	case 1:
		return w[0] == '.' ? I_DOT : I_IDENT;
	case 2:
		return IS("if") ? I_IF : I_IDENT;
	case 3:
		return IS("end") ? I_END : IS("nil") ? I_NIL : I_IDENT;
	case 4:
		return IS("else") ? I_ELSE : IS("with") ? I_WITH : IS("true") ? I_BOOL : I_IDENT;
	case 5:
		return IS("block") ? I_BLOCK : IS("break") ? I_BREAK : IS("range") ? I_RANGE :
		       IS("false") ? I_BOOL : I_IDENT;
	case 6:
		return IS("define") ? I_DEFINE : I_IDENT;
	case 8:
		return IS("continue") ? I_CONTINUE : IS("template") ? I_TEMPLATE : I_IDENT;
	}
	return I_IDENT;
#undef IS
}


static __attribute__((noinline)) void lex_identifier(struct tmpl_lexer *l, struct tmpl_token *out)
{
	enum tmpl_item item;

	scan_alnum(l);
	if (!at_terminator(l)) {
		bad_char(l, out, "bad character", peek(l));
		return;
	}
	item = keyword(l->input + l->start, l->pos - l->start);
	if (item == I_IDENT && l->input[l->start] == '.')
		item = I_FIELD;
	emit(l, out, item);
}

/*
 * A field followed by more (.a.b.c): one I_FIELD item for the run, where
 * Go's lexer makes one a name; the parser splits it again (the names of a
 * run are only ever chained).  Only a run of ASCII names each ending where
 * a field ends, the run itself not at a '.', is taken whole: anything else
 * (a name with other letters, a bad character, a number, a dot) is left to
 * the items one at a time, so that a merged run is never followed by a
 * field and its errors are the same.
 */
static void field_run(struct tmpl_lexer *l)
{
	const unsigned char *in = (const unsigned char *)l->input;
	size_t q = l->pos, end = l->pos;

	while (in[q] == '.' && (ascii_class[in[q + 1]] & C_NAME1)) {
		unsigned char c;
		q += 2;
		while (ascii_class[in[q]] & C_ALNUM)
			q++;
		c = in[q];
		if (!((ascii_class[c] & C_TERM) || (c == '}' && in[q + 1] == '}') || (c == 0 && q >= l->len)))
			break;
		end = q;
	}
	if (in[end] != '.')
		l->pos = end;
}

static __attribute__((noinline)) void lex_field_or_variable(struct tmpl_lexer *l, struct tmpl_token *out, enum tmpl_item typ)
{
	if (at_terminator(l)) {
		emit(l, out, typ == I_VARIABLE ? I_VARIABLE : I_DOT);
		return;
	}
	scan_alnum(l);
	if (!at_terminator(l)) {
		bad_char(l, out, "bad character", peek(l));
		return;
	}
	if (typ == I_FIELD && l->input[l->pos] == '.')
		field_run(l);
	emit(l, out, typ);
}

static __attribute__((noinline)) void lex_space(struct tmpl_lexer *l, struct tmpl_token *out)
{
	int spaces = 0;
	const unsigned char *in = (const unsigned char *)l->input;

	while (ascii_class[in[l->pos]] & C_SPACE) {
		l->pos++;
		spaces++;
	}
	if (has_right_trim(l, l->pos - 1) && has_prefix(l, l->pos + 1, "}}")) {
		backup(l, 1);
		if (spaces == 1) {
			lex_right_delim(l, out);
			return;
		}
	}
	emit(l, out, I_SPACE);
}

/*
 * A quoted string or character constant: its plain bytes a run at a time
 * (the text ends in a NUL, which stops the run as the end does).  A
 * multibyte rune holds no ASCII byte, so bytes stand for runes here.
 */
static __attribute__((noinline)) void lex_quote(struct tmpl_lexer *l, struct tmpl_token *out, int quote, enum tmpl_item typ, const char *err)
{
	const unsigned char *in = (const unsigned char *)l->input;
	unsigned stop = quote == '"' ? C_DQSTOP : C_SQSTOP;
	size_t p = l->pos, n = l->len;
	int esc = 0;

	for (;;) {
		unsigned char c;
		while (!(ascii_class[in[p]] & stop))
			p++;
		if (p >= n) {
			l->pos = n;
			errorf(l, out, err);
			return;
		}
		c = in[p++];
		if (c == quote)
			break;
		if (c == '\\') {
			esc = 1;
			if (p < n && in[p] != '\n') {
				/* the escaped rune: its first byte (the rest are plain bytes) */
				p++;
				continue;
			}
			if (p < n)
				p++;
			l->pos = p;
			errorf(l, out, err);
			return;
		}
		if (c == '\n') {
			l->pos = p;
			errorf(l, out, err);
			return;
		}
		/* a NUL byte inside the text: a plain byte */
	}
	l->pos = p;
	emit(l, out, typ);
	out->esc = (unsigned char)esc;
}

static void lex_raw_quote(struct tmpl_lexer *l, struct tmpl_token *out)
{
	const char *end = memchr(l->input + l->pos, '`', l->len - l->pos);

	if (!end) {
		l->pos = l->len;
		errorf(l, out, "unterminated raw quoted string");
		return;
	}
	l->pos = (size_t)(end - l->input) + 1;
	emit(l, out, I_RAWSTRING);
	out->esc = memchr(out->val, '\r', out->len) != NULL;
}

static void lex_number(struct tmpl_lexer *l, struct tmpl_token *out)
{
	int sign;

	if (!scan_number(l)) {
		quoted_error(l, out, "bad number syntax");
		return;
	}
	sign = peek(l);
	if (sign == '+' || sign == '-') {
		if (!scan_number(l) || l->input[l->pos - 1] != 'i') {
			quoted_error(l, out, "bad number syntax");
			return;
		}
		emit(l, out, I_COMPLEX);
		return;
	}
	emit(l, out, I_NUMBER);
}

/* an item in an action, the general case (lex_inside takes the common ones first) */
static __attribute__((noinline)) void lex_inside_slow(struct tmpl_lexer *l, struct tmpl_token *out)
{
	int trim, r;
	size_t size;

	/* a right delimiter starts with '}' or a space (" -}}") */
	if ((l->input[l->pos] == '}' || (ascii_class[(unsigned char)l->input[l->pos]] & C_SPACE)) &&
	    at_right_delim(l, &trim)) {
		if (l->paren_depth == 0) {
			lex_right_delim(l, out);
			return;
		}
		errorf(l, out, "unclosed left paren");
		return;
	}
	r = next(l, &size);
	if (r == EOF_RUNE) {
		errorf(l, out, "unclosed action");
		return;
	}
	if (is_space(r)) {
		backup(l, size);
		lex_space(l, out);
		return;
	}
	switch (r) {
	case '=':
		emit(l, out, I_ASSIGN);
		return;
	case ':':
		if (next(l, &size) != '=') {
			errorf(l, out, "expected :=");
			return;
		}
		emit(l, out, I_DECLARE);
		return;
	case '|':
		emit(l, out, I_PIPE);
		return;
	case '"':
		lex_quote(l, out, '"', I_STRING, "unterminated quoted string");
		return;
	case '`':
		lex_raw_quote(l, out);
		return;
	case '$':
		if (at_terminator(l)) {
			emit(l, out, I_VARIABLE);
			return;
		}
		lex_field_or_variable(l, out, I_VARIABLE);
		return;
	case '\'':
		lex_quote(l, out, '\'', I_CHARCONST, "unterminated character constant");
		return;
	case '(':
		l->paren_depth++;
		emit(l, out, I_LPAREN);
		return;
	case ')':
		l->paren_depth--;
		if (l->paren_depth < 0) {
			errorf(l, out, "unexpected right paren");
			return;
		}
		emit(l, out, I_RPAREN);
		return;
	}
	if (r == '.') {
		if (l->pos < l->len) {
			char c = l->input[l->pos];
			if (c < '0' || c > '9') {
				lex_field_or_variable(l, out, I_FIELD);
				return;
			}
		}
	}
	if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
		backup(l, size);
		lex_number(l, out);
		return;
	}
	if (is_alnum(r)) {
		backup(l, size);
		lex_identifier(l, out);
		return;
	}
	if (r < 0x80 && r >= 0x20 && r != 0x7F) {
		emit(l, out, I_CHAR);
		return;
	}
	bad_char(l, out, "unrecognized character in action:", r);
}

/* at a right delimiter: it, or the error when a paren is open */
static __attribute__((noinline)) void lex_right_delim_at(struct tmpl_lexer *l, struct tmpl_token *out)
{
	if (l->paren_depth == 0)
		lex_right_delim(l, out);
	else
		errorf(l, out, "unclosed left paren");
}

/*
 * An item in an action: the common first bytes decided here, each item's
 * work in a function of its own called last, so that this dispatch saves
 * no registers (its cost per item was as much as a short item's work).
 * What this does for each byte is what lex_inside_slow does for it.
 */
static inline __attribute__((always_inline)) void lex_inside(struct tmpl_lexer *l, struct tmpl_token *out)
{
	const unsigned char *in = (const unsigned char *)l->input;
	size_t pos = l->pos;
	unsigned char c = in[pos], c1;

	if (ascii_class[c] & C_SPACE) {
		c1 = in[pos + 1];
		if (c1 == '-' && in[pos + 2] == '}' && in[pos + 3] == '}') {
			lex_right_delim_at(l, out);
		} else if (!(ascii_class[c1] & C_SPACE) && c1 != '-') {
			/* one space, not before a trim marker */
			l->pos = pos + 1;
			emit(l, out, I_SPACE);
		} else {
			lex_space(l, out);
		}
		return;
	}
	if (ascii_class[c] & C_NAME1) {
		lex_identifier(l, out);
		return;
	}
	switch (c) {
	case '}':
		if (in[pos + 1] != '}')
			break;
		lex_right_delim_at(l, out);
		return;
	case '.':
		c1 = in[pos + 1];
		if ((c1 >= '0' && c1 <= '9') || (c1 == 0 && pos + 1 >= l->len))
			break;
		l->pos = pos + 1;
		lex_field_or_variable(l, out, I_FIELD);
		return;
	case '$':
		l->pos = pos + 1;
		if (at_terminator(l))
			emit(l, out, I_VARIABLE);
		else
			lex_field_or_variable(l, out, I_VARIABLE);
		return;
	case '"':
		l->pos = pos + 1;
		lex_quote(l, out, '"', I_STRING, "unterminated quoted string");
		return;
	case '|':
		l->pos = pos + 1;
		emit(l, out, I_PIPE);
		return;
	case '(':
		l->pos = pos + 1;
		l->paren_depth++;
		emit(l, out, I_LPAREN);
		return;
	}
	lex_inside_slow(l, out);
}

static __attribute__((noinline)) void lex_done(struct tmpl_lexer *l, struct tmpl_token *out)
{
	out->typ = I_EOF;
	out->esc = 0;
	out->pos = l->len;
	out->val = l->input + l->len;
	out->len = 0;
	out->line = 1 + (int)count_newlines(l->input, l->done_pos);
}

void tmpl_lex_next(struct tmpl_lexer *l, struct tmpl_token *out)
{
	if (l->done) {
		lex_done(l, out);
		return;
	}
	if (l->inside)
		lex_inside(l, out);
	else
		lex_text(l, out);
}
