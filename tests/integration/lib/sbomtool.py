#!/usr/bin/python3
"""Small JSON helpers for the integration tests (stdlib only).

  sbomtool.py pkgs FILE.json FIELD,FIELD,... [TYPE,...]   TSV of package fields ('' when absent)
  sbomtool.py get FILE.json a.b.c                          one value (JSON path, '' when absent)
  sbomtool.py check FILE.json                              validate the comb-sbom/1 top level
Fields: any package key; "gname" = group:name when group present (java); "pyname" = PEP 503 name.
"""
import json
import re
import sys


def load(p):
    with open(p) as f:
        return json.load(f)


def field(pkg, f):
    if f == "gname":
        return (pkg["group"] + ":" + pkg["name"]) if pkg.get("group") else pkg.get("name", "")
    if f == "pyname":
        n = pkg.get("name", "")
        return re.sub(r"[-_.]+", "-", n).lower() if pkg.get("type") == "python" else n
    v = pkg.get(f, "")
    return "" if v is None else str(v)


def main(a):
    if a[0] == "pkgs":
        d = load(a[1])
        fields = a[2].split(",")
        types = set(a[3].split(",")) if len(a) > 3 and a[3] else None
        for p in d.get("packages", []):
            if types and p.get("type") not in types:
                continue
            print("\t".join(field(p, f).replace("\t", " ").replace("\n", " ") for f in fields))
    elif a[0] == "get":
        v = load(a[1])
        for k in a[2].split("."):
            if isinstance(v, dict):
                v = v.get(k, "")
            elif isinstance(v, list) and k.isdigit() and int(k) < len(v):
                v = v[int(k)]
            else:
                v = ""
        print(v if not isinstance(v, (dict, list)) else json.dumps(v))
    elif a[0] == "check":
        d = load(a[1])
        errs = []
        if d.get("schema") != "comb-sbom/1":
            errs.append("schema is %r, want comb-sbom/1" % d.get("schema"))
        if d.get("source") not in ("docker-archive", "oci-layout", "oci-archive", "rootfs"):
            errs.append("source is %r" % d.get("source"))
        if not isinstance(d.get("packages"), list):
            errs.append("packages is not a list")
        for p in d.get("packages") or []:
            for k in ("type", "name"):
                if not p.get(k):
                    errs.append("package without %s: %s" % (k, json.dumps(p)[:200]))
            if str(p.get("found_in", "")).startswith("/"):
                errs.append("found_in has a leading slash: %s" % p["found_in"])
        for e in errs[:20]:
            print(e)
        sys.exit(1 if errs else 0)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        print("sbomtool: %s: %s" % (" ".join(sys.argv[1:3]), e), file=sys.stderr)
        sys.exit(1)
