/* match.c - OSV range evaluation for one record and one installed version
 * (see match.h for the rules). */
#include "vuln/match.h"

#include <stdlib.h>
#include <string.h>

typedef struct ev {
    comb_event_kind kind;
    const char *v;
    int zero; /* introduced "0" */
    int inf;  /* limit "*" */
} ev;

typedef struct ctx {
    comb_arena *arena;
    comb_match *out;
    size_t capw, capf;
    int oom;
} ctx;

static void warn(ctx *c, const char *msg)
{
    if (!msg) {
        c->oom = 1;
        return;
    }
    if (c->out->nwarnings == c->capw) {
        size_t ncap = c->capw ? c->capw * 2 : 4;
        const char **n = comb_arena_calloc(c->arena, ncap, sizeof *n);
        if (!n) {
            c->oom = 1;
            return;
        }
        if (c->out->nwarnings)
            memcpy(n, c->out->warnings, c->out->nwarnings * sizeof *n);
        c->out->warnings = n;
        c->capw = ncap;
    }
    c->out->warnings[c->out->nwarnings++] = msg;
}

static void add_fixed(ctx *c, const char *v)
{
    for (size_t i = 0; i < c->out->nfixed; i++)
        if (!strcmp(c->out->fixed[i], v))
            return;
    if (c->out->nfixed == c->capf) {
        size_t ncap = c->capf ? c->capf * 2 : 4;
        const char **n = comb_arena_calloc(c->arena, ncap, sizeof *n);
        if (!n) {
            c->oom = 1;
            return;
        }
        if (c->out->nfixed)
            memcpy(n, c->out->fixed, c->out->nfixed * sizeof *n);
        c->out->fixed = n;
        c->capf = ncap;
    }
    const char *d = comb_arena_strdup(c->arena, v);
    if (!d) {
        c->oom = 1;
        return;
    }
    c->out->fixed[c->out->nfixed++] = d;
}

comb_vscheme comb_match_scheme(const comb_affected *a)
{
    return a->semver_ranges ? COMB_VS_SEMVER : a->scheme;
}

static int kind_rank(const ev *e)
{
    return e->kind == COMB_EV_INTRODUCED ? 0 : 1;
}

static int ev_cmp(const void *pa, const void *pb, void *ud)
{
    const ev *a = pa, *b = pb;
    comb_vscheme s = *(const comb_vscheme *)ud;
    int c = 0;
    if (a->inf || b->inf)
        c = a->inf - b->inf;
    else if (a->zero || b->zero)
        c = b->zero - a->zero;
    else if (comb_version_compare(s, a->v, b->v, &c) != 0)
        c = 0; /* validated beforehand; keeps the order total anyway */
    if (c)
        return c;
    return kind_rank(a) - kind_rank(b);
}

/* installed (valid) vs event version (valid): <0, 0, >0 */
static int vcmp(comb_vscheme s, const char *inst, const ev *e)
{
    if (e->zero)
        return 1;
    if (e->inf)
        return -1;
    int c = 0;
    if (comb_version_compare(s, inst, e->v, &c) != 0)
        return 0;
    return c;
}

static const char *kind_name(comb_event_kind k)
{
    switch (k) {
    case COMB_EV_INTRODUCED: return "introduced";
    case COMB_EV_FIXED: return "fixed";
    case COMB_EV_LAST_AFFECTED: return "last_affected";
    case COMB_EV_LIMIT: return "limit";
    }
    return "event";
}

/* Evaluate one range; returns 1 if affected. Adds fixed versions > installed. */
static int eval_range(ctx *c, const comb_affected *a, comb_vscheme s, const char *inst,
                      const comb_event *evs, size_t n)
{
    ev *r = malloc(n * sizeof *r);
    if (!r) {
        c->oom = 1;
        return 0;
    }
    int ok = 1, fixed_zero = 0;
    for (size_t i = 0; i < n; i++) {
        const char *v = evs[i].version ? evs[i].version : "";
        r[i] = (ev){ .kind = evs[i].kind, .v = v };
        if (evs[i].kind == COMB_EV_INTRODUCED && !strcmp(v, "0"))
            r[i].zero = 1;
        else if (evs[i].kind == COMB_EV_LIMIT && !strcmp(v, "*"))
            r[i].inf = 1;
        else if (evs[i].kind == COMB_EV_FIXED && !strcmp(v, "0"))
            fixed_zero = 1;
        else if (!comb_version_valid(s, v)) {
            warn(c, comb_arena_printf(c->arena,
                                      "%s: %s: %s version \"%.80s\" is not a valid %s version; "
                                      "range not evaluated",
                                      a->vuln_id ? a->vuln_id : "?", a->package ? a->package : "?",
                                      kind_name(evs[i].kind), v, comb_vscheme_name(s)));
            ok = 0;
        }
    }
    if (!ok || fixed_zero) {
        free(r);
        return 0;
    }
    qsort_r(r, n, sizeof *r, ev_cmp, &s);
    int status = 0, has_limit = 0, below_limit = 0;
    for (size_t i = 0; i < n; i++) {
        int cmp = vcmp(s, inst, &r[i]);
        switch (r[i].kind) {
        case COMB_EV_INTRODUCED:
            if (cmp >= 0)
                status = 1;
            break;
        case COMB_EV_FIXED:
            if (cmp >= 0)
                status = 0;
            break;
        case COMB_EV_LAST_AFFECTED:
            if (cmp > 0)
                status = 0;
            break;
        case COMB_EV_LIMIT:
            has_limit = 1;
            if (cmp < 0)
                below_limit = 1;
            break;
        }
    }
    if (has_limit && !below_limit)
        status = 0;
    if (status)
        for (size_t i = 0; i < n; i++)
            if (r[i].kind == COMB_EV_FIXED && vcmp(s, inst, &r[i]) < 0)
                add_fixed(c, r[i].v);
    free(r);
    return status;
}

static int fixed_cmp(const void *pa, const void *pb, void *ud)
{
    comb_vscheme s = *(const comb_vscheme *)ud;
    int c = 0;
    if (comb_version_compare(s, *(const char *const *)pa, *(const char *const *)pb, &c) != 0)
        return strcmp(*(const char *const *)pa, *(const char *const *)pb);
    return c;
}

comb_code comb_match_affected(const comb_affected *a, const char *installed, comb_arena *arena,
                              comb_match *out)
{
    if (!a || !installed || !arena || !out)
        return COMB_EINVAL;
    memset(out, 0, sizeof *out);
    ctx c = { .arena = arena, .out = out };
    comb_vscheme s = comb_match_scheme(a);
    int affected = 0, via_ranges = 0;

    /* Debian tracker "open" / "will not fix" with no versions at all. */
    if (a->nevents == 0 && a->nversions == 0) {
        out->verdict = (a->state == COMB_FIX_NOT_FIXED || a->state == COMB_FIX_WONT_FIX)
                           ? COMB_MATCH_YES : COMB_MATCH_NO;
        return COMB_OK;
    }

    /* explicit versions: exact string, or equal in the record's scheme */
    for (size_t i = 0; i < a->nversions && !affected; i++) {
        const char *v = a->versions[i];
        if (!v)
            continue;
        int cmp;
        if (!strcmp(v, installed) ||
            (comb_version_compare(a->scheme, v, installed, &cmp) == 0 && cmp == 0))
            affected = 1;
    }

    int inst_ok = comb_version_valid(s, installed);
    if (a->nevents && !inst_ok && !affected) {
        warn(&c, comb_arena_printf(arena,
                                   "%s: %s: installed version \"%.80s\" is not a valid %s "
                                   "version; not matched",
                                   a->vuln_id ? a->vuln_id : "?", a->package ? a->package : "?",
                                   installed, comb_vscheme_name(s)));
        out->verdict = COMB_MATCH_UNDECIDED;
        return c.oom ? COMB_ENOMEM : COMB_OK;
    }
    if (a->nevents && inst_ok) {
        size_t start = 0;
        for (size_t i = 1; i <= a->nevents; i++) {
            if (i < a->nevents && !(a->events[i].kind == COMB_EV_INTRODUCED &&
                                    a->events[i - 1].kind != COMB_EV_INTRODUCED))
                continue;
            if (eval_range(&c, a, s, installed, a->events + start, i - start))
                via_ranges = 1;
            start = i;
        }
        if (via_ranges)
            affected = 1;
    }
    if (affected && !via_ranges && inst_ok) {
        /* matched through the versions list: report every fix above us */
        for (size_t i = 0; i < a->nevents; i++) {
            int cmp;
            const char *v = a->events[i].version;
            if (a->events[i].kind == COMB_EV_FIXED && v && strcmp(v, "0") &&
                comb_version_compare(s, installed, v, &cmp) == 0 && cmp < 0)
                add_fixed(&c, v);
        }
    }
    if (out->nfixed > 1)
        qsort_r(out->fixed, out->nfixed, sizeof *out->fixed, fixed_cmp, &s);
    out->verdict = affected ? COMB_MATCH_YES : COMB_MATCH_NO;
    return c.oom ? COMB_ENOMEM : COMB_OK;
}
