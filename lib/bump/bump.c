/* bump.c: a gitops-bump run: files on disk, a stream, or the files of a Git branch. */
#include "lib/bump/bump.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/bump/bump_conflicts.h"
#include "lib/bump/bump_images.h"
#include "lib/bump/bump_message.h"
#include "lib/bump/bump_newer.h"
#include "lib/bump/bump_walk.h"
#include "lib/base/fs.h"
#include "lib/yaml/yamledit.h"
#include "lib/value/value.h"

/* A file that changed. */
struct target {
	char *path;              /* what the user named (for messages; in a repository: its path there) */
	char *real;              /* where to write (a symlink's target) */
	struct gitops_yamledit *y;
	char *app;               /* its application directory, when a walk found it; NULL when it was named */
};

struct gitops_bump {
	const struct gitops_bump_options *o;
	struct gitops_limits limits;
	struct target *targets;
	size_t ntargets, cap;
	size_t scanned, parsed;
	struct gitops_buf data;
	const char *walk_root;               /* the directory being walked (NULL: a named file) */
	/* write-back to Git */
	struct gitops_git_edit *ge;          /* the commit being edited; NULL: files on disk */
	char **gfiles, **gpaths;             /* --file and PATH arguments as paths in the repository */
	size_t ngfiles, ngpaths;
	struct gitops_bump_changes first;    /* the changes the first edit made: what later ones must agree with */
	char *aname, *aemail;
	const char *cname, *cemail, *adate, *cdate;
	struct gitops_git_url url;
	struct gitops_git_cache_options cache;
	struct gitops_git_auth auth;
};

int gitops_bump_new(struct gitops_bump **out, const struct gitops_bump_options *o, struct gitops_err *err)
{
	struct gitops_limits def = GITOPS_LIMITS_INIT;
	struct gitops_bump *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (!b)
		return gitops_err_oom(err);
	b->o = o;
	b->limits = o->limits ? *o->limits : def;
	*out = b;
	return 0;
}

static void free_targets(struct gitops_bump *b)
{
	size_t k;

	for (k = 0; k < b->ntargets; k++) {
		gitops_yamledit_free(b->targets[k].y);
		free(b->targets[k].path);
		free(b->targets[k].real);
		free(b->targets[k].app);
	}
	b->ntargets = 0;
}

void gitops_bump_free(struct gitops_bump *b)
{
	size_t k;

	if (!b)
		return;
	free_targets(b);
	free(b->targets);
	gitops_bump_changes_release(&b->first);
	for (k = 0; k < b->ngfiles; k++)
		free(b->gfiles[k]);
	for (k = 0; k < b->ngpaths; k++)
		free(b->gpaths[k]);
	free(b->gfiles);
	free(b->gpaths);
	free(b->aname);
	free(b->aemail);
	gitops_git_url_release(&b->url);
	gitops_buf_release(&b->data);
	free(b);
}

void gitops_bump_stats(size_t *scanned, size_t *parsed, size_t *changed, const struct gitops_bump *b)
{
	*scanned = b->scanned;
	*parsed = b->parsed;
	*changed = b->ntargets;
}

/* real: where the file lives (a link's target), or NULL to find it on disk; app: its application directory
 * (taken over; NULL for a named file). */
static int add_target(struct gitops_bump *b, const char *path, const char *real_given, char *app,
		      struct gitops_yamledit *y, struct gitops_err *err)
{
	struct target *t;
	char real[PATH_MAX];

	if (b->ntargets == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct target *p = realloc(b->targets, cap * sizeof(*p));
		if (!p) {
			free(app);
			return gitops_err_oom(err);
		}
		b->targets = p, b->cap = cap;
	}
	t = &b->targets[b->ntargets];
	memset(t, 0, sizeof(*t));
	t->path = strdup(path);
	t->real = real_given ? strdup(real_given) : realpath(path, real) ? strdup(real) : strdup(path);
	if (!t->path || !t->real) {
		free(t->path), free(t->real), free(app);
		return gitops_err_oom(err);
	}
	t->app = app;
	t->y = y;
	b->ntargets++;
	return 0;
}

/* One file: read, screen, parse, edit; kept when it changed. */
static int do_file(void *ctx, const char *path, int named, struct gitops_err *err)
{
	struct gitops_bump *b = ctx;
	struct gitops_yamledit *y = NULL;
	char *real = NULL, *app = NULL;
	int parsed, error = -1;

	b->data.len = 0;
	if (b->data.data)
		b->data.data[0] = '\0';
	if (b->ge) {
		if (gitops_git_edit_read(b->ge, path, &b->data, b->limits.max_stream_bytes, &real, err) < 0)
			goto done;
	} else if (gitops_buf_read_file(&b->data, path, b->limits.max_stream_bytes, err) < 0) {
		goto done;
	}
	b->scanned++;
	if (gitops_bump_images_edit(&y, &parsed, b->o, &b->limits, path, b->data.data, b->data.len, named, err) < 0)
		goto done;
	b->parsed += (size_t)parsed;
	if (y && !named && b->walk_root && gitops_bump_walk_app_dir(&app, b->ge, b->walk_root, path, err) < 0)
		goto done;
	if (y && add_target(b, path, real, app, y, err) < 0)
		goto done;
	y = NULL;
	error = 0;
done:
	gitops_yamledit_free(y);
	free(real);
	return error;
}

/* Hand the changes of one file to on_change. */
static void report_changes(struct gitops_bump *b, const struct target *t)
{
	size_t i;

	for (i = 0; i < gitops_yamledit_nchanges(t->y); i++) {
		const struct gitops_yamledit_change *c = gitops_yamledit_change_at(t->y, i);
		struct gitops_bump_change ch = { t->path, c->line, c->what, c->old, c->new };
		if (b->o->on_change)
			b->o->on_change(b->o->ctx, &ch);
	}
}

/* --only-newer over every file changed, before anything is written (quiet: no warnings, said before). */
static int check_newer(struct gitops_bump *b, int quiet, struct gitops_err *err)
{
	size_t k;

	for (k = 0; k < b->ntargets; k++)
		if (gitops_bump_newer_file(b->o, b->targets[k].path, b->targets[k].y, quiet, err) < 0)
			return -1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files a walk found and changed lie in more than one application directory: a warning that names them. */
static int warn_apps(struct gitops_bump *b, struct gitops_err *err)
{
	struct gitops_buf names = GITOPS_BUF_INIT;
	const char **apps;
	size_t k, n = 0, distinct = 0;
	int error = -1;

	if (!b->ntargets)
		return 0;
	if (!(apps = calloc(b->ntargets, sizeof(*apps))))
		return gitops_err_oom(err);
	for (k = 0; k < b->ntargets; k++)
		if (b->targets[k].app)
			apps[n++] = b->targets[k].app;
	qsort(apps, n, sizeof(*apps), cmp_str);
	for (k = 0; k < n; k++) {
		if (k && !strcmp(apps[k], apps[k - 1]))
			continue;
		if (++distinct <= 10 && gitops_buf_printf(&names, "%s%s", distinct > 1 ? ", " : "", apps[k]) < 0) {
			gitops_err_oom(err);
			goto done;
		}
	}
	if (distinct > 1)
		gitops_bump_notice(b->o, GITOPS_BUMP_WARNING, "the bump changes %zu application directories: %s%s; "
				   "%s narrows it", distinct, names.data, distinct > 10 ? ", ..." : "",
				   b->o->repo ? "--path-prefix or a PATH" : "a PATH");
	error = 0;
done:
	gitops_buf_release(&names);
	free(apps);
	return error;
}

int gitops_bump_stream(struct gitops_bump *b, int in, int out, struct gitops_err *err)
{
	return gitops_bump_images_stream(b->o, &b->limits, in, out, err);
}

int gitops_bump_files(struct gitops_bump *b, char *const *paths, size_t npaths, struct gitops_err *err)
{
	size_t k;

	for (k = 0; k < b->o->nfiles; k++)
		if (do_file(b, b->o->files[k], 1, err) < 0)
			return -1;
	for (k = 0; k < npaths; k++) {
		b->walk_root = paths[k];
		if (gitops_bump_walk(NULL, paths[k], do_file, b, err) < 0)
			return -1;
	}
	b->walk_root = NULL;
	if (check_newer(b, 0, err) < 0 || warn_apps(b, err) < 0)
		return -1;
	for (k = 0; k < b->ntargets; k++) {
		const char *text;
		size_t len;
		report_changes(b, &b->targets[k]);
		if (b->o->check)
			continue;
		if (gitops_yamledit_output(b->targets[k].y, &text, &len, err) < 0 ||
		    gitops_fs_write_atomic(b->targets[k].real, text, len, GITOPS_FS_KEEP_MODE, err) < 0)
			return -1;
	}
	return 0;
}

/* --- write-back to Git --- */

/* The edit of one commit, redone on each new tip: the same passes as on disk. */
static int git_edit(struct gitops_git_edit *ge, unsigned attempt, void *ctx, struct gitops_err *err)
{
	struct gitops_bump *b = ctx;
	struct gitops_bump_changes now = GITOPS_BUMP_CHANGES_INIT;
	char *msg = NULL;
	size_t k;
	int ret = -1;

	free_targets(b);
	b->scanned = b->parsed = 0;
	b->ge = ge;
	for (k = 0; k < b->ngfiles; k++)
		if (do_file(b, b->gfiles[k], 1, err) < 0)
			goto done;
	for (k = 0; k < b->ngpaths; k++) {
		b->walk_root = b->gpaths[k];
		if (gitops_bump_walk(ge, b->gpaths[k], do_file, b, err) < 0)
			goto done;
	}
	b->walk_root = NULL;
	if (check_newer(b, attempt > 0, err) < 0 || (attempt == 0 && warn_apps(b, err) < 0))
		goto done;
	for (k = 0; k < b->ntargets; k++)
		if (gitops_bump_changes_add(&now, b->targets[k].path, b->targets[k].y, err) < 0)
			goto done;
	if (attempt == 0) {
		b->first = now;
		memset(&now, 0, sizeof(now));
	} else if (gitops_bump_conflicts_check(&b->first, &now, gitops_git_edit_branch(ge), gitops_git_edit_commit(ge),
					       err) < 0) {
		goto done;
	}
	for (k = 0; k < b->ntargets; k++) {
		const char *text;
		size_t len;
		if (gitops_yamledit_output(b->targets[k].y, &text, &len, err) < 0 ||
		    gitops_git_edit_write(ge, b->targets[k].real, text, len, err) < 0)
			goto done;
	}
	if (b->ntargets && (gitops_bump_message_format(&msg, b->o, gitops_git_edit_branch(ge), attempt ? &now : &b->first,
						       err) < 0 ||
			    gitops_git_edit_message(ge, msg, err) < 0))
		goto done;
	ret = 0;
done:
	if (ret < 0 && attempt > 0 && err->code == GITOPS_EXIT_INPUT) {
		/* what applied to the old tip no longer does: a conflict */
		char why[GITOPS_ERR_MSG_MAX];
		snprintf(why, sizeof(why), "%s", err->msg);
		gitops_err_set(err, GITOPS_EXIT_REJECTED, "conflict: branch %s moved to %.12s, where the edit no longer "
			       "applies: %s; nothing pushed", gitops_git_edit_branch(ge), gitops_git_edit_commit(ge), why);
	}
	free(msg);
	gitops_bump_changes_release(&now);
	b->ge = NULL;
	return ret;
}

/* An identity from the environment: NAME and EMAIL variables, or NULL; a bad one is a usage error. */
static int env_ident(const char **name, const char **email, const char *vname, const char *vemail,
		     struct gitops_err *err)
{
	const char *n = getenv(vname), *e = getenv(vemail);

	*name = n && *n ? n : NULL;
	*email = e && *e ? e : NULL;
	if ((*name && strpbrk(*name, "<>\n")) || (*email && strpbrk(*email, "<>\n")))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "$%s or $%s holds '<', '>' or a line break", vname, vemail);
	return 0;
}

/* Who, when, and the message: checked before anything is fetched. */
static int prepare_commit(struct gitops_bump *b, struct gitops_err *err)
{
	const struct gitops_bump_options *o = b->o;
	const char *ename, *eemail;
	char *msg = NULL;
	git_time_t t;
	int off;

	if (env_ident(&ename, &eemail, "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", err) < 0 ||
	    env_ident(&b->cname, &b->cemail, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", err) < 0)
		return -1;
	if (o->author) {
		if (gitops_git_ident_parse(&b->aname, &b->aemail, o->author, err) < 0) {
			char why[GITOPS_ERR_MSG_MAX];
			snprintf(why, sizeof(why), "%s", err->msg);
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--author %s", why);
		}
	} else if (ename && eemail) {
		if (!(b->aname = strdup(ename)) || !(b->aemail = strdup(eemail)))
			return gitops_err_oom(err);
	} else if (!o->check) {
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "who is the author? give --author 'Name <email>', or set "
				      "GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL");
	}
	b->adate = getenv("GIT_AUTHOR_DATE");
	b->cdate = getenv("GIT_COMMITTER_DATE");
	if ((b->adate && *b->adate && gitops_git_date_parse(b->adate, &t, &off, "GIT_AUTHOR_DATE", err) < 0) ||
	    (b->cdate && *b->cdate && gitops_git_date_parse(b->cdate, &t, &off, "GIT_COMMITTER_DATE", err) < 0)) {
		err->code = GITOPS_EXIT_USAGE;
		return -1;
	}
	{
		/* the placeholders of --message, tried on made-up values */
		struct gitops_bump_change_rec probe = { (char *)"f", (char *)"image", (char *)"1", (char *)"2", 1 };
		struct gitops_bump_changes one = { &probe, 1, 1 };
		if (gitops_bump_message_format(&msg, o, "main", &one, err) < 0)
			return -1;
		free(msg);
	}
	return 0;
}

int gitops_bump_git_prepare(struct gitops_bump *b, char *const *paths, size_t npaths, struct gitops_err *err)
{
	const struct gitops_bump_options *o = b->o;
	char *prefix = NULL;
	size_t k;
	int i, error = -1;

	if (prepare_commit(b, err) < 0 || gitops_git_init(err) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		const char *br = i ? o->push_branch : o->branch;
		if (br && !gitops_git_branch_name_valid(br))
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--%s '%s' is not a valid branch name",
					      i ? "push-branch" : "branch", br);
	}
	if (o->push_branch && o->branch && !strcmp(o->push_branch, o->branch))
		return gitops_err_set(err, GITOPS_EXIT_USAGE, "--push-branch names a new branch, not --branch itself");
	/* paths inside the repository */
	if (gitops_git_repo_path(&prefix, NULL, o->path_prefix ? o->path_prefix : "", "--path-prefix", err) < 0)
		goto done;
	if (!(b->gfiles = calloc(o->nfiles + 1, sizeof(char *))) || !(b->gpaths = calloc(npaths + 1, sizeof(char *)))) {
		gitops_err_oom(err);
		goto done;
	}
	for (k = 0; k < o->nfiles; k++, b->ngfiles++)
		if (gitops_git_repo_path(&b->gfiles[k], prefix, o->files[k], "--file", err) < 0)
			goto done;
	for (k = 0; k < npaths; k++, b->ngpaths++)
		if (gitops_git_repo_path(&b->gpaths[k], prefix, paths[k], "PATH", err) < 0)
			goto done;
	if (!o->nfiles && !npaths) {
		/* no FILE, no PATH: the whole tree under --path-prefix */
		b->gpaths[0] = prefix;
		prefix = NULL;
		b->ngpaths = 1;
	}
	if (gitops_git_url_parse(&b->url, o->repo, err) < 0)
		goto done;
	error = 0;
done:
	free(prefix);
	return error;
}

static void cache_notice(void *ctx, const char *msg)
{
	gitops_bump_notice(((struct gitops_bump *)ctx)->o, 0, "%s", msg);
}

static void progress_notice(void *ctx, const char *msg)
{
	gitops_bump_notice(((struct gitops_bump *)ctx)->o, 1, "%s", msg);
}

int gitops_bump_git(struct gitops_bump_git_result *out, struct gitops_bump *b, struct gitops_err *err)
{
	const struct gitops_bump_options *o = b->o;
	struct gitops_git_write_options wo = GITOPS_GIT_WRITE_OPTIONS_INIT;
	struct gitops_git_repo *repo = NULL;
	size_t k;
	int error = -1;

	memset(out, 0, sizeof(*out));
	b->auth = o->auth;
	gitops_git_auth_from_env(&b->auth);
	b->cache = o->cache;
	b->cache.notice = cache_notice;
	b->cache.progress = progress_notice;
	b->cache.ctx = b;
	wo.branch = o->branch;
	wo.push_branch = o->push_branch;
	wo.retries = o->retries;
	wo.author.name = b->aname;
	wo.author.email = b->aemail;
	wo.author.date = b->adate && *b->adate ? b->adate : NULL;
	wo.committer.name = b->cname && b->cemail ? b->cname : b->aname;
	wo.committer.email = b->cname && b->cemail ? b->cemail : b->aemail;
	wo.committer.date = b->cdate && *b->cdate ? b->cdate : NULL;
	wo.dry_run = o->check;
	wo.notice = progress_notice;
	wo.ctx = b;
	if (gitops_git_open(&repo, &b->url, &b->cache, err) < 0 ||
	    gitops_git_write(&out->w, repo, &b->url, &b->auth, &wo, git_edit, b, err) < 0)
		goto done;
	if (!(out->repository = strdup(b->url.display))) {
		gitops_err_oom(err);
		goto done;
	}
	for (k = 0; k < b->ntargets; k++)
		report_changes(b, &b->targets[k]);
	error = 0;
done:
	gitops_git_close(repo);
	return error;
}

void gitops_bump_git_result_release(struct gitops_bump_git_result *res)
{
	free(res->repository);
	res->repository = NULL;
	gitops_git_write_result_release(&res->w);
}

cJSON *gitops_bump_change_json(const struct gitops_bump_change *c)
{
	cJSON *rec = cJSON_CreateObject();

	cJSON_AddStringToObject(rec, "file", c->file);
	gitops_value_add_int(rec, "line", c->line);
	cJSON_AddStringToObject(rec, "field", c->what);
	cJSON_AddStringToObject(rec, "old", c->old);
	cJSON_AddStringToObject(rec, "new", c->new);
	return rec;
}

void gitops_bump_git_result_json(cJSON *doc, const struct gitops_bump_git_result *res, const char *push_branch)
{
	cJSON_AddStringToObject(doc, "repository", res->repository);
	cJSON_AddStringToObject(doc, "branch", res->w.branch);
	cJSON_AddStringToObject(doc, "base", res->w.base);
	if (res->w.commit[0])
		cJSON_AddStringToObject(doc, "commit", res->w.commit);
	else
		cJSON_AddNullToObject(doc, "commit");
	if (push_branch)
		cJSON_AddStringToObject(doc, "pushBranch", push_branch);
	gitops_value_add_int(doc, "attempts", res->w.attempts);
}
