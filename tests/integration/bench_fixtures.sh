#!/usr/bin/env bash
# bench_fixtures: `comb bench --root` on fixture host roots (a hardened and
# an insecure one per benchmark, built by tests/data/compliance/build-roots.sh)
# gives exactly the status listed in tests/data/compliance/expected/<root>.tsv
# for every check (and every container): nothing missing, nothing extra.
source "$(dirname "$0")/lib/common.bash"
DATA=$COMB_SRC/tests/data/compliance
ROOTS=$TMP/roots
bash "$DATA/build-roots.sh" "$ROOTS" || { echo "FAIL: build-roots.sh"; exit 1; }

# the benchmark each fixture root is for
bench_of() {
  case $1 in
    k8s-*) echo k8s-node ;;
    *) echo "${1%%-*}" ;;
  esac
}

for root in "$ROOTS"/*; do
  name=$(basename "$root")
  bench=$(bench_of "$name")
  exp=$DATA/expected/$name.tsv
  [ -f "$exp" ] || { fail "$name: no expected file $exp"; continue; }
  set +e
  "$COMB" bench "$bench" --root "$root" -f json -o "$TMP/$name.json" 2>"$TMP/$name.err"
  rc=$?
  set -e
  if [ $rc -ne 0 ]; then
    fail "$name: comb bench exited $rc: $(head -c 300 "$TMP/$name.err")"
    continue
  fi
  $PY - "$TMP/$name.json" >"$TMP/$name.tsv" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%s\t%s\t%s" % (r["id"], r["target"] or "-", r["status"]))
PY
  grep -v '^#' "$exp" >"$TMP/$name.exp"
  compare "$name ($bench)" "$TMP/$name.exp" "$TMP/$name.tsv"
  # every check of the benchmark's rule file is in the expectations
  $PY - "$COMB_SRC/rules/compliance/$bench.yaml" "$TMP/$name.exp" <<'PY' || fail "$name: expectations do not cover every check of $bench.yaml"
import sys, yaml
ids = {c["id"] for c in yaml.safe_load(open(sys.argv[1]))["checks"]}
seen = {l.split("\t")[0] for l in open(sys.argv[2]) if l.strip()}
missing = ids - seen
if missing:
    print("    not covered:", " ".join(sorted(missing)))
    sys.exit(1)
PY
done

# The insecure roots really are insecure and the hardened ones hardened:
# no FAIL in any good root, and no PASS-only bad root.
for name in docker containerd podman k8s host containers images; do
  grep -q $'\tFAIL$' "$TMP/$name-bad.tsv" || fail "$name-bad has no FAIL"
  if grep -q $'\tFAIL$' "$TMP/$name-good.tsv"; then fail "$name-good has a FAIL"; fi
done
pass "good roots have no FAIL, bad roots have FAILs"

# a file that does not parse is an ERROR that says where and why
$PY - "$TMP/docker-broken.json" <<'PY' || fail "docker-broken: ERROR results lack the parse error"
import json, sys
errs = [r for r in json.load(open(sys.argv[1]))["results"] if r["status"] == "ERROR"]
assert errs and all("/etc/docker/daemon.json: line 1:" in r["reason"] for r in errs), errs[:2]
PY
pass "an unparsable daemon.json gives ERROR with the parser's message"

# --root makes live-only checks NOT-APPLICABLE instead of reading this host
"$COMB" bench host --root "$ROOTS/host-good" --check host-2.2 -f json -o "$TMP/live.json"
$PY - "$TMP/live.json" <<'PY' || fail "host-2.2 under --root should pass from /etc/default/grub alone"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert len(r) == 1 and r[0]["status"] == "PASS", r
assert "grub" in r[0]["reason"], r[0]["reason"]
PY
pass "--check selects one check; live-only sources are skipped under --root"
finish
