#!/usr/bin/env bash
# Hostile content for the secret and malware scanners: huge files, one very
# long line, binary garbage named like scripts, deeply nested zip archives,
# many matches in one file, malformed user YARA rules and secret configs.
# comb must finish with a clear result or a clear error naming the input:
# never a crash, a hang or a silent skip.
. "$(dirname "$0")/lib/common.bash"
CHECK="$COMB_SRC/tests/integration/lib/detect_check.py"

$PY - "$TMP" "$COMB_SRC" <<'PYEOF'
import io, os, random, sys, zipfile
out, src = sys.argv[1:3]
sys.path.insert(0, os.path.join(src, "tests", "fixtures"))
import mkimage
random.seed(7)
key = "AKIA" + "Q7Z3HX5M2KTW6PLB"            # an AWS access key id shape, not a real key
long_line = ("x" * (6 << 20)) + " aws_access_key_id=" + key + " " + ("y" * (1 << 20))
many = "".join("token%d = ghp_%s\n" % (i, "".join(random.choice("abcdefghijklmnopqrstuvwxyzABCDEF0123456789") for _ in range(36)))
               for i in range(5000))
open(os.path.join(out, "garbage.bin"), "wb").write(bytes(random.getrandbits(8) for _ in range(1 << 20)))
nested = b"<?php eval($_POST['x']); ?>"
for depth in range(40):                        # a zip inside a zip, 40 deep
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("inner%d.zip" % depth if depth else "shell.php", nested)
    nested = b.getvalue()
open(os.path.join(out, "nested.zip"), "wb").write(nested)
entries = [
    {"path": "data/huge.txt", "content": ("A" * 1023 + "\n") * (40 << 10)},   # 40 MiB of text
    {"path": "data/longline.env", "content": long_line},
    {"path": "data/many.txt", "content": many},
    {"path": "var/www/html/garbage.php", "content_file": os.path.join(out, "garbage.bin")},
    {"path": "data/nested.zip", "content_file": os.path.join(out, "nested.zip")},
]
im = mkimage.Image({"layers": [{"compression": "gzip", "entries": entries}]})
mkimage.write_docker([im], os.path.join(out, "hostile.tar"))
open(os.path.join(out, "key"), "w").write(key + "\n")
PYEOF

set +e
timeout 600 "$COMB" scan --scanners secret,malware -f json -o "$TMP/h.json" "$TMP/hostile.tar" 2>"$TMP/h.err"
rc=$?
set -e
if [ "$rc" = 0 ]; then
  pass "hostile image scanned (exit 0)"
  grep -q "larger than the scanners' size limits" "$TMP/h.err" && grep -q "data/huge.txt" "$TMP/h.err" \
    && pass "the 40 MiB file is skipped with a note naming it" || fail "no note about the skipped huge file: $(head -c 300 "$TMP/h.err")"
  $PY "$CHECK" rows "$TMP/h.json" secret >"$TMP/h.rows"
  grep -q "data/longline.env" "$TMP/h.rows" \
    && pass "a secret in a 7 MiB line is found" || fail "secret in the long line missed"
  n=$(grep -c "data/many.txt" "$TMP/h.rows" || true)
  [ "$n" -ge 100 ] && pass "a file with 5000 tokens: $n findings, bounded" || fail "many.txt: only $n findings"
  grep -q "not reported" "$TMP/h.err" && pass "the per-file limit is reported as a warning" \
    || fail "no warning about findings over the per-file limit"
  grep -F -q -f "$TMP/key" "$TMP/h.json" && fail "raw key printed" || pass "no raw key in the output"
else
  fail "hostile image: exit $rc: $(head -c 400 "$TMP/h.err")"
fi
[ "$rc" -lt 128 ] || fail "comb was killed by a signal ($rc)"

# Malformed user rules: a clear error naming the file, usage-level exit, no crash.
mkdir -p "$TMP/yara"
printf 'rule broken {\n  strings:\n    $a = "x"\n  condition:\n    $a and and\n}\n' >"$TMP/yara/broken.yar"
set +e
"$COMB" scan --scanners malware -o /dev/null --yara-rules "$TMP/yara" "$TMP/hostile.tar" 2>"$TMP/y.err"
rc=$?
set -e
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -q "broken.yar" "$TMP/y.err" \
  && pass "malformed YARA rule: exit $rc, error names the file ($(head -c 160 "$TMP/y.err"))" \
  || fail "malformed YARA rule: exit $rc, stderr: $(head -c 300 "$TMP/y.err")"
printf 'rules:\n  - id: x\n    regex: "([unclosed"\n' >"$TMP/secret.yaml"
set +e
"$COMB" scan --scanners secret -o /dev/null --secret-config "$TMP/secret.yaml" "$TMP/hostile.tar" 2>"$TMP/s.err"
rc=$?
set -e
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -q "secret.yaml" "$TMP/s.err" \
  && pass "malformed secret config: exit $rc, error names the file" \
  || fail "malformed secret config: exit $rc, stderr: $(head -c 300 "$TMP/s.err")"
finish
