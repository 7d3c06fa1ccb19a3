#include "lib/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>

#include "lib/applyset.h"
#include "lib/buf.h"
#include "lib/object.h"
#include "lib/plan.h"
#include "lib/yaml.h"

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"
#define LIST_FROM 8   /* this many objects of one kind in one namespace: one LIST instead of a GET each */

#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_CYAN "\033[36m"
#define C_RESET "\033[0m"

const char *gitops_diff_sync_name(enum gitops_diff_sync s)
{
	switch (s) {
	case GITOPS_DIFF_SYNCED:
		return "Synced";
	case GITOPS_DIFF_OUT_OF_SYNC:
		return "OutOfSync";
	case GITOPS_DIFF_MISSING:
		return "Missing";
	case GITOPS_DIFF_EXTRANEOUS:
		return "Extraneous";
	}
	return "Unknown";
}

/* --- normalisation --- */

/* `creationTimestamp: null` in nested metadata (pod templates): noise the API server writes. */
static void strip_null_timestamps(cJSON *node)
{
	cJSON *c;

	cJSON_ArrayForEach(c, node)
	{
		if (c->string && !strcmp(c->string, "metadata") && cJSON_IsObject(c) &&
		    cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(c, "creationTimestamp")))
			cJSON_DeleteItemFromObjectCaseSensitive(c, "creationTimestamp");
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			strip_null_timestamps(c);
	}
}

/* Does the manifest set this (to something other than null)? */
static int manifest_sets(const cJSON *m)
{
	return m && !cJSON_IsNull(m);
}

void gitops_diff_normalize(cJSON *obj, const cJSON *manifest)
{
	static const char *const noise[] = { "managedFields", "resourceVersion", "generation", "uid",
					     "creationTimestamp", "selfLink", NULL };
	const cJSON *mmeta = gitops_json_get(manifest, "metadata", NULL);
	const char *const *k;
	cJSON *meta, *ann;

	if (!cJSON_IsObject(obj))
		return;
	meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (cJSON_IsObject(meta)) {
		for (k = noise; *k; k++)
			if (!manifest_sets(gitops_json_get(mmeta, *k, NULL)))
				cJSON_DeleteItemFromObjectCaseSensitive(meta, *k);
		ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
		if (cJSON_IsObject(ann) && cJSON_GetObjectItemCaseSensitive(ann, LAST_APPLIED) &&
		    !manifest_sets(gitops_json_get(mmeta, "annotations", LAST_APPLIED, NULL))) {
			cJSON_DeleteItemFromObjectCaseSensitive(ann, LAST_APPLIED);
			if (!ann->child)
				cJSON_DeleteItemFromObjectCaseSensitive(meta, "annotations");
		}
	}
	if (!manifest_sets(gitops_json_get(manifest, "status", NULL)))
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
	strip_null_timestamps(obj);
}

/* --- masking --- */

int gitops_diff_is_secret(const cJSON *obj)
{
	const char *av = gitops_json_get_string(obj, "apiVersion", NULL);
	const char *kind = gitops_json_get_string(obj, "kind", NULL);

	return av && kind && !strcmp(av, "v1") && !strcmp(kind, "Secret");
}

/* Replace item (a member of the mapping parent) by the string mask. */
static int set_mask(cJSON *parent, cJSON *item, const char *mask)
{
	cJSON *m = cJSON_CreateString(mask);

	if (!m)
		return -1;
	if (!cJSON_ReplaceItemInObjectCaseSensitive(parent, item->string, m)) {
		cJSON_Delete(m);
		return -1;
	}
	return 0;
}

/* kubectl's rule for one value on each side (either NULL: absent there). */
static int mask_pair(cJSON *pa, cJSON *a, cJSON *pb, cJSON *b)
{
	if (a && b) {
		int same = gitops_json_equal(a, b);
		if (set_mask(pa, a, same ? GITOPS_DIFF_MASK : GITOPS_DIFF_MASK_BEFORE) < 0 ||
		    set_mask(pb, b, same ? GITOPS_DIFF_MASK : GITOPS_DIFF_MASK_AFTER) < 0)
			return -1;
		return 0;
	}
	if (a)
		return set_mask(pa, a, GITOPS_DIFF_MASK);
	if (b)
		return set_mask(pb, b, GITOPS_DIFF_MASK);
	return 0;
}

static cJSON *member(cJSON *parent, const char *key)
{
	cJSON *c = cJSON_IsObject(parent) ? cJSON_GetObjectItemCaseSensitive(parent, key) : NULL;

	return cJSON_IsNull(c) ? NULL : c;
}

/* Mask the values of the mapping `key` of pa and pb (either may be NULL); a value that is no mapping, whole. */
static int mask_field(cJSON *pa, cJSON *pb, const char *key)
{
	cJSON *a = member(pa, key), *b = member(pb, key), *c, *next;

	if ((a && !cJSON_IsObject(a)) || (b && !cJSON_IsObject(b)))
		return mask_pair(pa, a, pb, b);
	for (c = a ? a->child : NULL; c; c = next) {
		next = c->next;
		if (mask_pair(a, c, b, b ? cJSON_GetObjectItemCaseSensitive(b, c->string) : NULL) < 0)
			return -1;
	}
	for (c = b ? b->child : NULL; c; c = next) {
		next = c->next;
		if (!a || !cJSON_GetObjectItemCaseSensitive(a, c->string))
			if (set_mask(b, c, GITOPS_DIFF_MASK) < 0)
				return -1;
	}
	return 0;
}

/* Put the masked text back into the annotation. */
static int set_annotation_json(cJSON *ann, cJSON *item, const cJSON *json)
{
	char *text;
	cJSON *s;

	if (!ann || !item)
		return 0;
	text = cJSON_PrintUnformatted(json);
	s = text ? cJSON_CreateString(text) : NULL;
	free(text);
	if (!s)
		return -1;
	if (!cJSON_ReplaceItemInObjectCaseSensitive(ann, LAST_APPLIED, s)) {
		cJSON_Delete(s);
		return -1;
	}
	return 0;
}

/* The Secret kubectl apply remembered, values and all, in the last-applied annotation. */
static int mask_last_applied(cJSON *live, cJSON *desired)
{
	cJSON *anna = member(member(live, "metadata"), "annotations");
	cJSON *annb = member(member(desired, "metadata"), "annotations");
	cJSON *a = member(anna, LAST_APPLIED), *b = member(annb, LAST_APPLIED);
	cJSON *ja = cJSON_IsString(a) ? cJSON_Parse(a->valuestring) : NULL;
	cJSON *jb = cJSON_IsString(b) ? cJSON_Parse(b->valuestring) : NULL;
	int ret;

	if ((a && !cJSON_IsObject(ja)) || (b && !cJSON_IsObject(jb)))
		ret = mask_pair(anna, a, annb, b); /* not JSON: masked whole */
	else
		ret = mask_field(ja, jb, "data") < 0 || mask_field(ja, jb, "stringData") < 0 ||
			      set_annotation_json(anna, a, ja) < 0 || set_annotation_json(annb, b, jb) < 0 ? -1 : 0;
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	return ret;
}

int gitops_diff_mask_secrets(cJSON *live, cJSON *desired)
{
	if (!gitops_diff_is_secret(live) && !gitops_diff_is_secret(desired))
		return 0;
	if (mask_field(live, desired, "data") < 0 || mask_field(live, desired, "stringData") < 0 ||
	    mask_last_applied(live, desired) < 0)
		return -1;
	return 0;
}

/* --- unified diff --- */

/* One line: color, the prefix and the text (its line break removed), reset, line break. */
static int put_line(struct gitops_buf *b, const char *color, char prefix, const char *text, size_t len)
{
	if (len && text[len - 1] == '\n')
		len--;
	if (color && gitops_buf_addstr(b, color) < 0)
		return -1;
	if (prefix && gitops_buf_add(b, &prefix, 1) < 0)
		return -1;
	if (gitops_buf_add(b, text, len) < 0 || (color && gitops_buf_addstr(b, C_RESET) < 0))
		return -1;
	return gitops_buf_add(b, "\n", 1);
}

/* "@@ -a,b +c,d @@ context": the range in cyan, the context (the section it is in) plain, as git does. */
static int put_hunk_header(struct gitops_buf *b, const git_diff_hunk *h, int color)
{
	size_t len = h->header_len, range;
	const char *end;

	while (len && (h->header[len - 1] == '\n' || h->header[len - 1] == '\r'))
		len--;
	if (!color)
		return put_line(b, NULL, 0, h->header, len);
	end = len > 2 ? memchr(h->header + 2, '@', len - 2) : NULL;
	range = end && (size_t)(end - h->header) + 2 <= len ? (size_t)(end - h->header) + 2 : len;
	if (gitops_buf_addstr(b, C_CYAN) < 0 || gitops_buf_add(b, h->header, range) < 0 ||
	    gitops_buf_addstr(b, C_RESET) < 0)
		return -1;
	return put_line(b, NULL, 0, h->header + range, len - range);
}

int gitops_diff_text(char **out, const char *old_text, size_t old_len, const char *new_text, size_t new_len,
		     const char *old_label, const char *new_label, int color, struct gitops_err *err)
{
	git_diff_options o;
	struct gitops_buf b = GITOPS_BUF_INIT;
	git_patch *p = NULL;
	size_t h, nh;
	int ret = -1, inited;

	*out = NULL;
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.context_lines = 3;
	o.interhunk_lines = 0;
	o.flags |= GIT_DIFF_FORCE_TEXT;
	if ((inited = git_libgit2_init()) < 0 ||
	    git_patch_from_buffers(&p, old_len ? old_text : NULL, old_len, NULL, new_len ? new_text : NULL, new_len,
				   NULL, &o) < 0) {
		const git_error *e = git_error_last();
		gitops_err_set(err, GITOPS_EXIT_INTERNAL, "diff: %s", e && e->message ? e->message : "libgit2 failed");
		goto done;
	}
	nh = git_patch_num_hunks(p);
	if (nh) {
		char hdr[2][1100];
		snprintf(hdr[0], sizeof(hdr[0]), "--- %s", old_label);
		snprintf(hdr[1], sizeof(hdr[1]), "+++ %s", new_label);
		if (put_line(&b, color ? C_BOLD : NULL, 0, hdr[0], strlen(hdr[0])) < 0 ||
		    put_line(&b, color ? C_BOLD : NULL, 0, hdr[1], strlen(hdr[1])) < 0)
			goto oom;
	}
	for (h = 0; h < nh; h++) {
		const git_diff_hunk *hunk;
		size_t nl, l;
		if (git_patch_get_hunk(&hunk, &nl, p, h) < 0)
			goto lib_error;
		if (put_hunk_header(&b, hunk, color) < 0)
			goto oom;
		for (l = 0; l < nl; l++) {
			const git_diff_line *line;
			int r = 0;
			if (git_patch_get_line_in_hunk(&line, p, h, l) < 0)
				goto lib_error;
			switch (line->origin) {
			case GIT_DIFF_LINE_ADDITION:
				r = put_line(&b, color ? C_GREEN : NULL, '+', line->content, line->content_len);
				break;
			case GIT_DIFF_LINE_DELETION:
				r = put_line(&b, color ? C_RED : NULL, '-', line->content, line->content_len);
				break;
			case GIT_DIFF_LINE_CONTEXT:
				r = put_line(&b, NULL, ' ', line->content, line->content_len);
				break;
			default: /* the last line had no line break */
				r = gitops_buf_addstr(&b, "\\ No newline at end of file\n");
				break;
			}
			if (r < 0)
				goto oom;
		}
	}
	if (!b.data && gitops_buf_add(&b, "", 0) < 0)
		goto oom;
	*out = gitops_buf_detach(&b);
	ret = *out ? 0 : gitops_err_oom(err);
	goto done;
lib_error:
	{
		const git_error *e = git_error_last();
		gitops_err_set(err, GITOPS_EXIT_INTERNAL, "diff: %s", e && e->message ? e->message : "libgit2 failed");
	}
	goto done;
oom:
	gitops_err_oom(err);
done:
	git_patch_free(p);
	if (inited >= 0)
		git_libgit2_shutdown();
	gitops_buf_release(&b);
	return ret;
}

/* Put the top-level keys of obj in the order of model's (the others after them, as they were). */
static int align_order(cJSON *obj, const cJSON *model)
{
	cJSON *tmp = cJSON_CreateObject(), *c, *x;
	int ret = 0;

	if (!tmp)
		return -1;
	cJSON_ArrayForEach(c, model)
	{
		if ((x = cJSON_DetachItemFromObjectCaseSensitive(obj, c->string)) && !cJSON_AddItemToObject(tmp, c->string, x)) {
			cJSON_Delete(x);
			ret = -1;
		}
	}
	while ((c = obj->child)) {
		x = cJSON_DetachItemViaPointer(obj, c);
		if (!cJSON_AddItemToObject(tmp, x->string, x)) {
			cJSON_Delete(x);
			ret = -1;
		}
	}
	obj->child = tmp->child;
	tmp->child = NULL;
	cJSON_Delete(tmp);
	return ret;
}

/* apiVersion and kind first, in that order, whatever order the server wrote them in (kind first, for built-in kinds). */
static int type_first(cJSON *obj)
{
	cJSON *model;
	int ret;

	if (!obj)
		return 0;
	model = cJSON_CreateObject();
	if (!model || !cJSON_AddNullToObject(model, "apiVersion") || !cJSON_AddNullToObject(model, "kind")) {
		cJSON_Delete(model);
		return -1;
	}
	ret = align_order(obj, model);
	cJSON_Delete(model);
	return ret;
}

/* The object as YAML, without the document start line. */
static int yaml_text(char **out, size_t *len, const cJSON *obj, struct gitops_err *err)
{
	*out = NULL;
	*len = 0;
	if (!obj)
		return 0;
	if (gitops_yaml_dump(out, obj, err) < 0)
		return -1;
	*len = strlen(*out);
	if (!strncmp(*out, "---\n", 4)) {
		memmove(*out, *out + 4, *len - 3);
		*len -= 4;
	}
	return 0;
}

int gitops_diff_object(char **out, enum gitops_diff_sync *sync, const cJSON *live, const cJSON *desired,
		       const cJSON *manifest, const char *title, const struct gitops_diff_show *show,
		       struct gitops_err *err)
{
	cJSON *a = NULL, *b = NULL;
	char *ta = NULL, *tb = NULL, la[700], lb[700];
	size_t na, nb;
	int ret = -1;

	*out = NULL;
	*sync = GITOPS_DIFF_SYNCED;
	if ((live && !(a = cJSON_Duplicate(live, 1))) || (desired && !(b = cJSON_Duplicate(desired, 1)))) {
		gitops_err_oom(err);
		goto done;
	}
	gitops_diff_normalize(a, manifest);
	gitops_diff_normalize(b, manifest);
	if ((!a && !b) || (a && b && gitops_json_equal(a, b))) {
		if (!(*out = strdup("")))
			gitops_err_oom(err);
		ret = *out ? 0 : -1;
		goto done;
	}
	*sync = !a ? GITOPS_DIFF_MISSING : !b ? GITOPS_DIFF_EXTRANEOUS : GITOPS_DIFF_OUT_OF_SYNC;
	if (type_first(a) < 0 || type_first(b) < 0 || (!show->show_secrets && gitops_diff_mask_secrets(a, b) < 0)) {
		gitops_err_oom(err);
		goto done;
	}
	if (yaml_text(&ta, &na, a, err) < 0 || yaml_text(&tb, &nb, b, err) < 0)
		goto done;
	snprintf(la, sizeof(la), "%s (%s)", title, a ? "live" : "not live");
	snprintf(lb, sizeof(lb), "%s (%s)", title, b ? "desired" : "pruned");
	if (gitops_diff_text(out, ta ? ta : "", na, tb ? tb : "", nb, la, lb, show->color, err) < 0)
		goto done;
	if (!**out)
		*sync = GITOPS_DIFF_SYNCED; /* different trees that read the same (a float written alike) */
	ret = 0;
done:
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(ta);
	free(tb);
	return ret;
}

/* --- against the cluster --- */

struct item {
	struct gitops_plan_item p;                /* kind, placement, what is live; p.failed and p.err say a failure */
	char title[600];
	cJSON *live;                              /* p.live_text read, while its chunk is compared */
	char *uid;                                /* the live object's */
	cJSON *body;                              /* what the dry-run apply sends */
	cJSON *desired;                           /* what it would become */
	int proven;                               /* in sync without asking: the apply would change nothing */
};

static void fail(struct item *it, const struct gitops_err *e)
{
	it->p.failed = 1;
	it->p.err = *e;
}

/* What each object would become: a dry-run apply each (but those proven unchanged), all at once. */
static int dry_run(struct gitops_kube *k, struct item *const *items, size_t n, const struct gitops_diff_options *o,
		   struct gitops_err *err)
{
	static const long ok404[] = { 404, 0 };
	const struct gitops_plan_apply_options ao = { .field_manager = o->field_manager, .force = 1, .dry_run = 1 };
	struct gitops_kube_request *reqs = calloc(n ? n : 1, sizeof(*reqs));
	struct item **of = calloc(n ? n : 1, sizeof(*of));
	struct gitops_err ignore = GITOPS_ERR_INIT;
	size_t i, m = 0;
	int ret = 0;

	if (!reqs || !of) {
		ret = gitops_err_oom(err);
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct item *it = items[i];
		if (!it->p.res || it->p.failed)
			continue;
		if (it->live && !o->always_dry_run && gitops_plan_unchanged(it->body, it->live, o->field_manager)) {
			it->proven = 1;
			continue;
		}
		if (gitops_plan_apply_request(&reqs[m], &it->p, it->body, &ao, err) < 0) {
			ret = -1;
			m++;
			goto done;
		}
		reqs[m].what = it->title;
		gitops_kube_request_redact_secret(&reqs[m], it->live); /* the body's own values are masked anyway */
		of[m++] = it;
	}
	gitops_kube_run(k, reqs, m, ok404, &ignore);
	for (i = 0; i < m; i++) {
		struct item *it = of[i];
		struct gitops_err e = GITOPS_ERR_INIT;
		if (reqs[i].failed) {
			fail(it, &reqs[i].err);
		} else if (reqs[i].status == 404) {
			char msg[GITOPS_ERR_MSG_MAX];
			int code;
			if (!it->live)
				continue; /* its namespace (or kind) is not on the server yet: as its manifest says */
			gitops_kube_status_message(&reqs[i], msg, sizeof(msg), &code);
			gitops_err_set(&e, code, "%s", msg);
			fail(it, &e);
		} else if (!(it->desired = cJSON_ParseWithLength(reqs[i].response.data, reqs[i].response.len))) {
			gitops_err_set(&e, GITOPS_EXIT_REJECTED, "%s: the server's answer is not JSON", it->title);
			fail(it, &e);
		}
	}
done:
	for (i = 0; reqs && i < m; i++)
		gitops_kube_request_release(&reqs[i]);
	free(reqs);
	free(of);
	return ret;
}

static void id_strings(struct gitops_diff_result *r, const cJSON *obj)
{
	r->api_version = gitops_json_get_string(obj, "apiVersion", NULL);
	r->kind = gitops_json_get_string(obj, "kind", NULL);
	r->name = gitops_json_get_string(obj, "metadata", "name", NULL);
}

static void report_extraneous(const cJSON *e, int pending, const struct gitops_diff_options *o,
			      gitops_diff_report_fn report, void *ctx, int *ret, struct gitops_err *err)
{
	struct gitops_diff_result r;
	struct gitops_id id;
	char title[600], *text = NULL;

	memset(&r, 0, sizeof(r));
	if (gitops_object_id(e, &id) < 0)
		return;
	gitops_id_format(&id, title, sizeof(title));
	if (pending)
		snprintf(title + strlen(title), sizeof(title) - strlen(title), ", prune needs confirmation");
	id_strings(&r, e);
	r.namespace = id.namespace;
	r.live = e;
	r.prune_pending = pending;
	if (gitops_diff_object(&text, &r.sync, e, NULL, NULL, title, &o->show, &r.err) < 0) {
		r.failed = 1;
		if (*ret == 0) {
			*err = r.err;
			*ret = -1;
		}
	}
	r.text = text ? text : "";
	if (report)
		report(ctx, &r);
	free(text);
}

/*
 * Live members of the ApplySet that the stream lacks: Extraneous, as a prune
 * would see them (a member whose UID is live as one of the stream's objects,
 * under another API group, is that object).
 */
static int extraneous(struct gitops_kube *k, struct gitops_kube_discovery *d, const struct gitops_object *objs,
		      const struct item *items, size_t n, const struct gitops_diff_options *o,
		      gitops_diff_report_fn report, void *ctx, struct gitops_err *err)
{
	struct gitops_applyset_orphans orphans = { NULL, NULL, 0 };
	struct gitops_applyset_desired want;
	const char **uids = calloc(n ? n : 1, sizeof(*uids));
	const cJSON *e;
	size_t i;
	int ret = 0;

	if (!uids)
		return gitops_err_oom(err);
	memset(&want, 0, sizeof(want));
	for (i = 0; i < n; i++) {
		if (items[i].uid)
			uids[want.n_uids++] = items[i].uid;
	}
	want.objs = objs;
	want.n = n;
	want.default_ns = o->namespace;
	want.uids = uids;
	if (gitops_applyset_orphans(k, d, o->applyset, o->namespace, &want, &orphans, err) < 0) {
		free(uids);
		return -1;
	}
	cJSON_ArrayForEach(e, orphans.doomed)
		report_extraneous(e, 0, o, report, ctx, &ret, err);
	cJSON_ArrayForEach(e, orphans.unconfirmed)
		report_extraneous(e, 1, o, report, ctx, &ret, err);
	gitops_applyset_orphans_release(&orphans);
	free(uids);
	return ret;
}

#define DIFF_CHUNK 128

/* A chunk's objects made ready: bodies, what is live (a GET each where no LIST answered), read into trees. */
static int prepare_chunk(struct gitops_kube *k, struct item *const *items, size_t n, const char *set_id,
			 struct gitops_err *err)
{
	struct gitops_plan_item **p = calloc(n ? n : 1, sizeof(*p));
	size_t i;
	int ret = -1;

	if (!p)
		return gitops_err_oom(err);
	for (i = 0; i < n; i++) {
		p[i] = &items[i]->p;
		if (!(items[i]->body = gitops_plan_body(&items[i]->p, set_id))) {
			gitops_err_oom(err);
			goto done;
		}
	}
	if (gitops_plan_get_live(k, p, n, err) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		struct item *it = items[i];
		const char *uid;
		if (!it->p.live_text || it->p.failed)
			continue;
		if (!(it->live = cJSON_Parse(it->p.live_text))) {
			struct gitops_err e = GITOPS_ERR_INIT;
			gitops_err_set(&e, GITOPS_EXIT_REJECTED, "%s: the server's answer is not JSON", it->title);
			fail(it, &e);
			continue;
		}
		if ((uid = gitops_json_get_string(it->live, "metadata", "uid", NULL)) && !(it->uid = strdup(uid))) {
			gitops_err_oom(err);
			goto done;
		}
	}
	ret = 0;
done:
	free(p);
	return ret;
}

static void release_chunk_item(struct item *it)
{
	gitops_plan_item_release(&it->p);
	cJSON_Delete(it->live);
	cJSON_Delete(it->body);
	cJSON_Delete(it->desired);
	it->live = it->body = it->desired = NULL;
}

static void report_one(struct item *it, const struct gitops_diff_options *opts, gitops_diff_report_fn report,
		       void *ctx, int *ret, struct gitops_err *err)
{
	struct gitops_diff_result r;
	char *text = NULL;

	memset(&r, 0, sizeof(r));
	id_strings(&r, it->p.obj->json);
	r.namespace = it->p.ns;
	r.obj = it->p.obj;
	r.live = it->live;
	if (it->p.failed) {
		r.failed = 1;
		r.err = it->p.err;
	} else if (it->proven) {
		r.sync = GITOPS_DIFF_SYNCED;
	} else if (gitops_diff_object(&text, &r.sync, it->live, it->desired ? it->desired : it->body, it->p.obj->json,
				      it->title, &opts->show, &r.err) < 0) {
		r.failed = 1;
	}
	if (r.failed && *ret == 0) {
		*err = r.err;
		*ret = -1;
	}
	r.text = text ? text : "";
	if (report)
		report(ctx, &r);
	free(text);
}

int gitops_diff(struct gitops_kube *k, struct gitops_kube_discovery *d, const struct gitops_object *objs, size_t n,
		const struct gitops_diff_options *opts, gitops_diff_report_fn report, void *ctx, struct gitops_err *err)
{
	struct gitops_diff_options def = GITOPS_DIFF_OPTIONS_INIT;
	struct item *items = calloc(n ? n : 1, sizeof(*items));
	struct item **all = calloc(n ? n : 1, sizeof(*all));
	struct gitops_plan_item **plan = calloc(n ? n : 1, sizeof(*plan));
	char set_id[128];
	size_t i, c, m;
	int ret = -1, inited = git_libgit2_init();

	if (!opts)
		opts = &def;
	if (!items || !all || !plan) {
		gitops_err_oom(err);
		goto done;
	}
	/* every object checked and every kind resolved before anything is requested */
	for (i = 0; i < n; i++) {
		all[i] = &items[i];
		plan[i] = &items[i].p;
		if (gitops_plan_item_init(&items[i].p, &objs[i], err) < 0)
			goto done;
	}
	for (i = 0; i < n; i++) {
		struct gitops_id shown = items[i].p.id;
		if (gitops_plan_resolve(&items[i].p, d, plan, n, opts->namespace, err) < 0)
			goto done;
		shown.namespace = items[i].p.ns;
		gitops_id_format(&shown, items[i].title, sizeof(items[i].title));
		items[i].p.what = items[i].title;
	}
	if (opts->applyset)
		gitops_applyset_id(opts->applyset, opts->namespace, set_id, sizeof(set_id));
	/* what is live: a LIST per kind and namespace (kept as text), else a GET each */
	gitops_plan_list_live(k, plan, n);
	ret = 0;
	/* then a chunk at a time, its requests all at once: memory stays that of one chunk */
	for (c = 0; c < n; c += m) {
		m = n - c < DIFF_CHUNK ? n - c : DIFF_CHUNK;
		if (prepare_chunk(k, all + c, m, opts->applyset ? set_id : NULL, err) < 0 ||
		    dry_run(k, all + c, m, opts, err) < 0) {
			ret = -1;
			goto done;
		}
		for (i = c; i < c + m; i++) {
			report_one(&items[i], opts, report, ctx, &ret, err);
			release_chunk_item(&items[i]);
		}
	}
	if (opts->applyset) {
		struct gitops_err e = GITOPS_ERR_INIT;
		if (extraneous(k, d, objs, items, n, opts, report, ctx, &e) < 0 && ret == 0) {
			*err = e;
			ret = -1;
		}
	}
done:
	for (i = 0; items && i < n; i++) {
		release_chunk_item(&items[i]);
		free(items[i].uid);
	}
	free(items);
	free(all);
	free(plan);
	if (inited >= 0)
		git_libgit2_shutdown();
	return ret;
}
