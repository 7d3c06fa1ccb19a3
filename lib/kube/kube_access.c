#include "lib/kube/kube_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lib/base/buf.h"
#include "lib/base/enc.h"
#include "lib/base/json.h"
#include "lib/value/jsonio.h"

static int access_cmp(const struct gitops_kube_access *a, const char *verb, const char *group, const char *resource,
		      const char *ns)
{
	int c;

	if ((c = strcmp(a->group, group)) || (c = strcmp(a->resource, resource)) || (c = strcmp(a->verb, verb)))
		return c;
	return strcmp(a->ns ? a->ns : "", ns ? ns : "");
}

int gitops_kube_access_add(struct gitops_kube_accesses *l, const char *verb, const char *group, const char *resource,
			   const char *ns)
{
	struct gitops_kube_access a;
	size_t at = 0;
	int c = 1;

	if (ns && !*ns)
		ns = NULL;
	while (at < l->n && (c = access_cmp(&l->v[at], verb, group, resource, ns)) < 0)
		at++;
	if (at < l->n && c == 0)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct gitops_kube_access *p = realloc(l->v, cap * sizeof(*p));
		if (!p)
			return -1;
		l->v = p;
		l->cap = cap;
	}
	memset(&a, 0, sizeof(a));
	if (!(a.verb = strdup(verb)) || !(a.group = strdup(group)) || !(a.resource = strdup(resource)) ||
	    (ns && !(a.ns = strdup(ns)))) {
		free(a.verb);
		free(a.group);
		free(a.resource);
		free(a.ns);
		return -1;
	}
	memmove(l->v + at + 1, l->v + at, (l->n - at) * sizeof(*l->v));
	l->v[at] = a;
	l->n++;
	return 0;
}

const struct gitops_kube_access *gitops_kube_access_find(const struct gitops_kube_accesses *l, const char *verb,
							 const char *group, const char *resource, const char *ns)
{
	size_t lo = 0, hi = l->n;

	if (ns && !*ns)
		ns = NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = access_cmp(&l->v[mid], verb, group, resource, ns);
		if (!c)
			return &l->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

char *gitops_kube_access_body(const struct gitops_kube_access *a)
{
	cJSON *o = cJSON_CreateObject(), *spec, *attr;
	char *text = NULL;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "apiVersion", "authorization.k8s.io/v1");
	cJSON_AddStringToObject(o, "kind", "SelfSubjectAccessReview");
	if ((spec = cJSON_AddObjectToObject(o, "spec")) && (attr = cJSON_AddObjectToObject(spec, "resourceAttributes")) &&
	    cJSON_AddStringToObject(attr, "verb", a->verb) && cJSON_AddStringToObject(attr, "group", a->group) &&
	    cJSON_AddStringToObject(attr, "resource", a->resource) &&
	    (!a->ns || cJSON_AddStringToObject(attr, "namespace", a->ns)))
		text = gitops_json_text(o);
	cJSON_Delete(o);
	return text;
}

int gitops_kube_access_review(struct gitops_kube *k, struct gitops_kube_accesses *l, struct gitops_err *err)
{
	static const long not_served[] = { 403, 404, 0 };
	struct gitops_kube_request *q = calloc(l->n ? l->n : 1, sizeof(*q));
	size_t i;
	int ret = -1;

	if (!q)
		return gitops_err_oom(err);
	for (i = 0; i < l->n; i++) {
		q[i].method = "POST";
		q[i].content_type = "application/json";
		q[i].what = "selfsubjectaccessreview";
		q[i].path = strdup("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
		q[i].body = gitops_kube_access_body(&l->v[i]);
		if (!q[i].path || !q[i].body) {
			gitops_err_oom(err);
			goto done;
		}
		q[i].body_len = strlen(q[i].body);
	}
	if (l->n && gitops_kube_run(k, q, l->n, not_served, err) < 0)
		goto done;
	for (i = 0; i < l->n; i++) {
		cJSON *got;
		const cJSON *allowed;
		if (q[i].status == 403 || q[i].status == 404) {
			/* reviews are not ours to ask: the requests themselves will be judged */
			l->unchecked = 1;
			continue;
		}
		got = gitops_json_read(q[i].response.data, q[i].response.len);
		allowed = gitops_json_get(got, "status", "allowed", NULL);
		if (!got || (allowed && !cJSON_IsBool(allowed))) {
			cJSON_Delete(got);
			gitops_err_set(err, GITOPS_EXIT_REJECTED, "selfsubjectaccessreview: the server's answer is not a review");
			goto done;
		}
		l->v[i].allowed = cJSON_IsTrue(allowed); /* absent: false, as Go leaves it */
		cJSON_Delete(got);
	}
	if (l->unchecked)
		for (i = 0; i < l->n; i++)
			l->v[i].allowed = 1;
	ret = 0;
done:
	for (i = 0; i < l->n; i++)
		gitops_kube_request_release(&q[i]);
	free(q);
	return ret;
}

size_t gitops_kube_access_denied(const struct gitops_kube_accesses *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += !l->v[i].allowed;
	return n;
}

char *gitops_kube_access_missing(const struct gitops_kube_accesses *l)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i = 0, j;

	while (i < l->n) {
		const struct gitops_kube_access *a = &l->v[i];
		size_t nns = 0, shown = 0;
		int cluster = 0;
		if (a->allowed) {
			i++;
			continue;
		}
		/* one clause per verb and resource: the namespaces it lacks, in order */
		for (j = i; j < l->n && !strcmp(l->v[j].group, a->group) && !strcmp(l->v[j].resource, a->resource) &&
			    !strcmp(l->v[j].verb, a->verb); j++)
			if (!l->v[j].allowed) {
				if (l->v[j].ns)
					nns++;
				else
					cluster = 1;
			}
		gitops_buf_printf(&b, "%s\"%s %s%s%s\"", b.len ? ", " : "", a->verb, a->resource, *a->group ? "." : "",
				  a->group);
		if (cluster)
			gitops_buf_addstr(&b, " (cluster-wide)");
		if (nns) {
			gitops_buf_printf(&b, "%s in namespace%s ", cluster ? " and" : "", nns == 1 ? "" : "s");
			for (; i < j; i++)
				if (!l->v[i].allowed && l->v[i].ns)
					gitops_buf_printf(&b, "%s%s", shown++ ? ", " : "", l->v[i].ns);
		}
		i = j;
	}
	if (!b.len) {
		gitops_buf_release(&b);
		return NULL;
	}
	return gitops_buf_detach(&b);
}

char *gitops_kube_token_subject(const char *token)
{
	struct gitops_buf raw = GITOPS_BUF_INIT, dec = GITOPS_BUF_INIT;
	const char *p = token ? strchr(token, '.') : NULL, *e;
	char *sub = NULL;
	cJSON *claims;

	if (!p || !(e = strchr(p + 1, '.')) || e - p - 1 > 16384)
		return NULL;
	/* base64url, unpadded, to the standard alphabet */
	for (p++; p < e; p++)
		gitops_buf_add(&raw, *p == '-' ? "+" : *p == '_' ? "/" : p, 1);
	while (raw.len % 4)
		gitops_buf_addstr(&raw, "=");
	if (raw.data && gitops_base64_decode(&dec, raw.data) == 0 && (claims = gitops_json_read(dec.data, dec.len))) {
		const char *s = gitops_json_get_string(claims, "sub", NULL);
		if (s && *s && strlen(s) < 512)
			sub = strdup(s);
		cJSON_Delete(claims);
	}
	gitops_buf_release(&raw);
	gitops_buf_release(&dec);
	return sub;
}

/* The common name of a PEM certificate, or NULL. */
static char *cert_name(const struct gitops_buf *pem)
{
	BIO *bio;
	X509 *x = NULL;
	char cn[256];
	char *out = NULL;

	if (!pem->len || !(bio = BIO_new_mem_buf(pem->data, (int)pem->len)))
		return NULL;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (x && X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)) > 0)
		out = strdup(cn);
	X509_free(x);
	BIO_free(bio);
	return out;
}

char *gitops_kube_whoami(struct gitops_kube *k)
{
	static const char *const versions[] = { "v1", "v1beta1" };
	const struct gitops_kube_config *cfg = gitops_kube_config(k);
	char *who = NULL;
	size_t i;

	for (i = 0; i < sizeof(versions) / sizeof(*versions) && !who; i++) {
		static const long quiet[] = { 400, 401, 403, 404, 405, 0 };
		struct gitops_kube_request q;
		struct gitops_err ignore = GITOPS_ERR_INIT;
		struct gitops_buf b = GITOPS_BUF_INIT;
		memset(&q, 0, sizeof(q));
		gitops_buf_printf(&b, "{\"apiVersion\":\"authentication.k8s.io/%s\",\"kind\":\"SelfSubjectReview\"}",
				  versions[i]);
		q.method = "POST";
		q.content_type = "application/json";
		q.what = "selfsubjectreview";
		q.body = gitops_buf_detach(&b);
		q.body_len = q.body ? strlen(q.body) : 0;
		if (asprintf(&q.path, "/apis/authentication.k8s.io/%s/selfsubjectreviews", versions[i]) < 0)
			q.path = NULL;
		if (q.path && q.body && gitops_kube_do(k, &q, quiet, &ignore) == 0 && q.status / 100 == 2) {
			cJSON *got = gitops_json_read(q.response.data, q.response.len);
			const char *u = gitops_json_get_string(got, "status", "userInfo", "username", NULL);
			if (u && *u)
				who = strdup(u);
			cJSON_Delete(got);
		}
		gitops_kube_request_release(&q);
	}
	if (!who && cfg && cfg->token)
		who = gitops_kube_token_subject(cfg->token);
	if (!who && cfg)
		who = cert_name(&cfg->client_cert);
	return who;
}

int gitops_kube_access_refuse(struct gitops_err *err, struct gitops_kube *k, const struct gitops_kube_accesses *l,
			      const char *what, const char *remedy)
{
	char *missing = gitops_kube_access_missing(l), *who = gitops_kube_whoami(k);
	char fix[512];

	snprintf(fix, sizeof(fix), remedy, gitops_kube_access_denied(l) == 1 ? "it" : "them");
	gitops_err_set(err, GITOPS_EXIT_AUTH, "%s needs %s, which this user%s%s%s lacks: %s", what,
		       missing ? missing : "permissions", who ? " (" : "", who ? who : "", who ? ")" : "", fix);
	free(missing);
	free(who);
	return -1;
}

void gitops_kube_accesses_release(struct gitops_kube_accesses *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].verb);
		free(l->v[i].group);
		free(l->v[i].resource);
		free(l->v[i].ns);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
