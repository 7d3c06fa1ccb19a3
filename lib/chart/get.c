/*
 * get.c: one chart from wherever it is kept, a chart repository or an OCI
 * registry, into the cache (chart.h): what gitops-fetch --chart and the
 * charts gitops-render asks its gitops-fetch child for (dependencies,
 * kustomize's helmCharts) share.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/base/buf.h"
#include "lib/chart/chart.h"
#include "lib/net/registry.h"

/* The largest OCI chart layer read back from its temporary file (the registry client's own cap is lower). */
#define OCI_CHART_MAX (128u << 20)

/*
 * An OCI chart: the registry's tags chosen from as helm chooses
 * (v->version), the chart layer downloaded into *tgz (*len bytes, to free)
 * and its digest into v->digest.  Only the tags are asked for when
 * download is 0.
 */
static int oci_resolve(struct gitops_chart_version *v, unsigned char **tgz, size_t *len, const char *ref,
		       const char *range, int download, const struct gitops_chart_options *o, struct gitops_err *err)
{
	struct gitops_registry_options ro = GITOPS_REGISTRY_OPTIONS_INIT;
	struct gitops_registry *reg = NULL;
	struct gitops_buf data = GITOPS_BUF_INIT;
	char **tags = NULL, *digest = NULL, tmp[4096], *u;
	const char *tag, *dirp = getenv("TMPDIR");
	size_t ntags = 0;
	int bad, fd = -1, rc = -1;

	*tgz = NULL;
	*len = 0;
	ro.plain_http = o->plain_http;
	ro.ca_file = o->ca_file;
	if (gitops_registry_open(&reg, ref, &ro, err) < 0 || gitops_registry_tags(reg, &tags, &ntags, err) < 0)
		goto done;
	tag = gitops_chart_choose(tags, ntags, range, &bad, err);
	if (bad)
		goto done;
	if (!tag) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "no tag of %s matches '%s' (%zu tags)", ref,
			       range && *range ? range : "*", ntags);
		goto done;
	}
	free(v->version);
	if (!(v->version = strdup(tag))) {
		gitops_err_oom(err);
		goto done;
	}
	for (u = v->version; (u = strchr(u, '_')); u++)
		*u = '+';
	if (!download) {
		rc = 0;
		goto done;
	}
	snprintf(tmp, sizeof(tmp), "%s/gitops-chart-XXXXXX", dirp && *dirp == '/' ? dirp : "/tmp");
	if ((fd = mkstemp(tmp)) < 0) {
		gitops_err_errno(err, errno, tmp);
		goto done;
	}
	close(fd);
	if (gitops_registry_chart(reg, tag, tmp, &digest, err) < 0 ||
	    gitops_buf_read_file(&data, tmp, OCI_CHART_MAX, err) < 0)
		goto done;
	free(v->digest);
	v->digest = digest;
	digest = NULL;
	*len = data.len;
	*tgz = (unsigned char *)gitops_buf_detach(&data);
	if (!*tgz && !(*tgz = calloc(1, 1))) {
		gitops_err_oom(err);
		goto done;
	}
	rc = 0;
done:
	if (fd >= 0)
		unlink(tmp);
	free(digest);
	gitops_buf_release(&data);
	gitops_registry_tags_free(tags, ntags);
	gitops_registry_free(reg);
	return rc;
}

int gitops_chart_get(struct gitops_chart **c, struct gitops_chart_version *v, char **root, char **dir,
		     const char *repo, const char *chart, const char *range, int unpack,
		     const struct gitops_chart_options *o, struct gitops_err *err)
{
	struct gitops_buf ref = GITOPS_BUF_INIT;
	unsigned char *tgz = NULL;
	size_t len = 0;
	int oci = !strncasecmp(repo, "oci://", 6), ret = -1, cached;

	*c = NULL;
	*root = *dir = NULL;
	memset(v, 0, sizeof(*v));
	if (gitops_chart_open(c, repo, chart, o, err) < 0)
		return -1;
	if (!oci) {
		if (gitops_chart_resolve(*c, range, v, err) < 0)
			return -1;
	} else {
		if ((cached = gitops_chart_find_cached(*c, range, v, err)) < 0)
			return -1;
		if (!cached) {
			size_t n = strlen(repo);
			while (n && repo[n - 1] == '/')
				n--;
			if (gitops_buf_add(&ref, repo, n) < 0 || gitops_buf_printf(&ref, "/%s", chart) < 0 ||
			    !(v->repository = strdup(gitops_chart_repository(*c))) || !(v->chart = strdup(chart))) {
				gitops_err_oom(err);
				goto done;
			}
			if (oci_resolve(v, &tgz, &len, ref.data, range, unpack, o, err) < 0)
				goto done;
		}
	}
	if (unpack && (tgz ? gitops_chart_store(*c, v->version, v->digest, tgz, len, root, dir, err)
			   : gitops_chart_unpack(*c, v, root, dir, err)) < 0)
		goto done;
	ret = 0;
done:
	free(tgz);
	gitops_buf_release(&ref);
	return ret;
}
