/* event.c - absent-by-default events and errno names; see event.h. */
#include "runtime/rules/event.h"

#include <errno.h>
#include <string.h>

void comb_proc_init(comb_proc *p)
{
    memset(p, 0, sizeof *p);
    p->pid = p->tid = p->ppid = p->vpid = p->vtid = p->sid = p->vpgid = COMB_NA;
    p->tty = p->uid = p->gid = p->loginuid = COMB_NA;
    p->cap_effective = p->cap_permitted = p->cap_inheritable = COMB_NA;
    p->is_exe_upper_layer = p->is_exe_from_memfd = p->is_exe_writable = -1;
    p->is_vpgid_leader = p->is_sid_leader = -1;
    p->start_ts = p->exe_ino = p->exe_ino_ctime = p->exe_ino_mtime = COMB_NA;
}

void comb_event_init(comb_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->num = ev->ts = ev->rawres = ev->cpu = COMB_NA;
    ev->dir = '<';
    comb_proc_init(&ev->proc);
    ev->fd.num = ev->fd.cport = ev->fd.sport = COMB_NA;
    ev->fd.is_server = ev->fd.connected = ev->fd.name_changed = -1;
    ev->container.privileged = -1;
    ev->container.start_ts = COMB_NA;
}

size_t comb_event_ancestors(const comb_event *ev, const comb_proc **anc)
{
    if (ev->fill_ancestors)
        ev->fill_ancestors(ev);
    *anc = ev->ancestors;
    return ev->ancestors ? ev->nancestors : 0;
}

#define E(x) [x] = #x
static const char *const errno_names[] = {
    E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC),
    E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST),
    E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
    E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(ERANGE),
    E(ENAMETOOLONG), E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOTSOCK), E(EPROTONOSUPPORT),
    E(EOPNOTSUPP), E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN),
    E(ENETUNREACH), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN),
    E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS),
};
#undef E

const char *comb_errno_name(int64_t e)
{
    if (e <= 0 || e >= (int64_t)(sizeof errno_names / sizeof *errno_names))
        return NULL;
    return errno_names[e];
}
