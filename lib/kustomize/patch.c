/*
 * patch.c: kustomize's patches: patchesStrategicMerge
 * (PatchStrategicMergeTransformer), patches (PatchTransformer: strategic
 * merge or JSON 6902, with or without a target), patchesJson6902
 * (PatchJson6902Transformer), and the target selection they and
 * replacements share (anchored regular expressions on group, version,
 * kind, name and namespace, matching the original or the current name and
 * namespace; label and annotation selectors).
 *
 * As kustomize: an untargeted strategic merge patch applies to the one
 * resource whose current or earlier id is the patch's id ("no matches for
 * Id ..." otherwise); a targeted patch that selects nothing does nothing;
 * the name, kind and namespace a patch would change are put back unless
 * options allowNameChange / allowKindChange say otherwise (the old id then
 * recorded); a resource a patch empties or deletes (`$patch: delete`)
 * leaves the map; a JSON patch records the resource's id as a previous one.
 *
 * Ownership: kz.h, kz_patch.h.  Every stage works on copies, so that a
 * failed patch leaves the map as it was.
 */
#include "lib/kustomize/kz_patch.h"
#include "lib/kustomize/kz_links.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/json.h"
#include "lib/base/regex.h"
#include "lib/value/jsonpatch.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

#define KZ_PATCH_MAX (8u << 20)

/* ------------------------------------------------------------------ ids */

static void id_text(struct gitops_buf *b, const char *group, const char *version, const char *kind,
		    const char *name, const char *ns)
{
	gitops_buf_printf(b, "%s.%s.%s/%s.%s", *kind ? kind : "[noKind]", *version ? version : "[noVer]",
			  *group ? group : "[noGrp]", *name ? name : "[noName]", *ns ? ns : "[noNs]");
}

/* The first item of a comma-separated annotation into buf, or NULL. */
static const char *first_prev(char *buf, size_t size, const cJSON *obj, const char *key)
{
	const char *v = kz_res_annotation(obj, key);
	size_t n;

	if (!v || !*v)
		return NULL;
	n = strcspn(v, ",");
	if (n >= size)
		n = size - 1;
	memcpy(buf, v, n);
	buf[n] = 0;
	return buf;
}

/* kustomize's OrgId: the oldest name and namespace recorded, else the current ones. */
static void org_name_ns(char *name, char *ns, size_t size, const cJSON *obj)
{
	struct kz_id id;
	const char *p;

	kz_id_of(&id, obj);
	if (!first_prev(name, size, obj, KZ_ANN_PREV_NAMES))
		snprintf(name, size, "%s", id.name);
	p = first_prev(ns, size, obj, KZ_ANN_PREV_NAMESPACES);
	if (p && !strcmp(p, "[noNs]"))
		ns[0] = 0;
	else if (!p)
		snprintf(ns, size, "%s", id.ns);
}

static int ns_equal(const char *a, const char *b)
{
	if (!strcmp(a, "default"))
		a = "";
	if (!strcmp(b, "default"))
		b = "";
	return !strcmp(a, b);
}

/* Does obj have the id (any of its names: current or earlier)? */
static int matches_any_id(const cJSON *obj, const struct kz_id *pid)
{
	int cluster;
	struct kz_id id;
	const char *names, *nss, *kind = gitops_json_get_string(obj, "kind", NULL);

	if (kind && strcmp(kind, pid->kind))
		return 0;
	kz_id_of(&id, obj);
	if (strcmp(id.group, pid->group) || strcmp(id.version, pid->version) || strcmp(id.kind, pid->kind))
		return 0;
	/* ResId.Equals: a cluster-scoped kind has no namespace to compare (EffectiveNamespace) */
	cluster = kz_kind_cluster_scoped(id.group, id.kind);
	if (!strcmp(id.name, pid->name) && (cluster || ns_equal(id.ns, pid->ns)))
		return 1;
	names = kz_res_annotation(obj, KZ_ANN_PREV_NAMES);
	nss = kz_res_annotation(obj, KZ_ANN_PREV_NAMESPACES);
	while (names && *names) {
		size_t n = strcspn(names, ","), k = nss ? strcspn(nss, ",") : 0;
		char ns[254] = "";

		if (nss && k < sizeof(ns)) {
			memcpy(ns, nss, k);
			ns[k] = 0;
			if (!strcmp(ns, "[noNs]"))
				ns[0] = 0;
		}
		if (strlen(pid->name) == n && !strncmp(names, pid->name, n) && (cluster || ns_equal(ns, pid->ns)))
			return 1;
		names += n + (names[n] == ',');
		if (nss)
			nss += k + (nss[k] == ',');
	}
	return 0;
}

/* ------------------------------------------------------------------ selectors */

/* A target's regular expression (Go's syntax), anchored as kustomize anchors it; compiled once per target. */
struct rx {
	struct gitops_regex *re; /* NULL: no pattern (matches everything) or a literal one */
	char *literal;           /* a pattern without a character RE2 reads as an operator: matched by equality */
};

static int rx_compile(struct rx *x, const char *pattern, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	int rc;

	x->re = NULL;
	x->literal = NULL;
	if (!pattern || !*pattern)
		return 0;
	/* most selectors name one thing (a name, a kind): ^(?:deploy-a)$ matches that text alone */
	if (!pattern[strcspn(pattern, "\\.+*?()|[]{}^$")]) {
		return (x->literal = strdup(pattern)) ? 0 : gitops_err_oom(err);
	}
	/* types.SelectorRegex: ^(?:PATTERN)$, Go's message naming that text on an error */
	if (gitops_buf_printf(&b, "^(?:%s)$", pattern))
		return gitops_err_oom(err);
	rc = gitops_regex_compile(&x->re, b.data, b.len, err);
	gitops_buf_release(&b);
	return rc;
}

/* 1, 0, or -1 with err (the match gave up: a pattern that backtracks without end) */
static int rx_match(const struct rx *x, const char *s, struct gitops_err *err)
{
	if (x->literal)
		return !strcmp(x->literal, s);
	return x->re ? gitops_regex_match(x->re, s, strlen(s), err) : 1;
}

static int rx_set(const struct rx *x)
{
	return x->re || x->literal;
}

static void rx_release(struct rx *x)
{
	gitops_regex_free(x->re);
	free(x->literal);
	x->re = NULL;
	x->literal = NULL;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	return s;
}

static const char *label(const cJSON *labels, const char *key)
{
	const cJSON *v = gitops_value_get(labels, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Is `val` one of the comma-separated values in "(a, b)"? */
static int in_set(const char *set, const char *val)
{
	char buf[1024], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", set);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(trim(tok), val))
			return 1;
	return 0;
}

/* Kubernetes' label value syntax: empty, or at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends */
static int label_value_ok(const char *v, const char **why)
{
	size_t n = strlen(v), i;

	*why = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
	       "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
	       "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
	if (n > 63) {
		*why = "must be no more than 63 characters";
		return 0;
	}
	if (!n)
		return 1;
	if (!isalnum((unsigned char)v[0]) || !isalnum((unsigned char)v[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_' && v[i] != '.')
			return 0;
	return 1;
}

/* IsQualifiedName: [prefix/]name, the prefix a DNS subdomain */
static int label_key_ok(const char *k, const char **why)
{
	const char *slash = strchr(k, '/'), *name = slash ? slash + 1 : k;
	size_t n = strlen(name), i;

	if (slash) {
		size_t p = (size_t)(slash - k);

		for (i = 0; i < p; i++)
			if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '-' || k[i] == '.'))
				break;
		if (!p || i < p || p > 253 || !isalnum((unsigned char)k[0]) || !isalnum((unsigned char)k[p - 1])) {
			*why = p ? "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
				   "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
				   "'example.com', regex used for validation is "
				   "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" :
				   "prefix part must be non-empty";
			return 0;
		}
	}
	if (!n) {
		*why = "name part must be non-empty";
		return 0;
	}
	if (n > 63) {
		*why = "name part must be no more than 63 characters";
		return 0;
	}
	*why = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
	       "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
	       "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
	if (!isalnum((unsigned char)name[0]) || !isalnum((unsigned char)name[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' && name[i] != '_' && name[i] != '.')
			return 0;
	return 1;
}

static int bad_key(const char *k, struct gitops_err *err)
{
	const char *why;

	if (label_key_ok(k, &why))
		return 0;
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "unable to parse requirement: invalid label key \"%s\": %s", k, why);
}

static int bad_value(const char *k, const char *v, struct gitops_err *err)
{
	const char *why;

	if (label_value_ok(v, &why))
		return 0;
	return gitops_err_set(err, GITOPS_EXIT_INPUT,
			      "unable to parse requirement: invalid label value: \"%s\": at key: \"%s\": %s", v, k, why);
}

/* Each value of "(a, b)" valid for key k */
static int bad_values(const char *k, const char *set, struct gitops_err *err)
{
	char buf[1024], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", set);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (bad_value(k, trim(tok), err))
			return -1;
	return 0;
}

int kz_selector_match(const char *selector, const cJSON *labels, struct gitops_err *err)
{
	char *copy = NULL, *p, *req;
	int rc = 1;

	if (!selector || !*selector)
		return 1;
	if (!(copy = strdup(selector)))
		return gitops_err_oom(err);
	p = copy;
	/* requirements are separated by commas outside parentheses */
	while (p && *p) {
		char *q = p, *op, *key, *val;
		int depth = 0;

		for (; *q && (depth || *q != ','); q++)
			depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
		if (*q)
			*q++ = 0;
		else
			q = NULL;
		req = trim(p);
		p = q;
		if (!*req) {
			rc = gitops_err_set(err, GITOPS_EXIT_INPUT, "unable to parse requirement: found '', expected: identifier");
			goto done;
		}
		if (*req == '!') {
			if (bad_key(trim(req + 1), err)) {
				rc = -1;
				goto done;
			}
			if (label(labels, trim(req + 1)) || gitops_value_get(labels, trim(req + 1)))
				rc = 0;
			continue;
		}
		if ((op = strstr(req, " notin ")) || (op = strstr(req, " in "))) {
			int notin = op[1] == 'n';
			const char *v;
			char *open = strchr(op, '('), *close = strrchr(op, ')');

			*op = 0;
			key = trim(req);
			if (!open || !close || close < open) {
				rc = gitops_err_set(err, GITOPS_EXIT_INPUT, "unable to parse requirement: found '%s', expected: (",
						    trim(op + (notin ? 6 : 3)));
				goto done;
			}
			*close = 0;
			if (bad_key(key, err) || bad_values(key, open + 1, err)) {
				rc = -1;
				goto done;
			}
			v = label(labels, key);
			if (notin ? (v && in_set(open + 1, v)) : !(v && in_set(open + 1, v)))
				rc = 0;
			continue;
		}
		if ((op = strstr(req, "!="))) {
			const char *v;

			*op = 0;
			key = trim(req);
			val = trim(op + 2);
			if (bad_key(key, err) || bad_value(key, val, err)) {
				rc = -1;
				goto done;
			}
			v = label(labels, key);
			if (v && !strcmp(v, val))
				rc = 0;
			continue;
		}
		if ((op = strchr(req, '='))) {
			const char *v;

			*op = 0;
			key = trim(req);
			val = trim(op + 1 + (op[1] == '='));
			if (bad_key(key, err) || bad_value(key, val, err)) {
				rc = -1;
				goto done;
			}
			v = label(labels, key);
			if (!v || strcmp(v, val))
				rc = 0;
			continue;
		}
		/* existence */
		if (bad_key(req, err)) {
			rc = -1;
			goto done;
		}
		if (!gitops_value_get(labels, req))
			rc = 0;
	}
done:
	free(copy);
	return rc;
}

static const char *tfield(const cJSON *target, const char *key)
{
	const cJSON *v = gitops_value_get(target, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A patch's target, its patterns compiled once for the whole map. */
struct target {
	struct rx ns, name, group, version, kind;
	const char *labels, *annotations;
};

static void target_release(struct target *t)
{
	rx_release(&t->ns);
	rx_release(&t->name);
	rx_release(&t->group);
	rx_release(&t->version);
	rx_release(&t->kind);
}

static int target_compile(struct target *t, const cJSON *target, struct gitops_err *err)
{
	memset(t, 0, sizeof(*t));
	if (rx_compile(&t->ns, tfield(target, "namespace"), err) || rx_compile(&t->name, tfield(target, "name"), err) ||
	    rx_compile(&t->group, tfield(target, "group"), err) ||
	    rx_compile(&t->version, tfield(target, "version"), err) || rx_compile(&t->kind, tfield(target, "kind"), err)) {
		target_release(t);
		return -1;
	}
	t->labels = tfield(target, "labelSelector");
	t->annotations = tfield(target, "annotationSelector");
	return 0;
}

static int target_match(const struct target *t, const cJSON *obj, struct gitops_err *err)
{
	struct kz_id id;
	int r;

	/*
	 * A target by kind alone (the usual one): the kind first, so that a
	 * resource of another kind is passed over without reading its metadata
	 * (at every patch, over every resource: mostly cold memory).
	 */
	if (!rx_set(&t->group) && !rx_set(&t->version) && rx_set(&t->kind)) {
		const char *kind = gitops_json_get_string(obj, "kind", NULL);

		if ((r = rx_match(&t->kind, kind ? kind : "", err)) <= 0)
			return r;
	}
	kz_id_of(&id, obj);
	if ((r = rx_match(&t->group, id.group, err)) <= 0 || (r = rx_match(&t->version, id.version, err)) <= 0 ||
	    (r = rx_match(&t->kind, id.kind, err)) <= 0)
		return r;
	if (rx_set(&t->ns) || rx_set(&t->name)) {
		char oname[254], ons[254];

		org_name_ns(oname, ons, sizeof(oname), obj);
		if (rx_set(&t->ns)) {
			int cs = kz_kind_cluster_scoped(id.group, id.kind);
			const char *eo = cs ? "_non_namespaceable_" : *ons ? ons : "default";
			const char *ec = cs ? "_non_namespaceable_" : *id.ns ? id.ns : "default";

			if ((r = rx_match(&t->ns, eo, err)) < 0 || (!r && (r = rx_match(&t->ns, ec, err)) <= 0))
				return r;
		}
		if (rx_set(&t->name) &&
		    ((r = rx_match(&t->name, oname, err)) < 0 || (!r && (r = rx_match(&t->name, id.name, err)) <= 0)))
			return r;
	}
	if ((r = kz_selector_match(t->labels, gitops_json_get(obj, "metadata", "labels", NULL), err)) <= 0)
		return r;
	return kz_selector_match(t->annotations, gitops_json_get(obj, "metadata", "annotations", NULL), err);
}

int kz_target_match(const cJSON *target, const cJSON *obj, struct gitops_err *err)
{
	struct target t;
	int r;

	if (target_compile(&t, target, err))
		return -1;
	r = target_match(&t, obj, err);
	target_release(&t);
	return r;
}

/* ------------------------------------------------------------------ applying */

static int opt(const cJSON *options, const char *key)
{
	return cJSON_IsTrue(gitops_value_get(options, key));
}

/* kustomize's Resource.ApplySmPatch: *obj replaced (NULL: the resource is gone). */
static int apply_sm(cJSON **obj, const cJSON *patch, const cJSON *options, struct kz_ctx *c, struct gitops_err *err)
{
	struct kz_id id;
	char *name = NULL, *ns = NULL, *kind = NULL;
	cJSON *work = NULL, *res = NULL;
	int rc = -1, allow_name = opt(options, "allowNameChange"), allow_kind = opt(options, "allowKindChange");

	kz_id_of(&id, *obj);
	if (!(name = strdup(id.name)) || !(ns = strdup(id.ns)) || !(kind = strdup(id.kind))) {
		gitops_err_oom(err);
		goto done;
	}
	/* kz_merge borrows the resource: a copy only where the id is recorded first */
	if (allow_name || allow_kind) {
		if (!(work = gitops_value_copy(*obj))) {
			gitops_err_oom(err);
			goto done;
		}
		if (kz_res_rename(work, NULL, NULL, err))
			goto done;
	}
	if (kz_merge(&res, work ? work : *obj, patch, c ? c->schema : NULL, err))
		goto done;
	if (res && res->child) {
		cJSON *md = gitops_value_get(res, "metadata");

		if (!allow_kind && gitops_value_set(res, "kind", cJSON_CreateString(kind)))
			goto oom;
		if (!md && !(md = cJSON_AddObjectToObject(res, "metadata")))
			goto oom;
		if (cJSON_IsObject(md)) {
			if (!allow_name && gitops_value_set(md, "name", cJSON_CreateString(name)))
				goto oom;
			if (*ns) {
				if (gitops_value_set(md, "namespace", cJSON_CreateString(ns)))
					goto oom;
			} else {
				cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace");
			}
		}
		/* the merge set values in place: the maps that share one change with it */
		if (kz_links_sync(res, *obj, err))
			goto done;

	} else {
		cJSON_Delete(res);
		res = NULL;
	}
	cJSON_Delete(*obj);
	*obj = res;
	res = NULL;
	rc = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	cJSON_Delete(res);
	cJSON_Delete(work);
	free(name);
	free(ns);
	free(kind);
	return rc;
}

/* The parsed documents of a patch text (a sequence of them, *out). */
/*
 * The documents of a patch text: read as kyaml reads resources (only true
 * and false are booleans: a key `y` stays "y"), as kustomize's resource
 * factory reads a strategic merge patch.  A JSON 6902 patch kustomize reads
 * through sigs.k8s.io/yaml (YAML 1.1): parse_ops reads it so.
 */
static int parse_docs_mode(cJSON **out, const char *text, size_t len, const char *name, int kyaml,
			   struct gitops_err *err);

static int parse_docs(cJSON **out, const char *text, size_t len, const char *name, struct gitops_err *err)
{
	if (parse_docs_mode(out, text, len, name, 1, err) < 0)
		return -1;
	/* a list of operations: again, as YAML 1.1 */
	if (cJSON_GetArraySize(*out) == 1 && cJSON_IsArray((*out)->child)) {
		cJSON_Delete(*out);
		*out = NULL;
		return parse_docs_mode(out, text, len, name, 0, err);
	}
	return 0;
}

static int parse_docs_mode(cJSON **out, const char *text, size_t len, const char *name, int kyaml,
			   struct gitops_err *err)
{
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	struct gitops_yaml_reader *r = NULL;
	struct gitops_yaml_doc d;
	cJSON *docs = cJSON_CreateArray();
	int k, rc = -1;

	if (!docs)
		return gitops_err_oom(err);
	if (gitops_yaml_reader_mem(&r, text, len, name, &lim, err))
		goto done;
	gitops_yaml_reader_set_kyaml(r, kyaml);
	gitops_yaml_reader_set_fast(r, 1); /* a patch is a small text read whole */
	while ((k = gitops_yaml_reader_next(r, &d, err)) == 1) {
		cJSON *root = d.root;

		d.root = NULL;
		gitops_yaml_doc_release(&d);
		if (root && !cJSON_AddItemToArray(docs, root)) {
			cJSON_Delete(root);
			gitops_err_oom(err);
			goto done;
		}
	}
	if (k < 0)
		goto done;
	*out = docs;
	docs = NULL;
	rc = 0;
done:
	gitops_yaml_reader_free(r);
	cJSON_Delete(docs);
	return rc;
}

/* Is this the text of a JSON 6902 patch (a list of operations)? */
static int is_json6902(const cJSON *docs)
{
	return cJSON_GetArraySize(docs) == 1 && cJSON_IsArray(docs->child);
}

/* --- JSON 6902 as kustomize applies it (evanphx/json-patch): its defaults and its words --- */

/* Where a pointer leads: 0 found, 1 parent missing, 2 key missing (map parent), 3 bad index (sequence parent). */
static int locate(const cJSON *doc, const char *ptr, char *last, size_t size)
{
	struct gitops_jsonpointer p = GITOPS_JSONPOINTER_INIT;
	struct gitops_err e = GITOPS_ERR_INIT;
	cJSON *parent = NULL;
	int rc = 1;

	last[0] = 0;
	if (gitops_jsonpointer_parse(&p, ptr, &e))
		return 1;
	if (!p.n) {
		gitops_jsonpointer_release(&p);
		return 0;
	}
	snprintf(last, size, "%s", p.tokens[p.n - 1]);
	p.n--;
	if (!gitops_jsonpointer_resolve(&parent, doc, &p, &e)) {
		size_t idx;

		if (cJSON_IsObject(parent))
			rc = gitops_value_get(parent, last) ? 0 : 2;
		else if (cJSON_IsArray(parent))
			rc = !gitops_jsonpointer_index(&idx, last) && idx < (size_t)cJSON_GetArraySize(parent) ? 0 : 3;
	}
	p.n++;
	gitops_jsonpointer_release(&p);
	return rc;
}

/* The number of items of the sequence holding ptr's last step, or -1. */
static long parent_size(const cJSON *doc, const char *ptr)
{
	struct gitops_jsonpointer p = GITOPS_JSONPOINTER_INIT;
	struct gitops_err e = GITOPS_ERR_INIT;
	cJSON *parent = NULL;
	long n = -1;

	if (gitops_jsonpointer_parse(&p, ptr, &e) || !p.n) {
		gitops_jsonpointer_release(&p);
		return -1;
	}
	p.n--;
	if (!gitops_jsonpointer_resolve(&parent, doc, &p, &e) && cJSON_IsArray(parent))
		n = cJSON_GetArraySize(parent);
	p.n++;
	gitops_jsonpointer_release(&p);
	return n;
}

/* *doc is the caller's working copy (patched in place: a failure drops it). */
static int apply_ops_kz(cJSON **doc, const cJSON *ops, struct gitops_err *err)
{
	const cJSON *op;
	cJSON *one = NULL;
	int rc = -1;

	if (!cJSON_IsArray(ops))
		return gitops_jsonpatch_apply_in_place(doc, ops, err);
	cJSON_ArrayForEach(op, ops) {
		const char *kind = gitops_json_get_string(op, "op", NULL), *path = gitops_json_get_string(op, "path", NULL);
		const char *from = gitops_json_get_string(op, "from", NULL);
		char last[256];
		cJSON *o;
		int where = 0;

		cJSON_Delete(one);
		if (!(one = cJSON_CreateArray()) || !(o = gitops_value_copy(op)) || !cJSON_AddItemToArray(one, o)) {
			gitops_err_oom(err);
			goto done;
		}
		if (!cJSON_IsObject(op) || !kind)
			goto plain;
		if (strcmp(kind, "add") && strcmp(kind, "remove") && strcmp(kind, "replace") && strcmp(kind, "move") &&
		    strcmp(kind, "copy") && strcmp(kind, "test")) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "Unexpected kind: %s", kind);
			goto done;
		}
		/* evanphx: a missing value is null, and so is what a copy takes from nowhere */
		if ((!strcmp(kind, "add") || !strcmp(kind, "replace") || !strcmp(kind, "test")) &&
		    !gitops_value_get(op, "value") && !cJSON_AddNullToObject(o, "value")) {
			gitops_err_oom(err);
			goto done;
		}
		if (!strcmp(kind, "copy") && from && locate(*doc, from, last, sizeof(last))) {
			cJSON_DeleteItemFromObjectCaseSensitive(o, "op");
			cJSON_DeleteItemFromObjectCaseSensitive(o, "from");
			if (!cJSON_AddStringToObject(o, "op", "add") || !cJSON_AddNullToObject(o, "value")) {
				gitops_err_oom(err);
				goto done;
			}
			kind = "add";
		}
		if (path)
			where = locate(*doc, path, last, sizeof(last));
		if (!strcmp(kind, "test")) {
			if (gitops_jsonpatch_apply_in_place(doc, one, err) < 0) {
				gitops_err_set(err, GITOPS_EXIT_INPUT, "testing value %s failed: test failed", path ? path : "");
				goto done;
			}
			continue;
		}
		if (path && !strcmp(kind, "add") && where == 1) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "add operation does not apply: doc is missing path: \"%s\": missing value", path);
			goto done;
		}
		if (path && !strcmp(kind, "add") && where == 3 && strcmp(last, "-")) {
			size_t idx;

			/* one past the end appends; anything else is evanphx's invalid index */
			if (gitops_jsonpointer_index(&idx, last) || (long)idx != parent_size(*doc, path)) {
				gitops_err_set(err, GITOPS_EXIT_INPUT,
					       "error in add for path: '%s': Unable to access invalid index: %s: invalid index referenced",
					       path, last);
				goto done;
			}
		}
		if (path && !strcmp(kind, "remove") && where) {
			if (where == 1)
				gitops_err_set(err, GITOPS_EXIT_INPUT,
					       "remove operation does not apply: doc is missing path: \"%s\": missing value", path);
			else if (where == 2)
				gitops_err_set(err, GITOPS_EXIT_INPUT,
					       "error in remove for path: '%s': Unable to remove nonexistent key: %s: missing value", path, last);
			else
				gitops_err_set(err, GITOPS_EXIT_INPUT,
					       "error in remove for path: '%s': Unable to access invalid index: %s: invalid index referenced",
					       path, last);
			goto done;
		}
		if (path && !strcmp(kind, "replace") && where == 2) {
			/* evanphx/json-patch v4 (kustomize's): a mapping's get never fails, so replace adds the key */
			cJSON_DeleteItemFromObjectCaseSensitive(o, "op");
			if (!cJSON_AddStringToObject(o, "op", "add")) {
				gitops_err_oom(err);
				goto done;
			}
			kind = "add";
			where = 0;
		}
		if (path && !strcmp(kind, "replace") && where) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "replace operation does not apply: doc is missing %s: %s: missing value",
				       where == 3 ? "key" : "path", path);
			goto done;
		}
		if (from && !strcmp(kind, "move")) {
			int fw = locate(*doc, from, last, sizeof(last));

			if (fw == 1) {
				gitops_err_set(err, GITOPS_EXIT_INPUT,
					       "move operation does not apply: doc is missing from path: %s: missing value", from);
				goto done;
			}
			if (fw) {
				gitops_err_set(err, GITOPS_EXIT_INPUT,
					       "error in move for path: '%s': Unable to remove nonexistent key: %s: missing value", last, last);
				goto done;
			}
		}
plain:
		if (gitops_jsonpatch_apply_in_place(doc, one, err) < 0)
			goto done;
	}
	rc = 0;
done:
	cJSON_Delete(one);
	return rc;
}

/* A JSON patch: the id recorded as a previous one, the internal annotations kept whatever the patch does. */
static int apply_6902_one(cJSON **obj, const cJSON *ops, int store_prev, struct gitops_err *err)
{
	cJSON *work = gitops_value_copy(*obj), *saved = NULL;
	const cJSON *ann, *a;
	int rc = -1;

	if (!work)
		return gitops_err_oom(err);
	/* through JSON and back: no value is shared any more; and the patch sees no annotation of ours
	 * (kustomize has none there: an add under /metadata/annotations of a resource without any fails) */
	kz_links_drop(work);
	/* through JSON: a tagless scalar is what it reads as (or an error: .nan), before the patch sees it */
	if (kz_untag(work, err) < 0)
		goto done;
	if (store_prev && kz_res_rename(work, NULL, NULL, err))
		goto done;
	ann = gitops_json_get(work, "metadata", "annotations", NULL);
	if (!(saved = cJSON_CreateObject())) {
		gitops_err_oom(err);
		goto done;
	}
	cJSON_ArrayForEach(a, ann) {
		if (a->string && !strncmp(a->string, "internal.config.kubernetes.io/", 30) && cJSON_IsString(a)) {
			cJSON *v = cJSON_CreateString(a->valuestring);

			if (!v || gitops_value_set(saved, a->string, v)) {
				cJSON_Delete(v);
				gitops_err_oom(err);
				goto done;
			}
		}
	}
	if (apply_ops_kz(&work, ops, err))
		goto done;
	kz_unstyle(work); /* read back from JSON: plain scalars, block collections */
	if (cJSON_IsObject(work)) {
		/* SetAnnotations writes the map back: every value a string, none left: no field */
		cJSON *md = gitops_value_get(work, "metadata"), *am = gitops_value_get(md, "annotations");

		if (cJSON_IsObject(am) && kz_values_as_text(am) < 0) {
			gitops_err_oom(err);
			goto done;
		}
		cJSON_ArrayForEach(a, saved)
			if (kz_res_set_annotation(work, a->string, a->valuestring, err))
				goto done;
		if (cJSON_IsObject(md) && cJSON_IsObject(am = gitops_value_get(md, "annotations")) && !am->child)
			cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
	}
	cJSON_Delete(*obj);
	*obj = work;
	work = NULL;
	rc = 0;
done:
	cJSON_Delete(saved);
	cJSON_Delete(work);
	return rc;
}

/* Apply to every selected resource in place (a resource a patch deletes leaves the map). */
/*
 * A resource's id as text, to compare across a patch (the patch may free
 * the tree the id's strings point into): 0, or -1 when out of memory.
 */
static int id_snapshot(struct gitops_buf *b, const cJSON *obj)
{
	struct kz_id id;

	b->len = 0;
	kz_id_of(&id, obj);
	return gitops_buf_printf(b, "%s%c%s%c%s%c%s%c%s", id.group, 0, id.version, 0, id.kind, 0, id.name, 0, id.ns);
}

/* Has obj (NULL: deleted) still the id snapshot `was`?  1, 0, or -1 when out of memory. */
static int id_kept(const struct gitops_buf *was, const cJSON *obj)
{
	struct gitops_buf now = GITOPS_BUF_INIT;
	int r;

	if (!obj)
		return 0;
	if (id_snapshot(&now, obj) < 0)
		return -1;
	r = now.len == was->len && !memcmp(now.data, was->data, now.len);
	gitops_buf_release(&now);
	return r;
}

static int apply_targeted(struct kz_resmap *m, const cJSON *patch, int json, const cJSON *target,
			  const cJSON *options, struct kz_ctx *c, struct gitops_err *err)
{
	struct target t;
	struct gitops_buf was = GITOPS_BUF_INIT;
	cJSON *pc = NULL;
	size_t i, kept = 0;
	int rc = -1, changed = 0; /* an id changed or a resource left (deleted): the index is stale */

	if (target_compile(&t, target, err))
		return -1;
	for (i = 0; i < m->n; i++) {
		int r;

		if ((r = target_match(&t, m->v[i], err)) < 0)
			goto done;
		if (r && id_snapshot(&was, m->v[i]) < 0) {
			gitops_err_oom(err);
			goto done;
		}
		if (r && json) {
			if (apply_6902_one(&m->v[i], patch, json == 1, err))
				goto done;
			changed |= id_kept(&was, m->v[i]) != 1;
		} else if (r) {
			const char *av = gitops_json_get_string(m->v[i], "apiVersion", NULL);

			/* the patch takes the resource's apiVersion (its own kind stays) */
			cJSON_Delete(pc);
			if (!(pc = gitops_value_copy(patch)) ||
			    (av && cJSON_IsObject(pc) && gitops_value_set(pc, "apiVersion", cJSON_CreateString(av)))) {
				gitops_err_oom(err);
				goto done;
			}
			if (apply_sm(&m->v[i], pc, options, c, err))
				goto done;
			changed |= id_kept(&was, m->v[i]) != 1;
		}
	}
	rc = 0;
done:
	/* resources a patch deleted (NULL) leave the map, the rest keep their order */
	for (i = 0; i < m->n; i++)
		if (m->v[i])
			m->v[kept++] = m->v[i];
	m->n = kept;
	if (changed)
		kz_resmap_touch(m);
	/* resWrangler.ApplySmPatch appends the patched map again: a rename onto another's id fails */
	if (!rc && changed && !json && kz_resmap_check_unique(m, err) < 0)
		rc = -1;
	cJSON_Delete(pc);
	gitops_buf_release(&was);
	target_release(&t);
	return rc;
}

/* An untargeted strategic merge patch: the one resource with the patch's id. */
static int apply_by_id(struct kz_resmap *m, const cJSON *patch, const cJSON *options, int from_patches,
		       struct kz_ctx *c, struct gitops_err *err)
{
	struct kz_id pid;
	struct gitops_buf idt = GITOPS_BUF_INIT, was = GITOPS_BUF_INIT;
	size_t i, found = 0, at = 0;
	cJSON *obj = NULL;
	int rc = -1, kept;

	if (!cJSON_IsObject(patch)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "a strategic merge patch must be a mapping, not %s",
			       gitops_json_type_name(patch));
		goto done;
	}
	kz_id_of(&pid, patch);
	for (i = 0; i < m->n; i++)
		if (matches_any_id(m->v[i], &pid)) {
			found++;
			at = i;
		}
	if (found != 1) {
		id_text(&idt, pid.group, pid.version, pid.kind, pid.name, pid.ns);
		if (!idt.data) {
			gitops_err_oom(err);
			goto done;
		}
		if (from_patches)
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "no resource matches strategic merge patch \"%s\": %s for Id %s; failed to find unique target for patch %s",
				       idt.data, found ? "multiple matches" : "no matches", idt.data, idt.data);
		else
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "%s for Id %s; failed to find unique target for patch %s",
				       found ? "multiple matches" : "no matches", idt.data, idt.data);
		goto done;
	}
	/*
	 * Patched in place, not on a copy (a CRD is hundreds of KB): a patch
	 * that fails fails the build, and what it left is never output.
	 */
	obj = m->v[at];
	if (id_snapshot(&was, obj) < 0) {
		obj = NULL;
		gitops_err_oom(err);
		goto done;
	}
	if (apply_sm(&obj, patch, options, c, err)) {
		/* a failed patch leaves the resource as it was */
		obj = NULL;
		goto done;
	}
	if (!obj) {
		m->v[at] = NULL;
		kz_resmap_remove(m, at);
		rc = 0;
		goto done;
	}
	m->v[at] = obj;
	kept = id_kept(&was, obj);
	obj = NULL;
	/* resWrangler.ApplySmPatch appends the patched map again: a rename onto another's id fails */
	rc = kept == 1 ? 0 : kz_resmap_check_unique(m, err);
done:
	gitops_buf_release(&was);
	cJSON_Delete(obj);
	gitops_buf_release(&idt);
	return rc;
}

int kz_apply_patch(struct kz_resmap *m, const cJSON *patch, const cJSON *target, const cJSON *options,
		   struct kz_ctx *c, struct gitops_err *err)
{
	if (cJSON_IsArray(patch)) {
		if (!target)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "must specify a target for JSON patch");
		return apply_targeted(m, patch, 1, target, options, c, err);
	}
	if (target)
		return apply_targeted(m, patch, 0, target, options, c, err);
	return apply_by_id(m, patch, options, 1, c, err);
}

/* The text of a patch: `path` read through the loader, or the inline `patch`. */
static int patch_text(struct gitops_buf *out, const cJSON *entry, struct kz_ctx *c, struct gitops_err *err)
{
	const char *path = gitops_json_get_string(entry, "path", NULL);
	const char *inl = gitops_json_get_string(entry, "patch", NULL);

	if (path && inl)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "patch and path can't be set at the same time");
	if (path)
		return kz_load_file(out, c, path, KZ_PATCH_MAX, err);
	if (!inl)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "must specify one of patch and path in");
	if (gitops_buf_addstr(out, inl))
		return gitops_err_oom(err);
	return 0;
}

/* kustomize's "[path: \"p.yaml\"]" / "[patch: \"...\"]" (Go's %q of the config) naming a patch. */
static void entry_text(struct gitops_buf *b, const cJSON *entry)
{
	const char *path = gitops_json_get_string(entry, "path", NULL);
	const char *text = path ? path : gitops_json_get_string(entry, "patch", NULL);
	const char *p;

	gitops_buf_printf(b, "[%s: \"", path ? "path" : "patch");
	for (p = text ? text : ""; *p; p++) {
		if (*p == '\n')
			gitops_buf_addstr(b, "\\n");
		else if (*p == '\t')
			gitops_buf_addstr(b, "\\t");
		else if (*p == '"' || *p == '\\')
			gitops_buf_printf(b, "\\%c", *p);
		else
			gitops_buf_add(b, p, 1);
	}
	gitops_buf_addstr(b, "\"]");
}

static int parse_failure(const cJSON *entry, const char *what, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	entry_text(&b, entry);
	gitops_err_set(err, GITOPS_EXIT_INPUT, "%s %s", what, b.data ? b.data : "");
	gitops_buf_release(&b);
	return -1;
}

/* A strategic merge patch document kustomize can read: a mapping with a kind and a name. */
static int sm_doc_ok(const cJSON *p)
{
	const char *kind = gitops_json_get_string(p, "kind", NULL), *name = gitops_json_get_string(p, "metadata", "name", NULL);

	return cJSON_IsObject(p) && kind && *kind && name && *name;
}

/* One `patches:` entry (or a PatchTransformer's config). */
static int one_patch(struct kz_resmap *m, const cJSON *entry, struct kz_ctx *c, struct gitops_err *err)
{
	struct gitops_buf text = GITOPS_BUF_INIT;
	const cJSON *target = gitops_value_get(entry, "target"), *options = gitops_value_get(entry, "options"), *p;
	cJSON *docs = NULL;
	int rc = -1;

	if (cJSON_IsNull(target))
		target = NULL;
	if (patch_text(&text, entry, c, err))
		goto done;
	if (parse_docs(&docs, text.data ? text.data : "", text.len, "patch", err))
		goto done;
	if (is_json6902(docs)) {
		if (!target) {
			parse_failure(entry, "must specify a target for JSON patch", err);
			goto done;
		}
		rc = apply_targeted(m, docs->child, 1, target, options, c, err);
		goto done;
	}
	if (!docs->child) {
		parse_failure(entry, "unable to parse SM or JSON patch from", err);
		goto done;
	}
	cJSON_ArrayForEach(p, docs) {
		if (!sm_doc_ok(p)) {
			parse_failure(entry, "unable to parse SM or JSON patch from", err);
			goto done;
		}
	}
	cJSON_ArrayForEach(p, docs) {
		if (target ? apply_targeted(m, p, 0, target, options, c, err) : apply_by_id(m, p, options, 1, c, err))
			goto done;
	}
	rc = 0;
done:
	cJSON_Delete(docs);
	gitops_buf_release(&text);
	return rc;
}

static int patches_list(struct kz_resmap *m, const void *arg, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, (const cJSON *)arg)
		if (one_patch(m, e, c, err) ||
		    (c->entry_done && c->entry_done(c->entry_ctx, m, "PatchTransformer", err)))
			return -1;
	return 0;
}

int kz_patches(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *list = gitops_value_get(k, "patches");

	if (!list || !list->child)
		return 0;
	return patches_list(m, list, c, err);
}

/* patchesStrategicMerge: a file, or the patch itself inline. */
static int sm_entry(struct kz_resmap *m, const char *s, struct kz_ctx *c, struct gitops_err *err)
{
	struct gitops_buf text = GITOPS_BUF_INIT;
	cJSON *docs = NULL;
	const cJSON *p;
	int rc = -1, inl = strchr(s, '\n') != NULL;

	if (!inl && kz_load_file(&text, c, s, KZ_PATCH_MAX, err)) {
		/* not a file: kustomize tries the string as an inline patch */
		struct gitops_err e2 = GITOPS_ERR_INIT;

		if (parse_docs(&docs, s, strlen(s), "patch", &e2) || !cJSON_IsObject(docs->child))
			goto done;
		cJSON_Delete(docs);
		docs = NULL;
		inl = 1;
	}
	if (inl && (gitops_buf_release(&text), gitops_buf_addstr(&text, s))) {
		gitops_err_oom(err);
		goto done;
	}
	if (parse_docs(&docs, text.data ? text.data : "", text.len, s, err))
		goto done;
	cJSON_ArrayForEach(p, docs)
		if (apply_by_id(m, p, NULL, 0, c, err))
			goto done;
	rc = 0;
done:
	cJSON_Delete(docs);
	gitops_buf_release(&text);
	return rc;
}

static int strategic_list(struct kz_resmap *m, const void *arg, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, (const cJSON *)arg) {
		if (!cJSON_IsString(e))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "patchesStrategicMerge: each item must be a string");
		if (sm_entry(m, e->valuestring, c, err))
			return -1;
	}
	return 0;
}

int kz_patches_strategic(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *list = gitops_value_get(k, "patchesStrategicMerge");

	if (!list || !list->child)
		return 0;
	return strategic_list(m, list, c, err);
}

static int json6902_entry(struct kz_resmap *m, const cJSON *e, struct kz_ctx *c, struct gitops_err *err)
{
	struct gitops_buf text = GITOPS_BUF_INIT;
	const cJSON *target = gitops_value_get(e, "target");
	cJSON *docs = NULL;
	int rc = -1;

	if (!cJSON_IsObject(target) || !gitops_json_get_string(target, "name", NULL)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "must specify the target name");
		goto done;
	}
	if (patch_text(&text, e, c, err) || parse_docs(&docs, text.data ? text.data : "", text.len, "patch", err))
		goto done;
	if (!is_json6902(docs)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "failed to decode JSON patch %s", text.data ? text.data : "");
		goto done;
	}
	/* PatchJson6902Transformer: no earlier id recorded first (PatchTransformer records one) */
	rc = apply_targeted(m, docs->child, 2, target, NULL, c, err);
done:
	cJSON_Delete(docs);
	gitops_buf_release(&text);
	return rc;
}

static int json6902_list(struct kz_resmap *m, const void *arg, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, (const cJSON *)arg)
		if (json6902_entry(m, e, c, err) ||
		    (c->entry_done && c->entry_done(c->entry_ctx, m, "PatchJson6902Transformer", err)))
			return -1;
	return 0;
}

int kz_patches_json6902(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *list = gitops_value_get(k, "patchesJson6902");

	if (!list || !list->child)
		return 0;
	return json6902_list(m, list, c, err);
}

static int plugin_entry(struct kz_resmap *m, const void *arg, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *config = arg, *e;
	const char *kind = gitops_json_get_string(config, "kind", NULL);

	if (!strcmp(kind, "PatchTransformer"))
		return one_patch(m, config, c, err);
	if (!strcmp(kind, "PatchJson6902Transformer"))
		return json6902_entry(m, config, c, err);
	cJSON_ArrayForEach(e, gitops_value_get(config, "paths"))
		if (cJSON_IsString(e) && sm_entry(m, e->valuestring, c, err))
			return -1;
	if (gitops_json_get_string(config, "patches", NULL) &&
	    sm_entry(m, gitops_json_get_string(config, "patches", NULL), c, err))
		return -1;
	return 0;
}

int kz_plugin_patch(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err)
{
	const char *kind = gitops_json_get_string(config, "kind", NULL);

	if (!kind || (strcmp(kind, "PatchTransformer") && strcmp(kind, "PatchJson6902Transformer") &&
		      strcmp(kind, "PatchStrategicMergeTransformer")))
		return 0;
	return plugin_entry(m, config, c, err) ? -1 : 1;
}
