/* kubeconfig: a server URL as messages show it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/kubeconfig.h"

static const struct {
	const char *url;
	const char *shown;
} url_cases[] = {
	/* kubectl's form (Go's net/http): the password replaced, the user kept */
	{ "https://admin:s3cret@127.0.0.1:6443", "https://admin:***@127.0.0.1:6443" },
	{ "http://admin:s3cret@[::1]:8080/prefix", "http://admin:***@[::1]:8080/prefix" },
	{ "https://admin:@h", "https://admin:***@h" },
	/* an '@' in the password (not escaped): the user info ends at the authority's last '@' */
	{ "https://u:p@ss@h:6443/", "https://u:***@h:6443/" },
	/* user info alone is often a token: all of it */
	{ "https://t0k3n@h:6443", "https://***@h:6443" },
	/* query values and fragments */
	{ "https://h:6443/?token=abc&x=1", "https://h:6443/?token=***&x=***" },
	{ "https://h:6443?abc", "https://h:6443?***" },
	{ "https://h:6443/k8s?a=1#frag", "https://h:6443/k8s?a=***#***" },
	{ "https://u:p@h/?&t=", "https://u:***@h/?&t=***" },
	/* nothing to hide */
	{ "https://127.0.0.1:6443", "https://127.0.0.1:6443" },
	{ "https://h/p@th", "https://h/p@th" },
	{ "", "" },
};

START_TEST(test_url_redact)
{
	char *got = gitops_kube_url_redact(url_cases[_i].url);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, url_cases[_i].shown);
	ck_assert_ptr_null(strstr(got, "s3cret"));
	free(got);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kubeconfig");
	TCase *tc = tcase_create("url");

	tcase_add_loop_test(tc, test_url_redact, 0, (int)(sizeof(url_cases) / sizeof(url_cases[0])));
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
