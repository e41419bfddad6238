/* store.c - the server's SQLite store (see store.h). */
#include "server/store.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/digest.h"
#include "core/pwhash.h"

struct comb_store_db {
    sqlite3 *h;
};

/* Each migration runs once, in order, in its own transaction. */
static const char *const migrations[] = {
    /* 1: users, tokens, records, audit */
    "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, pwhash TEXT NOT NULL,"
    "  created INTEGER NOT NULL);"
    "CREATE TABLE tokens (digest TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL,"
    "  expires INTEGER NOT NULL);"
    "CREATE TABLE records (id INTEGER PRIMARY KEY AUTOINCREMENT, node TEXT NOT NULL,"
    "  kind TEXT NOT NULL, received INTEGER NOT NULL, body TEXT NOT NULL);"
    "CREATE INDEX records_node_kind ON records (node, kind, id);"
    "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,"
    "  user TEXT, client TEXT, method TEXT, path TEXT, status INTEGER);",
    /* 2: the sender's record id, so a record resent after a lost answer is stored once */
    "ALTER TABLE records ADD COLUMN rid TEXT;"
    "CREATE UNIQUE INDEX records_rid ON records (node, rid) WHERE rid IS NOT NULL;",
};

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

static int exec(comb_store_db *s, const char *sql)
{
    return sqlite3_exec(s->h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int comb_store_schema_version(comb_store_db *s)
{
    sqlite3_stmt *st;
    int v = 0;
    if (sqlite3_prepare_v2(s->h, "SELECT MAX(version) FROM schema_migrations", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

comb_code comb_store_open(const char *path, comb_store_db **out, comb_err *err)
{
    comb_store_db *s = calloc(1, sizeof *s);
    if (!s)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    if (sqlite3_open_v2(path, &s->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        comb_fail(err, COMB_EIO, "%s: %s", path, s->h ? sqlite3_errmsg(s->h) : "cannot open");
        comb_store_close(s);
        return COMB_EIO;
    }
    sqlite3_busy_timeout(s->h, 5000);
    if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                " applied INTEGER NOT NULL)")) {
        comb_fail(err, COMB_EIO, "%s: %s", path, sqlite3_errmsg(s->h));
        comb_store_close(s);
        return COMB_EIO;
    }
    int have = comb_store_schema_version(s);
    for (int v = have + 1; v <= (int)(sizeof migrations / sizeof *migrations); v++) {
        char rec[128];
        snprintf(rec, sizeof rec, "INSERT INTO schema_migrations VALUES (%d, %lld)", v, (long long)time(NULL));
        if (exec(s, "BEGIN IMMEDIATE") || exec(s, migrations[v - 1]) || exec(s, rec) || exec(s, "COMMIT")) {
            comb_fail(err, COMB_EIO, "%s: migration %d: %s", path, v, sqlite3_errmsg(s->h));
            exec(s, "ROLLBACK");
            comb_store_close(s);
            return COMB_EIO;
        }
    }
    *out = s;
    return COMB_OK;
}

void comb_store_close(comb_store_db *s)
{
    if (!s)
        return;
    sqlite3_close(s->h);
    free(s);
}

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
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->h, "INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, comb_role_name(role), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, h, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    return rc == SQLITE_DONE ? COMB_OK : comb_fail(err, COMB_EIO, "user %s: %s", name, sqlite3_errmsg(s->h));
}

comb_role comb_store_user_check(comb_store_db *s, const char *name, const char *password)
{
    sqlite3_stmt *st;
    comb_role r = COMB_ROLE_NONE;
    if (sqlite3_prepare_v2(s->h, "SELECT role, pwhash FROM users WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
        return r;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (comb_pw_verify(password, (const char *)sqlite3_column_text(st, 1)))
            r = comb_role_parse((const char *)sqlite3_column_text(st, 0));
    } else {
        /* same work for an unknown user: no timing oracle for names */
        comb_pw_verify(password, "scrypt$32768$8$1$00000000000000000000000000000000$"
                                 "0000000000000000000000000000000000000000000000000000000000000000");
    }
    sqlite3_finalize(st);
    return r;
}

json_t *comb_store_users(comb_store_db *s)
{
    json_t *a = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->h, "SELECT name, role, created FROM users ORDER BY name", -1, &st, NULL) != SQLITE_OK)
        return a;
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "name", (const char *)sqlite3_column_text(st, 0),
                                           "role", (const char *)sqlite3_column_text(st, 1), "created",
                                           (json_int_t)sqlite3_column_int64(st, 2)));
    sqlite3_finalize(st);
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
    *expires = (int64_t)time(NULL) + ttl;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->h, "INSERT INTO tokens VALUES (?, ?, ?, ?)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, user, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, comb_role_name(role), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, *expires);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    exec(s, "DELETE FROM tokens WHERE expires < strftime('%s','now') - 86400");
    return rc == SQLITE_DONE ? COMB_OK : comb_fail(err, COMB_EIO, "token: %s", sqlite3_errmsg(s->h));
}

comb_role comb_store_token_check(comb_store_db *s, const char *token, char *user, size_t usersz)
{
    char digest[72];
    size_t n = strlen(token);
    if (n != 64 || comb_sha256_buf(token, n, digest))
        return COMB_ROLE_NONE;
    sqlite3_stmt *st;
    comb_role r = COMB_ROLE_NONE;
    if (sqlite3_prepare_v2(s->h, "SELECT user, role FROM tokens WHERE digest = ? AND expires > ?", -1, &st,
                           NULL) != SQLITE_OK)
        return r;
    sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
    if (sqlite3_step(st) == SQLITE_ROW) {
        r = comb_role_parse((const char *)sqlite3_column_text(st, 1));
        snprintf(user, usersz, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return r;
}

comb_code comb_store_record_add(comb_store_db *s, const char *node, const char *kind, const char *rid,
                                const char *body, size_t len, int *dup, comb_err *err)
{
    sqlite3_stmt *st;
    *dup = 0;
    int rc = sqlite3_prepare_v2(s->h, "INSERT OR IGNORE INTO records (node, kind, received, body, rid)"
                                      " VALUES (?, ?, ?, ?, ?)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
        sqlite3_bind_text(st, 4, body, (int)len, SQLITE_TRANSIENT);
        if (rid)
            sqlite3_bind_text(st, 5, rid, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 5);
        rc = sqlite3_step(st);
        *dup = rc == SQLITE_DONE && sqlite3_changes(s->h) == 0;
        sqlite3_finalize(st);
    }
    return rc == SQLITE_DONE ? COMB_OK : comb_fail(err, COMB_EIO, "store: %s", sqlite3_errmsg(s->h));
}

json_t *comb_store_records(comb_store_db *s, const char *node, const char *kind, int limit)
{
    json_t *a = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->h, "SELECT id, received, body FROM records WHERE node = ? AND kind = ?"
                                 " ORDER BY id DESC LIMIT ?", -1, &st, NULL) != SQLITE_OK)
        return a;
    sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, limit);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *body = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
        json_array_append_new(a, json_pack("{s:I, s:I, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                                           "received", (json_int_t)sqlite3_column_int64(st, 1), "body",
                                           body ? body : json_null()));
    }
    sqlite3_finalize(st);
    return a;
}

json_t *comb_store_nodes(comb_store_db *s)
{
    json_t *a = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->h, "SELECT node, kind, COUNT(*), MAX(received) FROM records GROUP BY node, kind"
                                 " ORDER BY node, kind", -1, &st, NULL) != SQLITE_OK)
        return a;
    json_t *cur = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *node = (const char *)sqlite3_column_text(st, 0);
        if (!cur || strcmp(json_string_value(json_object_get(cur, "node")), node)) {
            cur = json_pack("{s:s, s:{}, s:I}", "node", node, "records", "last_seen", (json_int_t)0);
            json_array_append_new(a, cur);
        }
        json_object_set_new(json_object_get(cur, "records"), (const char *)sqlite3_column_text(st, 1),
                            json_integer(sqlite3_column_int64(st, 2)));
        if (sqlite3_column_int64(st, 3) > json_integer_value(json_object_get(cur, "last_seen")))
            json_object_set_new(cur, "last_seen", json_integer(sqlite3_column_int64(st, 3)));
    }
    sqlite3_finalize(st);
    return a;
}

void comb_store_audit(comb_store_db *s, const char *user, const char *client, const char *method,
                      const char *path, int status)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->h, "INSERT INTO audit (time, user, client, method, path, status)"
                                 " VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(st, 2, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, client, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, method, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 6, status);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

json_t *comb_store_audit_list(comb_store_db *s, int limit)
{
    json_t *a = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->h, "SELECT id, time, user, client, method, path, status FROM audit"
                                 " ORDER BY id DESC LIMIT ?", -1, &st, NULL) != SQLITE_OK)
        return a;
    sqlite3_bind_int(st, 1, limit);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *u = (const char *)sqlite3_column_text(st, 2);
        json_array_append_new(a, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:i}", "id",
                                           (json_int_t)sqlite3_column_int64(st, 0), "time",
                                           (json_int_t)sqlite3_column_int64(st, 1), "user", u ? u : "",
                                           "client", (const char *)sqlite3_column_text(st, 3), "method",
                                           (const char *)sqlite3_column_text(st, 4), "path",
                                           (const char *)sqlite3_column_text(st, 5), "status",
                                           sqlite3_column_int(st, 6)));
    }
    sqlite3_finalize(st);
    return a;
}
