/*
 * kustomize patch stages: strategic merge as kyaml merges (merge.c), the
 * patch stages and targets (patch.c), replacements (replace.c) and vars
 * (vars.c).  Every case in kz_patch_cases.h was run through kubectl
 * kustomize v1.32.4 (kustomize v5.5.0), the oracle, and holds what it
 * printed; conformance cases that need only these stages are driven by a
 * small build that reads their resources and applies the stages.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/check_main.h"
#include "lib/base/json.h"
#include "lib/kustomize/kz_patch.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"

#include "tests/unit/kz_patch_cases.h"
#include "tests/unit/conformance.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

/* kustomize's default varReference paths the cases use */
static struct kz_fieldspec var_refs[] = {
	{ NULL, NULL, NULL, "spec/template/spec/containers/command", 0 },
	{ NULL, NULL, NULL, "spec/template/spec/containers/args", 0 },
	{ NULL, NULL, NULL, "spec/template/spec/containers/env/value", 0 },
	{ NULL, NULL, NULL, "spec/template/spec/initContainers/command", 0 },
};

static void test_config(struct kz_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->var_reference.v = var_refs;
	cfg->var_reference.n = (size_t)N(var_refs);
}

static cJSON *yaml1(const char *text)
{
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *v = NULL;

	ck_assert_msg(gitops_yaml_parse_one(&v, text, strlen(text), "test", &lim, &err) == 0, "%s", err.msg);
	return v;
}

/* What the spine strips before output: kustomize's internal annotations. */
static void strip_internal(cJSON *obj)
{
	cJSON *ann = (cJSON *)gitops_json_get(obj, "metadata", "annotations", NULL), *a, *next;

	if (!cJSON_IsObject(ann))
		return;
	for (a = ann->child; a; a = next) {
		next = a->next;
		if (a->string && !strncmp(a->string, "internal.config.kubernetes.io/", 30))
			cJSON_Delete(cJSON_DetachItemViaPointer(ann, a));
	}
	if (!ann->child)
		cJSON_DeleteItemFromObjectCaseSensitive(gitops_value_get(obj, "metadata"), "annotations");
}

static int run_stages(struct kz_resmap *m, const cJSON *k, struct kz_ctx *c, struct gitops_err *err)
{
	size_t i;

	if (kz_patches_strategic(m, k, c, err) || kz_patches(m, k, c, err) || kz_patches_json6902(m, k, c, err) ||
	    kz_replacements(m, k, c, err) || kz_vars_resolve(m, gitops_value_get(k, "vars"), c, err))
		return -1;
	/* the build's last step: scalars a replacement created read back as plain text */
	for (i = 0; i < m->n; i++)
		if (kz_untag(m->v[i], err))
			return -1;
	return 0;
}

static void compare_map(struct kz_resmap *m, const cJSON *want, const char *name)
{
	const cJSON *w;
	size_t i = 0;

	ck_assert_msg(m->n == (size_t)cJSON_GetArraySize(want), "%s: %zu objects, want %d", name, m->n,
		      cJSON_GetArraySize(want));
	cJSON_ArrayForEach(w, want) {
		char *got, *exp;

		strip_internal(m->v[i]);
		got = cJSON_PrintUnformatted(m->v[i]);
		exp = cJSON_PrintUnformatted(w);
		ck_assert_msg(gitops_value_equal(m->v[i], w), "%s: object %zu\n got %s\nwant %s", name, i, got, exp);
		free(got);
		free(exp);
		i++;
	}
}

START_TEST(oracle_case)
{
	const struct kz_case *tc = &kz_cases[_i];
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct kz_config cfg;
	struct kz_ctx c = { 0 };
	char dir[] = "/tmp/kzpatch-test-XXXXXX";
	char path[4200];
	cJSON *k = yaml1(tc->kust);
	size_t i;
	int rc;

	test_config(&cfg);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	c.dir = dir;
	c.config = &cfg;
	if (tc->file) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, tc->file);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(tc->file_text, f);
		fclose(f);
	}
	ck_assert_int_eq(kz_parse_objects(&m, tc->res, strlen(tc->res), "res.yaml", &err), 0);
	rc = run_stages(&m, k, &c, &err);
	if (tc->want[0] == '!') {
		ck_assert_msg(rc < 0, "%s: no error, want %s", tc->name, tc->want + 1);
		ck_assert_msg(!strcmp(err.msg, tc->want + 1), "%s:\n got %s\nwant %s", tc->name, err.msg, tc->want + 1);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
		/* a failed stage leaves a map that can still be released (the build as a whole fails: nothing
		 * is written, so no stage copies the map for an all-or-nothing of its own) */
		for (i = 0; i < m.n; i++)
			ck_assert(cJSON_IsObject(m.v[i]));
	} else {
		cJSON *want = cJSON_Parse(tc->want);

		ck_assert_msg(rc == 0, "%s: %s", tc->name, err.msg);
		ck_assert_ptr_nonnull(want);
		compare_map(&m, want, tc->name);
		cJSON_Delete(want);
	}
	if (tc->file)
		unlink(path);
	rmdir(dir);
	cJSON_Delete(k);
	kz_resmap_release(&m);
}
END_TEST

/* --- label selectors (Kubernetes syntax, as kustomize's target selectors read them) --- */

static const struct {
	const char *selector;
	int want;
} selectors[] = {
	{ "", 1 },
	{ "app=web", 1 },
	{ "app==web", 1 },
	{ "app=db", 0 },
	{ "app!=db", 1 },
	{ "app!=web", 0 },
	{ "app=web,tier=fe", 1 },
	{ "app=web,tier=be", 0 },
	{ "app in (db, web)", 1 },
	{ "app in (db)", 0 },
	{ "app notin (db)", 1 },
	{ "app notin (web,db)", 0 },
	{ "missing notin (x)", 1 },
	{ "missing in (x)", 0 },
	{ "tier", 1 },
	{ "missing", 0 },
	{ "!missing", 1 },
	{ "!tier", 0 },
	{ "app in (web),!missing,tier", 1 },
	{ "missing!=x", 1 },
};

START_TEST(selector_case)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *labels = yaml1("{app: web, tier: fe}");

	ck_assert_msg(kz_selector_match(selectors[_i].selector, labels, &err) == selectors[_i].want, "%s",
		      selectors[_i].selector);
	cJSON_Delete(labels);
}
END_TEST

/* --- target matching: current and original names, effective namespaces --- */

START_TEST(target_match)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *obj = yaml1("{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, labels: {app: web}}}");
	cJSON *ns = yaml1("{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: cr}}");
	static const struct {
		const char *target;
		int obj, ns;
	} t[] = {
		{ "{kind: Deployment}", 1, 0 },
		{ "{kind: Deploy}", 0, 0 },
		{ "{kind: 'Deploy.*'}", 1, 0 },
		{ "{name: 'w.b'}", 1, 0 },
		{ "{name: old}", 1, 0 },
		{ "{namespace: default}", 1, 0 },
		{ "{namespace: other}", 0, 0 },
		{ "{group: apps, version: v1}", 1, 0 },
		{ "{group: 'rbac.*'}", 0, 1 },
		{ "{group: ''}", 1, 1 },
		{ "{labelSelector: app=web}", 1, 0 },
		{ "{annotationSelector: a=b}", 0, 0 },
	};
	int i;

	/* renamed from old: the original name still selects it */
	ck_assert_int_eq(kz_res_rename(obj, "web", NULL, &err), 0);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(obj, "metadata"), "annotations",
				  yaml1("{'internal.config.kubernetes.io/previousNames': old, "
					"'internal.config.kubernetes.io/previousKinds': Deployment, "
					"'internal.config.kubernetes.io/previousNamespaces': '[noNs]'}"));
	for (i = 0; i < N(t); i++) {
		cJSON *target = yaml1(t[i].target);

		ck_assert_msg(kz_target_match(target, obj, &err) == t[i].obj, "%s on obj", t[i].target);
		ck_assert_msg(kz_target_match(target, ns, &err) == t[i].ns, "%s on ClusterRole", t[i].target);
		cJSON_Delete(target);
	}
	{
		/* RE2 has no backreferences: kustomize refuses them */
		cJSON *target = yaml1("{name: '(w)\\1eb'}");

		ck_assert_int_eq(kz_target_match(target, obj, &err), -1);
		ck_assert_str_eq(err.msg, "error parsing regexp: invalid escape sequence: `\\1`");
		cJSON_Delete(target);
	}
	cJSON_Delete(obj);
	cJSON_Delete(ns);
}
END_TEST

/* --- kz_merge directly: the patch and the document are borrowed, a delete gives NULL --- */

START_TEST(merge_direct)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *doc = yaml1("{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: '1'}}");
	cJSON *p1 = yaml1("{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {b: '2', a: null}}");
	cJSON *p2 = yaml1("{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, $patch: delete}");
	cJSON *p3 = yaml1("{data: {$patch: bogus}}");
	cJSON *p4 = yaml1("{data: 'scalar'}");
	cJSON *out = NULL, *want = yaml1("{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {b: '2'}}");

	ck_assert_int_eq(kz_merge(&out, doc, p1, NULL, &err), 0);
	ck_assert(gitops_value_equal(out, want));
	ck_assert_str_eq(gitops_json_get_string(doc, "data", "a", NULL), "1"); /* borrowed, untouched */
	cJSON_Delete(out);
	ck_assert_int_eq(kz_merge(&out, doc, p2, NULL, &err), 0);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(kz_merge(&out, doc, p3, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "unknown patch strategy 'bogus'");
	ck_assert_ptr_null(out);
	ck_assert_int_eq(kz_merge(&out, doc, p4, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "no implemented strategic merge patch strategy for '!!str' ('scalar')");
	cJSON_Delete(doc);
	cJSON_Delete(p1);
	cJSON_Delete(p2);
	cJSON_Delete(p3);
	cJSON_Delete(p4);
	cJSON_Delete(want);
}
END_TEST

/* --- plugins --- */

START_TEST(plugins)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct kz_ctx c = { 0 };
	static const char res[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: '1'}\n";
	cJSON *pt = yaml1("{apiVersion: builtin, kind: PatchTransformer, metadata: {name: p}, target: {kind: ConfigMap},"
			  " patch: '[{\"op\": \"add\", \"path\": \"/data/b\", \"value\": \"2\"}]'}");
	cJSON *pj = yaml1("{apiVersion: builtin, kind: PatchJson6902Transformer, metadata: {name: p},"
			  " target: {version: v1, kind: ConfigMap, name: cm},"
			  " patch: '[{\"op\": \"add\", \"path\": \"/data/c\", \"value\": \"3\"}]'}");
	cJSON *ps = yaml1("{apiVersion: builtin, kind: PatchStrategicMergeTransformer, metadata: {name: p},"
			  " patches: \"apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: cm}\\ndata: {d: '4'}\\n\"}");
	cJSON *rt = yaml1("{apiVersion: builtin, kind: ReplacementTransformer, metadata: {name: r},"
			  " replacements: [{source: {kind: ConfigMap, fieldPath: data.a}, targets: [{select: {kind: ConfigMap},"
			  " fieldPaths: [data.e], options: {create: true}}]}]}");
	cJSON *other = yaml1("{apiVersion: builtin, kind: LabelTransformer}");
	cJSON *want = yaml1("{apiVersion: v1, kind: ConfigMap, metadata: {name: cm},"
			    " data: {a: '1', b: '2', c: '3', d: '4', e: 1}}"); /* created: plain text, as kyaml */

	ck_assert_int_eq(kz_parse_objects(&m, res, strlen(res), "res", &err), 0);
	ck_assert_int_eq(kz_plugin_patch(&m, pt, &c, &err), 1);
	ck_assert_int_eq(kz_plugin_patch(&m, pj, &c, &err), 1);
	ck_assert_int_eq(kz_plugin_patch(&m, ps, &c, &err), 1);
	ck_assert_int_eq(kz_plugin_replace(&m, rt, &c, &err), 1);
	ck_assert_int_eq(kz_plugin_patch(&m, other, &c, &err), 0);
	ck_assert_int_eq(kz_plugin_replace(&m, other, &c, &err), 0);
	ck_assert_int_eq(kz_untag(m.v[0], &err), 0);
	strip_internal(m.v[0]);
	ck_assert_msg(gitops_value_equal(m.v[0], want), "%s", cJSON_PrintUnformatted(m.v[0]));
	kz_resmap_release(&m);
	cJSON_Delete(pt);
	cJSON_Delete(pj);
	cJSON_Delete(ps);
	cJSON_Delete(rt);
	cJSON_Delete(other);
	cJSON_Delete(want);
}
END_TEST

/* --- vars kustomize never used: its log line (kubectl kustomize prints it on stderr) --- */

static void capture(void *ctx, const char *msg)
{
	gitops_buf_addstr(ctx, msg);
}

START_TEST(vars_unused_warning)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_buf warned = GITOPS_BUF_INIT;
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct kz_config cfg;
	struct kz_ctx c = { 0 };
	static const char res[] =
		"apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {ports: [{port: 8080}]}\n---\n"
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
		"spec: {template: {spec: {containers: [{name: app, args: ['$(PORT)']}]}}}\n";
	cJSON *vars = yaml1("[{name: ZED, objref: {kind: Service, name: svc, apiVersion: v1}},"
			    " {name: PORT, objref: {kind: Service, name: svc, apiVersion: v1}, fieldref: {fieldpath: 'spec.ports[0].port'}},"
			    " {name: ALPHA, objref: {kind: Service, name: svc, apiVersion: v1}}]");

	test_config(&cfg);
	c.config = &cfg;
	c.warn = capture;
	c.warn_ctx = &warned;
	ck_assert_int_eq(kz_parse_objects(&m, res, strlen(res), "res", &err), 0);
	ck_assert_int_eq(kz_vars_resolve(&m, vars, &c, &err), 0);
	ck_assert_str_eq(warned.data, "well-defined vars that were never replaced: ALPHA,ZED");
	ck_assert_int_eq((int)gitops_json_get(m.v[1], "spec", "template", "spec", "containers", NULL)->child->child->next->child->valuedouble, 8080);
	gitops_buf_release(&warned);
	kz_resmap_release(&m);
	cJSON_Delete(vars);
}
END_TEST

/* --- conformance cases that need only these stages: a small build over their files --- */

static const char *const conformance[] = {
	"extended-patch-inlinejson", "extended-patch-inlineyaml", "extended-patch-label-selector",
	"extended-patch-name-selector", "patch-add-new-service-port", "smp-delete-on-resource",
	"keep-empty-array", "null-values1",
};

static int mini_build(struct kz_resmap *m, const char *dir, struct gitops_err *err)
{
	struct gitops_buf text = GITOPS_BUF_INIT;
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	struct kz_ctx c = { 0 };
	struct kz_config cfg;
	const cJSON *r;
	cJSON *k = NULL;
	int rc = -1;

	test_config(&cfg);
	c.dir = dir;
	c.config = &cfg;
	if (kz_load_file(&text, &c, "kustomization.yaml", 1 << 20, err) ||
	    gitops_yaml_parse_one(&k, text.data, text.len, "kustomization.yaml", &lim, err))
		goto done;
	cJSON_ArrayForEach(r, gitops_value_get(k, "resources")) {
		char sub[4096];
		struct stat st;

		snprintf(sub, sizeof(sub), "%s/%s", dir, r->valuestring);
		if (!stat(sub, &st) && S_ISDIR(st.st_mode)) {
			if (mini_build(m, sub, err))
				goto done;
			continue;
		}
		gitops_buf_release(&text);
		if (kz_load_file(&text, &c, r->valuestring, 1 << 20, err) ||
		    kz_parse_objects(m, text.data, text.len, r->valuestring, err))
			goto done;
	}
	rc = run_stages(m, k, &c, err);
done:
	gitops_buf_release(&text);
	cJSON_Delete(k);
	return rc;
}

START_TEST(conformance_case)
{
	const char *base = getenv("CONFORMANCE");
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_limits lim = GITOPS_LIMITS_INIT;
	struct gitops_yaml_reader *rd = NULL;
	struct gitops_yaml_doc d;
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct gitops_buf exp = GITOPS_BUF_INIT;
	struct kz_ctx c = { 0 };
	char dir[4096], casedir[4096];
	cJSON *want = cJSON_CreateArray(), *info = NULL;
	const char *build_dir;

	snprintf(casedir, sizeof(casedir), "%s/kustomize/cases/%s", base ? base : "../shared/conformance",
		 conformance[_i]);
	c.dir = casedir;
	if (test_conformance_absent()) {
		cJSON_Delete(want);
		return;
	}
	if (kz_load_file(&exp, &c, "case.json", 1 << 20, &err)) {
		printf("conformance case %s not found: skipped\n", conformance[_i]);
		cJSON_Delete(want);
		return;
	}
	info = cJSON_Parse(exp.data);
	build_dir = gitops_json_get_string(info, "build_dir", NULL);
	snprintf(dir, sizeof(dir), "%s/input/%s", casedir, build_dir ? build_dir : ".");
	gitops_buf_release(&exp);
	ck_assert_int_eq(kz_load_file(&exp, &c, "expected.yaml", 1 << 20, &err), 0);
	ck_assert_int_eq(gitops_yaml_reader_mem(&rd, exp.data, exp.len, "expected.yaml", &lim, &err), 0);
	while (gitops_yaml_reader_next(rd, &d, &err) == 1) {
		if (d.root)
			cJSON_AddItemToArray(want, d.root);
		d.root = NULL;
		gitops_yaml_doc_release(&d);
	}
	ck_assert_msg(mini_build(&m, dir, &err) == 0, "%s: %s", conformance[_i], err.msg);
	compare_map(&m, want, conformance[_i]);
	gitops_yaml_reader_free(rd);
	gitops_buf_release(&exp);
	kz_resmap_release(&m);
	cJSON_Delete(want);
	cJSON_Delete(info);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("kustomize_patch");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, oracle_case, 0, N(kz_cases));
	tcase_add_loop_test(tc, selector_case, 0, N(selectors));
	tcase_add_test(tc, target_match);
	tcase_add_test(tc, merge_direct);
	tcase_add_test(tc, plugins);
	tcase_add_test(tc, vars_unused_warning);
	tcase_add_loop_test(tc, conformance_case, 0, N(conformance));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
