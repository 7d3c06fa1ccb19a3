#include "lib/sync/apply.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/kube/kube_rest.h"
#include "lib/k8s/object.h"
#include "lib/sync/sync.h"
#include "lib/value/value.h"
#include "lib/value/jsonio.h"

/* kubectl's name of an object: "deployment.apps/web". */
void gitops_sync_kubectl_name(char *buf, size_t size, const struct gitops_id *id)
{
	char kind[128];
	size_t i;

	snprintf(kind, sizeof(kind), "%s", id->kind);
	for (i = 0; kind[i]; i++)
		kind[i] = (char)tolower((unsigned char)kind[i]);
	snprintf(buf, size, "%s%s%s/%s", kind, id->group[0] ? "." : "", id->group, id->name);
}

char * gitops_sync_object_path(const struct item *it)
{
	return gitops_kube_path(it->p.res, it->p.ns, it->p.id.name, NULL);
}

long gitops_sync_elapsed_ms(const struct sync *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - s->start.tv_sec) * 1000L + (now.tv_nsec - s->start.tv_nsec) / 1000000L;
}

void gitops_sync_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

void gitops_sync_report(struct sync *s, struct item *it)
{
	if (s->report)
		s->report(s->ctx, &it->result);
}

/* The lease stays ours while the sync goes on (renewed when a third of its duration passed). */
int gitops_sync_keep_lease(struct sync *s, struct gitops_err *err)
{
	return s->lease ? gitops_lease_renew(s->lease, s->k, 0, err) : 0;
}

static void set_uid(struct item *it, const cJSON *obj)
{
	const char *uid = gitops_json_get_string(obj, "metadata", "uid", NULL);

	free(it->uid);
	it->uid = uid ? strdup(uid) : NULL;
}

/* Equal but for what every write changes. */
static int same_object(cJSON *a, cJSON *b)
{
	static const char *const noise[] = { "managedFields", "resourceVersion", "generation", NULL };
	const char *const *k;
	int eq;
	cJSON *x = cJSON_Duplicate(a, 1), *y = cJSON_Duplicate(b, 1);

	for (k = noise; *k; k++) {
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(x, "metadata"), *k);
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(y, "metadata"), *k);
	}
	/* the items of a LIST carry no apiVersion and kind */
	cJSON_DeleteItemFromObjectCaseSensitive(x, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(x, "kind");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "kind");
	eq = gitops_value_equal(x, y);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return eq;
}

static int ns_in_stream(const struct sync *s, const char *ns)
{
	size_t i;

	for (i = 0; i < s->n_stream_ns; i++)
		if (!strcmp(s->stream_ns[i], ns))
			return 1;
	return 0;
}

/* Run the requests that have a method; the others are left as they are. */
int gitops_sync_run_subset(struct gitops_kube *k, struct gitops_kube_request *reqs, size_t n, const long *ok,
			   struct gitops_err *err)
{
	struct gitops_kube_request *run = calloc(n ? n : 1, sizeof(*run));
	size_t *map = calloc(n ? n : 1, sizeof(*map)), m = 0, i;
	int ret;

	if (!run || !map) {
		free(run);
		free(map);
		return gitops_err_oom(err);
	}
	for (i = 0; i < n; i++)
		if (reqs[i].method) {
			run[m] = reqs[i];
			map[m++] = i;
		}
	ret = gitops_kube_run(k, run, m, ok, err);
	for (i = 0; i < m; i++)
		reqs[map[i]] = run[i];
	free(run);
	free(map);
	return ret;
}

static void set_live(struct item *it, cJSON *live)
{
	const char *rv = gitops_json_get_string(live, "metadata", "resourceVersion", NULL);

	cJSON_Delete(it->live_before);
	free(it->rv_before);
	it->live_before = live;
	it->rv_before = strdup(rv ? rv : "");
}

static void forget_live(struct item *it)
{
	cJSON_Delete(it->live_before);
	free(it->rv_before);
	it->live_before = NULL;
	it->rv_before = NULL;
	gitops_plan_item_release(&it->p);
	it->p.listed = 0;
	it->p.failed = 0;
}

void gitops_sync_fail_item(struct item *it, const struct gitops_err *e, int *ret, struct gitops_err *err)
{
	it->result.outcome = GITOPS_APPLY_FAILED;
	it->result.err = *e;
	if (*ret == 0) {
		*err = *e;
		*ret = -1;
	}
}

/* A chunk of a step: what is live (from the step's LIST, else a GET each), then the server-side applies, all in parallel. */
static int run_chunk(struct sync *s, struct item **step, size_t n, struct gitops_err *err)
{
	const struct gitops_apply_options *o = s->o;
	const struct gitops_plan_apply_options ao = { .field_manager = o->field_manager, .force = o->force_conflicts,
						      .dry_run = o->dry_run };
	struct gitops_kube_request *put = calloc(n ? n : 1, sizeof(*put));
	struct gitops_plan_item **plan = calloc(n ? n : 1, sizeof(*plan));
	char *skipped = calloc(n ? n : 1, 1);
	size_t i;
	int ret = 0;

	if (!put || !plan || !skipped) {
		ret = gitops_err_oom(err);
		goto done;
	}
	if (gitops_sync_keep_lease(s, err) < 0) {
		ret = -1;
		goto done;
	}
	for (i = 0; i < n; i++)
		plan[i] = &step[i]->p;
	if (gitops_plan_get_live(s->k, plan, n, err) < 0) {
		ret = -1;
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct item *it = step[i];
		cJSON *body = NULL;
		if (it->p.failed)
			continue; /* the GET said enough */
		if (it->p.live_text) {
			cJSON *live = gitops_json_read(it->p.live_text, strlen(it->p.live_text));
			if (!live) {
				it->p.failed = 1;
				gitops_err_set(&it->p.err, GITOPS_EXIT_REJECTED, "%s: the server's answer is not JSON",
					       it->result.name);
				continue;
			}
			set_live(it, live);
		}
		if (!(body = gitops_plan_body(&it->p, s->set_id[0] ? s->set_id : NULL)) ||
		    (it->live_before && gitops_plan_keep_revision(body, it->live_before, o->field_manager) < 0)) {
			it->p.failed = 1;
			gitops_err_oom(&it->p.err);
		} else if (!o->apply_all && it->live_before &&
			   gitops_plan_unchanged(body, it->live_before, o->field_manager)) {
			skipped[i] = 1; /* its managed fields prove the apply a no-op: nothing to send */
		} else if (gitops_plan_apply_request(&put[i], &it->p, body, &ao, &it->p.err) < 0) {
			it->p.failed = 1;
		} else {
			put[i].what = it->result.name;
			gitops_kube_request_redact_secret(&put[i], it->live_before); /* the body's own values are masked anyway */
		}
		cJSON_Delete(body);
	}
	for (i = 0; i < n; i++)
		if (step[i]->p.failed || skipped[i])
			put[i].method = NULL;
	if (!o->dry_run)
		s->began = 1;
	gitops_sync_run_subset(s->k, put, n, NULL, err);
	for (i = 0; i < n; i++) {
		struct item *it = step[i];
		struct gitops_kube_request *r = &put[i];
		it->result.unchecked = 0;
		it->result.not_sent = skipped[i];
		if (skipped[i]) {
			it->result.outcome = GITOPS_APPLY_UNCHANGED;
			set_uid(it, it->live_before);
		} else if (it->p.failed) {
			gitops_sync_fail_item(it, &it->p.err, &ret, err);
		} else if (r->failed && o->dry_run && r->status == 404 && it->p.namespaced && !it->live_before &&
			   ns_in_stream(s, it->p.ns)) {
			/* its namespace is created by the stream: the server cannot check it in a dry run */
			it->result.outcome = GITOPS_APPLY_CREATED;
			it->result.unchecked = 1;
		} else if (r->failed) {
			gitops_sync_fail_item(it, &r->err, &ret, err);
		} else {
			cJSON *after = gitops_json_read(r->response.data, r->response.len);
			const char *rv = gitops_json_get_string(after, "metadata", "resourceVersion", NULL);
			set_uid(it, after);
			if (!it->live_before)
				it->result.outcome = GITOPS_APPLY_CREATED;
			else if (o->dry_run ? same_object(it->live_before, after) : (rv && !strcmp(rv, it->rv_before)))
				it->result.outcome = GITOPS_APPLY_UNCHANGED;
			else
				it->result.outcome = GITOPS_APPLY_CONFIGURED;
			cJSON_Delete(after);
		}
		gitops_sync_report(s, it);
	}
done:
	for (i = 0; put && i < n; i++) {
		gitops_kube_request_release(&put[i]);
		forget_live(step[i]); /* said and done: only its uid is kept */
	}
	free(put);
	free(plan);
	free(skipped);
	return ret;
}

#define APPLY_CHUNK 128

/*
 * One step, all of it in parallel: what is live (a LIST per kind and
 * namespace kept as text, else a GET each) and the applies, a chunk at a
 * time so that memory is that of one chunk, whatever the step's size.
 */
static int run_step(struct sync *s, struct item **step, size_t n, struct gitops_err *err)
{
	struct gitops_plan_item **plan = calloc(n ? n : 1, sizeof(*plan));
	size_t c, m;
	int ret = 0;

	if (!plan)
		return gitops_err_oom(err);
	for (c = 0; c < n; c++) {
		forget_live(step[c]);
		plan[c] = &step[c]->p;
	}
	gitops_plan_list_live(s->k, plan, n);
	free(plan);
	for (c = 0; c < n; c += m) {
		struct gitops_err e = GITOPS_ERR_INIT;
		m = n - c < APPLY_CHUNK ? n - c : APPLY_CHUNK;
		if (run_chunk(s, step + c, m, &e) < 0 && ret == 0) {
			*err = e;
			ret = -1;
			if (e.code == GITOPS_EXIT_BUSY || e.code == GITOPS_EXIT_INTERNAL)
				break; /* the lease is lost, or memory: nothing more is sent */
		}
	}
	for (c = 0; c < n; c++)
		forget_live(step[c]);
	return ret;
}

static int item_order(const void *pa, const void *pb)
{
	const struct item *a = *(const struct item *const *)pa, *b = *(const struct item *const *)pb;
	int c;

	if (a->info.kind_rank != b->info.kind_rank)
		return a->info.kind_rank < b->info.kind_rank ? -1 : 1;
	if ((c = strcmp(a->p.id.kind, b->p.id.kind)))
		return c;
	if ((c = strcmp(a->p.id.namespace ? a->p.id.namespace : "", b->p.id.namespace ? b->p.id.namespace : "")))
		return c;
	return strcmp(a->p.id.name, b->p.id.name);
}

/* Resolve what this step holds now (a CRD of an earlier step may have made its kind known). */
static int resolve_step(struct sync *s, struct item **step, size_t *m, struct gitops_err *err)
{
	size_t i, kept = 0;

	for (i = 0; i < *m; i++) {
		struct item *it = step[i];
		if (!it->p.res && s->o->dry_run) {
			/* its CRD is only in the stream: nothing on the server can check it */
			it->result.outcome = GITOPS_APPLY_CREATED;
			it->result.unchecked = 1;
			gitops_sync_report(s, it);
			continue;
		}
		/* on the server now, its CRD included: no stream to defer to */
		if (gitops_plan_resolve(&it->p, s->d, NULL, 0, s->o->namespace, err) < 0)
			return -1;
		step[kept++] = it;
	}
	*m = kept;
	return 0;
}

static int wave_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

/* The waves the phase's objects are in, ascending, into *waves (caller frees). */
static size_t phase_waves(const struct sync *s, enum gitops_phase ph, int **waves)
{
	size_t i, n = 0, k = 0;
	int *w = calloc(s->n ? s->n : 1, sizeof(*w));

	*waves = w;
	if (!w)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->items[i].info.phases & (1u << ph))
			w[n++] = s->items[i].info.wave;
	qsort(w, n, sizeof(*w), wave_cmp);
	for (i = 0; i < n; i++)
		if (!k || w[k - 1] != w[i])
			w[k++] = w[i];
	return k;
}

/* Apply one phase, wave by wave; with `wait_all`, every wave waits for health (hooks always do). */
static int run_phase(struct sync *s, enum gitops_phase ph, int wait_all, struct gitops_err *err)
{
	struct item **step = calloc(s->n ? s->n : 1, sizeof(*step));
	struct item **wave_items = calloc(s->n ? s->n : 1, sizeof(*wave_items));
	int *waves = NULL;
	size_t n_waves, w, i;
	int ret = -1;

	if (!step || !wave_items) {
		gitops_err_oom(err);
		goto done;
	}
	n_waves = phase_waves(s, ph, &waves);
	for (w = 0; w < n_waves; w++) {
		size_t n_wave = 0, n_wait = 0;
		char what[96];
		int tier;
		if (ph == GITOPS_PHASE_SYNC)
			snprintf(what, sizeof(what), "wave %d", waves[w]);
		else
			snprintf(what, sizeof(what), "%s wave %d", gitops_phase_name(ph), waves[w]);
		for (tier = 0; tier < GITOPS_N_TIERS; tier++) {
			size_t m = 0;
			for (i = 0; i < s->n; i++) {
				struct item *it = &s->items[i];
				if (!(it->info.phases & (1u << ph)) || it->info.wave != waves[w] || it->info.tier != tier)
					continue;
				it->result.phase = ph;
				if (it->done_early && ph == GITOPS_PHASE_SYNC) {
					wave_items[n_wave++] = it;
					continue;
				}
				step[m++] = it;
			}
			if (!m)
				continue;
			qsort(step, m, sizeof(*step), item_order);
			if (resolve_step(s, step, &m, err) < 0 || gitops_sync_delete_before_creation(s, step, m, err) < 0)
				goto done;
			if (m && run_step(s, step, m, err) < 0)
				goto done;
			for (i = 0; i < m; i++)
				wave_items[n_wave++] = step[i];
			if (tier == GITOPS_TIER_CRDS && m && !s->o->dry_run) {
				for (i = 0; i < m; i++)
					if (gitops_sync_wait_established(s, step[i], err) < 0)
						goto done;
				if (gitops_kube_discovery_refresh(s->d, err) < 0)
					goto done;
			}
		}
		if (s->o->dry_run)
			continue;
		/* hooks until they are done; the rest until healthy when asked to */
		for (i = 0; i < n_wave; i++)
			if (wave_items[i]->info.hook || wait_all)
				wave_items[n_wait++] = wave_items[i];
		if (n_wait && gitops_sync_wait_ready(s, wave_items, n_wait, what, err) < 0) {
			gitops_sync_delete_finished_hooks(s, wave_items, n_wait, err);
			goto done;
		}
		if (gitops_sync_delete_finished_hooks(s, wave_items, n_wait, err) < 0)
			goto done;
	}
	ret = 0;
done:
	free(waves);
	free(step);
	free(wave_items);
	return ret;
}

static int has_phase(const struct sync *s, enum gitops_phase ph)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->items[i].info.phases & (1u << ph))
			return 1;
	return 0;
}

/* Classify, check and resolve everything before anything is sent. */
static int prepare(struct sync *s, struct gitops_object *objs, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct item *it = &s->items[i];
		struct gitops_err bad = GITOPS_ERR_INIT;
		s->plan[i] = &it->p;
		if (gitops_plan_item_init(&it->p, &objs[i], err) < 0)
			return -1;
		if (gitops_order_classify(&it->info, objs[i].json, it->p.id.group, it->p.id.kind, &bad) < 0)
			return gitops_object_err(err, &objs[i], bad.code, "%s", bad.msg);
		it->p.hook = it->info.hook;
		gitops_sync_kubectl_name(it->result.name, sizeof(it->result.name), &it->p.id);
		it->p.what = it->result.name;
		snprintf(it->result.ns, sizeof(it->result.ns), "%s", it->p.id.namespace ? it->p.id.namespace : "");
		/* the set's own bookkeeping is not a manifest: applied from the stream, it would fight the sync */
		if (s->set_ns && !it->p.id.group[0] && !strcmp(it->p.id.kind, "Secret") &&
		    !strcmp(it->p.id.name, s->o->applyset) &&
		    !strcmp(it->p.id.namespace ? it->p.id.namespace : s->o->namespace, s->set_ns))
			return gitops_object_err(err, &objs[i], GITOPS_EXIT_INPUT, "the stream holds secret %s/%s, the parent "
						 "of applyset %s, which the sync writes itself", s->set_ns, it->p.id.name,
						 s->o->applyset);
		it->result.hook = it->info.hook;
		it->result.wave = it->info.wave;
	}
	for (i = 0; i < s->n; i++) {
		struct item *it = &s->items[i];
		if (!it->info.phases)
			continue; /* skipped: never sent */
		/* a kind the server does not know yet may come with a CRD of the stream */
		if (gitops_plan_resolve(&it->p, s->d, s->plan, s->n, s->o->namespace, err) < 0)
			return -1;
		if (it->p.namespaced && !it->result.ns[0])
			snprintf(it->result.ns, sizeof(it->result.ns), "%s", s->o->namespace);
		if (!it->p.id.group[0] && !strcmp(it->p.id.kind, "Namespace") && !it->info.hook)
			s->stream_ns[s->n_stream_ns++] = it->p.id.name;
	}
	return 0;
}

int gitops_sync_check_before_change(struct sync *s, struct gitops_err *err)
{
	if (s->checked || !s->o->before_change)
		return 0;
	s->checked = 1;
	return s->o->before_change(s->o->before_change_ctx, s->k, s->d, err);
}

/* The set's namespace may be one the stream creates: that Namespace goes first, before the lease and the parent. */
static int create_set_namespace(struct sync *s, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct item *it = &s->items[i], *one[1];
		cJSON *live = NULL;
		if (it->info.hook || !(it->info.phases & (1u << GITOPS_PHASE_SYNC)) || it->p.id.group[0] ||
		    strcmp(it->p.id.kind, "Namespace") || strcmp(it->p.id.name, s->set_ns))
			continue;
		if (gitops_kube_get(&live, s->k, it->p.res, NULL, it->p.id.name, err) < 0)
			return -1;
		if (live) {
			cJSON_Delete(live);
			return 0;
		}
		one[0] = it;
		it->result.phase = GITOPS_PHASE_SYNC;
		/* the first change: a plan's checks come before it (no Lease can exist in a namespace not there yet) */
		if (gitops_sync_check_before_change(s, err) < 0 || run_step(s, one, 1, err) < 0)
			return -1;
		it->done_early = 1;
		return 0;
	}
	return 0;
}

/* Before anything else is applied: the parent records every member kind and namespace. */
static int write_parent(struct sync *s, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct item *it = &s->items[i];
		if (it->info.hook || !it->info.phases)
			continue;
		if (gitops_applyset_add(s->set, it->p.id.group, it->p.id.kind, it->p.ns) < 0)
			return gitops_err_oom(err);
	}
	if (s->o->dry_run)
		return 0;
	return gitops_applyset_write(s->set, s->k, s->o->field_manager, 1, err);
}

/* A plan prunes only the members it lists: the others are not asked about. */
static void drop_unlisted(const struct gitops_apply_options *o, cJSON *doomed)
{
	cJSON *m = doomed ? doomed->child : NULL, *next;
	size_t i;

	for (; m; m = next) {
		const char *uid = gitops_json_get_string(m, "metadata", "uid", NULL);
		next = m->next;
		for (i = 0; uid && i < o->n_prune_uids && strcmp(uid, o->prune_uids[i]); i++)
			;
		if (!uid || i == o->n_prune_uids)
			cJSON_Delete(cJSON_DetachItemViaPointer(doomed, m));
	}
}

/*
 * Before anything changes: may this user do what the prune will do?  It
 * lists every kind of the set in each of its namespaces (once a Namespace is
 * a member, namespaces cluster-wide) and deletes the members the stream no
 * longer has.  Both are asked at once, for every kind and namespace; a
 * delete denied somewhere matters only when a member to delete is there
 * (found now as the prune will find them).  A prune that could not finish
 * is refused here (GITOPS_EXIT_AUTH), not after the objects were applied.
 * The parent is only read.
 */
static int check_prune_access(struct sync *s, struct gitops_err *err)
{
	struct gitops_kube_accesses all = GITOPS_KUBE_ACCESSES_INIT, lists = GITOPS_KUBE_ACCESSES_INIT,
				    dels = GITOPS_KUBE_ACCESSES_INIT;
	struct gitops_applyset_orphans orphans = { NULL, NULL, 0 };
	struct gitops_applyset_desired want;
	struct gitops_applyset *set = NULL;
	struct gitops_object *objs = NULL;
	const struct gitops_kube_accesses *denied = NULL;
	char what[400];
	size_t i;
	int ret = -1;

	if (gitops_applyset_open(&set, s->k, s->o->applyset, s->set_ns, s->o->applyset_tooling, err) < 0)
		goto done;
	for (i = 0; i < s->n; i++) {
		const struct item *it = &s->items[i];
		if (!it->info.hook && it->info.phases && gitops_applyset_add(set, it->p.id.group, it->p.id.kind, it->p.ns) < 0) {
			gitops_err_oom(err);
			goto done;
		}
	}
	if (gitops_applyset_access(&all, set, s->d, "list", err) < 0 ||
	    gitops_applyset_access(&all, set, s->d, "delete", err) < 0 || gitops_kube_access_review(s->k, &all, err) < 0)
		goto done;
	for (i = 0; i < all.n; i++)
		if (!strcmp(all.v[i].verb, "list") && !all.v[i].allowed &&
		    gitops_kube_access_add(&lists, "list", all.v[i].group, all.v[i].resource, all.v[i].ns) < 0) {
			gitops_err_oom(err);
			goto done;
		}
	if (lists.n) {
		denied = &lists; /* added as denied: allowed stays 0 */
	} else if (gitops_kube_access_denied(&all) && gitops_applyset_exists(set)) {
		/* some delete is denied: does the prune have a member to delete there? */
		if (!(objs = calloc(s->n ? s->n : 1, sizeof(*objs)))) {
			gitops_err_oom(err);
			goto done;
		}
		memset(&want, 0, sizeof(want));
		for (i = 0; i < s->n; i++)
			objs[i] = *s->items[i].p.obj;
		want.objs = objs;
		want.n = s->n;
		want.default_ns = s->o->namespace;
		want.confirmed = s->o->confirm_prune;
		if (gitops_applyset_orphans_of(set, s->k, s->d, &want, &orphans, err) < 0)
			goto done;
		if (s->o->prune_listed_only)
			drop_unlisted(s->o, orphans.doomed);
		if (gitops_applyset_delete_access(&dels, &orphans, s->d, err) < 0)
			goto done;
		for (i = 0; i < dels.n; i++) {
			const struct gitops_kube_access *a =
				gitops_kube_access_find(&all, "delete", dels.v[i].group, dels.v[i].resource, dels.v[i].ns);
			dels.v[i].allowed = !a || a->allowed; /* every place a member is in was asked about */
		}
		if (gitops_kube_access_denied(&dels))
			denied = &dels;
	}
	if (denied) {
		snprintf(what, sizeof(what), "prune of applyset %s", s->o->applyset);
		gitops_kube_access_refuse(err, s->k, denied, what, "grant %s, or sync without --prune; nothing was applied");
		goto done;
	}
	ret = 0;
done:
	gitops_applyset_orphans_release(&orphans);
	gitops_applyset_free(set);
	gitops_kube_accesses_release(&all);
	gitops_kube_accesses_release(&lists);
	gitops_kube_accesses_release(&dels);
	free(objs);
	return ret;
}

int gitops_apply_prune_safe(const struct gitops_apply_options *o, size_t members, struct gitops_err *err)
{
	if (!o->prune)
		return 0;
	if (!o->applyset)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "pruning needs an applyset (--applyset NAME)");
	if (!o->stream_complete)
		return gitops_err_set(err, GITOPS_EXIT_UNSAFE, "refusing to prune: the stream did not end with an end-of-stream "
				      "marker whose count matches (its producer may have died mid-stream); nothing was applied");
	if (!members && !o->allow_empty)
		return gitops_err_set(err, GITOPS_EXIT_UNSAFE, "refusing to prune: the stream holds no objects "
				      "(--allow-empty deletes every member of applyset %s); nothing was applied", o->applyset);
	return 0;
}

int gitops_apply(struct gitops_kube *k, struct gitops_kube_discovery *d, struct gitops_object *objs, size_t n,
		 const struct gitops_apply_options *opts, gitops_apply_report_fn report_fn, void *ctx,
		 struct gitops_err *err)
{
	struct gitops_apply_options def = GITOPS_APPLY_OPTIONS_INIT;
	struct sync s;
	size_t i, members = 0;
	int ret = -1;

	memset(&s, 0, sizeof(s));
	s.k = k;
	s.d = d;
	s.o = opts ? opts : &def;
	s.report = report_fn;
	s.ctx = ctx;
	s.n = n;
	clock_gettime(CLOCK_MONOTONIC, &s.start);
	s.items = calloc(n ? n : 1, sizeof(*s.items));
	s.plan = calloc(n ? n : 1, sizeof(*s.plan));
	s.stream_ns = calloc(n ? n : 1, sizeof(*s.stream_ns));
	if (!s.items || !s.plan || !s.stream_ns) {
		gitops_err_oom(err);
		goto done;
	}
	if (s.o->applyset) {
		s.set_ns = s.o->applyset_namespace ? s.o->applyset_namespace : s.o->namespace;
		if (gitops_applyset_id(s.set_id, sizeof(s.set_id), s.o->applyset, s.set_ns, err) < 0)
			goto done;
	}
	/* everything is checked and resolved before anything is sent */
	if (prepare(&s, objs, err) < 0)
		goto done;
	for (i = 0; i < n; i++)
		members += !s.items[i].info.hook && s.items[i].info.phases;
	if (gitops_apply_prune_safe(s.o, members, err) < 0)
		goto done;
	/* a prune this user could not finish is refused before anything is applied */
	if (s.o->prune && s.o->applyset && check_prune_access(&s, err) < 0)
		goto done;
	if (s.o->applyset) {
		/* one sync of a set at a time: the lease first (in its namespace), then the parent is read */
		if (!s.o->dry_run) {
			struct gitops_lease_options lo = GITOPS_LEASE_OPTIONS_INIT;
			char name[300];
			lo.wait_ms = s.o->lock_wait_ms;
			lo.progress = s.o->progress;
			lo.ctx = ctx;
			gitops_lease_name(s.o->applyset, name, sizeof(name));
			if (create_set_namespace(&s, err) < 0)
				goto fail;
			if (gitops_lease_acquire(&s.lease, k, s.set_ns, name, &lo, err) < 0)
				goto done;
		}
		/* a plan's checks: under the Lease, before the parent is written */
		if (gitops_sync_check_before_change(&s, err) < 0)
			goto done;
		if (gitops_applyset_open(&s.set, k, s.o->applyset, s.set_ns, s.o->applyset_tooling, err) < 0 ||
		    write_parent(&s, err) < 0)
			goto fail;
	}
	if (gitops_sync_check_before_change(&s, err) < 0)
		goto done;
	if (run_phase(&s, GITOPS_PHASE_PRESYNC, 0, err) < 0)
		goto fail;
	/* PostSync hooks run once the Sync phase is healthy (Argo CD): then it is waited for */
	if (run_phase(&s, GITOPS_PHASE_SYNC, s.o->wait || has_phase(&s, GITOPS_PHASE_POSTSYNC), err) < 0)
		goto fail;
	if (s.o->prune && gitops_sync_prune(&s, err) < 0)
		goto fail;
	if (s.set && s.o->prune && !s.o->dry_run &&
	    (gitops_sync_keep_lease(&s, err) < 0 || gitops_applyset_write(s.set, k, s.o->field_manager, 0, err) < 0))
		goto fail;
	if (s.unconfirmed) {
		/* as Argo CD: the sync waits for the confirmation, PostSync hooks with it */
		gitops_err_set(err, GITOPS_EXIT_UNSAFE, "%zu member%s of applyset %s need%s confirmation to be pruned "
			       "(argocd.argoproj.io/sync-options: Prune=confirm): sync again with --confirm-prune",
			       s.unconfirmed, s.unconfirmed == 1 ? "" : "s", s.o->applyset, s.unconfirmed == 1 ? "s" : "");
		goto done;
	}
	if (run_phase(&s, GITOPS_PHASE_POSTSYNC, s.o->wait, err) < 0)
		goto fail;
	ret = 0;
	goto done;
fail:
	if (s.began && !s.o->dry_run && has_phase(&s, GITOPS_PHASE_SYNCFAIL)) {
		struct gitops_err e2 = GITOPS_ERR_INIT;
		run_phase(&s, GITOPS_PHASE_SYNCFAIL, 0, &e2);
	}
done:
	for (i = 0; s.items && i < n; i++) {
		forget_live(&s.items[i]);
		free(s.items[i].uid);
	}
	gitops_applyset_free(s.set);
	gitops_lease_release(s.lease, k);
	free(s.items);
	free(s.plan);
	free(s.stream_ns);
	return ret;
}
