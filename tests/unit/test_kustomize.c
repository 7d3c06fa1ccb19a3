/* The Kustomize build's spine: reading a kustomization, the loader, the output order. */
#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/json.h"
#include "lib/kustomize/kustomize.h"
#include "lib/kustomize/kz_remote.h"
#include "lib/kustomize/spine.h"
#include "tests/unit/check_main.h"

/* --- reading a kustomization --- */

struct parse_case {
	const char *what, *text;
	const char *err;      /* NULL: accepted */
	const char *warnings; /* the warnings, each ending with '\n' */
	const char *check;    /* accepted: "field=value" that must hold after the fix-ups (a string field) */
};

static const struct parse_case parse_cases[] = {
	{ "minimal", "resources: [a.yaml]\n", NULL, "", "kind=Kustomization" },
	{ "apiVersion filled in", "resources: [a.yaml]\n", NULL, "", "apiVersion=kustomize.config.k8s.io/v1beta1" },
	{ "a Component's apiVersion", "kind: Component\nresources: []\n", NULL, "",
	  "apiVersion=kustomize.config.k8s.io/v1alpha1" },
	{ "unknown field", "resorces: [a]\n", "invalid Kustomization: json: unknown field \"resorces\"", NULL, NULL },
	{ "a field's name in another case", "Resources: [a]\nNamePrefix: p-\n", NULL, "", "namePrefix=p-" },
	{ "unknown nested field", "patches:\n- path: p.yaml\n  targets: {}\n",
	  "invalid Kustomization: json: unknown field \"targets\"", NULL, NULL },
	{ "list given a string", "resources: a.yaml\n",
	  "invalid Kustomization: json: cannot unmarshal string into Go struct field Kustomization.resources of type "
	  "[]string", NULL, NULL },
	{ "nested type", "patches:\n- path: [1]\n",
	  "invalid Kustomization: json: cannot unmarshal array into Go struct field Patch.patches.path of type string",
	  NULL, NULL },
	{ "map value", "commonLabels: {a: 1}\n",
	  "invalid Kustomization: json: cannot unmarshal number into Go struct field Kustomization.commonLabels of type "
	  "string", NULL, NULL },
	{ "bool", "generatorOptions: {disableNameSuffixHash: \"x\"}\n",
	  "invalid Kustomization: json: cannot unmarshal string into Go struct field "
	  "GeneratorOptions.generatorOptions.disableNameSuffixHash of type bool", NULL, NULL },
	{ "struct list of the wrong kind", "replicas: 3\n",
	  "invalid Kustomization: json: cannot unmarshal number into Go struct field Kustomization.replicas of type "
	  "[]types.Replica", NULL, NULL },
	{ "empty", "", "kustomization.yaml is empty", NULL, NULL },
	{ "only kind", "kind: Foo\n", "kustomization.yaml is empty", NULL, NULL },
	{ "kind", "kind: Foo\nresources: []\n",
	  "Failed to read kustomization file under /r: kind should be Kustomization or Component", NULL, NULL },
	{ "apiVersion", "apiVersion: v9\nkind: Kustomization\nresources: []\n",
	  "Failed to read kustomization file under /r: apiVersion for Kustomization should be "
	  "kustomize.config.k8s.io/v1beta1", NULL, NULL },
	{ "a Component of v1beta1", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\nresources: []\n",
	  "Failed to read kustomization file under /r: apiVersion for Component should be "
	  "kustomize.config.k8s.io/v1alpha1", NULL, NULL },
	{ "deprecations", "vars: []\nbases: []\ncommonLabels: {a: b}\n", NULL,
	  "'bases' is deprecated. Please use 'resources' instead. Run 'kustomize edit fix' to update your Kustomization "
	  "automatically.\n'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update "
	  "your Kustomization automatically.\n'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run "
	  "'kustomize edit fix' to update your Kustomization automatically.\n", NULL },
	{ "not a mapping", "- a\n",
	  "invalid Kustomization: json: cannot unmarshal array into Go value of type types.Kustomization", NULL, NULL },
};

static void collect_warning(void *ctx, const char *msg)
{
	char *b = ctx;

	strcat(b, msg);
	strcat(b, "\n");
}

START_TEST(test_parse)
{
	const struct parse_case *c = &parse_cases[_i];
	struct gitops_err err = GITOPS_ERR_INIT;
	char warnings[4096] = "";
	cJSON *k = NULL;
	int rc;

	rc = kz_kustomization_parse(&k, c->text, strlen(c->text), "kustomization.yaml", "/r", collect_warning, warnings,
				    &err);
	if (c->err) {
		ck_assert_msg(rc < 0, "%s: accepted", c->what);
		ck_assert_str_eq(err.msg, c->err);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
		ck_assert_ptr_null(k);
		return;
	}
	ck_assert_msg(rc == 0, "%s: %s", c->what, err.msg);
	ck_assert_str_eq(warnings, c->warnings);
	if (c->check) {
		char field[64];
		const char *eq = strchr(c->check, '=');
		snprintf(field, sizeof(field), "%.*s", (int)(eq - c->check), c->check);
		ck_assert_str_eq(gitops_json_get_string(k, field, NULL), eq + 1);
	}
	cJSON_Delete(k);
}
END_TEST

START_TEST(test_fix_ups)
{
	const char *text = "resources: [a.yaml]\nbases: [../base]\nimageTags: [{name: x, newTag: \"1\"}]\n"
			   "configMapGenerator:\n- name: c\n  env: e.env\n  envs: [f.env]\n";
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *k = NULL;
	char *s;

	ck_assert_int_eq(kz_kustomization_parse(&k, text, strlen(text), "kustomization.yaml", "/r", NULL, NULL, &err), 0);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(k, "bases"));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(k, "imageTags"));
	s = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(k, "resources"));
	ck_assert_str_eq(s, "[\"a.yaml\",\"../base\"]");
	free(s);
	s = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(k, "configMapGenerator"));
	ck_assert_str_eq(s, "[{\"name\":\"c\",\"envs\":[\"f.env\",\"e.env\"]}]");
	free(s);
	ck_assert_str_eq(gitops_json_get_string(k, "images", "0", NULL) ? "?" : "ok", "ok");
	cJSON_Delete(k);
}
END_TEST

/* --- builds on a scratch tree --- */

static char base[PATH_MAX];

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	for (slash = strchr(path + strlen(base) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* checked fixture: the scratch tree goes, whatever the test did */
static void scratch_remove(void)
{
	if (base[0])
		nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	base[0] = '\0';
}

static void scratch(void)
{
	snprintf(base, sizeof(base), "%s/kz-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(base));
}

/* "Kind/name" of each object, one line each */
static char *names(const struct kz_resmap *m)
{
	static char out[4096];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < m->n; i++) {
		strcat(out, gitops_json_get_string(m->v[i], "kind", NULL));
		strcat(out, "/");
		strcat(out, gitops_json_get_string(m->v[i], "metadata", "name", NULL));
		strcat(out, "\n");
	}
	return out;
}

#define OBJ(av, kind, name) "---\napiVersion: " av "\nkind: " kind "\nmetadata: {name: " name "}\n"

START_TEST(test_build_order)
{
	struct gitops_kustomize_options opts = GITOPS_KUSTOMIZE_OPTIONS_INIT;
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char dir[PATH_MAX];

	scratch();
	put("app/kustomization.yaml", "resources: [objs.yaml, ../base]\n");
	put("app/objs.yaml", OBJ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "v")
		OBJ("apps/v1", "Deployment", "d") OBJ("v1", "Pod", "p") OBJ("v1", "List", "l") "items: []\n");
	put("base/kustomization.yaml", "resources: [ns.yaml]\n");
	put("base/ns.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: "
			    "n}\n- apiVersion: example.com/v1\n  kind: Namespace\n  metadata: {name: x}\n");
	snprintf(dir, sizeof(dir), "%s/app", base);
	ck_assert_msg(gitops_kustomize_build(&m, dir, &opts, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(names(&m), "Namespace/n\nNamespace/x\nDeployment/d\nPod/p\nValidatingWebhookConfiguration/v\n");
	kz_resmap_release(&m);
	opts.reorder = GITOPS_KUSTOMIZE_REORDER_NONE;
	ck_assert_msg(gitops_kustomize_build(&m, dir, &opts, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(names(&m), "ValidatingWebhookConfiguration/v\nDeployment/d\nPod/p\nNamespace/n\nNamespace/x\n");
	kz_resmap_release(&m);
}
END_TEST

START_TEST(test_build_restrictor)
{
	struct gitops_kustomize_options opts = GITOPS_KUSTOMIZE_OPTIONS_INIT;
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char dir[PATH_MAX], link[PATH_MAX];

	scratch();
	put("app/kustomization.yaml", "resources: [in.yaml]\n");
	put("out.yaml", OBJ("v1", "ConfigMap", "out"));
	snprintf(link, sizeof(link), "%s/app/in.yaml", base);
	ck_assert_int_eq(symlink("../out.yaml", link), 0);
	snprintf(dir, sizeof(dir), "%s/app", base);
	ck_assert_int_eq(gitops_kustomize_build(&m, dir, &opts, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "security; file '"));
	ck_assert_ptr_nonnull(strstr(err.msg, "/app/in.yaml' is not in or below '"));
	kz_resmap_release(&m);
	opts.load_restrictor = GITOPS_KUSTOMIZE_NONE;
	ck_assert_msg(gitops_kustomize_build(&m, dir, &opts, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(names(&m), "ConfigMap/out\n");
	kz_resmap_release(&m);
}
END_TEST

START_TEST(test_build_missing)
{
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char dir[PATH_MAX];

	scratch();
	put("app/kustomization.yaml", "resources: [gone.yaml]\n");
	snprintf(dir, sizeof(dir), "%s/app", base);
	ck_assert_int_eq(gitops_kustomize_build(&m, dir, NULL, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "no such file or directory"));
	kz_resmap_release(&m);
}
END_TEST

START_TEST(test_build_internal_annotations_stripped)
{
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char dir[PATH_MAX];

	scratch();
	put("app/kustomization.yaml", "resources: [a.yaml]\n");
	put("app/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n"
			  "    internal.config.kubernetes.io/x: y\n    kustomize.config.k8s.io/behavior: merge\n"
			  "    keep: \"1\"\n");
	snprintf(dir, sizeof(dir), "%s/app", base);
	ck_assert_msg(gitops_kustomize_build(&m, dir, NULL, &err) == 0, "%s", err.msg);
	ck_assert_ptr_null(kz_res_annotation(m.v[0], "internal.config.kubernetes.io/x"));
	ck_assert_ptr_null(kz_res_annotation(m.v[0], KZ_ANN_BEHAVIOR));
	ck_assert_str_eq(kz_res_annotation(m.v[0], "keep"), "1");
	kz_resmap_release(&m);
}
END_TEST

/* kustomize v5.5's remote target grammar: kind (0 local, 1 git, 2 file), repository, directory, ref */
static const struct {
	const char *entry;
	int file_ok;
	int kind;
	const char *repo, *path, *ref, *shown;
} remote_cases[] = {
	{ "../base", 1, 0, NULL, NULL, NULL, NULL },
	{ "base/cm.yaml", 1, 0, NULL, NULL, NULL, NULL },
	{ "https://git.example.com/org/repo//envs/prod?ref=v1.2", 1, 1, "https://git.example.com/org/repo",
	  "envs/prod", "v1.2", NULL },
	{ "https://git.example.com/org/repo.git/envs/prod?ref=main&timeout=90s", 1, 1,
	  "https://git.example.com/org/repo.git", "envs/prod", "main", NULL },
	{ "https://git.example.com/org/repo.git", 1, 1, "https://git.example.com/org/repo.git", "", NULL, NULL },
	{ "git@github.com:org/repo.git//dir?version=v2", 1, 1, "git@github.com:org/repo.git", "dir", "v2", NULL },
	{ "ssh://git@host:2222/org/repo.git//a/./b/?ref=x&version=y", 1, 1, "ssh://git@host:2222/org/repo.git", "a/b",
	  "x", NULL },
	{ "file:///srv/repo//dir?submodules=false", 1, 1, "file:///srv/repo", "dir", NULL, NULL },
	{ "file:///srv/repo.git", 0, 1, "file:///srv/repo.git", "", NULL, NULL },
	{ "git://127.0.0.1:9418/lib.git//base?ref=v%31", 1, 1, "git://127.0.0.1:9418/lib.git", "base", "v1", NULL },
	{ "github.com/org/repo/examples/x?ref=v1", 1, 1, "https://github.com/org/repo", "examples/x", "v1", NULL },
	{ "https://host/files/extra.yaml", 1, 2, NULL, NULL, NULL, NULL },
	{ "https://host/files/extra.yaml", 0, 1, "https://host/files/extra.yaml", "", NULL, NULL },
	{ "https://host/files/extra.yaml?token=x", 1, 2, NULL, NULL, NULL, NULL },
	{ "https://host/org/deploy.yaml?ref=v1", 1, 1, "https://host/org/deploy.yaml", "", "v1", NULL },
	{ "https://u:s3cret@host/org/repo//d", 1, 1, "https://u:s3cret@host/org/repo", "d", NULL,
	  "https://u:***@host/org/repo//d" },
	{ "https://host/org/repo//a/../b", 1, 1, "https://host/org/repo", "b", NULL, NULL },
};

START_TEST(test_remote_parse)
{
	struct kz_remote_spec s;
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_eq(kz_remote_parse(&s, remote_cases[_i].entry, remote_cases[_i].file_ok, &err), 0);
	ck_assert_int_eq(s.kind, remote_cases[_i].kind);
	if (s.kind == KZ_REMOTE_GIT) {
		ck_assert_str_eq(s.repo, remote_cases[_i].repo);
		ck_assert_str_eq(s.path, remote_cases[_i].path);
		if (remote_cases[_i].ref)
			ck_assert_str_eq(s.ref, remote_cases[_i].ref);
		else
			ck_assert_ptr_null(s.ref);
	}
	if (s.kind == KZ_REMOTE_FILE)
		ck_assert_str_eq(s.url, remote_cases[_i].entry);
	if (s.kind)
		ck_assert_str_eq(s.shown, remote_cases[_i].shown ? remote_cases[_i].shown : remote_cases[_i].entry);
	kz_remote_spec_release(&s);
}
END_TEST

START_TEST(test_remote_escape)
{
	struct kz_remote_spec s;
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_int_eq(kz_remote_parse(&s, "https://u:pw@host/org/repo//../..?ref=v1", 1, &err), -1);
	ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
	ck_assert_str_eq(err.msg, "remote target 'https://u:***@host/org/repo//../..?ref=v1': the directory '../..' is "
				  "outside the repository");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("kustomize");
	TCase *tc = tcase_create("spine");

	tcase_add_checked_fixture(tc, NULL, scratch_remove);
	tcase_add_loop_test(tc, test_parse, 0, sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_test(tc, test_fix_ups);
	tcase_add_test(tc, test_build_order);
	tcase_add_test(tc, test_build_restrictor);
	tcase_add_test(tc, test_build_missing);
	tcase_add_test(tc, test_build_internal_annotations_stripped);
	tcase_add_loop_test(tc, test_remote_parse, 0, sizeof(remote_cases) / sizeof(remote_cases[0]));
	tcase_add_test(tc, test_remote_escape);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
