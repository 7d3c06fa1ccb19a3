/*
 * smp.c: strategic merge patch (smp.h), after
 * k8s.io/apimachinery/pkg/util/strategicpatch: mergeMap, mergeSlice and the
 * directives, in the order the Go code applies them.  The work is done on
 * copies of the document and the patch; the document is swapped for the
 * result only when everything succeeded.
 */
#include "lib/value/smp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/json.h"
#include "lib/value/value.h"

#define DIRECTIVE "$patch"
#define RETAIN_KEYS "$retainKeys"
#define SET_ORDER "$setElementOrder"
#define DELETE_PRIMITIVE "$deleteFromPrimitiveList"

/* ------------------------------------------------------------------ tables */

struct gitops_smp_schema {
	cJSON *defs; /* every definition added: name -> schema (copies) */
	struct gitops_smp_table table;
	char *strings;
	struct gitops_smp_def_row *def_rows;
	struct gitops_smp_field_row *field_rows;
	struct gitops_smp_gvk_row *gvk_rows;
};

static const char *str(const struct gitops_smp_table *t, uint32_t off)
{
	return t->strings + off;
}

static const struct gitops_smp_def_row *table_def(const struct gitops_smp_table *t, const char *name)
{
	size_t lo = 0, hi = t->ndefs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, str(t, t->defs[mid].name));

		if (c == 0)
			return &t->defs[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const struct gitops_smp_field_row *table_field(const struct gitops_smp_table *t,
						      const struct gitops_smp_def_row *d, const char *name)
{
	size_t lo = 0, hi = d->nfields;

	if (d->flags & GITOPS_SMP_DEF_MAP)
		return d->nfields ? &t->fields[d->first] : NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gitops_smp_field_row *f = &t->fields[d->first + mid];
		int c = strcmp(name, str(t, f->name));

		if (c == 0)
			return f;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const struct gitops_smp_gvk_row *table_gvk(const struct gitops_smp_table *t, const char *group,
						  const char *version, const char *kind)
{
	size_t lo = 0, hi = t->ngvks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gitops_smp_gvk_row *g = &t->gvks[mid];
		int c = strcmp(kind, str(t, g->kind));

		if (!c)
			c = strcmp(group, str(t, g->group));
		if (!c)
			c = strcmp(version, str(t, g->version));
		if (c == 0)
			return g;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Where a value is in the schema: a definition, a map's members, or nothing known. */
struct ctx {
	const struct gitops_smp_table *t;         /* NULL: nothing known */
	const struct gitops_smp_def_row *def;     /* an object of this definition */
	const struct gitops_smp_field_row *map;   /* or a map: each member is map->elem (map->ref) */
};

/* What the schema says of one member. */
struct meta {
	unsigned strategy;
	const char *merge_key; /* "" none */
	const char *where;     /* the definition, for messages */
	struct ctx sub;        /* the value's context (for a list: its items') */
};

static struct ctx resolve(const struct gitops_smp_schema *schema, const char *name)
{
	struct ctx c = { NULL, NULL, NULL };
	const struct gitops_smp_def_row *d;

	if (!name || !*name)
		return c;
	if (schema && schema->table.ndefs && (d = table_def(&schema->table, name))) {
		c.t = &schema->table;
		c.def = d;
	} else if ((d = table_def(&gitops_smp_builtin, name))) {
		c.t = &gitops_smp_builtin;
		c.def = d;
	}
	return c;
}

/* The context of a value of shape `shape` described by row f (ref its definition). */
static struct ctx value_ctx(const struct gitops_smp_schema *schema, const struct gitops_smp_table *t,
			    const struct gitops_smp_field_row *f, int shape)
{
	struct ctx c = { NULL, NULL, NULL };

	if (shape == GITOPS_SMP_OBJECT)
		return resolve(schema, str(t, f->ref));
	if (shape == GITOPS_SMP_MAP && f->shape == GITOPS_SMP_MAP) {
		c.t = t;
		c.map = f;
	}
	return c;
}

static struct meta lookup(const struct gitops_smp_schema *schema, struct ctx c, const char *key)
{
	struct meta m = { 0, "", "", { NULL, NULL, NULL } };
	const struct gitops_smp_field_row *f;

	if (!c.t)
		return m;
	if (c.map) {
		/* a member of a map: no patch facts of its own */
		f = c.map;
		if (f->elem == GITOPS_SMP_OBJECT)
			m.sub = resolve(schema, str(c.t, f->ref));
		return m;
	}
	if (!(f = table_field(c.t, c.def, key)))
		return m;
	m.strategy = f->strategy;
	m.merge_key = str(c.t, f->merge_key);
	m.where = str(c.t, c.def->name);
	if (f->shape == GITOPS_SMP_ARRAY)
		m.sub = f->elem == GITOPS_SMP_OBJECT ? resolve(schema, str(c.t, f->ref)) : m.sub;
	else
		m.sub = value_ctx(schema, c.t, f, f->shape);
	return m;
}

/* The context of apiVersion/kind. */
static struct ctx kind_ctx(const struct gitops_smp_schema *schema, const char *api_version, const char *kind)
{
	struct ctx c = { NULL, NULL, NULL };
	char group[256];
	const char *version, *slash;
	const struct gitops_smp_gvk_row *g;

	if (!api_version || !kind)
		return c;
	slash = strrchr(api_version, '/');
	if (slash) {
		if ((size_t)(slash - api_version) >= sizeof(group))
			return c;
		memcpy(group, api_version, (size_t)(slash - api_version));
		group[slash - api_version] = 0;
		version = slash + 1;
	} else {
		group[0] = 0;
		version = api_version;
	}
	if (schema && schema->table.ngvks && (g = table_gvk(&schema->table, group, version, kind))) {
		c.t = &schema->table;
		c.def = &schema->table.defs[g->def];
	} else if ((g = table_gvk(&gitops_smp_builtin, group, version, kind))) {
		c.t = &gitops_smp_builtin;
		c.def = &gitops_smp_builtin.defs[g->def];
	}
	/* a definition the schema hides is looked up by name there */
	if (c.t == &gitops_smp_builtin && schema && schema->table.ndefs)
		c = resolve(schema, str(c.t, c.def->name));
	return c;
}

int gitops_smp_lookup(struct gitops_smp_field_info *out, const struct gitops_smp_schema *schema,
		      const char *api_version, const char *kind, const char *path)
{
	struct ctx c = kind_ctx(schema, api_version, kind);
	char name[256];
	const char *p = path, *dot;
	const struct gitops_smp_field_row *f = NULL;

	if (!c.t)
		return -1;
	for (;;) {
		size_t n;

		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(name) || !c.t)
			return -1;
		memcpy(name, p, n);
		name[n] = 0;
		if (c.map) {
			f = c.map;
			c = f->elem == GITOPS_SMP_OBJECT ? resolve(schema, str(c.t, f->ref)) : (struct ctx){ NULL, NULL, NULL };
			if (!dot)
				return -1; /* a map member is not a field */
			p = dot + 1;
			continue;
		}
		if (!(f = table_field(c.t, c.def, name)))
			return -1;
		if (!dot)
			break;
		if (f->shape == GITOPS_SMP_ARRAY)
			c = f->elem == GITOPS_SMP_OBJECT ? resolve(schema, str(c.t, f->ref)) : (struct ctx){ NULL, NULL, NULL };
		else
			c = value_ctx(schema, c.t, f, f->shape);
		p = dot + 1;
	}
	out->def = str(c.t, c.def->name);
	out->ref = str(c.t, f->ref);
	out->merge_key = str(c.t, f->merge_key);
	out->map_keys = str(c.t, f->map_keys);
	out->strategy = f->strategy;
	out->list_type = f->list_type;
	out->shape = f->shape;
	out->elem = f->elem;
	return 0;
}

/* ------------------------------------------------------------------ runtime schema */

struct strpool {
	char *data;
	size_t len, cap;
};

static int pool_add(uint32_t *out, struct strpool *p, const char *s)
{
	size_t n = strlen(s) + 1;

	if (!*s) {
		*out = 0;
		return 0;
	}
	if (p->len + n > UINT32_MAX)
		return -1;
	if (p->len + n > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4096;
		char *d;

		while (cap < p->len + n)
			cap *= 2;
		if (!(d = realloc(p->data, cap)))
			return -1;
		p->data = d;
		p->cap = cap;
	}
	memcpy(p->data + p->len, s, n);
	*out = (uint32_t)p->len;
	p->len += n;
	return 0;
}

struct pending_def {
	char *name;
	const cJSON *schema; /* borrowed from the schema's defs (or a nested part) */
};

struct builder {
	const cJSON *defs;
	struct pending_def *queue;
	size_t nqueue, capqueue;
	struct strpool pool;
	struct gitops_smp_field_row *fields;
	size_t nfields, capfields;
	struct gitops_smp_def_row *def_rows;
	size_t ndefs;
	char **def_names; /* parallel to def_rows, for sorting */
	struct gitops_smp_gvk_row *gvks;
	size_t ngvks, capgvks;
};

static const char *ref_name(const cJSON *s)
{
	const char *r = gitops_json_get_string(s, "$ref", NULL);

	if (!r)
		return NULL;
	if (!strncmp(r, "#/definitions/", 14))
		return r + 14;
	if (!strncmp(r, "#/components/schemas/", 21))
		return r + 21;
	return NULL;
}

static int queue_def(struct builder *b, const char *name, const cJSON *schema)
{
	if (b->nqueue == b->capqueue) {
		size_t cap = b->capqueue ? b->capqueue * 2 : 64;
		struct pending_def *q = realloc(b->queue, cap * sizeof(*q));

		if (!q)
			return -1;
		b->queue = q;
		b->capqueue = cap;
	}
	if (!(b->queue[b->nqueue].name = strdup(name)))
		return -1;
	b->queue[b->nqueue].schema = schema;
	b->nqueue++;
	return 0;
}

static int is_scalar_type(const char *t)
{
	return t && (!strcmp(t, "string") || !strcmp(t, "integer") || !strcmp(t, "number") || !strcmp(t, "boolean"));
}

/*
 * The shape of a schema and the definition it refers to (*ref: a name in the
 * definitions, or a new name for an inline object queued as a definition).
 */
static int shape_of(int *shape, char **ref, struct builder *b, const cJSON *s, const char *inline_name)
{
	const char *name, *type;
	const cJSON *target;

	*shape = GITOPS_SMP_ANY;
	*ref = NULL;
	if (!cJSON_IsObject(s))
		return 0;
	if ((name = ref_name(s))) {
		target = cJSON_GetObjectItemCaseSensitive(b->defs, name);
		type = gitops_json_get_string(target, "type", NULL);
		if (target && !cJSON_GetObjectItemCaseSensitive(target, "properties") &&
		    !cJSON_GetObjectItemCaseSensitive(target, "additionalProperties") && is_scalar_type(type))
			*shape = GITOPS_SMP_SCALAR;
		else if (target && !cJSON_GetObjectItemCaseSensitive(target, "properties") && !type &&
			 !cJSON_GetObjectItemCaseSensitive(target, "additionalProperties"))
			*shape = GITOPS_SMP_ANY;
		else
			*shape = GITOPS_SMP_OBJECT;
		if (*shape == GITOPS_SMP_OBJECT && !(*ref = strdup(name)))
			return -1;
		return 0;
	}
	type = gitops_json_get_string(s, "type", NULL);
	if (type && !strcmp(type, "array")) {
		*shape = GITOPS_SMP_ARRAY;
	} else if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(s, "properties"))) {
		*shape = GITOPS_SMP_OBJECT;
		if (!(*ref = strdup(inline_name)) || queue_def(b, inline_name, s) < 0)
			return -1;
	} else if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(s, "additionalProperties"))) {
		*shape = GITOPS_SMP_MAP;
	} else if (type && !strcmp(type, "object")) {
		*shape = GITOPS_SMP_OBJECT; /* free-form */
	} else if (is_scalar_type(type)) {
		*shape = GITOPS_SMP_SCALAR;
	}
	return 0;
}

static unsigned strategy_bits(const char *s)
{
	unsigned bits = 0;

	while (s && *s) {
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);

		while (n && *s == ' ')
			s++, n--;
		while (n && s[n - 1] == ' ')
			n--;
		if (n == 5 && !strncmp(s, "merge", 5))
			bits |= GITOPS_SMP_MERGE;
		else if (n == 10 && !strncmp(s, "retainKeys", 10))
			bits |= GITOPS_SMP_RETAIN_KEYS;
		else if (n == 7 && !strncmp(s, "replace", 7))
			bits |= GITOPS_SMP_REPLACE;
		else if (n)
			bits |= GITOPS_SMP_OTHER;
		if (!end)
			break;
		s = end + 1;
	}
	return bits;
}

static int add_field(struct builder *b, const char *def_name, const char *fname, const cJSON *prop)
{
	struct gitops_smp_field_row f;
	int shape, elem = GITOPS_SMP_ANY, rc = -1;
	char *ref = NULL, *elem_ref = NULL, *inl = NULL;
	const char *lt = gitops_json_get_string(prop, "x-kubernetes-list-type", NULL);
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(prop, "x-kubernetes-list-map-keys"), *k;
	char joined[512];
	size_t jl = 0;

	memset(&f, 0, sizeof(f));
	if (!(inl = malloc(strlen(def_name) + strlen(fname) + 16)))
		return -1;
	sprintf(inl, "%s/%s", def_name, fname);
	if (shape_of(&shape, &ref, b, prop, inl) < 0)
		goto done;
	if (shape == GITOPS_SMP_ARRAY || shape == GITOPS_SMP_MAP) {
		strcat(inl, shape == GITOPS_SMP_ARRAY ? "/items" : "/values");
		if (shape_of(&elem, &elem_ref, b,
			     cJSON_GetObjectItemCaseSensitive(prop, shape == GITOPS_SMP_ARRAY ? "items" : "additionalProperties"),
			     inl) < 0)
			goto done;
	}
	joined[0] = 0;
	cJSON_ArrayForEach(k, keys) {
		size_t n;

		if (!cJSON_IsString(k))
			continue;
		n = strlen(k->valuestring);
		if (jl + n + 2 >= sizeof(joined))
			break;
		if (jl)
			joined[jl++] = ',';
		memcpy(joined + jl, k->valuestring, n + 1);
		jl += n;
	}
	if (pool_add(&f.name, &b->pool, fname) < 0 || pool_add(&f.ref, &b->pool, ref ? ref : elem_ref ? elem_ref : "") < 0 ||
	    pool_add(&f.merge_key, &b->pool, gitops_json_get_string(prop, "x-kubernetes-patch-merge-key", NULL) ?
			      gitops_json_get_string(prop, "x-kubernetes-patch-merge-key", NULL) : "") < 0 ||
	    pool_add(&f.map_keys, &b->pool, joined) < 0)
		goto done;
	f.shape = (uint8_t)shape;
	f.elem = (uint8_t)elem;
	f.list_type = !lt ? GITOPS_SMP_LIST_NONE : !strcmp(lt, "atomic") ? GITOPS_SMP_LIST_ATOMIC :
		      !strcmp(lt, "set") ? GITOPS_SMP_LIST_SET : !strcmp(lt, "map") ? GITOPS_SMP_LIST_MAP :
		      GITOPS_SMP_LIST_NONE;
	f.strategy = (uint8_t)strategy_bits(gitops_json_get_string(prop, "x-kubernetes-patch-strategy", NULL));
	if (b->nfields == b->capfields) {
		size_t cap = b->capfields ? b->capfields * 2 : 256;
		struct gitops_smp_field_row *fr = realloc(b->fields, cap * sizeof(*fr));

		if (!fr)
			goto done;
		b->fields = fr;
		b->capfields = cap;
	}
	b->fields[b->nfields++] = f;
	rc = 0;
done:
	free(inl);
	free(ref);
	free(elem_ref);
	return rc;
}

static int cmp_member_names(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* Turn one queued definition into its rows (its inline objects are queued in turn). */
static int build_def(struct builder *b, size_t qi)
{
	const char *name = b->queue[qi].name;
	const cJSON *s = b->queue[qi].schema, *props, *p, *ap, *gvk, *g;
	const cJSON **sorted = NULL;
	size_t n = 0, i;
	struct gitops_smp_def_row row;
	int rc = -1;

	memset(&row, 0, sizeof(row));
	row.first = (uint32_t)b->nfields;
	props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	ap = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
	if (cJSON_IsObject(props)) {
		cJSON_ArrayForEach(p, props)
			n++;
		if (n && !(sorted = malloc(n * sizeof(*sorted))))
			return -1;
		i = 0;
		cJSON_ArrayForEach(p, props)
			sorted[i++] = p;
		if (n)
			qsort(sorted, n, sizeof(*sorted), cmp_member_names);
		for (i = 0; i < n; i++) {
			/* duplicate names: the last one */
			if (i + 1 < n && !strcmp(sorted[i]->string, sorted[i + 1]->string))
				continue;
			if (add_field(b, name, sorted[i]->string, sorted[i]) < 0)
				goto done;
		}
	} else if (cJSON_IsObject(ap)) {
		/* the definition is a map: one field, "", for every member */
		cJSON *fake = cJSON_CreateObject();

		if (!fake)
			goto done;
		cJSON_AddItemToObject(fake, "type", cJSON_CreateString("object"));
		cJSON_AddItemReferenceToObject(fake, "additionalProperties", (cJSON *)ap);
		if (add_field(b, name, "", fake) < 0) {
			cJSON_Delete(fake);
			goto done;
		}
		cJSON_Delete(fake);
		row.flags = GITOPS_SMP_DEF_MAP;
	}
	row.nfields = (uint32_t)(b->nfields - row.first);
	if (pool_add(&row.name, &b->pool, name) < 0)
		goto done;
	gvk = cJSON_GetObjectItemCaseSensitive(s, "x-kubernetes-group-version-kind");
	cJSON_ArrayForEach(g, gvk) {
		const char *gg = gitops_json_get_string(g, "group", NULL), *vv = gitops_json_get_string(g, "version", NULL),
			   *kk = gitops_json_get_string(g, "kind", NULL);
		struct gitops_smp_gvk_row gr;

		if (!vv || !kk)
			continue;
		if (b->ngvks == b->capgvks) {
			size_t cap = b->capgvks ? b->capgvks * 2 : 32;
			struct gitops_smp_gvk_row *x = realloc(b->gvks, cap * sizeof(*x));

			if (!x)
				goto done;
			b->gvks = x;
			b->capgvks = cap;
		}
		if (pool_add(&gr.kind, &b->pool, kk) < 0 || pool_add(&gr.group, &b->pool, gg ? gg : "") < 0 ||
		    pool_add(&gr.version, &b->pool, vv) < 0)
			goto done;
		gr.def = (uint32_t)b->ndefs; /* an index among unsorted defs; mapped after sorting */
		b->gvks[b->ngvks++] = gr;
	}
	b->def_rows[b->ndefs++] = row;
	rc = 0;
done:
	free(sorted);
	return rc;
}

/* A definition row with its name and the order it was built in, for sorting. */
struct def_sort {
	const char *name;
	size_t from;
	struct gitops_smp_def_row row;
};

static int cmp_def_sort(const void *a, const void *b)
{
	const struct def_sort *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->from < y->from ? -1 : x->from > y->from;
}

struct gvk_sort {
	const char *kind, *group, *version;
	struct gitops_smp_gvk_row row;
};

static int cmp_gvk_sort(const void *a, const void *b)
{
	const struct gvk_sort *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	if (!c)
		c = strcmp(x->group, y->group);
	if (!c)
		c = strcmp(x->version, y->version);
	return c;
}

/* Build the tables of every definition in schema->defs into a new set, swapped in on success. */
static int schema_build(struct gitops_smp_schema *schema, const cJSON *defs)
{
	struct builder b;
	const cJSON *d;
	size_t i, cap = 0, *order = NULL;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	b.defs = defs;
	/* offset 0 is the empty string, as in the built-in table */
	if (!(b.pool.data = malloc(b.pool.cap = 4096)))
		goto done;
	b.pool.data[0] = 0;
	b.pool.len = 1;
	cJSON_ArrayForEach(d, defs)
		if (queue_def(&b, d->string, d) < 0)
			goto done;
	/* the queue grows with inline objects while it is walked */
	for (i = 0; i < b.nqueue; i++) {
		if (b.ndefs == cap) {
			size_t c = cap ? cap * 2 : 64;
			struct gitops_smp_def_row *r = realloc(b.def_rows, c * sizeof(*r));

			if (!r)
				goto done;
			b.def_rows = r;
			cap = c;
		}
		if (i > 200000 || build_def(&b, i) < 0)
			goto done;
	}
	/* sort the definitions by name (of two with one name, the later built wins), remap the gvks */
	if (b.ndefs) {
		struct def_sort *ds = malloc(b.ndefs * sizeof(*ds));
		struct gvk_sort *gs = b.ngvks ? malloc(b.ngvks * sizeof(*gs)) : NULL;
		size_t j, k;

		if (!ds || (b.ngvks && !gs) || !(order = malloc(b.ndefs * sizeof(*order)))) {
			free(ds);
			free(gs);
			goto done;
		}
		for (j = 0; j < b.ndefs; j++) {
			ds[j].name = b.pool.data + b.def_rows[j].name;
			ds[j].from = j;
			ds[j].row = b.def_rows[j];
		}
		qsort(ds, b.ndefs, sizeof(*ds), cmp_def_sort);
		for (j = 0, k = 0; j < b.ndefs; j++) {
			if (j + 1 < b.ndefs && !strcmp(ds[j].name, ds[j + 1].name)) {
				order[ds[j].from] = (size_t)-1;
				continue;
			}
			order[ds[j].from] = k;
			b.def_rows[k++] = ds[j].row;
		}
		b.ndefs = k;
		for (j = 0, k = 0; j < b.ngvks; j++) {
			if (order[b.gvks[j].def] == (size_t)-1)
				continue;
			gs[k].kind = b.pool.data + b.gvks[j].kind;
			gs[k].group = b.pool.data + b.gvks[j].group;
			gs[k].version = b.pool.data + b.gvks[j].version;
			gs[k].row = b.gvks[j];
			gs[k].row.def = (uint32_t)order[b.gvks[j].def];
			k++;
		}
		if (k)
			qsort(gs, k, sizeof(*gs), cmp_gvk_sort);
		for (j = 0; j < k; j++)
			b.gvks[j] = gs[j].row;
		b.ngvks = k;
		free(ds);
		free(gs);
	}
	free(schema->strings);
	free(schema->def_rows);
	free(schema->field_rows);
	free(schema->gvk_rows);
	schema->strings = b.pool.data;
	schema->def_rows = b.def_rows;
	schema->field_rows = b.fields;
	schema->gvk_rows = b.gvks;
	schema->table.strings = b.pool.data;
	schema->table.defs = b.def_rows;
	schema->table.ndefs = b.ndefs;
	schema->table.fields = b.fields;
	schema->table.nfields = b.nfields;
	schema->table.gvks = b.gvks;
	schema->table.ngvks = b.ngvks;
	b.pool.data = NULL;
	b.def_rows = NULL;
	b.fields = NULL;
	b.gvks = NULL;
	rc = 0;
done:
	for (i = 0; i < b.nqueue; i++)
		free(b.queue[i].name);
	free(b.queue);
	free(b.pool.data);
	free(b.def_rows);
	free(b.fields);
	free(b.gvks);
	free(order);
	return rc;
}

int gitops_smp_schema_new(struct gitops_smp_schema **out, struct gitops_err *err)
{
	struct gitops_smp_schema *s = calloc(1, sizeof(*s));

	if (!s || !(s->defs = cJSON_CreateObject())) {
		free(s);
		return gitops_err_oom(err);
	}
	*out = s;
	return 0;
}

void gitops_smp_schema_free(struct gitops_smp_schema *schema)
{
	if (!schema)
		return;
	cJSON_Delete(schema->defs);
	free(schema->strings);
	free(schema->def_rows);
	free(schema->field_rows);
	free(schema->gvk_rows);
	free(schema);
}

int gitops_smp_schema_add(struct gitops_smp_schema *schema, const cJSON *openapi, const char *what,
			  struct gitops_err *err)
{
	const cJSON *defs, *d;
	cJSON *merged = NULL;
	int error = -1;

	if (!what)
		what = "openapi";
	defs = gitops_json_get(openapi, "definitions", NULL);
	if (!defs)
		defs = gitops_json_get(openapi, "components", "schemas", NULL);
	if (!cJSON_IsObject(defs)) {
		error = gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: no definitions (swagger 'definitions' or 'components.schemas')",
				       what);
		goto done;
	}
	cJSON_ArrayForEach(d, defs) {
		if (!cJSON_IsObject(d)) {
			error = gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: definitions.%s: expected a mapping, not %s", what,
					       d->string, gitops_json_type_name(d));
			goto done;
		}
	}
	if (!(merged = gitops_value_copy(schema->defs)))
		goto oom;
	cJSON_ArrayForEach(d, defs) {
		cJSON *c = gitops_value_copy(d);

		if (!c || gitops_value_set(merged, d->string, c) < 0) {
			cJSON_Delete(c);
			goto oom;
		}
	}
	if (schema_build(schema, merged) < 0)
		goto oom;
	cJSON_Delete(schema->defs);
	schema->defs = merged;
	merged = NULL;
	error = 0;
	goto done;
oom:
	error = gitops_err_oom(err);
done:
	cJSON_Delete(merged);
	return error;
}

/* ------------------------------------------------------------------ applying */

struct state {
	const struct gitops_smp_schema *schema;
	struct gitops_err *err;
	char path[768];
	size_t len;
	int depth;
};

static size_t path_push_key(struct state *s, const char *key)
{
	size_t old = s->len;
	int n = snprintf(s->path + s->len, sizeof(s->path) - s->len, "%s%s", s->len ? "." : "", key);

	if (n > 0)
		s->len = s->len + (size_t)n < sizeof(s->path) ? s->len + (size_t)n : sizeof(s->path) - 1;
	return old;
}

static size_t path_push_index(struct state *s, size_t i)
{
	size_t old = s->len;
	int n = snprintf(s->path + s->len, sizeof(s->path) - s->len, "[%zu]", i);

	if (n > 0)
		s->len = s->len + (size_t)n < sizeof(s->path) ? s->len + (size_t)n : sizeof(s->path) - 1;
	return old;
}

static void path_pop(struct state *s, size_t old)
{
	s->len = old;
	s->path[old] = 0;
}

static int fail(struct state *s, const char *fmt, ...) GITOPS_PRINTF(2, 3);
static int fail(struct state *s, const char *fmt, ...)
{
	char msg[GITOPS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gitops_err_set(s->err, GITOPS_EXIT_INPUT, "%s: %s", s->len ? s->path : "(top)", msg);
}

/* A short JSON rendering of a value, for messages. */
static const char *show(char *buf, size_t size, const cJSON *v)
{
	char *text;

	if (cJSON_IsString(v)) {
		snprintf(buf, size, "'%s'", v->valuestring);
	} else if ((text = cJSON_PrintUnformatted(v))) {
		snprintf(buf, size, "%s", text);
		cJSON_free(text);
	} else {
		snprintf(buf, size, "?");
	}
	if (strlen(buf) > 60)
		strcpy(buf + 56, "...");
	return buf;
}

static int oom(struct state *s)
{
	return gitops_err_oom(s->err);
}

static int is_map(const cJSON *v)
{
	return cJSON_IsObject(v);
}

/* Go's reflect kinds as the JSON decoder makes them: map, slice, string, number, bool, null. */
static int kind_of(const cJSON *v)
{
	switch (v->type & 0xFF) {
	case cJSON_Object:
		return 1;
	case cJSON_Array:
		return 2;
	case cJSON_String:
		return 3;
	case cJSON_Number:
		return 4;
	case cJSON_True:
	case cJSON_False:
		return 5;
	default:
		return 0;
	}
}

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* mergepatch's removeDirectives: drop mappings with $patch (0: drop v itself). */
static int remove_directives(cJSON *v)
{
	cJSON *c, *next;

	if (is_map(v)) {
		if (cJSON_GetObjectItemCaseSensitive(v, DIRECTIVE))
			return 0;
		for (c = v->child; c; c = next) {
			next = c->next;
			if (!remove_directives(c))
				cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
		}
	} else if (cJSON_IsArray(v)) {
		for (c = v->child; c; c = next) {
			next = c->next;
			if (!remove_directives(c))
				cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
		}
	}
	return 1;
}

/* discardNullValuesFromPatch */
static void discard_nulls(cJSON *v)
{
	cJSON *c, *next;

	if (is_map(v)) {
		for (c = v->child; c; c = next) {
			next = c->next;
			if (cJSON_IsNull(c))
				cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
			else
				discard_nulls(c);
		}
	} else if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(c, v)
			discard_nulls(c);
	}
}

/* A JSON value as Go compares interface{} values with ==: scalars by value. */
static int scalar_eq(const cJSON *a, const cJSON *b)
{
	if (!a || !b)
		return a == b;
	if (kind_of(a) != kind_of(b))
		return 0;
	return gitops_value_equal(a, b);
}

static const cJSON *key_of(const cJSON *elem, const char *mk)
{
	return is_map(elem) ? cJSON_GetObjectItemCaseSensitive(elem, mk) : NULL;
}

/* Go's index(): position of v in list (by merge key value for maps), -1 when absent. */
static long index_in(cJSON *const *list, size_t n, const cJSON *v, const char *mk)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (mk && *mk) {
			if (scalar_eq(key_of(v, mk), key_of(list[i], mk)))
				return (long)i;
		} else if (scalar_eq(v, list[i])) {
			return (long)i;
		}
	}
	return -1;
}

/* Positions of items in order (index_in for each), or NULL when out of memory. */
static long *positions(cJSON *const *items, size_t n, cJSON *const *order, size_t norder, const char *mk)
{
	long *pos = malloc((n ? n : 1) * sizeof(*pos));
	size_t i;

	for (i = 0; pos && i < n; i++)
		pos[i] = index_in(order, norder, items[i], mk);
	return pos;
}

/*
 * normalizeSliceOrder's stable sort: by position in order.  Items absent
 * from order keep their place (Go's comparator calls them "less", but valid
 * patches never have them: each is in the list it is sorted by).
 */
static int sort_by(cJSON **items, size_t n, cJSON *const *order, size_t norder, const char *mk)
{
	long *pos = positions(items, n, order, norder, mk);
	size_t i, j;

	if (!pos)
		return -1;
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && pos[j] >= 0 && pos[j - 1] >= 0 && pos[j] < pos[j - 1]; j--) {
			cJSON *t = items[j];
			long p = pos[j];

			items[j] = items[j - 1];
			items[j - 1] = t;
			pos[j] = pos[j - 1];
			pos[j - 1] = p;
		}
	}
	free(pos);
	return 0;
}

/*
 * normalizeElementOrder + mergeSortedSlice: patch items in the patch's order,
 * server-only items in the document's, interleaved by the document's order.
 */
static int merge_order(cJSON **out, cJSON **patch_items, size_t np, cJSON *const *patch_order, size_t npo,
		       cJSON **server_only, size_t ns, cJSON *const *server_order, size_t nso, const char *mk)
{
	size_t i = 0, j = 0, k;
	long *lpos = NULL, *rpos = NULL;
	int error = -1;

	if (sort_by(patch_items, np, patch_order, npo, mk) < 0 || sort_by(server_only, ns, server_order, nso, mk) < 0)
		goto done;
	if (!(lpos = positions(server_only, ns, server_order, nso, mk)) ||
	    !(rpos = positions(patch_items, np, server_order, nso, mk)))
		goto done;
	for (k = 0; k < np + ns; k++) {
		if (i >= ns)
			out[k] = patch_items[j++];
		else if (j >= np)
			out[k] = server_only[i++];
		else if (lpos[i] >= 0 && rpos[j] >= 0 && lpos[i] < rpos[j])
			out[k] = server_only[i++];
		else
			out[k] = patch_items[j++];
	}
	error = 0;
done:
	free(lpos);
	free(rpos);
	return error;
}

/* Children of a list as an array (borrowed), NULL when empty. */
static int list_items(cJSON ***out, size_t *n, const cJSON *list)
{
	cJSON *c;
	size_t i = 0;

	*n = (size_t)cJSON_GetArraySize(list);
	*out = NULL;
	if (!*n)
		return 0;
	if (!(*out = malloc(*n * sizeof(**out))))
		return -1;
	cJSON_ArrayForEach(c, list)
		(*out)[i++] = c;
	return 0;
}

/* Detach every child of list; then attach the given ones in order. */
static void relink(cJSON *list, cJSON **items, size_t n)
{
	size_t i;

	while (list->child)
		cJSON_DetachItemViaPointer(list, list->child);
	for (i = 0; i < n; i++) {
		items[i]->next = items[i]->prev = NULL;
		cJSON_AddItemToArray(list, items[i]);
	}
}

static int merge_map(struct state *s, cJSON *orig, cJSON *patch, struct ctx c);
static int merge_list(struct state *s, cJSON *orig, cJSON *patch, const struct meta *m, int is_delete);

/* sliceElementType over two lists: the one kind of their items, 0 when both are empty, -1 error. */
static int element_kind(struct state *s, const cJSON *a, const cJSON *b)
{
	const cJSON *lists[2] = { a, b }, *c;
	int kind = 0, i;

	for (i = 0; i < 2; i++) {
		cJSON_ArrayForEach(c, lists[i]) {
			int k = kind_of(c);

			if (k == 0)
				return fail(s, "null in a list");
			if (k == 2)
				return fail(s, "lists of lists are not supported");
			if (kind && k != kind)
				return fail(s, "list element types are not identical");
			kind = k;
		}
	}
	return kind;
}

/* mergeSlice for lists of scalars: orig becomes the union (or what a deletion list leaves). */
static int merge_scalars(struct state *s, cJSON *orig, cJSON *patch, int is_delete)
{
	cJSON **o = NULL, **p = NULL, **all = NULL, **pi = NULL, **so = NULL, **res = NULL;
	size_t no, np, n, i, j, npi = 0, nso = 0;
	int error = -1;

	if (list_items(&o, &no, orig) < 0 || list_items(&p, &np, patch) < 0)
		goto oom;
	if (is_delete) {
		/* deleteFromSlice: drop every item the list names */
		for (i = 0; i < no; i++)
			if (index_in(p, np, o[i], NULL) >= 0)
				cJSON_Delete(cJSON_DetachItemViaPointer(orig, o[i]));
		error = 0;
		goto done;
	}
	n = no + np;
	if (!(all = malloc(n * sizeof(*all))) || !(pi = malloc(n * sizeof(*pi))) || !(so = malloc(n * sizeof(*so))) ||
	    !(res = malloc(n * sizeof(*res))))
		goto oom;
	/* both lists' items leave their lists: orig is rebuilt, the rest freed */
	for (i = 0; i < no; i++)
		all[i] = cJSON_DetachItemViaPointer(orig, o[i]);
	for (i = 0; i < np; i++)
		all[no + i] = cJSON_DetachItemViaPointer(patch, p[i]);
	/* deduplicateScalars, with its order: a duplicate's place takes the last item */
	{
		size_t length = n - 1;

		for (i = 0; i < length; i++) {
			for (j = i + 1; j <= length; j++) {
				if (scalar_eq(all[i], all[j])) {
					cJSON *t = all[j];

					all[j] = all[length];
					all[length] = t; /* kept past the end, to be freed */
					length--;
					j--;
				}
			}
		}
		n = length + 1;
	}
	for (i = 0; i < n; i++) {
		if (index_in(p, np, all[i], NULL) >= 0)
			pi[npi++] = all[i];
		else
			so[nso++] = all[i];
	}
	if (merge_order(res, pi, npi, p, np, so, nso, o, no, NULL) < 0) {
		/* nothing merged: orig gets its items back, in their order, the patch's are freed */
		for (i = 0; i < no; i++)
			cJSON_AddItemToArray(orig, o[i]);
		for (i = 0; i < np; i++)
			cJSON_Delete(p[i]);
		goto oom;
	}
	relink(orig, res, n);
	for (i = n; i < no + np; i++)
		cJSON_Delete(all[i]);
	error = 0;
	goto done;
oom:
	error = oom(s);
done:
	free(o);
	free(p);
	free(all);
	free(pi);
	free(so);
	free(res);
	return error;
}

/* mergeSlice for lists of mappings, by merge key mk. */
static int merge_maps(struct state *s, cJSON *orig, cJSON *patch, const struct meta *m)
{
	const char *mk = m->merge_key;
	cJSON *c, *next, **o = NULL, **order = NULL, **p = NULL, **pi = NULL, **so = NULL, **res = NULL;
	cJSON *order_list = NULL, *patch_keys = NULL;
	size_t no = 0, np = 0, n, i, idx, npi = 0, nso = 0, norder = 0;
	int replace = 0, error = -1;
	char buf[80];

	/* mergeSliceWithSpecialElements */
	for (c = patch->child, idx = 0; c; c = next, idx++) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(c, DIRECTIVE), *key;
		size_t old;

		next = c->next;
		if (!d)
			continue;
		old = path_push_index(s, idx);
		if (cJSON_IsString(d) && !strcmp(d->valuestring, "delete")) {
			cJSON *e, *enext;

			if (!(key = cJSON_GetObjectItemCaseSensitive(c, mk))) {
				error = fail(s, "$patch: delete without the merge key '%s'", mk);
				goto done;
			}
			for (e = orig->child; e; e = enext) {
				enext = e->next;
				if (scalar_eq(key_of(e, mk), key))
					cJSON_Delete(cJSON_DetachItemViaPointer(orig, e));
			}
		} else if (cJSON_IsString(d) && !strcmp(d->valuestring, "replace")) {
			replace = 1;
		} else if (cJSON_IsString(d) && !strcmp(d->valuestring, "merge")) {
			error = fail(s, "$patch: merge is not supported in a list");
			goto done;
		} else {
			error = fail(s, "invalid patch type %s in $patch (replace or delete)", show(buf, sizeof(buf), d));
			goto done;
		}
		path_pop(s, old);
		cJSON_Delete(cJSON_DetachItemViaPointer(patch, c));
	}
	if (replace) {
		while (orig->child)
			cJSON_Delete(cJSON_DetachItemViaPointer(orig, orig->child));
		while (patch->child)
			cJSON_AddItemToArray(orig, cJSON_DetachItemViaPointer(patch, patch->child));
	}
	/* every item of the document needs the merge key (partitionMapsByPresentInList) */
	cJSON_ArrayForEach(c, orig) {
		if (!cJSON_GetObjectItemCaseSensitive(c, mk)) {
			error = fail(s, "an item of the document has no merge key '%s'", mk);
			goto done;
		}
	}
	/* the document's order, before anything merges into it */
	if (!(order_list = cJSON_CreateArray()))
		goto oom;
	cJSON_ArrayForEach(c, orig) {
		cJSON *k = cJSON_CreateObject();

		if (!k || !cJSON_AddItemToObject(k, mk, gitops_value_copy(cJSON_GetObjectItemCaseSensitive(c, mk))) ||
		    !cJSON_GetObjectItemCaseSensitive(k, mk)) {
			cJSON_Delete(k);
			goto oom;
		}
		cJSON_AddItemToArray(order_list, k);
	}
	/* the patch's order, before its items merge away */
	if (!(patch_keys = cJSON_CreateArray()))
		goto oom;
	cJSON_ArrayForEach(c, patch) {
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(c, mk);
		cJSON *k = cJSON_CreateObject();

		if (!k || (key && !cJSON_AddItemToObject(k, mk, gitops_value_copy(key))) ||
		    (key && !cJSON_GetObjectItemCaseSensitive(k, mk))) {
			cJSON_Delete(k);
			goto oom;
		}
		cJSON_AddItemToArray(patch_keys, k);
	}
	/* mergeSliceWithoutSpecialElements: merge by key or append */
	for (c = patch->child, idx = 0; c; c = next, idx++) {
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(c, mk);
		size_t old = path_push_index(s, idx);
		cJSON *e;

		next = c->next;
		if (!key) {
			error = fail(s, "missing merge key '%s'", mk);
			goto done;
		}
		for (e = orig->child; e; e = e->next)
			if (scalar_eq(key_of(e, mk), key))
				break;
		if (e) {
			if (merge_map(s, e, c, m->sub) < 0)
				goto done;
		} else {
			cJSON *copy = gitops_value_copy(c);

			if (!copy)
				goto oom;
			cJSON_AddItemToArray(orig, copy);
		}
		path_pop(s, old);
	}
	/* enforce the order: the patch's items as in the patch, the others as in the document */
	if (list_items(&o, &no, orig) < 0 || list_items(&p, &np, patch_keys) < 0 ||
	    list_items(&order, &norder, order_list) < 0)
		goto oom;
	n = no;
	if (n && (!(pi = malloc(n * sizeof(*pi))) || !(so = malloc(n * sizeof(*so))) || !(res = malloc(n * sizeof(*res)))))
		goto oom;
	for (i = 0; i < n; i++) {
		if (index_in(p, np, o[i], mk) >= 0)
			pi[npi++] = o[i];
		else
			so[nso++] = o[i];
	}
	if (n) {
		if (merge_order(res, pi, npi, p, np, so, nso, order, norder, mk) < 0)
			goto oom;
		relink(orig, res, n);
	}
	error = 0;
	goto done;
oom:
	error = oom(s);
done:
	cJSON_Delete(order_list);
	cJSON_Delete(patch_keys);
	free(o);
	free(order);
	free(p);
	free(pi);
	free(so);
	free(res);
	return error;
}

/* mergeSlice: orig becomes the merged list (patch is consumed or left to be freed). */
static int merge_list(struct state *s, cJSON *orig, cJSON *patch, const struct meta *m, int is_delete)
{
	int kind;

	if (!orig->child && !patch->child)
		return 0;
	if ((kind = element_kind(s, orig, patch)) < 0)
		return -1;
	if (kind != 1)
		return merge_scalars(s, orig, patch, is_delete);
	if (!*m->merge_key)
		return fail(s, "cannot merge a list of mappings without a merge key (%s)", *m->where ? m->where : "no schema");
	return merge_maps(s, orig, patch, m);
}

/* A list whose items are taken whole: `$patch: replace` markers are dropped, other directives refused. */
static int check_whole_list(struct state *s, cJSON *patch)
{
	cJSON *c, *next;
	size_t idx;
	char buf[80];

	for (c = patch->child, idx = 0; c; c = next, idx++) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(c, DIRECTIVE);
		size_t old;

		next = c->next;
		if (!is_map(c) || !d)
			continue;
		old = path_push_index(s, idx);
		if (cJSON_IsString(d) && !strcmp(d->valuestring, "replace")) {
			cJSON_Delete(cJSON_DetachItemViaPointer(patch, c));
		} else if (cJSON_IsString(d) && (!strcmp(d->valuestring, "delete") || !strcmp(d->valuestring, "merge"))) {
			return fail(s, "$patch: %s in a list that has no merge key (it is replaced whole)", d->valuestring);
		} else {
			return fail(s, "invalid patch type %s in $patch (replace or delete)", show(buf, sizeof(buf), d));
		}
		path_pop(s, old);
	}
	return 0;
}

/* mergeSliceHandler: the list ol (in oparent) with the list pl (in pparent). */
static int slice_handler(struct state *s, cJSON *oparent, cJSON *ol, cJSON *pparent, cJSON *pl, const struct meta *m,
			 int is_delete)
{
	if ((m->strategy & GITOPS_SMP_MERGE) || is_delete)
		return merge_list(s, ol, pl, m, is_delete);
	if (check_whole_list(s, pl) < 0)
		return -1;
	cJSON_ReplaceItemViaPointer(oparent, ol, cJSON_DetachItemViaPointer(pparent, pl));
	return 0;
}

/* $retainKeys (applyRetainKeysDirective) */
static int apply_retain_keys(struct state *s, cJSON *orig, cJSON *patch)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(patch, RETAIN_KEYS), *c, *next, *k;
	int error = -1;

	if (!list)
		return 0;
	list = cJSON_DetachItemViaPointer(patch, list);
	if (!cJSON_IsArray(list)) {
		size_t old = path_push_key(s, RETAIN_KEYS);

		error = fail(s, "expected a sequence, not %s", gitops_json_type_name(list));
		path_pop(s, old);
		goto done;
	}
	cJSON_ArrayForEach(c, patch) {
		int found = 0;

		if (cJSON_IsNull(c) || has_prefix(c->string, DELETE_PRIMITIVE) || has_prefix(c->string, SET_ORDER))
			continue;
		cJSON_ArrayForEach(k, list)
			if (cJSON_IsString(k) && !strcmp(k->valuestring, c->string))
				found = 1;
		if (!found) {
			size_t old = path_push_key(s, RETAIN_KEYS);

			error = fail(s, "'%s' is in the patch but not in the list", c->string);
			path_pop(s, old);
			goto done;
		}
	}
	for (c = orig->child; c; c = next) {
		int found = 0;

		next = c->next;
		cJSON_ArrayForEach(k, list)
			if (cJSON_IsString(k) && !strcmp(k->valuestring, c->string))
				found = 1;
		if (!found)
			cJSON_Delete(cJSON_DetachItemViaPointer(orig, c));
	}
	error = 0;
done:
	cJSON_Delete(list);
	return error;
}

/* The key after "<prefix>/", or NULL when the key is not of that form. */
static const char *after_prefix(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(key, prefix, n) || key[n] != '/')
		return NULL;
	return key + n + 1;
}

/* One $setElementOrder/<key> (mergePatchIntoOriginal). */
static int set_element_order(struct state *s, cJSON *orig, cJSON *patch, cJSON *order, const char *okey,
			     struct ctx c)
{
	cJSON *ol = cJSON_GetObjectItemCaseSensitive(orig, okey), *pl = cJSON_GetObjectItemCaseSensitive(patch, okey);
	cJSON *merged = NULL, *e, **mi = NULL, **pi = NULL, **so = NULL, **res = NULL, **ord = NULL, **oo = NULL;
	cJSON *orig_copy = NULL;
	size_t n = 0, i, j, npi = 0, nso = 0, nord = 0, noo = 0;
	struct meta m = lookup(s->schema, c, okey);
	const char *mk = m.merge_key;
	int error = -1, kind;
	char buf[80];

	if (ol && !cJSON_IsArray(ol))
		return fail(s, "the document's '%s' is %s, not a sequence", okey, gitops_json_type_name(ol));
	if (pl && !cJSON_IsArray(pl))
		return fail(s, "the patch's '%s' is %s, not a sequence", okey, gitops_json_type_name(pl));
	if (!ol && !pl)
		return 0;
	/* the order list itself: each item once, each with the merge key */
	cJSON_ArrayForEach(e, order) {
		const cJSON *f;

		if (*mk && !key_of(e, mk))
			return fail(s, "an item has no merge key '%s'", mk);
		if (!*mk && (is_map(e) || cJSON_IsArray(e)))
			return fail(s, "expected scalars, found %s", gitops_json_type_name(e));
		for (f = order->child; f != e; f = f->next)
			if (*mk ? scalar_eq(key_of(f, mk), key_of(e, mk)) : scalar_eq(f, e))
				return fail(s, "%s is listed twice", show(buf, sizeof(buf), *mk ? key_of(e, mk) : e));
	}
	/* validatePatchWithSetOrderList: the patch's items in the same relative order */
	if (pl && pl->child && order->child) {
		cJSON *pe = pl->child, *oe = order->child;

		while (pe && oe) {
			if (is_map(pe) && cJSON_GetObjectItemCaseSensitive(pe, DIRECTIVE)) {
				pe = pe->next;
				continue;
			}
			if (*mk && !key_of(pe, mk)) {
				error = fail(s, "an item of '%s' has no merge key '%s'", okey, mk);
				goto done;
			}
			if (*mk ? scalar_eq(key_of(pe, mk), key_of(oe, mk)) : scalar_eq(pe, oe))
				pe = pe->next;
			oe = oe->next;
		}
		while (pe && is_map(pe) && cJSON_GetObjectItemCaseSensitive(pe, DIRECTIVE))
			pe = pe->next;
		if (pe) {
			error = fail(s, "the order of the patch's '%s' does not match it (or it lacks an item)", okey);
			goto done;
		}
	}
	kind = element_kind(s, ol, pl);
	if (kind < 0)
		goto done;
	if (!(orig_copy = ol ? gitops_value_copy(ol) : cJSON_CreateArray()))
		goto oom;
	if (ol && pl) {
		if (slice_handler(s, orig, ol, patch, pl, &m, 0) < 0)
			goto done;
		merged = cJSON_GetObjectItemCaseSensitive(orig, okey);
		if (cJSON_GetObjectItemCaseSensitive(patch, okey) == pl)
			cJSON_Delete(cJSON_DetachItemViaPointer(patch, pl));
	} else if (pl) {
		merged = cJSON_DetachItemViaPointer(patch, pl);
		remove_directives(merged);
		cJSON_AddItemToObject(orig, okey, merged);
	} else {
		merged = ol;
	}
	/* partition: the listed items in the listed order, the others in the document's */
	if (list_items(&mi, &n, merged) < 0 || list_items(&ord, &nord, order) < 0 || list_items(&oo, &noo, orig_copy) < 0)
		goto oom;
	if (n && (!(pi = malloc(n * sizeof(*pi))) || !(so = malloc(n * sizeof(*so))) || !(res = malloc(n * sizeof(*res)))))
		goto oom;
	for (i = 0; i < n; i++) {
		if (kind == 1 && !key_of(mi[i], mk)) {
			error = *mk ? fail(s, "an item of '%s' has no merge key '%s'", okey, mk)
				    : fail(s, "'%s' is a list of mappings without a merge key", okey);
			goto done;
		}
		if (index_in(ord, nord, mi[i], mk) >= 0)
			pi[npi++] = mi[i];
		else
			so[nso++] = mi[i];
	}
	/* every listed item must be in the list */
	for (j = 0; j < nord; j++) {
		if (index_in(mi, n, ord[j], mk) < 0) {
			error = fail(s, "%s is not in '%s'", show(buf, sizeof(buf), *mk ? key_of(ord[j], mk) : ord[j]), okey);
			goto done;
		}
	}
	if (n) {
		if (merge_order(res, pi, npi, ord, nord, so, nso, oo, noo, mk) < 0)
			goto oom;
		relink(merged, res, n);
	}
	error = 0;
	goto done;
oom:
	error = oom(s);
done:
	cJSON_Delete(orig_copy);
	free(mi);
	free(pi);
	free(so);
	free(res);
	free(ord);
	free(oo);
	return error;
}

/* A value the patch adds whole: without its nulls and directive mappings (0: nothing is added). */
static int take_whole(cJSON *v)
{
	discard_nulls(v);
	return remove_directives(v);
}

/* mergeMap: orig (a mapping) becomes the merged mapping; patch is consumed. */
static int merge_map(struct state *s, cJSON *orig, cJSON *patch, struct ctx c)
{
	cJSON *d = cJSON_GetObjectItemCaseSensitive(patch, DIRECTIVE), *pv, *next;
	char buf[80];

	if (++s->depth > 1000) {
		s->depth--;
		return fail(s, "nested too deeply");
	}
	if (d) {
		/* handleDirectiveInMergeMap */
		s->depth--;
		if (cJSON_IsString(d) && !strcmp(d->valuestring, "replace")) {
			cJSON_Delete(cJSON_DetachItemViaPointer(patch, d));
			while (orig->child)
				cJSON_Delete(cJSON_DetachItemViaPointer(orig, orig->child));
			while (patch->child) {
				cJSON *v = cJSON_DetachItemViaPointer(patch, patch->child);

				cJSON_AddItemToObject(orig, v->string, v);
			}
			return 0;
		}
		if (cJSON_IsString(d) && !strcmp(d->valuestring, "delete")) {
			while (orig->child)
				cJSON_Delete(cJSON_DetachItemViaPointer(orig, orig->child));
			return 0;
		}
		return fail(s, "invalid patch type %s in $patch (replace or delete)", show(buf, sizeof(buf), d));
	}
	if (apply_retain_keys(s, orig, patch) < 0)
		goto fail;
	/* $setElementOrder/<key> first (mergePatchIntoOriginal) */
	for (pv = patch->child; pv; pv = next) {
		const char *okey;
		cJSON *order;
		size_t old;

		next = pv->next;
		if (!has_prefix(pv->string, SET_ORDER))
			continue;
		old = path_push_key(s, pv->string);
		if (!(okey = after_prefix(pv->string, SET_ORDER))) {
			fail(s, "invalid key: expected %s/<field>", SET_ORDER);
			goto fail;
		}
		if (!cJSON_IsArray(pv)) {
			fail(s, "expected a sequence, not %s", gitops_json_type_name(pv));
			goto fail;
		}
		order = cJSON_DetachItemViaPointer(patch, pv);
		if (set_element_order(s, orig, patch, order, okey, c) < 0) {
			cJSON_Delete(order);
			goto fail;
		}
		cJSON_Delete(order);
		next = patch->child; /* the list it ordered left the patch */
		path_pop(s, old);
	}
	for (pv = patch->child; pv; pv = next) {
		const char *k = pv->string;
		cJSON *ov;
		int is_delete = 0, ok, pk;
		struct meta m;
		size_t old;

		next = pv->next;
		old = path_push_key(s, k);
		if (has_prefix(k, DELETE_PRIMITIVE)) {
			const char *rest = after_prefix(k, DELETE_PRIMITIVE);

			if (!rest) {
				fail(s, "invalid key: expected %s/<field>", DELETE_PRIMITIVE);
				goto fail;
			}
			is_delete = 1;
			if (*rest)
				k = rest;
			if (!cJSON_IsArray(pv) && !cJSON_IsNull(pv)) {
				fail(s, "expected a sequence, not %s", gitops_json_type_name(pv));
				goto fail;
			}
		}
		if (cJSON_IsNull(pv)) {
			cJSON_DeleteItemFromObjectCaseSensitive(orig, k);
			path_pop(s, old);
			continue;
		}
		ov = cJSON_GetObjectItemCaseSensitive(orig, k);
		if (!ov) {
			if (!is_delete) {
				cJSON *v = cJSON_DetachItemViaPointer(patch, pv);

				if (take_whole(v))
					cJSON_AddItemToObject(orig, k, v);
				else
					cJSON_Delete(v);
			}
			path_pop(s, old);
			continue;
		}
		ok = kind_of(ov);
		pk = kind_of(pv);
		if ((ok == 1 && pk == 2) || (ok == 2 && pk == 1)) {
			fail(s, "the document has %s here, the patch %s", gitops_json_type_name(ov), gitops_json_type_name(pv));
			goto fail;
		}
		if (pk == 1 && ok != 1 && (d = cJSON_GetObjectItemCaseSensitive(pv, DIRECTIVE))) {
			if (cJSON_IsString(d))
				fail(s, "$patch: %s on a primitive", d->valuestring);
			else
				fail(s, "invalid patch type %s in $patch (replace or delete)", show(buf, sizeof(buf), d));
			goto fail;
		}
		if (ok != pk) {
			if (!is_delete) {
				cJSON *v = cJSON_DetachItemViaPointer(patch, pv);

				if (take_whole(v))
					cJSON_ReplaceItemViaPointer(orig, ov, v);
				else {
					cJSON_Delete(v);
					cJSON_Delete(cJSON_DetachItemViaPointer(orig, ov));
				}
			}
			path_pop(s, old);
			continue;
		}
		if (ok == 1) {
			m = lookup(s->schema, c, k);
			if ((m.strategy & GITOPS_SMP_REPLACE) && !(m.strategy & GITOPS_SMP_MERGE)) {
				cJSON_ReplaceItemViaPointer(orig, ov, cJSON_DetachItemViaPointer(patch, pv));
			} else if (merge_map(s, ov, pv, m.sub) < 0) {
				goto fail;
			}
		} else if (ok == 2) {
			m = lookup(s->schema, c, k);
			if (slice_handler(s, orig, ov, patch, pv, &m, is_delete) < 0)
				goto fail;
		} else if (!is_delete) {
			cJSON_ReplaceItemViaPointer(orig, ov, cJSON_DetachItemViaPointer(patch, pv));
		}
		path_pop(s, old);
	}
	s->depth--;
	return 0;
fail:
	s->depth--;
	return -1;
}

int gitops_smp_apply(cJSON **doc, const cJSON *patch, const struct gitops_smp_schema *schema,
		     const char *api_version, const char *kind, struct gitops_err *err)
{
	struct state s;
	cJSON *work = NULL, *p = NULL;
	struct ctx c;
	int error = -1;

	memset(&s, 0, sizeof(s));
	s.schema = schema;
	s.err = err;
	if (!doc || !cJSON_IsObject(*doc))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "strategic merge patch: the document is not a mapping");
	if (!cJSON_IsObject(patch))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "strategic merge patch: the patch is %s, not a mapping",
				      patch ? gitops_json_type_name(patch) : "missing");
	if (!api_version)
		api_version = gitops_json_get_string(*doc, "apiVersion", NULL);
	if (!kind)
		kind = gitops_json_get_string(*doc, "kind", NULL);
	c = kind_ctx(schema, api_version, kind);
	if (!(work = gitops_value_copy(*doc)) || !(p = gitops_value_copy(patch))) {
		error = gitops_err_oom(err);
		goto done;
	}
	if (merge_map(&s, work, p, c) < 0)
		goto done;
	cJSON_Delete(*doc);
	*doc = work;
	work = NULL;
	error = 0;
done:
	cJSON_Delete(work);
	cJSON_Delete(p);
	return error;
}
