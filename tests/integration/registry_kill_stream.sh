#!/usr/bin/env bash
# Crash safety of comb registry serve under a stream of concurrent uploads: in each of 5 rounds,
# 4 writers push small images (chunked and monolithic uploads, then a tagged manifest) while the
# registry is killed with SIGKILL at a random moment; after every restart each push the registry
# acknowledged, in this round or an earlier one, still pulls back by tag with the same manifest
# digest and digest-correct blobs, and every file in the blob store hashes to its name.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/combreg.bash"
combreg_env
ROOT="$TMP/root"
LIB="$(dirname "$0")/lib"

verify_acked() { # every acknowledged push, read back; prints "pushes blobs", fails on any loss
  $PY - "http://$CREG" "$TMP"/acked.* <<'PYEOF'
import hashlib, json, sys, urllib.request
base, files = sys.argv[1], sys.argv[2:]
pushes = blobs = bad = 0
for f in (f for f in files if not f.endswith(".repo")):
    repo = open(f + ".repo").read().strip()
    for line in open(f):
        e = json.loads(line)
        r = urllib.request.Request(f"{base}/v2/{repo}/manifests/{e['tag']}",
                                   headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
        m = urllib.request.urlopen(r, timeout=10).read()
        if "sha256:" + hashlib.sha256(m).hexdigest() != e["digest"]:
            print(f"{repo}:{e['tag']}: manifest changed", file=sys.stderr); bad += 1
        for d in e["blobs"]:
            b = urllib.request.urlopen(f"{base}/v2/{repo}/blobs/{d}", timeout=10).read()
            if "sha256:" + hashlib.sha256(b).hexdigest() != d:
                print(f"{repo}: blob {d} corrupt", file=sys.stderr); bad += 1
            blobs += 1
        pushes += 1
print(pushes, blobs)
sys.exit(1 if bad else 0)
PYEOF
}

all_blobs_sound() {
  local f bad=0
  while IFS= read -r f; do
    [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || { info "corrupt: $f"; bad=1; }
  done < <(find "$ROOT/blobs" -type f 2>/dev/null)
  return $bad
}

total_before=0
for round in 1 2 3 4 5; do
  start_combreg "$ROOT"
  pids=()
  for w in 1 2 3 4; do
    f="$TMP/acked.r$round.w$w"; : >"$f"; echo "kill/r$round/w$w" >"$f.repo"
    $PY "$LIB/pushstream.py" "http://$CREG" "kill/r$round/w$w" "$f" 200 2>/dev/null &
    pids+=($!)
  done
  sleep "$(awk -v s=$RANDOM 'BEGIN{srand(s); printf "%.2f", 0.8 + rand() * 2.5}')"
  stop_combreg KILL
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  start_combreg "$ROOT"
  if out=$(verify_acked 2>"$TMP/verify.err"); then
    read -r n b <<<"$out"
    [ "$n" -gt "$total_before" ] && pass "round $round: killed mid-stream; all $n acknowledged pushes so far ($b blobs) read back digest-correct" ||
      fail "round $round: no push was acknowledged before the kill ($n)"
    total_before=$n
  else
    fail "round $round: an acknowledged push was lost or corrupt: $(head -c 600 "$TMP/verify.err")"
  fi
  all_blobs_sound && pass "round $round: every file in the blob store hashes to its name" || fail "round $round: corrupt blob files"
  stop_combreg
done
finish
