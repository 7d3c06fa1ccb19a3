/*
 * build.c: the build, as kustomize's KustTarget runs it (api/internal/target
 * /kusttarget.go, v5.5).  Per kustomization: resources (files, and
 * directories built whole and recursively), `configurations:` and `crds:`,
 * generators (configMapGenerator / secretGenerator, then `generators:`),
 * components (each run on the map accumulated so far), the builtin
 * transformers in kustomize's fixed order, then `transformers:`,
 * `validators:`, and the vars collected.  At the top only: hash suffixes,
 * name references, vars, local-config resources dropped, the output order
 * (legacy kind order or fifo), buildMetadata, kustomize's own annotations
 * stripped.  The map filled is the caller's (kz_resmap_release).
 */
#include "lib/kustomize/kustomize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/json.h"
#include "lib/kustomize/kz_overrides.h"
#include "lib/kustomize/kz_remote.h"
#include "lib/kustomize/spine.h"
#include "lib/value/smp.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

/* What one build shares across its kustomizations. */
struct build {
	const struct gitops_kustomize_options *opts;
	struct kz_config config; /* the builtin tables: the config of every target without configurations of its own */
	cJSON *vars;             /* every kustomization's vars, in build order */
	int origin;              /* buildMetadata: originAnnotations (the top kustomization's, for all) */
	int transformations;     /* buildMetadata: transformerAnnotations (likewise) */
	int replaced;            /* a replacement ran: tagless scalars may be left to read (kz_untag) */
	struct gitops_smp_schema *schema; /* `openapi: {path: ...}`: the first one read (kyaml's SetSchema), or NULL */
	int depth;
	void *remote; /* opts->fetcher's state: the remote targets' repositories, open until the build ends (or NULL) */
	struct gitops_err refusal; /* a remote target refused: the build's error as it is, unwrapped */
	const char *next_repo, *next_ref; /* the remote target accumulate_directory builds next */
	int refused;
};

/* One kustomization being built. */
struct target {
	struct kz_loader *loader;
	cJSON *k;             /* the kustomization, checked (kustomization.c) */
	char *file;           /* its path, for messages */
	const char *origin;   /* the directory's path from the top kustomization's ("" at the top; in a remote
			       * target's checkout: from the top of its repository) */
	const char *repo;     /* in a remote target's checkout: its repository (no password) and ref, for
			       * the origin annotation; else NULL */
	const char *ref;
	char *configured_in;  /* the kustomization file's path from there, when buildMetadata tracks origins */
	char *configured_remote; /* and in a remote target: "repo: R\nref: F\n", which precedes it */
	/*
	 * The transformer config, as kustomize scopes it: the builtin tables plus
	 * the `configurations:` of this kustomization and of the ones it built
	 * (not its siblings').  A component adds to its parent's.  Only a target
	 * with configurations of its own or below holds a copy (own); the others
	 * read the build's builtin tables.
	 */
	struct kz_config own;
	int has_own;
	struct target *owner; /* a component's: whose config it adds to (NULL: its own) */
	struct kz_config *defaults;
	struct kz_ctx ctx;
};

#define MAX_DEPTH 100

static int accumulate_target(struct build *b, struct kz_resmap *ra, struct target *t, struct gitops_err *err);

/* Go's %q of a message (the quotes and backslashes escaped), for the messages kustomize formats with it. */
static void go_quote(char *out, size_t size, const char *s)
{
	size_t o = 0;

	if (size < 3)
		return;
	out[o++] = '"';
	for (; *s && o + 3 < size; s++) {
		if (*s == '"' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o++] = '"';
	out[o] = '\0';
}

/*
 * The message of err with `fmt` around it (fmt: %s for a, then b when
 * given, then the old message).  kustomize nests its messages as deep as
 * the kustomizations go; one that outgrows the error's buffer keeps its
 * start and its end (the cause), with " ... " between.
 */
static int err_wrap(struct gitops_err *err, const char *fmt, const char *a, const char *b)
{
	char old[GITOPS_ERR_MSG_MAX], *full = NULL;
	size_t n, max = sizeof(err->msg) - 1, head = 300;
	int len;

	snprintf(old, sizeof(old), "%s", err->msg);
	len = b ? asprintf(&full, fmt, a, b, old) : asprintf(&full, fmt, a, old);
	if (len < 0)
		return gitops_err_oom(err);
	n = (size_t)len;
	if (n <= max) {
		memcpy(err->msg, full, n + 1);
	} else {
		size_t tail = max - head - 5;
		memcpy(err->msg, full, head);
		memcpy(err->msg + head, " ... ", 5);
		memcpy(err->msg + head + 5, full + n - tail, tail + 1);
	}
	free(full);
	/* one line, whatever a name or a path in it held */
	for (full = err->msg; *full; full++)
		if (*full == '\n' || *full == '\r')
			*full = ' ';
	return -1;
}

static void target_release(struct target *t)
{
	cJSON_Delete(t->k);
	free(t->file);
	free(t->configured_in);
	free(t->configured_remote);
	if (t->has_own)
		kz_config_release(&t->own);
	t->has_own = 0;
	t->k = NULL;
	t->file = NULL;
	t->configured_in = NULL;
	t->configured_remote = NULL;
	t->ctx.configured_in = NULL;
	t->ctx.configured_remote = NULL;
}

/*
 * `openapi: {path: FILE}`: the schema strategic merge patches use for the
 * kinds it defines.  As kyaml's SetSchema, one schema serves the whole
 * build: the first kustomization that names one (the top one first).
 */
static int load_openapi(struct build *b, struct target *t, struct gitops_err *err)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_buf text = GITOPS_BUF_INIT;
	const char *path = gitops_json_get_string(t->k, "openapi", "path", NULL);
	struct gitops_smp_schema *schema = NULL;
	cJSON *doc = NULL;
	int rc = -1;

	if (!path || b->schema)
		return 0;
	limits.max_stream_bytes = KZ_FILE_MAX;
	if (kz_load_file(&text, &t->ctx, path, KZ_FILE_MAX, err) < 0 ||
	    gitops_yaml_parse_one(&doc, text.data ? text.data : "", text.len, path, &limits, err) < 0)
		goto done;
	if (!cJSON_IsObject(doc)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: openapi: not a schema document", path);
		goto done;
	}
	if (gitops_smp_schema_new(&schema, err) < 0 || gitops_smp_schema_add(schema, doc, path, err) < 0)
		goto done;
	b->schema = schema;
	schema = NULL;
	rc = 0;
done:
	gitops_smp_schema_free(schema);
	cJSON_Delete(doc);
	gitops_buf_release(&text);
	return rc;
}

/* KustTarget.Load: find, read and check the kustomization of the loader's directory. */
static int target_load(struct build *b, struct target *t, struct kz_loader *l, const char *origin,
		       struct gitops_err *err)
{
	struct gitops_buf text = GITOPS_BUF_INIT;
	const char *name;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	t->loader = l;
	t->origin = origin;
	if (kz_kustomization_find(&name, l, err) < 0)
		goto done;
	if (!(t->file = kz_loader_join(l, name))) {
		gitops_err_oom(err);
		goto done;
	}
	t->ctx.dir = l->root;
	t->ctx.file = t->file;
	t->ctx.loader = l;
	t->defaults = &b->config;
	t->ctx.config = &b->config;
	t->ctx.schema = NULL;
	t->ctx.warn = b->opts->warn;
	t->ctx.warn_ctx = b->opts->warn_ctx;
	/* a remote target's files are its checkout's, not those of the Source the hook checks */
	t->ctx.read_hook = l->remote ? NULL : b->opts->read_hook;
	t->ctx.read_ctx = b->opts->read_ctx;
	t->ctx.enable_helm = b->opts->enable_helm;
	t->ctx.helm_chart = b->opts->helm_chart;
	t->ctx.helm_ctx = b->opts->helm_ctx;
	t->ctx.helm_pull = b->opts->helm_pull;
	if (kz_load_file(&text, &t->ctx, name, KZ_FILE_MAX, err) < 0)
		goto done;
	if (kz_kustomization_parse(&t->k, text.data ? text.data : "", text.len, name, l->root, b->opts->warn,
				   b->opts->warn_ctx, err) < 0)
		goto done;
	if (load_openapi(b, t, err) < 0)
		goto done;
	rc = 0;
done:
	gitops_buf_release(&text);
	if (rc < 0)
		target_release(t);
	return rc;
}

static int is_kind(const struct target *t, const char *kind)
{
	return !strcmp(gitops_json_get_string(t->k, "kind", NULL), kind);
}

static int list_len(const cJSON *k, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, field);

	return cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0;
}

/* Move every object of src to ra (src left empty), each id checked. */
static int append_all(struct kz_resmap *ra, struct kz_resmap *src, struct gitops_err *err)
{
	return kz_resmap_append_all(ra, src, err);
}

/* A relative path from the top kustomization's directory to sub (lexical: origin + "/" + rel). */
static char *origin_join(const char *origin, const char *rel)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *p = rel;
	size_t keep;

	if (gitops_buf_addstr(&b, origin) < 0)
		goto oom;
	/* ".." steps eat the origin's last component when there is one that is not ".." */
	while (*p) {
		size_t len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.' && b.len &&
			   !(b.len >= 2 && !strcmp(b.data + b.len - 2, "..") && (b.len == 2 || b.data[b.len - 3] == '/'))) {
			char *slash = strrchr(b.data, '/');
			keep = slash ? (size_t)(slash - b.data) : 0;
			b.len = keep;
			b.data[keep] = '\0';
		} else {
			if ((b.len && gitops_buf_addstr(&b, "/") < 0) || gitops_buf_add(&b, p, len) < 0)
				goto oom;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	if (!b.data && gitops_buf_addstr(&b, "") < 0)
		goto oom;
	return gitops_buf_detach(&b);
oom:
	gitops_buf_release(&b);
	return NULL;
}

/* buildMetadata originAnnotations: where a resource file's objects came from (kustomize's Origin.Append) */
static int set_origin(struct kz_resmap *m, const struct target *t, const char *rel, struct gitops_err *err)
{
	struct gitops_buf v = GITOPS_BUF_INIT;
	char *path = origin_join(t->origin, rel);
	size_t i;
	int rc = 0;

	/* kustomize's Origin: path, then repo and ref for a remote target's files */
	if (!path || gitops_buf_printf(&v, "path: %s\n", path) < 0 ||
	    (t->repo && gitops_buf_printf(&v, "repo: %s\n", t->repo) < 0) ||
	    (t->repo && t->ref && *t->ref && gitops_buf_printf(&v, "ref: %s\n", t->ref) < 0))
		rc = gitops_err_oom(err);
	for (i = 0; rc == 0 && i < m->n; i++)
		rc = kz_res_set_annotation(m->v[i], KZ_ANN_ORIGIN, v.data, err);
	free(path);
	gitops_buf_release(&v);
	return rc;
}

/* The target whose config t's stages use and add to: itself, or for a component its parent's owner. */
static struct target *config_owner(struct target *t)
{
	return t->owner ? t->owner : t;
}

static struct kz_config *config_of(struct target *t)
{
	struct target *o = config_owner(t);

	return o->has_own ? &o->own : o->defaults;
}

/* Give t's owner a config of its own (the builtin tables, to add to). */
static int config_own(struct target *t, struct gitops_err *err)
{
	struct target *o = config_owner(t);

	if (o->has_own)
		return 0;
	if (kz_config_init(&o->own, err) < 0)
		return -1;
	o->has_own = 1;
	return 0;
}

/* accumulateDirectory: the kustomization (or component) at loader l, into ra. */
static int accumulate_directory(struct build *b, struct kz_resmap *ra, struct target *parent, struct kz_loader *l,
				const char *origin, int component, struct gitops_err *err)
{
	struct target sub;
	struct kz_resmap subra = KZ_RESMAP_INIT;
	int rc = -1;

	const char *repo = b->next_repo ? b->next_repo : parent->repo;
	const char *ref = b->next_repo ? b->next_ref : parent->ref;

	b->next_repo = b->next_ref = NULL;
	if (target_load(b, &sub, l, origin, err) < 0)
		return err_wrap(err, "couldn't make target for path '%s': %s", l->root, NULL);
	sub.repo = repo;
	sub.ref = ref;
	if (component && !is_kind(&sub, "Component")) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "expected kind 'Component' for path '%s' but got '%s'", l->root,
			       gitops_json_get_string(sub.k, "kind", NULL));
		goto done;
	}
	if (!component && is_kind(&sub, "Component")) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "expected kind != 'Component' for path '%s'", l->root);
		goto done;
	}
	if (b->depth >= MAX_DEPTH) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "kustomizations nested deeper than %d levels at '%s'", MAX_DEPTH,
			       l->root);
		goto done;
	}
	b->depth++;
	/* a component works on the map (and config) accumulated so far; a kustomization on its own */
	if (component)
		sub.owner = config_owner(parent);
	rc = accumulate_target(b, component ? ra : &subra, &sub, err);
	b->depth--;
	if (rc < 0) {
		err_wrap(err, "recursed accumulation of path '%s': %s", l->root, NULL);
		goto done;
	}
	if (!component && append_all(ra, &subra, err) < 0) {
		rc = err_wrap(err, "recursed merging from path '%s': %s", l->root, NULL);
		goto done;
	}
	/* ra.MergeConfig(subRa's): what the kustomization added reaches its parent (not its siblings) */
	if (!component && sub.has_own &&
	    (config_own(parent, err) < 0 || kz_config_merge(&config_owner(parent)->own, &sub.own, err) < 0)) {
		rc = -1;
		goto done;
	}
	rc = 0;
done:
	kz_resmap_release(&subra);
	target_release(&sub);
	return rc;
}

/*
 * A remote entry of t's resources (component: of its components): refused
 * without permission (the build's error, unwrapped), else fetched and
 * built, a repository's directory as a kustomization bounded to its
 * checkout, a file's objects as a resource file's.  1 done, 0 not remote, -1.
 */
static int accumulate_remote(struct build *b, struct kz_resmap *ra, struct target *t, const char *entry,
			     int component, struct gitops_err *err)
{
	struct kz_remote_spec s;
	struct gitops_buf text = GITOPS_BUF_INIT;
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct kz_loader sub;
	char *root = NULL, *dir = NULL, *kfile = NULL;
	const char *what = component ? "component" : "resource";
	char shown_repo[2048];
	int rc = -1, loaded = 0;

	if (kz_remote_parse(&s, entry, !component, err) < 0)
		return -1;
	if (s.kind == KZ_REMOTE_NONE)
		return 0;
	if (!b->opts->allow_remote) {
		const char *slash = strrchr(t->file, '/');
		if (!(kfile = origin_join(t->origin, slash ? slash + 1 : t->file))) {
			gitops_err_oom(err);
			goto done;
		}
		gitops_err_set(&b->refusal, GITOPS_EXIT_USAGE, "%s: remote %s '%s' refused: remote targets need "
			       "--allow-remote (or spec.kustomize.allowRemote: true in the Source)", kfile, what, s.shown);
		b->refused = 1;
		*err = b->refusal;
		goto done;
	}
	if (!b->opts->fetcher) {
		gitops_err_set(err, GITOPS_EXIT_USAGE, "remote %s '%s': this program fetches no remote targets", what, s.shown);
		goto done;
	}
	if (!b->remote && b->opts->fetcher->open(&b->remote, b->opts, err) < 0)
		goto done;
	if (s.kind == KZ_REMOTE_FILE) {
		if (b->opts->fetcher->get(&text, b->remote, entry, err) < 0 ||
		    kz_parse_objects(&m, text.data ? text.data : "", text.len, s.shown, err) < 0) {
			err_wrap(err, "accumulating resources from '%s': %s", s.shown, NULL);
			goto done;
		}
		if ((b->origin || b->transformations) && set_origin(&m, t, s.shown, err) < 0)
			goto done;
		if (append_all(ra, &m, err) < 0) {
			err_wrap(err, "merging resources from '%s': %s", s.shown, NULL);
			goto done;
		}
		rc = 1;
		goto done;
	}
	if (b->opts->fetcher->checkout(&root, &dir, b->remote, entry, err) < 0 ||
	    kz_loader_init_remote(&sub, dir, root, t->loader, t->loader->restrict_root, err) < 0) {
		err_wrap(err, component ? "loading %s '%s': %s" : "accumulating %s from '%s': %s", what, s.shown);
		goto done;
	}
	loaded = 1;
	kz_remote_redact(shown_repo, sizeof(shown_repo), s.repo);
	b->next_repo = shown_repo;
	b->next_ref = s.ref;
	if (accumulate_directory(b, ra, t, &sub, s.path, component, err) < 0) {
		err_wrap(err, component ? "loading %s '%s': %s" : "accumulating %s from '%s': %s", what, s.shown);
		goto done;
	}
	rc = 1;
done:
	if (loaded)
		kz_loader_release(&sub);
	kz_resmap_release(&m);
	gitops_buf_release(&text);
	free(root);
	free(dir);
	free(kfile);
	kz_remote_spec_release(&s);
	return rc;
}

/* accumulateResources: each path a file of objects, else a directory built whole. */
static int accumulate_resources(struct build *b, struct kz_resmap *ra, struct target *t, const cJSON *paths,
				struct gitops_err *err)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, paths)
	{
		struct gitops_buf text = GITOPS_BUF_INIT;
		struct kz_resmap m = KZ_RESMAP_INIT;
		struct gitops_err errf = GITOPS_ERR_INIT;
		struct kz_loader sub;
		const char *path;
		char *origin = NULL;
		int rc;

		if (!cJSON_IsString(p))
			continue;
		path = p->valuestring;
		if ((rc = accumulate_remote(b, ra, t, path, 0, err)) < 0)
			return -1;
		if (rc > 0)
			continue;
		/* as a file */
		rc = kz_load_file(&text, &t->ctx, path, KZ_FILE_MAX, &errf);
		if (rc == -2) {
			*err = errf;
			return err_wrap(err, "accumulating resources from '%s': %s", path, NULL);
		}
		if (rc == 0) {
			rc = kz_parse_objects(&m, text.data ? text.data : "", text.len, path, &errf);
			gitops_buf_release(&text);
			if (rc < 0) {
				if (!strncmp(errf.msg, "MalformedYAMLError", 18)) {
					*err = errf;
					kz_resmap_release(&m);
					return err_wrap(err, "accumulating resources from '%s': %s", path, NULL);
				}
				err_wrap(&errf, "accumulating resources from '%s': %s", path, NULL);
			} else if ((b->origin || b->transformations) && (rc = set_origin(&m, t, path, &errf)) < 0) {
				kz_resmap_release(&m);
				*err = errf;
				return -1;
			} else if ((rc = append_all(ra, &m, &errf)) < 0) {
				err_wrap(&errf, "merging resources from '%s': %s", path, NULL);
			}
			kz_resmap_release(&m);
			if (rc == 0)
				continue;
		} else {
			err_wrap(&errf, "accumulating resources from '%s': %s", path, NULL);
		}
		/* as a directory */
		if (kz_loader_init(&sub, path, t->loader, t->loader->restrict_root, err) < 0)
			return err_wrap(err, "accumulation err='%s': %s", errf.msg, NULL);
		if (!(origin = origin_join(t->origin, path))) {
			kz_loader_release(&sub);
			return gitops_err_oom(err);
		}
		rc = accumulate_directory(b, ra, t, &sub, origin, 0, err);
		free(origin);
		kz_loader_release(&sub);
		if (rc < 0)
			return err_wrap(err, "accumulation err='%s': %s", errf.msg, NULL);
	}
	return 0;
}

/* accumulateComponents: each a directory holding a Component, run on ra */
static int accumulate_components(struct build *b, struct kz_resmap *ra, struct target *t, const cJSON *paths,
				 struct gitops_err *err)
{
	const cJSON *p;
	char quoted[GITOPS_ERR_MSG_MAX];

	cJSON_ArrayForEach(p, paths)
	{
		struct kz_loader sub;
		char *origin;
		int rc;

		if (!cJSON_IsString(p))
			continue;
		if ((rc = accumulate_remote(b, ra, t, p->valuestring, 1, err)) < 0)
			return -1;
		if (rc > 0)
			continue;
		if (kz_loader_init(&sub, p->valuestring, t->loader, t->loader->restrict_root, err) < 0) {
			go_quote(quoted, sizeof(quoted), err->msg);
			return gitops_err_set(err, err->code, "loader.New %s", quoted);
		}
		if (!(origin = origin_join(t->origin, p->valuestring))) {
			kz_loader_release(&sub);
			return gitops_err_oom(err);
		}
		rc = accumulate_directory(b, ra, t, &sub, origin, 1, err);
		free(origin);
		kz_loader_release(&sub);
		if (rc < 0) {
			go_quote(quoted, sizeof(quoted), err->msg);
			return gitops_err_set(err, err->code, "accumulateDirectory: %s", quoted);
		}
	}
	return 0;
}

/*
 * The plugin configs named in `generators:` / `transformers:` /
 * `validators:`: inline documents first, then the paths, read as resources
 * are (files, or kustomizations built whole).
 */
static int plugin_configs(struct build *b, struct kz_resmap *out, struct target *t, const cJSON *list,
			  struct gitops_err *err)
{
	cJSON *paths = cJSON_CreateArray();
	const cJSON *p;
	int rc = -1;

	if (!paths)
		return gitops_err_oom(err);
	cJSON_ArrayForEach(p, list)
	{
		struct kz_resmap m = KZ_RESMAP_INIT;
		struct gitops_err e = GITOPS_ERR_INIT;
		if (!cJSON_IsString(p))
			continue;
		if (kz_parse_objects(&m, p->valuestring, strlen(p->valuestring), "inline", &e) == 0 && m.n > 0) {
			if (append_all(out, &m, err) < 0) {
				kz_resmap_release(&m);
				goto done;
			}
		} else if (!cJSON_AddItemToArray(paths, cJSON_CreateString(p->valuestring))) {
			kz_resmap_release(&m);
			gitops_err_oom(err);
			goto done;
		}
		kz_resmap_release(&m);
	}
	if (accumulate_resources(b, out, t, paths, err) < 0)
		goto done;
	rc = 0;
done:
	cJSON_Delete(paths);
	return rc;
}

static int plugin_refused(const cJSON *config, struct gitops_err *err)
{
	const char *kind = gitops_json_get_string(config, "kind", NULL);

	return gitops_err_set(err, GITOPS_EXIT_INPUT, "external plugins disabled; unable to load external plugin '%s'",
			      kind ? kind : "");
}

static int is_builtin(const cJSON *config)
{
	const char *av = gitops_json_get_string(config, "apiVersion", NULL);

	return av && !strcmp(av, "builtin");
}

/* --- buildMetadata: origin and transformer annotations --- */

/* A builtin plugin's config: where it was configured (its file, else the kustomization), and by what. */
static int config_origin(struct gitops_buf *out, const struct target *t, const cJSON *config, const char *indent,
			 const char *first)
{
	const char *from = kz_res_annotation(config, KZ_ANN_ORIGIN), *in = t->configured_in;
	const char *kind = gitops_json_get_string(config, "kind", NULL);
	const char *name = gitops_json_get_string(config, "metadata", "name", NULL);
	const char *ns = gitops_json_get_string(config, "metadata", "namespace", NULL);
	size_t len = in ? strlen(in) : 0;

	/* a config read from a file carries that file's origin ("path: FILE") */
	if (from && !strncmp(from, "path: ", 6)) {
		in = from + 6;
		len = strcspn(in, "\n");
	}
	if (gitops_buf_printf(out, "%s%sconfiguredIn: %.*s\n%sconfiguredBy:\n%s  apiVersion: builtin\n%s  kind: %s\n",
			      first, t->configured_remote ? t->configured_remote : "", (int)len, in ? in : "", indent,
			      indent, indent, kind ? kind : "") < 0 ||
	    (name && *name && gitops_buf_printf(out, "%s  name: %s\n", indent, name) < 0) ||
	    (ns && *ns && gitops_buf_printf(out, "%s  namespace: %s\n", indent, ns) < 0))
		return -1;
	return 0;
}

/*
 * resWrangler.AddTransformerAnnotation for one transformer (its origin, as
 * "configuredIn: ...\nconfiguredBy:\n  ..."): appended as an item to each
 * resource's transformations, or, on a resource that has no origin (a JSON
 * patch replaced its annotations), made its origin instead.
 */
static int note_one(struct kz_resmap *ra, const char *origin, int transformations, struct gitops_err *err)
{
	struct gitops_buf item = GITOPS_BUF_INIT, v = GITOPS_BUF_INIT;
	const char *p;
	size_t i;
	int rc = 0;

	if (gitops_buf_addstr(&item, "- ") < 0)
		return gitops_err_oom(err);
	for (p = origin; *p && !rc; p++)
		if (gitops_buf_add(&item, p, 1) < 0 || (*p == '\n' && p[1] && gitops_buf_addstr(&item, "  ") < 0))
			rc = gitops_err_oom(err);
	for (i = 0; i < ra->n && !rc; i++) {
		const char *old = kz_res_annotation(ra->v[i], KZ_ANN_TRANSFORMATIONS);

		/* SetOrigin and AddTransformation write the whole map back (SetAnnotations): every value a string */
		if (kz_values_as_text((cJSON *)gitops_json_get(ra->v[i], "metadata", "annotations", NULL)) < 0) {
			rc = gitops_err_oom(err);
			break;
		}
		if (!kz_res_annotation(ra->v[i], KZ_ANN_ORIGIN)) {
			rc = kz_res_set_annotation(ra->v[i], KZ_ANN_ORIGIN, origin, err);
			continue;
		}
		if (!transformations)
			continue; /* only originAnnotations: the list would be dropped at the end */
		v.len = 0;
		if ((old && gitops_buf_addstr(&v, old) < 0) || gitops_buf_addstr(&v, item.data) < 0)
			rc = gitops_err_oom(err);
		else
			rc = kz_res_set_annotation(ra->v[i], KZ_ANN_TRANSFORMATIONS, v.data, err);
	}
	gitops_buf_release(&item);
	gitops_buf_release(&v);
	return rc;
}

static int map_len(const cJSON *k, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, field);

	return cJSON_IsObject(v) ? cJSON_GetArraySize(v) : 0;
}

static int nonempty(const cJSON *k, const char *field)
{
	const char *s = gitops_json_get_string(k, field, NULL);

	return s && *s;
}

static int list_len(const cJSON *k, const char *field);

/*
 * The builtin transformers one stage of run_transformers configured
 * (kustomize's configureBuiltinTransformers: one per patches, patchesJson6902,
 * replicas and images entry; one per labels entry plus the commonLabels one;
 * one for the others when their field is set), each recorded on every
 * resource of the map once it has run, whatever it changed.
 */
static int note_builtin(struct kz_resmap *ra, const struct target *t, size_t stage, int transformations,
			struct gitops_err *err)
{
	static const char *const kinds[] = {
		"PatchStrategicMergeTransformer", "PatchTransformer",     "NamespaceTransformer", "PrefixTransformer",
		"LabelTransformer",                 "AnnotationsTransformer", "PatchJson6902Transformer",
		"ReplicaCountTransformer",          "ImageTagTransformer",  "ReplacementTransformer",
	};
	const cJSON *k = t->k;
	struct gitops_buf e = GITOPS_BUF_INIT;
	int n = 0, suffix = 0, i, rc;

	switch (stage) {
	case 0: n = list_len(k, "patchesStrategicMerge") > 0; break;
	case 1: n = list_len(k, "patches"); break;
	case 2: n = nonempty(k, "namespace"); break;
	case 3: n = nonempty(k, "namePrefix"); suffix = nonempty(k, "nameSuffix"); break;
	case 4: n = list_len(k, "labels"); n = n || map_len(k, "commonLabels") ? n + 1 : 0; break;
	case 5: n = map_len(k, "commonAnnotations") > 0; break;
	case 6: n = list_len(k, "patchesJson6902"); break;
	case 7: n = list_len(k, "replicas"); break;
	case 8: n = list_len(k, "images"); break;
	default: n = list_len(k, "replacements") > 0; break;
	}
	for (i = 0, rc = 0; i < n + suffix && !rc; i++) {
		e.len = 0;
		if (gitops_buf_printf(&e, "%sconfiguredIn: %s\nconfiguredBy:\n  apiVersion: builtin\n  kind: %s\n",
				      t->configured_remote ? t->configured_remote : "", t->configured_in,
				      i == n ? "SuffixTransformer" : kinds[stage]) < 0)
			rc = gitops_err_oom(err);
		else
			rc = note_one(ra, e.data, transformations, err);
	}
	gitops_buf_release(&e);
	return rc;
}

struct entry_note {
	const struct target *t;
	int transformations;
};

/* ctx.entry_done: one entry of patches or patchesJson6902 has run (kustomize's transformer of its own) */
static int note_entry(void *arg, struct kz_resmap *ra, const char *kind, struct gitops_err *err)
{
	const struct entry_note *n = arg;
	struct gitops_buf e = GITOPS_BUF_INIT;
	int rc;

	if (gitops_buf_printf(&e, "%sconfiguredIn: %s\nconfiguredBy:\n  apiVersion: builtin\n  kind: %s\n",
			      n->t->configured_remote ? n->t->configured_remote : "", n->t->configured_in, kind) < 0)
		rc = gitops_err_oom(err);
	else
		rc = note_one(ra, e.data, n->transformations, err);
	gitops_buf_release(&e);
	return rc;
}

static int note_plugin(struct kz_resmap *ra, const struct target *t, const cJSON *config, int transformations,
		       struct gitops_err *err)
{
	struct gitops_buf e = GITOPS_BUF_INIT;
	int rc;

	if (config_origin(&e, t, config, "", "") < 0) {
		gitops_buf_release(&e);
		return gitops_err_oom(err);
	}
	rc = note_one(ra, e.data, transformations, err);
	gitops_buf_release(&e);
	return rc;
}

static int run_generators(struct build *b, struct kz_resmap *ra, struct target *t, struct gitops_err *err)
{
	struct kz_resmap configs = KZ_RESMAP_INIT;
	size_t i;
	int rc = -1;

	if (kz_generate(ra, t->k, &t->ctx, err) < 0)
		return -1;
	if (list_len(t->k, "helmCharts") || list_len(t->k, "helmChartInflationGenerator")) {
		/* messages name the kustomization file from the directory built */
		const char *slash = strrchr(t->file, '/'), *file = t->ctx.file;
		char *shown = origin_join(t->origin, slash ? slash + 1 : t->file);

		if (!shown)
			return gitops_err_oom(err);
		t->ctx.file = shown;
		rc = kz_helm_charts(ra, t->k, &t->ctx, err);
		t->ctx.file = file;
		free(shown);
		if (rc < 0)
			return -1;
		rc = -1;
	}
	if (!list_len(t->k, "generators"))
		return 0;
	if (plugin_configs(b, &configs, t, cJSON_GetObjectItemCaseSensitive(t->k, "generators"), err) < 0)
		goto done;
	for (i = 0; i < configs.n; i++) {
		struct gitops_buf o = GITOPS_BUF_INIT;
		int r;

		if (t->configured_in && config_origin(&o, t, configs.v[i], "", "") < 0) {
			gitops_buf_release(&o);
			gitops_err_oom(err);
			goto done;
		}
		t->ctx.plugin_origin = o.data;
		r = is_builtin(configs.v[i]) ? kz_plugin_generators(ra, configs.v[i], &t->ctx, err) : 0;
		if (r == 0 && is_builtin(configs.v[i])) {
			const char *slash = strrchr(t->file, '/'), *file = t->ctx.file;
			char *shown = origin_join(t->origin, slash ? slash + 1 : t->file);

			t->ctx.file = shown ? shown : file;
			r = kz_plugin_helm(ra, configs.v[i], &t->ctx, err);
			t->ctx.file = file;
			free(shown);
		}
		t->ctx.plugin_origin = NULL;
		gitops_buf_release(&o);
		if (r < 0)
			goto done;
		if (r == 0) {
			plugin_refused(configs.v[i], err);
			goto done;
		}
	}
	rc = 0;
done:
	kz_resmap_release(&configs);
	return rc;
}

typedef int (*stage_fn)(struct kz_resmap *, const cJSON *, struct kz_ctx *, struct gitops_err *);

static int run_transformers(struct build *b, struct kz_resmap *ra, struct target *t, struct gitops_err *err)
{
	/* kustomize's configureBuiltinTransformers: this order, always */
	static const stage_fn builtin[] = {
		kz_patches_strategic, kz_patches,      kz_namespace, kz_prefix_suffix, kz_labels,      kz_annotations,
		kz_patches_json6902,  kz_replicas,     kz_images,    kz_replacements,
	};
	struct kz_resmap configs = KZ_RESMAP_INIT;
	/* with either buildMetadata option, every transformer has an origin: a resource left without one takes
	 * it (kustomize's AddTransformerAnnotation); the list of them is kept with transformerAnnotations only */
	int noting = b->transformations || b->origin;
	struct entry_note en = { t, b->transformations };
	size_t i;
	int rc = -1;

	if (list_len(t->k, "replacements"))
		b->replaced = 1;
	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		/* patches and patchesJson6902 are recorded entry by entry: one may replace the annotations */
		int by_entry = noting && (i == 1 || i == 6);

		t->ctx.entry_done = by_entry ? note_entry : NULL;
		t->ctx.entry_ctx = by_entry ? &en : NULL;
		rc = builtin[i](ra, t->k, &t->ctx, err);
		t->ctx.entry_done = NULL;
		t->ctx.entry_ctx = NULL;
		if (rc < 0 || (noting && !by_entry && note_builtin(ra, t, i, b->transformations, err) < 0))
			return -1;
	}
	rc = -1;
	if (!list_len(t->k, "transformers"))
		return 0;
	if (plugin_configs(b, &configs, t, cJSON_GetObjectItemCaseSensitive(t->k, "transformers"), err) < 0)
		goto done;
	for (i = 0; i < configs.n; i++) {
		int r = 0;
		if (is_builtin(configs.v[i])) {
			r = kz_plugin_transform(ra, configs.v[i], &t->ctx, err);
			if (r == 0)
				r = kz_plugin_patch(ra, configs.v[i], &t->ctx, err);
			if (r == 0 && (r = kz_plugin_replace(ra, configs.v[i], &t->ctx, err)) > 0)
				b->replaced = 1;
		}
		/* a plugin has an origin with either build metadata option (its config's): a resource without one
		 * (a JSON patch replaced its annotations) takes it */
		if (r < 0 || (r > 0 && (b->transformations || b->origin) &&
			      note_plugin(ra, t, configs.v[i], b->transformations, err) < 0))
			goto done;
		if (r == 0) {
			plugin_refused(configs.v[i], err);
			goto done;
		}
	}
	rc = 0;
done:
	kz_resmap_release(&configs);
	return rc;
}

/* kustomize has no builtin validator: any config is an external plugin */
static int run_validators(struct build *b, struct target *t, struct gitops_err *err)
{
	struct kz_resmap configs = KZ_RESMAP_INIT;
	int rc = 0;

	if (!list_len(t->k, "validators"))
		return 0;
	if (plugin_configs(b, &configs, t, cJSON_GetObjectItemCaseSensitive(t->k, "validators"), err) < 0)
		rc = -1;
	else if (configs.n)
		rc = plugin_refused(configs.v[0], err);
	kz_resmap_release(&configs);
	return rc;
}

/* ResAccumulator.MergeVars: a var's name once in a build */
static int merge_vars(struct build *b, const struct target *t, struct gitops_err *err)
{
	const cJSON *vars = cJSON_GetObjectItemCaseSensitive(t->k, "vars"), *v, *w;

	cJSON_ArrayForEach(v, vars)
	{
		const char *name = gitops_json_get_string(v, "name", NULL);
		cJSON *copy;
		if (!name)
			continue;
		cJSON_ArrayForEach(w, b->vars)
		{
			const char *other = gitops_json_get_string(w, "name", NULL);
			if (other && !strcmp(other, name))
				return gitops_err_set(err, GITOPS_EXIT_INPUT, "var '%s' already encountered", name);
		}
		if (!(copy = gitops_value_copy(v)) || !cJSON_AddItemToArray(b->vars, copy)) {
			cJSON_Delete(copy);
			return gitops_err_oom(err);
		}
	}
	return 0;
}

static int accumulate_target(struct build *b, struct kz_resmap *ra, struct target *t, struct gitops_err *err)
{
	if ((b->origin || b->transformations) && !t->configured_in) {
		const char *base = strrchr(t->file, '/');

		if (!(t->configured_in = origin_join(t->origin, base ? base + 1 : t->file)))
			return gitops_err_oom(err);
		t->ctx.configured_in = t->configured_in;
		/* kustomize's Origin of a remote target's transformers and generators: its repo and ref first */
		if (t->repo && asprintf(&t->configured_remote, "repo: %s\n%s%s%s", t->repo, t->ref && *t->ref ? "ref: " : "",
					t->ref && *t->ref ? t->ref : "", t->ref && *t->ref ? "\n" : "") < 0) {
			t->configured_remote = NULL;
			return gitops_err_oom(err);
		}
		t->ctx.configured_remote = t->configured_remote;
	}
	if (accumulate_resources(b, ra, t, cJSON_GetObjectItemCaseSensitive(t->k, "resources"), err) < 0)
		return err_wrap(err, "%s: %s", "accumulating resources", NULL);
	if (list_len(t->k, "configurations") &&
	    (config_own(t, err) < 0 || kz_config_merge_files(&config_owner(t)->own, t->k, &t->ctx, err) < 0))
		return -1;
	if (list_len(t->k, "crds") &&
	    (config_own(t, err) < 0 || kz_config_merge_crds(&config_owner(t)->own, t->k, &t->ctx, err) < 0))
		return -1;
	t->ctx.config = config_of(t);
	t->ctx.schema = b->schema;
	if (run_generators(b, ra, t, err) < 0)
		return -1;
	if (accumulate_components(b, ra, t, cJSON_GetObjectItemCaseSensitive(t->k, "components"), err) < 0)
		return err_wrap(err, "%s: %s", "accumulating components", NULL);
	t->ctx.schema = b->schema;
	t->ctx.config = config_of(t); /* components may have added to it */
	if (run_transformers(b, ra, t, err) < 0 || run_validators(b, t, err) < 0)
		return -1;
	if (merge_vars(b, t, err) < 0)
		return err_wrap(err, "%s: %s", "merging vars", NULL);
	return 0;
}

/* --- the output order --- */

static const char *const order_first[] = {
	"Namespace",      "ResourceQuota", "StorageClass",  "CustomResourceDefinition", "ServiceAccount",
	"PodSecurityPolicy", "Role",       "ClusterRole",   "RoleBinding",              "ClusterRoleBinding",
	"ConfigMap",      "Secret",        "Endpoints",     "Service",                  "LimitRange",
	"PriorityClass",  "PersistentVolume", "PersistentVolumeClaim", "Deployment",   "StatefulSet",
	"CronJob",        "PodDisruptionBudget",
};
static const char *const order_last[] = { "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration" };

struct sort_item {
	cJSON *obj;
	int rank;         /* typeOrders: orderFirst negative, orderLast positive, others 0 */
	char *gvk;        /* legacyGVKSortString */
	int core_ns;      /* a Namespace of the core group */
	char *id;         /* legacyResIDSortString */
};

struct order {
	const char *const *first, *const *last;
	size_t n_first, n_last;
	const cJSON *first_list, *last_list; /* custom, from sortOptions */
};

static int rank_of(const struct order *o, const char *kind)
{
	size_t i;
	int r = 0;

	/* a map filled first from orderFirst, then orderLast: the later entry wins */
	if (o->first_list || o->last_list) {
		const cJSON *v;
		int n = cJSON_GetArraySize(o->first_list), k = 0;
		cJSON_ArrayForEach(v, o->first_list)
		{
			if (cJSON_IsString(v) && !strcmp(v->valuestring, kind))
				r = -n + k;
			k++;
		}
		k = 0;
		cJSON_ArrayForEach(v, o->last_list)
		{
			if (cJSON_IsString(v) && !strcmp(v->valuestring, kind))
				r = 1 + k;
			k++;
		}
		return r;
	}
	for (i = 0; i < o->n_first; i++)
		if (!strcmp(o->first[i], kind))
			r = -(int)o->n_first + (int)i;
	for (i = 0; i < o->n_last; i++)
		if (!strcmp(o->last[i], kind))
			r = 1 + (int)i;
	return r;
}

static int item_less(const struct sort_item *a, const struct sort_item *b)
{
	int c = strcmp(a->gvk, b->gvk);

	if (c) {
		if (a->rank != b->rank)
			return a->rank < b->rank;
		/* the core group's Namespaces before any other group's kind Namespace (kubectl v1.32's output) */
		if (a->core_ns != b->core_ns && !strcmp(strrchr(a->gvk, '_'), "_Namespace") &&
		    !strcmp(strrchr(b->gvk, '_'), "_Namespace"))
			return a->core_ns;
		return c < 0;
	}
	return strcmp(a->id, b->id) < 0;
}

/* A stable merge sort (the order is total on distinct ids, so stability only matters for none). */
static void merge_sort(struct sort_item *v, struct sort_item *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, mid);
	merge_sort(v + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[k++] = item_less(&v[j], &v[i]) ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

static int sort_legacy(struct kz_resmap *m, const struct order *o, struct gitops_err *err)
{
	struct sort_item *v = calloc(m->n + 1, sizeof(*v)), *tmp = calloc(m->n + 1, sizeof(*tmp));
	size_t i;
	int rc = -1;

	if (!v || !tmp) {
		gitops_err_oom(err);
		goto done;
	}
	for (i = 0; i < m->n; i++) {
		struct kz_id id;
		struct gitops_buf g = GITOPS_BUF_INIT, s = GITOPS_BUF_INIT;
		kz_id_of(&id, m->v[i]);
		v[i].obj = m->v[i];
		v[i].rank = rank_of(o, id.kind);
		v[i].core_ns = !strcmp(id.kind, "Namespace") && !*id.group;
		if (gitops_buf_printf(&g, "%s_%s_%s", *id.group ? id.group : "~G", *id.version ? id.version : "~V",
				      *id.kind ? id.kind : "~K") < 0 ||
		    /* ResId's Gvk.String() (kyaml: kind.version.group), then namespace and name */
		    gitops_buf_printf(&s, "%s.%s.%s|%s|%s", *id.kind ? id.kind : "[noKind]",
				      *id.version ? id.version : "[noVer]", *id.group ? id.group : "[noGrp]",
				      *id.ns ? id.ns : "~X", *id.name ? id.name : "~N") < 0) {
			gitops_buf_release(&g);
			gitops_buf_release(&s);
			gitops_err_oom(err);
			goto done;
		}
		v[i].gvk = gitops_buf_detach(&g);
		v[i].id = gitops_buf_detach(&s);
	}
	merge_sort(v, tmp, m->n);
	for (i = 0; i < m->n; i++)
		m->v[i] = v[i].obj;
	rc = 0;
done:
	for (i = 0; v && i < m->n; i++) {
		free(v[i].gvk);
		free(v[i].id);
	}
	free(v);
	free(tmp);
	return rc;
}

/* The SortOrderTransformer: sortOptions of the top kustomization, else --reorder, else legacy. */
static int sort_output(struct kz_resmap *m, const cJSON *k, const struct gitops_kustomize_options *opts,
		       struct gitops_err *err)
{
	enum gitops_kustomize_reorder reorder = opts->reorder;
	const cJSON *so = cJSON_GetObjectItemCaseSensitive(k, "sortOptions");
	struct order o = { order_first, order_last, sizeof(order_first) / sizeof(order_first[0]),
			   sizeof(order_last) / sizeof(order_last[0]), NULL, NULL };

	if (so && !cJSON_IsNull(so)) {
		const char *order = gitops_json_get_string(so, "order", NULL);
		const cJSON *legacy = cJSON_GetObjectItemCaseSensitive(so, "legacySortOptions");
		if (reorder != GITOPS_KUSTOMIZE_REORDER_UNSET && opts->warn)
			opts->warn(opts->warn_ctx, "Sorting order is set both in 'kustomization.yaml' ('sortOptions') and in a "
						   "CLI flag ('--reorder'). Using the kustomization file over the CLI flag.");
		if (!order || (strcmp(order, "fifo") && strcmp(order, "legacy")))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "the field 'sortOptions.order' must be one of [fifo, legacy]");
		if (!strcmp(order, "fifo")) {
			if (legacy && !cJSON_IsNull(legacy))
				return gitops_err_set(err, GITOPS_EXIT_INPUT,
						      "the field 'sortOptions.legacySortOptions' is set but the selected sort "
						      "order is 'fifo', not 'legacy'");
			return 0;
		}
		if (legacy && !cJSON_IsNull(legacy)) {
			o.first_list = cJSON_GetObjectItemCaseSensitive(legacy, "orderFirst");
			o.last_list = cJSON_GetObjectItemCaseSensitive(legacy, "orderLast");
			if (!o.first_list && !o.last_list)
				o.first_list = legacy; /* present but empty: no kind ranked */
		}
		return sort_legacy(m, &o, err);
	}
	if (reorder == GITOPS_KUSTOMIZE_REORDER_NONE)
		return 0;
	return sort_legacy(m, &o, err);
}

/* --- the end of the build --- */

static int has_string(const cJSON *list, const char *s)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, list)
	{
		if (cJSON_IsString(v) && !strcmp(v->valuestring, s))
			return 1;
	}
	return 0;
}

/* IgnoreLocal: resources marked config.kubernetes.io/local-config: "true" are for the build only */
static void drop_local(struct kz_resmap *m)
{
	size_t i = 0;

	while (i < m->n) {
		const char *v = kz_res_annotation(m->v[i], KZ_ANN_LOCAL_CONFIG);
		if (v && !strcmp(v, "true"))
			kz_resmap_remove(m, i);
		else
			i++;
	}
}

/*
 * RemoveBuildAnnotations writes the annotations back as a map of strings:
 * a value a build made a number or a boolean (a replacement, a patch)
 * becomes its text.  (Values read from files are read as their text
 * already: lib/yaml's kyaml mode.)  0, or -1 when out of memory.
 */
int kz_values_as_text(cJSON *ann)
{
	cJSON *a;

	cJSON_ArrayForEach(a, ann) {
		char buf[64];
		const char *s;
		char *d;

		/* an annotation is its text, whatever a replacement left (kyaml's GetValue) */
		a->type &= ~(KZ_TAGLESS | KZ_MISTAGGED);
		if (cJSON_IsString(a))
			continue;
		if (cJSON_IsObject(a) || cJSON_IsArray(a)) {
			/* a collection's node has no text of its own */
			cJSON *e = cJSON_CreateString("");

			if (!e)
				return -1;
			e->string = a->string;
			e->type |= a->type & cJSON_StringIsConst;
			a->string = NULL;
			cJSON_ReplaceItemViaPointer(ann, a, e);
			a = e;
			continue;
		}
		s = cJSON_IsNumber(a) ? gitops_value_format_number(buf, sizeof(buf), a) :
		    cJSON_IsTrue(a)   ? "true" :
		    cJSON_IsFalse(a)  ? "false" :
					"null";
		if (!(d = strdup(s)))
			return -1;
		if (!(a->type & cJSON_IsReference))
			cJSON_free(a->valuestring);
		a->valuestring = d;
		a->type = cJSON_String | (a->type & cJSON_StringIsConst);
	}
	return 0;
}

/*
 * Does the strip below remove annotation `key`?  `once` holds the keys
 * outside internal.config.kubernetes.io/ already removed: of those only the
 * first member of a name goes (as removing by name removes the first).
 */
static int strip_this(const char *key, int origin, int transformations, unsigned *once)
{
	static const char *const outside[] = { KZ_ANN_BEHAVIOR, KZ_ANN_ORIGIN, KZ_ANN_TRANSFORMATIONS };
	size_t j;

	if (!strncmp(key, "internal.config.kubernetes.io/", 30))
		return 1;
	for (j = 0; j < sizeof(outside) / sizeof(outside[0]); j++) {
		if (strcmp(key, outside[j]))
			continue;
		if ((*once & (1u << j)) || (j == 1 && origin) || (j == 2 && transformations))
			return 0;
		*once |= 1u << j;
		return 1;
	}
	return 0;
}

/*
 * RemoveBuildAnnotations, and origin / transformations unless buildMetadata
 * asks for them: one walk over each resource's annotations (an empty map
 * left, or found, goes too).
 */
static int strip_annotations(struct kz_resmap *m, int origin, int transformations, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		cJSON *md = gitops_value_get(m->v[i], "metadata"), *ann = gitops_value_get(md, "annotations"), *a,
		      *next;
		unsigned once = 0;

		if (cJSON_IsObject(ann)) {
			for (a = ann->child; a; a = next) {
				next = a->next;
				if (a->string && strip_this(a->string, origin, transformations, &once))
					cJSON_Delete(cJSON_DetachItemViaPointer(ann, a));
			}
			if (!ann->child) {
				cJSON_Delete(cJSON_DetachItemViaPointer(md, ann));
				ann = NULL;
			}
		}
		if (kz_values_as_text(ann) < 0)
			return gitops_err_oom(err);
	}
	return 0;
}

static int add_managed_by(struct kz_resmap *m, struct gitops_err *err)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		cJSON *md = gitops_value_get(m->v[i], "metadata"), *labels, *v;
		if (!cJSON_IsObject(md))
			continue;
		labels = gitops_value_get(md, "labels");
		if (!cJSON_IsObject(labels)) {
			if (labels)
				cJSON_DeleteItemFromObjectCaseSensitive(md, "labels");
			if (!(labels = cJSON_AddObjectToObject(md, "labels")))
				return gitops_err_oom(err);
		}
		if (!(v = cJSON_CreateString("kustomize-(devel)")) ||
		    gitops_value_set(labels, "app.kubernetes.io/managed-by", v) < 0) {
			cJSON_Delete(v);
			return gitops_err_oom(err);
		}
	}
	return 0;
}

int gitops_kustomize_build(struct kz_resmap *out, const char *dir, const struct gitops_kustomize_options *opts,
			   struct gitops_err *err)
{
	static const struct gitops_kustomize_options defaults = GITOPS_KUSTOMIZE_OPTIONS_INIT;
	struct build b;
	struct kz_loader l;
	struct target t;
	const cJSON *meta;
	int rc = -1, loaded = 0, have_config = 0;

	memset(&b, 0, sizeof(b));
	memset(&t, 0, sizeof(t));
	b.opts = opts ? opts : &defaults;
	if (kz_loader_init(&l, dir, NULL, b.opts->load_restrictor == GITOPS_KUSTOMIZE_ROOT_ONLY, err) < 0)
		return -1;
	loaded = 1;
	if (b.opts->boundary && kz_loader_bound(&l, b.opts->boundary, err) < 0)
		goto done;
	if (!(b.vars = cJSON_CreateArray())) {
		gitops_err_oom(err);
		goto done;
	}
	if (kz_config_init(&b.config, err) < 0)
		goto done;
	have_config = 1;
	if (target_load(&b, &t, &l, "", err) < 0)
		goto done;
	/* Argo CD edits the application's kustomization before it builds */
	if (b.opts->overrides && kz_overrides_apply(t.k, b.opts->overrides, err) < 0)
		goto done;
	meta = cJSON_GetObjectItemCaseSensitive(t.k, "buildMetadata");
	b.origin = has_string(meta, "originAnnotations");
	b.transformations = has_string(meta, "transformerAnnotations");
	if (accumulate_target(&b, out, &t, err) < 0)
		goto done;
	/* the map kustomize hands on is built by appending each resource again: two a patch renamed to one id fail */
	{
		struct kz_resmap fresh = KZ_RESMAP_INIT;

		if (kz_resmap_append_all(&fresh, out, err) < 0) {
			kz_resmap_release(&fresh);
			goto done;
		}
		kz_resmap_release(out);
		*out = fresh;
	}
	/* what kustomize does once, at the top */
	t.ctx.schema = b.schema;
	if (kz_add_hash_suffixes(out, err) < 0 || kz_fix_name_references(out, &t.ctx, err) < 0 ||
	    kz_vars_resolve(out, b.vars, &t.ctx, err) < 0)
		goto done;
	drop_local(out);
	if (sort_output(out, t.k, b.opts, err) < 0)
		goto done;
	if (has_string(meta, "managedByLabel") && add_managed_by(out, err) < 0)
		goto done;
	if (strip_annotations(out, b.origin, b.transformations, err) < 0)
		goto done;
	for (size_t i = 0; b.replaced && i < out->n; i++)
		if (kz_untag(out->v[i], err) < 0)
			goto done;
	rc = 0;
done:
	/* a refused remote target is said as it is, whatever the kustomizations above wrapped around it */
	if (rc < 0 && b.refused)
		*err = b.refusal;
	if (b.remote)
		b.opts->fetcher->close(b.remote);
	target_release(&t);
	if (have_config)
		kz_config_release(&b.config);
	cJSON_Delete(b.vars);
	gitops_smp_schema_free(b.schema);
	if (loaded)
		kz_loader_release(&l);
	return rc;
}

int gitops_kustomize_option_set(struct gitops_kustomize_options *o, const char *name, const char *arg,
				struct gitops_err *err)
{
	if (!strcmp(name, "load-restrictor")) {
		if (!strcmp(arg, "rootOnly") || !strcmp(arg, "LoadRestrictionsRootOnly"))
			o->load_restrictor = GITOPS_KUSTOMIZE_ROOT_ONLY;
		else if (!strcmp(arg, "none") || !strcmp(arg, "LoadRestrictionsNone"))
			o->load_restrictor = GITOPS_KUSTOMIZE_NONE;
		else
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--load-restrictor: '%s' is not rootOnly or none", arg);
		return 0;
	}
	if (!strcmp(name, "reorder")) {
		if (!strcmp(arg, "legacy"))
			o->reorder = GITOPS_KUSTOMIZE_REORDER_LEGACY;
		else if (!strcmp(arg, "none"))
			o->reorder = GITOPS_KUSTOMIZE_REORDER_NONE;
		else
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--reorder: '%s' is not legacy or none", arg);
		return 0;
	}
	return gitops_err_set(err, GITOPS_EXIT_USAGE, "--%s: not a kustomize option", name);
}
