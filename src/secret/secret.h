/* secret.h - finding hard-coded credentials in file contents.
 *
 * An engine holds a compiled rule set: the built-in rules
 * (rules/secrets/builtin.yaml, embedded in the library) plus, optionally,
 * the rules and allow rules of a user YAML config shaped like Trivy's
 * trivy-secret.yaml (see docs/SECRETS.md). Building an engine compiles every
 * rule once; scanning a file is then one pass of a Vectorscan database over
 * the bytes (the rules' keywords, and the patterns of rules without keywords)
 * followed by PCRE2-JIT confirmation in bounded windows around each hit.
 *
 * Usage:
 *   comb_secret_engine *e;
 *   if (comb_secret_engine_new(NULL, &e, &err)) ...          // built-in rules
 *   if (comb_secret_wants(e, "app/.env", size))               // before reading
 *       comb_secret_scan(e, "app/.env", buf, len, on_match, ud, &err);
 *   comb_secret_engine_free(e);
 *
 * Findings are redacted: no string handed to the callback contains the raw
 * secret. An engine is not thread-safe (it owns its scratch space); use one
 * engine per thread.
 */
#ifndef COMB_SECRET_SECRET_H
#define COMB_SECRET_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct comb_secret_engine comb_secret_engine;

/* How candidate regions are found before PCRE2 confirms them. Callers use
 * the default; the others exist so bench/secret_engine.c can compare. */
typedef enum comb_secret_prefilter {
    COMB_SECRET_PREFILTER_DEFAULT = 0, /* = KEYWORDS */
    COMB_SECRET_PREFILTER_KEYWORDS,    /* Vectorscan literal set of keywords */
    COMB_SECRET_PREFILTER_REGEX,       /* every rule's regex in Vectorscan (HS_FLAG_PREFILTER) */
    COMB_SECRET_PREFILTER_TRIVY,       /* lowercase the file, memmem per keyword, whole-file regex */
} comb_secret_prefilter;

#define COMB_SECRET_DEFAULT_MAX_SIZE (10u << 20) /* bytes */
#define COMB_SECRET_MAX_SIZE_LIMIT (1u << 30)    /* max_file_size may not exceed this */
#define COMB_SECRET_MIN_SIZE 10                  /* files smaller than this are skipped */
#define COMB_SECRET_MAX_FINDINGS 10000           /* per file; further matches are dropped */
#define COMB_SECRET_SNIPPET_MAX 160              /* bytes of redacted_line, excluding "..." */

typedef struct comb_secret_opts {
    const char *config_path;   /* user YAML config, or NULL */
    uint64_t max_file_size;    /* 0: COMB_SECRET_DEFAULT_MAX_SIZE */
    int scan_binaries;         /* 0: skip files that look binary (NUL in the first 8 KiB) */
    comb_secret_prefilter prefilter;
} comb_secret_opts;

/* Build an engine; o may be NULL (defaults). Errors name the config file,
 * the line and the rule, e.g. "my.yaml: line 7: rule \"x\": regex: missing
 * closing parenthesis at offset 3". */
comb_code comb_secret_engine_new(const comb_secret_opts *o, comb_secret_engine **out,
                                 comb_err *err);
void comb_secret_engine_free(comb_secret_engine *e);

/* The enabled rules, in the order they are evaluated (built-in first). */
typedef struct comb_secret_rule_info {
    const char *id, *category, *title, *severity;
    int builtin;               /* 1: from rules/secrets/builtin.yaml */
} comb_secret_rule_info;
size_t comb_secret_rule_count(const comb_secret_engine *e);
/* Fill *out for rule i (< comb_secret_rule_count); strings live as long as e. */
void comb_secret_rule_at(const comb_secret_engine *e, size_t i, comb_secret_rule_info *out);

/* Cheap check before reading a file: 0 when the file would be skipped
 * anyway (allowed path, too large, too small, known binary extension).
 * size < 0 means unknown. */
int comb_secret_wants(const comb_secret_engine *e, const char *path, int64_t size);

typedef struct comb_secret_match {
    const char *rule_id, *category, *title, *severity;
    uint32_t line, col;            /* 1-based; where the secret starts (col in bytes) */
    const char *redacted_match;    /* the matched text, secret masked, at most ~200 bytes */
    const char *redacted_line;     /* the line, every secret on it masked, bounded */
} comb_secret_match;

/* Called once per finding, in file order; strings are valid during the call
 * only. A non-zero return stops the scan (comb_secret_scan returns COMB_OK). */
typedef int (*comb_secret_cb)(void *ud, const comb_secret_match *m);

/* Scan one file. path is relative to the image root without a leading '/'
 * ("app/.env"); it selects path-specific rules and allow rules. Files that
 * comb_secret_wants would refuse, and binary-looking content (unless
 * scan_binaries), give no findings and COMB_OK. */
comb_code comb_secret_scan(comb_secret_engine *e, const char *path, const uint8_t *data,
                           size_t len, comb_secret_cb cb, void *ud, comb_err *err);

#endif
