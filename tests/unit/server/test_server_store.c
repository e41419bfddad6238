/* test_server_store.c - password hashes, tokens and migrations of the
 * server's store; batches of records, many threads storing the same record
 * ids at once (each stored once), an old store upgraded, and errors that
 * name the database but never its password. */
#include "test.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/pwhash.h"
#include "server/store.h"

static void test_pw(void)
{
    char h[COMB_PWHASH_MAX], h2[COMB_PWHASH_MAX];
    CHECK_INT(comb_pw_hash("correct horse", h), 0);
    CHECK(!strncmp(h, "scrypt$32768$8$1$", 17));
    CHECK_INT(comb_pw_verify("correct horse", h), 1);
    CHECK_INT(comb_pw_verify("correct horsf", h), 0);
    CHECK_INT(comb_pw_verify("", h), 0);
    CHECK_INT(comb_pw_hash("correct horse", h2), 0);
    CHECK(strcmp(h, h2) != 0); /* salted */
    CHECK_INT(comb_pw_verify("x", "scrypt$1$1$1$00$00"), 0);
    CHECK_INT(comb_pw_verify("x", NULL), 0);
}

/* A temporary directory for a store: dir is "/tmp/comb-store-XXXXXX", path
 * gets dir/s.db. */
static void temp_dir(char *dir, char path[64])
{
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, 64, "%s/s.db", dir);
}

static void remove_dir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

static void test_store(void)
{
    char dir[] = "/tmp/comb-store-XXXXXX", path[64];
    temp_dir(dir, path);
    comb_store_db *s;
    comb_err err;
    CHECK_INT(comb_store_open(path, &s, &err), COMB_OK);
    CHECK_INT(comb_store_schema_version(s), 2);
    CHECK_INT(comb_store_user_put(s, "bob", "short", COMB_ROLE_VIEWER, &err), COMB_EINVAL);
    CHECK_INT(comb_store_user_put(s, "bob", "long enough", COMB_ROLE_OPERATOR, &err), COMB_OK);
    CHECK_INT(comb_store_user_check(s, "bob", "long enough"), COMB_ROLE_OPERATOR);
    CHECK_INT(comb_store_user_check(s, "bob", "long enougH"), COMB_ROLE_NONE);
    CHECK_INT(comb_store_user_check(s, "eve", "long enough"), COMB_ROLE_NONE);
    char tok[65], user[64];
    int64_t exp;
    CHECK_INT(comb_store_token_new(s, "bob", COMB_ROLE_OPERATOR, 100, tok, &exp, &err), COMB_OK);
    CHECK_INT(strlen(tok), 64);
    CHECK_INT(comb_store_token_check(s, tok, user, sizeof user), COMB_ROLE_OPERATOR);
    CHECK_STR(user, "bob");
    tok[0] = tok[0] == 'a' ? 'b' : 'a';
    CHECK_INT(comb_store_token_check(s, tok, user, sizeof user), COMB_ROLE_NONE);
    CHECK_INT(comb_store_token_new(s, "bob", COMB_ROLE_OPERATOR, -1, tok, &exp, &err), COMB_OK);
    CHECK_INT(comb_store_token_check(s, tok, user, sizeof user), COMB_ROLE_NONE); /* expired */
    /* a token checked (and so cached) while valid is refused once it expires */
    CHECK_INT(comb_store_token_new(s, "bob", COMB_ROLE_OPERATOR, 1, tok, &exp, &err), COMB_OK);
    CHECK_INT(comb_store_token_check(s, tok, user, sizeof user), COMB_ROLE_OPERATOR);
    CHECK_INT(comb_store_token_check(s, tok, user, sizeof user), COMB_ROLE_OPERATOR);
    while ((int64_t)time(NULL) < exp)
        usleep(100000);
    CHECK_INT(comb_store_token_check(s, tok, user, sizeof user), COMB_ROLE_NONE);
    int dup;
    CHECK_INT(comb_store_record_add(s, "n", "inventory", "r1", "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(dup, 0);
    CHECK_INT(comb_store_record_add(s, "n", "inventory", "r1", "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(dup, 1); /* resent: stored once */
    CHECK_INT(comb_store_record_add(s, "m", "inventory", "r1", "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(dup, 0); /* ids are per node */
    CHECK_INT(comb_store_record_add(s, "n", "inventory", NULL, "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(comb_store_record_add(s, "n", "inventory", NULL, "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(dup, 0);
    json_t *recs = comb_store_records(s, "n", "inventory", 100);
    CHECK_INT(json_array_size(recs), 3);
    json_decref(recs);
    comb_store_close(s);
    /* reopening applies nothing twice */
    CHECK_INT(comb_store_open(path, &s, &err), COMB_OK);
    CHECK_INT(comb_store_schema_version(s), 2);
    CHECK_INT(comb_store_user_check(s, "bob", "long enough"), COMB_ROLE_OPERATOR);
    comb_store_close(s);
    remove_dir(dir);
}

static void test_batch(void)
{
    char dir[] = "/tmp/comb-store-XXXXXX", path[64];
    temp_dir(dir, path);
    comb_store_db *s;
    comb_err err;
    CHECK_INT(comb_store_open(path, &s, &err), COMB_OK);
    CHECK_STR(comb_store_backend(s), "SQLite");
    CHECK_STR(comb_store_label(s), path);
    int dups[3] = { -1, -1, -1 };
    CHECK_INT(comb_store_record_add(s, "n", "alert", "a.1", "{\"x\":1}", 7, dups, &err), COMB_OK);
    comb_store_rec recs[3] = { { "a.0", "{}", 2 }, { "a.1", "{}", 2 }, { NULL, "{}", 2 } };
    CHECK_INT(comb_store_records_add(s, "n", "alert", recs, 3, dups, &err), COMB_OK);
    CHECK_INT(dups[0], 0);
    CHECK_INT(dups[1], 1); /* stored before */
    CHECK_INT(dups[2], 0);
    json_t *r = comb_store_records(s, "n", "alert", 100);
    CHECK_INT(json_array_size(r), 3);
    json_decref(r);
    CHECK_INT(comb_store_records_add(s, "n", "alert", recs, COMB_STORE_BATCH_MAX + 1, dups, &err), COMB_ELIMIT);
    comb_store_close(s);
    remove_dir(dir);
}

/* Threads storing the same record ids at once, as agents resending after
 * lost answers would: each id is stored once in all, and every audit row
 * is there. */
#define THREADS 8
#define IDS 40
typedef struct racer {
    comb_store_db *s;
    int stored, failed;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    for (int i = 0; i < IDS; i++) {
        char rid[32];
        int dup;
        comb_err err;
        snprintf(rid, sizeof rid, "rec-%d", i);
        if (comb_store_record_add(r->s, "racy", "inventory", rid, "{}", 2, &dup, &err))
            r->failed++;
        else if (!dup)
            r->stored++;
        comb_store_audit(r->s, "agent", "127.0.0.1", "POST", "/api/v1/nodes/racy/inventory", 201);
    }
    return NULL;
}

static void test_concurrent(void)
{
    char dir[] = "/tmp/comb-store-XXXXXX", path[64];
    temp_dir(dir, path);
    comb_store_db *s;
    comb_err err;
    CHECK_INT(comb_store_open(path, &s, &err), COMB_OK);
    pthread_t t[THREADS];
    racer rs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        rs[i] = (racer){ s, 0, 0 };
        CHECK_INT(pthread_create(&t[i], NULL, race, &rs[i]), 0);
    }
    int stored = 0, failed = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        stored += rs[i].stored;
        failed += rs[i].failed;
    }
    CHECK_INT(failed, 0);
    CHECK_INT(stored, IDS);
    json_t *r = comb_store_records(s, "racy", "inventory", 1000);
    CHECK_INT(json_array_size(r), IDS);
    json_decref(r);
    json_t *a = comb_store_audit_list(s, 10000);
    CHECK_INT(json_array_size(a), THREADS * IDS);
    json_decref(a);
    /* a client's path that is not UTF-8, or holds control characters, is
     * audited with '?' in their place (PostgreSQL would refuse it) */
    comb_store_audit(s, "", "127.0.0.1", "GET", "/api/v1/\xff\x01\xe2\x82\xac\xed\xa0\x80x", 404);
    a = comb_store_audit_list(s, 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0), "path")), "/api/v1/??\xe2\x82\xac???x");
    json_decref(a);
    comb_store_close(s);
    remove_dir(dir);
}

/* A store made by a server that had migration 1 only is upgraded. */
static void test_upgrade(void)
{
    char dir[] = "/tmp/comb-store-XXXXXX", path[64];
    temp_dir(dir, path);
    sqlite3 *h;
    CHECK_INT(sqlite3_open(path, &h), SQLITE_OK);
    CHECK_INT(sqlite3_exec(h,
                           "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL);"
                           "INSERT INTO schema_migrations VALUES (1, 0);"
                           "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, pwhash TEXT NOT NULL,"
                           "  created INTEGER NOT NULL);"
                           "CREATE TABLE tokens (digest TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL,"
                           "  expires INTEGER NOT NULL);"
                           "CREATE TABLE records (id INTEGER PRIMARY KEY AUTOINCREMENT, node TEXT NOT NULL,"
                           "  kind TEXT NOT NULL, received INTEGER NOT NULL, body TEXT NOT NULL);"
                           "INSERT INTO records (node, kind, received, body) VALUES ('old', 'inventory', 1, '{}');"
                           "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,"
                           "  user TEXT, client TEXT, method TEXT, path TEXT, status INTEGER);",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(h);
    comb_store_db *s;
    comb_err err;
    CHECK_INT(comb_store_open(path, &s, &err), COMB_OK);
    CHECK_INT(comb_store_schema_version(s), 2);
    int dup;
    CHECK_INT(comb_store_record_add(s, "old", "inventory", "r", "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(comb_store_record_add(s, "old", "inventory", "r", "{}", 2, &dup, &err), COMB_OK);
    CHECK_INT(dup, 1);
    json_t *r = comb_store_records(s, "old", "inventory", 100);
    CHECK_INT(json_array_size(r), 2); /* the old record kept */
    json_decref(r);
    comb_store_close(s);
    remove_dir(dir);
}

static void test_errors(void)
{
    comb_store_db *s = NULL;
    comb_err err = { 0 };
    CHECK_INT(comb_store_open("/nonexistent-comb-dir/s.db", &s, &err), COMB_EIO);
    CHECK(strstr(err.msg, "SQLite /nonexistent-comb-dir/s.db") != NULL);
    CHECK_INT(comb_store_open_pg("host=127.0.0.1 port= = x", &s, &err), COMB_EINVAL);
    CHECK(strstr(err.msg, "PostgreSQL") != NULL);
    /* nothing listens on port 1: the error names the database, not the password */
    CHECK_INT(comb_store_open_pg("postgresql://comb:sekrit-pw@127.0.0.1:1/combdb?connect_timeout=5", &s, &err),
              COMB_EIO);
    CHECK(strstr(err.msg, "postgresql://comb@127.0.0.1:1/combdb") != NULL);
    CHECK(strstr(err.msg, "sekrit") == NULL);
}

int main(void)
{
    RUN(test_pw);
    RUN(test_store);
    RUN(test_batch);
    RUN(test_concurrent);
    RUN(test_upgrade);
    RUN(test_errors);
    return test_summary();
}
