/*
 * filesobj.c: .Files, helm v3.17.2's engine.files (pkg/engine/files.go), and
 * Glob's patterns (github.com/gobwas/glob, '/' the separator).
 *
 * Which files: chart.Files, which helm's loader (pkg/chart/loader/load.go,
 * LoadFiles) fills with every file of the chart, after .helmignore's rules
 * (.helmignore itself stays), except: "Chart.yaml", "Chart.lock",
 * "values.yaml", "values.schema.json", "requirements.yaml",
 * "requirements.lock" (exact names at the chart's root), and any name
 * starting with "templates/", or with "charts/" unless it ends in ".prov"
 * (a subchart's files are its own; "charts/x.prov" is the parent's).
 * Everything else at any depth is in: README.md, LICENSE, values.yaml
 * under another directory, "values.yml", "crds/...", ".helmignore".
 *
 * Values: engine.files is map[string][]byte; here each file's content is
 * held as a string (the chart's own bytes, borrowed, no value a byte: a chart's CRDs are
 * megabytes), made a []byte (gitops_tmpl_value_bytes) where a method hands
 * one out: GetBytes.  Reached without a method (index .Files "a", range
 * over .Files), a file is that string; Glob's files are []byte, where helm has a []byte:
 * printed as text, not as "[104 105]".  Get gives a string ("" for a missing file),
 * GetBytes a []byte (empty for a missing one), Glob a new engine.files of
 * the names matching, Lines the lines ([]string: split at "\n" after one
 * final "\n" dropped; an empty file fails as Go's index -1 does), AsConfig
 * and AsSecrets the toYaml of base name -> content (AsSecrets: base64).
 * A base name shared by two files: the last in name order wins (helm: the
 * last in Go's random map order).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/base/enc.h"
#include "lib/render/helm/builtins_int.h"

#define FILES_TYPE "engine.files"
/* alternatives a pattern's braces may expand to */
#define GLOB_MAX_ALTS 4096
#define GLOB_MAX_TOKENS 4096

int gitops_helm_files_value(struct gitops_tmpl_value **out, const struct gitops_helm_files *files,
			    struct gitops_err *err)
{
	struct gitops_tmpl_value *m = gitops_tmpl_value_map(FILES_TYPE);
	size_t i;

	*out = NULL;
	if (!m)
		return gitops_err_oom(err);
	for (i = 0; files && i < files->n; i++) {
		const struct gitops_helm_file *f = &files->v[i];
		/* borrowed: the chart's files outlive every value of its render */
		if (gitops_tmpl_map_set(m, f->name, strlen(f->name),
					gitops_tmpl_value_string_borrowed((const char *)f->data, f->len)) < 0) {
			gitops_tmpl_value_unref(m);
			return gitops_err_oom(err);
		}
	}
	*out = m;
	return 0;
}

/* ------------------------------------------------------------ methods */

/* the file's content (borrowed), or NULL */
static const struct gitops_tmpl_value *file_of(const struct gitops_tmpl_value *files, const struct gitops_tmpl_value *name)
{
	size_t len;
	const char *s = gitops_tmpl_value_str(name, &len);

	return s ? gitops_tmpl_map_get(files, s, len) : NULL;
}

/* a file's bytes: the string held, or a []byte's (into b) */
static const char *content(const struct gitops_tmpl_value *f, size_t *len, struct gitops_buf *b)
{
	const char *s;

	*len = 0;
	if (!f)
		return "";
	if (gitops_tmpl_value_kind(f) == GITOPS_TMPL_STRING)
		return (s = gitops_tmpl_value_str(f, len)) ? s : "";
	if (gitops_tmpl_value_bytes_of(b, f) < 0)
		return NULL;
	*len = b->len;
	return b->data ? b->data : "";
}

HB_FN(hb_files_get)
{
	const struct gitops_tmpl_value *f = file_of(args[0], args[1]);
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *s;
	size_t len;

	(void)call, (void)n;
	if (f && gitops_tmpl_value_kind(f) == GITOPS_TMPL_STRING) {
		*out = gitops_tmpl_value_ref((struct gitops_tmpl_value *)f);
		return 0;
	}
	s = content(f, &len, &b);
	*out = s ? gitops_tmpl_value_string(s, len) : NULL;
	gitops_buf_release(&b);
	return *out ? 0 : gitops_err_oom(err);
}

HB_FN(hb_files_getbytes)
{
	const struct gitops_tmpl_value *f = file_of(args[0], args[1]);
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *s;
	size_t len;

	(void)call, (void)n;
	if (f && gitops_tmpl_value_is_bytes(f)) {
		*out = gitops_tmpl_value_ref((struct gitops_tmpl_value *)f);
		return 0;
	}
	s = content(f, &len, &b);
	*out = s ? gitops_tmpl_value_bytes(s, len) : NULL;
	gitops_buf_release(&b);
	return *out ? 0 : gitops_err_oom(err);
}

HB_FN(hb_files_lines)
{
	const struct gitops_tmpl_value *f = file_of(args[0], args[1]);
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_tmpl_value *l = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST);
	size_t i, st = 0;

	(void)call, (void)n;
	if (!l)
		return gitops_err_oom(err);
	if (!f) {
		*out = l;
		return 0;
	}
	{
		size_t len;
		const char *s = content(f, &len, &b);
		if (!s)
			goto oom;
		if (!len) {
			gitops_buf_release(&b);
			gitops_tmpl_value_unref(l);
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "runtime error: index out of range [-1]");
		}
		if (s[len - 1] == '\n')
			len--;
		for (i = 0; i <= len; i++) {
			if (i < len && s[i] != '\n')
				continue;
			if (gitops_tmpl_list_push(l, gitops_tmpl_value_string(s + st, i - st)) < 0)
				goto oom;
			st = i + 1;
		}
	}
	gitops_buf_release(&b);
	*out = l;
	return 0;
oom:
	gitops_buf_release(&b);
	gitops_tmpl_value_unref(l);
	return gitops_err_oom(err);
}

HB_FN(hb_files_glob)
{
	size_t len, i, kl;
	const char *pat = gitops_tmpl_value_str(args[1], &len);
	struct gitops_tmpl_value *m = gitops_tmpl_value_map(FILES_TYPE);
	int bad;

	(void)call, (void)n;
	if (!m)
		return gitops_err_oom(err);
	/* helm: a pattern that does not compile globs "**" */
	bad = gitops_helm_glob_match(pat ? pat : "", "", 0) < 0 || (pat && strlen(pat) != len);
	for (i = 0; i < gitops_tmpl_value_len(args[0]); i++) {
		const char *k = gitops_tmpl_value_key(args[0], i, &kl);
		struct gitops_tmpl_value *f = gitops_tmpl_value_item(args[0], i), *v;
		if (!bad && gitops_helm_glob_match(pat, k, kl) != 1)
			continue;
		/* what Glob matched is ranged over: its files are []byte, as helm's */
		if (gitops_tmpl_value_is_bytes(f)) {
			v = gitops_tmpl_value_ref(f);
		} else {
			size_t clen;
			const char *c = gitops_tmpl_value_str(f, &clen);
			v = gitops_tmpl_value_bytes(c ? c : "", c ? clen : 0);
		}
		if (gitops_tmpl_map_set(m, k, kl, v) < 0) {
			gitops_tmpl_value_unref(m);
			return gitops_err_oom(err);
		}
	}
	*out = m;
	return 0;
}

/* path.Base of a file name: after its last '/' (names are clean, never end in '/') */
static const char *base_of(const char *k, size_t kl, size_t *bl)
{
	const char *s = k + kl;

	while (s > k && s[-1] != '/')
		s--;
	*bl = kl - (size_t)(s - k);
	return s;
}

/* AsConfig (b64 0) / AsSecrets (b64 1): toYaml of base name -> content */
static int as_map(struct gitops_tmpl_value **out, struct gitops_tmpl_value *files, int b64, struct gitops_err *err)
{
	struct gitops_tmpl_value *m = gitops_tmpl_value_map("map[string]string");
	size_t i, kl, bl;
	int rc;

	if (!m)
		return gitops_err_oom(err);
	for (i = 0; i < gitops_tmpl_value_len(files); i++) {
		const char *k = gitops_tmpl_value_key(files, i, &kl), *base = base_of(k, kl, &bl);
		struct gitops_buf b = GITOPS_BUF_INIT;
		struct gitops_tmpl_value *v;
		char *enc = NULL;
		size_t len;
		const char *s = content(gitops_tmpl_value_item(files, i), &len, &b);

		if (!s || (b64 && gitops_base64_encode(&enc, s, len, 0) < 0)) {
			gitops_buf_release(&b);
			goto oom;
		}
		v = b64 ? gitops_tmpl_value_cstring(enc) : gitops_tmpl_value_string(s, len);
		free(enc);
		gitops_buf_release(&b);
		if (gitops_tmpl_map_set(m, base, bl, v) < 0)
			goto oom;
	}
	rc = hb_call("toYaml", out, &m, 1, err);
	gitops_tmpl_value_unref(m);
	return rc;
oom:
	gitops_tmpl_value_unref(m);
	return gitops_err_oom(err);
}

HB_FN(hb_files_asconfig)
{
	(void)call, (void)n;
	return as_map(out, args[0], 0, err);
}

HB_FN(hb_files_assecrets)
{
	(void)call, (void)n;
	return as_map(out, args[0], 1, err);
}

/* ------------------------------------------------------------ gobwas/glob */

enum gtok { G_LIT, G_STAR, G_SUPER, G_ONE, G_SET };

struct gtoken {
	enum gtok t;
	const char *s; /* G_LIT: one byte; G_SET: the list's text (between [ and ], ! excluded) */
	size_t len;
	int neg;
};

struct galt {
	struct gtoken *v;
	size_t n, cap;
};


/* does the list text (as in [..]) hold rune r? */
static int set_has(const char *s, size_t len, unsigned r)
{
	size_t i = 0, a, b;

	while (i < len) {
		unsigned lo = gitops_tmpl_decode_rune(s + i, len - i, &a), hi;
		if (i + a < len && s[i + a] == '-' && i + a + 1 < len) {
			hi = gitops_tmpl_decode_rune(s + i + a + 1, len - i - a - 1, &b);
			if (r >= lo && r <= hi)
				return 1;
			i += a + 1 + b;
			continue;
		}
		if (r == lo)
			return 1;
		i += a;
	}
	return 0;
}

/* a list's text is valid: not empty, ranges lo-hi with lo <= hi and both ends given */
static int set_valid(const char *s, size_t len)
{
	size_t i = 0, a, b;

	if (!len)
		return 0;
	while (i < len) {
		unsigned lo = gitops_tmpl_decode_rune(s + i, len - i, &a), hi;
		if (i + a < len && s[i + a] == '-') {
			if (i + a + 1 >= len)
				return 0;
			hi = gitops_tmpl_decode_rune(s + i + a + 1, len - i - a - 1, &b);
			if (hi < lo)
				return 0;
			i += a + 1 + b;
			continue;
		}
		i += a;
	}
	return 1;
}

struct alts {
	struct galt *v;
	size_t n;
};

static void alts_free(struct alts *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i].v);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static int alt_push(struct galt *g, struct gtoken t)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		struct gtoken *v;
		if (cap > GLOB_MAX_TOKENS || !(v = realloc(g->v, cap * sizeof(*v))))
			return -1;
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n++] = t;
	return 0;
}

/* every alternative of a followed by every one of b (cartesian product) into out; -1 too many / no memory */
static int alts_concat(struct alts *out, const struct alts *a, const struct alts *b)
{
	size_t i, j, k;

	out->v = NULL;
	out->n = 0;
	if (a->n * b->n > GLOB_MAX_ALTS)
		return -1;
	if (!a->n || !b->n)
		return 0;
	if (!(out->v = calloc(a->n * b->n, sizeof(*out->v))))
		return -1;
	out->n = a->n * b->n;
	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++) {
			struct galt *g = &out->v[i * b->n + j];
			for (k = 0; k < a->v[i].n; k++)
				if (alt_push(g, a->v[i].v[k]) < 0)
					return -1;
			for (k = 0; k < b->v[j].n; k++)
				if (alt_push(g, b->v[j].v[k]) < 0)
					return -1;
		}
	return 0;
}

/* one token appended to every alternative */
static int alts_add(struct alts *a, struct gtoken t)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (alt_push(&a->v[i], t) < 0)
			return -1;
	return 0;
}

/*
 * Parse p[*i..] into the alternatives it may expand to, up to the end, or
 * (in braces, depth > 0) up to the ',' or '}' that ends this branch.
 * 0, -1 (out of memory or too many), -2 (does not compile).
 */
static int parse_seq(struct alts *out, const char *p, size_t len, size_t *i, int depth)
{
	struct alts cur = { 0 };
	int r;

	if (!(cur.v = calloc(1, sizeof(*cur.v))))
		return -1;
	cur.n = 1;
	while (*i < len) {
		char c = p[*i];
		struct gtoken t = { G_LIT, p + *i, 1, 0 };

		if (depth > 0 && (c == ',' || c == '}'))
			break;
		if (c == '\\') {
			(*i)++;
			if (*i >= len)
				break; /* a final backslash is dropped */
			t.s = p + *i;
			(*i)++;
		} else if (c == '*') {
			t.t = G_STAR;
			(*i)++;
			if (*i < len && p[*i] == '*') {
				t.t = G_SUPER;
				while (*i < len && p[*i] == '*')
					(*i)++;
			}
		} else if (c == '?') {
			t.t = G_ONE;
			(*i)++;
		} else if (c == '[') {
			size_t st = *i + 1, e = st;
			t.t = G_SET;
			if (e < len && p[e] == '!')
				t.neg = 1, e++, st++;
			while (e < len && p[e] != ']')
				e++;
			if (e >= len || !set_valid(p + st, e - st)) {
				r = -2;
				goto fail;
			}
			t.s = p + st;
			t.len = e - st;
			*i = e + 1;
		} else if (c == '{') {
			struct alts group = { 0 }, branch, next;
			int empty = 1;
			(*i)++;
			for (;;) {
				size_t k;
				if ((r = parse_seq(&branch, p, len, i, depth + 1)) < 0) {
					alts_free(&group);
					goto fail;
				}
				for (k = 0; k < branch.n; k++)
					if (branch.v[k].n)
						empty = 0;
				if (group.n + branch.n > GLOB_MAX_ALTS) {
					alts_free(&branch);
					alts_free(&group);
					r = -1;
					goto fail;
				}
				{
					struct galt *v = realloc(group.v, (group.n + branch.n + 1) * sizeof(*v));
					if (!v) {
						alts_free(&branch);
						alts_free(&group);
						r = -1;
						goto fail;
					}
					group.v = v;
					memcpy(group.v + group.n, branch.v, branch.n * sizeof(*v));
					group.n += branch.n;
					free(branch.v);
				}
				if (*i < len && p[*i] == ',') {
					(*i)++;
					empty = 0;
					continue;
				}
				if (*i < len && p[*i] == '}')
					(*i)++;
				break; /* '}' or the end: an unclosed brace closes there */
			}
			if (empty)
				alts_free(&group); /* "{}": no alternative, nothing matches */
			r = alts_concat(&next, &cur, &group);
			alts_free(&group);
			alts_free(&cur);
			cur = next;
			if (r < 0)
				goto fail;
			continue;
		} else {
			(*i)++;
		}
		if (alts_add(&cur, t) < 0) {
			r = -1;
			goto fail;
		}
	}
	*out = cur;
	return 0;
fail:
	alts_free(&cur);
	return r;
}

/* one alternative against the name: dynamic programming over (token, position) */
static int match_alt(const struct galt *g, const char *s, size_t len)
{
	size_t w = len + 1, i, j;
	unsigned char *dp = calloc((g->n + 1) * w, 1);
	int r;

	if (!dp)
		return -1;
	dp[g->n * w + len] = 1;
	for (i = g->n; i-- > 0;) {
		const struct gtoken *t = &g->v[i];
		unsigned char *row = dp + i * w, *next = dp + (i + 1) * w;
		for (j = len + 1; j-- > 0;) {
			size_t sz = 0;
			unsigned r2 = j < len ? gitops_tmpl_decode_rune(s + j, len - j, &sz) : 0;
			switch (t->t) {
			case G_LIT:
				row[j] = j < len && s[j] == t->s[0] && next[j + 1];
				break;
			case G_ONE:
				row[j] = j < len && s[j] != '/' && next[j + sz];
				break;
			case G_SET:
				row[j] = j < len && (set_has(t->s, t->len, r2) != t->neg) && next[j + sz];
				break;
			case G_STAR:
				row[j] = next[j] || (j < len && s[j] != '/' && row[j + sz]);
				break;
			case G_SUPER:
				row[j] = next[j] || (j < len && row[j + sz]);
				break;
			}
		}
	}
	r = dp[0];
	free(dp);
	return r;
}

int gitops_helm_glob_match(const char *pattern, const char *name, size_t nlen)
{
	struct alts a = { 0 };
	size_t i = 0, k;
	int r;

	if ((r = parse_seq(&a, pattern, strlen(pattern), &i, 0)) < 0)
		return -1;
	for (k = 0, r = 0; k < a.n && r == 0; k++)
		r = match_alt(&a.v[k], name, nlen);
	alts_free(&a);
	return r < 0 ? -1 : r;
}
