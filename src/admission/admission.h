/* admission.h - admission decisions over Kubernetes objects: the Pod
 * Security Standards (baseline and restricted, every control) and image
 * rules (registries, tags, digests, signatures, vulnerability findings),
 * driven by a policy file. Shared by `comb policy check` (manifests on disk)
 * and `comb admission serve` (a validating admission webhook).
 *
 * Objects are jansson trees (YAML manifests go through
 * core/yaml_json.h). The library never prints; findings are collected in a
 * comb_violations list and errors name their input. */
#ifndef COMB_ADMISSION_ADMISSION_H
#define COMB_ADMISSION_ADMISSION_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

#define COMB_ADM_MAX_MANIFEST (16u << 20) /* one manifest file */
#define COMB_ADM_MAX_DOCS 10000u          /* documents in one YAML stream */
#define COMB_ADM_MAX_LIST 10000u          /* items of a List */
#define COMB_ADM_MAX_VIOLATIONS 100000u   /* per evaluation run */

typedef enum comb_pss_level {
    COMB_PSS_PRIVILEGED = 0,
    COMB_PSS_BASELINE,
    COMB_PSS_RESTRICTED,
} comb_pss_level;

/* What a violated rule does: deny the object, only record it (audit), or
 * warn the client (webhook warnings). */
typedef enum comb_adm_mode {
    COMB_ADM_ENFORCE = 0,
    COMB_ADM_AUDIT,
    COMB_ADM_WARN,
} comb_adm_mode;

int comb_pss_level_parse(const char *s, comb_pss_level *out);
const char *comb_pss_level_name(comb_pss_level l);
int comb_adm_mode_parse(const char *s, comb_adm_mode *out);
const char *comb_adm_mode_name(comb_adm_mode m);

typedef struct comb_violation {
    const char *rule;  /* stable id: "hostNamespaces", "image.registry", ... (static) */
    const char *title; /* "Host Namespaces" (static) */
    const char *level; /* "baseline", "restricted", "image" (static) */
    const char *fix;   /* how to fix (static) */
    char *path;        /* field path in the object, e.g. spec.containers[1].securityContext.privileged */
    char *message;     /* one line */
    comb_adm_mode mode;
} comb_violation;

typedef struct comb_violations {
    comb_violation *v;
    size_t n, cap;
} comb_violations;

void comb_violations_free(comb_violations *vs);
/* Append one (path and message copied). COMB_ENOMEM or COMB_ELIMIT. */
comb_code comb_violation_add(comb_violations *vs, const char *rule, const char *title,
                             const char *level, const char *fix, comb_adm_mode mode,
                             const char *path, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* ---- Pod Security Standards ---- */

/* The pod spec and metadata of a workload object (Pod, Deployment,
 * ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job, CronJob,
 * PodTemplate) and their field paths ("spec", "spec.template.spec", ...). 1 when found,
 * 0 for a kind that holds no pod. Borrowed references. */
int comb_adm_pod_template(json_t *obj, json_t **spec, json_t **meta, const char **spec_path,
                          const char **meta_path);

/* Evaluate every control of `level` (baseline: the baseline controls;
 * restricted: baseline and restricted, where the restricted capabilities
 * and seccomp controls replace their baseline ones, as in the
 * pod-security-admission library) on one pod spec. */
comb_code comb_pss_check(json_t *spec, json_t *meta, const char *spec_path,
                         const char *meta_path, comb_pss_level level, comb_adm_mode mode,
                         comb_violations *out, comb_err *err);

/* The control ids in order, for tables ("hostProcess", ...); n set. */
typedef struct comb_pss_control {
    const char *id, *title, *level, *fix;
} comb_pss_control;
const comb_pss_control *comb_pss_controls(size_t *n);

/* ---- policy ---- */

#define COMB_ADM_MAX_PATTERNS 256

typedef struct comb_adm_ns_level {
    char *ns;
    comb_pss_level level;
} comb_adm_ns_level;

struct comb_adm_images;

typedef struct comb_adm_policy {
    comb_pss_level pss_default;
    comb_adm_mode pss_mode;
    comb_adm_ns_level *ns_levels;
    size_t n_ns_levels;
    char **exempt_namespaces, **exempt_users;
    size_t n_exempt_namespaces, n_exempt_users;
    /* image rules */
    comb_adm_mode image_mode;
    char **allowed_registries; /* globs over the image reference; none: any */
    size_t n_allowed_registries;
    int disallow_latest;       /* reject ":latest" and untagged references */
    int require_digest;        /* reject references without "@sha256:" */
    int require_signature;     /* verify under trust_policy */
    char *trust_policy;        /* path of a trust policy (docs/TRUST.md) */
    char *max_severity;        /* "high": findings at or above reject; NULL: off */
    char *scan_results;        /* file or dir of `comb scan -f json` results */
    struct comb_adm_images *images; /* runtime state (openers, caches); owned */
} comb_adm_policy;

/* The default policy: restricted everywhere, enforce, no image rule beyond
 * none. */
void comb_adm_policy_default(comb_adm_policy *p);
/* Parse a policy file (YAML or JSON; docs/ADMISSION.md) named `name`. */
comb_code comb_adm_policy_parse(const void *data, size_t len, const char *name,
                                comb_adm_policy *out, comb_err *err);
void comb_adm_policy_free(comb_adm_policy *p);
comb_pss_level comb_adm_policy_level(const comb_adm_policy *p, const char *ns);

/* ---- objects ---- */

typedef struct comb_adm_subject {
    const char *ns;       /* namespace (NULL: from metadata, else "default") */
    const char *username; /* requesting user (NULL: none, e.g. CLI) */
} comb_adm_subject;

/* Evaluate one object (a List is evaluated item by item with
 * "items[i]." prefixed to paths) under the policy. *skipped set when the
 * object was exempt or holds no pod. */
comb_code comb_adm_eval_object(comb_adm_policy *p, json_t *obj, const comb_adm_subject *sub,
                               comb_violations *out, int *exempt, comb_err *err);

/* ---- manifests on disk ---- */

/* Parse a manifest file's bytes (JSON, or YAML with one or more
 * documents) into an array of documents (null for empty ones). */
comb_code comb_adm_parse_manifests(const void *data, size_t len, const char *name,
                                   json_t **docs, comb_err *err);

/* ---- reports of `comb policy check` ---- */

typedef struct comb_adm_result {
    const char *file;  /* borrowed */
    size_t doc;        /* 1-based document number */
    char kind[64], name[256], ns[256];
    int exempt;
    comb_violations v;
} comb_adm_result;

typedef enum comb_adm_format { COMB_ADM_TABLE, COMB_ADM_JSON, COMB_ADM_SARIF } comb_adm_format;
int comb_adm_format_parse(const char *s, comb_adm_format *out);
/* 1 when some violation of the result is enforced (the object is denied). */
int comb_adm_denied(const comb_violations *v);
comb_code comb_adm_report(const comb_adm_result *r, size_t n, comb_adm_format f, FILE *out,
                          comb_err *err);

/* ---- AdmissionReview v1 ---- */

#define COMB_ADM_MAX_REVIEW (3u << 20) /* about what the API server sends */

/* Answer an AdmissionReview v1 request body: *response is the
 * AdmissionReview JSON (malloc'd). A body that is not a valid
 * AdmissionReview is COMB_EFORMAT (the server answers 400). */
comb_code comb_adm_review(comb_adm_policy *p, const void *body, size_t len, char **response,
                          int *allowed, comb_err *err);

/* ---- images ---- */

/* Check every image of the pod spec (containers, initContainers,
 * ephemeralContainers) against the image rules. */
comb_code comb_adm_check_images(comb_adm_policy *p, json_t *spec, const char *spec_path,
                                comb_violations *out, comb_err *err);

/* Where the signature and severity rules find an image: a function that
 * opens the artifact store holding `image` (an OCI layout, a registry) or
 * returns COMB_ENOTFOUND. Without one, the --image-store mapping is used. */
struct comb_store;
typedef comb_code (*comb_adm_store_opener)(void *ud, const char *image, struct comb_store **st,
                                           comb_err *err);
comb_code comb_adm_set_store_opener(comb_adm_policy *p, comb_adm_store_opener fn, void *ud,
                                    comb_err *err);

/* Map a reference (glob allowed) to an OCI layout directory for the
 * signature rule (e.g. "registry.example.com/app:1.0=/srv/layouts/app"). */
comb_code comb_adm_add_image_store(comb_adm_policy *p, const char *mapping, comb_err *err);

#endif
