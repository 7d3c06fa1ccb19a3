/*
 * ignore.c: .helmignore rules (Helm's pkg/ignore) on Go's filepath.Match.
 */
#include "lib/render/helm/ignore.h"

#include <stdlib.h>
#include <string.h>

/* Go's utf8.DecodeRuneInString: the rune at s and its width; (0xFFFD, 1) for a bad byte, (0xFFFD, 0) at the end. */
static long decode_rune(const char *str, size_t len, size_t *width)
{
	const unsigned char *s = (const unsigned char *)str;
	long r;
	size_t n, i;

	if (len == 0) {
		*width = 0;
		return 0xFFFD;
	}
	if (s[0] < 0x80) {
		*width = 1;
		return s[0];
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		r = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		r = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		r = s[0] & 0x07;
	} else {
		*width = 1;
		return 0xFFFD;
	}
	if (len < n) {
		*width = 1;
		return 0xFFFD;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*width = 1;
			return 0xFFFD;
		}
		r = (r << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && r < 0x800) || (n == 4 && (r < 0x10000 || r > 0x10FFFF)) || (r >= 0xD800 && r <= 0xDFFF)) {
		*width = 1;
		return 0xFFFD;
	}
	*width = n;
	return r;
}

/* scanChunk: leading stars, then the chunk up to the next '*' outside a class. */
static void scan_chunk(const char **p, size_t *plen, int *star, const char **chunk, size_t *clen)
{
	const char *s = *p;
	size_t n = *plen, i;
	int inrange = 0;

	*star = 0;
	while (n > 0 && *s == '*') {
		s++;
		n--;
		*star = 1;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '\\') {
			if (i + 1 < n)
				i++;
		} else if (s[i] == '[') {
			inrange = 1;
		} else if (s[i] == ']') {
			inrange = 0;
		} else if (s[i] == '*' && !inrange) {
			break;
		}
	}
	*chunk = s;
	*clen = i;
	*p = s + i;
	*plen = n - i;
}

/* getEsc: one possibly escaped rune of a class; -1 when malformed. */
static int get_esc(const char **c, size_t *clen, long *r)
{
	const char *s = *c;
	size_t n = *clen, w;

	if (n == 0 || *s == '-' || *s == ']')
		return -1;
	if (*s == '\\') {
		s++;
		n--;
		if (n == 0)
			return -1;
	}
	*r = decode_rune(s, n, &w);
	if (*r == 0xFFFD && w == 1)
		return -1;
	s += w;
	n -= w;
	if (n == 0)
		return -1;
	*c = s;
	*clen = n;
	return 0;
}

/* matchChunk: 1 and *rest when the chunk matches a prefix of s, 0 when not, -1 when malformed. */
static int match_chunk(const char *c, size_t clen, const char *s, size_t slen, size_t *rest)
{
	int failed = 0;

	while (clen > 0) {
		if (!failed && slen == 0)
			failed = 1;
		if (*c == '[') {
			long r = 0, lo, hi;
			int negated = 0, match = 0, nrange = 0;

			if (!failed) {
				size_t w;
				r = decode_rune(s, slen, &w);
				s += w;
				slen -= w;
			}
			c++;
			clen--;
			if (clen > 0 && *c == '^') {
				negated = 1;
				c++;
				clen--;
			}
			for (;;) {
				if (clen > 0 && *c == ']' && nrange > 0) {
					c++;
					clen--;
					break;
				}
				if (get_esc(&c, &clen, &lo) < 0)
					return -1;
				hi = lo;
				if (*c == '-') {
					c++;
					clen--;
					if (get_esc(&c, &clen, &hi) < 0)
						return -1;
				}
				if (lo <= r && r <= hi)
					match = 1;
				nrange++;
			}
			if (match == negated)
				failed = 1;
		} else if (*c == '?') {
			if (!failed) {
				size_t w;
				if (*s == '/')
					failed = 1;
				decode_rune(s, slen, &w);
				s += w;
				slen -= w;
			}
			c++;
			clen--;
		} else {
			if (*c == '\\') {
				c++;
				clen--;
				if (clen == 0)
					return -1;
			}
			if (!failed) {
				if (*c != *s)
					failed = 1;
				s++;
				slen--;
			}
			c++;
			clen--;
		}
	}
	if (failed)
		return 0;
	*rest = slen;
	return 1;
}

int gitops_helm_path_match(const char *pattern, size_t plen, const char *name, size_t nlen)
{
	while (plen > 0) {
		const char *chunk;
		size_t clen, rest = 0;
		int star, rc;

		scan_chunk(&pattern, &plen, &star, &chunk, &clen);
		if (star && clen == 0)
			return memchr(name, '/', nlen) == NULL;
		rc = match_chunk(chunk, clen, name, nlen, &rest);
		if (rc == 1 && (rest == 0 || plen > 0)) {
			name += nlen - rest;
			nlen = rest;
			continue;
		}
		if (rc < 0)
			return -1;
		if (star) {
			size_t i;
			int found = 0;
			for (i = 0; i < nlen && name[i] != '/'; i++) {
				rc = match_chunk(chunk, clen, name + i + 1, nlen - i - 1, &rest);
				if (rc == 1) {
					if (plen == 0 && rest > 0)
						continue;
					name += nlen - rest;
					nlen = rest;
					found = 1;
					break;
				}
				if (rc < 0)
					return -1;
			}
			if (found)
				continue;
		}
		/* before saying no, check that the rest of the pattern is well formed */
		while (plen > 0) {
			scan_chunk(&pattern, &plen, &star, &chunk, &clen);
			if (match_chunk(chunk, clen, "", 0, &rest) < 0)
				return -1;
		}
		return 0;
	}
	return nlen == 0;
}

/* --- rules --- */

enum rule_kind { RULE_ROOT, RULE_PATH, RULE_BASE };

struct rule {
	char *pat;     /* the glob, '!' and a trailing '/' taken off */
	size_t plen;   /* strlen(pat) */
	size_t lit;    /* RULE_PATH, RULE_BASE: how many of pat's first bytes are plain (none of *?[\) */
	size_t off;    /* RULE_ROOT: how many leading '/' have been dropped so far */
	enum rule_kind kind;
	int negate, must_dir;
	int plain;     /* 1: no *?[\ in pat (a name equal to it matches); 2: '*' and such a tail (a suffix) */
};

struct gitops_helm_ignore {
	struct rule *v;
	size_t n, cap;
};

/* Go's unicode.IsSpace */
static int is_space(long r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
		return 1;
	default:
		return r >= 0x2000 && r <= 0x200A;
	}
}

/* strings.TrimSpace */
static void trim_space(const char **s, size_t *len)
{
	const char *p = *s;
	size_t n = *len, i = 0, start = n, end = 0, w;

	while (i < n) {
		long r = decode_rune(p + i, n - i, &w);
		if (!is_space(r) || (r == 0xFFFD && w == 1)) {
			if (start == n)
				start = i;
			end = i + w;
		}
		i += w;
	}
	if (start == n) {
		*len = 0;
		return;
	}
	*s = p + start;
	*len = end - start;
}

static int add_rule(struct gitops_helm_ignore *r, const char *line, size_t len, struct gitops_err *err)
{
	struct rule *e;

	trim_space(&line, &len);
	if (len == 0 || line[0] == '#')
		return 0;
	for (size_t i = 0; i + 1 < len; i++)
		if (line[i] == '*' && line[i + 1] == '*')
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "double-star (**) syntax is not supported");
	if (gitops_helm_path_match(line, len, "abc", 3) < 0)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "syntax error in pattern");
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct rule *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return gitops_err_oom(err);
		r->v = v;
		r->cap = cap;
	}
	e = &r->v[r->n];
	memset(e, 0, sizeof(*e));
	if (line[0] == '!') {
		e->negate = 1;
		line++;
		len--;
	}
	if (len > 0 && line[len - 1] == '/') {
		e->must_dir = 1;
		len--;
	}
	if (len > 0 && line[0] == '/')
		e->kind = RULE_ROOT;
	else if (memchr(line, '/', len))
		e->kind = RULE_PATH;
	else
		e->kind = RULE_BASE;
	e->pat = malloc(len + 1);
	if (!e->pat)
		return gitops_err_oom(err);
	memcpy(e->pat, line, len);
	e->pat[len] = 0;
	e->plen = len;
	e->lit = strcspn(e->pat, "*?[\\");
	if (!strpbrk(e->pat, "*?[\\"))
		e->plain = 1;
	else if (e->pat[0] == '*' && e->pat[1] && !strpbrk(e->pat + 1, "*?[\\"))
		e->plain = 2;
	r->n++;
	return 0;
}

/* Go's bufio.Scanner gives up on a line of 64 KiB or more */
#define SCAN_TOKEN_MAX (64u * 1024)

int gitops_helm_ignore_parse(struct gitops_helm_ignore **out, const char *text, size_t len, struct gitops_err *err)
{
	struct gitops_helm_ignore *r = calloc(1, sizeof(*r));
	size_t i = 0;

	*out = NULL;
	if (!r)
		return gitops_err_oom(err);
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - i;

		if (n >= SCAN_TOKEN_MAX) {
			gitops_helm_ignore_free(r);
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "bufio.Scanner: token too long");
		}
		if (n > 0 && text[i + n - 1] == '\r')
			n--;
		if (add_rule(r, text + i, n, err) < 0) {
			gitops_helm_ignore_free(r);
			return -1;
		}
		i = end + 1;
	}
	*out = r;
	return 0;
}

int gitops_helm_ignore_add_defaults(struct gitops_helm_ignore *r, struct gitops_err *err)
{
	static const char def[] = "templates/.?*";

	return add_rule(r, def, sizeof(def) - 1, err);
}

/* filepath.Base of path (plen bytes): the last element, trailing slashes dropped; "." for nothing. */
static const char *base_of(const char *path, size_t plen, size_t *blen)
{
	const char *name = path;
	size_t nlen = plen;

	while (nlen > 1 && name[nlen - 1] == '/')
		nlen--;
	for (size_t i = nlen; i > 0; i--)
		if (name[i - 1] == '/') {
			nlen -= i;
			name += i;
			break;
		}
	if (nlen == 0) {
		name = ".";
		nlen = 1;
	}
	*blen = nlen;
	return name;
}

/* One rule against path (plen bytes), whose base name (filepath.Base) is base (blen bytes). */
static int rule_match(struct rule *e, const char *path, size_t plen, const char *base, size_t blen)
{
	const char *pat = e->pat;
	size_t patlen = e->plen;
	const char *name = path;
	size_t nlen = plen;

	if (e->kind == RULE_ROOT) {
		/* Helm's closure trims one '/' off its captured rule on every call */
		if (pat[e->off] == '/')
			e->off++;
		pat += e->off;
		patlen -= e->off;
	} else if (e->kind == RULE_BASE) {
		name = base;
		nlen = blen;
	}
	if (e->plain == 1) {
		/* filepath.Match of a pattern without a metacharacter: the same text */
		return patlen == nlen && !memcmp(pat, name, nlen);
	}
	if (e->plain == 2) {
		/* "*" and a plain tail: a name ending in it, no '/' before the tail */
		size_t tl = patlen - 1;
		return nlen >= tl && !memcmp(name + nlen - tl, pat + 1, tl) && !memchr(name, '/', nlen - tl);
	}
	/* filepath.Match compares a pattern's plain bytes one for one: a name without them is no match */
	if (e->kind != RULE_ROOT && (nlen < e->lit || memcmp(name, pat, e->lit) != 0))
		return 0;
	return gitops_helm_path_match(pat, patlen, name, nlen) == 1;
}

int gitops_helm_ignore_match(struct gitops_helm_ignore *r, const char *path, int is_dir)
{
	size_t plen = strlen(path);

	if (plen == 0 || strcmp(path, ".") == 0 || strcmp(path, "./") == 0)
		return 0;
	size_t blen;
	const char *base = base_of(path, plen, &blen);

	for (size_t i = 0; r && i < r->n; i++) {
		struct rule *e = &r->v[i];
		if (e->negate) {
			if (e->must_dir && !is_dir)
				return 1;
			if (!rule_match(e, path, plen, base, blen))
				return 1;
			continue;
		}
		if (e->must_dir && !is_dir)
			continue;
		if (rule_match(e, path, plen, base, blen))
			return 1;
	}
	return 0;
}

void gitops_helm_ignore_free(struct gitops_helm_ignore *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].pat);
	free(r->v);
	free(r);
}
