/* Unit tests for lib/git_write.c: the edit's view of a commit (links, listing, writes), identities, dates, messages, paths, refspecs, backoff. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/git/git_write.h"
#include "tests/unit/check_main.h"

/* --- the view, on a repository made here --- */

static char repo_dir[] = "/tmp/gitops-test-git-write.XXXXXX";
static git_repository *repo;
static git_oid commit_id;

static void add(git_index *idx, const char *path, const char *content, unsigned mode)
{
	git_index_entry e;

	memset(&e, 0, sizeof(e));
	e.path = path;
	e.mode = mode;
	ck_assert_int_eq(git_index_add_from_buffer(idx, &e, content, strlen(content)), 0);
}

static void setup(void)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	git_index *idx = NULL;
	git_oid tree_id;
	git_tree *tree = NULL;
	git_signature *sig = NULL;

	ck_assert_int_eq(gitops_git_init(&err), 0);
	ck_assert_ptr_nonnull(mkdtemp(repo_dir));
	ck_assert_int_eq(git_repository_init(&repo, repo_dir, 1), 0);
	ck_assert_int_eq(git_repository_index(&idx, repo), 0);
	add(idx, "envs/prod/values.yaml", "image:\n  tag: v1\n", GIT_FILEMODE_BLOB);
	add(idx, "envs/prod/run.sh", "#!/bin/sh\n", GIT_FILEMODE_BLOB_EXECUTABLE);
	add(idx, "envs/prod/b.yaml", "b: 1\n", GIT_FILEMODE_BLOB);
	add(idx, "envs/link.yaml", "prod/values.yaml", GIT_FILEMODE_LINK);
	add(idx, "envs/prod/up", "..", GIT_FILEMODE_LINK);
	add(idx, "envs/.hidden.yaml", "h: 1\n", GIT_FILEMODE_BLOB);
	add(idx, "envs/Kustomization", "resources: []\n", GIT_FILEMODE_BLOB);
	add(idx, "bad/abs", "/etc/passwd", GIT_FILEMODE_LINK);
	add(idx, "bad/esc", "../../x", GIT_FILEMODE_LINK);
	add(idx, "bad/loop", "loop", GIT_FILEMODE_LINK);
	add(idx, "empty.yaml", "", GIT_FILEMODE_BLOB);
	ck_assert_int_eq(git_index_write_tree_to(&tree_id, idx, repo), 0);
	ck_assert_int_eq(git_tree_lookup(&tree, repo, &tree_id), 0);
	ck_assert_int_eq(git_signature_new(&sig, "t", "t@example.com", 1700000000, 0), 0);
	ck_assert_int_eq(git_commit_create(&commit_id, repo, NULL, sig, sig, NULL, "one\n", tree, 0, NULL), 0);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(idx);
}

static void teardown(void)
{
	char cmd[256];

	git_repository_free(repo);
	repo = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", repo_dir);
	ck_assert_int_eq(system(cmd), 0);
	gitops_git_shutdown();
}

static struct gitops_git_edit *view(void)
{
	struct gitops_git_edit *e = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_msg(gitops_git_edit_new(&e, repo, "main", &commit_id, &err) == 0, "%s", err.msg);
	return e;
}

static const struct {
	const char *path;
	int follow;
	enum gitops_git_kind kind;
} kinds[] = {
	{ "", 1, GITOPS_GIT_KIND_DIR },
	{ ".", 1, GITOPS_GIT_KIND_DIR },
	{ "envs", 1, GITOPS_GIT_KIND_DIR },
	{ "envs/prod/values.yaml", 1, GITOPS_GIT_KIND_FILE },
	{ "envs/link.yaml", 1, GITOPS_GIT_KIND_FILE },
	{ "envs/link.yaml", 0, GITOPS_GIT_KIND_LINK },
	{ "envs/prod/up", 1, GITOPS_GIT_KIND_DIR },
	{ "envs/prod/up/prod/up/link.yaml", 0, GITOPS_GIT_KIND_LINK },
	{ "envs/prod/./../prod/b.yaml", 1, GITOPS_GIT_KIND_FILE },
	{ "nope", 1, GITOPS_GIT_KIND_MISSING },
	{ "envs/prod/values.yaml/x", 1, GITOPS_GIT_KIND_MISSING },
	{ "envs/nope/values.yaml", 1, GITOPS_GIT_KIND_MISSING },
	{ "bad/abs", 0, GITOPS_GIT_KIND_LINK },
};

START_TEST(test_kind)
{
	struct gitops_git_edit *e = view();
	struct gitops_err err = GITOPS_ERR_INIT;
	enum gitops_git_kind k;

	ck_assert_msg(gitops_git_edit_kind(e, kinds[_i].path, kinds[_i].follow, &k, &err) == 0, "%s: %s",
		      kinds[_i].path, err.msg);
	ck_assert_msg(k == kinds[_i].kind, "%s: kind %d, want %d", kinds[_i].path, k, kinds[_i].kind);
	gitops_git_edit_free(e);
}
END_TEST

static const struct {
	const char *path;
	const char *content;    /* NULL: an error */
	const char *resolved;   /* or the message */
} reads[] = {
	{ "envs/prod/values.yaml", "image:\n  tag: v1\n", "envs/prod/values.yaml" },
	{ "envs/link.yaml", "image:\n  tag: v1\n", "envs/prod/values.yaml" },
	{ "envs/prod/up/prod/values.yaml", "image:\n  tag: v1\n", "envs/prod/values.yaml" },
	{ "./envs//prod/../link.yaml", "image:\n  tag: v1\n", "envs/prod/values.yaml" },
	{ "empty.yaml", "", "empty.yaml" },
	{ "bad/abs", NULL, "bad/abs: a symbolic link to '/etc/passwd': outside the repository" },
	{ "bad/esc", NULL, "bad/esc: a symbolic link that leads outside the repository" },
	{ "bad/loop", NULL, "bad/loop: too many levels of symbolic links" },
	{ "../x.yaml", NULL, "../x.yaml: leads outside the repository" },
	{ "envs/prod", NULL, "envs/prod: a directory, not a file in branch main at " },
	{ "envs/none.yaml", NULL, "envs/none.yaml: no such file in branch main at " },
};

START_TEST(test_read)
{
	struct gitops_git_edit *e = view();
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	char *res = NULL;
	int r = gitops_git_edit_read(e, reads[_i].path, &b, 1 << 20, &res, &err);

	if (!reads[_i].content) {
		ck_assert_int_eq(r, -1);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
		ck_assert_msg(!strncmp(err.msg, reads[_i].resolved, strlen(reads[_i].resolved)), "%s: '%s'",
			      reads[_i].path, err.msg);
		ck_assert_ptr_null(res);
	} else {
		ck_assert_msg(r == 0, "%s: %s", reads[_i].path, err.msg);
		ck_assert_ptr_nonnull(b.data);
		ck_assert_uint_eq(b.len, strlen(reads[_i].content));
		ck_assert_str_eq(b.data, reads[_i].content);
		ck_assert_str_eq(res, reads[_i].resolved);
	}
	free(res);
	gitops_buf_release(&b);
	gitops_git_edit_free(e);
}
END_TEST

START_TEST(test_read_limit)
{
	struct gitops_git_edit *e = view();
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;

	ck_assert_int_eq(gitops_git_edit_read(e, "envs/prod/values.yaml", &b, 4, NULL, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_str_eq(err.msg, "envs/prod/values.yaml: larger than the limit of 4 bytes");
	gitops_buf_release(&b);
	gitops_git_edit_free(e);
}
END_TEST

START_TEST(test_list)
{
	struct gitops_git_edit *e = view();
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_git_dirent *d = NULL;
	size_t n = 0;
	static const char *const names[] = { ".hidden.yaml", "Kustomization", "link.yaml", "prod" };
	static const enum gitops_git_kind want[] = { GITOPS_GIT_KIND_FILE, GITOPS_GIT_KIND_FILE, GITOPS_GIT_KIND_LINK,
						     GITOPS_GIT_KIND_DIR };
	size_t i;

	ck_assert_msg(gitops_git_edit_list(e, "envs", &d, &n, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(n, 4);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(d[i].name, names[i]);
		ck_assert_int_eq(d[i].kind, want[i]);
	}
	gitops_git_dirents_free(d, n);
	/* through a link to a directory */
	ck_assert_msg(gitops_git_edit_list(e, "envs/prod/up", &d, &n, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(n, 4);
	gitops_git_dirents_free(d, n);
	ck_assert_int_eq(gitops_git_edit_list(e, "envs/prod/values.yaml", &d, &n, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_ptr_null(d);
	gitops_git_edit_free(e);
}
END_TEST

START_TEST(test_write)
{
	struct gitops_git_edit *e = view();
	struct gitops_err err = GITOPS_ERR_INIT;
	git_oid tree_id;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	git_commit *c = NULL;
	int changed = -1;

	/* the same content: no change */
	ck_assert_int_eq(gitops_git_edit_write(e, "envs/prod/values.yaml", "image:\n  tag: v1\n", 17, &err), 0);
	ck_assert_int_eq(gitops_git_edit_tree(e, &tree_id, &changed, &err), 0);
	ck_assert_int_eq(changed, 0);
	ck_assert_int_eq(git_commit_lookup(&c, repo, &commit_id), 0);
	ck_assert(git_oid_equal(&tree_id, git_commit_tree_id(c)));
	git_commit_free(c);
	/* a change, then a second write of the same file back to the old content: no change */
	ck_assert_int_eq(gitops_git_edit_write(e, "envs/prod/values.yaml", "image:\n  tag: v2\n", 17, &err), 0);
	ck_assert_int_eq(gitops_git_edit_tree(e, &tree_id, &changed, &err), 0);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(gitops_git_edit_write(e, "envs/prod/values.yaml", "image:\n  tag: v1\n", 17, &err), 0);
	ck_assert_int_eq(gitops_git_edit_tree(e, &tree_id, &changed, &err), 0);
	ck_assert_int_eq(changed, 0);
	/* an executable keeps its mode */
	ck_assert_int_eq(gitops_git_edit_write(e, "envs/prod/run.sh", "#!/bin/sh\nexit 0\n", 18, &err), 0);
	ck_assert_int_eq(gitops_git_edit_tree(e, &tree_id, &changed, &err), 0);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(git_tree_lookup(&tree, repo, &tree_id), 0);
	ck_assert_int_eq(git_tree_entry_bypath(&te, tree, "envs/prod/run.sh"), 0);
	ck_assert_int_eq(git_tree_entry_filemode(te), GIT_FILEMODE_BLOB_EXECUTABLE);
	ck_assert_int_eq(git_blob_lookup(&blob, repo, git_tree_entry_id(te)), 0);
	ck_assert_uint_eq(git_blob_rawsize(blob), 18);
	ck_assert(!memcmp(git_blob_rawcontent(blob), "#!/bin/sh\nexit 0\n", 18));
	git_blob_free(blob);
	git_tree_entry_free(te);
	/* everything else as it was: the link is still a link */
	ck_assert_int_eq(git_tree_entry_bypath(&te, tree, "envs/link.yaml"), 0);
	ck_assert_int_eq(git_tree_entry_filemode(te), GIT_FILEMODE_LINK);
	git_tree_entry_free(te);
	git_tree_free(tree);
	/* writes go to files only: never a link, a directory or a new path */
	ck_assert_int_eq(gitops_git_edit_write(e, "envs/link.yaml", "x", 1, &err), -1);
	ck_assert_int_eq(gitops_git_edit_write(e, "envs", "x", 1, &err), -1);
	ck_assert_int_eq(gitops_git_edit_write(e, "envs/new.yaml", "x", 1, &err), -1);
	ck_assert_int_eq(gitops_git_edit_message(e, "m\n", &err), 0);
	ck_assert_str_eq(gitops_git_edit_get_message(e), "m\n");
	ck_assert_str_eq(gitops_git_edit_branch(e), "main");
	ck_assert_uint_eq(strlen(gitops_git_edit_commit(e)), 40);
	gitops_git_edit_free(e);
}
END_TEST

/* --- identities --- */

static const struct {
	const char *in, *name, *email;   /* name NULL: an error */
} idents[] = {
	{ "CI Bot <ci@example.com>", "CI Bot", "ci@example.com" },
	{ "  Jane  Doe   <jane@example.com>  ", "Jane  Doe", "jane@example.com" },
	{ "x <y>", "x", "y" },
	{ "ci@example.com", NULL, NULL },
	{ "<ci@example.com>", NULL, NULL },
	{ "CI <>", NULL, NULL },
	{ "CI <a<b>", NULL, NULL },
	{ "CI <a> trailing", NULL, NULL },
	{ "C\nI <a@b>", NULL, NULL },
};

START_TEST(test_ident)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *name = NULL, *email = NULL;
	int r = gitops_git_ident_parse(&name, &email, idents[_i].in, &err);

	if (!idents[_i].name) {
		ck_assert_int_eq(r, -1);
		ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
		ck_assert_ptr_null(name);
		return;
	}
	ck_assert_msg(r == 0, "%s: %s", idents[_i].in, err.msg);
	ck_assert_str_eq(name, idents[_i].name);
	ck_assert_str_eq(email, idents[_i].email);
	free(name);
	free(email);
}
END_TEST

/* --- dates --- */

static const struct {
	const char *in;
	long long t;
	int offset;
	int ok;
} dates[] = {
	{ "@1700000000", 1700000000, 0, 1 },
	{ "@1700000000 +0100", 1700000000, 60, 1 },
	{ "1700000000 -0230", 1700000000, -150, 1 },
	{ "2024-01-31T12:00:00Z", 1706702400, 0, 1 },
	{ "2024-01-31T12:00:00.250Z", 1706702400, 0, 1 },
	{ "2024-01-31 12:00:00 +0100", 1706698800, 60, 1 },
	{ "2024-01-31T12:00:00+01:00", 1706698800, 60, 1 },
	{ "2024-01-31T12:00:00-05", 1706720400, -300, 1 },
	{ "Wed, 31 Jan 2024 12:00:00 +0000", 1706702400, 0, 1 },
	{ "31 Jan 2024 12:00:00 +0200", 1706695200, 120, 1 },
	{ "yesterday", 0, 0, 0 },
	{ "1700000000", 0, 0, 0 },
	{ "2024-13-01T00:00:00Z", 0, 0, 0 },
	{ "2024-01-31T12:00:00 PST", 0, 0, 0 },
	{ "2024-01-31", 0, 0, 0 },
	{ "@17x", 0, 0, 0 },
	{ "", 0, 0, 0 },
};

START_TEST(test_date)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	git_time_t t = 0;
	int off = 0, r = gitops_git_date_parse(dates[_i].in, &t, &off, "GIT_AUTHOR_DATE", &err);

	if (!dates[_i].ok) {
		ck_assert_msg(r == -1, "'%s' was read as %lld", dates[_i].in, (long long)t);
		ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
		ck_assert_msg(!strncmp(err.msg, "GIT_AUTHOR_DATE: '", 18), "%s", err.msg);
		return;
	}
	ck_assert_msg(r == 0, "%s: %s", dates[_i].in, err.msg);
	ck_assert_msg((long long)t == dates[_i].t, "%s: %lld, want %lld", dates[_i].in, (long long)t, dates[_i].t);
	ck_assert_int_eq(off, dates[_i].offset);
}
END_TEST

/* --- messages --- */

static const struct {
	const char *tmpl, *want;   /* want NULL: an error, msg the start of its message */
	const char *msg;
} messages[] = {
	{ "Bump {image} to {new}\n\n{changes}\n", "Bump web to web:2\n\nf:1: image: web:1 -> web:2\n", NULL },
	{ "{image}: {old} -> {new} in {files} on {branch}", "web: web:1 -> web:2 in f on main\n", NULL },
	{ "literal {{braces}} and }} {{", "literal {braces} and } {\n", NULL },
	{ "trailing blanks   \n\n\n", "trailing blanks\n", NULL },
	{ "{nope}", NULL, "unknown placeholder '{nope}' in the message (placeholders: {image}, {old}, {new}, {files}, "
			 "{changes}, {branch})" },
	{ "open { brace", NULL, "an unclosed '{' in the message" },
	{ "  \n\n", NULL, "the commit message is empty" },
	{ "{branch}", "main\n", NULL },
};

START_TEST(test_message)
{
	static const struct gitops_git_message_var vars[] = {
		{ "image", "web" }, { "old", "web:1" }, { "new", "web:2" }, { "files", "f" },
		{ "changes", "f:1: image: web:1 -> web:2" }, { "branch", "main" },
	};
	struct gitops_err err = GITOPS_ERR_INIT;
	char *out = NULL;
	int r = gitops_git_message_format(&out, messages[_i].tmpl, vars, 6, &err);

	if (!messages[_i].want) {
		ck_assert_int_eq(r, -1);
		ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
		ck_assert_msg(!strncmp(err.msg, messages[_i].msg, strlen(messages[_i].msg)), "'%s'", err.msg);
		ck_assert_ptr_null(out);
		return;
	}
	ck_assert_msg(r == 0, "%s", err.msg);
	ck_assert_str_eq(out, messages[_i].want);
	free(out);
}
END_TEST

/* --- paths inside the repository --- */

static const struct {
	const char *prefix, *path, *want;   /* want NULL: a usage error */
} rpaths[] = {
	{ NULL, "values.yaml", "values.yaml" },
	{ "envs/prod", "values.yaml", "envs/prod/values.yaml" },
	{ "./envs//prod/", "./a/./b.yaml", "envs/prod/a/b.yaml" },
	{ "envs/prod", ".", "envs/prod" },
	{ "", "", "" },
	{ "envs/prod", "../base/x.yaml", NULL },
	{ "envs/prod", "/etc/passwd", NULL },
	{ "/srv", "x", NULL },
	{ "a/../b", "x", NULL },
	{ "a", "x\ty", NULL },
};

START_TEST(test_repo_path)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *out = NULL;
	int r = gitops_git_repo_path(&out, rpaths[_i].prefix, rpaths[_i].path, "--file", &err);

	if (!rpaths[_i].want) {
		ck_assert_int_eq(r, -1);
		ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
		ck_assert_ptr_null(out);
		return;
	}
	ck_assert_msg(r == 0, "%s", err.msg);
	ck_assert_str_eq(out, rpaths[_i].want);
	free(out);
}
END_TEST

/* --- never a forced push; backoff --- */

START_TEST(test_refspec)
{
	char out[64];

	ck_assert_int_eq(gitops_git_push_refspec(out, sizeof(out), "refs/gitops-bump/push", "main"), 0);
	ck_assert_str_eq(out, "refs/gitops-bump/push:refs/heads/main");
	ck_assert(strchr(out, '+') == NULL);
	/* a '+' in front would force: refused */
	ck_assert_int_eq(gitops_git_push_refspec(out, sizeof(out), "+refs/x", "main"), -1);
	ck_assert_int_eq(gitops_git_push_refspec(out, 10, "refs/gitops-bump/push", "main"), -1);
}
END_TEST

START_TEST(test_backoff)
{
	unsigned retry, r;
	static const uint32_t rnds[] = { 0, 1, 500, 999, 1000, 4294967295u };

	for (retry = 1; retry <= 12; retry++) {
		unsigned long d = 200ul << (retry - 1);
		if (d > 5000)
			d = 5000;
		for (r = 0; r < sizeof(rnds) / sizeof(rnds[0]); r++) {
			unsigned ms = gitops_git_backoff_ms(retry, 200, 5000, rnds[r]);
			ck_assert_msg(ms >= d / 2 && ms <= d, "retry %u: %u ms not in [%lu, %lu]", retry, ms, d / 2, d);
		}
	}
	ck_assert_uint_eq(gitops_git_backoff_ms(1, 200, 5000, 0), 100);
	ck_assert_uint_eq(gitops_git_backoff_ms(1, 200, 5000, 1000), 200);
	ck_assert_uint_eq(gitops_git_backoff_ms(3, 200, 5000, 1000), 800);
	ck_assert_uint_eq(gitops_git_backoff_ms(40, 200, 5000, 1000), 5000);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("git_write");
	TCase *tv = tcase_create("view"), *tc = tcase_create("pieces");

	tcase_add_checked_fixture(tv, setup, teardown);
	tcase_add_loop_test(tv, test_kind, 0, sizeof(kinds) / sizeof(kinds[0]));
	tcase_add_loop_test(tv, test_read, 0, sizeof(reads) / sizeof(reads[0]));
	tcase_add_test(tv, test_read_limit);
	tcase_add_test(tv, test_list);
	tcase_add_test(tv, test_write);
	suite_add_tcase(s, tv);
	tcase_add_loop_test(tc, test_ident, 0, sizeof(idents) / sizeof(idents[0]));
	tcase_add_loop_test(tc, test_date, 0, sizeof(dates) / sizeof(dates[0]));
	tcase_add_loop_test(tc, test_message, 0, sizeof(messages) / sizeof(messages[0]));
	tcase_add_loop_test(tc, test_repo_path, 0, sizeof(rpaths) / sizeof(rpaths[0]));
	tcase_add_test(tc, test_refspec);
	tcase_add_test(tc, test_backoff);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
