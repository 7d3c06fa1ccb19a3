/* Unit tests for lib/stream.c, lib/object.c and lib/buf.c: objects, validation, markers, limits. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "tests/unit/check_main.h"
#include "lib/k8s/object.h"
#include "lib/k8s/stream.h"

#define CM(name) "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " name "\n"

/* Read a whole stream; returns objects read or -1, and the marker state. */
static int read_stream(const char *text, const struct gitops_limits *limits, struct gitops_err *err,
		       struct gitops_stream_status *st, char *names, size_t size)
{
	struct gitops_stream_reader *r;
	struct gitops_object o;
	int n, count = 0;

	if (names)
		names[0] = '\0';
	ck_assert_int_eq(gitops_stream_reader_mem(&r, text, strlen(text), "in.yaml", limits, 0, err), 0);
	while ((n = gitops_stream_read(r, &o, err)) > 0) {
		struct gitops_id id;
		ck_assert_int_eq(gitops_object_id(&id, o.json), 0);
		if (names)
			snprintf(names + strlen(names), size - strlen(names), "%s%s@%zu", count ? "," : "", id.name,
				 o.line);
		count++;
		gitops_object_release(&o);
	}
	if (st)
		gitops_stream_reader_status(r, st);
	gitops_stream_reader_free(r);
	return n < 0 ? -1 : count;
}

static const struct {
	const char *in;
	const char *err;
} invalid_cases[] = {
	{ "- a\n- b\n", "in.yaml:1: document 1: expected a mapping (a Kubernetes object), found a sequence" },
	{ "just text\n", "in.yaml:1: document 1: expected a mapping (a Kubernetes object), found a string" },
	{ "42\n", "in.yaml:1: document 1: expected a mapping (a Kubernetes object), found a number" },
	{ "kind: X\nmetadata: {name: a}\n", "in.yaml:1: document 1: missing apiVersion" },
	{ "apiVersion: 1\nkind: X\n", "in.yaml:1: document 1: apiVersion must be a string, not a number" },
	{ "apiVersion: a/b/c\nkind: X\n", "in.yaml:1: document 1: apiVersion 'a/b/c' is malformed (want GROUP/VERSION or VERSION)" },
	{ "apiVersion: Apps_/v1\nkind: X\n", "in.yaml:1: document 1: apiVersion 'Apps_/v1' has an invalid group 'Apps_'" },
	{ "apiVersion: v1\nmetadata: {name: a}\n", "in.yaml:1: document 1: missing kind" },
	{ "apiVersion: v1\nkind: [a]\n", "in.yaml:1: document 1: kind must be a string, not a sequence" },
	{ "apiVersion: v1\nkind: Config Map\n", "in.yaml:1: document 1: kind 'Config Map' is malformed" },
	{ "apiVersion: v1\nkind: X\n", "in.yaml:1: document 1: missing metadata" },
	{ "apiVersion: v1\nkind: X\nmetadata: a\n", "in.yaml:1: document 1: metadata must be a mapping, not a string" },
	{ "apiVersion: v1\nkind: X\nmetadata: {}\n", "in.yaml:1: document 1: missing metadata.name" },
	{ "apiVersion: v1\nkind: X\nmetadata: {generateName: a-}\n",
	  "in.yaml:1: document 1: missing metadata.name (metadata.generateName cannot be applied)" },
	{ "apiVersion: v1\nkind: X\nmetadata: {name: 5}\n", "in.yaml:1: document 1: metadata.name must be a string, not a number" },
	{ "apiVersion: v1\nkind: X\nmetadata: {name: ''}\n", "in.yaml:1: document 1: metadata.name is empty" },
	{ "apiVersion: v1\nkind: X\nmetadata: {name: a/b}\n", "in.yaml:1: document 1: metadata.name 'a/b' is not a valid name (no '/', '%' or blanks; not '.' or '..')" },
	{ "apiVersion: v1\nkind: X\nmetadata: {name: ..}\n", "in.yaml:1: document 1: metadata.name '..' is not a valid name (no '/', '%' or blanks; not '.' or '..')" },
	{ "apiVersion: v1\nkind: X\nmetadata: {name: a, namespace: Prod}\n",
	  "in.yaml:1: document 1: metadata.namespace 'Prod' is not a valid namespace name" },
	{ "apiVersion: v1\nkind: X\nmetadata: {name: a, labels: {v: 1}}\n",
	  "in.yaml:1: document 1: metadata.labels.v must be a string, not a number (quote it)" },
	{ "apiVersion: v1\nkind: X\nmetadata: {name: a, annotations: [x]}\n",
	  "in.yaml:1: document 1: metadata.annotations must be a mapping, not a sequence" },
	{ CM("a") "---\n" CM("b") "---\n# c\napiVersion: v1\nkind: X\nmetadata:\n  labels: {}\n",
	  "in.yaml:12: document 3: missing metadata.name" },
	{ "apiVersion: v1\nkind: List\nitems:\n- " "apiVersion: v1\n  kind: A\n  metadata: {name: a}\n"
	  "- apiVersion: v1\n  kind: A\n  metadata: {}\n",
	  "in.yaml:7: document 1, item 2: missing metadata.name" },
	{ "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items: []\n",
	  "in.yaml:4: document 1, item 1: a List inside a List is not supported" },
	{ "apiVersion: v1\nkind: X\nmetadata:\n  name: a\n  name: b\n", "in.yaml:5:3: duplicate key 'name'" },
	{ "a: {b: 1, b: 2}\n", "in.yaml:1:11: duplicate key 'b'" },
	{ "a: *nope\n", "in.yaml:1:4: undefined alias '*nope'" },
	{ "a: !foo x\n", "in.yaml:1:4: unsupported tag '!foo'" },
	{ "a: !!int x\n", "in.yaml:1:4: cannot read 'x' as !!int" },
	{ "a: .inf\n", "in.yaml:1:4: '.inf' is not a number JSON can hold" },
	{ "a: \"x\\0y\"\n", "in.yaml:1:4: a NUL character in a string is not supported" },
	{ "a: \"abc\n", "in.yaml:2:1: found unexpected end of stream while scanning a quoted scalar started at line 1" },
	{ "a: [1, 2\n", "in.yaml:2:1: did not find expected ',' or ']' while parsing a flow sequence started at line 1" },
	{ "[a]: 1\n", "in.yaml:1:1: mapping keys must be scalars, not a sequence" },
	{ "<<: 1\n", "in.yaml:1:5: the merge key '<<' needs a mapping or a sequence of mappings" },
	{ "a: \xc3\x28\n", "in.yaml:1: invalid UTF-8 (invalid trailing UTF-8 octet at byte 4)" },
};

START_TEST(test_invalid)
{
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_eq(read_stream(invalid_cases[_i].in, NULL, &err, NULL, NULL, 0), -1);
	ck_assert_str_eq(err.msg, invalid_cases[_i].err);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
}
END_TEST

START_TEST(test_list_and_empty)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char names[256];
	static const char in[] = "---\n---\n# only a comment\n---\n" CM("a") "---\napiVersion: v1\nkind: ConfigMapList\n"
		"items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n"
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n---\n~\n";

	ck_assert_int_eq(read_stream(in, NULL, &err, NULL, names, sizeof(names)), 3);
	ck_assert_str_eq(names, "a@5,b@13,c@16");
	ck_assert_int_eq(read_stream("", NULL, &err, NULL, NULL, 0), 0);
	ck_assert_int_eq(read_stream("# nothing\n\n", NULL, &err, NULL, NULL, 0), 0);
}
END_TEST

static const struct {
	const char *in;
	enum gitops_marker_state state;
	const char *problem;
} marker_cases[] = {
	{ CM("a"), GITOPS_MARKER_NONE, "" },
	{ CM("a") "# gitops: end of stream (1 objects)\n", GITOPS_MARKER_OK, "" },
	{ "# gitops: end of stream (0 objects)\n", GITOPS_MARKER_OK, "" },
	{ CM("a") "---\n" CM("b") "# gitops: end of stream (2 objects)", GITOPS_MARKER_OK, "" },
	{ CM("a") "# gitops: end of stream (1 object)  \r\n", GITOPS_MARKER_OK, "" },
	{ CM("a") "# gitops: end of stream (1 objects)\n---\n" CM("b") "# gitops: end of stream (1 objects)\n",
	  GITOPS_MARKER_OK, "" },
	{ CM("a") "---\n" CM("b") "# gitops: end of stream (3 objects)\n", GITOPS_MARKER_BAD,
	  "the marker at line 10 counts 3 objects, but 2 came before it" },
	{ CM("a") "# gitops: end of stream (1 objects)\n---\n" CM("b"), GITOPS_MARKER_BAD,
	  "1 object after the last marker (did the producer stop mid-stream?)" },
	{ CM("a") "data:\n  x: |\n    y\n# gitops: end of stream (1 objects)\n", GITOPS_MARKER_OK, "" },
	{ CM("a") "data:\n  x: |\n    # gitops: end of stream (0 objects)\n", GITOPS_MARKER_NONE, "" },
	{ CM("a") "data:\n  x: \"a\n\n# gitops: end of stream (0 objects)\n  b\"\n", GITOPS_MARKER_NONE, "" },
	{ "apiVersion: v1\nkind: List\nitems:\n- " "apiVersion: v1\n  kind: A\n  metadata: {name: a}\n"
	  "- apiVersion: v1\n  kind: A\n  metadata: {name: b}\n# gitops: end of stream (2 objects)\n",
	  GITOPS_MARKER_OK, "" },
	{ CM("a") " # gitops: end of stream (1 objects)\n", GITOPS_MARKER_NONE, "" },
	/* line breaks other than \n count as libyaml counts them */
	{ CM("a") "data:\n  ls: \"a\xe2\x80\xa8" "b\"\n  nel: \"a\xc2\x85" "b\"\n# gitops: end of stream (1 objects)\n",
	  GITOPS_MARKER_OK, "" },
	/* 0xC2 and 0xE2 bytes that start no line break (a no-break space, a dash, a quote): lines counted as for \n */
	{ CM("a") "data:\n  t: \"a\xc2\xa0" "b \xe2\x80\x94 it\xe2\x80\x99s\"\n---\n" CM("b")
		  "# gitops: end of stream (3 objects)\n",
	  GITOPS_MARKER_BAD, "the marker at line 12 counts 3 objects, but 2 came before it" },
	{ CM("a") "data:\n  t: \"\xe2\x80\x94\xe2\x80\xa8\xe2\x80\x94\"\n---\n" CM("b")
		  "# gitops: end of stream (3 objects)\n",
	  GITOPS_MARKER_BAD, "the marker at line 13 counts 3 objects, but 2 came before it" },
	{ "apiVersion: v1\rkind: ConfigMap\rmetadata:\r  name: a\r# gitops: end of stream (1 objects)\r", GITOPS_MARKER_OK, "" },
	{ "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n# gitops: end of stream (1 objects)\r\n",
	  GITOPS_MARKER_OK, "" },
	{ CM("a") "# gitops: end of stream (0 objects)\nb: 1\n", GITOPS_MARKER_NONE, "" },
	{ CM("a") "# gitops: end of stream (x objects)\n", GITOPS_MARKER_NONE, "" },
};

START_TEST(test_markers)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_stream_status st;

	ck_assert_msg(read_stream(marker_cases[_i].in, NULL, &err, &st, NULL, 0) >= 0, "%s", err.msg);
	ck_assert_int_eq(st.marker, marker_cases[_i].state);
	ck_assert_str_eq(st.problem, marker_cases[_i].problem);
}
END_TEST

/* many markers close together (concatenated streams) are each checked, none dropped */
START_TEST(test_many_markers)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_stream_status st;
	int i;

	for (i = 0; i < 300; i++)
		gitops_buf_addstr(&b, "# gitops: end of stream (0 objects)\n");
	for (i = 0; i < 300; i++)
		gitops_buf_printf(&b, "---\n" CM("o%d") "# gitops: end of stream (1 objects)\n", i);
	ck_assert_int_eq(read_stream(b.data, NULL, &err, &st, NULL, 0), 300);
	ck_assert_int_eq(st.marker, GITOPS_MARKER_OK);
	ck_assert_uint_eq(st.markers, 600);
	/* one wrong count among them is found */
	gitops_buf_addstr(&b, "---\n" CM("last") "# gitops: end of stream (2 objects)\n");
	ck_assert_int_eq(read_stream(b.data, NULL, &err, &st, NULL, 0), 301);
	ck_assert_int_eq(st.marker, GITOPS_MARKER_BAD);
	ck_assert_str_eq(st.problem, "the marker at line 2106 counts 2 objects, but 1 came before it");
	gitops_buf_release(&b);
}
END_TEST

START_TEST(test_require_complete)
{
	struct gitops_stream_reader *r;
	struct gitops_object o;
	struct gitops_err err = GITOPS_ERR_INIT;
	static const char in[] = CM("a");

	ck_assert_int_eq(gitops_stream_reader_mem(&r, in, strlen(in), "<stdin>", NULL, 0, &err), 0);
	while (gitops_stream_read(r, &o, &err) > 0)
		gitops_object_release(&o);
	ck_assert_int_eq(gitops_stream_require_complete(r, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_UNSAFE);
	ck_assert_str_eq(err.msg, "<stdin>: no end-of-stream marker: the stream may be incomplete");
	gitops_stream_reader_free(r);
}
END_TEST

static const struct {
	const char *what;
	struct gitops_limits limits;
	const char *err;
} limit_cases[] = {
	{ "depth", { 3, 1000, 1000, 1 << 20, 1 << 20 }, "in.yaml:1:12: nesting deeper than 3 levels" },
	{ "nodes", { 10, 5, 1000, 1 << 20, 1 << 20 }, "in.yaml:1:12: document 1 has more than 5 nodes" },
	{ "alias", { 10, 1000, 4, 1 << 20, 1 << 20 }, "in.yaml:2:4: aliases expand to more than 4 nodes (an alias bomb?)" },
	{ "document", { 10, 1000, 1000, 20, 1 << 20 }, "in.yaml:1:21: document 1 is larger than the limit of 20 bytes" },
	{ "stream", { 10, 1000, 1000, 1 << 20, 16 }, "in.yaml: input is larger than the limit of 16 bytes" },
};

START_TEST(test_limits)
{
	static const char in[] = "a: [1, [2, [3, [4]]]]\nb: *x\n";
	static const char in_alias[] = "a: &x [1, [2, [3]]]\nb: *x\n";
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *text = _i == 2 ? in_alias : in;

	ck_assert_int_eq(read_stream(text, &limit_cases[_i].limits, &err, NULL, NULL, 0), -1);
	ck_assert_msg(strcmp(err.msg, limit_cases[_i].err) == 0, "%s: got '%s'", limit_cases[_i].what, err.msg);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
}
END_TEST

START_TEST(test_billion_laughs)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	int i, j;

	gitops_buf_addstr(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 12; i++) {
		gitops_buf_printf(&b, "a%d: &a%d [", i, i);
		for (j = 0; j < 10; j++)
			gitops_buf_printf(&b, "%s*a%d", j ? ", " : "", i - 1);
		gitops_buf_addstr(&b, "]\n");
	}
	ck_assert_int_eq(read_stream(b.data, NULL, &err, NULL, NULL, 0), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "aliases expand to more than 1000000 nodes"));
	gitops_buf_release(&b);
}
END_TEST

START_TEST(test_identity)
{
	static const char in[] = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\n"
		"  labels: {app: web}\n  annotations: {a.b/c: d}\n";
	static const char ns[] = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\n";
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_id id;
	char buf[256];
	cJSON *obj;

	ck_assert_int_eq(gitops_yaml_parse_one(&obj, in, strlen(in), "x", NULL, &err), 0);
	ck_assert_int_eq(gitops_object_id(&id, obj), 0);
	ck_assert_str_eq(id.group, "apps");
	ck_assert_str_eq(id.version, "v1");
	ck_assert_str_eq(id.kind, "Deployment");
	ck_assert_str_eq(id.namespace, "prod");
	ck_assert_str_eq(id.name, "web");
	gitops_id_format(&id, buf, sizeof(buf));
	ck_assert_str_eq(buf, "apps/v1/Deployment prod/web");
	ck_assert_str_eq(gitops_object_label(obj, "app"), "web");
	ck_assert_str_eq(gitops_object_annotation(obj, "a.b/c"), "d");
	ck_assert_ptr_null(gitops_object_annotation(obj, "nope"));
	ck_assert_int_eq(gitops_object_set_annotation(obj, "gitops.dev/revision", "abc"), 0);
	ck_assert_int_eq(gitops_object_set_annotation(obj, "a.b/c", "e"), 0);
	ck_assert_str_eq(gitops_object_annotation(obj, "gitops.dev/revision"), "abc");
	ck_assert_str_eq(gitops_object_annotation(obj, "a.b/c"), "e");
	ck_assert_int_eq(gitops_object_set_label(obj, "new", "1"), 0);
	ck_assert_str_eq(gitops_json_get_string(obj, "metadata", "labels", "new", NULL), "1");
	ck_assert_ptr_null(gitops_json_get(obj, "spec", "replicas", NULL));
	cJSON_Delete(obj);

	ck_assert_int_eq(gitops_yaml_parse_one(&obj, ns, strlen(ns), "x", NULL, &err), 0);
	ck_assert_int_eq(gitops_object_id(&id, obj), 0);
	ck_assert_str_eq(id.group, "");
	ck_assert_ptr_null(id.namespace);
	gitops_id_format(&id, buf, sizeof(buf));
	ck_assert_str_eq(buf, "v1/Namespace ns1");
	cJSON_Delete(obj);
	ck_assert_int_eq(gitops_yaml_parse_one(&obj, "a: 1\n---\nb: 2\n", 14, "x", NULL, &err), -1);
	ck_assert_str_eq(err.msg, "x:3: expected one YAML document, found more");
}
END_TEST


START_TEST(test_writer_marker_and_json)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_stream_writer *w;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *obj;

	ck_assert_int_eq(gitops_yaml_parse_one(&obj, CM("a"), strlen(CM("a")), "x", NULL, &err), 0);
	ck_assert_int_eq(gitops_stream_writer_new(&w, GITOPS_FORMAT_YAML, gitops_check_write_buf, &b, &err), 0);
	ck_assert_int_eq(gitops_stream_writer_put(w, obj, &err), 0);
	ck_assert_int_eq(gitops_stream_writer_put(w, obj, &err), 0);
	ck_assert_int_eq(gitops_stream_writer_finish(w, &err), 0);
	gitops_stream_writer_free(w);
	ck_assert_str_eq(b.data, "---\n" CM("a") "---\n" CM("a") "# gitops: end of stream (2 objects)\n");

	b.len = 0;
	ck_assert_int_eq(gitops_stream_writer_new(&w, GITOPS_FORMAT_JSON, gitops_check_write_buf, &b, &err), 0);
	ck_assert_int_eq(gitops_stream_writer_put(w, obj, &err), 0);
	ck_assert_int_eq(gitops_stream_writer_finish(w, &err), 0);
	gitops_stream_writer_free(w);
	ck_assert_str_eq(b.data, "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[\n"
				 "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}\n]}\n");
	/* and the JSON List reads back as its item */
	ck_assert_int_eq(read_stream(b.data, NULL, &err, NULL, NULL, 0), 1);

	b.len = 0;
	ck_assert_int_eq(gitops_stream_writer_new(&w, GITOPS_FORMAT_YAML, gitops_check_write_buf, &b, &err), 0);
	ck_assert_int_eq(gitops_stream_writer_finish(w, &err), 0);
	gitops_stream_writer_free(w);
	ck_assert_str_eq(b.data, "# gitops: end of stream (0 objects)\n");
	cJSON_Delete(obj);
	gitops_buf_release(&b);
}
END_TEST

/*
 * Completeness passes on, never appears: a stream finished as unvouched has
 * no marker, so whatever reads it next cannot take it for a whole one.
 */
START_TEST(test_writer_unvouched)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_stream_writer *w;
	struct gitops_stream_status st;
	struct gitops_err err = GITOPS_ERR_INIT;
	size_t i, n = (size_t)_i;
	cJSON *obj;

	ck_assert_int_eq(gitops_yaml_parse_one(&obj, CM("a"), strlen(CM("a")), "x", NULL, &err), 0);
	ck_assert_int_eq(gitops_stream_writer_new(&w, GITOPS_FORMAT_YAML, gitops_check_write_buf, &b, &err), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(gitops_stream_writer_put(w, obj, &err), 0);
	ck_assert_int_eq(gitops_stream_writer_finish_as(w, GITOPS_STREAM_UNVOUCHED, &err), 0);
	/* finishing twice writes nothing more, and no marker either */
	ck_assert_int_eq(gitops_stream_writer_finish(w, &err), 0);
	ck_assert_uint_eq(gitops_stream_writer_count(w), n);
	gitops_stream_writer_free(w);
	gitops_buf_add(&b, "", 0);
	ck_assert_ptr_null(strstr(b.data, "# gitops:"));
	ck_assert_int_eq(read_stream(b.data, NULL, &err, &st, NULL, 0), (int)n);
	ck_assert_int_eq(st.marker, GITOPS_MARKER_NONE);
	/* an empty unvouched stream is nothing at all, which the next reader refuses */
	ck_assert_int_eq(gitops_stream_check_empty(&st, "<stdin>", &err), n ? 0 : -1);
	cJSON_Delete(obj);
	gitops_buf_release(&b);
}
END_TEST

static const struct {
	const char *in;
	int ok;
} empty_cases[] = {
	{ "", 0 },
	{ "\n\n", 0 },
	{ "# a comment\n---\n---\n...\n", 0 },
	{ "# gitops: end of stream (0 objects)\n", 1 },
	{ CM("a"), 1 },
	{ "apiVersion: v1\nkind: List\nitems: []\n# gitops: end of stream (0 objects)\n", 1 },
	/* a BAD marker is not empty: the caller reports it as incomplete */
	{ "# gitops: end of stream (1 objects)\n", 1 },
};

START_TEST(test_check_empty)
{
	struct gitops_stream_status st;
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_ge(read_stream(empty_cases[_i].in, NULL, &err, &st, NULL, 0), 0);
	if (empty_cases[_i].ok) {
		ck_assert_int_eq(gitops_stream_check_empty(&st, "<stdin>", &err), 0);
		return;
	}
	ck_assert_int_eq(gitops_stream_check_empty(&st, "<stdin>", &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_str_eq(err.msg, "<stdin>: empty input and no end-of-stream marker (did the program before this "
				  "one fail?); --allow-empty-input accepts it");
}
END_TEST

START_TEST(test_spool)
{
	struct gitops_spool *s;
	struct gitops_err err = GITOPS_ERR_INIT;
	char block[1000];
	char path[] = "/tmp/gitops-test-spool-XXXXXX";
	struct gitops_buf back = GITOPS_BUF_INIT;
	int fd, i;

	memset(block, 'x', sizeof(block));
	ck_assert_int_eq(gitops_spool_new(&s, 4096, &err), 0);
	for (i = 0; i < 10; i++) {
		block[0] = (char)('0' + i);
		ck_assert_int_eq(gitops_spool_write(s, block, sizeof(block), &err), 0);
	}
	ck_assert_uint_eq(gitops_spool_size(s), 10000);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(gitops_spool_copy_to_fd(s, fd, &err), 0);
	close(fd);
	ck_assert_int_eq(gitops_buf_read_file(&back, path, 1 << 20, &err), 0);
	unlink(path);
	ck_assert_uint_eq(back.len, 10000);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(back.data[i * 1000], '0' + i);
	gitops_buf_release(&back);
	gitops_spool_free(s);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = tcase_create("objects");

	tcase_add_loop_test(tc, test_invalid, 0, sizeof(invalid_cases) / sizeof(invalid_cases[0]));
	tcase_add_test(tc, test_list_and_empty);
	tcase_add_test(tc, test_identity);
	suite_add_tcase(s, tc);
	tc = tcase_create("markers");
	tcase_add_loop_test(tc, test_markers, 0, sizeof(marker_cases) / sizeof(marker_cases[0]));
	tcase_add_test(tc, test_require_complete);
	tcase_add_test(tc, test_many_markers);
	tcase_add_test(tc, test_writer_marker_and_json);
	tcase_add_loop_test(tc, test_writer_unvouched, 0, 3);
	tcase_add_loop_test(tc, test_check_empty, 0, sizeof(empty_cases) / sizeof(empty_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_limits, 0, sizeof(limit_cases) / sizeof(limit_cases[0]));
	tcase_add_test(tc, test_billion_laughs);
	tcase_add_test(tc, test_spool);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
