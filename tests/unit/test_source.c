/* Unit tests for lib/source.c: the Source document, built and read back. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/k8s/source.h"
#include "tests/unit/check_main.h"

static const struct {
	const char *repo, *path, *name;
} name_cases[] = {
	{ "deploy", "envs/prod", "deploy-envs-prod" },
	{ "Deploy", "", "deploy" },
	{ "deploy", "Apps/Web_UI/", "deploy-apps-web-ui" },
	{ "", "", "source" },
	{ "--", ".", "source" },
	{ "a.b", "x", "a.b-x" },
};

START_TEST(test_name)
{
	char out[256];

	gitops_source_name(out, sizeof(out), name_cases[_i].repo, name_cases[_i].path);
	ck_assert_str_eq(out, name_cases[_i].name);
}
END_TEST

START_TEST(test_round_trip)
{
	struct gitops_source s = { "deploy", "https://git.example.com/ops/deploy.git", "main", "0123abcd", "", "/c/x",
				   "/c/x.revisions.json", NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL }, r;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *doc = NULL;

	ck_assert_int_eq(gitops_source_new(&doc, &s, &err), 0);
	ck_assert(gitops_source_is(doc));
	ck_assert_int_eq(gitops_source_read(&r, doc, "<stdin>", 1, 1, &err), 0);
	ck_assert_str_eq(r.name, "deploy");
	ck_assert_str_eq(r.repository, s.repository);
	ck_assert_str_eq(r.ref, "main");
	ck_assert_str_eq(r.commit, "0123abcd");
	ck_assert_str_eq(r.path, ".");     /* the top is written "." */
	ck_assert_str_eq(r.dir, "/c/x");
	ck_assert_str_eq(r.revisions, "/c/x.revisions.json");
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "apiVersion")->valuestring, "gitops.dev/v1alpha1");
	ck_assert_ptr_null(r.root);        /* a checkout of the path alone: dir is the checkout */
	cJSON_Delete(doc);
	s.revisions = NULL;
	ck_assert_int_eq(gitops_source_new(&doc, &s, &err), 0);
	ck_assert_int_eq(gitops_source_read(&r, doc, "<stdin>", 1, 1, &err), 0);
	ck_assert_ptr_null(r.revisions);
	cJSON_Delete(doc);
	/* the whole commit's checkout, dir inside it */
	s.root = "/c";
	ck_assert_int_eq(gitops_source_new(&doc, &s, &err), 0);
	ck_assert_int_eq(gitops_source_read(&r, doc, "<stdin>", 1, 1, &err), 0);
	ck_assert_str_eq(r.root, "/c");
	ck_assert_str_eq(r.dir, "/c/x");
	ck_assert_ptr_null(r.kustomize);
	cJSON_Delete(doc);
	/* Argo CD's overrides travel as spec.kustomize, a mapping */
	{
		cJSON *k = cJSON_Parse("{\"namePrefix\": \"prod-\", \"images\": [\"nginx:1\"]}");

		s.kustomize = k;
		ck_assert_int_eq(gitops_source_new(&doc, &s, &err), 0);
		ck_assert_int_eq(gitops_source_read(&r, doc, "<stdin>", 1, 1, &err), 0);
		ck_assert_ptr_nonnull(r.kustomize);
		ck_assert_str_eq(cJSON_GetObjectItem(r.kustomize, "namePrefix")->valuestring, "prod-");
		cJSON_Delete(doc);
		s.kustomize = NULL;
		cJSON_Delete(k);
		doc = cJSON_Parse("{\"apiVersion\": \"gitops.dev/v1alpha1\", \"kind\": \"Source\", \"metadata\": "
				  "{\"name\": \"a\"}, \"spec\": {\"repository\": \"r\", \"commit\": \"c\", \"path\": \".\", "
				  "\"dir\": \"/d\", \"kustomize\": [1]}}");
		ck_assert_int_eq(gitops_source_read(&r, doc, "<stdin>", 1, 1, &err), -1);
		ck_assert_str_eq(err.msg, "<stdin>:1: document 1: Source 'a': spec.kustomize must be a mapping (Argo CD's "
					  "source.kustomize fields)");
		cJSON_Delete(doc);
		/* the permission to fetch remote targets (gitops-fetch --allow-remote), beside the overrides or alone */
		s.allow_remote = 1;
		ck_assert_int_eq(gitops_source_new(&doc, &s, &err), 0);
		ck_assert_int_eq(gitops_source_read(&r, doc, "<stdin>", 1, 1, &err), 0);
		ck_assert_int_eq(r.allow_remote, 1);
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.kustomize, "allowRemote")));
		cJSON_Delete(doc);
		k = cJSON_Parse("{\"namePrefix\": \"p-\", \"allowRemote\": false}");
		s.kustomize = k;
		ck_assert_int_eq(gitops_source_new(&doc, &s, &err), 0);
		ck_assert_int_eq(gitops_source_read(&r, doc, "<stdin>", 1, 1, &err), 0);
		ck_assert_int_eq(r.allow_remote, 1);
		ck_assert_str_eq(cJSON_GetObjectItem(r.kustomize, "namePrefix")->valuestring, "p-");
		cJSON_Delete(doc);
		s.allow_remote = 0;
		ck_assert_int_eq(gitops_source_new(&doc, &s, &err), 0);
		ck_assert_int_eq(gitops_source_read(&r, doc, "<stdin>", 1, 1, &err), 0);
		ck_assert_int_eq(r.allow_remote, 0);
		cJSON_Delete(doc);
		s.kustomize = NULL;
		cJSON_Delete(k);
	}
	/* Argo CD's source.helm travels as spec.helm, its multi-source ref as spec.refName */
	{
		cJSON *h = cJSON_Parse("{\"releaseName\": \"web\", \"valueFiles\": [\"values-prod.yaml\", "
				       "\"$values/envs/prod.yaml\"], \"parameters\": [{\"name\": \"a\", \"value\": \"1\", "
				       "\"forceString\": true}], \"fileParameters\": [{\"name\": \"f\", \"path\": \"f.txt\"}], "
				       "\"valuesObject\": {\"x\": 1}, \"skipCrds\": false}");

		s.helm = h;
		s.ref_name = "values";
		ck_assert_int_eq(gitops_source_new(&doc, &s, &err), 0);
		ck_assert_int_eq(gitops_source_read(&r, doc, "<stdin>", 1, 1, &err), 0);
		ck_assert_ptr_nonnull(r.helm);
		ck_assert_str_eq(cJSON_GetObjectItem(r.helm, "releaseName")->valuestring, "web");
		ck_assert_str_eq(r.ref_name, "values");
		cJSON_Delete(doc);
		s.helm = NULL;
		s.ref_name = NULL;
		cJSON_Delete(h);
		ck_assert_uint_eq(gitops_source_values_ref("$values/a.yaml"), 6);
		ck_assert_uint_eq(gitops_source_values_ref("$values"), 0);
		ck_assert_uint_eq(gitops_source_values_ref("values/a.yaml"), 0);
	}
}
END_TEST

static const struct {
	const char *json;
	const char *msg;
} bad_cases[] = {
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\"}}",
	  "in:3: document 2: Source 'p': spec.dir must be a non-empty string" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\"}}",
	  "in:3: document 2: Source 'p': spec.repository must be a non-empty string" },
	{ "{\"metadata\":{\"name\":\"p\"}}", "in:3: document 2: Source 'p': spec.repository must be a non-empty string" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"revisions\":1}}", "in:3: document 2: Source 'p': spec.revisions must be a string" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"root\":\"\"}}", "in:3: document 2: Source 'p': spec.root must be a non-empty string" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"kustomize\":{\"allowRemote\":\"yes\"}}}",
	  "in:3: document 2: Source 'p': spec.kustomize.allowRemote must be true or false" },	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":[]}}", "in:3: document 2: Source 'p': spec.helm must be a mapping (Argo CD's source.helm fields)" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"valuesFiles\":[]}}}", "in:3: document 2: Source 'p': spec.helm.valuesFiles is not one of Argo CD's source.helm fields" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"skipCrds\":\"yes\"}}}", "in:3: document 2: Source 'p': spec.helm.skipCrds must be true or false" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"valueFiles\":\"a.yaml\"}}}", "in:3: document 2: Source 'p': spec.helm.valueFiles must be a list of strings" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"valueFiles\":[\"\"]}}}", "in:3: document 2: Source 'p': spec.helm.valueFiles must be a list of non-empty strings" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"valueFiles\":[\"/etc/passwd\"]}}}", "in:3: document 2: Source 'p': spec.helm.valueFiles[0] is an absolute path: name a file of the checkout, relative to spec.dir, or $NAME/... in the Source whose spec.refName is NAME" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"valueFiles\":[\"https://x/v.yaml\"]}}}", "in:3: document 2: Source 'p': spec.helm.valueFiles[0] is a URL: value files come from a Source's checkout" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"valueFiles\":[\"$values\"]}}}", "in:3: document 2: Source 'p': spec.helm.valueFiles[0] starts with '$' but is not $NAME/PATH" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"parameters\":[{\"value\":\"1\"}]}}}", "in:3: document 2: Source 'p': spec.helm.parameters[0] needs a non-empty name" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"parameters\":[{\"name\":\"a\",\"vlaue\":\"1\"}]}}}", "in:3: document 2: Source 'p': spec.helm.parameters[0].vlaue is not a field here" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"parameters\":[{\"name\":\"a\",\"value\":1}]}}}", "in:3: document 2: Source 'p': spec.helm.parameters[0].value must be a string" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"fileParameters\":[{\"name\":\"a\"}]}}}", "in:3: document 2: Source 'p': spec.helm.fileParameters[0] needs a non-empty path" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"fileParameters\":[{\"name\":\"a\",\"path\":\"/x\"}]}}}", "in:3: document 2: Source 'p': spec.helm.fileParameters[0].path is an absolute path: name a file of the checkout, relative to spec.dir, or $NAME/... in the Source whose spec.refName is NAME" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"helm\":{\"valuesObject\":[1]}}}", "in:3: document 2: Source 'p': spec.helm.valuesObject must be a mapping" },
	{ "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"repository\":\"r\",\"commit\":\"c\",\"path\":\".\",\"dir\":\"/d\","
	  "\"refName\":\"a b\"}}", "in:3: document 2: Source 'p': spec.refName must be letters, digits, '-' and '_' (Argo CD's ref)" },
};

START_TEST(test_bad)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_source r;
	cJSON *doc = cJSON_Parse(bad_cases[_i].json);

	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(gitops_source_read(&r, doc, "in", 3, 2, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_str_eq(err.msg, bad_cases[_i].msg);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_is)
{
	cJSON *a = cJSON_Parse("{\"apiVersion\":\"gitops.dev/v1\",\"kind\":\"Source\"}");
	cJSON *b = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Source\"}");
	cJSON *c = cJSON_Parse("{\"apiVersion\":\"gitops.dev/v1alpha1\",\"kind\":\"Plan\"}");

	ck_assert(gitops_source_is(a));
	ck_assert(!gitops_source_is(b));
	ck_assert(!gitops_source_is(c));
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("source");
	TCase *tc = tcase_create("source");

	tcase_add_loop_test(tc, test_name, 0, sizeof(name_cases) / sizeof(name_cases[0]));
	tcase_add_test(tc, test_round_trip);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_is);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
