/* image_scan.c - runs the selected scanners over one target. */
#include "scan/image_scan.h"

#include <string.h>

#include "sbom/sbom_import.h"

/* Append the detector's warnings to the result's. */
static comb_code add_warnings(comb_scan_result *r, const char **w, size_t n, comb_err *err)
{
    if (!n)
        return COMB_OK;
    const char **v = comb_arena_calloc(&r->arena, r->nwarnings + n, sizeof *v);
    if (!v)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    if (r->nwarnings)
        memcpy(v, r->warnings, r->nwarnings * sizeof *v);
    memcpy(v + r->nwarnings, w, n * sizeof *v);
    r->warnings = v;
    r->nwarnings += n;
    return COMB_OK;
}

comb_code comb_image_scan(const char *target, const comb_sbom_opts *sopts, comb_vulndb *db,
                          const comb_scan_opts *vopts, const comb_detect_opts *dopts,
                          comb_scan_result **out, comb_err *err)
{
    *out = NULL;
    unsigned scanners = dopts->scanners;
    if (!(scanners & COMB_SCANNER_VULN))
        db = NULL;
    else if (!db)
        return comb_fail(err, COMB_EINVAL, "the vuln scanner needs a vulnerability database");
    unsigned content = scanners & (COMB_SCANNER_SECRET | COMB_SCANNER_MALWARE | COMB_SCANNER_CONFIG);
    const char *skipped = NULL;
    comb_inventory *inv = NULL;
    comb_detector *det = NULL;
    comb_code rc;
    if (comb_scan_target_is_sbom(target)) {
        if (content)
            skipped = "the target is an SBOM: only the vuln scanner applies; secret, malware and "
                      "config scanning skipped";
        content = 0;
        rc = comb_sbom_import(target, &inv, err);
    } else {
        comb_sbom_opts so = sopts ? *sopts : (comb_sbom_opts){ 0 };
        if (content) {
            comb_detect_opts d = *dopts;
            d.scanners = content;
            if ((rc = comb_detector_new(&d, &det, err)) != COMB_OK)
                return rc;
            so.content = comb_detector_hooks(det);
        }
        rc = comb_inventory_build(target, &so, &inv, err);
    }
    if (rc != COMB_OK) {
        comb_detector_free(det);
        return rc;
    }
    comb_scan_result *r = NULL;
    rc = comb_scan_inventory(inv, db, vopts, &r, err); /* takes inv */
    if (rc == COMB_OK) {
        r->scanners = (scanners & COMB_SCANNER_VULN) | content;
        if (det) {
            const char **w;
            size_t nw;
            rc = comb_detector_finish(det, r->inv, &r->arena, &r->detections, &r->ndetections,
                                      &w, &nw, err);
            if (rc == COMB_OK)
                rc = add_warnings(r, w, nw, err);
            r->files_scanned = comb_detector_files_scanned(det);
        }
        if (rc == COMB_OK && vopts && vopts->severities) { /* --severity applies to all */
            size_t k = 0;
            for (size_t i = 0; i < r->ndetections; i++)
                if (vopts->severities & (1u << r->detections[i]->severity))
                    r->detections[k++] = r->detections[i];
            r->ndetections = k;
        }
        if (rc == COMB_OK && skipped)
            rc = add_warnings(r, &skipped, 1, err);
    }
    comb_detector_free(det);
    if (rc != COMB_OK) {
        comb_scan_result_free(r);
        return rc;
    }
    *out = r;
    return COMB_OK;
}
