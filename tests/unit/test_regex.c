/*
 * Unit tests for lib/base/regex.c: Go's regexp on PCRE2.
 *
 * The expected values of the tables are what Go's regexp package answers
 * (FindAllStringSubmatchIndex, ReplaceAllString, ReplaceAllLiteralString,
 * Split, QuoteMeta, the messages of regexp.Compile), printed by a Go program
 * from the same patterns and inputs; the (?<name>re) cases follow Go 1.22
 * and later, which accept that spelling.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/base/regex.h"
#include "tests/unit/check_main.h"

static struct gitops_regex *compile_ok(const char *pat)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = NULL;

	ck_assert_msg(gitops_regex_compile(&re, pat, strlen(pat), &err) == 0, "'%s': %s", pat, err.msg);
	ck_assert_ptr_nonnull(re);
	return re;
}

/* Patterns Go refuses, with Go's message. */
static const struct {
	const char *pat;
	const char *msg;
} bad_cases[] = {
	{ "(", "error parsing regexp: missing closing ): `(`" },
	{ ")", "error parsing regexp: unexpected ): `)`" },
	{ "a)", "error parsing regexp: unexpected ): `a)`" },
	{ "(a", "error parsing regexp: missing closing ): `(a`" },
	{ "((a)", "error parsing regexp: missing closing ): `((a)`" },
	{ "a|b)", "error parsing regexp: unexpected ): `a|b)`" },
	{ "[a", "error parsing regexp: missing closing ]: `[a`" },
	{ "[a-", "error parsing regexp: missing closing ]: `[a-`" },
	{ "[]", "error parsing regexp: missing closing ]: `[]`" },
	{ "[^]", "error parsing regexp: missing closing ]: `[^]`" },
	{ "[z-a]", "error parsing regexp: invalid character class range: `z-a`" },
	{ "[a-\\d]", "error parsing regexp: invalid escape sequence: `\\d`" },
	{ "x{1001}", "error parsing regexp: invalid repeat count: `{1001}`" },
	{ "x{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`" },
	{ "x{1001,}", "error parsing regexp: invalid repeat count: `{1001,}`" },
	{ "(x{2}){501}", "error parsing regexp: invalid repeat count: `{501}`" },
	{ "((a{10}){10}){11}", "error parsing regexp: invalid repeat count: `{11}`" },
	{ "a**", "error parsing regexp: invalid nested repetition operator: `**`" },
	{ "a*+", "error parsing regexp: invalid nested repetition operator: `*+`" },
	{ "a?\?+", "error parsing regexp: invalid nested repetition operator: `?\?+`" },
	{ "a{2}{3}", "error parsing regexp: invalid nested repetition operator: `{2}{3}`" },
	{ "a*{2}", "error parsing regexp: invalid nested repetition operator: `*{2}`" },
	{ "*", "error parsing regexp: missing argument to repetition operator: `*`" },
	{ "+a", "error parsing regexp: missing argument to repetition operator: `+`" },
	{ "?", "error parsing regexp: missing argument to repetition operator: `?`" },
	{ "{1}", "error parsing regexp: missing argument to repetition operator: `{1}`" },
	{ "a|*", "error parsing regexp: missing argument to repetition operator: `*`" },
	{ "(*)", "error parsing regexp: missing argument to repetition operator: `*`" },
	{ "(?i)*", "error parsing regexp: missing argument to repetition operator: `*`" },
	{ "\\1", "error parsing regexp: invalid escape sequence: `\\1`" },
	{ "\\8", "error parsing regexp: invalid escape sequence: `\\8`" },
	{ "\\Z", "error parsing regexp: invalid escape sequence: `\\Z`" },
	{ "\\C", "error parsing regexp: invalid escape sequence: `\\C`" },
	{ "\\G", "error parsing regexp: invalid escape sequence: `\\G`" },
	{ "\\K", "error parsing regexp: invalid escape sequence: `\\K`" },
	{ "\\R", "error parsing regexp: invalid escape sequence: `\\R`" },
	{ "\\h", "error parsing regexp: invalid escape sequence: `\\h`" },
	{ "\\e", "error parsing regexp: invalid escape sequence: `\\e`" },
	{ "\\cA", "error parsing regexp: invalid escape sequence: `\\c`" },
	{ "\\X", "error parsing regexp: invalid escape sequence: `\\X`" },
	{ "\\o{1}", "error parsing regexp: invalid escape sequence: `\\o`" },
	{ "\\x", "error parsing regexp: invalid escape sequence: `\\x`" },
	{ "\\x1", "error parsing regexp: invalid escape sequence: `\\x1`" },
	{ "\\xg0", "error parsing regexp: invalid escape sequence: `\\xg0`" },
	{ "\\x{}", "error parsing regexp: invalid escape sequence: `\\x{}`" },
	{ "\\x{110000}", "error parsing regexp: invalid escape sequence: `\\x{110000`" },
	{ "\\x{12", "error parsing regexp: invalid escape sequence: `\\x{12`" },
	{ "\\p", "error parsing regexp: invalid character class range: `\\p`" },
	{ "\\p{", "error parsing regexp: invalid character class range: `\\p{`" },
	{ "\\p{Foo}", "error parsing regexp: invalid character class range: `\\p{Foo}`" },
	{ "\\pX", "error parsing regexp: invalid character class range: `\\pX`" },
	{ "\\p{Cn}", "error parsing regexp: invalid character class range: `\\p{Cn}`" },
	{ "\\p{L&}", "error parsing regexp: invalid character class range: `\\p{L&}`" },
	{ "\\P{IsGreek}", "error parsing regexp: invalid character class range: `\\P{IsGreek}`" },
	{ "[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`" },
	{ "[[:alpha:]", "error parsing regexp: missing closing ]: `[[:alpha:]`" },
	{ "[\\p{Foo}]", "error parsing regexp: invalid character class range: `\\p{Foo}`" },
	{ "(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`" },
	{ "(?!a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`" },
	{ "(?>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?>`" },
	{ "(?#c)", "error parsing regexp: invalid or unsupported Perl syntax: `(?#`" },
	{ "(?x)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?x`" },
	{ "(?i-)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`" },
	{ "(?-)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?-)`" },
	{ "(?P=n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`" },
	{ "(?'n'a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?'`" },
	{ "(?P<n", "error parsing regexp: invalid named capture: `(?P<n`" },
	{ "(?P<>a)", "error parsing regexp: invalid named capture: `(?P<>`" },
	{ "(?P<x y>a)", "error parsing regexp: invalid named capture: `(?P<x y>`" },
	{ "(?P<x!>a)", "error parsing regexp: invalid named capture: `(?P<x!>`" },
	{ "(?|a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?|`" },
	{ "(?R)", "error parsing regexp: invalid or unsupported Perl syntax: `(?R`" },
	{ "(?1)", "error parsing regexp: invalid or unsupported Perl syntax: `(?1`" },
	{ "(?+1)", "error parsing regexp: invalid or unsupported Perl syntax: `(?+`" },
	{ "(?&n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?&`" },
	{ "(?C)", "error parsing regexp: invalid or unsupported Perl syntax: `(?C`" },
	{ "(?i", "error parsing regexp: invalid or unsupported Perl syntax: `(?i`" },
	{ "(?", "error parsing regexp: invalid or unsupported Perl syntax: `(?`" },
	{ "\\", "error parsing regexp: trailing backslash at end of expression: ``" },
	{ "a\\", "error parsing regexp: trailing backslash at end of expression: ``" },
	{ "a\377b", "error parsing regexp: invalid UTF-8: `\377b`" },
	{ "[\377]", "error parsing regexp: invalid UTF-8: `\377]`" },
	{ "x{1,2}{3}", "error parsing regexp: invalid nested repetition operator: `{1,2}{3}`" },
	{ "a{,2}*?*", "error parsing regexp: invalid nested repetition operator: `*?*`" },
	/* Go 1.22 and later: (?<name>re) is a named group, so (?< is a name or an error about one */
	{ "(?<=a)b", "error parsing regexp: invalid named capture: `(?<=a)b`" },
	{ "(?<!a)", "error parsing regexp: invalid named capture: `(?<!a)`" },
	{ "(?<=a)>", "error parsing regexp: invalid named capture: `(?<=a)>`" },
	{ "(?<n", "error parsing regexp: invalid named capture: `(?<n`" },
	{ "(?<>a)", "error parsing regexp: invalid named capture: `(?<>`" },
	{ "(?<x-y>a)", "error parsing regexp: invalid named capture: `(?<x-y>`" },
	{ "(?<", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`" },
};

START_TEST(test_bad)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = (void *)1;
	const char *pat = bad_cases[_i].pat;

	ck_assert_int_eq(gitops_regex_compile(&re, pat, strlen(pat), &err), -1);
	ck_assert_ptr_null(re);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_str_eq(err.msg, bad_cases[_i].msg);
}
END_TEST

/* Go's fmt.Sprint of FindAllStringSubmatchIndex(s, -1). */
static void format_matches(char *buf, size_t size, const struct gitops_regex_matches *m)
{
	size_t i, j, off = 0;

	off += (size_t)snprintf(buf + off, size - off, "[");
	for (i = 0; i < m->n && off < size; i++) {
		off += (size_t)snprintf(buf + off, size - off, i ? " [" : "[");
		for (j = 0; j < m->width && off < size; j++)
			off += (size_t)snprintf(buf + off, size - off, j ? " %ld" : "%ld", m->at[i * m->width + j]);
		if (off < size)
			off += (size_t)snprintf(buf + off, size - off, "]");
	}
	if (off < size)
		snprintf(buf + off, size - off, "]");
}

static const struct {
	const char *pat;
	const char *in;
	const char *want;
} find_cases[] = {
	{ "a(x*)b", "-ab-axxb-", "[[1 3 2 2] [4 8 5 7]]" },
	{ "a*", "baaac", "[[0 0] [1 4] [5 5]]" },
	{ "", "abc", "[[0 0] [1 1] [2 2] [3 3]]" },
	{ "x*", "xxaxx", "[[0 2] [3 5]]" },
	{ "a*?", "aa", "[[0 0] [1 1] [2 2]]" },
	{ "(a|ab)(c|bcd)(d*)", "abcd", "[[0 4 0 1 1 4 4 4]]" },
	{ "(a+)(b+)?", "aab a", "[[0 3 0 2 2 3] [4 5 4 5 -1 -1]]" },
	{ "^", "a\nb", "[[0 0]]" },
	{ "$", "a\nb\n", "[[4 4]]" },
	{ "(?m)^", "a\nb\n", "[[0 0] [2 2] [4 4]]" },
	{ "(?m)$", "a\nb\n", "[[1 1] [3 3] [4 4]]" },
	{ "(?m)^\\w+$", "ab\ncd\n", "[[0 2] [3 5]]" },
	{ "\\b", "ab cd", "[[0 0] [2 2] [3 3] [5 5]]" },
	{ "\\B", "ab c", "[[1 1]]" },
	{ "\\bfoo\\b", "foo foobar afoo foo", "[[0 3] [16 19]]" },
	{ ".", "a\nb", "[[0 1] [2 3]]" },
	{ "(?s).", "a\nb", "[[0 1] [1 2] [2 3]]" },
	{ ".*", "ab\ncd", "[[0 2] [3 5]]" },
	{ "(?U)a+", "aaa", "[[0 1] [1 2] [2 3]]" },
	{ "(?U)a+?", "aaa", "[[0 3]]" },
	{ "a{2,3}", "aaaaaaa", "[[0 3] [3 6]]" },
	{ "a{2,3}?", "aaaaa", "[[0 2] [2 4]]" },
	{ "(?U)a{2,3}", "aaaaa", "[[0 2] [2 4]]" },
	{ "a{,3}", "a{,3}", "[[0 5]]" },
	{ "a{2", "a{2", "[[0 3]]" },
	{ "(?i)k", "kK\342\204\252", "[[0 1] [1 2] [2 5]]" },
	{ "(?i)[^k]", "kK\342\204\252x", "[[5 6]]" },
	{ "(?i)\\W", "s\305\277K\342\204\252!", "[[7 8]]" },
	{ "(?i)[[:upper:]]+", "abcXYZ\305\2771", "[[0 8]]" },
	{ "(?i)\303\237", "\303\237\341\272\236", "[[0 2] [2 5]]" },
	{ "(?i)stra\303\237e", "STRASSE Stra\303\237e STRA\341\272\236E", "[[8 15] [16 24]]" },
	{ "[[:alpha:]]+", "ab12cd", "[[0 2] [4 6]]" },
	{ "[[:^alpha:]]+", "ab12cd", "[[2 4]]" },
	{ "[[:word:]]+", "a_1-b", "[[0 3] [4 5]]" },
	{ "[[:space:]]+", "a \013\tb", "[[1 4]]" },
	{ "\\s+", "a \013\t\015\n\014b", "[[1 2] [3 7]]" },
	{ "\\S+", "a\013b c", "[[0 3] [4 5]]" },
	{ "[^\\s]+", "a b", "[[0 1] [2 3]]" },
	{ "[\\s\\d]+", "a 12 b", "[[1 5]]" },
	{ "\\d+", "a12b\331\2434", "[[1 3] [6 7]]" },
	{ "\\w+", "h\303\251llo w\303\266rld_1", "[[0 1] [3 6] [7 8] [10 15]]" },
	{ "\\pL+", "h\303\251llo 1 \320\274\320\270\321\200", "[[0 6] [9 15]]" },
	{ "\\p{Greek}+", "abc \316\261\316\262\316\263 def", "[[4 10]]" },
	{ "\\PL+", "ab12\303\251!", "[[2 4] [6 7]]" },
	{ "\\p{^Greek}+", "\316\261b\316\262", "[[2 3]]" },
	{ "\\pN+", "a1\331\243\342\205\243b", "[[1 7]]" },
	{ "\\p{Lu}+", "aBCd", "[[1 3]]" },
	{ "[\\p{Lu}\\d]+", "aB1cD2", "[[1 3] [4 6]]" },
	{ "[^\\p{L}]+", "ab12cd", "[[2 4]]" },
	{ "\\p{C}", "a\001b\342\200\213c", "[[1 2] [3 6]]" },
	{ "[\\P{C}]+", "a\001bc", "[[0 1] [2 4]]" },
	{ "\\p{Any}+", "ab\ncd", "[[0 5]]" },
	{ "[^\\P{Any}]", "ab", "[[0 1] [1 2]]" },
	{ "[\\P{Any}]", "ab", "[]" },
	{ "\\QA.B\\E+", "A.BBB A.B", "[[0 5] [6 9]]" },
	{ "\\Qa.b", "xa.b", "[[1 4]]" },
	{ "(?P<n>x)(y)?", "xxy", "[[0 1 0 1 -1 -1] [1 3 1 2 2 3]]" },
	{ "(?P<first>\\w+) (?P<last>\\w+)", "John Smith", "[[0 10 0 4 5 10]]" },
	{ "(a)|(b)", "ab", "[[0 1 0 1 -1 -1] [1 2 -1 -1 1 2]]" },
	{ "(|a)*", "aa", "[[0 0 0 0] [1 1 1 1] [2 2 2 2]]" },
	{ "(a|b)*?c", "abc", "[[0 3 1 2]]" },
	{ "()", "ab", "[[0 0 0 0] [1 1 1 1] [2 2 2 2]]" },
	{ "(?:)", "ab", "[[0 0] [1 1] [2 2]]" },
	{ "|", "ab", "[[0 0] [1 1] [2 2]]" },
	{ "a|", "ab", "[[0 1] [2 2]]" },
	{ "|a", "ab", "[[0 0] [1 1] [2 2]]" },
	{ "a||b", "ab", "[[0 1] [2 2]]" },
	{ "\\x41\\x{42}\\103\\01\\12", "ABC\001\n", "[[0 5]]" },
	{ "[a-c-e]+", "ab-ed", "[[0 4]]" },
	{ "[]a]+", "a]b", "[[0 2]]" },
	{ "[^]a]+", "a]bc", "[[2 4]]" },
	{ "[a-]+", "a-b", "[[0 2]]" },
	{ "\\.\\+\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$\\_\\ \\!", ".+*?()|[]{}^$_ !", "[[0 16]]" },
	{ "[\\x00-\\x{10FFFF}]", "a\303\251", "[[0 1] [1 3]]" },
	{ "[^\\x00-\\x{10FFFF}]", "a\303\251", "[]" },
	{ "\\Aa", "aa", "[[0 1]]" },
	{ "a\\z", "aa\n", "[]" },
	{ "a$", "a\na", "[[2 3]]" },
	{ "a$", "a\n", "[]" },
	{ "(?m)a$", "a\na", "[[0 1] [2 3]]" },
	{ "(?i)HeLLo", "hello HELLO", "[[0 5] [6 11]]" },
	{ "(?i:a)b", "ABAb", "[[2 4]]" },
	{ "a(?i)b|c", "aBC", "[[0 2] [2 3]]" },
	{ "((?i)a)b", "Ab AB", "[[0 2 0 1]]" },
	{ "(?i)(?-i)a", "Aa", "[[1 2]]" },
	{ "(?s:.)a.", "\na\n\nab", "[[3 6]]" },
	{ "x(?U)y*?y", "xyyy", "[[0 4]]" },
	{ "[a-z]+@[a-z]+\\.[a-z]{2,}", "me@example.com x@y.z", "[[0 14]]" },
	{ "^(?:nginx|redis)$", "nginx", "[[0 5]]" },
	{ "^(?:my.*)$", "my-app", "[[0 6]]" },
	{ "^(?:.*-deployment)$", "app-deployment", "[[0 14]]" },
	{ "(a*?)*", "aa", "[[0 0 0 0] [1 1 1 1] [2 2 2 2]]" },
	{ "(a?)*?b", "aab", "[[0 3 1 2]]" },
	{ "(?:a|)+b", "aab", "[[0 3]]" },
	{ "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "abcdefghijk", "[[0 11 0 1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8 9 9 10 10 11]]" },
	{ "\303\251+", "\303\251\303\251a", "[[0 4]]" },
	{ "[\303\251-\303\274]+", "a\303\251\303\274z", "[[1 5]]" },
	{ "[^\303\251]", "\303\251a", "[[2 3]]" },
	{ "(?i)\303\211", "\303\251\303\211", "[[0 2] [2 4]]" },
	{ "x{0}", "x", "[[0 0] [1 1]]" },
	{ "(a){0}", "a", "[[0 0 -1 -1] [1 1 -1 -1]]" },
	{ "(a){2}", "aaa", "[[0 2 1 2]]" },
	{ "a.c", "abc a\nc a\344\270\226c", "[[0 3] [8 13]]" },
	{ "\344\270\226+", "\344\270\226\344\270\226\347\225\214", "[[0 6]]" },
	{ "(?i)\316\243", "\317\203\317\202\316\243", "[[0 2] [2 4] [4 6]]" },
	{ "\\x{D800}", "a", "[]" },
	{ "[\\x{D7FF}-\\x{E000}]", "\355\237\277\356\200\200", "[[0 3] [3 6]]" },
	/* loops over what can match empty: Go never repeats an empty iteration, it backtracks into it */
	{ "(a*)+", "a", "[[0 1 0 1]]" },
	{ "(a*)*", "(a)", "[[0 0 0 0] [1 2 1 2] [3 3 3 3]]" },
	{ "(\\s|\\d*|a+?)+", "x a", "[[0 0 0 0] [1 3 2 3]]" },
	{ "(a|b?)+", "abb", "[[0 3 2 3]]" },
	{ "(?:a|()|b)*", "ab", "[[0 2 -1 -1]]" },
	{ "(a*)+$", "aaa", "[[0 3 0 3]]" },
	{ "(\\w*,?)*", "a,b,", "[[0 4 2 4]]" },
	{ "(a*){1,}", "aa", "[[0 2 0 2]]" },
	{ "(a|)+?b", "aab", "[[0 3 1 2]]" },
	{ "(a|b?){2,}c", "abc", "[[0 3 1 2]]" },
	{ "(\\s|\\d*|a+?){2,}", "x  a", "[[0 0 0 0] [1 4 3 4]]" },
	{ "(a*){3,}?b", "aab", "[[0 3 2 2]]" },
	/* (?i) folds \\p{Lu}, \\p{Ll}, \\p{Lt} to the cased letters */
	{ "(?i)\\p{Lu}+", "aBc1", "[[0 3]]" },
	{ "(?i)[^\\p{Lu}]", "a1", "[[1 2]]" },
	{ "(?i)\\P{Ll}", "aB1", "[[2 3]]" },
	/* Go 1.22 and later */
	{ "(?<n>\\w+)@(\\w+)", "me@example x@y", "[[0 10 0 2 3 10] [11 14 11 12 13 14]]" },
	{ "(?<a>x)(?P<b>y)", "xy", "[[0 2 0 1 1 2]]" },
};

START_TEST(test_find_all)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = compile_ok(find_cases[_i].pat);
	struct gitops_regex_matches m = GITOPS_REGEX_MATCHES_INIT;
	const char *in = find_cases[_i].in;
	char got[4096];
	long idx[64];
	int found;

	ck_assert_int_eq(gitops_regex_find_all(&m, re, in, strlen(in), -1, &err), 0);
	format_matches(got, sizeof(got), &m);
	ck_assert_msg(!strcmp(got, find_cases[_i].want), "'%s' on '%s': %s, not %s", find_cases[_i].pat, in, got,
		      find_cases[_i].want);
	/* the first of them is Find's, and MatchString says whether there is one */
	ck_assert_uint_le(m.width, 64);
	found = gitops_regex_find(idx, re, in, strlen(in), &err);
	ck_assert_int_eq(found, m.n > 0);
	ck_assert_int_eq(gitops_regex_match(re, in, strlen(in), &err), m.n > 0);
	if (found)
		ck_assert_int_eq(memcmp(idx, m.at, m.width * sizeof(long)), 0);
	gitops_regex_matches_release(&m);
	gitops_regex_free(re);
}
END_TEST

static const struct {
	const char *pat;
	const char *in;
	const char *tmpl;
	const char *want;          /* ReplaceAllString */
	const char *want_literal;  /* ReplaceAllLiteralString */
} replace_cases[] = {
	{ "a(x*)b", "-ab-axxb-", "T", "-T-T-", "-T-T-" },
	{ "a(x*)b", "-ab-axxb-", "$1", "--xx-", "-$1-$1-" },
	{ "a(x*)b", "-ab-axxb-", "$1W", "---", "-$1W-$1W-" },
	{ "a(x*)b", "-ab-axxb-", "${1}W", "-W-xxW-", "-${1}W-${1}W-" },
	{ "a(?P<1W>x*)b", "-ab-axxb-", "$1W", "--xx-", "-$1W-$1W-" },
	{ "a(?P<1W>x*)b", "-ab-axxb-", "${1}W", "-W-xxW-", "-${1}W-${1}W-" },
	{ "a*", "baaac", "X", "XbXcX", "XbXcX" },
	{ "x*", "abc", "-", "-a-b-c-", "-a-b-c-" },
	{ "", "abc", "-", "-a-b-c-", "-a-b-c-" },
	{ "a|b", "abc", "[$0]", "[a][b]c", "[$0][$0]c" },
	{ "(?P<first>\\w+) (?P<last>\\w+)", "John Smith", "$last, $first", "Smith, John", "$last, $first" },
	{ "(?P<first>\\w+) (?P<last>\\w+)", "John Smith", "${last}_$first", "Smith_John", "${last}_$first" },
	{ "(\\w+)", "ab cd", "$$1=$1", "$1=ab $1=cd", "$$1=$1 $$1=$1" },
	{ "(\\w+)", "ab", "$", "$", "$" },
	{ "(\\w+)", "ab", "$}", "$}", "$}" },
	{ "(\\w+)", "ab", "${1", "${1", "${1" },
	{ "(\\w+)", "ab", "${}", "${}", "${}" },
	{ "(\\w+)", "ab", "$2x", "", "$2x" },
	{ "(\\w+)", "ab", "$01", "", "$01" },
	{ "(\\w+)", "ab", "$00", "", "$00" },
	{ "(\\w+)", "ab", "${0}", "ab", "${0}" },
	{ "(\\w+)", "ab", "$1\303\251", "", "$1\303\251" },
	{ "(\\w+)", "ab", "$1-", "ab-", "$1-" },
	{ "(\\w+)", "ab", "${1}\303\251", "ab\303\251", "${1}\303\251" },
	{ "(\\w+)", "ab", "$99999999999", "", "$99999999999" },
	{ "(a)|(b)", "ab", "[$1|$2]", "[a|][|b]", "[$1|$2][$1|$2]" },
	{ "(?P<x>a)|(?P<x>b)", "ab", "[$x]", "[a][b]", "[$x][$x]" },
	{ "(\\w+)", "ab", "$\303\251", "", "$\303\251" },
	{ "a*", "", "X", "X", "X" },
	{ "a*", "aaa", "X", "X", "X" },
	{ "a*?", "aaa", "X", "XaXaXaX", "XaXaXaX" },
	{ "\\b", "ab cd", "|", "|ab| |cd|", "|ab| |cd|" },
	{ "$", "a\nb\n", "<$0>", "a\nb\n<>", "a\nb\n<$0>" },
	{ "(?m)$", "a\nb\n", "<>", "a<>\nb<>\n<>", "a<>\nb<>\n<>" },
	{ "(?m)^", "a\nb\n", ">", ">a\n>b\n>", ">a\n>b\n>" },
	{ ".", "\344\270\226\347\225\214", "$0$0", "\344\270\226\344\270\226\347\225\214\347\225\214", "$0$0$0$0" },
};

START_TEST(test_replace)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = compile_ok(replace_cases[_i].pat);
	struct gitops_buf out = GITOPS_BUF_INIT;
	const char *in = replace_cases[_i].in, *t = replace_cases[_i].tmpl;

	ck_assert_int_eq(gitops_regex_replace_all(&out, re, in, strlen(in), t, strlen(t), &err), 0);
	ck_assert_str_eq(out.data ? out.data : "", replace_cases[_i].want);
	gitops_buf_release(&out);
	ck_assert_int_eq(gitops_regex_replace_all_literal(&out, re, in, strlen(in), t, strlen(t), &err), 0);
	ck_assert_str_eq(out.data ? out.data : "", replace_cases[_i].want_literal);
	gitops_buf_release(&out);
	gitops_regex_free(re);
}
END_TEST

static const struct {
	const char *pat;
	const char *in;
	long n;
	const char *want;  /* Go's %q of Split(in, n) */
} split_cases[] = {
	{ "a", "banana", -1, "[\"b\" \"n\" \"n\" \"\"]" },
	{ "a", "banana", 0, "[]" },
	{ "a", "banana", 1, "[\"banana\"]" },
	{ "a", "banana", 2, "[\"b\" \"nana\"]" },
	{ "a*", "abaabaccadaaae", 5, "[\"\" \"b\" \"b\" \"c\" \"cadaaae\"]" },
	{ "", "abc", -1, "[\"a\" \"b\" \"c\"]" },
	{ "", "abc", 2, "[\"a\" \"bc\"]" },
	{ "x*", "axbxxc", -1, "[\"a\" \"b\" \"c\"]" },
	{ "a*", "", -1, "[\"\"]" },
	{ "", "", -1, "[]" },
	{ ",", "a,b,,c,", -1, "[\"a\" \"b\" \"\" \"c\" \"\"]" },
	{ ",", ",", -1, "[\"\" \"\"]" },
	{ "\\s*", " a b ", -1, "[\"\" \"a\" \"b\" \"\"]" },
	{ "z+", "pizza", -1, "[\"pi\" \"a\"]" },
	{ "z+", "pizza", 2, "[\"pi\" \"a\"]" },
	{ "(,)", "a,b", -1, "[\"a\" \"b\"]" },
	{ "$", "ab", -1, "[\"ab\"]" },
	{ "^", "ab", -1, "[\"ab\"]" },
	{ "b*", "abb", -1, "[\"a\" \"\"]" },
	{ ".", "\344\270\226\347\225\214", -1, "[\"\" \"\" \"\"]" },
};

START_TEST(test_split)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = compile_ok(split_cases[_i].pat);
	struct gitops_regex_matches m = GITOPS_REGEX_MATCHES_INIT;
	struct gitops_buf got = GITOPS_BUF_INIT;
	const char *in = split_cases[_i].in;
	size_t i;

	ck_assert_int_eq(gitops_regex_split(&m, re, in, strlen(in), split_cases[_i].n, &err), 0);
	ck_assert_uint_eq(m.width, 2);
	gitops_buf_addstr(&got, "[");
	for (i = 0; i < m.n; i++)
		gitops_buf_printf(&got, "%s\"%.*s\"", i ? " " : "", (int)(m.at[2 * i + 1] - m.at[2 * i]), in + m.at[2 * i]);
	gitops_buf_addstr(&got, "]");
	ck_assert_str_eq(got.data, split_cases[_i].want);
	gitops_buf_release(&got);
	gitops_regex_matches_release(&m);
	gitops_regex_free(re);
}
END_TEST

static const struct {
	const char *in;
	const char *want;
} quote_cases[] = {
	{ "", "" },
	{ "abc", "abc" },
	{ "Escaping symbols like: .+*?()|[]{}^$", "Escaping symbols like: \\.\\+\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$" },
	{ "\\", "\\\\" },
	{ "\344\270\226.\347\225\214", "\344\270\226\\.\347\225\214" },
};

START_TEST(test_quote_meta)
{
	struct gitops_buf out = GITOPS_BUF_INIT;
	struct gitops_regex *re;
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_eq(gitops_regex_quote_meta(&out, quote_cases[_i].in, strlen(quote_cases[_i].in)), 0);
	ck_assert_ptr_nonnull(out.data);
	ck_assert_str_eq(out.data, quote_cases[_i].want);
	/* the quoted text is a pattern that matches the text, whole */
	ck_assert_int_eq(gitops_regex_compile(&re, out.data, out.len, &err), 0);
	ck_assert_int_eq(gitops_regex_match(re, quote_cases[_i].in, strlen(quote_cases[_i].in), &err), 1);
	gitops_regex_free(re);
	gitops_buf_release(&out);
}
END_TEST

START_TEST(test_names)
{
	struct gitops_regex *re = compile_ok("(?P<first>\\w+) (\\w+) (?<last>\\w+)(?P<first>x)?");

	ck_assert_uint_eq(gitops_regex_nsub(re), 4);
	ck_assert_str_eq(gitops_regex_subexp_name(re, 1), "first");
	ck_assert_str_eq(gitops_regex_subexp_name(re, 2), "");
	ck_assert_str_eq(gitops_regex_subexp_name(re, 3), "last");
	ck_assert_str_eq(gitops_regex_subexp_name(re, 0), "");
	ck_assert_str_eq(gitops_regex_subexp_name(re, 5), "");
	ck_assert_int_eq(gitops_regex_subexp_index(re, "first"), 1);
	ck_assert_int_eq(gitops_regex_subexp_index(re, "last"), 3);
	ck_assert_int_eq(gitops_regex_subexp_index(re, "none"), -1);
	ck_assert_int_eq(gitops_regex_subexp_index(re, ""), -1);
	ck_assert_str_eq(gitops_regex_pattern(re), "(?P<first>\\w+) (\\w+) (?<last>\\w+)(?P<first>x)?");
	gitops_regex_free(re);
}
END_TEST

/* Go's Expand on one match: names, numbers, $$, a group that took no part. */
START_TEST(test_expand)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = compile_ok("(?P<key>\\w+):\\s+(?P<value>\\w+)|(?P<other>-)");
	struct gitops_buf out = GITOPS_BUF_INIT;
	const char *s = "  option1: value1", *t = "$key=$value;${other}$$";
	long idx[8];

	ck_assert_int_eq(gitops_regex_find(idx, re, s, strlen(s), &err), 1);
	ck_assert_int_eq(idx[0], 2);
	ck_assert_int_eq(idx[6], -1);
	ck_assert_int_eq(gitops_regex_expand(&out, re, t, strlen(t), s, idx, &err), 0);
	ck_assert_str_eq(out.data, "option1=value1;$");
	gitops_buf_release(&out);
	gitops_regex_free(re);
}
END_TEST

/* FindAll's n: at most n matches. */
START_TEST(test_find_all_n)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = compile_ok("a.");
	struct gitops_regex_matches m = GITOPS_REGEX_MATCHES_INIT;

	ck_assert_int_eq(gitops_regex_find_all(&m, re, "a1a2a3a4", 8, 2, &err), 0);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_int_eq(m.at[2], 2);
	ck_assert_int_eq(gitops_regex_find_all(&m, re, "a1a2a3a4", 8, 0, &err), 0);
	ck_assert_uint_eq(m.n, 0);
	ck_assert_int_eq(gitops_regex_find_all(&m, re, "a1a2a3a4", 8, -1, &err), 0);
	ck_assert_uint_eq(m.n, 4);
	ck_assert_int_eq(gitops_regex_find_all(&m, re, "xyz", 3, -1, &err), 0);
	ck_assert_uint_eq(m.n, 0);
	gitops_regex_matches_release(&m);
	gitops_regex_free(re);
}
END_TEST

/*
 * A regex is JIT-compiled at its 64th match (a copy, published for the
 * matches after it): the answers are the same on both sides of that.
 */
START_TEST(test_jit_after_many)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = compile_ok("(\\w+)@(\\w+)\\.(?:com|org)\\b");
	const char *s = "mail bob@example.com, alice@site.org or eve@x.net";
	long first[6], idx[6]; /* 2 * (1 + 2 groups) */
	int i;

	ck_assert_int_eq(gitops_regex_find(first, re, s, strlen(s), &err), 1);
	ck_assert_int_eq(first[2], 5);
	for (i = 0; i < 300; i++) {
		struct gitops_regex_matches m = GITOPS_REGEX_MATCHES_INIT;
		ck_assert_int_eq(gitops_regex_find(idx, re, s, strlen(s), &err), 1);
		ck_assert_int_eq(memcmp(idx, first, sizeof(idx)), 0);
		ck_assert_int_eq(gitops_regex_match(re, "no address here", 15, &err), 0);
		ck_assert_int_eq(gitops_regex_find_all(&m, re, s, strlen(s), -1, &err), 0);
		ck_assert_uint_eq(m.n, 2);
		ck_assert_int_eq(m.at[m.width], 22);
		ck_assert_int_eq(m.at[m.width + 4], 28);
		gitops_regex_matches_release(&m);
	}
	gitops_regex_free(re);
}
END_TEST

/* Patterns and subjects are counted, so NUL bytes are ordinary bytes in both. */
START_TEST(test_nul_bytes)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = NULL;
	struct gitops_buf out = GITOPS_BUF_INIT;

	ck_assert_int_eq(gitops_regex_compile(&re, "a\0.b", 4, &err), 0);
	ck_assert_int_eq(gitops_regex_match(re, "xa\0\0by", 6, &err), 1);
	ck_assert_int_eq(gitops_regex_match(re, "xa\0by", 5, &err), 0);
	gitops_regex_free(re);
	ck_assert_int_eq(gitops_regex_quote_meta(&out, "a\0.b", 4), 0);
	ck_assert_uint_eq(out.len, 5);
	ck_assert_int_eq(memcmp(out.data, "a\0\\.b", 5), 0);
	gitops_buf_release(&out);
}
END_TEST

/* Invalid UTF-8 in a subject is no error; the valid text around it still matches. */
START_TEST(test_invalid_utf8_subject)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = compile_ok("b+");
	struct gitops_regex_matches m = GITOPS_REGEX_MATCHES_INIT;
	struct gitops_buf out = GITOPS_BUF_INIT;

	ck_assert_int_eq(gitops_regex_find_all(&m, re, "\xff" "bb\xe2\x82" "b\xc0", 7, -1, &err), 0);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_int_eq(m.at[0], 1);
	ck_assert_int_eq(m.at[1], 3);
	ck_assert_int_eq(m.at[2], 5);
	ck_assert_int_eq(gitops_regex_replace_all(&out, re, "\xff" "bb\xe2\x82" "b\xc0", 7, "<$0>", 4, &err), 0);
	ck_assert_str_eq(out.data, "\xff<bb>\xe2\x82<b>\xc0");
	gitops_buf_release(&out);
	gitops_regex_matches_release(&m);
	gitops_regex_free(re);
}
END_TEST

/* kustomize anchors a target's pattern: ^(?:PATTERN)$. */
static const struct {
	const char *pat;
	const char *yes;
	const char *no;
} anchored_cases[] = {
	{ "^(?:app-.*)$", "app-web", "my-app-web" },
	{ "^(?:nginx|redis)$", "redis", "redis-cache" },
	{ "^(?:a|b)c$", "bc", "a" },
	{ "^(?:.*deployment)$", "my-deployment", "deployment\n" },
	{ "^(?:(?i)Deploy.*)$", "deployment", "a-deployment" },
	{ "^(?:ghcr\\.io/org/.*)$", "ghcr.io/org/app", "ghcrxio/org/app" },
};

START_TEST(test_anchored)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = compile_ok(anchored_cases[_i].pat);
	const char *yes = anchored_cases[_i].yes, *no = anchored_cases[_i].no;

	ck_assert_int_eq(gitops_regex_match(re, yes, strlen(yes), &err), 1);
	ck_assert_int_eq(gitops_regex_match(re, no, strlen(no), &err), 0);
	gitops_regex_free(re);
}
END_TEST

/*
 * Catastrophic backtracking ends in an error, quickly, instead of hanging
 * (or PCRE2 sees at once that there is no match: no y in the text).
 */
static const struct {
	const char *pat;
	char fill;
	size_t n;
	const char *tail;
	int gives_up;
} runaway_cases[] = {
	{ "(a+)+$", 'a', 40, "b", 1 },
	{ "(x+x+)+y", 'x', 5000, "", 0 },
	{ "^(\\w+\\s?)*$", 'w', 60, "!", 1 },
	{ "(.*a){12}", 'a', 5000, "", 0 },
};

START_TEST(test_runaway)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = compile_ok(runaway_cases[_i].pat);
	size_t n = runaway_cases[_i].n, t = strlen(runaway_cases[_i].tail);
	char *s = malloc(n + t + 1);
	struct gitops_regex_matches m = GITOPS_REGEX_MATCHES_INIT;
	time_t start = time(NULL);
	int r;

	ck_assert_ptr_nonnull(s);
	memset(s, runaway_cases[_i].fill, n);
	memcpy(s + n, runaway_cases[_i].tail, t + 1);
	r = gitops_regex_match(re, s, n + t, &err);
	if (runaway_cases[_i].gives_up)
		ck_assert_int_eq(r, -1);
	if (r < 0) {
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
		ck_assert_msg(strstr(err.msg, "too much backtracking") != NULL, "%s", err.msg);
		ck_assert_int_eq(gitops_regex_find_all(&m, re, s, n + t, -1, &err), -1);
		ck_assert_uint_eq(m.n, 0);
		ck_assert_ptr_null(m.at);
	}
	ck_assert_msg(time(NULL) - start < 20, "'%s' ran for %ld s", runaway_cases[_i].pat, (long)(time(NULL) - start));
	free(s);
	gitops_regex_free(re);
}
END_TEST

/* Go's limits: a parse tree 1000 high, repeat counts up to 1000. */
START_TEST(test_limits)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_regex *re = NULL;
	struct gitops_buf p = GITOPS_BUF_INIT;
	char *x = malloc(1001);
	int i;

	for (i = 0; i < 999; i++)
		gitops_buf_addstr(&p, "(");
	gitops_buf_addstr(&p, "a");
	for (i = 0; i < 999; i++)
		gitops_buf_addstr(&p, ")");
	ck_assert_msg(gitops_regex_compile(&re, p.data, p.len, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(gitops_regex_nsub(re), 999);
	ck_assert_int_eq(gitops_regex_match(re, "a", 1, &err), 1);
	gitops_regex_free(re);
	gitops_buf_release(&p);
	for (i = 0; i < 1000; i++)
		gitops_buf_addstr(&p, "(");
	gitops_buf_addstr(&p, "a");
	for (i = 0; i < 1000; i++)
		gitops_buf_addstr(&p, ")");
	ck_assert_int_eq(gitops_regex_compile(&re, p.data, p.len, &err), -1);
	ck_assert_msg(!strncmp(err.msg, "error parsing regexp: expression nests too deeply: `((((", 56), "%s", err.msg);
	gitops_buf_release(&p);

	ck_assert_ptr_nonnull(x);
	memset(x, 'x', 1000);
	re = compile_ok("^x{1000}$");
	ck_assert_int_eq(gitops_regex_match(re, x, 1000, &err), 1);
	ck_assert_int_eq(gitops_regex_match(re, x, 999, &err), 0);
	gitops_regex_free(re);
	free(x);
}
END_TEST

START_TEST(test_free_null)
{
	struct gitops_regex_matches m = GITOPS_REGEX_MATCHES_INIT;

	gitops_regex_free(NULL);
	gitops_regex_matches_release(&m);
}
END_TEST

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static Suite *suite(void)
{
	Suite *s = suite_create("regex");
	TCase *tc = tcase_create("syntax");

	tcase_add_loop_test(tc, test_bad, 0, N(bad_cases));
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	tc = tcase_create("matching");
	tcase_add_loop_test(tc, test_find_all, 0, N(find_cases));
	tcase_add_loop_test(tc, test_replace, 0, N(replace_cases));
	tcase_add_loop_test(tc, test_split, 0, N(split_cases));
	tcase_add_loop_test(tc, test_quote_meta, 0, N(quote_cases));
	tcase_add_loop_test(tc, test_anchored, 0, N(anchored_cases));
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_find_all_n);
	tcase_add_test(tc, test_nul_bytes);
	tcase_add_test(tc, test_jit_after_many);
	tcase_add_test(tc, test_invalid_utf8_subject);
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_runaway, 0, N(runaway_cases));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
