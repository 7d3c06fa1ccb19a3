/*
 * kustomize.h: the native Kustomize build (issue 13), as `kubectl kustomize`
 * (kustomize v5.5) builds a directory.
 *
 * The build fills a resource map (lib/kustomize/kz.h) that the caller owns
 * and releases with kz_resmap_release, even on error.  Nothing is printed:
 * kustomize's warnings (deprecated fields) go to the warn callback.
 */
#ifndef GITOPS_KUSTOMIZE_H
#define GITOPS_KUSTOMIZE_H

#include "lib/base/err.h"
#include "lib/git/git.h"
#include "lib/kustomize/kz.h"

struct gitops_kustomize_helm_chart;

enum gitops_kustomize_restrictor {
	GITOPS_KUSTOMIZE_ROOT_ONLY = 0, /* files in or below the kustomization's directory (kustomize's default) */
	GITOPS_KUSTOMIZE_NONE,          /* any file (LoadRestrictionsNone) */
};

enum gitops_kustomize_reorder {
	GITOPS_KUSTOMIZE_REORDER_UNSET = 0, /* the kustomization's sortOptions, else legacy */
	GITOPS_KUSTOMIZE_REORDER_LEGACY,
	GITOPS_KUSTOMIZE_REORDER_NONE,      /* fifo */
};

struct gitops_kustomize_options {
	enum gitops_kustomize_restrictor load_restrictor;
	enum gitops_kustomize_reorder reorder;
	void (*warn)(void *warn_ctx, const char *msg);
	void *warn_ctx;
	/*
	 * Called with each file the build reads (kustomization files, resources,
	 * patches, generator sources, configurations), open, before it is read:
	 * return -1 with err to stop the build (gitops-render checks a checkout's
	 * files against its commit here).  NULL: no check.
	 */
	int (*read_hook)(void *read_ctx, const char *path, int fd, struct gitops_err *err);
	void *read_ctx;
	/*
	 * A directory no file or kustomization of the build may be outside
	 * (symbolic links resolved), whatever load_restrictor says: the
	 * checkout of a Source, for gitops-render.  NULL: no such bound.
	 */
	const char *boundary;
	/*
	 * Argo CD's per-application overrides (an Application's
	 * source.kustomize: namePrefix, nameSuffix, images, replicas,
	 * commonLabels, commonAnnotations, namespace, patches, components and
	 * their flags), applied to the top kustomization as Argo CD's
	 * `kustomize edit` calls apply them (kz_overrides.h).  NULL: none.
	 */
	const cJSON *overrides;
	/*
	 * Remote targets (kustomize's remote bases and files): a `resources:`
	 * or `components:` entry that is a Git URL (https://host/org/repo//dir
	 * ?ref=v1, git@host:org/repo.git//dir, ssh://, git://, file://) or,
	 * in resources, an http(s) URL of one YAML file.  Refused (GITOPS_EXIT_USAGE,
	 * naming the kustomization file and the URL) unless allow_remote.
	 * Repositories go through the Git cache (git_cache, git_auth: NULL, the
	 * defaults; the user name, password and token of git_auth are never
	 * offered: the repository chose the hosts), files through the
	 * HTTP layer (TLS verified against git_auth->ca_file or the system's CAs).
	 * A remote directory is built with nothing outside its checkout read.
	 * remote_notice (may be NULL) hears "fetching URL" for -v.
	 */
	int allow_remote;
	const struct gitops_git_cache_options *git_cache;
	const struct gitops_git_auth *git_auth;
	void (*remote_notice)(void *warn_ctx, const char *msg);
	/*
	 * Who fetches remote targets (NULL: nobody, an allowed one fails):
	 * gitops_kustomize_fetcher_git in this process (git_cache, git_auth),
	 * or gitops_kustomize_fetcher_child, a gitops-fetch beside the program
	 * given fetcher_args (NULL-terminated: its cache and authentication
	 * options), so that libgit2 and libcurl never load in a build without
	 * remote targets.
	 */
	const struct gitops_kustomize_fetcher *fetcher;
	char *const *fetcher_args;
	/*
	 * helmCharts (kustomize's HelmChartInflationGenerator, as a field or a
	 * `generators:` config): refused (GITOPS_EXIT_USAGE, "must specify
	 * --enable-helm", as kubectl) unless enable_helm; then each local chart
	 * is rendered by helm_chart (helm_ctx its first argument), which appends
	 * to out what `helm template` prints for the chart directory with
	 * those arguments (struct gitops_kustomize_helm_chart).  NULL: refused,
	 * "Helm charts are not rendered yet" (this layer renders none itself).
	 */
	int enable_helm;
	int (*helm_chart)(void *helm_ctx, struct gitops_buf *out, const char *chart_dir,
			  const struct gitops_kustomize_helm_chart *chart, struct gitops_err *err);
	void *helm_ctx;
	/*
	 * A chart from a repository (`repo:`) that is not where kustomize's
	 * `helm pull` would have put it: *dir gets the chart's directory (the
	 * caller's cache; it stays there, unchanged, until the build is over),
	 * version as kustomize hands it to helm pull (NULL: the newest).  NULL:
	 * refused, as before charts were pulled.
	 */
	int (*helm_pull)(void *helm_ctx, char **dir, const char *repo, const char *name, const char *version,
			 struct gitops_err *err);
	int chart_plain_http;     /* the fetcher's charts: oci:// registries over http (helm's --plain-http) */
};

/*
 * One helmCharts entry as kustomize hands it to `helm template` (its
 * AsHelmArgs): strings borrowed for the call.  The values are documents'
 * text, in the order of helm's -f: the chart's values file (kustomize's
 * copy of valuesFile, or valuesInline merged with it by valuesMerge), then
 * additionalValuesFiles; value_names name them in messages.
 */
struct gitops_kustomize_helm_chart {
	const char *release;      /* releaseName; NULL: helm's "release-name" (or the name template's) */
	const char *name_template; /* nameTemplate (Go template text, Sprig's functions), or NULL */
	const char *namespace;    /* NULL: helm's default */
	const struct gitops_buf *values;
	const char *const *value_names;
	size_t n_values;
	const char *kube_version; /* NULL: helm's default */
	const char *const *api_versions;
	size_t n_api_versions;
	int include_crds, skip_tests, skip_hooks;
	int remote;               /* the chart is in a remote target's checkout (not the build's own files) */
};

/*
 * A fetcher of remote targets.  entry: the kustomization's entry as
 * written (its password too: never shown).  A checkout is kept from the
 * cache's collection until close.
 */
struct gitops_kustomize_fetcher {
	int (*open)(void **state, const struct gitops_kustomize_options *opts, struct gitops_err *err);
	void (*close)(void *state);
	/* a Git target: *root its commit's checkout, *dir the target directory in it (both the caller's) */
	int (*checkout)(char **root, char **dir, void *state, const char *entry, struct gitops_err *err);
	/* an http(s) file target: its body appended to out */
	int (*get)(struct gitops_buf *out, void *state, const char *entry, struct gitops_err *err);
	/*
	 * A Helm chart: NAME of the chart repository or OCI registry `repo`
	 * (lib/chart: "https://...", "oci://REGISTRY/PATH") at the version
	 * `range` chooses (NULL or "": the newest release); *dir its unpacked
	 * directory in the cache, locked until close, *version the version
	 * (both the caller's).  Credentials: the URL's and the netrc file's
	 * for its host, never the environment's (the files chose the host).
	 */
	int (*chart)(char **dir, char **version, void *state, const char *repo, const char *name, const char *range,
		     struct gitops_err *err);
};
extern const struct gitops_kustomize_fetcher gitops_kustomize_fetcher_git;   /* remote.c */
extern const struct gitops_kustomize_fetcher gitops_kustomize_fetcher_child; /* remote_child.c */

/*
 * The child's side (gitops-fetch --kustomize-remote-serve): answer the
 * requests read from fd `in` on fd `out` with gitops_kustomize_fetcher_git
 * and opts, until end of input.  0, or -1 with err (the pipe broke).
 */
int gitops_kustomize_remote_serve(int in, int out, const struct gitops_kustomize_options *opts,
				  struct gitops_err *err);

#define GITOPS_KUSTOMIZE_OPTIONS_INIT                                                                             \
	{ GITOPS_KUSTOMIZE_ROOT_ONLY, GITOPS_KUSTOMIZE_REORDER_UNSET, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL,  \
	  NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0 }

/*
 * One of kubectl kustomize's options into o: `name` "load-restrictor"
 * (rootOnly, none, or kubectl's LoadRestrictionsRootOnly,
 * LoadRestrictionsNone) or "reorder" (legacy, none).  0, or -1 with err
 * (GITOPS_EXIT_USAGE) for another value or name.
 */
int gitops_kustomize_option_set(struct gitops_kustomize_options *o, const char *name, const char *arg,
				struct gitops_err *err);

/* Build the kustomization in `dir` into out (empty on entry), in output order, kustomize's annotations stripped. */
int gitops_kustomize_build(struct kz_resmap *out, const char *dir, const struct gitops_kustomize_options *opts,
			   struct gitops_err *err);

/*
 * Read Argo CD's overrides (a YAML mapping of its source.kustomize fields)
 * from file into *out (the caller's, cJSON_Delete).  0, or -1 with err:
 * unreadable (GITOPS_EXIT_IO), not YAML, or not a mapping (GITOPS_EXIT_USAGE).
 */
struct gitops_limits;
int gitops_kustomize_overrides_read(cJSON **out, const char *file, const struct gitops_limits *limits,
				    struct gitops_err *err);

/* The kustomization file's name in dir ("kustomization.yaml", ...), or NULL when there is none. */
const char *gitops_kustomize_file(const char *dir);

#endif
