#include "lib/sync/difftext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>

#include "lib/base/buf.h"

#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_CYAN "\033[36m"
#define C_RESET "\033[0m"

/* --- unified diff --- */

/* One line: color, the prefix and the text (its line break removed), reset, line break. */
static int put_line(struct gitops_buf *b, const char *color, char prefix, const char *text, size_t len)
{
	if (len && text[len - 1] == '\n')
		len--;
	if (color && gitops_buf_addstr(b, color) < 0)
		return -1;
	if (prefix && gitops_buf_add(b, &prefix, 1) < 0)
		return -1;
	if (gitops_buf_add(b, text, len) < 0 || (color && gitops_buf_addstr(b, C_RESET) < 0))
		return -1;
	return gitops_buf_add(b, "\n", 1);
}

/* "@@ -a,b +c,d @@ context": the range in cyan, the context (the section it is in) plain, as git does. */
static int put_hunk_header(struct gitops_buf *b, const git_diff_hunk *h, int color)
{
	size_t len = h->header_len, range;
	const char *end;

	while (len && (h->header[len - 1] == '\n' || h->header[len - 1] == '\r'))
		len--;
	if (!color)
		return put_line(b, NULL, 0, h->header, len);
	end = len > 2 ? memchr(h->header + 2, '@', len - 2) : NULL;
	range = end && (size_t)(end - h->header) + 2 <= len ? (size_t)(end - h->header) + 2 : len;
	if (gitops_buf_addstr(b, C_CYAN) < 0 || gitops_buf_add(b, h->header, range) < 0 ||
	    gitops_buf_addstr(b, C_RESET) < 0)
		return -1;
	return put_line(b, NULL, 0, h->header + range, len - range);
}

int gitops_difftext_unified(char **out, const char *old_text, size_t old_len, const char *new_text, size_t new_len,
		     const char *old_label, const char *new_label, int color, struct gitops_err *err)
{
	git_diff_options o;
	struct gitops_buf b = GITOPS_BUF_INIT;
	git_patch *p = NULL;
	size_t h, nh;
	int ret = -1, inited;

	*out = NULL;
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.context_lines = 3;
	o.interhunk_lines = 0;
	o.flags |= GIT_DIFF_FORCE_TEXT;
	if ((inited = git_libgit2_init()) < 0 ||
	    git_patch_from_buffers(&p, old_len ? old_text : NULL, old_len, NULL, new_len ? new_text : NULL, new_len,
				   NULL, &o) < 0) {
		const git_error *e = git_error_last();
		gitops_err_set(err, GITOPS_EXIT_INTERNAL, "diff: %s", e && e->message ? e->message : "libgit2 failed");
		goto done;
	}
	nh = git_patch_num_hunks(p);
	if (nh) {
		char hdr[2][1100];
		snprintf(hdr[0], sizeof(hdr[0]), "--- %s", old_label);
		snprintf(hdr[1], sizeof(hdr[1]), "+++ %s", new_label);
		if (put_line(&b, color ? C_BOLD : NULL, 0, hdr[0], strlen(hdr[0])) < 0 ||
		    put_line(&b, color ? C_BOLD : NULL, 0, hdr[1], strlen(hdr[1])) < 0)
			goto oom;
	}
	for (h = 0; h < nh; h++) {
		const git_diff_hunk *hunk;
		size_t nl, l;
		if (git_patch_get_hunk(&hunk, &nl, p, h) < 0)
			goto lib_error;
		if (put_hunk_header(&b, hunk, color) < 0)
			goto oom;
		for (l = 0; l < nl; l++) {
			const git_diff_line *line;
			int r = 0;
			if (git_patch_get_line_in_hunk(&line, p, h, l) < 0)
				goto lib_error;
			switch (line->origin) {
			case GIT_DIFF_LINE_ADDITION:
				r = put_line(&b, color ? C_GREEN : NULL, '+', line->content, line->content_len);
				break;
			case GIT_DIFF_LINE_DELETION:
				r = put_line(&b, color ? C_RED : NULL, '-', line->content, line->content_len);
				break;
			case GIT_DIFF_LINE_CONTEXT:
				r = put_line(&b, NULL, ' ', line->content, line->content_len);
				break;
			default: /* the last line had no line break */
				r = gitops_buf_addstr(&b, "\\ No newline at end of file\n");
				break;
			}
			if (r < 0)
				goto oom;
		}
	}
	if (!b.data && gitops_buf_add(&b, "", 0) < 0)
		goto oom;
	*out = gitops_buf_detach(&b);
	ret = *out ? 0 : gitops_err_oom(err);
	goto done;
lib_error:
	{
		const git_error *e = git_error_last();
		gitops_err_set(err, GITOPS_EXIT_INTERNAL, "diff: %s", e && e->message ? e->message : "libgit2 failed");
	}
	goto done;
oom:
	gitops_err_oom(err);
done:
	git_patch_free(p);
	if (inited >= 0)
		git_libgit2_shutdown();
	gitops_buf_release(&b);
	return ret;
}
