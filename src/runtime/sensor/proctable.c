/* proctable.c - the sensor's process table; see proctable.h. */
#include "runtime/sensor/proctable.h"

#include "core/readfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct comb_proctable {
    comb_procinfo **buckets;
    size_t nbuckets;            /* power of two */
    size_t max, count;
    /* pids of the last exits, oldest first (a ring of keep_dead slots) */
    int64_t *dead;
    size_t keep_dead, dead_head, ndead;
    uint64_t refused, reclaimed;
};

static size_t slot(const comb_proctable *t, int64_t pid)
{
    uint64_t h = (uint64_t)pid * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 32) & (t->nbuckets - 1);
}

comb_code comb_proctable_new(size_t max, size_t keep_dead, comb_proctable **out, comb_err *err)
{
    if (max == 0 || max > (1u << 24) || keep_dead >= max)
        return comb_fail(err, COMB_EINVAL, "process table: bad bounds (max %zu, keep %zu)", max,
                         keep_dead);
    comb_proctable *t = calloc(1, sizeof *t);
    if (!t)
        return comb_fail(err, COMB_ENOMEM, "process table: out of memory");
    t->nbuckets = 64;
    while (t->nbuckets < max)
        t->nbuckets <<= 1;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    t->keep_dead = keep_dead ? keep_dead : 1;
    t->dead = calloc(t->keep_dead, sizeof *t->dead);
    t->max = max;
    if (!t->buckets || !t->dead) {
        comb_proctable_free(t);
        return comb_fail(err, COMB_ENOMEM, "process table: out of memory");
    }
    *out = t;
    return COMB_OK;
}

static void entry_free(comb_procinfo *p)
{
    free(p->exepath);
    free(p->cwd);
    free(p->argbuf);
    free(p->argv);
    free(p);
}

void comb_proctable_free(comb_proctable *t)
{
    if (!t)
        return;
    for (size_t i = 0; t->buckets && i < t->nbuckets; i++)
        for (comb_procinfo *p = t->buckets[i], *n; p; p = n) {
            n = p->next;
            entry_free(p);
        }
    free(t->buckets);
    free(t->dead);
    free(t);
}

comb_procinfo *comb_proctable_get(comb_proctable *t, int64_t pid)
{
    for (comb_procinfo *p = t->buckets[slot(t, pid)]; p; p = p->next)
        if (p->pid == pid)
            return p;
    return NULL;
}

static void unlink_entry(comb_proctable *t, int64_t pid)
{
    for (comb_procinfo **pp = &t->buckets[slot(t, pid)]; *pp; pp = &(*pp)->next)
        if ((*pp)->pid == pid) {
            comb_procinfo *p = *pp;
            *pp = p->next;
            entry_free(p);
            t->count--;
            return;
        }
}

static void reset(comb_procinfo *p, int64_t pid)
{
    free(p->exepath);
    free(p->cwd);
    free(p->argbuf);
    free(p->argv);
    comb_procinfo *next = p->next;
    memset(p, 0, sizeof *p);
    p->next = next;
    p->pid = pid;
    p->ppid = p->vpid = p->uid = p->gid = p->loginuid = p->tty = p->start_ts = COMB_NA;
    p->cap_effective = p->cap_permitted = p->cap_inheritable = COMB_NA;
    p->exe_memfd = -1;
    p->exe_upper = -1;
}

comb_procinfo *comb_proctable_upsert(comb_proctable *t, int64_t pid)
{
    comb_procinfo *p = comb_proctable_get(t, pid);
    if (p) {
        if (p->dead)
            reset(p, pid); /* the pid was reused; its slot in the dead ring goes stale */
        return p;
    }
    if (t->count >= t->max) {
        t->refused++;
        return NULL;
    }
    p = calloc(1, sizeof *p);
    if (!p) {
        t->refused++;
        return NULL;
    }
    reset(p, pid);
    size_t s = slot(t, pid);
    p->next = t->buckets[s];
    t->buckets[s] = p;
    t->count++;
    return p;
}

int comb_procinfo_set_str(char **dst, const char *s, size_t len)
{
    if (!s) {
        free(*dst);
        *dst = NULL;
        return 0;
    }
    size_t n = strnlen(s, len < COMB_PROC_MAX_PATH ? len : COMB_PROC_MAX_PATH);
    char *c = malloc(n + 1);
    if (!c)
        return -1;
    memcpy(c, s, n);
    c[n] = '\0';
    free(*dst);
    *dst = c;
    return 0;
}

int comb_procinfo_set_args(comb_procinfo *p, const char *buf, size_t len)
{
    if (len > COMB_PROC_MAX_ARGBYTES)
        len = COMB_PROC_MAX_ARGBYTES;
    while (len && buf[len - 1] == '\0') /* trailing NULs end the last argument */
        len--;
    char *b = malloc(len + 1);
    if (!b)
        return -1;
    memcpy(b, buf, len);
    b[len] = '\0';
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += b[i] == '\0';
    if (n > COMB_PROC_MAX_ARGS)
        n = COMB_PROC_MAX_ARGS;
    const char **v = malloc(n * sizeof *v);
    if (!v) {
        free(b);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i <= len && k < n;) {
        v[k++] = b + i;
        i += strlen(b + i) + 1;
    }
    free(p->argbuf);
    free(p->argv);
    p->argbuf = b;
    p->argv = v;
    p->argc = len ? k : 0;
    return 0;
}

comb_procinfo *comb_proctable_fork(comb_proctable *t, int64_t parent, int64_t child,
                                   int64_t start_ts)
{
    comb_procinfo *c = comb_proctable_upsert(t, child);
    if (!c)
        return NULL;
    comb_procinfo *p = comb_proctable_get(t, parent);
    c->ppid = parent;
    c->start_ts = start_ts;
    if (!p || c == p)
        return c;
    c->uid = p->uid;
    c->gid = p->gid;
    c->loginuid = p->loginuid;
    c->tty = p->tty;
    c->exe_memfd = p->exe_memfd;
    c->exe_upper = p->exe_upper;
    c->cap_effective = p->cap_effective;
    c->cap_permitted = p->cap_permitted;
    c->cap_inheritable = p->cap_inheritable;
    memcpy(c->comm, p->comm, sizeof c->comm);
    memcpy(c->container_id, p->container_id, sizeof c->container_id);
    if (comb_procinfo_set_str(&c->exepath, p->exepath, COMB_PROC_MAX_PATH) ||
        comb_procinfo_set_str(&c->cwd, p->cwd, COMB_PROC_MAX_PATH))
        return c; /* out of memory: the child stays partly unknown */
    if (p->argc) {
        size_t len = 0;
        for (size_t i = 0; i < p->argc; i++)
            len += strlen(p->argv[i]) + 1;
        comb_procinfo_set_args(c, p->argbuf, len);
    }
    return c;
}

void comb_proctable_exit(comb_proctable *t, int64_t pid)
{
    comb_procinfo *p = comb_proctable_get(t, pid);
    if (!p || p->dead)
        return;
    p->dead = 1;
    if (t->ndead == t->keep_dead) {
        /* the oldest exit leaves the grace period; its pid may have been
         * reused since (then the entry is alive and stays) */
        int64_t old = t->dead[t->dead_head];
        comb_procinfo *o = comb_proctable_get(t, old);
        if (o && o->dead) {
            unlink_entry(t, old);
            t->reclaimed++;
        }
        t->dead[t->dead_head] = pid;
        t->dead_head = (t->dead_head + 1) % t->keep_dead;
    } else {
        t->dead[(t->dead_head + t->ndead) % t->keep_dead] = pid;
        t->ndead++;
    }
}

static void fill_one(const comb_procinfo *p, comb_proc *out)
{
    comb_proc_init(out);
    out->pid = out->tid = p->pid;
    out->vpid = out->vtid = p->vpid != COMB_NA ? p->vpid : p->pid;
    out->ppid = p->ppid;
    out->name = p->comm[0] ? p->comm : NULL;
    out->exepath = p->exepath;
    if (p->argc) {
        out->exe = p->argv[0];
        out->args = p->argv + 1;
        out->nargs = p->argc - 1;
    }
    out->cwd = p->cwd;
    out->tty = p->tty;
    out->uid = p->uid;
    out->gid = p->gid;
    out->loginuid = p->loginuid;
    out->start_ts = p->start_ts;
    out->is_exe_from_memfd = p->exe_memfd;
    out->is_exe_upper_layer = p->exe_upper;
    out->cap_effective = p->cap_effective;
    out->cap_permitted = p->cap_permitted;
    out->cap_inheritable = p->cap_inheritable;
}

int comb_proctable_fill(comb_proctable *t, int64_t pid, comb_proc *proc, comb_proc *anc,
                        size_t nanc, size_t *nfilled)
{
    *nfilled = 0;
    comb_procinfo *p = comb_proctable_get(t, pid);
    if (!p)
        return 0;
    fill_one(p, proc);
    *nfilled = comb_proctable_ancestors(t, pid, anc, nanc);
    return 1;
}

size_t comb_proctable_ancestors(comb_proctable *t, int64_t pid, comb_proc *anc, size_t nanc)
{
    comb_procinfo *p = comb_proctable_get(t, pid);
    size_t n = 0;
    int64_t up = p ? p->ppid : COMB_NA;
    for (size_t i = 0; i < nanc && up > 0 && up != COMB_NA; i++) {
        comb_procinfo *a = comb_proctable_get(t, up);
        if (!a || a->pid == pid)
            break;
        fill_one(a, &anc[i]);
        n = i + 1;
        up = a->ppid;
    }
    return n;
}

void comb_proctable_stats_get(const comb_proctable *t, comb_proctable_stats *st)
{
    /* a ring slot goes stale when its pid is reused: count entries, not slots */
    size_t dead = 0;
    for (size_t i = 0; i < t->ndead; i++) {
        const comb_procinfo *p = comb_proctable_get((comb_proctable *)t, t->dead[i]);
        dead += p && p->dead;
    }
    st->live = t->count - dead;
    st->dead = dead;
    st->refused = t->refused;
    st->reclaimed = t->reclaimed;
}

/* ---- /proc ---- */

/* Read a small /proc file (bounded) into buf; returns bytes read or -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = comb_read_upto(fd, buf, cap - 1);
    close(fd);
    buf[n] = '\0';
    return (ssize_t)n;
}

static int64_t boot_to_epoch_ns(void)
{
    struct timespec rt, bt;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_BOOTTIME, &bt);
    return ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000 + (rt.tv_nsec - bt.tv_nsec);
}

int comb_proctable_read_proc(comb_proctable *t, const char *procroot, int64_t pid)
{
    char path[256], buf[8192];
    snprintf(path, sizeof path, "%s/%lld/stat", procroot, (long long)pid);
    if (read_small(path, buf, sizeof buf) <= 0)
        return -1;
    /* "pid (comm) state ppid ..." - comm may hold spaces and parentheses */
    char *open_p = strchr(buf, '('), *close_p = strrchr(buf, ')');
    if (!open_p || !close_p || close_p < open_p)
        return -1;
    comb_procinfo *p = comb_proctable_upsert(t, pid);
    if (!p)
        return -1;
    size_t cl = (size_t)(close_p - open_p - 1);
    if (cl >= sizeof p->comm)
        cl = sizeof p->comm - 1;
    memcpy(p->comm, open_p + 1, cl);
    p->comm[cl] = '\0';
    /* fields after comm: 3 state, 4 ppid, ..., 7 tty_nr, ..., 22 starttime */
    char *f = close_p + 1;
    long long v[20] = { 0 };
    int nf = 0;
    char *save = NULL;
    for (char *tok = strtok_r(f, " ", &save); tok && nf < 20; tok = strtok_r(NULL, " ", &save)) {
        v[nf] = nf == 0 ? 0 : strtoll(tok, NULL, 10); /* field 3, the state, is a letter */
        nf++;
    }
    if (nf >= 20) {
        p->ppid = v[1];
        p->tty = v[4];
        long tck = sysconf(_SC_CLK_TCK);
        if (tck > 0)
            p->start_ts = v[19] * (1000000000 / tck) + boot_to_epoch_ns();
    }

    snprintf(path, sizeof path, "%s/%lld/status", procroot, (long long)pid);
    if (read_small(path, buf, sizeof buf) > 0) {
        char *u = strstr(buf, "\nUid:"), *g = strstr(buf, "\nGid:");
        if (u)
            p->uid = strtoll(u + 5, NULL, 10);
        if (g)
            p->gid = strtoll(g + 5, NULL, 10);
        /* "NSpid:\t4242\t1": the last is the pid in its own namespace */
        char *ns = strstr(buf, "\nNSpid:");
        if (ns) {
            char *end = strchr(ns + 1, '\n'), *last = NULL;
            for (char *q = ns + 7; *q && (!end || q < end); q++)
                if ((q[-1] == '\t' || q[-1] == ' ') && q[0] >= '0' && q[0] <= '9')
                    last = q;
            if (last)
                p->vpid = strtoll(last, NULL, 10);
        }
        static const struct { const char *key; size_t off; } caps[] = {
            { "\nCapEff:", offsetof(comb_procinfo, cap_effective) },
            { "\nCapPrm:", offsetof(comb_procinfo, cap_permitted) },
            { "\nCapInh:", offsetof(comb_procinfo, cap_inheritable) },
        };
        for (size_t i = 0; i < sizeof caps / sizeof *caps; i++) {
            char *c = strstr(buf, caps[i].key);
            if (c)
                *(int64_t *)((char *)p + caps[i].off) =
                    (int64_t)strtoull(c + strlen(caps[i].key), NULL, 16);
        }
    }
    snprintf(path, sizeof path, "%s/%lld/loginuid", procroot, (long long)pid);
    if (read_small(path, buf, 32) > 0) {
        long long l = strtoll(buf, NULL, 10);
        p->loginuid = l == 4294967295LL ? -1 : l;
    }
    snprintf(path, sizeof path, "%s/%lld/cmdline", procroot, (long long)pid);
    ssize_t n = read_small(path, buf, COMB_PROC_MAX_ARGBYTES + 1 < sizeof buf ?
                                          COMB_PROC_MAX_ARGBYTES + 1 : sizeof buf);
    if (n > 0)
        comb_procinfo_set_args(p, buf, (size_t)n);
    char link[COMB_PROC_MAX_PATH];
    snprintf(path, sizeof path, "%s/%lld/exe", procroot, (long long)pid);
    ssize_t ln = readlink(path, link, sizeof link - 1);
    if (ln > 0) {
        link[ln] = '\0';
        comb_procinfo_set_str(&p->exepath, link, (size_t)ln);
        p->exe_memfd = !strncmp(link, "/memfd:", 7);
    }
    snprintf(path, sizeof path, "%s/%lld/cwd", procroot, (long long)pid);
    ln = readlink(path, link, sizeof link - 1);
    if (ln > 0) {
        link[ln] = '\0';
        comb_procinfo_set_str(&p->cwd, link, (size_t)ln);
    }
    snprintf(path, sizeof path, "%s/%lld/cgroup", procroot, (long long)pid);
    char cg[4096];
    p->container_id[0] = '\0';
    if (read_small(path, buf, sizeof buf) > 0 && !comb_cgroup_v2_path(buf, cg, sizeof cg))
        comb_cgroup_container_id(cg, p->container_id, NULL);
    return 0;
}

comb_code comb_proctable_seed(comb_proctable *t, const char *procroot, comb_err *err)
{
    DIR *d = opendir(procroot);
    if (!d)
        return comb_fail(err, COMB_EIO, "%s: %s", procroot, strerror(errno));
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        char *end;
        long long pid = strtoll(de->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        comb_proctable_read_proc(t, procroot, pid); /* a vanished process is skipped */
    }
    closedir(d);
    return COMB_OK;
}
