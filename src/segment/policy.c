/* policy.c - the learned graph as policy: the nftables table comb enforces
 * (sets and a fixed handful of rules, however many flows) and Kubernetes
 * NetworkPolicy documents; and a line diff of two rulesets. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segment/segment.h"

static char *finish(FILE *f, char **buf)
{
    int bad = ferror(f);
    if (fclose(f) || bad) {
        free(*buf);
        return NULL;
    }
    return *buf;
}

static void ip4(uint32_t a, char out[16])
{
    inet_ntop(AF_INET, &a, out, 16);
}

/* ---------------- nftables ---------------- */

static void set_open(FILE *f, const char *name, const char *type, size_t *n)
{
    fprintf(f, "\tset %s {\n\t\ttype %s\n", name, type);
    *n = 0;
}

static void set_elem(FILE *f, size_t *n, const char *elem)
{
    fputs(*n ? ",\n\t\t\t" : "\t\telements = {\n\t\t\t", f);
    fputs(elem, f);
    (*n)++;
}

static void set_close(FILE *f, size_t n)
{
    fputs(n ? "\n\t\t}\n\t}\n" : "\t}\n", f);
}

static int enforced(const seg_group *g)
{
    return g->mode == SEG_MODE_PROTECT;
}

/* The addresses of the protected (or quarantined) groups. */
static void addr_set(FILE *f, seg_graph *g, const char *name, int quarantined)
{
    size_t n;
    char a[16];
    set_open(f, name, "ipv4_addr", &n);
    for (size_t i = 0; i < seg_graph_ngroups(g); i++) {
        const seg_group *gr = seg_graph_group_at(g, (uint32_t)i);
        if (quarantined ? !gr->quarantined : !enforced(gr))
            continue;
        for (size_t x = 0; x < gr->naddrs; x++) {
            ip4(gr->addrs[x], a);
            set_elem(f, &n, a);
        }
    }
    set_close(f, n);
}

char *seg_policy_nft(seg_graph *g, seg_family fam)
{
    char *buf = NULL;
    size_t len = 0, n;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    char a[16], b[16];
    seg_graph_sort_flows(g);
    fprintf(f, "table %s %s {\n", fam == SEG_FAMILY_INET ? "inet" : "bridge", SEG_TABLE);
    /* Allowed flows of protected groups: source . destination . proto . port */
    set_open(f, "allow", "ipv4_addr . ipv4_addr . inet_proto . inet_service", &n);
    for (size_t i = 0; i < seg_graph_nflows(g); i++) {
        const seg_flow *fl = seg_graph_flow_at(g, i);
        const seg_group *s = seg_graph_group_at(g, fl->src), *d = seg_graph_group_at(g, fl->dst);
        if ((!enforced(s) && !enforced(d)) || s->quarantined || d->quarantined)
            continue;
        for (size_t x = 0; x < s->naddrs; x++)
            for (size_t y = 0; y < d->naddrs; y++) {
                ip4(s->addrs[x], a);
                ip4(d->addrs[y], b);
                char e[64];
                snprintf(e, sizeof e, "%s . %s . %s . %u", a, b, seg_proto_name(fl->proto),
                         fl->dport);
                set_elem(f, &n, e);
            }
    }
    set_close(f, n);
    addr_set(f, g, "protect", 0);
    addr_set(f, g, "quarantine", 1);
    set_open(f, "quarantine_allow", "ipv4_addr . ipv4_addr", &n);
    for (size_t i = 0; i < seg_graph_ngroups(g); i++) {
        const seg_group *gr = seg_graph_group_at(g, (uint32_t)i);
        if (!gr->quarantined || !gr->qallow[0])
            continue;
        char list[sizeof gr->qallow];
        snprintf(list, sizeof list, "%s", gr->qallow);
        char *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            struct in_addr peer;
            if (inet_pton(AF_INET, t, &peer) != 1)
                continue;
            ip4(peer.s_addr, b);
            for (size_t x = 0; x < gr->naddrs; x++) {
                ip4(gr->addrs[x], a);
                char e[40];
                snprintf(e, sizeof e, "%s . %s", a, b);
                set_elem(f, &n, e);
            }
        }
    }
    set_close(f, n);
    fputs("\tchain filter {\n\t\ttype filter hook forward priority 0; policy accept;\n", f);
    if (fam == SEG_FAMILY_INET)
        fputs("\t\tct state established,related accept\n", f);
    /* Allowed flows first: most packets leave after one lookup. Flows of
     * quarantined groups are never in @allow. */
    fputs("\t\tip saddr . ip daddr . meta l4proto . th dport @allow accept\n", f);
    if (fam == SEG_FAMILY_BRIDGE) /* no conntrack on a bridge: replies by their tuple */
        fputs("\t\tip daddr . ip saddr . meta l4proto . th sport @allow tcp flags & (syn | ack)"
              " != syn accept\n"
              "\t\tip daddr . ip saddr . meta l4proto . th sport @allow meta l4proto udp accept\n",
              f);
    fputs("\t\tip saddr . ip daddr @quarantine_allow accept\n"
          "\t\tip daddr . ip saddr @quarantine_allow accept\n"
          "\t\tip saddr @quarantine drop\n"
          "\t\tip daddr @quarantine drop\n"
          "\t\tmeta l4proto { tcp, udp } th dport 53 accept\n", f);
    if (fam == SEG_FAMILY_BRIDGE)
        fputs("\t\ttcp sport 53 tcp flags & (syn | ack) != syn accept\n"
              "\t\tudp sport 53 accept\n", f);
    fputs("\t\tip saddr @protect drop\n"
          "\t\tip daddr @protect drop\n"
          "\t}\n}\n", f);
    return finish(f, &buf);
}

/* ---------------- Kubernetes NetworkPolicy ---------------- */

static int workload(const seg_group *g)
{
    return g->kind == SEG_KIND_NETNS || g->kind == SEG_KIND_CONTAINER ||
           g->kind == SEG_KIND_POD;
}

/* "comb-" + the name in DNS-1123 label form; a hash keeps distinct names distinct. */
static void k8s_name(const char *name, char *out, size_t size)
{
    char tmp[64];
    size_t o = 0;
    int changed = 0;
    for (const char *p = name; *p && o < 40; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a'), changed = 1;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            c = '-';
            changed |= *p != '-';
        }
        tmp[o++] = c;
    }
    changed |= name[o] != '\0';
    tmp[o] = '\0';
    while (o && tmp[o - 1] == '-')
        tmp[--o] = '\0';
    if (changed) {
        uint32_t h = 2166136261u;
        for (const char *p = name; *p; p++)
            h = (h ^ (unsigned char)*p) * 16777619u;
        snprintf(out, size, "comb-%s-%08x", tmp, h);
    } else {
        snprintf(out, size, "comb-%s", tmp);
    }
}

/* The group's pod selector labels: its own, else app=<name>. */
static void selector(const seg_group *g, char *out, size_t size)
{
    if (g->labels[0]) {
        snprintf(out, size, "%s", g->labels);
        return;
    }
    char v[64];
    size_t o = 0;
    for (const char *p = g->name; *p && o < 63; p++) {
        char c = *p;
        v[o++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.') ? c : '-';
    }
    while (o && !((v[o - 1] >= 'a' && v[o - 1] <= 'z') || (v[o - 1] >= '0' && v[o - 1] <= '9') ||
                  (v[o - 1] >= 'A' && v[o - 1] <= 'Z')))
        o--;
    v[o] = '\0';
    snprintf(out, size, "app=%s", o ? v : "unnamed");
}

static void yaml_labels(FILE *f, const char *labels, int indent)
{
    char copy[SEG_LABELS_MAX];
    snprintf(copy, sizeof copy, "%s", labels);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq)
            continue;
        *eq = '\0';
        fprintf(f, "%*s\"%s\": \"%s\"\n", indent, "", t, eq + 1);
    }
}

static void yaml_peer(FILE *f, const seg_group *self, const seg_group *peer)
{
    char sel[SEG_LABELS_MAX];
    if (peer->kind == SEG_KIND_EXTERNAL && !strncmp(peer->name, "ext:", 4)) {
        fprintf(f, "    - ipBlock:\n        cidr: \"%s\"\n", peer->name + 4);
        return;
    }
    if (!workload(peer)) { /* the host: its addresses */
        char a[16];
        for (size_t i = 0; i < peer->naddrs; i++) {
            ip4(peer->addrs[i], a);
            fprintf(f, "    - ipBlock:\n        cidr: \"%s/32\"\n", a);
        }
        return;
    }
    selector(peer, sel, sizeof sel);
    if (strcmp(peer->ns, self->ns)) {
        fprintf(f, "    - namespaceSelector:\n        matchLabels:\n"
                   "          \"kubernetes.io/metadata.name\": \"%s\"\n      podSelector:\n"
                   "        matchLabels:\n", peer->ns);
        yaml_labels(f, sel, 10);
    } else {
        fputs("    - podSelector:\n        matchLabels:\n", f);
        yaml_labels(f, sel, 10);
    }
}

static seg_graph *cmp_graph; /* qsort has no context argument */
static int cmp_by_dst;

/* Flow indexes by (this end, other end, protocol, port); this end is the
 * destination (ingress) or the source (egress). */
static int cmp_flows(const void *a, const void *b)
{
    const seg_flow *x = seg_graph_flow_at(cmp_graph, *(const uint32_t *)a);
    const seg_flow *y = seg_graph_flow_at(cmp_graph, *(const uint32_t *)b);
    uint32_t x1 = cmp_by_dst ? x->dst : x->src, y1 = cmp_by_dst ? y->dst : y->src;
    uint32_t x2 = cmp_by_dst ? x->src : x->dst, y2 = cmp_by_dst ? y->src : y->dst;
    if (x1 != y1)
        return x1 < y1 ? -1 : 1;
    if (x2 != y2)
        return x2 < y2 ? -1 : 1;
    return (int)(x->proto * 65536 + x->dport) - (int)(y->proto * 65536 + y->dport);
}

/* The port list of flows idx[lo..hi) (one peer), as text to compare peers. */
static void port_key(seg_graph *g, const uint32_t *idx, size_t lo, size_t hi, char *out,
                     size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = lo; i < hi && o + 16 < size; i++) {
        const seg_flow *fl = seg_graph_flow_at(g, idx[i]);
        o += (size_t)snprintf(out + o, size - o, "%s%u,", fl->proto == 17 ? "UDP:" : "TCP:",
                              fl->dport);
    }
}

/* Rules of one direction for group gi: flows idx[lo..hi) all have gi on one
 * end; peers with identical port lists share a rule. */
static int k8s_rules(FILE *f, seg_graph *g, const seg_group *self, const uint32_t *idx,
                     size_t lo, size_t hi, int ingress)
{
    size_t npeers = 0;
    size_t *start = malloc((hi - lo + 1) * sizeof *start);
    char (*keys)[512] = malloc((hi - lo + 1) * sizeof *keys);
    char *done = calloc(hi - lo + 1, 1);
    if (!start || !keys || !done) {
        free(start);
        free(keys);
        free(done);
        return -1;
    }
    for (size_t i = lo; i < hi;) {
        const seg_flow *fl = seg_graph_flow_at(g, idx[i]);
        uint32_t peer = ingress ? fl->src : fl->dst;
        size_t j = i;
        while (j < hi) {
            const seg_flow *fj = seg_graph_flow_at(g, idx[j]);
            if ((ingress ? fj->src : fj->dst) != peer)
                break;
            j++;
        }
        start[npeers] = i;
        port_key(g, idx, i, j, keys[npeers], sizeof keys[npeers]);
        npeers++;
        i = j;
    }
    start[npeers] = hi;
    for (size_t p = 0; p < npeers; p++) {
        if (done[p])
            continue;
        fprintf(f, "  - %s:\n", ingress ? "from" : "to");
        for (size_t q = p; q < npeers; q++) {
            if (done[q] || strcmp(keys[p], keys[q]))
                continue;
            done[q] = 1;
            const seg_flow *fl = seg_graph_flow_at(g, idx[start[q]]);
            yaml_peer(f, self, seg_graph_group_at(g, ingress ? fl->src : fl->dst));
        }
        fputs("    ports:\n", f);
        for (size_t i = start[p]; i < start[p + 1]; i++) {
            const seg_flow *fl = seg_graph_flow_at(g, idx[i]);
            fprintf(f, "    - protocol: %s\n      port: %u\n", fl->proto == 17 ? "UDP" : "TCP",
                    fl->dport);
        }
    }
    free(start);
    free(keys);
    free(done);
    return 0;
}

char *seg_policy_k8s(seg_graph *g)
{
    size_t nf = seg_graph_nflows(g);
    uint32_t *by_dst = malloc((nf + 1) * sizeof *by_dst), *by_src = malloc((nf + 1) * sizeof *by_src);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = by_dst && by_src ? open_memstream(&buf, &len) : NULL;
    if (!f) {
        free(by_dst);
        free(by_src);
        return NULL;
    }
    for (size_t i = 0; i < nf; i++)
        by_dst[i] = by_src[i] = (uint32_t)i;
    cmp_graph = g;
    cmp_by_dst = 1;
    qsort(by_dst, nf, sizeof *by_dst, cmp_flows);
    cmp_by_dst = 0;
    qsort(by_src, nf, sizeof *by_src, cmp_flows);
    cmp_graph = NULL;
    size_t di = 0, si = 0;
    int oom = 0;
    for (uint32_t gi = 0; gi < seg_graph_ngroups(g); gi++) {
        const seg_group *gr = seg_graph_group_at(g, gi);
        size_t dlo = di, slo = si;
        while (di < nf && seg_graph_flow_at(g, by_dst[di])->dst == gi)
            di++;
        while (si < nf && seg_graph_flow_at(g, by_src[si])->src == gi)
            si++;
        if (!workload(gr))
            continue;
        char name[96], sel[SEG_LABELS_MAX];
        k8s_name(gr->name, name, sizeof name);
        selector(gr, sel, sizeof sel);
        fprintf(f, "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
                   "  name: \"%s\"\n  namespace: \"%s\"\n  labels:\n"
                   "    \"app.kubernetes.io/managed-by\": \"comb\"\n  annotations:\n"
                   "    \"comb.dev/workload\": \"%s\"\nspec:\n  podSelector:\n    matchLabels:\n",
                name, gr->ns, gr->name);
        yaml_labels(f, sel, 6);
        fputs("  policyTypes:\n  - Ingress\n  - Egress\n", f);
        if (di > dlo) {
            fputs("  ingress:\n", f);
            oom |= k8s_rules(f, g, gr, by_dst, dlo, di, 1);
        } else {
            fputs("  ingress: []\n", f);
        }
        fputs("  egress:\n", f);
        if (si > slo)
            oom |= k8s_rules(f, g, gr, by_src, slo, si, 0);
        fputs("  - ports:  # DNS\n    - protocol: UDP\n      port: 53\n"
              "    - protocol: TCP\n      port: 53\n", f);
    }
    free(by_dst);
    free(by_src);
    char *out = finish(f, &buf);
    if (out && oom) {
        free(out);
        return NULL;
    }
    return out;
}

/* ---------------- diff ---------------- */

typedef struct line {
    const char *p;
    size_t n;
} line;

static int line_cmp(const void *a, const void *b)
{
    const line *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Lines without indentation and trailing commas or "elements = {" openers. */
static line *split(const char *s, size_t *count)
{
    size_t cap = 16, n = 0;
    line *v = malloc(cap * sizeof *v);
    while (v && *s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        line l = { s, len };
        while (l.n && (*l.p == '\t' || *l.p == ' '))
            l.p++, l.n--;
        while (l.n && (l.p[l.n - 1] == ',' || l.p[l.n - 1] == ' '))
            l.n--;
        if (l.n >= 12 && !memcmp(l.p, "elements = {", 12))
            l.p += 12, l.n -= 12;
        while (l.n && *l.p == ' ')
            l.p++, l.n--;
        if (l.n) {
            if (n == cap) {
                line *nv = realloc(v, (cap *= 2) * sizeof *v);
                if (!nv) {
                    free(v);
                    return NULL;
                }
                v = nv;
            }
            v[n++] = l;
        }
        s += len + (e ? 1 : 0);
    }
    *count = n;
    return v;
}

char *seg_policy_diff(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    line *la = split(a ? a : "", &na), *lb = split(b ? b : "", &nb);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = la && lb ? open_memstream(&buf, &len) : NULL;
    if (!f) {
        free(la);
        free(lb);
        return NULL;
    }
    qsort(la, na, sizeof *la, line_cmp);
    qsort(lb, nb, sizeof *lb, line_cmp);
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : line_cmp(&la[i], &lb[j]);
        if (c < 0) {
            fprintf(f, "- %.*s\n", (int)la[i].n, la[i].p);
            i++;
        } else if (c > 0) {
            fprintf(f, "+ %.*s\n", (int)lb[j].n, lb[j].p);
            j++;
        } else {
            i++;
            j++;
        }
    }
    free(la);
    free(lb);
    return finish(f, &buf);
}
