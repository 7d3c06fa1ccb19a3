/*
 * difftext.h: unified diffs of two texts, as git shows them (libgit2's
 * xdiff), optionally in colour.
 */
#ifndef GITOPS_DIFFTEXT_H
#define GITOPS_DIFFTEXT_H

#include <stddef.h>
#include "lib/base/err.h"

/*
 * The unified diff (3 lines of context) of two texts, under the header
 * lines "--- OLD_LABEL" and "+++ NEW_LABEL", into *out (caller frees; ""
 * when the texts are equal).  Either text may be empty (len 0).  With color:
 * bold headers, cyan hunk ranges, red removed and green added lines (ANSI).
 */
int gitops_difftext_unified(char **out, const char *old_text, size_t old_len, const char *new_text, size_t new_len,
		     const char *old_label, const char *new_label, int color, struct gitops_err *err);

#endif
