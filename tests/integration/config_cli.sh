#!/usr/bin/env bash
# comb config on the Dockerfiles of tests/data/misconfig and on real images: the exact set of
# (check, line) findings of a Dockerfile with many problems, none on a clean one, directories,
# --severity/--skip/--exit-code/--max-age, SARIF validated against the official schema, secret
# values never printed, parse errors and usage errors with their exit codes, and every check
# id of --list-checks documented in docs/MISCONFIG.md.
. "$(dirname "$0")/lib/common.bash"
DATA="$COMB_SRC/tests/data/misconfig"
export XDG_CACHE_HOME="$TMP/cache"   # the layer cache of image targets stays in TMP

# run_config OUT ARGS... : comb config; sets RC, stderr in OUT.stderr
run_config() {
  local out=$1; shift
  set +e
  timeout 300 "$COMB" config -o "$out" "$@" 2>"$out.stderr"
  RC=$?
  set -e
}

# ---- a Dockerfile with many problems: exactly these findings
run_config "$TMP/bad.json" -f json "$DATA/bad.Dockerfile"
[ "$RC" -eq 0 ] || fail "bad.Dockerfile: exit $RC: $(head -c 300 "$TMP/bad.json.stderr")"
$PY - "$TMP/bad.json" >"$TMP/bad.act" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "comb-config/1"
(t,) = d["targets"]
assert t["kind"] == "dockerfile" and t["target"].endswith("bad.Dockerfile")
for f in t["findings"]:
    assert f["fix"] and f["title"] and f["message"], f
    assert f["location"].endswith(":%d" % f["line"]), f
    print(f["id"], f["line"], f["severity"])
PYEOF
cat >"$TMP/bad.exp" <<'EOF2'
CMB-DF-001 2 HIGH
CMB-DF-002 2 MEDIUM
CMB-DF-003 2 LOW
CMB-IMG-007 2 LOW
CMB-DF-011 3 INFO
CMB-IMG-003 4 HIGH
CMB-IMG-002 5 HIGH
CMB-IMG-005 7 MEDIUM
CMB-DF-014 8 LOW
CMB-DF-013 9 LOW
CMB-DF-005 10 LOW
CMB-DF-006 10 LOW
CMB-DF-007 10 LOW
CMB-IMG-006 11 HIGH
CMB-DF-010 12 MEDIUM
CMB-DF-015 12 MEDIUM
CMB-IMG-008 13 MEDIUM
CMB-DF-012 14 LOW
EOF2
compare "bad.Dockerfile findings (id line severity)" "$TMP/bad.exp" "$TMP/bad.act"

# secret values appear in no output format
for fmt in table json sarif; do
  run_config "$TMP/secret.$fmt" -f "$fmt" "$DATA/bad.Dockerfile"
  if grep -q -e hunter2 -e npm_0123 "$TMP/secret.$fmt"; then fail "--format $fmt prints a secret value"
  elif ! grep -q DB_PASSWORD "$TMP/secret.$fmt"; then fail "--format $fmt does not name DB_PASSWORD"
  else pass "--format $fmt names the secret variables, not their values"; fi
done
if grep -q $'\033' "$TMP/secret.table"; then fail "table to a file has colour codes"; else pass "no colour codes in a file"; fi

# ---- SARIF validates and carries the Dockerfile lines
run_config "$TMP/bad.sarif" -f sarif "$DATA/bad.Dockerfile" "$DATA/clean"
if $PY "$COMB_SRC/tests/tools/validate_schema.py" "$COMB_SRC/tests/schemas/sarif-schema-2.1.0.json" "$TMP/bad.sarif" >"$TMP/val" 2>&1; then
  pass "SARIF validates against sarif-schema-2.1.0.json"
else fail "SARIF does not validate: $(head -c 400 "$TMP/val")"; fi
$PY - "$TMP/bad.sarif" <<'PYEOF' && pass "SARIF rules, levels and regions" || fail "SARIF content"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
rules = run["tool"]["driver"]["rules"]
res = run["results"]
assert len(res) == 18, len(res)
for r in res:
    rule = rules[r["ruleIndex"]]
    assert rule["id"] == r["ruleId"]
    assert r["level"] == {"HIGH": "error", "MEDIUM": "warning"}.get(r["properties"]["severity"], "note")
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("bad.Dockerfile") and loc["region"]["startLine"] >= 2
    assert "Fix:" in r["message"]["text"]
assert any(r["ruleId"] == "CMB-IMG-006" and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 11 for r in res)
PYEOF

# ---- filters and exit codes
run_config "$TMP/x.json" -f json --exit-code 3 "$DATA/bad.Dockerfile"
[ "$RC" -eq 3 ] && pass "--exit-code 3 with findings" || fail "--exit-code 3 with findings gave $RC"
run_config "$TMP/clean.json" -f json --exit-code 3 "$DATA/clean"
if [ "$RC" -eq 0 ] && $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); t=d["targets"]; assert len(t)==1 and t[0]["findings"]==[] and t[0]["target"].endswith("clean/Dockerfile")' "$TMP/clean.json"; then
  pass "a clean Dockerfile: no findings, exit 0 with --exit-code"
else fail "clean Dockerfile: exit $RC $(head -c 300 "$TMP/clean.json")"; fi
run_config "$TMP/high.json" -f json --severity HIGH,critical --exit-code 4 "$DATA/bad.Dockerfile"
if [ "$RC" -eq 4 ] && $PY -c 'import json,sys; f=json.load(open(sys.argv[1]))["targets"][0]["findings"]; assert sorted(x["id"] for x in f)==["CMB-DF-001","CMB-IMG-002","CMB-IMG-003","CMB-IMG-006"], f' "$TMP/high.json"; then
  pass "--severity HIGH,critical"
else fail "--severity: exit $RC"; fi
run_config "$TMP/skip.json" -f json --skip CMB-DF-003,cmb-img-007 --skip CMB-DF-001 "$DATA/bad.Dockerfile"
if $PY -c 'import json,sys; f=json.load(open(sys.argv[1]))["targets"][0]["findings"]; ids={x["id"] for x in f}; assert len(f)==15 and not ids & {"CMB-DF-003","CMB-IMG-007","CMB-DF-001"}, ids' "$TMP/skip.json"; then
  pass "--skip (repeated, comma-separated, any case)"
else fail "--skip"; fi
run_config "$TMP/none.json" -f json --severity CRITICAL --exit-code 9 "$DATA/bad.Dockerfile"
[ "$RC" -eq 0 ] && pass "--exit-code: 0 when every finding is filtered out" || fail "filtered-out findings gave exit $RC"

# ---- a directory with several Dockerfiles (other files ignored)
run_config "$TMP/multi.json" -f json "$DATA/multi"
if [ "$RC" -eq 0 ] && $PY - "$TMP/multi.json" <<'PYEOF'
import json, sys
t = json.load(open(sys.argv[1]))["targets"]
names = [x["target"].rsplit("/", 1)[1] for x in t]
assert names == ["Dockerfile", "web.Dockerfile"], names
assert [f["id"] for f in t[0]["findings"]] == ["CMB-DF-008"], t[0]
assert [(f["id"], f["line"]) for f in t[1]["findings"]] == [("CMB-DF-001", 2)], t[1]
PYEOF
then pass "directory: Dockerfile and *.Dockerfile, README ignored"; else fail "directory targets (exit $RC)"; fi

# ---- errors
run_config "$TMP/broken.out" "$DATA/broken.Dockerfile"
if [ "$RC" -eq 1 ] && grep -q "broken.Dockerfile:2: heredoc" "$TMP/broken.out.stderr" && [ ! -e "$TMP/broken.out" ]; then
  pass "unterminated heredoc: exit 1, file:line in the message, no half report"
else fail "broken Dockerfile: exit $RC: $(head -c 300 "$TMP/broken.out.stderr")"; fi
echo keep >"$TMP/keep.out"
run_config "$TMP/keep.out" "$DATA/clean" "$DATA/broken.Dockerfile"
[ "$RC" -eq 1 ] && [ "$(cat "$TMP/keep.out")" = keep ] && pass "an error leaves an existing -o file alone" \
  || fail "error with an existing -o file: exit $RC, file now: $(head -c 100 "$TMP/keep.out")"
run_config "$TMP/missing.out" "$TMP/does-not-exist"
[ "$RC" -eq 1 ] && pass "missing PATH: exit 1" || fail "missing PATH: exit $RC"
mkdir -p "$TMP/fifo" && mkfifo "$TMP/fifo/Dockerfile"
run_config "$TMP/fifo.out" "$TMP/fifo"
[ "$RC" -eq 1 ] && grep -q "not a regular file" "$TMP/fifo.out.stderr" && pass "a FIFO named Dockerfile: exit 1, no hang" \
  || fail "FIFO Dockerfile: exit $RC: $(head -c 200 "$TMP/fifo.out.stderr")"
mkdir -p "$TMP/empty"
run_config "$TMP/empty.out" "$TMP/empty"
[ "$RC" -eq 1 ] && grep -q "no Dockerfile" "$TMP/empty.out.stderr" && pass "directory without Dockerfile: exit 1" || fail "empty dir: exit $RC"
for args in "" "--format xml $DATA/clean" "--skip CMB-NOPE-1 $DATA/clean" "--max-age 0 $DATA/clean" \
            "--exit-code 256 $DATA/clean" "--bogus $DATA/clean" "--severity SEVERE $DATA/clean"; do
  set +e; "$COMB" config $args >/dev/null 2>"$TMP/usage.err"; rc=$?; set -e
  if [ "$rc" -eq 2 ] && grep -q "^comb: error: " "$TMP/usage.err"; then pass "usage error exits 2: config $args"
  else fail "config $args: exit $rc, stderr: $(head -c 200 "$TMP/usage.err")"; fi
done

# ---- hostile input: huge continuation, deep JSON-looking exec form, binary junk: no crash, no hang
$PY - "$TMP" <<'PYEOF'
import sys, os
d = sys.argv[1]
open(os.path.join(d, "long.Dockerfile"), "w").write("FROM a:1\nRUN x \\\n" + "  y \\\n" * 200000 + "  z\n")
open(os.path.join(d, "deep.Dockerfile"), "w").write("FROM a:1\nCMD " + "[" * 100000 + "\n")
open(os.path.join(d, "junk.Dockerfile"), "wb").write(bytes(range(1, 256)) * 100)
PYEOF
for f in long deep junk; do
  run_config "$TMP/$f.out" -f json "$TMP/$f.Dockerfile"
  if [ "$RC" -le 3 ]; then pass "hostile $f.Dockerfile: exit $RC"; else fail "hostile $f.Dockerfile: exit $RC"; fi
done

# ---- images: the config and the OS release
IMG="$COMB_SHARED/data/images/alpine-310.tar.gz"
run_config "$TMP/alpine.json" -f json --max-age 36500 "$IMG"
if [ "$RC" -eq 0 ] && $PY - "$TMP/alpine.json" <<'PYEOF'
import json, sys
(t,) = json.load(open(sys.argv[1]))["targets"]
ids = {f["id"]: f for f in t["findings"]}
assert t["kind"] == "image"
assert "CMB-IMG-011" in ids and "Alpine Linux 3.10" in ids["CMB-IMG-011"]["message"], ids
assert "CMB-IMG-001" in ids and ids["CMB-IMG-001"]["location"] == "config.User"
assert "CMB-IMG-010" not in ids  # --max-age 36500
PYEOF
then pass "alpine 3.10 image: end-of-life, root user; --max-age honoured"; else fail "alpine image (exit $RC): $(head -c 300 "$TMP/alpine.json.stderr")"; fi
run_config "$TMP/alpine-old.json" -f json --image "$IMG"
$PY -c 'import json,sys; f=json.load(open(sys.argv[1]))["targets"][0]["findings"]; assert any(x["id"]=="CMB-IMG-010" for x in f)' "$TMP/alpine-old.json" \
  && pass "--image: a 2020 image is old by default" || fail "--image alpine: no age finding"
FIX="$COMB_FIXTURES/debian12/docker-archive.tar"
if [ -e "$FIX" ]; then
  run_config "$TMP/deb.json" -f json --image "$FIX"
  if [ "$RC" -eq 0 ] && $PY -c 'import json,sys; f=json.load(open(sys.argv[1]))["targets"][0]["findings"]; ids={x["id"] for x in f}; assert "CMB-IMG-001" in ids and "CMB-IMG-011" not in ids, ids' "$TMP/deb.json"; then
    pass "debian12 fixture: root user, not end-of-life"
  else fail "debian12 fixture: exit $RC"; fi
else
  info "skipped: $FIX missing (tests/fixtures/build-fixtures.sh builds it)"
fi

# ---- the catalogue and the documentation agree
"$COMB" config --list-checks | awk '/^CMB-/{print $1}' >"$TMP/ids"
[ "$(wc -l <"$TMP/ids")" -ge 30 ] || fail "--list-checks lists $(wc -l <"$TMP/ids") checks"
grep -o '^| CMB-[A-Z]*-[0-9]*' "$COMB_SRC/docs/MISCONFIG.md" | sed 's/^| //' >"$TMP/doc-ids"
compare "check ids in --list-checks and docs/MISCONFIG.md" "$TMP/doc-ids" "$TMP/ids"
finish
