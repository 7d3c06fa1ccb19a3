/* pool: cJSON's nodes and short strings in size classes (lib/value/pool.c), and malloc's blocks beside them. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tests/unit/check_main.h"
#include "lib/template/template.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

#define POOLED (!GITOPS_POOL_ASAN) /* AddressSanitizer keeps every block with malloc (value.h) */

/* each test runs in a process of its own (Check's fork mode): the pool is installed there */
static void install(void)
{
	ck_assert_int_eq(gitops_value_pool_install(), POOLED ? 0 : -1);
	ck_assert_int_eq(gitops_value_pool_install(), POOLED ? 0 : -1); /* a second call changes nothing */
}

START_TEST(test_node_and_short_string_pooled)
{
	size_t before;
	cJSON *s;

	install();
	before = gitops_value_pool_blocks();
	s = cJSON_CreateString("short");
	ck_assert_ptr_nonnull(s);
	/* the node and its string */
	ck_assert_uint_eq(gitops_value_pool_blocks(), before + (POOLED ? 2 : 0));
	ck_assert_str_eq(s->valuestring, "short");
	cJSON_Delete(s);
	ck_assert_uint_eq(gitops_value_pool_blocks(), before);
}
END_TEST

START_TEST(test_long_string_from_malloc)
{
	char text[200];
	size_t before;
	cJSON *s;

	install();
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = 0;
	before = gitops_value_pool_blocks();
	s = cJSON_CreateString(text);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(gitops_value_pool_blocks(), before + (POOLED ? 1 : 0)); /* the node only */
	ck_assert_str_eq(s->valuestring, text);
	cJSON_Delete(s);
	ck_assert_uint_eq(gitops_value_pool_blocks(), before);
}
END_TEST

/* 64 bytes (a 63-character string) is the largest pooled size, 65 is malloc's */
START_TEST(test_class_edges)
{
	char t63[64], t64[65];
	size_t before;
	cJSON *a, *b;

	install();
	memset(t63, 'a', 63), t63[63] = 0;
	memset(t64, 'b', 64), t64[64] = 0;
	before = gitops_value_pool_blocks();
	a = cJSON_CreateString(t63);
	ck_assert_uint_eq(gitops_value_pool_blocks(), before + (POOLED ? 2 : 0));
	b = cJSON_CreateString(t64);
	ck_assert_uint_eq(gitops_value_pool_blocks(), before + (POOLED ? 3 : 0));
	ck_assert_str_eq(a->valuestring, t63);
	ck_assert_str_eq(b->valuestring, t64);
	cJSON_Delete(a);
	cJSON_Delete(b);
	ck_assert_uint_eq(gitops_value_pool_blocks(), before);
}
END_TEST

/* a freed block is the next one of its class handed out (last in, first out) */
START_TEST(test_reuse)
{
	cJSON *a, *b;
	void *where;

	install();
	a = cJSON_CreateNull();
	where = a;
	cJSON_Delete(a);
	b = cJSON_CreateNull();
	if (POOLED)
		ck_assert_ptr_eq(b, where);
	cJSON_Delete(b);
}
END_TEST

/* what malloc made (strdup) hangs on a pooled node and cJSON_Delete hands it back to free() */
START_TEST(test_malloc_string_on_pooled_node)
{
	cJSON *n, *obj;
	size_t before;

	install();
	before = gitops_value_pool_blocks();
	obj = cJSON_CreateObject();
	n = cJSON_CreateNull();
	n->type = cJSON_String;
	n->valuestring = strdup("from malloc");
	ck_assert_ptr_nonnull(n->valuestring);
	cJSON_AddItemToObject(obj, "key", n);
	/* cJSON's own key copy and a replaced value go through the hooks */
	cJSON_free(n->valuestring);
	n->valuestring = strdup("again from malloc, and longer than sixty-four bytes to be sure of it");
	cJSON_Delete(obj);
	ck_assert_uint_eq(gitops_value_pool_blocks(), before);
}
END_TEST

/* many blocks of every class over many chunks: all distinct, none written over, all returned */
START_TEST(test_many_blocks)
{
	enum { N = 40000 };
	cJSON **v = malloc(N * sizeof(*v));
	size_t before, i;
	char text[64];

	install();
	ck_assert_ptr_nonnull(v);
	before = gitops_value_pool_blocks();
	for (i = 0; i < N; i++) {
		size_t len = i % 60;

		memset(text, 'a' + (char)(i % 26), len);
		text[len] = 0;
		v[i] = cJSON_CreateString(text);
		ck_assert_ptr_nonnull(v[i]);
	}
	for (i = 0; i < N; i++) {
		size_t len = i % 60;

		/* one assertion a string (one a byte took over Check's timeout under the sanitizers) */
		memset(text, 'a' + (char)(i % 26), len);
		text[len] = 0;
		ck_assert_msg(strcmp(v[i]->valuestring, text) == 0, "block %zu: \"%s\"", i, v[i]->valuestring);
	}
	/* free every other one, make them again, then free all */
	for (i = 0; i < N; i += 2)
		cJSON_Delete(v[i]);
	for (i = 0; i < N; i += 2)
		ck_assert_ptr_nonnull(v[i] = cJSON_CreateString("again"));
	for (i = 1; i < N; i += 2)
		ck_assert_uint_eq(strlen(v[i]->valuestring), i % 60);
	for (i = 0; i < N; i++)
		cJSON_Delete(v[i]);
	ck_assert_uint_eq(gitops_value_pool_blocks(), before);
	free(v);
}
END_TEST

/* a document read, copied, compared, printed and freed on pooled memory */
START_TEST(test_trees)
{
	static const char text[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {app: web, tier: front}\n"
				   "data:\n  long: 'a value longer than sixty-four bytes, so its text comes from malloc instead'\n"
				   "  list: [1, 2.5, true, null, x]\n";
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_yaml_reader *r = NULL;
	struct gitops_yaml_doc doc;
	size_t before;
	cJSON *copy;
	char *json;

	install();
	before = gitops_value_pool_blocks();
	ck_assert_int_eq(gitops_yaml_reader_mem(&r, text, sizeof(text) - 1, "t.yaml", &limits, &err), 0);
	ck_assert_int_eq(gitops_yaml_reader_next(r, &doc, &err), 1);
	ck_assert_ptr_nonnull(doc.root);
	if (POOLED)
		ck_assert_uint_gt(gitops_value_pool_blocks(), before);
	copy = cJSON_Duplicate(doc.root, 1);
	ck_assert(gitops_value_equal(copy, doc.root));
	json = cJSON_PrintUnformatted(copy);
	ck_assert_ptr_nonnull(json);
	ck_assert_ptr_nonnull(strstr(json, "\"labels\":{\"app\":\"web\",\"tier\":\"front\"}"));
	cJSON_free(json);
	cJSON_Delete(copy);
	gitops_yaml_doc_release(&doc);
	gitops_yaml_reader_free(r);
	ck_assert_uint_eq(gitops_value_pool_blocks(), before);
}
END_TEST

/*
 * Under an address-space limit the pools take an eighth of it; once their
 * range is used up, blocks come from malloc, and both kinds free alike.
 */
START_TEST(test_full)
{
	size_t vsz = 0, page = (size_t)sysconf(_SC_PAGESIZE), cap, n, i, before;
	struct rlimit as;
	FILE *f;
	cJSON **v;

	if (!POOLED) {
		ck_assert_int_eq(gitops_value_pool_install(), -1);
		return;
	}
	ck_assert_ptr_nonnull(f = fopen("/proc/self/statm", "r"));
	ck_assert_int_eq(fscanf(f, "%zu", &vsz), 1);
	fclose(f);
	as.rlim_cur = as.rlim_max = vsz * page + ((size_t)64 << 20);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &as), 0);
	install();
	/* the range (as pool.c sizes it) holds this many 64-byte blocks */
	cap = ((size_t)as.rlim_cur / 8 & ~(((size_t)256 << 10) - 1)) / 64;
	n = cap + 1000;
	ck_assert_ptr_nonnull(v = malloc(n * sizeof(*v)));
	before = gitops_value_pool_blocks();
	for (i = 0; i < n; i++)
		ck_assert_ptr_nonnull(v[i] = cJSON_CreateNull());
	ck_assert_uint_eq(gitops_value_pool_blocks(), before + cap);
	for (i = 0; i < n; i++)
		cJSON_Delete(v[i]);
	ck_assert_uint_eq(gitops_value_pool_blocks(), before);
	/* a freed pooled block is still handed out again */
	ck_assert_ptr_nonnull(v[0] = cJSON_CreateNull());
	ck_assert_uint_eq(gitops_value_pool_blocks(), before + 1);
	cJSON_Delete(v[0]);
	free(v);
}
END_TEST

/*
 * A template value that takes a tree's strings (Helm's values, handed to the
 * engine) owns them past the tree and frees them with free(): pooled ones
 * are copied, and the value's strings are the tree's text either way.
 */
START_TEST(test_taken_by_template)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_tmpl_value *v = NULL, *x;
	cJSON *tree, *sub;
	char longer[100];

	install();
	memset(longer, 'l', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = 0;
	ck_assert_ptr_nonnull(tree = cJSON_CreateObject());
	ck_assert_ptr_nonnull(cJSON_AddStringToObject(tree, "short", "pooled"));
	ck_assert_ptr_nonnull(cJSON_AddStringToObject(tree, "long", longer));
	ck_assert_ptr_nonnull(sub = cJSON_AddObjectToObject(tree, "a key of its own, not one of the table"));
	ck_assert_ptr_nonnull(cJSON_AddStringToObject(sub, "k", "v"));
	if (POOLED)
		ck_assert(gitops_value_pool_owns(cJSON_GetObjectItem(tree, "short")->valuestring));
	ck_assert_int_eq(gitops_tmpl_value_from_tree_take(&v, tree, GITOPS_TMPL_TREE_INT64, &err), 0);
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(x = gitops_tmpl_map_get(v, "short", 5));
	ck_assert_str_eq(gitops_tmpl_value_str(x, NULL), "pooled");
	ck_assert_ptr_nonnull(x = gitops_tmpl_map_get(v, "long", 4));
	ck_assert_str_eq(gitops_tmpl_value_str(x, NULL), longer);
	gitops_tmpl_value_unref(v);
	cJSON_Delete(tree); /* still the caller's, without the strings taken */
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_node_and_short_string_pooled);
	tcase_add_test(tc, test_long_string_from_malloc);
	tcase_add_test(tc, test_class_edges);
	tcase_add_test(tc, test_reuse);
	tcase_add_test(tc, test_malloc_string_on_pooled_node);
	tcase_add_test(tc, test_many_blocks);
	tcase_add_test(tc, test_trees);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_taken_by_template);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(pool_suite());
}
