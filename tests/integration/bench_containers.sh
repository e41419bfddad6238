#!/usr/bin/env bash
# bench_containers: two real podman containers on this machine, one hardened
# and one privileged with the host root mounted and extra capabilities.
# `comb bench containers` must find both in podman's default store (from
# their OCI config.json), flag every problem of the second and none of the
# first. The containers and the image are removed on exit.
source "$(dirname "$0")/lib/common.bash"
command -v podman >/dev/null || { echo "FAIL: podman not installed"; exit 1; }
TAG=$$-$RANDOM
IMG=localhost/comb-bench-test:$TAG
GOOD=comb-bench-hard-$TAG
BAD=comb-bench-priv-$TAG
STORE=$TMP/store   # a separate podman store, found only with --podman-root
OTHER=comb-bench-other-$TAG
pod2() { podman --root "$STORE/root" --runroot "$STORE/run" --storage-driver vfs "$@"; }
cleanup() {
  podman rm -f -t 0 "$GOOD" "$BAD" >/dev/null 2>&1 || true
  podman rmi -f "$IMG" >/dev/null 2>&1 || true
  pod2 rm -f -t 0 "$OTHER" >/dev/null 2>&1 || true
  pod2 rmi -f "$IMG" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# A tiny image made offline: /bin/sleep and the libraries it needs.
mkdir -p "$TMP/img/bin"
cp /bin/sleep "$TMP/img/bin/"
for lib in $(ldd /bin/sleep | grep -o '/[^ ]*'); do
  mkdir -p "$TMP/img$(dirname "$lib")"
  cp -L "$lib" "$TMP/img$lib"
done
tar -C "$TMP/img" -cf "$TMP/img.tar" .
podman import "$TMP/img.tar" "$IMG" >/dev/null 2>&1

RUN=(podman --runtime runc run -d --ulimit nofile=1024:20000 --ulimit nproc=1024:1024)
"${RUN[@]}" --name "$GOOD" --read-only --cap-drop=all --security-opt no-new-privileges \
  --memory 64m --cpus 0.5 --pids-limit 64 --user 1000:1000 "$IMG" /bin/sleep 600 >/dev/null
"${RUN[@]}" --name "$BAD" --privileged -v /:/host --cap-add SYS_ADMIN --cap-add NET_ADMIN \
  --pid host --net host --ipc host --uts host --pids-limit -1 "$IMG" /bin/sleep 600 >/dev/null
GOOD_ID=$(podman inspect -f '{{.Id}}' "$GOOD")
BAD_ID=$(podman inspect -f '{{.Id}}' "$BAD")

"$COMB" bench containers -f json -o "$TMP/out.json" 2>"$TMP/err" || fail "comb bench exited $?: $(head -c 300 "$TMP/err")"

$PY - "$TMP/out.json" "$GOOD" "$GOOD_ID" "$BAD" "$BAD_ID" <<'PY' || fail "results for the podman containers are wrong (see above)"
import json, sys
doc = json.load(open(sys.argv[1]))
good, good_id, bad, bad_id = sys.argv[2:6]
ok = True
def check(cond, msg):
    global ok
    if not cond:
        print("    " + msg)
        ok = False

# both found, from their own OCI runtime config, as running containers
found = {c["name"]: c for c in doc["containers"] if c["engine"] == "podman"}
for name, cid in ((good, good_id), (bad, bad_id)):
    c = found.get(name)
    check(c is not None, "container %s not found" % name)
    if c:
        check(c["id"] == cid, "%s: id %s, podman says %s" % (name, c["id"], cid))
        check(c["config"] == "/var/lib/containers/storage/overlay-containers/%s/userdata/config.json" % cid,
              "%s: read from %s" % (name, c["config"]))
        check(c["state"] == "running", "%s: state %s" % (name, c["state"]))

def statuses(name):
    return {r["id"]: (r["status"], r["reason"]) for r in doc["results"] if r["target"] == "podman/" + name}

g, b = statuses(good), statuses(bad)
# every problem of the privileged container, and nothing else
problems = {"ct-5.3", "ct-5.4", "ct-5.5", "ct-5.6", "ct-5.7", "ct-5.8", "ct-5.9", "ct-5.11",
            "ct-5.12", "ct-5.13", "ct-5.15", "ct-5.16", "ct-5.17", "ct-5.18", "ct-5.21"}
fails = {i for i, (s, _) in b.items() if s == "FAIL"}
check(fails == problems, "privileged container: FAIL on %s; expected %s" % (sorted(fails), sorted(problems)))
check("SYS_ADMIN" in b.get("ct-5.3", ("", ""))[1] and "NET_ADMIN" in b["ct-5.3"][1],
      "ct-5.3 evidence lacks the added capabilities: %s" % (b.get("ct-5.3"),))
check("/:/host" in b.get("ct-5.5", ("", ""))[1], "ct-5.5 evidence lacks /:/host: %s" % (b.get("ct-5.5"),))
# none for the hardened one, and the checks that matter did pass
check(not [i for i, (s, _) in g.items() if s in ("FAIL", "ERROR")],
      "hardened container has FAIL/ERROR: %s" % {i: v for i, v in g.items() if v[0] != "PASS"})
check(all(g.get(i, ("",))[0] == "PASS" for i in problems),
      "hardened container: not PASS on %s" % [i for i in problems if g.get(i, ("",))[0] != "PASS"])
print("    %s: %d FAIL; %s: %d PASS" % (bad, len(fails), good, sum(1 for s, _ in g.values() if s == "PASS")))
sys.exit(0 if ok else 1)
PY
[ "$FAILURES" -eq 0 ] && pass "hardened container clean, privileged container flagged on every problem"

# the image they run is found in podman's store: no USER, so it runs as root
"$COMB" bench images --check img-4.1 -f json -o "$TMP/images.json" 2>/dev/null
$PY - "$TMP/images.json" "$IMG" <<'PY' || fail "the test image was not found or not flagged"
import json, sys
r = [r for r in json.load(open(sys.argv[1]))["results"] if r["target"] == "image:podman/" + sys.argv[2]]
assert len(r) == 1 and r[0]["status"] == "FAIL", r
PY
[ "$FAILURES" -eq 0 ] && pass "the image in podman's store is checked (img-4.1 FAIL: no USER)"

# a container in another store: invisible by default, found with --podman-root
pod2 import "$TMP/img.tar" "$IMG" >/dev/null 2>&1
pod2 --runtime runc run -d --name "$OTHER" --ulimit nofile=1024:20000 --ulimit nproc=1024:1024 \
  --cap-add SYS_PTRACE "$IMG" /bin/sleep 600 >/dev/null
"$COMB" bench containers --check ct-5.3 -f json -o "$TMP/default.json" 2>/dev/null
"$COMB" bench containers --check ct-5.3 --podman-root "$STORE/root" -f json -o "$TMP/other.json" 2>/dev/null
$PY - "$TMP/default.json" "$TMP/other.json" "$OTHER" <<'PY' || fail "--podman-root did not find the container of the other store"
import json, sys
default, other, name = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
assert name not in [c["name"] for c in default["containers"]]
r = [r for r in other["results"] if r["target"] == "podman/" + name]
assert len(r) == 1 and r[0]["status"] == "FAIL" and "SYS_PTRACE" in r[0]["reason"], r
PY
[ "$FAILURES" -eq 0 ] && pass "--podman-root finds a container of another store (and only then)"

# --exit-code turns failed checks into the chosen status
set +e
"$COMB" bench containers --check 'ct-5.4' --exit-code 9 -o /dev/null 2>/dev/null; rc=$?
set -e
[ "$rc" -eq 9 ] && pass "--exit-code 9 with a privileged container" || fail "--exit-code: got $rc, want 9"
finish
