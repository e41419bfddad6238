/* harbor.c - see harbor.h. */
#include "server/harbor.h"

#include <ctype.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/server/parse.h"
#include "registry/server/workq.h"
#include "server/harbor_scan.h"
#include "vuln/vulndb.h"

#define REFRESH_AFTER "5" /* seconds Harbor waits before polling a report again */

enum job_state { JOB_FREE = 0, JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED };

typedef struct job {
    enum job_state state;
    char id[33];
    uint64_t seq;              /* order of arrival: the oldest finished job is dropped first */
    comb_harbor_request *rq;   /* while queued (holds the Authorization); freed by the worker */
    json_t *report;            /* JOB_DONE: the v1.1 report */
    char error[COMB_ERR_MSG_MAX]; /* JOB_FAILED */
    int recorded;              /* stored as a "scan" record of node "harbor" */
} job;

struct comb_harbor {
    pthread_mutex_t mu;
    job jobs[COMB_HARBOR_KEEP];
    uint64_t seq;
    char db_path[4096];
    rs_workq *q;
};

/* ---- jobs ---- */

static job *find_job(comb_harbor *h, const char *id)
{
    for (size_t i = 0; i < COMB_HARBOR_KEEP; i++)
        if (h->jobs[i].state != JOB_FREE && !strcmp(h->jobs[i].id, id))
            return &h->jobs[i];
    return NULL;
}

static void free_request(comb_harbor_request *rq)
{
    if (rq)
        OPENSSL_cleanse(rq, sizeof *rq);
    free(rq);
}

/* A free slot, else the oldest finished job's; NULL when every slot holds
 * a scan not yet done. */
static job *take_slot(comb_harbor *h)
{
    job *old = NULL;
    for (size_t i = 0; i < COMB_HARBOR_KEEP; i++) {
        job *j = &h->jobs[i];
        if (j->state == JOB_FREE)
            return j;
        if ((j->state == JOB_DONE || j->state == JOB_FAILED) && (!old || j->seq < old->seq))
            old = j;
    }
    if (old) {
        json_decref(old->report);
        memset(old, 0, sizeof *old);
    }
    return old;
}

static void work(void *vh, void *item)
{
    comb_harbor *h = vh;
    char *id = item;
    pthread_mutex_lock(&h->mu);
    job *j = find_job(h, id);
    comb_harbor_request *rq = j ? j->rq : NULL;
    if (j) {
        j->rq = NULL;
        j->state = JOB_RUNNING;
    }
    pthread_mutex_unlock(&h->mu);
    if (!rq) {
        free(id);
        return;
    }
    comb_err err = { 0 };
    json_t *report = NULL;
    comb_harbor_run(h->db_path, rq, &report, &err); /* err names the registry and image */
    pthread_mutex_lock(&h->mu);
    if ((j = find_job(h, id))) {
        j->report = report;
        j->state = report ? JOB_DONE : JOB_FAILED;
        if (!report)
            snprintf(j->error, sizeof j->error, "%s", err.msg);
        report = NULL;
    }
    pthread_mutex_unlock(&h->mu);
    json_decref(report);
    free_request(rq);
    free(id);
}

comb_code comb_harbor_start(const char *vuln_db, unsigned queue, comb_harbor **out, comb_err *err)
{
    comb_harbor *h = calloc(1, sizeof *h);
    if (!h)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    char def[4096];
    const char *db = vuln_db ? vuln_db : comb_vulndb_default_path(def, sizeof def);
    snprintf(h->db_path, sizeof h->db_path, "%s", db ? db : "");
    pthread_mutex_init(&h->mu, NULL);
    comb_code rc = rs_workq_start(queue ? queue : COMB_HARBOR_QUEUE, work, h, &h->q, err);
    if (rc) {
        pthread_mutex_destroy(&h->mu);
        free(h);
        return rc;
    }
    *out = h;
    return COMB_OK;
}

void comb_harbor_stop(comb_harbor *h)
{
    if (!h)
        return;
    rs_workq_stop(h->q, 0);
    for (size_t i = 0; i < COMB_HARBOR_KEEP; i++) {
        json_decref(h->jobs[i].report);
        free_request(h->jobs[i].rq);
    }
    pthread_mutex_destroy(&h->mu);
    free(h);
}

/* ---- handlers ---- */

/* Harbor's ErrorResponse: {"error": {"message": ...}}. */
static reply harbor_error(ctx *x, int status, const char *msg)
{
    x->content_type = MT_ERROR;
    return (reply){ status, json_pack("{s:{s:s}}", "error", "message", msg) };
}

static reply harbor_reply(ctx *x, int status, json_t *body, const char *content_type)
{
    x->content_type = content_type;
    return (reply){ status, body };
}

reply comb_harbor_metadata(ctx *x)
{
    comb_harbor *h = comb_server_harbor(x->s);
    json_t *props = json_pack("{s:s}", "harbor.scanner-adapter/scanner-type", "os-package-vulnerability");
    char built[64];
    if (comb_harbor_db_built(h->db_path, built, sizeof built))
        json_object_set_new(props, "harbor.scanner-adapter/vulnerability-database-updated-at", json_string(built));
    json_t *m = json_pack("{s:o, s:[{s:[s,s], s:[s,s]}], s:o}", "scanner", comb_harbor_scanner(), "capabilities",
                          "consumes_mime_types", MT_OCI, MT_DOCKER, "produces_mime_types", MT_REPORT_11,
                          MT_REPORT_10, "properties", props);
    return harbor_reply(x, 200, m, MT_METADATA);
}

reply comb_harbor_scan(ctx *x)
{
    comb_harbor *h = comb_server_harbor(x->s);
    comb_harbor_request *rq = malloc(sizeof *rq);
    char why[300], *id = malloc(33);
    if (!rq || !id) {
        free(rq);
        free(id);
        return harbor_error(x, 500, "out of memory");
    }
    int st = comb_harbor_parse_request(x->r->body, x->r->len, rq, why, sizeof why);
    if (st) {
        free_request(rq);
        free(id);
        return harbor_error(x, st, why);
    }
    if (comb_rs_new_id(id)) {
        free_request(rq);
        free(id);
        return harbor_error(x, 500, "no randomness for an id");
    }
    pthread_mutex_lock(&h->mu);
    job *j = take_slot(h);
    if (j) {
        *j = (job){ .state = JOB_QUEUED, .seq = ++h->seq, .rq = rq };
        memcpy(j->id, id, 33);
    }
    pthread_mutex_unlock(&h->mu);
    char idcopy[33];
    memcpy(idcopy, id, sizeof idcopy);
    if (!j || rs_workq_push(h->q, id)) { /* the queue takes id only when it has room */
        if (j) {
            pthread_mutex_lock(&h->mu);
            memset(j, 0, sizeof *j);
            pthread_mutex_unlock(&h->mu);
        }
        free_request(rq);
        free(id);
        return harbor_error(x, 503, "the scan queue is full; try again later");
    }
    return harbor_reply(x, 202, json_pack("{s:s}", "id", idcopy), MT_SCAN_RESPONSE);
}

/* The report MIME type the Accept header asks for; NULL when it names
 * neither (a missing Accept or * / * gets the Harbor 1.0 one). */
static const char *pick_mime(const char *accept)
{
    if (!accept || !*accept)
        return MT_REPORT_10;
    static const char *const ours[] = { MT_REPORT_11, MT_REPORT_10 };
    const char *p = accept;
    while (*p) {
        size_t n = strcspn(p, ",");
        char want[200], have[200];
        size_t k = 0;
        for (size_t i = 0; i < n && k + 1 < sizeof want; i++)
            if (!isspace((unsigned char)p[i]))
                want[k++] = (char)tolower((unsigned char)p[i]);
        want[k] = '\0';
        if (!strcmp(want, "*/*") || !strncmp(want, "*/*;", 4))
            return MT_REPORT_10;
        for (size_t m = 0; m < 2; m++) {
            size_t q = 0;
            for (const char *s = ours[m]; *s && q + 1 < sizeof have; s++)
                if (*s != ' ')
                    have[q++] = *s;
            have[q] = '\0';
            if (!strcmp(want, have))
                return ours[m];
        }
        p += n;
        if (*p)
            p++;
    }
    return NULL;
}

/* The v1.0 Harbor report has no CVSS, CWE or vendor attributes. */
static json_t *render(json_t *report, const char *mime)
{
    if (!strcmp(mime, MT_REPORT_11))
        return json_incref(report);
    json_t *r = json_deep_copy(report);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "vulnerabilities"), i, v) {
        json_object_del(v, "preferred_cvss");
        json_object_del(v, "cwe_ids");
        json_object_del(v, "vendor_attributes");
    }
    return r;
}

reply comb_harbor_report(ctx *x)
{
    comb_harbor *h = comb_server_harbor(x->s);
    const char *mime = pick_mime(MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "Accept"));
    reply rp;
    json_t *to_record = NULL;
    char rid[48];
    pthread_mutex_lock(&h->mu);
    job *j = find_job(h, x->id);
    if (!j) {
        rp = harbor_error(x, 404, "no scan request with this id");
    } else if (!mime) {
        rp = harbor_error(x, 422, "Accept: the reports are " MT_REPORT_11 " and " MT_REPORT_10);
    } else if (j->state == JOB_QUEUED || j->state == JOB_RUNNING) {
        rp = (reply){ 302, NULL };
        x->header[0].name = "Refresh-After";
        snprintf(x->header[0].value, sizeof x->header[0].value, "%s", REFRESH_AFTER);
        x->header[1].name = "Location";
        snprintf(x->header[1].value, sizeof x->header[1].value, "/harbor/api/v1/scan/%s/report", j->id);
    } else if (j->state == JOB_FAILED) {
        rp = harbor_error(x, 500, j->error);
    } else {
        rp = harbor_reply(x, 200, render(j->report, mime), mime);
        if (!j->recorded) {
            j->recorded = 1;
            to_record = json_incref(j->report);
            snprintf(rid, sizeof rid, "harbor-%s", j->id);
        }
    }
    pthread_mutex_unlock(&h->mu);
    /* the console shows Harbor's scans as records of node "harbor" (stored
     * here, on the server's thread, not by the worker) */
    char *text = to_record ? json_dumps(to_record, JSON_COMPACT) : NULL;
    json_decref(to_record);
    if (text) {
        comb_err e = { 0 };
        int dup;
        comb_store_record_add(x->db, "harbor", "scan", rid, text, strlen(text), &dup, &e);
        free(text);
    }
    return rp;
}
