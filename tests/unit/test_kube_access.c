/* kube_access: the permissions list (sorted, without duplicates), the review asked, what is missing said, a token's subject. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/kube/kube_access.h"

START_TEST(test_add_sorted_unique)
{
	struct gitops_kube_accesses l = GITOPS_KUBE_ACCESSES_INIT;

	ck_assert_int_eq(gitops_kube_access_add(&l, "list", "apps", "deployments", "b"), 0);
	ck_assert_int_eq(gitops_kube_access_add(&l, "list", "", "namespaces", NULL), 0);
	ck_assert_int_eq(gitops_kube_access_add(&l, "delete", "apps", "deployments", "a"), 0);
	ck_assert_int_eq(gitops_kube_access_add(&l, "list", "apps", "deployments", "a"), 0);
	/* again: once; "" is cluster-wide as NULL is */
	ck_assert_int_eq(gitops_kube_access_add(&l, "list", "apps", "deployments", "b"), 0);
	ck_assert_int_eq(gitops_kube_access_add(&l, "list", "", "namespaces", ""), 0);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(l.v[0].resource, "namespaces");
	ck_assert_ptr_null(l.v[0].ns);
	ck_assert_str_eq(l.v[1].verb, "delete");
	ck_assert_str_eq(l.v[2].verb, "list");
	ck_assert_str_eq(l.v[2].ns, "a");
	ck_assert_str_eq(l.v[3].ns, "b");
	ck_assert_ptr_eq(gitops_kube_access_find(&l, "list", "apps", "deployments", "b"), &l.v[3]);
	ck_assert_ptr_eq(gitops_kube_access_find(&l, "list", "", "namespaces", ""), &l.v[0]);
	ck_assert_ptr_eq(gitops_kube_access_find(&l, "delete", "apps", "deployments", "a"), &l.v[1]);
	ck_assert_ptr_null(gitops_kube_access_find(&l, "delete", "apps", "deployments", "b"));
	ck_assert_ptr_null(gitops_kube_access_find(&l, "list", "", "namespaces", "a"));
	gitops_kube_accesses_release(&l);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(test_body)
{
	struct gitops_kube_accesses l = GITOPS_KUBE_ACCESSES_INIT;
	char *a, *b;

	ck_assert_int_eq(gitops_kube_access_add(&l, "list", "", "namespaces", NULL), 0);
	ck_assert_int_eq(gitops_kube_access_add(&l, "delete", "apps", "deployments", "web"), 0);
	a = gitops_kube_access_body(&l.v[0]);
	b = gitops_kube_access_body(&l.v[1]);
	ck_assert_str_eq(a, "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":"
			    "{\"resourceAttributes\":{\"verb\":\"list\",\"group\":\"\",\"resource\":\"namespaces\"}}}");
	ck_assert_str_eq(b, "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":"
			    "{\"resourceAttributes\":{\"verb\":\"delete\",\"group\":\"apps\",\"resource\":\"deployments\","
			    "\"namespace\":\"web\"}}}");
	free(a);
	free(b);
	gitops_kube_accesses_release(&l);
}
END_TEST

static const struct {
	const char *denied;      /* "verb group resource ns|-" ..., ';'-separated; '+' first: allowed */
	const char *missing;     /* NULL: nothing */
} missing_cases[] = {
	{ "list - namespaces -", "\"list namespaces\" (cluster-wide)" },
	{ "+list - namespaces -", NULL },
	{ "", NULL },
	{ "delete - configmaps b;delete - configmaps a;list apps deployments a;+list - configmaps a",
	  "\"delete configmaps\" in namespaces a, b, \"list deployments.apps\" in namespace a" },
	{ "list - namespaces -;delete - namespaces -;+delete - configmaps a",
	  "\"delete namespaces\" (cluster-wide), \"list namespaces\" (cluster-wide)" },
	{ "+list - configmaps a;list - configmaps b;+list - configmaps c",
	  "\"list configmaps\" in namespace b" },
};

START_TEST(test_missing)
{
	struct gitops_kube_accesses l = GITOPS_KUBE_ACCESSES_INIT;
	char *spec = strdup(missing_cases[_i].denied), *save = NULL, *one, *got;
	size_t i, denied = 0;

	for (one = strtok_r(spec, ";", &save); one; one = strtok_r(NULL, ";", &save)) {
		char verb[32], group[32], resource[32], ns[32];
		int allowed = *one == '+';
		ck_assert_int_eq(sscanf(one + allowed, "%31s %31s %31s %31s", verb, group, resource, ns), 4);
		ck_assert_int_eq(gitops_kube_access_add(&l, verb, strcmp(group, "-") ? group : "", resource,
							strcmp(ns, "-") ? ns : NULL), 0);
		for (i = 0; i < l.n; i++)
			if (!strcmp(l.v[i].verb, verb) && !strcmp(l.v[i].resource, resource) &&
			    !strcmp(l.v[i].ns ? l.v[i].ns : "-", ns))
				l.v[i].allowed = allowed;
		denied += !allowed;
	}
	ck_assert_uint_eq(gitops_kube_access_denied(&l), denied);
	got = gitops_kube_access_missing(&l);
	if (!missing_cases[_i].missing)
		ck_assert_ptr_null(got);
	else
		ck_assert_str_eq(got, missing_cases[_i].missing);
	free(got);
	free(spec);
	gitops_kube_accesses_release(&l);
}
END_TEST

START_TEST(test_token_subject)
{
	/* {"iss":"https://kubernetes.default.svc","sub":"system:serviceaccount:gitops-system:gitops-sync","x":"??>>~~"}:
	 * base64url, unpadded, with '_' and '-' */
	static const char payload[] = "eyJpc3MiOiJodHRwczovL2t1YmVybmV0ZXMuZGVmYXVsdC5zdmMiLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291"
				      "bnQ6Z2l0b3BzLXN5c3RlbTpnaXRvcHMtc3luYyIsIngiOiI_Pz4-fn4ifQ";
	char token[512], *sub;

	snprintf(token, sizeof(token), "eyJhbGciOiJSUzI1NiJ9.%s.c2lnbmF0dXJl", payload);
	sub = gitops_kube_token_subject(token);
	ck_assert_str_eq(sub, "system:serviceaccount:gitops-system:gitops-sync");
	free(sub);
	/* not a JWT: a static token, one part, a payload that is not JSON or has no sub */
	ck_assert_ptr_null(gitops_kube_token_subject("0123456789abcdef"));
	ck_assert_ptr_null(gitops_kube_token_subject("a.b"));
	ck_assert_ptr_null(gitops_kube_token_subject("x.bm90IGpzb24.y"));
	ck_assert_ptr_null(gitops_kube_token_subject("x.eyJpc3MiOiJ4In0.y"));
	ck_assert_ptr_null(gitops_kube_token_subject("x.!!!.y"));
	ck_assert_ptr_null(gitops_kube_token_subject(NULL));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kube_access");
	TCase *tc = tcase_create("access");

	tcase_add_test(tc, test_add_sorted_unique);
	tcase_add_test(tc, test_body);
	tcase_add_loop_test(tc, test_missing, 0, (int)(sizeof(missing_cases) / sizeof(missing_cases[0])));
	tcase_add_test(tc, test_token_subject);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
