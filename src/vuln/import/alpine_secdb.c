/* alpine_secdb.c - the Alpine security database (secdb), YAML or JSON:
 *
 *   distroversion: v3.10
 *   reponame: main
 *   packages:
 *     - pkg:
 *         name: openssl
 *         secfixes:
 *           1.1.1d-r0: [CVE-2019-1547, CVE-2019-1549]
 *           "0": [CVE-2019-0001]          # never affected in this release
 *
 * Every (package, fixed version, id) becomes an affected row in ecosystem
 * "alpine:3.10" with events introduced "0", fixed "<version>". The fixed
 * version "0" is kept as events introduced "0", fixed "0": an empty range,
 * i.e. "not affected in this release", which the matcher can tell apart.
 * Id strings are split carefully: "CVE-2017-8904 XSA-214", "CVE_2019-2426",
 * "CVE 2018-16859", "CVE-2018-16452 (SMB)", "CVE-2017-8073.patch".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/import/import.h"

#define SRC "alpine-secdb"
#define MAX_PACKAGES 200000
#define MAX_FIXES 10000
#define MAX_IDS 1000

typedef struct idlist {
    char ids[64][COMB_IMPORT_MAX_ID + 1];
    size_t n;
} idlist;

static void add_id(idlist *l, const char *s, size_t n)
{
    if (n == 0 || n > COMB_IMPORT_MAX_ID || l->n >= 64)
        return;
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->ids[i]) == n && !memcmp(l->ids[i], s, n))
            return;
    memcpy(l->ids[l->n], s, n);
    l->ids[l->n][n] = '\0';
    l->n++;
}

static size_t digits(const char *s)
{
    size_t n = 0;
    while (isdigit((unsigned char)s[n]))
        n++;
    return n;
}

/* Extract the advisory ids of one secfixes string. */
static void split_ids(const char *s, idlist *out)
{
    out->n = 0;
    const char *end = strchr(s, '(');
    if (!end)
        end = s + strlen(s);
    const char *p = s;
    while (p < end) {
        while (p < end && (isspace((unsigned char)*p) || *p == ',' || *p == ';'))
            p++;
        const char *t = p;
        while (p < end && !isspace((unsigned char)*p) && *p != ',' && *p != ';')
            p++;
        size_t tl = (size_t)(p - t);
        if (!tl)
            continue;
        if (tl >= 3 && !strncasecmp(t, "CVE", 3)) {
            const char *q = t + 3;
            if (q == p) {
                /* "CVE 2018-16859": the number is the next token */
                while (q < end && isspace((unsigned char)*q))
                    q++;
            } else if (*q == '-' || *q == '_') {
                q++;
            }
            size_t y = digits(q);
            if (y == 4 && q[4] == '-') {
                size_t nn = digits(q + 5);
                if (nn >= 4 && nn <= 19) {
                    char id[40];
                    int l = snprintf(id, sizeof id, "CVE-%.4s-%.*s", q, (int)nn, q + 5);
                    add_id(out, id, (size_t)l);
                    if (q + 5 + nn > p)
                        p = q + 5 + nn;
                }
            }
            continue;
        }
        /* other ids: XSA-207, TALOS-2017-0499, ZBX-11023, wnpa-sec-2017-21, GHSA-... */
        if (!isalpha((unsigned char)t[0]) || tl > 64)
            continue;
        int ok = 1, dash = 0;
        for (size_t i = 0; i < tl; i++) {
            if (t[i] == '-')
                dash = 1;
            else if (!isalnum((unsigned char)t[i]))
                ok = 0;
        }
        if (ok && dash && t[tl - 1] != '-' && isdigit((unsigned char)t[tl - 1]))
            add_id(out, t, tl);
    }
}

static const char *release_key(const char *dv, char *buf, size_t n)
{
    if (!dv)
        return NULL;
    if (*dv == 'v')
        dv++;
    size_t a = digits(dv);
    if (!a || a > 4 || dv[a] != '.')
        return NULL;
    size_t b = digits(dv + a + 1);
    if (!b || b > 4 || dv[a + 1 + b] != '\0')
        return NULL;
    snprintf(buf, n, "alpine:%s", dv);
    return buf;
}

static int import_pkg(comb_import_ctx *c, const char *eco, json_t *entry, size_t index)
{
    json_t *pkg = json_is_object(entry) ? json_object_get(entry, "pkg") : NULL;
    if (!json_is_object(pkg)) {
        comb_import_reject(c, "packages[%zu]: no pkg object", index);
        return 0;
    }
    int bad = 0;
    const char *name = comb_imp_str(pkg, "name", COMB_IMPORT_MAX_NAME, 0, &bad);
    if (bad || !comb_imp_token_ok(name, COMB_IMPORT_MAX_NAME)) {
        comb_import_reject(c, "packages[%zu]: name missing or invalid", index);
        return 0;
    }
    json_t *fixes = json_object_get(pkg, "secfixes");
    if (!fixes || json_is_null(fixes))
        return 0;
    if (!json_is_object(fixes) || json_object_size(fixes) > MAX_FIXES) {
        comb_import_reject(c, "%s: secfixes is not a mapping of at most %d versions", name,
                           MAX_FIXES);
        return 0;
    }
    if (comb_vulndb_savepoint(c->db, 0, c->err))
        return -1;
    if (comb_vulndb_forget_package(c->db, eco, name, SRC, c->err))
        goto fatal;
    const char *ver;
    json_t *ids;
    json_object_foreach(fixes, ver, ids) {
        if (!comb_imp_token_ok(ver, COMB_IMPORT_MAX_VERSION)) {
            comb_import_reject(c, "%s: secfixes version \"%.40s\" invalid", name, ver);
            continue;
        }
        if (json_is_null(ids))
            continue;
        if (!json_is_array(ids) || json_array_size(ids) > MAX_IDS) {
            comb_import_reject(c, "%s %s: not a list of at most %d ids", name, ver, MAX_IDS);
            continue;
        }
        comb_event ev[2] = { { COMB_EV_INTRODUCED, "0" }, { COMB_EV_FIXED, ver } };
        size_t i;
        json_t *x;
        json_array_foreach(ids, i, x) {
            const char *s = json_is_string(x) ? json_string_value(x) : NULL;
            if (!s || strlen(s) != json_string_length(x) || strlen(s) > 1024) {
                comb_import_reject(c, "%s %s: entry %zu is not a short string", name, ver, i);
                continue;
            }
            idlist l;
            split_ids(s, &l);
            if (!l.n) {
                comb_import_reject(c, "%s %s: no advisory id in \"%.60s\"", name, ver, s);
                continue;
            }
            for (size_t k = 0; k < l.n; k++) {
                comb_vuln_info v = { .id = l.ids[k] };
                comb_affected a = {
                    .vuln_id = l.ids[k], .ecosystem = eco, .package = name,
                    .scheme = COMB_VS_APK, .events = ev, .nevents = 2,
                    .state = COMB_FIX_FIXED, .source = SRC,
                };
                if (comb_vulndb_put_vuln(c->db, &v, c->err) ||
                    comb_vulndb_put_affected(c->db, &a, c->err))
                    goto fatal;
                if (comb_vulndb_last_new(c->db)) {
                    c->stats->affected++;
                    c->stats->records[COMB_IMPORT_SECDB]++;
                }
            }
        }
    }
    if (comb_vulndb_savepoint(c->db, 1, c->err))
        goto fatal;
    return 0;
fatal:
    comb_vulndb_savepoint(c->db, 2, NULL);
    return -1;
}

int comb_import_secdb(comb_import_ctx *c, json_t *root)
{
    int bad = 0;
    const char *dv = comb_imp_str(root, "distroversion", 32, 0, &bad);
    char eco[64];
    if (bad || !release_key(dv, eco, sizeof eco)) {
        comb_import_reject(c, "secdb: distroversion missing or not vX.Y");
        return 0;
    }
    json_t *pkgs = json_object_get(root, "packages");
    if (json_is_null(pkgs))
        return 0; /* an empty release */
    if (!json_is_array(pkgs) || json_array_size(pkgs) > MAX_PACKAGES) {
        comb_import_reject(c, "secdb: packages is not a list of at most %d entries",
                           MAX_PACKAGES);
        return 0;
    }
    size_t i;
    json_t *e;
    json_array_foreach(pkgs, i, e) {
        if (import_pkg(c, eco, e, i) < 0)
            return -1;
    }
    return 0;
}
