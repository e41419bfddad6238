/* scanstore.h - a host's store of image scan results, one file per image:
 * DIR/<algo>-<hex>.json holds the `comb scan -f json` result of the image
 * whose config digest is <algo>:<hex> (the image id the engines show).
 * Written by `comb scan --save DIR` and `comb agent --scan` (temporary file,
 * fsync, rename); read by `comb inventory` for images[].scan.
 */
#ifndef COMB_INVENTORY_SCANSTORE_H
#define COMB_INVENTORY_SCANSTORE_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "vuln/scan.h"

#define COMB_SCANSTORE_DEFAULT "/var/lib/comb/scans"
#define COMB_SCANSTORE_MAX_RESULT (64u << 20) /* one stored result */

/* The file name of a digest ("sha256:<64 hex>", or a bare 64-hex image id,
 * taken as sha256): 0, or -1 when it is not such a digest. */
int comb_scanstore_name(const char *digest, char *out, size_t n);

/* The `comb scan -f json` text of a result (malloc'd, *len bytes). */
comb_code comb_scanstore_json(const comb_scan_result *r, char **text, size_t *len, comb_err *err);

/* Store a `comb scan` JSON result under its target.config_digest. */
comb_code comb_scanstore_save(const char *dir, const char *json, size_t len, comb_err *err);

/* 1 when a result for digest is stored, else 0. */
int comb_scanstore_has(const char *dir, const char *digest);

/* The images[].scan object for digest (docs/INVENTORY.md). db_built: the
 * RFC 3339 build time of the current vulnerability database, or NULL when
 * unknown (a result is then never called stale). A missing result is
 * {"status":"not_scanned"}; an unreadable or corrupt one is an error naming
 * the file (and *out is NULL). */
comb_code comb_scanstore_status(const char *dir, const char *digest, const char *db_built, json_t **out,
                                comb_err *err);

#endif
