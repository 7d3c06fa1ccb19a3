#!/usr/bin/env python3
"""tests/image/oci.py: check an OCI image layout, push it to a registry, pull it back.

  oci.py verify LAYOUT TAG          every blob the image TAG names: its sha256 and size as
                                    its descriptor says, the layers' diff_ids; prints the
                                    manifest's digest
  oci.py push [--unchecked] LAYOUT TAG URL REPO
                                    config blob in one PUT, layers in 4 MiB PATCH chunks,
                                    then the manifest under TAG; prints the digest the
                                    registry answered (Docker-Content-Digest).  --unchecked
                                    sends the blobs unverified (for the registry to check)
  oci.py pull URL REPO REF OUTDIR   the manifest by REF (a tag or sha256:...) and its blobs
                                    into a new layout OUTDIR (tagged "pulled"), each digest
                                    checked on the way; prints the manifest's digest

The distribution HTTP API over one plain-HTTP keep-alive connection; standard library only.
Errors are one line on stderr and exit 1.
"""
import gzip, hashlib, http.client, json, os, sys, urllib.parse

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
CHUNK = 4 << 20


def die(msg):
    sys.exit("oci: " + msg)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def blob_path(layout, digest):
    if not digest.startswith("sha256:") or len(digest) != 71:
        die("%s: not a sha256 digest" % digest)
    return os.path.join(layout, "blobs", "sha256", digest[7:])


def read_blob(layout, desc, checked=True):
    path = blob_path(layout, desc["digest"])
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    if not checked:
        return data
    if sha(data) != desc["digest"]:
        die("%s: content has digest %s" % (path, sha(data)))
    if len(data) != desc["size"]:
        die("%s: %d bytes, its descriptor says %d" % (path, len(data), desc["size"]))
    return data


def manifest_desc(layout, tag):
    with open(os.path.join(layout, "oci-layout")) as f:
        if json.load(f).get("imageLayoutVersion") != "1.0.0":
            die("%s/oci-layout: not imageLayoutVersion 1.0.0" % layout)
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    found = [m for m in index.get("manifests", [])
             if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag]
    if len(found) != 1:
        die("%s: %d manifests tagged '%s'" % (layout, len(found), tag))
    return found[0]


def verify(layout, tag):
    desc = manifest_desc(layout, tag)
    if desc["mediaType"] != MT_MANIFEST:
        die("%s: manifest media type %s" % (layout, desc["mediaType"]))
    m = json.loads(read_blob(layout, desc))
    if m.get("schemaVersion") != 2 or m.get("mediaType") != MT_MANIFEST:
        die("%s: not an OCI image manifest" % desc["digest"])
    if m["config"]["mediaType"] != MT_CONFIG:
        die("config media type %s" % m["config"]["mediaType"])
    config = json.loads(read_blob(layout, m["config"]))
    diff_ids = config["rootfs"]["diff_ids"]
    if len(diff_ids) != len(m["layers"]):
        die("%d layers, %d diff_ids" % (len(m["layers"]), len(diff_ids)))
    for layer, diff_id in zip(m["layers"], diff_ids):
        if layer["mediaType"] != MT_LAYER:
            die("layer media type %s" % layer["mediaType"])
        raw = gzip.decompress(read_blob(layout, layer))
        if sha(raw) != diff_id:
            die("layer %s: uncompressed digest %s, its diff_id %s" % (layer["digest"], sha(raw), diff_id))
    return desc["digest"], m


class Registry:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        if u.scheme != "http":
            die("%s: only http:// (a registry on loopback)" % url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)

    def req(self, method, path, body=None, headers=None, ok=(200, 201, 202, 204)):
        self.conn.request(method, path, body=body, headers=headers or {})
        r = self.conn.getresponse()
        data = r.read()
        if r.status not in ok:
            die("%s %s: HTTP %d %s" % (method, path.split("?")[0], r.status, data[:300].decode(errors="replace").strip()))
        return r, data

    def upload(self, repo, digest, data, chunked):
        r, _ = self.req("HEAD", "/v2/%s/blobs/%s" % (repo, digest), ok=(200, 404))
        if r.status == 200:
            return
        r, _ = self.req("POST", "/v2/%s/blobs/uploads/" % repo)
        loc = r.getheader("Location")
        if chunked:
            for off in range(0, len(data), CHUNK):
                part = data[off:off + CHUNK]
                r, _ = self.req("PATCH", self.path(loc), part, {
                    "Content-Type": "application/octet-stream",
                    "Content-Range": "%d-%d" % (off, off + len(part) - 1)})
                loc = r.getheader("Location")
            body = b""
        else:
            body = data
        p = self.path(loc)
        r, _ = self.req("PUT", p + ("&" if "?" in p else "?") + "digest=" + digest, body,
                        {"Content-Type": "application/octet-stream"})
        if r.getheader("Docker-Content-Digest") not in (None, digest):
            die("blob %s: the registry answered %s" % (digest, r.getheader("Docker-Content-Digest")))

    @staticmethod
    def path(loc):
        u = urllib.parse.urlparse(loc)
        return u.path + ("?" + u.query if u.query else "")


def push(layout, tag, url, repo, checked=True):
    if checked:
        verify(layout, tag)
    desc = manifest_desc(layout, tag)
    digest = desc["digest"]
    body = read_blob(layout, desc, checked)
    m = json.loads(body)
    reg = Registry(url)
    reg.upload(repo, m["config"]["digest"], read_blob(layout, m["config"], checked), False)
    for layer in m["layers"]:
        reg.upload(repo, layer["digest"], read_blob(layout, layer, checked), True)
    r, _ = reg.req("PUT", "/v2/%s/manifests/%s" % (repo, tag), body, {"Content-Type": MT_MANIFEST})
    if r.getheader("Docker-Content-Digest") != digest:
        die("manifest: the registry answered %s, the layout has %s" % (r.getheader("Docker-Content-Digest"), digest))
    return digest


def pull(url, repo, ref, out):
    reg = Registry(url)
    os.makedirs(os.path.join(out, "blobs", "sha256"))

    def keep(data, digest, size=None):
        if sha(data) != digest:
            die("%s: the registry sent content with digest %s" % (digest, sha(data)))
        if size is not None and len(data) != size:
            die("%s: the registry sent %d bytes, the manifest says %d" % (digest, len(data), size))
        with open(blob_path(out, digest), "wb") as f:
            f.write(data)

    r, body = reg.req("GET", "/v2/%s/manifests/%s" % (repo, ref), headers={"Accept": MT_MANIFEST}, ok=(200,))
    digest = sha(body)
    if ref.startswith("sha256:") and digest != ref:
        die("manifest %s: the registry sent content with digest %s" % (ref, digest))
    if r.getheader("Docker-Content-Digest") != digest:
        die("manifest: Docker-Content-Digest %s, content %s" % (r.getheader("Docker-Content-Digest"), digest))
    if r.getheader("Content-Type") != MT_MANIFEST:
        die("manifest: Content-Type %s" % r.getheader("Content-Type"))
    keep(body, digest)
    m = json.loads(body)
    for desc in [m["config"]] + m["layers"]:
        _, data = reg.req("GET", "/v2/%s/blobs/%s" % (repo, desc["digest"]), ok=(200,))
        keep(data, desc["digest"], desc["size"])
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [
            {"mediaType": MT_MANIFEST, "digest": digest, "size": len(body),
             "annotations": {"org.opencontainers.image.ref.name": "pulled"}}]}, f)
    return digest


def main():
    a = sys.argv[1:]
    if a[:1] == ["verify"] and len(a) == 3:
        print(verify(a[1], a[2])[0])
    elif a[:1] == ["push"] and len(a) == 5:
        print(push(*a[1:]))
    elif a[:2] == ["push", "--unchecked"] and len(a) == 6:
        print(push(*a[2:], checked=False))
    elif a[:1] == ["pull"] and len(a) == 5:
        print(pull(*a[1:]))
    else:
        sys.exit(__doc__.split("\n\n")[1])


if __name__ == "__main__":
    main()
