/* lookups.c - lookups per second against a comb vulnerability database:
 * samples (ecosystem, package) pairs that exist in the database, plus as
 * many that do not (most packages of an image have no advisory), and times
 * comb_vulndb_lookup() over them. Used by bench/scan.sh.
 *   usage: bench_lookups DB [SECONDS] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vuln/vulndb.h"

#define MAXPAIRS 20000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count(void *ud, const comb_affected *a)
{
    (void)a;
    (*(unsigned long *)ud)++;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DB [SECONDS]\n", argv[0]);
        return 2;
    }
    double secs = argc > 2 ? atof(argv[2]) : 2.0;
    static char eco[MAXPAIRS][64], pkg[MAXPAIRS][256];
    size_t n = 0;
    sqlite3 *h;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(argv[1], &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h, "SELECT DISTINCT ecosystem, package FROM affected ORDER BY random() LIMIT 10000",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], sqlite3_errmsg(h));
        return 1;
    }
    while (sqlite3_step(st) == SQLITE_ROW && n < MAXPAIRS / 2) {
        snprintf(eco[n], sizeof eco[n], "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(pkg[n], sizeof pkg[n], "%s", (const char *)sqlite3_column_text(st, 1));
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    size_t hits = n;
    for (size_t i = 0; i < hits; i++, n++) { /* misses: the same ecosystems, other names */
        memcpy(eco[n], eco[i], sizeof eco[n]);
        snprintf(pkg[n], sizeof pkg[n], "no-such-package-%zu", i);
    }
    comb_vulndb *db;
    comb_err err;
    if (comb_vulndb_open(argv[1], 0, &db, &err) != COMB_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    unsigned long lookups = 0, records = 0;
    double t0 = now(), t = t0;
    while (n && t - t0 < secs) {
        for (size_t i = 0; i < n; i++) {
            comb_vulndb_lookup(db, eco[i], pkg[i], count, &records, &err);
            lookups++;
        }
        t = now();
    }
    comb_vulndb_close(db);
    printf("%.0f lookups/s (%lu lookups, %zu distinct pairs, half without advisories, %lu records)\n",
           (double)lookups / (t - t0), lookups, n, records);
    return 0;
}
