#!/usr/bin/env python3
"""A Docker registry token service for tests (standard library + the openssl command).

token-server.py PORTFILE KEY CERT ISSUER USER:PASS: listens on 127.0.0.1 (a free port,
written to PORTFILE), answers GET /token?service=S&scope=repository:R:pull with a JWT
(RS256, the certificate in the x5c header) granting pull on R, only to clients that
send basic auth USER:PASS.  Every request is logged on stderr.
"""
import base64, http.server, json, subprocess, sys, time, urllib.parse

portfile, key, cert, issuer, cred = sys.argv[1:6]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], capture_output=True, check=True).stdout

def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        want = "Basic " + base64.b64encode(cred.encode()).decode()
        if self.headers.get("Authorization") != want:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="token"')
            self.end_headers()
            return
        access = []
        for s in q.get("scope", []):
            t, name, actions = s.split(":")
            access.append({"type": t, "name": name, "actions": ["pull"]})
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "x5c": [base64.b64encode(der).decode()]}
        claims = {"iss": issuer, "sub": cred.split(":")[0], "aud": q.get("service", [""])[0], "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": str(now), "access": access}
        signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(),
                             capture_output=True, check=True).stdout
        body = json.dumps({"token": signing_input + "." + b64(sig)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

srv = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
