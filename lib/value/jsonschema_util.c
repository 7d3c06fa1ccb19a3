/*
 * jsonschema_util.c: exact decimals, canonical JSON texts, URI references
 * and gojsonschema v1.2.0's format checkers, for jsonschema.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/regex.h"
#include "lib/value/jsonschema_int.h"
#include "lib/value/value.h"

/* ------------------------------------------------------------------ */
/* decimals */

static void num_parse(struct js_num *n, const char *s)
{
	int seen_point = 0, exp = 0, lead = 1;
	long e10 = 0;

	memset(n, 0, sizeof(*n));
	if (*s == '-') {
		n->neg = 1;
		s++;
	} else if (*s == '+') {
		s++;
	}
	for (; *s; s++) {
		if (*s == '.') {
			seen_point = 1;
			continue;
		}
		if (*s == 'e' || *s == 'E') {
			e10 = strtol(s + 1, NULL, 10);
			break;
		}
		if (*s < '0' || *s > '9')
			break;
		if (lead && *s == '0') {
			if (seen_point)
				exp--;
			continue;
		}
		lead = 0;
		if (n->nd < JS_NUM_DIGITS)
			n->d[n->nd++] = *s;
		if (!seen_point)
			exp++;
	}
	while (n->nd > 0 && n->d[n->nd - 1] == '0')
		n->nd--;
	if (e10 > 100000)
		e10 = 100000;
	if (e10 < -100000)
		e10 = -100000;
	n->exp = exp + (int)e10;
	if (n->nd == 0) {
		n->neg = 0;
		n->exp = 0;
	}
}

void js_num_from_node(struct js_num *n, const cJSON *v)
{
	char buf[64];

	if (gitops_value_is_bigint(v) && v->valuestring)
		num_parse(n, v->valuestring);
	else
		num_parse(n, gitops_value_format_number(buf, sizeof(buf), v));
}

int js_num_sign(const struct js_num *n)
{
	return n->nd == 0 ? 0 : n->neg ? -1 : 1;
}

static int mag_cmp(const struct js_num *a, const struct js_num *b)
{
	int i;

	if (a->nd == 0 || b->nd == 0)
		return (a->nd != 0) - (b->nd != 0);
	if (a->exp != b->exp)
		return a->exp > b->exp ? 1 : -1;
	for (i = 0; i < a->nd && i < b->nd; i++)
		if (a->d[i] != b->d[i])
			return a->d[i] > b->d[i] ? 1 : -1;
	return (a->nd > b->nd) - (a->nd < b->nd);
}

int js_num_cmp(const struct js_num *a, const struct js_num *b)
{
	int sa = js_num_sign(a), sb = js_num_sign(b);

	if (sa != sb)
		return sa > sb ? 1 : -1;
	if (sa == 0)
		return 0;
	return sa > 0 ? mag_cmp(a, b) : -mag_cmp(a, b);
}

int js_num_is_int(const struct js_num *n)
{
	return n->nd == 0 || n->exp >= n->nd;
}

int js_num_is_multiple(const struct js_num *a, const struct js_num *b)
{
	long k;
	uint64_t bv = 0;
	unsigned __int128 r = 0;
	int i;

	if (a->nd == 0)
		return 1;
	if (b->nd == 0)
		return 0;
	if (b->nd > 19)
		return 0; /* a divisor with more than 19 digits: treated as never dividing */
	for (i = 0; i < b->nd; i++)
		bv = bv * 10 + (uint64_t)(b->d[i] - '0');
	k = (long)(a->exp - a->nd) - (long)(b->exp - b->nd);
	for (i = 0; i < a->nd; i++)
		r = (r * 10 + (unsigned)(a->d[i] - '0')) % bv;
	if (k >= 0) {
		long j;

		for (j = 0; j < k && r != 0 && j < 200000; j++)
			r = (r * 10) % bv;
		return r == 0;
	}
	if (r != 0)
		return 0;
	{
		/* A / B exactly; it must end in -k zeros */
		char q[JS_NUM_DIGITS + 1];
		int nq = 0, tz = 0;
		unsigned __int128 rem = 0;

		for (i = 0; i < a->nd; i++) {
			rem = rem * 10 + (unsigned)(a->d[i] - '0');
			q[nq++] = (char)('0' + (int)(rem / bv));
			rem %= bv;
		}
		while (tz < nq && q[nq - 1 - tz] == '0')
			tz++;
		return tz >= -k;
	}
}

char *js_num_format(char *buf, size_t size, const struct js_num *n)
{
	char tmp[JS_NUM_DIGITS + 64], *o = tmp;
	int x = n->exp - 1, i;

	if (n->nd == 0) {
		snprintf(buf, size, "0");
		return buf;
	}
	if (n->neg)
		*o++ = '-';
	if (x < -4 || x >= 6) {
		*o++ = n->d[0];
		if (n->nd > 1) {
			*o++ = '.';
			memcpy(o, n->d + 1, (size_t)n->nd - 1);
			o += n->nd - 1;
		}
		o += sprintf(o, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
	} else if (n->exp <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (i = 0; i < -n->exp; i++)
			*o++ = '0';
		memcpy(o, n->d, (size_t)n->nd);
		o += n->nd;
	} else {
		for (i = 0; i < n->exp || i < n->nd; i++) {
			if (i == n->exp)
				*o++ = '.';
			*o++ = i < n->nd ? n->d[i] : '0';
		}
	}
	*o = '\0';
	snprintf(buf, size, "%s", tmp);
	return buf;
}

/* ------------------------------------------------------------------ */
/* canonical texts */

static int utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	int len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, c &= 0x07;
	else
		return -1;
	if ((size_t)len > n)
		return -1;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return -1;
	*cp = c;
	return len;
}

static int quote(struct gitops_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	char e[8];

	if (gitops_buf_add(out, "\"", 1) < 0)
		return -1;
	while (n) {
		unsigned cp;
		int l = utf8_len(p, n, &cp);
		int rc;

		if (l < 0) {
			rc = gitops_buf_addstr(out, "\\ufffd");
			l = 1;
		} else if (cp == '"' || cp == '\\') {
			e[0] = '\\';
			e[1] = (char)cp;
			rc = gitops_buf_add(out, e, 2);
		} else if (cp == '\n') {
			rc = gitops_buf_addstr(out, "\\n");
		} else if (cp == '\r') {
			rc = gitops_buf_addstr(out, "\\r");
		} else if (cp == '\t') {
			rc = gitops_buf_addstr(out, "\\t");
		} else if (cp == '\b') {
			rc = gitops_buf_addstr(out, "\\b");
		} else if (cp == '\f') {
			rc = gitops_buf_addstr(out, "\\f");
		} else if (cp < 0x20 || cp == '<' || cp == '>' || cp == '&' || cp == 0x2028 || cp == 0x2029) {
			snprintf(e, sizeof(e), "\\u%04x", cp);
			rc = gitops_buf_addstr(out, e);
		} else {
			rc = gitops_buf_add(out, p, (size_t)l);
		}
		if (rc < 0)
			return -1;
		p += l;
		n -= (size_t)l;
	}
	return gitops_buf_add(out, "\"", 1);
}

static int canonical(struct gitops_buf *out, const cJSON *v, int depth)
{
	char num[64];
	const cJSON *c;

	if (depth > JS_CANON_MAX_DEPTH)
		return -2;
	switch (v->type & 0xFF) {
	case cJSON_NULL:
		return gitops_buf_addstr(out, "null");
	case cJSON_True:
		return gitops_buf_addstr(out, "true");
	case cJSON_False:
		return gitops_buf_addstr(out, "false");
	case cJSON_Number: {
		double d = gitops_value_is_bigint(v) && v->valuestring ? strtod(v->valuestring, NULL) : v->valuedouble;

		if (isinf(d))
			d = d > 0 ? 1.7976931348623157e308 : -1.7976931348623157e308;
		return gitops_buf_addstr(out, gitops_value_format_float(num, sizeof(num), d, GITOPS_FLOAT_JSON));
	}
	case cJSON_String:
		return quote(out, v->valuestring ? v->valuestring : "");
	case cJSON_Array:
		if (gitops_buf_add(out, "[", 1) < 0)
			return -1;
		for (c = v->child; c; c = c->next) {
			int rc;

			if (c != v->child && gitops_buf_add(out, ",", 1) < 0)
				return -1;
			if ((rc = canonical(out, c, depth + 1)) < 0)
				return rc;
		}
		return gitops_buf_add(out, "]", 1);
	case cJSON_Object: {
		const cJSON **kv = NULL;
		size_t n = 0, i;
		int first = 1, rc = 0;

		if (gitops_value_sorted(&kv, &n, v) < 0)
			return -1;
		if (gitops_buf_add(out, "{", 1) < 0)
			rc = -1;
		for (i = 0; i < n && rc == 0; i++) {
			const cJSON *last = NULL;

			if (i + 1 < n && strcmp(kv[i]->string, kv[i + 1]->string) == 0)
				continue;
			for (c = v->child; c; c = c->next)
				if (strcmp(c->string, kv[i]->string) == 0)
					last = c;
			if ((!first && gitops_buf_add(out, ",", 1) < 0) || quote(out, kv[i]->string) < 0 ||
			    gitops_buf_add(out, ":", 1) < 0)
				rc = -1;
			else
				rc = canonical(out, last, depth + 1);
			first = 0;
		}
		free(kv);
		return rc < 0 ? rc : gitops_buf_add(out, "}", 1);
	}
	default:
		return gitops_buf_addstr(out, "null");
	}
}

int js_canonical(struct gitops_buf *out, const cJSON *v)
{
	return canonical(out, v, 0);
}

/* ------------------------------------------------------------------ */
/* URI references */

struct uri {
	const char *scheme, *auth, *path, *query, *frag;
	size_t ls, la, lp, lq, lf;
	int has_auth, has_query, has_frag;
};

static void uri_split(struct uri *u, const char *s)
{
	const char *p = s, *e;

	memset(u, 0, sizeof(*u));
	if (isalpha((unsigned char)*p)) {
		for (e = p + 1; isalnum((unsigned char)*e) || *e == '+' || *e == '-' || *e == '.'; e++)
			;
		if (*e == ':') {
			u->scheme = p;
			u->ls = (size_t)(e - p);
			p = e + 1;
		}
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		u->has_auth = 1;
		u->auth = p;
		u->la = strcspn(p, "/?#");
		p += u->la;
	}
	u->path = p;
	u->lp = strcspn(p, "?#");
	p += u->lp;
	if (*p == '?') {
		u->has_query = 1;
		u->query = ++p;
		u->lq = strcspn(p, "#");
		p += u->lq;
	}
	if (*p == '#') {
		u->has_frag = 1;
		u->frag = p + 1;
		u->lf = strlen(p + 1);
	}
}

/* RFC 3986 5.2.4 */
static void remove_dots(struct gitops_buf *out, const char *in, size_t n)
{
	char *s = strndup(in, n), *p;
	size_t start = out->len;

	if (!s)
		return;
	p = s;
	while (*p) {
		if (strncmp(p, "../", 3) == 0) {
			p += 3;
		} else if (strncmp(p, "./", 2) == 0) {
			p += 2;
		} else if (strncmp(p, "/./", 3) == 0) {
			p += 2;
		} else if (strcmp(p, "/.") == 0) {
			gitops_buf_add(out, "/", 1);
			break;
		} else if (strncmp(p, "/../", 4) == 0 || strcmp(p, "/..") == 0) {
			while (out->len > start && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > start)
				out->len--;
			if (out->data)
				out->data[out->len] = '\0';
			if (p[3] == '\0') {
				gitops_buf_add(out, "/", 1);
				break;
			}
			p += 3;
		} else if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
			break;
		} else {
			size_t l = strcspn(p + 1, "/") + 1;

			gitops_buf_add(out, p, l);
			p += l;
		}
	}
	free(s);
}

char *js_uri_resolve(const char *base, const char *ref)
{
	struct uri b, r;
	struct gitops_buf out = GITOPS_BUF_INIT;

	uri_split(&b, base);
	uri_split(&r, ref);
	gitops_buf_addstr(&out, "");
	if (r.scheme) {
		gitops_buf_add(&out, r.scheme, r.ls);
		gitops_buf_add(&out, ":", 1);
		if (r.has_auth) {
			gitops_buf_add(&out, "//", 2);
			gitops_buf_add(&out, r.auth, r.la);
		}
		remove_dots(&out, r.path, r.lp);
		if (r.has_query) {
			gitops_buf_add(&out, "?", 1);
			gitops_buf_add(&out, r.query, r.lq);
		}
	} else {
		if (b.scheme) {
			gitops_buf_add(&out, b.scheme, b.ls);
			gitops_buf_add(&out, ":", 1);
		}
		if (r.has_auth) {
			gitops_buf_add(&out, "//", 2);
			gitops_buf_add(&out, r.auth, r.la);
			remove_dots(&out, r.path, r.lp);
			if (r.has_query) {
				gitops_buf_add(&out, "?", 1);
				gitops_buf_add(&out, r.query, r.lq);
			}
		} else {
			if (b.has_auth) {
				gitops_buf_add(&out, "//", 2);
				gitops_buf_add(&out, b.auth, b.la);
			}
			if (r.lp == 0) {
				gitops_buf_add(&out, b.path, b.lp);
				if (r.has_query || b.has_query) {
					gitops_buf_add(&out, "?", 1);
					gitops_buf_add(&out, r.has_query ? r.query : b.query, r.has_query ? r.lq : b.lq);
				}
			} else {
				struct gitops_buf m = GITOPS_BUF_INIT;

				if (r.path[0] == '/') {
					gitops_buf_add(&m, r.path, r.lp);
				} else {
					size_t keep = b.lp;

					while (keep > 0 && b.path[keep - 1] != '/')
						keep--;
					if (b.has_auth && b.lp == 0)
						gitops_buf_add(&m, "/", 1);
					else
						gitops_buf_add(&m, b.path, keep);
					gitops_buf_add(&m, r.path, r.lp);
				}
				if (m.data) {
					if (m.data[0] == '/' || b.scheme || b.has_auth)
						remove_dots(&out, m.data, m.len);
					else
						gitops_buf_add(&out, m.data, m.len);
				}
				gitops_buf_release(&m);
				if (r.has_query) {
					gitops_buf_add(&out, "?", 1);
					gitops_buf_add(&out, r.query, r.lq);
				}
			}
		}
	}
	if (r.has_frag) {
		gitops_buf_add(&out, "#", 1);
		gitops_buf_add(&out, r.frag, r.lf);
	}
	return gitops_buf_detach(&out);
}

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

char *js_percent_decode(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

size_t js_rune_count(const char *s, size_t len)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;

	while (len) {
		unsigned cp;
		int l = utf8_len(p, len, &cp);

		if (l < 0)
			l = 1;
		n++;
		p += l;
		len -= (size_t)l;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* formats (gojsonschema v1.2.0's FormatCheckers) */

static const char *const formats[] = { "date", "time", "date-time", "hostname", "email", "idn-email",
				       "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference",
				       "uri-template", "uuid", "regex", "json-pointer", "relative-json-pointer",
				       NULL };

int js_format_known(const char *name)
{
	int i;

	for (i = 0; formats[i]; i++)
		if (strcmp(formats[i], name) == 0)
			return 1;
	return 0;
}

/* n digits exactly at *p (fixed) or 1-2 digits (!fixed, as Go's "15" hour) */
static int digits(const char **p, int n, int fixed, int *val)
{
	int i, v = 0;

	if (!fixed) {
		if (!isdigit((unsigned char)(*p)[0]))
			return -1;
		v = (*p)[0] - '0';
		(*p)++;
		if (isdigit((unsigned char)(*p)[0])) {
			v = v * 10 + (*p)[0] - '0';
			(*p)++;
		}
		*val = v;
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + (*p)[i] - '0';
	}
	*p += n;
	*val = v;
	return 0;
}

static int parse_date(const char **p)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (digits(p, 4, 1, &y) < 0 || **p != '-')
		return -1;
	(*p)++;
	if (digits(p, 2, 1, &m) < 0 || **p != '-' || m < 1 || m > 12)
		return -1;
	(*p)++;
	if (digits(p, 2, 1, &d) < 0 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	return 0;
}

/* 15:04:05 with an optional fraction; zone: 0 none, 1 Z07:00 */
static int parse_time(const char **p, int zone)
{
	int h, m, s;

	if (digits(p, 2, 0, &h) < 0 || h > 23 || **p != ':')
		return -1;
	(*p)++;
	if (digits(p, 2, 1, &m) < 0 || m > 59 || **p != ':')
		return -1;
	(*p)++;
	if (digits(p, 2, 1, &s) < 0 || s > 59)
		return -1;
	if ((**p == '.' || **p == ',') && isdigit((unsigned char)(*p)[1])) {
		(*p)++;
		while (isdigit((unsigned char)**p))
			(*p)++;
	}
	if (!zone)
		return 0;
	if (**p == 'Z') {
		(*p)++;
		return 0;
	}
	if (**p == '+' || **p == '-') {
		int zh, zm;

		(*p)++;
		if (digits(p, 2, 1, &zh) < 0 || **p != ':')
			return -1;
		(*p)++;
		if (digits(p, 2, 1, &zm) < 0 || zh > 24 || zm > 60)
			return -1;
		return 0;
	}
	return -1;
}

static int layout(const char *s, int date, int time, int zone)
{
	const char *p = s;

	if (date && parse_date(&p) < 0)
		return 0;
	if (date && time) {
		if (*p != 'T')
			return 0;
		p++;
	}
	if (time && parse_time(&p, zone) < 0)
		return 0;
	return *p == '\0';
}

static int hostname_ok(const char *s, size_t len)
{
	const char *p = s;

	if (len == 0 || len >= 256)
		return 0;
	for (;;) {
		size_t l = 0;

		while (isalnum((unsigned char)p[l]) || p[l] == '-')
			l++;
		if (l == 0 || l > 63 || p[0] == '-' || p[l - 1] == '-')
			return 0;
		p += l;
		if (*p == '\0')
			return (size_t)(p - s) == len;
		if (*p != '.')
			return 0;
		p++;
	}
}

static int atext(int c)
{
	return isalnum(c) || (c >= 0x80) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int dot_atom(const char **p)
{
	const unsigned char *q = (const unsigned char *)*p;

	if (!atext(*q))
		return -1;
	for (;;) {
		while (atext(*q))
			q++;
		if (*q == '.' && atext(q[1])) {
			q++;
			continue;
		}
		break;
	}
	*p = (const char *)q;
	return 0;
}

static int addr_spec(const char **p)
{
	const char *q = *p;

	if (*q == '"') {
		q++;
		while (*q && *q != '"') {
			if (*q == '\\' && q[1])
				q++;
			q++;
		}
		if (*q != '"')
			return -1;
		q++;
	} else if (dot_atom(&q) < 0) {
		return -1;
	}
	if (*q != '@')
		return -1;
	q++;
	if (*q == '[') {
		while (*q && *q != ']')
			q++;
		if (*q != ']')
			return -1;
		q++;
	} else if (dot_atom(&q) < 0) {
		return -1;
	}
	*p = q;
	return 0;
}

/* Skip folding white space and (nested) comments; -1 on an unclosed comment. */
static int skip_cfws(const char **p)
{
	const char *q = *p;

	for (;;) {
		while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
			q++;
		if (*q != '(')
			break;
		{
			int depth = 0;

			do {
				if (*q == '\\' && q[1])
					q++;
				else if (*q == '(')
					depth++;
				else if (*q == ')')
					depth--;
				else if (!*q)
					return -1;
				q++;
			} while (depth > 0);
		}
	}
	*p = q;
	return 0;
}

/* Go's net/mail.ParseAddress, the common shapes: addr-spec, or "name <addr-spec>", comments around */
static int email_ok(const char *s)
{
	const char *p = s, *lt;

	if (skip_cfws(&p) < 0)
		return 0;
	if ((lt = strchr(p, '<'))) {
		const char *q = lt + 1;

		if (addr_spec(&q) < 0 || *q != '>')
			return 0;
		q++;
		return skip_cfws(&q) == 0 && *q == '\0';
	}
	if (addr_spec(&p) < 0)
		return 0;
	return skip_cfws(&p) == 0 && *p == '\0';
}

static int ip_ok(const char *s, int v6)
{
	unsigned char buf[16];
	const char *p;

	if (!v6 && !strchr(s, '.'))
		return 0;
	if (v6 && !strchr(s, ':'))
		return 0;
	if (strchr(s, ':')) {
		/* Go's ParseIP: no zone; an embedded IPv4 with 4 parts */
		if (strchr(s, '%'))
			return 0;
		return inet_pton(AF_INET6, s, buf) == 1;
	}
	/* dotted quad: 1-3 digits, no leading zeros, <= 255 */
	p = s;
	{
		int parts = 0;

		for (;;) {
			int v = 0, n = 0;

			while (isdigit((unsigned char)p[n]) && n < 4)
				v = v * 10 + p[n++] - '0';
			if (n == 0 || n > 3 || v > 255 || (n > 1 && p[0] == '0'))
				return 0;
			p += n;
			parts++;
			if (parts == 4)
				return *p == '\0';
			if (*p != '.')
				return 0;
			p++;
		}
	}
}

static int bad_escapes(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '%' && (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0))
			return 1;
	return 0;
}

/* Go's url.Parse: 0 when it fails; *has_scheme; the path (escaped) in *path */
static int go_url_parse(const char *s, int *has_scheme, const char **path, size_t *plen)
{
	size_t n = strlen(s), i;
	const char *hash = strchr(s, '#'), *rest = s, *p;
	size_t rl = hash ? (size_t)(hash - s) : n;

	*has_scheme = 0;
	*path = "";
	*plen = 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	if (hash && bad_escapes(hash + 1, strlen(hash + 1)))
		return 0;
	if (rl == 0)
		return 1;
	/* scheme */
	for (i = 0; i < rl; i++) {
		char c = rest[i];

		if (isalpha((unsigned char)c))
			continue;
		if (isdigit((unsigned char)c) || c == '+' || c == '-' || c == '.') {
			if (i == 0)
				break;
			continue;
		}
		if (c == ':') {
			if (i == 0)
				return 0; /* missing protocol scheme */
			*has_scheme = 1;
			rest += i + 1;
			rl -= i + 1;
		}
		break;
	}
	/* query */
	p = memchr(rest, '?', rl);
	if (p)
		rl = (size_t)(p - rest);
	if (*has_scheme && (rl == 0 || rest[0] != '/'))
		return 1; /* opaque */
	if (!*has_scheme) {
		size_t seg = 0;

		while (seg < rl && rest[seg] != '/')
			seg++;
		if (memchr(rest, ':', seg))
			return 0; /* first path segment in URL cannot contain colon */
	}
	if (rl >= 2 && rest[0] == '/' && rest[1] == '/' && (*has_scheme || !(rl >= 3 && rest[2] == '/'))) {
		const char *auth = rest + 2, *host, *at = NULL;
		size_t al = 0, hl;

		while (2 + al < rl && auth[al] != '/')
			al++;
		for (i = 0; i < al; i++)
			if (auth[i] == '@')
				at = auth + i;
		if (at) {
			for (p = auth; p < at; p++)
				if (!isalnum((unsigned char)*p) && !strchr("-._:~!$&'()*+,;=%@", *p))
					return 0;
			host = at + 1;
		} else {
			host = auth;
		}
		hl = (size_t)(auth + al - host);
		if (hl && host[0] == '[') {
			p = memchr(host, ']', hl);
			if (!p)
				return 0;
			p++;
			if (p < host + hl) {
				if (*p != ':')
					return 0;
				for (p++; p < host + hl; p++)
					if (!isdigit((unsigned char)*p))
						return 0;
			}
		} else {
			const char *colon = NULL;

			for (p = host; p < host + hl; p++)
				if (*p == ':')
					colon = p;
			if (colon)
				for (p = colon + 1; p < host + hl; p++)
					if (!isdigit((unsigned char)*p))
						return 0;
			for (p = host; p < (colon ? colon : host + hl); p++) {
				unsigned char c = (unsigned char)*p;

				if (c >= 0x80 || isalnum(c) || strchr("-_.~!$&'()*+,;=:[]<>\"%", c))
					continue;
				return 0;
			}
			if (bad_escapes(host, (size_t)((colon ? colon : host + hl) - host)))
				return 0;
		}
		rest = auth + al;
		rl -= 2 + al;
	}
	if (bad_escapes(rest, rl))
		return 0;
	*path = rest;
	*plen = rl;
	return 1;
}

static int uri_template_ok(const char *path, size_t n)
{
	char *dec = strndup(path, n), *d, *p;
	int ok = 1;

	if (!dec)
		return 0;
	d = js_percent_decode(dec);
	free(dec);
	if (!d)
		return 0;
	for (p = d; *p; p++) {
		if (*p != '{')
			continue;
		p = strchr(p + 1, '}');
		if (!p) {
			ok = 0;
			break;
		}
	}
	free(d);
	return ok;
}

static int pointer_ok(const char *s)
{
	for (; *s; s++)
		if (*s == '~' && s[1] != '0' && s[1] != '1')
			return 0;
	return 1;
}

int js_format_ok(const char *name, const char *s, size_t len)
{
	int sch;
	const char *path;
	size_t plen;

	if (strlen(s) != len)
		return 0;
	if (strcmp(name, "date") == 0)
		return layout(s, 1, 0, 0);
	if (strcmp(name, "time") == 0)
		return layout(s, 0, 1, 1) || layout(s, 0, 1, 0);
	if (strcmp(name, "date-time") == 0)
		return layout(s, 0, 1, 0) || layout(s, 0, 1, 1) || layout(s, 1, 0, 0) || layout(s, 1, 1, 1);
	if (strcmp(name, "hostname") == 0)
		return hostname_ok(s, len);
	if (strcmp(name, "email") == 0 || strcmp(name, "idn-email") == 0)
		return email_ok(s);
	if (strcmp(name, "ipv4") == 0)
		return ip_ok(s, 0);
	if (strcmp(name, "ipv6") == 0)
		return ip_ok(s, 1);
	if (strcmp(name, "uri") == 0 || strcmp(name, "iri") == 0)
		return go_url_parse(s, &sch, &path, &plen) && sch && !strchr(s, '\\');
	if (strcmp(name, "uri-reference") == 0 || strcmp(name, "iri-reference") == 0)
		return go_url_parse(s, &sch, &path, &plen) && !strchr(s, '\\');
	if (strcmp(name, "uri-template") == 0)
		return go_url_parse(s, &sch, &path, &plen) && !strchr(s, '\\') && uri_template_ok(path, plen);
	if (strcmp(name, "uuid") == 0) {
		size_t i;

		if (len != 36)
			return 0;
		for (i = 0; i < 36; i++) {
			int dash = i == 8 || i == 13 || i == 18 || i == 23;

			if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
				return 0;
		}
		return 1;
	}
	if (strcmp(name, "regex") == 0) {
		struct gitops_regex *re = NULL;
		int ok;

		if (len == 0)
			return 1;
		ok = gitops_regex_compile(&re, s, len, NULL) == 0;
		gitops_regex_free(re);
		return ok;
	}
	if (strcmp(name, "json-pointer") == 0)
		return (*s == '\0' || *s == '/') && pointer_ok(s);
	if (strcmp(name, "relative-json-pointer") == 0) {
		const char *p = s;

		if (*p == '0')
			p++;
		else if (*p >= '1' && *p <= '9')
			while (isdigit((unsigned char)*p))
				p++;
		else
			return 0;
		if (*p == '#')
			return p[1] == '\0';
		return (*p == '\0' || *p == '/') && pointer_ok(p);
	}
	return 1;
}
