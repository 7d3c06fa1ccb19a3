/*
 * libFuzzer target: the serialization functions of lib/template/funcs
 * (serialize.c, fromyaml.c, toml.c), as a template calls them.
 *
 * The input is one text given to fromYaml, fromYamlArray, fromJson,
 * mustFromJson, fromJsonArray and fromToml; whatever each returns goes
 * through toYaml, toYamlPretty, toJson, toPrettyJson, toRawJson and toToml.
 * Any input must give a value or an error, never crash or leak, and JSON
 * must settle after one round trip: with J = toJson (fromJson (toJson V)),
 * toJson (fromJson J) is J.
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

/* the JSON text of V read back and written again (NULL when toJson gives "" or fails) */
static struct gitops_tmpl_value *json_again(struct gitops_tmpl_value *j)
{
	struct gitops_tmpl_value *back, *again;
	size_t len;

	if (!j || (gitops_tmpl_value_str(j, &len), len == 0))
		return NULL;
	back = call1("mustFromJson", j);
	again = call1("toJson", back);
	gitops_tmpl_value_unref(back);
	if (!again) {
		fprintf(stderr, "toJson's own output did not read back\n");
		abort();
	}
	return again;
}

/*
 * JSON round trips settle after one: toJson writes a bad UTF-8 byte as
 * \ufffd, which reads back as U+FFFD, written raw from then on (as Go does);
 * after that toJson (fromJson J) must be J.
 */
static void json_fixed_point(struct gitops_tmpl_value *v)
{
	struct gitops_tmpl_value *j1 = call1("toJson", v), *j2 = json_again(j1), *j3 = json_again(j2);
	size_t l2, l3;
	const char *s2, *s3;

	if (j2) {
		s2 = gitops_tmpl_value_str(j2, &l2);
		s3 = gitops_tmpl_value_str(j3, &l3);
		if (l2 != l3 || memcmp(s2, s3, l2) != 0) {
			fprintf(stderr, "toJson not a fixed point:\n%.*s\n%.*s\n", (int)l2, s2, (int)l3, s3);
			abort();
		}
	}
	gitops_tmpl_value_unref(j1);
	gitops_tmpl_value_unref(j2);
	gitops_tmpl_value_unref(j3);
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
