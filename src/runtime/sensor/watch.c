/* watch.c - the detection loop; see watch.h. */
#include "runtime/sensor/watch.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/bpf/sensor_abi.h"
#include "runtime/record/record.h"
#include "runtime/sensor/containers.h"
#include "runtime/sensor/decode.h"
#include "runtime/sensor/proctable.h"
#include "runtime/sensor/sensor.h"
#include "runtime/sensor/syscalls.h"

#define WATCH_MAX_PROCS 65536
#define WATCH_KEEP_DEAD 1024
#define WATCH_POLL_MS 100
#define WATCH_TICK_MS 1000

comb_code comb_watch_syscalls(comb_ruleset *rs, int **out, size_t *n, comb_err *err)
{
    size_t ndefs, ntypes;
    int all;
    const comb_syscall_def *defs = comb_syscalls(&ndefs);
    const char *const *types = comb_ruleset_needed_types(rs, &ntypes, &all);
    int *v = malloc(ndefs * sizeof *v);
    if (!v)
        return comb_fail(err, COMB_ENOMEM, "watch: out of memory");
    size_t k = 0;
    if (all) {
        for (size_t i = 0; i < ndefs; i++)
            v[k++] = defs[i].nr;
    } else {
        for (size_t i = 0; i < ntypes; i++) {
            int nr = comb_syscall_nr(types[i]);
            if (nr >= 0 && k < ndefs)
                v[k++] = nr;
        }
    }
    *out = v;
    *n = k;
    return COMB_OK;
}

typedef struct loop {
    const comb_watch_opts *o;
    comb_watch_stats *st;
    comb_decoder *dec;
    int stop;
    comb_code rc;               /* a failure that stopped the loop */
    comb_err *err;
} loop;

static int on_match(void *ud, const comb_rule *rule, const comb_event *ev)
{
    loop *l = ud;
    l->st->alerts++;
    if (l->o->on_alert && l->o->on_alert(l->o->ud, rule, ev))
        l->stop = 1;
    return 1; /* first match, as Falco */
}

static int on_record(void *ud, const void *rec, size_t len)
{
    loop *l = ud;
    comb_event ev;
    l->st->records++;
    if (!comb_decode(l->dec, rec, len, &ev))
        return 0;
    l->st->events++;
    if (l->o->record) {
        if ((l->rc = comb_recorder_write(l->o->record, &ev, l->err)))
            return l->stop = 1;
        l->st->recorded++;
    }
    if (l->o->on_container_exec && ev.container.id && strcmp(ev.container.id, "host") &&
        ev.type && !strcmp(ev.type, "execve")) {
        struct sensor_hdr h;
        memcpy(&h, rec, sizeof h); /* the decoder checked the size */
        l->o->on_container_exec(l->o->ud, h.cgroup_id);
    }
    comb_ruleset_eval(l->o->rules, &ev, on_match, l);
    if (l->o->max_events && l->st->events >= l->o->max_events)
        l->stop = 1;
    return l->stop;
}

static void fill_ring_stats(comb_sensor *sensor, comb_watch_stats *st)
{
    comb_sensor_counters c;
    if (comb_sensor_counters_get(sensor, &c, NULL) != COMB_OK)
        return;
    st->ring_events = c.events;
    st->ring_drops = c.drops;
    st->nrings = c.nrings;
    st->ring_bytes = c.ring_bytes;
    for (unsigned i = 0; i < c.nrings; i++) {
        st->ring[i].events = c.ring[i].events;
        st->ring[i].drops = c.ring[i].drops;
        st->ring[i].read = c.ring[i].read;
    }
}

static void fill_proc_stats(comb_proctable *procs, const comb_decoder *dec, comb_watch_stats *st)
{
    if (dec)
        st->malformed = dec->malformed;
    if (procs) {
        comb_proctable_stats ps;
        comb_proctable_stats_get(procs, &ps);
        st->procs_live = ps.live;
        st->procs_refused = ps.refused;
        st->procs_reclaimed = ps.reclaimed;
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

comb_code comb_watch_run(const comb_watch_opts *o, comb_watch_stats *st, comb_err *err)
{
    memset(st, 0, sizeof *st);
    int *nrs = NULL;
    size_t nnrs = 0;
    comb_sensor *sensor = NULL;
    comb_proctable *procs = NULL;
    comb_ctrmeta *ctrs = NULL;
    comb_users *users = NULL;
    comb_decoder *dec = NULL;
    const char *procroot = o->procroot ? o->procroot : "/proc";
    comb_code rc = comb_watch_syscalls(o->rules, &nrs, &nnrs, err);
    if (rc)
        return rc;
    st->nsyscalls = nnrs;
    comb_sensor_opts so = { .syscalls = nrs, .nsyscalls = nnrs, .ring_bytes = o->ring_bytes,
                            .nrings = o->nrings };
    if ((rc = comb_sensor_open(&so, &sensor, err)) ||
        (rc = comb_proctable_new(WATCH_MAX_PROCS, WATCH_KEEP_DEAD, &procs, err)) ||
        (rc = comb_ctrmeta_new(o->containers_json, &ctrs, err)) ||
        (rc = comb_users_new("/", &users, err)))
        goto out;
    /* attached first, then seeded: a process born in between is in both */
    if ((rc = comb_proctable_seed(procs, procroot, err)))
        goto out;
    dec = malloc(sizeof *dec);
    if (!dec) {
        rc = comb_fail(err, COMB_ENOMEM, "watch: out of memory");
        goto out;
    }
    comb_decoder_init(dec, procs, ctrs, procroot, o->hostname);
    dec->users = users;
    fill_ring_stats(sensor, st);
    if (o->on_ready)
        o->on_ready(o->ud, st);

    loop l = { .o = o, .st = st, .dec = dec, .err = err };
    int64_t end = o->duration_ms > 0 ? now_ms() + o->duration_ms : 0;
    int64_t next_tick = o->on_tick ? now_ms() + WATCH_TICK_MS : 0;
    while (!l.stop && !(o->stop && *o->stop)) {
        int wait = WATCH_POLL_MS;
        if (next_tick && now_ms() >= next_tick) {
            next_tick = now_ms() + WATCH_TICK_MS;
            fill_ring_stats(sensor, st);
            fill_proc_stats(procs, dec, st);
            o->on_tick(o->ud, st);
        }
        if (end) {
            int64_t left = end - now_ms();
            if (left <= 0)
                break;
            if (left < wait)
                wait = (int)left;
        }
        if ((rc = comb_sensor_poll(sensor, wait, on_record, &l, err)) || (rc = l.rc))
            goto out;
    }
    /* drain what is already in the ring, so counters and alerts agree */
    if (!l.stop && ((rc = comb_sensor_drain(sensor, on_record, &l, err)) || (rc = l.rc)))
        goto out;

out:;
    if (sensor)
        fill_ring_stats(sensor, st);
    fill_proc_stats(procs, dec, st);
    free(dec);
    comb_ctrmeta_free(ctrs);
    comb_users_free(users);
    comb_proctable_free(procs);
    comb_sensor_close(sensor);
    free(nrs);
    return rc;
}
