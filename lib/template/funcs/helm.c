/*
 * helm.c: Helm's own functions (pkg/engine/funcs.go, engine.go), those that
 * need no chart: fail, required, include, tpl, lookup.  The errors of fail and
 * required carry HELM[MESSAGE]HELM, as Helm's do (funcs.h says what the
 * renderer makes of them).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/template/funcs/funcs_int.h"

/* Helm's recursionMaxNums: nested includes of one name */
#define INCLUDE_MAX 1000

/* fail MESSAGE: always an error */
static int f_fail(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		  size_t n, struct gitops_err *err)
{
	size_t len;
	const char *msg = gitops_tmpl_value_str(args[0], &len);

	(void)out, (void)call, (void)n;
	return fn_fail(err, "HELM[%.*s]HELM", (int)len, msg);
}

/* required MESSAGE VALUE: VALUE, unless it is nil or "" */
static int f_required(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,
		      struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)
{
	size_t len;
	const char *msg = gitops_tmpl_value_str(args[0], &len);
	struct gitops_tmpl_value *v = args[1];

	(void)call, (void)n;
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL ||
	    (gitops_tmpl_value_kind(v) == GITOPS_TMPL_STRING && gitops_tmpl_value_len(v) == 0))
		return fn_fail(err, "HELM[%.*s]HELM", (int)len, msg);
	*out = gitops_tmpl_value_ref(v);
	return 0;
}

void gitops_tmpl_helm_release(struct gitops_tmpl_helm *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->ninc; i++)
		free(h->inc[i].name);
	free(h->inc);
	h->inc = NULL;
	h->ninc = 0;
}

static struct gitops_tmpl_helm_name *name_count(struct gitops_tmpl_helm *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->ninc; i++)
		if (!strcmp(h->inc[i].name, name))
			return &h->inc[i];
	return NULL;
}

/*
 * include NAME DATA: template NAME executed with DATA into a string.  The
 * 1,001st nested include of one name fails (Helm's includedNames); the
 * count is kept by name, so it survives the table moving in a nested call.
 */
static int f_include(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,
		     struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)
{
	struct gitops_tmpl_helm *h = gitops_tmpl_call_ctx(call);
	struct gitops_buf buf = GITOPS_BUF_INIT;
	const char *name = gitops_tmpl_value_str(args[0], NULL);
	struct gitops_tmpl_helm_name *c;
	int r;

	(void)n;
	if (h) {
		if (!(c = name_count(h, name))) {
			struct gitops_tmpl_helm_name *m = realloc(h->inc, (h->ninc + 1) * sizeof(*m));

			if (!m)
				return gitops_err_oom(err);
			h->inc = m;
			c = &h->inc[h->ninc];
			if (!(c->name = strdup(name)))
				return gitops_err_oom(err);
			c->n = 0;
			h->ninc++;
		} else if (c->n > INCLUDE_MAX) {
			return fn_fail(err, "rendering template has a nested reference name: %s: unable to execute template",
				       name);
		}
		c->n++;
	}
	r = gitops_tmpl_call_exec(&buf, call, name, args[1], err);
	if (h && (c = name_count(h, name)))
		c->n--;
	if (r < 0) {
		gitops_buf_release(&buf);
		return -1;
	}
	return fn_ret_buf(out, &buf, err);
}

/* err's message after "WHAT %q: " (Go's quoting of text), its end kept when too long */
static int wrap_quoted(struct gitops_err *err, const char *what, const char *text, size_t len)
{
	struct gitops_buf q = GITOPS_BUF_INIT;
	struct gitops_tmpl_value *v = gitops_tmpl_value_string(text, len);
	char msg[GITOPS_ERR_MSG_MAX];
	int code = err->code;

	if (!v || gitops_buf_addstr(&q, what) < 0 || gitops_buf_addstr(&q, " ") < 0 ||
	    tmpl_fmt_printf(&q, "%q", 2, &v, 1) < 0 || gitops_buf_addstr(&q, ": ") < 0) {
		gitops_tmpl_value_unref(v);
		gitops_buf_release(&q);
		return gitops_err_oom(err);
	}
	gitops_tmpl_value_unref(v);
	memcpy(msg, err->msg, sizeof(msg));
	tmpl_set_msg(err, q.data, msg);
	err->code = code;
	gitops_buf_release(&q);
	return -1;
}

/*
 * tpl TEXT DATA: TEXT parsed as a template of a copy of the set (named as
 * Helm's set, "gotpl"; its defines seen there and in its includes, and
 * gone after it) and executed with DATA; every "<no value>" removed from
 * the result, as Helm does.
 */
static int f_tpl(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		 size_t n, struct gitops_err *err)
{
	static const char novalue[] = "<no value>";
	struct gitops_buf buf = GITOPS_BUF_INIT, res = GITOPS_BUF_INIT;
	size_t len, i = 0;
	const char *text = gitops_tmpl_value_str(args[0], &len), *hit;
	int r;

	(void)n;
	if ((r = gitops_tmpl_call_parse_exec(&buf, call, "gotpl", text, len, args[1], err)) < 0) {
		gitops_buf_release(&buf);
		if (err->code == GITOPS_EXIT_INTERNAL || !strcmp(err->msg, "out of memory"))
			return -1;
		return wrap_quoted(err, r == -2 ? "cannot parse template" : "error during tpl function execution for", text,
				   len);
	}
	while (buf.data && i < buf.len && (hit = memmem(buf.data + i, buf.len - i, novalue, sizeof(novalue) - 1))) {
		if (gitops_buf_add(&res, buf.data + i, (size_t)(hit - (buf.data + i))) < 0)
			goto oom;
		i = (size_t)(hit - buf.data) + sizeof(novalue) - 1;
	}
	if (buf.data && gitops_buf_add(&res, buf.data + i, buf.len - i) < 0)
		goto oom;
	gitops_buf_release(&buf);
	return fn_ret_buf(out, &res, err);
oom:
	gitops_buf_release(&buf);
	gitops_buf_release(&res);
	return gitops_err_oom(err);
}

/*
 * lookup API-VERSION KIND NAMESPACE NAME: what the cluster holds.  A render
 * never reaches a cluster (as `helm template` without --dry-run=server):
 * an empty map, whatever is asked.
 */
static int f_lookup(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,
		    struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)
{
	(void)call, (void)args, (void)n;
	*out = gitops_tmpl_value_map(NULL);
	return *out ? 0 : gitops_err_oom(err);
}

/* a map of type map[string]interface {} (or chartutil.Values) */
static int is_table(const struct gitops_tmpl_value *v)
{
	const char *t;

	if (gitops_tmpl_value_kind(v) != GITOPS_TMPL_MAP || v->u.map.is_struct)
		return 0;
	t = v->u.map.type_name;
	return !t || !strcmp(t, "chartutil.Values");
}

/* a new chartutil.Values (or map[string]interface {}) holding m's entries (shared, as Go's conversion) */
static struct gitops_tmpl_value *as_type(const struct gitops_tmpl_value *m, const char *type_name)
{
	struct gitops_tmpl_value *r = gitops_tmpl_value_map(type_name);
	size_t i, kl;

	for (i = 0; r && i < gitops_tmpl_value_len(m); i++) {
		const char *k = gitops_tmpl_value_key(m, i, &kl);
		struct gitops_tmpl_value *v = gitops_tmpl_value_item(m, i);

		if (gitops_tmpl_map_set(r, k, kl, v ? gitops_tmpl_value_ref(v) : gitops_tmpl_value_nil()) < 0) {
			gitops_tmpl_value_unref(r);
			return NULL;
		}
	}
	return r;
}

/*
 * .Values.Table "a.b": the map at that dotted path (chartutil.Values.Table),
 * or `"b" is not a table` for the first part that is missing or no map.
 */
static int m_values_table(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,
			  struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)
{
	const struct gitops_tmpl_value *table = args[0];
	size_t len;
	const char *path = gitops_tmpl_value_str(args[1], &len), *p = path, *end = path + len;

	(void)call, (void)n;
	for (;;) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		size_t pl = dot ? (size_t)(dot - p) : (size_t)(end - p);
		const struct gitops_tmpl_value *next = gitops_tmpl_map_get(table, p, pl);

		if (!next || !is_table(next))
			return fn_fail(err, "\"%.*s\" is not a table", (int)pl, p);
		table = next;
		if (!dot)
			break;
		p = dot + 1;
	}
	*out = as_type(table, "chartutil.Values");
	return *out ? 0 : gitops_err_oom(err);
}

/* .Values.AsMap: the same entries as a map[string]interface {} */
static int m_values_asmap(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,
			  struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)
{
	(void)call, (void)n;
	*out = as_type(args[0], NULL);
	return *out ? 0 : gitops_err_oom(err);
}

const struct gitops_tmpl_func gitops_tmpl_funcs_helm[] = {
	{ "fail", f_fail, 1, 0, { GITOPS_TMPL_P_STRING }, NULL },
	{ "required", f_required, 2, 0, { GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_ANY }, NULL },
	{ "include", f_include, 2, 0, { GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_ANY }, NULL },
	{ "tpl", f_tpl, 2, 0, { GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_ANY }, NULL },
	{ "lookup", f_lookup, 4, 0, { GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_STRING },
	  NULL },
	/* chartutil.Values' methods */
	{ "Table", m_values_table, 1, 0, { GITOPS_TMPL_P_STRING }, "chartutil.Values" },
	{ "AsMap", m_values_asmap, 0, 0, { GITOPS_TMPL_P_ANY }, "chartutil.Values" },
};
const size_t gitops_tmpl_funcs_helm_n = sizeof(gitops_tmpl_funcs_helm) / sizeof(gitops_tmpl_funcs_helm[0]);
