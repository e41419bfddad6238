#!/usr/bin/env python3
"""A webhook receiver for tests: prints its port, answers the first FAIL POSTs with 500 (to make
the sender retry), then 200, appending each accepted JSON body as a line to LOG.
Usage: hookrecv.py LOG FAIL"""
import http.server, sys

LOG, FAIL = sys.argv[1], int(sys.argv[2])
seen = 0


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        seen += 1
        if seen <= FAIL:
            self.send_response(500)
            self.end_headers()
            return
        with open(LOG, "ab") as f:
            f.write(body + b"\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *a):
        pass


s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
