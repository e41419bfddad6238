/* rpmdb_sqlite.c - read header blobs from rpm's SQLite "rpmdb.sqlite".
 *
 * Format: an SQLite 3 database (rpm >= 4.16, lib/backend/sqlite.c) whose
 * table Packages(hnum INTEGER PRIMARY KEY, blob BLOB) holds one header blob
 * per row. The image is opened from memory with sqlite3_deserialize() on a
 * private copy, read-only. rpm leaves the file in WAL mode (header bytes 18
 * and 19 == 2), which an in-memory database cannot open, so the copy is
 * patched to rollback-journal mode (1) first; committed data not yet
 * checkpointed from an -wal file is not seen (the WAL is a separate file).
 *
 * The image is untrusted: Packages must be an ordinary table (not a view or
 * virtual table whose evaluation could be costly), the schema is not trusted,
 * blob length is limited and a progress handler bounds the work. What it does
 * not: read the index tables, the -wal file, or anything but hnum and blob.
 */
#include "analyze/rpmdb.h"
#include "analyze/rpm_header.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define SQLITE_HDR "SQLite format 3"
#define MAX_PROGRESS_CALLS 200000 /* x 1000 VM instructions */

static int progress(void *arg)
{
    unsigned *calls = arg;
    return ++*calls > MAX_PROGRESS_CALLS; /* non-zero interrupts */
}

comb_code rpmdb_sqlite_read(comb_emit *out, const uint8_t *data, size_t len, rpmdb_blob_fn fn,
                            void *ctx, comb_err *err)
{
    if (!data || len < 100 || memcmp(data, SQLITE_HDR, sizeof SQLITE_HDR) != 0)
        return comb_fail(err, COMB_EFORMAT, "not an SQLite database (bad header)");
    if ((uint64_t)len > (uint64_t)INT64_MAX)
        return comb_fail(err, COMB_ELIMIT, "SQLite: database too large");

    unsigned char *copy = sqlite3_malloc64(len);
    if (!copy)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    memcpy(copy, data, len);
    if (copy[18] == 2)
        copy[18] = 1;
    if (copy[19] == 2)
        copy[19] = 1;

    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    comb_code rc = COMB_OK;
    unsigned calls = 0;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = comb_fail(err, db ? COMB_EFORMAT : COMB_ENOMEM, "SQLite: cannot open: %s",
                       db ? sqlite3_errmsg(db) : "out of memory");
        goto done;
    }
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, (int)(RPM_HDR_MAX_BLOB + (1u << 20)));
    sqlite3_progress_handler(db, 1000, progress, &calls);
    if (sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
                            SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
        rc = comb_fail(err, COMB_EFORMAT, "SQLite: cannot load: %s", sqlite3_errmsg(db));
        goto done;
    }
    sqlite3_exec(db, "PRAGMA cell_size_check=ON", NULL, NULL, NULL);

    /* Packages must be a real table (rootpage > 0; views and virtual tables
     * have rootpage 0). */
    if (sqlite3_prepare_v2(db,
                           "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND "
                           "name = 'Packages'",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = comb_fail(err, COMB_EFORMAT, "SQLite: cannot read the schema: %s",
                       sqlite3_errmsg(db));
        goto done;
    }
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW || sqlite3_column_int64(st, 0) <= 0) {
        rc = comb_fail(err, COMB_EFORMAT, "SQLite: %s",
                       step == SQLITE_ROW || step == SQLITE_DONE
                           ? "no table Packages"
                           : sqlite3_errmsg(db));
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;

    if (sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages", -1, &st, NULL) != SQLITE_OK) {
        rc = comb_fail(err, COMB_EFORMAT, "SQLite: cannot query Packages: %s",
                       sqlite3_errmsg(db));
        goto done;
    }
    size_t rows = 0, skipped = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rows++;
        if (sqlite3_column_type(st, 1) != SQLITE_BLOB) {
            skipped++;
            continue;
        }
        const void *blob = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1);
        if (!blob || n <= 0) {
            skipped++;
            continue;
        }
        rc = fn(ctx, blob, (size_t)n);
        if (rc != COMB_OK)
            goto done;
    }
    if (skipped)
        comb_emit_warn(out, "SQLite: %zu rows of Packages without a blob, skipped", skipped);
    if (step != SQLITE_DONE) {
        if (rows == 0)
            rc = comb_fail(err, COMB_EFORMAT, "SQLite: cannot read Packages: %s",
                           sqlite3_errmsg(db));
        else
            comb_emit_warn(out, "SQLite: reading Packages stopped after %zu rows: %s", rows,
                           sqlite3_errmsg(db));
    }
done:
    sqlite3_finalize(st);
    sqlite3_close(db);
    sqlite3_free(copy);
    return rc;
}
