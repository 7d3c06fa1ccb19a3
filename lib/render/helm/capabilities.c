/*
 * capabilities.c: .Capabilities as `helm template` v3.17.2 builds it
 * (pkg/chartutil/capabilities.go, pkg/cmd/template.go, pkg/action/install.go).
 *
 * The default APIVersions are chartutil.DefaultVersionSet: the group/
 * versions client-go v0.32.2's scheme registers, in the order helm v3.17.2
 * prints them (`{{ .Capabilities.APIVersions }}` without --api-versions);
 * --kube-version never changes them.  The default KubeVersion is helm's
 * build-time k8s version, v1.32.0.
 */
#include <string.h>

#include "lib/render/helm/builtins_int.h"

static const char *const default_api_versions[] = {
	"v1",
	"admissionregistration.k8s.io/v1",
	"admissionregistration.k8s.io/v1alpha1",
	"admissionregistration.k8s.io/v1beta1",
	"internal.apiserver.k8s.io/v1alpha1",
	"apps/v1",
	"apps/v1beta1",
	"apps/v1beta2",
	"authentication.k8s.io/v1",
	"authentication.k8s.io/v1alpha1",
	"authentication.k8s.io/v1beta1",
	"authorization.k8s.io/v1",
	"authorization.k8s.io/v1beta1",
	"autoscaling/v1",
	"autoscaling/v2",
	"autoscaling/v2beta1",
	"autoscaling/v2beta2",
	"batch/v1",
	"batch/v1beta1",
	"certificates.k8s.io/v1",
	"certificates.k8s.io/v1beta1",
	"certificates.k8s.io/v1alpha1",
	"coordination.k8s.io/v1alpha2",
	"coordination.k8s.io/v1beta1",
	"coordination.k8s.io/v1",
	"discovery.k8s.io/v1",
	"discovery.k8s.io/v1beta1",
	"events.k8s.io/v1",
	"events.k8s.io/v1beta1",
	"extensions/v1beta1",
	"flowcontrol.apiserver.k8s.io/v1",
	"flowcontrol.apiserver.k8s.io/v1beta1",
	"flowcontrol.apiserver.k8s.io/v1beta2",
	"flowcontrol.apiserver.k8s.io/v1beta3",
	"networking.k8s.io/v1",
	"networking.k8s.io/v1alpha1",
	"networking.k8s.io/v1beta1",
	"node.k8s.io/v1",
	"node.k8s.io/v1alpha1",
	"node.k8s.io/v1beta1",
	"policy/v1",
	"policy/v1beta1",
	"rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1beta1",
	"rbac.authorization.k8s.io/v1alpha1",
	"resource.k8s.io/v1beta1",
	"resource.k8s.io/v1alpha3",
	"scheduling.k8s.io/v1alpha1",
	"scheduling.k8s.io/v1beta1",
	"scheduling.k8s.io/v1",
	"storage.k8s.io/v1beta1",
	"storage.k8s.io/v1",
	"storage.k8s.io/v1alpha1",
	"storagemigration.k8s.io/v1alpha1",
	"apiextensions.k8s.io/v1beta1",
	"apiextensions.k8s.io/v1",
};

#define DEFAULT_KUBE "v1.32.0"

/* helm v3.17.2's version.BuildInfo (the official binary's) */
static const char *const helm_build[][2] = {
	{ "Version", "v3.17.2" },
	{ "GitCommit", "cc0bbbd6d6276b83880042c1ecb34087e84d41eb" },
	{ "GitTreeState", "clean" },
	{ "GoVersion", "go1.23.7" },
};

static const char *const kube_fields[] = { "Version", "Major", "Minor", NULL };
static const char *const build_fields[] = { "Version version,omitempty", "GitCommit git_commit,omitempty",
					     "GitTreeState git_tree_state,omitempty",
					     "GoVersion go_version,omitempty", NULL };
static const char *const caps_fields[] = { "KubeVersion", "APIVersions", "HelmVersion", NULL };

static struct gitops_tmpl_value *str(const char *s)
{
	return gitops_tmpl_value_cstring(s);
}

/* x in decimal, appended ("%llu" without printf) */
static int add_dec(struct gitops_buf *b, unsigned long long x)
{
	char d[20];
	size_t n = 0;

	do
		d[sizeof(d) - ++n] = (char)('0' + x % 10);
	while ((x /= 10) && n < sizeof(d));
	return gitops_buf_add(b, d + sizeof(d) - n, n);
}

/*
 * chartutil.ParseKubeVersion: semver.NewVersion (Sprig's semver is the same
 * Masterminds function), then "v" + its String(), Major and Minor.
 */
static int kube_version(struct gitops_tmpl_value **out, const char *text, struct gitops_err *err)
{
	struct gitops_tmpl_value *arg = NULL, *ver = NULL, *kv = NULL;
	struct gitops_err e2 = { 0 };
	struct gitops_buf b = GITOPS_BUF_INIT;
	const char *s;
	int rc = -1;

	if (!(arg = str(text)))
		goto oom;
	if (hb_call("semver", &ver, &arg, 1, &e2) < 0) {
		if (e2.code == GITOPS_EXIT_INTERNAL) {
			*err = e2;
			goto done;
		}
		gitops_err_set(err, GITOPS_EXIT_USAGE, "invalid kube version '%s': %s", text, e2.msg);
		goto done;
	}
	s = gitops_tmpl_value_str(gitops_tmpl_map_get(ver, GITOPS_TMPL_STRINGER, strlen(GITOPS_TMPL_STRINGER)), NULL);
	if (!(kv = gitops_tmpl_value_struct("chartutil.KubeVersion")) || gitops_buf_add(&b, "v", 1) < 0 ||
	    gitops_buf_addstr(&b, s ? s : "") < 0 ||
	    hb_set(kv, "Version", gitops_tmpl_value_string(b.data, b.len)) < 0 ||
	    hb_set(kv, GITOPS_TMPL_STRINGER, gitops_tmpl_value_string(b.data, b.len)) < 0)
		goto oom;
	gitops_buf_release(&b);
	if (add_dec(&b, (unsigned long long)gitops_tmpl_value_int_of(gitops_tmpl_map_get(ver, "major()", 7))) < 0 ||
	    hb_set(kv, "Major", gitops_tmpl_value_string(b.data, b.len)) < 0)
		goto oom;
	gitops_buf_release(&b);
	if (add_dec(&b, (unsigned long long)gitops_tmpl_value_int_of(gitops_tmpl_map_get(ver, "minor()", 7))) < 0 ||
	    hb_set(kv, "Minor", gitops_tmpl_value_string(b.data, b.len)) < 0 || hb_fields(kv, kube_fields) < 0)
		goto oom;
	*out = kv;
	kv = NULL;
	rc = 0;
	goto done;
oom:
	gitops_err_oom(err);
done:
	gitops_buf_release(&b);
	gitops_tmpl_value_unref(arg);
	gitops_tmpl_value_unref(ver);
	gitops_tmpl_value_unref(kv);
	return rc;
}

int gitops_helm_capabilities(struct gitops_tmpl_value **out, const char *kube, const char *const *api_versions,
			     size_t n, struct gitops_err *err)
{
	struct gitops_tmpl_value *caps = NULL, *kv = NULL, *vs = NULL, *hv = NULL;
	size_t i;

	*out = NULL;
	if (kube_version(&kv, kube && *kube ? kube : DEFAULT_KUBE, err) < 0)
		return -1;
	if (!(caps = gitops_tmpl_value_struct("*chartutil.Capabilities")) ||
	    !(vs = gitops_tmpl_value_named_list(GITOPS_TMPL_STRLIST, "chartutil.VersionSet")) ||
	    !(hv = gitops_tmpl_value_struct("version.BuildInfo")))
		goto oom;
	for (i = 0; i < sizeof(default_api_versions) / sizeof(default_api_versions[0]); i++)
		if (gitops_tmpl_list_push(vs, str(default_api_versions[i])) < 0)
			goto oom;
	for (i = 0; i < n; i++)
		if (gitops_tmpl_list_push(vs, str(api_versions[i] ? api_versions[i] : "")) < 0)
			goto oom;
	for (i = 0; i < sizeof(helm_build) / sizeof(helm_build[0]); i++)
		if (hb_set(hv, helm_build[i][0], str(helm_build[i][1])) < 0)
			goto oom;
	if (hb_fields(hv, build_fields) < 0 || hb_fields(caps, caps_fields) < 0)
		goto oom;
	if (hb_set(caps, "KubeVersion", kv) < 0) {
		kv = NULL;
		goto oom;
	}
	kv = NULL;
	if (hb_set(caps, "APIVersions", vs) < 0) {
		vs = NULL;
		goto oom;
	}
	vs = NULL;
	if (hb_set(caps, "HelmVersion", hv) < 0) {
		hv = NULL;
		goto oom;
	}
	*out = caps;
	return 0;
oom:
	gitops_tmpl_value_unref(caps);
	gitops_tmpl_value_unref(kv);
	gitops_tmpl_value_unref(vs);
	gitops_tmpl_value_unref(hv);
	return gitops_err_oom(err);
}

const char *gitops_helm_capabilities_kube_version(const struct gitops_tmpl_value *caps)
{
	const struct gitops_tmpl_value *kv = gitops_tmpl_map_get(caps, "KubeVersion", 11);

	return gitops_tmpl_value_str(gitops_tmpl_map_get(kv, "Version", 7), NULL);
}

/* VersionSet.Has: is the string one of the set's? */
HB_FN(hb_versionset_has)
{
	size_t len, i, il;
	const char *s = gitops_tmpl_value_str(args[1], &len);

	(void)call, (void)n;
	for (i = 0; i < gitops_tmpl_value_len(args[0]); i++) {
		const char *it = gitops_tmpl_value_str(gitops_tmpl_value_item(args[0], i), &il);
		if (it && s && il == len && !memcmp(it, s, len))
			break;
	}
	*out = gitops_tmpl_value_bool(i < gitops_tmpl_value_len(args[0]));
	return *out ? 0 : gitops_err_oom(err);
}

/* KubeVersion.String and GitVersion: its Version */
HB_FN(hb_kubeversion_string)
{
	struct gitops_tmpl_value *v = gitops_tmpl_map_get(args[0], "Version", 7);

	(void)call, (void)n;
	*out = v ? gitops_tmpl_value_ref(v) : gitops_tmpl_value_cstring("");
	return *out ? 0 : gitops_err_oom(err);
}
