/* policy.c - the admission policy file (docs/ADMISSION.md): Pod Security
 * Standards level per namespace, exemptions, image rules and modes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission/admission.h"
#include "admission/adm_internal.h"
#include "core/yaml_json.h"

#define MAX_POLICY (1u << 20)

void comb_adm_policy_default(comb_adm_policy *p)
{
    memset(p, 0, sizeof *p);
    p->pss_default = COMB_PSS_RESTRICTED;
    p->pss_mode = COMB_ADM_ENFORCE;
    p->image_mode = COMB_ADM_ENFORCE;
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void comb_adm_policy_free(comb_adm_policy *p)
{
    for (size_t i = 0; i < p->n_ns_levels; i++)
        free(p->ns_levels[i].ns);
    free(p->ns_levels);
    free_strs(p->exempt_namespaces, p->n_exempt_namespaces);
    free_strs(p->exempt_users, p->n_exempt_users);
    free_strs(p->allowed_registries, p->n_allowed_registries);
    free(p->trust_policy);
    free(p->max_severity);
    free(p->scan_results);
    comb_adm_images_free(p->images);
    memset(p, 0, sizeof *p);
}

comb_pss_level comb_adm_policy_level(const comb_adm_policy *p, const char *ns)
{
    for (size_t i = 0; i < p->n_ns_levels; i++) {
        if (ns && !strcmp(p->ns_levels[i].ns, ns))
            return p->ns_levels[i].level;
    }
    return p->pss_default;
}

static comb_code strings(json_t *v, const char *name, const char *field, char ***out, size_t *n,
                         comb_err *err)
{
    if (!v || json_is_null(v))
        return COMB_OK;
    if (!json_is_array(v) || json_array_size(v) > COMB_ADM_MAX_PATTERNS)
        return comb_fail(err, COMB_EFORMAT, "%s: %s: a list of at most %d strings expected",
                         name, field, COMB_ADM_MAX_PATTERNS);
    *out = calloc(json_array_size(v) + 1, sizeof **out);
    if (!*out)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    size_t i;
    json_t *s;
    json_array_foreach(v, i, s) {
        if (!json_is_string(s) || !json_string_length(s) ||
            strlen(json_string_value(s)) != json_string_length(s))
            return comb_fail(err, COMB_EFORMAT, "%s: %s[%zu]: a non-empty string expected",
                             name, field, i);
        if (!((*out)[i] = strdup(json_string_value(s))))
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        (*n)++;
    }
    return COMB_OK;
}

static comb_code string(json_t *v, const char *name, const char *field, char **out, comb_err *err)
{
    if (!v || json_is_null(v))
        return COMB_OK;
    if (!json_is_string(v) || !json_string_length(v) ||
        strlen(json_string_value(v)) != json_string_length(v))
        return comb_fail(err, COMB_EFORMAT, "%s: %s: a non-empty string expected", name, field);
    free(*out);
    if (!(*out = strdup(json_string_value(v))))
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    return COMB_OK;
}

static comb_code boolean(json_t *v, const char *name, const char *field, int *out, comb_err *err)
{
    if (!v || json_is_null(v))
        return COMB_OK;
    if (!json_is_boolean(v))
        return comb_fail(err, COMB_EFORMAT, "%s: %s: true or false expected", name, field);
    *out = json_is_true(v);
    return COMB_OK;
}

static comb_code mode(json_t *v, const char *name, const char *field, comb_adm_mode *out,
                      comb_err *err)
{
    if (!v || json_is_null(v))
        return COMB_OK;
    if (comb_adm_mode_parse(json_string_value(v), out))
        return comb_fail(err, COMB_EFORMAT, "%s: %s: enforce, audit or warn expected", name,
                         field);
    return COMB_OK;
}

static comb_code level(json_t *v, const char *name, const char *field, comb_pss_level *out,
                       comb_err *err)
{
    if (!v || json_is_null(v))
        return COMB_OK;
    if (comb_pss_level_parse(json_string_value(v), out))
        return comb_fail(err, COMB_EFORMAT,
                         "%s: %s: privileged, baseline or restricted expected", name, field);
    return COMB_OK;
}

static comb_code known_keys(json_t *o, const char *const *keys, const char *name,
                            const char *where, comb_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        int ok = 0;
        for (size_t i = 0; keys[i]; i++)
            ok |= !strcmp(keys[i], k);
        if (!ok)
            return comb_fail(err, COMB_EFORMAT, "%s: %s: unknown field \"%s\"", name, where, k);
    }
    return COMB_OK;
}

static comb_code parse(json_t *root, const char *name, comb_adm_policy *p, comb_err *err)
{
    static const char *const top[] = {"apiVersion", "kind", "podSecurity", "images", NULL};
    static const char *const pssk[] = {"level", "mode", "namespaces", "exemptions", NULL};
    static const char *const exk[] = {"namespaces", "usernames", NULL};
    static const char *const imk[] = {"mode", "allowedRegistries", "disallowLatest",
                                      "requireDigest", "requireSignature", "trustPolicy",
                                      "maxSeverity", "scanResults", NULL};
    comb_code rc;
    if (!json_is_object(root))
        return comb_fail(err, COMB_EFORMAT, "%s: a mapping expected", name);
    if ((rc = known_keys(root, top, name, "policy", err)))
        return rc;
    const char *kind = json_string_value(json_object_get(root, "kind"));
    if (kind && strcmp(kind, "AdmissionPolicy"))
        return comb_fail(err, COMB_EFORMAT, "%s: kind: AdmissionPolicy expected", name);
    json_t *pss = json_object_get(root, "podSecurity");
    if (pss && !json_is_object(pss))
        return comb_fail(err, COMB_EFORMAT, "%s: podSecurity: a mapping expected", name);
    if ((rc = known_keys(pss, pssk, name, "podSecurity", err)) ||
        (rc = level(json_object_get(pss, "level"), name, "podSecurity.level", &p->pss_default,
                    err)) ||
        (rc = mode(json_object_get(pss, "mode"), name, "podSecurity.mode", &p->pss_mode, err)))
        return rc;
    json_t *nss = json_object_get(pss, "namespaces");
    if (nss && !json_is_object(nss))
        return comb_fail(err, COMB_EFORMAT, "%s: podSecurity.namespaces: a mapping expected",
                         name);
    if (json_object_size(nss) > COMB_ADM_MAX_PATTERNS)
        return comb_fail(err, COMB_ELIMIT, "%s: podSecurity.namespaces: more than %d", name,
                         COMB_ADM_MAX_PATTERNS);
    if (nss) {
        p->ns_levels = calloc(json_object_size(nss) + 1, sizeof *p->ns_levels);
        if (!p->ns_levels)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        const char *k;
        json_t *v;
        json_object_foreach(nss, k, v) {
            comb_adm_ns_level *l = &p->ns_levels[p->n_ns_levels];
            if ((rc = level(v, name, "podSecurity.namespaces", &l->level, err)))
                return rc;
            if (!json_is_string(v))
                return comb_fail(err, COMB_EFORMAT, "%s: podSecurity.namespaces.%s: a level "
                                 "expected", name, k);
            if (!(l->ns = strdup(k)))
                return comb_fail(err, COMB_ENOMEM, "out of memory");
            p->n_ns_levels++;
        }
    }
    json_t *ex = json_object_get(pss, "exemptions");
    if (ex && !json_is_object(ex))
        return comb_fail(err, COMB_EFORMAT, "%s: podSecurity.exemptions: a mapping expected",
                         name);
    if ((rc = known_keys(ex, exk, name, "podSecurity.exemptions", err)) ||
        (rc = strings(json_object_get(ex, "namespaces"), name, "podSecurity.exemptions.namespaces",
                      &p->exempt_namespaces, &p->n_exempt_namespaces, err)) ||
        (rc = strings(json_object_get(ex, "usernames"), name, "podSecurity.exemptions.usernames",
                      &p->exempt_users, &p->n_exempt_users, err)))
        return rc;

    json_t *im = json_object_get(root, "images");
    if (im && !json_is_object(im))
        return comb_fail(err, COMB_EFORMAT, "%s: images: a mapping expected", name);
    if ((rc = known_keys(im, imk, name, "images", err)) ||
        (rc = mode(json_object_get(im, "mode"), name, "images.mode", &p->image_mode, err)) ||
        (rc = strings(json_object_get(im, "allowedRegistries"), name, "images.allowedRegistries",
                      &p->allowed_registries, &p->n_allowed_registries, err)) ||
        (rc = boolean(json_object_get(im, "disallowLatest"), name, "images.disallowLatest",
                      &p->disallow_latest, err)) ||
        (rc = boolean(json_object_get(im, "requireDigest"), name, "images.requireDigest",
                      &p->require_digest, err)) ||
        (rc = boolean(json_object_get(im, "requireSignature"), name, "images.requireSignature",
                      &p->require_signature, err)) ||
        (rc = string(json_object_get(im, "trustPolicy"), name, "images.trustPolicy",
                     &p->trust_policy, err)) ||
        (rc = string(json_object_get(im, "maxSeverity"), name, "images.maxSeverity",
                     &p->max_severity, err)) ||
        (rc = string(json_object_get(im, "scanResults"), name, "images.scanResults",
                     &p->scan_results, err)))
        return rc;
    if (p->max_severity && comb_adm_severity_rank(p->max_severity) < 0)
        return comb_fail(err, COMB_EFORMAT,
                         "%s: images.maxSeverity: low, medium, high or critical expected", name);
    if (p->require_signature && !p->trust_policy)
        return comb_fail(err, COMB_EFORMAT, "%s: images.requireSignature needs images.trustPolicy",
                         name);
    if ((p->require_signature || p->max_severity) && !comb_adm_images_state(p))
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    return COMB_OK;
}

comb_code comb_adm_policy_parse(const void *data, size_t len, const char *name,
                                comb_adm_policy *out, comb_err *err)
{
    comb_adm_policy_default(out);
    if (len > MAX_POLICY)
        return comb_fail(err, COMB_ELIMIT, "%s: larger than %u bytes", name, MAX_POLICY);
    char msg[512];
    json_t *root = comb_yaml_to_json(data, len, msg, sizeof msg);
    if (!root)
        return comb_fail(err, COMB_EFORMAT, "%s: %s", name, msg);
    comb_code rc = parse(root, name, out, err);
    json_decref(root);
    if (rc != COMB_OK)
        comb_adm_policy_free(out);
    return rc;
}
