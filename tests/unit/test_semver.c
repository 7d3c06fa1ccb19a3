/* Unit tests for lib/semver.c: parsing, semver 2.0 precedence, Masterminds-style ranges. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/semver.h"
#include "tests/unit/check_main.h"

static const struct {
	const char *in;
	const char *formatted;   /* NULL: must be refused */
} parse_cases[] = {
	{ "1.2.3", "1.2.3" },
	{ "v1.2.3", "1.2.3" },
	{ "1.2", "1.2.0" },
	{ "v2", "2.0.0" },
	{ "0.0.0", "0.0.0" },
	{ "1.2.3-rc.1", "1.2.3-rc.1" },
	{ "1.2.3-0", "1.2.3-0" },
	{ "1.2.3-alpha-beta.x-1", "1.2.3-alpha-beta.x-1" },
	{ "1.2.3+build.5", "1.2.3+build.5" },
	{ "1.2.3-rc.1+build.05", "1.2.3-rc.1+build.05" },
	{ "18446744073709551615.0.0", "18446744073709551615.0.0" },
	{ "18446744073709551616.0.0", NULL },
	{ "", NULL },
	{ "v", NULL },
	{ "latest", NULL },
	{ "1.2.3.4", NULL },
	{ "01.2.3", NULL },
	{ "1.02.3", NULL },
	{ "1.2.03", NULL },
	{ "1.2.3-01", NULL },
	{ "1.2.3-", NULL },
	{ "1.2.3+", NULL },
	{ "1.2.3-a..b", NULL },
	{ "1.2.3-a_b", NULL },
	{ "1.x", NULL },
	{ "1.2.3 ", NULL },
	{ " 1.2.3", NULL },
	{ "1..3", NULL },
	{ "-1.2.3", NULL },
	{ "sha256-abc", NULL },
};

START_TEST(test_parse)
{
	struct gitops_semver v;
	char buf[300];
	int r = gitops_semver_parse(parse_cases[_i].in, &v);

	if (!parse_cases[_i].formatted) {
		ck_assert_msg(r == -1, "'%s' should be refused", parse_cases[_i].in);
		return;
	}
	ck_assert_msg(r == 0, "'%s' should parse", parse_cases[_i].in);
	gitops_semver_format(&v, buf, sizeof(buf));
	ck_assert_str_eq(buf, parse_cases[_i].formatted);
}
END_TEST

/* The precedence example of semver 2.0 section 11, in ascending order, plus a few more. */
static const char *const ascending[] = {
	"0.9.9", "1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
	"1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "1.9.0", "1.10.0",
	"1.11.0", "2.0.0", "10.0.0",
};

START_TEST(test_order)
{
	size_t n = sizeof(ascending) / sizeof(ascending[0]), j;
	struct gitops_semver a, b;

	ck_assert_int_eq(gitops_semver_parse(ascending[_i], &a), 0);
	for (j = 0; j < n; j++) {
		int want = _i < (int)j ? -1 : _i > (int)j ? 1 : 0;
		ck_assert_int_eq(gitops_semver_parse(ascending[j], &b), 0);
		ck_assert_msg(gitops_semver_compare(&a, &b) == want, "compare(%s, %s) != %d", ascending[_i],
			      ascending[j], want);
	}
}
END_TEST

START_TEST(test_build_ignored)
{
	struct gitops_semver a, b;

	ck_assert_int_eq(gitops_semver_parse("1.2.3+a", &a), 0);
	ck_assert_int_eq(gitops_semver_parse("v1.2.3+zzz", &b), 0);
	ck_assert_int_eq(gitops_semver_compare(&a, &b), 0);
	ck_assert_str_eq(a.build, "a");
}
END_TEST

static const struct {
	const char *range;
	const char *yes;   /* space-separated versions that match */
	const char *no;    /* and that do not */
} range_cases[] = {
	{ ">=1.2 <2", "1.2.0 1.2.1 1.9.99", "1.1.9 2.0.0 1.5.0-rc.1 2.0.0-rc.1" },
	{ ">= 1.2, < 2", "1.2.0 1.9.0", "2.0.0 1.1.0" },
	{ "^1.2", "1.2.0 1.3.4 1.99.0", "1.1.9 2.0.0 1.3.0-beta" },
	{ "^1.2.3", "1.2.3 1.9.0", "1.2.2 2.0.0" },
	{ "^0.2.3", "0.2.3 0.2.9", "0.3.0 0.2.2" },
	{ "^0.0.3", "0.0.3", "0.0.4 0.0.2" },
	{ "^0.0", "0.0.0 0.0.9", "0.1.0" },
	{ "^0", "0.0.0 0.9.9", "1.0.0" },
	{ "^1.2.x", "1.2.0 1.9.0", "2.0.0 1.1.0" },
	{ "~1.2", "1.2.0 1.2.9", "1.3.0 1.1.9" },
	{ "~1.2.3", "1.2.3 1.2.10", "1.2.2 1.3.0" },
	{ "~1", "1.0.0 1.9.9", "2.0.0 0.9.0" },
	{ "~>1.2", "1.2.5", "1.3.0" },
	{ "1.2.x", "1.2.0 1.2.7", "1.3.0 1.1.0 1.2.8-rc.1" },
	{ "1.2.*", "1.2.0 1.2.7", "1.3.0" },
	{ "v1.2.*", "1.2.0 1.2.7", "1.3.0" },
	{ "1.2", "1.2.0 1.2.5", "1.3.0" },
	{ "1.x", "1.0.0 1.9.0", "2.0.0" },
	{ "*", "0.0.0 1.2.3 99.0.0", "1.0.0-rc.1" },
	{ "x", "0.0.1", "" },
	{ "1.2.3", "1.2.3", "1.2.4 1.2.2" },
	{ "=1.2.3", "1.2.3", "1.2.4" },
	{ "!=1.2.3", "1.2.4 1.2.2", "1.2.3" },
	{ "!=1.2", "1.1.0 1.3.0", "1.2.0 1.2.5" },
	{ ">1.2.3", "1.2.4 2.0.0", "1.2.3" },
	{ ">1.2", "1.3.0", "1.2.9" },
	{ "<1.2", "1.1.9", "1.2.0" },
	{ "<=1.2", "1.2.9", "1.3.0" },
	{ "<=1.2.3", "1.2.3", "1.2.4" },
	{ "1.2 - 1.4.5", "1.2.0 1.4.5", "1.4.6 1.1.9" },
	{ "1.2 - 1.4", "1.4.9", "1.5.0" },
	{ "<1.0 || >=2.1", "0.5.0 2.1.0 3.0.0", "1.0.0 2.0.9" },
	{ "^1 || ^3", "1.5.0 3.0.0", "2.0.0" },
	{ ">=1.2.3-0 <2", "1.2.3-rc.1 1.5.0-beta 1.5.0", "2.0.0 1.2.2" },
	{ ">=1.0.0-alpha", "1.0.0-beta 1.0.0", "1.0.0-0" },
	{ "<1 || >=2.0.0-rc.1", "2.0.0-rc.2 0.1.0", "1.5.0 0.1.0-rc.1" },
	{ "=>1.2", "1.2.0", "1.1.0" },
	{ "=<1.2", "1.2.3", "1.3.0" },
};

static int match(const struct gitops_semver_range *r, const char *v)
{
	struct gitops_semver sv;

	ck_assert_msg(gitops_semver_parse(v, &sv) == 0, "bad test version %s", v);
	return gitops_semver_range_match(r, &sv);
}

START_TEST(test_ranges)
{
	struct gitops_semver_range *r = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	char list[256], *tok, *save;

	ck_assert_msg(gitops_semver_range_parse(range_cases[_i].range, &r, &err) == 0, "%s: %s",
		      range_cases[_i].range, err.msg);
	snprintf(list, sizeof(list), "%s", range_cases[_i].yes);
	for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		ck_assert_msg(match(r, tok), "'%s' should match %s", range_cases[_i].range, tok);
	snprintf(list, sizeof(list), "%s", range_cases[_i].no);
	for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		ck_assert_msg(!match(r, tok), "'%s' should not match %s", range_cases[_i].range, tok);
	gitops_semver_range_free(r);
}
END_TEST

static const struct {
	const char *range;
	const char *msg;
} bad_ranges[] = {
	{ "", "invalid semver range '': empty comparator group" },
	{ "   ", "invalid semver range '   ': empty comparator group" },
	{ ">=1.2 ||", "invalid semver range '>=1.2 ||': empty comparator group" },
	{ "latest", "invalid semver range 'latest': not a version" },
	{ ">>1.2", "invalid semver range '>>1.2': unknown operator" },
	{ "<>1.2", "invalid semver range '<>1.2': unknown operator" },
	{ ">=1.2.3.4", "invalid semver range '>=1.2.3.4': not a version" },
	{ "1.x.3", "invalid semver range '1.x.3': not a version" },
	{ "1.2 -", "invalid semver range '1.2 -': hyphen range without an upper version" },
	{ ">=01.2", "invalid semver range '>=01.2': not a version" },
};

START_TEST(test_bad_ranges)
{
	struct gitops_semver_range *r = (void *)1;
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_eq(gitops_semver_range_parse(bad_ranges[_i].range, &r, &err), -1);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_str_eq(err.msg, bad_ranges[_i].msg);
}
END_TEST

START_TEST(test_free_null)
{
	gitops_semver_range_free(NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("semver");
	TCase *tc = tcase_create("versions");

	tcase_add_loop_test(tc, test_parse, 0, sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_loop_test(tc, test_order, 0, sizeof(ascending) / sizeof(ascending[0]));
	tcase_add_test(tc, test_build_ignored);
	suite_add_tcase(s, tc);
	tc = tcase_create("ranges");
	tcase_add_loop_test(tc, test_ranges, 0, sizeof(range_cases) / sizeof(range_cases[0]));
	tcase_add_loop_test(tc, test_bad_ranges, 0, sizeof(bad_ranges) / sizeof(bad_ranges[0]));
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
