#!/usr/bin/env bash
# bench/admission.sh - latency of `comb admission serve` on loopback: a
# bounded client (Python, one keep-alive HTTPS connection per worker) posts
# recorded AdmissionReview requests and prints p50/p90/p99/max per request
# kind, sequentially and with 4 concurrent workers. Numbers only, no
# assertions. Usage: bench/admission.sh [COMB] [REQUESTS] (default 2000)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMB=${1:-$ROOT/build/comb}
N=${2:-2000}
DATA="$ROOT/tests/data/admission"
TMP=$(mktemp -d /tmp/comb-bench-admission.XXXXXX)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$TMP"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$TMP/k" -out "$TMP/c" 2>/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$COMB" admission serve --tls-cert "$TMP/c" --tls-key "$TMP/k" --listen "127.0.0.1:$PORT" \
  --policy "$DATA/webhook-policy.yaml" 2>/dev/null &
SERVER=$!
for _ in $(seq 1 100); do curl -sf --cacert "$TMP/c" "https://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "comb admission serve: $("$COMB" --version), $(nproc) CPUs, $N requests per run"
python3 - "$PORT" "$TMP/c" "$N" "$DATA/reviews" <<'PYEOF'
import http.client, os, ssl, sys, threading, time
port, ca, n, d = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
bodies = {f[:-5]: open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d))}
def run(body, count, out):
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    for _ in range(count):
        t = time.perf_counter()
        c.request("POST", "/validate", body, {"Content-Type": "application/json"})
        r = c.getresponse(); r.read()
        out.append((time.perf_counter() - t) * 1000)
        assert r.status == 200
    c.close()
def pct(v, p): return v[min(len(v) - 1, int(len(v) * p))]
print(f"{'request':34s} {'workers':>7s} {'p50 ms':>8s} {'p90 ms':>8s} {'p99 ms':>8s} {'max ms':>8s} {'req/s':>8s}")
for name, body in bodies.items():
    for workers in (1, 4):
        lat = []; per = max(1, n // workers)
        ts = [threading.Thread(target=run, args=(body, per, lat)) for _ in range(workers)]
        t0 = time.perf_counter(); [t.start() for t in ts]; [t.join() for t in ts]
        wall = time.perf_counter() - t0
        lat.sort()
        print(f"{name:34s} {workers:7d} {pct(lat, .5):8.3f} {pct(lat, .9):8.3f} {pct(lat, .99):8.3f} {lat[-1]:8.3f} {len(lat) / wall:8.0f}")
PYEOF
