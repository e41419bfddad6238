/* identity.c - which workload a network namespace is, and which workload
 * owns an address. Namespaces are found in /run/netns (ip netns names) and
 * through /proc/PID/ns/net (containers: the cgroup names the container,
 * containers.json its name and image; comb's own namespace is the host). Each
 * new namespace is entered once (setns) to read its cookie (the value the
 * BPF learner reports) and its IPv4 addresses. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/sensor/cgroup.h"
#include "runtime/sensor/containers.h"
#include "segment/segment.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define IDENT_MAX 4096

struct seg_ident {
    char dir[256];
    seg_netns *ns;
    size_t n;
    int64_t last_refresh_ms;
    comb_ctrmeta *ctr;
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

comb_code seg_ident_new(const char *netns_dir, seg_ident **out, comb_err *err)
{
    seg_ident *id = calloc(1, sizeof *id);
    if (!id || !(id->ns = calloc(IDENT_MAX, sizeof *id->ns))) {
        free(id);
        return comb_fail(err, COMB_ENOMEM, "identity: out of memory");
    }
    snprintf(id->dir, sizeof id->dir, "%s", netns_dir ? netns_dir : "/run/netns");
    comb_err e2;
    if (comb_ctrmeta_new(COMB_CONTAINERS_DEFAULT, &id->ctr, &e2))
        id->ctr = NULL; /* no podman storage: containers get their id only */
    *out = id;
    return seg_ident_refresh(id, err);
}

void seg_ident_free(seg_ident *id)
{
    if (!id)
        return;
    comb_ctrmeta_free(id->ctr);
    free(id->ns);
    free(id);
}

static seg_netns *by_inode(seg_ident *id, uint64_t ino)
{
    for (size_t i = 0; i < id->n; i++)
        if (id->ns[i].inode == ino)
            return &id->ns[i];
    return NULL;
}

/* Enter the namespace of fd, read cookie and addresses, come back. */
static int probe(int fd, int self, seg_netns *e)
{
    if (setns(fd, CLONE_NEWNET))
        return -1;
    int rc = -1;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    socklen_t len = sizeof e->cookie;
    if (s >= 0 && !getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &e->cookie, &len))
        rc = 0;
    if (s >= 0)
        close(s);
    struct ifaddrs *ifa = NULL;
    if (!rc && !getifaddrs(&ifa)) {
        for (struct ifaddrs *i = ifa; i && e->naddrs < SEG_MAX_ADDRS; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
                continue;
            uint32_t a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
            if ((ntohl(a) >> 24) == 127)
                continue;
            e->addrs[e->naddrs++] = a;
        }
        freeifaddrs(ifa);
    }
    if (setns(self, CLONE_NEWNET))
        return -1;
    return rc;
}

static void add_ns(seg_ident *id, int fd, int self, uint64_t ino, const char *name, seg_kind kind,
                   const char *image)
{
    if (id->n >= IDENT_MAX || by_inode(id, ino))
        return;
    seg_netns *e = &id->ns[id->n];
    memset(e, 0, sizeof *e);
    e->inode = ino;
    e->kind = kind;
    snprintf(e->name, sizeof e->name, "%s", name);
    snprintf(e->image, sizeof e->image, "%s", image ? image : "");
    if (probe(fd, self, e) == 0)
        id->n++;
}

static void scan_named(seg_ident *id, int self)
{
    DIR *d = opendir(id->dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && !fstat(fd, &st))
            add_ns(id, fd, self, (uint64_t)st.st_ino, de->d_name, SEG_KIND_NETNS, NULL);
        if (fd >= 0)
            close(fd);
    }
    closedir(d);
}

static void scan_procs(seg_ident *id, int self)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    /* comb's own namespace is the host's (PID 1's may be unreadable) */
    struct stat hostst;
    int have_host = !fstat(self, &hostst);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        char path[300], buf[4096];
        snprintf(path, sizeof path, "/proc/%s/ns/net", de->d_name);
        struct stat st;
        if (stat(path, &st) || by_inode(id, (uint64_t)st.st_ino))
            continue;
        char name[SEG_NAME_MAX] = "";
        const char *image = NULL;
        seg_kind kind = SEG_KIND_CONTAINER;
        if (have_host && st.st_ino == hostst.st_ino) {
            snprintf(name, sizeof name, "host");
            kind = SEG_KIND_HOST;
        } else {
            snprintf(path, sizeof path, "/proc/%s/cgroup", de->d_name);
            int cfd = open(path, O_RDONLY | O_CLOEXEC);
            ssize_t n = cfd >= 0 ? read(cfd, buf, sizeof buf - 1) : -1;
            if (cfd >= 0)
                close(cfd);
            char cg[2048], cid[COMB_CONTAINER_ID_LEN + 1];
            const char *rt;
            if (n <= 0)
                continue;
            buf[n] = '\0';
            if (comb_cgroup_v2_path(buf, cg, sizeof cg) || !comb_cgroup_container_id(cg, cid, &rt))
                continue; /* an unnamed namespace of a host process: not a workload */
            const comb_container_meta *m = id->ctr ? comb_ctrmeta_lookup(id->ctr, cid) : NULL;
            if (m && m->name) {
                snprintf(name, sizeof name, "%s", m->name);
                image = m->image;
            } else {
                snprintf(name, sizeof name, "%.12s", cid);
            }
        }
        snprintf(path, sizeof path, "/proc/%s/ns/net", de->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            add_ns(id, fd, self, (uint64_t)st.st_ino, name, kind, image);
            close(fd);
        }
    }
    closedir(d);
}

comb_code seg_ident_refresh(seg_ident *id, comb_err *err)
{
    int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return comb_fail(err, COMB_EIO, "/proc/self/ns/net: %s", strerror(errno));
    id->n = 0; /* addresses move; names are re-read */
    /* containers first: podman (netavark) also bind-mounts each container's
     * namespace as /run/netns/netns-<uuid>, a name that changes on restart */
    scan_procs(id, self);
    scan_named(id, self);
    close(self);
    id->last_refresh_ms = now_ms();
    return COMB_OK;
}

/* The namespace with this cookie (by_addr 0) or owning this address; on a
 * miss the namespaces are re-read, at most every 200 ms. */
static const seg_netns *lookup(seg_ident *id, int by_addr, uint64_t key)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < id->n; i++) {
            const seg_netns *ns = &id->ns[i];
            if (!by_addr && ns->cookie == key)
                return ns;
            for (size_t k = 0; by_addr && k < ns->naddrs; k++)
                if (ns->addrs[k] == key)
                    return ns;
        }
        if (pass || now_ms() - id->last_refresh_ms < 200)
            break;
        comb_err e;
        seg_ident_refresh(id, &e);
    }
    return NULL;
}

const seg_netns *seg_ident_cookie(seg_ident *id, uint64_t cookie)
{
    return lookup(id, 0, cookie);
}

const seg_netns *seg_ident_addr(seg_ident *id, uint32_t addr)
{
    return lookup(id, 1, addr);
}
