/*
 * tmpl_value.c: the engine's values (Go's types as Helm's templates see
 * them), reference counted; conversions to and from the value tree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/tmpl_int.h"
#include "lib/value/value.h"

static struct gitops_tmpl_value *new_value(enum gitops_tmpl_kind kind)
{
	struct gitops_tmpl_value *v = calloc(1, sizeof(*v));

	if (v) {
		v->kind = kind;
		v->refs = 1;
	}
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_nil(void)
{
	return new_value(GITOPS_TMPL_NIL);
}

struct gitops_tmpl_value *gitops_tmpl_value_bool(int b)
{
	struct gitops_tmpl_value *v = new_value(GITOPS_TMPL_BOOL);

	if (v)
		v->u.b = !!b;
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_int(int64_t i)
{
	struct gitops_tmpl_value *v = new_value(GITOPS_TMPL_INT);

	if (v)
		v->u.i = i;
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_int64(int64_t i)
{
	struct gitops_tmpl_value *v = new_value(GITOPS_TMPL_INT64);

	if (v)
		v->u.i = i;
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_float(double d)
{
	struct gitops_tmpl_value *v = new_value(GITOPS_TMPL_FLOAT64);

	if (v)
		v->u.f = d;
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_complex(double re, double im)
{
	struct gitops_tmpl_value *v = new_value(GITOPS_TMPL_COMPLEX128);

	if (v) {
		v->u.c.re = re;
		v->u.c.im = im;
	}
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_uint64(uint64_t u)
{
	struct gitops_tmpl_value *v = new_value(GITOPS_TMPL_UINT64);

	if (v)
		v->u.i = (int64_t)u;
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_string(const char *s, size_t len)
{
	/* the bytes right after the value, one allocation (borrowed: not freed on their own) */
	struct gitops_tmpl_value *v = len < SIZE_MAX - sizeof(*v) ? malloc(sizeof(*v) + len + 1) : NULL;

	if (!v)
		return NULL;
	memset(v, 0, sizeof(*v));
	v->kind = GITOPS_TMPL_STRING;
	v->refs = 1;
	v->borrowed = 1;
	v->u.str.s = (char *)(v + 1);
	if (len)
		memcpy(v->u.str.s, s, len);
	v->u.str.s[len] = '\0';
	v->u.str.len = len;
	return v;
}

struct gitops_tmpl_value *tmpl_value_string_owned(char *s, size_t len)
{
	struct gitops_tmpl_value *v = new_value(GITOPS_TMPL_STRING);

	if (!v) {
		free(s);
		return NULL;
	}
	v->u.str.s = s;
	v->u.str.len = len;
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_string_borrowed(const char *s, size_t len)
{
	struct gitops_tmpl_value *v = new_value(GITOPS_TMPL_STRING);

	if (!v)
		return NULL;
	v->u.str.s = (char *)s;
	v->u.str.len = len;
	v->borrowed = 1;
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_cstring(const char *s)
{
	return gitops_tmpl_value_string(s, strlen(s));
}

struct gitops_tmpl_value *gitops_tmpl_value_list(enum gitops_tmpl_kind kind)
{
	return new_value(kind == GITOPS_TMPL_STRLIST ? GITOPS_TMPL_STRLIST : GITOPS_TMPL_LIST);
}

struct gitops_tmpl_value *gitops_tmpl_value_nil_of(enum gitops_tmpl_kind kind)
{
	struct gitops_tmpl_value *v = kind == GITOPS_TMPL_MAP ? gitops_tmpl_value_map(NULL) : gitops_tmpl_value_list(kind);

	if (v)
		v->go_nil = 1;
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_named_nil_of(enum gitops_tmpl_kind kind, const char *type_name)
{
	struct gitops_tmpl_value *v = kind == GITOPS_TMPL_MAP ? gitops_tmpl_value_map(type_name)
							      : gitops_tmpl_value_named_list(kind, type_name);

	if (v)
		v->go_nil = 1;
	return v;
}

int gitops_tmpl_value_is_nil_of(const struct gitops_tmpl_value *v)
{
	return v && v->go_nil;
}

struct gitops_tmpl_value *gitops_tmpl_value_named_list(enum gitops_tmpl_kind kind, const char *type_name)
{
	struct gitops_tmpl_value *v = gitops_tmpl_value_list(kind);

	if (v && type_name) {
		v->u.list.type_name = strdup(type_name);
		if (!v->u.list.type_name) {
			free(v);
			return NULL;
		}
	}
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_map(const char *type_name)
{
	struct gitops_tmpl_value *v = new_value(GITOPS_TMPL_MAP);

	if (v && type_name) {
		v->u.map.type_name = strdup(type_name);
		if (!v->u.map.type_name) {
			free(v);
			return NULL;
		}
	}
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_struct(const char *type_name)
{
	struct gitops_tmpl_value *v = gitops_tmpl_value_map(type_name ? type_name : "struct {}");

	if (v)
		v->u.map.is_struct = 1;
	return v;
}

struct gitops_tmpl_value *gitops_tmpl_value_ref(struct gitops_tmpl_value *v)
{
	if (v)
		v->refs++;
	return v;
}

void gitops_tmpl_value_unref(struct gitops_tmpl_value *v)
{
	size_t i;

	if (!v || --v->refs)
		return;
	switch (v->kind) {
	case GITOPS_TMPL_STRING:
		if (!v->borrowed)
			free(v->u.str.s);
		break;
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		for (i = 0; i < v->u.list.n; i++)
			gitops_tmpl_value_unref(v->u.list.items[i]);
		free(v->u.list.items);
		free(v->u.list.type_name);
		gitops_tmpl_value_unref(v->u.list.tail);
		break;
	case GITOPS_TMPL_MAP:
		for (i = 0; i < v->u.map.n; i++) {
			free(v->u.map.e[i].key);
			gitops_tmpl_value_unref(v->u.map.e[i].val);
		}
		free(v->u.map.e);
		free(v->u.map.type_name);
		break;
	default:
		break;
	}
	free(v);
}

#define BYTES_TYPE "[]uint8"

/* a []byte: one UINT8 value a distinct byte, shared by the items that hold it */
struct gitops_tmpl_value *gitops_tmpl_value_bytes(const void *data, size_t len)
{
	struct gitops_tmpl_value *v = gitops_tmpl_value_named_list(GITOPS_TMPL_LIST, BYTES_TYPE), *byte[256] = { 0 };
	const unsigned char *d = data;
	size_t i;

	if (!v)
		return NULL;
	if (len && !(v->u.list.items = malloc(len * sizeof(*v->u.list.items)))) {
		gitops_tmpl_value_unref(v);
		return NULL;
	}
	v->u.list.cap = len;
	for (i = 0; i < len; i++) {
		struct gitops_tmpl_value **b = &byte[d[i]];
		if (!*b) {
			if (!(*b = new_value(GITOPS_TMPL_UINT8))) {
				gitops_tmpl_value_unref(v);
				return NULL;
			}
			(*b)->u.i = d[i];
		} else {
			(*b)->refs++;
		}
		v->u.list.items[v->u.list.n++] = *b;
	}
	return v;
}

int gitops_tmpl_value_is_bytes(const struct gitops_tmpl_value *v)
{
	return v && v->kind == GITOPS_TMPL_LIST && v->u.list.type_name && !strcmp(v->u.list.type_name, BYTES_TYPE);
}

int gitops_tmpl_value_bytes_of(struct gitops_buf *b, const struct gitops_tmpl_value *v)
{
	size_t i;

	for (i = 0; gitops_tmpl_value_is_bytes(v) && i < v->u.list.n; i++) {
		unsigned char c = (unsigned char)v->u.list.items[i]->u.i;
		if (gitops_buf_add(b, &c, 1) < 0)
			return -1;
	}
	return gitops_buf_add(b, "", 0);
}

int gitops_tmpl_list_push(struct gitops_tmpl_value *list, struct gitops_tmpl_value *item)
{
	if (!item)
		return -1;
	if (list->u.list.n == list->u.list.cap) {
		size_t cap = list->u.list.cap ? list->u.list.cap * 2 : 4;
		struct gitops_tmpl_value **items = realloc(list->u.list.items, cap * sizeof(*items));
		if (!items) {
			gitops_tmpl_value_unref(item);
			return -1;
		}
		list->u.list.items = items;
		list->u.list.cap = cap;
	}
	list->u.list.items[list->u.list.n++] = item;
	list->go_nil = 0;
	if (list->u.list.tail) {
		/* an append into a slice's spare room: the items past it are not kept (builders never do it) */
		gitops_tmpl_value_unref(list->u.list.tail);
		list->u.list.tail = NULL;
		list->u.list.tail_off = 0;
	}
	if (list->u.list.gocap && list->u.list.n > list->u.list.gocap)
		list->u.list.gocap = 0;
	return 0;
}

const struct gitops_tmpl_value *tmpl_named_int(const struct gitops_tmpl_value *v)
{
	const struct gitops_tmpl_value *n;

	if (!v || v->kind != GITOPS_TMPL_MAP || !v->u.map.is_struct)
		return NULL;
	n = gitops_tmpl_map_get(v, GITOPS_TMPL_INTEGER, sizeof(GITOPS_TMPL_INTEGER) - 1);
	return n && n->kind == GITOPS_TMPL_INT64 ? n : NULL;
}

size_t tmpl_go_cap(const struct gitops_tmpl_value *l)
{
	return l->u.list.gocap > l->u.list.n ? l->u.list.gocap : l->u.list.n;
}

/* Go 1.23's runtime: malloc's size classes and roundupsize */
static const unsigned short size_classes[] = {
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416,
	448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200,
	3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384,
	18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
};

static size_t roundupsize(size_t size, int noscan)
{
	size_t req = size, i;

	if (size <= 32768 - 8) {
		if (!noscan && req > 512)
			req += 8; /* the malloc header of a pointerful object */
		for (i = 0; i < sizeof(size_classes) / sizeof(size_classes[0]); i++)
			if (size_classes[i] >= req)
				return size_classes[i] - (req - size);
	}
	if (size > SIZE_MAX - 8191)
		return size;
	return (size + 8191) & ~(size_t)8191;
}

size_t tmpl_go_grow(size_t oldcap, size_t newlen, size_t esize, int noscan)
{
	size_t newcap = oldcap, doublecap = oldcap * 2;

	if (newlen > doublecap) {
		newcap = newlen;
	} else if (oldcap < 256) {
		newcap = doublecap;
	} else {
		while (newcap < newlen)
			newcap += (newcap + 3 * 256) >> 2;
	}
	if (newcap > SIZE_MAX / esize / 2)
		return newcap;
	return roundupsize(newcap * esize, noscan) / esize;
}

size_t tmpl_go_append_cap(size_t cap0, size_t n, size_t esize, int noscan)
{
	size_t cap = cap0;

	while (cap < n)
		cap = tmpl_go_grow(cap, cap + 1, esize, noscan);
	return cap;
}

void tmpl_set_append_cap(struct gitops_tmpl_value *l, size_t cap0)
{
	l->u.list.gocap = tmpl_go_append_cap(cap0, l->u.list.n, 16, 0);
}

int tmpl_keycmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* index of key, or -(insertion point)-1 */
static long map_find(const struct gitops_tmpl_value *map, const char *key, size_t klen)
{
	size_t lo = 0, hi = map->u.map.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct tmpl_entry *e = &map->u.map.e[mid];
		int c;
		/* keys mostly differ in their first byte: memcmp's order without a call to it */
		if (e->klen && klen && (unsigned char)e->key[0] != (unsigned char)key[0])
			c = (unsigned char)e->key[0] < (unsigned char)key[0] ? -1 : 1;
		else
			c = tmpl_keycmp(e->key, e->klen, key, klen);
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

/* key's entry: the value replaced, or key (malloc'ed by the caller, or NULL: a copy of it made) inserted */
static int map_put(struct gitops_tmpl_value *map, const char *key, size_t klen, char *owned,
		   struct gitops_tmpl_value *val)
{
	long at;
	size_t i;
	char *k = owned;

	if (!val)
		goto oom;
	at = map_find(map, key, klen);
	if (at >= 0) {
		gitops_tmpl_value_unref(map->u.map.e[at].val);
		map->u.map.e[at].val = val;
		free(owned);
		return 0;
	}
	i = (size_t)(-at - 1);
	if (map->u.map.n == map->u.map.cap) {
		size_t cap = map->u.map.cap ? map->u.map.cap * 2 : 4;
		struct tmpl_entry *e = realloc(map->u.map.e, cap * sizeof(*e));
		if (!e)
			goto oom;
		map->u.map.e = e;
		map->u.map.cap = cap;
	}
	if (!k) {
		k = malloc(klen + 1);
		if (!k)
			goto oom;
		memcpy(k, key, klen);
		k[klen] = '\0';
	}
	memmove(&map->u.map.e[i + 1], &map->u.map.e[i], (map->u.map.n - i) * sizeof(map->u.map.e[0]));
	map->u.map.e[i].key = k;
	map->u.map.e[i].klen = klen;
	map->u.map.e[i].val = val;
	map->u.map.n++;
	return 0;
oom:
	free(owned);
	gitops_tmpl_value_unref(val);
	return -1;
}

int gitops_tmpl_map_set(struct gitops_tmpl_value *map, const char *key, size_t klen, struct gitops_tmpl_value *val)
{
	return map_put(map, key, klen, NULL, val);
}

int tmpl_map_set_owned(struct gitops_tmpl_value *map, char *key, size_t klen, struct gitops_tmpl_value *val)
{
	return map_put(map, key, klen, key, val);
}

struct gitops_tmpl_value *gitops_tmpl_map_get(const struct gitops_tmpl_value *map, const char *key, size_t klen)
{
	long at;

	if (!map || map->kind != GITOPS_TMPL_MAP)
		return NULL;
	at = map_find(map, key, klen);
	return at >= 0 ? map->u.map.e[at].val : NULL;
}

int gitops_tmpl_map_delete(struct gitops_tmpl_value *map, const char *key, size_t klen)
{
	long at = map_find(map, key, klen);
	size_t i;

	if (at < 0)
		return 0;
	i = (size_t)at;
	free(map->u.map.e[i].key);
	gitops_tmpl_value_unref(map->u.map.e[i].val);
	memmove(&map->u.map.e[i], &map->u.map.e[i + 1], (map->u.map.n - i - 1) * sizeof(map->u.map.e[0]));
	map->u.map.n--;
	return 1;
}

enum gitops_tmpl_kind gitops_tmpl_value_kind(const struct gitops_tmpl_value *v)
{
	return v ? v->kind : GITOPS_TMPL_NIL;
}

int gitops_tmpl_value_bool_of(const struct gitops_tmpl_value *v)
{
	return v && v->kind == GITOPS_TMPL_BOOL && v->u.b;
}

int64_t gitops_tmpl_value_int_of(const struct gitops_tmpl_value *v)
{
	if (!v)
		return 0;
	if (v->kind == GITOPS_TMPL_INT || v->kind == GITOPS_TMPL_INT64 || v->kind == GITOPS_TMPL_UINT8 ||
	    v->kind == GITOPS_TMPL_UINT64)
		return v->u.i;
	return 0;
}

double gitops_tmpl_value_float_of(const struct gitops_tmpl_value *v)
{
	return v && v->kind == GITOPS_TMPL_FLOAT64 ? v->u.f : 0;
}

const char *gitops_tmpl_value_str(const struct gitops_tmpl_value *v, size_t *len)
{
	if (!v || v->kind != GITOPS_TMPL_STRING) {
		if (len)
			*len = 0;
		return "";
	}
	if (len)
		*len = v->u.str.len;
	return v->u.str.s;
}

size_t gitops_tmpl_value_len(const struct gitops_tmpl_value *v)
{
	if (!v)
		return 0;
	switch (v->kind) {
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		return v->u.list.n;
	case GITOPS_TMPL_MAP:
		return v->u.map.n;
	case GITOPS_TMPL_STRING:
		return v->u.str.len;
	default:
		return 0;
	}
}

struct gitops_tmpl_value *gitops_tmpl_value_item(const struct gitops_tmpl_value *v, size_t i)
{
	if (!v || i >= gitops_tmpl_value_len(v))
		return NULL;
	if (v->kind == GITOPS_TMPL_MAP)
		return v->u.map.e[i].val;
	if (v->kind == GITOPS_TMPL_LIST || v->kind == GITOPS_TMPL_STRLIST)
		return v->u.list.items[i];
	return NULL;
}

const char *gitops_tmpl_value_key(const struct gitops_tmpl_value *v, size_t i, size_t *klen)
{
	if (!v || v->kind != GITOPS_TMPL_MAP || i >= v->u.map.n)
		return NULL;
	if (klen)
		*klen = v->u.map.e[i].klen;
	return v->u.map.e[i].key;
}

const char *gitops_tmpl_value_type_name(const struct gitops_tmpl_value *v)
{
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_NIL:
		return "<nil>";
	case GITOPS_TMPL_BOOL:
		return "bool";
	case GITOPS_TMPL_INT:
		return "int";
	case GITOPS_TMPL_INT64:
		return "int64";
	case GITOPS_TMPL_UINT8:
		return "uint8";
	case GITOPS_TMPL_UINT64:
		return "uint64";
	case GITOPS_TMPL_FLOAT64:
		return "float64";
	case GITOPS_TMPL_COMPLEX128:
		return "complex128";
	case GITOPS_TMPL_STRING:
		return "string";
	case GITOPS_TMPL_LIST:
		return v->u.list.type_name ? v->u.list.type_name : "[]interface {}";
	case GITOPS_TMPL_STRLIST:
		return v->u.list.type_name ? v->u.list.type_name : "[]string";
	case GITOPS_TMPL_MAP:
		return v->u.map.type_name ? v->u.map.type_name : "map[string]interface {}";
	}
	return "<nil>";
}

int gitops_tmpl_value_truth(const struct gitops_tmpl_value *v)
{
	if (tmpl_named_int(v))
		return tmpl_named_int(v)->u.i != 0; /* time.Weekday: Sunday (0) is false */
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_NIL:
		return 0;
	case GITOPS_TMPL_BOOL:
		return v->u.b;
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8:
	case GITOPS_TMPL_UINT64:
		return v->u.i != 0;
	case GITOPS_TMPL_FLOAT64:
		return v->u.f != 0;
	case GITOPS_TMPL_COMPLEX128:
		return v->u.c.re != 0 || v->u.c.im != 0;
	default:
		return gitops_tmpl_value_len(v) > 0;
	}
}

/* --- the value tree --- */

/* take: t's malloc'ed strings (not a reference's, not a constant key) move into the value */
static struct gitops_tmpl_value *from_tree(cJSON *t, unsigned flags, int take, int depth)
{
	struct gitops_tmpl_value *v = NULL;
	cJSON *c;
	int64_t i;

	if (depth > 10000)
		return NULL;
	switch (gitops_value_kind(t)) {
	case GITOPS_VALUE_KIND_NULL:
	case GITOPS_VALUE_KIND_INVALID:
		return gitops_tmpl_value_nil();
	case GITOPS_VALUE_KIND_BOOL:
		return gitops_tmpl_value_bool(cJSON_IsTrue(t));
	case GITOPS_VALUE_KIND_INT:
		if ((flags & GITOPS_TMPL_TREE_INT64) && gitops_value_get_int(&i, t, 0) == 0)
			return gitops_tmpl_value_int64(i);
		if (gitops_value_is_bigint(t) && t->valuestring)
			return gitops_tmpl_value_float(strtod(t->valuestring, NULL));
		return gitops_tmpl_value_float(t->valuedouble);
	case GITOPS_VALUE_KIND_FLOAT:
		return gitops_tmpl_value_float(t->valuedouble);
	case GITOPS_VALUE_KIND_STRING:
		/* (a pooled string, value.h, is copied: a string value's bytes go back through free()) */
		if (take && t->valuestring && !(t->type & cJSON_IsReference) && !gitops_value_pool_owns(t->valuestring)) {
			/* a string value owning the tree's bytes (not borrowed: freed with it) */
			v = new_value(GITOPS_TMPL_STRING);
			if (!v)
				return NULL;
			v->u.str.s = t->valuestring;
			v->u.str.len = strlen(t->valuestring);
			t->valuestring = NULL;
			return v;
		}
		return gitops_tmpl_value_cstring(t->valuestring ? t->valuestring : "");
	case GITOPS_VALUE_KIND_SEQ:
		v = gitops_tmpl_value_list(GITOPS_TMPL_LIST);
		if (!v)
			return NULL;
		cJSON_ArrayForEach(c, t) {
			if (gitops_tmpl_list_push(v, from_tree(c, flags, take, depth + 1)) < 0)
				goto fail;
		}
		/* Helm decodes values through encoding/json (--set's {a,b} lists append too): its capacity */
		tmpl_set_append_cap(v, 0);
		return v;
	case GITOPS_VALUE_KIND_MAP:
		v = gitops_tmpl_value_map(NULL);
		if (!v)
			return NULL;
		cJSON_ArrayForEach(c, t) {
			struct gitops_tmpl_value *cv = from_tree(c, flags, take, depth + 1);
			if (take && c->string && !(c->type & cJSON_StringIsConst) && !gitops_value_pool_owns(c->string)) {
				char *k = c->string;
				c->string = NULL;
				if (tmpl_map_set_owned(v, k, strlen(k), cv) < 0)
					goto fail;
			} else {
				const char *k = c->string ? c->string : "";
				if (gitops_tmpl_map_set(v, k, strlen(k), cv) < 0)
					goto fail;
			}
		}
		return v;
	}
	return NULL;
fail:
	gitops_tmpl_value_unref(v);
	return NULL;
}

int gitops_tmpl_value_from_tree(struct gitops_tmpl_value **out, const cJSON *tree, unsigned flags,
				struct gitops_err *err)
{
	/* not taking: the tree is only read */
	*out = from_tree((cJSON *)tree, flags, 0, 0);
	if (!*out)
		return gitops_err_oom(err);
	return 0;
}

int gitops_tmpl_value_from_tree_take(struct gitops_tmpl_value **out, cJSON *tree, unsigned flags,
				     struct gitops_err *err)
{
	*out = from_tree(tree, flags, 1, 0);
	if (!*out)
		return gitops_err_oom(err);
	return 0;
}

/*
 * take: a string's bytes and a map's keys that no other value shares (refs
 * 1) and that are malloc'ed on their own move into the tree, v left without
 * them (empty strings, keyless entries: only to be unref'd)
 */
static cJSON *to_tree(const struct gitops_tmpl_value *v, int take, int depth)
{
	cJSON *t = NULL, *c;
	size_t i;

	if (depth > 10000)
		return NULL;
	if (gitops_tmpl_value_is_nil_of(v))
		return cJSON_CreateNull();
	switch (gitops_tmpl_value_kind(v)) {
	case GITOPS_TMPL_NIL:
		return cJSON_CreateNull();
	case GITOPS_TMPL_BOOL:
		return cJSON_CreateBool(v->u.b);
	case GITOPS_TMPL_INT:
	case GITOPS_TMPL_INT64:
	case GITOPS_TMPL_UINT8:
	case GITOPS_TMPL_UINT64:
		return gitops_value_new_int(v->u.i);
	case GITOPS_TMPL_FLOAT64:
		return gitops_value_new_float(v->u.f);
	case GITOPS_TMPL_COMPLEX128: {
		/* no JSON for it: the text Go prints ("(0+1i)") */
		struct gitops_buf b = GITOPS_BUF_INIT;
		struct gitops_tmpl_value *const one[1] = { (struct gitops_tmpl_value *)v };
		if (gitops_tmpl_sprint(&b, one, 1) < 0 || gitops_buf_add(&b, "", 0) < 0) {
			gitops_buf_release(&b);
			return NULL;
		}
		t = cJSON_CreateString(b.data);
		gitops_buf_release(&b);
		return t;
	}
	case GITOPS_TMPL_STRING:
		if (take && v->refs == 1 && !v->borrowed && v->u.str.s) {
			struct gitops_tmpl_value *w = (struct gitops_tmpl_value *)v;
			t = cJSON_CreateNull();
			if (!t)
				return NULL;
			t->type = cJSON_String;
			t->valuestring = w->u.str.s;
			w->u.str.s = NULL;
			w->u.str.len = 0;
			return t;
		}
		return cJSON_CreateString(v->u.str.s);
	case GITOPS_TMPL_LIST:
	case GITOPS_TMPL_STRLIST:
		t = cJSON_CreateArray();
		for (i = 0; t && i < v->u.list.n; i++) {
			if (!(c = to_tree(v->u.list.items[i], take, depth + 1)))
				goto fail;
			cJSON_AddItemToArray(t, c);
		}
		return t;
	case GITOPS_TMPL_MAP:
		t = cJSON_CreateObject();
		for (i = 0; t && i < v->u.map.n; i++) {
			struct tmpl_entry *e = (struct tmpl_entry *)&v->u.map.e[i];
			if (!(c = to_tree(e->val, take, depth + 1)))
				goto fail;
			if (take && v->refs == 1 && e->key) {
				/* the key moves: added as a constant one, then made the item's own (cJSON frees it) */
				if (!cJSON_AddItemToObjectCS(t, e->key, c)) {
					cJSON_Delete(c);
					goto fail;
				}
				c->type &= ~cJSON_StringIsConst;
				e->key = NULL;
			} else {
				cJSON_AddItemToObject(t, e->key, c);
			}
		}
		return t;
	}
	return NULL;
fail:
	cJSON_Delete(t);
	return NULL;
}

cJSON *gitops_tmpl_value_to_tree(const struct gitops_tmpl_value *v)
{
	return to_tree(v, 0, 0);
}

cJSON *gitops_tmpl_value_to_tree_take(struct gitops_tmpl_value *v)
{
	return to_tree(v, 1, 0);
}
