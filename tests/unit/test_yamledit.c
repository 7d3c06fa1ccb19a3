/* Unit tests for lib/yamledit.c and lib/image.c: byte-exact edits, positions past non-ASCII text, images. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/image.h"
#include "lib/yaml/yamledit.h"
#include "tests/unit/check_main.h"

static const struct {
	const char *in;
	const char *path;
	const char *value;
	int create;
	const char *out;     /* NULL: an error whose message is `err` */
	const char *err;
} set_cases[] = {
	{ "a: 1\n", "a", "2", 0, "a: 2\n", NULL },
	{ "a:\n  b: x # c\n", "a.b", "z", 0, "a:\n  b: z # c\n", NULL },
	{ "a:\n  b: x # c\n", "a.b", "y", 0, "a:\n  b: \"y\" # c\n", NULL },
	/* positions after multi-byte characters: libyaml counts characters, edits need bytes */
	{ "k: \xc3\xa9\xc3\xa9\xc3\xa9\nv: old\n", "v", "new", 0, "k: \xc3\xa9\xc3\xa9\xc3\xa9\nv: new\n", NULL },
	{ "k: \xf0\x9f\x98\x80 # \xe2\x98\x83\nv: [\xe6\x97\xa5, old]\n", "v[1]", "new", 0,
	  "k: \xf0\x9f\x98\x80 # \xe2\x98\x83\nv: [\xe6\x97\xa5, new]\n", NULL },
	{ "\xef\xbb\xbfv: old\n", "v", "new", 0, "\xef\xbb\xbfv: new\n", NULL },
	{ "\xef\xbb\xbf# \xc3\xa9\r\nv: old\r\n", "v", "new", 0, "\xef\xbb\xbf# \xc3\xa9\r\nv: new\r\n", NULL },
	{ "v: 'it''s'\n", "v", "that's", 0, "v: 'that''s'\n", NULL },
	{ "v: \"a\"\n", "v", "line1\nline2", 0, "v: \"line1\\nline2\"\n", NULL },
	{ "v: plain\n", "v", "a: b", 0, "v: \"a: b\"\n", NULL },
	{ "v: plain\n", "v", "#x", 0, "v: \"#x\"\n", NULL },
	{ "v: plain\n", "v", "true", 0, "v: \"true\"\n", NULL },
	{ "v: plain\n", "v", "", 0, "v: \"\"\n", NULL },
	{ "v: 1\n", "v", "0x10", 0, "v: 0x10\n", NULL },
	{ "v: [a, b]\n", "v[0]", "x,y", 0, "v: [\"x,y\", b]\n", NULL },
	{ "v: {a: b}\n", "v.a", "h:p", 0, "v: {a: \"h:p\"}\n", NULL },
	{ "v: !!str 5\n", "v", "6", 0, "v: !!str 6\n", NULL },
	{ "v: &a x\nw: *a\n", "v", "z", 0, "v: &a z\nw: *a\n", NULL },
	{ "l:\n- n: a\n  v: 1\n- n: b\n  v: 2\n", "l[n=b].v", "3", 0, "l:\n- n: a\n  v: 1\n- n: b\n  v: 3\n", NULL },
	{ "a: 1\n---\na: 2\n", "a", "3", 0, "a: 3\n---\na: 3\n", NULL },
	{ "a:\n  b: 1\n", "a.c", "2", 1, "a:\n  b: 1\n  c: \"2\"\n", NULL },
	{ "a:\n   b: 1\nz: 0\n", "a.c.d", "x", 1, "a:\n   b: 1\n   c:\n      d: x\nz: 0\n", NULL },
	{ "a: {}\n", "a.b", "x", 1, "a: {b: x}\n", NULL },
	{ "s: |\n  one\n  two\nn: 1\n", "s", "three", 0, "s: |-\n  three\nn: 1\n", NULL },
	{ "s: |\n  one\n", "s", "x\ny\n", 0, "s: |\n  x\n  y\n", NULL },
	{ "s: |\n  one\n", "s", "x\n\n", 0, "s: \"x\\n\\n\"\n", NULL },
	{ "a: 1\n", "b", "2", 0, NULL, "t.yaml:1: 'b' not found: the mapping has no key 'b' (--create adds it)" },
	{ "a: [1]\n", "a[3]", "2", 0, NULL, "t.yaml:1: 'a[3]' not found: the sequence has 1 item, no [3]" },
	{ "a: x\n", "a.b", "2", 0, NULL, "t.yaml:1: 'a.b' not found: 'b' would be a key of a scalar, not of a mapping" },
	{ "a: &x {b: 1}\nc: *x\n", "c.b", "2", 0, NULL,
	  "t.yaml:2: 'c.b' goes through the alias '*x'; edit its anchor '&x' at line 1" },
	{ "a: [\n", "a", "2", 0, NULL, "t.yaml:2: did not find expected node content while parsing a flow node" },
	{ "", "a", "2", 0, NULL, "t.yaml: 'a' not found: the file holds no YAML document" },
	{ "a: 1\n", "a..b", "2", 0, NULL, "invalid path 'a..b': empty key" },
	{ "a: 1\n", "a[x", "2", 0, NULL, "invalid path 'a[x': unclosed or empty '['" },
};

START_TEST(test_set)
{
	struct gitops_yamledit *y = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *out;
	size_t len;
	int r;

	r = gitops_yamledit_new(&y, set_cases[_i].in, strlen(set_cases[_i].in), "t.yaml", NULL, &err);
	if (r == 0)
		r = gitops_yamledit_set(y, set_cases[_i].path, set_cases[_i].value, set_cases[_i].create, &err);
	if (!set_cases[_i].out) {
		ck_assert_int_eq(r, -1);
		ck_assert_str_eq(err.msg, set_cases[_i].err);
		gitops_yamledit_free(y);
		return;
	}
	ck_assert_msg(r >= 1, "case %d: %s", _i, err.msg);
	ck_assert_int_eq(gitops_yamledit_output(y, &out, &len, &err), 0);
	ck_assert_str_eq(out, set_cases[_i].out);
	ck_assert_uint_eq(len, strlen(out));
	gitops_yamledit_free(y);
}
END_TEST

/* Setting the value a scalar already has changes nothing, not even a quote. */
START_TEST(test_unchanged)
{
	static const char in[] = "a: 'x'   # c\n";
	struct gitops_yamledit *y = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *out;
	size_t len;

	ck_assert_int_eq(gitops_yamledit_new(&y, in, strlen(in), "t.yaml", NULL, &err), 0);
	ck_assert_int_eq(gitops_yamledit_set(y, "a", "x", 0, &err), 1);
	ck_assert_uint_eq(gitops_yamledit_nchanges(y), 0);
	ck_assert_int_eq(gitops_yamledit_output(y, &out, &len, &err), 0);
	ck_assert_str_eq(out, in);
	gitops_yamledit_free(y);
}
END_TEST

static const struct {
	const char *in;
	const char *name, *ref;
	const char *out;
} image_cases[] = {
	{ "image: nginx:1\n", "docker.io/library/nginx", "2", "image: nginx:2\n" },
	{ "image: nginx\n", "nginx", "2", "image: nginx:2\n" },
	{ "image: nginx:1@sha256:0000000000000000000000000000000000000000000000000000000000000000\n", "nginx", "2",
	  "image: nginx:2\n" },
	{ "image: nginx:1\n", "nginx", "@sha256:1111111111111111111111111111111111111111111111111111111111111111",
	  "image: nginx:1@sha256:1111111111111111111111111111111111111111111111111111111111111111\n" },
	{ "image: nginx:1\n", "nginx", "r.io/nginx:3", "image: r.io/nginx:3\n" },
	{ "image: other/nginx:1\n", "nginx", "2", "image: other/nginx:1\n" },
	{ "image: h:5000/a:1\n", "h:5000/a", "2", "image: h:5000/a:2\n" },
	{ "images:\n- name: a\n  newTag: v1\n", "a", "v2", "images:\n- name: a\n  newTag: v2\n" },
	{ "images:\n- name: a\n", "a", "v2", "images:\n- name: a\n  newTag: v2\n" },
	{ "image: {repository: a, tag: \"1\"}\n", "a", "1.10", "image: {repository: a, tag: \"1.10\"}\n" },
	{ "x:\n  image:\n    repository: a\n    tag: v1\n", "a", "v2", "x:\n  image:\n    repository: a\n    tag: v2\n" },
};

START_TEST(test_images)
{
	struct gitops_yamledit *y = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_image_ref ref = GITOPS_IMAGE_REF_INIT;
	struct gitops_yamledit_image im;
	const char *out;
	size_t len;

	ck_assert_int_eq(gitops_image_parse_ref(&ref, image_cases[_i].ref, &err), 0);
	im.name = image_cases[_i].name;
	im.ref = &ref;
	ck_assert_int_eq(gitops_yamledit_new(&y, image_cases[_i].in, strlen(image_cases[_i].in), "t.yaml", NULL, &err),
			 0);
	ck_assert_int_ge(gitops_yamledit_images(y, &im, 1, NULL, 0, &err), 0);
	ck_assert_int_eq(gitops_yamledit_output(y, &out, &len, &err), 0);
	ck_assert_str_eq(out, image_cases[_i].out);
	gitops_yamledit_free(y);
	gitops_image_release(&ref);
}
END_TEST

static const struct {
	const char *in;
	const char *name, *tag, *digest;   /* name NULL: refused */
} parse_cases[] = {
	{ "nginx", "nginx", NULL, NULL },
	{ "nginx:1.25", "nginx", "1.25", NULL },
	{ "localhost:5000/a/b:v1", "localhost:5000/a/b", "v1", NULL },
	{ "localhost:5000/a", "localhost:5000/a", NULL, NULL },
	{ "ghcr.io/o/a@sha256:0000000000000000000000000000000000000000000000000000000000000000", "ghcr.io/o/a", NULL,
	  "sha256:0000000000000000000000000000000000000000000000000000000000000000" },
	{ "a_b__c-d/e.f:t", "a_b__c-d/e.f", "t", NULL },
	{ "a_b.io/f:t", NULL, NULL, NULL },
	{ "Nginx", NULL, NULL, NULL },
	{ "nginx:", NULL, NULL, NULL },
	{ "nginx:-x", NULL, NULL, NULL },
	{ "nginx@sha256:abc", NULL, NULL, NULL },
	{ "a//b", NULL, NULL, NULL },
	{ "a/", NULL, NULL, NULL },
	{ "", NULL, NULL, NULL },
	{ "h:x/a", NULL, NULL, NULL },
};

START_TEST(test_parse)
{
	struct gitops_image_ref r = GITOPS_IMAGE_REF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	int rc = gitops_image_parse(&r, parse_cases[_i].in, &err);

	if (!parse_cases[_i].name) {
		ck_assert_msg(rc == -1, "'%s' should be refused", parse_cases[_i].in);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
		return;
	}
	ck_assert_msg(rc == 0, "'%s': %s", parse_cases[_i].in, err.msg);
	ck_assert_str_eq(r.name, parse_cases[_i].name);
	if (parse_cases[_i].tag)
		ck_assert_str_eq(r.tag, parse_cases[_i].tag);
	else
		ck_assert_ptr_null(r.tag);
	if (parse_cases[_i].digest)
		ck_assert_str_eq(r.digest, parse_cases[_i].digest);
	else
		ck_assert_ptr_null(r.digest);
	gitops_image_release(&r);
}
END_TEST

START_TEST(test_names)
{
	char host[256], repo[256];

	ck_assert(gitops_image_same_name("nginx", 5, "docker.io/library/nginx", 23));
	ck_assert(gitops_image_same_name("index.docker.io/library/nginx", 29, "nginx", 5));
	ck_assert(gitops_image_same_name("docker.io/bitnami/redis", 23, "bitnami/redis", 13));
	ck_assert(!gitops_image_same_name("quay.io/nginx", 13, "nginx", 5));
	ck_assert(!gitops_image_same_name("library/nginx/x", 15, "nginx", 5));
	ck_assert_int_eq(gitops_image_registry("nginx", host, sizeof(host), repo, sizeof(repo)), 0);
	ck_assert_str_eq(host, "registry-1.docker.io");
	ck_assert_str_eq(repo, "library/nginx");
	ck_assert_int_eq(gitops_image_registry("127.0.0.1:5000/t/a", host, sizeof(host), repo, sizeof(repo)), 0);
	ck_assert_str_eq(host, "127.0.0.1:5000");
	ck_assert_str_eq(repo, "t/a");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("yamledit");
	TCase *tc = tcase_create("set");

	tcase_add_loop_test(tc, test_set, 0, sizeof(set_cases) / sizeof(set_cases[0]));
	tcase_add_test(tc, test_unchanged);
	suite_add_tcase(s, tc);
	tc = tcase_create("images");
	tcase_add_loop_test(tc, test_images, 0, sizeof(image_cases) / sizeof(image_cases[0]));
	tcase_add_loop_test(tc, test_parse, 0, sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
