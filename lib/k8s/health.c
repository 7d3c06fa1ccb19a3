#include "lib/k8s/health.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/base/time.h"
#include "lib/k8s/object.h"
#include "lib/value/value.h"
#include "lib/value/jsonio.h"

#define HOOK_FINALIZER "argocd.argoproj.io/hook-finalizer"
#define HPA_CONDITIONS_ANNOTATION "autoscaling.alpha.kubernetes.io/conditions"

/* An object's group, version and kind, as Go's unstructured.GroupVersionKind() reads them. */
struct gvk {
	char group[254];
	char version[64];
	const char *kind;
};

static void set(struct gitops_health *out, enum gitops_health_status status, const char *fmt, ...)
	GITOPS_PRINTF(3, 4);

static void set(struct gitops_health *out, enum gitops_health_status status, const char *fmt, ...)
{
	va_list ap;

	out->status = status;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
}

/* Go's %q for the strings these messages quote (object names). */
static const char *go_quote(char *buf, size_t size, const char *s)
{
	size_t n = 0;

#define PUT(c) do { if (n + 1 < size) buf[n++] = (c); } while (0)
	PUT('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		const char *esc = NULL;

		switch (ch) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\a': esc = "\\a"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\v': esc = "\\v"; break;
		}
		if (esc) {
			for (; *esc; esc++)
				PUT(*esc);
		} else if (ch < 0x20 || ch == 0x7f) {
			static const char hex[] = "0123456789abcdef";
			PUT('\\');
			PUT('x');
			PUT(hex[ch >> 4]);
			PUT(hex[ch & 15]);
		} else {
			PUT((char)ch);
		}
	}
	PUT('"');
#undef PUT
	buf[n < size ? n : size - 1] = '\0';
	return buf;
}

/*
 * Typed reading.  Argo CD converts the unstructured object into the typed
 * Kubernetes struct first and reports Unknown when that fails; here each
 * check reads the fields it needs through these helpers, which record the
 * first field of the wrong type, before deciding anything.
 */
struct conv {
	const char *what;   /* "Deployment" in "failed to convert unstructured Deployment to typed: ..." */
	int failed;
	char msg[400];
};

static void conv_fail(struct conv *c, const char *base, const char *path, size_t path_len, const char *want,
		      const cJSON *found)
{
	if (c->failed)
		return;
	c->failed = 1;
	snprintf(c->msg, sizeof(c->msg), "%s%s%s%s%.*s: expected %s, found %s", c->what ? "failed to convert unstructured " : "",
		 c->what ? c->what : "", c->what ? " to typed: " : "", base, (int)path_len, path, want,
		 cJSON_IsNumber(found) ? "a number out of range" : gitops_json_type_name(found));
}

/* Unknown with the conversion error, if there was one. */
static int conv_failed(const struct conv *c, struct gitops_health *out)
{
	if (!c->failed)
		return 0;
	set(out, GITOPS_HEALTH_UNKNOWN, "%s", c->msg);
	return 1;
}

/*
 * The node at a dotted path below obj ("status.conditions"); NULL when a
 * step is absent or null.  A step that is not a mapping is a conversion
 * error.  `base` prefixes the path in messages ("status.conditions[2].").
 */
static const cJSON *at(struct conv *c, const cJSON *obj, const char *base, const char *path)
{
	const char *p = path;

	while (obj && !cJSON_IsNull(obj)) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		char key[64];

		if (!cJSON_IsObject(obj)) {
			size_t done = p == path ? 0 : (size_t)(p - path - 1);
			conv_fail(c, base, path, done, "a mapping", obj);
			return NULL;
		}
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		obj = cJSON_GetObjectItemCaseSensitive(obj, key);
		if (!dot)
			return obj && !cJSON_IsNull(obj) ? obj : NULL;
		p = dot + 1;
	}
	return NULL;
}

static const char *str_at(struct conv *c, const cJSON *obj, const char *base, const char *path)
{
	const cJSON *n = at(c, obj, base, path);

	if (!n)
		return "";
	if (!cJSON_IsString(n)) {
		conv_fail(c, base, path, strlen(path), "a string", n);
		return "";
	}
	return n->valuestring;
}

/* An integer field of `bits` bits (32 or 64); 0 when absent.  *present says whether it was set. */
static int64_t int_at(struct conv *c, const cJSON *obj, const char *base, const char *path, int bits, int *present)
{
	const cJSON *n = at(c, obj, base, path);
	int64_t v;

	if (present)
		*present = 0;
	if (!n)
		return 0;
	/* as Go's converter: an integral float converts, a fraction or a number out of range does not */
	if (gitops_value_get_int(&v, n, 1) || (bits == 32 && (v < INT32_MIN || v > INT32_MAX))) {
		conv_fail(c, base, path, strlen(path), bits == 32 ? "a 32-bit integer" : "a 64-bit integer", n);
		return 0;
	}
	if (present)
		*present = 1;
	return v;
}

static int bool_at(struct conv *c, const cJSON *obj, const char *base, const char *path)
{
	const cJSON *n = at(c, obj, base, path);

	if (!n)
		return 0;
	if (!cJSON_IsBool(n)) {
		conv_fail(c, base, path, strlen(path), "a boolean", n);
		return 0;
	}
	return cJSON_IsTrue(n);
}

/* A mapping (a Go pointer to a struct: NULL when absent or null). */
static const cJSON *obj_at(struct conv *c, const cJSON *obj, const char *base, const char *path)
{
	const cJSON *n = at(c, obj, base, path);

	if (n && !cJSON_IsObject(n)) {
		conv_fail(c, base, path, strlen(path), "a mapping", n);
		return NULL;
	}
	return n;
}

/* A sequence of mappings; NULL when absent or null.  Null elements read as empty ones and are skipped by callers. */
static const cJSON *list_at(struct conv *c, const cJSON *obj, const char *base, const char *path)
{
	const cJSON *n = at(c, obj, base, path), *el;
	int i = 0;

	if (!n)
		return NULL;
	if (!cJSON_IsArray(n)) {
		conv_fail(c, base, path, strlen(path), "a sequence", n);
		return NULL;
	}
	cJSON_ArrayForEach(el, n) {
		if (!cJSON_IsObject(el) && !cJSON_IsNull(el)) {
			char where[128];
			snprintf(where, sizeof(where), "%s[%d]", path, i);
			conv_fail(c, base, where, strlen(where), "a mapping", el);
			return NULL;
		}
		i++;
	}
	return n;
}

/* "status.conditions[3]." for messages about an element's fields. */
static const char *elem_base(char *buf, size_t size, const char *path, int i)
{
	snprintf(buf, size, "%s[%d].", path, i);
	return buf;
}

/* A condition as the checks read it: every field a string. */
struct cond {
	const char *type, *status, *reason, *message;
};

static void read_cond(struct conv *c, const cJSON *el, const char *base, struct cond *out)
{
	out->type = str_at(c, el, base, "type");
	out->status = str_at(c, el, base, "status");
	out->reason = str_at(c, el, base, "reason");
	out->message = str_at(c, el, base, "message");
}

/*
 * Read status.conditions into conds (at most max; the rest are still
 * type-checked).  Returns how many were stored.
 */
static size_t read_conds(struct conv *c, const cJSON *obj, struct cond *conds, size_t max)
{
	const cJSON *list = list_at(c, obj, "", "status.conditions"), *el;
	size_t n = 0;
	int i = 0;

	cJSON_ArrayForEach(el, list) {
		char base[64];
		struct cond tmp;

		if (cJSON_IsObject(el)) {
			read_cond(c, el, elem_base(base, sizeof(base), "status.conditions", i), n < max ? &conds[n] : &tmp);
			if (n < max)
				n++;
		}
		i++;
	}
	return n;
}

#define MAX_CONDS 64

/* The first condition of a type, or NULL. */
static const struct cond *find_cond(const struct cond *conds, size_t n, const char *type)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(conds[i].type, type))
			return &conds[i];
	return NULL;
}

/* The check accepts only these versions of its kind: else Unknown, as Argo CD's "unsupported ... GVK". */
static int version_ok(const struct gvk *g, const char *what, struct gitops_health *out, const char *const *versions)
{
	for (; *versions; versions++)
		if (!strcmp(g->version, *versions))
			return 1;
	set(out, GITOPS_HEALTH_UNKNOWN, "unsupported %s GVK: %s/%s, Kind=%s", what, g->group, g->version, g->kind);
	return 0;
}

static const char *const V1[] = { "v1", NULL };

/* --- apps --- */

static void check_deployment(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	struct conv c = { "Deployment", 0, { 0 } };
	struct cond conds[MAX_CONDS];
	const struct cond *progressing;
	const char *name;
	int64_t generation, observed, replicas, st_replicas, updated, available;
	int paused, has_replicas;
	size_t n;
	char q[300];

	if (!version_ok(g, "Deployment", out, V1))
		return;
	name = str_at(&c, o, "", "metadata.name");
	generation = int_at(&c, o, "", "metadata.generation", 64, NULL);
	paused = bool_at(&c, o, "", "spec.paused");
	replicas = int_at(&c, o, "", "spec.replicas", 32, &has_replicas);
	observed = int_at(&c, o, "", "status.observedGeneration", 64, NULL);
	st_replicas = int_at(&c, o, "", "status.replicas", 32, NULL);
	updated = int_at(&c, o, "", "status.updatedReplicas", 32, NULL);
	available = int_at(&c, o, "", "status.availableReplicas", 32, NULL);
	n = read_conds(&c, o, conds, MAX_CONDS);
	if (conv_failed(&c, out))
		return;

	if (paused) {
		set(out, GITOPS_HEALTH_SUSPENDED, "Deployment is paused");
		return;
	}
	if (generation > observed) {
		set(out, GITOPS_HEALTH_PROGRESSING,
		    "Waiting for rollout to finish: observed deployment generation less than desired generation");
		return;
	}
	progressing = find_cond(conds, n, "Progressing");
	if (progressing && !strcmp(progressing->reason, "ProgressDeadlineExceeded"))
		set(out, GITOPS_HEALTH_DEGRADED, "Deployment %s exceeded its progress deadline",
		    go_quote(q, sizeof(q), name));
	else if (has_replicas && updated < replicas)
		set(out, GITOPS_HEALTH_PROGRESSING,
		    "Waiting for rollout to finish: %lld out of %lld new replicas have been updated...",
		    (long long)updated, (long long)replicas);
	else if (st_replicas > updated)
		set(out, GITOPS_HEALTH_PROGRESSING, "Waiting for rollout to finish: %lld old replicas are pending termination...",
		    (long long)(st_replicas - updated));
	else if (available < updated)
		set(out, GITOPS_HEALTH_PROGRESSING, "Waiting for rollout to finish: %lld of %lld updated replicas are available...",
		    (long long)available, (long long)updated);
	else
		set(out, GITOPS_HEALTH_HEALTHY, "%s", "");
}

static void check_statefulset(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	struct conv c = { "StatefulSet", 0, { 0 } };
	int64_t generation, observed, replicas, ready, partition, updated, current;
	int has_replicas, has_partition;
	const char *strategy, *update_rev, *current_rev;
	const cJSON *rolling;

	if (!version_ok(g, "StatefulSet", out, V1))
		return;
	generation = int_at(&c, o, "", "metadata.generation", 64, NULL);
	observed = int_at(&c, o, "", "status.observedGeneration", 64, NULL);
	replicas = int_at(&c, o, "", "spec.replicas", 32, &has_replicas);
	ready = int_at(&c, o, "", "status.readyReplicas", 32, NULL);
	strategy = str_at(&c, o, "", "spec.updateStrategy.type");
	rolling = obj_at(&c, o, "", "spec.updateStrategy.rollingUpdate");
	partition = int_at(&c, o, "", "spec.updateStrategy.rollingUpdate.partition", 32, &has_partition);
	updated = int_at(&c, o, "", "status.updatedReplicas", 32, NULL);
	current = int_at(&c, o, "", "status.currentReplicas", 32, NULL);
	update_rev = str_at(&c, o, "", "status.updateRevision");
	current_rev = str_at(&c, o, "", "status.currentRevision");
	if (conv_failed(&c, out))
		return;

	if (observed == 0 || generation > observed) {
		set(out, GITOPS_HEALTH_PROGRESSING, "Waiting for statefulset spec update to be observed...");
		return;
	}
	if (has_replicas && ready < replicas) {
		set(out, GITOPS_HEALTH_PROGRESSING, "Waiting for %lld pods to be ready...", (long long)(replicas - ready));
		return;
	}
	if (!strcmp(strategy, "RollingUpdate") && rolling) {
		if (has_replicas && has_partition && updated < replicas - partition) {
			set(out, GITOPS_HEALTH_PROGRESSING,
			    "Waiting for partitioned roll out to finish: %lld out of %lld new pods have been updated...",
			    (long long)updated, (long long)(replicas - partition));
			return;
		}
		set(out, GITOPS_HEALTH_HEALTHY, "partitioned roll out complete: %lld new pods have been updated...",
		    (long long)updated);
		return;
	}
	if (!strcmp(strategy, "OnDelete")) {
		set(out, GITOPS_HEALTH_HEALTHY, "statefulset has %lld ready pods", (long long)ready);
		return;
	}
	if (strcmp(update_rev, current_rev)) {
		set(out, GITOPS_HEALTH_PROGRESSING, "waiting for statefulset rolling update to complete %lld pods at revision %s...",
		    (long long)updated, update_rev);
		return;
	}
	set(out, GITOPS_HEALTH_HEALTHY, "statefulset rolling update complete %lld pods at revision %s...", (long long)current,
	    current_rev);
}

static void check_daemonset(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	struct conv c = { "DaemonSet", 0, { 0 } };
	int64_t generation, observed, updated, desired, available;
	const char *name, *strategy;
	char q[300];

	if (!version_ok(g, "DaemonSet", out, V1))
		return;
	name = str_at(&c, o, "", "metadata.name");
	generation = int_at(&c, o, "", "metadata.generation", 64, NULL);
	observed = int_at(&c, o, "", "status.observedGeneration", 64, NULL);
	strategy = str_at(&c, o, "", "spec.updateStrategy.type");
	updated = int_at(&c, o, "", "status.updatedNumberScheduled", 32, NULL);
	desired = int_at(&c, o, "", "status.desiredNumberScheduled", 32, NULL);
	available = int_at(&c, o, "", "status.numberAvailable", 32, NULL);
	if (conv_failed(&c, out))
		return;

	if (generation > observed)
		set(out, GITOPS_HEALTH_PROGRESSING,
		    "Waiting for rollout to finish: observed daemon set generation less than desired generation");
	else if (!strcmp(strategy, "OnDelete"))
		set(out, GITOPS_HEALTH_HEALTHY, "daemon set %lld out of %lld new pods have been updated", (long long)updated,
		    (long long)desired);
	else if (updated < desired)
		set(out, GITOPS_HEALTH_PROGRESSING,
		    "Waiting for daemon set %s rollout to finish: %lld out of %lld new pods have been updated...",
		    go_quote(q, sizeof(q), name), (long long)updated, (long long)desired);
	else if (available < desired)
		set(out, GITOPS_HEALTH_PROGRESSING,
		    "Waiting for daemon set %s rollout to finish: %lld of %lld updated pods are available...",
		    go_quote(q, sizeof(q), name), (long long)available, (long long)desired);
	else
		set(out, GITOPS_HEALTH_HEALTHY, "%s", "");
}

static void check_replicaset(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	struct conv c = { "ReplicaSet", 0, { 0 } };
	struct cond conds[MAX_CONDS];
	const struct cond *failure;
	int64_t generation, observed, replicas, available;
	int has_replicas;
	size_t n;

	if (!version_ok(g, "ReplicaSet", out, V1))
		return;
	generation = int_at(&c, o, "", "metadata.generation", 64, NULL);
	observed = int_at(&c, o, "", "status.observedGeneration", 64, NULL);
	replicas = int_at(&c, o, "", "spec.replicas", 32, &has_replicas);
	available = int_at(&c, o, "", "status.availableReplicas", 32, NULL);
	n = read_conds(&c, o, conds, MAX_CONDS);
	if (conv_failed(&c, out))
		return;

	if (generation > observed) {
		set(out, GITOPS_HEALTH_PROGRESSING,
		    "Waiting for rollout to finish: observed replica set generation less than desired generation");
		return;
	}
	failure = find_cond(conds, n, "ReplicaFailure");
	if (failure && !strcmp(failure->status, "True"))
		set(out, GITOPS_HEALTH_DEGRADED, "%s", failure->message);
	else if (has_replicas && available < replicas)
		set(out, GITOPS_HEALTH_PROGRESSING, "Waiting for rollout to finish: %lld out of %lld new replicas are available...",
		    (long long)available, (long long)replicas);
	else
		set(out, GITOPS_HEALTH_HEALTHY, "%s", "");
}

/* --- batch --- */

static void check_job(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	struct conv c = { "Job", 0, { 0 } };
	struct cond conds[MAX_CONDS];
	const char *fail_msg = "", *message = "";
	int failed = 0, complete = 0, suspended = 0;
	size_t i, n;

	if (!version_ok(g, "Job", out, V1))
		return;
	n = read_conds(&c, o, conds, MAX_CONDS);
	if (conv_failed(&c, out))
		return;

	for (i = 0; i < n; i++) {
		if (!strcmp(conds[i].type, "Failed")) {
			failed = complete = 1;
			fail_msg = conds[i].message;
		} else if (!strcmp(conds[i].type, "Complete")) {
			complete = 1;
			message = conds[i].message;
		} else if (!strcmp(conds[i].type, "Suspended")) {
			complete = 1;
			message = conds[i].message;
			if (!strcmp(conds[i].status, "True"))
				suspended = 1;
		}
	}
	if (!complete)
		set(out, GITOPS_HEALTH_PROGRESSING, "%s", message);
	else if (failed)
		set(out, GITOPS_HEALTH_DEGRADED, "%s", fail_msg);
	else if (suspended)
		set(out, GITOPS_HEALTH_SUSPENDED, "%s", fail_msg); /* Argo CD reports the (empty) failure message here */
	else
		set(out, GITOPS_HEALTH_HEALTHY, "%s", message);
}

/* --- core --- */

struct ctr {
	const char *name;
	const cJSON *waiting;       /* state.waiting, or NULL */
	const char *waiting_reason, *waiting_message;
	const cJSON *terminated;    /* state.terminated, or NULL */
	const char *term_message, *term_reason;
	int64_t exit_code;
	const cJSON *last_terminated; /* lastState.terminated, or NULL */
};

#define MAX_CTRS 64

/* Read a container status list; returns how many were stored (the rest are still type-checked). */
static size_t read_ctrs(struct conv *c, const cJSON *o, const char *path, struct ctr *ctrs, size_t max)
{
	const cJSON *list = list_at(c, o, "", path), *el;
	size_t n = 0;
	int i = 0;

	cJSON_ArrayForEach(el, list) {
		char base[64];
		struct ctr tmp, *k = n < max ? &ctrs[n] : &tmp;

		if (!cJSON_IsObject(el)) {
			i++;
			continue;
		}
		elem_base(base, sizeof(base), path, i++);
		k->name = str_at(c, el, base, "name");
		k->waiting = obj_at(c, el, base, "state.waiting");
		k->waiting_reason = str_at(c, el, base, "state.waiting.reason");
		k->waiting_message = str_at(c, el, base, "state.waiting.message");
		k->terminated = obj_at(c, el, base, "state.terminated");
		k->term_message = str_at(c, el, base, "state.terminated.message");
		k->term_reason = str_at(c, el, base, "state.terminated.reason");
		k->exit_code = int_at(c, el, base, "state.terminated.exitCode", 32, NULL);
		k->last_terminated = obj_at(c, el, base, "lastState.terminated");
		if (n < max)
			n++;
	}
	return n;
}

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static int has_suffix(const char *s, const char *x)
{
	size_t ls = strlen(s), lx = strlen(x);

	return ls >= lx && !strcmp(s + ls - lx, x);
}

/* Append to a message, ", "-separated, as Go's strings.Join; silently truncated. */
static void join(char *buf, size_t size, int first, const char *s)
{
	size_t len = strlen(buf);

	if (len + 1 >= size)
		return;
	snprintf(buf + len, size - len, "%s%s", first ? "" : ", ", s);
}

static void check_pod(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	struct conv c = { "Pod", 0, { 0 } };
	struct cond conds[MAX_CONDS];
	struct ctr ctrs[MAX_CTRS], inits[MAX_CTRS];
	const struct cond *ready_cond;
	const char *policy, *phase, *message;
	size_t i, n_conds, n_ctrs, n_inits;
	int ready;

	if (!version_ok(g, "Pod", out, V1))
		return;
	policy = str_at(&c, o, "", "spec.restartPolicy");
	phase = str_at(&c, o, "", "status.phase");
	message = str_at(&c, o, "", "status.message");
	n_conds = read_conds(&c, o, conds, MAX_CONDS);
	n_inits = read_ctrs(&c, o, "status.initContainerStatuses", inits, MAX_CTRS);
	n_ctrs = read_ctrs(&c, o, "status.containerStatuses", ctrs, MAX_CTRS);
	if (conv_failed(&c, out))
		return;

	/*
	 * Waiting reasons count only with restartPolicy Always: a hook Pod
	 * (Never, OnFailure) waiting for an image must not fail the sync early.
	 */
	if (!strcmp(policy, "Always")) {
		int bad = 0;

		out->message[0] = '\0';
		for (i = 0; i < n_ctrs; i++) {
			const char *r = ctrs[i].waiting_reason;

			if (ctrs[i].waiting && (has_prefix(r, "Err") || has_suffix(r, "Error") || has_suffix(r, "BackOff"))) {
				join(out->message, sizeof(out->message), !bad, ctrs[i].waiting_message);
				bad = 1;
			}
		}
		if (bad) {
			out->status = GITOPS_HEALTH_DEGRADED;
			return;
		}
	}

	if (!strcmp(phase, "Pending")) {
		set(out, GITOPS_HEALTH_PROGRESSING, "%s", message);
	} else if (!strcmp(phase, "Succeeded")) {
		set(out, GITOPS_HEALTH_HEALTHY, "%s", message);
	} else if (!strcmp(phase, "Failed")) {
		if (*message) {
			set(out, GITOPS_HEALTH_DEGRADED, "%s", message);
			return;
		}
		/* init containers first, then the others: the first that says why */
		for (i = 0; i < n_inits + n_ctrs; i++) {
			const struct ctr *k = i < n_inits ? &inits[i] : &ctrs[i - n_inits];
			char q[300];

			if (!k->terminated)
				continue;
			if (*k->term_message) {
				set(out, GITOPS_HEALTH_DEGRADED, "%s", k->term_message);
				return;
			}
			if (!strcmp(k->term_reason, "OOMKilled")) {
				set(out, GITOPS_HEALTH_DEGRADED, "%s", k->term_reason);
				return;
			}
			if (k->exit_code != 0) {
				set(out, GITOPS_HEALTH_DEGRADED, "container %s failed with exit code %lld",
				    go_quote(q, sizeof(q), k->name), (long long)k->exit_code);
				return;
			}
		}
		set(out, GITOPS_HEALTH_DEGRADED, "%s", "");
	} else if (!strcmp(phase, "Running") && !strcmp(policy, "Always")) {
		ready_cond = find_cond(conds, n_conds, "Ready");
		ready = ready_cond && !strcmp(ready_cond->status, "True");
		if (ready) {
			set(out, GITOPS_HEALTH_HEALTHY, "%s", message);
			return;
		}
		for (i = 0; i < n_ctrs; i++) {
			if (ctrs[i].last_terminated) {
				set(out, GITOPS_HEALTH_DEGRADED, "%s", message);
				return;
			}
		}
		set(out, GITOPS_HEALTH_PROGRESSING, "%s", message);
	} else if (!strcmp(phase, "Running") && (!strcmp(policy, "OnFailure") || !strcmp(policy, "Never"))) {
		/* a finite Pod, typically a hook: Progressing until it ends, never Healthy while it runs */
		set(out, GITOPS_HEALTH_PROGRESSING, "%s", message);
	} else {
		set(out, GITOPS_HEALTH_UNKNOWN, "%s", message);
	}
}

static void check_pvc(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	struct conv c = { "PersistentVolumeClaim", 0, { 0 } };
	const char *phase;

	if (!version_ok(g, "PersistentVolumeClaim", out, V1))
		return;
	phase = str_at(&c, o, "", "status.phase");
	if (conv_failed(&c, out))
		return;
	if (!strcmp(phase, "Lost"))
		set(out, GITOPS_HEALTH_DEGRADED, "%s", "");
	else if (!strcmp(phase, "Pending"))
		set(out, GITOPS_HEALTH_PROGRESSING, "%s", "");
	else if (!strcmp(phase, "Bound"))
		set(out, GITOPS_HEALTH_HEALTHY, "%s", "");
	else
		set(out, GITOPS_HEALTH_UNKNOWN, "%s", "");
}

static void check_service(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	struct conv c = { "Service", 0, { 0 } };
	const char *type;
	const cJSON *ingress;

	if (!version_ok(g, "Service", out, V1))
		return;
	type = str_at(&c, o, "", "spec.type");
	ingress = list_at(&c, o, "", "status.loadBalancer.ingress");
	if (conv_failed(&c, out))
		return;
	if (!strcmp(type, "LoadBalancer") && cJSON_GetArraySize(ingress) == 0)
		set(out, GITOPS_HEALTH_PROGRESSING, "%s", "");
	else
		set(out, GITOPS_HEALTH_HEALTHY, "%s", "");
}

/* --- networking.k8s.io, extensions --- */

static void check_ingress(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	/* any version; read without typing: anything but a non-empty status.loadBalancer.ingress sequence is Progressing */
	const cJSON *ingress = gitops_json_get(o, "status", "loadBalancer", "ingress", NULL);

	(void)g;
	if (cJSON_IsArray(ingress) && cJSON_GetArraySize(ingress) > 0)
		set(out, GITOPS_HEALTH_HEALTHY, "%s", "");
	else
		set(out, GITOPS_HEALTH_PROGRESSING, "%s", "");
}

/* --- autoscaling --- */

#define HPA_WAITING "Waiting to Autoscale"

/* Degraded on the first failing condition, Healthy on the first that is fine; else still waiting. */
static void hpa_conditions(const struct cond *conds, size_t n, struct gitops_health *out)
{
	static const struct {
		const char *type, *reason;
	} degraded[] = {
		{ "AbleToScale", "FailedGetScale" },
		{ "AbleToScale", "FailedUpdateScale" },
		{ "ScalingActive", "FailedGetResourceMetric" },
		{ "ScalingActive", "InvalidSelector" },
	};
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < sizeof(degraded) / sizeof(degraded[0]); k++) {
			if (!strcmp(conds[i].type, degraded[k].type) && !strcmp(conds[i].reason, degraded[k].reason)) {
				set(out, GITOPS_HEALTH_DEGRADED, "%s", conds[i].message);
				return;
			}
		}
		if ((!strcmp(conds[i].type, "AbleToScale") || !strcmp(conds[i].type, "ScalingLimited")) &&
		    !strcmp(conds[i].status, "True")) {
			set(out, GITOPS_HEALTH_HEALTHY, "%s", conds[i].message);
			return;
		}
	}
	set(out, GITOPS_HEALTH_PROGRESSING, HPA_WAITING);
}

/* Go's name for a JSON value's type in "json: cannot unmarshal X into ..." */
static const char *json_kind(const cJSON *n)
{
	if (cJSON_IsObject(n))
		return "object";
	if (cJSON_IsArray(n))
		return "array";
	if (cJSON_IsString(n))
		return "string";
	if (cJSON_IsBool(n))
		return "bool";
	return "number";
}

/* autoscaling/v1 keeps its conditions as JSON in an annotation. */
static void hpa_v1(const cJSON *o, struct gitops_health *out)
{
	static const struct {
		const char *key, *field;
	} fields[] = { { "type", "Type" }, { "reason", "Reason" }, { "message", "Message" }, { "status", "Status" } };
	struct conv c = { "HPA", 0, { 0 } };
	struct cond conds[MAX_CONDS];
	const cJSON *annotations, *ann, *el, *list;
	cJSON *parsed;
	size_t n = 0, k;
	char err[160] = "";

	annotations = obj_at(&c, o, "", "metadata.annotations");
	ann = annotations ? cJSON_GetObjectItemCaseSensitive(annotations, HPA_CONDITIONS_ANNOTATION) : NULL;
	if (ann && !cJSON_IsString(ann)) {
		conv_fail(&c, "metadata.annotations.", HPA_CONDITIONS_ANNOTATION, strlen(HPA_CONDITIONS_ANNOTATION),
			  "a string", ann);
	}
	if (conv_failed(&c, out))
		return;
	if (!ann) {
		set(out, GITOPS_HEALTH_PROGRESSING, HPA_WAITING);
		return;
	}
	parsed = gitops_json_read(ann->valuestring, strlen(ann->valuestring));
	if (!parsed) {
		set(out, GITOPS_HEALTH_UNKNOWN, "failed to convert conditions annotation to typed: invalid JSON in %s",
		    HPA_CONDITIONS_ANNOTATION);
		return;
	}
	if (!cJSON_IsArray(parsed) && !cJSON_IsNull(parsed)) {
		snprintf(err, sizeof(err), "json: cannot unmarshal %s into Go value of type []health.hpaCondition",
			 json_kind(parsed));
	}
	/* Go reads the fields case-insensitively, and ignores unknown ones and nulls */
	list = cJSON_IsArray(parsed) ? parsed : NULL;
	cJSON_ArrayForEach(el, list) {
		struct cond *cd = n < MAX_CONDS ? &conds[n] : NULL;
		const char **dst[4];

		if (cJSON_IsNull(el))
			continue;
		if (!cJSON_IsObject(el)) {
			if (!*err)
				snprintf(err, sizeof(err), "json: cannot unmarshal %s into Go value of type health.hpaCondition",
					 json_kind(el));
			continue;
		}
		if (!cd)
			continue;
		dst[0] = &cd->type;
		dst[1] = &cd->reason;
		dst[2] = &cd->message;
		dst[3] = &cd->status;
		for (k = 0; k < 4; k++) {
			const cJSON *v = cJSON_GetObjectItem(el, fields[k].key);

			*dst[k] = "";
			if (!v || cJSON_IsNull(v))
				continue;
			if (!cJSON_IsString(v)) {
				if (!*err)
					snprintf(err, sizeof(err),
						 "json: cannot unmarshal %s into Go struct field hpaCondition.%s of type string",
						 json_kind(v), fields[k].field);
				continue;
			}
			*dst[k] = v->valuestring;
		}
		n++;
	}
	if (*err)
		set(out, GITOPS_HEALTH_UNKNOWN, "failed to convert conditions annotation to typed: %s", err);
	else if (n == 0)
		set(out, GITOPS_HEALTH_PROGRESSING, HPA_WAITING);
	else
		hpa_conditions(conds, n, out); /* messages copied out before the parsed tree goes */
	cJSON_Delete(parsed);
}

static void check_hpa(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	static const char *const versions[] = { "v1", "v2beta1", "v2beta2", "v2", NULL };
	struct conv c = { "HPA", 0, { 0 } };
	struct cond conds[MAX_CONDS];
	size_t n;

	if (!version_ok(g, "HPA", out, versions))
		return;
	if (!strcmp(g->version, "v1")) {
		hpa_v1(o, out);
		return;
	}
	n = read_conds(&c, o, conds, MAX_CONDS);
	if (conv_failed(&c, out))
		return;
	hpa_conditions(conds, n, out);
}

/* --- apiregistration.k8s.io --- */

static void check_apiservice(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	static const char *const versions[] = { "v1", "v1beta1", NULL };
	struct conv c = { "APIService", 0, { 0 } };
	struct cond conds[MAX_CONDS];
	const struct cond *avail;
	size_t n;

	if (!version_ok(g, "APIService", out, versions))
		return;
	n = read_conds(&c, o, conds, MAX_CONDS);
	if (conv_failed(&c, out))
		return;
	avail = find_cond(conds, n, "Available");
	if (!avail)
		set(out, GITOPS_HEALTH_PROGRESSING, "Waiting to be processed");
	else
		set(out, !strcmp(avail->status, "True") ? GITOPS_HEALTH_HEALTHY : GITOPS_HEALTH_PROGRESSING, "%s: %s",
		    avail->reason, avail->message);
}

/* --- apiextensions.k8s.io: Argo CD's built-in CustomResourceDefinition health script --- */

static const char *str_or_empty(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static int str_is(const cJSON *obj, const char *key, const char *want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) && !strcmp(v->valuestring, want);
}

static void check_crd(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	const cJSON *deletion = gitops_json_get(o, "metadata", "deletionTimestamp", NULL);
	const cJSON *conditions = gitops_json_get(o, "status", "conditions", NULL), *el;
	int established = 0, terminating = 0, names_rejected = 0, violations = 0;
	const char *msg = "";

	(void)g;
	if (deletion && !cJSON_IsNull(deletion)) {
		set(out, GITOPS_HEALTH_PROGRESSING, "CRD is terminating");
		return;
	}
	if (!cJSON_IsArray(conditions) || cJSON_GetArraySize(conditions) == 0) {
		set(out, GITOPS_HEALTH_PROGRESSING, "Status conditions not found");
		return;
	}
	/* as the script does: the last matching condition's message is the one reported */
	cJSON_ArrayForEach(el, conditions) {
		if (!cJSON_IsObject(el))
			continue;
		if (str_is(el, "type", "Terminating") && str_is(el, "status", "True")) {
			terminating = 1;
			msg = str_or_empty(el, "message");
		}
		if (str_is(el, "type", "NamesAccepted") && str_is(el, "status", "False")) {
			names_rejected = 1;
			msg = str_or_empty(el, "message");
		}
		if (str_is(el, "type", "Established") && str_is(el, "status", "True")) {
			established = 1;
			msg = str_or_empty(el, "message");
		}
		if (str_is(el, "type", "NonStructuralSchema") && str_is(el, "status", "True")) {
			violations = 1;
			msg = str_or_empty(el, "message");
		}
	}
	if (terminating)
		set(out, GITOPS_HEALTH_PROGRESSING, "CRD is terminating: %s", msg);
	else if (names_rejected)
		set(out, GITOPS_HEALTH_DEGRADED, "CRD names have not been accepted: %s", msg);
	else if (!established)
		set(out, GITOPS_HEALTH_DEGRADED, "CRD is not established");
	else if (violations)
		set(out, GITOPS_HEALTH_DEGRADED, "Schema violations found: %s", msg);
	else
		set(out, GITOPS_HEALTH_HEALTHY, "CRD is healthy");
}

/* --- argoproj.io --- */

static void check_workflow(const struct gvk *g, const cJSON *o, struct gitops_health *out)
{
	struct conv c = { NULL, 0, { 0 } };
	const char *phase, *message;

	(void)g;
	phase = str_at(&c, o, "", "status.phase");
	message = str_at(&c, o, "", "status.message");
	if (conv_failed(&c, out))
		return;
	if (!*phase || !strcmp(phase, "Pending") || !strcmp(phase, "Running"))
		set(out, GITOPS_HEALTH_PROGRESSING, "%s", message);
	else if (!strcmp(phase, "Succeeded"))
		set(out, GITOPS_HEALTH_HEALTHY, "%s", message);
	else if (!strcmp(phase, "Failed") || !strcmp(phase, "Error"))
		set(out, GITOPS_HEALTH_DEGRADED, "%s", message);
	else
		set(out, GITOPS_HEALTH_UNKNOWN, "%s", message);
}

static const struct {
	const char *group, *kind;
	void (*check)(const struct gvk *g, const cJSON *o, struct gitops_health *out);
} checks[] = {
	{ "apps", "Deployment", check_deployment },
	{ "apps", "StatefulSet", check_statefulset },
	{ "apps", "ReplicaSet", check_replicaset },
	{ "apps", "DaemonSet", check_daemonset },
	{ "extensions", "Ingress", check_ingress },
	{ "networking.k8s.io", "Ingress", check_ingress },
	{ "argoproj.io", "Workflow", check_workflow },
	{ "apiregistration.k8s.io", "APIService", check_apiservice },
	{ "apiextensions.k8s.io", "CustomResourceDefinition", check_crd },
	{ "", "Service", check_service },
	{ "", "PersistentVolumeClaim", check_pvc },
	{ "", "Pod", check_pod },
	{ "batch", "Job", check_job },
	{ "autoscaling", "HorizontalPodAutoscaler", check_hpa },
};

/* Go's schema.ParseGroupVersion: "v1", "group/version"; more slashes leave the whole GVK empty. */
static void read_gvk(const cJSON *o, struct gvk *g)
{
	const char *av = gitops_json_get_string(o, "apiVersion", NULL);
	const char *kind = gitops_json_get_string(o, "kind", NULL);
	const char *slash;

	g->group[0] = g->version[0] = '\0';
	g->kind = "";
	if (!av)
		av = "";
	slash = strchr(av, '/');
	if (slash && strchr(slash + 1, '/'))
		return;
	if (slash) {
		if ((size_t)(slash - av) >= sizeof(g->group) || strlen(slash + 1) >= sizeof(g->version))
			return;
		memcpy(g->group, av, (size_t)(slash - av));
		g->group[slash - av] = '\0';
		strcpy(g->version, slash + 1);
	} else {
		if (strlen(av) >= sizeof(g->version))
			return;
		strcpy(g->version, av);
	}
	g->kind = kind ? kind : "";
}

/*
 * metav1.Time's reading of metadata.deletionTimestamp: an RFC 3339 time
 * (Go's time.Parse); anything else, and the zero time, count as not set.
 */
static int deletion_set(const cJSON *o)
{
	const char *s = gitops_json_get_string(o, "metadata", "deletionTimestamp", NULL);
	int64_t sec;
	int32_t ns;

	if (!s || gitops_time_rfc3339(s, &sec, &ns) < 0)
		return 0;
	return !(sec == GITOPS_TIME_ZERO_SEC && ns == 0);
}

static int has_hook_finalizer(const cJSON *o)
{
	const cJSON *fins = gitops_json_get(o, "metadata", "finalizers", NULL), *f;
	int found = 0;

	if (!cJSON_IsArray(fins))
		return 0;
	cJSON_ArrayForEach(f, fins) {
		if (!cJSON_IsString(f))
			return 0; /* Go's GetFinalizers reads such a list as none */
		if (!strcmp(f->valuestring, HOOK_FINALIZER))
			found = 1;
	}
	return found;
}

void gitops_health_assess(const cJSON *live, struct gitops_health *out)
{
	struct gvk g;
	size_t i;

	set(out, GITOPS_HEALTH_NONE, "%s", "");
	if (!live) {
		out->status = GITOPS_HEALTH_MISSING;
		return;
	}
	if (!cJSON_IsObject(live))
		return;
	if (deletion_set(live) && !has_hook_finalizer(live)) {
		set(out, GITOPS_HEALTH_PROGRESSING, "Pending deletion");
		return;
	}
	read_gvk(live, &g);
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (!strcmp(checks[i].group, g.group) && !strcmp(checks[i].kind, g.kind)) {
			checks[i].check(&g, live, out);
			return;
		}
	}
}

const char *gitops_health_name(enum gitops_health_status s)
{
	switch (s) {
	case GITOPS_HEALTH_HEALTHY: return "Healthy";
	case GITOPS_HEALTH_PROGRESSING: return "Progressing";
	case GITOPS_HEALTH_DEGRADED: return "Degraded";
	case GITOPS_HEALTH_SUSPENDED: return "Suspended";
	case GITOPS_HEALTH_MISSING: return "Missing";
	case GITOPS_HEALTH_UNKNOWN: return "Unknown";
	case GITOPS_HEALTH_NONE: break;
	}
	return "";
}

enum gitops_health_outcome gitops_health_classify(enum gitops_health_status s)
{
	switch (s) {
	case GITOPS_HEALTH_NONE:
	case GITOPS_HEALTH_HEALTHY:
		return GITOPS_HEALTH_DONE;
	case GITOPS_HEALTH_DEGRADED:
		return GITOPS_HEALTH_FAILED;
	case GITOPS_HEALTH_PROGRESSING:
	case GITOPS_HEALTH_SUSPENDED:
	case GITOPS_HEALTH_MISSING:
	case GITOPS_HEALTH_UNKNOWN:
		break;
	}
	return GITOPS_HEALTH_WAITING;
}
