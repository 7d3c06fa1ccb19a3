/*
 * Unit tests for lib/yaml/fastyaml.c: its events against libyaml's, on
 * hand-written edges and on every YAML and JSON file of tests/ and of the
 * conformance fixtures; and the reader with it against the reader without.
 */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/yaml/yaml.h"
#include "tests/fuzz/fastyaml_diff.h"
#include "tests/unit/check_main.h"
#include "tests/unit/conformance.h"

/* take: 1 the fast source must take it, 0 it must give up, -1 either */
static const struct {
	const char *in;
	int take;
} cases[] = {
	{ "", 1 },
	{ "# only a comment\n", 1 },
	{ "# one\n\n   # two\n", 1 },
	{ "a: 1\n", 1 },
	{ "a: 1", 1 },
	{ "a:", 1 },
	{ "a:\n", 1 },
	{ "a:\nb:\n", 1 },
	{ "a:   \nb: 2   \n", 1 },
	{ "a:\n  b:\n    c: d\n  e: f\ng: h\n", 1 },
	{ "a:\n- x\n- y\nb: 1\n", 1 },
	{ "a:\n  - x\n  -\n  - - y\n    - z\n", 1 },
	{ "- a: 1\n  b: 2\n- c\n-\n- - d\n", 1 },
	{ "- name: x\n  items:\n  - a\n  - b: c\n    d: e\n  other: 1\n", 1 },
	{ "a:\n-\nb: 1\n", 1 },
	{ "-\n-\n", 1 },
	{ "- \n  a: 1\n", 1 },
	{ "a:\n  # comment\nb: 1\n", 1 },
	{ "a: 1 # comment\n# between\nb: 2 #\n", 1 },
	{ "- 1\n# c\n- 2\n  # d\n- 3\n", 1 },
	{ "  a: 1\n  b: 2\n", 1 },
	{ "'a': 1\n\"b c\" : 2\nd : 3\n", 1 },
	{ "a: 'it''s'\nb: \"x\\ty\\n\\\\\\\"\\/\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\e\\0\\a\\b\\v\\f\\r\\ \"\n", 1 },
	{ "a: \"\\'\"\n", 0 },
	{ "a: \"\\ud800\"\n", 0 },
	{ "a: \"\\q\"\n", 0 },
	{ "a: ''\nb: \"\"\n", 1 },
	{ "a: \"  x  \"\nb: '\ty\t'\n", 1 },
	{ "a: b c  d\n", 1 },
	{ "a: b\tc\n", 1 },
	{ "a: -1\nb: -x\nc: x:y\nd: x#y\ne: [a\n", -1 },
	{ "a: x, y {z} [w]\n", 1 },
	{ "url: http://x:8080/y\n", 1 },
	{ "a: é\nb: 日本語: 1\n", -1 },
	{ "é: 日本語\nñ:\n- ü\n", 1 },
	{ "a: |\n  x\n  y\n", 1 },
	{ "a: |\n  x\n\n", 1 },
	{ "a: |-\n  x\n\n\nb: 1\n", 1 },
	{ "a: |+\n  x\n\n\nb: 1\n", 1 },
	{ "a: |+\n  x\n\n", 1 },
	{ "a: |\n  x", 1 },
	{ "a: |\n", 1 },
	{ "a: |\nb: 1\n", 1 },
	{ "a: |\n\n  \n   x\n", 1 },
	{ "a: |\n     \n  x\n", -1 },
	{ "a: |2\n    x\n   y\n  z\n", 1 },
	{ "a: |1-\n  x\n", 1 },
	{ "a: |-1\n  x\n", 1 },
	{ "a: |0\n  x\n", 0 },
	{ "a: | # c\n  x\n", 1 },
	{ "a: |x\n  x\n", 0 },
	{ "a: >\n  one\n  two\n\n  three\n   more\n  back\n", 1 },
	{ "a: >-\n  one\n\n\n  two\n", 1 },
	{ "a: >+\n  one\n  \n", 1 },
	{ "a: >\n   lead\n  x\n", -1 },
	{ "- |\n  a\n  b\n- >\n  c\n", 1 },
	{ "- a: |\n    x\n  b: 1\n", 1 },
	{ "a: |\n  # not a comment\n  x\n", 1 },
	{ "a: |\n  x\n  \ty\n", 1 },
	{ "a: |\n \tx\n", 0 },
	{ "a: {}\nb: []\nc: { }\nd: [  ]\n", 1 },
	{ "- {}\n- []\n", 1 },
	{ "{}\n", 1 },
	{ "[]\n", 1 },
	{ "a: {b: 1}\n", 0 },
	{ "a: [1]\n", 1 },
	{ "a: [x, \"y\" ,z1.b/c ]\n- [ q ]\n", 0 },
	{ "a: [x, \"y\" ,z1.b/c, 'it''s', \"\\u00e9\", é ]\nb: [ q ] # c\n", 1 },
	{ "- [x,y]\n- [ \"a b\" ]\n", 1 },
	{ "a: [x, ]\n", 0 },
	{ "a: [x y]\n", 0 },
	{ "a: [x: y]\n", 0 },
	{ "a: [x\n  , y]\n", 0 },
	{ "a: [-x]\n", 0 },
	{ "a: [[x]]\n", 0 },
	{ "---\na: 1\n", 1 },
	{ "---\na: 1\n---\nb: 2\n", 1 },
	{ "a: 1\n---\nb: 2\n...\n", 1 },
	{ "---\n---\n", 1 },
	{ "---\n...\n", 1 },
	{ "--- # c\na: 1\n... # d\n---\nb: 1\n", 1 },
	{ "---", 1 },
	{ "# c\n---\n# d\n", 1 },
	{ "a: 1\n...\nb: 2\n", 0 },
	{ "...\n", 0 },
	{ "--- a\n", 0 },
	{ "a: 1\n--- \n", 1 },
	{ "a: 1\n---x: 2\n", 1 },
	{ "a: 1\nb\n", 0 },
	{ "a: b: c\n", 0 },
	{ "a: - b\n", 0 },
	{ "a: 1\n  b: 2\n", 0 },
	{ "a:\n    b: 1\n  c: 2\n", 0 },
	{ "a: x\n  y\n", 1 },
	{ "- a\n  b\n", 1 },
	{ "a:\n  x\nb: 1\n", 1 },
	{ "a:\n  \"x\"\n", 1 },
	{ "a: &x 1\n", 0 },
	{ "a: *x\n", 0 },
	{ "a: !!str 1\n", 0 },
	{ "%YAML 1.1\n---\na: 1\n", 0 },
	{ "? a\n: b\n", 0 },
	{ "a:\tb\n", 0 },
	{ "\ta: 1\n", 0 },
	{ "a: 1\r\n", 0 },
	{ "\xef\xbb\xbf" "a: 1\n", 0 },
	{ "a: \x01\n", 0 },
	{ "a: \xc3\n", 0 },
	{ "a: \xc2\x85\n", 0 },
	{ "a: x\n  # indented comment\nb: y\n", 1 },
	{ "a: x #c\n  more\n", -1 },
	{ "a: 'x'#c\n", 0 },
	{ "a: 'x\n  y'\n", 1 },
	{ "a: \"x\n  y\"\n", 1 },
	{ "just a scalar\n", 0 },
	{ "- a\nb: 1\n", 0 },
	{ "a: 1\n- b\n", 0 },
	{ "a:\n- b\n - c\n", 1 },
	{ "-a: 1\n", 1 },
	{ "a:b: 1\n", 1 },
	{ "a: -\n", 0 },
	{ "a:\n -\n", 1 },
	{ "- - - a\n    - b\n  - c\n- d\n", 1 },
	{ "a: 1\nb: 2\n---\n- x\n---\n{}\n", 1 },
	{ "key with spaces: value with spaces\n", 1 },
	{ "a: one\n  two\n\n   three  \n\n\n  four # c\nb: 1\n", 1 },
	{ "- one\n  two\n-  x\n   y\n", 1 },
	{ "a:\n  one\n  two\n", 1 },
	{ "a: one\n  two: x\n", 0 },
	{ "a: one\n  - two\n", 1 },
	{ "a: one\n  # c\n  two\n", 0 },
	{ "a: one\n\ttwo\n", 0 },
	{ "a: one\n  two\tthree\n", 1 },
	{ "a: 'one\n  two\n\n  three'\nb: \"x\n\n\n   y \\\n  z\\\n\"\n", 1 },
	{ "a: \"x  \n  \t y\"\n", 1 },
	{ "a: 'x\n---\n'\n", 0 },
	{ "a: \"x\\\n\"\n", 1 },
	{ "'a\n b': 1\n", 0 },
	{ "a\n b: 1\n", 0 },
	{ "a: \"\n\"\n", 1 },
	{ "a: \"x\ny\"\nb: 1\n", 1 },
	{ "a:\n  b: \"x\n#y\"\n", 1 },
	{ "a: x\n  y\n  #z\n", 1 },
	{ "- a: 'x\n\n  y'\n  b: 1\n", 1 },
	{ "- a: \"x\\\n   \\ y\"\n", 1 },
	{ "a:\n  b:\n    c: 1\n ", 1 },
	{ "a:\n  b:\n  - c\n   ", 1 },
	{ "a:\n  b: 1\n   # c", 1 },
};

START_TEST(test_case)
{
	const char *in = cases[_i].in;
	int accepted;
	const char *why = fastyaml_diff(in, strlen(in), &accepted);

	ck_assert_msg(!why, "case %d '%s': %s", _i, in, why);
	if (cases[_i].take >= 0)
		ck_assert_msg(accepted == cases[_i].take, "case %d '%s': fast source %s", _i, in,
			      accepted ? "took it" : "gave up");
}
END_TEST

/* The reader with the fast source and without: the same documents, errors and markers. */
static void reader_run(struct gitops_buf *out, const char *text, size_t len, int fast, const struct gitops_limits *lim)
{
	struct gitops_yaml_reader *r;
	struct gitops_yaml_doc doc;
	struct gitops_yaml_marker m;
	struct gitops_err err = GITOPS_ERR_INIT;
	char line[128];
	int n;

	ck_assert_int_eq(gitops_yaml_reader_mem(&r, text, len, "t.yaml", lim, &err), 0);
	gitops_yaml_reader_set_fast(r, fast);
	while ((n = gitops_yaml_reader_next(r, &doc, &err)) > 0) {
		char *js = doc.root ? cJSON_PrintUnformatted(doc.root) : NULL;
		snprintf(line, sizeof(line), "doc %zu %zu:%zu flow %d items %zu: ", doc.index, doc.line, doc.column,
			 doc.flow, doc.n_item_lines);
		gitops_buf_addstr(out, line);
		gitops_buf_addstr(out, js ? js : "(null)");
		gitops_buf_addstr(out, "\n");
		free(js);
		while (gitops_yaml_reader_pop_marker(r, doc.line, &m)) {
			snprintf(line, sizeof(line), "marker %zu %zu\n", m.line, m.count);
			gitops_buf_addstr(out, line);
		}
		gitops_yaml_doc_release(&doc);
	}
	if (n < 0) {
		gitops_buf_addstr(out, "error: ");
		gitops_buf_addstr(out, err.msg);
		gitops_buf_addstr(out, "\n");
	}
	while (gitops_yaml_reader_pop_marker(r, SIZE_MAX, &m)) {
		snprintf(line, sizeof(line), "marker %zu %zu\n", m.line, m.count);
		gitops_buf_addstr(out, line);
	}
	gitops_yaml_reader_free(r);
}

static void reader_same(const char *text, size_t len, const struct gitops_limits *lim)
{
	struct gitops_buf a = GITOPS_BUF_INIT, b = GITOPS_BUF_INIT;

	reader_run(&a, text, len, 0, lim);
	reader_run(&b, text, len, 1, lim);
	gitops_buf_add(&a, "", 1);
	gitops_buf_add(&b, "", 1);
	ck_assert_msg(!strcmp(a.data, b.data), "'%.200s':\nlibyaml:\n%s\nfast:\n%s", text, a.data, b.data);
	gitops_buf_release(&a);
	gitops_buf_release(&b);
}

START_TEST(test_reader_case)
{
	reader_same(cases[_i].in, strlen(cases[_i].in), NULL);
}
END_TEST

static const char *reader_cases[] = {
	"a: 1\n# gitops: end of stream (1 object)\n",
	"# gitops: end of stream (2 objects)\n---\na: 1\n",
	"a: |\n  x\n# gitops: end of stream (1 object)\n---\nb: 2\n# gitops: end of stream (3 objects)",
	"a: 1\na: 2\n",
	"a: 1\nb:\n  c: 1\n  c: 2",
	"a: 1\n---\nb: 2\n",
	"items:\n- a: 1\n- b: 2\n",
	"a: \"\\0\"\n",
	"a: x\n<<: 1\n",
	"a: x\n<<:\n  b: 1\n",
	"a: 0x1F\nb: yes\nc: 1e3\nd: ~\ne: 2001-12-14\n",
	"a: 1\n# gitops: end of stream (1 object)",
};

START_TEST(test_reader_marker)
{
	reader_same(reader_cases[_i], strlen(reader_cases[_i]), NULL);
}
END_TEST

START_TEST(test_reader_limits)
{
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	const char *text = "a: 1\nb:\n  c: [  ]\n  d:\n  - x\n---\ne: 2\n";

	lim.max_depth = 2;
	reader_same(text, strlen(text), &lim);
	lim = (struct gitops_limits)GITOPS_LIMITS_INIT;
	lim.max_nodes = 3;
	reader_same(text, strlen(text), &lim);
	lim = (struct gitops_limits)GITOPS_LIMITS_INIT;
	lim.max_document_bytes = 10;
	reader_same(text, strlen(text), &lim);
	lim = (struct gitops_limits)GITOPS_LIMITS_INIT;
	lim.max_stream_bytes = 20;
	reader_same(text, strlen(text), &lim);
}
END_TEST

/* the corpus: every .yaml, .yml and .json file */
static size_t files, taken, bytes, taken_bytes;
static char failure[4096];

static int corpus_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *dot = strrchr(path, '.');
	struct gitops_buf text = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *why;
	int accepted;

	(void)st;
	(void)ftw;
	if (type != FTW_F || !dot || (strcmp(dot, ".yaml") && strcmp(dot, ".yml") && strcmp(dot, ".json")))
		return 0;
	if (gitops_buf_read_file(&text, path, 64u << 20, &err) < 0)
		return 0;
	why = fastyaml_diff(text.data ? text.data : "", text.len, &accepted);
	files++;
	bytes += text.len;
	if (accepted) {
		taken++;
		taken_bytes += text.len;
		reader_same(text.data ? text.data : "", text.len, NULL);
	}
	gitops_buf_release(&text);
	if (why) {
		snprintf(failure, sizeof(failure), "%s: %s", path, why);
		return 1;
	}
	return 0;
}

static void walk(const char *dir)
{
	failure[0] = '\0';
	ck_assert_int_eq(nftw(dir, corpus_file, 16, FTW_PHYS), failure[0] ? 1 : 0);
	ck_assert_msg(!failure[0], "%s", failure);
}

START_TEST(test_corpus)
{
	const char *conf = getenv("CONFORMANCE");

	files = taken = bytes = taken_bytes = 0;
	walk("tests");
	if (!test_conformance_absent())
		walk(conf && *conf ? conf : "../shared/conformance");
	ck_assert(files > 0);
	printf("fastyaml: took %zu of %zu files (%.1f%%), %zu of %zu bytes (%.1f%%)\n", taken, files,
	       100.0 * (double)taken / (double)files, taken_bytes, bytes,
	       bytes ? 100.0 * (double)taken_bytes / (double)bytes : 0.0);
}
END_TEST

static Suite *fastyaml_suite(void)
{
	Suite *s = suite_create("fastyaml");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_case, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_loop_test(tc, test_reader_case, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_loop_test(tc, test_reader_marker, 0, sizeof(reader_cases) / sizeof(reader_cases[0]));
	tcase_add_test(tc, test_reader_limits);
	tcase_add_test(tc, test_corpus);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(fastyaml_suite());
}
