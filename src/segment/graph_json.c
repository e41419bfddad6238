/* graph_json.c - the learned graph as JSON text: what `comb segment graph
 * -f json` prints and what `comb agent --segment-db` sends as a
 * "segmentation" record (docs/SEGMENT.md). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "segment/segment.h"

static void json_str(FILE *o, const char *s)
{
    putc('"', o);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(o, "\\%c", c);
        else if (c < 0x20)
            fprintf(o, "\\u%04x", c);
        else
            putc(c, o);
    }
    putc('"', o);
}

static void write_graph(FILE *o, seg_graph *g)
{
    size_t ng = seg_graph_ngroups(g), nf = seg_graph_nflows(g);
    fputs("{\"groups\":[", o);
    for (uint32_t i = 0; i < ng; i++) {
        const seg_group *gr = seg_graph_group_at(g, i);
        fputs(i ? ",{\"name\":" : "{\"name\":", o);
        json_str(o, gr->name);
        fprintf(o, ",\"kind\":\"%s\",\"mode\":\"%s\",\"quarantined\":%s,\"namespace\":", seg_kind_name(gr->kind),
                seg_mode_name(gr->mode), gr->quarantined ? "true" : "false");
        json_str(o, gr->ns);
        fputs(",\"labels\":", o);
        json_str(o, gr->labels);
        fputs(",\"image\":", o);
        json_str(o, gr->image);
        fputs(",\"listening\":", o);
        json_str(o, gr->listening);
        fputs(",\"addresses\":[", o);
        char a[16];
        for (size_t k = 0; k < gr->naddrs; k++) {
            inet_ntop(AF_INET, &gr->addrs[k], a, sizeof a);
            fprintf(o, "%s\"%s\"", k ? "," : "", a);
        }
        fputs("]}", o);
    }
    fputs("],\"flows\":[", o);
    for (size_t i = 0; i < nf; i++) {
        const seg_flow *f = seg_graph_flow_at(g, i);
        fputs(i ? ",{\"src\":" : "{\"src\":", o);
        json_str(o, seg_graph_group_at(g, f->src)->name);
        fputs(",\"dst\":", o);
        json_str(o, seg_graph_group_at(g, f->dst)->name);
        fprintf(o,
                ",\"proto\":\"%s\",\"port\":%u,\"count\":%llu,\"first_seen\":%lld,"
                "\"last_seen\":%lld,\"processes\":",
                seg_proto_name(f->proto), f->dport, (unsigned long long)f->count, (long long)f->first_seen,
                (long long)f->last_seen);
        json_str(o, f->procs);
        fputs("}", o);
    }
    fputs("]}\n", o);
}

char *seg_graph_json(seg_graph *g, size_t *len, comb_err *err)
{
    char *text = NULL;
    FILE *o = open_memstream(&text, len);
    if (!o) {
        comb_fail(err, COMB_ENOMEM, "segment graph: out of memory");
        return NULL;
    }
    seg_graph_sort_flows(g);
    write_graph(o, g);
    if (ferror(o) | fclose(o)) {
        free(text);
        comb_fail(err, COMB_ENOMEM, "segment graph: out of memory");
        return NULL;
    }
    return text;
}
