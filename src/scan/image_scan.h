/* image_scan.h - `comb scan` as a whole: one walk over the image feeds the
 * package analyzers (sbom/) and the content scanners (detect/); then the
 * packages are matched against the vulnerability database (vuln/) and the
 * image-level checks run. The one entry point the CLI calls.
 */
#ifndef COMB_SCAN_IMAGE_SCAN_H
#define COMB_SCAN_IMAGE_SCAN_H

#include "detect/detect.h"
#include "sbom/inventory.h"
#include "vuln/scan.h"

/* db: required when dopts->scanners has COMB_SCANNER_VULN, else ignored.
 * An SBOM file as target allows the vuln scanner only (the others need
 * file contents): they are skipped with a warning. */
comb_code comb_image_scan(const char *target, const comb_sbom_opts *sopts, comb_vulndb *db,
                          const comb_scan_opts *vopts, const comb_detect_opts *dopts,
                          comb_scan_result **out, comb_err *err);

#endif
