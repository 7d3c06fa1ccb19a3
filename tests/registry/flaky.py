#!/usr/bin/env python3
"""flaky.py PORTFILE UPSTREAM MODE: an HTTP proxy on 127.0.0.1 (free port written to
PORTFILE) in front of a registry, that fails the way networks and busy servers do, so the
test can see gitops-bump retry.

  MODE flaky: the first connection is closed before a byte is read (the client sees an
              empty reply), the first request after it is answered 503 with Retry-After: 1,
              everything after that passes through to UPSTREAM unchanged
  MODE down:  every request is answered 503 with Retry-After: 1
  MODE redirect: as a registry that keeps its blobs elsewhere: a GET of /v2/.../blobs/...
              is answered 307 to /hop/<the same path> (relative: the same origin), that
              one 307 to http://localhost:PORT/direct/<the path> (another origin, as a
              storage service would be), which is served from UPSTREAM with the
              Authorization the first request carried (the way a presigned URL carries
              its rights); everything else passes through
  MODE redirect-dead PORT: a GET of /v2/.../blobs/... is answered 307 to
              http://localhost:PORT/blob?X-Signature=s1gnature (nobody listens there)

Logs one line per event on stderr: "drop", "503 METHOD PATH", "pass METHOD PATH",
"redirect PATH auth=yes|no", "hop PATH auth=yes|no", "direct PATH auth=yes|no".
"""
import http.client, http.server, sys, threading

portfile, upstream, mode = sys.argv[1], sys.argv[2], sys.argv[3]
deadport = sys.argv[4] if len(sys.argv) > 4 else None
uh, up = upstream.split(":")
lock = threading.Lock()
state = {"dropped": mode != "flaky", "refused": mode != "flaky", "auth": None}


def log(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class H(http.server.BaseHTTPRequestHandler):
    def handle(self):
        with lock:
            drop = not state["dropped"]
            state["dropped"] = True
        if drop:
            log("drop")
            return  # the server closes the connection unread
        super().handle()

    def redirect(self, location):
        self.send_response(307)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def forward(self, method):
        auth = self.headers.get("Authorization")
        has = "auth=yes" if auth else "auth=no"
        if mode == "redirect-dead" and method == "GET" and "/blobs/" in self.path:
            log("redirect %s %s" % (self.path, has))
            return self.redirect("http://localhost:%s/blob?X-Signature=s1gnature" % deadport)
        if mode == "redirect" and method == "GET" and self.path.startswith("/v2/") and "/blobs/" in self.path:
            log("redirect %s %s" % (self.path, has))
            with lock:
                state["auth"] = auth
            return self.redirect("/hop" + self.path)
        if mode == "redirect" and self.path.startswith("/hop/"):
            log("hop %s %s" % (self.path[4:], has))
            return self.redirect("http://localhost:%d/direct%s" % (srv.server_address[1], self.path[4:]))
        if mode == "redirect" and self.path.startswith("/direct/"):
            log("direct %s %s" % (self.path[7:], has))
            self.path = self.path[7:]
            with lock:
                del self.headers["Authorization"]
                if state["auth"]:
                    self.headers["Authorization"] = state["auth"]
        with lock:
            busy = mode == "down" or not state["refused"]
            state["refused"] = True
        if busy:
            log("503 %s %s" % (method, self.path))
            body = b'{"errors":[{"code":"UNAVAILABLE","message":"service unavailable"}]}'
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(body)
            return
        log("pass %s %s" % (method, self.path))
        c = http.client.HTTPConnection(uh, int(up), timeout=30)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        c.request(method, self.path, headers=hdrs)
        r = c.getresponse()
        body = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        self.forward("GET")

    def do_HEAD(self):
        self.forward("HEAD")

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(portfile, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
