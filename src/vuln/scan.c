/* scan.c - match an inventory against the vulnerability database (see
 * scan.h): package -> (ecosystem, name, version), OSV evaluation per record
 * (vuln/match.c), one finding per (vulnerability, package) with aliases
 * merged, severities, --ignore / --vex suppression, filters and sorting. */
#include "vuln/scan.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>
#include <yaml.h>

#include "sbom/sbom_import.h"
#include "vuln/cvss.h"
#include "vuln/match.h"

#define MAX_WARNINGS 200

/* ---------------------------------------------------------------- keys */

static const char *release_part(comb_arena *a, const char *vid, int parts)
{
    if (!vid || !*vid)
        return NULL;
    size_t n = 0;
    int seen = 0;
    while (vid[n]) {
        if (vid[n] == '.' && ++seen == parts)
            break;
        n++;
    }
    return comb_arena_strndup(a, vid, n);
}

static const char *debian_release(comb_arena *a, const comb_os *os)
{
    if (os->version_id && isdigit((unsigned char)os->version_id[0]))
        return release_part(a, os->version_id, 1);
    static const struct { const char *code, *num; } codes[] = {
        { "jessie", "8" },     { "stretch", "9" }, { "buster", "10" },
        { "bullseye", "11" },  { "bookworm", "12" }, { "trixie", "13" },
        { "forky", "14" },     { "sid", "sid" },     { "unstable", "sid" },
    };
    for (size_t i = 0; os->codename && i < sizeof codes / sizeof codes[0]; i++)
        if (!strcmp(os->codename, codes[i].code))
            return codes[i].num;
    /* testing/unstable images: PRETTY_NAME "Debian GNU/Linux trixie/sid" */
    if (os->pretty_name && strstr(os->pretty_name, "/sid"))
        return "sid";
    return NULL;
}

static const char *os_key(comb_arena *a, const comb_os *os)
{
    if (!os || !os->id)
        return NULL;
    const char *id = os->id, *rel = NULL, *name = id;
    if (!strcmp(id, "debian")) {
        rel = debian_release(a, os);
    } else if (!strcmp(id, "ubuntu") || !strcmp(id, "alpine") || !strcmp(id, "mariner") ||
               !strcmp(id, "azurelinux")) {
        rel = release_part(a, os->version_id, 2);
    } else if (!strcmp(id, "sles") || !strcmp(id, "sles_sap") || !strcmp(id, "sle-micro")) {
        name = "suse";
        rel = release_part(a, os->version_id, 2);
    } else if (!strcmp(id, "opensuse-leap")) {
        rel = release_part(a, os->version_id, 2); /* as the OSV importer: "opensuse-leap:15.5" */
    } else if (!strcmp(id, "amzn")) {
        name = "amazon";
        rel = release_part(a, os->version_id, 1);
    } else if (!strcmp(id, "wolfi") || !strcmp(id, "chainguard")) {
        return id;
    } else {
        rel = release_part(a, os->version_id, 1); /* rhel, rocky, almalinux, centos, ol, fedora */
    }
    if (!rel)
        return NULL;
    return comb_arena_printf(a, "%s:%s", name, rel);
}

static const char *pep503(comb_arena *a, const char *s)
{
    size_t n = strlen(s);
    char *o = comb_arena_alloc(a, n + 1);
    if (!o)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '-' || c == '_' || c == '.') {
            if (j == 0 || o[j - 1] != '-')
                o[j++] = '-';
        } else {
            o[j++] = (char)tolower((unsigned char)c);
        }
    }
    o[j] = '\0';
    return o;
}

int comb_scan_key(comb_arena *a, const comb_os *os, const comb_pkg *p, const char **eco,
                  const char **name, const char **version, const char **why)
{
    *eco = *name = *version = NULL;
    *why = NULL;
    if (!p->name || !*p->name || !p->version || !*p->version) {
        *why = "no name or version";
        return -1;
    }
    *name = p->name;
    *version = p->version;
    switch (p->type) {
    case COMB_PKG_DPKG:
    case COMB_PKG_APK:
    case COMB_PKG_RPM:
        *eco = os_key(a, os);
        if (!*eco) {
            *why = "operating system release unknown";
            return -1;
        }
        if (p->type == COMB_PKG_DPKG) {
            if (p->src_name && *p->src_name)
                *name = p->src_name;
            if (p->src_version && *p->src_version)
                *version = p->src_version;
        } else if (p->type == COMB_PKG_APK) {
            if (p->src_name && *p->src_name)
                *name = p->src_name;
        } else {
            const char *v = p->rpm_version, *r = p->rpm_release;
            const char *vr = v && r ? comb_arena_printf(a, "%s-%s", v, r) : p->version;
            if (!vr)
                return -1;
            *version = p->epoch > 0 && !strchr(vr, ':') ? comb_arena_printf(a, "%d:%s", p->epoch, vr)
                                                        : vr;
        }
        break;
    case COMB_PKG_PYTHON:
        *eco = "pypi";
        *name = pep503(a, p->name);
        break;
    case COMB_PKG_NPM: *eco = "npm"; break;
    case COMB_PKG_GO:
        *eco = "go";
        if (!strcmp(p->version, "(devel)")) {
            *why = "main module built from a working tree, version \"(devel)\"";
            return -1;
        }
        if (p->version[0] == 'v')
            *version = p->version + 1;
        break;
    case COMB_PKG_GO_STDLIB:
        *eco = "go";
        *name = "stdlib";
        if (!strncmp(p->version, "go", 2))
            *version = p->version + 2;
        else if (p->version[0] == 'v')
            *version = p->version + 1;
        break;
    case COMB_PKG_CARGO: *eco = "crates.io"; break;
    case COMB_PKG_MAVEN:
        *eco = "maven";
        if (p->namespace_ && *p->namespace_)
            *name = comb_arena_printf(a, "%s:%s", p->namespace_, p->name);
        break;
    case COMB_PKG_GEM: *eco = "rubygems"; break;
    case COMB_PKG_COMPOSER: *eco = "packagist"; break;
    default:
        *why = "package type without an advisory ecosystem";
        return -1;
    }
    if (!*name || !*version)
        return -1;
    return 0;
}

/* ------------------------------------------------------------ severity */

comb_severity comb_severity_from_text(const char *s)
{
    if (!s || !*s)
        return COMB_SEV_UNKNOWN;
    static const struct { const char *t; comb_severity s; } map[] = {
        { "unimportant", COMB_SEV_NEGLIGIBLE }, { "negligible", COMB_SEV_NEGLIGIBLE },
        { "none", COMB_SEV_NEGLIGIBLE },        { "low", COMB_SEV_LOW },
        { "low**", COMB_SEV_LOW },              { "medium", COMB_SEV_MEDIUM },
        { "medium**", COMB_SEV_MEDIUM },        { "moderate", COMB_SEV_MEDIUM },
        { "important", COMB_SEV_HIGH },         { "high", COMB_SEV_HIGH },
        { "high**", COMB_SEV_HIGH },            { "critical", COMB_SEV_CRITICAL },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(s, map[i].t))
            return map[i].s;
    return COMB_SEV_UNKNOWN;
}

/* ------------------------------------------------------------- results */

typedef struct vec {
    void **v;
    size_t n, cap;
} vec;

static int vpush(vec *x, void *p)
{
    if (x->n == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 16;
        void **nv = realloc(x->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        x->v = nv;
        x->cap = nc;
    }
    x->v[x->n++] = p;
    return 0;
}

typedef struct hit {
    const char *id, *source, *severity;
    comb_vscheme scheme;
    comb_fix_state state;
    const char **fixed;
    size_t nfixed;
    comb_vuln_info info;
    int have_info;
    int group;
} hit;

typedef struct scan_ctx {
    comb_scan_result *r;
    comb_arena *a;
    vec warnings;
    size_t dropped;
    const char *installed;
    vec hits;
    int oom;
} scan_ctx;

static void add_warning(scan_ctx *c, const char *w)
{
    if (!w) {
        c->oom = 1;
        return;
    }
    for (size_t i = 0; i < c->warnings.n; i++)
        if (!strcmp(c->warnings.v[i], w))
            return;
    if (c->warnings.n >= MAX_WARNINGS) {
        c->dropped++;
        return;
    }
    if (vpush(&c->warnings, (void *)w))
        c->oom = 1;
}

static int on_record(void *ud, const comb_affected *a)
{
    scan_ctx *c = ud;
    comb_match m;
    if (comb_match_affected(a, c->installed, c->a, &m) != COMB_OK) {
        c->oom = 1;
        return 1;
    }
    for (size_t i = 0; i < m.nwarnings; i++)
        add_warning(c, m.warnings[i]);
    if (m.verdict != COMB_MATCH_YES)
        return 0;
    hit *h = comb_arena_alloc(c->a, sizeof *h);
    if (!h || !(h->id = comb_arena_strdup(c->a, a->vuln_id ? a->vuln_id : "?"))) {
        c->oom = 1;
        return 1;
    }
    h->source = a->source ? comb_arena_strdup(c->a, a->source) : NULL;
    h->severity = a->severity ? comb_arena_strdup(c->a, a->severity) : NULL;
    h->scheme = a->scheme;
    h->state = a->state;
    h->fixed = m.fixed;
    h->nfixed = m.nfixed;
    if (vpush(&c->hits, h))
        c->oom = 1;
    return c->oom;
}

static int is_distro_eco(const char *eco)
{
    return eco && strchr(eco, ':') != NULL;
}

static int hit_has_id(const hit *h, const char *id)
{
    if (!strcmp(h->id, id))
        return 1;
    for (size_t i = 0; h->have_info && i < h->info.naliases; i++)
        if (h->info.aliases[i] && !strcmp(h->info.aliases[i], id))
            return 1;
    return 0;
}

static int linked(const hit *x, const hit *y)
{
    if (hit_has_id(y, x->id) || hit_has_id(x, y->id))
        return 1;
    for (size_t i = 0; x->have_info && i < x->info.naliases; i++)
        if (x->info.aliases[i] && hit_has_id(y, x->info.aliases[i]))
            return 1;
    return 0;
}

static int find_root(hit **h, int i)
{
    while (h[i]->group != i)
        i = h[i]->group = h[h[i]->group]->group;
    return i;
}

static int str_in(const char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int fixed_cmp(const void *pa, const void *pb, void *ud)
{
    int c = 0;
    const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
    if (comb_version_compare(*(comb_vscheme *)ud, a, b, &c) != 0)
        return strcmp(a, b);
    return c;
}

static const char *os_name_for(const comb_inventory *inv)
{
    return inv->os.id ? inv->os.id : "distro";
}

/* A page about the vulnerability when the advisory names none. */
static const char *default_url(comb_arena *a, const char *id, const comb_inventory *inv)
{
    if (!strncmp(id, "CVE-", 4)) {
        if (inv->os.id && !strcmp(inv->os.id, "debian"))
            return comb_arena_printf(a, "https://security-tracker.debian.org/tracker/%s", id);
        if (inv->os.id && !strcmp(inv->os.id, "ubuntu"))
            return comb_arena_printf(a, "https://ubuntu.com/security/%s", id);
        return comb_arena_printf(a, "https://www.cve.org/CVERecord?id=%s", id);
    }
    if (!strncmp(id, "GHSA-", 5))
        return comb_arena_printf(a, "https://github.com/advisories/%s", id);
    if (!strncmp(id, "GO-", 3))
        return comb_arena_printf(a, "https://pkg.go.dev/vuln/%s", id);
    if (!strncmp(id, "RUSTSEC-", 8))
        return comb_arena_printf(a, "https://rustsec.org/advisories/%s.html", id);
    return comb_arena_printf(a, "https://osv.dev/vulnerability/%s", id);
}

/* Build one finding from hits[idx[0..n)] of package p. */
static comb_finding *make_finding(scan_ctx *c, const comb_inventory *inv, const comb_pkg *p,
                                  const char *eco, const char *name, hit **hs, size_t n)
{
    comb_arena *a = c->a;
    comb_finding *f = comb_arena_alloc(a, sizeof *f);
    if (!f)
        return NULL;
    f->pkg = p;
    f->matched_name = comb_arena_strdup(a, name);
    f->ecosystem = comb_arena_strdup(a, eco);
    f->cvss_v3_score = f->cvss_v4_score = -1;
    /* every id: primaries and aliases */
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        cap += 1 + (hs[i]->have_info ? hs[i]->info.naliases : 0);
    const char **ids = comb_arena_calloc(a, cap + 1, sizeof *ids);
    if (!ids)
        return NULL;
    size_t nids = 0;
    for (size_t i = 0; i < n; i++) {
        if (!str_in(ids, nids, hs[i]->id))
            ids[nids++] = hs[i]->id;
        for (size_t k = 0; hs[i]->have_info && k < hs[i]->info.naliases; k++)
            if (hs[i]->info.aliases[k] && !str_in(ids, nids, hs[i]->info.aliases[k]))
                ids[nids++] = hs[i]->info.aliases[k];
    }
    qsort(ids, nids, sizeof *ids, cmp_str);
    const char *primary = NULL;
    for (size_t i = 0; i < nids && !primary; i++)
        if (!strncmp(ids[i], "CVE-", 4))
            primary = ids[i];
    if (!primary) { /* no CVE: the first primary record id */
        const char *best = NULL;
        for (size_t i = 0; i < n; i++)
            if (!best || strcmp(hs[i]->id, best) < 0)
                best = hs[i]->id;
        primary = best;
    }
    f->vuln_id = primary;
    const char **al = comb_arena_calloc(a, nids + 1, sizeof *al);
    if (!al)
        return NULL;
    size_t nal = 0;
    for (size_t i = 0; i < nids; i++)
        if (strcmp(ids[i], primary))
            al[nal++] = ids[i];
    f->aliases = al;
    f->naliases = nal;
    /* fixed versions: union, lowest first */
    size_t nfx = 0;
    for (size_t i = 0; i < n; i++)
        nfx += hs[i]->nfixed;
    const char **fx = comb_arena_calloc(a, nfx + 1, sizeof *fx);
    if (!fx)
        return NULL;
    nfx = 0;
    int wont = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < hs[i]->nfixed; k++)
            if (!str_in(fx, nfx, hs[i]->fixed[k]))
                fx[nfx++] = hs[i]->fixed[k];
        if (hs[i]->state == COMB_FIX_WONT_FIX)
            wont = 1;
    }
    comb_vscheme sch = hs[0]->scheme;
    if (nfx > 1)
        qsort_r(fx, nfx, sizeof *fx, fixed_cmp, &sch);
    f->fixed_versions = fx;
    f->nfixed = nfx;
    f->state = nfx ? COMB_FIX_FIXED : wont ? COMB_FIX_WONT_FIX : COMB_FIX_NOT_FIXED;
    /* details from the first record that has them (primary id first) */
    const comb_vuln_info *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (hs[i]->have_info && (!best || !strcmp(hs[i]->id, primary)))
            best = &hs[i]->info;
    for (size_t i = 0; i < n; i++) {
        const comb_vuln_info *in = hs[i]->have_info ? &hs[i]->info : NULL;
        if (!in)
            continue;
        if (!f->cvss_v3 && in->cvss_v3)
            f->cvss_v3 = in->cvss_v3;
        if (!f->cvss_v4 && in->cvss_v4)
            f->cvss_v4 = in->cvss_v4;
        if (!f->title && in->summary && *in->summary)
            f->title = in->summary;
        if (!f->description && in->details && *in->details)
            f->description = in->details;
        if (!f->url && in->url && *in->url)
            f->url = in->url;
    }
    if (best) {
        if (best->summary && *best->summary)
            f->title = best->summary;
        if (best->url && *best->url)
            f->url = best->url;
    }
    if (!f->url)
        f->url = default_url(a, f->vuln_id, inv);
    if (f->cvss_v3)
        f->cvss_v3_score = comb_cvss3_score(f->cvss_v3);
    if (f->cvss_v4)
        f->cvss_v4_score = comb_cvss4_score(f->cvss_v4);
    /* severity: the distro's rating first, then CVSS, then a textual one */
    f->severity = COMB_SEV_UNKNOWN;
    if (is_distro_eco(eco))
        for (size_t i = 0; i < n && f->severity == COMB_SEV_UNKNOWN; i++)
            if (hs[i]->severity && comb_severity_from_text(hs[i]->severity) != COMB_SEV_UNKNOWN) {
                f->severity = comb_severity_from_text(hs[i]->severity);
                f->severity_source = os_name_for(inv);
            }
    if (f->severity == COMB_SEV_UNKNOWN && f->cvss_v3_score >= 0) {
        f->severity = comb_cvss_severity(f->cvss_v3_score);
        f->severity_source = "cvss_v3";
    }
    if (f->severity == COMB_SEV_UNKNOWN && f->cvss_v4_score >= 0) {
        f->severity = comb_cvss_severity(f->cvss_v4_score);
        f->severity_source = "cvss_v4";
    }
    for (size_t i = 0; i < n && f->severity == COMB_SEV_UNKNOWN; i++) {
        comb_severity s = COMB_SEV_UNKNOWN;
        if (hs[i]->have_info)
            s = comb_severity_from_text(hs[i]->info.severity);
        if (s == COMB_SEV_UNKNOWN)
            s = comb_severity_from_text(hs[i]->severity);
        if (s != COMB_SEV_UNKNOWN) {
            f->severity = s;
            f->severity_source = hs[i]->source ? hs[i]->source : "advisory";
        }
    }
    /* data sources, joined */
    const char *ds = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *s = hs[i]->source ? hs[i]->source : "unknown";
        if (!ds)
            ds = s;
        else if (!strstr(ds, s))
            ds = comb_arena_printf(a, "%s,%s", ds, s);
    }
    f->data_source = ds;
    return f;
}

static int sev_allowed(const comb_scan_opts *o, comb_severity s)
{
    return !o->severities || (o->severities & (1u << s));
}

static int finding_cmp(const void *pa, const void *pb)
{
    const comb_finding *a = *(comb_finding *const *)pa, *b = *(comb_finding *const *)pb;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    int c;
    if ((c = (int)a->pkg->type - (int)b->pkg->type))
        return c;
    if ((c = strcmp(a->pkg->name, b->pkg->name)))
        return c;
    if ((c = strcmp(a->pkg->version ? a->pkg->version : "", b->pkg->version ? b->pkg->version : "")))
        return c;
    if ((c = strcmp(a->vuln_id, b->vuln_id)))
        return c;
    return strcmp(a->pkg->found_in ? a->pkg->found_in : "", b->pkg->found_in ? b->pkg->found_in : "");
}

size_t comb_scan_count_at_least(const comb_scan_result *r, comb_severity min)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        if (!r->findings[i]->suppressed && r->findings[i]->severity >= min)
            n++;
    return n;
}

void comb_scan_result_free(comb_scan_result *r)
{
    if (!r)
        return;
    comb_inventory_free(r->inv);
    comb_arena_free(&r->arena);
    free(r);
}

/* ------------------------------------------------- ignore and VEX files
 *
 * Ignore file, plain text: one entry a line, "ID [exp:YYYY-MM-DD] [reason]",
 * '#' starts a comment line. YAML: a list (top level, or under
 * "vulnerabilities:" / "ignore:") of ids or of maps with id, reason (or
 * statement), expires (or expired_at / until, "YYYY-MM-DD") and purl(s).
 * An entry applies through its expiry day; expired entries are skipped with
 * a warning. VEX: OpenVEX JSON ("statements") or CycloneDX VEX
 * ("vulnerabilities" with analysis.state); not_affected / fixed (CycloneDX
 * not_affected / false_positive / resolved) suppress the findings of the
 * named vulnerability (id or alias) in the named products (purls; the image
 * itself, pkg:oci / pkg:docker without subcomponents, names every package).
 * The last statement about a (vulnerability, package) wins. */

typedef struct ign_entry {
    const char *id, *reason, *purl;
} ign_entry;

typedef struct vex_stmt {
    const char **ids;
    size_t nids;
    const char **products;
    size_t nproducts;
    int all_products;
    int suppress;
    const char *status, *justification;
} vex_stmt;

typedef struct policy {
    vec ign;  /* ign_entry* */
    vec vex;  /* vex_stmt* */
} policy;

static void policy_free(policy *p)
{
    free(p->ign.v);
    free(p->vex.v);
}

static char *slurp(const char *path, size_t max, size_t *len, comb_err *err, comb_code *rc)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *rc = comb_fail(err, errno == ENOENT ? COMB_ENOTFOUND : COMB_EIO, "%s: %s", path,
                        strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    while (b) {
        if (n == cap) {
            if (cap >= max) {
                free(b);
                fclose(f);
                *rc = comb_fail(err, COMB_ELIMIT, "%s: larger than %zu bytes", path, max);
                return NULL;
            }
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b) {
        *rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        return NULL;
    }
    if (bad) {
        free(b);
        *rc = comb_fail(err, COMB_EIO, "%s: read error", path);
        return NULL;
    }
    b[n] = '\0';
    *len = n;
    return b;
}

/* 1 expired, 0 valid, -1 not a date */
static int expired(const char *date, time_t now)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(date, "%Y-%m-%d", &tm);
    if (!end || (*end && *end != 'T' && *end != ' '))
        return -1;
    time_t t = timegm(&tm);
    return now >= t + 86400 ? 1 : 0;
}

static comb_code add_ignore(policy *pol, scan_ctx *c, const char *path, const char *id,
                            const char *reason, const char *exp, const char *purl, time_t now,
                            comb_err *err)
{
    if (!id || !*id)
        return COMB_OK;
    if (exp && *exp) {
        int e = expired(exp, now);
        if (e < 0)
            return comb_fail(err, COMB_EINVAL, "%s: %s: expiry \"%s\" is not a YYYY-MM-DD date",
                             path, id, exp);
        if (e) {
            add_warning(c, comb_arena_printf(c->a, "%s: %s expired on %s; no longer ignored",
                                             path, id, exp));
            return COMB_OK;
        }
    }
    ign_entry *e = comb_arena_alloc(c->a, sizeof *e);
    if (!e || !(e->id = comb_arena_strdup(c->a, id)))
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    e->reason = reason && *reason ? comb_arena_strdup(c->a, reason) : NULL;
    e->purl = purl && *purl ? comb_arena_strdup(c->a, purl) : NULL;
    if (vpush(&pol->ign, e))
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    return COMB_OK;
}

static const char *ynode_str(yaml_document_t *d, yaml_node_t *n)
{
    (void)d;
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *ymap_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = ynode_str(d, yaml_document_get_node(d, p->key));
        if (k && !strcmp(k, key))
            return yaml_document_get_node(d, p->value);
    }
    return NULL;
}

static comb_code load_ignore_yaml(policy *pol, scan_ctx *c, const char *path, const char *buf,
                                  size_t len, time_t now, comb_err *err)
{
    yaml_parser_t ps;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&ps))
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&ps, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&ps, &doc)) {
        comb_code rc = comb_fail(err, COMB_EFORMAT, "%s: line %zu: %s", path,
                                 (size_t)ps.problem_mark.line + 1,
                                 ps.problem ? ps.problem : "YAML error");
        yaml_parser_delete(&ps);
        return rc;
    }
    comb_code rc = COMB_OK;
    yaml_node_t *root = yaml_document_get_root_node(&doc), *list = root;
    if (root && root->type == YAML_MAPPING_NODE) {
        list = ymap_get(&doc, root, "vulnerabilities");
        if (!list)
            list = ymap_get(&doc, root, "ignore");
        if (!list)
            list = ymap_get(&doc, root, "ignores");
    }
    if (root && (!list || list->type != YAML_SEQUENCE_NODE)) {
        rc = comb_fail(err, COMB_EFORMAT,
                       "%s: expected a list of ids (top level or under \"vulnerabilities:\")", path);
        goto out;
    }
    for (yaml_node_item_t *it = list ? list->data.sequence.items.start : NULL;
         list && it < list->data.sequence.items.top && rc == COMB_OK; it++) {
        yaml_node_t *n = yaml_document_get_node(&doc, *it);
        if (n && n->type == YAML_SCALAR_NODE) {
            rc = add_ignore(pol, c, path, ynode_str(&doc, n), NULL, NULL, NULL, now, err);
            continue;
        }
        if (!n || n->type != YAML_MAPPING_NODE) {
            rc = comb_fail(err, COMB_EFORMAT, "%s: line %zu: expected an id or a map", path,
                           n ? (size_t)n->start_mark.line + 1 : 0);
            break;
        }
        const char *id = ynode_str(&doc, ymap_get(&doc, n, "id"));
        if (!id) {
            rc = comb_fail(err, COMB_EFORMAT, "%s: line %zu: entry without an id", path,
                           (size_t)n->start_mark.line + 1);
            break;
        }
        const char *reason = ynode_str(&doc, ymap_get(&doc, n, "reason"));
        if (!reason)
            reason = ynode_str(&doc, ymap_get(&doc, n, "statement"));
        const char *exp = ynode_str(&doc, ymap_get(&doc, n, "expires"));
        if (!exp)
            exp = ynode_str(&doc, ymap_get(&doc, n, "expired_at"));
        if (!exp)
            exp = ynode_str(&doc, ymap_get(&doc, n, "until"));
        yaml_node_t *purls = ymap_get(&doc, n, "purls");
        const char *purl = ynode_str(&doc, ymap_get(&doc, n, "purl"));
        if (purls && purls->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *pi = purls->data.sequence.items.start;
                 pi < purls->data.sequence.items.top && rc == COMB_OK; pi++)
                rc = add_ignore(pol, c, path, id, reason, exp,
                                ynode_str(&doc, yaml_document_get_node(&doc, *pi)), now, err);
        } else {
            rc = add_ignore(pol, c, path, id, reason, exp, purl, now, err);
        }
    }
out:
    yaml_document_delete(&doc);
    yaml_parser_delete(&ps);
    return rc;
}

static comb_code load_ignore_text(policy *pol, scan_ctx *c, const char *path, char *buf,
                                  time_t now, comb_err *err)
{
    size_t lineno = 0;
    for (char *line = buf; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        size_t l = strlen(s);
        while (l && isspace((unsigned char)s[l - 1]))
            s[--l] = '\0';
        if (*s && *s != '#') {
            char *id = s, *rest = s;
            while (*rest && !isspace((unsigned char)*rest))
                rest++;
            if (*rest)
                *rest++ = '\0';
            const char *exp = NULL;
            while (isspace((unsigned char)*rest))
                rest++;
            if (!strncmp(rest, "exp:", 4) || !strncmp(rest, "expires:", 8) ||
                !strncmp(rest, "expires=", 8)) {
                exp = strpbrk(rest, ":=") + 1;
                char *e = (char *)exp;
                while (*e && !isspace((unsigned char)*e))
                    e++;
                if (*e)
                    *e++ = '\0';
                rest = e;
                while (isspace((unsigned char)*rest))
                    rest++;
            }
            if (*rest == '#')
                rest++;
            while (isspace((unsigned char)*rest))
                rest++;
            comb_code rc = add_ignore(pol, c, path, id, rest, exp, NULL, now, err);
            if (rc != COMB_OK) {
                comb_err_prefix(err, "line %zu", lineno);
                return rc;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return COMB_OK;
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int add_sv(comb_arena *a, const char ***arr, size_t *n, size_t *cap, const char *s)
{
    if (!s || !*s)
        return 0;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        const char **na = comb_arena_calloc(a, nc, sizeof *na);
        if (!na)
            return -1;
        if (*n)
            memcpy(na, *arr, *n * sizeof *na);
        *arr = na;
        *cap = nc;
    }
    if (!((*arr)[*n] = comb_arena_strdup(a, s)))
        return -1;
    (*n)++;
    return 0;
}

static int image_purl(const char *s)
{
    return !strncmp(s, "pkg:oci/", 8) || !strncmp(s, "pkg:docker/", 11);
}

static comb_code load_openvex(policy *pol, scan_ctx *c, const char *path, json_t *root,
                              comb_err *err)
{
    json_t *sts = json_object_get(root, "statements");
    if (!json_is_array(sts))
        return comb_fail(err, COMB_EFORMAT, "%s: \"statements\" is not an array", path);
    size_t i;
    json_t *st;
    json_array_foreach(sts, i, st) {
        vex_stmt *v = comb_arena_alloc(c->a, sizeof *v);
        if (!v)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        size_t capi = 0, capp = 0;
        json_t *vu = json_object_get(st, "vulnerability");
        int bad = 0;
        if (json_is_string(vu)) {
            bad |= add_sv(c->a, &v->ids, &v->nids, &capi, json_string_value(vu));
        } else if (json_is_object(vu)) {
            bad |= add_sv(c->a, &v->ids, &v->nids, &capi, jstr(vu, "name"));
            bad |= add_sv(c->a, &v->ids, &v->nids, &capi, jstr(vu, "@id"));
            size_t k;
            json_t *al;
            json_array_foreach(json_object_get(vu, "aliases"), k, al)
                bad |= add_sv(c->a, &v->ids, &v->nids, &capi, json_string_value(al));
        }
        size_t k;
        json_t *pr;
        json_array_foreach(json_object_get(st, "products"), k, pr) {
            const char *pid = json_is_string(pr) ? json_string_value(pr) : jstr(pr, "@id");
            const char *ppurl = json_is_object(pr)
                                    ? jstr(json_object_get(pr, "identifiers"), "purl") : NULL;
            json_t *subs = json_is_object(pr) ? json_object_get(pr, "subcomponents") : NULL;
            if (json_array_size(subs)) {
                size_t m;
                json_t *sc;
                json_array_foreach(subs, m, sc) {
                    const char *sid = json_is_string(sc) ? json_string_value(sc) : jstr(sc, "@id");
                    const char *spurl = json_is_object(sc)
                                            ? jstr(json_object_get(sc, "identifiers"), "purl")
                                            : NULL;
                    bad |= add_sv(c->a, &v->products, &v->nproducts, &capp, sid);
                    bad |= add_sv(c->a, &v->products, &v->nproducts, &capp, spurl);
                }
                continue;
            }
            if ((pid && image_purl(pid)) || (ppurl && image_purl(ppurl)))
                v->all_products = 1;
            bad |= add_sv(c->a, &v->products, &v->nproducts, &capp, pid);
            bad |= add_sv(c->a, &v->products, &v->nproducts, &capp, ppurl);
        }
        if (bad)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        const char *status = jstr(st, "status");
        if (!v->nids || !status) {
            add_warning(c, comb_arena_printf(c->a, "%s: statement %zu without vulnerability or "
                                                   "status; skipped", path, i + 1));
            continue;
        }
        v->status = comb_arena_strdup(c->a, status);
        v->justification = jstr(st, "justification")
                               ? comb_arena_strdup(c->a, jstr(st, "justification")) : NULL;
        v->suppress = !strcmp(status, "not_affected") || !strcmp(status, "fixed");
        if (vpush(&pol->vex, v))
            return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    return COMB_OK;
}

static comb_code load_cdx_vex(policy *pol, scan_ctx *c, const char *path, json_t *root,
                              comb_err *err)
{
    (void)path;
    json_t *comps = json_object_get(root, "components");
    size_t i;
    json_t *vu;
    json_array_foreach(json_object_get(root, "vulnerabilities"), i, vu) {
        vex_stmt *v = comb_arena_alloc(c->a, sizeof *v);
        if (!v)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        size_t capi = 0, capp = 0, k;
        int bad = add_sv(c->a, &v->ids, &v->nids, &capi, jstr(vu, "id"));
        json_t *ref;
        json_array_foreach(json_object_get(vu, "references"), k, ref)
            bad |= add_sv(c->a, &v->ids, &v->nids, &capi, jstr(ref, "id"));
        json_t *af;
        json_array_foreach(json_object_get(vu, "affects"), k, af) {
            const char *r = jstr(af, "ref");
            if (!r)
                continue;
            const char *hash = strncmp(r, "urn:cdx:", 8) ? NULL : strchr(r, '#');
            if (hash)
                r = hash + 1;
            bad |= add_sv(c->a, &v->products, &v->nproducts, &capp, r);
            size_t m;
            json_t *cp;
            json_array_foreach(comps, m, cp) {
                const char *br = jstr(cp, "bom-ref");
                if (br && !strcmp(br, r))
                    bad |= add_sv(c->a, &v->products, &v->nproducts, &capp, jstr(cp, "purl"));
            }
            if (image_purl(r))
                v->all_products = 1;
        }
        if (bad)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        json_t *an = json_object_get(vu, "analysis");
        const char *state = jstr(an, "state");
        if (!v->nids || !state)
            continue;
        v->status = comb_arena_strdup(c->a, state);
        v->justification = jstr(an, "justification")
                               ? comb_arena_strdup(c->a, jstr(an, "justification")) : NULL;
        v->suppress = !strcmp(state, "not_affected") || !strcmp(state, "false_positive") ||
                      !strcmp(state, "resolved") || !strcmp(state, "resolved_with_pedigree");
        if (vpush(&pol->vex, v))
            return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    return COMB_OK;
}

static comb_code policy_load(policy *pol, scan_ctx *c, const comb_scan_opts *o, time_t now,
                             comb_err *err)
{
    comb_code rc = COMB_OK;
    size_t len;
    if (o->ignore_file) {
        char *buf = slurp(o->ignore_file, 64u << 20, &len, err, &rc);
        if (!buf)
            return rc;
        const char *ext = strrchr(o->ignore_file, '.');
        const char *s = buf;
        while (*s == '#' || isspace((unsigned char)*s)) { /* skip comments to the first content */
            if (*s == '#')
                while (*s && *s != '\n')
                    s++;
            else
                s++;
        }
        int yaml = (ext && (!strcmp(ext, ".yaml") || !strcmp(ext, ".yml"))) ||
                   !strncmp(s, "vulnerabilities:", 16) || !strncmp(s, "ignore:", 7) ||
                   !strncmp(s, "ignores:", 8) || !strncmp(s, "- ", 2) || !strncmp(s, "---", 3);
        rc = yaml ? load_ignore_yaml(pol, c, o->ignore_file, buf, len, now, err)
                  : load_ignore_text(pol, c, o->ignore_file, buf, now, err);
        free(buf);
        if (rc != COMB_OK)
            return rc;
    }
    if (o->vex_file) {
        char *buf = slurp(o->vex_file, 256u << 20, &len, err, &rc);
        if (!buf)
            return rc;
        json_error_t je;
        json_t *root = json_loadb(buf, len, 0, &je);
        free(buf);
        if (!root)
            return comb_fail(err, COMB_EFORMAT, "%s: line %d: %s", o->vex_file, je.line, je.text);
        if (json_object_get(root, "statements"))
            rc = load_openvex(pol, c, o->vex_file, root, err);
        else if (json_object_get(root, "vulnerabilities"))
            rc = load_cdx_vex(pol, c, o->vex_file, root, err);
        else
            rc = comb_fail(err, COMB_EFORMAT,
                           "%s: neither OpenVEX (\"statements\") nor CycloneDX VEX "
                           "(\"vulnerabilities\")", o->vex_file);
        json_decref(root);
    }
    return rc;
}

/* purl equality ignoring qualifiers and subpath; a pattern without a version
 * matches every version */
static int purl_match(const char *pat, const char *purl)
{
    if (!pat || !purl)
        return 0;
    size_t pl = strcspn(pat, "?#"), ql = strcspn(purl, "?#");
    const char *pat_at = memchr(pat, '@', pl);
    if (!pat_at) {
        const char *at = memchr(purl, '@', ql);
        if (at)
            ql = (size_t)(at - purl);
    }
    return pl == ql && !strncmp(pat, purl, pl);
}

static int finding_has_id(const comb_finding *f, const char *id)
{
    if (!strcmp(f->vuln_id, id))
        return 1;
    for (size_t i = 0; i < f->naliases; i++)
        if (!strcmp(f->aliases[i], id))
            return 1;
    return 0;
}

static void policy_apply(policy *pol, scan_ctx *c, comb_finding *f)
{
    for (size_t i = 0; i < pol->ign.n; i++) {
        ign_entry *e = pol->ign.v[i];
        if (!finding_has_id(f, e->id) || (e->purl && !purl_match(e->purl, f->pkg->purl)))
            continue;
        f->suppressed = 1;
        f->suppressed_by = e->reason ? comb_arena_printf(c->a, "ignore file: %s", e->reason)
                                     : "ignore file";
        if (!f->suppressed_by)
            c->oom = 1;
        return;
    }
    const vex_stmt *last = NULL;
    for (size_t i = 0; i < pol->vex.n; i++) {
        const vex_stmt *v = pol->vex.v[i];
        int idm = 0, pm = v->all_products;
        for (size_t k = 0; k < v->nids && !idm; k++)
            idm = finding_has_id(f, v->ids[k]);
        for (size_t k = 0; k < v->nproducts && !pm && idm; k++)
            pm = purl_match(v->products[k], f->pkg->purl);
        if (idm && pm)
            last = v;
    }
    if (last && last->suppress) {
        f->suppressed = 1;
        f->suppressed_by = last->justification
                               ? comb_arena_printf(c->a, "vex: %s (%s)", last->status,
                                                   last->justification)
                               : comb_arena_printf(c->a, "vex: %s", last->status);
        if (!f->suppressed_by)
            c->oom = 1;
    }
}

/* ---------------------------------------------------------------- scan */

static time_t parse_rfc3339(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
        return (time_t)-1;
    return timegm(&tm);
}

comb_code comb_scan_inventory(comb_inventory *inv, comb_vulndb *db, const comb_scan_opts *opts,
                              comb_scan_result **out, comb_err *err)
{
    *out = NULL;
    comb_scan_opts def = { 0 };
    if (!opts)
        opts = &def;
    comb_scan_result *r = calloc(1, sizeof *r);
    if (!r) {
        comb_inventory_free(inv);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    comb_arena_init(&r->arena);
    r->inv = inv;
    r->scanners = db ? COMB_SCANNER_VULN : 0;
    time_t now = opts->now ? opts->now : time(NULL);
    scan_ctx c = { .r = r, .a = &r->arena };
    vec findings = { 0 };
    comb_code rc = COMB_OK;
    policy pol;
    memset(&pol, 0, sizeof pol);
    if ((rc = policy_load(&pol, &c, opts, now, err)) != COMB_OK)
        goto fail;

    r->db_path = opts->db_path ? comb_arena_strdup(&r->arena, opts->db_path) : NULL;
    comb_vulndb_stats st;
    comb_err serr;
    if (db && comb_vulndb_stats_get(db, &r->arena, &st, &serr) == COMB_OK && st.built) {
        r->db_built = st.built;
        time_t built = parse_rfc3339(st.built);
        int days = opts->stale_days > 0 ? opts->stale_days : 7;
        if (built != (time_t)-1 && now - built > (time_t)days * 86400)
            r->db_stale = 1;
    }

    size_t no_os = 0;
    for (size_t i = 0; db && i < inv->npkgs; i++) { /* no database: vulnerabilities not scanned */
        const comb_pkg *p = inv->pkgs[i];
        const char *eco, *name, *ver, *why;
        if (comb_scan_key(&r->arena, &inv->os, p, &eco, &name, &ver, &why) != 0) {
            if (why && !strcmp(why, "operating system release unknown"))
                no_os++;
            else if (why && strcmp(why, "package type without an advisory ecosystem"))
                add_warning(&c, comb_arena_printf(&r->arena, "%s %s %s: not matched: %s",
                                                  comb_pkg_type_name(p->type),
                                                  p->name ? p->name : "?",
                                                  p->version ? p->version : "?", why));
            continue;
        }
        c.installed = ver;
        c.hits.n = 0;
        rc = comb_vulndb_lookup(db, eco, name, on_record, &c, err);
        if (rc != COMB_OK)
            goto fail;
        if (c.oom)
            goto oom;
        if (!c.hits.n)
            continue;
        hit **hs = (hit **)c.hits.v;
        for (size_t k = 0; k < c.hits.n; k++) {
            comb_err verr;
            hs[k]->have_info = comb_vulndb_vuln(db, hs[k]->id, &r->arena, &hs[k]->info, &verr) ==
                               COMB_OK;
            hs[k]->group = (int)k;
        }
        for (size_t x = 0; x < c.hits.n; x++)
            for (size_t y = x + 1; y < c.hits.n; y++)
                if (linked(hs[x], hs[y])) {
                    int rx = find_root(hs, (int)x), ry = find_root(hs, (int)y);
                    if (rx != ry)
                        hs[ry]->group = rx;
                }
        hit **grp = malloc(c.hits.n * sizeof *grp);
        if (!grp)
            goto oom;
        for (size_t g = 0; g < c.hits.n; g++) {
            if (find_root(hs, (int)g) != (int)g)
                continue;
            size_t ng = 0;
            for (size_t k = 0; k < c.hits.n; k++)
                if (find_root(hs, (int)k) == (int)g)
                    grp[ng++] = hs[k];
            comb_finding *f = make_finding(&c, inv, p, eco, name, grp, ng);
            if (!f) {
                free(grp);
                goto oom;
            }
            if (opts->ignore_unfixed && f->nfixed == 0)
                continue;
            if (!sev_allowed(opts, f->severity))
                continue;
            policy_apply(&pol, &c, f);
            if (vpush(&findings, f)) {
                free(grp);
                goto oom;
            }
        }
        free(grp);
    }
    if (no_os)
        add_warning(&c, comb_arena_printf(&r->arena,
                                          "%zu OS packages not matched: no advisory release for "
                                          "operating system \"%s\" version \"%s\"",
                                          no_os, inv->os.id ? inv->os.id : "unknown",
                                          inv->os.version_id ? inv->os.version_id : ""));
    if (c.oom)
        goto oom;
    if (findings.n > 1)
        qsort(findings.v, findings.n, sizeof *findings.v, finding_cmp);
    r->findings = comb_arena_calloc(&r->arena, findings.n + 1, sizeof *r->findings);
    if (!r->findings)
        goto oom;
    if (findings.n)
        memcpy(r->findings, findings.v, findings.n * sizeof *r->findings);
    r->nfindings = findings.n;
    if (c.dropped)
        add_warning(&c, comb_arena_printf(&r->arena, "%zu more warnings not shown", c.dropped));
    r->warnings = comb_arena_calloc(&r->arena, c.warnings.n + 1, sizeof *r->warnings);
    if (!r->warnings)
        goto oom;
    for (size_t i = 0; i < c.warnings.n; i++)
        r->warnings[i] = c.warnings.v[i];
    r->nwarnings = c.warnings.n;
    free(findings.v);
    free(c.warnings.v);
    free(c.hits.v);
    policy_free(&pol);
    *out = r;
    return COMB_OK;
oom:
    rc = comb_fail(err, COMB_ENOMEM, "out of memory");
fail:
    free(findings.v);
    free(c.warnings.v);
    free(c.hits.v);
    policy_free(&pol);
    comb_scan_result_free(r);
    return rc;
}

int comb_scan_target_is_sbom(const char *target)
{
    struct stat sb;
    if (stat(target, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    FILE *f = fopen(target, "rb");
    if (!f)
        return 0;
    int ch;
    while ((ch = fgetc(f)) != EOF && isspace(ch))
        ;
    fclose(f);
    return ch == '{';
}

comb_code comb_scan_build(const char *target, const comb_sbom_opts *sopts, comb_vulndb *db,
                          const comb_scan_opts *opts, comb_scan_result **out, comb_err *err)
{
    comb_inventory *inv = NULL;
    comb_code rc;
    if (comb_scan_target_is_sbom(target))
        rc = comb_sbom_import(target, &inv, err);
    else
        rc = comb_inventory_build(target, sopts, &inv, err);
    if (rc != COMB_OK)
        return rc;
    return comb_scan_inventory(inv, db, opts, out, err);
}
