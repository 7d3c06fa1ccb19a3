/* json: deep equality, nested lookups and type names of cJSON trees. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/base/json.h"
#include "lib/yaml/yaml.h"
#include "lib/value/value.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static cJSON *parse(const char *text)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *root = NULL;

	ck_assert_msg(gitops_yaml_parse_one(&root, text, strlen(text), "in.yaml", NULL, &err) == 0, "%s", err.msg);
	return root;
}

static const struct {
	const char *a, *b;
	int equal;
} equal_cases[] = {
	{ "{a: 1, b: [x, y]}", "{b: [x, y], a: 1}", 1 },
	{ "{a: 1}", "{a: 1.0}", 1 },
	{ "{a: {b: {c: null}}}", "{a: {b: {c: null}}}", 1 },
	{ "{a: 1}", "{a: 2}", 0 },
	{ "{a: 1}", "{a: \"1\"}", 0 },
	{ "{a: 1}", "{a: 1, b: 2}", 0 },
	{ "{a: [x, y]}", "{a: [y, x]}", 0 },
	{ "{a: true}", "{a: false}", 0 },
	{ "{a: null}", "{}", 0 },
	{ "{a: 1, b: 2, c: 3}", "{c: 3, a: 1, d: 2}", 0 },
};

START_TEST(test_equal)
{
	cJSON *a = parse(equal_cases[_i].a), *b = parse(equal_cases[_i].b);

	ck_assert_int_eq(gitops_value_equal(a, b), equal_cases[_i].equal);
	ck_assert_int_eq(gitops_value_equal(b, a), equal_cases[_i].equal);
	ck_assert_int_eq(gitops_value_equal(a, a), 1);
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

static const struct {
	const char *path;      /* keys, '.'-separated */
	const char *type;      /* gitops_json_type_name of what is there, NULL when nothing */
	const char *string;    /* gitops_json_get_string */
} get_cases[] = {
	{ "metadata", "a mapping", NULL },
	{ "metadata.name", "a string", "web" },
	{ "metadata.labels.app", "a string", "web" },
	{ "metadata.labels.tier", "null", NULL },
	{ "metadata.labels.nope", NULL, NULL },
	{ "metadata.name.deeper", NULL, NULL },   /* through a string */
	{ "spec.replicas", "a number", NULL },
	{ "spec.paused", "a boolean", NULL },
	{ "spec.ports", "a sequence", NULL },
	{ "spec.ports.0", NULL, NULL },           /* keys only, no indexes */
	{ "Metadata", NULL, NULL },               /* case-sensitive */
};

START_TEST(test_get)
{
	cJSON *obj = parse("metadata: {name: web, labels: {app: web, tier: null}}\n"
			   "spec: {replicas: 3, paused: false, ports: [80]}\n");
	char path[128], *k[4] = { NULL, NULL, NULL, NULL }, *p;
	const cJSON *v;
	const char *s;
	int n = 0;

	snprintf(path, sizeof(path), "%s", get_cases[_i].path);
	for (p = strtok(path, "."); p && n < 3; p = strtok(NULL, "."))
		k[n++] = p;
	v = gitops_json_get(obj, k[0], k[1], k[2], NULL);
	s = gitops_json_get_string(obj, k[0], k[1], k[2], NULL);
	if (get_cases[_i].type) {
		ck_assert_ptr_nonnull(v);
		ck_assert_str_eq(gitops_json_type_name(v), get_cases[_i].type);
	} else {
		ck_assert_ptr_null(v);
	}
	ck_assert_pstr_eq(s, get_cases[_i].string);
	cJSON_Delete(obj);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");

	tcase_add_loop_test(tc, test_equal, 0, N(equal_cases));
	tcase_add_loop_test(tc, test_get, 0, N(get_cases));
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
