/*
 * libFuzzer target: the stream reader and the YAML writer.
 *
 * Any input must give documents or a clean error, never a crash, a leak or
 * undefined behaviour; and every document read must survive the round trip
 * read -> write -> read unchanged, with writing idempotent.  The go-yaml v2
 * writer (lib/yaml/emit.h) too: with typed numbers its output reads back
 * as the same tree; through JSON (toYaml, kustomize), where Go's JSON round
 * trip may change a value, it fails cleanly or writes what reads back and
 * writes again the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/k8s/stream.h"
#include "lib/value/value.h"
#include "lib/yaml/emit.h"
#include "lib/yaml/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int write_buf(void *ctx, const void *d, size_t len, struct gitops_err *err)
{
	return gitops_buf_add(ctx, d, len) < 0 ? gitops_err_oom(err) : 0;
}

static void check_round_trip(const cJSON *root)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *once = NULL, *twice = NULL;
	cJSON *back = NULL;

	if (gitops_yaml_dump(&once, root, &err) < 0) {
		fprintf(stderr, "writer failed on data the reader accepted: %s\n", err.msg);
		abort();
	}
	if (gitops_yaml_parse_one(&back, once, strlen(once), "out", NULL, &err) < 0) {
		fprintf(stderr, "output does not read back: %s\n%s\n", err.msg, once);
		abort();
	}
	if (!back || !gitops_value_equal(root, back)) {
		fprintf(stderr, "round trip changed the data:\n%s\n", once);
		abort();
	}
	if (gitops_yaml_dump(&twice, back, &err) < 0 || strcmp(once, twice) != 0) {
		fprintf(stderr, "writing is not idempotent:\n%s\n---\n%s\n", once, twice ? twice : "(error)");
		abort();
	}
	free(once);
	free(twice);
	cJSON_Delete(back);
}

/* go-yaml v2 writes a key "<<" plain, which any YAML 1.1 reader (its own too) takes for a merge */
static int has_merge_key(const cJSON *v)
{
	const cJSON *c;

	for (c = v->child; c; c = c->next)
		if ((c->string && !strcmp(c->string, "<<")) || has_merge_key(c))
			return 1;
	return 0;
}

static void check_goyaml(const cJSON *root, enum gitops_yaml_numbers numbers)
{
	struct gitops_yaml_style st = GITOPS_YAML_STYLE_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char *once = NULL, *twice = NULL;
	cJSON *back = NULL;

	st.numbers = numbers;
	if (gitops_yaml_dump_style(&once, root, &st, &err) < 0) {
		if (numbers == GITOPS_YAML_NUMBERS_TYPED || !err.msg[0] || strchr(err.msg, '\n')) {
			fprintf(stderr, "go-yaml writer failed: %s\n", err.msg);
			abort();
		}
		return; /* what sigs.k8s.io/yaml refuses too */
	}
	if (has_merge_key(root)) {
		free(once);
		return;
	}
	if (gitops_yaml_parse_one(&back, once, strlen(once), "out", NULL, &err) < 0) {
		fprintf(stderr, "go-yaml output does not read back: %s\n%s\n", err.msg, once);
		abort();
	}
	if (!back)
		back = cJSON_CreateNull();
	if (numbers == GITOPS_YAML_NUMBERS_TYPED && !gitops_value_equal(root, back)) {
		fprintf(stderr, "go-yaml round trip changed the data:\n%s\n", once);
		abort();
	}
	/* typed, a float -0 prints "-0", which reads back as the integer 0: only JSON's output is a fixed point */
	if (numbers == GITOPS_YAML_NUMBERS_JSON &&
	    (gitops_yaml_dump_style(&twice, back, &st, &err) < 0 || strcmp(once, twice) != 0)) {
		fprintf(stderr, "go-yaml writing is not idempotent:\n%s\n---\n%s\n", once, twice ? twice : err.msg);
		abort();
	}
	free(once);
	free(twice);
	cJSON_Delete(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	int pass;

	/* small limits keep each run fast; the limits themselves are under test too */
	limits.max_nodes = 100000;
	limits.max_alias_nodes = 10000;
	limits.max_depth = 64;
	for (pass = 0; pass < 2; pass++) {
		struct gitops_stream_reader *r;
		struct gitops_object o;
		struct gitops_stream_status st;
		struct gitops_err err = GITOPS_ERR_INIT;
		struct gitops_buf out = GITOPS_BUF_INIT;
		struct gitops_stream_writer *w = NULL;
		int n;

		if (gitops_stream_reader_mem(&r, data, size, "fuzz", &limits, pass ? 0 : GITOPS_STREAM_RAW, &err) < 0)
			abort();
		if (pass)
			gitops_stream_writer_new(&w, GITOPS_FORMAT_YAML, write_buf, &out, &err);
		while ((n = gitops_stream_read(r, &o, &err)) > 0) {
			if (!pass) {
				check_round_trip(o.json);
				check_goyaml(o.json, GITOPS_YAML_NUMBERS_TYPED);
				check_goyaml(o.json, GITOPS_YAML_NUMBERS_JSON);
			}
			else if (gitops_stream_writer_put(w, o.json, &err) < 0)
				abort();
			gitops_object_release(&o);
		}
		if (n < 0 && (!err.msg[0] || strchr(err.msg, '\n')))
			abort(); /* every error is one line with a message */
		gitops_stream_reader_status(r, &st);
		if (pass && n == 0) {
			/* a stream we write reads back complete, with the same objects */
			struct gitops_stream_reader *r2;
			size_t count = 0;
			if (gitops_stream_writer_finish(w, &err) < 0)
				abort();
			if (gitops_stream_reader_mem(&r2, out.data, out.len, "out", NULL, 0, &err) < 0)
				abort();
			while ((n = gitops_stream_read(r2, &o, &err)) > 0) {
				gitops_object_release(&o);
				count++;
			}
			if (n < 0 || count != st.objects || gitops_stream_require_complete(r2, &err) < 0) {
				fprintf(stderr, "own output: %s (%zu of %zu objects)\n", err.msg, count, st.objects);
				abort();
			}
			gitops_stream_reader_free(r2);
		}
		gitops_stream_writer_free(w);
		gitops_buf_release(&out);
		gitops_stream_reader_free(r);
	}
	return 0;
}
