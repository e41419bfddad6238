/* graph.c - groups and flows in memory: dense arrays indexed by open
 * addressing hash tables (linear probing, power-of-two sizes, load <= 1/2).
 * Every table has a fixed maximum; beyond it additions are refused and
 * counted, never grown without bound. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "segment/segment.h"

#define EMPTY UINT32_MAX

struct seg_graph {
    seg_group *groups;
    size_t ngroups, cap_groups, max_groups;
    uint32_t *gidx;            /* name hash -> group index */
    size_t gmask;
    seg_flow *flows;
    size_t nflows, cap_flows, max_flows;
    uint32_t *fidx;            /* flow key hash -> flow index */
    size_t fmask;
    uint32_t *akeys, *avals;   /* address -> group */
    size_t amask, naddrs;
    uint64_t refused;
};

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return mix(h);
}

static uint32_t *table_new(size_t n)
{
    uint32_t *t = malloc(n * sizeof *t);
    if (t)
        memset(t, 0xff, n * sizeof *t);
    return t;
}

/* Tables start small and double up to the size the maximum needs. */
static int rehash_groups(seg_graph *g, size_t n)
{
    uint32_t *t = table_new(n);
    if (!t)
        return -1;
    for (size_t i = 0; i < g->ngroups; i++) {
        size_t p = str_hash(g->groups[i].name) & (n - 1);
        while (t[p] != EMPTY)
            p = (p + 1) & (n - 1);
        t[p] = (uint32_t)i;
    }
    free(g->gidx);
    g->gidx = t;
    g->gmask = n - 1;
    return 0;
}

static uint64_t flow_hash(uint32_t src, uint32_t dst, uint8_t proto, uint16_t dport)
{
    return mix(((uint64_t)src << 32 | dst) ^ mix((uint64_t)proto << 16 | dport));
}

static int rehash_flows(seg_graph *g, size_t n)
{
    uint32_t *t = table_new(n);
    if (!t)
        return -1;
    for (size_t i = 0; i < g->nflows; i++) {
        const seg_flow *f = &g->flows[i];
        size_t p = flow_hash(f->src, f->dst, f->proto, f->dport) & (n - 1);
        while (t[p] != EMPTY)
            p = (p + 1) & (n - 1);
        t[p] = (uint32_t)i;
    }
    free(g->fidx);
    g->fidx = t;
    g->fmask = n - 1;
    return 0;
}

static int rehash_addrs(seg_graph *g, size_t n)
{
    uint32_t *k = table_new(n), *v = malloc(n * sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return -1;
    }
    for (size_t i = 0; g->akeys && i <= g->amask; i++) {
        if (g->akeys[i] == EMPTY)
            continue;
        size_t p = mix(g->akeys[i]) & (n - 1);
        while (k[p] != EMPTY)
            p = (p + 1) & (n - 1);
        k[p] = g->akeys[i];
        v[p] = g->avals[i];
    }
    free(g->akeys);
    free(g->avals);
    g->akeys = k;
    g->avals = v;
    g->amask = n - 1;
    return 0;
}

seg_graph *seg_graph_new(size_t max_groups, size_t max_flows)
{
    seg_graph *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->max_groups = max_groups ? max_groups : SEG_DEFAULT_MAX_GROUPS;
    g->max_flows = max_flows ? max_flows : SEG_DEFAULT_MAX_FLOWS;
    if (g->max_groups > UINT32_MAX / 4 || g->max_flows > UINT32_MAX / 4 ||
        rehash_groups(g, 16) || rehash_flows(g, 16) || rehash_addrs(g, 16)) {
        seg_graph_free(g);
        return NULL;
    }
    return g;
}

void seg_graph_free(seg_graph *g)
{
    if (!g)
        return;
    free(g->groups);
    free(g->gidx);
    free(g->flows);
    free(g->fidx);
    free(g->akeys);
    free(g->avals);
    free(g);
}

int seg_graph_find_group(const seg_graph *g, const char *name, uint32_t *idx)
{
    size_t p = str_hash(name) & g->gmask;
    for (; g->gidx[p] != EMPTY; p = (p + 1) & g->gmask)
        if (!strcmp(g->groups[g->gidx[p]].name, name)) {
            *idx = g->gidx[p];
            return 0;
        }
    return -1;
}

int seg_graph_group(seg_graph *g, const char *name, seg_kind kind, uint32_t *idx)
{
    if (!seg_graph_find_group(g, name, idx))
        return 0;
    if (g->ngroups >= g->max_groups || strlen(name) >= SEG_NAME_MAX || !*name) {
        g->refused++;
        return -1;
    }
    if (g->ngroups == g->cap_groups) {
        size_t cap = g->cap_groups ? g->cap_groups * 2 : 64;
        seg_group *n = realloc(g->groups, cap * sizeof *n);
        if (!n)
            return -1;
        g->groups = n;
        g->cap_groups = cap;
    }
    if ((g->ngroups + 1) * 2 > g->gmask + 1 && rehash_groups(g, (g->gmask + 1) * 2))
        return -1;
    seg_group *gr = &g->groups[g->ngroups];
    memset(gr, 0, sizeof *gr);
    snprintf(gr->name, sizeof gr->name, "%s", name);
    snprintf(gr->ns, sizeof gr->ns, "default");
    gr->kind = kind;
    gr->dirty = 1;
    size_t p = str_hash(name) & g->gmask;
    while (g->gidx[p] != EMPTY)
        p = (p + 1) & g->gmask;
    g->gidx[p] = (uint32_t)g->ngroups;
    *idx = (uint32_t)g->ngroups++;
    return 1;
}

seg_group *seg_graph_group_at(seg_graph *g, uint32_t idx)
{
    return idx < g->ngroups ? &g->groups[idx] : NULL;
}

size_t seg_graph_ngroups(const seg_graph *g)
{
    return g->ngroups;
}

int seg_graph_addr_group(const seg_graph *g, uint32_t addr, uint32_t *idx)
{
    size_t p = mix(addr) & g->amask;
    for (; g->akeys[p] != EMPTY; p = (p + 1) & g->amask)
        if (g->akeys[p] == addr) {
            *idx = g->avals[p];
            return 0;
        }
    return -1;
}

int seg_graph_add_addr(seg_graph *g, uint32_t idx, uint32_t addr)
{
    seg_group *gr = seg_graph_group_at(g, idx);
    if (!gr || addr == EMPTY)
        return -1;
    for (size_t i = 0; i < gr->naddrs; i++)
        if (gr->addrs[i] == addr)
            return 0;
    if (gr->naddrs >= SEG_MAX_ADDRS)
        return -1;
    if ((g->naddrs + 1) * 2 > g->amask + 1 && rehash_addrs(g, (g->amask + 1) * 2))
        return -1;
    size_t p = mix(addr) & g->amask;
    for (; g->akeys[p] != EMPTY; p = (p + 1) & g->amask)
        if (g->akeys[p] == addr)
            break;
    if (g->akeys[p] == EMPTY)
        g->naddrs++;
    g->akeys[p] = addr; /* an address moves to its newest owner */
    g->avals[p] = idx;
    gr->addrs[gr->naddrs++] = addr;
    gr->dirty = 1;
    return 0;
}

int seg_group_listen(seg_group *gr, uint8_t proto, uint16_t port)
{
    char item[16];
    snprintf(item, sizeof item, "%s/%u", seg_proto_name(proto), port);
    size_t n = strlen(item), have = strlen(gr->listening);
    for (const char *p = gr->listening; (p = strstr(p, item)); p += n)
        if ((p == gr->listening || p[-1] == ',') && (p[n] == ',' || !p[n]))
            return 0;
    if (have + n + 2 > sizeof gr->listening)
        return -1;
    snprintf(gr->listening + have, sizeof gr->listening - have, "%s%s", have ? "," : "", item);
    gr->dirty = 1;
    return 0;
}

seg_flow *seg_graph_flow_find(seg_graph *g, uint32_t src, uint32_t dst, uint8_t proto,
                              uint16_t dport)
{
    size_t p = flow_hash(src, dst, proto, dport) & g->fmask;
    for (; g->fidx[p] != EMPTY; p = (p + 1) & g->fmask) {
        seg_flow *f = &g->flows[g->fidx[p]];
        if (f->src == src && f->dst == dst && f->proto == proto && f->dport == dport)
            return f;
    }
    return NULL;
}

static void add_proc(seg_flow *f, const char *proc)
{
    if (!proc || !*proc)
        return;
    size_t n = strlen(proc), have = strlen(f->procs);
    for (const char *p = f->procs; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !memcmp(p, proc, n))
            return;
        p += len + (e ? 1 : 0);
    }
    if (have + n + 2 > sizeof f->procs || strchr(proc, ','))
        return; /* bounded: the first few names are kept */
    if (have)
        f->procs[have++] = ',';
    memcpy(f->procs + have, proc, n + 1);
}

int seg_graph_flow_add(seg_graph *g, uint32_t src, uint32_t dst, uint8_t proto, uint16_t dport,
                       uint64_t count, int64_t when, const char *proc)
{
    seg_flow *f = seg_graph_flow_find(g, src, dst, proto, dport);
    if (f) {
        f->count += count;
        if (when > f->last_seen)
            f->last_seen = when;
        if (when < f->first_seen)
            f->first_seen = when;
        add_proc(f, proc);
        f->dirty = 1;
        return 0;
    }
    if (src >= g->ngroups || dst >= g->ngroups)
        return -1;
    if (g->nflows >= g->max_flows) {
        g->refused++;
        return -1;
    }
    if (g->nflows == g->cap_flows) {
        size_t cap = g->cap_flows ? g->cap_flows * 2 : 256;
        seg_flow *n = realloc(g->flows, cap * sizeof *n);
        if (!n)
            return -1;
        g->flows = n;
        g->cap_flows = cap;
    }
    if ((g->nflows + 1) * 2 > g->fmask + 1 && rehash_flows(g, (g->fmask + 1) * 2))
        return -1;
    f = &g->flows[g->nflows];
    memset(f, 0, sizeof *f);
    f->src = src;
    f->dst = dst;
    f->proto = proto;
    f->dport = dport;
    f->count = count;
    f->first_seen = f->last_seen = when;
    f->dirty = 1;
    add_proc(f, proc);
    size_t p = flow_hash(src, dst, proto, dport) & g->fmask;
    while (g->fidx[p] != EMPTY)
        p = (p + 1) & g->fmask;
    g->fidx[p] = (uint32_t)g->nflows++;
    return 1;
}

seg_flow *seg_graph_flow_at(seg_graph *g, size_t i)
{
    return i < g->nflows ? &g->flows[i] : NULL;
}

size_t seg_graph_nflows(const seg_graph *g)
{
    return g->nflows;
}

uint64_t seg_graph_refused(const seg_graph *g)
{
    return g->refused;
}

static const seg_graph *sort_graph; /* qsort has no context argument */

static int flow_cmp(const void *a, const void *b)
{
    const seg_flow *x = a, *y = b;
    int c = strcmp(sort_graph->groups[x->src].name, sort_graph->groups[y->src].name);
    if (!c)
        c = strcmp(sort_graph->groups[x->dst].name, sort_graph->groups[y->dst].name);
    if (!c)
        c = (int)x->proto - (int)y->proto;
    if (!c)
        c = (int)x->dport - (int)y->dport;
    return c;
}

void seg_graph_sort_flows(seg_graph *g)
{
    sort_graph = g;
    if (g->nflows)
        qsort(g->flows, g->nflows, sizeof *g->flows, flow_cmp);
    sort_graph = NULL;
    rehash_flows(g, g->fmask + 1); /* same size: cannot fail for lack of room */
}

void seg_external_name(uint32_t addr, char *out, size_t size)
{
    uint32_t h = ntohl(addr);
    snprintf(out, size, "ext:%u.%u.%u.0/24", h >> 24, (h >> 16) & 255, (h >> 8) & 255);
}

static const char *const mode_names[] = { "learn", "monitor", "protect" };
static const char *const kind_names[] = { "netns", "container", "pod", "host", "external" };

static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

const char *seg_mode_name(seg_mode m)
{
    return (unsigned)m < 3 ? mode_names[m] : "?";
}

int seg_mode_parse(const char *s, seg_mode *out)
{
    int i = name_index(mode_names, 3, s);
    if (i >= 0)
        *out = (seg_mode)i;
    return i < 0 ? -1 : 0;
}

const char *seg_kind_name(seg_kind k)
{
    return (unsigned)k < 5 ? kind_names[k] : "?";
}

int seg_kind_parse(const char *s, seg_kind *out)
{
    int i = name_index(kind_names, 5, s);
    if (i >= 0)
        *out = (seg_kind)i;
    return i < 0 ? -1 : 0;
}

const char *seg_proto_name(uint8_t proto)
{
    return proto == 6 ? "tcp" : proto == 17 ? "udp" : "?";
}

int seg_proto_parse(const char *s, uint8_t *out)
{
    if (!strcasecmp(s, "tcp"))
        *out = 6;
    else if (!strcasecmp(s, "udp"))
        *out = 17;
    else
        return -1;
    return 0;
}
