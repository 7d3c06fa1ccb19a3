#!/usr/bin/env python3
"""Upload small OCI images to a registry through the distribution HTTP API.

push.py BASE_URL REPO TAGFILE [USER:PASS]: one config blob, then one manifest per
tag (each with its own annotation, so each tag has its own digest).  Prints
"TAG DIGEST" per line, the digest being sha256 of the manifest bytes sent.

push.py BASE_URL REPO --chart TGZ TAG [KEY=VALUE...]: a Helm chart artifact as
helm push makes it: a config blob holding the chart's Chart.yaml as JSON
(application/vnd.cncf.helm.config.v1+json) and the .tgz as the one layer
(application/vnd.cncf.helm.chart.content.v1.tar+gzip).  KEY=VALUE changes it:
auth=USER:PASS, config-type=T and layer-type=T (other media types), prov=FILE
(a provenance layer too), extra-layer=T (one more small layer of type T),
two-charts=1 (the chart layer twice, with a second .tgz's bytes: TGZ with a
byte added).  Prints "TAG MANIFEST-DIGEST LAYER-DIGEST".

Standard library and PyYAML only; one keep-alive connection.
"""
import base64, hashlib, http.client, io, json, sys, tarfile, urllib.parse

base, repo, tagfile = sys.argv[1], sys.argv[2], sys.argv[3]
auth = {}
chart = tagfile == "--chart"
opts = dict(a.split("=", 1) for a in sys.argv[6:]) if chart else {}
if chart and "auth" in opts:
    auth = {"Authorization": "Basic " + base64.b64encode(opts["auth"].encode()).decode()}
elif not chart and len(sys.argv) > 4:
    auth = {"Authorization": "Basic " + base64.b64encode(sys.argv[4].encode()).decode()}
u = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)

def req(method, path, body=b"", headers=None):
    h = dict(auth)
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        sys.exit("%s %s: HTTP %d %s" % (method, path, r.status, data[:200]))
    return r, data

def blob(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    r, _ = req("POST", "/v2/%s/blobs/uploads/" % repo)
    loc = urllib.parse.urlparse(r.getheader("Location"))
    path = loc.path + "?" + (loc.query + "&" if loc.query else "") + "digest=" + d
    req("PUT", path, data, {"Content-Type": "application/octet-stream"})
    return d

def put_manifest(tag, m):
    r, _ = req("PUT", "/v2/%s/manifests/%s" % (repo, tag), m,
               {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    d = "sha256:" + hashlib.sha256(m).hexdigest()
    if r.getheader("Docker-Content-Digest") != d:
        sys.exit("digest mismatch for %s" % tag)
    return d

if chart:
    import yaml
    tgz, tag = sys.argv[4], sys.argv[5]
    data = open(tgz, "rb").read()
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        top = tf.getnames()[0].split("/")[0]
        meta = yaml.safe_load(tf.extractfile(top + "/Chart.yaml"))
    config = json.dumps(meta, separators=(",", ":")).encode()
    layers = [{"mediaType": opts.get("layer-type", "application/vnd.cncf.helm.chart.content.v1.tar+gzip"),
               "digest": blob(data), "size": len(data)}]
    if "two-charts" in opts:
        layers.append(dict(layers[0], digest=blob(data + b"\0"), size=len(data) + 1))
    if "prov" in opts:
        p = open(opts["prov"], "rb").read()
        layers.append({"mediaType": "application/vnd.cncf.helm.chart.provenance.v1.prov", "digest": blob(p),
                       "size": len(p)})
    if "extra-layer" in opts:
        x = b"something else"
        layers.append({"mediaType": opts["extra-layer"], "digest": blob(x), "size": len(x)})
    m = json.dumps({"schemaVersion": 2,
                    "config": {"mediaType": opts.get("config-type", "application/vnd.cncf.helm.config.v1+json"),
                               "digest": blob(config), "size": len(config)},
                    "layers": layers,
                    "annotations": {"org.opencontainers.image.title": meta["name"],
                                    "org.opencontainers.image.version": meta["version"]}}).encode()
    print(tag, put_manifest(tag, m), layers[0]["digest"])
    sys.exit(0)

config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}).encode()
cdigest = "sha256:" + hashlib.sha256(config).hexdigest()
r, _ = req("POST", "/v2/%s/blobs/uploads/" % repo)
loc = urllib.parse.urlparse(r.getheader("Location"))
path = loc.path + "?" + (loc.query + "&" if loc.query else "") + "digest=" + cdigest
req("PUT", path, config, {"Content-Type": "application/octet-stream"})
for tag in open(tagfile).read().split():
    m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdigest,
                               "size": len(config)},
                    "layers": [], "annotations": {"org.example.tag": tag}}).encode()
    r, _ = req("PUT", "/v2/%s/manifests/%s" % (repo, tag), m,
               {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    d = "sha256:" + hashlib.sha256(m).hexdigest()
    if r.getheader("Docker-Content-Digest") != d:
        sys.exit("digest mismatch for %s" % tag)
    print(tag, d)
