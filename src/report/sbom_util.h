/* sbom_util.h - helpers shared by the CycloneDX and SPDX reporters:
 * UTF-8-safe JSON strings, RFC 3339 timestamps, UUIDs, SPDX license
 * expression recognition and writing a document. Private to report/. */
#ifndef COMB_REPORT_SBOM_UTIL_H
#define COMB_REPORT_SBOM_UTIL_H

#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "core/error.h"

/* A JSON string from bytes that may not be valid UTF-8 (invalid sequences
 * become U+FFFD). NULL for s == NULL or on allocation failure. */
json_t *sbom_str(const char *s);

/* obj[key] = sbom_str(val) when val is not NULL. -1 on allocation failure. */
int sbom_set_str(json_t *obj, const char *key, const char *val);
/* obj[key] = value (stolen); -1 if value is NULL or on failure. */
int sbom_set_new(json_t *obj, const char *key, json_t *value);
/* Append value (stolen); -1 if value is NULL or on failure. */
int sbom_append_new(json_t *arr, json_t *value);

/* Create a child, attach it, return it borrowed (NULL on failure). */
json_t *sbom_add_obj(json_t *obj, const char *key);
json_t *sbom_add_arr(json_t *obj, const char *key);
json_t *sbom_push_obj(json_t *arr);
/* {"text": TEXT} (a SARIF message or description; NULL gives ""). */
json_t *sbom_text_obj(const char *text);

/* "2024-05-01T12:00:00Z" for now (0 = current time). */
int sbom_timestamp(time_t now, char out[32]);

/* Lower-case RFC 4122 UUID: given (validated, lower-cased) or a random
 * version 4 one from OpenSSL. */
comb_code sbom_uuid(const char *given, char out[37], comb_err *err);

/* Recognise an SPDX license expression made of identifiers that comb knows
 * to be on the SPDX license list (matched case-insensitively), the '+'
 * suffix, WITH <known exception>, AND, OR and parentheses. Returns 1 and a
 * malloc'd canonical form in *canon (ids in their official case, single
 * spaces), with *single_id set when it is one bare identifier; 0 when it
 * is not such an expression (LicenseRef-/DocumentRef- included: callers
 * cannot define them); -1 on allocation failure. */
int sbom_license_expr(const char *s, char **canon, int *single_id);

/* The identifier tables (for tests). */
size_t sbom_license_id_count(void);
const char *sbom_license_id_at(size_t i);
size_t sbom_license_exception_count(void);
const char *sbom_license_exception_at(size_t i);


/* ---- helpers of the scan reporters (scan_sarif.c, scan_openvex.c,
 * scan_cyclonedx.c) ---- */

/* The project's home page, written where a format wants one (SARIF
 * tool.driver.informationUri). Placeholder until the project has one. */
#ifndef COMB_HOMEPAGE
#define COMB_HOMEPAGE "https://github.com/comb-project/comb"
#endif

/* A relative URI reference for a file path: bytes outside RFC 3986
 * unreserved, sub-delims, '/' and '@' are percent-encoded (':' too, so a
 * first segment never reads as a scheme). malloc'd; NULL on failure. */
char *sbom_uri_path(const char *path);

/* A web page for a vulnerability id: NVD for CVE-, GitHub for GHSA-,
 * OSV otherwise. malloc'd; NULL for NULL or on failure. */
char *sbom_vuln_url(const char *id);

/* The name of the database a vulnerability id comes from ("NVD",
 * "GitHub", "OSV"). */
const char *sbom_vuln_source(const char *id);

/* Dump with 2-space indent plus a newline; COMB_EIO on write failure. */
comb_code sbom_write(json_t *doc, FILE *out, const char *what, comb_err *err);

#endif
