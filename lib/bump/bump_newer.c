/* bump_newer.c: --only-newer: a version is only ever replaced by a higher one. */
#include "lib/bump/bump_newer.h"

#include <stdio.h>
#include <string.h>

#include "lib/base/image.h"
#include "lib/base/semver.h"

void gitops_bump_newer_version(char *buf, size_t size, const char *value)
{
	size_t len = strcspn(value, "@");
	const char *slash = memrchr(value, '/', len), *from = slash ? slash : value;
	const char *colon = memrchr(from, ':', len - (size_t)(from - value));

	if (colon)
		snprintf(buf, size, "%.*s", (int)(len - (size_t)(colon + 1 - value)), colon + 1);
	else if (slash)
		snprintf(buf, size, "%s", "");    /* a name without a tag: a tag holds no '/' */
	else
		snprintf(buf, size, "%.*s", (int)len, value);
}

/* The version of a changed value: an `image` field holds a reference, whose tag it is. */
static void version_of(char *buf, size_t size, const char *what, const char *value)
{
	struct gitops_image_ref ref = GITOPS_IMAGE_REF_INIT;
	struct gitops_err ignored = GITOPS_ERR_INIT;

	if (strcmp(what, "image") || gitops_image_parse(&ref, value, &ignored) < 0)
		gitops_bump_newer_version(buf, size, value);
	else
		snprintf(buf, size, "%s", ref.tag ? ref.tag : "");
	gitops_image_release(&ref);
}

/* The version of `value` (asked for by --OPTION ARG) is a semantic version, else a usage error. */
static int requested(const char *value, const char *option, const char *arg, struct gitops_err *err)
{
	char v[GITOPS_SEMVER_PART_MAX * 2 + 64];
	struct gitops_semver sv;

	gitops_bump_newer_version(v, sizeof(v), value);
	if (gitops_semver_parse(v, &sv) < 0)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "--only-newer: %s %s: '%s' is not a semantic version, "
				      "so it cannot be ordered", option, arg, v);
	return 0;
}

int gitops_bump_newer_check_options(const struct gitops_bump_options *o, struct gitops_err *err)
{
	size_t k;

	if (!o->only_newer)
		return 0;
	for (k = 0; k < o->nimages; k++)
		if (o->images[k].ref.tag && requested(o->images[k].ref.tag, "--image", o->images[k].name, err) < 0)
			return -1;
	for (k = 0; k < o->npolicies; k++)
		if (o->policies[k].ref.tag && requested(o->policies[k].ref.tag, "--policy", o->policies[k].id, err) < 0)
			return -1;
	for (k = 0; k < o->nsets; k++)
		if (requested(gitops_bump_set_split(o->sets[k]) + 1, "--set", o->sets[k], err) < 0)
			return -1;
	return 0;
}

int gitops_bump_newer_change(const struct gitops_bump_options *o, const struct gitops_bump_change *c, int quiet,
			     struct gitops_err *err)
{
	char ov[GITOPS_SEMVER_PART_MAX * 2 + 64], nv[sizeof(ov)];
	struct gitops_semver os, ns;
	int cmp;

	if (!o->only_newer)
		return 0;
	version_of(ov, sizeof(ov), c->what, c->old);
	version_of(nv, sizeof(nv), c->what, c->new);
	/* a change that keeps the version (a digest, a name), or that writes none (a name, a digest field) */
	if (!strcmp(ov, nv) || gitops_semver_parse(nv, &ns) < 0)
		return 0;
	if (gitops_semver_parse(ov, &os) < 0) {
		if (quiet)
			return 0;
		if (*ov)
			gitops_bump_notice(o, GITOPS_BUMP_WARNING, "%s:%zu: %s: the current tag '%s' is no semantic "
					   "version: replaced by %s without comparison (--only-newer)", c->file, c->line,
					   c->what, ov, nv);
		else
			gitops_bump_notice(o, GITOPS_BUMP_WARNING, "%s:%zu: %s: no current tag: set to %s without "
					   "comparison (--only-newer)", c->file, c->line, c->what, nv);
		return 0;
	}
	if ((cmp = gitops_semver_compare(&ns, &os)) > 0)
		return 0;
	if (cmp == 0)
		return gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s:%zu: %s: the current tag %s is the same version as "
				      "%s: not replaced (--only-newer)", c->file, c->line, c->what, ov, nv);
	return gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s:%zu: %s: the current tag %s is newer than %s: not "
			      "replaced (--only-newer)", c->file, c->line, c->what, ov, nv);
}

int gitops_bump_newer_file(const struct gitops_bump_options *o, const char *file, const struct gitops_yamledit *y,
			   int quiet, struct gitops_err *err)
{
	size_t i;

	for (i = 0; o->only_newer && i < gitops_yamledit_nchanges(y); i++) {
		const struct gitops_yamledit_change *c = gitops_yamledit_change_at(y, i);
		struct gitops_bump_change ch = { file, c->line, c->what, c->old, c->new };
		if (gitops_bump_newer_change(o, &ch, quiet, err) < 0)
			return -1;
	}
	return 0;
}
