/* path.c: one path grammar, its five surface syntaxes, and get/set/delete on a value tree. */
#include "lib/value/path.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/value/value.h"

const char *gitops_path_syntax_name(enum gitops_path_syntax syntax)
{
	switch (syntax) {
	case GITOPS_PATH_YAMLEDIT: return "yamledit";
	case GITOPS_PATH_FIELDSPEC: return "fieldspec";
	case GITOPS_PATH_REPLACEMENT: return "replacement";
	case GITOPS_PATH_POINTER: return "pointer";
	case GITOPS_PATH_HELM: return "helm";
	}
	return "unknown";
}

void gitops_path_release(struct gitops_path *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->steps[i].key);
		free(p->steps[i].value);
	}
	free(p->steps);
	free(p->text);
	p->steps = NULL;
	p->n = 0;
	p->flags = 0;
	p->text = NULL;
}

/* --- messages --- */

/*
 * The path as it goes into a message: between double quotes, with '"',
 * '\' and control characters escaped (a message is one line), cut after
 * 200 bytes.
 */
static void quote_path(char *out, size_t size, const char *text)
{
	size_t o = 0, i;

	for (i = 0; text[i] && o + 6 < size; i++) {
		unsigned char c = (unsigned char)text[i];
		if (i == 200) {
			o += (size_t)snprintf(out + o, size - o, "...");
			break;
		}
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, size - o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* `path "TEXT": WHAT at column N`, a usage error. */
static int path_err(struct gitops_err *err, const char *text, size_t column, const char *fmt, ...) GITOPS_PRINTF(4, 5);
static int path_err(struct gitops_err *err, const char *text, size_t column, const char *fmt, ...)
{
	char q[300], what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	quote_path(q, sizeof(q), text);
	if (column)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "path \"%s\": %s at column %zu", q, what, column);
	return gitops_err_set(err, GITOPS_EXIT_USAGE, "path \"%s\": %s", q, what);
}

/* --- building a path --- */

static struct gitops_path_step *push(struct gitops_path *p, size_t *cap, enum gitops_path_kind kind, size_t column)
{
	struct gitops_path_step *s;

	if (p->n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		struct gitops_path_step *q = realloc(p->steps, c * sizeof(*q));
		if (!q)
			return NULL;
		p->steps = q;
		*cap = c;
	}
	s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->column = column;
	return s;
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Too many steps: the same limit for every syntax. */
static int too_deep(struct gitops_err *err, const char *text, size_t column)
{
	return path_err(err, text, column, "more than %d steps", GITOPS_PATH_MAX_STEPS);
}

/* --- yamledit: gitops-bump's syntax and messages, as they were --- */

static int yamledit_err(struct gitops_err *err, const char *path, const char *why)
{
	return gitops_err_set(err, GITOPS_EXIT_USAGE, "invalid path '%s': %s", path, why);
}

static int parse_yamledit(struct gitops_path *out, const char *path, struct gitops_err *err)
{
	struct gitops_buf key = GITOPS_BUF_INIT;
	const char *p = path;
	size_t cap = 0;
	struct gitops_path_step *s;

	if (!*p)
		return yamledit_err(err, path, "empty");
	for (;;) {
		size_t col = (size_t)(p - path) + 1;
		key.len = 0;
		while (*p && *p != '.' && *p != '[') {
			if (*p == '\\' && p[1])
				p++;
			if (gitops_buf_add(&key, p, 1) < 0)
				goto oom;
			p++;
		}
		if (key.len) {
			if (out->n >= GITOPS_PATH_MAX_STEPS) {
				too_deep(err, path, col);
				goto fail;
			}
			if (!(s = push(out, &cap, GITOPS_PATH_KEY, col)) || !(s->key = dup_n(key.data, key.len)))
				goto oom;
		} else if (*p != '[' || (out->n > 0 && p[-1] == '.')) {
			yamledit_err(err, path, "empty key");
			goto fail;
		}
		while (*p == '[') {
			const char *close = strchr(p, ']'), *eq;
			col = (size_t)(p - path) + 1;
			if (!close || close == p + 1) {
				yamledit_err(err, path, "unclosed or empty '['");
				goto fail;
			}
			if (out->n >= GITOPS_PATH_MAX_STEPS) {
				too_deep(err, path, col);
				goto fail;
			}
			eq = memchr(p + 1, '=', (size_t)(close - p - 1));
			if (eq) {
				if (eq == p + 1) {
					yamledit_err(err, path, "'[=VALUE]' needs a key");
					goto fail;
				}
				if (!(s = push(out, &cap, GITOPS_PATH_MATCH, col)) ||
				    !(s->key = dup_n(p + 1, (size_t)(eq - p - 1))) ||
				    !(s->value = dup_n(eq + 1, (size_t)(close - eq - 1))))
					goto oom;
			} else {
				const char *d;
				size_t v = 0;
				for (d = p + 1; d < close; d++) {
					if (*d < '0' || *d > '9' || v > 100000000) {
						yamledit_err(err, path, "an index must be a number (or use [KEY=VALUE])");
						goto fail;
					}
					v = v * 10 + (size_t)(*d - '0');
				}
				if (!(s = push(out, &cap, GITOPS_PATH_INDEX, col)))
					goto oom;
				s->index = v;
			}
			p = close + 1;
		}
		if (!*p)
			break;
		if (*p != '.' || !p[1]) {
			yamledit_err(err, path, *p == '.' ? "ends with '.'" : "expected '.' after ']'");
			goto fail;
		}
		p++;
	}
	gitops_buf_release(&key);
	return 0;
oom:
	gitops_err_oom(err);
fail:
	gitops_buf_release(&key);
	return -1;
}

char *gitops_path_assignment_split(const char *arg)
{
	int depth = 0;

	for (; *arg; arg++) {
		if (*arg == '\\' && arg[1])
			arg++;
		else if (*arg == '[')
			depth++;
		else if (*arg == ']' && depth)
			depth--;
		else if (*arg == '=' && !depth)
			return (char *)arg;
	}
	return NULL;
}

/* --- Kustomize fieldspec: '/'-separated, `\/` a slash, `name[]` a sequence --- */

static int parse_fieldspec(struct gitops_path *out, const char *text, struct gitops_err *err)
{
	struct gitops_buf key = GITOPS_BUF_INIT;
	const char *p = text;
	size_t cap = 0;
	struct gitops_path_step *s;

	if (!*p)
		return path_err(err, text, 0, "empty");
	for (;;) {
		size_t col = (size_t)(p - text) + 1;
		key.len = 0;
		if (gitops_buf_add(&key, "", 0) < 0)
			goto oom;
		while (*p && *p != '/') {
			if (*p == '\\' && p[1] == '/')
				p++;
			if (gitops_buf_add(&key, p, 1) < 0)
				goto oom;
			p++;
		}
		if (out->n + 2 > GITOPS_PATH_MAX_STEPS) {
			too_deep(err, text, col);
			goto fail;
		}
		if (key.len >= 2 && !strcmp(key.data + key.len - 2, "[]")) {
			if (key.len == 2) {
				path_err(err, text, col, "empty field name");
				goto fail;
			}
			if (!(s = push(out, &cap, GITOPS_PATH_KEY, col)) || !(s->key = dup_n(key.data, key.len - 2)))
				goto oom;
			s->flags |= GITOPS_PATH_STEP_SEQ;
		} else if (!key.len) {
			path_err(err, text, col, "empty field name");
			goto fail;
		} else if (!(s = push(out, &cap, GITOPS_PATH_KEY, col)) || !(s->key = dup_n(key.data, key.len))) {
			goto oom;
		}
		if (!*p)
			break;
		p++;
	}
	out->flags |= GITOPS_PATH_WALK_SEQ;
	gitops_buf_release(&key);
	return 0;
oom:
	gitops_err_oom(err);
fail:
	gitops_buf_release(&key);
	return -1;
}

/* --- Kustomize replacement fieldPath: kyaml's SmarterPathSplitter, then PathMatcher's parts --- */

struct part {
	char *text;
	size_t column;
};

static void parts_free(struct part *parts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(parts[i].text);
	free(parts);
}

/*
 * Go's strconv.Atoi on s: 0 and *out, or -1 with *range set for "value out
 * of range" (else "invalid syntax").  As Go: the digits are read as a
 * uint64, where an overflow is a range error at once and a non-digit a
 * syntax error; what fits a uint64 but not an int64 is a range error at
 * the end.
 */
static int go_atoi(int64_t *out, const char *s, size_t len, int *range)
{
	size_t i = 0;
	int neg = 0;
	uint64_t v = 0;

	*range = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i == len)
		return -1;
	for (; i < len; i++) {
		uint64_t d = (uint64_t)(unsigned char)s[i] - '0';
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - d) / 10) {
			*range = 1;
			return -1;
		}
		v = v * 10 + d;
	}
	if (v > (uint64_t)INT64_MAX + neg) {
		*range = 1;
		return -1;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int parse_replacement(struct gitops_path *out, const char *text, struct gitops_err *err)
{
	struct gitops_buf cur = GITOPS_BUF_INIT;
	struct part *parts = NULL;
	size_t nparts = 0, capparts = 0, cap = 0, i, start = 1;
	const char *p;
	struct gitops_path_step *s;
	int error = -1;

	if (!*text)
		return path_err(err, text, 0, "empty");
	/* PathSplitter: split on '.', a '\' ending an element joins it to the next with a '.' */
	if (gitops_buf_add(&cur, "", 0) < 0)
		goto oom;
	for (p = text;; p++) {
		if (*p == '.' && cur.len && cur.data[cur.len - 1] == '\\') {
			cur.data[cur.len - 1] = '.';
			continue;
		}
		if (*p && *p != '.') {
			if (gitops_buf_add(&cur, p, 1) < 0)
				goto oom;
			continue;
		}
		if (nparts == capparts) {
			size_t c = capparts ? capparts * 2 : 8;
			struct part *q = realloc(parts, c * sizeof(*q));
			if (!q)
				goto oom;
			parts = q;
			capparts = c;
		}
		if (nparts >= GITOPS_PATH_MAX_STEPS) {
			too_deep(err, text, start);
			goto done;
		}
		parts[nparts].column = start;
		if (!(parts[nparts].text = dup_n(cur.data, cur.len)))
			goto oom;
		nparts++;
		cur.len = 0;
		cur.data[0] = '\0';
		start = (size_t)(p - text) + 2;
		if (!*p)
			break;
	}
	for (i = 0; i < nparts; i++) {
		char *t = parts[i].text, *eq;
		size_t len = strlen(t), col = parts[i].column, j;
		int64_t idx;
		int range;

		if (t[0] == '[' && (len < 2 || t[len - 1] != ']')) {
			/* SmarterPathSplitter: a '[' element runs to the element that ends with ']' */
			cur.len = 0;
			if (gitops_buf_addstr(&cur, t) < 0)
				goto oom;
			for (j = i + 1; j < nparts; j++) {
				size_t l = strlen(parts[j].text);
				if (gitops_buf_add(&cur, ".", 1) < 0 || gitops_buf_add(&cur, parts[j].text, l) < 0)
					goto oom;
				if (l && parts[j].text[l - 1] == ']')
					break;
			}
			if (j == nparts) {
				path_err(err, text, col, "unterminated '['");
				goto done;
			}
			i = j;
			t = cur.data;
			len = cur.len;
		}
		if (len >= 2 && t[0] == '[' && t[len - 1] == ']' && (eq = memchr(t, '=', len))) {
			if (!(s = push(out, &cap, GITOPS_PATH_MATCH, col)) || !(s->key = dup_n(t + 1, (size_t)(eq - t - 1))) ||
			    !(s->value = dup_n(eq + 1, (size_t)(t + len - 1 - eq - 1))))
				goto oom;
			continue;
		}
		if (t[0] == '[') {
			/* `[a.b/c]`: a key, brackets trimmed (as strings.Trim(s, "[]")) */
			size_t a = 0, b = len;
			while (a < b && (t[a] == '[' || t[a] == ']'))
				a++;
			while (b > a && (t[b - 1] == '[' || t[b - 1] == ']'))
				b--;
			if (a == b) {
				path_err(err, text, col, "empty field name");
				goto done;
			}
			if (!(s = push(out, &cap, GITOPS_PATH_KEY, col)) || !(s->key = dup_n(t + a, b - a)))
				goto oom;
			continue;
		}
		if (!len) {
			path_err(err, text, col, "empty field name");
			goto done;
		}
		if (go_atoi(&idx, t, len, &range) == 0 && idx >= 0) {
			if (!(s = push(out, &cap, GITOPS_PATH_INDEX, col)) || !(s->key = dup_n(t, len)))
				goto oom;
			s->index = (size_t)idx;
		} else if (!strcmp(t, "-")) {
			if (!(s = push(out, &cap, GITOPS_PATH_APPEND, col)) || !(s->key = dup_n(t, len)))
				goto oom;
		} else if (!strcmp(t, "*")) {
			if (!push(out, &cap, GITOPS_PATH_ALL, col))
				goto oom;
		} else if (!(s = push(out, &cap, GITOPS_PATH_KEY, col)) || !(s->key = dup_n(t, len))) {
			goto oom;
		}
	}
	error = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	gitops_buf_release(&cur);
	parts_free(parts, nparts);
	return error;
}

/* --- JSON Pointer (RFC 6901) --- */

static int parse_pointer(struct gitops_path *out, const char *text, struct gitops_err *err)
{
	struct gitops_buf tok = GITOPS_BUF_INIT;
	const char *p = text;
	size_t cap = 0;
	struct gitops_path_step *s;

	if (!*p)
		return 0;       /* the whole document */
	if (*p != '/')
		return path_err(err, text, 1, "a JSON pointer starts with '/'");
	while (*p == '/') {
		size_t col = (size_t)(p - text) + 2, i;
		int digits = 1;
		p++;
		tok.len = 0;
		if (gitops_buf_add(&tok, "", 0) < 0)
			goto oom;
		while (*p && *p != '/') {
			char c = *p;
			if (c == '~') {
				if (p[1] != '0' && p[1] != '1') {
					path_err(err, text, (size_t)(p - text) + 1, "'~' must be followed by '0' or '1'");
					goto fail;
				}
				c = p[1] == '0' ? '~' : '/';
				p++;
			}
			if (gitops_buf_add(&tok, &c, 1) < 0)
				goto oom;
			p++;
		}
		if (out->n >= GITOPS_PATH_MAX_STEPS) {
			too_deep(err, text, col);
			goto fail;
		}
		for (i = 0; i < tok.len; i++)
			if (tok.data[i] < '0' || tok.data[i] > '9')
				digits = 0;
		/* an array index: "0", or digits without a leading zero; a mapping takes it as a key */
		if (tok.len && digits && (tok.len == 1 || tok.data[0] != '0') && tok.len <= 15) {
			if (!(s = push(out, &cap, GITOPS_PATH_INDEX, col)))
				goto oom;
			s->index = (size_t)strtoull(tok.data, NULL, 10);
		} else if (tok.len == 1 && tok.data[0] == '-') {
			if (!(s = push(out, &cap, GITOPS_PATH_APPEND, col)))
				goto oom;
		} else if (!(s = push(out, &cap, GITOPS_PATH_KEY, col))) {
			goto oom;
		}
		if (!(s->key = dup_n(tok.data, tok.len)))
			goto oom;
	}
	gitops_buf_release(&tok);
	return 0;
oom:
	gitops_err_oom(err);
fail:
	gitops_buf_release(&tok);
	return -1;
}

/* --- Helm: the key of --set (`a.b[0].c`) --- */

#define HELM_MAX_INDEX 65536
#define HELM_MAX_NESTED 30

static int parse_helm_key(struct gitops_path *out, const char *text, struct gitops_err *err)
{
	struct gitops_buf key = GITOPS_BUF_INIT;
	const char *p = text;
	size_t cap = 0;
	int levels = 0;
	struct gitops_path_step *s;

	if (!*p)
		return path_err(err, text, 0, "empty");
	for (;;) {
		size_t col = (size_t)(p - text) + 1;
		key.len = 0;
		if (gitops_buf_add(&key, "", 0) < 0)
			goto oom;
		while (*p && *p != '.' && *p != '[' && *p != '=' && *p != ',') {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '\\')
				break;
			if (gitops_buf_add(&key, p, 1) < 0)
				goto oom;
			p++;
		}
		if (*p == '=' || *p == ',' || *p == '\\') {
			path_err(err, text, (size_t)(p - text) + 1, *p == '\\' ? "'\\' at the end" : "unexpected '%c'", *p);
			goto fail;
		}
		if (!key.len) {
			path_err(err, text, col, "empty key");
			goto fail;
		}
		if (out->n >= GITOPS_PATH_MAX_STEPS) {
			too_deep(err, text, col);
			goto fail;
		}
		if (!(s = push(out, &cap, GITOPS_PATH_KEY, col)) || !(s->key = dup_n(key.data, key.len)))
			goto oom;
		while (*p == '[') {
			const char *open = p;
			int64_t idx;
			int range;
			key.len = 0;
			for (p++; *p && *p != ']'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (gitops_buf_add(&key, p, 1) < 0)
					goto oom;
			}
			if (!*p) {
				path_err(err, text, (size_t)(open - text) + 1, "unterminated '['");
				goto fail;
			}
			if (go_atoi(&idx, key.data ? key.data : "", key.len, &range) < 0) {
				char q[300];
				quote_path(q, sizeof(q), key.data ? key.data : "");
				path_err(err, text, (size_t)(open - text) + 2, "index \"%s\" %s", q,
					 range ? "is out of range" : "is not a number");
				goto fail;
			}
			if (idx < 0 || idx > HELM_MAX_INDEX) {
				path_err(err, text, (size_t)(open - text) + 2, idx < 0 ? "negative index %lld"
					 : "index %lld is greater than the maximum, 65536", (long long)idx);
				goto fail;
			}
			if (out->n >= GITOPS_PATH_MAX_STEPS) {
				too_deep(err, text, (size_t)(open - text) + 1);
				goto fail;
			}
			if (!(s = push(out, &cap, GITOPS_PATH_INDEX, (size_t)(open - text) + 1)))
				goto oom;
			s->index = (size_t)idx;
			p++;
		}
		if (!*p)
			break;
		if (*p != '.') {
			path_err(err, text, (size_t)(p - text) + 1, "unexpected data after ']'");
			goto fail;
		}
		if (++levels > HELM_MAX_NESTED) {
			path_err(err, text, (size_t)(p - text) + 1, "more than %d nested levels", HELM_MAX_NESTED);
			goto fail;
		}
		p++;
	}
	gitops_buf_release(&key);
	return 0;
oom:
	gitops_err_oom(err);
fail:
	gitops_buf_release(&key);
	return -1;
}

int gitops_path_parse(struct gitops_path *out, enum gitops_path_syntax syntax, const char *text, unsigned flags,
		      struct gitops_err *err)
{
	int r;

	gitops_path_release(out);
	if (!(out->text = strdup(text)))
		return gitops_err_oom(err);
	switch (syntax) {
	case GITOPS_PATH_YAMLEDIT: r = parse_yamledit(out, text, err); break;
	case GITOPS_PATH_FIELDSPEC: r = parse_fieldspec(out, text, err); break;
	case GITOPS_PATH_REPLACEMENT: r = parse_replacement(out, text, err); break;
	case GITOPS_PATH_POINTER: r = parse_pointer(out, text, err); break;
	case GITOPS_PATH_HELM: r = parse_helm_key(out, text, err); break;
	default: r = gitops_err_set(err, GITOPS_EXIT_INTERNAL, "unknown path syntax %d", (int)syntax); break;
	}
	if (r < 0) {
		gitops_path_release(out);
		return -1;
	}
	out->flags |= flags;
	return 0;
}

/* --- writing a path --- */

static int add_escaped(struct gitops_buf *b, const char *s, const char *special, const char *esc)
{
	for (; *s; s++) {
		if (strchr(special, *s) && gitops_buf_addstr(b, esc) < 0)
			return -1;
		if (gitops_buf_add(b, s, 1) < 0)
			return -1;
	}
	return 0;
}

static int is_uint_text(const char *s)
{
	int64_t v;
	int range;

	return go_atoi(&v, s, strlen(s), &range) == 0 && v >= 0;
}

/* The text of p in syntax, or 1 when a step cannot be said (-1: out of memory). */
static int format_into(struct gitops_buf *b, const struct gitops_path *p, enum gitops_path_syntax syntax)
{
	size_t i;

	if (gitops_buf_add(b, "", 0) < 0)
		return -1;
	for (i = 0; i < p->n; i++) {
		const struct gitops_path_step *s = &p->steps[i];
		int r = 0;
		switch (syntax) {
		case GITOPS_PATH_YAMLEDIT:
			if (s->kind == GITOPS_PATH_KEY) {
				if (!*s->key)
					return 1;
				r = (i && gitops_buf_add(b, ".", 1) < 0) || add_escaped(b, s->key, ".[\\=", "\\") < 0;
			} else if (s->kind == GITOPS_PATH_INDEX) {
				r = gitops_buf_printf(b, "[%zu]", s->index) < 0;
			} else if (s->kind == GITOPS_PATH_MATCH) {
				r = gitops_buf_printf(b, "[%s=%s]", s->key, s->value) < 0;
			} else {
				return 1;
			}
			break;
		case GITOPS_PATH_FIELDSPEC:
			if (s->kind == GITOPS_PATH_KEY) {
				r = (i && gitops_buf_add(b, "/", 1) < 0) || add_escaped(b, s->key, "/", "\\") < 0 ||
				    ((s->flags & GITOPS_PATH_STEP_SEQ) && gitops_buf_add(b, "[]", 2) < 0);
			} else {
				return 1;
			}
			break;
		case GITOPS_PATH_REPLACEMENT:
			if (i && gitops_buf_add(b, ".", 1) < 0)
				return -1;
			switch (s->kind) {
			case GITOPS_PATH_KEY: {
				/* plain, '.' escaped; in brackets what plain would misread (`[*]`, `[0]`, `[a\\]`) */
				size_t l = strlen(s->key);
				int brackets = !l || s->key[0] == '[' || !strcmp(s->key, "*") || !strcmp(s->key, "-") ||
					       is_uint_text(s->key) || (s->key[l - 1] == '\\' && i + 1 < p->n);
				r = (brackets && gitops_buf_add(b, "[", 1) < 0) || add_escaped(b, s->key, ".", "\\") < 0 ||
				    (brackets && gitops_buf_add(b, "]", 1) < 0);
				break;
			}
			case GITOPS_PATH_INDEX: r = gitops_buf_printf(b, "%zu", s->index) < 0; break;
			case GITOPS_PATH_APPEND: r = gitops_buf_add(b, "-", 1) < 0; break;
			case GITOPS_PATH_ALL: r = gitops_buf_add(b, "*", 1) < 0; break;
			case GITOPS_PATH_MATCH:
				/* dots escaped: no element of the split may end inside the brackets */
				r = gitops_buf_add(b, "[", 1) < 0 || add_escaped(b, s->key, ".", "\\") < 0 ||
				    gitops_buf_add(b, "=", 1) < 0 || add_escaped(b, s->value, ".", "\\") < 0 ||
				    gitops_buf_add(b, "]", 1) < 0;
				break;
			}
			break;
		case GITOPS_PATH_POINTER:
			if (gitops_buf_add(b, "/", 1) < 0)
				return -1;
			if (s->kind == GITOPS_PATH_KEY) {
				const char *c;
				for (c = s->key; *c && !r; c++)
					r = *c == '~' ? gitops_buf_add(b, "~0", 2) < 0
					    : *c == '/' ? gitops_buf_add(b, "~1", 2) < 0 : gitops_buf_add(b, c, 1) < 0;
			} else if (s->kind == GITOPS_PATH_INDEX) {
				r = gitops_buf_printf(b, "%zu", s->index) < 0;
			} else if (s->kind == GITOPS_PATH_APPEND) {
				r = gitops_buf_add(b, "-", 1) < 0;
			} else {
				return 1;
			}
			break;
		case GITOPS_PATH_HELM:
			if (s->kind == GITOPS_PATH_KEY)
				r = (i && gitops_buf_add(b, ".", 1) < 0) || add_escaped(b, s->key, ".[]=,\\", "\\") < 0;
			else if (s->kind == GITOPS_PATH_INDEX && i)
				r = gitops_buf_printf(b, "[%zu]", s->index) < 0;
			else
				return 1;
			break;
		}
		if (r)
			return -1;
	}
	return 0;
}

/* Do two steps say the same?  A key and an index or '-' that a mapping reads as that key do. */
static int same_step(const struct gitops_path_step *a, const struct gitops_path_step *b)
{
	if (a->kind != b->kind) {
		const struct gitops_path_step *k = a->kind == GITOPS_PATH_KEY ? a : b, *o = k == a ? b : a;
		return k->kind == GITOPS_PATH_KEY && (o->kind == GITOPS_PATH_INDEX || o->kind == GITOPS_PATH_APPEND) &&
		       o->key && !strcmp(k->key, o->key);
	}
	switch (a->kind) {
	case GITOPS_PATH_KEY:
		return !strcmp(a->key, b->key) && (a->flags & GITOPS_PATH_STEP_SEQ) == (b->flags & GITOPS_PATH_STEP_SEQ);
	case GITOPS_PATH_INDEX:
		return a->index == b->index;
	case GITOPS_PATH_MATCH:
		return !strcmp(a->key, b->key) && !strcmp(a->value, b->value);
	default:
		return 1;
	}
}

int gitops_path_format(char **out, const struct gitops_path *p, enum gitops_path_syntax syntax,
		       struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_path back = GITOPS_PATH_INIT;
	struct gitops_err ignored = GITOPS_ERR_INIT;
	size_t i;
	int r, error = -1;

	*out = NULL;
	r = format_into(&b, p, syntax);
	if (r < 0) {
		gitops_err_oom(err);
		goto done;
	}
	/* what cannot be said reads back as something else: parse it again to know */
	if (r == 0 && gitops_path_parse(&back, syntax, b.data, 0, &ignored) == 0 && back.n == p->n) {
		for (i = 0; i < p->n && same_step(&p->steps[i], &back.steps[i]); i++)
			;
		if (i == p->n) {
			*out = gitops_buf_detach(&b);
			error = *out ? 0 : gitops_err_oom(err);
			goto done;
		}
	}
	if (ignored.code == GITOPS_EXIT_INTERNAL)
		gitops_err_oom(err);
	else
		gitops_err_set(err, GITOPS_EXIT_USAGE, "the path cannot be written as a %s path",
			       gitops_path_syntax_name(syntax));
done:
	gitops_path_release(&back);
	gitops_buf_release(&b);
	return error;
}

/* --- operations --- */

enum op { OP_GET, OP_SET, OP_DELETE };

struct walk {
	const struct gitops_path *p;
	enum op op;
	int create;
	cJSON *value;           /* OP_SET: taken by the first place, copied for the next */
	int value_used;
	const cJSON **found;
	size_t nfound, capfound;
	int count;
	struct gitops_err *err;
};

static const char *a_kind(const cJSON *v)
{
	switch (gitops_value_kind(v)) {
	case GITOPS_VALUE_KIND_NULL: return "a null";
	case GITOPS_VALUE_KIND_BOOL: return "a bool";
	case GITOPS_VALUE_KIND_INT: return "an int";
	case GITOPS_VALUE_KIND_FLOAT: return "a float64";
	case GITOPS_VALUE_KIND_STRING: return "a string";
	case GITOPS_VALUE_KIND_SEQ: return "a sequence";
	case GITOPS_VALUE_KIND_MAP: return "a mapping";
	default: return "an invalid value";
	}
}

static void describe_step(char *buf, size_t size, const struct gitops_path_step *s)
{
	switch (s->kind) {
	case GITOPS_PATH_KEY: snprintf(buf, size, "\"%.100s\"", s->key); break;
	case GITOPS_PATH_INDEX: snprintf(buf, size, "[%zu]", s->index); break;
	case GITOPS_PATH_APPEND: snprintf(buf, size, "'-'"); break;
	case GITOPS_PATH_ALL: snprintf(buf, size, "'*'"); break;
	case GITOPS_PATH_MATCH: snprintf(buf, size, "[%.100s=%.100s]", s->key, s->value); break;
	}
}

/* A step met a node of the wrong kind: nothing there, unless creating. */
static int mismatch(struct walk *w, const cJSON *node, size_t i)
{
	char what[256];

	if (w->op != OP_SET || !w->create)
		return 0;
	describe_step(what, sizeof(what), &w->p->steps[i]);
	return path_err(w->err, w->p->text ? w->p->text : "", w->p->steps[i].column, "cannot create %s in %s", what,
			a_kind(node));
}

static cJSON *take_value(struct walk *w)
{
	cJSON *v;

	if (!w->value_used) {
		w->value_used = 1;
		return w->value;
	}
	v = gitops_value_copy(w->value);
	if (!v)
		gitops_err_oom(w->err);
	return v;
}

/* A new empty node for step i to go into: a sequence for an index, '-', '*' or a match, else a mapping. */
static cJSON *container_for(const struct gitops_path_step *s)
{
	return s->kind == GITOPS_PATH_KEY ? cJSON_CreateObject() : cJSON_CreateArray();
}

/* Put `repl` where `child` is in `parent` (a mapping keeps the key). */
static int replace(struct walk *w, cJSON *parent, cJSON *child, cJSON *repl)
{
	if (cJSON_IsObject(parent)) {
		char *k = strdup(child->string);
		if (!k) {
			cJSON_Delete(repl);
			return gitops_err_oom(w->err);
		}
		if (repl->string && !(repl->type & cJSON_StringIsConst))
			cJSON_free(repl->string);
		repl->string = k;
		repl->type &= ~cJSON_StringIsConst;
	}
	cJSON_ReplaceItemViaPointer(parent, child, repl);
	return 0;
}

static int step(struct walk *w, cJSON *node, size_t i);

/* Step i found `child` in `parent`: act on it when the step is the last, else go on. */
static int at_child(struct walk *w, cJSON *parent, cJSON *child, size_t i)
{
	int before;

	if (i + 1 < w->p->n) {
		if (w->op == OP_SET && w->create && cJSON_IsNull(child)) {
			cJSON *c = container_for(&w->p->steps[i + 1]);
			if (!c)
				return gitops_err_oom(w->err);
			if (replace(w, parent, child, c) < 0)
				return -1;
			child = c;
			before = w->count;
			if (step(w, child, i + 1) < 0)
				return -1;
			/* nothing set below: the null it was */
			if (w->count == before && !child->child) {
				cJSON *null = cJSON_CreateNull();
				if (!null || replace(w, parent, child, null) < 0)
					return gitops_err_oom(w->err);
			}
			return 0;
		}
		return step(w, child, i + 1);
	}
	switch (w->op) {
	case OP_GET:
		if (w->nfound == w->capfound) {
			size_t c = w->capfound ? w->capfound * 2 : 8;
			const cJSON **q = realloc(w->found, c * sizeof(*q));
			if (!q)
				return gitops_err_oom(w->err);
			w->found = q;
			w->capfound = c;
		}
		w->found[w->nfound++] = child;
		break;
	case OP_SET: {
		cJSON *v = take_value(w);
		if (!v || replace(w, parent, child, v) < 0)
			return -1;
		break;
	}
	case OP_DELETE:
		cJSON_Delete(cJSON_DetachItemViaPointer(parent, child));
		break;
	}
	w->count++;
	return 0;
}

/* Step i adds a new member or item to `parent` (a mapping when key is given). */
static int add_new(struct walk *w, cJSON *parent, const char *key, size_t i)
{
	cJSON *c = i + 1 < w->p->n ? container_for(&w->p->steps[i + 1]) : take_value(w);

	if (!c)
		return gitops_err_oom(w->err);
	if (key) {
		if (!cJSON_AddItemToObject(parent, key, c)) {
			cJSON_Delete(c);
			return gitops_err_oom(w->err);
		}
	} else if (!cJSON_AddItemToArray(parent, c)) {
		cJSON_Delete(c);
		return gitops_err_oom(w->err);
	}
	if (i + 1 < w->p->n) {
		int before = w->count;
		if (step(w, c, i + 1) < 0)
			return -1;
		/* nothing was set below the new node (`a[3]` in a new sequence): leave no empty node behind */
		if (w->count == before && !c->child)
			cJSON_Delete(cJSON_DetachItemViaPointer(parent, c));
		return 0;
	}
	w->count++;
	return 0;
}

static int member(struct walk *w, cJSON *map, const struct gitops_path_step *s, size_t i)
{
	cJSON *child = cJSON_GetObjectItemCaseSensitive(map, s->key);

	if (child)
		return at_child(w, map, child, i);
	if (w->op == OP_SET && w->create && !(s->flags & GITOPS_PATH_STEP_SEQ))
		return add_new(w, map, s->key, i);
	return 0;
}

static int item_matches(const cJSON *item, const struct gitops_path_step *s)
{
	const cJSON *v = item;
	char num[64];

	if (*s->key) {
		if (!cJSON_IsObject(item))
			return 0;
		v = cJSON_GetObjectItemCaseSensitive(item, s->key);
	}
	if (cJSON_IsString(v))
		return !strcmp(v->valuestring, s->value);
	if (cJSON_IsNumber(v))
		return !strcmp(gitops_value_format_number(num, sizeof(num), v), s->value);
	if (cJSON_IsBool(v))
		return !strcmp(cJSON_IsTrue(v) ? "true" : "false", s->value);
	return 0;
}

static int step(struct walk *w, cJSON *node, size_t i)
{
	const struct gitops_path_step *s = &w->p->steps[i];
	cJSON *item, *next;
	size_t k;

	if (cJSON_IsArray(node) && (w->p->flags & GITOPS_PATH_WALK_SEQ) && s->kind == GITOPS_PATH_KEY) {
		for (item = node->child; item; item = next) {
			next = item->next;
			if (step(w, item, i) < 0)
				return -1;
		}
		return 0;
	}
	if (cJSON_IsObject(node) && (s->kind == GITOPS_PATH_KEY ||
				     ((s->kind == GITOPS_PATH_INDEX || s->kind == GITOPS_PATH_APPEND) && s->key)))
		return member(w, node, s, i);
	if (!cJSON_IsArray(node))
		return mismatch(w, node, i);
	switch (s->kind) {
	case GITOPS_PATH_KEY:
		return mismatch(w, node, i);
	case GITOPS_PATH_INDEX:
		for (k = 0, item = node->child; item && k < s->index; k++)
			item = item->next;
		if (item)
			return at_child(w, node, item, i);
		if (w->op == OP_SET && w->create && k == s->index)
			return add_new(w, node, NULL, i);
		return 0;
	case GITOPS_PATH_APPEND:
		if (w->op == OP_SET)
			return add_new(w, node, NULL, i);
		return 0;
	case GITOPS_PATH_ALL:
		for (item = node->child; item; item = next) {
			next = item->next;
			if (at_child(w, node, item, i) < 0)
				return -1;
		}
		return 0;
	case GITOPS_PATH_MATCH: {
		int before = w->count, hit = 0;
		for (item = node->child; item; item = next) {
			next = item->next;
			if (!item_matches(item, s))
				continue;
			hit = 1;
			if (at_child(w, node, item, i) < 0)
				return -1;
		}
		(void)before;
		if (!hit && w->op == OP_SET && w->create) {
			cJSON *e = *s->key ? cJSON_CreateObject() : cJSON_CreateString(s->value);
			if (!e || (*s->key && !cJSON_AddStringToObject(e, s->key, s->value)) || !cJSON_AddItemToArray(node, e)) {
				cJSON_Delete(e);
				return gitops_err_oom(w->err);
			}
			return at_child(w, node, e, i);
		}
		return 0;
	}
	}
	return 0;
}

static int run(struct walk *w, cJSON *root)
{
	if (!w->p->n) {
		if (w->op == OP_GET) {
			w->found = malloc(sizeof(*w->found));
			if (!w->found)
				return gitops_err_oom(w->err);
			w->found[w->nfound++] = root;
			return 1;
		}
		if (w->op == OP_SET)
			return path_err(w->err, w->p->text ? w->p->text : "", 0, "cannot set the root");
		return 0;
	}
	if (step(w, root, 0) < 0)
		return -1;
	return w->count;
}

int gitops_path_get(const cJSON ***out, size_t *n, const cJSON *root, const struct gitops_path *p,
		    struct gitops_err *err)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.p = p;
	w.op = OP_GET;
	w.err = err;
	*out = NULL;
	*n = 0;
	if (!root)
		return 0;
	/* OP_GET never changes the tree */
	if (run(&w, (cJSON *)root) < 0) {
		free(w.found);
		return -1;
	}
	*out = w.found;
	*n = w.nfound;
	return 0;
}

int gitops_path_set(cJSON *root, const struct gitops_path *p, cJSON *value, struct gitops_err *err)
{
	struct walk w;
	int r;

	memset(&w, 0, sizeof(w));
	w.p = p;
	w.op = OP_SET;
	w.create = (p->flags & GITOPS_PATH_CREATE) != 0;
	w.value = value;
	w.err = err;
	if (!value)
		return gitops_err_oom(err);
	r = run(&w, root);
	if (!w.value_used)
		cJSON_Delete(value);
	return r;
}

int gitops_path_delete(cJSON *root, const struct gitops_path *p, struct gitops_err *err)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.p = p;
	w.op = OP_DELETE;
	w.err = err;
	return run(&w, root);
}

/* --- Helm's --set (pkg/strvals): its grammar, its typing and its messages --- */

struct helm {
	const char *s;
	size_t pos, len;
	enum gitops_path_helm_mode mode;
	size_t depth;           /* nested keys and indexes, against GITOPS_PATH_MAX_STEPS */
	struct gitops_err *err;
};

enum { H_OK = 0, H_EOF = 1, H_ERR = -1 };

static int helm_err(struct helm *h, const char *fmt, ...) GITOPS_PRINTF(2, 3);
static int helm_err(struct helm *h, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gitops_err_set(h->err, GITOPS_EXIT_USAGE, "%s", msg);
	return H_ERR;
}

static int helm_oom(struct helm *h)
{
	gitops_err_oom(h->err);
	return H_ERR;
}

/*
 * The length of the UTF-8 sequence at s, as Go's utf8.DecodeRune takes it:
 * 0 for a byte that starts no valid one (overlong, surrogate, beyond
 * U+10FFFF, cut short), which Go reads as U+FFFD.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t w, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		w = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		w = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		w = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (w > n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < w; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return w;
}

/* Go's %q of a string (strconv.Quote, printable UTF-8 kept). */
static int go_quote(struct gitops_buf *b, const char *s, size_t n)
{
	size_t i = 0;

	if (gitops_buf_add(b, "\"", 1) < 0)
		return -1;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t w = utf8_len((const unsigned char *)s + i, n - i);
		int r;
		if (!w)
			r = gitops_buf_addstr(b, "\xef\xbf\xbd"), w = 1;
		else if (c >= 0x80)
			r = gitops_buf_add(b, s + i, w);
		else if (c == '"' || c == '\\')
			r = gitops_buf_printf(b, "\\%c", c);
		else if (c == '\a') r = gitops_buf_addstr(b, "\\a");
		else if (c == '\b') r = gitops_buf_addstr(b, "\\b");
		else if (c == '\f') r = gitops_buf_addstr(b, "\\f");
		else if (c == '\n') r = gitops_buf_addstr(b, "\\n");
		else if (c == '\r') r = gitops_buf_addstr(b, "\\r");
		else if (c == '\t') r = gitops_buf_addstr(b, "\\t");
		else if (c == '\v') r = gitops_buf_addstr(b, "\\v");
		else if (c < 0x20 || c == 0x7f)
			r = gitops_buf_printf(b, "\\x%02x", c);
		else
			r = gitops_buf_add(b, s + i, 1);
		if (r < 0)
			return -1;
		i += w;
	}
	return gitops_buf_add(b, "\"", 1);
}

/* Go's %q of a []rune: ['a' 'b'] (strconv.QuoteRune each; a byte no rune starts is U+FFFD). */
static int go_quote_runes(struct gitops_buf *b, const char *s, size_t n)
{
	size_t i = 0;

	if (gitops_buf_add(b, "[", 1) < 0)
		return -1;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t w = utf8_len((const unsigned char *)s + i, n - i);
		int r;
		if (i && gitops_buf_add(b, " ", 1) < 0)
			return -1;
		if (!w)
			r = gitops_buf_addstr(b, "'\xef\xbf\xbd'"), w = 1;
		else if (c >= 0x80)
			r = gitops_buf_printf(b, "'%.*s'", (int)w, s + i);
		else if (c == '\'' || c == '\\')
			r = gitops_buf_printf(b, "'\\%c'", c);
		else if (c == '\a') r = gitops_buf_addstr(b, "'\\a'");
		else if (c == '\b') r = gitops_buf_addstr(b, "'\\b'");
		else if (c == '\f') r = gitops_buf_addstr(b, "'\\f'");
		else if (c == '\n') r = gitops_buf_addstr(b, "'\\n'");
		else if (c == '\r') r = gitops_buf_addstr(b, "'\\r'");
		else if (c == '\t') r = gitops_buf_addstr(b, "'\\t'");
		else if (c == '\v') r = gitops_buf_addstr(b, "'\\v'");
		else if (c < 0x20 || c == 0x7f)
			r = gitops_buf_printf(b, "'\\x%02x'", c);
		else
			r = gitops_buf_printf(b, "'%c'", c);
		if (r < 0)
			return -1;
		i += w;
	}
	return gitops_buf_add(b, "]", 1);
}

/* A message with one Go-quoted string in it: fmt holds one %s where the quoted text goes. */
static int helm_err_q(struct helm *h, const char *fmt, const char *s, size_t n, int runes)
{
	struct gitops_buf q = GITOPS_BUF_INIT;
	int r;

	if ((runes ? go_quote_runes(&q, s, n) : go_quote(&q, s, n)) < 0) {
		gitops_buf_release(&q);
		return helm_oom(h);
	}
	r = helm_err(h, fmt, q.data);
	gitops_buf_release(&q);
	return r;
}

/*
 * strvals' runesUntil: the text up to one of `stop` into b, '\' taking the
 * next character as it is (not in --set-literal).  H_OK with *last the
 * stop, or H_EOF at the end.
 */
static int until(struct helm *h, const char *stop, struct gitops_buf *b, char *last)
{
	b->len = 0;
	if (gitops_buf_add(b, "", 0) < 0)
		return helm_oom(h);
	while (h->pos < h->len) {
		char c = h->s[h->pos];
		size_t w;
		if (c && strchr(stop, c)) {
			h->pos++;
			*last = c;
			return H_OK;
		}
		if (c == '\\' && h->mode != GITOPS_PATH_HELM_SET_LITERAL && ++h->pos == h->len)
			return H_EOF;
		/* rune by rune, as Go reads: a byte that starts none is U+FFFD */
		w = utf8_len((const unsigned char *)h->s + h->pos, h->len - h->pos);
		if (gitops_buf_add(b, w ? h->s + h->pos : "\xef\xbf\xbd", w ? w : 3) < 0)
			return helm_oom(h);
		h->pos += w ? w : 1;
	}
	*last = 0;
	return H_EOF;
}

/* Go's type name in "interface conversion: interface {} is T, not ..." */
static const char *go_type(const cJSON *v)
{
	switch (gitops_value_kind(v)) {
	case GITOPS_VALUE_KIND_NULL: return "nil";
	case GITOPS_VALUE_KIND_BOOL: return "bool";
	case GITOPS_VALUE_KIND_INT: return "int64";
	case GITOPS_VALUE_KIND_FLOAT: return "float64";
	case GITOPS_VALUE_KIND_STRING: return "string";
	case GITOPS_VALUE_KIND_SEQ: return "[]interface {}";
	case GITOPS_VALUE_KIND_MAP: return "map[string]interface {}";
	default: return "nil";
	}
}

static int not_a(struct helm *h, const cJSON *v, const char *want)
{
	return helm_err(h, "unable to parse key: interface conversion: interface {} is %s, not %s", go_type(v), want);
}

/*
 * Go's strings.EqualFold(s, word) for a lowercase ASCII word: ASCII
 * letters in either case, and the two non-ASCII letters that fold to
 * ASCII ones, 'ſ' (s) and the Kelvin sign (k).
 */
static int fold_eq(const char *s, size_t n, const char *word)
{
	size_t i = 0;

	for (; *word; word++) {
		if (i < n && (s[i] | 0x20) == *word && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')) {
			i++;
		} else if (*word == 's' && i + 1 < n && (unsigned char)s[i] == 0xc5 && (unsigned char)s[i + 1] == 0xbf) {
			i += 2;
		} else if (*word == 'k' && i + 2 < n && (unsigned char)s[i] == 0xe2 && (unsigned char)s[i + 1] == 0x84 &&
			   (unsigned char)s[i + 2] == 0xaa) {
			i += 3;
		} else {
			return 0;
		}
	}
	return i == n;
}

/* strvals' typedVal */
static cJSON *typed(struct helm *h, const char *s, size_t n)
{
	int64_t i;
	int range;

	if (h->mode == GITOPS_PATH_HELM_SET_STRING || h->mode == GITOPS_PATH_HELM_SET_LITERAL)
		return cJSON_CreateString(s);
	if (fold_eq(s, n, "true"))
		return cJSON_CreateTrue();
	if (fold_eq(s, n, "false"))
		return cJSON_CreateFalse();
	if (fold_eq(s, n, "null"))
		return cJSON_CreateNull();
	if (n == 1 && s[0] == '0')
		return gitops_value_new_int(0);
	if (n && s[0] != '0' && go_atoi(&i, s, n, &range) == 0)
		return gitops_value_new_int(i);
	return cJSON_CreateString(s);
}

/* set(): a key "" is not set; takes v. */
static int h_set(struct helm *h, cJSON *data, const char *key, cJSON *v)
{
	if (!v)
		return helm_oom(h);
	if (!*key) {
		cJSON_Delete(v);
		return H_OK;
	}
	if (gitops_value_set(data, key, v) < 0)
		return helm_oom(h);
	return H_OK;
}

/* setIndex(): takes v (unless it already is the item). */
static int h_set_index(struct helm *h, cJSON *list, int64_t index, cJSON *v)
{
	cJSON *old;
	int64_t size;

	if (!v)
		return helm_oom(h);
	if (index < 0 || index > HELM_MAX_INDEX) {
		cJSON_Delete(v);
		if (index < 0)
			return helm_err(h, "negative %lld index not allowed", (long long)index);
		return helm_err(h, "index of %lld is greater than maximum supported index of %d", (long long)index,
				HELM_MAX_INDEX);
	}
	for (size = cJSON_GetArraySize(list); size <= index; size++) {
		cJSON *null = cJSON_CreateNull();
		if (!null || !cJSON_AddItemToArray(list, null)) {
			cJSON_Delete(null);
			cJSON_Delete(v);
			return helm_oom(h);
		}
	}
	old = index + 1 == size ? list->child->prev : cJSON_GetArrayItem(list, (int)index);
	if (old == v)
		return H_OK;
	cJSON_ReplaceItemViaPointer(list, old, v);
	return H_OK;
}

/* keyIndex(): the index between '[' and ']'. */
static int key_index(struct helm *h, int64_t *out)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char last;
	int r = until(h, "]", &b, &last), range;

	if (r == H_ERR)
		goto done;
	if (r == H_EOF) {
		r = helm_err(h, "error parsing index: EOF");
		goto done;
	}
	if (go_atoi(out, b.data, b.len, &range) < 0)
		r = helm_err_q(h, range ? "error parsing index: strconv.Atoi: parsing %s: value out of range"
			       : "error parsing index: strconv.Atoi: parsing %s: invalid syntax", b.data, b.len, 0);
done:
	gitops_buf_release(&b);
	return r;
}

/* The width of the white space (Go's unicode.IsSpace) at s, or 0. */
static size_t go_space(const unsigned char *s, size_t n)
{
	if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n < 3)
		return 0;
	if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) || (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) ||
	    (s[0] == 0xe2 && s[1] == 0x80 && (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf)) ||
	    (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f))
		return s[0] == 0xe2 && s[1] == 0x80 && s[2] < 0x80 ? 0 : 3;
	return 0;
}

/* emptyVal(): blanks up to ',' or the end (consumed) mean no value. */
static int empty_val(struct helm *h)
{
	while (h->pos < h->len) {
		size_t w;
		if (h->s[h->pos] == ',') {
			h->pos++;
			return 1;
		}
		if (!(w = go_space((const unsigned char *)h->s + h->pos, h->len - h->pos)))
			return 0;
		h->pos += w;
	}
	return 1;
}

/*
 * --set-json reads one JSON value with Go's json.Decoder: its extent and
 * its errors come from a scanner with Go's grammar and messages; cJSON
 * then builds the value, which is made to look as Go's would (numbers
 * float64, invalid UTF-8 as U+FFFD, the last of duplicate keys).
 */
struct gojson {
	const unsigned char *s;
	size_t n, i;
	int depth;
	char msg[160];
};

/* Go's encoding/json quoteChar (a byte taken as the rune U+00XX, as Go's string(c) does) */
static void go_quote_char(char *out, size_t size, unsigned char c)
{
	if (c == '\'')
		snprintf(out, size, "'\\''");
	else if (c == '"')
		snprintf(out, size, "'\"'");
	else if (c == '\\')
		snprintf(out, size, "'\\\\'");
	else if (c >= 7 && c <= 13)
		snprintf(out, size, "'\\%c'", "abtnvfr"[c - 7]);
	else if (c < 0x20 || c == 0x7f)
		snprintf(out, size, "'\\x%02x'", c);
	else if ((c >= 0x80 && c < 0xa0) || c == 0xad)
		snprintf(out, size, "'\\u%04x'", c);
	else if (c >= 0x80)
		snprintf(out, size, "'%c%c'", 0xc0 | (c >> 6), 0x80 | (c & 0x3f));
	else
		snprintf(out, size, "'%c'", c);
}

static int gj_char(struct gojson *j, const char *context)
{
	char q[16];

	if (j->i >= j->n) {
		snprintf(j->msg, sizeof(j->msg), "unexpected EOF");
		return -1;
	}
	go_quote_char(q, sizeof(q), j->s[j->i]);
	snprintf(j->msg, sizeof(j->msg), "invalid character %s %s", q, context);
	return -1;
}

static void gj_space(struct gojson *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\r' || j->s[j->i] == '\n'))
		j->i++;
}

static int gj_digit(const struct gojson *j)
{
	return j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9';
}

static int gj_string(struct gojson *j)
{
	for (j->i++; j->i < j->n; j->i++) {
		unsigned char c = j->s[j->i];
		if (c == '"') {
			j->i++;
			return 0;
		}
		if (c < 0x20)
			return gj_char(j, "in string literal");
		if (c != '\\')
			continue;
		j->i++;
		if (j->i >= j->n)
			break;
		if (j->s[j->i] == 'u') {
			int k;
			for (k = 0; k < 4; k++) {
				j->i++;
				if (j->i >= j->n)
					return gj_char(j, "");
				if (!strchr("0123456789abcdefABCDEF", j->s[j->i]) || !j->s[j->i])
					return gj_char(j, "in \\u hexadecimal character escape");
			}
		} else if (!j->s[j->i] || !strchr("\"\\/bfnrt", j->s[j->i])) {
			return gj_char(j, "in string escape code");
		}
	}
	return gj_char(j, "");
}

static int gj_number(struct gojson *j)
{
	size_t start = j->i;

	if (j->s[j->i] == '-') {
		j->i++;
		if (j->i >= j->n)
			return gj_char(j, "");
		if (!gj_digit(j))
			return gj_char(j, "in numeric literal");
	}
	if (j->s[j->i] == '0')
		j->i++;
	else
		while (gj_digit(j))
			j->i++;
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		if (j->i >= j->n)
			return gj_char(j, "");
		if (!gj_digit(j))
			return gj_char(j, "after decimal point in numeric literal");
		while (gj_digit(j))
			j->i++;
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (j->i >= j->n)
			return gj_char(j, "");
		if (!gj_digit(j))
			return gj_char(j, "in exponent of numeric literal");
		while (gj_digit(j))
			j->i++;
	}
	{
		/* Go decodes a number into a float64; one beyond it is an error */
		char num[400];
		size_t len = j->i - start;
		if (len < sizeof(num)) {
			memcpy(num, j->s + start, len);
			num[len] = '\0';
			if (isinf(strtod(num, NULL))) {
				snprintf(j->msg, sizeof(j->msg), "json: cannot unmarshal number %s into Go value of type float64",
					 num);
				return -1;
			}
		}
	}
	return 0;
}

static int gj_value(struct gojson *j)
{
	const char *lit = NULL;
	size_t k;

	gj_space(j);
	if (j->i >= j->n)
		return gj_char(j, "");
	switch (j->s[j->i]) {
	case '{':
	case '[': {
		int obj = j->s[j->i] == '{';
		/* cJSON nests 1000 deep (Go 10000) */
		if (++j->depth > 1000) {
			snprintf(j->msg, sizeof(j->msg), "exceeded max depth");
			return -1;
		}
		j->i++;
		gj_space(j);
		if (j->i < j->n && j->s[j->i] == (obj ? '}' : ']')) {
			j->i++;
			j->depth--;
			return 0;
		}
		for (;;) {
			if (obj) {
				gj_space(j);
				if (j->i >= j->n || j->s[j->i] != '"')
					return gj_char(j, "looking for beginning of object key string");
				if (gj_string(j) < 0)
					return -1;
				gj_space(j);
				if (j->i >= j->n || j->s[j->i] != ':')
					return gj_char(j, "after object key");
				j->i++;
			}
			if (gj_value(j) < 0)
				return -1;
			gj_space(j);
			if (j->i < j->n && j->s[j->i] == ',') {
				j->i++;
				continue;
			}
			if (j->i < j->n && j->s[j->i] == (obj ? '}' : ']')) {
				j->i++;
				j->depth--;
				return 0;
			}
			return gj_char(j, obj ? "after object key:value pair" : "after array element");
		}
	}
	case '"':
		return gj_string(j);
	case 't': lit = "true"; break;
	case 'f': lit = "false"; break;
	case 'n': lit = "null"; break;
	default:
		if (j->s[j->i] == '-' || gj_digit(j))
			return gj_number(j);
		return gj_char(j, "looking for beginning of value");
	}
	for (k = 1; lit[k]; k++) {
		j->i++;
		if (j->i >= j->n)
			return gj_char(j, "");
		if (j->s[j->i] != lit[k]) {
			char ctx[48];
			snprintf(ctx, sizeof(ctx), "in literal %s (expecting '%c')", lit, lit[k]);
			return gj_char(j, ctx);
		}
	}
	j->i++;
	return 0;
}

/* s with each byte that starts no UTF-8 sequence as U+FFFD (malloc'ed), or NULL when s is fine or out of memory. */
static char *utf8_fixed(const char *s, int *oom)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t n = strlen(s), i, w;

	*oom = 0;
	for (i = 0; i < n && utf8_len((const unsigned char *)s + i, n - i); i += utf8_len((const unsigned char *)s + i, n - i))
		;
	if (i == n)
		return NULL;
	for (i = 0; i < n; i += w ? w : 1) {
		w = utf8_len((const unsigned char *)s + i, n - i);
		if (gitops_buf_add(&b, w ? s + i : "\xef\xbf\xbd", w ? w : 3) < 0) {
			gitops_buf_release(&b);
			*oom = 1;
			return NULL;
		}
	}
	return gitops_buf_detach(&b);
}

/* The JSON value as Go's decoder leaves it: invalid UTF-8 as U+FFFD, the last of duplicate keys. */
static int go_json_fix(cJSON *v)
{
	cJSON *c, *next, *d;
	char *f;
	int oom = 0;

	if (v->string && (f = utf8_fixed(v->string, &oom))) {
		if (!(v->type & cJSON_StringIsConst))
			cJSON_free(v->string);
		v->string = f;
		v->type &= ~cJSON_StringIsConst;
	} else if (oom) {
		return -1;
	}
	oom = 0;
	if (cJSON_IsString(v) && v->valuestring && (f = utf8_fixed(v->valuestring, &oom))) {
		cJSON_free(v->valuestring);
		v->valuestring = f;
	} else if (oom) {
		return -1;
	}
	for (c = v->child; c; c = next) {
		next = c->next;
		if (go_json_fix(c) < 0)
			return -1;
	}
	if (cJSON_IsObject(v)) {
		for (c = v->child; c; c = next) {
			next = c->next;
			for (d = next; d && strcmp(d->string, c->string); d = d->next)
				;
			if (d)
				cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
		}
	}
	return 0;
}

/*
 * The value after '=': *out the new node, or NULL for "" at the end
 * (*eof set).  H_OK or H_ERR.
 */
static int h_value(struct helm *h, cJSON **out, int *eof)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char last;
	int r = H_OK;

	*out = NULL;
	*eof = 0;
	if (h->mode == GITOPS_PATH_HELM_SET_LITERAL) {
		/* the rest, whatever it holds */
		if (until(h, "", &b, &last) == H_ERR)
			return H_ERR;
		*out = cJSON_CreateString(b.data);
		gitops_buf_release(&b);
		return *out ? H_OK : helm_oom(h);
	}
	if (h->mode == GITOPS_PATH_HELM_SET_JSON) {
		const char *end = NULL;
		struct gojson j;
		if (empty_val(h)) {
			*out = cJSON_CreateNull();
			return *out ? H_OK : helm_oom(h);
		}
		memset(&j, 0, sizeof(j));
		j.s = (const unsigned char *)h->s + h->pos;
		j.n = h->len - h->pos;
		if (gj_value(&j) < 0)
			return helm_err(h, "%s", j.msg);
		*out = cJSON_ParseWithLengthOpts(h->s + h->pos, j.i, &end, 0);
		if (!*out)
			/* what Go reads and cJSON does not: a lone surrogate in a \u escape */
			return helm_err(h, "unsupported JSON value at column %zu", h->pos + 1);
		if (go_json_fix(*out) < 0) {
			cJSON_Delete(*out);
			*out = NULL;
			return helm_oom(h);
		}
		h->pos += j.i;
		empty_val(h);
		return H_OK;
	}
	if (h->pos == h->len) {
		*eof = 1;
		*out = cJSON_CreateString("");
		return *out ? H_OK : helm_oom(h);
	}
	if (h->s[h->pos] == '{') {
		/* valList(): {a,b,c} */
		cJSON *list = cJSON_CreateArray();
		h->pos++;
		if (!list)
			return helm_oom(h);
		for (;;) {
			cJSON *v;
			r = until(h, ",}", &b, &last);
			if (r == H_ERR)
				break;
			if (r == H_EOF) {
				r = helm_err(h, "list must terminate with '}'");
				break;
			}
			v = typed(h, b.data, b.len);
			if (!v || !cJSON_AddItemToArray(list, v)) {
				cJSON_Delete(v);
				r = helm_oom(h);
				break;
			}
			if (last == '}') {
				if (h->pos < h->len && h->s[h->pos] == ',')
					h->pos++;
				break;
			}
		}
		if (r == H_ERR) {
			cJSON_Delete(list);
		} else {
			*out = list;
			r = H_OK;
		}
		gitops_buf_release(&b);
		return r;
	}
	/* val(): up to ',' */
	r = until(h, ",", &b, &last);
	if (r != H_ERR) {
		r = H_OK;
		if (!(*out = typed(h, b.data, b.len)))
			r = helm_oom(h);
	}
	gitops_buf_release(&b);
	return r;
}

static int h_key(struct helm *h, cJSON *data, int level);

/* listItem(): what follows `[i]`, into list. */
static int h_list_item(struct helm *h, cJSON *list, int64_t i, int level)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char last;
	int r;

	if (i < 0)
		return helm_err(h, "negative %lld index not allowed", (long long)i);
	if (++h->depth > GITOPS_PATH_MAX_STEPS)
		return helm_err(h, "more than %d nested keys and indexes", GITOPS_PATH_MAX_STEPS);
	r = until(h, "[.=", &b, &last);
	if (r == H_ERR)
		goto done;
	if (b.len) {
		r = helm_err_q(h, "unexpected data at end of array index: %s", b.data, b.len, 1);
		goto done;
	}
	if (r == H_EOF)
		goto done;
	if (last == '=') {
		cJSON *v;
		int eof;
		if ((r = h_value(h, &v, &eof)) == H_OK)
			r = h_set_index(h, list, i, v);
	} else if (last == '[') {
		int64_t next;
		cJSON *crt = NULL, *fresh = NULL;
		if ((r = key_index(h, &next)) != H_OK)
			goto done;
		if (cJSON_GetArraySize(list) > i) {
			cJSON *existed = cJSON_GetArrayItem(list, (int)i);
			if (!cJSON_IsNull(existed)) {
				if (!cJSON_IsArray(existed)) {
					r = not_a(h, existed, "[]interface {}");
					goto done;
				}
				crt = existed;
			}
		}
		if (!crt && !(crt = fresh = cJSON_CreateArray())) {
			r = helm_oom(h);
			goto done;
		}
		r = h_list_item(h, crt, next, level);
		if (r != H_OK) {
			cJSON_Delete(fresh);
			goto done;
		}
		r = h_set_index(h, list, i, crt);
	} else {
		/* '.': a mapping in the item (a non-mapping there is replaced) */
		cJSON *inner = NULL, *fresh = NULL;
		if (cJSON_GetArraySize(list) > i) {
			cJSON *item = cJSON_GetArrayItem(list, (int)i);
			if (cJSON_IsObject(item)) {
				inner = item;
			} else {
				if (!(inner = cJSON_CreateObject())) {
					r = helm_oom(h);
					goto done;
				}
				cJSON_ReplaceItemViaPointer(list, item, inner);
			}
		} else if (!(inner = fresh = cJSON_CreateObject())) {
			r = helm_oom(h);
			goto done;
		}
		r = h_key(h, inner, level);
		if (r != H_OK) {
			cJSON_Delete(fresh);
			goto done;
		}
		r = h_set_index(h, list, i, inner);
	}
done:
	h->depth--;
	gitops_buf_release(&b);
	return r;
}

/* key(): one `key...=value` into data.  H_OK, H_EOF (the end) or H_ERR. */
static int h_key(struct helm *h, cJSON *data, int level)
{
	struct gitops_buf k = GITOPS_BUF_INIT;
	char last;
	int r;

	if (++h->depth > GITOPS_PATH_MAX_STEPS) {
		h->depth--;
		return helm_err(h, "more than %d nested keys and indexes", GITOPS_PATH_MAX_STEPS);
	}
	r = until(h, h->mode == GITOPS_PATH_HELM_SET_LITERAL ? "=[." : "=[,.", &k, &last);
	if (r == H_ERR)
		goto done;
	if (r == H_EOF) {
		if (k.len)
			r = helm_err_q(h, "key %s has no value", k.data, k.len, 0);
		goto done;
	}
	switch (last) {
	case '[': {
		int64_t i;
		cJSON *list, *fresh = NULL;
		if ((r = key_index(h, &i)) != H_OK)
			goto done;
		list = cJSON_GetObjectItemCaseSensitive(data, k.data);
		if (list && !cJSON_IsArray(list)) {
			r = not_a(h, list, "[]interface {}");
			goto done;
		}
		if (!list && !(list = fresh = cJSON_CreateArray())) {
			r = helm_oom(h);
			goto done;
		}
		r = h_list_item(h, list, i, level);
		if (r != H_ERR && fresh) {
			if (h_set(h, data, k.data, fresh) < 0)
				r = H_ERR;
			fresh = NULL;
		}
		cJSON_Delete(fresh);
		break;
	}
	case '=': {
		cJSON *v;
		int eof;
		if ((r = h_value(h, &v, &eof)) == H_OK && (r = h_set(h, data, k.data, v)) == H_OK && eof)
			r = H_EOF;
		break;
	}
	case ',':
		if ((r = h_set(h, data, k.data, cJSON_CreateString(""))) == H_OK)
			r = helm_err_q(h, "key %s has no value (cannot end with ,)", k.data, k.len, 0);
		break;
	default: {
		/* '.' */
		cJSON *inner, *fresh = NULL;
		if (++level > HELM_MAX_NESTED) {
			r = helm_err(h, "value name nested level is greater than maximum supported nested level of %d",
				     HELM_MAX_NESTED);
			goto done;
		}
		inner = cJSON_GetObjectItemCaseSensitive(data, k.data);
		if (inner && !cJSON_IsObject(inner)) {
			r = not_a(h, inner, "map[string]interface {}");
			goto done;
		}
		if (!inner && !(inner = fresh = cJSON_CreateObject())) {
			r = helm_oom(h);
			goto done;
		}
		r = h_key(h, inner, level);
		if (r == H_OK && !inner->child) {
			r = helm_err_q(h, "key map %s has no value", k.data, k.len, 0);
		} else if (inner->child && fresh) {
			if (h_set(h, data, k.data, fresh) < 0)
				r = H_ERR;
			fresh = NULL;
		}
		cJSON_Delete(fresh);
		break;
	}
	}
done:
	h->depth--;
	gitops_buf_release(&k);
	return r;
}

int gitops_path_helm_set(cJSON *values, const char *arg, enum gitops_path_helm_mode mode, struct gitops_err *err)
{
	struct helm h;
	int r;

	if (!cJSON_IsObject(values))
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "helm values are not a mapping");
	memset(&h, 0, sizeof(h));
	h.s = arg;
	h.len = strlen(arg);
	h.mode = mode;
	h.err = err;
	while ((r = h_key(&h, values, 0)) == H_OK)
		;
	return r == H_EOF ? 0 : -1;
}
