/* Unit tests for lib/diff.c: normalisation, Secret masking, unified diff text, colour. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sync/compare.h"
#include "lib/sync/diff.h"
#include "lib/sync/difftext.h"
#include "lib/sync/plan.h"
#include "lib/yaml/yaml.h"
#include "tests/unit/check_main.h"

static cJSON *parse(const char *yaml)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *out = NULL;

	if (!yaml)
		return NULL;
	ck_assert_msg(gitops_yaml_parse_one(&out, yaml, strlen(yaml), "test", &limits, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(out);
	return out;
}

static void assert_json(const cJSON *got, const char *want)
{
	char *s = got ? cJSON_PrintUnformatted(got) : NULL;

	if (!want) {
		ck_assert_ptr_null(got);
		return;
	}
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, want);
	free(s);
}

/* --- normalisation --- */

#define CM_META(m) "{apiVersion: v1, kind: ConfigMap, metadata: {name: a" m "}, data: {k: v}}"
#define CM_JSON(m) "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"" m "},\"data\":{\"k\":\"v\"}}"
#define MANIFEST "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {k: v}}"
#define LA "kubectl.kubernetes.io/last-applied-configuration"

static const struct {
	const char *what;
	const char *obj;
	const char *manifest;   /* NULL: none */
	const char *want;
} normalize_cases[] = {
	{ "managedFields", CM_META(", managedFields: [{manager: gitops, operation: Apply}]"), MANIFEST, CM_JSON("") },
	{ "resourceVersion", CM_META(", resourceVersion: '123'"), MANIFEST, CM_JSON("") },
	{ "generation", CM_META(", generation: 4"), MANIFEST, CM_JSON("") },
	{ "uid", CM_META(", uid: 0b8c0d5e-5a1b-4c3e-9d6f-1a2b3c4d5e6f"), MANIFEST, CM_JSON("") },
	{ "creationTimestamp", CM_META(", creationTimestamp: '2026-11-26T08:00:00Z'"), MANIFEST, CM_JSON("") },
	{ "selfLink", CM_META(", selfLink: /api/v1/namespaces/x/configmaps/a"), MANIFEST, CM_JSON("") },
	{ "last-applied alone: the annotations go", CM_META(", annotations: {" LA ": '{}'}"), MANIFEST, CM_JSON("") },
	{ "last-applied among others: the others stay", CM_META(", annotations: {" LA ": '{}', team: a}"), MANIFEST,
	  CM_JSON(",\"annotations\":{\"team\":\"a\"}") },
	{ "an empty annotations mapping not emptied here stays", CM_META(", annotations: {}"), MANIFEST,
	  CM_JSON(",\"annotations\":{}") },
	{ "status", "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {k: v}, status: {phase: x}}", MANIFEST,
	  CM_JSON("") },
	{ "all at once, no manifest",
	  CM_META(", uid: u, resourceVersion: '1', generation: 1, creationTimestamp: t, selfLink: /x, managedFields: [], "
		  "annotations: {" LA ": '{}'}"),
	  NULL, CM_JSON("") },
	{ "user fields stay", "{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: ns1, labels: {l: v}, "
	  "annotations: {a: b}, finalizers: [f]}, data: {uid: x, status: st, resourceVersion: z}}", MANIFEST,
	  "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"namespace\":\"ns1\",\"labels\":{\"l\":"
	  "\"v\"},\"annotations\":{\"a\":\"b\"},\"finalizers\":[\"f\"]},\"data\":{\"uid\":\"x\",\"status\":\"st\","
	  "\"resourceVersion\":\"z\"}}" },
	{ "status the manifest sets stays", "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, status: {phase: x}}",
	  "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, status: {phase: y}}",
	  "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},\"status\":{\"phase\":\"x\"}}" },
	{ "a last-applied annotation the manifest sets stays", CM_META(", annotations: {" LA ": '{}'}"),
	  "{apiVersion: v1, kind: ConfigMap, metadata: {name: a, annotations: {" LA ": x}}}",
	  CM_JSON(",\"annotations\":{\"" LA "\":\"{}\"}") },
	{ "metadata fields the manifest sets stay", CM_META(", generation: 4, uid: u"),
	  "{apiVersion: v1, kind: ConfigMap, metadata: {name: a, generation: 1, uid: null}}",
	  CM_JSON(",\"generation\":4") },
	{ "null creationTimestamp in a pod template",
	  "{apiVersion: apps/v1, kind: Deployment, metadata: {name: a}, spec: {template: {metadata: "
	  "{creationTimestamp: null, labels: {app: a}}, spec: {containers: []}}}}",
	  NULL,
	  "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"a\"},\"spec\":{\"template\":"
	  "{\"metadata\":{\"labels\":{\"app\":\"a\"}},\"spec\":{\"containers\":[]}}}}" },
	{ "a nested creationTimestamp that is set stays",
	  "{apiVersion: v1, kind: X, metadata: {name: a}, spec: {metadata: {creationTimestamp: '2026'}}}", NULL,
	  "{\"apiVersion\":\"v1\",\"kind\":\"X\",\"metadata\":{\"name\":\"a\"},\"spec\":{\"metadata\":"
	  "{\"creationTimestamp\":\"2026\"}}}" },
};

START_TEST(test_normalize)
{
	cJSON *obj = parse(normalize_cases[_i].obj), *manifest = parse(normalize_cases[_i].manifest);
	char *s;

	gitops_compare_normalize(obj, manifest);
	s = cJSON_PrintUnformatted(obj);
	ck_assert_msg(!strcmp(s, normalize_cases[_i].want), "%s: got %s", normalize_cases[_i].what, s);
	free(s);
	cJSON_Delete(obj);
	cJSON_Delete(manifest);
}
END_TEST

/* --- masking --- */

#define SEC(f) "{apiVersion: v1, kind: Secret, metadata: {name: s}, " f "}"
#define JSEC(f) "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"}," f "}"
#define M "\"***\""
#define MB "\"*** (before)\""
#define MA "\"*** (after)\""

static const struct {
	const char *what;
	const char *live, *desired;             /* NULL: not on that side */
	const char *want_live, *want_desired;
} mask_cases[] = {
	{ "unchanged value", SEC("data: {a: c2VjcmV0}"), SEC("data: {a: c2VjcmV0}"), JSEC("\"data\":{\"a\":" M "}"),
	  JSEC("\"data\":{\"a\":" M "}") },
	{ "changed value", SEC("data: {a: c2VjcmV0}"), SEC("data: {a: b3RoZXI=}"), JSEC("\"data\":{\"a\":" MB "}"),
	  JSEC("\"data\":{\"a\":" MA "}") },
	{ "added key", SEC("data: {a: eA==}"), SEC("data: {a: eA==, b: eQ==}"), JSEC("\"data\":{\"a\":" M "}"),
	  JSEC("\"data\":{\"a\":" M ",\"b\":" M "}") },
	{ "removed key", SEC("data: {a: eA==, b: eQ==}"), SEC("data: {b: eQ==}"),
	  JSEC("\"data\":{\"a\":" M ",\"b\":" M "}"), JSEC("\"data\":{\"b\":" M "}") },
	{ "stringData changed", SEC("stringData: {p: one, q: same}"), SEC("stringData: {p: two, q: same}"),
	  JSEC("\"stringData\":{\"p\":" MB ",\"q\":" M "}"), JSEC("\"stringData\":{\"p\":" MA ",\"q\":" M "}") },
	{ "stringData on one side, data on the other", SEC("data: {p: aGk=}"), SEC("stringData: {p: hi}"),
	  JSEC("\"data\":{\"p\":" M "}"), JSEC("\"stringData\":{\"p\":" M "}") },
	{ "binary-ish data, null and a number", SEC("data: {bin: AAEC/w==, nul: null, num: 5}"),
	  SEC("data: {bin: AAEC/g==, nul: null, num: 5}"), JSEC("\"data\":{\"bin\":" MB ",\"nul\":" M ",\"num\":" M "}"),
	  JSEC("\"data\":{\"bin\":" MA ",\"nul\":" M ",\"num\":" M "}") },
	{ "data that is no mapping is masked whole", SEC("data: c2VjcmV0"), SEC("data: {a: eA==}"),
	  JSEC("\"data\":" MB), JSEC("\"data\":" MA) },
	{ "only desired (Missing)", NULL, SEC("data: {a: eA==}, stringData: {b: y}"), NULL,
	  JSEC("\"data\":{\"a\":" M "},\"stringData\":{\"b\":" M "}") },
	{ "only live (Extraneous)", SEC("data: {a: eA==}"), NULL, JSEC("\"data\":{\"a\":" M "}"), NULL },
	{ "empty and null data stay as they are", SEC("data: {}"), SEC("data: null"), JSEC("\"data\":{}"),
	  JSEC("\"data\":null") },
	{ "the type and the keys stay", SEC("type: Opaque, data: {k: eA==}"), SEC("type: Opaque, data: {k: eA==}"),
	  JSEC("\"type\":\"Opaque\",\"data\":{\"k\":" M "}"), JSEC("\"type\":\"Opaque\",\"data\":{\"k\":" M "}") },
	{ "a ConfigMap is not masked", "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: x}}",
	  "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: z}}",
	  "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"x\"}}",
	  "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"z\"}}" },
	{ "a Secret kind of another group is not masked",
	  "{apiVersion: example.com/v1, kind: Secret, metadata: {name: c}, data: {a: x}}", NULL,
	  "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"x\"}}",
	  NULL },
	{ "values inside the last-applied annotation",
	  "{apiVersion: v1, kind: Secret, metadata: {name: s, annotations: {" LA ": "
	  "'{\"apiVersion\":\"v1\",\"data\":{\"a\":\"eA==\",\"b\":\"eQ==\"},\"kind\":\"Secret\"}\n'}}, data: {a: eA==}}",
	  "{apiVersion: v1, kind: Secret, metadata: {name: s, annotations: {" LA ": "
	  "'{\"apiVersion\":\"v1\",\"data\":{\"a\":\"eg==\",\"b\":\"eQ==\"},\"kind\":\"Secret\"}'}}, data: {a: eg==}}",
	  "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\",\"annotations\":{\"" LA "\":"
	  "\"{\\\"apiVersion\\\":\\\"v1\\\",\\\"data\\\":{\\\"a\\\":\\\"*** (before)\\\",\\\"b\\\":\\\"***\\\"},"
	  "\\\"kind\\\":\\\"Secret\\\"}\"}},\"data\":{\"a\":" MB "}}",
	  "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\",\"annotations\":{\"" LA "\":"
	  "\"{\\\"apiVersion\\\":\\\"v1\\\",\\\"data\\\":{\\\"a\\\":\\\"*** (after)\\\",\\\"b\\\":\\\"***\\\"},"
	  "\\\"kind\\\":\\\"Secret\\\"}\"}},\"data\":{\"a\":" MA "}}" },
	{ "a last-applied annotation that is not JSON is masked whole",
	  "{apiVersion: v1, kind: Secret, metadata: {name: s, annotations: {" LA ": 'data: {a: secret}'}}}", NULL,
	  "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\",\"annotations\":{\"" LA "\":" M "}}}",
	  NULL },
};

START_TEST(test_mask)
{
	cJSON *live = parse(mask_cases[_i].live), *desired = parse(mask_cases[_i].desired);

	ck_assert_int_eq(gitops_compare_mask_secrets(live, desired), 0);
	assert_json(live, mask_cases[_i].want_live);
	assert_json(desired, mask_cases[_i].want_desired);
	cJSON_Delete(live);
	cJSON_Delete(desired);
}
END_TEST

/* --- the unified diff text --- */

#define TEN "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"

static const struct {
	const char *what;
	const char *old_text, *new_text;
	int color;
	const char *want;
} text_cases[] = {
	{ "equal: nothing", TEN, TEN, 0, "" },
	{ "equal with colour: nothing", TEN, TEN, 1, "" },
	{ "one line, 3 lines of context, the section it is in", TEN, "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\n", 0,
	  "--- old\n+++ new\n@@ -2,7 +2,7 @@ a\n b\n c\n d\n-e\n+E\n f\n g\n h\n" },
	{ "two hunks", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n", "A\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nM\n", 0,
	  "--- old\n+++ new\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n d\n@@ -10,4 +10,4 @@ i\n j\n k\n l\n-m\n+M\n" },
	{ "added whole", "", "x: 1\ny: 2\n", 0, "--- old\n+++ new\n@@ -0,0 +1,2 @@\n+x: 1\n+y: 2\n" },
	{ "removed whole", "x: 1\n", "", 0, "--- old\n+++ new\n@@ -1 +0,0 @@\n-x: 1\n" },
	{ "no line break at the end", "a\n", "b", 0, "--- old\n+++ new\n@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n" },
	{ "colour", "a\n", "b\n", 1,
	  "\033[1m--- old\033[0m\n\033[1m+++ new\033[0m\n\033[36m@@ -1 +1 @@\033[0m\n\033[31m-a\033[0m\n\033[32m+b\033[0m\n" },
	{ "colour: the section stays plain, context lines too", "k:\n  a: 1\n  b: 2\n  c: 3\n  d: 4\n",
	  "k:\n  a: 1\n  b: 2\n  c: 3\n  d: 5\n", 1,
	  "\033[1m--- old\033[0m\n\033[1m+++ new\033[0m\n\033[36m@@ -2,4 +2,4 @@\033[0m k:\n   a: 1\n   b: 2\n   c: 3\n"
	  "\033[31m-  d: 4\033[0m\n\033[32m+  d: 5\033[0m\n" },
};

START_TEST(test_text)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *out = NULL;

	ck_assert_int_eq(gitops_difftext_unified(&out, text_cases[_i].old_text, strlen(text_cases[_i].old_text),
					  text_cases[_i].new_text, strlen(text_cases[_i].new_text), "old", "new",
					  text_cases[_i].color, &err), 0);
	ck_assert_msg(!strcmp(out, text_cases[_i].want), "%s: got\n%s", text_cases[_i].what, out);
	free(out);
}
END_TEST

/* --- whole objects --- */

static const struct gitops_diff_show plain = { 0, 0 }, secrets_shown = { 1, 0 }, colored = { 0, 1 };

static char *object_diff(const char *live, const char *desired, const char *manifest,
			 const struct gitops_diff_show *show, enum gitops_diff_sync *sync)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *l = parse(live), *d = parse(desired), *m = parse(manifest);
	char *out = NULL;

	ck_assert_msg(gitops_diff_object(&out, sync, l, d, m, "v1/Kind ns/x", show, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(out);
	cJSON_Delete(l);
	cJSON_Delete(d);
	cJSON_Delete(m);
	return out;
}

#define LIVE_CM "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: ns\n  uid: 1234\n" \
		"  resourceVersion: '77'\n  creationTimestamp: '2026-11-26T08:00:00Z'\n  managedFields:\n" \
		"  - manager: gitops\n  labels:\n    app: web\n    extra: by-hand\ndata:\n  a: '1'\n  b: '2'\n"

START_TEST(test_equal_objects)
{
	enum gitops_diff_sync sync = GITOPS_DIFF_OUT_OF_SYNC;
	/* the same object after another write: only the noise differs */
	char *out = object_diff(LIVE_CM,
				"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: ns\n  uid: 1234\n"
				"  resourceVersion: '78'\n  creationTimestamp: '2026-11-26T08:00:00Z'\n  managedFields:\n"
				"  - manager: gitops\n  - manager: kubectl\n  labels:\n    app: web\n    extra: by-hand\n"
				"data:\n  a: '1'\n  b: '2'\nstatus: {}\n", NULL, &plain, &sync);

	ck_assert_int_eq(sync, GITOPS_DIFF_SYNCED);
	ck_assert_str_eq(out, "");
	free(out);
	out = object_diff(LIVE_CM, LIVE_CM, NULL, &colored, &sync);
	ck_assert_int_eq(sync, GITOPS_DIFF_SYNCED);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

START_TEST(test_out_of_sync)
{
	enum gitops_diff_sync sync;
	char *out = object_diff(LIVE_CM,
				"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: ns\n  uid: 1234\n"
				"  resourceVersion: '78'\n  labels:\n    app: web\n    extra: by-hand\ndata:\n  a: '1'\n"
				"  b: '3'\n", NULL, &plain, &sync);

	ck_assert_int_eq(sync, GITOPS_DIFF_OUT_OF_SYNC);
	ck_assert_str_eq(out, "--- v1/Kind ns/x (live)\n+++ v1/Kind ns/x (desired)\n@@ -8,4 +8,4 @@ metadata:\n"
			      "     extra: by-hand\n data:\n   a: \"1\"\n-  b: \"2\"\n+  b: \"3\"\n");
	free(out);
}
END_TEST

START_TEST(test_missing_and_extraneous)
{
	enum gitops_diff_sync sync;
	char *out = object_diff(NULL, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, uid: u}\ndata: {a: '1'}\n",
				NULL, &plain, &sync);

	ck_assert_int_eq(sync, GITOPS_DIFF_MISSING);
	ck_assert_str_eq(out, "--- v1/Kind ns/x (not live)\n+++ v1/Kind ns/x (desired)\n@@ -0,0 +1,6 @@\n"
			      "+apiVersion: v1\n+kind: ConfigMap\n+metadata:\n+  name: x\n+data:\n+  a: \"1\"\n");
	free(out);
	/* the server writes kind first: apiVersion and kind come first, in that order, the rest as it was */
	out = object_diff(NULL, "metadata: {name: x}\nkind: ConfigMap\ndata: {a: '1'}\napiVersion: v1\n", NULL, &plain, &sync);
	ck_assert_str_eq(out, "--- v1/Kind ns/x (not live)\n+++ v1/Kind ns/x (desired)\n@@ -0,0 +1,6 @@\n"
			      "+apiVersion: v1\n+kind: ConfigMap\n+metadata:\n+  name: x\n+data:\n+  a: \"1\"\n");
	free(out);
	out = object_diff("apiVersion: v1\nkind: Secret\nmetadata: {name: x, resourceVersion: '9'}\n"
			  "data: {token: c2VjcmV0LXRva2Vu}\n", NULL, NULL, &plain, &sync);
	ck_assert_int_eq(sync, GITOPS_DIFF_EXTRANEOUS);
	ck_assert_str_eq(out, "--- v1/Kind ns/x (live)\n+++ v1/Kind ns/x (pruned)\n@@ -1,6 +0,0 @@\n"
			      "-apiVersion: v1\n-kind: Secret\n-metadata:\n-  name: x\n-data:\n-  token: '***'\n");
	free(out);
}
END_TEST

#define SECRET(v) "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ntype: Opaque\ndata: {password: " v ", user: Ym9i}\n"

START_TEST(test_secret_object)
{
	enum gitops_diff_sync sync;
	char *out = object_diff(SECRET("aHVudGVyMg=="), SECRET("aHVudGVyMw=="), NULL, &plain, &sync);

	ck_assert_int_eq(sync, GITOPS_DIFF_OUT_OF_SYNC);
	ck_assert_str_eq(out, "--- v1/Kind ns/x (live)\n+++ v1/Kind ns/x (desired)\n@@ -4,5 +4,5 @@ metadata:\n"
			      "   name: x\n type: Opaque\n data:\n-  password: '*** (before)'\n+  password: '*** (after)'\n"
			      "   user: '***'\n");
	ck_assert_ptr_null(strstr(out, "aHVudGVy"));
	ck_assert_ptr_null(strstr(out, "Ym9i"));
	free(out);
	/* --show-secrets */
	out = object_diff(SECRET("aHVudGVyMg=="), SECRET("aHVudGVyMw=="), NULL, &secrets_shown, &sync);
	ck_assert_int_eq(sync, GITOPS_DIFF_OUT_OF_SYNC);
	ck_assert_str_eq(out, "--- v1/Kind ns/x (live)\n+++ v1/Kind ns/x (desired)\n@@ -4,5 +4,5 @@ metadata:\n"
			      "   name: x\n type: Opaque\n data:\n-  password: aHVudGVyMg==\n+  password: aHVudGVyMw==\n"
			      "   user: Ym9i\n");
	free(out);
	/* equal Secrets: in sync, whatever the masking */
	out = object_diff(SECRET("aHVudGVyMg=="), SECRET("aHVudGVyMg=="), NULL, &plain, &sync);
	ck_assert_int_eq(sync, GITOPS_DIFF_SYNCED);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

START_TEST(test_manifest_field_shown)
{
	enum gitops_diff_sync sync;
	/* the manifest sets status: a change to it is shown, not normalised away */
	char *out = object_diff("apiVersion: v1\nkind: X\nmetadata: {name: x}\nstatus: {phase: a}\n",
				"apiVersion: v1\nkind: X\nmetadata: {name: x}\nstatus: {phase: b}\n",
				"apiVersion: v1\nkind: X\nmetadata: {name: x}\nstatus: {phase: b}\n", &plain, &sync);

	ck_assert_int_eq(sync, GITOPS_DIFF_OUT_OF_SYNC);
	ck_assert_str_eq(out, "--- v1/Kind ns/x (live)\n+++ v1/Kind ns/x (desired)\n@@ -3,4 +3,4 @@ kind: X\n"
			      " metadata:\n   name: x\n status:\n-  phase: a\n+  phase: b\n");
	free(out);
	/* without it in the manifest, the same change is noise */
	out = object_diff("apiVersion: v1\nkind: X\nmetadata: {name: x}\nstatus: {phase: a}\n",
			  "apiVersion: v1\nkind: X\nmetadata: {name: x}\nstatus: {phase: b}\n",
			  "apiVersion: v1\nkind: X\nmetadata: {name: x}\n", &plain, &sync);
	ck_assert_int_eq(sync, GITOPS_DIFF_SYNCED);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

/* --- in sync without a dry run --- */

#define MF_GITOPS "{apiVersion: v1, fieldsType: FieldsV1, manager: gitops, operation: Apply, fieldsV1: " \
		  "{'f:data': {'f:a': {}, 'f:b': {}}, 'f:metadata': {'f:labels': {'f:app': {}}}}}"
#define MF_LABEL "{apiVersion: v1, fieldsType: FieldsV1, manager: kubectl-label, operation: Update, fieldsV1: " \
		 "{'f:metadata': {'f:labels': {'f:extra': {}}}}}"
#define CM_LIVE(mf, data) "{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: ns, uid: u, " \
			  "resourceVersion: '5', labels: {app: web, extra: by-hand}, managedFields: [" mf "]}, data: " data "}"
#define CM_BODY(data) "{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: ns, labels: {app: web}}, " \
		      "data: " data "}"
#define DEP_MF "{apiVersion: apps/v1, fieldsType: FieldsV1, manager: gitops, operation: Apply, fieldsV1: {'f:spec': " \
	       "{'f:replicas': {}, 'f:selector': {}, 'f:template': {'f:metadata': {'f:labels': {'f:app': {}}}, " \
	       "'f:spec': {'f:containers': {'k:{\"name\":\"web\"}': {'.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': " \
	       "{'k:{\"containerPort\":8080,\"protocol\":\"TCP\"}': {'.': {}, 'f:containerPort': {}, 'f:protocol': {}}}}}}}}}}"
#define DEP_LIVE(containers) "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: ns, " \
			     "managedFields: [" DEP_MF "]}, spec: {replicas: 2, selector: {matchLabels: {app: web}}, " \
			     "template: {metadata: {creationTimestamp: null, labels: {app: web}}, spec: {containers: " \
			     containers ", restartPolicy: Always}}, strategy: {type: RollingUpdate}}, status: {replicas: 0}}"
#define DEP_BODY(sel, containers) "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: ns}, " \
				  "spec: {replicas: 2, selector: {matchLabels: {app: " sel "}}, template: {metadata: " \
				  "{labels: {app: web}}, spec: {containers: " containers "}}}}"
#define LIVE_WEB "{name: web, image: 'web:1', ports: [{containerPort: 8080, protocol: TCP}], resources: {}, " \
		 "imagePullPolicy: IfNotPresent}"
#define BODY_WEB(image) "{name: web, image: '" image "', ports: [{containerPort: 8080, protocol: TCP}]}"
#define SIDE "{name: side, image: 'side:1'}"

static const struct {
	const char *what;
	const char *body, *live;
	int want;
} unchanged_cases[] = {
	{ "owned and equal; another manager's label aside", CM_BODY("{a: '1', b: '2'}"),
	  CM_LIVE(MF_GITOPS ", " MF_LABEL, "{a: '1', b: '2'}"), 1 },
	{ "a value differs", CM_BODY("{a: '1', b: '3'}"), CM_LIVE(MF_GITOPS, "{a: '1', b: '2'}"), 0 },
	{ "a field not owned yet, though equal", CM_BODY("{a: '1', b: '2', c: '3'}"),
	  CM_LIVE(MF_GITOPS, "{a: '1', b: '2', c: '3'}"), 0 },
	{ "an owned field the manifest dropped (the apply removes it)", CM_BODY("{a: '1'}"),
	  CM_LIVE(MF_GITOPS, "{a: '1', b: '2'}"), 0 },
	{ "another manager applied it", CM_BODY("{a: '1', b: '2'}"),
	  CM_LIVE("{apiVersion: v1, fieldsType: FieldsV1, manager: ci, operation: Apply, fieldsV1: {'f:data': "
		  "{'f:a': {}, 'f:b': {}}, 'f:metadata': {'f:labels': {'f:app': {}}}}}", "{a: '1', b: '2'}"), 0 },
	{ "an Update by the same manager too", CM_BODY("{a: '1', b: '2'}"),
	  CM_LIVE(MF_GITOPS ", {apiVersion: v1, fieldsType: FieldsV1, manager: gitops, operation: Update, fieldsV1: "
		  "{'f:data': {'f:z': {}}}}", "{a: '1', b: '2'}"), 0 },
	{ "the status subresource's entry does not count", CM_BODY("{a: '1', b: '2'}"),
	  CM_LIVE(MF_GITOPS ", {apiVersion: v1, fieldsType: FieldsV1, manager: gitops, operation: Update, "
		  "subresource: status, fieldsV1: {'f:status': {}}}", "{a: '1', b: '2'}"), 1 },
	{ "applied in another apiVersion", CM_BODY("{a: '1', b: '2'}"),
	  CM_LIVE("{apiVersion: v2, fieldsType: FieldsV1, manager: gitops, operation: Apply, fieldsV1: {'f:data': "
		  "{'f:a': {}, 'f:b': {}}, 'f:metadata': {'f:labels': {'f:app': {}}}}}", "{a: '1', b: '2'}"), 0 },
	{ "no managedFields", CM_BODY("{a: '1', b: '2'}"),
	  "{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: ns, labels: {app: web}}, data: {a: '1', b: '2'}}",
	  0 },
	{ "a null in the manifest", CM_BODY("{a: '1', b: null}"), CM_LIVE(MF_GITOPS, "{a: '1', b: '2'}"), 0 },
	{ "a number where live has a string", CM_BODY("{a: '1', b: 2}"), CM_LIVE(MF_GITOPS, "{a: '1', b: '2'}"), 0 },
	{ "defaults in live; an atomic selector; containers and ports by their keys",
	  DEP_BODY("web", "[" BODY_WEB("web:1") "]"), DEP_LIVE("[" LIVE_WEB "]"), 1 },
	{ "another manager's container stays", DEP_BODY("web", "[" BODY_WEB("web:1") "]"),
	  DEP_LIVE("[" LIVE_WEB ", " SIDE "]"), 1 },
	{ "a changed image", DEP_BODY("web", "[" BODY_WEB("web:2") "]"), DEP_LIVE("[" LIVE_WEB "]"), 0 },
	{ "a container the manager does not own", DEP_BODY("web", "[" BODY_WEB("web:1") ", " SIDE "]"),
	  DEP_LIVE("[" LIVE_WEB ", " SIDE "]"), 0 },
	{ "the same container twice", DEP_BODY("web", "[" BODY_WEB("web:1") ", " BODY_WEB("web:1") "]"),
	  DEP_LIVE("[" LIVE_WEB "]"), 0 },
	{ "a port without its defaulted key field",
	  DEP_BODY("web", "[{name: web, image: 'web:1', ports: [{containerPort: 8080}]}]"), DEP_LIVE("[" LIVE_WEB "]"), 0 },
	{ "an atomic field that differs inside", DEP_BODY("other", "[" BODY_WEB("web:1") "]"), DEP_LIVE("[" LIVE_WEB "]"), 0 },
};

START_TEST(test_apply_unchanged)
{
	cJSON *body = parse(unchanged_cases[_i].body), *live = parse(unchanged_cases[_i].live);

	ck_assert_msg(gitops_plan_unchanged(body, live, "gitops") == unchanged_cases[_i].want, "%s: expected %d",
		      unchanged_cases[_i].what, unchanged_cases[_i].want);
	cJSON_Delete(body);
	cJSON_Delete(live);
}
END_TEST

START_TEST(test_sync_names)
{
	ck_assert_str_eq(gitops_diff_sync_name(GITOPS_DIFF_SYNCED), "Synced");
	ck_assert_str_eq(gitops_diff_sync_name(GITOPS_DIFF_OUT_OF_SYNC), "OutOfSync");
	ck_assert_str_eq(gitops_diff_sync_name(GITOPS_DIFF_MISSING), "Missing");
	ck_assert_str_eq(gitops_diff_sync_name(GITOPS_DIFF_EXTRANEOUS), "Extraneous");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("normalize");

	tcase_add_loop_test(tc, test_normalize, 0, sizeof(normalize_cases) / sizeof(normalize_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("mask");
	tcase_add_loop_test(tc, test_mask, 0, sizeof(mask_cases) / sizeof(mask_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_loop_test(tc, test_text, 0, sizeof(text_cases) / sizeof(text_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("unchanged");
	tcase_add_loop_test(tc, test_apply_unchanged, 0, sizeof(unchanged_cases) / sizeof(unchanged_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("objects");
	tcase_add_test(tc, test_equal_objects);
	tcase_add_test(tc, test_out_of_sync);
	tcase_add_test(tc, test_missing_and_extraneous);
	tcase_add_test(tc, test_secret_object);
	tcase_add_test(tc, test_manifest_field_shown);
	tcase_add_test(tc, test_sync_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
