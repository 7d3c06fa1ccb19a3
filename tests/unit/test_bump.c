/* Unit tests for gitops-bump's library modules: podspec, bump_options, bump_conflicts, bump_message. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bump/bump.h"
#include "lib/bump/bump_conflicts.h"
#include "lib/bump/bump_message.h"
#include "lib/k8s/podspec.h"
#include "tests/unit/check_main.h"

static const struct {
	const char *json;
	const char *images;   /* the containers' images, in the order visited */
} pod_cases[] = {
	{ "{\"kind\":\"Pod\",\"spec\":{\"initContainers\":[{\"image\":\"i\"}],\"containers\":[{\"image\":\"a\"},{\"image\":\"b\"}],"
	  "\"ephemeralContainers\":[{\"image\":\"e\"}]}}", "a,b,i,e," },
	{ "{\"kind\":\"Deployment\",\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"d\"}]}}}}", "d," },
	{ "{\"kind\":\"CronJob\",\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"c\"}]}}}}}}",
	  "c," },
	{ "{\"kind\":\"CronJob\",\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"c\"}]}}}}", "" },
	{ "{\"kind\":\"ConfigMap\",\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}}}", "" },
	{ "{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}", "" },
};

static int add_image(void *ctx, cJSON *c, struct gitops_err *err)
{
	(void)err;
	return gitops_buf_printf(ctx, "%s,", cJSON_GetObjectItem(c, "image")->valuestring);
}

START_TEST(test_podspec)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	cJSON *obj = cJSON_Parse(pod_cases[_i].json);

	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(gitops_podspec_foreach_container(obj, add_image, &b, &err), 0);
	ck_assert_str_eq(b.data ? b.data : "", pod_cases[_i].images);
	gitops_buf_release(&b);
	cJSON_Delete(obj);
}
END_TEST

START_TEST(test_options)
{
	struct gitops_bump_options o = GITOPS_BUMP_OPTIONS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_uint_eq(o.retries, 5);
	ck_assert_int_eq(gitops_bump_options_set(&o, "file", "values.yaml", &err), 0);
	ck_assert_int_eq(gitops_bump_options_set(&o, "set", "a[name=x].b=1", &err), 0);
	ck_assert_str_eq(gitops_bump_set_split(o.sets[0]), "=1");
	ck_assert_int_eq(gitops_bump_options_set(&o, "set", "=1", &err), -1);
	ck_assert_str_eq(err.msg, "--set takes PATH=VALUE, not '=1'");
	ck_assert_int_eq(gitops_bump_options_set(&o, "check", NULL, &err), 0);
	ck_assert_int_eq(o.check, 1);
	/* the options that need --repo say so */
	ck_assert_int_eq(gitops_bump_options_set(&o, "branch", "main", &err), 1);
	ck_assert_int_eq(gitops_bump_options_set(&o, "message", "m", &err), 1);
	ck_assert_int_eq(gitops_bump_options_set(&o, "ssh-key", "k", &err), 1);
	ck_assert_int_eq(gitops_bump_options_set(&o, "repo", "r", &err), 0);
	ck_assert_int_eq(gitops_bump_options_set(&o, "retries", "101", &err), -1);
	ck_assert_str_eq(err.msg, "--retries takes a number from 0 to 100, not '101'");
	ck_assert_int_eq(gitops_bump_options_set(&o, "lock-timeout", "-1", &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
	ck_assert_int_eq(gitops_bump_options_set(&o, "image", "nginx=1.27", &err), 0);
	ck_assert_str_eq(o.images[0].name, "nginx");
	ck_assert_str_eq(o.images[0].ref.tag, "1.27");
	ck_assert_int_eq(gitops_bump_options_set(&o, "image", "nginx:1=2", &err), -1);
	ck_assert_str_eq(err.msg, "--image nginx:1=2: 'nginx:1' is not an image name (no tag or digest)");
	ck_assert_int_eq(gitops_bump_options_set(&o, "policy", "ns:name=img:1", &err), 0);
	ck_assert_str_eq(o.policies[0].id, "ns:name");
	ck_assert_int_eq(gitops_bump_options_check(&o, 0, &err), 0);
	ck_assert_int_eq(gitops_bump_options_check(&o, 1, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
	gitops_bump_options_release(&o);
	ck_assert_uint_eq(o.nimages, 0);
}
END_TEST

static void add(struct gitops_bump_changes *c, const char *file, const char *what, const char *old, const char *new)
{
	struct gitops_bump_change_rec *r;

	c->v = realloc(c->v, (c->n + 1) * sizeof(*c->v));
	r = &c->v[c->n++];
	r->file = strdup(file), r->what = strdup(what), r->old = strdup(old), r->new = strdup(new);
	r->line = c->n;
	c->cap = c->n;
}

START_TEST(test_conflicts)
{
	struct gitops_bump_changes first = GITOPS_BUMP_CHANGES_INIT, now = GITOPS_BUMP_CHANGES_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;

	add(&first, "a.yaml", "image", "web:1", "web:2");
	add(&first, "a.yaml", "image", "db:1", "db:2");
	add(&now, "a.yaml", "image", "web:1", "web:2");
	add(&now, "a.yaml", "image", "db:1", "db:2");
	ck_assert_int_eq(gitops_bump_conflicts_check(&first, &now, "main", "0123456789abcdef", &err), 0);
	free(now.v[1].old);
	now.v[1].old = strdup("db:3");
	ck_assert_int_eq(gitops_bump_conflicts_check(&first, &now, "main", "0123456789abcdef", &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_REJECTED);
	ck_assert_str_eq(err.msg, "conflict: branch main moved to 0123456789ab, where a.yaml:2: image is 'db:3', not "
			 "'db:1' as when the bump began: not overwritten with 'db:2'; nothing pushed");
	gitops_bump_changes_release(&first);
	gitops_bump_changes_release(&now);
}
END_TEST

START_TEST(test_message)
{
	struct gitops_bump_options o = GITOPS_BUMP_OPTIONS_INIT;
	struct gitops_bump_changes c = GITOPS_BUMP_CHANGES_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char *msg = NULL;

	ck_assert_int_eq(gitops_bump_options_add_image(&o, "web=2", &err), 0);
	add(&c, "a.yaml", "image", "web:1", "web:2");
	add(&c, "b.yaml", "image", "web:1", "web:2");
	ck_assert_int_eq(gitops_bump_message_format(&msg, &o, "main", &c, &err), 0);
	ck_assert_str_eq(msg, "Bump web to 2\n\na.yaml:1: image: web:1 -> web:2\nb.yaml:2: image: web:1 -> web:2\n");
	free(msg);
	o.message = "{files} {old} {new} {branch}";
	ck_assert_int_eq(gitops_bump_message_format(&msg, &o, "main", &c, &err), 0);
	ck_assert_str_eq(msg, "a.yaml, b.yaml web:1 web:2 main\n");
	free(msg);
	gitops_bump_changes_release(&c);
	gitops_bump_options_release(&o);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bump");
	TCase *tc = tcase_create("podspec");

	tcase_add_loop_test(tc, test_podspec, 0, sizeof(pod_cases) / sizeof(pod_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("bump");
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_conflicts);
	tcase_add_test(tc, test_message);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
