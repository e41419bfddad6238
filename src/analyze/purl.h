/* purl.h - Package URLs (github.com/package-url/purl-spec) for inventory
 * packages: pkg:type/namespace/name@version?qualifiers, with the spec's
 * per-type rules (PyPI names lowercased with '-' for '_', npm scopes as
 * namespaces, Go module paths split at the last '/', distro qualifiers for
 * OS packages). */
#ifndef COMB_ANALYZE_PURL_H
#define COMB_ANALYZE_PURL_H

#include "analyze/package.h"
#include "core/arena.h"

/* NULL when the package has no name or memory runs out. os may be NULL. */
const char *comb_purl(comb_arena *a, const comb_pkg *p, const comb_os *os);

#endif
