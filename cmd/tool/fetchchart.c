/*
 * fetchchart.c: gitops-fetch of a chart (fetchchart.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/tool/fetchchart.h"
#include "lib/base/buf.h"
#include "lib/chart/chart.h"
#include "lib/k8s/source.h"
#include "lib/k8s/stream.h"

int gitops_fetchchart_run(struct gitops_cli *cli, const struct gitops_fetchchart_options *o, const char *repo_arg)
{
	struct gitops_chart_options co = GITOPS_CHART_OPTIONS_INIT;
	struct gitops_chart *c = NULL;
	struct gitops_chart_version v;
	struct gitops_spool *spool = NULL;
	struct gitops_stream_writer *w = NULL;
	struct gitops_err err = GITOPS_ERR_INIT;
	char *root = NULL, *dir = NULL, *paths[1], name[256], *state_commit = NULL, *oci_repo = NULL;
	const char *ref = o->ref, *chart = o->chart;
	size_t n;
	cJSON *doc = NULL;
	int code = GITOPS_EXIT_OK, ret, oci = !strncasecmp(repo_arg, "oci://", 6);

	memset(&v, 0, sizeof(v));
	if (oci) {
		const char *host = repo_arg + 6, *slash = strrchr(host, '/');
		if (o->chart)
			return gitops_cli_usage_error(cli, "an oci:// repository names the chart itself (its last path "
						      "component): no --chart");
		if (!slash || slash == host || !slash[1] || strchr(host, '@'))
			return gitops_cli_usage_error(cli, "an oci:// chart is oci://REGISTRY/PATH/CHART (no credentials "
						      "in it: they come from the docker config.json)");
		chart = slash + 1;
		if (!(oci_repo = strndup(repo_arg, (size_t)(slash - repo_arg))))
			return gitops_cli_usage_error(cli, "out of memory");
	} else if (strncasecmp(repo_arg, "https://", 8) && strncasecmp(repo_arg, "http://", 7)) {
		return gitops_cli_usage_error(cli, "--chart needs the https:// or http:// URL of a chart repository "
					      "(Git repositories have no --chart)");
	} else if (o->plain_http) {
		return gitops_cli_usage_error(cli, "--plain-http is for oci:// registries");
	}
	co.cache = o->cache;
	co.ca_file = o->auth->ca_file;
	co.netrc_file = o->auth->netrc_file;
	co.index_max = o->index_max;
	co.plain_http = o->plain_http;
	gitops_chart_auth_from_env(&co);
	/* --print-commit downloads nothing, but an OCI chart's digest for --state (a registry has it in the manifest) */
	if (gitops_chart_get(&c, &v, &root, &dir, oci ? oci_repo : repo_arg, chart, ref,
			     !o->print_commit || (oci && o->state), &co, &err) < 0)
		goto fail;
	gitops_cli_info(cli, 1, "%s: chart %s --ref %s: version %s, %s%s", v.repository, v.chart, ref ? ref : "(none)",
			v.version, v.digest ? v.digest : "(digest not asked for)",
			v.cached ? " (from the cache: nothing sent)" : "");
	paths[0] = v.chart;
	n = strlen(v.version) + (v.digest ? strlen(v.digest) : 0) + 2;
	if (!(state_commit = malloc(n))) {
		gitops_err_oom(&err);
		goto fail;
	}
	snprintf(state_commit, n, "%s %s", v.version, v.digest ? v.digest : "");
	if (o->if_changed) {
		ret = gitops_git_state_unchanged(o->state, v.repository, ref ? ref : "", paths, 1, state_commit, &err);
		if (ret < 0)
			goto fail;
		if (ret > 0) {
			gitops_cli_info(cli, 0, "unchanged: %s chart %s %s is still at %s", v.repository, v.chart,
					ref ? ref : "(newest)", v.version);
			code = GITOPS_EXIT_UNCHANGED;
			goto done;
		}
	}
	if (o->print_commit) {
		if (printf("%s\n", v.version) < 0 || fflush(stdout) != 0) {
			gitops_err_errno(&err, errno, "standard output");
			goto fail;
		}
	} else {
		struct gitops_source src;
		memset(&src, 0, sizeof(src));
		gitops_source_name(name, sizeof(name), v.chart, "");
		src.name = name;
		src.repository = v.repository;
		src.chart = v.chart;
		src.ref = ref;
		src.version = v.version;
		src.digest = v.digest;
		src.commit = v.version;
		src.path = "";
		src.root = root;
		src.dir = dir;
		src.helm = o->helm;
		if (gitops_source_new(&doc, &src, &err) < 0 || gitops_spool_new(&spool, 1u << 16, &err) < 0 ||
		    gitops_stream_writer_new(&w, cli->format, gitops_spool_write, spool, &err) < 0 ||
		    gitops_stream_writer_put(w, doc, &err) < 0)
			goto fail;
		if (gitops_chart_gc(c, &err) < 0) {
			gitops_cli_warn(cli, "removing old chart versions: %s", err.msg);
			err.msg[0] = '\0';
		}
		if (gitops_stream_writer_finish(w, &err) < 0 || gitops_spool_copy_to_fd(spool, 1, &err) < 0)
			goto fail;
	}
	if (o->state && gitops_git_state_write(o->state, v.repository, ref ? ref : "", paths, 1, state_commit, &err) < 0)
		goto fail;
	gitops_cli_info(cli, 2, "%zu requests", gitops_chart_requests(c));
	goto done;
fail:
	code = gitops_cli_fail(cli, &err);
done:
	cJSON_Delete(doc);
	gitops_stream_writer_free(w);
	gitops_spool_free(spool);
	gitops_chart_close(c);
	gitops_chart_version_release(&v);
	free(state_commit);
	free(root);
	free(dir);
	free(oci_repo);
	return code;
}
