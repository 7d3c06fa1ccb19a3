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
	"FILE and no PATH, a stream of objects is read on standard input and written with the images set.\n"
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
	"      --repo URL, --branch B, --path-prefix P, --push-branch B, --retries N,\n"
	"      --author A, --message M   write-back to Git: not in this version (exit 2)\n"
	"  -o, --output FORMAT     yaml (default): the stream in stream mode; json: the changes\n"
	"  -q, --quiet             no warnings\n"
	"  -v, --verbose           say what changed (file:line: field: old -> new)\n"
	"      --color[=WHEN]      colour messages: always (when WHEN is left out), never,\n"
	"                          or auto (the default: only on a terminal, never with NO_COLOR)\n"
	"  -h, --help              show this help\n"
	"  -V, --version           show the version\n";

enum {
	OPT_SET = 300, OPT_CREATE, OPT_IMAGE, OPT_POLICY, OPT_CHECK, OPT_FROM_REGISTRY, OPT_SEMVER, OPT_REGEX,
	OPT_ORDER, OPT_DIGEST, OPT_REGISTRY_CONFIG, OPT_PLAIN_HTTP, OPT_GIT
};

static const struct option longopts[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "set", required_argument, NULL, OPT_SET },
	{ "create", no_argument, NULL, OPT_CREATE },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "from-registry", no_argument, NULL, OPT_FROM_REGISTRY },
	{ "semver", required_argument, NULL, OPT_SEMVER },
	{ "regex", required_argument, NULL, OPT_REGEX },
	{ "order", required_argument, NULL, OPT_ORDER },
	{ "digest", no_argument, NULL, OPT_DIGEST },
	{ "registry-config", required_argument, NULL, OPT_REGISTRY_CONFIG },
	{ "plain-http", no_argument, NULL, OPT_PLAIN_HTTP },
	{ "repo", required_argument, NULL, OPT_GIT },
	{ "branch", required_argument, NULL, OPT_GIT },
	{ "path-prefix", required_argument, NULL, OPT_GIT },
	{ "push-branch", required_argument, NULL, OPT_GIT },
	{ "retries", required_argument, NULL, OPT_GIT },
	{ "author", required_argument, NULL, OPT_GIT },
	{ "message", required_argument, NULL, OPT_GIT },
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
	const char *semver, *regex;
	enum gitops_tag_order order;
	int order_set;
	struct gitops_registry_options reg;
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
	case OPT_GIT:
		return 0;   /* refused after parsing, naming the option */
	}
	return gitops_cli_usage_error(cli, "unknown option");
}

/* --- files --- */

struct target {
	char *path;              /* what the user named (for messages) */
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

static int add_target(struct run *r, const char *path, struct gitops_yedit *y, struct gitops_err *err)
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
	t->real = realpath(path, real) ? strdup(real) : strdup(path);
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
	int fd, strict = named || has_yaml_name(path), n;
	size_t i;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gitops_err_errno(err, errno, path);
	n = read_fd_all(&r->data, fd, r->cli->limits.max_stream_bytes, path, err);
	close(fd);
	if (n < 0)
		return -1;
	r->scanned++;
	if (!r->o->nsets && !screened_in(r, r->data.data, r->data.len))
		return 0;
	r->parsed++;
	if (gitops_yedit_new(&y, r->data.data, r->data.len, path, &r->cli->limits, err) < 0) {
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
			return gitops_err_oom(err);
		}
		eq = set_value(pathv);
		*eq = '\0';
		n = gitops_yedit_set(y, pathv, eq + 1, r->o->create, err);
		free(pathv);
		if (n < 0) {
			gitops_yedit_free(y);
			return -1;
		}
	}
	if ((r->o->nimages || r->o->npolicies) &&
	    gitops_yedit_images(y, r->ims, r->o->nimages, r->pols, r->o->npolicies, err) < 0) {
		gitops_yedit_free(y);
		return -1;
	}
	if (!gitops_yedit_nchanges(y)) {
		gitops_yedit_free(y);
		return 0;
	}
	return add_target(r, path, y, err) < 0 ? (gitops_yedit_free(y), -1) : 0;
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

static int do_path(struct run *r, const char *path, struct gitops_err *err)
{
	struct stat st;

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

static int run_stream(struct run *r, struct gitops_err *err)
{
	struct gitops_stream_reader *rd = NULL;
	struct gitops_stream_writer *w = NULL;
	struct gitops_spool *spool = NULL;
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
	if (n < 0 || gitops_stream_writer_finish(w, err) < 0)
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

/* The first write-back option on the command line, or NULL. */
static const char *git_option(int argc, char **argv)
{
	static const char *const names[] = { "--repo", "--branch", "--path-prefix", "--push-branch", "--retries",
					     "--author", "--message", NULL };
	int i, j;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		for (j = 0; names[j]; j++) {
			size_t n = strlen(names[j]);
			if (!strncmp(argv[i], names[j], n) && (argv[i][n] == '\0' || argv[i][n] == '='))
				return names[j];
		}
	return NULL;
}

int main(int argc, char **argv)
{
	struct gitops_cli cli;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct opts o;
	struct run r;
	struct gitops_registry_options rdef = GITOPS_REGISTRY_OPTIONS_INIT;
	const char *gitopt;
	int ret, i, code = GITOPS_EXIT_OK, stream;
	size_t k;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	o.reg = rdef;
	gitops_cli_init(&cli, "gitops-bump", usage, help);
	ret = gitops_cli_parse(&cli, argc, argv, "f:", longopts, on_option, &o);
	if (ret >= 0)
		goto out;
	if ((gitopt = git_option(argc, argv))) {
		ret = gitops_cli_error(&cli, GITOPS_EXIT_USAGE, "%s: this version cannot write back to Git yet", gitopt);
		goto out;
	}
	r.cli = &cli, r.o = &o;
	stream = !o.nfiles && cli.optind == argc;
	if (cli.optind + 1 == argc && !strcmp(argv[cli.optind], "-") && !o.nfiles)
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
	for (k = 0; k < r.ntargets; k++) {
		gitops_yedit_free(r.targets[k].y);
		free(r.targets[k].path);
		free(r.targets[k].real);
	}
	free(r.targets);
	gitops_buf_release(&r.data);
	if (fflush(stdout) != 0 && ret == GITOPS_EXIT_OK)
		ret = GITOPS_EXIT_IO;
out:
	for (k = 0; k < o.nimages; k++)
		gitops_image_release(&o.images[k].ref);
	for (k = 0; k < o.npolicies; k++)
		gitops_image_release(&o.policies[k].ref);
	return ret;
}
