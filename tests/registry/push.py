#!/usr/bin/env python3
"""Upload small OCI images to a registry through the distribution HTTP API.

push.py BASE_URL REPO TAGFILE [USER:PASS]: one config blob, then one manifest per
tag (each with its own annotation, so each tag has its own digest).  Prints
"TAG DIGEST" per line, the digest being sha256 of the manifest bytes sent.
Standard library only; one keep-alive connection.
"""
import base64, hashlib, http.client, json, sys, urllib.parse

base, repo, tagfile = sys.argv[1], sys.argv[2], sys.argv[3]
auth = {}
if len(sys.argv) > 4:
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
