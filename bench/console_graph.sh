#!/usr/bin/env bash
# bench/console_graph.sh - the web console's relationship graph at scale:
# comb server on loopback holds inventories of BENCH_NODES nodes (default 5)
# with BENCH_WORKLOADS containers in all (default 5,000) running 50 images,
# and each node's segmentation graph (every workload talks to the next
# BENCH_FLOWS_PER_WORKLOAD workloads of its node, default 2). Headless
# Chromium (playwright-core, Debian's chromium) opens the graph page
# BENCH_RUNS times (default 5); each run is timed from navigation start to
# the first frame after Cytoscape rendered the graph (fetch, layout and
# drawing included). Goal: under 2 s. Prints the runs, the renderer's
# main-thread CPU time, the median and its ratio to the goal; asserts
# nothing.
# env: COMB (default build/comb), BENCH_WORKLOADS, BENCH_NODES, BENCH_RUNS,
#      BENCH_FLOWS_PER_WORKLOAD.
# Needs web/node_modules (cd web && npm ci) and /usr/bin/chromium.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMB=${COMB:-$SRC/build/comb}
WORKLOADS=${BENCH_WORKLOADS:-5000}
NODES=${BENCH_NODES:-5}
RUNS=${BENCH_RUNS:-5}
FLOWS_PER=${BENCH_FLOWS_PER_WORKLOAD:-2}
GOAL_MS=2000
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/comb-bench-console.XXXXXX)
log() { printf 'bench/console_graph: %s\n' "$*" >&2; }
cleanup() {
  [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
[ -d "$SRC/web/node_modules/playwright-core" ] || { log "web/node_modules missing: cd web && npm ci"; exit 1; }
[ -x /usr/bin/chromium ] || { log "/usr/bin/chromium missing: apt-get install chromium"; exit 1; }

COMB_CONSOLE_OUT="$TMP/console" node "$SRC/web/build.mjs" >/dev/null
echo "bench-secret" | "$COMB" server useradd --data "$TMP/data" --role operator bench
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
"$COMB" server --data "$TMP/data" --listen "127.0.0.1:$PORT" --console "$TMP/console" --rate 10000 2>"$TMP/server.err" &
SPID=$!
for _ in $(seq 100); do grep -q 'listening on' "$TMP/server.err" && break; sleep 0.1; done
TOKEN=$(curl -s -u bench:bench-secret -X POST "$URL/api/v1/tokens" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# synthetic inventories and segmentation graphs, in the documents' real shapes
$PY - "$TMP" "$WORKLOADS" "$NODES" "$FLOWS_PER" <<'PYEOF'
import json, sys, hashlib
tmp, workloads, nodes, flows_per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
hexid = lambda s: hashlib.sha256(s.encode()).hexdigest()
images = [{"engine": "podman", "id": hexid("image%d" % i), "tags": ["localhost/app%d:1" % i], "created": "2026-11-01T00:00:00Z",
           "layers": 3, "scan": None} for i in range(50)]
per = -(-workloads // nodes)
for n in range(nodes):
    names = ["wl-%d-%d" % (n, i) for i in range(min(per, workloads - n * per))]
    containers = [{"engine": "podman", "id": hexid(name), "name": name,
                   "image": {"name": images[i % 50]["tags"][0], "id": images[i % 50]["id"]}, "state": "running",
                   "privileged": False, "ports": [], "processes": [], "relationships": None}
                  for i, name in enumerate(names)]
    inv = {"schema_version": 1, "tool": "comb bench", "collected": "2026-11-28T00:00:00Z",
           "host": {"hostname": "host-%d" % n, "os": "Debian GNU/Linux 12 (bookworm)", "kernel": "6.1", "arch": "x86_64",
                    "engines": ["podman"], "live": True, "root": "/"},
           "containers": containers, "images": images, "warnings": []}
    seg = {"groups": [{"name": name, "kind": "container", "mode": "learn"} for name in names],
           "flows": [{"src": names[i], "dst": names[(i + k) % len(names)], "proto": "tcp", "port": 8080 + k, "count": 1}
                     for i in range(len(names)) for k in range(1, flows_per + 1)]}
    json.dump(inv, open("%s/inv-%d.json" % (tmp, n), "w"))
    json.dump(seg, open("%s/seg-%d.json" % (tmp, n), "w"))
PYEOF
for n in $(seq 0 $((NODES - 1))); do
  for kind in inventory segmentation; do
    f="$TMP/inv-$n.json"; [ "$kind" = segmentation ] && f="$TMP/seg-$n.json"
    st=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" --data-binary "@$f" "$URL/api/v1/nodes/node-$n/$kind")
    [ "$st" = 201 ] || { log "posting $kind of node-$n: HTTP $st"; exit 1; }
  done
done
api_ms=$(curl -s -o "$TMP/graph.json" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/graph" |
  $PY -c 'import sys; print(round(float(sys.stdin.read()) * 1000))')
log "GET /api/v1/graph: $api_ms ms, $(stat -c %s "$TMP/graph.json") bytes"
log "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

out=$(BASE="$URL" USER=bench PASSWORD=bench-secret RUNS="$RUNS" COMB_WEB="$SRC/web" \
  node "$SRC/tests/integration/console/bench_graph.mjs")
$PY - "$out" "$GOAL_MS" <<'PYEOF'
import json, sys, statistics
r, goal = json.loads(sys.argv[1]), float(sys.argv[2])
med = statistics.median(r["times"])
print("console graph: %d workloads (%d nodes, %d edges drawn, %d of them flows on the flow layer; a click on an image draws its %d image -> container edges)" % (r["workloads"], r["nodes"], r["edges"], r["layerFlows"], r["imageEdgesOnClick"]))
print("  runs (ms, navigation start -> rendered): %s" % ", ".join("%.0f" % t for t in r["times"]))
for s in r["steps"]:
    print("    script start %.0f, data fetched %.0f, graph built %.0f, rendered %.0f; main-thread CPU %.0f ms" % (s["fetchStart"], s["loaded"], s["created"], s["rendered"], s["cpu"]))
print("  median %.0f ms; goal %.0f ms; ratio %.2f (%s)" % (med, goal, med / goal, "met" if med < goal else "NOT met"))
cpu = statistics.median(s["cpu"] for s in r["steps"])
print("  median main-thread CPU time %.0f ms; ratio %.2f (the wall time on an idle machine is close to it)" % (cpu, cpu / goal))
PYEOF
