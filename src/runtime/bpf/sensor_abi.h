/* sensor_abi.h - records the kernel-side sensor (sensor.bpf.c) writes into its
 * ring buffer, shared with the user-space decoder (runtime/sensor/decode.c).
 *
 * Every record starts with sensor_hdr. Sizes are fixed so the BPF side can
 * reserve them, except syscall records, which end after their last string
 * byte (most are a few hundred bytes instead of 1.3 KiB); lengths inside say
 * how much of each buffer the kernel filled, and the decoder re-checks every
 * one of them (kernel data is untrusted).
 */
#ifndef COMB_RUNTIME_BPF_SENSOR_ABI_H
#define COMB_RUNTIME_BPF_SENSOR_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SENSOR_COMM_LEN 16
#define SENSOR_STR_LEN 512      /* one path argument */
#define SENSOR_ADDR_LEN 128     /* one struct sockaddr */
#define SENSOR_ARGS_LEN 2048    /* argv, NUL-separated */
#define SENSOR_FILE_LEN 256     /* exec filename */
#define SENSOR_CGNAME_LEN 96    /* one cgroup directory name */
#define SENSOR_CG_LEVELS 2      /* leaf cgroup and its parent */
#define SENSOR_MAX_SYSCALL 512  /* size of the syscall filter map */
#define SENSOR_EXE_DEPTH 16     /* path components of the executable */
#define SENSOR_EXE_COMP 64      /* bytes of one component */

enum sensor_kind {
    SENSOR_EV_SYSCALL = 1,
    SENSOR_EV_EXEC = 2,
    SENSOR_EV_FORK = 3,
    SENSOR_EV_EXIT = 4,
    SENSOR_EV_CWD = 5,          /* chdir/fchdir succeeded: the new directory */
    SENSOR_EV_FDPATH = 6,       /* the file an openat relative to a directory fd
                                   opened; comes just before that openat's record */
};

/* Counter slots of the per-CPU counter array. */
enum sensor_counter {
    SENSOR_CNT_EVENTS = 0,      /* records committed to the ring */
    SENSOR_CNT_DROPS = 1,       /* records lost: the ring was full */
    SENSOR_CNT_NCOUNTERS = 2,
};

struct sensor_hdr {
    __u32 kind;
    __u32 cpu;
    __u64 ts;                   /* bpf_ktime_get_boot_ns() */
    __u32 tgid, tid;
    __u32 ppid;                 /* real parent's tgid */
    __u32 uid, gid;
    __u32 pad;
    __u64 cgroup_id;
    __u64 cap_effective;        /* capability bit mask of the thread */
    char comm[SENSOR_COMM_LEN];
};

/* A syscall seen at its exit, with the arguments saved at its entry. */
struct sensor_syscall {
    struct sensor_hdr h;
    __s64 id;                   /* x86-64 syscall number */
    __s64 ret;
    __u64 args[6];
    __u16 str_len[2];           /* bytes of str[i], with the NUL; 0: not captured */
    __u16 addr_len;             /* bytes of addr; 0: not captured */
    __u16 fd_family;            /* socket family of the call's fd (connect, accept, dup) */
    __u16 fd_proto;             /* its protocol (IPPROTO_TCP...), 0 unknown */
    __u16 lport;                /* its local port, host order */
    __u8 laddr[16];             /* its local address (4 bytes for AF_INET) */
    __u8 sk_state;              /* its state (TCP_ESTABLISHED = 1: connected), 0 unknown */
    __u8 pad3[7];
    __u8 addr[SENSOR_ADDR_LEN];
    /* The record ends after the last string byte used: str[0]'s bytes when
     * str[1] is empty, else all of str[0] and str[1]'s bytes (rounded up to
     * 8). The decoder takes anything from SENSOR_SYSCALL_FIXED bytes up. */
    char str[2][SENSOR_STR_LEN];
};

#define SENSOR_SYSCALL_FIXED __builtin_offsetof(struct sensor_syscall, str)

#define SENSOR_EXEC_MEMFD 1u    /* the executable is a memfd */
#define SENSOR_EXEC_ARGS_TRUNC 2u
#define SENSOR_EXEC_EXE_TRUNC 4u   /* deeper than SENSOR_EXE_DEPTH */
#define SENSOR_EXEC_CWD_TRUNC 8u
#define SENSOR_EXEC_UPPER 16u      /* the executable is in an overlayfs upper layer */

/* A path as a list of directory entry names, leaf first, each
 * NUL-terminated, up to the task's root directory. */
struct sensor_path {
    __u16 depth;                /* components in comp[] */
    __u16 pad[3];
    char comp[SENSOR_EXE_DEPTH][SENSOR_EXE_COMP];
};

struct sensor_exec {
    struct sensor_hdr h;
    __u32 loginuid;             /* (u32)-1 when unset */
    __u32 tty;                  /* (major << 20) | minor as Falco encodes it, 0: none */
    __u32 flags;                /* SENSOR_EXEC_* */
    __u16 args_len;             /* bytes of args */
    __u16 file_len;             /* bytes of file, with the NUL */
    __u16 cg_len[SENSOR_CG_LEVELS];
    __u16 pad;
    __u64 start_ns;             /* task start, boot time */
    __u64 cap_permitted, cap_inheritable;
    __u32 vpid;                 /* pid in the process's own pid namespace */
    __u32 pad2;
    char file[SENSOR_FILE_LEN];
    char cg[SENSOR_CG_LEVELS][SENSOR_CGNAME_LEN];
    struct sensor_path exe;     /* the executable */
    struct sensor_path cwd;     /* the working directory */
    char args[SENSOR_ARGS_LEN];
};

struct sensor_fork {
    struct sensor_hdr h;        /* the parent */
    __u32 child_tgid;
    __u32 child_vpid;           /* in the child's pid namespace */
    __u64 start_ns;
};

struct sensor_cwd {
    struct sensor_hdr h;
    __u32 flags;                /* SENSOR_EXEC_CWD_TRUNC */
    __u32 pad;
    struct sensor_path cwd;
};

struct sensor_fdpath {
    struct sensor_hdr h;
    __s32 fd;
    __u32 flags;                /* SENSOR_EXEC_CWD_TRUNC: the path was cut */
    struct sensor_path path;
};

struct sensor_exit {
    struct sensor_hdr h;
    __s32 code;
    __u32 pad;
};

#endif
