#!/usr/bin/env python3
"""A stream of image pushes to an OCI registry, for crash tests.

usage: pushstream.py BASE_URL REPO OUT [MAX_PUSHES]

Pushes small images (a random layer of 16 KiB - 1 MiB, sent either whole
or in chunks, a config and a manifest tagged p<N>) to BASE_URL/v2/REPO until
MAX_PUSHES (default 200) or until the registry stops answering. Every push
the registry acknowledged (manifest PUT answered 201) is appended to OUT as a
JSON line {"tag", "digest", "blobs"}, flushed and fsync'ed before the next
push starts, so OUT lists exactly what the registry promised to keep.
"""
import hashlib
import json
import os
import random
import sys
import urllib.error
import urllib.request

base, repo, out = sys.argv[1], sys.argv[2], sys.argv[3]
max_pushes = int(sys.argv[4]) if len(sys.argv) > 4 else 200


def req(method, url, data=None, headers=None):
    r = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def absolute(loc):
    return loc if loc.startswith("http") else base + loc


def put_blob(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    if random.random() < 0.5:  # monolithic
        st, _, _ = req("POST", f"{base}/v2/{repo}/blobs/uploads/?digest={digest}", data,
                       {"Content-Type": "application/octet-stream"})
        if st != 201:
            raise RuntimeError(f"monolithic upload: {st}")
        return digest
    st, h, _ = req("POST", f"{base}/v2/{repo}/blobs/uploads/", b"")
    if st != 202:
        raise RuntimeError(f"upload start: {st}")
    loc = absolute(h["Location"])
    off, step = 0, max(1, len(data) // 3)
    while off < len(data):
        chunk = data[off:off + step]
        st, h, _ = req("PATCH", loc, chunk, {"Content-Type": "application/octet-stream",
                                            "Content-Range": f"{off}-{off + len(chunk) - 1}"})
        if st != 202:
            raise RuntimeError(f"chunk: {st}")
        loc = absolute(h["Location"])
        off += len(chunk)
    sep = "&" if "?" in loc else "?"
    st, _, _ = req("PUT", f"{loc}{sep}digest={digest}", b"")
    if st != 201:
        raise RuntimeError(f"upload end: {st}")
    return digest


with open(out, "a") as log:
    for n in range(max_pushes):
        try:
            layer = os.urandom(random.randint(16 << 10, 1 << 20))
            ld = put_blob(layer)
            config = json.dumps({"architecture": "amd64", "os": "linux",
                                 "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode()
            cd = put_blob(config)
            manifest = json.dumps({
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": cd, "size": len(config)},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                            "digest": ld, "size": len(layer)}],
            }).encode()
            tag = f"p{n}"
            st, _, _ = req("PUT", f"{base}/v2/{repo}/manifests/{tag}", manifest,
                           {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
            if st != 201:
                raise RuntimeError(f"manifest: {st}")
        except Exception:  # the registry went away: stop, what was logged stands
            break
        log.write(json.dumps({"tag": tag, "digest": "sha256:" + hashlib.sha256(manifest).hexdigest(),
                              "blobs": [cd, ld]}) + "\n")
        log.flush()
        os.fsync(log.fileno())
