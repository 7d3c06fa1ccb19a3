/*
 * libFuzzer target: the serialization functions of lib/template/funcs
 * (serialize.c, fromyaml.c, toml.c), as a template calls them.
 *
 * The input is one text given to fromYaml, fromYamlArray, fromJson,
 * mustFromJson, fromJsonArray and fromToml; whatever each returns goes
 * through toYaml, toYamlPretty, toJson, toPrettyJson, toRawJson and toToml.
 * Any input must give a value or an error, never crash or leak, and JSON
 * must be a fixed point: toJson (fromJson (toJson V)) is toJson V.
 *
 * Templates run these on the executor's own stack (512 MB, template.h):
 * nesting up to the readers' bounds (10,000 flow and 10,000 block
 * collections) recurses deeper than a thread's default stack holds under
 * ASan, so each input runs on a thread with a stack of 256 MB.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/funcs/funcs.h"
#include "lib/template/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gitops_tmpl_func *table;
static size_t ntable;

static const struct gitops_tmpl_func *find(const char *name)
{
	size_t i;

	if (!table && gitops_tmpl_funcs_table(&table, &ntable) < 0)
		abort();
	for (i = ntable; i > 0; i--)
		if (strcmp(table[i - 1].name, name) == 0)
			return &table[i - 1];
	abort();
}

/* NAME ARG: the result (one reference, NULL for nil or an error) */
static struct gitops_tmpl_value *call1(const char *name, struct gitops_tmpl_value *arg)
{
	struct gitops_tmpl_value *out = NULL, *nil = NULL;
	struct gitops_err err = { 0 };
	struct gitops_tmpl_value *const args[1] = { arg ? arg : (nil = gitops_tmpl_value_nil()) };

	if (find(name)->fn(&out, NULL, args, 1, &err) < 0) {
		if (!err.msg[0])
			abort(); /* every failure says why */
		out = NULL;
	}
	gitops_tmpl_value_unref(nil);
	return out;
}

/* every writer over v */
static void write_all(struct gitops_tmpl_value *v)
{
	static const char *const writers[] = { "toYaml", "toYamlPretty", "toJson", "toPrettyJson", "toRawJson",
					       "toToml" };
	size_t i;

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		gitops_tmpl_value_unref(call1(writers[i], v));
}

/* toJson V, then fromJson / mustFromJson of it must write the same text again */
static void json_fixed_point(struct gitops_tmpl_value *v)
{
	struct gitops_tmpl_value *j1 = call1("toJson", v), *back, *j2;
	size_t l1, l2;
	const char *s1, *s2;

	if (!j1)
		return;
	s1 = gitops_tmpl_value_str(j1, &l1);
	if (l1) {
		back = call1("mustFromJson", j1);
		j2 = call1("toJson", back);
		s2 = j2 ? gitops_tmpl_value_str(j2, &l2) : NULL;
		if (!s2 || l1 != l2 || memcmp(s1, s2, l1) != 0) {
			fprintf(stderr, "toJson not a fixed point:\n%.*s\n%.*s\n", (int)l1, s1, s2 ? (int)l2 : 0,
				s2 ? s2 : "");
			abort();
		}
		gitops_tmpl_value_unref(back);
		gitops_tmpl_value_unref(j2);
	}
	gitops_tmpl_value_unref(j1);
}

struct input {
	const uint8_t *data;
	size_t size;
};

static void *run(void *arg)
{
	static const char *const readers[] = { "fromYaml", "fromYamlArray", "fromJson", "mustFromJson",
					       "fromJsonArray", "fromToml" };
	const struct input *in = arg;
	struct gitops_tmpl_value *text = gitops_tmpl_value_string((const char *)in->data, in->size), *v;
	size_t i;

	if (!text)
		return NULL;
	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		v = call1(readers[i], text);
		write_all(v);
		json_fixed_point(v);
		gitops_tmpl_value_unref(v);
	}
	gitops_tmpl_value_unref(text);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	pthread_attr_t attr;
	pthread_t t;

	find("toJson");
	if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, 256u << 20) != 0 ||
	    pthread_create(&t, &attr, run, &in) != 0)
		abort();
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
	return 0;
}
