# Shared helpers for tests/integration/*.sh (sourced, not a test itself).
# Env (set by ctest): COMB COMB_SHARED COMB_SRC COMB_FIXTURES. Defaults allow running by hand.
set -euo pipefail
COMB_SRC=${COMB_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
COMB=${COMB:-$COMB_SRC/build-fix/comb}
COMB_SHARED=${COMB_SHARED:-$COMB_SRC/../shared}
COMB_FIXTURES=${COMB_FIXTURES:-$COMB_SRC/build/fixtures}
PY=/usr/bin/python3
SBOMTOOL="$COMB_SRC/tests/integration/lib/sbomtool.py"
TEST_NAME=$(basename "$0" .sh)
FAILURES=0

[ -x "$COMB" ] || { echo "FAIL: comb binary not found at $COMB" >&2; exit 1; }
TMP=$(mktemp -d "/tmp/comb-it-$TEST_NAME.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

info() { printf '  %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; FAILURES=$((FAILURES + 1)); }
pass() { printf 'ok:   %s\n' "$*"; }

need_fixture() {
  [ -e "$COMB_FIXTURES/$1" ] || { echo "FAIL: fixture $COMB_FIXTURES/$1 missing; run tests/fixtures/build-fixtures.sh $COMB_FIXTURES" >&2; exit 1; }
}

# run_sbom OUTJSON [comb args...] ; sets RC and ERR (stderr file). Never aborts the script.
run_sbom() {
  local out=$1; shift
  ERR="$out.stderr"
  set +e
  timeout 300 "$COMB" sbom --format json -o "$out" "$@" 2>"$ERR"
  RC=$?
  set -e
  if [ "$RC" -ne 0 ]; then
    info "comb sbom $* -> exit $RC: $(head -c 400 "$ERR")"
  elif ! $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$out" 2>/dev/null; then
    info "comb sbom $* -> exit 0 but $out is missing or not JSON (stdout/stderr: $(head -c 200 "$ERR"))"
    RC=100  # marker: "succeeded" without a JSON document
  fi
  return 0
}

# compare LABEL EXPECTED_FILE ACTUAL_FILE : sorted line sets must be equal; prints the difference.
compare() {
  local label=$1 exp=$2 act=$3
  LC_ALL=C sort -u "$exp" -o "$exp.s"; LC_ALL=C sort -u "$act" -o "$act.s"
  if cmp -s "$exp.s" "$act.s"; then
    pass "$label ($(wc -l <"$exp.s") entries)"
    return 0
  fi
  fail "$label: expected $(wc -l <"$exp.s") entries, comb reported $(wc -l <"$act.s")"
  LC_ALL=C comm -23 "$exp.s" "$act.s" | head -n 40 | sed 's/^/    missing (expected, not reported): /'
  LC_ALL=C comm -13 "$exp.s" "$act.s" | head -n 40 | sed 's/^/    extra (reported, not expected):   /'
  return 0
}

finish() {
  if [ "$FAILURES" -gt 0 ]; then
    echo "$TEST_NAME: $FAILURES check(s) FAILED"
    exit 1
  fi
  echo "$TEST_NAME: all checks passed"
}
