/*
 * strings.c: Sprig's string functions (sprig v3.3 functions.go, strings.go),
 * with Go's strings package semantics: Unicode case mapping and spaces as
 * Go's unicode package has them (lib/template/tmpl_unicode.c), byte offsets
 * where Go slices bytes (substr, trunc), Go's panics as errors.
 * Here: trim, trimAll/trimall, trimPrefix, trimSuffix, upper, lower,
 * title, substr, trunc, abbrev, abbrevboth, repeat, contains, hasPrefix,
 * hasSuffix, quote, squote, cat, indent, nindent, replace, plural, nospace,
 * hello, untitle, swapcase, initials, shuffle (random), camelcase,
 * snakecase, kebabcase (huandu/xstrings v1.5.0), wrap, wrapWith
 * (Masterminds/goutils v1.1.1).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/template/funcs/funcs_int.h"

/* the longest string a function makes: a bound before allocating, not Go's */
#define MAX_RESULT (256u << 20)

static int ret_bool(struct gitops_tmpl_value **out, int b, struct gitops_err *err)
{
	*out = gitops_tmpl_value_bool(b);
	return *out ? 0 : gitops_err_oom(err);
}

/* strings.Map with a rune mapping (negative: drop); invalid bytes become U+FFFD as in Go */
static int map_runes(struct gitops_tmpl_value **out, const char *s, size_t len, int (*fn)(int r, void *st), void *st,
		     struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i = 0, sz;

	if (gitops_buf_add(&b, "", 0) < 0)
		return gitops_err_oom(err);
	b.len = 0;
	while (i < len) {
		int r = fn_rune(s + i, len - i, &sz), m = fn(r, st);
		if (m >= 0 && ((m == r && r != 0xFFFD) ? gitops_buf_add(&b, s + i, sz) : fn_put_rune(&b, m)) < 0) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
		i += sz;
	}
	return fn_ret_buf(out, &b, err);
}

static int to_upper(int r, void *st)
{
	(void)st;
	return tmpl_unicode_to(0, r);
}

static int to_lower(int r, void *st)
{
	(void)st;
	return tmpl_unicode_to(1, r);
}

/* strings.Title's isSeparator */
static int is_separator(int r)
{
	if (r <= 0x7F) {
		if ((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_')
			return 0;
		return 1;
	}
	if (tmpl_unicode_is_letter(r) || tmpl_unicode_is_digit(r))
		return 0;
	return tmpl_unicode_is_space(r);
}

static int title_rune(int r, void *st)
{
	int *prev = st, sep = is_separator(*prev);

	*prev = r;
	return sep ? tmpl_unicode_to(2, r) : r;
}

FN(f_upper)
{
	size_t len;
	const char *s = fn_str(args[0], &len);

	(void)call, (void)n;
	return map_runes(out, s, len, to_upper, NULL, err);
}

FN(f_lower)
{
	size_t len;
	const char *s = fn_str(args[0], &len);

	(void)call, (void)n;
	return map_runes(out, s, len, to_lower, NULL, err);
}

FN(f_title)
{
	size_t len;
	const char *s = fn_str(args[0], &len);
	int prev = ' ';

	(void)call, (void)n;
	return map_runes(out, s, len, title_rune, &prev, err);
}

/*
 * nospace: goutils.DeleteWhiteSpace, which goes byte by byte: each byte is
 * a rune of its own (Latin-1), dropped when unicode.IsSpace; when nothing
 * was dropped the string comes back as it was, else the kept bytes come
 * back as those runes, UTF-8 encoded (a non-ASCII string with a space is
 * mangled, as in helm).
 */
FN(f_nospace)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len, i, kept = 0;
	const char *s = fn_str(args[0], &len);

	(void)call, (void)n;
	for (i = 0; i < len; i++)
		kept += !tmpl_unicode_is_space((unsigned char)s[i]);
	if (kept == len)
		return fn_ret_str(out, s, len, err);
	if (gitops_buf_add(&b, "", 0) < 0)
		return gitops_err_oom(err);
	for (i = 0; i < len; i++)
		if (!tmpl_unicode_is_space((unsigned char)s[i]) && fn_put_rune(&b, (unsigned char)s[i]) < 0) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
	return fn_ret_buf(out, &b, err);
}

/* the rune ending at s[end] (exclusive): its start */
static size_t last_rune(const char *s, size_t end, int *r)
{
	size_t start = end - 1, sz;
	int k;

	for (k = 0; k < 3 && start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80; k++)
		start--;
	*r = fn_rune(s + start, end - start, &sz);
	if (start + sz != end) {
		*r = 0xFFFD;
		return end - 1;
	}
	return start;
}

/* strings.TrimSpace */
FN(f_trim)
{
	size_t len, a = 0, b, sz;
	const char *s = fn_str(args[0], &len);
	int r;

	(void)call, (void)n;
	while (a < len && tmpl_unicode_is_space(fn_rune(s + a, len - a, &sz)))
		a += sz;
	b = len;
	while (b > a) {
		size_t st = last_rune(s, b, &r);
		if (!tmpl_unicode_is_space(r))
			break;
		b = st;
	}
	return fn_ret_str(out, s + a, b - a, err);
}

static int in_cutset(int r, const char *cut, size_t clen)
{
	size_t i = 0, sz;

	while (i < clen) {
		if (fn_rune(cut + i, clen - i, &sz) == r)
			return 1;
		i += sz;
	}
	return 0;
}

/* trimAll CUTSET S: strings.Trim(S, CUTSET) */
FN(f_trim_all)
{
	size_t clen, len, a = 0, b, sz;
	const char *cut = fn_str(args[0], &clen), *s = fn_str(args[1], &len);
	int r;

	(void)call, (void)n;
	while (a < len && in_cutset(fn_rune(s + a, len - a, &sz), cut, clen))
		a += sz;
	b = len;
	while (b > a) {
		size_t st = last_rune(s, b, &r);
		if (!in_cutset(r, cut, clen))
			break;
		b = st;
	}
	return fn_ret_str(out, s + a, b - a, err);
}

FN(f_trim_prefix)
{
	size_t plen, len;
	const char *p = fn_str(args[0], &plen), *s = fn_str(args[1], &len);

	(void)call, (void)n;
	if (plen <= len && !memcmp(s, p, plen))
		return fn_ret_str(out, s + plen, len - plen, err);
	return fn_ret_str(out, s, len, err);
}

FN(f_trim_suffix)
{
	size_t plen, len;
	const char *p = fn_str(args[0], &plen), *s = fn_str(args[1], &len);

	(void)call, (void)n;
	if (plen <= len && !memcmp(s + len - plen, p, plen))
		return fn_ret_str(out, s, len - plen, err);
	return fn_ret_str(out, s, len, err);
}

FN(f_contains)
{
	size_t sublen, len, i;
	const char *sub = fn_str(args[0], &sublen), *s = fn_str(args[1], &len);

	(void)call, (void)n;
	for (i = 0; i + sublen <= len; i++)
		if (!memcmp(s + i, sub, sublen))
			return ret_bool(out, 1, err);
	return ret_bool(out, 0, err);
}

FN(f_has_prefix)
{
	size_t plen, len;
	const char *p = fn_str(args[0], &plen), *s = fn_str(args[1], &len);

	(void)call, (void)n;
	return ret_bool(out, plen <= len && !memcmp(s, p, plen), err);
}

FN(f_has_suffix)
{
	size_t plen, len;
	const char *p = fn_str(args[0], &plen), *s = fn_str(args[1], &len);

	(void)call, (void)n;
	return ret_bool(out, plen <= len && !memcmp(s + len - plen, p, plen), err);
}

/* strings.Repeat, with its panics */
static int repeat(struct gitops_buf *b, const char *s, size_t len, long count, struct gitops_err *err)
{
	long i;

	if (count < 0)
		return fn_fail(err, "strings: negative Repeat count");
	if (len && (size_t)count > MAX_RESULT / len)
		return fn_fail(err, "strings: Repeat output length overflow");
	for (i = 0; i < count; i++)
		if (gitops_buf_add(b, s, len) < 0)
			return gitops_err_oom(err);
	return 0;
}

/* repeat COUNT S */
FN(f_repeat)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len;
	const char *s = fn_str(args[1], &len);

	(void)call, (void)n;
	if (repeat(&b, s, len, (long)gitops_tmpl_value_int_of(args[0]), err) < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	return fn_ret_buf(out, &b, err);
}

/* substr START END S: s[start:end] in bytes, Go's bounds panics as errors */
FN(f_substr)
{
	long start = (long)gitops_tmpl_value_int_of(args[0]), end = (long)gitops_tmpl_value_int_of(args[1]);
	size_t ulen;
	const char *s = fn_str(args[2], &ulen);
	long len = (long)ulen;

	(void)call, (void)n;
	if (start < 0) {
		if (end < 0)
			return fn_fail(err, "runtime error: slice bounds out of range [:%ld]", end);
		if (end > len)
			return fn_fail(err, "runtime error: slice bounds out of range [:%ld] with length %ld", end, len);
		return fn_ret_str(out, s, (size_t)end, err);
	}
	if (end < 0 || end > len) {
		if (start > len)
			return fn_fail(err, "runtime error: slice bounds out of range [%ld:%ld]", start, len);
		return fn_ret_str(out, s + start, (size_t)(len - start), err);
	}
	if (start > end)
		return fn_fail(err, "runtime error: slice bounds out of range [%ld:%ld]", start, end);
	return fn_ret_str(out, s + start, (size_t)(end - start), err);
}

/* trunc COUNT S: the first COUNT bytes, or the last -COUNT */
FN(f_trunc)
{
	long c = (long)gitops_tmpl_value_int_of(args[0]);
	size_t ulen;
	const char *s = fn_str(args[1], &ulen);
	long len = (long)ulen;

	(void)call, (void)n;
	if (c < 0 && len + c > 0)
		return fn_ret_str(out, s + len + c, (size_t)-c, err);
	if (c >= 0 && len > c)
		return fn_ret_str(out, s, (size_t)c, err);
	return fn_ret_str(out, s, ulen, err);
}

/* goutils.AbbreviateFull (bytes), errors as an empty result */
static int abbreviate(struct gitops_buf *b, const char *s, long len, long offset, long width)
{
	if (len == 0)
		return 0;
	if (width < 4)
		return 0;
	if (len <= width)
		return gitops_buf_add(b, s, (size_t)len);
	if (offset > len)
		offset = len;
	if (len - offset < width - 3)
		offset = len - (width - 3);
	if (offset <= 4) {
		if (gitops_buf_add(b, s, (size_t)(width - 3)) < 0)
			return -1;
		return gitops_buf_add(b, "...", 3);
	}
	if (width < 7)
		return 0;
	if (offset + width - 3 < len) {
		if (gitops_buf_add(b, "...", 3) < 0)
			return -1;
		return abbreviate(b, s + offset, len - offset, 0, width - 3);
	}
	if (gitops_buf_add(b, "...", 3) < 0)
		return -1;
	return gitops_buf_add(b, s + len - (width - 3), (size_t)(width - 3));
}

FN(f_abbrev)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	long w = (long)gitops_tmpl_value_int_of(args[0]);
	size_t len;
	const char *s = fn_str(args[1], &len);

	(void)call, (void)n;
	if (w < 4)
		return fn_ret_str(out, s, len, err);
	if (gitops_buf_add(&b, "", 0) < 0 || abbreviate(&b, s, (long)len, 0, w) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

FN(f_abbrevboth)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	long left = (long)gitops_tmpl_value_int_of(args[0]), right = (long)gitops_tmpl_value_int_of(args[1]);
	size_t len;
	const char *s = fn_str(args[2], &len);

	(void)call, (void)n;
	if (right < 4 || (left > 0 && right < 7))
		return fn_ret_str(out, s, len, err);
	if (gitops_buf_add(&b, "", 0) < 0 || abbreviate(&b, s, (long)len, left, right) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

/* quote ARGS...: each non-nil one as %q of its strval, spaced */
FN(f_quote)
{
	struct gitops_buf b = GITOPS_BUF_INIT, v = GITOPS_BUF_INIT;
	size_t i;
	int first = 1;

	(void)call;
	if (gitops_buf_add(&b, "", 0) < 0)
		return gitops_err_oom(err);
	for (i = 0; i < n; i++) {
		if (gitops_tmpl_value_kind(args[i]) == GITOPS_TMPL_NIL)
			continue;
		v.len = 0;
		if ((!first && gitops_buf_add(&b, " ", 1) < 0) || fn_strval(&v, args[i]) < 0 ||
		    tmpl_fmt_quote(&b, v.data ? v.data : "", v.len, 0) < 0)
			goto oom;
		first = 0;
	}
	gitops_buf_release(&v);
	return fn_ret_buf(out, &b, err);
oom:
	gitops_buf_release(&v);
	gitops_buf_release(&b);
	return gitops_err_oom(err);
}

/* squote ARGS...: each non-nil one as '%v' */
FN(f_squote)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i;
	int first = 1;

	(void)call;
	if (gitops_buf_add(&b, "", 0) < 0)
		return gitops_err_oom(err);
	for (i = 0; i < n; i++) {
		struct gitops_tmpl_value *a = args[i];
		if (gitops_tmpl_value_kind(a) == GITOPS_TMPL_NIL)
			continue;
		if ((!first && gitops_buf_add(&b, " ", 1) < 0) || tmpl_fmt_printf(&b, "'%v'", 4, &a, 1) < 0) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
		first = 0;
	}
	return fn_ret_buf(out, &b, err);
}

/* cat ARGS...: the non-nil ones, %v, spaced */
FN(f_cat)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i;
	int first = 1;

	(void)call;
	if (gitops_buf_add(&b, "", 0) < 0)
		return gitops_err_oom(err);
	for (i = 0; i < n; i++) {
		struct gitops_tmpl_value *a = args[i];
		if (gitops_tmpl_value_kind(a) == GITOPS_TMPL_NIL)
			continue;
		if ((!first && gitops_buf_add(&b, " ", 1) < 0) || tmpl_fmt_printf(&b, "%v", 2, &a, 1) < 0) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
		first = 0;
	}
	return fn_ret_buf(out, &b, err);
}

/* strings.Replace(s, old, new, -1), Go's empty-old rule included */
static int replace_all(struct gitops_buf *b, const char *s, size_t len, const char *o, size_t olen, const char *nw,
		       size_t nlen)
{
	size_t i = 0, sz;

	if (olen == 0) {
		/* before every rune and at the end */
		while (1) {
			if (gitops_buf_add(b, nw, nlen) < 0)
				return -1;
			if (i >= len)
				return 0;
			fn_rune(s + i, len - i, &sz);
			if (gitops_buf_add(b, s + i, sz) < 0)
				return -1;
			i += sz;
		}
	}
	/* the text between matches copied a span at a time (indent and nindent come here for every line) */
	while (i < len) {
		const char *m = olen == 1 ? memchr(s + i, o[0], len - i) : memmem(s + i, len - i, o, olen);
		size_t end = m ? (size_t)(m - s) : len;
		if (end > i && gitops_buf_add(b, s + i, end - i) < 0)
			return -1;
		if (b->len > MAX_RESULT)
			return -1;
		if (!m)
			break;
		if (gitops_buf_add(b, nw, nlen) < 0)
			return -1;
		i = end + olen;
		if (b->len > MAX_RESULT)
			return -1;
	}
	return 0;
}

/* replace OLD NEW S */
FN(f_replace)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t olen, nlen, len;
	const char *o = fn_str(args[0], &olen), *nw = fn_str(args[1], &nlen), *s = fn_str(args[2], &len);

	(void)call, (void)n;
	if (gitops_buf_add(&b, "", 0) < 0 || replace_all(&b, s, len, o, olen, nw, nlen) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

/* indent N S: N spaces before the text and after every newline */
static int indent(struct gitops_tmpl_value **out, long spaces, struct gitops_tmpl_value *sv, int newline,
		  struct gitops_err *err)
{
	struct gitops_buf pad = GITOPS_BUF_INIT, b = GITOPS_BUF_INIT;
	size_t len;
	const char *s = fn_str(sv, &len);
	int r = -1;

	if (gitops_buf_add(&pad, "\n", 1) < 0 || gitops_buf_add(&b, "", 0) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	if (repeat(&pad, " ", 1, spaces, err) < 0)
		goto done;
	if ((newline && gitops_buf_add(&b, "\n", 1) < 0) || gitops_buf_add(&b, pad.data + 1, pad.len - 1) < 0 ||
	    replace_all(&b, s, len, "\n", 1, pad.data, pad.len) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	r = fn_ret_buf(out, &b, err);
done:
	gitops_buf_release(&pad);
	gitops_buf_release(&b);
	return r;
}

FN(f_indent)
{
	(void)call, (void)n;
	return indent(out, (long)gitops_tmpl_value_int_of(args[0]), args[1], 0, err);
}

FN(f_nindent)
{
	(void)call, (void)n;
	return indent(out, (long)gitops_tmpl_value_int_of(args[0]), args[1], 1, err);
}

/* plural ONE MANY COUNT */
FN(f_plural)
{
	(void)call, (void)n;
	*out = gitops_tmpl_value_ref(gitops_tmpl_value_int_of(args[2]) == 1 ? args[0] : args[1]);
	(void)err;
	return 0;
}

FN(f_hello)
{
	(void)call, (void)args, (void)n;
	return fn_ret_str(out, "Hello!", 6, err);
}

static int is_upper(int r)
{
	return fn_unicode_is(FN_UPPER, r);
}

static int is_lower(int r)
{
	return fn_unicode_is(FN_LOWER, r);
}

/* a string's runes as Go's []rune(s) makes them (a bad byte is U+FFFD); NULL when out of memory */
static int *runes_of(const char *s, size_t len, size_t *cnt)
{
	int *rs = malloc((len ? len : 1) * sizeof(*rs));
	size_t i = 0, k = 0, sz;

	if (!rs)
		return NULL;
	while (i < len) {
		rs[k++] = fn_rune(s + i, len - i, &sz);
		i += sz;
	}
	*cnt = k;
	return rs;
}

/* string(runes), as a result */
static int ret_runes(struct gitops_tmpl_value **out, int *rs, size_t cnt, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i;

	if (gitops_buf_add(&b, "", 0) < 0)
		goto oom;
	for (i = 0; i < cnt; i++)
		if (fn_put_rune(&b, rs[i]) < 0)
			goto oom;
	free(rs);
	return fn_ret_buf(out, &b, err);
oom:
	free(rs);
	gitops_buf_release(&b);
	return gitops_err_oom(err);
}

/* untitle: goutils.Uncapitalize, the first rune of each space-separated word to lower case */
FN(f_untitle)
{
	size_t len, cnt, i;
	const char *s = fn_str(args[0], &len);
	int *rs, next = 1;

	(void)call, (void)n;
	if (!len)
		return fn_ret_str(out, "", 0, err);
	if (!(rs = runes_of(s, len, &cnt)))
		return gitops_err_oom(err);
	for (i = 0; i < cnt; i++) {
		if (tmpl_unicode_is_space(rs[i])) {
			next = 1;
		} else if (next) {
			rs[i] = tmpl_unicode_to(1, rs[i]);
			next = 0;
		}
	}
	return ret_runes(out, rs, cnt, err);
}

/*
 * swapcase: goutils.SwapCase: upper and title case to lower, lower case to
 * upper, or to title case at the start and after a space
 */
FN(f_swapcase)
{
	size_t len, cnt, i;
	const char *s = fn_str(args[0], &len);
	int *rs, space = 1;

	(void)call, (void)n;
	if (!len)
		return fn_ret_str(out, "", 0, err);
	if (!(rs = runes_of(s, len, &cnt)))
		return gitops_err_oom(err);
	for (i = 0; i < cnt; i++) {
		int r = rs[i];
		if (is_upper(r) || fn_unicode_is(FN_TITLE, r)) {
			rs[i] = tmpl_unicode_to(1, r);
			space = 0;
		} else if (is_lower(r)) {
			rs[i] = tmpl_unicode_to(space ? 2 : 0, r);
			space = 0;
		} else {
			space = tmpl_unicode_is_space(r);
		}
	}
	return ret_runes(out, rs, cnt, err);
}

/*
 * initials: goutils.Initials, which goes byte by byte: each byte a rune of
 * its own (Latin-1, so 0x85 and 0xA0 are spaces), the first after a space
 * kept, written back as that rune in UTF-8
 */
FN(f_initials)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len, i;
	const char *s = fn_str(args[0], &len);
	int gap = 1;

	(void)call, (void)n;
	if (gitops_buf_add(&b, "", 0) < 0)
		return gitops_err_oom(err);
	for (i = 0; i < len; i++) {
		int ch = (unsigned char)s[i];
		if (tmpl_unicode_is_space(ch)) {
			gap = 1;
		} else if (gap) {
			if (fn_put_rune(&b, ch) < 0) {
				gitops_buf_release(&b);
				return gitops_err_oom(err);
			}
			gap = 0;
		}
	}
	return fn_ret_buf(out, &b, err);
}

/* a random number below n (n > 0): splitmix64 on *state, which the caller seeds from the system's entropy */
static uint64_t random_below(uint64_t *state, uint64_t n)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return z % n;
}

/* shuffle: xstrings.Shuffle, the runes in a random order (Fisher-Yates, as math/rand's) */
FN(f_shuffle)
{
	size_t len, cnt, i;
	const char *s = fn_str(args[0], &len);
	uint64_t seed;
	int *rs;

	(void)call, (void)n;
	if (!len)
		return fn_ret_str(out, "", 0, err);
	if (!(rs = runes_of(s, len, &cnt)))
		return gitops_err_oom(err);
	/* no state shared between calls (sets may run in threads of their own) */
	if (getentropy(&seed, sizeof(seed)) < 0)
		seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)rs;
	for (i = cnt; i > 1; i--) {
		size_t k = (size_t)random_below(&seed, i), last = i - 1;
		int t = rs[last];
		rs[last] = rs[k];
		rs[k] = t;
	}
	return ret_runes(out, rs, cnt, err);
}

/* xstrings's connectors: '-', '_' and spaces */
static int is_connector(int r)
{
	return r == '-' || r == '_' || tmpl_unicode_is_space(r);
}

/* xstrings's isAlphabet: a letter, not a CJK ideograph */
static int is_alphabet(int r)
{
	if (!tmpl_unicode_is_letter(r))
		return 0;
	if (r < 0x3400)
		return 1;
	if ((r >= 0x4E00 && r <= 0x9FCC) || (r >= 0x3400 && r <= 0x4D85) || (r >= 0x20000 && r <= 0x2B81D))
		return 0;
	return 1;
}

/*
 * camelcase: xstrings's ToCamelCase (v1.5.0): connectors dropped, the rune
 * after one upper-cased, the first rune upper-cased; a word that starts in
 * upper case has its following upper-case runes lowered (GOLANG -> Golang);
 * leading connectors kept, and runs of them but for the last.
 */
FN(f_camelcase)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len, i = 0, sz = 0;
	const char *s = fn_str(args[0], &len);
	int r0 = 0, r1, first_upper = 0;

	(void)call, (void)n;
	if (!len)
		return fn_ret_str(out, "", 0, err);
	if (gitops_buf_add(&b, "", 0) < 0)
		goto oom;
	while (i < len) {
		r0 = fn_rune(s + i, len - i, &sz);
		i += sz;
		if (!is_connector(r0)) {
			first_upper = is_upper(r0);
			r0 = tmpl_unicode_to(0, r0);
			break;
		}
		if (fn_put_rune(&b, r0) < 0)
			goto oom;
	}
	if (i >= len) {
		if (sz && fn_put_rune(&b, r0) < 0)
			goto oom;
		return fn_ret_buf(out, &b, err);
	}
	while (i < len) {
		r1 = r0;
		r0 = fn_rune(s + i, len - i, &sz);
		i += sz;
		if (is_connector(r0) && is_connector(r1)) {
			if (fn_put_rune(&b, r1) < 0)
				goto oom;
			continue;
		}
		if (is_connector(r1)) {
			first_upper = is_upper(r0);
			r0 = tmpl_unicode_to(0, r0);
		} else {
			if (first_upper) {
				if (is_upper(r0))
					r0 = tmpl_unicode_to(1, r0);
				else
					first_upper = 0;
			}
			if (fn_put_rune(&b, r1) < 0)
				goto oom;
		}
	}
	if (fn_put_rune(&b, r0) < 0)
		goto oom;
	return fn_ret_buf(out, &b, err);
oom:
	gitops_buf_release(&b);
	return gitops_err_oom(err);
}

/* xstrings's word types, for snakecase and kebabcase */
enum { W_INVALID, W_NUMBER, W_UPPER, W_ALPHABET, W_CONNECTOR, W_PUNCT, W_OTHER };

/* xstrings's nextValidRune: the first rune that is not U+FFFD (a bad byte or the rune itself), and the bytes to it */
static int next_valid(const char *s, size_t len, int prev, size_t *size)
{
	size_t i = 0, sz;

	while (i < len) {
		int r = fn_rune(s + i, len - i, &sz);
		i += sz;
		if (r != 0xFFFD) {
			*size = i;
			return r;
		}
	}
	*size = i;
	return prev;
}

/* xstrings's nextWord: the type and length of the word at s */
static int next_word(const char *s, size_t len, size_t *wlen)
{
	size_t off, rem, size;
	int r, wt;

	*wlen = 0;
	if (!len)
		return W_INVALID;
	r = next_valid(s, len, 0xFFFD, &size);
	off = size;
	if (r == 0xFFFD) {
		*wlen = off;
		return W_INVALID;
	}
	rem = size; /* bytes of s consumed */
	if (is_connector(r)) {
		wt = W_CONNECTOR;
		while (rem < len) {
			r = next_valid(s + rem, len - rem, r, &size);
			if (!is_connector(r))
				break;
			off += size;
			rem += size;
		}
	} else if (fn_unicode_is(FN_PUNCT, r)) {
		wt = W_PUNCT;
		while (rem < len) {
			r = next_valid(s + rem, len - rem, r, &size);
			if (!fn_unicode_is(FN_PUNCT, r))
				break;
			off += size;
			rem += size;
		}
	} else if (is_upper(r)) {
		wt = W_UPPER;
		if (rem < len) {
			r = next_valid(s + rem, len - rem, r, &size);
			if (is_upper(r)) {
				size_t prev = size;
				off += size;
				rem += size;
				while (rem < len) {
					r = next_valid(s + rem, len - rem, r, &size);
					if (!is_upper(r))
						break;
					prev = size;
					off += size;
					rem += size;
				}
				/* "HTTPStatus": the S starts the next word */
				if (rem < len && is_alphabet(r))
					off -= prev;
			} else if (is_alphabet(r)) {
				off += size;
				rem += size;
				while (rem < len) {
					r = next_valid(s + rem, len - rem, r, &size);
					if (!is_alphabet(r) || is_upper(r))
						break;
					off += size;
					rem += size;
				}
			}
		}
	} else if (is_alphabet(r)) {
		wt = W_ALPHABET;
		while (rem < len) {
			r = next_valid(s + rem, len - rem, r, &size);
			if (!is_alphabet(r) || is_upper(r))
				break;
			off += size;
			rem += size;
		}
	} else if (fn_unicode_is(FN_NUMBER, r)) {
		wt = W_NUMBER;
		while (rem < len) {
			r = next_valid(s + rem, len - rem, r, &size);
			if (!fn_unicode_is(FN_NUMBER, r))
				break;
			off += size;
			rem += size;
		}
	} else {
		wt = W_OTHER;
		while (rem < len) {
			r = next_valid(s + rem, len - rem, r, &size);
			if (size == 0 || is_connector(r) || is_alphabet(r) || fn_unicode_is(FN_NUMBER, r) ||
			    fn_unicode_is(FN_PUNCT, r))
				break;
			off += size;
			rem += size;
		}
	}
	*wlen = off;
	return wt;
}

/* xstrings's toLower: an upper-case or connector word lowered, its connectors made conn; others as they are */
static int word_lower(struct gitops_buf *b, int wt, const char *w, size_t wlen, int conn)
{
	size_t i = 0, sz;

	if (wt != W_UPPER && wt != W_CONNECTOR)
		return gitops_buf_add(b, w, wlen);
	while (i < wlen) {
		int r = fn_rune(w + i, wlen - i, &sz);
		i += sz;
		if (is_connector(r))
			r = conn;
		else if (is_upper(r))
			r = tmpl_unicode_to(1, r);
		if (fn_put_rune(b, r) < 0)
			return -1;
	}
	return 0;
}

/* xstrings's camelCaseToLowerCase: words lowered and joined by conn (snakecase '_', kebabcase '-') */
static int lower_case_words(struct gitops_tmpl_value **out, struct gitops_tmpl_value *sv, int conn,
			    struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len, wlen, pos;
	const char *s = fn_str(sv, &len), *w;
	int wt;

	if (!len)
		return fn_ret_str(out, "", 0, err);
	if (gitops_buf_add(&b, "", 0) < 0)
		goto oom;
#define NEXT() (w = s + pos, wt = next_word(w, len - pos, &wlen), pos += wlen)
	pos = 0;
	NEXT();
	while (pos < len) {
		int prev = wt;
		const char *last = w;
		size_t lastlen = wlen;
		if (wt != W_CONNECTOR && word_lower(&b, wt, w, wlen, conn) < 0)
			goto oom;
		NEXT();
		switch (prev) {
		case W_NUMBER:
			while (wt == W_ALPHABET || wt == W_NUMBER) {
				if (word_lower(&b, wt, w, wlen, conn) < 0)
					goto oom;
				NEXT();
			}
			if (wt != W_INVALID && wt != W_PUNCT && wt != W_CONNECTOR && fn_put_rune(&b, conn) < 0)
				goto oom;
			break;
		case W_CONNECTOR:
			if (word_lower(&b, prev, last, lastlen, conn) < 0)
				goto oom;
			break;
		case W_PUNCT:
			break;
		default:
			if (wt != W_NUMBER) {
				if (wt != W_CONNECTOR && wt != W_PUNCT && fn_put_rune(&b, conn) < 0)
					goto oom;
				break;
			}
			if (pos >= len)
				break;
			last = w;
			lastlen = wlen;
			NEXT();
			/* a number is part of the word before it ("Bld4Floor": bld4_floor) */
			if (wt != W_ALPHABET) {
				if (word_lower(&b, W_NUMBER, last, lastlen, conn) < 0)
					goto oom;
				if (wt != W_CONNECTOR && wt != W_PUNCT && fn_put_rune(&b, conn) < 0)
					goto oom;
				break;
			}
			/* unless lower-case letters follow it ("HTTP2xx": http_2xx) */
			if (fn_put_rune(&b, conn) < 0 || word_lower(&b, W_NUMBER, last, lastlen, conn) < 0)
				goto oom;
			while (wt == W_ALPHABET || wt == W_NUMBER) {
				if (word_lower(&b, wt, w, wlen, conn) < 0)
					goto oom;
				NEXT();
			}
			if (wt != W_INVALID && wt != W_CONNECTOR && wt != W_PUNCT && fn_put_rune(&b, conn) < 0)
				goto oom;
		}
	}
#undef NEXT
	if (word_lower(&b, wt, w, wlen, conn) < 0)
		goto oom;
	return fn_ret_buf(out, &b, err);
oom:
	gitops_buf_release(&b);
	return gitops_err_oom(err);
}

FN(f_snakecase)
{
	(void)call, (void)n;
	return lower_case_words(out, args[0], '_', err);
}

FN(f_kebabcase)
{
	(void)call, (void)n;
	return lower_case_words(out, args[0], '-', err);
}

/*
 * goutils.WrapCustom, in bytes: lines broken at the last space within
 * WIDTH (spaces at a line's start dropped); a longer word cut at WIDTH
 * when long words wrap (wrapWith), else left whole up to the next space
 */
static int wrap(struct gitops_tmpl_value **out, long width, const char *nl, size_t nllen, struct gitops_tmpl_value *sv,
		int long_words, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len, off = 0, w;
	const char *s = fn_str(sv, &len);

	if (!len)
		return fn_ret_str(out, "", 0, err);
	if (!nllen) {
		nl = "\n";
		nllen = 1;
	}
	w = width < 1 ? 1 : (size_t)width;
	if (gitops_buf_add(&b, "", 0) < 0)
		goto oom;
	while (len - off > w) {
		size_t end = off + w + 1, sp;
		int found = 0;
		if (s[off] == ' ') {
			off++;
			continue;
		}
		for (sp = end; sp > off; sp--)
			if (s[sp - 1] == ' ') {
				found = 1;
				break;
			}
		if (found) {
			sp--;
			if (gitops_buf_add(&b, s + off, sp - off) < 0 || gitops_buf_add(&b, nl, nllen) < 0)
				goto oom;
			off = sp + 1;
		} else if (long_words) {
			if (gitops_buf_add(&b, s + off, w) < 0 || gitops_buf_add(&b, nl, nllen) < 0)
				goto oom;
			off += w;
		} else {
			const char *space = memchr(s + off + w, ' ', len - off - w);
			if (space) {
				sp = (size_t)(space - s);
				if (gitops_buf_add(&b, s + off, sp - off) < 0 || gitops_buf_add(&b, nl, nllen) < 0)
					goto oom;
				off = sp + 1;
			} else {
				if (gitops_buf_add(&b, s + off, len - off) < 0)
					goto oom;
				off = len;
			}
		}
		if (b.len > MAX_RESULT) {
			gitops_buf_release(&b);
			return fn_fail(err, "wrap: result longer than %u bytes", MAX_RESULT);
		}
	}
	if (gitops_buf_add(&b, s + off, len - off) < 0)
		goto oom;
	return fn_ret_buf(out, &b, err);
oom:
	gitops_buf_release(&b);
	return gitops_err_oom(err);
}

/* wrap WIDTH S */
FN(f_wrap)
{
	(void)call, (void)n;
	return wrap(out, (long)gitops_tmpl_value_int_of(args[0]), "", 0, args[1], 0, err);
}

/* wrapWith WIDTH SEP S */
FN(f_wrap_with)
{
	size_t nllen;
	const char *nl = fn_str(args[1], &nllen);

	(void)call, (void)n;
	return wrap(out, (long)gitops_tmpl_value_int_of(args[0]), nl, nllen, args[2], 1, err);
}

#define S GITOPS_TMPL_P_STRING
#define I GITOPS_TMPL_P_INT
#define A GITOPS_TMPL_P_ANY
const struct gitops_tmpl_func gitops_tmpl_funcs_strings[] = {
	{ "hello", f_hello, 0, 0, { 0 }, NULL },
	{ "untitle", f_untitle, 1, 0, { S }, NULL },
	{ "swapcase", f_swapcase, 1, 0, { S }, NULL },
	{ "initials", f_initials, 1, 0, { S }, NULL },
	{ "shuffle", f_shuffle, 1, 0, { S }, NULL },
	{ "camelcase", f_camelcase, 1, 0, { S }, NULL },
	{ "snakecase", f_snakecase, 1, 0, { S }, NULL },
	{ "kebabcase", f_kebabcase, 1, 0, { S }, NULL },
	{ "wrap", f_wrap, 2, 0, { I, S }, NULL },
	{ "wrapWith", f_wrap_with, 3, 0, { I, S, S }, NULL },
	{ "trim", f_trim, 1, 0, { S }, NULL },
	{ "trimAll", f_trim_all, 2, 0, { S, S }, NULL },
	{ "trimall", f_trim_all, 2, 0, { S, S }, NULL },
	{ "trimPrefix", f_trim_prefix, 2, 0, { S, S }, NULL },
	{ "trimSuffix", f_trim_suffix, 2, 0, { S, S }, NULL },
	{ "upper", f_upper, 1, 0, { S }, NULL },
	{ "lower", f_lower, 1, 0, { S }, NULL },
	{ "title", f_title, 1, 0, { S }, NULL },
	{ "nospace", f_nospace, 1, 0, { S }, NULL },
	{ "contains", f_contains, 2, 0, { S, S }, NULL },
	{ "hasPrefix", f_has_prefix, 2, 0, { S, S }, NULL },
	{ "hasSuffix", f_has_suffix, 2, 0, { S, S }, NULL },
	{ "repeat", f_repeat, 2, 0, { I, S }, NULL },
	{ "substr", f_substr, 3, 0, { I, I, S }, NULL },
	{ "trunc", f_trunc, 2, 0, { I, S }, NULL },
	{ "abbrev", f_abbrev, 2, 0, { I, S }, NULL },
	{ "abbrevboth", f_abbrevboth, 3, 0, { I, I, S }, NULL },
	{ "quote", f_quote, 0, 1, { A }, NULL },
	{ "squote", f_squote, 0, 1, { A }, NULL },
	{ "cat", f_cat, 0, 1, { A }, NULL },
	{ "replace", f_replace, 3, 0, { S, S, S }, NULL },
	{ "indent", f_indent, 2, 0, { I, S }, NULL },
	{ "nindent", f_nindent, 2, 0, { I, S }, NULL },
	{ "plural", f_plural, 3, 0, { S, S, I }, NULL },
};
const size_t gitops_tmpl_funcs_strings_n = sizeof(gitops_tmpl_funcs_strings) / sizeof(gitops_tmpl_funcs_strings[0]);
