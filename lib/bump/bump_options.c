/* bump_options.c: gitops-bump's options: parsed, checked together, and --from-registry's tag. */
#include "lib/bump/bump.h"
#include "lib/base/regex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/parse.h"
#include "lib/base/semver.h"
#include "lib/bump/bump_newer.h"
#include "lib/value/path.h"

void gitops_bump_notice(const struct gitops_bump_options *o, int level, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX * 2];
	va_list ap;

	if (!o->notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o->notice(o->ctx, level, msg);
}

char *gitops_bump_set_split(const char *arg)
{
	return gitops_path_assignment_split(arg);
}

/* A name with neither tag nor digest. */
static int bare_name(const char *s)
{
	struct gitops_image_ref probe = GITOPS_IMAGE_REF_INIT;
	struct gitops_err ignored = GITOPS_ERR_INIT;
	int ok = gitops_image_parse(&probe, s, &ignored) == 0 && !probe.tag && !probe.digest;

	gitops_image_release(&probe);
	return ok;
}

/* "OPTION ARG: what was wrong", a usage error. */
static int usage_prefix(struct gitops_err *err, const char *option, const char *arg)
{
	char why[GITOPS_ERR_MSG_MAX];

	snprintf(why, sizeof(why), "%s", err->msg);
	return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s %s: %s", option, arg, why);
}

/*
 * The KEY of --OPTION KEY=REF into key[size], when there is room for one
 * more (n of them so far).  A usage error otherwise.
 */
static int take_key(char *key, size_t size, size_t n, const char *option, const char *arg, const char *eq,
		    struct gitops_err *err)
{
	if (n == GITOPS_BUMP_MAX_ARGS)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "too many %s options (at most %d)", option,
				      GITOPS_BUMP_MAX_ARGS);
	if ((size_t)(eq - arg) >= size)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: name too long", option);
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	return 0;
}

int gitops_bump_options_add_image(struct gitops_bump_options *o, const char *arg, struct gitops_err *err)
{
	const char *eq = strchr(arg, '=');
	struct gitops_bump_image *im;

	if (!eq) {
		/* --image NAME, for --from-registry */
		if (!bare_name(arg))
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--image takes NAME=REF (or NAME with --from-registry), "
					      "not '%s'", arg);
		if (o->registry_image)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--image NAME without =REF may be given once");
		o->registry_image = arg;
		return 0;
	}
	im = &o->images[o->nimages < GITOPS_BUMP_MAX_ARGS ? o->nimages : 0];
	if (take_key(im->name, sizeof(im->name), o->nimages, "--image", arg, eq, err) < 0)
		return -1;
	if (!bare_name(im->name))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "--image %s: '%s' is not an image name (no tag or digest)",
				      arg, im->name);
	if (gitops_image_parse_ref(&im->ref, eq + 1, err) < 0)
		return usage_prefix(err, "--image", arg);
	o->nimages++;
	return 0;
}

int gitops_bump_options_add_policy(struct gitops_bump_options *o, const char *arg, struct gitops_err *err)
{
	const char *colon = strchr(arg, ':'), *eq = strchr(arg, '=');
	struct gitops_bump_policy *p;

	if (!eq || !colon || colon > eq || colon == arg || colon + 1 == eq || memchr(colon + 1, ':', (size_t)(eq - colon - 1)))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "--policy takes NAMESPACE:NAME=REF, not '%s'", arg);
	p = &o->policies[o->npolicies < GITOPS_BUMP_MAX_ARGS ? o->npolicies : 0];
	if (take_key(p->id, sizeof(p->id), o->npolicies, "--policy", arg, eq, err) < 0)
		return -1;
	if (gitops_image_parse(&p->ref, eq + 1, err) < 0)
		return usage_prefix(err, "--policy", arg);
	o->npolicies++;
	return 0;
}

/* The option `name` (a long name) that takes no argument: its flag, or NULL. */
static int *flag_of(struct gitops_bump_options *o, const char *name)
{
	return !strcmp(name, "create") ? &o->create : !strcmp(name, "check") ? &o->check :
	       !strcmp(name, "allow-empty-input") ? &o->allow_empty_input : !strcmp(name, "from-registry") ?
	       &o->from_registry : !strcmp(name, "digest") ? &o->digest : !strcmp(name, "plain-http") ?
	       &o->reg.plain_http : !strcmp(name, "only-newer") ? &o->only_newer : NULL;
}

/* The option `name` that takes a string kept as it is: where it goes, or NULL. */
static const char **string_of(struct gitops_bump_options *o, const char *name)
{
	return !strcmp(name, "semver") ? &o->semver : !strcmp(name, "regex") ? &o->regex :
	       !strcmp(name, "registry-config") ? &o->reg.config : !strcmp(name, "path-prefix") ? &o->path_prefix :
	       !strcmp(name, "author") ? &o->author : !strcmp(name, "message") ? &o->message : NULL;
}

int gitops_bump_options_set(struct gitops_bump_options *o, const char *name, const char *arg, struct gitops_err *err)
{
	static const char *const git_only[] = { "path-prefix", "author", "message", NULL };
	unsigned long v;
	const char **str;
	int *flag, r;
	size_t i;

	if (!strcmp(name, "file") || !strcmp(name, "set")) {
		int set = name[0] == 's';
		if (set && (!gitops_bump_set_split(arg) || arg[0] == '='))
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--set takes PATH=VALUE, not '%s'", arg);
		if ((set ? o->nsets : o->nfiles) == GITOPS_BUMP_MAX_ARGS)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "too many --%s options (at most %d)", name,
					      GITOPS_BUMP_MAX_ARGS);
		if (set)
			o->sets[o->nsets++] = arg;
		else
			o->files[o->nfiles++] = arg;
	} else if (!strcmp(name, "image")) {
		return gitops_bump_options_add_image(o, arg, err);
	} else if (!strcmp(name, "policy")) {
		return gitops_bump_options_add_policy(o, arg, err);
	} else if ((flag = flag_of(o, name))) {
		*flag = 1;
	} else if (!strcmp(name, "order")) {
		if (!strcmp(arg, "numeric"))
			o->order = GITOPS_ORDER_NUMERIC;
		else if (!strcmp(arg, "alphabetical"))
			o->order = GITOPS_ORDER_ALPHABETICAL;
		else if (!strcmp(arg, "semver"))
			o->order = GITOPS_ORDER_SEMVER;
		else
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--order takes numeric, alphabetical or semver, not '%s'",
					      arg);
		o->order_set = 1;
	} else if (!strcmp(name, "repo")) {
		if (!*arg)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--repo needs a repository address");
		o->repo = arg;
	} else if (!strcmp(name, "branch") || !strcmp(name, "push-branch")) {
		if (!*arg)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--%s needs a branch name", name);
		*(name[0] == 'b' ? &o->branch : &o->push_branch) = arg;
		return 1;
	} else if (!strcmp(name, "retries")) {
		if (gitops_parse_uint(arg, 100, &v) < 0)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--retries takes a number from 0 to 100, not '%s'", arg);
		o->retries = (unsigned)v;
		return 1;
	} else if ((str = string_of(o, name))) {
		*str = arg;
		for (i = 0; git_only[i]; i++)
			if (!strcmp(name, git_only[i]))
				return 1;
	} else if ((r = gitops_git_option_set(&o->cache, &o->auth, name, arg, err)) != 0) {
		return r;
	} else {
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "unknown option");
	}
	return 0;
}

int gitops_bump_options_check(const struct gitops_bump_options *o, int stream, struct gitops_err *err)
{
	const char *why = NULL;

	if (!o->nsets && !o->nimages && !o->npolicies && !o->registry_image)
		why = "nothing to do: give --set, --image or --policy";
	else if (o->nsets && !o->nfiles)
		why = "--set needs --file FILE";
	else if (o->create && !o->nsets)
		why = "--create goes with --set";
	else if (o->registry_image && !o->from_registry)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "--image %s needs =REF, or --from-registry", o->registry_image);
	else if (o->from_registry && !o->registry_image)
		why = "--from-registry needs --image NAME (without =REF)";
	else if (!o->from_registry && (o->semver || o->regex || o->digest || o->order_set || o->reg.plain_http || o->reg.config))
		why = "--semver, --regex, --order, --digest, --registry-config and --plain-http go with --from-registry";
	else if (o->semver && (o->regex || (o->order_set && o->order != GITOPS_ORDER_SEMVER)))
		why = "--semver and --regex/--order exclude each other";
	else if (o->order_set && !o->regex)
		why = "--order goes with --regex";
	else if (!stream && o->allow_empty_input)
		why = "--allow-empty-input goes with a stream on standard input";
	else if (stream && (o->nsets || o->npolicies))
		why = "a stream on standard input takes --image only (--set needs --file, "
		      "and $imagepolicy markers are comments a stream does not keep)";
	if (why)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s", why);
	return gitops_bump_newer_check_options(o, err);
}

void gitops_bump_options_release(struct gitops_bump_options *o)
{
	size_t k;

	for (k = 0; k < o->nimages; k++)
		gitops_image_release(&o->images[k].ref);
	for (k = 0; k < o->npolicies; k++)
		gitops_image_release(&o->policies[k].ref);
	o->nimages = o->npolicies = 0;
}

int gitops_bump_pick_tag(struct gitops_bump_options *o, struct gitops_err *err)
{
	struct gitops_registry *reg = NULL;
	struct gitops_semver_range *range = NULL;
	struct gitops_tag_filter f = { NULL, NULL, GITOPS_ORDER_SEMVER };
	struct gitops_bump_image *im;
	struct gitops_regex *re = NULL;
	int error = -1;
	char **tags = NULL, *digest = NULL;
	size_t ntags = 0;
	const char *tag;

	if (o->semver && gitops_semver_range_parse(o->semver, &range, err) < 0) {
		err->code = GITOPS_EXIT_USAGE;
		goto done;
	}
	if (o->regex) {
		if (gitops_regex_compile(&re, o->regex, strlen(o->regex), err) < 0) {
			gitops_err_prefix(err, "--regex '%s'", o->regex);
			err->code = GITOPS_EXIT_USAGE;
			goto done;
		}
		f.re = re;
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
	gitops_bump_notice(o, 1, "%s: chose %s%s%s of %zu tags (%zu requests)", o->registry_image, tag,
			   digest ? "@" : "", digest ? digest : "", ntags, gitops_registry_requests(reg));
	if (o->nimages == GITOPS_BUMP_MAX_ARGS) {
		gitops_err_set(err, GITOPS_EXIT_USAGE, "too many --image options (at most %d)", GITOPS_BUMP_MAX_ARGS);
		goto done;
	}
	im = &o->images[o->nimages];
	snprintf(im->name, sizeof(im->name), "%s", o->registry_image);
	memset(&im->ref, 0, sizeof(im->ref));
	if (!(im->ref.tag = strdup(tag))) {
		gitops_err_oom(err);
		goto done;
	}
	im->ref.digest = digest;
	digest = NULL;
	o->nimages++;
	error = 0;
done:
	free(digest);
	gitops_registry_tags_free(tags, ntags);
	gitops_registry_free(reg);
	gitops_semver_range_free(range);
	gitops_regex_free(re);
	return error;
}
