/* nft.c - comb's nftables table through libnftables: read it, replace it in
 * one transaction, remember each version and roll back; and the high-level
 * enforce / quarantine calls on top of the store. */
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

comb_code seg_nft_live(const char *netns, seg_family fam, char **text, comb_err *err)
{
    int saved;
    comb_code rc = enter(netns, &saved, err);
    if (rc)
        return rc;
    struct nft_ctx *c = ctx_new();
    if (!c) {
        leave(saved);
        return comb_fail(err, COMB_ENOMEM, "nftables: out of memory");
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "list table %s %s", fam_name(fam), SEG_TABLE);
    const char *out = nft_run_cmd_from_buffer(c, cmd) ? "" : nft_ctx_get_output_buffer(c);
    *text = strdup(out ? out : "");
    nft_ctx_free(c);
    leave(saved);
    return *text ? COMB_OK : comb_fail(err, COMB_ENOMEM, "nftables: out of memory");
}

comb_code seg_nft_apply(const char *netns, seg_family fam, const char *text, comb_err *err)
{
    size_t n = strlen(text) + 256;
    char *cmd = malloc(n);
    if (!cmd)
        return comb_fail(err, COMB_ENOMEM, "nftables: out of memory");
    /* add (so that delete cannot fail), delete, define: one batch */
    snprintf(cmd, n, "add table %s %s\ndelete table %s %s\n%s", fam_name(fam), SEG_TABLE,
             fam_name(fam), SEG_TABLE, text);
    int saved;
    comb_code rc = enter(netns, &saved, err);
    if (rc) {
        free(cmd);
        return rc;
    }
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
    char *text = seg_policy_nft(g, fam), *live = NULL;
    if (!text)
        return comb_fail(err, COMB_ENOMEM, "policy: out of memory");
    const char *ns = where[0] ? where : NULL;
    if (!(rc = seg_nft_live(ns, fam, &live, err)) && !(rc = seg_nft_apply(ns, fam, text, err)) &&
        !(rc = seg_store_set(s, "netns", where, err)))
        rc = seg_store_version_add(s, text, live, err);
    if (!rc)
        *applied = 1;
    free(text);
    free(live);
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
    /* the previous live text is a whole table; "" means there was none */
    if (!(rc = seg_nft_apply(where[0] ? where : NULL, fam, prev, err)))
        rc = seg_store_version_drop(s, id, err);
    free(text);
    free(prev);
    return rc;
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
