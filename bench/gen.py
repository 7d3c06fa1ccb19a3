#!/usr/bin/env python3
"""gen.py: deterministic generator of realistic Kubernetes objects for the benchmark.

Writes N objects, a mix of Deployments, Services, ConfigMaps (with multi-line
block literals) and Secrets (base64 data), either as one YAML stream on stdout
(documents separated by '---') or one file per object under DIR/objs/ with a
DIR/kustomization.yaml listing them all under `resources:`.

    bench/gen.py --count 80000 --seed 1 > stream.yaml
    bench/gen.py --count 2000 --seed 1 --dir /tmp/k2000

The same --count and --seed give byte-identical output (python3, stdlib only).
80,000 objects come to about 50 MB.
"""

import argparse
import base64
import json
import os
import random
import re
import sys

# ---------------------------------------------------------------------------
# A small block-style YAML writer (the layout kubectl and most repos use:
# two-space indent, sequence items at the same column as their parent key).


class Lit(str):
    """A string written as a block literal (`|`)."""


# Words a YAML 1.1 reader (go-yaml v2, kubectl) takes for something else than a string.
SPECIAL_WORDS = {
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "",
}
PLAIN_RE = re.compile(r"[A-Za-z/][A-Za-z0-9_./:@%+=,-]*")
UNIT_RE = re.compile(r"[0-9]+(m|Mi|Gi|Ki|s|ms|h|%)")


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
    plain = (PLAIN_RE.fullmatch(s) or UNIT_RE.fullmatch(s)) \
        and s.lower() not in SPECIAL_WORDS and not s.endswith(":")
    return s if plain else json.dumps(s)


def emit(v, indent, out):
    """Append the block-style lines of mapping or sequence v at `indent` spaces."""
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
            if isinstance(x, dict) and x:
                sub = []
                emit(x, indent + 2, sub)
                sub[0] = pad + "- " + sub[0][indent + 2:]
                out.extend(sub)
            else:
                out.append(f"{pad}- {scalar(x)}\n")


def to_yaml(obj):
    out = []
    emit(obj, 0, out)
    return "".join(out)


# ---------------------------------------------------------------------------
# The objects.

APPS = ["web", "api", "worker", "cache", "auth", "billing", "search", "gateway",
        "orders", "payments", "catalog", "notify", "reports", "ingest"]
TEAMS = ["team-a", "team-b", "platform", "data", "payments"]
NAMESPACES = ["prod", "staging", "shop", "platform", "data"]
TIERS = ["frontend", "backend", "batch"]
LOG_LEVELS = ["debug", "info", "warn", "error"]


def labels(app, name, team, tier, full=False):
    lab = {
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/managed-by": "gitops",
    }
    if full:
        lab["app.kubernetes.io/part-of"] = "shop"
        lab["team"] = team
        lab["tier"] = tier
    return lab


def version(rng):
    return f"{rng.randint(0, 3)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}"


def deployment(rng, name, app, ns, team, tier):
    port = rng.choice([8080, 8000, 3000, 9000])
    env = [
        {"name": "PORT", "value": str(port)},                      # "8080": quoted
        {"name": "FEATURE_FLAGS_ENABLED", "value": rng.choice(["true", "false"])},
        {"name": "UMASK", "value": rng.choice(["0755", "0644", "0022"])},
        {"name": "LOG_LEVEL", "value": rng.choice(LOG_LEVELS)},
        {"name": "DB_HOST", "value": f"db.{ns}.svc.cluster.local"},
        {"name": "REQUEST_TIMEOUT", "value": f"{rng.choice([5, 10, 30, 60])}s"},
        {"name": "SAMPLE_RATIO", "value": rng.choice(["0.25", "0.5", "1.0"])},
        {"name": "CACHE_ENABLED", "value": rng.choice(["yes", "no", "on", "off"])},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": name, "key": "password"}}},
    ]
    probe_path = rng.choice(["/healthz", "/livez", "/health"])
    lab = labels(app, name, team, tier, full=True)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": lab,
            "annotations": {
                "example.com/owner": f"{team}@example.com",
                "example.com/runbook": f"https://wiki.example.com/runbooks/{app}",
            },
        },
        "spec": {
            "replicas": rng.choice([1, 2, 3, 5]),
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": {"app.kubernetes.io/instance": name}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
            },
            "template": {
                "metadata": {
                    "labels": {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": name},
                    "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
                },
                "spec": {
                    "serviceAccountName": app,
                    "containers": [{
                        "name": app,
                        "image": f"registry.example.com/{team}/{app}:{version(rng)}",
                        "imagePullPolicy": "IfNotPresent",
                        "args": [f"--port={port}", f"--log-level={rng.choice(LOG_LEVELS)}"],
                        "ports": [
                            {"name": "http", "containerPort": port, "protocol": "TCP"},
                            {"name": "metrics", "containerPort": 9090, "protocol": "TCP"},
                        ],
                        "env": env,
                        "resources": {
                            "requests": {"cpu": rng.choice(["50m", "100m", "250m"]),
                                         "memory": rng.choice(["64Mi", "128Mi", "256Mi"])},
                            "limits": {"cpu": rng.choice(["500m", "1", "2"]),
                                       "memory": rng.choice(["256Mi", "512Mi", "1Gi"])},
                        },
                        "livenessProbe": {
                            "httpGet": {"path": probe_path, "port": "http"},
                            "initialDelaySeconds": 10,
                            "periodSeconds": 10,
                            "failureThreshold": 3,
                        },
                        "readinessProbe": {
                            "httpGet": {"path": "/ready", "port": "http"},
                            "periodSeconds": 5,
                        },
                        "volumeMounts": [{"name": "config", "mountPath": f"/etc/{app}", "readOnly": True}],
                    }],
                    "volumes": [{"name": "config", "configMap": {"name": name}}],
                },
            },
        },
    }


def service(rng, name, app, ns, team, tier):
    port = rng.choice([8080, 8000, 3000, 9000])
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": labels(app, name, team, tier)},
        "spec": {
            "type": "ClusterIP",
            "selector": {"app.kubernetes.io/instance": name},
            "ports": [
                {"name": "http", "port": 80, "targetPort": port, "protocol": "TCP"},
            ],
        },
    }


def nginx_conf(rng, app, port):
    return Lit(
        "server {\n"
        f"    listen {port};\n"
        f"    server_name {app}.example.com;\n"
        "    location / {\n"
        f"        proxy_pass http://127.0.0.1:{rng.choice([8080, 8000])};\n"
        "        proxy_set_header Host $host;\n"
        f"        proxy_read_timeout {rng.choice([30, 60, 120])}s;\n"
        "    }\n"
        "}\n")


def properties(rng, app, ns):
    return Lit(
        f"server.port={rng.choice([8080, 8000])}\n"
        f"spring.application.name={app}\n"
        f"spring.datasource.url=jdbc:postgresql://db.{ns}.svc:5432/{app}\n"
        f"logging.level.root={rng.choice(LOG_LEVELS).upper()}\n"
        f"cache.ttl.seconds={rng.randint(30, 3600)}\n")


def configmap(rng, name, app, ns, team, tier):
    data = {
        "LOG_LEVEL": rng.choice(LOG_LEVELS),
        "ENABLE_TRACING": rng.choice(["true", "false"]),   # must stay strings: quoted
        "MAX_CONNECTIONS": str(rng.choice([10, 50, 100])),
        "FILE_MODE": "0644",
        "VERSION": rng.choice(["1.0", "2.10", "1.2.3"]),
    }
    pick = rng.random()
    if pick < 0.5:
        data["nginx.conf"] = nginx_conf(rng, app, rng.choice([80, 8080]))
    else:
        data["application.properties"] = properties(rng, app, ns)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "labels": labels(app, name, team, tier)},
        "data": data,
    }


def b64(raw):
    return base64.b64encode(raw).decode("ascii")


def secret(rng, name, app, ns, team, tier):
    pw = bytes(rng.randrange(33, 127) for _ in range(rng.randint(16, 32)))
    token = bytes(rng.randrange(256) for _ in range(32))
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": ns, "labels": labels(app, name, team, tier)},
        "type": "Opaque",
        "data": {
            "username": b64(app.encode()),
            "password": b64(pw),
            "api-token": b64(token),
        },
    }


KINDS = [(deployment, 11), (service, 25), (configmap, 34), (secret, 30)]


def objects(count, seed):
    rng = random.Random(seed)
    makers = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    for i in range(1, count + 1):
        app = rng.choice(APPS)
        team = rng.choice(TEAMS)
        ns = rng.choice(NAMESPACES)
        tier = rng.choice(TIERS)
        make = rng.choices(makers, weights)[0]
        # the index makes every identity (kind, namespace, name) unique
        yield make(rng, f"{app}-{i:05d}", app, ns, team, tier)


# ---------------------------------------------------------------------------
# A Kustomize overlay: what a GitOps repository's prod overlay does to a base.


def overlay(top, count, seed):
    """OVERLAY/base: N objects (files of 50 objects each), a configMapGenerator and a
    secretGenerator per app that the Deployments reference (name references to rewrite).
    OVERLAY/prod: namespace, prefix and suffix, labels with and without selectors,
    annotations, images, replicas, patches of all three kinds with targets (strategic
    merge inline and from files, JSON 6902), generators merging into the base's."""
    base = os.path.join(top, "base")
    prod = os.path.join(top, "prod")
    os.makedirs(os.path.join(base, "objs"), exist_ok=True)
    os.makedirs(prod, exist_ok=True)
    files, chunk, deps = [], [], []
    width = max(5, len(str(count)))

    def flush():
        rel = f"objs/objs-{len(files) + 1:0{width}d}.yaml"
        with open(os.path.join(base, rel), "w") as f:
            f.write("---\n".join(to_yaml(o) for o in chunk))
        files.append(rel)
        chunk.clear()

    for obj in objects(count, seed):
        if obj["kind"] == "Deployment":
            app = obj["metadata"]["labels"]["app.kubernetes.io/name"]
            c = obj["spec"]["template"]["spec"]["containers"][0]
            c["envFrom"] = [{"configMapRef": {"name": f"{app}-settings"}},
                            {"secretRef": {"name": f"{app}-credentials"}}]
            deps.append((obj["metadata"]["name"], obj["metadata"]["namespace"]))
        chunk.append(obj)
        if len(chunk) == 50:
            flush()
    if chunk:
        flush()
    with open(os.path.join(base, "settings.env"), "w") as f:
        f.write("# shared settings\nREGION=eu-west-1\nTRACING=true\nTIMEOUT=30s\n")
    k = ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "resources:"]
    k += [f"- {rel}" for rel in files]
    k += ["configMapGenerator:"]
    for app in APPS:
        k += [f"- name: {app}-settings", "  envs:", "  - settings.env", "  literals:",
              f"  - APP={app}", "  - LOG_LEVEL=info"]
    k += ["secretGenerator:"]
    for app in APPS:
        k += [f"- name: {app}-credentials", "  literals:", f"  - username={app}",
              f"  - password={app}-secret"]
    with open(os.path.join(base, "kustomization.yaml"), "w") as f:
        f.write("\n".join(k) + "\n")

    with open(os.path.join(prod, "resources.yaml"), "w") as f:
        f.write("\n".join([
            "apiVersion: apps/v1", "kind: Deployment", "metadata:", f"  name: {deps[0][0]}", f"  namespace: {deps[0][1]}",
            "spec:", "  template:", "    spec:", "      containers:", f"      - name: {APPS[0]}",
            "        resources:", "          limits:", "            memory: 2Gi"]) + "\n")
    pins = deps[:: max(1, len(deps) // 20)][:20]
    k = ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization",
         "resources:", "- ../base",
         "namespace: shop-prod", "namePrefix: prod-", "nameSuffix: -v2",
         "labels:", "- pairs:", "    env: prod", "  includeSelectors: false",
         "- pairs:", "    release: stable", "  includeSelectors: true", "  includeTemplates: true",
         "commonAnnotations:", "  example.com/managed-by: gitops-bench",
         "images:"]
    for team in TEAMS:
        for app in APPS[:4]:
            k += [f"- name: registry.example.com/{team}/{app}", "  newName: mirror.example.com/" + app,
                  "  newTag: 9.9.9"]
    k += ["replicas:"]
    for name, _ in pins:
        k += [f"- name: {name}", "  count: 7"]
    k += ["patches:",
          "- target:", "    kind: Deployment", "    labelSelector: tier=backend",
          "  patch: |-", "    apiVersion: apps/v1", "    kind: Deployment", "    metadata:",
          "      name: any", "    spec:", "      template:", "        spec:",
          "          terminationGracePeriodSeconds: 60",
          "- target:", "    kind: Service", "    name: (web|api)-.*",
          "  patch: |-", "    - op: add", "      path: /metadata/annotations",
          "      value: {example.com/lb: internal}",
          "    - op: replace", "      path: /spec/type", "      value: NodePort",
          "- target:", "    kind: ConfigMap", "    annotationSelector: missing!=x",
          "  patch: |-", "    - op: add", "    " + "  path: /data/PATCHED", "      value: \"yes\"",
          "- path: resources.yaml",
          "configMapGenerator:"]
    for app in APPS:
        k += [f"- name: {app}-settings", "  behavior: merge", "  literals:",
              "  - LOG_LEVEL=warn", "  - ENV=prod"]
    k += ["secretGenerator:"]
    for app in APPS[:7]:
        k += [f"- name: {app}-credentials", "  behavior: replace", "  literals:",
              f"  - username={app}-prod", f"  - password={app}-prod-secret"]
    with open(os.path.join(prod, "kustomization.yaml"), "w") as f:
        f.write("\n".join(k) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--count", type=int, required=True, help="number of objects")
    ap.add_argument("-s", "--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("-d", "--dir", help="write DIR/objs/obj-NNNNN.yaml and DIR/kustomization.yaml "
                    "instead of a stream on stdout")
    ap.add_argument("-o", "--overlay", help="write a Kustomize overlay over a base of N objects: "
                    "OVERLAY/base/ and OVERLAY/prod/ (build OVERLAY/prod)")
    a = ap.parse_args()

    if a.overlay is not None:
        overlay(a.overlay, a.count, a.seed)
        return

    if a.dir is None:
        out = sys.stdout
        try:
            for obj in objects(a.count, a.seed):
                out.write("---\n")
                out.write(to_yaml(obj))
            out.flush()
        except BrokenPipeError:
            # a reader that stopped early (head) is not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return

    objs = os.path.join(a.dir, "objs")
    os.makedirs(objs, exist_ok=True)
    width = max(5, len(str(a.count)))
    files = []
    for i, obj in enumerate(objects(a.count, a.seed), 1):
        rel = f"objs/obj-{i:0{width}d}.yaml"
        with open(os.path.join(a.dir, rel), "w") as f:
            f.write(to_yaml(obj))
        files.append(rel)
    with open(os.path.join(a.dir, "kustomization.yaml"), "w") as f:
        f.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
        for rel in files:
            f.write(f"- {rel}\n")


if __name__ == "__main__":
    main()
