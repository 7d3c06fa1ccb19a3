/*
 * builtins.c: .Chart (helm v3.17.2's chart.Metadata, pkg/chart/metadata.go,
 * dependency.go, as the loader reads Chart.yaml and validates it), the
 * method table of the built-in objects, and what capabilities.c and
 * filesobj.c share.
 *
 * .Chart is what helm's engine gives templates: struct { chart.Metadata;
 * IsRoot bool }, a struct value (typeOf names it so; a missing field is
 * "can't evaluate field X in type interface {}", since it is reached
 * through a map) whose Maintainers and Dependencies hold pointers
 * (*chart.Maintainer, *chart.Dependency: Go prints their addresses; here
 * their fields).  toJson follows the json tags (omitempty everywhere but a
 * dependency's name and repository), promoting Metadata's fields beside
 * IsRoot.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/render/helm/builtins_int.h"
#include "lib/render/helm/helm_int.h"
#include "lib/template/funcs/funcs.h"
#include "lib/value/value.h"

/* ------------------------------------------------------------ shared helpers */

int hb_call(const char *name, struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, size_t n,
	    struct gitops_err *err)
{
	/* found in place: a copy of the whole table for each call was most of a call's cost */
	const struct gitops_tmpl_func *f = gitops_tmpl_funcs_find(name);

	*out = NULL;
	if (!f)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "no function %s", name);
	return f->fn(out, NULL, args, n, err);
}

int hb_set(struct gitops_tmpl_value *st, const char *key, struct gitops_tmpl_value *val)
{
	return val ? gitops_tmpl_map_set(st, key, strlen(key), val) : -1;
}

int hb_fields(struct gitops_tmpl_value *st, const char *const *fields)
{
	struct gitops_tmpl_value *l = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST);
	size_t i;

	if (!l)
		return -1;
	for (i = 0; fields[i]; i++)
		if (gitops_tmpl_list_push(l, gitops_tmpl_value_cstring(fields[i])) < 0) {
			gitops_tmpl_value_unref(l);
			return -1;
		}
	return hb_set(st, GITOPS_TMPL_FIELDS, l);
}

/* ------------------------------------------------------------ the method table */

#define S GITOPS_TMPL_P_STRING
static const struct gitops_tmpl_func builtin_funcs[] = {
	{ "Has", hb_versionset_has, 1, 0, { S }, "chartutil.VersionSet" },
	{ "String", hb_kubeversion_string, 0, 0, { 0 }, "chartutil.KubeVersion" },
	{ "GitVersion", hb_kubeversion_string, 0, 0, { 0 }, "chartutil.KubeVersion" },
	{ "Get", hb_files_get, 1, 0, { S }, "engine.files" },
	{ "GetBytes", hb_files_getbytes, 1, 0, { S }, "engine.files" },
	{ "Glob", hb_files_glob, 1, 0, { S }, "engine.files" },
	{ "Lines", hb_files_lines, 1, 0, { S }, "engine.files" },
	{ "AsConfig", hb_files_asconfig, 0, 0, { 0 }, "engine.files" },
	{ "AsSecrets", hb_files_assecrets, 0, 0, { 0 }, "engine.files" },
};
#undef S

const struct gitops_tmpl_func *gitops_helm_builtin_funcs(size_t *n)
{
	*n = sizeof(builtin_funcs) / sizeof(builtin_funcs[0]);
	return builtin_funcs;
}

/* ------------------------------------------------------------ Chart.yaml into chart.Metadata */

enum ftype { F_STRING, F_STRINGS, F_BOOL, F_MAP, F_ANYS, F_MAINTAINERS, F_DEPENDENCIES };

struct fdesc {
	const char *go, *json, *tag; /* tag: the Go struct's json tag, for GITOPS_TMPL_FIELDS */
	enum ftype type;
	int sanitize;                /* Validate's sanitizeString applies */
};

struct sdesc {
	const char *name, *type; /* Go's name in errors ("Metadata"), typeOf's ("*chart.Maintainer") */
	const struct fdesc *f;
	size_t n;
};

static const struct fdesc metadata_f[] = {
	{ "Name", "name", "name,omitempty", F_STRING, 1 },
	{ "Home", "home", "home,omitempty", F_STRING, 1 },
	{ "Sources", "sources", "sources,omitempty", F_STRINGS, 1 },
	{ "Version", "version", "version,omitempty", F_STRING, 0 },
	{ "Description", "description", "description,omitempty", F_STRING, 1 },
	{ "Keywords", "keywords", "keywords,omitempty", F_STRINGS, 1 },
	{ "Maintainers", "maintainers", "maintainers,omitempty", F_MAINTAINERS, 0 },
	{ "Icon", "icon", "icon,omitempty", F_STRING, 1 },
	{ "APIVersion", "apiVersion", "apiVersion,omitempty", F_STRING, 0 },
	{ "Condition", "condition", "condition,omitempty", F_STRING, 1 },
	{ "Tags", "tags", "tags,omitempty", F_STRING, 1 },
	{ "AppVersion", "appVersion", "appVersion,omitempty", F_STRING, 1 },
	{ "Deprecated", "deprecated", "deprecated,omitempty", F_BOOL, 0 },
	{ "Annotations", "annotations", "annotations,omitempty", F_MAP, 0 },
	{ "KubeVersion", "kubeVersion", "kubeVersion,omitempty", F_STRING, 1 },
	{ "Dependencies", "dependencies", "dependencies,omitempty", F_DEPENDENCIES, 0 },
	{ "Type", "type", "type,omitempty", F_STRING, 0 },
};

static const struct fdesc maintainer_f[] = {
	{ "Name", "name", "name,omitempty", F_STRING, 1 },
	{ "Email", "email", "email,omitempty", F_STRING, 1 },
	{ "URL", "url", "url,omitempty", F_STRING, 1 },
};

static const struct fdesc dependency_f[] = {
	{ "Name", "name", "name", F_STRING, 1 },
	{ "Version", "version", "version,omitempty", F_STRING, 1 },
	{ "Repository", "repository", "repository", F_STRING, 1 },
	{ "Condition", "condition", "condition,omitempty", F_STRING, 1 },
	{ "Tags", "tags", "tags,omitempty", F_STRINGS, 1 },
	{ "Enabled", "enabled", "enabled,omitempty", F_BOOL, 0 },
	{ "ImportValues", "import-values", "import-values,omitempty", F_ANYS, 0 },
	{ "Alias", "alias", "alias,omitempty", F_STRING, 0 },
};

#define NF(a) (sizeof(a) / sizeof(a[0]))
static const struct sdesc metadata_s = { "Metadata", "chart.Metadata", metadata_f, NF(metadata_f) };
static const struct sdesc maintainer_s = { "Maintainer", "*chart.Maintainer", maintainer_f, NF(maintainer_f) };
static const struct sdesc dependency_s = { "Dependency", "*chart.Dependency", dependency_f, NF(dependency_f) };

#define LOAD_PREFIX "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: "

/* JSON's name of a node's kind, as UnmarshalTypeError's Value */
static const char *json_kind(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "bool";
	if (cJSON_IsArray(v))
		return "array";
	if (cJSON_IsObject(v))
		return "object";
	return "null";
}

static int type_error(struct gitops_err *err, const cJSON *v, const char *sname, const char *path, const char *type)
{
	return gitops_err_set(err, GITOPS_EXIT_INPUT, LOAD_PREFIX "cannot unmarshal %s into Go struct field %s.%s of type %s",
			      json_kind(v), sname, path, type);
}

/*
 * strconv.FormatFloat(f, 'g', -1, 32), as sigs.k8s.io/yaml writes a float
 * into a string field: the shortest digits that read back as the same
 * float32, %e form for an exponent below -4 or from 21 on.
 */
static void format_float32(char *out, size_t size, double d)
{
	float f = (float)d;
	char buf[64], digits[32];
	int p, exp = 0, nd = 0;
	size_t i;

	if (isnan(f)) {
		snprintf(out, size, "NaN");
		return;
	}
	if (isinf(f)) {
		snprintf(out, size, f > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (f == 0) {
		snprintf(out, size, signbit(f) ? "-0" : "0");
		return;
	}
	for (p = 1; p <= 9; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, (double)f);
		if (strtof(buf, NULL) == f)
			break;
	}
	/* buf: [-]d.ddde[+-]XX */
	for (i = 0; buf[i] && buf[i] != 'e'; i++)
		if (buf[i] >= '0' && buf[i] <= '9')
			digits[nd++] = buf[i];
	digits[nd] = 0;
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = 0;
	if (buf[i] == 'e')
		exp = atoi(buf + i + 1);
	{
		char *o = out, *end = out + size - 1;
		if (f < 0 && o < end)
			*o++ = '-';
		if (exp < -4 || exp >= 21) {
			int k;
			*o++ = digits[0];
			if (nd > 1) {
				*o++ = '.';
				for (k = 1; k < nd && o < end; k++)
					*o++ = digits[k];
			}
			snprintf(o, (size_t)(end - o + 1), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
			return;
		}
		if (exp < 0) {
			int k;
			*o++ = '0';
			*o++ = '.';
			for (k = -1; k > exp && o < end; k--)
				*o++ = '0';
			for (k = 0; k < nd && o < end; k++)
				*o++ = digits[k];
		} else {
			int k;
			for (k = 0; k <= exp && o < end; k++)
				*o++ = k < nd ? digits[k] : '0';
			if (nd > exp + 1) {
				*o++ = '.';
				for (k = exp + 1; k < nd && o < end; k++)
					*o++ = digits[k];
			}
		}
		*o = 0;
	}
}

/* a scalar for a string field (sigs.k8s.io/yaml turns numbers and booleans into their text); NULL: no scalar */
static struct gitops_tmpl_value *scalar_string(const cJSON *v)
{
	char buf[64];

	if (cJSON_IsString(v))
		return gitops_tmpl_value_cstring(v->valuestring);
	if (cJSON_IsBool(v))
		return gitops_tmpl_value_cstring(cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNumber(v)) {
		if (gitops_value_kind(v) == GITOPS_VALUE_KIND_INT)
			return gitops_tmpl_value_cstring(gitops_value_format_number(buf, sizeof(buf), v));
		format_float32(buf, sizeof(buf), v->valuedouble);
		return gitops_tmpl_value_cstring(buf);
	}
	return NULL;
}

void helm_scalar_text(char *buf, size_t size, const cJSON *v)
{
	if (cJSON_IsBool(v))
		snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNumber(v) && gitops_value_kind(v) == GITOPS_VALUE_KIND_INT)
		gitops_value_format_number(buf, size, v);
	else if (cJSON_IsNumber(v))
		format_float32(buf, size, v->valuedouble);
	else
		snprintf(buf, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

#define OOM ((struct gitops_tmpl_value *)1)

static int decode_struct(struct gitops_tmpl_value **out, const cJSON *obj, const struct sdesc *sd, const char *path,
			 struct gitops_err *err);

/* one field's value from v; *out NULL when v is null (the field keeps its value) */
static int decode_field(struct gitops_tmpl_value **out, const cJSON *v, const struct sdesc *sd, const struct fdesc *fd,
			const char *path, struct gitops_err *err)
{
	struct gitops_tmpl_value *r = NULL;
	const cJSON *c;

	*out = NULL;
	if (cJSON_IsNull(v))
		return 0;
	switch (fd->type) {
	case F_STRING:
		if (!(r = scalar_string(v)))
			return cJSON_IsArray(v) || cJSON_IsObject(v) ? type_error(err, v, sd->name, path, "string")
								    : gitops_err_oom(err);
		break;
	case F_BOOL:
		if (!cJSON_IsBool(v))
			return type_error(err, v, sd->name, path, "bool");
		r = gitops_tmpl_value_bool(cJSON_IsTrue(v));
		break;
	case F_STRINGS:
		if (!cJSON_IsArray(v))
			return type_error(err, v, sd->name, path, "[]string");
		if (!(r = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST)))
			break;
		cJSON_ArrayForEach(c, v) {
			struct gitops_tmpl_value *s = cJSON_IsNull(c) ? gitops_tmpl_value_cstring("") : scalar_string(c);
			if (!s && (cJSON_IsArray(c) || cJSON_IsObject(c))) {
				gitops_tmpl_value_unref(r);
				return type_error(err, c, sd->name, path, "string");
			}
			if (gitops_tmpl_list_push(r, s) < 0) {
				gitops_tmpl_value_unref(r);
				return gitops_err_oom(err);
			}
		}
		break;
	case F_MAP:
		if (!cJSON_IsObject(v))
			return type_error(err, v, sd->name, path, "map[string]string");
		if (!(r = gitops_tmpl_value_map("map[string]string")))
			break;
		cJSON_ArrayForEach(c, v) {
			struct gitops_tmpl_value *s = cJSON_IsNull(c) ? gitops_tmpl_value_cstring("") : scalar_string(c);
			if (!s && (cJSON_IsArray(c) || cJSON_IsObject(c))) {
				gitops_tmpl_value_unref(r);
				return type_error(err, c, sd->name, path, "string");
			}
			if (!s || gitops_tmpl_map_set(r, c->string, strlen(c->string), s) < 0) {
				gitops_tmpl_value_unref(r);
				return gitops_err_oom(err);
			}
		}
		break;
	case F_ANYS:
		if (!cJSON_IsArray(v))
			return type_error(err, v, sd->name, path, "[]interface {}");
		if (gitops_tmpl_value_from_tree(&r, v, 0, err) < 0)
			return -1;
		break;
	case F_MAINTAINERS:
	case F_DEPENDENCIES: {
		int maint = fd->type == F_MAINTAINERS;
		const struct sdesc *item = maint ? &maintainer_s : &dependency_s;
		if (!cJSON_IsArray(v))
			return type_error(err, v, sd->name, path, maint ? "[]*chart.Maintainer" : "[]*chart.Dependency");
		if (!(r = gitops_tmpl_value_named_list(GITOPS_TMPL_LIST,
							maint ? "[]*chart.Maintainer" : "[]*chart.Dependency")))
			break;
		cJSON_ArrayForEach(c, v) {
			struct gitops_tmpl_value *s = NULL;
			if (cJSON_IsNull(c)) {
				s = gitops_tmpl_value_nil();
			} else if (!cJSON_IsObject(c)) {
				gitops_tmpl_value_unref(r);
				return type_error(err, c, sd->name, path, maint ? "chart.Maintainer" : "chart.Dependency");
			} else if (decode_struct(&s, c, item, path, err) < 0) {
				gitops_tmpl_value_unref(r);
				return -1;
			}
			if (gitops_tmpl_list_push(r, s) < 0) {
				gitops_tmpl_value_unref(r);
				return gitops_err_oom(err);
			}
		}
		break;
	}
	}
	if (!r)
		return gitops_err_oom(err);
	*out = r;
	return 0;
}

static struct gitops_tmpl_value *zero_of(enum ftype t)
{
	switch (t) {
	case F_STRING:
		return gitops_tmpl_value_cstring("");
	case F_BOOL:
		return gitops_tmpl_value_bool(0);
	/* Go's zero slices and maps are nil: toJson writes null */
	case F_STRINGS:
		return gitops_tmpl_value_nil_of(GITOPS_TMPL_STRLIST);
	case F_MAP:
		return gitops_tmpl_value_named_nil_of(GITOPS_TMPL_MAP, "map[string]string");
	case F_ANYS:
		return gitops_tmpl_value_nil_of(GITOPS_TMPL_LIST);
	case F_MAINTAINERS:
		return gitops_tmpl_value_named_nil_of(GITOPS_TMPL_LIST, "[]*chart.Maintainer");
	case F_DEPENDENCIES:
		return gitops_tmpl_value_named_nil_of(GITOPS_TMPL_LIST, "[]*chart.Dependency");
	}
	return NULL;
}

/* sd's fields set to their zero values, and its GITOPS_TMPL_FIELDS (wrap: "{Metadata" ... "}" then IsRoot) */
/* a, then sep and b when sep: snprintf's "%s%s%s" into out (size > 0), truncated as it truncates */
static void join(char *out, size_t size, const char *a, const char *sep, const char *b)
{
	const char *parts[3] = { a, sep, b };
	size_t o = 0;

	for (size_t k = 0; k < 3; k++) {
		size_t n = strlen(parts[k]);
		if (n > size - 1 - o)
			n = size - 1 - o;
		memcpy(out + o, parts[k], n);
		o += n;
	}
	out[o] = '\0';
}

static int zero_struct(struct gitops_tmpl_value *st, const struct sdesc *sd, struct gitops_tmpl_value *fields)
{
	size_t i;
	char spec[128];

	for (i = 0; i < sd->n; i++) {
		join(spec, sizeof(spec), sd->f[i].go, " ", sd->f[i].tag);
		if (hb_set(st, sd->f[i].go, zero_of(sd->f[i].type)) < 0 ||
		    gitops_tmpl_list_push(fields, gitops_tmpl_value_cstring(spec)) < 0)
			return -1;
	}
	return 0;
}

/*
 * encoding/json into a struct: each key of obj, in order, sets the field
 * whose json name it is (exactly, else ignoring case); unknown keys are
 * ignored; the first type error fails.
 */
static int decode_into(struct gitops_tmpl_value *st, const cJSON *obj, const struct sdesc *sd, const char *path,
		       struct gitops_err *err)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, obj) {
		const struct fdesc *fd = NULL;
		struct gitops_tmpl_value *v;
		char fpath[256];
		size_t i;

		for (i = 0; i < sd->n && !fd; i++)
			if (!strcmp(sd->f[i].json, c->string))
				fd = &sd->f[i];
		for (i = 0; i < sd->n && !fd; i++)
			if (!strcasecmp(sd->f[i].json, c->string))
				fd = &sd->f[i];
		if (!fd)
			continue;
		join(fpath, sizeof(fpath), path, *path ? "." : "", fd->json);
		if (decode_field(&v, c, sd, fd, fpath, err) < 0)
			return -1;
		if (v && hb_set(st, fd->go, v) < 0)
			return gitops_err_oom(err);
	}
	return 0;
}

static int decode_struct(struct gitops_tmpl_value **out, const cJSON *obj, const struct sdesc *sd, const char *path,
			 struct gitops_err *err)
{
	struct gitops_tmpl_value *st = gitops_tmpl_value_struct(sd->type);
	struct gitops_tmpl_value *fields = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST);

	*out = NULL;
	/* the struct holds the list from the start (a reference: filled after), so nothing leaks on failure */
	if (!st || !fields || hb_set(st, GITOPS_TMPL_FIELDS, gitops_tmpl_value_ref(fields)) < 0 ||
	    zero_struct(st, sd, fields) < 0) {
		gitops_tmpl_value_unref(fields);
		gitops_tmpl_value_unref(st);
		return gitops_err_oom(err);
	}
	gitops_tmpl_value_unref(fields);
	if (decode_into(st, obj, sd, path, err) < 0) {
		gitops_tmpl_value_unref(st);
		return -1;
	}
	*out = st;
	return 0;
}

/* ------------------------------------------------------------ Validate */

/* unicode.IsSpace beyond ASCII */
static int is_space_rune(unsigned r)
{
	return r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 ||
	       r == 0x202F || r == 0x205F || r == 0x3000;
}


/* unicode.IsPrint of a rune beyond ASCII: Go's %q keeps exactly the printable runes as they are */
static int is_print_rune(const unsigned char *s, size_t size)
{
	struct gitops_tmpl_value *v = gitops_tmpl_value_string((const char *)s, size);
	struct gitops_buf b = GITOPS_BUF_INIT;
	int r;

	if (!v)
		return 1;
	r = gitops_tmpl_sprintf(&b, "%q", 2, &v, 1) == 0 && b.len == size + 2 && !memcmp(b.data + 1, s, size);
	gitops_tmpl_value_unref(v);
	gitops_buf_release(&b);
	return r;
}

/* sanitizeString: spaces to ' ', unprintable runes dropped (a bad byte is U+FFFD, printable) */
static int sanitize_value(struct gitops_tmpl_value **v)
{
	size_t len, i = 0, sz;
	const unsigned char *s = (const unsigned char *)gitops_tmpl_value_str(*v, &len);
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_tmpl_value *nv;

	if (!s)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] >= 0x7F)
			break;
	if (i == len)
		return 0;
	for (i = 0; i < len; i += sz) {
		unsigned r = gitops_tmpl_decode_rune((const char *)s + i, len - i, &sz);
		int ok;
		if (r < 0x80) {
			if (r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r')
				ok = gitops_buf_add(&b, " ", 1);
			else if (r >= 0x20 && r < 0x7F)
				ok = gitops_buf_add(&b, s + i, 1);
			else
				ok = 0;
		} else if (is_space_rune(r)) {
			ok = gitops_buf_add(&b, " ", 1);
		} else if (r == 0xFFFD && sz == 1) {
			ok = gitops_buf_add(&b, "\xEF\xBF\xBD", 3);
		} else {
			ok = is_print_rune(s + i, sz) ? gitops_buf_add(&b, s + i, sz) : 0;
		}
		if (ok < 0) {
			gitops_buf_release(&b);
			return -1;
		}
	}
	nv = gitops_tmpl_value_string(b.data ? b.data : "", b.len);
	gitops_buf_release(&b);
	if (!nv)
		return -1;
	gitops_tmpl_value_unref(*v);
	*v = nv;
	return 0;
}

/* sanitize the string fields sd marks (and the items of marked []string fields) of struct st */
static int sanitize_struct(struct gitops_tmpl_value *st, const struct sdesc *sd)
{
	size_t i, k;

	for (i = 0; i < sd->n; i++) {
		struct gitops_tmpl_value *v;
		if (!sd->f[i].sanitize)
			continue;
		v = gitops_tmpl_map_get(st, sd->f[i].go, strlen(sd->f[i].go));
		if (sd->f[i].type == F_STRING) {
			struct gitops_tmpl_value *nv = gitops_tmpl_value_ref(v);
			if (sanitize_value(&nv) < 0 || hb_set(st, sd->f[i].go, nv) < 0)
				return -1;
		} else if (sd->f[i].type == F_STRINGS) {
			struct gitops_tmpl_value *nl;
			if (gitops_tmpl_value_is_nil_of(v))
				continue; /* a nil slice stays nil */
			nl = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST);
			if (!nl)
				return -1;
			for (k = 0; k < gitops_tmpl_value_len(v); k++) {
				struct gitops_tmpl_value *it = gitops_tmpl_value_ref(gitops_tmpl_value_item(v, k));
				if (sanitize_value(&it) < 0) {
					gitops_tmpl_value_unref(it);
					gitops_tmpl_value_unref(nl);
					return -1;
				}
				if (gitops_tmpl_list_push(nl, it) < 0) {
					gitops_tmpl_value_unref(nl);
					return -1;
				}
			}
			if (hb_set(st, sd->f[i].go, nl) < 0)
				return -1;
		}
	}
	return 0;
}

static const char *field_str(const struct gitops_tmpl_value *st, const char *go)
{
	const char *s = gitops_tmpl_value_str(gitops_tmpl_map_get(st, go, strlen(go)), NULL);

	return s ? s : "";
}

static int validation_error(struct gitops_err *err, const char *fmt, const char *arg)
{
	struct gitops_buf q = GITOPS_BUF_INIT;
	struct gitops_tmpl_value *v = NULL;

	if (arg) {
		/* %q as Go's: the argument is sanitized already, so printable */
		if (!(v = gitops_tmpl_value_cstring(arg)) || gitops_tmpl_sprintf(&q, "%q", 2, &v, 1) < 0) {
			gitops_tmpl_value_unref(v);
			gitops_buf_release(&q);
			return gitops_err_oom(err);
		}
		gitops_tmpl_value_unref(v);
	}
	gitops_err_set(err, GITOPS_EXIT_INPUT, fmt, q.data ? q.data : "");
	gitops_buf_release(&q);
	return -1;
}

static int alias_ok(const char *a)
{
	if (!*a)
		return 0;
	for (; *a; a++)
		if (!((*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z') || (*a >= '0' && *a <= '9') || *a == '_' ||
		      *a == '-'))
			return 0;
	return 1;
}

/* Metadata.Validate: sanitize, then its checks in its order */
static int validate(struct gitops_tmpl_value *md, struct gitops_err *err)
{
	const struct gitops_tmpl_value *l;
	const char *name, *version, *type;
	struct gitops_tmpl_value *arg = NULL, *ver = NULL;
	struct gitops_err e2 = { 0 };
	size_t i, k;

	if (sanitize_struct(md, &metadata_s) < 0)
		return gitops_err_oom(err);
	l = gitops_tmpl_map_get(md, "Maintainers", 11);
	for (i = 0; i < gitops_tmpl_value_len(l); i++) {
		struct gitops_tmpl_value *m = gitops_tmpl_value_item(l, i);
		if (gitops_tmpl_value_kind(m) == GITOPS_TMPL_MAP && sanitize_struct(m, &maintainer_s) < 0)
			return gitops_err_oom(err);
	}
	l = gitops_tmpl_map_get(md, "Dependencies", 12);
	for (i = 0; i < gitops_tmpl_value_len(l); i++) {
		struct gitops_tmpl_value *d = gitops_tmpl_value_item(l, i);
		if (gitops_tmpl_value_kind(d) == GITOPS_TMPL_MAP && sanitize_struct(d, &dependency_s) < 0)
			return gitops_err_oom(err);
	}
	if (!*field_str(md, "APIVersion"))
		return validation_error(err, "validation: chart.metadata.apiVersion is required", NULL);
	name = field_str(md, "Name");
	if (!*name)
		return validation_error(err, "validation: chart.metadata.name is required", NULL);
	if (strchr(name, '/') && strcmp(name, "/"))
		return validation_error(err, "validation: chart.metadata.name %s is invalid", name);
	version = field_str(md, "Version");
	if (!*version)
		return validation_error(err, "validation: chart.metadata.version is required", NULL);
	if (!(arg = gitops_tmpl_value_cstring(version)))
		return gitops_err_oom(err);
	i = hb_call("semver", &ver, &arg, 1, &e2) < 0;
	gitops_tmpl_value_unref(arg);
	gitops_tmpl_value_unref(ver);
	if (i) {
		if (e2.code == GITOPS_EXIT_INTERNAL) {
			*err = e2;
			return -1;
		}
		return validation_error(err, "validation: chart.metadata.version %s is invalid", version);
	}
	type = field_str(md, "Type");
	if (*type && strcmp(type, "application") && strcmp(type, "library"))
		return validation_error(err, "validation: chart.metadata.type must be application or library", NULL);
	l = gitops_tmpl_map_get(md, "Maintainers", 11);
	for (i = 0; i < gitops_tmpl_value_len(l); i++)
		if (gitops_tmpl_value_kind(gitops_tmpl_value_item(l, i)) == GITOPS_TMPL_NIL)
			return validation_error(err, "validation: maintainers must not contain empty or null nodes", NULL);
	l = gitops_tmpl_map_get(md, "Dependencies", 12);
	for (i = 0; i < gitops_tmpl_value_len(l); i++) {
		const struct gitops_tmpl_value *d = gitops_tmpl_value_item(l, i);
		const char *key, *alias;
		if (gitops_tmpl_value_kind(d) == GITOPS_TMPL_NIL)
			return validation_error(err, "validation: dependencies must not contain empty or null nodes", NULL);
		alias = field_str(d, "Alias");
		if (*alias && !alias_ok(alias))
			return validation_error(err, "validation: dependency %s has disallowed characters in the alias",
						field_str(d, "Name"));
		key = *alias ? alias : field_str(d, "Name");
		for (k = 0; k < i; k++) {
			const struct gitops_tmpl_value *o = gitops_tmpl_value_item(l, k);
			const char *ok = *field_str(o, "Alias") ? field_str(o, "Alias") : field_str(o, "Name");
			if (!strcmp(ok, key))
				return validation_error(err, "validation: more than one dependency with name or alias %s", key);
		}
	}
	return 0;
}

int gitops_helm_chart_value_ex(struct gitops_tmpl_value **out, const cJSON *chart_yaml, int is_root,
			       struct gitops_err *err)
{
	struct gitops_tmpl_value *st, *fields;

	*out = NULL;
	if (chart_yaml && !cJSON_IsObject(chart_yaml) && !cJSON_IsNull(chart_yaml))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, LOAD_PREFIX "cannot unmarshal %s into Go value of type chart.Metadata",
				      json_kind(chart_yaml));
	st = gitops_tmpl_value_struct("struct { chart.Metadata; IsRoot bool }");
	fields = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST);
	if (!st || !fields || hb_set(st, GITOPS_TMPL_FIELDS, gitops_tmpl_value_ref(fields)) < 0 ||
	    gitops_tmpl_list_push(fields, gitops_tmpl_value_cstring("{Metadata")) < 0 ||
	    zero_struct(st, &metadata_s, fields) < 0 || gitops_tmpl_list_push(fields, gitops_tmpl_value_cstring("}")) < 0 ||
	    gitops_tmpl_list_push(fields, gitops_tmpl_value_cstring("IsRoot")) < 0 ||
	    hb_set(st, "IsRoot", gitops_tmpl_value_bool(is_root)) < 0) {
		gitops_tmpl_value_unref(fields);
		gitops_tmpl_value_unref(st);
		return gitops_err_oom(err);
	}
	gitops_tmpl_value_unref(fields);
	if (cJSON_IsObject(chart_yaml) && decode_into(st, chart_yaml, &metadata_s, "", err) < 0)
		goto fail;
	/* the loader: an absent apiVersion is v1 */
	if (!*field_str(st, "APIVersion") && hb_set(st, "APIVersion", gitops_tmpl_value_cstring("v1")) < 0) {
		gitops_err_oom(err);
		goto fail;
	}
	if (validate(st, err) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	gitops_tmpl_value_unref(st);
	return -1;
}

int gitops_helm_chart_value(struct gitops_tmpl_value **out, const cJSON *chart_yaml, struct gitops_err *err)
{
	return gitops_helm_chart_value_ex(out, chart_yaml, 1, err);
}
