/* gitops-sync: applications synced from Git, for cron; their status, history, rollback */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/tool/cli.h"
#include "cmd/tool/synclog.h"
#include "lib/ops/app.h"
#include "lib/ops/run.h"
#include "lib/ops/state.h"
#include "lib/ops/status.h"

static const char usage[] =
	"gitops-sync [options] -f FILE... [APP...]\n"
	"gitops-sync [options] --repo URL [--ref REF] [--path PATH] --applyset NAME -n NAMESPACE\n"
	"gitops-sync status [-f FILE] [-o json] [--refresh]\n"
	"gitops-sync history APP\n"
	"gitops-sync suspend APP\n"
	"gitops-sync resume APP\n"
	"gitops-sync rollback -f FILE APP [--to REVISION | --steps N]";

static const char help[] =
	"Sync applications from Git to the cluster, as Argo CD's automated syncs do: for each\n"
	"application of the files (Argo CD's Application documents), gitops-fetch, gitops-render,\n"
	"gitops-apply --prune --applyset APP --force-conflicts --wait.  Without APP, every\n"
	"automated application runs; named ones run even when manual or suspended.  One run at a\n"
	"time per application (a lock: exit 11), each run recorded in the state directory, every\n"
	"line on standard error with a UTC timestamp and the application.\n"
	"\n"
	"options:\n"
	"  -f, --filename FILE     an application file or a directory of them; repeatable\n"
	"  -j, --jobs N            applications synced side by side at most (default 4)\n"
	"      --state-dir DIR     records, history and locks (default $XDG_STATE_HOME/gitops-sync,\n"
	"                          else ~/.local/state/gitops-sync)\n"
	"      --kubeconfig FILE   kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)\n"
	"      --context NAME      kubeconfig context (an application's destination.context wins)\n"
	"      --request-timeout DURATION  gitops-apply's and gitops-diff's (default 30s)\n"
	"      --timeout DURATION  for the health wait (default 5m)\n"
	"      --no-wait           do not wait for health\n"
	"      --if-changed        do nothing when the commit (a chart: its version) is the one\n"
	"                          last synced (no self-heal)\n"
	"      --dry-run           fetch, render and diff only; change nothing; exit 1 when out of sync\n"
	"      --refresh           status: diff each application of -f now (a dry run) first\n"
	"      --on-failure CMD, --on-degraded CMD, --on-sync CMD  run CMD (/bin/sh -c) after a\n"
	"                          failed run, a Degraded application, a sync that changed\n"
	"                          something: the record in GITOPS_* variables and on stdin\n"
	"      --metrics-file FILE every record as Prometheus metrics, written atomically after\n"
	"                          the run (node_exporter's textfile collector)\n"
	"      --to REVISION       rollback: this revision of the history (a chart's: its version)\n"
	"      --steps N           rollback: N successful revisions back (default 1)\n"
	"the old flags, one application (its lock and commit in STATE/NAMESPACE_NAME.*):\n"
	"      --repo URL, --ref REF, --path PATH, --applyset NAME, -n, --namespace NS\n"
	"  -o, --output FORMAT     status, history: yaml (the table, the default) or json\n"
	"  -q, --quiet             no warnings\n"
	"  -v, --verbose           more detail\n"
	"      --color[=WHEN]      accepted for symmetry with the other programs\n"
	"  -h, --help              show this help\n"
	"  -V, --version           show the version\n";

enum { OPT_STATE = 300, OPT_KUBECONFIG, OPT_CONTEXT, OPT_RTIMEOUT, OPT_TIMEOUT, OPT_NO_WAIT, OPT_IF_CHANGED,
       OPT_DRY_RUN, OPT_REFRESH, OPT_TO, OPT_STEPS, OPT_REPO, OPT_REF, OPT_PATH, OPT_APPLYSET, OPT_ON_FAILURE,
       OPT_ON_DEGRADED, OPT_ON_SYNC, OPT_METRICS };

static const struct option longopts[] = {
	{ "filename", required_argument, NULL, 'f' }, { "jobs", required_argument, NULL, 'j' },
	{ "namespace", required_argument, NULL, 'n' }, { "state-dir", required_argument, NULL, OPT_STATE },
	{ "kubeconfig", required_argument, NULL, OPT_KUBECONFIG }, { "context", required_argument, NULL, OPT_CONTEXT },
	{ "request-timeout", required_argument, NULL, OPT_RTIMEOUT }, { "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "no-wait", no_argument, NULL, OPT_NO_WAIT }, { "if-changed", no_argument, NULL, OPT_IF_CHANGED },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN }, { "refresh", no_argument, NULL, OPT_REFRESH },
	{ "to", required_argument, NULL, OPT_TO }, { "steps", required_argument, NULL, OPT_STEPS },
	{ "repo", required_argument, NULL, OPT_REPO }, { "ref", required_argument, NULL, OPT_REF },
	{ "path", required_argument, NULL, OPT_PATH }, { "applyset", required_argument, NULL, OPT_APPLYSET },
	{ "on-failure", required_argument, NULL, OPT_ON_FAILURE }, { "on-degraded", required_argument, NULL, OPT_ON_DEGRADED },
	{ "on-sync", required_argument, NULL, OPT_ON_SYNC }, { "metrics-file", required_argument, NULL, OPT_METRICS },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	const char *files[64];
	size_t nfiles;
	int jobs, refresh, steps;
	const char *state, *to, *repo, *ref, *path, *applyset, *ns, *metrics;
	struct gitops_ops_sync_options sync;
	struct gitops_ops_apps apps;
	const struct gitops_ops_app *todo[1024];
	size_t ntodo;
};

static int on_option(struct gitops_cli *cli, int opt, const char *arg, void *ctx)
{
	struct opts *o = ctx;
	char *end;

	switch (opt) {
	case 'f':
		if (o->nfiles == sizeof(o->files) / sizeof(*o->files))
			return gitops_cli_usage_error(cli, "too many -f options");
		o->files[o->nfiles++] = arg;
		return 0;
	case 'j': case OPT_STEPS: {
		long v = strtol(arg, &end, 10);
		if (!*arg || *end || v < 1 || v > 256)
			return gitops_cli_usage_error(cli, "%s takes a number from 1 to 256, not '%s'",
						      opt == 'j' ? "-j" : "--steps", arg);
		*(opt == 'j' ? &o->jobs : &o->steps) = (int)v;
		return 0;
	}
	case 'n': o->ns = arg; return 0;
	case OPT_STATE: o->state = arg; return 0;
	case OPT_KUBECONFIG: o->sync.kubeconfig = arg; return 0;
	case OPT_CONTEXT: o->sync.context = arg; return 0;
	case OPT_RTIMEOUT: o->sync.request_timeout = arg; return 0;
	case OPT_TIMEOUT: o->sync.timeout = arg; return 0;
	case OPT_NO_WAIT: o->sync.no_wait = 1; return 0;
	case OPT_IF_CHANGED: o->sync.if_changed = 1; return 0;
	case OPT_DRY_RUN: o->sync.dry_run = 1; return 0;
	case OPT_REFRESH: o->refresh = 1; return 0;
	case OPT_TO: o->to = arg; return 0;
	case OPT_REPO: o->repo = arg; return 0;
	case OPT_REF: o->ref = arg; return 0;
	case OPT_PATH: o->path = arg; return 0;
	case OPT_APPLYSET: o->applyset = arg; return 0;
	case OPT_ON_FAILURE: o->sync.on_failure = arg; return 0;
	case OPT_ON_DEGRADED: o->sync.on_degraded = arg; return 0;
	case OPT_ON_SYNC: o->sync.on_sync = arg; return 0;
	case OPT_METRICS: o->metrics = arg; return 0;
	}
	return gitops_cli_usage_error(cli, "unknown option");
}

static int run_all(struct gitops_cli *cli, struct opts *o)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	static int st[1024];
	int code = gitops_ops_sync_apps(st, o->todo, o->ntodo, o->jobs, &o->sync, &err);

	return code < 0 ? gitops_cli_fail(cli, &err) : code;
}

static int cmd_status(struct gitops_cli *cli, struct opts *o)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	static const char *names[1024];
	int code;

	for (size_t i = 0; i < o->apps.n && i < 1024; i++)
		names[i] = o->apps.v[i].name;
	if (o->refresh) {
		if (!o->nfiles)
			return gitops_cli_usage_error(cli, "--refresh needs the applications' files (-f FILE)");
		o->sync.dry_run = o->sync.manual = 1;
		for (size_t i = 0; i < o->apps.n && o->ntodo < 1024; i++)
			o->todo[o->ntodo++] = &o->apps.v[i];
		code = run_all(cli, o);
		if (code && code != GITOPS_EXIT_DIFFERENT && code != GITOPS_EXIT_BUSY)
			return code;
	}
	code = gitops_ops_status(&b, cli->format == GITOPS_FORMAT_JSON, o->sync.state_dir, o->nfiles ? names : NULL,
				 o->apps.n < 1024 ? o->apps.n : 1024, &err);
	if (code < 0)
		code = gitops_cli_fail(cli, &err);
	else if (fputs(b.data ? b.data : "", stdout) < 0)
		code = GITOPS_EXIT_IO;
	gitops_buf_release(&b);
	return code;
}

/* history, suspend, resume, rollback of APP */
static int cmd_app(struct gitops_cli *cli, struct opts *o, const char *sub, const char *name)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	cJSON *hist = NULL;
	int code = 0;

	if (!gitops_ops_app_name_valid(name))
		return gitops_cli_usage_error(cli, "'%s' is no application name", name);
	if (!strcmp(sub, "history")) {
		if (gitops_ops_state_history(&hist, o->sync.state_dir, name, &err) < 0)
			return gitops_cli_fail(cli, &err);
		if (cli->format == GITOPS_FORMAT_JSON)
			return gitops_cli_print_json(hist) < 0 ? GITOPS_EXIT_IO : 0;
		code = gitops_ops_history_table(&b, hist) < 0 || fputs(b.data, stdout) < 0 ? GITOPS_EXIT_IO : 0;
	} else if (!strcmp(sub, "rollback")) {
		const struct gitops_ops_app *app = gitops_ops_apps_find(&o->apps, name);
		if (!app)
			return gitops_cli_usage_error(cli, "rollback needs the application's file: no %s in -f", name);
		if ((code = gitops_ops_rollback(app, o->to, o->steps, &o->sync, &err)) < 0)
			code = gitops_cli_fail(cli, &err);
	} else {
		int suspend = !strcmp(sub, "suspend");
		code = gitops_ops_state_suspend(o->sync.state_dir, name, suspend, &err);
		if (code < 0)
			return gitops_cli_fail(cli, &err);
		if (!code)
			return gitops_cli_error(cli, GITOPS_EXIT_BUSY, "a sync of %s is running; try again", name);
		code = 0;
		gitops_synclog_line((void *)name, suspend ? "suspended: automated syncs skip it until resume"
					       : "resumed: automated syncs run again");
	}
	cJSON_Delete(hist);
	gitops_buf_release(&b);
	return code;
}

int main(int argc, char **argv)
{
	static struct opts o;
	struct gitops_cli cli;
	struct gitops_err err = GITOPS_ERR_INIT;
	static char state[4096];
	static struct gitops_ops_single single;
	char *dir = NULL;
	const char *sub = NULL;
	int ret;

	gitops_cli_init(&cli, "gitops-sync", usage, help);
	o.jobs = 4;
	if ((ret = gitops_cli_parse(&cli, argc, argv, "f:j:n:", longopts, on_option, &o)) >= 0)
		return ret;
	if (cli.optind < argc && (!strcmp(argv[cli.optind], "status") || !strcmp(argv[cli.optind], "history") ||
				  !strcmp(argv[cli.optind], "suspend") || !strcmp(argv[cli.optind], "resume") ||
				  !strcmp(argv[cli.optind], "rollback")))
		sub = argv[cli.optind++];
	if (sub && strcmp(sub, "status") && argc - cli.optind != 1)
		return gitops_cli_usage_error(&cli, "%s takes one application", sub);
	if (!sub && !o.repo && !o.nfiles)
		return gitops_cli_usage_error(&cli, "give the applications' files (-f FILE), or --repo");
	if (o.repo && (!o.applyset || !o.ns || o.nfiles || cli.optind < argc))
		return gitops_cli_usage_error(&cli, "--repo needs --applyset NAME and -n NAMESPACE, and no -f or APP");
	if (gitops_ops_state_dir(&dir, o.state, &err) < 0)
		return gitops_cli_fail(&cli, &err);
	snprintf(state, sizeof(state), "%s", dir);
	free(dir);
	o.sync.state_dir = state;
	gitops_ops_programs_find(&o.sync.bin);
	o.sync.log = gitops_synclog_line;
	if (gitops_ops_state_init(state, &err) < 0)
		return gitops_cli_fail(&cli, &err);
	for (size_t i = 0; i < o.nfiles; i++)
		if (gitops_ops_apps_load(&o.apps, o.files[i], gitops_synclog_warning, &cli, &err) < 0) {
			gitops_synclog_line("gitops-sync: error", err.msg);
			return err.code;
		}
	if (o.apps.n > 1024) { /* the bound of one run's tables: refused, never cut short */
		gitops_err_set(&err, GITOPS_EXIT_INPUT, "%zu applications in the files given: at most 1024 a run",
			       o.apps.n);
		gitops_synclog_line("gitops-sync: error", err.msg);
		return err.code;
	}
	if (sub && !strcmp(sub, "status"))
		ret = cli.optind < argc ? gitops_cli_usage_error(&cli, "status takes no application") : cmd_status(&cli, &o);
	else if (sub)
		ret = cmd_app(&cli, &o, sub, argv[cli.optind]);
	else if (o.repo) {
		/* the old flags: one application, its lock and commit file as before */
		gitops_ops_single_init(&single, &o.sync, o.repo, o.ref, o.path, o.applyset, o.ns);
		o.todo[o.ntodo++] = &single.app;
		ret = run_all(&cli, &o);
	} else {
		for (int i = cli.optind; i < argc; i++) {
			const struct gitops_ops_app *a = gitops_ops_apps_find(&o.apps, argv[i]);
			if (!a)
				return gitops_cli_usage_error(&cli, "no application %s in the files given", argv[i]);
			size_t j = 0;
			while (j < o.ntodo && o.todo[j] != a) /* each once */
				j++;
			if (j == o.ntodo && o.ntodo < 1024)
				o.todo[o.ntodo++] = a;
			o.sync.manual = 1;
		}
		for (size_t i = 0; cli.optind == argc && i < o.apps.n && o.ntodo < 1024; i++)
			if (o.apps.v[i].automated)
				o.todo[o.ntodo++] = &o.apps.v[i];
		ret = run_all(&cli, &o);
	}
	if (o.metrics && gitops_ops_status_metrics(o.metrics, state, &err) < 0) { /* every record, after the run */
		gitops_cli_fail(&cli, &err);
		ret = ret ? ret : err.code;
	}
	gitops_ops_apps_release(&o.apps);
	return ret;
}
