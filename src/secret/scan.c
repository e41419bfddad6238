/* scan.c - scanning one file: which rules apply, windows around prefilter
 * hits, PCRE2 confirmation, entropy and allow checks, then findings in file
 * order with line numbers and redacted text.
 *
 * Cost stays linear: a rule's overlapping windows are merged before PCRE2
 * runs, so every byte is confirmed at most once per rule; PCRE2 runs with
 * match and depth limits; findings per file are capped; line numbers come
 * from one forward pass over the sorted findings. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "secret/secret_internal.h"

#define BINARY_SNIFF 8192    /* a NUL in this many leading bytes marks a binary file */
#define LINE_STRETCH 256     /* windows grow to line boundaries this far */

/* log2 without libm (the library does not link it): exponent from the IEEE
 * representation, mantissa m in [1, 2) by ln m = 2 atanh((m-1)/(m+1)). */
static double log2_of(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int exp = (int)((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    double m;
    memcpy(&m, &bits, sizeof m);
    double z = (m - 1) / (m + 1), z2 = z * z, term = z, sum = 0;
    for (int k = 1; k < 40; k += 2) {
        sum += term / k;
        term *= z2;
    }
    return exp + 2 * sum / 0.69314718055994530942;
}

double secret_entropy(const uint8_t *s, size_t n)
{
    if (n == 0)
        return 0;
    size_t count[256] = { 0 };
    for (size_t i = 0; i < n; i++)
        count[s[i]]++;
    double h = 0;
    for (int c = 0; c < 256; c++)
        if (count[c]) {
            double p = (double)count[c] / (double)n;
            h -= p * log2_of(p);
        }
    return h;
}

static int allowed_match(comb_secret_engine *e, const secret_rule *rule, size_t ms, size_t me)
{
    const uint8_t *m = e->data + ms;
    for (size_t i = 0; i < rule->nallows; i++)
        if (rule->allows[i].regex && secret_re_search(e, rule->allows[i].regex, m, me - ms))
            return 1;
    for (size_t i = 0; i < e->nallows; i++)
        if (e->allows[i].regex && secret_re_search(e, e->allows[i].regex, m, me - ms))
            return 1;
    return 0;
}

static void record(comb_secret_engine *e, uint32_t r, size_t ms, size_t me, size_t ss, size_t se)
{
    const secret_rule *rule = &e->rules[r];
    if (rule->min_entropy > 0 && secret_entropy(e->data + ss, se - ss) < rule->min_entropy)
        return;
    if (allowed_match(e, rule, ms, me))
        return;
    if (e->nfound == e->capfound) {
        size_t nc = e->capfound ? e->capfound * 2 : 64;
        secret_finding *f = realloc(e->found, nc * sizeof *f);
        if (!f) {
            e->oom = COMB_ENOMEM;
            return;
        }
        e->found = f;
        e->capfound = nc;
    }
    e->found[e->nfound++] = (secret_finding){ r, ms, me, ss, se };
    if (e->nfound >= COMB_SECRET_MAX_FINDINGS)
        e->full = 1;
}

void secret_confirm(comb_secret_engine *e, uint32_t r, size_t ws, size_t we)
{
    const secret_rule *rule = &e->rules[r];
    const uint8_t *d = e->data;
    /* Start and end on line boundaries when they are near, so that \b, ^
     * and $ see what they would see in the whole file. */
    size_t lim = ws > LINE_STRETCH ? ws - LINE_STRETCH : 0;
    const uint8_t *nl = ws > lim ? memrchr(d + lim, '\n', ws - lim) : NULL;
    if (nl)
        ws = (size_t)(nl - d) + 1;
    else if (lim == 0)
        ws = 0;
    size_t room = e->len - we < LINE_STRETCH ? e->len - we : LINE_STRETCH;
    nl = room ? memchr(d + we, '\n', room) : NULL;
    if (nl)
        we = (size_t)(nl - d);
    else if (room == e->len - we)
        we = e->len;
    uint32_t opts = we < e->len ? PCRE2_NOTEOL : 0;
    size_t off = ws;
    while (off <= we && !e->full && !e->oom) {
        int rc = pcre2_match(rule->regex, d, we, off, opts, e->md, e->mctx);
        if (rc < 0)
            break; /* no match, or a limit hit: this window is done */
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(e->md);
        size_t ms = ov[0], me = ov[1], ss = ms, se = me;
        uint32_t g = rule->secret_group;
        if (g && (uint32_t)rc > g && ov[2 * g] != PCRE2_UNSET) {
            ss = ov[2 * g];
            se = ov[2 * g + 1];
        }
        if (se > ss && me >= ms)
            record(e, r, ms, me, ss, se);
        off = me > off ? me : off + 1;
    }
}

void secret_hit(comb_secret_engine *e, uint32_t r, size_t from, size_t to)
{
    size_t L = e->rules[r].max_length;
    size_t a = from > L ? from - L : 0;
    size_t b = e->len - to > L ? to + L : e->len;
    if (e->win_end[r] && a <= e->win_end[r]) {
        if (a < e->win_start[r])
            e->win_start[r] = a;
        if (b > e->win_end[r])
            e->win_end[r] = b;
        return;
    }
    if (e->win_end[r])
        secret_confirm(e, r, e->win_start[r], e->win_end[r]);
    e->win_start[r] = a;
    e->win_end[r] = b;
}

void secret_flush_all(comb_secret_engine *e)
{
    for (uint32_t r = 0; r < e->nrules; r++)
        if (e->win_end[r]) {
            if (!e->full && !e->oom)
                secret_confirm(e, r, e->win_start[r], e->win_end[r]);
            e->win_end[r] = 0;
        }
}

static int by_position(const void *a, const void *b)
{
    const secret_finding *x = a, *y = b;
    if (x->ss != y->ss)
        return x->ss < y->ss ? -1 : 1;
    if (x->se != y->se)
        return x->se < y->se ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* The longest keyword the secret starts with: a public prefix such as
 * "ghp_" that may stay visible (at most half the secret, 16 bytes). */
static size_t public_prefix(const secret_rule *rule, const uint8_t *s, size_t n)
{
    size_t keep = 0;
    for (size_t k = 0; k < rule->nkeywords; k++) {
        size_t kl = strlen(rule->keywords[k]);
        if (kl > keep && kl <= 16 && kl * 2 <= n && !strncasecmp((const char *)s, rule->keywords[k], kl))
            keep = kl;
    }
    return keep;
}

static comb_code report(comb_secret_engine *e, comb_secret_cb cb, void *ud)
{
    if (e->nfound == 0)
        return COMB_OK;
    qsort(e->found, e->nfound, sizeof *e->found, by_position);
    /* The same secret found by two rules is reported once, by the rule that
     * comes first (specific rules precede generic ones in builtin.yaml). */
    size_t n = 0;
    for (size_t i = 0; i < e->nfound; i++)
        if (!n || e->found[i].ss != e->found[n - 1].ss || e->found[i].se != e->found[n - 1].se)
            e->found[n++] = e->found[i];
    size_t *masks = malloc(2 * n * sizeof *masks);
    if (!masks)
        return COMB_ENOMEM;
    size_t nm = 0;
    for (size_t i = 0; i < n; i++) {
        if (nm && e->found[i].ss <= masks[2 * nm - 1]) {
            if (e->found[i].se > masks[2 * nm - 1])
                masks[2 * nm - 1] = e->found[i].se;
        } else {
            masks[2 * nm] = e->found[i].ss;
            masks[2 * nm + 1] = e->found[i].se;
            nm++;
        }
    }
    size_t pos = 0, line = 1, line_start = 0;
    char mbuf[512], lbuf[COMB_SECRET_SNIPPET_MAX + 16];
    for (size_t i = 0; i < n; i++) {
        const secret_finding *f = &e->found[i];
        const uint8_t *nl;
        while ((nl = memchr(e->data + pos, '\n', f->ss - pos))) {
            line++;
            pos = (size_t)(nl - e->data) + 1;
            line_start = pos;
        }
        pos = f->ss;
        const secret_rule *rule = &e->rules[f->rule];
        size_t keep = public_prefix(rule, e->data + f->ss, f->se - f->ss);
        secret_redact(e->data, e->len, f, keep, line_start, masks, nm, mbuf, sizeof mbuf, lbuf,
                      sizeof lbuf);
        comb_secret_match m = {
            .rule_id = rule->id, .category = rule->category, .title = rule->title,
            .severity = rule->severity, .line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line,
            .col = f->ss - line_start + 1 > UINT32_MAX ? UINT32_MAX
                                                       : (uint32_t)(f->ss - line_start + 1),
            .redacted_match = mbuf, .redacted_line = lbuf,
        };
        if (cb && cb(ud, &m))
            break;
    }
    free(masks);
    return COMB_OK;
}

static int path_allowed(comb_secret_engine *e, const secret_allow *a, size_t n, const char *path)
{
    size_t pl = strlen(path);
    for (size_t i = 0; i < n; i++)
        if (a[i].path && secret_re_search(e, a[i].path, (const uint8_t *)path, pl))
            return 1;
    return 0;
}

comb_code comb_secret_scan(comb_secret_engine *e, const char *path, const uint8_t *data,
                           size_t len, comb_secret_cb cb, void *ud, comb_err *err)
{
    if (!e || !path || (!data && len))
        return comb_fail(err, COMB_EINVAL, "secret scan: bad arguments");
    e->nfound = 0;
    e->full = 0;
    e->oom = COMB_OK;
    if (len > e->max_size || len < COMB_SECRET_MIN_SIZE)
        return COMB_OK;
    if (path_allowed(e, e->allows, e->nallows, path))
        return COMB_OK;
    size_t sniff = len < BINARY_SNIFF ? len : BINARY_SNIFF;
    int binary = !e->scan_binaries && memchr(data, 0, sniff) != NULL;
    size_t pl = strlen(path), on = 0;
    for (size_t r = 0; r < e->nrules; r++) {
        const secret_rule *rule = &e->rules[r];
        e->rule_on[r] = (!binary || rule->binary) &&
                        (!rule->path || secret_re_search(e, rule->path, (const uint8_t *)path, pl)) &&
                        !path_allowed(e, rule->allows, rule->nallows, path);
        e->win_end[r] = 0;
        on += e->rule_on[r];
    }
    if (!on)
        return COMB_OK;
    e->data = data;
    e->len = len;
    comb_code rc = secret_prefilter_run(e);
    if (!rc)
        rc = report(e, cb, ud);
    e->data = NULL;
    if (rc)
        return comb_fail(err, rc, "%s: secret scan: %s", path,
                         rc == COMB_ENOMEM ? "out of memory" : "Vectorscan scan failed");
    return COMB_OK;
}
