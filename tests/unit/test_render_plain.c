/* render_plain: walking a directory (byte order, hidden entries, links), Source documents, completeness. */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/check_main.h"
#include "lib/k8s/object.h"
#include "lib/render/render.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
#define CM(name) "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " name "}\n"
#define SOURCE_DOC "apiVersion: gitops.dev/v1\nkind: Source\nmetadata: {name: s}\n"

/* A private directory per test (fork mode), its real path: messages name real paths. */
static char base[PATH_MAX];

static void make_base(void)
{
	const char *t = getenv("TMPDIR");
	char tmpl[PATH_MAX];

	snprintf(tmpl, sizeof(tmpl), "%s/gitops-test-render.XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_ptr_nonnull(realpath(tmpl, base));
}

static void remove_base(void)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

/* `s` with every '@' replaced by the base directory. */
static char *expand(const char *s)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	for (; *s; s++) { /* '@' the base, "@@" an '@' */
		if (*s == '@' && s[1] == '@')
			ck_assert_int_eq(gitops_buf_add(&b, s++, 1), 0);
		else
			ck_assert_int_eq(*s == '@' ? gitops_buf_addstr(&b, base) : gitops_buf_add(&b, s, 1), 0);
	}
	return gitops_buf_detach(&b);
}

struct entry {
	char type;          /* 'f' a file holding data, 'd' a directory, 'l' a symbolic link to data */
	const char *path;   /* relative to the base */
	const char *data;   /* '@' is the base */
};

static void make_tree(const struct entry *e)
{
	for (; e->type; e++) {
		char path[PATH_MAX];
		char *data = e->data ? expand(e->data) : NULL;
		snprintf(path, sizeof(path), "%s/%s", base, e->path);
		if (e->type == 'd') {
			ck_assert_int_eq(mkdir(path, 0755), 0);
		} else if (e->type == 'l') {
			ck_assert_int_eq(symlink(data, path), 0);
		} else {
			FILE *fp = fopen(path, "w");
			ck_assert_msg(fp != NULL, "%s", path);
			fputs(data, fp);
			ck_assert_int_eq(fclose(fp), 0);
		}
		free(data);
	}
}

/* Each object as "PATH:NAME" (PATH relative to the base), and its provenance when stamped. */
static int collect(void *ctx, struct gitops_object *obj, struct gitops_err *err)
{
	struct gitops_buf *b = ctx;
	const char *src = obj->source, *s, *r;
	size_t n = strlen(base);

	(void)err;
	if (!strncmp(src, base, n) && src[n] == '/')
		src += n + 1;
	gitops_buf_printf(b, "%s:%s", src, gitops_json_get_string(obj->json, "metadata", "name", NULL));
	s = gitops_object_annotation(obj->json, "gitops.dev/source");
	r = gitops_object_annotation(obj->json, "gitops.dev/revision");
	if (s || r)
		gitops_buf_printf(b, " [%s %s]", s ? s : "-", r ? r : "-");
	gitops_buf_addstr(b, "\n");
	return 0;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#define E_END { 0, NULL, NULL }

static const struct {
	const char *what;
	struct entry tree[12];
	const char *want;    /* the objects, in order; or NULL when the walk fails */
	int code;            /* the error's */
	const char *msg;
	size_t files;        /* files read (on success) */
} walk_cases[] = {
	{ "byte order, directories where their name sorts, manifests only",
	  { { 'd', "root", NULL }, { 'f', "root/b.yml", CM("b") }, { 'f', "root/a.yaml", CM("a") },
	    { 'f', "root/B.yaml", CM("upper-b") }, { 'd', "root/a", NULL }, { 'f', "root/a/x.yaml", CM("ax") },
	    { 'f', "root/a.json", "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"aj\"}}" },
	    { 'f', "root/c.txt", CM("txt") }, { 'f', "root/d.JSON", CM("upper-ext") }, { 'f', "root/yaml", CM("none") },
	    E_END },
	  "root/B.yaml:upper-b\nroot/a/x.yaml:ax\nroot/a.json:aj\nroot/a.yaml:a\nroot/b.yml:b\n", 0, NULL, 5 },
	{ "hidden files and directories skipped at every level",
	  { { 'd', "root", NULL }, { 'f', "root/.hidden.yaml", CM("h1") }, { 'd', "root/.git", NULL },
	    { 'f', "root/.git/x.yaml", CM("h2") }, { 'd', "root/sub", NULL }, { 'f', "root/sub/.h.yaml", CM("h3") },
	    { 'f', "root/sub/v.yaml", CM("v") }, E_END },
	  "root/sub/v.yaml:v\n", 0, NULL, 1 },
	{ "a link to a file inside the root is followed, under the link's name",
	  { { 'd', "root", NULL }, { 'd', "root/real", NULL }, { 'f', "root/real/data.yaml", CM("d") },
	    { 'l', "root/link.yaml", "real/data.yaml" }, { 'l', "root/abs.yaml", "@/root/real/data.yaml" }, E_END },
	  "root/abs.yaml:d\nroot/link.yaml:d\nroot/real/data.yaml:d\n", 0, NULL, 3 },
	{ "links to directories are not followed",
	  { { 'd', "root", NULL }, { 'd', "root/sub", NULL }, { 'f', "root/sub/v.yaml", CM("v") },
	    { 'l', "root/dir.yaml", "sub" }, { 'l', "root/dir", "sub" }, { 'l', "root/up", ".." }, E_END },
	  "root/sub/v.yaml:v\n", 0, NULL, 1 },
	{ "a link to a file outside the root",
	  { { 'd', "root", NULL }, { 'f', "outside.yaml", CM("o") }, { 'l', "root/bad.yaml", "../outside.yaml" },
	    E_END },
	  NULL, GITOPS_EXIT_INPUT, "@/root/bad.yaml: symbolic link points outside @/root (to @/outside.yaml)", 0 },
	{ "an absolute link outside the root",
	  { { 'd', "root", NULL }, { 'f', "outside.yaml", CM("o") }, { 'l', "root/bad.yaml", "@/outside.yaml" }, E_END },
	  NULL, GITOPS_EXIT_INPUT, "@/root/bad.yaml: symbolic link points outside @/root (to @/outside.yaml)", 0 },
	{ "a dangling link inside the root",
	  { { 'd', "root", NULL }, { 'l', "root/gone.yaml", "missing.yaml" }, E_END },
	  NULL, GITOPS_EXIT_IO, "@/root/gone.yaml: No such file or directory", 0 },
	{ "a dangling link that would lead outside",
	  { { 'd', "root", NULL }, { 'l', "root/gone.yaml", "../missing.yaml" }, E_END },
	  NULL, GITOPS_EXIT_INPUT, "@/root/gone.yaml: symbolic link points outside @/root (to ../missing.yaml)", 0 },
	{ "a link whose name is no manifest is never looked at",
	  { { 'd', "root", NULL }, { 'l', "root/gone", "../missing.yaml" }, { 'f', "root/v.yaml", CM("v") }, E_END },
	  "root/v.yaml:v\n", 0, NULL, 1 },
	{ "a Source document in a walked file is refused",
	  { { 'd', "root", NULL }, { 'f', "root/a.yaml", CM("a") },
	    { 'f', "root/src.yaml", CM("first") "---\n" SOURCE_DOC "spec: {dir: /}\n" }, E_END },
	  NULL, GITOPS_EXIT_INPUT,
	  "@/root/src.yaml:5: document 2: a Source document found in a directory is refused (only standard input and "
	  "files named on the command line may hold one)", 0 },
	{ "a Kustomize overlay is built, in kustomize's order, not walked",
	  { { 'd', "root", NULL }, { 'd', "root/app", NULL },
	    { 'f', "root/app/kustomization.yaml", "resources: [b.yaml, a.yaml]\n" }, { 'f', "root/app/a.yaml", CM("a") },
	    { 'f', "root/app/b.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n" },
	    { 'f', "root/app/unlisted.yaml", CM("unlisted") }, { 'f', "root/z.yaml", CM("z") }, E_END },
	  "root/app/kustomization.yaml:a\nroot/app/kustomization.yaml:b\nroot/z.yaml:z\n", 0, NULL, 2 },
	{ "a kustomization beside Chart.yaml",
	  { { 'd', "root", NULL }, { 'f', "root/kustomization.yaml", "resources: []\n" }, { 'f', "root/Chart.yaml", "name: c\n" },
	    E_END },
	  NULL, GITOPS_EXIT_INPUT,
	  "@/root: both a kustomization (kustomization.yaml) and a Helm chart (Chart.yaml): which one to render is ambiguous",
	  0 },
	{ "a Helm chart in a subdirectory, rendered",
	  { { 'd', "root", NULL }, { 'd', "root/chart", NULL },
	    { 'f', "root/chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n" }, { 'd', "root/chart/templates", NULL },
	    { 'f', "root/chart/templates/cm.yaml", CM("{{ .Chart.Name }}-{{ .Release.Name }}") }, { 'f', "root/z.yaml", CM("z") },
	    E_END },
	  "root/chart:c-release-name\nroot/z.yaml:z\n", 0, NULL, 2 },
	{ "a Helm chart that Helm refuses",
	  { { 'd', "root", NULL }, { 'd', "root/chart", NULL }, { 'f', "root/chart/Chart.yaml", "name: c\n" }, E_END },
	  NULL, GITOPS_EXIT_INPUT, "@/root/chart: validation: chart.metadata.version is required", 0 },
	{ "an empty directory", { { 'd', "root", NULL }, { 'd', "root/empty", NULL }, E_END }, "", 0, NULL, 0 },
	{ "empty and comment-only files count as read",
	  { { 'd', "root", NULL }, { 'f', "root/a.yaml", "" }, { 'f', "root/b.yaml", "# nothing\n---\n" }, E_END },
	  "", 0, NULL, 2 },
};

START_TEST(test_walk)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_render_stats stats = { 0, 0 };
	struct gitops_render_input in;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf got = GITOPS_BUF_INIT;
	char root[PATH_MAX];
	int ret;

	make_base();
	make_tree(walk_cases[_i].tree);
	snprintf(root, sizeof(root), "%s/root", base);
	memset(&in, 0xff, sizeof(in));
	ret = gitops_render_path(&in, root, &limits, collect, &got, &stats, &err);
	if (walk_cases[_i].want) {
		ck_assert_msg(ret == 0, "%s: %s", walk_cases[_i].what, err.msg);
		ck_assert_str_eq(got.data ? got.data : "", walk_cases[_i].want);
		/* a directory is read whole, never as a stream */
		ck_assert_int_eq(in.whole, 1);
		ck_assert_int_eq(in.streamed, 0);
		ck_assert_uint_eq(stats.files, walk_cases[_i].files);
		ck_assert_uint_eq(stats.objects, count_lines(walk_cases[_i].want));
	} else {
		char *msg = expand(walk_cases[_i].msg);
		ck_assert_msg(ret == -1, "%s: accepted", walk_cases[_i].what);
		ck_assert_int_eq(err.code, walk_cases[_i].code);
		ck_assert_str_eq(err.msg, msg);
		free(msg);
	}
	gitops_buf_release(&got);
	remove_base();
}
END_TEST

/* A Source named on the command line is expanded: its dir walked, each object stamped with where it came from. */
static const struct {
	const char *spec;     /* the Source's spec, flow style; '@' the base */
	const char *want;
	int code;
	const char *msg;
} source_cases[] = {
	{ "{repository: https://example.com/r.git, commit: 0123abc, path: envs/prod, dir: '@/checkout'}",
	  "checkout/a.yaml:a [https://example.com/r.git//envs/prod 0123abc]\n"
	  "checkout/sub/b.yaml:b [https://example.com/r.git//envs/prod 0123abc]\n", 0, NULL },
	{ "{repository: r, commit: c1, path: ., dir: '@/checkout/'}",
	  "checkout/a.yaml:a [r c1]\ncheckout/sub/b.yaml:b [r c1]\n", 0, NULL },
	{ "{repository: r, commit: c1, path: ., dir: checkout}", NULL, GITOPS_EXIT_INPUT,
	  "@/src.yaml:1: document 1: Source 's': spec.dir 'checkout' is not an absolute path" },
	{ "{repository: r, path: ., dir: '@/checkout'}", NULL, GITOPS_EXIT_INPUT,
	  "@/src.yaml:1: document 1: Source 's': spec.commit must be a non-empty string" },
	{ "{repository: r, commit: c, path: ., dir: '@/missing'}", NULL, GITOPS_EXIT_IO,
	  "@/src.yaml:1: document 1: Source 's': @/missing: No such file or directory" },
	{ "{repository: r, commit: c, path: ., dir: '@/checkout/a.yaml'}", NULL, GITOPS_EXIT_INPUT,
	  "@/src.yaml:1: document 1: Source 's': @/checkout/a.yaml is not a directory" },
	/* a Source inside the checkout it names: refused as inside a fetched source */
	{ "{repository: r, commit: c, path: ., dir: '@/nested'}", NULL, GITOPS_EXIT_INPUT,
	  "r//inner.yaml@@c:1: document 1: a Source document inside a fetched source is refused (it could point "
	  "anywhere on this machine)" },
	/* messages name the repository and commit, not the checkout's path on this machine */
	{ "{repository: https://example.com/r.git, commit: 0123456789abcdef, path: ., dir: '@/broken'}", NULL,
	  GITOPS_EXIT_INPUT, "https://example.com/r.git//x.yaml@@0123456:2:3: mapping values are not allowed in this context" },
};

START_TEST(test_source)
{
	static const struct entry tree[] = {
		{ 'd', "checkout", NULL }, { 'f', "checkout/a.yaml", CM("a") }, { 'd', "checkout/sub", NULL },
		{ 'f', "checkout/sub/b.yaml", CM("b") }, { 'f', "checkout/.hidden.yaml", CM("hidden") },
		{ 'd', "nested", NULL }, { 'f', "nested/inner.yaml", SOURCE_DOC "spec: {dir: /}\n" },
		{ 'd', "broken", NULL }, { 'f', "broken/x.yaml", "a: 1\n b: 2\n" }, { 0, NULL, NULL },
	};
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_render_input in;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf got = GITOPS_BUF_INIT, doc = GITOPS_BUF_INIT;
	struct entry src[2] = { { 'f', "src.yaml", NULL }, { 0, NULL, NULL } };
	char path[PATH_MAX];
	int ret;

	make_base();
	make_tree(tree);
	gitops_buf_printf(&doc, SOURCE_DOC "spec: %s\n", source_cases[_i].spec);
	src[0].data = doc.data;
	make_tree(src);
	snprintf(path, sizeof(path), "%s/src.yaml", base);
	ret = gitops_render_path(&in, path, &limits, collect, &got, NULL, &err);
	if (source_cases[_i].want) {
		ck_assert_msg(ret == 0, "%s", err.msg);
		ck_assert_str_eq(got.data, source_cases[_i].want);
		ck_assert_int_eq(in.whole, 1);
		ck_assert_int_eq(in.streamed, 0);
	} else {
		char *msg = expand(source_cases[_i].msg);
		ck_assert_int_eq(ret, -1);
		ck_assert_int_eq(err.code, source_cases[_i].code);
		ck_assert_str_eq(err.msg, msg);
		free(msg);
	}
	gitops_buf_release(&got);
	gitops_buf_release(&doc);
	remove_base();
}
END_TEST

/* What a stream vouches for: whole only when a marker with the right count closes it. */
static const struct {
	const char *text;
	int ret, whole, marker;
	size_t objects;
} stream_cases[] = {
	{ CM("a"), 0, 0, GITOPS_MARKER_NONE, 1 },
	{ "", 0, 0, GITOPS_MARKER_NONE, 0 },
	{ CM("a") "# gitops: end of stream (1 object)\n", 0, 1, GITOPS_MARKER_OK, 1 },
	{ CM("a") "---\n" CM("b") "# gitops: end of stream (2 objects)\n", 0, 1, GITOPS_MARKER_OK, 2 },
	{ "# gitops: end of stream (0 objects)\n", 0, 1, GITOPS_MARKER_OK, 0 },
	{ CM("a") "# gitops: end of stream (2 objects)\n", -1, 0, 0, 0 },
	{ CM("a") "# gitops: end of stream (1 object)\n---\n" CM("b"), -1, 0, 0, 0 },
};

START_TEST(test_stream)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_render_stats stats = { 0, 0 };
	struct gitops_render_input in;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf got = GITOPS_BUF_INIT;
	const char *text = stream_cases[_i].text;
	int p[2], ret;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], text, strlen(text)), (ssize_t)strlen(text));
	close(p[1]);
	ret = gitops_render_fd(&in, p[0], "<stdin>", &limits, collect, &got, &stats, &err);
	close(p[0]);
	ck_assert_int_eq(ret, stream_cases[_i].ret);
	if (ret == 0) {
		ck_assert_int_eq(in.streamed, 1);
		ck_assert_int_eq(in.whole, stream_cases[_i].whole);
		ck_assert_int_eq(in.status.marker, stream_cases[_i].marker);
		ck_assert_uint_eq(in.status.objects, stream_cases[_i].objects);
		ck_assert_uint_eq(stats.objects, stream_cases[_i].objects);
		ck_assert_uint_eq(stats.files, 1);
	} else {
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
		ck_assert_msg(!strncmp(err.msg, "<stdin>", 7), "%s", err.msg);
	}
	gitops_buf_release(&got);
}
END_TEST

/* A file named is read whole, marker or not; a FIFO named is a stream. */
START_TEST(test_named_inputs)
{
	static const struct entry tree[] = {
		{ 'f', "plain.yaml", CM("a") }, { 'f', "marked.yaml", CM("a") "# gitops: end of stream (1 object)\n" },
		{ 0, NULL, NULL },
	};
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_render_input in;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf got = GITOPS_BUF_INIT;
	char path[PATH_MAX];
	pid_t pid;
	int fd;

	make_base();
	make_tree(tree);
	snprintf(path, sizeof(path), "%s/plain.yaml", base);
	ck_assert_msg(gitops_render_path(&in, path, &limits, collect, &got, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(in.whole, 1);
	ck_assert_int_eq(in.streamed, 0);
	snprintf(path, sizeof(path), "%s/marked.yaml", base);
	ck_assert_msg(gitops_render_path(&in, path, &limits, collect, &got, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(in.whole, 1);
	ck_assert_int_eq(in.streamed, 0);
	ck_assert_str_eq(got.data, "plain.yaml:a\nmarked.yaml:a\n");

	snprintf(path, sizeof(path), "%s/fifo.yaml", base);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, CM("f"), strlen(CM("f"))) < 0)
			_exit(1);
		_exit(0);
	}
	ck_assert_msg(gitops_render_path(&in, path, &limits, collect, &got, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(in.streamed, 1);
	ck_assert_int_eq(in.whole, 0);
	ck_assert_int_eq(in.status.marker, GITOPS_MARKER_NONE);

	snprintf(path, sizeof(path), "%s/missing.yaml", base);
	ck_assert_int_eq(gitops_render_path(&in, path, &limits, collect, &got, NULL, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_IO);
	gitops_buf_release(&got);
	remove_base();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("render_plain");
	TCase *tw = tcase_create("walk"), *ts = tcase_create("source"), *tc = tcase_create("complete");

	tcase_add_loop_test(tw, test_walk, 0, N(walk_cases));
	tcase_add_loop_test(ts, test_source, 0, N(source_cases));
	tcase_add_loop_test(tc, test_stream, 0, N(stream_cases));
	tcase_add_test(tc, test_named_inputs);
	suite_add_tcase(s, tw);
	suite_add_tcase(s, ts);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
