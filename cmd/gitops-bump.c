/* gitops-bump: new image tags or values into YAML files (or a stream), keeping comments and layout. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/cli.h"
#include "lib/git.h"
#include "lib/git_write.h"
#include "lib/image.h"
#include "lib/object.h"
#include "lib/registry.h"
#include "lib/semver.h"
#include "lib/stream.h"
#include "lib/yamledit.h"

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
	OPT_KNOWN_HOSTS, OPT_NO_AGENT, OPT_CA_FILE, OPT_NETRC, OPT_ALLOW_EMPTY_INPUT
};

static const struct option longopts[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "set", required_argument, NULL, OPT_SET },
	{ "create", no_argument, NULL, OPT_CREATE },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "check", no_argument, NULL, OPT_CHECK },
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

#define MAX_ARGS 64

struct image_arg {
	char name[512];
	struct gitops_image_ref ref;
};

struct policy_arg {
	char id[512];
	struct gitops_image_ref ref;
};

struct opts {
	const char *files[MAX_ARGS];
	size_t nfiles;
	const char *sets[MAX_ARGS];
	size_t nsets;
	struct image_arg images[MAX_ARGS];
	size_t nimages;
	struct policy_arg policies[MAX_ARGS];
	size_t npolicies;
	const char *registry_image;   /* --image NAME without =REF */
	int create, check, from_registry, digest, regex_set;
	int allow_empty_input;        /* stream mode: an empty stream without a marker is no error */
	const char *semver, *regex;
	enum gitops_tag_order order;
	int order_set;
	struct gitops_registry_options reg;
	/* write-back to Git */
	const char *repo, *branch, *path_prefix, *push_branch, *author, *message;
	unsigned retries;
	const char *git_only;         /* the first option that needs --repo */
	struct gitops_git_cache_options cache;
	struct gitops_git_auth auth;
};

/* The '=' that ends PATH in PATH=VALUE: the first one outside [...] (a selector holds one). */
static char *set_value(const char *arg)
{
	int depth = 0;

	for (; *arg; arg++) {
		if (*arg == '\\' && arg[1])
			arg++;
		else if (*arg == '[')
			depth++;
		else if (*arg == ']' && depth)
			depth--;
		else if (*arg == '=' && !depth)
			return (char *)arg;
	}
	return NULL;
}

static int on_option(struct gitops_cli *cli, int opt, const char *arg, void *ctx)
{
	struct opts *o = ctx;
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *eq;

	switch (opt) {
	case 'f':
		if (o->nfiles == MAX_ARGS)
			return gitops_cli_usage_error(cli, "too many --file options (at most %d)", MAX_ARGS);
		o->files[o->nfiles++] = arg;
		return 0;
	case OPT_SET:
		if (!set_value(arg) || arg[0] == '=')
			return gitops_cli_usage_error(cli, "--set takes PATH=VALUE, not '%s'", arg);
		if (o->nsets == MAX_ARGS)
			return gitops_cli_usage_error(cli, "too many --set options (at most %d)", MAX_ARGS);
		o->sets[o->nsets++] = arg;
		return 0;
	case OPT_CREATE:
		o->create = 1;
		return 0;
	case OPT_IMAGE: {
		struct image_arg *im;
		struct gitops_image_ref probe = GITOPS_IMAGE_REF_INIT;
		eq = strchr(arg, '=');
		if (!eq) {
			/* --image NAME, for --from-registry */
			if (gitops_image_parse(&probe, arg, &err) < 0 || probe.tag || probe.digest) {
				gitops_image_release(&probe);
				return gitops_cli_usage_error(cli, "--image takes NAME=REF (or NAME with --from-registry), "
							      "not '%s'", arg);
			}
			gitops_image_release(&probe);
			if (o->registry_image)
				return gitops_cli_usage_error(cli, "--image NAME without =REF may be given once");
			o->registry_image = arg;
			return 0;
		}
		if (o->nimages == MAX_ARGS)
			return gitops_cli_usage_error(cli, "too many --image options (at most %d)", MAX_ARGS);
		im = &o->images[o->nimages];
		if ((size_t)(eq - arg) >= sizeof(im->name))
			return gitops_cli_usage_error(cli, "--image: name too long");
		memcpy(im->name, arg, (size_t)(eq - arg));
		im->name[eq - arg] = '\0';
		if (gitops_image_parse(&probe, im->name, &err) < 0 || probe.tag || probe.digest) {
			gitops_image_release(&probe);
			return gitops_cli_usage_error(cli, "--image %s: '%s' is not an image name (no tag or digest)", arg,
						      im->name);
		}
		gitops_image_release(&probe);
		if (gitops_image_parse_ref(&im->ref, eq + 1, &err) < 0)
			return gitops_cli_usage_error(cli, "--image %s: %s", arg, err.msg);
		o->nimages++;
		return 0;
	}
	case OPT_POLICY: {
		struct policy_arg *p;
		const char *colon = strchr(arg, ':');
		eq = strchr(arg, '=');
		if (!eq || !colon || colon > eq || colon == arg || colon + 1 == eq || memchr(colon + 1, ':', (size_t)(eq - colon - 1)))
			return gitops_cli_usage_error(cli, "--policy takes NAMESPACE:NAME=REF, not '%s'", arg);
		if (o->npolicies == MAX_ARGS)
			return gitops_cli_usage_error(cli, "too many --policy options (at most %d)", MAX_ARGS);
		p = &o->policies[o->npolicies];
		if ((size_t)(eq - arg) >= sizeof(p->id))
			return gitops_cli_usage_error(cli, "--policy: name too long");
		memcpy(p->id, arg, (size_t)(eq - arg));
		p->id[eq - arg] = '\0';
		if (gitops_image_parse(&p->ref, eq + 1, &err) < 0)
			return gitops_cli_usage_error(cli, "--policy %s: %s", arg, err.msg);
		o->npolicies++;
		return 0;
	}
	case OPT_CHECK:
		o->check = 1;
		return 0;
	case OPT_ALLOW_EMPTY_INPUT:
		o->allow_empty_input = 1;
		return 0;
	case OPT_FROM_REGISTRY:
		o->from_registry = 1;
		return 0;
	case OPT_SEMVER:
		o->semver = arg;
		return 0;
	case OPT_REGEX:
		o->regex = arg;
		return 0;
	case OPT_ORDER:
		if (!strcmp(arg, "numeric"))
			o->order = GITOPS_ORDER_NUMERIC;
		else if (!strcmp(arg, "alphabetical"))
			o->order = GITOPS_ORDER_ALPHABETICAL;
		else if (!strcmp(arg, "semver"))
			o->order = GITOPS_ORDER_SEMVER;
		else
			return gitops_cli_usage_error(cli, "--order takes numeric, alphabetical or semver, not '%s'", arg);
		o->order_set = 1;
		return 0;
	case OPT_DIGEST:
		o->digest = 1;
		return 0;
	case OPT_REGISTRY_CONFIG:
		o->reg.config = arg;
		return 0;
	case OPT_PLAIN_HTTP:
		o->reg.plain_http = 1;
		return 0;
	case OPT_REPO:
		if (!*arg)
			return gitops_cli_usage_error(cli, "--repo needs a repository address");
		o->repo = arg;
		return 0;
	case OPT_BRANCH:
	case OPT_PUSH_BRANCH:
		if (!*arg)
			return gitops_cli_usage_error(cli, "--%s needs a branch name", opt == OPT_BRANCH ? "branch" : "push-branch");
		*(opt == OPT_BRANCH ? &o->branch : &o->push_branch) = arg;
		break;
	case OPT_PATH_PREFIX:
		o->path_prefix = arg;
		break;
	case OPT_RETRIES: {
		char *end;
		unsigned long v;
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (!*arg || *arg == '-' || *end || errno || v > 100)
			return gitops_cli_usage_error(cli, "--retries takes a number from 0 to 100, not '%s'", arg);
		o->retries = (unsigned)v;
		break;
	}
	case OPT_AUTHOR:
		o->author = arg;
		break;
	case OPT_MESSAGE:
		o->message = arg;
		break;
	case OPT_CACHE_DIR:
		if (!*arg)
			return gitops_cli_usage_error(cli, "--cache-dir needs a directory");
		o->cache.cache_dir = arg;
		break;
	case OPT_LOCK_TIMEOUT: {
		char *end;
		unsigned long v;
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (!*arg || *arg == '-' || *end || errno || v > 86400)
			return gitops_cli_usage_error(cli, "--lock-timeout takes seconds from 0 to 86400, not '%s'", arg);
		o->cache.lock_timeout = (unsigned)v;
		break;
	}
	case OPT_SSH_KEY:
		o->auth.ssh_key = arg;
		break;
	case OPT_KNOWN_HOSTS:
		o->auth.ssh_known_hosts = arg;
		break;
	case OPT_NO_AGENT:
		o->auth.no_ssh_agent = 1;
		break;
	case OPT_CA_FILE:
		o->auth.ca_file = arg;
		break;
	case OPT_NETRC:
		o->auth.netrc_file = arg;
		break;
	default:
		return gitops_cli_usage_error(cli, "unknown option");
	}
	/* the options that only mean something with --repo */
	if (!o->git_only) {
		const struct option *lo;
		for (lo = longopts; lo->name && lo->val != opt; lo++)
			;
		o->git_only = lo->name;
	}
	return 0;
}

/* --- files --- */

struct target {
	char *path;              /* what the user named (for messages; in a repository: its path there) */
	char *real;              /* where to write (a symlink's target) */
	struct gitops_yedit *y;
	int changed;
};

struct run {
	struct gitops_cli *cli;
	struct opts *o;
	struct target *targets;
	size_t ntargets, cap;
	const char *screens[2 * MAX_ARGS + 1];   /* byte strings a file must hold to be parsed */
	size_t screen_len[2 * MAX_ARGS + 1];
	size_t nscreens;
	struct gitops_yedit_image ims[MAX_ARGS];
	struct gitops_yedit_policy pols[MAX_ARGS];
	size_t scanned, parsed, changes;
	struct gitops_buf data;
	cJSON *records;
	/* write-back to Git */
	struct gitops_git_edit *ge;      /* the commit being edited; NULL: files on disk */
	char **gfiles, **gpaths;         /* --file and PATH arguments as paths in the repository */
	size_t ngfiles, ngpaths;
	struct change_rec *first;        /* the changes the first edit made: what later ones must agree with */
	size_t nfirst;
};

/* One value changed, as the first edit saw it. */
struct change_rec {
	char *file, *what, *old, *new;
	size_t line;
};

static int has_yaml_name(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (!dot || (slash && dot < slash))
		return 0;
	return !strcmp(dot, ".yaml") || !strcmp(dot, ".yml") || !strcmp(dot, ".json");
}

static int read_fd_all(struct gitops_buf *b, int fd, size_t max, const char *path, struct gitops_err *err)
{
	struct stat st;

	b->len = 0;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && (size_t)st.st_size <= max &&
	    (!b->data || b->cap < (size_t)st.st_size + 1)) {
		char *p = realloc(b->data, (size_t)st.st_size + 1);
		if (!p)
			return gitops_err_oom(err);
		b->data = p, b->cap = (size_t)st.st_size + 1;
	}
	for (;;) {
		ssize_t n;
		if (b->cap - b->len < 65536 + 1) {
			size_t ncap = b->cap ? b->cap * 2 : 65536 * 2;
			char *p = realloc(b->data, ncap);
			if (!p)
				return gitops_err_oom(err);
			b->data = p, b->cap = ncap;
		}
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return gitops_err_errno(err, errno, path);
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		if (b->len > max)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: larger than the limit of %zu bytes", path, max);
	}
	b->data[b->len] = '\0';
	return 0;
}

static int screened_in(const struct run *r, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < r->nscreens; i++)
		if (memmem(data, len, r->screens[i], r->screen_len[i]))
			return 1;
	return 0;
}

/* real: where the file lives (a link's target), or NULL to find it on disk. */
static int add_target(struct run *r, const char *path, char *real_given, struct gitops_yedit *y,
		      struct gitops_err *err)
{
	struct target *t;
	char real[PATH_MAX];

	if (r->ntargets == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct target *p = realloc(r->targets, cap * sizeof(*p));
		if (!p)
			return gitops_err_oom(err);
		r->targets = p, r->cap = cap;
	}
	t = &r->targets[r->ntargets];
	memset(t, 0, sizeof(*t));
	t->path = strdup(path);
	t->real = real_given ? strdup(real_given) : realpath(path, real) ? strdup(real) : strdup(path);
	if (!t->path || !t->real) {
		free(t->path), free(t->real);
		return gitops_err_oom(err);
	}
	t->y = y;
	r->ntargets++;
	return 0;
}

/*
 * One file: read, screen, parse, edit.  strict: a named file or a *.yaml
 * file; a file found in a directory walk that is not YAML is skipped.
 */
static int do_file(struct run *r, const char *path, int named, struct gitops_err *err)
{
	struct gitops_yedit *y = NULL;
	char *real = NULL;
	int fd, strict = named || has_yaml_name(path), n;
	size_t i;

	if (r->ge) {
		if (gitops_git_edit_read(r->ge, path, &r->data, r->cli->limits.max_stream_bytes, &real, err) < 0)
			return -1;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return gitops_err_errno(err, errno, path);
		n = read_fd_all(&r->data, fd, r->cli->limits.max_stream_bytes, path, err);
		close(fd);
		if (n < 0)
			return -1;
	}
	r->scanned++;
	if (!r->o->nsets && !screened_in(r, r->data.data, r->data.len)) {
		free(real);
		return 0;
	}
	r->parsed++;
	if (gitops_yedit_new(&y, r->data.data, r->data.len, path, &r->cli->limits, err) < 0) {
		free(real);
		if (strict)
			return -1;
		gitops_cli_info(r->cli, 1, "skipping %s: not YAML (%s)", path, err->msg);
		err->code = 0;
		return 0;
	}
	for (i = 0; i < r->o->nsets && named; i++) {
		char *pathv = strdup(r->o->sets[i]), *eq;
		if (!pathv) {
			gitops_yedit_free(y);
			free(real);
			return gitops_err_oom(err);
		}
		eq = set_value(pathv);
		*eq = '\0';
		n = gitops_yedit_set(y, pathv, eq + 1, r->o->create, err);
		free(pathv);
		if (n < 0) {
			gitops_yedit_free(y);
			free(real);
			return -1;
		}
	}
	if ((r->o->nimages || r->o->npolicies) &&
	    gitops_yedit_images(y, r->ims, r->o->nimages, r->pols, r->o->npolicies, err) < 0) {
		gitops_yedit_free(y);
		free(real);
		return -1;
	}
	if (!gitops_yedit_nchanges(y)) {
		gitops_yedit_free(y);
		free(real);
		return 0;
	}
	n = add_target(r, path, real, y, err);
	free(real);
	if (n < 0)
		gitops_yedit_free(y);
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(struct run *r, const char *dir, struct gitops_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int error = 0;

	if (!d)
		return gitops_err_errno(err, errno, dir);
	while ((de = readdir(d))) {
		char **p;
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(p = realloc(names, cap * sizeof(*p)))) {
				error = gitops_err_oom(err);
				break;
			}
			names = p;
		}
		if (!(names[n] = strdup(de->d_name))) {
			error = gitops_err_oom(err);
			break;
		}
		n++;
	}
	closedir(d);
	if (!error)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; !error && i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
				     names[i]) >= sizeof(path)) {
			error = gitops_err_set(err, GITOPS_EXIT_IO, "%s/%s: path too long", dir, names[i]);
			break;
		}
		if (lstat(path, &st) < 0) {
			error = gitops_err_errno(err, errno, path);
			break;
		}
		if (S_ISDIR(st.st_mode))
			error = walk_dir(r, path, err);
		else if (S_ISREG(st.st_mode) && (has_yaml_name(names[i]) || !strchr(names[i], '.')))
			error = do_file(r, path, 0, err);
		/* symbolic links and special files inside a tree are skipped, as Flux does */
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return error;
}

/* The directory walk of walk_dir, over the commit being edited. */
static int walk_tree(struct run *r, const char *dir, struct gitops_err *err)
{
	struct gitops_git_dirent *d = NULL;
	size_t n = 0, i;
	int error = 0;

	if (gitops_git_edit_list(r->ge, dir, &d, &n, err) < 0)
		return -1;
	for (i = 0; !error && i < n; i++) {
		char *path;
		if (d[i].name[0] == '.')
			continue;
		if (!(path = malloc(strlen(dir) + strlen(d[i].name) + 2))) {
			error = gitops_err_oom(err);
			break;
		}
		sprintf(path, "%s%s%s", dir, *dir ? "/" : "", d[i].name);
		if (d[i].kind == GITOPS_GIT_KIND_DIR)
			error = walk_tree(r, path, err);
		else if (d[i].kind == GITOPS_GIT_KIND_FILE && (has_yaml_name(d[i].name) || !strchr(d[i].name, '.')))
			error = do_file(r, path, 0, err);
		/* symbolic links and submodules inside a tree are skipped, as on disk */
		free(path);
	}
	gitops_git_dirents_free(d, n);
	return error;
}

static int do_path(struct run *r, const char *path, struct gitops_err *err)
{
	struct stat st;

	if (r->ge) {
		enum gitops_git_kind kind;
		if (gitops_git_edit_kind(r->ge, path, 1, &kind, err) < 0)
			return -1;
		if (kind == GITOPS_GIT_KIND_DIR)
			return walk_tree(r, path, err);
		if (kind == GITOPS_GIT_KIND_FILE)
			return do_file(r, path, 1, err);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: %s in branch %s at %.12s", *path ? path : ".",
				      kind == GITOPS_GIT_KIND_MISSING ? "no such file or directory" : "not a file or directory",
				      gitops_git_edit_branch(r->ge), gitops_git_edit_commit(r->ge));
	}

	if (stat(path, &st) < 0)
		return gitops_err_errno(err, errno, path);
	if (S_ISDIR(st.st_mode))
		return walk_dir(r, path, err);
	return do_file(r, path, 1, err);
}

/* Write path atomically: a temporary file beside it, the same mode, then rename. */
static int write_atomic(const char *path, const char *data, size_t len, struct gitops_err *err)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd;

	if (stat(path, &st) < 0)
		return gitops_err_errno(err, errno, path);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s.%s.gitops-bump.XXXXXX", slash ? (int)(slash - path + 1) : 0, path,
			     slash ? slash + 1 : path) >= sizeof(tmp))
		return gitops_err_set(err, GITOPS_EXIT_IO, "%s: path too long", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return gitops_err_errno(err, errno, path);
	if (gitops_write_all(fd, data, len) < 0 || fchmod(fd, st.st_mode & 07777) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return gitops_err_errno(err, e, path);
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return gitops_err_errno(err, e, path);
	}
	return 0;
}

static void report_changes(struct run *r, const char *file, const struct gitops_yedit *y)
{
	size_t i;

	for (i = 0; i < gitops_yedit_nchanges(y); i++) {
		const struct gitops_yedit_change *c = gitops_yedit_change_at(y, i);
		r->changes++;
		gitops_cli_info(r->cli, 1, "%s:%zu: %s: %s -> %s", file, c->line, c->what, *c->old ? c->old : "(none)",
				*c->new ? c->new : "(removed)");
		if (r->records) {
			cJSON *rec = cJSON_CreateObject();
			cJSON_AddStringToObject(rec, "file", file);
			cJSON_AddNumberToObject(rec, "line", (double)c->line);
			cJSON_AddStringToObject(rec, "field", c->what);
			cJSON_AddStringToObject(rec, "old", c->old);
			cJSON_AddStringToObject(rec, "new", c->new);
			cJSON_AddItemToArray(r->records, rec);
		}
	}
}

/* --- stream mode --- */

static const char *const workload_kinds[] = { "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
					      "ReplicationController", "Job", "CronJob", NULL };

static int stream_set_image(struct run *r, cJSON *c, const struct gitops_object *o, struct gitops_err *err)
{
	cJSON *img = cJSON_GetObjectItemCaseSensitive(c, "image");
	struct gitops_image_ref old = GITOPS_IMAGE_REF_INIT;
	struct gitops_err ignored = GITOPS_ERR_INIT;
	size_t i;

	if (!cJSON_IsString(img) || gitops_image_parse(&old, img->valuestring, &ignored) < 0)
		return 0;
	for (i = 0; i < r->o->nimages; i++) {
		const struct gitops_image_ref *ref = &r->o->images[i].ref;
		struct gitops_image_ref m;
		char *s;
		if (!gitops_image_same_name(old.name, strlen(old.name), r->o->images[i].name, strlen(r->o->images[i].name)))
			continue;
		m.name = ref->name ? ref->name : old.name;
		m.tag = ref->tag ? ref->tag : old.tag;
		m.digest = ref->digest ? ref->digest : ref->tag ? NULL : old.digest;
		s = gitops_image_format(&m);
		if (!s) {
			gitops_image_release(&old);
			return gitops_err_oom(err);
		}
		if (strcmp(s, img->valuestring)) {
			r->changes++;
			gitops_cli_info(r->cli, 1, "%s:%zu: image: %s -> %s", o->source, o->line, img->valuestring, s);
			if (r->records) {
				cJSON *rec = cJSON_CreateObject();
				cJSON_AddStringToObject(rec, "file", o->source);
				cJSON_AddNumberToObject(rec, "line", (double)o->line);
				cJSON_AddStringToObject(rec, "field", "image");
				cJSON_AddStringToObject(rec, "old", img->valuestring);
				cJSON_AddStringToObject(rec, "new", s);
				cJSON_AddItemToArray(r->records, rec);
			}
			if (!cJSON_ReplaceItemInObjectCaseSensitive(c, "image", cJSON_CreateString(s))) {
				free(s);
				gitops_image_release(&old);
				return gitops_err_oom(err);
			}
		}
		free(s);
		break;
	}
	gitops_image_release(&old);
	return 0;
}

static int stream_object(struct run *r, struct gitops_object *o, struct gitops_err *err)
{
	static const char *const lists[] = { "containers", "initContainers", "ephemeralContainers" };
	const char *kind = gitops_json_get_string(o->json, "kind", NULL);
	cJSON *spec;
	size_t i;

	for (i = 0; workload_kinds[i] && (!kind || strcmp(kind, workload_kinds[i])); i++)
		;
	if (!kind || !workload_kinds[i])
		return 0;
	if (!strcmp(kind, "Pod"))
		spec = cJSON_GetObjectItemCaseSensitive(o->json, "spec");
	else if (!strcmp(kind, "CronJob"))
		spec = (cJSON *)gitops_json_get(o->json, "spec", "jobTemplate", "spec", "template", "spec", NULL);
	else
		spec = (cJSON *)gitops_json_get(o->json, "spec", "template", "spec", NULL);
	for (i = 0; spec && i < sizeof(lists) / sizeof(lists[0]); i++) {
		cJSON *c, *arr = cJSON_GetObjectItemCaseSensitive(spec, lists[i]);
		cJSON_ArrayForEach(c, arr)
			if (stream_set_image(r, c, o, err) < 0)
				return -1;
	}
	return 0;
}

/*
 * Stream mode: standard input to standard output with the images set.
 * Completeness passes on, never appears: the output ends with the marker
 * only if the input ended with a valid one, so a stream cut short upstream
 * is never handed on as whole; an input whose marker is wrong is refused.
 */
static int run_stream(struct run *r, struct gitops_err *err)
{
	struct gitops_stream_reader *rd = NULL;
	struct gitops_stream_writer *w = NULL;
	struct gitops_spool *spool = NULL;
	struct gitops_stream_status st;
	struct gitops_object o;
	int n, error = -1;

	memset(&o, 0, sizeof(o));
	if (gitops_stream_reader_fd(&rd, 0, "<stdin>", &r->cli->limits, 0, err) < 0 ||
	    gitops_spool_new(&spool, 2u << 20, err) < 0 ||
	    gitops_stream_writer_new(&w, GITOPS_FORMAT_YAML, gitops_spool_write, spool, err) < 0)
		goto done;
	while ((n = gitops_stream_read(rd, &o, err)) > 0) {
		if (stream_object(r, &o, err) < 0 || gitops_stream_writer_put(w, o.json, err) < 0)
			goto done;
		gitops_object_release(&o);
	}
	if (n < 0)
		goto done;
	gitops_stream_reader_status(rd, &st);
	if (st.marker == GITOPS_MARKER_BAD) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "<stdin>: end-of-stream check failed: %s", st.problem);
		goto done;
	}
	if (!r->o->allow_empty_input && gitops_stream_check_empty(&st, "<stdin>", err) < 0)
		goto done;
	if (gitops_stream_writer_finish_as(w, st.marker == GITOPS_MARKER_OK ? GITOPS_STREAM_COMPLETE
					   : GITOPS_STREAM_UNVOUCHED, err) < 0)
		goto done;
	if (!r->o->check && !r->records && gitops_spool_copy_to_fd(spool, 1, err) < 0)
		goto done;
	error = 0;
done:
	if (error < 0 && spool && gitops_spool_error(spool)->msg[0])
		*err = *gitops_spool_error(spool);
	gitops_object_release(&o);
	gitops_stream_writer_free(w);
	gitops_spool_free(spool);
	gitops_stream_reader_free(rd);
	return error;
}

/* --- the registry --- */

static int pick_from_registry(struct run *r, struct gitops_err *err)
{
	struct opts *o = r->o;
	struct gitops_registry *reg = NULL;
	struct gitops_semver_range *range = NULL;
	struct gitops_tag_filter f = { NULL, NULL, GITOPS_ORDER_SEMVER };
	regex_t re;
	int have_re = 0, error = -1;
	char **tags = NULL, *digest = NULL;
	size_t ntags = 0;
	const char *tag;
	struct image_arg *im;

	if (o->semver && gitops_semver_range_parse(o->semver, &range, err) < 0) {
		err->code = GITOPS_EXIT_USAGE;
		goto done;
	}
	if (o->regex) {
		int rc = regcomp(&re, o->regex, REG_EXTENDED);
		if (rc) {
			char msg[256];
			regerror(rc, &re, msg, sizeof(msg));
			gitops_err_set(err, GITOPS_EXIT_USAGE, "--regex '%s': %s", o->regex, msg);
			goto done;
		}
		have_re = 1;
		f.re = &re;
	}
	f.range = range;
	f.order = o->order_set ? o->order : GITOPS_ORDER_SEMVER;
	if (gitops_registry_open(&reg, o->registry_image, &o->reg, err) < 0 ||
	    gitops_registry_tags(reg, &tags, &ntags, err) < 0)
		goto done;
	tag = gitops_registry_choose(tags, ntags, &f);
	if (!tag) {
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: none of its %zu tag%s %s", o->registry_image, ntags,
			       ntags == 1 ? "" : "s", o->semver ? "is in the semver range" : o->regex ?
			       "matches the regular expression" : "is a release version");
		goto done;
	}
	if (o->digest && gitops_registry_digest(reg, tag, &digest, err) < 0)
		goto done;
	gitops_cli_info(r->cli, 1, "%s: chose %s%s%s of %zu tags (%zu requests)", o->registry_image, tag,
			digest ? "@" : "", digest ? digest : "", ntags, gitops_registry_requests(reg));
	if (o->nimages == MAX_ARGS) {
		gitops_err_set(err, GITOPS_EXIT_USAGE, "too many --image options (at most %d)", MAX_ARGS);
		goto done;
	}
	im = &o->images[o->nimages];
	snprintf(im->name, sizeof(im->name), "%s", o->registry_image);
	memset(&im->ref, 0, sizeof(im->ref));
	if (!(im->ref.tag = strdup(tag)))
		goto oom;
	if (digest) {
		im->ref.digest = digest;
		digest = NULL;
	}
	o->nimages++;
	error = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	free(digest);
	gitops_registry_tags_free(tags, ntags);
	gitops_registry_free(reg);
	gitops_semver_range_free(range);
	if (have_re)
		regfree(&re);
	return error;
}

/* --- write-back to Git --- */

static void free_targets(struct run *r)
{
	size_t k;

	for (k = 0; k < r->ntargets; k++) {
		gitops_yedit_free(r->targets[k].y);
		free(r->targets[k].path);
		free(r->targets[k].real);
	}
	r->ntargets = 0;
}

static void free_changes(struct change_rec *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].file);
		free(c[i].what);
		free(c[i].old);
		free(c[i].new);
	}
	free(c);
}

/* The changes of this edit, in order. */
static int collect_changes(struct run *r, struct change_rec **out, size_t *n, struct gitops_err *err)
{
	struct change_rec *c = NULL;
	size_t k, i, cnt = 0, total = 0;

	*out = NULL;
	*n = 0;
	for (k = 0; k < r->ntargets; k++)
		total += gitops_yedit_nchanges(r->targets[k].y);
	if (total && !(c = calloc(total, sizeof(*c))))
		return gitops_err_oom(err);
	for (k = 0; k < r->ntargets; k++)
		for (i = 0; i < gitops_yedit_nchanges(r->targets[k].y); i++) {
			const struct gitops_yedit_change *ch = gitops_yedit_change_at(r->targets[k].y, i);
			struct change_rec *x = &c[cnt++];
			x->file = strdup(r->targets[k].path);
			x->what = strdup(ch->what);
			x->old = strdup(ch->old);
			x->new = strdup(ch->new);
			x->line = ch->line;
			if (!x->file || !x->what || !x->old || !x->new) {
				free_changes(c, cnt);
				return gitops_err_oom(err);
			}
		}
	*out = c;
	*n = cnt;
	return 0;
}

/*
 * After the branch moved: every value this edit changes must have held,
 * on the tip the bump began with, what it holds now.  A value someone
 * else changed meanwhile is a conflict, never overwritten.  Values are
 * matched by file, field and their order among the same field.
 */
static int check_conflicts(struct run *r, const struct change_rec *now, size_t n, struct gitops_err *err)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		size_t k = 0, seen = 0;
		for (j = 0; j < i; j++)
			if (!strcmp(now[j].file, now[i].file) && !strcmp(now[j].what, now[i].what))
				k++;
		for (j = 0; j < r->nfirst; j++) {
			if (strcmp(r->first[j].file, now[i].file) || strcmp(r->first[j].what, now[i].what))
				continue;
			if (seen++ < k)
				continue;
			if (strcmp(r->first[j].old, now[i].old))
				return gitops_err_set(err, GITOPS_EXIT_REJECTED,
						      "conflict: branch %s moved to %.12s, where %s:%zu: %s is '%s', not '%s' as "
						      "when the bump began: not overwritten with '%s'; nothing pushed",
						      gitops_git_edit_branch(r->ge), gitops_git_edit_commit(r->ge), now[i].file,
						      now[i].line, now[i].what, now[i].old, r->first[j].old, now[i].new);
			break;
		}
	}
	return 0;
}

/* The distinct values of one field of the changes, ", "-joined. */
static int join_distinct(struct gitops_buf *b, const struct change_rec *c, size_t n, size_t field)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const char *v = field == 0 ? c[i].file : field == 1 ? c[i].old : c[i].new;
		int dup = 0;
		for (j = 0; j < i && !dup; j++)
			dup = !strcmp(v, field == 0 ? c[j].file : field == 1 ? c[j].old : c[j].new);
		if (dup)
			continue;
		if (gitops_buf_printf(b, "%s%s", b->len ? ", " : "", *v ? v : "(none)") < 0)
			return -1;
	}
	if (!b->data && gitops_buf_addstr(b, "") < 0)
		return -1;
	return 0;
}

static const char default_message[] = "Bump {image} to {to}\n\n{changes}\n";

static int add_ref(struct gitops_buf *b, const struct gitops_image_ref *ref)
{
	return gitops_buf_printf(b, "%s%s%s%s%s%s", b->len ? ", " : "", ref->name ? ref->name : "",
				 ref->name && ref->tag ? ":" : "", ref->tag ? ref->tag : "", ref->digest ? "@" : "",
				 ref->digest ? ref->digest : "");
}

/*
 * What --message's {image} and {to} stand for: the images, paths and
 * policies given, and what they were asked to become.
 */
static int what_given(struct gitops_buf *what, struct gitops_buf *to, const struct opts *o)
{
	size_t i;

	for (i = 0; i < o->nimages; i++)
		if (gitops_buf_printf(what, "%s%s", what->len ? ", " : "", o->images[i].name) < 0 ||
		    add_ref(to, &o->images[i].ref) < 0)
			return -1;
	for (i = 0; i < o->nsets; i++) {
		const char *eq = set_value(o->sets[i]);
		if (gitops_buf_printf(what, "%s%.*s", what->len ? ", " : "", (int)(eq - o->sets[i]), o->sets[i]) < 0 ||
		    gitops_buf_printf(to, "%s%s", to->len ? ", " : "", eq + 1) < 0)
			return -1;
	}
	for (i = 0; i < o->npolicies; i++)
		if (gitops_buf_printf(what, "%s%s", what->len ? ", " : "", o->policies[i].id) < 0 ||
		    add_ref(to, &o->policies[i].ref) < 0)
			return -1;
	if ((!what->data && gitops_buf_addstr(what, "") < 0) || (!to->data && gitops_buf_addstr(to, "") < 0))
		return -1;
	return 0;
}

/* The commit message: --message (or the default) with its placeholders filled. */
static int commit_message(char **out, const struct opts *o, const char *branch, const struct change_rec *c, size_t n,
			  struct gitops_err *err)
{
	struct gitops_buf image = GITOPS_BUF_INIT, to = GITOPS_BUF_INIT, old = GITOPS_BUF_INIT, new = GITOPS_BUF_INIT,
			  files = GITOPS_BUF_INIT, changes = GITOPS_BUF_INIT;
	size_t i;
	int ret = -1;

	if (what_given(&image, &to, o) < 0 || join_distinct(&files, c, n, 0) < 0 || join_distinct(&old, c, n, 1) < 0 ||
	    join_distinct(&new, c, n, 2) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	for (i = 0; i < n; i++)
		if (gitops_buf_printf(&changes, "%s%s:%zu: %s: %s -> %s", i ? "\n" : "", c[i].file, c[i].line, c[i].what,
				      *c[i].old ? c[i].old : "(none)", *c[i].new ? c[i].new : "(removed)") < 0) {
			gitops_err_oom(err);
			goto done;
		}
	{
		const struct gitops_git_message_var vars[] = {
			{ "image", image.data }, { "to", to.data }, { "old", old.data }, { "new", new.data }, { "files", files.data },
			{ "changes", changes.data ? changes.data : "" }, { "branch", branch },
		};
		ret = gitops_git_message_format(out, o->message ? o->message : default_message, vars,
						sizeof(vars) / sizeof(vars[0]), err);
		if (ret < 0 && o->message && err->code == GITOPS_EXIT_USAGE)
			gitops_err_prefix(err, "--message");
	}
done:
	gitops_buf_release(&image);
	gitops_buf_release(&to);
	gitops_buf_release(&old);
	gitops_buf_release(&new);
	gitops_buf_release(&files);
	gitops_buf_release(&changes);
	return ret;
}

/* The edit of one commit, redone on each new tip: the same passes as on disk. */
static int git_edit(struct gitops_git_edit *ge, unsigned attempt, void *ctx, struct gitops_err *err)
{
	struct run *r = ctx;
	struct change_rec *now = NULL;
	size_t n = 0, k;
	char *msg = NULL;
	int ret = -1;

	free_targets(r);
	r->scanned = r->parsed = 0;
	r->ge = ge;
	for (k = 0; k < r->ngfiles; k++)
		if (do_file(r, r->gfiles[k], 1, err) < 0)
			goto done;
	for (k = 0; k < r->ngpaths; k++)
		if (do_path(r, r->gpaths[k], err) < 0)
			goto done;
	if (collect_changes(r, &now, &n, err) < 0)
		goto done;
	if (attempt == 0) {
		r->first = now;
		r->nfirst = n;
		now = NULL;
		n = 0;
	} else if (check_conflicts(r, now, n, err) < 0) {
		goto done;
	}
	for (k = 0; k < r->ntargets; k++) {
		const char *text;
		size_t len;
		if (gitops_yedit_output(r->targets[k].y, &text, &len, err) < 0 ||
		    gitops_git_edit_write(ge, r->targets[k].real, text, len, err) < 0)
			goto done;
	}
	if (r->ntargets && (commit_message(&msg, r->o, gitops_git_edit_branch(ge), attempt ? now : r->first,
					   attempt ? n : r->nfirst, err) < 0 ||
			    gitops_git_edit_message(ge, msg, err) < 0))
		goto done;
	ret = 0;
done:
	if (ret < 0 && attempt > 0 && err->code == GITOPS_EXIT_INPUT) {
		/* what applied to the old tip no longer does: a conflict */
		char why[GITOPS_ERR_MSG_MAX];
		snprintf(why, sizeof(why), "%s", err->msg);
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "conflict: branch %s moved to %.12s, where the edit no longer "
			       "applies: %s; nothing pushed", gitops_git_edit_branch(ge), gitops_git_edit_commit(ge), why);
	}
	free(msg);
	free_changes(now, n);
	r->ge = NULL;
	return ret;
}

static void on_notice(void *ctx, const char *msg)
{
	gitops_cli_info(ctx, 0, "%s", msg);
}

static void on_progress(void *ctx, const char *msg)
{
	gitops_cli_info(ctx, 1, "%s", msg);
}

/* An identity from the environment: NAME and EMAIL variables, or NULL; a bad one is a usage error. */
static int env_ident(const char **name, const char **email, const char *vname, const char *vemail,
		     struct gitops_cli *cli)
{
	const char *n = getenv(vname), *e = getenv(vemail);

	*name = n && *n ? n : NULL;
	*email = e && *e ? e : NULL;
	if ((*name && strpbrk(*name, "<>\n")) || (*email && strpbrk(*email, "<>\n")))
		return gitops_cli_usage_error(cli, "$%s or $%s holds '<', '>' or a line break", vname, vemail);
	return 0;
}

/* Everything of --repo: checked, then fetch, edit, commit, push. */
static int run_git(struct run *r, struct gitops_cli *cli, int argc, char **argv)
{
	struct opts *o = r->o;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_git_write_options wo = GITOPS_GIT_WRITE_OPTIONS_INIT;
	struct gitops_git_write_result res;
	struct gitops_git_url url;
	struct gitops_git_repo *repo = NULL;
	char *prefix = NULL, *aname = NULL, *aemail = NULL, *msg = NULL;
	const char *cname, *cemail, *ename, *eemail, *adate, *cdate;
	int code, i, valid = 0;
	size_t k;

	memset(&url, 0, sizeof(url));
	memset(&res, 0, sizeof(res));
	if (cli->optind < argc && !strcmp(argv[cli->optind], "-") && argc - cli->optind == 1) {
		code = gitops_cli_usage_error(cli, "--repo edits files of the repository, not a stream on standard input");
		goto out;
	}
	/* who, and the message: before anything is fetched */
	if (env_ident(&ename, &eemail, "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", cli) ||
	    env_ident(&cname, &cemail, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", cli)) {
		code = GITOPS_EXIT_USAGE;
		goto out;
	}
	if (o->author) {
		if (gitops_git_ident_parse(&aname, &aemail, o->author, &err) < 0) {
			code = gitops_cli_usage_error(cli, "--author %s", err.msg);
			goto out;
		}
	} else if (ename && eemail) {
		if (!(aname = strdup(ename)) || !(aemail = strdup(eemail))) {
			code = gitops_cli_fail(cli, (gitops_err_oom(&err), &err));
			goto out;
		}
	} else if (!o->check) {
		code = gitops_cli_usage_error(cli, "who is the author? give --author 'Name <email>', or set "
					      "GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL");
		goto out;
	}
	adate = getenv("GIT_AUTHOR_DATE");
	cdate = getenv("GIT_COMMITTER_DATE");
	{
		git_time_t t;
		int off;
		if ((adate && *adate && gitops_git_date_parse(adate, &t, &off, "GIT_AUTHOR_DATE", &err) < 0) ||
		    (cdate && *cdate && gitops_git_date_parse(cdate, &t, &off, "GIT_COMMITTER_DATE", &err) < 0)) {
			code = gitops_cli_usage_error(cli, "%s", err.msg);
			goto out;
		}
	}
	{
		/* the placeholders of --message, tried on made-up values */
		struct change_rec probe = { (char *)"f", (char *)"image", (char *)"1", (char *)"2", 1 };
		if (commit_message(&msg, o, "main", &probe, 1, &err) < 0) {
			code = err.code == GITOPS_EXIT_USAGE ? gitops_cli_usage_error(cli, "%s", err.msg) :
							       gitops_cli_fail(cli, &err);
			goto out;
		}
		free(msg);
		msg = NULL;
	}
	if (gitops_git_init(&err) < 0) {
		code = gitops_cli_fail(cli, &err);
		goto out;
	}
	for (i = 0; i < 2; i++) {
		const char *b = i ? o->push_branch : o->branch;
		char ref[1024];
		if (!b)
			continue;
		snprintf(ref, sizeof(ref), "refs/heads/%s", b);
		if (strlen(b) > 255 || git_reference_name_is_valid(&valid, ref) < 0 || !valid) {
			code = gitops_cli_usage_error(cli, "--%s '%s' is not a valid branch name", i ? "push-branch" : "branch",
						      b);
			goto out;
		}
	}
	if (o->push_branch && o->branch && !strcmp(o->push_branch, o->branch)) {
		code = gitops_cli_usage_error(cli, "--push-branch names a new branch, not --branch itself");
		goto out;
	}
	/* paths inside the repository */
	if (gitops_git_repo_path(&prefix, NULL, o->path_prefix ? o->path_prefix : "", "--path-prefix", &err) < 0)
		goto usage;
	if (!(r->gfiles = calloc(o->nfiles + 1, sizeof(char *))) ||
	    !(r->gpaths = calloc((size_t)(argc - cli->optind) + 1, sizeof(char *)))) {
		gitops_err_oom(&err);
		goto fail;
	}
	for (k = 0; k < o->nfiles; k++, r->ngfiles++)
		if (gitops_git_repo_path(&r->gfiles[k], prefix, o->files[k], "--file", &err) < 0)
			goto usage;
	for (i = cli->optind; i < argc; i++, r->ngpaths++)
		if (gitops_git_repo_path(&r->gpaths[r->ngpaths], prefix, argv[i], "PATH", &err) < 0)
			goto usage;
	if (!o->nfiles && cli->optind == argc) {
		/* no FILE, no PATH: the whole tree under --path-prefix */
		if (!(r->gpaths[0] = strdup(prefix))) {
			gitops_err_oom(&err);
			goto fail;
		}
		r->ngpaths = 1;
	}
	if (gitops_git_url_parse(&url, o->repo, &err) < 0)
		goto usage;
	gitops_git_auth_from_env(&o->auth);
	o->cache.notice = on_notice;
	o->cache.progress = on_progress;
	o->cache.ctx = cli;
	wo.branch = o->branch;
	wo.push_branch = o->push_branch;
	wo.retries = o->retries;
	wo.author.name = aname;
	wo.author.email = aemail;
	wo.author.date = adate && *adate ? adate : NULL;
	wo.committer.name = cname && cemail ? cname : aname;
	wo.committer.email = cname && cemail ? cemail : aemail;
	wo.committer.date = cdate && *cdate ? cdate : NULL;
	wo.dry_run = o->check;
	wo.notice = on_progress;
	wo.ctx = cli;
	if (gitops_git_open(&repo, &url, &o->cache, &err) < 0 ||
	    gitops_git_write(&res, repo, &url, &o->auth, &wo, git_edit, r, &err) < 0)
		goto fail;
	for (k = 0; k < r->ntargets; k++)
		report_changes(r, r->targets[k].path, r->targets[k].y);
	gitops_cli_info(cli, 2, "%zu file%s read, %zu parsed, %zu changed", r->scanned, r->scanned == 1 ? "" : "s",
			r->parsed, r->ntargets);
	if (res.commit[0])
		gitops_cli_info(cli, 1, "%s: pushed %s to %s (on %.12s of %s%s)", url.display, res.commit,
				o->push_branch ? o->push_branch : res.branch, res.base, res.branch,
				res.attempts > 1 ? ", after the branch moved" : "");
	else if (!res.changed)
		gitops_cli_info(cli, 1, "%s: nothing to change in %s at %.12s", url.display, res.branch, res.base);
	if (r->records) {
		cJSON *doc = cJSON_CreateObject();
		char *text;
		cJSON_AddItemToObject(doc, "changes", r->records);
		r->records = NULL;
		cJSON_AddBoolToObject(doc, "check", o->check);
		cJSON_AddStringToObject(doc, "repository", url.display);
		cJSON_AddStringToObject(doc, "branch", res.branch);
		cJSON_AddStringToObject(doc, "base", res.base);
		if (res.commit[0])
			cJSON_AddStringToObject(doc, "commit", res.commit);
		else
			cJSON_AddNullToObject(doc, "commit");
		if (o->push_branch)
			cJSON_AddStringToObject(doc, "pushBranch", o->push_branch);
		cJSON_AddNumberToObject(doc, "attempts", res.attempts);
		text = cJSON_Print(doc);
		if (text)
			printf("%s\n", text);
		free(text);
		cJSON_Delete(doc);
	} else if (res.commit[0]) {
		printf("%s\n", res.commit);
	}
	code = o->check && res.changed ? GITOPS_EXIT_DIFFERENT : GITOPS_EXIT_OK;
	goto out;
usage:
	code = err.code == GITOPS_EXIT_USAGE ? gitops_cli_usage_error(cli, "%s", err.msg) : gitops_cli_fail(cli, &err);
	goto out;
fail:
	code = gitops_cli_fail(cli, &err);
out:
	gitops_git_write_result_release(&res);
	gitops_git_close(repo);
	gitops_git_url_release(&url);
	free(prefix);
	free(aname);
	free(aemail);
	free(msg);
	return code;
}

int main(int argc, char **argv)
{
	struct gitops_cli cli;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct opts o;
	struct run r;
	struct gitops_registry_options rdef = GITOPS_REGISTRY_OPTIONS_INIT;
	struct gitops_git_cache_options cdef = GITOPS_GIT_CACHE_OPTIONS_INIT;
	struct gitops_git_auth adef = GITOPS_GIT_AUTH_INIT;
	int ret, i, code = GITOPS_EXIT_OK, stream;
	size_t k;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	o.reg = rdef;
	o.cache = cdef;
	o.auth = adef;
	o.retries = 5;
	gitops_cli_init(&cli, "gitops-bump", usage, help);
	ret = gitops_cli_parse(&cli, argc, argv, "f:", longopts, on_option, &o);
	if (ret >= 0)
		goto out;
	if (o.git_only && !o.repo) {
		ret = gitops_cli_usage_error(&cli, "--%s goes with --repo", o.git_only);
		goto out;
	}
	r.cli = &cli, r.o = &o;
	stream = !o.repo && !o.nfiles && cli.optind == argc;
	if (cli.optind + 1 == argc && !strcmp(argv[cli.optind], "-") && !o.nfiles && !o.repo)
		stream = 1;
	if (!o.nsets && !o.nimages && !o.npolicies && !o.registry_image) {
		ret = gitops_cli_usage_error(&cli, "nothing to do: give --set, --image or --policy");
		goto out;
	}
	if (o.nsets && !o.nfiles) {
		ret = gitops_cli_usage_error(&cli, "--set needs --file FILE");
		goto out;
	}
	if (o.create && !o.nsets) {
		ret = gitops_cli_usage_error(&cli, "--create goes with --set");
		goto out;
	}
	if (o.registry_image && !o.from_registry) {
		ret = gitops_cli_usage_error(&cli, "--image %s needs =REF, or --from-registry", o.registry_image);
		goto out;
	}
	if (o.from_registry && !o.registry_image) {
		ret = gitops_cli_usage_error(&cli, "--from-registry needs --image NAME (without =REF)");
		goto out;
	}
	if (!o.from_registry && (o.semver || o.regex || o.digest || o.order_set || o.reg.plain_http || o.reg.config)) {
		ret = gitops_cli_usage_error(&cli, "--semver, --regex, --order, --digest, --registry-config and "
					     "--plain-http go with --from-registry");
		goto out;
	}
	if (o.semver && (o.regex || (o.order_set && o.order != GITOPS_ORDER_SEMVER))) {
		ret = gitops_cli_usage_error(&cli, "--semver and --regex/--order exclude each other");
		goto out;
	}
	if (o.order_set && !o.regex) {
		ret = gitops_cli_usage_error(&cli, "--order goes with --regex");
		goto out;
	}
	if (!stream && o.allow_empty_input) {
		ret = gitops_cli_usage_error(&cli, "--allow-empty-input goes with a stream on standard input");
		goto out;
	}
	if (stream && (o.nsets || o.npolicies)) {
		ret = gitops_cli_usage_error(&cli, "a stream on standard input takes --image only (--set needs --file, "
					     "and $imagepolicy markers are comments a stream does not keep)");
		goto out;
	}
	if (o.registry_image && pick_from_registry(&r, &err) < 0)
		goto fail;
	if (cli.format == GITOPS_FORMAT_JSON)
		r.records = cJSON_CreateArray();

	if (stream) {
		if (run_stream(&r, &err) < 0)
			goto fail;
		goto report;
	}

	for (k = 0; k < o.nimages; k++) {
		size_t blen;
		const char *base = gitops_image_basename(o.images[k].name, strlen(o.images[k].name), &blen);
		r.ims[k].name = o.images[k].name;
		r.ims[k].ref = &o.images[k].ref;
		r.screens[r.nscreens] = base;
		r.screen_len[r.nscreens++] = blen;
	}
	for (k = 0; k < o.npolicies; k++) {
		r.pols[k].id = o.policies[k].id;
		r.pols[k].ref = &o.policies[k].ref;
	}
	if (o.npolicies) {
		r.screens[r.nscreens] = "$imagepolicy";
		r.screen_len[r.nscreens++] = 12;
	}
	if (o.repo) {
		code = run_git(&r, &cli, argc, argv);
		goto done;
	}
	for (k = 0; k < o.nfiles; k++)
		if (do_file(&r, o.files[k], 1, &err) < 0)
			goto fail;
	for (i = cli.optind; i < argc; i++)
		if (do_path(&r, argv[i], &err) < 0)
			goto fail;
	for (k = 0; k < r.ntargets; k++) {
		const char *text;
		size_t len;
		report_changes(&r, r.targets[k].path, r.targets[k].y);
		if (o.check)
			continue;
		if (gitops_yedit_output(r.targets[k].y, &text, &len, &err) < 0 ||
		    write_atomic(r.targets[k].real, text, len, &err) < 0)
			goto fail;
	}
	gitops_cli_info(&cli, 2, "%zu file%s read, %zu parsed, %zu changed", r.scanned, r.scanned == 1 ? "" : "s",
			r.parsed, r.ntargets);
report:
	if (r.records) {
		cJSON *doc = cJSON_CreateObject();
		char *text;
		cJSON_AddItemToObject(doc, "changes", r.records);
		r.records = NULL;
		cJSON_AddBoolToObject(doc, "check", o.check);
		text = cJSON_Print(doc);
		if (text)
			printf("%s\n", text);
		free(text);
		cJSON_Delete(doc);
	}
	if (o.check && r.changes)
		code = GITOPS_EXIT_DIFFERENT;
	goto done;
fail:
	code = gitops_cli_fail(&cli, &err);
done:
	ret = code;
	cJSON_Delete(r.records);
	free_targets(&r);
	free(r.targets);
	free_changes(r.first, r.nfirst);
	for (k = 0; k < r.ngfiles; k++)
		free(r.gfiles[k]);
	for (k = 0; k < r.ngpaths; k++)
		free(r.gpaths[k]);
	free(r.gfiles);
	free(r.gpaths);
	gitops_buf_release(&r.data);
	gitops_git_shutdown();
	if (fflush(stdout) != 0 && ret == GITOPS_EXIT_OK)
		ret = GITOPS_EXIT_IO;
out:
	for (k = 0; k < o.nimages; k++)
		gitops_image_release(&o.images[k].ref);
	for (k = 0; k < o.npolicies; k++)
		gitops_image_release(&o.policies[k].ref);
	return ret;
}
