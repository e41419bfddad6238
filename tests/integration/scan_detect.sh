#!/usr/bin/env bash
# Secrets, malware and risky configuration inside an image (issue 4):
# an image built here plants every secret family and every malware sample in
# different layers, plus a secret that a later layer deletes. comb must find
# all of them, attribute each to its layer, mark the deleted one as removed,
# and never print a secret's value in any format.
. "$(dirname "$0")/lib/common.bash"
CHECK="$COMB_SRC/tests/integration/lib/detect_check.py"

$PY "$COMB_SRC/tests/integration/lib/plant.py" "$TMP" "$COMB_SHARED" "$COMB_SRC"
info "planted $(wc -l <"$TMP/expected.tsv") expected secret and malware findings"

scan() { # OUT TARGET [args]
  local out=$1 target=$2; shift 2
  set +e
  timeout 600 "$COMB" scan --scanners secret,malware,config --no-cache "$@" -o "$out" "$target" 2>"$out.stderr"
  RC=$?
  set -e
}

for t in img.tar oci; do
  scan "$TMP/$t.json" "$TMP/$t" -f json
  [ "$RC" = 0 ] || { fail "$t: comb scan exited $RC: $(head -c 300 "$TMP/$t.json.stderr")"; continue; }
  if $PY "$CHECK" expect "$TMP/$t.json" "$TMP/expected.tsv" >"$TMP/missing" 2>&1; then
    pass "$t: every planted secret and malware sample found in its layer"
  else
    fail "$t: $(wc -l <"$TMP/missing") planted findings missed"; sed 's/^/    /' "$TMP/missing" | head -40
  fi
  # the secret deleted by layer 4 is still in layer 2: reported, marked removed
  got=$($PY "$CHECK" rows "$TMP/$t.json" secret | awk -F'\t' '$2=="root/.aws/credentials-deleted" && $3==1' | wc -l)
  [ "$got" -ge 1 ] && pass "$t: secret deleted by a later layer reported as removed ($got findings)" \
    || fail "$t: the deleted AWS credentials were not reported as removed"
done

# Secrets in the image config itself: found by value, located by field.
$PY "$CHECK" rows "$TMP/img.tar.json" secret | cut -f1,2 >"$TMP/cfgsec.rows"
for want in $'github-pat\tconfig.Env[2]' $'slack-web-hook\tconfig.Labels[org.example.notify]'; do
  grep -qF "$want" "$TMP/cfgsec.rows" && pass "image config secret: ${want//$'\t'/ in }" \
    || fail "image config secret missing: ${want//$'\t'/ in } (have: $(grep -E $'\tconfig\\.[A-Z]' "$TMP/cfgsec.rows" | tr '\n' ' '))"
done

# Configuration: every planted problem, by check id (and path for files).
$PY "$CHECK" rows "$TMP/img.tar.json" config | cut -f1,2 | sort -u >"$TMP/cfg.rows"
for want in $'CMB-IMG-001\tconfig.User' CMB-IMG-002 CMB-IMG-007 CMB-IMG-008 CMB-IMG-009 CMB-IMG-010 CMB-IMG-011 \
            $'CMB-FS-001\tusr/local/bin/backdoor-helper' $'CMB-FS-004\tsrv/shared'; do
  grep -q "^$want" "$TMP/cfg.rows" && pass "config: ${want//$'\t'/ } reported" || fail "config: ${want//$'\t'/ } missing"
done
n22=$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for x in d["misconfigurations"] if x["rule_id"]=="CMB-IMG-008" and ("22" in x["message"] or "2375" in x["message"])))' "$TMP/img.tar.json")
[ "$n22" -ge 1 ] && pass "config: the SSH and Docker API ports are named" || fail "config: sensitive ports not named"

# --exit-code counts detections too; --severity filters them.
scan "$TMP/x.json" "$TMP/img.tar" -f json --exit-code 9
[ "$RC" = 9 ] && pass "--exit-code 9 with detections exits 9" || fail "--exit-code 9 with detections exited $RC"
scan "$TMP/crit.json" "$TMP/img.tar" -f json --severity CRITICAL
bad=$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for k in ("secrets","malware","misconfigurations") for x in d.get(k,[]) if x["severity"]!="CRITICAL"))' "$TMP/crit.json")
[ "$RC" = 0 ] && [ "$bad" = 0 ] && pass "--severity CRITICAL keeps only critical detections" || fail "--severity CRITICAL: exit $RC, $bad other severities"

# The same findings from both layouts of the image.
if cmp -s <($PY "$CHECK" rows "$TMP/img.tar.json" secret | sort) <($PY "$CHECK" rows "$TMP/oci.json" secret | sort) &&
   cmp -s <($PY "$CHECK" rows "$TMP/img.tar.json" malware | sort) <($PY "$CHECK" rows "$TMP/oci.json" malware | sort); then
  pass "docker-archive and OCI layout give the same detections"
else
  fail "docker-archive and OCI layout differ"
fi

# A rescan takes every layer's detections from the cache, with the same
# result; other rules (a user secret config) mean other entries.
C="$TMP/cache"
for i in 1 2; do
  timeout 600 "$COMB" scan --scanners secret,malware,config --cache-dir "$C" -f json -o "$TMP/warm$i.json" "$TMP/img.tar" 2>"$TMP/warm$i.err" || true
done
printf 'rules:\n  - id: comb-test-marker\n    category: Test\n    title: test marker\n    severity: LOW\n    regex: COMBTESTMARKER[0-9]{6}\n    keywords: [combtestmarker]\n' >"$TMP/extra.yaml"
timeout 600 "$COMB" scan --scanners secret,malware,config --cache-dir "$C" --secret-config "$TMP/extra.yaml" \
  -f json -o "$TMP/warm3.json" "$TMP/img.tar" 2>"$TMP/warm3.err" || true
same=$($PY - "$TMP/img.tar.json" "$TMP/warm1.json" "$TMP/warm2.json" <<'PYEOF'
import json, sys
docs = [json.load(open(p)) for p in sys.argv[1:]]
keys = ("secrets", "malware", "misconfigurations", "detection_summary")
print(int(all(d[k] == docs[0][k] for d in docs for k in keys)))
PYEOF
)
grep -q "4 layers read, 0 from the layer cache" "$TMP/warm1.err" && grep -q "0 layers read, 4 from the layer cache" "$TMP/warm2.err" \
  && [ "$same" = 1 ] && pass "rescan: all 4 layers from the cache, detections identical to an uncached scan" \
  || fail "rescan: $(grep 'layers read' "$TMP/warm1.err" "$TMP/warm2.err"), identical=$same"
grep -q "4 layers read, 0 from the layer cache" "$TMP/warm3.err" \
  && pass "a different secret config does not reuse cached detections" \
  || fail "secret config change: $(grep 'layers read' "$TMP/warm3.err")"

# Redaction: no secret value in any output format.
sort -u "$TMP/deleted-secret.txt" >"$TMP/tokens"
info "$(wc -l <"$TMP/tokens") raw secret values to look for"
for f in json sarif table; do
  scan "$TMP/red.$f" "$TMP/img.tar" -f "$f"
  [ "$RC" = 0 ] || { fail "$f: comb scan exited $RC"; continue; }
  leaks=$(grep -F -o -f "$TMP/tokens" "$TMP/red.$f" "$TMP/red.$f.stderr" | sort -u | head -5 || true)
  [ -z "$leaks" ] && pass "$f: no secret value in the output" || fail "$f: secret values printed: $leaks"
done
if $PY "$COMB_SRC/tests/tools/validate_schema.py" "$COMB_SRC/tests/schemas/sarif-schema-2.1.0.json" "$TMP/red.sarif" >"$TMP/v.out" 2>&1; then
  pass "SARIF with detections validates against the SARIF 2.1.0 schema"
else
  fail "SARIF invalid: $(head -c 400 "$TMP/v.out")"
fi

# ClamAV with a signature database written here (ClamAV's .ndb body-signature
# format) finds the EICAR test file planted in a layer of its own.
EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
mkdir -p "$TMP/clamdb"
printf 'Comb.Test.EICAR-Body:0:*:%s\n' "$(printf '%s' 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')" >"$TMP/clamdb/comb-test.ndb"
cat >"$TMP/eicar.json" <<JSON
{"images": [{"layers": [{"compression": "gzip", "entries": [
  {"path": "srv/download/eicar.com", "content": $(printf '%s' "$EICAR" | $PY -c 'import json,sys; print(json.dumps(sys.stdin.read()))')},
  {"path": "srv/download/readme.txt", "content": "nothing to see here\n"}]}]}]}
JSON
$PY "$COMB_SRC/tests/fixtures/mkimage.py" "$TMP/eicar.json" --docker "$TMP/eicar.tar" --oci "$TMP/eicar.oci" >/dev/null
scan "$TMP/eicar.out" "$TMP/eicar.tar" -f json --clamav-db "$TMP/clamdb"
if [ "$RC" = 0 ]; then
  got=$($PY "$CHECK" rows "$TMP/eicar.out" malware | grep -cE $'^Comb\\.Test\\.EICAR-Body(\\.UNOFFICIAL)?\tsrv/download/eicar\\.com\t0$' || true)
  other=$($PY "$CHECK" rows "$TMP/eicar.out" malware | grep -vc 'eicar.com' || true)
  [ "$got" = 1 ] && [ "$other" = 0 ] && pass "ClamAV (test's own .ndb) finds EICAR, nothing else" \
    || fail "ClamAV: EICAR findings $got, others $other: $($PY "$CHECK" rows "$TMP/eicar.out" malware | head -5)"
else
  fail "comb scan --clamav-db exited $RC: $(head -c 300 "$TMP/eicar.out.stderr")"
fi

# Clean images: no secret and no malware.
clean=("$COMB_SHARED/data/images/alpine-310.tar.gz" "$COMB_SHARED/data/images/alpine-311.tar.gz")
[ -e "$COMB_FIXTURES/debian12/docker-archive.tar" ] && clean+=("$COMB_FIXTURES/debian12/docker-archive.tar") \
  || fail "fixture debian12 missing (run tests/fixtures/build-fixtures.sh)"
for img in "${clean[@]}"; do
  scan "$TMP/clean.json" "$img" -f json
  [ "$RC" = 0 ] || { fail "$(basename "$img"): comb scan exited $RC"; continue; }
  s=$($PY "$CHECK" count "$TMP/clean.json" secret); m=$($PY "$CHECK" count "$TMP/clean.json" malware)
  [ "$s" = 0 ] && [ "$m" = 0 ] && pass "$(basename "$img"): clean, 0 secrets and 0 malware" \
    || { fail "$(basename "$img"): $s secrets, $m malware on a clean image"
         $PY "$CHECK" rows "$TMP/clean.json" secret | head; $PY "$CHECK" rows "$TMP/clean.json" malware | head; }
done
finish
