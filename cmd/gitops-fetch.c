/* gitops-fetch: Git repository, ref and paths (or a chart of a chart repository) to Source documents */
#include <strings.h>
#include <string.h>

#include "cmd/tool/cli.h"
#include "cmd/tool/fetchchart.h"
#include "cmd/tool/fetchgit.h"
#include "cmd/tool/helmspec.h"
#include "lib/git/git.h"
#include "lib/kustomize/kustomize.h"
#include "lib/k8s/source.h"
#include "lib/base/parse.h"

static const char usage[] = "gitops-fetch [options] REPO [--ref REF] [--path PATH]...\n"
			    "gitops-fetch [options] CHART-REPO --chart NAME [--ref RANGE]\n"
			    "gitops-fetch [options] oci://REGISTRY/PATH/CHART [--ref RANGE]";

static const char help[] =
	"Fetch REF of the Git repository REPO into a local cache, check out that commit\n"
	"read-only (the whole tree, which every PATH shares), and write one Source\n"
	"document per PATH for gitops-render.\n"
	"REPO: https://, http://, ssh://, user@host:path, git://, file:// or a local path.\n"
	"REF: a branch, a tag, a full or abbreviated commit, HEAD (the default: the\n"
	"remote's default branch), or a semver range over tags ('v1.2.*', '>=1.2 <2').\n"
	"With --chart: NAME from the Helm chart repository CHART-REPO (https:// or\n"
	"http://, serving index.yaml), the newest version in RANGE (an exact version,\n"
	"'1.2.*', '>=1.2 <2', '^1.2', '~1.2'; default: the newest release), its digest\n"
	"checked, unpacked read-only into the same cache; one Source document.\n"
	"oci://REGISTRY/PATH/CHART: a chart stored in an OCI registry (helm push), its\n"
	"tags chosen from as versions; credentials from the docker config.json.\n"
	"Credentials for a chart repository: the URL's, $GITOPS_HELM_USERNAME and\n"
	"$GITOPS_HELM_PASSWORD, $GITOPS_HELM_TOKEN (a bearer token), or --netrc-file.\n"
	"\n"
	"options:\n"
	"      --ref REF             what to check out (default HEAD); with --chart a\n"
	"                            version range (default: the newest release)\n"
	"      --chart NAME          a chart of the chart repository REPO, not Git\n"
	"      --max-index-size SIZE  largest index.yaml of a chart repository, K, M or G\n"
	"                            suffix (default 64M)\n"
	"      --plain-http          an oci:// registry over http, not https\n"
	"      --path PATH           a directory (or file) of the repository; repeatable\n"
	"                            (default: the whole repository)\n"
	"      --print-commit        print only the commit REF resolves to (a chart: its version)\n"
	"      --state FILE          record the commit fetched in FILE\n"
	"      --kustomize-overrides FILE  Argo CD's source.kustomize fields (a YAML mapping)\n"
	"                            written into each Source as spec.kustomize, for\n"
	"                            gitops-render to apply to the kustomizations it builds\n"
	"      --allow-remote        let gitops-render fetch the remote bases and files the\n"
	"                            kustomizations name (spec.kustomize.allowRemote: true)\n"
	"      --helm-overrides FILE  Argo CD's source.helm fields (a YAML mapping) written\n"
	"                            into each Source as spec.helm, for gitops-render to\n"
	"                            apply to the charts it renders; the --helm-* options\n"
	"                            below set or add to its fields\n"
	"      --helm-release NAME   releaseName (default: gitops-render's --release, else\n"
	"                            the Source's metadata.name)\n"
	"      --helm-namespace NS   namespace (.Release.Namespace)\n"
	"      --helm-values FILE    valueFiles: a file of the checkout, relative to PATH,\n"
	"                            or $NAME/FILE in the Source whose --ref-name is NAME\n"
	"                            (repeatable, in order)\n"
	"      --helm-set NAME=VALUE  parameters (repeatable)\n"
	"      --helm-set-string NAME=VALUE  parameters with forceString (repeatable)\n"
	"      --helm-set-file NAME=FILE  fileParameters, FILE as for --helm-values\n"
	"      --helm-skip-crds      skipCrds: leave out the charts' crds/ (else included)\n"
	"      --helm-skip-tests     skipTests: leave out test hooks\n"
	"      --helm-kube-version V  kubeVersion (.Capabilities.KubeVersion)\n"
	"      --helm-api-versions V  apiVersions (repeatable)\n"
	"      --ref-name NAME       spec.refName (Argo CD's ref): other Sources' value files\n"
	"                            name this checkout as $NAME/...; without --path, the\n"
	"                            Source holds values only and is not rendered\n"
	"      --if-changed          exit 10 and write nothing when FILE records this commit\n"
	"                            (a chart: this version and digest)\n"
	"      --cache-dir DIR       the cache (default $XDG_CACHE_HOME/gitops)\n"
	"      --keep N              checkouts kept per repository (default 10)\n"
	"      --lock-timeout SECONDS  wait this long for another run's lock (default 300)\n"
	"      --max-size SIZE       largest checkout, K, M or G suffix (default 256M)\n"
	"      --max-files N         most files in one checkout (default 100000)\n"
	"      --ssh-key FILE        private key for ssh (passphrase: $GITOPS_SSH_KEY_PASSPHRASE)\n"
	"      --ssh-known-hosts FILE  known host keys (default ~/.ssh/known_hosts)\n"
	"      --no-ssh-agent        do not ask ssh-agent for keys\n"
	"      --ca-file FILE        CA certificates (PEM) for https, instead of the system's\n"
	"      --netrc-file FILE     https credentials per host, in netrc form\n"
	"  -o, --output FORMAT       yaml (default) or json\n"
	"  -q, --quiet               no warnings, no 'unchanged' message\n"
	"  -v, --verbose             say what was fetched and resolved\n"
	"      --color[=WHEN]        colour messages: always (when WHEN is left out), never,\n"
	"                            or auto (the default: only on a terminal, never with NO_COLOR)\n"
	"  -h, --help                show this help\n"
	"  -V, --version             show the version\n";

enum {
	OPT_REF = 300, OPT_PATH, OPT_PRINT_COMMIT, OPT_STATE, OPT_IF_CHANGED, OPT_CACHE_DIR, OPT_KEEP, OPT_LOCK_TIMEOUT,
	OPT_MAX_SIZE, OPT_MAX_FILES, OPT_SSH_KEY, OPT_KNOWN_HOSTS, OPT_NO_AGENT, OPT_CA_FILE, OPT_NETRC,
	OPT_KUSTOMIZE_OVERRIDES, OPT_ALLOW_REMOTE, OPT_SERVE, OPT_CHART, OPT_MAX_INDEX, OPT_PLAIN_HTTP,
	OPT_HELM_OVERRIDES, OPT_HELM_RELEASE, OPT_HELM_NAMESPACE,
	OPT_HELM_VALUES, OPT_HELM_SET, OPT_HELM_SET_STRING, OPT_HELM_SET_FILE, OPT_HELM_SKIP_CRDS, OPT_HELM_SKIP_TESTS,
	OPT_HELM_KUBE_VERSION, OPT_HELM_API_VERSIONS, OPT_REF_NAME
};

static const struct option longopts[] = {
	{ "ref", required_argument, NULL, OPT_REF },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "print-commit", no_argument, NULL, OPT_PRINT_COMMIT },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "if-changed", no_argument, NULL, OPT_IF_CHANGED },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "max-files", required_argument, NULL, OPT_MAX_FILES },
	{ "ssh-key", required_argument, NULL, OPT_SSH_KEY },
	{ "ssh-known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS },
	{ "no-ssh-agent", no_argument, NULL, OPT_NO_AGENT },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "netrc-file", required_argument, NULL, OPT_NETRC },
	{ "kustomize-overrides", required_argument, NULL, OPT_KUSTOMIZE_OVERRIDES },
	{ "allow-remote", no_argument, NULL, OPT_ALLOW_REMOTE },
	{ "chart", required_argument, NULL, OPT_CHART },
	{ "max-index-size", required_argument, NULL, OPT_MAX_INDEX },
	{ "plain-http", no_argument, NULL, OPT_PLAIN_HTTP },
	{ "kustomize-remote-serve", no_argument, NULL, OPT_SERVE }, /* gitops-render's child: not for users */
	{ "helm-overrides", required_argument, NULL, OPT_HELM_OVERRIDES },
	{ "helm-release", required_argument, NULL, OPT_HELM_RELEASE },
	{ "helm-namespace", required_argument, NULL, OPT_HELM_NAMESPACE },
	{ "helm-values", required_argument, NULL, OPT_HELM_VALUES },
	{ "helm-set", required_argument, NULL, OPT_HELM_SET },
	{ "helm-set-string", required_argument, NULL, OPT_HELM_SET_STRING },
	{ "helm-set-file", required_argument, NULL, OPT_HELM_SET_FILE },
	{ "helm-skip-crds", no_argument, NULL, OPT_HELM_SKIP_CRDS },
	{ "helm-skip-tests", no_argument, NULL, OPT_HELM_SKIP_TESTS },
	{ "helm-kube-version", required_argument, NULL, OPT_HELM_KUBE_VERSION },
	{ "helm-api-versions", required_argument, NULL, OPT_HELM_API_VERSIONS },
	{ "ref-name", required_argument, NULL, OPT_REF_NAME },
	{ NULL, 0, NULL, 0 },
};

#define MAX_PATHS GITOPS_FETCHGIT_MAX_PATHS
struct opts {
	const char *ref;
	const char *paths[MAX_PATHS];
	size_t npaths;
	int print_commit, if_changed, allow_remote, serve;
	const char *state;
	const char *overrides_file;
	const char *chart;
	size_t index_max;
	int plain_http;
	const char *helm_file;  /* --helm-overrides */
	cJSON *helm;            /* the --helm-* options, applied over helm_file's mapping */
	const char *ref_name;
	struct gitops_git_cache_options cache;
	struct gitops_git_auth auth;
};

static int on_option(struct gitops_cli *cli, int opt, const char *arg, void *ctx)
{
	struct opts *o = ctx;
	struct gitops_err err = GITOPS_ERR_INIT;
	const struct option *lo;

	int *flag = opt == OPT_PRINT_COMMIT ? &o->print_commit : opt == OPT_IF_CHANGED ? &o->if_changed
		  : opt == OPT_ALLOW_REMOTE ? &o->allow_remote : opt == OPT_SERVE ? &o->serve
		  : opt == OPT_PLAIN_HTTP   ? &o->plain_http : NULL;

	if (flag) {
		*flag = 1;
		return 0;
	}
	switch (opt) {
	case OPT_KUSTOMIZE_OVERRIDES:
	case OPT_HELM_OVERRIDES:
		*(opt == OPT_HELM_OVERRIDES ? &o->helm_file : &o->overrides_file) = arg;
		return 0;
	case OPT_REF:
		if (!*arg)
			return gitops_cli_usage_error(cli, "--ref needs a value");
		o->ref = arg;
		return 0;
	case OPT_PATH:
		if (o->npaths == MAX_PATHS)
			return gitops_cli_usage_error(cli, "more than %d --path options", MAX_PATHS);
		o->paths[o->npaths++] = arg;
		return 0;
	case OPT_STATE:
		if (!*arg)
			return gitops_cli_usage_error(cli, "--state needs a file name");
		o->state = arg;
		return 0;
	case OPT_CHART:
		if (!*arg || strchr(arg, '/') || !strcmp(arg, ".") || !strcmp(arg, ".."))
			return gitops_cli_usage_error(cli, "--chart takes a chart's name (no '/'), not '%s'", arg);
		o->chart = arg;
		return 0;
	case OPT_MAX_INDEX:
		if (gitops_parse_size(arg, &o->index_max) < 0 || !o->index_max)
			return gitops_cli_usage_error(cli, "--max-index-size takes a positive size (K, M or G suffix), not '%s'",
						      arg);
		return 0;
	case OPT_REF_NAME:
		if (!gitops_source_ref_name_valid(arg))
			return gitops_cli_usage_error(cli, "--ref-name '%s': letters, digits, '-' and '_' only (Argo CD's "
						      "ref)", arg);
		o->ref_name = arg;
		return 0;
	}
	/* the options of the cache and of authentication, shared with gitops-bump; --helm-* into spec.helm */
	for (lo = longopts; lo->name && lo->val != opt; lo++)
		;
	if (lo->name && opt >= OPT_HELM_RELEASE && opt <= OPT_HELM_API_VERSIONS)
		return gitops_helmspec_option(&o->helm, lo->name, arg, &err) < 0 ? gitops_cli_usage_error(cli, "%s", err.msg)
										 : 0;
	switch (lo->name ? gitops_git_option_set(&o->cache, &o->auth, lo->name, arg, &err) : 0) {
	case 1:
		return 0;
	case -1:
		return gitops_cli_usage_error(cli, "%s", err.msg);
	}
	return gitops_cli_usage_error(cli, "unknown option");
}

int main(int argc, char **argv)
{
	struct gitops_cli cli;
	struct opts o;
	struct gitops_git_cache_options cache_def = GITOPS_GIT_CACHE_OPTIONS_INIT;
	struct gitops_git_auth auth_def = GITOPS_GIT_AUTH_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	int ret, code = GITOPS_EXIT_OK, chart;
	const char *bad;
	cJSON *overrides = NULL, *helm = NULL;

	memset(&o, 0, sizeof(o));
	o.cache = cache_def;
	o.auth = auth_def;
	gitops_cli_init(&cli, "gitops-fetch", usage, help);
	ret = gitops_cli_parse(&cli, argc, argv, "", longopts, on_option, &o);
	if (ret >= 0) {
		cJSON_Delete(o.helm);
		return ret;
	}
	if (o.serve) { /* gitops-render's remote targets: its requests on stdin, the answers on stdout */
		struct gitops_kustomize_options ko = GITOPS_KUSTOMIZE_OPTIONS_INIT;
		gitops_git_auth_from_env(&o.auth);
		ko.git_cache = &o.cache;
		ko.git_auth = &o.auth;
		ko.chart_plain_http = o.plain_http;
		code = gitops_kustomize_remote_serve(0, 1, &ko, &err) < 0 ? gitops_cli_fail(&cli, &err) : 0;
		goto done;
	}
	if (cli.optind >= argc || cli.optind + 1 < argc) {
		code = cli.optind >= argc ? gitops_cli_usage_error(&cli, "no repository given")
					  : gitops_cli_usage_error(&cli, "unexpected argument '%s' (one repository at a time)",
								   argv[cli.optind + 1]);
		goto done;
	}
	chart = o.chart || !strncasecmp(argv[cli.optind], "oci://", 6);
	bad = o.if_changed && !o.state ? "--if-changed needs --state FILE"
	      : chart && o.ref_name	 ? "--ref-name is for Git repositories (a Source of value files)"
	      : chart && (o.npaths || o.overrides_file || o.allow_remote)
		      ? "--path, --kustomize-overrides and --allow-remote are for Git repositories: a chart is fetched whole"
	      : !chart && o.index_max	 ? "--max-index-size is for chart repositories (--chart)"
	      : !chart && o.plain_http ? "--plain-http is for oci:// registries"
				       : NULL;
	if (bad) {
		code = gitops_cli_usage_error(&cli, "%s", bad);
		goto done;
	}
	if ((o.overrides_file && gitops_kustomize_overrides_read(&overrides, o.overrides_file, &cli.limits, &err) < 0) ||
	    gitops_helmspec_build(&helm, o.helm_file, o.helm, &cli.limits, &err) < 0) {
		code = gitops_cli_fail(&cli, &err);
		goto done;
	}
	o.cache.notice = gitops_cli_on_notice;
	o.cache.progress = gitops_cli_on_detail;
	o.cache.ctx = &cli;
	gitops_git_auth_from_env(&o.auth); /* for a chart, only its files: the CA and netrc options given */
	if (chart) {
		struct gitops_fetchchart_options fo = { o.ref, o.chart, o.state, o.print_commit, o.if_changed,
							o.plain_http, o.index_max, &o.cache, &o.auth, helm };
		code = gitops_fetchchart_run(&cli, &fo, argv[cli.optind]);
	} else {
		struct gitops_fetchgit_options fo = { o.ref ? o.ref : "HEAD", o.paths, o.npaths, o.state, o.print_commit,
						      o.if_changed, o.allow_remote, o.ref_name, &o.cache, &o.auth,
						      overrides, helm };
		o.cache.live = gitops_cli_on_live;
		o.cache.warning = gitops_cli_on_warning;
		code = gitops_fetchgit_run(&cli, &fo, argv[cli.optind]);
	}
done:
	cJSON_Delete(overrides);
	cJSON_Delete(helm);
	cJSON_Delete(o.helm);
	gitops_git_shutdown();
	return code;
}
