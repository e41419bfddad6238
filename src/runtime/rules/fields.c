/* fields.c - field descriptors and extraction from a comb_event; see fields.h.
 * Names and meanings follow Falco's syscall fields (proc.*, thread.*, evt.*,
 * fd.*, user.*, group.*, container.*, k8s.ns/pod names). */
#include "runtime/rules/fields.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/caps.h"

enum {
    F_EVT_NUM, F_EVT_TIME, F_EVT_RAWTIME, F_EVT_DATETIME, F_EVT_TYPE, F_EVT_DIR, F_EVT_RES,
    F_EVT_RAWRES, F_EVT_FAILED, F_EVT_CPU, F_EVT_ARGS, F_EVT_ARG, F_EVT_RAWARG,
    F_EVT_BUFFER, F_EVT_BUFLEN, F_EVT_IS_OPEN_READ, F_EVT_IS_OPEN_WRITE, F_EVT_IS_OPEN_EXEC, F_EVT_HOSTNAME, F_EVT_SOURCE,
    F_PROC_PID, F_PROC_PPID, F_PROC_VPID, F_PROC_SID, F_PROC_VPGID, F_PROC_NAME, F_PROC_EXE,
    F_PROC_EXEPATH, F_PROC_ARGS, F_PROC_CMDLINE, F_PROC_CWD, F_PROC_TTY, F_PROC_ENV,
    F_PROC_PNAME, F_PROC_PEXE, F_PROC_PEXEPATH, F_PROC_PCMDLINE, F_PROC_ANAME, F_PROC_APID,
    F_PROC_AEXE, F_PROC_AEXEPATH, F_PROC_ACMDLINE, F_PROC_DURATION, F_PROC_PPID_DURATION,
    F_PROC_START_TS, F_PROC_UPPER, F_PROC_MEMFD, F_PROC_WRITABLE, F_PROC_VPGID_LEADER,
    F_PROC_SID_LEADER, F_PROC_SNAME, F_PROC_VPGID_NAME, F_PROC_VPGID_EXE, F_PROC_EXE_INO,
    F_PROC_EXE_INO_CTIME, F_PROC_EXE_INO_MTIME, F_PROC_EXE_INO_CTIME_DUR, F_PROC_NARGS,
    F_THREAD_TID, F_THREAD_VTID, F_THREAD_CAP_EFF, F_THREAD_CAP_PERM, F_THREAD_CAP_INH,
    F_USER_UID, F_USER_NAME, F_USER_LOGINUID, F_USER_LOGINNAME, F_USER_HOMEDIR, F_USER_SHELL,
    F_GROUP_GID, F_GROUP_NAME,
    F_FD_NUM, F_FD_TYPE, F_FD_TYPECHAR, F_FD_NAME, F_FD_NAMERAW, F_FD_DIRECTORY, F_FD_FILENAME,
    F_FD_IP, F_FD_CIP, F_FD_SIP, F_FD_LIP, F_FD_RIP, F_FD_PORT, F_FD_CPORT, F_FD_SPORT,
    F_FD_LPORT, F_FD_RPORT, F_FD_L4PROTO, F_FD_SOCKFAMILY, F_FD_NET, F_FD_CNET, F_FD_SNET,
    F_FD_LNET, F_FD_RNET, F_FD_CONNECTED, F_FD_NAME_CHANGED, F_FD_IS_SERVER, F_FD_CIP_NAME,
    F_FD_SIP_NAME, F_FD_LIP_NAME, F_FD_RIP_NAME,
    F_CT_ID, F_CT_NAME, F_CT_TYPE, F_CT_IMAGE, F_CT_IMAGE_REPO, F_CT_IMAGE_TAG, F_CT_IMAGE_ID,
    F_CT_IMAGE_DIGEST, F_CT_PRIVILEGED, F_CT_START_TS, F_CT_DURATION, F_CT_MOUNTS,
    F_CT_MOUNT_SOURCE, F_CT_MOUNT_DEST, F_CT_MOUNT_MODE, F_CT_MOUNT_RDWR, F_CT_MOUNT_PROP,
    F_K8S_NS_NAME, F_K8S_POD_NAME,
};

#define S COMB_FT_STR
#define I COMB_FT_INT
#define B COMB_FT_BOOL
#define IDX COMB_FF_ARG_INDEX
#define KEY COMB_FF_ARG_KEY
#define MUL COMB_FF_MULTI

static const comb_field_desc table[] = {
    { "evt.num", I, 0, F_EVT_NUM, "event sequence number" },
    { "evt.time", S, 0, F_EVT_TIME, "event time, HH:MM:SS.nnnnnnnnn (UTC)" },
    { "evt.rawtime", I, 0, F_EVT_RAWTIME, "event time, ns since the epoch" },
    { "evt.datetime", S, 0, F_EVT_DATETIME, "event time, YYYY-MM-DD HH:MM:SS.nnnnnnnnn (UTC)" },
    { "evt.type", S, 0, F_EVT_TYPE, "event (syscall) name" },
    { "evt.dir", S, 0, F_EVT_DIR, "< for exit, > for enter" },
    { "evt.res", S, 0, F_EVT_RES, "SUCCESS or the errno name" },
    { "evt.rawres", I, 0, F_EVT_RAWRES, "return value" },
    { "evt.failed", B, 0, F_EVT_FAILED, "true when the call returned an error" },
    { "evt.cpu", I, 0, F_EVT_CPU, "CPU number" },
    { "evt.args", S, 0, F_EVT_ARGS, "all arguments, name=value separated by spaces" },
    { "evt.arg", S, IDX | KEY | COMB_FF_ARG_DOT | COMB_FF_ARG_NEEDED, F_EVT_ARG,
      "one argument by name (evt.arg.flags) or position (evt.arg[0])" },
    { "evt.rawarg", S, KEY | COMB_FF_ARG_DOT | COMB_FF_ARG_NEEDED, F_EVT_RAWARG,
      "one argument by name" },
    { "evt.buffer", S, 0, F_EVT_BUFFER, "data of read, write, send and recv calls" },
    { "evt.buflen", I, 0, F_EVT_BUFLEN, "length of evt.buffer" },
    { "evt.is_open_read", B, 0, F_EVT_IS_OPEN_READ, "open family call with read access" },
    { "evt.is_open_write", B, 0, F_EVT_IS_OPEN_WRITE, "open family call with write access" },
    { "evt.is_open_exec", B, 0, F_EVT_IS_OPEN_EXEC, "open family call with O_EXEC/__FMODE_EXEC" },
    { "evt.hostname", S, 0, F_EVT_HOSTNAME, "host name" },
    { "evt.source", S, 0, F_EVT_SOURCE, "always syscall" },

    { "proc.pid", I, 0, F_PROC_PID, "process id" },
    { "proc.ppid", I, 0, F_PROC_PPID, "parent process id" },
    { "proc.vpid", I, 0, F_PROC_VPID, "process id in its pid namespace" },
    { "proc.sid", I, 0, F_PROC_SID, "session id" },
    { "proc.vpgid", I, 0, F_PROC_VPGID, "process group id in its pid namespace" },
    { "proc.name", S, 0, F_PROC_NAME, "process name (comm)" },
    { "proc.exe", S, 0, F_PROC_EXE, "first command line argument" },
    { "proc.exepath", S, 0, F_PROC_EXEPATH, "full executable path" },
    { "proc.args", S, 0, F_PROC_ARGS, "arguments after argv[0], space separated" },
    { "proc.cmdline", S, 0, F_PROC_CMDLINE, "proc.name followed by proc.args" },
    { "proc.cwd", S, 0, F_PROC_CWD, "working directory" },
    { "proc.tty", I, 0, F_PROC_TTY, "controlling terminal, 0 when none" },
    { "proc.env", S, KEY, F_PROC_ENV, "environment, or one variable with proc.env[NAME]" },
    { "proc.pname", S, 0, F_PROC_PNAME, "parent name" },
    { "proc.pexe", S, 0, F_PROC_PEXE, "parent argv[0]" },
    { "proc.pexepath", S, 0, F_PROC_PEXEPATH, "parent executable path" },
    { "proc.pcmdline", S, 0, F_PROC_PCMDLINE, "parent command line" },
    { "proc.aname", S, IDX | MUL, F_PROC_ANAME, "ancestor name; [0] self, [1] parent; none: any ancestor" },
    { "proc.apid", I, IDX | MUL, F_PROC_APID, "ancestor pid" },
    { "proc.aexe", S, IDX | MUL, F_PROC_AEXE, "ancestor argv[0]" },
    { "proc.aexepath", S, IDX | MUL, F_PROC_AEXEPATH, "ancestor executable path" },
    { "proc.acmdline", S, IDX | MUL, F_PROC_ACMDLINE, "ancestor command line" },
    { "proc.duration", I, 0, F_PROC_DURATION, "ns since the process started" },
    { "proc.ppid.duration", I, 0, F_PROC_PPID_DURATION, "ns since the parent started" },
    { "proc.start_ts", I, 0, F_PROC_START_TS, "process start, ns since the epoch" },
    { "proc.is_exe_upper_layer", B, 0, F_PROC_UPPER, "executable in the overlay upper layer" },
    { "proc.is_exe_from_memfd", B, 0, F_PROC_MEMFD, "executable is a memfd" },
    { "proc.is_exe_writable", B, 0, F_PROC_WRITABLE, "executable writable by the process" },
    { "proc.is_vpgid_leader", B, 0, F_PROC_VPGID_LEADER, "process group leader" },
    { "proc.is_sid_leader", B, 0, F_PROC_SID_LEADER, "session leader" },
    { "proc.sname", S, 0, F_PROC_SNAME, "session leader name" },
    { "proc.vpgid.name", S, 0, F_PROC_VPGID_NAME, "process group leader name" },
    { "proc.vpgid.exe", S, 0, F_PROC_VPGID_EXE, "process group leader argv[0]" },
    { "proc.exe_ino", I, 0, F_PROC_EXE_INO, "executable inode" },
    { "proc.exe_ino.ctime", I, 0, F_PROC_EXE_INO_CTIME, "executable ctime, ns" },
    { "proc.exe_ino.mtime", I, 0, F_PROC_EXE_INO_MTIME, "executable mtime, ns" },
    { "proc.exe_ino.ctime_duration_proc_start", I, 0, F_PROC_EXE_INO_CTIME_DUR,
      "ns between the executable's ctime and the process start" },
    { "proc.nargs", I, 0, F_PROC_NARGS, "number of arguments" },

    { "thread.tid", I, 0, F_THREAD_TID, "thread id" },
    { "thread.vtid", I, 0, F_THREAD_VTID, "thread id in its pid namespace" },
    { "thread.cap_effective", S, 0, F_THREAD_CAP_EFF, "effective capabilities, CAP_* names" },
    { "thread.cap_permitted", S, 0, F_THREAD_CAP_PERM, "permitted capabilities" },
    { "thread.cap_inheritable", S, 0, F_THREAD_CAP_INH, "inheritable capabilities" },

    { "user.uid", I, 0, F_USER_UID, "user id" },
    { "user.name", S, 0, F_USER_NAME, "user name" },
    { "user.loginuid", I, 0, F_USER_LOGINUID, "audit login uid, -1 when unset" },
    { "user.loginname", S, 0, F_USER_LOGINNAME, "login user name" },
    { "user.homedir", S, 0, F_USER_HOMEDIR, "home directory" },
    { "user.shell", S, 0, F_USER_SHELL, "login shell" },
    { "group.gid", I, 0, F_GROUP_GID, "group id" },
    { "group.name", S, 0, F_GROUP_NAME, "group name" },

    { "fd.num", I, 0, F_FD_NUM, "file descriptor number" },
    { "fd.type", S, 0, F_FD_TYPE, "file, directory, ipv4, ipv6, unix, pipe, ..." },
    { "fd.typechar", S, 0, F_FD_TYPECHAR, "f d 4 6 u p e s l i t n b m r o" },
    { "fd.name", S, 0, F_FD_NAME, "path, or client->server for sockets" },
    { "fd.nameraw", S, 0, F_FD_NAMERAW, "path as passed to the call" },
    { "fd.directory", S, 0, F_FD_DIRECTORY, "directory of a file" },
    { "fd.filename", S, 0, F_FD_FILENAME, "file name without directory" },
    { "fd.ip", COMB_FT_IP, MUL, F_FD_IP, "client or server address" },
    { "fd.cip", COMB_FT_IP, 0, F_FD_CIP, "client address" },
    { "fd.sip", COMB_FT_IP, 0, F_FD_SIP, "server address" },
    { "fd.lip", COMB_FT_IP, 0, F_FD_LIP, "local address" },
    { "fd.rip", COMB_FT_IP, 0, F_FD_RIP, "remote address" },
    { "fd.port", I, MUL, F_FD_PORT, "client or server port" },
    { "fd.cport", I, 0, F_FD_CPORT, "client port" },
    { "fd.sport", I, 0, F_FD_SPORT, "server port" },
    { "fd.lport", I, 0, F_FD_LPORT, "local port" },
    { "fd.rport", I, 0, F_FD_RPORT, "remote port" },
    { "fd.l4proto", S, 0, F_FD_L4PROTO, "tcp, udp, icmp, raw" },
    { "fd.sockfamily", S, 0, F_FD_SOCKFAMILY, "ip or unix" },
    { "fd.net", COMB_FT_NET, MUL, F_FD_NET, "client or server address, compared as a network" },
    { "fd.cnet", COMB_FT_NET, 0, F_FD_CNET, "client network" },
    { "fd.snet", COMB_FT_NET, 0, F_FD_SNET, "server network" },
    { "fd.lnet", COMB_FT_NET, 0, F_FD_LNET, "local network" },
    { "fd.rnet", COMB_FT_NET, 0, F_FD_RNET, "remote network" },
    { "fd.connected", B, 0, F_FD_CONNECTED, "socket connected" },
    { "fd.name_changed", B, 0, F_FD_NAME_CHANGED, "fd name changed by this event" },
    { "fd.is_server", B, 0, F_FD_IS_SERVER, "this process is the server side" },
    { "fd.cip.name", S, 0, F_FD_CIP_NAME, "client host name" },
    { "fd.sip.name", S, 0, F_FD_SIP_NAME, "server host name" },
    { "fd.lip.name", S, 0, F_FD_LIP_NAME, "local host name" },
    { "fd.rip.name", S, 0, F_FD_RIP_NAME, "remote host name" },

    { "container.id", S, 0, F_CT_ID, "container id, host for host processes" },
    { "container.name", S, 0, F_CT_NAME, "container name" },
    { "container.type", S, 0, F_CT_TYPE, "docker, containerd, cri-o, podman, ..." },
    { "container.image", S, 0, F_CT_IMAGE, "image reference" },
    { "container.image.repository", S, 0, F_CT_IMAGE_REPO, "image repository" },
    { "container.image.tag", S, 0, F_CT_IMAGE_TAG, "image tag" },
    { "container.image.id", S, 0, F_CT_IMAGE_ID, "image id" },
    { "container.image.digest", S, 0, F_CT_IMAGE_DIGEST, "image digest" },
    { "container.privileged", B, 0, F_CT_PRIVILEGED, "privileged container" },
    { "container.start_ts", I, 0, F_CT_START_TS, "container start, ns since the epoch" },
    { "container.duration", I, 0, F_CT_DURATION, "ns since the container started" },
    { "container.mounts", S, 0, F_CT_MOUNTS, "source:dest:mode:rdwr:propagation, comma separated" },
    { "container.mount.source", S, IDX | KEY | COMB_FF_ARG_NEEDED, F_CT_MOUNT_SOURCE,
      "mount source by position or destination (glob)" },
    { "container.mount.dest", S, IDX | KEY | COMB_FF_ARG_NEEDED, F_CT_MOUNT_DEST,
      "mount destination by position or source (glob)" },
    { "container.mount.mode", S, IDX | KEY | COMB_FF_ARG_NEEDED, F_CT_MOUNT_MODE,
      "mount mode by position or source (glob)" },
    { "container.mount.rdwr", S, IDX | KEY | COMB_FF_ARG_NEEDED, F_CT_MOUNT_RDWR,
      "mount read/write by position or source (glob)" },
    { "container.mount.propagation", S, IDX | KEY | COMB_FF_ARG_NEEDED, F_CT_MOUNT_PROP,
      "mount propagation by position or source (glob)" },
    { "k8s.ns.name", S, 0, F_K8S_NS_NAME, "Kubernetes namespace (pod sandbox label)" },
    { "k8s.pod.name", S, 0, F_K8S_POD_NAME, "Kubernetes pod name (pod sandbox label)" },
};

#undef S
#undef I
#undef B
#undef IDX
#undef KEY
#undef MUL

const comb_field_desc *comb_field_table(size_t *n)
{
    *n = sizeof table / sizeof *table;
    return table;
}

const char *comb_ftype_name(comb_ftype t)
{
    switch (t) {
    case COMB_FT_STR: return "string";
    case COMB_FT_INT: return "number";
    case COMB_FT_BOOL: return "bool";
    case COMB_FT_IP: return "ipaddr";
    case COMB_FT_NET: return "ipnet";
    }
    return "?";
}

static const comb_field_desc *find(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
            return &table[i];
    return NULL;
}

int comb_field_parse(const char *text, size_t len, comb_field_ref *ref, char *key_store,
                     char *why, size_t whysize)
{
    memset(ref, 0, sizeof *ref);
    const char *br = memchr(text, '[', len);
    size_t base = br ? (size_t)(br - text) : len;
    const comb_field_desc *d = find(text, base);
    const char *key = NULL;
    size_t keylen = 0;
    int bracket = 0;
    if (!d && !br) {
        /* evt.arg.flags: the longest table name that is a prefix followed by '.' */
        for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
            size_t n = strlen(table[i].name);
            if ((table[i].flags & COMB_FF_ARG_DOT) && n + 1 < len && text[n] == '.' &&
                memcmp(table[i].name, text, n) == 0) {
                d = &table[i];
                key = text + n + 1;
                keylen = len - n - 1;
            }
        }
    }
    if (!d) {
        snprintf(why, whysize, "unknown field %.*s", (int)(len > 200 ? 200 : len), text);
        return -1;
    }
    if (br) {
        if (len < base + 2 || text[len - 1] != ']') {
            snprintf(why, whysize, "%s: unterminated [ argument", d->name);
            return -1;
        }
        key = br + 1;
        keylen = len - base - 2;
        bracket = 1;
    }
    ref->desc = d;
    if (!key) {
        if (d->flags & COMB_FF_ARG_NEEDED) {
            snprintf(why, whysize, "%s needs an argument", d->name);
            return -1;
        }
        return 0;
    }
    if (!(d->flags & (COMB_FF_ARG_INDEX | COMB_FF_ARG_KEY))) {
        snprintf(why, whysize, "%s takes no argument", d->name);
        return -1;
    }
    if (keylen == 0) {
        snprintf(why, whysize, "%s: empty argument", d->name);
        return -1;
    }
    ref->has_arg = 1;
    int numeric = 1;
    for (size_t i = 0; i < keylen; i++)
        if (key[i] < '0' || key[i] > '9')
            numeric = 0;
    if (numeric && bracket && keylen <= 9 && (d->flags & COMB_FF_ARG_INDEX)) {
        ref->index = strtoll(key, NULL, 10);
        return 0;
    }
    if (!(d->flags & COMB_FF_ARG_KEY)) {
        snprintf(why, whysize, "%s: argument must be a number", d->name);
        return -1;
    }
    ref->index = -1;
    memcpy(key_store, key, keylen);
    key_store[keylen] = '\0';
    ref->key = key_store;
    return 0;
}

/* ---- extraction helpers ------------------------------------------------ */

static void put_str(comb_fvalues *out, const char *s)
{
    if (!s || out->n >= COMB_FVALUES_MAX)
        return;
    out->v[out->n].s = s;
    out->v[out->n].len = strlen(s);
    out->n++;
}

static void put_strn(comb_fvalues *out, const char *s, size_t len)
{
    if (!s || out->n >= COMB_FVALUES_MAX)
        return;
    out->v[out->n].s = s;
    out->v[out->n].len = len;
    out->n++;
}

static void put_int(comb_fvalues *out, int64_t v)
{
    if (v == COMB_NA || out->n >= COMB_FVALUES_MAX)
        return;
    out->v[out->n].i = v;
    out->v[out->n].s = NULL;
    out->n++;
}

static void put_bool(comb_fvalues *out, int v)
{
    if (v < 0 || out->n >= COMB_FVALUES_MAX)
        return;
    put_int(out, v ? 1 : 0);
}

/* Start a string in scratch; returns its start. Writes that do not fit are
 * truncated, never overflow. */
static char *xs_begin(comb_scratch *x)
{
    if (x->used >= x->cap)
        x->used = x->cap - 1; /* keeps one byte for an empty string */
    return x->buf + x->used;
}

static void xs_append(comb_scratch *x, const char *s, size_t n)
{
    size_t room = x->cap - x->used - 1;
    if (n > room)
        n = room;
    memcpy(x->buf + x->used, s, n);
    x->used += n;
}

static void xs_printf(comb_scratch *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xs_printf(comb_scratch *x, const char *fmt, ...)
{
    size_t room = x->cap - x->used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(x->buf + x->used, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    x->used += (size_t)n < room ? (size_t)n : room - 1;
}

static void xs_end(comb_scratch *x, comb_fvalues *out, char *start)
{
    size_t len = (size_t)(x->buf + x->used - start);
    x->buf[x->used++] = '\0';
    put_strn(out, start, len);
}

static void put_joined(comb_scratch *x, comb_fvalues *out, const char *first,
                       const char *const *items, size_t n)
{
    char *s = xs_begin(x);
    int any = 0;
    if (first) {
        xs_append(x, first, strlen(first));
        any = 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!items[i])
            continue;
        if (any)
            xs_append(x, " ", 1);
        xs_append(x, items[i], strlen(items[i]));
        any = 1;
    }
    xs_end(x, out, s);
}

static void put_cmdline(comb_scratch *x, comb_fvalues *out, const comb_proc *p)
{
    if (!p->name)
        return;
    put_joined(x, out, p->name, p->args, p->nargs);
}

static void put_caps(comb_scratch *x, comb_fvalues *out, int64_t caps)
{
    if (caps == COMB_NA)
        return;
    char *s = xs_begin(x);
    int any = 0;
    const char *name;
    for (unsigned i = 0; (name = comb_cap_name(i)); i++) {
        if (!((uint64_t)caps & (1ull << i)))
            continue;
        if (any)
            xs_append(x, " ", 1);
        xs_append(x, name, strlen(name));
        any = 1;
    }
    xs_end(x, out, s);
}

/* The process N steps up: 0 is the event's own process. */
static const comb_proc *ancestor(const comb_event *ev, int64_t n)
{
    if (n == 0)
        return &ev->proc;
    const comb_proc *anc;
    size_t nanc = comb_event_ancestors(ev, &anc);
    if (n < 0 || (uint64_t)n > nanc)
        return NULL;
    return &anc[n - 1];
}

static const char *arg_by_name(const comb_event *ev, const char *name)
{
    for (size_t i = 0; i < ev->nargs; i++)
        if (ev->args[i].name && strcmp(ev->args[i].name, name) == 0)
            return ev->args[i].value;
    return NULL;
}

static int is_open_type(const char *t)
{
    return t && (!strcmp(t, "open") || !strcmp(t, "openat") || !strcmp(t, "openat2") ||
                 !strcmp(t, "creat") || !strcmp(t, "open_by_handle_at"));
}

/* Is `flag` one of the |-separated names in `flags`? */
static int has_flag(const char *flags, const char *flag)
{
    size_t fl = strlen(flag);
    for (const char *p = flags; p && *p;) {
        const char *e = strchr(p, '|');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == fl && memcmp(p, flag, n) == 0)
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

static void put_open_mode(const comb_event *ev, comb_fvalues *out, int want)
{
    if (!is_open_type(ev->type)) {
        put_bool(out, 0);
        return;
    }
    const char *f = arg_by_name(ev, "flags");
    if (!f)
        return;
    int rd = has_flag(f, "O_RDONLY") || has_flag(f, "O_RDWR");
    int wr = has_flag(f, "O_WRONLY") || has_flag(f, "O_RDWR");
    int ex = has_flag(f, "O_EXEC") || has_flag(f, "__FMODE_EXEC");
    put_bool(out, want == 'r' ? rd : want == 'w' ? wr : ex);
}

static void put_time(comb_scratch *x, comb_fvalues *out, int64_t ts, int date)
{
    if (ts == COMB_NA)
        return;
    time_t secs = (time_t)(ts / 1000000000);
    long ns = (long)(ts % 1000000000);
    if (ns < 0) {
        ns += 1000000000;
        secs--;
    }
    struct tm tm;
    if (!gmtime_r(&secs, &tm))
        return;
    char *s = xs_begin(x);
    if (date)
        xs_printf(x, "%04d-%02d-%02d ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    xs_printf(x, "%02d:%02d:%02d.%09ld", tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
    xs_end(x, out, s);
}

static char typechar(const char *type)
{
    static const struct { const char *t; char c; } map[] = {
        { "file", 'f' }, { "directory", 'd' }, { "ipv4", '4' }, { "ipv6", '6' },
        { "unix", 'u' }, { "pipe", 'p' }, { "event", 'e' }, { "signalfd", 's' },
        { "eventpoll", 'l' }, { "inotify", 'i' }, { "timerfd", 't' }, { "netlink", 'n' },
        { "bpf", 'b' }, { "userfaultfd", 'u' }, { "io_uring", 'r' }, { "memfd", 'm' },
        { "pidfd", 'P' },
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(map[i].t, type))
            return map[i].c;
    return 'o';
}

static int is_socket(const comb_fd *fd)
{
    return fd->type && (!strcmp(fd->type, "ipv4") || !strcmp(fd->type, "ipv6"));
}

/* fd.name, derived for sockets when the producer left it empty. */
static void put_fd_name(const comb_event *ev, comb_scratch *x, comb_fvalues *out)
{
    const comb_fd *fd = &ev->fd;
    if (fd->name) {
        put_str(out, fd->name);
        return;
    }
    if (!is_socket(fd) || !fd->cip || !fd->sip)
        return;
    char *s = xs_begin(x);
    xs_printf(x, "%s:%lld->%s:%lld", fd->cip, (long long)(fd->cport == COMB_NA ? 0 : fd->cport),
              fd->sip, (long long)(fd->sport == COMB_NA ? 0 : fd->sport));
    xs_end(x, out, s);
}

static int is_pathlike(const comb_fd *fd)
{
    return fd->name && fd->name[0] == '/' && fd->type &&
           (!strcmp(fd->type, "file") || !strcmp(fd->type, "directory"));
}

static void put_fd_dir(const comb_fd *fd, comb_fvalues *out, int want_dir)
{
    if (!is_pathlike(fd))
        return;
    if (!strcmp(fd->type, "directory")) {
        if (want_dir)
            put_str(out, fd->name);
        return;
    }
    const char *slash = strrchr(fd->name, '/');
    if (want_dir)
        put_strn(out, fd->name, slash == fd->name ? 1 : (size_t)(slash - fd->name));
    else
        put_str(out, slash + 1);
}

static int local_is_server(const comb_fd *fd)
{
    return fd->is_server == 1;
}

static const comb_mount *mount_by(const comb_event *ev, const comb_field_ref *r, int by_dest);

static void put_mounts(const comb_event *ev, comb_scratch *x, comb_fvalues *out)
{
    const comb_container *c = &ev->container;
    if (!c->id)
        return;
    char *s = xs_begin(x);
    for (size_t i = 0; i < c->nmounts; i++) {
        const comb_mount *m = &c->mounts[i];
        xs_printf(x, "%s%s:%s:%s:%s:%s", i ? "," : "", m->source ? m->source : "",
                  m->dest ? m->dest : "", m->mode ? m->mode : "", m->rdwr ? "true" : "false",
                  m->propagation ? m->propagation : "");
    }
    xs_end(x, out, s);
}

int comb_glob_match(const char *pat, size_t plen, const char *s, size_t slen, int icase);

/* Falco: mount.dest[X] finds the mount whose source matches X, mount.source[X]
 * the one whose destination matches X (X may be a glob); [N] is the Nth. */
static const comb_mount *mount_by(const comb_event *ev, const comb_field_ref *r, int by_dest)
{
    const comb_container *c = &ev->container;
    if (!r->key) {
        if (r->index < 0 || (uint64_t)r->index >= c->nmounts)
            return NULL;
        return &c->mounts[r->index];
    }
    for (size_t i = 0; i < c->nmounts; i++) {
        const char *v = by_dest ? c->mounts[i].dest : c->mounts[i].source;
        if (v && comb_glob_match(r->key, strlen(r->key), v, strlen(v), 0))
            return &c->mounts[i];
    }
    return NULL;
}

static void put_ancestors(const comb_event *ev, const comb_field_ref *r, comb_scratch *x,
                          comb_fvalues *out, int id)
{
    const comb_proc *anc;
    int64_t from = 1, to = (int64_t)comb_event_ancestors(ev, &anc);
    if (r->has_arg)
        from = to = r->index;
    for (int64_t n = from; n <= to && out->n < COMB_FVALUES_MAX; n++) {
        const comb_proc *p = ancestor(ev, n);
        if (!p)
            break;
        switch (id) {
        case F_PROC_ANAME: put_str(out, p->name); break;
        case F_PROC_APID: put_int(out, p->pid); break;
        case F_PROC_AEXE: put_str(out, p->exe); break;
        case F_PROC_AEXEPATH: put_str(out, p->exepath); break;
        case F_PROC_ACMDLINE: put_cmdline(x, out, p); break;
        }
    }
}

static void put_env(const comb_proc *p, const comb_field_ref *r, comb_scratch *x,
                    comb_fvalues *out)
{
    if (!r->key) {
        if (p->env)
            put_joined(x, out, NULL, p->env, p->nenv);
        return;
    }
    size_t kl = strlen(r->key);
    for (size_t i = 0; i < p->nenv; i++)
        if (p->env[i] && strncmp(p->env[i], r->key, kl) == 0 && p->env[i][kl] == '=') {
            put_str(out, p->env[i] + kl + 1);
            return;
        }
}

static void put_diff(comb_fvalues *out, int64_t a, int64_t b)
{
    if (a != COMB_NA && b != COMB_NA)
        put_int(out, a - b);
}

void comb_field_extract(const comb_event *ev, const comb_field_ref *r, comb_fvalues *out,
                        comb_scratch *x)
{
    out->n = 0;
    const comb_proc *p = &ev->proc;
    const comb_proc *pp = NULL; /* the parent: looked up by the fields that need it */
    const comb_fd *fd = &ev->fd;
    const comb_container *c = &ev->container;
    int srv = local_is_server(fd);
    switch (r->desc->id) {
    case F_EVT_NUM: put_int(out, ev->num); break;
    case F_EVT_TIME: put_time(x, out, ev->ts, 0); break;
    case F_EVT_RAWTIME: put_int(out, ev->ts); break;
    case F_EVT_DATETIME: put_time(x, out, ev->ts, 1); break;
    case F_EVT_TYPE: put_str(out, ev->type); break;
    case F_EVT_DIR: put_str(out, ev->dir == '>' ? ">" : "<"); break;
    case F_EVT_RES:
        if (ev->rawres == COMB_NA)
            break;
        if (ev->rawres >= 0) {
            put_str(out, "SUCCESS");
        } else if (comb_errno_name(-ev->rawres)) {
            put_str(out, comb_errno_name(-ev->rawres));
        } else {
            char *s = xs_begin(x);
            xs_printf(x, "%lld", (long long)ev->rawres);
            xs_end(x, out, s);
        }
        break;
    case F_EVT_RAWRES: put_int(out, ev->rawres); break;
    case F_EVT_FAILED: if (ev->rawres != COMB_NA) put_bool(out, ev->rawres < 0); break;
    case F_EVT_CPU: put_int(out, ev->cpu); break;
    case F_EVT_ARGS: {
        if (!ev->type)
            break;
        char *s = xs_begin(x);
        for (size_t i = 0; i < ev->nargs; i++)
            xs_printf(x, "%s%s=%s", i ? " " : "", ev->args[i].name ? ev->args[i].name : "",
                      ev->args[i].value ? ev->args[i].value : "");
        xs_end(x, out, s);
        break;
    }
    case F_EVT_ARG:
    case F_EVT_RAWARG:
        if (r->key)
            put_str(out, arg_by_name(ev, r->key));
        else if (r->index >= 0 && (uint64_t)r->index < ev->nargs)
            put_str(out, ev->args[r->index].value);
        break;
    case F_EVT_BUFFER: put_strn(out, ev->buffer, ev->buflen); break;
    case F_EVT_BUFLEN: if (ev->buffer) put_int(out, (int64_t)ev->buflen); break;
    case F_EVT_IS_OPEN_READ: put_open_mode(ev, out, 'r'); break;
    case F_EVT_IS_OPEN_WRITE: put_open_mode(ev, out, 'w'); break;
    case F_EVT_IS_OPEN_EXEC: put_open_mode(ev, out, 'x'); break;
    case F_EVT_HOSTNAME: put_str(out, ev->hostname); break;
    case F_EVT_SOURCE: put_str(out, "syscall"); break;

    case F_PROC_PID: put_int(out, p->pid); break;
    case F_PROC_PPID: put_int(out, p->ppid); break;
    case F_PROC_VPID: put_int(out, p->vpid); break;
    case F_PROC_SID: put_int(out, p->sid); break;
    case F_PROC_VPGID: put_int(out, p->vpgid); break;
    case F_PROC_NAME: put_str(out, p->name); break;
    case F_PROC_EXE: put_str(out, p->exe); break;
    case F_PROC_EXEPATH: put_str(out, p->exepath); break;
    case F_PROC_ARGS: if (p->name) put_joined(x, out, NULL, p->args, p->nargs); break;
    case F_PROC_CMDLINE: put_cmdline(x, out, p); break;
    case F_PROC_CWD: put_str(out, p->cwd); break;
    case F_PROC_TTY: put_int(out, p->tty); break;
    case F_PROC_ENV: put_env(p, r, x, out); break;
    case F_PROC_PNAME: if ((pp = ancestor(ev, 1))) put_str(out, pp->name); break;
    case F_PROC_PEXE: if ((pp = ancestor(ev, 1))) put_str(out, pp->exe); break;
    case F_PROC_PEXEPATH: if ((pp = ancestor(ev, 1))) put_str(out, pp->exepath); break;
    case F_PROC_PCMDLINE: if ((pp = ancestor(ev, 1))) put_cmdline(x, out, pp); break;
    case F_PROC_ANAME:
    case F_PROC_APID:
    case F_PROC_AEXE:
    case F_PROC_AEXEPATH:
    case F_PROC_ACMDLINE: put_ancestors(ev, r, x, out, r->desc->id); break;
    case F_PROC_DURATION: put_diff(out, ev->ts, p->start_ts); break;
    case F_PROC_PPID_DURATION: if ((pp = ancestor(ev, 1))) put_diff(out, ev->ts, pp->start_ts); break;
    case F_PROC_START_TS: put_int(out, p->start_ts); break;
    case F_PROC_UPPER: put_bool(out, p->is_exe_upper_layer); break;
    case F_PROC_MEMFD: put_bool(out, p->is_exe_from_memfd); break;
    case F_PROC_WRITABLE: put_bool(out, p->is_exe_writable); break;
    case F_PROC_VPGID_LEADER: put_bool(out, p->is_vpgid_leader); break;
    case F_PROC_SID_LEADER: put_bool(out, p->is_sid_leader); break;
    case F_PROC_SNAME: put_str(out, p->sname); break;
    case F_PROC_VPGID_NAME: put_str(out, p->vpgid_name); break;
    case F_PROC_VPGID_EXE: put_str(out, p->vpgid_exe); break;
    case F_PROC_EXE_INO: put_int(out, p->exe_ino); break;
    case F_PROC_EXE_INO_CTIME: put_int(out, p->exe_ino_ctime); break;
    case F_PROC_EXE_INO_MTIME: put_int(out, p->exe_ino_mtime); break;
    case F_PROC_EXE_INO_CTIME_DUR: put_diff(out, p->start_ts, p->exe_ino_ctime); break;
    case F_PROC_NARGS: if (p->name) put_int(out, (int64_t)p->nargs); break;

    case F_THREAD_TID: put_int(out, p->tid); break;
    case F_THREAD_VTID: put_int(out, p->vtid); break;
    case F_THREAD_CAP_EFF: put_caps(x, out, p->cap_effective); break;
    case F_THREAD_CAP_PERM: put_caps(x, out, p->cap_permitted); break;
    case F_THREAD_CAP_INH: put_caps(x, out, p->cap_inheritable); break;

    case F_USER_UID: put_int(out, p->uid); break;
    case F_USER_NAME: put_str(out, p->user_name); break;
    case F_USER_LOGINUID: put_int(out, p->loginuid); break;
    case F_USER_LOGINNAME: put_str(out, p->user_loginname); break;
    case F_USER_HOMEDIR: put_str(out, p->user_homedir); break;
    case F_USER_SHELL: put_str(out, p->user_shell); break;
    case F_GROUP_GID: put_int(out, p->gid); break;
    case F_GROUP_NAME: put_str(out, p->group_name); break;

    case F_FD_NUM: put_int(out, fd->num); break;
    case F_FD_TYPE: put_str(out, fd->type); break;
    case F_FD_TYPECHAR:
        if (fd->type) {
            char *s = xs_begin(x);
            char ch = typechar(fd->type);
            xs_append(x, &ch, 1);
            xs_end(x, out, s);
        }
        break;
    case F_FD_NAME: put_fd_name(ev, x, out); break;
    case F_FD_NAMERAW: put_str(out, fd->nameraw ? fd->nameraw : fd->name); break;
    case F_FD_DIRECTORY: put_fd_dir(fd, out, 1); break;
    case F_FD_FILENAME: put_fd_dir(fd, out, 0); break;
    case F_FD_IP: case F_FD_NET:
        if (is_socket(fd)) { put_str(out, fd->cip); put_str(out, fd->sip); }
        break;
    case F_FD_CIP: case F_FD_CNET: if (is_socket(fd)) put_str(out, fd->cip); break;
    case F_FD_SIP: case F_FD_SNET: if (is_socket(fd)) put_str(out, fd->sip); break;
    case F_FD_LIP: case F_FD_LNET: if (is_socket(fd)) put_str(out, srv ? fd->sip : fd->cip); break;
    case F_FD_RIP: case F_FD_RNET: if (is_socket(fd)) put_str(out, srv ? fd->cip : fd->sip); break;
    case F_FD_PORT:
        if (is_socket(fd)) { put_int(out, fd->cport); put_int(out, fd->sport); }
        break;
    case F_FD_CPORT: if (is_socket(fd)) put_int(out, fd->cport); break;
    case F_FD_SPORT: if (is_socket(fd)) put_int(out, fd->sport); break;
    case F_FD_LPORT: if (is_socket(fd)) put_int(out, srv ? fd->sport : fd->cport); break;
    case F_FD_RPORT: if (is_socket(fd)) put_int(out, srv ? fd->cport : fd->sport); break;
    case F_FD_L4PROTO: put_str(out, fd->l4proto); break;
    case F_FD_SOCKFAMILY:
        if (is_socket(fd))
            put_str(out, "ip");
        else if (fd->type && !strcmp(fd->type, "unix"))
            put_str(out, "unix");
        break;
    case F_FD_CONNECTED: put_bool(out, fd->connected); break;
    case F_FD_NAME_CHANGED: put_bool(out, fd->name_changed); break;
    case F_FD_IS_SERVER: put_bool(out, fd->is_server); break;
    case F_FD_CIP_NAME: put_str(out, fd->cip_name); break;
    case F_FD_SIP_NAME: put_str(out, fd->sip_name); break;
    case F_FD_LIP_NAME: put_str(out, srv ? fd->sip_name : fd->cip_name); break;
    case F_FD_RIP_NAME: put_str(out, srv ? fd->cip_name : fd->sip_name); break;

    case F_CT_ID: put_str(out, c->id); break;
    case F_CT_NAME: put_str(out, c->name); break;
    case F_CT_TYPE: put_str(out, c->type); break;
    case F_CT_IMAGE: put_str(out, c->image); break;
    case F_CT_IMAGE_REPO: put_str(out, c->image_repository); break;
    case F_CT_IMAGE_TAG: put_str(out, c->image_tag); break;
    case F_CT_IMAGE_ID: put_str(out, c->image_id); break;
    case F_CT_IMAGE_DIGEST: put_str(out, c->image_digest); break;
    case F_CT_PRIVILEGED: put_bool(out, c->privileged); break;
    case F_CT_START_TS: put_int(out, c->start_ts); break;
    case F_CT_DURATION: put_diff(out, ev->ts, c->start_ts); break;
    case F_CT_MOUNTS: put_mounts(ev, x, out); break;
    case F_CT_MOUNT_SOURCE: {
        const comb_mount *m = mount_by(ev, r, 1);
        if (m) put_str(out, m->source);
        break;
    }
    case F_CT_MOUNT_DEST:
    case F_CT_MOUNT_MODE:
    case F_CT_MOUNT_RDWR:
    case F_CT_MOUNT_PROP: {
        const comb_mount *m = mount_by(ev, r, 0);
        if (!m)
            break;
        if (r->desc->id == F_CT_MOUNT_DEST) put_str(out, m->dest);
        else if (r->desc->id == F_CT_MOUNT_MODE) put_str(out, m->mode);
        else if (r->desc->id == F_CT_MOUNT_PROP) put_str(out, m->propagation);
        else put_str(out, m->rdwr ? "true" : "false");
        break;
    }
    case F_K8S_NS_NAME: put_str(out, c->k8s_ns_name); break;
    case F_K8S_POD_NAME: put_str(out, c->k8s_pod_name); break;
    }
}
