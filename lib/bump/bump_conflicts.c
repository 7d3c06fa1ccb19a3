/* bump_conflicts.c: what the first edit changed, and whether a redone edit agrees with it. */
#include "lib/bump/bump_conflicts.h"

#include <stdlib.h>
#include <string.h>

int gitops_bump_changes_add(struct gitops_bump_changes *c, const char *file, const struct gitops_yamledit *y,
			    struct gitops_err *err)
{
	size_t i, n = gitops_yamledit_nchanges(y);

	if (c->n + n > c->cap) {
		size_t cap = c->cap ? c->cap : 16;
		struct gitops_bump_change_rec *p;
		while (cap < c->n + n)
			cap *= 2;
		if (!(p = realloc(c->v, cap * sizeof(*p))))
			return gitops_err_oom(err);
		c->v = p, c->cap = cap;
	}
	for (i = 0; i < n; i++) {
		const struct gitops_yamledit_change *ch = gitops_yamledit_change_at(y, i);
		struct gitops_bump_change_rec *x = &c->v[c->n++];
		x->file = strdup(file);
		x->what = strdup(ch->what);
		x->old = strdup(ch->old);
		x->new = strdup(ch->new);
		x->line = ch->line;
		if (!x->file || !x->what || !x->old || !x->new)
			return gitops_err_oom(err);
	}
	return 0;
}

void gitops_bump_changes_release(struct gitops_bump_changes *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].file);
		free(c->v[i].what);
		free(c->v[i].old);
		free(c->v[i].new);
	}
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

int gitops_bump_conflicts_check(const struct gitops_bump_changes *first, const struct gitops_bump_changes *now,
				const char *branch, const char *commit, struct gitops_err *err)
{
	const struct gitops_bump_change_rec *f = first->v, *c = now->v;
	size_t i, j;

	for (i = 0; i < now->n; i++) {
		size_t k = 0, seen = 0;
		for (j = 0; j < i; j++)
			if (!strcmp(c[j].file, c[i].file) && !strcmp(c[j].what, c[i].what))
				k++;
		for (j = 0; j < first->n; j++) {
			if (strcmp(f[j].file, c[i].file) || strcmp(f[j].what, c[i].what))
				continue;
			if (seen++ < k)
				continue;
			if (strcmp(f[j].old, c[i].old))
				return gitops_err_set(err, GITOPS_EXIT_REJECTED,
						      "conflict: branch %s moved to %.12s, where %s:%zu: %s is '%s', not '%s' as "
						      "when the bump began: not overwritten with '%s'; nothing pushed",
						      branch, commit, c[i].file, c[i].line, c[i].what, c[i].old, f[j].old, c[i].new);
			break;
		}
	}
	return 0;
}
