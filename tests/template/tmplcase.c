/*
 * tmplcase: lib/template against the shared helm-engine conformance cases.
 *
 *   tmplcase CASES.yaml KNOWN-FAILURES [NAME-PREFIX...]
 *
 * Each case runs as helm's harness ran it (../shared/conformance/helm-engine/
 * README.upstream.md): the templates engine/templates/_case.tpl
 * ({{define "case"}}TEMPLATE{{end}}), _helpers.tpl, the `files` under
 * templates/, and the wrapper case.yaml, parsed into one set in helm's
 * order (deepest path first, then reverse by name); case.yaml executed with
 * helm's root (.Values from `values` read as Helm reads values.yaml: every
 * number float64; --set, --set-string, --set-json from helm_args), with a
 * test-only quote (lib/template/funcs's include and tpl, with their count
 * of 1000 nested includes of one name, and its b64enc).  The output's
 * data.out, base64-decoded, must equal `expected` byte for byte; for an
 * error case the engine must fail with `error_core`, the text after the
 * last "at <...>: " (parse errors: helm's last ": " part).
 *
 * --write-charts DIR CASES.yaml [--batch] writes each case as the chart helm's
 * harness renders (DIR/NAME/chart, DIR/NAME/args), and with --batch one
 * chart of many generated cases (write_batch).
 *
 * --list-funcs prints lib/template/funcs's functions, "NAME NPARAMS VARIADIC
 * KINDS" a line (tests/template/gen-func-cases draws its calls from them).
 *
 * --repeat N runs each case N times (bench/template-bench), reporting once;
 * --exec-repeat N (before it) executes each case N times over one parse;
 * --parse-repeat N (before that) parses each case's texts N more times,
 * each time into a new set (the parse alone).
 *
 * --against-helm DIR compares with what the real helm rendered now instead
 * (DIR/NAME/{rc,out,err}, as tests/template/helm-oracle leaves them, from
 * the charts --write-charts DIR wrote): the live oracle.
 *
 * A nondeterministic case (random, time) is checked by its outcome (ok or
 * error) and its pattern (an ERE found in the output or the message), in
 * both modes.
 *
 * KNOWN-FAILURES lists "NAME  reason" lines: those may fail; any other
 * failure fails the run, and so does a listed case that passes.  Prints one
 * line per failure and "template: N passed, N listed, N failed of N".
 */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/base/buf.h"
#include "lib/base/enc.h"
#include "lib/template/funcs/funcs.h"
#include "lib/template/template.h"
#include "lib/template/tmpl_int.h"
#include "lib/value/path.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

/* the wrapper of a case whose slot is SLOT (the corpus's: "case"), printf'ed with SLOT twice */
static const char wrapper_fmt[] = "apiVersion: v1\n"
				  "kind: ConfigMap\n"
				  "metadata:\n"
				  "  name: %s\n"
				  "data:\n"
				  "  out: {{ include \"%s\" . | b64enc | quote }}\n";

/*
 * A case's slot names its files and its definition: templates/SLOT.yaml
 * (the wrapper), templates/_SLOT.tpl ({{define "SLOT"}}...{{end}}).  The
 * corpus's cases have none ("case"); generated ones have their own, so that
 * one chart can hold a batch of them (--write-charts --batch).
 */
static const char *slot_of(const cJSON *c)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(c, "slot");

	return cJSON_IsString(m) ? m->valuestring : "case";
}

/* the set's ctx: Helm's include and tpl state (funcs.h), first */
struct harness {
	struct gitops_tmpl_helm helm;
};

static int f_quote(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		   size_t n, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t i;

	(void)call;
	for (i = 0; i < n; i++) {
		if (i && gitops_buf_add(&b, " ", 1) < 0)
			goto oom;
		if (gitops_tmpl_sprintf(&b, "%q", 2, &args[i], 1) < 0)
			goto oom;
	}
	*out = gitops_tmpl_value_string(b.data ? b.data : "", b.len);
	gitops_buf_release(&b);
	return *out ? 0 : gitops_err_oom(err);
oom:
	gitops_buf_release(&b);
	return gitops_err_oom(err);
}

/*
 * A few of Sprig's functions, test-only and minimal, with Sprig's Go
 * signatures: enough to exercise the engine's argument conversions,
 * pipelines and int64 arithmetic in the language cases (issue 16 brings
 * the real ones).
 */
static int64_t to_int64(const struct gitops_tmpl_value *v)
{
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
		return gitops_tmpl_value_int_of(v);
	case GITOPS_TMPL_FLOAT64:
		return (int64_t)gitops_tmpl_value_float_of(v);
	case GITOPS_TMPL_STRING:
		return strtoll(gitops_tmpl_value_str(v, NULL), NULL, 0);
	case GITOPS_TMPL_BOOL:
		return gitops_tmpl_value_bool_of(v);
	default:
		return 0;
	}
}

#define FN(name)                                                                                                   \
	static int name(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,                             \
			struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)

FN(f_upper)
{
	size_t len, i;
	const char *s = gitops_tmpl_value_str(args[0], &len);

	(void)call, (void)n;
	*out = gitops_tmpl_value_string(s, len);
	if (!*out)
		return gitops_err_oom(err);
	for (i = 0; i < len; i++)
		if ((*out)->u.str.s[i] >= 'a' && (*out)->u.str.s[i] <= 'z')
			(*out)->u.str.s[i] = (char)((*out)->u.str.s[i] - 32);
	return 0;
}

FN(f_trim)
{
	size_t len;
	const char *s = gitops_tmpl_value_str(args[0], &len);

	(void)call, (void)n;
	while (len && strchr(" \t\n\r", *s))
		s++, len--;
	while (len && strchr(" \t\n\r", s[len - 1]))
		len--;
	*out = gitops_tmpl_value_string(s, len);
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_repeat)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	int64_t i, count = gitops_tmpl_value_int_of(args[0]);
	size_t len;
	const char *s = gitops_tmpl_value_str(args[1], &len);

	(void)call, (void)n;
	for (i = 0; i < count && i < 1000; i++)
		if (gitops_buf_add(&b, s, len) < 0) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
	*out = gitops_tmpl_value_string(b.data ? b.data : "", b.len);
	gitops_buf_release(&b);
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_add1)
{
	(void)call, (void)n;
	*out = gitops_tmpl_value_int64(to_int64(args[0]) + 1);
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_add)
{
	int64_t sum = 0;
	size_t i;

	(void)call;
	for (i = 0; i < n; i++)
		sum += to_int64(args[i]);
	*out = gitops_tmpl_value_int64(sum);
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_sub)
{
	(void)call, (void)n;
	*out = gitops_tmpl_value_int64(to_int64(args[0]) - to_int64(args[1]));
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_float64)
{
	const struct gitops_tmpl_value *v = args[0];
	double d = gitops_tmpl_value_kind(v) == GITOPS_TMPL_FLOAT64 ? gitops_tmpl_value_float_of(v) : (double)to_int64(v);

	(void)call, (void)n;
	*out = gitops_tmpl_value_float(d);
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_list)
{
	size_t i;

	(void)call;
	*out = gitops_tmpl_value_list(GITOPS_TMPL_LIST);
	for (i = 0; *out && i < n; i++)
		if (gitops_tmpl_list_push(*out, gitops_tmpl_value_ref(args[i])) < 0)
			return gitops_err_oom(err);
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_dict)
{
	size_t i;

	(void)call;
	*out = gitops_tmpl_value_map(NULL);
	for (i = 0; *out && i + 1 < n; i += 2) {
		size_t kl;
		const char *k = gitops_tmpl_value_str(args[i], &kl);
		if (gitops_tmpl_map_set(*out, k, kl, gitops_tmpl_value_ref(args[i + 1])) < 0)
			return gitops_err_oom(err);
	}
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_has_key)
{
	size_t len;
	const char *k = gitops_tmpl_value_str(args[1], &len);

	(void)call, (void)n;
	*out = gitops_tmpl_value_bool(gitops_tmpl_map_get(args[0], k, len) != NULL);
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_kind_of)
{
	static const char *const kinds[] = { "invalid", "bool", "int", "int64", "float64", "string", "slice", "slice", "map",
					     "uint8" };

	(void)call, (void)n;
	*out = gitops_tmpl_value_cstring(kinds[gitops_tmpl_value_kind(args[0])]);
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_nindent)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	int64_t spaces = gitops_tmpl_value_int_of(args[0]), i;
	size_t len, k;
	const char *s = gitops_tmpl_value_str(args[1], &len);
	int r = gitops_buf_add(&b, "\n", 1);

	(void)call, (void)n;
	for (k = 0; r == 0 && k <= len; k++) {
		if (k == 0 || s[k - 1] == '\n')
			for (i = 0; r == 0 && i < spaces; i++)
				r = gitops_buf_add(&b, " ", 1);
		if (r == 0 && k < len)
			r = gitops_buf_add(&b, s + k, 1);
	}
	*out = r ? NULL : gitops_tmpl_value_string(b.data, b.len);
	gitops_buf_release(&b);
	return *out ? 0 : gitops_err_oom(err);
}

FN(f_fail)
{
	(void)call, (void)n, (void)out;
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s", gitops_tmpl_value_str(args[0], NULL));
}

static const struct gitops_tmpl_func funcs[] = {
	{ "quote", f_quote, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	{ "upper", f_upper, 1, 0, { GITOPS_TMPL_P_STRING }, NULL },
	{ "trim", f_trim, 1, 0, { GITOPS_TMPL_P_STRING }, NULL },
	{ "repeat", f_repeat, 2, 0, { GITOPS_TMPL_P_INT, GITOPS_TMPL_P_STRING }, NULL },
	{ "add1", f_add1, 1, 0, { GITOPS_TMPL_P_ANY }, NULL },
	{ "add", f_add, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	{ "sub", f_sub, 2, 0, { GITOPS_TMPL_P_ANY, GITOPS_TMPL_P_ANY }, NULL },
	{ "float64", f_float64, 1, 0, { GITOPS_TMPL_P_ANY }, NULL },
	{ "list", f_list, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	{ "dict", f_dict, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	{ "hasKey", f_has_key, 2, 0, { GITOPS_TMPL_P_MAP, GITOPS_TMPL_P_STRING }, NULL },
	{ "kindOf", f_kind_of, 1, 0, { GITOPS_TMPL_P_ANY }, NULL },
	{ "nindent", f_nindent, 2, 0, { GITOPS_TMPL_P_INT, GITOPS_TMPL_P_STRING }, NULL },
	{ "fail", f_fail, 1, 0, { GITOPS_TMPL_P_STRING }, NULL },
};

/* the harness's functions, then lib/template/funcs's table (whose names win: the last one does) */
static struct gitops_tmpl_func *all_funcs;
static size_t n_all_funcs;

static int make_funcs(void)
{
	struct gitops_tmpl_func *real = NULL;
	size_t nreal = 0, nh = sizeof(funcs) / sizeof(funcs[0]);

	if (gitops_tmpl_funcs_table(&real, &nreal) < 0)
		return -1;
	all_funcs = calloc(nh + nreal, sizeof(*all_funcs));
	if (!all_funcs) {
		free(real);
		return -1;
	}
	memcpy(all_funcs, funcs, nh * sizeof(*all_funcs));
	memcpy(all_funcs + nh, real, nreal * sizeof(*all_funcs));
	n_all_funcs = nh + nreal;
	free(real);
	return 0;
}

/* values.yaml as Helm reads it (YAML -> JSON -> interface{}): every number a float64 */
static int floats_only(cJSON *t)
{
	cJSON *c;

	if (cJSON_IsNumber(t)) {
		double d = t->valuedouble;
		if (gitops_value_is_bigint(t) && t->valuestring)
			d = strtod(t->valuestring, NULL);
		if (isinf(d) || isnan(d))
			return -1;
		t->type &= ~GITOPS_VALUE_INT;
		cJSON_SetNumberValue(t, d);
		return 0;
	}
	cJSON_ArrayForEach(c, t)
		if (floats_only(c) < 0)
			return -1;
	return 0;
}

static struct gitops_tmpl_value *smap(const char *const *kv)
{
	struct gitops_tmpl_value *m = gitops_tmpl_value_map(NULL);

	for (; m && kv[0]; kv += 2)
		if (gitops_tmpl_map_set(m, kv[0], strlen(kv[0]), gitops_tmpl_value_cstring(kv[1])) < 0) {
			gitops_tmpl_value_unref(m);
			return NULL;
		}
	return m;
}

static int set_values(cJSON *over, const cJSON *args, struct gitops_err *err)
{
	const cJSON *a;

	for (a = args ? args->child : NULL; a; a = a->next) {
		enum gitops_path_helm_mode mode;
		if (!cJSON_IsString(a) || !a->next)
			continue;
		if (!strcmp(a->valuestring, "--set"))
			mode = GITOPS_PATH_HELM_SET;
		else if (!strcmp(a->valuestring, "--set-string"))
			mode = GITOPS_PATH_HELM_SET_STRING;
		else if (!strcmp(a->valuestring, "--set-json"))
			mode = GITOPS_PATH_HELM_SET_JSON;
		else
			continue;
		a = a->next;
		if (gitops_path_helm_set(over, a->valuestring, mode, err) < 0)
			return -1;
	}
	return 0;
}

/* the root helm passes: .Values, .Release, .Chart, .Template, .Capabilities, .Files, .Subcharts */
static int make_root(struct gitops_tmpl_value **out, const char *values_text, const cJSON *helm_args,
		     const char *tmpl_name, struct gitops_err *err)
{
	static const char *const release[] = { "Name", "case", "Namespace", "default", "Service", "Helm", NULL };
	static const char *const chart[] = { "Name", "engine", "Version", "0.1.0", "AppVersion", "1.16.0",
					     "APIVersion", "v2", "Type", "application",
					     "Description", "Helm engine conformance case", NULL };
	const char *const tmpl[] = { "Name", tmpl_name, "BasePath", "engine/templates", NULL };
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	cJSON *values = NULL, *over = cJSON_CreateObject();
	struct gitops_tmpl_value *root = NULL, *v = NULL;
	int error = -1;

	if (!over)
		return gitops_err_oom(err);
	if (gitops_yaml_parse_one(&values, values_text, strlen(values_text), "values.yaml", &limits, err) < 0) {
		/* the reader refuses what JSON cannot hold; helm fails at its YAML -> JSON step */
		if (strstr(err->msg, "inf' is not a number"))
			gitops_err_set(err, GITOPS_EXIT_INPUT,
				       "cannot load values.yaml: error converting YAML to JSON: json: unsupported value: +Inf");
		else
			gitops_err_prefix(err, "cannot load values.yaml");
		goto done;
	}
	if (!values)
		values = cJSON_CreateObject();
	if (!values)
		goto oom;
	if (floats_only(values) < 0) {
		gitops_err_set(err, GITOPS_EXIT_INPUT,
			       "cannot load values.yaml: error converting YAML to JSON: json: unsupported value: +Inf");
		goto done;
	}
	if (set_values(over, helm_args, err) < 0)
		goto done;
	if (gitops_value_coalesce(over, values, 0, NULL, NULL, err) < 0)
		goto done;
	root = gitops_tmpl_value_map(NULL);
	if (!root || gitops_tmpl_value_from_tree(&v, over, GITOPS_TMPL_TREE_INT64, err) < 0)
		goto oom;
	{
		/* .Values is chartutil.Values: a named map type */
		struct gitops_tmpl_value *named = gitops_tmpl_value_map("chartutil.Values");
		size_t i;
		if (!named) {
			gitops_tmpl_value_unref(v);
			goto oom;
		}
		for (i = 0; i < gitops_tmpl_value_len(v); i++) {
			size_t kl;
			const char *k = gitops_tmpl_value_key(v, i, &kl);
			if (gitops_tmpl_map_set(named, k, kl, gitops_tmpl_value_ref(gitops_tmpl_value_item(v, i))) < 0) {
				gitops_tmpl_value_unref(v);
				gitops_tmpl_value_unref(named);
				goto oom;
			}
		}
		gitops_tmpl_value_unref(v);
		if (gitops_tmpl_map_set(root, "Values", 6, named) < 0)
			goto oom;
	}
	if (gitops_tmpl_map_set(root, "Release", 7, smap(release)) < 0 ||
	    gitops_tmpl_map_set(root, "Chart", 5, smap(chart)) < 0 ||
	    gitops_tmpl_map_set(root, "Template", 8, smap(tmpl)) < 0 ||
	    gitops_tmpl_map_set(root, "Files", 5, gitops_tmpl_value_map(NULL)) < 0 ||
	    gitops_tmpl_map_set(root, "Subcharts", 9, gitops_tmpl_value_map(NULL)) < 0 ||
	    gitops_tmpl_map_set(root, "Capabilities", 12, gitops_tmpl_value_map(NULL)) < 0)
		goto oom;
	*out = root;
	root = NULL;
	error = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	gitops_tmpl_value_unref(root);
	cJSON_Delete(values);
	cJSON_Delete(over);
	return error;
}

struct tfile {
	char *path;
	char *text;
};

/* helm's sortTemplates: more slashes first, then reverse bytewise */
static int by_helm_order(const void *a, const void *b)
{
	const struct tfile *x = a, *y = b;
	int cx = 0, cy = 0;
	const char *p;

	for (p = x->path; *p; p++)
		cx += *p == '/';
	for (p = y->path; *p; p++)
		cy += *p == '/';
	if (cx != cy)
		return cy - cx;
	return -strcmp(x->path, y->path);
}

/*
 * The corpus's own cut: after the last "at <...>: " whose node holds no '>'
 * (a regexp's [^>]*), so a node like <semverCompare ">1" "abc"> is skipped
 * and the core starts after an outer one.  NULL when there is none.
 */
static const char *corpus_core_of(const char *msg)
{
	const char *p = msg, *q, *last = NULL;

	while ((q = strstr(p, "at <")) != NULL) {
		const char *gt = strchr(q + 4, '>');
		if (gt && !strncmp(gt, ">: ", 3))
			last = gt + 3;
		p = q + 4;
	}
	return last;
}

/* got (one line: lib/base/err's messages are) equals want, want's line breaks read as spaces */
static int same_core(const char *got, const char *want)
{
	for (; *got && *want; got++, want++)
		if (*got != *want && !(*got == ' ' && (*want == '\n' || *want == '\r')))
			return 0;
	return !*got && !*want;
}

/* error_core of the engine's message */
/* does want start with got (one line), want's line breaks read as spaces? */
static int same_prefix(const char *want, const char *got)
{
	for (; *got; got++, want++)
		if (*got != *want && !(*got == ' ' && (*want == '\n' || *want == '\r')))
			return 0;
	return 1;
}

static const char *core_of(const char *msg)
{
	const char *p = msg, *last = NULL, *q;

	if (strncmp(msg, "template: ", 10))
		return msg; /* not the engine's: loading values */
	{
		/* fail, required: helm's cleanupExecError keeps what HELM[...]HELM holds (greedy, as its regexp) */
		static char warn[GITOPS_ERR_MSG_MAX];
		const char *a = strstr(msg, "HELM["), *z = NULL, *w;
		for (w = a; w && (w = strstr(w, "]HELM")) != NULL; w++)
			z = w;
		if (a && z && z >= a + 5) {
			snprintf(warn, sizeof(warn), "%.*s", (int)(z - a - 5), a + 5);
			return warn;
		}
	}
	if (strstr(msg, ": executing \"")) {
		while ((q = strstr(p, " at <")) != NULL) {
			const char *close = strstr(q, ">: ");
			if (!close)
				break;
			last = close + 3;
			p = q + 5;
		}
		return last ? last : msg;
	}
	/* helm's cleanupParseError: the last ": " part */
	for (p = msg; (q = strstr(p, ": ")) != NULL; p = q + 2)
		last = q + 2;
	return last ? last : msg;
}

/* the data.out of the rendered wrapper, decoded */
static int decode_out(struct gitops_buf *out, const char *rendered)
{
	const char *p = strstr(rendered, "  out: \"");
	const char *e;
	char *b64;
	int r;

	if (!p)
		return -1;
	p += 8;
	e = strchr(p, '"');
	if (!e)
		return -1;
	b64 = strndup(p, (size_t)(e - p));
	if (!b64)
		return -1;
	r = gitops_base64_decode(out, b64);
	free(b64);
	if (r == 0 && !out->data)
		r = gitops_buf_add(out, "", 0);
	return r;
}

static const char *str_member(const cJSON *c, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(c, key);

	return cJSON_IsString(m) ? m->valuestring : NULL;
}

/* --against-helm DIR: helm's results for the cases (DIR/NAME/{rc,out,err}) instead of the corpus's */
static const char *helm_dir;

static char *slurp(const char *dir, const char *name, const char *file)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	char *path = NULL;

	if (asprintf(&path, "%s/%s/%s", dir, name, file) < 0)
		return NULL;
	if (gitops_buf_read_file(&b, path, 64u << 20, &err) < 0 || gitops_buf_add(&b, "", 0) < 0) {
		free(path);
		gitops_buf_release(&b);
		return NULL;
	}
	free(path);
	return gitops_buf_detach(&b);
}

/* the error_core of helm's stderr, as the corpus computes it */
static char *helm_core(const char *stderr_text)
{
	const char *p = stderr_text, *q, *last = NULL;
	size_t n;

	/*
	 * helm crashed on a map that holds itself (its fmt recursed until Go's
	 * stack overflowed): lib/template refuses to make one, with this message
	 */
	if (strstr(p, "fatal error: stack overflow"))
		return strdup("a map may not hold itself (helm recurses on it until its stack overflows)");
	if (!strncmp(p, "Error: ", 7))
		p += 7;
	/* the message may hold newlines (a name, a value): it ends where helm's hint or the text does */
	q = strstr(p, "\n\nUse --debug flag");
	n = q ? (size_t)(q - p) : strlen(p);
	while (n && p[n - 1] == '\n')
		n--;
	for (q = p; (q = strstr(q, " at <")) != NULL && q < p + n; q += 5) {
		const char *close = strstr(q, ">: ");
		if (close && close < p + n)
			last = close + 3;
	}
	if (!last && (!strncmp(p, "parse error at (", 16) || !strncmp(p, "execution error at (", 20))) {
		q = strstr(p, "): ");
		if (q && q < p + n)
			last = q + 3;
	}
	if (last) {
		n -= (size_t)(last - p);
		p = last;
	}
	return strndup(p, n);
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char *path = NULL, *slash;
	FILE *f;
	int r = -1;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -1;
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (f) {
		r = fputs(text, f) < 0 ? -1 : 0;
		if (fclose(f) != 0)
			r = -1;
	}
	free(path);
	return r;
}

/* a case's two files, templates/_SLOT.tpl and templates/SLOT.yaml, under the chart root */
static int write_slot(const char *root, const cJSON *c)
{
	const char *slot = slot_of(c);
	char *wrapped = NULL, *wrapper = NULL, *tpl = NULL, *yaml = NULL;
	int r = -1;

	if (asprintf(&wrapped, "{{define \"%s\"}}%s{{end}}", slot, str_member(c, "template")) < 0)
		wrapped = NULL;
	if (asprintf(&wrapper, wrapper_fmt, slot, slot) < 0)
		wrapper = NULL;
	if (asprintf(&tpl, "templates/_%s.tpl", slot) < 0)
		tpl = NULL;
	if (asprintf(&yaml, "templates/%s.yaml", slot) < 0)
		yaml = NULL;
	if (wrapped && wrapper && tpl && yaml && write_file(root, tpl, wrapped) == 0 && write_file(root, yaml, wrapper) == 0)
		r = 0;
	free(wrapped);
	free(wrapper);
	free(tpl);
	free(yaml);
	return r;
}

/* --write-charts DIR: each case as the chart helm's harness rendered, DIR/NAME/chart/, its helm_args in DIR/NAME/args */
static int write_chart(const char *dir, const cJSON *c)
{
	static const char chart[] = "apiVersion: v2\nname: engine\ndescription: Helm engine conformance case\n"
				    "type: application\nversion: 0.1.0\nappVersion: \"1.16.0\"\n";
	const char *name = str_member(c, "name"), *t = str_member(c, "template"), *v;
	const cJSON *f, *args = cJSON_GetObjectItemCaseSensitive(c, "helm_args");
	struct gitops_buf b = GITOPS_BUF_INIT;
	char *root = NULL;
	int r = -1;

	if (!name || !t || str_member(c, "mode"))
		return 0;
	if (asprintf(&root, "%s/%s", dir, name) < 0 || mkdir(root, 0755) < 0)
		goto done;
	if (gitops_buf_add(&b, "", 0) < 0)
		goto done;
	cJSON_ArrayForEach(f, args)
		if (cJSON_IsString(f) && gitops_buf_printf(&b, "%s\n", f->valuestring) < 0)
			goto done;
	if (write_file(root, "args", b.data) < 0)
		goto done;
	free(root);
	/* the chart apart from the run's files: helm's .Files would list them */
	if (asprintf(&root, "%s/%s/chart", dir, name) < 0 || mkdir(root, 0755) < 0)
		goto done;
	v = str_member(c, "values");
	if (write_file(root, "Chart.yaml", str_member(c, "chart") ? str_member(c, "chart") : chart) < 0 ||
	    write_file(root, "values.yaml", v ? v : "{}\n") < 0 || write_slot(root, c) < 0)
		goto done;
	if (str_member(c, "helpers") && write_file(root, "templates/_helpers.tpl", str_member(c, "helpers")) < 0)
		goto done;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(c, "files"))
		if (cJSON_IsString(f) && f->string && !strstr(f->string, "..") && write_file(root, f->string, f->valuestring) < 0)
			goto done;
	r = 0;
done:
	if (r < 0)
		fprintf(stderr, "tmplcase: cannot write the chart of %s\n", name);
	gitops_buf_release(&b);
	free(root);
	return r;
}

/* whether the engine failed on the last case run_case ran */
static int engine_failed;
/* --exec-repeat N: each execution N times over one parse */
static size_t exec_repeat = 1;
/* --parse-repeat N: each case's texts parsed N more times, into new sets */
static size_t parse_repeat;

/*
 * --write-charts DIR CASES --batch: also DIR/_batch/chart, one chart of every
 * case that can share it (its slot is its name, it is not marked `alone`,
 * no files or helm_args, the first such case's values and helpers) and that
 * the engine renders without an error, so that one helm run renders them
 * all; DIR/_batch/names lists them.  A case helm fails on would fail the
 * whole chart: those go alone (tests/template/helm-oracle falls back to the
 * single charts when the batch fails).
 */
static char *run_case(const cJSON *c);

static int write_batch(const char *dir, const cJSON *cases)
{
	static const char chart[] = "apiVersion: v2\nname: engine\ndescription: Helm engine conformance case\n"
				    "type: application\nversion: 0.1.0\nappVersion: \"1.16.0\"\n";
	const cJSON *c;
	const char *values = NULL, *helpers = NULL;
	struct gitops_buf names = GITOPS_BUF_INIT;
	char *root = NULL;
	int r = -1, first = 1;

	if (asprintf(&root, "%s/_batch", dir) < 0 || mkdir(root, 0755) < 0)
		goto done;
	free(root);
	if (asprintf(&root, "%s/_batch/chart", dir) < 0 || mkdir(root, 0755) < 0)
		goto done;
	if (gitops_buf_add(&names, "", 0) < 0)
		goto done;
	cJSON_ArrayForEach(c, cases) {
		const char *name = str_member(c, "name"), *v = str_member(c, "values"), *h = str_member(c, "helpers");
		char *why;
		if (!name || !str_member(c, "template") || str_member(c, "mode") || strcmp(slot_of(c), name) ||
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "alone")) ||
		    cJSON_GetObjectItemCaseSensitive(c, "files") || cJSON_GetObjectItemCaseSensitive(c, "helm_args"))
			continue;
		if (!first && (strcmp(v ? v : "", values ? values : "") || strcmp(h ? h : "", helpers ? helpers : "")))
			continue;
		why = run_case(c);
		free(why);
		if (engine_failed)
			continue;
		if (first) {
			values = v;
			helpers = h;
			first = 0;
			if (write_file(root, "Chart.yaml", chart) < 0 || write_file(root, "values.yaml", v ? v : "{}\n") < 0 ||
			    (h && write_file(root, "templates/_helpers.tpl", h) < 0))
				goto done;
		}
		if (write_slot(root, c) < 0 || gitops_buf_printf(&names, "%s\n", name) < 0)
			goto done;
	}
	free(root);
	if (asprintf(&root, "%s/_batch", dir) < 0 || write_file(root, "names", names.data) < 0)
		goto done;
	r = 0;
done:
	if (r < 0)
		fprintf(stderr, "tmplcase: cannot write the batch chart\n");
	gitops_buf_release(&names);
	free(root);
	return r;
}

/* run one case: NULL when it passed, else why (malloc'ed) */
static char *run_case(const cJSON *c)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_tmpl_set *set = NULL;
	struct gitops_tmpl_value *root = NULL;
	struct gitops_buf out = GITOPS_BUF_INIT, data = GITOPS_BUF_INIT;
	struct harness h = { GITOPS_TMPL_HELM_INIT };
	struct gitops_tmpl_options opts = GITOPS_TMPL_OPTIONS_INIT;
	struct tfile files[64];
	size_t nfiles = 0, i;
	const char *templ = str_member(c, "template"), *helpers = str_member(c, "helpers");
	const char *values = str_member(c, "values"), *expected = str_member(c, "expected");
	const char *core = str_member(c, "error_core"), *full = str_member(c, "error");
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(c, "files"), *f;
	char *why = NULL, *h_rc = NULL, *h_out = NULL, *h_err = NULL, *h_core = NULL, *wrapper_path = NULL;
	struct gitops_buf h_data = GITOPS_BUF_INIT;
	size_t exp_len = expected ? strlen(expected) : 0;
	const char *outcome = NULL, *pattern = NULL;
	int failed;

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "nondeterministic"))) {
		/* random or time-dependent: the corpus's outcome and pattern, even against helm */
		outcome = str_member(c, "outcome");
		pattern = str_member(c, "pattern");
		expected = NULL;
		core = NULL;
		full = NULL;
	} else if (helm_dir && str_member(c, "name")) {
		/* the truth is what helm says now */
		h_rc = slurp(helm_dir, str_member(c, "name"), "rc");
		h_out = slurp(helm_dir, str_member(c, "name"), "out");
		h_err = slurp(helm_dir, str_member(c, "name"), "err");
		if (!h_rc || !h_out || !h_err) {
			why = strdup("helm's results are missing");
			goto helm_done;
		}
		if (atoi(h_rc) == 0) {
			if (decode_out(&h_data, h_out) < 0) {
				why = strdup("no data.out in helm's output");
				goto helm_done;
			}
			expected = h_data.data;
			exp_len = h_data.len; /* helm's output may hold NUL bytes */
			core = NULL;
		} else if (atoi(h_rc) == 137 && !h_err[0]) {
			/*
			 * helm killed (SIGKILL) with nothing printed: the kernel's OOM
			 * killer, as on a map that holds itself, where toToml's encoder
			 * recurses with ever longer key paths (tens of GB) before Go's
			 * stack bound is reached: lib/template refuses the map instead
			 */
			h_core = strdup("a map may not hold itself (helm recurses on it until its stack overflows)");
			core = h_core;
			full = NULL;
			expected = NULL;
		} else {
			h_core = helm_core(h_err);
			core = h_core;
			full = h_err;
			expected = NULL;
		}
	}

	if (str_member(c, "mode"))
		return strdup("file mode is not an engine case");
	if (!templ)
		return strdup("no template");
	if (asprintf(&wrapper_path, "engine/templates/%s.yaml", slot_of(c)) < 0)
		wrapper_path = NULL;
	files[nfiles].path = wrapper_path ? strdup(wrapper_path) : NULL;
	if (asprintf(&files[nfiles++].text, wrapper_fmt, slot_of(c), slot_of(c)) < 0)
		files[nfiles - 1].text = NULL;
	if (asprintf(&files[nfiles].path, "engine/templates/_%s.tpl", slot_of(c)) < 0)
		files[nfiles].path = NULL;
	if (asprintf(&files[nfiles++].text, "{{define \"%s\"}}%s{{end}}", slot_of(c), templ) < 0)
		files[nfiles - 1].text = NULL;
	if (helpers) {
		files[nfiles].path = strdup("engine/templates/_helpers.tpl");
		files[nfiles++].text = strdup(helpers);
	}
	cJSON_ArrayForEach(f, extra) {
		if (nfiles < sizeof(files) / sizeof(files[0]) && cJSON_IsString(f) && f->string &&
		    !strncmp(f->string, "templates/", 10)) {
			if (asprintf(&files[nfiles].path, "engine/%s", f->string) < 0)
				files[nfiles].path = NULL;
			files[nfiles++].text = strdup(f->valuestring);
		}
	}
	qsort(files, nfiles, sizeof(files[0]), by_helm_order);
	opts.set_name = "gotpl";
	/* helm loads the values before it parses a template: a values error comes first */
	failed = make_root(&root, values ? values : "{}\n", cJSON_GetObjectItemCaseSensitive(c, "helm_args"),
			   wrapper_path, &err);
	if (!failed)
		failed = gitops_tmpl_set_new(&set, all_funcs, n_all_funcs, &opts, &h, &err);
	for (i = 0; !failed && i < nfiles; i++) {
		if (!files[i].path || !files[i].text) {
			failed = gitops_err_oom(&err);
			break;
		}
		failed = gitops_tmpl_set_parse(set, files[i].path, files[i].text, strlen(files[i].text), &err);
	}
	for (i = 0; !failed && i < parse_repeat; i++) {
		/* --parse-repeat: the texts parsed again into a new set (bench/template-bench) */
		struct gitops_tmpl_set *again = NULL;
		size_t k;
		failed = gitops_tmpl_set_new(&again, all_funcs, n_all_funcs, &opts, &h, &err);
		for (k = 0; !failed && k < nfiles; k++)
			failed = gitops_tmpl_set_parse(again, files[k].path, files[k].text, strlen(files[k].text), &err);
		gitops_tmpl_set_free(again);
	}
	for (i = 1; !failed && i < exec_repeat; i++) {
		/* --exec-repeat: the same set and root executed again (bench/template-bench) */
		failed = gitops_tmpl_exec(&out, set, wrapper_path, root, &err);
		out.len = 0;
	}
	if (!failed)
		failed = gitops_tmpl_exec(&out, set, wrapper_path, root, &err);
	engine_failed = failed;
	if (outcome) {
		/* outcome ok or error; the pattern (ERE) found in the output or the error */
		struct gitops_buf text = GITOPS_BUF_INIT;
		regex_t re;
		if (!failed && (decode_out(&text, out.data ? out.data : "") < 0 || gitops_buf_add(&text, "", 0) < 0))
			why = strdup("no data.out in the output");
		else if (strcmp(outcome, failed ? "error" : "ok")) {
			if (asprintf(&why, "outcome: want %s, got %s%s%s", outcome, failed ? "error: " : "ok",
				     failed ? err.msg : "", "") < 0)
				why = NULL;
		} else if (pattern && regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) == 0) {
			if (regexec(&re, failed ? err.msg : text.data, 0, NULL, 0) != 0 &&
			    asprintf(&why, "pattern %s not found in: %s", pattern, failed ? err.msg : text.data) < 0)
				why = NULL;
			regfree(&re);
		}
		gitops_buf_release(&text);
	} else if (failed) {
		if (!core) {
			if (asprintf(&why, "unexpected error: %s", err.msg) < 0)
				why = NULL;
		} else if (!same_core(core_of(err.msg), core) &&
			   !(corpus_core_of(err.msg) && same_core(corpus_core_of(err.msg), core)) &&
			   !(!strncmp(core, "a map may not hold itself", 25) && strstr(err.msg, core))) {
			if (asprintf(&why, "error\n  want: %s\n  got:  %s\n  full: %s", core, core_of(err.msg), err.msg) < 0)
				why = NULL;
		} else if (full && !strncmp(full, "Error: template: ", 17) && strlen(full) < 1000 &&
			   (!same_prefix(full + 7, err.msg) || (full[7 + strlen(err.msg)] != '\n' &&
								 full[7 + strlen(err.msg)] != '\0'))) {
			/* an execution error: helm prints Go's message whole, locations and nodes included */
			if (asprintf(&why, "error message\n  want: %.*s\n  got:  %s", (int)strcspn(full + 7, "\n"), full + 7,
				     err.msg) < 0)
				why = NULL;
		}
	} else if (!expected) {
		if (asprintf(&why, "expected the error '%s', got output", core ? core : "?") < 0)
			why = NULL;
	} else if (decode_out(&data, out.data ? out.data : "") < 0) {
		if (asprintf(&why, "no data.out in the output:\n%s", out.data ? out.data : "") < 0)
			why = NULL;
	} else if (data.len != exp_len || memcmp(data.data, expected, data.len)) {
		if (asprintf(&why, "output\n  want: %s\n  got:  %.*s", expected, (int)data.len, data.data) < 0)
			why = NULL;
	}
	for (i = 0; i < nfiles; i++) {
		free(files[i].path);
		free(files[i].text);
	}
	gitops_tmpl_helm_release(&h.helm);
	gitops_buf_release(&out);
	gitops_buf_release(&data);
	gitops_tmpl_value_unref(root);
	gitops_tmpl_set_free(set);
	free(wrapper_path);
helm_done:
	free(h_rc);
	free(h_out);
	free(h_err);
	free(h_core);
	gitops_buf_release(&h_data);
	return why;
}

static int listed(char **known, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(known[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_buf text = GITOPS_BUF_INIT, kf = GITOPS_BUF_INIT;
	cJSON *cases = NULL;
	const cJSON *c;
	char **known = NULL;
	size_t nknown = 0, total = 0;
	int pass = 0, knownfail = 0, fail = 0, i;
	char *line, *save = NULL, *charts = NULL;
	int batch = 0, repeat = 1, r;

	if (make_funcs() < 0) {
		fprintf(stderr, "tmplcase: out of memory\n");
		return 2;
	}
	if (argc == 2 && !strcmp(argv[1], "--list-funcs")) {
		/* tests/template/gen-func-cases: lib/template/funcs's functions, "NAME NPARAMS VARIADIC KINDS" a line */
		struct gitops_tmpl_func *t = NULL;
		size_t n = 0, k;

		if (gitops_tmpl_funcs_table(&t, &n) < 0) {
			fprintf(stderr, "tmplcase: out of memory\n");
			return 2;
		}
		for (k = 0; k < n; k++) {
			/* each parameter's kind: a(ny) s(tring) i(nt) I(nt64) f(loat64) b(ool) l(ist) m(ap) r(aw) */
			static const char kinds[] = "asiIfblm";
			size_t p, np = t[k].nparams + (t[k].variadic ? 1 : 0);

			if (t[k].receiver)
				continue;
			printf("%s %zu %d ", t[k].name, t[k].nparams, t[k].variadic);
			for (p = 0; p < np && p < GITOPS_TMPL_MAX_PARAMS; p++)
				putchar(t[k].params[p] < sizeof(kinds) - 1 ? kinds[t[k].params[p]] : 'r');
			putchar('\n');
		}
		free(t);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "--parse-repeat")) {
		parse_repeat = (size_t)atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc >= 3 && !strcmp(argv[1], "--exec-repeat")) {
		exec_repeat = (size_t)atoi(argv[2]);
		if (exec_repeat < 1)
			exec_repeat = 1;
		argv += 2;
		argc -= 2;
	}
	if (argc >= 3 && !strcmp(argv[1], "--repeat")) {
		/* bench/template-bench: each case N times (the count is of cases, the time of all runs) */
		repeat = atoi(argv[2]);
		if (repeat < 1)
			repeat = 1;
		argv += 2;
		argc -= 2;
	}
	if (argc >= 3 && !strcmp(argv[1], "--write-charts")) {
		charts = argv[2];
		argv += 2;
		argc -= 2;
		if (argc == 3 && !strcmp(argv[2], "--batch")) {
			batch = 1;
			argc--;
		}
	} else if (argc >= 3 && !strcmp(argv[1], "--against-helm")) {
		helm_dir = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 3 && !(charts && argc == 2)) {
		fprintf(stderr, "usage: tmplcase [--parse-repeat N] [--exec-repeat N] [--repeat N] [--against-helm DIR] CASES.yaml KNOWN-FAILURES [NAME-PREFIX...]\n"
				"       tmplcase --write-charts DIR CASES.yaml [--batch]\n");
		return 2;
	}
	if (charts) {
		int bad = 0;
		if (gitops_buf_read_file(&text, argv[1], 64u << 20, &err) < 0 ||
		    gitops_yaml_parse_one(&cases, text.data, text.len, argv[1], &limits, &err) < 0) {
			fprintf(stderr, "tmplcase: %s\n", err.msg);
			return 2;
		}
		cJSON_ArrayForEach(c, cases)
			if (write_chart(charts, c) < 0)
				bad = 1;
		if (batch && write_batch(charts, cases) < 0)
			bad = 1;
		cJSON_Delete(cases);
		gitops_buf_release(&text);
		return bad ? 2 : 0;
	}
	if (gitops_buf_read_file(&text, argv[1], 64u << 20, &err) < 0 ||
	    gitops_yaml_parse_one(&cases, text.data, text.len, argv[1], &limits, &err) < 0 ||
	    gitops_buf_read_file(&kf, argv[2], 1u << 20, &err) < 0) {
		fprintf(stderr, "tmplcase: %s\n", err.msg);
		return 2;
	}
	for (line = strtok_r(kf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char **k;
		if (!*line || *line == '#')
			continue;
		line[strcspn(line, " \t")] = '\0';
		k = realloc(known, (nknown + 1) * sizeof(*k));
		if (!k)
			return 2;
		known = k;
		known[nknown++] = line;
	}
	cJSON_ArrayForEach(c, cases) {
		const char *name = str_member(c, "name");
		int sel = argc == 3, is_listed;
		char *why;
		for (i = 3; i < argc; i++)
			if (name && !strncmp(name, argv[i], strlen(argv[i])))
				sel = 1;
		if (!name || !sel)
			continue;
		total++;
		for (r = 1; r < repeat; r++)
			free(run_case(c));
		why = run_case(c);
		is_listed = listed(known, nknown, name);
		if (!why && !is_listed) {
			pass++;
		} else if (!why) {
			printf("FAIL %s: listed in known-failures but passes: remove its line\n", name);
			fail++;
		} else if (is_listed) {
			knownfail++;
		} else {
			printf("FAIL %s: %s\n", name, why);
			fail++;
		}
		free(why);
	}
	printf("template%s: %d passed, %d listed, %d failed of %zu\n", helm_dir ? " (against helm)" : "", pass, knownfail,
	       fail, total);
	cJSON_Delete(cases);
	gitops_buf_release(&text);
	gitops_buf_release(&kf);
	free(known);
	return fail ? 1 : 0;
}
