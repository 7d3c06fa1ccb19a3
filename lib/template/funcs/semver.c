/*
 * semver.c: Sprig's semver and semverCompare (sprig v3.3 semver.go) on
 * Masterminds/semver v3.3.0, as helm v3.17.2 links it.
 *
 * NewVersion: the loose form ("v1", "1.2", "01.2.3" are versions; missing
 * parts are 0), ParseUint's range error, a numeric prerelease part with a
 * leading 0 refused ("Version segment starts with 0"), anything else
 * "Invalid Semantic Version".  NewConstraint runs the library's own
 * regular expressions (hyphen ranges rewritten first, then the "||"
 * groups validated and split into comparators) through lib/base/regex,
 * which is Go's regexp, so what it accepts and the "improper constraint"
 * texts are the library's; Check applies its comparator rules, with
 * prereleases only in a group one of whose comparators names one.
 *
 * semver's result is a *semver.Version: a struct (typeOf "*semver.Version",
 * printed as String()) whose hidden fields hold the parts, with the
 * methods Helm's templates can call: Major, Minor, Patch (uint64),
 * Prerelease, Metadata, Original, String, Compare, Equal, LessThan,
 * LessThanEqual, GreaterThan, GreaterThanEqual, IncMajor, IncMinor,
 * IncPatch (these give a semver.Version value).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/regex.h"
#include "lib/template/funcs/funcs_int.h"

#define PTR_TYPE "*semver.Version"
#define VAL_TYPE "semver.Version"

struct ver {
	uint64_t major, minor, patch;
	const char *pre, *meta, *orig;   /* borrowed */
	size_t prelen, metalen, origlen;
};

static int is_ident_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* [0-9A-Za-z-]+(\.[0-9A-Za-z-]+)* from s[*i] */
static int idents(const char *s, size_t n, size_t *i)
{
	for (;;) {
		size_t st = *i;
		while (*i < n && is_ident_char(s[*i]))
			(*i)++;
		if (*i == st)
			return -1;
		if (*i < n && s[*i] == '.' && *i + 1 < n && is_ident_char(s[*i + 1])) {
			(*i)++;
			continue;
		}
		return 0;
	}
}

/* strconv.ParseUint(s, 10, 64): 0, or -1 out of range */
static int parse_uint(uint64_t *out, const char *s, size_t n)
{
	uint64_t u = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (u > (UINT64_MAX - d) / 10)
			return -1;
		u = u * 10 + d;
	}
	*out = u;
	return 0;
}

/* semver.NewVersion; the error as Masterminds words it */
static int parse_version(struct ver *v, const char *s, size_t n, struct gitops_err *err)
{
	size_t i = 0, st[3] = { 0 }, ln[3] = { 0 }, k;
	uint64_t *part[3] = { &v->major, &v->minor, &v->patch };

	memset(v, 0, sizeof(*v));
	v->orig = s;
	v->origlen = n;
	v->pre = v->meta = "";
	if (i < n && s[i] == 'v')
		i++;
	for (k = 0; k < 3; k++) {
		if (k > 0) {
			if (!(i + 1 < n && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9'))
				break;
			i++;
		}
		st[k] = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		ln[k] = i - st[k];
		if (!ln[k])
			return fn_fail(err, "Invalid Semantic Version");
	}
	if (i < n && s[i] == '-') {
		size_t p = ++i;
		if (idents(s, n, &i) < 0)
			return fn_fail(err, "Invalid Semantic Version");
		v->pre = s + p;
		v->prelen = i - p;
	}
	if (i < n && s[i] == '+') {
		size_t p = ++i;
		if (idents(s, n, &i) < 0)
			return fn_fail(err, "Invalid Semantic Version");
		v->meta = s + p;
		v->metalen = i - p;
	}
	if (i != n)
		return fn_fail(err, "Invalid Semantic Version");
	for (k = 0; k < 3; k++)
		if (ln[k] && parse_uint(part[k], s + st[k], ln[k]) < 0)
			return fn_fail(err, "Error parsing version segment: strconv.ParseUint: parsing \"%.*s\": value out of range",
				       (int)ln[k], s + st[k]);
	/* validatePrerelease: a numeric part with a leading 0 */
	for (i = 0; i < v->prelen;) {
		size_t e = i, digits = 1;
		while (e < v->prelen && v->pre[e] != '.') {
			if (v->pre[e] < '0' || v->pre[e] > '9')
				digits = 0;
			e++;
		}
		if (digits && e - i > 1 && v->pre[i] == '0')
			return fn_fail(err, "Version segment starts with 0");
		i = e + 1;
	}
	return 0;
}

/* comparePrePart */
static int compare_pre_part(const char *s, size_t sn, const char *o, size_t on)
{
	uint64_t si = 0, oi = 0;
	int sd = 1, od = 1, c;
	size_t i;

	if (sn == on && !memcmp(s, o, sn))
		return 0;
	if (!sn)
		return -1;
	if (!on)
		return 1;
	for (i = 0; i < sn; i++)
		sd &= s[i] >= '0' && s[i] <= '9';
	for (i = 0; i < on; i++)
		od &= o[i] >= '0' && o[i] <= '9';
	if (sd && parse_uint(&si, s, sn) < 0)
		sd = 0;
	if (od && parse_uint(&oi, o, on) < 0)
		od = 0;
	if (!sd && !od) {
		c = memcmp(s, o, sn < on ? sn : on);
		if (c == 0)
			c = sn > on ? 1 : -1;
		return c > 0 ? 1 : -1;
	}
	if (!od)
		return -1;
	if (!sd)
		return 1;
	return si > oi ? 1 : -1;
}

static int compare_pre(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	int ai = 1, bi = 1;

	/* strings.Split: "" gives one empty part */
	while (ai || bi) {
		size_t ae = i, be = j;
		int d;
		if (ai)
			while (ae < an && a[ae] != '.')
				ae++;
		if (bi)
			while (be < bn && b[be] != '.')
				be++;
		d = compare_pre_part(ai ? a + i : "", ai ? ae - i : 0, bi ? b + j : "", bi ? be - j : 0);
		if (d)
			return d;
		if (ai) {
			if (ae >= an)
				ai = 0;
			else
				i = ae + 1;
		}
		if (bi) {
			if (be >= bn)
				bi = 0;
			else
				j = be + 1;
		}
	}
	return 0;
}

static int cmp_u(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int ver_compare(const struct ver *v, const struct ver *o)
{
	int d;

	if ((d = cmp_u(v->major, o->major)) || (d = cmp_u(v->minor, o->minor)) || (d = cmp_u(v->patch, o->patch)))
		return d;
	if (!v->prelen && !o->prelen)
		return 0;
	if (!v->prelen)
		return 1;
	if (!o->prelen)
		return -1;
	return compare_pre(v->pre, v->prelen, o->pre, o->prelen);
}

/* --- constraints --- */

#define CV "v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?" \
	   "(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?"
#define OPS "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^"

static const char *const re_src[] = {
	"^\\s*(" OPS ")\\s*(" CV ")\\s*$",                                       /* constraintRegex */
	"\\s*(" CV ")\\s+-\\s+(" CV ")\\s*",                                     /* constraintRangeRegex */
	"(" OPS ")\\s*(" CV ")",                                                 /* findConstraintRegex */
	"^(\\s*(" OPS ")\\s*(" CV ")\\s*)((?:\\s+|,\\s*)(" OPS ")\\s*(" CV ")\\s*)*$", /* validConstraintRegex */
};

enum { OP_EQ, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE, OP_TILDE, OP_CARET };

struct con {
	int op;
	struct ver v;
	char *buf;                  /* the version text v points into */
	int dirty, minor_dirty, patch_dirty;
};

struct group {
	struct con *c;
	size_t n;
	int has_pre;
};

static void groups_free(struct group *g, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < g[i].n; k++)
			free(g[i].c[k].buf);
		free(g[i].c);
	}
	free(g);
}

static int is_x(const char *s, size_t n)
{
	return n == 1 && (s[0] == 'x' || s[0] == 'X' || s[0] == '*');
}

static int op_of(const char *s, size_t n)
{
	static const struct {
		const char *s;
		int op;
	} t[] = { { "", OP_EQ }, { "=", OP_EQ }, { "!=", OP_NE }, { ">", OP_GT }, { "<", OP_LT }, { ">=", OP_GE },
		  { "=>", OP_GE }, { "<=", OP_LE }, { "=<", OP_LE }, { "~", OP_TILDE }, { "~>", OP_TILDE }, { "^", OP_CARET } };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].s) == n && !memcmp(t[i].s, s, n))
			return t[i].op;
	return OP_EQ;
}

/* a constraint from its groups: op; the version (2), major (3), ".minor" (4), ".patch" (5), "-pre" (6) */
struct cgroups {
	const char *s[7];
	size_t n[7];
};

static int con_from_groups(struct con *c, int op, const struct cgroups *g, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err e = GITOPS_ERR_INIT;
	int r;
#define G(k) g->s[k], g->n[k]
#define GL(k) g->n[k]
#define GS(k) g->s[k]

	memset(c, 0, sizeof(*c));
	c->op = op;
	if (is_x(G(3)) || !GL(3)) {
		r = gitops_buf_add(&b, "0.0.0", 5) < 0 || gitops_buf_add(&b, G(6)) < 0;
		c->dirty = 1;
	} else if (is_x(GS(4) + (GL(4) > 0), GL(4) ? GL(4) - 1 : 0) || !GL(4)) {
		c->minor_dirty = c->dirty = 1;
		r = gitops_buf_add(&b, G(3)) < 0 || gitops_buf_add(&b, ".0.0", 4) < 0 || gitops_buf_add(&b, G(6)) < 0;
	} else if (is_x(GS(5) + (GL(5) > 0), GL(5) ? GL(5) - 1 : 0) || !GL(5)) {
		c->patch_dirty = c->dirty = 1;
		r = gitops_buf_add(&b, G(3)) < 0 || gitops_buf_add(&b, G(4)) < 0 || gitops_buf_add(&b, ".0", 2) < 0 ||
		    gitops_buf_add(&b, G(6)) < 0;
	} else {
		r = gitops_buf_add(&b, G(2)) < 0;
	}
#undef G
#undef GL
#undef GS
	if (r || gitops_buf_add(&b, "", 0) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	c->buf = b.data;
	if (parse_version(&c->v, b.data, b.len, &e) < 0)
		return fn_fail(err, "constraint Parser Error");
	return 0;
}

/* parseConstraint of s (non-empty) */
static int parse_con(struct con *c, struct gitops_regex *const *re, const char *s, size_t n, struct gitops_err *err)
{
	long idx[2 * 12];
	struct cgroups g;
	int r = gitops_regex_find(idx, re[0], s, n, err), k;

	if (r < 0)
		return -1;
	if (!r)
		return fn_fail(err, "improper constraint: %.*s", (int)n, s);
	for (k = 1; k < 7; k++) {
		g.s[k] = idx[2 * k] < 0 ? "" : s + idx[2 * k];
		g.n[k] = idx[2 * k] < 0 ? 0 : (size_t)(idx[2 * k + 1] - idx[2 * k]);
	}
	return con_from_groups(c, op_of(g.s[1], g.n[1]), &g, err);
}

/* Go's \s: [\t\n\f\r ] */
static int re_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* [0-9xX*] (the expressions' class also holds '|', left to them) */
static int x_digit(char c)
{
	return (c >= '0' && c <= '9') || c == 'x' || c == 'X' || c == '*';
}

/* [0-9A-Za-z-]+(\.[0-9A-Za-z-]+)* at s[*i], all of it: 0, or -1 when a '.' ends it */
static int ident_run(const char *s, size_t n, size_t *i)
{
	return idents(s, n, i) < 0 || (*i < n && s[*i] == '.') ? -1 : 0;
}

/*
 * The usual constraint, one operator and one version ("^\s*OP\s*CV\s*$" whole,
 * no '|', ',', range or second constraint), read without the expressions: the
 * groups they would give.  1 with *c set, 0 when the text is not of that form
 * (the expressions then decide), -1 with err set.  The version grammar is
 * LL(1) (each optional part starts with its own character, which the parts
 * before cannot hold), so the greedy match the expressions make is the one
 * read here.
 */
static int simple_con(struct con *c, const char *s, size_t n, struct gitops_err *err)
{
	static const char *const ops[] = { "", "=", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^" };
	struct cgroups g;
	size_t i = 0, os, ol, k;
	int known = 0;

	memset(&g, 0, sizeof(g));
	for (k = 0; k < 7; k++)
		g.s[k] = "";
	while (i < n && re_space(s[i]))
		i++;
	os = i;
	while (i < n && strchr("=!<>~^", s[i]) && s[i])
		i++;
	ol = i - os;
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (strlen(ops[k]) == ol && !memcmp(ops[k], s + os, ol))
			known = 1;
	if (!known)
		return 0;
	while (i < n && re_space(s[i]))
		i++;
	g.s[2] = s + i;
	if (i < n && s[i] == 'v')
		i++;
	g.s[3] = s + i;
	while (i < n && x_digit(s[i]))
		i++;
	g.n[3] = (size_t)(s + i - g.s[3]);
	if (!g.n[3])
		return 0;
	for (k = 4; k <= 5 && i < n && s[i] == '.'; k++) {
		g.s[k] = s + i++;
		while (i < n && x_digit(s[i]))
			i++;
		g.n[k] = (size_t)(s + i - g.s[k]);
		if (g.n[k] < 2)
			return 0;
	}
	if (i < n && s[i] == '-') {
		g.s[6] = s + i++;
		if (ident_run(s, n, &i) < 0)
			return 0;
		g.n[6] = (size_t)(s + i - g.s[6]);
	}
	if (i < n && s[i] == '+') {
		i++;
		if (ident_run(s, n, &i) < 0)
			return 0;
	}
	g.n[2] = (size_t)(s + i - g.s[2]);
	while (i < n && re_space(s[i]))
		i++;
	if (i != n)
		return 0;
	return con_from_groups(c, op_of(s + os, ol), &g, err) < 0 ? -1 : 1;
}

/* semver.NewConstraint */
static int parse_constraint(struct group **out, size_t *nout, const char *text, size_t tlen, struct gitops_err *err)
{
	/*
	 * Masterminds' expressions, compiled once a process: a chart calls
	 * semverCompare in most templates, and compiling them was most of its
	 * cost.  Constants, never freed, shared read-only.
	 */
	static struct gitops_regex *re[4];
	struct gitops_regex_matches m = GITOPS_REGEX_MATCHES_INIT;
	struct gitops_buf o = GITOPS_BUF_INIT, t = GITOPS_BUF_INIT;
	struct group *g = NULL;
	size_t ng = 0, i, start;
	int r = -1;

	/* one operator and one version, the usual constraint: read without the expressions */
	if (tlen && !memchr(text, '|', tlen) && !memchr(text, ',', tlen)) {
		struct con c;
		int sr = simple_con(&c, text, tlen, err);
		if (sr < 0) {
			free(c.buf);
			goto done;
		}
		if (sr > 0) {
			g = calloc(1, sizeof(*g));
			if (!g || !(g->c = malloc(sizeof(*g->c)))) {
				free(c.buf);
				goto oom;
			}
			ng = 1;
			g->c[0] = c;
			g->n = 1;
			g->has_pre = c.v.prelen != 0;
			*out = g;
			*nout = ng;
			g = NULL;
			ng = 0;
			r = 0;
			goto done;
		}
	}
	for (i = 0; i < 4; i++)
		if (!re[i] && gitops_regex_compile(&re[i], re_src[i], strlen(re_src[i]), err) < 0)
			goto done;
	/* rewriteRange: each "A - B" becomes ">= A, <= B " (its first occurrence in the text so far) */
	if (gitops_buf_add(&o, text, tlen) < 0 || gitops_buf_add(&o, "", 0) < 0)
		goto oom;
	if (gitops_regex_find_all(&m, re[1], text, tlen, -1, err) < 0)
		goto done;
	for (i = 0; i < m.n; i++) {
		const long *at = m.at + i * m.width;
		const char *whole = text + at[0], *pos;
		size_t wl = (size_t)(at[1] - at[0]), off;
		t.len = 0;
		if (gitops_buf_add(&t, ">= ", 3) < 0 || gitops_buf_add(&t, text + at[2], (size_t)(at[3] - at[2])) < 0 ||
		    gitops_buf_add(&t, ", <= ", 5) < 0 || gitops_buf_add(&t, text + at[22], (size_t)(at[23] - at[22])) < 0 ||
		    gitops_buf_add(&t, " ", 1) < 0)
			goto oom;
		pos = wl ? memmem(o.data, o.len, whole, wl) : o.data;
		if (!pos)
			continue;
		off = (size_t)(pos - o.data);
		{
			struct gitops_buf nb = GITOPS_BUF_INIT;
			if (gitops_buf_add(&nb, o.data, off) < 0 || gitops_buf_add(&nb, t.data, t.len) < 0 ||
			    gitops_buf_add(&nb, o.data + off + wl, o.len - off - wl) < 0 || gitops_buf_add(&nb, "", 0) < 0) {
				gitops_buf_release(&nb);
				goto oom;
			}
			gitops_buf_release(&o);
			o = nb;
		}
	}
	/* strings.Split(c, "||") */
	for (start = 0;;) {
		const char *bar = o.len - start >= 2 ? memmem(o.data + start, o.len - start, "||", 2) : NULL;
		size_t end = bar ? (size_t)(bar - o.data) : o.len, k;
		const char *seg = o.data + start;
		size_t sl = end - start;
		struct group *ng2 = realloc(g, (ng + 1) * sizeof(*g));
		int ok;
		if (!ng2)
			goto oom;
		g = ng2;
		memset(&g[ng], 0, sizeof(*g));
		ng++;
		if ((ok = gitops_regex_match(re[3], seg, sl, err)) < 0)
			goto done;
		if (!ok) {
			fn_fail(err, "improper constraint: %.*s", (int)sl, seg);
			goto done;
		}
		if (gitops_regex_find_all(&m, re[2], seg, sl, -1, err) < 0)
			goto done;
		g[ng - 1].c = calloc(m.n ? m.n : 1, sizeof(struct con));
		if (!g[ng - 1].c)
			goto oom;
		for (k = 0; k < (m.n ? m.n : 1); k++) {
			const char *cs = m.n ? seg + m.at[k * m.width] : seg;
			size_t cl = m.n ? (size_t)(m.at[k * m.width + 1] - m.at[k * m.width]) : sl;
			struct con *c = &g[ng - 1].c[k];
			if (!cl) {
				/* the empty constraint: >=0.0.0, dirty */
				memset(c, 0, sizeof(*c));
				c->v.pre = c->v.meta = c->v.orig = "";
				c->dirty = 1;
			} else if (parse_con(c, re, cs, cl, err) < 0) {
				g[ng - 1].n = k + 1;
				goto done;
			}
			g[ng - 1].n = k + 1;
			if (c->v.prelen)
				g[ng - 1].has_pre = 1;
		}
		if (!bar)
			break;
		start = end + 2;
	}
	*out = g;
	*nout = ng;
	g = NULL;
	ng = 0;
	r = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	groups_free(g, ng);
	gitops_regex_matches_release(&m);
	gitops_buf_release(&o);
	gitops_buf_release(&t);
	return r;
}

static int check_tilde(const struct ver *v, const struct con *c)
{
	if (ver_compare(v, &c->v) < 0)
		return 0;
	if (!c->v.major && !c->v.minor && !c->v.patch && !c->minor_dirty && !c->patch_dirty)
		return 1;
	if (v->major != c->v.major)
		return 0;
	if (v->minor != c->v.minor && !c->minor_dirty)
		return 0;
	return 1;
}

static int check(const struct ver *v, const struct con *c, int include_pre)
{
	if (v->prelen && !include_pre)
		return 0;
	switch (c->op) {
	case OP_EQ:
		if (c->dirty)
			return check_tilde(v, c);
		return ver_compare(v, &c->v) == 0;
	case OP_NE:
		if (c->dirty) {
			if (c->v.major != v->major)
				return 1;
			if (c->v.minor != v->minor && !c->minor_dirty)
				return 1;
			else if (c->minor_dirty)
				return 0;
			else if (c->v.patch != v->patch && !c->patch_dirty)
				return 1;
			else if (c->patch_dirty) {
				if (v->prelen || c->v.prelen)
					return compare_pre(v->pre, v->prelen, c->v.pre, c->v.prelen) != 0;
				return 0;
			}
		}
		return ver_compare(v, &c->v) != 0;
	case OP_GT:
		if (!c->dirty)
			return ver_compare(v, &c->v) == 1;
		if (v->major > c->v.major)
			return 1;
		if (v->major < c->v.major)
			return 0;
		if (c->minor_dirty)
			return 0;
		if (c->patch_dirty)
			return v->minor > c->v.minor;
		return ver_compare(v, &c->v) == 1;
	case OP_LT:
		return ver_compare(v, &c->v) < 0;
	case OP_GE:
		return ver_compare(v, &c->v) >= 0;
	case OP_LE:
		if (!c->dirty)
			return ver_compare(v, &c->v) <= 0;
		if (v->major > c->v.major)
			return 0;
		if (v->major == c->v.major && v->minor > c->v.minor && !c->minor_dirty)
			return 0;
		return 1;
	case OP_TILDE:
		return check_tilde(v, c);
	case OP_CARET:
		if (ver_compare(v, &c->v) < 0)
			return 0;
		if (c->v.major > 0 || c->minor_dirty)
			return v->major == c->v.major;
		if (c->v.major == 0 && v->major > 0)
			return 0;
		if (c->v.minor > 0 || c->patch_dirty)
			return v->minor == c->v.minor;
		if (c->v.minor == 0 && v->minor > 0)
			return 0;
		return c->v.patch == v->patch;
	}
	return 0;
}

FN(f_semver_compare)
{
	struct group *g;
	struct ver v;
	size_t ng, i, k, cl, vl;
	const char *cs = gitops_tmpl_value_str(args[0], &cl), *vs = gitops_tmpl_value_str(args[1], &vl);
	int ok = 0;

	(void)call, (void)n;
	if (parse_constraint(&g, &ng, cs ? cs : "", cs ? cl : 0, err) < 0)
		return -1;
	if (parse_version(&v, vs ? vs : "", vs ? vl : 0, err) < 0) {
		groups_free(g, ng);
		return -1;
	}
	for (i = 0; i < ng && !ok; i++) {
		ok = 1;
		for (k = 0; k < g[i].n && ok; k++)
			ok = check(&v, &g[i].c[k], g[i].has_pre);
	}
	groups_free(g, ng);
	*out = gitops_tmpl_value_bool(ok);
	return *out ? 0 : gitops_err_oom(err);
}

/* --- *semver.Version values --- */

static int set_str(struct gitops_tmpl_value *m, const char *k, const char *s, size_t n)
{
	struct gitops_tmpl_value *v = gitops_tmpl_value_string(s, n);

	return v ? gitops_tmpl_map_set(m, k, strlen(k), v) : -1;
}

static int set_u(struct gitops_tmpl_value *m, const char *k, uint64_t u)
{
	struct gitops_tmpl_value *v = gitops_tmpl_value_uint64(u);

	return v ? gitops_tmpl_map_set(m, k, strlen(k), v) : -1;
}

/* Version.String() */
/* x in decimal, appended (no printf: ver_string runs for every semver and .Capabilities) */
static int add_u64(struct gitops_buf *b, uint64_t x)
{
	char d[20];
	size_t n = 0;

	do
		d[sizeof(d) - ++n] = (char)('0' + x % 10);
	while ((x /= 10) && n < sizeof(d));
	return gitops_buf_add(b, d + sizeof(d) - n, n);
}

static int ver_string(struct gitops_buf *b, const struct ver *v)
{
	if (add_u64(b, v->major) < 0 || gitops_buf_add(b, ".", 1) < 0 || add_u64(b, v->minor) < 0 ||
	    gitops_buf_add(b, ".", 1) < 0 || add_u64(b, v->patch) < 0)
		return -1;
	if (v->prelen && (gitops_buf_add(b, "-", 1) < 0 || gitops_buf_add(b, v->pre, v->prelen) < 0))
		return -1;
	if (v->metalen && (gitops_buf_add(b, "+", 1) < 0 || gitops_buf_add(b, v->meta, v->metalen) < 0))
		return -1;
	return gitops_buf_add(b, "", 0);
}

static int ver_value(struct gitops_tmpl_value **out, const struct ver *v, const char *type, struct gitops_err *err)
{
	struct gitops_tmpl_value *m = gitops_tmpl_value_struct(type);
	struct gitops_buf b = GITOPS_BUF_INIT;

	if (!m || ver_string(&b, v) < 0 || set_str(m, GITOPS_TMPL_STRINGER, b.data, b.len) < 0 ||
	    set_u(m, "major()", v->major) < 0 || set_u(m, "minor()", v->minor) < 0 || set_u(m, "patch()", v->patch) < 0 ||
	    set_str(m, "pre()", v->pre, v->prelen) < 0 || set_str(m, "meta()", v->meta, v->metalen) < 0 ||
	    set_str(m, "orig()", v->orig, v->origlen) < 0) {
		gitops_tmpl_value_unref(m);
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	gitops_buf_release(&b);
	*out = m;
	return 0;
}

static const char *field_str(const struct gitops_tmpl_value *m, const char *k, size_t *n)
{
	const char *s = gitops_tmpl_value_str(gitops_tmpl_map_get(m, k, strlen(k)), n);

	if (!s) {
		*n = 0;
		return "";
	}
	return s;
}

static uint64_t field_u(const struct gitops_tmpl_value *m, const char *k)
{
	return (uint64_t)gitops_tmpl_value_int_of(gitops_tmpl_map_get(m, k, strlen(k)));
}

/* the version a *semver.Version or semver.Version value holds; -1 for anything else */
static int ver_of(struct ver *v, const struct gitops_tmpl_value *m)
{
	const char *t = gitops_tmpl_value_type_name(m);

	if (gitops_tmpl_value_kind(m) != GITOPS_TMPL_MAP || (strcmp(t, PTR_TYPE) && strcmp(t, VAL_TYPE)))
		return -1;
	v->major = field_u(m, "major()");
	v->minor = field_u(m, "minor()");
	v->patch = field_u(m, "patch()");
	v->pre = field_str(m, "pre()", &v->prelen);
	v->meta = field_str(m, "meta()", &v->metalen);
	v->orig = field_str(m, "orig()", &v->origlen);
	return 0;
}

FN(f_semver)
{
	struct ver v;
	size_t len;
	const char *s = gitops_tmpl_value_str(args[0], &len);

	(void)call, (void)n;
	if (parse_version(&v, s ? s : "", s ? len : 0, err) < 0)
		return -1;
	return ver_value(out, &v, PTR_TYPE, err);
}

static int recv(struct ver *v, struct gitops_tmpl_value *const *args, struct gitops_err *err)
{
	if (ver_of(v, args[0]) < 0)
		return fn_fail(err, "not a semver.Version");
	return 0;
}

#define GETTER_U(name, field)                                  \
	FN(name)                                               \
	{                                                      \
		struct ver v;                                  \
		(void)call, (void)n;                           \
		if (recv(&v, args, err) < 0)                   \
			return -1;                             \
		*out = gitops_tmpl_value_uint64(v.field);      \
		return *out ? 0 : gitops_err_oom(err);         \
	}
GETTER_U(m_major, major)
GETTER_U(m_minor, minor)
GETTER_U(m_patch, patch)

#define GETTER_S(name, field, len)                             \
	FN(name)                                               \
	{                                                      \
		struct ver v;                                  \
		(void)call, (void)n;                           \
		if (recv(&v, args, err) < 0)                   \
			return -1;                             \
		return fn_ret_str(out, v.field, v.len, err);   \
	}
GETTER_S(m_prerelease, pre, prelen)
GETTER_S(m_metadata, meta, metalen)
GETTER_S(m_original, orig, origlen)

FN(m_string)
{
	struct ver v;
	struct gitops_buf b = GITOPS_BUF_INIT;

	(void)call, (void)n;
	if (recv(&v, args, err) < 0)
		return -1;
	if (ver_string(&b, &v) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

/* the other *Version of a comparison, as Go converts the argument */
static int other(struct ver *o, struct gitops_tmpl_value *arg, struct gitops_err *err)
{
	if (gitops_tmpl_value_kind(arg) == GITOPS_TMPL_MAP && !strcmp(gitops_tmpl_value_type_name(arg), PTR_TYPE))
		return ver_of(o, arg);
	return fn_fail(err, "wrong type for value; expected *semver.Version; got %s", gitops_tmpl_value_type_name(arg));
}

enum { C_CMP, C_EQ, C_LT, C_LE, C_GT, C_GE };

static int compare_method(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, int what,
			  struct gitops_err *err)
{
	struct ver v, o;
	int d;

	if (recv(&v, args, err) < 0 || other(&o, args[1], err) < 0)
		return -1;
	d = ver_compare(&v, &o);
	switch (what) {
	case C_CMP:
		*out = gitops_tmpl_value_int(d);
		break;
	default:
		*out = gitops_tmpl_value_bool(what == C_EQ ? d == 0 : what == C_LT ? d < 0 : what == C_LE ? d <= 0
						 : what == C_GT ? d > 0 : d >= 0);
	}
	return *out ? 0 : gitops_err_oom(err);
}

#define CMP(name, what)                                       \
	FN(name)                                              \
	{                                                     \
		(void)call, (void)n;                          \
		return compare_method(out, args, what, err);  \
	}
CMP(m_compare, C_CMP)
CMP(m_equal, C_EQ)
CMP(m_less, C_LT)
CMP(m_less_eq, C_LE)
CMP(m_greater, C_GT)
CMP(m_greater_eq, C_GE)

/* IncMajor, IncMinor, IncPatch: a semver.Version value, Original the new String() (with a leading v kept) */
static int inc(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, int which, struct gitops_err *err)
{
	struct ver v;
	struct gitops_buf b = GITOPS_BUF_INIT;
	int vprefix, r;

	if (recv(&v, args, err) < 0)
		return -1;
	vprefix = v.origlen && v.orig[0] == 'v';
	if (which == 0) {
		v.major++;
		v.minor = v.patch = 0;
	} else if (which == 1) {
		v.minor++;
		v.patch = 0;
	} else if (!v.prelen) {
		v.patch++;
	}
	v.pre = v.meta = "";
	v.prelen = v.metalen = 0;
	if ((vprefix && gitops_buf_add(&b, "v", 1) < 0) || ver_string(&b, &v) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	v.orig = b.data;
	v.origlen = b.len;
	r = ver_value(out, &v, VAL_TYPE, err);
	gitops_buf_release(&b);
	return r;
}

FN(m_inc_major)
{
	(void)call, (void)n;
	return inc(out, args, 0, err);
}

FN(m_inc_minor)
{
	(void)call, (void)n;
	return inc(out, args, 1, err);
}

FN(m_inc_patch)
{
	(void)call, (void)n;
	return inc(out, args, 2, err);
}

#define S GITOPS_TMPL_P_STRING
#define A GITOPS_TMPL_P_ANY
#define METHODS(T)                                                       \
	{ "Major", m_major, 0, 0, { 0 }, T }, { "Minor", m_minor, 0, 0, { 0 }, T },             \
	{ "Patch", m_patch, 0, 0, { 0 }, T }, { "Prerelease", m_prerelease, 0, 0, { 0 }, T },   \
	{ "Metadata", m_metadata, 0, 0, { 0 }, T }, { "String", m_string, 0, 0, { 0 }, T },     \
	{ "IncMajor", m_inc_major, 0, 0, { 0 }, T }, { "IncMinor", m_inc_minor, 0, 0, { 0 }, T }, \
	{ "IncPatch", m_inc_patch, 0, 0, { 0 }, T }
const struct gitops_tmpl_func gitops_tmpl_funcs_semver[] = {
	{ "semver", f_semver, 1, 0, { S }, NULL },
	{ "semverCompare", f_semver_compare, 2, 0, { S, S }, NULL },
	METHODS(PTR_TYPE),
	METHODS(VAL_TYPE),
	{ "Original", m_original, 0, 0, { 0 }, PTR_TYPE },
	{ "Compare", m_compare, 1, 0, { A }, PTR_TYPE },
	{ "Equal", m_equal, 1, 0, { A }, PTR_TYPE },
	{ "LessThan", m_less, 1, 0, { A }, PTR_TYPE },
	{ "LessThanEqual", m_less_eq, 1, 0, { A }, PTR_TYPE },
	{ "GreaterThan", m_greater, 1, 0, { A }, PTR_TYPE },
	{ "GreaterThanEqual", m_greater_eq, 1, 0, { A }, PTR_TYPE },
};
const size_t gitops_tmpl_funcs_semver_n = sizeof(gitops_tmpl_funcs_semver) / sizeof(gitops_tmpl_funcs_semver[0]);
