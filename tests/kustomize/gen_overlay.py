#!/usr/bin/env python3
"""gen_overlay.py: random Kustomize trees from a grammar, for differential testing.

    tests/kustomize/gen_overlay.py --seed S DIR

writes a tree under DIR (which must not exist or be empty) and prints the
directory to build, relative to DIR (always "overlay"):

    DIR/overlay/          the kustomization built (kubectl kustomize DIR/overlay)
    DIR/bases/bN/         bases, some nesting others (../bM)
    DIR/components/cN/    components (kind: Component)

The same seed gives the same bytes (python3, stdlib only).  The generator keeps a
model of the objects each kustomization holds (kind, name, labels) so that most
patches, references, replacements and vars hit something; a few trees are made
invalid on purpose (gen.invalid is then set: both tools are expected to fail).

What a tree may hold: Deployments, Services, ConfigMaps, Secrets, ServiceAccounts,
RoleBindings, CronJobs, HPAs, Ingresses, a CRD and a custom resource; namePrefix,
nameSuffix, namespace, labels (includeSelectors / includeTemplates), commonLabels,
commonAnnotations, images, replicas, patches (inline and file, SMP and JSON 6902,
targets by kind, name regex, label and annotation selectors), patchesStrategicMerge,
patchesJson6902, configMapGenerator / secretGenerator (create, merge, replace;
literals, files, envs; options), generatorOptions, replacements (select/reject,
[name=x] steps, delimiter/index/create), vars ($(VAR) in command, args, env),
sortOptions, buildMetadata.  Strings YAML 1.1 would read as something else
("yes", "0755", "1e3", "2024-01-01"...) are written quoted, on purpose, in values.
"""

import argparse
import json
import os
import random
import re
import sys

# ---------------------------------------------------------------------------
# YAML writer: block style, two-space indent, sequences at their key's column.


class Lit(str):
    """A string written as a block literal."""


SPECIAL_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", ""}
PLAIN_RE = re.compile(r"[A-Za-z/][A-Za-z0-9_./@%+=,-]*")


def scalar(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    s = str(v)
    if PLAIN_RE.fullmatch(s) and s.lower() not in SPECIAL_WORDS:
        return s
    return json.dumps(s, ensure_ascii=False)


# Other ways to write the same data, for the objects' files: both readers must see one tree.

def styled_scalar(v, rng):
    if isinstance(v, str) and v and rng.random() < 0.3 and "\n" not in v and "\t" not in v \
            and not v.startswith(" ") and not v.endswith(" "):
        return "'" + v.replace("'", "''") + "'"
    return scalar(v)


def flow(v, rng):
    if isinstance(v, dict):
        return "{" + ", ".join("%s: %s" % (scalar(k), flow(x, rng)) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(flow(x, rng) for x in v) + "]"
    if isinstance(v, str) and "\n" in v:
        return json.dumps(v, ensure_ascii=False)
    return styled_scalar(v, rng)


def block_string(key, v, pad, rng, out):
    """A multi-line string as a literal or folded block, or None when it cannot be one."""
    if "\t" in v or "\r" in v or any(l != l.rstrip(" ") for l in v.split("\n")):
        return False
    lines = v.split("\n")
    body = lines[:-1] if v.endswith("\n") else lines
    if not v.strip("\n") or v.endswith("\n\n"):
        return False
    ind = ""
    if body[0].startswith(" "):
        ind = "2"
    chomp = "" if v.endswith("\n") else "-"
    out.append("%s%s: |%s%s\n" % (pad, key, ind, chomp))
    for l in body:
        out.append("%s  %s\n" % (pad, l) if l else "\n")
    return True


def emit_styled(v, indent, out, rng):
    pad = " " * indent
    if isinstance(v, dict):
        for k, x in v.items():
            key = scalar(k)
            if rng.random() < 0.03:
                out.append("%s# a comment\n" % pad)
            if isinstance(x, str) and "\n" in x and rng.random() < 0.7 and block_string(key, x, pad, rng, out):
                continue
            if isinstance(x, (dict, list)) and x and rng.random() < 0.1 and len(json.dumps(x)) < 120:
                out.append("%s%s: %s\n" % (pad, key, flow(x, rng)))
            elif isinstance(x, dict) and x:
                out.append("%s%s:\n" % (pad, key))
                emit_styled(x, indent + 2, out, rng)
            elif isinstance(x, list) and x:
                out.append("%s%s:\n" % (pad, key))
                if rng.random() < 0.2:
                    sub = []
                    emit_styled(x, indent + 2, sub, rng)
                    out.extend(sub)
                else:
                    emit_styled(x, indent, out, rng)
            elif isinstance(x, (dict, list)):
                out.append("%s%s: %s\n" % (pad, key, "{}" if isinstance(x, dict) else "[]"))
            else:
                out.append("%s%s: %s\n" % (pad, key, styled_scalar(x, rng)))
    else:
        for x in v:
            if isinstance(x, (dict, list)) and x:
                sub = []
                emit_styled(x, indent + 2, sub, rng)
                if sub[0].lstrip().startswith("#"):
                    sub.pop(0)
                sub[0] = pad + "- " + sub[0][indent + 2:]
                out.extend(sub)
            else:
                out.append("%s- %s\n" % (pad, flow(x, rng)))


def to_yaml_styled(obj, rng):
    out = []
    emit_styled(obj, 0, out, rng)
    return "".join(out)


def emit(v, indent, out):
    pad = " " * indent
    if isinstance(v, dict):
        for k, x in v.items():
            key = scalar(k)
            if isinstance(x, Lit):
                chomp = "|" if x.endswith("\n") else "|-"
                out.append(f"{pad}{key}: {chomp}\n")
                for line in x.rstrip("\n").split("\n"):
                    out.append(f"{pad}  {line}\n" if line else "\n")
            elif isinstance(x, dict) and x:
                out.append(f"{pad}{key}:\n")
                emit(x, indent + 2, out)
            elif isinstance(x, list) and x:
                out.append(f"{pad}{key}:\n")
                emit(x, indent, out)
            elif isinstance(x, dict):
                out.append(f"{pad}{key}: {{}}\n")
            elif isinstance(x, list):
                out.append(f"{pad}{key}: []\n")
            else:
                out.append(f"{pad}{key}: {scalar(x)}\n")
    else:
        for x in v:
            if isinstance(x, (dict, list)) and x:
                sub = []
                emit(x, indent + 2, sub)
                sub[0] = pad + "- " + sub[0][indent + 2:]
                out.extend(sub)
            elif isinstance(x, Lit):
                sub = []
                emit({"k": x}, indent + 2, sub)
                sub[0] = pad + "- " + sub[0][indent + 2:].replace("k: ", "", 1)
                out.extend(sub)
            else:
                out.append(f"{pad}- {scalar(x)}\n")


def to_yaml(obj):
    out = []
    emit(obj, 0, out)
    return "".join(out)


# ---------------------------------------------------------------------------
# Vocabulary.

APPS = ["web", "api", "worker", "cache", "auth", "billing", "search", "gateway",
        "orders", "payments", "catalog", "notify", "reports", "ingest", "queue",
        "mailer", "proxy", "admin", "feed", "media"]
NAMESPACES = ["prod", "staging", "shop", "team-a", "data"]
IMAGES = ["nginx", "nginx:1.25", "busybox", "redis:7", "registry.example.com/team/api:v1.2.3",
          "ghcr.io/org/worker", "postgres:16.1",
          "alpine@sha256:" + "a" * 64, "quay.io/org/tool:latest"]
NEW_NAMES = ["mirror.example.com/nginx", "my-registry/redis", "busybox", "ghcr.io/fork/worker",
             "registry.local:5000/api"]
TAGS = ["1.26", "v2", "stable", "1.0.0", "2024-01-01", "0755", "1e3", "latest"]
DIGEST = "sha256:" + "0123456789abcdef" * 4
# values that a YAML 1.1 reader takes for something else if left plain: always quoted
SPECIAL = ["yes", "no", "y", "n", "on", "off", "true", "false", "null", "~", "0755", "0x1F",
           "1e3", "12:30", "2024-01-01", "2001-12-14t21:59:43.10-05:00", "1_000", ".5", "+1",
           "-0", ".inf", ".NaN", "", " lead", "trail ", "a: b", "#x", "- x", "*a", "&a", "!t",
           "%x", "@x", "`x", "{x}", "[x]", "x, y", "'q'", '"q"', "tab\tin", "uni é ✓", "multi\nline\n",
           "multi\nline", "0", "1.0", "=", "?", "|", ">",
           "a rather long value with spaces that goes past eighty columns, to see whether anything folds it",
           "  indented first\nline\n", "text\n\n", "last line has trailing space \nx", "x\u0001y",
           "a'b", 'a"b', "back\\slash", "0o17", "0b101", "+.5", "1e-3", "1:20:30", "NULL", "True", "NO",
           "Yes", "OFF", "2024-01-01T10:00:00Z", "<<", "=x", "x #y", "x:y", "-", "---", "..."]
WORDS = ["alpha", "beta", "gamma", "delta", "info", "debug", "enabled", "blue", "green", "eu-west-1"]


class Obj:
    """The model of one object a kustomization holds (what patches and references aim at)."""

    def __init__(self, kind, name, api="v1", labels=None, annotations=None, generated=False,
                 containers=None, ns=None):
        self.kind = kind
        self.name = name          # the name as seen by the kustomization that holds it
        self.orig = name          # the name it had in its file or generator
        self.api = api
        self.labels = dict(labels or {})
        self.annotations = dict(annotations or {})
        self.generated = generated
        self.containers = list(containers or [])
        self.ns = ns

    def group(self):
        return self.api.split("/")[0] if "/" in self.api else ""

    def version(self):
        return self.api.split("/")[-1]


class Gen:
    def __init__(self, seed, root):
        self.rng = random.Random(seed)
        self.root = root
        self.apps = list(APPS)
        self.rng.shuffle(self.apps)
        self.nbase = 0
        self.ncomp = 0
        self.nfile = 0
        self.nvar = 0
        self.invalid = False
        self.vars_seen = []       # (name) declared anywhere
        self.crd = self.rng.random() < 0.15
        self.flags = []           # for both tools, written to DIR/flags one a line

    # helpers -------------------------------------------------------------
    def p(self, x):
        return self.rng.random() < x

    def pick(self, seq):
        return self.rng.choice(seq)

    def some(self, seq, lo=1, hi=None):
        seq = list(seq)
        if not seq:
            return []
        hi = min(hi or len(seq), len(seq))
        lo = min(lo, hi)
        return self.rng.sample(seq, self.rng.randint(lo, hi))

    def word(self):
        return self.pick(WORDS)

    def value(self):
        """A string value: mostly plain words, sometimes a scalar YAML 1.1 misreads."""
        if self.p(0.25):
            return self.pick(SPECIAL)
        return self.pick(WORDS) + ("-%d" % self.rng.randint(0, 99) if self.p(0.3) else "")

    def label_value(self):
        # label values must be valid: alnum, -, _, . (quoted specials like "true", "0755" are fine)
        return self.pick(["true", "false", "yes", "0755", "1", "1.0", "v1", "blue", "a.b_c-d",
                          "prod", "null", "on"] + WORDS)

    def write(self, path, text):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)

    def newfile(self, prefix):
        self.nfile += 1
        return "%s-%d.yaml" % (prefix, self.nfile)

    def app(self):
        if not self.apps:
            self.apps = [a + "2" for a in APPS]
        return self.apps.pop()

    # objects -------------------------------------------------------------
    def deployment(self, app, env_cms, env_secrets, sa, varnames):
        labels = {"app": app}
        if self.p(0.4):
            labels["tier"] = self.pick(["frontend", "backend"])
        containers = [{
            "name": app,
            "image": self.pick(IMAGES),
        }]
        c = containers[0]
        if self.p(0.5):
            c["ports"] = [{"containerPort": self.pick([8080, 80, 9000]), "name": "http"}]
        env = []
        for i in range(self.rng.randint(0, 3)):
            env.append({"name": "E%d" % i, "value": self.value()})
        if varnames and self.p(0.7):
            v = self.pick(varnames)
            env.append({"name": "FROM_VAR", "value": "$(%s)" % v})
            if self.p(0.5):
                c["command"] = ["/bin/" + app, "--peer=$(%s)" % self.pick(varnames)]
            if self.p(0.5):
                c["args"] = ["--x=$(%s)" % self.pick(varnames), "$(UNDECLARED_%d)" % self.rng.randint(0, 9)]
        if self.p(0.3):
            env.append({"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}})
        if env_cms and self.p(0.4):
            env.append({"name": "FROM_CM", "valueFrom": {"configMapKeyRef": {
                "name": self.pick(env_cms), "key": "k0"}}})
        if env:
            c["env"] = env
        envfrom = []
        for cm in self.some(env_cms, 0, 2):
            envfrom.append({"configMapRef": {"name": cm}})
        for s in self.some(env_secrets, 0, 1):
            envfrom.append({"secretRef": {"name": s}})
        if envfrom:
            c["envFrom"] = envfrom
        if self.p(0.3):
            containers.append({"name": "sidecar", "image": self.pick(IMAGES),
                               "args": ["--level", self.pick(["info", "debug"])]})
        spec = {"containers": containers}
        vols = []
        if env_cms and self.p(0.5):
            vols.append({"name": "cfg", "configMap": {"name": self.pick(env_cms)}})
        if env_secrets and self.p(0.5):
            vols.append({"name": "sec", "secret": {"secretName": self.pick(env_secrets)}})
        if vols:
            spec["volumes"] = vols
            c["volumeMounts"] = [{"name": v["name"], "mountPath": "/etc/" + v["name"]} for v in vols]
        if sa:
            spec["serviceAccountName"] = sa
        if self.p(0.2):
            spec["initContainers"] = [{"name": "init", "image": self.pick(IMAGES)}]
        dep = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": app, "labels": dict(labels)},
            "spec": {
                "selector": {"matchLabels": {"app": app}},
                "template": {"metadata": {"labels": dict(labels)}, "spec": spec},
            },
        }
        if self.p(0.6):
            dep["spec"]["replicas"] = self.rng.randint(1, 5)
        if self.p(0.3):
            dep["metadata"]["annotations"] = {"team": self.pick(["a", "b"]), "note": self.value()}
        return dep, Obj("Deployment", app, "apps/v1", labels,
                        dep["metadata"].get("annotations"), containers=[x["name"] for x in containers])

    def service(self, app):
        svc = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": app, "labels": {"app": app}},
            "spec": {"selector": {"app": app},
                     "ports": [{"port": 80, "targetPort": self.pick([8080, "http"]), "name": "http"}]},
        }
        if self.p(0.2):
            svc["spec"]["type"] = "ClusterIP"
        return svc, Obj("Service", app, "v1", {"app": app})

    def configmap(self, name):
        data = {}
        for i in range(self.rng.randint(1, 4)):
            data["k%d" % i] = self.value()
        if self.p(0.2):
            data["config.yaml"] = Lit("a: 1\nb:\n  - x\n  - y\n")
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
        if self.p(0.3):
            cm["metadata"]["labels"] = {"app": name.split("-")[0]}
        return cm, Obj("ConfigMap", name, "v1", cm["metadata"].get("labels"))

    def secret(self, name):
        s = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "type": "Opaque",
             "data": {"password": self.pick(["cGFzcw==", "c2VjcmV0", "MTIzNA=="])}}
        if self.p(0.3):
            s["stringData"] = {"user": self.value()}
        return s, Obj("Secret", name, "v1")

    def serviceaccount(self, name):
        return ({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}},
                Obj("ServiceAccount", name, "v1"))

    def rolebinding(self, name, sa, ns):
        subj = {"kind": "ServiceAccount", "name": sa}
        if ns:
            subj["namespace"] = ns
        rb = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
              "metadata": {"name": name},
              "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
              "subjects": [subj]}
        return rb, Obj("RoleBinding", name, "rbac.authorization.k8s.io/v1")

    def cronjob(self, name, cms):
        c = {"name": name, "image": self.pick(IMAGES)}
        if cms and self.p(0.5):
            c["envFrom"] = [{"configMapRef": {"name": self.pick(cms)}}]
        cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
              "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {
                  "spec": {"restartPolicy": "OnFailure", "containers": [c]}}}}}}
        return cj, Obj("CronJob", name, "batch/v1", containers=[name])

    def hpa(self, name, target):
        h = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
             "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
                      "minReplicas": 1, "maxReplicas": 4}}
        return h, Obj("HorizontalPodAutoscaler", name, "autoscaling/v2")

    def ingress(self, name, svc):
        i = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name},
             "spec": {"rules": [{"host": name + ".example.com", "http": {"paths": [{
                 "path": "/", "pathType": "Prefix",
                 "backend": {"service": {"name": svc, "port": {"number": 80}}}}]}}]}}
        return i, Obj("Ingress", name, "networking.k8s.io/v1")

    def namespace_obj(self, name):
        return ({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                Obj("Namespace", name, "v1"))

    def clusterrolebinding(self, name, sa, ns):
        subj = {"kind": "ServiceAccount", "name": sa}
        if ns:
            subj["namespace"] = ns
        return ({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                 "metadata": {"name": name},
                 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
                 "subjects": [subj]},
                Obj("ClusterRoleBinding", name, "rbac.authorization.k8s.io/v1"))

    def clusterrole(self, name):
        return ({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name},
                 "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]},
                Obj("ClusterRole", name, "rbac.authorization.k8s.io/v1"))

    def statefulset(self, name, svc, cms):
        c = {"name": name, "image": self.pick(IMAGES),
             "volumeMounts": [{"name": "data", "mountPath": "/data"}]}
        spec = {"containers": [c]}
        if cms and self.p(0.5):
            spec["volumes"] = [{"name": "cfg", "configMap": {"name": self.pick(cms)}}]
        if self.p(0.3):
            spec["volumes"] = spec.get("volumes", []) + [{"name": "claim",
                                                          "persistentVolumeClaim": {"claimName": name + "-pvc"}}]
        st = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "labels": {"app": name}},
              "spec": {"serviceName": svc, "replicas": 1, "selector": {"matchLabels": {"app": name}},
                       "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
                       "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                           "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}}
        pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name + "-pvc"},
               "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
        return [(st, Obj("StatefulSet", name, "apps/v1", {"app": name}, containers=[name])),
                (pvc, Obj("PersistentVolumeClaim", name + "-pvc", "v1"))]

    def crd_objs(self):
        crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
               "metadata": {"name": "widgets.example.com"},
               "spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"},
                        "scope": "Namespaced",
                        "versions": [{"name": "v1", "served": True, "storage": True,
                                      "schema": {"openAPIV3Schema": {"type": "object",
                                                 "x-kubernetes-preserve-unknown-fields": True}}}]}}
        w = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "gadget"},
             "spec": {"size": self.pick(["small", "large"]), "image": self.pick(IMAGES),
                      "selector": {"app": "gadget"}, "configRef": "gadget-config",
                      "list": [{"name": "a", "v": 1}, {"name": "b", "v": 2}]}}
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "gadget-config"}, "data": {"a": "b"}}
        return [(crd, Obj("CustomResourceDefinition", "widgets.example.com", "apiextensions.k8s.io/v1")),
                (cm, Obj("ConfigMap", "gadget-config", "v1")),
                (w, Obj("Widget", "gadget", "example.com/v1"))]

    # generators ----------------------------------------------------------
    def gen_entry(self, kdir, name, behavior=None, secret=False):
        e = {"name": name}
        if behavior:
            e["behavior"] = behavior
        lits = ["k%d=%s" % (i, self.value().replace("\n", " ")) for i in range(self.rng.randint(0, 3))]
        if not lits or self.p(0.3):
            lits.append("k0=" + self.word())
        # a literal key once only
        seen, uniq = set(), []
        for l in lits:
            k = l.split("=", 1)[0]
            if k not in seen:
                seen.add(k)
                uniq.append(l)
        e["literals"] = uniq
        if self.p(0.25):
            fn = "file-%d.txt" % self.nfile
            self.nfile += 1
            self.write(os.path.join(kdir, fn), self.pick(["hello\n", "a=b\nc: d\n", "no newline", "yes\n"]))
            e["files"] = [fn] if self.p(0.5) else ["renamed.txt=" + fn]
        if self.p(0.2):
            fn = "vars-%d.env" % self.nfile
            self.nfile += 1
            self.write(os.path.join(kdir, fn), "ENV_A=%s\n# comment\nENV_B=%s\n" % (self.word(), self.word()))
            e["envs"] = [fn]
        if secret and self.p(0.3):
            e["type"] = self.pick(["Opaque", "kubernetes.io/tls"]) if not behavior else "Opaque"
            if e["type"] == "kubernetes.io/tls":
                e["literals"] = ["tls.crt=CERT", "tls.key=KEY"]
                e.pop("files", None)
                e.pop("envs", None)
        if self.p(0.3):
            o = {}
            if self.p(0.5):
                o["disableNameSuffixHash"] = self.p(0.7)
            if self.p(0.5):
                o["labels"] = {"gen": self.label_value()}
            if self.p(0.4):
                o["annotations"] = {"note": self.value()}
            if self.p(0.1):
                o["immutable"] = True
            e["options"] = o
        return e

    # patches -------------------------------------------------------------
    def target_for(self, o, objs):
        t = {}
        r = self.rng.random()
        if r < 0.4:
            t = {"kind": o.kind, "name": o.name}
        elif r < 0.55:
            t = {"kind": o.kind, "name": o.name[:2] + ".*"}
        elif r < 0.7 and o.labels:
            k = self.pick(sorted(o.labels))
            t = {"kind": o.kind, "labelSelector": "%s=%s" % (k, o.labels[k])}
            if self.p(0.3):
                t["labelSelector"] = "%s in (%s,other)" % (k, o.labels[k])
        elif r < 0.8 and o.annotations:
            k = self.pick(sorted(o.annotations))
            if re.fullmatch(r"[A-Za-z0-9._-]{1,63}", str(o.annotations[k])):
                t = {"annotationSelector": "%s=%s" % (k, o.annotations[k])}
            else:
                t = {"annotationSelector": k}
        elif r < 0.9:
            t = {"kind": o.kind}
        else:
            t = {"group": o.group(), "version": o.version(), "kind": o.kind, "name": o.name}
            if not t["group"]:
                del t["group"]
        if self.p(0.1):
            t["namespace"] = self.pick(NAMESPACES)
        return t

    def smp_for(self, o, named=True):
        body = {"apiVersion": o.api, "kind": o.kind, "metadata": {"name": o.name if named else "ignored"}}
        if named and o.ns and self.p(0.95):
            body["metadata"]["namespace"] = o.ns
        k = o.kind
        r = self.rng.random()
        if k == "Deployment":
            if r < 0.3:
                body["spec"] = {"replicas": self.rng.randint(0, 9)}
            elif r < 0.6 and o.containers:
                c = {"name": self.pick(o.containers)}
                if self.p(0.5):
                    c["image"] = self.pick(IMAGES)
                if self.p(0.5):
                    c["env"] = [{"name": "PATCHED", "value": self.value()}]
                if self.p(0.1):
                    c = {"name": c["name"], "$patch": "delete"}
                if len(c) == 1:
                    c["imagePullPolicy"] = "Always"
                body["spec"] = {"template": {"spec": {"containers": [c]}}}
            elif r < 0.75:
                body["spec"] = {"template": {"metadata": {"labels": {"patched": self.label_value()}}}}
            elif r < 0.85:
                body["metadata"]["annotations"] = {"patched-by": self.value()}
            elif r < 0.9:
                body["spec"] = {"template": {"spec": {"$patch": "replace", "containers": [
                    {"name": "only", "image": "nginx"}]}}}
            elif r < 0.93:
                body["spec"] = {"strategy": {"type": "Recreate"}}
            elif r < 0.96 and o.containers:
                body["spec"] = {"template": {"spec": {
                    "$setElementOrder/containers": [{"name": c} for c in reversed(o.containers)],
                    "containers": [{"name": o.containers[0], "args": ["--reordered"]}]}}}
            elif r < 0.98 and o.containers:
                body["spec"] = {"template": {"spec": {"containers": [{
                    "name": o.containers[0], "$deleteFromPrimitiveList/args": ["--level"]}]}}}
            else:
                body["$patch"] = "delete"
        elif k == "Service":
            if r < 0.5:
                body["spec"] = {"ports": [{"port": self.pick([80, 443]), "name": self.pick(["http", "https"]),
                                           "targetPort": 8443}]}
            else:
                body["spec"] = {"type": "NodePort"}
        elif k in ("ConfigMap", "Secret"):
            body["data"] = {"patched": self.value() if k == "ConfigMap" else "eWVz"}
            if self.p(0.2):
                body["data"] = {"k0": None}
        elif k == "Widget":
            body["spec"] = {"size": "medium", "list": [{"name": "c", "v": 3}]}
        elif k == "StatefulSet":
            body["spec"] = {"volumeClaimTemplates": [{"metadata": {"name": "data"},
                                                      "spec": {"resources": {"requests": {"storage": "2Gi"}}}}]}
        else:
            body["metadata"]["labels"] = {"patched": self.label_value()}
        return body

    def json6902_for(self, o):
        ops = []
        k = o.kind
        r = self.rng.random()
        if k == "Deployment":
            if r < 0.3:
                ops.append({"op": "replace", "path": "/spec/replicas", "value": self.rng.randint(0, 9)})
            elif r < 0.5:
                ops.append({"op": "add", "path": "/spec/template/spec/containers/0/args/-"
                            if self.p(0.3) else "/spec/template/spec/containers/0/env/-",
                            "value": {"name": "J", "value": self.value()} if True else "x"})
            elif r < 0.65:
                ops.append({"op": "add", "path": "/metadata/annotations/json~1patched", "value": self.value()})
            elif r < 0.75:
                ops.append({"op": "test", "path": "/kind", "value": "Deployment"})
                ops.append({"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:9"})
            elif r < 0.85:
                ops.append({"op": "copy", "from": "/metadata/name", "path": "/metadata/labels/copied"})
            elif r < 0.92:
                ops.append({"op": "move", "from": "/metadata/labels", "path": "/metadata/annotations"})
            else:
                ops.append({"op": "remove", "path": "/spec/replicas"})
        elif k in ("ConfigMap",):
            ops.append({"op": "add", "path": "/data/jp", "value": self.value()})
        elif k == "Service":
            ops.append({"op": "replace", "path": "/spec/ports/0/port", "value": 8081})
        else:
            ops.append({"op": "add", "path": "/metadata/labels", "value": {"jp": "x"}})
        if self.p(0.02):
            ops.append({"op": "remove", "path": "/does/not/exist"})
        return ops

    def patch_text(self, v, as_json):
        if as_json and self.p(0.3):
            return Lit(json.dumps(v, indent=2) + "\n")
        return Lit(to_yaml(v))

    # kustomizations -------------------------------------------------------
    def kustomization(self, kdir, depth, component=False, overlay=False, ns_hint=None):
        """Write kdir/kustomization.yaml; return the model of the objects it yields."""
        k = {}
        if component:
            k["apiVersion"] = "kustomize.config.k8s.io/v1alpha1"
            k["kind"] = "Component"
        elif self.p(0.7):
            k["apiVersion"] = "kustomize.config.k8s.io/v1beta1"
            k["kind"] = "Kustomization"
        objs = []
        resources = []
        varnames_here = []

        # bases first (their objects are what this level patches)
        if not component and depth > 0:
            nb = self.rng.choice([0, 1, 1, 1, 2, 2, 3]) if overlay else self.rng.choice([0, 0, 0, 1])
            for _ in range(nb):
                self.nbase += 1
                bdir = "bases/b%d" % self.nbase
                bobjs = self.kustomization(bdir, depth - 1)
                resources.append(os.path.relpath(bdir, kdir))
                objs.extend(bobjs)

        # own resources
        apps = [self.app() for _ in range(self.rng.choice([0, 1, 1, 2] if not overlay else [0, 0, 1]))]
        if not component and not apps and not objs:
            apps = [self.app()]
        docs = []
        cms_here, secrets_here = [], []
        gens = []
        for app in apps:
            if self.p(0.5):
                gname = app + "-env"
                gens.append(("configMapGenerator", self.gen_entry(kdir, gname)))
                cms_here.append(gname)
            if self.p(0.3):
                sname = app + "-creds"
                gens.append(("secretGenerator", self.gen_entry(kdir, sname, secret=True)))
                secrets_here.append(sname)
        known_cms = cms_here + [o.name for o in objs if o.kind == "ConfigMap"]
        known_secrets = secrets_here + [o.name for o in objs if o.kind == "Secret"]
        for app in apps:
            sa = None
            if self.p(0.4):
                d, o = self.serviceaccount(app + "-sa")
                docs.append(d)
                objs.append(o)
                sa = o.name
            if self.p(0.5):
                d, o = self.configmap(app + "-config")
                docs.append(d)
                objs.append(o)
                known_cms.append(o.name)
            if self.p(0.3):
                d, o = self.secret(app + "-secret")
                docs.append(d)
                objs.append(o)
                known_secrets.append(o.name)
            # vars this level declares, usable by this deployment
            if self.p(0.35):
                self.nvar += 1
                vn = "VAR_%d" % self.nvar
                varnames_here.append(vn)
            d, o = self.deployment(app, known_cms, known_secrets, sa if sa or not self.p(0.2) else "default",
                                   varnames_here + (self.vars_seen if self.p(0.3) else []))
            docs.append(d)
            objs.append(o)
            if self.p(0.7):
                d, o = self.service(app)
                docs.append(d)
                objs.append(o)
            if sa and self.p(0.5):
                d, o = self.rolebinding(app + "-rb", sa, self.pick([None, ns_hint or "prod"]))
                docs.append(d)
                objs.append(o)
            if self.p(0.15):
                d, o = self.cronjob(app + "-job", known_cms)
                docs.append(d)
                objs.append(o)
            if self.p(0.15):
                d, o = self.hpa(app, app)
                docs.append(d)
                objs.append(o)
            if self.p(0.1):
                svcs = [x.name for x in objs if x.kind == "Service"]
                for d, o in self.statefulset(app + "-db", self.pick(svcs) if svcs else app, known_cms):
                    docs.append(d)
                    objs.append(o)
            if sa and self.p(0.15):
                for d, o in (self.clusterrole(app + "-cr"),
                             self.clusterrolebinding(app + "-cr", sa, self.pick([None, ns_hint or "prod"]))):
                    docs.append(d)
                    objs.append(o)
            if self.p(0.15) and any(x.kind == "Service" for x in objs):
                d, o = self.ingress(app + "-ing", self.pick([x.name for x in objs if x.kind == "Service"]))
                docs.append(d)
                objs.append(o)
        if not component and self.p(0.08):
            d, o = self.namespace_obj(self.pick(NAMESPACES))
            docs.append(d)
            objs.append(o)
        # some objects name their namespace in their file
        for d in docs:
            if d["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition") \
                    and self.p(0.08):
                d["metadata"]["namespace"] = self.pick(NAMESPACES)
                for o in objs:
                    if o.kind == d["kind"] and o.name == d["metadata"]["name"]:
                        o.ns = d["metadata"]["namespace"]
        if self.crd and not component and self.p(0.5):
            self.crd = False
            for d, o in self.crd_objs():
                docs.append(d)
                objs.append(o)
        # files: one per object, or several in one stream
        self.rng.shuffle(docs) if self.p(0.3) else None
        while docs:
            n = 1 if self.p(0.6) else self.rng.randint(1, len(docs))
            chunk, docs = docs[:n], docs[n:]
            fn = self.newfile("res")
            if self.p(0.4):
                text = "---\n".join(to_yaml_styled(d, self.rng) for d in chunk)
            else:
                text = "---\n".join(to_yaml(d) for d in chunk)
            if self.p(0.1):
                text = "---\n" + text
            text = self.oddities(text)
            if overlay and self.p(0.25):
                # outside the kustomization's root: refused unless --load-restrictor none
                fn = os.path.join("..", "shared", fn)
                if self.p(0.8):
                    self.flags = ["--load-restrictor", "LoadRestrictionsNone"]
                else:
                    self.invalid = True
            self.write(os.path.normpath(os.path.join(kdir, fn)), text)
            resources.append(fn)
        if resources:
            k["resources"] = resources

        # components
        if not component and depth > 0 and self.p(0.3 if overlay else 0.15):
            comps = []
            for _ in range(self.rng.randint(1, 2)):
                self.ncomp += 1
                cdir = "components/c%d" % self.ncomp
                cobjs = self.kustomization(cdir, 0, component=True, ns_hint=ns_hint)
                comps.append(os.path.relpath(cdir, kdir))
                objs.extend(cobjs)
            k["components"] = comps

        # generators: own ones, plus merge/replace of what bases generated
        for field, e in gens:
            k.setdefault(field, []).append(e)
            objs.append(Obj("ConfigMap" if field == "configMapGenerator" else "Secret", e["name"],
                            generated=True))
        if self.p(0.3):
            genned = [o for o in objs if o.kind in ("ConfigMap", "Secret") and (o.generated or self.p(0.1))]
            if genned:
                o = self.pick(genned)
                field = "configMapGenerator" if o.kind == "ConfigMap" else "secretGenerator"
                name = o.name if self.p(0.8) else o.orig
                e = self.gen_entry(kdir, name, behavior=self.pick(["merge", "merge", "replace"]),
                                   secret=o.kind == "Secret")
                if o.ns and self.p(0.95):
                    e["namespace"] = o.ns
                k.setdefault(field, []).append(e)
            elif self.p(0.05):
                k["configMapGenerator"] = [self.gen_entry(kdir, "ghost", behavior="merge")]
        if self.p(0.1) and not component:
            nm = self.app() + "-plain"
            k.setdefault("configMapGenerator", []).append(self.gen_entry(kdir, nm))
            objs.append(Obj("ConfigMap", nm, generated=True))
        if (k.get("configMapGenerator") or k.get("secretGenerator")) and self.p(0.3):
            go = {}
            if self.p(0.6):
                go["disableNameSuffixHash"] = self.p(0.7)
            if self.p(0.5):
                go["labels"] = {"generated": self.label_value()}
            if self.p(0.3):
                go["annotations"] = {"gen-note": self.value()}
            k["generatorOptions"] = go

        # vars declared here
        targets_for_vars = [o for o in objs if o.kind in ("Service", "Deployment", "ConfigMap")]
        for vn in varnames_here:
            if not targets_for_vars:
                break
            o = self.pick(targets_for_vars)
            fp = "metadata.name"
            if o.kind == "ConfigMap" and not o.generated and self.p(0.5):
                fp = "data.k0"
            elif o.kind == "Deployment" and self.p(0.3):
                fp = "spec.template.spec.containers[0].image"
            elif o.kind == "Service" and self.p(0.3):
                fp = "spec.ports[0].port"
            v = {"name": vn, "objref": {"kind": o.kind, "name": o.name, "apiVersion": o.api}}
            if fp != "metadata.name" or self.p(0.5):
                v["fieldref"] = {"fieldPath": fp}
            k.setdefault("vars", []).append(v)
            self.vars_seen.append(vn)

        # transformers
        if self.p(0.35):
            k["namePrefix"] = self.pick(["p-", "pre-", "x", "a-b-"]) if not component else "c-"
        if self.p(0.25):
            k["nameSuffix"] = self.pick(["-s", "-v2", "-suffix"])
        if self.p(0.3) and not component:
            k["namespace"] = ns_hint if ns_hint and self.p(0.5) else self.pick(NAMESPACES)
        if self.p(0.35):
            labs = []
            for _ in range(self.rng.randint(1, 2)):
                e = {"pairs": {self.pick(["team", "env", "app.kubernetes.io/part-of", "owner"]):
                               self.label_value()}}
                if self.p(0.5):
                    e["includeSelectors"] = self.p(0.6)
                if self.p(0.4):
                    e["includeTemplates"] = self.p(0.7)
                labs.append(e)
            k["labels"] = labs
        if self.p(0.3):
            k["commonLabels"] = {self.pick(["env", "stage", "tier2"]): self.label_value()}
        if self.p(0.3):
            k["commonAnnotations"] = {self.pick(["owner", "example.com/contact", "note"]): self.value()}
        if self.p(0.3):
            ims = []
            for _ in range(self.rng.randint(1, 3)):
                base = self.pick(IMAGES).split("@")[0]
                name = re.sub(r":[^/]*$", "", base)
                e = {"name": name}
                r = self.rng.random()
                if r < 0.3:
                    e["newTag"] = self.pick(TAGS)
                elif r < 0.5:
                    e["newName"] = self.pick(NEW_NAMES)
                elif r < 0.65:
                    e["digest"] = DIGEST
                elif r < 0.85:
                    e["newName"] = self.pick(NEW_NAMES)
                    e["newTag"] = self.pick(TAGS)
                else:
                    e["newName"] = self.pick(NEW_NAMES)
                    e["digest"] = DIGEST
                ims.append(e)
            k["images"] = ims
        deps = [o for o in objs if o.kind == "Deployment"]
        if deps and self.p(0.25):
            k["replicas"] = [{"name": self.pick(deps).name, "count": self.rng.randint(0, 7)}]

        patchable = [o for o in objs if o.kind != "CustomResourceDefinition"]
        if patchable and self.p(0.5):
            ps = []
            for _ in range(self.rng.randint(1, 3)):
                o = self.pick(patchable)
                e = {}
                use_target = self.p(0.6)
                if self.p(0.5):
                    v = self.json6902_for(o)
                    use_target = True
                    as_json = True
                else:
                    v = self.smp_for(o, named=not use_target or self.p(0.5))
                    as_json = False
                if self.p(0.3):
                    fn = self.newfile("patch")
                    self.write(os.path.join(kdir, fn), self.patch_text(v, as_json))
                    e["path"] = fn
                else:
                    e["patch"] = self.patch_text(v, as_json)
                if use_target:
                    e["target"] = self.target_for(o, objs)
                if self.p(0.05):
                    e["options"] = {"allowNameChange": True}
                ps.append(e)
            k["patches"] = ps
        if patchable and not component and self.p(0.15):
            psm = []
            for _ in range(self.rng.randint(1, 2)):
                o = self.pick(patchable)
                v = self.smp_for(o)
                if self.p(0.5):
                    fn = self.newfile("psm")
                    self.write(os.path.join(kdir, fn), to_yaml(v))
                    psm.append(fn)
                else:
                    psm.append(Lit(to_yaml(v)))
            k["patchesStrategicMerge"] = psm
        if patchable and not component and self.p(0.15):
            o = self.pick(patchable)
            t = {"version": o.version(), "kind": o.kind, "name": o.name}
            if o.group():
                t = {"group": o.group(), **t}
            e = {"target": t}
            ops = self.json6902_for(o)
            if self.p(0.5):
                fn = self.newfile("jp")
                self.write(os.path.join(kdir, fn), self.patch_text(ops, True))
                e["path"] = fn
            else:
                e["patch"] = self.patch_text(ops, True)
            k["patchesJson6902"] = [e]

        # replacements
        if objs and self.p(0.3):
            reps = []
            for _ in range(self.rng.randint(1, 2)):
                rep = self.replacement(objs)
                if rep:
                    reps.append(rep)
            if reps:
                if self.p(0.2):
                    fn = self.newfile("repl")
                    self.write(os.path.join(kdir, fn), to_yaml(reps) if len(reps) > 1 else to_yaml(reps[0]))
                    k["replacements"] = [{"path": fn}]
                else:
                    k["replacements"] = reps

        if overlay and self.p(0.2):
            so = {"order": self.pick(["legacy", "fifo"])}
            if so["order"] == "legacy" and self.p(0.6):
                so["legacySortOptions"] = {
                    "orderFirst": self.some(["Namespace", "ServiceAccount", "ConfigMap", "Service"], 1, 3),
                    "orderLast": self.some(["Deployment", "RoleBinding", "Secret"], 0, 2)}
            k["sortOptions"] = so
        if self.p(0.08):
            self.builtin_plugins(k, kdir, objs)
        if any(o.kind == "Widget" for o in objs) and self.p(0.4):
            fn = self.newfile("config")
            self.write(os.path.join(kdir, fn), to_yaml({
                "images": [{"path": "spec/image", "kind": "Widget"}],
                "commonLabels": [{"path": "spec/selector", "kind": "Widget", "create": self.p(0.5)}],
                "nameReference": [{"kind": "ConfigMap", "version": "v1",
                                   "fieldSpecs": [{"path": "spec/configRef", "kind": "Widget"}]}]}))
            k["configurations"] = [fn]
        if overlay and self.p(0.08):
            k["buildMetadata"] = self.some(["originAnnotations", "transformerAnnotations", "managedByLabel"], 1, 3)

        # names change for the level above
        pre, suf = k.get("namePrefix", ""), k.get("nameSuffix", "")
        for o in objs:
            if o.kind not in ("CustomResourceDefinition",):
                o.name = pre + o.name + suf
            lab = dict(k.get("commonLabels", {}))
            for e in k.get("labels", []):
                lab.update(e["pairs"])
            o.labels.update(lab)
            o.annotations.update(k.get("commonAnnotations", {}))
            if "namespace" in k and o.kind not in ("CustomResourceDefinition",):
                o.ns = k["namespace"]

        # now and then, break it on purpose
        if self.p(0.04):
            self.break_it(k, kdir, objs)

        text = to_yaml(k)
        if self.p(0.1):
            text = "# generated\n" + text
        fname = "kustomization.yaml"
        if self.p(0.05):
            fname = self.pick(["kustomization.yml", "Kustomization"])
        self.write(os.path.join(kdir, fname), text)
        return objs

    def builtin_plugins(self, k, kdir, objs):
        """transformers: and generators: naming builtin plugins' configs (files or inline)."""
        r = self.rng.random()
        if r < 0.2:
            cfg = {"apiVersion": "builtin", "kind": "LabelTransformer", "metadata": {"name": "labeller"},
                   "labels": {"plugin-label": self.label_value()},
                   "fieldSpecs": [{"path": "metadata/labels", "create": True}]}
            field = "transformers"
        elif r < 0.35:
            cfg = {"apiVersion": "builtin", "kind": "AnnotationsTransformer", "metadata": {"name": "annotator"},
                   "annotations": {"plugin-note": self.value()},
                   "fieldSpecs": [{"path": "metadata/annotations", "create": True}]}
            field = "transformers"
        elif r < 0.5:
            cfg = {"apiVersion": "builtin", "kind": "PrefixSuffixTransformer", "metadata": {"name": "fixer"},
                   "prefix": "plug-", "fieldSpecs": [{"path": "metadata/name"}]}
            field = "transformers"
        elif r < 0.65:
            cfg = {"apiVersion": "builtin", "kind": "ImageTagTransformer", "metadata": {"name": "tagger"},
                   "imageTag": {"name": "nginx", "newTag": self.pick(TAGS)},
                   "fieldSpecs": [{"path": "spec/template/spec/containers/image"}]}
            field = "transformers"
        elif r < 0.75:
            cfg = {"apiVersion": "builtin", "kind": "NamespaceTransformer", "metadata": {
                "name": "ns", "namespace": self.pick(NAMESPACES)},
                   "fieldSpecs": [{"path": "metadata/namespace", "create": True}]}
            field = "transformers"
        elif r < 0.85:
            cfg = {"apiVersion": "builtin", "kind": "ConfigMapGenerator", "metadata": {"name": "plugin-cm"},
                   "literals": ["a=b", "c=" + self.word()]}
            if self.p(0.5):
                cfg["options"] = {"disableNameSuffixHash": True}
            field = "generators"
            objs.append(Obj("ConfigMap", "plugin-cm", generated=True))
        else:
            deps = [o for o in objs if o.kind == "Deployment"]
            if not deps:
                return
            cfg = {"apiVersion": "builtin", "kind": "PatchTransformer", "metadata": {"name": "patcher"},
                   "patch": Lit(to_yaml([{"op": "add", "path": "/metadata/annotations",
                                          "value": {"plugin-patched": "x"}}])),
                   "target": {"kind": "Deployment", "name": self.pick(deps).name}}
            field = "transformers"
        if self.p(0.5):
            fn = self.newfile("plugin")
            self.write(os.path.join(kdir, fn), to_yaml(cfg))
            k[field] = [fn]
        else:
            k[field] = [Lit(to_yaml(cfg))]

    def oddities(self, text):
        """Now and then, the same YAML written less usually: CRLF, a BOM, a document end marker."""
        if self.p(0.03):
            text = text + "...\n"
        if self.p(0.03):
            text = "\ufeff" + text
        if self.p(0.03):
            text = text.replace("\n", "\r\n")
        return text

    def replacement(self, objs):
        srcs = []
        for o in objs:
            if o.kind == "ConfigMap" and not o.generated:
                srcs.append((o, "data.k0"))
            if o.kind == "Service":
                srcs.append((o, "metadata.name"))
                srcs.append((o, "spec.ports.0.port"))
            if o.kind == "Deployment":
                srcs.append((o, "spec.template.spec.containers.0.image"))
                srcs.append((o, "metadata.labels.app"))
        if not srcs:
            return None
        o, fp = self.pick(srcs)
        src = {"kind": o.kind, "name": o.name}
        if self.p(0.3):
            src["version"] = o.version()
        if fp != "metadata.name" or self.p(0.5):
            src["fieldPath"] = fp
        if fp.endswith("image") and self.p(0.6):
            src["options"] = {"delimiter": ":", "index": self.pick([0, 0, 1])}
        tgts = []
        deps = [x for x in objs if x.kind == "Deployment"]
        r = self.rng.random()
        if deps and r < 0.5:
            d = self.pick(deps)
            t = {"select": {"kind": "Deployment"}}
            if self.p(0.5):
                t["select"]["name"] = d.name
            if self.p(0.3) and len(deps) > 1:
                t["reject"] = [{"name": self.pick(deps).name}]
            c = self.pick(d.containers) if d.containers else "x"
            fps = [self.pick([
                "spec.template.spec.containers.[name=%s].env.[name=E0].value" % c,
                "spec.template.spec.containers.[name=%s].image" % c,
                "metadata.annotations.replaced",
                "spec.template.metadata.labels.replaced",
                "spec.template.spec.containers.0.args.0",
                "spec.template.spec.containers.[name=%s].env.[name=NEW].value" % c,
            ])]
            t["fieldPaths"] = fps
            opts = {}
            if self.p(0.95):
                opts["create"] = True
            if self.p(0.3):
                opts["delimiter"] = self.pick(["-", ":", "/"])
                opts["index"] = self.pick([0, 0, 0, 1, -1])
            if opts:
                t["options"] = opts
            tgts.append(t)
        else:
            kinds = sorted({x.kind for x in objs if x.kind != "CustomResourceDefinition"})
            kd = self.pick(kinds)
            t = {"select": {"kind": kd}}
            if self.p(0.3):
                t["reject"] = [{"kind": self.pick(kinds)}]
            if self.p(0.2):
                ls = [x for x in objs if x.kind == kd and x.labels]
                if ls:
                    x = self.pick(ls)
                    lk = self.pick(sorted(x.labels))
                    t["select"]["labelSelector"] = "%s=%s" % (lk, x.labels[lk])
            t["fieldPaths"] = [self.pick(["metadata.annotations.from-replacement",
                                          "metadata.labels.rep"] * 10 + ["metadata.annotations.[x=y]"])]
            t["options"] = {"create": self.p(0.97)}
            tgts.append(t)
        return {"source": src, "targets": tgts}

    def break_it(self, k, kdir, objs):
        self.invalid = True
        r = self.rng.random()
        if r < 0.15:
            k["resorces"] = k.pop("resources", [])
        elif r < 0.3:
            k.setdefault("resources", []).append("missing.yaml")
        elif r < 0.45:
            k["patches"] = [{"patch": Lit(to_yaml({"apiVersion": "v1", "kind": "ConfigMap",
                                                    "metadata": {"name": "nowhere"}, "data": {"a": "b"}}))}]
        elif r < 0.55:
            k["configMapGenerator"] = [{"name": "never-made", "behavior": "merge", "literals": ["a=b"]}]
        elif r < 0.65:
            k["replacements"] = [{"source": {"kind": "Nothing", "name": "none", "fieldPath": "metadata.name"},
                                  "targets": [{"select": {"kind": "Deployment"}, "fieldPaths": ["metadata.name"]}]}]
        elif r < 0.75:
            fn = self.newfile("bad")
            self.write(os.path.join(kdir, fn), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n")
            k.setdefault("resources", []).append(fn)
        elif r < 0.85:
            k["vars"] = [{"name": "BROKEN", "objref": {"kind": "Service", "name": "not-there", "apiVersion": "v1"}}]
        elif r < 0.92:
            # the same object twice
            fn = self.newfile("dup")
            d = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dup"}, "data": {"a": "b"}}
            self.write(os.path.join(kdir, fn), to_yaml(d) + "---\n" + to_yaml(d))
            k.setdefault("resources", []).append(fn)
        else:
            k["patchesJson6902"] = [{"target": {"version": "v1", "kind": "Nothing", "name": "x"},
                                     "patch": Lit("- op: remove\n  path: /spec\n")}]


def generate(seed, root):
    """Write the tree for seed under root; return (build dir relative to root, invalid)."""
    g = Gen(seed, root)
    depth = g.rng.choice([1, 2, 2, 3])
    g.kustomization("overlay", depth, overlay=True, ns_hint=g.pick(NAMESPACES))
    if g.flags:
        g.write("flags", "".join(f + "\n" for f in g.flags))
    return "overlay", g.invalid


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("dir")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    build, invalid = generate(a.seed, a.dir)
    print(build + (" (made invalid on purpose)" if invalid else ""))


if __name__ == "__main__":
    sys.exit(main())
