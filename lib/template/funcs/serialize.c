/*
 * serialize.c: Helm's and Sprig's serialization functions, as helm v3.17.2
 * gives them to a template: toYaml, toYamlPretty, fromYaml, fromYamlArray
 * (helm: sigs.k8s.io/yaml v1.4.0, gopkg.in/yaml.v3 v3.0.1), toJson,
 * fromJson, fromJsonArray (helm: encoding/json), mustToJson, toPrettyJson,
 * mustToPrettyJson, toRawJson, mustToRawJson, mustFromJson (Sprig), toToml,
 * fromToml (helm: BurntSushi/toml v1.4.0).
 *
 * What each does with a value it cannot write or a text it cannot read is
 * Helm's: toJson, toPrettyJson, toYaml and toYamlPretty give "", toRawJson
 * and the must* functions fail with Go's message, toToml gives the message
 * as its result, fromYaml, fromJson and fromToml give a map holding it
 * under "Error", fromYamlArray and fromJsonArray a list of it.  Helm 3.17.2
 * has no mustToYaml and no mustFromJsonArray.
 *
 * This file holds Go's encoding/json (writer and reader) and the table;
 * fromyaml.c reads YAML, toml.c TOML (serialize_int.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/enc.h"
#include "lib/template/funcs/serialize_int.h"
#include "lib/value/value.h"
#include "lib/yaml/emit.h"

/* ------------------------------------------------------------ encoding/json, writing */

struct jw {
	struct gitops_buf *b;
	int html;   /* escape <, >, & (json.Marshal; not an Encoder with SetEscapeHTML(false)) */
	int pretty; /* json.MarshalIndent(v, "", "  ") */
	int oom;
	struct gitops_err *err;
};

static const char hexdig[] = "0123456789abcdef";

/* encodeState.string: Go's escapes, bad UTF-8 as \ufffd */
static void jw_string(struct jw *j, const char *s, size_t len)
{
	struct gitops_buf *b = j->b;
	size_t i = 0, start = 0, size;
	char esc[8];

	j->oom |= gitops_buf_add(b, "\"", 1) < 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		size_t rlen = 2;
		if (c < 0x80) {
			if (c >= 0x20 && c != '"' && c != '\\' && !(j->html && (c == '<' || c == '>' || c == '&'))) {
				i++;
				continue;
			}
			switch (c) {
			case '"': rep = "\\\""; break;
			case '\\': rep = "\\\\"; break;
			case '\b': rep = "\\b"; break;
			case '\f': rep = "\\f"; break;
			case '\n': rep = "\\n"; break;
			case '\r': rep = "\\r"; break;
			case '\t': rep = "\\t"; break;
			default:
				esc[0] = '\\', esc[1] = 'u', esc[2] = '0', esc[3] = '0';
				esc[4] = hexdig[c >> 4], esc[5] = hexdig[c & 15];
				rep = esc, rlen = 6;
			}
			j->oom |= gitops_buf_add(b, s + start, i - start) < 0;
			j->oom |= gitops_buf_add(b, rep, rlen) < 0;
			i++;
			start = i;
			continue;
		}
		{
			int r = fn_rune(s + i, len - i, &size);
			if (r == 0xFFFD && size == 1)
				rep = "\\ufffd", rlen = 6;
			else if (r == 0x2028 || r == 0x2029)
				rep = r == 0x2028 ? "\\u2028" : "\\u2029", rlen = 6;
			if (!rep) {
				i += size;
				continue;
			}
			j->oom |= gitops_buf_add(b, s + start, i - start) < 0;
			j->oom |= gitops_buf_add(b, rep, rlen) < 0;
			i += size;
			start = i;
		}
	}
	j->oom |= gitops_buf_add(b, s + start, i - start) < 0;
	j->oom |= gitops_buf_add(b, "\"", 1) < 0;
}

static void jw_newline(struct jw *j, int depth)
{
	int k;

	j->oom |= gitops_buf_add(j->b, "\n", 1) < 0;
	for (k = 0; k < depth; k++)
		j->oom |= gitops_buf_add(j->b, "  ", 2) < 0;
}

/*
 * A struct's declared field i (GITOPS_TMPL_FIELDS) as encoding/json writes
 * it: 1 with its Go name (*name, *nlen), its JSON key (*key, *klen) and
 * its value; 0 for a field not written (a marker, "-", omitempty and empty).
 */
static int json_field(const struct gitops_tmpl_value *v, const struct gitops_tmpl_value *fields, size_t i,
		      const char **key, size_t *klen, const struct gitops_tmpl_value **val)
{
	size_t len, nl;
	const char *e = gitops_tmpl_value_str(gitops_tmpl_value_item(fields, i), &len), *sp, *tag, *comma;
	int omitempty = 0;

	if (!e || !len || e[0] == '{' || e[0] == '}')
		return 0;
	sp = memchr(e, ' ', len);
	nl = sp ? (size_t)(sp - e) : len;
	*key = e;
	*klen = nl;
	if (sp) {
		size_t tl = len - nl - 1;
		tag = sp + 1;
		if (tl == 1 && tag[0] == '-')
			return 0;
		comma = memchr(tag, ',', tl);
		if ((comma ? (size_t)(comma - tag) : tl) > 0) {
			*key = tag;
			*klen = comma ? (size_t)(comma - tag) : tl;
		}
		omitempty = comma && memmem(comma, tl - (size_t)(comma - tag), ",omitempty", 10) != NULL;
	}
	*val = gitops_tmpl_map_get(v, e, nl);
	if (!*val)
		return 0;
	if (omitempty && !((*val)->kind == GITOPS_TMPL_MAP && (*val)->u.map.is_struct) && fn_empty(*val))
		return 0;
	return 1;
}

/* a []byte as encoding/json writes it: base64 (standard, padded); NULL when out of memory */
static char *bytes_b64(const struct gitops_tmpl_value *v)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char *out = NULL;

	if (gitops_tmpl_value_bytes_of(&b, v) == 0 && gitops_base64_encode(&out, b.data ? b.data : "", b.len, 0) < 0)
		out = NULL;
	gitops_buf_release(&b);
	return out;
}

int fn_is_time(const struct gitops_tmpl_value *v)
{
	return gitops_tmpl_value_kind(v) == GITOPS_TMPL_MAP && v->u.map.is_struct && v->u.map.type_name &&
	       !strcmp(v->u.map.type_name, "time.Time");
}

const struct gitops_tmpl_value *fn_marshal_string(const struct gitops_tmpl_value *v)
{
	if (gitops_tmpl_value_kind(v) != GITOPS_TMPL_MAP || !v->u.map.is_struct || !v->u.map.type_name ||
	    (strcmp(v->u.map.type_name, "*semver.Version") && strcmp(v->u.map.type_name, "semver.Version")))
		return NULL;
	return gitops_tmpl_map_get(v, GITOPS_TMPL_STRINGER, sizeof(GITOPS_TMPL_STRINGER) - 1);
}

/*
 * A struct that Go marshals as a scalar: time.Time (its RFC 3339 text),
 * semver's Version (its String()), time.Month and the other named integers
 * (their number).  1 with *out (a new value), 0 for any other value, -1 with
 * err set.
 */
static int as_scalar(struct gitops_tmpl_value **out, const struct gitops_tmpl_value *v, int json,
		     struct gitops_err *err)
{
	const struct gitops_tmpl_value *x;
	struct gitops_buf b = GITOPS_BUF_INIT;

	if ((x = tmpl_named_int(v)) || (x = fn_marshal_string(v))) {
		*out = gitops_tmpl_value_ref((struct gitops_tmpl_value *)x);
		return 1;
	}
	if (!fn_is_time(v))
		return 0;
	if (fn_time_marshal(&b, v, json, err) < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	*out = gitops_tmpl_value_string(b.data, b.len);
	gitops_buf_release(&b);
	return *out ? 1 : gitops_err_oom(err);
}

static int jw_value(struct jw *j, const struct gitops_tmpl_value *v, int depth)
{
	char num[64];
	size_t i, len;

	if (depth > SER_MAX_DEPTH)
		return fn_fail(j->err, "json: unsupported value: encountered a cycle via %s",
			       gitops_tmpl_value_type_name(v));
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_MAP && v->u.map.is_struct) {
		struct gitops_tmpl_value *x;
		int r = as_scalar(&x, v, 1, j->err);
		if (r < 0)
			return -1;
		if (r > 0) {
			r = jw_value(j, x, depth + 1);
			gitops_tmpl_value_unref(x);
			return r;
		}
	}
	if (gitops_tmpl_value_is_nil_of(v)) {
		/* a nil slice or map: encoding/json writes null */
		j->oom |= gitops_buf_addstr(j->b, "null") < 0;
		return 0;
	}
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_NIL:
		j->oom |= gitops_buf_addstr(j->b, "null") < 0;
		return 0;
	case GITOPS_TMPL_BOOL:
		j->oom |= gitops_buf_addstr(j->b, v->u.b ? "true" : "false") < 0;
		return 0;
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8:
		snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
		j->oom |= gitops_buf_addstr(j->b, num) < 0;
		return 0;
	case GITOPS_TMPL_UINT64:
		snprintf(num, sizeof(num), "%llu", (unsigned long long)(uint64_t)v->u.i);
		j->oom |= gitops_buf_addstr(j->b, num) < 0;
		return 0;
	case GITOPS_TMPL_FLOAT64:
		if (isnan(v->u.f) || isinf(v->u.f))
			return fn_fail(j->err, "json: unsupported value: %s",
				       isnan(v->u.f) ? "NaN" : v->u.f > 0 ? "+Inf" : "-Inf");
		if (fabs(v->u.f) <= 9007199254740992.0 && v->u.f == trunc(v->u.f) && !(v->u.f == 0 && signbit(v->u.f))) {
			/* integral: Go writes the digits ('f' format), as printf's %.0f does, without its cost */
			snprintf(num, sizeof(num), "%lld", (long long)v->u.f);
			j->oom |= gitops_buf_addstr(j->b, num) < 0;
			return 0;
		}
		gitops_value_format_float(num, sizeof(num), v->u.f, GITOPS_FLOAT_JSON);
		j->oom |= gitops_buf_addstr(j->b, num) < 0;
		return 0;
	case GITOPS_TMPL_COMPLEX128:
		return fn_fail(j->err, "json: unsupported type: complex128");
	case GITOPS_TMPL_STRING:
		jw_string(j, v->u.str.s, v->u.str.len);
		return 0;
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		if (gitops_tmpl_value_is_bytes(v)) {
			char *b64 = bytes_b64(v);
			if (!b64)
				return gitops_err_oom(j->err);
			jw_string(j, b64, strlen(b64));
			free(b64);
			return 0;
		}
		len = v->u.list.n;
		j->oom |= gitops_buf_add(j->b, "[", 1) < 0;
		for (i = 0; i < len; i++) {
			if (i)
				j->oom |= gitops_buf_add(j->b, ",", 1) < 0;
			if (j->pretty)
				jw_newline(j, depth + 1);
			if (jw_value(j, v->u.list.items[i], depth + 1) < 0)
				return -1;
		}
		if (j->pretty && len)
			jw_newline(j, depth);
		j->oom |= gitops_buf_add(j->b, "]", 1) < 0;
		return 0;
	case GITOPS_TMPL_MAP:
		if (v->u.map.is_struct && gitops_tmpl_map_get(v, GITOPS_TMPL_FIELDS, sizeof(GITOPS_TMPL_FIELDS) - 1)) {
			const struct gitops_tmpl_value *f =
				gitops_tmpl_map_get(v, GITOPS_TMPL_FIELDS, sizeof(GITOPS_TMPL_FIELDS) - 1), *fv;
			const char *key;
			size_t kl, k = 0;
			j->oom |= gitops_buf_add(j->b, "{", 1) < 0;
			for (i = 0; i < gitops_tmpl_value_len(f); i++) {
				if (!json_field(v, f, i, &key, &kl, &fv))
					continue;
				if (k++)
					j->oom |= gitops_buf_add(j->b, ",", 1) < 0;
				if (j->pretty)
					jw_newline(j, depth + 1);
				jw_string(j, key, kl);
				j->oom |= gitops_buf_add(j->b, j->pretty ? ": " : ":", j->pretty ? 2 : 1) < 0;
				if (jw_value(j, fv, depth + 1) < 0)
					return -1;
			}
			if (j->pretty && k)
				jw_newline(j, depth);
			j->oom |= gitops_buf_add(j->b, "}", 1) < 0;
			return 0;
		}
		len = v->u.map.n;
		j->oom |= gitops_buf_add(j->b, "{", 1) < 0;
		for (i = 0; i < len; i++) {
			if (i)
				j->oom |= gitops_buf_add(j->b, ",", 1) < 0;
			if (j->pretty)
				jw_newline(j, depth + 1);
			jw_string(j, v->u.map.e[i].key, v->u.map.e[i].klen);
			j->oom |= gitops_buf_add(j->b, j->pretty ? ": " : ":", j->pretty ? 2 : 1) < 0;
			if (jw_value(j, v->u.map.e[i].val, depth + 1) < 0)
				return -1;
		}
		if (j->pretty && len)
			jw_newline(j, depth);
		j->oom |= gitops_buf_add(j->b, "}", 1) < 0;
		return 0;
	}
	return 0;
}

/* json.Marshal (html) or an Encoder without HTML escaping, into b (appended): 0 or -1 with Go's message */
static int json_encode(struct gitops_buf *b, const struct gitops_tmpl_value *v, int html, int pretty,
		       struct gitops_err *err)
{
	struct jw j = { b, html, pretty, 0, err };

	if (jw_value(&j, v, 0) < 0)
		return -1;
	if (j.oom || gitops_buf_add(b, "", 0) < 0)
		return gitops_err_oom(err);
	return 0;
}

/* ------------------------------------------------------------ encoding/json, reading */

struct jr {
	const char *s;
	size_t len, pos;
	char *type_err; /* the first UnmarshalTypeError */
	struct gitops_err *err;
};

/* the scanner's quoteChar */
static int jr_syntax(struct jr *r, const char *context)
{
	unsigned char c = (unsigned char)r->s[r->pos];
	struct gitops_buf q = GITOPS_BUF_INIT;
	char ch[4];
	int ret;

	if (c == '\'')
		return fn_fail(r->err, "invalid character '\\'' %s", context);
	if (c == '"')
		return fn_fail(r->err, "invalid character '\"' %s", context);
	if (c < 0x80) {
		ch[0] = (char)c;
		ret = tmpl_fmt_quote(&q, ch, 1, 0);
	} else {
		ch[0] = (char)(0xC0 | (c >> 6));
		ch[1] = (char)(0x80 | (c & 0x3F));
		ret = tmpl_fmt_quote(&q, ch, 2, 0);
	}
	if (ret < 0 || !q.data) {
		gitops_buf_release(&q);
		return gitops_err_oom(r->err);
	}
	ret = fn_fail(r->err, "invalid character '%.*s' %s", (int)(q.len - 2), q.data + 1, context);
	gitops_buf_release(&q);
	return ret;
}

static int jr_eof(struct jr *r)
{
	return fn_fail(r->err, "unexpected end of JSON input");
}

/* the scanner at the end of the input steps once more with ' ': where that is an error, it is the error */
static int jr_eof_in(struct jr *r, const char *context)
{
	return fn_fail(r->err, "invalid character ' ' %s", context);
}

static void jr_ws(struct jr *r)
{
	while (r->pos < r->len && (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' || r->s[r->pos] == '\n' ||
				   r->s[r->pos] == '\r'))
		r->pos++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX at r->pos (after the u): the code unit, or -1 with the error set */
static int jr_u4(struct jr *r)
{
	int k, u = 0, h;

	for (k = 0; k < 4; k++) {
		if (r->pos >= r->len)
			return jr_eof_in(r, "in \\u hexadecimal character escape");
		if ((h = hexval(r->s[r->pos])) < 0)
			return jr_syntax(r, "in \\u hexadecimal character escape");
		u = u * 16 + h;
		r->pos++;
	}
	return u;
}

/* a string at r->pos (the opening quote): its bytes as Go's unquote makes them */
static int jr_string(struct jr *r, struct gitops_buf *out)
{
	size_t start;

	r->pos++;
	start = r->pos;
	for (;;) {
		unsigned char c;
		if (r->pos >= r->len)
			return jr_eof(r);
		c = (unsigned char)r->s[r->pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return jr_syntax(r, "in string literal");
		if (c == '\\') {
			int u, u2;
			if (gitops_buf_add(out, r->s + start, r->pos - start) < 0)
				return gitops_err_oom(r->err);
			r->pos++;
			if (r->pos >= r->len)
				return jr_eof_in(r, "in string escape code");
			c = (unsigned char)r->s[r->pos];
			switch (c) {
			case '"': case '\\': case '/':
				u = c;
				break;
			case 'b': u = '\b'; break;
			case 'f': u = '\f'; break;
			case 'n': u = '\n'; break;
			case 'r': u = '\r'; break;
			case 't': u = '\t'; break;
			case 'u':
				r->pos++;
				if ((u = jr_u4(r)) < 0)
					return -1;
				if (u >= 0xD800 && u < 0xDC00) {
					/* a surrogate pair, when the next escape completes it */
					if (r->pos + 1 < r->len && r->s[r->pos] == '\\' && r->s[r->pos + 1] == 'u') {
						size_t save = r->pos;
						r->pos += 2;
						if ((u2 = jr_u4(r)) < 0)
							return -1;
						if (u2 >= 0xDC00 && u2 < 0xE000) {
							u = 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
						} else {
							u = 0xFFFD;
							r->pos = save;
						}
					} else {
						u = 0xFFFD;
					}
				} else if (u >= 0xDC00 && u < 0xE000) {
					u = 0xFFFD;
				}
				if (fn_put_rune(out, u) < 0)
					return gitops_err_oom(r->err);
				start = r->pos;
				continue;
			default:
				return jr_syntax(r, "in string escape code");
			}
			if (fn_put_rune(out, u) < 0)
				return gitops_err_oom(r->err);
			r->pos++;
			start = r->pos;
			continue;
		}
		if (c >= 0x80) {
			size_t size;
			int rr = fn_rune(r->s + r->pos, r->len - r->pos, &size);
			if (rr == 0xFFFD && size == 1) {
				if (gitops_buf_add(out, r->s + start, r->pos - start) < 0 ||
				    gitops_buf_add(out, "\xEF\xBF\xBD", 3) < 0)
					return gitops_err_oom(r->err);
				r->pos++;
				start = r->pos;
				continue;
			}
			r->pos += size;
			continue;
		}
		r->pos++;
	}
	if (gitops_buf_add(out, r->s + start, r->pos - start) < 0 || gitops_buf_add(out, "", 0) < 0)
		return gitops_err_oom(r->err);
	r->pos++;
	return 0;
}

static int is_dig(char c)
{
	return c >= '0' && c <= '9';
}

static int jr_number(struct jr *r, struct gitops_tmpl_value **out)
{
	size_t start = r->pos;
	double d;
	char *tmp;

	if (r->s[r->pos] == '-') {
		r->pos++;
		if (r->pos >= r->len)
			return jr_eof_in(r, "in numeric literal");
		if (!is_dig(r->s[r->pos]))
			return jr_syntax(r, "in numeric literal");
	}
	if (r->s[r->pos] == '0')
		r->pos++;
	else
		while (r->pos < r->len && is_dig(r->s[r->pos]))
			r->pos++;
	if (r->pos < r->len && r->s[r->pos] == '.') {
		r->pos++;
		if (r->pos >= r->len)
			return jr_eof_in(r, "after decimal point in numeric literal");
		if (!is_dig(r->s[r->pos]))
			return jr_syntax(r, "after decimal point in numeric literal");
		while (r->pos < r->len && is_dig(r->s[r->pos]))
			r->pos++;
	}
	if (r->pos < r->len && (r->s[r->pos] == 'e' || r->s[r->pos] == 'E')) {
		r->pos++;
		if (r->pos < r->len && (r->s[r->pos] == '+' || r->s[r->pos] == '-'))
			r->pos++;
		if (r->pos >= r->len)
			return jr_eof_in(r, "in exponent of numeric literal");
		if (!is_dig(r->s[r->pos]))
			return jr_syntax(r, "in exponent of numeric literal");
		while (r->pos < r->len && is_dig(r->s[r->pos]))
			r->pos++;
	}
	tmp = strndup(r->s + start, r->pos - start);
	if (!tmp)
		return gitops_err_oom(r->err);
	if (tmpl_strconv_parse_float(&d, tmp, strlen(tmp)) < 0) {
		if (!r->type_err && asprintf(&r->type_err, "json: cannot unmarshal number %s into Go value of type float64",
					     tmp) < 0)
			r->type_err = NULL;
		free(tmp);
		*out = NULL;
		return 0;
	}
	free(tmp);
	*out = gitops_tmpl_value_float(d);
	return *out ? 0 : gitops_err_oom(r->err);
}

static int jr_literal(struct jr *r, const char *word)
{
	size_t k;
	char ctx[64];

	for (k = 0; word[k]; k++, r->pos++) {
		if (r->pos >= r->len || r->s[r->pos] != word[k]) {
			snprintf(ctx, sizeof(ctx), "in literal %s (expecting '%c')", word, word[k]);
			return r->pos >= r->len ? jr_eof_in(r, ctx) : jr_syntax(r, ctx);
		}
	}
	return 0;
}

static int jr_value(struct jr *r, struct gitops_tmpl_value **out, int depth)
{
	struct gitops_tmpl_value *v = NULL, *item = NULL;
	struct gitops_buf key = GITOPS_BUF_INIT;

	*out = NULL;
	jr_ws(r);
	if (r->pos >= r->len)
		return jr_eof(r);
	switch (r->s[r->pos]) {
	case '{':
		if (depth >= SER_MAX_DEPTH)
			return jr_syntax(r, "exceeded max depth");
		r->pos++;
		if (!(v = gitops_tmpl_value_map(NULL)))
			return gitops_err_oom(r->err);
		jr_ws(r);
		if (r->pos < r->len && r->s[r->pos] == '}') {
			r->pos++;
			*out = v;
			return 0;
		}
		for (;;) {
			jr_ws(r);
			if (r->pos >= r->len) {
				jr_eof(r);
				goto fail;
			}
			if (r->s[r->pos] != '"') {
				jr_syntax(r, "looking for beginning of object key string");
				goto fail;
			}
			key.len = 0;
			if (jr_string(r, &key) < 0)
				goto fail;
			jr_ws(r);
			if (r->pos >= r->len) {
				jr_eof(r);
				goto fail;
			}
			if (r->s[r->pos] != ':') {
				jr_syntax(r, "after object key");
				goto fail;
			}
			r->pos++;
			if (jr_value(r, &item, depth + 1) < 0)
				goto fail;
			if (gitops_tmpl_map_set(v, key.data ? key.data : "", key.len,
						item ? item : gitops_tmpl_value_nil()) < 0) {
				gitops_err_oom(r->err);
				goto fail;
			}
			item = NULL;
			jr_ws(r);
			if (r->pos >= r->len) {
				jr_eof(r);
				goto fail;
			}
			if (r->s[r->pos] == ',') {
				r->pos++;
				continue;
			}
			if (r->s[r->pos] == '}') {
				r->pos++;
				break;
			}
			jr_syntax(r, "after object key:value pair");
			goto fail;
		}
		gitops_buf_release(&key);
		*out = v;
		return 0;
	case '[':
		if (depth >= SER_MAX_DEPTH)
			return jr_syntax(r, "exceeded max depth");
		r->pos++;
		if (!(v = gitops_tmpl_value_list(GITOPS_TMPL_LIST)))
			return gitops_err_oom(r->err);
		jr_ws(r);
		if (r->pos < r->len && r->s[r->pos] == ']') {
			r->pos++;
			*out = v;
			return 0;
		}
		for (;;) {
			if (jr_value(r, &item, depth + 1) < 0)
				goto fail;
			if (gitops_tmpl_list_push(v, item ? item : gitops_tmpl_value_nil()) < 0) {
				gitops_err_oom(r->err);
				goto fail;
			}
			item = NULL;
			jr_ws(r);
			if (r->pos >= r->len) {
				jr_eof(r);
				goto fail;
			}
			if (r->s[r->pos] == ',') {
				r->pos++;
				continue;
			}
			if (r->s[r->pos] == ']') {
				r->pos++;
				break;
			}
			jr_syntax(r, "after array element");
			goto fail;
		}
		tmpl_set_append_cap(v, 0); /* encoding/json appends one item at a time */
		*out = v;
		return 0;
	case '"':
		if (jr_string(r, &key) < 0)
			goto fail;
		*out = gitops_tmpl_value_string(key.data ? key.data : "", key.len);
		gitops_buf_release(&key);
		return *out ? 0 : gitops_err_oom(r->err);
	case 't':
		if (jr_literal(r, "true") < 0)
			return -1;
		*out = gitops_tmpl_value_bool(1);
		return *out ? 0 : gitops_err_oom(r->err);
	case 'f':
		if (jr_literal(r, "false") < 0)
			return -1;
		*out = gitops_tmpl_value_bool(0);
		return *out ? 0 : gitops_err_oom(r->err);
	case 'n':
		return jr_literal(r, "null");
	default:
		if (r->s[r->pos] == '-' || is_dig(r->s[r->pos]))
			return jr_number(r, out);
		return jr_syntax(r, "looking for beginning of value");
	}
fail:
	gitops_buf_release(&key);
	gitops_tmpl_value_unref(item);
	gitops_tmpl_value_unref(v);
	return -1;
}

int ser_json_decode(struct gitops_tmpl_value **out, const char *s, size_t len, char **type_err,
		    struct gitops_err *err)
{
	struct jr r = { s, len, 0, NULL, err };
	struct gitops_tmpl_value *v = NULL;

	*out = NULL;
	if (type_err)
		*type_err = NULL;
	if (jr_value(&r, &v, 0) < 0)
		goto fail;
	jr_ws(&r);
	if (r.pos < r.len) {
		jr_syntax(&r, "after top-level value");
		goto fail;
	}
	*out = v;
	if (type_err)
		*type_err = r.type_err;
	else
		free(r.type_err);
	return 0;
fail:
	gitops_tmpl_value_unref(v);
	free(r.type_err);
	return -1;
}

int ser_format_g(struct gitops_buf *b, double f, int bits)
{
	char e[64], dig[32], num[96];
	int p, nd = 0, exp, k, o = 0;
	const char *c;

	if (bits == 32)
		f = (double)(float)f;
	if (isnan(f) || isinf(f))
		return gitops_buf_addstr(b, isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
	/* the shortest digits that read back as the same float32 or float64 */
	for (p = 1; p <= 17; p++) {
		snprintf(e, sizeof(e), "%.*e", p - 1, f);
		if (bits == 32 ? strtof(e, NULL) == (float)f : strtod(e, NULL) == f)
			break;
	}
	c = e;
	if (*c == '-')
		num[o++] = *c++;
	for (; *c && *c != 'e'; c++)
		if (*c != '.' && nd < (int)sizeof(dig) - 1)
			dig[nd++] = *c;
	exp = atoi(c + 1);
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	/* strconv's 'g' with the shortest digits: an exponent below -4 or from 6 up */
	if (exp < -4 || exp >= 6) {
		num[o++] = dig[0];
		if (nd > 1) {
			num[o++] = '.';
			for (k = 1; k < nd; k++)
				num[o++] = dig[k];
		}
		o += snprintf(num + o, sizeof(num) - (size_t)o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	} else if (exp >= 0) {
		for (k = 0; k <= exp || k < nd; k++) {
			if (k == exp + 1)
				num[o++] = '.';
			num[o++] = k < nd ? dig[k] : '0';
		}
		num[o] = '\0';
	} else {
		num[o++] = '0';
		num[o++] = '.';
		for (k = 0; k < -exp - 1; k++)
			num[o++] = '0';
		for (k = 0; k < nd; k++)
			num[o++] = dig[k];
		num[o] = '\0';
	}
	return gitops_buf_addstr(b, num);
}

/* ------------------------------------------------------------ values as value trees (toYaml) */

/*
 * The tree json.Marshal would write, for the go-yaml v2 emitter (lib/yaml/
 * emit.h); json: NaN, infinities fail as encoding/json fails; complex
 * numbers always fail.  NULL with err set.
 */
static cJSON *to_tree(const struct gitops_tmpl_value *v, int json, int depth, struct gitops_err *err)
{
	cJSON *t = NULL, *c;
	size_t i;

	if (depth > SER_MAX_DEPTH) {
		fn_fail(err, "json: unsupported value: encountered a cycle via %s", gitops_tmpl_value_type_name(v));
		return NULL;
	}
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_MAP && v->u.map.is_struct) {
		struct gitops_tmpl_value *x;
		int r = as_scalar(&x, v, json, err);
		if (r < 0)
			return NULL;
		if (r > 0) {
			/* x may be new: its string copied, not borrowed */
			int str = gitops_tmpl_value_kind(x) == GITOPS_TMPL_STRING;
			t = str ? cJSON_CreateString(x->u.str.s) : to_tree(x, json, depth + 1, err);
			gitops_tmpl_value_unref(x);
			if (!t && str)
				gitops_err_oom(err);
			return t;
		}
	}
	if (json && gitops_tmpl_value_is_nil_of(v)) /* yaml.v3 writes [] and {} for them */
		return cJSON_CreateNull() ? : (gitops_err_oom(err), NULL);
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_NIL:
		t = cJSON_CreateNull();
		break;
	case GITOPS_TMPL_BOOL:
		t = cJSON_CreateBool(v->u.b);
		break;
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8:
		t = gitops_value_new_int(v->u.i);
		break;
	case GITOPS_TMPL_UINT64: {
		char num[32];
		snprintf(num, sizeof(num), "%llu", (unsigned long long)(uint64_t)v->u.i);
		t = gitops_value_new_int_text(num);
		break;
	}
	case GITOPS_TMPL_FLOAT64:
		if (json && (isnan(v->u.f) || isinf(v->u.f))) {
			fn_fail(err, "json: unsupported value: %s", isnan(v->u.f) ? "NaN" : v->u.f > 0 ? "+Inf" : "-Inf");
			return NULL;
		}
		t = gitops_value_new_float(v->u.f);
		break;
	case GITOPS_TMPL_COMPLEX128:
		fn_fail(err, json ? "json: unsupported type: complex128" : "cannot marshal type: complex128");
		return NULL;
	case GITOPS_TMPL_STRING:
		if (memchr(v->u.str.s, '\0', v->u.str.len)) {
			/* a value tree's strings end at NUL: write the escape JSON would */
			fn_fail(err, "a string holds a NUL byte");
			return NULL;
		}
		/* borrowed, not copied: the tree lives only while v does */
		t = cJSON_CreateStringReference(v->u.str.s);
		break;
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		if (gitops_tmpl_value_is_bytes(v)) {
			char *b64 = bytes_b64(v);
			t = b64 ? cJSON_CreateString(b64) : NULL;
			free(b64);
			break;
		}
		t = cJSON_CreateArray();
		for (i = 0; t && i < v->u.list.n; i++) {
			if (!(c = to_tree(v->u.list.items[i], json, depth + 1, err)))
				goto fail;
			cJSON_AddItemToArray(t, c);
		}
		break;
	case GITOPS_TMPL_MAP:
		t = cJSON_CreateObject();
		if (v->u.map.is_struct && gitops_tmpl_map_get(v, GITOPS_TMPL_FIELDS, sizeof(GITOPS_TMPL_FIELDS) - 1)) {
			const struct gitops_tmpl_value *f =
				gitops_tmpl_map_get(v, GITOPS_TMPL_FIELDS, sizeof(GITOPS_TMPL_FIELDS) - 1), *fv;
			const char *key;
			size_t kl;
			for (i = 0; t && i < gitops_tmpl_value_len(f); i++) {
				char *k;
				if (!json_field(v, f, i, &key, &kl, &fv))
					continue;
				if (!(c = to_tree(fv, json, depth + 1, err)))
					goto fail;
				if (!(k = strndup(key, kl))) {
					cJSON_Delete(c);
					cJSON_Delete(t);
					t = NULL;
					break;
				}
				cJSON_AddItemToObject(t, k, c);
				free(k);
			}
			break;
		}
		for (i = 0; t && i < v->u.map.n; i++) {
			if (memchr(v->u.map.e[i].key, '\0', v->u.map.e[i].klen)) {
				fn_fail(err, "a key holds a NUL byte");
				goto fail;
			}
			if (!(c = to_tree(v->u.map.e[i].val, json, depth + 1, err)))
				goto fail;
			cJSON_AddItemToObjectCS(t, v->u.map.e[i].key, c);
		}
		break;
	}
	if (!t)
		gitops_err_oom(err);
	return t;
fail:
	cJSON_Delete(t);
	return NULL;
}

/* toYaml (v3 0: sigs.k8s.io/yaml.Marshal) or toYamlPretty (v3 1: yaml.v3, indent 2); final newline trimmed */
static int yaml_encode(char **out, const struct gitops_tmpl_value *v, int v3, struct gitops_err *err)
{
	struct gitops_yaml_style st = GITOPS_YAML_STYLE_INIT;
	cJSON *t = to_tree(v, !v3, 0, err);
	size_t len;
	int ret;

	*out = NULL;
	if (!t)
		return -1;
	st.separator = NULL;
	if (v3) {
		st.numbers = GITOPS_YAML_NUMBERS_TYPED;
		st.width = -1;
		st.indent_seqs = 1;
		st.binary = 1;
		st.tabs_block = 1;
		st.keys = GITOPS_YAML_KEYS_GO_V3;
	}
	ret = gitops_yaml_dump_style(out, t, &st, err);
	cJSON_Delete(t);
	if (ret < 0)
		return -1;
	len = strlen(*out);
	if (len && (*out)[len - 1] == '\n')
		(*out)[len - 1] = '\0';
	return 0;
}

/* ------------------------------------------------------------ the functions */

static int ret_owned(struct gitops_tmpl_value **out, char *s, struct gitops_err *err)
{
	int r = fn_ret_str(out, s, s ? strlen(s) : 0, err);

	free(s);
	return r;
}

FN(f_to_yaml)
{
	char *s = NULL;
	struct gitops_err e2 = { 0 };

	(void)call, (void)n;
	if (yaml_encode(&s, args[0], 0, &e2) < 0)
		return fn_ret_str(out, "", 0, err);
	return ret_owned(out, s, err);
}

FN(f_to_yaml_pretty)
{
	char *s = NULL;
	struct gitops_err e2 = { 0 };

	(void)call, (void)n;
	if (yaml_encode(&s, args[0], 1, &e2) < 0) {
		/* yaml.v3 panics on a type it cannot marshal: the panic is no error Encode returns */
		if (strncmp(e2.msg, "cannot marshal type", 19) == 0)
			return fn_fail(err, "%s", e2.msg);
		return fn_ret_str(out, "", 0, err);
	}
	return ret_owned(out, s, err);
}

/* toJson, toPrettyJson (errors as ""), the must* ones and toRawJson (errors fail) */
static int to_json(struct gitops_tmpl_value **out, struct gitops_tmpl_value *v, int html, int pretty, int must,
		   struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err e2 = { 0 };

	if (json_encode(&b, v, html, pretty, must ? err : &e2) < 0) {
		gitops_buf_release(&b);
		return must ? -1 : fn_ret_str(out, "", 0, err);
	}
	return fn_ret_buf(out, &b, err);
}

FN(f_to_json)
{
	(void)call, (void)n;
	return to_json(out, args[0], 1, 0, 0, err);
}

FN(f_must_to_json)
{
	(void)call, (void)n;
	return to_json(out, args[0], 1, 0, 1, err);
}

FN(f_to_pretty_json)
{
	(void)call, (void)n;
	return to_json(out, args[0], 1, 1, 0, err);
}

FN(f_must_to_pretty_json)
{
	(void)call, (void)n;
	return to_json(out, args[0], 1, 1, 1, err);
}

FN(f_to_raw_json)
{
	(void)call, (void)n;
	return to_json(out, args[0], 0, 0, 1, err);
}

/* Go's name of a JSON value's kind in an UnmarshalTypeError */
static const char *json_kind(const struct gitops_tmpl_value *v)
{
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_MAP:
		return "object";
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		return "array";
	case GITOPS_TMPL_STRING:
		return "string";
	case GITOPS_TMPL_BOOL:
		return "bool";
	default:
		return "number";
	}
}

/*
 * A decoded value into the result a from* function gives: a map (want_list
 * 0) or a list; *msg set (malloc'ed) to Go's UnmarshalTypeError when the
 * value is of another kind.  nil leaves an empty one.
 */
static int into(struct gitops_tmpl_value **res, char **msg, struct gitops_tmpl_value *v, int want_list,
		const char *prefix)
{
	enum gitops_tmpl_kind k = gitops_tmpl_value_kind(v);

	*res = NULL;
	*msg = NULL;
	if (v && k == (want_list ? GITOPS_TMPL_LIST : GITOPS_TMPL_MAP)) {
		*res = gitops_tmpl_value_ref(v);
		return 0;
	}
	*res = want_list ? gitops_tmpl_value_list(GITOPS_TMPL_LIST) : gitops_tmpl_value_map(NULL);
	if (!*res)
		return -1;
	if (v && asprintf(msg, "%sjson: cannot unmarshal %s into Go value of type %s", prefix, json_kind(v),
			  want_list ? "[]interface {}" : "map[string]interface {}") < 0) {
		*msg = NULL;
		return -1;
	}
	return 0;
}

/* the result of fromJson/fromYaml/fromToml (a map, "Error" set to msg) or fromJsonArray/fromYamlArray ([msg]) */
static int give(struct gitops_tmpl_value **out, struct gitops_tmpl_value *res, int list, const char *msg,
		struct gitops_err *err)
{
	struct gitops_tmpl_value *s;

	if (msg) {
		if (list) {
			gitops_tmpl_value_unref(res);
			res = gitops_tmpl_value_list(GITOPS_TMPL_LIST);
			if (!res)
				return gitops_err_oom(err);
		}
		s = gitops_tmpl_value_cstring(msg);
		if (!s || (list ? gitops_tmpl_list_push(res, s) : gitops_tmpl_map_set(res, "Error", 5, s)) < 0) {
			gitops_tmpl_value_unref(res);
			return gitops_err_oom(err);
		}
	}
	*out = res;
	return 0;
}

static int from_json(struct gitops_tmpl_value **out, struct gitops_tmpl_value *arg, int list,
		     struct gitops_err *err)
{
	size_t len;
	const char *s = gitops_tmpl_value_str(arg, &len);
	struct gitops_tmpl_value *v = NULL, *res = NULL;
	struct gitops_err e2 = { 0 };
	char *type_err = NULL, *msg = NULL;
	int r;

	if (ser_json_decode(&v, s, len, &type_err, &e2) < 0) {
		res = list ? gitops_tmpl_value_list(GITOPS_TMPL_LIST) : gitops_tmpl_value_map(NULL);
		if (!res)
			return gitops_err_oom(err);
		return give(out, res, list, e2.msg, err);
	}
	if (!v && !type_err) {
		/* null into a map or a slice makes it nil: a nil map[string]interface {} or []interface {} */
		*out = gitops_tmpl_value_nil_of(list ? GITOPS_TMPL_LIST : GITOPS_TMPL_MAP);
		return *out ? 0 : gitops_err_oom(err);
	}
	if (into(&res, &msg, v, list, "") < 0) {
		gitops_tmpl_value_unref(v);
		free(type_err);
		return gitops_err_oom(err);
	}
	gitops_tmpl_value_unref(v);
	r = give(out, res, list, msg ? msg : type_err, err);
	free(msg);
	free(type_err);
	return r;
}

FN(f_from_json)
{
	(void)call, (void)n;
	return from_json(out, args[0], 0, err);
}

FN(f_from_json_array)
{
	(void)call, (void)n;
	return from_json(out, args[0], 1, err);
}

FN(f_must_from_json)
{
	size_t len;
	const char *s = gitops_tmpl_value_str(args[0], &len);
	char *type_err = NULL;

	(void)call, (void)n;
	if (ser_json_decode(out, s, len, &type_err, err) < 0)
		return -1;
	if (type_err) {
		fn_fail(err, "%s", type_err);
		free(type_err);
		gitops_tmpl_value_unref(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int from_yaml(struct gitops_tmpl_value **out, struct gitops_tmpl_value *arg, int list,
		     struct gitops_err *err)
{
	size_t len;
	const char *s = gitops_tmpl_value_str(arg, &len);
	struct gitops_tmpl_value *v = NULL, *res = NULL;
	struct gitops_err e2 = { 0 };
	char *msg = NULL;
	int r;

	if (ser_yaml_decode(&v, s, len, &e2) < 0) {
		if (e2.code == 0 || strcmp(e2.msg, "out of memory") == 0)
			return gitops_err_oom(err);
		res = list ? gitops_tmpl_value_list(GITOPS_TMPL_LIST) : gitops_tmpl_value_map(NULL);
		if (!res)
			return gitops_err_oom(err);
		return give(out, res, list, e2.msg, err);
	}
	if (into(&res, &msg, v, list, "error unmarshaling JSON: while decoding JSON: ") < 0) {
		gitops_tmpl_value_unref(v);
		return gitops_err_oom(err);
	}
	gitops_tmpl_value_unref(v);
	r = give(out, res, list, msg, err);
	free(msg);
	return r;
}

FN(f_from_yaml)
{
	(void)call, (void)n;
	return from_yaml(out, args[0], 0, err);
}

FN(f_from_yaml_array)
{
	(void)call, (void)n;
	return from_yaml(out, args[0], 1, err);
}

FN(f_to_toml)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err e2 = { 0 };

	(void)call, (void)n;
	if (gitops_tmpl_value_kind(args[0]) == GITOPS_TMPL_NIL)
		/* reflect.ValueOf(nil) has no type: the encoder panics */
		return fn_fail(err, "reflect: call of reflect.Value.Type on zero Value");
	if (ser_toml_encode(&b, args[0], &e2) < 0) {
		gitops_buf_release(&b);
		if (strcmp(e2.msg, "out of memory") == 0)
			return gitops_err_oom(err);
		return fn_ret_str(out, e2.msg, strlen(e2.msg), err);
	}
	return fn_ret_buf(out, &b, err);
}

FN(f_from_toml)
{
	size_t len;
	const char *s = gitops_tmpl_value_str(args[0], &len);
	struct gitops_tmpl_value *v = NULL, *res;
	struct gitops_err e2 = { 0 };

	(void)call, (void)n;
	if (ser_toml_decode(&v, s, len, &e2) < 0) {
		if (strcmp(e2.msg, "out of memory") == 0)
			return gitops_err_oom(err);
		res = gitops_tmpl_value_map(NULL);
		if (!res)
			return gitops_err_oom(err);
		return give(out, res, 0, e2.msg, err);
	}
	*out = v;
	return 0;
}

#define A GITOPS_TMPL_P_ANY
#define S GITOPS_TMPL_P_STRING
const struct gitops_tmpl_func gitops_tmpl_funcs_serialize[] = {
	{ "toYaml", f_to_yaml, 1, 0, { A }, NULL },
	{ "toYamlPretty", f_to_yaml_pretty, 1, 0, { A }, NULL },
	{ "fromYaml", f_from_yaml, 1, 0, { S }, NULL },
	{ "fromYamlArray", f_from_yaml_array, 1, 0, { S }, NULL },
	{ "toJson", f_to_json, 1, 0, { A }, NULL },
	{ "mustToJson", f_must_to_json, 1, 0, { A }, NULL },
	{ "toPrettyJson", f_to_pretty_json, 1, 0, { A }, NULL },
	{ "mustToPrettyJson", f_must_to_pretty_json, 1, 0, { A }, NULL },
	{ "toRawJson", f_to_raw_json, 1, 0, { A }, NULL },
	{ "mustToRawJson", f_to_raw_json, 1, 0, { A }, NULL },
	{ "fromJson", f_from_json, 1, 0, { S }, NULL },
	{ "fromJsonArray", f_from_json_array, 1, 0, { S }, NULL },
	{ "mustFromJson", f_must_from_json, 1, 0, { S }, NULL },
	{ "toToml", f_to_toml, 1, 0, { A }, NULL },
	{ "fromToml", f_from_toml, 1, 0, { S }, NULL },
};
const size_t gitops_tmpl_funcs_serialize_n =
	sizeof(gitops_tmpl_funcs_serialize) / sizeof(gitops_tmpl_funcs_serialize[0]);
