#include "lib/sync/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kube/kube_rest.h"
#include "lib/k8s/object.h"
#include "lib/k8s/order.h"
#include "lib/value/jsonio.h"

/*
 * DELETE each (in parallel), background propagation.  failed[i] says which
 * failed, and errs[i] (errs may be NULL) why: each its own message.
 */
/* DeleteOptions.preconditions.uid in q's body: the DELETE fails (409) rather than delete another object. */
static int precondition_uid(struct gitops_kube_request *q, const char *uid)
{
	cJSON *body = gitops_json_read(q->body, q->body_len), *pre;
	char *text;

	if (!body || !(pre = cJSON_AddObjectToObject(body, "preconditions")) || !cJSON_AddStringToObject(pre, "uid", uid) ||
	    !(text = gitops_json_text(body))) {
		cJSON_Delete(body);
		return -1;
	}
	cJSON_Delete(body);
	free(q->body);
	q->body = text;
	q->body_len = strlen(text);
	return 0;
}

int gitops_sync_delete_all(struct sync *s, const struct gitops_kube_resource *const *res, const char *const *ns,
			   const char *const *names, const char *const *uids, const char *const *what, size_t n,
			   int *failed, struct gitops_err *errs, struct gitops_err *err)
{
	struct gitops_kube_request *del = calloc(n ? n : 1, sizeof(*del));
	static const long ok404[] = { 404, 0 };
	size_t i;
	int ret;

	if (!del)
		return gitops_err_oom(err);
	for (i = 0; i < n; i++) {
		if (gitops_kube_delete_request(&del[i], res[i], ns[i], names[i], "Background", s->o->dry_run) < 0 ||
		    (uids && uids[i] && precondition_uid(&del[i], uids[i]) < 0)) {
			for (; ; i--) {
				gitops_kube_request_release(&del[i]);
				if (!i)
					break;
			}
			free(del);
			return gitops_err_oom(err);
		}
		del[i].what = what[i];
	}
	if (!s->o->dry_run)
		s->began = 1;
	ret = gitops_kube_run(s->k, del, n, ok404, err);
	for (i = 0; i < n; i++) {
		failed[i] = del[i].failed;
		if (errs && del[i].failed)
			errs[i] = del[i].err;
		gitops_kube_request_release(&del[i]);
	}
	free(del);
	return ret;
}

/* A member the stream no longer has, as a result line. */
static void orphan_result(struct gitops_apply_result *r, const struct gitops_id *id, int wave,
			  enum gitops_apply_outcome outcome)
{
	memset(r, 0, sizeof(*r));
	gitops_sync_kubectl_name(r->name, sizeof(r->name), id);
	snprintf(r->ns, sizeof(r->ns), "%s", id->namespace ? id->namespace : "");
	r->wave = wave;
	r->phase = GITOPS_PHASE_SYNC;
	r->outcome = outcome;
}

/*
 * A plan prunes exactly its members: one whose UID it does not list (it
 * appeared after the plan's checks) is left alone, and stays recorded.
 */
static int keep_unlisted(struct sync *s, cJSON *doomed, struct gitops_err *err)
{
	cJSON *m = doomed ? doomed->child : NULL, *next;
	size_t i;

	for (; m; m = next) {
		const char *uid = gitops_json_get_string(m, "metadata", "uid", NULL);
		struct gitops_id id;
		next = m->next;
		for (i = 0; uid && i < s->o->n_prune_uids && strcmp(uid, s->o->prune_uids[i]); i++)
			;
		if (uid && i < s->o->n_prune_uids)
			continue;
		if (gitops_object_id(&id, m) == 0 && s->set && gitops_applyset_add(s->set, id.group, id.kind, id.namespace) < 0)
			return gitops_err_oom(err);
		cJSON_Delete(cJSON_DetachItemViaPointer(doomed, m));
	}
	return 0;
}

/*
 * Members the stream no longer has: deleted in reverse order, a group of one
 * wave and tier at a time.  A member whose UID this sync applied is the same
 * object under another API group: never deleted.  Prune=confirm members wait
 * for --confirm-prune.
 */
int gitops_sync_prune(struct sync *s, struct gitops_err *err)
{
	struct gitops_applyset_orphans orphans = { NULL, NULL, 0 };
	struct gitops_applyset_desired want;
	size_t n = 0, i, j;
	int ret = -1;
	const struct gitops_kube_resource **res = NULL;
	const char **ns = NULL, **names = NULL, **what = NULL, **uids = NULL, **dels = NULL;
	char (*display)[600] = NULL;
	int *tier = NULL, *wave = NULL, *failed = NULL;
	struct gitops_err *errs = NULL;
	struct gitops_object *objs = NULL;
	const cJSON *o;

	/* the view pruned from is only as good as the lease: verified (a compare-and-swap) first */
	if (s->lease && gitops_lease_renew(s->lease, s->k, 1, err) < 0)
		return -1;
	objs = calloc(s->n ? s->n : 1, sizeof(*objs));
	uids = calloc(s->n ? s->n : 1, sizeof(*uids));
	if (!objs || !uids) {
		gitops_err_oom(err);
		goto done;
	}
	memset(&want, 0, sizeof(want));
	for (i = 0; i < s->n; i++) {
		objs[i] = *s->items[i].p.obj;
		if (s->items[i].uid)
			uids[want.n_uids++] = s->items[i].uid;
	}
	want.objs = objs;
	want.n = s->n;
	want.default_ns = s->o->namespace;
	want.uids = uids;
	want.confirmed = s->o->confirm_prune;
	if (gitops_applyset_orphans_of(s->set, s->k, s->d, &want, &orphans, err) < 0)
		goto done;
	cJSON_ArrayForEach(o, orphans.unconfirmed)
	{
		struct gitops_apply_result r;
		struct gitops_id id;
		struct gitops_sync_info info;
		struct gitops_err bad = GITOPS_ERR_INIT;
		if (gitops_object_id(&id, o) < 0)
			continue;
		if (gitops_order_classify(&info, o, id.group, id.kind, &bad) < 0)
			info.wave = 0;
		orphan_result(&r, &id, info.wave, GITOPS_APPLY_PRUNE_PENDING);
		s->unconfirmed++;
		if (s->report)
			s->report(s->ctx, &r);
	}
	if (s->o->prune_listed_only && keep_unlisted(s, orphans.doomed, err) < 0)
		goto done;
	n = (size_t)cJSON_GetArraySize(orphans.doomed);
	res = calloc(n + 1, sizeof(*res));
	dels = calloc(n + 1, sizeof(*dels));
	ns = calloc(n + 1, sizeof(*ns));
	names = calloc(n + 1, sizeof(*names));
	what = calloc(n + 1, sizeof(*what));
	display = calloc(n + 1, sizeof(*display));
	tier = calloc(n + 1, sizeof(*tier));
	wave = calloc(n + 1, sizeof(*wave));
	failed = calloc(n + 1, sizeof(*failed));
	errs = calloc(n + 1, sizeof(*errs));
	if (!res || !dels || !ns || !names || !what || !display || !tier || !wave || !failed || !errs) {
		gitops_err_oom(err);
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct gitops_id id;
		struct gitops_sync_info info;
		struct gitops_err bad = GITOPS_ERR_INIT;
		o = cJSON_GetArrayItem(orphans.doomed, (int)i);
		if (gitops_object_id(&id, o) < 0 ||
		    gitops_kube_discovery_find(&res[i], s->d, id.group, id.version, id.kind, err) < 0)
			goto done;
		if (gitops_order_classify(&info, o, id.group, id.kind, &bad) < 0)
			info.wave = 0, info.tier = gitops_order_tier(id.group, id.kind);
		tier[i] = info.tier;
		wave[i] = info.wave;
		ns[i] = id.namespace;
		names[i] = id.name;
		dels[i] = s->o->prune_listed_only ? gitops_json_get_string(o, "metadata", "uid", NULL) : NULL;
		gitops_sync_kubectl_name(display[i], sizeof(display[i]), &id);
		what[i] = display[i];
	}
	for (i = 0; i < n; i = j) {
		size_t k;
		for (j = i; j < n && tier[j] == tier[i] && wave[j] == wave[i]; j++)
			;
		if (gitops_sync_keep_lease(s, err) < 0)
			goto done;
		gitops_sync_delete_all(s, res + i, ns + i, names + i, dels + i, what + i, j - i, failed + i, errs + i, err);
		for (k = i; k < j; k++) {
			struct gitops_apply_result r;
			struct gitops_id id;
			if (gitops_object_id(&id, cJSON_GetArrayItem(orphans.doomed, (int)k)) < 0)
				continue;
			orphan_result(&r, &id, wave[k], failed[k] ? GITOPS_APPLY_FAILED : GITOPS_APPLY_PRUNED);
			if (failed[k])
				r.err = errs[k]; /* its own message, not the group's first */
			if (s->report)
				s->report(s->ctx, &r);
		}
		for (k = i; k < j; k++)
			if (failed[k])
				goto done;
	}
	ret = 0;
done:
	gitops_applyset_orphans_release(&orphans);
	free(objs);
	free(uids);
	free(res);
	free(dels);
	free(ns);
	free(names);
	free(what);
	free(display);
	free(tier);
	free(wave);
	free(failed);
	free(errs);
	return ret;
}
