# Shared by server_api.sh and agent_spool.sh (sourced after common.bash):
# a TLS certificate for 127.0.0.1, free loopback ports, a comb server run in
# the background and stopped at exit.
SERVER_PIDS=()
server_cleanup() {
  for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap server_cleanup EXIT

# make_cert DIR: DIR/cert.pem and DIR/key.pem, self-signed for 127.0.0.1
make_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$1/key.pem" -out "$1/cert.pem" 2>/dev/null
}

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server NAME DATA PORT [comb server options...]: sets SERVER_PID
start_server() {
  local name=$1 data=$2 port=$3; shift 3
  "$COMB" server --data "$data" --listen "127.0.0.1:$port" "$@" 2>"$TMP/$name.err" &
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
  for _ in $(seq 100); do
    grep -q 'listening on' "$TMP/$name.err" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: comb server ($name) did not start: $(cat "$TMP/$name.err")"; exit 1
}

stop_server() { # PID
  kill "$1" && wait "$1" 2>/dev/null || true
}

# make_client_ca DIR NAME...: DIR/ca.pem (a CA for clients) and, for each
# NAME, DIR/NAME.crt and DIR/NAME.key signed by it; DIR/rogue.* is signed by
# another CA
make_client_ca() {
  local dir=$1; shift
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=comb-client-ca \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=rogue-ca \
    -keyout "$dir/rogue-ca.key" -out "$dir/rogue-ca.pem" 2>/dev/null
  local n ca
  for n in "$@" rogue; do
    ca=ca; [ "$n" = rogue ] && ca=rogue-ca
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$n" \
      -keyout "$dir/$n.key" -out "$dir/$n.csr" 2>/dev/null
    openssl x509 -req -in "$dir/$n.csr" -CA "$dir/$ca.pem" -CAkey "$dir/$ca.key" -CAcreateserial -days 2 \
      -extfile <(printf 'extendedKeyUsage=clientAuth\n') -out "$dir/$n.crt" 2>/dev/null
  done
}
