#include "lib/value/value.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXACT_LIMIT 9007199254740992.0 /* 2^53 */

enum gitops_value_kind gitops_value_kind(const cJSON *v)
{
	if (!v)
		return GITOPS_VALUE_KIND_INVALID;
	switch (v->type & 0xFF) {
	case cJSON_NULL:
		return GITOPS_VALUE_KIND_NULL;
	case cJSON_True:
	case cJSON_False:
		return GITOPS_VALUE_KIND_BOOL;
	case cJSON_Number:
		return (v->type & GITOPS_VALUE_INT) ? GITOPS_VALUE_KIND_INT : GITOPS_VALUE_KIND_FLOAT;
	case cJSON_String:
		return GITOPS_VALUE_KIND_STRING;
	case cJSON_Array:
		return GITOPS_VALUE_KIND_SEQ;
	case cJSON_Object:
		return GITOPS_VALUE_KIND_MAP;
	default:
		return GITOPS_VALUE_KIND_INVALID;
	}
}

const char *gitops_value_kind_name(enum gitops_value_kind k)
{
	static const char *const names[] = {"invalid", "null", "bool", "int", "float64", "string", "sequence", "mapping"};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "invalid";
}

void gitops_value_set_int(cJSON *n, int64_t i)
{
	if (!(n->type & cJSON_IsReference))
		cJSON_free(n->valuestring);
	n->valuestring = NULL;
	n->type = cJSON_Number | GITOPS_VALUE_INT | (n->type & cJSON_StringIsConst); /* a static key stays */
	n->valuedouble = (double)i;
	n->valueint = i > INT_MAX ? INT_MAX : i < INT_MIN ? INT_MIN : (int)i;
	if (i > (INT64_C(1) << 53) || i < -(INT64_C(1) << 53)) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%" PRId64, i);
		n->valuestring = strdup(buf); /* NULL on OOM: the double stays, close but not exact */
	}
}

cJSON *gitops_value_new_int(int64_t i)
{
	cJSON *n = cJSON_CreateNull();

	if (n)
		gitops_value_set_int(n, i);
	return n;
}

/* Is text a decimal integer: an optional '-', digits, nothing else? */
static int is_decimal(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	return *s == 0;
}

cJSON *gitops_value_new_int_text(const char *text)
{
	cJSON *n;
	double d;

	if (!text || !is_decimal(text))
		return NULL;
	if (!(n = cJSON_CreateNull()))
		return NULL;
	d = strtod(text, NULL);
	n->type = cJSON_Number | GITOPS_VALUE_INT;
	n->valuedouble = d;
	n->valueint = d > INT_MAX ? INT_MAX : d < INT_MIN ? INT_MIN : (int)d;
	if (fabs(d) >= EXACT_LIMIT) {
		/* keep the digits without a '+' and leading zeros: "-0012" is -12 */
		const char *p = text;
		int neg = 0;
		size_t len;
		char *s;

		if (*p == '-' || *p == '+')
			neg = *p++ == '-';
		while (p[0] == '0' && p[1])
			p++;
		len = strlen(p);
		if (!(s = malloc(len + 2))) {
			cJSON_Delete(n);
			return NULL;
		}
		snprintf(s, len + 2, "%s%s", neg ? "-" : "", p);
		n->valuestring = s;
	}
	return n;
}

cJSON *gitops_value_new_float(double d)
{
	return cJSON_CreateNumber(d);
}

cJSON *gitops_value_add_int(cJSON *map, const char *key, int64_t i)
{
	cJSON *n = gitops_value_new_int(i);

	if (!n)
		return NULL;
	if (!cJSON_AddItemToObject(map, key, n)) {
		cJSON_Delete(n);
		return NULL;
	}
	return n;
}

int gitops_value_is_bigint(const cJSON *v)
{
	return v && (v->type & 0xFF) == cJSON_Number && (v->type & GITOPS_VALUE_INT) && v->valuestring;
}

int gitops_value_get_int(int64_t *out, const cJSON *v, int allow_float)
{
	if (!v || (v->type & 0xFF) != cJSON_Number)
		return -1;
	if (v->type & GITOPS_VALUE_INT) {
		if (v->valuestring) {
			long long ll;
			char *end;

			errno = 0;
			ll = strtoll(v->valuestring, &end, 10);
			if (errno || *end)
				return -1;
			*out = ll;
			return 0;
		}
		*out = (int64_t)v->valuedouble;
		return 0;
	}
	if (!allow_float || v->valuedouble != v->valuedouble || v->valuedouble != trunc(v->valuedouble) ||
	    v->valuedouble < -9223372036854775808.0 || v->valuedouble >= 9223372036854775808.0)
		return -1;
	*out = (int64_t)v->valuedouble;
	return 0;
}

/* The shortest %g text that reads back as d. */
static void format_float(char *buf, size_t size, double d)
{
	int prec;

	if (d != d) {
		snprintf(buf, size, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, size, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (d == 0) {
		snprintf(buf, size, signbit(d) ? "-0" : "0");
		return;
	}
	if (d == trunc(d) && fabs(d) < 1e21 && fabs(d) <= EXACT_LIMIT) {
		snprintf(buf, size, "%.0f", d);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* an integral float beyond 2^53 printed with all its digits must still read as a float */
	if (!strpbrk(buf, ".e") && strlen(buf) + 3 <= size)
		strcat(buf, ".0");
}

/*
 * d > 0 as m * 10^-k with m an integer below 10^15 that reads back as d
 * (most values in charts: 0.25, 1001, 3.5e-05): its digits (no trailing
 * zeros) and the exponent of the first one; 0 when d is no such number.
 * Those digits are the shortest: m and 10^k are exact doubles and the
 * division rounds correctly, so the decimal m * 10^-k reads back as d;
 * two decimals of 15 significant digits or fewer never read as the same
 * double (DBL_DIG), so no shorter one does, and none other of as many.
 */
static int shortest_small(double d, char *digits, int *exp10)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
				      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	char tmp[24];
	int k, n, i;

	if (d >= 1e15 || d < 1e-7)
		return 0;
	for (k = 0; k <= 22; k++) {
		double t = d * p10[k], m;
		unsigned long long u;

		if (t >= 1e15)
			return 0;
		m = (t + 4503599627370496.0) - 4503599627370496.0; /* t < 2^52: to the nearest, ties to even */
		if (m < 1 || m / p10[k] != d)
			continue;
		u = (unsigned long long)m;
		n = 0;
		while (u) {
			tmp[n++] = (char)('0' + u % 10);
			u /= 10;
		}
		*exp10 = n - 1 - k;
		for (i = 0; i < n; i++)
			digits[i] = tmp[n - 1 - i];
		while (n > 1 && digits[n - 1] == '0')
			n--;
		digits[n] = 0;
		return 1;
	}
	return 0;
}

/* The shortest decimal digits of d > 0 that read back as d, and the exponent of the first one. */
static void shortest(double d, char *digits, int *exp10)
{
	char tmp[40], *e, *o = digits;
	const char *p;
	int prec;

	if (shortest_small(d, digits, exp10))
		return;
	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	e = strchr(tmp, 'e');
	*exp10 = atoi(e + 1);
	for (p = tmp; p < e; p++)
		if (*p >= '0' && *p <= '9')
			*o++ = *p;
	/* drop trailing zeros (never the first digit) */
	while (o > digits + 1 && o[-1] == '0')
		o--;
	*o = 0;
}

char *gitops_value_format_float(char *buf, size_t size, double d, int style)
{
	char digits[24], *o = buf, *end = buf + size - 1;
	int exp10, nd, use_e, i;

	if (d != d) {
		snprintf(buf, size, "NaN");
		return buf;
	}
	if (isinf(d)) {
		snprintf(buf, size, d > 0 ? "+Inf" : "-Inf");
		return buf;
	}
	if (d == 0) {
		snprintf(buf, size, signbit(d) ? "-0" : "0");
		return buf;
	}
	if (d < 0 && o < end)
		*o++ = '-';
	shortest(fabs(d), digits, &exp10);
	nd = (int)strlen(digits);
	if (style == GITOPS_FLOAT_JSON)
		use_e = fabs(d) < 1e-6 || fabs(d) >= 1e21;
	else
		use_e = exp10 < -4 || exp10 >= 6; /* Go: "if shortest, eprec = 6" */
	if (use_e) {
		int ex = exp10 < 0 ? -exp10 : exp10;

		if (o < end)
			*o++ = digits[0];
		if (nd > 1 && o < end)
			*o++ = '.';
		for (i = 1; i < nd && o < end; i++)
			*o++ = digits[i];
		if (style == GITOPS_FLOAT_JSON && exp10 < 0)
			snprintf(o, (size_t)(end - o) + 1, "e-%d", ex);
		else
			snprintf(o, (size_t)(end - o) + 1, "e%c%02d", exp10 < 0 ? '-' : '+', ex);
		return buf;
	}
	if (exp10 < 0) {
		/* 0.000ddd */
		if (o + 2 <= end) {
			*o++ = '0';
			*o++ = '.';
		}
		for (i = -1; i > exp10 && o < end; i--)
			*o++ = '0';
		for (i = 0; i < nd && o < end; i++)
			*o++ = digits[i];
	} else {
		for (i = 0; i <= exp10 && o < end; i++)
			*o++ = i < nd ? digits[i] : '0';
		if (nd > exp10 + 1 && o < end) {
			*o++ = '.';
			for (i = exp10 + 1; i < nd && o < end; i++)
				*o++ = digits[i];
		}
	}
	*o = 0;
	return buf;
}

char *gitops_value_format_number(char *buf, size_t size, const cJSON *n)
{
	if (!n || (n->type & 0xFF) != cJSON_Number) {
		snprintf(buf, size, "0");
		return buf;
	}
	if (n->type & GITOPS_VALUE_INT) {
		char tmp[24], *p = tmp + sizeof(tmp);
		int64_t i = (int64_t)n->valuedouble; /* |i| <= 2^53 here: a bigger one has its text */
		uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
		size_t len;

		if (n->valuestring) {
			snprintf(buf, size, "%s", n->valuestring);
			return buf;
		}
		/* the digits by hand: every integer of every document written goes through here */
		*--p = 0;
		do
			*--p = (char)('0' + u % 10);
		while (u /= 10);
		if (i < 0)
			*--p = '-';
		len = (size_t)(tmp + sizeof(tmp) - 1 - p);
		if (size) {
			if (len >= size)
				len = size - 1;
			memcpy(buf, p, len);
			buf[len] = 0;
		}
		return buf;
	}
	format_float(buf, size, n->valuedouble);
	return buf;
}

cJSON *gitops_value_copy(const cJSON *v)
{
	/* cJSON_Duplicate keeps the type flags (ours included) and copies valuestring */
	return v ? cJSON_Duplicate(v, 1) : NULL;
}

static int by_key(const void *x, const void *y)
{
	const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;

	return strcmp(a->string ? a->string : "", b->string ? b->string : "");
}

static size_t count_from(const cJSON *n)
{
	size_t c = 0;

	for (; n; n = n->next)
		c++;
	return c;
}

static int equal(const cJSON *a, const cJSON *b, int strict);

/* The members from a and b on, which hold the same count, compared key by key after sorting. */
static int equal_unordered(const cJSON *a, const cJSON *b, size_t n, int strict)
{
	const cJSON **sa = malloc(2 * n * sizeof(*sa)), **sb;
	size_t i;
	int eq = 1;

	if (!sa)
		return 0;
	sb = sa + n;
	for (i = 0; i < n; i++, a = a->next, b = b->next) {
		sa[i] = a;
		sb[i] = b;
	}
	qsort(sa, n, sizeof(*sa), by_key);
	qsort(sb, n, sizeof(*sb), by_key);
	for (i = 0; eq && i < n; i++)
		eq = by_key(&sa[i], &sb[i]) == 0 && equal(sa[i], sb[i], strict);
	free(sa);
	return eq;
}

static int numbers_equal(const cJSON *a, const cJSON *b, int strict)
{
	int ia = (a->type & GITOPS_VALUE_INT) != 0, ib = (b->type & GITOPS_VALUE_INT) != 0;
	char ta[48], tb[48];

	if (strict && ia != ib)
		return 0;
	if (!a->valuestring && !b->valuestring) /* both exact in their doubles */
		return a->valuedouble == b->valuedouble || (isnan(a->valuedouble) && isnan(b->valuedouble));
	if (ia && ib) /* one beyond 2^53: the canonical decimals */
		return strcmp(gitops_value_format_number(ta, sizeof(ta), a),
			      gitops_value_format_number(tb, sizeof(tb), b)) == 0;
	/* an integer beyond 2^53 against a float: as doubles, as a JSON reader would see both */
	return (a->valuestring ? strtod(a->valuestring, NULL) : a->valuedouble) ==
	       (b->valuestring ? strtod(b->valuestring, NULL) : b->valuedouble);
}

static int equal(const cJSON *a, const cJSON *b, int strict)
{
	const cJSON *x, *y;
	size_t n;

	if (a == b)
		return 1;
	if (!a || !b || (a->type & 0xFF) != (b->type & 0xFF))
		return 0;
	switch (a->type & 0xFF) {
	case cJSON_False:
	case cJSON_True:
	case cJSON_NULL:
		return 1;
	case cJSON_Number:
		return numbers_equal(a, b, strict);
	case cJSON_String:
		return a->valuestring && b->valuestring && strcmp(a->valuestring, b->valuestring) == 0;
	case cJSON_Array:
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
			if (!equal(x, y, strict))
				return 0;
		return !x && !y;
	case cJSON_Object:
		/* in step while the keys line up; the rest, if any, sorted */
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next) {
			if (!x->string || !y->string || strcmp(x->string, y->string))
				break;
			if (!equal(x, y, strict))
				return 0;
		}
		if (!x || !y)
			return !x && !y;
		n = count_from(x);
		return n == count_from(y) && equal_unordered(x, y, n, strict);
	default:
		return 0;
	}
}

int gitops_value_equal(const cJSON *a, const cJSON *b)
{
	return equal(a, b, 0);
}

int gitops_value_equal_strict(const cJSON *a, const cJSON *b)
{
	return equal(a, b, 1);
}

int gitops_value_sorted(const cJSON ***out, size_t *n, const cJSON *map)
{
	const cJSON **v, *c;
	size_t i = 0, k = map ? count_from(map->child) : 0;

	*out = NULL;
	*n = 0;
	if (!k)
		return 0;
	if (!(v = malloc(k * sizeof(*v))))
		return -1;
	for (c = map->child; c; c = c->next)
		v[i++] = c;
	qsort(v, k, sizeof(*v), by_key);
	*out = v;
	*n = k;
	return 0;
}

cJSON *gitops_value_get(const cJSON *map, const char *key)
{
	cJSON *c;

	if (!map || (map->type & 0xFF) != cJSON_Object)
		return NULL;
	for (c = map->child; c; c = c->next)
		if (c->string && c->string[0] == key[0] && strcmp(c->string, key) == 0)
			return c;
	return NULL;
}

int gitops_value_set(cJSON *map, const char *key, cJSON *val)
{
	if (gitops_value_get(map, key))
		return cJSON_ReplaceItemInObjectCaseSensitive(map, key, val) ? 0 : -1;
	return cJSON_AddItemToObject(map, key, val) ? 0 : -1;
}

/* --- coalescing --- */

struct coalesce {
	int merge;
	gitops_value_warn_fn warn;
	void *ctx;
	struct gitops_err *err;
	char *key; /* the dotted key of the member at hand */
	size_t len, cap;
};

static int push_key(struct coalesce *c, const char *k, size_t *mark)
{
	size_t need = c->len + 1 + strlen(k) + 1;

	*mark = c->len;
	if (need > c->cap) {
		size_t cap = need * 2;
		char *p = realloc(c->key, cap);

		if (!p)
			return gitops_err_oom(c->err);
		c->key = p;
		c->cap = cap;
	}
	c->len += (size_t)sprintf(c->key + c->len, "%s%s", c->len ? "." : "", k);
	return 0;
}

static int coalesce_tables(struct coalesce *c, cJSON *dst, const cJSON *src)
{
	const cJSON *s;

	for (s = src->child; s; s = s->next) {
		cJSON *d = gitops_value_get(dst, s->string);
		size_t mark;
		int rc = 0;

		if (!s->string)
			continue;
		if (push_key(c, s->string, &mark))
			return -1;
		if (d && !c->merge && cJSON_IsNull(d)) {
			cJSON_DeleteItemFromObjectCaseSensitive(dst, s->string);
		} else if (!d) {
			cJSON *copy = gitops_value_copy(s);

			if (!copy || !cJSON_AddItemToObject(dst, s->string, copy)) {
				cJSON_Delete(copy);
				rc = gitops_err_oom(c->err);
			}
		} else if (cJSON_IsObject(s)) {
			if (cJSON_IsObject(d))
				rc = coalesce_tables(c, d, s);
			else if (c->warn)
				c->warn(c->ctx, c->key, "cannot overwrite table with non table");
		} else if (cJSON_IsObject(d) && !cJSON_IsNull(s) && c->warn) {
			c->warn(c->ctx, c->key, "destination is a table; ignoring non-table value");
		}
		c->len = mark;
		c->key[mark] = 0;
		if (rc)
			return rc;
	}
	return 0;
}

int gitops_value_coalesce(cJSON *dst, const cJSON *src, int merge, gitops_value_warn_fn warn, void *ctx,
			  struct gitops_err *err)
{
	struct coalesce c = {.merge = merge, .warn = warn, .ctx = ctx, .err = err};
	int rc;

	if (!cJSON_IsObject(dst) || !cJSON_IsObject(src))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "coalesce: both values must be mappings");
	rc = coalesce_tables(&c, dst, src);
	free(c.key);
	return rc;
}
