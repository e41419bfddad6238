/* test_sensor_live.c - the real BPF sensor on this kernel (needs root: runs
 * for real, fails without it). A child forks a grandchild that opens and
 * unlinks a file and exits; the ring must hold the fork, the openat with
 * path and result and the exit, but no unlink (not asked for) and nothing
 * from this process (the watcher filters itself out). */
#include <arpa/inet.h>
#include <fcntl.h>
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
    int fork, open, open_ok, unlink, exited, self, sendto, sendmsg;
} seen;

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
    if (h->kind == SENSOR_EV_SYSCALL && len >= sizeof(struct sensor_syscall)) {
        const struct sensor_syscall *r = rec;
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
    comb_sensor *s = NULL;
    comb_err err;
    comb_code rc = comb_sensor_open(&o, &s, &err);
    if (rc)
        fprintf(stderr, "  %s\n", err.msg);
    CHECK_INT(rc, COMB_OK);
    if (rc)
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
    comb_sensor_counters ct;
    CHECK_INT(comb_sensor_counters_get(s, &ct, &err), COMB_OK);
    CHECK(ct.events >= 3);
    comb_sensor_close(s);
}

int main(void)
{
    RUN(test_live);
    return test_summary();
}
