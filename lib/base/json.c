#include "lib/base/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *walk(const cJSON *obj, va_list ap)
{
	const char *key;

	while (obj && (key = va_arg(ap, const char *)))
		obj = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	return obj;
}

const cJSON *gitops_json_get(const cJSON *obj, ...)
{
	va_list ap;

	va_start(ap, obj);
	obj = walk(obj, ap);
	va_end(ap);
	return obj;
}

const char *gitops_json_get_string(const cJSON *obj, ...)
{
	va_list ap;

	va_start(ap, obj);
	obj = walk(obj, ap);
	va_end(ap);
	return cJSON_IsString(obj) ? obj->valuestring : NULL;
}

const char *gitops_json_type_name(const cJSON *n)
{
	if (cJSON_IsObject(n))
		return "a mapping";
	if (cJSON_IsArray(n))
		return "a sequence";
	if (cJSON_IsString(n))
		return "a string";
	if (cJSON_IsBool(n))
		return "a boolean";
	if (cJSON_IsNull(n))
		return "null";
	return "a number";
}

static int by_key(const void *x, const void *y)
{
	const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;

	return strcmp(a->string ? a->string : "", b->string ? b->string : "");
}

/* The members from a and b on, which hold the same count, compared key by key after sorting. */
static int equal_unordered(const cJSON *a, const cJSON *b, size_t n)
{
	const cJSON **sa = malloc(2 * n * sizeof(*sa)), **sb;
	size_t i;
	int eq = 1;

	if (!sa)
		return 0;
	sb = sa + n;
	for (i = 0; i < n; i++, a = a->next, b = b->next) {
		sa[i] = a;
		sb[i] = b;
	}
	qsort(sa, n, sizeof(*sa), by_key);
	qsort(sb, n, sizeof(*sb), by_key);
	for (i = 0; eq && i < n; i++)
		eq = by_key(&sa[i], &sb[i]) == 0 && gitops_json_equal(sa[i], sb[i]);
	free(sa);
	return eq;
}

static size_t count_from(const cJSON *n)
{
	size_t c = 0;

	for (; n; n = n->next)
		c++;
	return c;
}

int gitops_json_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;
	size_t n;

	if (a == b)
		return 1;
	if (!a || !b || (a->type & 0xFF) != (b->type & 0xFF))
		return 0;
	switch (a->type & 0xFF) {
	case cJSON_False:
	case cJSON_True:
	case cJSON_NULL:
		return 1;
	case cJSON_Number:
		return a->valuedouble == b->valuedouble || (isnan(a->valuedouble) && isnan(b->valuedouble));
	case cJSON_String:
	case cJSON_Raw:
		return a->valuestring && b->valuestring && strcmp(a->valuestring, b->valuestring) == 0;
	case cJSON_Array:
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
			if (!gitops_json_equal(x, y))
				return 0;
		return !x && !y;
	case cJSON_Object:
		/* in step while the keys line up; the rest, if any, sorted */
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next) {
			if (!x->string || !y->string || strcmp(x->string, y->string))
				break;
			if (!gitops_json_equal(x, y))
				return 0;
		}
		if (!x || !y)
			return !x && !y;
		n = count_from(x);
		return n == count_from(y) && equal_unordered(x, y, n);
	default:
		return 0;
	}
}
