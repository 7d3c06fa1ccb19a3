/*
 * window.h: Argo CD's sync windows (AppProject spec.syncWindows), parsed and
 * asked "may a sync run now?".
 *
 * A window is an object with Argo CD's field names:
 *   kind          "allow" | "deny" (required)
 *   schedule      5-field cron "minute hour day-of-month month day-of-week"
 *                 as robfig/cron v3 parses it for Argo CD: *, ?, lists,
 *                 ranges, steps (N/S means N-max/S), month names JAN..DEC and
 *                 day names SUN..SAT in any case; day-of-week 0-6 (0 = Sunday);
 *                 when day-of-month or day-of-week is * (or ?), a day must
 *                 match both fields, else either (robfig's dayMatches)
 *   duration      a Go duration: 1h, 30m, 1h30m, 1.5h, 90s (must be > 0)
 *   applications, namespaces, clusters   lists of globs (gobwas/glob: *, ?,
 *                 [abc], [!abc], [a-z], {a,b}, \ escapes)
 *   manualSync    bool: manual syncs may run although the window blocks
 *   timeZone      IANA name read from /usr/share/zoneinfo (TZif read by lib/base/time,
 *                 its footer rule included; no TZ variable, no tzset(), so it
 *                 is safe beside threads); "" or absent: UTC
 *   andOperator   bool: every non-empty list must match (default: any one)
 *   description, syncOverrun   accepted; syncOverrun has no effect here (a
 *                 sync that has started always runs to its end)
 * Any other field, a wrong type, a bad cron field, duration, kind or zone is
 * a one-line input error naming the window's index and the field.
 *
 * A window matches an application when one of its application globs matches
 * the name, a namespace glob the destination namespace, or a cluster glob the
 * destination cluster (the kubeconfig context), as Argo CD's Matches (all of
 * the non-empty lists with andOperator).  It is active at `now` when a time
 * the schedule fires, in the window's zone, lies in (now - duration, now].
 * (Argo CD's test is "strictly before now": a cron job started at 02:00:00
 * would miss a window that opens at 02:00; the closed end avoids that.)  The
 * schedule's wall-clock times are taken in the zone at each instant, as
 * robfig/cron's Next does (a time skipped by DST does not fire, a repeated
 * one fires twice); Argo CD instead shifts by the zone's offset of today.
 *
 * The rule, as Argo CD's CanSync over the matching windows: none → allowed;
 * an active deny → refused, unless the sync is manual and every active deny
 * has manualSync; else an active allow → allowed; else any (inactive) allow →
 * refused, unless the sync is manual and every inactive allow has manualSync;
 * else allowed.
 *
 * gitops_ops_windows_parse borrows `windows` and gives *out, which the
 * caller frees with gitops_ops_windows_free.  Nothing here prints.
 */
#ifndef GITOPS_OPS_WINDOW_H
#define GITOPS_OPS_WINDOW_H

#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "lib/base/err.h"

struct gitops_ops_windows;  /* opaque */

/* windows: a JSON array of window objects (NULL or null: no windows). 0 or -1. */
int gitops_ops_windows_parse(struct gitops_ops_windows **out, const cJSON *windows, struct gitops_err *err);
void gitops_ops_windows_free(struct gitops_ops_windows *w);

/*
 * 1: a sync may run at `now` (manual: a sync the operator asked for, which
 * manualSync windows allow), 0: not.  `why` (may be NULL) gets a short reason
 * either way, e.g. "deny window 0 (0 2 * * *, 1h) active until 03:00 UTC".
 * ns may be NULL or "".  Cluster globs never match here (no cluster given).
 */
int gitops_ops_windows_allow(const struct gitops_ops_windows *w, const char *app, const char *ns,
			     time_t now, int manual, char *why, size_t whysize);
/* The same with the destination cluster (the kubeconfig context; NULL or "": none). */
int gitops_ops_windows_allow_dest(const struct gitops_ops_windows *w, const char *app, const char *ns,
				  const char *cluster, time_t now, int manual, char *why, size_t whysize);
/* How many windows were parsed. */
size_t gitops_ops_windows_count(const struct gitops_ops_windows *w);

#endif
