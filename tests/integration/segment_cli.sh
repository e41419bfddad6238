#!/usr/bin/env bash
# segment_cli.sh - `comb segment` command line: usage errors, exit codes,
# bad input named in one error line, import/graph/policy on a flow file
# (no root, no kernel: nothing is learned or applied here).
. "$(dirname "$0")/lib/common.bash"

DB="$TMP/seg.db"
expect_rc() { # WANT LABEL CMD...
  local want=$1 label=$2; shift 2
  set +e; "$@" >"$TMP/out" 2>"$TMP/err"; local rc=$?; set -e
  [ "$rc" = "$want" ] && pass "$label (exit $rc)" || fail "$label: exit $rc, want $want: $(head -c 300 "$TMP/err")"
}
expect_rc 2 "no subcommand" "$COMB" segment
expect_rc 0 "help" "$COMB" help segment
expect_rc 2 "unknown subcommand" "$COMB" segment frob
expect_rc 2 "unknown format" "$COMB" segment graph --db "$DB" --format xml
expect_rc 2 "unknown option" "$COMB" segment graph --db "$DB" --frob
expect_rc 2 "bad mode" "$COMB" segment mode sleepy --db "$DB"
expect_rc 2 "bad --family" "$COMB" segment policy --db "$DB" --family ip6
expect_rc 2 "--netns with --host" "$COMB" segment policy --db "$DB" --apply --netns x --host
expect_rc 2 "--apply without an enforcement point" "$COMB" segment policy --db "$DB" --apply
expect_rc 1 "rollback with nothing applied" "$COMB" segment policy --db "$DB" --rollback
expect_rc 1 "quarantine of an unknown workload" "$COMB" segment quarantine nosuch --db "$DB"
expect_rc 1 "import of a missing file" "$COMB" segment import --db "$DB" "$TMP/none.flows"
printf 'group web addr=10.1.0.1\nflow web db tcp/99999\n' >"$TMP/bad.flows"
expect_rc 1 "import of a bad flow file" "$COMB" segment import --db "$DB" "$TMP/bad.flows"
grep -q "bad.flows: line 2: bad PROTO/PORT" "$TMP/err" && pass "the error names the file and line" || fail "error text: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" = 1 ] && pass "one error line" || fail "several error lines"
printf 'group web kind=pod labels=app=web addr=10.1.0.1 mode=protect\ngroup db kind=pod labels=app=db addr=10.1.0.2\nflow web db tcp/5432 count=3\n' >"$TMP/ok.flows"
expect_rc 0 "import" "$COMB" segment import --db "$DB" "$TMP/ok.flows"
expect_rc 0 "graph json" "$COMB" segment graph --db "$DB" --format json
"$PY" -c 'import json,sys; g=json.load(open(sys.argv[1])); assert [(f["src"],f["dst"],f["port"],f["count"]) for f in g["flows"]] == [("web","db",5432,3)], g' "$TMP/out" \
  && pass "graph json has the imported flow" || fail "graph json: $(head -c 300 "$TMP/out")"
expect_rc 0 "policy nft" "$COMB" segment policy --db "$DB"
grep -q "10.1.0.1 . 10.1.0.2 . tcp . 5432" "$TMP/out" && pass "nft ruleset allows the flow" || fail "nft: $(head -c 300 "$TMP/out")"
expect_rc 0 "policy --diff with nothing applied" "$COMB" segment policy --db "$DB" --diff
grep -q "^+ 10.1.0.1 . 10.1.0.2 . tcp . 5432$" "$TMP/out" && pass "diff: everything is new" || fail "diff: $(head -c 300 "$TMP/out")"
expect_rc 0 "status" "$COMB" segment status --db "$DB"
grep -q "groups: 2 (learn 1, monitor 0, protect 1, quarantined 0)" "$TMP/out" && pass "status counts modes" || fail "status: $(cat "$TMP/out")"
expect_rc 2 "quarantine with a bad allowlist" "$COMB" segment quarantine web --allow 1.2.3 --db "$DB"
finish
