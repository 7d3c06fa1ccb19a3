/*
 * libFuzzer target: Go regular expressions (lib/base/regex.c).
 *
 * The input is PATTERN NUL SUBJECT [NUL TEMPLATE]; without a NUL the first
 * newline splits pattern and subject; without either, the input is both.
 * Any pattern must compile or give a one-line error in Go's words, never a
 * crash, a leak or undefined behaviour.  A pattern that compiles is run
 * over the subject by every function, and what they answer must agree:
 * offsets inside the subject and in order, Find the first of FindAll,
 * MatchString true exactly when there is a match, Split's pieces in order,
 * and QuoteMeta of valid text a pattern that matches that text.
 * Matching may give up (too much backtracking), but only with that error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const struct gitops_err *err, const char *what)
{
	if (!err->msg[0] || strchr(err->msg, '\n') || err->code != GITOPS_EXIT_INPUT) {
		fprintf(stderr, "%s: an error must be one line with a message: '%s'\n", what, err->msg);
		abort();
	}
}

static void check_match_err(const struct gitops_err *err)
{
	check_err(err, "match");
	if (!strstr(err->msg, "too much backtracking") && !strstr(err->msg, "(PCRE2)")) {
		fprintf(stderr, "matching failed unexpectedly: %s\n", err->msg);
		abort();
	}
}

/* Offsets of one match: inside s, start <= end, groups -1 -1 or inside. */
static void check_idx(const long *idx, size_t width, size_t len)
{
	size_t i;

	for (i = 0; i < width; i += 2) {
		if (idx[i] == -1 && idx[i + 1] == -1 && i > 0)
			continue;
		if (idx[i] < 0 || idx[i] > idx[i + 1] || (size_t)idx[i + 1] > len) {
			fprintf(stderr, "bad offsets %ld %ld (group %zu) in a text of %zu\n", idx[i], idx[i + 1], i / 2, len);
			abort();
		}
	}
}

static void run(const struct gitops_regex *re, const char *s, size_t len, const char *tmpl, size_t tlen)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex_matches all = GITOPS_REGEX_MATCHES_INIT, two = GITOPS_REGEX_MATCHES_INIT;
	struct gitops_buf out = GITOPS_BUF_INIT;
	size_t width = 2 * (gitops_regex_nsub(re) + 1), i;
	long *idx = malloc(width * sizeof(*idx));
	int m, f;

	if (!idx)
		abort();
	if ((m = gitops_regex_match(re, s, len, &err)) < 0) {
		check_match_err(&err);
		goto done;
	}
	if ((f = gitops_regex_find(idx, re, s, len, &err)) < 0) {
		check_match_err(&err);
		goto done;
	}
	if (gitops_regex_find_all(&all, re, s, len, -1, &err) < 0) {
		check_match_err(&err);
		goto done;
	}
	if (m != f || m != (all.n > 0) || all.width != width) {
		fprintf(stderr, "match %d, find %d, find_all %zu matches\n", m, f, all.n);
		abort();
	}
	if (f && memcmp(idx, all.at, width * sizeof(*idx))) {
		fprintf(stderr, "find and the first of find_all differ\n");
		abort();
	}
	for (i = 0; i < all.n; i++) {
		const long *a = all.at + i * width;
		check_idx(a, width, len);
		/* in order, not overlapping, and no two empty matches at one place */
		if (i > 0) {
			const long *b = a - width;
			if (a[0] < b[1] || (a[0] == a[1] && a[0] == b[1] && b[0] == b[1])) {
				fprintf(stderr, "match %zu [%ld %ld] after [%ld %ld]\n", i, a[0], a[1], b[0], b[1]);
				abort();
			}
		}
	}
	if (gitops_regex_find_all(&two, re, s, len, 2, &err) < 0) {
		check_match_err(&err);
		goto done;
	}
	if (two.n != (all.n < 2 ? all.n : 2) || (two.n && memcmp(two.at, all.at, two.n * width * sizeof(long)))) {
		fprintf(stderr, "find_all(2) is not the start of find_all(-1)\n");
		abort();
	}
	if (gitops_regex_split(&two, re, s, len, -1, &err) < 0) {
		check_match_err(&err);
		goto done;
	}
	for (i = 0; i < two.n; i++) {
		if (two.at[2 * i] < 0 || two.at[2 * i] > two.at[2 * i + 1] || (size_t)two.at[2 * i + 1] > len ||
		    (i > 0 && two.at[2 * i] < two.at[2 * i - 1])) {
			fprintf(stderr, "split piece %zu out of place\n", i);
			abort();
		}
	}
	if (gitops_regex_split(&two, re, s, len, 3, &err) < 0) {
		check_match_err(&err);
		goto done;
	}
	if (two.n > 3)
		abort();
	if (gitops_regex_replace_all(&out, re, s, len, tmpl, tlen, &err) < 0) {
		check_match_err(&err);
		goto done;
	}
	gitops_buf_release(&out);
	if (gitops_regex_replace_all_literal(&out, re, s, len, "", 0, &err) < 0) {
		check_match_err(&err);
		goto done;
	}
	/* deleting every match leaves the text between them */
	{
		size_t kept = len;
		for (i = 0; i < all.n; i++)
			kept -= (size_t)(all.at[i * width + 1] - all.at[i * width]);
		if (out.len != kept) {
			fprintf(stderr, "replace with \"\" kept %zu bytes, not %zu\n", out.len, kept);
			abort();
		}
	}
	if (f && gitops_regex_expand(&out, re, tmpl, tlen, s, idx, &err) < 0)
		check_err(&err, "expand");
done:
	gitops_buf_release(&out);
	gitops_regex_matches_release(&all);
	gitops_regex_matches_release(&two);
	free(idx);
}

/* QuoteMeta of valid text is a pattern that matches the text. */
static void quote(const char *s, size_t len)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf q = GITOPS_BUF_INIT;
	struct gitops_regex *re = NULL;
	long idx[2];

	if (gitops_regex_quote_meta(&q, s, len) < 0)
		abort();
	if (gitops_regex_compile(&re, q.data, q.len, &err) < 0) {
		/* a pattern must be valid UTF-8, and so is QuoteMeta's text exactly when its input is */
		if (strstr(err.msg, "invalid UTF-8"))
			goto done;
		fprintf(stderr, "quoted text does not compile: %s\n", err.msg);
		abort();
	}
	if (gitops_regex_find(idx, re, s, len, &err) != 1 || idx[0] != 0 || (size_t)idx[1] != len) {
		fprintf(stderr, "quoted text does not match itself\n");
		abort();
	}
done:
	gitops_regex_free(re);
	gitops_buf_release(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *cut, *pat = in, *s = in, *tmpl = "<$0|$1|${name}|$$>";
	size_t plen = size, slen = size, tlen = strlen(tmpl);
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = NULL;

	if ((cut = memchr(in, '\0', size)) != NULL) {
		const char *t;
		plen = (size_t)(cut - in);
		s = cut + 1;
		slen = size - plen - 1;
		if ((t = memchr(s, '\0', slen)) != NULL) {
			tmpl = t + 1;
			tlen = slen - (size_t)(t - s) - 1;
			slen = (size_t)(t - s);
		}
	} else if ((cut = memchr(in, '\n', size)) != NULL) {
		plen = (size_t)(cut - in);
		s = cut + 1;
		slen = size - plen - 1;
	}
	if (gitops_regex_compile(&re, pat, plen, &err) < 0) {
		check_err(&err, "compile");
		if (re)
			abort();
		if (strncmp(err.msg, "error parsing regexp: ", 22) && strncmp(err.msg, "regexp: ", 8)) {
			fprintf(stderr, "compile: not Go's words: %s\n", err.msg);
			abort();
		}
	} else {
		/*
		 * Backtracking takes time quadratic in the subject for some
		 * patterns (the limits stop exponential runs only): 2 KiB of
		 * subject keeps each run well under the fuzzer's timeout.
		 */
		run(re, s, slen > 2048 ? 2048 : slen, tmpl, tlen);
		gitops_regex_free(re);
	}
	quote(s, slen > 256 ? 256 : slen);
	return 0;
}
