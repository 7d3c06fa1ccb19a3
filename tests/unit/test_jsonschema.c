/*
 * jsonschema: values.schema.json validation as helm v3.17.2 (gojsonschema
 * v1.2.0) does it.
 *
 * Helm cases: each schema/values pair was run through `helm template` on a
 * tiny chart; the expected text is what helm printed after "engine:".
 * Conformance: the JSON-Schema-Test-Suite under $CONFORMANCE/json-schema
 * (draft4, draft6, draft7 with optional/ and optional/format/, draft2020-12),
 * remote refs served from its remotes/; every failing case must be listed in
 * tests/unit/jsonschema-known-failures.txt and every listed case must fail.
 * Own cases: limits (deep nesting, $ref cycles), reuse, compile errors.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tests/unit/check_main.h"
#include "lib/base/buf.h"
#include "lib/value/jsonio.h"
#include "lib/value/jsonschema.h"
#include "lib/value/value.h"
#include "tests/unit/conformance.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static cJSON *J(const char *text)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *v = NULL;

	ck_assert_msg(gitops_json_parse(&v, text, strlen(text), NULL, &err) == 0, "test JSON: %s: %s", text, err.msg);
	return v;
}

static const char *conformance_dir(void)
{
	const char *dir = getenv("CONFORMANCE");

	return dir && *dir ? dir : "../shared/conformance";
}

static int have_conformance(const char *sub)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", conformance_dir(), sub);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 1;
	if (test_conformance_absent())
		return 0; /* make unit said so */
	fprintf(stderr, "jsonschema: skipped the %s conformance cases: %s is not there (CONFORMANCE)\n", sub, path);
	return 0;
}

/* Validate text against schema, its tree compiled (from_text 0) or its text: the output, or "ERROR:msg". */
static char *run_as(const char *schema, const char *values, int from_text)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf out = GITOPS_BUF_INIT;
	struct gitops_jsonschema *s = NULL;
	cJSON *sv = J(schema), *vv = J(values);
	int rc;

	if (from_text)
		rc = gitops_jsonschema_compile_text(&s, schema, strlen(schema), NULL, NULL, NULL, &err);
	else
		rc = gitops_jsonschema_compile(&s, sv, NULL, NULL, &err);
	if (rc < 0) {
		gitops_buf_printf(&out, "ERROR:%s", err.msg);
	} else {
		rc = gitops_jsonschema_validate(&out, s, vv, &err);
		if (rc < 0)
			gitops_buf_printf(&out, "ERROR:%s", err.msg);
		ck_assert_msg(rc == (out.len ? 1 : 0) || rc < 0, "rc %d with output %s", rc, out.data ? out.data : "");
	}
	gitops_jsonschema_free(s);
	cJSON_Delete(sv);
	cJSON_Delete(vv);
	if (!out.data)
		gitops_buf_addstr(&out, "");
	return gitops_buf_detach(&out);
}

/* The same both ways: compiling a tree and compiling a text must not differ */
static char *run(const char *schema, const char *values)
{
	char *a = run_as(schema, values, 0), *b = run_as(schema, values, 1);

	ck_assert_msg(strcmp(a, b) == 0, "%s: from the tree %s, from the text %s", schema, a, b);
	free(b);
	return a;
}

/* anyorder: errors from a Go map's iteration (an object's keys), in random order in helm */
static const struct {
	const char *schema, *values, *want;
	int anyorder;
} helm_cases[] = {
#include "tests/unit/jsonschema_helm_cases.h"
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text sorted (a malloc'ed copy). */
static char *sorted_lines(const char *text)
{
	char *copy = strdup(text), *lines[256], *save = NULL, *l;
	struct gitops_buf out = GITOPS_BUF_INIT;
	size_t n = 0, i;

	for (l = strtok_r(copy, "\n", &save); l && n < 256; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(char *), cmp_line);
	gitops_buf_addstr(&out, "");
	for (i = 0; i < n; i++)
		gitops_buf_printf(&out, "%s\n", lines[i]);
	free(copy);
	return gitops_buf_detach(&out);
}

START_TEST(test_helm_messages)
{
	int i;

	for (i = 0; i < N(helm_cases); i++) {
		char *got = run(helm_cases[i].schema, helm_cases[i].values);

		if (helm_cases[i].anyorder && strcmp(got, helm_cases[i].want) != 0) {
			char *a = sorted_lines(got), *b = sorted_lines(helm_cases[i].want);

			free(got);
			got = a;
			ck_assert_msg(strcmp(a, b) == 0, "case %d (any order): want %s got %s", i, b, a);
			free(b);
		}
		ck_assert_msg(helm_cases[i].anyorder || strcmp(got, helm_cases[i].want) == 0, "case %d: %s with %s:\nwant:\n%sgot:\n%s", i,
			      helm_cases[i].schema, helm_cases[i].values, helm_cases[i].want, got);
		free(got);
	}
	ck_assert_int_ge(N(helm_cases), 40);
}
END_TEST

START_TEST(test_limits)
{
	struct gitops_buf deep = GITOPS_BUF_INIT;
	char *got;
	int i;

	/* a $ref to itself never consumes input */
	got = run("{\"$ref\":\"#\"}", "1");
	ck_assert_msg(strncmp(got, "ERROR:", 6) == 0, "%s", got);
	free(got);
	got = run("{\"definitions\":{\"a\":{\"$ref\":\"#/definitions/b\"},\"b\":{\"$ref\":\"#/definitions/a\"}},"
		  "\"properties\":{\"x\":{\"$ref\":\"#/definitions/a\"}}}", "{}");
	ck_assert_msg(strncmp(got, "ERROR:", 6) == 0, "%s", got);
	free(got);
	/* through allOf: found while validating */
	got = run("{\"allOf\":[{\"$ref\":\"#\"}]}", "1");
	ck_assert_msg(strncmp(got, "ERROR:", 6) == 0 && strstr(got, "deeper"), "%s", got);
	free(got);
	/* recursion that consumes input is fine */
	got = run("{\"properties\":{\"n\":{\"$ref\":\"#\"}},\"type\":\"object\"}", "{\"n\":{\"n\":{\"n\":1}}}");
	ck_assert_str_eq(got, "- n.n.n: Invalid type. Expected: object, given: integer\n");
	free(got);
	/* a schema nested 1,200 levels: an error, no crash */
	for (i = 0; i < 1200; i++)
		gitops_buf_addstr(&deep, "{\"not\":");
	gitops_buf_addstr(&deep, "{}");
	for (i = 0; i < 1200; i++)
		gitops_buf_addstr(&deep, "}");
	{
		struct gitops_err err = GITOPS_ERR_INIT;
		struct gitops_jsonschema *s = NULL;
		cJSON *sv = cJSON_ParseWithLength(deep.data, deep.len);

		if (sv) {
			ck_assert_int_eq(gitops_jsonschema_compile(&s, sv, NULL, NULL, &err), -1);
			ck_assert_msg(strstr(err.msg, "deeper") != NULL, "%s", err.msg);
			cJSON_Delete(sv);
		}
	}
	gitops_buf_release(&deep);
	/* an instance nested 3,000 levels (built, no reader limits it): errors, no crash */
	{
		static const char *const schemas[] = { "{\"enum\":[1]}", "{\"items\":{\"$ref\":\"#\"}}",
						       "{\"uniqueItems\":true}" };
		cJSON *top = cJSON_CreateArray(), *cur = top, *inner;
		struct gitops_buf out = GITOPS_BUF_INIT;

		for (i = 0; i < 3000; i++) {
			inner = cJSON_CreateArray();
			cJSON_AddItemToArray(cur, inner);
			cur = inner;
		}
		cJSON_AddItemToArray(top, cJSON_CreateArray());
		for (i = 0; i < N(schemas); i++) {
			struct gitops_err err = GITOPS_ERR_INIT;
			struct gitops_jsonschema *s = NULL;
			cJSON *sv = J(schemas[i]);

			ck_assert_int_eq(gitops_jsonschema_compile(&s, sv, NULL, NULL, &err), 0);
			ck_assert_int_eq(gitops_jsonschema_validate(&out, s, top, &err), -1);
			ck_assert_msg(strstr(err.msg, "deeper than") != NULL, "%s: %s", schemas[i], err.msg);
			gitops_jsonschema_free(s);
			cJSON_Delete(sv);
		}
		gitops_buf_release(&out);
		cJSON_Delete(top);
	}
}
END_TEST

START_TEST(test_compile_errors)
{
	static const struct {
		const char *schema, *want;
	} c[] = {
		{ "{\"type\":\"int\"}", "has a primitive type that is NOT VALID -- given: /int/ Expected valid values "
				     "are:[array boolean integer number null object string]" },
		{ "{\"type\":[\"string\",\"string\"]}", "string type is duplicated" },
		{ "{\"minLength\":-1}", "minLength must be greater than or equal to 0" },
		{ "{\"minLength\":1.0}", "minLength must be of an integer" },
		{ "{\"pattern\":\"(\"}", "pattern must be a valid regex" },
		{ "{\"multipleOf\":0}", "multipleOf must be strictly greater than 0" },
		{ "{\"required\":\"a\"}", "required must be of an array" },
		{ "{\"enum\":[1,1.0]}", "enum items must be unique" },
		{ "{\"$ref\":\"http://example.com/x.json\"}", "Reference http://example.com/x.json must be canonical" },
		{ "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"maximum\":1,\"exclusiveMaximum\":1}",
		  "Invalid type. Expected: boolean, given: exclusiveMaximum" },
		/* as gojsonschema, every subschema is compiled: errors where the values never go count too */
		{ "{\"properties\":{\"unused\":{\"minLength\":-1}}}", "minLength must be greater than or equal to 0" },
		{ "{\"definitions\":{\"never\":{\"pattern\":\"(\"}}}", "pattern must be a valid regex" },
		{ "{\"anyOf\":[{\"type\":\"integer\"},{\"required\":\"a\"}]}", "required must be of an array" },
		/* the first error in the order gojsonschema reads the keywords, not in the text's order */
		{ "{\"required\":\"a\",\"properties\":{\"x\":{\"type\":\"int\"}}}",
		  "has a primitive type that is NOT VALID -- given: /int/ Expected valid values "
		  "are:[array boolean integer number null object string]" },
	};
	int i;

	for (i = 0; i < N(c); i++) {
		char *got = run(c[i].schema, "1");

		ck_assert_msg(strncmp(got, "ERROR:", 6) == 0 && strcmp(got + 6, c[i].want) == 0, "%s: got %s",
			      c[i].schema, got);
		free(got);
	}
}
END_TEST

/* compile_text: the parser's errors, under the name given */
START_TEST(test_compile_text)
{
	static const struct {
		const char *text, *want;
	} c[] = {
		{ "{\"type\":}", "values.schema.json:1:9: expected a value, found '}'" },
		{ "{\"a\":1,\"a\":2}", "values.schema.json:1:1: duplicate key 'a'" },
		{ "{\n    \"description\": \"abcdefghijklmnop\\u00zz\"}", "values.schema.json:2:37: invalid \\u escape" },
		{ "{\"type\":\"object\"} x", "values.schema.json:1:19: expected the end of the input, found 'x'" },
		{ "{\"type\":\"int\"}", "has a primitive type that is NOT VALID -- given: /int/ Expected valid values "
				     "are:[array boolean integer number null object string]" },
	};
	int i;

	for (i = 0; i < N(c); i++) {
		struct gitops_err err = GITOPS_ERR_INIT;
		struct gitops_jsonschema *s = (struct gitops_jsonschema *)1;

		ck_assert_int_eq(gitops_jsonschema_compile_text(&s, c[i].text, strlen(c[i].text), "values.schema.json",
								  NULL, NULL, &err), -1);
		ck_assert_ptr_null(s);
		ck_assert_str_eq(err.msg, c[i].want);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	}
}
END_TEST

START_TEST(test_reuse)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf out = GITOPS_BUF_INIT;
	struct gitops_jsonschema *s = NULL;
	cJSON *sv = J("{\"properties\":{\"a\":{\"type\":\"string\"}}}"), *bad = J("{\"a\":1}"), *good = J("{\"a\":\"x\"}");

	ck_assert_int_eq(gitops_jsonschema_compile(&s, sv, NULL, NULL, &err), 0);
	cJSON_Delete(sv); /* the compiled schema keeps its own copy */
	ck_assert_int_eq(gitops_jsonschema_validate(&out, s, bad, &err), 1);
	ck_assert_int_eq(gitops_jsonschema_validate(&out, s, good, &err), 0);
	ck_assert_int_eq(gitops_jsonschema_validate(&out, s, bad, &err), 1);
	ck_assert_str_eq(out.data, "- a: Invalid type. Expected: string, given: integer\n"
				   "- a: Invalid type. Expected: string, given: integer\n");
	gitops_buf_release(&out);
	gitops_jsonschema_free(s);
	cJSON_Delete(bad);
	cJSON_Delete(good);
}
END_TEST

/* --- the JSON-Schema-Test-Suite --- */

static int fetch_remote(void *ctx, const char *uri, cJSON **out, struct gitops_err *err)
{
	static const char prefix[] = "http://localhost:1234/";
	struct gitops_buf b = GITOPS_BUF_INIT;
	char path[4096];

	(void)ctx;
	if (strncmp(uri, prefix, sizeof(prefix) - 1) != 0 || strstr(uri, ".."))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "no remote %s", uri);
	snprintf(path, sizeof(path), "%s/json-schema/remotes/%s", conformance_dir(), uri + sizeof(prefix) - 1);
	if (gitops_buf_read_file(&b, path, 1u << 20, err) < 0)
		return -1;
	if (gitops_json_parse(out, b.data, b.len, path, err) < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	gitops_buf_release(&b);
	return 0;
}

struct suite_count {
	int pass, fail;
};

static struct gitops_buf failures = GITOPS_BUF_INIT;

static void run_file(const char *draft, const char *rel, struct suite_count *cnt)
{
	char path[4096];
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *groups = NULL, *g, *t;

	snprintf(path, sizeof(path), "%s/json-schema/tests/%s/%s", conformance_dir(), draft, rel);
	ck_assert_msg(gitops_buf_read_file(&b, path, 16u << 20, &err) == 0, "%s", err.msg);
	ck_assert_msg(gitops_json_parse(&groups, b.data, b.len, path, &err) == 0, "%s", err.msg);
	gitops_buf_release(&b);
	cJSON_ArrayForEach(g, groups)
	{
		const cJSON *desc = cJSON_GetObjectItemCaseSensitive(g, "description");
		struct gitops_jsonschema *s = NULL;
		int compiled = gitops_jsonschema_compile(&s, cJSON_GetObjectItemCaseSensitive(g, "schema"), fetch_remote,
							 NULL, &err) == 0;

		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(g, "tests"))
		{
			const cJSON *tdesc = cJSON_GetObjectItemCaseSensitive(t, "description");
			int want = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "valid")), got = -1;
			struct gitops_buf out = GITOPS_BUF_INIT;

			if (compiled) {
				int rc = gitops_jsonschema_validate(&out, s, cJSON_GetObjectItemCaseSensitive(t, "data"),
								    &err);

				got = rc == 0 ? 1 : rc == 1 ? 0 : -1;
			}
			gitops_buf_release(&out);
			if (got == want) {
				cnt->pass++;
			} else {
				cnt->fail++;
				gitops_buf_printf(&failures, "%s/%s/%s/%s\n", draft, rel, desc->valuestring,
						  tdesc->valuestring);
			}
		}
		gitops_jsonschema_free(s);
	}
	cJSON_Delete(groups);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *draft, const char *sub, struct suite_count *cnt)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	char *names[512];
	int n = 0, i;

	snprintf(path, sizeof(path), "%s/json-schema/tests/%s%s%s", conformance_dir(), draft, *sub ? "/" : "", sub);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d)) && n < N(names)) {
		size_t l = strlen(e->d_name);

		if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(char *), cmp_str);
	for (i = 0; i < n; i++) {
		char rel[1024];

		snprintf(rel, sizeof(rel), "%s%s%s", sub, *sub ? "/" : "", names[i]);
		run_file(draft, rel, cnt);
		free(names[i]);
	}
}

START_TEST(test_conformance)
{
	static const char *const drafts[] = { "draft4", "draft6", "draft7", "draft2020-12" };
	struct gitops_buf known = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char *line, *save = NULL;
	int i, unexpected = 0, fixed = 0;

	if (!have_conformance("json-schema"))
		return;
	gitops_buf_release(&failures);
	for (i = 0; i < N(drafts); i++) {
		struct suite_count req = { 0, 0 }, opt = { 0, 0 }, fmt = { 0, 0 };

		run_dir(drafts[i], "", &req);
		run_dir(drafts[i], "optional", &opt);
		run_dir(drafts[i], "optional/format", &fmt);
		fprintf(stderr, "jsonschema: %s: required %d/%d, optional %d/%d, format %d/%d\n", drafts[i], req.pass,
			req.pass + req.fail, opt.pass, opt.pass + opt.fail, fmt.pass, fmt.pass + fmt.fail);
	}
	if (getenv("JSONSCHEMA_FAILURES")) {
		FILE *f = fopen(getenv("JSONSCHEMA_FAILURES"), "w");

		if (f) {
			fputs(failures.data ? failures.data : "", f);
			fclose(f);
		}
	}
	ck_assert_msg(gitops_buf_read_file(&known, "tests/unit/jsonschema-known-failures.txt", 4u << 20, &err) == 0,
		      "%s", err.msg);
	/* every failure is known */
	if (failures.data)
		for (line = strtok_r(failures.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *p = known.data, *hit = NULL;
			size_t l = strlen(line);

			while (p && (p = strstr(p, line))) {
				if ((p == known.data || p[-1] == '\n') && (p[l] == '\n' || p[l] == '\0' || p[l] == '\t' ||
									  (p[l] == ' ' && p[l + 1] == '#'))) {
					hit = p;
					break;
				}
				p += l;
			}
			if (!hit) {
				fprintf(stderr, "jsonschema: unexpected failure: %s\n", line);
				unexpected++;
			} else {
				hit[0] = '!'; /* seen */
			}
		}
	/* every known failure still fails */
	save = NULL;
	for (line = strtok_r(known.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || line[0] == '\0' || line[0] == '!')
			continue;
		fprintf(stderr, "jsonschema: known failure now passes: %s\n", line);
		fixed++;
	}
	gitops_buf_release(&known);
	gitops_buf_release(&failures);
	ck_assert_msg(unexpected == 0 && fixed == 0, "%d unexpected failures, %d known failures now pass", unexpected,
		      fixed);
}
END_TEST

/* --- speed: a 1 MB values tree against a 100 KB schema --- */

START_TEST(test_speed)
{
	struct gitops_buf sch = GITOPS_BUF_INIT, val = GITOPS_BUF_INIT, out = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_jsonschema *s = NULL;
	struct timespec t0, t1;
	cJSON *sv, *vv;
	double ms;
	int i, j;

	gitops_buf_addstr(&sch, "{\"type\":\"object\",\"properties\":{");
	for (i = 0; i < 600; i++)
		gitops_buf_printf(&sch, "%s\"svc%d\":{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{"
				  "\"name\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9-]+$\",\"maxLength\":63},"
				  "\"replicas\":{\"type\":\"integer\",\"minimum\":0},\"image\":{\"$ref\":\"#/definitions/img\"},"
				  "\"env\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}",
				  i ? "," : "", i);
	gitops_buf_addstr(&sch, "},\"definitions\":{\"img\":{\"type\":\"object\",\"properties\":{\"tag\":{\"type\":"
				"\"string\"},\"pullPolicy\":{\"enum\":[\"Always\",\"IfNotPresent\",\"Never\"]}}}}}");
	gitops_buf_addstr(&val, "{");
	for (i = 0; i < 600; i++) {
		gitops_buf_printf(&val, "%s\"svc%d\":{\"name\":\"svc-%d\",\"replicas\":3,\"image\":{\"tag\":\"v1.2.3\","
				  "\"pullPolicy\":\"Always\"},\"env\":[",
				  i ? "," : "", i, i);
		for (j = 0; j < 40; j++)
			gitops_buf_printf(&val, "%s{\"name\":\"VAR_%d\",\"value\":\"some value %d\"}", j ? "," : "", j, j);
		gitops_buf_addstr(&val, "]}");
	}
	gitops_buf_addstr(&val, "}");
	ck_assert_int_ge(sch.len, 100000);
	ck_assert_int_ge(val.len, 1000000);
	sv = J(sch.data);
	vv = J(val.data);
	ck_assert_int_eq(gitops_jsonschema_compile(&s, sv, NULL, NULL, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(gitops_jsonschema_validate(&out, s, vv, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	fprintf(stderr, "jsonschema: %zu bytes of values against %zu bytes of schema: %.2f ms\n", val.len, sch.len, ms);
	/* about 2 ms on a quiet machine; the bound only catches a blow-up (shared machines are slow) */
	ck_assert_msg(ms < 1000, "validation took %.0f ms", ms);
	gitops_jsonschema_free(s);
	cJSON_Delete(sv);
	cJSON_Delete(vv);
	gitops_buf_release(&sch);
	gitops_buf_release(&val);
	gitops_buf_release(&out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("jsonschema");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_helm_messages);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_compile_errors);
	tcase_add_test(tc, test_compile_text);
	tcase_add_test(tc, test_reuse);
	tcase_add_test(tc, test_conformance);
	tcase_add_test(tc, test_speed);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
