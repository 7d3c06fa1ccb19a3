/*
 * transform.c: the builtin transformers kustomize v5.5 runs from
 * kustomization fields (namespace, namePrefix / nameSuffix, labels and
 * commonLabels, commonAnnotations, replicas, images) and their builtin
 * plugins (NamespaceTransformer, PrefixSuffixTransformer,
 * PrefixTransformer, SuffixTransformer, LabelTransformer,
 * AnnotationsTransformer, ReplicaCountTransformer, ImageTagTransformer,
 * HashTransformer).
 *
 * Facts from the oracle (kubectl kustomize v1.32.4): `labels` entries run
 * before commonLabels (commonLabels win a shared key); namespace sets
 * RoleBinding / ClusterRoleBinding subjects named "default" whatever their
 * kind or namespace, leaves webhook service references to name
 * references, sets APIService and CRD conversion webhook service
 * namespaces and a v1 Namespace's own name; images are updated in every
 * `containers` / `initContainers` list anywhere in an object, never in
 * volumes' image references; prefix and suffix skip CRDs, APIServices and
 * Namespaces.
 *
 * Ownership: the map's objects are edited in place.
 */
#include "lib/kustomize/kz_fs.h"
#include "lib/kustomize/kz_links.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/json.h"
#include "lib/base/regex.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

static int empty(const char *s)
{
	return !s || !*s;
}

static const cJSON *as_list(const cJSON *v)
{
	return cJSON_IsArray(v) ? v : NULL;
}

static const char *str_member(const cJSON *o, const char *key)
{
	const cJSON *v = gitops_value_get(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int set_string_node(cJSON *node, const char *s, struct gitops_err *err)
{
	char *d = strdup(s);

	if (!d)
		return gitops_err_oom(err);
	if (node->child) {
		free(d);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "cannot set a string on a %s", gitops_json_type_name(node));
	}
	/* a string's text, or an integer's exact digits (lib/value) */
	if (!(node->type & cJSON_IsReference))
		cJSON_free(node->valuestring);
	/* a static key stays, and the style: kyaml sets the text of the node it finds */
	node->type = cJSON_String | (node->type & (cJSON_StringIsConst | GITOPS_YAML_QUOTED));
	node->valuestring = d;
	return 0;
}

/* A list of fieldspecs into s. */
static int plugin_fieldspecs_list(struct kz_fieldspecs *s, const cJSON *list, struct gitops_err *err)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, as_list(list)) {
		if (!cJSON_IsObject(it))
			continue;
		if (kz_fieldspecs_add(s, str_member(it, "group"), str_member(it, "version"), str_member(it, "kind"),
				      str_member(it, "path"), cJSON_IsTrue(gitops_value_get(it, "create")), err))
			return -1;
	}
	return 0;
}

/* fieldSpecs of a plugin config into s. */
static int plugin_fieldspecs(struct kz_fieldspecs *s, const cJSON *config, struct gitops_err *err)
{
	return plugin_fieldspecs_list(s, gitops_value_get(config, "fieldSpecs"), err);
}

/* --- namespace --- */

enum subjects_mode { SUBJ_DEFAULT_ONLY, SUBJ_NONE, SUBJ_ALL_SA };

static int ns_conflicts(const struct kz_resmap *m, struct gitops_err *err);

struct ns_ctx {
	const char *ns;
	int unset_only;
	const cJSON *obj; /* for messages: the object and the fieldspec's path */
	const char *path;
};

static const char *node_kind(const cJSON *n);

static int ns_set(cJSON *node, void *ctx, struct gitops_err *err)
{
	struct ns_ctx *n = ctx;

	if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
		struct gitops_buf b = GITOPS_BUF_INIT, v = GITOPS_BUF_INIT;

		if (kz_resid_string(&b, n->obj) || kz_go_json(&v, node)) {
			gitops_buf_release(&b);
			gitops_buf_release(&v);
			return gitops_err_oom(err);
		}
		gitops_err_set(err, GITOPS_EXIT_INPUT,
			       "namespace field specs must target scalar nodes: considering field '%s' of object %s: "
			       "wrong node kind: expected ScalarNode but got %s: node contents: %s",
			       n->path ? n->path : "", b.data, node_kind(node), v.data);
		gitops_buf_release(&b);
		gitops_buf_release(&v);
		return -1;
	}
	if (n->unset_only && cJSON_IsString(node) && *node->valuestring)
		return 0;
	return set_string_node(node, n->ns, err);
}

static int ns_subjects(cJSON *obj, struct ns_ctx *n, enum subjects_mode mode, struct gitops_err *err)
{
	const char *kind = gitops_json_get_string(obj, "kind", NULL);
	cJSON *subjects, *s;

	if (mode == SUBJ_NONE || !kind || (strcmp(kind, "RoleBinding") && strcmp(kind, "ClusterRoleBinding")))
		return 0;
	subjects = gitops_value_get(obj, "subjects");
	if (!cJSON_IsArray(subjects))
		return 0;
	cJSON_ArrayForEach(s, subjects) {
		cJSON *nsn;
		const char *name = str_member(s, "name"), *skind = str_member(s, "kind");

		if (!cJSON_IsObject(s))
			continue;
		if (mode == SUBJ_DEFAULT_ONLY ? !name || strcmp(name, "default")
					      : !skind || strcmp(skind, "ServiceAccount"))
			continue;
		if (!(nsn = gitops_value_get(s, "namespace"))) {
			if (!(nsn = cJSON_AddStringToObject(s, "namespace", "")))
				return gitops_err_oom(err);
		}
		if (ns_set(nsn, n, err))
			return -1;
	}
	return 0;
}

/*
 * Does the field spec select obj?  The id is read once for the field specs
 * that select nothing, and again after one that applies (it may have renamed
 * the object): *stale says which.
 */
static int fs_selects(const struct kz_fieldspec *fs, const cJSON *obj, struct kz_id *id, int *stale)
{
	if (*stale)
		kz_id_of(id, obj);
	return *stale = kz_fs_selects_id(fs, id);
}

/* The namespace transformer on one resource (an object with members). */
static int namespace_one(cJSON *obj, struct ns_ctx *n, struct kz_fs_prog *prog, const struct kz_fieldspecs *fss,
			 enum subjects_mode mode, struct gitops_err *err)
{
	struct kz_id id;
	const char *set = NULL;
	size_t j;
	int stale;

	kz_id_of(&id, obj);
	if (!kz_kind_cluster_scoped(id.group, id.kind) && (!n->unset_only || !*id.ns))
		set = n->ns;
	/* kustomize stores the previous id of every resource, namespaced or not */
	if (kz_res_rename(obj, NULL, set, err))
		return -1;
	stale = 1;
	for (j = 0; j < fss->n; j++) {
		const struct kz_fieldspec *fs = &fss->v[j];

		if (!strcmp(fs->path, "metadata/namespace"))
			continue;
		/* role binding subjects are the hack's alone (removeRoleBindingSubjectFieldSpecs) */
		if (fs->kind && (!strcmp(fs->kind, "RoleBinding") || !strcmp(fs->kind, "ClusterRoleBinding")) &&
		    !strcmp(fs->path, "subjects/namespace"))
			continue;
		if (!strcmp(fs->path, "metadata/name") &&
		    strcmp(str_member(obj, "apiVersion") ? str_member(obj, "apiVersion") : "", "v1"))
			continue;
		if (!fs_selects(fs, obj, &id, &stale))
			continue;
		if (!strcmp(fs->path, "metadata/name")) {
			/* a Namespace's own name; its previous id is stored once per transformer, above */
			const char *cur = gitops_json_get_string(obj, "metadata", "name", NULL);
			cJSON *v;

			if (n->unset_only && cur && *cur)
				continue;
			if (!(v = cJSON_CreateString(n->ns)) ||
			    gitops_value_set(gitops_value_get(obj, "metadata"), "name", v)) {
				cJSON_Delete(v);
				return gitops_err_oom(err);
			}
			continue;
		}
		n->obj = obj;
		n->path = fs->path;
		if (kz_fs_prog_apply(obj, prog, j, cJSON_String, ns_set, n, err))
			return -1;
	}
	return ns_subjects(obj, n, mode, err);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int namespace_apply(struct kz_resmap *m, const char *ns, const struct kz_fieldspecs *fss, int unset_only,
			   enum subjects_mode mode, struct gitops_err *err)
{
	struct ns_ctx n = { ns, unset_only, NULL, NULL };
	struct kz_fs_prog prog;
	uint64_t *hashes = NULL;
	struct kz_id id;
	size_t i;
	int rc = -1, dup = 0;

	if (kz_fs_prog_init(&prog, fss, err))
		return -1;
	/*
	 * each resource's id hashed while it is at hand: ns_conflicts' walk
	 * only when two hashes meet (ids it holds equal hash equal: the
	 * index's hash compares namespaces no finer than it does)
	 */
	if (!(hashes = malloc((m->n ? m->n : 1) * sizeof(*hashes)))) {
		gitops_err_oom(err);
		goto done;
	}
	for (i = 0; i < m->n; i++) {
		cJSON *obj = m->v[i];

		if (cJSON_IsObject(obj) && obj->child && namespace_one(obj, &n, &prog, fss, mode, err))
			goto done;
		kz_id_of(&id, obj);
		hashes[i] = kz_id_hash(&id);
	}
	qsort(hashes, m->n, sizeof(*hashes), cmp_u64);
	for (i = 1; i < m->n && !dup; i++)
		dup = hashes[i] == hashes[i - 1];
	rc = dup ? ns_conflicts(m, err) : 0;
done:
	free(hashes);
	kz_fs_prog_release(&prog);
	return rc;
}

struct id_ref {
	char *key;
	size_t i;
};

static int cmp_id_ref(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* kustomize's "namespace transformation produces ID conflict: [...]" (the resources sharing an id, as JSON),
 * found by sorting the ids once rather than kustomize's search per resource */
static int ns_conflicts(const struct kz_resmap *m, struct gitops_err *err)
{
	struct id_ref *refs = calloc(m->n ? m->n : 1, sizeof(*refs));
	size_t i, n = 0, best = (size_t)-1, best_at = 0;
	int rc = -1;

	if (!refs)
		return gitops_err_oom(err);
	for (i = 0; i < m->n; i++) {
		struct kz_id id;
		struct gitops_buf b = GITOPS_BUF_INIT;

		kz_id_of(&id, m->v[i]);
		if (gitops_buf_printf(&b, "%s|%s|%s|%s|%s", id.group, id.version, id.kind, id.name,
				      *id.ns ? id.ns : "default")) {
			gitops_err_oom(err);
			goto done;
		}
		refs[n].key = gitops_buf_detach(&b);
		refs[n++].i = i;
	}
	qsort(refs, n, sizeof(*refs), cmp_id_ref);
	/* the group whose second member comes first: kustomize stops at that resource */
	for (i = 1; i < n; i++)
		if (!strcmp(refs[i].key, refs[i - 1].key) && refs[i].i < best) {
			best = refs[i].i;
			best_at = i;
		}
	if (best != (size_t)-1) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		size_t first = best_at;
		int oom = gitops_buf_addstr(&b, "[");

		while (first > 0 && !strcmp(refs[first - 1].key, refs[best_at].key))
			first--;
		for (i = first; i < n && !strcmp(refs[i].key, refs[best_at].key) && !oom; i++)
			oom = (i > first && gitops_buf_addstr(&b, " ")) || kz_go_json(&b, m->v[refs[i].i]);
		if (oom || gitops_buf_addstr(&b, "]")) {
			gitops_buf_release(&b);
			gitops_err_oom(err);
			goto done;
		}
		gitops_err_set(err, GITOPS_EXIT_INPUT, "namespace transformation produces ID conflict: %s", b.data);
		gitops_buf_release(&b);
		goto done;
	}
	rc = 0;
done:
	for (i = 0; i < n; i++)
		free(refs[i].key);
	free(refs);
	return rc;
}

int kz_namespace(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const char *ns = str_member(k, "namespace");

	if (empty(ns))
		return 0;
	return namespace_apply(m, ns, &c->config->name_space, 0, SUBJ_DEFAULT_ONLY, err);
}

/* --- prefix and suffix --- */

struct ps_ctx {
	const char *prefix, *suffix;
};

static int ps_set(cJSON *node, void *ctx, struct gitops_err *err)
{
	struct ps_ctx *p = ctx;
	struct gitops_buf b = GITOPS_BUF_INIT;
	int rc;

	if (!cJSON_IsString(node))
		return 0;
	if (gitops_buf_printf(&b, "%s%s%s", p->prefix, node->valuestring, p->suffix))
		return gitops_err_oom(err);
	rc = set_string_node(node, b.data, err);
	gitops_buf_release(&b);
	return rc;
}

static int ps_skipped(const cJSON *obj)
{
	struct kz_id id;

	kz_id_of(&id, obj);
	return !strcmp(id.kind, "CustomResourceDefinition") || !strcmp(id.kind, "Namespace") ||
	       (!strcmp(id.kind, "APIService") && !strcmp(id.group, "apiregistration.k8s.io"));
}

/* Resource.AddNamePrefix / AddNameSuffix: the value appended to the comma-separated annotation, never empty */
static int add_csv(cJSON *obj, const char *key, const char *value, struct gitops_err *err)
{
	const char *old = kz_res_annotation(obj, key);
	struct gitops_buf b = GITOPS_BUF_INIT;
	int rc;

	if (!*value)
		return 0;
	if (gitops_buf_printf(&b, "%s%s%s", old && *old ? old : "", old && *old ? "," : "", value))
		return gitops_err_oom(err);
	rc = kz_res_set_annotation(obj, key, b.data, err);
	gitops_buf_release(&b);
	return rc;
}

/* PrefixSuffixTransformer on one resource */
static int prefix_suffix_one(cJSON *obj, const struct ps_ctx *cp, const struct kz_fieldspecs *fss,
			     struct gitops_err *err)
{
	struct ps_ctx p = *cp;
	struct kz_id id;
	int stale = 1;
	size_t j;

	if (ps_skipped(obj))
		return 0;
	for (j = 0; j < fss->n; j++) {
		const struct kz_fieldspec *fs = &fss->v[j];

		if (!fs_selects(fs, obj, &id, &stale))
			continue;
		if (!strcmp(fs->path, "metadata/name")) {
			const char *name = gitops_json_get_string(obj, "metadata", "name", NULL);
			struct gitops_buf b = GITOPS_BUF_INIT;
			int rc;

			/* what nameref tells candidates apart by (kustomize records it even without a name) */
			if (add_csv(obj, KZ_ANN_PREFIXES, p.prefix, err) || add_csv(obj, KZ_ANN_SUFFIXES, p.suffix, err))
				return -1;
			if (!name || (!*p.prefix && !*p.suffix))
				continue;
			if (gitops_buf_printf(&b, "%s%s%s", p.prefix, name, p.suffix))
				return gitops_err_oom(err);
			rc = kz_res_rename(obj, b.data, NULL, err);
			gitops_buf_release(&b);
			if (rc)
				return -1;
			continue;
		}
		if (kz_fs_apply(obj, fs, 0, ps_set, &p, err))
			return -1;
	}
	return 0;
}

static int prefix_suffix_apply(struct kz_resmap *m, const char *prefix, const char *suffix,
			       const struct kz_fieldspecs *fss, struct gitops_err *err)
{
	struct ps_ctx p = { prefix ? prefix : "", suffix ? suffix : "" };
	size_t i;

	for (i = 0; i < m->n; i++)
		if (prefix_suffix_one(m->v[i], &p, fss, err))
			return -1;
	return 0;
}

/*
 * namePrefix, then nameSuffix: kustomize runs the suffix transformer after
 * the prefix one has gone over every resource.  Each changes a resource by
 * itself alone, so both run at each resource in one pass; the error is the
 * one kustomize meets first: any prefix error before a suffix error.
 */
static int prefix_then_suffix(struct kz_resmap *m, const char *prefix, const char *suffix,
			      const struct kz_fieldspecs *pfss, const struct kz_fieldspecs *sfss, struct gitops_err *err)
{
	struct ps_ctx pp = { prefix, "" }, sp = { "", suffix };
	struct gitops_err serr;
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (prefix_suffix_one(m->v[i], &pp, pfss, err))
			return -1;
		if (prefix_suffix_one(m->v[i], &sp, sfss, err)) {
			/* a prefix error further on comes first */
			serr = *err;
			for (i++; i < m->n; i++)
				if (prefix_suffix_one(m->v[i], &pp, pfss, err))
					return -1;
			*err = serr;
			return -1;
		}
	}
	return 0;
}

int kz_prefix_suffix(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const char *prefix = str_member(k, "namePrefix"), *suffix = str_member(k, "nameSuffix");

	/* kustomize runs a PrefixTransformer, then a SuffixTransformer */
	if (!empty(prefix) && !empty(suffix))
		return prefix_then_suffix(m, prefix, suffix, &c->config->name_prefix, &c->config->name_suffix, err);
	if (!empty(prefix) && prefix_suffix_apply(m, prefix, NULL, &c->config->name_prefix, err))
		return -1;
	if (!empty(suffix) && prefix_suffix_apply(m, NULL, suffix, &c->config->name_suffix, err))
		return -1;
	return 0;
}

/* --- labels and annotations --- */

struct map_ctx {
	const cJSON *pairs;
	cJSON *obj;
	const char *path;
	int links;              /* labels: the maps a key is added to share its value (kz_links.h) */
	struct created {        /* this resource's maps each key was added to (key: the pair's index) */
		size_t key;
		const cJSON *map;
	} *created;
	size_t n_created, cap_created;
};

static const char *node_kind(const cJSON *n)
{
	return cJSON_IsObject(n) ? "MappingNode" : cJSON_IsArray(n) ? "SequenceNode" : "ScalarNode";
}

static int map_set(cJSON *node, void *ctx, struct gitops_err *err)
{
	struct map_ctx *mc = ctx;
	const cJSON *it;
	size_t k;

	if (!cJSON_IsObject(node)) {
		/* kustomize: "considering field 'spec/selector' of object Service.v1.[noGrp]/a.[noNs]: wrong node
		 * kind: expected MappingNode but got ScalarNode: node contents:\nstr\n", here on one line */
		struct gitops_buf b = GITOPS_BUF_INIT, v = GITOPS_BUF_INIT;

		if (kz_resid_string(&b, mc->obj) || (cJSON_IsString(node) ? gitops_buf_addstr(&v, node->valuestring)
									  : kz_go_json(&v, node))) {
			gitops_buf_release(&b);
			gitops_buf_release(&v);
			return gitops_err_oom(err);
		}
		gitops_err_set(err, GITOPS_EXIT_INPUT,
			       "considering field '%s' of object %s: wrong node kind: expected MappingNode but got %s: "
			       "node contents: %s",
			       mc->path, b.data, node_kind(node), v.data ? v.data : "");
		gitops_buf_release(&b);
		gitops_buf_release(&v);
		return -1;
	}
	k = 0;
	cJSON_ArrayForEach(it, mc->pairs) {
		char num[64];
		const char *s;
		cJSON *v;
		int existed = gitops_value_get(node, it->string) != NULL;

		if (cJSON_IsString(it))
			s = it->valuestring;
		else if (cJSON_IsNumber(it))
			s = gitops_value_format_number(num, sizeof(num), it);
		else if (cJSON_IsBool(it))
			s = cJSON_IsTrue(it) ? "true" : "false";
		else
			s = "";
		if (!(v = cJSON_CreateString(s)) || gitops_value_set(node, it->string, v)) {
			cJSON_Delete(v);
			return gitops_err_oom(err);
		}
		if (mc->links && existed && kz_links_set(mc->obj, node, it->string, err))
			return -1;
		if (mc->links && !existed) {
			if (mc->n_created == mc->cap_created) {
				size_t cap = mc->cap_created ? 2 * mc->cap_created : 16;
				struct created *c = realloc(mc->created, cap * sizeof(*c));

				if (!c)
					return gitops_err_oom(err);
				mc->created = c;
				mc->cap_created = cap;
			}
			mc->created[mc->n_created].key = k;
			mc->created[mc->n_created++].map = node;
		}
		k++;
	}
	return 0;
}

/* The maps each key was added to in one resource share it from now on. */
static int record_links(struct map_ctx *mc, struct gitops_err *err)
{
	struct gitops_buf ptr = GITOPS_BUF_INIT;
	const cJSON *it;
	char *ptrs[64];
	size_t k = 0, i, n;
	int rc = 0;

	cJSON_ArrayForEach(it, mc->pairs) {
		for (n = 0, i = 0; i < mc->n_created && !rc; i++) {
			int r;

			if (mc->created[i].key != k || n == 64)
				continue;
			if ((r = kz_links_pointer(&ptr, mc->obj, mc->created[i].map)) < 0 ||
			    (r && !(ptrs[n++] = strdup(ptr.data))))
				rc = gitops_err_oom(err);
		}
		if (!rc)
			rc = kz_links_add(mc->obj, it->string, ptrs, n, err);
		for (i = 0; i < n; i++)
			free(ptrs[i]);
		if (rc)
			break;
		k++;
	}
	gitops_buf_release(&ptr);
	mc->n_created = 0;
	return rc;
}

static int map_apply(struct kz_resmap *m, const cJSON *pairs, const struct kz_fieldspecs *fss, int links,
		     struct gitops_err *err)
{
	struct kz_fs_prog prog;
	struct map_ctx mc = { pairs, NULL, NULL, links, NULL, 0, 0 };
	size_t i, j;
	int rc = 0;

	if (!cJSON_IsObject(pairs) || !pairs->child)
		return 0;
	if (kz_fs_prog_init(&prog, fss, err))
		return -1;
	for (i = 0; i < m->n && !rc; i++) {
		struct kz_id id;

		kz_id_of(&id, m->v[i]);
		mc.obj = m->v[i];
		for (j = 0; j < fss->n && !rc; j++)
			if (kz_fs_selects_id(&fss->v[j], &id)) {
				mc.path = fss->v[j].path;
				rc = kz_fs_prog_apply(m->v[i], &prog, j, cJSON_Object, map_set, &mc, err);
			}
		if (!rc && mc.n_created > 1)
			rc = record_links(&mc, err);
		mc.n_created = 0;
	}
	kz_fs_prog_release(&prog);
	free(mc.created);
	return rc;
}

int kz_labels(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *labels = gitops_value_get(k, "labels"), *it;

	cJSON_ArrayForEach(it, as_list(labels)) {
		struct kz_fieldspecs fss = { NULL, 0, 0 };
		int rc;

		/* kustomize: the entry's fields, then the selectors' table, or metadata/labels (and templates) */
		rc = plugin_fieldspecs_list(&fss, gitops_value_get(it, "fields"), err);
		if (!rc && cJSON_IsTrue(gitops_value_get(it, "includeSelectors")))
			rc = kz_fieldspecs_merge(&fss, &c->config->common_labels, err);
		else if (!rc) {
			rc = kz_fieldspecs_add(&fss, NULL, NULL, NULL, "metadata/labels", 1, err);
			if (!rc && cJSON_IsTrue(gitops_value_get(it, "includeTemplates")))
				rc = kz_fieldspecs_merge(&fss, &c->config->template_labels, err);
		}
		if (!rc)
			rc = map_apply(m, gitops_value_get(it, "pairs"), &fss, 1, err);
		kz_fieldspecs_release(&fss);
		if (rc)
			return -1;
	}
	return map_apply(m, gitops_value_get(k, "commonLabels"), &c->config->common_labels, 1, err);
}

int kz_annotations(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	return map_apply(m, gitops_value_get(k, "commonAnnotations"), &c->config->common_annotations, 0, err);
}

/* --- replicas --- */

static int name_is_or_was(const cJSON *obj, const char *name)
{
	const char *cur = gitops_json_get_string(obj, "metadata", "name", NULL), *prev;
	size_t n = strlen(name);

	if (cur && !strcmp(cur, name))
		return 1;
	prev = kz_res_annotation(obj, KZ_ANN_PREV_NAMES);
	while (prev && *prev) {
		size_t len = strcspn(prev, ",");

		if (len == n && !strncmp(prev, name, n))
			return 1;
		prev += len;
		if (*prev == ',')
			prev++;
	}
	return 0;
}

static int count_set(cJSON *node, void *ctx, struct gitops_err *err)
{
	const int64_t *count = ctx;

	(void)err;
	if (node->child) {
		cJSON_Delete(node->child);
		node->child = NULL;
	}
	gitops_value_set_int(node, *count);
	return 0;
}

struct replica {
	const char *name;
	int64_t count;
	int bad, found;
};

/*
 * kustomize's replicas: each entry sets the count of the resources that
 * have (or had) its name, in the fields of the replicas table; an entry that
 * matches nothing is an error.  One pass over the map: a later entry for
 * the same resource wins, as when kustomize applies the entries in turn.
 */
static int replicas_apply(struct kz_resmap *m, struct replica *r, size_t n, const struct kz_fieldspecs *fss,
			  struct gitops_err *err)
{
	size_t i, j, e, first_bad = n;

	for (e = 0; e < n && first_bad == n; e++)
		if (r[e].bad)
			first_bad = e;
	for (i = 0; i < m->n; i++) {
		struct kz_id id;

		kz_id_of(&id, m->v[i]);
		for (j = 0; j < fss->n; j++) {
			if (!kz_fs_selects_id(&fss->v[j], &id))
				continue;
			for (e = 0; e < first_bad; e++) {
				if (!name_is_or_was(m->v[i], r[e].name))
					continue;
				r[e].found = 1;
				if (kz_fs_apply(m->v[i], &fss->v[j], cJSON_String, count_set, &r[e].count, err))
					return -1;
			}
		}
	}
	for (e = 0; e < n; e++) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		int oom = 0;

		if (r[e].bad)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "replicas: count of %s must be an integer", r[e].name);
		if (r[e].found)
			continue;
		for (j = 0; j < fss->n && !oom; j++)
			oom = (j && gitops_buf_addstr(&b, " ")) ||
			      kz_gvk_string(&b, fss->v[j].group, fss->v[j].version, fss->v[j].kind);
		if (oom) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
		gitops_err_set(err, GITOPS_EXIT_INPUT,
			       "resource with name %s does not match a config with the following GVK [%s]", r[e].name,
			       b.data ? b.data : "");
		gitops_buf_release(&b);
		return -1;
	}
	return 0;
}

static void replica_of(struct replica *r, const cJSON *entry)
{
	const char *name = str_member(entry, "name");
	const cJSON *count = gitops_value_get(entry, "count");

	r->name = name ? name : "";
	r->count = 0;
	r->found = 0;
	/* a missing count is Go's zero: kubectl kustomize sets replicas: 0 */
	r->bad = count && !cJSON_IsNull(count) && gitops_value_get_int(&r->count, count, 0);
}

int kz_replicas(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *list = as_list(gitops_value_get(k, "replicas")), *it;
	struct replica *r;
	size_t n = 0;
	int rc;

	cJSON_ArrayForEach(it, list)
		n++;
	if (!n)
		return 0;
	if (!(r = calloc(n, sizeof(*r))))
		return gitops_err_oom(err);
	n = 0;
	cJSON_ArrayForEach(it, list)
		replica_of(&r[n++], it);
	rc = replicas_apply(m, r, n, &c->config->replicas, err);
	free(r);
	return rc;
}

/* --- images --- */

struct image_ctx {
	const char *name, *new_name, *new_tag, *digest, *tag_suffix;
	struct gitops_regex *re; /* NULL: the name is no valid pattern (kustomize: nothing matches) */
};

/* kustomize's image.Split: name, tag, digest, ignoring a ':' in the registry part */
static void image_split(const char *img, size_t *name_len, const char **tag, size_t *tag_len, const char **digest)
{
	const char *search = img, *slash = strchr(img, '/'), *at, *colon;

	if (slash && slash > img)
		search = slash;
	at = strchr(search, '@');
	colon = strchr(search, ':');
	*tag = NULL;
	*tag_len = 0;
	*digest = NULL;
	if (!at && !colon) {
		*name_len = strlen(img);
		return;
	}
	if (at && (!colon || at < colon)) {
		*name_len = (size_t)(at - img);
		*digest = at + 1;
		return;
	}
	*name_len = (size_t)(colon - img);
	*tag = colon + 1;
	if (at) {
		*tag_len = (size_t)(at - colon - 1);
		*digest = at + 1;
	} else {
		*tag_len = strlen(colon + 1);
	}
}

static int image_set(cJSON *node, void *ctx, struct gitops_err *err)
{
	struct image_ctx *ic = ctx;
	const char *img, *tag, *digest;
	size_t name_len, tag_len;
	struct gitops_buf b = GITOPS_BUF_INIT;
	int oom, rc;

	if (!cJSON_IsString(node))
		return 0;
	img = node->valuestring;
	if (!ic->re || gitops_regex_match(ic->re, img, strlen(img), NULL) != 1)
		return 0;
	image_split(img, &name_len, &tag, &tag_len, &digest);
	if (!empty(ic->new_name))
		oom = gitops_buf_addstr(&b, ic->new_name);
	else
		oom = gitops_buf_add(&b, img, name_len);
	if (!empty(ic->new_tag) && !empty(ic->digest)) {
		tag = ic->new_tag;
		tag_len = strlen(tag);
		digest = ic->digest;
	} else if (!empty(ic->new_tag)) {
		tag = ic->new_tag;
		tag_len = strlen(tag);
		digest = NULL;
	} else if (!empty(ic->digest)) {
		tag = NULL;
		digest = ic->digest;
	} else if (!empty(ic->tag_suffix)) {
		/* appended to the tag there is, the digest dropped (kustomize applies it in both its passes, so
		 * twice where both reach an image: nginx:1 becomes nginx:1-x-x, as kubectl kustomize does) */
		digest = NULL;
	}
	if ((tag && tag_len) || (empty(ic->new_tag) && empty(ic->digest) && !empty(ic->tag_suffix))) {
		oom = oom || gitops_buf_addstr(&b, ":") || (tag && gitops_buf_add(&b, tag, tag_len));
		if (empty(ic->new_tag) && empty(ic->digest) && !empty(ic->tag_suffix))
			oom = oom || gitops_buf_addstr(&b, ic->tag_suffix);
	}
	if (digest && *digest)
		oom = oom || gitops_buf_addstr(&b, "@") || gitops_buf_addstr(&b, digest);
	if (oom || !b.data) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	rc = set_string_node(node, b.data, err);
	/* kustomize's image filter leaves the scalar without a tag but in its style: a plain one reads back as
	 * what its text says, a quoted one stays a string */
	if (!rc)
		node->type |= KZ_TAGLESS;
	gitops_buf_release(&b);
	return rc;
}

/* The image nodes of one resource, in the order kustomize's passes reach them. */
struct image_nodes {
	cJSON **v;
	size_t n, cap;
};

static int image_node_add(struct image_nodes *l, cJSON *node, struct gitops_err *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		cJSON **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return gitops_err_oom(err);
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = node;
	return 0;
}

static int image_collect(cJSON *node, void *ctx, struct gitops_err *err)
{
	return image_node_add(ctx, node, err);
}

/* kustomize's imagetag.LegacyFilter: every `containers` / `initContainers` sequence anywhere, each member's
 * value walked before the member itself is looked at */
static int image_walk(cJSON *node, struct image_nodes *l, struct gitops_err *err)
{
	cJSON *it;

	if (cJSON_IsObject(node)) {
		cJSON_ArrayForEach(it, node) {
			if (image_walk(it, l, err))
				return -1;
			if ((!strcmp(it->string, "containers") || !strcmp(it->string, "initContainers")) &&
			    cJSON_IsArray(it)) {
				cJSON *ctr;

				cJSON_ArrayForEach(ctr, it) {
					cJSON *image = gitops_value_get(ctr, "image");

					if (image && image_node_add(l, image, err))
						return -1;
				}
			}
		}
	} else if (cJSON_IsArray(node)) {
		cJSON_ArrayForEach(it, node)
			if (image_walk(it, l, err))
				return -1;
	}
	return 0;
}

/* Go's encoding/json matches field names case-insensitively ("Digest" is digest), an exact match first */
static const cJSON *member_ci(const cJSON *o, const char *key)
{
	const cJSON *v = gitops_value_get(o, key);

	return v ? v : cJSON_GetObjectItem(o, key);
}

static const char *str_member_ci(const cJSON *o, const char *key)
{
	const cJSON *v = member_ci(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *scalar_or_null(const cJSON *o, const char *key, char *buf, size_t size)
{
	const cJSON *v = member_ci(o, key);

	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v))
		return gitops_value_format_number(buf, size, v);
	return NULL;
}

static void image_ctx_release(struct image_ctx *ic)
{
	gitops_regex_free(ic->re);
	ic->re = NULL;
}

static int image_ctx_init(struct image_ctx *ic, const cJSON *img, char *tagbuf, size_t tagsize, struct gitops_err *err)
{
	struct gitops_buf pat = GITOPS_BUF_INIT;

	memset(ic, 0, sizeof(*ic));
	ic->name = str_member_ci(img, "name");
	ic->new_name = str_member_ci(img, "newName");
	ic->new_tag = scalar_or_null(img, "newTag", tagbuf, tagsize);
	ic->digest = str_member_ci(img, "digest");
	ic->tag_suffix = str_member_ci(img, "tagSuffix");
	if (!ic->name)
		ic->name = "";
	/* kustomize's image.IsImageMatched: the name is a regular expression */
	if (gitops_buf_printf(&pat, "^%s(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$", ic->name))
		return gitops_err_oom(err);
	if (gitops_regex_compile(&ic->re, pat.data, pat.len, NULL) < 0)
		ic->re = NULL;
	gitops_buf_release(&pat);
	return 0;
}

/*
 * kustomize applies each `images` entry to the whole map in turn: its legacy
 * walk of every containers list, then the images fieldspecs.  An entry's
 * effect on an image depends on that image's text alone, so one pass per
 * resource does the same: the resource's image nodes found once (walk, then
 * fieldspecs, a node twice where both reach it), and each entry applied to
 * them in the entries' order.
 */
static int images_apply(struct kz_resmap *m, const cJSON *const *entries, size_t n, const struct kz_fieldspecs *fss,
			struct gitops_err *err)
{
	struct image_ctx *ics = NULL;
	char (*tagbufs)[64] = NULL;
	struct kz_fs_prog prog;
	struct image_nodes walk = { NULL, 0, 0 }, spec = { NULL, 0, 0 };
	size_t e, i, j;
	int rc = -1, prog_ok = 0;

	if (!n)
		return 0;
	if (!(ics = calloc(n, sizeof(*ics))) || !(tagbufs = calloc(n, sizeof(*tagbufs)))) {
		gitops_err_oom(err);
		goto done;
	}
	for (e = 0; e < n; e++)
		if (image_ctx_init(&ics[e], entries[e], tagbufs[e], sizeof(tagbufs[e]), err))
			goto done;
	if (kz_fs_prog_init(&prog, fss, err))
		goto done;
	prog_ok = 1;
	for (i = 0; i < m->n; i++) {
		struct kz_id id;

		kz_id_of(&id, m->v[i]);
		/* both of kustomize's image passes leave CRDs alone */
		if (!strcmp(id.kind, "CustomResourceDefinition"))
			continue;
		walk.n = spec.n = 0;
		if (image_walk(m->v[i], &walk, err))
			goto done;
		for (j = 0; j < fss->n; j++)
			if (kz_fs_selects_id(&fss->v[j], &id) &&
			    kz_fs_prog_apply(m->v[i], &prog, j, 0, image_collect, &spec, err))
				goto done;
		for (e = 0; e < n; e++) {
			for (j = 0; j < walk.n; j++)
				if (image_set(walk.v[j], &ics[e], err))
					goto done;
			for (j = 0; j < spec.n; j++)
				if (image_set(spec.v[j], &ics[e], err))
					goto done;
		}
	}
	rc = 0;
done:
	if (prog_ok)
		kz_fs_prog_release(&prog);
	for (e = 0; ics && e < n; e++)
		image_ctx_release(&ics[e]);
	free(ics);
	free(tagbufs);
	free(walk.v);
	free(spec.v);
	return rc;
}

int kz_images(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *list = as_list(gitops_value_get(k, "images")), *it, **entries;
	size_t n = 0;
	int rc;

	cJSON_ArrayForEach(it, list)
		n++;
	if (!n)
		return 0;
	if (!(entries = calloc(n, sizeof(*entries))))
		return gitops_err_oom(err);
	n = 0;
	cJSON_ArrayForEach(it, list)
		entries[n++] = it;
	rc = images_apply(m, entries, n, &c->config->images, err);
	free(entries);
	return rc;
}

/* --- the builtin plugins --- */

int kz_plugin_transform(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err)
{
	const char *kind = gitops_json_get_string(config, "kind", NULL);
	struct kz_fieldspecs fss = { NULL, 0, 0 };
	int rc = -1;

	(void)c;
	if (!kind)
		return 0;
	if (!strcmp(kind, "HashTransformer"))
		return kz_hash_transformer(m, err) ? -1 : 1;
	if (strcmp(kind, "NamespaceTransformer") && strcmp(kind, "PrefixSuffixTransformer") &&
	    strcmp(kind, "PrefixTransformer") && strcmp(kind, "SuffixTransformer") && strcmp(kind, "LabelTransformer") &&
	    strcmp(kind, "AnnotationsTransformer") && strcmp(kind, "ReplicaCountTransformer") &&
	    strcmp(kind, "ImageTagTransformer"))
		return 0;
	if (plugin_fieldspecs(&fss, config, err))
		goto done;
	if (!strcmp(kind, "NamespaceTransformer")) {
		const char *ns = gitops_json_get_string(config, "metadata", "namespace", NULL);
		const char *subj = str_member(config, "setRoleBindingSubjects");
		enum subjects_mode mode = SUBJ_DEFAULT_ONLY;

		if (subj && !strcmp(subj, "none"))
			mode = SUBJ_NONE;
		else if (subj && !strcmp(subj, "allServiceAccounts"))
			mode = SUBJ_ALL_SA;
		else if (subj && *subj && strcmp(subj, "defaultOnly")) {
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "invalid value \"%s\" for setRoleBindingSubjects: must be one of \"defaultOnly\", "
				       "\"none\" or \"allServiceAccounts\"",
				       subj);
			goto done;
		}
		rc = empty(ns) ? 0
			       : namespace_apply(m, ns, &fss, cJSON_IsTrue(gitops_value_get(config, "unsetOnly")), mode,
						 err);
	} else if (!strcmp(kind, "PrefixSuffixTransformer") || !strcmp(kind, "PrefixTransformer") ||
		   !strcmp(kind, "SuffixTransformer")) {
		const cJSON *list = gitops_value_get(config, "fieldSpecs");

		if (!list || cJSON_IsNull(list)) {
			struct gitops_buf b = GITOPS_BUF_INIT;

			if (kz_resid_string(&b, config)) {
				gitops_buf_release(&b);
				gitops_err_oom(err);
				goto done;
			}
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "plugin %s fails configuration: fieldSpecs is not expected to be nil", b.data);
			gitops_buf_release(&b);
			goto done;
		}
		rc = prefix_suffix_apply(m, strcmp(kind, "SuffixTransformer") ? str_member(config, "prefix") : NULL,
					 strcmp(kind, "PrefixTransformer") ? str_member(config, "suffix") : NULL, &fss, err);
	} else if (!strcmp(kind, "LabelTransformer")) {
		rc = map_apply(m, gitops_value_get(config, "labels"), &fss, 1, err);
	} else if (!strcmp(kind, "AnnotationsTransformer")) {
		rc = map_apply(m, gitops_value_get(config, "annotations"), &fss, 0, err);
	} else if (!strcmp(kind, "ReplicaCountTransformer")) {
		struct replica r;

		replica_of(&r, gitops_value_get(config, "replica"));
		rc = replicas_apply(m, &r, 1, &fss, err);
	} else {
		const cJSON *entry = member_ci(config, "imageTag");

		rc = images_apply(m, &entry, 1, &fss, err);
	}
done:
	kz_fieldspecs_release(&fss);
	return rc ? -1 : 1;
}
