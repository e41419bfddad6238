/* object.c - Kubernetes objects: where a workload keeps its pod, manifest
 * files (JSON or multi-document YAML, List kinds), evaluation of one
 * object under a policy, and the violation list. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission/admission.h"
#include "core/yaml_json.h"

void comb_violations_free(comb_violations *vs)
{
    for (size_t i = 0; i < vs->n; i++) {
        free(vs->v[i].path);
        free(vs->v[i].message);
    }
    free(vs->v);
    memset(vs, 0, sizeof *vs);
}

comb_code comb_violation_add(comb_violations *vs, const char *rule, const char *title,
                             const char *level, const char *fix, comb_adm_mode mode,
                             const char *path, const char *fmt, ...)
{
    if (vs->n >= COMB_ADM_MAX_VIOLATIONS)
        return COMB_ELIMIT;
    if (vs->n == vs->cap) {
        size_t nc = vs->cap ? vs->cap * 2 : 16;
        comb_violation *nv = realloc(vs->v, nc * sizeof *nv);
        if (!nv)
            return COMB_ENOMEM;
        vs->v = nv;
        vs->cap = nc;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    comb_violation *v = &vs->v[vs->n];
    v->rule = rule;
    v->title = title;
    v->level = level;
    v->fix = fix;
    v->mode = mode;
    v->path = strdup(path);
    v->message = strdup(msg);
    if (!v->path || !v->message) {
        free(v->path);
        free(v->message);
        return COMB_ENOMEM;
    }
    vs->n++;
    return COMB_OK;
}

static const char *const level_names[] = {"privileged", "baseline", "restricted"};
static const char *const mode_names[] = {"enforce", "audit", "warn"};

int comb_pss_level_parse(const char *s, comb_pss_level *out)
{
    for (int i = 0; i < 3; i++) {
        if (s && !strcmp(s, level_names[i])) {
            *out = (comb_pss_level)i;
            return 0;
        }
    }
    return -1;
}

const char *comb_pss_level_name(comb_pss_level l) { return level_names[l]; }

int comb_adm_mode_parse(const char *s, comb_adm_mode *out)
{
    for (int i = 0; i < 3; i++) {
        if (s && !strcmp(s, mode_names[i])) {
            *out = (comb_adm_mode)i;
            return 0;
        }
    }
    return -1;
}

const char *comb_adm_mode_name(comb_adm_mode m) { return mode_names[m]; }

int comb_adm_pod_template(json_t *obj, json_t **spec, json_t **meta, const char **spec_path,
                          const char **meta_path)
{
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    if (!kind)
        return 0;
    json_t *tmpl = NULL;
    if (!strcmp(kind, "Pod")) {
        *spec = json_object_get(obj, "spec");
        *meta = json_object_get(obj, "metadata");
        *spec_path = "spec";
        *meta_path = "metadata";
        return json_is_object(*spec);
    }
    if (!strcmp(kind, "Deployment") || !strcmp(kind, "ReplicaSet") ||
        !strcmp(kind, "StatefulSet") || !strcmp(kind, "DaemonSet") || !strcmp(kind, "Job") ||
        !strcmp(kind, "ReplicationController")) {
        tmpl = json_object_get(json_object_get(obj, "spec"), "template");
        *spec_path = "spec.template.spec";
        *meta_path = "spec.template.metadata";
    } else if (!strcmp(kind, "CronJob")) {
        json_t *jt = json_object_get(json_object_get(obj, "spec"), "jobTemplate");
        tmpl = json_object_get(json_object_get(jt, "spec"), "template");
        *spec_path = "spec.jobTemplate.spec.template.spec";
        *meta_path = "spec.jobTemplate.spec.template.metadata";
    } else if (!strcmp(kind, "PodTemplate")) {
        tmpl = json_object_get(obj, "template");
        *spec_path = "template.spec";
        *meta_path = "template.metadata";
    }
    if (!tmpl)
        return 0;
    *spec = json_object_get(tmpl, "spec");
    *meta = json_object_get(tmpl, "metadata");
    return json_is_object(*spec);
}

static int str_in(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (s && !strcmp(list[i], s))
            return 1;
    }
    return 0;
}

/* Prefix the paths of violations [from, n) with "prefix." */
static comb_code prefix_paths(comb_violations *vs, size_t from, const char *prefix)
{
    for (size_t i = from; i < vs->n; i++) {
        size_t len = strlen(prefix) + strlen(vs->v[i].path) + 2;
        char *p = malloc(len);
        if (!p)
            return COMB_ENOMEM;
        snprintf(p, len, "%s.%s", prefix, vs->v[i].path);
        free(vs->v[i].path);
        vs->v[i].path = p;
    }
    return COMB_OK;
}

static comb_code eval_one(comb_adm_policy *p, json_t *obj, const comb_adm_subject *sub,
                          comb_violations *out, int *exempt, int depth, comb_err *err)
{
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    json_t *items = json_object_get(obj, "items");
    if (kind && strlen(kind) >= 4 && !strcmp(kind + strlen(kind) - 4, "List") &&
        json_is_array(items)) {
        if (depth > 0)
            return comb_fail(err, COMB_EFORMAT, "a List inside a List");
        if (json_array_size(items) > COMB_ADM_MAX_LIST)
            return comb_fail(err, COMB_ELIMIT, "List: more than %u items", COMB_ADM_MAX_LIST);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it) {
            size_t from = out->n;
            int ex = 0;
            comb_code rc = eval_one(p, it, sub, out, &ex, depth + 1, err);
            char pre[64];
            snprintf(pre, sizeof pre, "items[%zu]", i);
            if (rc != COMB_OK) {
                comb_err_prefix(err, "%s", pre);
                return rc;
            }
            if ((rc = prefix_paths(out, from, pre)) != COMB_OK)
                return comb_fail(err, rc, "out of memory");
        }
        return COMB_OK;
    }
    json_t *spec, *meta;
    const char *sp, *mp;
    if (!json_is_object(obj) || !comb_adm_pod_template(obj, &spec, &meta, &sp, &mp))
        return COMB_OK;
    const char *ns = sub && sub->ns ? sub->ns
                     : json_string_value(json_object_get(json_object_get(obj, "metadata"),
                                                         "namespace"));
    if (!ns || !*ns)
        ns = "default";
    if (str_in(p->exempt_namespaces, p->n_exempt_namespaces, ns) ||
        (sub && sub->username && str_in(p->exempt_users, p->n_exempt_users, sub->username))) {
        *exempt = 1;
        return COMB_OK;
    }
    comb_code rc = comb_pss_check(spec, meta, sp, mp, comb_adm_policy_level(p, ns), p->pss_mode,
                                  out, err);
    if (rc == COMB_OK)
        rc = comb_adm_check_images(p, spec, sp, out, err);
    return rc;
}

comb_code comb_adm_eval_object(comb_adm_policy *p, json_t *obj, const comb_adm_subject *sub,
                               comb_violations *out, int *exempt, comb_err *err)
{
    *exempt = 0;
    return eval_one(p, obj, sub, out, exempt, 0, err);
}

comb_code comb_adm_parse_manifests(const void *data, size_t len, const char *name,
                                   json_t **docs, comb_err *err)
{
    if (len > COMB_ADM_MAX_MANIFEST)
        return comb_fail(err, COMB_ELIMIT, "%s: larger than %u bytes", name,
                         COMB_ADM_MAX_MANIFEST);
    const unsigned char *d = data;
    size_t i = 0;
    while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    if (i < len && (d[i] == '{' || d[i] == '[')) {
        json_error_t je;
        json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
        if (!root)
            return comb_fail(err, COMB_EFORMAT, "%s: JSON: %s at line %d", name, je.text,
                             je.line);
        json_t *arr = json_array();
        if (!arr || json_array_append_new(arr, root)) {
            json_decref(arr);
            return comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
        }
        *docs = arr;
        return COMB_OK;
    }
    char msg[512];
    json_t *arr = comb_yaml_docs_to_json(data, len, COMB_ADM_MAX_DOCS, msg, sizeof msg);
    if (!arr)
        return comb_fail(err, COMB_EFORMAT, "%s: %s", name, msg);
    *docs = arr;
    return COMB_OK;
}
