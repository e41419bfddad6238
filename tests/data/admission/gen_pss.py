#!/usr/bin/env python3
"""Regenerate tests/data/admission/pss/*.yaml and expected.tsv (run by hand;
the outputs are committed). Each case is a restricted-compliant pod with one
change, wrapped in a rotating workload kind; the expected failing controls
per level come from the Pod Security Standards text, not from comb."""
import copy, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "pss")

def good():
    return {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": "app", "image": "registry.example.com/team/app:1.4.2",
            "securityContext": {"allowPrivilegeEscalation": False,
                                "capabilities": {"drop": ["ALL"]}},
        }],
    }

def sc(s, i=0):
    return s["containers"][i]["securityContext"]

R_DEFAULTS = ["allowPrivilegeEscalation", "runAsNonRoot", "seccompProfile_restricted",
              "capabilities_restricted"]
# name: (mutation, baseline fails, restricted fails (in addition to baseline ones,
# except that capabilities_baseline/seccompProfile_baseline are replaced at restricted))
CASES = {}
def case(name, b, r):
    def deco(f):
        CASES[name] = (f, b, r)
        return f
    return deco

@case("good", [], [])
def _(s): pass
@case("minimal-pod", [], R_DEFAULTS)
def _(s):
    s.clear(); s["containers"] = [{"name": "app", "image": "registry.example.com/team/app:1.4.2"}]
@case("hostprocess-pod", ["hostProcess"], ["hostProcess"])
def _(s): s["securityContext"]["windowsOptions"] = {"hostProcess": True}
@case("hostprocess-container", ["hostProcess"], ["hostProcess"])
def _(s): sc(s)["windowsOptions"] = {"hostProcess": True}
@case("hostprocess-false", [], [])
def _(s): sc(s)["windowsOptions"] = {"hostProcess": False}
@case("hostnetwork", ["hostNamespaces"], ["hostNamespaces"])
def _(s): s["hostNetwork"] = True
@case("hostpid", ["hostNamespaces"], ["hostNamespaces"])
def _(s): s["hostPID"] = True
@case("hostipc", ["hostNamespaces"], ["hostNamespaces"])
def _(s): s["hostIPC"] = True
@case("hostnetwork-false", [], [])
def _(s): s["hostNetwork"] = False
@case("privileged", ["privileged"], ["privileged"])
def _(s): sc(s)["privileged"] = True
@case("privileged-false", [], [])
def _(s): sc(s)["privileged"] = False
@case("privileged-init", ["privileged"], ["privileged"])
def _(s): s["initContainers"] = [{"name": "init", "image": "registry.example.com/team/init:1.0",
                                  "securityContext": {"privileged": True, "allowPrivilegeEscalation": False,
                                                      "capabilities": {"drop": ["ALL"]}}}]
@case("cap-sys-admin", ["capabilities_baseline"], ["capabilities_restricted"])
def _(s): sc(s)["capabilities"]["add"] = ["SYS_ADMIN"]
@case("cap-chown", [], ["capabilities_restricted"])
def _(s): sc(s)["capabilities"]["add"] = ["CHOWN"]
@case("cap-net-bind", [], [])
def _(s): sc(s)["capabilities"]["add"] = ["NET_BIND_SERVICE"]
@case("cap-no-drop", [], ["capabilities_restricted"])
def _(s): del sc(s)["capabilities"]
@case("hostpath", ["hostPathVolumes"], ["hostPathVolumes", "restrictedVolumes"])
def _(s): s["volumes"] = [{"name": "host", "hostPath": {"path": "/var/run/docker.sock"}}]
@case("hostport", ["hostPorts"], ["hostPorts"])
def _(s): s["containers"][0]["ports"] = [{"containerPort": 8080, "hostPort": 8080}]
@case("hostport-zero", [], [])
def _(s): s["containers"][0]["ports"] = [{"containerPort": 8080, "hostPort": 0}]
@case("apparmor-unconfined", ["appArmorProfile"], ["appArmorProfile"])
def _(s): sc(s)["appArmorProfile"] = {"type": "Unconfined"}
@case("apparmor-pod-unconfined", ["appArmorProfile"], ["appArmorProfile"])
def _(s): s["securityContext"]["appArmorProfile"] = {"type": "Unconfined"}
@case("apparmor-runtimedefault", [], [])
def _(s): sc(s)["appArmorProfile"] = {"type": "RuntimeDefault"}
@case("apparmor-annotation-unconfined", ["appArmorProfile"], ["appArmorProfile"])
def _(s): s["__annotations"] = {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}
@case("apparmor-annotation-default", [], [])
def _(s): s["__annotations"] = {"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}
@case("selinux-type", ["seLinuxOptions"], ["seLinuxOptions"])
def _(s): sc(s)["seLinuxOptions"] = {"type": "spc_t"}
@case("selinux-user", ["seLinuxOptions"], ["seLinuxOptions"])
def _(s): s["securityContext"]["seLinuxOptions"] = {"user": "system_u"}
@case("selinux-role", ["seLinuxOptions"], ["seLinuxOptions"])
def _(s): sc(s)["seLinuxOptions"] = {"role": "system_r"}
@case("selinux-container-t", [], [])
def _(s): sc(s)["seLinuxOptions"] = {"type": "container_t", "level": "s0:c123,c456"}
@case("procmount-unmasked", ["procMount"], ["procMount"])
def _(s): sc(s)["procMount"] = "Unmasked"
@case("procmount-default", [], [])
def _(s): sc(s)["procMount"] = "Default"
@case("seccomp-pod-unconfined", ["seccompProfile_baseline"], ["seccompProfile_restricted"])
def _(s): s["securityContext"]["seccompProfile"] = {"type": "Unconfined"}
@case("seccomp-container-unconfined", ["seccompProfile_baseline"], ["seccompProfile_restricted"])
def _(s): sc(s)["seccompProfile"] = {"type": "Unconfined"}
@case("seccomp-container-only", [], [])
def _(s):
    del s["securityContext"]["seccompProfile"]; sc(s)["seccompProfile"] = {"type": "RuntimeDefault"}
@case("seccomp-unset", [], ["seccompProfile_restricted"])
def _(s): del s["securityContext"]["seccompProfile"]
@case("seccomp-localhost", [], [])
def _(s): s["securityContext"]["seccompProfile"] = {"type": "Localhost", "localhostProfile": "profiles/app.json"}
@case("sysctl-unsafe", ["sysctls"], ["sysctls"])
def _(s): s["securityContext"]["sysctls"] = [{"name": "kernel.msgmax", "value": "65536"}]
@case("sysctl-safe", [], [])
def _(s): s["securityContext"]["sysctls"] = [{"name": "net.ipv4.tcp_syncookies", "value": "1"}]
@case("volume-nfs", [], ["restrictedVolumes"])
def _(s): s["volumes"] = [{"name": "data", "nfs": {"server": "nfs.example.com", "path": "/export"}}]
@case("volume-allowed", [], [])
def _(s): s["volumes"] = [{"name": "cache", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "cfg"}},
                          {"name": "tok", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}]
@case("privesc-true", [], ["allowPrivilegeEscalation"])
def _(s): sc(s)["allowPrivilegeEscalation"] = True
@case("privesc-unset", [], ["allowPrivilegeEscalation"])
def _(s): del sc(s)["allowPrivilegeEscalation"]
@case("nonroot-pod-false", [], ["runAsNonRoot"])
def _(s): s["securityContext"]["runAsNonRoot"] = False
@case("nonroot-container-only", [], [])
def _(s): del s["securityContext"]["runAsNonRoot"]; sc(s)["runAsNonRoot"] = True
@case("nonroot-container-false", [], ["runAsNonRoot"])
def _(s): sc(s)["runAsNonRoot"] = False
@case("nonroot-unset", [], ["runAsNonRoot"])
def _(s): del s["securityContext"]["runAsNonRoot"]
@case("runasuser-zero", [], ["runAsUser"])
def _(s): s["securityContext"]["runAsUser"] = 0
@case("runasuser-container-zero", [], ["runAsUser"])
def _(s): sc(s)["runAsUser"] = 0
@case("runasuser-nonzero", [], [])
def _(s): s["securityContext"]["runAsUser"] = 10001
@case("windows-pod", [], [])
def _(s):
    s["os"] = {"name": "windows"}; del s["securityContext"]["seccompProfile"]
    s["containers"][0]["securityContext"] = {}
@case("ephemeral-privileged", ["privileged"], ["privileged"])
def _(s): s["ephemeralContainers"] = [{"name": "debug", "image": "registry.example.com/team/debug:1.0",
                                       "securityContext": {"privileged": True, "allowPrivilegeEscalation": False,
                                                           "capabilities": {"drop": ["ALL"]}}}]

KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet"]

def wrap(kind, name, spec):
    ann = spec.pop("__annotations", None)
    meta = {"labels": {"app": name}}
    if ann:
        meta["annotations"] = ann
    if kind == "Pod":
        m = {"name": name, "namespace": "apps", **meta}
        return {"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": spec}
    tmpl = {"metadata": meta, "spec": spec}
    if kind == "CronJob":
        spec.setdefault("restartPolicy", "Never")
        return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name, "namespace": "apps"},
                "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": tmpl}}}}
    if kind == "Job":
        spec.setdefault("restartPolicy", "Never")
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": "apps"},
                "spec": {"template": tmpl}}
    body = {"selector": {"matchLabels": {"app": name}}, "template": tmpl}
    if kind == "StatefulSet":
        body["serviceName"] = name
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "apps"}, "spec": body}

def yaml_dump(o, ind=0):
    """A small block-style YAML writer (no PyYAML needed)."""
    pad = "  " * ind
    out = []
    if isinstance(o, dict):
        for k, v in o.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{k}:")
                out.append(yaml_dump(v, ind + 1))
            else:
                out.append(f"{pad}{k}: {scalar(v)}")
    else:
        for v in o:
            if isinstance(v, (dict, list)) and v:
                sub = yaml_dump(v, ind + 1).split("\n")
                out.append(f"{pad}- {sub[0].lstrip()}")
                out.extend(sub[1:])
            else:
                out.append(f"{pad}- {scalar(v)}")
    return "\n".join(out)

def scalar(v):
    if v is True: return "true"
    if v is False: return "false"
    if isinstance(v, int): return str(v)
    if v == {}: return "{}"
    if v == []: return "[]"
    return json.dumps(v)

def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    docs = {}
    for i, (name, (f, b, r)) in enumerate(CASES.items()):
        spec = good(); f(spec)
        kind = KINDS[i % len(KINDS)]
        obj = wrap(kind, name, copy.deepcopy(spec))
        docs[name] = obj
        fn = f"{name}.yaml"
        with open(os.path.join(OUT, fn), "w") as fh:
            fh.write(yaml_dump(obj) + "\n")
        rfails = sorted(set(b) - {"capabilities_baseline", "seccompProfile_baseline"} | set(r))
        rows.append((f"pss/{fn}#1", kind, ",".join(sorted(b)) or "-", ",".join(rfails) or "-"))
    # multi-document YAML, a JSON file and a List
    multi = ["privileged", "good", "hostpath"]
    with open(os.path.join(HERE, "multi.yaml"), "w") as fh:
        fh.write("# several workloads in one stream\n")
        for j, n in enumerate(multi):
            fh.write("---\n" + yaml_dump(docs[n]) + "\n")
        fh.write("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: not-a-workload\n")
    for j, n in enumerate(multi):
        _, k, b, r = [x for x in rows if x[0] == f"pss/{n}.yaml#1"][0]
        rows.append((f"multi.yaml#{j + 1}", k, b, r))
    lst = {"apiVersion": "v1", "kind": "List", "items": [docs["sysctl-unsafe"], docs["nonroot-unset"]]}
    with open(os.path.join(HERE, "list.json"), "w") as fh:
        json.dump(lst, fh, indent=2)
    rows.append(("list.json#1", "List", "sysctls", "runAsNonRoot,sysctls"))
    with open(os.path.join(HERE, "expected.tsv"), "w") as fh:
        fh.write("# manifest#document\tkind\tbaseline: failing controls\trestricted: failing controls\n")
        fh.write("# every control not listed passes (the test checks all 17 at both levels)\n")
        for row in rows:
            fh.write("\t".join(row) + "\n")

main()
