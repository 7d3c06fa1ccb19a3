/*
 * remote_url.c: which entries are remote targets, and what (kz_remote.h).  The grammar is
 * kustomize v5.5's (api/internal/git/repospec.go, in its own words):
 *
 *   REPO//DIR?ref=REF          "//" ends the repository's address
 *   REPO.git/DIR?ref=REF       else the first ".git" path component does
 *   github.com/ORG/REPO/DIR    the host's shorthand: https, ORG/REPO the repository
 *   ?version=REF               what ?ref= says, when there is no ?ref=
 *   ?timeout=27s, ?submodules=true   accepted (see gitops-render(1))
 *
 * REPO: https://, http://, ssh://, git://, file:// or scp-like user@host:path.
 * Unlike kustomize, a port may be named (our tests serve on loopback ports).
 */
#include "lib/kustomize/kz_remote.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/enc.h"
#include "lib/kustomize/spine.h"

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* user@host:path, the scp-like form (no "/" before the ":") */
static int scp_like(const char *e)
{
	const char *at = strchr(e, '@'), *colon = strchr(e, ':'), *slash = strchr(e, '/');

	if (!at || !colon || at > colon || (slash && slash < colon) || at == e || colon == at + 1)
		return 0;
	for (const char *p = e; p < colon; p++)
		if (!(isalnum((unsigned char)*p) || strchr("@._-", *p)))
			return 0;
	return 1;
}

static int shorthand(const char *e)
{
	return has_prefix(e, "github.com/") || has_prefix(e, "gitlab.com/") || has_prefix(e, "bitbucket.org/");
}

void kz_remote_redact(char *out, size_t size, const char *entry)
{
	const char *auth = strstr(entry, "://"), *end, *at = NULL, *colon = NULL, *p;

	snprintf(out, size, "%s", entry);
	if (!auth)
		return;
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at)
		colon = memchr(auth, ':', (size_t)(at - auth));
	if (colon)
		snprintf(out, size, "%.*s***%s", (int)(colon + 1 - entry), entry, at);
}

void kz_remote_spec_release(struct kz_remote_spec *s)
{
	free(s->repo);
	free(s->path);
	free(s->ref);
	free(s->url);
	free(s->shown);
	memset(s, 0, sizeof(*s));
}

/* ?ref= (else ?version=): the first of each, as Go's url.Values.Get */
static int parse_query(struct kz_remote_spec *s, const char *q)
{
	char *version = NULL;
	int rc = 0;

	while (q && *q) {
		size_t n = strcspn(q, "&"), kn = strcspn(q, "=&");
		const char *v = q + kn + (q[kn] == '=' ? 1 : 0);
		size_t vn = q[kn] == '=' ? n - kn - 1 : 0;
		char **slot = NULL;

		if (kn == 3 && !strncmp(q, "ref", 3))
			slot = &s->ref;
		else if (kn == 7 && !strncmp(q, "version", 7))
			slot = &version;
		if (slot && !*slot && !(*slot = gitops_pct_decode(v, vn, 1)))
			rc = -1;
		q += n;
		if (*q == '&')
			q++;
	}
	if (s->ref && !*s->ref) {
		free(s->ref);
		s->ref = NULL;
	}
	if (!s->ref && version && *version) {
		s->ref = version;
		version = NULL;
	}
	free(version);
	return rc;
}

/* DIR cleaned lexically: "a/./b/" is "a/b"; ".." above the top is -2 */
static int clean_path(char **out, const char *p, size_t n)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *end = p + n;

	*out = NULL;
	while (p < end) {
		size_t len;
		while (p < end && *p == '/')
			p++;
		len = 0;
		while (p + len < end && p[len] != '/')
			len++;
		if (!len)
			break;
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;
			if (!b.len) {
				gitops_buf_release(&b);
				return -2;
			}
			slash = strrchr(b.data, '/');
			b.len = slash ? (size_t)(slash - b.data) : 0;
			b.data[b.len] = '\0';
		} else if (!(len == 1 && p[0] == '.')) {
			if ((b.len && gitops_buf_addstr(&b, "/") < 0) || gitops_buf_add(&b, p, len) < 0) {
				gitops_buf_release(&b);
				return -1;
			}
		}
		p += len;
	}
	if (!b.data && gitops_buf_addstr(&b, "") < 0)
		return -1;
	*out = gitops_buf_detach(&b);
	return 0;
}

static int is_file_name(const char *base, size_t n)
{
	static const char *const ext[] = { ".yaml", ".yml", ".json" };
	size_t i;

	for (i = 0; i < 3; i++) {
		size_t e = strlen(ext[i]);
		if (n > e && !strncmp(base + n - e, ext[i], e))
			return 1;
	}
	return 0;
}

/* a ref= or version= parameter in the query q (NULL: none) */
static int has_ref(const char *q)
{
	while (q && *q) {
		q++;
		if (has_prefix(q, "ref=") || has_prefix(q, "version="))
			return 1;
		q = strchr(q, '&');
	}
	return 0;
}

int kz_remote_parse(struct kz_remote_spec *out, const char *entry, int file_ok, struct gitops_err *err)
{
	char shown[GITOPS_ERR_MSG_MAX / 2];
	const char *q = strchr(entry, '?'), *sep = strstr(entry, "://"), *pathstart, *dslash, *g;
	size_t n = q ? (size_t)(q - entry) : strlen(entry), cut = n, dir_at = n;
	int http, rc;

	memset(out, 0, sizeof(*out));
	if (!(sep && (size_t)(sep - entry) < n) && !scp_like(entry) && !shorthand(entry))
		return 0;
	kz_remote_redact(shown, sizeof(shown), entry);
	if (!(out->shown = strdup(shown)))
		goto oom;
	http = has_prefix(entry, "https://") || has_prefix(entry, "http://");
	if (sep && (size_t)(sep - entry) < n) {
		const char *auth = sep + 3;
		pathstart = has_prefix(entry, "file://") ? auth : auth + strcspn(auth, "/?");
	} else if (shorthand(entry)) {
		pathstart = entry + strcspn(entry, "/");
	} else {
		pathstart = strchr(entry, ':') + 1;
	}
	if (pathstart > entry + n)
		pathstart = entry + n;
	/* "//" ends the repository (not the one a file:// path starts with) */
	dslash = NULL;
	for (g = pathstart + (*pathstart == '/'); g + 1 < entry + n; g++)
		if (g[0] == '/' && g[1] == '/') {
			dslash = g;
			break;
		}
	if (dslash) {
		cut = (size_t)(dslash - entry);
		dir_at = cut + 2;
	} else {
		/* else the first path component ending in ".git" */
		for (g = pathstart; (g = strstr(g, ".git")) && g < entry + n; g += 4)
			if (g + 4 == entry + n || g[4] == '/') {
				cut = (size_t)(g + 4 - entry);
				dir_at = cut + (g + 4 < entry + n);
				break;
			}
		if (cut == n && shorthand(entry)) {
			/* github.com/ORG/REPO/DIR */
			const char *p = pathstart;
			int parts = 0;
			while (p < entry + n && parts < 2) {
				p++;
				p += strcspn(p, "/?");
				parts++;
			}
			cut = (size_t)(p - entry);
			dir_at = cut + (cut < n);
			if (dir_at > n)
				dir_at = n;
		}
	}
	/* an http(s) file: no repository marker, no ref, a name of a file */
	if (file_ok && http && !dslash && cut == n && is_file_name(entry, n) && !has_ref(q)) {
		out->kind = KZ_REMOTE_FILE;
		if (!(out->url = strdup(entry)))
			goto oom;
		return 0;
	}
	out->kind = KZ_REMOTE_GIT;
	if (shorthand(entry)) {
		if (asprintf(&out->repo, "https://%.*s", (int)cut, entry) < 0) {
			out->repo = NULL;
			goto oom;
		}
	} else if (!(out->repo = strndup(entry, cut))) {
		goto oom;
	}
	/* "git@host:org/repo" and "https://host/org/repo/" alike: no trailing slash */
	while (strlen(out->repo) > 1 && out->repo[strlen(out->repo) - 1] == '/')
		out->repo[strlen(out->repo) - 1] = '\0';
	rc = clean_path(&out->path, entry + dir_at, n - dir_at);
	if (rc == -2) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "remote target '%s': the directory '%.*s' is outside the repository",
			       out->shown, (int)(n - dir_at), entry + dir_at);
		kz_remote_spec_release(out);
		return -1;
	}
	if (rc < 0 || parse_query(out, q ? q + 1 : NULL) < 0)
		goto oom;
	return 0;
oom:
	kz_remote_spec_release(out);
	return gitops_err_oom(err);
}
