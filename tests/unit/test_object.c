/* object: what gitops_object_check asks of a Secret's data and stringData. */
#include <check.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/object.h"
#include "lib/yaml.h"

#define SECRET "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
/* every value below that must never be quoted back contains this */
#define V "8675309"

static cJSON *parse(const char *text)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *root = NULL;

	ck_assert_msg(gitops_yaml_parse_one(&root, text, strlen(text), "in.yaml", NULL, &err) == 0, "%s", err.msg);
	return root;
}

static const struct {
	const char *in;
	const char *msg;
} invalid_cases[] = {
	{ SECRET "stringData: {DB_PASSWORD: " V "123}\n",
	  "stringData.DB_PASSWORD of a Secret must be a string, not a number (quote it)" },
	{ SECRET "stringData: {p: 1." V "}\n", "stringData.p of a Secret must be a string, not a number (quote it)" },
	{ SECRET "stringData: {flag: true}\n", "stringData.flag of a Secret must be a string, not a boolean (quote it)" },
	{ SECRET "stringData: {other: {a: hunter" V "}}\n", "stringData.other of a Secret must be a string, not a mapping" },
	{ SECRET "stringData: {list: [x" V "]}\n", "stringData.list of a Secret must be a string, not a sequence" },
	{ SECRET "data: {k: " V "12}\n", "data.k of a Secret must be a string, not a number (quote it)" },
	{ SECRET "data: {k: \"not base64 " V "\"}\n", "data.k of a Secret is not valid base64 (stringData takes plain text)" },
	{ SECRET "data: {k: \"aGVsbG8" V "\"}\n", "data.k of a Secret is not valid base64 (stringData takes plain text)" },
	{ SECRET "data: {k: \"aGVsbG8\"}\n", "data.k of a Secret is not valid base64 (stringData takes plain text)" },
	{ SECRET "data: {k: \"aGVsbG8=x\"}\n", "data.k of a Secret is not valid base64 (stringData takes plain text)" },
	{ SECRET "data: {k: \"aGVs===\"}\n", "data.k of a Secret is not valid base64 (stringData takes plain text)" },
	{ SECRET "data: {k: \"aGVs bG8=\"}\n", "data.k of a Secret is not valid base64 (stringData takes plain text)" },
	{ SECRET "data: {k: \"aGVs-bG8=\"}\n", "data.k of a Secret is not valid base64 (stringData takes plain text)" },
	{ SECRET "data: [" V "]\n", "data of a Secret must be a mapping, not a sequence" },
	{ SECRET "stringData: \"" V "\"\n", "stringData of a Secret must be a mapping, not a string" },
};

START_TEST(test_secret_invalid)
{
	cJSON *obj = parse(invalid_cases[_i].in);
	struct gitops_err e = GITOPS_ERR_INIT;

	ck_assert_int_eq(gitops_object_check(obj, &e), -1);
	ck_assert_int_eq(e.code, GITOPS_EXIT_INPUT);
	ck_assert_str_eq(e.msg, invalid_cases[_i].msg);
	ck_assert_ptr_null(strstr(e.msg, V));
	cJSON_Delete(obj);
}
END_TEST

static const char *const valid_cases[] = {
	SECRET "data: {k: aGVsbG8=, e: \"\", n: null, two: aGk=, four: aGVsbA==}\n",
	SECRET "data: {k: \"aGVs\\nbG8=\\r\\n\"}\n",         /* Go's decoder skips line breaks */
	SECRET "data: {k: \"+/+/\"}\n",
	SECRET "stringData: {a: \"" V "\", b: \"\", c: null}\n",
	SECRET "data: null\nstringData: null\n",
	SECRET "type: Opaque\n",
	/* only core v1 Secrets are the API server's Secrets */
	"apiVersion: example.com/v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: 5}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\nstringData: {k: 5}\n",
};

START_TEST(test_secret_valid)
{
	cJSON *obj = parse(valid_cases[_i]);
	struct gitops_err e = GITOPS_ERR_INIT;

	ck_assert_msg(gitops_object_check(obj, &e) == 0, "%s: %s", valid_cases[_i], e.msg);
	cJSON_Delete(obj);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("object");
	TCase *tc = tcase_create("secret");

	tcase_add_loop_test(tc, test_secret_invalid, 0, (int)(sizeof(invalid_cases) / sizeof(invalid_cases[0])));
	tcase_add_loop_test(tc, test_secret_valid, 0, (int)(sizeof(valid_cases) / sizeof(valid_cases[0])));
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
