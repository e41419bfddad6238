#!/usr/bin/env python3
"""A small registry front for comb's registry tests (loopback only).

Either proxies /v2/ to a real registry (--upstream URL) or serves one image
from an OCI layout (--layout DIR --tag TAG). On top of that it can:
  --bearer USER:PASS   demand a Bearer token; /token hands one out for Basic USER:PASS
  --throttle N         answer 429 (Retry-After: 1) to the first N blob GETs
  --fault KIND         misbehave: manifest-digest, blob-digest, truncated-blob,
                       huge-manifest, redirect-loop, slow, long-blob, http-redirect,
                       teapot (HTTP 418 with control characters), config-digest (a config that is not the one named), schema1,
                       drop-once (cut each layer's first GET halfway, then honour Range: 206),
                       drop-norange (cut the first GET, then ignore Range: the whole blob again)
  --log FILE           one line per request: METHOD PATH STATUS
Prints its port on stdout, then serves until killed.
"""
import argparse, base64, hashlib, json, os, sys, threading, time, urllib.request
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

ap = argparse.ArgumentParser()
ap.add_argument("--upstream")
ap.add_argument("--layout")
ap.add_argument("--tag", default="latest")
ap.add_argument("--bearer")
ap.add_argument("--throttle", type=int, default=0)
ap.add_argument("--fault", default="")
ap.add_argument("--log")
args = ap.parse_args()
TOKEN = "tok-" + hashlib.sha256(os.urandom(16)).hexdigest()[:16]
lock = threading.Lock()
state = {"throttled": 0}


def log(method, path, status):
    if args.log:
        with lock, open(args.log, "a") as f:
            f.write(f"{method} {path} {status}\n")


def layout_blob(digest):
    p = os.path.join(args.layout, "blobs", "sha256", digest.split(":", 1)[1])
    with open(p, "rb") as f:
        return f.read()


def layout_manifest(ref):
    if ref.startswith("sha256:"):
        return layout_blob(ref)
    idx = json.load(open(os.path.join(args.layout, "index.json")))
    for m in idx["manifests"]:
        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref or len(idx["manifests"]) == 1:
            return layout_blob(m["digest"])
    return None


def recompress(blob):
    """The same tar compressed differently: a valid layer, but not the blob its digest names."""
    import gzip
    if blob[:2] != b"\x1f\x8b":
        return blob
    return gzip.compress(gzip.decompress(blob), compresslevel=1, mtime=12345)


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body=b"", headers=None, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        log(self.command, self.path, status)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        port = self.server.server_address[1]
        if args.bearer and self.path.startswith("/token"):
            user, pw = args.bearer.split(":", 1)
            want = "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()
            if self.headers.get("Authorization") != want:
                return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
            return self.send(200, json.dumps({"token": TOKEN}).encode())
        if not self.path.startswith("/v2/"):
            return self.send(404)
        if args.bearer and self.headers.get("Authorization") != "Bearer " + TOKEN:
            repo = self.path[4:].split("/manifests/")[0].split("/blobs/")[0]
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {
                "WWW-Authenticate": f'Bearer realm="http://127.0.0.1:{port}/token",service="fakereg",scope="repository:{repo}:pull"'})
        is_blob = "/blobs/" in self.path
        if is_blob and self.command == "GET" and args.throttle:
            with lock:
                n = state["throttled"]
                state["throttled"] += 1
            if n < args.throttle:
                return self.send(429, b'{"errors":[{"code":"TOOMANYREQUESTS"}]}', {"Retry-After": "1"})
        f = args.fault
        if f == "teapot":  # an unexpected status with control characters in its body
            return self.send(418, b"short and stout\x1b[31m\nred\x07", ctype="text/plain")
        if f == "redirect-loop":
            return self.send(307, b"", {"Location": self.path + ("x" if len(self.path) < 300 else "")})
        if f == "http-redirect" and is_blob:
            return self.send(307, b"", {"Location": "ftp://127.0.0.1/blob"})
        if f == "slow" and "/manifests/" in self.path:
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(600):
                    time.sleep(1)
            except Exception:
                pass
            return
        if args.upstream:
            return self.proxy()
        if self.path == "/v2/":
            return self.send(200, b"{}")
        if "/manifests/" in self.path:
            ref = self.path.split("/manifests/")[1]
            body = layout_manifest(ref)
            if body is None:
                return self.send(404)
            mt = json.loads(body).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
            if f == "blob-digest":  # sizes of the substituted blobs, digests unchanged
                m = json.loads(body)
                for l in m.get("layers", []):
                    l["size"] = len(recompress(layout_blob(l["digest"])))
                body = json.dumps(m).encode()
            if f == "schema1":
                body = json.dumps({"schemaVersion": 1, "name": "img", "tag": "latest", "fsLayers": []}).encode()
                mt = "application/vnd.docker.distribution.manifest.v1+prettyjws"
            if f == "huge-manifest":
                body = b'{"pad":"' + b"a" * (5 << 20) + b'"}'
            digest = "sha256:" + ("0" * 64 if f == "manifest-digest" else hashlib.sha256(body).hexdigest())
            return self.send(200, body, {"Docker-Content-Digest": digest}, ctype=mt)
        if is_blob:
            digest = self.path.split("/blobs/")[1]
            body = layout_blob(digest)
            man = json.loads(layout_manifest(args.tag))
            is_layer = any(l["digest"] == digest for l in man.get("layers", []))
            if f == "config-digest" and digest == man["config"]["digest"]:
                body = body.replace(b"{", b"{ ", 1)
            if is_layer and f == "blob-digest":
                body = recompress(body)
            if is_layer and f == "truncated-blob":
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                log(self.command, self.path, "200-truncated")
                self.close_connection = True
                return
            if is_layer and f in ("drop-once", "drop-norange"):
                with lock:
                    n = state.get(digest, 0)
                    state[digest] = n + 1
                if n == 0:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    log(self.command, self.path, "200-cut")
                    self.close_connection = True
                    return
                rng = self.headers.get("Range", "")
                if f == "drop-once" and rng.startswith("bytes=") and rng.endswith("-"):
                    start = int(rng[6:-1])
                    return self.send(206, body[start:], {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"},
                                     ctype="application/octet-stream")
            if is_layer and f == "long-blob":
                body = body + b"\0" * 4096
            return self.send(200, body, ctype="application/octet-stream")
        return self.send(404)

    def proxy(self):
        req = urllib.request.Request(args.upstream + self.path, method=self.command)
        for k in ("Accept",):
            if self.headers.get(k):
                req.add_header(k, self.headers[k])
        try:
            with urllib.request.urlopen(req) as r:
                body = r.read()
                hdrs = {k: v for k, v in r.headers.items() if k.lower() in ("docker-content-digest",)}
                return self.send(r.status, body, hdrs, ctype=r.headers.get("Content-Type", "application/octet-stream"))
        except urllib.error.HTTPError as e:
            return self.send(e.code, e.read())


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
print(srv.server_address[1], flush=True)
srv.serve_forever()
