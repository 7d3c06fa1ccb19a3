/* Unit tests for lib/chart/chart.c: helm's URL resolution and helm's choice of a version. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/chart/chart.h"
#include "tests/unit/check_main.h"

/* helm's ResolveReferenceURL (pkg/repo/chartrepo.go): the base's path gets a '/', its query is kept */
static const struct {
	const char *base, *ref, *want;
} url_cases[] = {
	{ "https://charts.example.com", "web-1.0.0.tgz", "https://charts.example.com/web-1.0.0.tgz" },
	{ "https://charts.example.com/", "web-1.0.0.tgz", "https://charts.example.com/web-1.0.0.tgz" },
	{ "https://charts.example.com/stable", "web-1.0.0.tgz", "https://charts.example.com/stable/web-1.0.0.tgz" },
	{ "https://charts.example.com/stable/", "pkgs/web.tgz", "https://charts.example.com/stable/pkgs/web.tgz" },
	{ "https://charts.example.com/a/b", "../c/web.tgz", "https://charts.example.com/a/c/web.tgz" },
	{ "https://charts.example.com/a/b", "/root/web.tgz", "https://charts.example.com/root/web.tgz" },
	{ "https://charts.example.com/a", "../../../web.tgz", "https://charts.example.com/web.tgz" },
	{ "https://charts.example.com/a?token=x", "web.tgz", "https://charts.example.com/a/web.tgz?token=x" },
	{ "https://charts.example.com/a?token=x", "index.yaml", "https://charts.example.com/a/index.yaml?token=x" },
	{ "https://charts.example.com/a", "web.tgz?x=1", "https://charts.example.com/a/web.tgz" },
	{ "https://charts.example.com/a", "https://cdn.example.com/web.tgz", "https://cdn.example.com/web.tgz" },
	{ "https://charts.example.com/a", "//cdn.example.com/p/web.tgz", "https://cdn.example.com/p/web.tgz" },
	{ "HTTPS://Charts.Example.COM:8443/a", "web.tgz", "https://charts.example.com:8443/a/web.tgz" },
	{ "https://alice:secret@charts.example.com/a", "web.tgz", "https://charts.example.com/a/web.tgz" },
	{ "https://charts.example.com/a#frag", "web.tgz", "https://charts.example.com/a/web.tgz" },
};

START_TEST(test_url)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *got = NULL;

	ck_assert_int_eq(gitops_chart_url_resolve(&got, url_cases[_i].base, url_cases[_i].ref, &err), 0);
	ck_assert_str_eq(got, url_cases[_i].want);
	free(got);
}
END_TEST

START_TEST(test_url_bad)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *got = NULL;

	ck_assert_int_eq(gitops_chart_url_resolve(&got, "charts.example.com", "web.tgz", &err), -1);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(gitops_chart_url_resolve(&got, "https://", "web.tgz", &err), -1);
	ck_assert_int_eq(gitops_chart_url_resolve(&got, "https://a b/", "web.tgz", &err), -1);
}
END_TEST

/* helm pull --version RANGE: the exact text first, then the newest in the range, Masterminds' prerelease rule */
static char *tags[] = { "1.0.0", "1.2.0", "1.2.5", "1.3.0-rc.1", "2.0.0", "2.1.0_build.7", "v2.0.1", "latest",
			 "1.2", "0.9.0" };
static const struct {
	const char *range, *want;
} choose_cases[] = {
	{ NULL, "2.1.0_build.7" },
	{ "", "2.1.0_build.7" },
	{ "~1.2.0", "1.2.5" },
	{ "1.2", "1.2" },               /* the exact text, though 1.2.5 is in the range 1.2 */
	{ "1.2.x", "1.2.5" },
	{ ">=1.3.0-0", "2.1.0_build.7" },
	{ ">=1.3.0-0 <2", NULL },       /* '<2' refuses the prerelease */
	{ "~1.3.0-0", "1.3.0-rc.1" },
	{ "<1", "0.9.0" },
	{ "^2.0.0", "2.1.0_build.7" },
	{ "2.0.1", "v2.0.1" },          /* by semver: v2.0.1 is 2.0.1 */
	{ ">=3", NULL },
};

START_TEST(test_choose)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *got;
	int bad = 0;

	got = gitops_chart_choose(tags, sizeof(tags) / sizeof(tags[0]), choose_cases[_i].range, &bad, &err);
	ck_assert_int_eq(bad, 0);
	if (choose_cases[_i].want)
		ck_assert_str_eq(got ? got : "(none)", choose_cases[_i].want);
	else
		ck_assert_ptr_null(got);
}
END_TEST

START_TEST(test_choose_bad_range)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	int bad = 0;

	ck_assert_ptr_null(gitops_chart_choose(tags, 3, ">=>1", &bad, &err));
	ck_assert_int_eq(bad, 1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("chart");
	TCase *tc = tcase_create("chart");

	tcase_add_loop_test(tc, test_url, 0, sizeof(url_cases) / sizeof(url_cases[0]));
	tcase_add_test(tc, test_url_bad);
	tcase_add_loop_test(tc, test_choose, 0, sizeof(choose_cases) / sizeof(choose_cases[0]));
	tcase_add_test(tc, test_choose_bad_range);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
