#include "lib/k8s/object.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void gitops_object_release(struct gitops_object *o)
{
	cJSON_Delete(o->json);
	memset(o, 0, sizeof(*o));
}

int gitops_object_err(struct gitops_err *err, const struct gitops_object *o, int code, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o->item)
		return gitops_err_set(err, code, "%s:%zu: document %zu, item %zu: %s", o->source, o->line, o->doc, o->item,
				      msg);
	return gitops_err_set(err, code, "%s:%zu: document %zu: %s", o->source, o->line, o->doc, msg);
}

/* RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 */
static int is_dns_label(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 63)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && !(c == '-' && i > 0 && i < n - 1))
			return 0;
	}
	return 1;
}

/* RFC 1123 subdomain: labels joined by dots, at most 253 */
static int is_dns_subdomain(const char *s)
{
	char label[254];
	const char *p = s, *dot;

	if (strlen(s) == 0 || strlen(s) > 253)
		return 0;
	for (;;) {
		size_t n;
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(label))
			return 0;
		memcpy(label, p, n);
		label[n] = '\0';
		if (!is_dns_label(label))
			return 0;
		if (!dot)
			return 1;
		p = dot + 1;
	}
}

static int check_string_map(const cJSON *meta, const char *field, int any_value, struct gitops_err *err)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(meta, field), *c;

	if (!m || cJSON_IsNull(m))
		return 0;
	if (!cJSON_IsObject(m)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata.%s must be a mapping, not %s", field, gitops_json_type_name(m));
		return -1;
	}
	for (c = m->child; c; c = c->next) {
		if (!any_value && !cJSON_IsString(c) && !cJSON_IsNull(c)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata.%s.%s must be a string, not %s (quote it)", field, c->string,
				 gitops_json_type_name(c));
			return -1;
		}
		if (!c->string[0]) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata.%s has an empty key", field);
			return -1;
		}
	}
	return 0;
}

/*
 * Go's base64.StdEncoding, as the API server decodes a Secret's data: the
 * standard alphabet, padded to a multiple of 4, '\r' and '\n' ignored.
 */
static int is_std_base64(const char *s)
{
	size_t n = 0, pad = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
		} else if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
				     c == '+' || c == '/')) {
			return 0;
		}
		n++;
	}
	return n % 4 == 0 && pad <= 2;
}

/*
 * A v1 Secret's data and stringData: mappings of strings (data's in base64),
 * as the API server takes them.  The messages name the key, never the value:
 * it is a secret, and the server's own message would quote it.
 */
static int check_secret(const cJSON *obj, struct gitops_err *err)
{
	static const char *const fields[] = { "data", "stringData" };
	size_t i;

	for (i = 0; i < 2; i++) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, fields[i]), *c;
		if (!m || cJSON_IsNull(m))
			continue;
		if (!cJSON_IsObject(m)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s of a Secret must be a mapping, not %s", fields[i], gitops_json_type_name(m));
			return -1;
		}
		for (c = m->child; c; c = c->next) {
			if (cJSON_IsNull(c))
				continue;
			if (!cJSON_IsString(c)) {
				gitops_err_set(err, GITOPS_EXIT_INPUT, "%s.%.200s of a Secret must be a string, not %s%s", fields[i], c->string,
					 gitops_json_type_name(c), cJSON_IsObject(c) || cJSON_IsArray(c) ? "" : " (quote it)");
				return -1;
			}
			if (i == 0 && !is_std_base64(c->valuestring)) {
				gitops_err_set(err, GITOPS_EXIT_INPUT, "data.%.200s of a Secret is not valid base64 (stringData takes plain text)",
					 c->string);
				return -1;
			}
		}
	}
	return 0;
}

static int check_api_version(const char *s, struct gitops_err *err)
{
	const char *slash = strchr(s, '/');
	char group[254];
	size_t n;

	if (!*s || strchr(s, ' ')) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "apiVersion '%s' is malformed", s);
		return -1;
	}
	if (!slash)
		return 0;
	n = (size_t)(slash - s);
	if (strchr(slash + 1, '/') || !slash[1] || n == 0 || n >= sizeof(group)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "apiVersion '%s' is malformed (want GROUP/VERSION or VERSION)", s);
		return -1;
	}
	memcpy(group, s, n);
	group[n] = '\0';
	if (!is_dns_subdomain(group)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "apiVersion '%s' has an invalid group '%s'", s, group);
		return -1;
	}
	return 0;
}

/* The syntax of metadata.name and metadata.namespace (both strings when set: checked before). */
static int check_name_syntax(const cJSON *obj, struct gitops_err *err)
{
	const char *name = gitops_json_get_string(obj, "metadata", "name", NULL);
	const char *ns = gitops_json_get_string(obj, "metadata", "namespace", NULL);

	if (name && strlen(name) > 253) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata.name is longer than 253 characters ('%.40s...')", name);
		return -1;
	}
	if (name && (!strcmp(name, ".") || !strcmp(name, "..") || strpbrk(name, "/% \t"))) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata.name '%.80s' is not a valid name (no '/', '%%' or blanks; not '.' or '..')",
			 name);
		return -1;
	}
	if (ns && ns[0] && !is_dns_label(ns)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata.namespace '%.80s' is not a valid namespace name", ns);
		return -1;
	}
	return 0;
}

int gitops_object_check_names(const cJSON *obj, struct gitops_err *err)
{
	if (gitops_object_is_list(obj))
		return 0;
	return check_name_syntax(obj, err);
}

int gitops_object_check_lenient(const cJSON *obj, struct gitops_err *err)
{
	const cJSON *meta;

	if (gitops_object_is_list(obj))
		return 0;
	if (!cJSON_GetObjectItemCaseSensitive(obj, "apiVersion"))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "missing apiVersion");
	meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (check_string_map(meta, "labels", 0, err) < 0 || check_string_map(meta, "annotations", 0, err) < 0)
		return -1;
	if (!strcmp(gitops_json_get_string(obj, "kind", NULL) ? gitops_json_get_string(obj, "kind", NULL) : "", "Secret") &&
	    !strcmp(gitops_json_get_string(obj, "apiVersion", NULL), "v1") && check_secret(obj, err) < 0)
		return -1;
	return check_name_syntax(obj, err);
}

int gitops_object_check(const cJSON *obj, struct gitops_err *err)
{
	return gitops_object_check_flags(obj, 0, err);
}

int gitops_object_check_flags(const cJSON *obj, int flags, struct gitops_err *err)
{
	const cJSON *v, *meta, *name, *ns, *api;
	const char *k;

	if (!cJSON_IsObject(obj)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "expected a mapping (a Kubernetes object), found %s", gitops_json_type_name(obj));
		return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
	if (!v && !(flags & GITOPS_OBJECT_NO_API_VERSION)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "missing apiVersion");
		return -1;
	}
	if (v && !cJSON_IsString(v)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "apiVersion must be a string, not %s", gitops_json_type_name(v));
		return -1;
	}
	if (v && check_api_version(v->valuestring, err) < 0)
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(obj, "kind");
	if (!v) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "missing kind");
		return -1;
	}
	if (!cJSON_IsString(v)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "kind must be a string, not %s", gitops_json_type_name(v));
		return -1;
	}
	for (k = v->valuestring; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9')))
			break;
	if (!*v->valuestring || *k) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "kind '%s' is malformed", v->valuestring);
		return -1;
	}
	if (!strcmp(v->valuestring, "List")) {
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(obj, "items");
		if (items && !cJSON_IsArray(items) && !cJSON_IsNull(items)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "items of a List must be a sequence, not %s", gitops_json_type_name(items));
			return -1;
		}
		return 0;
	}
	if (gitops_object_is_list(obj))
		return 0;
	meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (!meta) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "missing metadata");
		return -1;
	}
	if (!cJSON_IsObject(meta)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata must be a mapping, not %s", gitops_json_type_name(meta));
		return -1;
	}
	name = cJSON_GetObjectItemCaseSensitive(meta, "name");
	if (!name || cJSON_IsNull(name)) {
		if (cJSON_GetObjectItemCaseSensitive(meta, "generateName"))
			gitops_err_set(err, GITOPS_EXIT_INPUT, "missing metadata.name (metadata.generateName cannot be applied)");
		else
			gitops_err_set(err, GITOPS_EXIT_INPUT, "missing metadata.name");
		return -1;
	}
	if (!cJSON_IsString(name)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata.name must be a string, not %s", gitops_json_type_name(name));
		return -1;
	}
	if (!name->valuestring[0]) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata.name is empty");
		return -1;
	}
	if (!(flags & GITOPS_OBJECT_NAMES_LENIENT) && check_name_syntax(obj, err) < 0)
		return -1;
	ns = cJSON_GetObjectItemCaseSensitive(meta, "namespace");
	if (ns && !cJSON_IsNull(ns) && !cJSON_IsString(ns)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "metadata.namespace must be a string, not %s", gitops_json_type_name(ns));
		return -1;
	}
	if (check_string_map(meta, "labels", flags & GITOPS_OBJECT_VALUES_LENIENT, err) < 0 ||
	    check_string_map(meta, "annotations", flags & GITOPS_OBJECT_VALUES_LENIENT, err) < 0)
		return -1;
	api = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
	if (!(flags & GITOPS_OBJECT_VALUES_LENIENT) && !strcmp(v->valuestring, "Secret") && api &&
	    !strcmp(api->valuestring, "v1"))
		return check_secret(obj, err);
	return 0;
}

int gitops_object_is_list(const cJSON *obj)
{
	const char *kind = gitops_json_get_string(obj, "kind", NULL);
	size_t n = kind ? strlen(kind) : 0;

	const cJSON *items = cJSON_GetObjectItemCaseSensitive(obj, "items");

	if (kind && !strcmp(kind, "List"))
		return !items || cJSON_IsArray(items) || cJSON_IsNull(items);
	return n >= 4 && strcmp(kind + n - 4, "List") == 0 && cJSON_IsArray(items);
}

int gitops_object_id(struct gitops_id *out, const cJSON *obj)
{
	const char *av = gitops_json_get_string(obj, "apiVersion", NULL);
	const char *slash;

	memset(out, 0, sizeof(*out));
	out->kind = gitops_json_get_string(obj, "kind", NULL);
	out->name = gitops_json_get_string(obj, "metadata", "name", NULL);
	out->namespace = gitops_json_get_string(obj, "metadata", "namespace", NULL);
	if (out->namespace && !out->namespace[0])
		out->namespace = NULL;
	if (!av || !out->kind || !out->name)
		return -1;
	slash = strchr(av, '/');
	if (slash) {
		snprintf(out->group, sizeof(out->group), "%.*s", (int)(slash - av), av);
		snprintf(out->version, sizeof(out->version), "%s", slash + 1);
	} else {
		snprintf(out->version, sizeof(out->version), "%s", av);
	}
	return 0;
}

void gitops_id_format(const struct gitops_id *id, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s/%s %s%s%s", id->group, id->group[0] ? "/" : "", id->version,
		 id->kind ? id->kind : "?", id->namespace ? id->namespace : "", id->namespace ? "/" : "",
		 id->name ? id->name : "?");
}

const char *gitops_object_label(const cJSON *obj, const char *key)
{
	return gitops_json_get_string(obj, "metadata", "labels", key, NULL);
}

const char *gitops_object_annotation(const cJSON *obj, const char *key)
{
	return gitops_json_get_string(obj, "metadata", "annotations", key, NULL);
}

char *gitops_object_provenance(const cJSON *obj)
{
	const char *src = gitops_object_annotation(obj, "gitops.dev/source");
	const char *file = gitops_object_annotation(obj, "gitops.dev/file");
	const char *rev = gitops_object_annotation(obj, "gitops.dev/revision");
	const char *sep = NULL, *p;
	char *out = NULL;
	size_t repo;

	if (!src || !*src || !rev || !*rev)
		return NULL;
	/* REPO//PATH: the first "//" that is not a URL's "scheme://" */
	for (p = strstr(src, "//"); p && !sep; p = strstr(p + 2, "//"))
		if (p > src && p[-1] != ':')
			sep = p;
	repo = sep ? (size_t)(sep - src) : strlen(src);
	if (file && *file) {
		if (asprintf(&out, "%.*s//%s@%.7s", (int)repo, src, file, rev) < 0)
			return NULL;
	} else if (asprintf(&out, "%s@%.7s", src, rev) < 0) {
		return NULL;
	}
	return out;
}

static int set_meta_map(cJSON *obj, const char *field, const char *key, const char *value)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata"), *m, *v;

	if (!cJSON_IsObject(meta)) {
		meta = cJSON_CreateObject();
		if (!meta)
			return -1;
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
		cJSON_AddItemToObject(obj, "metadata", meta);
	}
	m = cJSON_GetObjectItemCaseSensitive(meta, field);
	if (!cJSON_IsObject(m)) {
		m = cJSON_CreateObject();
		if (!m)
			return -1;
		cJSON_DeleteItemFromObjectCaseSensitive(meta, field);
		cJSON_AddItemToObject(meta, field, m);
	}
	v = cJSON_CreateString(value);
	if (!v)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(m, key))
		return cJSON_ReplaceItemInObjectCaseSensitive(m, key, v) ? 0 : -1;
	cJSON_AddItemToObject(m, key, v);
	return 0;
}

int gitops_object_set_annotation(cJSON *obj, const char *key, const char *value)
{
	return set_meta_map(obj, "annotations", key, value);
}

int gitops_object_set_label(cJSON *obj, const char *key, const char *value)
{
	return set_meta_map(obj, "labels", key, value);
}

struct idset_slot {
	uint64_t hash;          /* 0: empty */
	unsigned input, line;
};

struct gitops_idset {
	struct idset_slot *slots;
	size_t cap, n;
};

int gitops_idset_new(struct gitops_idset **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -1;
}

static uint64_t id_hash(const struct gitops_id *id)
{
	const char *parts[4] = { id->group, id->kind ? id->kind : "", id->namespace ? id->namespace : "",
				 id->name ? id->name : "" };
	uint64_t h = 14695981039346656037u;
	int i;

	for (i = 0; i < 4; i++) {
		const char *p;
		for (p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211u;
		h = (h ^ 0xff) * 1099511628211u; /* separator */
	}
	return h ? h : 1;
}

int gitops_idset_add(struct gitops_idset *s, const struct gitops_id *id, unsigned input, unsigned line,
		     unsigned *first_input, unsigned *first_line)
{
	uint64_t h = id_hash(id);
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024, j;
		struct idset_slot *slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return -1;
		for (j = 0; j < s->cap; j++) {
			if (!s->slots[j].hash)
				continue;
			i = s->slots[j].hash & (cap - 1);
			while (slots[i].hash)
				i = (i + 1) & (cap - 1);
			slots[i] = s->slots[j];
		}
		free(s->slots);
		s->slots = slots;
		s->cap = cap;
	}
	for (i = h & (s->cap - 1); s->slots[i].hash; i = (i + 1) & (s->cap - 1)) {
		if (s->slots[i].hash == h) {
			*first_input = s->slots[i].input;
			*first_line = s->slots[i].line;
			return 0;
		}
	}
	s->slots[i].hash = h;
	s->slots[i].input = input;
	s->slots[i].line = line;
	s->n++;
	return 1;
}

void gitops_idset_free(struct gitops_idset *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s);
}
