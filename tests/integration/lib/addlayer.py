#!/usr/bin/env python3
"""addlayer.py SRC_LAYOUT DST_LAYOUT: copy an OCI layout holding one image and put one more
layer on top (a small gzip tar with etc/comb-added and a Python package's metadata), updating the
manifest, the config's diff_ids and history, and index.json. Prints the new layer's digest."""
import gzip, hashlib, io, json, os, shutil, sys, tarfile

src, dst = sys.argv[1], sys.argv[2]
shutil.copytree(src, dst)
blobs = os.path.join(dst, "blobs", "sha256")


def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, d), "wb") as f:
        f.write(data)
    return "sha256:" + d


def get(digest):
    with open(os.path.join(blobs, digest.split(":")[1]), "rb") as f:
        return f.read()


tarbuf = io.BytesIO()
with tarfile.open(fileobj=tarbuf, mode="w", format=tarfile.PAX_FORMAT) as t:
    for name, body in (("etc/comb-added", b"added by addlayer.py\n"),
                       ("usr/lib/python3.9/site-packages/combdemo-1.2.3.dist-info/METADATA",
                        b"Metadata-Version: 2.1\nName: combdemo\nVersion: 1.2.3\n")):
        ti = tarfile.TarInfo(name)
        ti.size = len(body)
        ti.mtime = 0
        t.addfile(ti, io.BytesIO(body))
raw = tarbuf.getvalue()
diff_id = "sha256:" + hashlib.sha256(raw).hexdigest()
gz = gzip.compress(raw, mtime=0)
layer = put(gz)

index = json.load(open(os.path.join(dst, "index.json")))
desc = index["manifests"][0]
man = json.loads(get(desc["digest"]))
cfg = json.loads(get(man["config"]["digest"]))
cfg["rootfs"]["diff_ids"].append(diff_id)
cfg.setdefault("history", []).append({"created_by": "addlayer.py"})
cfgb = json.dumps(cfg).encode()
man["config"] = {"mediaType": man["config"]["mediaType"], "digest": put(cfgb), "size": len(cfgb)}
man["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer, "size": len(gz)})
manb = json.dumps(man).encode()
desc["digest"] = put(manb)
desc["size"] = len(manb)
json.dump(index, open(os.path.join(dst, "index.json"), "w"))
print(layer)
