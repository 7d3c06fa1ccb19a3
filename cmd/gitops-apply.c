/* gitops-apply: server-side apply of a stream, in a safe order, in parallel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sync/apply.h"
#include "lib/base/buf.h"
#include "cmd/tool/cli.h"
#include "cmd/tool/planref.h"
#include "cmd/tool/applyreport.h"
#include "lib/kube/cluster.h"
#include "lib/kube/kube.h"
#include "lib/kube/kube_discovery.h"
#include "lib/kube/kubeconfig.h"
#include "lib/k8s/objset.h"
#include "lib/value/value.h"

static const char usage[] = "gitops-apply [options] [-f FILE]\n"
			    "gitops-apply [options] --plan FILE";

static const char help[] =
	"Sync the objects of a stream (standard input, or FILE) to the cluster with server-side\n"
	"apply, as Argo CD syncs: every object is checked and every kind resolved before anything\n"
	"is sent; then hook phase (PreSync, Sync, PostSync), wave (argocd.argoproj.io/sync-wave)\n"
	"and kind order (Namespaces, CRDs waited for until Established, ..., webhooks last), the\n"
	"requests of one step in parallel.  One line per object, as soon as its result is known:\n"
	"created, configured, unchanged, pruned.  With --applyset, one sync of the set runs at a\n"
	"time (a Lease beside its parent); a prune never deletes an object this sync applied.\n"
	"\n"
	"options:\n"
	"  -f, --filename FILE     read the stream from FILE ('-': standard input, the default)\n"
	"  -n, --namespace NS      namespace for namespaced objects that name none\n"
	GITOPS_CLI_KUBE_HELP
	"      --dry-run=server    ask the server what would happen; change nothing\n"
	"      --force-conflicts   take over fields another field manager owns\n"
	"      --apply-all         also send objects whose managed fields prove the apply a no-op\n"
	"      --field-manager NAME  server-side apply field manager (default gitops)\n"
	"      --applyset NAME     label the objects as members of the ApplySet whose parent is the\n"
	"                          Secret NAME in the -n namespace (kubectl's --applyset)\n"
	"      --prune             delete members of the applyset the stream no longer has (needs\n"
	"                          --applyset and a stream closed by its end-of-stream marker)\n"
	"      --allow-empty       let an empty stream prune every member\n"
	"      --confirm-prune     also prune members annotated Prune=confirm\n"
	"      --lock-timeout DURATION  wait this long for another sync of the applyset to\n"
	"                          finish (default 0: exit 11 at once)\n"
	"      --applyset-tooling NAME/VERSION  what a new parent records (default gitops/VERSION;\n"
	"                          kubectl/VERSION lets kubectl apply --prune use the set too)\n"
	"      --plan FILE         apply exactly what gitops-diff --plan wrote to FILE, with its options,\n"
	"                          or refuse (exit 12, nothing changed) when anything it was made against\n"
	"                          moved: a compared object, a member to prune, the commit of its ref\n"
	"      --cache-dir DIR, --ssh-key FILE, --ssh-known-hosts FILE, --no-ssh-agent, --ca-file FILE,\n"
	"      --netrc-file FILE   how --plan asks the repository, as gitops-fetch(1) takes them\n"
	"      --wait              wait until each wave is healthy before the next one starts\n"
	"      --timeout DURATION  give up waiting after DURATION (30s, 5m, 1h; default 5m)\n"
	"  -o, --output FORMAT     yaml: kubectl's lines (default); json: one record per object\n"
	"  -q, --quiet             no warnings\n"
	"  -v, --verbose           say what is done\n"
	"      --color[=WHEN]      colour messages: always (when WHEN is left out), never,\n"
	"                          or auto (the default: only on a terminal, never with NO_COLOR)\n"
	"  -h, --help              show this help\n"
	"  -V, --version           show the version\n";

enum { OPT_DRY_RUN = 300, OPT_FORCE, OPT_MANAGER, OPT_APPLYSET, OPT_PRUNE, OPT_ALLOW_EMPTY, OPT_TOOLING, OPT_WAIT,
       OPT_TIMEOUT, OPT_APPLY_ALL, OPT_CONFIRM_PRUNE, OPT_LOCK_TIMEOUT, OPT_PLAN, OPT_GIT };

struct opts {
	const char *file, *plan;
	int manager_given;
	struct gitops_git_cache_options cache;
	struct gitops_git_auth auth;
	struct gitops_kube_options kube;
	struct gitops_apply_options apply;
	struct gitops_kube_client_options client;
};

static const struct option longopts[] = {
	{ "filename", required_argument, NULL, 'f' },
	{ "dry-run", optional_argument, NULL, OPT_DRY_RUN },
	{ "force-conflicts", no_argument, NULL, OPT_FORCE },
	{ "field-manager", required_argument, NULL, OPT_MANAGER },
	{ "applyset", required_argument, NULL, OPT_APPLYSET },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ "allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY },
	{ "confirm-prune", no_argument, NULL, OPT_CONFIRM_PRUNE },
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "applyset-tooling", required_argument, NULL, OPT_TOOLING },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "apply-all", no_argument, NULL, OPT_APPLY_ALL },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "plan", required_argument, NULL, OPT_PLAN },
	{ "cache-dir", required_argument, NULL, OPT_GIT },
	{ "ssh-key", required_argument, NULL, OPT_GIT + 1 },
	{ "ssh-known-hosts", required_argument, NULL, OPT_GIT + 2 },
	{ "no-ssh-agent", no_argument, NULL, OPT_GIT + 3 },
	{ "ca-file", required_argument, NULL, OPT_GIT + 4 },
	{ "netrc-file", required_argument, NULL, OPT_GIT + 5 },
	{ NULL, 0, NULL, 0 },
};

static int on_option(struct gitops_cli *cli, int opt, const char *arg, void *ctx)
{
	struct opts *o = ctx;
	struct gitops_err err = GITOPS_ERR_INIT;

	switch (opt) {
	case OPT_PLAN:
		o->plan = arg;
		return 0;
	case OPT_GIT: case OPT_GIT + 1: case OPT_GIT + 2: case OPT_GIT + 3: case OPT_GIT + 4: case OPT_GIT + 5: {
		/* the fetch cache's and Git's options, by name, as gitops-fetch takes them */
		static const char *const names[] = { "cache-dir", "ssh-key", "ssh-known-hosts", "no-ssh-agent", "ca-file",
						     "netrc-file" };
		if (gitops_git_option_set(&o->cache, &o->auth, names[opt - OPT_GIT], arg, &err) < 0)
			return gitops_cli_usage_error(cli, "%s", err.msg);
		return 0;
	}
	case 'f':
		o->file = arg;
		return 0;
	case OPT_DRY_RUN:
		if (!arg || !strcmp(arg, "server"))
			o->apply.dry_run = 1;
		else if (!strcmp(arg, "none"))
			o->apply.dry_run = 0;
		else
			return gitops_cli_usage_error(cli, "--dry-run takes server or none, not '%s' "
						      "(a client-side dry run cannot be exact)", arg);
		return 0;
	case OPT_FORCE:
		o->apply.force_conflicts = 1;
		return 0;
	case OPT_APPLYSET:
		if (!*arg || strchr(arg, '/'))
			return gitops_cli_usage_error(cli, "--applyset takes the name of a Secret, not '%s'", arg);
		o->apply.applyset = arg;
		return 0;
	case OPT_PRUNE:
		o->apply.prune = 1;
		return 0;
	case OPT_ALLOW_EMPTY:
		o->apply.allow_empty = 1;
		return 0;
	case OPT_CONFIRM_PRUNE:
		o->apply.confirm_prune = 1;
		return 0;
	case OPT_LOCK_TIMEOUT:
		if (gitops_parse_duration(arg, &o->apply.lock_wait_ms) < 0)
			return gitops_cli_usage_error(cli, "--lock-timeout takes a duration (0, 30s, 5m), not '%s'", arg);
		return 0;
	case OPT_TOOLING: {
		const char *slash = strchr(arg, '/');
		if (!slash || slash == arg || !slash[1])
			return gitops_cli_usage_error(cli, "--applyset-tooling takes NAME/VERSION, not '%s'", arg);
		o->apply.applyset_tooling = arg;
		return 0;
	}
	case OPT_APPLY_ALL:
		o->apply.apply_all = 1;
		return 0;
	case OPT_WAIT:
		o->apply.wait = 1;
		return 0;
	case OPT_TIMEOUT:
		if (gitops_parse_duration(arg, &o->apply.timeout_ms) < 0)
			return gitops_cli_usage_error(cli, "--timeout takes a duration (30s, 5m, 1h30m), not '%s'", arg);
		return 0;
	case OPT_MANAGER:
		if (!*arg)
			return gitops_cli_usage_error(cli, "--field-manager needs a name");
		o->apply.field_manager = arg;
		o->manager_given = 1;
		return 0;
	}
	return gitops_cli_usage_error(cli, "unknown option");
}

int main(int argc, char **argv)
{
	struct gitops_cli cli;
	struct opts o = { NULL, NULL, 0, GITOPS_GIT_CACHE_OPTIONS_INIT, GITOPS_GIT_AUTH_INIT, { NULL, NULL, NULL },
			  GITOPS_APPLY_OPTIONS_INIT, GITOPS_KUBE_CLIENT_OPTIONS_INIT };
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_objset set;
	struct gitops_cli_plan plan;
	struct gitops_object *objs;
	size_t n;
	struct gitops_cluster c = { NULL, NULL, NULL };
	struct gitops_apply_report rep = { &cli, 0, NULL, 0, 0, 0 };
	int ret, code = GITOPS_EXIT_OK;

	memset(&set, 0, sizeof(set));
	memset(&plan, 0, sizeof(plan));
	gitops_cli_init(&cli, "gitops-apply", usage, help);
	gitops_cli_kube_options(&cli, &o.kube, &o.client);
	ret = gitops_cli_parse(&cli, argc, argv, "f:", longopts, on_option, &o);
	if (ret >= 0)
		return ret;
	if (cli.optind < argc)
		return gitops_cli_usage_error(&cli, "unexpected argument '%s' (the stream comes from -f or standard input)",
					      argv[cli.optind]);
	if (o.plan && o.file)
		return gitops_cli_usage_error(&cli, "--plan FILE and -f: a plan holds its objects; no stream is read");
	if (o.apply.prune && !o.apply.applyset && !o.plan)
		return gitops_cli_usage_error(&cli, "--prune needs --applyset NAME (the set whose members may be deleted)");
	if (o.plan) {
		/* the whole plan, checked, with its options; then nothing but what it holds is sent */
		gitops_git_auth_from_env(&o.auth);
		o.cache.notice = gitops_cli_on_notice;
		o.cache.warning = gitops_cli_on_warning;
		o.cache.ctx = &cli;
		if (gitops_cli_plan_open(&plan, o.plan, &cli.limits, &o.apply, &o.kube.namespace, o.manager_given, &o.cache,
					 &o.auth, &err) < 0)
			goto fail;
		objs = plan.file.objs;
		n = plan.file.n;
	} else {
		/* the whole stream first: nothing is sent unless all of it is good */
		if (gitops_objset_read(&set, o.file, &cli.limits, &err) < 0)
			goto fail;
		objs = set.objs;
		n = set.n;
		o.apply.stream_complete = set.status.marker == GITOPS_MARKER_OK;
	}
	if (!n && !o.apply.prune) {
		gitops_cli_info(&cli, 1, "nothing to apply");
		goto done;
	}
	o.apply.progress = gitops_apply_report_progress;
	o.apply.progress_live = gitops_cli_live_on(&cli);
	/* an unsafe prune is refused before the cluster is asked anything */
	if (gitops_apply_prune_safe(&o.apply, n, &err) < 0)
		goto fail;
	if (gitops_cluster_open(&c, &o.kube, &o.client, &err) < 0)
		goto fail;
	o.apply.namespace = c.namespace;
	rep.dry_run = o.apply.dry_run;
	if (cli.format == GITOPS_FORMAT_JSON)
		rep.records = cJSON_CreateArray();
	rep.total = n;
	if (gitops_apply(c.kube, c.discovery, objs, n, &o.apply, gitops_apply_report_result, &rep, &err) < 0) {
		/* failures of single objects were said as they came; anything else is said here */
		if (!rep.failures)
			gitops_cli_fail(&cli, &err);
		code = err.code ? err.code : GITOPS_EXIT_INTERNAL;
	}
	if (rep.records) {
		cJSON *out = cJSON_CreateObject();
		cJSON_AddItemToObject(out, "results", rep.records);
		rep.records = NULL;
		if (gitops_cli_print_json(out) < 0 && code == GITOPS_EXIT_OK)
			code = GITOPS_EXIT_IO;
	}
	goto done;
fail:
	code = gitops_cli_fail(&cli, &err);
done:
	cJSON_Delete(rep.records);
	gitops_objset_release(&set);
	gitops_cli_plan_release(&plan);
	gitops_cluster_close(&c);
	gitops_git_shutdown();
	if (fflush(stdout) != 0 && code == GITOPS_EXIT_OK)
		code = GITOPS_EXIT_IO;
	return code;
}
