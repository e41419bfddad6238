// SPDX-License-Identifier: GPL-2.0
/* enforce.bpf.c - `comb watch --enforce`: act in the kernel, with no round
 * trip to user space.
 *   tp_btf/sched_process_exec  a process of an enforced container (its cgroup,
 *                              or one of its ancestors, is in `enforced`) that
 *                              execs a binary from the overlay upper layer or a
 *                              memfd (drift from the image) gets SIGKILL before
 *                              its first instruction
 *   cgroup/connect4, connect6  attached by user space to an isolated
 *                              container's cgroup: every connect() is refused
 *                              (EPERM) while the link lives
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "enforce.bpf.h"
#include "exe_origin.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define SIGKILL_ 9

/* [0] drift kills, [1] connects refused */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} enforce_counters SEC(".maps");

static __always_inline void bump(__u32 k)
{
    __u64 *c = bpf_map_lookup_elem(&enforce_counters, &k);
    if (c)
        __sync_fetch_and_add(c, 1);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(enforce_exec, struct task_struct *t, pid_t old_pid, struct linux_binprm *bprm)
{
    if (!in_enforced())
        return 0;
    struct file *exe = BPF_CORE_READ(t, mm, exe_file);
    if (!exe)
        return 0;
    if (exe_origin(exe) & (SENSOR_EXEC_MEMFD | SENSOR_EXEC_UPPER)) {
        bpf_send_signal(SIGKILL_);
        bump(0);
    }
    return 0;
}

SEC("cgroup/connect4")
int enforce_connect4(struct bpf_sock_addr *ctx)
{
    bump(1);
    return 0;
}

SEC("cgroup/connect6")
int enforce_connect6(struct bpf_sock_addr *ctx)
{
    bump(1);
    return 0;
}
