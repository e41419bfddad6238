/* harbor_scan.c - see harbor_scan.h. */
#include "server/harbor_scan.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry/client.h"
#include "registry/ref.h"
#include "scan/image_scan.h"
#include "trust/trust.h"
#include "vuln/finding.h"
#include "vuln/vulndb.h"

/* ---- the ScanRequest ---- */

static int bad(char *why, size_t n, int status, const char *fmt, const char *arg)
{
    snprintf(why, n, fmt, arg);
    return status;
}

/* A string member: 0 with *out (NULL when absent), 400 when not a string. */
static int member(json_t *obj, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = json_string_value(v);
    return v && !json_is_string(v) ? 400 : 0;
}

/* "http(s)://host[:port][/]" into "host:port" (the port made explicit, so
 * a one-word host is not taken for a Docker Hub path by the ref grammar). */
static int parse_url(const char *url, comb_harbor_request *out)
{
    const char *h;
    if (!strncmp(url, "https://", 8))
        h = url + 8;
    else if (!strncmp(url, "http://", 7))
        h = url + 7, out->plain_http = 1;
    else
        return -1;
    size_t n = strcspn(h, "/");
    if (n == 0 || n > 255 || (h[n] && strcmp(h + n, "/")))
        return -1; /* a base URL: no path, query or user info */
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)h[i]) && !strchr(".-:[]", h[i]))
            return -1;
    const char *close = h[0] == '[' ? memchr(h, ']', n) : NULL;
    int has_port = h[0] == '[' ? close && close[1] == ':' : memchr(h, ':', n) != NULL;
    snprintf(out->registry, sizeof out->registry, "%.*s%s", (int)n, h,
             has_port ? "" : out->plain_http ? ":80" : ":443");
    return 0;
}

static int auth_ok(const char *a)
{
    if (strncmp(a, "Basic ", 6) && strncmp(a, "Bearer ", 7))
        return 0;
    for (const char *p = a; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
            return 0; /* no header injection */
    return 1;
}

static int digest_ok(const char *d)
{
    if (strncmp(d, "sha256:", 7) || strlen(d) != 71)
        return 0;
    for (const char *p = d + 7; *p; p++)
        if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f'))
            return 0;
    return 1;
}

int comb_harbor_parse_request(const char *body, size_t len, comb_harbor_request *out, char *why,
                              size_t whysz)
{
    memset(out, 0, sizeof *out);
    json_t *d = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
    int st = 0;
    const char *url, *auth, *repo, *digest, *tag, *mt;
    json_t *reg = json_object_get(d, "registry"), *art = json_object_get(d, "artifact");
    if (!json_is_object(d))
        st = bad(why, whysz, 400, "%sthe body must be a JSON object (a ScanRequest)", "");
    else if ((reg && !json_is_object(reg)) || (art && !json_is_object(art)))
        st = bad(why, whysz, 400, "%sregistry and artifact must be objects", "");
    else if (member(reg, "url", &url) || member(reg, "authorization", &auth) ||
             member(art, "repository", &repo) || member(art, "digest", &digest) ||
             member(art, "tag", &tag) || member(art, "mime_type", &mt))
        st = bad(why, whysz, 400, "%sregistry and artifact members must be strings", "");
    else if (!reg || !art)
        st = bad(why, whysz, 422, "%sregistry and artifact are required", "");
    else if (!url || parse_url(url, out))
        st = bad(why, whysz, 422, "registry.url: %s", "a base URL http(s)://host[:port] is required");
    else if (auth && *auth && (strlen(auth) >= sizeof out->authorization || !auth_ok(auth)))
        st = bad(why, whysz, 422, "registry.authorization: %s",
                 "\"Basic ...\" or \"Bearer ...\", one line, under 8 KiB");
    else if (!repo || !comb_ref_valid_repo(repo))
        st = bad(why, whysz, 422, "artifact.repository: %s", "a repository name is required");
    else if (!digest || !digest_ok(digest))
        st = bad(why, whysz, 422, "artifact.digest: %s", "sha256:<64 hex digits> is required");
    else if (tag && *tag && !comb_ref_valid_tag(tag))
        st = bad(why, whysz, 422, "artifact.tag: %s", "not a tag");
    else if (mt && *mt && strcmp(mt, MT_OCI) && strcmp(mt, MT_DOCKER))
        st = bad(why, whysz, 422, "artifact.mime_type: %s", "only OCI and Docker v2 image manifests are scanned");
    if (!st) {
        snprintf(out->authorization, sizeof out->authorization, "%s", auth ? auth : "");
        snprintf(out->repository, sizeof out->repository, "%s", repo);
        snprintf(out->digest, sizeof out->digest, "%s", digest);
        snprintf(out->tag, sizeof out->tag, "%s", tag ? tag : "");
        snprintf(out->mime_type, sizeof out->mime_type, "%s", mt && *mt ? mt : MT_DOCKER);
        char ref[700];
        comb_ref r;
        comb_err e = { 0 };
        snprintf(ref, sizeof ref, "%s/%s@%s", out->registry, out->repository, out->digest);
        if (comb_ref_parse(ref, &r, &e))
            st = bad(why, whysz, 422, "%s", e.msg);
    }
    json_decref(d);
    if (st)
        OPENSSL_cleanse(out->authorization, sizeof out->authorization);
    return st;
}

/* ---- the scan ---- */

/* Pull registry/repository@digest with the request's Authorization and
 * match its packages against the database. */
static comb_code pull_and_scan(const char *db_path, const comb_harbor_request *rq, comb_scan_result **res,
                               comb_err *err)
{
    comb_registry_opts ro = { .insecure = rq->plain_http, .no_cred_lookup = 1 };
    char user[256] = "", *pass = NULL;
    unsigned char *raw = NULL;
    size_t n = 0;
    if (!strncmp(rq->authorization, "Basic ", 6)) {
        const char *b = rq->authorization + 6;
        raw = comb_b64_decode(b, strlen(b), &n);
        char *colon = raw ? memchr(raw, ':', n) : NULL;
        if (!colon || (size_t)(colon - (char *)raw) >= sizeof user) {
            if (raw)
                OPENSSL_cleanse(raw, n);
            free(raw);
            return comb_fail(err, COMB_EAUTH, "registry.authorization: Basic credentials are not base64 user:password");
        }
        *colon = '\0';
        snprintf(user, sizeof user, "%s", (char *)raw);
        pass = colon + 1;
        ro.username = user;
        ro.password = pass;
    } else if (!strncmp(rq->authorization, "Bearer ", 7)) {
        ro.bearer = rq->authorization + 7;
    }
    char target[700];
    snprintf(target, sizeof target, "registry://%s/%s@%s", rq->registry, rq->repository, rq->digest);
    comb_vulndb *db = NULL;
    comb_code rc = comb_vulndb_open(db_path, 0, &db, err);
    if (rc == COMB_OK) {
        comb_sbom_opts so = { .registry = &ro };
        comb_scan_opts vo = { 0 };
        comb_detect_opts dop = { .scanners = COMB_SCANNER_VULN };
        rc = comb_image_scan(target, &so, db, &vo, &dop, res, err);
        comb_vulndb_close(db);
    }
    if (raw) {
        OPENSSL_cleanse(raw, n);
        free(raw);
    }
    OPENSSL_cleanse(user, sizeof user);
    return rc;
}

/* Harbor's severities: Unknown, Low, Medium, High, Critical (comb's
 * Negligible counts as Low). */
static const char *harbor_severity(comb_severity s)
{
    switch (s) {
    case COMB_SEV_CRITICAL: return "Critical";
    case COMB_SEV_HIGH: return "High";
    case COMB_SEV_MEDIUM: return "Medium";
    case COMB_SEV_LOW:
    case COMB_SEV_NEGLIGIBLE: return "Low";
    default: return "Unknown";
    }
}

static void now_rfc3339(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *scanner_json(void)
{
    return json_pack("{s:s, s:s, s:s}", "name", "comb", "vendor", "comb", "version", COMB_VERSION);
}

static json_t *artifact_json(const comb_harbor_request *rq)
{
    json_t *a = json_pack("{s:s, s:s, s:s}", "repository", rq->repository, "digest", rq->digest,
                          "mime_type", rq->mime_type);
    if (rq->tag[0])
        json_object_set_new(a, "tag", json_string(rq->tag));
    return a;
}

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v && *v)
        json_object_set_new(o, k, json_string(v));
}

static json_t *vulnerability_json(const comb_finding *f)
{
    json_t *v = json_object();
    set_str(v, "id", f->vuln_id);
    set_str(v, "package", f->pkg->name);
    set_str(v, "version", f->pkg->version);
    set_str(v, "fix_version", f->nfixed ? f->fixed_versions[0] : NULL);
    json_object_set_new(v, "severity", json_string(harbor_severity(f->severity)));
    set_str(v, "description", f->description && *f->description ? f->description : f->title);
    json_t *links = json_array();
    if (f->url && (!strncmp(f->url, "https://", 8) || !strncmp(f->url, "http://", 7)))
        json_array_append_new(links, json_string(f->url));
    json_object_set_new(v, "links", links);
    if (f->cvss_v3) {
        json_t *c = json_pack("{s:s}", "vector_v3", f->cvss_v3);
        if (f->cvss_v3_score >= 0)
            json_object_set_new(c, "score_v3", json_real(f->cvss_v3_score));
        json_object_set_new(v, "preferred_cvss", c);
    }
    /* comb's vulnerability records carry no CWE ids: cwe_ids is left out */
    json_t *aliases = json_array();
    for (size_t i = 0; i < f->naliases; i++)
        json_array_append_new(aliases, json_string(f->aliases[i]));
    json_t *va = json_pack("{s:o}", "aliases", aliases);
    set_str(va, "ecosystem", f->ecosystem);
    set_str(va, "data_source", f->data_source);
    set_str(va, "severity_source", f->severity_source);
    set_str(va, "package_path", f->pkg->found_in);
    json_object_set_new(v, "vendor_attributes", va);
    return v;
}

static json_t *report_json(const comb_harbor_request *rq, const comb_scan_result *r)
{
    char at[32];
    now_rfc3339(at);
    json_t *vulns = json_array();
    comb_severity max = COMB_SEV_UNKNOWN;
    for (size_t i = 0; i < r->nfindings; i++) {
        const comb_finding *f = r->findings[i];
        if (f->suppressed)
            continue;
        if (f->severity > max)
            max = f->severity;
        json_array_append_new(vulns, vulnerability_json(f));
    }
    return json_pack("{s:s, s:o, s:o, s:s, s:o}", "generated_at", at, "artifact", artifact_json(rq), "scanner",
                     scanner_json(), "severity", harbor_severity(max), "vulnerabilities", vulns);
}

comb_code comb_harbor_run(const char *db_path, const comb_harbor_request *rq, json_t **report, comb_err *err)
{
    comb_scan_result *res = NULL;
    comb_code rc = pull_and_scan(db_path, rq, &res, err);
    *report = rc == COMB_OK ? report_json(rq, res) : NULL;
    comb_scan_result_free(res);
    if (rc == COMB_OK && !*report)
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
    return rc;
}

json_t *comb_harbor_scanner(void)
{
    return scanner_json();
}

int comb_harbor_db_built(const char *db_path, char *out, size_t n)
{
    comb_vulndb *db = NULL;
    comb_err e = { 0 };
    int ok = 0;
    if (comb_vulndb_open(db_path, 0, &db, &e) == COMB_OK) {
        comb_arena a;
        comb_arena_init(&a);
        comb_vulndb_stats st;
        if (comb_vulndb_stats_get(db, &a, &st, &e) == COMB_OK && st.built) {
            snprintf(out, n, "%s", st.built);
            ok = 1;
        }
        comb_arena_free(&a);
        comb_vulndb_close(db);
    }
    return ok;
}
