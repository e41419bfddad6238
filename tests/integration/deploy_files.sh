#!/bin/bash
# The deployment files under deploy/: the systemd units pass `systemd-analyze verify` and
# `systemd-analyze security --offline` and carry the hardening docs/DEPLOY.md promises; the server
# Deployment and PostgreSQL pass `comb policy check` at the restricted level; the agent DaemonSet
# departs from restricted in exactly the rules its annotation lists; the NetworkPolicies validate
# against the NetworkPolicy JSON schema and the other objects pass a structural check; and "exactly the
# privileges it needs": `comb inventory` under setpriv with only the DaemonSet's capabilities (uid 0,
# as the manifest runs it) and with the agent unit's (a non-root uid, ambient capabilities) sees the
# processes, executables, network namespaces and port owners of a root and a non-root podman
# container, and dropping either capability loses something. Needs root, podman, busybox-static.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/watch.bash"
DEPLOY="$COMB_SRC/deploy"
relay() { # FILE: the ok:/FAIL: lines a python check printed
  local line
  while read -r line; do
    case $line in ok:*) pass "${line#ok:   }" ;; FAIL:*) fail "${line#FAIL: }" ;; *) info "$line" ;; esac
  done <"$1"
}
K="$DEPLOY/kubernetes"

# ---- systemd units ----
mkdir -p "$TMP/units"
for u in "$DEPLOY"/systemd/*.service; do
  sed "s|/usr/local/bin/comb|$COMB|g" "$u" >"$TMP/units/$(basename "$u")"
done
if systemd-analyze verify --man=no "$TMP"/units/*.service >"$TMP/verify.out" 2>&1 && [ ! -s "$TMP/verify.out" ]; then
  pass "systemd-analyze verify: the units are clean"
else
  fail "systemd-analyze verify: $(head -c 600 "$TMP/verify.out")"
fi
for u in comb-server comb-agent comb-watch; do
  systemd-analyze security --offline=yes "$TMP/units/$u.service" >"$TMP/sec.$u" 2>&1 || true
  level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' "$TMP/sec.$u")
  # 10 is an unhardened service; below 5 is rated "OK" by systemd
  $PY -c 'import sys; sys.exit(0 if float(sys.argv[1] or 10) < 5 else 1)' "$level" &&
    pass "$u: systemd-analyze security exposure $level (OK)" || fail "$u: exposure ${level:-?}: $(tail -2 "$TMP/sec.$u")"
done
$PY - "$DEPLOY/systemd" "$K/agent.yaml" <<'PYEOF' >"$TMP/units.out"
import sys, yaml
d, agent = sys.argv[1:3]
def unit(name):
    out = {}
    text = open("%s/%s.service" % (d, name)).read().replace("\\\n", " ")
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            out.setdefault(k.strip(), []).append(v.strip())
    return out
def check(ok, what): print(("ok:   " if ok else "FAIL: ") + what)
for n in ("comb-server", "comb-agent", "comb-watch"):
    u = unit(n)
    one = lambda k: (u.get(k) or [""])[-1]
    check(one("NoNewPrivileges") == "yes" and one("ProtectSystem") == "strict" and one("PrivateTmp") == "yes"
          and one("ReadWritePaths") and "CapabilityBoundingSet" in u and one("PrivateDevices") == "yes",
          "%s: NoNewPrivileges, ProtectSystem=strict + ReadWritePaths (%s), PrivateTmp, PrivateDevices, a capability bounding set" % (n, one("ReadWritePaths")))
s, a = unit("comb-server"), unit("comb-agent")
check(s["DynamicUser"] == ["yes"] and s["CapabilityBoundingSet"] == [""] and s["AmbientCapabilities"] == [""],
      "comb-server: a dynamic user without any capability")
ds = [x for x in yaml.safe_load_all(open(agent)) if x and x["kind"] == "DaemonSet"][0]
k8s_caps = {"CAP_" + c for c in ds["spec"]["template"]["spec"]["containers"][0]["securityContext"]["capabilities"]["add"]}
check(a["DynamicUser"] == ["yes"] and set(a["CapabilityBoundingSet"][0].split()) == set(a["AmbientCapabilities"][0].split()) == k8s_caps,
      "comb-agent: a dynamic user whose bounding and ambient sets are the DaemonSet's capabilities (%s)" % sorted(k8s_caps))
PYEOF
relay "$TMP/units.out"

# ---- Kubernetes: Pod Security Standards ----
for f in server postgres; do
  set +e; "$COMB" policy check --level restricted -f json --exit-code 3 -o "$TMP/pss.$f.json" "$K/$f.yaml"; rc=$?; set -e
  n=$($PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(len(r), sum(len(x["violations"]) for x in r))' "$TMP/pss.$f.json")
  [ "$rc" = 0 ] && [ "$n" = "1 0" ] && pass "$f.yaml: restricted, no violation (comb policy check)" || fail "$f.yaml: exit $rc, objects/violations $n"
done
set +e; "$COMB" policy check --level restricted -f json -o "$TMP/pss.agent.json" "$K/agent.yaml"; set -e
$PY - "$TMP/pss.agent.json" "$K/agent.yaml" <<'PYEOF' >"$TMP/agent.out"
import json, sys, yaml
res = json.load(open(sys.argv[1]))["results"]
ds = [x for x in yaml.safe_load_all(open(sys.argv[2])) if x and x["kind"] == "DaemonSet"][0]
def check(ok, what): print(("ok:   " if ok else "FAIL: ") + what)
documented = {r.strip() for r in ds["metadata"]["annotations"]["comb.dev/pss-restricted-departures"].split(",")}
found = {v["rule"] for r in res for v in r["violations"]}
check(found == documented, "DaemonSet: the restricted rules it breaks are exactly the documented ones (%s)" % sorted(found ^ documented or found))
pod = ds["spec"]["template"]["spec"]; c = pod["containers"][0]; sc = c["securityContext"]
check(pod.get("hostPID") is True and not pod.get("hostNetwork") and not pod.get("hostIPC"), "hostPID only: no host network or IPC")
check(sc["capabilities"]["drop"] == ["ALL"] and sorted(sc["capabilities"]["add"]) == ["DAC_READ_SEARCH", "SYS_PTRACE"],
      "capabilities: drop ALL, add SYS_PTRACE and DAC_READ_SEARCH only")
check(sc.get("privileged") is False and sc.get("allowPrivilegeEscalation") is False and sc.get("readOnlyRootFilesystem") is True
      and pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault",
      "not privileged, no privilege escalation, read-only root filesystem, RuntimeDefault seccomp")
hostpaths = {v["name"] for v in pod["volumes"] if "hostPath" in v}
rw = {m["name"] for m in c["volumeMounts"] if m["name"] in hostpaths and not m.get("readOnly")}
check(rw == {"spool"}, "every host path is mounted read-only but the spool (%s)" % sorted(rw))
check(pod.get("automountServiceAccountToken") is False, "no service account token in the agent")
PYEOF
relay "$TMP/agent.out"

# ---- Kubernetes: schemas and structure ----
$PY - "$COMB_SRC/tests/data/schemas/networkpolicy-networking-v1.json" "$K"/*.yaml <<'PYEOF' >"$TMP/k8s.out"
import json, sys, yaml, jsonschema
np_schema = json.load(open(sys.argv[1]))
docs = [(f, d) for f in sys.argv[2:] for d in yaml.safe_load_all(open(f)) if d]
def check(ok, what): print(("ok:   " if ok else "FAIL: ") + what)
kinds = {("v1", "Namespace"), ("v1", "ServiceAccount"), ("v1", "Service"), ("v1", "Secret"), ("v1", "PersistentVolumeClaim"),
         ("apps/v1", "Deployment"), ("apps/v1", "DaemonSet"), ("apps/v1", "StatefulSet"), ("networking.k8s.io/v1", "NetworkPolicy")}
namespaces = {d["metadata"]["name"] for _, d in docs if d["kind"] == "Namespace"}
errs = []
workloads = []
for f, d in docs:
    where = "%s %s/%s" % (f.split("/")[-1], d.get("kind"), d.get("metadata", {}).get("name"))
    if (d.get("apiVersion"), d.get("kind")) not in kinds: errs.append(where + ": unexpected apiVersion/kind")
    md = d.get("metadata", {})
    if not md.get("name"): errs.append(where + ": no metadata.name")
    if d["kind"] != "Namespace" and md.get("namespace") not in namespaces: errs.append(where + ": namespace not one of the manifests'")
    if d["kind"] == "NetworkPolicy":
        for e in jsonschema.Draft7Validator(np_schema).iter_errors(d): errs.append(where + ": " + e.message)
    if d["kind"] in ("Deployment", "DaemonSet", "StatefulSet"):
        spec = d["spec"]; pod = spec["template"]["spec"]
        sel = spec["selector"]["matchLabels"]; labels = spec["template"]["metadata"]["labels"]
        if any(labels.get(k) != v for k, v in sel.items()): errs.append(where + ": selector does not match the template")
        vols = {v["name"] for v in pod.get("volumes", [])} | {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates", [])}
        for c in pod["containers"]:
            if not c.get("name") or not c.get("image"): errs.append(where + ": a container without name or image")
            for m in c.get("volumeMounts", []):
                if m["name"] not in vols: errs.append(where + ": mount of undeclared volume " + m["name"])
        if pod.get("automountServiceAccountToken") is not False: errs.append(where + ": mounts a service account token")
        sa = pod.get("serviceAccountName")
        if not any(x["kind"] == "ServiceAccount" and x["metadata"]["name"] == sa and x.get("automountServiceAccountToken") is False for _, x in docs):
            errs.append(where + ": service account %s missing or automounting" % sa)
        if d["kind"] == "StatefulSet" and not any(x["kind"] == "Service" and x["metadata"]["name"] == spec["serviceName"] for _, x in docs):
            errs.append(where + ": no governing Service " + spec["serviceName"])
        workloads.append((md["namespace"], labels, pod))
for f, d in docs:
    if d["kind"] == "Service":
        sel = d["spec"]["selector"]
        hit = [p for ns, l, p in workloads if ns == d["metadata"]["namespace"] and all(l.get(k) == v for k, v in sel.items())]
        ports = {cp["containerPort"] for p in hit for c in p["containers"] for cp in c.get("ports", [])}
        if not hit or any(pt["targetPort"] not in ports for pt in d["spec"]["ports"]):
            errs.append("Service %s: selects no workload, or a targetPort no container exposes" % d["metadata"]["name"])
    if d["kind"] == "Deployment" or d["kind"] == "StatefulSet":
        for c in d["spec"]["template"]["spec"]["containers"]:
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref and not any(x["kind"] == "Secret" and x["metadata"]["name"] == ref["name"] and ref["key"] in x.get("stringData", {}) for _, x in docs):
                    errs.append("%s: env %s names a Secret key the manifests lack" % (d["metadata"]["name"], e["name"]))
pols = {d["metadata"]["namespace"] for _, d in docs if d["kind"] == "NetworkPolicy"}
if {ns for ns, _, _ in workloads} - pols: errs.append("a namespace with workloads but no NetworkPolicy")
check(not errs, "Kubernetes manifests: NetworkPolicies valid against the schema, %d objects structurally sound %s" % (len(docs), errs[:5]))
PYEOF
relay "$TMP/k8s.out"

# ---- exactly the privileges it needs ----
command -v setpriv >/dev/null || { fail "setpriv (util-linux) missing"; finish; }
busybox_root "$TMP/root"
import_image "$TMP/root"
ID_ROOT=$(run_container root -d "$IMAGE" httpd -f -p 8080 -h /tmp)
ID_USER=$(run_container user -d --user 1000:1000 "$IMAGE" httpd -f -p 8081 -h /tmp)
for id in "$ID_ROOT" "$ID_USER"; do
  [ ${#id} = 64 ] || { fail "a container did not start: $(cat "$TMP"/*.out)"; finish; }
done
for c in "${CONTAINERS[@]}"; do
  for _ in $(seq 50); do "${PODMAN[@]}" exec "$c" netstat -ltn 2>/dev/null | grep -q ':808[01] ' && break; sleep 0.1; done
done
CAPS=$($PY -c 'import sys, yaml
ds = [x for x in yaml.safe_load_all(open(sys.argv[1])) if x and x["kind"] == "DaemonSet"][0]
print(",".join("+" + c.lower() for c in ds["spec"]["template"]["spec"]["containers"][0]["securityContext"]["capabilities"]["add"]))' "$K/agent.yaml")
inventory_with() { # NAME CAPS [setpriv user options]: comb inventory with only CAPS
  local name=$1 caps=$2; shift 2
  setpriv "$@" --inh-caps="-all${caps:+,$caps}" --bounding-set="-all${caps:+,$caps}" --no-new-privs \
    "$COMB" inventory -q -f json >"$TMP/inv.$name.json" 2>"$TMP/inv.$name.err" || true  # (root writes the files)
}
inventory_with ds "$CAPS"
inventory_with nouser "${CAPS/,+dac_read_search/}"
inventory_with noptrace "${CAPS/+sys_ptrace,/}"
# the agent unit: a non-root uid, the capabilities ambient
inventory_with unit "$CAPS" --reuid 1000 --regid 1000 --clear-groups --ambient-caps="-all,$CAPS"
inventory_with unitnone "" --reuid 1000 --regid 1000 --clear-groups
$PY - "$TMP" "$ID_ROOT" "$ID_USER" "$CAPS" <<'PYEOF' >"$TMP/priv.out"
import json, os, sys
tmp, root_id, user_id, caps = sys.argv[1:5]
def check(ok, what): print(("ok:   " if ok else "FAIL: ") + what)
def view(name):
    p = "%s/inv.%s.json" % (tmp, name)
    if not os.path.exists(p) or not os.path.getsize(p): return None
    by = {c["id"]: c for c in json.load(open(p))["containers"]}
    out = {}
    for cid, port in ((root_id, 8080), (user_id, 8081)):
        c = by.get(cid)
        if not c: out[cid] = None; continue
        ps = [x for x in c.get("ports") or [] if x["port"] == port]
        out[cid] = {"running": c["state"] == "running",
                    "httpd": any(p["cmdline"][:1] == ["httpd"] for p in c.get("processes") or []),
                    "exe": all(p.get("exe") for p in c.get("processes") or []) and bool(c.get("processes")),
                    "netns": bool((c.get("network") or {}).get("namespace")),
                    "port": bool(ps),
                    "port_owner": bool(ps) and ps[0].get("process") == "httpd"}
    return out
full = {"running": True, "httpd": True, "exe": True, "netns": True, "port": True, "port_owner": True}
ds, unit = view("ds"), view("unit")
check(ds and ds[root_id] == full and ds[user_id] == full,
      "uid 0 with only %s (the DaemonSet): both containers' processes, executables, network namespaces, ports and their owners %s" % (caps, ds))
check(unit and unit[root_id] == full and unit[user_id] == full,
      "uid 1000 with %s ambient (the agent unit): the same view %s" % (caps, unit))
nouser, noptrace, none = view("nouser"), view("noptrace"), view("unitnone")
check(nouser and nouser[root_id] == full and nouser[user_id]["port"] and not nouser[user_id]["port_owner"],
      "without DAC_READ_SEARCH: the port of the container running as uid 1000 has no owner (its /proc/PID/fd is closed) %s" % (nouser and nouser[user_id]))
check(noptrace and all(v and v["port"] and not v["exe"] and not v["netns"] and not v["port_owner"] for v in noptrace.values()),
      "without SYS_PTRACE: no executables, network namespaces or port owners %s" % noptrace)
check(none is not None and all(v is None for v in none.values()),
      "uid 1000 without capabilities: the engines' state is unreadable, no container at all")
PYEOF
relay "$TMP/priv.out"
finish
