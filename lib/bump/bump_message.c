/* bump_message.c: the commit message of a bump, from its template. */
#include "lib/bump/bump_message.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/git/git_write.h"

static const char default_message[] = "Bump {image} to {to}\n\n{changes}\n";

/* The distinct values of one field of the changes, ", "-joined. */
static int join_distinct(struct gitops_buf *b, const struct gitops_bump_change_rec *c, size_t n, size_t field)
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
static int what_given(struct gitops_buf *what, struct gitops_buf *to, const struct gitops_bump_options *o)
{
	size_t i;

	for (i = 0; i < o->nimages; i++)
		if (gitops_buf_printf(what, "%s%s", what->len ? ", " : "", o->images[i].name) < 0 ||
		    add_ref(to, &o->images[i].ref) < 0)
			return -1;
	for (i = 0; i < o->nsets; i++) {
		const char *eq = gitops_bump_set_split(o->sets[i]);
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

int gitops_bump_message_format(char **out, const struct gitops_bump_options *o, const char *branch,
			       const struct gitops_bump_changes *ch, struct gitops_err *err)
{
	struct gitops_buf image = GITOPS_BUF_INIT, to = GITOPS_BUF_INIT, old = GITOPS_BUF_INIT, new = GITOPS_BUF_INIT,
			  files = GITOPS_BUF_INIT, changes = GITOPS_BUF_INIT;
	const struct gitops_bump_change_rec *c = ch->v;
	size_t i, n = ch->n;
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
