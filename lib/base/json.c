#include "lib/base/json.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* cJSON_GetObjectItemCaseSensitive, the first bytes compared before a call to strcmp */
static const cJSON *member(const cJSON *obj, const char *key)
{
	const cJSON *c;

	for (c = obj->child; c && c->string; c = c->next)
		if (c->string[0] == key[0] && strcmp(c->string, key) == 0)
			return c;
	return NULL;
}

static const cJSON *walk(const cJSON *obj, va_list ap)
{
	const char *key;

	while (obj && (key = va_arg(ap, const char *)))
		obj = cJSON_IsObject(obj) ? member(obj, key) : NULL;
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
