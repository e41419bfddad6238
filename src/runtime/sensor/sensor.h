/* sensor.h - load the kernel-side sensor (runtime/bpf/sensor.bpf.c) and read
 * its ring buffer.
 *
 * comb_sensor_open loads the embedded BPF object (libbpf skeleton), tells
 * the kernel which syscalls to capture, and attaches the tracepoints. Needs
 * root (CAP_BPF and CAP_PERFMON) and a kernel with BTF. Records are handed to
 * a callback untouched (see runtime/sensor/decode.h). Not thread-safe.
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

typedef struct comb_sensor_opts {
    const int *syscalls;    /* x86-64 numbers to capture at sys_exit */
    size_t nsyscalls;
    uint64_t ring_bytes;    /* ring buffer size, a power of two in [MIN, MAX]; 0: default */
} comb_sensor_opts;

typedef struct comb_sensor_counters {
    uint64_t events;        /* records written to the ring */
    uint64_t drops;         /* records lost because the ring was full */
} comb_sensor_counters;

/* Called for each record; a non-zero return stops the poll early (the
 * records after it stay in the ring for the next poll). */
typedef int (*comb_sensor_record_fn)(void *ud, const void *rec, size_t len);

comb_code comb_sensor_open(const comb_sensor_opts *o, comb_sensor **out, comb_err *err);
/* Wait up to timeout_ms for records and hand every available one to fn.
 * An interrupted wait (a signal) is not an error. */
comb_code comb_sensor_poll(comb_sensor *s, int timeout_ms, comb_sensor_record_fn fn, void *ud,
                           comb_err *err);
/* Sums of the per-CPU counters (one ring). */
comb_code comb_sensor_counters_get(comb_sensor *s, comb_sensor_counters *c, comb_err *err);
void comb_sensor_close(comb_sensor *s);

#endif
