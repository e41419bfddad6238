#!/usr/bin/python3
"""Checks on `comb scan --format json` detections (secrets, malware, config).

  detect_check.py expect RESULT.json EXPECTED.tsv
      every (kind, path, rule, layer, removed) row of EXPECTED.tsv is reported
      (secrets and malware); prints the missing ones; exit 1 if any.
  detect_check.py count RESULT.json KIND           number of detections of KIND
  detect_check.py rows RESULT.json KIND            "rule_id<TAB>path-or-location<TAB>removed"
"""
import json, sys

KEY = {"secret": "secrets", "malware": "malware", "config": "misconfigurations"}


def load(p):
    with open(p) as f:
        return json.load(f)


def dets(doc, kind):
    return doc.get(KEY[kind], [])


def main():
    cmd = sys.argv[1]
    if cmd == "expect":
        doc = load(sys.argv[2])
        have = set()
        for kind in ("secret", "malware"):
            for d in dets(doc, kind):
                have.add((kind, d.get("path"), d.get("rule_id"), d.get("layer", {}).get("index", -1),
                          int(bool(d.get("removed_in_later_layer")))))
        missing = 0
        with open(sys.argv[3]) as f:
            for line in f:
                kind, path, rule, layer, removed = line.rstrip("\n").split("\t")
                if (kind, path, rule, int(layer), int(removed)) not in have:
                    print("missing: %s %s %s (layer %s, removed %s)" % (kind, rule, path, layer, removed))
                    missing += 1
        sys.exit(1 if missing else 0)
    if cmd == "count":
        print(len(dets(load(sys.argv[2]), sys.argv[3])))
        return
    if cmd == "rows":
        for d in dets(load(sys.argv[2]), sys.argv[3]):
            print("%s\t%s\t%d" % (d.get("rule_id"), d.get("path") or d.get("location") or "",
                                  int(bool(d.get("removed_in_later_layer")))))
        return
    sys.exit("unknown command " + cmd)


main()
