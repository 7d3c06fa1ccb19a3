/* Unit tests for lib/git.c: repository addresses, paths, known_hosts matching, the state file. */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/git/git.h"
#include "tests/unit/check_main.h"

static const struct {
	const char *in;
	int scheme;             /* -1: an error */
	const char *url, *display, *user, *password, *host;
	int port;
	const char *name;       /* or, for an error, the message */
} urls[] = {
	{ "https://git.example.com/ops/deploy.git", GITOPS_GIT_HTTPS, "https://git.example.com/ops/deploy.git",
	  "https://git.example.com/ops/deploy.git", NULL, NULL, "git.example.com", 0, "deploy" },
	{ "https://bob:s%40cret@git.example.com:8443/ops/deploy", GITOPS_GIT_HTTPS,
	  "https://git.example.com:8443/ops/deploy", "https://git.example.com:8443/ops/deploy", "bob", "s@cret",
	  "git.example.com", 8443, "deploy" },
	{ "http://tok@[::1]:8080/a/b.git/", GITOPS_GIT_HTTP, "http://[::1]:8080/a/b.git/", "http://[::1]:8080/a/b.git/",
	  "tok", NULL, "::1", 8080, "b" },
	{ "ssh://git@git.example.com:2222/ops/deploy.git", GITOPS_GIT_SSH, "ssh://git@git.example.com:2222/ops/deploy.git",
	  "ssh://git@git.example.com:2222/ops/deploy.git", "git", NULL, "git.example.com", 2222, "deploy" },
	{ "ssh://git:pw@h/r", GITOPS_GIT_SSH, "ssh://git@h/r", "ssh://git@h/r", "git", "pw", "h", 0, "r" },
	{ "git@github.com:org/repo.git", GITOPS_GIT_SSH, "git@github.com:org/repo.git", "git@github.com:org/repo.git",
	  "git", NULL, "github.com", 0, "repo" },
	{ "host:repo", GITOPS_GIT_SSH, "host:repo", "host:repo", NULL, NULL, "host", 0, "repo" },
	{ "git://127.0.0.1:9418/x.git", GITOPS_GIT_GIT, "git://127.0.0.1:9418/x.git", "git://127.0.0.1:9418/x.git", NULL,
	  NULL, "127.0.0.1", 9418, "x" },
	{ "file:///srv/git/app.git", GITOPS_GIT_FILE, "file:///srv/git/app.git", "file:///srv/git/app.git", NULL, NULL,
	  NULL, 0, "app" },
	{ "ftp://h/r", -1, NULL, NULL, NULL, NULL, NULL, 0,
	  "unsupported repository address scheme 'ftp' (https, http, ssh, git or file)" },
	{ "https://h", -1, NULL, NULL, NULL, NULL, NULL, 0, "the repository address names no repository path" },
	{ "https://h:99999/r", -1, NULL, NULL, NULL, NULL, NULL, 0, "a bad port in the repository address" },
	{ "https://user@/r", -1, NULL, NULL, NULL, NULL, NULL, 0, "the repository address names no host" },
	{ "https://h/a b", -1, NULL, NULL, NULL, NULL, NULL, 0,
	  "the repository address holds blanks or control characters" },
	{ "file://relative/x", -1, NULL, NULL, NULL, NULL, NULL, 0, "a file:// address needs an absolute path" },
	{ "", -1, NULL, NULL, NULL, NULL, NULL, 0, "an empty repository address" },
};

static void str_eq(const char *what, const char *want, const char *got)
{
	if (!want)
		ck_assert_msg(!got, "%s: want NULL, got '%s'", what, got);
	else
		ck_assert_msg(got && !strcmp(want, got), "%s: want '%s', got '%s'", what, want, got ? got : "(null)");
}

START_TEST(test_url)
{
	struct gitops_git_url u;
	struct gitops_err err = GITOPS_ERR_INIT;
	int r = gitops_git_url_parse(&u, urls[_i].in, &err);

	if (urls[_i].scheme < 0) {
		ck_assert_int_eq(r, -1);
		ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
		ck_assert_str_eq(err.msg, urls[_i].name);
		return;
	}
	ck_assert_msg(r == 0, "%s: %s", urls[_i].in, err.msg);
	ck_assert_int_eq(u.scheme, urls[_i].scheme);
	str_eq("url", urls[_i].url, u.url);
	str_eq("display", urls[_i].display, u.display);
	str_eq("user", urls[_i].user, u.user);
	str_eq("password", urls[_i].password, u.password);
	str_eq("host", urls[_i].host, u.host);
	ck_assert_int_eq(u.port, urls[_i].port);
	str_eq("name", urls[_i].name, u.name);
	/* a password is never in what is shown or given to libgit2 */
	if (u.password) {
		ck_assert_ptr_null(strstr(u.display, u.password));
		ck_assert_ptr_null(strstr(u.url, u.password));
	}
	gitops_git_url_release(&u);
}
END_TEST

START_TEST(test_url_local_path)
{
	struct gitops_git_url u;
	struct gitops_err err = GITOPS_ERR_INIT;
	char cwd[4096];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(gitops_git_url_parse(&u, ".", &err), 0);
	ck_assert_int_eq(u.scheme, GITOPS_GIT_FILE);
	ck_assert_str_eq(u.display, cwd);
	gitops_git_url_release(&u);
	ck_assert_int_eq(gitops_git_url_parse(&u, "./no/such/dir", &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_IO);
	ck_assert_str_eq(err.msg, "./no/such/dir: No such file or directory");
}
END_TEST

static const struct {
	const char *in, *out;   /* out NULL: refused */
} paths[] = {
	{ "", "" }, { ".", "" }, { "./", "" }, { "envs/prod", "envs/prod" }, { "./envs//prod/", "envs/prod" },
	{ "a/./b/.", "a/b" }, { "..", NULL }, { "a/../b", NULL }, { "a/..", NULL }, { "/etc", NULL },
	{ "..a/b..", "..a/b.." }, { "a/.../b", "a/.../b" },
};

START_TEST(test_path)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *out = NULL;
	int r = gitops_git_path_normalize(&out, paths[_i].in, &err);

	if (!paths[_i].out) {
		ck_assert_int_eq(r, -1);
		ck_assert_int_eq(err.code, GITOPS_EXIT_USAGE);
		ck_assert_ptr_null(out);
		return;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(out, paths[_i].out);
	free(out);
}
END_TEST

/* A host key blob as the ssh wire format has it: string "ssh-ed25519", string key. */
static size_t make_key(unsigned char *out, unsigned char seed)
{
	static const char type[] = "ssh-ed25519";
	size_t n = 0, i;

	out[n++] = 0, out[n++] = 0, out[n++] = 0, out[n++] = 11;
	memcpy(out + n, type, 11);
	n += 11;
	out[n++] = 0, out[n++] = 0, out[n++] = 0, out[n++] = 32;
	for (i = 0; i < 32; i++)
		out[n++] = (unsigned char)(seed + i * 7);
	return n;
}

static void b64(char *out, const unsigned char *in, size_t n)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* "|1|salt|hash" for name, as ssh-keygen -H writes it. */
static void hashed(char *out, const char *name)
{
	unsigned char salt[20], mac[20];
	unsigned int len = 0;
	char s64[64], h64[64];
	size_t i;

	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (unsigned char)(i * 13 + 1);
	HMAC(EVP_sha1(), salt, sizeof(salt), (const unsigned char *)name, strlen(name), mac, &len);
	b64(s64, salt, sizeof(salt));
	b64(h64, mac, sizeof(mac));
	sprintf(out, "|1|%s|%s", s64, h64);
}

static const struct {
	const char *host_field;  /* "%H": hashed form of "[127.0.0.1]:2222" */
	char which;              /* 'k': the right key, 'o': another key of the same type, 'r': revoked right key */
	const char *host;
	int port;
	int want;                /* 1 match; 0 refused */
	const char *msg;         /* start of the message when refused */
} known[] = {
	{ "[127.0.0.1]:2222", 'k', "127.0.0.1", 2222, 1, NULL },
	{ "127.0.0.1", 'k', "127.0.0.1", 22, 1, NULL },
	{ "127.0.0.1", 'k', "127.0.0.1", 2222, 0, "F: unknown ssh host key for [127.0.0.1]:2222 (ssh-ed25519 SHA256:" },
	{ "%H", 'k', "127.0.0.1", 2222, 1, NULL },
	{ "%H", 'k', "127.0.0.2", 2222, 0, "F: unknown ssh host key" },
	{ "Git.Example.COM", 'k', "git.example.com", 0, 1, NULL },
	{ "*.example.com", 'k', "git.example.com", 22, 1, NULL },
	{ "git?.example.com", 'k', "git1.example.com", 22, 1, NULL },
	{ "git?.example.com", 'k', "git12.example.com", 22, 0, "F: unknown" },
	{ "*,!git.example.com", 'k', "git.example.com", 22, 0, "F: unknown" },
	{ "[127.0.0.1]:2222", 'o', "127.0.0.1", 2222, 0, "F:1: the ssh host key of [127.0.0.1]:2222 has CHANGED" },
	{ "*", 'r', "127.0.0.1", 2222, 0, "F: the ssh host key of [127.0.0.1]:2222 (ssh-ed25519 SHA256:" },
};

START_TEST(test_known_hosts)
{
	unsigned char key[64], other[64];
	size_t kl = make_key(key, 1), ol = make_key(other, 2);
	char kb[128], ob[128], hostf[256], file[] = "/tmp/test_git_known.XXXXXX";
	struct gitops_err err = GITOPS_ERR_INIT;
	FILE *fp;
	int fd, r;

	b64(kb, key, kl);
	b64(ob, other, ol);
	if (!strcmp(known[_i].host_field, "%H"))
		hashed(hostf, "[127.0.0.1]:2222");
	else
		snprintf(hostf, sizeof(hostf), "%s", known[_i].host_field);
	fd = mkstemp(file);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	if (known[_i].which == 'r')
		fprintf(fp, "* ssh-ed25519 %s\n# comment\n@revoked %s ssh-ed25519 %s\n", kb, hostf, kb);
	else
		fprintf(fp, "%s ssh-ed25519 %s comment\n", hostf, known[_i].which == 'k' ? kb : ob);
	fclose(fp);
	r = gitops_git_known_hosts_check(file, known[_i].host, known[_i].port, key, kl, &err);
	ck_assert_msg(r == known[_i].want, "line '%s' host %s:%d: got %d (%s)", hostf, known[_i].host, known[_i].port, r,
		      err.msg);
	if (known[_i].msg) {
		char want[512];
		snprintf(want, sizeof(want), "%s%s", file, known[_i].msg + 1);
		ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "want '%s...', got '%s'", want, err.msg);
		ck_assert_int_eq(err.code, GITOPS_EXIT_UNREACHABLE);
	}
	unlink(file);
}
END_TEST

START_TEST(test_known_hosts_missing_file)
{
	unsigned char key[64];
	size_t kl = make_key(key, 1);
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_eq(gitops_git_known_hosts_check("/nonexistent/known_hosts", "h", 22, key, kl, &err), 0);
	ck_assert_msg(!strncmp(err.msg, "/nonexistent/known_hosts: unknown ssh host key for h (ssh-ed25519 SHA256:", 70),
		      "%s", err.msg);
}
END_TEST

START_TEST(test_state)
{
	char file[] = "/tmp/test_git_state.XXXXXX";
	char *ps[] = { "envs/prod", "envs/dev" };
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *c1 = "0123456789abcdef0123456789abcdef01234567", *c2 = "1123456789abcdef0123456789abcdef01234567";
	int fd = mkstemp(file);

	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(file);
	ck_assert_int_eq(gitops_git_state_unchanged(file, "r", "main", ps, 2, c1, &err), 0);
	ck_assert_int_eq(gitops_git_state_write(file, "r", "main", ps, 2, c1, &err), 0);
	ck_assert_int_eq(gitops_git_state_unchanged(file, "r", "main", ps, 2, c1, &err), 1);
	ck_assert_int_eq(gitops_git_state_unchanged(file, "r", "main", ps, 2, c2, &err), 0);
	ck_assert_int_eq(gitops_git_state_unchanged(file, "r", "main", ps, 1, c1, &err), 0);
	ck_assert_int_eq(gitops_git_state_unchanged(file, "r", "dev", ps, 2, c1, &err), 0);
	ck_assert_int_eq(gitops_git_state_unchanged(file, "r2", "main", ps, 2, c1, &err), 0);
	unlink(file);
	ck_assert_int_eq(gitops_git_state_write("/nonexistent/dir/state", "r", "main", ps, 2, c1, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_IO);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("git");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_url, 0, sizeof(urls) / sizeof(urls[0]));
	tcase_add_test(tc, test_url_local_path);
	tcase_add_loop_test(tc, test_path, 0, sizeof(paths) / sizeof(paths[0]));
	tcase_add_loop_test(tc, test_known_hosts, 0, sizeof(known) / sizeof(known[0]));
	tcase_add_test(tc, test_known_hosts_missing_file);
	tcase_add_test(tc, test_state);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
