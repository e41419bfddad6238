/* scanpush.c - see scanpush.h. */
#include "registry/server/scanpush.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/readfile.h"
#include "image/store.h"
#include "registry/server/parse.h"
#include "registry/server/workq.h"
#include "scan/image_scan.h"
#include "vuln/finding.h"
#include "vuln/vulndb.h"

#define QUEUE 256

static const char *res_count_name(const char *summary);

typedef struct job {
    char repo[256];
    char digest[72];
} job;

struct rs_scanner {
    rs_core *core;
    comb_access *acc;
    rs_hooks *hooks;
    char root[4096], db[4096];
    rs_workq *q;
};

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    return fd < 0 ? -1 : comb_write_fd_sync(fd, text, strlen(text)) ? -1 : 0;
}

/* The layout view: DIR/{oci-layout,index.json,blobs/sha256/<hex>} with the
 * blobs hard-linked from the store (same filesystem, no copy). */
static comb_code make_view(rs_core *core, const char *dir, const char *digest, const char *mt,
                           size_t mlen, const char *const *refs, size_t nrefs, comb_err *err)
{
    char p[8192], src[8192];
    snprintf(p, sizeof p, "%s/blobs", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/blobs/sha256", dir);
    if (mkdir(p, 0700) && errno != EEXIST)
        return comb_fail(err, COMB_EIO, "%s: %s", p, strerror(errno));
    for (size_t i = 0; i <= nrefs; i++) {
        const char *d = i == nrefs ? digest : refs[i];
        snprintf(src, sizeof src, "%s/blobs/sha256/%.2s/%s", core->blobs.root, d + 7, d + 7);
        snprintf(p, sizeof p, "%s/blobs/sha256/%s", dir, d + 7);
        if (link(src, p) && errno != EEXIST)
            return comb_fail(err, COMB_EIO, "%s: %s", src, strerror(errno));
    }
    snprintf(p, sizeof p, "%s/oci-layout", dir);
    if (write_file(p, "{\"imageLayoutVersion\":\"1.0.0\"}"))
        return comb_fail(err, COMB_EIO, "%s: cannot write", p);
    char idx[1024];
    snprintf(idx, sizeof idx,
             "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
             mt, digest, mlen);
    snprintf(p, sizeof p, "%s/index.json", dir);
    return write_file(p, idx) ? comb_fail(err, COMB_EIO, "%s: cannot write", p) : COMB_OK;
}

static void remove_view(const char *dir, const char *digest, const char *const *refs, size_t nrefs)
{
    char p[8192];
    for (size_t i = 0; i <= nrefs; i++) {
        snprintf(p, sizeof p, "%s/blobs/sha256/%s", dir, (i == nrefs ? digest : refs[i]) + 7);
        unlink(p);
    }
    static const char *const tail[] = {"oci-layout", "index.json"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, tail[i]);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/blobs/sha256", dir);
    rmdir(p);
    snprintf(p, sizeof p, "%s/blobs", dir);
    rmdir(p);
    rmdir(dir);
}

/* Store bytes as a blob readable in repo. */
static comb_code put_in_repo(rs_core *core, const char *repo, const char *text, char digest[72],
                             comb_err *err)
{
    comb_code rc = comb_blobs_put(&core->blobs, text, strlen(text), digest, err);
    if (rc == COMB_OK)
        rc = core->meta->ops->blob_add(core->meta, repo, digest, strlen(text), err);
    return rc;
}

/* The result as a referrer of the image. */
static comb_code attach(rs_core *core, const char *repo, const char *digest, const char *mt,
                        size_t mlen, const char *summary, comb_err *err)
{
    char cfg[72], lay[72], man[72], missing[72];
    rs_publish_lock(core);
    comb_code rc = put_in_repo(core, repo, "{}", cfg, err);
    if (rc == COMB_OK)
        rc = put_in_repo(core, repo, summary, lay, err);
    char *text = NULL;
    if (rc == COMB_OK) {
        json_t *m = json_pack("{s:i,s:s,s:s,s:{s:s,s:s,s:i},s:[{s:s,s:s,s:I}],s:{s:s,s:s,s:I}}",
                              "schemaVersion", 2, "mediaType", COMB_MT_OCI_MANIFEST, "artifactType",
                              COMB_MT_SCAN, "config", "mediaType", COMB_MT_OCI_EMPTY, "digest", cfg,
                              "size", 2, "layers", "mediaType", COMB_MT_SCAN, "digest", lay, "size",
                              (json_int_t)strlen(summary), "subject", "mediaType", mt, "digest",
                              digest, "size", (json_int_t)mlen);
        text = m ? json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(m);
        if (!text)
            rc = comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    if (rc == COMB_OK)
        rc = comb_blobs_put(&core->blobs, text, strlen(text), man, err);
    if (rc == COMB_OK) {
        comb_meta_manifest mf;
        memset(&mf, 0, sizeof mf);
        snprintf(mf.repo, sizeof mf.repo, "%s", repo);
        snprintf(mf.digest, sizeof mf.digest, "%s", man);
        snprintf(mf.media_type, sizeof mf.media_type, "%s", COMB_MT_OCI_MANIFEST);
        snprintf(mf.artifact_type, sizeof mf.artifact_type, "%s", COMB_MT_SCAN);
        snprintf(mf.subject, sizeof mf.subject, "%s", digest);
        mf.size = strlen(text);
        const char *refs[2] = {cfg, lay};
        rc = core->meta->ops->manifest_put(core->meta, &mf, refs, 2, NULL, missing, err);
    }
    rs_publish_unlock(core);
    free(text);
    return rc;
}

comb_code rs_scan_image(rs_core *core, comb_access *acc, rs_hooks *hooks, const char *root,
                        const char *db_path, const char *repo, const char *digest, comb_err *err)
{
    comb_meta_manifest m;
    comb_code rc = core->meta->ops->manifest_get(core->meta, repo, digest, &m, err);
    if (rc)
        return rc;
    free(m.annotations);
    unsigned char *data;
    size_t len;
    if ((rc = comb_blobs_read(&core->blobs, m.digest, COMB_STORE_MAX_MANIFEST, &data, &len, err)))
        return rc;
    json_t *doc = json_loadb((const char *)data, len, 0, NULL);
    free(data);
    const char *refs[1024];
    size_t nrefs = 0;
    const char *cd = json_string_value(json_object_get(json_object_get(doc, "config"), "digest"));
    json_t *layers = json_object_get(doc, "layers");
    if (!cd || !json_is_array(layers)) {
        json_decref(doc);
        return comb_fail(err, COMB_EUNSUPPORTED, "%s@%s: not an image manifest (indexes are not scanned)",
                         repo, digest);
    }
    refs[nrefs++] = cd;
    size_t i;
    json_t *l;
    json_array_foreach(layers, i, l) {
        const char *d = json_string_value(json_object_get(l, "digest"));
        if (d && nrefs < 1024)
            refs[nrefs++] = d;
    }
    char id[33], dir[4200];
    comb_rs_new_id(id);
    snprintf(dir, sizeof dir, "%s/scan", root);
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/scan/%s", root, id);
    if (mkdir(dir, 0700)) {
        json_decref(doc);
        return comb_fail(err, COMB_EIO, "%s: %s", dir, strerror(errno));
    }
    rc = make_view(core, dir, m.digest, m.media_type, (size_t)m.size, refs, nrefs, err);
    comb_vulndb *db = NULL;
    comb_scan_result *res = NULL;
    if (rc == COMB_OK)
        rc = comb_vulndb_open(db_path, 0, &db, err);
    if (rc == COMB_OK) {
        comb_sbom_opts so = {0};
        comb_scan_opts vo = {0};
        comb_detect_opts dop = {.scanners = COMB_SCANNER_VULN};
        rc = comb_image_scan(dir, &so, db, &vo, &dop, &res, err);
    }
    remove_view(dir, m.digest, refs, nrefs);
    json_decref(doc);
    if (db)
        comb_vulndb_close(db);
    if (rc)
        return rc;
    /* the summary: counts per severity, the worst, the findings (bounded) */
    size_t counts[6] = {0};
    int worst = 0;
    json_t *findings = json_array();
    for (i = 0; i < res->nfindings; i++) {
        const comb_finding *f = res->findings[i];
        if (f->suppressed)
            continue;
        counts[f->severity]++;
        if ((int)f->severity > worst)
            worst = (int)f->severity;
        if (json_array_size(findings) < 1000)
            json_array_append_new(findings, json_pack("{s:s,s:s,s:s,s:s}", "id", f->vuln_id,
                                                      "package", f->pkg && f->pkg->name ? f->pkg->name : "",
                                                      "version", f->pkg && f->pkg->version ? f->pkg->version : "",
                                                      "severity", comb_severity_name(f->severity)));
    }
    json_t *cj = json_object();
    for (int s = 0; s < 6; s++)
        json_object_set_new(cj, comb_severity_name((comb_severity)s), json_integer((json_int_t)counts[s]));
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *sum = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "image", m.digest, "scanned", when,
                            "database_built", res->db_built ? res->db_built : "", "max_severity",
                            res->nfindings ? comb_severity_name((comb_severity)worst) : "NONE",
                            "counts", cj, "findings", findings);
    comb_scan_result_free(res);
    char *text = json_dumps(sum, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(sum);
    if (!text)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    int before = comb_access_scan_worst(acc, repo, m.digest);
    comb_access_scan_record(acc, repo, m.digest, worst, text);
    const char *wname = res_count_name(text);
    rs_hooks_event(hooks, "scan_completed", repo, m.digest, NULL, wname);
    int on_push, block;
    comb_access_scan_policy(acc, repo, &on_push, &block);
    if (block && worst >= block) {
        char d[200];
        snprintf(d, sizeof d, "findings of severity %s, at or above %s%s%s", wname,
                 comb_severity_name((comb_severity)block), before >= 0 && before < block ? "; was " : "",
                 before >= 0 && before < block ? comb_severity_name((comb_severity)before) : "");
        rs_hooks_event(hooks, "policy_violation", repo, m.digest, NULL, d);
    }
    rc = attach(core, repo, m.digest, m.media_type, (size_t)m.size, text, err);
    free(text);
    return rc;
}

/* max_severity of a summary, for messages */
static const char *res_count_name(const char *summary)
{
    static const char *const names[] = {"CRITICAL", "HIGH", "MEDIUM", "LOW", "NEGLIGIBLE", "UNKNOWN", "NONE"};
    const char *p = strstr(summary, "\"max_severity\":\"");
    for (size_t i = 0; p && i < sizeof names / sizeof *names; i++)
        if (!strncmp(p + 16, names[i], strlen(names[i])))
            return names[i];
    return "NONE";
}

static void scan_job(void *ctx, void *item)
{
    rs_scanner *sc = ctx;
    job *j = item;
    comb_err e;
    if (rs_scan_image(sc->core, sc->acc, sc->hooks, sc->root, sc->db, j->repo, j->digest, &e) !=
        COMB_OK)
        comb_access_audit(sc->acc, "-", "", "scan", j->digest, e.msg, 500);
    else
        comb_access_audit(sc->acc, "-", "", "scan", j->digest, "scanned", 200);
    free(j);
}

comb_code rs_scanner_start(rs_core *core, comb_access *acc, rs_hooks *hooks, const char *root,
                           const char *db_path, rs_scanner **out, comb_err *err)
{
    rs_scanner *sc = calloc(1, sizeof *sc);
    if (!sc)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    sc->core = core;
    sc->acc = acc;
    sc->hooks = hooks;
    snprintf(sc->root, sizeof sc->root, "%s", root);
    snprintf(sc->db, sizeof sc->db, "%s", db_path);
    comb_code rc = rs_workq_start(QUEUE, scan_job, sc, &sc->q, err);
    if (rc) {
        free(sc);
        return rc;
    }
    *out = sc;
    return COMB_OK;
}

void rs_scanner_enqueue(rs_scanner *sc, const char *repo, const char *digest)
{
    job *j = malloc(sizeof *j);
    if (!j)
        return;
    snprintf(j->repo, sizeof j->repo, "%s", repo);
    snprintf(j->digest, sizeof j->digest, "%s", digest);
    if (rs_workq_push(sc->q, j))
        free(j);
}

void rs_scanner_stop(rs_scanner *sc)
{
    if (!sc)
        return;
    rs_workq_stop(sc->q, 0);
    free(sc);
}
