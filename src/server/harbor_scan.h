/* harbor_scan.h - the scanning half of the Harbor adapter (server/harbor.h
 * holds the jobs and the routes): Harbor's ScanRequest checked, the
 * artifact pulled from the registry Harbor names with the Authorization it
 * hands over and matched against the vulnerability database, and the
 * result as Harbor's vulnerability report (v1.1). Kept apart from the
 * route handlers because the image store and the server store share names. */
#ifndef COMB_SERVER_HARBOR_SCAN_H
#define COMB_SERVER_HARBOR_SCAN_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

#define MT_OCI "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER "application/vnd.docker.distribution.manifest.v2+json"
#define MT_REPORT_11 "application/vnd.security.vulnerability.report; version=1.1"
#define MT_REPORT_10 "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"
#define MT_METADATA "application/vnd.scanner.adapter.metadata+json; version=1.0"
#define MT_SCAN_RESPONSE "application/vnd.scanner.adapter.scan.response+json; version=1.0"
#define MT_ERROR "application/vnd.scanner.adapter.error+json; version=1.0"

/* A ScanRequest, checked. */
typedef struct comb_harbor_request {
    char registry[300];       /* "host:port", from registry.url */
    int plain_http;           /* registry.url was http:// */
    char authorization[8192]; /* "Basic ..." / "Bearer ..." or "" */
    char repository[256];
    char digest[72];
    char tag[129];
    char mime_type[128];
} comb_harbor_request;

/* Parse a ScanRequest body. 0 when valid; else 400 (not JSON, or a value
 * of the wrong type) or 422 (a missing, invalid or unsupported field), with
 * why filled. Pure: the fuzzer's entry point. */
int comb_harbor_parse_request(const char *body, size_t len, comb_harbor_request *out, char *why,
                              size_t whysz);

/* Pull and scan the artifact; *report: the HarborVulnerabilityReport. */
comb_code comb_harbor_run(const char *db_path, const comb_harbor_request *rq, json_t **report, comb_err *err);

/* {"name": "comb", "vendor": "comb", "version": ...} */
json_t *comb_harbor_scanner(void);

/* 1 with the database's build time (RFC 3339) in out, 0 when unreadable. */
int comb_harbor_db_built(const char *db_path, char *out, size_t n);

#endif
