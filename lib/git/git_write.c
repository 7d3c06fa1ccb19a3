#include "lib/git/git_write.h"
#include "lib/base/fs.h"
#include "lib/net/http.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#define MAX_MESSAGE (1u << 20)
#define TMP_REF "refs/gitops-bump/push"
#define TMP_REF_GLOB "refs/gitops-bump/*"

/* ------------------------------------------------------------------ small helpers */

static void oid_hex(char out[GIT_OID_HEXSZ + 1], const git_oid *id)
{
	git_oid_tostr(out, GIT_OID_HEXSZ + 1, id);
}

/* ------------------------------------------------------------------ the view */

struct update {
	char *path;
	git_oid id;
	git_filemode_t mode;
};

struct gitops_git_edit {
	git_repository *repo;
	git_tree *root;
	char *branch;
	char commit[GIT_OID_HEXSZ + 1];
	struct update *ups;
	size_t nups, capups;
	char *message;
};

const char *gitops_git_edit_branch(const struct gitops_git_edit *e)
{
	return e->branch;
}

const char *gitops_git_edit_commit(const struct gitops_git_edit *e)
{
	return e->commit;
}

static enum gitops_git_kind kind_of(git_filemode_t m)
{
	switch (m) {
	case GIT_FILEMODE_TREE:
		return GITOPS_GIT_KIND_DIR;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		return GITOPS_GIT_KIND_FILE;
	case GIT_FILEMODE_LINK:
		return GITOPS_GIT_KIND_LINK;
	default:
		return GITOPS_GIT_KIND_OTHER;
	}
}

static int lib_error(struct gitops_err *err, int e, const char *what)
{
	return gitops_git_error(err, e, NULL, what);
}

/*
 * `path` through the tree as gitops_git_tree_walk walks it (the last
 * component followed only when follow).  *kind MISSING when a component
 * is not there, or one on the way is not a directory.  *resolved (may be
 * NULL) the path reached; *entry (may be NULL) its entry (NULL for the
 * root), the caller's.
 */
static int resolve(struct gitops_git_edit *e, const char *path, int follow, enum gitops_git_kind *kind,
		   char **resolved, git_tree_entry **entry, struct gitops_err *err)
{
	struct gitops_git_walk w;
	int ret = -1;

	*kind = GITOPS_GIT_KIND_DIR;
	if (resolved)
		*resolved = NULL;
	if (entry)
		*entry = NULL;
	if (gitops_git_tree_walk(&w, e->repo, e->root, path, follow, err) < 0)
		goto done;
	switch (w.stop) {
	case GITOPS_GIT_WALK_OK:
		*kind = w.te ? kind_of(git_tree_entry_filemode(w.te)) : GITOPS_GIT_KIND_DIR;
		if (resolved && !(*resolved = strdup(w.reached.data))) {
			gitops_err_oom(err);
			goto done;
		}
		if (entry) {
			*entry = w.te;
			w.te = NULL;
		}
		ret = 0;
		break;
	case GITOPS_GIT_WALK_MISSING:
	case GITOPS_GIT_WALK_NOT_DIR:
	case GITOPS_GIT_WALK_SUBMODULE:
		*kind = GITOPS_GIT_KIND_MISSING;
		ret = 0;
		break;
	case GITOPS_GIT_WALK_ABOVE_TOP:
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: %s outside the repository", path,
			       w.links ? "a symbolic link that leads" : "leads");
		break;
	case GITOPS_GIT_WALK_LOOP:
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: too many levels of symbolic links", path);
		break;
	case GITOPS_GIT_WALK_BAD_LINK:
	case GITOPS_GIT_WALK_ABSOLUTE_LINK:
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: a symbolic link to '%.*s': outside the repository", path,
			       (int)(w.target.len > 200 ? 200 : w.target.len), w.target.data ? w.target.data : "");
		break;
	case GITOPS_GIT_WALK_GIT_ERROR:
		lib_error(err, w.error, path);
		break;
	}
done:
	gitops_git_walk_release(&w);
	return ret;
}

int gitops_git_edit_kind(struct gitops_git_edit *e, const char *path, int follow, enum gitops_git_kind *out,
			 struct gitops_err *err)
{
	return resolve(e, path, follow, out, NULL, NULL, err);
}

void gitops_git_dirents_free(struct gitops_git_dirent *d, size_t n)
{
	size_t i;

	for (i = 0; d && i < n; i++)
		free(d[i].name);
	free(d);
}

static int cmp_dirent(const void *a, const void *b)
{
	return strcmp(((const struct gitops_git_dirent *)a)->name, ((const struct gitops_git_dirent *)b)->name);
}

int gitops_git_edit_list(struct gitops_git_edit *e, const char *dir, struct gitops_git_dirent **out, size_t *n,
			 struct gitops_err *err)
{
	enum gitops_git_kind kind;
	git_tree_entry *te = NULL;
	git_tree *sub = NULL;
	const git_tree *t;
	struct gitops_git_dirent *d = NULL;
	size_t i, cnt;
	int e2;

	*out = NULL;
	*n = 0;
	if (resolve(e, dir, 1, &kind, NULL, &te, err) < 0)
		return -1;
	if (kind != GITOPS_GIT_KIND_DIR) {
		git_tree_entry_free(te);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: %s in branch %s at %.12s", *dir ? dir : ".",
				      kind == GITOPS_GIT_KIND_MISSING ? "not there" : "not a directory", e->branch, e->commit);
	}
	if (te) {
		e2 = git_tree_lookup(&sub, e->repo, git_tree_entry_id(te));
		git_tree_entry_free(te);
		if (e2 < 0)
			return lib_error(err, e2, dir);
		t = sub;
	} else {
		t = e->root;
	}
	cnt = git_tree_entrycount(t);
	if (cnt && !(d = calloc(cnt, sizeof(*d)))) {
		git_tree_free(sub);
		return gitops_err_oom(err);
	}
	for (i = 0; i < cnt; i++) {
		const git_tree_entry *x = git_tree_entry_byindex(t, i);
		d[i].kind = kind_of(git_tree_entry_filemode(x));
		if (!(d[i].name = strdup(git_tree_entry_name(x)))) {
			gitops_git_dirents_free(d, i);
			git_tree_free(sub);
			return gitops_err_oom(err);
		}
	}
	git_tree_free(sub);
	if (cnt)
		qsort(d, cnt, sizeof(*d), cmp_dirent);
	*out = d;
	*n = cnt;
	return 0;
}

int gitops_git_edit_read(struct gitops_git_edit *e, const char *path, struct gitops_buf *out, size_t max,
			 char **resolved, struct gitops_err *err)
{
	enum gitops_git_kind kind;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	char *res = NULL;
	git_object_size_t size;
	int e2, ret = -1;

	if (resolved)
		*resolved = NULL;
	out->len = 0;
	if (resolve(e, path, 1, &kind, &res, &te, err) < 0)
		return -1;
	if (kind != GITOPS_GIT_KIND_FILE) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: %s in branch %s at %.12s", path,
			       kind == GITOPS_GIT_KIND_MISSING ? "no such file" : kind == GITOPS_GIT_KIND_DIR ? "a directory, not a file" :
			       "not a file", e->branch, e->commit);
		goto done;
	}
	if ((e2 = git_blob_lookup(&blob, e->repo, git_tree_entry_id(te))) < 0) {
		lib_error(err, e2, path);
		goto done;
	}
	size = git_blob_rawsize(blob);
	if (size > (git_object_size_t)max) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: larger than the limit of %zu bytes", path, max);
		goto done;
	}
	/* NUL-terminated, an empty blob too */
	if (gitops_buf_add(out, git_blob_rawcontent(blob), (size_t)size) < 0 || !out->data) {
		gitops_err_oom(err);
		goto done;
	}
	if (resolved) {
		*resolved = res;
		res = NULL;
	}
	ret = 0;
done:
	free(res);
	git_blob_free(blob);
	git_tree_entry_free(te);
	return ret;
}

int gitops_git_edit_write(struct gitops_git_edit *e, const char *path, const void *data, size_t len,
			  struct gitops_err *err)
{
	git_tree_entry *te = NULL;
	git_oid id;
	git_filemode_t mode;
	size_t i;
	int e2;

	if ((e2 = git_tree_entry_bypath(&te, e->root, path)) < 0) {
		if (e2 == GIT_ENOTFOUND)
			return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "%s: not a file of the commit (write)", path);
		return lib_error(err, e2, path);
	}
	mode = git_tree_entry_filemode(te);
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
		git_tree_entry_free(te);
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "%s: not a regular file of the commit (write)", path);
	}
	if ((e2 = git_blob_create_from_buffer(&id, e->repo, data, len)) < 0) {
		git_tree_entry_free(te);
		return lib_error(err, e2, path);
	}
	for (i = 0; i < e->nups && strcmp(e->ups[i].path, path); i++)
		;
	if (git_oid_equal(&id, git_tree_entry_id(te))) {
		git_tree_entry_free(te);
		if (i < e->nups) {
			free(e->ups[i].path);
			e->ups[i] = e->ups[--e->nups];
		}
		return 0;
	}
	git_tree_entry_free(te);
	if (i == e->nups) {
		if (e->nups == e->capups) {
			size_t cap = e->capups ? e->capups * 2 : 8;
			struct update *p = realloc(e->ups, cap * sizeof(*p));
			if (!p)
				return gitops_err_oom(err);
			e->ups = p, e->capups = cap;
		}
		if (!(e->ups[i].path = strdup(path)))
			return gitops_err_oom(err);
		e->nups++;
	}
	e->ups[i].id = id;
	e->ups[i].mode = mode;
	return 0;
}

int gitops_git_edit_message(struct gitops_git_edit *e, const char *msg, struct gitops_err *err)
{
	char *m = strdup(msg);

	if (!m)
		return gitops_err_oom(err);
	free(e->message);
	e->message = m;
	return 0;
}

void gitops_git_edit_free(struct gitops_git_edit *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->nups; i++)
		free(e->ups[i].path);
	free(e->ups);
	free(e->message);
	free(e->branch);
	git_tree_free(e->root);
	free(e);
}

int gitops_git_edit_new(struct gitops_git_edit **out, git_repository *repo, const char *branch, const git_oid *commit,
			struct gitops_err *err)
{
	struct gitops_git_edit *e;
	git_commit *c = NULL;
	int ex;

	*out = NULL;
	/*
	 * libgit2 caches trees of up to 4 KiB only: a directory of 200 entries
	 * would be inflated again for every path under it.  Trees of up to
	 * 4 MiB stay in its object cache (bounded by its total, 256 MiB).
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)4 << 20);
	if (!(e = calloc(1, sizeof(*e))) || !(e->branch = strdup(branch))) {
		free(e);
		return gitops_err_oom(err);
	}
	e->repo = repo;
	oid_hex(e->commit, commit);
	if ((ex = git_commit_lookup(&c, repo, commit)) < 0 || (ex = git_commit_tree(&e->root, c)) < 0) {
		git_commit_free(c);
		gitops_git_error(err, ex, NULL, e->commit);
		gitops_git_edit_free(e);
		return -1;
	}
	git_commit_free(c);
	*out = e;
	return 0;
}

int gitops_git_edit_tree(struct gitops_git_edit *e, git_oid *tree, int *changed, struct gitops_err *err)
{
	git_tree_update *ups;
	size_t i;
	int ex;

	*changed = 0;
	git_oid_cpy(tree, git_tree_id(e->root));
	if (!e->nups)
		return 0;
	if (!(ups = calloc(e->nups, sizeof(*ups))))
		return gitops_err_oom(err);
	for (i = 0; i < e->nups; i++) {
		ups[i].action = GIT_TREE_UPDATE_UPSERT;
		ups[i].id = e->ups[i].id;
		ups[i].filemode = e->ups[i].mode;
		ups[i].path = e->ups[i].path;
	}
	ex = git_tree_create_updated(tree, e->repo, e->root, e->nups, ups);
	free(ups);
	if (ex < 0)
		return gitops_git_error(err, ex, NULL, "the new tree");
	*changed = !git_oid_equal(tree, git_tree_id(e->root));
	return 0;
}

const char *gitops_git_edit_get_message(const struct gitops_git_edit *e)
{
	return e->message;
}

/* ------------------------------------------------------------------ identities, dates, messages */

static int bad_ident_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '<' || s[i] == '>' || s[i] == '\n' || s[i] == '\r' || s[i] == '\0')
			return 1;
	return 0;
}

int gitops_git_ident_parse(char **name, char **email, const char *s, struct gitops_err *err)
{
	const char *lt = strchr(s, '<'), *gt, *ns, *ne;

	*name = *email = NULL;
	if (!lt || !(gt = strchr(lt + 1, '>')))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "'%s' is no identity: write it as 'Name <email>'", s);
	for (ns = s; ns < lt && (*ns == ' ' || *ns == '\t'); ns++)
		;
	for (ne = lt; ne > ns && (ne[-1] == ' ' || ne[-1] == '\t'); ne--)
		;
	if (ne == ns || gt == lt + 1)
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "'%s': the name and the email must not be empty", s);
	if (bad_ident_chars(ns, (size_t)(ne - ns)) || bad_ident_chars(lt + 1, (size_t)(gt - lt - 1)) ||
	    gt[1 + strspn(gt + 1, " \t")] != '\0')
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "'%s' is no identity: write it as 'Name <email>'", s);
	*name = strndup(ns, (size_t)(ne - ns));
	*email = strndup(lt + 1, (size_t)(gt - lt - 1));
	if (!*name || !*email) {
		free(*name), free(*email);
		*name = *email = NULL;
		return gitops_err_oom(err);
	}
	return 0;
}

/* "+HHMM", "+HH:MM", "+HH", "Z": minutes east of UTC; the end in *end.  0 or -1. */
static int parse_zone(const char *s, int *offset, const char **end)
{
	int sign, h, m = 0;

	if (*s == 'Z' || *s == 'z') {
		*offset = 0;
		*end = s + 1;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s == '-' ? -1 : 1;
	s++;
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	s += 2;
	if (*s == ':')
		s++;
	if (s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9') {
		m = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
	}
	if (h > 14 || m > 59)
		return -1;
	*offset = sign * (h * 60 + m);
	*end = s;
	return 0;
}

int gitops_git_date_parse(const char *s, git_time_t *t, int *offset, const char *what, struct gitops_err *err)
{
	const char *p = s, *end;
	struct tm tm;
	char *e;

	*offset = 0;
	/* git's own: "@SECONDS [+HHMM]" or "SECONDS +HHMM" */
	if (*p == '@' || (*p >= '0' && *p <= '9' && strspn(p, "0123456789") >= 9 && (p[strspn(p, "0123456789")] == ' ' ||
										     !p[strspn(p, "0123456789")]))) {
		long long v;
		int at = *p == '@';
		if (at)
			p++;
		errno = 0;
		v = strtoll(p, &e, 10);
		if (errno || e == p || v < 0)
			goto bad;
		p = e;
		while (*p == ' ')
			p++;
		if (*p) {
			if (parse_zone(p, offset, &end) < 0 || *end)
				goto bad;
		} else if (!at) {
			goto bad;
		}
		*t = (git_time_t)v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	/* RFC 2822 */
	if ((end = strptime(p, "%a, %d %b %Y %H:%M:%S", &tm)) || (end = strptime(p, "%d %b %Y %H:%M:%S", &tm))) {
		while (*end == ' ')
			end++;
		if (parse_zone(end, offset, &end) < 0 || *end)
			goto bad;
		*t = (git_time_t)timegm(&tm) - (git_time_t)*offset * 60;
		return 0;
	}
	/* ISO 8601 */
	memset(&tm, 0, sizeof(tm));
	if (!(end = strptime(p, "%Y-%m-%d", &tm)) || (*end != 'T' && *end != ' ') ||
	    !(end = strptime(end + 1, "%H:%M:%S", &tm)))
		goto bad;
	if (*end == '.' || *end == ',') {
		end++;
		if (*end < '0' || *end > '9')
			goto bad;
		while (*end >= '0' && *end <= '9')
			end++;
	}
	while (*end == ' ')
		end++;
	if (!*end) {
		time_t local;
		tm.tm_isdst = -1;
		local = mktime(&tm);
		if (local == (time_t)-1)
			goto bad;
		*offset = (int)(tm.tm_gmtoff / 60);
		*t = (git_time_t)local;
		return 0;
	}
	if (parse_zone(end, offset, &end) < 0 || *end)
		goto bad;
	*t = (git_time_t)timegm(&tm) - (git_time_t)*offset * 60;
	return 0;
bad:
	return gitops_err_set(err, GITOPS_EXIT_USAGE,
			      "%s: '%s' is no date (write '@SECONDS +HHMM', '2024-01-31T12:00:00Z' or "
			      "'Wed, 31 Jan 2024 12:00:00 +0000')", what, s);
}

int gitops_git_message_format(char **out, const char *tmpl, const struct gitops_git_message_var *vars, size_t n,
			      struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT, known = GITOPS_BUF_INIT;
	const char *p;
	size_t i;

	*out = NULL;
	for (p = tmpl; *p; p++) {
		if (p[0] == '{' && p[1] == '{') {
			if (gitops_buf_add(&b, "{", 1) < 0)
				goto oom;
			p++;
		} else if (p[0] == '}' && p[1] == '}') {
			if (gitops_buf_add(&b, "}", 1) < 0)
				goto oom;
			p++;
		} else if (*p == '{') {
			const char *close = strchr(p + 1, '}');
			size_t len;
			for (i = 0; close && i < n; i++) {
				len = strlen(vars[i].name);
				if ((size_t)(close - p - 1) == len && !strncmp(p + 1, vars[i].name, len))
					break;
			}
			if (!close || i == n) {
				for (i = 0; i < n; i++)
					if (gitops_buf_printf(&known, "%s{%s}", i ? ", " : "", vars[i].name) < 0)
						goto oom;
				if (!close)
					gitops_err_set(err, GITOPS_EXIT_USAGE, "an unclosed '{' in the message (write '{{' for a brace; "
						       "placeholders: %s)", known.data ? known.data : "none");
				else
					gitops_err_set(err, GITOPS_EXIT_USAGE, "unknown placeholder '%.*s' in the message "
						       "(placeholders: %s)", (int)(close - p + 1 > 64 ? 64 : close - p + 1), p,
						       known.data ? known.data : "none");
				goto fail;
			}
			if (gitops_buf_addstr(&b, vars[i].value ? vars[i].value : "") < 0)
				goto oom;
			p = close;
		} else if (gitops_buf_add(&b, p, 1) < 0) {
			goto oom;
		}
		if (b.len > MAX_MESSAGE) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "the commit message would be longer than %u bytes", MAX_MESSAGE);
			goto fail;
		}
	}
	/* trailing blanks and blank lines dropped; one final newline */
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\t' ||
			 b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	if (!b.len) {
		gitops_err_set(err, GITOPS_EXIT_USAGE, "the commit message is empty");
		goto fail;
	}
	if (gitops_buf_add(&b, "\n", 1) < 0)
		goto oom;
	gitops_buf_release(&known);
	*out = gitops_buf_detach(&b);
	return *out ? 0 : gitops_err_oom(err);
oom:
	gitops_err_oom(err);
fail:
	gitops_buf_release(&b);
	gitops_buf_release(&known);
	return -1;
}

int gitops_git_push_refspec(char *out, size_t size, const char *src, const char *branch)
{
	int n = snprintf(out, size, "%s:refs/heads/%s", src, branch);

	return n < 0 || (size_t)n >= size || out[0] == '+' ? -1 : 0;
}

unsigned gitops_git_backoff_ms(unsigned retry, unsigned base, unsigned max, uint32_t rnd)
{
	return gitops_http_backoff_ms(retry, base, max, rnd);
}

/* ------------------------------------------------------------------ commit and push */

void gitops_git_write_result_release(struct gitops_git_write_result *res)
{
	free(res->branch);
	res->branch = NULL;
}

static void notice(const struct gitops_git_write_options *o, const char *fmt, ...) GITOPS_PRINTF(2, 3);
static void notice(const struct gitops_git_write_options *o, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX];
	va_list ap;

	if (!o->notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o->notice(o->ctx, msg);
}

static int signature(git_signature **out, const struct gitops_git_ident *id, const char *what,
		     struct gitops_err *err)
{
	git_time_t t;
	int off, e;

	if (!id->name || !id->email || !*id->name || !*id->email || bad_ident_chars(id->name, strlen(id->name)) ||
	    bad_ident_chars(id->email, strlen(id->email)))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "no usable %s identity (a name and an email)", what);
	if (id->date) {
		if (gitops_git_date_parse(id->date, &t, &off, what, err) < 0)
			return -1;
		e = git_signature_new(out, id->name, id->email, t, off);
	} else {
		e = git_signature_now(out, id->name, id->email);
	}
	if (e < 0) {
		gitops_git_error(err, e, NULL, what);
		err->code = GITOPS_EXIT_USAGE;
		return -1;
	}
	return 0;
}

/* Temporary refs a killed run left in the mirror (we hold its lock). */
static void drop_tmp_refs(git_repository *repo)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;

	if (git_reference_iterator_glob_new(&it, repo, TMP_REF_GLOB) < 0)
		return;
	while (git_reference_next(&ref, it) == 0) {
		git_reference_delete(ref);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
}

/* The branch's full ref name and tip in the mirror: branch NULL is where HEAD points. */
static int branch_tip(git_repository *repo, const char *branch, const struct gitops_git_url *url, char **name,
		      git_oid *tip, struct gitops_err *err)
{
	git_reference *ref = NULL, *head = NULL;
	struct gitops_buf b = GITOPS_BUF_INIT;
	git_object *obj = NULL;
	int e, ret = -1;

	*name = NULL;
	if (!branch) {
		e = git_reference_lookup(&head, repo, "HEAD");
		if (e < 0 || git_reference_type(head) != GIT_REFERENCE_SYMBOLIC ||
		    strncmp(git_reference_symbolic_target(head), "refs/heads/", 11)) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: no default branch (an empty repository?): give --branch",
				       url->display);
			goto done;
		}
		if (gitops_buf_addstr(&b, git_reference_symbolic_target(head)) < 0)
			goto oom;
	} else if (gitops_buf_printf(&b, "refs/heads/%s", branch) < 0) {
		goto oom;
	}
	e = git_reference_lookup(&ref, repo, b.data);
	if (e == GIT_ENOTFOUND || e == GIT_EINVALIDSPEC) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: no branch '%s'", url->display, b.data + 11);
		goto done;
	}
	if (e < 0 || (e = git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT)) < 0) {
		gitops_git_error(err, e, NULL, url->display);
		goto done;
	}
	git_oid_cpy(tip, git_object_id(obj));
	if (!(*name = gitops_buf_detach(&b)))
		goto oom;
	ret = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	gitops_buf_release(&b);
	git_object_free(obj);
	git_reference_free(ref);
	git_reference_free(head);
	return ret;
}

enum { PUSHED = 0, MOVED = 1, REFUSED = 2 };

struct push_ctx {
	struct gitops_git_session s;   /* first: the callbacks' payload is &s */
	const char *dst;               /* refs/heads/... */
	git_oid expect;                /* where dst must be on the remote (zero: nowhere) */
	int moved;
	git_oid seen;
	char status[256];              /* the server's refusal of dst */
	int refused;
};

static int negotiation_cb(const git_push_update **updates, size_t len, void *payload)
{
	struct push_ctx *p = payload;
	size_t i;

	for (i = 0; i < len; i++) {
		if (strcmp(updates[i]->dst_refname, p->dst))
			continue;
		if (!git_oid_equal(&updates[i]->src, &p->expect)) {
			p->moved = 1;
			git_oid_cpy(&p->seen, &updates[i]->src);
			git_error_set_str(GIT_ERROR_REFERENCE, "the branch moved before the push");
			return -1;
		}
	}
	return 0;
}

static int update_reference_cb(const char *refname, const char *status, void *payload)
{
	struct push_ctx *p = payload;
	size_t i, o = 0;

	if (!status || strcmp(refname, p->dst))
		return 0;
	p->refused = 1;
	for (i = 0; status[i] && o + 1 < sizeof(p->status); i++)
		p->status[o++] = (unsigned char)status[i] < 0x20 ? ' ' : status[i];
	p->status[o] = '\0';
	return 0;
}

/* A local repository: the objects copied, the ref compared and set under its lock. */
static int push_local(git_repository *repo, const struct gitops_git_url *url, const char *dst, const git_oid *expect,
		      const git_oid *id, struct gitops_err *err)
{
	const char *path = url->url;
	git_repository *rr = NULL;
	git_reference *cur = NULL, *head = NULL, *out = NULL;
	git_packbuilder *pb = NULL;
	git_revwalk *rw = NULL;
	git_buf objs = { NULL, 0, 0 };
	char packdir[PATH_MAX];
	int e, ret = -1, zero = git_oid_is_zero(expect);

	if (!strncmp(path, "file://", 7))
		path += 7;
	if ((e = git_repository_open_ext(&rr, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL)) < 0) {
		gitops_git_error(err, e, NULL, url->display);
		if (err->code == GITOPS_EXIT_IO)
			err->code = GITOPS_EXIT_UNREACHABLE;
		goto done;
	}
	if (!git_repository_is_bare(rr) && git_reference_lookup(&head, rr, "HEAD") == 0 &&
	    git_reference_type(head) == GIT_REFERENCE_SYMBOLIC && !strcmp(git_reference_symbolic_target(head), dst)) {
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: refusing to push to %s, the branch checked out in its work "
			       "tree (push to a bare repository)", url->display, dst);
		goto done;
	}
	e = git_reference_lookup(&cur, rr, dst);
	if (e < 0 && e != GIT_ENOTFOUND) {
		gitops_git_error(err, e, NULL, url->display);
		goto done;
	}
	if (e == GIT_ENOTFOUND ? !zero : (zero || git_reference_type(cur) != GIT_REFERENCE_DIRECT ||
					   !git_oid_equal(git_reference_target(cur), expect))) {
		ret = MOVED;
		goto done;
	}
	if ((e = git_packbuilder_new(&pb, repo)) < 0 || (e = git_revwalk_new(&rw, repo)) < 0 ||
	    (e = git_revwalk_push(rw, id)) < 0 || (!zero && (e = git_revwalk_hide(rw, expect)) < 0) ||
	    (e = git_packbuilder_insert_walk(pb, rw)) < 0 ||
	    (e = git_repository_item_path(&objs, rr, GIT_REPOSITORY_ITEM_OBJECTS)) < 0) {
		gitops_git_error(err, e, NULL, url->display);
		goto done;
	}
	if (snprintf(packdir, sizeof(packdir), "%s%spack", objs.ptr,
		     objs.size && objs.ptr[objs.size - 1] == '/' ? "" : "/") >= (int)sizeof(packdir)) {
		gitops_err_set(err, GITOPS_EXIT_IO, "%s: path too long", objs.ptr);
		goto done;
	}
	if ((e = git_packbuilder_write(pb, packdir, 0, NULL, NULL)) < 0) {
		gitops_git_error(err, e, NULL, url->display);
		goto done;
	}
	/* the compare-and-swap: never a forced update */
	if (zero)
		e = git_reference_create(&out, rr, dst, id, 0, "gitops-bump: push");
	else
		e = git_reference_create_matching(&out, rr, dst, id, 1, expect, "gitops-bump: push");
	if (e == GIT_EEXISTS || e == GIT_EMODIFIED) {
		ret = MOVED;
		goto done;
	}
	if (e < 0) {
		gitops_git_error(err, e, NULL, url->display);
		goto done;
	}
	ret = PUSHED;
done:
	git_reference_free(out);
	git_buf_dispose(&objs);
	git_revwalk_free(rw);
	git_packbuilder_free(pb);
	git_reference_free(head);
	git_reference_free(cur);
	git_repository_free(rr);
	return ret;
}

/*
 * Push commit id to dst on the remote, only if the remote's dst is at
 * expect.  PUSHED, MOVED (the remote's dst is elsewhere), REFUSED (the
 * server said no: status), or -1.
 */
static int push_once(git_repository *repo, const char *mirror, const struct gitops_git_url *url,
		     const struct gitops_git_auth *auth, const char *dst, const git_oid *expect, const git_oid *id,
		     char *status, size_t status_size, struct gitops_err *err)
{
	struct push_ctx p;
	git_remote_callbacks cb;
	git_remote_create_options ro;
	git_push_options po;
	git_remote *remote = NULL;
	git_reference *tmp = NULL;
	char spec[1024], *specs_v[1];
	git_strarray specs = { specs_v, 1 };
	int e, ret = -1;

	status[0] = '\0';
	if ((e = git_reference_create(&tmp, repo, TMP_REF, id, 1, "gitops-bump")) < 0)
		return gitops_git_error(err, e, NULL, mirror);
	git_reference_free(tmp);
	if (url->scheme == GITOPS_GIT_FILE) {
		ret = push_local(repo, url, dst, expect, id, err);
		goto done;
	}
	if (gitops_git_push_refspec(spec, sizeof(spec), TMP_REF, dst + 11) < 0) {
		gitops_err_set(err, GITOPS_EXIT_USAGE, "the branch name is too long");
		goto done;
	}
	specs_v[0] = spec;
	memset(&p, 0, sizeof(p));
	if (gitops_git_callbacks_init(&cb, &p.s, url, auth, err) < 0)
		goto done;
	/* libgit2 hands every callback cb.payload, which is &p.s, the first member of p */
	cb.push_negotiation = negotiation_cb;
	cb.push_update_reference = update_reference_cb;
	p.dst = dst;
	git_oid_cpy(&p.expect, expect);
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.callbacks = cb;
	po.proxy_opts.type = GIT_PROXY_AUTO;
	if ((e = git_remote_create_with_opts(&remote, url->url, &ro)) < 0) {
		gitops_git_error(err, e, &p.s, url->display);
		goto done;
	}
	e = git_remote_push(remote, &specs, &po);
	if (e < 0) {
		if (p.moved || e == GIT_ENONFASTFORWARD)
			ret = MOVED;
		else
			gitops_git_error(err, e, &p.s, url->display);
		goto done;
	}
	if (p.refused) {
		snprintf(status, status_size, "%s", p.status);
		ret = REFUSED;
		goto done;
	}
	ret = PUSHED;
done:
	git_remote_free(remote);
	if (git_reference_lookup(&tmp, repo, TMP_REF) == 0) {
		git_reference_delete(tmp);
		git_reference_free(tmp);
	}
	return ret;
}

static void pause_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static uint32_t random32(void)
{
	uint32_t v;
	struct timespec ts;

	if (RAND_bytes((unsigned char *)&v, sizeof(v)) == 1)
		return v;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec ^ (uint32_t)getpid() << 16;
}

/* The edit made on tip: *changed, and *tree the new tree (when changed). */
static int edit_tip(struct gitops_git_edit **e, git_repository *repo, const char *branch, const git_oid *tip,
		    unsigned attempt, gitops_git_edit_fn edit, void *ctx, git_oid *tree, int *changed,
		    struct gitops_err *err)
{
	*changed = 0;
	if (gitops_git_edit_new(e, repo, branch, tip, err) < 0 || edit(*e, attempt, ctx, err) < 0 ||
	    gitops_git_edit_tree(*e, tree, changed, err) < 0)
		return -1;
	if (*changed && !(*e)->message)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "the edit gave no commit message");
	return 0;
}

int gitops_git_write(struct gitops_git_write_result *res, struct gitops_git_repo *r, const struct gitops_git_url *url,
		     const struct gitops_git_auth *auth, const struct gitops_git_write_options *o, gitops_git_edit_fn edit,
		     void *ctx, struct gitops_err *err)
{
	git_repository *repo = gitops_git_repository(r);
	const char *mirror = gitops_git_mirror_dir(r);
	struct gitops_git_edit *e = NULL;
	git_signature *author = NULL, *committer = NULL;
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	char *branch_ref = NULL, *dst = NULL, status[256] = "";
	git_oid tip, tree_id, id, expect;
	unsigned attempt, lost = 0;
	int changed, ex, ret = -1, pushed;

	memset(res, 0, sizeof(*res));
	if (o->push_branch && o->branch && !strcmp(o->push_branch, o->branch))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "--push-branch names the branch itself");
	drop_tmp_refs(repo);
	for (attempt = 0;; attempt++) {
		if (attempt > 0) {
			unsigned ms = gitops_git_backoff_ms(attempt, o->backoff_ms, o->backoff_max_ms, random32());
			notice(o, "%s: branch %s moved before the push could land (another push came first): "
			       "fetching again in %u.%01u s (retry %u of %u)", url->display, res->branch, ms / 1000,
			       ms % 1000 / 100, attempt, o->retries);
			pause_ms(ms);
		}
		if (gitops_git_fetch(r, auth, NULL, err) < 0)
			goto done;
		free(branch_ref);
		branch_ref = NULL;
		/* the branch HEAD named at first, even if the remote's HEAD moves on meanwhile */
		if (branch_tip(repo, res->branch ? res->branch : o->branch, url, &branch_ref, &tip, err) < 0)
			goto done;
		if (!res->branch && !(res->branch = strdup(branch_ref + 11)))
			goto oom;
		if (!dst) {
			struct gitops_buf b = GITOPS_BUF_INIT;
			if (gitops_buf_printf(&b, "refs/heads/%s", o->push_branch ? o->push_branch : res->branch) < 0 ||
			    !(dst = gitops_buf_detach(&b))) {
				gitops_buf_release(&b);
				goto oom;
			}
		}
		if (o->push_branch) {
			git_reference *pref = NULL;
			ex = git_reference_lookup(&pref, repo, dst);
			git_reference_free(pref);
			if (ex == 0) {
				gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: a branch '%s' exists already: --push-branch "
					       "makes a new branch", url->display, o->push_branch);
				goto done;
			}
			memset(&expect, 0, sizeof(expect));
		} else {
			git_oid_cpy(&expect, &tip);
		}
		oid_hex(res->base, &tip);
		res->attempts = attempt + 1;
		gitops_git_edit_free(e);
		e = NULL;
		if (edit_tip(&e, repo, res->branch, &tip, attempt, edit, ctx, &tree_id, &changed, err) < 0)
			goto done;
		res->changed = changed;
		if (!changed || o->dry_run) {
			ret = 0;
			goto done;
		}
		git_signature_free(author);
		git_signature_free(committer);
		author = committer = NULL;
		git_commit_free(parent);
		parent = NULL;
		git_tree_free(tree);
		tree = NULL;
		if (signature(&author, &o->author, "author", err) < 0 ||
		    signature(&committer, o->committer.name ? &o->committer : &o->author, "committer", err) < 0)
			goto done;
		if ((ex = git_commit_lookup(&parent, repo, &tip)) < 0 || (ex = git_tree_lookup(&tree, repo, &tree_id)) < 0 ||
		    (ex = git_commit_create(&id, repo, NULL, author, committer, NULL, e->message, tree, 1,
					    (const git_commit **)&parent)) < 0) {
			gitops_git_error(err, ex, NULL, mirror);
			goto done;
		}
		pushed = push_once(repo, mirror, url, auth, dst, &expect, &id, status, sizeof(status), err);
		if (pushed < 0)
			goto done;
		if (pushed == PUSHED) {
			git_reference *nr = NULL;
			oid_hex(res->commit, &id);
			/* the mirror follows what the remote now holds (we hold its lock) */
			if (git_reference_create(&nr, repo, dst, &id, 1, "gitops-bump: pushed") == 0)
				git_reference_free(nr);
			ret = 0;
			goto done;
		}
		if (pushed == REFUSED) {
			/* lost a race at the server's ref lock, or refused for good? where dst is now says */
			git_reference *now = NULL;
			int same;
			if (gitops_git_fetch(r, auth, NULL, err) < 0)
				goto done;
			ex = git_reference_lookup(&now, repo, dst);
			if (ex < 0 && ex != GIT_ENOTFOUND) {
				gitops_git_error(err, ex, NULL, mirror);
				goto done;
			}
			same = ex == GIT_ENOTFOUND ? git_oid_is_zero(&expect) :
			       git_reference_type(now) == GIT_REFERENCE_DIRECT && git_oid_equal(git_reference_target(now), &expect);
			git_reference_free(now);
			if (same) {
				gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: the server refused the push to %s: %s; nothing pushed",
					       url->display, dst, status);
				goto done;
			}
		}
		if (o->push_branch) {
			/* a new branch someone else made meanwhile: never taken over */
			gitops_err_set(err, GITOPS_EXIT_REJECTED, "%s: a branch '%s' appeared while pushing: --push-branch "
				       "makes a new branch; nothing pushed", url->display, o->push_branch);
			goto done;
		}
		lost++;
		if (attempt >= o->retries) {
			gitops_err_set(err, GITOPS_EXIT_REJECTED,
				       "%s: branch %s moved before the push could land (another push came first) %u time%s; "
				       "giving up (--retries %u): nothing pushed", url->display, res->branch, lost,
				       lost == 1 ? "" : "s", o->retries);
			goto done;
		}
	}
oom:
	gitops_err_oom(err);
done:
	gitops_git_edit_free(e);
	git_tree_free(tree);
	git_commit_free(parent);
	git_signature_free(author);
	git_signature_free(committer);
	free(branch_ref);
	free(dst);
	if (ret < 0)
		res->commit[0] = '\0';
	return ret;
}

int gitops_git_branch_name_valid(const char *name)
{
	char ref[1024];
	int valid = 0;

	snprintf(ref, sizeof(ref), "refs/heads/%s", name);
	return strlen(name) <= 255 && git_reference_name_is_valid(&valid, ref) == 0 && valid;
}

int gitops_git_repo_path(char **out, const char *prefix, const char *path, const char *what, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *parts[2] = { prefix ? prefix : "", path };
	size_t i, k;
	int r;

	*out = NULL;
	for (i = 0; i < 2; i++) {
		const char *p = parts[i];
		if (p[0] == '/') {
			gitops_buf_release(&b);
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s '%s': an absolute path (give one inside the "
					      "repository%s)", what, p, i && prefix && *prefix ? ", under --path-prefix" : "");
		}
		for (k = 0; p[k]; k++)
			if ((unsigned char)p[k] < 0x20 || p[k] == 0x7f) {
				gitops_buf_release(&b);
				return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s: control characters in the path", what);
			}
		if ((r = gitops_fs_path_clean(&b, p)) != 0) {
			gitops_buf_release(&b);
			if (r < 0)
				return gitops_err_oom(err);
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "%s '%s': '..' is not allowed (give a path "
					      "inside the repository%s)", what, parts[i],
					      i && prefix && *prefix ? ", under --path-prefix" : "");
		}
	}
	*out = gitops_buf_detach(&b);
	return *out ? 0 : gitops_err_oom(err);
}
