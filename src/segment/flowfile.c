/* flowfile.c - imported flow files (see segment.h) and label syntax. The
 * input is untrusted: every line, token and count is bounded, and a bad
 * line is an error naming the file and the line. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segment/segment.h"

#define LINE_MAX_ 4096
#define TOKENS_MAX 32

/* Kubernetes label key (optional DNS prefix "a.b/" + name) and value:
 * [A-Za-z0-9] at both ends, [-_.A-Za-z0-9] inside, name and value <= 63. */
static int label_part(const char *s, size_t n, int allow_empty)
{
    if (!n)
        return allow_empty;
    if (n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && ((i == 0 || i == n - 1) || (c != '-' && c != '_' && c != '.')))
            return 0;
    }
    return 1;
}

static int label_key(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    if (!slash)
        return label_part(s, n, 0);
    size_t pre = (size_t)(slash - s);
    if (!pre || pre > 253)
        return 0;
    for (size_t i = 0; i < pre; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return 0;
    }
    return label_part(slash + 1, n - pre - 1, 0);
}

typedef struct kv {
    const char *k, *v;
    size_t kn, vn;
} kv;

static int kv_cmp(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    size_t n = x->kn < y->kn ? x->kn : y->kn;
    int c = memcmp(x->k, y->k, n);
    return c ? c : (x->kn > y->kn) - (x->kn < y->kn);
}

int seg_labels_canon(const char *in, char *out, size_t size)
{
    kv items[16];
    size_t n = 0;
    const char *p = in;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq || n == 16)
            return -1;
        kv it = { p, eq + 1, (size_t)(eq - p), len - (size_t)(eq - p) - 1 };
        if (!label_key(it.k, it.kn) || !label_part(it.v, it.vn, 1))
            return -1;
        for (size_t i = 0; i < n; i++)
            if (items[i].kn == it.kn && !memcmp(items[i].k, it.k, it.kn))
                return -1; /* a key twice */
        items[n++] = it;
        p += len + (e ? 1 : 0);
        if (e && !*p)
            return -1;
    }
    qsort(items, n, sizeof *items, kv_cmp);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out + o, size - o, "%s%.*s=%.*s", i ? "," : "", (int)items[i].kn,
                         items[i].k, (int)items[i].vn, items[i].v);
        if (w < 0 || (size_t)w >= size - o)
            return -1;
        o += (size_t)w;
    }
    if (!n) {
        if (!size)
            return -1;
        out[0] = '\0';
    }
    return 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n >= SEG_NAME_MAX)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == '"' || *s == '\\' || (unsigned char)*s >= 127)
            return 0;
    return 1;
}

static comb_code line_group(const char *name, char **tok, size_t ntok, seg_graph *g,
                            const char *file, size_t lineno, comb_err *err)
{
    seg_kind kind = SEG_KIND_NETNS;
    for (size_t i = 2; i < ntok; i++)
        if (!strncmp(tok[i], "kind=", 5) && seg_kind_parse(tok[i] + 5, &kind))
            return comb_fail(err, COMB_EFORMAT, "%s: line %zu: unknown kind \"%.40s\"", file,
                             lineno, tok[i] + 5);
    if (!name_ok(tok[1]))
        return comb_fail(err, COMB_EFORMAT, "%s: line %zu: bad group name", file, lineno);
    uint32_t idx;
    if (seg_graph_group(g, tok[1], kind, &idx) < 0)
        return comb_fail(err, COMB_ELIMIT, "%s: line %zu: too many groups", file, lineno);
    seg_group *gr = seg_graph_group_at(g, idx);
    gr->kind = kind;
    (void)name;
    for (size_t i = 2; i < ntok; i++) {
        const char *t = tok[i];
        if (!strncmp(t, "kind=", 5))
            continue;
        if (!strncmp(t, "ns=", 3)) {
            if (!label_part(t + 3, strlen(t + 3), 0) || strlen(t + 3) >= sizeof gr->ns)
                return comb_fail(err, COMB_EFORMAT, "%s: line %zu: bad namespace", file, lineno);
            snprintf(gr->ns, sizeof gr->ns, "%s", t + 3);
        } else if (!strncmp(t, "labels=", 7)) {
            if (seg_labels_canon(t + 7, gr->labels, sizeof gr->labels))
                return comb_fail(err, COMB_EFORMAT, "%s: line %zu: bad labels", file, lineno);
        } else if (!strncmp(t, "addr=", 5)) {
            struct in_addr a;
            if (inet_pton(AF_INET, t + 5, &a) != 1)
                return comb_fail(err, COMB_EFORMAT, "%s: line %zu: bad IPv4 address", file,
                                 lineno);
            if (seg_graph_add_addr(g, idx, a.s_addr))
                return comb_fail(err, COMB_ELIMIT, "%s: line %zu: too many addresses", file,
                                 lineno);
        } else if (!strncmp(t, "mode=", 5)) {
            if (seg_mode_parse(t + 5, &gr->mode))
                return comb_fail(err, COMB_EFORMAT, "%s: line %zu: unknown mode", file, lineno);
        } else {
            return comb_fail(err, COMB_EFORMAT, "%s: line %zu: unknown field \"%.40s\"", file,
                             lineno, t);
        }
    }
    gr->dirty = 1;
    return COMB_OK;
}

static comb_code line_flow(char **tok, size_t ntok, seg_graph *g, const char *file,
                           size_t lineno, comb_err *err)
{
    if (ntok < 4 || ntok > 5)
        return comb_fail(err, COMB_EFORMAT, "%s: line %zu: flow needs SRC DST PROTO/PORT", file,
                         lineno);
    uint32_t ends[2];
    for (int i = 0; i < 2; i++) {
        if (!name_ok(tok[1 + i]))
            return comb_fail(err, COMB_EFORMAT, "%s: line %zu: bad group name", file, lineno);
        if (seg_graph_group(g, tok[1 + i], SEG_KIND_NETNS, &ends[i]) < 0)
            return comb_fail(err, COMB_ELIMIT, "%s: line %zu: too many groups", file, lineno);
    }
    char *slash = strchr(tok[3], '/');
    uint8_t proto;
    uint64_t port, count = 1;
    if (!slash)
        return comb_fail(err, COMB_EFORMAT, "%s: line %zu: PROTO/PORT expected", file, lineno);
    *slash = '\0';
    if (seg_proto_parse(tok[3], &proto) || parse_u64(slash + 1, 65535, &port) || !port)
        return comb_fail(err, COMB_EFORMAT, "%s: line %zu: bad PROTO/PORT", file, lineno);
    if (ntok == 5 && (strncmp(tok[4], "count=", 6) ||
                      parse_u64(tok[4] + 6, UINT64_MAX / 2, &count) || !count))
        return comb_fail(err, COMB_EFORMAT, "%s: line %zu: bad count", file, lineno);
    if (seg_graph_flow_add(g, ends[0], ends[1], proto, (uint16_t)port, count, 0, NULL) < 0)
        return comb_fail(err, COMB_ELIMIT, "%s: line %zu: too many flows", file, lineno);
    return COMB_OK;
}

comb_code seg_flowfile_parse(const char *file, const char *buf, size_t len, seg_graph *g,
                             comb_err *err)
{
    if (len > SEG_FLOWFILE_MAX)
        return comb_fail(err, COMB_ELIMIT, "%s: larger than %u bytes", file, SEG_FLOWFILE_MAX);
    char line[LINE_MAX_];
    size_t pos = 0, lineno = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
        lineno++;
        if (n >= sizeof line)
            return comb_fail(err, COMB_EFORMAT, "%s: line %zu: longer than %d bytes", file,
                             lineno, LINE_MAX_ - 1);
        memcpy(line, buf + pos, n);
        line[n] = '\0';
        pos += n + 1;
        if (memchr(line, '\0', n))
            return comb_fail(err, COMB_EFORMAT, "%s: line %zu: NUL byte", file, lineno);
        char *tok[TOKENS_MAX];
        size_t ntok = 0;
        char *save = NULL;
        for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
            if (ntok == TOKENS_MAX)
                return comb_fail(err, COMB_EFORMAT, "%s: line %zu: too many fields", file,
                                 lineno);
            tok[ntok++] = t;
        }
        if (!ntok || tok[0][0] == '#')
            continue;
        comb_code rc;
        if (!strcmp(tok[0], "group") && ntok >= 2)
            rc = line_group(tok[1], tok, ntok, g, file, lineno, err);
        else if (!strcmp(tok[0], "flow"))
            rc = line_flow(tok, ntok, g, file, lineno, err);
        else
            rc = comb_fail(err, COMB_EFORMAT, "%s: line %zu: unknown record \"%.40s\"", file,
                           lineno, tok[0]);
        if (rc)
            return rc;
    }
    return COMB_OK;
}
