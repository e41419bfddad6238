/* sbom_import.h - read an existing CycloneDX 1.x or SPDX 2.3 JSON SBOM back
 * into a comb_inventory, so that `comb scan` can match it: every component /
 * package with a purl becomes a package (type, namespace, name, version and
 * the qualifiers distro, epoch, arch, upstream); the operating system comes
 * from a CycloneDX "operating-system" component or the purls' distro
 * qualifier. Components without a purl are skipped (counted in a warning). */
#ifndef COMB_SBOM_SBOM_IMPORT_H
#define COMB_SBOM_SBOM_IMPORT_H

#include "core/arena.h"
#include "sbom/inventory.h"

typedef struct comb_purl_parts {
    const char *type, *namespace_, *name, *version, *subpath;
    const char *qualifier_keys[16], *qualifier_values[16];
    size_t nqualifiers;
} comb_purl_parts;

/* Parse "pkg:type/namespace/name@version?k=v&...#subpath" (percent-decoded
 * components, type lower-cased). 0 on success, -1 when malformed. */
int comb_purl_parse(comb_arena *a, const char *purl, comb_purl_parts *out);
const char *comb_purl_qualifier(const comb_purl_parts *p, const char *key);

/* Read a CycloneDX or SPDX JSON SBOM file. */
comb_code comb_sbom_import(const char *path, comb_inventory **out, comb_err *err);

#endif
