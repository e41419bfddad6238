# A PostgreSQL cluster of the test's own (sourced; used by server_api_pg.sh
# and bench/server.sh): initdb in a temporary directory owned by postgres,
# listening on 127.0.0.1 on a free port and on a socket in that directory,
# scram-sha-256 passwords over TCP, a role and a database for comb. Debian's
# own cluster (if the package started one) is never used. Needs root (the
# server runs as the postgres user) and Debian's postgresql package.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
PG_DIR=""

postgres_cleanup() {
  [ -n "$PG_DIR" ] || return 0
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}

# start_postgres: sets PG_PORT, PG_PASSWORD, PG_URL (postgresql://comb:PASS@127.0.0.1:PORT/comb)
# and PG_DIR; returns 1 with a message when it cannot.
start_postgres() {
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    echo "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (scripts/setup installs postgresql)"
    return 1
  fi
  [ "$(id -u)" = 0 ] || { echo "starting PostgreSQL needs root (it runs as the postgres user)"; return 1; }
  id postgres >/dev/null 2>&1 || { echo "no postgres user (the postgresql package creates it)"; return 1; }
  PG_DIR=$(mktemp -d /tmp/comb-pg.XXXXXX)
  chown postgres: "$PG_DIR"
  PG_PASSWORD=$(openssl rand -hex 16)
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 --locale=C \
    --auth-local=peer --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
    { echo "initdb failed: $(tail -n5 "$PG_DIR/initdb.log")"; return 1; }
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=200" start >/dev/null ||
    { echo "PostgreSQL did not start: $(tail -n5 "$PG_DIR/server.log")"; return 1; }
  pg_admin -c "CREATE ROLE comb LOGIN PASSWORD '$PG_PASSWORD'" -c "CREATE DATABASE comb OWNER comb" >/dev/null ||
    { echo "cannot create the comb role and database"; return 1; }
  PG_URL="postgresql://comb:$PG_PASSWORD@127.0.0.1:$PG_PORT/comb"
}

# pg_admin PSQL_ARGS...: psql as the cluster's superuser over its socket
pg_admin() {
  runuser -u postgres -- psql -X -q -h "$PG_DIR" -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 "$@"
}

# pg_query DB SQL: rows as unaligned text, as the comb role over TCP (password)
pg_query() {
  PGPASSWORD=$PG_PASSWORD psql -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U comb -d "$1" -v ON_ERROR_STOP=1 -c "$2"
}
