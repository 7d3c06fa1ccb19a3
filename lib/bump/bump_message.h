/*
 * bump_message.h: the commit message of a bump: --message's template (or
 * the default "Bump {image} to {to}", a blank line, "{changes}") with its
 * placeholders {image}, {to}, {old}, {new}, {files}, {changes}, {branch}
 * filled from the options and the changes (git_write formats it).
 */
#ifndef GITOPS_BUMP_MESSAGE_H
#define GITOPS_BUMP_MESSAGE_H

#include "lib/bump/bump.h"
#include "lib/bump/bump_conflicts.h"

/* *out: the message, the caller's to free.  A bad template: a usage error naming --message. */
int gitops_bump_message_format(char **out, const struct gitops_bump_options *o, const char *branch,
			       const struct gitops_bump_changes *c, struct gitops_err *err);

#endif
