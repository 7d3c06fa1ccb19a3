/*
 * app.c: Application files (app.h).  The documents are read with lib/yaml;
 * a second pass over libyaml's events keeps the line of every mapping key
 * (to a bounded depth), so an unknown field is named with its line.
 */
#include "lib/ops/app.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "lib/base/buf.h"
#include "lib/base/fs.h"
#include "lib/base/json.h"
#include "lib/ops/window.h"
#include "lib/yaml/yaml.h"

#define MAX_FILE (16u << 20)
#define MAX_KEYS 100000
#define MAX_KEY_DEPTH 8

/* --- the lines of keys: (document, path) -> line --- */

struct keyline {
	size_t doc;
	char *path; /* "spec.source.helm", "spec.syncWindows[0].kind" */
	size_t line;
};

struct keylines {
	struct keyline *v;
	size_t n, cap;
};

static void keylines_release(struct keylines *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i].path);
	free(k->v);
	memset(k, 0, sizeof(*k));
}

static void keylines_add(struct keylines *k, size_t doc, const char *path, size_t line)
{
	if (k->n == MAX_KEYS)
		return;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		struct keyline *v = realloc(k->v, cap * sizeof(*v));
		if (!v)
			return;
		k->v = v;
		k->cap = cap;
	}
	if (!(k->v[k->n].path = strdup(path)))
		return;
	k->v[k->n].doc = doc;
	k->v[k->n].line = line;
	k->n++;
}

/* A frame of the event walk: a mapping (expecting a key or a value) or a sequence (its next index). */
struct frame {
	int seq;
	int want_value;
	size_t index;
	size_t pathlen; /* length of the path of this collection */
};

/* Best effort: a file lib/yaml read without error is read here again only for lines. */
static void keylines_scan(struct keylines *k, const char *data, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct frame st[MAX_KEY_DEPTH + 2];
	size_t depth = 0, doc = 0, skip = 0;
	char path[512];
	size_t plen = 0;
	int done = 0;

	if (!yaml_parser_initialize(&p))
		return;
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	path[0] = 0;
	while (!done && yaml_parser_parse(&p, &ev)) {
		int start = ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT;
		int node = start || ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT;
		struct frame *top = depth ? &st[depth - 1] : NULL;

		if (ev.type == YAML_STREAM_END_EVENT)
			done = 1;
		else if (ev.type == YAML_DOCUMENT_START_EVENT) {
			doc++;
			depth = 0;
			skip = 0;
			plen = 0;
			path[0] = 0;
		} else if (skip) {
			if (start)
				skip++;
			else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT)
				skip--;
			if (!skip && top) /* the skipped collection was a value */
				top->want_value = 0, top->index++;
		} else if (node) {
			size_t here = top ? top->pathlen : 0;
			if (top && !top->seq && !top->want_value) {
				/* a key: its path, its line */
				const char *key = ev.type == YAML_SCALAR_EVENT ? (const char *)ev.data.scalar.value : "?";
				int w = snprintf(path + here, sizeof(path) - here, "%s%s", here ? "." : "", key);
				if (w > 0 && (size_t)w < sizeof(path) - here) {
					plen = here + (size_t)w;
					keylines_add(k, doc, path, ev.start_mark.line + 1);
				}
				top->want_value = 1;
				if (start)
					skip = 1; /* a collection as a key */
			} else {
				/* a value (or the root): its path is the key's, or the index's */
				if (top && top->seq) {
					int w = snprintf(path + here, sizeof(path) - here, "[%zu]", top->index);
					plen = (w > 0 && (size_t)w < sizeof(path) - here) ? here + (size_t)w : here;
				} else if (!top)
					plen = 0;
				if (start) {
					if (depth == MAX_KEY_DEPTH)
						skip = 1;
					else {
						st[depth].seq = ev.type == YAML_SEQUENCE_START_EVENT;
						st[depth].want_value = 0;
						st[depth].index = 0;
						st[depth].pathlen = plen;
						depth++;
					}
				} else if (top) {
					top->want_value = 0;
					top->index++;
				}
			}
		} else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
			if (depth)
				depth--;
			if (depth)
				st[depth - 1].want_value = 0, st[depth - 1].index++;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
}

static size_t keylines_find(const struct keylines *k, size_t doc, const char *path, size_t dflt)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].doc == doc && !strcmp(k->v[i].path, path))
			return k->v[i].line;
	return dflt;
}

/* --- reading the documents --- */

struct ctx {
	const char *name;
	struct keylines lines;
	size_t doc, docline;
	gitops_ops_warn_fn warn;
	void *warn_ctx;
	const char *app; /* for warnings */
};

static size_t line_of(const struct ctx *c, const char *path)
{
	return keylines_find(&c->lines, c->doc, path, c->docline);
}

static int fail(const struct ctx *c, struct gitops_err *err, const char *path, const char *fmt, ...)
	GITOPS_PRINTF(4, 5);
static int fail(const struct ctx *c, struct gitops_err *err, const char *path, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s:%zu: %s", c->name, line_of(c, path), msg);
}

static void warn(const struct ctx *c, const char *path, const char *fmt, ...) GITOPS_PRINTF(3, 4);
static void warn(const struct ctx *c, const char *path, const char *fmt, ...)
{
	char msg[768], line[1024];
	va_list ap;

	if (!c->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s:%zu: %s%s%s", c->name, line_of(c, path), c->app ? c->app : "",
		 c->app ? ": " : "", msg);
	c->warn(c->warn_ctx, line);
}

/* A field's kind of handling. */
enum { F_OK, F_WARN, F_ERR };
struct field {
	const char *name;
	int what;
	const char *why; /* F_WARN, F_ERR: said after the field's path */
};

/* Check the keys of mapping `m` (at `path`) against `fields`: unknown ones are errors, F_WARN ones warned. */
static int check_fields(struct ctx *c, const cJSON *m, const char *path, const struct field *fields,
			struct gitops_err *err)
{
	char sub[512];

	if (!cJSON_IsObject(m))
		return fail(c, err, path, "%s must be a mapping, not %s", path, gitops_json_type_name(m));
	for (const cJSON *f = m->child; f; f = f->next) {
		const struct field *d = fields;
		while (d->name && strcmp(d->name, f->string))
			d++;
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", f->string);
		if (!d->name)
			return fail(c, err, sub, "unknown field %s", sub);
		if (d->what == F_WARN)
			warn(c, sub, "%s does not apply here: %s; ignored", sub, d->why);
		else if (d->what == F_ERR)
			return fail(c, err, sub, "%s is not supported: %s", sub, d->why);
	}
	return 0;
}

static int get_string(char **out, struct ctx *c, const cJSON *m, const char *path, const char *key,
		      const char *dflt, int required, struct gitops_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
	char sub[512];

	snprintf(sub, sizeof(sub), "%s.%s", path, key);
	if (!v || cJSON_IsNull(v)) {
		if (required)
			return fail(c, err, path, "%s is required", sub);
		*out = dflt ? strdup(dflt) : NULL;
		return dflt && !*out ? gitops_err_oom(err) : 0;
	}
	if (!cJSON_IsString(v))
		return fail(c, err, sub, "%s must be a string, not %s", sub, gitops_json_type_name(v));
	if (required && !*v->valuestring)
		return fail(c, err, sub, "%s must not be empty", sub);
	if (!(*out = strdup(v->valuestring)))
		return gitops_err_oom(err);
	return 0;
}

static int get_bool(int *out, struct ctx *c, const cJSON *m, const char *path, const char *key,
		    struct gitops_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
	char sub[512];

	snprintf(sub, sizeof(sub), "%s.%s", path, key);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return fail(c, err, sub, "%s must be true or false, not %s", sub, gitops_json_type_name(v));
	*out = cJSON_IsTrue(v);
	return 0;
}

int gitops_ops_app_name_valid(const char *name)
{
	size_t n = strlen(name), label = 0;

	if (!n || n > 253)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		char ch = name[i];
		if (ch == '.' || !ch) {
			/* a label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 */
			if (!label || label > 63 || name[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (ch == '-' ? !label : !((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
			return 0;
		label++;
	}
	return 1;
}

static const struct field helm_fields[] = {
	{ "releaseName", F_OK, NULL }, { "valueFiles", F_OK, NULL }, { "values", F_OK, NULL },
	{ "valuesObject", F_OK, NULL }, { "parameters", F_OK, NULL }, { "fileParameters", F_OK, NULL },
	{ "skipCrds", F_OK, NULL }, { "skipTests", F_OK, NULL }, { "skipSchemaValidation", F_OK, NULL },
	{ "kubeVersion", F_OK, NULL }, { "apiVersions", F_OK, NULL }, { "namespace", F_OK, NULL },
	{ "passCredentials", F_WARN, "chart repository credentials (GITOPS_HELM_*, netrc) go to their own host only" },
	{ "ignoreMissingValueFiles", F_OK, NULL },
	{ "version", F_WARN, "gitops-render renders as helm v3.17" },
	{ NULL, 0, NULL },
};

static const struct field kustomize_fields[] = {
	{ "namePrefix", F_OK, NULL }, { "nameSuffix", F_OK, NULL }, { "images", F_OK, NULL },
	{ "replicas", F_OK, NULL }, { "commonLabels", F_OK, NULL }, { "commonAnnotations", F_OK, NULL },
	{ "commonAnnotationsEnvsubst", F_OK, NULL }, { "forceCommonLabels", F_OK, NULL },
	{ "forceCommonAnnotations", F_OK, NULL }, { "labelWithoutSelector", F_OK, NULL },
	{ "labelIncludeTemplates", F_OK, NULL }, { "namespace", F_OK, NULL }, { "patches", F_OK, NULL },
	{ "components", F_OK, NULL }, { "version", F_OK, NULL }, { "kubeVersion", F_OK, NULL },
	{ "apiVersions", F_OK, NULL }, { "ignoreMissingComponents", F_OK, NULL }, { "allowRemote", F_OK, NULL },
	{ NULL, 0, NULL },
};

static int check_string_list(struct ctx *c, const cJSON *m, const char *path, const char *key,
			     struct gitops_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key), *e;
	char sub[512];

	snprintf(sub, sizeof(sub), "%s.%s", path, key);
	if (!v)
		return 0;
	if (!cJSON_IsArray(v))
		return fail(c, err, sub, "%s must be a list of strings", sub);
	cJSON_ArrayForEach(e, v)
		if (!cJSON_IsString(e))
			return fail(c, err, sub, "%s must be a list of strings", sub);
	return 0;
}

static int check_helm(struct ctx *c, const cJSON *h, struct gitops_err *err)
{
	static const char *const strings[] = { "releaseName", "values", "kubeVersion", "namespace", NULL };
	static const char *const bools[] = { "skipCrds", "skipTests", "skipSchemaValidation", "ignoreMissingValueFiles",
					     NULL };
	static const struct field param_fields[] = { { "name", F_OK, NULL }, { "value", F_OK, NULL },
						      { "forceString", F_OK, NULL }, { NULL, 0, NULL } };
	static const struct field fparam_fields[] = { { "name", F_OK, NULL }, { "path", F_OK, NULL },
						       { NULL, 0, NULL } };
	const char *path = "spec.source.helm";
	const cJSON *v, *e;
	char sub[512], *s = NULL;
	int b = 0;
	size_t i;

	if (check_fields(c, h, path, helm_fields, err) < 0)
		return -1;
	for (i = 0; strings[i]; i++) {
		if (get_string(&s, c, h, path, strings[i], NULL, 0, err) < 0)
			return -1;
		free(s);
	}
	for (i = 0; bools[i]; i++)
		if (get_bool(&b, c, h, path, bools[i], err) < 0)
			return -1;
	if (check_string_list(c, h, path, "valueFiles", err) < 0 || check_string_list(c, h, path, "apiVersions", err) < 0)
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(h, "valuesObject")) && !cJSON_IsObject(v))
		return fail(c, err, "spec.source.helm.valuesObject", "spec.source.helm.valuesObject must be a mapping");
	for (int fp = 0; fp < 2; fp++) {
		const char *key = fp ? "fileParameters" : "parameters";
		snprintf(sub, sizeof(sub), "%s.%s", path, key);
		if (!(v = cJSON_GetObjectItemCaseSensitive(h, key)))
			continue;
		if (!cJSON_IsArray(v))
			return fail(c, err, sub, "%s must be a list", sub);
		i = 0;
		cJSON_ArrayForEach(e, v) {
			char item[512];
			snprintf(item, sizeof(item), "%s[%zu]", sub, i++);
			if (check_fields(c, e, item, fp ? fparam_fields : param_fields, err) < 0 ||
			    get_string(&s, c, e, item, "name", NULL, 1, err) < 0)
				return -1;
			free(s);
			if (get_string(&s, c, e, item, fp ? "path" : "value", NULL, fp, err) < 0)
				return -1;
			free(s);
			if (!fp && get_bool(&b, c, e, item, "forceString", err) < 0)
				return -1;
		}
	}
	return 0;
}

static int check_windows(struct ctx *c, const cJSON *w, const char *path, struct gitops_err *err)
{
	static const struct field fields[] = {
		{ "kind", F_OK, NULL }, { "schedule", F_OK, NULL }, { "duration", F_OK, NULL },
		{ "applications", F_OK, NULL }, { "namespaces", F_OK, NULL }, { "clusters", F_OK, NULL },
		{ "manualSync", F_OK, NULL }, { "timeZone", F_OK, NULL }, { "andOperator", F_OK, NULL },
		{ "description", F_OK, NULL }, { "syncOverrun", F_WARN, "a sync that has started runs to its end" },
		{ NULL, 0, NULL },
	};
	struct gitops_ops_windows *parsed = NULL;
	const cJSON *e;
	char item[512], *s = NULL;
	size_t i = 0;

	if (!cJSON_IsArray(w))
		return fail(c, err, path, "%s must be a list", path);
	cJSON_ArrayForEach(e, w) {
		snprintf(item, sizeof(item), "%s[%zu]", path, i++);
		if (check_fields(c, e, item, fields, err) < 0)
			return -1;
		if (get_string(&s, c, e, item, "kind", NULL, 1, err) < 0)
			return -1;
		if (strcmp(s, "allow") && strcmp(s, "deny")) {
			free(s);
			snprintf(item + strlen(item), sizeof(item) - strlen(item), ".kind");
			return fail(c, err, item, "%s must be allow or deny", item);
		}
		free(s);
		if (get_string(&s, c, e, item, "schedule", NULL, 1, err) < 0)
			return -1;
		free(s);
		if (get_string(&s, c, e, item, "duration", NULL, 1, err) < 0)
			return -1;
		free(s);
	}
	/* the schedule, duration, globs and zone as window.h reads them, now rather than at sync time */
	if (gitops_ops_windows_parse(&parsed, w, err) < 0) {
		char msg[GITOPS_ERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return fail(c, err, path, "%s: %s", path, msg);
	}
	gitops_ops_windows_free(parsed);
	return 0;
}

/*
 * spec.source.chart: a chart of a chart repository (repoURL https:// or
 * http://) or of an OCI registry (repoURL oci://REGISTRY/PATH, or
 * REGISTRY/PATH as Argo CD writes OCI Helm repositories), at the version or
 * range targetRevision names (required, as Argo CD requires it).  The chart
 * is rendered whole: path and kustomize do not go with it.
 */
static int check_chart(struct gitops_ops_app *a, struct ctx *c, const cJSON *src, struct gitops_err *err)
{
	const cJSON *rev = cJSON_GetObjectItemCaseSensitive(src, "targetRevision");
	const char *url = a->repo_url, *rest = url;
	size_t n;

	if (!*a->chart)
		return fail(c, err, "spec.source.chart", "spec.source.chart must not be empty");
	if (strchr(a->chart, '/') || !strcmp(a->chart, ".") || !strcmp(a->chart, "..") ||
	    strcspn(a->chart, " \t\r\n") != strlen(a->chart))
		return fail(c, err, "spec.source.chart",
			    "spec.source.chart '%s' must be a chart's name (no '/': a registry's path goes in repoURL)",
			    a->chart);
	if (!cJSON_IsString(rev) || !*rev->valuestring)
		return fail(c, err, rev ? "spec.source.targetRevision" : "spec.source.chart",
			    "spec.source.targetRevision is required with spec.source.chart: the chart's version "
			    "(1.2.3) or a range (1.2.*, ^1.2; '*' for the newest)");
	if (*a->path)
		return fail(c, err, "spec.source.path",
			    "spec.source.path does not go with spec.source.chart: a chart of a repository is "
			    "rendered whole (path is for Git repositories)");
	if (cJSON_GetObjectItemCaseSensitive(src, "kustomize"))
		return fail(c, err, "spec.source.kustomize",
			    "spec.source.kustomize does not go with spec.source.chart: a chart is rendered by Helm");
	if (!strncasecmp(url, "https://", 8) || !strncasecmp(url, "http://", 7)) {
		if (!(a->chart_url = strdup(url)))
			return gitops_err_oom(err);
		return 0;
	}
	if (!strncasecmp(url, "oci://", 6))
		rest = url + 6;
	n = strlen(rest);
	while (n && rest[n - 1] == '/')
		n--;
	if (strstr(rest, "://") || !n || *rest == '/' || memchr(rest, '@', n) || strcspn(rest, " \t\r\n") < n)
		return fail(c, err, "spec.source.repoURL",
			    "spec.source.repoURL '%s' of a chart must be a chart repository (https://, http://) or an "
			    "OCI registry (oci://REGISTRY/PATH or REGISTRY/PATH, no credentials in it)",
			    url);
	if (!(a->chart_url = malloc(n + strlen(a->chart) + 8)))
		return gitops_err_oom(err);
	sprintf(a->chart_url, "oci://%.*s/%s", (int)n, rest, a->chart);
	return 0;
}

static const char *const sync_options_ok[] = {
	"ServerSideApply=true",    /* gitops-apply always applies server-side */
	"ApplyOutOfSyncOnly=true", /* it never sends an object its managed fields prove unchanged */
	NULL,
};

static int parse_app(struct gitops_ops_app *a, struct ctx *c, const cJSON *doc, struct gitops_err *err)
{
	static const struct field top[] = {
		{ "apiVersion", F_OK, NULL }, { "kind", F_OK, NULL }, { "metadata", F_OK, NULL },
		{ "spec", F_OK, NULL },
		{ "status", F_WARN, "the state directory keeps the status (gitops-sync status)" },
		{ "operation", F_WARN, "a sync is started by running gitops-sync" },
		{ NULL, 0, NULL },
	};
	static const struct field meta[] = {
		{ "name", F_OK, NULL }, { "labels", F_OK, NULL }, { "annotations", F_OK, NULL },
		{ "namespace", F_WARN, "applications live in files, not in Argo CD's namespace" },
		{ "finalizers", F_WARN, "deleting an application file deletes nothing in the cluster" },
		{ NULL, 0, NULL },
	};
	static const struct field spec[] = {
		{ "source", F_OK, NULL }, { "destination", F_OK, NULL }, { "project", F_OK, NULL },
		{ "syncPolicy", F_OK, NULL }, { "syncWindows", F_OK, NULL },
		{ "sources", F_ERR, "one spec.source per application" },
		{ "ignoreDifferences", F_WARN, "gitops-diff masks what the server owns, no other field" },
		{ "info", F_WARN, "only shown by Argo CD's UI" },
		{ "revisionHistoryLimit", F_WARN, "the history is append-only" },
		{ NULL, 0, NULL },
	};
	static const struct field source[] = {
		{ "repoURL", F_OK, NULL }, { "targetRevision", F_OK, NULL }, { "path", F_OK, NULL },
		{ "helm", F_OK, NULL }, { "kustomize", F_OK, NULL },
		{ "chart", F_OK, NULL },
		{ "plugin", F_ERR, "config management plugins are not run" },
		{ "directory", F_WARN, "a directory is rendered as gitops-render renders it (recursively)" },
		{ "ref", F_WARN, "multiple sources are not supported" },
		{ "name", F_WARN, "only shown by Argo CD" },
		{ NULL, 0, NULL },
	};
	static const struct field dest[] = {
		{ "namespace", F_OK, NULL }, { "context", F_OK, NULL },
		{ "server", F_WARN, "the cluster is a kubeconfig context: set spec.destination.context" },
		{ "name", F_WARN, "the cluster is a kubeconfig context: set spec.destination.context" },
		{ NULL, 0, NULL },
	};
	static const struct field policy[] = {
		{ "automated", F_OK, NULL }, { "syncOptions", F_OK, NULL },
		{ "retry", F_WARN, "the next run (cron) is the retry" },
		{ "managedNamespaceMetadata", F_WARN, "namespaces are objects of the repository" },
		{ NULL, 0, NULL },
	};
	static const struct field automated[] = {
		{ "prune", F_OK, NULL }, { "selfHeal", F_OK, NULL },
		{ "allowEmpty", F_WARN, "an empty stream never prunes every member" },
		{ "enabled", F_OK, NULL },
		{ NULL, 0, NULL },
	};
	const cJSON *m, *s, *d, *p, *v;
	char *str = NULL;

	if (check_fields(c, doc, "", top, err) < 0)
		return -1;
	/* the paths of check_fields start with '.' at the top: names are given without it */
	m = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	if (!m)
		return fail(c, err, "kind", "metadata.name is required");
	c->app = gitops_json_get_string(m, "name", NULL); /* for the warnings of metadata's fields */
	if (check_fields(c, m, "metadata", meta, err) < 0 ||
	    get_string(&a->name, c, m, "metadata", "name", NULL, 1, err) < 0)
		return -1;
	if (!gitops_ops_app_name_valid(a->name))
		return fail(c, err, "metadata.name",
			    "metadata.name '%s' must be a DNS-1123 subdomain (lowercase letters, digits, '-', '.')", a->name);
	c->app = a->name;
	if (!(s = cJSON_GetObjectItemCaseSensitive(doc, "spec")))
		return fail(c, err, "kind", "spec is required");
	if (check_fields(c, s, "spec", spec, err) < 0)
		return -1;
	if (get_string(&a->project, c, s, "spec", "project", "default", 0, err) < 0)
		return -1;
	if (!(v = cJSON_GetObjectItemCaseSensitive(s, "source")))
		return fail(c, err, "spec", "spec.source is required");
	if (check_fields(c, v, "spec.source", source, err) < 0 ||
	    get_string(&a->repo_url, c, v, "spec.source", "repoURL", NULL, 1, err) < 0 ||
	    get_string(&a->target_revision, c, v, "spec.source", "targetRevision", "HEAD", 0, err) < 0 ||
	    get_string(&a->path, c, v, "spec.source", "path", "", 0, err) < 0)
		return -1;
	if (get_string(&a->chart, c, v, "spec.source", "chart", NULL, 0, err) < 0 ||
	    (a->chart && check_chart(a, c, v, err) < 0))
		return -1;
	if (!*a->target_revision) {
		free(a->target_revision);
		if (!(a->target_revision = strdup("HEAD")))
			return gitops_err_oom(err);
	}
	if ((p = cJSON_GetObjectItemCaseSensitive(v, "helm"))) {
		if (check_helm(c, p, err) < 0 || !(a->helm = cJSON_Duplicate(p, 1)))
			return err->code ? -1 : gitops_err_oom(err);
	}
	if ((p = cJSON_GetObjectItemCaseSensitive(v, "kustomize"))) {
		if (check_fields(c, p, "spec.source.kustomize", kustomize_fields, err) < 0 ||
		    !(a->kustomize = cJSON_Duplicate(p, 1)))
			return err->code ? -1 : gitops_err_oom(err);
	}
	if (!(d = cJSON_GetObjectItemCaseSensitive(s, "destination")))
		return fail(c, err, "spec", "spec.destination.namespace is required");
	if (check_fields(c, d, "spec.destination", dest, err) < 0 ||
	    get_string(&a->namespace, c, d, "spec.destination", "namespace", NULL, 1, err) < 0 ||
	    get_string(&a->context, c, d, "spec.destination", "context", NULL, 0, err) < 0)
		return -1;
	a->prune = 1;
	if ((p = cJSON_GetObjectItemCaseSensitive(s, "syncPolicy"))) {
		const cJSON *au, *opts, *o;
		if (check_fields(c, p, "spec.syncPolicy", policy, err) < 0)
			return -1;
		if ((au = cJSON_GetObjectItemCaseSensitive(p, "automated")) && !cJSON_IsNull(au)) {
			int enabled = 1;
			if (check_fields(c, au, "spec.syncPolicy.automated", automated, err) < 0)
				return -1;
			a->prune = 0;
			if (get_bool(&a->prune, c, au, "spec.syncPolicy.automated", "prune", err) < 0 ||
			    get_bool(&a->self_heal, c, au, "spec.syncPolicy.automated", "selfHeal", err) < 0 ||
			    get_bool(&enabled, c, au, "spec.syncPolicy.automated", "enabled", err) < 0)
				return -1;
			a->automated = enabled;
			if (!enabled)
				a->prune = 1;
		}
		if ((opts = cJSON_GetObjectItemCaseSensitive(p, "syncOptions"))) {
			if (check_string_list(c, p, "spec.syncPolicy", "syncOptions", err) < 0)
				return -1;
			cJSON_ArrayForEach(o, opts) {
				size_t i = 0;
				while (sync_options_ok[i] && strcmp(sync_options_ok[i], o->valuestring))
					i++;
				if (!sync_options_ok[i])
					warn(c, "spec.syncPolicy.syncOptions",
					     "spec.syncPolicy.syncOptions %s does not apply here: gitops-apply has no such option; ignored",
					     o->valuestring);
			}
		}
	}
	if (!(a->sync_windows = cJSON_CreateArray()))
		return gitops_err_oom(err);
	if ((p = cJSON_GetObjectItemCaseSensitive(s, "syncWindows"))) {
		if (check_windows(c, p, "spec.syncWindows", err) < 0)
			return -1;
		cJSON_ArrayForEach(v, p) {
			cJSON *dup = cJSON_Duplicate(v, 1);
			if (!dup || !cJSON_AddItemToArray(a->sync_windows, dup)) {
				cJSON_Delete(dup);
				return gitops_err_oom(err);
			}
		}
	}
	if (!(a->applyset = strdup(a->name)))
		return gitops_err_oom(err);
	(void)str;
	return 0;
}

/* An AppProject: its syncWindows, kept for the applications of the same file that name it. */
static int parse_project(char **name, cJSON **windows, struct ctx *c, const cJSON *doc, struct gitops_err *err)
{
	static const struct field top[] = {
		{ "apiVersion", F_OK, NULL }, { "kind", F_OK, NULL }, { "metadata", F_OK, NULL },
		{ "spec", F_OK, NULL }, { "status", F_WARN, "not read" }, { NULL, 0, NULL },
	};
	static const struct field meta[] = {
		{ "name", F_OK, NULL }, { "labels", F_OK, NULL }, { "annotations", F_OK, NULL },
		{ "namespace", F_WARN, "projects live in files" }, { "finalizers", F_WARN, "not read" },
		{ NULL, 0, NULL },
	};
	static const char *const ignored = "only syncWindows of a project apply to its applications";
	static const struct field spec[] = {
		{ "syncWindows", F_OK, NULL }, { "description", F_OK, NULL },
		{ "sourceRepos", F_WARN, ignored }, { "destinations", F_WARN, ignored },
		{ "clusterResourceWhitelist", F_WARN, ignored }, { "clusterResourceBlacklist", F_WARN, ignored },
		{ "namespaceResourceWhitelist", F_WARN, ignored }, { "namespaceResourceBlacklist", F_WARN, ignored },
		{ "roles", F_WARN, ignored }, { "orphanedResources", F_WARN, ignored },
		{ "signatureKeys", F_WARN, ignored }, { "sourceNamespaces", F_WARN, ignored },
		{ "permitOnlyProjectScopedClusters", F_WARN, ignored }, { "destinationServiceAccounts", F_WARN, ignored },
		{ NULL, 0, NULL },
	};
	const cJSON *m, *s, *w;

	if (check_fields(c, doc, "", top, err) < 0)
		return -1;
	if (!(m = cJSON_GetObjectItemCaseSensitive(doc, "metadata")))
		return fail(c, err, "kind", "metadata.name is required");
	if (check_fields(c, m, "metadata", meta, err) < 0 || get_string(name, c, m, "metadata", "name", NULL, 1, err) < 0)
		return -1;
	*windows = NULL;
	if (!(s = cJSON_GetObjectItemCaseSensitive(doc, "spec")))
		return 0;
	if (check_fields(c, s, "spec", spec, err) < 0)
		return -1;
	if ((w = cJSON_GetObjectItemCaseSensitive(s, "syncWindows"))) {
		if (check_windows(c, w, "spec.syncWindows", err) < 0)
			return -1;
		if (!(*windows = cJSON_Duplicate(w, 1)))
			return gitops_err_oom(err);
	}
	return 0;
}

static void app_release(struct gitops_ops_app *a)
{
	free(a->name);
	free(a->file);
	free(a->project);
	free(a->repo_url);
	free(a->target_revision);
	free(a->path);
	free(a->chart);
	free(a->chart_url);
	free(a->namespace);
	free(a->context);
	free(a->applyset);
	cJSON_Delete(a->helm);
	cJSON_Delete(a->kustomize);
	cJSON_Delete(a->sync_windows);
	memset(a, 0, sizeof(*a));
}

int gitops_ops_apps_parse(struct gitops_ops_apps *apps, const char *data, size_t len, const char *name,
			  gitops_ops_warn_fn warnfn, void *warn_ctx, struct gitops_err *err)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_yaml_reader *r = NULL;
	struct gitops_yaml_doc doc = { 0 };
	struct ctx c = { 0 };
	struct gitops_ops_app a = { 0 };
	size_t first = apps->n;
	char *pnames[64];
	cJSON *pwins[64];
	size_t np = 0;
	int ret = -1, got;

	c.name = name;
	c.warn = warnfn;
	c.warn_ctx = warn_ctx;
	limits.max_stream_bytes = MAX_FILE;
	keylines_scan(&c.lines, data, len);
	if (gitops_yaml_reader_mem(&r, data, len, name, &limits, err) < 0)
		goto done;
	while ((got = gitops_yaml_reader_next(r, &doc, err)) > 0) {
		const char *api, *kind;
		c.doc = doc.index;
		c.docline = doc.line;
		c.app = NULL;
		if (!doc.root) {
			gitops_yaml_doc_release(&doc);
			continue;
		}
		if (!cJSON_IsObject(doc.root)) {
			fail(&c, err, "", "a document must be a mapping (an Application or an AppProject)");
			goto done;
		}
		api = gitops_json_get_string(doc.root, "apiVersion", NULL);
		kind = gitops_json_get_string(doc.root, "kind", NULL);
		if (!api || (strcmp(api, "gitops.dev/v1alpha1") && strcmp(api, "argoproj.io/v1alpha1"))) {
			fail(&c, err, "apiVersion", "apiVersion must be gitops.dev/v1alpha1 or argoproj.io/v1alpha1%s%s%s",
			     api ? ", not '" : "", api ? api : "", api ? "'" : "");
			goto done;
		}
		if (kind && !strcmp(kind, "AppProject")) {
			if (np == sizeof(pnames) / sizeof(*pnames)) {
				fail(&c, err, "kind", "more than %zu AppProjects in one file", np);
				goto done;
			}
			if (parse_project(&pnames[np], &pwins[np], &c, doc.root, err) < 0) {
				free(pnames[np]);
				goto done;
			}
			np++;
		} else if (kind && !strcmp(kind, "Application")) {
			if (parse_app(&a, &c, doc.root, err) < 0)
				goto done;
			if (gitops_ops_apps_find(apps, a.name)) {
				const struct gitops_ops_app *o = gitops_ops_apps_find(apps, a.name);
				fail(&c, err, "metadata.name", "application %s is declared twice (first at %s:%zu)", a.name,
				     o->file, o->line);
				goto done;
			}
			a.line = doc.line;
			if (!(a.file = strdup(name))) {
				gitops_err_oom(err);
				goto done;
			}
			if (apps->n == apps->cap) {
				size_t cap = apps->cap ? apps->cap * 2 : 8;
				struct gitops_ops_app *v = realloc(apps->v, cap * sizeof(*v));
				if (!v) {
					gitops_err_oom(err);
					goto done;
				}
				apps->v = v;
				apps->cap = cap;
			}
			apps->v[apps->n++] = a;
			memset(&a, 0, sizeof(a));
		} else {
			fail(&c, err, "kind", "kind must be Application or AppProject%s%s%s", kind ? ", not '" : "",
			     kind ? kind : "", kind ? "'" : "");
			goto done;
		}
		gitops_yaml_doc_release(&doc);
	}
	if (got < 0)
		goto done;
	/* the projects' windows go to their applications of this file */
	for (size_t i = first; i < apps->n; i++)
		for (size_t j = 0; j < np; j++) {
			const cJSON *w;
			if (strcmp(apps->v[i].project, pnames[j]) || !pwins[j])
				continue;
			cJSON_ArrayForEach(w, pwins[j]) {
				cJSON *dup = cJSON_Duplicate(w, 1);
				if (!dup || !cJSON_AddItemToArray(apps->v[i].sync_windows, dup)) {
					cJSON_Delete(dup);
					gitops_err_oom(err);
					goto done;
				}
			}
		}
	ret = 0;
done:
	if (ret < 0)
		while (apps->n > first)
			app_release(&apps->v[--apps->n]);
	for (size_t j = 0; j < np; j++) {
		free(pnames[j]);
		cJSON_Delete(pwins[j]);
	}
	app_release(&a);
	gitops_yaml_doc_release(&doc);
	gitops_yaml_reader_free(r);
	keylines_release(&c.lines);
	return ret;
}

struct load_ctx {
	struct gitops_ops_apps *apps;
	gitops_ops_warn_fn warn;
	void *warn_ctx;
};

static int load_file(void *ctx, const char *path, const char *name, struct gitops_err *err)
{
	struct load_ctx *l = ctx;
	struct gitops_buf b = GITOPS_BUF_INIT;
	int ret;

	if (name) {
		size_t n = strlen(name);
		if (!(n > 5 && !strcmp(name + n - 5, ".yaml")) && !(n > 4 && !strcmp(name + n - 4, ".yml")) &&
		    !(n > 5 && !strcmp(name + n - 5, ".json")))
			return 0;
	}
	if (gitops_buf_read_file(&b, path, MAX_FILE, err) < 0)
		return -1;
	ret = gitops_ops_apps_parse(l->apps, b.data ? b.data : "", b.len, path, l->warn, l->warn_ctx, err);
	gitops_buf_release(&b);
	return ret;
}

int gitops_ops_apps_load(struct gitops_ops_apps *apps, const char *path, gitops_ops_warn_fn warnfn, void *warn_ctx,
			 struct gitops_err *err)
{
	struct load_ctx l = { apps, warnfn, warn_ctx };
	struct stat st;

	if (stat(path, &st) < 0)
		return gitops_err_errno(err, errno, path);
	if (S_ISDIR(st.st_mode))
		return gitops_fs_walk(path, load_file, &l, err);
	return load_file(&l, path, NULL, err);
}

const struct gitops_ops_app *gitops_ops_apps_find(const struct gitops_ops_apps *apps, const char *name)
{
	for (size_t i = 0; i < apps->n; i++)
		if (!strcmp(apps->v[i].name, name))
			return &apps->v[i];
	return NULL;
}

void gitops_ops_apps_release(struct gitops_ops_apps *apps)
{
	for (size_t i = 0; i < apps->n; i++)
		app_release(&apps->v[i]);
	free(apps->v);
	memset(apps, 0, sizeof(*apps));
}
