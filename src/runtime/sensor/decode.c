/* decode.c - ring records to comb_event; see decode.h. */
#include "runtime/sensor/decode.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "runtime/bpf/sensor_abi.h"
#include "runtime/sensor/syscalls.h"

#define AT_FDCWD_ (-100)

_Static_assert(sizeof((comb_decoder *)0)->raw[0] == SENSOR_STR_LEN, "raw holds one path argument");

void comb_decoder_init(comb_decoder *d, comb_proctable *procs, comb_ctrmeta *containers,
                       const char *procroot, const char *hostname)
{
    memset(d, 0, sizeof *d);
    d->procs = procs;
    d->containers = containers;
    d->procroot = procroot;
    d->hostname = hostname;
    struct timespec rt, bt;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_BOOTTIME, &bt);
    d->boot_to_epoch = ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000 + (rt.tv_nsec - bt.tv_nsec);
}

/* Boot-time ns from the kernel to epoch ns; an impossible value (the
 * record is untrusted) is unknown rather than an overflow. */
static int64_t to_epoch(const comb_decoder *d, uint64_t boot_ns)
{
    if (boot_ns > (uint64_t)INT64_MAX / 2)
        return COMB_NA;
    return (int64_t)boot_ns + d->boot_to_epoch;
}

/* A kernel string of at most cap bytes: NUL-terminated in place, or NULL. */
static const char *kstr(char *s, size_t len, size_t cap)
{
    if (!len || len > cap)
        return NULL;
    s[len - 1] = '\0';
    return s;
}

static void add_arg(comb_decoder *d, comb_event *ev, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_arg(comb_decoder *d, comb_event *ev, const char *name, const char *fmt, ...)
{
    size_t i = ev->nargs;
    if (i >= COMB_DECODE_MAX_ARGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->argval[i], sizeof d->argval[i], fmt, ap);
    va_end(ap);
    d->args[i].name = name;
    d->args[i].value = d->argval[i];
    ev->nargs = i + 1;
}

/* The common cases without printf: it dominated the decoder's profile. */
static void add_str(comb_decoder *d, comb_event *ev, const char *name, const char *v)
{
    size_t i = ev->nargs;
    if (i >= COMB_DECODE_MAX_ARGS)
        return;
    size_t n = strlen(v);
    if (n >= sizeof d->argval[i])
        n = sizeof d->argval[i] - 1;
    memcpy(d->argval[i], v, n);
    d->argval[i][n] = '\0';
    d->args[i].name = name;
    d->args[i].value = d->argval[i];
    ev->nargs = i + 1;
}

/* "0644": modes as Falco prints them. */
static void add_mode(comb_decoder *d, comb_event *ev, const char *name, unsigned long long v)
{
    char buf[24], *p = buf + sizeof buf;
    *--p = '\0';
    do
        *--p = (char)('0' + (v & 7));
    while (v >>= 3);
    *--p = '0';
    add_str(d, ev, name, p);
}

static void add_int(comb_decoder *d, comb_event *ev, const char *name, long long v)
{
    char buf[24], *p = buf + sizeof buf;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    *--p = '\0';
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    add_str(d, ev, name, p);
}

/* Keep the table in step with what every record says about its process. */
static comb_procinfo *touch(comb_decoder *d, const struct sensor_hdr *h)
{
    /* a dead entry stays as it is: threads can outlive their leader's exit
     * record; a reused pid comes with a fork record, which resets it */
    comb_procinfo *p = comb_proctable_get(d->procs, h->tgid);
    if (!p) {
        /* missed (started before a drop, or a thread we never saw): /proc knows */
        if (!d->procroot || comb_proctable_read_proc(d->procs, d->procroot, h->tgid))
            p = comb_proctable_upsert(d->procs, h->tgid);
        else
            p = comb_proctable_get(d->procs, h->tgid);
        if (!p)
            return NULL;
    }
    memcpy(p->comm, h->comm, sizeof p->comm);
    p->comm[sizeof p->comm - 1] = '\0';
    if (h->ppid)
        p->ppid = h->ppid;
    p->uid = h->uid;
    p->gid = h->gid;
    p->cap_effective = (int64_t)h->cap_effective;
    return p;
}

static void lazy_ancestors(const comb_event *cev)
{
    /* the decoder's own event, handed out as const: the object is not */
    comb_event *ev = (comb_event *)cev;
    comb_decoder *d = ev->fill_ud;
    ev->fill_ancestors = NULL;
    size_t n = comb_proctable_ancestors(d->procs, d->anc_pid, d->anc, COMB_DECODE_ANCESTORS);
    ev->ancestors = n ? d->anc : NULL;
    ev->nancestors = n;
}

static void fill_common(comb_decoder *d, const struct sensor_hdr *h, comb_event *ev)
{
    comb_event_init(ev);
    ev->num = ++d->num;
    ev->ts = to_epoch(d, h->ts);
    ev->cpu = h->cpu;
    ev->hostname = d->hostname;
    ev->args = d->args;
    size_t nanc = 0;
    if (comb_proctable_fill(d->procs, h->tgid, &ev->proc, d->anc, 0, &nanc)) {
        /* ancestors when a rule, an output or the recorder asks: 8 of them
         * for every event was the largest item of the consumer's profile */
        d->anc_pid = h->tgid;
        ev->fill_ancestors = lazy_ancestors;
        ev->fill_ud = d;
    }
    ev->proc.tid = ev->proc.vtid = h->tid;
    comb_procinfo *p = comb_proctable_get(d->procs, h->tgid);
    if (d->users && d->containers && !d->users_layers) {
        /* a short-lived container's users: from its layers once it is gone */
        comb_users_set_layers(d->users, comb_ctrmeta_layer_dir, d->containers);
        d->users_layers = 1;
    }
    if (d->users && ev->proc.uid != COMB_NA) {
        const char *cid = p ? p->container_id : "";
        comb_user_info ui = comb_users_user(d->users, cid, h->tgid, ev->proc.uid);
        ev->proc.user_name = ui.name;
        ev->proc.user_homedir = ui.home;
        ev->proc.user_shell = ui.shell;
        if (ev->proc.gid != COMB_NA)
            ev->proc.group_name = comb_users_group(d->users, cid, h->tgid, ev->proc.gid);
        if (ev->proc.loginuid >= 0) /* the login happened on the host */
            ev->proc.user_loginname = comb_users_user(d->users, "", 0, ev->proc.loginuid).name;
    }
    ev->container.id = "host";
    ev->container.type = NULL;
    if (p && p->container_id[0]) {
        /* Falco's container.id is the 12-digit short id */
        memcpy(d->cid, p->container_id, 12);
        d->cid[12] = '\0';
        ev->container.id = d->cid;
        const comb_container_meta *m =
            d->containers ? comb_ctrmeta_lookup(d->containers, p->container_id) : NULL;
        if (m) {
            ev->container.name = m->name;
            ev->container.type = m->runtime;
            ev->container.image = m->image;
            ev->container.image_repository = m->image_repository;
            ev->container.image_tag = m->image_tag;
            ev->container.image_id = m->image_id;
            ev->container.start_ts = m->created_ns;
            ev->container.privileged = m->privileged >= 0 ? m->privileged : -1;
        }
    }
}

/* "/a/b/c" from the leaf-first names the kernel side collected ("/" when
 * there are none: the root itself). */
static void join_path(const struct sensor_path *p, char *out, size_t cap)
{
    size_t n = 0, depth = p->depth <= SENSOR_EXE_DEPTH ? p->depth : SENSOR_EXE_DEPTH;
    snprintf(out, cap, "/");
    for (size_t i = depth; i-- > 0;) {
        size_t l = strnlen(p->comp[i], SENSOR_EXE_COMP);
        if (n + 1 + l + 1 > cap)
            break;
        out[n++] = '/';
        memcpy(out + n, p->comp[i], l);
        n += l;
        out[n] = '\0';
    }
}

static int decode_exec(comb_decoder *d, const struct sensor_exec *r, comb_event *ev)
{
    if (r->args_len > SENSOR_ARGS_LEN || r->file_len > SENSOR_FILE_LEN)
        return d->malformed++, 0;
    comb_procinfo *p = touch(d, &r->h);
    if (p) {
        p->loginuid = r->loginuid == 0xffffffffu ? -1 : (int64_t)r->loginuid;
        p->tty = r->tty;
        p->exe_memfd = (r->flags & SENSOR_EXEC_MEMFD) != 0;
        p->exe_upper = (r->flags & SENSOR_EXEC_UPPER) != 0;
        if (r->vpid)
            p->vpid = r->vpid;
        p->cap_permitted = (int64_t)r->cap_permitted;
        p->cap_inheritable = (int64_t)r->cap_inheritable;
        if (p->start_ts == COMB_NA)
            p->start_ts = to_epoch(d, r->start_ns);
        comb_procinfo_set_args(p, r->args, r->args_len);
        join_path(&r->exe, d->path[0], sizeof d->path[0]);
        if (p->exe_memfd) /* as /proc/PID/exe shows it */
            snprintf(d->path[0], sizeof d->path[0], "/%.*s", SENSOR_EXE_COMP, r->exe.comp[0]);
        comb_procinfo_set_str(&p->exepath, r->exe.depth ? d->path[0] : NULL, sizeof d->path[0]);
        join_path(&r->cwd, d->path[1], sizeof d->path[1]);
        comb_procinfo_set_str(&p->cwd, d->path[1], sizeof d->path[1]);
        /* the container from the cgroup: leaf and parent directory names */
        char cg[2 * SENSOR_CGNAME_LEN + 2] = "";
        char lv[SENSOR_CG_LEVELS][SENSOR_CGNAME_LEN];
        for (int i = 0; i < SENSOR_CG_LEVELS; i++) {
            memcpy(lv[i], r->cg[i], SENSOR_CGNAME_LEN);
            if (!kstr(lv[i], r->cg_len[i], SENSOR_CGNAME_LEN))
                lv[i][0] = '\0';
        }
        snprintf(cg, sizeof cg, "%s/%s", lv[1], lv[0]);
        p->container_id[0] = '\0';
        comb_cgroup_container_id(cg, p->container_id, NULL);
    }
    fill_common(d, &r->h, ev);
    ev->type = "execve";
    ev->rawres = 0;
    char file[SENSOR_FILE_LEN];
    memcpy(file, r->file, sizeof file);
    const char *fn = kstr(file, r->file_len, sizeof file);
    add_arg(d, ev, "res", "0");
    add_str(d, ev, "exe", ev->proc.exe ? ev->proc.exe : "");
    add_str(d, ev, "filename", fn ? fn : "");
    add_str(d, ev, "flags", (r->flags & SENSOR_EXEC_MEMFD) ? "EXE_FROM_MEMFD" : "0");
    return 1;
}

/* Lexical clean-up of an absolute path, in place: repeated '/', "." and
 * ".." (never above the root) go, as Falco's fd.name does; otherwise
 * "/etc/../etc/shadow" would slip past a rule on "/etc/shadow". */
static void clean_path(char *p)
{
    size_t out = 0;
    for (size_t i = 0; p[i];) {
        while (p[i] == '/')
            i++;
        size_t start = i;
        while (p[i] && p[i] != '/')
            i++;
        size_t n = i - start;
        if (n == 0 || (n == 1 && p[start] == '.'))
            continue;
        if (n == 2 && p[start] == '.' && p[start + 1] == '.') {
            while (out > 0 && p[--out] != '/')
                ;
            continue;
        }
        p[out++] = '/';
        memmove(p + out, p + start, n);
        out += n;
    }
    if (out == 0)
        p[out++] = '/';
    p[out] = '\0';
}

/* fd.name of a path argument: absolute and clean, relative to the cwd when
 * the call used AT_FDCWD and the cwd is known, else as passed. */
static const char *resolve(comb_decoder *d, int slot, const char *raw, int64_t dirfd,
                           const comb_event *ev)
{
    if (!raw)
        return NULL;
    const char *cwd = ev->proc.cwd;
    if (raw[0] == '/') {
        snprintf(d->path[slot], sizeof d->path[slot], "%s", raw);
    } else if (dirfd == AT_FDCWD_ && cwd && cwd[0] == '/') {
        snprintf(d->path[slot], sizeof d->path[slot], "%s/%s", cwd, raw);
    } else {
        snprintf(d->path[slot], sizeof d->path[slot], "%s", raw);
        return d->path[slot]; /* relative to a directory fd we do not track */
    }
    clean_path(d->path[slot]);
    return d->path[slot];
}

static const char *family_fd_type(int fam)
{
    switch (fam) {
    case 1: return "unix";
    case 2: return "ipv4";
    case 10: return "ipv6";
    case 16: return "netlink";
    default: return NULL;
    }
}

static const char *l4proto(unsigned proto)
{
    switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: case 58: return "icmp";
    case 255: return "raw";
    default: return NULL;
    }
}

/* The address in the record (the call's argument) is the server's when
 * remote_is_server (connect, bind), the client's otherwise (accept); the
 * socket's own local address fills the other side when it is known. */
static void decode_sockaddr(comb_decoder *d, const struct sensor_syscall *r, comb_event *ev,
                            int remote_is_server)
{
    size_t len = r->addr_len <= SENSOR_ADDR_LEN ? r->addr_len : SENSOR_ADDR_LEN;
    char *addr = remote_is_server ? d->sip : d->cip;
    int64_t port;
    int fam = comb_render_sockaddr(r->addr, len, addr, sizeof d->sip, &port);
    ev->fd.type = family_fd_type(fam ? fam : r->fd_family);
    ev->fd.l4proto = l4proto(r->fd_proto);
    if (fam == 2 || fam == 10) {
        if (remote_is_server) {
            ev->fd.sip = d->sip;
            ev->fd.sport = port;
        } else {
            ev->fd.cip = d->cip;
            ev->fd.cport = port;
        }
        add_arg(d, ev, "addr", "%s%s%s:%lld", fam == 10 ? "[" : "", addr, fam == 10 ? "]" : "",
                (long long)port);
    } else if (fam == 1) {
        ev->fd.name = addr;
        add_str(d, ev, "addr", addr);
    }
    /* the local end: the client of a connect, the server of an accept */
    int lfam = r->fd_family;
    if ((lfam == 2 || lfam == 10) && r->id != 49) {
        char *local = remote_is_server ? d->cip : d->sip;
        if (inet_ntop(lfam == 2 ? AF_INET : AF_INET6, r->laddr, local, sizeof d->cip)) {
            if (remote_is_server) {
                ev->fd.cip = d->cip;
                ev->fd.cport = r->lport;
            } else {
                ev->fd.sip = d->sip;
                ev->fd.sport = r->lport;
            }
        }
    }
}

static int decode_syscall(comb_decoder *d, const struct sensor_syscall *r, comb_event *ev)
{
    const char *name = comb_syscall_name(r->id);
    if (!name || r->str_len[0] > SENSOR_STR_LEN || r->str_len[1] > SENSOR_STR_LEN ||
        r->addr_len > SENSOR_ADDR_LEN)
        return d->malformed++, 0;
    touch(d, &r->h);
    fill_common(d, &r->h, ev);
    ev->type = name;
    if (d->fdpath_tid && d->fdpath_tid != r->h.tid)
        d->fdpath_tid = 0; /* not this thread's: its openat record was lost */
    ev->rawres = r->ret;
    const __u64 *a = r->args;
    /* copies in the decoder: the event points at them after we return */
    char *s0 = d->raw[0], *s1 = d->raw[1];
    memcpy(s0, r->str[0], r->str_len[0]); /* lengths checked above */
    memcpy(s1, r->str[1], r->str_len[1]);
    const char *str0 = kstr(s0, r->str_len[0], SENSOR_STR_LEN);
    const char *str1 = kstr(s1, r->str_len[1], SENSOR_STR_LEN);
    char buf[256];

    if (r->ret < 0) {
        /* -INT64_MIN does not exist: a hostile record is not an errno */
        const char *en = r->ret > INT64_MIN ? comb_errno_name(-r->ret) : NULL;
        if (en)
            add_str(d, ev, "res", en);
        else
            add_int(d, ev, "res", r->ret);
    } else {
        add_int(d, ev, "res", r->ret);
    }

    switch (r->id) {
    case 2: case 85: case 257: case 437: { /* open, creat, openat, openat2 */
        int64_t dirfd = r->id == 2 || r->id == 85 ? AT_FDCWD_ : (int32_t)a[0];
        uint64_t flags = r->id == 2 ? a[1] : r->id == 257 ? a[2] : 0;
        if (r->id == 85) /* creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode) */
            flags = 0100 | 01 | 01000;
        if (r->id == 437 && r->addr_len == 8)
            memcpy(&flags, r->addr, 8);
        comb_render_open_flags(flags, buf, sizeof buf);
        ev->fd.num = r->ret >= 0 ? r->ret : -1;
        ev->fd.type = (flags & 0200000) ? "directory" : "file";
        ev->fd.nameraw = str0;
        ev->fd.name = resolve(d, 0, str0, dirfd, ev);
        if (d->fdpath_tid == r->h.tid && r->ret >= 0) /* the kernel named the file */
            ev->fd.name = d->fdpath;
        add_int(d, ev, "fd", ev->fd.num);
        if (r->id != 2)
            add_int(d, ev, "dirfd", dirfd);
        add_str(d, ev, "name", str0 ? str0 : "");
        add_str(d, ev, "flags", buf);
        add_mode(d, ev, "mode", r->id == 2 ? a[2] : r->id == 85 ? a[1] : a[3]);
        break;
    }
    case 83: case 84: /* mkdir, rmdir */
        add_str(d, ev, "path", str0 ? str0 : "");
        if (r->id == 83)
            add_mode(d, ev, "mode", (unsigned long long)a[1]);
        ev->fd.name = resolve(d, 0, str0, AT_FDCWD_, ev);
        break;
    case 258: /* mkdirat */
        add_int(d, ev, "dirfd", (int32_t)a[0]);
        add_str(d, ev, "path", str0 ? str0 : "");
        add_mode(d, ev, "mode", (unsigned long long)a[2]);
        ev->fd.name = resolve(d, 0, str0, (int32_t)a[0], ev);
        break;
    case 91: /* fchmod */
        add_int(d, ev, "fd", (int32_t)a[0]);
        add_mode(d, ev, "mode", (unsigned long long)a[1]);
        break;
    case 321: /* bpf */
        add_int(d, ev, "cmd", (int32_t)a[0]);
        break;
    case 323: /* userfaultfd */
        add_arg(d, ev, "flags", "%llu", (unsigned long long)a[0]);
        ev->fd.num = r->ret;
        ev->fd.type = "userfaultfd";
        break;
    case 41: /* socket */
        comb_render_socket_family((int64_t)a[0], buf, sizeof buf);
        add_str(d, ev, "domain", buf);
        add_arg(d, ev, "type", "%llu", (unsigned long long)(a[1] & 0xf));
        add_arg(d, ev, "proto", "%llu", (unsigned long long)a[2]);
        ev->fd.num = r->ret;
        ev->fd.type = family_fd_type((int)a[0]);
        break;
    case 42: /* connect: this process is the client */
        ev->fd.num = (int32_t)a[0];
        ev->fd.is_server = 0;
        add_int(d, ev, "fd", (int32_t)a[0]);
        decode_sockaddr(d, r, ev, 1);
        break;
    case 44: case 46: /* sendto, sendmsg: the destination is the server */
        ev->fd.num = (int32_t)a[0];
        ev->fd.is_server = 0;
        add_int(d, ev, "fd", (int32_t)a[0]);
        if (r->id == 44)
            add_int(d, ev, "size", (int64_t)(a[2] > INT64_MAX ? INT64_MAX : a[2]));
        decode_sockaddr(d, r, ev, 1);
        /* no fd table: connected when the socket is (a connected UDP socket
         * or TCP), and its name changed when the call names a destination of
         * its own (what a not-connected datagram socket's sendto does) */
        if (r->sk_state) {
            ev->fd.connected = r->sk_state == 1;
            ev->fd.name_changed = r->addr_len > 0 && r->sk_state != 1;
        }
        break;
    case 43: case 288: /* accept: the peer is the client */
        ev->fd.num = r->ret;
        ev->fd.is_server = 1;
        decode_sockaddr(d, r, ev, 0);
        break;
    case 49: /* bind: the local address */
        ev->fd.num = (int32_t)a[0];
        ev->fd.is_server = 1;
        add_int(d, ev, "fd", (int32_t)a[0]);
        decode_sockaddr(d, r, ev, 1);
        break;
    case 50: /* listen */
        ev->fd.num = (int32_t)a[0];
        ev->fd.type = family_fd_type(r->fd_family);
        ev->fd.l4proto = l4proto(r->fd_proto);
        ev->fd.is_server = 1;
        if ((r->fd_family == 2 || r->fd_family == 10) &&
            inet_ntop(r->fd_family == 2 ? AF_INET : AF_INET6, r->laddr, d->sip, sizeof d->sip)) {
            ev->fd.sip = d->sip;
            ev->fd.sport = r->lport;
        }
        add_int(d, ev, "fd", (int32_t)a[0]);
        add_int(d, ev, "backlog", (int32_t)a[1]);
        break;
    case 101: /* ptrace */
        comb_render_ptrace_request((int64_t)a[0], buf, sizeof buf);
        add_str(d, ev, "request", buf);
        add_int(d, ev, "pid", (int32_t)a[1]);
        break;
    case 105: add_arg(d, ev, "uid", "%u", (unsigned)a[0]); break;
    case 106: add_arg(d, ev, "gid", "%u", (unsigned)a[0]); break;
    case 113: case 117: /* setreuid, setresuid */
        add_arg(d, ev, "ruid", "%d", (int)a[0]);
        add_arg(d, ev, "euid", "%d", (int)a[1]);
        if (r->id == 117)
            add_arg(d, ev, "suid", "%d", (int)a[2]);
        break;
    case 114: case 119: /* setregid, setresgid */
        add_arg(d, ev, "rgid", "%d", (int)a[0]);
        add_arg(d, ev, "egid", "%d", (int)a[1]);
        if (r->id == 119)
            add_arg(d, ev, "sgid", "%d", (int)a[2]);
        break;
    case 165: /* mount */
        add_str(d, ev, "dev", str0 ? str0 : "");
        add_str(d, ev, "dir", str1 ? str1 : "");
        add_arg(d, ev, "flags", "%llu", (unsigned long long)a[3]);
        break;
    case 166: /* umount2 */
        add_str(d, ev, "name", str0 ? str0 : "");
        add_arg(d, ev, "flags", "%llu", (unsigned long long)a[1]);
        break;
    case 175: case 313: /* init_module, finit_module */
        if (r->id == 313)
            add_int(d, ev, "fd", (int32_t)a[0]);
        add_str(d, ev, "uargs", str0 ? str0 : "");
        break;
    case 272: /* unshare */
        comb_render_clone_flags(a[0], buf, sizeof buf);
        add_str(d, ev, "flags", buf);
        break;
    case 308: /* setns */
        comb_render_clone_flags(a[1], buf, sizeof buf);
        add_int(d, ev, "fd", (int32_t)a[0]);
        add_str(d, ev, "nstype", buf);
        break;
    case 319: /* memfd_create */
        comb_render_memfd_flags(a[1], buf, sizeof buf);
        add_str(d, ev, "name", str0 ? str0 : "");
        add_str(d, ev, "flags", buf);
        ev->fd.num = r->ret;
        ev->fd.type = "memfd";
        break;
    case 32: case 33: case 292: /* dup, dup2, dup3: fd is the new descriptor */
        ev->fd.num = r->ret;
        ev->fd.type = family_fd_type(r->fd_family);
        ev->fd.l4proto = l4proto(r->fd_proto);
        add_int(d, ev, "oldfd", (int32_t)a[0]);
        if (r->id != 32)
            add_int(d, ev, "newfd", (int32_t)a[1]);
        break;
    case 87: /* unlink */
        add_str(d, ev, "path", str0 ? str0 : "");
        ev->fd.name = resolve(d, 0, str0, AT_FDCWD_, ev);
        break;
    case 263: /* unlinkat */
        add_int(d, ev, "dirfd", (int32_t)a[0]);
        add_str(d, ev, "name", str0 ? str0 : "");
        add_arg(d, ev, "flags", "%llu", (unsigned long long)a[2]);
        ev->fd.name = resolve(d, 0, str0, (int32_t)a[0], ev);
        break;
    case 82: case 264: case 316: /* rename family */
        add_str(d, ev, "oldpath", str0 ? str0 : "");
        add_str(d, ev, "newpath", str1 ? str1 : "");
        break;
    case 86: case 265: /* link, linkat */
        add_str(d, ev, "oldpath", str0 ? str0 : "");
        add_str(d, ev, "newpath", str1 ? str1 : "");
        break;
    case 88: case 266: /* symlink, symlinkat */
        add_str(d, ev, "target", str0 ? str0 : "");
        add_str(d, ev, "linkpath", str1 ? str1 : "");
        break;
    case 90: case 268: /* chmod, fchmodat */
        add_str(d, ev, "filename", str0 ? str0 : "");
        add_mode(d, ev, "mode", (unsigned long long)(r->id == 90 ? a[1] : a[2]));
        ev->fd.name = resolve(d, 0, str0, r->id == 90 ? AT_FDCWD_ : (int32_t)a[0], ev);
        break;
    }
    d->fdpath_tid = 0; /* used by this record, or stale */
    return 1;
}

int comb_decode(comb_decoder *d, const void *rec, size_t len, comb_event *ev)
{
    if (len < sizeof(struct sensor_hdr))
        return d->malformed++, 0;
    struct sensor_hdr h;
    memcpy(&h, rec, sizeof h);
    switch (h.kind) {
    case SENSOR_EV_SYSCALL: {
        /* variable size: what the kernel did not send is zero */
        if (len < SENSOR_SYSCALL_FIXED)
            break;
        if (len >= sizeof(struct sensor_syscall))
            return decode_syscall(d, rec, ev);
        struct sensor_syscall full;
        memcpy(&full, rec, len);
        memset((char *)&full + len, 0, sizeof full - len);
        return decode_syscall(d, &full, ev);
    }
    case SENSOR_EV_EXEC:
        if (len < sizeof(struct sensor_exec))
            break;
        return decode_exec(d, rec, ev);
    case SENSOR_EV_FORK: {
        if (len < sizeof(struct sensor_fork))
            break;
        const struct sensor_fork *f = rec;
        touch(d, &f->h);
        comb_procinfo *c = comb_proctable_fork(d->procs, f->h.tgid, f->child_tgid,
                                               to_epoch(d, f->start_ns));
        if (c && f->child_vpid)
            c->vpid = f->child_vpid;
        return 0;
    }
    case SENSOR_EV_CWD: {
        if (len < sizeof(struct sensor_cwd))
            break;
        const struct sensor_cwd *c = rec;
        comb_procinfo *p = touch(d, &c->h);
        if (p) {
            join_path(&c->cwd, d->path[1], sizeof d->path[1]);
            comb_procinfo_set_str(&p->cwd, d->path[1], sizeof d->path[1]);
        }
        return 0;
    }
    case SENSOR_EV_FDPATH: {
        if (len < sizeof(struct sensor_fdpath))
            break;
        const struct sensor_fdpath *f = rec;
        join_path(&f->path, d->fdpath, sizeof d->fdpath);
        d->fdpath_tid = f->h.tid;
        return 0;
    }
    case SENSOR_EV_EXIT:
        if (len < sizeof(struct sensor_exit))
            break;
        comb_proctable_exit(d->procs, h.tgid);
        return 0;
    }
    d->malformed++;
    return 0;
}
