/*
 * libFuzzer target: the path parsers, the path writer, get/set/delete, Helm's --set.
 *
 * The input is one path (up to its first NUL byte), given to every syntax.
 * Any input must parse or give a clean one-line error, never a crash, a
 * leak or undefined behaviour.  A path that parses is written back in its
 * own syntax (which must work, and read back as the same steps) and in the
 * others (which may refuse); then get, set (with and without create) and
 * delete run on a small tree, with what set did checked against get.  The
 * input also goes through Helm's --set, --set-string, --set-json and
 * --set-literal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/value/path.h"
#include "lib/value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char tree_json[] =
	"{\"a\": {\"b\": [1, {\"c\": \"x\", \"name\": \"app\"}], \"d\": null, \"e\": \"s\"},"
	" \"spec\": {\"containers\": [{\"name\": \"app\", \"image\": \"i\"}, {\"name\": \"b\"}]},"
	" \"0\": \"zero\", \"-\": [\"v\", 2], \"a.b\": {\"~/\": true}}";

static void check_err(const struct gitops_err *err, const char *what)
{
	if (!err->msg[0] || strchr(err->msg, '\n')) {
		fprintf(stderr, "%s: an error must be one line with a message: '%s'\n", what, err->msg);
		abort();
	}
}

static int keys_and_indexes_only(const struct gitops_path *p)
{
	size_t i;

	if (p->flags & GITOPS_PATH_WALK_SEQ)
		return 0;
	for (i = 0; i < p->n; i++)
		if (p->steps[i].kind != GITOPS_PATH_KEY && p->steps[i].kind != GITOPS_PATH_INDEX)
			return 0;
	return 1;
}

static void check_steps(const struct gitops_path *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct gitops_path_step *s = &p->steps[i];
		if ((s->kind == GITOPS_PATH_KEY && !s->key) || (s->kind == GITOPS_PATH_MATCH && (!s->key || !s->value)) ||
		    !s->column || s->column > strlen(p->text) + 1) {
			fprintf(stderr, "step %zu is not well formed\n", i);
			abort();
		}
	}
	if (p->n > GITOPS_PATH_MAX_STEPS)
		abort();
}

static void on_tree(const struct gitops_path *p, unsigned create)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_path q = *p;
	cJSON *tree = cJSON_Parse(tree_json), *value = cJSON_CreateString("fuzz");
	const cJSON **found = NULL;
	size_t n = 0, i;
	int r;

	if (!tree || !value)
		abort();
	q.flags = p->flags | create;
	if (gitops_path_get(&found, &n, tree, &q, &err) < 0)
		abort();
	free(found);
	r = gitops_path_set(tree, &q, value, &err);
	if (r < 0) {
		check_err(&err, "set");
	} else if (r > 0 && keys_and_indexes_only(&q)) {
		/* every place set holds the value now */
		if (gitops_path_get(&found, &n, tree, &q, &err) < 0)
			abort();
		if (n != (size_t)r) {
			fprintf(stderr, "set %d places, get finds %zu\n", r, n);
			abort();
		}
		for (i = 0; i < n; i++)
			if (!cJSON_IsString(found[i]) || strcmp(found[i]->valuestring, "fuzz"))
				abort();
		free(found);
	}
	r = gitops_path_delete(tree, &q, &err);
	if (r < 0)
		check_err(&err, "delete");
	cJSON_Delete(tree);
}

static void one_syntax(const char *text, enum gitops_path_syntax syntax)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_path p = GITOPS_PATH_INIT, back = GITOPS_PATH_INIT;
	char *out = NULL, *again = NULL;
	int to;

	if (gitops_path_parse(&p, syntax, text, 0, &err) < 0) {
		check_err(&err, gitops_path_syntax_name(syntax));
		if (p.n || p.steps)
			abort();
		return;
	}
	check_steps(&p);
	/* its own syntax says it again, and that reads back the same */
	if (gitops_path_format(&out, &p, syntax, &err) < 0) {
		fprintf(stderr, "%s: '%s' parses but cannot be written back: %s\n", gitops_path_syntax_name(syntax), text,
			err.msg);
		abort();
	}
	if (gitops_path_parse(&back, syntax, out, 0, &err) < 0 || back.n != p.n ||
	    gitops_path_format(&again, &back, syntax, &err) < 0 || strcmp(out, again)) {
		fprintf(stderr, "%s: '%s' written as '%s' does not read back the same\n", gitops_path_syntax_name(syntax),
			text, out);
		abort();
	}
	free(out);
	free(again);
	gitops_path_release(&back);
	for (to = GITOPS_PATH_YAMLEDIT; to <= GITOPS_PATH_HELM; to++) {
		out = NULL;
		if (gitops_path_format(&out, &p, (enum gitops_path_syntax)to, &err) < 0)
			check_err(&err, "format");
		free(out);
	}
	on_tree(&p, 0);
	on_tree(&p, GITOPS_PATH_CREATE);
	gitops_path_release(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	int syntax, mode;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (syntax = GITOPS_PATH_YAMLEDIT; syntax <= GITOPS_PATH_HELM; syntax++)
		one_syntax(text, (enum gitops_path_syntax)syntax);
	for (mode = GITOPS_PATH_HELM_SET; mode <= GITOPS_PATH_HELM_SET_LITERAL; mode++) {
		struct gitops_err err = GITOPS_ERR_INIT;
		cJSON *values = cJSON_Parse(tree_json);
		if (!values)
			abort();
		if (gitops_path_helm_set(values, text, (enum gitops_path_helm_mode)mode, &err) < 0)
			check_err(&err, "helm");
		cJSON_Delete(values);
	}
	free(text);
	return 0;
}
