/*
 * opsdrive: lib/ops from the shell, for tests/ops/t-* (and the gitops-sync tests):
 *   opsdrive metrics OUT RECORD.json...        write the records' metrics to OUT
 *   opsdrive notify CMD EVENT RECORD.json      run a hook with a record
 *   opsdrive window WINDOWS.json APP NS EPOCH [manual]   print 1|0 and the reason
 * Exits with the error's exit class and prints its message on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/ops/metrics.h"
#include "lib/ops/notify.h"
#include "lib/ops/window.h"

static cJSON *load(const char *path, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	cJSON *j;

	if (gitops_buf_read_file(&b, path, 16 << 20, err) < 0)
		return NULL;
	j = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
	gitops_buf_release(&b);
	if (!j)
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not JSON", path);
	return j;
}

int main(int argc, char **argv)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	int rc = -1;

	if (argc >= 3 && !strcmp(argv[1], "metrics")) {
		size_t n = (size_t)argc - 3;
		cJSON **r = calloc(n + 1, sizeof(*r));

		rc = 0;
		for (size_t i = 0; i < n && rc == 0; i++)
			if (!(r[i] = load(argv[i + 3], &err)))
				rc = -1;
		if (rc == 0)
			rc = gitops_ops_metrics_write(argv[2], (const cJSON *const *)r, n, &err);
		for (size_t i = 0; i < n; i++)
			cJSON_Delete(r[i]);
		free(r);
	} else if (argc == 5 && !strcmp(argv[1], "notify")) {
		cJSON *r = load(argv[4], &err);

		if (r)
			rc = gitops_ops_notify(argv[2], argv[3], r, &err);
		cJSON_Delete(r);
	} else if ((argc == 6 || argc == 7) && !strcmp(argv[1], "window")) {
		cJSON *w = load(argv[2], &err);
		struct gitops_ops_windows *ws = NULL;
		char why[256];

		if (w && gitops_ops_windows_parse(&ws, w, &err) == 0) {
			int ok = gitops_ops_windows_allow(ws, argv[3], argv[4], (time_t)strtoll(argv[5], NULL, 10),
							  argc == 7 && !strcmp(argv[6], "manual"), why, sizeof(why));

			printf("%d %s\n", ok, why);
			rc = 0;
		}
		gitops_ops_windows_free(ws);
		cJSON_Delete(w);
	} else {
		fprintf(stderr, "usage: opsdrive metrics OUT RECORD.json... | notify CMD EVENT RECORD.json | "
			"window WINDOWS.json APP NS EPOCH [manual]\n");
		return 2;
	}
	if (rc < 0) {
		fprintf(stderr, "opsdrive: %s\n", err.msg);
		return err.code ? err.code : 1;
	}
	return 0;
}
