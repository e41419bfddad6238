#!/bin/bash
# comb server on PostgreSQL: a real cluster started by the test (initdb in a
# temporary directory, scram-sha-256 passwords on 127.0.0.1), the whole
# server_api.sh suite run against it, then two servers (replicas) started at
# the same moment on one empty database: the migrations are applied once and
# the schema_migrations versions equal SQLite's; a record posted to one is
# read from the other, a token issued by one is accepted by the other, a
# record resent to both at once is stored once; connection errors name the
# database and never show its password; after PostgreSQL restarts, both
# replicas go on storing without an error. Fails (does not skip) without the
# PostgreSQL binaries.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/server.bash"
source "$(dirname "$0")/lib/postgres.bash"
trap 'server_cleanup; postgres_cleanup' EXIT
trap 'exit 1' INT TERM   # a test stopped from outside still stops its cluster

start_postgres >"$TMP/pg.err" 2>&1 || { echo "FAIL: $(cat "$TMP/pg.err")"; exit 1; }
pass "a PostgreSQL cluster of the test's own on 127.0.0.1:$PG_PORT ($("$PG_BIN/postgres" --version))"

# 1. the same API suite, on PostgreSQL
set +e
COMB_TEST_DB=$PG_URL bash "$COMB_SRC/tests/integration/server_api.sh" >"$TMP/suite.out" 2>&1
rc=$?
set -e
sed 's/^/    /' "$TMP/suite.out" | grep -E 'FAIL|store:' || true
[ "$rc" = 0 ] && pass "server_api.sh passes on PostgreSQL ($(grep -c '^ok:' "$TMP/suite.out") checks)" ||
  { fail "server_api.sh on PostgreSQL: exit $rc"; tail -n 30 "$TMP/suite.out"; }

# 2. two replicas on one empty database, started together
pg_admin -c "CREATE DATABASE replicas OWNER comb" >/dev/null
URL2="postgresql://comb:$PG_PASSWORD@127.0.0.1:$PG_PORT/replicas"
CONNINFO2="host=127.0.0.1 port=$PG_PORT dbname=replicas user=comb"   # password from PGPASSWORD
PA=$(free_port); PB=$(free_port)
"$COMB" server --db "$URL2" --listen "127.0.0.1:$PA" --rate 1000 2>"$TMP/a.err" & A=$!
PGPASSWORD=$PG_PASSWORD "$COMB" server --db "$CONNINFO2" --listen "127.0.0.1:$PB" --rate 1000 2>"$TMP/b.err" & B=$!
SERVER_PIDS+=("$A" "$B")
for _ in $(seq 100); do
  grep -q 'listening on' "$TMP/a.err" && grep -q 'listening on' "$TMP/b.err" && break
  sleep 0.1
done
if grep -q 'listening on' "$TMP/a.err" && grep -q 'listening on' "$TMP/b.err"; then
  pass "two replicas started at once on one empty database both serve"
else
  fail "replicas: A: $(cat "$TMP/a.err") B: $(cat "$TMP/b.err")"
fi
grep -q "$PG_PASSWORD" "$TMP/a.err" "$TMP/b.err" && fail "a server's log shows the database password" ||
  pass "the logs name the database without its password ($(grep -o 'PostgreSQL [^,]*' "$TMP/a.err"))"
pg=$(pg_query replicas 'SELECT version FROM schema_migrations ORDER BY version' | tr '\n' ' ')
echo | "$COMB" server useradd --data "$TMP/sqlite" --role viewer nobody >/dev/null 2>&1 || true # creates server.db
sq=$($PY -c 'import sqlite3, sys; [print(r[0]) for r in sqlite3.connect(sys.argv[1]).execute("SELECT version FROM schema_migrations ORDER BY version")]' "$TMP/sqlite/server.db" | tr '\n' ' ')
[ -n "$pg" ] && [ "$pg" = "$sq" ] && pass "schema_migrations: each version once, as on SQLite ($pg)" ||
  fail "schema_migrations: PostgreSQL '$pg', SQLite '$sq'"
tables=$(pg_query replicas "SELECT string_agg(table_name, ' ' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'")
sqt=$($PY -c 'import sqlite3, sys; print(" ".join(sorted(r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT name FROM sqlite_master WHERE type = '"'table'"' AND name NOT LIKE '"'sqlite_%'"'"))))' "$TMP/sqlite/server.db")
[ "$tables" = "$sqt" ] && pass "the same tables on both ($tables)" || fail "tables: PostgreSQL '$tables', SQLite '$sqt'"

echo "pw-agent-secret" | "$COMB" server useradd --db "$URL2" --role operator agent ||
  fail "useradd --db"
token() { curl -s -u agent:pw-agent-secret -X POST "http://127.0.0.1:$1/api/v1/tokens" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
TA=$(token "$PA"); TB=$(token "$PB")
get() { curl -s -H "Authorization: Bearer $2" "http://127.0.0.1:$1$3"; }
post() { # PORT TOKEN RID BODY
  curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $2" -H "X-Comb-Record-Id: $3" \
    -H 'Content-Type: application/x-ndjson' --data-binary "$4" "http://127.0.0.1:$1/api/v1/nodes/node-r/alert"
}
st=$(post "$PA" "$TA" rec-a '{"rule":"Posted to A","priority":"Notice"}')
got=$(get "$PB" "$TB" /api/v1/nodes/node-r/alert | $PY -c 'import json,sys; print(",".join(r["body"]["rule"] for r in json.load(sys.stdin)))')
[ "$st" = 201 ] && [ "$got" = "Posted to A" ] && pass "a record posted to replica A is read from replica B" ||
  fail "cross-replica read: post $st, B read '$got'"
n=$(get "$PA" "$TB" /api/v1/nodes | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null || echo error)
[ "$n" = 1 ] && pass "a token issued by replica B is accepted by replica A" || fail "B's token on A: $n"
# the same record id sent to both replicas at once, many times: stored once
posters=()
for i in $(seq 8); do
  post "$PA" "$TA" rec-twice '{"rule":"Sent twice","priority":"Notice"}' >"$TMP/ra.$i" & posters+=($!)
  post "$PB" "$TB" rec-twice '{"rule":"Sent twice","priority":"Notice"}' >"$TMP/rb.$i" & posters+=($!)
done
wait "${posters[@]}" || true
wait_codes=$(cat "$TMP"/ra.* "$TMP"/rb.* | sort | uniq -c | xargs)
cnt=$(pg_query replicas "SELECT COUNT(*) FROM records WHERE rid = 'rec-twice.0'")
[ "$cnt" = 1 ] && pass "a record sent 16 times at once to two replicas is stored once (answers: $wait_codes)" ||
  fail "rec-twice stored $cnt times (answers: $wait_codes)"

# 3. PostgreSQL restarts (as in a fail-over): every pooled connection of
# both replicas is stale, and each is replaced on its next use
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w restart >/dev/null
codes=$(for i in $(seq 20); do post "$PA" "$TA" "after-restart-a$i" '{"rule":"After restart"}'; post "$PB" "$TB" "after-restart-b$i" '{"rule":"After restart"}'; done | sort | uniq -c | xargs)
cnt=$(pg_query replicas "SELECT COUNT(*) FROM records WHERE rid LIKE 'after-restart-%'")
[ "$codes" = "40 201" ] && [ "$cnt" = 40 ] && pass "after PostgreSQL restarts both replicas store again at once (40 records)" ||
  fail "after a restart: answers $codes, $cnt stored"

# 4. errors name the database, never the password
set +e
"$COMB" server --db "postgresql://comb:wrong-$PG_PASSWORD@127.0.0.1:$PG_PORT/replicas" --listen 127.0.0.1:1 2>"$TMP/bad.err"
rc=$?
set -e
msg=$(cat "$TMP/bad.err")
if [ "$rc" = 1 ] && grep -q "postgresql://comb@127.0.0.1:$PG_PORT/replicas" <<<"$msg" && ! grep -q "$PG_PASSWORD" <<<"$msg"; then
  pass "a wrong password: exit 1, the error names the database only ($msg)"
else
  fail "wrong password: exit $rc: $msg"
fi
set +e
"$COMB" server --db "host=127.0.0.1 port= = x" --listen 127.0.0.1:1 2>"$TMP/bad2.err"; rc=$?
set -e
[ "$rc" = 2 ] || [ "$rc" = 1 ] && grep -q 'PostgreSQL' "$TMP/bad2.err" && pass "a malformed conninfo is refused ($(cat "$TMP/bad2.err"))" ||
  fail "malformed conninfo: exit $rc: $(cat "$TMP/bad2.err")"
finish
