/* sensor.c - libbpf skeleton: open, configure, load, attach, poll; see
 * sensor.h. The skeleton (sensor.skel.h, generated at build time) embeds the
 * BPF object, so nothing is read from disk. */
#include "runtime/sensor/sensor.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/bpf/sensor_abi.h"
#include "sensor.skel.h"

struct comb_sensor {
    struct sensor_bpf *skel;
    struct ring_buffer *rb;
    comb_sensor_record_fn fn;
    void *ud;
    int stopped;            /* the callback asked to stop */
};

/* libbpf's diagnostics are kept (the last lines) for the error message, not
 * printed: the library never writes to stderr. */
static char libbpf_log[768];

static int keep_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (level == LIBBPF_DEBUG)
        return 0;
    char line[512];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    if (n <= 0)
        return 0;
    size_t have = strlen(libbpf_log), add = strlen(line);
    if (have + add >= sizeof libbpf_log) {
        have = 0; /* keep the newest */
        libbpf_log[0] = '\0';
    }
    memcpy(libbpf_log + have, line, add + 1 < sizeof libbpf_log - have ? add + 1 : 0);
    return n;
}

static comb_code fail_bpf(comb_err *err, const char *what, int e)
{
    if (e == EPERM || e == EACCES) /* the usual case; libbpf's log adds nothing */
        return comb_fail(err, COMB_EUNSUPPORTED, "sensor: %s: %s (needs root: CAP_BPF and "
                         "CAP_PERFMON)", what, strerror(e));
    size_t n = strlen(libbpf_log);
    while (n && (libbpf_log[n - 1] == '\n' || libbpf_log[n - 1] == ' '))
        libbpf_log[--n] = '\0';
    return comb_fail(err, COMB_EIO, "sensor: %s: %s%s%s", what, strerror(e),
                     n ? "; libbpf: " : "", libbpf_log);
}

comb_code comb_sensor_open(const comb_sensor_opts *o, comb_sensor **out, comb_err *err)
{
    libbpf_set_print(keep_log);
    libbpf_log[0] = '\0';
    comb_sensor *s = calloc(1, sizeof *s);
    if (!s)
        return comb_fail(err, COMB_ENOMEM, "sensor: out of memory");
    s->skel = sensor_bpf__open();
    if (!s->skel) {
        int e = errno;
        free(s);
        return fail_bpf(err, "open", e);
    }
    s->skel->rodata->self_tgid = (__u32)getpid();
    uint64_t ring = o->ring_bytes ? o->ring_bytes : COMB_SENSOR_RING_DEFAULT;
    if (ring < COMB_SENSOR_RING_MIN || ring > COMB_SENSOR_RING_MAX || (ring & (ring - 1))) {
        comb_sensor_close(s);
        return comb_fail(err, COMB_EINVAL, "sensor: ring buffer size %llu is not a power of two "
                         "from 64K to 1G", (unsigned long long)ring);
    }
    if (bpf_map__set_max_entries(s->skel->maps.events, (__u32)ring)) {
        int e = errno;
        comb_sensor_close(s);
        return fail_bpf(err, "ring buffer size", e);
    }
    int rc = sensor_bpf__load(s->skel);
    if (rc) {
        comb_sensor_close(s);
        return fail_bpf(err, "load (needs a kernel with BTF)", -rc);
    }
    int wfd = bpf_map__fd(s->skel->maps.wanted);
    for (size_t i = 0; i < o->nsyscalls; i++) {
        __u32 k = (__u32)o->syscalls[i];
        __u8 one = 1;
        if (o->syscalls[i] < 0 || o->syscalls[i] >= SENSOR_MAX_SYSCALL)
            continue;
        if (bpf_map_update_elem(wfd, &k, &one, BPF_ANY)) {
            int e = errno;
            comb_sensor_close(s);
            return fail_bpf(err, "syscall filter", e);
        }
    }
    rc = sensor_bpf__attach(s->skel);
    if (rc) {
        comb_sensor_close(s);
        return fail_bpf(err, "attach", -rc);
    }
    *out = s;
    return COMB_OK;
}

static int on_record(void *ctx, void *data, size_t len)
{
    comb_sensor *s = ctx;
    if (!s->fn(s->ud, data, len))
        return 0;
    /* libbpf stops consuming only on a negative return */
    s->stopped = 1;
    return -ECANCELED;
}

comb_code comb_sensor_poll(comb_sensor *s, int timeout_ms, comb_sensor_record_fn fn, void *ud,
                           comb_err *err)
{
    s->fn = fn;
    s->ud = ud;
    if (!s->rb) {
        s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_record, s, NULL);
        if (!s->rb)
            return fail_bpf(err, "ring buffer", errno);
    }
    s->stopped = 0;
    int rc = ring_buffer__poll(s->rb, timeout_ms);
    if (s->stopped)
        return COMB_OK;
    if (rc < 0 && rc != -EINTR)
        return fail_bpf(err, "ring buffer poll", -rc);
    /* records submitted without a wakeup (see sensor.bpf.c) are read here */
    rc = ring_buffer__consume(s->rb);
    if (s->stopped)
        return COMB_OK;
    if (rc < 0 && rc != -EINTR)
        return fail_bpf(err, "ring buffer read", -rc);
    return COMB_OK;
}

comb_code comb_sensor_counters_get(comb_sensor *s, comb_sensor_counters *c, comb_err *err)
{
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu <= 0 || ncpu > 4096)
        return comb_fail(err, COMB_EIO, "sensor: cannot count CPUs");
    __u64 *v = calloc((size_t)ncpu, sizeof *v);
    if (!v)
        return comb_fail(err, COMB_ENOMEM, "sensor: out of memory");
    uint64_t sums[SENSOR_CNT_NCOUNTERS] = { 0 };
    int fd = bpf_map__fd(s->skel->maps.counters);
    for (__u32 k = 0; k < SENSOR_CNT_NCOUNTERS; k++) {
        if (bpf_map_lookup_elem(fd, &k, v)) {
            int e = errno;
            free(v);
            return fail_bpf(err, "counters", e);
        }
        for (int i = 0; i < ncpu; i++)
            sums[k] += v[i];
    }
    free(v);
    c->events = sums[SENSOR_CNT_EVENTS];
    c->drops = sums[SENSOR_CNT_DROPS];
    return COMB_OK;
}

void comb_sensor_close(comb_sensor *s)
{
    if (!s)
        return;
    ring_buffer__free(s->rb);
    sensor_bpf__destroy(s->skel);
    free(s);
}
