/*
 * funcs.c: the function table (funcs.h) and the helpers the families share
 * (funcs_int.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/funcs/funcs_int.h"

static const struct {
	const struct gitops_tmpl_func *t;
	const size_t *n;
} fam[] = {
	{ gitops_tmpl_funcs_strings, &gitops_tmpl_funcs_strings_n },
	{ gitops_tmpl_funcs_defaults, &gitops_tmpl_funcs_defaults_n },
	{ gitops_tmpl_funcs_reflect, &gitops_tmpl_funcs_reflect_n },
	{ gitops_tmpl_funcs_lists, &gitops_tmpl_funcs_lists_n },
	{ gitops_tmpl_funcs_conversions, &gitops_tmpl_funcs_conversions_n },
	{ gitops_tmpl_funcs_strlists, &gitops_tmpl_funcs_strlists_n },
	{ gitops_tmpl_funcs_dicts, &gitops_tmpl_funcs_dicts_n },
	{ gitops_tmpl_funcs_math, &gitops_tmpl_funcs_math_n },
	{ gitops_tmpl_funcs_encoding, &gitops_tmpl_funcs_encoding_n },
	{ gitops_tmpl_funcs_random, &gitops_tmpl_funcs_random_n },
	{ gitops_tmpl_funcs_crypto, &gitops_tmpl_funcs_crypto_n },
	{ gitops_tmpl_funcs_helm, &gitops_tmpl_funcs_helm_n },
	{ gitops_tmpl_funcs_regex, &gitops_tmpl_funcs_regex_n },
	{ gitops_tmpl_funcs_paths, &gitops_tmpl_funcs_paths_n },
	{ gitops_tmpl_funcs_semver, &gitops_tmpl_funcs_semver_n },
	{ gitops_tmpl_funcs_dates, &gitops_tmpl_funcs_dates_n },
	{ gitops_tmpl_funcs_serialize, &gitops_tmpl_funcs_serialize_n },
};

int gitops_tmpl_funcs_table_with(struct gitops_tmpl_func **out, size_t *n, const struct gitops_tmpl_func *extra,
				 size_t nextra)
{
	size_t total = nextra, i, k = 0;
	struct gitops_tmpl_func *t;

	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
		total += *fam[i].n;
	/* every entry is copied over: no zeroing first */
	t = malloc((total ? total : 1) * sizeof(*t));
	if (!t)
		return -1;
	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		memcpy(t + k, fam[i].t, *fam[i].n * sizeof(*t));
		k += *fam[i].n;
	}
	if (nextra)
		memcpy(t + k, extra, nextra * sizeof(*t));
	*out = t;
	*n = total;
	return 0;
}

int gitops_tmpl_funcs_table(struct gitops_tmpl_func **out, size_t *n)
{
	return gitops_tmpl_funcs_table_with(out, n, NULL, 0);
}

int fn_empty(const struct gitops_tmpl_value *v)
{
	if (tmpl_named_int(v))
		return tmpl_named_int(v)->u.i == 0;
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_NIL:
		return 1;
	case GITOPS_TMPL_BOOL:
		return !v->u.b;
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8:
	case GITOPS_TMPL_UINT64:
		return v->u.i == 0;
	case GITOPS_TMPL_FLOAT64:
		return v->u.f == 0;
	case GITOPS_TMPL_COMPLEX128:
		return v->u.c.re == 0 && v->u.c.im == 0;
	case GITOPS_TMPL_MAP:
		return !v->u.map.is_struct && v->u.map.n == 0;
	default:
		return gitops_tmpl_value_len(v) == 0;
	}
}

int fn_strval(struct gitops_buf *b, struct gitops_tmpl_value *v)
{
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_STRING)
		return gitops_buf_add(b, v->u.str.s, v->u.str.len);
	if (gitops_tmpl_value_is_bytes(v)) /* strval's case []byte: string(v) */
		return gitops_tmpl_value_bytes_of(b, v);
	return tmpl_fmt_printf(b, "%v", 2, &v, 1);
}

int fn_ret_str(struct gitops_tmpl_value **out, const char *s, size_t len, struct gitops_err *err)
{
	*out = gitops_tmpl_value_string(s ? s : "", s ? len : 0);
	return *out ? 0 : gitops_err_oom(err);
}

int fn_ret_buf(struct gitops_tmpl_value **out, struct gitops_buf *b, struct gitops_err *err)
{
	int r = fn_ret_str(out, b->data, b->len, err);

	gitops_buf_release(b);
	return r;
}

int fn_fail(struct gitops_err *err, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s", msg);
}

int fn_rune(const char *str, size_t n, size_t *size)
{
	if (!n) {
		*size = 1;
		return -1;
	}
	return (int)tmpl_rune(str, n, size);
}

int fn_put_rune(struct gitops_buf *b, int r)
{
	char ch[4];
	unsigned u = (unsigned)r;
	size_t n;

	if (r < 0 || u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF))
		u = 0xFFFD;
	if (u < 0x80) {
		ch[0] = (char)u;
		n = 1;
	} else if (u < 0x800) {
		ch[0] = (char)(0xC0 | (u >> 6));
		ch[1] = (char)(0x80 | (u & 0x3F));
		n = 2;
	} else if (u < 0x10000) {
		ch[0] = (char)(0xE0 | (u >> 12));
		ch[1] = (char)(0x80 | ((u >> 6) & 0x3F));
		ch[2] = (char)(0x80 | (u & 0x3F));
		n = 3;
	} else {
		ch[0] = (char)(0xF0 | (u >> 18));
		ch[1] = (char)(0x80 | ((u >> 12) & 0x3F));
		ch[2] = (char)(0x80 | ((u >> 6) & 0x3F));
		ch[3] = (char)(0x80 | (u & 0x3F));
		n = 4;
	}
	return gitops_buf_add(b, ch, n);
}

int fn_holds(const struct gitops_tmpl_value *v, const struct gitops_tmpl_value *target, size_t depth)
{
	size_t i;

	if (!v || depth > 100000)
		return 0;
	if (v == target)
		return 1;
	switch (v->kind) {
	case GITOPS_TMPL_MAP:
		for (i = 0; i < v->u.map.n; i++)
			if (fn_holds(v->u.map.e[i].val, target, depth + 1))
				return 1;
		return 0;
	case GITOPS_TMPL_LIST:
		for (i = 0; i < v->u.list.n; i++)
			if (fn_holds(v->u.list.items[i], target, depth + 1))
				return 1;
		return 0;
	default:
		return 0;
	}
}

const struct gitops_tmpl_func *gitops_tmpl_funcs_find(const char *name)
{
	size_t i = sizeof(fam) / sizeof(fam[0]), k;

	/* from the end, as a search of the table from its end: the last of a name wins */
	while (i-- > 0)
		for (k = *fam[i].n; k-- > 0;)
			if (!fam[i].t[k].receiver && !strcmp(fam[i].t[k].name, name))
				return &fam[i].t[k];
	return NULL;
}
