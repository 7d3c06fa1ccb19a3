/*
 * Unit tests for lib/yaml/emit.c: the go-yaml v2 writer against what the
 * reference tools printed.
 *
 *   - every toYaml case of $CONFORMANCE/helm-engine (helm v3.17.2) whose
 *     input we can build, byte for byte;
 *   - every document of every expected output in $CONFORMANCE/kustomize-real
 *     and $CONFORMANCE/kustomize (kubectl kustomize), read and written
 *     again: byte for byte;
 *   - hand cases (emit_goyaml_cases.h) whose expected text came from
 *     sigs.k8s.io/yaml.Marshal itself (go-yaml v2 as vendored with
 *     Kubernetes): quoting of every YAML 1.1 word, numbers as strings,
 *     timestamps, indicators, spaces, Unicode, control characters, folding,
 *     block scalars, key order, numbers.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/enc.h"
#include "lib/value/value.h"
#include "lib/yaml/emit.h"
#include "lib/yaml/yaml.h"
#include "tests/unit/check_main.h"
#include "tests/unit/conformance.h"

static const char *conformance(void)
{
	const char *dir = getenv("CONFORMANCE");
	return dir ? dir : "../shared/conformance";
}

static cJSON *parse(const char *text)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *v = NULL;

	ck_assert_msg(gitops_yaml_parse_one(&v, text, strlen(text), "test", NULL, &err) == 0, "%s: %s", err.msg, text);
	return v ? v : cJSON_CreateNull();
}

/* Helm's toYaml: sigs.k8s.io/yaml.Marshal, the final newline trimmed; "" on error */
static char *to_yaml(const cJSON *v)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *out = NULL;
	size_t n;

	if (gitops_yaml_dump_style(&out, v, NULL, &err) < 0)
		return strdup("");
	n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[n - 1] = '\0';
	return out;
}

/* ------------------------------------------------------------ hand cases */

static const struct {
	const char *json;
	const char *want; /* NULL: sigs.k8s.io/yaml failed */
} hand_cases[] = {
#include "tests/unit/emit_goyaml_cases.h"
};

START_TEST(test_hand)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *v = parse(hand_cases[_i].json);
	char *out = NULL;
	int r = gitops_yaml_dump_style(&out, v, NULL, &err);

	if (!hand_cases[_i].want) {
		ck_assert_msg(r < 0, "%s: wanted an error, got:\n%s", hand_cases[_i].json, out);
	} else {
		ck_assert_msg(r == 0, "%s: %s", hand_cases[_i].json, err.msg);
		ck_assert_msg(!strcmp(out, hand_cases[_i].want), "%s:\nwant:\n%s\ngot:\n%s", hand_cases[_i].json,
			      hand_cases[_i].want, out);
	}
	free(out);
	cJSON_Delete(v);
}
END_TEST

/* the same trees through a typed emitter: floats as go-yaml v2 writes a float64 */
START_TEST(test_typed_numbers)
{
	struct gitops_yaml_style st = GITOPS_YAML_STYLE_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *v = cJSON_CreateArray();
	char *out = NULL;

	st.numbers = GITOPS_YAML_NUMBERS_TYPED;
	cJSON_AddItemToArray(v, gitops_value_new_float(1e6));
	cJSON_AddItemToArray(v, gitops_value_new_float(3));
	cJSON_AddItemToArray(v, gitops_value_new_float(0.1));
	cJSON_AddItemToArray(v, gitops_value_new_int(1000000));
	cJSON_AddItemToArray(v, gitops_value_new_float(-0.0));
	cJSON_AddItemToArray(v, gitops_value_new_float(1.0 / 0.0));
	ck_assert_int_eq(gitops_yaml_dump_style(&out, v, &st, &err), 0);
	ck_assert_str_eq(out, "- 1e+06\n- 3\n- 0.1\n- 1000000\n- -0\n- .inf\n");
	free(out);
	/* through JSON an infinity is an error, as json.Marshal's */
	ck_assert_int_eq(gitops_yaml_dump_style(&out, v, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "json: unsupported value: +Inf");
	cJSON_Delete(v);
}
END_TEST

START_TEST(test_key_order)
{
	static const char *const sorted[] = { "_", "9", "10", "A", "B", "a", "a1", "a01", "a2", "a02", "a10", "ab", "b",
					      "x0", "x00", "é", NULL };
	size_t i, j;

	for (i = 0; sorted[i]; i++)
		for (j = 0; sorted[j]; j++)
			ck_assert_msg(gitops_yaml_key_less(sorted[i], sorted[j]) == (i < j), "%s < %s", sorted[i],
				      sorted[j]);
}
END_TEST

START_TEST(test_emitter_stream)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_yaml_emitter *e = NULL;
	cJSON *a = parse("{b: 1, a: [x, {}]}"), *c = parse("[]");

	ck_assert_int_eq(gitops_yaml_emitter_new(&e, gitops_check_write_buf, &b, NULL, &err), 0);
	ck_assert_int_eq(gitops_yaml_emitter_doc(e, a, &err), 0);
	ck_assert_int_eq(gitops_yaml_emitter_doc(e, c, &err), 0);
	ck_assert_str_eq(b.data, "a:\n- x\n- {}\nb: 1\n---\n[]\n");
	gitops_yaml_emitter_free(e);
	gitops_buf_release(&b);
	cJSON_Delete(a);
	cJSON_Delete(c);
}
END_TEST

/* a writer that counts its calls, and fails on call `fail_at` (0: never) */
struct pieces_sink {
	struct gitops_buf text;
	size_t calls, fail_at, biggest;
};

static int pieces_write(void *ctx, const void *data, size_t len, struct gitops_err *err)
{
	struct pieces_sink *s = ctx;

	if (++s->calls == s->fail_at)
		return gitops_err_set(err, GITOPS_EXIT_IO, "disk full (call %zu)", s->calls);
	if (len > s->biggest)
		s->biggest = len;
	return gitops_buf_add(&s->text, data, len) < 0 ? gitops_err_oom(err) : 0;
}

/* a big document in pieces: the same text as whole, never held whole; a failed write is the writer's error */
START_TEST(test_emitter_pieces)
{
	struct pieces_sink whole = { GITOPS_BUF_INIT, 0, 0, 0 }, cut = { GITOPS_BUF_INIT, 0, 0, 0 };
	struct pieces_sink failing = { GITOPS_BUF_INIT, 0, 3, 0 };
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_yaml_emitter *e = NULL;
	cJSON *big = cJSON_CreateObject(), *small = parse("{a: 1}");
	char key[32], value[128];
	int i;

	for (i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "key-%05d", i);
		snprintf(value, sizeof(value), "a value of some length, number %d, so that the document is big", i);
		ck_assert_ptr_nonnull(cJSON_AddStringToObject(big, key, value));
	}
	ck_assert_int_eq(gitops_yaml_emitter_new(&e, pieces_write, &whole, NULL, &err), 0);
	ck_assert_int_eq(gitops_yaml_emitter_doc(e, small, &err), 0);
	ck_assert_int_eq(gitops_yaml_emitter_doc(e, big, &err), 0);
	gitops_yaml_emitter_free(e);
	ck_assert_uint_eq(whole.calls, 2);
	ck_assert_uint_gt(whole.text.len, 1u << 20);

	ck_assert_int_eq(gitops_yaml_emitter_new(&e, pieces_write, &cut, NULL, &err), 0);
	gitops_yaml_emitter_pieces(e, 64u << 10);
	ck_assert_int_eq(gitops_yaml_emitter_doc(e, small, &err), 0);
	ck_assert_int_eq(gitops_yaml_emitter_doc(e, big, &err), 0);
	gitops_yaml_emitter_free(e);
	ck_assert_uint_gt(cut.calls, 10);
	ck_assert_uint_le(cut.biggest, 128u << 10);
	ck_assert_uint_eq(cut.text.len, whole.text.len);
	ck_assert_mem_eq(cut.text.data, whole.text.data, whole.text.len);

	ck_assert_int_eq(gitops_yaml_emitter_new(&e, pieces_write, &failing, NULL, &err), 0);
	gitops_yaml_emitter_pieces(e, 64u << 10);
	ck_assert_int_eq(gitops_yaml_emitter_doc(e, big, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_IO);
	ck_assert_str_eq(err.msg, "disk full (call 3)");
	gitops_yaml_emitter_free(e);

	gitops_buf_release(&whole.text);
	gitops_buf_release(&cut.text);
	gitops_buf_release(&failing.text);
	cJSON_Delete(big);
	cJSON_Delete(small);
}
END_TEST

/* ------------------------------------------------------------ helm-engine */

/*
 * The toYaml cases of helm-engine and how to build their input: each piece
 * is JSON for the argument, or "@" (.Values) / "@KEY" (.Values.KEY) from
 * the case's values; the pieces' toYaml outputs are joined with '|' as the
 * template does.
 */
static const struct {
	const char *file, *name;
	const char *pieces[8];
	int post;                    /* 1: tpl renders {{ .Release.Name }}; 2: sha256sum */
} helm_cases[] = {
	{ "helm-serialization.yaml", "ser-toYaml-values", { "@" }, 0 },
	{ "helm-serialization.yaml", "ser-toYaml-scalars", { "\"s\"", "1", "1.5", "true", "null", "@big", "@bigger" }, 0 },
	{ "helm-serialization.yaml", "ser-toYaml-strings-needing-quotes",
	  { "[\"true\", \"yes\", \"no\", \"on\", \"off\", \"y\", \"n\", \"null\", \"~\", \"123\", \"1.5\", \"1e3\", \"0x1F\", "
	    "\"017\", \"\", \" lead\", \"trail \", \"a: b\", \"- x\", \"#c\", \"x #c\", \"*a\", \"&a\", \"!t\", \"%p\", "
	    "\"@a\", \"`b\", \"{a}\", \"[a]\", \"a,b\", \"?\", \">\", \"|\", \"2024-01-01\", \"12:30\", \"=\", \"<<\"]" }, 0 },
	{ "helm-serialization.yaml", "ser-toYaml-multiline-string", { "@multi", "{\"k\": \"line one\\nline two\\n\"}" }, 0 },
	{ "helm-serialization.yaml", "ser-toYaml-long-string-wraps",
	  { "{\"k\": \"aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr\"}" }, 0 },
	{ "helm-serialization.yaml", "ser-toYaml-unicode-and-control",
	  { "{\"u\": \"h\303\251llo \342\230\203\", \"t\": \"tab\\there\", \"c\": \"\\u0001\", \"e\": \"\303\251\342\200\213\"}" }, 0 },
	{ "helm-serialization.yaml", "ser-toYaml-int-vs-float-keys-order",
	  { "{\"b\": 1, \"a\": 2.5, \"A\": 3, \"_\": 4, \"10\": 5, \"9\": 6}" }, 0 },
	{ "helm-serialization.yaml", "ser-toYaml-set-int64", { "{\"a\": 1000000, \"b\": \"1.5\", \"c\": \"007\", \"d\": true}" }, 0 },
	{ "helm-serialization.yaml", "ser-toYaml-nested-lists", { "[[1, 2], [], {\"a\": [{\"b\": 1}]}]" }, 0 },
	{ "helm-serialization.yaml", "ser-toYaml-key-needing-quotes",
	  { "{\"true\": 1, \"null\": 2, \"a b\": 3, \"a:b\": 4, \"1\": 5, \"\": 6}" }, 0 },
	{ "helm-builtins.yaml", "helm-tpl-toYaml-pattern", { "@labels" }, 1 },
	{ "sprig-encoding.yaml", "enc-sha256sum-of-toYaml-checksum-pattern", { "@map" }, 2 },
};

static const cJSON *find_case(const cJSON *list, const char *name)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, list) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
		if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
			return c;
	}
	return NULL;
}

static char *replace_all(const char *s, const char *from, const char *to)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *p;

	while ((p = strstr(s, from))) {
		gitops_buf_add(&b, s, (size_t)(p - s));
		gitops_buf_addstr(&b, to);
		s = p + strlen(from);
	}
	gitops_buf_addstr(&b, s);
	return gitops_buf_detach(&b);
}

START_TEST(test_helm_engine)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	size_t i, ran = 0, toyaml_cases = 0;
	const char *files[] = { "helm-builtins.yaml", "helm-serialization.yaml", "sprig-encoding.yaml" };
	cJSON *lists[3] = { NULL, NULL, NULL };
	char path[4096];

	if (test_conformance_absent())
		return;
	for (i = 0; i < 3; i++) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		const cJSON *c;
		snprintf(path, sizeof(path), "%s/helm-engine/%s", conformance(), files[i]);
		ck_assert_msg(gitops_buf_read_file(&b, path, 1u << 24, &err) == 0, "%s", err.msg);
		lists[i] = parse(b.data);
		gitops_buf_release(&b);
		/* every case that calls toYaml (not toYamlPretty) is in the table */
		cJSON_ArrayForEach(c, lists[i]) {
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, "template");
			const char *s = cJSON_IsString(t) ? t->valuestring : "";
			const char *p;
			for (p = strstr(s, "toYaml"); p; p = strstr(p + 1, "toYaml"))
				if (strncmp(p, "toYamlPretty", 12) != 0) {
					toyaml_cases++;
					break;
				}
		}
	}
	ck_assert_uint_eq(toyaml_cases, sizeof(helm_cases) / sizeof(helm_cases[0]));
	for (i = 0; i < sizeof(helm_cases) / sizeof(helm_cases[0]); i++) {
		size_t f = !strcmp(helm_cases[i].file, "helm-builtins.yaml") ? 0 :
			   !strcmp(helm_cases[i].file, "helm-serialization.yaml") ? 1 : 2;
		const cJSON *c = find_case(lists[f], helm_cases[i].name);
		const cJSON *want, *vtext;
		struct gitops_buf got = GITOPS_BUF_INIT;
		cJSON *values;
		size_t k;

		ck_assert_msg(c != NULL, "%s: no case %s", helm_cases[i].file, helm_cases[i].name);
		want = cJSON_GetObjectItemCaseSensitive(c, "expected");
		vtext = cJSON_GetObjectItemCaseSensitive(c, "values");
		ck_assert(cJSON_IsString(want));
		values = parse(cJSON_IsString(vtext) ? vtext->valuestring : "{}");
		for (k = 0; k < 8 && helm_cases[i].pieces[k]; k++) {
			const char *piece = helm_cases[i].pieces[k];
			cJSON *own = NULL;
			const cJSON *arg;
			char *y;
			if (piece[0] == '@')
				arg = piece[1] ? cJSON_GetObjectItemCaseSensitive(values, piece + 1) : values;
			else
				arg = own = parse(piece);
			ck_assert_msg(arg != NULL, "%s: no value %s", helm_cases[i].name, piece);
			y = to_yaml(arg);
			if (k)
				gitops_buf_addstr(&got, "|");
			gitops_buf_addstr(&got, y);
			free(y);
			cJSON_Delete(own);
		}
		if (helm_cases[i].post == 1) {
			char *t = replace_all(got.data, "{{ .Release.Name }}", "case");
			gitops_buf_release(&got);
			gitops_buf_addstr(&got, t);
			free(t);
		} else if (helm_cases[i].post == 2) {
			char hex[2 * GITOPS_SHA256_LEN + 1];
			gitops_sha256_hex(hex, got.data, got.len);
			gitops_buf_release(&got);
			gitops_buf_addstr(&got, hex);
		}
		ck_assert_msg(!strcmp(got.data, want->valuestring), "%s:\nwant:\n%s\ngot:\n%s", helm_cases[i].name,
			      want->valuestring, got.data);
		ran++;
		gitops_buf_release(&got);
		cJSON_Delete(values);
	}
	ck_assert_uint_eq(ran, 12);
	for (i = 0; i < 3; i++)
		cJSON_Delete(lists[i]);
}
END_TEST

/* ------------------------------------------------------------ kustomize */

/*
 * Every document of one expected output, read with the project's reader
 * and written again in kustomize's style, must give the file back byte for
 * byte.  Counts documents and files that are identical.
 */
static void check_expected(const char *path, size_t *docs, size_t *docs_same, size_t *files, size_t *files_same,
			   struct gitops_buf *report)
{
	struct gitops_buf text = GITOPS_BUF_INIT, out = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_yaml_reader *r = NULL;
	struct gitops_yaml_emitter *e = NULL;
	struct gitops_yaml_doc doc;
	const char *p;
	int n;

	memset(&doc, 0, sizeof(doc));
	ck_assert_msg(gitops_buf_read_file(&text, path, 1u << 26, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(gitops_yaml_reader_mem(&r, text.data, text.len, path, NULL, &err), 0);
	ck_assert_int_eq(gitops_yaml_emitter_new(&e, gitops_check_write_buf, &out, NULL, &err), 0);
	p = text.data;
	while ((n = gitops_yaml_reader_next(r, &doc, &err)) > 0) {
		size_t start = out.len, len;
		const char *end;
		if (!doc.root) {
			gitops_yaml_doc_release(&doc);
			continue;
		}
		ck_assert_msg(gitops_yaml_emitter_doc(e, doc.root, &err) == 0, "%s: %s", path, err.msg);
		/* this document's text in the file: up to the next "---" line */
		end = strstr(p, "\n---\n");
		len = end ? (size_t)(end - p) + 1 : strlen(p);
		if (start && !strncmp(out.data + start, "---\n", 4))
			start += 4;
		(*docs)++;
		if (out.len - start == len && !memcmp(out.data + start, p, len)) {
			(*docs_same)++;
		} else if (report->len < 4000) {
			size_t k = 0, line = 1;
			while (k < len && k < out.len - start && p[k] == out.data[start + k])
				if (p[k++] == '\n')
					line++;
			gitops_buf_printf(report, "\n%s: document %zu differs at its line %zu:\n  want: %.*s\n  got:  %.*s",
					  path, *docs, line, (int)strcspn(p + k, "\n"),
					  p + k, (int)strcspn(out.data + start + k, "\n"), out.data + start + k);
		}
		p = end ? end + 5 : p + len;
		gitops_yaml_doc_release(&doc);
	}
	ck_assert_msg(n == 0, "%s: %s", path, err.msg);
	(*files)++;
	if (out.len == text.len && !memcmp(out.data, text.data, text.len))
		(*files_same)++;
	gitops_yaml_emitter_free(e);
	gitops_yaml_reader_free(r);
	gitops_buf_release(&out);
	gitops_buf_release(&text);
}

static void check_suite(const char *suite, size_t *docs, size_t *docs_same, size_t *files, size_t *files_same,
			struct gitops_buf *report)
{
	char dir[4096];
	DIR *d;
	struct dirent *ent;

	snprintf(dir, sizeof(dir), "%s/%s/cases", conformance(), suite);
	d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((ent = readdir(d))) {
		const char *names[] = { "expected.yaml", "expected-fifo.yaml" };
		size_t i;
		if (ent->d_name[0] == '.')
			continue;
		for (i = 0; i < 2; i++) {
			char path[4096 + 512];
			FILE *f;
			snprintf(path, sizeof(path), "%s/%s/%s", dir, ent->d_name, names[i]);
			if (!(f = fopen(path, "r")))
				continue;
			fclose(f);
			check_expected(path, docs, docs_same, files, files_same, report);
		}
	}
	closedir(d);
}

START_TEST(test_kustomize_real)
{
	struct gitops_buf report = GITOPS_BUF_INIT;
	size_t docs = 0, same = 0, files = 0, files_same = 0;

	if (test_conformance_absent())
		return;
	check_suite("kustomize-real", &docs, &same, &files, &files_same, &report);
	fprintf(stderr, "kustomize-real: %zu of %zu documents, %zu of %zu files byte-identical%s\n", same, docs,
		files_same, files, report.len ? report.data : "");
	ck_assert_uint_ge(files, 18);
	ck_assert_uint_ge(docs, 700);
	ck_assert_msg(same == docs && files_same == files, "%zu of %zu documents differ", docs - same, docs);
	gitops_buf_release(&report);
}
END_TEST

START_TEST(test_kustomize)
{
	struct gitops_buf report = GITOPS_BUF_INIT;
	size_t docs = 0, same = 0, files = 0, files_same = 0;

	if (test_conformance_absent())
		return;
	check_suite("kustomize", &docs, &same, &files, &files_same, &report);
	fprintf(stderr, "kustomize: %zu of %zu documents, %zu of %zu files byte-identical%s\n", same, docs, files_same,
		files, report.len ? report.data : "");
	ck_assert_uint_ge(files, 30);
	ck_assert_msg(same == docs && files_same == files, "%zu of %zu documents differ", docs - same, docs);
	gitops_buf_release(&report);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("emit");
	TCase *tc = tcase_create("emit");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_hand, 0, sizeof(hand_cases) / sizeof(hand_cases[0]));
	tcase_add_test(tc, test_typed_numbers);
	tcase_add_test(tc, test_key_order);
	tcase_add_test(tc, test_emitter_stream);
	tcase_add_test(tc, test_emitter_pieces);
	tcase_add_test(tc, test_helm_engine);
	tcase_add_test(tc, test_kustomize_real);
	tcase_add_test(tc, test_kustomize);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
