/*
 * tests/unit/conformance.h: whether the shared conformance fixtures are there, for the unit
 * tests that read them ($CONFORMANCE, as make sets it, else ../shared/conformance).
 * A clone without them skips those tests silently (`make unit` says so once, through
 * tests/conformance-check); with GITOPS_REQUIRE_CONFORMANCE=1 (CI) a missing directory fails.
 */
#ifndef GITOPS_TESTS_UNIT_CONFORMANCE_H
#define GITOPS_TESTS_UNIT_CONFORMANCE_H

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* 1 when the test should return now: the fixtures are not there and not required */
static inline int test_conformance_absent(void)
{
	const char *dir = getenv("CONFORMANCE"), *req = getenv("GITOPS_REQUIRE_CONFORMANCE");
	struct stat st;

	if (!dir || !*dir)
		dir = "../shared/conformance";
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	ck_assert_msg(!(req && !strcmp(req, "1")), "%s not found (GITOPS_REQUIRE_CONFORMANCE=1)", dir);
	return 1;
}

#endif
