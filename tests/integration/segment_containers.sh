#!/usr/bin/env bash
# segment_containers.sh - workload identity of podman containers: a client
# container connects to a server container on podman's default network; the
# learner names both ends by container name (image recorded), and after the
# client container is replaced by a new one with the same name (new id, new
# network namespace, maybe a new address) the flow is the same flow: its
# count grows, no new group or flow appears. Needs root, podman with runc,
# busybox-static; fails (never skips) without them.
. "$(dirname "$0")/lib/common.bash"

[ "$(id -u)" = 0 ] || { echo "FAIL: needs root"; exit 1; }
[ -x /bin/busybox ] || { echo "FAIL: /bin/busybox missing (apt-get install busybox-static)"; exit 1; }
PODMAN=(podman --runtime runc)
RUNOPTS=(--ulimit nofile=1024:20000 --ulimit nproc=1024:1024)
IMAGE="localhost/comb-test/busybox:segment-$$"
SRV="comb-seg-db-$$" CLI="comb-seg-web-$$"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  "${PODMAN[@]}" rm -f "$SRV" "$CLI" >/dev/null 2>&1 || true
  podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$TMP/root/bin" "$TMP/root/etc"
cp /bin/busybox "$TMP/root/bin/"
for a in sh nc sleep; do ln -s busybox "$TMP/root/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$TMP/root/etc/passwd"
tar -C "$TMP/root" -c . | podman import - "$IMAGE" >/dev/null 2>&1 || { echo "FAIL: podman import"; exit 1; }

"$COMB" segment run --db "$TMP/seg.db" --duration 300 2>"$TMP/run.err" &
RUN=$!
PIDS+=($RUN)
for _ in $(seq 1 100); do grep -q ready "$TMP/run.err" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$TMP/run.err" || { echo "FAIL: learner not ready: $(cat "$TMP/run.err")"; exit 1; }

# the server answers up to 40 connections, then exits
"${PODMAN[@]}" run -d --name "$SRV" "${RUNOPTS[@]}" "$IMAGE" \
  sh -c 'i=0; while [ $i -lt 40 ]; do nc -l -p 5432 </dev/null >/dev/null; i=$((i+1)); done' >/dev/null
SRV_IP=$("${PODMAN[@]}" inspect -f '{{.NetworkSettings.IPAddress}}' "$SRV")
[ -n "$SRV_IP" ] || { echo "FAIL: server container has no address"; exit 1; }
client() { # three connections, then the container stays a moment (identity is read while it lives)
  "${PODMAN[@]}" rm -f "$CLI" >/dev/null 2>&1 || true
  "${PODMAN[@]}" run --name "$CLI" "${RUNOPTS[@]}" "$IMAGE" \
    sh -c "for i in 1 2 3; do nc -w 2 $SRV_IP 5432 </dev/null; sleep 0.3; done; sleep 2" >/dev/null 2>&1
}
flows() {
  "$COMB" segment graph --db "$TMP/seg.db" --format json >"$TMP/graph.json"
  "$PY" - "$TMP/graph.json" "$CLI" "$SRV" <<'PYEOF'
import json, sys
g = json.load(open(sys.argv[1])); cli, srv = sys.argv[2], sys.argv[3]
groups = {x["name"]: x for x in g["groups"]}
mine = [f for f in g["flows"] if f["src"] == cli]
print(len([n for n in groups if n in (cli, srv)]), len(mine),
      sum(f["count"] for f in mine if f["dst"] == srv and f["port"] == 5432 and f["proto"] == "tcp"),
      groups.get(cli, {}).get("kind"), groups.get(cli, {}).get("image"))
PYEOF
}
client
sleep 1.5
read -r ngroups nflows count kind image < <(flows)
info "first client: groups $ngroups, flows $nflows, count $count, kind $kind, image $image"
[ "$ngroups" = 2 ] && [ "$nflows" = 1 ] && [ "$count" -ge 3 ] && pass "client container -> server container learned by container name" || fail "first run: $(head -c 600 "$TMP/graph.json")"
[ "$kind" = container ] && [ "$image" = "$IMAGE" ] && pass "kind container, image recorded" || fail "kind/image: $kind $image"
old_id=$("${PODMAN[@]}" inspect -f '{{.Id}}' "$CLI")
client
new_id=$("${PODMAN[@]}" inspect -f '{{.Id}}' "$CLI")
sleep 1.5
read -r ngroups2 nflows2 count2 _ _ < <(flows)
info "second client ($old_id -> $new_id): groups $ngroups2, flows $nflows2, count $count2"
[ "$old_id" != "$new_id" ] && [ "$ngroups2" = 2 ] && [ "$nflows2" = 1 ] && [ "$count2" -ge $((count + 3)) ] \
  && pass "identity stable across restarts: same group, same flow, count grew" || fail "after restart: groups $ngroups2 flows $nflows2 count $count2"
kill -INT "$RUN"; wait "$RUN" || true
finish
