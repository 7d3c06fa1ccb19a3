/*
 * chartpull: gitops_registry_chart from the shell, for tests/registry/run.
 *
 *   chartpull [--plain-http] [--config FILE] [--max BYTES] NAME TAG DEST
 *
 * NAME is "oci://host:port/path/chart" (or without the scheme), TAG a tag or
 * a manifest digest.  The chart layer goes to DEST; its digest ("sha256:...")
 * to stdout, then "requests N" to stderr.  On failure: "chartpull: MESSAGE"
 * on stderr and the error's exit code (gitops(7)); 2 for bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/net/registry.h"

int main(int argc, char **argv)
{
	struct gitops_registry_options o = GITOPS_REGISTRY_OPTIONS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_registry *r = NULL;
	char *digest = NULL;
	int i = 1, ret;

	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--plain-http"))
			o.plain_http = 1;
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			o.config = argv[++i];
		else if (!strcmp(argv[i], "--max") && i + 1 < argc)
			o.max_chart = strtoull(argv[++i], NULL, 10);
		else
			break;
	}
	if (argc - i != 3) {
		fprintf(stderr, "usage: chartpull [--plain-http] [--config FILE] [--max BYTES] NAME TAG DEST\n");
		return 2;
	}
	o.timeout = 10;
	if (gitops_registry_open(&r, argv[i], &o, &err) < 0 ||
	    gitops_registry_chart(r, argv[i + 1], argv[i + 2], &digest, &err) < 0) {
		fprintf(stderr, "chartpull: %s\n", err.msg);
		ret = err.code ? err.code : 70;
	} else {
		printf("%s\n", digest);
		fprintf(stderr, "requests %zu\n", gitops_registry_requests(r));
		ret = 0;
	}
	free(digest);
	gitops_registry_free(r);
	return ret;
}
