/*
 * fetchgit.c: gitops-fetch of a Git repository (fetchgit.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/tool/fetchgit.h"
#include "lib/base/buf.h"
#include "lib/k8s/source.h"
#include "lib/k8s/stream.h"

int gitops_fetchgit_run(struct gitops_cli *cli, const struct gitops_fetchgit_options *o, const char *repo_arg)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_git_url url;
	struct gitops_git_repo *repo = NULL;
	struct gitops_spool *spool = NULL;
	struct gitops_stream_writer *w = NULL;
	char *paths[GITOPS_FETCHGIT_MAX_PATHS], commit[GIT_OID_HEXSZ + 1], what[512];
	size_t npaths = 0, i;
	int ret, code = GITOPS_EXIT_OK, changed = 0;

	memset(&url, 0, sizeof(url));
	/* every path checked before anything is fetched; duplicates dropped */
	for (i = 0; i < (o->npaths ? o->npaths : 1); i++) {
		char *p;
		size_t j;
		int dup = 0;
		if (gitops_git_path_normalize(&p, o->npaths ? o->paths[i] : "", &err) < 0) {
			code = err.code == GITOPS_EXIT_USAGE ? gitops_cli_usage_error(cli, "%s", err.msg) :
							       gitops_cli_fail(cli, &err);
			goto done;
		}
		for (j = 0; j < npaths; j++)
			if (!strcmp(paths[j], p))
				dup = 1;
		if (dup)
			free(p);
		else
			paths[npaths++] = p;
	}
	if (gitops_git_url_parse(&url, repo_arg, &err) < 0) {
		code = err.code == GITOPS_EXIT_USAGE ? gitops_cli_usage_error(cli, "%s", err.msg) :
						       gitops_cli_fail(cli, &err);
		goto done;
	}
	if (gitops_git_open(&repo, &url, o->cache, &err) < 0 || gitops_git_fetch(repo, o->auth, &changed, &err) < 0 ||
	    gitops_git_resolve(repo, o->ref, commit, what, sizeof(what), &err) < 0)
		goto fail;
	gitops_cli_info(cli, 1, "%s: --ref %s: %s at %s%s", url.display, o->ref, what, commit,
			changed ? "" : " (no ref moved since the last fetch)");
	if (o->if_changed) {
		ret = gitops_git_state_unchanged(o->state, url.display, o->ref, paths, npaths, commit, &err);
		if (ret < 0)
			goto fail;
		if (ret > 0) {
			gitops_cli_info(cli, 0, "unchanged: %s %s is still at %s", url.display, o->ref, commit);
			code = GITOPS_EXIT_UNCHANGED;
			goto done;
		}
	}
	if (o->print_commit) {
		if (printf("%s\n", commit) < 0 || fflush(stdout) != 0) {
			gitops_err_errno(&err, errno, "standard output");
			goto fail;
		}
	} else {
		if (gitops_spool_new(&spool, 1u << 20, &err) < 0 ||
		    gitops_stream_writer_new(&w, cli->format, gitops_spool_write, spool, &err) < 0)
			goto fail;
		for (i = 0; i < npaths; i++) {
			char *root = NULL, *dir = NULL, *revisions = NULL, name[256];
			struct gitops_source src = { 0 };
			cJSON *doc = NULL;
			if (gitops_git_checkout(repo, commit, paths[i], &root, &dir, &err) < 0)
				goto fail;
			if (gitops_git_revisions(repo, commit, paths[i], &revisions, &err) < 0) {
				free(root);
				free(dir);
				goto fail;
			}
			gitops_source_name(name, sizeof(name), url.name, paths[i]);
			src.name = name;
			src.repository = url.display;
			src.ref = o->ref;
			src.commit = commit;
			src.path = paths[i];
			src.kustomize = o->kustomize;
			src.helm = o->helm;
			src.ref_name = o->ref_name;
			src.allow_remote = o->allow_remote;
			src.root = root;
			src.dir = dir;
			src.revisions = revisions;
			ret = gitops_source_new(&doc, &src, &err);
			free(root);
			free(dir);
			free(revisions);
			if (ret < 0)
				goto fail;
			ret = gitops_stream_writer_put(w, doc, &err);
			cJSON_Delete(doc);
			if (ret < 0)
				goto fail;
		}
		if (gitops_git_gc(repo, &err) < 0) {
			gitops_cli_warn(cli, "removing old checkouts: %s", err.msg);
			err.msg[0] = '\0';
		}
		if (gitops_stream_writer_finish(w, &err) < 0 || gitops_spool_copy_to_fd(spool, 1, &err) < 0)
			goto fail;
	}
	/* recorded only once the output is out */
	if (o->state && gitops_git_state_write(o->state, url.display, o->ref, paths, npaths, commit, &err) < 0)
		goto fail;
	goto done;
fail:
	code = gitops_cli_fail(cli, &err);
done:
	gitops_stream_writer_free(w);
	gitops_spool_free(spool);
	gitops_git_close(repo);
	gitops_git_url_release(&url);
	for (i = 0; i < npaths; i++)
		free(paths[i]);
	return code;
}
