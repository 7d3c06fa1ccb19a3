/*
 * links.c: label values kustomize's LabelTransformer shares between the
 * maps of one resource.
 *
 * kustomize sets a label with one YAML node per resource and key
 * (filtersutil.SetEntry): where the key is missing, that very node is
 * added to each map its fieldspecs reach (metadata/labels, the selector,
 * the pod template...), so the maps share it; where the key is there, the
 * node's contents are copied into the existing one.  Whatever later
 * changes the value in one of those maps in place (another label
 * transformer, a strategic merge patch, a replacement) changes it in all of
 * them: a base's commonLabels `env: blue` and an overlay's `labels: [{pairs:
 * {env: prod}}]` give a selector `env: prod` too.  A JSON patch goes
 * through JSON and back, which ends the sharing.
 *
 * The model keeps that in an internal annotation (stripped with the
 * others at the end): one line a group of shared locations, "KEY\tPTR\tPTR...",
 * each PTR a JSON pointer to a map holding KEY.
 */
#include "lib/kustomize/kz_links.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/json.h"
#include "lib/value/jsonpatch.h"
#include "lib/value/value.h"

/* "/" and the member's escaped key (or the element's index), put in front of what out holds */
static int prepend_step(struct gitops_buf *out, const cJSON *parent, const cJSON *c, size_t i)
{
	struct gitops_buf seg = GITOPS_BUF_INIT;
	size_t old = out->len;
	int rc = -1;

	if (gitops_buf_addstr(&seg, "/") < 0)
		goto done;
	if (cJSON_IsArray(parent)) {
		if (gitops_buf_printf(&seg, "%zu", i) < 0)
			goto done;
	} else {
		const char *s;

		for (s = c->string; *s; s++)
			if ((*s == '~' && gitops_buf_addstr(&seg, "~0") < 0) ||
			    (*s == '/' && gitops_buf_addstr(&seg, "~1") < 0) ||
			    (*s != '~' && *s != '/' && gitops_buf_add(&seg, s, 1) < 0))
				goto done;
	}
	/* grow out by the segment, then move what it held behind it */
	if (gitops_buf_add(out, seg.data, seg.len) < 0)
		goto done;
	memmove(out->data + seg.len, out->data, old);
	memcpy(out->data, seg.data, seg.len);
	rc = 0;
done:
	gitops_buf_release(&seg);
	return rc;
}

/*
 * The JSON pointer of node inside root into out (empty before the call):
 * 1 found, 0 not, -1 out of memory.  The search builds nothing; the steps
 * are written on the way back from the node, each in front of the last.
 */
static int find_ptr(struct gitops_buf *out, const cJSON *root, const cJSON *node)
{
	const cJSON *c;
	size_t i = 0;

	if (root == node)
		return 1;
	if (!cJSON_IsObject(root) && !cJSON_IsArray(root))
		return 0;
	for (c = root->child; c; c = c->next, i++) {
		int r = find_ptr(out, c, node);

		if (r < 0)
			return -1;
		if (r)
			return prepend_step(out, root, c, i) < 0 ? -1 : 1;
	}
	return 0;
}

/* The map a pointer names, or NULL. */
static cJSON *resolve(const cJSON *root, const char *ptr)
{
	struct gitops_jsonpointer p = GITOPS_JSONPOINTER_INIT;
	struct gitops_err e = GITOPS_ERR_INIT;
	cJSON *out = NULL;

	if (gitops_jsonpointer_parse(&p, ptr, &e) == 0 && gitops_jsonpointer_resolve(&out, root, &p, &e) != 0)
		out = NULL;
	gitops_jsonpointer_release(&p);
	return cJSON_IsObject(out) ? out : NULL;
}

int kz_links_pointer(struct gitops_buf *out, const cJSON *root, const cJSON *node)
{
	out->len = 0;
	if (gitops_buf_addstr(out, "") < 0)
		return -1;
	return find_ptr(out, root, node);
}

int kz_links_add(cJSON *obj, const char *key, char *const *ptrs, size_t n, struct gitops_err *err)
{
	const char *old = kz_res_annotation(obj, KZ_ANN_LINKS);
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i;
	int rc;

	if (n < 2)
		return 0;
	if ((old && (gitops_buf_addstr(&b, old) < 0 || gitops_buf_addstr(&b, "\n") < 0)) ||
	    gitops_buf_addstr(&b, key) < 0)
		goto oom;
	for (i = 0; i < n; i++)
		if (gitops_buf_addstr(&b, "\t") < 0 || gitops_buf_addstr(&b, ptrs[i]) < 0)
			goto oom;
	rc = kz_res_set_annotation(obj, KZ_ANN_LINKS, b.data, err);
	gitops_buf_release(&b);
	return rc;
oom:
	gitops_buf_release(&b);
	return gitops_err_oom(err);
}

/* One group of the annotation, split in place: fields[0] the key, the rest pointers. */
struct group {
	char *fields[64];
	size_t n;
};

static void split_group(struct group *g, char *line)
{
	char *save = NULL, *t;

	g->n = 0;
	for (t = strtok_r(line, "\t", &save); t && g->n < 64; t = strtok_r(NULL, "\t", &save))
		g->fields[g->n++] = t;
}

/* Set key to a copy of v in every map of the group but `except`. */
static int set_all(cJSON *obj, const struct group *g, const cJSON *v, const char *except, struct gitops_err *err)
{
	size_t i;

	for (i = 1; i < g->n; i++) {
		cJSON *map, *cp;

		if (except && !strcmp(g->fields[i], except))
			continue;
		if (!(map = resolve(obj, g->fields[i])) || !gitops_value_get(map, g->fields[0]))
			continue;
		if (!(cp = gitops_value_copy(v)) || gitops_value_set(map, g->fields[0], cp) < 0) {
			cJSON_Delete(cp);
			return gitops_err_oom(err);
		}
	}
	return 0;
}

int kz_links_set(cJSON *obj, const cJSON *map, const char *key, struct gitops_err *err)
{
	const char *ann = kz_res_annotation(obj, KZ_ANN_LINKS);
	struct gitops_buf ptr = GITOPS_BUF_INIT;
	const cJSON *v = gitops_value_get(map, key);
	char *text = NULL, *line, *save = NULL;
	int rc = 0, r;

	if (!ann || !v)
		return 0;
	if ((r = kz_links_pointer(&ptr, obj, map)) <= 0) {
		gitops_buf_release(&ptr);
		return r < 0 ? gitops_err_oom(err) : 0;
	}
	if (!(text = strdup(ann))) {
		gitops_buf_release(&ptr);
		return gitops_err_oom(err);
	}
	for (line = strtok_r(text, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		struct group g;
		size_t i;

		split_group(&g, line);
		if (g.n < 2 || strcmp(g.fields[0], key))
			continue;
		for (i = 1; i < g.n; i++)
			if (!strcmp(g.fields[i], ptr.data))
				break;
		if (i < g.n)
			rc = set_all(obj, &g, v, ptr.data, err);
	}
	free(text);
	gitops_buf_release(&ptr);
	return rc;
}

/*
 * After something changed obj (before: what it was): a group whose value
 * changed in one map takes it in all; a map that lost the key leaves its
 * group.  The annotation is rewritten with what remains.
 */
int kz_links_sync(cJSON *obj, const cJSON *before, struct gitops_err *err)
{
	const char *ann = kz_res_annotation(obj, KZ_ANN_LINKS);
	struct gitops_buf keep = GITOPS_BUF_INIT;
	char *text, *line, *save = NULL;
	int rc = 0;

	if (!ann)
		return 0;
	if (!(text = strdup(ann)))
		return gitops_err_oom(err);
	for (line = strtok_r(text, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		struct group g, live;
		const cJSON *changed = NULL;
		const char *where = NULL;
		size_t i;

		split_group(&g, line);
		if (g.n < 2)
			continue;
		live.fields[0] = g.fields[0];
		live.n = 1;
		for (i = 1; i < g.n; i++) {
			const cJSON *am = resolve(obj, g.fields[i]), *bm = resolve(before, g.fields[i]);
			const cJSON *av = am ? gitops_value_get(am, g.fields[0]) : NULL;
			const cJSON *bv = bm ? gitops_value_get(bm, g.fields[0]) : NULL;

			if (!av)
				continue;
			live.fields[live.n++] = g.fields[i];
			if (!changed && (!bv || !gitops_value_equal_strict(av, bv))) {
				changed = av;
				where = g.fields[i];
			}
		}
		if (changed) {
			cJSON *v = gitops_value_copy(changed);

			rc = v ? set_all(obj, &live, v, where, err) : gitops_err_oom(err);
			cJSON_Delete(v);
		}
		if (!rc && live.n >= 3) {
			if (keep.len && gitops_buf_addstr(&keep, "\n") < 0)
				rc = gitops_err_oom(err);
			for (i = 0; !rc && i < live.n; i++)
				if ((i && gitops_buf_addstr(&keep, "\t") < 0) || gitops_buf_addstr(&keep, live.fields[i]) < 0)
					rc = gitops_err_oom(err);
		}
	}
	if (!rc) {
		if (keep.len)
			rc = kz_res_set_annotation(obj, KZ_ANN_LINKS, keep.data, err);
		else
			kz_res_remove_annotation(obj, KZ_ANN_LINKS);
	}
	free(text);
	gitops_buf_release(&keep);
	return rc;
}

void kz_links_drop(cJSON *obj)
{
	kz_res_remove_annotation(obj, KZ_ANN_LINKS);
}
