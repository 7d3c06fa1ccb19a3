/*
 * strlists.c: Sprig's string-list functions (sprig v3.3 strings.go,
 * list.go): join, splitList, split, splitn, sortAlpha, on Sprig's strslice
 * (a list's non-nil items as strings).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/funcs/funcs_int.h"

/* strslice: a new []string of v's items (a list's non-nil ones) or of v itself; NULL when out of memory */
static struct gitops_tmpl_value *strslice(struct gitops_tmpl_value *v)
{
	struct gitops_tmpl_value *l = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST), *s;
	struct gitops_buf b = GITOPS_BUF_INIT;
	int is_list = gitops_tmpl_value_kind(v) == GITOPS_TMPL_LIST || gitops_tmpl_value_kind(v) == GITOPS_TMPL_STRLIST;
	size_t i, cnt;

	if (!l)
		return NULL;
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL)
		return l;
	cnt = is_list ? v->u.list.n : 1;
	for (i = 0; i < cnt; i++) {
		struct gitops_tmpl_value *it = is_list ? v->u.list.items[i] : v;
		if (is_list && gitops_tmpl_value_kind(it) == GITOPS_TMPL_NIL)
			continue;
		b.len = 0;
		if (gitops_buf_add(&b, "", 0) < 0 || fn_strval(&b, it) < 0 || !(s = gitops_tmpl_value_string(b.data, b.len)) ||
		    gitops_tmpl_list_push(l, s) < 0) {
			gitops_buf_release(&b);
			gitops_tmpl_value_unref(l);
			return NULL;
		}
	}
	gitops_buf_release(&b);
	if (is_list)
		l->u.list.gocap = cnt; /* make([]string, 0, len), appended */
	return l;
}

/* join SEP LIST */
FN(f_join)
{
	struct gitops_tmpl_value *l = strslice(args[1]);
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t slen, i;
	const char *sep = gitops_tmpl_value_str(args[0], &slen);

	(void)call, (void)n;
	if (!l || gitops_buf_add(&b, "", 0) < 0)
		goto oom;
	for (i = 0; i < l->u.list.n; i++)
		if ((i && gitops_buf_add(&b, sep, slen) < 0) ||
		    gitops_buf_add(&b, l->u.list.items[i]->u.str.s, l->u.list.items[i]->u.str.len) < 0)
			goto oom;
	gitops_tmpl_value_unref(l);
	return fn_ret_buf(out, &b, err);
oom:
	gitops_tmpl_value_unref(l);
	gitops_buf_release(&b);
	return gitops_err_oom(err);
}

/* strings.SplitN(s, sep, max) (max < 0: all) as strings pushed on l */
static int split(struct gitops_tmpl_value *l, const char *s, size_t len, const char *sep, size_t slen, long max)
{
	size_t i = 0, start = 0, sz;
	long parts = 0;
	struct gitops_tmpl_value *v;

	if (max == 0)
		return 0;
	if (slen == 0) {
		/* explode into runes (a bad byte is one), the last part keeping the rest */
		while (i < len) {
			if (max > 0 && parts == max - 1) {
				sz = len - i;
			} else {
				fn_rune(s + i, len - i, &sz);
			}
			if (!(v = gitops_tmpl_value_string(s + i, sz)) || gitops_tmpl_list_push(l, v) < 0)
				return -1;
			parts++;
			i += sz;
		}
		return 0;
	}
	while (i + slen <= len && (max < 0 || parts < max - 1)) {
		if (!memcmp(s + i, sep, slen)) {
			if (!(v = gitops_tmpl_value_string(s + start, i - start)) || gitops_tmpl_list_push(l, v) < 0)
				return -1;
			parts++;
			i += slen;
			start = i;
		} else {
			i++;
		}
	}
	if (!(v = gitops_tmpl_value_string(s + start, len - start)) || gitops_tmpl_list_push(l, v) < 0)
		return -1;
	return 0;
}

/* splitList SEP S: []string */
FN(f_split_list)
{
	size_t slen, len;
	const char *sep = gitops_tmpl_value_str(args[0], &slen), *s = gitops_tmpl_value_str(args[1], &len);
	struct gitops_tmpl_value *l = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST);

	(void)call, (void)n;
	if (!l || split(l, s, len, sep, slen, -1) < 0) {
		gitops_tmpl_value_unref(l);
		return gitops_err_oom(err);
	}
	*out = l;
	return 0;
}

/* split / splitn: map[string]string with keys _0, _1, ... */
static int split_map(struct gitops_tmpl_value **out, struct gitops_tmpl_value *sepv, struct gitops_tmpl_value *sv,
		     long max, struct gitops_err *err)
{
	size_t slen, len, i;
	const char *sep = gitops_tmpl_value_str(sepv, &slen), *s = gitops_tmpl_value_str(sv, &len);
	struct gitops_tmpl_value *l = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST),
				 *m = gitops_tmpl_value_map("map[string]string");

	if (!l || !m || split(l, s, len, sep, slen, max) < 0)
		goto oom;
	for (i = 0; i < l->u.list.n; i++) {
		char key[32];
		int kl = snprintf(key, sizeof(key), "_%zu", i);
		if (gitops_tmpl_map_set(m, key, (size_t)kl, gitops_tmpl_value_ref(l->u.list.items[i])) < 0)
			goto oom;
	}
	gitops_tmpl_value_unref(l);
	*out = m;
	return 0;
oom:
	gitops_tmpl_value_unref(l);
	gitops_tmpl_value_unref(m);
	return gitops_err_oom(err);
}

FN(f_split)
{
	(void)call, (void)n;
	return split_map(out, args[0], args[1], -1, err);
}

/* splitn SEP N S */
FN(f_splitn)
{
	(void)call, (void)n;
	return split_map(out, args[0], args[2], (long)gitops_tmpl_value_int_of(args[1]), err);
}

static int by_bytes(const void *a, const void *b)
{
	const struct gitops_tmpl_value *x = *(struct gitops_tmpl_value *const *)a, *y = *(struct gitops_tmpl_value *const *)b;

	return tmpl_keycmp(x->u.str.s, x->u.str.len, y->u.str.s, y->u.str.len);
}

/* sortAlpha LIST: its items as strings, sorted bytewise; anything else: [strval] */
FN(f_sort_alpha)
{
	struct gitops_tmpl_value *v = args[0], *l;

	(void)call, (void)n;
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_STRLIST && !v->u.list.type_name) {
		/* strslice gives a []string itself: Go sorts the caller's list in place (a nil one stays nil) */
		l = gitops_tmpl_value_ref(v);
		if (l->u.list.n > 1)
			qsort(l->u.list.items, l->u.list.n, sizeof(l->u.list.items[0]), by_bytes);
	} else if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_LIST || gitops_tmpl_value_kind(v) == GITOPS_TMPL_STRLIST) {
		if (!(l = strslice(v)))
			return gitops_err_oom(err);
		if (l->u.list.n > 1)
			qsort(l->u.list.items, l->u.list.n, sizeof(l->u.list.items[0]), by_bytes);
	} else {
		struct gitops_buf b = GITOPS_BUF_INIT;
		struct gitops_tmpl_value *s;
		if (!(l = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST)) || gitops_buf_add(&b, "", 0) < 0 || fn_strval(&b, v) < 0 ||
		    !(s = gitops_tmpl_value_string(b.data, b.len)) || gitops_tmpl_list_push(l, s) < 0) {
			gitops_buf_release(&b);
			gitops_tmpl_value_unref(l);
			return gitops_err_oom(err);
		}
		gitops_buf_release(&b);
	}
	*out = l;
	return 0;
}

#define S GITOPS_TMPL_P_STRING
#define A GITOPS_TMPL_P_ANY
const struct gitops_tmpl_func gitops_tmpl_funcs_strlists[] = {
	{ "join", f_join, 2, 0, { S, A }, NULL },
	{ "splitList", f_split_list, 2, 0, { S, S }, NULL },
	{ "split", f_split, 2, 0, { S, S }, NULL },
	{ "splitn", f_splitn, 3, 0, { S, GITOPS_TMPL_P_INT, S }, NULL },
	{ "sortAlpha", f_sort_alpha, 1, 0, { A }, NULL },
};
const size_t gitops_tmpl_funcs_strlists_n = sizeof(gitops_tmpl_funcs_strlists) / sizeof(gitops_tmpl_funcs_strlists[0]);
