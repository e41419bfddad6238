/* debian_tracker.c - the Debian security tracker JSON
 * (https://security-tracker.debian.org/tracker/data/json):
 *
 *   { "openssl": { "CVE-2023-0286": { "description": "...",
 *       "releases": { "bookworm": { "status": "resolved", "fixed_version": "3.0.8-1",
 *                                   "urgency": "high", "repositories": {...} },
 *                     "bullseye": { "status": "open", "urgency": "low",
 *                                   "nodsa": "Minor issue", "nodsa_reason": "postponed" } } } } }
 *
 * Package names are source packages. Releases map to "debian:12" etc.
 * (sid/unstable: "debian:sid"); unknown codenames are skipped.
 *   resolved + fixed_version V   -> introduced 0, fixed V      (FIXED)
 *   resolved + fixed_version "0" -> introduced 0, fixed 0      (never affected)
 *   open (no fix / "<unfixed>")  -> introduced 0               (NOT_FIXED, or WONT_FIX
 *                                   when nodsa_reason is "ignored" or urgency "end-of-life")
 *   undetermined                 -> introduced 0               (UNKNOWN)
 * urgency (without the "*" marks of unconfirmed ratings) becomes the severity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/import/import.h"

#define SRC "debian-tracker"
#define MAX_RELEASES 64

static const struct { const char *codename, *key; } releases[] = {
    { "jessie", "debian:8" },    { "stretch", "debian:9" },  { "buster", "debian:10" },
    { "bullseye", "debian:11" }, { "bookworm", "debian:12" }, { "trixie", "debian:13" },
    { "forky", "debian:14" },    { "duke", "debian:15" },    { "sid", "debian:sid" },
    { "unstable", "debian:sid" },
};

static const char *release_key(const char *codename)
{
    for (size_t i = 0; i < sizeof releases / sizeof *releases; i++)
        if (!strcmp(codename, releases[i].codename))
            return releases[i].key;
    return NULL;
}

static void clean_urgency(const char *u, char *buf, size_t n)
{
    buf[0] = '\0';
    if (!u)
        return;
    size_t l = strlen(u);
    while (l && (u[l - 1] == '*' || u[l - 1] == ' '))
        l--;
    if (l >= n)
        l = n - 1;
    memcpy(buf, u, l);
    buf[l] = '\0';
    if (!strcmp(buf, "not yet assigned"))
        buf[0] = '\0';
}

/* One (package, CVE): 0 done (possibly rejected), -1 fatal. */
static int import_cve(comb_import_ctx *c, const char *pkg, const char *id, json_t *cve)
{
    if (!comb_imp_token_ok(id, COMB_IMPORT_MAX_ID)) {
        comb_import_reject(c, "%s: advisory id \"%.40s\" invalid", pkg, id);
        return 0;
    }
    if (!json_is_object(cve)) {
        comb_import_reject(c, "%s %s: not an object", pkg, id);
        return 0;
    }
    int bad = 0;
    const char *desc = comb_imp_str(cve, "description", COMB_IMPORT_HUGE_FIELD, 1, &bad);
    json_t *rels = json_object_get(cve, "releases");
    if (bad || !json_is_object(rels) || json_object_size(rels) > MAX_RELEASES) {
        comb_import_reject(c, "%s %s: description or releases invalid", pkg, id);
        return 0;
    }
    char summary[COMB_IMPORT_MAX_SUMMARY + 4];
    if (desc) {
        size_t l = strlen(desc);
        if (l > COMB_IMPORT_MAX_SUMMARY) {
            l = COMB_IMPORT_MAX_SUMMARY;
            while (l && ((unsigned char)desc[l] & 0xC0) == 0x80)
                l--;
        }
        memcpy(summary, desc, l);
        summary[l] = '\0';
    }
    comb_vuln_info v = { .id = id, .summary = desc ? summary : NULL };
    if (comb_vulndb_put_vuln(c->db, &v, c->err))
        return -1;
    const char *codename;
    json_t *rel;
    json_object_foreach(rels, codename, rel) {
        const char *eco = release_key(codename);
        if (!eco)
            continue;
        bad = 0;
        const char *status = comb_imp_str(rel, "status", 32, 0, &bad);
        const char *fixed = comb_imp_str(rel, "fixed_version", COMB_IMPORT_MAX_VERSION, 0, &bad);
        const char *urg = comb_imp_str(rel, "urgency", 64, 0, &bad);
        const char *reason = comb_imp_str(rel, "nodsa_reason", 64, 0, &bad);
        if (bad || !json_is_object(rel) || !status) {
            comb_import_reject(c, "%s %s %s: status missing or a field has a wrong type", pkg,
                               id, codename);
            continue;
        }
        if (fixed && (!strcmp(fixed, "<unfixed>") || !*fixed))
            fixed = NULL;
        if (fixed && !comb_imp_token_ok(fixed, COMB_IMPORT_MAX_VERSION)) {
            comb_import_reject(c, "%s %s %s: fixed_version invalid", pkg, id, codename);
            continue;
        }
        char sev[64];
        clean_urgency(urg, sev, sizeof sev);
        comb_event ev[2] = { { COMB_EV_INTRODUCED, "0" }, { COMB_EV_FIXED, fixed } };
        comb_affected a = {
            .vuln_id = id, .ecosystem = eco, .package = pkg, .scheme = COMB_VS_DPKG,
            .events = ev, .nevents = 1, .severity = sev[0] ? sev : NULL, .source = SRC,
        };
        if (!strcmp(status, "resolved")) {
            if (!fixed) {
                comb_import_reject(c, "%s %s %s: resolved without a fixed_version", pkg, id,
                                   codename);
                continue;
            }
            a.nevents = 2;
            a.state = COMB_FIX_FIXED;
        } else if (!strcmp(status, "open")) {
            if (fixed) {
                /* a fix exists in the archive but the release is still tracked open */
                a.nevents = 2;
                a.state = COMB_FIX_FIXED;
            } else if ((reason && !strcmp(reason, "ignored")) || !strcmp(sev, "end-of-life")) {
                a.state = COMB_FIX_WONT_FIX;
            } else {
                a.state = COMB_FIX_NOT_FIXED;
            }
        } else if (!strcmp(status, "undetermined")) {
            a.state = COMB_FIX_UNKNOWN;
        } else {
            comb_import_reject(c, "%s %s %s: unknown status \"%.32s\"", pkg, id, codename,
                               status);
            continue;
        }
        if (comb_vulndb_put_affected(c->db, &a, c->err))
            return -1;
        if (comb_vulndb_last_new(c->db)) {
            c->stats->affected++;
            c->stats->records[COMB_IMPORT_DEBIAN]++;
        }
    }
    return 0;
}

int comb_import_debian(comb_import_ctx *c, json_t *root)
{
    if (!json_is_object(root)) {
        comb_import_reject(c, "Debian tracker: not an object");
        return 0;
    }
    const char *pkg;
    json_t *cves;
    json_object_foreach(root, pkg, cves) {
        if (!comb_imp_token_ok(pkg, COMB_IMPORT_MAX_NAME) || !json_is_object(cves)) {
            comb_import_reject(c, "Debian tracker: package \"%.60s\" invalid", pkg);
            continue;
        }
        if (comb_vulndb_savepoint(c->db, 0, c->err))
            return -1;
        const char *last = NULL;
        for (size_t i = 0; i < sizeof releases / sizeof *releases; i++) {
            if (last && !strcmp(last, releases[i].key))
                continue;
            last = releases[i].key;
            if (comb_vulndb_forget_package(c->db, releases[i].key, pkg, SRC, c->err))
                goto fatal;
        }
        const char *id;
        json_t *cve;
        json_object_foreach(cves, id, cve) {
            if (import_cve(c, pkg, id, cve) < 0)
                goto fatal;
        }
        if (comb_vulndb_savepoint(c->db, 1, c->err))
            goto fatal;
    }
    return 0;
fatal:
    comb_vulndb_savepoint(c->db, 2, NULL);
    return -1;
}
