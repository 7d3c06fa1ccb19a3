#include "lib/sync/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/k8s/health.h"
#include "lib/kube/kube_rest.h"
#include "lib/k8s/object.h"
#include "lib/value/jsonio.h"

int gitops_sync_wait_established(struct sync *s, struct item *it, struct gitops_err *err)
{
	long waited = 0;

	for (;;) {
		cJSON *crd, *c;
		int ok = 0;

		if (gitops_kube_get(&crd, s->k, it->p.res, NULL, it->p.id.name, err) < 0)
			return -1;
		cJSON_ArrayForEach(c, gitops_json_get(crd, "status", "conditions", NULL))
		{
			const char *t = gitops_json_get_string(c, "type", NULL), *st = gitops_json_get_string(c, "status", NULL);
			if (t && st && !strcmp(t, "Established") && !strcmp(st, "True"))
				ok = 1;
		}
		cJSON_Delete(crd);
		if (ok)
			return 0;
		if (gitops_sync_keep_lease(s, err) < 0)
			return -1;
		if (waited >= s->o->establish_timeout_ms)
			return gitops_err_set(err, GITOPS_EXIT_UNHEALTHY, "%s: not Established after %ld s", it->result.name,
					      s->o->establish_timeout_ms / 1000);
		gitops_sync_sleep_ms(200);
		waited += 200;
	}
}

/* Hooks with BeforeHookCreation: the old one goes, and is gone, before the new one is created. */
int gitops_sync_delete_before_creation(struct sync *s, struct item **step, size_t n, struct gitops_err *err)
{
	size_t i;

	if (s->o->dry_run)
		return 0;
	for (i = 0; i < n; i++) {
		struct item *it = step[i];
		const struct gitops_kube_resource *res[1] = { it->p.res };
		const char *ns[1] = { it->p.ns }, *name[1] = { it->p.id.name }, *what[1] = { it->result.name };
		int failed;
		if (!it->info.hook || !(it->info.delete_policy & GITOPS_HOOK_DELETE_BEFORE_CREATION))
			continue;
		if (gitops_sync_delete_all(s, res, ns, name, NULL, what, 1, &failed, NULL, err) < 0)
			return -1;
		for (;;) {
			cJSON *live;
			if (gitops_kube_get(&live, s->k, it->p.res, ns[0], it->p.id.name, err) < 0)
				return -1;
			if (!live)
				break;
			cJSON_Delete(live);
			if (gitops_sync_keep_lease(s, err) < 0)
				return -1;
			if (s->o->timeout_ms && gitops_sync_elapsed_ms(s) > s->o->timeout_ms)
				return gitops_err_set(err, GITOPS_EXIT_UNHEALTHY, "%s: the old hook is still being deleted after %ld s",
						      it->result.name, s->o->timeout_ms / 1000);
			gitops_sync_sleep_ms(200);
		}
	}
	return 0;
}

/*
 * Wait until the objects are ready: hooks until they succeed or fail (a Job
 * or a Pod; other hooks are done once applied), the others until healthy
 * (or Suspended, or of a kind without a check).  Degraded ends the wait.
 */
int gitops_sync_wait_ready(struct sync *s, struct item **list, size_t m, const char *what, struct gitops_err *err)
{
	long delay = 100, last_progress = gitops_sync_elapsed_ms(s);
	size_t i, left;
	int ret = 0;

	for (i = 0; i < m; i++)
		list[i]->ready = 0;
	for (;;) {
		struct gitops_kube_request *get = calloc(m ? m : 1, sizeof(*get));
		static const long ok404[] = { 404, 0 };
		if (!get)
			return gitops_err_oom(err);
		for (i = 0; i < m; i++) {
			if (list[i]->ready)
				continue;
			get[i].method = "GET";
			get[i].path = gitops_sync_object_path(list[i]);
			get[i].what = list[i]->result.name;
		}
		gitops_sync_run_subset(s->k, get, m, ok404, err);
		left = 0;
		for (i = 0; i < m; i++) {
			struct item *it = list[i];
			cJSON *live;
			if (it->ready || !get[i].method)
				continue;
			if (get[i].failed) {
				gitops_sync_fail_item(it, &get[i].err, &ret, err);
				it->ready = 1;
				gitops_sync_report(s, it);
				continue;
			}
			live = get[i].status == 200 ? gitops_json_read(get[i].response.data, get[i].response.len) : NULL;
			gitops_health_assess(live, &it->result.health);
			cJSON_Delete(live);
			switch (it->result.health.status) {
			case GITOPS_HEALTH_NONE:
			case GITOPS_HEALTH_HEALTHY:
			case GITOPS_HEALTH_SUSPENDED:
				it->ready = 1;
				if (it->info.hook) {
					it->result.outcome = GITOPS_APPLY_HOOK_SUCCEEDED;
					gitops_sync_report(s, it);
				}
				break;
			case GITOPS_HEALTH_DEGRADED: {
				struct gitops_err e = GITOPS_ERR_INIT;
				const char *msg = it->result.health.message;
				gitops_err_set(&e, GITOPS_EXIT_UNHEALTHY, "%s%s is Degraded%s%s", it->result.name,
					       it->info.hook ? " (hook)" : "", *msg ? ": " : "", msg);
				gitops_sync_fail_item(it, &e, &ret, err);
				it->result.outcome = it->info.hook ? GITOPS_APPLY_HOOK_FAILED : GITOPS_APPLY_UNHEALTHY;
				it->ready = 1;
				gitops_sync_report(s, it);
				break;
			}
			default:
				left++;
			}
		}
		for (i = 0; i < m; i++)
			gitops_kube_request_release(&get[i]);
		free(get);
		if (!left || ret < 0)
			break;
		if (gitops_sync_keep_lease(s, err) < 0)
			return -1;
		if (s->o->timeout_ms && gitops_sync_elapsed_ms(s) > s->o->timeout_ms) {
			for (i = 0; i < m; i++) {
				struct item *it = list[i];
				struct gitops_err e = GITOPS_ERR_INIT;
				const char *msg = it->result.health.message;
				if (it->ready)
					continue;
				gitops_err_set(&e, GITOPS_EXIT_UNHEALTHY, "%s is still %s after %ld s%s%s", it->result.name,
					       gitops_health_name(it->result.health.status), s->o->timeout_ms / 1000,
					       *msg ? ": " : "", msg);
				gitops_sync_fail_item(it, &e, &ret, err);
				it->result.outcome = it->info.hook ? GITOPS_APPLY_HOOK_FAILED : GITOPS_APPLY_UNHEALTHY;
				gitops_sync_report(s, it);
			}
			gitops_err_set(err, GITOPS_EXIT_UNHEALTHY, "%s: %zu object%s not healthy after %ld s", what, left,
				       left == 1 ? "" : "s", s->o->timeout_ms / 1000);
			return -1;
		}
		if (s->o->progress && (s->o->progress_live || gitops_sync_elapsed_ms(s) - last_progress >= 5000)) {
			struct gitops_buf line = GITOPS_BUF_INIT;
			size_t shown = 0;
			gitops_buf_printf(&line, "%s: waiting for %zu object%s:", what, left, left == 1 ? "" : "s");
			for (i = 0; i < m && shown < 3; i++) {
				const struct gitops_health *h = &list[i]->result.health;
				if (list[i]->ready)
					continue;
				gitops_buf_printf(&line, "%s %s %s%s%s", shown ? ";" : "", list[i]->result.name,
						  gitops_health_name(h->status), *h->message ? ": " : "", h->message);
				shown++;
			}
			if (left > shown)
				gitops_buf_printf(&line, "; %zu more", left - shown);
			s->o->progress(s->ctx, line.data);
			gitops_buf_release(&line);
			last_progress = gitops_sync_elapsed_ms(s);
		}
		gitops_sync_sleep_ms(delay);
		delay = delay * 2 > 2000 ? 2000 : delay * 2;
	}
	if (ret < 0 && left == 0 && err->code == GITOPS_EXIT_UNHEALTHY) {
		char msg[GITOPS_ERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		gitops_err_set(err, GITOPS_EXIT_UNHEALTHY, "%s: %s", what, msg);
	}
	return ret;
}

/* Hooks that finished: their delete policies. */
int gitops_sync_delete_finished_hooks(struct sync *s, struct item **list, size_t m, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < m; i++) {
		struct item *it = list[i];
		const struct gitops_kube_resource *res[1] = { it->p.res };
		const char *ns[1] = { it->p.ns }, *name[1] = { it->p.id.name }, *what[1] = { it->result.name };
		int failed, succeeded = it->result.outcome == GITOPS_APPLY_HOOK_SUCCEEDED;
		if (!it->info.hook || s->o->dry_run)
			continue;
		if (!(succeeded ? it->info.delete_policy & GITOPS_HOOK_DELETE_SUCCEEDED :
				  it->result.outcome == GITOPS_APPLY_HOOK_FAILED &&
					  (it->info.delete_policy & GITOPS_HOOK_DELETE_FAILED)))
			continue;
		if (gitops_sync_delete_all(s, res, ns, name, NULL, what, 1, &failed, NULL, err) < 0)
			return -1;
		{
			struct gitops_apply_result r = it->result;
			it->result.outcome = GITOPS_APPLY_HOOK_DELETED;
			gitops_sync_report(s, it);
			it->result = r;
		}
	}
	return 0;
}
