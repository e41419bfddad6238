// SPDX-License-Identifier: GPL-2.0
/* sensor.bpf.c - comb's kernel-side sensor.
 *
 * BTF tracepoints only (no kprobes, fentry or LSM: they are refused on the
 * machines comb targets):
 *   sys_enter/sys_exit      syscalls selected by the `wanted` map; arguments are
 *                           saved at entry (task storage) and the record is
 *                           written at exit, when the result is known (user
 *                           memory that the call read is still there); chdir
 *                           and fchdir always, for the working directory; an
 *                           openat relative to a directory fd gets the opened
 *                           file's path as a record of its own
 *   sched_process_exec      argv, executable path, cwd, ids, caps, tty, cgroup
 *   sched_process_fork/exit process lifetime, so user space can keep a table
 * Records go into one ring buffer per CPU (group): `rings`, an array of ring
 * buffers created by user space, indexed by CPU % nrings, so a CPU that
 * floods its ring cannot take space from the others. Every record carries a
 * boot-time stamp; user space merges the rings by it (runtime/sensor/sensor.c).
 * A full ring loses the record and counts a drop on that CPU (and so that
 * ring): the per-CPU counters are the per-ring ones.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sensor_abi.h"
#include "exe_origin.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The watcher itself: its own /proc reads must not feed back into the ring. */
const volatile __u32 self_tgid = 0;

/* Rings: the outer array is sized (nrings) and filled with ring buffers of
 * --buffer-size / nrings bytes by user space between load and attach. */
const volatile __u32 nrings = 1;

struct ring_inner {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 << 10);
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 1);
    __type(key, __u32);
    __array(values, struct ring_inner);
} rings SEC(".maps");

/* wanted[syscall number] != 0: the loaded rules need this syscall. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, SENSOR_MAX_SYSCALL);
    __type(key, __u32);
    __type(value, __u8);
} wanted SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, SENSOR_CNT_NCOUNTERS);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

struct inflight {
    __s64 id;
    __u64 args[6];
};

/* Arguments of the syscall each thread is in, from entry to exit: task
 * storage lives and dies with the thread, and costs less than a hash. */
struct {
    __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, struct inflight);
} calls SEC(".maps");

/* Flavour of kernfs_node before 6.15 renamed `parent`. */
struct kernfs_node___old {
    struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline void count(__u32 slot)
{
    __u64 *c = bpf_map_lookup_elem(&counters, &slot);
    if (c)
        *c += 1;
}

/* min(v, size - 1) in a form the verifier can bound (size: a power of two):
 * the mask is applied to the very register passed to the helper. */
static __always_inline __u32 bounded(__u64 v, __u32 size)
{
    __u32 n = v >= size ? size - 1 : (__u32)v;
    asm volatile("" : "+r"(n)); /* keep the compiler from dropping the mask */
    return n & (size - 1);
}

/* This CPU's ring (NULL only if user space left the slot empty). */
static __always_inline void *my_ring(void)
{
    __u32 n = nrings ? nrings : 1;
    __u32 k = bpf_get_smp_processor_id() % n;
    return bpf_map_lookup_elem(&rings, &k);
}

static __always_inline void *reserve(void *ring, __u64 size)
{
    void *r = ring ? bpf_ringbuf_reserve(ring, size, 0) : NULL;
    count(r ? SENSOR_CNT_EVENTS : SENSOR_CNT_DROPS);
    return r;
}

static __always_inline void fill_hdr(struct sensor_hdr *h, __u32 kind, struct task_struct *t)
{
    __u64 ug = bpf_get_current_uid_gid();
    h->kind = kind;
    h->cpu = bpf_get_smp_processor_id();
    h->ts = bpf_ktime_get_boot_ns();
    h->tgid = BPF_CORE_READ(t, tgid);
    h->tid = BPF_CORE_READ(t, pid);
    h->ppid = BPF_CORE_READ(t, real_parent, tgid);
    h->uid = (__u32)ug;
    h->gid = (__u32)(ug >> 32);
    h->pad = 0;
    h->cgroup_id = bpf_get_current_cgroup_id();
    /* kernel_cap_t is a u64 since 6.3 and two u32 before: 8 bytes either way */
    h->cap_effective = 0;
    BPF_CORE_READ_INTO(&h->cap_effective, t, cred, cap_effective);
    bpf_get_current_comm(h->comm, sizeof h->comm);
}

/* Waking the reader for every record costs more than the record itself
 * under load: syscall records wake it only once WAKEUP_BYTES (a quarter of a
 * smaller ring) are pending
 * (the reader also polls on a short timeout); process records, on which most
 * rules fire, wake it at once. */
#define WAKEUP_BYTES (256 << 10)

static __always_inline __u64 wakeup(void *ring, int urgent)
{
    __u64 pending = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
    __u64 limit = bpf_ringbuf_query(ring, BPF_RB_RING_SIZE) / 4; /* small rings */
    if (limit > WAKEUP_BYTES)
        limit = WAKEUP_BYTES;
    return urgent || pending >= limit ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void submit(void *ring, void *r, int urgent)
{
    bpf_ringbuf_submit(r, wakeup(ring, urgent));
}

/* Syscall records are built here and copied into the ring only as far as
 * they are used (bpf_ringbuf_output): most are a few hundred bytes, not the
 * 1.3 KiB of the whole struct. One per CPU: sys_exit does not nest. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct sensor_syscall);
} scratch SEC(".maps");

static __always_inline int skip_self(void)
{
    return self_tgid && (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

/* x86-64 syscall numbers the sensor knows how to capture. */
enum {
    NR_open = 2, NR_dup = 32, NR_dup2 = 33, NR_socket = 41, NR_connect = 42, NR_accept = 43,
    NR_bind = 49, NR_listen = 50, NR_rename = 82, NR_link = 86, NR_unlink = 87,
    NR_symlink = 88, NR_chmod = 90, NR_ptrace = 101, NR_mount = 165, NR_umount2 = 166,
    NR_init_module = 175, NR_openat = 257, NR_unlinkat = 263, NR_renameat = 264,
    NR_linkat = 265, NR_symlinkat = 266, NR_fchmodat = 268, NR_accept4 = 288, NR_dup3 = 292,
    NR_finit_module = 313, NR_renameat2 = 316, NR_memfd_create = 319, NR_openat2 = 437,
    NR_sendto = 44, NR_sendmsg = 46, NR_mkdir = 83, NR_rmdir = 84, NR_creat = 85, NR_mkdirat = 258, NR_chdir = 80, NR_fchdir = 81,
};

/* Which arguments are user-space strings (-1: none). */
static __always_inline void string_args(__s64 id, int *a, int *b)
{
    *a = -1;
    *b = -1;
    switch (id) {
    case NR_open: case NR_unlink: case NR_chmod: case NR_umount2: case NR_memfd_create:
    case NR_mkdir: case NR_rmdir: case NR_creat:
        *a = 0; break;
    case NR_openat: case NR_openat2: case NR_unlinkat: case NR_fchmodat: case NR_finit_module:
    case NR_mkdirat:
        *a = 1; break;
    case NR_init_module: *a = 2; break;
    case NR_rename: case NR_link: case NR_symlink: case NR_mount:
        *a = 0; *b = 1; break;
    case NR_renameat: case NR_renameat2: case NR_linkat:
        *a = 1; *b = 3; break;
    case NR_symlinkat: *a = 0; *b = 2; break;
    }
}

/* The socket behind fd (NULL when fd is not a socket). */
static __always_inline struct sock *sock_of_fd(struct task_struct *t, __s64 fd)
{
    if (fd < 0 || fd >= 1 << 20)
        return NULL;
    struct file **fds = BPF_CORE_READ(t, files, fdt, fd);
    unsigned int max = BPF_CORE_READ(t, files, fdt, max_fds);
    if (!fds || fd >= max)
        return NULL;
    struct file *f = NULL;
    bpf_probe_read_kernel(&f, sizeof f, &fds[fd]);
    if (!f)
        return NULL;
    umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
    if ((mode & 00170000) != 0140000) /* S_IFSOCK */
        return NULL;
    struct socket *sock = BPF_CORE_READ(f, private_data);
    return BPF_CORE_READ(sock, sk);
}

/* Family, protocol and local address of the socket behind fd. */
static __always_inline void sock_info(struct sensor_syscall *r, struct task_struct *t, __s64 fd)
{
    struct sock *sk = sock_of_fd(t, fd);
    if (!sk)
        return;
    r->fd_family = BPF_CORE_READ(sk, __sk_common.skc_family);
    r->fd_proto = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
    r->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
    r->sk_state = BPF_CORE_READ(sk, __sk_common.skc_state);
    if (r->fd_family == 2)
        BPF_CORE_READ_INTO((__u32 *)r->laddr, sk, __sk_common.skc_rcv_saddr);
    else if (r->fd_family == 10)
        BPF_CORE_READ_INTO((struct in6_addr *)r->laddr, sk, __sk_common.skc_v6_rcv_saddr);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
    if (id < 0 || id >= SENSOR_MAX_SYSCALL || skip_self())
        return 0;
    __u32 key = (__u32)id;
    __u8 *want = bpf_map_lookup_elem(&wanted, &key);
    /* chdir and fchdir are always followed: relative paths depend on them */
    if ((!want || !*want) && id != NR_chdir && id != NR_fchdir)
        return 0;
    struct inflight *in = bpf_task_storage_get(&calls, bpf_get_current_task_btf(), 0,
                                               BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (!in)
        return 0;
    in->id = id;
    in->args[0] = BPF_CORE_READ(regs, di);
    in->args[1] = BPF_CORE_READ(regs, si);
    in->args[2] = BPF_CORE_READ(regs, dx);
    in->args[3] = BPF_CORE_READ(regs, r10);
    in->args[4] = BPF_CORE_READ(regs, r8);
    in->args[5] = BPF_CORE_READ(regs, r9);
    return 0;
}

static __noinline int emit_cwd(void);
static __noinline int emit_fdpath(long fd);

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
    /* most syscalls are not wanted: an array lookup spares the storage lookup */
    long nr = BPF_CORE_READ(regs, orig_ax);
    if (nr < 0 || nr >= SENSOR_MAX_SYSCALL)
        return 0;
    __u32 key = (__u32)nr;
    __u8 *want = bpf_map_lookup_elem(&wanted, &key);
    if ((!want || !*want) && nr != NR_chdir && nr != NR_fchdir)
        return 0;
    struct inflight *in = bpf_task_storage_get(&calls, bpf_get_current_task_btf(), 0, 0);
    /* id -1: nothing in flight (the slot is kept for the thread's next call) */
    if (!in || in->id != nr)
        return 0;
    in->id = -1;
    if (nr == NR_chdir || nr == NR_fchdir) {
        if (ret == 0)
            emit_cwd();
        return 0;
    }
    /* openat(dirfd, "relative"): user space cannot know what dirfd names, the
     * kernel can: the opened file's path goes first, as its own record */
    if ((nr == NR_openat || nr == NR_openat2) && ret >= 0 && (int)in->args[0] != -100) {
        char c = '/';
        bpf_probe_read_user(&c, 1, (void *)in->args[1]);
        if (c != '/')
            emit_fdpath(ret);
    }
    void *ring = my_ring();
    __u32 zero = 0;
    struct sensor_syscall *r = bpf_map_lookup_elem(&scratch, &zero);
    if (!r || !ring)
        return 0;
    struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
    fill_hdr(&r->h, SENSOR_EV_SYSCALL, t);
    r->id = nr;
    r->ret = ret;
    for (int i = 0; i < 6; i++)
        r->args[i] = in->args[i];
    r->str_len[0] = r->str_len[1] = 0;
    r->addr_len = 0;
    r->fd_family = r->fd_proto = r->lport = 0;
    r->sk_state = 0;
    __builtin_memset(r->laddr, 0, sizeof r->laddr);
    __builtin_memset(r->pad3, 0, sizeof r->pad3);

    int a, b;
    string_args(r->id, &a, &b);
    if (a >= 0 && a < 6) {
        long n = bpf_probe_read_user_str(r->str[0], SENSOR_STR_LEN, (void *)r->args[a]);
        r->str_len[0] = n > 0 ? n : 0;
    }
    if (b >= 0 && b < 6) {
        long n = bpf_probe_read_user_str(r->str[1], SENSOR_STR_LEN, (void *)r->args[b]);
        r->str_len[1] = n > 0 ? n : 0;
    }
    if (r->id == NR_connect || r->id == NR_bind) {
        __u64 len = bounded(r->args[2], SENSOR_ADDR_LEN);
        if (len && !bpf_probe_read_user(r->addr, len, (void *)r->args[1]))
            r->addr_len = len;
        sock_info(r, t, (__s64)r->args[0]);
    } else if ((r->id == NR_accept || r->id == NR_accept4) && ret >= 0) {
        /* the kernel wrote the peer address and its length into user memory */
        int len = 0;
        if (r->args[1] && r->args[2] &&
            !bpf_probe_read_user(&len, sizeof len, (void *)r->args[2]) && len > 0) {
            __u32 n = bounded((__u32)len, SENSOR_ADDR_LEN);
            if (!bpf_probe_read_user(r->addr, n, (void *)r->args[1]))
                r->addr_len = n;
        }
        sock_info(r, t, ret);
    } else if (r->id == NR_sendto || r->id == NR_sendmsg) {
        /* the destination: sendto's argument, or msg_name of the msghdr
         * (a pointer then an int at the start of struct user_msghdr) */
        __u64 name = r->args[4], nlen = r->args[5];
        if (r->id == NR_sendmsg) {
            struct { __u64 name; __s32 len; } mh = {};
            if (bpf_probe_read_user(&mh, sizeof mh, (void *)r->args[1]))
                mh.name = 0;
            name = mh.name;
            nlen = mh.len > 0 ? (__u64)mh.len : 0;
        }
        __u64 len = bounded(nlen, SENSOR_ADDR_LEN);
        if (name && len && !bpf_probe_read_user(r->addr, len, (void *)name))
            r->addr_len = len;
        sock_info(r, t, (__s64)r->args[0]);
    } else if (r->id == NR_openat2) {
        /* flags are the first member of struct open_how */
        if (!bpf_probe_read_user(r->addr, 8, (void *)r->args[2]))
            r->addr_len = 8;
    } else if (r->id == NR_dup || r->id == NR_dup2 || r->id == NR_dup3 || r->id == NR_listen) {
        sock_info(r, t, r->id == NR_listen ? (__s64)r->args[0] : ret);
    }
    __u32 used = r->str_len[1] ? SENSOR_STR_LEN + r->str_len[1] : r->str_len[0];
    __u64 len = (SENSOR_SYSCALL_FIXED + (__u64)used + 7) & ~7ull;
    if (len > sizeof *r)
        len = sizeof *r;
    asm volatile("" : "+r"(len));
    if (len < SENSOR_SYSCALL_FIXED)
        len = SENSOR_SYSCALL_FIXED;
    count(bpf_ringbuf_output(ring, r, len, wakeup(ring, 0)) ? SENSOR_CNT_DROPS
                                                             : SENSOR_CNT_EVENTS);
    return 0;
}

/* The process's pid as seen inside its own pid namespace (a container's). */
static __always_inline __u32 vpid_of(struct task_struct *t)
{
    struct pid *p = BPF_CORE_READ(t, group_leader, thread_pid);
    if (!p)
        return 0;
    unsigned int level = BPF_CORE_READ(p, level);
    struct upid up = {};
    bpf_probe_read_kernel(&up, sizeof up,
                          (char *)p + bpf_core_field_offset(struct pid, numbers) +
                              (level & 31) * bpf_core_type_size(struct upid));
    return up.nr;
}

static __always_inline __u32 tty_of(struct task_struct *t)
{
    struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
    if (!tty)
        return 0;
    __u32 major = BPF_CORE_READ(tty, driver, major);
    __u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
    /* the kernel's new_encode_dev(), as Falco reports proc.tty */
    return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
    if (bpf_core_field_exists(kn->__parent))
        return BPF_CORE_READ(kn, __parent);
    return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* Walking the executable's path, one dentry per bpf_loop() step: the
 * verifier checks the step once instead of every unrolled iteration. */
struct walk {
    struct dentry *d, *root;
    struct vfsmount *vmnt, *rootmnt;
    struct mount *mnt;
    const unsigned char *names[SENSOR_EXE_DEPTH];
    __u32 n;
    __u32 truncated;
};

static long walk_step(__u32 i, void *ctx)
{
    struct walk *w = ctx;
    /* locals: BPF_CORE_READ must not relocate accesses to struct walk */
    struct dentry *d = w->d;
    struct vfsmount *vmnt = w->vmnt;
    struct mount *mnt = w->mnt;
    if (d == w->root && vmnt == w->rootmnt)
        return 1;
    if (d == BPF_CORE_READ(vmnt, mnt_root)) {
        /* the top of a mount: continue from where it is mounted */
        struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);
        if (parent == mnt)
            return 1;
        w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
        w->mnt = parent;
        w->vmnt = &parent->mnt;
        return 0;
    }
    if (w->n >= SENSOR_EXE_DEPTH) {
        w->truncated = 1;
        return 1;
    }
    w->names[w->n & (SENSOR_EXE_DEPTH - 1)] = BPF_CORE_READ(d, d_name.name);
    w->n++;
    struct dentry *up = BPF_CORE_READ(d, d_parent);
    if (up == d)
        return 1;
    w->d = up;
    return 0;
}

/* Names of the path from (d, vmnt) up to the task's root (a container's
 * root for processes in containers), crossing mount points; returns 1 when
 * the path was deeper than the buffer. */
static __always_inline int walk_path(struct sensor_path *out, struct task_struct *t,
                                     struct dentry *d, struct vfsmount *vmnt)
{
    struct walk w = {};
    w.d = d;
    w.vmnt = vmnt;
    /* the offset as this kernel lays struct mount out (CO-RE) */
    w.mnt = (struct mount *)((char *)vmnt - bpf_core_field_offset(struct mount, mnt));
    w.root = BPF_CORE_READ(t, fs, root.dentry);
    w.rootmnt = BPF_CORE_READ(t, fs, root.mnt);
    bpf_loop(SENSOR_EXE_DEPTH + 8, walk_step, &w, 0);
    __u32 n = w.n < SENSOR_EXE_DEPTH ? w.n : SENSOR_EXE_DEPTH;
    for (__u32 i = 0; i < SENSOR_EXE_DEPTH; i++) {
        if (i >= n)
            break;
        bpf_probe_read_kernel_str(out->comp[i], SENSOR_EXE_COMP, w.names[i]);
    }
    out->depth = n;
    return w.truncated;
}

static __always_inline int walk_cwd(struct sensor_path *out, struct task_struct *t)
{
    return walk_path(out, t, BPF_CORE_READ(t, fs, pwd.dentry), BPF_CORE_READ(t, fs, pwd.mnt));
}

static __always_inline void exe_path(struct sensor_exec *r, struct task_struct *t)
{
    struct file *exe = BPF_CORE_READ(t, mm, exe_file);
    r->exe.depth = 0;
    if (!exe)
        return;
    struct dentry *leaf = BPF_CORE_READ(exe, f_path.dentry);
    r->flags |= exe_origin(exe);

    if (walk_path(&r->exe, t, leaf, BPF_CORE_READ(exe, f_path.mnt)))
        r->flags |= SENSOR_EXEC_EXE_TRUNC;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *t, pid_t old_pid, struct linux_binprm *bprm)
{
    if (skip_self())
        return 0;
    void *ring = my_ring();
    struct sensor_exec *r = reserve(ring, sizeof *r);
    if (!r)
        return 0;
    fill_hdr(&r->h, SENSOR_EV_EXEC, t);
    r->flags = 0;
    r->loginuid = (__u32)-1;
    if (bpf_core_field_exists(t->loginuid))
        r->loginuid = BPF_CORE_READ(t, loginuid.val);
    r->tty = tty_of(t);
    r->start_ns = BPF_CORE_READ(t, start_boottime);
    r->pad = 0;
    r->cap_permitted = r->cap_inheritable = 0;
    BPF_CORE_READ_INTO(&r->cap_permitted, t, cred, cap_permitted);
    BPF_CORE_READ_INTO(&r->cap_inheritable, t, cred, cap_inheritable);
    r->vpid = vpid_of(t);
    r->pad2 = 0;

    long n = bpf_probe_read_kernel_str(r->file, SENSOR_FILE_LEN, BPF_CORE_READ(bprm, filename));
    r->file_len = n > 0 ? n : 0;

    /* argv lies between arg_start and arg_end of the new image, NUL-separated */
    unsigned long start = BPF_CORE_READ(t, mm, arg_start);
    unsigned long end = BPF_CORE_READ(t, mm, arg_end);
    unsigned long len = end > start ? end - start : 0;
    if (len >= SENSOR_ARGS_LEN)
        r->flags |= SENSOR_EXEC_ARGS_TRUNC;
    len = bounded(len, SENSOR_ARGS_LEN);
    r->args_len = 0;
    if (len && !bpf_probe_read_user(r->args, len, (void *)start))
        r->args_len = len;

    /* the cgroup v2 directory and its parent: enough to name a container */
    struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);
    for (int i = 0; i < SENSOR_CG_LEVELS; i++) {
        r->cg_len[i] = 0;
        if (!kn)
            continue;
        long m = bpf_probe_read_kernel_str(r->cg[i], SENSOR_CGNAME_LEN, BPF_CORE_READ(kn, name));
        r->cg_len[i] = m > 0 ? m : 0;
        kn = kn_parent(kn);
    }
    exe_path(r, t);
    if (walk_cwd(&r->cwd, t))
        r->flags |= SENSOR_EXEC_CWD_TRUNC;
    submit(ring, r, 1);
    return 0;
}

/* The working directory after a successful chdir/fchdir. */
static __noinline int emit_cwd(void)
{
    void *ring = my_ring();
    struct sensor_cwd *r = reserve(ring, sizeof *r);
    if (!r)
        return 0;
    struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
    fill_hdr(&r->h, SENSOR_EV_CWD, t);
    r->pad = 0;
    r->flags = walk_cwd(&r->cwd, t) ? SENSOR_EXEC_CWD_TRUNC : 0;
    submit(ring, r, 0);
    return 0;
}

/* The path of the file fd refers to, walked from its dentry. */
static __noinline int emit_fdpath(long fd)
{
    struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
    if (fd < 0 || fd >= 1 << 20)
        return 0;
    struct file **fds = BPF_CORE_READ(t, files, fdt, fd);
    unsigned int max = BPF_CORE_READ(t, files, fdt, max_fds);
    if (!fds || fd >= max)
        return 0;
    struct file *f = NULL;
    bpf_probe_read_kernel(&f, sizeof f, &fds[fd]);
    if (!f)
        return 0;
    void *ring = my_ring();
    struct sensor_fdpath *r = reserve(ring, sizeof *r);
    if (!r)
        return 0;
    fill_hdr(&r->h, SENSOR_EV_FDPATH, t);
    r->fd = (__s32)fd;
    r->flags = walk_path(&r->path, t, BPF_CORE_READ(f, f_path.dentry),
                         BPF_CORE_READ(f, f_path.mnt))
                   ? SENSOR_EXEC_CWD_TRUNC
                   : 0;
    submit(ring, r, 0);
    return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
    /* threads share the process: only new processes matter */
    if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid) || skip_self())
        return 0;
    void *ring = my_ring();
    struct sensor_fork *r = reserve(ring, sizeof *r);
    if (!r)
        return 0;
    fill_hdr(&r->h, SENSOR_EV_FORK, (struct task_struct *)bpf_get_current_task_btf());
    r->child_tgid = BPF_CORE_READ(child, tgid);
    r->child_vpid = vpid_of(child);
    r->start_ns = BPF_CORE_READ(child, start_boottime);
    submit(ring, r, 1);
    return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *t)
{
    if (BPF_CORE_READ(t, pid) != BPF_CORE_READ(t, tgid) || skip_self())
        return 0;
    void *ring = my_ring();
    struct sensor_exit *r = reserve(ring, sizeof *r);
    if (!r)
        return 0;
    fill_hdr(&r->h, SENSOR_EV_EXIT, t);
    r->code = BPF_CORE_READ(t, exit_code);
    r->pad = 0;
    submit(ring, r, 1);
    return 0;
}
