/*
 * smp_check: the library's strategic merge patch against the API server's,
 * for tests/kube/t-smp.
 *
 *   smp_check BASE.json PATCH.json                 print the library's result
 *   smp_check BASE.json PATCH.json SERVER.json     compare with the server's result
 *   smp_check BASE.json PATCH.json --rejected      the server refused the patch: so must we
 *
 * BASE is the object as the server returned it (GET), so both sides start
 * from the same defaulted object.  The comparison ignores what the server
 * keeps for itself (resourceVersion, generation, managedFields, status, a
 * DaemonSet's template generation) and
 * what it defaults in values the patch added: a key only the server's result
 * has passes when the base did not have it there; an empty mapping or list
 * equals an absent one (Go's omitempty).  Exit 0: the same, 1: different
 * (the first difference on stderr), 2: usage or unreadable input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/json.h"
#include "lib/value/smp.h"
#include "lib/value/value.h"

static cJSON *read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	cJSON *v;

	if (!f)
		return NULL;
	do {
		if (len + 4096 > cap) {
			char *b = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	v = cJSON_ParseWithLength(buf, len);
	free(buf);
	return v;
}

static void strip(cJSON *obj)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	static const char *const keys[] = { "resourceVersion", "generation", "managedFields", "creationTimestamp", "uid",
					    "selfLink" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(md, keys[i]);
	/* the DaemonSet controller's bookkeeping, bumped by the server on a template change */
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(md, "annotations"),
						"deprecated.daemonset.template.generation");
	cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
}

static int empty(const cJSON *v)
{
	return !v || cJSON_IsNull(v) || ((cJSON_IsObject(v) || cJSON_IsArray(v)) && !v->child);
}

/* The item of base's list that is lib's item (by the usual merge keys), or NULL. */
static const cJSON *counterpart(const cJSON *base, const cJSON *item)
{
	static const char *const keys[] = { "name", "port", "containerPort", "mountPath", "devicePath", "ip", "key", "uid",
					    "type", "topologyKey" };
	const cJSON *b;
	size_t i;

	if (!cJSON_IsArray(base) || !cJSON_IsObject(item))
		return NULL;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(item, keys[i]);

		if (!k)
			continue;
		cJSON_ArrayForEach(b, base)
			if (gitops_value_equal(cJSON_GetObjectItemCaseSensitive(b, keys[i]), k))
				return b;
		return NULL;
	}
	return NULL;
}

static char where[1024];

static int differ(const char *path, const char *what)
{
	snprintf(where, sizeof(where), "%s: %s", *path ? path : "(top)", what);
	return 0;
}

static int covers(const cJSON *lib, const cJSON *srv, const cJSON *base, const char *path)
{
	char sub[1024];
	const cJSON *c;
	int i = 0;

	if (cJSON_IsObject(lib) && cJSON_IsObject(srv)) {
		cJSON_ArrayForEach(c, lib) {
			const cJSON *s = cJSON_GetObjectItemCaseSensitive(srv, c->string);

			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", c->string);
			if (!s) {
				if (!empty(c))
					return differ(sub, "only in the library's result");
				continue;
			}
			if (!covers(c, s, cJSON_GetObjectItemCaseSensitive(base, c->string), sub))
				return 0;
		}
		cJSON_ArrayForEach(c, srv) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", c->string);
			if (cJSON_GetObjectItemCaseSensitive(lib, c->string) || empty(c))
				continue;
			if (cJSON_IsObject(base) && cJSON_GetObjectItemCaseSensitive(base, c->string))
				return differ(sub, "the server kept it, the library dropped it");
		}
		return 1;
	}
	if (cJSON_IsArray(lib) && cJSON_IsArray(srv)) {
		const cJSON *s = srv->child;

		if (cJSON_GetArraySize(lib) != cJSON_GetArraySize(srv))
			return differ(path, "lists of different lengths");
		cJSON_ArrayForEach(c, lib) {
			snprintf(sub, sizeof(sub), "%s[%d]", path, i++);
			if (!covers(c, s, counterpart(base, c), sub))
				return 0;
			s = s->next;
		}
		return 1;
	}
	if (empty(lib) && empty(srv))
		return 1;
	if (!gitops_value_equal(lib, srv)) {
		char *a = cJSON_PrintUnformatted(lib), *b = cJSON_PrintUnformatted(srv), msg[512];

		snprintf(msg, sizeof(msg), "library %s, server %s", a ? a : "?", b ? b : "?");
		free(a);
		free(b);
		return differ(path, msg);
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *base = NULL, *patch = NULL, *doc = NULL, *srv = NULL;
	char *out;
	int rc, ret = 2;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: smp_check BASE.json PATCH.json [SERVER.json | --rejected]\n");
		return 2;
	}
	base = read_json(argv[1]);
	patch = read_json(argv[2]);
	if (!base || !patch) {
		fprintf(stderr, "smp_check: cannot read %s\n", base ? argv[2] : argv[1]);
		goto done;
	}
	doc = gitops_value_copy(base);
	rc = gitops_smp_apply(&doc, patch, NULL, NULL, NULL, &err);
	if (argc == 3) {
		if (rc < 0) {
			fprintf(stderr, "smp_check: %s\n", err.msg);
			ret = 3;
			goto done;
		}
		out = cJSON_Print(doc);
		printf("%s\n", out);
		free(out);
		ret = 0;
		goto done;
	}
	if (!strcmp(argv[3], "--rejected")) {
		if (rc == 0) {
			fprintf(stderr, "the server refused the patch, the library applied it\n");
			ret = 1;
			goto done;
		}
		printf("both refuse: %s\n", err.msg);
		ret = 0;
		goto done;
	}
	if (!(srv = read_json(argv[3]))) {
		fprintf(stderr, "smp_check: cannot read %s\n", argv[3]);
		goto done;
	}
	if (rc < 0) {
		fprintf(stderr, "the server applied the patch, the library refused it: %s\n", err.msg);
		ret = 1;
		goto done;
	}
	strip(doc);
	strip(srv);
	strip(base);
	if (!covers(doc, srv, base, "")) {
		fprintf(stderr, "%s\n", where);
		ret = 1;
		goto done;
	}
	ret = 0;
done:
	cJSON_Delete(base);
	cJSON_Delete(patch);
	cJSON_Delete(doc);
	cJSON_Delete(srv);
	return ret;
}
