/* server.h - `comb server`: the REST API (libmicrohttpd) over the store
 * (server/store.h). Every route is in one table with the least role it
 * needs; a request is authenticated (a Bearer token, or HTTP Basic with a
 * local user's password, else an LDAP bind, on POST /api/v1/tokens), authorized against that
 * table, rate-limited per client address (429 past the budget) and written
 * to the audit log, whatever its outcome. docs/openapi.yaml describes the
 * API; docs/SERVER.md the security model. */
#ifndef COMB_SERVER_SERVER_H
#define COMB_SERVER_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "server/ldapauth.h"
#include "server/store.h"

#define COMB_SERVER_MAX_BODY (32u << 20)

typedef struct comb_server_opts {
    const char *address;     /* listen address (default 127.0.0.1) */
    unsigned port;
    const char *tls_cert;    /* PEM files: both or neither */
    const char *tls_key;
    const char *client_ca;   /* PEM: every request needs a client certificate it signed (mutual TLS) */
    int64_t token_ttl;       /* seconds (default 3600) */
    unsigned rate;           /* requests per second per client (default 50); burst twice that */
    comb_ldap_opts ldap;     /* url NULL: local users only */
    comb_role ldap_role;     /* the role of a user the directory accepts (default viewer) */
    const char *console;     /* the web console's directory (GET outside /api/); NULL: none */
    const char *vuln_db;     /* Harbor scans: the vulnerability database (NULL: comb's default) */
    unsigned harbor_queue;   /* Harbor scans that may wait (0: 64); beyond: 503 */
} comb_server_opts;

typedef struct comb_server comb_server;

comb_code comb_server_start(const comb_server_opts *o, comb_store_db *db, comb_server **out, comb_err *err);
void comb_server_stop(comb_server *s);

/* The route table, for `comb server --routes` and the authorization test:
 * calls fn with each method, path template and least role. */
void comb_server_routes(void (*fn)(void *ud, const char *method, const char *path, comb_role role), void *ud);

/* For the handler and the fuzzer: the index of the route for method and
 * url (-1: no route has this path, -2: not with this method), with the
 * {node} and {kind} it captured; and whether a body of kind is acceptable
 * (0) and how many records it makes (an alert body: one per JSON line). */
int comb_server_route(const char *method, const char *url, char node[129], char kind[32]);
int comb_server_body_ok(const char *kind, const char *body, size_t len, size_t *records);

#endif
