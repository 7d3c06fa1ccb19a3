/* gitops-render: sources -> one normalised stream of plain Kubernetes objects. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "cmd/tool/cli.h"
#include "cmd/tool/heap.h"
#include "cmd/tool/renderreport.h"
#include "lib/git/git.h"
#include "lib/render/render.h"
#include "lib/k8s/stream.h"
#include "lib/kustomize/kustomize.h"
#include "lib/yaml/yaml.h"

static const char usage[] = "gitops-render [options] [PATH...]";

static const char help[] =
	"Render manifests into one stream of plain Kubernetes objects on standard output.\n"
	"PATH is a file or a directory (searched recursively for *.yaml, *.yml and *.json);\n"
	"'-' or no PATH reads a stream from standard input.  A Source document (from\n"
	"gitops-fetch) on standard input or in a file named is replaced by the objects of\n"
	"its checkout, each annotated with gitops.dev/source, /file and /revision; one\n"
	"in a directory is refused.  A directory with a kustomization file is built as\n"
	"`kubectl kustomize` builds it (Kustomize v5.5), its objects written as kubectl\n"
	"writes them.  A Helm chart (a directory with Chart.yaml, or a packaged .tgz) is\n"
	"rendered as `helm template` v3.17 renders it, natively, with its flags below.\n"
	"Nothing is written unless every input is valid.\n"
	"The output ends with the end-of-stream marker only when every stream read\n"
	"(standard input, a pipe) ended with a valid one: what was not known to be whole\n"
	"is not passed on as whole.\n"
	"\n"
	"options:\n"
	"      --allow-empty-input  accept a stream with no object and no end-of-stream\n"
	"                        marker (else an error: its producer may have failed)\n"
	"      --allow-remote    fetch the remote bases and files kustomizations name\n"
	"                        (Git through gitops-fetch's cache, https files); else\n"
	"                        refused, unless a Source's spec.kustomize.allowRemote\n"
	"      --enable-helm     render kustomizations' helmCharts (under helmGlobals.chartHome,\n"
	"                        else from their repo through the fetch cache), natively as\n"
	"                        helm template; else refused, as kubectl kustomize\n"
	"      --kustomize-overrides FILE  Argo CD's per-application Kustomize overrides\n"
	"                        (a YAML mapping with its source.kustomize fields: namePrefix,\n"
	"                        nameSuffix, images, replicas, commonLabels, commonAnnotations,\n"
	"                        namespace, patches, components...) applied to each\n"
	"                        kustomization built, as Argo CD's kustomize edit applies them\n"
	"      --load-restrictor RULE  kustomize's files: rootOnly (the default: in or\n"
	"                        below the kustomization's directory) or none\n"
	"                        (LoadRestrictionsRootOnly, LoadRestrictionsNone as kubectl)\n"
	"  -o, --output FORMAT   yaml (default) or json\n"
	"helm template's options, for charts (a Source's spec.helm, Argo CD's source.helm,\n"
	"wins over them field by field, its values after theirs; its release name\n"
	"defaults to --release, else its metadata.name; it includes CRDs unless skipCrds):\n"
	"      --release NAME    the release name (helm template's NAME; default release-name)\n"
	"  -n, --namespace NS    .Release.Namespace (default \"default\"; no namespace is added)\n"
	"  -f, --values FILE     a values file, in order (repeatable, comma lists)\n"
	"      --set K=V, --set-string K=V, --set-json K=JSON, --set-file K=FILE,\n"
	"      --set-literal K=V  values as Helm parses them (repeatable)\n"
	"      --kube-version V  .Capabilities.KubeVersion (default v1.32.0, helm's)\n"
	"  -a, --api-versions V  more .Capabilities.APIVersions (repeatable, comma lists)\n"
	"      --include-crds    include the charts' crds/ (left out by default, as helm)\n"
	"      --skip-tests      leave out test hooks\n"
	"      --no-hooks        leave out every hook\n"
	"  -s, --show-only PATH  only the templates matching PATH (repeatable)\n"
	"      --is-upgrade      .Release.IsUpgrade instead of IsInstall\n"
	"      --skip-schema-validation  do not check values against values.schema.json\n"
	"      --dependency-update  fetch the dependencies charts/ lacks first, as helm\n"
	"                        dependency build (always done for a Source's charts)\n"
	"      --plain-http      charts from oci:// registries over http, not https\n"
	"      --reorder ORDER   kustomize's output order: legacy (by kind, the default)\n"
	"                        or none (as built); a kustomization's sortOptions wins\n"
	"      --cache-dir DIR, --lock-timeout SECONDS, --max-size SIZE, --max-files N,\n"
	"      --ssh-key FILE, --ssh-known-hosts FILE, --no-ssh-agent, --ca-file FILE,\n"
	"      --netrc-file FILE  for remote targets: as gitops-fetch(1) takes them\n"
	"  -q, --quiet           no warnings\n"
	"  -v, --verbose         say what was read\n"
	"      --color[=WHEN]    colour messages: always (when WHEN is left out), never,\n"
	"                        or auto (the default: only on a terminal, never with NO_COLOR)\n"
	"  -h, --help            show this help\n"
	"  -V, --version         show the version\n";

/* Output is held in a spool and reaches stdout only when every input was good. */
#define SPOOL_MEMORY (2u << 20)

enum {
	OPT_ALLOW_EMPTY_INPUT = 300, OPT_LOAD_RESTRICTOR, OPT_REORDER, OPT_KUSTOMIZE_OVERRIDES, OPT_ALLOW_REMOTE,
	OPT_ENABLE_HELM, OPT_PLAIN_HTTP,
	OPT_HELM, /* helm template's options, gitops_helm_option_set's */
	OPT_HELM_END = OPT_HELM + 17,
	OPT_GIT, /* the options of the Git cache and authentication, gitops_git_option_set's */
	OPT_GIT_END = OPT_GIT + 9
};
/* ... as the gitops-fetch child takes them (in longopts' order) */
static const char *const git_flags[OPT_GIT_END - OPT_GIT] = {
	"--cache-dir", "--lock-timeout", "--max-size", "--max-files", "--ssh-key", "--ssh-known-hosts",
	"--no-ssh-agent", "--ca-file", "--netrc-file",
};

static const struct option longopts[] = {
	{ "allow-empty-input", no_argument, NULL, OPT_ALLOW_EMPTY_INPUT },
	{ "kustomize-overrides", required_argument, NULL, OPT_KUSTOMIZE_OVERRIDES },
	{ "load-restrictor", required_argument, NULL, OPT_LOAD_RESTRICTOR },
	{ "reorder", required_argument, NULL, OPT_REORDER },
	{ "allow-remote", no_argument, NULL, OPT_ALLOW_REMOTE },
	{ "enable-helm", no_argument, NULL, OPT_ENABLE_HELM },
	{ "plain-http", no_argument, NULL, OPT_PLAIN_HTTP },
	{ "release", required_argument, NULL, OPT_HELM },
	{ "namespace", required_argument, NULL, OPT_HELM + 1 },
	{ "values", required_argument, NULL, OPT_HELM + 2 },
	{ "set", required_argument, NULL, OPT_HELM + 3 },
	{ "set-string", required_argument, NULL, OPT_HELM + 4 },
	{ "set-json", required_argument, NULL, OPT_HELM + 5 },
	{ "set-file", required_argument, NULL, OPT_HELM + 6 },
	{ "set-literal", required_argument, NULL, OPT_HELM + 7 },
	{ "kube-version", required_argument, NULL, OPT_HELM + 8 },
	{ "api-versions", required_argument, NULL, OPT_HELM + 9 },
	{ "include-crds", no_argument, NULL, OPT_HELM + 10 },
	{ "skip-tests", no_argument, NULL, OPT_HELM + 11 },
	{ "no-hooks", no_argument, NULL, OPT_HELM + 12 },
	{ "show-only", required_argument, NULL, OPT_HELM + 13 },
	{ "is-upgrade", no_argument, NULL, OPT_HELM + 14 },
	{ "skip-schema-validation", no_argument, NULL, OPT_HELM + 15 },
	{ "dependency-update", no_argument, NULL, OPT_HELM + 16 },
	{ "cache-dir", required_argument, NULL, OPT_GIT },
	{ "lock-timeout", required_argument, NULL, OPT_GIT + 1 },
	{ "max-size", required_argument, NULL, OPT_GIT + 2 },
	{ "max-files", required_argument, NULL, OPT_GIT + 3 },
	{ "ssh-key", required_argument, NULL, OPT_GIT + 4 },
	{ "ssh-known-hosts", required_argument, NULL, OPT_GIT + 5 },
	{ "no-ssh-agent", no_argument, NULL, OPT_GIT + 6 },
	{ "ca-file", required_argument, NULL, OPT_GIT + 7 },
	{ "netrc-file", required_argument, NULL, OPT_GIT + 8 },
	{ NULL, 0, NULL, 0 },
};

struct options {
	int allow_empty_input;
	struct gitops_helm_options helm;
	struct gitops_kustomize_options kustomize;
	const char *overrides_file;
	struct gitops_git_cache_options cache; /* checked here; the gitops-fetch child takes them as given */
	struct gitops_git_auth auth;
	char *fetch_args[2 * (OPT_GIT_END - OPT_GIT) + 2];
	size_t n_fetch_args;
};

static int on_option(struct gitops_cli *cli, int opt, const char *arg, void *ctx)
{
	struct options *o = ctx;
	struct gitops_err err = GITOPS_ERR_INIT;
	const struct option *lo;

	switch (opt) {
	case 'n':
		opt = OPT_HELM + 1;
		break;
	case 'f':
		opt = OPT_HELM + 2;
		break;
	case 'a':
		opt = OPT_HELM + 9;
		break;
	case 's':
		opt = OPT_HELM + 13;
		break;
	}
	if (opt >= OPT_HELM && opt < OPT_HELM_END) {
		for (lo = longopts; lo->name && lo->val != opt; lo++)
			;
		if (!lo->name || gitops_helm_option_set(&o->helm, lo->name, arg, &err) <= 0)
			return gitops_cli_usage_error(cli, "%s", err.msg[0] ? err.msg : "unknown option");
		return 0;
	}
	switch (opt) {
	case OPT_ALLOW_REMOTE:
		o->kustomize.allow_remote = 1;
		return 0;
	case OPT_PLAIN_HTTP: /* the gitops-fetch child's charts */
		if (o->n_fetch_args + 1 < sizeof(o->fetch_args) / sizeof(o->fetch_args[0]))
			o->fetch_args[o->n_fetch_args++] = "--plain-http";
		return 0;
	case OPT_ENABLE_HELM:
		o->kustomize.enable_helm = 1;
		return 0;
	case OPT_ALLOW_EMPTY_INPUT:
		o->allow_empty_input = 1;
		return 0;
	case OPT_KUSTOMIZE_OVERRIDES:
		o->overrides_file = arg;
		return 0;
	case OPT_LOAD_RESTRICTOR:
	case OPT_REORDER:
		if (gitops_kustomize_option_set(&o->kustomize, opt == OPT_REORDER ? "reorder" : "load-restrictor", arg,
						&err) < 0)
			return gitops_cli_usage_error(cli, "%s", err.msg);
		return 0;
	}
	/* the options of the cache and of authentication, shared with gitops-fetch */
	for (lo = longopts; lo->name && lo->val != opt; lo++)
		;
	switch (lo->name && opt >= OPT_GIT ? gitops_git_option_set(&o->cache, &o->auth, lo->name, arg, &err) : 0) {
	case 1:
		if (o->n_fetch_args + 2 < sizeof(o->fetch_args) / sizeof(o->fetch_args[0])) {
			o->fetch_args[o->n_fetch_args++] = (char *)git_flags[opt - OPT_GIT];
			if (lo->has_arg)
				o->fetch_args[o->n_fetch_args++] = (char *)arg;
		}
		return 0;
	case -1:
		return gitops_cli_usage_error(cli, "%s", err.msg);
	}
	return gitops_cli_usage_error(cli, "unknown option");
}

int main(int argc, char **argv)
{
	struct gitops_cli cli;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_spool *spool = NULL;
	struct gitops_stream_writer *w = NULL;
	struct gitops_render_stats stats = { 0, 0 };
	const char *unvouched = NULL;   /* the first input not known to be whole */
	struct options o = { .kustomize = GITOPS_KUSTOMIZE_OPTIONS_INIT, .cache = GITOPS_GIT_CACHE_OPTIONS_INIT,
			     .auth = GITOPS_GIT_AUTH_INIT };
	struct gitops_render_report put = { NULL, NULL };
	cJSON *overrides = NULL;
	int ret, i, code = GITOPS_EXIT_OK;

	gitops_tool_heap_for_trees(); /* first: before any malloc */
	gitops_cli_init(&cli, "gitops-render", usage, help);
	ret = gitops_cli_parse(&cli, argc, argv, "n:f:a:s:", longopts, on_option, &o);
	if (ret >= 0)
		return ret;
	o.kustomize.warn = gitops_render_report_kustomize_warning;
	o.kustomize.warn_ctx = &cli;
	o.helm.warn = gitops_render_report_helm_warning; /* Helm's log lines: warnings too */
	o.helm.warn_ctx = &cli;
	o.kustomize.remote_notice = gitops_render_report_notice;
	o.kustomize.fetcher = &gitops_kustomize_fetcher_child; /* libgit2 and libcurl stay out of this process */
	o.kustomize.fetcher_args = o.fetch_args;
	if (o.overrides_file) {
		if (gitops_kustomize_overrides_read(&overrides, o.overrides_file, &cli.limits, &err) < 0)
			goto fail;
		o.kustomize.overrides = overrides;
	}

	if (gitops_spool_new(&spool, SPOOL_MEMORY, &err) < 0 ||
	    gitops_stream_writer_new(&w, cli.format, gitops_spool_write, spool, &err) < 0)
		goto fail;
	gitops_stream_writer_pieces(w); /* the spool is thrown away on failure */
	put.w = w;
	put.cli = &cli;
	for (i = cli.optind; i < argc; i++) {
		/* a kustomization's output is printed as kubectl kustomize prints it */
		if (gitops_tool_is_kustomization(argv[i])) {
			gitops_tool_heap_for_kustomize();
			if (gitops_stream_writer_go_yaml(w, &err) < 0)
				goto fail;
		}
	}

	for (i = cli.optind; i < argc || (i == argc && cli.optind == argc); i++) {
		const char *arg = i < argc ? argv[i] : "-";
		const char *name = strcmp(arg, "-") ? arg : "<stdin>";
		struct gitops_render_input in;
		if (!strcmp(arg, "-"))
			ret = gitops_render_fd_with(&in, 0, name, &cli.limits, &o.kustomize, &o.helm, gitops_render_report_object, &put,
						    &stats, &err);
		else
			ret = gitops_render_path_with(&in, arg, &cli.limits, &o.kustomize, &o.helm, gitops_render_report_object, &put, &stats,
						      &err);
		if (ret < 0)
			goto fail;
		if (in.streamed && !o.allow_empty_input && gitops_stream_check_empty(&in.status, name, &err) < 0)
			goto fail;
		if (!in.whole && !unvouched)
			unvouched = name;
		if (i == argc)
			break;
	}
	/* completeness passes on, never appears */
	if (gitops_stream_writer_finish_as(w, unvouched ? GITOPS_STREAM_UNVOUCHED : GITOPS_STREAM_COMPLETE, &err) < 0)
		goto fail;
	if (gitops_spool_copy_to_fd(spool, 1, &err) < 0)
		goto fail;
	gitops_cli_info(&cli, 1, "%zu object%s from %zu input%s", stats.objects, stats.objects == 1 ? "" : "s",
			stats.files, stats.files == 1 ? "" : "s");
	if (unvouched && cli.format == GITOPS_FORMAT_YAML)
		gitops_cli_info(&cli, 1, "%s had no end-of-stream marker: the output has none either", unvouched);
	goto done;
fail:
	code = gitops_cli_fail(&cli, &err);
done:
	gitops_stream_writer_free(w);
	gitops_spool_free(spool);
	cJSON_Delete(overrides);
	gitops_helm_options_release(&o.helm);
	return code;
}
