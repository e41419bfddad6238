/* fuzz_import.h - the shared body of the importer fuzz targets: the input
 * (after a first byte that picks YAML when odd) is imported into an
 * in-memory database, once forced to the target's format and once with
 * format detection. Aborts when the import fails for anything but a
 * database error, when an error comes without a message, or when the input
 * buffer is modified. Each input is rolled back, so the database stays
 * small. */
#ifndef COMB_FUZZ_IMPORT_H
#define COMB_FUZZ_IMPORT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/import/import.h"

static comb_vulndb *db;

static int noop_lookup(void *ud, const comb_affected *a)
{
    size_t *n = ud;
    for (size_t i = 0; i < a->nevents; i++)
        if (!a->events[i].version)
            abort();
    (*n)++;
    return 0;
}

/* Import `data` (after its first byte) as `kind` and with detection. */
static void fuzz_import(comb_import_kind kind, int allow_yaml, const uint8_t *data, size_t size)
{
    comb_err err;
    comb_err_clear(&err);
    if (!db && comb_vulndb_open(":memory:", 1, &db, &err) != COMB_OK)
        abort();
    if (size < 1)
        return;
    int yaml = allow_yaml && (data[0] & 1);
    uint8_t *copy = malloc(size - 1 ? size - 1 : 1);
    if (!copy)
        return;
    memcpy(copy, data + 1, size - 1);
    const comb_import_kind kinds[2] = { kind, COMB_IMPORT_AUTO };
    for (int k = 0; k < 2; k++) {
        if (comb_vulndb_begin(db, &err) != COMB_OK)
            abort();
        comb_import_stats st;
        memset(&st, 0, sizeof st);
        comb_code rc = comb_import_buffer(db, "fuzz", copy, size - 1, yaml, kinds[k], NULL, &st,
                                          &err);
        if (rc != COMB_OK)
            abort(); /* only database failures may fail an import */
        if (memcmp(copy, data + 1, size - 1) != 0)
            abort();
        size_t n = 0;
        static const char *const probes[][2] = {
            { "alpine:3.10", "x" }, { "debian:12", "x" }, { "npm", "x" }, { "pypi", "x" },
        };
        for (size_t i = 0; i < sizeof probes / sizeof *probes; i++)
            if (comb_vulndb_lookup(db, probes[i][0], probes[i][1], noop_lookup, &n, &err))
                abort();
        comb_vulndb_rollback(db);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
