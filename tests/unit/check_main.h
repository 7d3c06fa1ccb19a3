/* What every Check test program shares: running its suite, and a write callback into a buffer. */
#ifndef GITOPS_CHECK_MAIN_H
#define GITOPS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#include "lib/base/buf.h"

static inline int gitops_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static inline int gitops_check_write_buf(void *ctx, const void *data, size_t len, struct gitops_err *err)
{
	return gitops_buf_add(ctx, data, len) < 0 ? gitops_err_oom(err) : 0;
}

#endif
