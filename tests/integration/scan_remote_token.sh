#!/usr/bin/env bash
# Bearer token auth, rate limiting and mirrors, with a python front (lib/fakereg.py) before Debian's
# docker-registry: the token flow (WWW-Authenticate realm/service/scope -> /token with Basic
# credentials -> Bearer), 401 without credentials, 429 answers retried (Retry-After honoured) and,
# when they do not stop, reported clearly with a non-zero exit.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/registry.bash"
need_fixture debian12/oci
D="$COMB_FIXTURES/debian12"
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/cache"
unset REGISTRY_AUTH_FILE DOCKER_CONFIG XDG_RUNTIME_DIR
mkdir -p "$HOME"

start_registry
push "oci:$D/oci:bookworm" "$REG/debian:12"
run_sbom "$TMP/local.json" "$D/oci:bookworm"
pkgs "$TMP/local.json" >"$TMP/local.tsv"

start_fakereg tok --upstream "http://$REG" --bearer tester:s3cret --log "$TMP/tok.log"
# without credentials: the token server refuses, exit 7
run_sbom "$TMP/anon.json" --insecure "$FAKE_tok/debian:12"
[ "$RC" -eq 7 ] && [ ! -s "$TMP/anon.json" ] && pass "token auth without credentials: exit 7 ($(head -c 150 "$ERR"))" || fail "anonymous: exit $RC $(cat "$ERR")"
# with credentials
set +e; echo s3cret | timeout 300 "$COMB" sbom -f json -o "$TMP/tok.json" --insecure --username tester --password-stdin "$FAKE_tok/debian:12" 2>"$TMP/tok.err"; RC=$?; set -e
if [ "$RC" -eq 0 ]; then
  pkgs "$TMP/tok.json" >"$TMP/tok.tsv"
  compare "Bearer token flow: packages equal the layout's" "$TMP/local.tsv" "$TMP/tok.tsv"
  grep -q "^GET /token?service=fakereg&scope=repository%3Adebian%3Apull 200" "$TMP/tok.log" && pass "token requested with service and scope from the challenge" || fail "no token request in $(cat "$TMP/tok.log")"
else fail "Bearer with credentials: exit $RC $(cat "$TMP/tok.err")"; fi

# 429 twice, then the registry answers: retried, success
start_fakereg thr --upstream "http://$REG" --throttle 2 --log "$TMP/thr.log"
start_time=$(date +%s)
run_sbom "$TMP/thr.json" --insecure "$FAKE_thr/debian:12"
took=$(( $(date +%s) - start_time ))
n429=$(grep -c ' 429$' "$TMP/thr.log" || true)
if [ "$RC" -eq 0 ] && [ "$n429" -eq 2 ]; then
  pkgs "$TMP/thr.json" >"$TMP/thr.tsv"
  compare "after two 429 answers (retried in ${took}s, Retry-After: 1): packages" "$TMP/local.tsv" "$TMP/thr.tsv"
  [ "$took" -ge 2 ] && pass "Retry-After honoured (${took}s)" || fail "retried after ${took}s, Retry-After says 1s each"
else fail "throttled twice: exit $RC, $n429 x 429: $(cat "$ERR")"; fi

# 429 for ever: reported after the retries, exit 1, no output
start_fakereg lim --upstream "http://$REG" --throttle 1000 --log "$TMP/lim.log"
run_sbom "$TMP/lim.json" --insecure "$FAKE_lim/debian:12"
n429=$(grep -c ' 429$' "$TMP/lim.log" || true)
[ "$RC" -eq 1 ] && grep -q "Too Many Requests" "$ERR" && grep -q "after 4 attempts" "$ERR" && [ ! -s "$TMP/lim.json" ] &&
  pass "rate limited for ever: exit 1 after $n429 attempts: $(head -c 220 "$ERR")" || fail "rate limited: exit $RC, $n429 x 429: $(cat "$ERR")"
# mirrors: tried first; the registry itself when the mirror fails
start_fakereg mir --upstream "http://$REG" --log "$TMP/mir.log"
run_sbom "$TMP/mir.json" --insecure --registry-mirror "127.0.0.1:9=$FAKE_mir" "127.0.0.1:9/debian:12"
pkgs "$TMP/mir.json" >"$TMP/mir.tsv" 2>/dev/null || true
[ "$RC" -eq 0 ] && grep -q "^GET /v2/debian/manifests/12 200" "$TMP/mir.log" && cmp -s <(sort "$TMP/local.tsv") <(sort "$TMP/mir.tsv") &&
  pass "--registry-mirror: pulled through the mirror (origin 127.0.0.1:9 unreachable)" || fail "mirror: exit $RC $(cat "$ERR")"
COMB_REGISTRY_MIRRORS="$REG=127.0.0.1:9" run_sbom "$TMP/mir2.json" --insecure "$REG/debian:12"
[ "$RC" -eq 0 ] && pass "\$COMB_REGISTRY_MIRRORS: a dead mirror falls back to the registry" || fail "mirror fallback: exit $RC $(cat "$ERR")"
finish
