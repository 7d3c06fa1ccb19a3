#include "lib/sync/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>

#include "lib/sync/applyset.h"
#include "lib/base/buf.h"
#include "lib/sync/compare.h"
#include "lib/sync/difftext.h"
#include "lib/k8s/object.h"
#include "lib/sync/plan.h"
#include "lib/yaml/yaml.h"
#include "lib/value/value.h"
#include "lib/value/jsonio.h"



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
	gitops_compare_normalize(a, manifest);
	gitops_compare_normalize(b, manifest);
	if ((!a && !b) || (a && b && gitops_value_equal(a, b))) {
		if (!(*out = strdup("")))
			gitops_err_oom(err);
		ret = *out ? 0 : -1;
		goto done;
	}
	*sync = !a ? GITOPS_DIFF_MISSING : !b ? GITOPS_DIFF_EXTRANEOUS : GITOPS_DIFF_OUT_OF_SYNC;
	if (type_first(a) < 0 || type_first(b) < 0 || (!show->show_secrets && gitops_compare_mask_secrets(a, b) < 0)) {
		gitops_err_oom(err);
		goto done;
	}
	if (yaml_text(&ta, &na, a, err) < 0 || yaml_text(&tb, &nb, b, err) < 0)
		goto done;
	snprintf(la, sizeof(la), "%s (%s)", title, a ? "live" : "not live");
	snprintf(lb, sizeof(lb), "%s (%s)", title, b ? "desired" : "pruned");
	if (gitops_difftext_unified(out, ta ? ta : "", na, tb ? tb : "", nb, la, lb, show->color, err) < 0)
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
		/* a new commit that leaves the object as it was is no change to it (what gitops-apply sends too) */
		if (it->live && gitops_plan_keep_revision(it->body, it->live, o->field_manager) < 0) {
			ret = gitops_err_oom(err);
			goto done;
		}
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
			if (!it->live)
				continue; /* its namespace (or kind) is not on the server yet: as its manifest says */
			gitops_kube_status_error(&e, &reqs[i]);
			fail(it, &e);
		} else if (!(it->desired = gitops_json_read(reqs[i].response.data, reqs[i].response.len))) {
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
	if (gitops_object_id(&id, e) < 0)
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
	want.confirmed = o->confirm_prune;
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

/*
 * Before any dry run: may this user list what finding the set's members
 * lists?  (Once a Namespace is a member: namespaces, cluster-wide.)  Refused
 * with GITOPS_EXIT_AUTH and what is missing, rather than after every diff.
 */
static int check_list_access(struct gitops_kube *k, struct gitops_kube_discovery *d,
			     const struct gitops_diff_options *o, struct gitops_err *err)
{
	struct gitops_kube_accesses lists = GITOPS_KUBE_ACCESSES_INIT;
	struct gitops_applyset *set = NULL;
	char what[400];
	int ret = -1;

	if (gitops_applyset_open(&set, k, o->applyset, o->namespace, "gitops/" GITOPS_VERSION, err) < 0 ||
	    gitops_applyset_access(&lists, set, d, "list", err) < 0 || gitops_kube_access_review(k, &lists, err) < 0)
		goto done;
	if (gitops_kube_access_denied(&lists)) {
		snprintf(what, sizeof(what), "finding the members of applyset %s", o->applyset);
		gitops_kube_access_refuse(err, k, &lists, what, "grant %s, or diff without --applyset; nothing was compared");
		goto done;
	}
	ret = 0;
done:
	gitops_applyset_free(set);
	gitops_kube_accesses_release(&lists);
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
		if (!(it->live = gitops_json_read(it->p.live_text, strlen(it->p.live_text)))) {
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
		if (gitops_applyset_id(set_id, sizeof(set_id), opts->applyset, opts->namespace, err) < 0 ||
		    check_list_access(k, d, opts, err) < 0) {
			ret = -1;
			goto done;
		}
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
