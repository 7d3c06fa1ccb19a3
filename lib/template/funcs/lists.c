/*
 * lists.c: Sprig's list family (sprig v3.3 list.go): list, append/push,
 * prepend, concat, first, rest, last, initial, reverse, compact, uniq,
 * without, has, slice (which replaces text/template's builtin), chunk, and
 * their must* forms.  A function given no list panics in Sprig ("Cannot
 * push on type string"), its must* form returns the same error: both are
 * "error calling NAME: ..." here.  Results are new []interface {} lists;
 * like Go's, their items are shared with the arguments (maps stay maps).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lib/template/funcs/funcs_int.h"

static int is_list(const struct gitops_tmpl_value *v)
{
	return gitops_tmpl_value_kind(v) == GITOPS_TMPL_LIST || gitops_tmpl_value_kind(v) == GITOPS_TMPL_STRLIST;
}

/* reflect.TypeOf(nil).Kind(): a nil pointer in Go */
static int not_a_list(struct gitops_err *err, const char *what, const struct gitops_tmpl_value *v)
{
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL)
		return fn_fail(err, "runtime error: invalid memory address or nil pointer dereference");
	return fn_fail(err, "Cannot %s on type %s", what, fn_kind_name(v));
}

static struct gitops_tmpl_value *new_list(void)
{
	return gitops_tmpl_value_list(GITOPS_TMPL_LIST);
}

/* push a reference to item (NULL: nil) */
static int push(struct gitops_tmpl_value *l, struct gitops_tmpl_value *item)
{
	struct gitops_tmpl_value *v = item ? gitops_tmpl_value_ref(item) : gitops_tmpl_value_nil();

	return v ? gitops_tmpl_list_push(l, v) : -1;
}

/* items[from, to) of a list into a new []interface {} */
static int copy_range(struct gitops_tmpl_value **out, const struct gitops_tmpl_value *src, size_t from, size_t to,
		      struct gitops_err *err)
{
	struct gitops_tmpl_value *l = new_list();
	size_t i;

	if (!l)
		return gitops_err_oom(err);
	for (i = from; i < to; i++)
		if (push(l, src->u.list.items[i]) < 0) {
			gitops_tmpl_value_unref(l);
			return gitops_err_oom(err);
		}
	*out = l;
	return 0;
}

FN(f_list)
{
	struct gitops_tmpl_value *l = new_list();
	size_t i;

	(void)call;
	if (!l)
		return gitops_err_oom(err);
	for (i = 0; i < n; i++)
		if (push(l, args[i]) < 0) {
			gitops_tmpl_value_unref(l);
			return gitops_err_oom(err);
		}
	*out = l;
	return 0;
}

static int add_item(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, int front, const char *what,
		    struct gitops_err *err)
{
	struct gitops_tmpl_value *l;

	if (!is_list(args[0]))
		return not_a_list(err, what, args[0]);
	if (!(l = new_list()))
		return gitops_err_oom(err);
	if (front && push(l, args[1]) < 0)
		goto oom;
	for (size_t i = 0; i < args[0]->u.list.n; i++)
		if (push(l, args[0]->u.list.items[i]) < 0)
			goto oom;
	if (!front && push(l, args[1]) < 0)
		goto oom;
	/* push: make([]interface {}, n) and append one; prepend: append([]interface {}{v}, list...) */
	l->u.list.gocap = front ? (l->u.list.n > 1 ? tmpl_go_grow(1, l->u.list.n, 16, 0) : 1)
				: tmpl_go_grow(l->u.list.n - 1, l->u.list.n, 16, 0);
	*out = l;
	return 0;
oom:
	gitops_tmpl_value_unref(l);
	return gitops_err_oom(err);
}

FN(f_push)
{
	(void)call, (void)n;
	return add_item(out, args, 0, "push", err);
}

FN(f_prepend)
{
	(void)call, (void)n;
	return add_item(out, args, 1, "prepend", err);
}

FN(f_concat)
{
	struct gitops_tmpl_value *l = new_list();
	size_t i, k;

	(void)call;
	if (!l)
		return gitops_err_oom(err);
	for (i = 0; i < n; i++) {
		if (!is_list(args[i])) {
			gitops_tmpl_value_unref(l);
			if (gitops_tmpl_value_kind(args[i]) == GITOPS_TMPL_NIL)
				return not_a_list(err, "concat", args[i]);
			return fn_fail(err, "Cannot concat type %s as list", fn_kind_name(args[i]));
		}
		for (k = 0; k < args[i]->u.list.n; k++)
			if (push(l, args[i]->u.list.items[k]) < 0) {
				gitops_tmpl_value_unref(l);
				return gitops_err_oom(err);
			}
	}
	l->go_nil = !l->u.list.n; /* Go appends to a nil slice: none appended leaves it nil */
	tmpl_set_append_cap(l, 0);
	*out = l;
	return 0;
}

/* first, last: an item (nil for an empty list) */
static int pick(struct gitops_tmpl_value **out, struct gitops_tmpl_value *v, int last, const char *what,
		struct gitops_err *err)
{
	struct gitops_tmpl_value *it;

	if (!is_list(v))
		return not_a_list(err, what, v);
	if (!v->u.list.n) {
		*out = NULL;
		return 0;
	}
	it = v->u.list.items[last ? v->u.list.n - 1 : 0];
	*out = it ? gitops_tmpl_value_ref(it) : NULL;
	return 0;
}

FN(f_first)
{
	(void)call, (void)n;
	return pick(out, args[0], 0, "find first", err);
}

FN(f_last)
{
	(void)call, (void)n;
	return pick(out, args[0], 1, "find last", err);
}

/* rest, initial: all but the first or the last (a nil list for an empty list, as Sprig returns nil) */
static int trim_one(struct gitops_tmpl_value **out, struct gitops_tmpl_value *v, int last, const char *what,
		    struct gitops_err *err)
{
	if (!is_list(v))
		return not_a_list(err, what, v);
	if (!v->u.list.n) {
		*out = gitops_tmpl_value_nil_of(GITOPS_TMPL_LIST);
		return *out ? 0 : gitops_err_oom(err);
	}
	return copy_range(out, v, last ? 0 : 1, last ? v->u.list.n - 1 : v->u.list.n, err);
}

FN(f_rest)
{
	(void)call, (void)n;
	return trim_one(out, args[0], 0, "find rest", err);
}

FN(f_initial)
{
	(void)call, (void)n;
	return trim_one(out, args[0], 1, "find initial", err);
}

FN(f_reverse)
{
	struct gitops_tmpl_value *v = args[0], *l;
	size_t i;

	(void)call, (void)n;
	if (!is_list(v))
		return not_a_list(err, "find reverse", v);
	if (!(l = new_list()))
		return gitops_err_oom(err);
	for (i = v->u.list.n; i > 0; i--)
		if (push(l, v->u.list.items[i - 1]) < 0) {
			gitops_tmpl_value_unref(l);
			return gitops_err_oom(err);
		}
	*out = l;
	return 0;
}

static int contains(const struct gitops_tmpl_value *l, size_t upto, const struct gitops_tmpl_value *item)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (fn_deep_equal(l->u.list.items[i], item))
			return 1;
	return 0;
}

/* compact (keep the non-empty), uniq (keep the first of equal ones), without (drop those in args[1..]) */
enum { COMPACT, UNIQ, WITHOUT };
static int filter(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, size_t n, int how,
		  const char *what, struct gitops_err *err)
{
	struct gitops_tmpl_value *v = args[0], *l;
	size_t i, k;

	if (!is_list(v))
		return not_a_list(err, what, v);
	if (!(l = new_list()))
		return gitops_err_oom(err);
	for (i = 0; i < v->u.list.n; i++) {
		struct gitops_tmpl_value *it = v->u.list.items[i];
		int keep = 1;
		if (how == COMPACT)
			keep = !fn_empty(it);
		else if (how == UNIQ)
			keep = !contains(l, l->u.list.n, it);
		else
			for (k = 1; k < n && keep; k++)
				keep = !fn_deep_equal(args[k], it);
		if (keep && push(l, it) < 0) {
			gitops_tmpl_value_unref(l);
			return gitops_err_oom(err);
		}
	}
	tmpl_set_append_cap(l, 0); /* appended to []interface {}{} */
	*out = l;
	return 0;
}

FN(f_compact)
{
	(void)call;
	return filter(out, args, n, COMPACT, "compact", err);
}

FN(f_uniq)
{
	(void)call;
	return filter(out, args, n, UNIQ, "find uniq", err);
}

FN(f_without)
{
	(void)call;
	return filter(out, args, n, WITHOUT, "find without", err);
}

/* has NEEDLE HAYSTACK */
FN(f_has)
{
	struct gitops_tmpl_value *h = args[1];

	(void)call, (void)n;
	if (gitops_tmpl_value_kind(h) == GITOPS_TMPL_NIL) {
		*out = gitops_tmpl_value_bool(0);
		return *out ? 0 : gitops_err_oom(err);
	}
	if (!is_list(h))
		return not_a_list(err, "find has", h);
	*out = gitops_tmpl_value_bool(contains(h, h->u.list.n, args[0]));
	return *out ? 0 : gitops_err_oom(err);
}

/* item i of a slice's backing array: its own, then its tail's, then nil (NULL) */
static struct gitops_tmpl_value *backing(const struct gitops_tmpl_value *v, size_t i)
{
	const struct gitops_tmpl_value *t = v->u.list.tail;

	if (i < v->u.list.n)
		return v->u.list.items[i];
	i += v->u.list.tail_off;
	return t && i < t->u.list.n ? t->u.list.items[i] : NULL;
}

/* the zero value of a list's items, as a fresh backing array holds them: nil, "" or 0 */
static struct gitops_tmpl_value *zero_item(const struct gitops_tmpl_value *v)
{
	if (v->kind == GITOPS_TMPL_STRLIST)
		return gitops_tmpl_value_string("", 0);
	if (v->u.list.type_name && !strcmp(v->u.list.type_name, "[]int"))
		return gitops_tmpl_value_int(0);
	return gitops_tmpl_value_nil();
}

/*
 * slice LIST [START [END]]: reflect.Value.Slice of the list, of its own type
 * (a []string stays one); an empty list gives nil.  Indices by cast's
 * ToInt; out of range is reflect's panic.  A Go slice may reach past its
 * length up to its capacity (tmpl_go_cap: what the function that made the
 * list left, as Go's append grows it), where the backing array holds nils
 * or, for a slice of a slice, the items past its end (its tail).
 */
FN(f_slice)
{
	struct gitops_tmpl_value *v = args[0], *l, *tail = NULL;
	int64_t start = 0, end;
	size_t i, off;

	(void)call;
	if (!is_list(v)) {
		if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL)
			return not_a_list(err, "slice", v);
		return fn_fail(err, "list should be type of slice or array but %s", fn_kind_name(v));
	}
	if (!v->u.list.n) {
		*out = NULL;
		return 0;
	}
	end = (int64_t)v->u.list.n;
	if (n > 1)
		start = fn_cast_int(args[1]);
	if (n > 2)
		end = fn_cast_int(args[2]);
	if (start < 0 || end < start || (uint64_t)end > tmpl_go_cap(v))
		return fn_fail(err, "reflect.Value.Slice: slice index out of bounds");
	if (!(l = gitops_tmpl_value_named_list(v->kind, v->u.list.type_name)))
		return gitops_err_oom(err);
	for (i = (size_t)start; i < (size_t)end; i++) {
		struct gitops_tmpl_value *it = backing(v, i);
		if (it ? push(l, it) < 0 : gitops_tmpl_list_push(l, zero_item(v)) < 0)
			goto oom;
	}
	/*
	 * The backing array's items past the new end, which a later slice may
	 * reach: shared, not copied (slicing a long list costs its new length).
	 * The tail is v, or v's own tail when v is a slice (its items are that
	 * list's, or nils where that one ends): one level, however deep slices nest.
	 */
	if (v->u.list.tail) {
		tail = v->u.list.tail;
		off = v->u.list.tail_off + (size_t)start;
	} else {
		tail = v;
		off = (size_t)start;
	}
	tail = off + (size_t)(end - start) < tail->u.list.n ? gitops_tmpl_value_ref(tail) : NULL;
	l->u.list.gocap = tmpl_go_cap(v) - (size_t)start;
	l->u.list.tail = tail;
	l->u.list.tail_off = tail ? off : 0;
	*out = l;
	return 0;
oom:
	gitops_tmpl_value_unref(tail);
	gitops_tmpl_value_unref(l);
	return gitops_err_oom(err);
}

/* Go's int(f) on amd64: NaN and out of range give the smallest int64 */
static int64_t go_int(double f)
{
	if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)f;
}

/*
 * chunk SIZE LIST: [][]interface {} of SIZE items each, the last one the
 * rest.  Sprig counts the chunks in float64 (floor((len-1)/SIZE) + 1) and
 * the last one's length with math.Mod: a size of 0, or a negative one,
 * makes Go's make() panic on a negative length, except where the float
 * arithmetic happens to give no chunk, or a last one that fits.
 */
/* math.Mod(float64(n), float64(size)) for a list's length n: exact integers, so integer arithmetic */
static double mod_len(size_t n, int64_t size)
{
	if (size == 0)
		return NAN;
	if (size > 0 ? (uint64_t)size > n : size < -(int64_t)n)
		return (double)n; /* |size| past n (also past 2^53, where float64(size) is rounded) */
	return (double)(n % (size > 0 ? (uint64_t)size : (uint64_t)-size));
}

FN(f_chunk)
{
	int64_t size = gitops_tmpl_value_int_of(args[0]), cs, i, j, clen;
	struct gitops_tmpl_value *v = args[1], *res = NULL, *c;
	double len;

	(void)call, (void)n;
	if (!is_list(v)) {
		if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL)
			return not_a_list(err, "chunk", v);
		return fn_fail(err, "Cannot chunk type %s", fn_kind_name(v));
	}
	len = (double)v->u.list.n;
	cs = go_int(floor((len - 1) / (double)size));
	cs = (int64_t)((uint64_t)cs + 1);
	if (cs < 0)
		return fn_fail(err, "runtime error: makeslice: len out of range");
	if (!(res = gitops_tmpl_value_named_list(GITOPS_TMPL_LIST, "[][]interface {}")))
		return gitops_err_oom(err);
	for (i = 0; i < cs; i++) {
		clen = size;
		if (i == cs - 1) {
			clen = go_int(floor(mod_len(v->u.list.n, size)));
			if (clen == 0)
				clen = size;
		}
		if (clen < 0) {
			gitops_tmpl_value_unref(res);
			return fn_fail(err, "runtime error: makeslice: len out of range");
		}
		if (!(c = new_list()) || gitops_tmpl_list_push(res, c) < 0)
			goto oom;
		for (j = 0; j < clen; j++) {
			uint64_t ix = (uint64_t)i * (uint64_t)size + (uint64_t)j;
			if (ix >= v->u.list.n) {
				gitops_tmpl_value_unref(res);
				return fn_fail(err, "reflect: slice index out of range");
			}
			if (push(c, v->u.list.items[ix]) < 0)
				goto oom;
		}
	}
	*out = res;
	return 0;
oom:
	gitops_tmpl_value_unref(res);
	return gitops_err_oom(err);
}

/* the suffix-less name of a function in its must* form */
#define L GITOPS_TMPL_P_ANY
const struct gitops_tmpl_func gitops_tmpl_funcs_lists[] = {
	{ "list", f_list, 0, 1, { L }, NULL },
	{ "tuple", f_list, 0, 1, { L }, NULL },
	{ "append", f_push, 2, 0, { L, L }, NULL },
	{ "push", f_push, 2, 0, { L, L }, NULL },
	{ "mustAppend", f_push, 2, 0, { L, L }, NULL },
	{ "mustPush", f_push, 2, 0, { L, L }, NULL },
	{ "prepend", f_prepend, 2, 0, { L, L }, NULL },
	{ "mustPrepend", f_prepend, 2, 0, { L, L }, NULL },
	{ "concat", f_concat, 0, 1, { L }, NULL },
	{ "first", f_first, 1, 0, { L }, NULL },
	{ "mustFirst", f_first, 1, 0, { L }, NULL },
	{ "last", f_last, 1, 0, { L }, NULL },
	{ "mustLast", f_last, 1, 0, { L }, NULL },
	{ "rest", f_rest, 1, 0, { L }, NULL },
	{ "mustRest", f_rest, 1, 0, { L }, NULL },
	{ "initial", f_initial, 1, 0, { L }, NULL },
	{ "mustInitial", f_initial, 1, 0, { L }, NULL },
	{ "reverse", f_reverse, 1, 0, { L }, NULL },
	{ "mustReverse", f_reverse, 1, 0, { L }, NULL },
	{ "compact", f_compact, 1, 0, { L }, NULL },
	{ "mustCompact", f_compact, 1, 0, { L }, NULL },
	{ "uniq", f_uniq, 1, 0, { L }, NULL },
	{ "mustUniq", f_uniq, 1, 0, { L }, NULL },
	{ "without", f_without, 1, 1, { L, L }, NULL },
	{ "mustWithout", f_without, 1, 1, { L, L }, NULL },
	{ "has", f_has, 2, 0, { L, L }, NULL },
	{ "mustHas", f_has, 2, 0, { L, L }, NULL },
	{ "slice", f_slice, 1, 1, { L, L }, NULL },
	{ "mustSlice", f_slice, 1, 1, { L, L }, NULL },
	{ "chunk", f_chunk, 2, 0, { GITOPS_TMPL_P_INT, L }, NULL },
	{ "mustChunk", f_chunk, 2, 0, { GITOPS_TMPL_P_INT, L }, NULL },
};
const size_t gitops_tmpl_funcs_lists_n = sizeof(gitops_tmpl_funcs_lists) / sizeof(gitops_tmpl_funcs_lists[0]);
