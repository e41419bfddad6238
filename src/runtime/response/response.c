/* response.c - kill, freeze, stop, isolate; see response.h. */
#include "runtime/response/response.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <nftables/libnftables.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DONE_MAX 1024           /* (container, action) pairs remembered */
#define WALK_DEPTH 4            /* cgroup levels searched by name */
#define WALK_MAX 20000          /* directories looked at per search */

static const char *const NAMES[] = { "kill", "freeze", "stop", "isolate" };

const char *comb_response_name(unsigned bit)
{
    for (unsigned i = 0; i < 4; i++)
        if (bit == 1u << i)
            return NAMES[i];
    return "?";
}

int comb_response_parse(const char *list, unsigned *mask, const char **bad, size_t *badlen)
{
    unsigned m = 0;
    const char *p = list;
    for (;;) {
        size_t n = strcspn(p, ",");
        size_t s = 0;
        while (s < n && p[s] == ' ')
            s++;
        size_t e = n;
        while (e > s && p[e - 1] == ' ')
            e--;
        unsigned bit = 0;
        for (unsigned i = 0; i < 4; i++)
            if (e - s == strlen(NAMES[i]) && !strncmp(p + s, NAMES[i], e - s))
                bit = 1u << i;
        if (!bit && !(e == s && !strcmp(list, ""))) {
            if (bad) {
                *bad = p + s;
                *badlen = e - s;
            }
            return -1;
        }
        m |= bit;
        if (!p[n])
            break;
        p += n + 1;
    }
    *mask = m;
    return 0;
}

typedef struct job {
    unsigned actions;
    int64_t pid;
    int64_t ts;
    comb_priority prio;
    char rule[256];
    char cid[72];               /* short or full id; "" on the host */
    char pname[32];
} job;

struct comb_responder {
    comb_responder_opts o;
    char procroot[256];
    char cgroup2[512];
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *q;
    size_t head, n;
    int closing;
    comb_response_stats st;
    struct { char cid[72]; unsigned act; } done[DONE_MAX];
    size_t ndone;
};

/* ---- reporting ---------------------------------------------------------------------- */

static void report(comb_responder *r, const job *j, unsigned act, const char *outcome,
                   const char *detail)
{
    pthread_mutex_lock(&r->mu);
    if (!strcmp(outcome, "ok"))
        r->st.ok++;
    else if (!strcmp(outcome, "failed"))
        r->st.failed++;
    else if (!strcmp(outcome, "dry-run"))
        r->st.dry_run++;
    else
        r->st.skipped++;
    pthread_mutex_unlock(&r->mu);
    if (!r->o.report)
        return;
    char tbuf[64];
    time_t sec = (time_t)(j->ts / 1000000000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);
    char when[96];
    snprintf(when, sizeof when, "%s.%09lldZ", tbuf, (long long)(j->ts % 1000000000));
    json_t *o = json_object();
    json_object_set_new(o, "time", json_string(when));
    json_object_set_new(o, "rule", json_string(j->rule));
    json_object_set_new(o, "priority", json_string(comb_priority_name(j->prio)));
    json_object_set_new(o, "source", json_string("comb.response"));
    json_object_set_new(o, "response", json_string(comb_response_name(act)));
    json_object_set_new(o, "outcome", json_string(outcome));
    json_object_set_new(o, "detail", json_string(detail ? detail : ""));
    json_t *f = json_object();
    json_object_set_new(f, "container.id", json_string(j->cid[0] ? j->cid : "host"));
    json_object_set_new(f, "proc.pid", json_integer(j->pid));
    json_object_set_new(f, "proc.name", json_string(j->pname));
    json_object_set_new(o, "output_fields", f);
    char *js = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    char text[1024];
    strftime(tbuf, sizeof tbuf, "%H:%M:%S", &tm);
    snprintf(text, sizeof text, "%s.%09lld: Response %s (rule %s) container=%s pid=%lld: %s%s%s",
             tbuf, (long long)(j->ts % 1000000000), comb_response_name(act), j->rule,
             j->cid[0] ? j->cid : "host", (long long)j->pid, outcome, detail && *detail ? ": " : "",
             detail ? detail : "");
    if (js)
        r->o.report(r->o.ud, j->prio, js, text);
    free(js);
}

/* ---- cgroups ------------------------------------------------------------------------ */

int comb_response_cgroup2_mount(char *out, size_t outsz)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f)
        return -1;
    char line[4096];
    int found = -1;
    while (found && fgets(line, sizeof line, f)) {
        char *sep = strstr(line, " - cgroup2 ");
        if (!sep)
            continue;
        char mnt[1024];
        if (sscanf(line, "%*s %*s %*s %*s %1023s", mnt) == 1 && strlen(mnt) < outsz) {
            memcpy(out, mnt, strlen(mnt) + 1);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

typedef struct walk {
    int (*fn)(void *ud, const char *path, const char *name);
    void *ud;
    size_t seen;
} walk;

static int walk_dir(walk *w, char *path, size_t len, size_t cap, int depth)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    int stop = 0;
    while (!stop && (e = readdir(d)) && w->seen++ < WALK_MAX) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.')
            continue;
        size_t n = strlen(e->d_name);
        if (len + 1 + n + 1 > cap)
            continue;
        path[len] = '/';
        memcpy(path + len + 1, e->d_name, n + 1);
        int r = w->fn(w->ud, path, e->d_name);
        if (r == 1)
            stop = 1;
        else if (r == 0 && depth > 1)
            stop = walk_dir(w, path, len + 1 + n, cap, depth - 1);
        path[len] = '\0';
    }
    closedir(d);
    return stop;
}

int comb_cgroup_walk(const char *root, int depth,
                     int (*fn)(void *ud, const char *path, const char *name), void *ud)
{
    char path[4096];
    size_t len = strlen(root);
    if (len >= sizeof path)
        return 0;
    memcpy(path, root, len + 1);
    walk w = { .fn = fn, .ud = ud };
    return walk_dir(&w, path, len, sizeof path, depth);
}

typedef struct find {
    const char *id;
    char *out;
    size_t outsz;
} find;

static int find_one(void *ud, const char *path, const char *name)
{
    find *f = ud;
    if (!strstr(name, f->id) || strstr(name, "conmon"))
        return 0;
    size_t n = strlen(path);
    if (n >= f->outsz)
        return 2;
    memcpy(f->out, path, n + 1);
    return 1;
}

int comb_response_find_cgroup(const char *cgroup2, const char *id, char *out, size_t outsz)
{
    size_t idlen = strlen(id);
    if (idlen < 12 || idlen > 64 || strspn(id, "0123456789abcdef") != idlen)
        return -1;
    find f = { .id = id, .out = out, .outsz = outsz };
    return comb_cgroup_walk(cgroup2, WALK_DEPTH, find_one, &f) ? 0 : -1;
}

/* The container's directory: from the process's own cgroup (cut after the
 * component naming the container), else by name. */
static int container_cgroup(comb_responder *r, const job *j, char *out, size_t outsz)
{
    char p[512], buf[4096];
    snprintf(p, sizeof p, "%s/%lld/cgroup", r->procroot, (long long)j->pid);
    FILE *f = fopen(p, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *l = strstr(buf, "0::/");
        if (l && (l == buf || l[-1] == '\n')) {
            char *path = l + 3;
            path[strcspn(path, "\n")] = '\0';
            char *hit = strstr(path, j->cid);
            if (hit) {
                char *end = strchr(hit, '/');
                if (end)
                    *end = '\0';
                if ((size_t)snprintf(out, outsz, "%s%s", r->cgroup2, path) < outsz)
                    return 0;
            }
        }
    }
    return comb_response_find_cgroup(r->cgroup2, j->cid, out, outsz);
}

static int write_file(const char *dir, const char *name, const char *val)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    ssize_t w = write(fd, val, strlen(val));
    int e = w < 0 ? errno : 0;
    close(fd);
    return e;
}

static int frozen(const char *dir)
{
    char p[4200], buf[512];
    snprintf(p, sizeof p, "%s/cgroup.events", dir);
    FILE *f = fopen(p, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, "frozen 1") != NULL;
}

/* ---- isolation ---------------------------------------------------------------------- */

typedef struct nsjob {
    int nsfd;
    char err[256];
    int rc;
} nsjob;

static const char ISOLATE_NFT[] =
    "add table inet comb_isolate\n"
    "delete table inet comb_isolate\n"
    "table inet comb_isolate {\n"
    "  chain input { type filter hook input priority -200; policy drop; iif \"lo\" accept; }\n"
    "  chain output { type filter hook output priority -200; policy drop; oif \"lo\" accept; }\n"
    "}\n";

/* A thread of its own enters the namespace: the thread (and its namespace)
 * ends with the job, nobody else's namespace changes. */
static void *isolate_main(void *arg)
{
    nsjob *nj = arg;
    if (setns(nj->nsfd, CLONE_NEWNET)) {
        nj->rc = errno;
        snprintf(nj->err, sizeof nj->err, "entering the network namespace: %s", strerror(errno));
        return NULL;
    }
    struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx) {
        nj->rc = ENOMEM;
        snprintf(nj->err, sizeof nj->err, "libnftables: no context");
        return NULL;
    }
    nft_ctx_buffer_output(ctx);
    nft_ctx_buffer_error(ctx);
    if (nft_run_cmd_from_buffer(ctx, ISOLATE_NFT)) {
        const char *e = nft_ctx_get_error_buffer(ctx);
        nj->rc = EIO;
        snprintf(nj->err, sizeof nj->err, "nftables: %.200s", e && *e ? e : "failed");
        size_t n = strlen(nj->err);
        while (n && nj->err[n - 1] == '\n')
            nj->err[--n] = '\0';
    }
    nft_ctx_free(ctx);
    return NULL;
}

static ino_t ns_ino(const char *path)
{
    struct stat st;
    return stat(path, &st) ? 0 : st.st_ino;
}

static void isolate(comb_responder *r, const job *j, const char *cg, char *detail, size_t dsz,
                    int *ok)
{
    /* a process of the container: the event's, or any in its cgroup */
    int64_t pid = j->pid;
    char p[4200];
    snprintf(p, sizeof p, "%s/%lld/ns/net", r->procroot, (long long)pid);
    if (access(p, F_OK)) {
        snprintf(p, sizeof p, "%s/cgroup.procs", cg);
        FILE *f = fopen(p, "r");
        long long v = 0;
        if (!f || fscanf(f, "%lld", &v) != 1)
            v = 0;
        if (f)
            fclose(f);
        pid = v;
        snprintf(p, sizeof p, "%s/%lld/ns/net", r->procroot, (long long)pid);
    }
    char self[300];
    snprintf(self, sizeof self, "%s/self/ns/net", r->procroot);
    ino_t target = pid > 0 ? ns_ino(p) : 0, host = ns_ino(self);
    if (!target) {
        snprintf(detail, dsz, "no process of the container is left");
        *ok = -1;
        return;
    }
    if (target == host) {
        snprintf(detail, dsz, "refused: the container shares the host's network namespace");
        *ok = -1;
    } else {
        nsjob nj = { .nsfd = open(p, O_RDONLY | O_CLOEXEC) };
        pthread_t t;
        if (nj.nsfd < 0) {
            snprintf(detail, dsz, "%.300s: %s", p, strerror(errno));
            *ok = -1;
            return;
        }
        if (pthread_create(&t, NULL, isolate_main, &nj)) {
            snprintf(detail, dsz, "cannot start a thread");
            *ok = -1;
        } else {
            pthread_join(t, NULL);
            if (nj.rc) {
                snprintf(detail, dsz, "%s", nj.err);
                *ok = -1;
            } else {
                snprintf(detail, dsz, "nftables table inet comb_isolate in netns of pid %lld",
                         (long long)pid);
                *ok = 1;
            }
        }
        close(nj.nsfd);
    }
    if (r->o.isolate_kernel) {
        int e = r->o.isolate_kernel(r->o.ud, cg);
        size_t n = strlen(detail);
        snprintf(detail + n, dsz - n, "%sconnect() refused in the kernel: %s", n ? "; " : "",
                 e ? strerror(e) : "ok");
        if (!e && *ok < 0 && target == host)
            *ok = 1; /* the kernel-side cut is the isolation then */
        if (e)
            *ok = -1;
    }
}

/* ---- the thread ----------------------------------------------------------------------- */

static int done_before(const comb_responder *r, const job *j, unsigned act)
{
    for (size_t i = 0; i < r->ndone; i++)
        if (r->done[i].act == act && !strcmp(r->done[i].cid, j->cid))
            return 1;
    return 0;
}

/* Remembered once it worked: a failed action is tried again on the next alert. */
static void remember(comb_responder *r, const job *j, unsigned act)
{
    if (r->ndone < DONE_MAX) {
        r->done[r->ndone].act = act;
        memcpy(r->done[r->ndone].cid, j->cid, sizeof j->cid);
        r->ndone++;
    }
}

static void container_action(comb_responder *r, const job *j, unsigned act)
{
    if (!j->cid[0]) {
        report(r, j, act, "skipped", "not in a container");
        return;
    }
    if (!r->o.act) {
        report(r, j, act, "dry-run", "not acting without --respond");
        return;
    }
    if (done_before(r, j, act)) {
        report(r, j, act, "skipped", "already done for this container");
        return;
    }
    char cg[4096], detail[800] = "";
    if (container_cgroup(r, j, cg, sizeof cg)) {
        report(r, j, act, "failed", "the container's cgroup v2 directory was not found");
        return;
    }
    int ok = -1, e;
    switch (act) {
    case COMB_ACT_FREEZE:
        if ((e = write_file(cg, "cgroup.freeze", "1"))) {
            snprintf(detail, sizeof detail, "%.300s/cgroup.freeze: %s", cg, strerror(e));
            break;
        }
        for (int i = 0; i < 200 && !frozen(cg); i++) {
            struct timespec ts = { 0, 10000000 };
            nanosleep(&ts, NULL);
        }
        ok = frozen(cg) ? 1 : -1;
        snprintf(detail, sizeof detail, "%.300s %s", cg, ok > 0 ? "frozen" : "not frozen after 2s");
        break;
    case COMB_ACT_STOP:
        if ((e = write_file(cg, "cgroup.kill", "1")))
            snprintf(detail, sizeof detail, "%.300s/cgroup.kill: %s", cg, strerror(e));
        else {
            ok = 1;
            snprintf(detail, sizeof detail, "%.300s: every process killed", cg);
        }
        break;
    case COMB_ACT_ISOLATE:
        isolate(r, j, cg, detail, sizeof detail, &ok);
        break;
    }
    if (ok > 0)
        remember(r, j, act);
    report(r, j, act, ok > 0 ? "ok" : "failed", detail);
}

static void *responder_main(void *arg)
{
    comb_responder *r = arg;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->n && !r->closing)
            pthread_cond_wait(&r->cv, &r->mu);
        if (!r->n)
            break;
        job j = r->q[r->head];
        r->head = (r->head + 1) % COMB_RESPONSE_QUEUE;
        r->n--;
        pthread_mutex_unlock(&r->mu);
        for (unsigned act = COMB_ACT_FREEZE; act <= COMB_ACT_ISOLATE; act <<= 1)
            if (j.actions & act)
                container_action(r, &j, act);
        pthread_mutex_lock(&r->mu);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

comb_code comb_responder_new(const comb_responder_opts *o, comb_responder **out, comb_err *err)
{
    comb_responder *r = calloc(1, sizeof *r);
    if (!r || !(r->q = calloc(COMB_RESPONSE_QUEUE, sizeof *r->q))) {
        free(r);
        return comb_fail(err, COMB_ENOMEM, "response: out of memory");
    }
    r->o = *o;
    snprintf(r->procroot, sizeof r->procroot, "%s", o->procroot ? o->procroot : "/proc");
    if (o->cgroup2)
        snprintf(r->cgroup2, sizeof r->cgroup2, "%s", o->cgroup2);
    else if (comb_response_cgroup2_mount(r->cgroup2, sizeof r->cgroup2))
        r->cgroup2[0] = '\0'; /* container actions will fail and say so */
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    if (pthread_create(&r->thread, NULL, responder_main, r)) {
        comb_responder_free(r, NULL);
        return comb_fail(err, COMB_EIO, "response: cannot start its thread");
    }
    r->started = 1;
    *out = r;
    return COMB_OK;
}

void comb_responder_submit(comb_responder *r, unsigned actions, const comb_rule *rule,
                           const comb_event *ev)
{
    job j = { .actions = actions, .pid = ev->proc.pid, .ts = ev->ts, .prio = comb_rule_priority(rule) };
    snprintf(j.rule, sizeof j.rule, "%s", comb_rule_name(rule));
    const char *cid = ev->container.id;
    if (cid && strcmp(cid, "host"))
        snprintf(j.cid, sizeof j.cid, "%s", cid);
    snprintf(j.pname, sizeof j.pname, "%s", ev->proc.name ? ev->proc.name : "");
    if (actions & COMB_ACT_KILL) {
        if (!r->o.act)
            report(r, &j, COMB_ACT_KILL, "dry-run", "not acting without --respond");
        else if (j.pid <= 1 || j.pid == (int64_t)getpid())
            report(r, &j, COMB_ACT_KILL, "skipped", "refusing to kill pid 1 or comb itself");
        else if (kill((pid_t)j.pid, SIGKILL))
            report(r, &j, COMB_ACT_KILL, "failed", strerror(errno));
        else
            report(r, &j, COMB_ACT_KILL, "ok", "SIGKILL sent");
    }
    if (!(actions & ~COMB_ACT_KILL))
        return;
    pthread_mutex_lock(&r->mu);
    int full = r->n == COMB_RESPONSE_QUEUE;
    if (!full) {
        r->q[(r->head + r->n) % COMB_RESPONSE_QUEUE] = j;
        r->n++;
        pthread_cond_signal(&r->cv);
    } else {
        r->st.dropped++;
    }
    pthread_mutex_unlock(&r->mu);
    for (unsigned act = COMB_ACT_FREEZE; full && act <= COMB_ACT_ISOLATE; act <<= 1)
        if (actions & act)
            report(r, &j, act, "skipped", "response queue full");
}

void comb_responder_free(comb_responder *r, comb_response_stats *st)
{
    if (!r)
        return;
    if (r->started) {
        pthread_mutex_lock(&r->mu);
        r->closing = 1;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(r->thread, NULL);
    }
    if (st)
        *st = r->st;
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r->q);
    free(r);
}
