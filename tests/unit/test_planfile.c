/* Unit tests for lib/sync/planfile.c: a Plan file written, read back whole, and refused when it is not. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/sync/planfile.h"
#include "lib/value/jsonio.h"
#include "tests/unit/check_main.h"

static char dir[] = "/tmp/test_planfile.XXXXXX";
static char path[256];

static cJSON *obj(const char *json)
{
	cJSON *o = gitops_json_read(json, strlen(json));
	ck_assert_ptr_nonnull(o);
	return o;
}

/* A plan of a ConfigMap (live, rv 5) and a Secret (not live), pruning one member, written to path. */
static void write_plan(int with_source)
{
	static const char *const paths[] = { "app" };
	struct gitops_planfile_source src = { "https://git.example.com/deploy.git", "main",
					      "0123456789abcdef0123456789abcdef01234567", paths, 1 };
	struct gitops_planfile_options po = { "web", "gitops", "app", 0 };
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_object objs[2];
	struct gitops_diff_result r;
	cJSON *plan = NULL, *live, *member;
	size_t i;

	memset(objs, 0, sizeof(objs));
	objs[0].json = obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"one\"},"
			   "\"data\":{\"v\":\"1.0\",\"n\":\"0755\"}}");
	objs[1].json = obj("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
			   "\"data\":{\"k\":\"c2VjcmV0\"}}");
	live = obj("{\"metadata\":{\"resourceVersion\":\"5\",\"uid\":\"u-1\"}}");
	member = obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"two\",\"namespace\":\"web\","
		     "\"resourceVersion\":\"7\",\"uid\":\"u-2\"}}");
	ck_assert_int_eq(gitops_planfile_new(&plan, with_source ? &src : NULL, &po, &err), 0);
	for (i = 0; i < 2; i++) {
		memset(&r, 0, sizeof(r));
		r.obj = &objs[i];
		r.api_version = "v1";
		r.kind = i ? "Secret" : "ConfigMap";
		r.name = i ? "s" : "one";
		r.namespace = "web";
		r.live = i ? NULL : live;
		ck_assert_int_eq(gitops_planfile_note(plan, &r, &err), 0);
	}
	memset(&r, 0, sizeof(r));
	r.sync = GITOPS_DIFF_EXTRANEOUS;
	r.api_version = "v1";
	r.kind = "ConfigMap";
	r.name = "two";
	r.namespace = "web";
	r.live = member;
	ck_assert_int_eq(gitops_planfile_note(plan, &r, &err), 0);
	ck_assert_msg(gitops_planfile_write(path, plan, objs, 2, &err) == 0, "%s", err.msg);
	cJSON_Delete(plan);
	cJSON_Delete(live);
	cJSON_Delete(member);
	for (i = 0; i < 2; i++)
		cJSON_Delete(objs[i].json);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.yaml", dir);
}

static void teardown(void)
{
	char p2[300];
	snprintf(p2, sizeof(p2), "%s/q.yaml", dir);
	unlink(path);
	unlink(p2);
	rmdir(dir);
	strcpy(dir, "/tmp/test_planfile.XXXXXX");
}

START_TEST(test_round_trip)
{
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_planfile p;
	struct stat st;

	write_plan(1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_msg(gitops_planfile_read(&p, path, &lim, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_str_eq(p.source.ref, "main");
	ck_assert_str_eq(p.source.commit, "0123456789abcdef0123456789abcdef01234567");
	ck_assert_str_eq(p.opts.applyset, "app");
	ck_assert_str_eq(p.opts.namespace, "web");
	ck_assert_uint_eq(p.n_prune, 1);
	ck_assert_str_eq(p.prune_uids[0], "u-2");
	/* the strings a YAML 1.1 reader would take for numbers came back as strings */
	ck_assert_str_eq(gitops_json_get_string(p.objs[0].json, "data", "n", NULL), "0755");
	gitops_planfile_release(&p);
}
END_TEST

START_TEST(test_no_source)
{
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_planfile p;

	write_plan(0);
	ck_assert_msg(gitops_planfile_read(&p, path, &lim, &err) == 0, "%s", err.msg);
	ck_assert_ptr_null(p.source.repository);
	gitops_planfile_release(&p);
}
END_TEST

/* The plan's text with `from` replaced by `to` (the first), written to q.yaml; read: its error. */
static int read_edited(const char *from, const char *to, struct gitops_err *err)
{
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_planfile p;
	char q[300], *at;
	FILE *f;
	int ret;

	write_plan(1);
	ck_assert_int_eq(gitops_buf_read_file(&b, path, 1 << 20, err), 0);
	at = strstr(b.data, from);
	ck_assert_msg(at != NULL, "no '%s' in the plan", from);
	snprintf(q, sizeof(q), "%s/q.yaml", dir);
	ck_assert_ptr_nonnull(f = fopen(q, "w"));
	fwrite(b.data, 1, (size_t)(at - b.data), f);
	fputs(to, f);
	fputs(at + strlen(from), f);
	fclose(f);
	gitops_buf_release(&b);
	ret = gitops_planfile_read(&p, q, &lim, err);
	gitops_planfile_release(&p);
	return ret;
}

static const struct {
	const char *from, *to, *msg;
} bad_cases[] = {
	{ "c2VjcmV0", "b3RoZXI=", "edited after planning" },
	{ "v: \"1.0\"", "v: \"1.1\"", "edited after planning" },
	{ "# gitops: end of stream (3 objects)\n", "", "does not end with its end-of-stream marker" },
	{ "kind: Plan\n", "kind: Plan2\n", "not a gitops.dev/v1alpha1 Plan" },
	{ "apiVersion: gitops.dev/v1alpha1", "apiVersion: gitops.dev/v2", "not a gitops.dev/v1alpha1 Plan" },
	{ "    name: s\n", "    name: t\n", "spec.objects[1] is not the file's object 2" },
	{ "  objectsDigest: sha256:", "  objectsDigest: sha1:", "edited after planning" },
	{ "    uid: u-2\n", "", "spec.prune[0] needs" },
	{ "  namespace: web\n", "", "spec.namespace" },
	{ "    commit: 0123456789abcdef0123456789abcdef01234567\n", "", "spec.source needs" },
	{ "  applyset: app\n", "", "spec.prune must be a list exactly when spec.applyset is set" },
};

START_TEST(test_bad)
{
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_eq(read_edited(bad_cases[_i].from, bad_cases[_i].to, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_msg(strstr(err.msg, bad_cases[_i].msg) != NULL, "message: %s", err.msg);
	ck_assert_msg(strstr(err.msg, "not a whole plan") && strstr(err.msg, "plan again"), "message: %s", err.msg);
	ck_assert_msg(!strstr(err.msg, "c2VjcmV0") && !strstr(err.msg, "b3RoZXI="), "a Secret value in: %s", err.msg);
}
END_TEST

START_TEST(test_options)
{
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_apply_options a = GITOPS_APPLY_OPTIONS_INIT;
	struct gitops_planfile p;
	const char *ns = NULL;

	write_plan(1);
	ck_assert_int_eq(gitops_planfile_read(&p, path, &lim, &err), 0);
	ck_assert_int_eq(gitops_planfile_apply_options(&p, &a, &ns, 0, &err), 0);
	ck_assert_str_eq(ns, "web");
	ck_assert_str_eq(a.applyset, "app");
	ck_assert(a.prune && a.prune_listed_only && a.stream_complete);
	ck_assert_uint_eq(a.n_prune_uids, 1);
	a.applyset = "other";
	ck_assert_int_eq(gitops_planfile_apply_options(&p, &a, &ns, 0, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
	ck_assert_msg(strstr(err.msg, "--applyset conflicts with the plan") != NULL, "%s", err.msg);
	a.applyset = NULL;
	ns = "default";
	ck_assert_int_eq(gitops_planfile_apply_options(&p, &a, &ns, 0, &err), -1);
	ck_assert_msg(strstr(err.msg, "-n conflicts") != NULL, "%s", err.msg);
	ns = NULL;
	a.field_manager = "me";
	ck_assert_int_eq(gitops_planfile_apply_options(&p, &a, &ns, 1, &err), -1);
	ck_assert_msg(strstr(err.msg, "--field-manager conflicts") != NULL, "%s", err.msg);
	a.confirm_prune = 1;
	ck_assert_int_eq(gitops_planfile_apply_options(&p, &a, &ns, 0, &err), -1);
	ck_assert_msg(strstr(err.msg, "--confirm-prune conflicts") != NULL, "%s", err.msg);
	gitops_planfile_release(&p);
}
END_TEST

START_TEST(test_source_of)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_planfile_source src;
	struct gitops_object s[2], o[1];

	memset(s, 0, sizeof(s));
	memset(o, 0, sizeof(o));
	s[0].json = obj("{\"apiVersion\":\"gitops.dev/v1alpha1\",\"kind\":\"Source\",\"metadata\":{\"name\":\"d\"},"
			"\"spec\":{\"repository\":\"/r\",\"ref\":\"main\",\"commit\":\"c1\",\"path\":\"app\",\"dir\":\"/x/app\"}}");
	s[1].json = obj("{\"apiVersion\":\"gitops.dev/v1alpha1\",\"kind\":\"Source\",\"metadata\":{\"name\":\"d\"},"
			"\"spec\":{\"repository\":\"/r\",\"ref\":\"main\",\"commit\":\"c2\",\"path\":\"db\",\"dir\":\"/x/db\"}}");
	o[0].json = obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"one\",\"annotations\":"
			"{\"gitops.dev/source\":\"/r//app\",\"gitops.dev/revision\":\"c0\"}}}");
	ck_assert_msg(gitops_planfile_source_of(&src, s, 1, o, 1, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(src.commit, "c1");
	free((void *)src.paths);
	/* two Sources of two commits: not one plan */
	ck_assert_int_eq(gitops_planfile_source_of(&src, s, 2, o, 1, &err), -1);
	ck_assert_msg(strstr(err.msg, "a plan watches one ref") != NULL, "%s", err.msg);
	/* an object of another path */
	cJSON_Delete(o[0].json);
	o[0].json = obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"one\",\"annotations\":"
			"{\"gitops.dev/source\":\"/r//other\",\"gitops.dev/revision\":\"c0\"}}}");
	ck_assert_int_eq(gitops_planfile_source_of(&src, s, 1, o, 1, &err), -1);
	ck_assert_msg(strstr(err.msg, "not rendered from the Sources") != NULL, "%s", err.msg);
	/* an object that carries no commit */
	cJSON_Delete(o[0].json);
	o[0].json = obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"one\",\"annotations\":"
			"{\"gitops.dev/source\":\"/r//app\"}}}");
	ck_assert_int_eq(gitops_planfile_source_of(&src, s, 1, o, 1, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	cJSON_Delete(o[0].json);
	cJSON_Delete(s[0].json);
	cJSON_Delete(s[1].json);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("planfile");
	TCase *tc = tcase_create("planfile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_no_source);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_source_of);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
