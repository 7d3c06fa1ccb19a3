/*
 * jsonpatch, mergepatch: RFC 6902 JSON Patch with RFC 6901 pointers, RFC 7396
 * JSON Merge Patch (apply and create).
 *
 * Conformance: every enabled record of $CONFORMANCE/json-patch/{tests,spec_tests}.json
 * and the 28 cases of $CONFORMANCE/json-merge-patch/ (a clone without them
 * says so in one line and skips those tests).  Own cases: the exact error
 * messages, atomicity, whole-document operations, limits, the pointer helpers.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/unit/check_main.h"
#include "lib/base/buf.h"
#include "lib/value/jsonpatch.h"
#include "lib/value/mergepatch.h"
#include "lib/value/value.h"
#include "tests/unit/conformance.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static cJSON *J(const char *text)
{
	cJSON *v = cJSON_ParseWithLength(text, strlen(text));

	ck_assert_msg(v != NULL, "test JSON does not parse: %s", text);
	return v;
}

/* For messages: the tree as compact JSON (a static buffer, cut). */
static const char *show(const cJSON *v)
{
	static char buf[2][512];
	static int k;
	char *s = v ? cJSON_PrintUnformatted(v) : NULL;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s", s ? s : "(none)");
	cJSON_free(s);
	return buf[k];
}

static const char *conformance_dir(void)
{
	const char *dir = getenv("CONFORMANCE");

	return dir && *dir ? dir : "../shared/conformance";
}

/* Is dir/sub there?  If not, say so in one line: the test is skipped. */
static int have_conformance(const char *sub)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", conformance_dir(), sub);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 1;
	if (test_conformance_absent())
		return 0; /* make unit said so */
	fprintf(stderr, "jsonpatch: skipped the %s conformance cases: %s is not there (CONFORMANCE)\n", sub, path);
	return 0;
}

static cJSON *read_json(const char *sub)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char path[4096];
	cJSON *v;

	snprintf(path, sizeof(path), "%s/%s", conformance_dir(), sub);
	ck_assert_msg(gitops_buf_read_file(&b, path, 16u << 20, &err) == 0, "%s", err.msg);
	v = cJSON_ParseWithLength(b.data, b.len);
	ck_assert_msg(v != NULL, "%s: does not parse as JSON", path);
	gitops_buf_release(&b);
	return v;
}

/* --- JSON Patch conformance --- */

static void check_error_shape(const struct gitops_err *err)
{
	ck_assert_msg(err->msg[0] != '\0', "an error without a message");
	ck_assert_msg(strchr(err->msg, '\n') == NULL, "a message of more than one line: %s", err->msg);
	ck_assert_int_eq(err->code, GITOPS_EXIT_INPUT);
}

/* One file of json-patch-tests; counts what ran.  Also merge-patch create on (doc, expected). */
static void run_patch_file(const char *file, size_t *records, size_t *ran, size_t *errors, size_t *created)
{
	cJSON *all = read_json(file), *r;

	ck_assert_msg(cJSON_IsArray(all), "%s: not an array of records", file);
	cJSON_ArrayForEach(r, all)
	{
		const cJSON *comment = gitops_value_get(r, "comment"), *expected = gitops_value_get(r, "expected");
		const cJSON *patch = gitops_value_get(r, "patch"), *want_error = gitops_value_get(r, "error");
		struct gitops_err err = GITOPS_ERR_INIT;
		cJSON *doc, *orig, *was;
		const char *what = cJSON_IsString(comment) ? comment->valuestring : show(patch);
		int rc;

		(*records)++;
		if (cJSON_IsTrue(gitops_value_get(r, "disabled")))
			continue;
		(*ran)++;
		ck_assert_msg(gitops_value_get(r, "doc") && patch, "%s #%zu: no doc or patch", file, *records - 1);
		doc = gitops_value_copy(gitops_value_get(r, "doc"));
		orig = gitops_value_copy(doc);
		was = doc;
		rc = gitops_jsonpatch_apply(&doc, patch, &err);
		if (want_error) {
			ck_assert_msg(rc < 0, "%s #%zu (%s): applied, want an error (%s); got %s", file, *records - 1,
				      what, want_error->valuestring, show(doc));
			check_error_shape(&err);
			/* atomic: the document is the same tree, unchanged */
			ck_assert_ptr_eq(doc, was);
			ck_assert_msg(gitops_value_equal_strict(doc, orig), "%s #%zu: changed by a failed patch: %s",
				      file, *records - 1, show(doc));
			(*errors)++;
		} else {
			ck_assert_msg(rc == 0, "%s #%zu (%s): %s", file, *records - 1, what, err.msg);
			if (expected)
				ck_assert_msg(gitops_value_equal(doc, expected), "%s #%zu (%s): got %s, want %s", file,
					      *records - 1, what, show(doc), show(expected));
		}
		if (expected) {
			/* merge patch: create(doc -> expected) applied to doc gives expected */
			cJSON *mp = NULL, *d = gitops_value_copy(orig);

			if (gitops_mergepatch_create(&mp, orig, expected, &err) == 0) {
				ck_assert_msg(gitops_mergepatch_apply(&d, mp, &err) == 0, "%s", err.msg);
				ck_assert_msg(gitops_value_equal(d, expected), "%s #%zu: merge patch %s gives %s, want %s",
					      file, *records - 1, show(mp), show(d), show(expected));
				(*created)++;
			} else {
				/* only a null member makes it fail */
				ck_assert_msg(strstr(err.msg, "which a merge patch cannot set") != NULL, "%s", err.msg);
			}
			cJSON_Delete(mp);
			cJSON_Delete(d);
		}
		cJSON_Delete(doc);
		cJSON_Delete(orig);
	}
	cJSON_Delete(all);
}

START_TEST(test_patch_conformance)
{
	size_t records = 0, ran = 0, errors = 0, created = 0;
	size_t r1, n1, e1;

	if (!have_conformance("json-patch"))
		return;
	run_patch_file("json-patch/tests.json", &records, &ran, &errors, &created);
	r1 = records;
	n1 = ran;
	e1 = errors;
	/* json-patch-tests 2a928f9: 95 records, 3 disabled, 30 enabled errors */
	ck_assert_msg(r1 >= 95 && n1 >= 92 && e1 >= 30, "tests.json: %zu records, %zu ran, %zu errors", r1, n1, e1);
	run_patch_file("json-patch/spec_tests.json", &records, &ran, &errors, &created);
	/* RFC 6902 examples: 17 records, 1 disabled, 4 enabled errors */
	ck_assert_msg(records - r1 >= 17 && ran - n1 >= 16 && errors - e1 >= 4, "spec_tests.json: %zu records, %zu ran",
		      records - r1, ran - n1);
	ck_assert_uint_eq(records - ran, 4); /* the 4 disabled ones, no more */
	ck_assert_msg(created >= 60, "merge patch create round trip on only %zu records", created);
	fprintf(stderr, "jsonpatch: %zu of %zu json-patch-tests records ran (%zu must fail), all as upstream asserts; "
		"merge patch create round trip on %zu of their documents\n", ran, records, errors, created);
}
END_TEST

/* The disabled records, which cJSON can run: it keeps both of a repeated "op". */
START_TEST(test_patch_duplicate_op)
{
	const char *patches[] = {
		"[{\"op\": \"add\", \"path\": \"/baz\", \"value\": \"qux\", \"op\": \"remove\"}]",
		"[{\"op\": \"move\", \"path\": \"/baz\", \"value\": \"qux\", \"from\": \"/foo\", \"op\": \"remove\"}]",
	};
	int i;

	for (i = 0; i < N(patches); i++) {
		struct gitops_err err = GITOPS_ERR_INIT;
		cJSON *doc = J("{\"foo\": \"bar\"}"), *patch = J(patches[i]);

		ck_assert_int_eq(gitops_jsonpatch_apply(&doc, patch, &err), -1);
		ck_assert_str_eq(err.msg, "patch operation 0: member \"op\" written twice");
		cJSON_Delete(doc);
		cJSON_Delete(patch);
	}
}
END_TEST

/* --- JSON Patch: own cases --- */

static const struct {
	const char *doc, *patch, *msg;
} error_cases[] = {
	{ "{\"a\": {}}",
	  "[{\"op\": \"test\", \"path\": \"/a\", \"value\": {}}, {\"op\": \"add\", \"path\": \"/a/c\", \"value\": 1},"
	  " {\"op\": \"remove\", \"path\": \"/a/b\"}]",
	  "patch operation 2 (remove): path \"/a/b\": no member \"b\"" },
	{ "{}", "[{\"op\": \"add\", \"path\": \"foo\", \"value\": 1}]",
	  "patch operation 0 (add): path \"foo\": must start with '/'" },
	{ "{}", "[{\"op\": \"add\", \"path\": \"/a~2\", \"value\": 1}]",
	  "patch operation 0 (add): path \"/a~2\": '~' must be followed by '0' or '1'" },
	{ "{}", "[{\"op\": \"add\", \"path\": \"/a~\", \"value\": 1}]",
	  "patch operation 0 (add): path \"/a~\": '~' must be followed by '0' or '1'" },
	{ "{\"bar\": [1, 2]}", "[{\"op\": \"add\", \"path\": \"/bar/8\", \"value\": 5}]",
	  "patch operation 0 (add): path \"/bar/8\": index 8 out of range: the sequence has 2 elements" },
	{ "[\"foo\"]", "[{\"op\": \"remove\", \"path\": \"/1\"}]",
	  "patch operation 0 (remove): path \"/1\": index 1 out of range: the sequence has 1 element" },
	{ "[]", "[{\"op\": \"replace\", \"path\": \"/99999999999999999999999\", \"value\": 1}]",
	  "patch operation 0 (replace): path \"/99999999999999999999999\": index 99999999999999999999999 out of range: "
	  "the sequence has 0 elements" },
	{ "{\"bar\": [1, 2]}", "[{\"op\": \"add\", \"path\": \"/bar/-1\", \"value\": 5}]",
	  "patch operation 0 (add): path \"/bar/-1\": \"-1\" is not a sequence index" },
	{ "[\"foo\", \"bar\"]", "[{\"op\": \"test\", \"path\": \"/01\", \"value\": \"bar\"}]",
	  "patch operation 0 (test): path \"/01\": \"01\" is not a sequence index" },
	{ "[1, 2]", "[{\"op\": \"remove\", \"path\": \"/1e0\"}]",
	  "patch operation 0 (remove): path \"/1e0\": \"1e0\" is not a sequence index" },
	{ "[1, 2]", "[{\"op\": \"remove\", \"path\": \"/-\"}]",
	  "patch operation 0 (remove): path \"/-\": index \"-\" is past the end of the sequence" },
	{ "{\"x\": 1}", "[{\"op\": \"test\", \"path\": \"/x\", \"value\": 2}]",
	  "patch operation 0 (test): test failed: value at \"/x\" differs" },
	{ "{\"/\": 9, \"~1\": 10}", "[{\"op\": \"test\", \"path\": \"/~01\", \"value\": \"10\"}]",
	  "patch operation 0 (test): test failed: value at \"/~01\" differs" },
	{ "{\"x\": 1}", "[{\"op\": \"test\", \"path\": \"/y\", \"value\": 1}]",
	  "patch operation 0 (test): path \"/y\": no member \"y\"" },
	{ "[1]", "[{\"op\": \"add\", \"path\": \"/-\"}]", "patch operation 0 (add): missing \"value\"" },
	{ "[1]", "[{\"op\": \"replace\", \"path\": \"/0\"}]", "patch operation 0 (replace): missing \"value\"" },
	{ "[null]", "[{\"op\": \"test\", \"path\": \"/0\"}]", "patch operation 0 (test): missing \"value\"" },
	{ "[1]", "[{\"op\": \"copy\", \"path\": \"/-\"}]", "patch operation 0 (copy): missing \"from\"" },
	{ "[1]", "[{\"op\": \"move\", \"path\": \"\"}]", "patch operation 0 (move): missing \"from\"" },
	{ "{}", "[{\"op\": \"add\", \"value\": 1}]", "patch operation 0 (add): missing \"path\"" },
	{ "{}", "[{\"op\": \"add\", \"path\": null, \"value\": 1}]",
	  "patch operation 0 (add): \"path\" must be a string, not null" },
	{ "{}", "[{\"op\": \"copy\", \"path\": \"/a\", \"from\": 7}]",
	  "patch operation 0 (copy): \"from\" must be a string, not a number" },
	{ "{}", "[{\"op\": \"copy\", \"path\": \"/a\", \"from\": \"a\"}]",
	  "patch operation 0 (copy): from \"a\": must start with '/'" },
	{ "{\"foo\": 1}", "[{\"op\": \"spam\", \"path\": \"/foo\", \"value\": 1}]", "patch operation 0: unknown op \"spam\"" },
	{ "{\"foo\": 1}", "[{\"op\": \"Add\", \"path\": \"/foo\", \"value\": 1}]", "patch operation 0: unknown op \"Add\"" },
	{ "{\"foo\": 1}", "[{\"path\": \"/foo\", \"value\": 1}]", "patch operation 0: missing \"op\"" },
	{ "{\"foo\": 1}", "[{\"op\": true, \"path\": \"/foo\"}]", "patch operation 0: \"op\" must be a string, not a boolean" },
	{ "{}", "[1]", "patch operation 0: must be a mapping, not a number" },
	{ "{}", "{\"op\": \"add\"}", "patch must be a sequence of operations, not a mapping" },
	{ "{\"a\": {\"b\": 1}}", "[{\"op\": \"move\", \"from\": \"/a\", \"path\": \"/a/c\"}]",
	  "patch operation 0 (move): cannot move \"/a\" into its own child \"/a/c\"" },
	{ "{\"a\": {\"b\": 1}}", "[{\"op\": \"move\", \"from\": \"\", \"path\": \"/x\"}]",
	  "patch operation 0 (move): cannot move \"\" into its own child \"/x\"" },
	{ "{\"foo\": 1}", "[{\"op\": \"move\", \"from\": \"/bar\", \"path\": \"/foo\"}]",
	  "patch operation 0 (move): from \"/bar\": no member \"bar\"" },
	{ "{\"foo\": 1}", "[{\"op\": \"copy\", \"from\": \"/bar\", \"path\": \"/foo\"}]",
	  "patch operation 0 (copy): from \"/bar\": no member \"bar\"" },
	{ "{\"foo\": 1}", "[{\"op\": \"move\", \"from\": \"/bar\", \"path\": \"/bar\"}]",
	  "patch operation 0 (move): from \"/bar\": no member \"bar\"" },
	{ "{\"a\": \"s\"}", "[{\"op\": \"add\", \"path\": \"/a/b/c\", \"value\": 1}]",
	  "patch operation 0 (add): path \"/a/b/c\": \"/a\" is a string, not a mapping or sequence" },
	{ "{\"a\": [true]}", "[{\"op\": \"add\", \"path\": \"/a/0/x\", \"value\": 1}]",
	  "patch operation 0 (add): path \"/a/0/x\": \"/a/0\" is a boolean, not a mapping or sequence" },
	{ "\"foo\"", "[{\"op\": \"add\", \"path\": \"/x\", \"value\": 1}]",
	  "patch operation 0 (add): path \"/x\": the document is a string, not a mapping or sequence" },
	{ "{\"bar\": \"baz\"}", "[{\"op\": \"replace\", \"path\": \"/foo/bar\", \"value\": false}]",
	  "patch operation 0 (replace): path \"/foo/bar\": no member \"foo\"" },
	{ "{\"q\": {\"bar\": 2}}", "[{\"op\": \"add\", \"path\": \"/a/b\", \"value\": 1}]",
	  "patch operation 0 (add): path \"/a/b\": no member \"a\"" },
	{ "{}", "[{\"op\": \"remove\", \"path\": \"\"}]", "patch operation 0 (remove): path \"\": cannot remove the whole document" },
	{ "{\"a\": {}}", "[{\"op\": \"remove\", \"path\": \"/a/x\\\"y\\n\"}]",
	  "patch operation 0 (remove): path \"/a/x\\\"y\\n\": no member \"x\\\"y\\n\"" },
	{ "{\"a\": 1}", "[{\"op\": \"add\", \"path\": \"/b\", \"value\": 2}, {\"op\": \"replace\", \"path\": \"/c\", \"value\": 3}]",
	  "patch operation 1 (replace): path \"/c\": no member \"c\"" },
};

START_TEST(test_patch_errors)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *doc = J(error_cases[_i].doc), *patch = J(error_cases[_i].patch), *orig = gitops_value_copy(doc), *was = doc;

	ck_assert_int_eq(gitops_jsonpatch_apply(&doc, patch, &err), -1);
	ck_assert_str_eq(err.msg, error_cases[_i].msg);
	check_error_shape(&err);
	ck_assert_ptr_eq(doc, was);
	ck_assert(gitops_value_equal_strict(doc, orig));
	cJSON_Delete(doc);
	cJSON_Delete(orig);
	cJSON_Delete(patch);
}
END_TEST

static const struct {
	const char *doc, *patch, *want;
} apply_cases[] = {
	/* the whole document */
	{ "\"foo\"", "[{\"op\": \"replace\", \"path\": \"\", \"value\": \"bar\"}]", "\"bar\"" },
	{ "{\"a\": 1}", "[{\"op\": \"add\", \"path\": \"\", \"value\": [1, 2]}]", "[1, 2]" },
	{ "{\"a\": 1}", "[{\"op\": \"test\", \"path\": \"\", \"value\": {\"a\": 1.0}}]", "{\"a\": 1}" },
	{ "{\"a\": {\"b\": [1]}}", "[{\"op\": \"move\", \"from\": \"/a\", \"path\": \"\"}]", "{\"b\": [1]}" },
	{ "{\"a\": 1}", "[{\"op\": \"copy\", \"from\": \"\", \"path\": \"/b\"}]", "{\"a\": 1, \"b\": {\"a\": 1}}" },
	{ "{\"a\": 1}", "[{\"op\": \"move\", \"from\": \"\", \"path\": \"\"}]", "{\"a\": 1}" },
	{ "null", "[{\"op\": \"add\", \"path\": \"\", \"value\": {}}, {\"op\": \"add\", \"path\": \"/x\", \"value\": null}]",
	  "{\"x\": null}" },
	/* pointers */
	{ "{}", "[{\"op\": \"add\", \"path\": \"/\", \"value\": 1}]", "{\"\": 1}" },
	{ "{\"a/b\": {\"~c\": {}}}", "[{\"op\": \"add\", \"path\": \"/a~1b/~0c/~01\", \"value\": 1}]",
	  "{\"a/b\": {\"~c\": {\"~1\": 1}}}" },
	{ "[1, 2]", "[{\"op\": \"add\", \"path\": \"/0\", \"value\": 0}, {\"op\": \"add\", \"path\": \"/3\", \"value\": 3},"
	  " {\"op\": \"add\", \"path\": \"/-\", \"value\": 4}]", "[0, 1, 2, 3, 4]" },
	{ "{\"10\": 1, \"a\": [\"x\"]}", "[{\"op\": \"remove\", \"path\": \"/10\"}, {\"op\": \"replace\", \"path\": \"/a/0\", \"value\": \"y\"}]",
	  "{\"a\": [\"y\"]}" },
	/* an object member replaced keeps its place; moves within a sequence */
	{ "{\"a\": 1, \"b\": 2, \"c\": 3}", "[{\"op\": \"replace\", \"path\": \"/b\", \"value\": 9}]", "{\"a\": 1, \"b\": 9, \"c\": 3}" },
	{ "[\"a\", \"b\", \"c\"]", "[{\"op\": \"move\", \"from\": \"/0\", \"path\": \"/2\"}]", "[\"b\", \"c\", \"a\"]" },
	{ "[\"a\", \"b\", \"c\"]", "[{\"op\": \"move\", \"from\": \"/2\", \"path\": \"/0\"}]", "[\"c\", \"a\", \"b\"]" },
	{ "{\"a\": {\"k\": 1}}", "[{\"op\": \"move\", \"from\": \"/a/k\", \"path\": \"/l\"}, {\"op\": \"move\", \"from\": \"/l\", \"path\": \"/a/k\"}]",
	  "{\"a\": {\"k\": 1}}" },
	{ "{\"a\": [{\"k\": 1}]}", "[{\"op\": \"move\", \"from\": \"/a/0/k\", \"path\": \"/a/-\"}, {\"op\": \"copy\", \"from\": \"/a/1\", \"path\": \"/z\"}]",
	  "{\"a\": [{}, 1], \"z\": 1}" },
	/* members a patch does not use are ignored */
	{ "{}", "[{\"op\": \"add\", \"path\": \"/a\", \"value\": 1, \"from\": 7, \"extra\": [1]}]", "{\"a\": 1}" },
	{ "{\"a\": 1}", "[{\"op\": \"remove\", \"path\": \"/a\", \"value\": 1}]", "{}" },
	/* test compares as JSON: 1 equals 1.0, mappings in any order */
	{ "{\"a\": {\"x\": 1, \"y\": [2]}}", "[{\"op\": \"test\", \"path\": \"/a\", \"value\": {\"y\": [2.0], \"x\": 1}}]",
	  "{\"a\": {\"x\": 1, \"y\": [2]}}" },
	{ "[]", "[]", "[]" },
};

START_TEST(test_patch_apply)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *doc = J(apply_cases[_i].doc), *patch = J(apply_cases[_i].patch), *want = J(apply_cases[_i].want);

	ck_assert_msg(gitops_jsonpatch_apply(&doc, patch, &err) == 0, "%s", err.msg);
	ck_assert_msg(gitops_value_equal(doc, want), "got %s, want %s", show(doc), show(want));
	ck_assert_ptr_null(doc->string); /* the "value" member it came from leaves no key on the document */
	/* key order as written: an added member goes last, a replaced one stays */
	if (cJSON_IsObject(want)) {
		const cJSON *a, *b;

		for (a = doc->child, b = want->child; a && b; a = a->next, b = b->next)
			ck_assert_str_eq(a->string, b->string);
	}
	cJSON_Delete(doc);
	cJSON_Delete(patch);
	cJSON_Delete(want);
}
END_TEST

/* Integers stay integers (GITOPS_VALUE_INT), exact beyond 2^53, through add, copy and move. */
START_TEST(test_patch_exact_ints)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *doc = cJSON_CreateObject(), *patch = J("[{\"op\": \"copy\", \"from\": \"/big\", \"path\": \"/c\"},"
						    " {\"op\": \"move\", \"from\": \"/big\", \"path\": \"/m\"}]");
	const cJSON *c, *m;

	cJSON_AddItemToObject(doc, "big", gitops_value_new_int_text("123456789012345678901"));
	ck_assert_msg(gitops_jsonpatch_apply(&doc, patch, &err) == 0, "%s", err.msg);
	c = gitops_value_get(doc, "c");
	m = gitops_value_get(doc, "m");
	ck_assert(gitops_value_get(doc, "big") == NULL);
	ck_assert(c && m && (c->type & GITOPS_VALUE_INT) && (m->type & GITOPS_VALUE_INT));
	ck_assert_str_eq(c->valuestring, "123456789012345678901");
	ck_assert_str_eq(m->valuestring, "123456789012345678901");
	cJSON_Delete(doc);
	cJSON_Delete(patch);
}
END_TEST

/* All or nothing: a patch whose last operation fails leaves the document as it was. */
START_TEST(test_patch_atomic)
{
	static const char *const patches[] = {
		"[{\"op\": \"add\", \"path\": \"/c\", \"value\": 3}, {\"op\": \"remove\", \"path\": \"/a\"},"
		" {\"op\": \"replace\", \"path\": \"/b/0\", \"value\": 9}, {\"op\": \"move\", \"from\": \"/b/1\", \"path\": \"/d\"},"
		" {\"op\": \"copy\", \"from\": \"/b\", \"path\": \"/e\"}, {\"op\": \"remove\", \"path\": \"/nope\"}]",
		"[{\"op\": \"replace\", \"path\": \"\", \"value\": 5}, {\"op\": \"test\", \"path\": \"\", \"value\": 6}]",
		"[{\"op\": \"remove\", \"path\": \"/b/0\"}, {\"op\": \"bogus\"}]",
		"[{\"op\": \"add\", \"path\": \"/b/-\", \"value\": 3}, 7]",
	};
	int i;

	for (i = 0; i < N(patches); i++) {
		struct gitops_err err = GITOPS_ERR_INIT;
		cJSON *doc = J("{\"a\": 1, \"b\": [1, 2]}"), *patch = J(patches[i]), *orig = gitops_value_copy(doc);
		cJSON *was = doc, *first_child = doc->child;

		ck_assert_int_eq(gitops_jsonpatch_apply(&doc, patch, &err), -1);
		ck_assert_ptr_eq(doc, was);
		ck_assert_ptr_eq(doc->child, first_child);
		ck_assert_msg(gitops_value_equal_strict(doc, orig), "patch %d changed the document: %s", i, show(doc));
		cJSON_Delete(doc);
		cJSON_Delete(orig);
		cJSON_Delete(patch);
	}
}
END_TEST

/*
 * In place: the same result as the copying apply; after a failure a whole
 * tree (the root too may have been replaced) that the caller can free.
 */
START_TEST(test_patch_in_place)
{
	static const char *const failing[] = {
		"[{\"op\": \"add\", \"path\": \"/c\", \"value\": 3}, {\"op\": \"remove\", \"path\": \"/nope\"}]",
		"[{\"op\": \"replace\", \"path\": \"\", \"value\": 5}, {\"op\": \"test\", \"path\": \"\", \"value\": 6}]",
		"[{\"op\": \"move\", \"from\": \"/b\", \"path\": \"/a/x\"}]",
	};
	int i, k;

	for (k = 0; k < N(apply_cases); k++) {
		struct gitops_err err = GITOPS_ERR_INIT;
		cJSON *doc = J(apply_cases[k].doc), *patch = J(apply_cases[k].patch), *want = J(apply_cases[k].want);

		ck_assert_msg(gitops_jsonpatch_apply_in_place(&doc, patch, &err) == 0, "case %d: %s", k, err.msg);
		ck_assert_msg(gitops_value_equal(doc, want), "case %d: got %s, want %s", k, show(doc), show(want));
		ck_assert_ptr_null(doc->string);
		cJSON_Delete(doc);
		cJSON_Delete(patch);
		cJSON_Delete(want);
	}
	for (i = 0; i < N(failing); i++) {
		struct gitops_err err = GITOPS_ERR_INIT;
		cJSON *doc = J("{\"a\": 1, \"b\": [1, 2]}"), *patch = J(failing[i]);

		ck_assert_int_eq(gitops_jsonpatch_apply_in_place(&doc, patch, &err), -1);
		ck_assert_ptr_nonnull(doc);
		ck_assert(err.msg[0]);
		cJSON_Delete(doc); /* whole: ASan in the sanitizer run finds a leak or a double free */
		cJSON_Delete(patch);
	}
}
END_TEST

START_TEST(test_patch_limits)
{
	struct gitops_jsonpatch_options opts = GITOPS_JSONPATCH_OPTIONS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	cJSON *doc = J("{\"a\": [1, 2, 3, 4, 5, 6, 7, 8]}"), *patch;
	int i;

	/* each copy of the whole document doubles it: stopped at the limit, the document unchanged */
	gitops_buf_addstr(&b, "[");
	for (i = 0; i < 40; i++)
		gitops_buf_printf(&b, "%s{\"op\": \"copy\", \"from\": \"\", \"path\": \"/%d\"}", i ? "," : "", i);
	gitops_buf_addstr(&b, "]");
	patch = J(b.data);
	opts.max_nodes = 100000;
	ck_assert_int_eq(gitops_jsonpatch_apply_opts(&doc, patch, &opts, &err), -1);
	ck_assert_str_eq(err.msg, "patch operation 13 (copy): path \"/13\": the document would hold more than 100000 nodes");
	ck_assert_int_eq(cJSON_GetArraySize(gitops_value_get(doc, "a")), 8);
	ck_assert_int_eq(cJSON_GetArraySize(doc), 1);
	cJSON_Delete(patch);

	/* what a replace frees makes room: 10 nodes, 9 go and 10 come, within 11 */
	opts.max_nodes = 11;
	patch = J("[{\"op\": \"replace\", \"path\": \"/a\", \"value\": [1, 2, 3, 4, 5, 6, 7, 8, 9]}]");
	ck_assert_msg(gitops_jsonpatch_apply_opts(&doc, patch, &opts, &err) == 0, "%s", err.msg);
	cJSON_Delete(patch);
	patch = J("[{\"op\": \"add\", \"path\": \"/a/-\", \"value\": 10}]");
	ck_assert_int_eq(gitops_jsonpatch_apply_opts(&doc, patch, &opts, &err), -1);
	ck_assert_str_eq(err.msg, "patch operation 0 (add): path \"/a/-\": the document would hold more than 11 nodes");
	cJSON_Delete(patch);

	opts.max_nodes = 1000;
	opts.max_depth = 4;
	patch = J("[{\"op\": \"add\", \"path\": \"/b\", \"value\": [[1]]}, {\"op\": \"add\", \"path\": \"/b/0/0\", \"value\": [2]}]");
	ck_assert_int_eq(gitops_jsonpatch_apply_opts(&doc, patch, &opts, &err), -1);
	ck_assert_str_eq(err.msg, "patch operation 1 (add): path \"/b/0/0\": the document would nest deeper than 4 levels");
	cJSON_Delete(patch);
	gitops_buf_release(&b);
	cJSON_Delete(doc);
}
END_TEST

/* --- JSON Pointer helpers --- */

static const struct {
	const char *text;
	int ok;
	int n;
	const char *tokens[4];
} pointer_cases[] = {
	{ "", 1, 0, { NULL } },
	{ "/", 1, 1, { "" } },
	{ "//", 1, 2, { "", "" } },
	{ "/a~1b/~0c/", 1, 3, { "a/b", "~c", "" } },
	{ "/~01", 1, 1, { "~1" } },
	{ "/ /%/^|", 1, 3, { " ", "%", "^|" } },
	{ "a", 0, 0, { NULL } },
	{ "/~", 0, 0, { NULL } },
	{ "/a/~x", 0, 0, { NULL } },
	{ "#/a", 0, 0, { NULL } },
};

START_TEST(test_pointer_parse)
{
	struct gitops_jsonpointer p = GITOPS_JSONPOINTER_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	int i, rc = gitops_jsonpointer_parse(&p, pointer_cases[_i].text, &err);

	ck_assert_int_eq(rc, pointer_cases[_i].ok ? 0 : -1);
	if (!pointer_cases[_i].ok) {
		ck_assert_ptr_null(p.tokens);
		ck_assert_uint_eq(p.n, 0);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
		return;
	}
	ck_assert_uint_eq(p.n, (size_t)pointer_cases[_i].n);
	ck_assert_str_eq(p.text, pointer_cases[_i].text);
	gitops_buf_addstr(&b, "");
	for (i = 0; i < pointer_cases[_i].n; i++) {
		ck_assert_str_eq(p.tokens[i], pointer_cases[_i].tokens[i]);
		ck_assert_int_eq(gitops_jsonpointer_append(&b, p.tokens[i]), 0);
	}
	/* escaping is unique: the tokens write back the same pointer */
	ck_assert_str_eq(b.data, pointer_cases[_i].text);
	gitops_buf_release(&b);
	gitops_jsonpointer_release(&p);
}
END_TEST

START_TEST(test_pointer_index_resolve)
{
	struct gitops_jsonpointer p = GITOPS_JSONPOINTER_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *doc = J("{\"a\": [10, {\"b\": \"x\"}], \"\": 5}"), *got;
	char q[64];
	size_t i;

	ck_assert_int_eq(gitops_jsonpointer_index(&i, "0"), 0);
	ck_assert_uint_eq(i, 0);
	ck_assert_int_eq(gitops_jsonpointer_index(&i, "123"), 0);
	ck_assert_uint_eq(i, 123);
	ck_assert_int_eq(gitops_jsonpointer_index(&i, "99999999999999999999999999"), 0);
	ck_assert_uint_eq(i, SIZE_MAX);
	ck_assert_int_eq(gitops_jsonpointer_index(&i, "01"), -1);
	ck_assert_int_eq(gitops_jsonpointer_index(&i, "-"), -1);
	ck_assert_int_eq(gitops_jsonpointer_index(&i, ""), -1);
	ck_assert_int_eq(gitops_jsonpointer_index(&i, "+1"), -1);
	ck_assert_int_eq(gitops_jsonpointer_index(&i, "1 "), -1);

	ck_assert_int_eq(gitops_jsonpointer_parse(&p, "/a/1/b", &err), 0);
	ck_assert_int_eq(gitops_jsonpointer_resolve(&got, doc, &p, &err), 0);
	ck_assert_str_eq(got->valuestring, "x");
	gitops_jsonpointer_release(&p);
	ck_assert_int_eq(gitops_jsonpointer_parse(&p, "/", &err), 0);
	ck_assert_int_eq(gitops_jsonpointer_resolve(&got, doc, &p, &err), 0);
	ck_assert_int_eq((int)got->valuedouble, 5);
	gitops_jsonpointer_release(&p);
	ck_assert_int_eq(gitops_jsonpointer_parse(&p, "/a/1/b/c", &err), 0);
	ck_assert_int_eq(gitops_jsonpointer_resolve(&got, doc, &p, &err), -1);
	ck_assert_str_eq(err.msg, "\"/a/1/b\" is a string, not a mapping or sequence");
	gitops_jsonpointer_release(&p);
	gitops_jsonpointer_release(&p); /* twice is harmless */

	ck_assert_str_eq(gitops_jsonpointer_quote(q, sizeof(q), "a\"b\\c\x01\t"), "\"a\\\"b\\\\c\\x01\\t\"");
	ck_assert_str_eq(gitops_jsonpointer_quote(q, 16, "0123456789abcdef"), "\"0123456789...\"");
	cJSON_Delete(doc);
}
END_TEST

/* --- JSON Merge Patch --- */

/* apply(victim, patch) == want, the victim untouched on error; then create(victim, want) round trips. */
static void check_merge(const cJSON *victim, const cJSON *patch, const cJSON *want, const char *what)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *doc = gitops_value_copy(victim), *mp = NULL;

	ck_assert_msg(gitops_mergepatch_apply(&doc, patch, &err) == 0, "%s: %s", what, err.msg);
	ck_assert_msg(gitops_value_equal(doc, want), "%s: got %s, want %s", what, show(doc), show(want));
	ck_assert_ptr_null(doc->string);
	cJSON_Delete(doc);

	ck_assert_msg(gitops_mergepatch_create(&mp, victim, want, &err) == 0, "%s: create: %s", what, err.msg);
	doc = gitops_value_copy(victim);
	ck_assert_msg(gitops_mergepatch_apply(&doc, mp, &err) == 0, "%s: %s", what, err.msg);
	ck_assert_msg(gitops_value_equal(doc, want), "%s: create gave %s, which gives %s, want %s", what, show(mp),
		      show(doc), show(want));
	cJSON_Delete(doc);
	cJSON_Delete(mp);
}

START_TEST(test_merge_conformance)
{
	cJSON *all, *g, *c;
	size_t rfc = 0, object = 0, nonobject = 0;

	if (!have_conformance("json-merge-patch"))
		return;
	/* jsoncons: the RFC 7396 Appendix A table, groups of {given, cases: [{patch, result}]} */
	all = read_json("json-merge-patch/jsoncons/rfc7396-test-cases.json");
	cJSON_ArrayForEach(g, all)
	{
		const cJSON *given = gitops_value_get(g, "given");

		cJSON_ArrayForEach(c, gitops_value_get(g, "cases"))
		{
			char what[64];

			snprintf(what, sizeof(what), "rfc7396 case %zu", rfc);
			ck_assert(given && gitops_value_get(c, "patch") && gitops_value_get(c, "result"));
			check_merge(given, gitops_value_get(c, "patch"), gitops_value_get(c, "result"), what);
			rfc++;
		}
	}
	cJSON_Delete(all);
	/* java-json-tools: {patch, victim, result}; and non-object patches, whose result is the patch */
	all = read_json("json-merge-patch/java-json-tools/patch-object.json");
	cJSON_ArrayForEach(c, all)
	{
		char what[64];

		snprintf(what, sizeof(what), "patch-object.json #%zu", object++);
		check_merge(gitops_value_get(c, "victim"), gitops_value_get(c, "patch"), gitops_value_get(c, "result"), what);
	}
	cJSON_Delete(all);
	all = read_json("json-merge-patch/java-json-tools/patch-nonobject.json");
	cJSON_ArrayForEach(c, all)
	{
		char what[64];

		snprintf(what, sizeof(what), "patch-nonobject.json #%zu", nonobject++);
		ck_assert(gitops_value_get(c, "result") == NULL);
		check_merge(gitops_value_get(c, "victim"), gitops_value_get(c, "patch"), gitops_value_get(c, "patch"), what);
	}
	cJSON_Delete(all);
	ck_assert_msg(rfc == 15 && object == 10 && nonobject == 3, "merge patch cases: %zu + %zu + %zu, want 15 + 10 + 3",
		      rfc, object, nonobject);
	fprintf(stderr, "mergepatch: %zu of 28 RFC 7396 cases (jsoncons %zu, java-json-tools %zu + %zu) applied as upstream "
		"asserts, and created back\n", rfc + object + nonobject, rfc, object, nonobject);
}
END_TEST

static const struct {
	const char *from, *to, *patch;  /* patch NULL: create fails with msg */
	const char *msg;
} create_cases[] = {
	{ "{\"a\": 1, \"b\": 2}", "{\"a\": 1, \"c\": 3}", "{\"b\": null, \"c\": 3}", NULL },
	{ "{\"a\": {\"x\": 1, \"y\": 2}}", "{\"a\": {\"x\": 1, \"y\": 3}}", "{\"a\": {\"y\": 3}}", NULL },
	{ "{\"a\": [1, 2]}", "{\"a\": [1]}", "{\"a\": [1]}", NULL },
	{ "{\"a\": 1}", "{\"a\": 1.0}", "{}", NULL },
	{ "{\"a\": {\"b\": 1}}", "{\"b\": {\"a\": 1}}", "{\"a\": null, \"b\": {\"a\": 1}}", NULL },
	{ "{\"a\": 1}", "[1, null]", "[1, null]", NULL },
	{ "[1]", "{\"a\": [null, {\"b\": null}]}", "{\"a\": [null, {\"b\": null}]}", NULL },
	{ "{\"a\": 1}", "null", "null", NULL },
	{ "{\"e\": null}", "{\"e\": null, \"a\": 1}", "{\"a\": 1}", NULL },
	{ "{\"a\": \"x\"}", "{\"a\": {}}", "{\"a\": {}}", NULL },
	{ "{\"a\": {\"b\": 1}}", "{\"a\": {\"b\": null}}", NULL,
	  "cannot create a merge patch: \"/a/b\" is null, which a merge patch cannot set" },
	{ "{}", "{\"n/~\": {\"m\": {\"k\": null}}}", NULL,
	  "cannot create a merge patch: \"/n~1~0/m/k\" is null, which a merge patch cannot set" },
	{ "5", "{\"k\": null}", NULL, "cannot create a merge patch: \"/k\" is null, which a merge patch cannot set" },
};

START_TEST(test_merge_create)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *from = J(create_cases[_i].from), *to = J(create_cases[_i].to), *mp = NULL;

	if (!create_cases[_i].patch) {
		ck_assert_int_eq(gitops_mergepatch_create(&mp, from, to, &err), -1);
		ck_assert_ptr_null(mp);
		ck_assert_str_eq(err.msg, create_cases[_i].msg);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	} else {
		cJSON *want = J(create_cases[_i].patch);

		ck_assert_msg(gitops_mergepatch_create(&mp, from, to, &err) == 0, "%s", err.msg);
		ck_assert_msg(gitops_value_equal(mp, want), "got %s, want %s", show(mp), show(want));
		check_merge(from, mp, to, create_cases[_i].to);
		cJSON_Delete(want);
	}
	cJSON_Delete(mp);
	cJSON_Delete(from);
	cJSON_Delete(to);
}
END_TEST

START_TEST(test_merge_apply_edges)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *doc = NULL, *patch = J("{\"a\": {\"b\": null, \"c\": 1}, \"d\": null}"), *want = J("{\"a\": {\"c\": 1}}");

	/* no document: the patch's mapping, nulls gone */
	ck_assert_int_eq(gitops_mergepatch_apply(&doc, patch, &err), 0);
	ck_assert_msg(gitops_value_equal(doc, want), "%s", show(doc));
	cJSON_Delete(doc);
	cJSON_Delete(patch);
	cJSON_Delete(want);

	/* a key the target repeats: all of it goes, or one stays with the new value */
	doc = J("{\"k\": 1, \"x\": 0, \"k\": 2}");
	patch = J("{\"k\": null}");
	ck_assert_int_eq(gitops_mergepatch_apply(&doc, patch, &err), 0);
	ck_assert_str_eq(show(doc), "{\"x\":0}");
	cJSON_Delete(doc);
	cJSON_Delete(patch);
	doc = J("{\"k\": 1, \"x\": 0, \"k\": 2}");
	patch = J("{\"k\": {\"z\": 1}}");
	ck_assert_int_eq(gitops_mergepatch_apply(&doc, patch, &err), 0);
	ck_assert_str_eq(show(doc), "{\"k\":{\"z\":1},\"x\":0}");
	cJSON_Delete(doc);
	cJSON_Delete(patch);

	/* a replaced member keeps its place, a new one goes last, exact integers kept */
	doc = J("{\"a\": 1, \"b\": 2}");
	patch = J("{\"c\": 3, \"a\": [true]}");
	cJSON_AddItemToObject(patch, "big", gitops_value_new_int_text("-123456789012345678901"));
	ck_assert_int_eq(gitops_mergepatch_apply(&doc, patch, &err), 0);
	ck_assert_str_eq(gitops_value_get(doc, "big")->valuestring, "-123456789012345678901");
	ck_assert(gitops_value_get(doc, "big")->type & GITOPS_VALUE_INT);
	cJSON_DeleteItemFromObject(doc, "big");
	ck_assert_str_eq(show(doc), "{\"a\":[true],\"b\":2,\"c\":3}");
	cJSON_Delete(doc);
	cJSON_Delete(patch);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("jsonpatch");
	TCase *tc = tcase_create("jsonpatch");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_patch_conformance);
	tcase_add_test(tc, test_patch_duplicate_op);
	tcase_add_loop_test(tc, test_patch_errors, 0, N(error_cases));
	tcase_add_loop_test(tc, test_patch_apply, 0, N(apply_cases));
	tcase_add_test(tc, test_patch_exact_ints);
	tcase_add_test(tc, test_patch_atomic);
	tcase_add_test(tc, test_patch_in_place);
	tcase_add_test(tc, test_patch_limits);
	tcase_add_loop_test(tc, test_pointer_parse, 0, N(pointer_cases));
	tcase_add_test(tc, test_pointer_index_resolve);
	suite_add_tcase(s, tc);
	tc = tcase_create("mergepatch");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_merge_conformance);
	tcase_add_loop_test(tc, test_merge_create, 0, N(create_cases));
	tcase_add_test(tc, test_merge_apply_edges);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
