/*
 * semver.h: semantic versions (semver 2.0 precedence) and version ranges as
 * Flux's ImagePolicy and Helm accept them (Masterminds/semver v3 syntax).
 *
 * Versions: "1.2.3", "v1.2.3-rc.1+build.5"; a leading 'v' is accepted and
 * missing parts are coerced as Masterminds' NewVersion does ("1.2" is 1.2.0,
 * "2" is 2.0.0).  Numeric identifiers with leading zeros ("01.2.3",
 * "1.2.3-rc.01") are refused, as semver 2.0 says.  Build metadata is kept
 * but ignored for precedence.
 *
 * Ranges: comparators ("=", "!=", ">", ">=", "<", "<=", "~", "~>", "^", or
 * none for "="), separated by blanks or commas (AND), groups separated by
 * "||" (OR); wildcards "x", "X", "*" and missing parts ("1.2", "1.2.x",
 * "1.*"); hyphen ranges ("1.2 - 1.4.5").  A version with a prerelease
 * ("1.3.0-rc.1") matches an AND group only if one of the group's
 * comparators names a prerelease itself (">=1.3.0-0"): prereleases are
 * excluded unless the range asks for them.
 *
 * struct gitops_semver holds no pointers: copy it freely.  A range is
 * allocated by gitops_semver_range_parse and freed by
 * gitops_semver_range_free (NULL is a no-op).
 */
#ifndef GITOPS_SEMVER_H
#define GITOPS_SEMVER_H

#include <stddef.h>
#include <stdint.h>
#include "lib/base/err.h"

#define GITOPS_SEMVER_PART_MAX 128

struct gitops_semver {
	uint64_t major, minor, patch;
	char pre[GITOPS_SEMVER_PART_MAX + 1];    /* prerelease without the '-'; "" for a release */
	char build[GITOPS_SEMVER_PART_MAX + 1];  /* build metadata without the '+'; "" when none */
};

/* 0 and *out filled, or -1 when `s` is not a version (no message: callers skip such tags). */
int gitops_semver_parse(const char *s, struct gitops_semver *out);

/* <0, 0, >0 as a has lower, equal or higher precedence than b (build metadata ignored). */
int gitops_semver_compare(const struct gitops_semver *a, const struct gitops_semver *b);

/* "1.2.3-rc.1+b" into buf (always NUL-terminated). */
void gitops_semver_format(const struct gitops_semver *v, char *buf, size_t size);

struct gitops_semver_range;

/* Parse a range; -1 with GITOPS_EXIT_INPUT and "invalid semver range '...': why" on error. */
int gitops_semver_range_parse(const char *expr, struct gitops_semver_range **out, struct gitops_err *err);
/* 1 when v is in the range, else 0. */
int gitops_semver_range_match(const struct gitops_semver_range *r, const struct gitops_semver *v);
/*
 * The same with the prerelease rule of Masterminds/semver v3.3 as helm 3.17
 * applies it (`helm pull --version`): every comparator refuses a
 * prerelease unless it names one itself, so a version with a prerelease
 * matches an AND group only when each of the group's comparators names a
 * prerelease (">=1.3.0-0" takes 1.3.0-rc.1, ">=1.3.0-0 <2" does not).
 */
int gitops_semver_range_match_each(const struct gitops_semver_range *r, const struct gitops_semver *v);
void gitops_semver_range_free(struct gitops_semver_range *r);

#endif
