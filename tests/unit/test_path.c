/* path: the five path syntaxes, writing paths, get/set/delete on trees, and Helm's --set. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/base/buf.h"
#include "lib/value/path.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

#define YE GITOPS_PATH_YAMLEDIT
#define FS GITOPS_PATH_FIELDSPEC
#define RP GITOPS_PATH_REPLACEMENT
#define JP GITOPS_PATH_POINTER
#define HK GITOPS_PATH_HELM

/* Integral numbers read as integers, as the YAML reader keeps them. */
static void ints(cJSON *v)
{
	cJSON *c;

	if (cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble && v->valuedouble < 1e15 &&
	    v->valuedouble > -1e15)
		gitops_value_set_int(v, (int64_t)v->valuedouble);
	for (c = v->child; c; c = c->next)
		ints(c);
}

static cJSON *parse_tree(const char *text)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *root = NULL;

	ck_assert_msg(gitops_yaml_parse_one(&root, text, strlen(text), "in.json", NULL, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(root);
	ints(root);
	return root;
}

/* A tree as compact JSON in insertion order; a float always shows a '.' (or an exponent). */
static void dump(struct gitops_buf *b, const cJSON *v)
{
	const cJSON *c;
	char num[64];

	switch (gitops_value_kind(v)) {
	case GITOPS_VALUE_KIND_NULL: gitops_buf_addstr(b, "null"); break;
	case GITOPS_VALUE_KIND_BOOL: gitops_buf_addstr(b, cJSON_IsTrue(v) ? "true" : "false"); break;
	case GITOPS_VALUE_KIND_INT: gitops_buf_addstr(b, gitops_value_format_number(num, sizeof(num), v)); break;
	case GITOPS_VALUE_KIND_FLOAT:
		gitops_value_format_number(num, sizeof(num), v);
		gitops_buf_addstr(b, num);
		if (!strpbrk(num, ".eEn"))
			gitops_buf_addstr(b, ".0");
		break;
	case GITOPS_VALUE_KIND_STRING: {
		char *s = cJSON_PrintUnformatted(v);
		gitops_buf_addstr(b, s);
		free(s);
		break;
	}
	case GITOPS_VALUE_KIND_SEQ:
	case GITOPS_VALUE_KIND_MAP: {
		int map = cJSON_IsObject(v);
		gitops_buf_addstr(b, map ? "{" : "[");
		for (c = v->child; c; c = c->next) {
			if (c != v->child)
				gitops_buf_addstr(b, ",");
			if (map) {
				cJSON *k = cJSON_CreateString(c->string);
				char *s = cJSON_PrintUnformatted(k);
				gitops_buf_printf(b, "%s:", s);
				free(s);
				cJSON_Delete(k);
			}
			dump(b, c);
		}
		gitops_buf_addstr(b, map ? "}" : "]");
		break;
	}
	default: gitops_buf_addstr(b, "?"); break;
	}
}

static char *dump_tree(const cJSON *v)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	gitops_buf_add(&b, "", 0);
	dump(&b, v);
	return gitops_buf_detach(&b);
}

/* Steps as "k:a i:0 i:0/0 - -/- * m:k=v k[]:a" */
static char *dump_steps(const struct gitops_path *p)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i;

	gitops_buf_add(&b, "", 0);
	for (i = 0; i < p->n; i++) {
		const struct gitops_path_step *s = &p->steps[i];
		if (i)
			gitops_buf_add(&b, " ", 1);
		switch (s->kind) {
		case GITOPS_PATH_KEY:
			gitops_buf_printf(&b, "k%s:%s", s->flags & GITOPS_PATH_STEP_SEQ ? "[]" : "", s->key);
			break;
		case GITOPS_PATH_INDEX:
			gitops_buf_printf(&b, "i:%zu%s%s", s->index, s->key ? "/" : "", s->key ? s->key : "");
			break;
		case GITOPS_PATH_APPEND:
			gitops_buf_printf(&b, "-%s%s", s->key ? "/" : "", s->key ? s->key : "");
			break;
		case GITOPS_PATH_ALL:
			gitops_buf_add(&b, "*", 1);
			break;
		case GITOPS_PATH_MATCH:
			gitops_buf_printf(&b, "m:%s=%s", s->key, s->value);
			break;
		}
	}
	return gitops_buf_detach(&b);
}

/* --- parsing --- */

static const struct {
	enum gitops_path_syntax syntax;
	const char *text;
	const char *steps;      /* dump_steps, or NULL for an error */
	const char *err;
} parse_cases[] = {
	/* yamledit: gitops-bump --set, its syntax and messages as they were */
	{ YE, "a", "k:a", NULL },
	{ YE, "a.b[0][key=v]", "k:a k:b i:0 m:key=v", NULL },
	{ YE, "spec.template.spec.containers[name=web].image", "k:spec k:template k:spec k:containers m:name=web k:image", NULL },
	{ YE, "images[0].newTag", "k:images i:0 k:newTag", NULL },
	{ YE, "a\\.b.c", "k:a.b k:c", NULL },
	{ YE, "a\\[0\\]", "k:a[0]", NULL },
	{ YE, "a\\\\b", "k:a\\b", NULL },
	{ YE, "[0]", "i:0", NULL },
	{ YE, "a[b=c=d]", "k:a m:b=c=d", NULL },
	{ YE, "a[b=]", "k:a m:b=", NULL },
	{ YE, "a[007]", "k:a i:7", NULL },
	{ YE, "a[0][1][2]", "k:a i:0 i:1 i:2", NULL },
	{ YE, "", NULL, "invalid path '': empty" },
	{ YE, "a..b", NULL, "invalid path 'a..b': empty key" },
	{ YE, ".a", NULL, "invalid path '.a': empty key" },
	{ YE, "a.", NULL, "invalid path 'a.': ends with '.'" },
	{ YE, "a[x", NULL, "invalid path 'a[x': unclosed or empty '['" },
	{ YE, "a[]", NULL, "invalid path 'a[]': unclosed or empty '['" },
	{ YE, "a[=v]", NULL, "invalid path 'a[=v]': '[=VALUE]' needs a key" },
	{ YE, "a[x]", NULL, "invalid path 'a[x]': an index must be a number (or use [KEY=VALUE])" },
	{ YE, "a[1000000000000]", NULL, "invalid path 'a[1000000000000]': an index must be a number (or use [KEY=VALUE])" },
	{ YE, "a[0]b", NULL, "invalid path 'a[0]b': expected '.' after ']'" },
	{ YE, "a.[0]", NULL, "invalid path 'a.[0]': empty key" },
	/* Kustomize fieldspecs */
	{ FS, "spec/template/metadata/labels", "k:spec k:template k:metadata k:labels", NULL },
	{ FS, "spec/containers[]/image", "k:spec k[]:containers k:image", NULL },
	{ FS, "spec/template/spec/containers[]/env[]/value", "k:spec k:template k:spec k[]:containers k[]:env k:value", NULL },
	{ FS, "metadata/annotations/app.kubernetes.io\\/name", "k:metadata k:annotations k:app.kubernetes.io/name", NULL },
	{ FS, "a\\b/c", "k:a\\b k:c", NULL },
	{ FS, "a[0]/b.c", "k:a[0] k:b.c", NULL },
	{ FS, "", NULL, "path \"\": empty" },
	{ FS, "a//b", NULL, "path \"a//b\": empty field name at column 3" },
	{ FS, "/a", NULL, "path \"/a\": empty field name at column 1" },
	{ FS, "a/", NULL, "path \"a/\": empty field name at column 3" },
	{ FS, "a/[]", NULL, "path \"a/[]\": empty field name at column 3" },
	/* Kustomize replacements */
	{ RP, "spec.template.spec.containers.[name=app].image", "k:spec k:template k:spec k:containers m:name=app k:image", NULL },
	{ RP, "spec.containers.0.image", "k:spec k:containers i:0/0 k:image", NULL },
	{ RP, "metadata.annotations.[a.b/c]", "k:metadata k:annotations k:a.b/c", NULL },
	{ RP, "spec.args.[=-jar]", "k:spec k:args m:=-jar", NULL },
	{ RP, "spec.containers.*.image", "k:spec k:containers * k:image", NULL },
	{ RP, "spec.containers.-", "k:spec k:containers -/-", NULL },
	{ RP, "a\\.b.c", "k:a.b k:c", NULL },
	{ RP, "[name=a.b.c].x", "m:name=a.b.c k:x", NULL },
	{ RP, "a.[x]", "k:a k:x", NULL },
	{ RP, "a.-1", "k:a k:-1", NULL },
	{ RP, "a.+1", "k:a i:1/+1", NULL },
	{ RP, "a.b[x", "k:a k:b[x", NULL },
	{ RP, "a.[k=v.w", NULL, "path \"a.[k=v.w\": unterminated '[' at column 3" },
	{ RP, "a..b", NULL, "path \"a..b\": empty field name at column 3" },
	{ RP, "a.[]", NULL, "path \"a.[]\": empty field name at column 3" },
	{ RP, "", NULL, "path \"\": empty" },
	/* JSON Pointer */
	{ JP, "", "", NULL },
	{ JP, "/", "k:", NULL },
	{ JP, "/a/b", "k:a k:b", NULL },
	{ JP, "/a~1b/c~0d", "k:a/b k:c~d", NULL },
	{ JP, "/~01", "k:~1", NULL },
	{ JP, "/a/0", "k:a i:0/0", NULL },
	{ JP, "/a/-", "k:a -/-", NULL },
	{ JP, "/a/01", "k:a k:01", NULL },
	{ JP, "/a//b", "k:a k: k:b", NULL },
	{ JP, "/a~", NULL, "path \"/a~\": '~' must be followed by '0' or '1' at column 3" },
	{ JP, "/a~2", NULL, "path \"/a~2\": '~' must be followed by '0' or '1' at column 3" },
	{ JP, "a/b", NULL, "path \"a/b\": a JSON pointer starts with '/' at column 1" },
	/* Helm keys */
	{ HK, "a.b[0].c", "k:a k:b i:0 k:c", NULL },
	{ HK, "a\\.b", "k:a.b", NULL },
	{ HK, "name[1]", "k:name i:1", NULL },
	{ HK, "nested[0][1]", "k:nested i:0 i:1", NULL },
	{ HK, "a[x]", NULL, "path \"a[x]\": index \"x\" is not a number at column 3" },
	{ HK, "a[", NULL, "path \"a[\": unterminated '[' at column 2" },
	{ HK, "a[-1]", NULL, "path \"a[-1]\": negative index -1 at column 3" },
	{ HK, "a[65537]", NULL, "path \"a[65537]\": index 65537 is greater than the maximum, 65536 at column 3" },
	{ HK, "a=b", NULL, "path \"a=b\": unexpected '=' at column 2" },
	{ HK, "a..b", NULL, "path \"a..b\": empty key at column 3" },
	{ HK, "a[0]x", NULL, "path \"a[0]x\": unexpected data after ']' at column 5" },
	/* a message stays one line */
	{ FS, "a\n//b", NULL, "path \"a\\x0a//b\": empty field name at column 4" },
};

START_TEST(test_parse)
{
	struct gitops_path p = GITOPS_PATH_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	int r = gitops_path_parse(&p, parse_cases[_i].syntax, parse_cases[_i].text, 0, &err);

	if (parse_cases[_i].steps) {
		char *d;
		ck_assert_msg(r == 0, "%s: %s", parse_cases[_i].text, err.msg);
		d = dump_steps(&p);
		ck_assert_str_eq(d, parse_cases[_i].steps);
		free(d);
	} else {
		ck_assert_msg(r == -1, "%s: no error", parse_cases[_i].text);
		ck_assert_str_eq(err.msg, parse_cases[_i].err);
		ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
		ck_assert_int_eq((int)p.n, 0);
	}
	gitops_path_release(&p);
}
END_TEST

/* --- writing --- */

static const struct {
	enum gitops_path_syntax from, to;
	const char *text;
	const char *out;        /* NULL: cannot be written */
} format_cases[] = {
	{ YE, YE, "a.b[0][k=v]", "a.b[0][k=v]" },
	{ YE, YE, "a\\.b\\[c", "a\\.b\\[c" },
	{ YE, JP, "a[0].b", "/a/0/b" },
	{ YE, JP, "a[k=v]", NULL },
	{ YE, RP, "a[k=v].b[2]", "a.[k=v].b.2" },
	{ YE, FS, "a.b", "a/b" },
	{ YE, FS, "a[0]", NULL },
	{ YE, HK, "a[0].b", "a[0].b" },
	{ RP, RP, "metadata.annotations.[a.b/c]", "metadata.annotations.a\\.b/c" },
	{ RP, RP, "a.[0]", "a.[0]" },
	{ RP, RP, "a.[*]", "a.[*]" },
	{ RP, YE, "a.*", NULL },
	{ RP, JP, "a.0.-", "/a/0/-" },
	{ JP, JP, "/a~1b/0/-", "/a~1b/0/-" },
	{ JP, JP, "", "" },
	{ JP, YE, "/a.b/c", "a\\.b.c" },
	{ FS, FS, "spec/containers[]/image", "spec/containers[]/image" },
	{ FS, FS, "a\\/b/c", "a\\/b/c" },
	{ FS, RP, "spec/containers[]/image", NULL },
	{ HK, HK, "a\\.b[1]", "a\\.b[1]" },
	{ HK, YE, "a\\=b", "a\\=b" },
};

START_TEST(test_format)
{
	struct gitops_path p = GITOPS_PATH_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char *out = NULL;
	int r;

	ck_assert_msg(gitops_path_parse(&p, format_cases[_i].from, format_cases[_i].text, 0, &err) == 0, "%s", err.msg);
	r = gitops_path_format(&out, &p, format_cases[_i].to, &err);
	if (format_cases[_i].out) {
		ck_assert_msg(r == 0, "%s: %s", format_cases[_i].text, err.msg);
		ck_assert_str_eq(out, format_cases[_i].out);
	} else {
		ck_assert_int_eq(r, -1);
		ck_assert_ptr_null(out);
		ck_assert_int_eq(strncmp(err.msg, "the path cannot be written as a ", 32), 0);
	}
	free(out);
	gitops_path_release(&p);
}
END_TEST

START_TEST(test_assignment_split)
{
	ck_assert_str_eq(gitops_path_assignment_split("a[k=v]=x"), "=x");
	ck_assert_str_eq(gitops_path_assignment_split("a\\=b=c"), "=c");
	ck_assert_str_eq(gitops_path_assignment_split("a.b=c=d"), "=c=d");
	ck_assert_ptr_null(gitops_path_assignment_split("a[k=v]"));
	ck_assert_ptr_null(gitops_path_assignment_split("a"));
}
END_TEST

/* --- get --- */

static const struct {
	enum gitops_path_syntax syntax;
	const char *path;
	const char *tree;
	const char *found;      /* the matches dumped, joined by ',' */
} get_cases[] = {
	{ YE, "a.b", "{\"a\": {\"b\": 1}}", "1" },
	{ YE, "a.b", "{\"a\": \"s\"}", "" },
	{ YE, "a[5]", "{\"a\": [1]}", "" },
	{ YE, "a[1]", "{\"a\": [1, 2.5]}", "2.5" },
	{ YE, "l[n=b].v", "{\"l\": [{\"n\": \"a\", \"v\": 1}, {\"n\": \"b\", \"v\": 2}]}", "2" },
	{ RP, "spec.containers.*.image", "{\"spec\": {\"containers\": [{\"image\": \"a\"}, {\"image\": \"b\"}]}}",
	  "\"a\",\"b\"" },
	{ RP, "spec.containers.[name=x].image",
	  "{\"spec\": {\"containers\": [{\"name\": \"y\", \"image\": \"a\"}, {\"name\": \"x\", \"image\": \"b\"}]}}", "\"b\"" },
	{ RP, "a.[=b]", "{\"a\": [\"a\", \"b\", \"c\"]}", "\"b\"" },
	{ RP, "a.[=2]", "{\"a\": [1, 2, 3]}", "2" },
	{ RP, "a.[n=true].x", "{\"a\": [{\"n\": true, \"x\": 1}]}", "1" },
	{ RP, "a.1", "{\"a\": {\"1\": \"key\"}}", "\"key\"" },
	{ RP, "a.-", "{\"a\": [1]}", "" },
	{ FS, "spec/containers/image", "{\"spec\": {\"containers\": [{\"image\": \"a\"}, {\"image\": \"b\"}]}}",
	  "\"a\",\"b\"" },
	{ FS, "spec/containers[]/image", "{\"spec\": {\"containers\": [{\"image\": \"a\"}, {\"x\": 1}]}}", "\"a\"" },
	{ FS, "metadata/labels", "{\"metadata\": {\"labels\": {\"app\": \"x\"}}}", "{\"app\":\"x\"}" },
	{ JP, "", "{\"a\": 1}", "{\"a\":1}" },
	{ JP, "/a/1", "{\"a\": [1, 2]}", "2" },
	{ JP, "/a/1", "{\"a\": {\"1\": \"x\"}}", "\"x\"" },
	{ JP, "/a/-", "{\"a\": [1]}", "" },
	{ JP, "/a~1b", "{\"a/b\": null}", "null" },
	{ HK, "a.b[0]", "{\"a\": {\"b\": [true]}}", "true" },
};

START_TEST(test_get)
{
	struct gitops_path p = GITOPS_PATH_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	cJSON *tree = parse_tree(get_cases[_i].tree);
	const cJSON **found = NULL;
	size_t n, i;

	ck_assert_msg(gitops_path_parse(&p, get_cases[_i].syntax, get_cases[_i].path, 0, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(gitops_path_get(&found, &n, tree, &p, &err), 0);
	gitops_buf_add(&b, "", 0);
	for (i = 0; i < n; i++) {
		if (i)
			gitops_buf_add(&b, ",", 1);
		dump(&b, found[i]);
	}
	ck_assert_str_eq(b.data, get_cases[_i].found);
	free(found);
	gitops_buf_release(&b);
	gitops_path_release(&p);
	cJSON_Delete(tree);
}
END_TEST

/* --- set and delete --- */

static const struct {
	enum gitops_path_syntax syntax;
	const char *path;
	unsigned flags;
	const char *tree;
	const char *value;      /* NULL: delete */
	int count;              /* -1: an error, `after` is its message */
	const char *after;
} edit_cases[] = {
	{ YE, "a.b", 0, "{\"a\": {\"b\": 1}}", "2", 1, "{\"a\":{\"b\":2}}" },
	{ YE, "a.c", 0, "{\"a\": {\"b\": 1}}", "2", 0, "{\"a\":{\"b\":1}}" },
	{ YE, "a.c.d", GITOPS_PATH_CREATE, "{\"a\": {\"b\": 1}}", "2", 1, "{\"a\":{\"b\":1,\"c\":{\"d\":2}}}" },
	{ YE, "a.b", GITOPS_PATH_CREATE, "{\"a\": null}", "\"x\"", 1, "{\"a\":{\"b\":\"x\"}}" },
	{ YE, "a[1]", GITOPS_PATH_CREATE, "{\"a\": [1]}", "2", 1, "{\"a\":[1,2]}" },
	{ YE, "a[3]", GITOPS_PATH_CREATE, "{\"a\": [1]}", "2", 0, "{\"a\":[1]}" },
	{ YE, "a.b[3]", GITOPS_PATH_CREATE, "{\"a\": {}}", "2", 0, "{\"a\":{}}" },
	{ YE, "a.b[3]", GITOPS_PATH_CREATE, "{\"a\": null}", "2", 0, "{\"a\":null}" },
	{ YE, "a[0]", 0, "{\"a\": [1, 2]}", "{\"x\": [true]}", 1, "{\"a\":[{\"x\":[true]},2]}" },
	{ YE, "a[k=v].x", GITOPS_PATH_CREATE, "{\"a\": []}", "1", 1, "{\"a\":[{\"k\":\"v\",\"x\":1}]}" },
	{ FS, "spec/template/metadata/labels/app", GITOPS_PATH_CREATE, "{\"spec\": {}}", "\"web\"", 1,
	  "{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}}}}}" },
	{ FS, "spec/containers[]/image", GITOPS_PATH_CREATE, "{\"spec\": {}}", "\"x\"", 0, "{\"spec\":{}}" },
	{ FS, "spec/containers/image", 0, "{\"spec\": {\"containers\": [{\"image\": \"a\"}, {\"image\": \"b\"}]}}",
	  "\"c\"", 2, "{\"spec\":{\"containers\":[{\"image\":\"c\"},{\"image\":\"c\"}]}}" },
	{ FS, "spec/containers[]/env", GITOPS_PATH_CREATE, "{\"spec\": {\"containers\": [{\"name\": \"a\"}]}}",
	  "[]", 1, "{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":[]}]}}" },
	{ FS, "spec/args[]", 0, "{\"spec\": {\"args\": [\"a\"]}}", "[\"b\"]", 1, "{\"spec\":{\"args\":[\"b\"]}}" },
	{ FS, "spec/args[]", GITOPS_PATH_CREATE, "{\"spec\": {}}", "[\"b\"]", 0, "{\"spec\":{}}" },
	{ FS, "metadata/labels/a", GITOPS_PATH_CREATE, "{\"metadata\": {\"labels\": \"s\"}}", "1", -1,
	  "path \"metadata/labels/a\": cannot create \"a\" in a string at column 17" },
	{ RP, "spec.containers.[name=app].image", GITOPS_PATH_CREATE, "{\"spec\": {\"containers\": []}}", "\"i\"", 1,
	  "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"i\"}]}}" },
	{ RP, "spec.containers.[name=app].image", 0, "{\"spec\": {\"containers\": []}}", "\"i\"", 0,
	  "{\"spec\":{\"containers\":[]}}" },
	{ RP, "a.[=x]", GITOPS_PATH_CREATE, "{\"a\": [\"w\"]}", "\"x\"", 1, "{\"a\":[\"w\",\"x\"]}" },
	{ RP, "a.-", 0, "{\"a\": [1]}", "2", 1, "{\"a\":[1,2]}" },
	{ RP, "a.*", 0, "{\"a\": [1, 2]}", "0", 2, "{\"a\":[0,0]}" },
	{ RP, "a.b.0.c", GITOPS_PATH_CREATE, "{}", "1", 1, "{\"a\":{\"b\":[{\"c\":1}]}}" },
	{ JP, "/a/0", GITOPS_PATH_CREATE, "{}", "\"v\"", 1, "{\"a\":[\"v\"]}" },
	{ JP, "/a/b", GITOPS_PATH_CREATE, "{\"a\": \"s\"}", "1", -1, "path \"/a/b\": cannot create \"b\" in a string at column 4" },
	{ JP, "/a/x", GITOPS_PATH_CREATE, "{\"a\": [1]}", "1", -1, "path \"/a/x\": cannot create \"x\" in a sequence at column 4" },
	{ JP, "/a/-", 0, "{\"a\": [1]}", "2", 1, "{\"a\":[1,2]}" },
	{ JP, "/a/1", 0, "{\"a\": {\"1\": 0}}", "2", 1, "{\"a\":{\"1\":2}}" },
	{ JP, "", 0, "{}", "1", -1, "path \"\": cannot set the root" },
	{ HK, "a.b[0]", GITOPS_PATH_CREATE, "{}", "1", 1, "{\"a\":{\"b\":[1]}}" },
	/* delete */
	{ YE, "a.b", 0, "{\"a\": {\"b\": 1, \"c\": 2}}", NULL, 1, "{\"a\":{\"c\":2}}" },
	{ YE, "x", 0, "{\"a\": 1}", NULL, 0, "{\"a\":1}" },
	{ RP, "a.*", 0, "{\"a\": [1, 2, 3]}", NULL, 3, "{\"a\":[]}" },
	{ RP, "a.[=2]", 0, "{\"a\": [1, 2, 3, 2]}", NULL, 2, "{\"a\":[1,3]}" },
	{ RP, "a.[k=v]", 0, "{\"a\": [{\"k\": \"v\"}, {\"k\": \"w\"}]}", NULL, 1, "{\"a\":[{\"k\":\"w\"}]}" },
	{ JP, "/a/1", 0, "{\"a\": [1, 2, 3]}", NULL, 1, "{\"a\":[1,3]}" },
	{ JP, "", 0, "{\"a\": 1}", NULL, 0, "{\"a\":1}" },
	{ FS, "spec/containers/image", 0, "{\"spec\": {\"containers\": [{\"image\": \"a\"}, {\"image\": \"b\", \"n\": 1}]}}",
	  NULL, 2, "{\"spec\":{\"containers\":[{},{\"n\":1}]}}" },
};

START_TEST(test_edit)
{
	struct gitops_path p = GITOPS_PATH_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *tree = parse_tree(edit_cases[_i].tree);
	char *after;
	int r;

	ck_assert_msg(gitops_path_parse(&p, edit_cases[_i].syntax, edit_cases[_i].path, edit_cases[_i].flags, &err) == 0,
		      "%s", err.msg);
	if (edit_cases[_i].value)
		r = gitops_path_set(tree, &p, parse_tree(edit_cases[_i].value), &err);
	else
		r = gitops_path_delete(tree, &p, &err);
	ck_assert_msg(r == edit_cases[_i].count, "%s: %d (%s)", edit_cases[_i].path, r, err.msg);
	if (r < 0) {
		ck_assert_str_eq(err.msg, edit_cases[_i].after);
	} else {
		after = dump_tree(tree);
		ck_assert_str_eq(after, edit_cases[_i].after);
		free(after);
	}
	gitops_path_release(&p);
	cJSON_Delete(tree);
}
END_TEST

/* --- Helm's --set: helm's pkg/strvals parser_test.go cases, and more --- */

#define SET GITOPS_PATH_HELM_SET
#define STR GITOPS_PATH_HELM_SET_STRING
#define JSN GITOPS_PATH_HELM_SET_JSON
#define LIT GITOPS_PATH_HELM_SET_LITERAL

static const struct {
	enum gitops_path_helm_mode mode;
	const char *before;     /* the values before (NULL: {}) */
	const char *arg, *arg2; /* arg2: a second --set, or NULL */
	const char *after;      /* NULL: an error */
	const char *err;
} helm_cases[] = {
	/* TestParseSet */
	{ SET, NULL, "name1=null,f=false,t=true", NULL, "{\"name1\":null,\"f\":false,\"t\":true}", NULL },
	{ SET, NULL, "name1=value1", NULL, "{\"name1\":\"value1\"}", NULL },
	{ SET, NULL, "name1=value1,name2=value2", NULL, "{\"name1\":\"value1\",\"name2\":\"value2\"}", NULL },
	{ SET, NULL, "name1=value1,name2=value2,", NULL, "{\"name1\":\"value1\",\"name2\":\"value2\"}", NULL },
	{ SET, NULL, "name1=value1,,,,name2=value2,", NULL, NULL, "key \"\" has no value (cannot end with ,)" },
	{ SET, NULL, "name1=,name2=value2", NULL, "{\"name1\":\"\",\"name2\":\"value2\"}", NULL },
	{ SET, NULL, "leading_zeros=00009", NULL, "{\"leading_zeros\":\"00009\"}", NULL },
	{ SET, NULL, "zero_int=0", NULL, "{\"zero_int\":0}", NULL },
	{ SET, NULL, "long_int=1234567890", NULL, "{\"long_int\":1234567890}", NULL },
	{ SET, NULL, "boolean=true", NULL, "{\"boolean\":true}", NULL },
	{ SET, NULL, "is_null=null", NULL, "{\"is_null\":null}", NULL },
	{ SET, NULL, "name1,name2=", NULL, NULL, "key \"name1\" has no value (cannot end with ,)" },
	{ SET, NULL, "name1,name2=value2", NULL, NULL, "key \"name1\" has no value (cannot end with ,)" },
	{ SET, NULL, "name1,name2=value2\\", NULL, NULL, "key \"name1\" has no value (cannot end with ,)" },
	{ SET, NULL, "name1,name2", NULL, NULL, "key \"name1\" has no value (cannot end with ,)" },
	{ SET, NULL, "name1=one\\,two,name2=three\\,four", NULL, "{\"name1\":\"one,two\",\"name2\":\"three,four\"}", NULL },
	{ SET, NULL, "name1=one\\=two,name2=three\\=four", NULL, "{\"name1\":\"one=two\",\"name2\":\"three=four\"}", NULL },
	{ SET, NULL, "name1=one two three,name2=three two one", NULL,
	  "{\"name1\":\"one two three\",\"name2\":\"three two one\"}", NULL },
	{ SET, NULL, "outer.inner=value", NULL, "{\"outer\":{\"inner\":\"value\"}}", NULL },
	{ SET, NULL, "outer.middle.inner=value", NULL, "{\"outer\":{\"middle\":{\"inner\":\"value\"}}}", NULL },
	{ SET, NULL, "outer.inner1=value,outer.inner2=value2", NULL, "{\"outer\":{\"inner1\":\"value\",\"inner2\":\"value2\"}}",
	  NULL },
	{ SET, NULL, "outer.inner1=value,outer.middle.inner=value", NULL,
	  "{\"outer\":{\"inner1\":\"value\",\"middle\":{\"inner\":\"value\"}}}", NULL },
	{ SET, NULL, "name1.name2", NULL, NULL, "key \"name2\" has no value" },
	{ SET, NULL, "name1.name2,name1.name3", NULL, NULL, "key \"name2\" has no value (cannot end with ,)" },
	{ SET, NULL, "name1.name2=", NULL, "{\"name1\":{\"name2\":\"\"}}", NULL },
	{ SET, NULL, "name1.=name2", NULL, NULL, "key map \"name1\" has no value" },
	{ SET, NULL, "name1.,name2", NULL, NULL, "key \"\" has no value (cannot end with ,)" },
	{ SET, NULL, "name1={value1,value2}", NULL, "{\"name1\":[\"value1\",\"value2\"]}", NULL },
	{ SET, NULL, "name1={value1,value2},name2={value1,value2}", NULL,
	  "{\"name1\":[\"value1\",\"value2\"],\"name2\":[\"value1\",\"value2\"]}", NULL },
	{ SET, NULL, "name1={1021,902}", NULL, "{\"name1\":[1021,902]}", NULL },
	{ SET, NULL, "name1.name2={value1,value2}", NULL, "{\"name1\":{\"name2\":[\"value1\",\"value2\"]}}", NULL },
	{ SET, NULL, "name1={1021,902", NULL, NULL, "list must terminate with '}'" },
	{ SET, NULL, "list[0]=foo", NULL, "{\"list\":[\"foo\"]}", NULL },
	{ SET, NULL, "list[0].foo=bar", NULL, "{\"list\":[{\"foo\":\"bar\"}]}", NULL },
	{ SET, NULL, "list[0].foo=bar,list[0].hello=world", NULL, "{\"list\":[{\"foo\":\"bar\",\"hello\":\"world\"}]}", NULL },
	{ SET, NULL, "list[0].foo=bar,list[-30].hello=world", NULL, NULL, "negative -30 index not allowed" },
	{ SET, NULL, "list[0]=foo,list[1]=bar", NULL, "{\"list\":[\"foo\",\"bar\"]}", NULL },
	{ SET, NULL, "list[0]=foo,list[1]=bar,", NULL, "{\"list\":[\"foo\",\"bar\"]}", NULL },
	{ SET, NULL, "list[0]=foo,list[3]=bar", NULL, "{\"list\":[\"foo\",null,null,\"bar\"]}", NULL },
	{ SET, NULL, "list[0]=foo,list[-20]=bar", NULL, NULL, "negative -20 index not allowed" },
	{ SET, NULL, "illegal[0]name.foo=bar", NULL, NULL, "unexpected data at end of array index: ['n' 'a' 'm' 'e']" },
	{ SET, NULL, "noval[0]", NULL, "{\"noval\":[]}", NULL },
	{ SET, NULL, "noval[0]=", NULL, "{\"noval\":[\"\"]}", NULL },
	{ SET, NULL, "nested[0][0]=1", NULL, "{\"nested\":[[1]]}", NULL },
	{ SET, NULL, "nested[1][1]=1", NULL, "{\"nested\":[null,[null,1]]}", NULL },
	{ SET, NULL, "name1.name2[0].foo=bar,name1.name2[1].foo=bar", NULL,
	  "{\"name1\":{\"name2\":[{\"foo\":\"bar\"},{\"foo\":\"bar\"}]}}", NULL },
	{ SET, NULL, "name1.name2[1].foo=bar,name1.name2[0].foo=bar", NULL,
	  "{\"name1\":{\"name2\":[{\"foo\":\"bar\"},{\"foo\":\"bar\"}]}}", NULL },
	{ SET, NULL, "name1.name2[1].foo=bar", NULL, "{\"name1\":{\"name2\":[null,{\"foo\":\"bar\"}]}}", NULL },
	{ SET, NULL, "]={}].", NULL, NULL,
	  "unable to parse key: interface conversion: interface {} is []interface {}, not map[string]interface {}" },
	/* typedVal */
	{ SET, NULL, "a=0x10,b=1.5,c=+5,d=-0,e=TRUE,f=Null,g=1e3,h= 1", NULL,
	  "{\"a\":\"0x10\",\"b\":\"1.5\",\"c\":5,\"d\":0,\"e\":true,\"f\":null,\"g\":\"1e3\",\"h\":\" 1\"}", NULL },
	{ SET, NULL, "a=9223372036854775807,b=9223372036854775808,c=-9223372036854775808", NULL,
	  "{\"a\":9223372036854775807,\"b\":\"9223372036854775808\",\"c\":-9223372036854775808}", NULL },
	{ SET, NULL, "a={},b={x},c={a\\,b,c}", NULL, "{\"a\":[\"\"],\"b\":[\"x\"],\"c\":[\"a,b\",\"c\"]}", NULL },
	{ SET, NULL, "a\\.b=1,c\\[0\\]=2", NULL, "{\"a.b\":1,\"c[0]\":2}", NULL },
	{ SET, NULL, "a=1,a=2", NULL, "{\"a\":2}", NULL },
	{ SET, NULL, "", NULL, "{}", NULL },
	{ SET, NULL, "a.", NULL, "{}", NULL },
	{ SET, NULL, "a", NULL, NULL, "key \"a\" has no value" },
	{ SET, NULL, "a\"b", NULL, NULL, "key \"a\\\"b\" has no value" },
	{ SET, NULL, "=x", NULL, "{}", NULL },
	{ SET, NULL, "a[x]=1", NULL, NULL, "error parsing index: strconv.Atoi: parsing \"x\": invalid syntax" },
	{ SET, NULL, "a[]=1", NULL, NULL, "error parsing index: strconv.Atoi: parsing \"\": invalid syntax" },
	{ SET, NULL, "a[1", NULL, NULL, "error parsing index: EOF" },
	{ SET, NULL, "a[99999999999999999999]=1", NULL, NULL,
	  "error parsing index: strconv.Atoi: parsing \"99999999999999999999\": value out of range" },
	{ SET, NULL, "a[99999999999999999999x]=1", NULL, NULL,
	  "error parsing index: strconv.Atoi: parsing \"99999999999999999999x\": value out of range" },
	{ SET, NULL, "a[9223372036854775808x]=1", NULL, NULL,
	  "error parsing index: strconv.Atoi: parsing \"9223372036854775808x\": invalid syntax" },
	{ SET, NULL, "a[9223372036854775808]=1", NULL, NULL,
	  "error parsing index: strconv.Atoi: parsing \"9223372036854775808\": value out of range" },
	{ SET, NULL, "a[-9223372036854775808]=1", NULL, NULL, "negative -9223372036854775808 index not allowed" },
	{ SET, NULL, "a[65536]=1", NULL, NULL, NULL },
	{ SET, NULL, "a[65537]=1", NULL, NULL, "index of 65537 is greater than maximum supported index of 65536" },
	{ SET, NULL, "a=b,a.c=d", NULL, NULL,
	  "unable to parse key: interface conversion: interface {} is string, not map[string]interface {}" },
	{ SET, NULL, "a.b=1,a[0]=2", NULL, NULL,
	  "unable to parse key: interface conversion: interface {} is map[string]interface {}, not []interface {}" },
	{ SET, NULL, "a=null,a.b=1", NULL, NULL,
	  "unable to parse key: interface conversion: interface {} is nil, not map[string]interface {}" },
	{ SET, NULL, "a[0]=1,a[0][0]=2", NULL, NULL,
	  "unable to parse key: interface conversion: interface {} is int64, not []interface {}" },
	{ SET, NULL, "a[0]=1,a[0].b=2", NULL, "{\"a\":[{\"b\":2}]}", NULL },
	{ SET, NULL, "a[1]=x,a[0]=y", NULL, "{\"a\":[\"y\",\"x\"]}", NULL },
	{ SET, NULL, "a[0]\\", NULL, "{\"a\":[]}", NULL },
	{ SET, "{\"image\": {\"tag\": \"1.0\", \"pullPolicy\": \"Always\"}, \"replicas\": 1}", "image.tag=2.0,replicas=3", NULL,
	  "{\"image\":{\"tag\":\"2.0\",\"pullPolicy\":\"Always\"},\"replicas\":3}", NULL },
	{ SET, "{\"a\": {\"b\": 1}}", "a.b=null", NULL, "{\"a\":{\"b\":null}}", NULL },
	{ SET, "{\"a\": 1.5}", "a[0]=1", NULL, NULL,
	  "unable to parse key: interface conversion: interface {} is float64, not []interface {}" },
	{ SET, NULL, "o1.o2.o3.o4.o5.o6.o7.o8.o9.o10.o11.o12.o13.o14.o15.o16.o17.o18.o19.o20.o21.o22.o23.o24.o25.o26.o27.o28."
		     "o29.o30.o31=v", NULL, "{\"o1\":{\"o2\":{\"o3\":{\"o4\":{\"o5\":{\"o6\":{\"o7\":{\"o8\":{\"o9\":{\"o10\":{"
		     "\"o11\":{\"o12\":{\"o13\":{\"o14\":{\"o15\":{\"o16\":{\"o17\":{\"o18\":{\"o19\":{\"o20\":{\"o21\":{\"o22\":"
		     "{\"o23\":{\"o24\":{\"o25\":{\"o26\":{\"o27\":{\"o28\":{\"o29\":{\"o30\":{\"o31\":\"v\"}}}}}}}}}}}}}}}}}}}}}}}}"
		     "}}}}}}}", NULL },
	/* Go reads runes: a byte that starts none is U+FFFD; EqualFold folds 'ſ' to 's' */
	{ SET, NULL, "a=fal\xc5\xbf" "e,b=\xff,c=\xc3\xa9", NULL, "{\"a\":false,\"b\":\"\xef\xbf\xbd\",\"c\":\"\xc3\xa9\"}", NULL },
	{ SET, NULL, "k\xff", NULL, NULL, "key \"k\xef\xbf\xbd\" has no value" },
	{ SET, NULL, "a[0]\xe2\x82\xac=1", NULL, NULL, "unexpected data at end of array index: ['\xe2\x82\xac']" },
	{ SET, NULL, "a[0]'\t=1", NULL, NULL, "unexpected data at end of array index: ['\\'' '\\t']" },
	/* TestParseSetNestedLevels: name1. ... name31.name32 */
	{ SET, NULL, "name1.name2.name3.name4.name5.name6.name7.name8.name9.name10.name11.name12.name13.name14.name15.name16."
		     "name17.name18.name19.name20.name21.name22.name23.name24.name25.name26.name27.name28.name29.name30.name31."
		     "name32=value", NULL, NULL,
	  "value name nested level is greater than maximum supported nested level of 30" },
	/* TestParseInto */
	{ SET, "{\"outer\": {\"inner1\": \"overwrite\", \"inner2\": \"value2\"}}",
	  "outer.inner1=value1,outer.inner3=value3,outer.inner4=4", NULL,
	  "{\"outer\":{\"inner1\":\"value1\",\"inner2\":\"value2\",\"inner3\":\"value3\",\"inner4\":4}}", NULL },
	{ SET, NULL, "listOuter[0][0].type=listValue", "listOuter[0][0].status=alive",
	  "{\"listOuter\":[[{\"type\":\"listValue\",\"status\":\"alive\"}]]}", NULL },
	{ SET, NULL, "listOuter[0][0].type=listValue", "listOuter[1][0].status=alive",
	  "{\"listOuter\":[[{\"type\":\"listValue\"}],[{\"status\":\"alive\"}]]}", NULL },
	{ SET, "{\"listOuter\": [[[{\"exited\": \"old\"}]]]}", "listOuter[0][1][0].type=listValue",
	  "listOuter[0][0][1].status=alive",
	  "{\"listOuter\":[[[{\"exited\":\"old\"},{\"status\":\"alive\"}],[{\"type\":\"listValue\"}]]]}", NULL },
	/* TestParseSet testsString and TestParseIntoString */
	{ STR, NULL, "long_int_string=1234567890", NULL, "{\"long_int_string\":\"1234567890\"}", NULL },
	{ STR, NULL, "boolean=true", NULL, "{\"boolean\":\"true\"}", NULL },
	{ STR, NULL, "is_null=null", NULL, "{\"is_null\":\"null\"}", NULL },
	{ STR, NULL, "zero=0", NULL, "{\"zero\":\"0\"}", NULL },
	{ STR, "{\"outer\": {\"inner1\": \"overwrite\", \"inner2\": \"value2\"}}", "outer.inner1=1,outer.inner3=3", NULL,
	  "{\"outer\":{\"inner1\":\"1\",\"inner2\":\"value2\",\"inner3\":\"3\"}}", NULL },
	{ STR, NULL, "a={1,true}", NULL, "{\"a\":[\"1\",\"true\"]}", NULL },
	/* TestParseJSON */
	{ JSN, "{\"outer\": {\"inner1\": \"overwrite\", \"inner2\": \"value2\"}}",
	  "outer.inner1=\"1\",outer.inner3=3,outer.inner4=true,outer.inner5=\"true\"", NULL,
	  "{\"outer\":{\"inner1\":\"1\",\"inner2\":\"value2\",\"inner3\":3.0,\"inner4\":true,\"inner5\":\"true\"}}", NULL },
	{ JSN, "{\"outer\": {\"inner1\": {\"x\": \"overwrite\"}, \"inner2\": \"value2\", \"inner3\": [\"overwrite\"]}}",
	  "outer.inner1={\"a\":\"1\",\"b\":2,\"c\":[1,2,3]},outer.inner3=[\"new value 1\",\"new value 2\"],"
	  "outer.inner4={\"aa\":\"1\",\"bb\":2,\"cc\":[1,2,3]},outer.inner5=[{\"A\":\"1\",\"B\":2,\"C\":[1,2,3]}]", NULL,
	  "{\"outer\":{\"inner1\":{\"a\":\"1\",\"b\":2.0,\"c\":[1.0,2.0,3.0]},\"inner2\":\"value2\","
	  "\"inner3\":[\"new value 1\",\"new value 2\"],\"inner4\":{\"aa\":\"1\",\"bb\":2.0,\"cc\":[1.0,2.0,3.0]},"
	  "\"inner5\":[{\"A\":\"1\",\"B\":2.0,\"C\":[1.0,2.0,3.0]}]}}", NULL },
	{ JSN, "{\"outer\": {\"inner1\": {\"x\": \"overwrite\"}, \"inner2\": \"value2\"}}",
	  "outer.inner1=,outer.inner3={\"aa\":\"1\",\"bb\":2,\"cc\":[1,2,3]},outer.inner3.cc[1]=null", NULL,
	  "{\"outer\":{\"inner1\":null,\"inner2\":\"value2\",\"inner3\":{\"aa\":\"1\",\"bb\":2.0,\"cc\":[1.0,null,3.0]}}}",
	  NULL },
	{ JSN, NULL, "outer.inner1={\"a\":\"1\",\"b\":2,\"c\":[1,2,3]},outer.inner3=[\"new value 1\",\"new value 2\"],"
		     "outer.inner4={\"aa\":\"1\",\"bb\":2,\"cc\":[1,2,3]},outer.inner5={\"A\":\"1\",\"B\":2,\"C\":[1,2,3]}]",
	  NULL, NULL, "key \"]\" has no value" },
	{ JSN, NULL, "a=[1,2", NULL, NULL, "unexpected EOF" },
	{ JSN, NULL, "a=x", NULL, NULL, "invalid character 'x' looking for beginning of value" },
	{ JSN, NULL, "a=tru", NULL, NULL, "unexpected EOF" },
	{ JSN, NULL, "a=trux", NULL, NULL, "invalid character 'x' in literal true (expecting 'e')" },
	{ JSN, NULL, "a={\"k\" 1}", NULL, NULL, "invalid character '1' after object key" },
	{ JSN, NULL, "a=[1 2]", NULL, NULL, "invalid character '2' after array element" },
	{ JSN, NULL, "a=1e400", NULL, NULL, "json: cannot unmarshal number 1e400 into Go value of type float64" },
	{ JSN, NULL, "a=-", NULL, NULL, "unexpected EOF" },
	{ JSN, NULL, "a=-x", NULL, NULL, "invalid character 'x' in numeric literal" },
	{ JSN, NULL, "a=1.x", NULL, NULL, "invalid character 'x' after decimal point in numeric literal" },
	{ JSN, NULL, "a=\"\\q\"", NULL, NULL, "invalid character 'q' in string escape code" },
	{ JSN, NULL, "a=\"\\u12g4\"", NULL, NULL, "invalid character 'g' in \\u hexadecimal character escape" },
	{ JSN, NULL, "a=nul", NULL, NULL, "unexpected EOF" },
	{ JSN, NULL, "a={\"a\":1 x", NULL, NULL, "invalid character 'x' after object key:value pair" },
	{ JSN, NULL, "a=\"a\nb\"", NULL, NULL, "invalid character '\\n' in string literal" },
	{ JSN, NULL, "a=1ex", NULL, NULL, "invalid character 'x' in exponent of numeric literal" },
	{ JSN, NULL, "a=\xff", NULL, NULL, "invalid character '\xc3\xbf' looking for beginning of value" },
	{ JSN, NULL, "a=\x80", NULL, NULL, "invalid character '\\u0080' looking for beginning of value" },
	{ JSN, NULL, "a='", NULL, NULL, "invalid character '\\'' looking for beginning of value" },
	{ JSN, NULL, "a=\\", NULL, NULL, "invalid character '\\\\' looking for beginning of value" },
	{ JSN, NULL, "a={,}", NULL, NULL, "invalid character ',' looking for beginning of object key string" },
	{ JSN, NULL, "a=[1,]", NULL, NULL, "invalid character ']' looking for beginning of value" },
	{ JSN, NULL, "a=01", NULL, NULL, "key \"1\" has no value" },
	{ JSN, NULL, "a=1.5.3", NULL, NULL, "key \"3\" has no value" },
	{ JSN, NULL, "a={\"k\":1,\"k\":2},b=\"\xff\"", NULL, "{\"a\":{\"k\":2.0},\"b\":\"\xef\xbf\xbd\"}", NULL },

	{ JSN, NULL, "a= \"x\" ,b=1", NULL, "{\"a\":\"x\",\"b\":1.0}", NULL },
	{ JSN, NULL, "a[1]={\"k\":true}", NULL, "{\"a\":[null,{\"k\":true}]}", NULL },
	{ JSN, NULL, "a=\xc2\xa0 ,b=1", NULL, "{\"a\":null,\"b\":1.0}", NULL },
	/* --set-literal */
	{ LIT, NULL, "name=value,with,commas", NULL, "{\"name\":\"value,with,commas\"}", NULL },
	{ LIT, NULL, "a.b=x=y", NULL, "{\"a\":{\"b\":\"x=y\"}}", NULL },
	{ LIT, NULL, "a[1]=\\x", NULL, "{\"a\":[null,\"\\\\x\"]}", NULL },
	{ LIT, NULL, "a\\.b=1", NULL, "{\"a\\\\\":{\"b\":\"1\"}}", NULL },
	{ LIT, NULL, "a=true", NULL, "{\"a\":\"true\"}", NULL },
	{ LIT, NULL, "a", NULL, NULL, "key \"a\" has no value" },
};

START_TEST(test_helm)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *values = helm_cases[_i].before ? parse_tree(helm_cases[_i].before) : cJSON_CreateObject();
	int r = gitops_path_helm_set(values, helm_cases[_i].arg, helm_cases[_i].mode, &err);

	if (r == 0 && helm_cases[_i].arg2)
		r = gitops_path_helm_set(values, helm_cases[_i].arg2, helm_cases[_i].mode, &err);
	if (helm_cases[_i].after) {
		char *after;
		ck_assert_msg(r == 0, "%s: %s", helm_cases[_i].arg, err.msg);
		after = dump_tree(values);
		ck_assert_str_eq(after, helm_cases[_i].after);
		free(after);
	} else if (helm_cases[_i].err) {
		ck_assert_msg(r == -1, "%s: no error", helm_cases[_i].arg);
		ck_assert_str_eq(err.msg, helm_cases[_i].err);
		ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
	} else {
		/* success, the tree too big to write down */
		ck_assert_msg(r == 0, "%s: %s", helm_cases[_i].arg, err.msg);
	}
	cJSON_Delete(values);
}
END_TEST

/* a[65536]=1 fills 65536 nulls before the 1 */
START_TEST(test_helm_max_index)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *values = cJSON_CreateObject();
	const cJSON *a;

	ck_assert_int_eq(gitops_path_helm_set(values, "a[65536]=1", GITOPS_PATH_HELM_SET, &err), 0);
	a = cJSON_GetObjectItemCaseSensitive(values, "a");
	ck_assert_int_eq(cJSON_GetArraySize(a), 65537);
	ck_assert(cJSON_IsNull(cJSON_GetArrayItem(a, 65535)));
	ck_assert_int_eq(gitops_value_kind(cJSON_GetArrayItem(a, 65536)), GITOPS_VALUE_KIND_INT);
	cJSON_Delete(values);
}
END_TEST

/* Steps past GITOPS_PATH_MAX_STEPS are refused in every syntax. */
START_TEST(test_limits)
{
	struct gitops_path p = GITOPS_PATH_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	cJSON *values = cJSON_CreateObject();
	int i;

	for (i = 0; i < GITOPS_PATH_MAX_STEPS + 1; i++)
		gitops_buf_addstr(&b, "/a");
	ck_assert_int_eq(gitops_path_parse(&p, JP, b.data, 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than 512 steps at column"));
	b.len = 0;
	gitops_buf_addstr(&b, "a");
	for (i = 0; i < GITOPS_PATH_MAX_STEPS + 1; i++)
		gitops_buf_addstr(&b, "[0]");
	gitops_buf_addstr(&b, "=1");
	ck_assert_int_eq(gitops_path_helm_set(values, b.data, GITOPS_PATH_HELM_SET, &err), -1);
	ck_assert_str_eq(err.msg, "more than 512 nested keys and indexes");
	gitops_buf_release(&b);
	cJSON_Delete(values);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("path");
	TCase *tc = tcase_create("path");

	tcase_add_loop_test(tc, test_parse, 0, N(parse_cases));
	tcase_add_loop_test(tc, test_format, 0, N(format_cases));
	tcase_add_test(tc, test_assignment_split);
	tcase_add_loop_test(tc, test_get, 0, N(get_cases));
	tcase_add_loop_test(tc, test_edit, 0, N(edit_cases));
	tcase_add_loop_test(tc, test_helm, 0, N(helm_cases));
	tcase_add_test(tc, test_helm_max_index);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
