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

#include "enforce.bpf.h"
#include "exe_origin.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define EPERM_ 1

SEC("lsm/bprm_check_security")
int BPF_PROG(enforce_bprm, struct linux_binprm *bprm, int ret)
{
    if (ret)
        return ret;
    if (!in_enforced())
        return 0;
    struct file *f = BPF_CORE_READ(bprm, file);
    if (f && (exe_origin(f) & (SENSOR_EXEC_MEMFD | SENSOR_EXEC_UPPER)))
        return -EPERM_;
    return 0;
}
