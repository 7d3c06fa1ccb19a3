/*
 * math.c: Sprig's integer and float math (sprig v3.3 functions.go,
 * numeric.go): add, add1, sub, mul, div, mod, max/biggest, min (int64 on
 * cast's ToInt64, wrapping on overflow as Go's int64 does), maxf, minf,
 * floor, ceil, round (float64 on cast's ToFloat64).  Not yet: the decimal
 * ones (addf, add1f, subf, mulf, divf), randInt, until, untilStep, seq.
 */
#include <math.h>
#include <stdint.h>

#include "lib/template/funcs/funcs_int.h"

#define FN(name) \
	static int name(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, \
			struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)

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

/* round X PLACES [ROUNDON]: Sprig's, on math.Modf of X * 10^PLACES */
FN(f_round)
{
	double val = fn_cast_float(args[0]), on = n > 2 ? fn_cast_float(args[2]) : .5;
	double pow10 = pow(10, (double)gitops_tmpl_value_int_of(args[1])), digit = pow10 * val, ip, frac;

	(void)call;
	frac = modf(digit, &ip);
	return ret_float(out, (frac >= on ? ceil(digit) : floor(digit)) / pow10, err);
}

#define A GITOPS_TMPL_P_ANY
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
};
const size_t gitops_tmpl_funcs_math_n = sizeof(gitops_tmpl_funcs_math) / sizeof(gitops_tmpl_funcs_math[0]);
