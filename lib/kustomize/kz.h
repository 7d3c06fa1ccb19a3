/*
 * kz.h: what the parts of the native Kustomize build share (issue 13).
 *
 * kustomize v5.5 (`kubectl kustomize` v1.32) is the reference: every stage
 * does what its kustomize counterpart does, with kustomize's wording in
 * errors.  The parts:
 *
 *   kustomization.c, load.c, build.c   the spine: reading a kustomization
 *                    (all fields, unknown-field errors, deprecation
 *                    warnings), the loader (files under the root, the load
 *                    restrictor, symlinks), resources / components / crds,
 *                    the pipeline in kustomize's fixed order, hashes, name
 *                    references and vars at the top level only, output order
 *                    (legacy kind order or fifo), buildMetadata.
 *   generators.c, hash.c, config.c, transform.c
 *                    configMapGenerator / secretGenerator (+ the builtin
 *                    generator plugins), the content hash, the fieldspec
 *                    tables (kustomize's defaultconfig + `configurations:`),
 *                    namespace, prefix/suffix, labels, annotations, replicas,
 *                    images (+ their builtin transformer plugins).
 *   patch.c, merge.c, replace.c, vars.c
 *                    patches (strategic merge as kyaml merges, JSON 6902,
 *                    targets), replacements, vars ($(VAR) collection).
 *   nameref.c        the nameReference table and rewriting references after
 *                    renames.
 *
 * The model is kustomize's own: a resource map is a list of objects, and
 * what kustomize tracks per resource while it builds lives, as in kustomize,
 * in annotations on the object itself (below), which the spine strips from
 * the output.  Objects are value trees (lib/value/value.h).
 *
 * Ownership: a resmap owns its objects; functions borrow the kustomization
 * tree and contexts they are given.  Errors: struct gitops_err, class
 * GITOPS_EXIT_INPUT for invalid input, GITOPS_EXIT_IO for a missing or
 * unreadable file; messages as kustomize words them, one line.
 */
#ifndef GITOPS_KZ_H
#define GITOPS_KZ_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"

struct gitops_kustomize_helm_chart; /* kustomize.h */

/* --- what kustomize records on a resource while it builds --- */

/* every earlier name / kind / namespace, comma-separated, oldest first (kustomize's utils.BuildAnnotation*) */
#define KZ_ANN_PREV_NAMES "internal.config.kubernetes.io/previousNames"
#define KZ_ANN_PREV_KINDS "internal.config.kubernetes.io/previousKinds"
#define KZ_ANN_PREV_NAMESPACES "internal.config.kubernetes.io/previousNamespaces"
/* the prefixes / suffixes the name took, comma-separated, innermost first (kustomize's utils.BuildAnnotationPrefixes) */
#define KZ_ANN_PREFIXES "internal.config.kubernetes.io/prefixes"
#define KZ_ANN_SUFFIXES "internal.config.kubernetes.io/suffixes"
/* a generated object whose name takes the content hash: "enabled" */
#define KZ_ANN_NEEDS_HASH "internal.config.kubernetes.io/needsHashSuffix"
/* a generator's behavior: create, merge or replace */
#define KZ_ANN_BEHAVIOR "kustomize.config.k8s.io/behavior"
/* the vars that referred to a resource (refBy), and where it came from (buildMetadata) */
#define KZ_ANN_REF_BY "internal.config.kubernetes.io/refBy"
#define KZ_ANN_ORIGIN "config.kubernetes.io/origin"
#define KZ_ANN_TRANSFORMATIONS "alpha.config.kubernetes.io/transformations"
/* a resource for the build only, never output (kustomize's IgnoreLocal) */
#define KZ_ANN_LOCAL_CONFIG "config.kubernetes.io/local-config"

/*
 * A scalar kyaml holds without a tag: one a replacement created (or set
 * where null stood).  Kept as a string node (its text, "0x1F" or "+1") with
 * this bit in its type (next to lib/value's GITOPS_VALUE_INT; copies keep
 * it): kustomize's vars take it for a string (yaml.IsYNodeString: an empty
 * tag counts) and make it one, and what is left at the end of the build
 * reads back as its plain text reads (kz_untag: null, 31, 1.5, true...).
 */
#define KZ_TAGLESS (1 << 13)
/*
 * A string a replacement wrote into a number or boolean whose tag it keeps
 * (kyaml copies the text only): valueint says which (1 !!int, 2 !!float,
 * 3 !!bool).  Turning the resource into JSON fails on it, as kustomize's
 * "yaml: cannot decode !!float `16.1` as a !!int" (kz_untag).
 */
#define KZ_MISTAGGED (1 << 16)
/* The build's last step before output: every tagless scalar left becomes what its plain text reads as. */
int kz_untag(cJSON *obj, struct gitops_err *err);
/* Back from JSON (kyaml's UnmarshalJSON): no scalar quoted, no collection in flow style any more. */
void kz_unstyle(cJSON *obj);
/* A map's scalar values as their text (kyaml's map[string]string of labels or annotations): 0, -1 out of memory. */
int kz_values_as_text(cJSON *map);

/* --- the resource map --- */

struct kz_index;

struct kz_resmap {
	cJSON **v; /* owned objects, in the order kustomize keeps them (fifo) */
	size_t n, cap;
	/*
	 * kz_resmap_append's id index, built when needed: valid while objects
	 * are only appended, and renamed through kz_res_rename.  Whoever changes
	 * v[] or an object's id another way calls kz_resmap_touch.
	 */
	struct kz_index *index;
};

#define KZ_RESMAP_INIT { NULL, 0, 0, NULL }

void kz_resmap_release(struct kz_resmap *m);
/* Append an object (taken, even on error).  An object whose current id is already there is kustomize's error
 * "may not add resource with an already registered id: ..." (class INPUT). */
int kz_resmap_append(struct kz_resmap *m, cJSON *obj, struct gitops_err *err);
/*
 * Append every object of src to an empty dst (src left empty) when src's
 * index shows no two of them share an id, as appending each would have
 * found: 1, or 0 (nothing done) when dst is not empty or src's ids are not
 * known to be unique.
 */
int kz_resmap_move_unique(struct kz_resmap *dst, struct kz_resmap *src);
/* kustomize's resWrangler after a strategic merge patch (Clear, then AppendAll): two resources of one id fail. */
int kz_resmap_check_unique(struct kz_resmap *m, struct gitops_err *err);
/* The index no longer describes v[] (an object replaced or its id changed in place). */
void kz_resmap_touch(struct kz_resmap *m);
/* Append without the id check (a merge step that checked already). */
int kz_resmap_push(struct kz_resmap *m, cJSON *obj, struct gitops_err *err);
/* Remove and free the object at i, keeping the order of the rest. */
void kz_resmap_remove(struct kz_resmap *m, size_t i);

/* A resource's current id: the group copied, the rest pointers into the object ("" where absent; group ""
 * for the core group). */
struct kz_id {
	char group[254];
	const char *version, *kind, *name, *ns;
};
void kz_id_of(struct kz_id *out, const cJSON *obj);
/*
 * A hash of the id as kustomize's ResId.Equals compares it (the effective
 * namespace: none for a cluster-scoped kind, "default" for an unset one):
 * ids it holds equal hash equal.
 */
uint64_t kz_id_hash(const struct kz_id *id);
/* Is the kind cluster-scoped (kustomize's built-in list, plus CRDs' scope where known)? */
int kz_kind_cluster_scoped(const char *group, const char *kind);

/*
 * Rename: set metadata.name / metadata.namespace (NULL: unchanged) and
 * record the old ones in the previous-names annotations, as kustomize's
 * Resource.SetName / StorePreviousId do.  Returns 0 or -1 (out of memory).
 */
int kz_res_rename(cJSON *obj, const char *name, const char *ns, struct gitops_err *err);
/* Annotation helpers: the value or NULL; set (a copy) or remove. */
const char *kz_res_annotation(const cJSON *obj, const char *key);
int kz_res_set_annotation(cJSON *obj, const char *key, const char *value, struct gitops_err *err);
void kz_res_remove_annotation(cJSON *obj, const char *key);

/* --- the fieldspec tables (kustomize's defaultconfig, plus `configurations:`) --- */

struct kz_fieldspec {
	char *group, *version, *kind; /* NULL or "": any */
	char *path;                   /* fieldspec syntax: lib/value/path.h GITOPS_PATH_FIELDSPEC */
	int create;
};

struct kz_fieldspecs {
	struct kz_fieldspec *v;
	size_t n, cap;
};

/* One nameReference entry: objects of kind (group, version) are referred to from these fieldspecs. */
struct kz_nameref {
	char *group, *version, *kind;
	struct kz_fieldspecs referrers;
};

struct kz_config {
	struct kz_fieldspecs name_prefix, name_suffix, name_space, common_labels, template_labels,
		common_annotations, images, replicas, var_reference;
	struct kz_nameref *namerefs;
	size_t n_namerefs, cap_namerefs;
};

/* --- the context every stage runs in --- */

struct kz_loader; /* load.c: reads files relative to a kustomization, under the load restrictor */

struct kz_ctx {
	const char *dir;           /* the kustomization's directory (as given, for messages) */
	const char *file;          /* the kustomization file's path, for messages */
	struct kz_loader *loader;
	struct kz_config *config;  /* builtin tables merged with this build's `configurations:` */
	struct gitops_smp_schema *schema; /* `openapi:` additions, or NULL: the built-in table */
	void (*warn)(void *warn_ctx, const char *msg); /* kustomize's warnings (stderr), or NULL */
	void *warn_ctx;
	/* every file the build reads, open (fd) before it is read: 0, or -1 with err to refuse it (or NULL) */
	int (*read_hook)(void *read_ctx, const char *path, int fd, struct gitops_err *err);
	void *read_ctx;
	/*
	 * buildMetadata (origin or transformer annotations asked for at the top):
	 * the kustomization file's path from the top kustomization's directory,
	 * for what its builtin generators make; NULL when not tracked.  And the
	 * whole origin text for a generator plugin's objects while it runs.
	 */
	const char *configured_in;
	const char *configured_remote; /* in a remote target: "repo: R\nref: F\n", before configuredIn (or NULL) */
	const char *plugin_origin;
	/*
	 * After each entry of `patches:` and `patchesJson6902:` (kustomize makes a
	 * transformer of each, and records each on the resources before the next
	 * runs): 0, or -1 with err.  NULL: nothing to record.
	 */
	int (*entry_done)(void *entry_ctx, struct kz_resmap *m, const char *kind, struct gitops_err *err);
	void *entry_ctx;
	/* helmCharts: --enable-helm given, and who renders a chart (kustomize.h), or NULL */
	int enable_helm;
	int (*helm_chart)(void *helm_ctx, struct gitops_buf *out, const char *chart_dir,
			  const struct gitops_kustomize_helm_chart *chart, struct gitops_err *err);
	void *helm_ctx;
	int (*helm_pull)(void *helm_ctx, char **dir, const char *repo, const char *name, const char *version,
			 struct gitops_err *err);
};

/*
 * Read a file named in a kustomization (relative to ctx->dir) into out:
 * GITOPS_EXIT_IO when missing, GITOPS_EXIT_INPUT when the load restrictor
 * refuses it (kustomize's "security; file '...' is not in or below '...'").
 * `max` caps the size (an input error beyond it).  -2 when ctx->read_hook
 * refused the file: the build stops there (nothing retries it as a directory).
 */
int kz_load_file(struct gitops_buf *out, struct kz_ctx *c, const char *rel, size_t max, struct gitops_err *err);
/* Parse a YAML or JSON stream of objects (a file's text) into the map, each object checked as kustomize does. */
int kz_parse_objects(struct kz_resmap *m, const char *text, size_t len, const char *name, struct gitops_err *err);

/* --- the stages, each reading its own fields of the kustomization tree `k` --- */

/* generators.c: configMapGenerator, secretGenerator (with generatorOptions), merged into m by behavior */
int kz_generate(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
/*
 * helm.c: helmCharts (with helmGlobals) rendered by c->helm_chart, their
 * objects appended to m; and the HelmChartInflationGenerator plugin
 * config (kz_plugin_generators' way: 1 if it is one and ran, 0 if not).
 */
int kz_helm_charts(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
int kz_plugin_helm(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err);
/* generators.c: a generator's objects (taken from src) merged into m as kustomize's AbsorbAll merges them, by
 * their behavior annotation (none: an id already there is an error) */
int kz_absorb_all(struct kz_resmap *m, struct kz_resmap *src, struct gitops_err *err);
/* hash.c: kustomize's content hash of a ConfigMap or Secret (10 characters), and the suffixes added at the top */
int kz_hash(char out[11], const cJSON *obj, struct gitops_err *err);
int kz_add_hash_suffixes(struct kz_resmap *m, struct gitops_err *err);
/* config.c: the builtin tables, and `configurations:` files merged in */
int kz_config_init(struct kz_config *cfg, struct gitops_err *err);
/* nameref.c: append kustomize's builtin nameReference table to cfg->namerefs (kz_config_init calls it) */
int kz_config_add_builtin_namerefs(struct kz_config *cfg, struct gitops_err *err);
int kz_config_merge_files(struct kz_config *cfg, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
/* `crds:` files (OpenAPI definitions with kustomize's x-kubernetes-* extensions) merged into cfg */
int kz_config_merge_crds(struct kz_config *cfg, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
/* TransformerConfig.Merge: src's fieldspecs and name references added to dst's */
int kz_config_merge(struct kz_config *dst, const struct kz_config *src, struct gitops_err *err);
void kz_config_release(struct kz_config *cfg);
/* transform.c: the builtins kustomize runs from kustomization fields */
int kz_namespace(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
int kz_prefix_suffix(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
int kz_labels(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
int kz_annotations(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
int kz_replicas(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
int kz_images(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
/* patch.c: patchesStrategicMerge, patches, patchesJson6902 */
int kz_patches_strategic(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
int kz_patches(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
int kz_patches_json6902(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
/* replace.c: replacements (inline and from files) */
int kz_replacements(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err);
/* vars.c: vars collected per kustomization, resolved at the top ($(VAR) in varReference fields) */
int kz_vars_resolve(struct kz_resmap *m, const cJSON *vars, struct kz_ctx *c, struct gitops_err *err);
/* nameref.c: rewrite references to renamed objects (top level, after hashes) */
int kz_fix_name_references(struct kz_resmap *m, struct kz_ctx *c, struct gitops_err *err);

/*
 * Builtin plugins named in `generators:` / `transformers:` (a config
 * document with apiVersion builtin, kind = the plugin): 1 if `kind` is one
 * this part implements and it ran, 0 if not this part's, -1 on error.
 * generators.c: ConfigMapGenerator, SecretGenerator.  transform.c:
 * NamespaceTransformer, PrefixSuffixTransformer, PrefixTransformer,
 * SuffixTransformer, LabelTransformer, AnnotationsTransformer,
 * ReplicaCountTransformer, ImageTagTransformer, HashTransformer.
 * patch.c: PatchTransformer, PatchStrategicMergeTransformer,
 * PatchJson6902Transformer.  replace.c: ReplacementTransformer.
 */
int kz_plugin_generators(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err);
int kz_plugin_transform(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err);
int kz_plugin_patch(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err);
int kz_plugin_replace(struct kz_resmap *m, const cJSON *config, struct kz_ctx *c, struct gitops_err *err);

/* Does an object match a patch/replacement target (group, version, kind, name, namespace as anchored
 * regular expressions; labelSelector, annotationSelector)?  1, 0, or -1 with err (a bad selector). patch.c */
int kz_target_match(const cJSON *target, const cJSON *obj, struct gitops_err *err);

#endif
