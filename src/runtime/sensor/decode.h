/* decode.h - the sensor's ring records (runtime/bpf/sensor_abi.h) to
 * comb_event.
 *
 * The decoder keeps the process table up to date with every record (fork,
 * exec, exit, and the ids each record carries) and fills the event's
 * process, ancestors and container from it. Records are untrusted: a record
 * whose size or lengths do not add up is rejected and counted. Strings in
 * the event belong to the decoder and the table: valid until the next call.
 */
#ifndef COMB_RUNTIME_SENSOR_DECODE_H
#define COMB_RUNTIME_SENSOR_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/rules/event.h"
#include "runtime/sensor/containers.h"
#include "runtime/sensor/proctable.h"
#include "runtime/sensor/users.h"

#define COMB_DECODE_ANCESTORS 8
#define COMB_DECODE_MAX_ARGS 8

typedef struct comb_decoder {
    comb_proctable *procs;
    comb_ctrmeta *containers;   /* names and images; may be NULL */
    comb_users *users;             /* user and group names; may be NULL (set after init) */
    int users_layers;              /* users were given the containers' layers */
    const char *procroot;          /* "/proc": heals processes the sensor missed */
    const char *hostname;
    int64_t boot_to_epoch;         /* add to boot-time ns to get epoch ns */
    int64_t num;                   /* events produced */
    uint64_t malformed;            /* records rejected */
    /* scratch for the current event */
    comb_event_arg args[COMB_DECODE_MAX_ARGS];
    char argval[COMB_DECODE_MAX_ARGS][256];
    char path[2][4200];
    char raw[2][512];              /* path arguments as passed (SENSOR_STR_LEN) */
    char fdpath[4200];             /* the kernel's path for the next openat of fdpath_tid */
    int64_t fdpath_tid;            /* 0: none pending */
    char cip[64], sip[64];
    char cid[16];
    comb_proc anc[COMB_DECODE_ANCESTORS];
    int64_t anc_pid;            /* whose ancestors anc[] is to hold (lazy) */
} comb_decoder;

/* procs must outlive the decoder; containers may be NULL. */
void comb_decoder_init(comb_decoder *d, comb_proctable *procs, comb_ctrmeta *containers,
                       const char *procroot, const char *hostname);

/* Decode one record. Returns 1 when ev holds an event to evaluate, 0 when
 * the record only changed state (or was rejected: see d->malformed). */
int comb_decode(comb_decoder *d, const void *rec, size_t len, comb_event *ev);

#endif
