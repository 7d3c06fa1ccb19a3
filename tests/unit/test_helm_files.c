/*
 * render/helm files and ignore: a chart's files from a directory or a .tgz,
 * as helm v3.17.2 loads them.
 *
 * The expectations come from helm itself: each .helmignore case's file set
 * is what `helm package` put in the chart for the same tree and rules (or
 * helm's error), each archive message is helm's for the same archive.  Real
 * directories and real archives (libarchive's writer, and tar(1) for the
 * conformance charts) are made in a temporary directory.  The charts of
 * $CONFORMANCE/helm-charts/charts are loaded as directories (the file set
 * helm packages, by count and hash) and as the .tgz tar makes of the same
 * files (the same list, the same bytes); a clone without them says so in one
 * line and skips that test.
 */
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/check_main.h"
#include "lib/base/buf.h"
#include "lib/render/helm/files.h"
#include "lib/render/helm/ignore.h"
#include "tests/unit/conformance.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

/* files.c's test switch: 0 sends every entry of a walk the long way (lstat first) */
extern int gitops_helm_files_trust_dtype;

extern char **environ;

/* --- temporary trees --- */

static char tmp[256];

static void tmp_make(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmp, sizeof(tmp), "%s/helmfiles-XXXXXX", t && *t ? t : "/tmp");
	ck_assert_msg(mkdtemp(tmp) != NULL, "mkdtemp: %s", strerror(errno));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void tmp_remove(void)
{
	if (tmp[0])
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	tmp[0] = 0;
}

/* tmp/rel as a path (a static buffer of two) */
static const char *T(const char *rel)
{
	static char buf[2][4096];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmp, rel);
	return buf[k];
}

/* Write tmp/rel (its directories made) with len bytes of data. */
static void put_len(const char *rel, const void *data, size_t len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	for (char *p = path + strlen(tmp) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert(gitops_write_all(fd, data, len) == 0);
	close(fd);
}

static void put(const char *rel, const char *text)
{
	put_len(rel, text, strlen(text));
}

/* The names of a list joined with ',' (a static buffer). */
static const char *names(const struct gitops_helm_files *f)
{
	static char buf[8192];
	size_t w = 0;

	buf[0] = 0;
	for (size_t i = 0; i < f->n; i++)
		w += (size_t)snprintf(buf + w, sizeof(buf) - w, "%s%s", i ? "," : "", f->v[i].name);
	return buf;
}

/* Load a directory one way (d_type trusted or not): its names, or "error: <message>", into buf. */
static void load_dir_as(char *buf, size_t size, struct gitops_helm_files *f, const char *dir, int trust)
{
	struct gitops_err err = GITOPS_ERR_INIT;

	gitops_helm_files_trust_dtype = trust;
	if (gitops_helm_files_from_dir(f, dir, &err) < 0) {
		ck_assert_msg(f->n == 0, "an error left files in the list");
		ck_assert_msg(err.msg[0] && !strchr(err.msg, '\n'), "not a one-line message: %s", err.msg);
		snprintf(buf, size, "error: %s", err.msg);
	} else {
		snprintf(buf, size, "%s", names(f));
	}
	gitops_helm_files_trust_dtype = 1;
}

/*
 * Load a directory: its names, or "error: <message>".  Loaded twice, the
 * quick way (what readdir calls a file opened at once) and the long way
 * (every entry lstat'd first, as where readdir gives DT_UNKNOWN): the names,
 * bytes and messages must be the same.
 */
static const char *load_dir(const char *dir)
{
	static char buf[8192];
	char slow[8192];
	struct gitops_helm_files f = GITOPS_HELM_FILES_INIT, g = GITOPS_HELM_FILES_INIT;

	load_dir_as(buf, sizeof(buf), &f, dir, 1);
	load_dir_as(slow, sizeof(slow), &g, dir, 0);
	ck_assert_msg(strcmp(buf, slow) == 0, "d_type trusted: %s\nlstat first: %s", buf, slow);
	ck_assert_uint_eq(f.n, g.n);
	for (size_t i = 0; i < f.n; i++)
		ck_assert_msg(f.v[i].len == g.v[i].len && memcmp(f.v[i].data, g.v[i].data, f.v[i].len) == 0
			      && f.v[i].data[f.v[i].len] == 0 && g.v[i].data[g.v[i].len] == 0,
			      "%s: not the same bytes both ways", f.v[i].name);
	gitops_helm_files_release(&f);
	gitops_helm_files_release(&g);
	return buf;
}

/* --- archives, written with libarchive --- */

struct tgz {
	struct archive *a;
	struct gitops_buf out;
};

static la_ssize_t tgz_write(struct archive *a, void *ctx, const void *data, size_t len)
{
	(void)a;
	ck_assert(gitops_buf_add(&((struct tgz *)ctx)->out, data, len) == 0);
	return (la_ssize_t)len;
}

static int tgz_close(struct archive *a, void *ctx)
{
	(void)a;
	(void)ctx;
	return ARCHIVE_OK;
}

/* format: ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ..._GNUTAR, or ARCHIVE_FORMAT_RAW (one stream); gzip: how many times */
static void tgz_open(struct tgz *t, int format, int gzip)
{
	memset(t, 0, sizeof(*t));
	t->a = archive_write_new();
	ck_assert(t->a != NULL);
	ck_assert(archive_write_set_format(t->a, format) == ARCHIVE_OK);
	/* names as bytes, whatever the locale (pax would otherwise want them convertible) */
	if (format == ARCHIVE_FORMAT_TAR_PAX_RESTRICTED)
		ck_assert(archive_write_set_format_option(t->a, "pax", "hdrcharset", "BINARY") == ARCHIVE_OK);
	for (int i = 0; i < gzip; i++)
		ck_assert(archive_write_add_filter_gzip(t->a) == ARCHIVE_OK);
	ck_assert(archive_write_set_bytes_in_last_block(t->a, 1) == ARCHIVE_OK);
	ck_assert(archive_write_open(t->a, t, NULL, tgz_write, tgz_close) == ARCHIVE_OK);
}

/* One entry: type AE_IFREG (len bytes of data, or `size` zero bytes when data is NULL), AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO; link: a hard link's target */
static void tgz_add(struct tgz *t, const char *name, unsigned type, const void *data, size_t size, const char *link)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, 0644);
	if (type == AE_IFLNK)
		archive_entry_set_symlink(e, (const char *)data);
	if (link)
		archive_entry_set_hardlink(e, link);
	if (type == AE_IFREG && !link)
		archive_entry_set_size(e, (la_int64_t)size);
	ck_assert_msg(archive_write_header(t->a, e) == ARCHIVE_OK, "%s", archive_error_string(t->a));
	if (type == AE_IFREG && !link) {
		if (data) {
			ck_assert(archive_write_data(t->a, data, size) == (la_ssize_t)size);
		} else {
			static char zeros[65536];
			for (size_t done = 0; done < size;) {
				size_t k = size - done < sizeof(zeros) ? size - done : sizeof(zeros);
				ck_assert(archive_write_data(t->a, zeros, k) == (la_ssize_t)k);
				done += k;
			}
		}
	}
	archive_entry_free(e);
}

static void tgz_file(struct tgz *t, const char *name, const char *text)
{
	tgz_add(t, name, AE_IFREG, text, strlen(text), NULL);
}

static void tgz_close_it(struct tgz *t)
{
	ck_assert(archive_write_close(t->a) == ARCHIVE_OK);
	archive_write_free(t->a);
	t->a = NULL;
}

/* Load archive bytes: names, or "error: <message>". */
static const char *load_tgz(const void *data, size_t len, const char *what)
{
	static char buf[8192];
	struct gitops_helm_files f = GITOPS_HELM_FILES_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;

	if (gitops_helm_files_from_archive(&f, data, len, what, &err) < 0) {
		ck_assert_msg(f.n == 0, "an error left files in the list");
		ck_assert_msg(err.msg[0] && !strchr(err.msg, '\n'), "not a one-line message: %s", err.msg);
		snprintf(buf, sizeof(buf), "error: %s", err.msg);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", names(&f));
	gitops_helm_files_release(&f);
	return buf;
}

static const char *load_tgz_done(struct tgz *t)
{
	const char *r;

	tgz_close_it(t);
	r = load_tgz(t->out.data, t->out.len, NULL);
	gitops_buf_release(&t->out);
	return r;
}

static const char chart_yaml[] = "apiVersion: v2\nname: c\nversion: 0.1.0\n";

/* --- Go's filepath.Match --- */

static const struct {
	const char *pat, *name;
	int want; /* 1, 0, -1 (ErrBadPattern) */
} glob_cases[] = {
	/* Go's own match_test.go table */
	{ "abc", "abc", 1 }, { "*", "abc", 1 }, { "*c", "abc", 1 }, { "a*", "a", 1 }, { "a*", "abc", 1 },
	{ "a*", "ab/c", 0 }, { "a*/b", "abc/b", 1 }, { "a*/b", "a/c/b", 0 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/f", 1 }, { "a*b*c*d*e*/f", "axbxcxdxexxx/f", 1 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0 }, { "a*b*c*d*e*/f", "axbxcxdxexxx/fff", 0 },
	{ "a*b?c*x", "abxbbxdbxebxczzx", 1 }, { "a*b?c*x", "abxbbxdbxebxczzy", 0 },
	{ "ab[c]", "abc", 1 }, { "ab[b-d]", "abc", 1 }, { "ab[e-g]", "abc", 0 }, { "ab[^c]", "abc", 0 },
	{ "ab[^b-d]", "abc", 0 }, { "ab[^e-g]", "abc", 1 }, { "a\\*b", "a*b", 1 }, { "a\\*b", "ab", 0 },
	{ "a?b", "a\xe2\x98\xba" "b", 1 }, { "a[^a]b", "a\xe2\x98\xba" "b", 1 }, { "a???b", "a\xe2\x98\xba" "b", 0 },
	{ "a[^a][^a][^a]b", "a\xe2\x98\xba" "b", 0 }, { "[a-\xce\xb6]*", "\xce\xb1", 1 }, { "*[a-\xce\xb6]", "A", 0 },
	{ "a?b", "a/b", 0 }, { "a*b", "a/b", 0 }, { "[\\]a]", "]", 1 }, { "[\\-]", "-", 1 }, { "[x\\-]", "x", 1 },
	{ "[x\\-]", "-", 1 }, { "[x\\-]", "z", 0 }, { "[\\-x]", "x", 1 }, { "[\\-x]", "-", 1 }, { "[\\-x]", "a", 0 },
	{ "[]a]", "]", -1 }, { "[-]", "-", -1 }, { "[x-]", "x", -1 }, { "[x-]", "-", -1 }, { "[x-]", "z", -1 },
	{ "[-x]", "x", -1 }, { "[-x]", "-", -1 }, { "[-x]", "a", -1 }, { "\\", "a", -1 }, { "[a-b-c]", "a", -1 },
	{ "[", "a", -1 }, { "[^", "a", -1 }, { "[^bc", "a", -1 }, { "a[", "a", -1 }, { "a[", "ab", -1 },
	{ "a[", "x", -1 }, { "a/b[", "x", -1 }, { "*x", "xxx", 1 },
	/* a bad byte in the name is one rune; a bad byte in a class is malformed */
	{ "a?b", "a\xff" "b", 1 }, { "[\xff]", "a", -1 }, { "", "", 1 }, { "", "a", 0 },
};

START_TEST(test_glob)
{
	const char *p = glob_cases[_i].pat, *n = glob_cases[_i].name;

	ck_assert_msg(gitops_helm_path_match(p, strlen(p), n, strlen(n)) == glob_cases[_i].want, "Match(%s, %s) != %d",
		      p, n, glob_cases[_i].want);
}
END_TEST

/* --- .helmignore, checked against helm --- */

static void make_fixture(void)
{
	static const char *const files[] = { "templates/.hidden", "templates/_helpers.tpl", "templates/sub/.x", ".hidden",
		"a.txt", "a/b", "a/c.txt", "docs/x.md", "docs/y.txt", "sub/a.txt", "sub/deep/a.txt", "b c.txt", "[x].txt",
		"atxt" };

	put("fx/Chart.yaml", "apiVersion: v2\nname: fx\nversion: 0.1.0\n");
	put("fx/values.yaml", "x: 1\n");
	put("fx/templates/cm.yaml", "kind: ConfigMap\n");
	for (int i = 0; i < N(files); i++) {
		char rel[256];
		snprintf(rel, sizeof(rel), "fx/%s", files[i]);
		put(rel, "x\n");
	}
}

/*
 * Each .helmignore and the files loaded, in walk order.  "helm: same" is
 * the set `helm package` (v3.17.2) kept of the same tree; where helm ignores
 * Chart.yaml it stops at "Chart.yaml file is missing", which the list shows.
 */
static const struct {
	const char *rules, *want;
} ignore_cases[] = {
	{ "", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "*.txt", ".helmignore,.hidden,Chart.yaml,a/b,atxt,docs/x.md,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "a/", ".helmignore,.hidden,Chart.yaml,[x].txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "/a.txt", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "docs/*.md", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "*.txt\n!a.txt", "" }, /* helm: Error: Chart.yaml file is missing */
	{ "!a.txt", "a.txt" }, /* helm: Error: Chart.yaml file is missing */
	{ "# comment\n\n  docs/  \n", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "a?txt", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,atxt,b c.txt,docs/x.md,docs/y.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "[ab].txt", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,atxt,b c.txt,docs/x.md,docs/y.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "\\[x\\].txt", ".helmignore,.hidden,Chart.yaml,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "sub/*/a.txt", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "templates/", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,values.yaml" }, /* helm: same */
	{ "//a.txt", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "*.txt/", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "!docs/", "" }, /* helm: Error: Chart.yaml file is missing */
	{ "*.md\n!*.*", ".helmignore,.hidden,Chart.yaml,[x].txt,a.txt,b c.txt,values.yaml" }, /* helm: same */
	{ "!*.*", ".helmignore,.hidden,Chart.yaml,[x].txt,a.txt,b c.txt,values.yaml" }, /* helm: same */
	{ "*.txt\r\n\tdocs/x.md \r\n", ".helmignore,.hidden,Chart.yaml,a/b,atxt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "\xc2\xa0" "*.txt\xc2\xa0", ".helmignore,.hidden,Chart.yaml,a/b,atxt,docs/x.md,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "a.txt\n!*.yaml\n", "Chart.yaml,values.yaml" }, /* helm: same */
	{ "/a.txt/", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "[^a].txt", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a.txt,atxt,b c.txt,docs/x.md,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "[a-b].txt\n", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,atxt,b c.txt,docs/x.md,docs/y.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "*", "" }, /* helm: Error: Chart.yaml file is missing */
	{ "*/", ".helmignore,.hidden,Chart.yaml,[x].txt,a.txt,atxt,b c.txt,values.yaml" }, /* helm: same */
	{ "sub/", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,templates/_helpers.tpl,templates/cm.yaml,values.yaml" }, /* helm: same */
	{ "templates/*.tpl", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "?", ".helmignore,.hidden,Chart.yaml,[x].txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" }, /* helm: same */
	{ "!", "" }, /* helm: Error: Chart.yaml file is missing */
	/* plain bytes before the first metacharacter, a name without them passed over early (want: as before that) */
	{ "docs/x.m?", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" },
	{ "sub/deep/a.tx[t]", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" },
	{ "a.t?t", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,atxt,b c.txt,docs/x.md,docs/y.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" },
	{ "templates/_*", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/cm.yaml,templates/sub/.x,values.yaml" },
	{ "b c.tx?", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" },
	{ "atx?", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" },
	{ "sub/*", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" },
	{ "docs/y.txt?", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" },
	{ "a/[bc]", ".helmignore,.hidden,Chart.yaml,[x].txt,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,templates/sub/.x,values.yaml" },
	{ "templates/sub/.?", ".helmignore,.hidden,Chart.yaml,[x].txt,a/b,a/c.txt,a.txt,atxt,b c.txt,docs/x.md,docs/y.txt,sub/a.txt,sub/deep/a.txt,templates/_helpers.tpl,templates/cm.yaml,values.yaml" },
	{ "!docs/*.md", "" },
	{ "!a.t?t\na.txt", "" },
	/* helm's errors, word for word */
	{ "ok\n**/x", "error: double-star (**) syntax is not supported" },
	{ "[", "error: syntax error in pattern" },
	{ "a\\", "error: syntax error in pattern" },
	{ "x/[", "error: syntax error in pattern" },
};

START_TEST(test_ignore_cases)
{
	tmp_make();
	make_fixture();
	put("fx/.helmignore", ignore_cases[_i].rules);
	ck_assert_str_eq(load_dir(T("fx")), ignore_cases[_i].want);
	tmp_remove();
}
END_TEST

START_TEST(test_ignore_api)
{
	struct gitops_helm_ignore *r;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;

	/* a line of 65535 bytes is read, one of 65536 is bufio's "token too long" */
	for (int i = 0; i < 65535; i++)
		gitops_buf_add(&b, "x", 1);
	ck_assert_int_eq(gitops_helm_ignore_parse(&r, b.data, b.len, &err), 0);
	ck_assert_int_eq(gitops_helm_ignore_match(r, "x", 0), 0);
	gitops_helm_ignore_free(r);
	gitops_buf_add(&b, "x", 1);
	ck_assert_int_eq(gitops_helm_ignore_parse(&r, b.data, b.len, &err), -1);
	ck_assert_str_eq(err.msg, "bufio.Scanner: token too long");
	ck_assert(r == NULL);
	gitops_buf_release(&b);

	/* the default rule: dot files right under templates/, files and directories */
	ck_assert_int_eq(gitops_helm_ignore_parse(&r, NULL, 0, &err), 0);
	ck_assert_int_eq(gitops_helm_ignore_add_defaults(r, &err), 0);
	ck_assert_int_eq(gitops_helm_ignore_match(r, "templates/.x", 0), 1);
	ck_assert_int_eq(gitops_helm_ignore_match(r, "templates/.git", 1), 1);
	ck_assert_int_eq(gitops_helm_ignore_match(r, "templates/.", 0), 0);
	ck_assert_int_eq(gitops_helm_ignore_match(r, "templates/a/.x", 0), 0);
	ck_assert_int_eq(gitops_helm_ignore_match(r, ".x", 0), 0);
	ck_assert_int_eq(gitops_helm_ignore_match(r, ".", 1), 0);
	gitops_helm_ignore_free(r);

	/* "//x": Helm's closure drops one '/' each time it is tried, so the first try fails */
	ck_assert_int_eq(gitops_helm_ignore_parse(&r, "//x\n", 4, &err), 0);
	ck_assert_int_eq(gitops_helm_ignore_match(r, "x", 0), 0);
	ck_assert_int_eq(gitops_helm_ignore_match(r, "x", 0), 1);
	ck_assert_int_eq(gitops_helm_ignore_match(r, "y/x", 0), 0);
	gitops_helm_ignore_free(r);

	/* a dir-only negation meets a file: ignored */
	ck_assert_int_eq(gitops_helm_ignore_parse(&r, "!d/", 3, &err), 0);
	ck_assert_int_eq(gitops_helm_ignore_match(r, "d", 0), 1);
	ck_assert_int_eq(gitops_helm_ignore_match(r, "d", 1), 0);
	ck_assert_int_eq(gitops_helm_ignore_match(r, "e", 1), 1);
	gitops_helm_ignore_free(r);
}
END_TEST

/* --- directories --- */

START_TEST(test_dir_walk)
{
	struct gitops_helm_files f = GITOPS_HELM_FILES_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	static const char bom[] = "\xEF\xBB\xBFkey: v\n";
	static const char bad[] = "\xff\xfe not UTF-8 \x80";

	tmp_make();
	put("c/Chart.yaml", chart_yaml);
	put("c/a.txt", "a");
	put("c/a/b", "b");
	put("c/a-b", "");
	put("c/.hidden/x", "x");
	put("c/templates/.hidden", "h");
	put("c/templates/.d/x", "h");
	put("c/templates/sub/.kept", "k");
	put_len("c/values.yaml", bom, sizeof(bom) - 1);
	put_len("c/bad.bin", bad, sizeof(bad) - 1);
	mkdir(T("c/empty"), 0755);
	/* a directory's files where its name falls: "a" < "a-b" < "a.txt", so "a/b" comes first */
	ck_assert_str_eq(load_dir(T("c")), ".hidden/x,Chart.yaml,a/b,a-b,a.txt,bad.bin,templates/sub/.kept,values.yaml");

	ck_assert_int_eq(gitops_helm_files_from_dir(&f, T("c"), &err), 0);
	ck_assert_uint_eq(f.n, 8);
	ck_assert_str_eq(f.v[3].name, "a-b");
	ck_assert_uint_eq(f.v[3].len, 0);
	ck_assert_uint_eq(f.v[3].data[0], 0);
	ck_assert_str_eq(f.v[7].name, "values.yaml");
	ck_assert_uint_eq(f.v[7].len, 7); /* the BOM taken off */
	ck_assert_str_eq((char *)f.v[7].data, "key: v\n");
	ck_assert_uint_eq(f.v[5].len, sizeof(bad) - 1); /* bytes as they are */
	ck_assert(memcmp(f.v[5].data, bad, sizeof(bad) - 1) == 0);
	/* appending: a second load goes after the first */
	ck_assert_int_eq(gitops_helm_files_from_dir(&f, T("c/a"), &err), 0);
	ck_assert_uint_eq(f.n, 9);
	ck_assert_str_eq(f.v[8].name, "b");
	gitops_helm_files_release(&f);

	/* a relative dir and one with a trailing slash load the same */
	int here = open(".", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(here, 0);
	ck_assert_int_eq(chdir(tmp), 0);
	ck_assert_str_eq(load_dir("c/"), ".hidden/x,Chart.yaml,a/b,a-b,a.txt,bad.bin,templates/sub/.kept,values.yaml");
	ck_assert_str_eq(load_dir("./c/../c"), ".hidden/x,Chart.yaml,a/b,a-b,a.txt,bad.bin,templates/sub/.kept,values.yaml");
	ck_assert_int_eq(fchdir(here), 0);
	close(here);
	tmp_remove();
}
END_TEST

START_TEST(test_dir_errors)
{
	char want[4096];
	const char *got;

	tmp_make();
	put("c/Chart.yaml", chart_yaml);
	/* helm's message for a fifo; an ignored one is fine */
	ck_assert_int_eq(mkfifo(T("c/fifo"), 0644), 0);
	snprintf(want, sizeof(want), "error: cannot load irregular file %s as it has file mode type bits set", T("c/fifo"));
	ck_assert_str_eq(load_dir(T("c")), want);
	put("c/.helmignore", "fifo\n");
	ck_assert_str_eq(load_dir(T("c")), ".helmignore,Chart.yaml");
	unlink(T("c/.helmignore"));
	unlink(T("c/fifo"));

	/* 5 MiB is read, a byte more is 3.17.3's message (the base name, quoted) */
	put_len("c/sub/big", NULL, 0);
	ck_assert_int_eq(truncate(T("c/sub/big"), 5 << 20), 0);
	ck_assert_str_eq(load_dir(T("c")), "Chart.yaml,sub/big");
	ck_assert_int_eq(truncate(T("c/sub/big"), (5 << 20) + 1), 0);
	ck_assert_str_eq(load_dir(T("c")), "error: chart file \"big\" is larger than the maximum file size 5242880");
	unlink(T("c/sub/big"));

	/* 20 files of 5 MiB: 100 MiB in all, refused as helm refuses such an archive */
	for (int i = 0; i < 20; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "c/big/f%02d", i);
		put_len(rel, NULL, 0);
		ck_assert_int_eq(truncate(T(rel), i == 19 ? (5 << 20) - 1024 : 5 << 20), 0);
	}
	got = load_dir(T("c"));
	ck_assert_msg(strncmp(got, "Chart.yaml,big/f00,", 19) == 0, "%.200s", got);
	ck_assert_int_eq(truncate(T("c/big/f19"), 5 << 20), 0);
	snprintf(want, sizeof(want), "error: chart directory %s is larger than the maximum size 104857600", T("c"));
	ck_assert_str_eq(load_dir(T("c")), want);
	for (int i = 0; i < 20; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "c/big/f%02d", i);
		unlink(T(rel));
	}
	rmdir(T("c/big"));

	/* a .helmignore that is a directory, an unreadable file */
	ck_assert_int_eq(mkdir(T("c/.helmignore"), 0755), 0);
	snprintf(want, sizeof(want), "error: read %s: is a directory", T("c/.helmignore"));
	ck_assert_str_eq(load_dir(T("c")), want);
	rmdir(T("c/.helmignore"));
	put("c/.helmignore", "[z-a\n");
	ck_assert_str_eq(load_dir(T("c")), "error: syntax error in pattern");
	unlink(T("c/.helmignore"));
	if (geteuid() != 0) {
		put("c/secret", "s");
		chmod(T("c/secret"), 0);
		got = load_dir(T("c"));
		ck_assert_msg(strncmp(got, "error: error reading ", 21) == 0, "%s", got);
		unlink(T("c/secret"));
	}

	/* not a directory */
	snprintf(want, sizeof(want), "error: %s: not a directory", T("c/Chart.yaml"));
	ck_assert_str_eq(load_dir(T("c/Chart.yaml")), want);
	got = load_dir(T("none"));
	ck_assert_msg(strstr(got, "No such file or directory") != NULL, "%s", got);
	tmp_remove();
}
END_TEST

START_TEST(test_dir_symlinks)
{
	char want[8192];

	tmp_make();
	put("c/Chart.yaml", chart_yaml);
	put("c/real/f", "f");
	put("outside/secret", "s");
	/* links inside: followed as helm follows them, a directory walked under the link's name */
	ck_assert_int_eq(symlink("real", T("c/linkdir")), 0);
	ck_assert_int_eq(symlink("real/f", T("c/linkfile")), 0);
	ck_assert_int_eq(symlink("../../c/real/f", T("c/real/viaparent")), 0);
	ck_assert_str_eq(load_dir(T("c")), "Chart.yaml,linkdir/f,linkdir/viaparent,linkfile,real/f,real/viaparent");

	/* a link out of the chart: refused, naming it; ignored by .helmignore, passed over */
	ck_assert_int_eq(symlink("../outside/secret", T("c/out")), 0);
	snprintf(want, sizeof(want), "error: symbolic link %s resolves to %s, outside the chart directory (not followed)",
		 T("c/out"), T("outside/secret"));
	ck_assert_str_eq(load_dir(T("c")), want);
	ck_assert_int_eq(symlink("../outside", T("c/outdir")), 0);
	put("c/.helmignore", "out\noutdir/\n");
	ck_assert_str_eq(load_dir(T("c")), ".helmignore,Chart.yaml,linkdir/f,linkdir/viaparent,linkfile,real/f,real/viaparent");
	put("c/.helmignore", "out\n");
	snprintf(want, sizeof(want), "error: symbolic link %s resolves to %s, outside the chart directory (not followed)",
		 T("c/outdir"), T("outside"));
	ck_assert_str_eq(load_dir(T("c")), want);
	unlink(T("c/out"));
	unlink(T("c/outdir"));
	unlink(T("c/.helmignore"));

	/* an absolute link to the outside, a .helmignore that is one */
	ck_assert_int_eq(symlink(T("outside/secret"), T("c/.helmignore")), 0);
	snprintf(want, sizeof(want), "error: symbolic link %s resolves to %s, outside the chart directory (not followed)",
		 T("c/.helmignore"), T("outside/secret"));
	ck_assert_str_eq(load_dir(T("c")), want);
	unlink(T("c/.helmignore"));

	/* dangling: helm's "error evaluating symlink", even when ignored */
	ck_assert_int_eq(symlink("nowhere", T("c/dangling")), 0);
	put("c/.helmignore", "dangling\n");
	snprintf(want, sizeof(want), "error: error evaluating symlink %s: No such file or directory", T("c/dangling"));
	ck_assert_str_eq(load_dir(T("c")), want);
	unlink(T("c/dangling"));
	unlink(T("c/.helmignore"));

	/* a link back up: an error, not a loop */
	ck_assert_int_eq(symlink("..", T("c/real/up")), 0);
	snprintf(want, sizeof(want), "error: %s/linkdir/up: a symbolic link leads back to a directory that holds it", T("c"));
	ck_assert_str_eq(load_dir(T("c")), want);
	unlink(T("c/real/up"));

	/* the chart directory itself through a link: its own links still count as inside */
	ck_assert_int_eq(symlink("c", T("alias")), 0);
	ck_assert_str_eq(load_dir(T("alias")), "Chart.yaml,linkdir/f,linkdir/viaparent,linkfile,real/f,real/viaparent");
	/* a link to a sibling directory that shares the chart's name as a prefix is outside */
	put("c2/x", "x");
	ck_assert_int_eq(symlink("../c2/x", T("c/sib")), 0);
	snprintf(want, sizeof(want), "error: symbolic link %s resolves to %s, outside the chart directory (not followed)",
		 T("alias/sib"), T("c2/x"));
	ck_assert_str_eq(load_dir(T("alias")), want);
	tmp_remove();
}
END_TEST

/*
 * Where the quick way (an entry opened as readdir names it) must step back to
 * the long one: a .helmignore that is a fifo or a link, one read once for
 * its rules and for the list, one that ignores itself, a tree deeper than
 * the directories held open.
 */
START_TEST(test_dir_quick)
{
	char want[8192], rel[4096];
	struct gitops_helm_files f = GITOPS_HELM_FILES_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;

	tmp_make();
	put("c/Chart.yaml", chart_yaml);
	put("c/real-ignore", "Chart.yaml\n");

	/* a fifo: opened without blocking, found irregular, then helm's message */
	ck_assert_int_eq(mkfifo(T("c/.helmignore"), 0644), 0);
	snprintf(want, sizeof(want), "error: cannot load irregular file %s as it has file mode type bits set",
		 T("c/.helmignore"));
	ck_assert_str_eq(load_dir(T("c")), want);
	unlink(T("c/.helmignore"));

	/* a link inside the chart: its rules apply, and it is listed with the target's bytes */
	ck_assert_int_eq(symlink("real-ignore", T("c/.helmignore")), 0);
	ck_assert_str_eq(load_dir(T("c")), ".helmignore,real-ignore");
	unlink(T("c/.helmignore"));

	/* read once for both: the rules (a BOM and all) and the list (the BOM taken off) */
	put("c/.helmignore", "\xEF\xBB\xBFreal-ignore\nChart.yaml\n");
	ck_assert_str_eq(load_dir(T("c")), ".helmignore,real-ignore");
	ck_assert_int_eq(gitops_helm_files_from_dir(&f, T("c"), &err), 0);
	ck_assert_str_eq(f.v[0].name, ".helmignore");
	ck_assert_uint_eq(f.v[0].len, 23);
	ck_assert_str_eq((char *)f.v[0].data, "real-ignore\nChart.yaml\n");
	gitops_helm_files_release(&f);
	/* one that ignores itself is not listed (and its bytes are freed: the sanitizer's build) */
	put("c/.helmignore", ".helmignore\n");
	ck_assert_str_eq(load_dir(T("c")), "Chart.yaml,real-ignore");
	unlink(T("c/.helmignore"));
	/* a .helmignore in a subdirectory is a file like any other */
	put("c/sub/.helmignore", "Chart.yaml\n");
	ck_assert_str_eq(load_dir(T("c")), "Chart.yaml,real-ignore,sub/.helmignore");

	/* 40 directories deep: past those held open, walked by path, the same list */
	snprintf(rel, sizeof(rel), "c/d");
	for (int i = 1; i < 40; i++)
		strcat(rel, "/d");
	strcat(rel, "/f");
	put(rel, "f");
	put("c/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/g", "g");
	want[0] = 0;
	for (int i = 0; i < 33; i++)
		strcat(want, "../");
	strcat(want, "real-ignore");
	ck_assert_int_eq(symlink(want, T("c/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/l")), 0);
	ck_assert_str_eq(load_dir(T("c")), "Chart.yaml,"
			 "d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/f,"
			 "d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/g,"
			 "d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/l,"
			 "real-ignore,sub/.helmignore");
	/* a socket: irregular */
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int sock = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(sock, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", T("c/sub/sock"));
	ck_assert_int_eq(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(want, sizeof(want), "error: cannot load irregular file %s as it has file mode type bits set",
		 T("c/sub/sock"));
	ck_assert_str_eq(load_dir(T("c")), want);
	close(sock);
	tmp_remove();
}
END_TEST

/* one read for a small file, the long way from the size on: every size round the read's, no descriptor left open */
START_TEST(test_dir_read_sizes)
{
	static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 200001 };
	struct gitops_helm_files f = GITOPS_HELM_FILES_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char rel[64], want[4096];
	unsigned char *big = malloc(200001);
	int fds_before, fds_after;
	DIR *d;
	struct dirent *de;

	ck_assert_ptr_nonnull(big);
	for (size_t i = 0; i < 200001; i++)
		big[i] = (unsigned char)('a' + i % 26);
	tmp_make();
	put("c/Chart.yaml", chart_yaml);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		snprintf(rel, sizeof(rel), "c/size-%06zu", sizes[i]);
		put_len(rel, big, sizes[i]);
	}
	/* more files than are closed together, in directories between them */
	for (int i = 0; i < 150; i++) {
		snprintf(rel, sizeof(rel), "c/many/%c/%03d", 'a' + i % 7, i);
		put(rel, rel);
	}
	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	for (fds_before = 0; (de = readdir(d)) != NULL;)
		fds_before++;
	closedir(d);
	ck_assert_int_eq(gitops_helm_files_from_dir(&f, T("c"), &err), 0);
	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	for (fds_after = 0; (de = readdir(d)) != NULL;)
		fds_after++;
	closedir(d);
	ck_assert_int_eq(fds_after, fds_before);
	ck_assert_uint_eq(f.n, 1 + 150 + sizeof(sizes) / sizeof(*sizes));
	for (size_t i = 0; i < f.n; i++) {
		const struct gitops_helm_file *x = &f.v[i];
		size_t sz;
		if (!strncmp(x->name, "size-", 5)) {
			sz = (size_t)strtoul(x->name + 5, NULL, 10);
			ck_assert_uint_eq(x->len, sz);
			ck_assert(memcmp(x->data, big, sz) == 0);
		} else if (!strncmp(x->name, "many/", 5)) {
			snprintf(want, sizeof(want), "c/%s", x->name);
			ck_assert_uint_eq(x->len, strlen(want));
			ck_assert(memcmp(x->data, want, x->len) == 0);
		}
		ck_assert_uint_eq(x->data[x->len], 0);
	}
	gitops_helm_files_release(&f);
	/* a fifo among the files: read short (no writer), found irregular the long way */
	ck_assert_int_eq(mkfifo(T("c/many/fifo"), 0644), 0);
	snprintf(want, sizeof(want), "error: cannot load irregular file %s as it has file mode type bits set",
		 T("c/many/fifo"));
	ck_assert_str_eq(load_dir(T("c")), want);
	unlink(T("c/many/fifo"));
	tmp_remove();
	free(big);
}
END_TEST

/* --- archives --- */

START_TEST(test_archive_normal)
{
	struct tgz t;
	struct gitops_helm_files f = GITOPS_HELM_FILES_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	static const char bom[] = "\xEF\xBB\xBFx: 1\n";
	char longname[400], want[512];

	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_add(&t, "c/", AE_IFDIR, NULL, 0, NULL);
	tgz_file(&t, "c/values.yaml", "v");
	tgz_file(&t, "c/Chart.yaml", chart_yaml);
	tgz_add(&t, "c/templates/", AE_IFDIR, NULL, 0, NULL);
	tgz_file(&t, "c/templates/b.yaml", "b");
	tgz_file(&t, "c/templates/a.yaml", "a");
	tgz_file(&t, "c/./x//y/../z", "z");
	tgz_add(&t, "c/bom", AE_IFREG, bom, sizeof(bom) - 1, NULL);
	tgz_file(&t, "c/empty", "");
	tgz_file(&t, "other/.hidden", "h"); /* any first component is dropped */
	memset(longname, 'n', sizeof(longname) - 1);
	memcpy(longname, "c/", 2);
	longname[sizeof(longname) - 1] = 0;
	tgz_file(&t, longname, "l");
	tgz_file(&t, "c/\xc3\xa9t\xc3\xa9", "utf8");
	tgz_close_it(&t);

	ck_assert_int_eq(gitops_helm_files_from_archive(&f, t.out.data, t.out.len, "c-0.1.0.tgz", &err), 0);
	ck_assert_uint_eq(f.n, 10);
	/* archive order, as helm keeps it */
	ck_assert_str_eq(f.v[0].name, "values.yaml");
	ck_assert_str_eq(f.v[1].name, "Chart.yaml");
	ck_assert_str_eq((char *)f.v[1].data, chart_yaml);
	ck_assert_str_eq(f.v[2].name, "templates/b.yaml");
	ck_assert_str_eq(f.v[3].name, "templates/a.yaml");
	ck_assert_str_eq(f.v[4].name, "x/z");
	ck_assert_str_eq(f.v[5].name, "bom");
	ck_assert_str_eq((char *)f.v[5].data, "x: 1\n");
	ck_assert_uint_eq(f.v[5].len, 5);
	ck_assert_str_eq(f.v[6].name, "empty");
	ck_assert_uint_eq(f.v[6].len, 0);
	ck_assert_str_eq(f.v[7].name, ".hidden");
	ck_assert_str_eq(f.v[8].name, longname + 2);
	ck_assert_str_eq(f.v[9].name, "\xc3\xa9t\xc3\xa9");
	gitops_helm_files_release(&f);
	gitops_buf_release(&t.out);

	/* GNU tar's long names, and Windows separators: helm splits on '\' alone when a name holds one */
	tgz_open(&t, ARCHIVE_FORMAT_TAR_GNUTAR, 1);
	tgz_file(&t, "c\\Chart.yaml", chart_yaml);
	tgz_file(&t, "c\\templates\\a.yaml", "a");
	tgz_file(&t, "c/x\\y", "y");
	tgz_file(&t, longname, "l");
	snprintf(want, sizeof(want), "Chart.yaml,templates/a.yaml,y,%s", longname + 2);
	ck_assert_str_eq(load_tgz_done(&t), want);
}
END_TEST

/* Hostile and broken archives: helm's message where helm has one (checked against helm v3.17.2). */
START_TEST(test_archive_hostile)
{
	struct tgz t;

	/* helm: chart illegally contains content outside the base directory: "Chart.yaml" */
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "Chart.yaml", chart_yaml);
	ck_assert_str_eq(load_tgz_done(&t),
			 "error: chart illegally contains content outside the base directory: \"Chart.yaml\"");
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "c/Chart.yaml", chart_yaml);
	tgz_file(&t, "x\ny", "");
	ck_assert_str_eq(load_tgz_done(&t),
			 "error: chart illegally contains content outside the base directory: \"x\\ny\"");
	/* helm: chart yaml not in base directory */
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "Chart.yaml/x", chart_yaml);
	ck_assert_str_eq(load_tgz_done(&t), "error: chart yaml not in base directory");
	/* helm: chart illegally references parent directory (and "..x", which helm also refuses) */
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "c/Chart.yaml", chart_yaml);
	tgz_file(&t, "c/../x", "x");
	ck_assert_str_eq(load_tgz_done(&t), "error: chart illegally references parent directory");
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "c/..x", "x");
	ck_assert_str_eq(load_tgz_done(&t), "error: chart illegally references parent directory");
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "c/a/../../../etc/passwd", "x");
	ck_assert_str_eq(load_tgz_done(&t), "error: chart illegally references parent directory");
	/* helm: chart illegally contains absolute paths */
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "c//etc/passwd", "x");
	ck_assert_str_eq(load_tgz_done(&t), "error: chart illegally contains absolute paths");
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "/etc/passwd", "x"); /* "" dropped, "etc/passwd" left: helm loads it */
	ck_assert_str_eq(load_tgz_done(&t), "etc/passwd");
	/* helm: chart contains illegally named files */
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "c/c:/x", "x");
	ck_assert_str_eq(load_tgz_done(&t), "error: chart contains illegally named files");
	/* links and devices: helm loads them as empty files, we refuse them */
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "c/Chart.yaml", chart_yaml);
	tgz_add(&t, "c/l", AE_IFLNK, "/etc/passwd", 0, NULL);
	ck_assert_str_eq(load_tgz_done(&t), "error: chart illegally contains a symbolic link: \"c/l\"");
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "c/Chart.yaml", chart_yaml);
	tgz_add(&t, "c/h", AE_IFREG, NULL, 0, "c/Chart.yaml");
	ck_assert_str_eq(load_tgz_done(&t), "error: chart illegally contains a hard link: \"c/h\"");
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_add(&t, "c/null", AE_IFCHR, NULL, 0, NULL);
	ck_assert_str_eq(load_tgz_done(&t), "error: chart illegally contains a device, fifo or socket: \"c/null\"");
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_add(&t, "c/fifo", AE_IFIFO, NULL, 0, NULL);
	ck_assert_str_eq(load_tgz_done(&t), "error: chart illegally contains a device, fifo or socket: \"c/fifo\"");
	/* nothing but directories, nothing at all: helm's "no files in chart archive" */
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_add(&t, "c/", AE_IFDIR, NULL, 0, NULL);
	ck_assert_str_eq(load_tgz_done(&t), "error: no files in chart archive");
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	ck_assert_str_eq(load_tgz_done(&t), "error: no files in chart archive");
	tgz_open(&t, ARCHIVE_FORMAT_RAW, 1);
	tgz_add(&t, "data", AE_IFREG, "", 0, NULL);
	ck_assert_str_eq(load_tgz_done(&t), "error: no files in chart archive");
}
END_TEST

START_TEST(test_archive_broken)
{
	struct tgz t;
	static const char text[] = "apiVersion: v2\nname: c\n";
	char big[600];
	const char *got;

	/* not gzip: helm's LoadFile words (Go's content type of 512 zero-padded bytes), or LoadArchive's */
	ck_assert_str_eq(load_tgz(text, sizeof(text) - 1, "/x/c.tgz"),
			 "error: file '/x/c.tgz' does not appear to be a gzipped archive; got 'application/octet-stream'");
	memset(big, 'a', sizeof(big));
	ck_assert_str_eq(load_tgz(big, sizeof(big), "/x/c.tgz"),
			 "error: file '/x/c.tgz' does not appear to be a gzipped archive; got 'text/plain; charset=utf-8'");
	memcpy(big, "PK\x03\x04", 4);
	ck_assert_str_eq(load_tgz(big, sizeof(big), "c.tgz"),
			 "error: file 'c.tgz' does not appear to be a gzipped archive; got 'application/zip'");
	memcpy(big, "  <html>", 8);
	ck_assert_str_eq(load_tgz(big, sizeof(big), "c.tgz"),
			 "error: file 'c.tgz' does not appear to be a gzipped archive; got 'text/html; charset=utf-8'");
	ck_assert_str_eq(load_tgz(text, sizeof(text) - 1, "values.yaml"),
			 "error: file 'values.yaml' seems to be a YAML file, but expected a gzipped archive");
	ck_assert_str_eq(load_tgz(text, sizeof(text) - 1, NULL), "error: gzip: invalid header");
	ck_assert_str_eq(load_tgz("", 0, NULL), "error: gzip: invalid header");
	ck_assert_str_eq(load_tgz("\x1f\x8b", 2, NULL), "error: gzip: invalid header");

	/* truncated: cut anywhere, an error (never a crash, never a partial list) */
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "c/Chart.yaml", chart_yaml);
	tgz_add(&t, "c/data", AE_IFREG, NULL, 100000, NULL);
	tgz_close_it(&t);
	ck_assert_str_eq(load_tgz(t.out.data, t.out.len, NULL), "Chart.yaml,data");
	for (size_t cut = 3; cut < t.out.len; cut += 7) {
		got = load_tgz(t.out.data, cut, "c.tgz");
		ck_assert_msg(strncmp(got, "error: c.tgz: not a valid chart archive: ", 41) == 0, "cut at %zu: %s", cut, got);
	}
	/* a flipped byte in the deflate stream */
	t.out.data[t.out.len / 2] ^= 0x55;
	got = load_tgz(t.out.data, t.out.len, "c.tgz");
	ck_assert_msg(strncmp(got, "error: c.tgz: not a valid chart archive: ", 41) == 0, "%s", got);
	gitops_buf_release(&t.out);

	/* gzip twice, gzip of something not tar */
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 2);
	tgz_file(&t, "c/Chart.yaml", chart_yaml);
	tgz_close_it(&t);
	got = load_tgz(t.out.data, t.out.len, "c.tgz");
	ck_assert_msg(strncmp(got, "error: c.tgz: not a valid chart archive: ", 41) == 0, "%s", got);
	gitops_buf_release(&t.out);
	tgz_open(&t, ARCHIVE_FORMAT_RAW, 1);
	tgz_add(&t, "data", AE_IFREG, big, sizeof(big), NULL);
	tgz_close_it(&t);
	got = load_tgz(t.out.data, t.out.len, NULL);
	ck_assert_msg(strncmp(got, "error: chart archive: not a valid chart archive: ", 49) == 0, "%s", got);
	gitops_buf_release(&t.out);
}
END_TEST

/* Helm 3.17.3's limits: 5 MiB a file (from the header, before reading), 100 MiB a chart. */
START_TEST(test_archive_limits)
{
	struct tgz t;

	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_add(&t, "c/five", AE_IFREG, NULL, 5u << 20, NULL);
	ck_assert_str_eq(load_tgz_done(&t), "five");
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	tgz_file(&t, "c/Chart.yaml", chart_yaml);
	tgz_add(&t, "c/big", AE_IFREG, NULL, (5u << 20) + 1, NULL);
	ck_assert_str_eq(load_tgz_done(&t),
			 "error: decompressed chart file \"c/big\" is larger than the maximum file size 5242880");
	/* 20 files of 5 MiB: exactly 100 MiB, which helm already refuses (remaining <= 0) */
	tgz_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, 1);
	for (int i = 0; i < 20; i++) {
		char name[32];
		snprintf(name, sizeof(name), "c/f%02d", i);
		tgz_add(&t, name, AE_IFREG, NULL, 5u << 20, NULL);
	}
	ck_assert_str_eq(load_tgz_done(&t), "error: decompressed chart is larger than the maximum file size 104857600");
}
END_TEST

/* --- the conformance charts --- */

static const char *conformance_dir(void)
{
	const char *dir = getenv("CONFORMANCE");

	return dir && *dir ? dir : "../shared/conformance";
}

static uint64_t fnv_names(const struct gitops_helm_files *f)
{
	char **v = malloc(f->n * sizeof(*v));
	uint64_t h = 0xcbf29ce484222325ULL;

	ck_assert(v != NULL);
	for (size_t i = 0; i < f->n; i++)
		v[i] = f->v[i].name;
	/* byte order */
	for (size_t i = 1; i < f->n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	for (size_t i = 0; i < f->n; i++) {
		for (const unsigned char *p = (const unsigned char *)v[i]; *p; p++)
			h = (h ^ *p) * 0x100000001b3ULL;
		h = (h ^ '\n') * 0x100000001b3ULL;
	}
	free(v);
	return h;
}

/* tar -czf out -C parent --no-recursion -T list: no shell, argv only */
static int run_tar(const char *out, const char *parent, const char *list)
{
	char *argv[] = { "tar", "-czf", (char *)out, "-C", (char *)parent, "--no-recursion", "-T", (char *)list, NULL };
	pid_t pid;
	int status;

	if (posix_spawnp(&pid, "tar", NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

START_TEST(test_conformance_charts)
{
	/* what `helm package` (v3.17.2) keeps of each chart: how many files, the FNV-1a of their sorted names */
	static const struct {
		const char *name;
		size_t n;
		uint64_t fnv;
	} charts[] = {
		{ "argo-rollouts", 32, 0xec0467a7d6a4bb09ULL },
		{ "external-dns", 18, 0x637f0f3648e2fb4eULL },
		{ "ingress-nginx", 230, 0x5c9d47e4bf684c6fULL },
		{ "metrics-server", 29, 0x7b5144036b62137eULL },
		{ "nginx", 49, 0xeced26e6018eebc6ULL },
		{ "podinfo", 29, 0x27c35e77a8caa608ULL },
		{ "prometheus", 110, 0x7d386799c8a3c466ULL },
		{ "traefik", 65, 0x5d39ddc58d87c137ULL },
	};
	char dir[4096], path[4096];
	struct stat st;
	int tar_ok = 1;

	snprintf(dir, sizeof(dir), "%s/helm-charts/charts", conformance_dir());
	if (test_conformance_absent())
		return;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "helm_files: skipped the conformance charts: %s is not there (CONFORMANCE)\n", dir);
		return;
	}
	tmp_make();
	for (int i = 0; i < N(charts); i++) {
		struct gitops_helm_files d = GITOPS_HELM_FILES_INIT, a = GITOPS_HELM_FILES_INIT;
		struct gitops_err err = GITOPS_ERR_INIT;
		struct gitops_buf list = GITOPS_BUF_INIT, tgz = GITOPS_BUF_INIT;

		snprintf(path, sizeof(path), "%s/%s", dir, charts[i].name);
		ck_assert_msg(gitops_helm_files_from_dir(&d, path, &err) == 0, "%s: %s", charts[i].name, err.msg);
		ck_assert_msg(d.n == charts[i].n, "%s: %zu files, helm has %zu", charts[i].name, d.n, charts[i].n);
		ck_assert_msg(fnv_names(&d) == charts[i].fnv, "%s: not the files helm loads", charts[i].name);
		/* the long way (lstat first) loads the same */
		ck_assert_str_eq(load_dir(path), names(&d));
		/* names are clean and relative */
		for (size_t k = 0; k < d.n; k++)
			ck_assert_msg(d.v[k].name[0] != '/' && !strstr(d.v[k].name, "//") && !strstr(d.v[k].name, "./"),
				      "%s", d.v[k].name);

		/* the same files through tar(1), in walk order: the archive gives the same list, the same bytes */
		for (size_t k = 0; k < d.n; k++)
			gitops_buf_printf(&list, "%s/%s\n", charts[i].name, d.v[k].name);
		put_len("list", list.data, list.len);
		if (tar_ok && run_tar(T("c.tgz"), dir, T("list")) < 0) {
			fprintf(stderr, "helm_files: skipped the tar round trip: tar(1) did not run\n");
			tar_ok = 0;
		}
		if (tar_ok) {
			ck_assert(gitops_buf_read_file(&tgz, T("c.tgz"), 64u << 20, &err) == 0);
			ck_assert_msg(gitops_helm_files_from_archive(&a, tgz.data, tgz.len, "c.tgz", &err) == 0, "%s: %s",
				      charts[i].name, err.msg);
			ck_assert_uint_eq(a.n, d.n);
			for (size_t k = 0; k < d.n; k++) {
				ck_assert_str_eq(a.v[k].name, d.v[k].name);
				ck_assert_msg(a.v[k].len == d.v[k].len && memcmp(a.v[k].data, d.v[k].data, d.v[k].len) == 0,
					      "%s: %s: not the same bytes", charts[i].name, d.v[k].name);
			}
		}
		gitops_helm_files_release(&d);
		gitops_helm_files_release(&a);
		gitops_buf_release(&list);
		gitops_buf_release(&tgz);
	}
	tmp_remove();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("helm_files");
	TCase *tc = tcase_create("ignore");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_glob, 0, N(glob_cases));
	tcase_add_loop_test(tc, test_ignore_cases, 0, N(ignore_cases));
	tcase_add_test(tc, test_ignore_api);
	suite_add_tcase(s, tc);
	tc = tcase_create("dir");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dir_walk);
	tcase_add_test(tc, test_dir_errors);
	tcase_add_test(tc, test_dir_symlinks);
	tcase_add_test(tc, test_dir_quick);
	tcase_add_test(tc, test_dir_read_sizes);
	suite_add_tcase(s, tc);
	tc = tcase_create("archive");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_archive_normal);
	tcase_add_test(tc, test_archive_hostile);
	tcase_add_test(tc, test_archive_broken);
	tcase_add_test(tc, test_archive_limits);
	tcase_add_test(tc, test_conformance_charts);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
