/*
 * helmtemplate: lib/render/helm as a drop-in for `helm template NAME CHART [flags]`,
 * for the tests that compare its text with helm's byte for byte.  Prints helm's
 * standard output, or "Error: MESSAGE" on standard error and exits 1, as helm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/render/helm/helm.h"

/* Helm's log lines, on standard error as helm prints them (without Go's file:line prefix) */
static void warn(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

int main(int argc, char **argv)
{
	struct gitops_helm_options o = GITOPS_HELM_OPTIONS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf out = GITOPS_BUF_INIT;
	const char *pos[2] = { NULL, NULL };
	size_t npos = 0;
	int i, code = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *name = NULL, *val = NULL;
		char buf[64];
		int r;
		if (a[0] != '-' || !a[1]) {
			if (npos < 2)
				pos[npos++] = a;
			continue;
		}
		if (!strcmp(a, "-n"))
			name = "namespace";
		else if (!strcmp(a, "-f"))
			name = "values";
		else if (!strcmp(a, "-a"))
			name = "api-versions";
		else if (!strcmp(a, "-s"))
			name = "show-only";
		else if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			if (eq) {
				snprintf(buf, sizeof(buf), "%.*s", (int)(eq - a - 2), a + 2);
				name = buf;
				val = eq + 1;
			} else {
				name = a + 2;
			}
		}
		if (!name) {
			fprintf(stderr, "Error: unknown shorthand flag: '%c' in %s\n", a[1], a);
			return 1;
		}
		if (!val && strcmp(name, "include-crds") && strcmp(name, "skip-crds") && strcmp(name, "skip-tests") &&
		    strcmp(name, "no-hooks") && strcmp(name, "is-upgrade") && strcmp(name, "skip-schema-validation")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "Error: flag needs an argument: %s\n", a);
				return 1;
			}
			val = argv[++i];
		}
		r = gitops_helm_option_set(&o, name, val, &err);
		if (r < 0) {
			fprintf(stderr, "Error: %s\n", err.msg);
			return 1;
		}
		if (r == 0) {
			fprintf(stderr, "Error: unknown flag: %s\n", a);
			return 1;
		}
	}
	if (npos == 1) {
		pos[1] = pos[0];
		pos[0] = NULL;
	}
	if (!pos[1]) {
		fprintf(stderr, "Error: usage: helmtemplate [NAME] CHART [flags]\n");
		return 1;
	}
	if (pos[0])
		o.release = pos[0];
	o.warn = warn;
	if (gitops_helm_template(&out, pos[1], &o, &err) < 0) {
		fprintf(stderr, "Error: %s\n", err.msg);
		code = 1;
	} else if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len) {
		code = 1;
	}
	gitops_buf_release(&out);
	gitops_helm_options_release(&o);
	return code;
}
