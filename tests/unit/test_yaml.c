/* Unit tests for lib/scalar.c and lib/yaml.c: scalars, the writer, and the round-trip property. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/base/buf.h"
#include "lib/k8s/object.h"
#include "tests/unit/check_main.h"
#include "lib/yaml/scalar.h"
#include "lib/yaml/yaml.h"
#include "lib/value/value.h"
#include "tests/unit/conformance.h"

/* ------------------------------------------------------------ scalars */

static const struct {
	const char *in;
	enum gitops_scalar_kind kind;
	double num;
} resolve_cases[] = {
	{ "", GITOPS_SCALAR_NULL, 0 },
	{ "~", GITOPS_SCALAR_NULL, 0 },
	{ "null", GITOPS_SCALAR_NULL, 0 },
	{ "Null", GITOPS_SCALAR_NULL, 0 },
	{ "NULL", GITOPS_SCALAR_NULL, 0 },
	{ "nULL", GITOPS_SCALAR_STRING, 0 },
	{ "yes", GITOPS_SCALAR_BOOL, 1 },
	{ "Yes", GITOPS_SCALAR_BOOL, 1 },
	{ "y", GITOPS_SCALAR_BOOL, 1 },
	{ "Y", GITOPS_SCALAR_BOOL, 1 },
	{ "on", GITOPS_SCALAR_BOOL, 1 },
	{ "ON", GITOPS_SCALAR_BOOL, 1 },
	{ "true", GITOPS_SCALAR_BOOL, 1 },
	{ "True", GITOPS_SCALAR_BOOL, 1 },
	{ "no", GITOPS_SCALAR_BOOL, 0 },
	{ "n", GITOPS_SCALAR_BOOL, 0 },
	{ "off", GITOPS_SCALAR_BOOL, 0 },
	{ "FALSE", GITOPS_SCALAR_BOOL, 0 },
	{ "tRue", GITOPS_SCALAR_STRING, 0 },
	{ "yess", GITOPS_SCALAR_STRING, 0 },
	{ "0", GITOPS_SCALAR_INT, 0 },
	{ "-0", GITOPS_SCALAR_INT, 0 },
	{ "42", GITOPS_SCALAR_INT, 42 },
	{ "+42", GITOPS_SCALAR_INT, 42 },
	{ "-42", GITOPS_SCALAR_INT, -42 },
	{ "0755", GITOPS_SCALAR_INT, 493 },
	{ "0o17", GITOPS_SCALAR_INT, 15 },
	{ "0x1F", GITOPS_SCALAR_INT, 31 },
	{ "-0x10", GITOPS_SCALAR_INT, -16 },
	{ "0b101", GITOPS_SCALAR_INT, 5 },
	{ "1_000", GITOPS_SCALAR_INT, 1000 },
	{ "08", GITOPS_SCALAR_FLOAT, 8 },
	{ "1.5", GITOPS_SCALAR_FLOAT, 1.5 },
	{ "1.0", GITOPS_SCALAR_FLOAT, 1 },
	{ ".5", GITOPS_SCALAR_FLOAT, 0.5 },
	{ "1.", GITOPS_SCALAR_FLOAT, 1 },
	{ "1e3", GITOPS_SCALAR_FLOAT, 1000 },
	{ "-1.5E-2", GITOPS_SCALAR_FLOAT, -0.015 },
	{ "1e400", GITOPS_SCALAR_STRING, 0 },
	/* go-yaml v2: out of range is no number (ParseFloat and ParseInt fail), so a string */
	{ "-1e400", GITOPS_SCALAR_STRING, 0 },
	{ "1E+400", GITOPS_SCALAR_STRING, 0 },
	{ ".5e999", GITOPS_SCALAR_STRING, 0 },
	{ "0x10000000000000000", GITOPS_SCALAR_STRING, 0 },
	{ "0b11111111111111111111111111111111111111111111111111111111111111111", GITOPS_SCALAR_STRING, 0 },
	{ "0o7777777777777777777777777", GITOPS_SCALAR_STRING, 0 },
	{ "1e-400", GITOPS_SCALAR_FLOAT, 0 },
	{ "+.5", GITOPS_SCALAR_FLOAT, 0.5 },
	{ "0B101", GITOPS_SCALAR_INT, 5 },
	{ "0X1f", GITOPS_SCALAR_INT, 31 },
	{ "0O17", GITOPS_SCALAR_INT, 15 },
	{ "1__0", GITOPS_SCALAR_INT, 10 },
	{ "-_1", GITOPS_SCALAR_INT, -1 },
	{ "0777777777777777777777777", GITOPS_SCALAR_FLOAT, 777777777777777777777777.0 },
	/* a scalar starting with '.' goes to ParseFloat unstripped: '_' makes it a string */
	{ ".5_5", GITOPS_SCALAR_STRING, 0 },
	{ "1_0.5", GITOPS_SCALAR_FLOAT, 10.5 },
	{ "inf", GITOPS_SCALAR_STRING, 0 },
	{ "-.nan", GITOPS_SCALAR_STRING, 0 },
	{ ".inf", GITOPS_SCALAR_NONFINITE, 0 },
	{ "-.Inf", GITOPS_SCALAR_NONFINITE, 0 },
	{ ".NaN", GITOPS_SCALAR_NONFINITE, 0 },
	{ "1.2.3", GITOPS_SCALAR_STRING, 0 },
	{ "1:30", GITOPS_SCALAR_STRING, 0 },
	{ "0x", GITOPS_SCALAR_STRING, 0 },
	{ "_1", GITOPS_SCALAR_STRING, 0 },
	{ "2001-12-14", GITOPS_SCALAR_STRING, 0 },
	{ "9007199254740993", GITOPS_SCALAR_BIGINT, 0 },
	{ "18446744073709551615", GITOPS_SCALAR_BIGINT, 0 },
	{ "18446744073709551616", GITOPS_SCALAR_FLOAT, 18446744073709551616.0 },
	{ "-9223372036854775808", GITOPS_SCALAR_BIGINT, 0 },
	{ "-9223372036854775809", GITOPS_SCALAR_FLOAT, -9223372036854775809.0 },
	{ "web", GITOPS_SCALAR_STRING, 0 },
	{ "-", GITOPS_SCALAR_STRING, 0 },
	{ "+", GITOPS_SCALAR_STRING, 0 },
	{ ".", GITOPS_SCALAR_STRING, 0 },
};

START_TEST(test_resolve)
{
	struct gitops_scalar sc;
	const char *in = resolve_cases[_i].in;

	gitops_scalar_resolve(in, strlen(in), &sc);
	ck_assert_msg(sc.kind == resolve_cases[_i].kind, "'%s': kind %d, want %d", in, sc.kind,
		      resolve_cases[_i].kind);
	if (sc.kind == GITOPS_SCALAR_INT || sc.kind == GITOPS_SCALAR_FLOAT)
		ck_assert_msg(sc.number == resolve_cases[_i].num, "'%s': %g, want %g", in, sc.number,
			      resolve_cases[_i].num);
	if (sc.kind == GITOPS_SCALAR_BOOL)
		ck_assert_int_eq(sc.boolean, (int)resolve_cases[_i].num);
	if (sc.kind == GITOPS_SCALAR_BIGINT)
		ck_assert_str_eq(sc.bigint, in);
}
END_TEST

static const struct {
	const char *s;
	int quote;
} quote_cases[] = {
	{ "", 1 }, { "yes", 1 }, { "on", 1 }, { "y", 1 }, { "N", 1 }, { "true", 1 }, { "null", 1 },
	{ "~", 1 }, { "1.0", 1 }, { "0755", 1 }, { "1e3", 1 }, { "0x1F", 1 }, { "0o17", 1 }, { "1_000", 1 },
	{ "08", 1 }, { ".inf", 1 }, { ".NaN", 1 }, { "2024-01-01", 1 }, { "2024-1-1", 1 }, { "1:30", 1 },
	{ "-1:30:00", 1 }, { "<<", 1 }, { "=", 1 }, { "+1", 1 }, { ".5", 1 }, { "12345678901234567890", 1 },
	{ "web", 0 }, { "yesterday", 0 }, { "Nope", 0 }, { "1.2.3", 0 }, { "v1.0", 0 }, { "10.0.0.1", 0 },
	{ "1-2", 0 }, { "a=b", 0 }, { "<", 0 }, { "-", 0 }, { "2024-01", 0 }, { "nginx:1.25", 0 },
	{ "1:60", 0 }, { "0x", 0 }, { "_1", 0 },
	/* numbers out of range: strings to go-yaml, numbers (or infinities) to YAML 1.1/1.2 readers */
	{ "1e400", 1 }, { "-1e400", 1 }, { "1E+400", 1 }, { "+1e400", 1 }, { ".5e999", 1 }, { "-.5E999", 1 },
	{ "1e99999999999999999999", 1 }, { "1.0e+400", 1 }, { "1_0e400", 1 },
	{ "0x10000000000000000", 1 }, { "-0x10000000000000000", 1 }, { "0XFFFFFFFFFFFFFFFFFF", 1 },
	{ "0o7777777777777777777777777", 1 }, { "0b11111111111111111111111111111111111111111111111111111111111111111", 1 },
	{ "0777777777777777777777777", 1 }, { "123456789012345678901234567890123456789012345678901234567890", 1 },
	{ "-99999999999999999999", 1 }, { "18446744073709551616", 1 },
	/* the rest of the family */
	{ "+1", 1 }, { "-0", 1 }, { "+.5", 1 }, { "1.", 1 }, { "0o17", 1 }, { "0O17", 1 }, { "0b1", 1 }, { "0B1", 1 },
	{ "0x_1f", 1 }, { "1_000", 1 }, { "1__0", 1 }, { "-_1", 1 }, { ".5_5", 1 }, { "1_.5", 1 }, { "._5", 0 },
	{ "1:20", 1 }, { "190:20:30.15", 1 }, { "=", 1 }, { "<<", 1 },
	{ ".inf", 1 }, { "-.inf", 1 }, { "+.INF", 1 }, { ".Inf", 1 }, { ".NAN", 1 }, { ".nan", 1 },
	{ "1e", 0 }, { "1e+", 0 }, { "e5", 0 }, { "v1e400", 0 }, { "1e400x", 0 }, { "0xg", 0 }, { "0b2", 0 }, { "0o8", 0 },
	{ "0b", 0 }, { "0o", 0 }, { "inf", 0 }, { "Infinity", 0 }, { "NaN", 0 }, { "-.nan", 0 }, { ".infinity", 0 },
	{ "+", 0 }, { ".", 0 }, { "._", 0 }, { "..5", 0 }, { "1.5.", 0 }, { "0x1p3", 0 }, { "1,000", 0 },
	{ "<<<", 0 }, { "==", 0 }, { "sha-1e400", 0 },
};

START_TEST(test_needs_quotes)
{
	const char *s = quote_cases[_i].s;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_scalar sc;
	char *text, plain[256];
	cJSON *obj = cJSON_CreateObject(), *back;

	ck_assert_msg(gitops_scalar_needs_quotes(s, strlen(s)) == quote_cases[_i].quote, "'%s': want quote=%d", s,
		      quote_cases[_i].quote);
	/* what is left plain is a string to go-yaml too */
	gitops_scalar_resolve(s, strlen(s), &sc);
	ck_assert_msg(quote_cases[_i].quote || sc.kind == GITOPS_SCALAR_STRING, "'%s' left plain resolves as %d", s,
		      sc.kind);
	/* the round trip: written as a key and as a value, the same string comes back, quoted when it must be
	 * (libyaml quotes more for its own reasons: '-', '[' ...) */
	cJSON_AddStringToObject(obj, s, s);
	ck_assert_int_eq(gitops_yaml_dump(&text, obj, &err), 0);
	ck_assert_int_eq(gitops_yaml_parse_one(&back, text, strlen(text), "t.yaml", NULL, &err), 0);
	ck_assert_msg(gitops_value_equal(obj, back), "'%s' did not come back as written:\n%s", s, text);
	snprintf(plain, sizeof(plain), "%s: %s\n", s, s);
	ck_assert_msg(!quote_cases[_i].quote || strstr(text, plain) == NULL, "'%s' written plain:\n%s", s, text);
	free(text);
	cJSON_Delete(back);
	cJSON_Delete(obj);
}
END_TEST

static const struct {
	double d;
	const char *text;
} number_cases[] = {
	{ 0, "0" }, { -0.0, "0" }, { 1, "1" }, { -7, "-7" }, { 0.5, "0.5" }, { 1.5e-7, "1.5e-07" },
	{ 9007199254740991.0, "9007199254740991" }, { 1e20, "1.0e+20" }, { 61729450617283944.0, "61729450617283944.0" }, { 1e-7, "1.0e-07" }, { 0.1, "0.1" }, { 1.0 / 3, "0.3333333333333333" },
};

START_TEST(test_number_format)
{
	char buf[40];
	struct gitops_scalar sc;

	gitops_number_format(number_cases[_i].d, buf, sizeof(buf));
	ck_assert_str_eq(buf, number_cases[_i].text);
	/* what is written reads back as the same number */
	gitops_scalar_resolve(buf, strlen(buf), &sc);
	ck_assert(sc.kind == GITOPS_SCALAR_INT || sc.kind == GITOPS_SCALAR_FLOAT);
	ck_assert(sc.number == number_cases[_i].d);
}
END_TEST

/* ------------------------------------------------------------ helpers */

struct docs {
	cJSON *items[4096];
	size_t n;
};

static void docs_free(struct docs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		cJSON_Delete(d->items[i]);
	d->n = 0;
}

/* Read every non-empty document: 0, or -1 with err. */
static int read_all(const char *text, size_t len, struct docs *out, struct gitops_err *err)
{
	struct gitops_yaml_reader *r;
	struct gitops_yaml_doc doc;
	int n;

	out->n = 0;
	if (gitops_yaml_reader_mem(&r, text, len, "t.yaml", NULL, err) < 0)
		return -1;
	while ((n = gitops_yaml_reader_next(r, &doc, err)) > 0) {
		if (doc.root && out->n < 4096) {
			out->items[out->n++] = doc.root;
			doc.root = NULL;
		}
		gitops_yaml_doc_release(&doc);
	}
	gitops_yaml_reader_free(r);
	if (n < 0)
		docs_free(out);
	return n < 0 ? -1 : 0;
}


/* libyaml_only: every document through libyaml's emitter (the writer's own path must give the same bytes) */
static char *write_all_as(const struct docs *d, int libyaml_only)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_yaml_writer *w;
	struct gitops_err err = GITOPS_ERR_INIT;
	size_t i;

	ck_assert_int_eq(gitops_yaml_writer_new(&w, gitops_check_write_buf, &b, &err), 0);
	if (libyaml_only)
		gitops_yaml_writer_libyaml_only(w);
	for (i = 0; i < d->n; i++)
		ck_assert_msg(gitops_yaml_writer_doc(w, d->items[i], &err) == 0, "write: %s", err.msg);
	ck_assert_int_eq(gitops_yaml_writer_end(w, &err), 0);
	gitops_yaml_writer_free(w);
	gitops_buf_add(&b, "", 0);
	return b.data;
}

static char *write_all(const struct docs *d)
{
	return write_all_as(d, 0);
}

/*
 * The round-trip property: read -> write -> read gives the same data, and
 * writing that again gives the same bytes.  Returns 0 if the input did not
 * parse (not a valid stream), 1 if the property held.
 */
static int round_trip(const char *text, size_t len, const char *what)
{
	struct docs a, b, c;
	struct gitops_err err = GITOPS_ERR_INIT;
	char *out1, *out2;
	size_t i;

	if (read_all(text, len, &a, &err) < 0)
		return 0;
	out1 = write_all(&a);
	{
		char *ly = write_all_as(&a, 1);
		size_t k = 0;

		while (out1[k] && out1[k] == ly[k])
			k++;
		ck_assert_msg(out1[k] == ly[k], "%s: the writer and libyaml's emitter differ at byte %zu:\n%.200s\n---\n%.200s",
			      what, k, out1 + (k > 80 ? k - 80 : 0), ly + (k > 80 ? k - 80 : 0));
		free(ly);
	}
	ck_assert_msg(read_all(out1, strlen(out1), &b, &err) == 0, "%s: output does not read back: %s\n%s", what,
		      err.msg, out1);
	ck_assert_msg(a.n == b.n, "%s: %zu documents, %zu after the round trip", what, a.n, b.n);
	for (i = 0; i < a.n; i++) {
		if (!gitops_value_equal(a.items[i], b.items[i])) {
			char *x = cJSON_Print(a.items[i]), *y = cJSON_Print(b.items[i]);
			ck_abort_msg("%s: document %zu changed in the round trip:\n%s\n---\n%s", what, i + 1, x, y);
		}
	}
	out2 = write_all(&b);
	ck_assert_msg(strcmp(out1, out2) == 0, "%s: writing is not idempotent:\n%s\n---\n%s", what, out1, out2);
	ck_assert_int_eq(read_all(out2, strlen(out2), &c, &err), 0);
	docs_free(&a);
	docs_free(&b);
	docs_free(&c);
	free(out1);
	free(out2);
	return 1;
}

/* ------------------------------------------------------------ alias bytes */

/*
 * Aliases may not make a document larger than the document size limit: the
 * node limit alone let a big anchored string, aliased a few thousand times,
 * take gigabytes.  Each form builds a document whose aliases expand to
 * `aliases` times about `size` bytes.
 */
static const struct {
	const char *form;
	size_t size, aliases;
	int ok;
} alias_byte_cases[] = {
	{ "value", 1000, 10, 1 },
	{ "value", 1000, 100, 0 },
	{ "key", 1000, 10, 1 },
	{ "key", 1000, 100, 0 },
	{ "mapping", 1000, 10, 1 },
	{ "mapping", 1000, 100, 0 },
	{ "merge", 1000, 10, 1 },
	{ "merge", 1000, 100, 0 },
	{ "nested", 1000, 3, 1 },       /* each alias of b expands to 4 copies of a */
	{ "nested", 1000, 20, 0 },
	{ "number", 1000, 100, 0 },     /* a long plain number counts as its text */
};

static void alias_doc(struct gitops_buf *b, const char *form, size_t size, size_t aliases)
{
	size_t i;
	char *big = malloc(size + 1);

	ck_assert_ptr_nonnull(big);
	memset(big, !strcmp(form, "number") ? '7' : 'x', size);
	big[size] = '\0';
	if (!strcmp(form, "number"))
		big[0] = '1';
	if (!strcmp(form, "key"))
		gitops_buf_printf(b, "&k %s: 1\n", big);
	else if (!strcmp(form, "mapping") || !strcmp(form, "merge"))
		gitops_buf_printf(b, "a: &a {x: %s}\n", big);
	else
		gitops_buf_printf(b, "a: &a %s\n", big);
	if (!strcmp(form, "nested"))
		gitops_buf_addstr(b, "b: &b [*a, *a, *a, *a]\n");
	for (i = 0; i < aliases; i++) {
		if (!strcmp(form, "key"))
			gitops_buf_printf(b, "m%zu:\n  *k : 1\n", i);
		else if (!strcmp(form, "merge"))
			gitops_buf_printf(b, "m%zu: {<<: *a, y: 1}\n", i);
		else
			gitops_buf_printf(b, "m%zu: *%s\n", i, !strcmp(form, "nested") ? "b" : "a");
	}
	free(big);
}

/* The text of line `line` (1-based) of `text`, into buf. */
static void line_of(const char *text, size_t line, char *buf, size_t size)
{
	size_t n;

	while (--line && (text = strchr(text, '\n')))
		text++;
	ck_assert_ptr_nonnull(text);
	n = strcspn(text, "\n");
	snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), text);
}

START_TEST(test_alias_bytes)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_yaml_reader *r;
	struct gitops_yaml_doc doc;
	char want[128], text[64];
	size_t line, col;
	int n;

	limits.max_document_bytes = 64 << 10;
	alias_doc(&b, alias_byte_cases[_i].form, alias_byte_cases[_i].size, alias_byte_cases[_i].aliases);
	ck_assert_int_eq(gitops_yaml_reader_mem(&r, b.data, b.len, "t.yaml", &limits, &err), 0);
	n = gitops_yaml_reader_next(r, &doc, &err);
	if (alias_byte_cases[_i].ok) {
		ck_assert_msg(n == 1, "%s: %s", alias_byte_cases[_i].form, err.msg);
		/* every alias expanded: the data holds as many copies as were asked for */
		char *json = cJSON_PrintUnformatted(doc.root);
		ck_assert_int_eq(cJSON_GetArraySize(doc.root), (int)alias_byte_cases[_i].aliases + 1 +
				 !strcmp(alias_byte_cases[_i].form, "nested"));
		ck_assert_uint_ge(strlen(json), alias_byte_cases[_i].aliases * alias_byte_cases[_i].size);
		free(json);
		gitops_yaml_doc_release(&doc);
	} else {
		ck_assert_int_eq(n, -1);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
		snprintf(want, sizeof(want), ": aliases make document 1 larger than the limit of %zu bytes (an alias bomb?)",
			 limits.max_document_bytes);
		ck_assert_msg(strstr(err.msg, want) != NULL, "%s: %s", alias_byte_cases[_i].form, err.msg);
		/* file:line:column of the alias that crossed the limit */
		ck_assert_msg(sscanf(err.msg, "t.yaml:%zu:%zu:", &line, &col) == 2, "%s", err.msg);
		line_of(b.data, line, text, sizeof(text));
		ck_assert_msg(col <= strlen(text) && text[col - 1] == '*', "%s: line %zu is '%s'", err.msg, line, text);
	}
	gitops_yaml_reader_free(r);
	gitops_buf_release(&b);
}
END_TEST

/* 1 MiB aliased 2000 times (2 GiB expanded): refused at once, with the default limits */
START_TEST(test_alias_bytes_bomb)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct docs d;

	alias_doc(&b, "value", 1u << 20, 2000);
	ck_assert_int_eq(read_all(b.data, b.len, &d, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_msg(strstr(err.msg, "aliases make document 1 larger than the limit of 33554432 bytes") != NULL, "%s",
		      err.msg);
	gitops_buf_release(&b);
}
END_TEST

/* ------------------------------------------------------------ round trips */

static const char *const edge_cases[] = {
	"a: yes\nb: 'yes'\nc: \"on\"\nd: 'y'\ne: '1.0'\nf: '0755'\ng: '1e3'\nh: 'null'\ni: '~'\nj: ''\n",
	"s: ['*a', '&b', '!c', '%d', '@e', '`f', 'g: h', 'i #j', ' lead', 'trail ', '-', '- x', '? q', '[', '{', '|', '>']\n",
	"k: |\n  line1\n  line2\nl: |-\n  no newline\nm: |+\n  keep\n\nn: >\n  folded\n  text\n",
	"o: \"  leading spaces\\nsecond\"\np: \"trailing \\nspaces \\n\"\nq: \"tab\\there\"\nr: \"\\x01ctl\"\n",
	"u: héllo wörld ✓ 日本語 🙂\nv: \"\\u00e9\\U0001F642\"\n",
	"base: &b {x: 1, y: [1, 2]}\nuse: *b\nmerged:\n  <<: *b\n  x: 2\nmany:\n  <<: [{a: 1}, {a: 2, b: 3}]\n",
	"n1: 0755\nn2: 0x1F\nn3: 1_000\nn4: 1e3\nn5: -0.5\nn6: 12345678901234567890\nn7: -9223372036854775808\nn8: 1.0\n",
	"? complex\n: value\n'quoted key': 1\n\"yes\": 2\non: 3\n1: 4\n~: 5\n",
	"empty_map: {}\nempty_seq: []\nnulls: [~, null, ]\nnested: [[[]], {a: {}}]\n",
	"--- 1\n--- \"str\"\n--- [a, b]\n---\n--- {a: 1}\n...\n",
	"date: 2001-12-14\nts: 2001-12-14t21:59:43.10-05:00\ntime: 12:30:45\n",
	"bin: !!binary |\n  R0lGODlhDAAMAIQAAP//9/X\n  17unp5WZmZgAAAOfn515eXvPz7Y6OjuDg4J+fn5\nstr: !!str 123\nint: !!int \"7\"\n",
	"json: {\"a\": 1, \"b\": [true, false, null], \"c\": \"x\\/y\"}\n",
	"{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"a\":1.5e10},{\"b\":\"\\u0000x\"}]}\n",
	"key with spaces: v\n\"key: colon\": v\n\"key #hash\": v\n\"multi\\nline key\": v\n",
	"deep: {a: {b: {c: {d: {e: {f: {g: [1, [2, [3, [4]]]]}}}}}}}\n",
	"crlf: 1\r\nnext: two\r\nlit: |\r\n  a\r\n  b\r\n",
	"anchored_key: &k key\n*k : 1\n",
	/* characters past ASCII in every style: written as they are, or left to libyaml (breaks, BOM, non-characters) */
	"x: caf\xc3\xa9 \xe2\x80\x94 it\xe2\x80\x99s \xe6\x97\xa5\xe6\x9c\xac\n\"\xc3\xa9t\xc3\xa9\": \"\xef\xbf\xbd\xed\x9f\xbf\xee\x80\x80\"\n"
	"q: '#\xc3\xa9 x: \xc2\xa0'\nlit: |\n  l\xc3\xadnea uno\n  \xe2\x80\x94 dos\nemoji: \xf0\x9f\x99\x82\n",
	/* one a document: any of them sends its whole document to libyaml */
	"w: \"\\u00a0nbsp\"\n---\nw: \"\\u2028ls\"\n---\nw: \"a\\u2029ps\"\n---\nw: \"\\ufeffbom\"\n---\nw: \"\\ufffe\"\n"
	"---\nw: \"\\uffff\"\n---\nw: \"\\u0085nel\"\n---\nw: \"\\u0080\\u009f\"\n---\n\"k\\u2028\": 1\n---\nw: \"\\ud7ff\\ue000\"\n",
};

START_TEST(test_edge_round_trip)
{
	const char *t = edge_cases[_i];
	struct docs d;
	struct gitops_err err = GITOPS_ERR_INIT;

	if (strstr(t, "\\u0000")) {
		/* a NUL inside a string cannot be held: a clean error, not a truncated string */
		ck_assert_int_eq(read_all(t, strlen(t), &d, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "NUL"));
		return;
	}
	ck_assert_msg(round_trip(t, strlen(t), t) == 1, "edge case %d did not parse: %s", _i, t);
}
END_TEST

START_TEST(test_long_lines)
{
	size_t n = 200000, i;
	char *t = malloc(n + 64);
	struct docs d;
	struct gitops_err err = GITOPS_ERR_INIT;

	strcpy(t, "long: ");
	for (i = 0; i < n; i++)
		t[6 + i] = (char)('a' + i % 26);
	strcpy(t + 6 + n, "\n");
	ck_assert_int_eq(round_trip(t, strlen(t), "long line"), 1);
	ck_assert_int_eq(read_all(t, strlen(t), &d, &err), 0);
	ck_assert_uint_eq(strlen(cJSON_GetObjectItem(d.items[0], "long")->valuestring), n);
	docs_free(&d);
	free(t);
}
END_TEST

/* exact writer output for the cases the stream contract names */
START_TEST(test_writer_exact)
{
	static const char in[] =
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, labels: {a: b}}\n"
		"data: {a: \"yes\", b: \"0755\", c: \"1.0\", d: \"null\", e: \"~\", f: \"*x\", g: \"a: b\","
		" h: \"line1\\nline2\\n\", i: \"\", j: \"1e3\", k: \"on\"}\nlist: [1, two, {three: 3}]\nempty: {}\n";
	static const char want[] =
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    a: b\n"
		"data:\n  a: \"yes\"\n  b: \"0755\"\n  c: \"1.0\"\n  d: \"null\"\n  e: \"~\"\n  f: '*x'\n"
		"  g: 'a: b'\n  h: |\n    line1\n    line2\n  i: \"\"\n  j: \"1e3\"\n  k: \"on\"\n"
		"list:\n- 1\n- two\n- three: 3\nempty: {}\n";
	struct docs d;
	struct gitops_err err = GITOPS_ERR_INIT;
	char *out;

	ck_assert_int_eq(read_all(in, strlen(in), &d, &err), 0);
	out = write_all(&d);
	ck_assert_str_eq(out, want);
	free(out);
	docs_free(&d);
}
END_TEST

/* ------------------------------------------------------------ deep equality */

static const struct {
	const char *a, *b;
	int equal;
} equal_cases[] = {
	{ "{a: 1, b: [1, 2], c: {d: x}}", "{a: 1, b: [1, 2], c: {d: x}}", 1 },
	{ "{a: 1, b: 2, c: 3}", "{c: 3, a: 1, b: 2}", 1 },
	{ "{a: 1, b: 2, c: 3}", "{a: 1, c: 3, b: 2}", 1 },
	{ "{a: 1, b: 2}", "{a: 1, b: 2, c: 3}", 0 },
	{ "{a: 1, b: 2, c: 3}", "{a: 1, b: 2}", 0 },
	{ "{a: 1, b: 2}", "{a: 1, c: 2}", 0 },
	{ "{a: 1, b: 2, c: 3}", "{a: 1, c: 2, b: 3}", 0 },
	{ "[1, 2]", "[2, 1]", 0 },
	{ "[1, 2]", "[1, 2, 3]", 0 },
	{ "[]", "{}", 0 },
	{ "{a: 1}", "{a: '1'}", 0 },
	{ "{a: 1}", "{a: 1.0}", 1 },
	{ "{a: 0.1}", "{a: 0.10000000000000002}", 0 },
	{ "{a: true}", "{a: false}", 0 },
	{ "{a: null}", "{a: ~}", 1 },
	{ "{a: 12345678901234567890}", "{a: 12345678901234567890}", 1 },
	{ "{a: 12345678901234567890}", "{a: 12345678901234567891}", 0 },
	{ "{a: x}", "{a: xy}", 0 },
};

static cJSON *parse(const char *text)
{
	cJSON *out = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_msg(gitops_yaml_parse_one(&out, text, strlen(text), "t.yaml", NULL, &err) == 0, "%s: %s", text,
		      err.msg);
	return out;
}

START_TEST(test_json_equal)
{
	cJSON *a = parse(equal_cases[_i].a), *b = parse(equal_cases[_i].b);

	ck_assert_msg(gitops_value_equal(a, b) == equal_cases[_i].equal, "%s vs %s", equal_cases[_i].a,
		      equal_cases[_i].b);
	ck_assert_int_eq(gitops_value_equal(b, a), equal_cases[_i].equal);
	ck_assert_int_eq(gitops_value_equal(a, a), 1);
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

/*
 * A mapping 200 levels deep with a sibling at each level (a CRD's schema is
 * like this, 20 to 40 levels): linear work.  cJSON_Compare visits every
 * mapping twice at each level, 2^200 steps; the round trip of the corpus
 * ran past its timeout on that.
 */
START_TEST(test_json_equal_deep)
{
	cJSON *a = cJSON_CreateObject(), *b = cJSON_CreateObject(), *pa = a, *pb = b;
	int i;

	for (i = 0; i < 200; i++) {
		cJSON_AddStringToObject(pa, "type", "object");
		cJSON_AddStringToObject(pb, "type", "object");
		pa = cJSON_AddObjectToObject(pa, "properties");
		pb = cJSON_AddObjectToObject(pb, "properties");
	}
	ck_assert_int_eq(gitops_value_equal(a, b), 1);
	cJSON_AddNumberToObject(pb, "leaf", 1);
	ck_assert_int_eq(gitops_value_equal(a, b), 0);
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

/* ------------------------------------------------------------ conformance corpus */

static size_t corpus_files, corpus_valid;

static void walk_corpus(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	if (!dp)
		return;
	while ((e = readdir(dp))) {
		char path[4096];
		struct stat st;
		const char *dot;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk_corpus(path);
			continue;
		}
		dot = strrchr(e->d_name, '.');
		if (!S_ISREG(st.st_mode) || !dot || (strcmp(dot, ".yaml") && strcmp(dot, ".yml")))
			continue;
		{
			struct gitops_buf b = GITOPS_BUF_INIT;
			struct gitops_err err = GITOPS_ERR_INIT;
			ck_assert_msg(gitops_buf_read_file(&b, path, 64u << 20, &err) == 0, "%s", err.msg);
			corpus_files++;
			corpus_valid += (size_t)round_trip(b.data, b.len, path);
			gitops_buf_release(&b);
		}
	}
	closedir(dp);
}

START_TEST(test_conformance_round_trip)
{
	const char *dir = getenv("CONFORMANCE");

	if (test_conformance_absent())
		return;
	if (!dir)
		dir = "../shared/conformance";
	corpus_files = corpus_valid = 0;
	walk_corpus(dir);
	/* the shared corpus holds over 300 YAML files; most are valid streams (Helm templates are not) */
	ck_assert_msg(corpus_files >= 300, "only %zu YAML files under %s", corpus_files, dir);
	ck_assert_msg(corpus_valid >= 250, "only %zu of %zu files were valid streams", corpus_valid, corpus_files);
	fprintf(stderr, "round trip: %zu of %zu conformance YAML files are valid streams; all held\n", corpus_valid,
		corpus_files);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("yaml");
	TCase *tc = tcase_create("scalars");

	tcase_add_loop_test(tc, test_resolve, 0, sizeof(resolve_cases) / sizeof(resolve_cases[0]));
	tcase_add_loop_test(tc, test_needs_quotes, 0, sizeof(quote_cases) / sizeof(quote_cases[0]));
	tcase_add_loop_test(tc, test_number_format, 0, sizeof(number_cases) / sizeof(number_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("alias-bytes");
	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_alias_bytes, 0, sizeof(alias_byte_cases) / sizeof(alias_byte_cases[0]));
	tcase_add_test(tc, test_alias_bytes_bomb);
	suite_add_tcase(s, tc);
	tc = tcase_create("round-trip");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_edge_round_trip, 0, sizeof(edge_cases) / sizeof(edge_cases[0]));
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_writer_exact);
	tcase_add_test(tc, test_conformance_round_trip);
	suite_add_tcase(s, tc);
	tc = tcase_create("equal");
	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_json_equal, 0, sizeof(equal_cases) / sizeof(equal_cases[0]));
	tcase_add_test(tc, test_json_equal_deep);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
