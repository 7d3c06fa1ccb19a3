#!/usr/bin/env python3
"""paginate.py PORTFILE UPSTREAM: a pass-through HTTP proxy on 127.0.0.1 (free port written
to PORTFILE) in front of a registry, that pages GET /v2/<repo>/tags/list as the
distribution spec describes (?n=N&last=T, Link: <...>; rel="next").

docker-registry 2.8 answers a tags list in one response whatever n is (pagination of
tags came with distribution 3), so this is what lets the test see a registry send
1,000 tags over several pages.  The tags themselves come from the real registry;
every other request and header is passed through unchanged.  Logs one line per
request on stderr.
"""
import http.client, http.server, json, sys, urllib.parse

portfile, upstream = sys.argv[1], sys.argv[2]
uh, up = upstream.split(":")

class H(http.server.BaseHTTPRequestHandler):
    def forward(self, method):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        paged = method == "GET" and u.path.endswith("/tags/list")
        path = u.path if paged else self.path
        c = http.client.HTTPConnection(uh, int(up), timeout=30)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        c.request(method, path, headers=hdrs)
        r = c.getresponse()
        body = r.read()
        headers = [(k, v) for k, v in r.getheaders() if k.lower() not in ("content-length", "connection", "transfer-encoding")]
        if paged and r.status == 200:
            doc = json.loads(body)
            tags = sorted(doc.get("tags") or [])
            if "last" in q:
                tags = [t for t in tags if t > q["last"][0]]
            n = int(q.get("n", ["0"])[0] or 0)
            if n and len(tags) > n:
                tags = tags[:n]
                nxt = "%s?n=%d&last=%s" % (u.path, n, urllib.parse.quote(tags[-1]))
                headers.append(("Link", '<%s>; rel="next"' % nxt))
            body = json.dumps({"name": doc.get("name"), "tags": tags}).encode()
        self.send_response(r.status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        self.forward("GET")

    def do_HEAD(self):
        self.forward("HEAD")

srv = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
