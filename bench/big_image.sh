#!/usr/bin/env bash
# bench/big_image.sh - sourced by the benchmark scripts: build_big builds, once, a
# bigger Debian 12 image into $CACHE/images/debian12-big.tar. Expects CACHE and log().

# ---- a bigger image, built once offline: Debian 12 with python, node/npm (hundreds of node
#      modules), a JRE with jars, and Go binaries
build_big() {
  local d="$CACHE/images" root
  [ -s "$d/debian12-big.tar" ] && return 0
  command -v debootstrap >/dev/null && command -v podman >/dev/null || { log "no debootstrap/podman: skipping the big image"; return 1; }
  mkdir -p "$d"; root="$d/big-rootfs"
  local mirror
  mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -- -security | head -n1 || true)
  log "building debian12-big with debootstrap (one-off, a few minutes) from ${mirror:-deb.debian.org}"
  rm -rf "$root"
  debootstrap --variant=minbase bookworm "$root" "${mirror:-http://deb.debian.org/debian}" \
    >"$d/debootstrap.log" 2>&1 || { tail -n 20 "$d/debootstrap.log" >&2; return 1; }
  # debootstrap --include cannot resolve npm's dependency tree: install the rest with apt in a chroot
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"
  local rc=0
  DEBIAN_FRONTEND=noninteractive chroot "$root" sh -c 'apt-get update -q && apt-get install -y -q --no-install-recommends \
      python3 python3-requests python3-yaml python3-pip npm default-jre-headless libcommons-lang3-java \
      libslf4j-java skopeo runc containerd' >>"$d/debootstrap.log" 2>&1 || rc=$?
  umount "$root/proc"
  rm -f "$root/usr/sbin/policy-rc.d"
  [ "$rc" = 0 ] || { tail -n 20 "$d/debootstrap.log" >&2; return 1; }
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  local P=(podman --root "$d/.podman/root" --runroot "$d/.podman/run" --storage-driver vfs)
  tar -C "$root" --numeric-owner -cf "$d/big-rootfs.tar" .
  "${P[@]}" import --quiet "$d/big-rootfs.tar" localhost/comb-bench/debian12-big:latest >/dev/null
  rm -f "$d/big-rootfs.tar"
  "${P[@]}" save --format docker-archive -o "$d/debian12-big.tar.tmp" localhost/comb-bench/debian12-big:latest >/dev/null
  "${P[@]}" rmi -f localhost/comb-bench/debian12-big:latest >/dev/null 2>&1 || true
  rm -rf "$root" "$d/.podman"
  mv "$d/debian12-big.tar.tmp" "$d/debian12-big.tar"
}

