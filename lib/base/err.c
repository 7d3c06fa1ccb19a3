#include "lib/base/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Keep the message on one line whatever the formatted text held. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

int gitops_err_set(struct gitops_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	one_line(err->msg);
	return -1;
}

int gitops_err_prefix(struct gitops_err *err, const char *fmt, ...)
{
	char pre[GITOPS_ERR_MSG_MAX], old[GITOPS_ERR_MSG_MAX];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", pre, old);
	one_line(err->msg);
	return -1;
}

int gitops_err_oom(struct gitops_err *err)
{
	return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "out of memory");
}

int gitops_err_errno(struct gitops_err *err, int errnum, const char *what)
{
	return gitops_err_set(err, errnum == ENOMEM ? GITOPS_EXIT_INTERNAL : GITOPS_EXIT_IO,
			      "%s: %s", what, strerror(errnum));
}
