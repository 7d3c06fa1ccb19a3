/* gitops-bump: new image tags or values into YAML files (or a stream), keeping comments and layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bump/bump.h"
#include "cmd/tool/cli.h"

static const char usage[] = "gitops-bump [options] --file FILE --set PATH=VALUE...\n"
	"gitops-bump [options] --image NAME=REF [PATH...]\n"
	"gitops-bump [options] --policy NS:NAME=REF [PATH...]\n"
	"gitops-bump [options] --image NAME --from-registry [--semver RANGE] [--digest] [PATH...]";

static const char help[] =
	"Write new image tags or values into YAML files, keeping comments and layout: only the\n"
	"bytes of the values change.  PATH is a file or a directory (searched\n"
	"recursively for *.yaml, *.yml, *.json and files without an extension such as\n"
	"Kustomization; hidden directories and symbolic links in it are skipped).  With no\n"
	"FILE and no PATH, a stream of objects is read on standard input and written with the images set,\n"
	"with the end-of-stream marker only if the input ended with a valid one.\n"
	"Files are written atomically and only when something changed.\n"
	"\n"
	"options:\n"
	"  -f, --file FILE         a YAML file for --set (repeatable)\n"
	"      --set PATH=VALUE    set the scalar at PATH (image.tag, containers[name=web].image,\n"
	"                          images[0].newTag) to VALUE (repeatable)\n"
	"      --create            add the keys of a --set PATH that do not exist\n"
	"      --image NAME=REF    set image NAME to REF (a tag, NAME:TAG, NAME:TAG@DIGEST) in\n"
	"                          containers, Kustomize images and Helm-style values (repeatable)\n"
	"      --policy NS:NAME=REF  the latest image of Flux ImagePolicy NS/NAME, for the\n"
	"                          markers # {\"$imagepolicy\": \"NS:NAME[:tag|:name|:digest]\"}\n"
	"      --check             change nothing; exit 1 when a bump is needed, 0 when not\n"
	"      --only-newer        replace a tag only with a higher semantic version; an older\n"
	"                          or equal one is refused (exit 7), nothing is written\n"
	"      --allow-empty-input  stream mode: accept a stream with no object and no\n"
	"                          end-of-stream marker (else an error: its producer may have failed)\n"
	"      --from-registry     pick the tag of --image NAME from its registry\n"
	"      --semver RANGE      the newest tag in RANGE (\">=1.2 <2\", \"^1.2\", \"1.2.x\");\n"
	"                          the default: the newest release\n"
	"      --regex RE          only tags matching RE (POSIX extended); its first group, or\n"
	"                          the match, is what is ordered\n"
	"      --order ORDER       with --regex: numeric or alphabetical (default: semver)\n"
	"      --digest            pin the digest of the chosen tag (Docker-Content-Digest)\n"
	"      --registry-config FILE  docker config.json with credentials\n"
	"                          (default: $DOCKER_CONFIG/config.json, ~/.docker/config.json)\n"
	"      --plain-http        talk to the registry over http, not https\n"
	"\n"
	"write-back to Git (FILE and PATH are then paths inside the repository; with no FILE\n"
	"and no PATH: all of it, or all of --path-prefix):\n"
	"      --repo URL          edit the tip of a branch of the repository URL, commit and\n"
	"                          push (never forced); print the new commit (nothing when\n"
	"                          nothing changed)\n"
	"      --branch BRANCH     the branch (default: the remote's default branch)\n"
	"      --path-prefix DIR   FILE and PATH are under DIR of the repository\n"
	"      --push-branch NAME  push the commit to a new branch NAME instead (for review)\n"
	"      --retries N         when another push moved the branch first: fetch, edit the\n"
	"                          new tip, push again, up to N times (default 5)\n"
	"      --author 'NAME <EMAIL>'  the author (default: $GIT_AUTHOR_NAME, $GIT_AUTHOR_EMAIL;\n"
	"                          the committer: $GIT_COMMITTER_NAME, $GIT_COMMITTER_EMAIL, else the author)\n"
	"      --message TEMPLATE  the commit message: {image}, {to}, {old}, {new}, {files},\n"
	"                          {changes}, {branch} are replaced (default 'Bump {image} to\n"
	"                          {to}', a blank line, {changes})\n"
	"      --cache-dir DIR     the cache of mirrors, shared with gitops-fetch\n"
	"                          (default $XDG_CACHE_HOME/gitops)\n"
	"      --lock-timeout SECONDS  wait this long for another run's lock (default 300)\n"
	"      --ssh-key FILE      private key for ssh (passphrase: $GITOPS_SSH_KEY_PASSPHRASE)\n"
	"      --ssh-known-hosts FILE  known host keys (default ~/.ssh/known_hosts)\n"
	"      --no-ssh-agent      do not ask ssh-agent for keys\n"
	"      --ca-file FILE      CA certificates (PEM) for https, instead of the system's\n"
	"      --netrc-file FILE   https credentials per host, in netrc form\n"
	"                          (https tokens: $GITOPS_GIT_TOKEN, or $GITOPS_GIT_USERNAME\n"
	"                          and $GITOPS_GIT_PASSWORD)\n"
	"\n"
	"common options:\n"
	"  -o, --output FORMAT     yaml (default): the stream in stream mode; json: the changes\n"
	"                          (and with --repo the commit)\n"
	"  -q, --quiet             no warnings\n"
	"  -v, --verbose           say what changed (file:line: field: old -> new)\n"
	"      --color[=WHEN]      colour messages: always (when WHEN is left out), never,\n"
	"                          or auto (the default: only on a terminal, never with NO_COLOR)\n"
	"  -h, --help              show this help\n"
	"  -V, --version           show the version\n";

enum {
	OPT_SET = 300, OPT_CREATE, OPT_IMAGE, OPT_POLICY, OPT_CHECK, OPT_FROM_REGISTRY, OPT_SEMVER, OPT_REGEX,
	OPT_ORDER, OPT_DIGEST, OPT_REGISTRY_CONFIG, OPT_PLAIN_HTTP, OPT_REPO, OPT_BRANCH, OPT_PATH_PREFIX,
	OPT_PUSH_BRANCH, OPT_RETRIES, OPT_AUTHOR, OPT_MESSAGE, OPT_CACHE_DIR, OPT_LOCK_TIMEOUT, OPT_SSH_KEY,
	OPT_KNOWN_HOSTS, OPT_NO_AGENT, OPT_CA_FILE, OPT_NETRC, OPT_ALLOW_EMPTY_INPUT, OPT_ONLY_NEWER
};

static const struct option longopts[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "set", required_argument, NULL, OPT_SET },
	{ "create", no_argument, NULL, OPT_CREATE },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "only-newer", no_argument, NULL, OPT_ONLY_NEWER },
	{ "allow-empty-input", no_argument, NULL, OPT_ALLOW_EMPTY_INPUT },
	{ "from-registry", no_argument, NULL, OPT_FROM_REGISTRY },
	{ "semver", required_argument, NULL, OPT_SEMVER },
	{ "regex", required_argument, NULL, OPT_REGEX },
	{ "order", required_argument, NULL, OPT_ORDER },
	{ "digest", no_argument, NULL, OPT_DIGEST },
	{ "registry-config", required_argument, NULL, OPT_REGISTRY_CONFIG },
	{ "plain-http", no_argument, NULL, OPT_PLAIN_HTTP },
	{ "repo", required_argument, NULL, OPT_REPO },
	{ "branch", required_argument, NULL, OPT_BRANCH },
	{ "path-prefix", required_argument, NULL, OPT_PATH_PREFIX },
	{ "push-branch", required_argument, NULL, OPT_PUSH_BRANCH },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "author", required_argument, NULL, OPT_AUTHOR },
	{ "message", required_argument, NULL, OPT_MESSAGE },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "ssh-key", required_argument, NULL, OPT_SSH_KEY },
	{ "ssh-known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS },
	{ "no-ssh-agent", no_argument, NULL, OPT_NO_AGENT },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "netrc-file", required_argument, NULL, OPT_NETRC },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	struct gitops_bump_options b;
	const char *git_only;
};

static int on_option(struct gitops_cli *cli, int opt, const char *arg, void *ctx)
{
	struct opts *op = ctx;
	struct gitops_err err = GITOPS_ERR_INIT;
	const struct option *lo;
	int r;

	for (lo = longopts; lo->name && lo->val != opt; lo++)
		;
	if (!lo->name)
		return gitops_cli_usage_error(cli, "unknown option");
	if ((r = gitops_bump_options_set(&op->b, lo->name, arg, &err)) < 0)
		return gitops_cli_usage_error(cli, "%s", err.msg);
	if (r == 1 && !op->git_only)
		op->git_only = lo->name;      /* the first option that needs --repo */
	return 0;
}

/* What is reported: the changes (-v lines, -o json records) and the library's notes. */
struct report {
	struct gitops_cli *cli;
	cJSON *records;
	size_t changes;
};

static void on_change(void *ctx, const struct gitops_bump_change *c)
{
	struct report *rp = ctx;

	rp->changes++;
	gitops_cli_info(rp->cli, 1, "%s:%zu: %s: %s -> %s", c->file, c->line, c->what, *c->old ? c->old : "(none)",
			*c->new ? c->new : "(removed)");
	if (rp->records)
		cJSON_AddItemToArray(rp->records, gitops_bump_change_json(c));
}

static void on_notice(void *ctx, int level, const char *msg)
{
	if (level == GITOPS_BUMP_WARNING)
		gitops_cli_warn(((struct report *)ctx)->cli, "%s", msg);
	else
		gitops_cli_info(((struct report *)ctx)->cli, level, "%s", msg);
}

static void report_stats(struct gitops_cli *cli, const struct gitops_bump *b)
{
	size_t scanned, parsed, changed;

	gitops_bump_stats(&scanned, &parsed, &changed, b);
	gitops_cli_info(cli, 2, "%zu file%s read, %zu parsed, %zu changed", scanned, scanned == 1 ? "" : "s", parsed,
			changed);
}

/* -o json: {"changes": [...], "check": ...} and, with --repo, where the commit went. */
static void print_json(struct report *rp, const struct opts *op, const struct gitops_bump_git_result *res)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddItemToObject(doc, "changes", rp->records);
	rp->records = NULL;
	cJSON_AddBoolToObject(doc, "check", op->b.check);
	if (res)
		gitops_bump_git_result_json(doc, res, op->b.push_branch);
	gitops_cli_print_json(doc); /* a write error shows at the final flush */
}

/* --repo: checked, then fetch, edit, commit, push. */
static int run_git(struct gitops_cli *cli, struct gitops_bump *b, struct report *rp, const struct opts *op,
		   char **paths, size_t npaths)
{
	struct gitops_bump_git_result res = { .repository = NULL };
	struct gitops_err err = GITOPS_ERR_INIT;
	int code;

	if (npaths == 1 && !strcmp(paths[0], "-"))
		return gitops_cli_usage_error(cli, "--repo edits files of the repository, not a stream on standard input");
	if (gitops_bump_git_prepare(b, paths, npaths, &err) < 0)
		return err.code == GITOPS_EXIT_USAGE ? gitops_cli_usage_error(cli, "%s", err.msg) : gitops_cli_fail(cli, &err);
	if (gitops_bump_git(&res, b, &err) < 0) {
		code = gitops_cli_fail(cli, &err);
		goto done;
	}
	report_stats(cli, b);
	if (res.w.commit[0])
		gitops_cli_info(cli, 1, "%s: pushed %s to %s (on %.12s of %s%s)", res.repository, res.w.commit,
				op->b.push_branch ? op->b.push_branch : res.w.branch, res.w.base, res.w.branch,
				res.w.attempts > 1 ? ", after the branch moved" : "");
	else if (!res.w.changed)
		gitops_cli_info(cli, 1, "%s: nothing to change in %s at %.12s", res.repository, res.w.branch, res.w.base);
	if (rp->records)
		print_json(rp, op, &res);
	else if (res.w.commit[0])
		printf("%s\n", res.w.commit);
	code = op->b.check && res.w.changed ? GITOPS_EXIT_DIFFERENT : GITOPS_EXIT_OK;
done:
	gitops_bump_git_result_release(&res);
	return code;
}

int main(int argc, char **argv)
{
	struct gitops_cli cli;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct opts op = { GITOPS_BUMP_OPTIONS_INIT, NULL };
	struct report rp = { &cli, NULL, 0 };
	struct gitops_bump *b = NULL;
	char **paths;
	size_t npaths;
	int ret, code = GITOPS_EXIT_OK, stream;

	gitops_cli_init(&cli, "gitops-bump", usage, help);
	ret = gitops_cli_parse(&cli, argc, argv, "f:", longopts, on_option, &op);
	if (ret >= 0)
		goto out;
	if (op.git_only && !op.b.repo) {
		ret = gitops_cli_usage_error(&cli, "--%s goes with --repo", op.git_only);
		goto out;
	}
	paths = argv + cli.optind;
	npaths = (size_t)(argc - cli.optind);
	stream = !op.b.repo && !op.b.nfiles && (!npaths || (npaths == 1 && !strcmp(paths[0], "-")));
	if (gitops_bump_options_check(&op.b, stream, &err) < 0) {
		ret = gitops_cli_usage_error(&cli, "%s", err.msg);
		goto out;
	}
	op.b.limits = &cli.limits;
	op.b.on_change = on_change;
	op.b.notice = on_notice;
	op.b.ctx = &rp;
	if (op.b.registry_image && gitops_bump_pick_tag(&op.b, &err) < 0)
		goto fail;
	if (cli.format == GITOPS_FORMAT_JSON)
		rp.records = cJSON_CreateArray();
	if (gitops_bump_new(&b, &op.b, &err) < 0)
		goto fail;
	if (stream) {
		if (gitops_bump_stream(b, 0, op.b.check || rp.records ? -1 : 1, &err) < 0)
			goto fail;
	} else if (op.b.repo) {
		code = run_git(&cli, b, &rp, &op, paths, npaths);
		goto done;
	} else {
		if (gitops_bump_files(b, paths, npaths, &err) < 0)
			goto fail;
		report_stats(&cli, b);
	}
	if (rp.records)
		print_json(&rp, &op, NULL);
	if (op.b.check && rp.changes)
		code = GITOPS_EXIT_DIFFERENT;
	goto done;
fail:
	code = gitops_cli_fail(&cli, &err);
done:
	ret = code;
	cJSON_Delete(rp.records);
	gitops_bump_free(b);
	gitops_git_shutdown();
	if (fflush(stdout) != 0 && ret == GITOPS_EXIT_OK)
		ret = GITOPS_EXIT_IO;
out:
	gitops_bump_options_release(&op.b);
	return ret;
}
