/*
 * What the JSON patch fuzz targets share: cutting an input into a document
 * and a patch, reading them with cJSON, and checking a tree's links.
 *
 * An input is one of:
 *   - DOC NUL PATCH (the first NUL splits), each one JSON text;
 *   - one JSON text: a record {"doc"/"given"/"victim": D, "patch": P} or a
 *     sequence of them (the conformance files' shape; jsoncons groups with
 *     "cases" too), each run;
 *   - DOC NEWLINE PATCH otherwise (the first newline splits).
 */
#ifndef GITOPS_FUZZ_PAIRS_H
#define GITOPS_FUZZ_PAIRS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "lib/value/value.h"

typedef void (*fuzz_pair_fn)(const cJSON *doc, const cJSON *patch);

/* One whole JSON text (no trailing bytes), or NULL. */
static cJSON *fuzz_parse(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	cJSON *v;

	if (!copy)
		return NULL;
	memcpy(copy, data, size);
	copy[size] = '\0';
	/* require_null_terminated sees the NUL only when the length counts it */
	v = cJSON_ParseWithLengthOpts(copy, size + 1, NULL, 1);
	free(copy);
	return v;
}

static void fuzz_record(const cJSON *r, fuzz_pair_fn fn)
{
	const cJSON *doc = gitops_value_get(r, "doc"), *patch = gitops_value_get(r, "patch"), *c;

	if (!doc)
		doc = gitops_value_get(r, "victim");
	if (!doc)
		doc = gitops_value_get(r, "given");
	if (doc && patch)
		fn(doc, patch);
	if (doc && cJSON_IsArray(gitops_value_get(r, "cases")))
		cJSON_ArrayForEach(c, gitops_value_get(r, "cases")) if ((patch = gitops_value_get(c, "patch")))
			fn(doc, patch);
}

static void fuzz_pairs(const uint8_t *data, size_t size, fuzz_pair_fn fn)
{
	const uint8_t *cut = memchr(data, '\0', size);
	cJSON *doc, *patch, *whole, *r;

	if (!cut && (whole = fuzz_parse(data, size))) {
		if (cJSON_IsArray(whole))
			cJSON_ArrayForEach(r, whole) fuzz_record(r, fn);
		else
			fuzz_record(whole, fn);
		cJSON_Delete(whole);
		return;
	}
	if (!cut)
		cut = memchr(data, '\n', size);
	if (!cut)
		return;
	doc = fuzz_parse(data, (size_t)(cut - data));
	patch = fuzz_parse(cut + 1, size - (size_t)(cut - data) - 1);
	if (doc && patch)
		fn(doc, patch);
	cJSON_Delete(doc);
	cJSON_Delete(patch);
}

/* A tree's links as cJSON keeps them: child->prev is the last, prev/next agree, keys in mappings only. */
static void fuzz_check_links(const cJSON *n)
{
	const cJSON *c, *last = NULL;

	if (!n->child)
		return;
	for (c = n->child; c; c = c->next) {
		if (c != n->child && c->prev != last)
			abort();
		if (cJSON_IsObject(n) ? !c->string : c->string != NULL)
			abort();
		fuzz_check_links(c);
		last = c;
	}
	if (n->child->prev != last)
		abort();
}

/* Does a mapping in the tree repeat a key? (Equality and merging then follow the first.) */
static int fuzz_repeats_key(const cJSON *n)
{
	const cJSON **v, *c;
	size_t k, i;
	int rep = 0;

	for (c = n->child; c && !rep; c = c->next)
		rep = fuzz_repeats_key(c);
	if (rep || !cJSON_IsObject(n))
		return rep;
	if (gitops_value_sorted(&v, &k, n) < 0)
		abort();
	for (i = 1; i < k && !rep; i++)
		rep = strcmp(v[i - 1]->string, v[i]->string) == 0;
	free(v);
	return rep;
}

/* A message as the library must give one: some text, one line. */
static void fuzz_check_message(const char *msg)
{
	if (!msg[0] || strchr(msg, '\n')) {
		fprintf(stderr, "bad message: '%s'\n", msg);
		abort();
	}
}

#endif
