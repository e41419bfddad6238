#!/usr/bin/env python3
"""Independent OCI layout edits for tests/integration/sign_verify.sh (no comb code).

  payload REPO DIGEST                      print cosign's simple-signing payload (as cosign's Go code marshals it)
  attach-sig DIR IMAGE_DIGEST PAYLOAD SIG  add a cosign signature layer (SIG: raw signature bytes) to the
                                           manifest tagged sha256-<hex>.sig
  attach-referrer DIR IMAGE_DIGEST TYPE FILE
                                           store FILE as an artifact of TYPE whose subject is the image
  edit-sig-layer DIR IMAGE_DIGEST N ACTION [ARG]
                                           ACTION: drop-annotation | payload FILE (point the layer at a new blob)
  retag-image DIR TAG                      change the image's manifest (an annotation) and move TAG to it;
                                           prints the new digest
  move-tag DIR FROM TO                     rename a tag in index.json
  untag DIR TAG                            remove a tag's entry from index.json
"""
import base64, hashlib, json, os, sys


def put_blob(d, data):
    h = hashlib.sha256(data).hexdigest()
    p = os.path.join(d, "blobs", "sha256", h)
    with open(p, "wb") as f:
        f.write(data)
    return "sha256:" + h, len(data)


def blob(d, digest):
    with open(os.path.join(d, "blobs", "sha256", digest.split(":", 1)[1]), "rb") as f:
        return f.read()


def index(d):
    with open(os.path.join(d, "index.json")) as f:
        return json.load(f)


def save_index(d, idx):
    with open(os.path.join(d, "index.json"), "w") as f:
        json.dump(idx, f)


def ref_name(m):
    return (m.get("annotations") or {}).get("org.opencontainers.image.ref.name")


def put_manifest(d, man, tag):
    data = json.dumps(man, separators=(",", ":")).encode()
    dg, n = put_blob(d, data)
    idx = index(d)
    if tag:
        idx["manifests"] = [m for m in idx["manifests"] if ref_name(m) != tag]
    desc = {"mediaType": man.get("mediaType", "application/vnd.oci.image.manifest.v1+json"), "digest": dg, "size": n}
    if man.get("artifactType"):
        desc["artifactType"] = man["artifactType"]
    if tag:
        desc["annotations"] = {"org.opencontainers.image.ref.name": tag}
    idx["manifests"].append(desc)
    save_index(d, idx)
    return dg


def sig_manifest(d, image):
    tag = "sha256-%s.sig" % image.split(":", 1)[1]
    for m in index(d)["manifests"]:
        if ref_name(m) == tag:
            return tag, json.loads(blob(d, m["digest"]))
    return tag, None


def store_sig_manifest(d, tag, layers):
    cfg = {"architecture": "", "created": "0001-01-01T00:00:00Z", "history": [{"created": "0001-01-01T00:00:00Z"}],
           "os": "", "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}, "config": {}}
    cd, cn = put_blob(d, json.dumps(cfg, separators=(",", ":")).encode())
    man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": cn, "digest": cd},
           "layers": layers}
    return put_manifest(d, man, tag)


def main(a):
    cmd = a[0]
    if cmd == "payload":
        # cosign: payload.Cosign -> json.Marshal of {critical:{identity,image,type}, optional}
        p = '{"critical":{"identity":{"docker-reference":%s},"image":{"docker-manifest-digest":%s},' \
            '"type":"cosign container image signature"},"optional":null}' % (json.dumps(a[1]), json.dumps(a[2]))
        sys.stdout.write(p)
    elif cmd == "attach-sig":
        d, image, payload, sig = a[1:5]
        tag, man = sig_manifest(d, image)
        layers = man["layers"] if man else []
        pd, pn = put_blob(d, open(payload, "rb").read())
        layers.append({"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "size": pn, "digest": pd,
                       "annotations": {"dev.cosignproject.cosign/signature":
                                       base64.b64encode(open(sig, "rb").read()).decode()}})
        print(store_sig_manifest(d, tag, layers))
    elif cmd == "attach-referrer":
        d, image, typ, f = a[1:5]
        bd, bn = put_blob(d, open(f, "rb").read())
        ed, en = put_blob(d, b"{}")
        img = [m for m in index(d)["manifests"] if m["digest"] == image][0]
        man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "artifactType": typ,
               "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": en, "digest": ed},
               "layers": [{"mediaType": typ, "size": bn, "digest": bd}],
               "subject": {"mediaType": img["mediaType"], "size": img["size"], "digest": image}}
        print(put_manifest(d, man, None))
    elif cmd == "edit-sig-layer":
        d, image, n, action = a[1:5]
        tag, man = sig_manifest(d, image)
        layer = man["layers"][int(n)]
        if action == "drop-annotation":
            del layer["annotations"]["dev.cosignproject.cosign/signature"]
        elif action == "payload":
            layer["digest"], layer["size"] = put_blob(d, open(a[5], "rb").read())
        print(store_sig_manifest(d, tag, man["layers"]))
    elif cmd == "retag-image":
        d, tag = a[1:3]
        m = [m for m in index(d)["manifests"] if ref_name(m) == tag][0]
        man = json.loads(blob(d, m["digest"]))
        man.setdefault("annotations", {})["org.example.changed"] = "after signing"
        print(put_manifest(d, man, tag))
    elif cmd == "move-tag":
        d, frm, to = a[1:4]
        idx = index(d)
        for m in idx["manifests"]:
            if ref_name(m) == frm:
                m["annotations"]["org.opencontainers.image.ref.name"] = to
        save_index(d, idx)
    elif cmd == "untag":
        d, tag = a[1:3]
        idx = index(d)
        idx["manifests"] = [m for m in idx["manifests"] if ref_name(m) != tag]
        save_index(d, idx)
    else:
        sys.exit(__doc__)


main(sys.argv[1:])
