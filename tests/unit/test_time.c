/* Unit tests for lib/base/time.c: Go's calendar, RFC 3339 and TZif zones against the system tzdata. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "lib/base/time.h"
#include "tests/unit/check_main.h"

START_TEST(test_calendar)
{
	int64_t y;
	int m, d;

	ck_assert_int_eq(gitops_days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(gitops_days_from_civil(2026, 11, 30), 20787);
	ck_assert_int_eq(gitops_days_from_civil(1, 1, 1) * 86400, GITOPS_TIME_ZERO_SEC);
	ck_assert_int_eq(gitops_days_from_civil(1969, 12, 31), -1);
	gitops_civil_from_days(-719162, &y, &m, &d);
	ck_assert(y == 1 && m == 1 && d == 1);
	gitops_civil_from_days(19782, &y, &m, &d);   /* 2024-02-29 */
	ck_assert(y == 2024 && m == 2 && d == 29);
	ck_assert_int_eq(gitops_weekday(0), 4);        /* a Thursday */
	ck_assert_int_eq(gitops_weekday(20787), 1);    /* 2026-11-30, a Monday */
	ck_assert_int_eq(gitops_weekday(-1), 3);
	ck_assert_int_eq(gitops_month_days(2024, 2), 29);
	ck_assert_int_eq(gitops_month_days(1900, 2), 28);
	ck_assert_int_eq(gitops_month_days(2000, 2), 29);
	ck_assert_int_eq(gitops_floordiv(-1, 86400), -1);
	ck_assert_int_eq(gitops_floordiv(86400, 86400), 1);
}
END_TEST

static const struct rfc_case {
	const char *in;
	int ok;
	int64_t sec;
	int32_t nsec;
} rfc_cases[] = {
	{ "2026-11-30T22:00:01Z", 1, 1796076001, 0 },
	{ "2026-11-30T23:00:01+01:00", 1, 1796076001, 0 },
	{ "2026-11-30T20:30:01-01:30", 1, 1796076001, 0 },
	{ "2026-11-30T22:00:01.5Z", 1, 1796076001, 500000000 },
	{ "2026-11-30T22:00:01,25Z", 1, 1796076001, 250000000 },
	{ "2026-11-30T22:00:01.1234567891Z", 1, 1796076001, 123456789 },
	{ "2026-11-30T1:02:03+01:00", 1, 1795996923, 0 },   /* Go's hour takes one digit */
	{ "2024-02-29T00:00:00Z", 1, 1709164800, 0 },
	{ "0001-01-01T00:00:00Z", 1, GITOPS_TIME_ZERO_SEC, 0 },
	{ "2026-02-29T00:00:00Z", 0, 0, 0 },
	{ "2026-11-31T00:00:00Z", 0, 0, 0 },
	{ "2026-13-01T00:00:00Z", 0, 0, 0 },
	{ "2026-11-30T24:00:00Z", 0, 0, 0 },
	{ "2026-11-30T22:60:00Z", 0, 0, 0 },
	{ "2026-11-30T22:00:60Z", 0, 0, 0 },
	{ "2026-11-30t22:00:01Z", 0, 0, 0 },
	{ "2026-11-30T22:00:01z", 0, 0, 0 },
	{ "2026-11-30T22:00:01", 0, 0, 0 },
	{ "2026-11-30T22:00:01.Z", 0, 0, 0 },
	{ "2026-11-30T22:00:01Z ", 0, 0, 0 },
	{ "2026-11-30T22:00:01+0100", 0, 0, 0 },
	{ "2026-11-30", 0, 0, 0 },
	{ "", 0, 0, 0 },
	{ "2026-11-30T", 0, 0, 0 },
};

START_TEST(test_rfc3339)
{
	const struct rfc_case *c = &rfc_cases[_i];
	int64_t sec = -7;
	int32_t nsec = -7;
	int rc = gitops_time_rfc3339(c->in, &sec, &nsec);

	ck_assert_msg(rc == (c->ok ? 0 : -1), "%s: %d", c->in, rc);
	if (c->ok) {
		ck_assert_msg(sec == c->sec, "%s: %lld", c->in, (long long)sec);
		ck_assert_int_eq(nsec, c->nsec);
	}
}
END_TEST

static const struct zone_case {
	const char *zone;
	int64_t t;
	int32_t off;
	const char *abbr;
	int64_t start;   /* INT64_MAX: not checked */
} zone_cases[] = {
	{ "", 1796076001, 0, "UTC", INT64_MIN },
	{ "UTC", 1796076001, 0, "UTC", INT64_MIN },
	{ "America/New_York", 1782907200, -14400, "EDT", INT64_MAX },   /* 2026-07-01, a transition */
	{ "America/New_York", 2525860800, -18000, "EST", INT64_MAX },   /* 2050-01-15: the footer's rule */
	{ "America/New_York", 2540289600, -14400, "EDT", 2530767600 },  /* 2050-07-01, since 2050-03-13 07:00Z */
	{ "America/New_York", -5364662400, -17762, "LMT", INT64_MIN },  /* 1800: before the first transition */
	{ "Australia/Sydney", 2525860800, 39600, "AEDT", INT64_MAX },   /* southern summer, past the data */
	{ "Australia/Sydney", 2540289600, 36000, "AEST", INT64_MAX },
	{ "Asia/Tokyo", 2540289600, 32400, "JST", INT64_MAX },
	{ "Europe/Berlin", 2216249999, 3600, "CET", INT64_MAX },        /* 2040-03-25 00:59:59Z */
	{ "Europe/Berlin", 2216250000, 7200, "CEST", 2216250000 },      /* 01:00:00Z: summer time */
};

START_TEST(test_zone)
{
	const struct zone_case *c = &zone_cases[_i];
	struct gitops_zone *z = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *abbr = NULL;
	int64_t start;
	int32_t off;

	ck_assert_msg(gitops_zone_load(&z, c->zone, &err) == 0, "%s: %s", c->zone, err.msg);
	off = gitops_zone_offset(z, c->t, &start, &abbr);
	ck_assert_msg(off == c->off, "%s at %lld: %d", c->zone, (long long)c->t, off);
	ck_assert_str_eq(abbr, c->abbr);
	ck_assert(start <= c->t);
	if (c->start != INT64_MAX)
		ck_assert_msg(start == c->start, "%s: start %lld", c->zone, (long long)start);
	/* the offset holds from start to t */
	if (start != INT64_MIN)
		ck_assert_int_eq(gitops_zone_offset(z, start, NULL, &abbr), off);
	gitops_zone_free(z);
}
END_TEST

START_TEST(test_zone_bad)
{
	static const char *const bad[] = { "../etc/passwd", "/etc/localtime", "\\x", "Nowhere/Atlantis", "zone.tab" };
	struct gitops_zone *z = (struct gitops_zone *)1;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gitops_err err = GITOPS_ERR_INIT;

		ck_assert_int_eq(gitops_zone_load(&z, bad[i], &err), -1);
		ck_assert_ptr_null(z);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
		ck_assert_msg(strstr(err.msg, bad[i]) != NULL, "%s", err.msg);
	}
	gitops_zone_free(NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("time");
	TCase *tc = tcase_create("time");

	tcase_add_test(tc, test_calendar);
	tcase_add_loop_test(tc, test_rfc3339, 0, sizeof(rfc_cases) / sizeof(rfc_cases[0]));
	tcase_add_loop_test(tc, test_zone, 0, sizeof(zone_cases) / sizeof(zone_cases[0]));
	tcase_add_test(tc, test_zone_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
