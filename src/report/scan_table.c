/* scan_table.c - the human-readable scan result: the target, then one
 * table per package type (OS packages first) with a row per finding, then
 * counts by severity. Colours only when the caller says it is a terminal.
 * Also the scan format names and the dispatch to the reporters. */
#include <string.h>

#include "report/scan_report.h"
#include "report/scan_detect.h"

comb_code comb_scan_format_parse(const char *s, comb_scan_format *out, comb_err *err)
{
    static const struct { const char *name; comb_scan_format f; } names[] = {
        { "table", COMB_SFMT_TABLE },         { "json", COMB_SFMT_JSON },
        { "sarif", COMB_SFMT_SARIF },         { "cyclonedx", COMB_SFMT_CYCLONEDX },
        { "cyclonedx-json", COMB_SFMT_CYCLONEDX }, { "openvex", COMB_SFMT_OPENVEX },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i].name)) {
            *out = names[i].f;
            return COMB_OK;
        }
    return comb_fail(err, COMB_EINVAL,
                     "unknown format \"%s\" (expected table, json, sarif, cyclonedx or openvex)", s);
}

comb_code comb_report_scan_write(const comb_scan_result *r, comb_scan_format fmt,
                                 const comb_report_opts *o, FILE *out, comb_err *err)
{
    comb_report_opts def = { 0 };
    if (!o)
        o = &def;
    comb_code (*fn)(const comb_scan_result *, const comb_report_opts *, FILE *, comb_err *) = NULL;
    switch (fmt) {
    case COMB_SFMT_TABLE: fn = comb_report_scan_table; break;
    case COMB_SFMT_JSON: fn = comb_report_scan_json; break;
    case COMB_SFMT_SARIF: fn = comb_report_scan_sarif; break;
    case COMB_SFMT_CYCLONEDX: fn = comb_report_scan_cyclonedx; break;
    case COMB_SFMT_OPENVEX: fn = comb_report_scan_openvex; break;
    }
    if (!fn)
        return comb_fail(err, COMB_EINVAL, "unknown scan format");
    comb_code rc = fn(r, o, out, err);
    if (rc == COMB_OK && (fflush(out) != 0 || ferror(out)))
        rc = comb_fail(err, COMB_EIO, "writing the report failed");
    return rc;
}

#define BOLD(o) ((o)->color ? "\033[1m" : "")
#define DIM(o) ((o)->color ? "\033[2m" : "")
#define RESET(o) ((o)->color ? "\033[0m" : "")

const char *comb_report_severity_color(const comb_report_opts *o, comb_severity s)
{
    if (!o->color)
        return "";
    switch (s) {
    case COMB_SEV_CRITICAL: return "\033[1;31m";
    case COMB_SEV_HIGH: return "\033[31m";
    case COMB_SEV_MEDIUM: return "\033[33m";
    case COMB_SEV_LOW: return "\033[34m";
    default: return "\033[2m";
    }
}

static const char *state_name(comb_fix_state s)
{
    switch (s) {
    case COMB_FIX_FIXED: return "fixed";
    case COMB_FIX_NOT_FIXED: return "no fix yet";
    case COMB_FIX_WONT_FIX: return "will not fix";
    default: return "unknown";
    }
}

static int slen(const char *s, int max)
{
    int n = s ? (int)strlen(s) : 1;
    return n > max ? max : n;
}

static void fixed_str(const comb_finding *f, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < f->nfixed && used + 1 < n; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", f->fixed_versions[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

comb_code comb_report_scan_table(const comb_scan_result *r, const comb_report_opts *o, FILE *out,
                                 comb_err *err)
{
    (void)err;
    const comb_inventory *inv = r->inv;
    fprintf(out, "%s%s%s", BOLD(o), inv && inv->image.target ? inv->image.target : "", RESET(o));
    if (inv && inv->image.source_kind)
        fprintf(out, " (%s%s%s)", inv->image.source_kind, inv->image.name ? ", " : "",
                inv->image.name ? inv->image.name : "");
    fputc('\n', out);
    if (inv && inv->os.id)
        fprintf(out, "OS: %s\n", inv->os.pretty_name ? inv->os.pretty_name : inv->os.id);
    if (r->db_path || r->db_built)
        fprintf(out, "Database: %s%s%s%s\n", r->db_path ? r->db_path : "",
                r->db_built ? " (built " : "", r->db_built ? r->db_built : "",
                r->db_built ? (r->db_stale ? ", older than 7 days)" : ")") : "");
    size_t counts[COMB_SEV_CRITICAL + 1] = { 0 }, suppressed = 0, shown = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        const comb_finding *f = r->findings[i];
        if (f->suppressed)
            suppressed++;
        else if ((unsigned)f->severity <= COMB_SEV_CRITICAL)
            counts[f->severity]++;
    }
    /* groups: packages by type; Go, Cargo and Composer packages by type and
     * the file they were found in (one Go binary, one lock file) */
    for (int t = 0; t < COMB_PKG_TYPE_COUNT; t++) {
        /* by_file: one group per Go binary / lock file; else one per type */
        int os_type = !(t == COMB_PKG_GO || t == COMB_PKG_GO_STDLIB || t == COMB_PKG_CARGO ||
                        t == COMB_PKG_COMPOSER);
        for (size_t g = 0; g < r->nfindings; g++) {
            const comb_finding *gf = r->findings[g];
            if ((int)gf->pkg->type != t || gf->suppressed)
                continue;
            const char *loc = os_type ? NULL : (gf->pkg->found_in ? gf->pkg->found_in : "");
            /* first finding of its group? */
            int first = 1;
            for (size_t e = 0; e < g && first; e++) {
                const comb_finding *ef = r->findings[e];
                if ((int)ef->pkg->type == t && !ef->suppressed &&
                    (os_type || !strcmp(ef->pkg->found_in ? ef->pkg->found_in : "", loc)))
                    first = 0;
            }
            if (!first)
                continue;
            int wp = 7, wv = 13, wi = 9, wf = 5;
            size_t n = 0;
            for (size_t i = g; i < r->nfindings; i++) {
                const comb_finding *f = r->findings[i];
                if ((int)f->pkg->type != t || f->suppressed ||
                    (!os_type && strcmp(f->pkg->found_in ? f->pkg->found_in : "", loc)))
                    continue;
                n++;
                char fx[256];
                fixed_str(f, fx, sizeof fx);
                int a = slen(f->pkg->name, 40), b = slen(f->vuln_id, 24),
                    c = slen(f->pkg->version, 32), d = slen(fx, 40);
                if (a > wp) wp = a;
                if (b > wv) wv = b;
                if (c > wi) wi = c;
                if (d > wf) wf = d;
            }
            shown += n;
            fprintf(out, "\n%s%s%s%s%s (%zu)\n", BOLD(o), comb_pkg_type_name((comb_pkg_type)t),
                    loc && *loc ? " " : "", loc ? loc : "", RESET(o), n);
            fprintf(out, "%s%-*s  %-*s  %-10s  %-12s  %-*s  %-*s  %s%s\n", BOLD(o), wp, "PACKAGE",
                    wv, "VULNERABILITY", "SEVERITY", "STATUS", wi, "INSTALLED", wf, "FIXED",
                    "TITLE", RESET(o));
            for (size_t i = g; i < r->nfindings; i++) {
                const comb_finding *f = r->findings[i];
                if ((int)f->pkg->type != t || f->suppressed ||
                    (!os_type && strcmp(f->pkg->found_in ? f->pkg->found_in : "", loc)))
                    continue;
                char fx[256];
                fixed_str(f, fx, sizeof fx);
                const char *title = f->title ? f->title : f->url ? f->url : "";
                fprintf(out, "%-*.*s  %-*.*s  %s%-10s%s  %-12s  %-*.*s  %-*.*s  %s%.80s%s\n", wp,
                        40, f->pkg->name, wv, 24, f->vuln_id, comb_report_severity_color(o, f->severity),
                        comb_severity_name(f->severity), RESET(o), state_name(f->state), wi, 32,
                        f->pkg->version ? f->pkg->version : "-", wf, 40, fx[0] ? fx : "-",
                        DIM(o), title, RESET(o));
            }
        }
    }
    if (!(r->scanners & COMB_SCANNER_VULN) && r->scanners) {
        scan_table_detections(r, o, out); /* vulnerabilities were not scanned */
        return COMB_OK;
    }
    if (!shown)
        fputs("\nNo vulnerabilities found.\n", out);
    fprintf(out, "\nVulnerabilities: %zu (CRITICAL: %zu, HIGH: %zu, MEDIUM: %zu, LOW: %zu, NEGLIGIBLE: %zu, "
                 "UNKNOWN: %zu)",
            shown, counts[COMB_SEV_CRITICAL], counts[COMB_SEV_HIGH], counts[COMB_SEV_MEDIUM],
            counts[COMB_SEV_LOW], counts[COMB_SEV_NEGLIGIBLE], counts[COMB_SEV_UNKNOWN]);
    if (suppressed)
        fprintf(out, ", %zu suppressed by --ignore/--vex", suppressed);
    fputc('\n', out);
    scan_table_detections(r, o, out);
    return COMB_OK;
}
