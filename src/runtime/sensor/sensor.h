/* sensor.h - load the kernel-side sensor (runtime/bpf/sensor.bpf.c) and read
 * its ring buffers.
 *
 * comb_sensor_open loads the embedded BPF object (libbpf skeleton), tells
 * the kernel which syscalls to capture, creates one ring buffer per CPU (CPU
 * % nrings), and attaches the tracepoints. Needs root (CAP_BPF and
 * CAP_PERFMON) and a kernel with BTF.
 *
 * One reader thread per ring copies its records into a user-space queue of
 * the same size as soon as they arrive, so a ring is drained even while the
 * caller is busy with another ring's records; comb_sensor_poll, in the
 * caller's thread, merges the queues by the records' boot-time stamps (a
 * record is handed over once every ring has a later one, or once it is
 * COMB_SENSOR_REORDER_MS old) and hands them to a callback untouched (see
 * runtime/sensor/decode.h). A full queue stops its reader, then the kernel
 * ring fills and drops (counted for that ring only). The comb_sensor_*
 * functions themselves are for one thread at a time.
 */
#ifndef COMB_RUNTIME_SENSOR_SENSOR_H
#define COMB_RUNTIME_SENSOR_SENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct comb_sensor comb_sensor;

#define COMB_SENSOR_RING_DEFAULT (16u << 20)
#define COMB_SENSOR_RING_MIN (64u << 10)
#define COMB_SENSOR_RING_MAX (1u << 30)
#define COMB_SENSOR_MAX_RINGS 64
#define COMB_SENSOR_DEFAULT_RINGS 16   /* at most, by default: one per CPU up to this */
#define COMB_SENSOR_REORDER_MS 20      /* the merge's window (see sensor.c) */

typedef struct comb_sensor_opts {
    const int *syscalls;    /* x86-64 numbers to capture at sys_exit */
    size_t nsyscalls;
    uint64_t ring_bytes;    /* all rings together, a power of two in [MIN, MAX]; 0: default */
    unsigned nrings;        /* 0: one per possible CPU, at most COMB_SENSOR_DEFAULT_RINGS;
                               else at most COMB_SENSOR_MAX_RINGS (fewer when ring_bytes
                               cannot give each 64K) */
} comb_sensor_opts;

typedef struct comb_sensor_ring_counters {
    uint64_t events;        /* records written to this ring by the kernel */
    uint64_t drops;         /* records lost because this ring was full */
    uint64_t read;          /* records its reader took from it */
} comb_sensor_ring_counters;

typedef struct comb_sensor_counters {
    uint64_t events;        /* records written to the rings */
    uint64_t drops;         /* records lost because a ring was full */
    unsigned nrings;
    uint64_t ring_bytes;    /* size of each ring */
    comb_sensor_ring_counters ring[COMB_SENSOR_MAX_RINGS];
} comb_sensor_counters;

/* Called for each record; a non-zero return stops the poll early (the
 * records after it stay in the ring for the next poll). */
typedef int (*comb_sensor_record_fn)(void *ud, const void *rec, size_t len);

comb_code comb_sensor_open(const comb_sensor_opts *o, comb_sensor **out, comb_err *err);
/* Wait up to timeout_ms for records and hand every one the merge can order
 * to fn (at most a bounded batch, then return). An interrupted wait (a
 * signal) is not an error. */
comb_code comb_sensor_poll(comb_sensor *s, int timeout_ms, comb_sensor_record_fn fn, void *ud,
                           comb_err *err);
/* At the end: detaches the programs (nothing more is written or counted),
 * the readers take what is left in the kernel rings and stop, and every
 * queued record goes to fn, in order. Polling after it returns nothing. */
comb_code comb_sensor_drain(comb_sensor *s, comb_sensor_record_fn fn, void *ud, comb_err *err);
/* The kernel's per-CPU counters summed per ring, and the readers' counts. */
comb_code comb_sensor_counters_get(comb_sensor *s, comb_sensor_counters *c, comb_err *err);
void comb_sensor_close(comb_sensor *s);

#endif
