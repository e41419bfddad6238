/* metrics.c - Prometheus text exposition of the watch counters; see metrics.h. */
#include "runtime/sensor/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/readfile.h"

typedef struct sink {
    char *p;
    size_t cap, len;
    int full;
} sink;

static void put(sink *k, const char *fmt, ...)
{
    if (k->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(k->p + k->len, k->cap - k->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= k->cap - k->len) {
        k->full = 1;
        return;
    }
    k->len += (size_t)n;
}

static void family(sink *k, const char *name, const char *type, const char *help)
{
    put(k, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(sink *k, const char *name, const char *type, const char *help,
                unsigned long long v)
{
    family(k, name, type, help);
    put(k, "%s %llu\n", name, v);
}

size_t comb_metrics_format(const comb_watch_stats *st, char *buf, size_t cap)
{
    if (!cap)
        return 0;
    sink k = { buf, cap, 0, 0 };
    buf[0] = '\0';
    one(&k, "comb_watch_records_total", "counter", "Records read from the rings.", st->records);
    one(&k, "comb_watch_events_total", "counter", "Events evaluated by the rules.", st->events);
    one(&k, "comb_watch_alerts_total", "counter", "Rule matches.", st->alerts);
    one(&k, "comb_watch_malformed_total", "counter", "Records the decoder rejected.",
        st->malformed);
    one(&k, "comb_watch_recorded_total", "counter", "Events written to the recording.",
        st->recorded);
    one(&k, "comb_watch_syscalls_captured", "gauge", "Syscalls the kernel side captures.",
        st->nsyscalls);
    one(&k, "comb_watch_rings", "gauge", "Ring buffers (CPU modulo rings).", st->nrings);
    one(&k, "comb_watch_ring_bytes", "gauge", "Size of each ring buffer.", st->ring_bytes);
    static const struct {
        const char *name, *help;
        size_t off;
    } per_ring[] = {
        { "comb_watch_ring_events_total", "Records the kernel wrote to the ring.",
          offsetof(comb_sensor_ring_counters, events) },
        { "comb_watch_ring_drops_total", "Records lost because the ring was full.",
          offsetof(comb_sensor_ring_counters, drops) },
        { "comb_watch_ring_read_total", "Records comb's reader took from the ring.",
          offsetof(comb_sensor_ring_counters, read) },
    };
    unsigned n = st->nrings < COMB_SENSOR_MAX_RINGS ? st->nrings : COMB_SENSOR_MAX_RINGS;
    for (size_t f = 0; f < sizeof per_ring / sizeof per_ring[0]; f++) {
        family(&k, per_ring[f].name, "counter", per_ring[f].help);
        for (unsigned i = 0; i < n; i++) {
            uint64_t v;
            memcpy(&v, (const char *)&st->ring[i] + per_ring[f].off, sizeof v);
            put(&k, "%s{ring=\"%u\"} %llu\n", per_ring[f].name, i, (unsigned long long)v);
        }
    }
    one(&k, "comb_watch_processes", "gauge", "Live entries of the process table.",
        st->procs_live);
    one(&k, "comb_watch_processes_reclaimed_total", "counter",
        "Process table entries of exited processes reclaimed.", st->procs_reclaimed);
    one(&k, "comb_watch_processes_refused_total", "counter",
        "Processes not tracked because the table was full.", st->procs_refused);
    return k.full ? 0 : k.len;
}

comb_code comb_metrics_write(const char *path, const comb_watch_stats *st, comb_err *err)
{
    char *buf = malloc(COMB_METRICS_MAX);
    if (!buf)
        return comb_fail(err, COMB_ENOMEM, "metrics: out of memory");
    size_t len = comb_metrics_format(st, buf, COMB_METRICS_MAX);
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!len || n < 0 || (size_t)n >= sizeof tmp) {
        free(buf);
        return comb_fail(err, COMB_EINVAL, "metrics: %s: name or content too long", path);
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int e = fd < 0 ? errno : comb_write_fd_sync(fd, buf, len); /* closes fd */
    free(buf);
    if (!e && rename(tmp, path))
        e = errno;
    if (e) {
        if (fd >= 0)
            unlink(tmp);
        return comb_fail(err, COMB_EIO, "metrics: %s: %s", path, strerror(e));
    }
    return COMB_OK;
}
