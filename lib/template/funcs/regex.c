/*
 * regex.c: Sprig's regular expression functions (sprig v3.3 regex.go) on
 * Go's regexp as lib/base/regex.c gives it (RE2 syntax, Go's messages):
 * regexMatch, regexFindAll, regexFind, regexReplaceAll,
 * regexReplaceAllLiteral, regexSplit, their must* forms, regexQuoteMeta.
 *
 * Sprig's plain forms call regexp.MustCompile, whose panic reads
 * "regexp: Compile(`PAT`): error parsing regexp: ..." (the pattern quoted
 * as Go's quote() does: backquoted when it can be, else strconv.Quote);
 * regexMatch drops the error (false); the must* forms return Compile's
 * error as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/base/regex.h"
#include "lib/template/funcs/funcs_int.h"

/* strconv.CanBackquote */
static int can_backquote(const char *s, size_t len)
{
	size_t i = 0, sz;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		int r;
		if (c < 0x80) {
			if ((c < ' ' && c != '\t') || c == '`' || c == 0x7F)
				return 0;
			i++;
			continue;
		}
		r = fn_rune(s + i, len - i, &sz);
		if ((r == 0xFFFD && sz == 1) || r == 0xFEFF)
			return 0;
		i += sz;
	}
	return 1;
}

/*
 * Compile pattern args[0]; must: Compile's error as it is, else
 * MustCompile's panic text.  In a template (call set) the set keeps what
 * it compiled, so a pattern a chart uses in every file (bitnami's common
 * helpers) is compiled once: regex_done gives back what compile gave.
 */
static int compile(struct gitops_regex **re, struct gitops_tmpl_call *call, struct gitops_tmpl_value *pat, int must,
		   struct gitops_err *err)
{
	struct gitops_err e = GITOPS_ERR_INIT;
	struct gitops_buf q = GITOPS_BUF_INIT;
	size_t len;
	const char *s = fn_str(pat, &len);

	if ((call ? tmpl_call_regex(re, call, s, len, &e) : gitops_regex_compile(re, s, len, &e)) == 0)
		return 0;
	if (e.code == GITOPS_EXIT_INTERNAL)
		return gitops_err_oom(err);
	if (must)
		return fn_fail(err, "%s", e.msg);
	if (can_backquote(s, len)) {
		if (gitops_buf_add(&q, "`", 1) < 0 || gitops_buf_add(&q, s, len) < 0 || gitops_buf_add(&q, "`", 1) < 0)
			goto oom;
	} else if (tmpl_fmt_quote(&q, s, len, 0) < 0 || gitops_buf_add(&q, "", 0) < 0) {
		goto oom;
	}
	fn_fail(err, "regexp: Compile(%.*s): %s", (int)q.len, q.data, e.msg);
	gitops_buf_release(&q);
	return -1;
oom:
	gitops_buf_release(&q);
	return gitops_err_oom(err);
}

/* done with what compile gave: the set's to keep, or (no template) the caller's to free */
static void regex_done(struct gitops_tmpl_call *call, struct gitops_regex *re)
{
	if (!call)
		regex_done(call, re);
}

static int ret_bool(struct gitops_tmpl_value **out, int b, struct gitops_err *err)
{
	*out = gitops_tmpl_value_bool(b);
	return *out ? 0 : gitops_err_oom(err);
}

static int match(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		 int must,
		 struct gitops_err *err)
{
	struct gitops_regex *re;
	size_t len;
	const char *s = fn_str(args[1], &len);
	int r;

	if (compile(&re, call, args[0], 1, err) < 0) {
		if (!must && err->code != GITOPS_EXIT_INTERNAL)
			return ret_bool(out, 0, err);
		return -1;
	}
	r = gitops_regex_match(re, s, len, err);
	regex_done(call, re);
	return r < 0 ? -1 : ret_bool(out, r, err);
}

FN(f_regex_match)
{
	(void)n;
	return match(out, call, args, 0, err);
}

FN(f_must_regex_match)
{
	(void)n;
	return match(out, call, args, 1, err);
}

/* a []string of the spans at[2i], at[2i+1] of s (n of them, width offsets apart) */
static int spans(struct gitops_tmpl_value **out, const char *s, const struct gitops_regex_matches *m,
		 struct gitops_err *err)
{
	struct gitops_tmpl_value *l = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST), *it;
	size_t i;

	if (!l)
		return gitops_err_oom(err);
	for (i = 0; i < m->n; i++) {
		const long *at = m->at + i * m->width;
		it = gitops_tmpl_value_string(s + at[0], (size_t)(at[1] - at[0]));
		if (!it || gitops_tmpl_list_push(l, it) < 0) {
			gitops_tmpl_value_unref(l);
			return gitops_err_oom(err);
		}
	}
	*out = l;
	return 0;
}

/* Split's []string: make([]string, 0, len(FindAllStringIndex(s, n))), appended */
static int split_cap(struct gitops_tmpl_value *l, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		     const char *s, size_t len,
		     long cnt, struct gitops_err *err)
{
	struct gitops_regex_matches m = GITOPS_REGEX_MATCHES_INIT;
	struct gitops_regex *re;
	int r;

	if (compile(&re, call, args[0], 1, err) < 0)
		return -1;
	r = gitops_regex_find_all(&m, re, s, len, cnt, err);
	regex_done(call, re);
	if (r >= 0)
		l->u.list.gocap = tmpl_go_append_cap(m.n, l->u.list.n, 16, 0);
	gitops_regex_matches_release(&m);
	return r < 0 ? -1 : 0;
}

static int find_all(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		    int must, int split,
		    struct gitops_err *err)
{
	struct gitops_regex_matches m = GITOPS_REGEX_MATCHES_INIT;
	struct gitops_regex *re;
	size_t len;
	const char *s = fn_str(args[1], &len);
	long cnt = (long)gitops_tmpl_value_int_of(args[2]);
	int r;

	if (compile(&re, call, args[0], must, err) < 0)
		return -1;
	r = split ? gitops_regex_split(&m, re, s, len, cnt, err) : gitops_regex_find_all(&m, re, s, len, cnt, err);
	regex_done(call, re);
	if (r >= 0)
		r = spans(out, s, &m, err);
	/* Go's FindAllString gives nil for no match, Split nil for n == 0 */
	if (r >= 0 && (split ? cnt == 0 : m.n == 0))
		(*out)->go_nil = 1;
	else if (r >= 0 && !split)
		(*out)->u.list.gocap = tmpl_go_append_cap(10, m.n, 16, 0); /* make([]string, 0, 10), appended */
	else if (r >= 0 && (r = split_cap(*out, call, args, s, len, cnt, err)) < 0) {
		gitops_tmpl_value_unref(*out);
		*out = NULL;
	}
	gitops_regex_matches_release(&m);
	return r;
}

FN(f_regex_find_all)
{
	(void)n;
	return find_all(out, call, args, 0, 0, err);
}

FN(f_must_regex_find_all)
{
	(void)n;
	return find_all(out, call, args, 1, 0, err);
}

FN(f_regex_split)
{
	(void)n;
	return find_all(out, call, args, 0, 1, err);
}

FN(f_must_regex_split)
{
	(void)n;
	return find_all(out, call, args, 1, 1, err);
}

static int find(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		int must,
		struct gitops_err *err)
{
	struct gitops_regex *re;
	size_t len, w;
	const char *s = fn_str(args[1], &len);
	long *idx;
	int r;

	if (compile(&re, call, args[0], must, err) < 0)
		return -1;
	w = 2 * (1 + gitops_regex_nsub(re));
	idx = calloc(w, sizeof(*idx));
	if (!idx) {
		regex_done(call, re);
		return gitops_err_oom(err);
	}
	r = gitops_regex_find(idx, re, s, len, err);
	regex_done(call, re);
	if (r > 0)
		r = fn_ret_str(out, s + idx[0], (size_t)(idx[1] - idx[0]), err);
	else if (r == 0)
		r = fn_ret_str(out, "", 0, err);
	free(idx);
	return r;
}

FN(f_regex_find)
{
	(void)n;
	return find(out, call, args, 0, err);
}

FN(f_must_regex_find)
{
	(void)n;
	return find(out, call, args, 1, err);
}

static int replace(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		   int must, int literal,
		   struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_regex *re;
	size_t len, rlen;
	const char *s = fn_str(args[1], &len), *repl = fn_str(args[2], &rlen);
	int r;

	if (compile(&re, call, args[0], must, err) < 0)
		return -1;
	r = gitops_buf_add(&b, "", 0) < 0 ? gitops_err_oom(err)
	    : literal ? gitops_regex_replace_all_literal(&b, re, s, len, repl, rlen, err)
		      : gitops_regex_replace_all(&b, re, s, len, repl, rlen, err);
	regex_done(call, re);
	if (r < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	return fn_ret_buf(out, &b, err);
}

FN(f_regex_replace_all)
{
	(void)n;
	return replace(out, call, args, 0, 0, err);
}

FN(f_must_regex_replace_all)
{
	(void)n;
	return replace(out, call, args, 1, 0, err);
}

FN(f_regex_replace_all_literal)
{
	(void)n;
	return replace(out, call, args, 0, 1, err);
}

FN(f_must_regex_replace_all_literal)
{
	(void)n;
	return replace(out, call, args, 1, 1, err);
}

FN(f_regex_quote_meta)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len;
	const char *s = fn_str(args[0], &len);

	(void)call, (void)n;
	if (gitops_buf_add(&b, "", 0) < 0 || gitops_regex_quote_meta(&b, s, len) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

#define S GITOPS_TMPL_P_STRING
#define I GITOPS_TMPL_P_INT
const struct gitops_tmpl_func gitops_tmpl_funcs_regex[] = {
	{ "regexMatch", f_regex_match, 2, 0, { S, S }, NULL },
	{ "mustRegexMatch", f_must_regex_match, 2, 0, { S, S }, NULL },
	{ "regexFindAll", f_regex_find_all, 3, 0, { S, S, I }, NULL },
	{ "mustRegexFindAll", f_must_regex_find_all, 3, 0, { S, S, I }, NULL },
	{ "regexFind", f_regex_find, 2, 0, { S, S }, NULL },
	{ "mustRegexFind", f_must_regex_find, 2, 0, { S, S }, NULL },
	{ "regexReplaceAll", f_regex_replace_all, 3, 0, { S, S, S }, NULL },
	{ "mustRegexReplaceAll", f_must_regex_replace_all, 3, 0, { S, S, S }, NULL },
	{ "regexReplaceAllLiteral", f_regex_replace_all_literal, 3, 0, { S, S, S }, NULL },
	{ "mustRegexReplaceAllLiteral", f_must_regex_replace_all_literal, 3, 0, { S, S, S }, NULL },
	{ "regexSplit", f_regex_split, 3, 0, { S, S, I }, NULL },
	{ "mustRegexSplit", f_must_regex_split, 3, 0, { S, S, I }, NULL },
	{ "regexQuoteMeta", f_regex_quote_meta, 1, 0, { S }, NULL },
};
const size_t gitops_tmpl_funcs_regex_n = sizeof(gitops_tmpl_funcs_regex) / sizeof(gitops_tmpl_funcs_regex[0]);
