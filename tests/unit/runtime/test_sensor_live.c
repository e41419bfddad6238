/* test_sensor_live.c - the real BPF sensor on this kernel (needs root: runs
 * for real, fails without it). A child forks a grandchild that opens and
 * unlinks a file and exits; the ring must hold the fork, the openat with
 * path and result and the exit, but no unlink (not asked for) and nothing
 * from this process (the watcher filters itself out). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/bpf/sensor_abi.h"
#include "runtime/sensor/sensor.h"
#include "test.h"

typedef struct seen {
    pid_t child, grandchild;
    char path[128];
    int fork, open, open_ok, unlink, exited, self, sendto, sendmsg, long_records;
} seen;

/* A syscall record, which ends after its last string byte, as the whole
 * struct (the rest zero); NULL when rec is not one. */
static const struct sensor_syscall *as_syscall(const void *rec, size_t len,
                                               struct sensor_syscall *buf)
{
    const struct sensor_hdr *h = rec;
    if (len < SENSOR_SYSCALL_FIXED || len > sizeof *buf || h->kind != SENSOR_EV_SYSCALL)
        return NULL;
    memset(buf, 0, sizeof *buf);
    memcpy(buf, rec, len);
    return buf;
}

static comb_sensor *open_sensor(const comb_sensor_opts *o)
{
    comb_sensor *s = NULL;
    comb_err err;
    comb_code rc = comb_sensor_open(o, &s, &err);
    if (rc)
        fprintf(stderr, "  %s\n", err.msg);
    CHECK_INT(rc, COMB_OK);
    return rc ? NULL : s;
}

static int on_record(void *ud, const void *rec, size_t len)
{
    seen *s = ud;
    if (len < sizeof(struct sensor_hdr))
        return 0;
    const struct sensor_hdr *h = rec;
    if (h->tgid == (unsigned)getpid() && h->kind != SENSOR_EV_FORK)
        s->self++;
    if (h->kind == SENSOR_EV_FORK && len >= sizeof(struct sensor_fork) &&
        h->tgid == (unsigned)s->child) {
        s->grandchild = (pid_t)((const struct sensor_fork *)rec)->child_tgid;
        s->fork++;
    }
    if (!s->grandchild || h->tgid != (unsigned)s->grandchild)
        return 0;
    if (h->kind == SENSOR_EV_EXIT)
        s->exited++;
    struct sensor_syscall sc;
    const struct sensor_syscall *r = as_syscall(rec, len, &sc);
    if (r) {
        /* variable size: an openat's record ends with its path */
        if (r->id == 257 && len > SENSOR_SYSCALL_FIXED + r->str_len[0] + 7)
            s->long_records++;
        if (r->id == 87 || r->id == 263)
            s->unlink++;
        if ((r->id == 44 || r->id == 46) && r->addr_len >= 8 && r->addr[0] == AF_INET &&
            r->addr[2] == 0 && r->addr[3] == 9 && r->fd_proto == 17 && r->fd_family == AF_INET &&
            r->sk_state == 7 /* TCP_CLOSE: not connected */)
            *(r->id == 44 ? &s->sendto : &s->sendmsg) += 1;
        if (r->id == 257 && r->str_len[0] && r->str_len[0] <= SENSOR_STR_LEN &&
            !strncmp(r->str[0], s->path, SENSOR_STR_LEN)) {
            s->open++;
            s->open_ok += r->ret >= 0;
        }
    }
    return 0;
}

static void test_live(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "  needs root to load BPF programs\n");
        CHECK(geteuid() == 0);
        return;
    }
    int nrs[] = { 257 /* openat */, 41 /* socket */, 44 /* sendto */, 46 /* sendmsg */ };
    comb_sensor_opts o = { .syscalls = nrs, .nsyscalls = 4 };
    comb_err err;
    comb_sensor *s = open_sensor(&o);
    if (!s)
        return;
    seen sn = { 0 };
    snprintf(sn.path, sizeof sn.path, "/tmp/comb-sensor-live-%d", (int)getpid());
    close(open(sn.path, O_CREAT | O_WRONLY, 0600)); /* ours: must not be seen */
    unlink(sn.path);
    pid_t c = fork();
    if (c == 0) {
        pid_t g = fork();
        if (g == 0) {
            int fd = open(sn.path, O_CREAT | O_RDWR, 0600);
            if (fd >= 0)
                close(fd);
            unlink(sn.path);
            int u = socket(AF_INET, SOCK_DGRAM, 0);
            struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
            to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            char b[4] = "comb";
            struct iovec iov = { b, sizeof b };
            struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov,
                                 .msg_iovlen = 1 };
            if (u >= 0) {
                sendto(u, b, sizeof b, 0, (struct sockaddr *)&to, sizeof to);
                sendmsg(u, &mh, 0);
                close(u);
            }
            _exit(0);
        }
        waitpid(g, NULL, 0);
        _exit(0);
    }
    sn.child = c;
    waitpid(c, NULL, 0);
    /* the grandchild's exit record comes after all its other records */
    for (int i = 0; i < 100 && !sn.exited; i++)
        CHECK_INT(comb_sensor_poll(s, 100, on_record, &sn, &err), COMB_OK);
    CHECK_INT(sn.exited, 1);
    CHECK_INT(sn.fork, 1);
    CHECK_INT(sn.open, 1);
    CHECK_INT(sn.open_ok, 1);
    CHECK_INT(sn.unlink, 0);
    CHECK_INT(sn.sendto, 1);
    CHECK_INT(sn.sendmsg, 1);
    CHECK_INT(sn.self, 0);
    CHECK_INT(sn.long_records, 0);
    comb_sensor_counters ct;
    CHECK_INT(comb_sensor_counters_get(s, &ct, &err), COMB_OK);
    CHECK(ct.events >= 3);
    comb_sensor_close(s);
}

/* One CPU floods its ring (getppid in a tight loop, pinned to CPU 0, with a
 * consumer that is slow on those records) while a process pinned to CPU 1
 * opens /etc/shadow: its record must still arrive, the drops must be counted
 * on ring 0 only, and ring 1 must lose nothing. (Ring 1 and its queue hold
 * 8 MiB: about 1,600 exec records or 27,000 syscall records, so other
 * processes on CPU 1 cannot fill them while the flood is on unless they
 * outrun what this consumer evaluates for seconds; a process storm on CPU 1
 * at the same time is a different test.) */
typedef struct flood {
    pid_t flooder, attacker;
    int shadow;
    uint64_t flood_seen, other[2];
} flood;

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static int on_flood(void *ud, const void *rec, size_t len)
{
    flood *f = ud;
    struct sensor_syscall sc;
    const struct sensor_syscall *r = as_syscall(rec, len, &sc);
    if (!r)
        return 0;
    if (r->h.tgid != (unsigned)f->flooder && r->h.tgid != (unsigned)f->attacker)
        f->other[r->h.cpu & 1]++;
    if (r->id == 110 /* getppid */ && r->h.tgid == (unsigned)f->flooder) {
        f->flood_seen++;
        struct timespec t0, t1; /* a slow rule: 5 us per record */
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do
            clock_gettime(CLOCK_MONOTONIC, &t1);
        while ((t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec < 5000);
    }
    if (r->id == 257 && r->h.tgid == (unsigned)f->attacker && r->str_len[0] &&
        r->str_len[0] <= SENSOR_STR_LEN && !strncmp(r->str[0], "/etc/shadow", SENSOR_STR_LEN))
        f->shadow++;
    return 0;
}

static void test_flood_one_cpu(void)
{
    if (geteuid() != 0 || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        fprintf(stderr, "  needs root and 2 CPUs\n");
        return;
    }
    int nrs[] = { 257 /* openat */, 110 /* getppid */ };
    comb_sensor_opts o = { .syscalls = nrs, .nsyscalls = 2, .ring_bytes = 8u << 20, .nrings = 2 };
    comb_err err;
    comb_sensor *s = open_sensor(&o);
    if (!s)
        return;
    flood f = { 0 };
    f.flooder = fork();
    if (f.flooder == 0) {
        pin(0);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do {
            for (int i = 0; i < 1000; i++)
                syscall(SYS_getppid);
            clock_gettime(CLOCK_MONOTONIC, &t1);
        } while (t1.tv_sec - t0.tv_sec < 3);
        _exit(0);
    }
    usleep(1000000); /* the flood is on, ring 0 full */
    f.attacker = fork();
    if (f.attacker == 0) {
        pin(1);
        int fd = open("/etc/shadow", O_RDONLY);
        if (fd >= 0)
            close(fd);
        _exit(0);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        CHECK_INT(comb_sensor_poll(s, 20, on_flood, &f, &err), COMB_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
    } while (!f.shadow && t1.tv_sec - t0.tv_sec < 10);
    CHECK_INT(f.shadow, 1);
    kill(f.flooder, SIGKILL);
    waitpid(f.flooder, NULL, 0);
    waitpid(f.attacker, NULL, 0);
    CHECK_INT(comb_sensor_drain(s, on_flood, &f, &err), COMB_OK);
    comb_sensor_counters ct;
    CHECK_INT(comb_sensor_counters_get(s, &ct, &err), COMB_OK);
    CHECK_INT(ct.nrings, 2);
    fprintf(stderr, "  ring 0: %llu events, %llu drops, %llu read; ring 1: %llu events, %llu "
            "drops, %llu read; flood records handled %llu; others' records on CPU 0 %llu, "
            "CPU 1 %llu\n",
            (unsigned long long)ct.ring[0].events, (unsigned long long)ct.ring[0].drops,
            (unsigned long long)ct.ring[0].read, (unsigned long long)ct.ring[1].events,
            (unsigned long long)ct.ring[1].drops, (unsigned long long)ct.ring[1].read,
            (unsigned long long)f.flood_seen, (unsigned long long)f.other[0],
            (unsigned long long)f.other[1]);
    CHECK(ct.ring[0].drops > 0);
    CHECK_INT(ct.ring[1].drops, 0);
    CHECK(ct.ring[0].events + ct.ring[0].drops > ct.ring[1].events);
    /* the drain detached the programs and read everything */
    CHECK(ct.ring[0].read == ct.ring[0].events && ct.ring[1].read == ct.ring[1].events);
    CHECK(ct.ring[0].read > 0 && ct.ring[1].read > 0);
    CHECK_INT(ct.drops, ct.ring[0].drops + ct.ring[1].drops);
    comb_sensor_close(s);
}

int main(void)
{
    RUN(test_live);
    RUN(test_flood_one_cpu);
    return test_summary();
}
