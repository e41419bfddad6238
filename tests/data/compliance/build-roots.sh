#!/usr/bin/env bash
# build-roots.sh OUTDIR - fixture host roots for `comb bench --root`: for
# each benchmark a hardened root ("good") and an insecure one ("bad"), made
# of the files, modes, owners, units, audit rules and container state that
# the checks read. Needs root (chown, sockets). Expected results per root:
# expected/<root>.tsv beside this script.
set -euo pipefail
OUT=${1:?usage: build-roots.sh OUTDIR}
rm -rf "$OUT"
mkdir -p "$OUT"

# put ROOT PATH MODE OWNER [CONTENT] : a file with mode and owner ("-" = empty)
put() {
  local root=$1 path=$2 mode=$3 owner=$4 content=${5-}
  mkdir -p "$(dirname "$root$path")"
  printf '%s' "$content" >"$root$path"
  chmod "$mode" "$root$path"
  chown "$owner" "$root$path"
}
dir() { # ROOT PATH MODE OWNER
  mkdir -p "$1$2"; chmod "$3" "$1$2"; chown "$4" "$1$2"
}
sock() { # ROOT PATH MODE OWNER : a real unix socket
  mkdir -p "$(dirname "$1$2")"
  /usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$1$2"
  chmod "$3" "$1$2"; chown "$4" "$1$2"
}
base() { # ROOT HOSTNAME : users and groups every root has
  mkdir -p "$1/etc"
  printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' >"$1/etc/passwd"
  printf 'root:x:0:\nshadow:x:42:\ndocker:x:998:\nalice:x:1000:\n' >"$1/etc/group"
  printf '%s\n' "$2" >"$1/etc/hostname"
}

############################################################ docker
G=$OUT/docker-good
base "$G" docker-good
put "$G" /usr/bin/dockerd 755 0:0
put "$G" /usr/bin/containerd 755 0:0
put "$G" /usr/bin/containerd-shim-runc-v2 755 0:0
put "$G" /usr/bin/runc 755 0:0
dir "$G" /var/lib/docker 710 0:0
dir "$G" /etc/docker 755 0:0
put "$G" /etc/docker/daemon.json 644 0:0 '{
  "icc": false, "log-level": "info", "userns-remap": "default",
  "authorization-plugins": ["authz-broker"], "log-driver": "syslog",
  "live-restore": true, "userland-proxy": false, "no-new-privileges": true,
  "hosts": ["unix:///run/docker.sock", "tcp://0.0.0.0:2376"], "tlsverify": true,
  "tlscacert": "/etc/docker/ca.pem", "tlscert": "/etc/docker/server-cert.pem",
  "tlskey": "/etc/docker/server-key.pem", "storage-driver": "overlay2"
}'
put "$G" /etc/docker/certs.d/registry.example:5000/ca.crt 444 0:0 cert
put "$G" /etc/docker/ca.pem 444 0:0 ca
put "$G" /etc/docker/server-cert.pem 444 0:0 cert
put "$G" /etc/docker/server-key.pem 400 0:0 key
put "$G" /lib/systemd/system/docker.service 644 0:0 '[Unit]
Description=Docker
[Service]
ExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock
'
put "$G" /lib/systemd/system/docker.socket 644 0:0 '[Socket]
ListenStream=/run/docker.sock
'
put "$G" /etc/default/docker 644 0:0 '# nothing here
'
sock "$G" /run/docker.sock 660 0:998
sock "$G" /run/containerd/containerd.sock 660 0:0
put "$G" /etc/fstab 644 0:0 '/dev/vg0/root / ext4 defaults 0 1
/dev/vg0/docker /var/lib/docker ext4 defaults,nodev 0 2
'
rules=""
for p in /usr/bin/dockerd /run/containerd /var/lib/docker /etc/docker /lib/systemd/system/docker.service \
         /run/containerd/containerd.sock /lib/systemd/system/docker.socket /etc/default/docker \
         /etc/docker/daemon.json /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/bin/runc; do
  rules+="-w $p -p rwxa -k docker"$'\n'
done
put "$G" /etc/audit/rules.d/docker.rules 640 0:0 "$rules"

B=$OUT/docker-bad
base "$B" docker-bad
put "$B" /usr/bin/dockerd 755 0:0
put "$B" /usr/bin/runc 755 0:0
dir "$B" /var/lib/docker 755 0:0
put "$B" /var/lib/docker/swarm/state.json 600 0:0 '[{"node_id":"n1","addr":"10.0.0.2:2377"}]'
dir "$B" /etc/docker 777 1000:1000
put "$B" /etc/docker/daemon.json 666 1000:1000 '{
  "log-level": "debug", "iptables": false, "insecure-registries": ["10.0.0.1:5000"],
  "storage-driver": "aufs", "hosts": ["tcp://0.0.0.0:2375"], "cgroup-parent": "/custom",
  "seccomp-profile": "unconfined", "experimental": true, "live-restore": false
}'
put "$B" /etc/docker/certs.d/registry.example:5000/ca.crt 644 1000:1000 cert
put "$B" /etc/docker/ca.pem 644 0:0 ca
put "$B" /etc/docker/server-cert.pem 644 1000:0 cert
put "$B" /etc/docker/server-key.pem 644 0:0 key
put "$B" /lib/systemd/system/docker.service 666 1000:1000 '[Service]
ExecStart=
ExecStart=/usr/bin/dockerd --icc=true \
   --userland-proxy=true -H tcp://0.0.0.0:2375
'
put "$B" /lib/systemd/system/docker.socket 664 0:0 '[Socket]
'
put "$B" /etc/default/docker 666 1000:0 'DOCKER_OPTS="--icc=true"
'
put "$B" /etc/sysconfig/docker 646 0:1000 'OPTIONS=""
'
sock "$B" /run/docker.sock 666 1000:1000
sock "$B" /run/containerd/containerd.sock 666 0:998
put "$B" /etc/fstab 644 0:0 '/dev/vg0/root / ext4 defaults 0 1
'
put "$B" /etc/audit/rules.d/other.rules 640 0:0 '-w /etc/passwd -p wa -k identity
# -w /usr/bin/dockerd -p rwxa -k docker   (commented out: does not count)
'

# a daemon.json that does not parse: the checks that read it are ERROR
# (with the parser's message), never a guess
cp -a "$OUT/docker-good" "$OUT/docker-broken"
printf '%s\n' docker-broken >"$OUT/docker-broken/etc/hostname"
put "$OUT/docker-broken" /etc/docker/daemon.json 644 0:0 '{"icc": false,, "live-restore": true}'

############################################################ containerd
G=$OUT/containerd-good
base "$G" containerd-good
put "$G" /usr/bin/containerd 755 0:0
dir "$G" /etc/containerd 755 0:0
put "$G" /etc/containerd/config.toml 644 0:0 'version = 2
root = "/var/lib/containerd"

[grpc]
  address = "/run/containerd/containerd.sock"

[debug]
  level = "info"

[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  enable_unprivileged_ports = false
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = true   # cgroup driver
  [plugins."io.containerd.grpc.v1.cri".registry.configs."registry.example:5000".tls]
    ca_file = "/etc/containerd/certs/ca.crt"
'
sock "$G" /run/containerd/containerd.sock 660 0:0
dir "$G" /var/lib/containerd 711 0:0
put "$G" /etc/audit/rules.d/containerd.rules 640 0:0 '-w /usr/bin/containerd -p rwxa -k containerd
-w /etc/containerd/config.toml -p rwxa -k containerd
-a always,exit -F arch=b64 -S all -F dir=/var/lib/containerd -k containerd
-w /run/containerd -p rwxa -k containerd
'
dir "$G" /run/containerd 711 0:0

B=$OUT/containerd-bad
base "$B" containerd-bad
put "$B" /usr/local/bin/containerd 755 0:0
dir "$B" /etc/containerd 775 1000:0
put "$B" /etc/containerd/config.toml 664 1000:1000 "version = 2
[grpc]
  address = '/run/containerd/containerd.sock'
  tcp_address = \"0.0.0.0:7777\"
[debug]
  level = \"debug\"
[plugins]
  [plugins.\"io.containerd.grpc.v1.cri\"]
    stream_server_address = \"0.0.0.0\"
    disable_apparmor = true
    enable_unprivileged_ports = true
    [plugins.\"io.containerd.grpc.v1.cri\".registry.configs.\"10.0.0.1:5000\".tls]
      insecure_skip_verify = true
"
sock "$B" /run/containerd/containerd.sock 666 0:0
dir "$B" /var/lib/containerd 755 0:0

############################################################ podman
G=$OUT/podman-good
base "$G" podman-good
put "$G" /usr/bin/podman 755 0:0
dir "$G" /etc/containers 755 0:0
put "$G" /etc/containers/containers.conf 644 0:0 '[containers]
default_capabilities = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]
pids_limit = 1024
seccomp_profile = "/usr/share/containers/seccomp.json"
[engine]
events_logger = "journald"
'
put "$G" /etc/containers/registries.conf 644 0:0 'unqualified-search-registries = ["registry.example"]
[[registry]]
location = "registry.example"
insecure = false
'
put "$G" /etc/containers/policy.json 644 0:0 '{"default": [{"type": "reject"}], "transports": {"docker": {"registry.example": [{"type": "sigstoreSigned", "keyPath": "/etc/pki/registry.pub"}]}}}'
put "$G" /etc/containers/storage.conf 644 0:0 '[storage]
driver = "overlay"
'
dir "$G" /var/lib/containers/storage 700 0:0
sock "$G" /run/podman/podman.sock 660 0:0
put "$G" /etc/audit/rules.d/podman.rules 640 0:0 '-w /usr/bin/podman -p rwxa -k podman
-w /etc/containers -p wa -k podman
-w /var/lib/containers -p wa -k podman
'

B=$OUT/podman-bad
base "$B" podman-bad
put "$B" /usr/bin/podman 755 0:0
dir "$B" /etc/containers 777 0:0
put "$B" /etc/containers/containers.conf 666 1000:1000 '[containers]
default_capabilities = [
  "CHOWN",
  "SYS_ADMIN",   # added for a debugging session
  "NET_ADMIN",
]
pids_limit = 0
seccomp_profile = "unconfined"
apparmor_profile = "unconfined"
'
put "$B" /etc/containers/registries.conf 666 0:0 '[[registry]]
location = "10.0.0.1:5000"
insecure = true
'
put "$B" /etc/containers/policy.json 646 0:0 '{"default": [{"type": "insecureAcceptAnything"}]}'
put "$B" /etc/containers/storage.conf 644 1000:0 '[storage]
driver = "overlay"
'
dir "$B" /var/lib/containers/storage 755 0:0
sock "$B" /run/podman/podman.sock 666 0:1000

############################################################ k8s node
G=$OUT/k8s-good
base "$G" k8s-good
put "$G" /usr/bin/kubelet 755 0:0
put "$G" /etc/systemd/system/kubelet.service.d/10-kubeadm.conf 600 0:0 '[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--kubeconfig=/etc/kubernetes/kubelet.conf"
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS --config=/var/lib/kubelet/config.yaml
'
put "$G" /etc/kubernetes/kubelet.conf 600 0:0 'apiVersion: v1
kind: Config
'
put "$G" /var/lib/kube-proxy/kubeconfig.conf 600 0:0 'apiVersion: v1
'
dir "$G" /etc/kubernetes/pki 755 0:0
put "$G" /etc/kubernetes/pki/ca.crt 600 0:0 ca
dir "$G" /var/lib/kubelet/pki 755 0:0
put "$G" /var/lib/kubelet/pki/kubelet.crt 644 0:0 cert
put "$G" /var/lib/kubelet/pki/kubelet.key 600 0:0 key
put "$G" /var/lib/kubelet/config.yaml 600 0:0 'apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
readOnlyPort: 0
streamingConnectionIdleTimeout: 4h0m0s
protectKernelDefaults: true
makeIPTablesUtilChains: true
serverTLSBootstrap: true
rotateCertificates: true
tlsCipherSuites:
  - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
podPidsLimit: 4096
featureGates:
  RotateKubeletServerCertificate: true
'

# an EKS-style node keeps the files elsewhere: same verdicts, no false FAIL
E=$OUT/k8s-good-eks
base "$E" k8s-good-eks
put "$E" /usr/bin/kubelet 755 0:0
put "$E" /etc/systemd/system/kubelet.service 600 0:0 '[Service]
ExecStart=/usr/bin/kubelet --config /etc/kubernetes/kubelet/kubelet-config.yaml --kubeconfig /var/lib/kubelet/kubeconfig
'
put "$E" /var/lib/kubelet/kubeconfig 600 0:0 'apiVersion: v1
'
put "$E" /etc/kubernetes/proxy.conf 600 0:0 'apiVersion: v1
'
dir "$E" /etc/kubernetes/pki 755 0:0
put "$E" /etc/kubernetes/pki/ca.crt 600 0:0 ca
put "$E" /etc/kubernetes/kubelet/kubelet-config.yaml 600 0:0 "$(cat "$G/var/lib/kubelet/config.yaml")
"

# kubeadm's layout: flags through variables, the config file named only by
# --config (in a place no candidate list would guess)
for kind in kubeadm flags; do
  K=$OUT/k8s-good-$kind
  [ $kind = flags ] && K=$OUT/k8s-bad-flags
  base "$K" "$(basename "$K")"
  put "$K" /usr/bin/kubelet 755 0:0
  put "$K" /etc/systemd/system/kubelet.service.d/10-kubeadm.conf 600 0:0 '[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/opt/kube/kubelet.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS ${KUBELET_EXTRA_ARGS}
'
  put "$K" /var/lib/kubelet/kubeadm-flags.env 644 0:0 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock"
'
  if [ $kind = flags ]; then
    # the flags override a good config file: the kubelet obeys the flags
    put "$K" /etc/default/kubelet 644 0:0 'KUBELET_EXTRA_ARGS="--anonymous-auth=true --read-only-port=10255 --authorization-mode=Node,AlwaysAllow --hostname-override=node-x"
'
  fi
  put "$K" /etc/kubernetes/kubelet.conf 600 0:0 'apiVersion: v1
'
  dir "$K" /etc/kubernetes/pki 755 0:0
  put "$K" /etc/kubernetes/pki/ca.crt 600 0:0 ca
  put "$K" /opt/kube/kubelet.yaml 600 0:0 "$(cat "$G/var/lib/kubelet/config.yaml")
"
done

B=$OUT/k8s-bad
base "$B" k8s-bad
put "$B" /usr/bin/kubelet 755 0:0
put "$B" /lib/systemd/system/kubelet.service 644 1000:0 '[Service]
ExecStart=/usr/bin/kubelet
'
put "$B" /etc/kubernetes/kubelet.conf 644 1000:1000 'apiVersion: v1
'
put "$B" /var/lib/kube-proxy/kubeconfig.conf 666 0:0 'apiVersion: v1
'
dir "$B" /etc/kubernetes/pki 755 1000:0
put "$B" /etc/kubernetes/pki/ca.crt 644 0:0 ca
put "$B" /etc/kubernetes/pki/apiserver.key 644 0:0 key
put "$B" /etc/kubernetes/pki/front-proxy.crt 664 0:1000 cert
put "$B" /var/lib/kubelet/config.yaml 644 0:0 'apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: true
authorization:
  mode: AlwaysAllow
readOnlyPort: 10255
streamingConnectionIdleTimeout: 0
makeIPTablesUtilChains: false
rotateCertificates: false
featureGates:
  RotateKubeletServerCertificate: false
'

############################################################ host
G=$OUT/host-good
base "$G" host-good
put "$G" /etc/shadow 640 0:42 'root:*:19000:0:99999:7:::
'
put "$G" /usr/lib/sysctl.d/50-default.conf 644 0:0 'kernel.kptr_restrict = 0
fs.protected_hardlinks = 1
fs.protected_symlinks = 1
'
put "$G" /etc/sysctl.d/90-hardening.conf 644 0:0 '# a later file wins over the distribution default
kernel.kptr_restrict = 2
kernel.dmesg_restrict = 1
kernel/unprivileged_bpf_disabled = 2
kernel.yama.ptrace_scope = 1
net.ipv4.conf.all.send_redirects = 0
-net.ipv4.conf.all.accept_redirects = 0
user.max_user_namespaces = 15000
'
put "$G" /etc/sysctl.conf 644 0:0 'kernel.randomize_va_space=2
'
put "$G" /boot/config-6.1.0-18-amd64 644 0:0 'CONFIG_SECCOMP=y
CONFIG_SECCOMP_FILTER=y
'
put "$G" /etc/default/grub 644 0:0 'GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX="apparmor=1 security=apparmor systemd.unified_cgroup_hierarchy=1"
'
put "$G" /etc/systemd/system/multi-user.target.wants/auditd.service 644 0:0 '[Service]
ExecStart=/sbin/auditd
'
put "$G" /etc/fstab 644 0:0 '/dev/vda1 / ext4 defaults 0 1
tmpfs /tmp tmpfs defaults,nodev,nosuid,noexec 0 0
'
put "$G" /etc/audit/audit.rules 640 0:0 '-w /etc/passwd -p wa -k identity
-w /etc/group -p wa -k identity
-w /etc/shadow -p wa -k identity
'

B=$OUT/host-bad
base "$B" host-bad
put "$B" /etc/shadow 644 1000:0 'root:*:19000:0:99999:7:::
'
put "$B" /etc/sysctl.d/10-weak.conf 644 0:0 'kernel.randomize_va_space = 0
kernel.kptr_restrict = 0
kernel.dmesg_restrict = 0
kernel.unprivileged_bpf_disabled = 0
kernel.yama.ptrace_scope = 0
fs.protected_hardlinks = 0
fs.protected_symlinks = 0
fs.suid_dumpable = 2
net.ipv4.conf.all.send_redirects = 1
net.ipv4.conf.all.accept_redirects = 1
user.max_user_namespaces = 0
'
put "$B" /boot/config-6.1.0-18-amd64 644 0:0 '# CONFIG_SECCOMP_FILTER is not set
'
put "$B" /etc/default/grub 644 0:0 'GRUB_CMDLINE_LINUX="apparmor=0 quiet"
'
put "$B" /etc/fstab 644 0:0 '/dev/vda1 / ext4 defaults 0 1
/dev/vda2 /tmp ext4 defaults,nosuid 0 2
'

############################################################ containers
# Every engine's on-disk state: a hardened and an insecure container each.
oci_good='{"ociVersion":"1.0.2","process":{"user":{"uid":1000,"gid":1000},"args":["/app"],
 "capabilities":{"bounding":["CAP_CHOWN","CAP_NET_BIND_SERVICE"]},"noNewPrivileges":true,
 "apparmorProfile":"containers-default-0.50.0"},
 "root":{"path":"/var/lib/containers/storage/overlay/x/merged","readonly":true},
 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
  {"destination":"/data","type":"bind","source":"/srv/app/data","options":["rbind","ro","rprivate"]}],
 "linux":{"namespaces":[{"type":"pid"},{"type":"network","path":"/run/netns/cni-1"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}],
  "resources":{"memory":{"limit":268435456},"cpu":{"quota":50000,"period":100000},"pids":{"limit":100}},
  "seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]},
  "maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"]},
 "annotations":{"io.podman.annotations.privileged":"FALSE"}}'
oci_bad='{"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["/bin/sh"],
 "capabilities":{"bounding":["CAP_CHOWN","CAP_SYS_ADMIN","CAP_NET_ADMIN","CAP_SYS_PTRACE"]}},
 "root":{"path":"/var/lib/containers/storage/overlay/y/merged"},
 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
  {"destination":"/host","type":"bind","source":"/","options":["rbind","rw","rshared"]},
  {"destination":"/var/run/docker.sock","type":"bind","source":"/var/run/docker.sock","options":["rbind"]},
  {"destination":"/hostetc","source":"/etc/","options":["bind","ro"]}],
 "linux":{"namespaces":[{"type":"mount"},{"type":"network","path":"/proc/1/ns/net"}],
  "devices":[{"path":"/dev/kmsg","type":"c","major":1,"minor":11}],
  "resources":{"pids":{"limit":0}}},
 "annotations":{"io.kubernetes.cri.container-name":"debug","io.kubernetes.cri.sandbox-name":"tools"}}'
for kind in good bad; do
  R=$OUT/containers-$kind
  base "$R" "containers-$kind"
  if [ $kind = good ]; then oci=$oci_good; else oci=$oci_bad; fi
  # podman (overlay driver)
  id=aaaa${kind}0000000000000000000000000000000000000000000000000000000
  id=${id:0:64}
  put "$R" /var/lib/containers/storage/overlay-containers/containers.json 600 0:0 \
    "[{\"id\":\"$id\",\"names\":[\"web-$kind\"],\"image\":\"abc\",\"metadata\":\"{\\\"image-name\\\":\\\"registry.example/web:1\\\"}\"}]"
  put "$R" /var/lib/containers/storage/overlay-containers/$id/userdata/config.json 600 0:0 "$oci"
  # containerd (a running CRI task, plus the pod's sandbox that is skipped)
  put "$R" /run/containerd/io.containerd.runtime.v2.task/k8s.io/cccc$kind/config.json 600 0:0 "$oci"
  put "$R" /run/containerd/io.containerd.runtime.v2.task/k8s.io/pause$kind/config.json 600 0:0 \
    '{"process":{"user":{"uid":65535}},"annotations":{"io.kubernetes.cri.container-type":"sandbox"}}'
  # Docker
  did=dddd${kind}000000000000000000000000000000000000000000000000000000000
  did=${did:0:64}
  if [ $kind = good ]; then
    cfg='{"ID":"'$did'","Name":"/api-good","State":{"Running":true},"Config":{"User":"1000:1000","Image":"registry.example/api:2",
      "Healthcheck":{"Test":["CMD","/app","--health"]}},
      "MountPoints":{"/data":{"Source":"/srv/api","Destination":"/data","RW":false,"Type":"bind","Propagation":"rprivate"}},"AppArmorProfile":"docker-default"}'
    hc='{"Binds":["/srv/api:/data:ro"],"Privileged":false,"CapAdd":null,"CapDrop":["ALL"],"PidMode":"","IpcMode":"private",
      "NetworkMode":"api-net","UTSMode":"","UsernsMode":"","SecurityOpt":["no-new-privileges:true"],"ReadonlyRootfs":true,
      "Memory":536870912,"NanoCpus":1000000000,"PidsLimit":200,"PortBindings":{"8080/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]},
      "RestartPolicy":{"Name":"on-failure","MaximumRetryCount":5},"Devices":[]}'
  else
    cfg='{"ID":"'$did'","Name":"/api-bad","State":{"Running":false},"Config":{"User":"","Image":"registry.example/api:2"},
      "MountPoints":{"/var/run/docker.sock":{"Source":"/run/docker.sock","Destination":"/var/run/docker.sock","RW":true,"Type":"bind"},
                     "/rootfs":{"Source":"/","Destination":"/rootfs","RW":true,"Type":"bind","Propagation":"rshared"}},"AppArmorProfile":""}'
    hc='{"Binds":["/run/docker.sock:/var/run/docker.sock","/:/rootfs:rshared"],"Privileged":true,"CapAdd":["SYS_ADMIN","NET_ADMIN"],
      "PidMode":"host","IpcMode":"host","NetworkMode":"host","UTSMode":"host","UsernsMode":"host","CgroupParent":"/escape",
      "SecurityOpt":["seccomp=unconfined","apparmor=unconfined"],"ReadonlyRootfs":false,"Memory":0,"NanoCpus":0,"CpuShares":0,
      "PidsLimit":null,"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"80"}],"22/tcp":[{"HostIp":"","HostPort":"2222"}]},
      "RestartPolicy":{"Name":"always","MaximumRetryCount":0},"Devices":[{"PathOnHost":"/dev/mem","PathInContainer":"/dev/mem","CgroupPermissions":"rwm"}]}'
  fi
  put "$R" /var/lib/docker/containers/$did/config.v2.json 600 0:0 "$cfg"
  put "$R" /var/lib/docker/containers/$did/hostconfig.json 600 0:0 "$hc"
  if [ $kind = good ]; then good_cfg=$cfg; good_hc=$hc; fi
done
# a hardened Docker container whose only fault is the default bridge
R=$OUT/containers-bad
bid=eeee000000000000000000000000000000000000000000000000000000000000
put "$R" /var/lib/docker/containers/$bid/config.v2.json 600 0:0 "${good_cfg/api-good/api-bridge}"
put "$R" /var/lib/docker/containers/$bid/hostconfig.json 600 0:0 "${good_hc/api-net/bridge}"

############################################################ images
# podman's and Docker's stores, with one image each: a hardened build and
# an insecure one (root user, no health check, stale index layer, ADD).
img_good='{"architecture":"amd64","os":"linux","config":{"User":"10001:10001","Entrypoint":["/app"],
 "Healthcheck":{"Test":["CMD","/app","--health"],"Interval":30000000000}},
 "history":[{"created_by":"/bin/sh -c #(nop) ADD file:0f3c in / "},
  {"created_by":"RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates # buildkit"},
  {"created_by":"COPY app /app # buildkit"},{"created_by":"USER 10001:10001","empty_layer":true}]}'
img_bad='{"architecture":"amd64","os":"linux","config":{"User":"","Cmd":["/bin/sh"],"Healthcheck":{"Test":["NONE"]}},
 "history":[{"created_by":"/bin/sh -c #(nop) ADD file:0f3c in / "},
  {"created_by":"/bin/sh -c apt-get update"},
  {"created_by":"/bin/sh -c apt-get install -y curl"},
  {"created_by":"/bin/sh -c #(nop) ADD https://example.com/tool.tar.gz /opt/ "}]}'
for kind in good bad; do
  R=$OUT/images-$kind
  base "$R" "images-$kind"
  if [ $kind = good ]; then cfg=$img_good; else cfg=$img_bad; fi
  id=$(printf '%s' "$cfg" | sha256sum | cut -c1-64)
  put "$R" /var/lib/containers/storage/overlay-images/images.json 600 0:0 \
    "[{\"id\":\"$id\",\"names\":[\"registry.example/app-$kind:1\"],\"big-data-names\":[\"sha256:$id\",\"manifest\"]}]"
  put "$R" "/var/lib/containers/storage/overlay-images/$id/=$(printf 'sha256:%s' "$id" | base64 -w0)" 600 0:0 "$cfg"
  put "$R" /var/lib/docker/image/overlay2/imagedb/content/sha256/$id 600 0:0 "$cfg"
  put "$R" /var/lib/docker/image/overlay2/repositories.json 600 0:0 \
    "{\"Repositories\":{\"registry.example/tool-$kind\":{\"registry.example/tool-$kind:2\":\"sha256:$id\"}}}"
done
