/* store_sqlite.c - the store's SQLite driver (see store_driver.h): WAL,
 * synchronous=FULL (a commit is on disk when it returns), and a small cache
 * of prepared statements per connection, keyed by the address of the
 * statement's text (store.c's queries are constants). */
#include "server/store_driver.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 24

typedef struct sqlite_conn {
    sqlite3 *h;
    char label[512];
    struct { const char *sql; sqlite3_stmt *st; } cache[STMT_CACHE];
} sqlite_conn;

static void sqlite_disconnect(void *p)
{
    sqlite_conn *c = p;
    if (!c)
        return;
    for (int i = 0; i < STMT_CACHE; i++)
        sqlite3_finalize(c->cache[i].st);
    sqlite3_close(c->h);
    free(c);
}

static void *sqlite_connect(const char *path, const char *label, comb_err *err)
{
    sqlite_conn *c = calloc(1, sizeof *c);
    if (!c) {
        comb_fail(err, COMB_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(c->label, sizeof c->label, "%s", label);
    if (sqlite3_open_v2(path, &c->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_busy_timeout(c->h, 10000) != SQLITE_OK ||
        sqlite3_exec(c->h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL, NULL,
                     NULL) != SQLITE_OK) {
        comb_fail(err, COMB_EIO, "SQLite %s: %s", label, c->h ? sqlite3_errmsg(c->h) : "cannot open");
        sqlite_disconnect(c);
        return NULL;
    }
    return c;
}

/* The cached statement for sql, reset and unbound; NULL on a syntax error. */
static sqlite3_stmt *prepared(sqlite_conn *c, const char *sql)
{
    int free_slot = -1;
    for (int i = 0; i < STMT_CACHE; i++) {
        if (c->cache[i].sql == sql) {
            sqlite3_reset(c->cache[i].st);
            sqlite3_clear_bindings(c->cache[i].st);
            return c->cache[i].st;
        }
        if (!c->cache[i].sql && free_slot < 0)
            free_slot = i;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return NULL;
    if (free_slot >= 0) {
        c->cache[free_slot].sql = sql;
        c->cache[free_slot].st = st;
    }
    return st;
}

static int cached(sqlite_conn *c, sqlite3_stmt *st)
{
    for (int i = 0; i < STMT_CACHE; i++)
        if (c->cache[i].st == st)
            return 1;
    return 0;
}

static comb_code sqlite_query(void *p, const char *sql, const store_val *params, int n, store_row_fn fn, void *ud,
                              comb_err *err)
{
    sqlite_conn *c = p;
    sqlite3_stmt *st = prepared(c, sql);
    if (!st)
        return comb_fail(err, COMB_EIO, "SQLite %s: %s", c->label, sqlite3_errmsg(c->h));
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "$%d", i + 1);
        int at = sqlite3_bind_parameter_index(st, name);
        if (!at)
            continue;
        if (params[i].type == STORE_TEXT)
            sqlite3_bind_text(st, at, params[i].s ? params[i].s : "", (int)params[i].len, SQLITE_STATIC);
        else if (params[i].type == STORE_INT)
            sqlite3_bind_int64(st, at, params[i].i);
        else
            sqlite3_bind_null(st, at);
    }
    int rc, ncols = sqlite3_column_count(st), stop = 0;
    const char *cols[16];
    if (ncols > 16)
        ncols = 16;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < ncols; i++)
            cols[i] = (const char *)sqlite3_column_text(st, i);
        stop = fn && fn(ud, ncols, cols);
    }
    comb_code out = COMB_OK;
    if (!stop && rc != SQLITE_DONE)
        out = comb_fail(err, COMB_EIO, "SQLite %s: %s", c->label, sqlite3_errmsg(c->h));
    if (cached(c, st)) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st); /* the text parameters are the caller's */
    } else {
        sqlite3_finalize(st);
    }
    return out;
}

static comb_code sqlite_script(void *p, const char *sql, comb_err *err)
{
    sqlite_conn *c = p;
    char *msg = NULL;
    if (sqlite3_exec(c->h, sql, NULL, NULL, &msg) == SQLITE_OK)
        return COMB_OK;
    comb_fail(err, COMB_EIO, "SQLite %s: %s", c->label, msg ? msg : sqlite3_errmsg(c->h));
    sqlite3_free(msg);
    return COMB_EIO;
}

const store_driver comb_store_sqlite = {
    .name = "SQLite",
    .migration_begin = "BEGIN IMMEDIATE",
    .groups_commits = 0,
    .pool = 6, /* readers: WAL lets them run beside the writer */
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .query = sqlite_query,
    .script = sqlite_script,
};
