#include "lib/sync/lease.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "lib/base/buf.h"
#include "lib/base/time.h"
#include "lib/kube/kube_rest.h"
#include "lib/k8s/object.h"
#include "lib/value/jsonio.h"
#include "lib/value/value.h"

/* how far apart two hosts' clocks may be when a holder's renewTime is judged */
#define SKEW_MS 10000L

static const struct gitops_kube_resource leases = { "coordination.k8s.io", "v1", "Lease", "leases", 1, 0,
						      ",create,delete,get,update," };

struct gitops_lease {
	char *ns, *name, *holder;
	char rv[64];
	char acquired[40];          /* acquireTime, kept across renewals */
	long transitions;
	long duration_ms;
	struct timespec renewed;    /* CLOCK_MONOTONIC of the last renewal */
};

void gitops_lease_name(const char *applyset, char *buf, size_t size)
{
	snprintf(buf, size, "%s-gitops-sync", applyset);
}

static long mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* Kubernetes' MicroTime: "2006-01-02T15:04:05.000000Z". */
static void micro_time(char *buf, size_t size)
{
	struct timespec now;
	struct tm tm;
	char s[32];

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06ldZ", s, now.tv_nsec / 1000L);
}

/* Milliseconds since a MicroTime (or RFC 3339 time) by this host's clock; -1 when it does not parse. */
static long age_ms(const char *t)
{
	struct timespec now;
	int64_t at;

	if (gitops_time_rfc3339(t, &at, NULL) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	return (long)(now.tv_sec - at) * 1000L;
}

static cJSON *lease_body(const struct gitops_lease *l, const char *rv)
{
	cJSON *o = cJSON_CreateObject(), *meta, *spec;
	char now[40];

	if (!o)
		return NULL;
	micro_time(now, sizeof(now));
	cJSON_AddStringToObject(o, "apiVersion", "coordination.k8s.io/v1");
	cJSON_AddStringToObject(o, "kind", "Lease");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", l->name);
	cJSON_AddStringToObject(meta, "namespace", l->ns);
	if (rv)
		cJSON_AddStringToObject(meta, "resourceVersion", rv);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "holderIdentity", l->holder);
	gitops_value_add_int(spec, "leaseDurationSeconds", ((l->duration_ms + 999) / 1000));
	cJSON_AddStringToObject(spec, "acquireTime", l->acquired[0] ? l->acquired : now);
	cJSON_AddStringToObject(spec, "renewTime", now);
	gitops_value_add_int(spec, "leaseTransitions", l->transitions);
	return meta && spec ? o : (cJSON_Delete(o), NULL);
}

/*
 * POST (rv NULL: create) or PUT (replace the version rv): 1 when it took, 0
 * when another writer came first (409), -1 on error.  The new
 * resourceVersion is kept.
 */
static int write_lease(struct gitops_lease *l, struct gitops_kube *k, const char *rv, struct gitops_err *err)
{
	static const long ok409[] = { 409, 0 };
	struct gitops_kube_request q;
	cJSON *body = lease_body(l, rv), *got = NULL;
	const char *new_rv;
	int ret = -1;

	memset(&q, 0, sizeof(q));
	if (!body)
		return gitops_err_oom(err);
	if (!rv && !l->acquired[0])
		snprintf(l->acquired, sizeof(l->acquired), "%s", gitops_json_get_string(body, "spec", "acquireTime", NULL));
	q.method = rv ? "PUT" : "POST";
	q.path = gitops_kube_path(&leases, l->ns, rv ? l->name : NULL, NULL);
	q.content_type = "application/json";
	q.body = gitops_json_text(body);
	q.body_len = q.body ? strlen(q.body) : 0;
	q.what = "the sync lease";
	if (!q.path || !q.body) {
		gitops_err_oom(err);
		goto done;
	}
	if (gitops_kube_do(k, &q, ok409, err) < 0)
		goto done;
	if (q.status == 409) {
		ret = 0;
		goto done;
	}
	got = gitops_json_read(q.response.data, q.response.len);
	new_rv = gitops_json_get_string(got, "metadata", "resourceVersion", NULL);
	if (!new_rv) {
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "lease %s/%s: the server's answer has no resourceVersion", l->ns,
			       l->name);
		goto done;
	}
	snprintf(l->rv, sizeof(l->rv), "%s", new_rv);
	clock_gettime(CLOCK_MONOTONIC, &l->renewed);
	ret = 1;
done:
	cJSON_Delete(body);
	cJSON_Delete(got);
	gitops_kube_request_release(&q);
	return ret;
}

static char *made_up_holder(void)
{
	unsigned char r[4] = { 0 };
	char host[256] = "unknown", buf[400];

	gethostname(host, sizeof(host) - 1);
	RAND_bytes(r, sizeof(r));
	snprintf(buf, sizeof(buf), "gitops on %s, pid %ld, %02x%02x%02x%02x", host, (long)getpid(), r[0], r[1], r[2], r[3]);
	return strdup(buf);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int busy(struct gitops_err *err, const struct gitops_lease *l, const char *holder, long age, long waited)
{
	char since[64] = "";

	if (age >= 0)
		snprintf(since, sizeof(since), ", renewed %lds ago", age / 1000);
	return gitops_err_set(err, GITOPS_EXIT_BUSY, "another sync holds lease %s/%s (%s%s)%s", l->ns, l->name,
			      holder && *holder ? holder : "unknown holder", since,
			      waited > 0 ? "; gave up waiting" : "; nothing was changed");
}

int gitops_lease_acquire(struct gitops_lease **out, struct gitops_kube *k, const char *ns, const char *name,
			 const struct gitops_lease_options *opts, struct gitops_err *err)
{
	struct gitops_lease_options def = GITOPS_LEASE_OPTIONS_INIT;
	struct gitops_lease *l = calloc(1, sizeof(*l));
	char seen_rv[64] = "";
	long start = mono_ms(), seen_at = start;
	int said = 0, ret = -1;

	*out = NULL;
	if (!opts)
		opts = &def;
	if (!l || !(l->ns = strdup(ns)) || !(l->name = strdup(name)) ||
	    !(l->holder = opts->holder ? strdup(opts->holder) : made_up_holder())) {
		gitops_err_oom(err);
		goto done;
	}
	l->duration_ms = opts->duration_ms > 0 ? opts->duration_ms : def.duration_ms;
	for (;;) {
		cJSON *live = NULL;
		const char *holder, *rv, *renewed;
		long dur, age, now;
		int took;
		if (gitops_kube_get(&live, k, &leases, ns, name, err) < 0)
			goto done;
		if (!live) {
			if ((took = write_lease(l, k, NULL, err)) < 0)
				goto done;
			if (took)
				break;
			continue; /* another run created it first: look again */
		}
		holder = gitops_json_get_string(live, "spec", "holderIdentity", NULL);
		rv = gitops_json_get_string(live, "metadata", "resourceVersion", NULL);
		renewed = gitops_json_get_string(live, "spec", "renewTime", NULL);
		if (!renewed)
			renewed = gitops_json_get_string(live, "spec", "acquireTime", NULL);
		dur = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(live, "spec"),
										  "leaseDurationSeconds")) * 1000L;
		if (dur <= 0)
			dur = l->duration_ms;
		age = age_ms(renewed);
		now = mono_ms();
		if (!rv || strcmp(rv, seen_rv)) {
			snprintf(seen_rv, sizeof(seen_rv), "%s", rv ? rv : "");
			seen_at = now;
		}
		/* free: released, stale by its own renewTime, or seen unchanged for a whole duration here */
		if (!holder || !*holder || (age >= 0 && age > dur + SKEW_MS) || now - seen_at > dur) {
			cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(live, "spec"),
								    "leaseTransitions");
			l->transitions = (long)cJSON_GetNumberValue(t) + (holder && *holder ? 1 : 0);
			if (l->transitions < 0)
				l->transitions = 0;
			l->acquired[0] = 0;
			micro_time(l->acquired, sizeof(l->acquired));
			took = rv ? write_lease(l, k, rv, err) : -1;
			cJSON_Delete(live);
			if (took < 0) {
				if (!rv)
					gitops_err_set(err, GITOPS_EXIT_REJECTED, "lease %s/%s has no resourceVersion", ns, name);
				goto done;
			}
			if (took)
				break;
			continue;
		}
		if (now - start >= opts->wait_ms) {
			busy(err, l, holder, age, opts->wait_ms);
			cJSON_Delete(live);
			goto done;
		}
		if (!said && opts->progress) {
			char line[600];
			snprintf(line, sizeof(line), "waiting for lease %s/%s, held by %s", ns, name, holder);
			opts->progress(opts->ctx, line);
			said = 1;
		}
		cJSON_Delete(live);
		sleep_ms(opts->wait_ms - (now - start) < 1000 ? opts->wait_ms - (now - start) : 1000);
	}
	*out = l;
	l = NULL;
	ret = 0;
done:
	if (l) {
		free(l->ns);
		free(l->name);
		free(l->holder);
		free(l);
	}
	return ret;
}

int gitops_lease_renew(struct gitops_lease *l, struct gitops_kube *k, int force, struct gitops_err *err)
{
	struct timespec now;
	long since;
	char rv[64];
	int took;

	clock_gettime(CLOCK_MONOTONIC, &now);
	since = (now.tv_sec - l->renewed.tv_sec) * 1000L + (now.tv_nsec - l->renewed.tv_nsec) / 1000000L;
	if (!force && since < l->duration_ms / 3)
		return 0;
	snprintf(rv, sizeof(rv), "%s", l->rv);
	if ((took = write_lease(l, k, rv, err)) < 0)
		return -1;
	if (!took) {
		cJSON *live = NULL;
		struct gitops_err ignore = GITOPS_ERR_INIT;
		const char *holder;
		gitops_kube_get(&live, k, &leases, l->ns, l->name, &ignore);
		holder = gitops_json_get_string(live, "spec", "holderIdentity", NULL);
		gitops_err_set(err, GITOPS_EXIT_BUSY, "lease %s/%s was taken over by %s after %lds without renewal; "
			       "stopping before anything more is changed", l->ns, l->name,
			       holder && *holder ? holder : "another sync", since / 1000);
		cJSON_Delete(live);
		return -1;
	}
	return 0;
}

void gitops_lease_release(struct gitops_lease *l, struct gitops_kube *k)
{
	struct gitops_kube_request q;
	struct gitops_err ignore = GITOPS_ERR_INIT;
	static const long ok[] = { 404, 409, 0 };
	cJSON *opts;

	if (!l)
		return;
	/* only if it is still ours: a precondition on the version we wrote */
	memset(&q, 0, sizeof(q));
	if (k && l->rv[0] && (opts = cJSON_CreateObject())) {
		cJSON *pre = cJSON_AddObjectToObject(opts, "preconditions");
		cJSON_AddStringToObject(opts, "apiVersion", "v1");
		cJSON_AddStringToObject(opts, "kind", "DeleteOptions");
		cJSON_AddStringToObject(pre, "resourceVersion", l->rv);
		q.method = "DELETE";
		q.path = gitops_kube_path(&leases, l->ns, l->name, NULL);
		q.content_type = "application/json";
		q.body = gitops_json_text(opts);
		q.body_len = q.body ? strlen(q.body) : 0;
		q.what = "the sync lease";
		if (q.path && q.body)
			gitops_kube_do(k, &q, ok, &ignore);
		gitops_kube_request_release(&q);
		cJSON_Delete(opts);
	}
	free(l->ns);
	free(l->name);
	free(l->holder);
	free(l);
}
