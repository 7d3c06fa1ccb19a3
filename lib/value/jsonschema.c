/*
 * jsonschema.c: validation as gojsonschema v1.2.0 does it (see
 * jsonschema.h): nodes and instance walked together, errors collected with
 * gojsonschema's scores, which pick the branch whose errors a failed
 * anyOf/oneOf/contains reports.  Compiling is in jsonschema_compile.c;
 * numbers, canonical texts and formats in jsonschema_util.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/regex.h"
#include "lib/value/jsonschema.h"
#include "lib/value/jsonschema_int.h"
#include "lib/value/value.h"

/* ------------------------------------------------------------------ */
/* validation */

struct js_ctx {
	const char *seg;
	size_t len;
	const struct js_ctx *up;
};

struct js_verr {
	char *text; /* "FIELD: DESCRIPTION" */
};

struct js_res {
	struct js_verr *v;
	size_t n, cap;
	long score;
};

struct js_vc {
	struct gitops_err *err;
	int depth;
	int failed; /* -1 after an error */
};

static void res_release(struct js_res *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].text);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int field_text(struct gitops_buf *b, const struct js_ctx *c)
{
	const struct js_ctx *stack[JS_MAX_DEPTH + 8];
	size_t n = 0;

	for (; c && n < sizeof(stack) / sizeof(stack[0]); c = c->up)
		stack[n++] = c;
	if (n <= 1)
		return gitops_buf_addstr(b, "(root)");
	/* skip "(root)." */
	while (n-- > 1) {
		if (gitops_buf_add(b, stack[n - 1]->seg, stack[n - 1]->len) < 0)
			return -1;
		if (n > 1 && gitops_buf_add(b, ".", 1) < 0)
			return -1;
	}
	return 0;
}

/* Append template t with {field}, {a} and {b} filled in. */
static int fill(struct gitops_buf *out, const char *t, const char *field, const char *a, const char *b)
{
	while (*t) {
		const char *p = strchr(t, '{'), *val = NULL;
		size_t skip = 0;

		if (!p)
			return gitops_buf_addstr(out, t);
		if (strncmp(p, "{field}", 7) == 0)
			val = field, skip = 7;
		else if (strncmp(p, "{a}", 3) == 0)
			val = a, skip = 3;
		else if (strncmp(p, "{b}", 3) == 0)
			val = b, skip = 3;
		else
			skip = 1;
		if (gitops_buf_add(out, t, (size_t)(p - t) + (val ? 0 : skip)) < 0)
			return -1;
		if (val && gitops_buf_addstr(out, val) < 0)
			return -1;
		t = p + skip;
	}
	return 0;
}

/* Add an error: its description from template t ({field}, {a}, {b}). */
static void add_error(struct js_vc *vc, struct js_res *r, const struct js_ctx *ctx, const char *t, const char *a,
		      const char *b)
{
	struct gitops_buf f = GITOPS_BUF_INIT, line = GITOPS_BUF_INIT;

	r->score -= 2;
	if (vc->failed)
		return;
	if (field_text(&f, ctx) < 0 || gitops_buf_add(&line, f.data, f.len) < 0 || gitops_buf_addstr(&line, ": ") < 0 ||
	    fill(&line, t, f.data, a ? a : "", b ? b : "") < 0 ||
	    js_grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v)) < 0) {
		gitops_buf_release(&line);
		gitops_buf_release(&f);
		vc->failed = -1;
		gitops_err_oom(vc->err);
		return;
	}
	gitops_buf_release(&f);
	r->v[r->n++].text = gitops_buf_detach(&line);
}

static void merge(struct js_vc *vc, struct js_res *dst, struct js_res *src)
{
	dst->score += src->score;
	if (src->n && js_grow((void **)&dst->v, &dst->cap, dst->n + src->n, sizeof(*dst->v)) < 0) {
		vc->failed = -1;
		gitops_err_oom(vc->err);
		res_release(src);
		return;
	}
	if (src->n)
		memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
	free(src->v);
	memset(src, 0, sizeof(*src));
}

static void validate_rec(struct js_vc *vc, const struct js_node *s, const cJSON *v, struct js_res *r,
			 const struct js_ctx *ctx);

/* subValidateWithContext: a fresh result */
static void sub_validate(struct js_vc *vc, const struct js_node *s, const cJSON *v, struct js_res *out,
			 const struct js_ctx *ctx)
{
	memset(out, 0, sizeof(*out));
	validate_rec(vc, s, v, out, ctx);
}

static int is_int_number(const cJSON *v)
{
	struct js_num n;

	if (v->type & GITOPS_VALUE_INT)
		return 1;
	js_num_from_node(&n, v);
	return js_num_is_int(&n);
}

static void validate_schema(struct js_vc *vc, const struct js_node *s, const cJSON *v, struct js_res *r,
			    const struct js_ctx *ctx)
{
	size_t i, j;

	if (s->any_of.n) {
		int ok = 0;
		struct js_res best = { 0 }, cur;
		int have = 0;

		for (i = 0; i < s->any_of.n && !ok && !vc->failed; i++) {
			sub_validate(vc, s->any_of.v[i], v, &cur, ctx);
			ok = cur.n == 0;
			if (!ok && (!have || cur.score > best.score)) {
				res_release(&best);
				best = cur;
				have = 1;
			} else {
				res_release(&cur);
			}
		}
		if (!ok) {
			add_error(vc, r, ctx, "Must validate at least one schema (anyOf)", NULL, NULL);
			if (have)
				merge(vc, r, &best);
		}
		res_release(&best);
	}
	if (s->one_of.n) {
		int nvalid = 0, have = 0;
		struct js_res best = { 0 }, cur;

		for (i = 0; i < s->one_of.n && !vc->failed; i++) {
			sub_validate(vc, s->one_of.v[i], v, &cur, ctx);
			if (cur.n == 0) {
				nvalid++;
				res_release(&cur);
			} else if (nvalid == 0 && (!have || cur.score > best.score)) {
				res_release(&best);
				best = cur;
				have = 1;
			} else {
				res_release(&cur);
			}
		}
		if (nvalid != 1) {
			add_error(vc, r, ctx, "Must validate one and only one schema (oneOf)", NULL, NULL);
			if (nvalid == 0 && have)
				merge(vc, r, &best);
		}
		res_release(&best);
	}
	if (s->all_of.n) {
		size_t nvalid = 0;
		struct js_res cur;

		for (i = 0; i < s->all_of.n && !vc->failed; i++) {
			sub_validate(vc, s->all_of.v[i], v, &cur, ctx);
			if (cur.n == 0)
				nvalid++;
			merge(vc, r, &cur);
		}
		if (nvalid != s->all_of.n)
			add_error(vc, r, ctx, "Must validate all the schemas (allOf)", NULL, NULL);
	}
	if (s->not_) {
		struct js_res cur;

		sub_validate(vc, s->not_, v, &cur, ctx);
		if (cur.n == 0)
			add_error(vc, r, ctx, "Must not validate the schema (not)", NULL, NULL);
		res_release(&cur);
	}
	if (s->ndeps && js_is_obj(v)) {
		const cJSON *c;

		for (c = v->child; c && !vc->failed; c = c->next) {
			for (i = 0; i < s->ndeps; i++) {
				const struct js_dep *d = &s->deps[i];

				if (strcmp(d->name, c->string) != 0)
					continue;
				if (d->schema) {
					validate_rec(vc, d->schema, v, r, ctx);
					continue;
				}
				for (j = 0; j < d->nkeys; j++)
					if (!cJSON_GetObjectItemCaseSensitive(v, d->keys[j]))
						add_error(vc, r, ctx, "Has a dependency on {a}", d->keys[j], NULL);
			}
		}
	}
	if (s->if_) {
		struct js_res ri, rt;

		sub_validate(vc, s->if_, v, &ri, ctx);
		if (s->then_ && ri.n == 0) {
			sub_validate(vc, s->then_, v, &rt, ctx);
			if (rt.n) {
				add_error(vc, r, ctx, "Must validate \"then\" as \"if\" was valid", NULL, NULL);
				merge(vc, r, &rt);
			}
			res_release(&rt);
		}
		if (s->else_ && ri.n != 0) {
			sub_validate(vc, s->else_, v, &rt, ctx);
			if (rt.n) {
				add_error(vc, r, ctx, "Must validate \"else\" as \"if\" was not valid", NULL, NULL);
				merge(vc, r, &rt);
			}
			res_release(&rt);
		}
		res_release(&ri);
	}
	r->score++;
}

/* A failed js_canonical during validation: 1 (and vc failed, its error set), or 0 when it did not fail. */
static int canon_failed(struct js_vc *vc, int rc)
{
	if (rc >= 0)
		return 0;
	vc->failed = -1;
	if (rc == -2)
		gitops_err_set(vc->err, GITOPS_EXIT_INPUT, "value nested deeper than %d levels", JS_CANON_MAX_DEPTH);
	else
		gitops_err_oom(vc->err);
	return 1;
}

static void validate_common(struct js_vc *vc, const struct js_node *s, const cJSON *v, struct js_res *r,
			    const struct js_ctx *ctx)
{
	if (s->constant || s->nenums) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		size_t i;

		if (canon_failed(vc, js_canonical(&b, v))) {
			gitops_buf_release(&b);
			return;
		}
		if (s->constant && strcmp(b.data, s->constant) != 0)
			add_error(vc, r, ctx, "{field} does not match: {a}", s->constant, NULL);
		if (s->nenums) {
			for (i = 0; i < s->nenums; i++)
				if (strcmp(b.data, s->enums[i]) == 0)
					break;
			if (i == s->nenums)
				add_error(vc, r, ctx, "{field} must be one of the following: {a}", s->enum_text, NULL);
		}
		gitops_buf_release(&b);
	}
	r->score++;
}

static size_t utoa(char *buf, size_t v);

static void validate_array(struct js_vc *vc, const struct js_node *s, const cJSON *v, struct js_res *r,
			   const struct js_ctx *ctx)
{
	const cJSON *c;
	size_t n = 0, i;
	char num[32];
	struct js_ctx sc;
	struct js_res cur;

	for (c = v->child; c; c = c->next)
		n++;
	sc.up = ctx;
	sc.seg = num;
	if (s->items_single) {
		for (i = 0, c = v->child; c && !vc->failed; c = c->next, i++) {
			sc.len = utoa(num, i);
			sub_validate(vc, s->items.v[0], c, &cur, &sc);
			merge(vc, r, &cur);
		}
	} else if (s->items.n) {
		for (i = 0, c = v->child; c && i < s->items.n && !vc->failed; c = c->next, i++) {
			sc.len = utoa(num, i);
			sub_validate(vc, s->items.v[i], c, &cur, &sc);
			merge(vc, r, &cur);
		}
		if (s->items.n < n) {
			if (s->additems_bool == 0) {
				add_error(vc, r, ctx, "No additional items allowed on array", NULL, NULL);
			} else if (s->additems) {
				for (; c && !vc->failed; c = c->next, i++) {
					sc.len = utoa(num, i);
					sub_validate(vc, s->additems, c, &cur, &sc);
					merge(vc, r, &cur);
				}
			}
		}
	}
	if (s->min_items >= 0 && n < (size_t)s->min_items) {
		snprintf(num, sizeof(num), "%ld", s->min_items);
		add_error(vc, r, ctx, "Array must have at least {a} items", num, NULL);
	}
	if (s->max_items >= 0 && n > (size_t)s->max_items) {
		snprintf(num, sizeof(num), "%ld", s->max_items);
		add_error(vc, r, ctx, "Array must have at most {a} items", num, NULL);
	}
	if (s->unique && n > 1) {
		char **texts = calloc(n, sizeof(char *));
		size_t j;

		if (!texts) {
			vc->failed = -1;
			gitops_err_oom(vc->err);
			return;
		}
		for (j = 0, c = v->child; c; c = c->next, j++) {
			struct gitops_buf b = GITOPS_BUF_INIT;

			if (canon_failed(vc, js_canonical(&b, c))) {
				gitops_buf_release(&b);
				break;
			}
			texts[j] = gitops_buf_detach(&b);
			/* the last earlier item with the same text (Go's map keeps the last index) */
			for (i = j; i-- > 0;)
				if (texts[i] && texts[j] && strcmp(texts[i], texts[j]) == 0) {
					char a[24], b2[24];

					snprintf(a, sizeof(a), "%zu", i);
					snprintf(b2, sizeof(b2), "%zu", j);
					add_error(vc, r, ctx, "array items[{a},{b}] must be unique", a, b2);
					break;
				}
		}
		for (j = 0; j < n; j++)
			free(texts[j]);
		free(texts);
	}
	if (s->contains) {
		int ok = 0, have = 0;
		struct js_res best = { 0 };

		for (i = 0, c = v->child; c && !ok && !vc->failed; c = c->next, i++) {
			sc.len = utoa(num, i);
			sub_validate(vc, s->contains, c, &cur, &sc);
			if (cur.n == 0) {
				ok = 1;
				res_release(&cur);
			} else if (!have || cur.score > best.score) {
				res_release(&best);
				best = cur;
				have = 1;
			} else {
				res_release(&cur);
			}
		}
		if (!ok) {
			add_error(vc, r, ctx, "At least one of the items must match", NULL, NULL);
			if (have)
				merge(vc, r, &best);
		}
		res_release(&best);
	}
	r->score++;
}

static size_t utoa(char *buf, size_t v)
{
	char t[24];
	size_t n = 0, i;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	buf[n] = '\0';
	return n;
}

static int has_prop(const struct js_node *s, const char *name)
{
	size_t lo = 0, hi = s->nprops;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->props[s->props_sorted[mid]].name, name);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void validate_object(struct js_vc *vc, const struct js_node *s, const cJSON *v, struct js_res *r,
			    const struct js_ctx *ctx)
{
	const cJSON *c;
	size_t n = 0, i;
	char num[32];
	struct js_res cur;
	struct js_ctx sc;

	for (c = v->child; c; c = c->next)
		n++;
	if (s->min_props >= 0 && n < (size_t)s->min_props) {
		snprintf(num, sizeof(num), "%ld", s->min_props);
		add_error(vc, r, ctx, "Must have at least {a} properties", num, NULL);
	}
	if (s->max_props >= 0 && n > (size_t)s->max_props) {
		snprintf(num, sizeof(num), "%ld", s->max_props);
		add_error(vc, r, ctx, "Must have at most {a} properties", num, NULL);
	}
	for (i = 0; i < s->nrequired; i++) {
		if (cJSON_GetObjectItemCaseSensitive(v, s->required[i]))
			r->score++;
		else
			add_error(vc, r, ctx, "{a} is required", s->required[i], NULL);
	}
	sc.up = ctx;
	for (c = v->child; c && !vc->failed; c = c->next) {
		int found = has_prop(s, c->string), matched = 0;

		sc.seg = c->string;
		sc.len = strlen(c->string);
		for (i = 0; i < s->npprops && !vc->failed; i++) {
			int m = gitops_regex_match(s->pprops[i].re, c->string, sc.len, NULL);

			if (m < 0) {
				vc->failed = -1;
				gitops_err_set(vc->err, GITOPS_EXIT_INPUT, "patternProperties %s: matching gave up",
					       s->pprops[i].pattern);
				return;
			}
			if (m) {
				matched = 1;
				sub_validate(vc, s->pprops[i].schema, c, &cur, &sc);
				merge(vc, r, &cur);
			}
		}
		if (matched)
			r->score++;
		if (!found && !matched) {
			if (s->addprops_bool == 0)
				add_error(vc, r, ctx, "Additional property {a} is not allowed", c->string, NULL);
			else if (s->addprops) {
				sub_validate(vc, s->addprops, c, &cur, &sc);
				merge(vc, r, &cur);
			}
		}
	}
	if (s->propnames) {
		for (c = v->child; c && !vc->failed; c = c->next) {
			cJSON key;

			memset(&key, 0, sizeof(key));
			key.type = cJSON_String;
			key.valuestring = c->string;
			sub_validate(vc, s->propnames, &key, &cur, ctx);
			if (cur.n) {
				add_error(vc, r, ctx, "Property name of \"{a}\" does not match", c->string, NULL);
				merge(vc, r, &cur);
			}
			res_release(&cur);
		}
	}
	r->score++;
}

static void validate_string(struct js_vc *vc, const struct js_node *s, const cJSON *v, struct js_res *r,
			    const struct js_ctx *ctx)
{
	const char *str = v->valuestring;
	size_t len = strlen(str);
	char num[32];

	if (s->min_length >= 0 || s->max_length >= 0) {
		size_t runes = js_rune_count(str, len);

		if (s->min_length >= 0 && runes < (size_t)s->min_length) {
			snprintf(num, sizeof(num), "%ld", s->min_length);
			add_error(vc, r, ctx, "String length must be greater than or equal to {a}", num, NULL);
		}
		if (s->max_length >= 0 && runes > (size_t)s->max_length) {
			snprintf(num, sizeof(num), "%ld", s->max_length);
			add_error(vc, r, ctx, "String length must be less than or equal to {a}", num, NULL);
		}
	}
	if (s->pattern) {
		int m = gitops_regex_match(s->pattern, str, len, NULL);

		if (m < 0) {
			vc->failed = -1;
			gitops_err_set(vc->err, GITOPS_EXIT_INPUT, "pattern %s: matching gave up",
				       gitops_regex_pattern(s->pattern));
			return;
		}
		if (!m)
			add_error(vc, r, ctx, "Does not match pattern '{a}'", gitops_regex_pattern(s->pattern), NULL);
	}
	if (s->format && !js_format_ok(s->format, str, len))
		add_error(vc, r, ctx, "Does not match format '{a}'", s->format, NULL);
	r->score++;
}

static void validate_number(struct js_vc *vc, const struct js_node *s, const cJSON *v, struct js_res *r,
			    const struct js_ctx *ctx)
{
	struct js_num x;
	char buf[160];

	js_num_from_node(&x, v);
	if (s->multiple_of && !js_num_is_multiple(&x, s->multiple_of))
		add_error(vc, r, ctx, "Must be a multiple of {a}", js_num_format(buf, sizeof(buf), s->multiple_of), NULL);
	if (s->maximum && js_num_cmp(&x, s->maximum) > 0)
		add_error(vc, r, ctx, "Must be less than or equal to {a}", js_num_format(buf, sizeof(buf), s->maximum),
			  NULL);
	if (s->exclusive_maximum && js_num_cmp(&x, s->exclusive_maximum) >= 0)
		add_error(vc, r, ctx, "Must be less than {a}", js_num_format(buf, sizeof(buf), s->exclusive_maximum),
			  NULL);
	if (s->minimum && js_num_cmp(&x, s->minimum) < 0)
		add_error(vc, r, ctx, "Must be greater than or equal to {a}", js_num_format(buf, sizeof(buf), s->minimum),
			  NULL);
	if (s->exclusive_minimum && js_num_cmp(&x, s->exclusive_minimum) <= 0)
		add_error(vc, r, ctx, "Must be greater than {a}", js_num_format(buf, sizeof(buf), s->exclusive_minimum),
			  NULL);
	/* gojsonschema's format checkers take strings only: a number fails any known format */
	if (s->format && js_format_known(s->format))
		add_error(vc, r, ctx, "Does not match format '{a}'", s->format, NULL);
	r->score++;
}

struct key_ref {
	const char *key;
	const cJSON *node;
	size_t at;
};

static int cmp_key_ref(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* The properties a schema names, each validated against the instance's member (Go's map: the last of repeated keys). */
static void validate_props(struct js_vc *vc, const struct js_node *s, const cJSON *v, struct js_res *r,
			   const struct js_ctx *ctx)
{
	struct key_ref *keys = NULL;
	const cJSON *c;
	size_t nkeys = 0, i;

	if (!s->nprops)
		return;
	for (c = v->child; c; c = c->next)
		nkeys++;
	if (s->nprops > 4 && nkeys > 4 && (keys = malloc(nkeys * sizeof(*keys)))) {
		for (i = 0, c = v->child; c; c = c->next, i++) {
			keys[i].key = c->string;
			keys[i].node = c;
			keys[i].at = i;
		}
		qsort(keys, nkeys, sizeof(*keys), cmp_key_ref);
	}
	for (i = 0; i < s->nprops && !vc->failed; i++) {
		struct js_ctx sc;

		c = NULL;
		if (keys) {
			size_t lo = 0, hi = nkeys;

			/* the last entry with this key: the first one past it */
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;

				if (strcmp(keys[mid].key, s->props[i].name) <= 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo > 0 && strcmp(keys[lo - 1].key, s->props[i].name) == 0)
				c = keys[lo - 1].node;
		} else {
			c = js_member(v, s->props[i].name);
		}
		if (!c)
			continue;
		sc.up = ctx;
		sc.seg = s->props[i].name;
		sc.len = strlen(sc.seg);
		validate_rec(vc, s->props[i].schema, c, r, &sc);
	}
	free(keys);
}

static int type_error(struct js_vc *vc, const struct js_node *s, struct js_res *r, const struct js_ctx *ctx,
		      unsigned want, const char *given)
{
	if (!s->types || (s->types & want))
		return 0;
	add_error(vc, r, ctx, "Invalid type. Expected: {a}, given: {b}", s->type_text, given);
	return 1;
}

static void validate_rec(struct js_vc *vc, const struct js_node *s, const cJSON *v, struct js_res *r,
			 const struct js_ctx *ctx)
{
	if (vc->failed)
		return;
	if (++vc->depth > JS_MAX_DEPTH) {
		vc->failed = -1;
		gitops_err_set(vc->err, GITOPS_EXIT_INPUT,
			       "schema validation nested deeper than %d levels (a recursive $ref?)", JS_MAX_DEPTH);
		vc->depth--;
		return;
	}
	if (s->pass >= 0) {
		if (!s->pass)
			add_error(vc, r, ctx, "False always fails validation", NULL, NULL);
		goto out;
	}
	if (s->has_ref) {
		validate_rec(vc, s->ref, v, r, ctx);
		goto out;
	}
	switch (v->type & 0xFF) {
	case cJSON_NULL:
		if (type_error(vc, s, r, ctx, T_NULL, "null"))
			goto out;
		validate_schema(vc, s, v, r, ctx);
		validate_common(vc, s, v, r, ctx);
		break;
	case cJSON_Number: {
		int isint = is_int_number(v);

		if (type_error(vc, s, r, ctx, T_NUMBER | (isint ? T_INTEGER : 0), isint ? "integer" : "number"))
			goto out;
		validate_schema(vc, s, v, r, ctx);
		validate_number(vc, s, v, r, ctx);
		validate_common(vc, s, v, r, ctx);
		break;
	}
	case cJSON_Array:
		if (type_error(vc, s, r, ctx, T_ARRAY, "array"))
			goto out;
		validate_schema(vc, s, v, r, ctx);
		validate_array(vc, s, v, r, ctx);
		validate_common(vc, s, v, r, ctx);
		break;
	case cJSON_Object: {
		if (type_error(vc, s, r, ctx, T_OBJECT, "object"))
			goto out;
		validate_schema(vc, s, v, r, ctx);
		validate_object(vc, s, v, r, ctx);
		validate_common(vc, s, v, r, ctx);
		validate_props(vc, s, v, r, ctx);
		break;
	}
	case cJSON_True:
	case cJSON_False:
		if (type_error(vc, s, r, ctx, T_BOOLEAN, "boolean"))
			goto out;
		validate_schema(vc, s, v, r, ctx);
		validate_common(vc, s, v, r, ctx);
		break;
	case cJSON_String:
		if (type_error(vc, s, r, ctx, T_STRING, "string"))
			goto out;
		validate_schema(vc, s, v, r, ctx);
		validate_common(vc, s, v, r, ctx);
		validate_string(vc, s, v, r, ctx);
		break;
	default:
		vc->failed = -1;
		gitops_err_set(vc->err, GITOPS_EXIT_INPUT, "not a JSON value");
		goto out;
	}
	r->score++;
out:
	vc->depth--;
}

int gitops_jsonschema_validate(struct gitops_buf *out, const struct gitops_jsonschema *s, const cJSON *instance,
			       struct gitops_err *err)
{
	struct js_vc vc;
	struct js_res r;
	struct js_ctx root;
	size_t i;
	int rc;

	memset(&vc, 0, sizeof(vc));
	memset(&r, 0, sizeof(r));
	vc.err = err;
	root.seg = "(root)";
	root.len = 6;
	root.up = NULL;
	if (!s || !instance)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "jsonschema: nothing to validate");
	validate_rec(&vc, s->root, instance, &r, &root);
	if (vc.failed) {
		res_release(&r);
		return -1;
	}
	for (i = 0; i < r.n; i++)
		if (gitops_buf_printf(out, "- %s\n", r.v[i].text) < 0) {
			res_release(&r);
			return gitops_err_oom(err);
		}
	rc = r.n ? 1 : 0;
	res_release(&r);
	return rc;
}

