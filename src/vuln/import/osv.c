/* osv.c - OSV schema 1.x records (JSON, or YAML converted by yaml_json.c).
 *
 * Each record is validated completely before anything is written; a record
 * with a wrong type, an over-long field, a range without "introduced", an
 * event that is not exactly one of introduced/fixed/last_affected/limit, or
 * more entries than the bounds of import.h is rejected as a whole. Withdrawn
 * records are dropped (and their earlier rows deleted). GIT ranges and
 * ecosystems that container images do not contain are skipped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/import/import.h"

#define SRC "osv"

/* The normalised ecosystem key of an OSV ecosystem, or NULL if unsupported. */
static const char *norm_eco(comb_arena *a, const char *eco)
{
    const char *colon = strchr(eco, ':');
    size_t bl = colon ? (size_t)(colon - eco) : strlen(eco);
    const char *rest = colon ? colon + 1 : "";
#define BASE(s) (bl == strlen(s) && !strncmp(eco, s, bl))
    static const struct { const char *osv, *key; } langs[] = {
        { "PyPI", "pypi" },         { "npm", "npm" },           { "Go", "go" },
        { "crates.io", "crates.io" }, { "Maven", "maven" },     { "RubyGems", "rubygems" },
        { "Packagist", "packagist" }, { "NuGet", "nuget" },     { "Wolfi", "wolfi" },
        { "Chainguard", "chainguard" },
    };
    for (size_t i = 0; i < sizeof langs / sizeof *langs; i++)
        if (BASE(langs[i].osv))
            return langs[i].key;
    /* first number (digits, optionally .digits) in rest */
    const char *p = rest;
    while (*p && !isdigit((unsigned char)*p))
        p++;
    if (!*p)
        return NULL;
    const char *q = p;
    while (isdigit((unsigned char)*q))
        q++;
    size_t major_len = (size_t)(q - p);
    const char *minor = NULL;
    size_t minor_len = 0;
    if (*q == '.' && isdigit((unsigned char)q[1])) {
        minor = q + 1;
        while (isdigit((unsigned char)minor[minor_len]))
            minor_len++;
    }
    if (major_len > 8 || minor_len > 8)
        return NULL;
    if (BASE("Debian"))
        return comb_arena_printf(a, "debian:%.*s", (int)major_len, p);
    if (BASE("Ubuntu"))
        return minor ? comb_arena_printf(a, "ubuntu:%.*s.%.*s", (int)major_len, p,
                                         (int)minor_len, minor)
                     : NULL;
    if (BASE("Alpine"))
        return minor ? comb_arena_printf(a, "alpine:%.*s.%.*s", (int)major_len, p,
                                         (int)minor_len, minor)
                     : NULL;
    if (BASE("Red Hat"))
        return comb_arena_printf(a, "rhel:%.*s", (int)major_len, p);
    if (BASE("Rocky Linux"))
        return comb_arena_printf(a, "rocky:%.*s", (int)major_len, p);
    if (BASE("AlmaLinux"))
        return comb_arena_printf(a, "almalinux:%.*s", (int)major_len, p);
    if (BASE("Mariner"))
        return comb_arena_printf(a, "mariner:%.*s.%.*s", (int)major_len, p,
                                 minor ? (int)minor_len : 1, minor ? minor : "0");
    if (BASE("Azure Linux"))
        return comb_arena_printf(a, "azurelinux:%.*s.%.*s", (int)major_len, p,
                                 minor ? (int)minor_len : 1, minor ? minor : "0");
    if (BASE("SUSE")) {
        /* "SUSE Linux Enterprise Server 15 SP5" -> suse:15.5 */
        const char *sp = strstr(q, " SP");
        if (!minor && sp && isdigit((unsigned char)sp[3])) {
            size_t n = 0;
            while (n < 8 && isdigit((unsigned char)sp[3 + n]))
                n++;
            return comb_arena_printf(a, "suse:%.*s.%.*s", (int)major_len, p, (int)n, sp + 3);
        }
        return minor ? comb_arena_printf(a, "suse:%.*s.%.*s", (int)major_len, p,
                                         (int)minor_len, minor)
                     : comb_arena_printf(a, "suse:%.*s", (int)major_len, p);
    }
    if (BASE("openSUSE")) {
        if (strstr(rest, "Leap") && minor)
            return comb_arena_printf(a, "opensuse-leap:%.*s.%.*s", (int)major_len, p,
                                     (int)minor_len, minor);
        return NULL;
    }
#undef BASE
    return NULL;
}

/* PEP 503: lower case, runs of -_. become one '-'. */
static const char *norm_name(comb_arena *a, const char *eco, const char *name)
{
    if (strcmp(eco, "pypi") != 0)
        return name;
    size_t n = strlen(name);
    char *out = comb_arena_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (ch == '-' || ch == '_' || ch == '.') {
            if (o == 0 || out[o - 1] != '-')
                out[o++] = '-';
        } else {
            out[o++] = (char)tolower((unsigned char)ch);
        }
    }
    out[o] = '\0';
    return out;
}

/* Truncate to at most max bytes at a UTF-8 boundary (copy in the arena). */
static const char *bound_text(comb_arena *a, const char *s, size_t max)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (n <= max)
        return s;
    size_t cut = max;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    return comb_arena_printf(a, "%.*s...", (int)cut, s);
}

typedef struct rec {
    comb_arena *a;
    const char *why;     /* reason for rejection */
} rec;

static const char *sev_of(json_t *obj, int *bad)
{
    const char *s = comb_imp_str(obj, "severity", 32, 0, bad);
    if (!s)
        s = comb_imp_str(obj, "urgency", 32, 0, bad);
    return s;
}

/* Parse one affected[] entry into up to two comb_affected (ECOSYSTEM and
 * SEMVER ranges). Returns the number produced, -1 to reject. */
static int parse_affected(rec *r, const char *id, json_t *af, comb_affected out[2])
{
    if (!json_is_object(af)) {
        r->why = "affected entry is not an object";
        return -1;
    }
    json_t *pkg = json_object_get(af, "package");
    if (!pkg || json_is_null(pkg))
        return 0; /* GIT-only entries have no package */
    if (!json_is_object(pkg)) {
        r->why = "affected.package is not an object";
        return -1;
    }
    int bad = 0;
    const char *eco = comb_imp_str(pkg, "ecosystem", COMB_IMPORT_MAX_NAME, 0, &bad);
    const char *name = comb_imp_str(pkg, "name", COMB_IMPORT_MAX_NAME, 0, &bad);
    if (bad || !eco || !name || !comb_imp_token_ok(name, COMB_IMPORT_MAX_NAME)) {
        r->why = "affected.package: ecosystem or name missing or invalid";
        return -1;
    }
    const char *key = norm_eco(r->a, eco);
    if (!key)
        return 0; /* an ecosystem images do not contain */
    name = norm_name(r->a, key, name);
    json_t *es = json_object_get(af, "ecosystem_specific");
    json_t *ds = json_object_get(af, "database_specific");
    const char *sev = sev_of(es, &bad);
    if (!sev)
        sev = sev_of(ds, &bad);
    if (bad) {
        r->why = "affected severity is not a short string";
        return -1;
    }
    /* ranges */
    json_t *ranges = json_object_get(af, "ranges");
    if (ranges && !json_is_array(ranges) && !json_is_null(ranges)) {
        r->why = "affected.ranges is not an array";
        return -1;
    }
    if (json_array_size(ranges) > COMB_IMPORT_MAX_RANGES) {
        r->why = "too many ranges";
        return -1;
    }
    comb_event *ev[2] = { NULL, NULL };
    size_t nev[2] = { 0, 0 }, cap[2] = { 0, 0 };
    int has_fixed[2] = { 0, 0 };
    size_t total = 0;
    size_t i;
    json_t *rg;
    json_array_foreach(ranges, i, rg) {
        if (!json_is_object(rg)) {
            r->why = "range is not an object";
            return -1;
        }
        const char *type = comb_imp_str(rg, "type", 32, 0, &bad);
        if (bad || !type) {
            r->why = "range type missing or invalid";
            return -1;
        }
        int t;
        if (!strcmp(type, "ECOSYSTEM"))
            t = 0;
        else if (!strcmp(type, "SEMVER"))
            t = 1;
        else
            continue; /* GIT and unknown types */
        json_t *events = json_object_get(rg, "events");
        if (!json_is_array(events) || json_array_size(events) == 0) {
            r->why = "range without events";
            return -1;
        }
        total += json_array_size(events);
        if (total > COMB_IMPORT_MAX_EVENTS) {
            r->why = "too many range events";
            return -1;
        }
        if (cap[t] < nev[t] + json_array_size(events)) {
            size_t nc = nev[t] + json_array_size(events) + 8;
            comb_event *ne = comb_arena_calloc(r->a, nc, sizeof *ne);
            if (!ne) {
                r->why = "out of memory";
                return -1;
            }
            if (nev[t])
                memcpy(ne, ev[t], nev[t] * sizeof *ne);
            ev[t] = ne;
            cap[t] = nc;
        }
        int introduced = 0;
        size_t j;
        json_t *e;
        json_array_foreach(events, j, e) {
            static const char *const kinds[] = { "introduced", "fixed", "last_affected",
                                                 "limit" };
            if (!json_is_object(e) || json_object_size(e) != 1) {
                r->why = "range event is not an object with one field";
                return -1;
            }
            int k = -1;
            for (int x = 0; x < 4; x++)
                if (json_object_get(e, kinds[x]))
                    k = x;
            if (k < 0) {
                r->why = "range event is not introduced, fixed, last_affected or limit";
                return -1;
            }
            const char *v = comb_imp_str(e, kinds[k], COMB_IMPORT_MAX_VERSION, 0, &bad);
            if (bad || !comb_imp_token_ok(v, COMB_IMPORT_MAX_VERSION)) {
                r->why = "range event version missing or invalid";
                return -1;
            }
            if (k == 0)
                introduced = 1;
            if (k == 1)
                has_fixed[t] = 1;
            ev[t][nev[t]].kind = (comb_event_kind)k;
            ev[t][nev[t]].version = v;
            nev[t]++;
        }
        if (!introduced) {
            r->why = "range without an introduced event";
            return -1;
        }
    }
    /* versions */
    json_t *vers = json_object_get(af, "versions");
    if (vers && !json_is_array(vers) && !json_is_null(vers)) {
        r->why = "affected.versions is not an array";
        return -1;
    }
    size_t nv = json_array_size(vers);
    if (nv > COMB_IMPORT_MAX_VERSIONS) {
        r->why = "too many affected versions";
        return -1;
    }
    const char **vl = NULL;
    if (nv) {
        vl = comb_arena_calloc(r->a, nv, sizeof *vl);
        if (!vl) {
            r->why = "out of memory";
            return -1;
        }
        json_t *v;
        json_array_foreach(vers, i, v) {
            const char *s = json_is_string(v) ? json_string_value(v) : NULL;
            if (!s || strlen(s) != json_string_length(v) ||
                !comb_imp_token_ok(s, COMB_IMPORT_MAX_VERSION)) {
                r->why = "affected version is not a valid version string";
                return -1;
            }
            vl[i] = s;
        }
    }
    int n = 0;
    for (int t = 0; t < 2; t++) {
        if (!nev[t])
            continue;
        out[n] = (comb_affected){
            .vuln_id = id, .ecosystem = key, .package = name, .scheme = comb_imp_scheme(key),
            .semver_ranges = t == 1, .events = ev[t], .nevents = nev[t],
            .state = has_fixed[t] ? COMB_FIX_FIXED : COMB_FIX_NOT_FIXED,
            .severity = sev, .source = SRC,
        };
        n++;
    }
    if (nv) {
        if (n == 0) {
            out[0] = (comb_affected){
                .vuln_id = id, .ecosystem = key, .package = name,
                .scheme = comb_imp_scheme(key), .state = COMB_FIX_UNKNOWN, .severity = sev,
                .source = SRC,
            };
            n = 1;
        }
        out[0].versions = vl;
        out[0].nversions = nv;
    }
    return n;
}

static const char *pick_url(json_t *o, int *bad)
{
    json_t *ds = json_object_get(o, "database_specific");
    const char *url = comb_imp_str(ds, "url", 2048, 0, bad);
    if (url)
        return url;
    json_t *refs = json_object_get(o, "references");
    if (!refs || json_is_null(refs))
        return NULL;
    if (!json_is_array(refs)) {
        *bad = 1;
        return NULL;
    }
    const char *first = NULL;
    size_t i;
    json_t *rf;
    json_array_foreach(refs, i, rf) {
        if (i >= 10000)
            break;
        const char *u = comb_imp_str(rf, "url", 2048, 0, bad);
        const char *t = comb_imp_str(rf, "type", 32, 0, bad);
        if (*bad)
            return NULL;
        if (u && t && !strcmp(t, "ADVISORY"))
            return u;
        if (u && !first)
            first = u;
    }
    return first;
}

/* 0 stored or rejected, 1 withdrawn, -1 fatal. */
static int import_one(comb_import_ctx *c, json_t *o, size_t index, int in_array)
{
    char where[64] = "";
    if (in_array)
        snprintf(where, sizeof where, "record %zu: ", index);
    if (!json_is_object(o)) {
        comb_import_reject(c, "%sOSV record is not an object", where);
        return 0;
    }
    int bad = 0;
    const char *id = comb_imp_str(o, "id", COMB_IMPORT_MAX_ID, 0, &bad);
    if (bad || !comb_imp_token_ok(id, COMB_IMPORT_MAX_ID)) {
        comb_import_reject(c, "%sOSV record: id missing or invalid", where);
        return 0;
    }
    json_t *wd = json_object_get(o, "withdrawn");
    if (wd && !json_is_null(wd)) {
        c->stats->withdrawn++;
        if (comb_vulndb_forget_vuln(c->db, id, SRC, c->err))
            return -1;
        return 1;
    }
    comb_arena a;
    comb_arena_init(&a);
    rec r = { .a = &a };
    comb_vuln_info v = { .id = id };
    json_t *summary = json_object_get(o, "summary"), *details = json_object_get(o, "details");
    if ((summary && json_is_string(summary) && json_string_length(summary) > COMB_IMPORT_HUGE_FIELD) ||
        (details && json_is_string(details) && json_string_length(details) > COMB_IMPORT_HUGE_FIELD)) {
        r.why = "summary or details longer than 256 KiB";
        goto reject;
    }
    v.summary = bound_text(&a, comb_imp_str(o, "summary", COMB_IMPORT_HUGE_FIELD, 1, &bad),
                           COMB_IMPORT_MAX_SUMMARY);
    v.details = bound_text(&a, comb_imp_str(o, "details", COMB_IMPORT_HUGE_FIELD, 1, &bad),
                           COMB_IMPORT_MAX_DETAILS);
    v.published = comb_imp_str(o, "published", 64, 0, &bad);
    v.modified = comb_imp_str(o, "modified", 64, 0, &bad);
    if (bad) {
        r.why = "summary, details, published or modified has a wrong type or is invalid";
        goto reject;
    }
    v.url = pick_url(o, &bad);
    if (bad) {
        r.why = "references or database_specific.url invalid";
        goto reject;
    }
    v.severity = sev_of(json_object_get(o, "database_specific"), &bad);
    if (bad) {
        r.why = "database_specific.severity is not a short string";
        goto reject;
    }
    json_t *aliases = json_object_get(o, "aliases");
    if (aliases && !json_is_null(aliases)) {
        if (!json_is_array(aliases) || json_array_size(aliases) > COMB_IMPORT_MAX_ALIASES) {
            r.why = "aliases is not an array of at most 256 ids";
            goto reject;
        }
        const char **al = comb_arena_calloc(&a, json_array_size(aliases) + 1, sizeof *al);
        if (!al) {
            r.why = "out of memory";
            goto reject;
        }
        size_t i;
        json_t *x;
        json_array_foreach(aliases, i, x) {
            const char *s = json_is_string(x) ? json_string_value(x) : NULL;
            if (!s || strlen(s) != json_string_length(x) ||
                !comb_imp_token_ok(s, COMB_IMPORT_MAX_ID)) {
                r.why = "alias is not a valid id";
                goto reject;
            }
            al[v.naliases++] = s;
        }
        v.aliases = al;
    }
    json_t *sev = json_object_get(o, "severity");
    if (sev && !json_is_null(sev)) {
        if (!json_is_array(sev) || json_array_size(sev) > 16) {
            r.why = "severity is not an array";
            goto reject;
        }
        size_t i;
        json_t *x;
        json_array_foreach(sev, i, x) {
            const char *t = comb_imp_str(x, "type", 32, 0, &bad);
            const char *s = comb_imp_str(x, "score", 256, 0, &bad);
            if (bad || !json_is_object(x) || !t || !s) {
                r.why = "severity entry without type and score";
                goto reject;
            }
            if (!strcmp(t, "CVSS_V3") && !v.cvss_v3)
                v.cvss_v3 = s;
            else if (!strcmp(t, "CVSS_V4") && !v.cvss_v4)
                v.cvss_v4 = s;
        }
    }
    json_t *affected = json_object_get(o, "affected");
    if (affected && !json_is_null(affected) && !json_is_array(affected)) {
        r.why = "affected is not an array";
        goto reject;
    }
    size_t naff = json_array_size(affected);
    if (naff > COMB_IMPORT_MAX_AFFECTED) {
        r.why = "too many affected entries";
        goto reject;
    }
    comb_affected *rows = comb_arena_calloc(&a, naff * 2 + 1, sizeof *rows);
    if (!rows) {
        r.why = "out of memory";
        goto reject;
    }
    size_t nrows = 0;
    {
        size_t i;
        json_t *af;
        json_array_foreach(affected, i, af) {
            int n = parse_affected(&r, id, af, rows + nrows);
            if (n < 0)
                goto reject;
            nrows += (size_t)n;
        }
    }
    /* Only now write: one savepoint per record. */
    if (comb_vulndb_savepoint(c->db, 0, c->err))
        goto fatal;
    if (comb_vulndb_put_vuln(c->db, &v, c->err) ||
        comb_vulndb_forget_vuln(c->db, id, SRC, c->err))
        goto fatal_sp;
    for (size_t i = 0; i < nrows; i++) {
        if (comb_vulndb_put_affected(c->db, &rows[i], c->err))
            goto fatal_sp;
        c->stats->affected += (uint64_t)comb_vulndb_last_new(c->db);
    }
    if (comb_vulndb_savepoint(c->db, 1, c->err))
        goto fatal_sp;
    c->stats->records[COMB_IMPORT_OSV]++;
    comb_arena_free(&a);
    return 0;
reject:
    comb_import_reject(c, "%s%s: rejected: %s", where, id, r.why);
    comb_arena_free(&a);
    return 0;
fatal_sp:
    comb_vulndb_savepoint(c->db, 2, NULL);
fatal:
    comb_arena_free(&a);
    return -1;
}

int comb_import_osv(comb_import_ctx *c, json_t *root)
{
    if (json_is_array(root)) {
        size_t i;
        json_t *o;
        json_array_foreach(root, i, o) {
            if (import_one(c, o, i, 1) < 0)
                return -1;
        }
        return 0;
    }
    return import_one(c, root, 0, 0) < 0 ? -1 : 0;
}
