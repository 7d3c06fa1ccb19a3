/*
 * kustomize_gen: generators, the content hash, the fieldspec tables and
 * the builtin transformers of the native Kustomize build (issue 13).
 * Expected values come from kubectl kustomize v1.32.4 (kustomize v5.5.0)
 * run on the same input; conformance cases that need only these stages are
 * driven by hand from ../shared/conformance/kustomize.
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
#include "lib/kustomize/kz.h"
#include "lib/kustomize/kz_fs.h"
#include "lib/value/value.h"
#include "lib/yaml/yaml.h"
#include "tests/unit/conformance.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

/* the krusty cases: $CONFORMANCE/kustomize/cases (make sets CONFORMANCE), else the shared checkout */
static const char *conformance_dir(void)
{
	static char dir[512];
	const char *root = getenv("CONFORMANCE");

	snprintf(dir, sizeof(dir), "%s/kustomize/cases", root && *root ? root : "../shared/conformance");
	return dir;
}

static cJSON *yaml1(const char *text)
{
	struct gitops_limits limits = GITOPS_LIMITS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *v = NULL;

	ck_assert_msg(!gitops_yaml_parse_one(&v, text, strlen(text), "test", &limits, &err), "%s", err.msg);
	return v;
}

static void load(struct kz_resmap *m, const char *text)
{
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_msg(!kz_parse_objects(m, text, strlen(text), "test", &err), "%s", err.msg);
}

static cJSON *find(const struct kz_resmap *m, const char *kind, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		struct kz_id id;

		kz_id_of(&id, m->v[i]);
		if (!strcmp(id.kind, kind) && !strcmp(id.name, name))
			return m->v[i];
	}
	return NULL;
}

static const char *sget(const cJSON *o, const char *a, const char *b, const char *c, const char *d)
{
	return gitops_json_get_string(o, a, b, c, d, NULL);
}

/* An object equal to the YAML text, once kustomize's internal annotations are taken off. */
static void strip_internal(cJSON *obj)
{
	cJSON *ann = (cJSON *)gitops_json_get(obj, "metadata", "annotations", NULL), *it, *next;

	if (!cJSON_IsObject(ann))
		return;
	for (it = ann->child; it; it = next) {
		next = it->next;
		if (!strncmp(it->string, "internal.config.kubernetes.io/", 30) || !strcmp(it->string, KZ_ANN_BEHAVIOR))
			cJSON_DeleteItemFromObjectCaseSensitive(ann, it->string);
	}
	if (!ann->child)
		cJSON_DeleteItemFromObjectCaseSensitive(gitops_value_get(obj, "metadata"), "annotations");
}

static void assert_obj(const cJSON *got, const char *want_yaml)
{
	cJSON *want = yaml1(want_yaml), *g;
	char *gs, *ws;

	ck_assert_ptr_nonnull(got);
	g = gitops_value_copy(got);
	strip_internal(g);
	gs = cJSON_PrintUnformatted(g);
	ws = cJSON_PrintUnformatted(want);
	ck_assert_msg(gitops_value_equal(g, want), "got %s\nwant %s", gs, ws);
	free(gs);
	free(ws);
	cJSON_Delete(g);
	cJSON_Delete(want);
}

/* --- a scratch directory for generator sources --- */

static char tmpdir[64];

static void put(const char *name, const char *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void puts_(const char *name, const char *text)
{
	put(name, text, strlen(text));
}

static int merge_cfg(struct kz_config *cfg, const char *text, struct gitops_err *err)
{
	return kz_config_merge_text(cfg, text, strlen(text), "cfg.yaml", err);
}

static void setup(void)
{
	strcpy(tmpdir, "/tmp/kzgen-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
}

struct env {
	struct kz_config cfg;
	struct kz_ctx c;
	struct kz_resmap m;
	struct gitops_err err;
};

static void env_init(struct env *e, const char *dir)
{
	memset(e, 0, sizeof(*e));
	ck_assert(!kz_config_init(&e->cfg, &e->err));
	e->c.dir = dir;
	e->c.file = "kustomization.yaml";
	e->c.config = &e->cfg;
}

static void env_release(struct env *e)
{
	kz_resmap_release(&e->m);
	kz_config_release(&e->cfg);
}

/* Run the generators of kustomization text k; the hash suffixes added when `top`. */
static int gen(struct env *e, const char *k, int top)
{
	cJSON *kt = yaml1(k);
	int rc = kz_generate(&e->m, kt, &e->c, &e->err);

	if (!rc && top)
		rc = kz_add_hash_suffixes(&e->m, &e->err);
	cJSON_Delete(kt);
	return rc;
}

/* ===== the hash: names kubectl kustomize gave these objects ===== */

static const struct {
	const char *obj, *hash;
} hash_cases[] = {
	{ "{kind: ConfigMap, metadata: {name: one}, data: {a: b}}", "4h2mbtbbt6" },
	{ "{kind: ConfigMap, metadata: {name: imm}, data: {a: b}, immutable: true}", "4h2mbtbbt6" },
	{ "{kind: ConfigMap, metadata: {name: empty}}", "6ct58987ht" },
	{ "{kind: ConfigMap, metadata: {name: a}, data: {}}", "42745tchd9" },
	{ "{kind: ConfigMap, metadata: {name: esc}, data: {x: '<&>', \"y\": \"\\u00fc\\ttab\", z: \"line1\\nline2\"}}",
	  "2f62mdbdtg" },
	{ "{kind: ConfigMap, metadata: {name: bin}, binaryData: {b.bin: //4AYmlu}, data: {t.txt: \"hello\\n\"}}",
	  "m4bfktg859" },
	{ "{kind: ConfigMap, metadata: {name: c}, data: {'n': 1, t: true}, binaryData: {}}", "k9mc8576bc" },
	{ "{kind: ConfigMap, metadata: {name: cm}, data: {a b: c}}", "g2b85hm7m8" },
	{ "{kind: ConfigMap, metadata: {name: cm}, data: {1B: '2', export A: '1'}}", "2t5kthfk25" },
	{ "{kind: ConfigMap, metadata: {name: cm}, data: {A: ' x \"q\" ', B: '', C: '\"z\"', D.e-f: ''}}", "2c5ckgddbc" },
	{ "{kind: ConfigMap, metadata: {name: other}, data: {k2: new}}", "8b27gb2kg5" },
	{ "{kind: ConfigMap, metadata: {name: cm}, data: {B: ''}}", "dmk8792cdf" },
	{ "{kind: Secret, metadata: {name: s}, data: {a: Yg==}, type: Opaque}", "k695gkmbtk" },
	{ "{kind: Secret, metadata: {name: semp}, data: {}, type: Opaque}", "46f8b28mk5" },
	{ "{kind: Secret, metadata: {name: st}, data: {tls.crt: eA==, tls.key: eQ==}, type: kubernetes.io/tls}",
	  "f4c6k54dt5" },
	{ "{kind: Secret, metadata: {name: b}}", "2bg6t6bf6t" },
	{ "{kind: Secret, metadata: {name: b}, type: Opaque}", "8226t8dd99" },
	{ "{kind: Secret, metadata: {name: sd}, type: Opaque, stringData: {user: admin, 'n': 3}, data: {a: Yg==}}",
	  "5dhktt6k7h" },
	{ "{kind: ConfigMap, metadata: {name: cs}, data: scalar, binaryData: x}", "679d7m6d7d" },
	{ "{kind: Secret, metadata: {name: gen}, data: {}, type: kubernetes.io/tls}", "694464d966" },
	{ "{kind: Secret, metadata: {name: sbin}, data: {b.bin: //4AYmlu}, type: Opaque}", "5525k6hmm8" },
};

START_TEST(test_hash)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *obj = yaml1(hash_cases[_i].obj);
	char h[11];

	ck_assert_msg(!kz_hash(h, obj, &err), "%s", err.msg);
	ck_assert_str_eq(h, hash_cases[_i].hash);
	cJSON_Delete(obj);
}
END_TEST

START_TEST(test_hash_suffixes)
{
	struct kz_resmap m = KZ_RESMAP_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;

	load(&m, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: res\n  annotations:\n"
		 "    internal.config.kubernetes.io/needsHashSuffix: enabled\ndata: {a: b}\n"
		 "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: b}\n"
		 "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nosuffix\n  annotations:\n"
		 "    internal.config.kubernetes.io/needsHashSuffix: disabled\n");
	ck_assert(!kz_add_hash_suffixes(&m, &err));
	ck_assert_str_eq(sget(m.v[0], "metadata", "name", NULL, NULL), "res-4h2mbtbbt6");
	ck_assert_str_eq(kz_res_annotation(m.v[0], KZ_ANN_PREV_NAMES), "res");
	ck_assert_ptr_null(kz_res_annotation(m.v[0], KZ_ANN_NEEDS_HASH));
	ck_assert_str_eq(sget(m.v[1], "metadata", "name", NULL, NULL), "plain");
	ck_assert_str_eq(sget(m.v[2], "metadata", "name", NULL, NULL), "nosuffix");
	kz_resmap_release(&m);
}
END_TEST

/* ===== generators ===== */

START_TEST(test_gen_literals)
{
	struct env e;

	env_init(&e, tmpdir);
	ck_assert_msg(!gen(&e,
			   "configMapGenerator:\n- name: one\n  literals: [a=b]\n- name: cme\n  options: {labels: {a: b}}\n"
			   "- name: q\n  literals: [\"k1='v 1'\", 'k2=\"v2\"', \"k3='x\", \"k4=a=b\", \"k5=\"]\n"
			   "secretGenerator:\n- name: s\n  literals: [a=b]\n- name: st\n  type: kubernetes.io/tls\n"
			   "  literals: [tls.crt=x, tls.key=y]\n- name: gen\n  type: kubernetes.io/tls\n",
			   1),
		      "%s", e.err.msg);
	ck_assert_int_eq((int)e.m.n, 6);
	assert_obj(e.m.v[0], "{apiVersion: v1, kind: ConfigMap, metadata: {name: one-4h2mbtbbt6}, data: {a: b}}");
	/* empty: a ConfigMap without data, a Secret with an empty data map (kubectl kustomize's names) */
	assert_obj(e.m.v[1], "{apiVersion: v1, kind: ConfigMap, metadata: {name: cme-6ct58987ht, labels: {a: b}}}");
	assert_obj(e.m.v[5], "{apiVersion: v1, kind: Secret, metadata: {name: gen-694464d966}, data: {}, "
			     "type: kubernetes.io/tls}");
	ck_assert_str_eq(sget(e.m.v[2], "data", "k1", NULL, NULL), "v 1");
	ck_assert_str_eq(sget(e.m.v[2], "data", "k2", NULL, NULL), "v2");
	ck_assert_str_eq(sget(e.m.v[2], "data", "k3", NULL, NULL), "'x");
	ck_assert_str_eq(sget(e.m.v[2], "data", "k4", NULL, NULL), "a=b");
	ck_assert_str_eq(sget(e.m.v[2], "data", "k5", NULL, NULL), "");
	assert_obj(e.m.v[3], "{apiVersion: v1, kind: Secret, metadata: {name: s-k695gkmbtk}, data: {a: Yg==}, "
			     "type: Opaque}");
	assert_obj(e.m.v[4], "{apiVersion: v1, kind: Secret, metadata: {name: st-f4c6k54dt5}, "
			     "data: {tls.crt: eA==, tls.key: eQ==}, type: kubernetes.io/tls}");
	env_release(&e);
}
END_TEST

START_TEST(test_gen_files_binary)
{
	struct env e;

	put("b.bin", "\xff\xfe\x00" "bin", 6);
	put("t.txt", "hello\n", 6);
	env_init(&e, tmpdir);
	ck_assert_msg(!gen(&e,
			   "configMapGenerator:\n- name: bin\n  files: [b.bin, t.txt]\n"
			   "- name: keyed\n  files: [k=t.txt]\nsecretGenerator:\n- name: sbin\n  files: [b.bin]\n",
			   1),
		      "%s", e.err.msg);
	assert_obj(e.m.v[0], "{apiVersion: v1, kind: ConfigMap, metadata: {name: bin-m4bfktg859}, "
			     "binaryData: {b.bin: //4AYmlu}, data: {t.txt: \"hello\\n\"}}");
	ck_assert_str_eq(sget(e.m.v[1], "data", "k", NULL, NULL), "hello\n");
	assert_obj(e.m.v[2], "{apiVersion: v1, kind: Secret, metadata: {name: sbin-5525k6hmm8}, "
			     "data: {b.bin: //4AYmlu}, type: Opaque}");
	env_release(&e);
}
END_TEST

START_TEST(test_gen_envs)
{
	struct env e;

	puts_("e1.env", "# c\n\n  export A=1\n1B=2\n");
	puts_("e2.env", "\xef\xbb\xbf" "A= x \"q\" \nB\nC=\"z\"\r\nD.e-f=\n");
	env_init(&e, tmpdir);
	ck_assert_msg(!gen(&e, "configMapGenerator:\n- name: cm\n  envs: [e1.env]\n- name: c2\n  envs: [e2.env]\n", 1),
		      "%s", e.err.msg);
	assert_obj(e.m.v[0], "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm-2t5kthfk25}, "
			     "data: {1B: '2', export A: '1'}}");
	assert_obj(e.m.v[1], "{apiVersion: v1, kind: ConfigMap, metadata: {name: c2-2c5ckgddbc}, "
			     "data: {A: ' x \"q\" ', B: '', C: '\"z\"', D.e-f: ''}}");
	env_release(&e);
	/* blank and commented lines with blanks before them, a trailing "comment" kept, a line without key
	 * dropped, a literal's blanks kept */
	puts_("e3.env", "A=1\n   \n\t#c\nB=2 # not a comment\n=x\n");
	env_init(&e, tmpdir);
	ck_assert_msg(!gen(&e, "configMapGenerator:\n- name: a\n  envs: [e3.env]\n  literals: [\" sp = v \"]\n", 1),
		      "%s", e.err.msg);
	assert_obj(e.m.v[0], "{apiVersion: v1, kind: ConfigMap, metadata: {name: a-7dtdm4d584}, "
			     "data: {' sp ': ' v ', A: '1', B: '2 # not a comment'}}");
	env_release(&e);
}
END_TEST

START_TEST(test_gen_options)
{
	struct env e;

	env_init(&e, tmpdir);
	ck_assert_msg(!gen(&e,
			   "generatorOptions:\n  labels: {b: global, g: g}\n  annotations: {ga: '1'}\n"
			   "configMapGenerator:\n- name: other\n  namespace: team\n  literals: [k2=new]\n"
			   "  options: {labels: {b: local}, immutable: true}\n"
			   "- name: nohash\n  literals: [a=b]\n  options: {disableNameSuffixHash: true}\n",
			   1),
		      "%s", e.err.msg);
	assert_obj(e.m.v[0], "{apiVersion: v1, kind: ConfigMap, metadata: {name: other-8b27gb2kg5, namespace: team, "
			     "labels: {b: local, g: g}, annotations: {ga: '1'}}, data: {k2: new}, immutable: true}");
	assert_obj(e.m.v[1], "{apiVersion: v1, kind: ConfigMap, metadata: {name: nohash, labels: {b: global, g: g}, "
			     "annotations: {ga: '1'}}, data: {a: b}}");
	env_release(&e);
	/* generatorOptions' disableNameSuffixHash for every generator */
	env_init(&e, tmpdir);
	ck_assert(!gen(&e, "generatorOptions: {disableNameSuffixHash: true}\nsecretGenerator:\n- name: s\n"
			   "  literals: [a=b]\n", 1));
	ck_assert_str_eq(sget(e.m.v[0], "metadata", "name", NULL, NULL), "s");
	env_release(&e);
}
END_TEST

static const char existing_cm[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, labels: {a: '1', b: '1'}, "
				  "annotations: {x: '1'}}\ndata: {k1: old, k2: old}\n";

START_TEST(test_gen_merge_replace)
{
	struct env e;

	env_init(&e, tmpdir);
	load(&e.m, existing_cm);
	ck_assert_msg(!gen(&e,
			   "generatorOptions:\n  labels: {b: global, g: g}\nconfigMapGenerator:\n- name: cm\n"
			   "  behavior: merge\n  literals: [k2=new]\n"
			   "  options: {labels: {b: local, c: '2'}, disableNameSuffixHash: true}\n",
			   1),
		      "%s", e.err.msg);
	ck_assert_int_eq((int)e.m.n, 1);
	assert_obj(e.m.v[0], "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm, annotations: {x: '1'}, "
			     "labels: {a: '1', b: local, c: '2', g: g}}, data: {k1: old, k2: new}}");
	env_release(&e);

	/* replace: the old name, labels and annotations merged; the data the new one's; no hash if the old had none */
	env_init(&e, tmpdir);
	load(&e.m, existing_cm);
	ck_assert(!gen(&e, "configMapGenerator:\n- name: cm\n  behavior: replace\n  literals: [k2=new]\n", 1));
	assert_obj(e.m.v[0], "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm, annotations: {x: '1'}, "
			     "labels: {a: '1', b: '1'}}, data: {k2: new}}");
	env_release(&e);

	/* an overlay merging into a base generated without hash keeps it without */
	env_init(&e, tmpdir);
	ck_assert(!gen(&e, "configMapGenerator:\n- name: cm\n  literals: [k=v]\n  options: {disableNameSuffixHash: true}\n",
		       0));
	ck_assert(!gen(&e, "configMapGenerator:\n- name: cm\n  behavior: merge\n  literals: [k2=new]\n", 1));
	assert_obj(e.m.v[0], "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {k: v, k2: new}}");
	env_release(&e);

	/* a base generated with a hash, merged in the overlay: hashed over the merged data */
	env_init(&e, tmpdir);
	ck_assert(!gen(&e, "configMapGenerator:\n- name: other\n  literals: [k2=old]\n", 0));
	ck_assert(!gen(&e, "configMapGenerator:\n- name: other\n  behavior: merge\n  literals: [k2=new]\n", 1));
	ck_assert_str_eq(sget(e.m.v[0], "metadata", "name", NULL, NULL), "other-8b27gb2kg5");
	env_release(&e);
}
END_TEST

static const struct {
	const char *k, *msg;
} gen_errors[] = {
	{ "configMapGenerator:\n- name: cm\n  behavior: merge\n  literals: [a=b]\n",
	  "merging from generator: id resid.ResId{Gvk:resid.Gvk{Group:\"\", Version:\"v1\", Kind:\"ConfigMap\", "
	  "isClusterScoped:false}, Name:\"cm\", Namespace:\"\"} does not exist; cannot merge or replace" },
	{ "configMapGenerator:\n- name: x\n  behavior: replace\n  literals: [a=b]\n",
	  "merging from generator: id resid.ResId{Gvk:resid.Gvk{Group:\"\", Version:\"v1\", Kind:\"ConfigMap\", "
	  "isClusterScoped:false}, Name:\"x\", Namespace:\"\"} does not exist; cannot merge or replace" },
	{ "configMapGenerator:\n- name: cm\n  literals: [a=b, a=c]\n", "configmap cm illegally repeats the key `a`" },
	{ "secretGenerator:\n- name: cm\n  literals: [a=b, a=c]\n", "configmap cm illegally repeats the key `a`" },
	{ "configMapGenerator:\n- name: cm\n  literals: [abc]\n",
	  "loading KV pairs: literal sources [abc]: invalid literal source abc, expected key=value" },
	{ "configMapGenerator:\n- name: cm\n  literals: [a=b, \"=abc\"]\n",
	  "loading KV pairs: literal sources [a=b =abc]: invalid literal source =abc, expected key=value" },
	{ "configMapGenerator:\n- literals: [a=b]\n", "a configmap must have a name" },
	{ "secretGenerator:\n- literals: [a=b]\n", "a configmap must have a name" },
	{ "configMapGenerator:\n- name: cm\n  files: [\"=f1\"]\n",
	  "loading KV pairs: file sources: [=f1]: missing key name for file path \"f1\" in source \"=f1\"" },
	{ "configMapGenerator:\n- name: cm\n  files: [\"k=\"]\n",
	  "loading KV pairs: file sources: [k=]: missing file path for key name \"k\" in source \"k=\"" },
	{ "configMapGenerator:\n- name: cm\n  files: [\"a=b=c\"]\n",
	  "loading KV pairs: file sources: [a=b=c]: source \"a=b=c\" key name or file path contains '='" },
	{ "configMapGenerator:\n- name: cm\n  envs: [bad.env]\n",
	  "loading KV pairs: env source files: [bad.env]: line [65 61 255] has invalid utf8 bytes : A=\\xff" },
};

START_TEST(test_gen_errors)
{
	struct env e;

	put("bad.env", "A=\xff\n", 4);
	env_init(&e, tmpdir);
	ck_assert_int_eq(gen(&e, gen_errors[_i].k, 1), -1);
	ck_assert_str_eq(e.err.msg, gen_errors[_i].msg);
	ck_assert_int_eq(e.err.code, GITOPS_EXIT_INPUT);
	env_release(&e);
}
END_TEST

START_TEST(test_gen_exists)
{
	struct env e;

	env_init(&e, tmpdir);
	load(&e.m, existing_cm);
	ck_assert_int_eq(gen(&e, "configMapGenerator:\n- name: cm\n  literals: [a=b]\n", 1), -1);
	ck_assert_str_eq(e.err.msg, "merging from generator: id resid.ResId{Gvk:resid.Gvk{Group:\"\", Version:\"v1\", "
				    "Kind:\"ConfigMap\", isClusterScoped:false}, Name:\"cm\", Namespace:\"\"} exists; "
				    "behavior must be merge or replace");
	env_release(&e);
	/* a missing file: an IO error, wrapped as kustomize wraps it */
	env_init(&e, tmpdir);
	ck_assert_int_eq(gen(&e, "configMapGenerator:\n- name: cm\n  files: [missing]\n", 1), -1);
	ck_assert_int_eq(e.err.code, GITOPS_EXIT_IO);
	ck_assert_msg(!strncmp(e.err.msg, "loading KV pairs: file sources: [missing]: ", 43), "%s", e.err.msg);
	env_release(&e);
}
END_TEST

START_TEST(test_plugin_generator)
{
	struct env e;
	cJSON *cfg;

	env_init(&e, tmpdir);
	cfg = yaml1("apiVersion: builtin\nkind: SecretGenerator\nmetadata: {name: s, namespace: n1}\n"
		    "literals: [a=b]\noptions: {labels: {l: v}}\n");
	ck_assert_int_eq(kz_plugin_generators(&e.m, cfg, &e.c, &e.err), 1);
	cJSON_Delete(cfg);
	cfg = yaml1("apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: x}\n");
	ck_assert_int_eq(kz_plugin_generators(&e.m, cfg, &e.c, &e.err), 0);
	cJSON_Delete(cfg);
	assert_obj(e.m.v[0], "{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: n1, labels: {l: v}}, "
			     "data: {a: Yg==}, type: Opaque}");
	ck_assert_str_eq(kz_res_annotation(e.m.v[0], KZ_ANN_NEEDS_HASH), "enabled");
	env_release(&e);
}
END_TEST

/* ===== the tables ===== */

START_TEST(test_config_tables)
{
	struct kz_config cfg;
	struct gitops_err err = GITOPS_ERR_INIT;
	size_t i;
	int found = 0;

	ck_assert(!kz_config_init(&cfg, &err));
	ck_assert_uint_eq(cfg.name_prefix.n, 1);
	ck_assert_str_eq(cfg.name_prefix.v[0].path, "metadata/name");
	ck_assert_uint_eq(cfg.template_labels.n, 10);
	ck_assert_uint_eq(cfg.common_labels.n, 32);
	ck_assert_uint_eq(cfg.common_annotations.n, 9);
	ck_assert_uint_eq(cfg.images.n, 4);
	ck_assert_uint_eq(cfg.replicas.n, 4);
	ck_assert_uint_eq(cfg.n_namerefs, 15); /* nameref.c's builtin table: 15 referral kinds */
	for (i = 0; i < cfg.common_labels.n; i++)
		if (!strcmp(cfg.common_labels.v[i].path, "spec/selector") && !strcmp(cfg.common_labels.v[i].kind, "Service"))
			found = cfg.common_labels.v[i].create;
	ck_assert_int_eq(found, 1);
	/* a configurations file: new entries appended, equal ones kept once, nameReference read */
	ck_assert_msg(!merge_cfg(&cfg,
					    "namePrefix:\n- path: metadata/name\n- path: spec/x\n  kind: Foo\n"
					    "images:\n- path: spec/runLatest/container/image\n  kind: Service\n"
					    "nameReference:\n- kind: Bee\n  version: v1beta1\n  fieldSpecs:\n"
					    "  - path: spec/beeRef/name\n    kind: MyKind\n"
					    "- kind: Bee\n  version: v1beta1\n  fieldSpecs:\n  - path: spec/other\n",
					    &err),
		      "%s", err.msg);
	ck_assert_uint_eq(cfg.name_prefix.n, 2);
	ck_assert_uint_eq(cfg.images.n, 5);
	ck_assert_uint_eq(cfg.n_namerefs, 16);
	ck_assert_str_eq(cfg.namerefs[15].kind, "Bee");
	ck_assert_uint_eq(cfg.namerefs[15].referrers.n, 2);
	ck_assert_int_eq(merge_cfg(&cfg, "replicas:\n- path: spec/replicas\n  kind: Deployment\n", &err),
			 -1);
	ck_assert_str_eq(err.msg, "failed to merge Replicas fieldSpec: conflicting fieldspecs");
	/* kubectl kustomize's words for a configuration it cannot decode */
	ck_assert_int_eq(merge_cfg(&cfg, "bogus:\n- path: a\n", &err), -1);
	ck_assert_str_eq(err.msg, "error unmarshaling JSON: while decoding JSON: json: unknown field \"bogus\"");
	ck_assert_int_eq(merge_cfg(&cfg, "namePrefix:\n- path: metadata/name\n  bogus: 1\n", &err), -1);
	ck_assert_str_eq(err.msg, "error unmarshaling JSON: while decoding JSON: json: unknown field \"bogus\"");
	ck_assert_int_eq(merge_cfg(&cfg, "namePrefix: x\n", &err), -1);
	ck_assert_str_eq(err.msg, "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go "
				  "struct field TransformerConfig.namePrefix of type types.FsSlice");
	ck_assert_int_eq(merge_cfg(&cfg, "namePrefix:\n- x\n", &err), -1);
	ck_assert_str_eq(err.msg, "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go "
				  "struct field TransformerConfig.namePrefix of type types.FieldSpec");
	ck_assert_int_eq(merge_cfg(&cfg, "nameReference: 3\n", &err), -1);
	ck_assert_str_eq(err.msg, "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go "
				  "struct field TransformerConfig.nameReference of type builtinconfig.nbrSlice");
	ck_assert_int_eq(merge_cfg(&cfg, "nameReference:\n- kind: A\n  fieldSpecs: [{path: x}]\n  extra: 1\n", &err),
			 -1);
	ck_assert_str_eq(err.msg, "error unmarshaling JSON: while decoding JSON: json: unknown field \"extra\"");
	ck_assert_int_eq(merge_cfg(&cfg, "namePrefix:\n- path: metadata/name\n  create: true\n", &err), -1);
	ck_assert_str_eq(err.msg, "failed to merge NamePrefix fieldSpec: conflicting fieldspecs");
	kz_config_release(&cfg);
}
END_TEST

/* ===== transformers ===== */

static const char ns_input[] =
	"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\n"
	"apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: a}\nspec: {service: {name: s, "
	"namespace: old}}\n---\n"
	"apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: w}\n"
	"webhooks:\n- name: x\n  clientConfig: {service: {name: s, namespace: old}}\n---\n"
	"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: old}\nsubjects:\n"
	"- {kind: ServiceAccount, name: default, namespace: old}\n- {kind: ServiceAccount, name: default}\n"
	"- {kind: ServiceAccount, name: other, namespace: old}\n- {kind: User, name: default, namespace: old}\n---\n"
	"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: c}\n"
	"spec: {conversion: {webhook: {clientConfig: {service: {name: s, namespace: old}}}}}\n---\n"
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: foo}\n---\n"
	"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cr, namespace: keep}\n";

START_TEST(test_namespace)
{
	struct env e;
	cJSON *k = yaml1("namespace: newns");

	env_init(&e, tmpdir);
	load(&e.m, ns_input);
	ck_assert_msg(!kz_namespace(&e.m, k, &e.c, &e.err), "%s", e.err.msg);
	assert_obj(e.m.v[0], "{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: newns}}");
	ck_assert_str_eq(sget(e.m.v[1], "spec", "service", "namespace", NULL), "newns");
	ck_assert_ptr_null(sget(e.m.v[1], "metadata", "namespace", NULL, NULL));
	assert_obj(e.m.v[3], "{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: rb, "
			     "namespace: newns}, subjects: [{kind: ServiceAccount, name: default, namespace: newns}, "
			     "{kind: ServiceAccount, name: default, namespace: newns}, {kind: ServiceAccount, name: other, "
			     "namespace: old}, {kind: User, name: default, namespace: newns}]}");
	assert_obj(e.m.v[5], "{apiVersion: v1, kind: Namespace, metadata: {name: newns}}");
	assert_obj(e.m.v[6], "{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: cr, "
			     "namespace: keep}}");
	/* the previous id of every resource recorded */
	ck_assert_str_eq(kz_res_annotation(e.m.v[0], KZ_ANN_PREV_NAMES), "p");
	ck_assert_str_eq(kz_res_annotation(e.m.v[5], KZ_ANN_PREV_NAMES), "foo");
	env_release(&e);
	cJSON_Delete(k);
}
END_TEST

START_TEST(test_namespace_webhook_untouched)
{
	struct env e;
	cJSON *k = yaml1("namespace: newns");
	const cJSON *wh;

	env_init(&e, tmpdir);
	load(&e.m, ns_input);
	ck_assert(!kz_namespace(&e.m, k, &e.c, &e.err));
	wh = gitops_json_get(e.m.v[2], "webhooks", NULL);
	ck_assert_str_eq(gitops_json_get_string(wh->child, "clientConfig", "service", "namespace", NULL), "old");
	ck_assert_str_eq(gitops_json_get_string(e.m.v[4], "spec", "conversion", "webhook", "clientConfig", "service",
						"namespace", NULL),
			 "newns");
	env_release(&e);
	cJSON_Delete(k);
}
END_TEST

START_TEST(test_namespace_plugin_modes)
{
	struct env e;
	cJSON *cfg;

	env_init(&e, tmpdir);
	load(&e.m, ns_input);
	cfg = yaml1("apiVersion: builtin\nkind: NamespaceTransformer\nmetadata: {name: x, namespace: n2}\n"
		    "setRoleBindingSubjects: allServiceAccounts\nunsetOnly: true\n"
		    "fieldSpecs:\n- path: metadata/namespace\n  create: true\n");
	ck_assert_int_eq(kz_plugin_transform(&e.m, cfg, &e.c, &e.err), 1);
	ck_assert_str_eq(sget(e.m.v[0], "metadata", "namespace", NULL, NULL), "n2");
	ck_assert_str_eq(sget(e.m.v[3], "metadata", "namespace", NULL, NULL), "old"); /* unsetOnly */
	assert_obj(gitops_value_get(e.m.v[3], "subjects"),
		   "[{kind: ServiceAccount, name: default, namespace: old}, {kind: ServiceAccount, name: default, "
		   "namespace: n2}, {kind: ServiceAccount, name: other, namespace: old}, {kind: User, name: default, "
		   "namespace: old}]");
	cJSON_Delete(cfg);
	cfg = yaml1("kind: NamespaceTransformer\nmetadata: {namespace: n3}\nsetRoleBindingSubjects: bogus\n");
	ck_assert_int_eq(kz_plugin_transform(&e.m, cfg, &e.c, &e.err), -1);
	ck_assert_str_eq(e.err.msg, "invalid value \"bogus\" for setRoleBindingSubjects: must be one of "
				    "\"defaultOnly\", \"none\" or \"allServiceAccounts\"");
	cJSON_Delete(cfg);
	env_release(&e);
}
END_TEST

START_TEST(test_namespace_conflict)
{
	struct env e;
	cJSON *k = yaml1("namespace: z");

	env_init(&e, tmpdir);
	load(&e.m, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n"
		   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: 'y'}\n");
	ck_assert_int_eq(kz_namespace(&e.m, k, &e.c, &e.err), -1);
	ck_assert_str_eq(e.err.msg,
			 "namespace transformation produces ID conflict: [{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
			 "\"metadata\":{\"annotations\":{\"internal.config.kubernetes.io/previousKinds\":\"ConfigMap\","
			 "\"internal.config.kubernetes.io/previousNames\":\"a\",\"internal.config.kubernetes.io/"
			 "previousNamespaces\":\"x\"},\"name\":\"a\",\"namespace\":\"z\"}} {\"apiVersion\":\"v1\","
			 "\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{\"internal.config.kubernetes.io/"
			 "previousKinds\":\"ConfigMap\",\"internal.config.kubernetes.io/previousNames\":\"a\","
			 "\"internal.config.kubernetes.io/previousNamespaces\":\"y\"},\"name\":\"a\",\"namespace\":\"z\"}}]");
	env_release(&e);
	cJSON_Delete(k);
}
END_TEST

START_TEST(test_namespace_wrong_kind)
{
	struct env e;
	cJSON *k = yaml1("namespace: z");

	env_init(&e, tmpdir);
	load(&e.m, "apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: a}\n"
		   "spec: {service: {namespace: {x: 1}}}\n");
	ck_assert_int_eq(kz_namespace(&e.m, k, &e.c, &e.err), -1);
	ck_assert_str_eq(e.err.msg, "namespace field specs must target scalar nodes: considering field "
				    "'spec/service/namespace' of object APIService.v1.apiregistration.k8s.io/a.[noNs]: wrong "
				    "node kind: expected ScalarNode but got MappingNode: node contents: {\"x\":1}");
	env_release(&e);
	cJSON_Delete(k);
}
END_TEST

START_TEST(test_labels_wrong_kind)
{
	struct env e;
	cJSON *k = yaml1("commonLabels: {a: b}");

	env_init(&e, tmpdir);
	load(&e.m, "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {selector: str}\n");
	ck_assert_int_eq(kz_labels(&e.m, k, &e.c, &e.err), -1);
	ck_assert_str_eq(e.err.msg, "considering field 'spec/selector' of object Service.v1.[noGrp]/a.[noNs]: wrong node "
				    "kind: expected MappingNode but got ScalarNode: node contents: str");
	env_release(&e);
	env_init(&e, tmpdir);
	load(&e.m, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: [x]}\n");
	ck_assert_int_eq(kz_labels(&e.m, k, &e.c, &e.err), -1);
	ck_assert_str_eq(e.err.msg, "considering field 'metadata/labels' of object ConfigMap.v1.[noGrp]/a.[noNs]: wrong "
				    "node kind: expected MappingNode but got SequenceNode: node contents: [\"x\"]");
	env_release(&e);
	cJSON_Delete(k);
}
END_TEST

START_TEST(test_replicas_previous_name)
{
	struct env e;
	cJSON *k = yaml1("namePrefix: p-\nreplicas:\n- name: a\n  count: 4\n");
	int64_t n;

	env_init(&e, tmpdir);
	load(&e.m, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 1}\n");
	ck_assert(!kz_prefix_suffix(&e.m, k, &e.c, &e.err));
	ck_assert(!kz_replicas(&e.m, k, &e.c, &e.err));
	ck_assert(!gitops_value_get_int(&n, gitops_json_get(e.m.v[0], "spec", "replicas", NULL), 0));
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(sget(e.m.v[0], "metadata", "name", NULL, NULL), "p-a");
	env_release(&e);
	cJSON_Delete(k);
}
END_TEST

static const char labels_input[] =
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n"
	"  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: x}]}}\n---\n"
	"apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {selector: null}\n---\n"
	"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: crd}\n---\n"
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n";

START_TEST(test_labels_annotations_prefix)
{
	struct env e;
	cJSON *k = yaml1("commonLabels: {k: common}\nlabels:\n- pairs: {k: labels, t: t1}\n  includeTemplates: true\n"
			 "- pairs: {s: s1}\n  includeSelectors: true\n  fields:\n  - path: spec/custom\n"
			 "    kind: Deployment\n    create: true\ncommonAnnotations: {an: '1'}\n"
			 "namePrefix: p-\nnameSuffix: -s\n");

	env_init(&e, tmpdir);
	load(&e.m, labels_input);
	ck_assert(!kz_prefix_suffix(&e.m, k, &e.c, &e.err));
	ck_assert(!kz_labels(&e.m, k, &e.c, &e.err));
	ck_assert(!kz_annotations(&e.m, k, &e.c, &e.err));
	assert_obj(e.m.v[0], "{apiVersion: apps/v1, kind: Deployment, metadata: {annotations: {an: '1'}, labels: "
			     "{k: common, s: s1, t: t1}, name: p-d-s}, spec: {custom: {s: s1}, selector: {matchLabels: "
			     "{a: b, k: common, s: s1}}, template: {metadata: {annotations: {an: '1'}, labels: {a: b, "
			     "k: common, s: s1, t: t1}}, spec: {containers: [{image: x, name: c}]}}}}");
	assert_obj(e.m.v[1], "{apiVersion: v1, kind: Service, metadata: {annotations: {an: '1'}, labels: {k: common, "
			     "s: s1, t: t1}, name: p-svc-s}, spec: {selector: {k: common, s: s1}}}");
	assert_obj(e.m.v[2], "{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: "
			     "{annotations: {an: '1'}, labels: {k: common, s: s1, t: t1}, name: crd}}");
	assert_obj(e.m.v[3], "{apiVersion: v1, kind: Namespace, metadata: {annotations: {an: '1'}, labels: "
			     "{k: common, s: s1, t: t1}, name: ns}}");
	/* prefix and suffix are two renames, as kustomize's two transformers make them */
	ck_assert_str_eq(kz_res_annotation(e.m.v[0], KZ_ANN_PREV_NAMES), "d,p-d");
	env_release(&e);
	cJSON_Delete(k);
}
END_TEST

START_TEST(test_prefix_plugin_fieldspecs)
{
	struct env e;
	cJSON *cfg = yaml1("apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata: {name: x}\nprefix: a-\n"
			   "suffix: -z\nfieldSpecs:\n- path: metadata/name\n- path: spec/ref\n  kind: Foo\n");

	env_init(&e, tmpdir);
	load(&e.m, "apiVersion: v1\nkind: Foo\nmetadata: {name: f}\nspec: {ref: r}\n---\n"
		   "apiVersion: v1\nkind: Bar\nmetadata: {name: b}\nspec: {ref: r}\n");
	ck_assert_int_eq(kz_plugin_transform(&e.m, cfg, &e.c, &e.err), 1);
	assert_obj(e.m.v[0], "{apiVersion: v1, kind: Foo, metadata: {name: a-f-z}, spec: {ref: a-r-z}}");
	assert_obj(e.m.v[1], "{apiVersion: v1, kind: Bar, metadata: {name: a-b-z}, spec: {ref: r}}");
	cJSON_Delete(cfg);
	env_release(&e);
}
END_TEST

START_TEST(test_replicas)
{
	struct env e;
	cJSON *k = yaml1("replicas:\n- name: d\n  count: 3\n"), *bad = yaml1("replicas:\n- name: nope\n  count: 3\n");
	int64_t n;

	env_init(&e, tmpdir);
	load(&e.m, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\n"
		   "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: d}\nspec: {replicas: 1}\n---\n"
		   "apiVersion: v1\nkind: Service\nmetadata: {name: d}\n");
	ck_assert(!kz_replicas(&e.m, k, &e.c, &e.err));
	ck_assert(!gitops_value_get_int(&n, gitops_json_get(e.m.v[0], "spec", "replicas", NULL), 0));
	ck_assert_int_eq(n, 3);
	ck_assert(!gitops_value_get_int(&n, gitops_json_get(e.m.v[1], "spec", "replicas", NULL), 0));
	ck_assert_int_eq(n, 3);
	ck_assert_ptr_null(gitops_json_get(e.m.v[2], "spec", NULL));
	{
		cJSON *zero = yaml1("replicas:\n- name: d\n");

		/* no count: Go's zero, as kubectl kustomize writes it */
		ck_assert(!kz_replicas(&e.m, zero, &e.c, &e.err));
		ck_assert(!gitops_value_get_int(&n, gitops_json_get(e.m.v[0], "spec", "replicas", NULL), 0));
		ck_assert_int_eq(n, 0);
		cJSON_Delete(zero);
	}
	ck_assert_int_eq(kz_replicas(&e.m, bad, &e.c, &e.err), -1);
	ck_assert_str_eq(e.err.msg, "resource with name nope does not match a config with the following GVK "
				    "[Deployment.[noVer].[noGrp] StatefulSet.[noVer].[noGrp] ReplicaSet.[noVer].[noGrp] "
				    "ReplicationController.[noVer].[noGrp]]");
	env_release(&e);
	cJSON_Delete(k);
	cJSON_Delete(bad);
}
END_TEST

START_TEST(test_images)
{
	struct env e;
	cJSON *k = yaml1("images:\n- name: nginx\n  newName: reg:5000/nginx\n  digest: sha256:abc\n"
			 "- name: busybox\n  newTag: '2'\n- name: docker.io/app\n  newName: app2\n");

	env_init(&e, tmpdir);
	load(&e.m, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n"
		   "      containers:\n      - {name: a, image: 'nginx:1.0@sha256:xyz'}\n"
		   "      - {name: b, image: 'nginx@sha256:xyz'}\n      - {name: c, image: 'busybox:1@sha256:xyz'}\n"
		   "      - {name: e, image: 'nginxx:1'}\n      - {name: f, image: 'docker.io/app:3'}\n"
		   "      - {name: g, image: 'reg:5000/busybox:1'}\n      initContainers:\n"
		   "      - {name: i, image: busybox}\n---\n"
		   "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: 'nginx:1'}]\n"
		   "  volumes: [{name: v, image: {reference: 'nginx:1'}}]\n  foo:\n"
		   "    containers: [{name: b, image: busybox}]\n");
	ck_assert_msg(!kz_images(&e.m, k, &e.c, &e.err), "%s", e.err.msg);
	assert_obj(gitops_json_get(e.m.v[0], "spec", "template", "spec", NULL),
		   "{containers: [{image: 'reg:5000/nginx@sha256:abc', name: a}, {image: 'reg:5000/nginx@sha256:abc', "
		   "name: b}, {image: 'busybox:2', name: c}, {image: 'nginxx:1', name: e}, {image: 'app2:3', name: f}, "
		   "{image: 'reg:5000/busybox:1', name: g}], initContainers: [{image: 'busybox:2', name: i}]}");
	assert_obj(gitops_value_get(e.m.v[1], "spec"),
		   "{containers: [{name: a, image: 'reg:5000/nginx@sha256:abc'}], volumes: [{name: v, image: "
		   "{reference: 'nginx:1'}}], foo: {containers: [{name: b, image: 'busybox:2'}]}}");
	env_release(&e);
	cJSON_Delete(k);
}
END_TEST

START_TEST(test_images_custom_config)
{
	struct env e;
	cJSON *k = yaml1("images:\n- name: app\n  newTag: v9\n");

	env_init(&e, tmpdir);
	ck_assert(!merge_cfg(&e.cfg, "images:\n- path: spec/runLatest/container/image\n  kind: Service\n", &e.err));
	load(&e.m, "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: s}\n"
		   "spec: {runLatest: {container: {image: 'app:1'}}}\n");
	ck_assert(!kz_images(&e.m, k, &e.c, &e.err));
	ck_assert_str_eq(sget(e.m.v[0], "spec", "runLatest", "container", "image"), "app:v9");
	env_release(&e);
	cJSON_Delete(k);
}
END_TEST

START_TEST(test_plugin_dispatch)
{
	struct env e;
	cJSON *cfg;

	env_init(&e, tmpdir);
	load(&e.m, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
		   "spec: {template: {spec: {containers: [{name: a, image: 'nginx:1'}]}}}\n");
	cfg = yaml1("apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: x}\nlabels: {app: web}\n"
		    "fieldSpecs:\n- path: metadata/labels\n  create: true\n");
	ck_assert_int_eq(kz_plugin_transform(&e.m, cfg, &e.c, &e.err), 1);
	cJSON_Delete(cfg);
	cfg = yaml1("apiVersion: builtin\nkind: AnnotationsTransformer\nmetadata: {name: x}\nannotations: {n: 1}\n"
		    "fieldSpecs:\n- path: metadata/annotations\n  create: true\n");
	ck_assert_int_eq(kz_plugin_transform(&e.m, cfg, &e.c, &e.err), 1);
	cJSON_Delete(cfg);
	cfg = yaml1("apiVersion: builtin\nkind: ImageTagTransformer\nmetadata: {name: x}\n"
		    "imageTag: {name: nginx, Digest: 'sha256:222'}\n");
	ck_assert_int_eq(kz_plugin_transform(&e.m, cfg, &e.c, &e.err), 1);
	cJSON_Delete(cfg);
	cfg = yaml1("apiVersion: builtin\nkind: PrefixTransformer\nmetadata: {name: x}\nprefix: p-\n");
	ck_assert_int_eq(kz_plugin_transform(&e.m, cfg, &e.c, &e.err), -1);
	ck_assert_str_eq(e.err.msg, "plugin PrefixTransformer.builtin.[noGrp]/x.[noNs] fails configuration: "
				    "fieldSpecs is not expected to be nil");
	cJSON_Delete(cfg);
	cfg = yaml1("apiVersion: builtin\nkind: ReplicaCountTransformer\nmetadata: {name: x}\n"
		    "replica: {name: d, count: 2}\n");
	ck_assert_int_eq(kz_plugin_transform(&e.m, cfg, &e.c, &e.err), -1);
	ck_assert_str_eq(e.err.msg, "resource with name d does not match a config with the following GVK []");
	cJSON_Delete(cfg);
	cfg = yaml1("apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: x}\n");
	ck_assert_int_eq(kz_plugin_transform(&e.m, cfg, &e.c, &e.err), 0);
	cJSON_Delete(cfg);
	assert_obj(e.m.v[0], "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d, labels: {app: web}, "
			     "annotations: {n: '1'}}, spec: {template: {spec: {containers: [{name: a, image: "
			     "'nginx@sha256:222'}]}}}}");
	env_release(&e);
}
END_TEST

/* ===== conformance cases driven by hand ===== */

static char *read_all(const char *path, size_t *len)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;

	if (gitops_buf_read_file(&b, path, 64u << 20, &err))
		return NULL;
	*len = b.len;
	return gitops_buf_detach(&b);
}

static int run_docs(struct kz_resmap *m, const char *dir, const cJSON *list, int plugins, struct kz_ctx *c,
		    struct gitops_err *err);

/* A small build: resources (files and directories), generators, this part's transformers, plugins. */
static int build_dir(struct kz_resmap *m, const char *dir, int top, struct gitops_err *err)
{
	struct env e;
	char path[512];
	char *text;
	size_t len;
	cJSON *k;
	const cJSON *it;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/kustomization.yaml", dir);
	if (!(text = read_all(path, &len)))
		return gitops_err_set(err, GITOPS_EXIT_IO, "no kustomization in %s", dir);
	k = yaml1(text);
	free(text);
	env_init(&e, dir);
	if (kz_config_merge_files(&e.cfg, k, &e.c, err))
		goto done;
	cJSON_ArrayForEach(it, gitops_value_get(k, "resources")) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, it->valuestring);
		if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
			struct kz_resmap sub = KZ_RESMAP_INIT;
			size_t i;

			if (build_dir(&sub, path, 0, err)) {
				kz_resmap_release(&sub);
				goto done;
			}
			for (i = 0; i < sub.n; i++) {
				if (kz_resmap_append(&e.m, sub.v[i], err)) {
					sub.v[i] = NULL;
					kz_resmap_release(&sub);
					goto done;
				}
				sub.v[i] = NULL;
			}
			sub.n = 0;
			kz_resmap_release(&sub);
			continue;
		}
		if (!(text = read_all(path, &len))) {
			gitops_err_set(err, GITOPS_EXIT_IO, "cannot read %s", path);
			goto done;
		}
		rc = kz_parse_objects(&e.m, text, len, path, err);
		free(text);
		if (rc)
			goto done;
		rc = -1;
	}
	if (kz_generate(&e.m, k, &e.c, err) || run_docs(&e.m, dir, gitops_value_get(k, "generators"), 0, &e.c, err) ||
	    kz_namespace(&e.m, k, &e.c, err) || kz_prefix_suffix(&e.m, k, &e.c, err) || kz_labels(&e.m, k, &e.c, err) ||
	    kz_annotations(&e.m, k, &e.c, err) || kz_replicas(&e.m, k, &e.c, err) || kz_images(&e.m, k, &e.c, err) ||
	    run_docs(&e.m, dir, gitops_value_get(k, "transformers"), 1, &e.c, err))
		goto done;
	if (top && kz_add_hash_suffixes(&e.m, err))
		goto done;
	*m = e.m;
	memset(&e.m, 0, sizeof(e.m));
	rc = 0;
done:
	env_release(&e);
	cJSON_Delete(k);
	return rc;
}

static int run_docs(struct kz_resmap *m, const char *dir, const cJSON *list, int plugins, struct kz_ctx *c,
		    struct gitops_err *err)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, list) {
		struct kz_resmap cfgs = KZ_RESMAP_INIT;
		char path[512];
		char *text;
		size_t len, i;
		int rc = 0;

		snprintf(path, sizeof(path), "%s/%s", dir, it->valuestring);
		if (!(text = read_all(path, &len)))
			return gitops_err_set(err, GITOPS_EXIT_IO, "cannot read %s", path);
		rc = kz_parse_objects(&cfgs, text, len, path, err);
		free(text);
		for (i = 0; !rc && i < cfgs.n; i++) {
			rc = plugins ? kz_plugin_transform(m, cfgs.v[i], c, err) : kz_plugin_generators(m, cfgs.v[i], c, err);
			if (rc == 0)
				rc = gitops_err_set(err, GITOPS_EXIT_INPUT, "not this part's plugin");
			else if (rc == 1)
				rc = 0;
		}
		kz_resmap_release(&cfgs);
		if (rc)
			return -1;
	}
	return 0;
}

/* only: compare the objects of that kind alone (the rest needs name references or patches, others' parts) */
static const struct {
	const char *name, *build_dir, *only;
} conformance[] = {
	{ "numeric-common-labels", "default", NULL },
	{ "plugin-replica-count-transformer", "", NULL },
	{ "plugin-image-tag-transformer-new-digest", "", NULL },
	{ "plugin-image-tag-transformer-new-image-and-digest", "", NULL },
	{ "transfomers-image-default-config", "base", NULL },
	{ "kustomization-labels-in-cron-job-template", "app", NULL },
	{ "kustomization-labels-in-deployment-template", "app", NULL },
	{ "generator-from-properties", "overlay", NULL },
	{ "namespaced-secrets", "", NULL },
	{ "generator-simple-overlay", "overlay", NULL },
	{ "merge-and-replace-generators", "overlay", "ConfigMap" },
	{ "generating-into-namespaces", "app", NULL },
	{ "namespaced-generator", "", NULL },
	{ "generator-options-with-bases", "overlay", NULL },
	{ "generator-overlays", "overlay", NULL },
	{ "prefix-suffix", "", "ConfigMap" },
	{ "prefix-suffix2", "", "ConfigMap" },
	{ "add-name-prefix-with-namespace", "", "ServiceAccount" },
	{ "data-is-single-quote", "", NULL },
	{ "namespace-transformer-with-three-level-hierarchy", "overlay", NULL },
	{ "local:labels-table", "", NULL },
	{ "local:generators", "", NULL },
	{ "local:images-replicas", "", NULL },
	{ "local:images-tag-suffix", "", NULL },
	{ "local:claim-templates", "", NULL },
	{ "local:images-legacy-walk", "", NULL },
	{ "local:merge-renamed", "", NULL },
};

START_TEST(test_conformance)
{
	struct kz_resmap got = KZ_RESMAP_INIT, want = KZ_RESMAP_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	char dir[512], path[512];
	char *text;
	size_t len, i, j;

	if (!strncmp(conformance[_i].name, "local:", 6)) {
		/* cases of our own, expected.yaml recorded from kubectl kustomize v1.32.4 */
		snprintf(path, sizeof(path), "tests/unit/kustomize_gen/%s/expected.yaml", conformance[_i].name + 6);
		snprintf(dir, sizeof(dir), "tests/unit/kustomize_gen/%s", conformance[_i].name + 6);
		ck_assert_msg(!access(path, R_OK), "no %s", path);
		goto build;
	}
	if (test_conformance_absent())
		return;
	snprintf(path, sizeof(path), "%s/%s/expected.yaml", conformance_dir(), conformance[_i].name);
	if (access(path, R_OK)) {
		fprintf(stderr, "skipped: no %s\n", path);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%s/input%s%s", conformance_dir(), conformance[_i].name,
		 *conformance[_i].build_dir ? "/" : "",
		 conformance[_i].build_dir);
build:
	ck_assert_msg(!build_dir(&got, dir, 1, &err), "%s: %s", conformance[_i].name, err.msg);
	ck_assert_ptr_nonnull(text = read_all(path, &len));
	ck_assert_msg(!kz_parse_objects(&want, text, len, path, &err), "%s", err.msg);
	free(text);
	for (i = 0; i < got.n; i++)
		strip_internal(got.v[i]);
	if (conformance[_i].only) {
		size_t ng = 0, nw = 0;

		for (i = 0; i < got.n; i++)
			ng += !strcmp(gitops_json_get_string(got.v[i], "kind", NULL), conformance[_i].only);
		for (i = 0; i < want.n; i++)
			nw += !strcmp(gitops_json_get_string(want.v[i], "kind", NULL), conformance[_i].only);
		ck_assert_uint_eq(ng, nw);
		ck_assert_uint_gt(nw, 0);
	} else {
		ck_assert_uint_eq(got.n, want.n);
	}
	for (i = 0; i < want.n; i++) {
		int found = 0;

		if (conformance[_i].only && strcmp(gitops_json_get_string(want.v[i], "kind", NULL), conformance[_i].only))
			continue;

		for (j = 0; j < got.n && !found; j++)
			found = gitops_value_equal(got.v[j], want.v[i]);
		if (!found) {
			char *w = cJSON_PrintUnformatted(want.v[i]), *g = NULL;
			struct kz_id id;
			cJSON *same;

			kz_id_of(&id, want.v[i]);
			same = find(&got, id.kind, id.name);
			g = same ? cJSON_PrintUnformatted(same) : NULL;
			ck_assert_msg(0, "%s: expected %s\ngot %s", conformance[_i].name, w, g ? g : "(none)");
		}
	}
	kz_resmap_release(&got);
	kz_resmap_release(&want);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kustomize_gen");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_hash, 0, N(hash_cases));
	tcase_add_test(tc, test_hash_suffixes);
	tcase_add_test(tc, test_gen_literals);
	tcase_add_test(tc, test_gen_files_binary);
	tcase_add_test(tc, test_gen_envs);
	tcase_add_test(tc, test_gen_options);
	tcase_add_test(tc, test_gen_merge_replace);
	tcase_add_loop_test(tc, test_gen_errors, 0, N(gen_errors));
	tcase_add_test(tc, test_gen_exists);
	tcase_add_test(tc, test_plugin_generator);
	tcase_add_test(tc, test_config_tables);
	tcase_add_test(tc, test_namespace);
	tcase_add_test(tc, test_namespace_webhook_untouched);
	tcase_add_test(tc, test_namespace_plugin_modes);
	tcase_add_test(tc, test_namespace_conflict);
	tcase_add_test(tc, test_labels_wrong_kind);
	tcase_add_test(tc, test_namespace_wrong_kind);
	tcase_add_test(tc, test_replicas_previous_name);
	tcase_add_test(tc, test_labels_annotations_prefix);
	tcase_add_test(tc, test_prefix_plugin_fieldspecs);
	tcase_add_test(tc, test_replicas);
	tcase_add_test(tc, test_images);
	tcase_add_test(tc, test_images_custom_config);
	tcase_add_test(tc, test_plugin_dispatch);
	tcase_add_loop_test(tc, test_conformance, 0, N(conformance));
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
