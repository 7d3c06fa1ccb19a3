/*
 * math.c: Sprig's integer and float math (sprig v3.3 functions.go,
 * numeric.go): add, add1, sub, mul, div, mod, max/biggest, min (int64 on
 * cast's ToInt64, wrapping on overflow as Go's int64 does), maxf, minf,
 * floor, ceil, round (float64 on cast's ToFloat64); the decimal ones (addf,
 * add1f, subf, mulf, divf, on shopspring/decimal's exact arithmetic); until,
 * untilStep ([]int) and seq (a string).  Not here: randInt (random).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/funcs/funcs_int.h"

static int ret_int(struct gitops_tmpl_value **out, int64_t i, struct gitops_err *err)
{
	*out = gitops_tmpl_value_int64(i);
	return *out ? 0 : gitops_err_oom(err);
}

static int ret_float(struct gitops_tmpl_value **out, double f, struct gitops_err *err)
{
	*out = gitops_tmpl_value_float(f);
	return *out ? 0 : gitops_err_oom(err);
}

/* Go's wrapping int64 arithmetic */
static int64_t wrap_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t wrap_mul(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}

FN(f_add)
{
	int64_t a = 0;
	size_t i;

	(void)call;
	for (i = 0; i < n; i++)
		a = wrap_add(a, fn_cast_int(args[i]));
	return ret_int(out, a, err);
}

FN(f_add1)
{
	(void)call, (void)n;
	return ret_int(out, wrap_add(fn_cast_int(args[0]), 1), err);
}

FN(f_sub)
{
	(void)call, (void)n;
	return ret_int(out, (int64_t)((uint64_t)fn_cast_int(args[0]) - (uint64_t)fn_cast_int(args[1])), err);
}

FN(f_mul)
{
	int64_t a = fn_cast_int(args[0]);
	size_t i;

	(void)call;
	for (i = 1; i < n; i++)
		a = wrap_mul(a, fn_cast_int(args[i]));
	return ret_int(out, a, err);
}

/* div, mod: Go's truncated division, its panic on zero, MinInt64 / -1 = MinInt64 */
static int divmod(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, int mod, struct gitops_err *err)
{
	int64_t a = fn_cast_int(args[0]), b = fn_cast_int(args[1]);

	if (b == 0)
		return fn_fail(err, "runtime error: integer divide by zero");
	if (b == -1)
		return ret_int(out, mod ? 0 : (int64_t)(0 - (uint64_t)a), err);
	return ret_int(out, mod ? a % b : a / b, err);
}

FN(f_div)
{
	(void)call, (void)n;
	return divmod(out, args, 0, err);
}

FN(f_mod)
{
	(void)call, (void)n;
	return divmod(out, args, 1, err);
}

static int extreme(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, size_t n, int max,
		   struct gitops_err *err)
{
	int64_t a = fn_cast_int(args[0]);
	size_t i;

	for (i = 1; i < n; i++) {
		int64_t b = fn_cast_int(args[i]);
		if (max ? b > a : b < a)
			a = b;
	}
	return ret_int(out, a, err);
}

FN(f_max)
{
	(void)call;
	return extreme(out, args, n, 1, err);
}

FN(f_min)
{
	(void)call;
	return extreme(out, args, n, 0, err);
}

/* maxf, minf: math.Max and math.Min (NaN wins, -0 < +0) */
static int extremef(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, size_t n, int max,
		    struct gitops_err *err)
{
	double a = fn_cast_float(args[0]);
	size_t i;

	for (i = 1; i < n; i++) {
		double b = fn_cast_float(args[i]);
		if (isnan(a) || isnan(b))
			a = NAN;
		else if (a == b && a == 0)
			a = max ? (signbit(a) ? b : a) : (signbit(a) ? a : b);
		else if (max ? b > a : b < a)
			a = b;
	}
	return ret_float(out, a, err);
}

FN(f_maxf)
{
	(void)call;
	return extremef(out, args, n, 1, err);
}

FN(f_minf)
{
	(void)call;
	return extremef(out, args, n, 0, err);
}

FN(f_floor)
{
	(void)call, (void)n;
	return ret_float(out, floor(fn_cast_float(args[0])), err);
}

FN(f_ceil)
{
	(void)call, (void)n;
	return ret_float(out, ceil(fn_cast_float(args[0])), err);
}

/*
 * Go's math.Pow(10, y) for an integral y, step for step: past 10^22 it is
 * not libm's correctly rounded pow.  10 = 0.625 * 2^4 (Frexp) is squared,
 * each square's power of two kept apart and renormalised, the factors of
 * y's bits multiplied in, the whole inverted for a negative y, and Ldexp
 * puts the power of two back; a huge exponent is left to Ldexp.
 */
static double go_pow10(double y)
{
	double a1 = 1, x1 = 0.625, ay = y < 0 ? -y : y;
	long ae = 0, xe = 4;

	if (y == 0)
		return 1;
	if (y == 1)
		return 10;
	if (ay >= 9223372036854775808.0) /* 1<<63: Go's answer for |x| > 1 */
		return y > 0 ? INFINITY : 0;
	for (int64_t i = (int64_t)ay; i != 0; i >>= 1) {
		if (xe < -(1L << 12) || (1L << 12) < xe) {
			ae += xe; /* catastrophic overflow: Ldexp's */
			break;
		}
		if (i & 1) {
			a1 *= x1;
			ae += xe;
		}
		x1 *= x1;
		xe <<= 1;
		if (x1 < .5) {
			x1 += x1;
			xe--;
		}
	}
	if (y < 0) {
		a1 = 1 / a1;
		ae = -ae;
	}
	return ldexp(a1, ae > INT32_MAX ? INT32_MAX : ae < INT32_MIN ? INT32_MIN : (int)ae);
}

/* round X PLACES [ROUNDON]: Sprig's, on math.Modf of X * 10^PLACES */
FN(f_round)
{
	double val = fn_cast_float(args[0]), on = n > 2 ? fn_cast_float(args[2]) : .5;
	double pow10 = go_pow10((double)gitops_tmpl_value_int_of(args[1])), digit = pow10 * val, ip, frac;

	(void)call;
	frac = modf(digit, &ip);
	return ret_float(out, (frac >= on ? ceil(digit) : floor(digit)) / pow10, err);
}

/* the most items until, untilStep and seq make: a bound of ours (Go's is memory) */
#define MAX_ITEMS 10000000

/*
 * Sprig's untilStep: START, START+STEP, ... while short of STOP (above it
 * for a negative STEP); none when STEP goes the other way or is 0.  Pushed
 * on l as Go ints.  Go's loop wraps around on overflow and never ends: an
 * error here, as is a list past MAX_ITEMS.
 */
static int until_step(struct gitops_tmpl_value *l, int64_t start, int64_t stop, int64_t step, struct gitops_err *err)
{
	int64_t i;
	size_t cnt = 0;

	if (stop < start ? step >= 0 : step <= 0)
		return 0;
	for (i = start; stop < start ? i > stop : i < stop;) {
		struct gitops_tmpl_value *v;
		if (++cnt > MAX_ITEMS)
			return fn_fail(err, "untilStep: more than %d items", MAX_ITEMS);
		if (!(v = gitops_tmpl_value_int(i)) || gitops_tmpl_list_push(l, v) < 0)
			return gitops_err_oom(err);
		if ((step > 0 && i > INT64_MAX - step) || (step < 0 && i < INT64_MIN - step))
			return fn_fail(err, "untilStep: more than %d items", MAX_ITEMS);
		i += step;
	}
	return 0;
}

static int ret_until(struct gitops_tmpl_value **out, int64_t start, int64_t stop, int64_t step, struct gitops_err *err)
{
	struct gitops_tmpl_value *l = gitops_tmpl_value_named_list(GITOPS_TMPL_LIST, "[]int");

	if (!l)
		return gitops_err_oom(err);
	if (until_step(l, start, stop, step, err) < 0) {
		gitops_tmpl_value_unref(l);
		return -1;
	}
	l->u.list.gocap = tmpl_go_append_cap(0, l->u.list.n, 8, 1); /* appended to []int{} */
	*out = l;
	return 0;
}

/* until COUNT: []int 0..COUNT-1 (down to COUNT+1 for a negative one) */
FN(f_until)
{
	int64_t c = gitops_tmpl_value_int_of(args[0]);

	(void)call, (void)n;
	return ret_until(out, 0, c, c < 0 ? -1 : 1, err);
}

FN(f_until_step)
{
	(void)call, (void)n;
	return ret_until(out, gitops_tmpl_value_int_of(args[0]), gitops_tmpl_value_int_of(args[1]),
			 gitops_tmpl_value_int_of(args[2]), err);
}

/*
 * seq END / seq START END / seq START STEP END: the integers from START
 * (1 when not given) to END inclusive, spaced, as a string; counting down
 * when END is below START (then a positive STEP gives nothing); no
 * arguments, or more than three, give "".
 */
FN(f_seq)
{
	struct gitops_tmpl_value *l = gitops_tmpl_value_list(GITOPS_TMPL_LIST);
	struct gitops_buf b = GITOPS_BUF_INIT;
	int64_t start = 1, end = 0, step = 1, inc = 1;
	size_t i;
	int r = -1;

	(void)call;
	if (!l)
		return gitops_err_oom(err);
	if (gitops_buf_add(&b, "", 0) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	switch (n) {
	case 1:
		end = gitops_tmpl_value_int_of(args[0]);
		step = end < start ? -1 : 1;
		inc = step;
		break;
	case 2:
		start = gitops_tmpl_value_int_of(args[0]);
		end = gitops_tmpl_value_int_of(args[1]);
		step = end < start ? -1 : 1;
		inc = step;
		break;
	case 3:
		start = gitops_tmpl_value_int_of(args[0]);
		step = gitops_tmpl_value_int_of(args[1]);
		end = gitops_tmpl_value_int_of(args[2]);
		if (end < start) {
			inc = -1;
			if (step > 0)
				goto empty;
		}
		break;
	default:
		goto empty;
	}
	if (until_step(l, start, (int64_t)((uint64_t)end + (uint64_t)inc), step, err) < 0)
		goto done;
	for (i = 0; i < l->u.list.n; i++)
		if (gitops_buf_printf(&b, i ? " %lld" : "%lld", (long long)l->u.list.items[i]->u.i) < 0) {
			gitops_err_oom(err);
			goto done;
		}
empty:
	r = fn_ret_buf(out, &b, err);
done:
	gitops_buf_release(&b);
	gitops_tmpl_value_unref(l);
	return r;
}

/*
 * The float math of addf, add1f, subf, mulf, divf: Sprig turns each
 * argument (cast's ToFloat64) into a shopspring/decimal Decimal
 * (NewFromFloat: the shortest decimal that reads back as the float), does
 * exact decimal arithmetic (a quotient rounded half away from zero to 16
 * decimal places), and returns the nearest float64 of the exact result.
 * A decimal here: decimal digits, least significant first, times 10^exp.
 */
struct dec {
	unsigned char *d;
	size_t n; /* no leading (most significant) zeros: 0 digits is zero */
	int neg;
	long exp;
};

/* a bound on the digits of one number, ours (Go's is memory) */
#define MAX_DIGITS 100000

static void dec_release(struct dec *a)
{
	free(a->d);
	a->d = NULL;
	a->n = 0;
}

static void dec_trim(struct dec *a)
{
	while (a->n && !a->d[a->n - 1])
		a->n--;
	if (!a->n)
		a->neg = 0;
}

static int dec_alloc(struct dec *a, size_t n, struct gitops_err *err)
{
	if (n > MAX_DIGITS)
		return fn_fail(err, "decimal: more than %d digits", MAX_DIGITS);
	a->d = calloc(n ? n : 1, 1);
	a->n = n;
	return a->d ? 0 : gitops_err_oom(err);
}

/* decimal.NewFromFloat */
static int dec_from_float(struct dec *a, double f, struct gitops_err *err)
{
	char buf[40], *e;
	int prec;
	size_t i, k = 0;

	memset(a, 0, sizeof(*a));
	if (isnan(f))
		return fn_fail(err, "Cannot create a Decimal from NaN");
	if (isinf(f))
		return fn_fail(err, "Cannot create a Decimal from %sInf", f > 0 ? "+" : "-");
	if (f == 0)
		return 0;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	e = strchr(buf, 'e');
	if (dec_alloc(a, (size_t)prec, err) < 0)
		return -1;
	for (i = (size_t)(e - buf); i > 0; i--)
		if (buf[i - 1] >= '0' && buf[i - 1] <= '9')
			a->d[k++] = (unsigned char)(buf[i - 1] - '0');
	a->n = k;
	a->neg = buf[0] == '-';
	a->exp = strtol(e + 1, NULL, 10) - (long)(k - 1);
	dec_trim(a);
	return 0;
}

/* the nearest float64 of a (big.Rat's Float64) */
static double dec_to_float(const struct dec *a)
{
	char *s, *p;
	size_t i;
	double f;

	if (!a->n)
		return 0;
	if (!(s = malloc(a->n + 32)))
		return NAN;
	p = s;
	if (a->neg)
		*p++ = '-';
	for (i = a->n; i > 0; i--)
		*p++ = (char)('0' + a->d[i - 1]);
	snprintf(p, 32, "e%ld", a->exp);
	f = strtod(s, NULL);
	free(s);
	return f;
}

/* a's digits times 10^shift (shift >= 0) into r */
static int dec_shifted(struct dec *r, const struct dec *a, long shift, struct gitops_err *err)
{
	if (shift < 0 || (unsigned long)shift > MAX_DIGITS)
		return fn_fail(err, "decimal: more than %d digits", MAX_DIGITS);
	if (dec_alloc(r, a->n + (size_t)shift, err) < 0)
		return -1;
	if (a->n)
		memcpy(r->d + shift, a->d, a->n);
	else
		r->n = 0;
	r->neg = a->neg;
	r->exp = a->exp - shift;
	return 0;
}

static int mag_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return an < bn ? -1 : 1;
	for (i = an; i > 0; i--)
		if (a[i - 1] != b[i - 1])
			return a[i - 1] < b[i - 1] ? -1 : 1;
	return 0;
}

/* a -= b, magnitudes, a >= b */
static void mag_sub(unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	size_t i;
	int borrow = 0;

	for (i = 0; i < an; i++) {
		int x = a[i] - borrow - (i < bn ? b[i] : 0);
		borrow = x < 0;
		a[i] = (unsigned char)(x < 0 ? x + 10 : x);
	}
}

/* a + b (b negated when sub) into r */
static int dec_add(struct dec *r, const struct dec *a, const struct dec *b, int sub, struct gitops_err *err)
{
	struct dec x = { 0 }, y = { 0 };
	long e = a->exp < b->exp ? a->exp : b->exp;
	int bneg = b->n && (b->neg ^ sub), rc = -1;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (dec_shifted(&x, a, a->exp - e, err) < 0 || dec_shifted(&y, b, b->exp - e, err) < 0)
		goto done;
	y.neg = bneg;
	if (dec_alloc(r, (x.n > y.n ? x.n : y.n) + 1, err) < 0)
		goto done;
	r->exp = e;
	if (x.neg == y.neg) {
		int carry = 0;
		for (i = 0; i < r->n; i++) {
			int s = carry + (i < x.n ? x.d[i] : 0) + (i < y.n ? y.d[i] : 0);
			r->d[i] = (unsigned char)(s % 10);
			carry = s / 10;
		}
		r->neg = x.neg;
	} else {
		struct dec *big = &x, *small = &y;
		if (mag_cmp(x.d, x.n, y.d, y.n) < 0)
			big = &y, small = &x;
		memcpy(r->d, big->d, big->n);
		mag_sub(r->d, r->n, small->d, small->n);
		r->neg = big->neg;
	}
	dec_trim(r);
	rc = 0;
done:
	dec_release(&x);
	dec_release(&y);
	return rc;
}

static int dec_mul(struct dec *r, const struct dec *a, const struct dec *b, struct gitops_err *err)
{
	size_t i, j;

	memset(r, 0, sizeof(*r));
	if (!a->n || !b->n)
		return 0;
	if (dec_alloc(r, a->n + b->n, err) < 0)
		return -1;
	for (i = 0; i < a->n; i++) {
		unsigned carry = 0;
		for (j = 0; j < b->n; j++) {
			unsigned t = r->d[i + j] + (unsigned)a->d[i] * b->d[j] + carry;
			r->d[i + j] = (unsigned char)(t % 10);
			carry = t / 10;
		}
		for (j = i + b->n; carry; j++) {
			unsigned t = r->d[j] + carry;
			r->d[j] = (unsigned char)(t % 10);
			carry = t / 10;
		}
	}
	r->neg = a->neg ^ b->neg;
	r->exp = a->exp + b->exp;
	dec_trim(r);
	return 0;
}

/* Decimal.Div: a / b rounded half away from zero to 16 decimal places */
static int dec_div(struct dec *r, const struct dec *a, const struct dec *b, struct gitops_err *err)
{
	struct dec num = { 0 }, den = { 0 }, rem = { 0 };
	long e = a->exp - b->exp + 16;
	size_t i;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (!b->n)
		return fn_fail(err, "decimal division by 0");
	if (dec_shifted(&num, a, e > 0 ? e : 0, err) < 0 || dec_shifted(&den, b, e < 0 ? -e : 0, err) < 0)
		goto done;
	/* long division, a decimal digit at a time: rem = rem * 10 + digit, then subtract den while it fits */
	if (dec_alloc(r, num.n, err) < 0 || dec_alloc(&rem, den.n + 1, err) < 0)
		goto done;
	rem.n = 0;
	for (i = num.n; i > 0; i--) {
		unsigned char q = 0;
		memmove(rem.d + 1, rem.d, rem.n);
		rem.d[0] = num.d[i - 1];
		rem.n++;
		while (rem.n && !rem.d[rem.n - 1])
			rem.n--;
		while (mag_cmp(rem.d, rem.n, den.d, den.n) >= 0) {
			mag_sub(rem.d, rem.n, den.d, den.n);
			while (rem.n && !rem.d[rem.n - 1])
				rem.n--;
			q++;
		}
		r->d[i - 1] = q;
	}
	r->exp = -16;
	r->neg = a->neg ^ b->neg;
	dec_trim(r);
	{
		/* round: 2 * rem >= den */
		struct dec two = { 0 };
		int up;
		if (dec_alloc(&two, rem.n + 1, err) < 0)
			goto done;
		{
			int carry = 0;
			for (i = 0; i < two.n; i++) {
				int s = (i < rem.n ? rem.d[i] * 2 : 0) + carry;
				two.d[i] = (unsigned char)(s % 10);
				carry = s / 10;
			}
		}
		while (two.n && !two.d[two.n - 1])
			two.n--;
		up = mag_cmp(two.d, two.n, den.d, den.n) >= 0;
		dec_release(&two);
		if (up) {
			struct dec one = { 0 }, sum;
			int neg = a->neg ^ b->neg;
			if (dec_alloc(&one, 1, err) < 0)
				goto done;
			one.d[0] = 1;
			one.exp = -16;
			one.neg = neg;
			r->neg = neg;
			if (dec_add(&sum, r, &one, 0, err) < 0) {
				dec_release(&one);
				goto done;
			}
			dec_release(&one);
			dec_release(r);
			*r = sum;
		}
	}
	rc = 0;
done:
	if (rc < 0)
		dec_release(r);
	dec_release(&num);
	dec_release(&den);
	dec_release(&rem);
	return rc;
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV };

/* execDecimalOp: first, then each of rest by op, as a float64 */
static int decimal_op(struct gitops_tmpl_value **out, double first, struct gitops_tmpl_value *const *rest, size_t n,
		      const double *one, int op, struct gitops_err *err)
{
	struct dec acc, x, r;
	size_t i;

	if (dec_from_float(&acc, first, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		int rc;
		if (dec_from_float(&x, one ? *one : fn_cast_float(rest[i]), err) < 0) {
			dec_release(&acc);
			return -1;
		}
		switch (op) {
		case OP_ADD:
		case OP_SUB:
			rc = dec_add(&r, &acc, &x, op == OP_SUB, err);
			break;
		case OP_MUL:
			rc = dec_mul(&r, &acc, &x, err);
			break;
		default:
			rc = dec_div(&r, &acc, &x, err);
		}
		dec_release(&x);
		dec_release(&acc);
		if (rc < 0)
			return -1;
		acc = r;
	}
	first = dec_to_float(&acc);
	dec_release(&acc);
	return ret_float(out, first, err);
}

FN(f_addf)
{
	(void)call;
	return decimal_op(out, 0, args, n, NULL, OP_ADD, err);
}

FN(f_add1f)
{
	static const double one = 1;

	(void)call, (void)n;
	return decimal_op(out, fn_cast_float(args[0]), NULL, 1, &one, OP_ADD, err);
}

FN(f_subf)
{
	(void)call;
	return decimal_op(out, fn_cast_float(args[0]), args + 1, n - 1, NULL, OP_SUB, err);
}

FN(f_mulf)
{
	(void)call;
	return decimal_op(out, fn_cast_float(args[0]), args + 1, n - 1, NULL, OP_MUL, err);
}

FN(f_divf)
{
	(void)call;
	return decimal_op(out, fn_cast_float(args[0]), args + 1, n - 1, NULL, OP_DIV, err);
}

#define A GITOPS_TMPL_P_ANY
#define I GITOPS_TMPL_P_INT
const struct gitops_tmpl_func gitops_tmpl_funcs_math[] = {
	{ "add", f_add, 0, 1, { A }, NULL },
	{ "add1", f_add1, 1, 0, { A }, NULL },
	{ "sub", f_sub, 2, 0, { A, A }, NULL },
	{ "mul", f_mul, 1, 1, { A, A }, NULL },
	{ "div", f_div, 2, 0, { A, A }, NULL },
	{ "mod", f_mod, 2, 0, { A, A }, NULL },
	{ "max", f_max, 1, 1, { A, A }, NULL },
	{ "biggest", f_max, 1, 1, { A, A }, NULL },
	{ "min", f_min, 1, 1, { A, A }, NULL },
	{ "maxf", f_maxf, 1, 1, { A, A }, NULL },
	{ "minf", f_minf, 1, 1, { A, A }, NULL },
	{ "floor", f_floor, 1, 0, { A }, NULL },
	{ "ceil", f_ceil, 1, 0, { A }, NULL },
	{ "round", f_round, 2, 1, { A, GITOPS_TMPL_P_INT, GITOPS_TMPL_P_FLOAT }, NULL },
	{ "until", f_until, 1, 0, { I }, NULL },
	{ "untilStep", f_until_step, 3, 0, { I, I, I }, NULL },
	{ "seq", f_seq, 0, 1, { I }, NULL },
	{ "addf", f_addf, 0, 1, { A }, NULL },
	{ "add1f", f_add1f, 1, 0, { A }, NULL },
	{ "subf", f_subf, 1, 1, { A, A }, NULL },
	{ "mulf", f_mulf, 1, 1, { A, A }, NULL },
	{ "divf", f_divf, 1, 1, { A, A }, NULL },
};
const size_t gitops_tmpl_funcs_math_n = sizeof(gitops_tmpl_funcs_math) / sizeof(gitops_tmpl_funcs_math[0]);
