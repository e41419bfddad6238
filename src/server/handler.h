/* handler.h - what a route handler of comb server sees (server/api.c owns
 * the route table; handlers of other files, such as the console's views,
 * take the same context and return the same reply). Internal to server/. */
#ifndef COMB_SERVER_HANDLER_H
#define COMB_SERVER_HANDLER_H

#include <jansson.h>
#include <microhttpd.h>
#include <stddef.h>

#include "server/store.h"

typedef struct comb_server comb_server;

/* The request body, gathered by api.c (at most COMB_SERVER_MAX_BODY). */
typedef struct req {
    char *body;
    size_t len, cap;
    int too_big;
} req;

typedef struct ctx {
    comb_server *s;
    comb_store_db *db;
    struct MHD_Connection *c;
    const char *method;
    char node[129], kind[32], id[129]; /* the {node}, {kind} and {id} of the route */
    char user[129];
    comb_role role;
    const req *r;
    const char *client, *url; /* the client's address and the request's URL, for the audit row */
    int audited;              /* the handler wrote the audit row itself (with its records) */
    /* Set by a handler whose reply needs them (Harbor's API names its own
     * JSON media types and sends Location / Refresh-After): */
    const char *content_type;   /* NULL: application/json */
    struct { const char *name; char value[256]; } header[2]; /* name NULL: none */
} ctx;

typedef struct reply {
    int status;
    json_t *body; /* owned; sent as JSON */
} reply;

/* The Harbor adapter of the server (server/harbor.h). */
struct comb_harbor *comb_server_harbor(comb_server *s);

/* {"error": msg} with status. */
reply comb_reply_error(int status, const char *msg);

#endif
