#!/usr/bin/python3
"""A loopback HTTP server for comb's download tests (stdlib only).

Prints its port on the first line of stdout, then serves until stdin closes
(or 120 s pass). Endpoints:
  /data         200 with ETag "v1" and Last-Modified; 304 when If-None-Match matches
  /flaky        503 for the first two requests, then like /data
  /ratelimit    429 with Retry-After: 1 once, then like /data
  /cut          announces 100000 bytes, sends 5000, closes (fails mid-transfer)
  /big          2 MiB body
  /missing      404
  /files/NAME   the file NAME from the directory given as the first argument,
                re-read on every request; ETag = its SHA-256, 304 on a match
  /stats        JSON: requests per path and the conditional headers seen
"""
import hashlib
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b"comb fixture body\n" * 1000
FILES = sys.argv[1] if len(sys.argv) > 1 else None
COUNTS = {}
SEEN = []


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def data(self):
        SEEN.append({"path": self.path, "inm": self.headers.get("If-None-Match"),
                     "ims": self.headers.get("If-Modified-Since")})
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", '"v1"')
        self.send_header("Last-Modified", "Wed, 21 Oct 2026 07:28:00 GMT")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def do_GET(self):
        n = COUNTS[self.path] = COUNTS.get(self.path, 0) + 1
        if self.path == "/data":
            return self.data()
        if self.path == "/flaky":
            if n <= 2:
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self.data()
        if self.path == "/ratelimit":
            if n == 1:
                self.send_response(429)
                self.send_header("Retry-After", "1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self.data()
        if self.path == "/cut":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"x" * 5000)
            self.wfile.flush()
            self.close_connection = True
            return
        if self.path == "/big":
            body = b"y" * (2 << 20)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path.startswith("/files/") and FILES:
            name = os.path.basename(self.path[7:])
            try:
                body = open(os.path.join(FILES, name), "rb").read()
            except OSError:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            SEEN.append({"path": self.path, "inm": self.headers.get("If-None-Match"),
                         "ims": self.headers.get("If-Modified-Since")})
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/stats":
            body = json.dumps({"counts": COUNTS, "seen": SEEN}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    print(srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    deadline = time.time() + 120
    # stop when the parent closes our stdin, or after the deadline
    t = threading.Thread(target=lambda: sys.stdin.read(), daemon=True)
    t.start()
    while t.is_alive() and time.time() < deadline:
        time.sleep(0.1)
    srv.shutdown()


if __name__ == "__main__":
    main()
