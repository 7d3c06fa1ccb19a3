/* stubs_patch_tmp.c: TEMPORARY stand-ins for the spine's kz_load_file / kz_parse_objects (load.c), so that
 * patch.c and its tests build in this branch.  Deleted at merge. */
#include "lib/kustomize/kz.h"

#include <stdio.h>
#include <string.h>

#include "lib/base/fs.h"
#include "lib/yaml/yaml.h"

int kz_load_file(struct gitops_buf *out, struct kz_ctx *c, const char *rel, size_t max, struct gitops_err *err)
{
	struct gitops_buf path = GITOPS_BUF_INIT;
	FILE *f;
	char chunk[4096];
	size_t n;
	int rc = -1;

	if (gitops_buf_printf(&path, "%s/%s", c && c->dir ? c->dir : ".", rel)) {
		gitops_err_oom(err);
		goto done;
	}
	if (!(f = fopen(path.data, "rb"))) {
		gitops_err_set(err, GITOPS_EXIT_IO, "open %s: no such file or directory", path.data);
		goto done;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > max || gitops_buf_add(out, chunk, n)) {
			fclose(f);
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: too big", rel);
			goto done;
		}
	}
	fclose(f);
	if (gitops_buf_addstr(out, "")) {
		gitops_err_oom(err);
		goto done;
	}
	rc = 0;
done:
	gitops_buf_release(&path);
	return rc;
}

int kz_parse_objects(struct kz_resmap *m, const char *text, size_t len, const char *name, struct gitops_err *err)
{
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	struct gitops_yaml_reader *r = NULL;
	struct gitops_yaml_doc d;
	int rc = -1, k;

	if (gitops_yaml_reader_mem(&r, text, len, name, &lim, err))
		return -1;
	while ((k = gitops_yaml_reader_next(r, &d, err)) == 1) {
		cJSON *root = d.root;

		d.root = NULL;
		gitops_yaml_doc_release(&d);
		if (!root)
			continue;
		if (!cJSON_IsObject(root)) {
			cJSON_Delete(root);
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a mapping", name);
			goto done;
		}
		if (kz_resmap_append(m, root, err))
			goto done;
	}
	if (k < 0)
		goto done;
	rc = 0;
done:
	gitops_yaml_reader_free(r);
	return rc;
}
