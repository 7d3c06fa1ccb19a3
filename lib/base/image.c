#include "lib/base/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int gitops_image_valid_tag(const char *tag, size_t len)
{
	size_t i;

	if (len == 0 || len > 128)
		return 0;
	for (i = 0; i < len; i++) {
		char c = tag[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
			 (i > 0 && (c == '.' || c == '-'));
		if (!ok)
			return 0;
	}
	return 1;
}

int gitops_image_valid_digest(const char *d, size_t len)
{
	const char *colon = memchr(d, ':', len);
	size_t i, alen, hlen;

	if (!colon)
		return 0;
	alen = (size_t)(colon - d);
	hlen = len - alen - 1;
	if (alen == 0 || !(d[0] >= 'a' && d[0] <= 'z'))
		return 0;
	for (i = 0; i < alen; i++)
		if (!is_lower_alnum(d[i]) && !(i > 0 && strchr("+.-_", d[i]) && d[i]))
			return 0;
	for (i = alen + 1; i < len; i++)
		if (!is_hex(d[i]))
			return 0;
	if (alen == 6 && !memcmp(d, "sha256", 6))
		return hlen == 64;
	if (alen == 6 && !memcmp(d, "sha512", 6))
		return hlen == 128;
	return hlen >= 32;
}

/* A registry host: the first component has '.' or ':', or is "localhost". */
static int is_host(const char *s, size_t len)
{
	return memchr(s, '.', len) || memchr(s, ':', len) || (len == 9 && !memcmp(s, "localhost", 9));
}

static int valid_host(const char *s, size_t len)
{
	size_t i;
	const char *colon = memchr(s, ':', len);
	size_t hl = colon ? (size_t)(colon - s) : len;

	if (hl == 0)
		return 0;
	for (i = 0; i < hl; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return 0;
	}
	if (colon) {
		if (colon + 1 == s + len)
			return 0;
		for (i = hl + 1; i < len; i++)
			if (!(s[i] >= '0' && s[i] <= '9'))
				return 0;
	}
	return 1;
}

/* Path components: [a-z0-9]+ joined by '.', '_', '__' or '-'+, separated by '/'. */
static int valid_path(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return 0;
	while (i < len) {
		size_t start = i;
		if (!is_lower_alnum(s[i]))
			return 0;
		while (i < len && s[i] != '/') {
			if (is_lower_alnum(s[i])) {
				i++;
				continue;
			}
			if (s[i] == '.' || s[i] == '_' || s[i] == '-') {
				size_t j = i;
				while (j < len && s[j] == '-')
					j++;
				if (j == i) {
					j = i + 1;
					if (s[i] == '_' && j < len && s[j] == '_')
						j++;
				}
				if (j >= len || !is_lower_alnum(s[j]))
					return 0;
				i = j;
				continue;
			}
			return 0;
		}
		if (i == start)
			return 0;
		if (i < len)
			i++;    /* '/' */
		if (i == len && s[len - 1] == '/')
			return 0;
	}
	return 1;
}

static int valid_name(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);

	if (len == 0 || len > 255)
		return 0;
	if (slash && is_host(s, (size_t)(slash - s)))
		return valid_host(s, (size_t)(slash - s)) && valid_path(slash + 1, len - (size_t)(slash - s) - 1);
	return valid_path(s, len);
}

void gitops_image_release(struct gitops_image_ref *r)
{
	free(r->name);
	free(r->tag);
	free(r->digest);
	r->name = r->tag = r->digest = NULL;
}

/* Split s into name, tag and digest parts; name_required: the name may not be empty. */
static int split(struct gitops_image_ref *out, const char *s, int whole, struct gitops_err *err)
{
	const char *at = strchr(s, '@');
	size_t rest = at ? (size_t)(at - s) : strlen(s);
	const char *slash, *colon = NULL;
	size_t nlen = rest;
	struct gitops_image_ref r = GITOPS_IMAGE_REF_INIT;

	if (at && !gitops_image_valid_digest(at + 1, strlen(at + 1)))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "invalid image reference '%s': bad digest '%s'", s, at + 1);
	if (whole) {
		/* the tag follows the last ':' after the last '/' */
		slash = NULL;
		for (const char *p = s; p < s + rest; p++)
			if (*p == '/')
				slash = p;
		colon = memchr(slash ? slash : s, ':', rest - (size_t)((slash ? slash : s) - s));
		if (colon)
			nlen = (size_t)(colon - s);
		if (!valid_name(s, nlen))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "invalid image reference '%s': bad name '%.*s'", s,
					      (int)nlen, s);
		if (colon && !gitops_image_valid_tag(colon + 1, rest - nlen - 1))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "invalid image reference '%s': bad tag '%.*s'", s,
					      (int)(rest - nlen - 1), colon + 1);
		if (!(r.name = strndup(s, nlen)))
			goto oom;
		if (colon && !(r.tag = strndup(colon + 1, rest - nlen - 1)))
			goto oom;
	} else if (rest) {
		if (!gitops_image_valid_tag(s, rest))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "invalid image tag '%.*s'", (int)rest, s);
		if (!(r.tag = strndup(s, rest)))
			goto oom;
	}
	if (at && !(r.digest = strdup(at + 1)))
		goto oom;
	*out = r;
	return 0;
oom:
	gitops_image_release(&r);
	return gitops_err_oom(err);
}

int gitops_image_parse(struct gitops_image_ref *out, const char *s, struct gitops_err *err)
{
	return split(out, s, 1, err);
}

int gitops_image_parse_ref(struct gitops_image_ref *out, const char *s, struct gitops_err *err)
{
	size_t rest = strcspn(s, "@");

	if (!*s)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "empty image reference");
	if (memchr(s, '/', rest) || memchr(s, ':', rest))
		return split(out, s, 1, err);
	if (rest == 0 && !s[rest])
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "empty image reference");
	return split(out, s, 0, err);
}

char *gitops_image_format(const struct gitops_image_ref *r)
{
	size_t n = (r->name ? strlen(r->name) : 0) + (r->tag ? strlen(r->tag) + 1 : 0) +
		   (r->digest ? strlen(r->digest) + 1 : 0) + 1;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s%s%s%s%s", r->name ? r->name : "", r->tag ? ":" : "", r->tag ? r->tag : "",
			 r->digest ? "@" : "", r->digest ? r->digest : "");
	return p;
}

int gitops_image_normalize(const char *name, size_t len, char *buf, size_t size)
{
	const char *slash = memchr(name, '/', len);
	const char *host = "docker.io", *path = name;
	size_t hlen = 9, plen = len;
	int n;

	if (slash && is_host(name, (size_t)(slash - name))) {
		host = name, hlen = (size_t)(slash - name);
		path = slash + 1, plen = len - hlen - 1;
		if ((hlen == 15 && !memcmp(host, "index.docker.io", 15)) ||
		    (hlen == 20 && !memcmp(host, "registry-1.docker.io", 20)))
			host = "docker.io", hlen = 9;
	}
	if (hlen == 9 && !memcmp(host, "docker.io", 9) && !memchr(path, '/', plen))
		n = snprintf(buf, size, "docker.io/library/%.*s", (int)plen, path);
	else
		n = snprintf(buf, size, "%.*s/%.*s", (int)hlen, host, (int)plen, path);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int gitops_image_same_name(const char *a, size_t alen, const char *b, size_t blen)
{
	char na[600], nb[600];

	if (alen == blen && !memcmp(a, b, alen))
		return 1;
	if (gitops_image_normalize(a, alen, na, sizeof(na)) < 0 || gitops_image_normalize(b, blen, nb, sizeof(nb)) < 0)
		return 0;
	return !strcmp(na, nb);
}

int gitops_image_registry(const char *name, char *host, size_t hsize, char *repo, size_t rsize)
{
	char norm[600];
	const char *slash;
	int n;

	if (gitops_image_normalize(name, strlen(name), norm, sizeof(norm)) < 0)
		return -1;
	slash = strchr(norm, '/');
	if ((size_t)(slash - norm) == 9 && !memcmp(norm, "docker.io", 9))
		n = snprintf(host, hsize, "registry-1.docker.io");
	else
		n = snprintf(host, hsize, "%.*s", (int)(slash - norm), norm);
	if (n < 0 || (size_t)n >= hsize)
		return -1;
	n = snprintf(repo, rsize, "%s", slash + 1);
	return n < 0 || (size_t)n >= rsize ? -1 : 0;
}

const char *gitops_image_basename(const char *name, size_t len, size_t *outlen)
{
	size_t i = len;

	while (i > 0 && name[i - 1] != '/')
		i--;
	*outlen = len - i;
	return name + i;
}
