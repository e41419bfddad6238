/* alert.c - a segment violation as Falco's JSON alert, the format
 * `comb watch` writes (time, rule, priority, source, hostname, output,
 * output_fields, tags), so one consumer reads both. */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "segment/segment.h"

#define RULE "Connection outside segment policy"

char *seg_alert_json(const seg_alert *a, const char *hostname)
{
    char sip[16], dip[16], when[64], clock[48], conn[64], out[1024];
    inet_ntop(AF_INET, &a->saddr, sip, sizeof sip);
    inet_ntop(AF_INET, &a->daddr, dip, sizeof dip);
    time_t secs = (time_t)(a->ts_ns / 1000000000);
    long ns = (long)(a->ts_ns % 1000000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
    snprintf(clock, sizeof clock, "%02d:%02d:%02d.%09ld", tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
    snprintf(conn, sizeof conn, "%s->%s:%u", sip, dip, a->dport);
    const char *prio = a->blocked ? "Error" : "Warning";
    const char *action = a->blocked ? "blocked" : "alerted";
    const char *mode = a->blocked ? "protect" : "monitor";
    snprintf(out, sizeof out, "%s: %s " RULE " (src=%s dst=%s connection=%s proto=%s proc=%s "
             "pid=%u action=%s)", clock, prio, a->src->name, a->dst->name, conn,
             seg_proto_name(a->proto), a->comm ? a->comm : "", a->pid, action);
    json_t *fields = json_pack(
        "{s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}",
        "evt.time", (json_int_t)a->ts_ns, "fd.name", conn, "fd.cip", sip, "fd.sip", dip,
        "fd.sport", (int)a->dport, "fd.l4proto", seg_proto_name(a->proto), "proc.name",
        a->comm ? a->comm : "", "proc.pid", (json_int_t)a->pid, "container.name", a->src->name,
        "comb.segment.src", a->src->name, "comb.segment.dst", a->dst->name,
        "comb.segment.mode", mode, "comb.segment.action", action);
    json_t *o = fields ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:[s,s,s]}", "hostname",
                                   hostname ? hostname : "", "output", out, "priority", prio,
                                   "rule", RULE, "source", "syscall", "time", when,
                                   "output_fields", fields, "tags", "network", "segment",
                                   "mitre_lateral_movement")
                        : NULL;
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return s;
}
