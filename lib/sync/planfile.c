#include "lib/sync/planfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/enc.h"
#include "lib/base/fs.h"
#include "lib/k8s/object.h"
#include "lib/k8s/source.h"
#include "lib/sync/applyset.h"
#include "lib/sync/plan.h"
#include "lib/value/jsonio.h"

/* --- writing (gitops-diff --plan) --- */

static int same(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static const char *str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *annotation(const struct gitops_object *o, const char *key)
{
	return gitops_object_annotation(o->json, key);
}

int gitops_planfile_source_of(struct gitops_planfile_source *out, const struct gitops_object *sources,
			      size_t n_sources, const struct gitops_object *objs, size_t n, struct gitops_err *err)
{
	const char **paths = calloc(n_sources ? n_sources : 1, sizeof(*paths));
	size_t i, j, rl;

	memset(out, 0, sizeof(*out));
	if (!paths)
		return gitops_err_oom(err);
	for (i = 0; i < n_sources; i++) {
		struct gitops_source s;
		if (!gitops_source_is(sources[i].json)) {
			gitops_object_err(err, &sources[i], GITOPS_EXIT_INPUT, "not a Source document (--plan-source "
					  "takes what gitops-fetch wrote)");
			goto fail;
		}
		if (gitops_source_read(&s, sources[i].json, sources[i].source, sources[i].line, sources[i].doc, err) < 0)
			goto fail;
		if (!s.ref) {
			gitops_object_err(err, &sources[i], GITOPS_EXIT_INPUT, "the Source names no ref: a plan needs "
					  "the ref whose commit gitops-apply --plan checks");
			goto fail;
		}
		if (i && (strcmp(s.repository, out->repository) || strcmp(s.ref, out->ref) || strcmp(s.commit, out->commit))) {
			gitops_object_err(err, &sources[i], GITOPS_EXIT_INPUT, "a plan watches one ref: this Source is "
					  "%s %s at %s, the first %s %s at %s", s.repository, s.ref, s.commit,
					  out->repository, out->ref, out->commit);
			goto fail;
		}
		out->repository = s.repository;
		out->ref = s.ref;
		out->commit = s.commit;
		paths[i] = s.path;
	}
	if (!n_sources) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "--plan-source holds no Source document");
		goto fail;
	}
	out->paths = paths;
	out->n_paths = n_sources;
	rl = strlen(out->repository);
	for (i = 0; i < n; i++) {
		const char *src = annotation(&objs[i], "gitops.dev/source");
		const char *path = src && !strncmp(src, out->repository, rl) && !strncmp(src + rl, "//", 2) ? src + rl + 2 : NULL;
		for (j = 0; path && j < n_sources; j++)
			if (!strcmp(path, paths[j]) || (!strcmp(paths[j], ".") && !*path))
				break;
		if (!annotation(&objs[i], "gitops.dev/revision") || !path || j == n_sources) {
			gitops_object_err(err, &objs[i], GITOPS_EXIT_INPUT, "the object was not rendered from the Sources "
					  "of --plan-source (its gitops.dev/source is %s%s%s, the Sources' %s//%s%s)",
					  src ? "'" : "", src ? src : "missing", src ? "'" : "", out->repository, paths[0],
					  n_sources > 1 ? ", ..." : "");
			goto fail;
		}
	}
	return 0;
fail:
	free(paths);
	memset(out, 0, sizeof(*out));
	return -1;
}

int gitops_planfile_new(cJSON **out, const struct gitops_planfile_source *src, const struct gitops_planfile_options *o,
			struct gitops_err *err)
{
	cJSON *plan = cJSON_CreateObject(), *spec, *s, *paths;
	size_t i;

	*out = NULL;
	if (!plan || !cJSON_AddStringToObject(plan, "apiVersion", GITOPS_PLANFILE_API_VERSION) ||
	    !cJSON_AddStringToObject(plan, "kind", GITOPS_PLANFILE_KIND) || !(s = cJSON_AddObjectToObject(plan, "metadata")) ||
	    !cJSON_AddStringToObject(s, "name", "plan") || !(spec = cJSON_AddObjectToObject(plan, "spec")))
		goto oom;
	if (src && src->repository) {
		if (!(s = cJSON_AddObjectToObject(spec, "source")) ||
		    !cJSON_AddStringToObject(s, "repository", src->repository) || !cJSON_AddStringToObject(s, "ref", src->ref) ||
		    !cJSON_AddStringToObject(s, "commit", src->commit) || !(paths = cJSON_AddArrayToObject(s, "paths")))
			goto oom;
		for (i = 0; i < src->n_paths; i++)
			if (!cJSON_AddItemToArray(paths, cJSON_CreateString(src->paths[i])))
				goto oom;
	} else if (!cJSON_AddTrueToObject(spec, "noSource")) {
		goto oom;
	}
	if (!cJSON_AddStringToObject(spec, "namespace", o->namespace) ||
	    !cJSON_AddStringToObject(spec, "fieldManager", o->field_manager) ||
	    (o->applyset && !cJSON_AddStringToObject(spec, "applyset", o->applyset)))
		goto oom;
	if (o->confirm_prune &&
	    !cJSON_AddItemToObject(spec, "confirmations", cJSON_CreateStringArray((const char *const[]){ "Prune=confirm" }, 1)))
		goto oom;
	if (!cJSON_AddArrayToObject(spec, "objects") || (o->applyset && !cJSON_AddArrayToObject(spec, "prune")))
		goto oom;
	*out = plan;
	return 0;
oom:
	cJSON_Delete(plan);
	return gitops_err_oom(err);
}

int gitops_planfile_note(cJSON *plan, const struct gitops_diff_result *r, struct gitops_err *err)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(plan, "spec"), *list, *e;
	const char *key = r->obj ? "objects" : r->prune_pending ? "pruneNeedsConfirmation" : "prune";
	const char *rv = gitops_json_get_string(r->live, "metadata", "resourceVersion", NULL);
	const char *uid = gitops_json_get_string(r->live, "metadata", "uid", NULL);

	if (r->failed)
		return gitops_err_set(err, r->err.code ? r->err.code : GITOPS_EXIT_INTERNAL, "no plan written: %s",
				      r->err.msg);
	if (!(list = cJSON_GetObjectItemCaseSensitive(spec, key)) && !(list = cJSON_AddArrayToObject(spec, key)))
		return gitops_err_oom(err);
	if (!(e = cJSON_CreateObject()) || !cJSON_AddItemToArray(list, e) ||
	    !cJSON_AddStringToObject(e, "apiVersion", r->api_version ? r->api_version : "") ||
	    !cJSON_AddStringToObject(e, "kind", r->kind ? r->kind : "") ||
	    (r->namespace && !cJSON_AddStringToObject(e, "namespace", r->namespace)) ||
	    !cJSON_AddStringToObject(e, "name", r->name ? r->name : "") ||
	    (rv && !cJSON_AddStringToObject(e, "resourceVersion", rv)) || (uid && !cJSON_AddStringToObject(e, "uid", uid)))
		return gitops_err_oom(err);
	return 0;
}

int gitops_planfile_digest(char out[72], const struct gitops_object *objs, size_t n, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	unsigned char md[GITOPS_SHA256_LEN];
	size_t i;
	int ret = -1;

	*out = 0;
	for (i = 0; i < n; i++) {
		char *text = NULL;
		if (gitops_json_print(&text, objs[i].json, GITOPS_JSON_SORTED, err) < 0)
			goto done;
		if (gitops_buf_addstr(&b, text) < 0 || gitops_buf_add(&b, "\n", 1) < 0) {
			free(text);
			gitops_err_oom(err);
			goto done;
		}
		free(text);
	}
	if (gitops_sha256(md, b.data ? b.data : "", b.len) < 0) {
		gitops_err_set(err, GITOPS_EXIT_INTERNAL, "SHA-256 failed");
		goto done;
	}
	memcpy(out, "sha256:", 7);
	gitops_hex_encode(out + 7, md, sizeof(md));
	ret = 0;
done:
	gitops_buf_release(&b);
	return ret;
}

static int to_buf(void *ctx, const void *data, size_t len, struct gitops_err *err)
{
	return gitops_buf_add(ctx, data, len) < 0 ? gitops_err_oom(err) : 0;
}

int gitops_planfile_write(const char *path, cJSON *plan, const struct gitops_object *objs, size_t n,
			  struct gitops_err *err)
{
	struct gitops_stream_writer *w = NULL;
	struct gitops_buf b = GITOPS_BUF_INIT;
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(plan, "spec");
	char digest[72];
	size_t i;
	int ret = -1;

	if ((size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(spec, "objects")) != n) {
		gitops_err_set(err, GITOPS_EXIT_INTERNAL, "no plan written: not every object was compared");
		goto done;
	}
	if (gitops_planfile_digest(digest, objs, n, err) < 0)
		goto done;
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "objectsDigest");
	if (!cJSON_AddStringToObject(spec, "objectsDigest", digest)) {
		gitops_err_oom(err);
		goto done;
	}
	if (gitops_stream_writer_new(&w, GITOPS_FORMAT_YAML, to_buf, &b, err) < 0 ||
	    gitops_stream_writer_put(w, plan, err) < 0)
		goto done;
	for (i = 0; i < n; i++)
		if (gitops_stream_writer_put(w, objs[i].json, err) < 0)
			goto done;
	if (gitops_stream_writer_finish(w, err) < 0)
		goto done;
	/* Secret values: for the one who planned only */
	ret = gitops_fs_write_atomic(path, b.data, b.len, 0600, err);
done:
	gitops_stream_writer_free(w);
	gitops_buf_release(&b);
	return ret;
}

/* --- reading (gitops-apply --plan) --- */

static int not_whole(struct gitops_err *err, const struct gitops_planfile *p, const char *fmt, ...) GITOPS_PRINTF(3, 4);
static int not_whole(struct gitops_err *err, const struct gitops_planfile *p, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX - 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: not a whole plan: %s; nothing was changed: plan again",
			      p->path, msg);
}

/* An entry of spec.objects/prune: a mapping of strings, apiVersion, kind and name set. */
static int entry_ok(const cJSON *e, int need_uid)
{
	static const char *const keys[] = { "apiVersion", "kind", "name", "namespace", "resourceVersion", "uid", NULL };
	const cJSON *c;
	size_t i;

	if (!cJSON_IsObject(e) || !str(e, "apiVersion") || !str(e, "kind") || !str(e, "name"))
		return 0;
	cJSON_ArrayForEach(c, e)
	{
		for (i = 0; keys[i] && strcmp(keys[i], c->string); i++)
			;
		if (!keys[i] || !cJSON_IsString(c))
			return 0;
	}
	return !need_uid || (str(e, "uid") && str(e, "resourceVersion"));
}

static int read_spec(struct gitops_planfile *p, struct gitops_err *err)
{
	const cJSON *spec = p->spec, *src = cJSON_GetObjectItemCaseSensitive(spec, "source"), *c, *e;
	const cJSON *objects = cJSON_GetObjectItemCaseSensitive(spec, "objects");
	const cJSON *prune = cJSON_GetObjectItemCaseSensitive(spec, "prune");
	char digest[72];
	size_t i;

	if (!cJSON_IsObject(spec))
		return not_whole(err, p, "the Plan has no spec");
	if (cJSON_IsObject(src)) {
		p->source.repository = str(src, "repository");
		p->source.ref = str(src, "ref");
		p->source.commit = str(src, "commit");
		if (!p->source.repository || !p->source.ref || !p->source.commit)
			return not_whole(err, p, "spec.source needs repository, ref and commit");
	} else if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "noSource"))) {
		return not_whole(err, p, "the Plan has neither spec.source nor spec.noSource: true");
	}
	p->opts.namespace = str(spec, "namespace");
	p->opts.field_manager = str(spec, "fieldManager");
	p->opts.applyset = str(spec, "applyset");
	if (!p->opts.namespace || !*p->opts.namespace || !p->opts.field_manager || !*p->opts.field_manager ||
	    (cJSON_GetObjectItemCaseSensitive(spec, "applyset") && (!p->opts.applyset || !*p->opts.applyset)))
		return not_whole(err, p, "spec.namespace, spec.fieldManager and spec.applyset must be non-empty strings");
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(spec, "confirmations"))
	{
		if (!cJSON_IsString(c) || strcmp(c->valuestring, "Prune=confirm"))
			return not_whole(err, p, "spec.confirmations holds %s, not Prune=confirm",
					 cJSON_IsString(c) ? c->valuestring : "a non-string");
		p->opts.confirm_prune = 1;
	}
	if (!cJSON_IsArray(objects) || (size_t)cJSON_GetArraySize(objects) != p->n)
		return not_whole(err, p, "spec.objects lists %d objects, the file holds %zu", cJSON_GetArraySize(objects), p->n);
	for (i = 0, e = objects->child; e; e = e->next, i++) {
		const cJSON *o = p->objs[i].json;
		const char *ns = gitops_json_get_string(o, "metadata", "namespace", NULL);
		if (!entry_ok(e, 0) || strcmp(str(e, "apiVersion"), str(o, "apiVersion")) ||
		    strcmp(str(e, "kind"), str(o, "kind")) || strcmp(str(e, "name"), gitops_json_get_string(o, "metadata", "name", NULL)) ||
		    (ns && *ns && (!str(e, "namespace") || strcmp(ns, str(e, "namespace")))))
			return not_whole(err, p, "spec.objects[%zu] is not the file's object %zu", i, i + 1);
	}
	if (!p->opts.applyset != !prune || (prune && !cJSON_IsArray(prune)))
		return not_whole(err, p, "spec.prune must be a list exactly when spec.applyset is set");
	p->prune_uids = calloc((size_t)cJSON_GetArraySize(prune) + 1, sizeof(*p->prune_uids));
	if (!p->prune_uids)
		return gitops_err_oom(err);
	cJSON_ArrayForEach(e, prune)
	{
		if (!entry_ok(e, 1))
			return not_whole(err, p, "spec.prune[%zu] needs apiVersion, kind, name, uid and resourceVersion",
					 p->n_prune);
		p->prune_uids[p->n_prune++] = str(e, "uid");
	}
	if (gitops_planfile_digest(digest, p->objs, p->n, err) < 0)
		return -1;
	if (!str(spec, "objectsDigest") || strcmp(digest, str(spec, "objectsDigest")))
		return not_whole(err, p, "its objects are not those planned (their digest is %s, spec.objectsDigest %s): "
				 "edited after planning", digest, str(spec, "objectsDigest") ? str(spec, "objectsDigest") : "missing");
	return 0;
}

int gitops_planfile_read(struct gitops_planfile *p, const char *path, const struct gitops_limits *limits,
			 struct gitops_err *err)
{
	const cJSON *plan;
	const char *av, *kind;

	memset(p, 0, sizeof(*p));
	p->path = path;
	if (gitops_objset_read(&p->set, path, limits, err) < 0) {
		if (err->code == GITOPS_EXIT_INPUT || err->code == GITOPS_EXIT_UNSAFE)
			return not_whole(err, p, "%s", err->msg);
		return -1;
	}
	if (p->set.status.marker != GITOPS_MARKER_OK)
		return not_whole(err, p, "it does not end with its end-of-stream marker (cut short?)");
	if (!p->set.n)
		return not_whole(err, p, "it holds no Plan document");
	plan = p->set.objs[0].json;
	av = str(plan, "apiVersion");
	kind = str(plan, "kind");
	if (strcmp(av, GITOPS_PLANFILE_API_VERSION) || strcmp(kind, GITOPS_PLANFILE_KIND))
		return not_whole(err, p, "its first document is a %s %s, not a " GITOPS_PLANFILE_API_VERSION " Plan", av, kind);
	p->spec = cJSON_GetObjectItemCaseSensitive(plan, "spec");
	p->objs = p->set.objs + 1;
	p->n = p->set.n - 1;
	return read_spec(p, err);
}

void gitops_planfile_release(struct gitops_planfile *p)
{
	free(p->prune_uids);
	gitops_objset_release(&p->set);
	memset(p, 0, sizeof(*p));
}

int gitops_planfile_apply_options(const struct gitops_planfile *p, struct gitops_apply_options *a, const char **ns,
				  int manager_given, struct gitops_err *err)
{
	const struct gitops_planfile_options *o = &p->opts;
	const char *why = NULL;

	if (a->applyset && !same(a->applyset, o->applyset))
		why = "--applyset";
	else if (a->prune && !o->applyset)
		why = "--prune";
	else if (a->confirm_prune && !o->confirm_prune)
		why = "--confirm-prune";
	else if (*ns && strcmp(*ns, o->namespace))
		why = "-n";
	else if (manager_given && strcmp(a->field_manager, o->field_manager))
		why = "--field-manager";
	if (why)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: %s conflicts with the plan (applyset %s, namespace %s, "
				      "field manager %s%s): a plan is applied as it was made", p->path, why,
				      o->applyset ? o->applyset : "none (no prune)", o->namespace, o->field_manager,
				      o->confirm_prune ? ", Prune=confirm" : "");
	a->applyset = o->applyset;
	a->prune = o->applyset != NULL;
	a->confirm_prune = o->confirm_prune;
	a->field_manager = o->field_manager;
	a->stream_complete = 1;
	a->prune_listed_only = 1;
	a->prune_uids = p->prune_uids;
	a->n_prune_uids = p->n_prune;
	*ns = o->namespace;
	return 0;
}

/* --- checking (gitops-apply --plan, under the Lease) --- */

static int stale(struct gitops_err *err, const struct gitops_planfile *p, const char *fmt, ...) GITOPS_PRINTF(3, 4);
static int stale(struct gitops_err *err, const struct gitops_planfile *p, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX - 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gitops_err_set(err, GITOPS_EXIT_STALE, "%s: %s since the plan; nothing was changed: plan again", p->path, msg);
}

/* "configmap one (namespace x)" */
static void describe(char *buf, size_t size, const cJSON *e)
{
	const char *ns = str(e, "namespace");
	snprintf(buf, size, "%s %s%s%s%s", str(e, "kind"), str(e, "name"), ns ? " (namespace " : "", ns ? ns : "",
		 ns ? ")" : "");
}

/* (a) every compared object as it was: its resourceVersion, or still not live. */
static int check_objects(const struct gitops_planfile *p, struct gitops_kube *k, struct gitops_kube_discovery *d,
			 const char **uids, size_t *n_uids, struct gitops_err *err)
{
	struct gitops_plan_item *items = calloc(p->n ? p->n : 1, sizeof(*items));
	struct gitops_plan_item **all = calloc(p->n ? p->n : 1, sizeof(*all));
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(p->spec, "objects")->child;
	char what[700];
	size_t i;
	int ret = -1;

	if (!items || !all) {
		gitops_err_oom(err);
		goto done;
	}
	for (i = 0; i < p->n; i++) {
		all[i] = &items[i];
		if (gitops_plan_item_init(&items[i], &p->objs[i], err) < 0)
			goto done;
	}
	for (i = 0; i < p->n; i++)
		if (gitops_plan_resolve(&items[i], d, all, p->n, p->opts.namespace, err) < 0)
			goto done;
	gitops_plan_list_live(k, all, p->n);
	if (gitops_plan_get_live(k, all, p->n, err) < 0)
		goto done;
	for (i = 0; i < p->n; i++, e = e->next) {
		const char *want = str(e, "resourceVersion"), *rv = NULL, *uid = NULL;
		cJSON *live = NULL;
		describe(what, sizeof(what), e);
		if (items[i].failed) {
			*err = items[i].err;
			gitops_err_prefix(err, "%s: cannot check the plan", p->path);
			goto done;
		}
		if (items[i].live_text && !(live = gitops_json_read(items[i].live_text, strlen(items[i].live_text)))) {
			gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: the server's answer is not JSON", what);
			goto done;
		}
		rv = gitops_json_get_string(live, "metadata", "resourceVersion", NULL);
		uid = gitops_json_get_string(live, "metadata", "uid", NULL);
		if (!same(want, rv)) {
			if (!want)
				stale(err, p, "%s was created", what);
			else if (!live)
				stale(err, p, "%s was deleted", what);
			else if (!same(str(e, "uid"), uid))
				stale(err, p, "%s was re-created (uid %s, planned %s)", what, uid ? uid : "none",
				      str(e, "uid") ? str(e, "uid") : "none");
			else
				stale(err, p, "%s changed (resourceVersion %s, planned %s)", what, rv ? rv : "none", want);
			cJSON_Delete(live);
			goto done;
		}
		if (uid && str(e, "uid"))
			uids[(*n_uids)++] = str(e, "uid"); /* the planned one: the same object */
		cJSON_Delete(live);
	}
	ret = 0;
done:
	for (i = 0; items && i < p->n; i++)
		gitops_plan_item_release(&items[i]);
	free(items);
	free(all);
	return ret;
}

static const cJSON *find_member(const cJSON *list, const cJSON *m, int by_uid)
{
	const cJSON *e;
	const char *uid = gitops_json_get_string(m, "metadata", "uid", NULL);
	const char *ns = gitops_json_get_string(m, "metadata", "namespace", NULL);

	cJSON_ArrayForEach(e, list)
	{
		if (by_uid ? same(str(e, "uid"), uid)
			   : !strcmp(str(e, "kind"), str(m, "kind")) &&
				     !strcmp(str(e, "name"), gitops_json_get_string(m, "metadata", "name", NULL)) &&
				     same(str(e, "namespace"), ns && *ns ? ns : NULL))
			return e;
	}
	return NULL;
}

/* (b) the members a prune would delete now: exactly the planned ones, as they were. */
static int check_members(const struct gitops_planfile *p, struct gitops_kube *k, struct gitops_kube_discovery *d,
			 const char **uids, size_t n_uids, struct gitops_err *err)
{
	const cJSON *planned = cJSON_GetObjectItemCaseSensitive(p->spec, "prune"), *m, *e;
	struct gitops_applyset_orphans orphans = { NULL, NULL, 0 };
	struct gitops_applyset_desired want;
	char what[700];
	int ret = -1;

	memset(&want, 0, sizeof(want));
	want.objs = p->objs;
	want.n = p->n;
	want.default_ns = p->opts.namespace;
	want.uids = uids;
	want.n_uids = n_uids;
	want.confirmed = p->opts.confirm_prune;
	if (gitops_applyset_orphans(k, d, p->opts.applyset, p->opts.namespace, &want, &orphans, err) < 0) {
		gitops_err_prefix(err, "%s: cannot check the plan", p->path);
		return -1;
	}
	cJSON_ArrayForEach(m, orphans.doomed)
	{
		const char *rv = gitops_json_get_string(m, "metadata", "resourceVersion", NULL);
		const char *uid = gitops_json_get_string(m, "metadata", "uid", NULL);
		cJSON *id = cJSON_CreateObject();
		const char *ns = gitops_json_get_string(m, "metadata", "namespace", NULL);
		if (!id)
			goto oom;
		cJSON_AddStringToObject(id, "kind", str(m, "kind") ? str(m, "kind") : "");
		cJSON_AddStringToObject(id, "name", gitops_json_get_string(m, "metadata", "name", NULL));
		if (ns && *ns)
			cJSON_AddStringToObject(id, "namespace", ns);
		describe(what, sizeof(what), id);
		cJSON_Delete(id);
		if ((e = find_member(planned, m, 1))) {
			if (!same(str(e, "resourceVersion"), rv)) {
				stale(err, p, "member %s of applyset %s, which the plan prunes, changed (resourceVersion "
				      "%s, planned %s)", what, p->opts.applyset, rv ? rv : "none", str(e, "resourceVersion"));
				goto done;
			}
		} else if ((e = find_member(planned, m, 0))) {
			stale(err, p, "member %s of applyset %s, which the plan prunes, was re-created (uid %s, planned %s)",
			      what, p->opts.applyset, uid ? uid : "none", str(e, "uid"));
			goto done;
		} else {
			stale(err, p, "member %s of applyset %s, which the plan would not prune, appeared (uid %s)", what,
			      p->opts.applyset, uid ? uid : "none");
			goto done;
		}
	}
	cJSON_ArrayForEach(e, planned)
	{
		const cJSON *hit = NULL;
		cJSON_ArrayForEach(m, orphans.doomed)
			if (same(str(e, "uid"), gitops_json_get_string(m, "metadata", "uid", NULL)))
				hit = m;
		if (!hit) {
			describe(what, sizeof(what), e);
			stale(err, p, "member %s of applyset %s, which the plan prunes, is gone or no longer a member "
			      "to prune", what, p->opts.applyset);
			goto done;
		}
	}
	ret = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	gitops_applyset_orphans_release(&orphans);
	return ret;
}

int gitops_planfile_check_live(const struct gitops_planfile *p, struct gitops_kube *k,
			       struct gitops_kube_discovery *d, struct gitops_err *err)
{
	const char **uids = calloc(p->n ? p->n : 1, sizeof(*uids));
	size_t n_uids = 0;
	int ret = -1;

	if (!uids)
		return gitops_err_oom(err);
	if (check_objects(p, k, d, uids, &n_uids, err) == 0 &&
	    (!p->opts.applyset || check_members(p, k, d, uids, n_uids, err) == 0))
		ret = 0;
	free(uids);
	return ret;
}
