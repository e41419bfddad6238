/* api.c - the REST API of comb server (see server.h). */
#include "server/server.h"
#include "server/handler.h"
#include "server/static.h"
#include "server/views.h"
#include "server/harbor.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compliance/containers.h"
#include "core/readfile.h"

#define MAX_CLIENTS 1024
#define RECORDS_LIMIT 100

struct comb_server {
    struct MHD_Daemon *d;
    comb_store_db *db;
    comb_server_opts o;
    char *cert, *key, *ca;
    struct { char addr[64]; double tokens; struct timespec last; } clients[MAX_CLIENTS];
    size_t nclients;
    comb_harbor *harbor;
    pthread_mutex_t rate_mu; /* clients[]: requests run on many threads */
};

comb_harbor *comb_server_harbor(comb_server *s)
{
    return s->harbor;
}

static reply err_reply(int status, const char *msg)
{
    return comb_reply_error(status, msg);
}

reply comb_reply_error(int status, const char *msg)
{
    return (reply){ status, json_pack("{s:s}", "error", msg) };
}

/* ---- handlers ---- */

static const char *const kinds[] = { "inventory", "scan", "bench", "alert", "segmentation" };

static int known_kind(const char *k)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (!strcmp(k, kinds[i]))
            return 1;
    return 0;
}

static reply h_health(ctx *x)
{
    (void)x;
    return (reply){ 200, json_pack("{s:s}", "status", "ok") };
}

static reply h_token(ctx *x)
{
    char tok[65];
    int64_t exp;
    comb_err e;
    if (comb_store_token_new(x->db, x->user, x->role, x->s->o.token_ttl, tok, &exp, &e))
        return err_reply(500, "cannot issue a token");
    return (reply){ 201, json_pack("{s:s, s:I, s:s}", "token", tok, "expires", (json_int_t)exp, "role",
                                   comb_role_name(x->role)) };
}

static reply h_nodes(ctx *x)
{
    return (reply){ 200, comb_store_nodes(x->db) };
}

static reply h_records_get(ctx *x)
{
    if (!known_kind(x->kind))
        return err_reply(404, "unknown record kind");
    return (reply){ 200, comb_store_records(x->db, x->node, x->kind, RECORDS_LIMIT) };
}

/* Calls fn with each non-empty line of body (all of it when not line-based). */
static int each_line(const char *body, size_t len, int (*fn)(void *ud, const char *p, size_t n), void *ud)
{
    for (const char *p = body; p && p < body + len;) {
        const char *nl = memchr(p, '\n', (size_t)(body + len - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(body + len - p);
        if (n && fn(ud, p, n))
            return -1;
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

static int line_is_object(void *ud, const char *p, size_t n)
{
    json_t *a = json_loadb(p, n, 0, NULL);
    int ok = json_is_object(a);
    json_decref(a);
    (*(size_t *)ud)++;
    return !ok;
}

int comb_server_body_ok(const char *kind, const char *body, size_t len, size_t *records)
{
    *records = 0;
    if (!strcmp(kind, "alert")) /* Falco JSON lines: one record per line */
        return each_line(body, len, line_is_object, records) || !*records ? -1 : 0;
    json_t *d = json_loadb(body ? body : "", len, 0, NULL);
    int ok = json_is_object(d) || json_is_array(d);
    json_decref(d);
    *records = ok;
    return ok ? 0 : -1;
}

/* The records of one request are stored in chunks of at most
 * COMB_STORE_BATCH_MAX, each chunk committed with whatever other requests
 * queued at the same time (server/store_commit.c). */
typedef struct store_ctx {
    ctx *x;
    const char *rid;  /* X-Comb-Record-Id, or NULL */
    size_t stored, dups, line, n, cap;
    comb_store_rec *recs;
    char (*rids)[160];
    int *dup;
} store_ctx;

/* last: the request's final chunk, committed with its audit row (201) */
static int store_flush(store_ctx *sc, int last)
{
    comb_err e;
    ctx *x = sc->x;
    comb_store_audit_row audit = { x->user, x->client, x->method, x->url, 201 };
    if (sc->n && comb_store_records_add_audited(x->db, x->node, x->kind, sc->recs, sc->n, sc->dup,
                                                last ? &audit : NULL, &e))
        return -1;
    if (sc->n && last)
        x->audited = 1;
    for (size_t i = 0; i < sc->n; i++) {
        sc->dups += (size_t)sc->dup[i];
        sc->stored += (size_t)!sc->dup[i];
    }
    sc->n = 0;
    return 0;
}

static int store_line(void *ud, const char *p, size_t n)
{
    store_ctx *sc = ud;
    /* the lines of one alert body are records <id>.<line> */
    if (sc->rid)
        snprintf(sc->rids[sc->n], sizeof sc->rids[sc->n], "%s.%zu", sc->rid, sc->line);
    sc->recs[sc->n] = (comb_store_rec){ sc->rid ? sc->rids[sc->n] : NULL, p, n };
    sc->line++;
    return ++sc->n == sc->cap ? store_flush(sc, 0) : 0;
}

static reply h_records_post(ctx *x)
{
    if (!known_kind(x->kind))
        return err_reply(404, "unknown record kind");
    const req *r = x->r;
    size_t n;
    if (comb_server_body_ok(x->kind, r->body, r->len, &n))
        return err_reply(400, strcmp(x->kind, "alert") ? "the body must be a JSON document"
                                                       : "alerts: every line must be a JSON object");
    const char *rid = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "X-Comb-Record-Id");
    if (rid && !comb_container_safe_id(rid))
        return err_reply(400, "X-Comb-Record-Id: letters, digits, '.', '-', '_', at most 128");
    store_ctx sc = { .x = x, .rid = rid, .cap = n < COMB_STORE_BATCH_MAX ? n : COMB_STORE_BATCH_MAX };
    sc.recs = malloc(sc.cap * sizeof *sc.recs);
    sc.rids = malloc(sc.cap * sizeof *sc.rids);
    sc.dup = malloc(sc.cap * sizeof *sc.dup);
    int failed = !sc.recs || !sc.rids || !sc.dup;
    if (!failed)
        failed = strcmp(x->kind, "alert") ? store_line(&sc, r->body, r->len)
                                              : each_line(r->body, r->len, store_line, &sc);
    failed = failed || store_flush(&sc, 1);
    free(sc.recs);
    free(sc.rids);
    free(sc.dup);
    if (failed)
        return err_reply(500, "store failed");
    return (reply){ 201, json_pack("{s:I, s:I}", "stored", (json_int_t)sc.stored, "duplicates",
                                   (json_int_t)sc.dups) };
}

static reply h_users_get(ctx *x)
{
    return (reply){ 200, comb_store_users(x->db) };
}

static reply h_users_post(ctx *x)
{
    json_t *d = json_loadb(x->r->body ? x->r->body : "", x->r->len, 0, NULL);
    const char *name = json_string_value(json_object_get(d, "name"));
    const char *pw = json_string_value(json_object_get(d, "password"));
    comb_role role = comb_role_parse(json_string_value(json_object_get(d, "role")));
    comb_err e;
    reply rp;
    if (!name || !pw || role == COMB_ROLE_NONE)
        rp = err_reply(400, "name, password and role (viewer, operator, admin) are needed");
    else if (comb_store_user_put(x->db, name, pw, role, &e))
        rp = err_reply(400, e.msg);
    else
        rp = (reply){ 201, json_pack("{s:s, s:s}", "name", name, "role", comb_role_name(role)) };
    json_decref(d);
    return rp;
}

static reply h_audit(ctx *x)
{
    return (reply){ 200, comb_store_audit_list(x->db, 1000) };
}

/* ---- routing ---- */

typedef struct route {
    const char *method, *path;
    comb_role role;      /* least role; NONE: no authentication */
    int basic;           /* authenticated by a user's password instead of a token */
    reply (*fn)(ctx *);
} route;

static const route routes[] = {
    { "GET", "/api/v1/health", COMB_ROLE_NONE, 0, h_health },
    { "POST", "/api/v1/tokens", COMB_ROLE_VIEWER, 1, h_token },
    { "GET", "/api/v1/nodes", COMB_ROLE_VIEWER, 0, h_nodes },
    { "GET", "/api/v1/nodes/{node}/{kind}", COMB_ROLE_VIEWER, 0, h_records_get },
    { "POST", "/api/v1/nodes/{node}/{kind}", COMB_ROLE_OPERATOR, 0, h_records_post },
    { "GET", "/api/v1/users", COMB_ROLE_ADMIN, 0, h_users_get },
    { "POST", "/api/v1/users", COMB_ROLE_ADMIN, 0, h_users_post },
    { "GET", "/api/v1/audit", COMB_ROLE_ADMIN, 0, h_audit },
    /* the web console's views (server/views.c) */
    { "GET", "/api/v1/overview", COMB_ROLE_VIEWER, 0, comb_view_overview },
    { "GET", "/api/v1/assets", COMB_ROLE_VIEWER, 0, comb_view_assets },
    { "GET", "/api/v1/assets/{id}", COMB_ROLE_VIEWER, 0, comb_view_asset },
    { "GET", "/api/v1/graph", COMB_ROLE_VIEWER, 0, comb_view_graph },
    { "GET", "/api/v1/images", COMB_ROLE_VIEWER, 0, comb_view_images },
    { "GET", "/api/v1/images/{id}/vulnerabilities", COMB_ROLE_VIEWER, 0, comb_view_image_vulns },
    { "GET", "/api/v1/compliance", COMB_ROLE_VIEWER, 0, comb_view_compliance },
    { "GET", "/api/v1/alerts", COMB_ROLE_VIEWER, 0, comb_view_alerts },
    { "GET", "/harbor/api/v1/metadata", COMB_ROLE_VIEWER, 0, comb_harbor_metadata },
    { "POST", "/harbor/api/v1/scan", COMB_ROLE_OPERATOR, 0, comb_harbor_scan },
    { "GET", "/harbor/api/v1/scan/{id}/report", COMB_ROLE_VIEWER, 0, comb_harbor_report },
};

void comb_server_routes(void (*fn)(void *ud, const char *method, const char *path, comb_role role), void *ud)
{
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
        fn(ud, routes[i].method, routes[i].path, routes[i].role);
}

/* Match url against a template; {node}, {kind} and {id} capture one
 * segment of safe characters. */
static int match(const char *tmpl, const char *url, ctx *x)
{
    if (strlen(url) > 4096)
        return 0;
    while (*tmpl && *url) {
        if (*tmpl == '{') {
            const char *close = strchr(tmpl, '}');
            size_t n = strcspn(url, "/");
            char *dst = !strncmp(tmpl, "{node}", 6) ? x->node : !strncmp(tmpl, "{id}", 4) ? x->id : x->kind;
            size_t cap = dst == x->kind ? sizeof x->kind : sizeof x->node;
            if (!close || n == 0 || n >= cap)
                return 0;
            memcpy(dst, url, n);
            dst[n] = '\0';
            if (!comb_container_safe_id(dst))
                return 0;
            tmpl = close + 1;
            url += n;
            continue;
        }
        if (*tmpl++ != *url++)
            return 0;
    }
    return !*tmpl && !*url;
}

/* The route of method and url, its captures in x (see comb_server_route). */
static int route_find(const char *method, const char *url, ctx *x)
{
    int found = -1;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
        if (match(routes[i].path, url, x)) {
            if (!strcmp(routes[i].method, method))
                return (int)i;
            found = -2;
        }
    return found;
}

int comb_server_route(const char *method, const char *url, char node[129], char kind[32])
{
    ctx x;
    memset(&x, 0, sizeof x);
    int found = route_find(method, url, &x);
    memcpy(node, x.node, sizeof x.node);
    memcpy(kind, x.kind, sizeof x.kind);
    return found;
}

static int rate_take(comb_server *s, const char *addr)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    size_t i = 0;
    while (i < s->nclients && strcmp(s->clients[i].addr, addr))
        i++;
    if (i == s->nclients) {
        if (s->nclients == MAX_CLIENTS) {
            /* reuse the least recently seen entry */
            i = 0;
            for (size_t k = 1; k < s->nclients; k++)
                if (s->clients[k].last.tv_sec < s->clients[i].last.tv_sec)
                    i = k;
        } else {
            s->nclients++;
        }
        snprintf(s->clients[i].addr, sizeof s->clients[i].addr, "%s", addr);
        s->clients[i].tokens = 2.0 * s->o.rate;
        s->clients[i].last = now;
    }
    double dt = (double)(now.tv_sec - s->clients[i].last.tv_sec) + (now.tv_nsec - s->clients[i].last.tv_nsec) / 1e9;
    s->clients[i].last = now;
    s->clients[i].tokens += dt * s->o.rate;
    if (s->clients[i].tokens > 2.0 * s->o.rate)
        s->clients[i].tokens = 2.0 * s->o.rate;
    if (s->clients[i].tokens < 1.0)
        return 0;
    s->clients[i].tokens -= 1.0;
    return 1;
}

static int rate_ok(comb_server *s, const char *addr)
{
    pthread_mutex_lock(&s->rate_mu);
    int ok = rate_take(s, addr);
    pthread_mutex_unlock(&s->rate_mu);
    return ok;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, const ctx *x, reply rp, int challenge)
{
    char *text = rp.body ? json_dumps(rp.body, JSON_COMPACT) : NULL;
    json_decref(rp.body);
    const char *t = text ? text : "{}";
    struct MHD_Response *res = MHD_create_response_from_buffer(strlen(t), (void *)t, MHD_RESPMEM_MUST_COPY);
    free(text);
    if (!res)
        return MHD_NO;
    MHD_add_response_header(res, "Content-Type", x->content_type ? x->content_type : "application/json");
    for (size_t i = 0; i < sizeof x->header / sizeof *x->header; i++)
        if (x->header[i].name)
            MHD_add_response_header(res, x->header[i].name, x->header[i].value);
    MHD_add_response_header(res, "Cache-Control", "no-store");
    if (challenge)
        MHD_add_response_header(res, "WWW-Authenticate", challenge == 2 ? "Basic realm=\"comb\"" : "Bearer");
    if (rp.status == 429)
        MHD_add_response_header(res, "Retry-After", "1");
    enum MHD_Result r = MHD_queue_response(c, (unsigned)rp.status, res);
    MHD_destroy_response(res);
    return r;
}

static void client_addr(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "?");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)n);
}

/* Mutual TLS: the peer sent a certificate chain that verifies against the
 * client CA (MHD_OPTION_HTTPS_MEM_TRUST makes GnuTLS ask for it). */
static int client_verified(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session)
        return 0;
    gnutls_session_t tls = (gnutls_session_t)ci->tls_session;
    unsigned n = 0, status = 1;
    if (!gnutls_certificate_get_peers(tls, &n) || n == 0)
        return 0;
    return gnutls_certificate_verify_peers2(tls, &status) == GNUTLS_E_SUCCESS && status == 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    comb_server *s = cls;
    req *r = *con_cls;
    if (!r) {
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->too_big || r->len + *upload_size > COMB_SERVER_MAX_BODY) {
            r->too_big = 1;
        } else {
            if (r->len + *upload_size + 1 > r->cap) {
                size_t nc = (r->len + *upload_size + 1) * 2;
                char *nb = realloc(r->body, nc);
                if (!nb)
                    return MHD_NO;
                r->body = nb;
                r->cap = nc;
            }
            memcpy(r->body + r->len, upload, *upload_size);
            r->len += *upload_size;
            r->body[r->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    char addr[64];
    client_addr(c, addr, sizeof addr);
    ctx x = { .s = s, .db = s->db, .c = c, .method = method, .r = r, .client = addr, .url = url };
    reply rp;
    int challenge = 0;
    const route *rt = NULL;
    if (!rate_ok(s, addr)) {
        rp = err_reply(429, "too many requests");
        goto done;
    }
    if (s->ca && !client_verified(c)) {
        rp = err_reply(401, "a client certificate signed by the server's client CA is needed");
        goto done;
    }
    int ri = route_find(method, url, &x);
    if (ri == -1 && s->o.console && comb_static_wants(method, url))
        return comb_static_serve(c, s->o.console, url); /* the web console's files; not audited */
    if (ri < 0) {
        rp = err_reply(ri == -2 ? 405 : 404, ri == -2 ? "method not allowed" : "not found");
        goto done;
    }
    rt = &routes[ri];
    if (r->too_big) {
        rp = err_reply(413, "request body too large");
        goto done;
    }
    if (rt->role != COMB_ROLE_NONE) {
        if (rt->basic) {
            char *pass = NULL;
            char *user = MHD_basic_auth_get_username_password(c, &pass);
            if (user && pass) {
                x.role = comb_store_user_check(s->db, user, pass);
                /* a local user first; else the directory, when there is one */
                if (x.role == COMB_ROLE_NONE && s->o.ldap.url && comb_ldap_check(&s->o.ldap, user, pass))
                    x.role = s->o.ldap_role;
                snprintf(x.user, sizeof x.user, "%s", user);
            }
            if (user)
                MHD_free(user);
            if (pass)
                MHD_free(pass);
            challenge = 2;
        } else {
            const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
            if (h && !strncmp(h, "Bearer ", 7))
                x.role = comb_store_token_check(s->db, h + 7, x.user, sizeof x.user);
            challenge = 1;
        }
        if (x.role == COMB_ROLE_NONE) {
            rp = err_reply(401, "authentication required");
            goto done;
        }
        if (x.role < rt->role) {
            challenge = 0;
            rp = err_reply(403, "your role does not allow this");
            goto done;
        }
        challenge = 0;
    }
    rp = rt->fn(&x);
done:
    if (!x.audited)
        comb_store_audit(s->db, x.user, addr, method, url, rp.status);
    return send_reply(c, &x, rp, rp.status == 401 ? challenge : 0);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    (void)cls, (void)c, (void)t;
    req *r = *con_cls;
    if (r) {
        free(r->body);
        free(r);
    }
    *con_cls = NULL;
}

static char *read_pem(const char *path, comb_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned char *buf;
    size_t len;
    if (fd < 0) {
        comb_fail(err, COMB_EIO, "%s: cannot open", path);
        return NULL;
    }
    if (comb_read_fd(fd, 1u << 20, path, &buf, &len, err))
        return NULL;
    return (char *)buf;
}

/* Everything of s but its daemon (stopped first by comb_server_stop). */
static void server_free(comb_server *s)
{
    comb_harbor_stop(s->harbor);
    pthread_mutex_destroy(&s->rate_mu);
    free(s->cert);
    free(s->key);
    free(s->ca);
    free(s);
}

comb_code comb_server_start(const comb_server_opts *o, comb_store_db *db, comb_server **out, comb_err *err)
{
    comb_server *s = calloc(1, sizeof *s);
    if (!s)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    pthread_mutex_init(&s->rate_mu, NULL);
    s->db = db;
    s->o = *o;
    if (!s->o.token_ttl)
        s->o.token_ttl = 3600;
    if (!s->o.rate)
        s->o.rate = 50;
    if (!s->o.ldap_role)
        s->o.ldap_role = COMB_ROLE_VIEWER;
    if (s->o.ldap.url && (!s->o.ldap.dn_template || !comb_ldap_template_ok(s->o.ldap.dn_template))) {
        server_free(s);
        return comb_fail(err, COMB_EINVAL, "LDAP needs a user DN template with one %%s");
    }
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->port) };
    if (inet_pton(AF_INET, o->address ? o->address : "127.0.0.1", &sa.sin_addr) != 1) {
        server_free(s);
        return comb_fail(err, COMB_EINVAL, "listen address %s: not an IPv4 address", o->address);
    }
    /* a thread per connection: a request waits for its group commit
     * (server/store_commit.c) without holding up the others */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (o->client_ca && !o->tls_cert) {
        server_free(s);
        return comb_fail(err, COMB_EINVAL, "a client CA (mutual TLS) needs TLS: a certificate and a key");
    }
    if (o->tls_cert || o->tls_key) {
        if (!o->tls_cert || !o->tls_key) {
            server_free(s);
            return comb_fail(err, COMB_EINVAL, "TLS needs both a certificate and a key");
        }
        if (!(s->cert = read_pem(o->tls_cert, err)) || !(s->key = read_pem(o->tls_key, err)) ||
            (o->client_ca && !(s->ca = read_pem(o->client_ca, err)))) {
            server_free(s);
            return COMB_EIO;
        }
        flags |= MHD_USE_TLS;
    }
    /* bounded: 64 connections, 16 per client address, each body <= 32 MiB */
    struct MHD_OptionItem tls[] = {
        { s->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->cert },
        { MHD_OPTION_HTTPS_MEM_KEY, 0, s->key },
        { s->ca ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, s->ca },
        { MHD_OPTION_END, 0, NULL },
    };
    comb_code hrc = comb_harbor_start(o->vuln_db, o->harbor_queue, &s->harbor, err);
    s->d = hrc ? NULL : MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16, MHD_OPTION_ARRAY, tls,
                            MHD_OPTION_END);
    if (!s->d) {
        server_free(s);
        if (hrc)
            return hrc;
        return comb_fail(err, COMB_EIO, "cannot listen on %s:%u (in use, or the TLS files are not PEM)",
                         o->address ? o->address : "127.0.0.1", o->port);
    }
    *out = s;
    return COMB_OK;
}

void comb_server_stop(comb_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->d);
    server_free(s);
}
