/* image: references as Docker writes them, names normalised, where a registry's API lives. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/base/image.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct {
	const char *in;
	const char *name, *tag, *digest;   /* all NULL: refused */
} parse_cases[] = {
	{ "nginx", "nginx", NULL, NULL },
	{ "nginx:1.25", "nginx", "1.25", NULL },
	{ "nginx@" D64, "nginx", NULL, D64 },
	{ "nginx:1.25@" D64, "nginx", "1.25", D64 },
	{ "ghcr.io/org/app:v1", "ghcr.io/org/app", "v1", NULL },
	{ "localhost:5000/app", "localhost:5000/app", NULL, NULL },           /* a port, not a tag */
	{ "localhost:5000/app:2", "localhost:5000/app", "2", NULL },
	{ "127.0.0.1:5000/team/app:1.10.63", "127.0.0.1:5000/team/app", "1.10.63", NULL },
	{ "", NULL, NULL, NULL },
	{ "nginx:", NULL, NULL, NULL },
	{ "nginx:-bad", NULL, NULL, NULL },
	{ "nginx@sha256:abc", NULL, NULL, NULL },
	{ "Nginx:1", NULL, NULL, NULL },                                     /* upper case path */
};

START_TEST(test_parse)
{
	struct gitops_image_ref r = GITOPS_IMAGE_REF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	int ret = gitops_image_parse(&r, parse_cases[_i].in, &err);

	if (parse_cases[_i].name) {
		char *back;
		ck_assert_msg(ret == 0, "'%s': %s", parse_cases[_i].in, err.msg);
		ck_assert_pstr_eq(r.name, parse_cases[_i].name);
		ck_assert_pstr_eq(r.tag, parse_cases[_i].tag);
		ck_assert_pstr_eq(r.digest, parse_cases[_i].digest);
		/* and written back as it was */
		back = gitops_image_format(&r);
		ck_assert_str_eq(back, parse_cases[_i].in);
		free(back);
	} else {
		ck_assert_msg(ret == -1, "'%s' accepted", parse_cases[_i].in);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	}
	gitops_image_release(&r);
}
END_TEST

/* Docker Hub's names and their API host; any other host as written. */
static const struct {
	const char *name, *normal, *host, *repo;
} registry_cases[] = {
	{ "nginx", "docker.io/library/nginx", "registry-1.docker.io", "library/nginx" },
	{ "library/nginx", "docker.io/library/nginx", "registry-1.docker.io", "library/nginx" },
	{ "docker.io/nginx", "docker.io/library/nginx", "registry-1.docker.io", "library/nginx" },
	{ "index.docker.io/library/nginx", "docker.io/library/nginx", "registry-1.docker.io", "library/nginx" },
	{ "bitnami/redis", "docker.io/bitnami/redis", "registry-1.docker.io", "bitnami/redis" },
	{ "ghcr.io/org/app", "ghcr.io/org/app", "ghcr.io", "org/app" },
	{ "localhost/app", "localhost/app", "localhost", "app" },
	{ "localhost:5000/a/b/c", "localhost:5000/a/b/c", "localhost:5000", "a/b/c" },
	{ "registry:5000/app", "registry:5000/app", "registry:5000", "app" },
};

START_TEST(test_registry)
{
	char norm[600], host[256], repo[512];
	const char *name = registry_cases[_i].name;

	ck_assert_int_eq(gitops_image_normalize(name, strlen(name), norm, sizeof(norm)), 0);
	ck_assert_str_eq(norm, registry_cases[_i].normal);
	ck_assert_int_eq(gitops_image_registry(name, host, sizeof(host), repo, sizeof(repo)), 0);
	ck_assert_str_eq(host, registry_cases[_i].host);
	ck_assert_str_eq(repo, registry_cases[_i].repo);
	/* every spelling is the same repository as its normal form */
	ck_assert_int_eq(gitops_image_same_name(name, strlen(name), norm, strlen(norm)), 1);
	/* buffers too small: refused, not cut */
	ck_assert_int_eq(gitops_image_registry(name, host, 3, repo, sizeof(repo)), -1);
}
END_TEST

static const struct {
	const char *a, *b;
	int same;
} same_cases[] = {
	{ "nginx", "docker.io/library/nginx", 1 },
	{ "nginx", "library/nginx", 1 },
	{ "nginx", "ghcr.io/nginx", 0 },
	{ "org/app", "docker.io/org/app", 1 },
	{ "org/app", "org/app2", 0 },
	{ "localhost:5000/app", "localhost:5001/app", 0 },
};

START_TEST(test_same_name)
{
	const char *a = same_cases[_i].a, *b = same_cases[_i].b;

	ck_assert_int_eq(gitops_image_same_name(a, strlen(a), b, strlen(b)), same_cases[_i].same);
	ck_assert_int_eq(gitops_image_same_name(b, strlen(b), a, strlen(a)), same_cases[_i].same);
}
END_TEST

static const struct {
	const char *s;
	int tag, digest;
} valid_cases[] = {
	{ "v1.2.3", 1, 0 },
	{ "_x", 1, 0 },
	{ "1.0-rc_1", 1, 0 },
	{ ".x", 0, 0 },
	{ "-x", 0, 0 },
	{ "1.2.3+b", 0, 0 },
	{ "", 0, 0 },
	{ D64, 0, 1 },
	{ "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", 0, 0 },
	{ "sha256:0123", 0, 0 },
	{ "sha512:0123456789abcdef0123456789abcdef", 0, 0 },     /* sha512 has 128 */
	{ "blake3:0123456789abcdef0123456789abcdef", 0, 1 },     /* others: 32 or more */
	{ "blake3:0123456789abcdef0123456789abcde", 0, 0 },
};

START_TEST(test_valid)
{
	const char *s = valid_cases[_i].s;

	ck_assert_int_eq(!!gitops_image_valid_tag(s, strlen(s)), valid_cases[_i].tag);
	ck_assert_int_eq(!!gitops_image_valid_digest(s, strlen(s)), valid_cases[_i].digest);
}
END_TEST

START_TEST(test_valid_tag_length)
{
	char tag[200];

	memset(tag, 'a', sizeof(tag));
	ck_assert_int_eq(!!gitops_image_valid_tag(tag, 128), 1);
	ck_assert_int_eq(!!gitops_image_valid_tag(tag, 129), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("image");

	tcase_add_loop_test(tc, test_parse, 0, N(parse_cases));
	tcase_add_loop_test(tc, test_registry, 0, N(registry_cases));
	tcase_add_loop_test(tc, test_same_name, 0, N(same_cases));
	tcase_add_loop_test(tc, test_valid, 0, N(valid_cases));
	tcase_add_test(tc, test_valid_tag_length);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
