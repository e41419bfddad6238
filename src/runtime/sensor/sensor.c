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
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>

#include "runtime/bpf/sensor_abi.h"
#include "sensor.skel.h"

/* One ring: the kernel ring buffer, its reader thread and the single-
 * producer single-consumer queue between that thread and the caller's.
 *
 * Queue entries: a u32 length, 4 bytes of padding, the record, padded to 8
 * bytes; QUEUE_WRAP as the length sends the consumer back to offset 0. head
 * and tail count bytes and only grow. The producer (reader thread) writes
 * bytes in [tail, head + cap) and then publishes them with a release store
 * of tail; the consumer reads bytes in [head, tail) after an acquire load of
 * tail and gives them back with a release store of head. No byte is ever
 * accessed by both threads without one of those pairs between them. */
#define QUEUE_WRAP 0xffffffffu
#define READER_POLL_MS 10       /* lazy (no-wakeup) records wait at most this */
#define POLL_BATCH 8192         /* records per comb_sensor_poll at most */

typedef struct ring {
    comb_sensor *s;
    int fd;                     /* the kernel ring buffer (a map) */
    struct ring_buffer *rb;     /* the reader thread's */
    pthread_t th;
    int started;
    unsigned char *q;
    uint64_t cap;               /* power of two */
    _Atomic uint64_t head, tail;
    _Atomic uint64_t read;      /* records taken from the kernel ring */
    _Atomic int done;           /* the reader finished its last pass (finish) */
    /* the kernel ring's consumer and producer positions (read-only maps),
     * and when the caller last saw it and the queue empty (caller only) */
    const unsigned long *cons_pos, *prod_pos;
    uint64_t quiet_ts;
    int nudge;                  /* eventfd in the reader's epoll set: read now */
} ring;

struct comb_sensor {
    struct sensor_bpf *skel;
    unsigned nrings;
    uint64_t ring_bytes;        /* per ring */
    ring rings[COMB_SENSOR_MAX_RINGS];
    int efd;                    /* eventfd: a reader queued records for a sleeping caller */
    _Atomic int sleeping;       /* the caller waits on efd */
    _Atomic int finish;         /* readers: take the rest, then stop */
    _Atomic int quit;           /* readers: stop now */
    int drained;
};

static uint64_t boot_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts); /* bpf_ktime_get_boot_ns() */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void wake_caller(comb_sensor *s)
{
    /* seq_cst against the caller's store of `sleeping` then load of tail:
     * either it sees our tail or we see it sleeping */
    if (atomic_load(&s->sleeping)) {
        uint64_t one = 1;
        ssize_t n = write(s->efd, &one, sizeof one);
        (void)n; /* a full counter is already a wakeup */
    }
}

/* libbpf callback in the reader thread: copy one record into the queue,
 * waiting while the queue is full (the kernel ring then fills up and drops,
 * for this ring only). */
static int queue_push(void *ctx, void *data, size_t len)
{
    ring *r = ctx;
    uint64_t need = 8 + ((len + 7) & ~(uint64_t)7);
    if (len >= QUEUE_WRAP || need > r->cap / 2)
        return 0; /* cannot be a sensor record; never happens with the sizes in sensor_abi.h */
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    uint64_t off = tail & (r->cap - 1), room = r->cap - off;
    uint64_t total = need <= room ? need : room + need;
    int spins = 0;
    while (tail + total - atomic_load_explicit(&r->head, memory_order_acquire) > r->cap) {
        if (atomic_load_explicit(&r->s->quit, memory_order_relaxed))
            return -ECANCELED;
        wake_caller(r->s);
        if (++spins < 64) {
            sched_yield();
        } else {
            struct timespec ts = { 0, 100000 };
            nanosleep(&ts, NULL);
        }
    }
    if (need > room) {
        uint32_t w = QUEUE_WRAP;
        memcpy(r->q + off, &w, sizeof w);
        off = 0;
    }
    uint32_t l = (uint32_t)len;
    memcpy(r->q + off, &l, sizeof l);
    memcpy(r->q + off + 8, data, len);
    atomic_store(&r->tail, tail + total);
    atomic_fetch_add_explicit(&r->read, 1, memory_order_relaxed);
    wake_caller(r->s);
    return 0;
}

static void *reader_main(void *arg)
{
    ring *r = arg;
    comb_sensor *s = r->s;
    while (!atomic_load(&s->quit) && !atomic_load(&s->finish)) {
        ring_buffer__poll(r->rb, READER_POLL_MS);
        uint64_t v;
        ssize_t n = read(r->nudge, &v, sizeof v);
        (void)n; /* EAGAIN: not nudged */
    }
    if (!atomic_load(&s->quit))
        ring_buffer__consume(r->rb); /* records submitted without a wakeup */
    atomic_store(&r->done, 1);
    wake_caller(s);
    return NULL;
}

/* The consumer's view of a queue's oldest record (NULL: empty). */
static const unsigned char *queue_peek(ring *r, uint32_t *len)
{
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    while (head != tail) {
        uint64_t off = head & (r->cap - 1);
        uint32_t l;
        memcpy(&l, r->q + off, sizeof l);
        if (l != QUEUE_WRAP) {
            *len = l;
            return r->q + off + 8;
        }
        head += r->cap - off;
        atomic_store_explicit(&r->head, head, memory_order_release);
    }
    return NULL;
}

static void queue_pop(ring *r, uint32_t len)
{
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    atomic_store_explicit(&r->head, head + 8 + ((len + 7) & ~(uint64_t)7),
                          memory_order_release);
}

static uint64_t rec_ts(const unsigned char *p, uint32_t len)
{
    struct sensor_hdr h;
    if (len < sizeof h)
        return 0; /* first: the decoder rejects it */
    memcpy(&h, p, sizeof h);
    return h.ts;
}

/* Whether a ring with an empty queue can still produce a record older than
 * ts: it cannot once, after ts, the kernel ring was seen empty (a record is
 * reserved, moving the producer position, before its stamp is taken; the
 * reader queues a record before libbpf moves the consumer position, so an
 * empty kernel ring read with acquire, then an empty queue, mean nothing
 * older is on its way). */
static int quiet_before(ring *r, uint64_t ts)
{
    if (ts < r->quiet_ts)
        return 1;
    uint64_t now = boot_ns();
    unsigned long cons = __atomic_load_n(r->cons_pos, __ATOMIC_ACQUIRE);
    unsigned long prod = __atomic_load_n(r->prod_pos, __ATOMIC_ACQUIRE);
    if (cons != prod || atomic_load(&r->tail) != atomic_load(&r->head)) {
        /* records on their way, or submitted without a wakeup: have the
         * reader take them now rather than at its next timeout */
        if (cons != prod) {
            uint64_t one = 1;
            ssize_t w = write(r->nudge, &one, sizeof one);
            (void)w;
        }
        return 0;
    }
    r->quiet_ts = now;
    return ts < now;
}

/* Hand over records in timestamp order: the oldest head of all queues, once
 * every ring with an empty queue is known not to hold anything older (see
 * quiet_before), or once it is older than the window (a ring's reader is
 * late). flush: no more records will come. Returns records handed over;
 * *stop when fn asked to stop; *wait_ns: when to try again if held. */
static size_t merge(comb_sensor *s, int flush, comb_sensor_record_fn fn, void *ud, int *stop,
                    uint64_t *wait_ns)
{
    const uint64_t window = (uint64_t)COMB_SENSOR_REORDER_MS * 1000000u;
    size_t n = 0;
    *wait_ns = 0;
    while (n < POLL_BATCH) {
        int best = -1;
        uint64_t best_ts = 0;
        uint32_t best_len = 0;
        const unsigned char *best_p = NULL;
        unsigned empty[COMB_SENSOR_MAX_RINGS], nempty = 0;
        for (unsigned i = 0; i < s->nrings; i++) {
            uint32_t len;
            const unsigned char *p = queue_peek(&s->rings[i], &len);
            if (!p) {
                empty[nempty++] = i;
                continue;
            }
            uint64_t ts = rec_ts(p, len);
            if (best < 0 || ts < best_ts) {
                best = (int)i;
                best_ts = ts;
                best_len = len;
                best_p = p;
            }
        }
        if (best < 0)
            break;
        int held = 0;
        for (unsigned k = 0; k < nempty && !flush && !held; k++)
            held = !quiet_before(&s->rings[empty[k]], best_ts);
        if (held) {
            uint64_t now = boot_ns();
            if (best_ts + window > now) {
                *wait_ns = 200000; /* the late reader polls every READER_POLL_MS */
                break;
            }
        }
        int r = fn(ud, best_p, best_len);
        queue_pop(&s->rings[best], best_len);
        n++;
        if (r) {
            *stop = 1;
            break;
        }
    }
    return n;
}

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

static unsigned floor_pow2(uint64_t v)
{
    unsigned b = 0;
    while (b < 63 && (2ull << b) <= v)
        b++;
    return b;
}

/* Ring buffers for the `rings` array and their readers' queues. */
static comb_code make_rings(comb_sensor *s, comb_err *err)
{
    int outer = bpf_map__fd(s->skel->maps.rings);
    for (unsigned i = 0; i < s->nrings; i++) {
        ring *r = &s->rings[i];
        r->s = s;
        r->fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "comb_ring", 0, 0, (__u32)s->ring_bytes,
                               NULL);
        if (r->fd < 0)
            return fail_bpf(err, "ring buffer", errno);
        if (bpf_map_update_elem(outer, &i, &r->fd, BPF_ANY))
            return fail_bpf(err, "ring buffer array", errno);
        long pg = sysconf(_SC_PAGESIZE);
        void *c = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, r->fd, 0);
        void *p = c == MAP_FAILED ? MAP_FAILED
                                  : mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, r->fd, pg);
        if (p == MAP_FAILED) {
            int e = errno;
            if (c != MAP_FAILED)
                munmap(c, (size_t)pg);
            return fail_bpf(err, "ring buffer positions", e);
        }
        r->cons_pos = c;
        r->prod_pos = p;
        r->cap = s->ring_bytes;
        r->q = malloc(r->cap);
        if (!r->q)
            return comb_fail(err, COMB_ENOMEM, "sensor: out of memory");
        r->rb = ring_buffer__new(r->fd, queue_push, r, NULL);
        if (!r->rb)
            return fail_bpf(err, "ring buffer reader", errno);
        /* libbpf takes an event's data as the index of the ring to read: 0,
         * the only one in this reader's set */
        r->nudge = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = 0 };
        if (r->nudge < 0 ||
            epoll_ctl(ring_buffer__epoll_fd(r->rb), EPOLL_CTL_ADD, r->nudge, &ev))
            return comb_fail(err, COMB_EIO, "sensor: reader wakeup: %s", strerror(errno));
    }
    return COMB_OK;
}

static comb_code start_readers(comb_sensor *s, comb_err *err)
{
    for (unsigned i = 0; i < s->nrings; i++) {
        ring *r = &s->rings[i];
        int e = pthread_create(&r->th, NULL, reader_main, r);
        if (e)
            return comb_fail(err, COMB_EIO, "sensor: reader thread: %s", strerror(e));
        r->started = 1;
    }
    return COMB_OK;
}

comb_code comb_sensor_open(const comb_sensor_opts *o, comb_sensor **out, comb_err *err)
{
    libbpf_set_print(keep_log);
    libbpf_log[0] = '\0';
    uint64_t total = o->ring_bytes ? o->ring_bytes : COMB_SENSOR_RING_DEFAULT;
    if (total < COMB_SENSOR_RING_MIN || total > COMB_SENSOR_RING_MAX || (total & (total - 1)))
        return comb_fail(err, COMB_EINVAL, "sensor: ring buffer size %llu is not a power of two "
                         "from 64K to 1G", (unsigned long long)total);
    if (o->nrings > COMB_SENSOR_MAX_RINGS)
        return comb_fail(err, COMB_EINVAL, "sensor: at most %d rings", COMB_SENSOR_MAX_RINGS);
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu <= 0)
        return comb_fail(err, COMB_EIO, "sensor: cannot count CPUs");
    unsigned nrings = o->nrings ? o->nrings
                                : (unsigned)(ncpu < COMB_SENSOR_DEFAULT_RINGS
                                                 ? ncpu : COMB_SENSOR_DEFAULT_RINGS);
    while (nrings > 1 && total / nrings < COMB_SENSOR_RING_MIN)
        nrings--;
    comb_sensor *s = calloc(1, sizeof *s);
    if (!s)
        return comb_fail(err, COMB_ENOMEM, "sensor: out of memory");
    s->efd = -1;
    s->nrings = nrings;
    s->ring_bytes = 1ull << floor_pow2(total / nrings);
    for (unsigned i = 0; i < COMB_SENSOR_MAX_RINGS; i++)
        s->rings[i].fd = s->rings[i].nudge = -1;
    s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->efd < 0) {
        int e = errno;
        comb_sensor_close(s);
        return comb_fail(err, COMB_EIO, "sensor: eventfd: %s", strerror(e));
    }
    s->skel = sensor_bpf__open();
    if (!s->skel) {
        int e = errno;
        comb_sensor_close(s);
        return fail_bpf(err, "open", e);
    }
    s->skel->rodata->self_tgid = (__u32)getpid();
    s->skel->rodata->nrings = nrings;
    /* the inner template's size does not matter: the kernel does not compare
     * a ring buffer's size when one is put into the array */
    if (bpf_map__set_max_entries(s->skel->maps.rings, nrings)) {
        int e = errno;
        comb_sensor_close(s);
        return fail_bpf(err, "ring buffer size", e);
    }
    int rc = sensor_bpf__load(s->skel);
    if (rc) {
        comb_sensor_close(s);
        return fail_bpf(err, "load (needs a kernel with BTF)", -rc);
    }
    comb_code cc = make_rings(s, err);
    if (cc) {
        comb_sensor_close(s);
        return cc;
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
    if ((cc = start_readers(s, err))) {
        comb_sensor_close(s);
        return cc;
    }
    *out = s;
    return COMB_OK;
}

/* Sleep until a reader queues something (or a record held by the window is
 * due), at most ms. */
static void wait_records(comb_sensor *s, int ms)
{
    atomic_store(&s->sleeping, 1);
    int have = 0;
    for (unsigned i = 0; i < s->nrings && !have; i++)
        have = atomic_load(&s->rings[i].tail) != atomic_load(&s->rings[i].head);
    if (!have && ms > 0) {
        struct pollfd p = { .fd = s->efd, .events = POLLIN };
        poll(&p, 1, ms);
    }
    atomic_store(&s->sleeping, 0);
    uint64_t v;
    ssize_t n = read(s->efd, &v, sizeof v);
    (void)n; /* EAGAIN: nothing pending */
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

comb_code comb_sensor_poll(comb_sensor *s, int timeout_ms, comb_sensor_record_fn fn, void *ud,
                           comb_err *err)
{
    (void)err;
    if (s->drained)
        return COMB_OK;
    int64_t end = mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        int stop = 0;
        uint64_t wait_ns;
        if (merge(s, 0, fn, ud, &stop, &wait_ns) || stop)
            return COMB_OK;
        int64_t left = end - mono_ms();
        if (left <= 0)
            return COMB_OK;
        int ms = (int)left;
        if (wait_ns) { /* a record held for a late ring: try again shortly */
            struct timespec ts = { 0, (long)wait_ns };
            nanosleep(&ts, NULL);
            continue;
        }
        wait_records(s, ms);
    }
}

comb_code comb_sensor_drain(comb_sensor *s, comb_sensor_record_fn fn, void *ud, comb_err *err)
{
    (void)err;
    if (s->drained)
        return COMB_OK;
    /* nothing new from here on, so the counters stay as the rings were read */
    sensor_bpf__detach(s->skel);
    atomic_store(&s->finish, 1);
    int stop = 0;
    uint64_t wait_ns;
    for (;;) {
        int done = 1;
        for (unsigned i = 0; i < s->nrings; i++)
            done &= atomic_load(&s->rings[i].done);
        /* the readers may wait for room in their queues: keep taking */
        size_t n = merge(s, done, fn, ud, &stop, &wait_ns);
        if (stop || (done && !n))
            break;
        if (!n)
            wait_records(s, 1);
    }
    s->drained = 1;
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
    memset(c, 0, sizeof *c);
    c->nrings = s->nrings;
    c->ring_bytes = s->ring_bytes;
    int fd = bpf_map__fd(s->skel->maps.counters);
    for (__u32 k = 0; k < SENSOR_CNT_NCOUNTERS; k++) {
        if (bpf_map_lookup_elem(fd, &k, v)) {
            int e = errno;
            free(v);
            return fail_bpf(err, "counters", e);
        }
        /* the kernel side picks the ring of CPU i as i % nrings */
        for (int i = 0; i < ncpu; i++) {
            comb_sensor_ring_counters *rc = &c->ring[(unsigned)i % s->nrings];
            *(k == SENSOR_CNT_EVENTS ? &rc->events : &rc->drops) += v[i];
        }
    }
    free(v);
    for (unsigned i = 0; i < s->nrings; i++) {
        c->ring[i].read = atomic_load_explicit(&s->rings[i].read, memory_order_relaxed);
        c->events += c->ring[i].events;
        c->drops += c->ring[i].drops;
    }
    return COMB_OK;
}

void comb_sensor_close(comb_sensor *s)
{
    if (!s)
        return;
    atomic_store(&s->quit, 1);
    for (unsigned i = 0; i < s->nrings; i++)
        if (s->rings[i].started)
            pthread_join(s->rings[i].th, NULL);
    /* detach before the rings go */
    sensor_bpf__destroy(s->skel);
    for (unsigned i = 0; i < s->nrings; i++) {
        ring_buffer__free(s->rings[i].rb);
        long pg = sysconf(_SC_PAGESIZE);
        if (s->rings[i].cons_pos)
            munmap((void *)s->rings[i].cons_pos, (size_t)pg);
        if (s->rings[i].prod_pos)
            munmap((void *)s->rings[i].prod_pos, (size_t)pg);
        if (s->rings[i].fd >= 0)
            close(s->rings[i].fd);
        if (s->rings[i].nudge >= 0)
            close(s->rings[i].nudge);
        free(s->rings[i].q);
    }
    if (s->efd >= 0)
        close(s->efd);
    free(s);
}
