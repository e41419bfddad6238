#!/usr/bin/env bash
# bench/segment.sh - `comb segment` at scale, side by side:
#   graph   a synthetic graph of BENCH_WORKLOADS workloads (default 10,000)
#           and BENCH_FLOWS flows (default 100,000), all in protect mode:
#           times learning (ingest into the store: `comb segment import`),
#           policy generation (nftables and NetworkPolicy), and the nftables
#           apply (one transaction, in a network namespace this script
#           creates), with comb's peak memory for each;
#   iperf3  TCP throughput between two namespaces over veth through a
#           bridge, without rules and through the enforced ruleset (the full
#           100,000-element allow set), BENCH_ROUNDS rounds of
#           BENCH_IPERF_SECONDS each, interleaved; the median ratio.
# Goals: generation and apply each under 1 s, memory under 200 MB, throughput
# at least 95% of no rules. Prints numbers and ratios; asserts nothing.
# env: COMB (default build/comb), BENCH_WORKLOADS, BENCH_FLOWS,
#      BENCH_IPERF_SECONDS (5), BENCH_ROUNDS (3). Needs root, iperf3.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMB=${COMB:-$SRC/build/comb}
WORKLOADS=${BENCH_WORKLOADS:-10000}
FLOWS=${BENCH_FLOWS:-100000}
IPERF_SECONDS=${BENCH_IPERF_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/comb-bench-segment.XXXXXX)
ID=$(( $$ % 100000 ))
SW="bs$ID-sw" CL="bs$ID-c" SV="bs$ID-s"
log() { printf 'bench/segment: %s\n' "$*" >&2; }
cleanup() {
  [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null || true
  for n in "$CL" "$SV" "$SW"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "bench/segment.sh: needs root" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "bench/segment.sh: iperf3 missing (apt-get install iperf3)" >&2; exit 1; }

# timed LABEL CMD... : "seconds peak_rss_kb cpu_seconds" of one run into $TMP/LABEL.res
# (CPU = user + system: wall time on a shared machine includes waiting)
timed() {
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M %U %S' -o "$TMP/$label.rss" "$@" >"$TMP/$label.out" 2>"$TMP/$label.err" ||
    { echo "bench/segment.sh: $label failed: $(tail -n 3 "$TMP/$label.err")" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}') $(tail -n1 "$TMP/$label.rss" | awk '{printf "%d %.2f", $1, $2 + $3}')" >"$TMP/$label.res"
}

# ---- the synthetic graph: workload i has 10.100.x.y; flow 0 is the iperf3 pair
log "generating $WORKLOADS workloads, $FLOWS flows"
"$PY" - "$WORKLOADS" "$FLOWS" >"$TMP/graph.flows" <<'PYEOF'
import random, sys
n, m = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(8)
print("# synthetic graph for bench/segment.sh")
for i in range(n):
    print(f"group w{i} kind=pod ns=bench labels=app=w{i},tier=t{i % 7} addr=10.100.{i // 250}.{i % 250 + 1} mode=protect")
seen = {(0, 1, "tcp", 5201)}
print("flow w0 w1 tcp/5201 count=1")
ports = [80, 443, 5432, 6379, 8080, 9090, 3306, 27017, 53, 11211] + list(range(20000, 20040))
while len(seen) < m:
    s, d = rnd.randrange(n), rnd.randrange(n)
    if s == d:
        continue
    proto = "udp" if rnd.random() < 0.1 else "tcp"
    k = (s, d, proto, rnd.choice(ports))
    if k in seen:
        continue
    seen.add(k)
    print(f"flow w{s} w{d} {proto}/{k[3]} count={rnd.randrange(1, 1000)}")
PYEOF

# ---- namespaces: client 10.100.0.1 (w0), server 10.100.0.2 (w1) on a bridge
ip netns add "$SW"; ip netns add "$CL"; ip netns add "$SV"
ip -n "$SW" link add br0 type bridge; ip -n "$SW" link set br0 up
i=0
for pair in "$CL:10.100.0.1" "$SV:10.100.0.2"; do
  ns=${pair%%:*} ip=${pair#*:}; i=$((i + 1))
  ip link add "bs${ID}a$i" type veth peer name "bs${ID}b$i"
  ip link set "bs${ID}a$i" netns "$ns"; ip link set "bs${ID}b$i" netns "$SW"
  ip -n "$ns" addr add "$ip/16" dev "bs${ID}a$i"; ip -n "$ns" link set "bs${ID}a$i" up
  ip -n "$SW" link set "bs${ID}b$i" master br0; ip -n "$SW" link set "bs${ID}b$i" up
done

DB="$TMP/segment.db"
timed learn "$COMB" segment import --db "$DB" "$TMP/graph.flows"
timed load "$COMB" segment status --db "$DB"
timed gen_nft "$COMB" segment policy --db "$DB" --format nft -o "$TMP/ruleset.nft"
timed gen_k8s "$COMB" segment policy --db "$DB" --format k8s -o "$TMP/policies.yaml"
timed apply "$COMB" segment policy --db "$DB" --apply --netns "$SW"
"$COMB" segment mode monitor $(seq -f 'w%g' 5000 5099) --db "$DB" 2>/dev/null  # 100 groups change
"$COMB" segment mode protect $(seq -f 'w%g' 5000 5099) --db "$DB" 2>/dev/null
timed reapply "$COMB" segment quarantine w4000 --db "$DB"
timed diff "$COMB" segment policy --db "$DB" --diff -o "$TMP/diff.txt"
elements=$(ip netns exec "$SW" nft list set bridge comb_segment allow | grep -o ' \. tcp \. \| \. udp \. ' | wc -l)
rules=$(ip netns exec "$SW" nft -a list chain bridge comb_segment filter | grep -c 'handle' || true)

read -r t_learn m_learn c_learn <"$TMP/learn.res"; read -r t_load m_load c_load <"$TMP/load.res"
read -r t_nft m_nft c_nft <"$TMP/gen_nft.res"; read -r t_k8s m_k8s c_k8s <"$TMP/gen_k8s.res"
read -r t_apply m_apply c_apply <"$TMP/apply.res"; read -r t_re m_re c_re <"$TMP/reapply.res"
read -r t_diff m_diff c_diff <"$TMP/diff.res"
sub() { awk -v a="$1" -v b="$2" 'BEGIN{d = a - b; if (d < 0) d = 0; printf "%.3f", d}'; }
printf '\n== graph: %s workloads, %s flows (allow set: %s elements, chain: %s rules)\n' \
  "$WORKLOADS" "$FLOWS" "$elements" "$rules"
printf '%-44s %9s %9s %12s\n' "step" "wall s" "CPU s" "peak RSS MB"
row() { printf '%-44s %9s %9s %12s\n' "$1" "$2" "$3" "$(awk -v k="$4" 'BEGIN{printf "%.1f", k / 1024}')"; }
row "learn: ingest into the store (import)" "$t_learn" "$c_learn" "$m_learn"
row "load the store (status)" "$t_load" "$c_load" "$m_load"
row "generate nftables (incl. load)" "$t_nft" "$c_nft" "$m_nft"
row "  generation alone (minus load)" "$(sub "$t_nft" "$t_load")" "$(sub "$c_nft" "$c_load")" "$m_nft"
row "generate NetworkPolicies (incl. load)" "$t_k8s" "$c_k8s" "$m_k8s"
row "  generation alone (minus load)" "$(sub "$t_k8s" "$t_load")" "$(sub "$c_k8s" "$c_load")" "$m_k8s"
row "apply, first (load+generate+transactions)" "$t_apply" "$c_apply" "$m_apply"
row "  apply alone (minus load+generate)" "$(sub "$t_apply" "$t_nft")" "$(sub "$c_apply" "$c_nft")" "$m_apply"
row "re-apply after a quarantine (load+gen+delta)" "$t_re" "$c_re" "$m_re"
row "  apply alone (minus load+generate)" "$(sub "$t_re" "$t_nft")" "$(sub "$c_re" "$c_nft")" "$m_re"
row "diff against the applied version" "$t_diff" "$c_diff" "$m_diff"
echo "goals: generation < 1 s, apply < 1 s, memory < 200 MB"

# ---- iperf3 through the bridge: no rules vs the enforced ruleset
ip netns exec "$SV" iperf3 -s -D -1 >/dev/null 2>&1 || true
rate() { # -> bits per second received
  ip netns exec "$SV" timeout $((IPERF_SECONDS + 20)) iperf3 -s -1 >/dev/null 2>&1 &
  SPID=$!
  sleep 0.5
  ip netns exec "$CL" timeout $((IPERF_SECONDS + 15)) iperf3 -c 10.100.0.2 -t "$IPERF_SECONDS" -J >"$TMP/iperf.json" 2>/dev/null || true
  wait "$SPID" 2>/dev/null || true
  SPID=
  "$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$TMP/iperf.json" 2>/dev/null || echo 0
}
: >"$TMP/none.bps"; : >"$TMP/rules.bps"
ruleset_saved=$(ip netns exec "$SW" nft list table bridge comb_segment)
for r in $(seq 1 "$ROUNDS"); do
  ip netns exec "$SW" nft delete table bridge comb_segment
  rate >>"$TMP/none.bps"
  printf '%s\n' "$ruleset_saved" | ip netns exec "$SW" nft -f -
  rate >>"$TMP/rules.bps"
  log "iperf3 round $r: no rules $(tail -n1 "$TMP/none.bps") bit/s, rules $(tail -n1 "$TMP/rules.bps") bit/s"
done
"$PY" - "$TMP/none.bps" "$TMP/rules.bps" <<'PYEOF'
import statistics, sys
a = [int(x) for x in open(sys.argv[1]) if x.strip()]
b = [int(x) for x in open(sys.argv[2]) if x.strip()]
ma, mb = statistics.median(a), statistics.median(b)
print("\n== iperf3 over veth through the bridge (median of %d rounds)" % len(a))
print("%-30s %12s" % ("path", "Gbit/s"))
print("%-30s %12.2f" % ("no rules", ma / 1e9))
print("%-30s %12.2f" % ("enforced ruleset", mb / 1e9))
print("ratio enforced / no rules: %.3f (goal >= 0.95)" % (mb / ma if ma else 0))
PYEOF
