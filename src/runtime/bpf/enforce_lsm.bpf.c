// SPDX-License-Identifier: GPL-2.0
/* enforce_lsm.bpf.c - `comb watch --enforce`, where the kernel permits BPF
 * LSM programs: a drifted binary (overlay upper layer or memfd) in an
 * enforced container is refused at exec (EPERM) instead of being killed after
 * it (enforce.bpf.c). Loaded only when a probe at start shows the kernel takes
 * it; the `enforced` map is enforce.bpf.c's, shared by user space. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "exe_origin.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define EPERM_ 1

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u64);
    __type(value, __u8);
} enforced SEC(".maps");

SEC("lsm/bprm_check_security")
int BPF_PROG(enforce_bprm, struct linux_binprm *bprm, int ret)
{
    if (ret)
        return ret;
    __u64 id = bpf_get_current_cgroup_id();
    int hit = bpf_map_lookup_elem(&enforced, &id) != 0;
    for (int lvl = 1; lvl <= 8 && !hit; lvl++) {
        id = bpf_get_current_ancestor_cgroup_id(lvl);
        if (!id)
            break;
        hit = bpf_map_lookup_elem(&enforced, &id) != 0;
    }
    if (!hit)
        return 0;
    struct file *f = BPF_CORE_READ(bprm, file);
    if (f && (exe_origin(f) & (SENSOR_EXEC_MEMFD | SENSOR_EXEC_UPPER)))
        return -EPERM_;
    return 0;
}
