/*
 * tmpl_exec.c: text/template's executor (Go 1.23's exec.go and funcs.go),
 * the builtins, and the set (parse, lookup, execute).
 *
 * struct rv is Go's reflect.Value as the executor sees it: a value with a
 * reference held, or none (v == NULL: the invalid Value, printed
 * "<no value>"), and whether its static type is interface {} (a map's or a
 * list's element), which Go's messages name ("nil pointer evaluating
 * interface {}.x").  Every eval function returns an rv the caller owns.
 */
#include <errno.h>
#include <limits.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/regex.h"
#include "lib/template/tmpl_int.h"

struct rv {
	struct gitops_tmpl_value *v;
	int iface;
};

#define RV_NONE ((struct rv){ NULL, 0 })

#define P_VALUE GITOPS_TMPL_P_RAW

struct run {
	struct gitops_tmpl_options opts;
	size_t depth, output, ranges;   /* depth: nested executions (include, tpl) */
	uintptr_t stack_base;
	size_t stack_used;              /* the deepest check_stack saw */
	/* results the run makes over and over (comparisons, range indices), made once and shared */
	struct gitops_tmpl_value *bools[2], *ints[64];
};

/* the run's shared false or true, with a reference for the caller; NULL: out of memory */
static struct gitops_tmpl_value *run_bool(struct run *run, int b)
{
	struct gitops_tmpl_value **c = &run->bools[!!b];

	if (!*c && !(*c = gitops_tmpl_value_bool(b)))
		return NULL;
	return gitops_tmpl_value_ref(*c);
}

/* an int; a small one is the run's shared one */
static struct gitops_tmpl_value *run_int(struct run *run, int64_t i)
{
	struct gitops_tmpl_value **c;

	if (i < 0 || i >= (int64_t)(sizeof(run->ints) / sizeof(run->ints[0])))
		return gitops_tmpl_value_int(i);
	c = &run->ints[i];
	if (!*c && !(*c = gitops_tmpl_value_int(i)))
		return NULL;
	return gitops_tmpl_value_ref(*c);
}

static void run_release(struct run *run)
{
	size_t i;

	gitops_tmpl_value_unref(run->bools[0]);
	gitops_tmpl_value_unref(run->bools[1]);
	for (i = 0; i < sizeof(run->ints) / sizeof(run->ints[0]); i++)
		gitops_tmpl_value_unref(run->ints[i]);
}

/* text/template's maxExecDepth: nested {{template}} calls in one execution */
#define MAX_EXEC_DEPTH 100000

struct var {
	const char *name;
	struct rv val;
};

struct state {
	struct gitops_tmpl_set *set;
	struct tmpl_tree *tmpl;
	struct gitops_buf *wr;
	const struct tmpl_node *node;
	struct var *vars;
	size_t nvars, capvars;
	struct run *run;
	struct gitops_err *err;
	size_t tdepth; /* {{template}} nesting in this execution (Go's state.depth) */
};

struct gitops_tmpl_call {
	struct state *s;
};

/* walk's outcomes besides 0 and -1 */
enum { WALK_BREAK = 1, WALK_CONTINUE = 2 };

const char *const tmpl_builtin_names[B_COUNT] = {
	[B_AND] = "and", [B_CALL] = "call", [B_HTML] = "html", [B_INDEX] = "index", [B_SLICE] = "slice",
	[B_JS] = "js", [B_LEN] = "len", [B_NOT] = "not", [B_OR] = "or", [B_PRINT] = "print",
	[B_PRINTF] = "printf", [B_PRINTLN] = "println", [B_URLQUERY] = "urlquery", [B_EQ] = "eq", [B_GE] = "ge",
	[B_GT] = "gt", [B_LE] = "le", [B_LT] = "lt", [B_NE] = "ne",
};

/* the builtins' signatures: fixed parameters, variadic, and their types */
static const struct gitops_tmpl_func builtin_sigs[B_COUNT] = {
	[B_AND] = { "and", NULL, 1, 1, { P_VALUE, P_VALUE }, NULL },
	[B_OR] = { "or", NULL, 1, 1, { P_VALUE, P_VALUE }, NULL },
	[B_CALL] = { "call", NULL, 1, 1, { P_VALUE, P_VALUE }, NULL },
	[B_HTML] = { "html", NULL, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	[B_JS] = { "js", NULL, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	[B_URLQUERY] = { "urlquery", NULL, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	[B_INDEX] = { "index", NULL, 1, 1, { P_VALUE, P_VALUE }, NULL },
	[B_SLICE] = { "slice", NULL, 1, 1, { P_VALUE, P_VALUE }, NULL },
	[B_LEN] = { "len", NULL, 1, 0, { P_VALUE }, NULL },
	[B_NOT] = { "not", NULL, 1, 0, { P_VALUE }, NULL },
	[B_PRINT] = { "print", NULL, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	[B_PRINTLN] = { "println", NULL, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	[B_PRINTF] = { "printf", NULL, 1, 1, { GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_ANY }, NULL },
	[B_EQ] = { "eq", NULL, 1, 1, { P_VALUE, P_VALUE }, NULL },
	[B_NE] = { "ne", NULL, 2, 0, { P_VALUE, P_VALUE }, NULL },
	[B_LT] = { "lt", NULL, 2, 0, { P_VALUE, P_VALUE }, NULL },
	[B_LE] = { "le", NULL, 2, 0, { P_VALUE, P_VALUE }, NULL },
	[B_GT] = { "gt", NULL, 2, 0, { P_VALUE, P_VALUE }, NULL },
	[B_GE] = { "ge", NULL, 2, 0, { P_VALUE, P_VALUE }, NULL },
};

int tmpl_builtin_find(const char *name, size_t len)
{
	int i;

	for (i = 0; i < B_COUNT; i++)
		if (strlen(tmpl_builtin_names[i]) == len && !memcmp(tmpl_builtin_names[i], name, len))
			return i;
	return -1;
}

/*
 * The index of names in a set (definitions, functions): eight bytes a
 * step, not FNV-1a's one (a template's name is some 30 bytes:
 * "ingress-nginx.controller.fullname"), each step's product folded so
 * that the low bits the index masks depend on every byte, and a final
 * mix.  Only lookups use it: no order comes from it.
 */
static size_t name_hash(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint64_t h = 0x9e3779b97f4a7c15u ^ n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	if (n) {
		w = 0;
		while (n--)
			w = w << 8 | p[n];
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 32;
	return (size_t)h;
}

static int name_is(const char *have, const char *name, size_t len)
{
	return !strncmp(have, name, len) && have[len] == '\0';
}

/* slot of name in an index whose slots name entries by index + 1 (an empty slot if absent) */
static size_t index_slot(const uint32_t *index, size_t cap, const char *name, size_t len,
			 const char *(*name_of)(const void *, uint32_t), const void *ctx)
{
	size_t mask = cap - 1, h = name_hash(name, len) & mask;

	while (index[h] && !name_is(name_of(ctx, index[h] - 1), name, len))
		h = (h + 1) & mask;
	return h;
}

static const char *func_name(const void *ctx, uint32_t i)
{
	return ((const struct gitops_tmpl_func *)ctx)[i].name;
}

static const char *def_name(const void *ctx, uint32_t i)
{
	return ((const struct tmpl_def *)ctx)[i].name;
}

/* the functions without a receiver by name, the last of each name winning (as the linear search from the end) */
static int func_index_build(struct gitops_tmpl_set *set)
{
	size_t cap = 16, i;

	while (cap < 2 * set->nfuncs)
		cap *= 2;
	set->findex = calloc(cap, sizeof(*set->findex));
	if (!set->findex)
		return -1;
	set->findex_cap = cap;
	for (i = set->nfuncs; i-- > 0;) {
		const char *nm = set->funcs[i].name;
		size_t h;
		if (set->funcs[i].receiver)
			continue;
		h = index_slot(set->findex, cap, nm, strlen(nm), func_name, set->funcs);
		if (!set->findex[h])
			set->findex[h] = (uint32_t)i + 1;
	}
	return 0;
}

/* a method's slot: the receiver's type name and the method's name hashed together */
static size_t method_slot(const struct gitops_tmpl_set *set, const char *type, const char *name)
{
	size_t mask = set->mindex_cap - 1, h = (name_hash(type, strlen(type)) * 31 + name_hash(name, strlen(name))) & mask;

	while (set->mindex[h]) {
		const struct gitops_tmpl_func *f = &set->funcs[set->mindex[h] - 1];
		if (!strcmp(f->receiver, type) && !strcmp(f->name, name))
			break;
		h = (h + 1) & mask;
	}
	return h;
}

/* the methods (functions with a receiver) by type and name, the last of each winning */
static int method_index_build(struct gitops_tmpl_set *set)
{
	size_t cap = 16, i, n = 0;

	for (i = 0; i < set->nfuncs; i++)
		n += set->funcs[i].receiver != NULL;
	while (cap < 2 * n)
		cap *= 2;
	set->mindex = calloc(cap, sizeof(*set->mindex));
	if (!set->mindex)
		return -1;
	set->mindex_cap = cap;
	for (i = set->nfuncs; i-- > 0;) {
		size_t h;
		if (!set->funcs[i].receiver)
			continue;
		h = method_slot(set, set->funcs[i].receiver, set->funcs[i].name);
		if (!set->mindex[h])
			set->mindex[h] = (uint32_t)i + 1;
		{
			unsigned char b = (unsigned char)set->funcs[i].name[0];
			set->mfirst[b >> 6] |= (uint64_t)1 << (b & 63);
		}
	}
	return 0;
}

long tmpl_set_find_func(const struct gitops_tmpl_set *set, const char *name, size_t len)
{
	int b;

	if (set->findex) {
		size_t h = index_slot(set->findex, set->findex_cap, name, len, func_name, set->funcs);
		if (set->findex[h])
			return (long)set->findex[h] - 1;
	}
	b = tmpl_builtin_find(name, len);
	if (b >= 0)
		return -1 - b;
	return LONG_MIN;
}

/* --- values as Go's reflect sees them --- */

static void rv_release(struct rv *r)
{
	gitops_tmpl_value_unref(r->v);
	r->v = NULL;
}

static struct rv rv_ref(struct rv r)
{
	gitops_tmpl_value_ref(r.v);
	return r;
}

static const char *rv_type(struct rv r)
{
	if (!r.v)
		return "<nil>";
	if (r.iface)
		return "interface {}";
	if (r.v->kind == GITOPS_TMPL_NIL)
		return "interface {}";
	return gitops_tmpl_value_type_name(r.v);
}

static const char *param_type(int p)
{
	switch (p) {
	case GITOPS_TMPL_P_STRING:
		return "string";
	case GITOPS_TMPL_P_INT:
		return "int";
	case GITOPS_TMPL_P_INT64:
		return "int64";
	case GITOPS_TMPL_P_FLOAT:
		return "float64";
	case GITOPS_TMPL_P_BOOL:
		return "bool";
	case GITOPS_TMPL_P_LIST:
		return "[]interface {}";
	case GITOPS_TMPL_P_MAP:
		return "map[string]interface {}";
	case GITOPS_TMPL_P_TIME:
		return "time.Time";
	case GITOPS_TMPL_P_UINT32:
		return "uint32";
	case GITOPS_TMPL_P_CERTIFICATE:
		return "sprig.certificate";
	case P_VALUE:
		return "reflect.Value";
	default:
		return "interface {}";
	}
}

static int kind_matches(const struct gitops_tmpl_value *v, int p)
{
	switch (p) {
	case GITOPS_TMPL_P_STRING:
		return v->kind == GITOPS_TMPL_STRING;
	case GITOPS_TMPL_P_INT:
		return v->kind == GITOPS_TMPL_INT;
	case GITOPS_TMPL_P_INT64:
		return v->kind == GITOPS_TMPL_INT64;
	case GITOPS_TMPL_P_FLOAT:
		return v->kind == GITOPS_TMPL_FLOAT64;
	case GITOPS_TMPL_P_BOOL:
		return v->kind == GITOPS_TMPL_BOOL;
	case GITOPS_TMPL_P_LIST:
		return v->kind == GITOPS_TMPL_LIST;
	case GITOPS_TMPL_P_MAP:
		/* assignable to map[string]interface {}: it, or a named type of it (chartutil.Values);
		   not a struct, not another map type (map[string]string, Helm's engine.files: map[string][]byte) */
		return v->kind == GITOPS_TMPL_MAP && !v->u.map.is_struct &&
		       !(v->u.map.type_name &&
			 (!strncmp(v->u.map.type_name, "map[", 4) || !strcmp(v->u.map.type_name, "engine.files")));
	case GITOPS_TMPL_P_TIME:
		return v->kind == GITOPS_TMPL_MAP && v->u.map.is_struct && v->u.map.type_name &&
		       !strcmp(v->u.map.type_name, "time.Time");
	case GITOPS_TMPL_P_UINT32:
		return 0;
	case GITOPS_TMPL_P_CERTIFICATE:
		return v->kind == GITOPS_TMPL_MAP && v->u.map.is_struct && v->u.map.type_name &&
		       !strcmp(v->u.map.type_name, "sprig.certificate");
	default:
		return 1;
	}
}

/* indirectInterface: an interface's content; a nil interface is no value */
static struct gitops_tmpl_value *indirect_iface(struct rv r)
{
	if (!r.v || r.v->kind == GITOPS_TMPL_NIL)
		return NULL;
	return r.v;
}

/* --- errors --- */

/* err := prefix + msg, keeping msg's end when the whole is too long */
int tmpl_set_msg(struct gitops_err *err, const char *prefix, const char *msg)
{
	size_t pl = strlen(prefix), ml = strlen(msg), room = GITOPS_ERR_MSG_MAX - 1;
	char *tmp;

	if (pl + ml <= room)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s%s", prefix, msg);
	tmp = malloc(ml + 1);
	if (!tmp)
		return gitops_err_oom(err);
	memcpy(tmp, msg, ml + 1);
	if (ml <= room / 2) {
		/* a long prefix (a long node), a short message: the prefix is cut */
		pl = room - 5 - ml;
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%.*s ... %s", (int)pl, prefix, tmp);
	} else {
		/* a long message (errors of nested templates): its end is kept */
		size_t keep;
		if (pl > room / 2)
			pl = room / 2;
		keep = room - pl - 5;
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%.*s ... %s", (int)pl, prefix, tmp + ml - keep);
	}
	free(tmp);
	return -1;
}

static void location(char *out, size_t size, const struct tmpl_node *n)
{
	const struct tmpl_src *src = n->src;
	size_t i, line = 1, last_nl = 0, pos = n->pos;
	int seen = 0;

	if (pos > src->len)
		pos = src->len;
	for (i = 0; i < pos; i++) {
		if (src->text[i] == '\n') {
			line++;
			last_nl = i;
			seen = 1;
		}
	}
	snprintf(out, size, "%s:%zu:%zu", src->parse_name, line, seen ? pos - last_nl - 1 : pos);
}

static int located_error(struct state *s, const char *msg);
static int errorf(struct state *s, const char *fmt, ...) GITOPS_PRINTF(2, 3);
static int errorf(struct state *s, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return gitops_err_oom(s->err);
	r = located_error(s, msg);
	free(msg);
	return r;
}

static int located_error(struct state *s, const char *msg)
{
	if (s->node) {
		struct gitops_buf prefix = GITOPS_BUF_INIT, ctx = GITOPS_BUF_INIT;
		char loc[512];
		int r;
		location(loc, sizeof(loc), s->node);
		if (tmpl_node_string(&ctx, s->node) < 0 ||
		    gitops_buf_printf(&prefix, "template: %s: executing \"%s\" at <%s>: ", loc, s->tmpl->name,
				      ctx.data) < 0) {
			gitops_buf_release(&ctx);
			gitops_buf_release(&prefix);
			return gitops_err_oom(s->err);
		}
		r = tmpl_set_msg(s->err, prefix.data, msg);
		gitops_buf_release(&ctx);
		gitops_buf_release(&prefix);
		return r;
	}
	return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "template: %s: %s", s->tmpl->name, msg);
}

/* "error calling NAME: " + the function's own message (already in s->err) */
static int call_error(struct state *s, const char *name)
{
	char *inner = strdup(s->err->msg);
	int r;

	if (!inner)
		return gitops_err_oom(s->err);
	r = errorf(s, "error calling %s: %s", name, inner);
	free(inner);
	return r;
}

static int oom(struct state *s)
{
	return gitops_err_oom(s->err);
}


#define TOO_DEEP_MSG "value nested more than 10000 levels deep (a map or list that holds itself?)"

/* a printer's failure: out of memory, or a value too deep to print */
static int print_failed(struct state *s, int r)
{
	if (r == GITOPS_TMPL_TOO_DEEP)
		return errorf(s, "%s", TOO_DEEP_MSG);
	return oom(s);
}

static int check_stack(struct state *s)
{
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	uintptr_t base = s->run->stack_base;
	size_t used = base > here ? base - here : here - base;

	if (used > s->run->stack_used)
		s->run->stack_used = used;
	if (used > s->run->opts.max_stack)
		return errorf(s, "exceeded maximum template depth (nesting too deep for %zu bytes of stack)",
			      s->run->opts.max_stack);
	return 0;
}

/* --- variables --- */

static int push_var(struct state *s, const char *name, struct rv val)
{
	if (s->nvars == s->capvars) {
		size_t cap = s->capvars ? s->capvars * 2 : 8;
		struct var *v = realloc(s->vars, cap * sizeof(*v));
		if (!v) {
			rv_release(&val);
			return oom(s);
		}
		s->vars = v;
		s->capvars = cap;
	}
	s->vars[s->nvars].name = name;
	s->vars[s->nvars].val = val;
	s->nvars++;
	return 0;
}

static void pop_vars(struct state *s, size_t mark)
{
	while (s->nvars > mark)
		rv_release(&s->vars[--s->nvars].val);
}

/* takes val */
static int set_var(struct state *s, const char *name, struct rv val)
{
	size_t i;

	for (i = s->nvars; i-- > 0;) {
		if (!strcmp(s->vars[i].name, name)) {
			rv_release(&s->vars[i].val);
			s->vars[i].val = val;
			return 0;
		}
	}
	rv_release(&val);
	return errorf(s, "undefined variable: %s", name);
}

static void set_top_var(struct state *s, size_t n, struct rv val)
{
	rv_release(&s->vars[s->nvars - n].val);
	s->vars[s->nvars - n].val = val;
}

static int var_value(struct rv *out, struct state *s, const char *name)
{
	size_t i;

	for (i = s->nvars; i-- > 0;) {
		if (!strcmp(s->vars[i].name, name)) {
			*out = rv_ref(s->vars[i].val);
			return 0;
		}
	}
	return errorf(s, "undefined variable: %s", name);
}

/* --- output --- */

static int write_out(struct state *s, const char *data, size_t n)
{
	if (s->run->output + n > s->run->opts.max_output || s->run->output + n < s->run->output)
		return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "template: %s: output exceeds %zu bytes", s->tmpl->name,
				      s->run->opts.max_output);
	s->run->output += n;
	if (gitops_buf_add(s->wr, data, n) < 0)
		return oom(s);
	return 0;
}

static int check_string(struct state *s, size_t n)
{
	if (n > s->run->opts.max_string)
		return errorf(s, "string of %zu bytes exceeds the limit of %zu bytes", n, s->run->opts.max_string);
	return 0;
}

/* --- evaluation --- */

static int eval_pipeline(struct rv *out, struct state *s, struct rv dot, const struct tmpl_node *pipe);
static int eval_command(struct rv *out, struct state *s, struct rv dot, const struct tmpl_node *cmd, struct rv *final,
			int has_final);
static int eval_arg(struct rv *out, struct state *s, struct rv dot, int ptype, const struct tmpl_node *n);
static int walk(struct state *s, struct rv dot, const struct tmpl_node *node);

static int eval_call(struct rv *out, struct state *s, struct rv dot, long func, const struct tmpl_node *node,
		     const char *name, const struct tmpl_node *const *args, size_t nargs, struct rv *final,
		     int has_final, struct rv *recv);

static long find_method(const struct gitops_tmpl_set *set, const char *type, const char *name)
{
	size_t i;

	if (set->mindex) {
		/* most fields (.Values.image) start with a byte no method name does: no hashing then */
		unsigned char b = (unsigned char)name[0];
		size_t h;
		if (!(set->mfirst[b >> 6] >> (b & 63) & 1))
			return -1;
		h = method_slot(set, type, name);
		return set->mindex[h] ? (long)set->mindex[h] - 1 : -1;
	}
	for (i = set->nfuncs; i-- > 0;)
		if (set->funcs[i].receiver && !strcmp(set->funcs[i].receiver, type) && !strcmp(set->funcs[i].name, name))
			return (long)i;
	return -1;
}

/* cmd: the command whose first word this field is (its other words are a method's arguments), or NULL */
static int eval_field(struct rv *out, struct state *s, struct rv dot, const char *field, const struct tmpl_node *node,
		      const struct tmpl_node *cmd, struct rv *final, int has_final, struct rv receiver)
{
	struct gitops_tmpl_value *val;
	size_t nargs = cmd ? cmd->nkids : 1;

	*out = RV_NONE;
	if (!receiver.v) {
		if (s->set->opts.missingkey_error)
			return errorf(s, "nil data; no entry for key \"%s\"", field);
		return 0;
	}
	if (receiver.v->kind == GITOPS_TMPL_NIL)
		return errorf(s, "nil pointer evaluating %s.%s", rv_type(receiver), field);
	if ((receiver.v->kind == GITOPS_TMPL_MAP && receiver.v->u.map.type_name) ||
	    ((receiver.v->kind == GITOPS_TMPL_LIST || receiver.v->kind == GITOPS_TMPL_STRLIST) &&
	     receiver.v->u.list.type_name)) {
		long m = find_method(s->set, gitops_tmpl_value_type_name(receiver.v), field);
		if (m >= 0) {
			struct rv recv = { receiver.v, 0 };
			return eval_call(out, s, dot, m, node, field,
					 cmd ? (const struct tmpl_node *const *)cmd->kids + 1 : NULL, cmd ? cmd->nkids - 1 : 0,
					 final, has_final, &recv);
		}
		if (receiver.v->kind == GITOPS_TMPL_MAP && receiver.v->u.map.is_struct &&
		    !gitops_tmpl_map_get(receiver.v, field, strlen(field)))
			return errorf(s, "can't evaluate field %s in type %s", field, rv_type(receiver));
	}
	if (receiver.v->kind == GITOPS_TMPL_MAP) {
		if (nargs > 1 || has_final)
			return errorf(s, "%s is not a method but has arguments", field);
		val = gitops_tmpl_map_get(receiver.v, field, strlen(field));
		if (val) {
			out->v = gitops_tmpl_value_ref(val);
			/* a map's value is an interface {}; a struct's field has its own type */
			out->iface = !receiver.v->u.map.is_struct;
			return 0;
		}
		if (s->set->opts.missingkey_error)
			return errorf(s, "map has no entry for key \"%s\"", field);
		out->v = gitops_tmpl_value_nil();
		out->iface = 1;
		return out->v ? 0 : oom(s);
	}
	(void)node;
	return errorf(s, "can't evaluate field %s in type %s", field, rv_type(receiver));
}

/* takes receiver */
static int eval_field_chain(struct rv *out, struct state *s, struct rv dot, struct rv receiver,
			    const struct tmpl_node *node, char **ident, size_t n, const struct tmpl_node *cmd,
			    struct rv *final, int has_final)
{
	size_t i;
	struct rv next;

	for (i = 0; i + 1 < n; i++) {
		if (eval_field(&next, s, dot, ident[i], node, NULL, NULL, 0, receiver) < 0) {
			rv_release(&receiver);
			return -1;
		}
		rv_release(&receiver);
		receiver = next;
	}
	i = eval_field(out, s, dot, ident[n - 1], node, cmd, final, has_final, receiver) < 0;
	rv_release(&receiver);
	return i ? -1 : 0;
}

static int eval_field_node(struct rv *out, struct state *s, struct rv dot, const struct tmpl_node *field)
{
	s->node = field;
	return eval_field_chain(out, s, dot, rv_ref(dot), field, field->ident, field->nident, NULL, NULL, 0);
}

static int eval_chain_node(struct rv *out, struct state *s, struct rv dot, const struct tmpl_node *chain,
			   const struct tmpl_node *cmd, struct rv *final, int has_final)
{
	struct rv pipe;

	s->node = chain;
	if (chain->pipe->type == N_NIL) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		int r;
		if (tmpl_node_string(&b, chain) < 0)
			return oom(s);
		r = errorf(s, "indirection through explicit nil in %s", b.data);
		gitops_buf_release(&b);
		return r;
	}
	if (eval_arg(&pipe, s, dot, GITOPS_TMPL_P_ANY + 1000, chain->pipe) < 0)
		return -1;
	return eval_field_chain(out, s, dot, pipe, chain, chain->ident, chain->nident, cmd, final, has_final);
}

static int not_a_function(struct state *s, const struct tmpl_node *cmd, int has_final)
{
	if (cmd->nkids > 1 || has_final) {
		struct gitops_buf b = GITOPS_BUF_INIT;
		int r;
		if (tmpl_node_string(&b, cmd->kids[0]) < 0)
			return oom(s);
		r = errorf(s, "can't give argument to non-function %s", b.data);
		gitops_buf_release(&b);
		return r;
	}
	return 0;
}

static int eval_variable_node(struct rv *out, struct state *s, struct rv dot, const struct tmpl_node *var,
			      const struct tmpl_node *cmd, struct rv *final, int has_final)
{
	struct rv value;

	s->node = var;
	if (var_value(&value, s, var->ident[0]) < 0)
		return -1;
	if (var->nident == 1) {
		if (cmd && not_a_function(s, cmd, has_final) < 0) {
			rv_release(&value);
			return -1;
		}
		*out = value;
		return 0;
	}
	return eval_field_chain(out, s, dot, value, var, var->ident + 1, var->nident - 1, cmd, final, has_final);
}

/* idealConstant */
/*
 * A constant node's value: made the first time, then shared (the tree's
 * src keeps it; values are never changed in place).  Takes v (may be NULL:
 * out of memory); out gets a reference.
 */
static int const_value(struct rv *out, struct state *s, const struct tmpl_node *n, struct gitops_tmpl_value *v)
{
	if (!v)
		return oom(s);
	if (tmpl_src_keep(n->src, v) < 0) {
		gitops_tmpl_value_unref(v);
		return oom(s);
	}
	((struct tmpl_node *)n)->cval = v;
	out->v = gitops_tmpl_value_ref(v);
	out->iface = 0;
	return 0;
}

/* a string or bool constant's value */
static int simple_constant(struct rv *out, struct state *s, const struct tmpl_node *n)
{
	*out = RV_NONE;
	if (n->cval) {
		out->v = gitops_tmpl_value_ref(n->cval);
		return 0;
	}
	return const_value(out, s, n, n->type == N_BOOL ? gitops_tmpl_value_bool(n->bval)
							: gitops_tmpl_value_string(n->text, n->tlen));
}

static int ideal_constant(struct rv *out, struct state *s, const struct tmpl_node *n)
{
	s->node = n;
	*out = RV_NONE;
	if (n->cval) {
		out->v = gitops_tmpl_value_ref(n->cval);
		return 0;
	}
	const char *q = n->quoted;
	/* Go's isHexInt (0x1E has an E, and is no float; -0x1E is one) and isRuneInt */
	int hex_int = strlen(q) > 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X') && !strpbrk(q, "pP");

	if (n->is_complex) {
		return const_value(out, s, n, gitops_tmpl_value_complex(n->num->c_re, n->num->c_im));
	} else if (n->is_float && q[0] != '\'' && !hex_int && strpbrk(q, ".eEpP")) {
		return const_value(out, s, n, gitops_tmpl_value_float(n->num->f64));
	} else if (n->is_int) {
		return const_value(out, s, n, gitops_tmpl_value_int(n->num->i64));
	} else if (n->is_uint) {
		return errorf(s, "%s overflows int", n->quoted);
	}
	return 0;
}

/* validateType: takes in */
static int validate_type(struct rv *out, struct state *s, struct rv in, int ptype)
{
	*out = RV_NONE;
	if (!in.v) {
		if (ptype == P_VALUE || ptype >= 1000)
			return 0;
		if (ptype == GITOPS_TMPL_P_ANY || ptype == GITOPS_TMPL_P_LIST || ptype == GITOPS_TMPL_P_MAP) {
			out->v = gitops_tmpl_value_nil();
			out->iface = 1;
			return out->v ? 0 : oom(s);
		}
		return errorf(s, "invalid value; expected %s", param_type(ptype));
	}
	if (ptype == P_VALUE || ptype == GITOPS_TMPL_P_ANY || ptype >= 1000) {
		*out = in;
		return 0;
	}
	if (kind_matches(in.v, ptype) && in.v->kind != GITOPS_TMPL_NIL) {
		out->v = in.v;
		out->iface = 0;
		return 0;
	}
	{
		/*
		 * Go digs into a non-nil interface first and names what it holds (a float64
		 * field is "float64"); a nil one stays "interface {}".
		 */
		int named = in.iface && in.v->kind != GITOPS_TMPL_NIL;
		int r = errorf(s, "wrong type for value; expected %s; got %s", param_type(ptype),
			       named ? gitops_tmpl_value_type_name(in.v) : rv_type(in));
		rv_release(&in);
		return r;
	}
}

static int eval_function(struct rv *out, struct state *s, struct rv dot, const struct tmpl_node *ident,
			 const struct tmpl_node *cmd, const struct tmpl_node *const *args, size_t nargs, struct rv *final,
			 int has_final);

static int eval_empty_interface(struct rv *out, struct state *s, struct rv dot, const struct tmpl_node *n)
{
	s->node = n;
	*out = RV_NONE;
	switch (n->type) {
	case N_BOOL:
		return simple_constant(out, s, n);
	case N_DOT:
		*out = rv_ref(dot);
		return 0;
	case N_FIELD:
		return eval_field_node(out, s, dot, n);
	case N_IDENT:
		return eval_function(out, s, dot, n, n, NULL, 0, NULL, 0);
	case N_NIL:
		return errorf(s, "evalEmptyInterface: nil (can't happen)");
	case N_NUMBER:
		return ideal_constant(out, s, n);
	case N_STRING:
		return simple_constant(out, s, n);
	case N_VARIABLE:
		return eval_variable_node(out, s, dot, n, NULL, NULL, 0);
	case N_PIPE:
		return eval_pipeline(out, s, dot, n);
	default: {
		struct gitops_buf b = GITOPS_BUF_INIT;
		int r;
		if (tmpl_node_string(&b, n) < 0)
			return oom(s);
		r = errorf(s, "can't handle assignment of %s to empty interface argument", b.data);
		gitops_buf_release(&b);
		return r;
	}
	}
}

static int found_error(struct state *s, const char *what, const struct tmpl_node *n)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	int r;

	if (tmpl_node_string(&b, n) < 0)
		return oom(s);
	r = errorf(s, "%s%s", what, b.data);
	gitops_buf_release(&b);
	return r;
}

/* ptype >= 1000: the chain's "no type" (evalArg with a nil type) */
static int eval_arg(struct rv *out, struct state *s, struct rv dot, int ptype, const struct tmpl_node *n)
{
	struct rv tmp;
	int r;

	s->node = n;
	*out = RV_NONE;
	switch (n->type) {
	case N_DOT:
		return validate_type(out, s, rv_ref(dot), ptype);
	case N_NIL:
		if (ptype == P_VALUE)
			return 0;
		if (ptype == GITOPS_TMPL_P_ANY || ptype == GITOPS_TMPL_P_LIST || ptype == GITOPS_TMPL_P_MAP) {
			out->v = gitops_tmpl_value_nil();
			out->iface = 1;
			return out->v ? 0 : oom(s);
		}
		if (ptype >= 1000)
			return errorf(s, "cannot assign nil to <nil>");
		return errorf(s, "cannot assign nil to %s", param_type(ptype));
	case N_FIELD:
		r = eval_field_node(&tmp, s, dot, n);
		break;
	case N_VARIABLE:
		r = eval_variable_node(&tmp, s, dot, n, NULL, NULL, 0);
		break;
	case N_PIPE:
		r = eval_pipeline(&tmp, s, dot, n);
		break;
	case N_IDENT:
		r = eval_function(&tmp, s, dot, n, n, NULL, 0, NULL, 0);
		break;
	case N_CHAIN:
		r = eval_chain_node(&tmp, s, dot, n, NULL, NULL, 0);
		break;
	default:
		goto constant;
	}
	if (r < 0)
		return -1;
	return validate_type(out, s, tmp, ptype);
constant:
	switch (ptype) {
	case GITOPS_TMPL_P_BOOL:
		if (n->type != N_BOOL)
			return found_error(s, "expected bool; found ", n);
		return simple_constant(out, s, n);
	case GITOPS_TMPL_P_STRING:
		if (n->type != N_STRING)
			return found_error(s, "expected string; found ", n);
		return simple_constant(out, s, n);
	case GITOPS_TMPL_P_INT:
	case GITOPS_TMPL_P_INT64:
		if (n->type != N_NUMBER || !n->is_int)
			return found_error(s, "expected integer; found ", n);
		out->v = ptype == GITOPS_TMPL_P_INT ? gitops_tmpl_value_int(n->num->i64) : gitops_tmpl_value_int64(n->num->i64);
		break;
	case GITOPS_TMPL_P_UINT32:
		/* evalUnsignedInteger; SetUint keeps the low 32 bits */
		if (n->type != N_NUMBER || !n->is_uint)
			return found_error(s, "expected unsigned integer; found ", n);
		out->v = gitops_tmpl_value_int64((int64_t)(uint32_t)n->num->u64);
		break;
	case GITOPS_TMPL_P_FLOAT:
		if (n->type != N_NUMBER || !n->is_float)
			return found_error(s, "expected float; found ", n);
		out->v = gitops_tmpl_value_float(n->num->f64);
		break;
	case GITOPS_TMPL_P_LIST:
	case GITOPS_TMPL_P_MAP:
	case GITOPS_TMPL_P_TIME:
	case GITOPS_TMPL_P_CERTIFICATE: {
		struct gitops_buf b = GITOPS_BUF_INIT;
		if (tmpl_node_string(&b, n) < 0)
			return oom(s);
		r = errorf(s, "can't handle %s for arg of type %s", b.data, param_type(ptype));
		gitops_buf_release(&b);
		return r;
	}
	default:
		return eval_empty_interface(out, s, dot, n);
	}
	return out->v ? 0 : oom(s);
}

/* --- builtins --- */

enum { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_COMPLEX, K_STRING };

static int basic_kind(const struct gitops_tmpl_value *v)
{
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_BOOL:
		return K_BOOL;
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8: /* Go compares int with uint by value: as one kind here */
	case GITOPS_TMPL_UINT64:
		return K_INT;
	case GITOPS_TMPL_FLOAT64:
		return K_FLOAT;
	case GITOPS_TMPL_COMPLEX128:
		return K_COMPLEX;
	case GITOPS_TMPL_STRING:
		return K_STRING;
	default:
		return K_INVALID;
	}
}

/* the fields of two structs of one type (scalars, as the function families make them) are equal */
static int struct_equal(const struct gitops_tmpl_value *a, const struct gitops_tmpl_value *b)
{
	size_t i;

	if (a->u.map.n != b->u.map.n)
		return 0;
	for (i = 0; i < a->u.map.n; i++) {
		const struct gitops_tmpl_value *x = a->u.map.e[i].val, *y = b->u.map.e[i].val;
		if (tmpl_keycmp(a->u.map.e[i].key, a->u.map.e[i].klen, b->u.map.e[i].key, b->u.map.e[i].klen) ||
		    gitops_tmpl_value_kind(x) != gitops_tmpl_value_kind(y))
			return 0;
		switch (gitops_tmpl_value_kind(x)) {
		case GITOPS_TMPL_STRING:
			if (x->u.str.len != y->u.str.len || memcmp(x->u.str.s, y->u.str.s, x->u.str.len))
				return 0;
			break;
		case GITOPS_TMPL_INT:
		case GITOPS_TMPL_INT64:
		case GITOPS_TMPL_UINT8:
		case GITOPS_TMPL_UINT64:
			if (x->u.i != y->u.i)
				return 0;
			break;
		case GITOPS_TMPL_BOOL:
			if (x->u.b != y->u.b)
				return 0;
			break;
		case GITOPS_TMPL_NIL:
			break;
		default:
			if (x != y)
				return 0;
		}
	}
	return 1;
}

static int fmt_s(struct gitops_buf *b, struct gitops_tmpl_value *v)
{
	return tmpl_fmt_printf(b, "%s", 2, &v, 1);
}

/* a value of a named integer type (time.Month) as its number: Go compares it by its kind */
static struct gitops_tmpl_value *unnamed(struct gitops_tmpl_value *v)
{
	const struct gitops_tmpl_value *n = tmpl_named_int(v);

	return n ? (struct gitops_tmpl_value *)n : v;
}

/* eq: 1, 0, or -1 with the message in err (no location) */
static int eq(struct gitops_err *err, struct gitops_tmpl_value *a1, struct gitops_tmpl_value *const *rest, size_t n)
{
	int k1 = basic_kind(a1 = unnamed(a1)), k2, truth;
	size_t i;

	if (n == 0)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "missing argument for comparison");
	for (i = 0; i < n; i++) {
		struct gitops_tmpl_value *a = unnamed(rest[i]);
		k2 = basic_kind(a);
		truth = 0;
		if (k1 != k2) {
			if (a1 && a)
				return gitops_err_set(err, GITOPS_EXIT_INPUT, "incompatible types for comparison");
		} else {
			switch (k1) {
			case K_BOOL:
				truth = a1->u.b == a->u.b;
				break;
			case K_INT:
				truth = a1->u.i == a->u.i;
				break;
			case K_FLOAT:
				truth = a1->u.f == a->u.f;
				break;
			case K_COMPLEX:
				truth = a1->u.c.re == a->u.c.re && a1->u.c.im == a->u.c.im;
				break;
			case K_STRING:
				truth = a1->u.str.len == a->u.str.len && !memcmp(a1->u.str.s, a->u.str.s, a->u.str.len);
				break;
			default:
				if (a1 && a && strcmp(gitops_tmpl_value_type_name(a1), gitops_tmpl_value_type_name(a))) {
					struct gitops_buf b1 = GITOPS_BUF_INIT, b2 = GITOPS_BUF_INIT;
					/* Go: "non-comparable types %s: %v, %s: %v" (arg1 %s, arg %v) */
					if (fmt_s(&b1, a1) < 0 || tmpl_fmt_printf(&b2, "%v", 2, &a, 1) < 0) {
						gitops_buf_release(&b1);
						gitops_buf_release(&b2);
						return gitops_err_oom(err);
					}
					gitops_err_set(err, GITOPS_EXIT_INPUT, "non-comparable types %s: %s, %s: %s", b1.data,
						       gitops_tmpl_value_type_name(a1), gitops_tmpl_value_type_name(a), b2.data);
					gitops_buf_release(&b1);
					gitops_buf_release(&b2);
					return -1;
				}
				if (!a1 || !a) {
					truth = !a1 == !a;
				} else if (a1->kind == GITOPS_TMPL_MAP && a1->u.map.is_struct && a->kind == GITOPS_TMPL_MAP &&
					   a->u.map.is_struct) {
					/* Go's == on a struct (field by field) or a pointer to one (the same one) */
					truth = gitops_tmpl_value_type_name(a1)[0] == '*' ? a1 == a : struct_equal(a1, a);
				} else {
					struct gitops_buf b = GITOPS_BUF_INIT;
					if (fmt_s(&b, a) < 0)
						return gitops_err_oom(err);
					gitops_err_set(err, GITOPS_EXIT_INPUT, "non-comparable type %s: %s", b.data,
						       gitops_tmpl_value_type_name(a));
					gitops_buf_release(&b);
					return -1;
				}
			}
		}
		if (truth)
			return 1;
	}
	return 0;
}

static int lt(struct gitops_err *err, struct gitops_tmpl_value *a1, struct gitops_tmpl_value *a2)
{
	int k1 = basic_kind(a1 = unnamed(a1)), k2 = basic_kind(a2 = unnamed(a2));

	if (k1 == K_INVALID || k2 == K_INVALID)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "invalid type for comparison");
	if (k1 != k2)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "incompatible types for comparison");
	switch (k1) {
	case K_FLOAT:
		return a1->u.f < a2->u.f;
	case K_INT:
		return a1->u.i < a2->u.i;
	case K_STRING:
		return tmpl_keycmp(a1->u.str.s, a1->u.str.len, a2->u.str.s, a2->u.str.len) < 0;
	default:
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "invalid type for comparison");
	}
}

static int index_arg(struct gitops_err *err, long *out, struct gitops_tmpl_value *index, size_t cap)
{
	int64_t x;

	index = unnamed(index);
	switch (gitops_tmpl_value_kind(index)) {
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8:
	case GITOPS_TMPL_UINT64:
		x = index->u.i;
		break;
	case GITOPS_TMPL_NIL:
		if (!index)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "cannot index slice/array with nil");
		/* fall through */
	default:
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "cannot index slice/array with type %s",
				      gitops_tmpl_value_type_name(index));
	}
	if (x < 0 || (uint64_t)x > cap)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "index out of range: %lld", (long long)x);
	*out = (long)x;
	return 0;
}

static int b_index(struct rv *out, struct gitops_err *err, struct rv *args, size_t n)
{
	struct rv item = rv_ref(args[0]);
	size_t i;

	*out = RV_NONE;
	if (!indirect_iface(item)) {
		rv_release(&item);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "index of untyped nil");
	}
	item.iface = 0;
	for (i = 1; i < n; i++) {
		struct gitops_tmpl_value *index = indirect_iface(args[i]);
		struct rv next = RV_NONE;
		long x;
		if (item.v->kind == GITOPS_TMPL_NIL) {
			rv_release(&item);
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "index of nil pointer");
		}
		switch (item.v->kind) {
		case GITOPS_TMPL_LIST:
		case GITOPS_TMPL_STRLIST:
		case GITOPS_TMPL_STRING:
			if (index_arg(err, &x, index, gitops_tmpl_value_len(item.v)) < 0)
				goto fail;
			if ((size_t)x >= gitops_tmpl_value_len(item.v)) {
				/* the index at the length passes Go's check and panics in reflect */
				gitops_err_set(err, GITOPS_EXIT_INPUT, "reflect: %s index out of range",
					       item.v->kind == GITOPS_TMPL_STRING ? "string" : "slice");
				goto fail;
			}
			if (item.v->kind == GITOPS_TMPL_STRING) {
				next.v = gitops_tmpl_value_int((unsigned char)item.v->u.str.s[x]);
				if (!next.v)
					goto oom;
				next.v->kind = GITOPS_TMPL_UINT8;
			} else {
				next.v = gitops_tmpl_value_ref(item.v->u.list.items[x]);
				next.iface = item.v->kind == GITOPS_TMPL_LIST;
			}
			break;
		case GITOPS_TMPL_MAP: {
			struct gitops_tmpl_value *val;
			if (item.v->u.map.is_struct) {
				/* a struct (or a pointer to one) is no map: Go's index refuses it */
				gitops_err_set(err, GITOPS_EXIT_INPUT, "can't index item of type %s",
					       gitops_tmpl_value_type_name(item.v));
				goto fail;
			}
			if (!index) {
				gitops_err_set(err, GITOPS_EXIT_INPUT, "value is nil; should be of type string");
				goto fail;
			}
			if (index->kind != GITOPS_TMPL_STRING) {
				gitops_err_set(err, GITOPS_EXIT_INPUT, "value has type %s; should be string",
					       gitops_tmpl_value_type_name(index));
				goto fail;
			}
			val = gitops_tmpl_map_get(item.v, index->u.str.s, index->u.str.len);
			next.v = val ? gitops_tmpl_value_ref(val) : gitops_tmpl_value_nil();
			if (!next.v)
				goto oom;
			next.iface = 1;
			break;
		}
		default:
			gitops_err_set(err, GITOPS_EXIT_INPUT, "can't index item of type %s",
				       gitops_tmpl_value_type_name(item.v));
			goto fail;
		}
		rv_release(&item);
		item = next;
	}
	*out = item;
	return 0;
oom:
	gitops_err_oom(err);
fail:
	rv_release(&item);
	return -1;
}

static int b_slice(struct rv *out, struct gitops_err *err, struct rv *args, size_t n)
{
	struct gitops_tmpl_value *item = indirect_iface(args[0]), *r;
	long idx[3] = { 0, 0, 0 };
	size_t cap, i;

	*out = RV_NONE;
	if (!item)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "slice of untyped nil");
	if (n - 1 > 3)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "too many slice indexes: %zu", n - 1);
	switch (item->kind) {
	case GITOPS_TMPL_STRING:
		if (n - 1 == 3)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "cannot 3-index slice a string");
		break;
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		break;
	default:
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "can't slice item of type %s",
				      gitops_tmpl_value_type_name(item));
	}
	cap = gitops_tmpl_value_len(item);
	idx[1] = (long)cap;
	for (i = 1; i < n; i++)
		if (index_arg(err, &idx[i - 1], indirect_iface(args[i]), cap) < 0)
			return -1;
	if (idx[0] > idx[1])
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "invalid slice index: %ld > %ld", idx[0], idx[1]);
	if (n - 1 == 3 && idx[1] > idx[2])
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "invalid slice index: %ld > %ld", idx[1], idx[2]);
	if (item->kind == GITOPS_TMPL_STRING) {
		r = gitops_tmpl_value_string(item->u.str.s + idx[0], (size_t)(idx[1] - idx[0]));
	} else {
		long k;
		r = gitops_tmpl_value_list(item->kind);
		for (k = idx[0]; r && k < idx[1]; k++)
			if (gitops_tmpl_list_push(r, gitops_tmpl_value_ref(item->u.list.items[k])) < 0) {
				gitops_tmpl_value_unref(r);
				r = NULL;
			}
	}
	if (!r)
		return gitops_err_oom(err);
	out->v = r;
	return 0;
}

static const char hexdig[] = "0123456789ABCDEF";

static int html_escape(struct gitops_buf *b, const char *s, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		switch (s[i]) {
		case '"': r = gitops_buf_addstr(b, "&#34;"); break;
		case '\'': r = gitops_buf_addstr(b, "&#39;"); break;
		case '&': r = gitops_buf_addstr(b, "&amp;"); break;
		case '<': r = gitops_buf_addstr(b, "&lt;"); break;
		case '>': r = gitops_buf_addstr(b, "&gt;"); break;
		case '\0': r = gitops_buf_addstr(b, "\xEF\xBF\xBD"); break;
		default: r = gitops_buf_add(b, s + i, 1);
		}
	}
	return r;
}

static int js_escape(struct gitops_buf *b, const char *s, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[8];
		switch (c) {
		case '\\': r = gitops_buf_addstr(b, "\\\\"); break;
		case '\'': r = gitops_buf_addstr(b, "\\'"); break;
		case '"': r = gitops_buf_addstr(b, "\\\""); break;
		case '<': r = gitops_buf_addstr(b, "\\u003C"); break;
		case '>': r = gitops_buf_addstr(b, "\\u003E"); break;
		case '&': r = gitops_buf_addstr(b, "\\u0026"); break;
		case '=': r = gitops_buf_addstr(b, "\\u003D"); break;
		default:
			if (c < ' ') {
				tmp[0] = '\\', tmp[1] = 'u', tmp[2] = '0', tmp[3] = '0';
				tmp[4] = hexdig[c >> 4], tmp[5] = hexdig[c & 15];
				r = gitops_buf_add(b, tmp, 6);
			} else if (c >= 0x80) {
				/* a rune: kept when printable (Go's unicode.IsPrint), else \uXXXX */
				size_t len = 1;
				unsigned rr;
				if (c >= 0xC2 && c <= 0xDF && i + 1 < n)
					len = 2;
				else if (c >= 0xE0 && c <= 0xEF && i + 2 < n)
					len = 3;
				else if (c >= 0xF0 && c <= 0xF4 && i + 3 < n)
					len = 4;
				if (len == 1) {
					r = gitops_buf_addstr(b, "\\uFFFD");
					break;
				}
				rr = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
				{
					size_t k;
					int bad = 0;
					for (k = 1; k < len; k++) {
						if (((unsigned char)s[i + k] & 0xC0) != 0x80)
							bad = 1;
						rr = (rr << 6) | ((unsigned char)s[i + k] & 0x3F);
					}
					if (bad) {
						r = gitops_buf_addstr(b, "\\uFFFD");
						break;
					}
				}
				if ((rr >= 0x80 && rr < 0xA0) || rr == 0xAD || (rr >= 0x2028 && rr <= 0x2029) || rr == 0xFEFF)
					r = gitops_buf_printf(b, "\\u%04X", rr);
				else
					r = gitops_buf_add(b, s + i, len);
				i += len - 1;
			} else {
				r = gitops_buf_add(b, s + i, 1);
			}
		}
	}
	return r;
}

static int url_query(struct gitops_buf *b, const char *s, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			r = gitops_buf_add(b, s + i, 1);
		} else if (c == ' ') {
			r = gitops_buf_add(b, "+", 1);
		} else {
			char tmp[3] = { '%', hexdig[c >> 4], hexdig[c & 15] };
			r = gitops_buf_add(b, tmp, 3);
		}
	}
	return r;
}

/* a string result, within the string limit */
static int string_result(struct rv *out, struct state *s, struct gitops_buf *b)
{
	if (check_string(s, b->len) < 0) {
		gitops_buf_release(b);
		return -1;
	}
	out->v = gitops_tmpl_value_string(b->data ? b->data : "", b->len);
	out->iface = 0;
	gitops_buf_release(b);
	return out->v ? 0 : oom(s);
}

/* builtins other than and/or: -1 with the bare message in s->err (the caller adds "error calling") */
static int call_builtin(struct rv *out, struct state *s, int b, struct rv *args, size_t n, const char *callee)
{
	struct gitops_buf buf = GITOPS_BUF_INIT;
	struct gitops_tmpl_value **vals = NULL, *vals_small[8];
	size_t i;
	int r = -1;

	*out = RV_NONE;
	switch (b) {
	case B_INDEX:
		return b_index(out, s->err, args, n);
	case B_SLICE:
		return b_slice(out, s->err, args, n);
	case B_LEN: {
		struct gitops_tmpl_value *v = args[0].v;
		if (!v)
			return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "reflect: call of reflect.Value.Type on zero Value");
		if (v->kind == GITOPS_TMPL_NIL)
			return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "len of nil pointer");
		if (v->kind != GITOPS_TMPL_STRING && v->kind != GITOPS_TMPL_LIST && v->kind != GITOPS_TMPL_STRLIST &&
		    v->kind != GITOPS_TMPL_MAP)
			return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "len of type %s", gitops_tmpl_value_type_name(v));
		if (v->kind == GITOPS_TMPL_MAP && v->u.map.is_struct) {
			/* a struct has no length; Go names the type a pointer points to */
			const char *t = gitops_tmpl_value_type_name(v);
			return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "len of type %s", t + (t[0] == '*'));
		}
		out->v = run_int(s->run, (int64_t)gitops_tmpl_value_len(v));
		return out->v ? 0 : gitops_err_oom(s->err);
	}
	case B_NOT:
		out->v = run_bool(s->run, !gitops_tmpl_value_truth(indirect_iface(args[0])));
		return out->v ? 0 : gitops_err_oom(s->err);
	case B_CALL: {
		struct gitops_tmpl_value *fn = indirect_iface(args[0]);
		if (!fn)
			return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "call of nil");
		return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "non-function %s of type %s", callee,
				      gitops_tmpl_value_type_name(fn));
	}
	case B_EQ:
	case B_NE:
	case B_LT:
	case B_LE:
	case B_GT:
	case B_GE: {
		struct gitops_tmpl_value *a1 = indirect_iface(args[0]);
		int t;
		vals = n <= 8 ? vals_small : calloc(n, sizeof(*vals));
		if (!vals)
			return gitops_err_oom(s->err);
		for (i = 1; i < n; i++)
			vals[i] = indirect_iface(args[i]);
		switch (b) {
		case B_EQ:
			t = eq(s->err, a1, vals + 1, n - 1);
			break;
		case B_NE:
			t = eq(s->err, a1, vals + 1, 1);
			if (t >= 0)
				t = !t;
			break;
		case B_LT:
			t = lt(s->err, a1, vals[1]);
			break;
		case B_GE:
			t = lt(s->err, a1, vals[1]);
			if (t >= 0)
				t = !t;
			break;
		case B_LE:
		case B_GT:
		default:
			t = lt(s->err, a1, vals[1]);
			if (t == 0)
				t = eq(s->err, a1, vals + 1, 1);
			if (t >= 0 && b == B_GT)
				t = !t;
			break;
		}
		if (vals != vals_small)
			free(vals);
		if (t < 0)
			return -1;
		out->v = run_bool(s->run, t);
		return out->v ? 0 : gitops_err_oom(s->err);
	}
	default:
		break;
	}
	/* the printers: their arguments are interface {} (nil for nothing) */
	vals = n <= 8 ? vals_small : calloc(n, sizeof(*vals));
	if (!vals)
		return gitops_err_oom(s->err);
	for (i = 0; i < n; i++)
		vals[i] = args[i].v;
	switch (b) {
	case B_PRINT:
		r = gitops_tmpl_sprint(&buf, vals, n);
		break;
	case B_PRINTLN:
		r = gitops_tmpl_sprintln(&buf, vals, n);
		break;
	case B_PRINTF:
		r = tmpl_fmt_printf(&buf, vals[0]->u.str.s, vals[0]->u.str.len, vals + 1, n - 1);
		break;
	case B_HTML:
	case B_JS:
	case B_URLQUERY: {
		struct gitops_buf text = GITOPS_BUF_INIT;
		const char *str;
		size_t len;
		if (n == 1 && vals[0]->kind == GITOPS_TMPL_STRING) {
			str = vals[0]->u.str.s;
			len = vals[0]->u.str.len;
			r = 0;
		} else {
			/* evalArgs: a nil argument prints as printableValue has it, "<no value>" */
			struct gitops_tmpl_value novalue = { .kind = GITOPS_TMPL_STRING, .refs = 1 };
			novalue.u.str.s = (char *)"<no value>";
			novalue.u.str.len = 10;
			for (i = 0; i < n; i++)
				if (vals[i]->kind == GITOPS_TMPL_NIL)
					vals[i] = &novalue;
			r = gitops_tmpl_sprint(&text, vals, n);
			str = text.data ? text.data : "";
			len = text.len;
		}
		if (r == 0)
			r = b == B_HTML ? html_escape(&buf, str, len)
			    : b == B_JS ? js_escape(&buf, str, len)
					: url_query(&buf, str, len);
		gitops_buf_release(&text);
		break;
	}
	}
	if (vals != vals_small)
		free(vals);
	if (r < 0) {
		gitops_buf_release(&buf);
		/* the bare message: the caller adds "error calling NAME" */
		if (r == GITOPS_TMPL_TOO_DEEP)
			return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "%s", TOO_DEEP_MSG);
		return gitops_err_oom(s->err);
	}
	return string_result(out, s, &buf) < 0 ? -2 : 0;
}

/* evalCall; recv: a method's receiver (the function's first argument), or NULL */
static int eval_call(struct rv *out, struct state *s, struct rv dot, long func, const struct tmpl_node *node,
		     const char *name, const struct tmpl_node *const *args, size_t nargs, struct rv *final,
		     int has_final, struct rv *recv)
{
	const struct gitops_tmpl_func *sig = func >= 0 ? &s->set->funcs[func] : &builtin_sigs[-1 - func];
	int builtin = func < 0 ? (int)(-1 - func) : -1;
	size_t num_in = nargs + (has_final ? 1 : 0), num_fixed = nargs, i;
	const struct tmpl_node *last;
	struct rv *argv = NULL, argv_small[8];
	int error = -1, r;

	*out = RV_NONE;
	if (sig->variadic) {
		num_fixed = sig->nparams;
		if (num_in < num_fixed)
			return errorf(s, "wrong number of args for %s: want at least %zu got %zu", name, sig->nparams, nargs);
	} else if (num_in != sig->nparams) {
		return errorf(s, "wrong number of args for %s: want %zu got %zu", name, sig->nparams, num_in);
	}
	if (builtin == B_AND || builtin == B_OR) {
		struct rv v = RV_NONE;
		for (i = 0; i < nargs; i++) {
			rv_release(&v);
			if (eval_arg(&v, s, dot, P_VALUE, args[i]) < 0)
				return -1;
			if (gitops_tmpl_value_truth(indirect_iface(v)) == (builtin == B_OR)) {
				*out = v;
				return 0;
			}
		}
		if (has_final) {
			rv_release(&v);
			v = rv_ref(*final);
		}
		*out = v;
		return 0;
	}
	/* most calls take a few arguments: no allocation for them */
	if (num_in <= sizeof(argv_small) / sizeof(argv_small[0])) {
		argv = argv_small;
		memset(argv, 0, num_in * sizeof(*argv));
	} else if (!(argv = calloc(num_in, sizeof(*argv)))) {
		return oom(s);
	}
	for (i = 0; i < num_fixed && i < nargs; i++)
		if (eval_arg(&argv[i], s, dot, sig->params[i], args[i]) < 0)
			goto done;
	if (sig->variadic) {
		int vt = sig->params[sig->nparams];
		for (; i < nargs; i++)
			if (eval_arg(&argv[i], s, dot, vt, args[i]) < 0)
				goto done;
	}
	if (has_final) {
		int t = sig->nparams ? sig->params[sig->nparams - 1] : GITOPS_TMPL_P_ANY;
		if (sig->variadic)
			t = num_in - 1 < num_fixed ? sig->params[num_in - 1] : sig->params[sig->nparams];
		if (validate_type(&argv[i], s, rv_ref(*final), t) < 0)
			goto done;
	}
	/* a limit error names the call; Go leaves the last argument evaluated as the place otherwise */
	last = s->node;
	s->node = node;
	if (builtin >= 0) {
		struct gitops_buf callee = GITOPS_BUF_INIT;
		if (builtin == B_CALL && nargs > 0 && tmpl_node_string(&callee, args[0]) < 0) {
			oom(s);
			goto done;
		}
		r = call_builtin(out, s, builtin, argv, num_in, callee.data ? callee.data : "");
		gitops_buf_release(&callee);
		if (r == -2)
			goto done;
		if (r < 0) {
			if (s->err->code != GITOPS_EXIT_INTERNAL) {
				s->node = node;
				call_error(s, name);
			}
			goto done;
		}
	} else {
		struct gitops_tmpl_value *vals_small[9], **vals = vals_small;
		struct gitops_tmpl_value *res = NULL;
		struct gitops_tmpl_call call = { s };
		size_t k = 0;
		if (num_in + 1 > sizeof(vals_small) / sizeof(vals_small[0]) && !(vals = calloc(num_in + 1, sizeof(*vals)))) {
			oom(s);
			goto done;
		}
		if (recv)
			vals[k++] = recv->v;
		for (i = 0; i < num_in; i++)
			vals[k++] = argv[i].v;
		s->err->msg[0] = '\0';
		r = sig->fn(&res, &call, vals, k, s->err);
		if (vals != vals_small)
			free(vals);
		if (r < 0) {
			gitops_tmpl_value_unref(res);
			if (s->err->code != GITOPS_EXIT_INTERNAL) {
				s->node = node;
				call_error(s, name);
			}
			goto done;
		}
		if (!res) {
			res = gitops_tmpl_value_nil();
			if (!res) {
				oom(s);
				goto done;
			}
		}
		if (res->kind == GITOPS_TMPL_STRING && check_string(s, res->u.str.len) < 0) {
			gitops_tmpl_value_unref(res);
			goto done;
		}
		out->v = res;
		out->iface = res->kind == GITOPS_TMPL_NIL;
	}
	s->node = last;
	error = 0;
done:
	for (i = 0; i < num_in; i++)
		rv_release(&argv[i]);
	if (argv != argv_small)
		free(argv);
	return error;
}

static int eval_function(struct rv *out, struct state *s, struct rv dot, const struct tmpl_node *ident,
			 const struct tmpl_node *cmd, const struct tmpl_node *const *args, size_t nargs, struct rv *final,
			 int has_final)
{
	(void)cmd;
	s->node = ident;
	if (ident->func == INT_MIN)
		return errorf(s, "\"%s\" is not a defined function", ident->text);
	return eval_call(out, s, dot, ident->func, cmd, ident->text, args, nargs, final, has_final, NULL);
}

static int eval_command(struct rv *out, struct state *s, struct rv dot, const struct tmpl_node *cmd, struct rv *final,
			int has_final)
{
	const struct tmpl_node *first = cmd->kids[0];

	*out = RV_NONE;
	switch (first->type) {
	case N_FIELD:
		s->node = first;
		return eval_field_chain(out, s, dot, rv_ref(dot), first, first->ident, first->nident, cmd, final,
					has_final);
	case N_CHAIN:
		return eval_chain_node(out, s, dot, first, cmd, final, has_final);
	case N_IDENT:
		return eval_function(out, s, dot, first, cmd, (const struct tmpl_node *const *)cmd->kids + 1,
				     cmd->nkids - 1, final, has_final);
	case N_PIPE:
		if (not_a_function(s, cmd, has_final) < 0)
			return -1;
		return eval_pipeline(out, s, dot, first);
	case N_VARIABLE:
		return eval_variable_node(out, s, dot, first, cmd, final, has_final);
	default:
		break;
	}
	s->node = first;
	if (not_a_function(s, cmd, has_final) < 0)
		return -1;
	switch (first->type) {
	case N_BOOL:
		return simple_constant(out, s, first);
	case N_DOT:
		*out = rv_ref(dot);
		return 0;
	case N_NIL:
		return errorf(s, "nil is not a command");
	case N_NUMBER:
		return ideal_constant(out, s, first);
	case N_STRING:
		return simple_constant(out, s, first);
	default:
		return errorf(s, "can't evaluate command");
	}
	return out->v ? 0 : oom(s);
}

static int eval_pipeline(struct rv *out, struct state *s, struct rv dot, const struct tmpl_node *pipe)
{
	struct rv value = RV_NONE, next;
	size_t i;
	int has_final = 0;

	*out = RV_NONE;
	if (!pipe)
		return 0;
	if (check_stack(s) < 0)
		return -1;
	s->node = pipe;
	for (i = 0; i < pipe->nkids; i++) {
		if (eval_command(&next, s, dot, pipe->kids[i], &value, has_final) < 0) {
			rv_release(&value);
			return -1;
		}
		rv_release(&value);
		value = next;
		has_final = 1;
		/* an interface {} is dug into: a nil one is no value */
		if (value.v && value.v->kind == GITOPS_TMPL_NIL)
			rv_release(&value);
		value.iface = 0;
	}
	for (i = 0; i < pipe->ndecl; i++) {
		struct rv copy = rv_ref(value);
		int r = pipe->is_assign ? set_var(s, pipe->decl[i]->ident[0], copy)
					: push_var(s, pipe->decl[i]->ident[0], copy);
		if (r < 0) {
			rv_release(&value);
			return -1;
		}
	}
	*out = value;
	return 0;
}

static int print_value(struct state *s, const struct tmpl_node *n, struct rv v)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	int r;

	s->node = n;
	if (!v.v)
		return write_out(s, "<no value>", 10);
	if (v.v->kind == GITOPS_TMPL_STRING)
		return write_out(s, v.v->u.str.s, v.v->u.str.len);
	if ((r = gitops_tmpl_sprint(&b, &v.v, 1)) < 0) {
		gitops_buf_release(&b);
		return print_failed(s, r);
	}
	r = write_out(s, b.data, b.len);
	gitops_buf_release(&b);
	return r;
}

static int walk_if_or_with(struct state *s, enum tmpl_ntype type, struct rv dot, const struct tmpl_node *node)
{
	size_t mark = s->nvars;
	struct rv val;
	int r;

	if (eval_pipeline(&val, s, dot, node->pipe) < 0)
		return -1;
	if (gitops_tmpl_value_truth(indirect_iface(val))) {
		r = walk(s, type == N_WITH ? val : dot, node->list);
	} else if (node->else_list) {
		r = walk(s, dot, node->else_list);
	} else {
		r = 0;
	}
	rv_release(&val);
	pop_vars(s, mark);
	return r;
}

static int one_iteration(struct state *s, const struct tmpl_node *r, struct rv index, struct rv elem, size_t mark)
{
	const struct tmpl_node *pipe = r->pipe;
	int res = 0;

	if (++s->run->ranges > s->run->opts.max_range) {
		rv_release(&index);
		rv_release(&elem);
		return errorf(s, "range iterations exceed the limit of %zu", s->run->opts.max_range);
	}
	if (pipe->ndecl > 0) {
		if (pipe->is_assign) {
			if (pipe->ndecl > 1)
				res = set_var(s, pipe->decl[0]->ident[0], rv_ref(index));
			else
				res = set_var(s, pipe->decl[0]->ident[0], rv_ref(elem));
		} else {
			set_top_var(s, 1, rv_ref(elem));
		}
	}
	if (res == 0 && pipe->ndecl > 1) {
		if (pipe->is_assign)
			res = set_var(s, pipe->decl[1]->ident[0], rv_ref(elem));
		else
			set_top_var(s, 2, rv_ref(index));
	}
	if (res == 0) {
		res = walk(s, elem, r->list);
		if (res == WALK_CONTINUE)
			res = 0;
	}
	pop_vars(s, mark);
	rv_release(&index);
	rv_release(&elem);
	return res;
}

static int walk_range(struct state *s, struct rv dot, const struct tmpl_node *r)
{
	size_t mark = s->nvars, inner, i, n;
	struct rv val;
	int res = 0;

	s->node = r;
	if (eval_pipeline(&val, s, dot, r->pipe) < 0)
		return -1;
	inner = s->nvars;
	if (val.v && val.v->kind == GITOPS_TMPL_NIL)
		rv_release(&val);
	if (!val.v)
		goto empty;
	/* a struct is not ranged over: the default case's error */
	switch (val.v->kind == GITOPS_TMPL_MAP && val.v->u.map.is_struct ? (int)GITOPS_TMPL_NIL : (int)val.v->kind) {
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		n = val.v->u.list.n;
		if (!n)
			break;
		for (i = 0; i < n && i < val.v->u.list.n; i++) {
			struct rv index = { run_int(s->run, (int64_t)i), 0 };
			struct rv elem = { gitops_tmpl_value_ref(val.v->u.list.items[i]), val.v->kind == GITOPS_TMPL_LIST };
			if (!index.v) {
				rv_release(&elem);
				res = oom(s);
				goto done;
			}
			res = one_iteration(s, r, index, elem, inner);
			if (res == WALK_BREAK) {
				res = 0;
				goto done;
			}
			if (res)
				goto done;
		}
		goto done;
	case GITOPS_TMPL_MAP: {
		struct gitops_tmpl_value *map = val.v;
		n = map->u.map.n;
		if (!n)
			break;
		for (i = 0; i < map->u.map.n; i++) {
			struct rv key = { gitops_tmpl_value_string(map->u.map.e[i].key, map->u.map.e[i].klen), 0 };
			struct rv elem = { gitops_tmpl_value_ref(map->u.map.e[i].val), 1 };
			if (!key.v) {
				rv_release(&elem);
				res = oom(s);
				goto done;
			}
			res = one_iteration(s, r, key, elem, inner);
			if (res == WALK_BREAK) {
				res = 0;
				goto done;
			}
			if (res)
				goto done;
		}
		goto done;
	}
	default: {
		struct gitops_buf b = GITOPS_BUF_INIT;
		int pr;

		if ((pr = gitops_tmpl_sprint(&b, &val.v, 1)) < 0) {
			res = print_failed(s, pr);
		} else {
			res = errorf(s, "range can't iterate over %s", b.data);
		}
		gitops_buf_release(&b);
		goto done;
	}
	}
empty:
	if (r->else_list)
		res = walk(s, dot, r->else_list);
done:
	rv_release(&val);
	pop_vars(s, mark);
	return res;
}

static int exec_tree(struct state *parent, struct gitops_buf *out, struct tmpl_tree *tree, struct rv dot, int nested);

static int walk_template(struct state *s, struct rv dot, const struct tmpl_node *t)
{
	struct tmpl_tree *tree;
	struct rv newdot;
	int r;

	s->node = t;
	tree = tmpl_set_lookup(s->set, t->text, s->err);
	if (tree == TMPL_TREE_FAILED)
		return -1;
	if (!tree)
		return errorf(s, "template \"%s\" not defined", t->text);
	if (s->tdepth == MAX_EXEC_DEPTH)
		return errorf(s, "exceeded maximum template depth (%d)", MAX_EXEC_DEPTH);
	if (eval_pipeline(&newdot, s, dot, t->pipe) < 0)
		return -1;
	tree->refs++;
	r = exec_tree(s, s->wr, tree, newdot, 1);
	tmpl_tree_unref(tree);
	rv_release(&newdot);
	return r;
}

static int walk(struct state *s, struct rv dot, const struct tmpl_node *node)
{
	size_t i;
	int r;

	s->node = node;
	if (check_stack(s) < 0)
		return -1;
	switch (node->type) {
	case N_ACTION: {
		struct rv val;
		if (eval_pipeline(&val, s, dot, node->pipe) < 0)
			return -1;
		r = 0;
		if (!node->pipe->ndecl)
			r = print_value(s, node, val);
		rv_release(&val);
		return r;
	}
	case N_BREAK:
		return WALK_BREAK;
	case N_CONTINUE:
		return WALK_CONTINUE;
	case N_COMMENT:
		return 0;
	case N_IF:
	case N_WITH:
		return walk_if_or_with(s, node->type, dot, node);
	case N_LIST:
		for (i = 0; i < node->nkids; i++)
			if ((r = walk(s, dot, node->kids[i])) != 0)
				return r;
		return 0;
	case N_RANGE:
		return walk_range(s, dot, node);
	case N_TEMPLATE:
		return walk_template(s, dot, node);
	case N_TEXT:
		return write_out(s, node->text, node->tlen);
	default:
		return errorf(s, "unknown node");
	}
}

/*
 * A new state for tree: no variables but $.  A {{template}} (nested) goes
 * one deeper in its execution; an include or a tpl is a new execution
 * (Go's ExecuteTemplate: depth 0), one deeper in the run.
 */
static int exec_tree(struct state *parent, struct gitops_buf *out, struct tmpl_tree *tree, struct rv dot, int nested)
{
	struct state s = { 0 };
	int r;

	s.set = parent->set;
	s.tmpl = tree;
	s.wr = out;
	s.run = parent->run;
	s.err = parent->err;
	s.tdepth = nested ? parent->tdepth + 1 : 0;
	if (!nested)
		s.run->depth++;
	if (push_var(&s, "$", rv_ref(dot)) < 0) {
		if (!nested)
			s.run->depth--;
		return -1;
	}
	r = walk(&s, dot, tree->root);
	if (!nested)
		s.run->depth--;
	pop_vars(&s, 0);
	free(s.vars);
	return r < 0 ? -1 : 0;
}

/* --- the set --- */

static long def_find(const struct gitops_tmpl_set *set, const char *name)
{
	size_t h;

	if (!set->dindex)
		return -1;
	h = index_slot(set->dindex, set->dindex_cap, name, strlen(name), def_name, set->defs);
	return set->dindex[h] ? (long)set->dindex[h] - 1 : -1;
}

/* room in the index for n definitions (at most half full) */
static int def_index_reserve(struct gitops_tmpl_set *set, size_t n)
{
	size_t cap = set->dindex_cap ? set->dindex_cap : 16, i;
	uint32_t *idx;

	if (n >= UINT32_MAX / 4)
		return -1;
	if (set->dindex && 2 * n <= set->dindex_cap)
		return 0;
	while (cap < 2 * n)
		cap *= 2;
	idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return -1;
	for (i = 0; i < set->ndefs; i++) {
		const char *nm = set->defs[i].name;
		idx[index_slot(idx, cap, nm, strlen(nm), def_name, set->defs)] = (uint32_t)i + 1;
	}
	free(set->dindex);
	set->dindex = idx;
	set->dindex_cap = cap;
	return 0;
}

/*
 * (No out-parameter: {{template}} recursion goes 100,000 deep in Go, and a
 * local whose address is taken makes every level's frame larger under the
 * sanitizers.)
 */
struct tmpl_tree *tmpl_set_lookup(struct gitops_tmpl_set *set, const char *name, struct gitops_err *err)
{
	long i = def_find(set, name);
	struct tmpl_def *d;
	struct tmpl_tree **trees = NULL;
	size_t n = 0, k;

	if (i < 0)
		return NULL;
	d = &set->defs[i];
	if (d->tree || !d->lazy)
		return d->tree;
	/* a deferred template, needed now: parsed (its text holds no definition, so one tree) */
	if (tmpl_parse(&trees, &n, set, d->lazy->name, d->lazy->text, d->lazy->len, err) < 0)
		return TMPL_TREE_FAILED;
	d->tree = n ? trees[0] : NULL;
	for (k = 1; k < n; k++)
		tmpl_tree_unref(trees[k]);
	free(trees);
	return d->tree;
}

int gitops_tmpl_set_new_take(struct gitops_tmpl_set **out, struct gitops_tmpl_func *funcs, size_t n,
			     const struct gitops_tmpl_options *opts, void *ctx, struct gitops_err *err)
{
	struct gitops_tmpl_set *set = calloc(1, sizeof(*set));
	struct gitops_tmpl_options defaults = GITOPS_TMPL_OPTIONS_INIT;

	*out = NULL;
	if (!set) {
		free(funcs);
		return gitops_err_oom(err);
	}
	set->opts = opts ? *opts : defaults;
	set->ctx = ctx;
	if (n) {
		set->funcs = funcs;
		set->nfuncs = n;
		if (func_index_build(set) < 0 || method_index_build(set) < 0) {
			free(set->findex);
			free(set->funcs);
			free(set);
			return gitops_err_oom(err);
		}
	} else {
		free(funcs);
	}
	*out = set;
	return 0;
}

int gitops_tmpl_set_new(struct gitops_tmpl_set **out, const struct gitops_tmpl_func *funcs, size_t n,
			const struct gitops_tmpl_options *opts, void *ctx, struct gitops_err *err)
{
	struct gitops_tmpl_func *copy = NULL;

	*out = NULL;
	if (n) {
		if (!(copy = malloc(n * sizeof(*funcs))))
			return gitops_err_oom(err);
		memcpy(copy, funcs, n * sizeof(*funcs));
	}
	return gitops_tmpl_set_new_take(out, copy, n, opts, ctx, err);
}

void gitops_tmpl_set_free(struct gitops_tmpl_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->ndefs; i++)
		if (set->defs[i].tree)
			tmpl_tree_unref(set->defs[i].tree);
	free(set->defs);
	free(set->dindex);
	if (!set->borrowed_funcs) {
		free(set->funcs);
		free(set->findex);
		free(set->mindex);
	}
	for (i = 0; i < set->nlazies; i++) {
		free(set->lazies[i]->name);
		free(set->lazies[i]);
	}
	free(set->lazies);
	for (i = 0; i < set->nregexes; i++) {
		free(set->regexes[i].pat);
		gitops_regex_free(set->regexes[i].re);
	}
	free(set->regexes);
	if (set->stack)
		munmap(set->stack, set->stack_size);
	free(set);
}

/* add or replace a definition (text/template's associate): takes a reference to t */
static int set_associate(struct gitops_tmpl_set *set, struct tmpl_tree *t, struct gitops_err *err)
{
	long i = def_find(set, t->name);

	if (i >= 0) {
		if (tmpl_tree_is_empty(t->root)) {
			tmpl_tree_unref(t);
			return 0;
		}
		if (set->defs[i].tree)
			tmpl_tree_unref(set->defs[i].tree);
		set->defs[i].tree = t;
		set->defs[i].name = t->name;
		set->defs[i].lazy = NULL; /* a deferred one, replaced: its text is not parsed any more */
		return 0;
	}
	if (set->ndefs == set->capdefs) {
		size_t cap = set->capdefs ? set->capdefs * 2 : 8;
		struct tmpl_def *d = realloc(set->defs, cap * sizeof(*d));
		if (!d) {
			tmpl_tree_unref(t);
			return gitops_err_oom(err);
		}
		set->defs = d;
		set->capdefs = cap;
	}
	if (def_index_reserve(set, set->ndefs + 1) < 0) {
		tmpl_tree_unref(t);
		return gitops_err_oom(err);
	}
	set->defs[set->ndefs].name = t->name;
	set->defs[set->ndefs].tree = t;
	set->defs[set->ndefs].lazy = NULL;
	set->dindex[index_slot(set->dindex, set->dindex_cap, t->name, strlen(t->name), def_name, set->defs)] =
		(uint32_t)set->ndefs + 1;
	set->ndefs++;
	return 0;
}

int gitops_tmpl_set_parse(struct gitops_tmpl_set *set, const char *name, const char *text, size_t len,
			  struct gitops_err *err)
{
	struct tmpl_tree **trees = NULL;
	size_t n = 0, i;
	int error = 0;

	if (len >= UINT32_MAX) /* a node keeps its offset in 32 bits */
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "template: %s: a text of 4 GB or more", name);
	if (tmpl_parse(&trees, &n, set, name, text, len, err) < 0)
		return -1;
	/* room first, so that the set is changed whole or not at all */
	if (set->ndefs + n > set->capdefs) {
		size_t cap = set->ndefs + n + 8;
		struct tmpl_def *d = realloc(set->defs, cap * sizeof(*d));
		if (!d) {
			for (i = 0; i < n; i++)
				tmpl_tree_unref(trees[i]);
			free(trees);
			return gitops_err_oom(err);
		}
		set->defs = d;
		set->capdefs = cap;
	}
	if (def_index_reserve(set, set->ndefs + n) < 0) {
		for (i = 0; i < n; i++)
			tmpl_tree_unref(trees[i]);
		free(trees);
		return gitops_err_oom(err);
	}
	for (i = 0; i < n; i++)
		if (error == 0)
			error = set_associate(set, trees[i], err);
		else
			tmpl_tree_unref(trees[i]);
	free(trees);
	return error;
}

/*
 * Might text hold a {{define}} or {{block}}?  Either keyword can only open an
 * action: "{{", a trim marker ("-" and a space) or not, spaces, the word.
 * Every "{{" so followed by "define" or "block" counts, wherever it stands
 * (in a string too): yes is only ever too careful.
 */
static int may_define(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *q;

	while ((q = memchr(p, '{', (size_t)(end - p))) != NULL) {
		p = q + 1;
		if (p == end || *p != '{')
			continue;
		q = p + 1;
		if (q + 1 < end && *q == '-' && (q[1] == ' ' || q[1] == '\t' || q[1] == '\r' || q[1] == '\n'))
			q++;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
			q++;
		if ((end - q >= 6 && !memcmp(q, "define", 6)) || (end - q >= 5 && !memcmp(q, "block", 5)))
			return 1;
	}
	return 0;
}

int gitops_tmpl_set_defer(struct gitops_tmpl_set *set, const char *name, const char *text, size_t len,
			  struct gitops_err *err)
{
	struct tmpl_lazy *z, **zs;
	struct tmpl_def *d;

	/* what could define a template, or be replaced or kept by the rules of a parse, is parsed now */
	if (!set->opts.borrow_texts || len >= UINT32_MAX || may_define(text, len) || def_find(set, name) >= 0)
		return gitops_tmpl_set_parse(set, name, text, len, err);
	if (set->nlazies == set->caplazies) {
		size_t cap = set->caplazies ? set->caplazies * 2 : 16;
		if (!(zs = realloc(set->lazies, cap * sizeof(*zs))))
			return gitops_err_oom(err);
		set->lazies = zs;
		set->caplazies = cap;
	}
	if (set->ndefs == set->capdefs) {
		size_t cap = set->capdefs ? set->capdefs * 2 : 8;
		if (!(d = realloc(set->defs, cap * sizeof(*d))))
			return gitops_err_oom(err);
		set->defs = d;
		set->capdefs = cap;
	}
	if (def_index_reserve(set, set->ndefs + 1) < 0 || !(z = calloc(1, sizeof(*z))))
		return gitops_err_oom(err);
	if (!(z->name = strdup(name))) {
		free(z);
		return gitops_err_oom(err);
	}
	z->text = text;
	z->len = len;
	set->lazies[set->nlazies++] = z;
	d = &set->defs[set->ndefs];
	d->name = z->name;
	d->tree = NULL;
	d->lazy = z;
	set->dindex[index_slot(set->dindex, set->dindex_cap, name, strlen(name), def_name, set->defs)] =
		(uint32_t)set->ndefs + 1;
	set->ndefs++;
	return 0;
}

void gitops_tmpl_set_unparse(struct gitops_tmpl_set *set, const char *name)
{
	long i = def_find(set, name);

	if (i >= 0 && set->defs[i].lazy && set->defs[i].tree) {
		tmpl_tree_unref(set->defs[i].tree);
		set->defs[i].tree = NULL;
	}
}

int gitops_tmpl_set_check(const struct gitops_tmpl_set *set, const char *name, const char *text, size_t len,
			  struct gitops_err *err)
{
	struct tmpl_tree **trees = NULL;
	size_t n = 0, i;

	if (len >= UINT32_MAX)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "template: %s: a text of 4 GB or more", name);
	if (tmpl_parse(&trees, &n, set, name, text, len, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		tmpl_tree_unref(trees[i]);
	free(trees);
	return 0;
}

int gitops_tmpl_set_has(const struct gitops_tmpl_set *set, const char *name)
{
	return def_find(set, name) >= 0;
}

static int exec_named(struct gitops_buf *out, struct gitops_tmpl_set *set, struct run *run, const char *name,
		      const char *caller, struct gitops_tmpl_value *dot, struct gitops_err *err)
{
	struct tmpl_tree *tree = tmpl_set_lookup(set, name, err);
	struct state parent = { 0 };
	struct rv d = { dot, 0 };
	int r;

	if (tree == TMPL_TREE_FAILED)
		return -1;
	if (!tree) {
		/* Go's %q of both names */
		struct gitops_buf qn = GITOPS_BUF_INIT, qc = GITOPS_BUF_INIT;

		if (tmpl_fmt_quote(&qn, name, strlen(name), 0) < 0 || tmpl_fmt_quote(&qc, caller, strlen(caller), 0) < 0)
			r = gitops_err_oom(err);
		else
			r = gitops_err_set(err, GITOPS_EXIT_INPUT, "template: no template %s associated with template %s",
					   qn.data, qc.data);
		gitops_buf_release(&qn);
		gitops_buf_release(&qc);
		return r;
	}
	if (run->depth >= run->opts.max_depth)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "template: %s: exceeded maximum template depth (%zu)", name,
				      run->opts.max_depth);
	if (!tree->root)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "template: %s: \"%s\" is an incomplete or empty template",
				      name, name);
	parent.set = set;
	parent.run = run;
	parent.err = err;
	if (!out->data && gitops_buf_add(out, "", 0) < 0)
		return gitops_err_oom(err);
	tree->refs++;
	r = exec_tree(&parent, out, tree, d, 0);
	tmpl_tree_unref(tree);
	return r;
}

/*
 * The executor recurses (a {{template}} goes some 500 bytes deeper, more
 * under sanitizers), and Go lets 100,000 of them nest: an execution runs on
 * a stack of the set's own, max_stack bytes (plus a margin for what the
 * functions called at the bottom use) mapped once with MAP_NORESERVE, so
 * only the pages a template reaches are ever touched, and given back after
 * an execution that went deep.  Switching to it is a swapcontext, not a
 * thread (under AddressSanitizer, which does not follow swapcontext, a
 * thread with a stack of that size).  A function that executes the same set again while it runs (on
 * that stack) executes on the stack it is on, within what is left of it.
 */
#define STACK_MARGIN (2u << 20)
#define STACK_KEEP (8u << 20) /* touched pages kept between executions */

#if defined(__SANITIZE_ADDRESS__)
#define TMPL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TMPL_ASAN 1
#endif
#endif
#ifdef TMPL_ASAN
#include <pthread.h>
#endif

struct exec_job {
	struct gitops_buf *out;
	struct gitops_tmpl_set *set;
	const char *name;
	struct gitops_tmpl_value *dot;
	struct gitops_err *err;
	int r;
	size_t max_stack;
	size_t used;            /* the deepest the execution went */
};

/* gitops_tmpl_set_run's function, on the set's stack */
struct run_job {
	int (*fn)(void *);
	void *arg;
	int r;
	ucontext_t caller, fiber;
};

static _Thread_local struct run_job *fiber_run;

static void run_fiber(void)
{
	fiber_run->r = fiber_run->fn(fiber_run->arg);
}

static void exec_job_run(struct exec_job *j)
{
	struct run run = { 0 };

	run.opts = j->set->opts;
	run.opts.max_stack = j->max_stack;
	run.stack_base = (uintptr_t)__builtin_frame_address(0);
	j->r = exec_named(j->out, j->set, &run, j->name, j->name, j->dot, j->err);
	j->used = run.stack_used;
	run_release(&run);
}

#ifdef TMPL_ASAN
/* AddressSanitizer and swapcontext do not mix well: under it, a thread with that stack */
static void *exec_thread(void *arg)
{
	exec_job_run(arg);
	return NULL;
}

static int exec_on_thread(struct exec_job *j, size_t size)
{
	pthread_attr_t attr;
	pthread_t th;
	int e;

	if ((e = pthread_attr_init(&attr)) != 0)
		return e;
	e = pthread_attr_setstacksize(&attr, size);
	if (e == 0)
		e = pthread_create(&th, &attr, exec_thread, j);
	pthread_attr_destroy(&attr);
	if (e == 0)
		pthread_join(th, NULL);
	return e;
}
#endif

/* the set's stack, mapped once: max_stack and a margin, MAP_NORESERVE (only what is reached is touched) */
static int stack_map(struct gitops_tmpl_set *set, size_t size, struct gitops_err *err)
{
	void *p;

	if (set->stack)
		return 0;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (p == MAP_FAILED)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "template: cannot map the executor's stack: %s",
				      strerror(errno));
	/* a guard page at the bottom: an overflow faults, never writes past it */
	mprotect(p, 4096, PROT_NONE);
	set->stack = p;
	set->stack_size = size;
	return 0;
}

/* a deep execution's pages given back, the top ones kept (not while the stack is in use) */
static void stack_trim(struct gitops_tmpl_set *set, size_t used)
{
	if (used > STACK_KEEP) {
		size_t drop = (set->stack_size - STACK_KEEP) & ~(size_t)4095;
		madvise((char *)set->stack + 4096, drop - 4096, MADV_DONTNEED);
	}
}

int gitops_tmpl_set_run(struct gitops_tmpl_set *set, int (*fn)(void *), void *arg, struct gitops_err *err)
{
	struct run_job j;
	int r;

#ifdef TMPL_ASAN
	/* each execution has a thread of its own there */
	return fn(arg);
#endif
	if (set->stack_busy)
		return fn(arg);
	if (stack_map(set, set->opts.max_stack + STACK_MARGIN, err) < 0)
		return -1;
	memset(&j, 0, sizeof(j));
	j.fn = fn;
	j.arg = arg;
	j.r = -1;
	if (getcontext(&j.fiber) < 0)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "template: getcontext: %s", strerror(errno));
	j.fiber.uc_stack.ss_sp = (char *)set->stack + 4096;
	j.fiber.uc_stack.ss_size = set->stack_size - 4096;
	j.fiber.uc_link = &j.caller;
	makecontext(&j.fiber, run_fiber, 0);
	set->stack_busy = 2;
	set->run_used = 0;
	fiber_run = &j;
	r = swapcontext(&j.caller, &j.fiber);
	set->stack_busy = 0;
	if (r < 0)
		return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "template: swapcontext: %s", strerror(errno));
	stack_trim(set, set->run_used);
	return j.r;
}

/* gitops_tmpl_exec from outside, switched onto the set's stack by gitops_tmpl_set_run */
static int exec_outside(void *arg)
{
	struct exec_job *j = arg;

	return gitops_tmpl_exec(j->out, j->set, j->name, j->dot, j->err);
}

int gitops_tmpl_exec(struct gitops_buf *out, struct gitops_tmpl_set *set, const char *name,
		     struct gitops_tmpl_value *dot, struct gitops_err *err)
{
	struct exec_job j;

	memset(&j, 0, sizeof(j));
	j.out = out;
	j.set = set;
	j.name = name;
	j.dot = dot;
	j.err = err;
	j.r = -1;
	j.max_stack = set->opts.max_stack;
	if (set->stack_busy == 2) {
		/* on the set's stack already (gitops_tmpl_set_run), no execution running: as from outside */
		set->stack_busy = 1;
		exec_job_run(&j);
		set->stack_busy = 2;
		if (j.used > set->run_used)
			set->run_used = j.used;
		return j.r;
	}
	if (set->stack_busy) {
		/* executed again from inside an execution of the set: on the stack it is on, within what is left */
		j.max_stack = set->opts.max_stack / 2;
		exec_job_run(&j);
		return j.r;
	}
#ifdef TMPL_ASAN
	{
		int e;
		set->stack_busy = 1;
		e = exec_on_thread(&j, set->opts.max_stack + STACK_MARGIN);
		set->stack_busy = 0;
		if (e != 0)
			return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "template: cannot start the executor: %s", strerror(e));
		return j.r;
	}
#endif
	/* onto the set's stack, where it runs as above */
	return gitops_tmpl_set_run(set, exec_outside, &j, err);
}

int tmpl_call_regex(struct gitops_regex **out, struct gitops_tmpl_call *call, const char *pat, size_t len,
		    struct gitops_err *err)
{
	struct gitops_tmpl_set *set = call->s->set;
	struct gitops_regex *re = NULL;
	struct tmpl_regex *e;
	size_t i;

	for (i = 0; i < set->nregexes; i++)
		if (set->regexes[i].len == len && !memcmp(set->regexes[i].pat, pat, len)) {
			*out = set->regexes[i].re;
			return 0;
		}
	if (gitops_regex_compile(&re, pat, len, err) < 0)
		return -1;
	if (set->nregexes == set->capregexes) {
		size_t cap = set->capregexes ? set->capregexes * 2 : 8;
		e = realloc(set->regexes, cap * sizeof(*e));
		if (!e)
			goto keep_none;
		set->regexes = e;
		set->capregexes = cap;
	}
	e = &set->regexes[set->nregexes];
	if (!(e->pat = malloc(len + 1)))
		goto keep_none;
	memcpy(e->pat, pat, len);
	e->pat[len] = '\0';
	e->len = len;
	e->re = re;
	set->nregexes++;
	*out = re;
	return 0;
keep_none:
	gitops_regex_free(re);
	return gitops_err_oom(err);
}

void *gitops_tmpl_call_ctx(const struct gitops_tmpl_call *call)
{
	return call->s->set->ctx;
}

const char *gitops_tmpl_call_template(const struct gitops_tmpl_call *call)
{
	return call->s->tmpl->name;
}

int gitops_tmpl_call_exec(struct gitops_buf *out, struct gitops_tmpl_call *call, const char *name,
			  struct gitops_tmpl_value *dot, struct gitops_err *err)
{
	struct state *s = call->s;

	if (check_stack(s) < 0) {
		/* the message names the caller's node; hand it to the function's err */
		if (err != s->err)
			*err = *s->err;
		return -1;
	}
	return exec_named(out, s->set, s->run, name, s->set->opts.set_name ? s->set->opts.set_name : s->tmpl->name,
			  dot, err);
}

int gitops_tmpl_call_parse_exec(struct gitops_buf *out, struct gitops_tmpl_call *call, const char *name,
				const char *text, size_t len, struct gitops_tmpl_value *dot, struct gitops_err *err)
{
	struct state *s = call->s;
	struct gitops_tmpl_set *copy = NULL;
	size_t i;
	int r = -1;

	if (gitops_tmpl_set_new(&copy, NULL, 0, &s->set->opts, s->set->ctx, err) < 0)
		return -1;
	copy->opts.borrow_texts = 0; /* tpl's text is a value of this execution */
	copy->funcs = s->set->funcs;
	copy->nfuncs = s->set->nfuncs;
	copy->findex = s->set->findex;
	copy->findex_cap = s->set->findex_cap;
	copy->mindex = s->set->mindex;
	copy->mindex_cap = s->set->mindex_cap;
	memcpy(copy->mfirst, s->set->mfirst, sizeof(copy->mfirst));
	copy->borrowed_funcs = 1;
	/* the definitions and their index as they are (a set holds no name twice) */
	if (s->set->ndefs) {
		copy->defs = malloc(s->set->ndefs * sizeof(*copy->defs));
		copy->dindex = malloc(s->set->dindex_cap * sizeof(*copy->dindex));
		if (!copy->defs || !copy->dindex) {
			gitops_err_oom(err);
			goto done;
		}
		memcpy(copy->defs, s->set->defs, s->set->ndefs * sizeof(*copy->defs));
		memcpy(copy->dindex, s->set->dindex, s->set->dindex_cap * sizeof(*copy->dindex));
		copy->ndefs = copy->capdefs = s->set->ndefs;
		copy->dindex_cap = s->set->dindex_cap;
		for (i = 0; i < copy->ndefs; i++)
			if (copy->defs[i].tree)
				copy->defs[i].tree->refs++;
	}
	if (gitops_tmpl_set_parse(copy, name, text, len, err) < 0) {
		r = -2;
		goto done;
	}
	r = exec_named(out, copy, s->run, name, s->set->opts.set_name ? s->set->opts.set_name : s->tmpl->name, dot, err);
done:
	gitops_tmpl_set_free(copy);
	return r;
}
