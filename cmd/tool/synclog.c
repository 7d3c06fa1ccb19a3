#include "cmd/tool/synclog.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cmd/tool/cli.h"
#include "lib/ops/state.h"

void gitops_synclog_line(void *who, const char *msg)
{
	char line[4096], ts[32];
	int n;

	gitops_ops_time_format(ts, sizeof(ts), time(NULL));
	n = snprintf(line, sizeof(line) - 1, "%s %s: %s", ts, (const char *)who, msg);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(2, line, (size_t)n);
}

void gitops_synclog_warning(void *cli, const char *msg)
{
	const struct gitops_cli *c = cli;
	char m[1200];

	if (c->verbosity < 0)
		return;
	snprintf(m, sizeof(m), "warning: %s", msg);
	gitops_synclog_line((void *)c->prog, m);
}
