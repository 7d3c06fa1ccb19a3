/*
 * helm.h: Helm charts rendered natively, as `helm template` v3.17.2 renders
 * them (issue 17).
 *
 * Layer "render/helm", on base, value, yaml, k8s, template and
 * template/funcs.  A chart (a directory with Chart.yaml, or a packaged
 * .tgz) is loaded as Helm's loader loads it (files.h), its values computed
 * as Helm computes them (chart defaults, -f files, --set*, dependencies
 * enabled by condition and tags, import-values, globals, the subcharts'
 * values.schema.json), every template executed by lib/template with
 * Sprig's and Helm's functions, and the manifests ordered and printed as
 * `helm template` prints them: gitops_helm_template's text is helm's
 * standard output byte for byte.  Nothing here prints or exits.
 *
 * Errors read as helm's ("execution error at (chart/templates/x.yaml:4:5):
 * ...", "values don't meet the specifications of the schema(s) ...") with
 * code GITOPS_EXIT_INPUT; a bad option is GITOPS_EXIT_USAGE; a file that
 * cannot be read GITOPS_EXIT_IO.
 */
#ifndef GITOPS_HELM_H
#define GITOPS_HELM_H
#include <stddef.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"
#include <cjson/cJSON.h>

/* How a --set* argument is read (Helm's strvals). */
enum gitops_helm_set_kind {
	GITOPS_HELM_SET,
	GITOPS_HELM_SET_STRING,
	GITOPS_HELM_SET_JSON,
	GITOPS_HELM_SET_FILE,
	GITOPS_HELM_SET_LITERAL,
};

struct gitops_helm_set {
	enum gitops_helm_set_kind kind;
	const char *arg; /* borrowed */
};

struct gitops_err;
/*
 * Where a dependency from a chart repository comes from: the chart NAME of
 * repository (https://, http://, oci://) at the version `version` names
 * (exact: Chart.lock's) or the newest its constraint allows, its files
 * appended to out as Helm's loader reads them, *chosen the version
 * (malloc'd).
 */
struct gitops_helm_files;
typedef int (*gitops_helm_pull_fn)(void *ctx, struct gitops_helm_files *out, char **chosen, const char *repository,
				   const char *name, const char *version, int exact, struct gitops_err *err);

/* helm template's flags; strings are borrowed. */
struct gitops_helm_options {
	const char *release;        /* the release name (helm's NAME; default "release-name") */
	const char *namespace;      /* -n (default "default") */
	const char **values_files;  /* -f/--values, in order */
	size_t n_values_files;
	/* values documents given as text (a Source's spec.helm.values and valuesObject), merged in order after
	 * the files, each named in errors by values_text_names[i] */
	const char **values_texts;
	const char **values_text_names;
	size_t n_values_texts;
	struct gitops_helm_set *sets; /* --set, --set-string, --set-json, --set-file, --set-literal in the order given */
	size_t n_sets;
	const char *kube_version;   /* --kube-version (NULL: helm template's default) */
	const char **api_versions;  /* --api-versions */
	size_t n_api_versions;
	const char **show_only;     /* --show-only (-s) */
	size_t n_show_only;
	int include_crds;           /* --include-crds */
	int skip_tests;             /* --skip-tests */
	int no_hooks;               /* --no-hooks */
	int is_upgrade;             /* --is-upgrade */
	int skip_schema_validation; /* --skip-schema-validation */
	int dependency_update;      /* --dependency-update: fetch what charts/ lacks first (gitops_helm_deps_build) */
	gitops_helm_pull_fn pull;   /* where those from repositories come from (NULL: refused) */
	void *pull_ctx;
	int strict;                 /* missingkey=error (helm lint --strict; not a helm template flag) */
	/* warnings helm prints on standard error ("walk.go: found symbolic link...", coalescing, deprecations) */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
	char **owned;               /* the pieces gitops_helm_option_set split a list into */
	size_t n_owned;
};

#define GITOPS_HELM_OPTIONS_INIT { .release = NULL }

/*
 * Parse one of helm template's options into o (the arrays grow; free them
 * with gitops_helm_options_release): `name` is the long option without its
 * dashes ("set", "values", "api-versions", "show-only", "kube-version",
 * "namespace", "include-crds", ...), arg its argument (NULL for a flag).
 * 1 when the option is one of these, 0 when it is not, -1 on error.
 */
int gitops_helm_option_set(struct gitops_helm_options *o, const char *name, const char *arg, struct gitops_err *err);
void gitops_helm_options_release(struct gitops_helm_options *o);

/* Is path a chart: a directory holding Chart.yaml, or a file ending in .tgz? */
int gitops_helm_is_chart(const char *path);

/* Render the chart at path; out gets exactly what `helm template` prints on standard output. */
int gitops_helm_template(struct gitops_buf *out, const char *path, const struct gitops_helm_options *o,
			 struct gitops_err *err);

/* The same for a chart's files already read (files.h); `what` names the chart in errors. */
struct gitops_helm_files;
int gitops_helm_template_files(struct gitops_buf *out, const struct gitops_helm_files *files, const char *what,
			       const struct gitops_helm_options *o, struct gitops_err *err);

/*
 * The same, with the manifests also as trees for a caller that would read
 * the text back as objects (lib/render): docs->v[i] is the i-th YAML
 * document of the text as lib/yaml's reader reads it there with its default
 * limits (tree NULL: an empty document), with the line of its root.  docs->n
 * is 0 when the trees cannot stand in for the text (--include-crds,
 * --show-only, a document only sigs.k8s.io/yaml's reader took, one that could
 * read differently inside the stream): the text is the one to read then.
 * The trees are the caller's: gitops_helm_docs_release (also after an error).
 */
struct gitops_helm_doc {
	cJSON *tree;
	size_t line;      /* the line of its root node in the text, as gitops_yaml_doc's */
	size_t root_line; /* inside the document (the engine's) */
};
struct gitops_helm_docs {
	struct gitops_helm_doc *v;
	size_t n;
};
#define GITOPS_HELM_DOCS_INIT { NULL, 0 }
int gitops_helm_template_docs(struct gitops_buf *out, struct gitops_helm_docs *docs, const char *path,
			      const struct gitops_helm_options *o, struct gitops_err *err);
int gitops_helm_template_files_docs(struct gitops_buf *out, struct gitops_helm_docs *docs,
				    const struct gitops_helm_files *files, const char *what,
				    const struct gitops_helm_options *o, struct gitops_err *err);
void gitops_helm_docs_release(struct gitops_helm_docs *d);

/*
 * `helm dependency build` for the dependencies files' charts/ lacks
 * (deps.c): Chart.lock's versions when there is one (out of sync with
 * Chart.yaml: helm's error), else Chart.yaml's constraints; file://
 * dependencies read from the chart's directory and refused when they
 * resolve outside root; the rest through pull.  What is fetched is
 * appended to files (charts/NAME-VERSION.tgz or charts/NAME-VERSION/...);
 * nothing is written to disk.
 */
struct gitops_helm_deps {
	gitops_helm_pull_fn pull; /* NULL: dependencies from repositories are refused */
	void *ctx;
	/* how a file:// dependency's directory is read (NULL: gitops_helm_files_from_dir) */
	int (*read_dir)(void *ctx, struct gitops_helm_files *out, const char *dir, struct gitops_err *err);
	void *read_ctx;
	const char *chart_dir; /* the chart's directory; NULL when it came packaged (file:// refused) */
	const char *root;      /* file:// dependencies must resolve inside it (NULL: chart_dir) */
};
int gitops_helm_deps_build(struct gitops_helm_files *files, const char *what, const struct gitops_helm_deps *d,
			   struct gitops_err *err);

/* resolver.HashReq: Chart.lock's digest of Chart.yaml's dependencies and the lock's ("sha256:HEX") */
#include <cjson/cJSON.h>
int gitops_helm_lock_digest(char out[7 + 64 + 1], const cJSON *req, const cJSON *lock, struct gitops_err *err);

#endif
