/*
 * strings.c: Sprig's string functions (sprig v3.3 functions.go, strings.go),
 * with Go's strings package semantics: Unicode case mapping and spaces as
 * Go's unicode package has them (lib/template/tmpl_unicode.c), byte offsets
 * where Go slices bytes (substr, trunc), Go's panics as errors.
 * So far: trim, trimAll/trimall, trimPrefix, trimSuffix, upper, lower,
 * title, substr, trunc, abbrev, abbrevboth, repeat, contains, hasPrefix,
 * hasSuffix, quote, squote, cat, indent, nindent, replace, plural, nospace.
 */
#include <string.h>

#include "lib/template/funcs/funcs_int.h"

#define FN(name) \
	static int name(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, \
			struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)

/* the longest string a function makes: a bound before allocating, not Go's */
#define MAX_RESULT (256u << 20)

static const char *str(struct gitops_tmpl_value *v, size_t *len)
{
	const char *s = gitops_tmpl_value_str(v, len);

	if (!s) {
		*len = 0;
		return "";
	}
	return s;
}

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
	const char *s = str(args[0], &len);

	(void)call, (void)n;
	return map_runes(out, s, len, to_upper, NULL, err);
}

FN(f_lower)
{
	size_t len;
	const char *s = str(args[0], &len);

	(void)call, (void)n;
	return map_runes(out, s, len, to_lower, NULL, err);
}

FN(f_title)
{
	size_t len;
	const char *s = str(args[0], &len);
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
	const char *s = str(args[0], &len);

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
	const char *s = str(args[0], &len);
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
	const char *cut = str(args[0], &clen), *s = str(args[1], &len);
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
	const char *p = str(args[0], &plen), *s = str(args[1], &len);

	(void)call, (void)n;
	if (plen <= len && !memcmp(s, p, plen))
		return fn_ret_str(out, s + plen, len - plen, err);
	return fn_ret_str(out, s, len, err);
}

FN(f_trim_suffix)
{
	size_t plen, len;
	const char *p = str(args[0], &plen), *s = str(args[1], &len);

	(void)call, (void)n;
	if (plen <= len && !memcmp(s + len - plen, p, plen))
		return fn_ret_str(out, s, len - plen, err);
	return fn_ret_str(out, s, len, err);
}

FN(f_contains)
{
	size_t sublen, len, i;
	const char *sub = str(args[0], &sublen), *s = str(args[1], &len);

	(void)call, (void)n;
	for (i = 0; i + sublen <= len; i++)
		if (!memcmp(s + i, sub, sublen))
			return ret_bool(out, 1, err);
	return ret_bool(out, 0, err);
}

FN(f_has_prefix)
{
	size_t plen, len;
	const char *p = str(args[0], &plen), *s = str(args[1], &len);

	(void)call, (void)n;
	return ret_bool(out, plen <= len && !memcmp(s, p, plen), err);
}

FN(f_has_suffix)
{
	size_t plen, len;
	const char *p = str(args[0], &plen), *s = str(args[1], &len);

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
	const char *s = str(args[1], &len);

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
	const char *s = str(args[2], &ulen);
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
	const char *s = str(args[1], &ulen);
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
	const char *s = str(args[1], &len);

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
	const char *s = str(args[2], &len);

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
	while (i < len) {
		if (i + olen <= len && !memcmp(s + i, o, olen)) {
			if (gitops_buf_add(b, nw, nlen) < 0)
				return -1;
			i += olen;
		} else {
			if (gitops_buf_add(b, s + i, 1) < 0)
				return -1;
			i++;
		}
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
	const char *o = str(args[0], &olen), *nw = str(args[1], &nlen), *s = str(args[2], &len);

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
	const char *s = str(sv, &len);
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

#define S GITOPS_TMPL_P_STRING
#define I GITOPS_TMPL_P_INT
#define A GITOPS_TMPL_P_ANY
const struct gitops_tmpl_func gitops_tmpl_funcs_strings[] = {
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
