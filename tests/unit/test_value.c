/* value: the value tree (kinds, exact integers, Go's float text, equality, coalescing) and exact JSON. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/value/jsonio.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static cJSON *yaml(const char *text)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *root = NULL;

	ck_assert_msg(gitops_yaml_parse_one(&root, text, strlen(text), "in.yaml", NULL, &err) == 0, "%s", err.msg);
	return root;
}

static cJSON *json(const char *text)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *root = NULL;

	ck_assert_msg(gitops_json_parse(&root, text, strlen(text), "in.json", &err) == 0, "%s: %s", text, err.msg);
	return root;
}

static char *text_of(const cJSON *v, unsigned flags)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *s = NULL;

	ck_assert_msg(gitops_json_print(&s, v, flags, &err) == 0, "%s", err.msg);
	return s;
}

/* what a YAML scalar reads as */
static const struct {
	const char *yaml;
	enum gitops_value_kind kind;
	const char *json; /* printed back */
} kind_cases[] = {
	{ "1", GITOPS_VALUE_KIND_INT, "1" },
	{ "-0", GITOPS_VALUE_KIND_INT, "0" },
	{ "1.0", GITOPS_VALUE_KIND_FLOAT, "1" },
	{ "1.5", GITOPS_VALUE_KIND_FLOAT, "1.5" },
	{ "0x10", GITOPS_VALUE_KIND_INT, "16" },
	{ "0o17", GITOPS_VALUE_KIND_INT, "15" },
	{ "017", GITOPS_VALUE_KIND_INT, "15" },
	{ "1e3", GITOPS_VALUE_KIND_FLOAT, "1000" },
	{ "9007199254740993", GITOPS_VALUE_KIND_INT, "9007199254740993" },
	{ "9223372036854775807", GITOPS_VALUE_KIND_INT, "9223372036854775807" },
	{ "-9223372036854775808", GITOPS_VALUE_KIND_INT, "-9223372036854775808" },
	{ "18446744073709551615", GITOPS_VALUE_KIND_INT, "18446744073709551615" },
	{ "true", GITOPS_VALUE_KIND_BOOL, "true" },
	{ "[~]", GITOPS_VALUE_KIND_SEQ, "[null]" },
	{ "x", GITOPS_VALUE_KIND_STRING, "\"x\"" },
	{ "[1]", GITOPS_VALUE_KIND_SEQ, "[1]" },
	{ "{a: 1}", GITOPS_VALUE_KIND_MAP, "{\"a\":1}" },
};

START_TEST(test_kinds)
{
	cJSON *v = yaml(kind_cases[_i].yaml), *c;
	char *s;

	ck_assert_msg(gitops_value_kind(v) == kind_cases[_i].kind, "%s: %s", kind_cases[_i].yaml,
		      gitops_value_kind_name(gitops_value_kind(v)));
	s = text_of(v, 0);
	ck_assert_str_eq(s, kind_cases[_i].json);
	free(s);
	/* a copy keeps the kind and the exact value */
	c = gitops_value_copy(v);
	ck_assert_int_eq(gitops_value_kind(c), kind_cases[_i].kind);
	ck_assert(gitops_value_equal_strict(v, c));
	s = text_of(c, 0);
	ck_assert_str_eq(s, kind_cases[_i].json);
	free(s);
	cJSON_Delete(c);
	cJSON_Delete(v);
}
END_TEST

START_TEST(test_ints)
{
	int64_t i;
	cJSON *v;
	char buf[48];

	v = gitops_value_new_int(INT64_MAX);
	ck_assert_int_eq(gitops_value_get_int(&i, v, 0), 0);
	ck_assert(i == INT64_MAX);
	ck_assert(gitops_value_is_bigint(v));
	ck_assert_str_eq(gitops_value_format_number(buf, sizeof(buf), v), "9223372036854775807");
	cJSON_Delete(v);

	v = gitops_value_new_int(-42);
	ck_assert_int_eq(gitops_value_get_int(&i, v, 0), 0);
	ck_assert(i == -42);
	ck_assert(!gitops_value_is_bigint(v));
	ck_assert_int_eq(v->valueint, -42);
	cJSON_Delete(v);

	v = gitops_value_new_int_text("-0012");
	ck_assert_str_eq(gitops_value_format_number(buf, sizeof(buf), v), "-12");
	cJSON_Delete(v);
	v = gitops_value_new_int_text("00000000000000000000123");
	ck_assert_str_eq(gitops_value_format_number(buf, sizeof(buf), v), "123");
	cJSON_Delete(v);
	ck_assert_ptr_null(gitops_value_new_int_text("1.5"));
	ck_assert_ptr_null(gitops_value_new_int_text("12a"));
	ck_assert_ptr_null(gitops_value_new_int_text(""));

	/* beyond int64: exact text, but no int64 */
	v = gitops_value_new_int_text("99999999999999999999");
	ck_assert_int_eq(gitops_value_get_int(&i, v, 0), -1);
	ck_assert_str_eq(gitops_value_format_number(buf, sizeof(buf), v), "99999999999999999999");
	cJSON_Delete(v);

	/* a float converts only when asked and integral */
	v = gitops_value_new_float(3.0);
	ck_assert_int_eq(gitops_value_get_int(&i, v, 0), -1);
	ck_assert_int_eq(gitops_value_get_int(&i, v, 1), 0);
	ck_assert(i == 3);
	cJSON_Delete(v);
	v = gitops_value_new_float(3.5);
	ck_assert_int_eq(gitops_value_get_int(&i, v, 1), -1);
	cJSON_Delete(v);
	v = gitops_value_new_float(1e19);
	ck_assert_int_eq(gitops_value_get_int(&i, v, 1), -1);
	cJSON_Delete(v);
}
END_TEST

/* Go's own output for each float (strconv 'g' -1 / encoding/json) */
static const struct {
	double d;
	const char *g, *json;
} float_cases[] = {
	{ 1e6, "1e+06", "1000000" },
	{ 123456, "123456", "123456" },
	{ 1234567, "1.234567e+06", "1234567" },
	{ 123456789, "1.23456789e+08", "123456789" },
	{ 0.1, "0.1", "0.1" },
	{ 0.0001, "0.0001", "0.0001" },
	{ 0.00001, "1e-05", "0.00001" },
	{ 0.000001, "1e-06", "0.000001" },
	{ 0.0000001, "1e-07", "1e-7" },
	{ 2.5e-7, "2.5e-07", "2.5e-7" },
	{ 1e20, "1e+20", "100000000000000000000" },
	{ 1e21, "1e+21", "1e+21" },
	{ 123.456, "123.456", "123.456" },
	{ -0.5, "-0.5", "-0.5" },
	{ 3, "3", "3" },
	{ 0, "0", "0" },
	{ -0.0, "-0", "-0" },
	{ 1e100, "1e+100", "1e+100" },
	{ 5e-324, "5e-324", "5e-324" },
	{ 1.7976931348623157e308, "1.7976931348623157e+308", "1.7976931348623157e+308" },
	{ 0.1 + 0.2, "0.30000000000000004", "0.30000000000000004" },
	{ 100, "100", "100" },
	{ 1.5e300, "1.5e+300", "1.5e+300" },
};

START_TEST(test_floats)
{
	char buf[64];

	ck_assert_str_eq(gitops_value_format_float(buf, sizeof(buf), float_cases[_i].d, GITOPS_FLOAT_G),
			 float_cases[_i].g);
	ck_assert_str_eq(gitops_value_format_float(buf, sizeof(buf), float_cases[_i].d, GITOPS_FLOAT_JSON),
			 float_cases[_i].json);
}
END_TEST

/* JSON in, JSON out: exactly */
static const struct {
	const char *in, *out;
	unsigned flags;
} json_cases[] = {
	{ "{\"b\":1,\"a\":2}", "{\"b\":1,\"a\":2}", 0 },
	{ "{\"b\":1,\"a\":2}", "{\"a\":2,\"b\":1}", GITOPS_JSON_SORTED },
	{ " [ 1 , -2 , 3.25 , 1e2 , 1E-2 , -0.0, -0 ] ", "[1,-2,3.25,100,0.01,-0,-0]", 0 },
	{ "[12345678901234567890123]", "[12345678901234567890123]", 0 },
	{ "[9007199254740993, -9007199254740993]", "[9007199254740993,-9007199254740993]", 0 },
	{ "\"\\u00e9\\ud83d\\ude00\\/\"", "\"\xc3\xa9\xf0\x9f\x98\x80/\"", 0 },
	{ "\"<a & b>\"", "\"\\u003ca \\u0026 b\\u003e\"", GITOPS_JSON_ESCAPE_HTML },
	{ "\"<a & b>\"", "\"<a & b>\"", 0 },
	{ "\"\\u2028\\u2029\"", "\"\\u2028\\u2029\"", 0 },
	{ "\"\\ud800x\"", "\"\xef\xbf\xbdx\"", 0 },
	{ "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\\"\\\\\"", "\"\\u0008\\u000c\\n\\r\\t\\u0001\\u001f\\\"\\\\\"", 0 },
	{ "{}", "{}", 0 },
	{ "[]", "[]", 0 },
	{ "{\"a\":[],\"b\":{}}", "{\n  \"a\": [],\n  \"b\": {}\n}", GITOPS_JSON_INDENT },
	{ "{\"a\":[1,{\"c\":null}]}", "{\n  \"a\": [\n    1,\n    {\n      \"c\": null\n    }\n  ]\n}", GITOPS_JSON_INDENT },
	{ "\"a\xff" "b\xc3(\xe2\x82\"", "\"a\xef\xbf\xbd" "b\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\"", 0 },
	{ "true", "true", 0 },
	{ "null", "null", 0 },
	/* runs of spaces and of plain string bytes, read a word at a time, ending anywhere in one */
	{ "  \n        \n\t \r\n [ \"abcdefghijklmnopq\\\"rstuvwxyz0123456789\"          , \"abcdefg\\n\" ,\"12345678\"]\n   ",
	  "[\"abcdefghijklmnopq\\\"rstuvwxyz0123456789\",\"abcdefg\\n\",\"12345678\"]", 0 },
	{ "{\"description\":\"plain ascii then \xc3\xa9 then more plain text, \\u00e9 escaped\"}",
	  "{\"description\":\"plain ascii then \xc3\xa9 then more plain text, \xc3\xa9 escaped\"}", 0 },
	{ "[\"~~~~~~~~~~~~~~~~~\", \"        \",false,  12345678901234567890123 ,  -1.5e300]",
	  "[\"~~~~~~~~~~~~~~~~~\",\"        \",false,12345678901234567890123,-1.5e+300]", 0 },
};

START_TEST(test_json_text)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_json_pool *pool = NULL;
	cJSON *v = json(json_cases[_i].in), *pv = NULL;
	char *s = text_of(v, json_cases[_i].flags);

	ck_assert_str_eq(s, json_cases[_i].out);
	free(s);
	/* read into a pool: the same tree */
	ck_assert_int_eq(gitops_json_parse_pool(&pv, &pool, json_cases[_i].in, strlen(json_cases[_i].in), "in.json", &err), 0);
	ck_assert(gitops_value_equal_strict(v, pv));
	s = text_of(pv, json_cases[_i].flags);
	ck_assert_str_eq(s, json_cases[_i].out);
	free(s);
	gitops_json_pool_free(pool);
	cJSON_Delete(v);
}
END_TEST

START_TEST(test_json_invalid_utf8)
{
	cJSON *v = cJSON_CreateString("a\xff" "b\xc3");
	char *s = text_of(v, 0);

	ck_assert_str_eq(s, "\"a\\ufffdb\\ufffd\"");
	free(s);
	cJSON_Delete(v);
}
END_TEST

static const struct {
	const char *in, *msg;
} json_errors[] = {
	{ "{\"a\":1,}", "in.json:1:8: expected a string key, found '}'" },
	{ "[1 2]", "in.json:1:4: expected ',' or ']', found '2'" },
	{ "{\"a\":1,\"a\":2}", "in.json:1:1: duplicate key 'a'" },
	{ "{\"x\":\n  {\"k\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"k\":9}}",
	  "in.json:2:3: duplicate key 'k'" },
	{ "01", "in.json:1:1: invalid number (leading zero)" },
	{ "\"abc", "in.json:1:1: unterminated string" },
	{ "{\"a\" 1}", "in.json:1:6: expected ':', found '1'" },
	{ "1.", "in.json:1:1: invalid number (no digit after '.')" },
	{ "1e", "in.json:1:1: invalid number (no digit in the exponent)" },
	{ "-", "in.json:1:1: invalid number" },
	{ "[1]x", "in.json:1:4: expected the end of the input, found 'x'" },
	{ "", "in.json:1:1: expected a value, found the end of the input" },
	{ "[\n\n  tru]", "in.json:3:3: expected a value, found 't'" },
	{ "\"a\nb\"", "in.json:1:3: control character in a string (escape it)" },
	{ "\"\\x\"", "in.json:1:2: invalid escape in a string" },
	{ "\"\\u12\"", "in.json:1:2: invalid \\u escape" },
	{ "1e400", "in.json:1:1: number out of range: 1e400" },
	{ "[\x01]", "in.json:1:2: expected a value, found byte 0x01" },
	{ "[\"abcdefghijklmnop\x01\"]", "in.json:1:19: control character in a string (escape it)" },
	{ "\n                    x", "in.json:2:21: expected a value, found 'x'" },
	{ "\"abcdefghijklmnopqrstuvwxyz", "in.json:1:1: unterminated string" },
	{ "\"abcdefgh\\", "in.json:1:1: unterminated string" },
	{ "[\"abcdefghijkl\\q\"]", "in.json:1:15: invalid escape in a string" },
};

START_TEST(test_json_errors)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *v = (cJSON *)1;

	struct gitops_json_pool *pool = (struct gitops_json_pool *)1;

	ck_assert_int_eq(gitops_json_parse(&v, json_errors[_i].in, strlen(json_errors[_i].in), "in.json", &err), -1);
	ck_assert_ptr_null(v);
	ck_assert_str_eq(err.msg, json_errors[_i].msg);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	/* into a pool: the same error, no tree, no pool */
	v = (cJSON *)1;
	err.msg[0] = '\0';
	ck_assert_int_eq(gitops_json_parse_pool(&v, &pool, json_errors[_i].in, strlen(json_errors[_i].in), "in.json", &err),
			 -1);
	ck_assert_ptr_null(v);
	ck_assert_ptr_null(pool);
	ck_assert_str_eq(err.msg, json_errors[_i].msg);
}
END_TEST

START_TEST(test_json_depth)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	size_t n = 100000, i;
	char *s = malloc(2 * n + 1);
	cJSON *v;

	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[n + i] = ']';
	}
	s[2 * n] = 0;
	ck_assert_int_eq(gitops_json_parse(&v, s, 2 * n, "deep.json", &err), -1);
	ck_assert_str_eq(err.msg, "deep.json:1:513: nested deeper than 512 levels");
	/* 512 levels are fine */
	ck_assert_int_eq(gitops_json_parse(&v, s + n - 512, 1024, "deep.json", &err), 0);
	cJSON_Delete(v);
	free(s);
}
END_TEST

START_TEST(test_equal)
{
	cJSON *i = gitops_value_new_int(1), *f = gitops_value_new_float(1.0);
	cJSON *big1 = gitops_value_new_int(INT64_C(9007199254740992)), *big2 = gitops_value_new_int_text("9007199254740992");
	cJSON *b3 = gitops_value_new_int_text("9007199254740993"), *f3 = gitops_value_new_float(9007199254740992.0);

	ck_assert(gitops_value_equal(i, f));
	ck_assert(!gitops_value_equal_strict(i, f));
	ck_assert(gitops_value_equal_strict(big1, big2));
	ck_assert(gitops_value_equal(big2, f3));
	ck_assert(gitops_value_equal(b3, f3)); /* as doubles, both are 2^53 */
	ck_assert(!gitops_value_equal_strict(b3, f3));
	ck_assert(!gitops_value_equal(b3, big1));
	cJSON_Delete(i);
	cJSON_Delete(f);
	cJSON_Delete(big1);
	cJSON_Delete(big2);
	cJSON_Delete(b3);
	cJSON_Delete(f3);
}
END_TEST

START_TEST(test_sorted)
{
	cJSON *v = json("{\"b\":1,\"B\":2,\"a\":3,\"aa\":4,\"a1\":5,\"\":6}");
	const cJSON **m;
	size_t n, k;
	const char *want[] = { "", "B", "a", "a1", "aa", "b" };

	ck_assert_int_eq(gitops_value_sorted(&m, &n, v), 0);
	ck_assert_uint_eq(n, 6);
	for (k = 0; k < n; k++)
		ck_assert_str_eq(m[k]->string, want[k]);
	free(m);
	cJSON_Delete(v);
	v = json("{}");
	ck_assert_int_eq(gitops_value_sorted(&m, &n, v), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(m);
	cJSON_Delete(v);
}
END_TEST

static char warned[512];
static void warn(void *ctx, const char *key, const char *why)
{
	(void)ctx;
	snprintf(warned + strlen(warned), sizeof(warned) - strlen(warned), "%s: %s;", key, why);
}

/* Helm's coalescing: dst (user values) over src (chart defaults) */
static const struct {
	const char *dst, *src, *want, *warnings;
	int merge;
} coalesce_cases[] = {
	{ "{a: 1}", "{a: 2, b: 3}", "{\"a\":1,\"b\":3}", "", 0 },
	{ "{a: {x: 1}}", "{a: {z: 2}, b: [1]}", "{\"a\":{\"x\":1,\"z\":2},\"b\":[1]}", "", 0 },
	{ "{a: null}", "{a: {x: 1}, b: 2}", "{\"b\":2}", "", 0 },
	{ "{a: null}", "{a: {x: 1}, b: 2}", "{\"a\":null,\"b\":2}", "a: cannot overwrite table with non table;", 1 },
	{ "{a: {x: null}}", "{a: {x: 1, z: 2}}", "{\"a\":{\"z\":2}}", "", 0 },
	{ "{a: 1}", "{a: {x: 1}}", "{\"a\":1}", "a: cannot overwrite table with non table;", 0 },
	{ "{a: {b: {x: 1}}}", "{a: {b: 2}}", "{\"a\":{\"b\":{\"x\":1}}}",
	  "a.b: destination is a table; ignoring non-table value;", 0 },
	{ "{a: {x: 1}}", "{a: null}", "{\"a\":{\"x\":1}}", "", 0 },
	{ "{l: [1]}", "{l: [2, 3]}", "{\"l\":[1]}", "", 0 },
	{ "{}", "{a: {b: {c: 1}}}", "{\"a\":{\"b\":{\"c\":1}}}", "", 0 },
};

START_TEST(test_coalesce)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *dst = yaml(coalesce_cases[_i].dst), *src = yaml(coalesce_cases[_i].src), *src_copy;
	char *s;

	src_copy = gitops_value_copy(src);
	warned[0] = 0;
	ck_assert_int_eq(gitops_value_coalesce(dst, src, coalesce_cases[_i].merge, warn, NULL, &err), 0);
	s = text_of(dst, 0);
	ck_assert_str_eq(s, coalesce_cases[_i].want);
	ck_assert_str_eq(warned, coalesce_cases[_i].warnings);
	/* src is never changed, and dst shares nothing with it */
	ck_assert(gitops_value_equal_strict(src, src_copy));
	cJSON_Delete(src);
	free(s);
	s = text_of(dst, 0);
	ck_assert_str_eq(s, coalesce_cases[_i].want);
	free(s);
	cJSON_Delete(src_copy);
	cJSON_Delete(dst);
}
END_TEST

START_TEST(test_coalesce_refuses_non_maps)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *a = yaml("[1]"), *b = yaml("{a: 1}");

	ck_assert_int_eq(gitops_value_coalesce(a, b, 0, NULL, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "coalesce: both values must be mappings");
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

START_TEST(test_get_set)
{
	cJSON *m = json("{\"a\":1,\"b\":2}");
	char *s;

	ck_assert_ptr_nonnull(gitops_value_get(m, "b"));
	ck_assert_ptr_null(gitops_value_get(m, "B"));
	ck_assert_int_eq(gitops_value_set(m, "a", gitops_value_new_int(7)), 0);
	ck_assert_int_eq(gitops_value_set(m, "c", cJSON_CreateString("x")), 0);
	s = text_of(m, 0);
	ck_assert_str_eq(s, "{\"a\":7,\"b\":2,\"c\":\"x\"}");
	free(s);
	cJSON_Delete(m);
}
END_TEST

/* YAML through the reader and writer keeps integers exact */
START_TEST(test_yaml_round_trip)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *v = yaml("a: 12345678901234567890\nb: -9223372036854775808\nc: 1.5\nd: 0x7fffffffffffffff\n");
	char *out = NULL;

	ck_assert_int_eq(gitops_yaml_dump(&out, v, &err), 0);
	ck_assert_str_eq(out, "---\na: 12345678901234567890\nb: -9223372036854775808\nc: 1.5\nd: 9223372036854775807\n");
	free(out);
	cJSON_Delete(v);
}
END_TEST

/* kustomize's reading, as `kubectl kustomize` (v5.5) printed it for the same file */
START_TEST(test_kyaml_scalars)
{
	static const char in[] = "a: yes\nb: on\nc: \"yes\"\nd: 0o17\ne: 017\nf: 1_000\ng: 0x1F\nh: .5\n"
				 "i: 2001-12-14\nj: ~\nk: 2001-12-14t21:59:43.10-05:00\nl: 2001-12-14 21:59:43.10\n"
				 "m: 2001-12-14T21:59:43+00:00\no: y\np: True\nq: OFF\nn: x\nr: 2001-13-14\n";
	static const char want[] = "{\"a\":\"yes\",\"b\":\"on\",\"c\":\"yes\",\"d\":15,\"e\":15,\"f\":1000,\"g\":31,"
				   "\"h\":0.5,\"i\":\"2001-12-14T00:00:00Z\",\"j\":null,"
				   "\"k\":\"2001-12-14T21:59:43.1-05:00\",\"l\":\"2001-12-14T21:59:43.1Z\","
				   "\"m\":\"2001-12-14T21:59:43Z\",\"o\":\"y\",\"p\":true,\"q\":\"OFF\",\"n\":\"x\","
				   "\"r\":\"2001-13-14\"}";
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_yaml_reader *r;
	struct gitops_yaml_doc doc;
	char *s;

	ck_assert_int_eq(gitops_yaml_reader_mem(&r, in, sizeof(in) - 1, "k.yaml", NULL, &err), 0);
	gitops_yaml_reader_set_kyaml(r, 1);
	ck_assert_msg(gitops_yaml_reader_next(r, &doc, &err) == 1, "%s", err.msg);
	s = text_of(doc.root, 0);
	ck_assert_str_eq(s, want);
	free(s);
	gitops_yaml_doc_release(&doc);
	gitops_yaml_reader_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("value");
	TCase *tc = tcase_create("value");

	tcase_add_loop_test(tc, test_kinds, 0, N(kind_cases));
	tcase_add_test(tc, test_ints);
	tcase_add_loop_test(tc, test_floats, 0, N(float_cases));
	tcase_add_loop_test(tc, test_json_text, 0, N(json_cases));
	tcase_add_test(tc, test_json_invalid_utf8);
	tcase_add_loop_test(tc, test_json_errors, 0, N(json_errors));
	tcase_add_test(tc, test_json_depth);
	tcase_add_test(tc, test_equal);
	tcase_add_test(tc, test_sorted);
	tcase_add_loop_test(tc, test_coalesce, 0, N(coalesce_cases));
	tcase_add_test(tc, test_coalesce_refuses_non_maps);
	tcase_add_test(tc, test_get_set);
	tcase_add_test(tc, test_yaml_round_trip);
	tcase_add_test(tc, test_kyaml_scalars);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
