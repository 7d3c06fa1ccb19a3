#include "lib/git/git.h"
#include "lib/base/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ctype.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib/base/buf.h"
#include "lib/base/parse.h"
#include "lib/base/enc.h"
#include "lib/k8s/object.h"
#include "lib/base/semver.h"
#include "lib/value/value.h"
#include "lib/value/jsonio.h"

#define MAX_TREE_DEPTH 128
#define MAX_LINK_TARGET 4096
#define MAX_KNOWN_HOSTS (4u << 20)
#define MAX_NETRC (1u << 20)
#define MAX_STATE (1u << 20)
#define MAX_LINKS 40                    /* symbolic links followed in one --path (Linux's SYMLOOP_MAX) */
#define MAX_REVISIONS (256u << 20)      /* a revisions file */
#define REVISIONS_VERSION 3             /* files with sizes and modes (the manifest), and the commits in order */

static const char *const fetch_refspecs[] = { "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*" };

/* ------------------------------------------------------------------ init */

static int git_initialised;

void gitops_git_shutdown(void)
{
	if (git_initialised) {
		git_libgit2_shutdown();
		git_initialised = 0;
	}
}

int gitops_git_init(struct gitops_err *err)
{
	int done = git_initialised;
	static const int levels[] = { GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL,
				      GIT_CONFIG_LEVEL_PROGRAMDATA };
	size_t i;

	if (done)
		return 0;
	if (git_libgit2_init() < 0)
		return gitops_git_error(err, -1, NULL, "libgit2");
	/* only the mirror's own config counts: no insteadOf or hooks from the user's ~/.gitconfig */
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, levels[i], "");
	git_initialised = 1;
	return 0;
}

/* ------------------------------------------------------------------ helpers */

/* SHA-256 of s as hex, cut to `digits` characters (out holds digits + 1). */
static void sha256_hex(char *out, const char *s, size_t digits)
{
	char full[65];

	gitops_sha256_hex(full, s, strlen(s));
	memcpy(out, full, digits);
	out[digits] = '\0';
}

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

/* ------------------------------------------------------------------ URLs */

void gitops_git_url_release(struct gitops_git_url *u)
{
	if (!u)
		return;
	free(u->url);
	free(u->display);
	free(u->user);
	if (u->password) {
		memset(u->password, 0, strlen(u->password));
		free(u->password);
	}
	free(u->host);
	free(u->name);
	memset(u, 0, sizeof(*u));
}

static int url_name(struct gitops_git_url *u, const char *path)
{
	size_t n = strlen(path);
	const char *start;

	while (n > 0 && path[n - 1] == '/')
		n--;
	if (n >= 4 && !strncmp(path + n - 4, ".git", 4))
		n -= 4;
	while (n > 0 && path[n - 1] == '/')
		n--;
	start = path + n;
	while (start > path && start[-1] != '/' && start[-1] != ':')
		start--;
	u->name = strndup(start, (size_t)(path + n - start));
	if (u->name && !u->name[0]) {
		free(u->name);
		u->name = strdup("repo");
	}
	return u->name ? 0 : -1;
}

static int has_bad_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == ' ')
			return 1;
	return 0;
}

static int url_parse(struct gitops_git_url *out, const char *repo, struct gitops_err *err);

int gitops_git_url_parse(struct gitops_git_url *out, const char *repo, struct gitops_err *err)
{
	struct gitops_git_url u;

	/* url_parse fills u as it goes; on failure whatever it holds is released here */
	memset(&u, 0, sizeof(u));
	if (url_parse(&u, repo, err) < 0) {
		gitops_git_url_release(&u);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	*out = u;
	return 0;
}

static int url_parse(struct gitops_git_url *pu, const char *repo, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *sep = strstr(repo, "://"), *colon, *slash;

	if (!*repo)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "an empty repository address");
	if (has_bad_chars(repo))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "the repository address holds blanks or control characters");
	if (sep) {
		size_t slen = (size_t)(sep - repo);
		const char *auth = sep + 3, *hostp, *at, *end, *portp = NULL, *path;
		size_t hostlen;

		if (slen == 5 && !strncmp(repo, "https", 5))
			pu->scheme = GITOPS_GIT_HTTPS;
		else if (slen == 4 && !strncmp(repo, "http", 4))
			pu->scheme = GITOPS_GIT_HTTP;
		else if ((slen == 3 && !strncmp(repo, "ssh", 3)) || (slen == 7 && !strncmp(repo, "git+ssh", 7)) ||
			 (slen == 7 && !strncmp(repo, "ssh+git", 7)))
			pu->scheme = GITOPS_GIT_SSH;
		else if (slen == 3 && !strncmp(repo, "git", 3))
			pu->scheme = GITOPS_GIT_GIT;
		else if (slen == 4 && !strncmp(repo, "file", 4))
			pu->scheme = GITOPS_GIT_FILE;
		else
			return gitops_err_set(err, GITOPS_EXIT_USAGE,
					      "unsupported repository address scheme '%.*s' (https, http, ssh, git or file)",
					      (int)(slen > 16 ? 16 : slen), repo);
		if (pu->scheme == GITOPS_GIT_FILE) {
			path = auth;
			if (strncmp(path, "localhost/", 10) == 0)
				path += 9;
			if (*path != '/')
				return gitops_err_set(err, GITOPS_EXIT_USAGE, "a file:// address needs an absolute path");
			if (gitops_buf_printf(&b, "file://%s", path) < 0)
				goto oom;
			pu->url = strdup(b.data);
			pu->display = strdup(b.data);
			if (!pu->url || !pu->display || url_name(pu, path) < 0)
				goto oom;
			goto done;
		}
		end = auth + strcspn(auth, "/?#");
		path = end;
		at = NULL;
		for (hostp = auth; hostp < end; hostp++)
			if (*hostp == '@')
				at = hostp;
		if (at) {
			const char *pc = memchr(auth, ':', (size_t)(at - auth));
			if (pc) {
				pu->user = gitops_pct_decode(auth, (size_t)(pc - auth), 0);
				pu->password = gitops_pct_decode(pc + 1, (size_t)(at - pc - 1), 0);
				if (!pu->user || !pu->password)
					goto oom;
			} else {
				pu->user = gitops_pct_decode(auth, (size_t)(at - auth), 0);
				if (!pu->user)
					goto oom;
			}
			if (pu->user && !pu->user[0]) {
				free(pu->user);
				pu->user = NULL;
			}
			hostp = at + 1;
		} else {
			hostp = auth;
		}
		if (*hostp == '[') {
			const char *rb = memchr(hostp, ']', (size_t)(end - hostp));
			if (!rb)
				return gitops_err_set(err, GITOPS_EXIT_USAGE, "unclosed '[' in the repository address");
			pu->host = strndup(hostp + 1, (size_t)(rb - hostp - 1));
			if (rb + 1 < end && rb[1] == ':')
				portp = rb + 2;
			else if (rb + 1 != end)
				goto bad_host;
		} else {
			const char *pc = memchr(hostp, ':', (size_t)(end - hostp));
			hostlen = pc ? (size_t)(pc - hostp) : (size_t)(end - hostp);
			pu->host = strndup(hostp, hostlen);
			if (pc)
				portp = pc + 1;
		}
		if (!pu->host)
			goto oom;
		if (!pu->host[0])
			goto bad_host;
		if (portp && portp < end) {
			char *pe;
			long p = strtol(portp, &pe, 10);
			if (pe != end || p < 1 || p > 65535)
				return gitops_err_set(err, GITOPS_EXIT_USAGE, "a bad port in the repository address");
			pu->port = (int)p;
		}
		if (*path != '/' || !path[1])
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "the repository address names no repository path");
		/* what libgit2 gets: ssh keeps the user name (it is not a secret), http loses it */
		{
			const char *scheme = pu->scheme == GITOPS_GIT_HTTPS ? "https" : pu->scheme == GITOPS_GIT_HTTP ? "http" :
					     pu->scheme == GITOPS_GIT_SSH ? "ssh" : "git";
			int v6 = strchr(pu->host, ':') != NULL;
			if (gitops_buf_printf(&b, "%s://%s%s%s%s%s", scheme,
					      pu->scheme == GITOPS_GIT_SSH && pu->user ? pu->user : "",
					      pu->scheme == GITOPS_GIT_SSH && pu->user ? "@" : "", v6 ? "[" : "", pu->host,
					      v6 ? "]" : "") < 0 ||
			    (pu->port && gitops_buf_printf(&b, ":%d", pu->port) < 0) || gitops_buf_addstr(&b, path) < 0)
				goto oom;
			pu->url = strdup(b.data);
			pu->display = strdup(b.data);
		}
		if (!pu->url || !pu->display || url_name(pu, path) < 0)
			goto oom;
		goto done;
	}
	colon = strchr(repo, ':');
	slash = strchr(repo, '/');
	if (colon && colon != repo && (!slash || colon < slash) && repo[0] != '.') {
		/* scp-like: [user@]host:path */
		const char *at = memchr(repo, '@', (size_t)(colon - repo));
		pu->scheme = GITOPS_GIT_SSH;
		if (at) {
			pu->user = strndup(repo, (size_t)(at - repo));
			pu->host = strndup(at + 1, (size_t)(colon - at - 1));
		} else {
			pu->host = strndup(repo, (size_t)(colon - repo));
		}
		if (!pu->host || (at && !pu->user))
			goto oom;
		if (!pu->host[0])
			goto bad_host;
		if (!colon[1])
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "the repository address names no repository path");
		pu->url = strdup(repo);
		pu->display = strdup(repo);
		if (!pu->url || !pu->display || url_name(pu, colon + 1) < 0)
			goto oom;
		goto done;
	}
	/* a local path */
	{
		char *real = realpath(repo, NULL);
		if (!real)
			return gitops_err_set(err, GITOPS_EXIT_IO, "%s: %s", repo, strerror(errno));
		pu->scheme = GITOPS_GIT_FILE;
		pu->url = real;
		pu->display = strdup(real);
		if (!pu->display || url_name(pu, real) < 0)
			goto oom;
	}
done:
	gitops_buf_release(&b);
	return 0;
bad_host:
	gitops_buf_release(&b);
	return gitops_err_set(err, GITOPS_EXIT_USAGE, "the repository address names no host");
oom:
	gitops_buf_release(&b);
	return gitops_err_oom(err);
}

/* ------------------------------------------------------------------ credentials */

void gitops_git_auth_from_env(struct gitops_git_auth *a)
{
	const char *v;

	if ((v = getenv("GITOPS_GIT_USERNAME")) && *v)
		a->username = v;
	if ((v = getenv("GITOPS_GIT_PASSWORD")) && *v)
		a->password = v;
	if ((v = getenv("GITOPS_GIT_TOKEN")) && *v)
		a->token = v;
	if ((v = getenv("GITOPS_SSH_KEY_PASSPHRASE")) && *v)
		a->ssh_key_passphrase = v;
	/* files, for a program run by another (gitops-sync, a CronJob): the options, when given, win */
	if (!a->ssh_key && (v = getenv("GITOPS_SSH_KEY")) && *v)
		a->ssh_key = v;
	if (!a->ssh_known_hosts && (v = getenv("GITOPS_SSH_KNOWN_HOSTS")) && *v)
		a->ssh_known_hosts = v;
}

enum {
	TRIED_URL = 1, TRIED_ENV = 2, TRIED_NETRC = 4, TRIED_KEY = 8, TRIED_AGENT = 16, TRIED_USERNAME = 32
};

/* netrc: "machine HOST login USER password PASS", "default ...", "macdef" skipped. 1 found, 0 not, -1 error. */
int gitops_git_netrc_lookup(const char *file, const char *host, char **user, char **pass, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char *save = NULL, *tok;
	int in_match = 0, found = 0, in_default = 0;
	char *m_user = NULL, *m_pass = NULL, *d_user = NULL, *d_pass = NULL;
	const char *expect = NULL;

	*user = *pass = NULL;
	if (gitops_buf_read_file(&b, file, MAX_NETRC, err) < 0)
		return -1;
	if (!b.data)
		return 0;
	for (tok = strtok_r(b.data, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (expect) {
			char **slot = NULL;
			if (!strcmp(expect, "machine")) {
				if (found)
					break;
				in_match = !strcasecmp(tok, host);
				in_default = 0;
			} else if (!strcmp(expect, "login")) {
				slot = in_match ? &m_user : in_default ? &d_user : NULL;
			} else if (!strcmp(expect, "password")) {
				slot = in_match ? &m_pass : in_default ? &d_pass : NULL;
			}
			if (slot && !*slot)
				*slot = strdup(tok);
			if (in_match)
				found = 1;
			expect = NULL;
			continue;
		}
		if (!strcmp(tok, "machine") || !strcmp(tok, "login") || !strcmp(tok, "password") ||
		    !strcmp(tok, "account"))
			expect = tok;
		else if (!strcmp(tok, "default")) {
			if (found)
				break;
			in_default = 1;
			in_match = 0;
		}
	}
	if (m_pass || m_user) {
		*user = m_user;
		*pass = m_pass;
		m_user = m_pass = NULL;
	} else if (d_pass || d_user) {
		*user = d_user;
		*pass = d_pass;
		d_user = d_pass = NULL;
	}
	free(m_user);
	free(d_user);
	if (m_pass)
		memset(m_pass, 0, strlen(m_pass));
	if (d_pass)
		memset(d_pass, 0, strlen(d_pass));
	free(m_pass);
	free(d_pass);
	memset(b.data, 0, b.len);
	gitops_buf_release(&b);
	return *pass ? 1 : 0;
}

static int local_user(char *buf, size_t size)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *u = pw ? pw->pw_name : getenv("USER");

	if (!u)
		return -1;
	snprintf(buf, size, "%s", u);
	return 0;
}

static int credentials_cb(git_credential **out, const char *url, const char *username_from_url,
			  unsigned int allowed, void *payload)
{
	struct gitops_git_session *s = payload;
	const struct gitops_git_auth *a = s->auth;
	const struct gitops_git_url *u = s->url;
	char who[256];

	(void)url;
	if (allowed & GIT_CREDENTIAL_USERNAME && !(allowed & ~(unsigned)GIT_CREDENTIAL_USERNAME)) {
		if (local_user(who, sizeof(who)) < 0)
			return gitops_err_set(&s->why, GITOPS_EXIT_AUTH, "%s: no user name for ssh (put one in the address)",
					      u->display), GIT_EAUTH;
		s->tried |= TRIED_USERNAME;
		return git_credential_username_new(out, who);
	}
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		const char *user = username_from_url;
		if (!user || !*user) {
			if (local_user(who, sizeof(who)) < 0)
				return gitops_err_set(&s->why, GITOPS_EXIT_AUTH, "%s: no user name for ssh", u->display),
				       GIT_EAUTH;
			user = who;
		}
		if (a->ssh_key && !(s->tried & TRIED_KEY)) {
			s->tried |= TRIED_KEY;
			return git_credential_ssh_key_new(out, user, NULL, a->ssh_key, a->ssh_key_passphrase);
		}
		if (!a->ssh_key && !a->no_ssh_agent && getenv("SSH_AUTH_SOCK") && !(s->tried & TRIED_AGENT)) {
			s->tried |= TRIED_AGENT;
			return git_credential_ssh_key_from_agent(out, user);
		}
		if (s->tried & (TRIED_KEY | TRIED_AGENT))
			gitops_err_set(&s->why, GITOPS_EXIT_AUTH, "%s: ssh authentication as '%s' failed (%s refused)",
				       u->display, user, s->tried & TRIED_KEY ? "the key of --ssh-key was" :
				       "the keys of ssh-agent were");
		else
			gitops_err_set(&s->why, GITOPS_EXIT_AUTH,
				       "%s: no ssh credentials: give --ssh-key FILE or run ssh-agent (SSH_AUTH_SOCK)",
				       u->display);
		return GIT_EAUTH;
	}
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		/* the address's own: user and password, or a token given as the user name */
		if ((u->password || u->user) && !(s->tried & TRIED_URL)) {
			s->tried |= TRIED_URL;
			return git_credential_userpass_plaintext_new(out, u->user ? u->user : "",
								     u->password ? u->password : "");
		}
		if ((a->password || a->token) && !(s->tried & TRIED_ENV)) {
			const char *user = a->username ? a->username : a->password ? "" : "x-access-token";
			s->tried |= TRIED_ENV;
			return git_credential_userpass_plaintext_new(out, user, a->password ? a->password : a->token);
		}
		if (a->netrc_file && u->host && !(s->tried & TRIED_NETRC)) {
			char *nu = NULL, *np = NULL;
			int r, ret;
			s->tried |= TRIED_NETRC;
			r = gitops_git_netrc_lookup(a->netrc_file, u->host, &nu, &np, &s->why);
			if (r < 0)
				return GIT_EAUTH;
			if (r > 0) {
				ret = git_credential_userpass_plaintext_new(out, nu ? nu : "", np);
				memset(np, 0, strlen(np));
				free(nu);
				free(np);
				return ret;
			}
		}
		if (s->tried & (TRIED_URL | TRIED_ENV | TRIED_NETRC))
			gitops_err_set(&s->why, GITOPS_EXIT_AUTH, "%s: authentication failed (the server refused the %s)",
				       u->display, s->tried & TRIED_NETRC ? "credentials of the netrc file" :
				       s->tried & TRIED_ENV ? (a->password ? "user name and password of the environment" :
							       "token of GITOPS_GIT_TOKEN") : "credentials of the address");
		else if (a->per_host)
			gitops_err_set(&s->why, GITOPS_EXIT_AUTH,
				       "%s: the server asks for credentials: give them in the address or in the "
				       "--netrc-file entry for the host", u->display);
		else
			gitops_err_set(&s->why, GITOPS_EXIT_AUTH,
				       "%s: the server asks for credentials: set GITOPS_GIT_TOKEN, or GITOPS_GIT_USERNAME "
				       "and GITOPS_GIT_PASSWORD, or give --netrc-file", u->display);
		return GIT_EAUTH;
	}
	gitops_err_set(&s->why, GITOPS_EXIT_AUTH, "%s: the server asks for a kind of credentials gitops cannot give",
		       u->display);
	return GIT_EAUTH;
}

/* ------------------------------------------------------------------ known_hosts */

/* base64 of n bytes (padded, n % 4 == 0) into out, which holds n / 4 * 3; its length, 0 when it is not base64 */
static size_t b64_decode(unsigned char *out, const char *in, size_t n)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len = 0;

	if (n % 4 == 0 && strlen(in) == n && gitops_base64_decode(&b, in) == 0 && b.len <= n / 4 * 3) {
		len = b.len;
		if (len)
			memcpy(out, b.data, len);
	}
	gitops_buf_release(&b);
	return len;
}

/* unpadded base64 of n bytes into out, which holds (n + 2) / 3 * 4 + 1 */
static void b64_encode_nopad(char *out, const unsigned char *in, size_t n)
{
	char *enc = NULL;

	out[0] = '\0';
	if (gitops_base64_encode(&enc, in, n, GITOPS_BASE64_NOPAD) == 0)
		memcpy(out, enc, strlen(enc) + 1);
	free(enc);
}

/* OpenSSH's wildcards: '*' any run, '?' one character; case does not matter; nothing else is special. */
static int wild_match(const char *p, const char *s)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return 1;
			for (; *s; s++)
				if (wild_match(p, s))
					return 1;
			return 0;
		}
		if (!*s)
			return 0;
		if (*p != '?' && tolower((unsigned char)*p) != tolower((unsigned char)*s))
			return 0;
	}
	return !*s;
}

/* One host pattern list of a known_hosts line against name: 1 match, 0 no, -1 negated match. */
static int host_patterns_match(char *patterns, const char *name)
{
	char *save = NULL, *p;
	int hit = 0;

	if (patterns[0] == '|') {
		/* |1|base64(salt)|base64(HMAC-SHA1(salt, name)) */
		unsigned char salt[128], want[128], got[EVP_MAX_MD_SIZE];
		unsigned int glen = 0;
		char *s = patterns + 3, *h;
		size_t sl, wl;
		if (strncmp(patterns, "|1|", 3) != 0 || !(h = strchr(s, '|')))
			return 0;
		*h++ = '\0';
		if (strlen(s) > 170 || strlen(h) > 170)
			return 0;
		sl = b64_decode(salt, s, strlen(s));
		wl = b64_decode(want, h, strlen(h));
		if (!sl || wl != 20)
			return 0;
		if (!HMAC(EVP_sha1(), salt, (int)sl, (const unsigned char *)name, strlen(name), got, &glen))
			return 0;
		return glen == 20 && !memcmp(got, want, 20);
	}
	for (p = strtok_r(patterns, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		int neg = p[0] == '!';
		if (wild_match(neg ? p + 1 : p, name)) {
			if (neg)
				return -1;
			hit = 1;
		}
	}
	return hit;
}

int gitops_git_known_hosts_check(const char *file, const char *host, int port, const void *key, size_t key_len,
				 struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char name[300], shown[300], *line, *save = NULL;
	unsigned char blob[8192];
	size_t lineno = 0, mismatch_line = 0;
	int ret = 0, other_type = 0;
	char keytype[64] = "";
	char fp[64] = "";

	if (port && port != 22)
		snprintf(name, sizeof(name), "[%s]:%d", host, port);
	else
		snprintf(name, sizeof(name), "%s", host);
	snprintf(shown, sizeof(shown), "%s", name);
	/* the key's type is its first string */
	if (key_len > 4) {
		const unsigned char *k = key;
		uint32_t tl = (uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 | (uint32_t)k[2] << 8 | k[3];
		if (tl < sizeof(keytype) && tl + 4 <= key_len) {
			memcpy(keytype, k + 4, tl);
			keytype[tl] = '\0';
		}
	}
	{
		unsigned char md[GITOPS_SHA256_LEN];
		if (gitops_sha256(md, key, key_len) == 0)
			b64_encode_nopad(fp, md, sizeof(md));
	}
	if (gitops_buf_read_file(&b, file, MAX_KNOWN_HOSTS, err) < 0) {
		if (err && err->code == GITOPS_EXIT_IO && access(file, F_OK) != 0 && errno == ENOENT)
			goto unknown;
		return -1;
	}
	for (line = b.data ? strtok_r(b.data, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *p = line;
		int nf = 0, revoked = 0, m;
		size_t kl;
		lineno++;
		while (nf < 4) {
			while (*p == ' ' || *p == '\t' || *p == '\r')
				p++;
			if (!*p || *p == '#')
				break;
			f[nf++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
			if (*p)
				*p++ = '\0';
		}
		if (nf < 3)
			continue;
		if (f[0][0] == '@') {
			if (!strcmp(f[0], "@revoked"))
				revoked = 1;
			else
				continue; /* @cert-authority: host certificates are not checked here */
			if (nf < 4)
				continue;
			memmove(f, f + 1, 3 * sizeof(f[0]));
		}
		m = host_patterns_match(f[0], name);
		if (m <= 0)
			continue;
		if (strlen(f[2]) > sizeof(blob) * 4 / 3)
			continue;
		kl = b64_decode(blob, f[2], strlen(f[2]));
		if (kl == key_len && !memcmp(blob, key, kl)) {
			/* a revoked key is refused wherever its line is */
			if (revoked) {
				gitops_err_set(err, GITOPS_EXIT_UNREACHABLE,
					       "%s: the ssh host key of %s (%s SHA256:%s) is revoked (line %zu)", file, shown,
					       keytype, fp, lineno);
				ret = 0;
				goto done;
			}
			ret = 1;
			continue;
		}
		if (!revoked) {
			if (!strcmp(f[1], keytype))
				mismatch_line = mismatch_line ? mismatch_line : lineno;
			else
				other_type = 1;
		}
	}
	if (ret == 1)
		goto done;
	if (mismatch_line) {
		gitops_err_set(err, GITOPS_EXIT_UNREACHABLE,
			       "%s:%zu: the ssh host key of %s has CHANGED (now %s SHA256:%s): someone may be "
			       "intercepting the connection, or the key was replaced; refusing to connect",
			       file, mismatch_line, shown, keytype, fp);
		goto done;
	}
unknown:
	gitops_err_set(err, GITOPS_EXIT_UNREACHABLE,
		       "%s: unknown ssh host key for %s (%s SHA256:%s)%s: refusing to connect; check the key and add "
		       "it to the file (ssh-keyscan)", file, shown, keytype, fp,
		       other_type ? " (the file knows other key types for it)" : "");
done:
	gitops_buf_release(&b);
	return ret;
}

static int certificate_cb(git_cert *cert, int valid, const char *host, void *payload)
{
	struct gitops_git_session *s = payload;

	if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2) {
		git_cert_hostkey *hk = (git_cert_hostkey *)cert;
		char path[PATH_MAX];
		const char *file = s->auth->ssh_known_hosts;
		int r;

		if (!file) {
			const char *home = getenv("HOME");
			snprintf(path, sizeof(path), "%s/.ssh/known_hosts", home && *home ? home : "/");
			file = path;
		}
		if (!(hk->type & GIT_CERT_SSH_RAW) || !hk->hostkey) {
			gitops_err_set(&s->why, GITOPS_EXIT_UNREACHABLE, "%s: the ssh library gave no host key to check",
				       s->url->display);
			return GIT_ECERTIFICATE;
		}
		r = gitops_git_known_hosts_check(file, host, s->url->port, hk->hostkey, hk->hostkey_len, &s->why);
		return r == 1 ? 0 : GIT_ECERTIFICATE;
	}
	if (!valid) {
		gitops_err_set(&s->why, GITOPS_EXIT_UNREACHABLE,
			       "%s: the TLS certificate of %s cannot be verified%s", s->url->display, host,
			       s->auth->ca_file ? " with the CA bundle of --ca-file" :
			       " (give the CA that signed it with --ca-file)");
		return GIT_ECERTIFICATE;
	}
	return 0;
}

static int transfer_cb(const git_indexer_progress *st, void *payload)
{
	struct gitops_git_session *s = payload;
	char msg[128];

	if (!st->total_objects)
		return 0;
	if (st->received_objects < st->total_objects) {
		if (s->live) {
			snprintf(msg, sizeof(msg), "receiving objects: %u%% (%u/%u), %.1f MiB",
				 (unsigned)(st->received_objects * 100 / st->total_objects), st->received_objects,
				 st->total_objects, (double)st->received_bytes / (1 << 20));
			s->live(s->progress_ctx, msg);
		}
		return 0;
	}
	/* each stage's end once: every object received, then every delta resolved */
	if (!(s->progress_shown & 1)) {
		s->progress_shown |= 1;
		if (s->progress) {
			snprintf(msg, sizeof(msg), "received %u objects, %.1f MiB", st->total_objects,
				 (double)st->received_bytes / (1 << 20));
			s->progress(s->progress_ctx, msg);
		}
	}
	if (st->total_deltas && st->indexed_deltas < st->total_deltas) {
		if (s->live) {
			snprintf(msg, sizeof(msg), "resolving deltas: %u%% (%u/%u)",
				 (unsigned)(st->indexed_deltas * 100 / st->total_deltas), st->indexed_deltas, st->total_deltas);
			s->live(s->progress_ctx, msg);
		}
	} else if (st->total_deltas && !(s->progress_shown & 2)) {
		s->progress_shown |= 2;
		if (s->progress) {
			snprintf(msg, sizeof(msg), "resolved %u deltas", st->total_deltas);
			s->progress(s->progress_ctx, msg);
		}
	}
	return 0;
}

int gitops_git_callbacks_init(git_remote_callbacks *cb, struct gitops_git_session *s, const struct gitops_git_url *url,
			      const struct gitops_git_auth *auth, struct gitops_err *err)
{
	static char *ca_set;
	memset(s, 0, sizeof(*s));
	s->url = url;
	s->auth = auth;
	git_remote_init_callbacks(cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb->credentials = credentials_cb;
	cb->certificate_check = certificate_cb;
	cb->transfer_progress = transfer_cb;
	cb->payload = s;
	if (auth->ca_file && (!ca_set || strcmp(ca_set, auth->ca_file) != 0)) {
		if (access(auth->ca_file, R_OK) != 0)
			return gitops_err_errno(err, errno, auth->ca_file);
		if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, auth->ca_file, NULL) < 0) {
			gitops_git_error(err, -1, NULL, auth->ca_file);
			err->code = GITOPS_EXIT_INPUT;
			return -1;
		}
		free(ca_set);
		ca_set = strdup(auth->ca_file);
	}
	return 0;
}

/* libgit2's message on one line, without a trailing full stop. */
static void flat_message(char *out, size_t size, const char *msg)
{
	size_t i, o = 0;

	for (i = 0; msg[i] && o + 1 < size; i++) {
		char c = msg[i];
		if (c == '\n' || c == '\r') {
			while (o > 0 && out[o - 1] == ' ')
				o--;
			if (msg[i + 1] && msg[i + 1] != '\n' && o + 3 < size && o > 0) {
				out[o++] = ';';
				out[o++] = ' ';
			}
			continue;
		}
		out[o++] = (unsigned char)c < 0x20 ? ' ' : c;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '.' || out[o - 1] == ';'))
		o--;
	out[o] = '\0';
}

int gitops_git_error(struct gitops_err *err, int ret, const struct gitops_git_session *s, const char *what)
{
	const git_error *e = git_error_last();
	char msg[768];
	int code = GITOPS_EXIT_INTERNAL;

	if (s && s->why.msg[0]) {
		if (err)
			*err = s->why;
		return -1;
	}
	flat_message(msg, sizeof(msg), e && e->message ? e->message : "unknown libgit2 error");
	if (ret == GIT_EAUTH)
		code = GITOPS_EXIT_AUTH;
	else if (strstr(msg, "failed to connect") || strstr(msg, "failed to resolve address") ||
		 strstr(msg, "Connection refused") || strstr(msg, "timed out") || strstr(msg, "Network is unreachable"))
		code = GITOPS_EXIT_UNREACHABLE;
	else if (ret == GIT_ECERTIFICATE)
		code = GITOPS_EXIT_UNREACHABLE;
	else if (e) {
		switch (e->klass) {
		case GIT_ERROR_NET:
		case GIT_ERROR_SSL:
		case GIT_ERROR_SSH:
			code = GITOPS_EXIT_UNREACHABLE;
			if (strstr(msg, "authenticat") || strstr(msg, "passphrase") || strstr(msg, "public key") ||
			    strstr(msg, "private key"))
				code = GITOPS_EXIT_AUTH;
			else if (strstr(msg, "not found") || strstr(msg, "does not appear") ||
				 strstr(msg, "no such repository") || strstr(msg, "does not exist") ||
				 strstr(msg, "access denied") || strstr(msg, "not exported"))
				code = GITOPS_EXIT_REJECTED;
			break;
		case GIT_ERROR_HTTP:
			code = strstr(msg, "401") || strstr(msg, "403") ? GITOPS_EXIT_AUTH :
			       strstr(msg, "404") ? GITOPS_EXIT_REJECTED : GITOPS_EXIT_UNREACHABLE;
			break;
		case GIT_ERROR_OS:
		case GIT_ERROR_FILESYSTEM:
		case GIT_ERROR_ODB:
		case GIT_ERROR_INDEXER:
		case GIT_ERROR_REFERENCE:
		case GIT_ERROR_REPOSITORY:
		case GIT_ERROR_ZLIB:
		case GIT_ERROR_OBJECT:
			code = GITOPS_EXIT_IO;
			break;
		case GIT_ERROR_NOMEMORY:
			code = GITOPS_EXIT_INTERNAL;
			break;
		default:
			code = GITOPS_EXIT_INTERNAL;
		}
	}
	return gitops_err_set(err, code, "%s: %s", what, msg);
}

/* ------------------------------------------------------------------ removing trees */

/* Remove name (under dfd) and everything beneath it, never following a symbolic link. */
static int rm_tree_at(int dfd, const char *name, int depth)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fd, ret = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	if (depth > MAX_TREE_DEPTH + 8)
		return -1;
	if ((st.st_mode & 0700) != 0700)
		fchmodat(dfd, name, 0700, 0);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (rm_tree_at(dirfd(d), de->d_name, depth + 1) < 0)
			ret = -1;
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		ret = -1;
	return ret;
}

/* ------------------------------------------------------------------ the cache */

struct gitops_git_repo {
	const struct gitops_git_url *url;
	struct gitops_git_cache_options opts;
	char *cache;          /* cache directory */
	char *key;
	char *mirror;         /* repos/KEY.git */
	char *checkouts;      /* checkouts/KEY */
	int lock_fd;
	git_repository *repo;
	char **used;          /* checkout names this run produced or reused: GC spares them */
	size_t nused;
};

git_repository *gitops_git_repository(struct gitops_git_repo *r)
{
	return r->repo;
}

const char *gitops_git_mirror_dir(const struct gitops_git_repo *r)
{
	return r->mirror;
}

static void notice(const struct gitops_git_repo *r, const char *fmt, ...) GITOPS_PRINTF(2, 3);
static void notice(const struct gitops_git_repo *r, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX];
	va_list ap;

	if (!r->opts.notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->opts.notice(r->opts.ctx, msg);
}

static void report_warning(const struct gitops_git_repo *r, const char *fmt, ...) GITOPS_PRINTF(2, 3);
static void report_warning(const struct gitops_git_repo *r, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX];
	va_list ap;

	if (!r->opts.warning)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->opts.warning(r->opts.ctx, msg);
}

static void lock_waiting(void *ctx)
{
	struct gitops_git_repo *r = ctx;

	notice(r, "waiting for the lock on the cache of %s (another run is using it; giving up after %u s)",
	       r->url->display, r->opts.lock_timeout);
}

static int take_lock(struct gitops_git_repo *r, struct gitops_err *err)
{
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/repos/%s.lock", r->cache, r->key);
	rc = gitops_fs_lock_wait(&r->lock_fd, path, r->opts.lock_timeout, lock_waiting, r, err);
	if (rc > 0)
		return gitops_err_set(err, GITOPS_EXIT_IO, "%s: still locked by another run after %u s (%s)",
				      r->url->display, r->opts.lock_timeout, path);
	return rc;
}

/* Lock files a killed run left inside the mirror (we hold the lock: nobody else writes it). */
static void clean_stale_locks(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (n > 5 && !strcmp(de->d_name + n - 5, ".lock"))
			unlink(path);
		else if (depth < 16 && de->d_type == DT_DIR && (depth > 0 || !strcmp(de->d_name, "refs")))
			clean_stale_locks(path, depth + 1);
	}
	closedir(d);
}

/* Remove dir's entries named ".tmp-PREFIX...": what a killed run of this repository left (we hold its lock). */
static void clean_stale_tmp(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = strlen(prefix);

	if (!d)
		return;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, ".tmp-", 5) && !strncmp(de->d_name + 5, prefix, n))
			rm_tree_at(dirfd(d), de->d_name, 0);
	closedir(d);
}

int gitops_git_open(struct gitops_git_repo **out, const struct gitops_git_url *url,
		    const struct gitops_git_cache_options *opts, struct gitops_err *err)
{
	struct gitops_git_repo *r;
	struct gitops_buf b = GITOPS_BUF_INIT;
	char name[48], h[17], path[PATH_MAX];
	size_t i, n;
	struct stat st;
	int ret = -1;

	*out = NULL;
	if (gitops_git_init(err) < 0)
		return -1;
	r = calloc(1, sizeof(*r));
	if (!r)
		return gitops_err_oom(err);
	r->url = url;
	r->opts = *opts;
	r->lock_fd = -1;
	if (gitops_fs_cache_root(&r->cache, opts->cache_dir, err) < 0)
		goto done;
	n = strlen(url->name);
	for (i = 0; i < n && i < 40; i++) {
		char c = url->name[i];
		name[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			  c == '_' || (c == '.' && i > 0) ? c : '_';
	}
	name[i] = '\0';
	sha256_hex(h, url->display, 16);
	if (gitops_buf_printf(&b, "%s-%s", name, h) < 0 || !(r->key = gitops_buf_detach(&b)))
		goto oom;
	if (gitops_buf_printf(&b, "%s/repos/%s.git", r->cache, r->key) < 0 || !(r->mirror = gitops_buf_detach(&b)))
		goto oom;
	if (gitops_buf_printf(&b, "%s/checkouts/%s", r->cache, r->key) < 0 || !(r->checkouts = gitops_buf_detach(&b)))
		goto oom;
	snprintf(path, sizeof(path), "%s/repos", r->cache);
	if (gitops_fs_mkdir_p(path, err) < 0 || gitops_fs_mkdir_p(r->checkouts, err) < 0)
		goto done;
	if (take_lock(r, err) < 0)
		goto done;
	clean_stale_tmp(r->checkouts, "");
	snprintf(path, sizeof(path), "%s/repos", r->cache);
	{
		char pre[96];
		snprintf(pre, sizeof(pre), "%s-", r->key);
		clean_stale_tmp(path, pre);
	}
	if (stat(r->mirror, &st) < 0) {
		/* a new mirror: initialised under a temporary name, then renamed */
		git_repository_init_options io;
		git_repository *tmp = NULL;
		int e;
		git_repository_init_options_init(&io, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
		snprintf(path, sizeof(path), "%s/repos/.tmp-%s-%ld", r->cache, r->key, (long)getpid());
		io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
		if ((e = git_repository_init_ext(&tmp, path, &io)) < 0) {
			gitops_git_error(err, e, NULL, path);
			goto done;
		}
		git_repository_free(tmp);
		if (rename(path, r->mirror) < 0) {
			gitops_err_errno(err, errno, r->mirror);
			goto done;
		}
	} else {
		clean_stale_locks(r->mirror, 0);
	}
	{
		int e = git_repository_open_ext(&r->repo, r->mirror, GIT_REPOSITORY_OPEN_NO_SEARCH |
						GIT_REPOSITORY_OPEN_BARE, NULL);
		if (e < 0) {
			char m[512];
			const git_error *ge = git_error_last();
			flat_message(m, sizeof(m), ge && ge->message ? ge->message : "not a Git repository");
			gitops_err_set(err, GITOPS_EXIT_IO, "the cached mirror %s is unusable (%s): remove it and run again",
				       r->mirror, m);
			goto done;
		}
	}
	*out = r;
	r = NULL;
	ret = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	gitops_buf_release(&b);
	gitops_git_close(r);
	return ret;
}

void gitops_git_close(struct gitops_git_repo *r)
{
	size_t i;

	if (!r)
		return;
	git_repository_free(r->repo);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	for (i = 0; i < r->nused; i++)
		free(r->used[i]);
	free(r->used);
	free(r->cache);
	free(r->key);
	free(r->mirror);
	free(r->checkouts);
	free(r);
}

/* ------------------------------------------------------------------ fetch */

static int ref_fetched(const char *name)
{
	size_t n = strlen(name);

	return (!strncmp(name, "refs/heads/", 11) || !strncmp(name, "refs/tags/", 10)) &&
	       !(n > 3 && !strcmp(name + n - 3, "^{}"));
}

/* Local refs under refs/heads and refs/tags. */
static int count_local_refs(git_repository *repo, size_t *out)
{
	git_reference_iterator *it = NULL;
	const char *name;
	int e;

	*out = 0;
	if ((e = git_reference_iterator_new(&it, repo)) < 0)
		return e;
	while ((e = git_reference_next_name(&name, it)) == 0)
		if (ref_fetched(name))
			(*out)++;
	git_reference_iterator_free(it);
	return e == GIT_ITEROVER ? 0 : e;
}

int gitops_git_fetch(struct gitops_git_repo *r, const struct gitops_git_auth *auth, int *changed,
		     struct gitops_err *err)
{
	git_remote *remote = NULL;
	git_remote_create_options ro;
	git_remote_callbacks cb;
	struct gitops_git_session s;
	git_proxy_options proxy;
	const git_remote_head **heads = NULL;
	git_buf def = { NULL, 0, 0 };
	git_reference *head = NULL;
	char *specs_v[2] = { (char *)fetch_refspecs[0], (char *)fetch_refspecs[1] };
	git_strarray specs = { specs_v, 2 };
	size_t nheads = 0, i, matched = 0, local = 0;
	int e, ret = -1, moved = 0;
	const char *what = r->url->display;

	if (changed)
		*changed = 0;
	if (gitops_git_callbacks_init(&cb, &s, r->url, auth, err) < 0)
		return -1;
	s.progress = r->opts.progress;
	s.live = r->opts.live;
	s.progress_ctx = r->opts.ctx;
	git_proxy_options_init(&proxy, GIT_PROXY_OPTIONS_VERSION);
	proxy.type = GIT_PROXY_AUTO;
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = r->repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if ((e = git_remote_create_with_opts(&remote, r->url->url, &ro)) < 0 ||
	    (e = git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, &proxy, NULL)) < 0 ||
	    (e = git_remote_ls(&heads, &nheads, remote)) < 0) {
		gitops_git_error(err, e, &s, what);
		goto done;
	}
	for (i = 0; i < nheads; i++) {
		git_oid cur;
		if (!ref_fetched(heads[i]->name))
			continue;
		if (git_reference_name_to_id(&cur, r->repo, heads[i]->name) == 0 && git_oid_equal(&cur, &heads[i]->oid))
			matched++;
		else
			moved = 1;
	}
	if ((e = count_local_refs(r->repo, &local)) < 0) {
		gitops_git_error(err, e, NULL, r->mirror);
		goto done;
	}
	if (local != matched)
		moved = 1;
	if (moved) {
		git_fetch_options fo;
		if (r->opts.progress) {
			char msg[600];
			snprintf(msg, sizeof(msg), "fetching %s", what);
			r->opts.progress(r->opts.ctx, msg);
		}
		git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
		fo.callbacks = cb;
		fo.prune = GIT_FETCH_PRUNE;
		fo.update_fetchhead = 0;
		fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
		fo.proxy_opts = proxy;
		if ((e = git_remote_download(remote, &specs, &fo)) < 0 || (e = git_remote_prune(remote, &cb)) < 0 ||
		    (e = git_remote_update_tips(remote, &cb, 0, GIT_REMOTE_DOWNLOAD_TAGS_NONE, "gitops-fetch")) < 0) {
			gitops_git_error(err, e, &s, what);
			goto done;
		}
	}
	/* HEAD follows the remote's default branch */
	e = git_remote_default_branch(&def, remote);
	if (e == 0) {
		e = git_reference_lookup(&head, r->repo, "HEAD");
		if (e < 0 || git_reference_type(head) != GIT_REFERENCE_SYMBOLIC ||
		    strcmp(git_reference_symbolic_target(head), def.ptr) != 0) {
			git_reference *nh = NULL;
			if ((e = git_reference_symbolic_create(&nh, r->repo, "HEAD", def.ptr, 1, "gitops-fetch")) < 0) {
				gitops_git_error(err, e, NULL, r->mirror);
				goto done;
			}
			git_reference_free(nh);
			moved = 1;
		}
	} else if (e != GIT_ENOTFOUND) {
		gitops_git_error(err, e, &s, what);
		goto done;
	}
	git_remote_disconnect(remote);
	if (changed)
		*changed = moved;
	ret = 0;
done:
	git_buf_dispose(&def);
	git_reference_free(head);
	git_remote_free(remote);
	return ret;
}

/* ------------------------------------------------------------------ refs */

/* 1 found (out set), 0 no such ref, -1 error. */
static int ref_commit(git_repository *repo, const char *name, git_oid *out, struct gitops_err *err)
{
	git_reference *ref = NULL;
	git_object *obj = NULL;
	int e;

	e = git_reference_lookup(&ref, repo, name);
	if (e == GIT_ENOTFOUND || e == GIT_EINVALIDSPEC)
		return 0;
	if (e < 0)
		return gitops_git_error(err, e, NULL, name);
	e = git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT);
	git_reference_free(ref);
	if (e == GIT_ENOTFOUND || (e < 0 && git_error_last() && git_error_last()->klass == GIT_ERROR_ODB)) {
		const git_error *ge = git_error_last();
		char m[512];
		flat_message(m, sizeof(m), ge && ge->message ? ge->message : "object missing");
		return gitops_err_set(err, GITOPS_EXIT_IO, "the cached mirror %s is corrupt (%s): remove it and run again",
				      git_repository_path(repo), m);
	}
	if (e < 0)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s does not lead to a commit", name);
	git_oid_cpy(out, git_object_id(obj));
	git_object_free(obj);
	return 1;
}

static int semver_tag(git_repository *repo, const char *expr, git_oid *out, char *tag, size_t size,
		      struct gitops_err *err)
{
	struct gitops_semver_range *range = NULL;
	struct gitops_semver best, v;
	git_reference_iterator *it = NULL;
	const char *name;
	char best_name[256] = "";
	int e, found = 0, ret = -1;

	if (gitops_semver_range_parse(expr, &range, err) < 0)
		return -1;
	if ((e = git_reference_iterator_glob_new(&it, repo, "refs/tags/*")) < 0) {
		gitops_git_error(err, e, NULL, "refs/tags");
		goto done;
	}
	while ((e = git_reference_next_name(&name, it)) == 0) {
		const char *t = name + 10;
		int c;
		if (strlen(t) >= sizeof(best_name) || gitops_semver_parse(t, &v) < 0 ||
		    !gitops_semver_range_match(range, &v))
			continue;
		c = found ? gitops_semver_compare(&v, &best) : 1;
		if (c > 0 || (c == 0 && strcmp(t, best_name) < 0)) {
			best = v;
			snprintf(best_name, sizeof(best_name), "%s", t);
			found = 1;
		}
	}
	if (e != GIT_ITEROVER) {
		gitops_git_error(err, e, NULL, "refs/tags");
		goto done;
	}
	if (!found) {
		ret = 0;
		goto done;
	}
	{
		char full[300];
		snprintf(full, sizeof(full), "refs/tags/%s", best_name);
		if (ref_commit(repo, full, out, err) <= 0) {
			if (!err || !err->msg[0])
				gitops_err_set(err, GITOPS_EXIT_INPUT, "tag %s vanished", best_name);
			goto done;
		}
	}
	snprintf(tag, size, "%s", best_name);
	ret = 1;
done:
	git_reference_iterator_free(it);
	gitops_semver_range_free(range);
	return ret;
}

int gitops_git_resolve(struct gitops_git_repo *r, const char *ref, char commit[GIT_OID_HEXSZ + 1], char *what,
		       size_t size, struct gitops_err *err)
{
	git_oid oid;
	char full[1024], dummy[8], tag[256];
	size_t n = strlen(ref);
	int f;

	if (!what) {
		what = dummy;
		size = sizeof(dummy);
	}
	if (!*ref || !strcmp(ref, "HEAD")) {
		git_reference *head = NULL, *res = NULL;
		int e = git_reference_lookup(&head, r->repo, "HEAD");
		if (e == 0)
			e = git_reference_resolve(&res, head);
		if (e < 0) {
			git_reference_free(head);
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s has no default branch (HEAD): is it empty?",
					      r->url->display);
		}
		snprintf(what, size, "the default branch %s", git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
			 !strncmp(git_reference_symbolic_target(head), "refs/heads/", 11) ?
			 git_reference_symbolic_target(head) + 11 : "?");
		f = ref_commit(r->repo, git_reference_name(res), &oid, err);
		git_reference_free(head);
		git_reference_free(res);
		if (f <= 0)
			return f < 0 ? -1 : gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: HEAD leads nowhere", r->url->display);
		goto found;
	}
	if (n < sizeof(full) - 16) {
		if (!strncmp(ref, "refs/", 5)) {
			if ((f = ref_commit(r->repo, ref, &oid, err)) < 0)
				return -1;
			if (f) {
				snprintf(what, size, "%s", ref);
				goto found;
			}
		}
		snprintf(full, sizeof(full), "refs/heads/%s", ref);
		if ((f = ref_commit(r->repo, full, &oid, err)) < 0)
			return -1;
		if (f) {
			snprintf(what, size, "branch %s", ref);
			goto found;
		}
		snprintf(full, sizeof(full), "refs/tags/%s", ref);
		if ((f = ref_commit(r->repo, full, &oid, err)) < 0)
			return -1;
		if (f) {
			snprintf(what, size, "tag %s", ref);
			goto found;
		}
	}
	if (n >= 4 && n <= GIT_OID_HEXSZ && is_hex(ref, n)) {
		git_object *obj = NULL;
		int e;
		git_oid_fromstrn(&oid, ref, n);
		e = git_object_lookup_prefix(&obj, r->repo, &oid, n, GIT_OBJECT_ANY);
		if (e == GIT_EAMBIGUOUS)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "'%s' is ambiguous in %s: give more digits", ref,
					      r->url->display);
		if (e == 0) {
			git_object *c = NULL;
			e = git_object_peel(&c, obj, GIT_OBJECT_COMMIT);
			git_object_free(obj);
			if (e < 0)
				return gitops_err_set(err, GITOPS_EXIT_INPUT, "'%s' in %s is no commit", ref,
						      r->url->display);
			git_oid_cpy(&oid, git_object_id(c));
			git_object_free(c);
			snprintf(what, size, "commit");
			goto found;
		}
		if (n == GIT_OID_HEXSZ)
			return gitops_err_set(err, GITOPS_EXIT_INPUT,
					      "unknown ref '%s': no branch or tag of %s holds that commit", ref,
					      r->url->display);
	}
	/* a semver range over tags ("1.2.*", ">=1.2 <2"), as Argo CD allows */
	{
		struct gitops_err serr = GITOPS_ERR_INIT;
		f = semver_tag(r->repo, ref, &oid, tag, sizeof(tag), &serr);
		if (f > 0) {
			snprintf(what, size, "tag %s (the highest matching '%s')", tag, ref);
			goto found;
		}
		if (f == 0)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "no tag of %s matches the semver range '%s'",
					      r->url->display, ref);
		if (serr.code != GITOPS_EXIT_INPUT) {
			if (err)
				*err = serr;
			return -1;
		}
	}
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "unknown ref '%s': %s has no branch, tag or commit of that name",
			      ref, r->url->display);
found:
	git_oid_tostr(commit, GIT_OID_HEXSZ + 1, &oid);
	return 0;
}

/* ------------------------------------------------------------------ paths */

int gitops_git_path_normalize(char **out, const char *path, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *p = path;

	*out = NULL;
	if (path[0] == '/')
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "--path '%s': an absolute path (give one inside the repository)",
				      path);
	if (has_bad_chars(path) && strchr(path, ' ') == NULL)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "--path: control characters in the path");
	switch (gitops_fs_path_clean(&b, p)) {
	case 1:
		gitops_buf_release(&b);
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "--path '%s' leaves the repository ('..')", path);
	case -1:
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	if (!b.data && gitops_buf_add(&b, "", 0) < 0)
		return gitops_err_oom(err);
	*out = gitops_buf_detach(&b);
	return *out ? 0 : gitops_err_oom(err);
}

/* ------------------------------------------------------------------ checkouts */

struct writer {
	git_repository *repo;
	const char *mirror;
	const struct gitops_git_cache_options *opts;
	size_t files, bytes;
	const char *display;    /* the repository, for messages */
	const char *path;       /* the path asked for, for messages */
	const char *base;       /* the path checked out (symbolic links resolved), "" for the top */
	struct gitops_buf rel;  /* the directory being written, below base, with a trailing '/' */
	const char *commit;
	int whole;              /* the whole commit: submodules left out (one under the path was refused before) */
};

/* An object of the mirror that cannot be read: the cache is damaged. */
static int mirror_corrupt(const char *mirror, struct gitops_err *err)
{
	const git_error *e = git_error_last();
	char m[512];

	flat_message(m, sizeof(m), e && e->message ? e->message : "unreadable object");
	return gitops_err_set(err, GITOPS_EXIT_IO, "the cached mirror %s is corrupt (%s): remove it and run again",
			      mirror, m);
}

static int corrupt(const struct writer *w, struct gitops_err *err)
{
	return mirror_corrupt(w->mirror, err);
}

static int too_big(struct writer *w, struct gitops_err *err)
{
	if (w->whole && w->files > w->opts->max_files)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "commit %.12s holds more than %zu files (the limit)",
				      w->commit, w->opts->max_files);
	if (w->whole && w->bytes > w->opts->max_bytes)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "commit %.12s holds more than %zu bytes of files (the limit)",
				      w->commit, w->opts->max_bytes);
	if (w->files > w->opts->max_files)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "--path '%s' at %.12s holds more than %zu files (the limit)",
				      w->path[0] ? w->path : ".", w->commit, w->opts->max_files);
	if (w->bytes > w->opts->max_bytes)
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      "--path '%s' at %.12s holds more than %zu bytes of files (the limit)",
				      w->path[0] ? w->path : ".", w->commit, w->opts->max_bytes);
	return 0;
}

static int write_tree(struct writer *w, const git_tree *tree, int dfd, const git_tree *old, int oldfd, int depth,
		      struct gitops_err *err);

/* Write one tree entry into dfd; the entry of the same name in an older checkout (ote, under oldfd) may be linked. */
static int write_entry(struct writer *w, const git_tree_entry *te, int dfd, const git_tree_entry *ote, int oldfd,
		       int depth, struct gitops_err *err)
{
	const char *nm = git_tree_entry_name(te);
	git_filemode_t mode = git_tree_entry_filemode(te);
	const git_oid *id = git_tree_entry_id(te);
	int same = ote && oldfd >= 0 && git_tree_entry_filemode(ote) == mode && git_oid_equal(git_tree_entry_id(ote), id);
	int e, fd, ret = -1;

	if (!*nm || !strcmp(nm, ".") || !strcmp(nm, "..") || strchr(nm, '/'))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "commit %.12s holds an invalid file name '%s'", w->commit, nm);
	switch (mode) {
	case GIT_FILEMODE_TREE: {
		git_tree *sub = NULL, *osub = NULL;
		size_t mark = w->rel.len;
		int cfd, ocfd = -1;
		if (depth >= MAX_TREE_DEPTH)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "commit %.12s nests directories deeper than %d levels",
					      w->commit, MAX_TREE_DEPTH);
		if ((e = git_tree_lookup(&sub, w->repo, id)) < 0)
			return corrupt(w, err);
		if (gitops_buf_addstr(&w->rel, nm) < 0 || gitops_buf_add(&w->rel, "/", 1) < 0) {
			git_tree_free(sub);
			return gitops_err_oom(err);
		}
		if (ote && oldfd >= 0 && git_tree_entry_type(ote) == GIT_OBJECT_TREE &&
		    git_tree_lookup(&osub, w->repo, git_tree_entry_id(ote)) == 0) {
			ocfd = openat(oldfd, nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (ocfd < 0) {
				git_tree_free(osub);
				osub = NULL;
			}
		}
		if (mkdirat(dfd, nm, 0755) < 0 ||
		    (cfd = openat(dfd, nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			gitops_err_errno(err, errno, nm);
		} else {
			ret = write_tree(w, sub, cfd, osub, ocfd, depth + 1, err);
			if (ret == 0 && fchmod(cfd, 0555) < 0)
				ret = gitops_err_errno(err, errno, nm);
			close(cfd);
		}
		w->rel.len = mark;
		w->rel.data[mark] = '\0';
		if (ocfd >= 0)
			close(ocfd);
		git_tree_free(osub);
		git_tree_free(sub);
		return ret;
	}
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE: {
		git_blob *blob = NULL;
		git_object_size_t size;
		w->files++;
		if (w->opts->live && w->files % 256 == 0) {
			char msg[96];
			snprintf(msg, sizeof(msg), "checking out: %zu files, %.1f MiB", w->files,
				 (double)w->bytes / (1 << 20));
			w->opts->live(w->opts->ctx, msg);
		}
		if (same && linkat(oldfd, nm, dfd, nm, 0) == 0) {
			struct stat st;
			if (fstatat(dfd, nm, &st, AT_SYMLINK_NOFOLLOW) < 0)
				return gitops_err_errno(err, errno, nm);
			w->bytes += (size_t)st.st_size;
			return too_big(w, err);
		}
		if ((e = git_blob_lookup(&blob, w->repo, id)) < 0)
			return corrupt(w, err);
		size = git_blob_rawsize(blob);
		w->bytes += (size_t)size;
		if (too_big(w, err) < 0)
			goto blob_done;
		fd = openat(dfd, nm, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0555 : 0444);
		if (fd < 0) {
			gitops_err_errno(err, errno, nm);
			goto blob_done;
		}
		if (gitops_write_all(fd, git_blob_rawcontent(blob), (size_t)size) < 0) {
			gitops_err_errno(err, errno, nm);
			close(fd);
			goto blob_done;
		}
		if (close(fd) < 0) {
			gitops_err_errno(err, errno, nm);
			goto blob_done;
		}
		ret = 0;
blob_done:
		git_blob_free(blob);
		return ret;
	}
	case GIT_FILEMODE_LINK: {
		git_blob *blob = NULL;
		char target[MAX_LINK_TARGET + 1];
		git_object_size_t size;
		w->files++;
		if ((e = git_blob_lookup(&blob, w->repo, id)) < 0)
			return corrupt(w, err);
		size = git_blob_rawsize(blob);
		if (size == 0 || size > MAX_LINK_TARGET || memchr(git_blob_rawcontent(blob), 0, (size_t)size)) {
			git_blob_free(blob);
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "commit %.12s holds an invalid symbolic link '%s'",
					      w->commit, nm);
		}
		memcpy(target, git_blob_rawcontent(blob), (size_t)size);
		target[size] = '\0';
		git_blob_free(blob);
		if (symlinkat(target, dfd, nm) < 0)
			return gitops_err_errno(err, errno, nm);
		return 0;
	}
	case GIT_FILEMODE_COMMIT:
		/* outside the path of a whole-commit checkout: left out (nothing reads it) */
		if (w->whole)
			return 0;
		/*
		 * A submodule: its files are in another repository, which is not
		 * fetched.  An empty directory (what git checks out before
		 * `submodule update`) would render as nothing, and a sync would
		 * prune what it held.
		 */
		return gitops_err_set(err, GITOPS_EXIT_INPUT,
				      "%s: --path '%s' at commit %.12s: '%s%s%s%s' is a submodule (gitops-fetch does "
				      "not check out submodules)", w->display, w->path[0] ? w->path : ".", w->commit,
				      w->base, w->base[0] ? "/" : "", w->rel.data ? w->rel.data : "", nm);
	default:
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "commit %.12s: '%s' has an unknown file mode %o", w->commit,
				      nm, (unsigned)mode);
	}
}

static int write_tree(struct writer *w, const git_tree *tree, int dfd, const git_tree *old, int oldfd, int depth,
		      struct gitops_err *err)
{
	size_t i, n = git_tree_entrycount(tree);

	for (i = 0; i < n; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);
		const git_tree_entry *ote = old ? git_tree_entry_byname(old, git_tree_entry_name(te)) : NULL;
		if (write_entry(w, te, dfd, ote, oldfd, depth, err) < 0)
			return -1;
	}
	return 0;
}

static int remember_used(struct gitops_git_repo *r, const char *name)
{
	char **n = realloc(r->used, (r->nused + 1) * sizeof(*n));

	if (!n)
		return -1;
	r->used = n;
	if (!(n[r->nused] = strdup(name)))
		return -1;
	r->nused++;
	return 0;
}

/* The most recently used other checkout of the same path: its name (in out) and commit. 1 found, 0 none. */
static int previous_checkout(const struct gitops_git_repo *r, const char *pkey, const char *skip, char *out,
			     size_t size)
{
	DIR *d = opendir(r->checkouts);
	struct dirent *de;
	size_t pl = strlen(pkey);
	time_t best = 0;
	int found = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct stat st;
		if (n != GIT_OID_HEXSZ + 1 + pl || de->d_name[GIT_OID_HEXSZ] != '-' ||
		    strcmp(de->d_name + GIT_OID_HEXSZ + 1, pkey) != 0 || !strcmp(de->d_name, skip) ||
		    !is_hex(de->d_name, GIT_OID_HEXSZ))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (!found || st.st_mtime > best) {
			best = st.st_mtime;
			snprintf(out, size, "%s", de->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

/* The tree entry at path in commit hex (NULL path: the root tree, returned in *root). */
static int entry_at(git_repository *repo, const char *hexid, const char *path, git_tree **root, git_tree_entry **te)
{
	git_oid oid;
	git_commit *c = NULL;
	int e;

	*root = NULL;
	*te = NULL;
	if ((e = git_oid_fromstrn(&oid, hexid, GIT_OID_HEXSZ)) < 0 || (e = git_commit_lookup(&c, repo, &oid)) < 0)
		return e;
	e = git_commit_tree(root, c);
	git_commit_free(c);
	if (e < 0 || !*path)
		return e;
	return git_tree_entry_bypath(te, *root, path);
}

/* "REPO: --path 'P' at commit C: WHAT", an input error. */
static int path_error(struct gitops_err *err, const struct gitops_git_repo *r, const char *path, const char *commit,
		      const char *fmt, ...) GITOPS_PRINTF(5, 6);
static int path_error(struct gitops_err *err, const struct gitops_git_repo *r, const char *path, const char *commit,
		      const char *fmt, ...)
{
	char what[GITOPS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: --path '%s' at commit %.12s: %s", r->url->display,
			      path[0] ? path : ".", commit, what);
}

int gitops_git_tree_walk(struct gitops_git_walk *w, git_repository *repo, const git_tree *root, const char *path,
			 int follow_last, struct gitops_err *err)
{
	char *pending = strdup(path), *p;
	git_tree_entry *next = NULL;
	git_blob *blob = NULL;
	int ret = -1, e;

	memset(w, 0, sizeof(*w));
	if (!pending)
		return gitops_err_oom(err);
	for (p = pending;;) {
		const char *c, *target;
		size_t clen, mark, tlen;
		git_filemode_t mode;
		struct gitops_buf np = GITOPS_BUF_INIT;
		int last;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		clen = strcspn(p, "/");
		p += clen;
		while (*p == '/')
			p++;
		last = !*p;
		if (clen == 1 && c[0] == '.')
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			/* only a link's target climbs when the path given is normalised */
			char *slash;
			if (!w->reached.len) {
				w->stop = GITOPS_GIT_WALK_ABOVE_TOP;
				goto stopped;
			}
			slash = strrchr(w->reached.data, '/');
			w->reached.len = slash ? (size_t)(slash - w->reached.data) : 0;
			w->reached.data[w->reached.len] = '\0';
			git_tree_entry_free(w->te);
			w->te = NULL;
			if (w->reached.len && (e = git_tree_entry_bypath(&w->te, root, w->reached.data)) < 0) {
				w->stop = GITOPS_GIT_WALK_GIT_ERROR;
				w->error = e;
				goto stopped;
			}
			continue;
		}
		mark = w->reached.len;
		if ((w->reached.len && gitops_buf_add(&w->reached, "/", 1) < 0) || gitops_buf_add(&w->reached, c, clen) < 0) {
			gitops_err_oom(err);
			goto done;
		}
		e = git_tree_entry_bypath(&next, root, w->reached.data);
		if (e < 0) {
			w->stop = e == GIT_ENOTFOUND ? GITOPS_GIT_WALK_MISSING : GITOPS_GIT_WALK_GIT_ERROR;
			w->error = e;
			goto stopped;
		}
		mode = git_tree_entry_filemode(next);
		if (mode != GIT_FILEMODE_LINK || (last && !follow_last)) {
			if (!last && mode != GIT_FILEMODE_TREE) {
				w->stop = mode == GIT_FILEMODE_COMMIT ? GITOPS_GIT_WALK_SUBMODULE : GITOPS_GIT_WALK_NOT_DIR;
				goto stopped;
			}
			git_tree_entry_free(w->te);
			w->te = next;
			next = NULL;
			continue;
		}
		/* a symbolic link: its target, then what is left of the path, from the link's directory */
		w->link.len = 0;
		if (gitops_buf_addstr(&w->link, w->reached.data) < 0) {
			gitops_err_oom(err);
			goto done;
		}
		if (++w->links > MAX_LINKS) {
			w->stop = GITOPS_GIT_WALK_LOOP;
			goto stopped;
		}
		if ((e = git_blob_lookup(&blob, repo, git_tree_entry_id(next))) < 0) {
			w->stop = GITOPS_GIT_WALK_GIT_ERROR;
			w->error = e;
			goto stopped;
		}
		git_tree_entry_free(next);
		next = NULL;
		target = git_blob_rawcontent(blob);
		tlen = (size_t)git_blob_rawsize(blob);
		if (tlen == 0 || tlen > MAX_LINK_TARGET || memchr(target, 0, tlen) || target[0] == '/') {
			w->stop = tlen && tlen <= MAX_LINK_TARGET && !memchr(target, 0, tlen) ? GITOPS_GIT_WALK_ABSOLUTE_LINK :
											 GITOPS_GIT_WALK_BAD_LINK;
			if (gitops_buf_add(&w->target, target, tlen > MAX_LINK_TARGET ? MAX_LINK_TARGET : tlen) < 0) {
				gitops_err_oom(err);
				goto done;
			}
			goto stopped;
		}
		if (gitops_buf_add(&np, target, tlen) < 0 || gitops_buf_add(&np, "/", 1) < 0 ||
		    gitops_buf_addstr(&np, p) < 0) {
			gitops_buf_release(&np);
			gitops_err_oom(err);
			goto done;
		}
		git_blob_free(blob);
		blob = NULL;
		free(pending);
		if (!(pending = gitops_buf_detach(&np))) {
			gitops_err_oom(err);
			goto done;
		}
		p = pending;
		w->reached.len = mark;
		w->reached.data[mark] = '\0';
	}
	w->stop = GITOPS_GIT_WALK_OK;
stopped:
	if (w->stop != GITOPS_GIT_WALK_OK) {
		git_tree_entry_free(w->te);
		w->te = NULL;
	}
	if (!w->reached.data && gitops_buf_add(&w->reached, "", 0) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	ret = 0;
done:
	git_blob_free(blob);
	git_tree_entry_free(next);
	free(pending);
	return ret;
}

void gitops_git_walk_release(struct gitops_git_walk *w)
{
	gitops_buf_release(&w->reached);
	gitops_buf_release(&w->link);
	gitops_buf_release(&w->target);
	git_tree_entry_free(w->te);
	w->te = NULL;
}

/*
 * `path` (normalised) through `root`, the tree of `commit`, as
 * gitops_git_tree_walk walks it, every link followed: a path that is not
 * there, a link that leads outside the repository (absolute, or ".."
 * above the top), more than MAX_LINKS links (a loop) and a submodule on
 * the way are input errors.  *resolved is the path reached ("" for the
 * top), *te its entry (NULL for the top); both the caller's.
 */
static int resolve_path(const struct gitops_git_repo *r, const git_tree *root, const char *commit, const char *path,
			char **resolved, git_tree_entry **te, struct gitops_err *err)
{
	struct gitops_git_walk w;
	const char *at, *link;
	int ret = -1, n;

	*resolved = NULL;
	*te = NULL;
	if (gitops_git_tree_walk(&w, r->repo, root, path, 1, err) < 0)
		goto done;
	at = w.reached.data;
	link = w.link.len ? w.link.data : path;
	n = (int)(w.target.len > 200 ? 200 : w.target.len);
	switch (w.stop) {
	case GITOPS_GIT_WALK_OK:
		if (w.te && git_tree_entry_filemode(w.te) == GIT_FILEMODE_COMMIT)
			goto submodule;
		if (!(*resolved = strdup(at))) {
			gitops_err_oom(err);
			goto done;
		}
		*te = w.te;
		w.te = NULL;
		ret = 0;
		break;
	case GITOPS_GIT_WALK_MISSING:
	case GITOPS_GIT_WALK_NOT_DIR:
		if (w.links)
			path_error(err, r, path, commit, "'%s' (reached through symbolic link '%s') is %s", at, link,
				   w.stop == GITOPS_GIT_WALK_MISSING ? "not there" : "a file");
		else
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: no path '%s' at commit %.12s", r->url->display, path,
				       commit);
		break;
	case GITOPS_GIT_WALK_SUBMODULE:
	submodule:
		path_error(err, r, path, commit, "'%s' is a submodule (gitops-fetch does not check out submodules)", at);
		break;
	case GITOPS_GIT_WALK_ABOVE_TOP:
		path_error(err, r, path, commit, "symbolic link '%s' leads outside the repository", link);
		break;
	case GITOPS_GIT_WALK_LOOP:
		path_error(err, r, path, commit, "symbolic link '%s': too many levels of symbolic links", link);
		break;
	case GITOPS_GIT_WALK_BAD_LINK:
		path_error(err, r, path, commit, "'%s' is an invalid symbolic link", link);
		break;
	case GITOPS_GIT_WALK_ABSOLUTE_LINK:
		path_error(err, r, path, commit, "symbolic link '%s' leads outside the repository (to '%.*s')", link, n,
			   w.target.data);
		break;
	case GITOPS_GIT_WALK_GIT_ERROR:
		mirror_corrupt(r->mirror, err);
		break;
	}
done:
	gitops_git_walk_release(&w);
	return ret;
}

struct gitlink_find {
	char *found;            /* the first submodule met, below the tree walked */
	int oom;
};

static int gitlink_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct gitlink_find *g = payload;
	struct gitops_buf p = GITOPS_BUF_INIT;

	if (git_tree_entry_type(e) != GIT_OBJECT_COMMIT)
		return 0;
	if (gitops_buf_printf(&p, "%s%s", root, git_tree_entry_name(e)) < 0 || !(g->found = gitops_buf_detach(&p)))
		g->oom = 1;
	gitops_buf_release(&p);
	return -1;
}

/*
 * A submodule at or under `resolved` (te its entry, NULL for the top) is an
 * input error: its files are in another repository, which is not fetched,
 * and an empty directory would render as nothing (a sync would prune what
 * it held).  Submodules elsewhere in the commit are left out of its checkout.
 */
static int no_submodule_under(const struct gitops_git_repo *r, const git_tree *root, const git_tree_entry *te,
			      const char *commit, const char *path, const char *resolved, struct gitops_err *err)
{
	struct gitlink_find g = { NULL, 0 };
	git_tree *sub = NULL;
	const git_tree *t = root;
	int e;

	if (te) {
		if (git_tree_entry_type(te) != GIT_OBJECT_TREE)
			return 0;
		if (git_tree_lookup(&sub, r->repo, git_tree_entry_id(te)) < 0)
			return mirror_corrupt(r->mirror, err);
		t = sub;
	}
	e = git_tree_walk(t, GIT_TREEWALK_PRE, gitlink_cb, &g);
	git_tree_free(sub);
	if (g.found) {
		path_error(err, r, path, commit, "'%s%s%s' is a submodule (gitops-fetch does not check out submodules)",
			   resolved, *resolved ? "/" : "", g.found);
		free(g.found);
		return -1;
	}
	if (g.oom)
		return gitops_err_oom(err);
	return e < 0 ? mirror_corrupt(r->mirror, err) : 0;
}

/*
 * The checkout of `path` at `commit`: *root is the commit's tree, *resolved
 * the path reached through symbolic links and *te its entry (NULL for the
 * top), all the caller's.  A directory (or the top) is checked out with
 * the whole commit (*whole 1): the checkout COMMIT-root, which every
 * directory of the commit shares and in which a kustomization may reach
 * its bases elsewhere in the repository.  A file is checked out alone
 * (*whole 0): COMMIT-PKEY, PKEY from the path reached.  An older checkout
 * of the same name lends its files to a newer one.
 */
static int checkout_of(struct gitops_git_repo *r, const char *commit, const char *path, git_tree **root,
		       char **resolved, git_tree_entry **te, int *whole, char pkey[17], char name[GIT_OID_HEXSZ + 20],
		       struct gitops_err *err)
{
	git_oid oid;
	git_commit *c = NULL;
	int ret = -1;

	*root = NULL;
	*resolved = NULL;
	*te = NULL;
	if (strlen(commit) != GIT_OID_HEXSZ || !is_hex(commit, GIT_OID_HEXSZ))
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "not a full commit id: '%s'", commit);
	if (git_oid_fromstr(&oid, commit) < 0 || git_commit_lookup(&c, r->repo, &oid) < 0 ||
	    git_commit_tree(root, c) < 0) {
		mirror_corrupt(r->mirror, err);
		goto done;
	}
	if (resolve_path(r, *root, commit, path, resolved, te, err) < 0)
		goto done;
	*whole = !*te || git_tree_entry_type(*te) == GIT_OBJECT_TREE;
	if (*whole && no_submodule_under(r, *root, *te, commit, path, *resolved, err) < 0)
		goto done;
	if (!*whole)
		sha256_hex(pkey, *resolved, 12);
	else
		snprintf(pkey, 17, "root");
	snprintf(name, GIT_OID_HEXSZ + 20, "%s-%s", commit, pkey);
	ret = 0;
done:
	if (ret < 0) {
		git_tree_free(*root);
		*root = NULL;
		git_tree_entry_free(*te);
		*te = NULL;
		free(*resolved);
		*resolved = NULL;
	}
	git_commit_free(c);
	return ret;
}

struct aged {
	char *name;
	time_t mtime;
	long nsec;
};

static int newest_first(const void *a, const void *b)
{
	const struct aged *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime > y->mtime ? -1 : 1;
	if (x->nsec != y->nsec)
		return x->nsec > y->nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* ------------------------------------------------------------ revisions */

/*
 * One file of a checkout: its path relative to the checkout, its blob, its
 * size and mode, and the commit that last changed it.
 */
struct rfile {
	char *path;
	git_oid blob;
	char rev[GIT_OID_HEXSZ + 1];
	long long size;         /* bytes of the blob (of a link: its target's name); -1 not known yet */
	unsigned mode;          /* git's: 0100644, 0100755 or 0120000 */
};

struct rlist {
	struct rfile *v;
	size_t n, cap;
	char *gitlink;          /* a submodule the tree walk met, its path below the subtree */
};

static void rlist_release(struct rlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	free(l->gitlink);
	memset(l, 0, sizeof(*l));
}

static int rfile_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rfile *)a)->path, ((const struct rfile *)b)->path);
}

static struct rfile *rlist_find(const struct rlist *l, const char *path)
{
	struct rfile key;

	key.path = (char *)path;
	return l->n ? bsearch(&key, l->v, l->n, sizeof(*l->v), rfile_cmp) : NULL;
}

static int rlist_add(struct rlist *l, const char *path, const git_oid *blob, unsigned mode)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct rfile *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n].path = strdup(path)))
		return -1;
	git_oid_cpy(&l->v[l->n].blob, blob);
	l->v[l->n].rev[0] = '\0';
	l->v[l->n].size = -1;
	l->v[l->n].mode = mode;
	l->n++;
	return 0;
}

static int rlist_walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct rlist *l = payload;
	struct gitops_buf p = GITOPS_BUF_INIT;
	int ret;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB && git_tree_entry_type(e) != GIT_OBJECT_COMMIT)
		return 0;
	if (gitops_buf_printf(&p, "%s%s", root, git_tree_entry_name(e)) < 0)
		return -1;
	if (git_tree_entry_type(e) == GIT_OBJECT_COMMIT) {
		/* a submodule: outside the path (checkout_of refused one under it), so left out */
		gitops_buf_release(&p);
		return 0;
	}
	ret = rlist_add(l, p.data, git_tree_entry_id(e), (unsigned)git_tree_entry_filemode(e));
	gitops_buf_release(&p);
	return ret;
}

/* The subtree (or blob entry) at path in commit c; *tree NULL when path is a blob or absent. */
static int subtree_of(git_repository *repo, git_commit *c, const char *path, git_tree **tree, git_oid *id, int *found)
{
	git_tree *root = NULL;
	git_tree_entry *te = NULL;
	int e;

	*tree = NULL;
	*found = 0;
	if ((e = git_commit_tree(&root, c)) < 0)
		return e;
	if (!*path) {
		git_oid_cpy(id, git_tree_id(root));
		*tree = root;
		*found = 1;
		return 0;
	}
	e = git_tree_entry_bypath(&te, root, path);
	if (e == GIT_ENOTFOUND) {
		git_tree_free(root);
		return 0;
	}
	if (e == 0) {
		*found = 1;
		git_oid_cpy(id, git_tree_entry_id(te));
		if (git_tree_entry_type(te) == GIT_OBJECT_TREE)
			e = git_tree_lookup(tree, repo, id);
	}
	git_tree_entry_free(te);
	git_tree_free(root);
	return e;
}

/* Mark the unresolved files of l under tree t (new in this commit) with rev. */
static int mark_all(git_repository *repo, const git_tree *t, const char *prefix, struct rlist *l, const char *rev,
		    size_t *left)
{
	size_t i, n = git_tree_entrycount(t);
	int e = 0;

	for (i = 0; i < n && *left && e >= 0; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(t, i);
		struct gitops_buf p = GITOPS_BUF_INIT;
		if (gitops_buf_printf(&p, "%s%s", prefix, git_tree_entry_name(te)) < 0)
			return -1;
		if (git_tree_entry_type(te) == GIT_OBJECT_TREE) {
			git_tree *sub = NULL;
			gitops_buf_addstr(&p, "/");
			if ((e = git_tree_lookup(&sub, repo, git_tree_entry_id(te))) == 0)
				e = mark_all(repo, sub, p.data, l, rev, left);
			git_tree_free(sub);
		} else {
			struct rfile *f = rlist_find(l, p.data);
			if (f && !f->rev[0]) {
				memcpy(f->rev, rev, GIT_OID_HEXSZ + 1);
				(*left)--;
			}
		}
		gitops_buf_release(&p);
	}
	return e;
}

/*
 * The files that differ between trees a (the parent's) and b: unresolved ones
 * get rev.  Subtrees with the same id are skipped whole, so the cost is that of
 * what changed (libgit2's tree diff reads every entry of both trees).
 */
static int changed_files(git_repository *repo, const git_tree *a, const git_tree *b, const char *prefix,
			 struct rlist *l, const char *rev, size_t *left)
{
	size_t i, n = git_tree_entrycount(b);
	int e = 0;

	for (i = 0; i < n && *left && e >= 0; i++) {
		const git_tree_entry *be = git_tree_entry_byindex(b, i);
		const git_tree_entry *ae = git_tree_entry_byname(a, git_tree_entry_name(be));
		struct gitops_buf p = GITOPS_BUF_INIT;
		if (ae && git_oid_equal(git_tree_entry_id(ae), git_tree_entry_id(be)) &&
		    git_tree_entry_type(ae) == git_tree_entry_type(be))
			continue;
		if (gitops_buf_printf(&p, "%s%s", prefix, git_tree_entry_name(be)) < 0)
			return -1;
		if (git_tree_entry_type(be) == GIT_OBJECT_TREE) {
			git_tree *bs = NULL, *as = NULL;
			gitops_buf_addstr(&p, "/");
			if ((e = git_tree_lookup(&bs, repo, git_tree_entry_id(be))) == 0) {
				if (ae && git_tree_entry_type(ae) == GIT_OBJECT_TREE &&
				    (e = git_tree_lookup(&as, repo, git_tree_entry_id(ae))) == 0)
					e = changed_files(repo, as, bs, p.data, l, rev, left);
				else if (e == 0)
					e = mark_all(repo, bs, p.data, l, rev, left);
			}
			git_tree_free(as);
			git_tree_free(bs);
		} else if (git_tree_entry_type(be) == GIT_OBJECT_BLOB) {
			struct rfile *f = rlist_find(l, p.data);
			if (f && !f->rev[0]) {
				memcpy(f->rev, rev, GIT_OID_HEXSZ + 1);
				(*left)--;
			}
		}
		gitops_buf_release(&p);
	}
	return e;
}

/* Walk first parents from `commit` until every file of l has the commit that last changed it. */
static int resolve_revisions(git_repository *repo, const char *commit, const char *path, int is_blob, struct rlist *l,
			     size_t left)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	int e;
	size_t steps = 0;

	if ((e = git_revwalk_new(&walk, repo)) < 0 || (e = git_oid_fromstr(&oid, commit)) < 0 ||
	    (e = git_revwalk_push(walk, &oid)) < 0)
		goto done;
	git_revwalk_simplify_first_parent(walk);
	while (left && (e = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c = NULL, *p = NULL;
		git_tree *ct = NULL, *pt = NULL;
		git_oid cid, pid;
		int cf, pf = 0;
		char hex[GIT_OID_HEXSZ + 1];
		size_t i;

		git_oid_tostr(hex, sizeof(hex), &oid);
		if ((e = git_commit_lookup(&c, repo, &oid)) < 0 || (e = subtree_of(repo, c, path, &ct, &cid, &cf)) < 0)
			goto next;
		if (git_commit_parentcount(c) > 0 && ++steps < 1000000) {
			if ((e = git_commit_parent(&p, c, 0)) < 0 || (e = subtree_of(repo, p, path, &pt, &pid, &pf)) < 0)
				goto next;
		}
		if (cf && pf && git_oid_equal(&cid, &pid))
			goto next; /* nothing changed under path */
		if (!pf || is_blob || !ct || !pt) {
			/* path appeared here (or a root commit, or a file): whatever is unresolved was set here */
			for (i = 0; i < l->n; i++)
				if (!l->v[i].rev[0]) {
					memcpy(l->v[i].rev, hex, sizeof(hex));
					left--;
				}
			goto next;
		}
		if ((e = changed_files(repo, pt, ct, "", l, hex, &left)) < 0)
			goto next;
next:
		git_tree_free(ct);
		git_tree_free(pt);
		git_commit_free(p);
		git_commit_free(c);
		if (e < 0)
			goto done;
	}
	if (e == GIT_ITEROVER)
		e = 0;
done:
	git_revwalk_free(walk);
	return e;
}

/*
 * l (empty) from the revisions file `file` when it is whole, of this
 * version and of `commit`: 1 loaded, 0 not (missing, unreadable, older, of
 * another commit: l left empty), -1 out of memory.
 */
static int revisions_load(const char *file, const char *commit, struct rlist *l)
{
	struct gitops_buf text = GITOPS_BUF_INIT;
	cJSON *map = NULL;
	const cJSON *files, *version, *f;
	const char *c;
	int ret = 0, good = 1;

	if (gitops_buf_read_file(&text, file, MAX_REVISIONS, NULL) < 0)
		goto done;
	map = gitops_json_read(text.data, text.len);
	version = cJSON_GetObjectItemCaseSensitive(map, "version");
	files = cJSON_GetObjectItemCaseSensitive(map, "files");
	c = gitops_json_get_string(map, "commit", NULL);
	if (!cJSON_IsNumber(version) || version->valuedouble != REVISIONS_VERSION || !cJSON_IsObject(files) || !c ||
	    strcmp(c, commit) != 0)
		goto done;
	cJSON_ArrayForEach(f, files)
	{
		const char *blob = gitops_json_get_string(f, "blob", NULL);
		const char *rev = gitops_json_get_string(f, "revision", NULL);
		const char *mode = gitops_json_get_string(f, "mode", NULL);
		const cJSON *size = cJSON_GetObjectItemCaseSensitive(f, "size");
		unsigned long m = 0;
		char *end = NULL;
		git_oid oid;

		if (mode)
			m = strtoul(mode, &end, 8);
		if (!f->string || !blob || !rev || strlen(blob) != GIT_OID_HEXSZ || git_oid_fromstr(&oid, blob) < 0 ||
		    strlen(rev) != GIT_OID_HEXSZ || !is_hex(rev, GIT_OID_HEXSZ) || !cJSON_IsNumber(size) ||
		    size->valuedouble < 0 || !mode || *end ||
		    (m != GIT_FILEMODE_BLOB && m != GIT_FILEMODE_BLOB_EXECUTABLE && m != GIT_FILEMODE_LINK)) {
			good = 0;
			break;
		}
		if (rlist_add(l, f->string, &oid, (unsigned)m) < 0) {
			ret = -1;
			goto done;
		}
		l->v[l->n - 1].size = (long long)size->valuedouble;
		memcpy(l->v[l->n - 1].rev, rev, GIT_OID_HEXSZ + 1);
	}
	if (good) {
		if (l->n)
			qsort(l->v, l->n, sizeof(*l->v), rfile_cmp);
		ret = 1;
	}
done:
	if (ret != 1)
		rlist_release(l);
	cJSON_Delete(map);
	gitops_buf_release(&text);
	return ret;
}

/* The sizes l does not know yet, from the headers of the mirror's objects. */
static int fill_sizes(git_repository *repo, struct rlist *l)
{
	git_odb *odb = NULL;
	size_t i;
	int e = 0;

	for (i = 0; i < l->n && e >= 0; i++) {
		size_t len;
		git_object_t type;
		if (l->v[i].size >= 0)
			continue;
		if (!odb && (e = git_repository_odb(&odb, repo)) < 0)
			break;
		if ((e = git_odb_read_header(&len, &type, odb, &l->v[i].blob)) == 0)
			l->v[i].size = (long long)len;
	}
	git_odb_free(odb);
	return e;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The distinct revisions of l's files into `out` (an array), newest first:
 * in the order of the first-parent history of `commit`, along which
 * resolve_revisions found them, so that "newer" is "later in the history
 * this checkout follows" (commit times can run backwards, and many commits
 * share a second).  The walk stops once every revision is placed, or at the
 * commit of the older revisions file `oldmap` (whose order then continues
 * it).  Revisions off that history (reused from an older checkout of
 * another branch) come last, by id.  -1 out of memory or a libgit2 error.
 */
static int order_commits(git_repository *repo, const char *commit, const struct rlist *l, const cJSON *oldmap,
			 cJSON *out)
{
	const char **revs = NULL;
	unsigned char *placed = NULL;
	const char *oldc = gitops_json_get_string(oldmap, "commit", NULL);
	const cJSON *oldorder = cJSON_GetObjectItemCaseSensitive(oldmap, "commits");
	git_revwalk *walk = NULL;
	git_oid oid;
	size_t i, n = 0, left, steps = 0;
	int e = -1;

	if (!(revs = malloc((l->n + 1) * sizeof(*revs))) || !(placed = calloc(l->n + 1, 1)))
		goto done;
	for (i = 0; i < l->n; i++)
		revs[n++] = l->v[i].rev;
	qsort(revs, n, sizeof(*revs), str_cmp);
	for (i = 0, left = 0; i < n; i++)
		if (!left || strcmp(revs[left - 1], revs[i]))
			revs[left++] = revs[i];
	n = left;
#define PLACE(hex)                                                                                \
	do {                                                                                      \
		const char *k_ = (hex), **hit_ = bsearch(&k_, revs, n, sizeof(*revs), str_cmp);     \
		if (hit_ && !placed[hit_ - revs]) {                                               \
			placed[hit_ - revs] = 1;                                                  \
			left--;                                                                   \
			if (!cJSON_AddItemToArray(out, cJSON_CreateString(*hit_)))                \
				goto done;                                                        \
		}                                                                                 \
	} while (0)
	if ((e = git_revwalk_new(&walk, repo)) < 0 || (e = git_oid_fromstr(&oid, commit)) < 0 ||
	    (e = git_revwalk_push(walk, &oid)) < 0)
		goto done;
	git_revwalk_simplify_first_parent(walk);
	e = -1;
	while (left && ++steps < 1000000 && git_revwalk_next(&oid, walk) == 0) {
		char hex[GIT_OID_HEXSZ + 1];
		const cJSON *o;
		git_oid_tostr(hex, sizeof(hex), &oid);
		PLACE(hex);
		if (oldc && cJSON_IsArray(oldorder) && !strcmp(hex, oldc)) {
			cJSON_ArrayForEach(o, oldorder)
				if (cJSON_IsString(o))
					PLACE(o->valuestring);
			break;
		}
	}
	for (i = 0; i < n && left; i++)
		PLACE(revs[i]);
#undef PLACE
	e = 0;
done:
	git_revwalk_free(walk);
	free(placed);
	free(revs);
	return e;
}

/*
 * Compute the revisions file `final` of checkout `name` (of rpath, a path
 * without links, at commit) and write it whole: l (empty) gets its files.
 */
static int revisions_make(struct gitops_git_repo *r, const char *commit, const char *rpath, const char *pkey,
			  const char *name, const char *final, struct rlist *l, struct gitops_err *err)
{
	char oldname[GIT_OID_HEXSZ + 20];
	struct gitops_buf old = GITOPS_BUF_INIT, oldtext = GITOPS_BUF_INIT;
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_oid oid, id;
	cJSON *map = NULL, *oldmap = NULL;
	char *text = NULL;
	size_t i, left = 0;
	int found, ret = -1, is_blob = 0;

	/* the files of the checkout and their blobs */
	if (git_oid_fromstr(&oid, commit) < 0 || git_commit_lookup(&c, r->repo, &oid) < 0 ||
	    subtree_of(r->repo, c, rpath, &t, &id, &found) < 0 || !found) {
		gitops_git_error(err, -1, NULL, "reading the commit's tree");
		goto done;
	}
	if (t) {
		if (git_tree_walk(t, GIT_TREEWALK_PRE, rlist_walk_cb, l) < 0) {
			if (l->gitlink)
				path_error(err, r, rpath, commit, "'%s%s%s' is a submodule (gitops-fetch does not check out "
					   "submodules)", rpath, *rpath ? "/" : "", l->gitlink);
			else
				gitops_err_oom(err);
			goto done;
		}
	} else {
		const char *base = strrchr(rpath, '/');
		git_tree *ct = NULL;
		git_tree_entry *te = NULL;
		unsigned mode = GIT_FILEMODE_BLOB;
		is_blob = 1;
		if (git_commit_tree(&ct, c) == 0 && git_tree_entry_bypath(&te, ct, rpath) == 0)
			mode = (unsigned)git_tree_entry_filemode(te);
		git_tree_entry_free(te);
		git_tree_free(ct);
		if (rlist_add(l, base ? base + 1 : rpath, &id, mode) < 0) {
			gitops_err_oom(err);
			goto done;
		}
	}
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), rfile_cmp);
	/* what an older checkout of the same path knew, for the files whose content is the same */
	if (previous_checkout(r, pkey, name, oldname, sizeof(oldname)) &&
	    gitops_buf_printf(&old, "%s/%s.revisions.json", r->checkouts, oldname) >= 0 &&
	    gitops_buf_read_file(&oldtext, old.data, MAX_REVISIONS, NULL) == 0)
		oldmap = gitops_json_read(oldtext.data, oldtext.len);
	gitops_buf_release(&oldtext);
	{
		/* both in path order (the file is written so): one pass over each */
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(oldmap, "files");
		e = cJSON_IsObject(e) ? e->child : NULL;
		for (i = 0; i < l->n; i++) {
			const char *blob, *rev;
			const cJSON *size;
			char hex[GIT_OID_HEXSZ + 1];
			while (e && e->string && strcmp(e->string, l->v[i].path) < 0)
				e = e->next;
			if (!e || !e->string || strcmp(e->string, l->v[i].path)) {
				left++;
				continue;
			}
			blob = gitops_json_get_string(e, "blob", NULL);
			rev = gitops_json_get_string(e, "revision", NULL);
			size = cJSON_GetObjectItemCaseSensitive(e, "size");
			git_oid_tostr(hex, sizeof(hex), &l->v[i].blob);
			if (!blob || strcmp(blob, hex) != 0) {
				left++;
				continue;
			}
			if (cJSON_IsNumber(size) && size->valuedouble >= 0)
				l->v[i].size = (long long)size->valuedouble;
			if (rev && strlen(rev) == GIT_OID_HEXSZ && is_hex(rev, GIT_OID_HEXSZ))
				memcpy(l->v[i].rev, rev, GIT_OID_HEXSZ + 1);
			else
				left++;
		}
	}
	if (left && resolve_revisions(r->repo, commit, rpath, is_blob, l, left) < 0) {
		gitops_git_error(err, -1, NULL, "walking the history");
		goto done;
	}
	if (fill_sizes(r->repo, l) < 0) {
		mirror_corrupt(r->mirror, err);
		goto done;
	}
	/* {"version": 3, "commit": C, "commits": [C, ...], "files": {"PATH": {"blob": B, "revision": R, "size": N,
	 * "mode": M}}} */
	for (i = 0; i < l->n; i++)
		if (!l->v[i].rev[0])
			memcpy(l->v[i].rev, commit, GIT_OID_HEXSZ + 1);
	map = cJSON_CreateObject();
	{
		cJSON *files, *order;
		gitops_value_add_int(map, "version", REVISIONS_VERSION);
		cJSON_AddStringToObject(map, "commit", commit);
		if (!(order = cJSON_AddArrayToObject(map, "commits")) ||
		    order_commits(r->repo, commit, l, oldmap, order) < 0) {
			gitops_git_error(err, -1, NULL, "ordering the revisions");
			goto done;
		}
		files = cJSON_AddObjectToObject(map, "files");
		for (i = 0; files && i < l->n; i++) {
			cJSON *f = cJSON_AddObjectToObject(files, l->v[i].path);
			char hex[GIT_OID_HEXSZ + 1], mode[8];
			git_oid_tostr(hex, sizeof(hex), &l->v[i].blob);
			snprintf(mode, sizeof(mode), "%06o", l->v[i].mode);
			if (!l->v[i].rev[0])
				memcpy(l->v[i].rev, commit, GIT_OID_HEXSZ + 1);
			cJSON_AddStringToObject(f, "blob", hex);
			cJSON_AddStringToObject(f, "revision", l->v[i].rev);
			gitops_value_add_int(f, "size", l->v[i].size);
			cJSON_AddStringToObject(f, "mode", mode);
		}
	}
	if (!(text = gitops_json_text(map))) {
		gitops_err_oom(err);
		goto done;
	}
	/* written whole under a temporary name, then renamed into place */
	if (gitops_fs_write_atomic(final, text, strlen(text), 0444, err) < 0)
		goto done;
	ret = 0;
done:
	free(text);
	cJSON_Delete(map);
	cJSON_Delete(oldmap);
	git_tree_free(t);
	git_commit_free(c);
	gitops_buf_release(&old);
	return ret;
}

/*
 * The revisions file of checkout `name` (of rpath at commit): reused when
 * it is whole and of this version, else computed and written.  l (empty)
 * gets its files; *file (may be NULL; the caller's) its path.
 */
static int revisions_ensure(struct gitops_git_repo *r, const char *commit, const char *rpath, const char *pkey,
			    const char *name, struct rlist *l, char **file, struct gitops_err *err)
{
	struct gitops_buf final = GITOPS_BUF_INIT;
	int ret = -1, loaded;

	if (gitops_buf_printf(&final, "%s/%s.revisions.json", r->checkouts, name) < 0)
		return gitops_err_oom(err);
	loaded = revisions_load(final.data, commit, l);
	if (loaded < 0) {
		gitops_err_oom(err);
		goto done;
	}
	if (!loaded && revisions_make(r, commit, rpath, pkey, name, final.data, l, err) < 0)
		goto done;
	if (file && !(*file = gitops_buf_detach(&final))) {
		gitops_err_oom(err);
		goto done;
	}
	ret = 0;
done:
	if (ret < 0)
		rlist_release(l);
	gitops_buf_release(&final);
	return ret;
}

int gitops_git_revisions(struct gitops_git_repo *r, const char *commit, const char *path, char **file,
			 struct gitops_err *err)
{
	char pkey[17], name[GIT_OID_HEXSZ + 20];
	struct rlist l = { NULL, 0, 0, NULL };
	git_tree *root = NULL;
	git_tree_entry *te = NULL;
	char *resolved = NULL;
	int ret = -1, whole;

	*file = NULL;
	if (checkout_of(r, commit, path, &root, &resolved, &te, &whole, pkey, name, err) < 0)
		goto done;
	ret = revisions_ensure(r, commit, whole ? "" : resolved, pkey, name, &l, file, err);
done:
	rlist_release(&l);
	free(resolved);
	git_tree_entry_free(te);
	git_tree_free(root);
	return ret;
}

/* ------------------------------------------------------------ checkouts checked */

/* A walk of a checkout against the files its revisions list. */
struct match {
	const struct rlist *l;
	unsigned char *found;   /* which of them were found */
	size_t nfound;
	struct gitops_buf rel;  /* the directory walked, relative to the checkout, with a trailing '/' */
	char *why;              /* the first difference */
	size_t size;
};

/* 1 the directory dfd (taken and closed) holds what the list says so far; 0 not (m->why says why); -1 errno. */
static int dir_matches(struct match *m, int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	size_t mark = m->rel.len;
	int ret = 1;

	if (!d) {
		close(dfd);
		return -1;
	}
	while (ret == 1 && (errno = 0, de = readdir(d))) {
		const struct rfile *f;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		m->rel.len = mark;
		if (gitops_buf_addstr(&m->rel, de->d_name) < 0) {
			errno = ENOMEM;
			ret = -1;
			break;
		}
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = -1;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int cfd;
			if (depth >= MAX_TREE_DEPTH) {
				snprintf(m->why, m->size, "'%s' is nested too deep", m->rel.data);
				ret = 0;
				break;
			}
			if (gitops_buf_add(&m->rel, "/", 1) < 0) {
				errno = ENOMEM;
				ret = -1;
				break;
			}
			cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			ret = cfd < 0 ? -1 : dir_matches(m, cfd, depth + 1);
			continue;
		}
		f = rlist_find(m->l, m->rel.data);
		if (!f || !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
			snprintf(m->why, m->size, "'%s' is not a file of the commit", m->rel.data);
			ret = 0;
		} else if (S_ISLNK(st.st_mode) != (f->mode == GIT_FILEMODE_LINK)) {
			snprintf(m->why, m->size, "'%s' is %s", m->rel.data,
				 S_ISLNK(st.st_mode) ? "a symbolic link, not a file" : "a file, not a symbolic link");
			ret = 0;
		} else if (f->size >= 0 && (long long)st.st_size != f->size) {
			snprintf(m->why, m->size, "'%s' has %lld bytes, not %lld", m->rel.data, (long long)st.st_size,
				 f->size);
			ret = 0;
		} else if (S_ISREG(st.st_mode) && ((st.st_mode & S_IXUSR) != 0) != (f->mode == GIT_FILEMODE_BLOB_EXECUTABLE)) {
			snprintf(m->why, m->size, "'%s' is %sexecutable", m->rel.data, st.st_mode & S_IXUSR ? "" : "not ");
			ret = 0;
		} else if (!m->found[f - m->l->v]) {
			m->found[f - m->l->v] = 1;
			m->nfound++;
		}
	}
	if (ret == 1 && errno)
		ret = -1;
	m->rel.len = mark;
	if (m->rel.data)
		m->rel.data[mark] = '\0';
	closedir(d);
	return ret;
}

/*
 * Whether the checkout `name` (under the directory cdir) holds exactly the
 * files l lists: each with its type, size and executable bit, and no other
 * file or link.  1 it does; 0 not (why, of size bytes, says the first
 * difference); -1 a system error (errno).
 */
static int checkout_matches(int cdir, const char *name, const struct rlist *l, char *why, size_t size)
{
	struct match m = { l, calloc(l->n + 1, 1), 0, GITOPS_BUF_INIT, why, size };
	size_t i;
	int fd, ret = -1;

	if (!m.found) {
		errno = ENOMEM;
		return -1;
	}
	fd = openat(cdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)) {
		snprintf(why, size, "%s", errno == ENOENT ? "it is gone" : "it is no directory");
		ret = 0;
		goto done;
	}
	if (fd < 0)
		goto done;
	ret = dir_matches(&m, fd, 0);
	if (ret == 1 && m.nfound != l->n) {
		for (i = 0; i < l->n && m.found[i]; i++)
			;
		snprintf(why, size, "'%s' is missing", i < l->n ? l->v[i].path : "?");
		ret = 0;
	}
done:
	free(m.found);
	gitops_buf_release(&m.rel);
	return ret;
}

/* Whether the older checkout `oldname` still holds what its revisions file says, so that it may lend files. */
static int lender_whole(const struct gitops_git_repo *r, int cdir, const char *oldname)
{
	struct gitops_buf file = GITOPS_BUF_INIT;
	struct rlist l = { NULL, 0, 0, NULL };
	char commit[GIT_OID_HEXSZ + 1], why[256];
	int whole = 0;

	memcpy(commit, oldname, GIT_OID_HEXSZ);
	commit[GIT_OID_HEXSZ] = '\0';
	if (gitops_buf_printf(&file, "%s/%s.revisions.json", r->checkouts, oldname) >= 0 &&
	    revisions_load(file.data, commit, &l) == 1)
		whole = checkout_matches(cdir, oldname, &l, why, sizeof(why)) == 1;
	rlist_release(&l);
	gitops_buf_release(&file);
	return whole;
}

/*
 * Take the checkout `name` out of its place under a name no run trusts,
 * then remove it: a reader that holds it reads on under the old name, which
 * the new checkout takes, and that holds the same files.
 */
static int set_aside(int cdir, const char *name)
{
	char aside[GIT_OID_HEXSZ + 64];

	snprintf(aside, sizeof(aside), ".tmp-bad-%s-%ld", name, (long)getpid());
	rm_tree_at(cdir, aside, 0);
	if (renameat(cdir, name, cdir, aside) < 0)
		return -1;
	rm_tree_at(cdir, aside, 0);
	return 0;
}

/* Did this run already write or check the checkout `name`? */
static int used_already(const struct gitops_git_repo *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nused; i++)
		if (!strcmp(r->used[i], name))
			return 1;
	return 0;
}

int gitops_git_checkout(struct gitops_git_repo *r, const char *commit, const char *path, char **root_dir, char **dir,
			struct gitops_err *err)
{
	char pkey[17], name[GIT_OID_HEXSZ + 20], oldname[GIT_OID_HEXSZ + 20], tmp[GIT_OID_HEXSZ + 64], why[512];
	struct gitops_buf final = GITOPS_BUF_INIT;
	struct rlist l = { NULL, 0, 0, NULL };
	git_tree *root = NULL, *oroot = NULL;
	git_tree_entry *te = NULL, *ote = NULL;
	char *resolved = NULL;
	const char *cpath;      /* the path the checkout holds: "" the whole commit */
	struct writer w;
	struct stat st;
	int cdir = -1, dfd = -1, ofd = -1, ret = -1, made = 0, whole;

	*dir = NULL;
	*root_dir = NULL;
	memset(&w, 0, sizeof(w));
	if (checkout_of(r, commit, path, &root, &resolved, &te, &whole, pkey, name, err) < 0)
		goto done;
	cpath = whole ? "" : resolved;
	if (gitops_buf_printf(&final, "%s/%s", r->checkouts, name) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	cdir = open(r->checkouts, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cdir < 0) {
		gitops_err_errno(err, errno, r->checkouts);
		goto done;
	}
	/* another --path of this run in the same checkout: written or checked moments ago */
	if (whole && used_already(r, name) && fstatat(cdir, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		goto found;
	if (fstatat(cdir, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		/*
		 * Reused only while it holds what the commit does: a tmp cleaner or
		 * a full disk may have taken files from it, and fewer files render
		 * fewer objects, which a sync would prune.
		 */
		int m;
		if (revisions_ensure(r, commit, cpath, pkey, name, &l, NULL, err) < 0)
			goto done;
		m = checkout_matches(cdir, name, &l, why, sizeof(why));
		if (m < 0) {
			gitops_err_errno(err, errno, final.data);
			goto done;
		}
		if (m > 0) {
			utimensat(cdir, name, NULL, AT_SYMLINK_NOFOLLOW);
			goto found;
		}
		report_warning(r, "the checkout %s does not match commit %.12s (%s): checking it out again", final.data,
			       commit, why);
		if (set_aside(cdir, name) < 0) {
			gitops_err_errno(err, errno, final.data);
			goto done;
		}
	}
	w.repo = r->repo;
	w.mirror = r->mirror;
	w.opts = &r->opts;
	w.display = r->url->display;
	w.path = path;
	w.base = cpath;
	w.commit = commit;
	w.whole = whole;
	/* an older checkout of the same path lends the files that did not change, if it is still whole */
	if (previous_checkout(r, pkey, name, oldname, sizeof(oldname)) && lender_whole(r, cdir, oldname) &&
	    entry_at(r->repo, oldname, cpath, &oroot, &ote) == 0)
		ofd = openat(cdir, oldname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	snprintf(tmp, sizeof(tmp), ".tmp-%s-%ld", name, (long)getpid());
	rm_tree_at(cdir, tmp, 0);
	if (mkdirat(cdir, tmp, 0755) < 0 || (dfd = openat(cdir, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		gitops_err_errno(err, errno, r->checkouts);
		goto done;
	}
	made = 1;
	if (whole) {
		ret = write_tree(&w, root, dfd, oroot, ofd, 0, err);
	} else {
		/* a file: a directory holding it (a file of the older checkout's directory may lend it) */
		int lfd = -1;
		if (ofd >= 0 && ote && git_tree_entry_type(ote) == GIT_OBJECT_BLOB)
			lfd = ofd;
		ret = write_entry(&w, te, dfd, lfd >= 0 ? ote : NULL, lfd, 0, err);
	}
	if (ret < 0)
		goto done;
	ret = -1;
	if (fchmod(dfd, 0555) < 0) {
		gitops_err_errno(err, errno, tmp);
		goto done;
	}
	if (renameat(cdir, tmp, cdir, name) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			gitops_err_errno(err, errno, final.data);
			goto done;
		}
		rm_tree_at(cdir, tmp, 0);
	}
	made = 0;
	if (r->opts.progress) {
		char msg[160];
		snprintf(msg, sizeof(msg), "checked out %zu files, %.1f MiB, of commit %.12s", w.files,
			 (double)w.bytes / (1 << 20), commit);
		r->opts.progress(r->opts.ctx, msg);
	}
found:
	if (remember_used(r, name) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	/* the directory asked for, inside the checkout of the whole commit */
	if (!(*root_dir = strdup(final.data)) ||
	    (whole && *resolved && (gitops_buf_add(&final, "/", 1) < 0 || gitops_buf_addstr(&final, resolved) < 0))) {
		free(*root_dir);
		*root_dir = NULL;
		gitops_err_oom(err);
		goto done;
	}
	*dir = gitops_buf_detach(&final);
	ret = 0;
	if (!*dir) {
		free(*root_dir);
		*root_dir = NULL;
		ret = gitops_err_oom(err);
	}
done:
	if (made)
		rm_tree_at(cdir, tmp, 0);
	if (dfd >= 0)
		close(dfd);
	if (ofd >= 0)
		close(ofd);
	if (cdir >= 0)
		close(cdir);
	rlist_release(&l);
	gitops_buf_release(&w.rel);
	free(resolved);
	git_tree_entry_free(te);
	git_tree_entry_free(ote);
	git_tree_free(root);
	git_tree_free(oroot);
	gitops_buf_release(&final);
	return ret;
}

/*
 * Checkouts are removed by age, but never one a reader holds: gitops-render
 * takes a shared flock(2) on the checkout it reads, for as long as it
 * reads; here each old checkout is locked exclusively without waiting
 * (skipped when a reader holds it), renamed out of its place while locked,
 * and only then removed, so that a reader never finds one half removed
 * under its name.  Reader locks rather than GC by age alone: a render may
 * read for longer than any age limit, and a lock ends with its process.
 */
int gitops_git_gc(struct gitops_git_repo *r, struct gitops_err *err)
{
	DIR *d = opendir(r->checkouts);
	struct dirent *de;
	struct aged *all = NULL;
	size_t n = 0, cap = 0, i, j, kept = 0;
	int ret = 0;

	if (!d)
		return gitops_err_errno(err, errno, r->checkouts);
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			struct aged *na = realloc(all, (cap = cap ? cap * 2 : 16) * sizeof(*na));
			if (!na) {
				ret = gitops_err_oom(err);
				goto done;
			}
			all = na;
		}
		all[n].name = strdup(de->d_name);
		all[n].mtime = st.st_mtim.tv_sec;
		all[n].nsec = st.st_mtim.tv_nsec;
		if (!all[n].name) {
			ret = gitops_err_oom(err);
			goto done;
		}
		n++;
	}
	qsort(all, n, sizeof(*all), newest_first);
	for (i = 0; i < n; i++) {
		char aside[GIT_OID_HEXSZ + 64], side[GIT_OID_HEXSZ + 64];
		int used = 0, fd;
		for (j = 0; j < r->nused; j++)
			if (!strcmp(r->used[j], all[i].name))
				used = 1;
		if (used || kept < r->opts.keep) {
			kept++;
			continue;
		}
		fd = openat(dirfd(d), all[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			/* a reader holds it: it stays until a later run */
			if (errno != EWOULDBLOCK && errno != EINTR && !ret)
				ret = gitops_err_errno(err, errno, all[i].name);
			close(fd);
			continue;
		}
		snprintf(aside, sizeof(aside), ".tmp-gc-%s-%ld", all[i].name, (long)getpid());
		snprintf(side, sizeof(side), "%s.revisions.json", all[i].name);
		if (renameat(dirfd(d), all[i].name, dirfd(d), aside) < 0) {
			if (!ret)
				ret = gitops_err_errno(err, errno, all[i].name);
			close(fd);
			continue;
		}
		unlinkat(dirfd(d), side, 0);
		close(fd);
		if (rm_tree_at(dirfd(d), aside, 0) < 0 && !ret)
			ret = gitops_err_errno(err, errno, aside);
	}
done:
	for (i = 0; i < n; i++)
		free(all[i].name);
	free(all);
	closedir(d);
	return ret;
}

/* ------------------------------------------------------------------ state */

static cJSON *state_json(const char *repository, const char *ref, char *const *paths, size_t npaths, const char *commit)
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateArray();
	size_t i;

	if (!o || !a) {
		cJSON_Delete(o);
		cJSON_Delete(a);
		return NULL;
	}
	cJSON_AddItemToObject(o, "repository", cJSON_CreateString(repository));
	cJSON_AddItemToObject(o, "ref", cJSON_CreateString(ref));
	for (i = 0; i < npaths; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(paths[i]));
	cJSON_AddItemToObject(o, "paths", a);
	cJSON_AddItemToObject(o, "commit", cJSON_CreateString(commit));
	return o;
}

int gitops_git_state_unchanged(const char *file, const char *repository, const char *ref, char *const *paths,
			       size_t npaths, const char *commit, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	cJSON *have = NULL, *want = NULL;
	int ret;

	if (access(file, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (gitops_buf_read_file(&b, file, MAX_STATE, err) < 0)
		return -1;
	have = gitops_json_read(b.data ? b.data : "", b.len);
	want = state_json(repository, ref, paths, npaths, commit);
	if (!want)
		ret = gitops_err_oom(err);
	else
		ret = have && gitops_value_equal(have, want) ? 1 : 0;
	cJSON_Delete(have);
	cJSON_Delete(want);
	gitops_buf_release(&b);
	return ret;
}

int gitops_git_state_write(const char *file, const char *repository, const char *ref, char *const *paths,
			   size_t npaths, const char *commit, struct gitops_err *err)
{
	cJSON *o = state_json(repository, ref, paths, npaths, commit);
	struct gitops_buf text = GITOPS_BUF_INIT;
	char *json = NULL;
	int ret = -1;

	if (!o || gitops_json_print(&json, o, GITOPS_JSON_INDENT, NULL) || gitops_buf_printf(&text, "%s\n", json) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	ret = gitops_fs_write_atomic(file, text.data, text.len, 0644, err);
done:
	free(json);
	cJSON_Delete(o);
	gitops_buf_release(&text);
	return ret;
}
