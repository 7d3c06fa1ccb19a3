/*
 * generators.c: configMapGenerator and secretGenerator (and their builtin
 * plugins ConfigMapGenerator / SecretGenerator) as kustomize v5.5 runs
 * them: key-value pairs from env files, then literals, then files; the
 * ConfigMap or Secret built from them; merged into the resource map by
 * behavior (create, merge, replace) as kustomize's resWrangler does.
 *
 * Facts from the oracle (kubectl kustomize v1.32.4): no key validation
 * (`a b`, `export A`, `1B` are kept as keys); env lines keep their value
 * verbatim (quotes and trailing blanks included), a line without '=' gives
 * "", leading blanks, blank lines, `#` lines and a first-line BOM go;
 * per-generator option labels/annotations win over generatorOptions'; on
 * merge and replace the old resource's name, namespace, build annotations
 * and need of a hash suffix are kept, its labels and annotations merged
 * under the new ones.
 *
 * Ownership: objects built here go to the resource map.
 */
#include "lib/kustomize/kz_fs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/enc.h"
#include "lib/base/json.h"
#include "lib/value/value.h"

#define KZ_GEN_FILE_MAX (16u << 20)

struct pair {
	char *key;
	char *val; /* NUL-terminated; len bytes (may hold NULs for files) */
	size_t len;
};

struct pairs {
	struct pair *v;
	size_t n, cap;
};

static void pairs_release(struct pairs *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].val);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static int pairs_add(struct pairs *p, const char *key, size_t klen, const char *val, size_t vlen,
		     struct gitops_err *err)
{
	struct pair *e;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct pair *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return gitops_err_oom(err);
		p->v = v;
		p->cap = cap;
	}
	e = &p->v[p->n];
	e->key = malloc(klen + 1);
	e->val = malloc(vlen + 1);
	if (!e->key || !e->val) {
		free(e->key);
		free(e->val);
		return gitops_err_oom(err);
	}
	memcpy(e->key, key, klen);
	e->key[klen] = 0;
	memcpy(e->val, val, vlen);
	e->val[vlen] = 0;
	e->len = vlen;
	p->n++;
	return 0;
}

/* Go's fmt of a []string: "[a b c]". */
static int go_list(struct gitops_buf *b, const cJSON *list)
{
	const cJSON *it;
	int first = 1;

	if (gitops_buf_addstr(b, "["))
		return -1;
	if (cJSON_IsString(list))
		return gitops_buf_addstr(b, list->valuestring) || gitops_buf_addstr(b, "]");
	cJSON_ArrayForEach(it, list) {
		if ((!first && gitops_buf_addstr(b, " ")) ||
		    gitops_buf_addstr(b, cJSON_IsString(it) ? it->valuestring : ""))
			return -1;
		first = 0;
	}
	return gitops_buf_addstr(b, "]");
}

/* Prefix err with "loading KV pairs: <what> <list>: " (what may end in ':' as kustomize words it). */
static int kv_error(struct gitops_err *err, const char *what, const cJSON *list)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	if (gitops_buf_printf(&b, "loading KV pairs: %s ", what) || go_list(&b, list)) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	gitops_err_prefix(err, "%s", b.data);
	gitops_buf_release(&b);
	return -1;
}

static int utf8_valid(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i], cp, len, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += len;
	}
	return 1;
}

/* kustomize's "line [65 61 255] has invalid utf8 bytes : A=\xff" (bytes beyond ASCII escaped) */
static int env_utf8_error(struct gitops_err *err, const char *line, size_t n)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i;
	int oom = gitops_buf_addstr(&b, "line [");

	for (i = 0; i < n && !oom; i++)
		oom = gitops_buf_printf(&b, "%s%u", i ? " " : "", (unsigned char)line[i]);
	oom = oom || gitops_buf_addstr(&b, "] has invalid utf8 bytes : ");
	for (i = 0; i < n && !oom; i++) {
		unsigned char ch = (unsigned char)line[i];

		oom = ch < 0x80 ? gitops_buf_add(&b, &line[i], 1) : gitops_buf_printf(&b, "\\x%02x", ch);
	}
	if (oom) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	gitops_err_set(err, GITOPS_EXIT_INPUT, "%s", b.data);
	gitops_buf_release(&b);
	return -1;
}

/* One env file's pairs, as kustomize's kv loader reads them. */
static int parse_env(struct pairs *out, const char *text, size_t len, struct gitops_err *err)
{
	size_t pos = 0, lineno = 0;

	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos), *eq;
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + (nl ? 1 : 0);
		if (n && line[n - 1] == '\r')
			n--;
		if (!utf8_valid((const unsigned char *)line, n))
			return env_utf8_error(err, line, n);
		if (lineno++ == 0 && n >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
			line += 3;
			n -= 3;
		}
		while (n && (*line == ' ' || *line == '\t' || *line == '\v' || *line == '\f' || *line == '\r')) {
			line++;
			n--;
		}
		if (!n || *line == '#')
			continue;
		eq = memchr(line, '=', n);
		if (eq == line)
			continue; /* "=x": no key, no pair (kubectl kustomize drops the line) */
		if (eq) {
			if (pairs_add(out, line, (size_t)(eq - line), eq + 1, n - (size_t)(eq - line) - 1, err))
				return -1;
		} else if (pairs_add(out, line, n, "", 0, err)) {
			return -1;
		}
	}
	return 0;
}

static const cJSON *list_of(const cJSON *args, const char *key)
{
	const cJSON *v = gitops_value_get(args, key);

	return cJSON_IsArray(v) ? v : NULL;
}

static int load_envs(struct pairs *out, const cJSON *args, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *envs = list_of(args, "envs"), *env = gitops_value_get(args, "env"), *it;
	cJSON *all = cJSON_CreateArray();
	int rc = -1;

	if (!all)
		return gitops_err_oom(err);
	cJSON_ArrayForEach(it, envs) {
		if (cJSON_IsString(it) && !cJSON_AddItemToArray(all, cJSON_CreateString(it->valuestring))) {
			gitops_err_oom(err);
			goto done;
		}
	}
	/* the deprecated `env` comes after `envs`, as kustomize appends it */
	if (cJSON_IsString(env) && *env->valuestring &&
	    !cJSON_AddItemToArray(all, cJSON_CreateString(env->valuestring))) {
		gitops_err_oom(err);
		goto done;
	}
	cJSON_ArrayForEach(it, all) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		int bad;

		if (kz_load_file(&b, c, it->valuestring, KZ_GEN_FILE_MAX, err)) {
			gitops_buf_release(&b);
			kv_error(err, "env source files:", all);
			goto done;
		}
		bad = parse_env(out, b.data ? b.data : "", b.len, err);
		gitops_buf_release(&b);
		if (bad) {
			kv_error(err, "env source files:", all);
			goto done;
		}
	}
	rc = 0;
done:
	cJSON_Delete(all);
	return rc;
}

/* kustomize's removeQuotes: one pair of matching ' or " around the value goes */
static int load_literals(struct pairs *out, const cJSON *args, struct gitops_err *err)
{
	const cJSON *lits = list_of(args, "literals"), *it;

	cJSON_ArrayForEach(it, lits) {
		const char *s = cJSON_IsString(it) ? it->valuestring : "", *eq = strchr(s, '=');
		const char *v;
		size_t vlen;

		if (!eq || eq == s) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "invalid literal source %s, expected key=value", s);
			return kv_error(err, "literal sources", lits);
		}
		v = eq + 1;
		vlen = strlen(v);
		if (vlen >= 2 && v[0] == v[vlen - 1] && (v[0] == '"' || v[0] == '\'')) {
			v++;
			vlen -= 2;
		}
		if (pairs_add(out, s, (size_t)(eq - s), v, vlen, err))
			return -1;
	}
	return 0;
}

static const char *base_name(const char *path, size_t *len)
{
	size_t n = strlen(path);
	const char *b;

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (!n) {
		*len = 1;
		return ".";
	}
	for (b = path + n; b > path && b[-1] != '/'; b--)
		;
	*len = (size_t)(path + n - b);
	return b;
}

static int load_files(struct pairs *out, const cJSON *args, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *files = list_of(args, "files"), *it;

	cJSON_ArrayForEach(it, files) {
		const char *s = cJSON_IsString(it) ? it->valuestring : "", *eq = strchr(s, '='), *key, *path;
		struct gitops_buf b = GITOPS_BUF_INIT;
		size_t klen;
		int rc;

		if (eq && strchr(eq + 1, '=')) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "source \"%s\" key name or file path contains '='", s);
			return kv_error(err, "file sources:", files);
		}
		if (eq == s) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "missing key name for file path \"%s\" in source \"%s\"",
				       eq + 1, s);
			return kv_error(err, "file sources:", files);
		}
		if (eq && !eq[1]) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "missing file path for key name \"%.*s\" in source \"%s\"",
				       (int)(eq - s), s, s);
			return kv_error(err, "file sources:", files);
		}
		if (eq) {
			key = s;
			klen = (size_t)(eq - s);
			path = eq + 1;
		} else {
			key = base_name(s, &klen);
			path = s;
		}
		if (kz_load_file(&b, c, path, KZ_GEN_FILE_MAX, err)) {
			gitops_buf_release(&b);
			return kv_error(err, "file sources:", files);
		}
		rc = pairs_add(out, key, klen, b.data ? b.data : "", b.len, err);
		gitops_buf_release(&b);
		if (rc)
			return -1;
	}
	return 0;
}

static int set_str(cJSON *map, const char *key, const char *val, struct gitops_err *err)
{
	cJSON *v = cJSON_CreateString(val);

	if (!v || gitops_value_set(map, key, v)) {
		cJSON_Delete(v);
		return gitops_err_oom(err);
	}
	return 0;
}

/* A scalar of an options map as the string kustomize's map[string]string holds. */
static int scalar_text(char *buf, size_t size, const cJSON *v, const char **out)
{
	if (cJSON_IsString(v))
		*out = v->valuestring;
	else if (cJSON_IsNumber(v))
		*out = gitops_value_format_number(buf, size, v);
	else if (cJSON_IsBool(v))
		*out = cJSON_IsTrue(v) ? "true" : "false";
	else if (cJSON_IsNull(v))
		*out = "";
	else
		return -1;
	return 0;
}

/* Copy the string map src[key] into obj.metadata[key] (entries already there kept: earlier calls win). */
static int add_meta_map(cJSON *md, const char *field, const cJSON *src, struct gitops_err *err)
{
	const cJSON *it;
	cJSON *dst;

	if (!cJSON_IsObject(src) || !src->child)
		return 0;
	if (!(dst = gitops_value_get(md, field)) && !(dst = cJSON_AddObjectToObject(md, field)))
		return gitops_err_oom(err);
	cJSON_ArrayForEach(it, src) {
		char num[64];
		const char *s;

		if (gitops_value_get(dst, it->string))
			continue;
		if (scalar_text(num, sizeof(num), it, &s))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "options.%s.%s: expected a string", field,
					      it->string);
		if (set_str(dst, it->string, s, err))
			return -1;
	}
	return 0;
}

static int opt_true(const cJSON *opts, const char *key)
{
	return cJSON_IsTrue(gitops_value_get(opts, key));
}

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const struct pair *)a)->key, ((const struct pair *)b)->key);
}

/* Build the ConfigMap or Secret of one generator (args) with the global options (may be NULL). */
/*
 * kyaml's encodeBase64: text of 70 characters or more is cut into lines of
 * 70, each ending with a newline (the last one too); shorter text stays one
 * line.  The hash is taken over that text, and it prints as a literal block.
 */
static int wrap_base64(char **b64)
{
	size_t len = strlen(*b64), lines = len / 70 + 1, i, k = 0;
	char *out;

	if (lines == 1)
		return 0;
	if (!(out = malloc(len + lines + 1)))
		return -1;
	for (i = 0; i < len; i += 70) {
		size_t n = len - i < 70 ? len - i : 70;

		memcpy(out + k, *b64 + i, n);
		k += n;
		out[k++] = '\n';
	}
	out[k] = 0;
	free(*b64);
	*b64 = out;
	return 0;
}

static int build(cJSON **out, const cJSON *args, const cJSON *global, const char *kind, struct kz_ctx *c,
		 struct gitops_err *err)
{
	const char *name = gitops_json_get_string(args, "name", NULL);
	const char *ns = gitops_json_get_string(args, "namespace", NULL);
	const char *behavior = gitops_json_get_string(args, "behavior", NULL);
	const cJSON *local = gitops_value_get(args, "options");
	int secret = !strcmp(kind, "Secret");
	struct pairs p = { NULL, 0, 0 };
	cJSON *obj = NULL, *md, *data = NULL, *bin = NULL;
	size_t i;
	int rc = -1;

	if (!name || !*name)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "a configmap must have a name");
	if (load_envs(&p, args, c, err) || load_literals(&p, args, err) || load_files(&p, args, c, err))
		goto done;
	for (i = 0; i < p.n; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (!strcmp(p.v[i].key, p.v[j].key)) {
				gitops_err_set(err, GITOPS_EXIT_INPUT, "configmap %s illegally repeats the key `%s`", name,
					       p.v[i].key);
				goto done;
			}
	}
	if (p.n)
		qsort(p.v, p.n, sizeof(*p.v), cmp_pair);
	if (!(obj = cJSON_CreateObject()) || set_str(obj, "apiVersion", "v1", err) || set_str(obj, "kind", kind, err) ||
	    !(md = cJSON_AddObjectToObject(obj, "metadata")) || set_str(md, "name", name, err) ||
	    (ns && *ns && set_str(md, "namespace", ns, err)))
		goto oom;
	/* kustomize's Secret always has its data map, empty or not; a ConfigMap only when it holds text */
	if (secret && !(data = cJSON_AddObjectToObject(obj, "data")))
		goto oom;
	for (i = 0; i < p.n; i++) {
		int text = !secret && strlen(p.v[i].val) == p.v[i].len &&
			   utf8_valid((const unsigned char *)p.v[i].val, p.v[i].len);
		cJSON **map = text || secret ? &data : &bin;
		char *b64 = NULL;

		if (!*map && !(*map = cJSON_AddObjectToObject(obj, text || secret ? "data" : "binaryData")))
			goto oom;
		if (!text && (gitops_base64_encode(&b64, p.v[i].val, p.v[i].len, 0) || wrap_base64(&b64)))
			goto oom;
		rc = set_str(*map, p.v[i].key, text ? p.v[i].val : b64, err);
		free(b64);
		if (rc)
			goto done;
		rc = -1;
	}
	/* the generator's own options first: they win over generatorOptions' */
	if (add_meta_map(md, "labels", gitops_value_get(local, "labels"), err) ||
	    add_meta_map(md, "labels", gitops_value_get(global, "labels"), err) ||
	    add_meta_map(md, "annotations", gitops_value_get(local, "annotations"), err) ||
	    add_meta_map(md, "annotations", gitops_value_get(global, "annotations"), err))
		goto done;
	if ((opt_true(local, "immutable") || opt_true(global, "immutable")) && !cJSON_AddTrueToObject(obj, "immutable"))
		goto oom;
	if (secret) {
		const char *type = gitops_json_get_string(args, "type", NULL);

		if (set_str(obj, "type", type && *type ? type : "Opaque", err))
			goto done;
	}
	if (!opt_true(local, "disableNameSuffixHash") && !opt_true(global, "disableNameSuffixHash") &&
	    kz_res_set_annotation(obj, KZ_ANN_NEEDS_HASH, "enabled", err))
		goto done;
	if (behavior && *behavior && kz_res_set_annotation(obj, KZ_ANN_BEHAVIOR, behavior, err))
		goto done;
	/* buildMetadata: where a generated object came from (kustomize's generator Origin) */
	if (c && (c->plugin_origin || c->configured_in)) {
		struct gitops_buf o = GITOPS_BUF_INIT;
		int bad = c->plugin_origin ? gitops_buf_addstr(&o, c->plugin_origin) :
					     gitops_buf_printf(&o, "%sconfiguredIn: %s\nconfiguredBy:\n  apiVersion: builtin\n  "
							       "kind: %s\n", c->configured_remote ? c->configured_remote : "",
							       c->configured_in,
							       strcmp(kind, "Secret") ? "ConfigMapGenerator" : "SecretGenerator");

		if (bad || kz_res_set_annotation(obj, KZ_ANN_ORIGIN, o.data, err)) {
			gitops_buf_release(&o);
			if (bad)
				gitops_err_oom(err);
			goto done;
		}
		gitops_buf_release(&o);
	}
	*out = obj;
	obj = NULL;
	rc = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	cJSON_Delete(obj);
	pairs_release(&p);
	return rc;
}

/* --- merging into the map by behavior (kustomize's appendReplaceOrMerge) --- */

static int ns_eq(const char *a, const char *b)
{
	if (!*a || !strcmp(a, "[noNs]"))
		a = "default";
	if (!*b || !strcmp(b, "[noNs]"))
		b = "default";
	return !strcmp(a, b);
}

/* The n-th item of a comma-separated list into buf ("" when absent). */
static void nth_item(char *buf, size_t size, const char *list, size_t n)
{
	const char *p = list;
	size_t len;

	buf[0] = 0;
	while (p && n--) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!p)
		return;
	len = strcspn(p, ",");
	if (len >= size)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = 0;
}

/* Does obj have (or had) the id of `want` (group, version, kind, name, namespace)? */
static int matches_any_id(const cJSON *obj, const struct kz_id *want)
{
	struct kz_id id;
	const char *names, *kinds, *nss, *kind = gitops_json_get_string(obj, "kind", NULL);
	size_t i, count;
	int cluster;

	/* most resources differ in kind and never had another: ruled out without the whole id */
	if (kind && strcmp(kind, want->kind) && !kz_res_annotation(obj, KZ_ANN_PREV_KINDS))
		return 0;
	kz_id_of(&id, obj);
	if (strcmp(id.group, want->group) || strcmp(id.version, want->version))
		return 0;
	cluster = kz_kind_cluster_scoped(id.group, id.kind);
	if (!strcmp(id.kind, want->kind) && !strcmp(id.name, want->name) && (cluster || ns_eq(id.ns, want->ns)))
		return 1;
	names = kz_res_annotation(obj, KZ_ANN_PREV_NAMES);
	kinds = kz_res_annotation(obj, KZ_ANN_PREV_KINDS);
	nss = kz_res_annotation(obj, KZ_ANN_PREV_NAMESPACES);
	if (!names)
		return 0;
	for (count = 1, i = 0; names[i]; i++)
		count += names[i] == ',';
	for (i = 0; i < count; i++) {
		char n[256], k[256], s[256];

		nth_item(n, sizeof(n), names, i);
		nth_item(k, sizeof(k), kinds ? kinds : "", i);
		nth_item(s, sizeof(s), nss ? nss : "", i);
		if (!strcmp(n, want->name) && !strcmp(k[0] ? k : id.kind, want->kind) && (cluster || ns_eq(s, want->ns)))
			return 1;
	}
	return 0;
}

static int resid_text(struct gitops_buf *b, const struct kz_id *id)
{
	return gitops_buf_printf(b,
				 "resid.ResId{Gvk:resid.Gvk{Group:\"%s\", Version:\"%s\", Kind:\"%s\", "
				 "isClusterScoped:%s}, Name:\"%s\", Namespace:\"%s\"}",
				 id->group, id->version, id->kind,
				 kz_kind_cluster_scoped(id->group, id->kind) ? "true" : "false", id->name, id->ns);
}

static int is_build_annotation(const char *key)
{
	return !strcmp(key, KZ_ANN_PREV_NAMES) || !strcmp(key, KZ_ANN_PREV_KINDS) ||
	       !strcmp(key, KZ_ANN_PREV_NAMESPACES) || !strcmp(key, KZ_ANN_NEEDS_HASH);
}

/* dst[key] = old[key] for keys dst lacks; with build annotations old's always (or none). */
static int merge_map_under(cJSON *dst_parent, const char *field, const cJSON *old, int build_rule,
			   struct gitops_err *err)
{
	cJSON *dst = gitops_value_get(dst_parent, field);
	const cJSON *it;

	if (build_rule && cJSON_IsObject(dst)) {
		cJSON *n = dst->child, *next;

		for (; n; n = next) {
			next = n->next;
			if (is_build_annotation(n->string))
				cJSON_DeleteItemFromObjectCaseSensitive(dst, n->string);
		}
	}
	if (cJSON_IsObject(old) && old->child) {
		if (!cJSON_IsObject(dst)) {
			if (dst)
				cJSON_DeleteItemFromObjectCaseSensitive(dst_parent, field);
			if (!(dst = cJSON_AddObjectToObject(dst_parent, field)))
				return gitops_err_oom(err);
		}
		cJSON_ArrayForEach(it, old) {
			cJSON *cp;

			if (gitops_value_get(dst, it->string) && !(build_rule && is_build_annotation(it->string)))
				continue;
			if (!(cp = gitops_value_copy(it)) || gitops_value_set(dst, it->string, cp)) {
				cJSON_Delete(cp);
				return gitops_err_oom(err);
			}
		}
	}
	if (cJSON_IsObject(dst) && !dst->child)
		cJSON_DeleteItemFromObjectCaseSensitive(dst_parent, field);
	return 0;
}

static int copy_member(cJSON *dst, const cJSON *src, const char *key, struct gitops_err *err)
{
	const cJSON *v = gitops_value_get(src, key);
	cJSON *cp;

	if (!v) {
		cJSON_DeleteItemFromObjectCaseSensitive(dst, key);
		return 0;
	}
	if (!(cp = gitops_value_copy(v)) || gitops_value_set(dst, key, cp)) {
		cJSON_Delete(cp);
		return gitops_err_oom(err);
	}
	return 0;
}

/* Put a generated object into m as kustomize's resWrangler.appendReplaceOrMerge does (obj taken). */
/*
 * The map's resources by every name they have or had, for a run of
 * generators: a generated object can only merge into a resource of its
 * name, so each looks at those alone instead of the whole map.  Entries are
 * (hash of a name, position); the positions of one name are all kept.
 */
struct name_ix {
	uint64_t *hash;
	size_t *pos; /* position + 1; 0 = empty */
	size_t cap, n, covered; /* covered: the map's first `covered` resources are in */
};

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static int name_ix_put(struct name_ix *x, uint64_t h, size_t pos)
{
	size_t i;

	if ((x->n + 1) * 2 > x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256, j;
		uint64_t *hash = calloc(cap, sizeof(*hash));
		size_t *p = calloc(cap, sizeof(*p));

		if (!hash || !p) {
			free(hash);
			free(p);
			return -1;
		}
		for (j = 0; j < x->cap; j++)
			if (x->pos[j]) {
				for (i = (size_t)x->hash[j] & (cap - 1); p[i]; i = (i + 1) & (cap - 1))
					;
				hash[i] = x->hash[j];
				p[i] = x->pos[j];
			}
		free(x->hash);
		free(x->pos);
		x->hash = hash;
		x->pos = p;
		x->cap = cap;
	}
	for (i = (size_t)h & (x->cap - 1); x->pos[i]; i = (i + 1) & (x->cap - 1))
		if (x->hash[i] == h && x->pos[i] == pos + 1)
			return 0; /* a name the resource had before, again */
	x->hash[i] = h;
	x->pos[i] = pos + 1;
	x->n++;
	return 0;
}

/* Bring the index up to the map's end (resources are only appended or replaced in place meanwhile). */
static int name_ix_cover(struct name_ix *x, const struct kz_resmap *m)
{
	for (; x->covered < m->n; x->covered++) {
		const cJSON *obj = m->v[x->covered];
		const char *cur = gitops_json_get_string(obj, "metadata", "name", NULL);
		const char *prev = kz_res_annotation(obj, KZ_ANN_PREV_NAMES);

		if (name_ix_put(x, name_hash(cur ? cur : "", cur ? strlen(cur) : 0), x->covered))
			return -1;
		while (prev && *prev) {
			size_t n = strcspn(prev, ",");

			if (name_ix_put(x, name_hash(prev, n), x->covered))
				return -1;
			prev += n + (prev[n] == ',');
		}
	}
	return 0;
}

static void name_ix_release(struct name_ix *x)
{
	free(x->hash);
	free(x->pos);
	memset(x, 0, sizeof(*x));
}

static int absorb(struct kz_resmap *m, cJSON *obj, struct name_ix *x, struct gitops_err *err)
{
	const char *beh = kz_res_annotation(obj, KZ_ANN_BEHAVIOR);
	int merge = beh && !strcmp(beh, "merge"), replace = beh && !strcmp(beh, "replace");
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct kz_id id;
	size_t i, found = 0, at = 0;
	uint64_t h;
	cJSON *old, *md, *omd;
	int rc = -1, new_hash;

	kz_id_of(&id, obj);
	if (name_ix_cover(x, m))
		goto oom;
	h = name_hash(id.name, strlen(id.name));
	for (i = (size_t)h & (x->cap - 1); x->cap && x->pos[i]; i = (i + 1) & (x->cap - 1))
		if (x->hash[i] == h && matches_any_id(m->v[x->pos[i] - 1], &id)) {
			if (!found++ || x->pos[i] - 1 < at)
				at = x->pos[i] - 1;
		}
	if (found == 0) {
		if (!merge && !replace)
			return kz_resmap_append(m, obj, err);
		if (resid_text(&b, &id))
			goto oom;
		gitops_err_set(err, GITOPS_EXIT_INPUT,
			       "merging from generator: id %s does not exist; cannot merge or replace", b.data);
		goto done;
	}
	if (found > 1) {
		if (resid_text(&b, &id))
			goto oom;
		gitops_err_set(err, GITOPS_EXIT_INPUT, "found multiple objects that could accept merge of %s", b.data);
		goto done;
	}
	if (!merge && !replace) {
		if (resid_text(&b, &id))
			goto oom;
		gitops_err_set(err, GITOPS_EXIT_INPUT,
			       "merging from generator: id %s exists; behavior must be merge or replace", b.data);
		goto done;
	}
	old = m->v[at];
	new_hash = kz_res_annotation(obj, KZ_ANN_NEEDS_HASH) != NULL;
	md = gitops_value_get(obj, "metadata");
	omd = gitops_value_get(old, "metadata");
	/* Resource.CopyMergeMetaDataFieldsFrom: labels and annotations merged (the new win), the old name and
	 * namespace, the old build annotations (hash suffix need and origin included) */
	if (merge_map_under(md, "labels", gitops_value_get(omd, "labels"), 0, err) ||
	    merge_map_under(md, "annotations", gitops_value_get(omd, "annotations"), 1, err) ||
	    copy_member(md, omd, "name", err) || copy_member(md, omd, "namespace", err))
		goto done;
	/* ... set back through SetLabels/SetAnnotations: every value a string of its text */
	if (kz_values_as_text(gitops_value_get(md, "labels")) < 0 ||
	    kz_values_as_text(gitops_value_get(md, "annotations")) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	/* the name takes the hash only when both generators want it (what kubectl kustomize does: either one's
	 * disableNameSuffixHash leaves the name as it is) */
	if (!new_hash)
		kz_res_remove_annotation(obj, KZ_ANN_NEEDS_HASH);
	if (merge && (merge_map_under(obj, "data", gitops_value_get(old, "data"), 0, err) ||
		      merge_map_under(obj, "binaryData", gitops_value_get(old, "binaryData"), 0, err)))
		goto done;
	/* a merge keeps where the resource came from (buildMetadata's origin) */
	if (merge && kz_res_annotation(old, KZ_ANN_ORIGIN) &&
	    kz_res_set_annotation(obj, KZ_ANN_ORIGIN, kz_res_annotation(old, KZ_ANN_ORIGIN), err))
		goto done;
	cJSON_Delete(m->v[at]);
	m->v[at] = obj;
	kz_resmap_touch(m);
	obj = NULL;
	rc = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	gitops_buf_release(&b);
	cJSON_Delete(obj);
	return rc;
}

int kz_absorb_all(struct kz_resmap *m, struct kz_resmap *src, struct gitops_err *err)
{
	struct name_ix x = { NULL, NULL, 0, 0, 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < src->n; i++) {
		cJSON *obj = src->v[i];
		src->v[i] = NULL;
		if (rc == 0)
			rc = absorb(m, obj, &x, err);
		else
			cJSON_Delete(obj);
	}
	src->n = 0;
	kz_resmap_touch(src);
	name_ix_release(&x);
	return rc;
}

static int run_list(struct kz_resmap *m, const cJSON *list, const cJSON *global, const char *kind,
		    struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *it;

	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: expected a list",
				      !strcmp(kind, "Secret") ? "secretGenerator" : "configMapGenerator");
	struct name_ix x = { NULL, NULL, 0, 0, 0 };
	int rc = 0;

	cJSON_ArrayForEach(it, list) {
		cJSON *obj = NULL;

		if (build(&obj, it, global, kind, c, err) || absorb(m, obj, &x, err)) {
			rc = -1;
			break;
		}
	}
	name_ix_release(&x);
	return rc;
}

int kz_generate(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *global = gitops_value_get(k, "generatorOptions");

	if (run_list(m, gitops_value_get(k, "configMapGenerator"), global, "ConfigMap", c, err) ||
	    run_list(m, gitops_value_get(k, "secretGenerator"), global, "Secret", c, err))
		return -1;
	return 0;
}

int kz_plugin_generators(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err)
{
	const char *kind = gitops_json_get_string(config, "kind", NULL);
	cJSON *args, *obj = NULL;
	int rc;

	if (!kind || (strcmp(kind, "ConfigMapGenerator") && strcmp(kind, "SecretGenerator")))
		return 0;
	/* the plugin's config is the generator's args inline, metadata's name and namespace as defaults */
	if (!(args = gitops_value_copy(config)))
		return gitops_err_oom(err);
	if ((!gitops_json_get_string(args, "name", NULL) &&
	     copy_member(args, gitops_value_get(config, "metadata"), "name", err)) ||
	    (!gitops_json_get_string(args, "namespace", NULL) &&
	     copy_member(args, gitops_value_get(config, "metadata"), "namespace", err))) {
		cJSON_Delete(args);
		return -1;
	}
	rc = build(&obj, args, NULL, !strcmp(kind, "SecretGenerator") ? "Secret" : "ConfigMap", c, err);
	cJSON_Delete(args);
	if (!rc) {
		struct name_ix x = { NULL, NULL, 0, 0, 0 };

		rc = absorb(m, obj, &x, err);
		name_ix_release(&x);
	}
	return rc ? -1 : 1;
}
