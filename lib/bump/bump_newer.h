/*
 * bump_newer.h: --only-newer, gitops-bump's guard against an older build
 * overwriting a newer one when CI pipelines finish out of order.
 *
 * A value that carries a version (a tag: "1.4.2"; the tag of an image
 * reference "web:1.4.2"; a Helm tag "1.4.2@sha256:...") may only be
 * replaced by a higher semantic version (lib/base/semver: semver 2.0
 * precedence, a leading 'v' and missing parts accepted, build metadata
 * ignored).  A change that keeps the version (a digest, a name) is no
 * concern of this; a current value that is no version (latest, a commit
 * id, nothing) is replaced with a warning, since there is nothing to
 * order it by.  Nothing here allocates or keeps anything.
 */
#ifndef GITOPS_BUMP_NEWER_H
#define GITOPS_BUMP_NEWER_H

#include <stddef.h>
#include "lib/bump/bump.h"
#include "lib/yaml/yamledit.h"

/*
 * The version text a value carries, into buf (always NUL-terminated): the
 * value up to its '@', and of that the text after a ':' that follows the
 * last '/' (the tag of an image reference); "" for a name with a '/' and
 * no tag.  (An `image` field's value is parsed as an image reference.)
 */
void gitops_bump_newer_version(char *buf, size_t size, const char *value);

/*
 * With --only-newer, every version the options ask for (the tag of each
 * --image and --policy REF, each --set VALUE) must be a semantic version:
 * 0, or -1 with a usage error naming the option.  0 without --only-newer.
 */
int gitops_bump_newer_check_options(const struct gitops_bump_options *o, struct gitops_err *err);

/*
 * One change against --only-newer: 0 when allowed (a warning through
 * o->notice, unless quiet, when the current value is no version), -1 with
 * GITOPS_EXIT_REJECTED and "FILE:LINE: FIELD: ..." naming both versions
 * when the new one is not higher.  0 without --only-newer.
 */
int gitops_bump_newer_change(const struct gitops_bump_options *o, const struct gitops_bump_change *c, int quiet,
			     struct gitops_err *err);

/* Every change of the edited file `file` (its name for messages), as gitops_bump_newer_change. */
int gitops_bump_newer_file(const struct gitops_bump_options *o, const char *file, const struct gitops_yamledit *y,
			   int quiet, struct gitops_err *err);

#endif
