/* nft.c - comb's nftables table through libnftables: read it, replace it in
 * one transaction, remember each version and roll back; and the high-level
 * enforce / quarantine calls on top of the store. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "segment/nftnl.h"
#include "segment/segment.h"

static const char *fam_name(seg_family fam)
{
    return fam == SEG_FAMILY_INET ? "inet" : "bridge";
}

/* Enter /run/netns/NAME; *saved gets this thread's namespace (-1: none). */
static comb_code enter(const char *netns, int *saved, comb_err *err)
{
    *saved = -1;
    if (!netns || !*netns)
        return COMB_OK;
    if (strchr(netns, '/') || !strcmp(netns, ".") || !strcmp(netns, "..") || strlen(netns) > 200)
        return comb_fail(err, COMB_EINVAL, "netns \"%.64s\": not a namespace name", netns);
    char path[256];
    snprintf(path, sizeof path, "/run/netns/%s", netns);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return comb_fail(err, COMB_ENOTFOUND, "%s: %s", path, strerror(errno));
    int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0 || setns(fd, CLONE_NEWNET)) {
        int e = errno;
        close(fd);
        if (self >= 0)
            close(self);
        return comb_fail(err, COMB_EIO, "%s: cannot enter: %s", path, strerror(e));
    }
    close(fd);
    *saved = self;
    return COMB_OK;
}

static void leave(int saved)
{
    if (saved < 0)
        return;
    if (setns(saved, CLONE_NEWNET)) {
        /* cannot happen for our own namespace; nothing else to do */
    }
    close(saved);
}

static struct nft_ctx *ctx_new(void)
{
    struct nft_ctx *c = nft_ctx_new(NFT_CTX_DEFAULT);
    if (c && (nft_ctx_buffer_output(c) || nft_ctx_buffer_error(c))) {
        nft_ctx_free(c);
        return NULL;
    }
    return c;
}

/* ---- set element deltas between two texts seg_policy_nft wrote ---- */

#define DELTA_SETS 8

typedef struct elems {
    char name[32];
    char **v;
    size_t n, cap;
} elems;

typedef struct parsed {
    char *skel;         /* the text without its set elements */
    size_t skel_len;
    elems sets[DELTA_SETS];
    size_t nsets;
} parsed;

static void parsed_free(parsed *p)
{
    free(p->skel);
    for (size_t i = 0; i < p->nsets; i++) {
        for (size_t k = 0; k < p->sets[i].n; k++)
            free(p->sets[i].v[k]);
        free(p->sets[i].v);
    }
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 0 ok, -1 not in comb's layout or out of memory. */
static int parse_text(const char *text, parsed *p)
{
    memset(p, 0, sizeof *p);
    FILE *sk = open_memstream(&p->skel, &p->skel_len);
    if (!sk)
        return -1;
    elems *cur = NULL;
    int in_elems = 0, bad = 0;
    for (const char *s = text; *s && !bad;) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len > 7 && !memcmp(s, "\tset ", 5) && s[len - 1] == '{') {
            if (p->nsets == DELTA_SETS || len - 7 >= sizeof cur->name) {
                bad = 1;
                break;
            }
            cur = &p->sets[p->nsets++];
            memcpy(cur->name, s + 5, len - 7);
            cur->name[len - 7] = '\0';
            fprintf(sk, "%.*s\n", (int)len, s);
        } else if (len == 14 && !memcmp(s, "\t\telements = {", 14)) {
            in_elems = cur != NULL;
            bad = !cur;
        } else if (in_elems && len == 3 && !memcmp(s, "\t\t}", 3)) {
            in_elems = 0;
        } else if (in_elems && len > 3 && !memcmp(s, "\t\t\t", 3)) {
            size_t n = len - 3;
            if (s[len - 1] == ',')
                n--;
            if (cur->n == cur->cap) {
                size_t cap = cur->cap ? cur->cap * 2 : 64;
                char **v = realloc(cur->v, cap * sizeof *v);
                if (!v) {
                    bad = 1;
                    break;
                }
                cur->v = v;
                cur->cap = cap;
            }
            if (!(cur->v[cur->n] = strndup(s + 3, n)))
                bad = 1;
            else
                cur->n++;
        } else {
            if (in_elems)
                bad = 1;
            fprintf(sk, "%.*s\n", (int)len, s);
        }
        s += len + (e ? 1 : 0);
    }
    if (fclose(sk))
        bad = 1;
    for (size_t i = 0; !bad && i < p->nsets; i++)
        if (p->sets[i].n)
            qsort(p->sets[i].v, p->sets[i].n, sizeof *p->sets[i].v, str_cmp);
    if (bad) {
        parsed_free(p);
        memset(p, 0, sizeof *p);
    }
    return bad ? -1 : 0;
}

/* "add element ... { a, b }" for the elements of x missing from y. */
static void emit_missing(FILE *f, const char *verb, seg_family fam, const elems *x, const elems *y)
{
    size_t i = 0, j = 0, n = 0;
    while (i < x->n) {
        int c = j == y->n ? -1 : strcmp(x->v[i], y->v[j]);
        if (c < 0) {
            if (!n++)
                fprintf(f, "%s element %s %s %s { ", verb, fam_name(fam), SEG_TABLE, x->name);
            else
                fputs(", ", f);
            fputs(x->v[i], f);
            i++;
        } else {
            if (!c)
                i++;
            j++;
        }
    }
    if (n)
        fputs(" }\n", f);
}

char *seg_nft_delta(seg_family fam, const char *previous, const char *text)
{
    parsed a, b;
    if (!previous || !*previous || !*text || parse_text(previous, &a))
        return NULL;
    if (parse_text(text, &b)) {
        parsed_free(&a);
        return NULL;
    }
    char *out = NULL;
    size_t len = 0;
    FILE *f = NULL;
    int same = a.skel_len == b.skel_len && !memcmp(a.skel, b.skel, a.skel_len) &&
               a.nsets == b.nsets;
    for (size_t i = 0; same && i < a.nsets; i++)
        same = !strcmp(a.sets[i].name, b.sets[i].name);
    if (same && (f = open_memstream(&out, &len))) {
        /* deletions first: an element may move between sets of one transaction */
        for (size_t i = 0; i < a.nsets; i++)
            emit_missing(f, "delete", fam, &a.sets[i], &b.sets[i]);
        for (size_t i = 0; i < a.nsets; i++)
            emit_missing(f, "add", fam, &b.sets[i], &a.sets[i]);
        int bad = ferror(f);
        if (fclose(f) || bad) {
            free(out);
            out = NULL;
        }
    }
    parsed_free(&a);
    parsed_free(&b);
    return out;
}

static comb_code run_batch(const char *netns, const char *cmd, comb_err *err)
{
    int saved;
    comb_code rc = enter(netns, &saved, err);
    if (rc)
        return rc;
    struct nft_ctx *c = ctx_new();
    if (!c)
        rc = comb_fail(err, COMB_ENOMEM, "nftables: out of memory");
    else if (nft_run_cmd_from_buffer(c, cmd)) {
        const char *e = nft_ctx_get_error_buffer(c);
        rc = comb_fail(err, COMB_EIO, "nftables%s%s: ruleset refused (nothing changed): %.600s",
                       netns ? " in netns " : "", netns ? netns : "", e ? e : "");
    }
    nft_ctx_free(c);
    leave(saved);
    return rc;
}

#define STAGE_CHUNK 65536 /* elements per transaction of a staged first apply */

/* A first apply of a large table, fast and in bounded memory: the table
 * with empty sets (libnftables), then the elements in chunks built directly
 * as netlink messages (libnftnl: no text parser for 100,000 elements), then,
 * last, the chain that uses them (libnftables).
 * Nothing filters until that last transaction, which enforces the complete
 * sets at once. On failure the half-built table is removed. */
static comb_code staged_apply(const char *netns, seg_family fam, const char *text,
                              comb_err *err)
{
    parsed p;
    if (parse_text(text, &p))
        return comb_fail(err, COMB_ENOMEM, "nftables: out of memory");
    const char *chain = strstr(p.skel, "\tchain ");
    char *buf = NULL;
    size_t len = 0;
    comb_code rc = COMB_OK;
    if (!chain) {
        parsed_free(&p);
        return comb_fail(err, COMB_EINVAL, "nftables: ruleset has no chain");
    }
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        parsed_free(&p);
        return comb_fail(err, COMB_ENOMEM, "nftables: out of memory");
    }
    int saved;
    if ((rc = enter(netns, &saved, err))) {
        fclose(f);
        free(buf);
        parsed_free(&p);
        return rc;
    }
    fprintf(f, "add table %s %s\ndelete table %s %s\n%.*s}\n", fam_name(fam), SEG_TABLE,
            fam_name(fam), SEG_TABLE, (int)(chain - p.skel), p.skel);
    fflush(f);
    rc = run_batch(NULL, buf, err);
    /* the elements: built straight into netlink messages (libnftnl) */
    for (size_t i = 0; !rc && i < p.nsets; i++) {
        char why[256];
        if (seg_nftnl_add(fam == SEG_FAMILY_INET, SEG_TABLE, p.sets[i].name, p.sets[i].v,
                          p.sets[i].n, STAGE_CHUNK, why, sizeof why))
            rc = comb_fail(err, COMB_EIO, "nftables%s%s: %s (nothing enforced)",
                           netns ? " in netns " : "", netns ? netns : "", why);
    }
    if (!rc) {
        rewind(f);
        fprintf(f, "table %s %s {\n%s", fam_name(fam), SEG_TABLE, chain);
        fputc('\0', f);
        fflush(f);
        rc = ferror(f) ? comb_fail(err, COMB_ENOMEM, "nftables: out of memory")
                       : run_batch(NULL, buf, err);
    }
    if (rc) {
        char del[128];
        snprintf(del, sizeof del, "delete table %s %s\n", fam_name(fam), SEG_TABLE);
        comb_err ignore;
        run_batch(NULL, del, &ignore);
    }
    leave(saved);
    fclose(f);
    free(buf);
    parsed_free(&p);
    return rc;
}

comb_code seg_nft_apply(const char *netns, seg_family fam, const char *text,
                        const char *previous, comb_err *err)
{
    if ((!previous || !*previous) && strlen(text) > (128u << 10))
        return staged_apply(netns, fam, text, err);
    char *delta = seg_nft_delta(fam, previous, text);
    if (delta) {
        comb_code rc = *delta ? run_batch(netns, delta, err) : COMB_OK;
        free(delta);
        if (!rc)
            return COMB_OK;
        comb_err_clear(err); /* the table is not what comb applied last: replace it */
    }
    size_t n = strlen(text) + 256;
    char *cmd = malloc(n);
    if (!cmd)
        return comb_fail(err, COMB_ENOMEM, "nftables: out of memory");
    /* add (so that delete cannot fail), delete, define: one batch */
    snprintf(cmd, n, "add table %s %s\ndelete table %s %s\n%s", fam_name(fam), SEG_TABLE,
             fam_name(fam), SEG_TABLE, text);
    comb_code rc = run_batch(netns, cmd, err);
    free(cmd);
    return rc;
}

/* The enforcement point remembered in the store: netns name ("" = here). */
static comb_code point(seg_store *s, const char *netns, char *where, size_t size,
                       seg_family *fam, int *known, comb_err *err)
{
    char f[16] = "bridge";
    comb_err e2;
    seg_store_get(s, "family", f, sizeof f, &e2);
    *fam = !strcmp(f, "inet") ? SEG_FAMILY_INET : SEG_FAMILY_BRIDGE;
    *known = 1;
    if (netns) {
        snprintf(where, size, "%s", netns);
        return COMB_OK;
    }
    comb_code rc = seg_store_get(s, "netns", where, size, err);
    if (rc == COMB_ENOTFOUND) {
        *known = 0;
        comb_err_clear(err);
        return COMB_OK;
    }
    return rc;
}

comb_code seg_enforce(seg_store *s, seg_graph *g, const char *netns, int *applied, comb_err *err)
{
    char where[256];
    seg_family fam;
    int known;
    *applied = 0;
    comb_code rc = point(s, netns, where, sizeof where, &fam, &known, err);
    if (rc || !known)
        return rc;
    char *text = seg_policy_nft(g, fam), *last = NULL, *prev = NULL;
    if (!text)
        return comb_fail(err, COMB_ENOMEM, "policy: out of memory");
    long long id;
    /* the version applied last is what the kernel holds (comb owns the table) */
    rc = seg_store_version_last(s, &id, &last, &prev, err);
    if (rc == COMB_ENOTFOUND) {
        comb_err_clear(err);
        rc = COMB_OK;
    }
    const char *ns = where[0] ? where : NULL;
    if (!rc && !(rc = seg_nft_apply(ns, fam, text, last, err)) &&
        !(rc = seg_store_set(s, "netns", where, err)) && (!last || strcmp(last, text)))
        rc = seg_store_version_add(s, text, last, err); /* unchanged: no new version */
    if (!rc)
        *applied = 1;
    free(text);
    free(last);
    free(prev);
    return rc;
}

comb_code seg_rollback(seg_store *s, comb_err *err)
{
    char where[256];
    seg_family fam;
    int known;
    comb_code rc = point(s, NULL, where, sizeof where, &fam, &known, err);
    if (rc)
        return rc;
    if (!known)
        return comb_fail(err, COMB_ENOTFOUND, "no policy was applied");
    long long id;
    char *text = NULL, *prev = NULL;
    if ((rc = seg_store_version_last(s, &id, &text, &prev, err)))
        return rc;
    /* the previous text is a whole table; "" means there was none */
    if (!(rc = seg_nft_apply(where[0] ? where : NULL, fam, prev, text, err)))
        rc = seg_store_version_drop(s, id, err);
    free(text);
    free(prev);
    return rc;
}

static int allowlist_ok(const char *list)
{
    char copy[256], *save = NULL;
    snprintf(copy, sizeof copy, "%s", list);
    int n = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save), n++) {
        struct in_addr a;
        if (inet_pton(AF_INET, t, &a) != 1)
            return 0;
    }
    return n > 0;
}

comb_code seg_quarantine(seg_store *s, const char *workload, int on, const char *allow,
                         comb_err *err)
{
    seg_graph *g = seg_graph_new(0, 0);
    if (!g)
        return comb_fail(err, COMB_ENOMEM, "quarantine: out of memory");
    comb_code rc = seg_store_load(s, g, err);
    uint32_t idx;
    if (!rc && seg_graph_find_group(g, workload, &idx))
        rc = comb_fail(err, COMB_ENOTFOUND, "workload \"%.128s\" is not in the graph", workload);
    if (!rc) {
        seg_group *gr = seg_graph_group_at(g, idx);
        if (allow && strlen(allow) >= sizeof gr->qallow)
            rc = comb_fail(err, COMB_ELIMIT, "quarantine allowlist longer than %zu bytes",
                           sizeof gr->qallow - 1);
        else if (allow && !allowlist_ok(allow))
            rc = comb_fail(err, COMB_EINVAL, "quarantine allowlist \"%.64s\": expected IPv4 "
                           "addresses separated by commas", allow);
        else {
            gr->quarantined = on;
            snprintf(gr->qallow, sizeof gr->qallow, "%s", on && allow ? allow : "");
            gr->dirty = 1;
        }
    }
    int applied;
    if (!rc)
        rc = seg_store_save(s, g, err);
    if (!rc)
        rc = seg_enforce(s, g, NULL, &applied, err);
    seg_graph_free(g);
    return rc;
}
