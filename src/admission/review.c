/* review.c - AdmissionReview v1: the request the API server sends to a
 * validating webhook and the response it expects (uid echoed, allowed,
 * status with one line per violated rule, warnings for audit/warn rules). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission/admission.h"

#define MAX_MESSAGE 16384 /* status.message */
#define MAX_WARNINGS 32
#define MAX_WARNING_LEN 250

static comb_code build(json_t *resp, const comb_violations *v, int exempt, int *allowed)
{
    char *msg = malloc(MAX_MESSAGE);
    if (!msg)
        return COMB_ENOMEM;
    size_t used = 0;
    msg[0] = 0;
    json_t *warnings = json_array();
    for (size_t i = 0; i < v->n; i++) {
        const comb_violation *x = &v->v[i];
        char line[1600];
        snprintf(line, sizeof line, "%s (%s): %s: %s", x->rule, x->level, x->path, x->message);
        if (x->mode == COMB_ADM_ENFORCE) {
            int w = snprintf(msg + used, MAX_MESSAGE - used, "%s%s", used ? "\n" : "", line);
            if (w > 0 && (size_t)w < MAX_MESSAGE - used)
                used += (size_t)w;
        } else if (json_array_size(warnings) < MAX_WARNINGS) {
            line[MAX_WARNING_LEN] = 0;
            json_array_append_new(warnings, json_string(line));
        }
    }
    *allowed = used == 0;
    json_object_set_new(resp, "allowed", json_boolean(*allowed));
    if (!*allowed)
        json_object_set_new(resp, "status", json_pack("{s:i, s:s, s:s}", "code", 403, "reason",
                                                      "Forbidden", "message", msg));
    if (json_array_size(warnings))
        json_object_set_new(resp, "warnings", warnings);
    else
        json_decref(warnings);
    if (exempt)
        json_object_set_new(resp, "auditAnnotations",
                            json_pack("{s:s}", "comb.policy/exempt", "true"));
    free(msg);
    return COMB_OK;
}

comb_code comb_adm_review(comb_adm_policy *p, const void *body, size_t len, char **response,
                          int *allowed, comb_err *err)
{
    *response = NULL;
    *allowed = 0;
    if (len > COMB_ADM_MAX_REVIEW)
        return comb_fail(err, COMB_ELIMIT, "AdmissionReview: larger than %u bytes",
                         COMB_ADM_MAX_REVIEW);
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return comb_fail(err, COMB_EFORMAT, "AdmissionReview: JSON: %s at line %d", je.text,
                         je.line);
    comb_code rc = COMB_OK;
    json_t *req = json_object_get(root, "request");
    const char *api = json_string_value(json_object_get(root, "apiVersion"));
    const char *kind = json_string_value(json_object_get(root, "kind"));
    const char *uid = json_string_value(json_object_get(req, "uid"));
    json_t *obj = json_object_get(req, "object");
    if (!api || strcmp(api, "admission.k8s.io/v1") || !kind || strcmp(kind, "AdmissionReview")) {
        rc = comb_fail(err, COMB_EFORMAT, "AdmissionReview: apiVersion admission.k8s.io/v1 and "
                       "kind AdmissionReview expected");
    } else if (!json_is_object(req) || !uid || !*uid || strlen(uid) > 128) {
        rc = comb_fail(err, COMB_EFORMAT, "AdmissionReview: request.uid missing");
    } else if (obj && !json_is_null(obj) && !json_is_object(obj)) {
        rc = comb_fail(err, COMB_EFORMAT, "AdmissionReview: request.object: an object expected");
    }
    if (rc != COMB_OK) {
        json_decref(root);
        return rc;
    }
    comb_violations v = {0};
    int exempt = 0;
    const char *op = json_string_value(json_object_get(req, "operation"));
    comb_adm_subject sub = {
        .ns = json_string_value(json_object_get(req, "namespace")),
        .username = json_string_value(json_object_get(json_object_get(req, "userInfo"),
                                                      "username")),
    };
    if (json_is_object(obj) && (!op || !strcmp(op, "CREATE") || !strcmp(op, "UPDATE")))
        rc = comb_adm_eval_object(p, obj, &sub, &v, &exempt, err);
    json_t *resp = json_pack("{s:s}", "uid", uid);
    if (rc == COMB_OK && !resp)
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
    if (rc == COMB_OK && build(resp, &v, exempt, allowed) != COMB_OK)
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_violations_free(&v);
    json_t *out = NULL;
    if (rc == COMB_OK)
        out = json_pack("{s:s, s:s, s:O}", "apiVersion", "admission.k8s.io/v1", "kind",
                        "AdmissionReview", "response", resp);
    json_decref(resp);
    json_decref(root);
    if (rc != COMB_OK)
        return rc;
    *response = out ? json_dumps(out, JSON_COMPACT) : NULL;
    json_decref(out);
    if (!*response)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    return COMB_OK;
}
