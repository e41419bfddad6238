/* store.c - the server's store (see store.h): connections, migrations and
 * the queries, written once with $1..$n parameters for both drivers
 * (store_sqlite.c, store_pg.c). Records and audit rows go through the
 * group commit (store_commit.c). */
#include "server/store_internal.h"

#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/digest.h"
#include "core/pwhash.h"

/* Each migration runs once, in order, in its own transaction; the same
 * numbers on both databases (pg: NULL when the text is the same). */
static const struct { const char *sqlite, *pg; } migrations[] = {
    /* 1: users, tokens, records, audit */
    { "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, pwhash TEXT NOT NULL,"
      "  created INTEGER NOT NULL);"
      "CREATE TABLE tokens (digest TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL,"
      "  expires INTEGER NOT NULL);"
      "CREATE TABLE records (id INTEGER PRIMARY KEY AUTOINCREMENT, node TEXT NOT NULL,"
      "  kind TEXT NOT NULL, received INTEGER NOT NULL, body TEXT NOT NULL);"
      "CREATE INDEX records_node_kind ON records (node, kind, id);"
      "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,"
      "  user TEXT, client TEXT, method TEXT, path TEXT, status INTEGER);",
      "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, pwhash TEXT NOT NULL,"
      "  created BIGINT NOT NULL);"
      "CREATE TABLE tokens (digest TEXT PRIMARY KEY, \"user\" TEXT NOT NULL, role TEXT NOT NULL,"
      "  expires BIGINT NOT NULL);"
      "CREATE TABLE records (id BIGSERIAL PRIMARY KEY, node TEXT NOT NULL,"
      "  kind TEXT NOT NULL, received BIGINT NOT NULL, body TEXT NOT NULL);"
      "CREATE INDEX records_node_kind ON records (node, kind, id);"
      "CREATE TABLE audit (id BIGSERIAL PRIMARY KEY, time BIGINT NOT NULL,"
      "  \"user\" TEXT, client TEXT, method TEXT, path TEXT, status INTEGER);" },
    /* 2: the sender's record id, so a record resent after a lost answer is stored once */
    { "ALTER TABLE records ADD COLUMN rid TEXT;"
      "CREATE UNIQUE INDEX records_rid ON records (node, rid) WHERE rid IS NOT NULL;",
      NULL },
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof *migrations))

comb_role comb_role_parse(const char *s)
{
    if (!s)
        return COMB_ROLE_NONE;
    if (!strcmp(s, "viewer"))
        return COMB_ROLE_VIEWER;
    if (!strcmp(s, "operator"))
        return COMB_ROLE_OPERATOR;
    if (!strcmp(s, "admin"))
        return COMB_ROLE_ADMIN;
    return COMB_ROLE_NONE;
}

const char *comb_role_name(comb_role r)
{
    static const char *const n[] = { "none", "viewer", "operator", "admin" };
    return r <= COMB_ROLE_ADMIN ? n[r] : "none";
}

const char *comb_store_backend(const comb_store_db *s)
{
    return s->drv->name;
}

const char *comb_store_label(const comb_store_db *s)
{
    return s->label;
}

static int64_t col_int(const char *c)
{
    return c ? strtoll(c, NULL, 10) : 0;
}

/* ---- connections ---- */

void *store_conn_take(comb_store_db *s)
{
    pthread_mutex_lock(&s->rmu);
    for (;;) {
        for (int i = 0; i < s->npool; i++)
            if (!s->busy[i]) {
                s->busy[i] = 1;
                pthread_mutex_unlock(&s->rmu);
                return s->pool[i];
            }
        pthread_cond_wait(&s->rfree, &s->rmu);
    }
}

void store_conn_give(comb_store_db *s, void *conn)
{
    pthread_mutex_lock(&s->rmu);
    for (int i = 0; i < s->npool; i++)
        if (s->pool[i] == conn)
            s->busy[i] = 0;
    pthread_cond_signal(&s->rfree);
    pthread_mutex_unlock(&s->rmu);
}

/* One statement on a pooled reading connection. */
static comb_code read_query(comb_store_db *s, const char *sql, const store_val *p, int n, store_row_fn fn, void *ud,
                            comb_err *err)
{
    void *c = store_conn_take(s);
    comb_code rc = s->drv->query(c, sql, p, n, fn, ud, err);
    store_conn_give(s, c);
    return rc;
}

/* One statement on the writing connection, in its own transaction. */
static comb_code write_query(comb_store_db *s, const char *sql, const store_val *p, int n, comb_err *err)
{
    pthread_mutex_lock(&s->wmu);
    comb_code rc = s->drv->query(s->writer, sql, p, n, NULL, NULL, err);
    pthread_mutex_unlock(&s->wmu);
    return rc;
}

static int row_first_int(void *ud, int ncols, const char *const *cols)
{
    *(int64_t *)ud = ncols > 0 ? col_int(cols[0]) : 0;
    return 1;
}

static comb_code migrate(comb_store_db *s, comb_err *err)
{
    static const char *const have_sql = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
    static const char *const record_sql = "INSERT INTO schema_migrations (version, applied) VALUES ($1, $2)";
    const store_driver *d = s->drv;
    for (;;) {
        /* the lock is taken before anything is read, so a server started at
         * the same moment waits and then finds the migration applied */
        int64_t have = 0;
        if (d->script(s->writer, d->migration_begin, err) ||
            d->script(s->writer, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                                 " applied BIGINT NOT NULL)", err) ||
            d->query(s->writer, have_sql, NULL, 0, row_first_int, &have, err))
            goto failed;
        if (have >= NMIGRATIONS)
            return d->script(s->writer, "COMMIT", err) ? COMB_EIO : COMB_OK;
        int v = (int)have + 1;
        const char *sql = s->drv == &comb_store_pg && migrations[v - 1].pg ? migrations[v - 1].pg
                                                                           : migrations[v - 1].sqlite;
        store_val p[] = { SV_INT(v), SV_INT(time(NULL)) };
        if (d->script(s->writer, sql, err) || d->query(s->writer, record_sql, p, 2, NULL, NULL, err) ||
            d->script(s->writer, "COMMIT", err)) {
            comb_err_prefix(err, "migration %d", v);
            goto failed;
        }
    }
failed:
    d->script(s->writer, "ROLLBACK", NULL);
    return COMB_EIO;
}

static comb_code store_open(const store_driver *drv, const char *target, const char *label, comb_store_db **out,
                            comb_err *err)
{
    comb_store_db *s = calloc(1, sizeof *s);
    if (!s)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    s->drv = drv;
    snprintf(s->label, sizeof s->label, "%s", label);
    pthread_mutex_init(&s->wmu, NULL);
    pthread_mutex_init(&s->rmu, NULL);
    pthread_mutex_init(&s->qmu, NULL);
    pthread_mutex_init(&s->tmu, NULL);
    pthread_cond_init(&s->rfree, NULL);
    pthread_cond_init(&s->qwork, NULL);
    /* the writer first: SQLite creates the file and sets WAL there */
    comb_code rc = COMB_EIO;
    if (!(s->writer = drv->connect(target, label, err)) || (rc = migrate(s, err)))
        goto failed;
    rc = COMB_EIO;
    for (; s->npool < drv->pool && s->npool < STORE_POOL_MAX; s->npool++)
        if (!(s->pool[s->npool] = drv->connect(target, label, err)))
            goto failed;
    if (store_commit_start(s)) {
        comb_fail(err, COMB_EIO, "%s %s: cannot start the writer thread", drv->name, label);
        goto failed;
    }
    *out = s;
    return COMB_OK;
failed:
    comb_store_close(s);
    return rc;
}

comb_code comb_store_open(const char *path, comb_store_db **out, comb_err *err)
{
    return store_open(&comb_store_sqlite, path, path, out, err);
}

/* What errors and logs name: postgresql://USER@HOST:PORT/DB, never the
 * password. */
static comb_code pg_label(const char *conninfo, char *out, size_t n, comb_err *err)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &msg);
    if (!opts) {
        char why[256];
        snprintf(why, sizeof why, "%s", msg ? msg : "out of memory");
        why[strcspn(why, "\n")] = '\0';
        PQfreemem(msg);
        return comb_fail(err, COMB_EINVAL, "PostgreSQL: not a connection URL or conninfo: %s", why);
    }
    const char *user = "", *host = "", *port = "", *db = "";
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (!strcmp(o->keyword, "user"))
            user = o->val;
        else if (!strcmp(o->keyword, "host") || (!*host && !strcmp(o->keyword, "hostaddr")))
            host = o->val;
        else if (!strcmp(o->keyword, "port"))
            port = o->val;
        else if (!strcmp(o->keyword, "dbname"))
            db = o->val;
    }
    snprintf(out, n, "postgresql://%s%s%s%s%s/%s", user, *user ? "@" : "", host, *port ? ":" : "", port, db);
    PQconninfoFree(opts);
    return COMB_OK;
}

comb_code comb_store_open_pg(const char *conninfo, comb_store_db **out, comb_err *err)
{
    char label[512];
    if (pg_label(conninfo, label, sizeof label, err))
        return COMB_EINVAL;
    return store_open(&comb_store_pg, conninfo, label, out, err);
}

void comb_store_close(comb_store_db *s)
{
    if (!s)
        return;
    store_commit_stop(s);
    for (int i = 0; i < s->npool; i++)
        s->drv->disconnect(s->pool[i]);
    if (s->writer)
        s->drv->disconnect(s->writer);
    pthread_mutex_destroy(&s->wmu);
    pthread_mutex_destroy(&s->rmu);
    pthread_mutex_destroy(&s->qmu);
    pthread_mutex_destroy(&s->tmu);
    pthread_cond_destroy(&s->rfree);
    pthread_cond_destroy(&s->qwork);
    free(s);
}

int comb_store_schema_version(comb_store_db *s)
{
    int64_t v = 0;
    read_query(s, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, 0, row_first_int, &v, NULL);
    return (int)v;
}

/* ---- users and tokens ---- */

comb_code comb_store_user_put(comb_store_db *s, const char *name, const char *password, comb_role role,
                              comb_err *err)
{
    char h[COMB_PWHASH_MAX];
    if (!*name || strlen(name) > 128 || role == COMB_ROLE_NONE)
        return comb_fail(err, COMB_EINVAL, "user: a name of 1 to 128 characters and a role are needed");
    if (strlen(password) < 8)
        return comb_fail(err, COMB_EINVAL, "user %s: the password needs at least 8 characters", name);
    if (comb_pw_hash(password, h))
        return comb_fail(err, COMB_EINVAL, "user %s: the password cannot be hashed (too long?)", name);
    store_val p[] = { SV_TEXT(name), SV_TEXT(comb_role_name(role)), SV_TEXT(h), SV_INT(time(NULL)) };
    if (write_query(s, "INSERT INTO users (name, role, pwhash, created) VALUES ($1, $2, $3, $4)"
                       " ON CONFLICT (name) DO UPDATE SET role = excluded.role, pwhash = excluded.pwhash,"
                       " created = excluded.created", p, 4, err)) {
        comb_err_prefix(err, "user %s", name);
        return COMB_EIO;
    }
    return COMB_OK;
}

typedef struct user_row {
    char role[16];
    char hash[COMB_PWHASH_MAX];
    int found;
} user_row;

static int row_user(void *ud, int ncols, const char *const *cols)
{
    user_row *u = ud;
    if (ncols == 2 && cols[0] && cols[1]) {
        snprintf(u->role, sizeof u->role, "%s", cols[0]);
        snprintf(u->hash, sizeof u->hash, "%s", cols[1]);
        u->found = 1;
    }
    return 1;
}

comb_role comb_store_user_check(comb_store_db *s, const char *name, const char *password)
{
    user_row u = { .found = 0 };
    store_val p[] = { SV_TEXT(name) };
    read_query(s, "SELECT role, pwhash FROM users WHERE name = $1", p, 1, row_user, &u, NULL);
    comb_role r = COMB_ROLE_NONE;
    if (u.found) {
        if (comb_pw_verify(password, u.hash))
            r = comb_role_parse(u.role);
    } else {
        /* same work for an unknown user: no timing oracle for names */
        comb_pw_verify(password, "scrypt$32768$8$1$00000000000000000000000000000000$"
                                 "0000000000000000000000000000000000000000000000000000000000000000");
    }
    OPENSSL_cleanse(u.hash, sizeof u.hash);
    return r;
}

static int row_user_list(void *ud, int ncols, const char *const *cols)
{
    if (ncols == 3 && cols[0] && cols[1])
        json_array_append_new(ud, json_pack("{s:s, s:s, s:I}", "name", cols[0], "role", cols[1], "created",
                                            (json_int_t)col_int(cols[2])));
    return 0;
}

json_t *comb_store_users(comb_store_db *s)
{
    json_t *a = json_array();
    store_val p[] = { SV_INT(COMB_STORE_LIST_MAX) };
    read_query(s, "SELECT name, role, created FROM users ORDER BY name LIMIT $1", p, 1, row_user_list, a, NULL);
    return a;
}

comb_code comb_store_token_new(comb_store_db *s, const char *user, comb_role role, int64_t ttl,
                               char out[65], int64_t *expires, comb_err *err)
{
    unsigned char raw[32];
    char digest[72];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return comb_fail(err, COMB_EIO, "token: no random bytes");
    for (size_t i = 0; i < sizeof raw; i++)
        sprintf(out + 2 * i, "%02x", raw[i]);
    OPENSSL_cleanse(raw, sizeof raw);
    if (comb_sha256_buf(out, 64, digest))
        return comb_fail(err, COMB_EIO, "token: hashing failed");
    int64_t now = (int64_t)time(NULL);
    *expires = now + ttl;
    store_val p[] = { SV_TEXT(digest), SV_TEXT(user), SV_TEXT(comb_role_name(role)), SV_INT(*expires) };
    if (write_query(s, "INSERT INTO tokens (digest, \"user\", role, expires) VALUES ($1, $2, $3, $4)", p, 4, err)) {
        comb_err_prefix(err, "token");
        return COMB_EIO;
    }
    store_val old[] = { SV_INT(now - 86400) };
    write_query(s, "DELETE FROM tokens WHERE expires < $1", old, 1, NULL);
    return COMB_OK;
}

typedef struct token_row {
    comb_role role;
    char *user;
    size_t usersz;
    int64_t expires;
} token_row;

static int row_token(void *ud, int ncols, const char *const *cols)
{
    token_row *t = ud;
    if (ncols == 3 && cols[0] && cols[1] && cols[2]) {
        t->role = comb_role_parse(cols[1]);
        snprintf(t->user, t->usersz, "%s", cols[0]);
        t->expires = col_int(cols[2]);
    }
    return 1;
}

static store_token_entry *token_slot(comb_store_db *s, const char *digest)
{
    unsigned h = 0;
    for (const char *p = digest; *p; p++)
        h = h * 31u + (unsigned char)*p;
    return &s->tokens[h % STORE_TOKEN_CACHE_SLOTS];
}

comb_role comb_store_token_check(comb_store_db *s, const char *token, char *user, size_t usersz)
{
    char digest[72];
    size_t n = strlen(token);
    if (n != 64 || comb_sha256_buf(token, n, digest))
        return COMB_ROLE_NONE;
    int64_t now = (int64_t)time(NULL);
    store_token_entry *e = token_slot(s, digest);
    pthread_mutex_lock(&s->tmu);
    if (e->role != COMB_ROLE_NONE && now < e->until && !strcmp(e->digest, digest)) {
        comb_role role = e->role;
        snprintf(user, usersz, "%s", e->user);
        pthread_mutex_unlock(&s->tmu);
        return role;
    }
    pthread_mutex_unlock(&s->tmu);
    token_row t = { COMB_ROLE_NONE, user, usersz, 0 };
    store_val p[] = { SV_TEXT(digest), SV_INT(now) };
    if (read_query(s, "SELECT \"user\", role, expires FROM tokens WHERE digest = $1 AND expires > $2", p, 2,
                   row_token, &t, NULL))
        return COMB_ROLE_NONE;
    if (t.role != COMB_ROLE_NONE) {
        pthread_mutex_lock(&s->tmu);
        snprintf(e->digest, sizeof e->digest, "%s", digest);
        snprintf(e->user, sizeof e->user, "%s", user);
        e->role = t.role;
        e->until = t.expires < now + STORE_TOKEN_CACHE_SECONDS ? t.expires : now + STORE_TOKEN_CACHE_SECONDS;
        pthread_mutex_unlock(&s->tmu);
    }
    return t.role;
}

/* ---- records ---- */

comb_code comb_store_record_add(comb_store_db *s, const char *node, const char *kind, const char *rid,
                                const char *body, size_t len, int *dup, comb_err *err)
{
    comb_store_rec r = { rid, body, len };
    return comb_store_records_add(s, node, kind, &r, 1, dup, err);
}

#define RECORDS_MAX_BYTES (64u << 20) /* what one read returns, at most */

typedef struct records_ctx {
    json_t *a;
    size_t bytes;
} records_ctx;

static int row_record(void *ud, int ncols, const char *const *cols)
{
    records_ctx *rc = ud;
    if (ncols != 3 || !cols[2])
        return 0;
    rc->bytes += strlen(cols[2]);
    json_t *body = json_loads(cols[2], 0, NULL);
    json_array_append_new(rc->a, json_pack("{s:I, s:I, s:o}", "id", (json_int_t)col_int(cols[0]), "received",
                                           (json_int_t)col_int(cols[1]), "body", body ? body : json_null()));
    return rc->bytes >= RECORDS_MAX_BYTES;
}

json_t *comb_store_records(comb_store_db *s, const char *node, const char *kind, int limit)
{
    records_ctx rc = { json_array(), 0 };
    store_val p[] = { SV_TEXT(node), SV_TEXT(kind), SV_INT(limit) };
    read_query(s, "SELECT id, received, body FROM records WHERE node = $1 AND kind = $2 ORDER BY id DESC LIMIT $3",
               p, 3, row_record, &rc, NULL);
    return rc.a;
}

static int row_node(void *ud, int ncols, const char *const *cols)
{
    json_t *a = ud;
    if (ncols != 4 || !cols[0] || !cols[1])
        return 0;
    json_t *cur = json_array_get(a, json_array_size(a) - 1);
    if (!cur || strcmp(json_string_value(json_object_get(cur, "node")), cols[0])) {
        cur = json_pack("{s:s, s:{}, s:I}", "node", cols[0], "records", "last_seen", (json_int_t)0);
        json_array_append_new(a, cur);
    }
    json_object_set_new(json_object_get(cur, "records"), cols[1], json_integer(col_int(cols[2])));
    if (col_int(cols[3]) > json_integer_value(json_object_get(cur, "last_seen")))
        json_object_set_new(cur, "last_seen", json_integer(col_int(cols[3])));
    return 0;
}

json_t *comb_store_nodes(comb_store_db *s)
{
    json_t *a = json_array();
    store_val p[] = { SV_INT(COMB_STORE_LIST_MAX) };
    read_query(s, "SELECT node, kind, COUNT(*), MAX(received) FROM records GROUP BY node, kind"
                  " ORDER BY node, kind LIMIT $1", p, 1, row_node, a, NULL);
    return a;
}

/* ---- audit ---- */

static int row_audit(void *ud, int ncols, const char *const *cols)
{
    if (ncols == 7)
        json_array_append_new(ud, json_pack("{s:I, s:I, s:s, s:s?, s:s?, s:s?, s:I}", "id",
                                            (json_int_t)col_int(cols[0]), "time", (json_int_t)col_int(cols[1]),
                                            "user", cols[2] ? cols[2] : "", "client", cols[3], "method", cols[4],
                                            "path", cols[5], "status", (json_int_t)col_int(cols[6])));
    return 0;
}

json_t *comb_store_audit_list(comb_store_db *s, int limit)
{
    json_t *a = json_array();
    store_val p[] = { SV_INT(limit) };
    read_query(s, "SELECT id, time, \"user\", client, method, path, status FROM audit ORDER BY id DESC LIMIT $1", p, 1,
               row_audit, a, NULL);
    return a;
}
