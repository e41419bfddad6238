#!/usr/bin/env bash
# Crash safety and garbage collection of comb registry serve: SIGKILL during a chunked upload leaves
# no visible or partial blob, every stored blob hashes to its name, and the upload resumes after a
# restart from the offset the server reports; `comb registry gc` removes unreferenced blobs only;
# the collector running every second during concurrent skopeo pushes keeps every referenced blob.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/combreg.bash"
combreg_env
ROOT="$TMP/root"

all_blobs_sound() { # every file under blobs/ hashes to its name
  local f bad=0
  while IFS= read -r f; do
    [ "sha256:$(sha256sum "$f" | cut -d' ' -f1)" = "sha256:$(basename "$f")" ] || { info "corrupt: $f"; bad=1; }
  done < <(find "$ROOT/blobs" -type f)
  return $bad
}

# 1. kill -9 in the middle of a chunk
start_combreg "$ROOT"
head -c $((24 * 1024 * 1024)) /dev/urandom >"$TMP/big"
dig="sha256:$(sha256sum "$TMP/big" | cut -d' ' -f1)"
loc=$(curl -s -D - -o /dev/null -X POST "http://$CREG/v2/crash/app/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //Ip')
curl -s -o /dev/null -X PATCH -H 'Content-Type: application/octet-stream' -H "Content-Range: 0-$((24 * 1024 * 1024 - 1))" \
  --limit-rate 4M --data-binary @"$TMP/big" "http://$CREG$loc" &
cpid=$!
sleep 1.5
stop_combreg KILL
wait "$cpid" 2>/dev/null || true
[ ! -e "$ROOT/blobs/sha256/${dig:7:2}/${dig:7}" ] && pass "after SIGKILL mid-upload: no blob file for the digest" || fail "a blob appeared for an unfinished upload"
start_combreg "$ROOT"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://$CREG/v2/crash/app/blobs/$dig")
[ "$code" = 404 ] && pass "after restart: the blob is not visible (404)" || fail "unfinished blob visible: $code"
range=$(curl -s -D - -o /dev/null "http://$CREG$loc" | tr -d '\r' | sed -n 's/^Range: //Ip')
have=$(( ${range#0-} + 1 ))
[ "$have" -gt 0 ] && [ "$have" -lt $((24 * 1024 * 1024)) ] && pass "upload status after restart: $have bytes kept (Range $range)" || fail "upload status: '$range'"
# resume from where the server says
tail -c +$((have + 1)) "$TMP/big" >"$TMP/rest"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H 'Content-Type: application/octet-stream' \
  -H "Content-Range: $have-$((24 * 1024 * 1024 - 1))" --data-binary @"$TMP/rest" "http://$CREG$loc")
code2=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "http://$CREG$loc?digest=$dig")
[ "$code" = 202 ] && [ "$code2" = 201 ] && pass "resumed upload completes: PATCH 202, PUT 201" || fail "resume: PATCH $code PUT $code2"
curl -s "http://$CREG/v2/crash/app/blobs/$dig" | cmp -s - "$TMP/big" && pass "the resumed blob reads back whole" || fail "resumed blob differs"
# a fresh upload of the same content after the crash also works
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/octet-stream' --data-binary @"$TMP/big" "http://$CREG/v2/crash/again/blobs/uploads/?digest=$dig")
[ "$code" = 201 ] && pass "a restarted (monolithic) upload of the same content: 201" || fail "restarted upload: $code"
all_blobs_sound && pass "every stored blob hashes to its name" || fail "corrupt blobs stored"

# 2. offline-style gc (while serving): unreferenced blobs go, referenced ones stay
skopeo copy -q --dest-tls-verify=false "oci:$D/oci:bookworm" "docker://$CREG/gc/debian:12"
sleep 1.1  # times are whole seconds: let "older than 0 seconds" hold for the orphan
out=$("$COMB" registry gc --root "$ROOT" --grace 0)
info "$out"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://$CREG/v2/crash/app/blobs/$dig")
[ "$code" = 404 ] && [ ! -e "$ROOT/blobs/sha256/${dig:7:2}/${dig:7}" ] && pass "gc removed the unreferenced 24 MiB blob ($out)" || fail "gc kept an unreferenced blob: $code"
skopeo copy -q --src-tls-verify=false "docker://$CREG/gc/debian:12" "oci:$TMP/gc-back:x" && pass "the referenced image still pulls after gc" || fail "gc broke a referenced image"
stop_combreg

# 3. the collector every second during concurrent pushes; an old orphan is collected meanwhile
start_combreg "$ROOT" --gc-interval 1 --grace 30
orphan=$(head -c 4096 /dev/urandom | tee "$TMP/orphan" | sha256sum | cut -d' ' -f1)
curl -s -o /dev/null -X POST -H 'Content-Type: application/octet-stream' --data-binary @"$TMP/orphan" "http://$CREG/v2/gc/junk/blobs/uploads/?digest=sha256:$orphan"
# time passes for the orphan only
$PY -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE blobs SET touched=touched-7200 WHERE digest=?", ("sha256:"+sys.argv[2],)); c.commit()' "$ROOT/meta.db" "$orphan"
pids=()
for i in 1 2 3 4; do
  skopeo copy -q --dest-tls-verify=false "oci:$D/oci:bookworm" "docker://$CREG/conc$i/debian:$i" >"$TMP/conc$i.err" 2>&1 &
  pids+=($!)
done
ok=1; for p in "${pids[@]}"; do wait "$p" || ok=0; done
[ "$ok" = 1 ] && pass "4 concurrent pushes while the collector runs every second" || fail "a concurrent push failed: $(cat "$TMP"/conc*.err)"
sleep 2
for i in 1 2 3 4; do
  skopeo copy -q --src-tls-verify=false "docker://$CREG/conc$i/debian:$i" "oci:$TMP/conc-back:$i" || { fail "conc$i does not pull back"; ok=0; }
done
[ "$ok" = 1 ] && pass "every pushed image pulls back whole (skopeo verifies each blob)"
[ ! -e "$ROOT/blobs/sha256/${orphan:0:2}/$orphan" ] && pass "the aged orphan was collected while serving" || fail "the orphan survived the collector"
all_blobs_sound && pass "every stored blob hashes to its name" || fail "corrupt blobs stored"
stop_combreg
finish
