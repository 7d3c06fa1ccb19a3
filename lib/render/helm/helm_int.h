/*
 * helm_int.h: what the files of lib/render/helm share: the loaded chart.
 *
 * A chart is a tree: its metadata (Chart.yaml, with requirements.yaml's
 * dependencies for v1 charts), its default values, its schema, its
 * templates, its other files (.Files), and its subcharts (charts/, as
 * Helm's c.Dependencies()).  The content read from files is shared by the
 * copies an alias makes (refcounted); the metadata, the values and the
 * subchart list are each chart's own, as Helm's processing replaces them.
 */
#ifndef GITOPS_HELM_INT_H
#define GITOPS_HELM_INT_H
#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"
#include "lib/render/helm/files.h"
#include "lib/render/helm/helm.h"

struct helm_content {
	int refs;
	struct gitops_helm_files templates; /* templates/... (names keep the "templates/" prefix) */
	struct gitops_helm_files files;     /* the rest: .Files (crds/ among them) */
	char *schema;                       /* values.schema.json (NULL: none) */
	size_t schema_len;
};

/* A dependency of Chart.yaml (or requirements.yaml). */
struct helm_dep {
	char *name, *version, *repository, *condition, *alias;
	cJSON *tags;          /* array of strings, or NULL */
	cJSON *import_values; /* array (strings or {child, parent} maps), or NULL */
	int enabled;
};

struct helm_chart {
	struct helm_content *c;
	char *name;            /* metadata.name (an alias replaces it) */
	cJSON *meta;           /* Chart.yaml as read (JSON types; for .Chart) */
	cJSON *values;         /* values.yaml (an object; never NULL) */
	struct helm_dep *deps; /* metadata.dependencies (NULL: none listed; ndeps 0 with deps_listed: an empty list) */
	size_t ndeps;
	int deps_listed;
	struct helm_chart **sub; /* c.Dependencies() */
	size_t nsub;
	struct helm_chart *parent;
	int library;           /* type: library */
	int v1;                /* apiVersion v1 */
	/* the root's: where Helm's log lines go (helm template prints them on standard error); NULL: nowhere */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

/* One of Helm's log lines ("warning: ...", "Warning: ..."), through the root chart's warn. */
void helm_warn(const struct helm_chart *c, const char *fmt, ...) GITOPS_PRINTF(2, 3);

/* chart.c */
/* A YAML file as sigs.k8s.io/yaml reads it (go-yaml's messages); typed: integers kept apart from floats */
int helm_yaml_read(cJSON **out, const char *data, size_t len, const char *name, int typed, struct gitops_err *err);
/* builtins.c: a number or a boolean as sigs.k8s.io/yaml writes it into a string field */
void helm_scalar_text(char *buf, size_t size, const cJSON *v);
/* files: its data taken (what the chart keeps is no copy) */
int helm_chart_load(struct helm_chart **out, struct gitops_helm_files *files, const char *what,
		    struct gitops_err *err);
int helm_chart_load_path(struct helm_chart **out, const char *path, struct gitops_err *err);
/* A deep copy (content shared), parent set to parent. */
struct helm_chart *helm_chart_clone(const struct helm_chart *c, struct helm_chart *parent);
void helm_chart_free(struct helm_chart *c);
/* "parent/charts/sub" (Helm's ChartFullPath) into b */
int helm_chart_full_path(struct gitops_buf *b, const struct helm_chart *c);
/* Masterminds/semver's check, as Helm's IsCompatibleRange: 0 when either does not parse */
int helm_compatible_range(const char *constraint, const char *version);

/* values.c */
/* a values file read as Helm reads one (YAML -> JSON -> map: numbers float64); *out an object */
int helm_read_values_yaml(cJSON **out, const char *data, size_t len, const char *name, struct gitops_err *err);
/* User values from -f and --set* (Helm's MergeValues of pkg/cli/values); *out an object. */
int helm_user_values(cJSON **out, const struct gitops_helm_options *o, struct gitops_err *err);
/* ProcessDependenciesWithMerge: disabled subcharts removed, aliases applied, import-values. */
int helm_process_dependencies(struct helm_chart *c, const cJSON *vals, struct gitops_err *err);
/*
 * CoalesceValues(chart, vals): a new tree.  take: the defaults are moved
 * into it, not copied, leaving the charts' values partly empty: c's and
 * its subcharts' (HELM_TAKE_ALL: the last coalescing, after which nothing
 * reads them), or c's only (HELM_TAKE_TOP: c's values replaced by the
 * result); 0: copied.
 */
enum { HELM_TAKE_ALL = 1, HELM_TAKE_TOP = 2 };
int helm_coalesce_values(cJSON **out, const struct helm_chart *c, const cJSON *vals, int merge, int take,
			 struct gitops_err *err);
/* ValidateAgainstSchema over the chart and its subcharts; 1 with the report in b, 0 valid, -1 error */
int helm_validate_schemas(struct gitops_buf *b, const struct helm_chart *c, const cJSON *vals, struct gitops_err *err);
/* Values.Table(path) as Helm walks it ("a.b"): the mapping or NULL. */
const cJSON *helm_values_table(const cJSON *vals, const char *path);

#endif
