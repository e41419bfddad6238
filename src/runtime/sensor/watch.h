/* watch.h - the runtime detection loop: sensor records -> events -> rules.
 *
 * Loads the sensor with the syscalls the ruleset needs, seeds the process
 * table from /proc, then decodes every record and evaluates the rules on each
 * event (Falco's first-match mode), calling on_alert for every match. Runs
 * until *stop becomes non-zero, the deadline passes or max_events events
 * were evaluated.
 */
#ifndef COMB_RUNTIME_SENSOR_WATCH_H
#define COMB_RUNTIME_SENSOR_WATCH_H

#include <signal.h>
#include <stdint.h>

#include "core/error.h"
#include "runtime/rules/rules.h"
#include "runtime/sensor/sensor.h"

typedef struct comb_watch_stats {
    uint64_t records;           /* ring records read */
    uint64_t events;            /* events evaluated */
    uint64_t alerts;
    uint64_t ring_events;       /* written by the kernel side, all rings */
    uint64_t ring_drops;        /* lost because a ring was full */
    unsigned nrings;            /* one per CPU (CPU % nrings) */
    uint64_t ring_bytes;        /* size of each */
    comb_sensor_ring_counters ring[COMB_SENSOR_MAX_RINGS];
    uint64_t malformed;         /* records rejected by the decoder */
    uint64_t recorded;          /* events written to the recording */
    uint64_t procs_live, procs_refused, procs_reclaimed;
    size_t nsyscalls;           /* syscalls captured in the kernel */
} comb_watch_stats;

typedef struct comb_watch_opts {
    comb_ruleset *rules;
    const char *hostname;
    volatile sig_atomic_t *stop;
    int64_t duration_ms;        /* 0: until stopped */
    uint64_t max_events;        /* 0: no limit */
    uint64_t ring_bytes;        /* all rings: 0: COMB_SENSOR_RING_DEFAULT */
    unsigned nrings;            /* 0: one per CPU (comb_sensor_opts) */
    const char *procroot;       /* default "/proc" */
    const char *containers_json; /* default COMB_CONTAINERS_DEFAULT */
    /* attached and seeded: detection is live from here on */
    void (*on_ready)(void *ud, const comb_watch_stats *st);
    /* about every second, in the watch's thread, with the counters so far */
    void (*on_tick)(void *ud, const comb_watch_stats *st);
    /* every evaluated event is appended here (runtime/record/record.h); NULL: none */
    struct comb_recorder *record;
    /* an exec in a container (cgroup v2 id of the process): enforce mode */
    void (*on_container_exec)(void *ud, uint64_t cgroup_id);
    /* a rule matched; a non-zero return stops the watch */
    int (*on_alert)(void *ud, const comb_rule *rule, const comb_event *ev);
    void *ud;
} comb_watch_opts;

comb_code comb_watch_run(const comb_watch_opts *o, comb_watch_stats *st, comb_err *err);

/* The syscall numbers the ruleset needs captured (malloc'd, *n entries). */
comb_code comb_watch_syscalls(comb_ruleset *rs, int **out, size_t *n, comb_err *err);

#endif
