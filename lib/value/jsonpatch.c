#include "lib/value/jsonpatch.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/json.h"
#include "lib/value/value.h"

#define QUOTE_MAX 200 /* bytes of a quoted string in a message, before "..." */

/* --- messages --- */

const char *gitops_jsonpointer_quote(char *buf, size_t size, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, limit = size < QUOTE_MAX ? size : QUOTE_MAX;

	if (size < 16) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[5];
		size_t k = 0;

		if (c == '"' || c == '\\') {
			esc[k++] = '\\';
			esc[k++] = (char)c;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			esc[k++] = '\\';
			esc[k++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		} else if (c < 0x20 || c == 0x7f) {
			esc[k++] = '\\';
			esc[k++] = 'x';
			esc[k++] = hex[c >> 4];
			esc[k++] = hex[c & 15];
		} else {
			esc[k++] = (char)c;
		}
		/* room for this, the closing quote, "..." and the NUL */
		if (o + k + 5 > limit) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, esc, k);
		o += k;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* --- JSON Pointer --- */

void gitops_jsonpointer_release(struct gitops_jsonpointer *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		free(p->tokens[i]);
	free(p->tokens);
	free(p->text);
	p->text = NULL;
	p->tokens = NULL;
	p->n = 0;
}

int gitops_jsonpointer_parse(struct gitops_jsonpointer *out, const char *text, struct gitops_err *err)
{
	struct gitops_jsonpointer p = GITOPS_JSONPOINTER_INIT;
	const char *s;
	size_t n = 0;
	int error = -1;

	*out = p;
	if (*text && *text != '/')
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "must start with '/'");
	for (s = text; *s; s++)
		n += *s == '/';
	if (!(p.text = strdup(text)) || (n && !(p.tokens = calloc(n, sizeof(*p.tokens))))) {
		gitops_err_oom(err);
		goto done;
	}
	for (s = text; *s; p.n++) {
		const char *end = strchr(s + 1, '/');
		size_t len = end ? (size_t)(end - s - 1) : strlen(s + 1), i, o = 0;
		char *tok = malloc(len + 1);

		if (!tok) {
			gitops_err_oom(err);
			goto done;
		}
		p.tokens[p.n] = tok;
		for (i = 1; i <= len; i++) {
			if (s[i] != '~') {
				tok[o++] = s[i];
			} else if (i < len && (s[i + 1] == '0' || s[i + 1] == '1')) {
				tok[o++] = s[++i] == '0' ? '~' : '/';
			} else {
				p.n++;
				gitops_err_set(err, GITOPS_EXIT_INPUT, "'~' must be followed by '0' or '1'");
				goto done;
			}
		}
		tok[o] = '\0';
		s += len + 1;
	}
	*out = p;
	p.text = NULL;
	p.tokens = NULL;
	p.n = 0;
	error = 0;
done:
	gitops_jsonpointer_release(&p);
	return error;
}

int gitops_jsonpointer_index(size_t *out, const char *token)
{
	size_t v = 0;
	const char *s = token;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (SIZE_MAX - 9) / 10)
			v = SIZE_MAX; /* an index still, but beyond any sequence */
		else
			v = v * 10 + (size_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int gitops_jsonpointer_append(struct gitops_buf *b, const char *token)
{
	if (gitops_buf_add(b, "/", 1) < 0)
		return -1;
	for (; *token; token++) {
		const char *t = *token == '~' ? "~0" : *token == '/' ? "~1" : NULL;

		if (t ? gitops_buf_add(b, t, 2) < 0 : gitops_buf_add(b, token, 1) < 0)
			return -1;
	}
	return 0;
}

static size_t count_items(const cJSON *n)
{
	size_t c = 0;

	for (n = n ? n->child : NULL; n; n = n->next)
		c++;
	return c;
}

/*
 * The pointer's first k tokens as written: text up to the k-th '/' after
 * the first.  Quoted into buf.
 */
static const char *quote_prefix(char *buf, size_t size, const struct gitops_jsonpointer *p, size_t k)
{
	char *copy = strdup(p->text), *s;
	size_t seen = 0;

	if (!copy)
		return gitops_jsonpointer_quote(buf, size, "...");
	for (s = copy; *s; s++)
		if (*s == '/' && seen++ == k) {
			*s = '\0';
			break;
		}
	gitops_jsonpointer_quote(buf, size, copy);
	free(copy);
	return buf;
}

/* An item of a mapping by key (the first of that key), or NULL. */
static cJSON *member(const cJSON *map, const char *key)
{
	return gitops_value_get(map, key);
}

static cJSON *item_at(const cJSON *seq, size_t i)
{
	cJSON *c;

	for (c = seq->child; c && i; c = c->next, i--)
		;
	return c;
}

/* The sequence index the token names, with the message when none: -1 or 0. */
static int seq_index(size_t *out, const cJSON *seq, const char *token, int allow_end, struct gitops_err *err)
{
	char q[QUOTE_MAX + 8];
	size_t n = count_items(seq);

	if (!strcmp(token, "-")) {
		if (allow_end) {
			*out = n;
			return 0;
		}
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "index \"-\" is past the end of the sequence");
	}
	if (gitops_jsonpointer_index(out, token) < 0)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s is not a sequence index",
				      gitops_jsonpointer_quote(q, sizeof(q), token));
	if (*out > n || (*out == n && !allow_end))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "index %s out of range: the sequence has %zu element%s",
				      token, n, n == 1 ? "" : "s");
	return 0;
}

static int not_container(const cJSON *node, const struct gitops_jsonpointer *p, size_t k, struct gitops_err *err)
{
	char q[QUOTE_MAX + 8];

	if (!k)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "the document is %s, not a mapping or sequence",
				      gitops_json_type_name(node));
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "%s is %s, not a mapping or sequence",
			      quote_prefix(q, sizeof(q), p, k), gitops_json_type_name(node));
}

/* One step down: the child of cur that token i of p names. */
static int step(cJSON **next, const cJSON *cur, const struct gitops_jsonpointer *p, size_t i,
		struct gitops_err *err)
{
	char q[QUOTE_MAX + 8];
	size_t idx;

	if (cJSON_IsObject(cur)) {
		if (!(*next = member(cur, p->tokens[i])))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "no member %s",
					      gitops_jsonpointer_quote(q, sizeof(q), p->tokens[i]));
		return 0;
	}
	if (cJSON_IsArray(cur)) {
		if (seq_index(&idx, cur, p->tokens[i], 0, err) < 0)
			return -1;
		*next = item_at(cur, idx);
		return 0;
	}
	return not_container(cur, p, i, err);
}

/* The node the first k tokens of p name. */
static int resolve_n(cJSON **out, const cJSON *doc, const struct gitops_jsonpointer *p, size_t k,
		     struct gitops_err *err)
{
	cJSON *cur = (cJSON *)doc;
	size_t i;

	for (i = 0; i < k; i++)
		if (step(&cur, cur, p, i, err) < 0)
			return -1;
	*out = cur;
	return 0;
}

int gitops_jsonpointer_resolve(cJSON **out, const cJSON *doc, const struct gitops_jsonpointer *p,
			       struct gitops_err *err)
{
	if (!doc)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "no document");
	return resolve_n(out, doc, p, p->n, err);
}

/* --- JSON Patch --- */

struct patch_state {
	cJSON *doc;              /* the working copy */
	size_t nodes;            /* how many it holds */
	const struct gitops_jsonpatch_options *opts;
};

/* Nodes in a tree and its depth (a scalar: 1). */
static size_t tree_size(const cJSON *n, size_t *depth)
{
	size_t c = 1, d = 0, sub;

	for (n = n->child; n; n = n->next) {
		size_t nd;

		c += tree_size(n, &nd);
		if (nd > d)
			d = nd;
	}
	sub = d;
	*depth = sub + 1;
	return c;
}

/* Give item the key (NULL: none, for a sequence). 0 or -1 when out of memory. */
static int set_key(cJSON *item, const char *key)
{
	char *k = NULL;

	if (key && !(k = strdup(key)))
		return -1;
	if (!(item->type & cJSON_StringIsConst))
		cJSON_free(item->string);
	item->string = k;
	item->type &= ~cJSON_StringIsConst;
	return 0;
}

/* Replace old, a child of parent, by item (taken), keeping old's key; old is freed. */
static int replace_child(struct patch_state *st, cJSON *parent, cJSON *old, cJSON *item)
{
	size_t d;

	if (set_key(item, cJSON_IsObject(parent) ? old->string : NULL) < 0) {
		cJSON_Delete(item);
		return -1;
	}
	st->nodes -= tree_size(old, &d);
	cJSON_ReplaceItemViaPointer(parent, old, item); /* frees old */
	return 0;
}

/*
 * May value go at a depth of `at` tokens, adding its nodes to the document
 * and taking away `freed` (what it replaces)?  *nodes: how many it holds.
 */
static int check_limits(struct patch_state *st, const cJSON *value, size_t at, size_t freed, size_t *nodes,
			struct gitops_err *err)
{
	size_t depth, have = st->nodes - freed;

	*nodes = tree_size(value, &depth);
	if (at + depth > st->opts->max_depth)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "the document would nest deeper than %zu levels",
				      st->opts->max_depth);
	if (*nodes > st->opts->max_nodes || have > st->opts->max_nodes - *nodes)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "the document would hold more than %zu nodes",
				      st->opts->max_nodes);
	return 0;
}

/*
 * Put item in front of at, a child of seq.  By hand: Debian's cJSON 1.7.15
 * (deb12u4) refuses cJSON_InsertItemInArray before an existing item.
 */
static void insert_before(cJSON *seq, cJSON *at, cJSON *item)
{
	item->next = at;
	item->prev = at->prev;  /* the last item when at is the first */
	if (at == seq->child)
		seq->child = item;
	else
		item->prev->next = item;
	at->prev = item;
}

/* RFC 6902 4.1 add, taking value (freed on error too). */
static int op_add(struct patch_state *st, const struct gitops_jsonpointer *p, cJSON *value, struct gitops_err *err)
{
	cJSON *parent = NULL, *old = NULL;
	const char *key = NULL;
	size_t nodes, idx = 0, d;
	int error = -1;

	if (!p->n) {
		if (check_limits(st, value, 0, st->nodes, &nodes, err) < 0)
			goto done;
		set_key(value, NULL); /* a document is no member */
		cJSON_Delete(st->doc);
		st->doc = value;
		st->nodes = nodes;
		return 0;
	}
	if (resolve_n(&parent, st->doc, p, p->n - 1, err) < 0)
		goto done;
	key = p->tokens[p->n - 1];
	if (cJSON_IsObject(parent))
		old = member(parent, key);
	else if (!cJSON_IsArray(parent))
		goto not_container;
	else if (seq_index(&idx, parent, key, 1, err) < 0)
		goto done;
	if (check_limits(st, value, p->n, old ? tree_size(old, &d) : 0, &nodes, err) < 0)
		goto done;
	if (old) {
		if (replace_child(st, parent, old, value) < 0) {
			value = NULL;
			error = gitops_err_oom(err);
			goto done;
		}
	} else if (cJSON_IsObject(parent)) {
		if (!cJSON_AddItemToObject(parent, key, value)) {
			error = gitops_err_oom(err);
			goto done;
		}
	} else {
		set_key(value, NULL);
		if (idx == count_items(parent))
			cJSON_AddItemToArray(parent, value);
		else
			insert_before(parent, item_at(parent, idx), value);
	}
	value = NULL;
	st->nodes += nodes;
	error = 0;
	goto done;
not_container:
	not_container(parent, p, p->n - 1, err);
done:
	cJSON_Delete(value);
	return error;
}

/* The existing node p names, with its parent (NULL for the whole document). */
static int locate(cJSON **parent, cJSON **item, struct patch_state *st, const struct gitops_jsonpointer *p,
		  struct gitops_err *err)
{
	*parent = NULL;
	if (!p->n) {
		*item = st->doc;
		return 0;
	}
	if (resolve_n(parent, st->doc, p, p->n - 1, err) < 0)
		return -1;
	return step(item, *parent, p, p->n - 1, err);
}

/* RFC 6902 4.2 remove; the removed node goes to *out (the caller's) or is freed. */
static int op_remove(cJSON **out, struct patch_state *st, const struct gitops_jsonpointer *p,
		     struct gitops_err *err)
{
	cJSON *parent, *item;
	size_t d;

	if (out)
		*out = NULL;
	if (!p->n)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "cannot remove the whole document");
	if (locate(&parent, &item, st, p, err) < 0)
		return -1;
	cJSON_DetachItemViaPointer(parent, item);
	st->nodes -= tree_size(item, &d);
	if (out)
		*out = item;
	else
		cJSON_Delete(item);
	return 0;
}

/* RFC 6902 4.3 replace, taking value. */
static int op_replace(struct patch_state *st, const struct gitops_jsonpointer *p, cJSON *value,
		      struct gitops_err *err)
{
	cJSON *parent, *item;
	size_t nodes, d;

	if (locate(&parent, &item, st, p, err) < 0 ||
	    check_limits(st, value, p->n, tree_size(item, &d), &nodes, err) < 0) {
		cJSON_Delete(value);
		return -1;
	}
	if (!parent) {
		set_key(value, NULL); /* a document is no member */
		cJSON_Delete(st->doc);
		st->doc = value;
		st->nodes = nodes;
		return 0;
	}
	if (replace_child(st, parent, item, value) < 0)
		return gitops_err_oom(err);
	st->nodes += nodes;
	return 0;
}

enum op_kind { OP_ADD, OP_REMOVE, OP_REPLACE, OP_MOVE, OP_COPY, OP_TEST };

static const char *const op_names[] = { "add", "remove", "replace", "move", "copy", "test" };

/* One operation: its members, checked. */
struct op {
	size_t index;
	enum op_kind kind;
	int named;                         /* kind is known: messages name it */
	const cJSON *value;                /* NULL when absent */
	struct gitops_jsonpointer path, from;
};

/* The op's member `name` as a string pointer into *out (absent: *out NULL, 0). */
static int string_member(const char **out, const cJSON *obj, const char *name, struct gitops_err *err)
{
	const cJSON *m = member(obj, name);

	*out = NULL;
	if (!m)
		return 0;
	if (!cJSON_IsString(m) || !m->valuestring)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "\"%s\" must be a string, not %s", name,
				      gitops_json_type_name(m));
	*out = m->valuestring;
	return 0;
}

/* Read operation i; messages come without the "patch operation N" in front. */
static int read_op(struct op *op, const cJSON *obj, struct gitops_err *err)
{
	static const char *const used[] = { "op", "path", "from", "value" };
	const char *name, *path, *from;
	char q[QUOTE_MAX + 8];
	const cJSON *m;
	size_t i;

	if (!cJSON_IsObject(obj))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "must be a mapping, not %s", gitops_json_type_name(obj));
	/* RFC 6902 A.13: an operation whose members repeat is no operation */
	for (m = obj->child; m; m = m->next) {
		const cJSON *o;

		for (i = 0; i < sizeof(used) / sizeof(used[0]); i++)
			if (m->string && !strcmp(m->string, used[i]))
				break;
		if (i == sizeof(used) / sizeof(used[0]))
			continue;
		for (o = m->next; o; o = o->next)
			if (o->string && !strcmp(o->string, m->string))
				return gitops_err_set(err, GITOPS_EXIT_INPUT, "member \"%s\" written twice",
						      m->string);
	}
	if (string_member(&name, obj, "op", err) < 0)
		return -1;
	if (!name)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "missing \"op\"");
	for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (!strcmp(name, op_names[i]))
			break;
	if (i == sizeof(op_names) / sizeof(op_names[0]))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "unknown op %s", gitops_jsonpointer_quote(q, sizeof(q), name));
	op->kind = (enum op_kind)i;
	op->named = 1;
	if (string_member(&path, obj, "path", err) < 0)
		return -1;
	if (!path)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "missing \"path\"");
	if (gitops_jsonpointer_parse(&op->path, path, err) < 0)
		return gitops_err_prefix(err, "path %s", gitops_jsonpointer_quote(q, sizeof(q), path));
	if (op->kind == OP_MOVE || op->kind == OP_COPY) {
		if (string_member(&from, obj, "from", err) < 0)
			return -1;
		if (!from)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "missing \"from\"");
		if (gitops_jsonpointer_parse(&op->from, from, err) < 0)
			return gitops_err_prefix(err, "from %s", gitops_jsonpointer_quote(q, sizeof(q), from));
	}
	if (op->kind == OP_ADD || op->kind == OP_REPLACE || op->kind == OP_TEST) {
		if (!(op->value = member(obj, "value")))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "missing \"value\"");
	}
	return 0;
}

/* Is p inside q (a proper child, at any depth)? */
static int is_inside(const struct gitops_jsonpointer *p, const struct gitops_jsonpointer *q)
{
	size_t i;

	if (p->n <= q->n)
		return 0;
	for (i = 0; i < q->n; i++)
		if (strcmp(p->tokens[i], q->tokens[i]))
			return 0;
	return 1;
}

/* The same location?  Escapes are unique (only ~0 and ~1), so the same text. */
static int same_pointer(const struct gitops_jsonpointer *p, const struct gitops_jsonpointer *q)
{
	return !strcmp(p->text, q->text);
}

/* Run one read operation on the working copy; messages without the operation in front. */
static int run_op(struct patch_state *st, const struct op *op, struct gitops_err *err)
{
	char q[QUOTE_MAX + 8], q2[QUOTE_MAX + 8];
	cJSON *node = NULL, *copy;

	switch (op->kind) {
	case OP_ADD:
	case OP_REPLACE:
		if (!(copy = gitops_value_copy(op->value)))
			return gitops_err_oom(err);
		if ((op->kind == OP_ADD ? op_add : op_replace)(st, &op->path, copy, err) < 0)
			goto path_error;
		return 0;
	case OP_REMOVE:
		if (op_remove(NULL, st, &op->path, err) < 0)
			goto path_error;
		return 0;
	case OP_TEST:
		if (locate(&copy, &node, st, &op->path, err) < 0)
			goto path_error;
		if (!gitops_value_equal(node, op->value))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "test failed: value at %s differs",
					      gitops_jsonpointer_quote(q, sizeof(q), op->path.text));
		return 0;
	case OP_COPY:
		if (locate(&copy, &node, st, &op->from, err) < 0)
			goto from_error;
		if (!(copy = gitops_value_copy(node)))
			return gitops_err_oom(err);
		if (op_add(st, &op->path, copy, err) < 0)
			goto path_error;
		return 0;
	case OP_MOVE:
		if (same_pointer(&op->path, &op->from)) {
			/* a move onto itself changes nothing, but from must be there */
			if (locate(&copy, &node, st, &op->from, err) < 0)
				goto from_error;
			return 0;
		}
		if (is_inside(&op->path, &op->from))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "cannot move %s into its own child %s",
					      gitops_jsonpointer_quote(q, sizeof(q), op->from.text),
					      gitops_jsonpointer_quote(q2, sizeof(q2), op->path.text));
		if (!op->from.n)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "cannot move the whole document");
		if (op_remove(&node, st, &op->from, err) < 0)
			goto from_error;
		if (op_add(st, &op->path, node, err) < 0)
			goto path_error;
		return 0;
	}
	return gitops_err_set(err, GITOPS_EXIT_INTERNAL, "unknown operation");
path_error:
	if (err && err->code == GITOPS_EXIT_INTERNAL)
		return -1;
	return gitops_err_prefix(err, "path %s", gitops_jsonpointer_quote(q, sizeof(q), op->path.text));
from_error:
	if (err && err->code == GITOPS_EXIT_INTERNAL)
		return -1;
	return gitops_err_prefix(err, "from %s", gitops_jsonpointer_quote(q, sizeof(q), op->from.text));
}

static int apply(cJSON **doc, const cJSON *patch, const struct gitops_jsonpatch_options *opts, int in_place,
		 struct gitops_err *err)
{
	static const struct gitops_jsonpatch_options defaults = GITOPS_JSONPATCH_OPTIONS_INIT;
	struct patch_state st = { NULL, 0, opts ? opts : &defaults };
	const cJSON *o;
	size_t i = 0, depth;
	int error = -1;

	if (!patch)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "no patch");
	if (!cJSON_IsArray(patch))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "patch must be a sequence of operations, not %s",
				      gitops_json_type_name(patch));
	if (!*doc)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "no document to patch");
	if (in_place) {
		/* the caller's tree is the working copy: *doc follows it, failure or not */
		st.doc = *doc;
		*doc = NULL;
	} else if (!(st.doc = gitops_value_copy(*doc))) {
		return gitops_err_oom(err);
	}
	st.nodes = tree_size(st.doc, &depth);
	for (o = patch->child; o; o = o->next, i++) {
		struct op op = { i, OP_ADD, 0, NULL, GITOPS_JSONPOINTER_INIT, GITOPS_JSONPOINTER_INIT };
		int rc = read_op(&op, o, err);

		if (rc == 0)
			rc = run_op(&st, &op, err);
		gitops_jsonpointer_release(&op.path);
		gitops_jsonpointer_release(&op.from);
		if (rc < 0) {
			if (err && err->code != GITOPS_EXIT_INTERNAL) {
				if (op.named)
					gitops_err_prefix(err, "patch operation %zu (%s)", i, op_names[op.kind]);
				else
					gitops_err_prefix(err, "patch operation %zu", i);
			}
			goto done;
		}
	}
	set_key(st.doc, NULL); /* a document is no member, whatever it was copied from */
	cJSON_Delete(*doc);
	*doc = st.doc;
	st.doc = NULL;
	error = 0;
done:
	if (in_place && st.doc) {
		*doc = st.doc;
		st.doc = NULL;
	}
	cJSON_Delete(st.doc);
	return error;
}

int gitops_jsonpatch_apply_opts(cJSON **doc, const cJSON *patch, const struct gitops_jsonpatch_options *opts,
				struct gitops_err *err)
{
	return apply(doc, patch, opts, 0, err);
}

int gitops_jsonpatch_apply(cJSON **doc, const cJSON *patch, struct gitops_err *err)
{
	return apply(doc, patch, NULL, 0, err);
}

int gitops_jsonpatch_apply_in_place(cJSON **doc, const cJSON *patch, struct gitops_err *err)
{
	return apply(doc, patch, NULL, 1, err);
}
