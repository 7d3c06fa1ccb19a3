/*
 * bump_conflicts.h: the write-back's guard against overwriting what
 * someone else pushed.  The changes the first edit made are kept; when the
 * branch moved and the edit is redone on the new tip, every value it
 * changes must have held there what it held when the bump began.
 */
#ifndef GITOPS_BUMP_CONFLICTS_H
#define GITOPS_BUMP_CONFLICTS_H

#include <stddef.h>
#include "lib/base/err.h"
#include "lib/yaml/yamledit.h"

/* One value changed, copied (the strings are owned by the list). */
struct gitops_bump_change_rec {
	char *file, *what, *old, *new;
	size_t line;
};

struct gitops_bump_changes {
	struct gitops_bump_change_rec *v;
	size_t n, cap;
};

#define GITOPS_BUMP_CHANGES_INIT { NULL, 0, 0 }

/* Append the changes of one edited file (file: its name for messages). */
int gitops_bump_changes_add(struct gitops_bump_changes *c, const char *file, const struct gitops_yamledit *y,
			    struct gitops_err *err);
void gitops_bump_changes_release(struct gitops_bump_changes *c);

/*
 * The changes `now` of the edit of the new tip `commit` of `branch`,
 * against `first`: a value whose old value differs is a conflict
 * (GITOPS_EXIT_REJECTED, nothing overwritten).  Values are matched by
 * file, field and their order among the same field.
 */
int gitops_bump_conflicts_check(const struct gitops_bump_changes *first, const struct gitops_bump_changes *now,
				const char *branch, const char *commit, struct gitops_err *err);

#endif
