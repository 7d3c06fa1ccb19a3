/*
 * hash.c: kustomize's content hash (api/hasher) and the name suffixes the
 * top-level build adds with it (HashTransformer).
 *
 * A ConfigMap is hashed as the JSON of {kind, name, data[, binaryData]}, a
 * Secret as {kind, type, name, data[, stringData]}, keys sorted as Go's
 * encoding/json sorts them.  kustomize looks the name up as the single key
 * "metadata/name", which never exists: the name is always "".  A missing
 * data (or type) is "", a mapping its JSON, binaryData / stringData only
 * when they are mappings.  The hex SHA-256's first ten digits, with 0 1 3 a e mapped to
 * g h k m t, are the hash.  Other kinds are hashed as their whole JSON.
 */
#include "lib/kustomize/kz_fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/enc.h"
#include "lib/base/json.h"
#include "lib/value/value.h"

/* Go's encoding/json string: HTML-safe escapes, invalid UTF-8 as U+FFFD. */
static int go_string(struct gitops_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	static const char hex[] = "0123456789abcdef";

	if (gitops_buf_addstr(b, "\""))
		return -1;
	while (*p) {
		unsigned c = *p;
		size_t len = 0;
		unsigned cp = 0;
		const unsigned char *run = p;

		/* a run of bytes written as they are, in one append */
		while (*run >= 0x20 && *run < 0x80 && *run != '"' && *run != '\\' && *run != '<' && *run != '>' &&
		       *run != '&')
			run++;
		if (run != p) {
			if (gitops_buf_add(b, p, (size_t)(run - p)))
				return -1;
			p = run;
			continue;
		}
		if (c < 0x80) {
			char esc[7] = "\\u00";

			switch (c) {
			case '"':
				if (gitops_buf_addstr(b, "\\\""))
					return -1;
				break;
			case '\\':
				if (gitops_buf_addstr(b, "\\\\"))
					return -1;
				break;
			case '\n':
				if (gitops_buf_addstr(b, "\\n"))
					return -1;
				break;
			case '\r':
				if (gitops_buf_addstr(b, "\\r"))
					return -1;
				break;
			case '\t':
				if (gitops_buf_addstr(b, "\\t"))
					return -1;
				break;
			default:
				if (c < 0x20 || c == '<' || c == '>' || c == '&') {
					esc[4] = hex[c >> 4];
					esc[5] = hex[c & 15];
					esc[6] = 0;
					if (gitops_buf_addstr(b, esc))
						return -1;
				} else if (gitops_buf_add(b, p, 1)) {
					return -1;
				}
			}
			p++;
			continue;
		}
		/* decode one UTF-8 sequence, strictly (as Go's utf8.DecodeRuneInString) */
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		}
		if (len) {
			size_t i;

			for (i = 1; i < len; i++) {
				if ((p[i] & 0xc0) != 0x80) {
					len = 0;
					break;
				}
				cp = (cp << 6) | (p[i] & 0x3f);
			}
			if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
				len = 0;
			if (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
				len = 0;
		}
		if (!len) {
			if (gitops_buf_addstr(b, "\\ufffd"))
				return -1;
			p++;
			continue;
		}
		if (cp == 0x2028 || cp == 0x2029) {
			if (gitops_buf_addstr(b, cp == 0x2028 ? "\\u2028" : "\\u2029"))
				return -1;
		} else if (gitops_buf_add(b, p, len)) {
			return -1;
		}
		p += len;
	}
	return gitops_buf_addstr(b, "\"");
}

/* Go's json.Marshal of the value: maps with keys sorted. */
int kz_go_json(struct gitops_buf *b, const cJSON *v)
{
	if (cJSON_IsObject(v)) {
		const cJSON **keys = NULL;
		size_t n = 0, i;
		int rc = -1;

		if (gitops_value_sorted(&keys, &n, v))
			return -1;
		if (gitops_buf_addstr(b, "{"))
			goto out;
		for (i = 0; i < n; i++) {
			if ((i && gitops_buf_addstr(b, ",")) || go_string(b, keys[i]->string) || gitops_buf_addstr(b, ":") ||
			    kz_go_json(b, keys[i]))
				goto out;
		}
		rc = gitops_buf_addstr(b, "}");
out:
		free(keys);
		return rc;
	}
	if (cJSON_IsArray(v)) {
		const cJSON *it;
		int first = 1;

		if (gitops_buf_addstr(b, "["))
			return -1;
		cJSON_ArrayForEach(it, v) {
			if ((!first && gitops_buf_addstr(b, ",")) || kz_go_json(b, it))
				return -1;
			first = 0;
		}
		return gitops_buf_addstr(b, "]");
	}
	if (cJSON_IsString(v))
		return go_string(b, v->valuestring);
	if (cJSON_IsNumber(v)) {
		char num[128];

		return gitops_buf_addstr(b, gitops_value_format_number(num, sizeof(num), v));
	}
	if (cJSON_IsBool(v))
		return gitops_buf_addstr(b, cJSON_IsTrue(v) ? "true" : "false");
	return gitops_buf_addstr(b, "null");
}

/* A field as kustomize's hasher takes it: "" when missing (or null), else the value. */
/*
 * A field as kustomize's hasher takes it (getNodeValues): "" when missing
 * (or null), a mapping as its JSON, a sequence as null (it unmarshals into
 * a map), a scalar as its text.
 */
static int field_value(struct gitops_buf *b, const cJSON *v)
{
	char num[128];

	if (!v || cJSON_IsNull(v))
		return gitops_buf_addstr(b, "\"\"");
	if (cJSON_IsObject(v))
		return kz_go_json(b, v);
	if (cJSON_IsArray(v))
		return gitops_buf_addstr(b, "null");
	if (cJSON_IsNumber(v)) {
		struct gitops_buf t = GITOPS_BUF_INIT;
		cJSON tmp;
		int rc;

		memset(&tmp, 0, sizeof(tmp));
		tmp.type = cJSON_String;
		tmp.valuestring = gitops_value_format_number(num, sizeof(num), v);
		rc = kz_go_json(&t, &tmp) || gitops_buf_add(b, t.data, t.len);
		gitops_buf_release(&t);
		return rc;
	}
	if (cJSON_IsBool(v))
		return gitops_buf_addstr(b, cJSON_IsTrue(v) ? "\"true\"" : "\"false\"");
	return kz_go_json(b, v);
}

/* `key` and its value (with a leading comma unless first), only when the member is a mapping */
static int map_member(struct gitops_buf *b, const cJSON *obj, const char *key, int comma_after)
{
	const cJSON *v = gitops_value_get(obj, key);

	if (!cJSON_IsObject(v))
		return 0;
	return gitops_buf_printf(b, "\"%s\":", key) || kz_go_json(b, v) || (comma_after && gitops_buf_addstr(b, ","));
}

static int encode(struct gitops_buf *b, const cJSON *obj)
{
	const char *kind = gitops_json_get_string(obj, "kind", NULL);

	/* keys in Go's sorted order: binaryData, data, kind, name / data, kind, name, stringData, type */
	if (kind && !strcmp(kind, "ConfigMap"))
		return gitops_buf_addstr(b, "{") || map_member(b, obj, "binaryData", 1) ||
		       gitops_buf_addstr(b, "\"data\":") || field_value(b, gitops_value_get(obj, "data")) ||
		       gitops_buf_addstr(b, ",\"kind\":\"ConfigMap\",\"name\":\"\"}");
	if (kind && !strcmp(kind, "Secret")) {
		int string_data = cJSON_IsObject(gitops_value_get(obj, "stringData"));

		return gitops_buf_addstr(b, "{\"data\":") || field_value(b, gitops_value_get(obj, "data")) ||
		       gitops_buf_addstr(b, ",\"kind\":\"Secret\",\"name\":\"\",") ||
		       (string_data && map_member(b, obj, "stringData", 1)) || gitops_buf_addstr(b, "\"type\":") ||
		       field_value(b, gitops_value_get(obj, "type")) || gitops_buf_addstr(b, "}");
	}
	/* kustomize marshals the yaml.Node struct itself (styles, lines, columns): not reproduced; the
	 * object's JSON stands in */
	return kz_go_json(b, obj);
}

int kz_hash(char out[11], const cJSON *obj, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char hex[2 * GITOPS_SHA256_LEN + 1];
	int i;

	if (encode(&b, obj)) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	gitops_sha256_hex(hex, b.data ? b.data : "", b.len);
	gitops_buf_release(&b);
	if (!hex[0])
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "sha256 failed");
	for (i = 0; i < 10; i++) {
		switch (hex[i]) {
		case '0':
			out[i] = 'g';
			break;
		case '1':
			out[i] = 'h';
			break;
		case '3':
			out[i] = 'k';
			break;
		case 'a':
			out[i] = 'm';
			break;
		case 'e':
			out[i] = 't';
			break;
		default:
			out[i] = hex[i];
		}
	}
	out[10] = 0;
	return 0;
}

/* keep: leave the marker, as kustomize's HashTransformer does (a plugin run before the top-level pass makes
 * kustomize suffix twice: "cm-4h2mbtbbt6-4h2mbtbbt6") */
static int add_suffixes(struct kz_resmap *m, int keep, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		cJSON *obj = m->v[i];
		const char *flag = kz_res_annotation(obj, KZ_ANN_NEEDS_HASH);
		struct gitops_buf name = GITOPS_BUF_INIT;
		char h[11];
		struct kz_id id;
		int rc, enabled;

		if (!flag)
			continue;
		/* only "enabled" asks for the suffix (kubectl kustomize leaves "disabled" names alone) */
		enabled = !strcmp(flag, "enabled");
		if (!keep)
			kz_res_remove_annotation(obj, KZ_ANN_NEEDS_HASH);
		if (!enabled)
			continue;
		if (kz_hash(h, obj, err))
			return -1;
		kz_id_of(&id, obj);
		if (gitops_buf_printf(&name, "%s-%s", id.name, h))
			return gitops_err_oom(err);
		rc = kz_res_rename(obj, name.data, NULL, err);
		gitops_buf_release(&name);
		if (rc)
			return -1;
	}
	return 0;
}

int kz_add_hash_suffixes(struct kz_resmap *m, struct gitops_err *err)
{
	return add_suffixes(m, 0, err);
}

int kz_hash_transformer(struct kz_resmap *m, struct gitops_err *err)
{
	return add_suffixes(m, 1, err);
}
