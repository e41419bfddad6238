/* event.h - one syscall-level event as the runtime sensor produces it.
 *
 * A plain struct of pointers and numbers, filled by the eBPF sensor (later),
 * by `comb replay`, and by tests. Nothing here is owned: strings point at the
 * producer's memory and must outlive the evaluation. Any member may be absent:
 * strings are NULL, numbers COMB_NA, tristate flags -1. comb_event_init()
 * marks everything absent; absent fields render as "<NA>" and make every
 * comparison on them false (`exists` is false).
 */
#ifndef COMB_RUNTIME_RULES_EVENT_H
#define COMB_RUNTIME_RULES_EVENT_H

#include <stddef.h>
#include <stdint.h>

#define COMB_NA INT64_MIN

/* One process (the event's thread, or one of its ancestors). */
typedef struct comb_proc {
    int64_t pid, tid, ppid, vpid, vtid, sid, vpgid;
    const char *name;            /* comm, at most 15 chars as the kernel keeps it */
    const char *exe;             /* argv[0] */
    const char *exepath;         /* full path of the executable */
    const char *const *args;     /* argv[1..] */
    size_t nargs;
    const char *const *env;      /* "KEY=value" */
    size_t nenv;
    const char *cwd;
    int64_t tty;                 /* controlling terminal, 0 when none */
    int64_t uid, gid, loginuid;  /* loginuid -1 when unset */
    const char *user_name, *user_loginname, *user_homedir, *user_shell;
    const char *group_name;
    int64_t cap_effective, cap_permitted, cap_inheritable; /* bit masks */
    int is_exe_upper_layer;      /* tristate: -1 unknown, 0, 1 */
    int is_exe_from_memfd;
    int is_exe_writable;
    int is_vpgid_leader;
    int is_sid_leader;
    int64_t start_ts;            /* ns since the epoch */
    int64_t exe_ino, exe_ino_ctime, exe_ino_mtime;
    const char *sname;           /* name of the session leader */
    const char *vpgid_name, *vpgid_exe; /* process group leader */
} comb_proc;

/* The file descriptor the event acts on (open, connect, dup, ...). */
typedef struct comb_fd {
    int64_t num;                 /* -1 for a failed open */
    const char *type;            /* file directory ipv4 ipv6 unix pipe event signalfd
                                    eventpoll inotify timerfd netlink bpf memfd ... */
    const char *name;            /* path, or "cip:cport->sip:sport" for sockets
                                    (derived when NULL and addresses are set) */
    const char *nameraw;         /* path as passed to the syscall (with ../) */
    const char *l4proto;         /* tcp udp icmp raw */
    const char *cip, *sip;       /* client and server address, text form */
    const char *cip_name, *sip_name; /* host names, when a resolver knows them */
    int64_t cport, sport;
    int is_server;               /* tristate: 1 when this process is the server side */
    int connected;               /* tristate */
    int name_changed;            /* tristate */
} comb_fd;

typedef struct comb_mount {
    const char *source, *dest, *mode, *propagation;
    int rdwr;
} comb_mount;

typedef struct comb_container {
    const char *id;              /* "host" for processes on the host */
    const char *name, *type;
    const char *image, *image_repository, *image_tag, *image_id, *image_digest;
    int privileged;              /* tristate */
    int64_t start_ts;
    const comb_mount *mounts;
    size_t nmounts;
    const char *k8s_ns_name, *k8s_pod_name; /* from the pod sandbox labels */
} comb_container;

typedef struct comb_event_arg {
    const char *name;            /* "flags", "fd", "request", "target", ... */
    const char *value;           /* rendered as Falco renders it: "O_WRONLY|O_TRUNC" */
} comb_event_arg;

typedef struct comb_event {
    int64_t num;                 /* sequence number */
    int64_t ts;                  /* ns since the epoch */
    const char *type;            /* "execve", "openat", "connect", ... */
    char dir;                    /* '<' exit (the only kind the sensor emits), '>' enter */
    int64_t rawres;              /* return value; errors are -errno */
    int64_t cpu;
    const comb_event_arg *args;
    size_t nargs;
    const char *hostname;
    const char *buffer;          /* data of read/write/send/recv, as captured */
    size_t buflen;
    comb_proc proc;
    const comb_proc *ancestors;  /* [0] is the parent, [1] the grandparent, ...; */
    size_t nancestors;           /* read them with comb_event_ancestors */
    /* Set by a producer that fills ancestors only when asked (most events'
     * rules never look at them): called once, on the thread evaluating the
     * event, by comb_event_ancestors; it sets the two members above and
     * clears itself. */
    void (*fill_ancestors)(const struct comb_event *ev);
    void *fill_ud;
    comb_fd fd;
    comb_container container;
} comb_event;

/* Mark every member absent. */
void comb_event_init(comb_event *ev);
void comb_proc_init(comb_proc *p);
/* The event's ancestors ([0] the parent), filled first if still lazy. */
size_t comb_event_ancestors(const comb_event *ev, const comb_proc **anc);

/* Errno name for a positive errno value ("ENOENT"), NULL when unknown. */
const char *comb_errno_name(int64_t e);

#endif
