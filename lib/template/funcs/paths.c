/*
 * paths.c: Sprig's path and URL functions (sprig v3.3 functions.go, url.go):
 * base, dir, clean, ext, isAbs (Go's path), osBase, osDir, osClean, osExt,
 * osIsAbs (path/filepath, which on Linux gives the same answers), urlParse
 * and urlJoin over Go 1.23's net/url (Parse, Hostname, Userinfo.String,
 * URL.String), with its error texts.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/template/funcs/funcs_int.h"

/* path.Clean into b (b's old contents dropped) */
static int path_clean(struct gitops_buf *b, const char *p, size_t n)
{
	size_t r = 0, dotdot = 0, w;
	int rooted;

	b->len = 0;
	if (gitops_buf_add(b, p, n) < 0 || gitops_buf_add(b, "..", 2) < 0)
		return -1;
	b->len = 0;
	if (!n)
		return gitops_buf_add(b, ".", 1);
	rooted = p[0] == '/';
	w = 0;
	if (rooted) {
		b->data[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && b->data[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					b->data[w++] = '/';
				b->data[w++] = '.';
				b->data[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				b->data[w++] = '/';
			for (; r < n && p[r] != '/'; r++)
				b->data[w++] = p[r];
		}
	}
	if (!w)
		b->data[w++] = '.';
	b->len = w;
	b->data[w] = 0;
	return 0;
}

FN(f_base)
{
	size_t len;
	const char *s = fn_str(args[0], &len), *slash;

	(void)call, (void)n;
	if (!len)
		return fn_ret_str(out, ".", 1, err);
	while (len > 0 && s[len - 1] == '/')
		len--;
	slash = len ? memrchr(s, '/', len) : NULL;
	if (slash) {
		len -= (size_t)(slash + 1 - s);
		s = slash + 1;
	}
	if (!len)
		return fn_ret_str(out, "/", 1, err);
	return fn_ret_str(out, s, len, err);
}

FN(f_dir)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len;
	const char *s = fn_str(args[0], &len), *slash = len ? memrchr(s, '/', len) : NULL;

	(void)call, (void)n;
	if (path_clean(&b, s, slash ? (size_t)(slash + 1 - s) : 0) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

FN(f_clean)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len;
	const char *s = fn_str(args[0], &len);

	(void)call, (void)n;
	if (path_clean(&b, s, len) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

FN(f_ext)
{
	size_t len, i;
	const char *s = fn_str(args[0], &len);

	(void)call, (void)n;
	for (i = len; i > 0 && s[i - 1] != '/'; i--)
		if (s[i - 1] == '.')
			return fn_ret_str(out, s + i - 1, len - i + 1, err);
	return fn_ret_str(out, "", 0, err);
}

FN(f_is_abs)
{
	size_t len;
	const char *s = fn_str(args[0], &len);

	(void)call, (void)n;
	*out = gitops_tmpl_value_bool(len > 0 && s[0] == '/');
	return *out ? 0 : gitops_err_oom(err);
}

/* --- net/url --- */

enum enc { E_PATH, E_HOST, E_ZONE, E_USER, E_FRAG };

static int ishex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int unhex(char c)
{
	return c <= '9' ? c - '0' : c <= 'F' ? c - 'A' + 10 : c - 'a' + 10;
}

/* url's shouldEscape */
static int should_escape(unsigned char c, enum enc mode)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 0;
	if ((mode == E_HOST || mode == E_ZONE) && c && strchr("!$&'()*+,;=:[]<>\"", c))
		return 0;
	if (c == '-' || c == '_' || c == '.' || c == '~')
		return 0;
	if (c && strchr("$&+,/:;=?@", c)) {
		switch (mode) {
		case E_PATH:
			return c == '?';
		case E_USER:
			return c == '@' || c == '/' || c == '?' || c == ':';
		case E_FRAG:
			return 0;
		default:
			break;
		}
	}
	if (mode == E_FRAG && c && strchr("!()*", c))
		return 0;
	return 1;
}

/* url's unescape of s into b (appended); -1 with Go's message in msg */
static int unescape(struct gitops_buf *b, const char *s, size_t n, enum enc mode, struct gitops_buf *msg)
{
	size_t i;

	for (i = 0; i < n;) {
		if (s[i] == '%') {
			if (i + 2 >= n || !ishex(s[i + 1]) || !ishex(s[i + 2])) {
				size_t k = n - i > 3 ? 3 : n - i;
				gitops_buf_add(msg, "invalid URL escape ", 19);
				tmpl_fmt_quote(msg, s + i, k, 0);
				return -1;
			}
			if (mode == E_HOST && unhex(s[i + 1]) < 8 && memcmp(s + i, "%25", 3)) {
				gitops_buf_add(msg, "invalid URL escape ", 19);
				tmpl_fmt_quote(msg, s + i, 3, 0);
				return -1;
			}
			if (mode == E_ZONE) {
				unsigned char v = (unsigned char)(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
				if (memcmp(s + i, "%25", 3) && v != ' ' && should_escape(v, E_HOST)) {
					gitops_buf_add(msg, "invalid URL escape ", 19);
					tmpl_fmt_quote(msg, s + i, 3, 0);
					return -1;
				}
			}
			i += 3;
		} else {
			if ((mode == E_HOST || mode == E_ZONE) && (unsigned char)s[i] < 0x80 &&
			    should_escape((unsigned char)s[i], mode)) {
				gitops_buf_add(msg, "invalid character ", 18);
				tmpl_fmt_quote(msg, s + i, 1, 0);
				gitops_buf_add(msg, " in host name", 13);
				return -1;
			}
			i++;
		}
	}
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			c = (char)(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
			i += 2;
		}
		if (gitops_buf_add(b, &c, 1) < 0)
			return -2;
	}
	return 0;
}

static int escape(struct gitops_buf *b, const char *s, size_t n, enum enc mode)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };
		if (should_escape(c, mode) ? gitops_buf_add(b, e, 3) < 0 : gitops_buf_add(b, (char *)&c, 1) < 0)
			return -1;
	}
	return 0;
}

static int valid_optional_port(const char *p, size_t n)
{
	size_t i;

	if (!n)
		return 1;
	if (p[0] != ':')
		return 0;
	for (i = 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

static const char *last_index(const char *s, size_t n, char c)
{
	return n ? memrchr(s, c, n) : NULL;
}

struct url {
	struct gitops_buf scheme, opaque, user, pass, host, path, query, frag;
	int has_user, has_pass;
};

static void url_release(struct url *u)
{
	gitops_buf_release(&u->scheme);
	gitops_buf_release(&u->opaque);
	gitops_buf_release(&u->user);
	gitops_buf_release(&u->pass);
	gitops_buf_release(&u->host);
	gitops_buf_release(&u->path);
	gitops_buf_release(&u->query);
	gitops_buf_release(&u->frag);
}

static int parse_host(struct gitops_buf *host, const char *h, size_t n, struct gitops_buf *msg)
{
	const char *p;

	if (n && h[0] == '[') {
		const char *zone;
		size_t i;
		p = last_index(h, n, ']');
		if (!p) {
			gitops_buf_add(msg, "missing ']' in host", 19);
			return -1;
		}
		i = (size_t)(p - h);
		if (!valid_optional_port(h + i + 1, n - i - 1))
			goto bad_port;
		zone = memmem(h, i, "%25", 3);
		if (zone) {
			size_t z = (size_t)(zone - h);
			int r;
			if ((r = unescape(host, h, z, E_HOST, msg)) < 0 || (r = unescape(host, h + z, i - z, E_ZONE, msg)) < 0 ||
			    (r = unescape(host, h + i, n - i, E_HOST, msg)) < 0)
				return r;
			return 0;
		}
	} else if ((p = last_index(h, n, ':'))) {
		if (!valid_optional_port(p, n - (size_t)(p - h)))
			goto bad_port;
	}
	return unescape(host, h, n, E_HOST, msg);
bad_port:
	p = h[0] == '[' ? last_index(h, n, ']') + 1 : last_index(h, n, ':');
	gitops_buf_add(msg, "invalid port ", 13);
	tmpl_fmt_quote(msg, p, n - (size_t)(p - h), 0);
	gitops_buf_add(msg, " after host", 11);
	return -1;
}

static int valid_userinfo(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			continue;
		if (!c || !strchr("-._:~!$&'()*+,;=%@", c))
			return 0;
	}
	return 1;
}

static int parse_authority(struct url *u, const char *a, size_t n, struct gitops_buf *msg)
{
	const char *at = last_index(a, n, '@'), *colon;
	int r;

	if ((r = parse_host(&u->host, at ? at + 1 : a, at ? n - (size_t)(at + 1 - a) : n, msg)) < 0)
		return r;
	if (!at)
		return 0;
	n = (size_t)(at - a);
	if (!valid_userinfo(a, n)) {
		gitops_buf_add(msg, "net/url: invalid userinfo", 25);
		u->host.len = 0;
		return -1;
	}
	u->has_user = 1;
	colon = n ? memchr(a, ':', n) : NULL;
	if (!colon)
		return unescape(&u->user, a, n, E_USER, msg);
	u->has_pass = 1;
	if ((r = unescape(&u->user, a, (size_t)(colon - a), E_USER, msg)) < 0)
		return r;
	return unescape(&u->pass, colon + 1, n - (size_t)(colon + 1 - a), E_USER, msg);
}

/* url's parse(rawURL, false); -1 with the message in msg, -2 out of memory */
static int parse_url(struct url *u, const char *s, size_t n, struct gitops_buf *msg)
{
	const char *rest = s, *q, *slash;
	size_t i, rn = n;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7F) {
			gitops_buf_add(msg, "net/url: invalid control character in URL", 41);
			return -1;
		}
	if (n == 1 && s[0] == '*')
		return gitops_buf_add(&u->path, "*", 1) < 0 ? -2 : 0;
	/* getScheme */
	for (i = 0; i < n; i++) {
		char c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
			if (i == 0)
				break;
			continue;
		}
		if (c == ':') {
			size_t k;
			if (i == 0) {
				gitops_buf_add(msg, "missing protocol scheme", 23);
				return -1;
			}
			for (k = 0; k < i; k++) {
				char l = s[k] >= 'A' && s[k] <= 'Z' ? (char)(s[k] + 32) : s[k];
				if (gitops_buf_add(&u->scheme, &l, 1) < 0)
					return -2;
			}
			rest = s + i + 1;
			rn = n - i - 1;
		}
		break;
	}
	q = rn ? memchr(rest, '?', rn) : NULL;
	if (q && q == rest + rn - 1) {
		/* ForceQuery: a lone '?' at the end, no query */
		rn--;
		q = NULL;
	} else if (q) {
		if (gitops_buf_add(&u->query, q + 1, rn - (size_t)(q + 1 - rest)) < 0)
			return -2;
		rn = (size_t)(q - rest);
	}
	if (!(rn && rest[0] == '/')) {
		if (u->scheme.len) {
			return gitops_buf_add(&u->opaque, rest, rn) < 0 ? -2 : 0;
		}
		slash = rn ? memchr(rest, '/', rn) : NULL;
		if (memchr(rest, ':', slash ? (size_t)(slash - rest) : rn)) {
			gitops_buf_add(msg, "first path segment in URL cannot contain colon", 46);
			return -1;
		}
	}
	if ((u->scheme.len || !(rn >= 3 && !memcmp(rest, "///", 3))) && rn >= 2 && !memcmp(rest, "//", 2)) {
		const char *a = rest + 2;
		size_t an = rn - 2;
		int r;
		slash = an ? memchr(a, '/', an) : NULL;
		if (slash) {
			rn = an - (size_t)(slash - a);
			an = (size_t)(slash - a);
			rest = slash;
		} else {
			rn = 0;
		}
		if ((r = parse_authority(u, a, an, msg)) < 0)
			return r;
	}
	return unescape(&u->path, rest, rn, E_PATH, msg);
}

/* url.Parse's error: parse "URL": MESSAGE, as urlParse panics with it */
FN(f_url_parse)
{
	struct url u;
	struct gitops_buf msg = GITOPS_BUF_INIT, hn = GITOPS_BUF_INIT;
	struct gitops_tmpl_value *d = NULL, *v;
	size_t len, un;
	const char *s = fn_str(args[0], &len), *hash = len ? memchr(s, '#', len) : NULL, *h;
	int r;

	(void)call, (void)n;
	memset(&u, 0, sizeof(u));
	un = hash ? (size_t)(hash - s) : len;
	r = parse_url(&u, s, un, &msg);
	if (r == -1)
		goto fail;
	if (r == 0 && hash && hash + 1 < s + len) {
		un = len;
		r = unescape(&u.frag, hash + 1, len - (size_t)(hash + 1 - s), E_FRAG, &msg);
		if (r == -1)
			goto fail;
	}
	if (r < 0)
		goto oom;
	if (!(d = gitops_tmpl_value_map(NULL)))
		goto oom;
#define SETB(k, b) \
	if (!(v = gitops_tmpl_value_string((b).data ? (b).data : "", (b).len)) || gitops_tmpl_map_set(d, k, strlen(k), v) < 0) \
		goto oom;
	SETB("scheme", u.scheme)
	SETB("host", u.host)
	/* Hostname(): the host without a valid port, and without [ ] */
	h = u.host.data ? u.host.data : "";
	{
		size_t hl = u.host.len;
		const char *c = last_index(h, hl, ':');
		if (c && valid_optional_port(c, hl - (size_t)(c - h)))
			hl = (size_t)(c - h);
		if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
			h++;
			hl -= 2;
		}
		if (gitops_buf_add(&hn, h, hl) < 0)
			goto oom;
	}
	SETB("hostname", hn)
	SETB("path", u.path)
	SETB("query", u.query)
	SETB("opaque", u.opaque)
	SETB("fragment", u.frag)
	hn.len = 0;
	if (u.has_user) {
		if (escape(&hn, u.user.data ? u.user.data : "", u.user.len, E_USER) < 0)
			goto oom;
		if (u.has_pass && (gitops_buf_add(&hn, ":", 1) < 0 ||
				   escape(&hn, u.pass.data ? u.pass.data : "", u.pass.len, E_USER) < 0))
			goto oom;
	}
	SETB("userinfo", hn)
#undef SETB
	url_release(&u);
	gitops_buf_release(&msg);
	gitops_buf_release(&hn);
	*out = d;
	return 0;
fail:
	if (gitops_buf_add(&msg, "", 0) < 0)
		goto oom;
	{
		struct gitops_buf q = GITOPS_BUF_INIT;
		if (tmpl_fmt_quote(&q, s, un, 0) < 0 || gitops_buf_add(&q, "", 0) < 0) {
			gitops_buf_release(&q);
			goto oom;
		}
		fn_fail(err, "unable to parse url: parse %s: %s", q.data, msg.data);
		gitops_buf_release(&q);
	}
	url_release(&u);
	gitops_buf_release(&msg);
	gitops_buf_release(&hn);
	return -1;
oom:
	gitops_tmpl_value_unref(d);
	url_release(&u);
	gitops_buf_release(&msg);
	gitops_buf_release(&hn);
	return gitops_err_oom(err);
}

/* sprig's dictGetOrEmpty: a missing key is "", a value not a string a panic */
static int dict_get(const char **s, size_t *len, struct gitops_tmpl_value *d, const char *key, struct gitops_err *err)
{
	struct gitops_tmpl_value *v = gitops_tmpl_map_get(d, key, strlen(key));

	*s = "";
	*len = 0;
	if (!v)
		return 0;
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL)
		return fn_fail(err, "runtime error: invalid memory address or nil pointer dereference");
	if (gitops_tmpl_value_kind(v) != GITOPS_TMPL_STRING)
		return fn_fail(err, "unable to parse %s key, must be of type string, but %s found", key, fn_kind_name(v));
	*s = gitops_tmpl_value_str(v, len);
	return 0;
}

FN(f_url_join)
{
	const char *scheme, *host, *path, *query, *opaque, *frag, *ui;
	size_t sl, hl, pl, ql, ol, fl, ul;
	struct url u;
	struct gitops_buf b = GITOPS_BUF_INIT, msg = GITOPS_BUF_INIT, tmp = GITOPS_BUF_INIT;
	struct gitops_tmpl_value *d = args[0];

	(void)call, (void)n;
	memset(&u, 0, sizeof(u));
	if (dict_get(&scheme, &sl, d, "scheme", err) < 0 || dict_get(&host, &hl, d, "host", err) < 0 ||
	    dict_get(&path, &pl, d, "path", err) < 0 || dict_get(&query, &ql, d, "query", err) < 0 ||
	    dict_get(&opaque, &ol, d, "opaque", err) < 0 || dict_get(&frag, &fl, d, "fragment", err) < 0 ||
	    dict_get(&ui, &ul, d, "userinfo", err) < 0)
		return -1;
	if (ul) {
		int r;
		if (gitops_buf_add(&tmp, "proto://", 8) < 0 || gitops_buf_add(&tmp, ui, ul) < 0 ||
		    gitops_buf_add(&tmp, "@host", 5) < 0)
			goto oom;
		r = parse_url(&u, tmp.data, tmp.len, &msg);
		if (r == -1) {
			struct gitops_buf q = GITOPS_BUF_INIT;
			if (gitops_buf_add(&msg, "", 0) < 0 || tmpl_fmt_quote(&q, tmp.data, tmp.len, 0) < 0 ||
			    gitops_buf_add(&q, "", 0) < 0) {
				gitops_buf_release(&q);
				goto oom;
			}
			fn_fail(err, "unable to parse userinfo in dict: parse %s: %s", q.data, msg.data);
			gitops_buf_release(&q);
			goto done_fail;
		}
		if (r < 0)
			goto oom;
	}
	if (gitops_buf_add(&b, "", 0) < 0)
		goto oom;
	if (sl && (gitops_buf_add(&b, scheme, sl) < 0 || gitops_buf_add(&b, ":", 1) < 0))
		goto oom;
	if (ol) {
		if (gitops_buf_add(&b, opaque, ol) < 0)
			goto oom;
	} else {
		struct gitops_buf ep = GITOPS_BUF_INIT;
		if (sl || hl || u.has_user) {
			if ((hl || pl || u.has_user) && gitops_buf_add(&b, "//", 2) < 0)
				goto oom;
			if (u.has_user) {
				if (escape(&b, u.user.data ? u.user.data : "", u.user.len, E_USER) < 0)
					goto oom;
				if (u.has_pass && (gitops_buf_add(&b, ":", 1) < 0 ||
						   escape(&b, u.pass.data ? u.pass.data : "", u.pass.len, E_USER) < 0))
					goto oom;
				if (gitops_buf_add(&b, "@", 1) < 0)
					goto oom;
			}
			if (hl && escape(&b, host, hl, E_HOST) < 0)
				goto oom;
		}
		if (pl == 1 && path[0] == '*') {
			if (gitops_buf_add(&ep, "*", 1) < 0)
				goto oom;
		} else if (gitops_buf_add(&ep, "", 0) < 0 || escape(&ep, path, pl, E_PATH) < 0) {
			gitops_buf_release(&ep);
			goto oom;
		}
		if (ep.len && ep.data[0] != '/' && hl && gitops_buf_add(&b, "/", 1) < 0) {
			gitops_buf_release(&ep);
			goto oom;
		}
		if (b.len == 0) {
			const char *sl2 = ep.len ? memchr(ep.data, '/', ep.len) : NULL;
			size_t seg = sl2 ? (size_t)(sl2 - ep.data) : ep.len;
			if (seg && memchr(ep.data, ':', seg) && gitops_buf_add(&b, "./", 2) < 0) {
				gitops_buf_release(&ep);
				goto oom;
			}
		}
		if (ep.len && gitops_buf_add(&b, ep.data, ep.len) < 0) {
			gitops_buf_release(&ep);
			goto oom;
		}
		gitops_buf_release(&ep);
	}
	if (ql && (gitops_buf_add(&b, "?", 1) < 0 || gitops_buf_add(&b, query, ql) < 0))
		goto oom;
	if (fl && (gitops_buf_add(&b, "#", 1) < 0 || escape(&b, frag, fl, E_FRAG) < 0))
		goto oom;
	url_release(&u);
	gitops_buf_release(&msg);
	gitops_buf_release(&tmp);
	return fn_ret_buf(out, &b, err);
oom:
	gitops_err_oom(err);
done_fail:
	url_release(&u);
	gitops_buf_release(&b);
	gitops_buf_release(&msg);
	gitops_buf_release(&tmp);
	return -1;
}

#define S GITOPS_TMPL_P_STRING
const struct gitops_tmpl_func gitops_tmpl_funcs_paths[] = {
	{ "base", f_base, 1, 0, { S }, NULL },
	{ "dir", f_dir, 1, 0, { S }, NULL },
	{ "clean", f_clean, 1, 0, { S }, NULL },
	{ "ext", f_ext, 1, 0, { S }, NULL },
	{ "isAbs", f_is_abs, 1, 0, { S }, NULL },
	{ "osBase", f_base, 1, 0, { S }, NULL },
	{ "osDir", f_dir, 1, 0, { S }, NULL },
	{ "osClean", f_clean, 1, 0, { S }, NULL },
	{ "osExt", f_ext, 1, 0, { S }, NULL },
	{ "osIsAbs", f_is_abs, 1, 0, { S }, NULL },
	{ "urlParse", f_url_parse, 1, 0, { S }, NULL },
	{ "urlJoin", f_url_join, 1, 0, { GITOPS_TMPL_P_MAP }, NULL },
};
const size_t gitops_tmpl_funcs_paths_n = sizeof(gitops_tmpl_funcs_paths) / sizeof(gitops_tmpl_funcs_paths[0]);
