#!/usr/bin/env python3
"""A sample HTTP ext-auth service for examples/auth/40-ext-auth.yaml (not a config file: the gateway reads only
*.yaml). "Authorization: Bearer let-me-in" is user demo (200 with x-current-user); anything else is 401."""
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Check(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the gateway pools its connections to the service

    def check(self):
        if self.headers.get("Authorization") == "Bearer let-me-in":
            self.send_response(200)
            self.send_header("x-current-user", "demo")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"ext-auth: send Authorization: Bearer let-me-in\n"
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Bearer realm="example"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = check


ThreadingHTTPServer(("127.0.0.1", 3002), Check).serve_forever()
