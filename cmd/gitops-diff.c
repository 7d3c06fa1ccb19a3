/* gitops-diff: desired objects against the live cluster */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/tool/cli.h"
#include "cmd/tool/diffreport.h"
#include "lib/kube/cluster.h"
#include "lib/sync/diff.h"
#include "lib/sync/planfile.h"
#include "lib/kube/kube.h"
#include "lib/k8s/objset.h"
#include "lib/value/value.h"

static const char usage[] = "gitops-diff [options] [-f FILE]\n"
			    "gitops-diff [options] --plan FILE (--plan-source SOURCES | --plan-allow-no-source) [-f FILE]";

static const char help[] =
	"Show how the live cluster differs from the objects of a stream (standard input, or FILE):\n"
	"for each object, the live object against what a server-side apply would make of it (a\n"
	"dry run, forcing conflicts), both without the fields every write changes, as a unified\n"
	"diff.  Objects not live yet are shown whole as added; with --applyset, live members of\n"
	"the set that the stream lacks are shown whole as removed, which needs a stream closed by\n"
	"its end-of-stream marker.  Secret values are masked.  A stream with no object and no\n"
	"marker is an error: its producer may have failed.\n"
	"Exit status: 0 in sync (nothing printed), 1 differences, above 1 an error.\n"
	"\n"
	"options:\n"
	"  -f, --filename FILE     read the stream from FILE ('-': standard input, the default)\n"
	"  -n, --namespace NS      namespace for namespaced objects that name none, and the ApplySet's\n"
	GITOPS_CLI_KUBE_HELP
	"      --field-manager NAME  field manager of the dry-run apply (default gitops)\n"
	"      --applyset NAME     also show what gitops-apply --prune would delete: the live members\n"
	"                          of the ApplySet NAME (parent Secret in the namespace) not in the stream\n"
	"                          (the stream must end with a valid end-of-stream marker)\n"
	"      --confirm-prune     members annotated Prune=confirm count as pruned (and a plan approves it)\n"
	"      --plan FILE         also write what was compared to FILE (mode 0600: it holds Secret\n"
	"                          values), for gitops-apply --plan: a Plan, the objects, the end marker\n"
	"      --plan-source SOURCES  the Source documents gitops-fetch wrote for the stream: the\n"
	"                          repository, ref and commit gitops-apply --plan checks\n"
	"      --plan-allow-no-source  a plan without a source: its commit is not checked\n"
	"      --allow-empty-input  accept a stream with no object and no end-of-stream marker\n"
	"      --show-secrets      show Secret values instead of masking them\n"
	"      --dry-run-all       a dry run for every object, also those whose live state shows\n"
	"                          that the apply would change nothing\n"
	"  -o, --output FORMAT     yaml: unified diffs (default); json: one record per object\n"
	"  -q, --quiet             no summary line, no warnings\n"
	"  -v, --verbose           the summary line even when in sync\n"
	"      --color[=WHEN]      colour the diff: always (when WHEN is left out), never,\n"
	"                          or auto (the default: only on a terminal, never with NO_COLOR)\n"
	"  -h, --help              show this help\n"
	"  -V, --version           show the version\n";

enum { OPT_MANAGER = 300, OPT_APPLYSET, OPT_SHOW_SECRETS, OPT_DRY_RUN_ALL, OPT_ALLOW_EMPTY_INPUT, OPT_PLAN,
       OPT_PLAN_SOURCE, OPT_PLAN_NO_SOURCE, OPT_CONFIRM_PRUNE };

struct opts {
	const char *file, *plan, *plan_source;
	int allow_empty_input, plan_no_source;
	struct gitops_kube_options kube;
	struct gitops_diff_options diff;
	struct gitops_kube_client_options client;
};

static const struct option longopts[] = {
	{ "filename", required_argument, NULL, 'f' },
	{ "field-manager", required_argument, NULL, OPT_MANAGER },
	{ "applyset", required_argument, NULL, OPT_APPLYSET },
	{ "show-secrets", no_argument, NULL, OPT_SHOW_SECRETS },
	{ "dry-run-all", no_argument, NULL, OPT_DRY_RUN_ALL },
	{ "allow-empty-input", no_argument, NULL, OPT_ALLOW_EMPTY_INPUT },
	{ "plan", required_argument, NULL, OPT_PLAN },
	{ "plan-source", required_argument, NULL, OPT_PLAN_SOURCE },
	{ "plan-allow-no-source", no_argument, NULL, OPT_PLAN_NO_SOURCE },
	{ "confirm-prune", no_argument, NULL, OPT_CONFIRM_PRUNE },
	{ NULL, 0, NULL, 0 },
};

static int on_option(struct gitops_cli *cli, int opt, const char *arg, void *ctx)
{
	struct opts *o = ctx;

	switch (opt) {
	case 'f':
		o->file = arg;
		return 0;
	case OPT_MANAGER:
		if (!*arg)
			return gitops_cli_usage_error(cli, "--field-manager needs a name");
		o->diff.field_manager = arg;
		return 0;
	case OPT_APPLYSET:
		if (!*arg)
			return gitops_cli_usage_error(cli, "--applyset needs a name");
		o->diff.applyset = arg;
		return 0;
	case OPT_SHOW_SECRETS:
		o->diff.show.show_secrets = 1;
		return 0;
	case OPT_DRY_RUN_ALL:
		o->diff.always_dry_run = 1;
		return 0;
	case OPT_ALLOW_EMPTY_INPUT:
		o->allow_empty_input = 1;
		return 0;
	case OPT_PLAN:
	case OPT_PLAN_SOURCE:
		if (!*arg)
			return gitops_cli_usage_error(cli, "--%s needs a file", opt == OPT_PLAN ? "plan" : "plan-source");
		*(opt == OPT_PLAN ? &o->plan : &o->plan_source) = arg;
		return 0;
	case OPT_PLAN_NO_SOURCE:
		o->plan_no_source = 1;
		return 0;
	case OPT_CONFIRM_PRUNE:
		o->diff.confirm_prune = 1;
		return 0;
	}
	return gitops_cli_usage_error(cli, "unknown option");
}

int main(int argc, char **argv)
{
	struct gitops_cli cli;
	struct opts o = { NULL, NULL, NULL, 0, 0, { NULL, NULL, NULL }, GITOPS_DIFF_OPTIONS_INIT,
			  GITOPS_KUBE_CLIENT_OPTIONS_INIT };
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_objset set, sources;
	struct gitops_planfile_source src = { NULL, NULL, NULL, NULL, 0 };
	struct gitops_cluster c = { NULL, NULL, NULL };
	struct gitops_diff_report rep;
	int ret, code = GITOPS_EXIT_OK;

	memset(&rep, 0, sizeof(rep));
	memset(&set, 0, sizeof(set));
	memset(&sources, 0, sizeof(sources));
	rep.cli = &cli;
	gitops_cli_init(&cli, "gitops-diff", usage, help);
	gitops_cli_kube_options(&cli, &o.kube, &o.client);
	ret = gitops_cli_parse(&cli, argc, argv, "f:", longopts, on_option, &o);
	if (ret >= 0)
		return ret;
	if (cli.optind < argc)
		return gitops_cli_usage_error(&cli, "unexpected argument '%s' (the stream comes from -f or standard input)",
					      argv[cli.optind]);
	if (!o.plan && (o.plan_source || o.plan_no_source))
		return gitops_cli_usage_error(&cli, "--plan-source and --plan-allow-no-source go with --plan FILE");
	if (o.plan && !o.plan_source == !o.plan_no_source)
		return gitops_cli_usage_error(&cli, "--plan needs either --plan-source SOURCES (the Source documents "
					      "gitops-fetch wrote: the ref whose commit gitops-apply --plan checks) or "
					      "--plan-allow-no-source");
	if (cli.format == GITOPS_FORMAT_JSON && !(rep.records = cJSON_CreateArray())) {
		gitops_err_oom(&err);
		goto fail;
	}
	o.diff.show.color = cli.format == GITOPS_FORMAT_YAML && cli.color_out;
	/* the whole stream first: nothing is requested unless all of it is good */
	if (gitops_objset_read(&set, o.file, &cli.limits, &err) < 0)
		goto fail;
	/* an empty stream from a producer that failed must not read as "in sync" */
	if (!o.allow_empty_input && gitops_stream_check_empty(&set.status, set.name, &err) < 0)
		goto fail;
	/* what a prune would delete is what never arrived, unless the stream is known whole */
	if (o.diff.applyset && set.status.marker != GITOPS_MARKER_OK) {
		gitops_err_set(&err, GITOPS_EXIT_UNSAFE, "%s: refusing to show what a prune would delete: the stream did "
			       "not end with an end-of-stream marker whose count matches (its producer may have died "
			       "mid-stream); nothing was compared", set.name);
		goto fail;
	}
	/* where the objects come from, checked before anything is asked */
	if (o.plan_source && (gitops_objset_read(&sources, o.plan_source, &cli.limits, &err) < 0 ||
			      gitops_planfile_source_of(&src, sources.objs, sources.n, set.objs, set.n, &err) < 0))
		goto fail;
	if (set.n || o.diff.applyset || o.plan) {
		struct gitops_planfile_options po = { NULL, o.diff.field_manager, o.diff.applyset, o.diff.confirm_prune };
		if (gitops_cluster_open(&c, &o.kube, &o.client, &err) < 0)
			goto fail;
		o.diff.namespace = po.namespace = c.namespace;
		if (o.plan && gitops_planfile_new(&rep.plan, &src, &po, &err) < 0)
			goto fail;
		if (gitops_diff(c.kube, c.discovery, set.objs, set.n, &o.diff, gitops_diff_report_result, &rep, &err) < 0) {
			/* failures of single objects were said as they came; anything else is said here */
			if (!rep.failed)
				gitops_cli_fail(&cli, &err);
			code = err.code ? err.code : GITOPS_EXIT_INTERNAL;
		}
	}
	if (rep.plan && code == GITOPS_EXIT_OK) {
		/* written whole or not at all: only what was compared, every object of it */
		if (rep.plan_err.code || gitops_planfile_write(o.plan, rep.plan, set.objs, set.n, &rep.plan_err) < 0)
			code = gitops_cli_fail(&cli, &rep.plan_err);
	} else if (o.plan) {
		gitops_cli_error(&cli, code, "%s: no plan written: not every object was compared", o.plan);
	}
	if (rep.records)
		gitops_diff_report_json(&rep);
	if (code == GITOPS_EXIT_OK && rep.out_of_sync + rep.missing + rep.extraneous)
		code = GITOPS_EXIT_DIFFERENT;
	if (fflush(stdout) != 0 || rep.write_failed) {
		gitops_cli_error(&cli, GITOPS_EXIT_IO, "cannot write the output");
		code = code > GITOPS_EXIT_DIFFERENT ? code : GITOPS_EXIT_IO;
	}
	gitops_diff_report_summary(&rep);
	goto done;
fail:
	code = gitops_cli_fail(&cli, &err);
done:
	cJSON_Delete(rep.records);
	cJSON_Delete(rep.plan);
	free((void *)src.paths);
	gitops_objset_release(&sources);
	gitops_objset_release(&set);
	gitops_cluster_close(&c);
	return code;
}
