/*
 * smp: strategic merge patch, as the API server applies it.  Expected
 * results follow k8s.io/apimachinery/pkg/util/strategicpatch (mergeMap,
 * mergeSlice and their directives); the field facts come from the built-in
 * table (Kubernetes v1.21.2) or a schema added at run time.
 *
 * Cases are JSON written with ' for " (turned back before parsing).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/value/smp.h"
#include "lib/value/value.h"
#include "tests/unit/conformance.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static cJSON *parse(const char *text)
{
	char *s = strdup(text), *p;
	cJSON *v;

	ck_assert_ptr_nonnull(s);
	for (p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = cJSON_ParseWithLength(s, strlen(s));
	ck_assert_msg(v != NULL, "bad test JSON: %s", text);
	free(s);
	return v;
}

static char *print(const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v), *p;

	for (p = s; p && *p; p++)
		if (*p == '"')
			*p = '\'';
	return s;
}

#define DEPLOY "apps/v1 Deployment"
#define POD "v1 Pod"
#define SVC "v1 Service"
#define PDB "policy/v1beta1 PodDisruptionBudget"
#define CJ "batch/v1 CronJob"
#define CR "example.com/v1 Widget"

/* the runtime schema some cases use: Widget with a merge list, nested inline objects */
static const char widget_schema[] =
	"{'swagger':'2.0','definitions':{"
	"'com.example.v1.Widget':{'type':'object','x-kubernetes-group-version-kind':[{'group':'example.com','version':'v1','kind':'Widget'}],"
	" 'properties':{'apiVersion':{'type':'string'},'kind':{'type':'string'},"
	"  'spec':{'$ref':'#/definitions/com.example.v1.WidgetSpec'}}},"
	"'com.example.v1.WidgetSpec':{'type':'object','properties':{"
	"  'items':{'type':'array','items':{'$ref':'#/definitions/com.example.v1.Item'},"
	"   'x-kubernetes-patch-merge-key':'name','x-kubernetes-patch-strategy':'merge'},"
	"  'tags':{'type':'array','items':{'type':'string'},'x-kubernetes-patch-strategy':'merge'},"
	"  'template':{'$ref':'#/definitions/io.k8s.api.core.v1.PodTemplateSpec'},"
	"  'rules':{'type':'array','x-kubernetes-patch-merge-key':'id','x-kubernetes-patch-strategy':'merge',"
	"   'items':{'type':'object','properties':{'id':{'type':'string'},"
	"    'hosts':{'type':'array','items':{'type':'object','properties':{'host':{'type':'string'}}},"
	"     'x-kubernetes-patch-merge-key':'host','x-kubernetes-patch-strategy':'merge'}}}}}},"
	"'com.example.v1.Item':{'type':'object','properties':{'name':{'type':'string'},'value':{'type':'integer'}}}"
	"}}";

static const struct {
	const char *kind;   /* "apiVersion Kind" set in doc and result, NULL: none */
	int schema;         /* with the Widget schema */
	const char *doc, *patch;
	const char *want;   /* the result, or NULL when an error */
	const char *error;  /* the message */
} cases[] = {
	/* mappings */
	{ DEPLOY, 0, "{'spec':{'replicas':1,'paused':true}}", "{'spec':{'replicas':3}}", "{'spec':{'replicas':3,'paused':true}}", NULL },
	{ DEPLOY, 0, "{'metadata':{'labels':{'a':'x'}}}", "{'metadata':{'labels':{'b':'y'}}}", "{'metadata':{'labels':{'a':'x','b':'y'}}}", NULL },
	{ DEPLOY, 0, "{'metadata':{'labels':{'a':'x','b':'y'}}}", "{'metadata':{'labels':{'b':null}}}", "{'metadata':{'labels':{'a':'x'}}}", NULL },
	{ DEPLOY, 0, "{'metadata':{'labels':{'a':'x'}}}", "{'metadata':{'labels':{'c':null}}}", "{'metadata':{'labels':{'a':'x'}}}", NULL },
	{ DEPLOY, 0, "{'metadata':{}}", "{'metadata':{'labels':{'a':'x','b':null}}}", "{'metadata':{'labels':{'a':'x'}}}", NULL },
	{ DEPLOY, 0, "{'metadata':{'labels':{'a':'x','b':'y'}}}", "{'metadata':{'labels':{'$patch':'replace','c':'z'}}}", "{'metadata':{'labels':{'c':'z'}}}", NULL },
	{ DEPLOY, 0, "{'spec':{'template':{'metadata':{'labels':{'a':'x'}}}}}", "{'spec':{'template':{'metadata':{'labels':{'$patch':'delete'}}}}}", "{'spec':{'template':{'metadata':{'labels':{}}}}}", NULL },
	{ NULL, 0, "{'a':1,'b':{'c':2}}", "{'$patch':'delete'}", "{}", NULL },
	{ NULL, 0, "{'a':1}", "{'$patch':'replace','b':2}", "{'b':2}", NULL },
	{ DEPLOY, 0, "{'metadata':{'labels':{'a':'x'}}}", "{'metadata':{'labels':{'$patch':'foo'}}}", NULL,
	  "metadata.labels: invalid patch type 'foo' in $patch (replace or delete)" },
	{ DEPLOY, 0, "{'metadata':{'labels':{'a':'x'}}}", "{'metadata':{'labels':{'$patch':'merge'}}}", NULL,
	  "metadata.labels: invalid patch type 'merge' in $patch (replace or delete)" },
	{ DEPLOY, 0, "{'metadata':{'labels':{'a':'x'}}}", "{'metadata':{'$patch':7}}", NULL,
	  "metadata: invalid patch type 7 in $patch (replace or delete)" },
	/* lists of mappings, by merge key */
	{ POD, 0, "{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}]}}", "{'spec':{'containers':[{'name':'b','image':'z'}]}}",
	  "{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'z'}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}", "{'spec':{'containers':[{'name':'c','image':'w'}]}}",
	  "{'spec':{'containers':[{'name':'c','image':'w'},{'name':'a'},{'name':'b'}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'c'}]}}", "{'spec':{'containers':[{'name':'c','image':'i'},{'name':'new'}]}}",
	  "{'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'c','image':'i'},{'name':'new'}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'c'}]}}", "{'spec':{'containers':[{'name':'new'},{'name':'a','image':'i'}]}}",
	  "{'spec':{'containers':[{'name':'new'},{'name':'a','image':'i'},{'name':'b'},{'name':'c'}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}", "{'spec':{'containers':[{'name':'a','$patch':'delete'}]}}",
	  "{'spec':{'containers':[{'name':'b'}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}", "{'spec':{'containers':[{'name':'zz','$patch':'delete'}]}}",
	  "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}", "{'spec':{'containers':[{'name':'c','image':'z'},{'$patch':'replace'}]}}",
	  "{'spec':{'containers':[{'name':'c','image':'z'}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'}]}}", "{'spec':{'containers':[{'$patch':'delete','image':'x'}]}}", NULL,
	  "spec.containers[0]: $patch: delete without the merge key 'name'" },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'}]}}", "{'spec':{'containers':[{'image':'x'}]}}", NULL,
	  "spec.containers[0]: missing merge key 'name'" },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'}]}}", "{'spec':{'containers':[{'name':'a','$patch':'merge'}]}}", NULL,
	  "spec.containers[0]: $patch: merge is not supported in a list" },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'}]}}", "{'spec':{'containers':[{'name':'a'},{'name':'b','$patch':'bogus'}]}}", NULL,
	  "spec.containers[1]: invalid patch type 'bogus' in $patch (replace or delete)" },
	{ POD, 0, "{'spec':{'containers':[{'image':'x'}]}}", "{'spec':{'containers':[{'name':'a'}]}}", NULL,
	  "spec.containers: an item of the document has no merge key 'name'" },
	{ POD, 0, "{'spec':{'containers':[{'name':'a','env':[{'name':'X','value':'1'},{'name':'Y','value':'2'}]}]}}",
	  "{'spec':{'containers':[{'name':'a','env':[{'name':'Y','value':'3'}]}]}}",
	  "{'spec':{'containers':[{'name':'a','env':[{'name':'X','value':'1'},{'name':'Y','value':'3'}]}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a','env':[{'name':'X','value':'1'}]}]}}",
	  "{'spec':{'containers':[{'name':'a','env':[{'name':'X','$patch':'delete'}]}]}}",
	  "{'spec':{'containers':[{'name':'a','env':[]}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'name':'http'}]}]}}",
	  "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':443,'name':'https'}]}]}}",
	  "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':443,'name':'https'},{'containerPort':80,'name':'http'}]}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':53,'protocol':'TCP'}]}]}}",
	  "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':53,'protocol':'UDP'}]}]}}",
	  "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':53,'protocol':'UDP'}]}]}}", NULL },
	{ SVC, 0, "{'spec':{'ports':[{'port':80,'name':'http'}]}}", "{'spec':{'ports':[{'port':80,'targetPort':8080},{'port':443,'name':'https'}]}}",
	  "{'spec':{'ports':[{'port':80,'name':'http','targetPort':8080},{'port':443,'name':'https'}]}}", NULL },
	{ DEPLOY, 0, "{'spec':{'template':{'spec':{'containers':[{'name':'app','image':'a:1'},{'name':'side','image':'s:1'}]}}}}",
	  "{'spec':{'template':{'spec':{'containers':[{'name':'app','image':'a:2'}]}}}}",
	  "{'spec':{'template':{'spec':{'containers':[{'name':'app','image':'a:2'},{'name':'side','image':'s:1'}]}}}}", NULL },
	{ POD, 0, "{'spec':{'imagePullSecrets':[{'name':'a'}]}}", "{'spec':{'imagePullSecrets':[{'name':'b'}]}}",
	  "{'spec':{'imagePullSecrets':[{'name':'b'},{'name':'a'}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'}]}}", "{'spec':{'containers':[{'name':'b'},{'name':'b','image':'x'}]}}",
	  "{'spec':{'containers':[{'name':'b','image':'x'},{'name':'a'}]}}", NULL },
	/* $retainKeys */
	{ POD, 0, "{'spec':{'volumes':[{'name':'v','emptyDir':{}}]}}", "{'spec':{'volumes':[{'name':'v','$retainKeys':['name','configMap'],'configMap':{'name':'cm'}}]}}",
	  "{'spec':{'volumes':[{'name':'v','configMap':{'name':'cm'}}]}}", NULL },
	{ POD, 0, "{'spec':{'volumes':[{'name':'v','emptyDir':{}}]}}", "{'spec':{'volumes':[{'name':'v','$retainKeys':['name'],'configMap':{'name':'cm'}}]}}", NULL,
	  "spec.volumes[0].$retainKeys: 'configMap' is in the patch but not in the list" },
	{ POD, 0, "{'spec':{'volumes':[{'name':'v','emptyDir':{}}]}}", "{'spec':{'volumes':[{'name':'v','$retainKeys':'name'}]}}", NULL,
	  "spec.volumes[0].$retainKeys: expected a sequence, not a string" },
	{ DEPLOY, 0, "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}", "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}",
	  "{'spec':{'strategy':{'type':'Recreate'}}}", NULL },
	{ DEPLOY, 0, "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}", "{'spec':{'strategy':{'type':'Recreate'}}}",
	  "{'spec':{'strategy':{'type':'Recreate','rollingUpdate':{'maxSurge':1}}}}", NULL },
	{ DEPLOY, 0, "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}", "{'spec':{'strategy':{'$retainKeys':['type','gone'],'rollingUpdate':null}}}",
	  "{'spec':{'strategy':{'type':'RollingUpdate'}}}", NULL },
	/* lists replaced whole */
	{ POD, 0, "{'spec':{'containers':[{'name':'a','args':['x','y']}]}}", "{'spec':{'containers':[{'name':'a','args':['z']}]}}",
	  "{'spec':{'containers':[{'name':'a','args':['z']}]}}", NULL },
	{ POD, 0, "{'spec':{'tolerations':[{'key':'a'}]}}", "{'spec':{'tolerations':[{'key':'b'}]}}", "{'spec':{'tolerations':[{'key':'b'}]}}", NULL },
	{ POD, 0, "{'spec':{'tolerations':[{'key':'a'}]}}", "{'spec':{'tolerations':[{'$patch':'replace'},{'key':'b'}]}}", "{'spec':{'tolerations':[{'key':'b'}]}}", NULL },
	{ POD, 0, "{'spec':{'tolerations':[{'key':'a'}]}}", "{'spec':{'tolerations':[{'key':'a','$patch':'delete'}]}}", NULL,
	  "spec.tolerations[0]: $patch: delete in a list that has no merge key (it is replaced whole)" },
	{ PDB, 0, "{'spec':{'selector':{'matchLabels':{'a':'x'}}}}", "{'spec':{'selector':{'matchLabels':{'b':'y'}}}}",
	  "{'spec':{'selector':{'matchLabels':{'b':'y'}}}}", NULL },
	{ DEPLOY, 0, "{'spec':{'selector':{'matchLabels':{'a':'x'}}}}", "{'spec':{'selector':{'matchLabels':{'b':'y'}}}}",
	  "{'spec':{'selector':{'matchLabels':{'a':'x','b':'y'}}}}", NULL },
	/* lists of scalars */
	{ POD, 0, "{'metadata':{'finalizers':['a','b','c']}}", "{'metadata':{'finalizers':['b','d']}}", "{'metadata':{'finalizers':['a','b','d','c']}}", NULL },
	{ POD, 0, "{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':['b','a','b']}}", "{'metadata':{'finalizers':['b','a']}}", NULL },
	{ POD, 0, "{'metadata':{'finalizers':['a','b','c']}}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b','x']}}", "{'metadata':{'finalizers':['a','c']}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a','args':['x','y','z']}]}}", "{'spec':{'containers':[{'name':'a','$deleteFromPrimitiveList/args':['y']}]}}",
	  "{'spec':{'containers':[{'name':'a','args':['x','z']}]}}", NULL },
	{ POD, 0, "{'metadata':{'name':'p'}}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b']}}", "{'metadata':{'name':'p'}}", NULL },
	{ POD, 0, "{'metadata':{'finalizers':['a']}}", "{'metadata':{'$deleteFromPrimitiveListfinalizers':['a']}}", NULL,
	  "metadata.$deleteFromPrimitiveListfinalizers: invalid key: expected $deleteFromPrimitiveList/<field>" },
	{ POD, 0, "{'metadata':{'finalizers':['a']}}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':'a'}}", NULL,
	  "metadata.$deleteFromPrimitiveList/finalizers: expected a sequence, not a string" },
	{ POD, 0, "{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':[1]}}", NULL, "metadata.finalizers: list element types are not identical" },
	{ POD, 0, "{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':[['b']]}}", NULL, "metadata.finalizers: lists of lists are not supported" },
	/* $setElementOrder */
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'c'}]}}", "{'spec':{'$setElementOrder/containers':[{'name':'c'},{'name':'a'},{'name':'b'}]}}",
	  "{'spec':{'containers':[{'name':'c'},{'name':'a'},{'name':'b'}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}",
	  "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}],'containers':[{'name':'a','image':'new'}]}}",
	  "{'spec':{'containers':[{'name':'b'},{'name':'a','image':'new'}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'c'}]}}", "{'spec':{'$setElementOrder/containers':[{'name':'c'},{'name':'a'}]}}",
	  "{'spec':{'containers':[{'name':'b'},{'name':'c'},{'name':'a'}]}}", NULL },
	{ POD, 0, "{'metadata':{'finalizers':['a','b','c']}}", "{'metadata':{'$setElementOrder/finalizers':['c','b','a']}}",
	  "{'metadata':{'finalizers':['c','b','a']}}", NULL },
	{ POD, 0, "{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'$setElementOrder/finalizers':['b','x','a'],'finalizers':['x']}}",
	  "{'metadata':{'finalizers':['b','x','a']}}", NULL },
	{ POD, 0, "{'metadata':{'finalizers':['a','b','c']}}",
	  "{'metadata':{'$setElementOrder/finalizers':['c','a'],'$deleteFromPrimitiveList/finalizers':['b']}}",
	  "{'metadata':{'finalizers':['c','a']}}", NULL },
	{ POD, 0, "{'spec':{}}", "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}],'containers':[{'name':'a'},{'name':'b'}]}}", NULL,
	  "spec.$setElementOrder/containers: the order of the patch's 'containers' does not match it (or it lacks an item)" },
	{ POD, 0, "{'spec':{}}", "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'}],'containers':[{'name':'a'},{'name':'b'}]}}",
	  "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}", NULL },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}", "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'},{'name':'a'}]}}", NULL,
	  "spec.$setElementOrder/containers: 'a' is listed twice" },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}", "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'zz'},{'name':'b'}]}}", NULL,
	  "spec.$setElementOrder/containers: 'zz' is not in 'containers'" },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}", "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'image':'b'}]}}", NULL,
	  "spec.$setElementOrder/containers: an item has no merge key 'name'" },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'}]}}", "{'spec':{'$setElementOrder/containers':{'name':'a'}}}", NULL,
	  "spec.$setElementOrder/containers: expected a sequence, not a mapping" },
	{ POD, 0, "{'spec':{'containers':[{'name':'a'}]}}", "{'spec':{'$setElementOrdercontainers':[]}}", NULL,
	  "spec.$setElementOrdercontainers: invalid key: expected $setElementOrder/<field>" },
	{ POD, 0, "{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'$setElementOrder/finalizers':['b','b']}}", NULL,
	  "metadata.$setElementOrder/finalizers: 'b' is listed twice" },
	{ POD, 0, "{'spec':{}}", "{'spec':{'$setElementOrder/volumes':[{'name':'x'}]}}", "{'spec':{}}", NULL },
	/* kinds of values that do not fit */
	{ POD, 0, "{'spec':{'containers':[{'name':'a'}]}}", "{'spec':{'containers':{'name':'a'}}}", NULL,
	  "spec.containers: the document has a sequence here, the patch a mapping" },
	{ POD, 0, "{'metadata':{'labels':{'a':'x'}}}", "{'metadata':{'labels':['a']}}", NULL,
	  "metadata.labels: the document has a mapping here, the patch a sequence" },
	{ DEPLOY, 0, "{'spec':{'replicas':2}}", "{'spec':{'replicas':{'$patch':'delete'}}}", NULL, "spec.replicas: $patch: delete on a primitive" },
	{ DEPLOY, 0, "{'spec':{'replicas':2}}", "{'spec':{'replicas':'2'}}", "{'spec':{'replicas':'2'}}", NULL },
	{ POD, 0, "{'spec':{}}", "{'spec':{'containers':[{'name':'a'},{'name':'b','$patch':'delete'}]}}", "{'spec':{'containers':[{'name':'a'}]}}", NULL },
	{ POD, 0, "{'spec':{}}", "{'spec':{'nodeSelector':{'$patch':'replace','a':'x'}}}", "{'spec':{}}", NULL },
	{ CJ, 0, "{'spec':{'jobTemplate':{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'1'}]}}}}}}",
	  "{'spec':{'jobTemplate':{'spec':{'template':{'spec':{'containers':[{'name':'b','image':'2'}]}}}}}}",
	  "{'spec':{'jobTemplate':{'spec':{'template':{'spec':{'containers':[{'name':'b','image':'2'},{'name':'a','image':'1'}]}}}}}}", NULL },
	/* custom resources: no definition, lists replaced whole */
	{ CR, 0, "{'spec':{'items':[{'name':'a','value':1}]}}", "{'spec':{'items':[{'name':'b'}]}}", "{'spec':{'items':[{'name':'b'}]}}", NULL },
	{ CR, 0, "{'spec':{'a':1,'b':{'c':2}}}", "{'spec':{'b':{'d':3},'a':null}}", "{'spec':{'b':{'c':2,'d':3}}}", NULL },
	{ CR, 0, "{'spec':{'a':'x'}}", "{'spec':{'a':{'b':1}}}", "{'spec':{'a':{'b':1}}}", NULL },
	{ CR, 0, "{'spec':{'items':[{'name':'a'}]}}", "{'spec':{'items':[{'name':'a','$patch':'delete'}]}}", NULL,
	  "spec.items[0]: $patch: delete in a list that has no merge key (it is replaced whole)" },
	/* custom resources with a schema added at run time */
	{ CR, 1, "{'spec':{'items':[{'name':'a','value':1}]}}", "{'spec':{'items':[{'name':'b'},{'name':'a','value':2}]}}",
	  "{'spec':{'items':[{'name':'b'},{'name':'a','value':2}]}}", NULL },
	{ CR, 1, "{'spec':{'tags':['x','y']}}", "{'spec':{'tags':['z']}}", "{'spec':{'tags':['z','x','y']}}", NULL },
	{ CR, 1, "{'spec':{'rules':[{'id':'r','hosts':[{'host':'a'}]}]}}", "{'spec':{'rules':[{'id':'r','hosts':[{'host':'b'}]}]}}",
	  "{'spec':{'rules':[{'id':'r','hosts':[{'host':'b'},{'host':'a'}]}]}}", NULL },
	{ CR, 1, "{'spec':{'template':{'spec':{'containers':[{'name':'a'}]}}}}", "{'spec':{'template':{'spec':{'containers':[{'name':'b'}]}}}}",
	  "{'spec':{'template':{'spec':{'containers':[{'name':'b'},{'name':'a'}]}}}}", NULL },
	{ CR, 1, "{'spec':{'tags':['x']}}", "{'spec':{'tags':[{'a':1}]}}", NULL, "spec.tags: list element types are not identical" },
	{ CR, 1, "{'spec':{'tags':[{'a':1}]}}", "{'spec':{'tags':[{'b':1}]}}", NULL,
	  "spec.tags: cannot merge a list of mappings without a merge key (com.example.v1.WidgetSpec)" },
	{ POD, 1, "{'spec':{'containers':[{'name':'a'}]}}", "{'spec':{'containers':[{'name':'b'}]}}",
	  "{'spec':{'containers':[{'name':'b'},{'name':'a'}]}}", NULL },
};

#define APPLY_CASES 86

static void set_kind(cJSON *obj, const char *kind)
{
	char av[64];
	const char *sp = strchr(kind, ' ');

	snprintf(av, sizeof(av), "%.*s", (int)(sp - kind), kind);
	ck_assert_int_eq(gitops_value_set(obj, "apiVersion", cJSON_CreateString(av)), 0);
	ck_assert_int_eq(gitops_value_set(obj, "kind", cJSON_CreateString(sp + 1)), 0);
}

static struct gitops_smp_schema *widget(void)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_smp_schema *s = NULL;
	cJSON *doc = parse(widget_schema);

	ck_assert_int_eq(gitops_smp_schema_new(&s, &err), 0);
	ck_assert_msg(gitops_smp_schema_add(s, doc, "widget.json", &err) == 0, "%s", err.msg);
	cJSON_Delete(doc);
	return s;
}

START_TEST(test_apply)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_smp_schema *schema = cases[_i].schema ? widget() : NULL;
	cJSON *doc = parse(cases[_i].doc), *patch = parse(cases[_i].patch), *before, *want = NULL;
	char *got;
	int rc;

	if (cases[_i].kind)
		set_kind(doc, cases[_i].kind);
	before = gitops_value_copy(doc);
	rc = gitops_smp_apply(&doc, patch, schema, NULL, NULL, &err);
	got = print(doc);
	if (cases[_i].want) {
		want = parse(cases[_i].want);
		if (cases[_i].kind)
			set_kind(want, cases[_i].kind);
		ck_assert_msg(rc == 0, "case %d: %s", _i, err.msg);
		ck_assert_msg(gitops_value_equal(doc, want), "case %d: got %s", _i, got);
	} else {
		ck_assert_msg(rc == -1, "case %d: no error, got %s", _i, got);
		ck_assert_int_eq(err.code, GITOPS_EXIT_INPUT);
		ck_assert_str_eq(err.msg, cases[_i].error);
		/* atomic: the document is as it was */
		ck_assert_msg(gitops_value_equal(doc, before), "case %d: document changed: %s", _i, got);
	}
	free(got);
	cJSON_Delete(doc);
	cJSON_Delete(before);
	cJSON_Delete(want);
	cJSON_Delete(patch);
	gitops_smp_schema_free(schema);
}
END_TEST

/* the number of cases is part of the suite: one lost in an edit is noticed */
START_TEST(test_case_count)
{
	ck_assert_int_eq(N(cases), APPLY_CASES);
	ck_assert_int_ge(N(cases), 60);
}
END_TEST

/* the built-in table, against the Kubernetes types it was made from */
static const struct {
	const char *kind, *path;
	const char *merge_key, *map_keys, *ref;
	unsigned strategy;
	int list_type, shape, elem;
} table_cases[] = {
	{ DEPLOY, "spec.template.spec.containers", "name", "", "io.k8s.api.core.v1.Container", GITOPS_SMP_MERGE, 0, GITOPS_SMP_ARRAY, GITOPS_SMP_OBJECT },
	{ POD, "spec.volumes", "name", "", "io.k8s.api.core.v1.Volume", GITOPS_SMP_MERGE | GITOPS_SMP_RETAIN_KEYS, 0, GITOPS_SMP_ARRAY, GITOPS_SMP_OBJECT },
	{ POD, "spec.containers.ports", "containerPort", "containerPort,protocol", "io.k8s.api.core.v1.ContainerPort", GITOPS_SMP_MERGE,
	  GITOPS_SMP_LIST_MAP, GITOPS_SMP_ARRAY, GITOPS_SMP_OBJECT },
	{ SVC, "spec.ports", "port", "port,protocol", "io.k8s.api.core.v1.ServicePort", GITOPS_SMP_MERGE, GITOPS_SMP_LIST_MAP, GITOPS_SMP_ARRAY, GITOPS_SMP_OBJECT },
	{ POD, "metadata.finalizers", "", "", "", GITOPS_SMP_MERGE, 0, GITOPS_SMP_ARRAY, GITOPS_SMP_SCALAR },
	{ POD, "metadata.labels", "", "", "", 0, 0, GITOPS_SMP_MAP, GITOPS_SMP_SCALAR },
	{ DEPLOY, "spec.strategy", "", "", "io.k8s.api.apps.v1.DeploymentStrategy", GITOPS_SMP_RETAIN_KEYS, 0, GITOPS_SMP_OBJECT, GITOPS_SMP_ANY },
	{ "policy/v1 PodDisruptionBudget", "spec.selector", "", "", "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector", GITOPS_SMP_REPLACE, 0,
	  GITOPS_SMP_OBJECT, GITOPS_SMP_ANY },
	{ CJ, "spec.jobTemplate.spec.template.spec.initContainers", "name", "", "io.k8s.api.core.v1.Container", GITOPS_SMP_MERGE, 0, GITOPS_SMP_ARRAY,
	  GITOPS_SMP_OBJECT },
	{ POD, "spec.tolerations", "", "", "io.k8s.api.core.v1.Toleration", 0, 0, GITOPS_SMP_ARRAY, GITOPS_SMP_OBJECT },
	{ POD, "spec.topologySpreadConstraints", "topologyKey", "topologyKey,whenUnsatisfiable", "io.k8s.api.core.v1.TopologySpreadConstraint",
	  GITOPS_SMP_MERGE, GITOPS_SMP_LIST_MAP, GITOPS_SMP_ARRAY, GITOPS_SMP_OBJECT },
	{ POD, "spec.containers.env", "name", "", "io.k8s.api.core.v1.EnvVar", GITOPS_SMP_MERGE, 0, GITOPS_SMP_ARRAY, GITOPS_SMP_OBJECT },
	{ POD, "spec.containers.volumeMounts", "mountPath", "", "io.k8s.api.core.v1.VolumeMount", GITOPS_SMP_MERGE, 0, GITOPS_SMP_ARRAY,
	  GITOPS_SMP_OBJECT },
	{ "apps/v1 StatefulSet", "spec.volumeClaimTemplates", "", "", "io.k8s.api.core.v1.PersistentVolumeClaim", 0, 0, GITOPS_SMP_ARRAY,
	  GITOPS_SMP_OBJECT },
	{ "v1 Node", "spec.taints", "", "", "io.k8s.api.core.v1.Taint", 0, 0, GITOPS_SMP_ARRAY, GITOPS_SMP_OBJECT },
	{ "apiextensions.k8s.io/v1 CustomResourceDefinition", "spec.versions", "", "", "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion",
	  0, 0, GITOPS_SMP_ARRAY, GITOPS_SMP_OBJECT },
	{ POD, "metadata.ownerReferences", "uid", "", "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference", GITOPS_SMP_MERGE, 0, GITOPS_SMP_ARRAY,
	  GITOPS_SMP_OBJECT },
	{ POD, "spec.containers.resources.limits", "", "", "", 0, 0, GITOPS_SMP_MAP, GITOPS_SMP_SCALAR },
};

START_TEST(test_table)
{
	struct gitops_smp_field_info f;
	char av[64];
	const char *kind = table_cases[_i].kind, *sp = strchr(kind, ' ');

	snprintf(av, sizeof(av), "%.*s", (int)(sp - kind), kind);
	ck_assert_msg(gitops_smp_lookup(&f, NULL, av, sp + 1, table_cases[_i].path) == 0, "%s %s", kind, table_cases[_i].path);
	ck_assert_str_eq(f.merge_key, table_cases[_i].merge_key);
	ck_assert_str_eq(f.map_keys, table_cases[_i].map_keys);
	ck_assert_str_eq(f.ref, table_cases[_i].ref);
	ck_assert_uint_eq(f.strategy, table_cases[_i].strategy);
	ck_assert_int_eq(f.list_type, table_cases[_i].list_type);
	ck_assert_int_eq(f.shape, table_cases[_i].shape);
	ck_assert_int_eq(f.elem, table_cases[_i].elem);
}
END_TEST

START_TEST(test_table_misses)
{
	struct gitops_smp_field_info f;
	struct gitops_smp_schema *s = widget();

	ck_assert_int_eq(gitops_smp_lookup(&f, NULL, "example.com/v1", "Widget", "spec"), -1);
	ck_assert_int_eq(gitops_smp_lookup(&f, NULL, "apps/v1", "Deployment", "spec.nope"), -1);
	ck_assert_int_eq(gitops_smp_lookup(&f, NULL, "apps/v2", "Deployment", "spec"), -1);
	ck_assert_int_eq(gitops_smp_lookup(&f, NULL, "v1", "Pod", "metadata.labels.app"), -1);
	/* the table's size: every definition of the bundle */
	ck_assert_uint_eq(gitops_smp_builtin.ndefs, 618);
	ck_assert_uint_ge(gitops_smp_builtin.ngvks, 200);
	/* a runtime schema: its kinds, nested inline objects, refs into the built-in table */
	ck_assert_int_eq(gitops_smp_lookup(&f, s, "example.com/v1", "Widget", "spec.items"), 0);
	ck_assert_str_eq(f.merge_key, "name");
	ck_assert_int_eq(gitops_smp_lookup(&f, s, "example.com/v1", "Widget", "spec.rules.hosts"), 0);
	ck_assert_str_eq(f.merge_key, "host");
	ck_assert_int_eq(gitops_smp_lookup(&f, s, "example.com/v1", "Widget", "spec.template.spec.volumes"), 0);
	ck_assert_uint_eq(f.strategy, GITOPS_SMP_MERGE | GITOPS_SMP_RETAIN_KEYS);
	ck_assert_int_eq(gitops_smp_lookup(&f, s, "v1", "Pod", "spec.containers"), 0);
	/* a runtime field without facts has empty strings, not another string of the pool */
	ck_assert_int_eq(gitops_smp_lookup(&f, s, "example.com/v1", "Widget", "spec.tags"), 0);
	ck_assert_str_eq(f.merge_key, "");
	ck_assert_str_eq(f.ref, "");
	ck_assert_str_eq(f.map_keys, "");
	ck_assert_uint_eq(f.strategy, GITOPS_SMP_MERGE);
	gitops_smp_schema_free(s);
}
END_TEST

/* kustomize's own schema for its Kustomization type, from the conformance data */
START_TEST(test_kustomization_schema)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_smp_schema *s = NULL;
	struct gitops_smp_field_info f;
	const char *dir = getenv("CONFORMANCE");
	char path[4096], *text = NULL, *got;
	long len;
	FILE *fp;
	cJSON *schema, *doc, *patch;

	if (test_conformance_absent())
		return;
	snprintf(path, sizeof(path), "%s/kubernetes-openapi/kustomization-swagger.json", dir ? dir : "../shared/conformance");
	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "%s: cannot open (set CONFORMANCE)", path);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	text = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	schema = cJSON_ParseWithLength(text, (size_t)len);
	free(text);
	ck_assert_ptr_nonnull(schema);
	ck_assert_int_eq(gitops_smp_schema_new(&s, &err), 0);
	ck_assert_msg(gitops_smp_schema_add(s, schema, path, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(gitops_smp_lookup(&f, s, "kustomize.config.k8s.io/v1beta1", "Kustomization", "configMapGenerator"), 0);
	ck_assert_str_eq(f.merge_key, "name");
	ck_assert_uint_eq(f.strategy, GITOPS_SMP_MERGE);
	ck_assert_str_eq(f.ref, "io.k8s.api.apps.v1.ConfigMapArgs");
	doc = parse("{'apiVersion':'kustomize.config.k8s.io/v1beta1','kind':'Kustomization',"
		    "'configMapGenerator':[{'name':'a','literals':['x=1']},{'name':'b'}],'resources':['r.yaml']}");
	patch = parse("{'configMapGenerator':[{'name':'a','literals':['y=2']},{'name':'c'}],'resources':['s.yaml']}");
	ck_assert_msg(gitops_smp_apply(&doc, patch, s, NULL, NULL, &err) == 0, "%s", err.msg);
	got = print(doc);
	/* the patch's items in its order, 'c' (new) before the document's 'b' (mergeSortedSlice) */
	ck_assert_str_eq(got, "{'apiVersion':'kustomize.config.k8s.io/v1beta1','kind':'Kustomization',"
			      "'configMapGenerator':[{'name':'a','literals':['y=2']},{'name':'c'},{'name':'b'}],'resources':['s.yaml']}");
	free(got);
	cJSON_Delete(schema);
	cJSON_Delete(doc);
	cJSON_Delete(patch);
	gitops_smp_schema_free(s);
}
END_TEST

START_TEST(test_schema_errors)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_smp_schema *s = NULL;
	cJSON *bad = parse("{'swagger':'2.0'}"), *bad2 = parse("{'definitions':{'x':[]}}");
	cJSON *doc = parse("{'a':1}"), *patch = parse("[1]");

	ck_assert_int_eq(gitops_smp_schema_new(&s, &err), 0);
	ck_assert_int_eq(gitops_smp_schema_add(s, bad, "k.json", &err), -1);
	ck_assert_str_eq(err.msg, "k.json: no definitions (swagger 'definitions' or 'components.schemas')");
	ck_assert_int_eq(gitops_smp_schema_add(s, bad2, "k.json", &err), -1);
	ck_assert_str_eq(err.msg, "k.json: definitions.x: expected a mapping, not a sequence");
	ck_assert_int_eq(gitops_smp_apply(&doc, patch, s, NULL, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "strategic merge patch: the patch is a sequence, not a mapping");
	gitops_smp_schema_free(s);
	gitops_smp_schema_free(NULL);
	cJSON_Delete(bad);
	cJSON_Delete(bad2);
	cJSON_Delete(doc);
	cJSON_Delete(patch);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("smp");
	TCase *tc = tcase_create("smp");

	tcase_add_loop_test(tc, test_apply, 0, N(cases));
	tcase_add_test(tc, test_case_count);
	tcase_add_loop_test(tc, test_table, 0, N(table_cases));
	tcase_add_test(tc, test_table_misses);
	tcase_add_test(tc, test_kustomization_schema);
	tcase_add_test(tc, test_schema_errors);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
