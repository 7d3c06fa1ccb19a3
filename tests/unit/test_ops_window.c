/* Unit tests for lib/ops/window.c: Argo CD's sync windows at fixed instants. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ops/window.h"
#include "tests/unit/check_main.h"

/* 2026-11-30 is a Monday */
#define T(h, m, s) ((time_t)1795996800 + (h) * 3600 + (m) * 60 + (s))   /* 2026-11-30 hh:mm:ss UTC */
#define DAY 86400

static const struct allow_case {
	const char *windows;   /* JSON array */
	const char *app, *ns, *cluster;
	time_t now;
	int manual;
	int want;
	const char *why;       /* a substring of the reason, or NULL */
} allow_cases[] = {
	/* no windows at all, or none for this application */
	{ "[]", "web", "web", NULL, T(2, 30, 0), 0, 1, "no sync window applies" },
	{ "null", "web", "web", NULL, T(2, 30, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"api\"]}]",
	  "web", "web", NULL, T(2, 30, 0), 0, 1, "no sync window applies" },
	/* a deny window: (start, start + duration], both ends as the header says */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(2, 30, 0), 0, 0, "deny window 0 (0 2 * * *, 1h) active until 03:00 UTC" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(2, 0, 0), 0, 0, "active until 03:00 UTC" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(1, 59, 59), 0, 1, "no active deny window" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(2, 59, 59), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(3, 0, 0), 0, 1, NULL },
	/* the previous day's window, still open past midnight */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 22 * * *\",\"duration\":\"8h\",\"namespaces\":[\"prod-*\"]}]",
	  "web", "prod-eu", NULL, T(5, 0, 0), 0, 0, "active until 06:00 UTC" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 22 * * *\",\"duration\":\"8h\",\"namespaces\":[\"prod-*\"]}]",
	  "web", "staging", NULL, T(5, 0, 0), 0, 1, NULL },
	/* manual syncs through a deny window: only when every active deny has manualSync */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"manualSync\":true}]",
	  "web", "web", NULL, T(2, 30, 0), 1, 1, "manual sync allowed" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"manualSync\":true}]",
	  "web", "web", NULL, T(2, 30, 0), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"manualSync\":false}]",
	  "web", "web", NULL, T(2, 30, 0), 1, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"manualSync\":true},"
	  " {\"kind\":\"deny\",\"schedule\":\"0 1 * * *\",\"duration\":\"3h\",\"applications\":[\"web\"]}]",
	  "web", "web", NULL, T(2, 30, 0), 1, 0, "deny window 1 (0 1 * * *, 3h) active until 04:00 UTC" },
	/* allow windows: only inside one; Mon-Fri 22:00 for 2h */
	{ "[{\"kind\":\"allow\",\"schedule\":\"0 22 * * 1-5\",\"duration\":\"2h\",\"applications\":[\"web\"]}]",
	  "web", "web", NULL, T(22, 30, 0), 0, 1, "allow window 0 (0 22 * * 1-5, 2h) active until 00:00 UTC" },
	{ "[{\"kind\":\"allow\",\"schedule\":\"0 22 * * 1-5\",\"duration\":\"2h\",\"applications\":[\"web\"]}]",
	  "web", "web", NULL, T(23, 59, 59), 0, 1, NULL },
	{ "[{\"kind\":\"allow\",\"schedule\":\"0 22 * * 1-5\",\"duration\":\"2h\",\"applications\":[\"web\"]}]",
	  "web", "web", NULL, T(24, 0, 0), 0, 0, "outside allow window 0 (0 22 * * 1-5, 2h)" },
	{ "[{\"kind\":\"allow\",\"schedule\":\"0 22 * * 1-5\",\"duration\":\"2h\",\"applications\":[\"web\"]}]",
	  "web", "web", NULL, T(22, 30, 0) + 5 * DAY, 0, 0, NULL },   /* Saturday */
	{ "[{\"kind\":\"allow\",\"schedule\":\"0 22 * * MON-FRI\",\"duration\":\"2h\",\"applications\":[\"web\"]}]",
	  "web", "web", NULL, T(22, 30, 0) + 4 * DAY, 0, 1, NULL },   /* Friday */
	{ "[{\"kind\":\"allow\",\"schedule\":\"0 22 * * mon-fri\",\"duration\":\"2h\",\"applications\":[\"web\"]}]",
	  "web", "web", NULL, T(22, 30, 0) + 6 * DAY, 0, 0, NULL },   /* Sunday */
	{ "[{\"kind\":\"allow\",\"schedule\":\"0 22 * * SUN,SAT\",\"duration\":\"2h\",\"applications\":[\"web\"]}]",
	  "web", "web", NULL, T(22, 30, 0) + 6 * DAY, 0, 1, NULL },
	/* manual syncs outside allow windows: when every inactive allow has manualSync */
	{ "[{\"kind\":\"allow\",\"schedule\":\"0 22 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"manualSync\":true}]",
	  "web", "web", NULL, T(12, 0, 0), 1, 1, "manual sync allowed" },
	{ "[{\"kind\":\"allow\",\"schedule\":\"0 22 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"manualSync\":true}]",
	  "web", "web", NULL, T(12, 0, 0), 0, 0, NULL },
	{ "[{\"kind\":\"allow\",\"schedule\":\"0 22 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"manualSync\":true},"
	  " {\"kind\":\"allow\",\"schedule\":\"0 23 * * *\",\"duration\":\"1h\",\"applications\":[\"web\"]}]",
	  "web", "web", NULL, T(12, 0, 0), 1, 0, "outside allow window 1" },
	/* one active allow is enough, although another allow is inactive */
	{ "[{\"kind\":\"allow\",\"schedule\":\"0 12 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"]},"
	  " {\"kind\":\"allow\",\"schedule\":\"0 23 * * *\",\"duration\":\"1h\",\"applications\":[\"web\"]}]",
	  "web", "web", NULL, T(12, 10, 0), 0, 1, "allow window 0" },
	/* deny wins over an active allow */
	{ "[{\"kind\":\"allow\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"*\"]},"
	  " {\"kind\":\"deny\",\"schedule\":\"0 12 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(12, 10, 0), 0, 0, "deny window 1" },
	{ "[{\"kind\":\"allow\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"*\"]},"
	  " {\"kind\":\"deny\",\"schedule\":\"0 12 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(13, 10, 0), 0, 1, "allow window 0" },
	/* steps, ranges with steps, N/S = N-max/S */
	{ "[{\"kind\":\"deny\",\"schedule\":\"*/15 * * * *\",\"duration\":\"5m\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(10, 14, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"*/15 * * * *\",\"duration\":\"5m\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(10, 16, 0), 0, 0, "active until 10:20 UTC" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"5/20 * * * *\",\"duration\":\"5m\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(10, 46, 0), 0, 0, "active until 10:50 UTC" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"5/20 * * * *\",\"duration\":\"5m\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(10, 4, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 8-18/2 * * *\",\"duration\":\"30m\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(16, 20, 0), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 8-18/2 * * *\",\"duration\":\"30m\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(17, 20, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 8-18/2 * * *\",\"duration\":\"30m\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(20, 20, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0,30 9 * * *\",\"duration\":\"10m\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(9, 35, 0), 0, 0, "active until 09:40 UTC" },
	/* months: December only, by name and by number */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 * DEC *\",\"duration\":\"24h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(12, 0, 0), 0, 1, NULL },           /* 30 November */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 * dec *\",\"duration\":\"24h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(12, 0, 0) + DAY, 0, 0, NULL },     /* 1 December */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 * 11-12 *\",\"duration\":\"24h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(12, 0, 0), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 * JAN-NOV/2 *\",\"duration\":\"24h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(12, 0, 0), 0, 0, NULL },           /* 1,3,...,11 */
	/* day of month and day of week: both restricted = either; one * = both */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 1 * MON\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(0, 10, 0) + DAY, 0, 0, NULL },     /* Tue 1 Dec: the 1st */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 1 * MON\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(0, 10, 0) + 7 * DAY, 0, 0, NULL }, /* Mon 7 Dec: a Monday */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 1 * MON\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(0, 10, 0) + 8 * DAY, 0, 1, NULL }, /* Tue 8 Dec: neither */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 * * MON\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(0, 10, 0) + DAY, 0, 1, NULL },     /* Tue: dom * means "and" */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 ? * MON\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(0, 10, 0) + 7 * DAY, 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 1 * *\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(0, 10, 0) + 7 * DAY, 0, 1, NULL }, /* dow * means "and" */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 1-31 * MON\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(0, 10, 0) + 8 * DAY, 0, 0, NULL }, /* 1-31 is no star: "or" */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 */2 * MON\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(0, 10, 0) + 8 * DAY, 0, 1, NULL }, /* a step of 2 drops the star: 8 Dec is even, a Tuesday */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 */2 * MON\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(0, 10, 0) + 8 * DAY + DAY, 0, 0, NULL }, /* 9 Dec odd */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 */1 * MON\",\"duration\":\"1h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(0, 10, 0) + 8 * DAY, 0, 1, NULL }, /* a step of 1 keeps the star: "and" */
	/* 30 February never comes */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 30 2 *\",\"duration\":\"8760h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(0, 10, 0), 0, 1, NULL },
	/* Go durations */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h30m\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(3, 29, 59), 0, 0, "active until 03:30 UTC" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1.5h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(3, 30, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"90s\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(2, 1, 29), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"90s\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(2, 1, 30), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"500ms\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(2, 0, 0), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"500ms\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(2, 0, 1), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 1 * *\",\"duration\":\"48h\",\"applications\":[\"*\"]}]",
	  "web", "web", NULL, T(12, 0, 0) + DAY, 0, 0, "active until 2026-12-03 02:00 UTC" },
	/* globs */
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"web-*\"]}]",
	  "web-eu", "x", NULL, T(2, 0, 0), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"web-*\"]}]",
	  "web", "x", NULL, T(2, 0, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"api-{eu,us}\"]}]",
	  "api-us", "x", NULL, T(2, 0, 0), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"api-{eu,us}\"]}]",
	  "api-asia", "x", NULL, T(2, 0, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"db?\"]}]",
	  "db1", "x", NULL, T(2, 0, 0), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"db?\"]}]",
	  "db12", "x", NULL, T(2, 0, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"[!p]*\"]}]",
	  "prod", "x", NULL, T(2, 0, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"[a-m]*\"]}]",
	  "cache", "x", NULL, T(2, 0, 0), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"a\\\\*\"]}]",
	  "ab", "x", NULL, T(2, 0, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"a\\\\*\"]}]",
	  "a*", "x", NULL, T(2, 0, 0), 0, 0, NULL },
	/* clusters match only through allow_dest; andOperator needs every list */
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"clusters\":[\"prod-*\"]}]",
	  "web", "web", "prod-eu", T(2, 0, 0), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"clusters\":[\"prod-*\"]}]",
	  "web", "web", NULL, T(2, 0, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"web\"],"
	  "\"namespaces\":[\"prod\"],\"andOperator\":true}]",
	  "web", "staging", NULL, T(2, 0, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"web\"],"
	  "\"namespaces\":[\"prod\"],\"andOperator\":true}]",
	  "web", "prod", NULL, T(2, 0, 0), 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"web\"],"
	  "\"namespaces\":[\"prod\"]}]",
	  "web", "staging", NULL, T(2, 0, 0), 0, 0, NULL },
	/* Europe/Berlin: CET (+1) in winter, CEST (+2) in summer, the footer's rule after 2037 */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"timeZone\":\"Europe/Berlin\"}]",
	  "web", "web", NULL, T(1, 30, 0), 0, 0, "active until 03:00 CET" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"timeZone\":\"Europe/Berlin\"}]",
	  "web", "web", NULL, T(2, 30, 0), 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"timeZone\":\"Europe/Berlin\"}]",
	  "web", "web", NULL, (time_t)1782865800 /* 2026-07-01 00:30Z */, 0, 0, "active until 03:00 CEST" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"timeZone\":\"Europe/Berlin\"}]",
	  "web", "web", NULL, (time_t)1782865800 + 3600, 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"timeZone\":\"Europe/Berlin\"}]",
	  "web", "web", NULL, (time_t)2224715400 /* 2040-07-01 00:30Z */, 0, 0, "active until 03:00 CEST" },
	/* 29 March 2026: 02:30 does not exist in Berlin; 25 October: it comes twice */
	{ "[{\"kind\":\"deny\",\"schedule\":\"30 2 * * *\",\"duration\":\"2h\",\"applications\":[\"*\"],\"timeZone\":\"Europe/Berlin\"}]",
	  "web", "web", NULL, (time_t)1774748700 /* 2026-03-29 01:45Z = 03:45 CEST */, 0, 1, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"30 2 * * *\",\"duration\":\"30m\",\"applications\":[\"*\"],\"timeZone\":\"Europe/Berlin\"}]",
	  "web", "web", NULL, (time_t)1792889100 /* 2026-10-25 00:45Z = 02:45 CEST */, 0, 0, NULL },
	{ "[{\"kind\":\"deny\",\"schedule\":\"30 2 * * *\",\"duration\":\"30m\",\"applications\":[\"*\"],\"timeZone\":\"Europe/Berlin\"}]",
	  "web", "web", NULL, (time_t)1792892700 /* 2026-10-25 01:45Z = 02:45 CET */, 0, 0, "active until 03:00 CET" },
	/* the southern hemisphere after 2037 (the footer's rule wraps the year) and a zone without DST */
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"timeZone\":\"Australia/Sydney\"}]",
	  "web", "web", NULL, (time_t)2224715400 - 8 * 3600 /* 2040-06-30 16:30Z = 02:30 AEST */, 0, 0, "03:00 AEST" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"timeZone\":\"Australia/Sydney\"}]",
	  "web", "web", NULL, (time_t)2240494200 /* 2040-12-30 15:30Z = 02:30 AEDT */, 0, 0, "03:00 AEDT" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"timeZone\":\"Asia/Kolkata\"}]",
	  "web", "web", NULL, T(21, 0, 0) - DAY /* 29 Nov 21:00Z = 02:30 IST */, 0, 0, "03:00 IST" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 2 * * *\",\"duration\":\"1h\",\"applications\":[\"*\"],\"timeZone\":\"UTC\"}]",
	  "web", "web", NULL, T(2, 30, 0), 0, 0, "03:00 UTC" },
};

START_TEST(test_allow)
{
	const struct allow_case *c = &allow_cases[_i];
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_ops_windows *w = NULL;
	cJSON *j = cJSON_Parse(c->windows);
	char why[256];
	int got;

	ck_assert_msg(j != NULL, "case %d: bad JSON", _i);
	ck_assert_msg(gitops_ops_windows_parse(&w, j, &err) == 0, "case %d: %s", _i, err.msg);
	got = gitops_ops_windows_allow_dest(w, c->app, c->ns, c->cluster, c->now, c->manual, why, sizeof(why));
	ck_assert_msg(got == c->want, "case %d (%s at %lld): got %d (%s), want %d", _i, c->windows,
		      (long long)c->now, got, why, c->want);
	if (c->why)
		ck_assert_msg(strstr(why, c->why) != NULL, "case %d: why \"%s\" lacks \"%s\"", _i, why, c->why);
	if (!c->cluster) {
		char why2[256];

		ck_assert_int_eq(gitops_ops_windows_allow(w, c->app, c->ns, c->now, c->manual, why2, sizeof(why2)), got);
		ck_assert_str_eq(why2, why);
	}
	gitops_ops_windows_free(w);
	cJSON_Delete(j);
}
END_TEST

static const struct {
	const char *windows;
	const char *msg;   /* exact */
} bad_cases[] = {
	{ "{}", "syncWindows: must be a list of windows" },
	{ "[1]", "syncWindows[0]: must be an object" },
	{ "[{\"kind\":\"allow\",\"schedule\":\"* * * * *\",\"duration\":\"1h\"},"
	  " {\"kind\":\"maybe\",\"schedule\":\"* * * * *\",\"duration\":\"1h\"}]",
	  "syncWindows[1].kind: kind 'maybe' mismatch: can only be allow or deny" },
	{ "[{\"schedule\":\"* * * * *\",\"duration\":\"1h\"}]", "syncWindows[0].kind: missing" },
	{ "[{\"kind\":\"deny\",\"duration\":\"1h\"}]", "syncWindows[0].schedule: missing" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"61 * * * *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '61 * * * *': end of range (61) above maximum (59): 61" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 24 * * *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '0 24 * * *': end of range (24) above maximum (23): 24" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 0 * *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '0 0 0 * *': beginning of range (0) below minimum (1): 0" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 * * 7\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '0 0 * * 7': end of range (7) above maximum (6): 7" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 0 * FOO *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '0 0 * FOO *': failed to parse int from FOO: invalid syntax" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"5-1 * * * *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '5-1 * * * *': beginning of range (5) beyond end of range (1): 5-1" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"*/0 * * * *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '*/0 * * * *': step of range should be a positive number: */0" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"1-2-3 * * * *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '1-2-3 * * * *': too many hyphens: 1-2-3" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"*/2/3 * * * *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '*/2/3 * * * *': too many slashes: */2/3" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"-1 * * * *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '-1 * * * *': failed to parse int from : invalid syntax" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '* * * *': expected exactly 5 fields, found 4: * * * *" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"0 * * * * *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '0 * * * * *': expected exactly 5 fields, found 6: 0 * * * * *" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"@daily\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '@daily': parser does not accept descriptors: @daily" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule '': empty spec string" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1x\"}]",
	  "syncWindows[0].duration: cannot parse duration '1x': a Go duration such as 1h, 30m or 1h30m" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"60\"}]",
	  "syncWindows[0].duration: cannot parse duration '60': a Go duration such as 1h, 30m or 1h30m" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"-1h\"}]",
	  "syncWindows[0].duration: '-1h' must be longer than 0" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"0\"}]",
	  "syncWindows[0].duration: '0' must be longer than 0" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"9999999999h\"}]",
	  "syncWindows[0].duration: cannot parse duration '9999999999h': a Go duration such as 1h, 30m or 1h30m" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":1}]",
	  "syncWindows[0].duration: must be a string, not a number" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"timeZone\":\"Mars/Olympus\"}]",
	  "syncWindows[0].timeZone: unknown time zone \"Mars/Olympus\" (no /usr/share/zoneinfo/Mars/Olympus)" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"timeZone\":\"../../etc/passwd\"}]",
	  "syncWindows[0].timeZone: unknown time zone \"../../etc/passwd\"" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"timeZone\":\"/etc/localtime\"}]",
	  "syncWindows[0].timeZone: unknown time zone \"/etc/localtime\"" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"timeZone\":\"zone.tab\"}]",
	  "syncWindows[0].timeZone: unknown time zone \"zone.tab\"" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"manualSync\":\"yes\"}]",
	  "syncWindows[0].manualSync: must be true or false" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":\"web\"}]",
	  "syncWindows[0].applications: must be a list of strings" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"namespaces\":[\"a\",2]}]",
	  "syncWindows[0].namespaces[1]: must be a string" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"clusters\":[\"[abc\"]}]",
	  "syncWindows[0].clusters[0]: bad glob \"[abc\"" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"applications\":[\"{a,b\"]}]",
	  "syncWindows[0].applications[0]: bad glob \"{a,b\"" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"* * * * *\",\"duration\":\"1h\",\"application\":[\"web\"]}]",
	  "syncWindows[0]: unknown field \"application\"" },
	{ "[{\"kind\":\"deny\",\"schedule\":\"TZ=UTC * * * * *\",\"duration\":\"1h\"}]",
	  "syncWindows[0].schedule: cannot parse schedule 'TZ=UTC * * * * *': a time zone in the schedule is not supported: use the window's timeZone" },
};

START_TEST(test_bad)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_ops_windows *w = (struct gitops_ops_windows *)1;
	cJSON *j = cJSON_Parse(bad_cases[_i].windows);

	ck_assert_msg(j != NULL, "case %d: bad JSON", _i);
	ck_assert_int_eq(gitops_ops_windows_parse(&w, j, &err), -1);
	ck_assert_ptr_null(w);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_str_eq(err.msg, bad_cases[_i].msg);
	cJSON_Delete(j);
}
END_TEST

/* every field Argo CD knows is accepted, and the count is kept */
START_TEST(test_all_fields)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_ops_windows *w = NULL;
	cJSON *j = cJSON_Parse("[{\"kind\":\"allow\",\"schedule\":\"0 9 * * MON-FRI\",\"duration\":\"8h\","
			       "\"applications\":[\"*\"],\"namespaces\":[],\"clusters\":null,\"manualSync\":true,"
			       "\"timeZone\":\"America/New_York\",\"andOperator\":false,\"description\":\"office hours\","
			       "\"syncOverrun\":true},"
			       "{\"kind\":\"deny\",\"schedule\":\"0 0 25 12 *\",\"duration\":\"24h\",\"applications\":[\"*\"]}]");
	char why[128];

	ck_assert_int_eq(gitops_ops_windows_parse(&w, j, &err), 0);
	ck_assert_uint_eq(gitops_ops_windows_count(w), 2);
	/* Monday 30 Nov 2026 15:00Z = 10:00 EST: inside office hours */
	ck_assert_int_eq(gitops_ops_windows_allow(w, "web", "web", T(15, 0, 0), 0, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "allow window 0 (0 9 * * MON-FRI, 8h) active until 17:00 EST");
	/* 13:00Z = 08:00 EST: before them */
	ck_assert_int_eq(gitops_ops_windows_allow(w, "web", "web", T(13, 0, 0), 0, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "outside allow window 0 (0 9 * * MON-FRI, 8h)");
	ck_assert_int_eq(gitops_ops_windows_allow(w, "web", "web", T(13, 0, 0), 1, why, sizeof(why)), 1);
	/* a NULL or tiny why buffer is fine */
	ck_assert_int_eq(gitops_ops_windows_allow(w, "web", NULL, T(13, 0, 0), 0, NULL, 0), 0);
	ck_assert_int_eq(gitops_ops_windows_allow(w, "web", NULL, T(13, 0, 0), 0, why, 4), 0);
	ck_assert_str_eq(why, "out");
	gitops_ops_windows_free(w);
	gitops_ops_windows_free(NULL);
	ck_assert_int_eq(gitops_ops_windows_allow(NULL, "web", NULL, T(13, 0, 0), 0, why, sizeof(why)), 1);
	cJSON_Delete(j);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ops_window");
	TCase *tc = tcase_create("windows");

	tcase_add_loop_test(tc, test_allow, 0, sizeof(allow_cases) / sizeof(allow_cases[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_all_fields);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
