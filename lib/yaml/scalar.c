/*
 * scalar.c: how plain YAML scalars read (YAML 1.1 as go-yaml v2 reads them,
 * which is what kubectl sees) and when a string must be quoted so that any
 * YAML reader, 1.1 or 1.2, gets the same string back.
 */
#include "lib/yaml/scalar.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* a word and its length: a scalar is weighed against them on every read, most of them keys */
struct word {
	const char *w;
	size_t n;
};
#define W(s) { s, sizeof(s) - 1 }

static int word_in(const char *s, size_t len, const struct word *words)
{
	for (; words->w; words++)
		if (words->n == len && memcmp(words->w, s, len) == 0)
			return 1;
	return 0;
}

static const struct word true_words[] = { W("y"), W("Y"), W("yes"), W("Yes"), W("YES"), W("true"), W("True"),
					  W("TRUE"), W("on"), W("On"), W("ON"), { NULL, 0 } };
static const struct word false_words[] = { W("n"), W("N"), W("no"), W("No"), W("NO"), W("false"), W("False"),
					   W("FALSE"), W("off"), W("Off"), W("OFF"), { NULL, 0 } };
static const struct word null_words[] = { W("~"), W("null"), W("Null"), W("NULL"), { NULL, 0 } };
static const struct word inf_words[] = { W(".inf"), W(".Inf"), W(".INF"), W("+.inf"), W("+.Inf"), W("+.INF"),
					 W("-.inf"), W("-.Inf"), W("-.INF"), W(".nan"), W(".NaN"), W(".NAN"), { NULL, 0 } };

/* Go's strconv.ParseInt/ParseUint with base 0 (prefixes 0x, 0o, 0b, and 0 for octal). */
static int parse_go_int(const char *s, int *neg, uint64_t *mag)
{
	unsigned base = 10;
	uint64_t v = 0;

	*neg = 0;
	if (*s == '+' || *s == '-')
		*neg = *s++ == '-';
	if (!*s)
		return -1;
	if (s[0] == '0' && s[1]) {
		switch (s[1]) {
		case 'x': case 'X': base = 16; s += 2; break;
		case 'o': case 'O': base = 8; s += 2; break;
		case 'b': case 'B': base = 2; s += 2; break;
		default: base = 8; s += 1; break;
		}
		if (!*s)
			return -1;
	}
	for (; *s; s++) {
		unsigned d;
		if (is_digit(*s))
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		if (d >= base)
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*mag = v;
	return 0;
}

/* go-yaml v2's float syntax: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int is_yaml_float(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
	} else {
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
		if (*s == '.') {
			s++;
			while (is_digit(*s))
				s++;
		}
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

static void set_integer(struct gitops_scalar *out, int neg, uint64_t mag)
{
	const uint64_t exact = (uint64_t)1 << 53;

	if (mag <= exact) {
		out->kind = GITOPS_SCALAR_INT;
		out->number = neg ? -(double)mag : (double)mag;
		if (out->number == 0)
			out->number = 0; /* no -0 for integers */
		return;
	}
	out->kind = GITOPS_SCALAR_BIGINT;
	snprintf(out->bigint, sizeof(out->bigint), "%s%llu", neg ? "-" : "", (unsigned long long)mag);
}

/*
 * go-yaml v2 strips every '_' and tries ParseInt, ParseUint, then its float
 * syntax with ParseFloat; but a scalar that starts with '.' goes to
 * ParseFloat as it is (`strip` 0), where '_' is not allowed.
 */
static void resolve_number(const char *s, size_t len, int strip, struct gitops_scalar *out)
{
	char small[128], *plain = small;
	size_t i, n = 0;
	uint64_t mag;
	int neg;

	if (len >= sizeof(small)) {
		plain = malloc(len + 1);
		if (!plain)
			return; /* stays a string */
	}
	for (i = 0; i < len; i++)
		if (s[i] != '_' || !strip)
			plain[n++] = s[i];
	plain[n] = '\0';

	if (parse_go_int(plain, &neg, &mag) == 0) {
		/* ParseInt takes -2^63..2^63-1; ParseUint takes 0..2^64-1 without a sign */
		if (!neg || mag <= (uint64_t)1 << 63) {
			set_integer(out, neg, mag);
			goto done;
		}
	}
	if (is_yaml_float(plain)) {
		double d;
		errno = 0;
		d = strtod(plain, NULL);
		if (!(errno == ERANGE && isinf(d))) {
			out->kind = GITOPS_SCALAR_FLOAT;
			out->number = d;
		}
	}
done:
	if (plain != small)
		free(plain);
}

void gitops_scalar_resolve(const char *s, size_t len, struct gitops_scalar *out)
{
	out->kind = GITOPS_SCALAR_STRING;
	if (len == 0) {
		out->kind = GITOPS_SCALAR_NULL;
		return;
	}
	switch (s[0]) {
	case '~': case 'n': case 'N':
		if (word_in(s, len, null_words)) {
			out->kind = GITOPS_SCALAR_NULL;
			return;
		}
		/* fall through */
	case 'y': case 'Y': case 't': case 'T': case 'f': case 'F': case 'o': case 'O':
		if (len > 5)
			return;
		if (word_in(s, len, true_words)) {
			out->kind = GITOPS_SCALAR_BOOL;
			out->boolean = 1;
		} else if (word_in(s, len, false_words)) {
			out->kind = GITOPS_SCALAR_BOOL;
			out->boolean = 0;
		}
		return;
	case '.': case '+': case '-':
		if (len <= 5 && word_in(s, len, inf_words)) {
			out->kind = GITOPS_SCALAR_NONFINITE;
			return;
		}
		/* fall through */
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		resolve_number(s, len, s[0] != '.', out);
		return;
	default:
		return;
	}
}

/* YAML 1.1 sexagesimal numbers: [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)? */
static int is_sexagesimal(const char *s, size_t len)
{
	size_t i = 0;
	int groups = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i >= len || !is_digit(s[i]))
		return 0;
	while (i < len && (is_digit(s[i]) || s[i] == '_'))
		i++;
	while (i < len && s[i] == ':') {
		i++;
		if (i < len && s[i] >= '0' && s[i] <= '5' && i + 1 < len && is_digit(s[i + 1]))
			i += 2;
		else if (i < len && is_digit(s[i]))
			i += 1;
		else
			return 0;
		groups++;
	}
	if (!groups)
		return 0;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && (is_digit(s[i]) || s[i] == '_'))
			i++;
	}
	return i == len;
}

/* The start of a YAML 1.1 timestamp: [0-9]{4}-[0-9]{1,2}-[0-9]{1,2} */
static int is_timestamp_like(const char *s, size_t len)
{
	size_t i;

	if (len < 8)
		return 0;
	for (i = 0; i < 4; i++)
		if (!is_digit(s[i]))
			return 0;
	if (s[4] != '-' || !is_digit(s[5]))
		return 0;
	i = is_digit(s[6]) ? 7 : 6;
	return i + 1 < len && s[i] == '-' && is_digit(s[i + 1]);
}

/*
 * Number syntax as some YAML reader has it, whatever the value:
 *   floats of go-yaml and YAML 1.2 core, [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
 *   with YAML 1.1's '_' ([-+]?[0-9][0-9_]*\.[0-9_]*, \.[0-9][0-9_]*, as PyYAML reads them);
 *   integers [-+]?[0-9][0-9_]* (decimal, and YAML 1.1 octal), 0x, 0o and 0b with '_'.
 * A value out of range is a string to go-yaml (1e400, .5e999, a 0x of 17
 * digits) but a number, or an infinity, to YAML 1.1 and 1.2 readers that
 * do not stop at 64 bits: it must be quoted all the same.
 */
static int is_number_syntax(const char *s, size_t len)
{
	size_t i = 0, n;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i + 1 < len && s[i] == '0' && s[i + 1] && strchr("xXoObB", s[i + 1])) {
		char base = (char)(s[i + 1] | 0x20);
		for (i += 2, n = 0; i < len; i++, n++) {
			char c = s[i];
			int ok = c == '_' || (base == 'x' ? is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') :
					      base == 'o' ? c >= '0' && c <= '7' : c == '0' || c == '1');
			if (!ok)
				return 0;
		}
		return n > 0;
	}
	if (i < len && is_digit(s[i])) {
		while (i < len && (is_digit(s[i]) || s[i] == '_'))
			i++;
		if (i < len && s[i] == '.')
			for (i++; i < len && (is_digit(s[i]) || s[i] == '_'); i++)
				;
	} else if (i + 1 < len && s[i] == '.' && is_digit(s[i + 1])) {
		for (i++; i < len && (is_digit(s[i]) || s[i] == '_'); i++)
			;
	} else {
		return 0;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || !is_digit(s[i]))
			return 0;
		while (i < len && is_digit(s[i]))
			i++;
	}
	return i == len;
}

int gitops_scalar_needs_quotes(const char *s, size_t len)
{
	struct gitops_scalar sc;

	if (len == 0)
		return 1;
	switch (s[0]) {
	case '~': case 'n': case 'N': case 'y': case 'Y': case 't': case 'T':
	case 'f': case 'F': case 'o': case 'O':
		if (len > 5)
			return 0;
		break;
	case '=':
		return len == 1;
	case '<':
		return len == 2 && s[1] == '<';
	case '.': case '+': case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if (is_sexagesimal(s, len) || is_timestamp_like(s, len) || is_number_syntax(s, len))
			return 1;
		break;
	default:
		return 0;
	}
	gitops_scalar_resolve(s, len, &sc);
	return sc.kind != GITOPS_SCALAR_STRING;
}

void gitops_number_format(double d, char *buf, size_t size)
{
	int prec;

	if (d == 0) {
		snprintf(buf, size, "0");
		return;
	}
	if (d == trunc(d) && fabs(d) < 9007199254740992.0) {
		snprintf(buf, size, "%.0f", d);
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* a double beyond 2^53 printed with all its digits must still read back as a float */
	if (!strpbrk(buf, ".e") && strlen(buf) + 3 <= size) {
		strcat(buf, ".0");
		return;
	}
	/* strict YAML 1.1 readers want a '.' in a float: "1e+20" becomes "1.0e+20" */
	{
		char *e = strchr(buf, 'e');
		size_t n = strlen(buf);
		if (e && !memchr(buf, '.', (size_t)(e - buf)) && n + 2 < size) {
			memmove(e + 2, e, n - (size_t)(e - buf) + 1);
			e[0] = '.';
			e[1] = '0';
		}
	}
}

/* ---- go-yaml v2 timestamps (time.Parse with its four layouts) ---- */

/* getnum: one or two digits (exactly two when fixed) */
static int getnum(const char **p, const char *end, int fixed, int *out)
{
	const char *s = *p;

	if (s >= end || !is_digit((unsigned char)s[0]))
		return -1;
	if (s + 1 >= end || !is_digit((unsigned char)s[1])) {
		if (fixed)
			return -1;
		*out = s[0] - '0';
		*p = s + 1;
		return 0;
	}
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	*p = s + 2;
	return 0;
}

static int days_in(int month, int year)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
		return 29;
	return days[month - 1];
}

/*
 * Go's time.Parse with one of go-yaml v2's layouts:
 *   0 "2006-1-2T15:4:5.999999999Z07:00", 1 the same with 't',
 *   2 "2006-1-2 15:4:5.999999999", 3 "2006-1-2".
 */
static int go_time_parse(const char *s, const char *end, int layout, struct gitops_timestamp *t)
{
	int year, month, day, hour = 0, min = 0, sec = 0, range_err = 0, offset = 0;
	long nsec = 0;
	const char *p = s;

	if (end - p < 4)
		return 0;
	year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	p += 4;
	if (p >= end || *p++ != '-' || getnum(&p, end, 0, &month) < 0)
		return 0;
	if (month < 1 || month > 12)
		range_err = 1;
	if (p >= end || *p++ != '-' || getnum(&p, end, 0, &day) < 0)
		return 0;
	if (layout != 3) {
		if (layout == 2) {
			/* a space in the layout takes any run of spaces */
			if (p < end && *p != ' ')
				return 0;
			while (p < end && *p == ' ')
				p++;
		} else if (p >= end || *p++ != (layout == 0 ? 'T' : 't')) {
			return 0;
		}
		if (getnum(&p, end, 0, &hour) < 0)
			return 0;
		if (hour >= 24)
			range_err = 1;
		if (p >= end || *p++ != ':' || getnum(&p, end, 0, &min) < 0)
			return 0;
		if (min >= 60)
			range_err = 1;
		if (p >= end || *p++ != ':' || getnum(&p, end, 0, &sec) < 0)
			return 0;
		if (sec >= 60)
			return 0;
		if (end - p >= 2 && (*p == '.' || *p == ',') && is_digit((unsigned char)p[1])) {
			long scale = 100000000;

			for (p++; p < end && is_digit((unsigned char)*p); p++, scale /= 10)
				nsec += scale * (*p - '0'); /* digits beyond nanoseconds dropped, as Go */
		}
		if (layout != 2) {
			int hh, mm;
			const char *q;
			if (p < end && *p == 'Z') {
				p++;
			} else {
				if (end - p < 6 || p[3] != ':' || (p[0] != '+' && p[0] != '-'))
					return 0;
				q = p + 1;
				if (getnum(&q, p + 3, 1, &hh) < 0)
					return 0;
				q = p + 4;
				if (getnum(&q, p + 6, 1, &mm) < 0)
					return 0;
				if (hh > 24 || mm > 60)
					range_err = 1;
				offset = (hh * 60 + mm) * (p[0] == '-' ? -1 : 1);
				p += 6;
			}
		}
	}
	if (p != end || range_err)
		return 0;
	if (day < 1 || day > days_in(month, year))
		return 0;
	t->year = year;
	t->month = month;
	t->day = day;
	t->hour = hour;
	t->min = min;
	t->sec = sec;
	t->nsec = nsec;
	t->offset_min = offset;
	return 1;
}

int gitops_scalar_timestamp(const char *s, size_t len, struct gitops_timestamp *t)
{
	size_t i;
	int layout;

	for (i = 0; i < len && is_digit((unsigned char)s[i]); i++)
		;
	if (i != 4 || i == len || s[i] != '-')
		return 0;
	for (layout = 0; layout < 4; layout++)
		if (go_time_parse(s, s + len, layout, t))
			return 1;
	return 0;
}

void gitops_timestamp_format(char *buf, size_t size, const struct gitops_timestamp *t)
{
	char frac[16] = "", zone[8] = "Z";
	int n;

	if (t->nsec) {
		snprintf(frac, sizeof(frac), ".%09ld", t->nsec);
		for (n = (int)strlen(frac); frac[n - 1] == '0'; n--)
			frac[n - 1] = 0;
	}
	if (t->offset_min)
		snprintf(zone, sizeof(zone), "%c%02d:%02d", t->offset_min < 0 ? '-' : '+', abs(t->offset_min) / 60,
			 abs(t->offset_min) % 60);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", t->year, t->month, t->day, t->hour, t->min, t->sec,
		 frac, zone);
}
