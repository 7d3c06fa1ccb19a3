#include "lib/base/semver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ident_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* A decimal number without leading zeros at *p; advances *p. 0 or -1. */
static int parse_number(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (!is_digit(*s))
		return -1;
	if (*s == '0' && is_digit(s[1]))
		return -1;
	while (is_digit(*s)) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		s++;
	}
	*out = v;
	*p = s;
	return 0;
}

/*
 * Dot-separated identifiers at *p into out (size GITOPS_SEMVER_PART_MAX+1),
 * ending at a character outside [0-9A-Za-z.-].  numeric_rule: numeric
 * identifiers must not have leading zeros (prerelease).  0 or -1.
 */
static int parse_idents(const char **p, char *out, int numeric_rule)
{
	const char *s = *p, *start = s;

	for (;;) {
		const char *id = s;
		int numeric = 1;
		while (is_ident_char(*s)) {
			if (!is_digit(*s))
				numeric = 0;
			s++;
		}
		if (s == id)
			return -1;
		if (numeric_rule && numeric && *id == '0' && s - id > 1)
			return -1;
		if (*s != '.')
			break;
		s++;
	}
	if ((size_t)(s - start) > GITOPS_SEMVER_PART_MAX)
		return -1;
	memcpy(out, start, (size_t)(s - start));
	out[s - start] = '\0';
	*p = s;
	return 0;
}

/* A part of a version in a range: a number, a wildcard (x, X, *) or missing. */
enum part { PART_NUM, PART_WILD, PART_MISSING };

struct partial {
	struct gitops_semver v;    /* wildcards and missing parts are 0 */
	enum part major, minor, patch;
};

/* Parse a (possibly partial, possibly wildcard) version at *p; allow_wild for ranges. */
static int parse_partial(const char **p, struct partial *out, int allow_wild)
{
	const char *s = *p;
	uint64_t *nums[3];
	enum part *kinds[3];
	int i;

	memset(out, 0, sizeof(*out));
	nums[0] = &out->v.major, nums[1] = &out->v.minor, nums[2] = &out->v.patch;
	kinds[0] = &out->major, kinds[1] = &out->minor, kinds[2] = &out->patch;
	out->minor = out->patch = PART_MISSING;
	if (*s == 'v' || *s == 'V')
		s++;
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			if (*s != '.')
				break;
			s++;
		}
		if (allow_wild && (*s == 'x' || *s == 'X' || *s == '*')) {
			*kinds[i] = PART_WILD;
			s++;
		} else if (parse_number(&s, nums[i]) < 0) {
			return -1;
		} else {
			*kinds[i] = PART_NUM;
		}
	}
	/* once a part is a wildcard or missing, what follows is too */
	if (out->major != PART_NUM) {
		if (out->minor == PART_NUM || out->patch == PART_NUM)
			return -1;
	} else if (out->minor != PART_NUM && out->patch == PART_NUM) {
		return -1;
	}
	if (*s == '-') {
		s++;
		if (parse_idents(&s, out->v.pre, 1) < 0)
			return -1;
	}
	if (*s == '+') {
		s++;
		if (parse_idents(&s, out->v.build, 0) < 0)
			return -1;
	}
	*p = s;
	return 0;
}

int gitops_semver_parse(const char *s, struct gitops_semver *out)
{
	struct partial pv;

	if (!s || parse_partial(&s, &pv, 0) < 0 || *s)
		return -1;
	*out = pv.v;
	return 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Compare one prerelease identifier each (lengths given). */
static int cmp_ident(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i;
	int an = 1, bn = 1, c;

	for (i = 0; i < na; i++)
		if (!is_digit(a[i]))
			an = 0;
	for (i = 0; i < nb; i++)
		if (!is_digit(b[i]))
			bn = 0;
	if (an && bn) {
		/* no leading zeros: the longer number is the larger */
		if (na != nb)
			return na < nb ? -1 : 1;
		return memcmp(a, b, na);
	}
	if (an != bn)
		return an ? -1 : 1;      /* numeric identifiers sort before alphanumeric ones */
	c = memcmp(a, b, na < nb ? na : nb);
	if (c)
		return c;
	return na < nb ? -1 : na > nb;
}

static int cmp_pre(const char *a, const char *b)
{
	if (!*a || !*b)
		return !*a && !*b ? 0 : !*a ? 1 : -1;   /* a release is above its prereleases */
	for (;;) {
		size_t na = strcspn(a, "."), nb = strcspn(b, ".");
		int c = cmp_ident(a, na, b, nb);
		if (c)
			return c;
		a += na, b += nb;
		if (!*a || !*b)
			return !*a && !*b ? 0 : !*a ? -1 : 1;   /* more identifiers: higher */
		a++, b++;
	}
}

int gitops_semver_compare(const struct gitops_semver *a, const struct gitops_semver *b)
{
	int c;

	if ((c = cmp_u64(a->major, b->major)) || (c = cmp_u64(a->minor, b->minor)) ||
	    (c = cmp_u64(a->patch, b->patch)))
		return c;
	c = cmp_pre(a->pre, b->pre);
	return c < 0 ? -1 : c > 0;
}

void gitops_semver_format(const struct gitops_semver *v, char *buf, size_t size)
{
	snprintf(buf, size, "%llu.%llu.%llu%s%s%s%s", (unsigned long long)v->major, (unsigned long long)v->minor,
		 (unsigned long long)v->patch, *v->pre ? "-" : "", v->pre, *v->build ? "+" : "", v->build);
}

/* --- ranges --- */

enum op { OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE, OP_NONE, OP_OUT };

/* One primitive test: v op a; OP_OUT: v < a or v >= b; OP_NONE: never. */
struct prim {
	enum op op;
	struct gitops_semver a, b;
};

struct group {
	struct prim *prims;
	size_t n, cap;
	int has_pre;    /* a comparator names a prerelease: prereleases may match */
	size_t n_comp, n_pre; /* comparators, and those naming a prerelease (gitops_semver_range_match_each) */
};

struct gitops_semver_range {
	struct group *groups;
	size_t n;
};

void gitops_semver_range_free(struct gitops_semver_range *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->groups[i].prims);
	free(r->groups);
	free(r);
}

static int add_prim(struct group *g, enum op op, const struct gitops_semver *a, const struct gitops_semver *b)
{
	struct prim *p;

	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4;
		p = realloc(g->prims, cap * sizeof(*p));
		if (!p)
			return -1;
		g->prims = p, g->cap = cap;
	}
	p = &g->prims[g->n++];
	memset(p, 0, sizeof(*p));
	p->op = op;
	if (a)
		p->a = *a;
	if (b)
		p->b = *b;
	return 0;
}

static struct gitops_semver version3(uint64_t major, uint64_t minor, uint64_t patch)
{
	struct gitops_semver v;

	memset(&v, 0, sizeof(v));
	v.major = major, v.minor = minor, v.patch = patch;
	return v;
}

/* The lowest version above every version the partial one covers. */
static struct gitops_semver upper_of(const struct partial *pv)
{
	if (pv->minor != PART_NUM)
		return version3(pv->v.major + 1, 0, 0);
	if (pv->patch != PART_NUM)
		return version3(pv->v.major, pv->v.minor + 1, 0);
	return version3(pv->v.major, pv->v.minor, pv->v.patch + 1);
}

static int full(const struct partial *pv)
{
	return pv->patch == PART_NUM;
}

static int add_comparator(struct group *g, const char *op, const struct partial *pv)
{
	struct gitops_semver lo = pv->v, up;

	lo.build[0] = '\0';
	g->n_comp++;
	if (*pv->v.pre) {
		g->has_pre = 1;
		g->n_pre++;
	}
	if (pv->major != PART_NUM) {
		/* "*", "x": every version for =, >=, <=, ~, ^; none for the others */
		struct gitops_semver zero = version3(0, 0, 0);
		if (!strcmp(op, ">") || !strcmp(op, "<") || !strcmp(op, "!="))
			return add_prim(g, OP_NONE, NULL, NULL);
		return add_prim(g, OP_GE, &zero, NULL);
	}
	up = upper_of(pv);
	if (!*op || !strcmp(op, "=")) {
		if (full(pv))
			return add_prim(g, OP_EQ, &lo, NULL);
		return add_prim(g, OP_GE, &lo, NULL) || add_prim(g, OP_LT, &up, NULL) ? -1 : 0;
	}
	if (!strcmp(op, "!="))
		return full(pv) ? add_prim(g, OP_NE, &lo, NULL) : add_prim(g, OP_OUT, &lo, &up);
	if (!strcmp(op, ">"))
		return full(pv) ? add_prim(g, OP_GT, &lo, NULL) : add_prim(g, OP_GE, &up, NULL);
	if (!strcmp(op, ">=") || !strcmp(op, "=>"))
		return add_prim(g, OP_GE, &lo, NULL);
	if (!strcmp(op, "<"))
		return add_prim(g, OP_LT, &lo, NULL);
	if (!strcmp(op, "<=") || !strcmp(op, "=<"))
		return full(pv) ? add_prim(g, OP_LE, &lo, NULL) : add_prim(g, OP_LT, &up, NULL);
	if (!strcmp(op, "~") || !strcmp(op, "~>")) {
		/* ~1.2.3: <1.3.0; ~1.2: <1.3.0; ~1: <2.0.0 */
		up = pv->minor == PART_NUM ? version3(pv->v.major, pv->v.minor + 1, 0) : version3(pv->v.major + 1, 0, 0);
		return add_prim(g, OP_GE, &lo, NULL) || add_prim(g, OP_LT, &up, NULL) ? -1 : 0;
	}
	if (!strcmp(op, "^")) {
		/* the first non-zero part (or the last one given) may not change */
		if (pv->v.major > 0 || pv->minor != PART_NUM)
			up = version3(pv->v.major + 1, 0, 0);
		else if (pv->v.minor > 0 || pv->patch != PART_NUM)
			up = version3(0, pv->v.minor + 1, 0);
		else
			up = version3(0, 0, pv->v.patch + 1);
		return add_prim(g, OP_GE, &lo, NULL) || add_prim(g, OP_LT, &up, NULL) ? -1 : 0;
	}
	return -1;
}

static int range_error(struct gitops_err *err, const char *expr, const char *why)
{
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "invalid semver range '%s': %s", expr, why);
}

static int valid_op(const char *op)
{
	static const char *const ops[] = { "", "=", "!=", ">", ">=", "=>", "<", "<=", "=<", "~", "~>", "^" };
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(op, ops[i]))
			return 1;
	return 0;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	return s;
}

/* One AND group from s up to end. */
static int parse_group(struct group *g, const char *expr, const char *s, const char *end, struct gitops_err *err)
{
	char buf[512];
	size_t n = (size_t)(end - s);

	if (n >= sizeof(buf))
		return range_error(err, expr, "too long");
	memcpy(buf, s, n);
	buf[n] = '\0';
	s = skip_blanks(buf);
	if (!*s)
		return range_error(err, expr, "empty comparator group");
	while (*s) {
		char op[3] = "";
		size_t k = 0;
		struct partial pv;
		const char *t;

		while (k < 2 && *s && strchr("<>=!~^", *s))
			op[k++] = *s++;
		op[k] = '\0';
		if ((*s && strchr("<>=!~^", *s)) || !valid_op(op))
			return range_error(err, expr, "unknown operator");
		while (*s == ' ' || *s == '\t')
			s++;
		if (parse_partial(&s, &pv, 1) < 0 || (*s && *s != ' ' && *s != '\t' && *s != ','))
			return range_error(err, expr, "not a version");
		/* a hyphen range: "A - B" */
		t = s;
		while (*t == ' ' || *t == '\t')
			t++;
		if (!k && t[0] == '-' && (t[1] == ' ' || t[1] == '\t' || !t[1])) {
			struct partial hi;
			t = skip_blanks(t + 1);
			if (parse_partial(&t, &hi, 1) < 0 || (*t && *t != ' ' && *t != '\t' && *t != ','))
				return range_error(err, expr, "hyphen range without an upper version");
			if (add_comparator(g, ">=", &pv) < 0 || add_comparator(g, "<=", &hi) < 0)
				return gitops_err_oom(err);
			s = skip_blanks(t);
			continue;
		}
		if (add_comparator(g, op, &pv) < 0)
			return gitops_err_oom(err);
		s = skip_blanks(s);
	}
	return 0;
}

int gitops_semver_range_parse(const char *expr, struct gitops_semver_range **out, struct gitops_err *err)
{
	struct gitops_semver_range *r;
	const char *s = expr;
	int error = -1;

	*out = NULL;
	if (!expr)
		return range_error(err, "", "empty");
	r = calloc(1, sizeof(*r));
	if (!r)
		return gitops_err_oom(err);
	for (;;) {
		const char *bar = strstr(s, "||");
		const char *end = bar ? bar : s + strlen(s);
		struct group *g = realloc(r->groups, (r->n + 1) * sizeof(*g));
		if (!g) {
			gitops_err_oom(err);
			goto done;
		}
		r->groups = g;
		g = &r->groups[r->n++];
		memset(g, 0, sizeof(*g));
		if (parse_group(g, expr, s, end, err) < 0)
			goto done;
		if (!bar)
			break;
		s = bar + 2;
	}
	*out = r;
	r = NULL;
	error = 0;
done:
	gitops_semver_range_free(r);
	return error;
}

static int prim_match(const struct prim *p, const struct gitops_semver *v)
{
	switch (p->op) {
	case OP_EQ: return gitops_semver_compare(v, &p->a) == 0;
	case OP_NE: return gitops_semver_compare(v, &p->a) != 0;
	case OP_GT: return gitops_semver_compare(v, &p->a) > 0;
	case OP_GE: return gitops_semver_compare(v, &p->a) >= 0;
	case OP_LT: return gitops_semver_compare(v, &p->a) < 0;
	case OP_LE: return gitops_semver_compare(v, &p->a) <= 0;
	case OP_OUT: return gitops_semver_compare(v, &p->a) < 0 || gitops_semver_compare(v, &p->b) >= 0;
	case OP_NONE: return 0;
	}
	return 0;
}

/* each: a prerelease passes a group only when every comparator names one (helm's rule), else when one does */
static int range_match(const struct gitops_semver_range *r, const struct gitops_semver *v, int each)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		const struct group *g = &r->groups[i];
		int ok = 1;
		if (*v->pre && (each ? g->n_pre < g->n_comp : !g->has_pre))
			continue;
		for (j = 0; j < g->n && ok; j++)
			ok = prim_match(&g->prims[j], v);
		if (ok)
			return 1;
	}
	return 0;
}

int gitops_semver_range_match(const struct gitops_semver_range *r, const struct gitops_semver *v)
{
	return range_match(r, v, 0);
}

int gitops_semver_range_match_each(const struct gitops_semver_range *r, const struct gitops_semver *v)
{
	return range_match(r, v, 1);
}
