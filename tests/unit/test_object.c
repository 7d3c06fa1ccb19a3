/* object: what gitops_object_check asks (of a Secret's data and stringData too), identities, the idset, metadata. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/k8s/object.h"
#include "lib/yaml/yaml.h"

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

/* Objects other than Secrets: what the stream contract refuses, and the exact message. */
static const struct {
	const char *in;
	const char *msg;    /* NULL: valid */
} check_cases[] = {
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", NULL },
	{ "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\n", NULL },
	{ "apiVersion: example.com/v1alpha1\nkind: Widget2\nmetadata: {name: w.x-y, namespace: \"\"}\n", NULL },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: null, labels: {a: b}, annotations: {}}\n", NULL },
	{ "apiVersion: v1\nkind: List\nitems: []\n", NULL },
	{ "apiVersion: v1\nkind: List\n", NULL },
	{ "apiVersion: v1\nkind: ConfigMapList\nitems: []\n", NULL },
	{ "- a\n", "expected a mapping (a Kubernetes object), found a sequence" },
	{ "kind: ConfigMap\nmetadata: {name: a}\n", "missing apiVersion" },
	{ "apiVersion: 1\nkind: ConfigMap\nmetadata: {name: a}\n", "apiVersion must be a string, not a number" },
	{ "apiVersion: \"\"\nkind: ConfigMap\nmetadata: {name: a}\n", "apiVersion '' is malformed" },
	{ "apiVersion: \"v 1\"\nkind: ConfigMap\nmetadata: {name: a}\n", "apiVersion 'v 1' is malformed" },
	{ "apiVersion: a/b/c\nkind: ConfigMap\nmetadata: {name: a}\n",
	  "apiVersion 'a/b/c' is malformed (want GROUP/VERSION or VERSION)" },
	{ "apiVersion: /v1\nkind: ConfigMap\nmetadata: {name: a}\n",
	  "apiVersion '/v1' is malformed (want GROUP/VERSION or VERSION)" },
	{ "apiVersion: apps/\nkind: ConfigMap\nmetadata: {name: a}\n",
	  "apiVersion 'apps/' is malformed (want GROUP/VERSION or VERSION)" },
	{ "apiVersion: Apps/v1\nkind: Deployment\nmetadata: {name: a}\n", "apiVersion 'Apps/v1' has an invalid group 'Apps'" },
	{ "apiVersion: -x.io/v1\nkind: W\nmetadata: {name: a}\n", "apiVersion '-x.io/v1' has an invalid group '-x.io'" },
	{ "apiVersion: v1\nmetadata: {name: a}\n", "missing kind" },
	{ "apiVersion: v1\nkind: [a]\nmetadata: {name: a}\n", "kind must be a string, not a sequence" },
	{ "apiVersion: v1\nkind: Config-Map\nmetadata: {name: a}\n", "kind 'Config-Map' is malformed" },
	{ "apiVersion: v1\nkind: \"\"\nmetadata: {name: a}\n", "kind '' is malformed" },
	{ "apiVersion: v1\nkind: List\nitems: {a: 1}\n", "items of a List must be a sequence, not a mapping" },
	{ "apiVersion: v1\nkind: ConfigMap\n", "missing metadata" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: a\n", "metadata must be a mapping, not a string" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "missing metadata.name" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: null}\n", "missing metadata.name" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: a-}\n",
	  "missing metadata.name (metadata.generateName cannot be applied)" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: true}\n", "metadata.name must be a string, not a boolean" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"\"}\n", "metadata.name is empty" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a/b}\n",
	  "metadata.name 'a/b' is not a valid name (no '/', '%' or blanks; not '.' or '..')" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"..\"}\n",
	  "metadata.name '..' is not a valid name (no '/', '%' or blanks; not '.' or '..')" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"a b\"}\n",
	  "metadata.name 'a b' is not a valid name (no '/', '%' or blanks; not '.' or '..')" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: 5}\n",
	  "metadata.namespace must be a string, not a number" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: Prod}\n",
	  "metadata.namespace 'Prod' is not a valid namespace name" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: a.b}\n",
	  "metadata.namespace 'a.b' is not a valid namespace name" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: [x]}\n",
	  "metadata.labels must be a mapping, not a sequence" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: 1}}\n",
	  "metadata.labels.x must be a string, not a number (quote it)" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: {\"\": x}}\n",
	  "metadata.annotations has an empty key" },
};

START_TEST(test_check)
{
	cJSON *obj = parse(check_cases[_i].in);
	struct gitops_err e = GITOPS_ERR_INIT;
	int ret = gitops_object_check(obj, &e);

	if (check_cases[_i].msg) {
		ck_assert_msg(ret == -1, "%s: accepted", check_cases[_i].in);
		ck_assert_int_eq(e.code, GITOPS_EXIT_INPUT);
		ck_assert_str_eq(e.msg, check_cases[_i].msg);
	} else {
		ck_assert_msg(ret == 0, "%s: %s", check_cases[_i].in, e.msg);
	}
	cJSON_Delete(obj);
}
END_TEST

START_TEST(test_check_name_length)
{
	struct gitops_err e = GITOPS_ERR_INIT;
	char text[600];
	cJSON *obj;

	snprintf(text, sizeof(text), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"%0253d\"}\n", 7);
	obj = parse(text);
	ck_assert_msg(gitops_object_check(obj, &e) == 0, "%s", e.msg);
	cJSON_Delete(obj);
	snprintf(text, sizeof(text), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"%0254d\"}\n", 7);
	obj = parse(text);
	ck_assert_int_eq(gitops_object_check(obj, &e), -1);
	ck_assert_str_eq(e.msg, "metadata.name is longer than 253 characters ('0000000000000000000000000000000000000000...')");
	cJSON_Delete(obj);
}
END_TEST

/* Identity: group and version apart, an empty namespace as none, and how messages show it. */
static const struct {
	const char *in;
	int ret;
	const char *group, *version, *shown;
} id_cases[] = {
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: ns}\n", 0, "", "v1", "v1/ConfigMap ns/a" },
	{ "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\n", 0, "apps", "v1",
	  "apps/v1/Deployment prod/web" },
	{ "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n", 0, "", "v1", "v1/Namespace prod" },
	{ "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r, namespace: \"\"}\n", 0,
	  "rbac.authorization.k8s.io", "v1", "rbac.authorization.k8s.io/v1/ClusterRole r" },
	{ "kind: ConfigMap\nmetadata: {name: a}\n", -1, "", "", "/ConfigMap a" },
	{ "apiVersion: v1\nmetadata: {name: a}\n", -1, "", "", "/? a" },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: ns}\n", -1, "", "", "/ConfigMap ns/?" },
};

START_TEST(test_id)
{
	cJSON *obj = parse(id_cases[_i].in);
	struct gitops_id id;
	char shown[600];

	ck_assert_int_eq(gitops_object_id(&id, obj), id_cases[_i].ret);
	ck_assert_str_eq(id.group, id_cases[_i].group);
	ck_assert_str_eq(id.version, id_cases[_i].version);
	gitops_id_format(&id, shown, sizeof(shown));
	ck_assert_str_eq(shown, id_cases[_i].shown);
	cJSON_Delete(obj);
}
END_TEST

/* The idset: one object is its group, kind, namespace and name; the version does not count. */
static const struct {
	const char *a, *b;
	int same;
} idset_cases[] = {
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", 1 },
	{ "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n",
	  "apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: a}\n", 1 },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: \"\"}\n",
	  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", 1 },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n",
	  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: y}\n", 0 },
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n", 0 },
	{ "apiVersion: a.io/v1\nkind: W\nmetadata: {name: a}\n", "apiVersion: b.io/v1\nkind: W\nmetadata: {name: a}\n", 0 },
	/* the parts are kept apart: no concatenation collides */
	{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bc, namespace: a}\n",
	  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ab}\n", 0 },
};

START_TEST(test_idset)
{
	cJSON *a = parse(idset_cases[_i].a), *b = parse(idset_cases[_i].b);
	struct gitops_idset *s = NULL;
	struct gitops_id ia, ib;
	unsigned fi = 0, fl = 0;

	ck_assert_int_eq(gitops_idset_new(&s), 0);
	ck_assert_int_eq(gitops_object_id(&ia, a), 0);
	ck_assert_int_eq(gitops_object_id(&ib, b), 0);
	ck_assert_int_eq(gitops_idset_add(s, &ia, 1, 10, &fi, &fl), 1);
	ck_assert_int_eq(gitops_idset_add(s, &ib, 2, 20, &fi, &fl), idset_cases[_i].same ? 0 : 1);
	if (idset_cases[_i].same) {
		ck_assert_uint_eq(fi, 1);
		ck_assert_uint_eq(fl, 10);
	}
	gitops_idset_free(s);
	gitops_idset_free(NULL);
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

/* Many identities: growth keeps what was seen and where. */
START_TEST(test_idset_many)
{
	struct gitops_idset *s = NULL;
	struct gitops_id id;
	char name[32];
	unsigned i, fi, fl;

	ck_assert_int_eq(gitops_idset_new(&s), 0);
	memset(&id, 0, sizeof(id));
	snprintf(id.version, sizeof(id.version), "v1");
	id.kind = "ConfigMap";
	id.name = name;
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "cm-%u", i);
		ck_assert_int_eq(gitops_idset_add(s, &id, 0, i + 1, &fi, &fl), 1);
	}
	for (i = 0; i < 5000; i += 7) {
		snprintf(name, sizeof(name), "cm-%u", i);
		ck_assert_int_eq(gitops_idset_add(s, &id, 1, 0, &fi, &fl), 0);
		ck_assert_uint_eq(fi, 0);
		ck_assert_uint_eq(fl, i + 1);
	}
	gitops_idset_free(s);
}
END_TEST

START_TEST(test_set_meta)
{
	cJSON *obj = parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");

	ck_assert_ptr_null(gitops_object_annotation(obj, "k"));
	ck_assert_int_eq(gitops_object_set_annotation(obj, "k", "v1"), 0);
	ck_assert_str_eq(gitops_object_annotation(obj, "k"), "v1");
	ck_assert_int_eq(gitops_object_set_annotation(obj, "k", "v2"), 0);
	ck_assert_str_eq(gitops_object_annotation(obj, "k"), "v2");
	ck_assert_int_eq(cJSON_GetArraySize(gitops_json_get(obj, "metadata", "annotations", NULL)), 1);
	ck_assert_int_eq(gitops_object_set_label(obj, "app", "web"), 0);
	ck_assert_str_eq(gitops_object_label(obj, "app"), "web");
	ck_assert_str_eq(gitops_json_get_string(obj, "metadata", "labels", "app", NULL), "web");
	ck_assert_ptr_null(gitops_json_get_string(obj, "metadata", NULL));
	ck_assert_ptr_null(gitops_json_get(obj, "metadata", "nope", "deeper", NULL));
	ck_assert_str_eq(gitops_json_type_name(gitops_json_get(obj, "metadata", NULL)), "a mapping");
	cJSON_Delete(obj);
}
END_TEST

/* Where an object came from, for messages: from the provenance annotations gitops-render stamps. */
static const struct {
	const char *annotations; /* flow mapping */
	const char *want;        /* NULL: none */
} provenance_cases[] = {
	{ "{gitops.dev/source: 'https://git.example.com/r.git//envs/prod', gitops.dev/file: envs/prod/web.yaml, "
	  "gitops.dev/revision: 0123456789abcdef}", "https://git.example.com/r.git//envs/prod/web.yaml@0123456" },
	{ "{gitops.dev/source: 'https://git.example.com/r.git', gitops.dev/file: web.yaml, gitops.dev/revision: abc}",
	  "https://git.example.com/r.git//web.yaml@abc" },
	{ "{gitops.dev/source: '/srv/repo//a/b', gitops.dev/file: a/b/c.yaml, gitops.dev/revision: '0123456789'}",
	  "/srv/repo//a/b/c.yaml@0123456" },
	{ "{gitops.dev/source: 'ssh://git@h/r.git//envs/prod', gitops.dev/revision: '0123456789'}",
	  "ssh://git@h/r.git//envs/prod@0123456" },
	{ "{gitops.dev/source: 'r//p'}", NULL },
	{ "{gitops.dev/file: x.yaml, gitops.dev/revision: '0123456789'}", NULL },
	{ "{}", NULL },
};

START_TEST(test_provenance)
{
	char text[512];
	cJSON *obj = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	char *got;

	snprintf(text, sizeof(text), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, annotations: %s}\n",
		 provenance_cases[_i].annotations);
	ck_assert_int_eq(gitops_yaml_parse_one(&obj, text, strlen(text), "t", NULL, &err), 0);
	got = gitops_object_provenance(obj);
	if (provenance_cases[_i].want)
		ck_assert_str_eq(got, provenance_cases[_i].want);
	else
		ck_assert_ptr_null(got);
	free(got);
	cJSON_Delete(obj);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("object");
	TCase *tc = tcase_create("secret"), *tk = tcase_create("check"), *ti = tcase_create("identity"),
	      *tm = tcase_create("metadata");

	tcase_add_loop_test(tc, test_secret_invalid, 0, (int)(sizeof(invalid_cases) / sizeof(invalid_cases[0])));
	tcase_add_loop_test(tc, test_secret_valid, 0, (int)(sizeof(valid_cases) / sizeof(valid_cases[0])));
	tcase_add_loop_test(tk, test_check, 0, (int)(sizeof(check_cases) / sizeof(check_cases[0])));
	tcase_add_test(tk, test_check_name_length);
	tcase_add_loop_test(tm, test_provenance, 0, (int)(sizeof(provenance_cases) / sizeof(provenance_cases[0])));
	tcase_add_loop_test(ti, test_id, 0, (int)(sizeof(id_cases) / sizeof(id_cases[0])));
	tcase_add_loop_test(ti, test_idset, 0, (int)(sizeof(idset_cases) / sizeof(idset_cases[0])));
	tcase_add_test(ti, test_idset_many);
	tcase_add_test(tm, test_set_meta);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tk);
	suite_add_tcase(s, ti);
	suite_add_tcase(s, tm);
	return gitops_check_run(s);
}
