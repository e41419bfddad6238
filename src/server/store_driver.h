/* store_driver.h - what the server's store (store.c) needs from a database:
 * connect, run one statement with $1..$n parameters and read its rows as
 * text, run a migration script. SQLite (store_sqlite.c) and PostgreSQL
 * through libpq (store_pg.c) implement it; the queries and migrations are
 * written once, in store.c. Internal to server/. */
#ifndef COMB_SERVER_STORE_DRIVER_H
#define COMB_SERVER_STORE_DRIVER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/error.h"

typedef enum store_type { STORE_NULL = 0, STORE_TEXT, STORE_INT } store_type;

/* A parameter: text of len bytes (need not end in NUL), or an integer. */
typedef struct store_val {
    store_type type;
    const char *s;
    size_t len;
    int64_t i;
} store_val;

static inline store_val SV_TEXTN(const char *s, size_t n)
{
    return (store_val){ STORE_TEXT, s, n, 0 };
}
static inline store_val SV_TEXT(const char *s)
{
    return SV_TEXTN(s, strlen(s));
}
/* NULL for a NULL string */
static inline store_val SV_OPT(const char *s)
{
    return s ? SV_TEXT(s) : (store_val){ STORE_NULL, NULL, 0, 0 };
}
static inline store_val SV_INT(int64_t v)
{
    return (store_val){ STORE_INT, NULL, 0, v };
}

/* Called with each result row: cols[i] is NULL for an SQL NULL. A nonzero
 * return stops reading (the statement still succeeds). */
typedef int (*store_row_fn)(void *ud, int ncols, const char *const *cols);

typedef struct store_driver {
    const char *name; /* "SQLite" or "PostgreSQL" */
    /* starts a transaction no other server (process or replica) can run a
     * migration beside: SQLite's write lock, PostgreSQL's advisory lock */
    const char *migration_begin;
    /* the database itself shares one disk flush among concurrent commits
     * (PostgreSQL's WAL): writes then run in parallel on pooled connections;
     * otherwise (SQLite: one writer at a time) store_commit.c's writer
     * thread groups them */
    int groups_commits;
    int pool; /* connections besides the writer's, at most STORE_POOL_MAX */
    /* label: what errors name (a path, or a URL without the password) */
    void *(*connect)(const char *target, const char *label, comb_err *err);
    void (*disconnect)(void *conn);
    comb_code (*query)(void *conn, const char *sql, const store_val *params, int nparams, store_row_fn fn,
                       void *ud, comb_err *err);
    comb_code (*script)(void *conn, const char *sql, comb_err *err); /* statements, no parameters */
} store_driver;

extern const store_driver comb_store_sqlite;
extern const store_driver comb_store_pg;

#endif
