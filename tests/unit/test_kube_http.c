/* kube_http: Secret values masked in the messages built from the server's answers. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/kube/kube.h"

static const struct {
	const char *msg;
	const char *values[3];
	const char *want;
} mask_cases[] = {
	{ "got 8675309123, then 8675309123", { "8675309123" }, "got ***, then ***" },
	/* short values: only where they stand quoted */
	{ "label ab: Invalid value: \"ab\"", { "ab" }, "label ab: Invalid value: \"***\"" },
	{ "denied: {\\\"pw\\\":\\\"ab\\\"}", { "ab" }, "denied: {\\\"pw\\\":\\\"***\\\"}" },
	{ "Value:7} at byte 7", { "7" }, "Value:7} at byte 7" },
	/* a server that echoes the whole body: every value, and nothing else */
	{ "admission webhook \"v.example.com\" denied the request: {\"kind\":\"Secret\",\"stringData\":"
	  "{\"user\":\"a\",\"pw\":\"hunter22\"}}",
	  { "a", "hunter22" },
	  "admission webhook \"v.example.com\" denied the request: {\"kind\":\"Secret\",\"stringData\":"
	  "{\"user\":\"***\",\"pw\":\"***\"}}" },
	/* overlapping and adjacent occurrences: one mask */
	{ "xxabcdefghyy", { "abcdef", "cdefgh" }, "xx***yy" },
	{ "[hunter22hunter22]", { "hunter22" }, "[***]" },
	/* from 4 bytes on, everywhere */
	{ "port 1234 and 12345", { "1234" }, "port *** and ***5" },
	{ "nothing to hide", { "" }, "nothing to hide" },
	{ "", { "abcd" }, "" },
};

START_TEST(test_mask)
{
	char *values[3];
	size_t n = 0;
	char *got;

	while (n < 3 && mask_cases[_i].values[n]) {
		values[n] = (char *)mask_cases[_i].values[n];
		n++;
	}
	got = gitops_kube_mask(mask_cases[_i].msg, values, n);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, mask_cases[_i].want);
	free(got);
}
END_TEST

/* A failed answer's message as gitops_kube_status_error builds it, the server saying `said`. */
static void status_message(struct gitops_kube_request *r, const char *said, char *buf, size_t size)
{
	struct gitops_err e = GITOPS_ERR_INIT;
	cJSON *st = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(st, "kind", "Status");
	cJSON_AddStringToObject(st, "message", said);
	text = cJSON_PrintUnformatted(st);
	r->status = 422;
	r->what = "secret s";
	r->response.len = 0;
	ck_assert_int_eq(gitops_buf_addstr(&r->response, text), 0);
	gitops_kube_status_error(&e, r);
	snprintf(buf, size, "%s", e.msg);
	free(text);
	cJSON_Delete(st);
}

/*
 * Every form of a value a server may quote: as written, JSON-escaped,
 * base64-encoded, base64-decoded (and that JSON-escaped and re-encoded
 * without line breaks).  "s3cr3t \"x\"\n!" is czNjcjN0ICJ4Igoh in base64.
 */
START_TEST(test_secret_forms)
{
	static const char *const quoted[] = {
		"czNjcjN0ICJ4Igoh",                       /* data as sent */
		"s3cr3t \"x\"\n!",                        /* decoded */
		"s3cr3t \\\"x\\\"\\n!",                   /* decoded, JSON-escaped */
		"plain-user-1",                           /* stringData as sent */
		"cGxhaW4tdXNlci0x",                       /* stringData, base64 */
		"13:37:00-not-a-string",                  /* a leaf of a mapping */
	};
	const char *live = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
			   "\"data\":{\"pw\":\"czNjcjN0\\nICJ4Igoh\"}}";
	const char *body = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
			   "\"stringData\":{\"user\":\"plain-user-1\",\"odd\":{\"at\":\"13:37:00-not-a-string\"}}}";
	struct gitops_kube_request r;
	char buf[GITOPS_ERR_MSG_MAX], said[256];
	cJSON *obj = cJSON_Parse(live);
	size_t i;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(gitops_kube_request_redact_secret(&r, obj), 0);
	r.body = strdup(body);
	r.body_len = strlen(body);
	for (i = 0; i < sizeof(quoted) / sizeof(quoted[0]); i++) {
		snprintf(said, sizeof(said), "bad value <%s> here", quoted[i]);
		status_message(&r, said, buf, sizeof(buf));
		ck_assert_str_eq(buf, "secret s: bad value <***> here");
	}
	/* a ConfigMap's data is no secret; nor the body's keys */
	free(r.body);
	r.body = strdup("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"user\":\"plain-user-1\"}}");
	r.body_len = strlen(r.body);
	status_message(&r, "plain-user-1 at user", buf, sizeof(buf));
	ck_assert_str_eq(buf, "secret s: plain-user-1 at user");
	gitops_kube_request_release(&r);
	ck_assert_ptr_null(r.redact);
	cJSON_Delete(obj);
}
END_TEST

/* A message longer than the error line: masked before it is cut, so no value is left half shown. */
/* A refused apply names where its object came from, and a hint for the refusals a sync meets most. */
static const struct {
	const char *content_type;
	long status;
	const char *where;
	const char *said;
	const char *want;
} hint_cases[] = {
	{ GITOPS_KUBE_APPLY_PATCH, 409, "repo//envs/prod/web.yaml@abc1234",
	  "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas",
	  "deployment/web (repo//envs/prod/web.yaml@abc1234): Apply failed with 1 conflict: conflict with \"kubectl\": "
	  ".spec.replicas (hint: another field manager owns these fields: --force-conflicts takes them over)" },
	{ GITOPS_KUBE_APPLY_PATCH, 500, NULL,
	  "failed to create typed patch object: .spec.ports: element 0: associative list with keys has an element "
	  "that omits key field \"protocol\" (and doesn't have default value)",
	  "deployment/web: failed to create typed patch object: .spec.ports: element 0: associative list with keys has "
	  "an element that omits key field \"protocol\" (and doesn't have default value) (hint: set protocol (TCP) on "
	  "every port: servers before Kubernetes 1.21 need it for server-side apply)" },
	{ GITOPS_KUBE_APPLY_PATCH, 500, NULL,
	  "failed to create typed patch object: .spec.containers: element 0: associative list with keys has an element "
	  "that omits key field \"name\"",
	  "deployment/web: failed to create typed patch object: .spec.containers: element 0: associative list with keys "
	  "has an element that omits key field \"name\" (hint: set the named key field on every element: server-side "
	  "apply merges the list by it)" },
	/* a 409 that is no apply (a Lease taken meanwhile): no hint about field managers */
	{ "application/json", 409, NULL, "Operation cannot be fulfilled: the object has been modified; conflict",
	  "deployment/web: Operation cannot be fulfilled: the object has been modified; conflict" },
};

START_TEST(test_hints)
{
	struct gitops_kube_request r;
	struct gitops_err e = GITOPS_ERR_INIT;
	cJSON *st = cJSON_CreateObject();
	char *text;

	memset(&r, 0, sizeof(r));
	cJSON_AddStringToObject(st, "kind", "Status");
	cJSON_AddStringToObject(st, "message", hint_cases[_i].said);
	text = cJSON_PrintUnformatted(st);
	r.status = hint_cases[_i].status;
	r.what = "deployment/web";
	r.content_type = hint_cases[_i].content_type;
	r.where = hint_cases[_i].where ? strdup(hint_cases[_i].where) : NULL;
	ck_assert_int_eq(gitops_buf_addstr(&r.response, text), 0);
	gitops_kube_status_error(&e, &r);
	ck_assert_str_eq(e.msg, hint_cases[_i].want);
	ck_assert_int_eq(e.code, GITOPS_EXIT_REJECTED);
	free(text);
	cJSON_Delete(st);
	gitops_kube_request_release(&r);
}
END_TEST

START_TEST(test_mask_before_cut)
{
	const char *body = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{\"pw\":\"0123456789abcdef\"}}";
	struct gitops_kube_request r;
	char buf[GITOPS_ERR_MSG_MAX], said[GITOPS_ERR_MSG_MAX + 64];

	memset(&r, 0, sizeof(r));
	r.body = strdup(body);
	r.body_len = strlen(body);
	/* the value straddles the end of the error line: "secret s: " and 1,004 characters, then it */
	snprintf(said, sizeof(said), "%-1004s0123456789abcdef", "x");
	status_message(&r, said, buf, sizeof(buf));
	ck_assert_ptr_null(strstr(buf, "0123"));
	ck_assert_ptr_nonnull(strstr(buf, "***"));
	gitops_kube_request_release(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kube_http");
	TCase *tc = tcase_create("mask");

	tcase_add_loop_test(tc, test_mask, 0, (int)(sizeof(mask_cases) / sizeof(mask_cases[0])));
	tcase_add_test(tc, test_secret_forms);
	tcase_add_test(tc, test_mask_before_cut);
	tcase_add_loop_test(tc, test_hints, 0, (int)(sizeof(hint_cases) / sizeof(hint_cases[0])));
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
