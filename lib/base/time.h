/*
 * time.h: dates and zones as Go's time package computes them, one copy for
 * the whole library: the proleptic Gregorian calendar in days since
 * 1970-01-01, RFC 3339 timestamps as time.Parse(time.RFC3339) reads them
 * (metav1.Time, MicroTime, ExecCredential expiry), and IANA zones read from
 * the system's TZif files (RFC 8536) with their footer's POSIX TZ rule, as
 * LoadLocation and Time.In resolve them.
 *
 * Calendar arithmetic wraps as Go's int64 does instead of overflowing.
 * A zone is allocated by gitops_zone_load and freed by gitops_zone_free;
 * the abbreviation gitops_zone_offset hands back lives as long as the zone.
 * Uses nothing but buf.h and err.h.
 */
#ifndef GITOPS_TIME_H
#define GITOPS_TIME_H

#include <stdint.h>

#include "lib/base/err.h"

/* a / b rounded towards minus infinity (b > 0) */
int64_t gitops_floordiv(int64_t a, int64_t b);

/* Days since 1970-01-01 of year y, month m (1-12), day d; and back. */
int64_t gitops_days_from_civil(int64_t y, int m, int d);
void gitops_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

int gitops_is_leap(int64_t y);

/* days in month m (1-12) of year y */
int gitops_month_days(int64_t y, int m);

/* the weekday of a day since 1970-01-01: 0 = Sunday */
int gitops_weekday(int64_t days);

/*
 * An RFC 3339 time as Go's time.Parse(time.RFC3339, s) reads it:
 * YYYY-MM-DDTHH:MM:SS, an optional fraction ('.' or ',' and digits, the first
 * nine kept), then 'Z' or +hh:mm / -hh:mm; the day checked against its month.
 * Seconds since the epoch into *sec, nanoseconds into *nsec (either may be
 * NULL). 0, or -1 when s is no such time.
 */
int gitops_time_rfc3339(const char *s, int64_t *sec, int32_t *nsec);

/* the Unix seconds of Go's zero time, 0001-01-01T00:00:00Z */
#define GITOPS_TIME_ZERO_SEC (-62135596800LL)

struct gitops_zone;

/*
 * The zone `name` as LoadLocation finds it: "" and "UTC" are UTC; else the
 * file /usr/share/zoneinfo/NAME (names with "..", or starting with '/' or
 * '\\', refused). 0, or -1 with err set: "unknown time zone", or a file
 * that is no valid TZif file.
 */
int gitops_zone_load(struct gitops_zone **out, const char *name, struct gitops_err *err);

/*
 * The offset east of UTC (seconds) the zone gives at Unix time t, as Go's
 * Location.lookup: the transition in effect (before the first one, Go's
 * lookupFirstZone), and past the last one the footer's TZ rule when it
 * reads. *abbr: the zone's abbreviation ("CET"). *start (may be NULL): an
 * instant at or before t from which the offset held without change.
 */
int32_t gitops_zone_offset(const struct gitops_zone *z, int64_t t, int64_t *start, const char **abbr);

void gitops_zone_free(struct gitops_zone *z);

#endif
