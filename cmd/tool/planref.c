#include "cmd/tool/planref.h"

#include <string.h>

int gitops_cli_plan_ref_check(const char *path, const struct gitops_planfile_source *src,
			      const struct gitops_git_cache_options *cache, const struct gitops_git_auth *auth,
			      struct gitops_err *err)
{
	struct gitops_git_url url;
	struct gitops_git_repo *repo = NULL;
	char commit[GIT_OID_HEXSZ + 1];
	int ret = -1;

	memset(&url, 0, sizeof(url));
	if (gitops_git_url_parse(&url, src->repository, err) < 0)
		goto done;
	if (gitops_git_open(&repo, &url, cache, err) < 0 || gitops_git_fetch(repo, auth, NULL, err) < 0 ||
	    gitops_git_resolve(repo, src->ref, commit, NULL, 0, err) < 0) {
		gitops_err_prefix(err, "%s: cannot ask where ref %s of %s is now", path, src->ref, src->repository);
		goto done;
	}
	if (strcmp(commit, src->commit)) {
		gitops_err_set(err, GITOPS_EXIT_STALE, "%s: ref %s of %s moved since the plan (now commit %.12s, planned "
			       "%.12s); nothing was changed: plan again", path, src->ref, src->repository, commit,
			       src->commit);
		goto done;
	}
	ret = 0;
done:
	gitops_git_close(repo);
	gitops_git_url_release(&url);
	return ret;
}

/* Under the Lease, before anything changes: the cluster as planned, then the ref's commit. */
static int before_change(void *ctx, struct gitops_kube *k, struct gitops_kube_discovery *d, struct gitops_err *err)
{
	struct gitops_cli_plan *p = ctx;

	if (gitops_planfile_check_live(&p->file, k, d, err) < 0)
		return -1;
	if (!p->file.source.repository)
		return 0; /* made with --plan-allow-no-source: no commit to check */
	return gitops_cli_plan_ref_check(p->file.path, &p->file.source, p->cache, p->auth, err);
}

int gitops_cli_plan_open(struct gitops_cli_plan *p, const char *path, const struct gitops_limits *limits,
			 struct gitops_apply_options *a, const char **ns, int manager_given, const struct gitops_git_cache_options *cache,
			 const struct gitops_git_auth *auth, struct gitops_err *err)
{
	memset(p, 0, sizeof(*p));
	p->cache = cache;
	p->auth = auth;
	if (gitops_planfile_read(&p->file, path, limits, err) < 0 ||
	    gitops_planfile_apply_options(&p->file, a, ns, manager_given, err) < 0)
		return -1;
	a->before_change = before_change;
	a->before_change_ctx = p;
	return 0;
}

void gitops_cli_plan_release(struct gitops_cli_plan *p)
{
	gitops_planfile_release(&p->file);
}
