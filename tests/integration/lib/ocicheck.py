#!/usr/bin/env python3
"""Distribution-spec workflows against a registry (pull, push, content discovery, content
management), written from the OCI distribution spec v1.1: prints "ok: ..." or "FAIL: ..." per
check; exit 1 if any failed. Usage: ocicheck.py HOST:PORT [USER:PASS]"""
import base64, hashlib, http.client, json, os, sys

HOST = sys.argv[1]
AUTH = {}
if len(sys.argv) > 2:
    AUTH = {"Authorization": "Basic " + base64.b64encode(sys.argv[2].encode()).decode()}
FAILED = 0


def req(method, path, body=None, headers=None):
    c = http.client.HTTPConnection(HOST, timeout=30)
    h = dict(AUTH)
    h.update(headers or {})
    try:
        c.request(method, path, body=body, headers=h)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered (413) before reading the whole body
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def check(label, cond, detail=""):
    global FAILED
    if cond:
        print("ok:   " + label)
    else:
        FAILED += 1
        print("FAIL: %s %s" % (label, detail))


def err_code(data):
    try:
        return json.loads(data)["errors"][0]["code"]
    except Exception:
        return None


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def push_blob(repo, data):
    d = sha(data)
    s, h, _ = req("POST", "/v2/%s/blobs/uploads/?digest=%s" % (repo, d), data,
                  {"Content-Type": "application/octet-stream"})
    assert s == 201, (s, h)
    return d


def manifest(config, layers, **extra):
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config[0],
                    "size": config[1]},
         "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": n}
                    for d, n in layers]}
    m.update(extra)
    return json.dumps(m, sort_keys=True).encode()


def put_manifest(repo, ref, body, mt="application/vnd.oci.image.manifest.v1+json"):
    return req("PUT", "/v2/%s/manifests/%s" % (repo, ref), body, {"Content-Type": mt})


R = "conf/app"
# --- base
s, h, _ = req("GET", "/v2/")
check("GET /v2/ is 200", s == 200, s)

# --- push: monolithic POST ?digest=
cfg = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
cfg_d = push_blob(R, cfg)
s, h, _ = req("HEAD", "/v2/%s/blobs/%s" % (R, cfg_d))
check("monolithic push: HEAD blob 200 with Content-Length and Docker-Content-Digest",
      s == 200 and h.get("content-length") == str(len(cfg)) and h.get("docker-content-digest") == cfg_d,
      (s, h))

# --- push: POST then PUT with the body
layer1 = os.urandom(70000)
s, h, _ = req("POST", "/v2/%s/blobs/uploads/" % R)
loc = h.get("location", "")
check("POST uploads: 202 with Location", s == 202 and "/blobs/uploads/" in loc, (s, h))
s, h, _ = req("PUT", loc + "?digest=" + sha(layer1), layer1, {"Content-Type": "application/octet-stream"})
check("POST + PUT with body: 201, Location of the blob", s == 201 and h.get("location", "").endswith(sha(layer1)), (s, h))

# --- push: chunked with Content-Range, status, out-of-order chunk refused, resume
layer2 = os.urandom(200000)
s, h, _ = req("POST", "/v2/%s/blobs/uploads/" % R)
loc = h["location"]
s, h, _ = req("PATCH", loc, layer2[:65536], {"Content-Type": "application/octet-stream",
                                             "Content-Range": "0-65535", "Content-Length": "65536"})
check("PATCH chunk 1: 202, Range 0-65535", s == 202 and h.get("range") == "0-65535", (s, h))
loc = h["location"]
s, h, d = req("PATCH", loc, layer2[100:200], {"Content-Type": "application/octet-stream",
                                              "Content-Range": "100-199", "Content-Length": "100"})
check("PATCH out of order: 416", s == 416, (s, d))
s, h, _ = req("GET", loc)
check("GET upload status: 204, Range 0-65535 (resumable)", s == 204 and h.get("range") == "0-65535", (s, h))
s, h, _ = req("PATCH", loc, layer2[65536:], {"Content-Type": "application/octet-stream",
                                             "Content-Range": "65536-%d" % (len(layer2) - 1)})
check("PATCH chunk 2: 202", s == 202 and h.get("range") == "0-%d" % (len(layer2) - 1), (s, h))
s, h, d = req("PUT", loc + "?digest=" + sha(b"not this"), b"")
check("PUT with the wrong digest: 400 DIGEST_INVALID", s == 400 and err_code(d) == "DIGEST_INVALID", (s, d))
s, h, _ = req("PUT", loc + "?digest=" + sha(layer2), b"")
check("PUT closes the chunked upload: 201", s == 201, (s, h))
s, h, d = req("GET", "/v2/%s/blobs/%s" % (R, sha(layer2)))
check("GET blob: the bytes pushed in chunks", s == 200 and d == layer2, s)
s, h, d = req("GET", "/v2/%s/blobs/%s" % (R, sha(layer2)), headers={"Range": "bytes=10-19"})
check("GET blob with Range: 206 and the bytes", s == 206 and d == layer2[10:20] and
      h.get("content-range") == "bytes 10-19/%d" % len(layer2), (s, h))
s, h, d = req("GET", "/v2/%s/blobs/%s" % (R, sha(layer2)), headers={"Range": "bytes=%d-" % (len(layer2) + 5)})
check("GET blob with an unsatisfiable Range: 416", s == 416, s)
s, h, d = req("DELETE", loc)
check("DELETE of a finished upload: 404 BLOB_UPLOAD_UNKNOWN", s == 404 and err_code(d) == "BLOB_UPLOAD_UNKNOWN", (s, d))

# --- manifests
m1 = manifest((cfg_d, len(cfg)), [(sha(layer1), len(layer1)), (sha(layer2), len(layer2))])
s, h, d = put_manifest(R, "v1", m1)
check("PUT manifest by tag: 201 with Docker-Content-Digest", s == 201 and h.get("docker-content-digest") == sha(m1), (s, d))
s, h, d = req("GET", "/v2/%s/manifests/v1" % R, headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
check("GET manifest by tag: the same bytes and media type", s == 200 and d == m1 and
      h.get("content-type") == "application/vnd.oci.image.manifest.v1+json", (s, h))
s, h, d = req("HEAD", "/v2/%s/manifests/%s" % (R, sha(m1)))
check("HEAD manifest by digest: 200, length, digest", s == 200 and h.get("content-length") == str(len(m1))
      and h.get("docker-content-digest") == sha(m1) and d == b"", (s, h))
s, h, d = put_manifest(R, sha(m1), m1)
check("PUT manifest by its digest: 201", s == 201, (s, d))
s, h, d = put_manifest(R, "sha256:" + "0" * 64, m1)
check("PUT manifest under another digest: 400 DIGEST_INVALID", s == 400 and err_code(d) == "DIGEST_INVALID", (s, d))
missing = manifest((cfg_d, len(cfg)), [(sha(b"never pushed"), 12)])
s, h, d = put_manifest(R, "bad", missing)
check("PUT manifest with an unknown layer: 400 MANIFEST_BLOB_UNKNOWN", s == 400 and err_code(d) == "MANIFEST_BLOB_UNKNOWN", (s, d))
s, h, d = put_manifest(R, "bad", b"{not json")
check("PUT a malformed manifest: 400 MANIFEST_INVALID", s == 400 and err_code(d) == "MANIFEST_INVALID", (s, d))
s, h, d = put_manifest(R, "big", b" " * (4 * 1024 * 1024 + 10))
check("PUT a manifest over 4 MiB: 413", s == 413, s)
s, h, d = req("GET", "/v2/%s/manifests/nosuchtag" % R)
check("GET an unknown tag: 404 MANIFEST_UNKNOWN", s == 404 and err_code(d) == "MANIFEST_UNKNOWN", (s, d))
s, h, d = req("GET", "/v2/%s/blobs/%s" % (R, sha(b"absent")))
check("GET an unknown blob: 404 BLOB_UNKNOWN", s == 404 and err_code(d) == "BLOB_UNKNOWN", (s, d))
s, h, d = req("GET", "/v2/Conf/App/tags/list")
check("an invalid repository name: 400 NAME_INVALID", s == 400 and err_code(d) == "NAME_INVALID", (s, d))
s, h, d = req("GET", "/v2/no/such/tags/list")
check("tags of an unknown repository: 404 NAME_UNKNOWN", s == 404 and err_code(d) == "NAME_UNKNOWN", (s, d))
s, h, d = req("GET", "/v2/%s/blobs/sha256:xyz" % R)
check("a malformed digest: 400 DIGEST_INVALID", s == 400 and err_code(d) == "DIGEST_INVALID", (s, d))
s, h, d = req("PATCH", "/v2/%s/blobs/uploads/%s" % (R, "a" * 32), b"x")
check("PATCH of an unknown upload: 404 BLOB_UPLOAD_UNKNOWN", s == 404 and err_code(d) == "BLOB_UPLOAD_UNKNOWN", (s, d))
s, h, d = req("GET", "/v2/%s/manifests/..%%2f..%%2fetc" % R)
check("a path-like reference: refused (400/404)", s in (400, 404), s)

# --- content discovery: tags with pagination, catalog
for t in ["a1", "b2", "c3", "d4", "e5"]:
    put_manifest(R, t, m1)
s, h, d = req("GET", "/v2/%s/tags/list" % R)
tags = json.loads(d)["tags"] if s == 200 else []
check("tags/list: all tags, sorted", tags == sorted(["a1", "b2", "c3", "d4", "e5", "v1"]), tags)
s, h, d = req("GET", "/v2/%s/tags/list?n=2" % R)
page = json.loads(d)["tags"] if s == 200 else []
check("tags/list?n=2: 2 tags and a Link rel=next", page == ["a1", "b2"] and
      'last=b2>; rel="next"' in h.get("link", ""), (page, h.get("link")))
s, h, d = req("GET", "/v2/%s/tags/list?n=2&last=b2" % R)
page = json.loads(d)["tags"] if s == 200 else []
check("tags/list?n=2&last=b2: the next page", page == ["c3", "d4"], page)
s, h, d = req("GET", "/v2/%s/tags/list?n=10&last=d4" % R)
check("the last page has no Link", json.loads(d)["tags"] == ["e5", "v1"] and "link" not in h, (d, h))
s, h, d = req("GET", "/v2/%s/tags/list?n=-1" % R)
check("tags/list?n=-1: 400", s == 400, s)
push_blob("conf/other", b"x")
s, h, d = req("GET", "/v2/_catalog?n=1")
check("_catalog?n=1: one repository and a Link", s == 200 and json.loads(d)["repositories"] == ["conf/app"]
      and "link" in h, (d, h))

# --- cross-repository mount
s, h, d = req("POST", "/v2/conf/mounted/blobs/uploads/?mount=%s&from=%s" % (sha(layer1), R))
check("mount from a repository holding the blob: 201", s == 201 and h.get("docker-content-digest") == sha(layer1), (s, h))
s, h, d = req("GET", "/v2/conf/mounted/blobs/%s" % sha(layer1))
check("the mounted blob reads back", s == 200 and d == layer1, s)
s, h, d = req("POST", "/v2/conf/mounted/blobs/uploads/?mount=%s&from=conf/other" % sha(layer2))
check("mount from a repository without the blob: 202, an upload session instead",
      s == 202 and "/blobs/uploads/" in h.get("location", ""), (s, h))

# --- referrers
art_cfg = push_blob(R, b"{}")
sig = manifest((art_cfg, 2), [(sha(layer1), len(layer1))],
               artifactType="application/vnd.example.sig",
               subject={"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(m1), "size": len(m1)},
               annotations={"org.example": "yes"})
s, h, d = put_manifest(R, sha(sig), sig)
check("PUT a manifest with a subject: 201 and OCI-Subject", s == 201 and h.get("oci-subject") == sha(m1), (s, h))
sbom = manifest((art_cfg, 2), [(sha(layer2), len(layer2))], artifactType="application/vnd.example.sbom",
                subject={"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(m1), "size": len(m1)})
put_manifest(R, sha(sbom), sbom)
s, h, d = req("GET", "/v2/%s/referrers/%s" % (R, sha(m1)))
idx = json.loads(d) if s == 200 else {}
got = sorted((x["digest"], x.get("artifactType")) for x in idx.get("manifests", []))
check("referrers: both, with artifactType, as an image index", s == 200 and
      idx.get("mediaType") == "application/vnd.oci.image.index.v1+json" and
      got == sorted([(sha(sig), "application/vnd.example.sig"), (sha(sbom), "application/vnd.example.sbom")]), (s, got))
ann = [x.get("annotations") for x in idx.get("manifests", []) if x["digest"] == sha(sig)]
check("referrers: annotations carried", ann == [{"org.example": "yes"}], ann)
s, h, d = req("GET", "/v2/%s/referrers/%s?artifactType=application/vnd.example.sbom" % (R, sha(m1)))
got = [x["digest"] for x in json.loads(d)["manifests"]]
check("referrers?artifactType=: filtered, OCI-Filters-Applied: artifactType",
      got == [sha(sbom)] and h.get("oci-filters-applied") == "artifactType", (got, h))
s, h, d = req("GET", "/v2/%s/referrers/%s" % (R, sha(b"nothing")))
check("referrers of a digest without any: 200 and an empty list", s == 200 and json.loads(d)["manifests"] == [], (s, d))

# --- content management
s, h, d = req("DELETE", "/v2/%s/manifests/a1" % R)
check("DELETE a tag: 202", s == 202, s)
s, h, d = req("GET", "/v2/%s/manifests/a1" % R)
check("the deleted tag is gone", s == 404, s)
s, h, d = req("GET", "/v2/%s/manifests/b2" % R)
check("other tags of that manifest remain", s == 200, s)
s, h, d = req("DELETE", "/v2/%s/manifests/%s" % (R, sha(sbom)))
check("DELETE a manifest by digest: 202", s == 202, s)
s, h, d = req("GET", "/v2/%s/manifests/%s" % (R, sha(sbom)))
check("the deleted manifest is 404 MANIFEST_UNKNOWN", s == 404 and err_code(d) == "MANIFEST_UNKNOWN", (s, d))
s, h, d = req("GET", "/v2/%s/referrers/%s" % (R, sha(m1)))
check("the deleted referrer left the referrers list", [x["digest"] for x in json.loads(d)["manifests"]] == [sha(sig)], d)
s, h, d = req("DELETE", "/v2/conf/mounted/blobs/%s" % sha(layer1))
check("DELETE a blob: 202", s == 202, s)
s, h, d = req("GET", "/v2/conf/mounted/blobs/%s" % sha(layer1))
check("the deleted blob is 404 there", s == 404, s)
s, h, d = req("GET", "/v2/%s/blobs/%s" % (R, sha(layer1)))
check("... and still readable in the repository it came from", s == 200, s)
s, h, d = req("POST", "/v2/%s/tags/list" % R)
check("a method not allowed: 405 UNSUPPORTED", s == 405 and err_code(d) == "UNSUPPORTED", (s, d))

print("ocicheck: %d failure(s)" % FAILED)
sys.exit(1 if FAILED else 0)
