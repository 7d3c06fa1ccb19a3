/*
 * synclog.h: gitops-sync's log on standard error, for cron: every line
 * "2026-11-30T22:00:00Z WHO: MESSAGE", written whole in one write(2) so that
 * applications synced side by side never mix their lines.
 */
#ifndef GITOPS_TOOL_SYNCLOG_H
#define GITOPS_TOOL_SYNCLOG_H

/* One line for WHO (ctx: a string, the application or "gitops-sync"). */
void gitops_synclog_line(void *who, const char *msg);
/* "gitops-sync: warning: MESSAGE", unless -q (ctx: the struct gitops_cli). */
void gitops_synclog_warning(void *cli, const char *msg);

#endif
