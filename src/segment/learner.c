/* learner.c - the segment learner's BPF skeleton (segment.bpf.c): open,
 * load, attach (TCP tracepoint always; the UDP cgroup hooks on the root
 * cgroup when possible), poll the ring buffer, read the per-CPU counters. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "segment.skel.h"
#include "segment/segment.h"
#include "segment/segment_abi.h"

struct seg_learner {
    struct segment_bpf *skel;
    struct bpf_link *links[3];
    struct ring_buffer *rb;
    seg_record_fn fn;
    void *ud;
    int stopped, udp;
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    (void)level;
    (void)fmt;
    (void)ap;
    return 0;
}

/* The cgroup v2 hierarchy's root: /sys/fs/cgroup, or /sys/fs/cgroup/unified
 * on hybrid hosts: the cgroup2 line of /proc/self/mounts. */
static int cgroup2_root(void)
{
    char line[1024], dir[512] = "/sys/fs/cgroup";
    FILE *f = fopen("/proc/self/mounts", "re");
    while (f && fgets(line, sizeof line, f)) {
        char dev[128], mnt[512], type[64];
        if (sscanf(line, "%127s %511s %63s", dev, mnt, type) == 3 && !strcmp(type, "cgroup2")) {
            snprintf(dir, sizeof dir, "%s", mnt);
            break;
        }
    }
    if (f)
        fclose(f);
    return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static comb_code fail(seg_learner *l, comb_err *err, const char *what, int e)
{
    seg_learner_close(l);
    if (e == EPERM || e == EACCES)
        return comb_fail(err, COMB_EUNSUPPORTED, "segment learner: %s: %s (needs root)", what,
                         strerror(e));
    return comb_fail(err, COMB_EIO, "segment learner: %s: %s", what, strerror(e));
}

comb_code seg_learner_open(uint64_t ring_bytes, seg_learner **out, comb_err *err)
{
    libbpf_set_print(quiet);
    seg_learner *l = calloc(1, sizeof *l);
    if (!l)
        return comb_fail(err, COMB_ENOMEM, "segment learner: out of memory");
    if (!(l->skel = segment_bpf__open()))
        return fail(l, err, "open", errno);
    if (ring_bytes) {
        if (ring_bytes < 65536 || ring_bytes > (1u << 30) || (ring_bytes & (ring_bytes - 1))) {
            seg_learner_close(l);
            return comb_fail(err, COMB_EINVAL, "segment learner: ring buffer size %llu is not a "
                             "power of two from 64K to 1G", (unsigned long long)ring_bytes);
        }
        if (bpf_map__set_max_entries(l->skel->maps.seg_events, (__u32)ring_bytes))
            return fail(l, err, "ring buffer size", errno);
    }
    int rc = segment_bpf__load(l->skel);
    if (rc)
        return fail(l, err, "load (needs a kernel with BTF)", -rc);
    l->links[0] = bpf_program__attach(l->skel->progs.seg_tcp_state);
    if (!l->links[0])
        return fail(l, err, "attach inet_sock_set_state", errno);
    int cg = cgroup2_root();
    if (cg >= 0) {
        l->links[1] = bpf_program__attach_cgroup(l->skel->progs.seg_udp_connect4, cg);
        l->links[2] = bpf_program__attach_cgroup(l->skel->progs.seg_udp_sendmsg4, cg);
        close(cg);
    }
    l->udp = l->links[1] && l->links[2];
    *out = l;
    return COMB_OK;
}

int seg_learner_udp(const seg_learner *l)
{
    return l->udp;
}

static int on_sample(void *ctx, void *data, size_t len)
{
    seg_learner *l = ctx;
    if (len < sizeof(struct seg_record))
        return 0;
    if (l->fn(l->ud, data)) {
        l->stopped = 1;
        return -ECANCELED;
    }
    return 0;
}

comb_code seg_learner_poll(seg_learner *l, int timeout_ms, seg_record_fn fn, void *ud,
                           comb_err *err)
{
    l->fn = fn;
    l->ud = ud;
    if (!l->rb) {
        l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.seg_events), on_sample, l, NULL);
        if (!l->rb)
            return comb_fail(err, COMB_EIO, "segment learner: ring buffer: %s", strerror(errno));
    }
    l->stopped = 0;
    int rc = ring_buffer__poll(l->rb, timeout_ms);
    if (!l->stopped && rc < 0 && rc != -EINTR)
        return comb_fail(err, COMB_EIO, "segment learner: poll: %s", strerror(-rc));
    return COMB_OK;
}

comb_code seg_learner_counters(seg_learner *l, seg_counters *c, comb_err *err)
{
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu <= 0 || ncpu > 4096)
        return comb_fail(err, COMB_EIO, "segment learner: cannot count CPUs");
    __u64 *v = calloc((size_t)ncpu, sizeof *v);
    if (!v)
        return comb_fail(err, COMB_ENOMEM, "segment learner: out of memory");
    uint64_t sums[SEG_CNT_N] = { 0 };
    int fd = bpf_map__fd(l->skel->maps.seg_counters);
    for (__u32 k = 0; k < SEG_CNT_N; k++) {
        if (bpf_map_lookup_elem(fd, &k, v)) {
            free(v);
            return comb_fail(err, COMB_EIO, "segment learner: counters: %s", strerror(errno));
        }
        for (int i = 0; i < ncpu; i++)
            sums[k] += v[i];
    }
    free(v);
    c->records = sums[SEG_CNT_RECORDS];
    c->drops = sums[SEG_CNT_DROPS];
    c->udp_dedup = sums[SEG_CNT_UDP_DEDUP];
    return COMB_OK;
}

void seg_learner_close(seg_learner *l)
{
    if (!l)
        return;
    ring_buffer__free(l->rb);
    for (int i = 0; i < 3; i++)
        bpf_link__destroy(l->links[i]);
    segment_bpf__destroy(l->skel);
    free(l);
}
