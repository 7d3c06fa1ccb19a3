/*
 * tmpl_fmt.c: Go's fmt (Sprint, Sprintln, Sprintf) over the engine's values:
 * the verbs, flags, width and precision as Go 1.23 prints bool, int, int64,
 * float64, string, nil, []interface {}, []string and maps (sorted keys), and
 * Go's error forms (%!d(float64=42), %!v(MISSING), %!(EXTRA ...)).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/template/tmpl_int.h"
#include "lib/value/value.h"

struct fmtf {
	int wid, prec;
	int wid_present, prec_present;
	int minus, plus, sharp, space, zero;
	int plus_v, sharp_v;
};

/* values nested deeper than this are not printed (-2): Go's fmt has no bound, and overflows its stack */
#define TMPL_PRINT_DEPTH 10000

struct pp {
	struct gitops_buf *buf;
	struct fmtf f;
	int fail;
};

static const char ldigits[] = "0123456789abcdefx";
static const char udigits[] = "0123456789ABCDEFX";

static void put(struct pp *p, const char *s, size_t n)
{
	if (!p->fail && gitops_buf_add(p->buf, s, n) < 0)
		p->fail = 1;
}

static void puts_(struct pp *p, const char *s)
{
	put(p, s, strlen(s));
}

static void putc_(struct pp *p, char c)
{
	put(p, &c, 1);
}

static size_t rune_count(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static void write_padding(struct pp *p, int n)
{
	char pad = p->f.zero ? '0' : ' ';

	while (n-- > 0)
		put(p, &pad, 1);
}

static void pad(struct pp *p, const char *b, size_t n)
{
	int width;

	if (!p->f.wid_present || p->f.wid == 0) {
		put(p, b, n);
		return;
	}
	width = p->f.wid - (int)rune_count(b, n);
	if (!p->f.minus) {
		write_padding(p, width);
		put(p, b, n);
	} else {
		put(p, b, n);
		write_padding(p, width);
	}
}

unsigned gitops_tmpl_decode_rune(const char *s, size_t n, size_t *size)
{
	return tmpl_rune(s, n, size);
}

/* Go's utf8.DecodeRune: the rune and its length; 0xFFFD and 1 for a bad byte, an overlong form or a surrogate */
unsigned tmpl_rune(const char *str, size_t n, size_t *size)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c, r;
	size_t need, i;

	*size = n ? 1 : 0;
	if (!n)
		return 0xFFFD;
	c = s[0];
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1, r = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		need = 2, r = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		need = 3, r = c & 0x07;
	else
		return 0xFFFD;
	if (n < need + 1)
		return 0xFFFD;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		r = (r << 6) | (s[i] & 0x3F);
	}
	if ((need == 2 && (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF))) || (need == 3 && (r < 0x10000 || r > 0x10FFFF)))
		return 0xFFFD;
	*size = need + 1;
	return r;
}

static size_t encode_rune(char *out, unsigned r)
{
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
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

/*
 * unicode.IsPrint, approximated: graphic ASCII and space, and the letters,
 * marks, numbers, punctuation and symbols beyond; not C0/C1 controls, not
 * the format characters and separators Go escapes.
 */
static int is_print(unsigned r)
{
	return r <= 0x10FFFF && tmpl_unicode_is_print((int)r);
}

static void append_quoted_rune(struct gitops_buf *b, unsigned r, int width, char quote, int ascii, int *fail)
{
	char tmp[16];
	size_t n;

	if (width == 1 && r == 0xFFFD) {
		/* an invalid byte, as \x */
		return;
	}
	if (r == (unsigned)quote || r == '\\') {
		tmp[0] = '\\';
		tmp[1] = (char)r;
		n = 2;
	} else if (ascii ? (r < 0x80 && is_print(r)) : is_print(r)) {
		n = encode_rune(tmp, r);
	} else {
		switch (r) {
		case '\a': n = (size_t)snprintf(tmp, sizeof(tmp), "\\a"); break;
		case '\b': n = (size_t)snprintf(tmp, sizeof(tmp), "\\b"); break;
		case '\f': n = (size_t)snprintf(tmp, sizeof(tmp), "\\f"); break;
		case '\n': n = (size_t)snprintf(tmp, sizeof(tmp), "\\n"); break;
		case '\r': n = (size_t)snprintf(tmp, sizeof(tmp), "\\r"); break;
		case '\t': n = (size_t)snprintf(tmp, sizeof(tmp), "\\t"); break;
		case '\v': n = (size_t)snprintf(tmp, sizeof(tmp), "\\v"); break;
		default:
			if (r < ' ' || r == 0x7F)
				n = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", r);
			else if (r > 0x10FFFF)
				n = (size_t)snprintf(tmp, sizeof(tmp), "\\ufffd");
			else if (r < 0x10000)
				n = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04x", r);
			else
				n = (size_t)snprintf(tmp, sizeof(tmp), "\\U%08x", r);
		}
	}
	if (gitops_buf_add(b, tmp, n) < 0)
		*fail = 1;
}

/* strconv.Quote / QuoteToASCII */
int tmpl_fmt_quote(struct gitops_buf *b, const char *s, size_t len, int ascii)
{
	size_t i = 0, size;
	int fail = 0;
	char tmp[8];

	if (gitops_buf_add(b, "\"", 1) < 0)
		return -1;
	while (i < len) {
		unsigned r;
		size_t j = i;
		/* a run of printable ASCII but the quote and the backslash stays as it is */
		while (j < len && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7f && s[j] != '"' && s[j] != '\\')
			j++;
		if (j > i) {
			if (gitops_buf_add(b, s + i, j - i) < 0)
				fail = 1;
			i = j;
			continue;
		}
		r = tmpl_rune(s + i, len - i, &size);
		if (r == 0xFFFD && size == 1) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", (unsigned char)s[i]);
			if (gitops_buf_add(b, tmp, 4) < 0)
				fail = 1;
		} else {
			append_quoted_rune(b, r, (int)size, '"', ascii, &fail);
		}
		i += size;
	}
	if (gitops_buf_add(b, "\"", 1) < 0)
		fail = 1;
	return fail ? -1 : 0;
}

static int quote_rune(struct gitops_buf *b, unsigned r, int ascii)
{
	int fail = 0;

	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	if (gitops_buf_add(b, "'", 1) < 0)
		return -1;
	append_quoted_rune(b, r, 3, '\'', ascii, &fail);
	if (gitops_buf_add(b, "'", 1) < 0)
		fail = 1;
	return fail ? -1 : 0;
}

/* --- the fmt verbs --- */

static void fmt_boolean(struct pp *p, int v)
{
	if (v)
		pad(p, "true", 4);
	else
		pad(p, "false", 5);
}

static void fmt_integer(struct pp *p, uint64_t u, int base, int is_signed, char verb, const char *digits)
{
	int negative = is_signed && (int64_t)u < 0;
	char buf[2200];
	int i = (int)sizeof(buf), prec = 0, old_zero;

	if (negative)
		u = -u;
	if (p->f.prec_present) {
		prec = p->f.prec;
		if (prec == 0 && u == 0) {
			old_zero = p->f.zero;
			p->f.zero = 0;
			write_padding(p, p->f.wid);
			p->f.zero = old_zero;
			return;
		}
	} else if (p->f.zero && !p->f.minus && p->f.wid_present) {
		prec = p->f.wid;
		if (negative || p->f.plus || p->f.space)
			prec--;
	}
	if (prec > 2000)
		prec = 2000;
	do {
		buf[--i] = digits[u % (unsigned)base];
		u /= (unsigned)base;
	} while (u);
	while (i > 10 && prec > (int)sizeof(buf) - i)
		buf[--i] = '0';
	if (p->f.sharp) {
		switch (base) {
		case 2:
			buf[--i] = 'b';
			buf[--i] = '0';
			break;
		case 8:
			if (buf[i] != '0')
				buf[--i] = '0';
			break;
		case 16:
			buf[--i] = digits[16];
			buf[--i] = '0';
			break;
		}
	}
	if (verb == 'O') {
		buf[--i] = 'o';
		buf[--i] = '0';
	}
	if (negative)
		buf[--i] = '-';
	else if (p->f.plus)
		buf[--i] = '+';
	else if (p->f.space)
		buf[--i] = ' ';
	old_zero = p->f.zero;
	p->f.zero = 0;
	pad(p, buf + i, sizeof(buf) - (size_t)i);
	p->f.zero = old_zero;
}

static void fmt_unicode(struct pp *p, uint64_t u)
{
	char buf[80];
	int n, prec = 4;

	if (p->f.prec_present && p->f.prec > 4)
		prec = p->f.prec > 60 ? 60 : p->f.prec;
	n = snprintf(buf, sizeof(buf), "U+%0*llX", prec, (unsigned long long)u);
	if (p->f.sharp && u <= 0x10FFFF && is_print((unsigned)u)) {
		buf[n++] = ' ';
		buf[n++] = '\'';
		n += (int)encode_rune(buf + n, (unsigned)u);
		buf[n++] = '\'';
	}
	{
		int old_zero = p->f.zero;
		p->f.zero = 0;
		pad(p, buf, (size_t)n);
		p->f.zero = old_zero;
	}
}

/* strconv.FormatFloat(f, 'x'/'X', prec, 64): Go's fmtX (finite f) */
static int hex_float(char *out, size_t size, double v, int prec, int upper)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	uint64_t bits, mant;
	int exp, neg, i;
	size_t n = 0;
	char buf[128];

	memcpy(&bits, &v, sizeof(bits));
	neg = (int)(bits >> 63);
	exp = (int)((bits >> 52) & 0x7FF);
	mant = bits & ((UINT64_C(1) << 52) - 1);
	if (exp == 0)
		exp++;
	else
		mant |= UINT64_C(1) << 52;
	exp += -1023;
	if (mant == 0)
		exp = 0;
	mant <<= 60 - 52;
	while (mant != 0 && (mant & (UINT64_C(1) << 60)) == 0) {
		mant <<= 1;
		exp--;
	}
	if (prec >= 0 && prec < 15) {
		unsigned shift = (unsigned)prec * 4;
		uint64_t extra = (mant << shift) & ((UINT64_C(1) << 60) - 1);
		mant >>= 60 - shift;
		if ((extra | (mant & 1)) > (UINT64_C(1) << 59))
			mant++;
		mant <<= 60 - shift;
		if (mant & (UINT64_C(1) << 61)) {
			mant >>= 1;
			exp++;
		}
	}
	if (neg)
		buf[n++] = '-';
	buf[n++] = '0';
	buf[n++] = upper ? 'X' : 'x';
	buf[n++] = (char)('0' + ((mant >> 60) & 1));
	mant <<= 4;
	if (prec < 0 && mant != 0) {
		buf[n++] = '.';
		while (mant != 0) {
			buf[n++] = hex[(mant >> 60) & 15];
			mant <<= 4;
		}
	} else if (prec > 0) {
		buf[n++] = '.';
		for (i = 0; i < prec && n < sizeof(buf) - 10; i++) {
			buf[n++] = hex[(mant >> 60) & 15];
			mant <<= 4;
		}
	}
	buf[n++] = upper ? 'P' : 'p';
	buf[n++] = exp < 0 ? '-' : '+';
	if (exp < 0)
		exp = -exp;
	if (exp < 100)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%02d", exp);
	else
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%d", exp);
	buf[n] = '\0';
	return snprintf(out, size, "%s", buf);
}

/* strconv.AppendFloat(v, verb, prec, 64) */
static void format_float(char *out, size_t size, double v, char verb, int prec)
{
	if (isinf(v)) {
		snprintf(out, size, "%s", v < 0 ? "-Inf" : "+Inf");
		return;
	}
	if (isnan(v)) {
		snprintf(out, size, "NaN");
		return;
	}
	if (prec > 400)
		prec = 400;
	switch (verb) {
	case 'e':
	case 'E':
	case 'f':
	case 'F':
		if (prec < 0) {
			/* shortest: not reached through fmt (default precision 6) */
			prec = 6;
		}
		snprintf(out, size, verb == 'e' ? "%.*e" : verb == 'E' ? "%.*E" : "%.*f", prec, v);
		return;
	case 'g':
	case 'G':
		if (prec < 0) {
			gitops_value_format_float(out, size, v, GITOPS_FLOAT_G);
			if (verb == 'G') {
				char *e = strchr(out, 'e');
				if (e)
					*e = 'E';
			}
			return;
		}
		snprintf(out, size, verb == 'g' ? "%.*g" : "%.*G", prec == 0 ? 1 : prec, v);
		return;
	case 'x':
	case 'X':
		hex_float(out, size, v, prec, verb == 'X');
		return;
	case 'b': {
		uint64_t bits, mant;
		int exp;
		memcpy(&bits, &v, sizeof(bits));
		mant = bits & ((UINT64_C(1) << 52) - 1);
		exp = (int)((bits >> 52) & 0x7FF);
		if (exp == 0)
			exp++;
		else
			mant |= UINT64_C(1) << 52;
		exp += -1023 - 52;
		snprintf(out, size, "%s%llup%c%d", (bits >> 63) ? "-" : "", (unsigned long long)mant, exp >= 0 ? '+' : '-',
			 exp < 0 ? -exp : exp);
		return;
	}
	}
	snprintf(out, size, "%g", v);
}

static void fmt_float(struct pp *p, double v, char verb, int prec)
{
	char tmp[512], *num;
	size_t n;

	if (p->f.prec_present)
		prec = p->f.prec;
	format_float(tmp + 1, sizeof(tmp) - 1, v, verb, prec);
	if (tmp[1] == '-' || tmp[1] == '+') {
		num = tmp + 1;
	} else {
		tmp[0] = '+';
		num = tmp;
	}
	n = strlen(num);
	if (p->f.space && num[0] == '+' && !p->f.plus)
		num[0] = ' ';
	if (num[1] == 'I' || num[1] == 'N') {
		int old_zero = p->f.zero;
		p->f.zero = 0;
		if (num[1] == 'N' && !p->f.space && !p->f.plus) {
			num++;
			n--;
		}
		pad(p, num, n);
		p->f.zero = old_zero;
		return;
	}
	if (p->f.sharp && verb != 'b') {
		/* Go's #: a decimal point always, and %g's trailing zeros up to the precision */
		int digits = 0, has_point = 0, nonzero = 0;
		char tail[16] = "";
		size_t i;
		if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x')
			digits = prec == -1 ? 6 : prec;
		for (i = 1; i < n; i++) {
			char c = num[i];
			if (c == '.') {
				has_point = 1;
			} else if (c == 'p' || c == 'P' || ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
				snprintf(tail, sizeof(tail), "%s", num + i);
				num[i] = '\0';
				n = i;
				break;
			} else {
				if (c != '0')
					nonzero = 1;
				if (nonzero)
					digits--;
			}
		}
		if (!has_point) {
			if (n == 2 && num[1] == '0')
				digits--;
			num[n++] = '.';
		}
		while (digits-- > 0 && n < sizeof(tmp) - 20)
			num[n++] = '0';
		num[n] = '\0';
		snprintf(num + n, sizeof(tmp) - (size_t)(num - tmp) - n, "%s", tail);
		n = strlen(num);
	}
	if (p->f.plus || num[0] != '+') {
		if (p->f.zero && !p->f.minus && p->f.wid_present && p->f.wid > (int)n) {
			put(p, num, 1);
			write_padding(p, p->f.wid - (int)n);
			put(p, num + 1, n - 1);
			return;
		}
		pad(p, num, n);
		return;
	}
	pad(p, num + 1, n - 1);
}

static size_t truncate_len(struct pp *p, const char *s, size_t n)
{
	size_t i = 0;
	int runes = 0;

	if (!p->f.prec_present)
		return n;
	while (i < n) {
		if (runes >= p->f.prec)
			return i;
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		runes++;
	}
	return n;
}

static void fmt_s(struct pp *p, const char *s, size_t n)
{
	pad(p, s, truncate_len(p, s, n));
}

static void fmt_sx(struct pp *p, const char *s, size_t n, const char *digits)
{
	size_t length = n, i;
	int width;

	if (p->f.prec_present && (size_t)p->f.prec < length)
		length = (size_t)p->f.prec;
	width = (int)(2 * length);
	if (width > 0) {
		if (p->f.space) {
			if (p->f.sharp)
				width *= 2;
			width += (int)length - 1;
		} else if (p->f.sharp) {
			width += 2;
		}
	} else {
		if (p->f.wid_present)
			write_padding(p, p->f.wid);
		return;
	}
	if (p->f.wid_present && p->f.wid > width && !p->f.minus)
		write_padding(p, p->f.wid - width);
	if (p->f.sharp) {
		putc_(p, '0');
		putc_(p, digits[16]);
	}
	for (i = 0; i < length; i++) {
		unsigned char c = (unsigned char)s[i];
		if (p->f.space && i > 0) {
			putc_(p, ' ');
			if (p->f.sharp) {
				putc_(p, '0');
				putc_(p, digits[16]);
			}
		}
		putc_(p, digits[c >> 4]);
		putc_(p, digits[c & 0xF]);
	}
	if (p->f.wid_present && p->f.wid > width && p->f.minus)
		write_padding(p, p->f.wid - width);
}

static int can_backquote(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '`' || c == 0x7F || (c < ' ' && c != '\t'))
			return 0;
	}
	return 1;
}

static void fmt_q(struct pp *p, const char *s, size_t n)
{
	struct gitops_buf q = GITOPS_BUF_INIT;

	n = truncate_len(p, s, n);
	if (p->f.sharp && can_backquote(s, n)) {
		if (gitops_buf_add(&q, "`", 1) < 0 || gitops_buf_add(&q, s, n) < 0 || gitops_buf_add(&q, "`", 1) < 0)
			p->fail = 1;
	} else if (tmpl_fmt_quote(&q, s, n, p->f.plus) < 0) {
		p->fail = 1;
	}
	if (q.data)
		pad(p, q.data, q.len);
	gitops_buf_release(&q);
}

static void print_value(struct pp *p, const struct gitops_tmpl_value *v, char verb, int depth);

static void bad_verb(struct pp *p, const struct gitops_tmpl_value *v, char verb)
{
	puts_(p, "%!");
	putc_(p, verb);
	putc_(p, '(');
	if (v && v->kind != GITOPS_TMPL_NIL) {
		puts_(p, gitops_tmpl_value_type_name(v));
		putc_(p, '=');
		print_value(p, v, 'v', 0);
	} else {
		puts_(p, "<nil>");
	}
	putc_(p, ')');
}

static void fmt_int_verb(struct pp *p, const struct gitops_tmpl_value *v, char verb)
{
	uint64_t u = (uint64_t)v->u.i;
	int is_signed = v->kind != GITOPS_TMPL_UINT64;

	switch (verb) {
	case 'v':
	case 'd':
		fmt_integer(p, u, 10, is_signed, verb, ldigits);
		break;
	case 'b':
		fmt_integer(p, u, 2, is_signed, verb, ldigits);
		break;
	case 'o':
	case 'O':
		fmt_integer(p, u, 8, is_signed, verb, ldigits);
		break;
	case 'x':
		fmt_integer(p, u, 16, is_signed, verb, ldigits);
		break;
	case 'X':
		fmt_integer(p, u, 16, is_signed, verb, udigits);
		break;
	case 'c': {
		char tmp[4];
		unsigned r = (v->u.i < 0 || v->u.i > 0x10FFFF) ? 0xFFFD : (unsigned)v->u.i;
		pad(p, tmp, encode_rune(tmp, r));
		break;
	}
	case 'q': {
		struct gitops_buf q = GITOPS_BUF_INIT;
		unsigned r = (v->u.i < 0 || v->u.i > 0x10FFFF) ? 0xFFFD : (unsigned)v->u.i;
		if (quote_rune(&q, r, p->f.plus) < 0)
			p->fail = 1;
		else
			pad(p, q.data, q.len);
		gitops_buf_release(&q);
		break;
	}
	case 'U':
		fmt_unicode(p, u);
		break;
	default:
		bad_verb(p, v, verb);
	}
}

/* fmtFloat of a verb Go takes for floats */
static void float_verb(struct pp *p, double f, char verb)
{
	switch (verb) {
	case 'v':
		fmt_float(p, f, 'g', -1);
		break;
	case 'b':
	case 'g':
	case 'G':
	case 'x':
	case 'X':
		fmt_float(p, f, verb, -1);
		break;
	default: /* f e E F */
		fmt_float(p, f, verb == 'F' ? 'f' : verb, 6);
	}
}

/* a struct of declared fields (GITOPS_TMPL_FIELDS): {a b}, %+v {A:a B:b}, embedded ones nested */
static void print_fields(struct pp *p, const struct gitops_tmpl_value *v, char verb, int depth)
{
	const struct gitops_tmpl_value *f = gitops_tmpl_map_get(v, GITOPS_TMPL_FIELDS, sizeof(GITOPS_TMPL_FIELDS) - 1);
	int first = 1, names = p->f.plus_v || p->f.sharp_v;
	size_t i;

	if (p->f.sharp_v)
		puts_(p, gitops_tmpl_value_type_name(v));
	putc_(p, '{');
	for (i = 0; i < gitops_tmpl_value_len(f); i++) {
		size_t len, nl;
		const char *e = gitops_tmpl_value_str(gitops_tmpl_value_item(f, i), &len), *sp;
		const struct gitops_tmpl_value *fv;

		if (!e)
			continue;
		if (len == 1 && e[0] == '}') {
			putc_(p, '}');
			first = 0;
			continue;
		}
		if (!first)
			puts_(p, p->f.sharp_v ? ", " : " ");
		first = 0;
		if (e[0] == '{') {
			if (names) {
				put(p, e + 1, len - 1);
				putc_(p, ':');
			}
			putc_(p, '{');
			first = 1;
			continue;
		}
		sp = memchr(e, ' ', len);
		nl = sp ? (size_t)(sp - e) : len;
		if (names) {
			put(p, e, nl);
			putc_(p, ':');
		}
		fv = gitops_tmpl_map_get(v, e, nl);
		if (fv && fv->kind == GITOPS_TMPL_MAP && fv->u.map.is_struct &&
		    gitops_tmpl_map_get(fv, GITOPS_TMPL_FIELDS, sizeof(GITOPS_TMPL_FIELDS) - 1))
			/* a struct field of a declared struct: its fields, not a String() of its pointer
			   (chartutil.KubeVersion's, reached only through an addressable value) */
			print_fields(p, fv, verb, depth + 1);
		else if (fv)
			print_value(p, fv, verb, depth + 1);
		else
			puts_(p, "<nil>");
	}
	putc_(p, '}');
}

static void print_value(struct pp *p, const struct gitops_tmpl_value *v, char verb, int depth)
{
	size_t i;

	if (p->fail)
		return;
	if (depth > TMPL_PRINT_DEPTH) {
		/* a map or list that holds itself (merge, set): Go's fmt recurses until its stack overflows */
		p->fail = 2;
		return;
	}
	if (verb == 'T' && depth == 0) {
		fmt_s(p, gitops_tmpl_value_type_name(v), strlen(gitops_tmpl_value_type_name(v)));
		return;
	}
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_NIL:
		if (depth == 0) {
			if (verb == 'v')
				pad(p, "<nil>", 5);
			else
				bad_verb(p, NULL, verb);
		} else if (p->f.sharp_v) {
			puts_(p, "interface {}(nil)");
		} else {
			puts_(p, "<nil>");
		}
		return;
	case GITOPS_TMPL_BOOL:
		if (verb == 't' || verb == 'v')
			fmt_boolean(p, v->u.b);
		else
			bad_verb(p, v, verb);
		return;
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8:
	case GITOPS_TMPL_UINT64:
		fmt_int_verb(p, v, verb);
		return;
	case GITOPS_TMPL_FLOAT64:
		if (!strchr("vbgGxXfeEF", verb) || !verb)
			bad_verb(p, v, verb);
		else
			float_verb(p, v->u.f, verb);
		return;
	case GITOPS_TMPL_COMPLEX128:
		/* fmtComplex: (RE+IMi), each part as a float of the verb, the imaginary one always signed */
		if (!strchr("vbgGxXfeEF", verb) || !verb) {
			bad_verb(p, v, verb);
		} else {
			int old_plus = p->f.plus;
			putc_(p, '(');
			float_verb(p, v->u.c.re, verb);
			p->f.plus = 1;
			float_verb(p, v->u.c.im, verb);
			puts_(p, "i)");
			p->f.plus = old_plus;
		}
		return;
	case GITOPS_TMPL_STRING:
		switch (verb) {
		case 'v':
			if (p->f.sharp_v)
				fmt_q(p, v->u.str.s, v->u.str.len);
			else
				fmt_s(p, v->u.str.s, v->u.str.len);
			break;
		case 's':
			fmt_s(p, v->u.str.s, v->u.str.len);
			break;
		case 'x':
			fmt_sx(p, v->u.str.s, v->u.str.len, ldigits);
			break;
		case 'X':
			fmt_sx(p, v->u.str.s, v->u.str.len, udigits);
			break;
		case 'q':
			fmt_q(p, v->u.str.s, v->u.str.len);
			break;
		default:
			bad_verb(p, v, verb);
		}
		return;
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		if (verb && strchr("sqxX", verb) && gitops_tmpl_value_is_bytes(v)) {
			/* a []byte with a verb for strings: its bytes as a string (fmtBytes) */
			struct gitops_buf b = GITOPS_BUF_INIT;
			struct gitops_tmpl_value *str = NULL;
			if (gitops_tmpl_value_bytes_of(&b, v) < 0 || !(str = gitops_tmpl_value_string(b.data, b.len)))
				p->fail = 1;
			else
				print_value(p, str, verb, depth);
			gitops_tmpl_value_unref(str);
			gitops_buf_release(&b);
			return;
		}
		if (p->f.sharp_v && v->go_nil) {
			puts_(p, gitops_tmpl_value_type_name(v));
			puts_(p, "(nil)");
		} else if (p->f.sharp_v) {
			puts_(p, gitops_tmpl_value_type_name(v));
			putc_(p, '{');
			for (i = 0; i < v->u.list.n; i++) {
				if (i)
					puts_(p, ", ");
				print_value(p, v->u.list.items[i], verb, depth + 1);
			}
			putc_(p, '}');
		} else {
			putc_(p, '[');
			for (i = 0; i < v->u.list.n; i++) {
				if (i)
					putc_(p, ' ');
				print_value(p, v->u.list.items[i], verb, depth + 1);
			}
			putc_(p, ']');
		}
		return;
	case GITOPS_TMPL_MAP:
		if (p->f.sharp_v && tmpl_named_int(v)) {
			/* %#v of time.Month: no GoString(), its number */
			print_value(p, tmpl_named_int(v), verb, depth);
			return;
		}
		if (v->u.map.is_struct && !p->f.sharp_v && verb != 'T') {
			/*
			 * A Stringer (handleMethods): its String() formatted with a verb
			 * that takes a string; another verb formats an integer type
			 * (time.Month) by its number.
			 */
			const struct gitops_tmpl_value *str =
				gitops_tmpl_map_get(v, GITOPS_TMPL_STRINGER, sizeof(GITOPS_TMPL_STRINGER) - 1);
			const struct gitops_tmpl_value *num =
				gitops_tmpl_map_get(v, GITOPS_TMPL_INTEGER, sizeof(GITOPS_TMPL_INTEGER) - 1);
			if (gitops_tmpl_value_kind(num) == GITOPS_TMPL_INT64 && !(verb && strchr("vsxXq", verb))) {
				print_value(p, num, verb, depth);
				return;
			}
			/* Go would print the struct's own fields for other verbs: not kept here */
			if (gitops_tmpl_value_kind(str) == GITOPS_TMPL_STRING) {
				print_value(p, str, verb, depth);
				return;
			}
		}
		if (v->u.map.is_struct && gitops_tmpl_map_get(v, GITOPS_TMPL_FIELDS, sizeof(GITOPS_TMPL_FIELDS) - 1)) {
			print_fields(p, v, verb, depth);
			return;
		}
		if (v->u.map.is_struct && v->u.map.type_name && v->u.map.type_name[0] != '*' &&
		    !gitops_tmpl_map_get(v, GITOPS_TMPL_STRINGER, sizeof(GITOPS_TMPL_STRINGER) - 1) &&
		    !gitops_tmpl_map_get(v, GITOPS_TMPL_INTEGER, sizeof(GITOPS_TMPL_INTEGER) - 1)) {
			/*
			 * a struct value that is no Stringer (Sprig's sprig.certificate): {F1 F2}, %+v {Name:F1 ...},
			 * %#v T{Name:F1, ...}; its fields in key order (the declared order of the
			 * structs made so far).  Pointers to structs (.Chart) print as maps still.
			 */
			if (p->f.sharp_v)
				puts_(p, gitops_tmpl_value_type_name(v));
			putc_(p, '{');
			for (i = 0; i < v->u.map.n; i++) {
				if (i)
					puts_(p, p->f.sharp_v ? ", " : " ");
				if (p->f.plus_v || p->f.sharp_v) {
					put(p, v->u.map.e[i].key, v->u.map.e[i].klen);
					putc_(p, ':');
				}
				print_value(p, v->u.map.e[i].val, verb, depth + 1);
			}
			putc_(p, '}');
			return;
		}
		if (p->f.sharp_v && v->go_nil) {
			puts_(p, gitops_tmpl_value_type_name(v));
			puts_(p, "(nil)");
			return;
		}
		if (p->f.sharp_v) {
			puts_(p, gitops_tmpl_value_type_name(v));
			putc_(p, '{');
		} else {
			puts_(p, "map[");
		}
		for (i = 0; i < v->u.map.n; i++) {
			struct gitops_tmpl_value key = { .kind = GITOPS_TMPL_STRING, .refs = 1 };
			key.u.str.s = v->u.map.e[i].key;
			key.u.str.len = v->u.map.e[i].klen;
			if (i)
				puts_(p, p->f.sharp_v ? ", " : " ");
			print_value(p, &key, verb, depth + 1);
			putc_(p, ':');
			print_value(p, v->u.map.e[i].val, verb, depth + 1);
		}
		putc_(p, p->f.sharp_v ? '}' : ']');
		return;
	}
}

static void print_arg(struct pp *p, const struct gitops_tmpl_value *v, char verb)
{
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL) {
		if (verb == 'T' || verb == 'v')
			pad(p, "<nil>", 5);
		else
			bad_verb(p, NULL, verb);
		return;
	}
	print_value(p, v, verb, 0);
}

static void clear_flags(struct pp *p)
{
	memset(&p->f, 0, sizeof(p->f));
}

int gitops_tmpl_sprint(struct gitops_buf *b, struct gitops_tmpl_value *const *args, size_t n)
{
	struct pp p = { .buf = b };
	int prev_string = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int is_string = gitops_tmpl_value_kind(args[i]) == GITOPS_TMPL_STRING;
		if (i > 0 && !is_string && !prev_string)
			putc_(&p, ' ');
		clear_flags(&p);
		print_arg(&p, args[i], 'v');
		prev_string = is_string;
	}
	if (!p.fail && !b->data && gitops_buf_add(b, "", 0) < 0)
		p.fail = 1;
	return p.fail ? -p.fail : 0;
}

int gitops_tmpl_sprintln(struct gitops_buf *b, struct gitops_tmpl_value *const *args, size_t n)
{
	struct pp p = { .buf = b };
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			putc_(&p, ' ');
		clear_flags(&p);
		print_arg(&p, args[i], 'v');
	}
	putc_(&p, '\n');
	return p.fail ? -p.fail : 0;
}

static int too_large(long x)
{
	return x > 1000000 || x < -1000000;
}

static int parsenum(const char *s, size_t start, size_t end, int *num, size_t *newi)
{
	long n = 0;
	int isnum = 0;
	size_t i;

	*num = 0;
	if (start >= end) {
		*newi = end;
		return 0;
	}
	for (i = start; i < end && s[i] >= '0' && s[i] <= '9'; i++) {
		if (too_large(n)) {
			*newi = end;
			return 0;
		}
		n = n * 10 + (s[i] - '0');
		isnum = 1;
	}
	*num = (int)n;
	*newi = i;
	return isnum;
}

struct argstate {
	size_t arg_num;
	int reordered, good_arg_num;
};

static int arg_number(struct argstate *a, const char *format, size_t *i, size_t end, size_t nargs)
{
	size_t j, wid;
	int index, ok = 0;

	if (*i >= end || format[*i] != '[')
		return 0;
	a->reordered = 1;
	/* parseArgNumber */
	wid = 1;
	index = 0;
	if (end - *i >= 3) {
		for (j = *i + 1; j < end; j++) {
			if (format[j] == ']') {
				size_t newi;
				int w;
				int isnum = parsenum(format, *i + 1, j, &w, &newi);
				if (!isnum || newi != j) {
					wid = j - *i + 1;
					ok = 0;
				} else {
					index = w - 1;
					wid = j - *i + 1;
					ok = 1;
				}
				break;
			}
		}
	}
	if (ok && index >= 0 && (size_t)index < nargs) {
		a->arg_num = (size_t)index;
		*i += wid;
		return 1;
	}
	a->good_arg_num = 0;
	*i += wid;
	return ok;
}

static int int_from_arg(struct gitops_tmpl_value *const *args, size_t n, size_t *arg_num, int *num)
{
	int is_int = 0;

	*num = 0;
	if (*arg_num < n) {
		const struct gitops_tmpl_value *v = args[*arg_num];
		if (v && (v->kind == GITOPS_TMPL_INT || v->kind == GITOPS_TMPL_INT64 || v->kind == GITOPS_TMPL_UINT8)) {
			*num = (int)v->u.i;
			is_int = (int64_t)*num == v->u.i;
			if (!is_int)
				*num = 0;
		}
		(*arg_num)++;
		if (too_large(*num)) {
			*num = 0;
			is_int = 0;
		}
	}
	return is_int;
}

int tmpl_fmt_printf(struct gitops_buf *b, const char *format, size_t end, struct gitops_tmpl_value *const *args,
		    size_t nargs)
{
	struct pp p = { .buf = b };
	struct argstate a = { 0, 0, 1 };
	int after_index;
	size_t i = 0;

	while (i < end) {
		size_t lasti = i;
		char verb;

		a.good_arg_num = 1;
		while (i < end && format[i] != '%')
			i++;
		if (i > lasti)
			put(&p, format + lasti, i - lasti);
		if (i >= end)
			break;
		i++;
		clear_flags(&p);
		for (; i < end; i++) {
			char c = format[i];
			if (c == '#')
				p.f.sharp = 1;
			else if (c == '0')
				p.f.zero = !p.f.minus;
			else if (c == '+')
				p.f.plus = 1;
			else if (c == '-') {
				p.f.minus = 1;
				p.f.zero = 0;
			} else if (c == ' ')
				p.f.space = 1;
			else
				break;
		}
		after_index = arg_number(&a, format, &i, end, nargs);
		if (i < end && format[i] == '*') {
			i++;
			p.f.wid_present = int_from_arg(args, nargs, &a.arg_num, &p.f.wid);
			if (!p.f.wid_present)
				puts_(&p, "%!(BADWIDTH)");
			if (p.f.wid < 0) {
				p.f.wid = -p.f.wid;
				p.f.minus = 1;
				p.f.zero = 0;
			}
			after_index = 0;
		} else {
			p.f.wid_present = parsenum(format, i, end, &p.f.wid, &i);
			if (after_index && p.f.wid_present)
				a.good_arg_num = 0;
		}
		if (i + 1 < end && format[i] == '.') {
			i++;
			if (after_index)
				a.good_arg_num = 0;
			after_index = arg_number(&a, format, &i, end, nargs);
			if (i < end && format[i] == '*') {
				i++;
				p.f.prec_present = int_from_arg(args, nargs, &a.arg_num, &p.f.prec);
				if (p.f.prec < 0) {
					p.f.prec = 0;
					p.f.prec_present = 0;
				}
				if (!p.f.prec_present)
					puts_(&p, "%!(BADPREC)");
				after_index = 0;
			} else {
				p.f.prec_present = parsenum(format, i, end, &p.f.prec, &i);
				if (!p.f.prec_present) {
					p.f.prec = 0;
					p.f.prec_present = 1;
				}
			}
		}
		if (!after_index)
			after_index = arg_number(&a, format, &i, end, nargs);
		if (i >= end) {
			puts_(&p, "%!(NOVERB)");
			break;
		}
		verb = format[i];
		if ((unsigned char)verb >= 0x80) {
			/* a multibyte verb: print it whole in the error */
			size_t size;
			tmpl_rune(format + i, end - i, &size);
			if (verb != '%' && a.good_arg_num && a.arg_num < nargs) {
				puts_(&p, "%!");
				put(&p, format + i, size);
				putc_(&p, '(');
				if (gitops_tmpl_value_kind(args[a.arg_num]) == GITOPS_TMPL_NIL) {
					puts_(&p, "<nil>");
				} else {
					puts_(&p, gitops_tmpl_value_type_name(args[a.arg_num]));
					putc_(&p, '=');
					clear_flags(&p);
					print_arg(&p, args[a.arg_num], 'v');
				}
				putc_(&p, ')');
				a.arg_num++;
			} else {
				puts_(&p, "%!");
				put(&p, format + i, size);
				puts_(&p, a.good_arg_num ? "(MISSING)" : "(BADINDEX)");
			}
			i += size;
			continue;
		}
		i++;
		if (verb == '%') {
			putc_(&p, '%');
		} else if (!a.good_arg_num) {
			puts_(&p, "%!");
			putc_(&p, verb);
			puts_(&p, "(BADINDEX)");
		} else if (a.arg_num >= nargs) {
			puts_(&p, "%!");
			putc_(&p, verb);
			puts_(&p, "(MISSING)");
		} else {
			if (verb == 'v') {
				p.f.sharp_v = p.f.sharp;
				p.f.sharp = 0;
				p.f.plus_v = p.f.plus;
				p.f.plus = 0;
			}
			print_arg(&p, args[a.arg_num], verb);
			a.arg_num++;
		}
	}
	if (!a.reordered && a.arg_num < nargs) {
		size_t k;
		clear_flags(&p);
		puts_(&p, "%!(EXTRA ");
		for (k = a.arg_num; k < nargs; k++) {
			if (k > a.arg_num)
				puts_(&p, ", ");
			if (gitops_tmpl_value_kind(args[k]) == GITOPS_TMPL_NIL) {
				puts_(&p, "<nil>");
			} else {
				puts_(&p, gitops_tmpl_value_type_name(args[k]));
				putc_(&p, '=');
				print_arg(&p, args[k], 'v');
			}
		}
		putc_(&p, ')');
	}
	if (!p.fail && !b->data && gitops_buf_add(b, "", 0) < 0)
		p.fail = 1;
	return p.fail ? -p.fail : 0;
}

int gitops_tmpl_sprintf(struct gitops_buf *b, const char *format, size_t flen, struct gitops_tmpl_value *const *args,
			size_t n)
{
	return tmpl_fmt_printf(b, format, flen, args, n);
}
