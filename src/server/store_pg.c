/* store_pg.c - the store's PostgreSQL driver (see store_driver.h), over
 * libpq: parameters are sent apart from the statement (PQexecParams; text
 * as binary-format text, integers as int8), results are read as text. A
 * connection the server lost is reset once before a statement. */
#include "server/store_driver.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXTOID 25
#define INT8OID 20
#define MAX_PARAMS 16
#define MAX_COLS 16

#define STMT_CACHE 24

/* Statements are prepared once per connection (parsed and planned once),
 * keyed by the address of their text: store.c's queries are constants. */
typedef struct pg_conn {
    PGconn *h;
    char label[512];
    const char *prepared[STMT_CACHE];
    int nprepared;
} pg_conn;

/* libpq's messages end in a newline; errors read better without it. */
static const char *pg_msg(PGconn *h)
{
    static __thread char buf[512];
    snprintf(buf, sizeof buf, "%s", h ? PQerrorMessage(h) : "out of memory");
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

static void pg_disconnect(void *p)
{
    pg_conn *c = p;
    if (!c)
        return;
    PQfinish(c->h);
    free(c);
}

static void *pg_connect(const char *conninfo, const char *label, comb_err *err)
{
    pg_conn *c = calloc(1, sizeof *c);
    if (!c) {
        comb_fail(err, COMB_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(c->label, sizeof c->label, "%s", label);
    /* a server that does not answer fails the start in 10 s, not the TCP
     * timeout's minutes; a connect_timeout in conninfo overrides it */
    const char *const keys[] = { "connect_timeout", "dbname", NULL };
    const char *const vals[] = { "10", conninfo, NULL };
    c->h = PQconnectdbParams(keys, vals, 1);
    if (!c->h || PQstatus(c->h) != CONNECTION_OK) {
        comb_fail(err, COMB_EIO, "PostgreSQL %s: %s", label, pg_msg(c->h));
        pg_disconnect(c);
        return NULL;
    }
    PQclear(PQexec(c->h, "SET client_min_messages = warning")); /* no NOTICEs on stderr */
    return c;
}

static comb_code fail_result(pg_conn *c, const PGresult *r, comb_err *err)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", r ? PQresultErrorMessage(r) : pg_msg(c->h));
    msg[strcspn(msg, "\n")] = '\0';
    return comb_fail(err, COMB_EIO, "PostgreSQL %s: %s", c->label, msg);
}

static int alive(pg_conn *c)
{
    if (PQstatus(c->h) == CONNECTION_OK)
        return 1;
    PQreset(c->h);
    c->nprepared = 0; /* a new session has none */
    return PQstatus(c->h) == CONNECTION_OK;
}

/* The name of sql's prepared statement ("" when the cache is full: then
 * the statement is sent unprepared). */
static int prepared(pg_conn *c, const char *sql, int n, const Oid *types, char name[16])
{
    for (int i = 0; i < c->nprepared; i++)
        if (c->prepared[i] == sql) {
            snprintf(name, 16, "comb%d", i);
            return 1;
        }
    if (c->nprepared == STMT_CACHE)
        return 0;
    snprintf(name, 16, "comb%d", c->nprepared);
    PGresult *r = PQprepare(c->h, name, sql, n, types);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (ok)
        c->prepared[c->nprepared++] = sql;
    return ok;
}

static int succeeded(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static PGresult *attempt(pg_conn *c, const char *sql, int n, const Oid *types, const char *const *values,
                         const int *lens, const int *formats)
{
    char name[16];
    return prepared(c, sql, n, types, name) ? PQexecPrepared(c->h, name, n, values, lens, formats, 0)
                                            : PQexecParams(c->h, sql, n, types, values, lens, formats, 0);
}

static comb_code pg_query(void *p, const char *sql, const store_val *params, int n, store_row_fn fn, void *ud,
                          comb_err *err)
{
    pg_conn *c = p;
    Oid types[MAX_PARAMS];
    const char *values[MAX_PARAMS];
    int lens[MAX_PARAMS], formats[MAX_PARAMS];
    char ints[MAX_PARAMS][24];
    if (n > MAX_PARAMS)
        return comb_fail(err, COMB_EINVAL, "PostgreSQL %s: too many parameters", c->label);
    for (int i = 0; i < n; i++) {
        types[i] = params[i].type == STORE_INT ? INT8OID : TEXTOID;
        formats[i] = params[i].type == STORE_TEXT; /* binary text: the bytes as they are, no NUL needed */
        lens[i] = params[i].type == STORE_TEXT ? (int)params[i].len : 0;
        values[i] = NULL;
        if (params[i].type == STORE_TEXT) {
            values[i] = params[i].s ? params[i].s : "";
        } else if (params[i].type == STORE_INT) {
            snprintf(ints[i], sizeof ints[i], "%lld", (long long)params[i].i);
            values[i] = ints[i];
        }
    }
    if (!alive(c))
        return comb_fail(err, COMB_EIO, "PostgreSQL %s: %s", c->label, pg_msg(c->h));
    int idle = PQtransactionStatus(c->h) == PQTRANS_IDLE;
    PGresult *r = attempt(c, sql, n, types, values, lens, formats);
    if (!succeeded(r) && idle && PQstatus(c->h) == CONNECTION_BAD) {
        /* the server went away (a restart, a fail-over) since this
         * connection's last statement, and none of a transaction is lost:
         * once more, on a new connection */
        PQclear(r);
        r = alive(c) ? attempt(c, sql, n, types, values, lens, formats) : NULL;
    }
    if (!succeeded(r)) {
        fail_result(c, r, err);
        PQclear(r);
        return COMB_EIO;
    }
    int rows = PQntuples(r), ncols = PQnfields(r);
    const char *cols[MAX_COLS];
    if (ncols > MAX_COLS)
        ncols = MAX_COLS;
    for (int row = 0; fn && row < rows; row++) {
        for (int i = 0; i < ncols; i++)
            cols[i] = PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i);
        if (fn(ud, ncols, cols))
            break;
    }
    PQclear(r);
    return COMB_OK;
}

static comb_code pg_script(void *p, const char *sql, comb_err *err)
{
    pg_conn *c = p;
    if (!alive(c))
        return comb_fail(err, COMB_EIO, "PostgreSQL %s: %s", c->label, pg_msg(c->h));
    int idle = PQtransactionStatus(c->h) == PQTRANS_IDLE;
    PGresult *r = PQexec(c->h, sql);
    if (!succeeded(r) && idle && PQstatus(c->h) == CONNECTION_BAD) {
        PQclear(r); /* as in pg_query */
        r = alive(c) ? PQexec(c->h, sql) : NULL;
    }
    comb_code out = COMB_OK;
    if (!succeeded(r))
        out = fail_result(c, r, err);
    PQclear(r);
    return out;
}

const store_driver comb_store_pg = {
    .name = "PostgreSQL",
    /* one lock number for comb's migrations, held to the transaction's end */
    .migration_begin = "BEGIN; SELECT pg_advisory_xact_lock(7236837636454932992)",
    .groups_commits = 1,
    .pool = 16, /* one per request the server runs at once, about */
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .query = pg_query,
    .script = pg_script,
};
