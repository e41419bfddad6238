/* store.h - the server's store: users, API tokens, records sent by agents
 * (inventories, scan and bench results, runtime alerts, segmentation
 * graphs) and the audit log, in SQLite (one server) or PostgreSQL (several
 * replicas on one database). The schema is created and upgraded by the
 * same numbered migrations on both (schema_migrations holds the applied
 * ones), each in its own transaction, under a lock so that servers started
 * together apply each once.
 *
 * Every function is safe to call from many threads at once: reads use a
 * pool of connections; records and audit rows are written by one thread
 * that commits everything queued in one transaction (group commit) and
 * only then returns to the callers, so a stored record is on disk. */
#ifndef COMB_SERVER_STORE_H
#define COMB_SERVER_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "core/error.h"

typedef struct comb_store_db comb_store_db;

typedef enum comb_role { COMB_ROLE_NONE = 0, COMB_ROLE_VIEWER, COMB_ROLE_OPERATOR, COMB_ROLE_ADMIN } comb_role;

/* "viewer" -> COMB_ROLE_VIEWER; COMB_ROLE_NONE when unknown. */
comb_role comb_role_parse(const char *s);
const char *comb_role_name(comb_role r);

/* SQLite: the file path (created when missing). */
comb_code comb_store_open(const char *path, comb_store_db **out, comb_err *err);
/* PostgreSQL: a libpq URL (postgresql://USER[:PASS]@HOST:PORT/DB) or
 * conninfo ("host=... dbname=..."); errors never show the password. */
comb_code comb_store_open_pg(const char *conninfo, comb_store_db **out, comb_err *err);
void comb_store_close(comb_store_db *s);
int comb_store_schema_version(comb_store_db *s);
/* "SQLite" or "PostgreSQL", and the path or URL without password. */
const char *comb_store_backend(const comb_store_db *s);
const char *comb_store_label(const comb_store_db *s);

/* Users: the password is kept only as a scrypt hash (core/pwhash.h). */
comb_code comb_store_user_put(comb_store_db *s, const char *name, const char *password, comb_role role,
                              comb_err *err);
/* The role of name when password is right, else COMB_ROLE_NONE. */
comb_role comb_store_user_check(comb_store_db *s, const char *name, const char *password);
json_t *comb_store_users(comb_store_db *s); /* at most COMB_STORE_LIST_MAX */
#define COMB_STORE_LIST_MAX 10000

/* Tokens: a new opaque token (64 hex digits, written to out[65]) for user
 * with role, valid for ttl seconds; only its SHA-256 is stored. */
comb_code comb_store_token_new(comb_store_db *s, const char *user, comb_role role, int64_t ttl,
                               char out[65], int64_t *expires, comb_err *err);
/* The role and user of a valid, unexpired token, else COMB_ROLE_NONE. */
comb_role comb_store_token_check(comb_store_db *s, const char *token, char *user, size_t usersz);

/* Records: kinds are "inventory", "scan", "bench", "alert", "segmentation".
 * rid (may be NULL) is the sender's id of the record: a second record of
 * the node with the same rid is not stored and sets *dup. */
comb_code comb_store_record_add(comb_store_db *s, const char *node, const char *kind, const char *rid,
                                const char *body, size_t len, int *dup, comb_err *err);
/* n records of one node and kind, committed together; dups[i] is set for
 * each one already stored. At most COMB_STORE_BATCH_MAX records. */
#define COMB_STORE_BATCH_MAX 1000
typedef struct comb_store_rec {
    const char *rid; /* may be NULL */
    const char *body;
    size_t len;
} comb_store_rec;
comb_code comb_store_records_add(comb_store_db *s, const char *node, const char *kind, const comb_store_rec *recs,
                                 size_t n, int *dups, comb_err *err);
/* One row of the audit log (see comb_store_audit). */
typedef struct comb_store_audit_row {
    const char *user, *client, *method, *path;
    int status;
} comb_store_audit_row;
/* comb_store_records_add, with the request's audit row (NULL: none) in the
 * same transaction: a request that stores records waits for one commit,
 * not two, and its audit row exists exactly when its records do. */
comb_code comb_store_records_add_audited(comb_store_db *s, const char *node, const char *kind,
                                         const comb_store_rec *recs, size_t n, int *dups,
                                         const comb_store_audit_row *audit, comb_err *err);
json_t *comb_store_records(comb_store_db *s, const char *node, const char *kind, int limit);
json_t *comb_store_nodes(comb_store_db *s); /* at most COMB_STORE_LIST_MAX node x kind */

/* Written with the next group commit; returns once it is on disk. */
void comb_store_audit(comb_store_db *s, const char *user, const char *client, const char *method,
                      const char *path, int status);
json_t *comb_store_audit_list(comb_store_db *s, int limit);

#endif
