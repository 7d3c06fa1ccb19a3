/*
 * kzcompare: two YAML streams compared as data, for tests/kustomize/run.
 *
 *   kzcompare [--any-order] GOT WANT
 *
 * Each stream is split into documents (empty ones and comments skipped);
 * documents compare with gitops_value_equal_strict (mapping order ignored,
 * scalar types kept: "1" is not 1).  In order by default: the same count
 * and document i equal to document i; --any-order: the same documents as a
 * multiset.  Exit 0 when equal, 1 when not (what differs on stderr), 2 on
 * a usage or read error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/json.h"
#include "lib/value/jsonio.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

struct docs {
	cJSON **v;
	size_t n;
};

static int read_docs(struct docs *out, const char *path, struct gitops_err *err)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_buf text = GITOPS_BUF_INIT;
	struct gitops_yaml_reader *r = NULL;
	struct gitops_yaml_doc doc;
	int n, rc = -1;

	memset(out, 0, sizeof(*out));
	if (gitops_buf_read_file(&text, path, 1u << 30, err) < 0)
		return -1;
	if (gitops_yaml_reader_mem(&r, text.data ? text.data : "", text.len, path, &limits, err) < 0)
		goto done;
	while ((n = gitops_yaml_reader_next(r, &doc, err)) > 0) {
		cJSON **v;
		if (!doc.root) {
			gitops_yaml_doc_release(&doc);
			continue;
		}
		if (!(v = realloc(out->v, (out->n + 1) * sizeof(*v)))) {
			gitops_yaml_doc_release(&doc);
			gitops_err_oom(err);
			goto done;
		}
		out->v = v;
		out->v[out->n++] = doc.root;
		doc.root = NULL;
		gitops_yaml_doc_release(&doc);
	}
	rc = n < 0 ? -1 : 0;
done:
	gitops_yaml_reader_free(r);
	gitops_buf_release(&text);
	return rc;
}

static void docs_release(struct docs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		cJSON_Delete(d->v[i]);
	free(d->v);
}

static void describe(const char *what, const cJSON *obj)
{
	const char *kind = gitops_json_get_string(obj, "kind", NULL);
	const char *name = gitops_json_get_string(obj, "metadata", "name", NULL);
	const char *ns = gitops_json_get_string(obj, "metadata", "namespace", NULL);

	fprintf(stderr, "  %s: %s %s%s%s\n", what, kind ? kind : "?", ns ? ns : "", ns ? "/" : "", name ? name : "?");
}

int main(int argc, char **argv)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct docs got, want;
	int any = 0, rc = 0;
	size_t i, j;

	if (argc > 1 && !strcmp(argv[1], "--any-order")) {
		any = 1;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: kzcompare [--any-order] GOT WANT\n");
		return 2;
	}
	if (read_docs(&got, argv[1], &err) < 0 || read_docs(&want, argv[2], &err) < 0) {
		fprintf(stderr, "kzcompare: %s\n", err.msg);
		return 2;
	}
	if (got.n != want.n) {
		fprintf(stderr, "  %zu documents, expected %zu\n", got.n, want.n);
		rc = 1;
	}
	if (!any) {
		for (i = 0; i < got.n && i < want.n; i++)
			if (!gitops_value_equal_strict(got.v[i], want.v[i])) {
				fprintf(stderr, "  document %zu differs\n", i + 1);
				describe("got", got.v[i]);
				describe("expected", want.v[i]);
				rc = 1;
				break;
			}
	} else {
		char *used = calloc(want.n + 1, 1);
		for (i = 0; used && i < got.n; i++) {
			for (j = 0; j < want.n; j++)
				if (!used[j] && gitops_value_equal_strict(got.v[i], want.v[j]))
					break;
			if (j == want.n) {
				fprintf(stderr, "  document %zu is not expected\n", i + 1);
				describe("got", got.v[i]);
				rc = 1;
				break;
			}
			used[j] = 1;
		}
		free(used);
	}
	docs_release(&got);
	docs_release(&want);
	return rc;
}
