/* run.c - one learner record at a time: resolve both ends to workload
 * groups, then learn the flow (learn mode) or report it as a violation
 * (monitor; protect, where nftables also drops it). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "segment/segment.h"
#include "segment/segment_abi.h"

#define ALERTED_MAX 65536 /* distinct violations reported once per run */

struct seg_runner {
    seg_graph *g;
    seg_ident *id;
    int64_t promote_after;
    seg_run_stats st;
    uint64_t *alerted; /* open addressing, 0 = empty */
    size_t nalerted;
};

comb_code seg_runner_new(seg_graph *g, seg_ident *id, int64_t promote_after, seg_runner **out,
                         comb_err *err)
{
    seg_runner *r = calloc(1, sizeof *r);
    if (!r || !(r->alerted = calloc(ALERTED_MAX * 2, sizeof *r->alerted))) {
        free(r);
        return comb_fail(err, COMB_ENOMEM, "segment: out of memory");
    }
    r->g = g;
    r->id = id;
    r->promote_after = promote_after;
    *out = r;
    return COMB_OK;
}

void seg_runner_free(seg_runner *r)
{
    if (!r)
        return;
    free(r->alerted);
    free(r);
}

const seg_run_stats *seg_runner_stats(const seg_runner *r)
{
    return &r->st;
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* The group of a namespace, created on first sight (learn mode). */
static int ns_group(seg_runner *r, const seg_netns *ns, uint32_t *idx)
{
    int added = seg_graph_group(r->g, ns->name, ns->kind, idx);
    if (added < 0)
        return -1;
    seg_group *gr = seg_graph_group_at(r->g, *idx);
    if (added) {
        gr->created = gr->last_new = now_s();
        snprintf(gr->image, sizeof gr->image, "%s", ns->image);
    }
    for (size_t i = 0; i < ns->naddrs; i++) {
        uint32_t owner;
        if (seg_graph_addr_group(r->g, ns->addrs[i], &owner) || owner != *idx)
            seg_graph_add_addr(r->g, *idx, ns->addrs[i]);
    }
    return 0;
}

static int first_alert(seg_runner *r, uint32_t src, uint32_t dst, uint8_t proto, uint16_t port,
                       int blocked)
{
    uint64_t k = ((uint64_t)src * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)dst << 25) ^
                 ((uint64_t)blocked << 24) ^ ((uint64_t)proto << 16) ^ port;
    k = k ? k : 1;
    size_t mask = ALERTED_MAX * 2 - 1, p = (size_t)(k ^ (k >> 29)) & mask;
    for (; r->alerted[p]; p = (p + 1) & mask)
        if (r->alerted[p] == k)
            return 0;
    if (r->nalerted >= ALERTED_MAX)
        return 1; /* full: keep reporting rather than go silent */
    r->alerted[p] = k;
    r->nalerted++;
    return 1;
}

int seg_runner_record(seg_runner *r, const struct seg_record *rec, seg_alert_fn fn, void *ud)
{
    r->st.records++;
    switch (rec->kind) {
    case SEG_REC_LISTEN: {
        r->st.listens++;
        uint32_t g;
        const seg_netns *ns = seg_ident_cookie(r->id, rec->netns_cookie);
        if (ns && !ns_group(r, ns, &g))
            seg_group_listen(seg_graph_group_at(r->g, g), rec->proto, rec->sport);
        return 0;
    }
    case SEG_REC_ACCEPT: r->st.accepts++; return 0;
    case SEG_REC_CONNECT: r->st.connects++; break;
    case SEG_REC_UDP: r->st.udp++; break;
    default: r->st.ignored++; return 0;
    }
    uint32_t d = ntohl(rec->daddr);
    if (!d || (d >> 24) == 127 || rec->dport == 0) {
        r->st.ignored++;
        return 0;
    }
    const seg_netns *sns = seg_ident_cookie(r->id, rec->netns_cookie);
    uint32_t src, dst;
    if (!sns || ns_group(r, sns, &src)) {
        r->st.ignored++;
        return 0;
    }
    const seg_netns *dns = seg_ident_addr(r->id, rec->daddr);
    if (dns) {
        if (ns_group(r, dns, &dst)) {
            r->st.ignored++;
            return 0;
        }
    } else if (seg_graph_addr_group(r->g, rec->daddr, &dst)) {
        char name[SEG_NAME_MAX];
        seg_external_name(rec->daddr, name, sizeof name);
        int added = seg_graph_group(r->g, name, SEG_KIND_EXTERNAL, &dst);
        if (added < 0) { /* the graph counts the refusal */
            r->st.ignored++;
            return 0;
        }
        if (added)
            seg_graph_group_at(r->g, dst)->created = now_s();
    }
    if (src == dst) {
        r->st.ignored++;
        return 0;
    }
    char comm[SEG_COMM_LEN + 1];
    memcpy(comm, rec->comm, SEG_COMM_LEN);
    comm[SEG_COMM_LEN] = '\0';
    seg_flow *f = seg_graph_flow_find(r->g, src, dst, rec->proto, rec->dport);
    if (f) {
        r->st.known++;
        seg_graph_flow_add(r->g, src, dst, rec->proto, rec->dport, 1, now_s(), comm);
        return 0;
    }
    seg_group *sg = seg_graph_group_at(r->g, src), *dg = seg_graph_group_at(r->g, dst);
    int protect = sg->mode == SEG_MODE_PROTECT || dg->mode == SEG_MODE_PROTECT ||
                  sg->quarantined || dg->quarantined;
    if (!protect && sg->mode == SEG_MODE_LEARN && dg->mode == SEG_MODE_LEARN) {
        if (seg_graph_flow_add(r->g, src, dst, rec->proto, rec->dport, 1, now_s(), comm) < 0)
            return 0; /* the graph counts the refusal */
        r->st.new_flows++;
        sg->last_new = dg->last_new = now_s();
        sg->dirty = dg->dirty = 1;
        return 0;
    }
    r->st.violations++;
    if (!fn || !first_alert(r, src, dst, rec->proto, rec->dport, protect))
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    seg_alert a = {
        .ts_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec,
        .src = sg, .dst = dg,
        .saddr = rec->saddr, .daddr = rec->daddr,
        .dport = rec->dport, .proto = rec->proto,
        .blocked = protect, .pid = rec->pid, .comm = comm,
    };
    return fn(ud, &a);
}

size_t seg_runner_promote(seg_runner *r, int64_t now)
{
    if (r->promote_after <= 0)
        return 0;
    size_t n = 0;
    for (uint32_t i = 0; i < seg_graph_ngroups(r->g); i++) {
        seg_group *gr = seg_graph_group_at(r->g, i);
        if (gr->mode != SEG_MODE_LEARN || gr->kind == SEG_KIND_EXTERNAL ||
            now - gr->last_new < r->promote_after)
            continue;
        gr->mode = SEG_MODE_MONITOR;
        gr->dirty = 1;
        n++;
    }
    return n;
}
