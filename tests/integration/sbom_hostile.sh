#!/usr/bin/env bash
# Hostile and malformed inputs (tests/fixtures/mkhostile.py, cases listed in hostile/cases.tsv):
# each must give a clear error (allowed exit code, exactly one "comb: error: " line naming the input)
# or a safe result (valid JSON, no more packages than the case allows) — never a signal, never a hang
# (timeout 120 s), never more than 1 GB of address space (prlimit --as), never a file outside the
# output, and never a change to the host files the fixtures point at.
. "$(dirname "$0")/lib/common.bash"
need_fixture hostile/cases.tsv
H="$COMB_FIXTURES/hostile"
ONLY=${1:-}   # optional: run only cases whose name matches this regex

hostsum() { sha256sum /etc/passwd /etc/shadow /var/lib/dpkg/status 2>/dev/null; }
markers() { ls -d /tmp/comb-hostile-escape-* /comb-hostile-escape-* /etc/comb-hostile-escape-* \
                  "$TMP"/comb-hostile-escape-* 2>/dev/null || true; }
rm -f /tmp/comb-hostile-escape-* /comb-hostile-escape-* 2>/dev/null || true
before=$(hostsum)

# An ASan build reserves terabytes of address space for its shadow memory and
# uses more memory: no --as limit there, and a looser RSS bound.
limit=(prlimit --as=1000000000 --); rss_max_kb=204800
if [ "$(nm "$COMB" 2>/dev/null | grep -c '__asan_init')" != 0 ]; then limit=(); rss_max_kb=819200; fi

while IFS=$'\t' read -r name target allowed max_pkgs args what; do
  [ -n "$name" ] || continue
  if [ -n "$ONLY" ] && ! [[ $name =~ $ONLY ]]; then continue; fi
  cwd="$TMP/cwd-$name"; mkdir -p "$cwd"
  extra=(); [ "$args" = "-" ] || read -r -a extra <<<"$args"
  t0=$(date +%s.%N)
  set +e
  ( cd "$cwd" && exec timeout -s KILL 120 /usr/bin/time -f '%M' -o "$TMP/$name.rss" \
      "${limit[@]}" \
      "$COMB" sbom --format json -o "$cwd/out.json" "${extra[@]}" "$H/$target" ) \
      >"$TMP/$name.stdout" 2>"$TMP/$name.stderr"
  rc=$?
  set -e
  # GNU time reports "Command exited with non-zero status N" first when the exit is non-zero
  rss_kb=$(tail -n1 "$TMP/$name.rss" 2>/dev/null | grep -E '^[0-9]+$' || echo 0)
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}')
  err1=$(grep -m1 '^comb: error: ' "$TMP/$name.stderr" || true)
  desc="$name [$what] exit $rc in ${secs}s, $((rss_kb / 1024)) MB"
  ok=1
  if [ "$rss_kb" -gt "$rss_max_kb" ]; then ok=0; fail "$desc: peak RSS above $((rss_max_kb / 1024)) MB"; fi
  if [ "$rc" -ge 124 ]; then
    ok=0; fail "$desc: $( [ "$rc" = 137 ] && echo 'killed by timeout (hang?) or SIGKILL' || echo 'killed by a signal / timeout' ); stderr: $(tail -c 300 "$TMP/$name.stderr")"
  elif ! [[ ",$allowed," == *",$rc,"* ]]; then
    ok=0; fail "$desc: exit code not in {$allowed}; stderr: $(head -c 300 "$TMP/$name.stderr")"
  fi
  if [ "$ok" = 1 ] && [ "$rc" != 0 ]; then
    base=$(basename "${target%%:*}")
    nerr=$(grep -c '^comb: error: ' "$TMP/$name.stderr" || true)
    other=$(grep -v -e '^comb: error: ' -e '^comb: warning: ' -e '^$' "$TMP/$name.stderr" | head -n 3 || true)
    if [ -z "$err1" ]; then ok=0; fail "$desc: no 'comb: error: ' line on stderr: $(head -c 300 "$TMP/$name.stderr")"
    elif [[ "$err1" != *"$base"* ]]; then ok=0; fail "$desc: error does not name the input ($base): $err1"
    elif [ "$nerr" != 1 ]; then ok=0; fail "$desc: $nerr error lines (want one)"
    elif [ -n "$other" ]; then ok=0; fail "$desc: stray stderr output: $other"
    fi
  fi
  if [ "$ok" = 1 ] && [ "$rc" = 0 ]; then
    if ! n=$($PY -c '
import json, sys
try:
    print(len(json.load(open(sys.argv[1]))["packages"]))
except Exception as e:
    print("%s: %s" % (type(e).__name__, e)); sys.exit(1)' "$cwd/out.json"); then
      ok=0; fail "$desc: exit 0 but no valid JSON with packages: $n"
    elif [ "$max_pkgs" != "-" ] && [ "$n" -gt "$max_pkgs" ]; then
      ok=0; fail "$desc: $n packages reported, at most $max_pkgs allowed (read outside the image?)"
      $PY "$SBOMTOOL" pkgs "$cwd/out.json" type,name,version,found_in | head -n 10 | sed 's/^/    /'
    fi
  fi
  left=$(cd "$cwd" && ls -A | grep -vx 'out.json' || true)
  [ -z "$left" ] || { ok=0; fail "$desc: files appeared in the working directory: $left"; }
  esc=$(markers)
  [ -z "$esc" ] || { ok=0; fail "$desc: file written outside the output: $esc"; rm -rf $esc; }
  if [ "$(hostsum)" != "$before" ]; then ok=0; fail "$desc: /etc/passwd, /etc/shadow or /var/lib/dpkg/status changed!"; fi
  [ "$ok" = 1 ] && pass "$desc${err1:+: $err1}"
  rm -rf "$cwd"
done <"$H/cases.tsv"

# usage errors: exit 2 with one "comb: error: " line
if [ -z "$ONLY" ]; then
  for args in "sbom" "sbom --format nope $H/empty.tar" "sbom --platform $H/empty.tar" "sbom --max-layer-size -5 $H/empty.tar" \
              "sbom --no-such-flag $H/empty.tar" "sbom $H/empty.tar $H/empty.tar"; do
    set +e
    # shellcheck disable=SC2086
    timeout 60 "$COMB" $args >"$TMP/usage.out" 2>"$TMP/usage.err"
    rc=$?
    set -e
    if [ "$rc" = 2 ] && grep -q '^comb: error: ' "$TMP/usage.err"; then pass "usage: comb ${args//$H\//} -> exit 2"
    else fail "usage: comb ${args//$H\//} -> exit $rc (want 2 and 'comb: error: '): $(head -c 200 "$TMP/usage.err")"; fi
  done
fi
finish
