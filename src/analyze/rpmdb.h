/* rpmdb.h - the three rpm database readers (Berkeley DB hash, NDB, SQLite).
 * Each one finds the header blobs in a database image held in memory and
 * hands them, one at a time, to a callback; none of them decodes headers
 * (rpm_header.c) or emits packages (rpm.c). */
#ifndef COMB_ANALYZE_RPMDB_H
#define COMB_ANALYZE_RPMDB_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"

/* Most header blobs a database may yield; more are ignored with a warning. */
#define RPMDB_MAX_HEADERS 1000000u

/* Called for every header blob. The blob is valid only during the call.
 * A non-OK return stops the walk and is returned by the reader. */
typedef comb_code (*rpmdb_blob_fn)(void *ctx, const uint8_t *blob, size_t len);

/* Walk a database image. Problems confined to one record or page are reported
 * with comb_emit_warn() and skipped; a database that cannot be read at all
 * returns COMB_EFORMAT (or COMB_ENOMEM / COMB_EUNSUPPORTED) with a message. */
comb_code rpmdb_bdb_read(comb_emit *out, const uint8_t *data, size_t len, rpmdb_blob_fn fn,
                         void *ctx, comb_err *err);
comb_code rpmdb_ndb_read(comb_emit *out, const uint8_t *data, size_t len, rpmdb_blob_fn fn,
                         void *ctx, comb_err *err);
comb_code rpmdb_sqlite_read(comb_emit *out, const uint8_t *data, size_t len, rpmdb_blob_fn fn,
                            void *ctx, comb_err *err);

#endif
