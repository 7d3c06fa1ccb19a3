/*
 * stubs_gen_tmp.c: TEMPORARY stand-ins for the spine's kz_load_file and
 * kz_parse_objects so generators/transformers can be built and tested on
 * their own (branch wt-kzgen).  Delete at merge: load.c owns the real ones.
 */
#include "lib/kustomize/kz.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/yaml/yaml.h"

int kz_load_file(struct gitops_buf *out, struct kz_ctx *c, const char *rel, size_t max, struct gitops_err *err)
{
	struct gitops_buf path = GITOPS_BUF_INIT;
	int rc;

	if (rel[0] == '/' ? gitops_buf_addstr(&path, rel) : gitops_buf_printf(&path, "%s/%s", c->dir, rel))
		return gitops_err_oom(err);
	rc = gitops_buf_read_file(out, path.data, max, err);
	gitops_buf_release(&path);
	return rc;
}

int kz_parse_objects(struct kz_resmap *m, const char *text, size_t len, const char *name, struct gitops_err *err)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_yaml_reader *r = NULL;
	struct gitops_yaml_doc doc;
	int rc;

	if (gitops_yaml_reader_mem(&r, text, len, name, &limits, err))
		return -1;
	memset(&doc, 0, sizeof(doc));
	while ((rc = gitops_yaml_reader_next(r, &doc, err)) == 1) {
		cJSON *root = doc.root;

		doc.root = NULL;
		gitops_yaml_doc_release(&doc);
		memset(&doc, 0, sizeof(doc));
		if (!root)
			continue;
		if (kz_resmap_append(m, root, err)) {
			rc = -1;
			break;
		}
	}
	gitops_yaml_reader_free(r);
	return rc < 0 ? -1 : 0;
}
