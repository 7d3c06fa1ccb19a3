/*
 * registry: the choice of a tag (gitops_registry_choose), which needs no
 * server, and what gitops_registry_chart refuses before it sends anything.
 * The transfer side (tags, digests, auth, charts) is tested against a real
 * registry by tests/registry/run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/base/regex.h"
#include "lib/net/registry.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
#define LONG_TAG "v1.0.1-" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct {
	const char *tags;     /* blank-separated */
	const char *range;    /* semver range, or NULL */
	const char *re;       /* extended regular expression, or NULL */
	enum gitops_tag_order order;
	const char *want;     /* NULL: none passes */
} choose_cases[] = {
	/* semver: releases only without a range; numeric precedence, not the string's */
	{ "1.0.0 1.2.0 1.10.0 1.9.9 latest 2.0.0-rc.1", NULL, NULL, GITOPS_ORDER_SEMVER, "1.10.0" },
	{ "v1.0.0 v1.2.0 v0.9.0", NULL, NULL, GITOPS_ORDER_SEMVER, "v1.2.0" },
	{ "2.0.0-rc.1 2.0.0-rc.2", NULL, NULL, GITOPS_ORDER_SEMVER, NULL },
	{ "latest", NULL, NULL, GITOPS_ORDER_SEMVER, NULL },
	{ "", NULL, NULL, GITOPS_ORDER_SEMVER, NULL },
	{ "main stable edge", NULL, NULL, GITOPS_ORDER_SEMVER, NULL },
	/* equal precedence: the larger string, whatever the registry's order */
	{ "1.2.3 v1.2.3", NULL, NULL, GITOPS_ORDER_SEMVER, "v1.2.3" },
	{ "v1.2.3 1.2.3", NULL, NULL, GITOPS_ORDER_SEMVER, "v1.2.3" },
	/* '+' is no tag character: build metadata never names a tag */
	{ "1.2.3+b1 1.2.2", NULL, NULL, GITOPS_ORDER_SEMVER, "1.2.2" },
	{ "1.2.3_b1 1.2.2", NULL, NULL, GITOPS_ORDER_SEMVER, "1.2.2" },
	/* ranges */
	{ "1.2.0 1.2.7 1.3.0 2.0.0", "~1.2", NULL, GITOPS_ORDER_SEMVER, "1.2.7" },
	{ "1.2.0 1.2.7 1.3.0 2.0.0", "^1.0", NULL, GITOPS_ORDER_SEMVER, "1.3.0" },
	{ "1.2.0 1.3.0-rc.1 1.3.0-rc.2", ">=1.2.0", NULL, GITOPS_ORDER_SEMVER, "1.2.0" },
	{ "1.2.0 1.3.0-rc.1 1.3.0-rc.2", ">=1.3.0-0", NULL, GITOPS_ORDER_SEMVER, "1.3.0-rc.2" },
	{ "1.2.0 1.3.0", ">=3", NULL, GITOPS_ORDER_SEMVER, NULL },
	{ "1.0.0 2.5.0 3.1.0", "<2 || >=3", NULL, GITOPS_ORDER_SEMVER, "3.1.0" },
	/* tags that are no OCI tag are never chosen */
	{ "1.0.0 -2.0.0 .3.0.0", NULL, NULL, GITOPS_ORDER_SEMVER, "1.0.0" },
	{ "1.0.0 " LONG_TAG, ">=1.0.0-0", NULL, GITOPS_ORDER_SEMVER, "1.0.0" },
	/* a regular expression: its first group, else the whole match, is what is ordered */
	{ "v1.2.3-alpine v1.10.0-alpine v2.0.0 v3.0.0-debian", NULL, "^v(.*)-alpine$", GITOPS_ORDER_SEMVER,
	  "v1.10.0-alpine" },
	{ "app-1.0.0 app-1.1.0 other-9.0.0", NULL, "[0-9]+\\.[0-9]+\\.[0-9]+$", GITOPS_ORDER_SEMVER, "other-9.0.0" },
	{ "app-1.0.0 app-1.1.0 other-9.0.0", NULL, "^app-(.*)$", GITOPS_ORDER_SEMVER, "app-1.1.0" },
	/* numeric */
	{ "9 10 1.5 x", NULL, NULL, GITOPS_ORDER_NUMERIC, "10" },
	{ "build-9 build-10 build-x other-99", NULL, "^build-([0-9]+)$", GITOPS_ORDER_NUMERIC, "build-10" },
	{ "1.5 1.25", NULL, NULL, GITOPS_ORDER_NUMERIC, "1.5" },
	{ "a b c", NULL, NULL, GITOPS_ORDER_NUMERIC, NULL },
	{ "10 010", NULL, NULL, GITOPS_ORDER_NUMERIC, "10" },      /* equal values: the larger string */
	{ "010 10", NULL, NULL, GITOPS_ORDER_NUMERIC, "10" },
	/* alphabetical */
	{ "main-2024-01-02 main-2024-01-10 dev-2025", NULL, "^main-(.*)$", GITOPS_ORDER_ALPHABETICAL,
	  "main-2024-01-10" },
	{ "b a c latest", NULL, NULL, GITOPS_ORDER_ALPHABETICAL, "c" },
	{ "Z a", NULL, NULL, GITOPS_ORDER_ALPHABETICAL, "a" },      /* byte order */
	{ "x", NULL, "^nomatch$", GITOPS_ORDER_ALPHABETICAL, NULL },
	/* Go's syntax, as Flux writes filterTags patterns: \d, (?P<name>...), (?i) */
	{ "rc-7 RC-12 rc-x", NULL, "(?i)^rc-(?P<n>\\d+)$", GITOPS_ORDER_NUMERIC, "RC-12" },
};

START_TEST(test_choose)
{
	struct gitops_semver_range *range = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_tag_filter f;
	char list[1024], *tags[32], *p;
	struct gitops_regex *re = NULL;
	size_t n = 0;
	const char *got;

	snprintf(list, sizeof(list), "%s", choose_cases[_i].tags);
	for (p = strtok(list, " "); p; p = strtok(NULL, " "))
		tags[n++] = p;
	memset(&f, 0, sizeof(f));
	f.order = choose_cases[_i].order;
	if (choose_cases[_i].range) {
		ck_assert_msg(gitops_semver_range_parse(choose_cases[_i].range, &range, &err) == 0, "%s", err.msg);
		f.range = range;
	}
	if (choose_cases[_i].re) {
		ck_assert_int_eq(gitops_regex_compile(&re, choose_cases[_i].re, strlen(choose_cases[_i].re), &err), 0);
		f.re = re;
	}
	got = gitops_registry_choose(tags, n, &f);
	if (choose_cases[_i].want) {
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, choose_cases[_i].want);
		/* a pointer into the list given, not a copy */
		ck_assert_int_eq(got >= list && got < list + sizeof(list), 1);
	} else {
		ck_assert_msg(got == NULL, "chose '%s'", got);
	}
	gitops_regex_free(re);
	gitops_semver_range_free(range);
}
END_TEST

/* oci:// names open; tags and digests that are none are refused with no request sent */
static const struct {
	const char *tag, *msg;
} chart_refusals[] = {
	{ "bad tag", "oci://127.0.0.1:9/charts/demo:bad tag: 'bad tag' is not a valid tag" },
	{ "", "oci://127.0.0.1:9/charts/demo:: '' is not a valid tag" },
	{ ".1.0", "oci://127.0.0.1:9/charts/demo:.1.0: '.1.0' is not a valid tag" },
	{ "sha256:abc", "oci://127.0.0.1:9/charts/demo@sha256:abc: 'sha256:abc' is not a valid sha256 digest" },
	{ "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	  "oci://127.0.0.1:9/charts/demo@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef: "
	  "'sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef' is not a valid sha256 digest" },
};

START_TEST(test_chart_refused)
{
	struct gitops_registry_options o = GITOPS_REGISTRY_OPTIONS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_registry *r = NULL;
	char *digest = (char *)"unset";

	o.plain_http = 1;
	setenv("DOCKER_CONFIG", "/nonexistent", 1); /* no credentials from whoever runs the test */
	ck_assert_msg(gitops_registry_open(&r, "oci://127.0.0.1:9/charts/demo", &o, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(gitops_registry_chart(r, chart_refusals[_i].tag, "/nonexistent/x.tgz", &digest, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
	ck_assert_str_eq(err.msg, chart_refusals[_i].msg);
	ck_assert_ptr_null(digest);
	ck_assert_uint_eq(gitops_registry_requests(r), 0);
	gitops_registry_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("choose");
	TCase *tc2 = tcase_create("chart");

	tcase_add_loop_test(tc, test_choose, 0, N(choose_cases));
	suite_add_tcase(s, tc);
	tcase_add_loop_test(tc2, test_chart_refused, 0, N(chart_refusals));
	suite_add_tcase(s, tc2);
	return gitops_check_run(s);
}
