/*
 * replace.c: kustomize's replacements (api/filters/replacement): a value
 * read from one source resource copied into fields of target resources,
 * from `replacements:` (inline, or `path:` files holding one replacement or
 * a list of them) and the ReplacementTransformer plugin.
 *
 * As kustomize v5.5: source and target selectors compare group, version,
 * kind, name and namespace exactly (no regular expressions) against a
 * resource's current id and every earlier one; targets may also select
 * by labels and annotations and `reject` resources.  fieldPath defaults
 * to metadata.name in both; paths are kyaml's (lib/value/path.h
 * GITOPS_PATH_REPLACEMENT: `[name=x]` items, `*` every item).  Options:
 * delimiter + index (a part of the source; in a target, the part
 * replaced, prefixed when index < 0, suffixed past the end) and create.
 * A scalar target keeps its type when the new text still reads as one
 * (replicas "3" stays the integer 3).  Errors in kustomize's words:
 * "nothing selected by ...", "multiple matches for selector ...",
 * "fieldPath `...` is missing for replacement source ...",
 * "unable to find field \"...\" in replacement target".
 *
 * Ownership: kz.h.  A failed replacement leaves the map as it was.
 */
#include "lib/kustomize/kz_patch.h"
#include "lib/kustomize/kz_links.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/json.h"
#include "lib/value/path.h"
#include "lib/value/value.h"
#include "lib/yaml/scalar.h"
#include "lib/yaml/yaml.h"

static const char *sfield(const cJSON *sel, const char *key)
{
	const cJSON *v = gitops_value_get(sel, key);

	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* kustomize's ResId text of a selector: Kind.version.group/name.namespace */
static void sel_text(struct gitops_buf *b, const cJSON *sel)
{
	const char *g = sfield(sel, "group"), *v = sfield(sel, "version"), *k = sfield(sel, "kind");
	const char *n = sfield(sel, "name"), *ns = sfield(sel, "namespace");

	gitops_buf_printf(b, "%s.%s.%s/%s.%s", k ? k : "[noKind]", v ? v : "[noVer]", g ? g : "[noGrp]",
			  n ? n : "[noName]", ns ? ns : "[noNs]");
}

static int eq_or_any(const char *want, const char *have)
{
	return !want || !strcmp(want, have);
}

static int ns_eq(const char *want, const char *have)
{
	if (!want)
		return 1;
	if (!strcmp(want, "default") && !*have)
		return 1;
	return !strcmp(want, have);
}

/* The n-th item of a comma-separated list into buf ("" past the end); 1 if it exists. */
static int nth(char *buf, size_t size, const char *list, size_t n)
{
	size_t i;

	buf[0] = 0;
	if (!list)
		return 0;
	for (i = 0; i < n; i++) {
		const char *c = strchr(list, ',');

		if (!c)
			return 0;
		list = c + 1;
	}
	i = strcspn(list, ",");
	if (i >= size)
		i = size - 1;
	memcpy(buf, list, i);
	buf[i] = 0;
	return 1;
}

/* Does the selector's id part select the resource by its current or an earlier id? */
static int id_selected(const cJSON *sel, const cJSON *obj)
{
	struct kz_id id;
	const char *pn = kz_res_annotation(obj, KZ_ANN_PREV_NAMES);
	const char *pk = kz_res_annotation(obj, KZ_ANN_PREV_KINDS);
	const char *pns = kz_res_annotation(obj, KZ_ANN_PREV_NAMESPACES);
	size_t i;

	kz_id_of(&id, obj);
	if (!eq_or_any(sfield(sel, "group"), id.group) || !eq_or_any(sfield(sel, "version"), id.version))
		return 0;
	if (eq_or_any(sfield(sel, "kind"), id.kind) && eq_or_any(sfield(sel, "name"), id.name) &&
	    ns_eq(sfield(sel, "namespace"), id.ns))
		return 1;
	for (i = 0; pn; i++) {
		char name[254], kind[254], ns[254];

		if (!nth(name, sizeof(name), pn, i))
			break;
		if (!nth(kind, sizeof(kind), pk, i))
			snprintf(kind, sizeof(kind), "%s", id.kind);
		nth(ns, sizeof(ns), pns, i);
		if (!strcmp(ns, "[noNs]"))
			ns[0] = 0;
		if (eq_or_any(sfield(sel, "kind"), kind) && eq_or_any(sfield(sel, "name"), name) &&
		    ns_eq(sfield(sel, "namespace"), ns))
			return 1;
	}
	return 0;
}

static int has_id_part(const cJSON *sel)
{
	return sfield(sel, "group") || sfield(sel, "version") || sfield(sel, "kind") || sfield(sel, "name") ||
	       sfield(sel, "namespace");
}

/* Label and annotation selectors of a selector: 1, 0, -1. */
static int meta_selected(const cJSON *sel, const cJSON *obj, struct gitops_err *err)
{
	int r;

	if ((r = kz_selector_match(sfield(sel, "labelSelector"), gitops_json_get(obj, "metadata", "labels", NULL),
				   err)) <= 0)
		return r;
	return kz_selector_match(sfield(sel, "annotationSelector"),
				 gitops_json_get(obj, "metadata", "annotations", NULL), err);
}

static int scalar_text(struct gitops_buf *b, const cJSON *v)
{
	char num[64];

	if (cJSON_IsString(v))
		return gitops_buf_addstr(b, v->valuestring);
	if (cJSON_IsNumber(v))
		return gitops_buf_addstr(b, gitops_value_format_number(num, sizeof(num), v));
	if (cJSON_IsBool(v))
		return gitops_buf_addstr(b, cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNull(v))
		return gitops_buf_addstr(b, "");
	return 1;
}

static int is_scalar(const cJSON *v)
{
	return cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v) || cJSON_IsNull(v);
}

struct opts {
	const char *delimiter;
	long index;
	int create;
};

static void read_opts(struct opts *o, const cJSON *options)
{
	const cJSON *d = gitops_value_get(options, "delimiter"), *i = gitops_value_get(options, "index");

	o->delimiter = cJSON_IsString(d) && *d->valuestring ? d->valuestring : NULL;
	o->index = cJSON_IsNumber(i) ? (long)i->valuedouble : 0;
	o->create = cJSON_IsTrue(gitops_value_get(options, "create"));
}

/* The source: the one resource its selector picks (its index in m). */
static int source_select(size_t *idx, const struct kz_resmap *m, const cJSON *src, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < m->n; i++) {
		if (!id_selected(src, m->v[i]))
			continue;
		if (n++) {
			sel_text(&b, src);
			gitops_err_set(err, GITOPS_EXIT_INPUT, "multiple matches for selector %s", b.data ? b.data : "");
			gitops_buf_release(&b);
			return -1;
		}
		*idx = i;
	}
	if (!n) {
		sel_text(&b, src);
		gitops_err_set(err, GITOPS_EXIT_INPUT, "nothing selected by %s", b.data ? b.data : "");
		gitops_buf_release(&b);
		return -1;
	}
	return 0;
}

/* The source's value in node (a new tree). */
static int source_value(cJSON **out, const cJSON *node, const cJSON *src, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_path p = GITOPS_PATH_INIT;
	const cJSON **found = NULL;
	const char *fp = sfield(src, "fieldPath");
	size_t nf = 0;
	struct opts o;
	int rc = -1;

	*out = NULL;
	if (!fp)
		fp = "metadata.name";
	if (gitops_path_parse(&p, GITOPS_PATH_REPLACEMENT, fp, 0, err) || gitops_path_get(&found, &nf, node, &p, err))
		goto done;
	if (!nf || cJSON_IsNull(found[0]) || ((cJSON_IsObject(found[0]) || cJSON_IsArray(found[0])) && !found[0]->child)) {
		sel_text(&b, src);
		gitops_err_set(err, GITOPS_EXIT_INPUT, "fieldPath `%s` is missing for replacement source %s", fp,
			       b.data ? b.data : "");
		goto done;
	}
	read_opts(&o, gitops_value_get(src, "options"));
	if (o.delimiter) {
		struct gitops_buf t = GITOPS_BUF_INIT;
		const char *s, *e;
		long k;

		if (!is_scalar(found[0]) || cJSON_IsNull(found[0])) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "delimiter option can only be used with scalar nodes");
			goto done;
		}
		if (scalar_text(&t, found[0]) < 0) {
			gitops_err_oom(err);
			goto done;
		}
		s = t.data ? t.data : "";
		for (k = 0; k < o.index && s; k++) {
			s = strstr(s, o.delimiter);
			if (s)
				s += strlen(o.delimiter);
		}
		if (o.index < 0 || !s) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "options.index %ld is out of bounds for value %s", o.index,
				       t.data ? t.data : "");
			gitops_buf_release(&t);
			goto done;
		}
		e = strstr(s, o.delimiter);
		*out = e ? cJSON_CreateString("") : cJSON_CreateString(s);
		if (*out && e) {
			cJSON_free((*out)->valuestring);
			(*out)->valuestring = strndup(s, (size_t)(e - s));
			if (!(*out)->valuestring) {
				cJSON_Delete(*out);
				*out = NULL;
			}
		}
		gitops_buf_release(&t);
	} else {
		*out = gitops_value_copy(found[0]);
	}
	if (!*out) {
		gitops_err_oom(err);
		goto done;
	}
	rc = 0;
done:
	free(found);
	gitops_path_release(&p);
	gitops_buf_release(&b);
	return rc;
}

/* Replace node's contents by v's (v freed), keeping node's place and key. */
static void take_contents(cJSON *node, cJSON *v)
{
	int keep = node->type & cJSON_StringIsConst;

	if (node->child)
		cJSON_Delete(node->child);
	if (node->valuestring)
		cJSON_free(node->valuestring);
	node->type = (v->type & ~cJSON_StringIsConst) | keep;
	node->valuestring = v->valuestring;
	node->valueint = v->valueint;
	node->valuedouble = v->valuedouble;
	node->child = v->child;
	v->valuestring = NULL;
	v->child = NULL;
	cJSON_Delete(v);
}

/* A scalar kyaml writes without a tag (a created or null field): what its plain text reads back as. */
static cJSON *plain_read(const char *text)
{
	static const char *const v3_bools[] = { "true", "True", "TRUE", "false", "False", "FALSE" };
	struct gitops_scalar sc;
	size_t i;

	gitops_scalar_resolve(text, strlen(text), &sc);
	/* kyaml's output goes through JSON: a plain timestamp becomes Go's RFC 3339 text */
	if (sc.kind == GITOPS_SCALAR_STRING) {
		struct gitops_timestamp t;
		char buf[64];

		if (gitops_scalar_timestamp(text, strlen(text), &t)) {
			gitops_timestamp_format(buf, sizeof(buf), &t);
			return cJSON_CreateString(buf);
		}
	}
	switch (sc.kind) {
	case GITOPS_SCALAR_NULL:
		return cJSON_CreateNull();
	case GITOPS_SCALAR_BOOL:
		/* kyaml (go-yaml v3): only these are booleans; yes, on, y stay strings */
		for (i = 0; i < sizeof(v3_bools) / sizeof(v3_bools[0]); i++)
			if (!strcmp(text, v3_bools[i]))
				return cJSON_CreateBool(sc.boolean);
		break;
	case GITOPS_SCALAR_INT:
		return gitops_value_new_int((int64_t)sc.number);
	case GITOPS_SCALAR_BIGINT:
		return gitops_value_new_int_text(sc.bigint);
	case GITOPS_SCALAR_FLOAT:
		return gitops_value_new_float(sc.number);
	default:
		break;
	}
	return cJSON_CreateString(text);
}

/* The text kept, tagless: kz_untag reads it at the end of the build. */
static cJSON *plain(const char *text)
{
	cJSON *n = cJSON_CreateString(text);

	if (n)
		n->type |= KZ_TAGLESS;
	return n;
}

/*
 * kyaml prints a resource and reads the text back (MarshalJSON): an empty
 * plain scalar in a flow collection is printed '' (go-yaml quotes it there)
 * and reads back "", where in a block one it reads back null.
 */
static int untag(cJSON *obj, int in_flow, struct gitops_err *err)
{
	cJSON *c;

	if ((obj->type & KZ_MISTAGGED) && cJSON_IsString(obj)) {
		static const char *const tags[] = { "!!str", "!!int", "!!float", "!!bool" };
		struct gitops_scalar sc;

		gitops_scalar_resolve(obj->valuestring, strlen(obj->valuestring), &sc);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s%syaml: cannot decode %s `%s` as a %s",
				      obj->string ? obj->string : "", obj->string ? ": " : "",
				      sc.kind == GITOPS_SCALAR_NULL                                 ? "!!null" :
				      sc.kind == GITOPS_SCALAR_BOOL                                 ? "!!bool" :
				      sc.kind == GITOPS_SCALAR_INT || sc.kind == GITOPS_SCALAR_BIGINT ? "!!int" :
				      sc.kind == GITOPS_SCALAR_FLOAT || sc.kind == GITOPS_SCALAR_NONFINITE ? "!!float" :
													 "!!str",
				      obj->valuestring, tags[obj->valueint >= 1 && obj->valueint <= 3 ? obj->valueint : 0]);
	}
	if ((obj->type & KZ_TAGLESS) && cJSON_IsString(obj) && in_flow && !*obj->valuestring) {
		obj->type &= ~KZ_TAGLESS;
		return 0;
	}
	if ((obj->type & KZ_TAGLESS) && cJSON_IsString(obj) && !(obj->type & GITOPS_YAML_QUOTED)) {
		struct gitops_scalar sc;
		cJSON *v;
		int keep = obj->type & cJSON_StringIsConst;

		/* .nan, .inf: a float Go's JSON writer refuses */
		gitops_scalar_resolve(obj->valuestring, strlen(obj->valuestring), &sc);
		if (sc.kind == GITOPS_SCALAR_NONFINITE)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s%s: json: unsupported value: %s",
					      obj->string ? "field " : "", obj->string ? obj->string : "",
					      strpbrk(obj->valuestring, "aA") ? "NaN" :
					      obj->valuestring[0] == '-'       ? "-Inf" :
										 "+Inf");
		if (!(v = plain_read(obj->valuestring)))
			return gitops_err_oom(err);
		cJSON_free(obj->valuestring);
		obj->type = (v->type & ~cJSON_StringIsConst) | keep;
		obj->valuestring = v->valuestring;
		obj->valueint = v->valueint;
		obj->valuedouble = v->valuedouble;
		v->valuestring = NULL;
		cJSON_Delete(v);
		return 0;
	}
	obj->type &= ~KZ_TAGLESS;
	for (c = obj->child; c; c = c->next)
		if (untag(c, (obj->type & GITOPS_YAML_FLOW) != 0, err) < 0)
			return -1;
	return 0;
}

void kz_unstyle(cJSON *obj)
{
	cJSON *c;

	obj->type &= ~(GITOPS_YAML_QUOTED | GITOPS_YAML_FLOW);
	for (c = obj->child; c; c = c->next)
		kz_unstyle(c);
}

int kz_untag(cJSON *obj, struct gitops_err *err)
{
	return untag(obj, 0, err);
}

/* text in a node that keeps a number's or a boolean's tag: an error once it is turned into JSON */
static cJSON *mistagged(const char *text, int tag)
{
	cJSON *n = cJSON_CreateString(text);

	if (n) {
		n->type |= KZ_MISTAGGED;
		n->valueint = tag;
	}
	return n;
}

/* The new text put in a scalar target, read as the target's type when it can be. */
static cJSON *typed_like(const cJSON *target, const char *text)
{
	/* kyaml copies the text only: a tagless target stays tagless (and a quoted one stays quoted: a string) */
	if (cJSON_IsNull(target) || (target->type & KZ_TAGLESS)) {
		cJSON *n = plain(text);

		if (n)
			n->type |= target->type & GITOPS_YAML_QUOTED;
		return n;
	}
	if (cJSON_IsNumber(target)) {
		cJSON *n = gitops_value_new_int_text(text);
		char *end;
		double d;

		if (n)
			return n;
		d = strtod(text, &end);
		if (*text && !*end && !(target->type & GITOPS_VALUE_INT))
			return gitops_value_new_float(d);
		return mistagged(text, target->type & GITOPS_VALUE_INT ? 1 : 2);
	}
	if (cJSON_IsBool(target)) {
		cJSON *v = plain_read(text);

		if (v && cJSON_IsBool(v))
			return v;
		cJSON_Delete(v);
		return mistagged(text, 3);
	}
	return cJSON_CreateString(text);
}

/* Put value into one target node (delimiter / index as kustomize's setFieldValue). */
static int set_one(cJSON *node, const cJSON *value, const struct opts *o, struct gitops_err *err)
{
	struct gitops_buf vt = GITOPS_BUF_INIT, tt = GITOPS_BUF_INIT, res = GITOPS_BUF_INIT;
	cJSON *nv = NULL;
	int rc = -1;

	if (o->delimiter) {
		const char *s, *e;
		long k = 0;
		int done_set = 0;
		size_t dl = strlen(o->delimiter);

		if (!is_scalar(node)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "delimiter option can only be used with scalar nodes");
			goto done;
		}
		if (scalar_text(&vt, value) < 0 || scalar_text(&tt, node) < 0 || gitops_buf_addstr(&res, ""))
			goto oom;
		s = tt.data ? tt.data : "";
		if (o->index < 0 && (gitops_buf_addstr(&res, vt.data ? vt.data : "") || gitops_buf_addstr(&res, o->delimiter)))
			goto oom;
		for (;;) {
			e = strstr(s, o->delimiter);
			if (k)
				if (gitops_buf_addstr(&res, o->delimiter))
					goto oom;
			if (k == o->index) {
				if (gitops_buf_addstr(&res, vt.data ? vt.data : ""))
					goto oom;
				done_set = 1;
			} else if (gitops_buf_add(&res, s, e ? (size_t)(e - s) : strlen(s))) {
				goto oom;
			}
			k++;
			if (!e)
				break;
			s = e + dl;
		}
		if (!done_set && o->index >= 0 &&
		    (gitops_buf_addstr(&res, o->delimiter) || gitops_buf_addstr(&res, vt.data ? vt.data : "")))
			goto oom;
		nv = typed_like(node, res.data ? res.data : "");
	} else if (is_scalar(node) && is_scalar(value)) {
		if (scalar_text(&vt, value) < 0)
			goto oom;
		nv = typed_like(node, vt.data ? vt.data : "");
	} else {
		nv = gitops_value_copy(value);
	}
	if (!nv)
		goto oom;
	take_contents(node, nv);
	rc = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	gitops_buf_release(&vt);
	gitops_buf_release(&tt);
	gitops_buf_release(&res);
	return rc;
}

/* Does the path's first steps (plain field names) reach a field that is there but null, before its end? */
static int through_null(const cJSON *obj, const char *path)
{
	const char *p = path;

	while (*p) {
		size_t n = strcspn(p, ".");
		char key[256];
		const cJSON *v;

		if (n >= sizeof(key) || memchr(p, '[', n) || !cJSON_IsObject(obj))
			return 0;
		memcpy(key, p, n);
		key[n] = 0;
		p += n + (p[n] == '.');
		v = gitops_value_get(obj, key);
		if (!v)
			return 0;
		if (cJSON_IsNull(v))
			return *p != 0;
		obj = v;
	}
	return 0;
}

static int copy_to_target(cJSON *obj, const cJSON *value, const cJSON *target, struct gitops_err *err)
{
	const cJSON *fps = gitops_value_get(target, "fieldPaths"), *fp;
	static const char *const dflt = "metadata.name";
	struct opts o;
	int rc = -1, nfps = cJSON_GetArraySize(fps), i;

	read_opts(&o, gitops_value_get(target, "options"));
	for (i = 0; i < (nfps ? nfps : 1); i++) {
		struct gitops_path p = GITOPS_PATH_INIT;
		const cJSON **found = NULL;
		size_t nf = 0, k;
		const char *text;

		fp = nfps ? cJSON_GetArrayItem(fps, i) : NULL;
		text = fp ? (cJSON_IsString(fp) ? fp->valuestring : "") : dflt;
		if (gitops_path_parse(&p, GITOPS_PATH_REPLACEMENT, text, 0, err) ||
		    gitops_path_get(&found, &nf, obj, &p, err)) {
			gitops_path_release(&p);
			goto done;
		}
		if (!nf && o.create && through_null(obj, text)) {
			/* kyaml creates below a null field on a node it never attaches: nothing changes */
			gitops_path_release(&p);
			continue;
		}
		if (!nf && o.create) {
			/* kyaml creates an empty scalar (or the value's kind) and then sets it */
			cJSON *seed = is_scalar(value) ? cJSON_CreateNull() : gitops_value_copy(value);

			p.flags |= GITOPS_PATH_CREATE;
			if (!seed || gitops_path_set(obj, &p, seed, err) < 0) {
				if (!seed)
					gitops_err_oom(err);
				/* kyaml's words for a [name=value] step met by a mapping, an input error either way */
				if (strstr(err->msg, "in a mapping"))
					gitops_err_set(err, GITOPS_EXIT_INPUT,
						       "wrong node kind: expected SequenceNode but got MappingNode");
				if (err->code == GITOPS_EXIT_USAGE)
					err->code = GITOPS_EXIT_INPUT;
				gitops_err_prefix(err, "unable to find or create field \"%s\" in replacement target", text);
				gitops_path_release(&p);
				goto done;
			}
			if (gitops_path_get(&found, &nf, obj, &p, err)) {
				gitops_path_release(&p);
				goto done;
			}
		}
		if (!nf) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "unable to find %sfield \"%s\" in replacement target",
				       o.create ? "or create " : "", text);
			gitops_path_release(&p);
			goto done;
		}
		for (k = 0; k < nf; k++)
			if (set_one((cJSON *)found[k], value, &o, err)) {
				free(found);
				gitops_path_release(&p);
				goto done;
			}
		free(found);
		gitops_path_release(&p);
	}
	rc = 0;
done:
	return rc;
}

static int rejected(const cJSON *rejects, const cJSON *obj, struct gitops_err *err)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, rejects) {
		int meta = sfield(r, "labelSelector") || sfield(r, "annotationSelector"), ms = 1;

		if (meta && (ms = meta_selected(r, obj, err)) < 0)
			return -1;
		if (has_id_part(r) ? (id_selected(r, obj) && ms) : (meta && ms))
			return 1;
	}
	return 0;
}

/*
 * Does one of the target's field paths name a field above the source's
 * (the source node then leaves the tree, and keeps its value)?
 */
static int replaces_above(const cJSON *target, const char *src_fp)
{
	const cJSON *fps = gitops_value_get(target, "fieldPaths"), *fp;
	size_t n;

	if (!src_fp)
		src_fp = "metadata.name";
	if (!cJSON_GetArraySize(fps))
		return !strncmp(src_fp, "metadata.name.", 14);
	cJSON_ArrayForEach(fp, fps) {
		if (!cJSON_IsString(fp))
			continue;
		n = strlen(fp->valuestring);
		if (!strncmp(src_fp, fp->valuestring, n) && src_fp[n] == '.')
			return 1;
	}
	return 0;
}

int kz_replacement_apply(struct kz_resmap *m, const cJSON *r, struct gitops_err *err)
{
	const cJSON *src = gitops_value_get(r, "source"), *targets = gitops_value_get(r, "targets"), *t;
	cJSON *value = NULL;
	size_t i, si = 0;
	struct opts so;
	int rc = -1;

	if (!cJSON_IsObject(src) || !cJSON_IsArray(targets)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "replacements must specify a source and at least one target");
		goto done;
	}
	if (source_select(&si, m, src, err) || source_value(&value, m->v[si], src, err))
		goto done;
	/*
	 * kyaml holds the source node itself (unless a delimiter cut a part
	 * out of it): a target that is that node, or inside it, changes the
	 * value the later targets get.
	 */
	read_opts(&so, gitops_value_get(src, "options"));
	cJSON_ArrayForEach(t, targets) {
		const cJSON *sel = gitops_value_get(t, "select");

		if (!cJSON_IsObject(sel)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "target must specify resources to select");
			goto done;
		}
		for (i = 0; i < m->n; i++) {
			int s;

			if ((s = meta_selected(sel, m->v[i], err)) < 0)
				goto done;
			if (!s || !id_selected(sel, m->v[i]))
				continue;
			if ((s = rejected(gitops_value_get(t, "reject"), m->v[i], err)) < 0)
				goto done;
			if (s)
				continue;
			if (copy_to_target(m->v[i], value, t, err))
				goto done;
			if (i == si && !so.delimiter && !replaces_above(t, sfield(src, "fieldPath"))) {
				cJSON *now = NULL;
				struct gitops_err e2 = GITOPS_ERR_INIT;

				if (source_value(&now, m->v[i], src, &e2) == 0) {
					cJSON_Delete(value);
					value = now;
				}
			}
		}
	}
	rc = 0;
done:
	kz_resmap_touch(m); /* names may have changed */
	cJSON_Delete(value);
	return rc;
}

static int apply_list(struct kz_resmap *m, const cJSON *list, struct kz_ctx *c, struct gitops_err *err)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, list) {
		const char *path = gitops_json_get_string(r, "path", NULL);

		if (path) {
			struct gitops_buf text = GITOPS_BUF_INIT;
			struct gitops_limits lim = GITOPS_LIMITS_INIT;
			cJSON *doc = NULL;
			int rc;

			if (kz_load_file(&text, c, path, 8u << 20, err) ||
			    gitops_yaml_parse_one(&doc, text.data ? text.data : "", text.len, path, &lim, err)) {
				gitops_buf_release(&text);
				return -1;
			}
			gitops_buf_release(&text);
			if (cJSON_IsArray(doc))
				rc = apply_list(m, doc, c, err);
			else
				rc = kz_replacement_apply(m, doc, err);
			cJSON_Delete(doc);
			if (rc)
				return -1;
			continue;
		}
		if (kz_replacement_apply(m, r, err))
			return -1;
	}
	return 0;
}

/* apply_list on a copy, kept only on success */
static int apply_all(struct kz_resmap *m, const cJSON *list, struct kz_ctx *c, struct gitops_err *err)
{
	struct kz_resmap work = KZ_RESMAP_INIT;
	size_t i;

	if (!list || !list->child)
		return 0;
	for (i = 0; i < m->n; i++) {
		cJSON *o = gitops_value_copy(m->v[i]);

		if (!o) {
			kz_resmap_release(&work);
			return gitops_err_oom(err);
		}
		if (kz_resmap_push(&work, o, err)) {
			kz_resmap_release(&work);
			return -1;
		}
	}
	if (apply_list(&work, list, c, err)) {
		kz_resmap_release(&work);
		return -1;
	}
	/* a replacement sets a value in place: the maps that share it change with it */
	for (i = 0; i < m->n; i++)
		if (kz_links_sync(work.v[i], m->v[i], err)) {
			kz_resmap_release(&work);
			return -1;
		}
	kz_resmap_release(m);
	*m = work;
	return 0;
}

int kz_replacements(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	return apply_all(m, gitops_value_get(k, "replacements"), c, err);
}

int kz_plugin_replace(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err)
{
	const char *kind = gitops_json_get_string(config, "kind", NULL);

	if (!kind || strcmp(kind, "ReplacementTransformer"))
		return 0;
	return apply_all(m, gitops_value_get(config, "replacements"), c, err) ? -1 : 1;
}
