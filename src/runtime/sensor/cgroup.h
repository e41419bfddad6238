/* cgroup.h - which container a cgroup path belongs to.
 *
 * Container runtimes put each container in a cgroup whose directory name
 * carries the 64-hex container id:
 *   podman    .../libpod-<id>.scope[/container]   (cgroupfs: .../libpod-<id>)
 *   docker    .../docker-<id>.scope               (cgroupfs: /docker/<id>)
 *   containerd .../cri-containerd-<id>.scope      (cgroupfs: /kubepods/.../<id>)
 *   cri-o     .../crio-<id>.scope
 * The conmon/shim helpers live in "libpod-conmon-<id>.scope" and
 * "crio-conmon-<id>.scope": those are not the container. Anything else is
 * the host.
 */
#ifndef COMB_RUNTIME_SENSOR_CGROUP_H
#define COMB_RUNTIME_SENSOR_CGROUP_H

#include <stddef.h>

#define COMB_CONTAINER_ID_LEN 64

/* Find the container id in a cgroup path ("/machine.slice/libpod-...scope",
 * any number of components; the innermost match wins). On a match, writes
 * the 64 lower-case hex digits and a NUL to id, sets *runtime ("podman",
 * "docker", "containerd", "cri-o") and returns 1; returns 0 for the host. */
int comb_cgroup_container_id(const char *path, char id[COMB_CONTAINER_ID_LEN + 1],
                             const char **runtime);

/* The cgroup v2 path in the text of /proc/PID/cgroup (the "0::" line), copied
 * into out (NUL-terminated); 0 when found, -1 otherwise. */
int comb_cgroup_v2_path(const char *proc_cgroup, char *out, size_t outsz);

#endif
