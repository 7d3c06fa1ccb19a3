/*
 * fromyaml.c: fromYaml's reader (serialize_int.h).  sigs.k8s.io/yaml v1.4.0
 * reads YAML with its go-yaml v2 fork into interface {} values, turns them
 * into JSON (map keys to strings: ints in decimal, floats as float32 'g',
 * booleans as "true"/"false"; NaN and infinities fail as encoding/json
 * fails) and reads that JSON back: every number a float64.  Here libyaml's
 * events (the parser go-yaml v2 is a port of) build the final values in one
 * pass, YAML 1.1 scalars resolved as lib/yaml/scalar.h resolves them.
 *
 * As go-yaml v2: only the first document counts; a later key replaces an
 * earlier one; `<<` merges a mapping (or a sequence of them, earlier ones
 * winning) into the mapping it is in, over the keys set so far; an alias
 * is a copy of its anchor's value, bounded by go-yaml's aliasing ratio;
 * nesting is bounded (10,000).  Timestamps stay strings.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/base/enc.h"
#include "lib/template/funcs/serialize_int.h"
#include "lib/yaml/fastyaml.h"
#include "lib/yaml/scalar.h"

struct anchor {
	char *name;
	struct gitops_tmpl_value *v; /* NULL while the anchored node is being read */
	char *key;                   /* a scalar's text as a map key (NULL: not a scalar) */
	int null_key;                /* the scalar is null: no key */
	size_t nodes;                /* nodes in the value, for the aliasing bound */
	size_t height;               /* nesting of collections in the value */
};

struct yr {
	yaml_parser_t p;
	struct gitops_fastyaml *fy; /* the text's events when lib/yaml/fastyaml.c took it, else libyaml's */
	struct gitops_err *err;
	char *conv;                  /* the first error of the JSON step (reported when the YAML is good) */
	struct anchor *a;
	size_t na, cap;
	size_t decoded, aliased;     /* go-yaml v2's decodeCount and aliasCount */
	int in_alias;
	size_t flow, block;          /* open flow and block collections (go-yaml's scanner allows 10,000 of each) */
	size_t nest;                 /* open collections: the JSON's nesting */
	char json_deep;              /* the JSON nests deeper than encoding/json reads: its opening character */
	char *dec;                   /* the first error of go-yaml's decoding (after the parse, before the JSON step) */
	const unsigned char *in;     /* the text read, len bytes */
	size_t len;
};

/* a decoding error: go-yaml v2 parses the whole document first, so a later syntax error wins over it */
static int dec_error(struct yr *r, struct gitops_buf *msg)
{
	if (!msg->data)
		return gitops_err_oom(r->err);
	if (!r->dec) {
		r->dec = gitops_buf_detach(msg);
		if (!r->dec)
			return gitops_err_oom(r->err);
	}
	gitops_buf_release(msg);
	return 0;
}


/* a node read: its value, and what it is as a map key */
struct node {
	struct gitops_tmpl_value *v;
	char *key;         /* a scalar's key text (malloc'ed), NULL for a collection */
	int null_key;
	int is_map;        /* a mapping (for merge keys) */
	int merge;         /* the plain scalar << */
	size_t nodes;
	size_t height;     /* nested collections in it (a scalar: 0) */
};

static void node_release(struct node *n)
{
	gitops_tmpl_value_unref(n->v);
	free(n->key);
	memset(n, 0, sizeof(*n));
}

static int yr_oom(struct yr *r)
{
	return gitops_err_oom(r->err);
}

static void conv_error(struct yr *r, const char *fmt, const char *arg)
{
	if (r->conv)
		return;
	if (asprintf(&r->conv, fmt, arg) < 0)
		r->conv = NULL;
}

/* Is the flow collection opened at in[i] ('{' or '[') empty and closed on its line ("{}", "[ ]")? */
static int empty_on_its_line(const unsigned char *in, size_t len, size_t i)
{
	unsigned char close = in[i] == '{' ? '}' : ']';

	for (i++; i < len && (in[i] == ' ' || in[i] == '\t'); i++)
		;
	return i < len && in[i] == close;
}

/*
 * go-yaml v2.4's scanner forgets the simple key an empty flow collection
 * starts once that collection closes (decrease_flow_level deletes the
 * entry in simple_keys_by_tok of the inner level's slot, whose token
 * number is still the opening bracket's when no key was saved inside: the
 * outer key's), so a "{}" or "[]" where a block key must be is handed to
 * the parser, which says what it expected there; libyaml keeps the key and
 * fails later, "could not find expected ':'".  The parser's
 * state when the scanner failed is the one that receives the token in
 * go-yaml.  1 when that is the case (problem, line set), else 0.
 */
static int goyaml_forgotten_key(const struct yr *r, const char **problem, size_t *line)
{
	size_t i = r->p.context_mark.index;

	if (r->p.error != YAML_SCANNER_ERROR || !r->p.problem || strcmp(r->p.problem, "could not find expected ':'") ||
	    !r->in || i >= r->len || (r->in[i] != '{' && r->in[i] != '[') || !empty_on_its_line(r->in, r->len, i))
		return 0;
	if (r->p.state == YAML_PARSE_BLOCK_MAPPING_KEY_STATE)
		*problem = "did not find expected key";
	else if (r->p.state == YAML_PARSE_BLOCK_SEQUENCE_ENTRY_STATE)
		*problem = "did not find expected '-' indicator";
	else
		return 0;
	*line = r->p.context_mark.line; /* the token's start: a parser error's line is not moved on */
	return 1;
}

/* go-yaml v2's parser.fail(): "yaml: line N: PROBLEM" */
static int parse_error(struct yr *r)
{
	size_t line = 0;
	const char *msg = r->p.problem ? r->p.problem : "unknown problem parsing YAML content";

	if (goyaml_forgotten_key(r, &msg, &line)) {
		if (line)
			return fn_fail(r->err, "error converting YAML to JSON: yaml: line %zu: %s", line, msg);
		return fn_fail(r->err, "error converting YAML to JSON: yaml: %s", msg);
	}

	if (r->p.problem_mark.line != 0) {
		line = r->p.problem_mark.line;
		if (r->p.error == YAML_SCANNER_ERROR)
			line++;
	} else if (r->p.context_mark.line != 0) {
		line = r->p.context_mark.line;
	}
	if (line)
		return fn_fail(r->err, "error converting YAML to JSON: yaml: line %zu: %s", line, msg);
	return fn_fail(r->err, "error converting YAML to JSON: yaml: %s", msg);
}

static int next_event(struct yr *r, yaml_event_t *ev)
{
	if (r->fy) {
		if (gitops_fastyaml_next(r->fy, ev))
			return 0;
		return gitops_err_oom(r->err);
	}
	if (!yaml_parser_parse(&r->p, ev))
		return parse_error(r);
	return 0;
}

/* the bound go-yaml v2 puts on aliases (decode.go's allowedAliasRatio) */
static int count_node(struct yr *r)
{
	double ratio;

	r->decoded++;
	if (r->in_alias)
		r->aliased++;
	if (r->decoded <= 400000)
		ratio = 0.99;
	else if (r->decoded >= 4000000)
		ratio = 0.10;
	else
		ratio = 0.99 - 0.89 * ((double)(r->decoded - 400000) / 3600000.0);
	if (r->aliased > 100 && r->decoded > 1000 && (double)r->aliased / (double)r->decoded > ratio)
		return fn_fail(r->err, "error converting YAML to JSON: yaml: document contains excessive aliasing");
	return 0;
}

static int is_tag(const char *tag, const char *name)
{
	size_t n = strlen(name);

	if (!tag)
		return 0;
	if (strncmp(tag, "tag:yaml.org,2002:", 18) == 0)
		return strcmp(tag + 18, name) == 0;
	return tag[0] == '!' && tag[1] == '!' && strcmp(tag + 2, name) == 0 && n;
}

/*
 * a scalar event's value, as the JSON step leaves it, and (need_key) its text
 * as a map key: only a key or an anchored scalar (an alias may be a key) has
 * its text made, the value of a mapping or an item of a sequence goes without
 */
static int scalar_node(struct yr *r, yaml_event_t *ev, struct node *out, int need_key)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	struct gitops_scalar sc;
	struct gitops_buf k = GITOPS_BUF_INIT;
	int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	int resolvable = !tag || is_tag(tag, "int") || is_tag(tag, "float") || is_tag(tag, "bool") ||
			 is_tag(tag, "null") || is_tag(tag, "timestamp");

	out->nodes = 1;
	sc.kind = GITOPS_SCALAR_STRING;
	if (resolvable && (plain || tag))
		gitops_scalar_resolve(s, len, &sc);
	if (tag && resolvable) {
		/* an explicit tag must match what the text resolves to (an int may be read as a float) */
		static const char *const names[] = { "str", "null", "bool", "int", "int", "float", "float" };
		const char *want = strrchr(tag, ':') && strncmp(tag, "tag:", 4) == 0 ? strrchr(tag, ':') + 1 : tag + 2;
		const char *got = names[sc.kind];
		if (strcmp(want, "timestamp") == 0 && sc.kind == GITOPS_SCALAR_STRING) {
			struct gitops_timestamp ts;
			if (gitops_scalar_timestamp(s, len, &ts))
				got = "timestamp";
		}
		if (strcmp(want, got) != 0 && !(strcmp(want, "float") == 0 && strcmp(got, "int") == 0)) {
			struct gitops_buf m = GITOPS_BUF_INIT;
			if (gitops_buf_printf(&m, "yaml: cannot decode !!%s `%.*s` as a !!%s", got, (int)len, s, want) < 0) {
				gitops_buf_release(&m);
				return yr_oom(r);
			}
			if (dec_error(r, &m) < 0)
				return -1;
			sc.kind = GITOPS_SCALAR_NULL;
		}
	}
	if (tag && is_tag(tag, "binary")) {
		/* !!binary: the bytes its base64 holds */
		struct gitops_buf bin = GITOPS_BUF_INIT;
		if (gitops_base64_decode(&bin, s) < 0) {
			struct gitops_buf m = GITOPS_BUF_INIT;
			gitops_buf_release(&bin);
			if (gitops_buf_addstr(&m, "yaml: !!binary value contains invalid base64 data") < 0) {
				gitops_buf_release(&m);
				return yr_oom(r);
			}
			if (dec_error(r, &m) < 0)
				return -1;
		}
		out->v = gitops_tmpl_value_string(bin.data ? bin.data : "", bin.len);
		if (out->v)
			out->key = strndup(bin.data ? bin.data : "", bin.len);
		gitops_buf_release(&bin);
		return out->v && out->key ? 0 : yr_oom(r);
	}
	if (plain && !tag && len == 2 && s[0] == '<' && s[1] == '<')
		out->merge = 1;
	switch (sc.kind) {
	case GITOPS_SCALAR_NULL:
		out->v = gitops_tmpl_value_nil();
		out->null_key = 1;
		break;
	case GITOPS_SCALAR_BOOL:
		out->v = gitops_tmpl_value_bool(sc.boolean);
		if (need_key && gitops_buf_addstr(&k, sc.boolean ? "true" : "false") < 0)
			goto oom;
		break;
	case GITOPS_SCALAR_INT:
		out->v = gitops_tmpl_value_float(sc.number);
		if (need_key && gitops_buf_printf(&k, "%.0f", sc.number) < 0)
			goto oom;
		break;
	case GITOPS_SCALAR_BIGINT: {
		/* beyond int64: a uint64 (no key type JSON takes) or a float64 */
		double d = strtod(sc.bigint, NULL);
		out->v = gitops_tmpl_value_float(d);
		if (sc.bigint[0] != '-' && d < 18446744073709551616.0) {
			out->null_key = 2;
		} else if (need_key && ser_format_g(&k, d, 32) < 0) {
			goto oom;
		}
		break;
	}
	case GITOPS_SCALAR_FLOAT:
		out->v = gitops_tmpl_value_float(sc.number);
		if (need_key && ser_format_g(&k, sc.number, 32) < 0)
			goto oom;
		break;
	case GITOPS_SCALAR_NONFINITE: {
		const char *p = s + (s[0] == '+' || s[0] == '-');
		int nan = p[1] == 'n' || p[1] == 'N';
		double d = nan ? NAN : s[0] == '-' ? -INFINITY : INFINITY;
		out->v = gitops_tmpl_value_float(d);
		if (need_key && gitops_buf_addstr(&k, nan ? ".nan" : d > 0 ? ".inf" : "-.inf") < 0)
			goto oom;
		break;
	}
	default:
		/* the event's text (malloc'ed, NUL after it) is taken: as the key, or as the value's bytes */
		ev->data.scalar.value = NULL;
		if (need_key) {
			out->key = (char *)s;
			out->v = gitops_tmpl_value_string(s, len);
		} else {
			out->v = tmpl_value_string_owned((char *)s, len);
		}
		break;
	}
	if (!out->v)
		goto oom;
	if (need_key && !out->null_key && !out->key) {
		if (gitops_buf_add(&k, "", 0) < 0)
			goto oom;
		out->key = gitops_buf_detach(&k);
	}
	gitops_buf_release(&k);
	return 0;
oom:
	gitops_buf_release(&k);
	return yr_oom(r);
}

/* a deep copy (an alias's value: Go decodes the anchored node again) */
static struct gitops_tmpl_value *deep_copy(const struct gitops_tmpl_value *v)
{
	struct gitops_tmpl_value *c;
	size_t i;

	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_LIST:
		if (!(c = gitops_tmpl_value_list(GITOPS_TMPL_LIST)))
			return NULL;
		for (i = 0; i < v->u.list.n; i++)
			if (gitops_tmpl_list_push(c, deep_copy(v->u.list.items[i])) < 0)
				goto fail;
		return c;
	case GITOPS_TMPL_MAP:
		if (!(c = gitops_tmpl_value_map(NULL)))
			return NULL;
		for (i = 0; i < v->u.map.n; i++)
			if (gitops_tmpl_map_set(c, v->u.map.e[i].key, v->u.map.e[i].klen, deep_copy(v->u.map.e[i].val)) < 0)
				goto fail;
		return c;
	default:
		return gitops_tmpl_value_ref((struct gitops_tmpl_value *)v);
	}
fail:
	gitops_tmpl_value_unref(c);
	return NULL;
}

static struct anchor *find_anchor(struct yr *r, const char *name)
{
	size_t i;

	for (i = r->na; i > 0; i--)
		if (strcmp(r->a[i - 1].name, name) == 0)
			return &r->a[i - 1];
	return NULL;
}

static int add_anchor(struct yr *r, const char *name)
{
	struct anchor *a;

	if (r->na == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		a = realloc(r->a, cap * sizeof(*a));
		if (!a)
			return yr_oom(r);
		r->a = a;
		r->cap = cap;
	}
	a = &r->a[r->na];
	memset(a, 0, sizeof(*a));
	if (!(a->name = strdup(name)))
		return yr_oom(r);
	r->na++;
	return 0;
}

/* the anchor just added (index i) gets the node's value */
static int set_anchor(struct yr *r, size_t i, const struct node *n)
{
	struct anchor *a = &r->a[i];

	a->v = gitops_tmpl_value_ref(n->v);
	a->null_key = n->null_key;
	a->nodes = n->nodes;
	a->height = n->height;
	if (n->key && !(a->key = strdup(n->key)))
		return yr_oom(r);
	return 0;
}

static int read_node(struct yr *r, yaml_event_t *ev, struct node *out, size_t depth, int need_key);

/* fmt's %#v of a decoded value (numbers as go-yaml made them: integral ones as ints) */
static int sharp_v(struct gitops_buf *b, const struct gitops_tmpl_value *v, size_t depth)
{
	size_t i;

	if (depth > 100)
		return gitops_buf_addstr(b, "...");
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_NIL:
		/* fmt's %#v of a nil interface {} inside a collection names its type */
		return gitops_buf_addstr(b, depth ? "interface {}(nil)" : "<nil>");
	case GITOPS_TMPL_BOOL:
		return gitops_buf_addstr(b, v->u.b ? "true" : "false");
	case GITOPS_TMPL_FLOAT64:
		if (v->u.f == trunc(v->u.f) && fabs(v->u.f) < 1e18)
			return gitops_buf_printf(b, "%lld", (long long)v->u.f);
		return ser_format_g(b, v->u.f, 64);
	case GITOPS_TMPL_STRING:
		return tmpl_fmt_quote(b, v->u.str.s, v->u.str.len, 0);
	case GITOPS_TMPL_LIST:
		if (gitops_buf_addstr(b, "[]interface {}{") < 0)
			return -1;
		for (i = 0; i < v->u.list.n; i++)
			if ((i && gitops_buf_addstr(b, ", ") < 0) || sharp_v(b, v->u.list.items[i], depth + 1) < 0)
				return -1;
		return gitops_buf_addstr(b, "}");
	case GITOPS_TMPL_MAP:
		if (gitops_buf_addstr(b, "map[interface {}]interface {}{") < 0)
			return -1;
		for (i = 0; i < v->u.map.n; i++)
			if ((i && gitops_buf_addstr(b, ", ") < 0) ||
			    tmpl_fmt_quote(b, v->u.map.e[i].key, v->u.map.e[i].klen, 0) < 0 || gitops_buf_addstr(b, ":") < 0 ||
			    sharp_v(b, v->u.map.e[i].val, depth + 1) < 0)
				return -1;
		return gitops_buf_addstr(b, "}");
	default:
		return 0;
	}
}

/*
 * sigs.k8s.io/yaml's error for a key JSON cannot have: "unsupported map key
 * of type: T, key: K, value: V" (a malloc'ed message, or NULL).  A key that
 * is a collection fails go-yaml's decoding instead ("invalid map key").
 */
static char *bad_key(const struct node *k, const struct node *v)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	if (k->null_key == 2)
		gitops_buf_printf(&b, "unsupported map key of type: uint64, key: 0x%llx, value: ",
				  (unsigned long long)k->v->u.f);
	else
		gitops_buf_addstr(&b, "unsupported map key of type: %!s(<nil>), key: <nil>, value: ");
	sharp_v(&b, v->v, 0);
	if (gitops_buf_add(&b, "", 0) < 0) {
		gitops_buf_release(&b);
		return NULL;
	}
	return gitops_buf_detach(&b);
}

/* `<<: VALUE` into map: a mapping, or a sequence of mappings (earlier ones win) */
static int merge_into(struct yr *r, struct gitops_tmpl_value *map, const struct node *val)
{
	const struct gitops_tmpl_value *v = val->v;
	size_t i, k;

	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_MAP && val->is_map) {
		for (k = 0; k < v->u.map.n; k++)
			if (gitops_tmpl_map_set(map, v->u.map.e[k].key, v->u.map.e[k].klen,
						gitops_tmpl_value_ref(v->u.map.e[k].val)) < 0)
				return yr_oom(r);
		return 0;
	}
	if (gitops_tmpl_value_kind(v) != GITOPS_TMPL_LIST || val->is_map)
		goto want_map;
	for (i = v->u.list.n; i > 0; i--)
		if (gitops_tmpl_value_kind(v->u.list.items[i - 1]) != GITOPS_TMPL_MAP)
			goto want_map;
	for (i = v->u.list.n; i > 0; i--) {
		const struct gitops_tmpl_value *m = v->u.list.items[i - 1];
		for (k = 0; k < m->u.map.n; k++)
			if (gitops_tmpl_map_set(map, m->u.map.e[k].key, m->u.map.e[k].klen,
						gitops_tmpl_value_ref(m->u.map.e[k].val)) < 0)
				return yr_oom(r);
	}
	return 0;
want_map:
	{
		struct gitops_buf msg = GITOPS_BUF_INIT;
		if (gitops_buf_addstr(&msg, "yaml: map merge requires map or sequence of maps as the value") < 0) {
			gitops_buf_release(&msg);
			return yr_oom(r);
		}
		return dec_error(r, &msg);
	}
}

static int read_mapping(struct yr *r, struct node *out, size_t depth)
{
	yaml_event_t ev;
	struct node k = { 0 }, v = { 0 };
	char *pending = NULL;  /* this mapping's key JSON cannot have: the last value such a key got */
	double pending_key = 0;
	int pending_kind = 0;

	out->v = gitops_tmpl_value_map(NULL);
	out->is_map = 1;
	out->nodes = 1;
	out->height = 1;
	if (!out->v)
		return yr_oom(r);
	for (;;) {
		if (next_event(r, &ev) < 0)
			goto fail;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			if (pending) {
				/* Go meets this mapping's keys before its values' (sibling order is Go's map order) */
				free(r->conv);
				r->conv = pending;
			}
			return 0;
		}
		if (read_node(r, &ev, &k, depth + 1, 1) < 0)
			goto fail;
		if (next_event(r, &ev) < 0 || read_node(r, &ev, &v, depth + 1, 0) < 0)
			goto fail;
		out->nodes += k.nodes + v.nodes;
		if (v.height + 1 > out->height)
			out->height = v.height + 1;
		if (k.merge) {
			if (merge_into(r, out->v, &v) < 0)
				goto fail;
		} else {
			if (!k.key && !k.null_key) {
				struct gitops_buf m = GITOPS_BUF_INIT;
				if (gitops_buf_addstr(&m, "yaml: invalid map key: ") < 0 || sharp_v(&m, k.v, 0) < 0 ||
				    gitops_buf_add(&m, "", 0) < 0 || dec_error(r, &m) < 0) {
					gitops_buf_release(&m);
					yr_oom(r);
					goto fail;
				}
			} else if (!k.key) {
				/* the same key again replaces the value; another one: the first stays */
				double key = k.null_key == 2 ? k.v->u.f : 0;
				if (!pending || (pending_kind == k.null_key && pending_key == key)) {
					char *msg = bad_key(&k, &v);
					if (!msg) {
						yr_oom(r);
						goto fail;
					}
					free(pending);
					pending = msg;
					pending_kind = k.null_key;
					pending_key = key;
				}
			} else {
				/* the key's text and the value move into the map */
				char *key = k.key;
				struct gitops_tmpl_value *val = v.v;
				k.key = NULL;
				v.v = NULL;
				if (tmpl_map_set_owned(out->v, key, strlen(key), val) < 0) {
					yr_oom(r);
					goto fail;
				}
			}
		}
		node_release(&k);
		node_release(&v);
	}
fail:
	free(pending);
	node_release(&k);
	node_release(&v);
	return -1;
}

static int read_sequence(struct yr *r, struct node *out, size_t depth)
{
	yaml_event_t ev;
	struct node item = { 0 };

	out->v = gitops_tmpl_value_list(GITOPS_TMPL_LIST);
	out->nodes = 1;
	out->height = 1;
	if (!out->v)
		return yr_oom(r);
	for (;;) {
		if (next_event(r, &ev) < 0)
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			tmpl_set_append_cap(out->v, 0); /* through JSON: encoding/json appends one at a time */
			return 0;
		}
		if (read_node(r, &ev, &item, depth + 1, 0) < 0)
			return -1;
		out->nodes += item.nodes;
		if (item.height + 1 > out->height)
			out->height = item.height + 1;
		if (gitops_tmpl_list_push(out->v, gitops_tmpl_value_ref(item.v)) < 0) {
			node_release(&item);
			return yr_oom(r);
		}
		node_release(&item);
	}
}

/*
 * the node that starts with ev (consumed); out is released on error.
 * need_key: the node is a mapping's key, its text as one is wanted.
 */
static int read_node(struct yr *r, yaml_event_t *ev, struct node *out, size_t depth, int need_key)
{
	const char *anchor = NULL;
	size_t ai = 0;
	int ret = -1, saved;

	memset(out, 0, sizeof(*out));
	(void)depth;
	if (count_node(r) < 0) {
		yaml_event_delete(ev);
		return -1;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		struct anchor *a = find_anchor(r, (const char *)ev->data.alias.anchor);
		if (!a) {
			fn_fail(r->err, "error converting YAML to JSON: yaml: unknown anchor '%s' referenced",
				(const char *)ev->data.alias.anchor);
			goto done;
		}
		if (!a->v) {
			fn_fail(r->err, "error converting YAML to JSON: yaml: anchor '%s' value contains itself", a->name);
			goto done;
		}
		/* the anchored node is decoded again: count its nodes */
		saved = r->in_alias;
		r->in_alias = 1;
		{
			size_t k;
			for (k = 1; k < a->nodes; k++)
				if (count_node(r) < 0) {
					r->in_alias = saved;
					goto done;
				}
		}
		r->in_alias = saved;
		if (r->nest + a->height > SER_MAX_DEPTH) {
			/* too deep for the JSON step: that fails, unless the YAML fails first; no copy made */
			if (!r->json_deep)
				r->json_deep = gitops_tmpl_value_kind(a->v) == GITOPS_TMPL_MAP ? '{' : '[';
			out->v = gitops_tmpl_value_nil();
			out->nodes = a->nodes;
			ret = out->v ? 0 : yr_oom(r);
			goto done;
		}
		out->height = a->height;
		out->v = deep_copy(a->v);
		out->is_map = gitops_tmpl_value_kind(a->v) == GITOPS_TMPL_MAP;
		out->null_key = a->null_key;
		out->nodes = a->nodes;
		if (!out->v || (need_key && a->key && !(out->key = strdup(a->key)))) {
			yr_oom(r);
			goto done;
		}
		ret = 0;
		goto done;
	}
	case YAML_SCALAR_EVENT:
		anchor = (const char *)ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = (const char *)ev->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = (const char *)ev->data.mapping_start.anchor;
		break;
	default:
		fn_fail(r->err, "error converting YAML to JSON: yaml: unexpected event");
		goto done;
	}
	if (anchor) {
		if (add_anchor(r, anchor) < 0)
			goto done;
		ai = r->na - 1;
	}
	if (ev->type == YAML_SCALAR_EVENT) {
		ret = scalar_node(r, ev, out, need_key || anchor);
	} else {
		/* go-yaml's scanner takes 10,000 nested flow collections and 10,000 block ones */
		int flow = ev->type == YAML_SEQUENCE_START_EVENT ?
				   ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE :
				   ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		size_t *open = flow ? &r->flow : &r->block;
		if (*open >= SER_MAX_DEPTH) {
			fn_fail(r->err, "error converting YAML to JSON: yaml: exceeded max depth of %d", SER_MAX_DEPTH);
			goto done;
		}
		(*open)++;
		r->nest++;
		if (r->nest > SER_MAX_DEPTH && !r->json_deep)
			r->json_deep = ev->type == YAML_SEQUENCE_START_EVENT ? '[' : '{';
		if (ev->type == YAML_SEQUENCE_START_EVENT)
			ret = read_sequence(r, out, depth);
		else
			ret = read_mapping(r, out, depth);
		(*open)--;
		r->nest--;
	}
	if (ret == 0 && anchor)
		ret = set_anchor(r, ai, out);
done:
	yaml_event_delete(ev);
	if (ret < 0)
		node_release(out);
	return ret;
}

/* JSON has no NaN or infinity: json.Marshal fails on them */
static int check_finite(struct yr *r, const struct gitops_tmpl_value *v, size_t depth)
{
	size_t i;

	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_FLOAT64:
		if (isnan(v->u.f) || isinf(v->u.f))
			conv_error(r, "json: unsupported value: %s", isnan(v->u.f) ? "NaN" : v->u.f > 0 ? "+Inf" : "-Inf");
		return 0;
	case GITOPS_TMPL_LIST:
		for (i = 0; i < v->u.list.n && !r->conv; i++)
			check_finite(r, v->u.list.items[i], depth + 1);
		return 0;
	case GITOPS_TMPL_MAP:
		for (i = 0; i < v->u.map.n && !r->conv; i++)
			check_finite(r, v->u.map.e[i].val, depth + 1);
		return 0;
	default:
		return 0;
	}
}

int ser_yaml_decode(struct gitops_tmpl_value **out, const char *s, size_t len, struct gitops_err *err)
{
	struct yr r;
	yaml_event_t ev;
	struct node root = { 0 };
	int ret = -1, done = 0;
	size_t i;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.err = err;
	/* the same events, in one pass, when the whole text is in its subset (errors stay libyaml's) */
	gitops_fastyaml_scan(&r.fy, s, len);
	/* libyaml's parser (its buffers allocated and freed) only for a text the fast scanner left */
	if (!r.fy) {
		if (!yaml_parser_initialize(&r.p))
			return gitops_err_oom(err);
		yaml_parser_set_input_string(&r.p, (const unsigned char *)s, len);
	}
	r.in = (const unsigned char *)s;
	r.len = len;
	while (!done) {
		if (next_event(&r, &ev) < 0)
			goto cleanup;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
			break;
		case YAML_DOCUMENT_END_EVENT:
			done = 1;
			break;
		default:
			if (read_node(&r, &ev, &root, 0, 0) < 0)
				goto cleanup;
			continue;
		}
		yaml_event_delete(&ev);
	}
	if (r.dec) {
		fn_fail(err, "error converting YAML to JSON: %s", r.dec);
		goto cleanup;
	}
	if (root.v)
		check_finite(&r, root.v, 0);
	if (r.conv) {
		fn_fail(err, "error converting YAML to JSON: %s", r.conv);
		goto cleanup;
	}
	if (r.json_deep) {
		fn_fail(err, "error unmarshaling JSON: while decoding JSON: invalid character '%c' exceeded max depth",
			r.json_deep);
		goto cleanup;
	}
	if (gitops_tmpl_value_kind(root.v) != GITOPS_TMPL_NIL) {
		*out = root.v;
		root.v = NULL;
	}
	ret = 0;
cleanup:
	node_release(&root);
	for (i = 0; i < r.na; i++) {
		free(r.a[i].name);
		free(r.a[i].key);
		gitops_tmpl_value_unref(r.a[i].v);
	}
	free(r.a);
	free(r.conv);
	free(r.dec);
	if (r.fy)
		gitops_fastyaml_free(r.fy);
	else
		yaml_parser_delete(&r.p);
	return ret;
}

int gitops_tmpl_yaml_decode(struct gitops_tmpl_value **out, const char *s, size_t len, struct gitops_err *err)
{
	return ser_yaml_decode(out, s, len, err);
}
