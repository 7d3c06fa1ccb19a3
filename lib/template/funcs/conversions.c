/*
 * conversions.c: Sprig's type conversions (sprig v3.3 conversion.go on
 * spf13/cast v1.7.0): atoi, int, int64, float64, toString, toStrings, and
 * toDecimal (an octal string's value).
 * cast's errors are dropped by Sprig: what cannot convert is 0.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lib/template/funcs/funcs_int.h"

/* Go's int64(f) on amd64: out of range or NaN gives the smallest int64 */
static int64_t float_to_int(double f)
{
	if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)f;
}

/* cast's trimZeroDecimal: "3.0" -> "3", "3.50" stays */
static size_t trim_zero_decimal(const char *s, size_t len)
{
	size_t i;
	int zero = 0;

	for (i = len; i > 0; i--) {
		switch (s[i - 1]) {
		case '.':
			if (zero)
				return i - 1;
			break;
		case '0':
			zero = 1;
			break;
		default:
			return len;
		}
	}
	return len;
}

/* cast.ToInt64E, errors as 0 */
/* cast's toInt takes a time.Month or time.Weekday by its number (a time.Duration: no) */
static int cast_month_weekday(const struct gitops_tmpl_value *v)
{
	return tmpl_named_int(v) && (!strcmp(v->u.map.type_name, "time.Month") || !strcmp(v->u.map.type_name, "time.Weekday"));
}

int64_t fn_cast_int(const struct gitops_tmpl_value *v)
{
	int64_t i;

	if (cast_month_weekday(v))
		v = tmpl_named_int(v);
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8:
	case GITOPS_TMPL_UINT64:
		return v->u.i;
	case GITOPS_TMPL_FLOAT64:
		return float_to_int(v->u.f);
	case GITOPS_TMPL_BOOL:
		return v->u.b;
	case GITOPS_TMPL_STRING:
		if (tmpl_strconv_parse_int(&i, v->u.str.s, trim_zero_decimal(v->u.str.s, v->u.str.len)) == 0)
			return i;
		return 0;
	default:
		return 0;
	}
}

/* cast.ToFloat64E, errors as 0 */
double fn_cast_float(const struct gitops_tmpl_value *v)
{
	double f;

	if (cast_month_weekday(v))
		v = tmpl_named_int(v);
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8:
		return (double)v->u.i;
	case GITOPS_TMPL_UINT64:
		return (double)(uint64_t)v->u.i;
	case GITOPS_TMPL_FLOAT64:
		return v->u.f;
	case GITOPS_TMPL_BOOL:
		return v->u.b;
	case GITOPS_TMPL_STRING:
		return tmpl_strconv_parse_float(&f, v->u.str.s, v->u.str.len) == 0 ? f : 0;
	default:
		return 0;
	}
}

/* strconv.Atoi: base 10, an optional sign, nothing else; a syntax error is 0 */
FN(f_atoi)
{
	size_t len, i = 0;
	const char *s = gitops_tmpl_value_str(args[0], &len);
	uint64_t u = 0;
	int neg = 0, ok = len > 0, big = 0;

	(void)call, (void)n;
	if (len && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
		ok = len > 1;
	}
	for (; ok && i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			ok = 0;
			break;
		}
		if (u > (UINT64_MAX - 9) / 10)
			big = 1;
		else
			u = u * 10 + (unsigned)(s[i] - '0');
	}
	/* a range error gives the nearest int (Atoi returns it with the error Sprig drops) */
	if (ok && (big || (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)))
		u = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	*out = gitops_tmpl_value_int(!ok ? 0 : neg ? (int64_t)(0 - u) : (int64_t)u);
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_int)
{
	(void)call, (void)n;
	*out = gitops_tmpl_value_int(fn_cast_int(args[0]));
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_int64)
{
	(void)call, (void)n;
	*out = gitops_tmpl_value_int64(fn_cast_int(args[0]));
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_float64)
{
	(void)call, (void)n;
	*out = gitops_tmpl_value_float(fn_cast_float(args[0]));
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_to_string)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	(void)call, (void)n;
	if (gitops_buf_add(&b, "", 0) < 0 || fn_strval(&b, args[0]) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

/* toStrings: a []string of the strvals of a list's non-nil items, or of the one value */
FN(f_to_strings)
{
	struct gitops_tmpl_value *v = args[0], *l = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST), *s;
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i, cnt;
	int is_list = gitops_tmpl_value_kind(v) == GITOPS_TMPL_LIST || gitops_tmpl_value_kind(v) == GITOPS_TMPL_STRLIST;

	(void)call, (void)n;
	if (!l)
		return gitops_err_oom(err);
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL) {
		*out = l;
		return 0;
	}
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_STRLIST && !v->u.list.type_name) {
		/* Sprig's strslice gives a []string itself (a nil one stays nil) */
		gitops_tmpl_value_unref(l);
		*out = gitops_tmpl_value_ref(v);
		return 0;
	}
	cnt = is_list ? v->u.list.n : 1;
	for (i = 0; i < cnt; i++) {
		struct gitops_tmpl_value *it = is_list ? v->u.list.items[i] : v;
		if (gitops_tmpl_value_kind(it) == GITOPS_TMPL_NIL && gitops_tmpl_value_kind(v) == GITOPS_TMPL_LIST)
			continue;
		b.len = 0;
		if (gitops_buf_add(&b, "", 0) < 0 || fn_strval(&b, it) < 0 || !(s = gitops_tmpl_value_string(b.data, b.len)) ||
		    gitops_tmpl_list_push(l, s) < 0) {
			gitops_buf_release(&b);
			gitops_tmpl_value_unref(l);
			return gitops_err_oom(err);
		}
	}
	if (is_list)
		l->u.list.gocap = cnt; /* make([]string, 0, len), appended */
	gitops_buf_release(&b);
	*out = l;
	return 0;
}

/* toDecimal V: fmt.Sprint(V) read by strconv.ParseInt(s, 8, 64), 0 when it cannot be (int64) */
FN(f_to_decimal)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_tmpl_value *v = args[0];
	uint64_t u = 0, limit;
	size_t i = 0;
	int neg = 0, ok;

	(void)call, (void)n;
	if (gitops_buf_add(&b, "", 0) < 0 || gitops_tmpl_sprint(&b, &v, 1) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	if (b.len && (b.data[0] == '+' || b.data[0] == '-')) {
		neg = b.data[0] == '-';
		i = 1;
	}
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	ok = i < b.len;
	for (; ok && i < b.len; i++) {
		unsigned d = (unsigned char)b.data[i] - '0';
		if (d > 7 || u > (limit - d) / 8)
			ok = 0;
		else
			u = u * 8 + d;
	}
	gitops_buf_release(&b);
	*out = gitops_tmpl_value_int64(!ok ? 0 : neg ? (int64_t)(0 - u) : (int64_t)u);
	return *out ? 0 : gitops_err_oom(err);
}

#define A GITOPS_TMPL_P_ANY
const struct gitops_tmpl_func gitops_tmpl_funcs_conversions[] = {
	{ "atoi", f_atoi, 1, 0, { GITOPS_TMPL_P_STRING }, NULL },
	{ "int", f_int, 1, 0, { A }, NULL },
	{ "int64", f_int64, 1, 0, { A }, NULL },
	{ "float64", f_float64, 1, 0, { A }, NULL },
	{ "toString", f_to_string, 1, 0, { A }, NULL },
	{ "toStrings", f_to_strings, 1, 0, { A }, NULL },
	{ "toDecimal", f_to_decimal, 1, 0, { A }, NULL },
};
const size_t gitops_tmpl_funcs_conversions_n =
	sizeof(gitops_tmpl_funcs_conversions) / sizeof(gitops_tmpl_funcs_conversions[0]);
