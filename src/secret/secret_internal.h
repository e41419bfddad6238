/* secret_internal.h - what the files of src/secret/ share: the parsed config
 * (config.c), the compiled rules and the engine (engine.c), the prefilter
 * (prefilter.c) and the per-file scan (scan.c, redact.c). Not a public API;
 * the fuzz targets and the benchmark include it. */
#ifndef COMB_SECRET_INTERNAL_H
#define COMB_SECRET_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs.h>
#include <pcre2.h>
#include <stdint.h>

#include "core/arena.h"
#include "secret/secret.h"

/* Bounds on configs (built-in and user alike). */
#define SECRET_CONFIG_MAX_BYTES (1u << 20)
#define SECRET_MAX_RULES 2000
#define SECRET_MAX_ALLOWS 1000
#define SECRET_MAX_KEYWORDS 64      /* per rule */
#define SECRET_MAX_KEYWORD_LEN 64
#define SECRET_MAX_STRING 8192      /* any scalar, regexes included */
#define SECRET_DEFAULT_MAX_LENGTH 512
#define SECRET_MAX_MAX_LENGTH 65536 /* max-length of a rule */

/* ---- config.c: YAML -> definitions (strings, not yet compiled) ---- */

typedef struct secret_allow_def {
    const char *id, *description, *regex, *path;
    unsigned line;
} secret_allow_def;

typedef struct secret_rule_def {
    const char *id, *category, *title, *severity, *regex, *path, *secret_group;
    const char **keywords;      /* lowercased */
    size_t nkeywords;
    double min_entropy;         /* 0: no check */
    uint32_t max_length;        /* 0: SECRET_DEFAULT_MAX_LENGTH */
    int binary;                 /* also applies to binary-looking files */
    secret_allow_def *allows;
    size_t nallows;
    unsigned line;
} secret_rule_def;

typedef struct secret_config {
    const char *name;           /* file name for messages */
    secret_rule_def *rules;
    size_t nrules;
    secret_allow_def *allows;
    size_t nallows;
    const char **disable_rules, **enable_builtin, **disable_allow;
    size_t ndisable_rules, nenable_builtin, ndisable_allow;
    int builtin;                /* builtin-rules: -1 unset, 0 off, 1 on */
} secret_config;

/* Parse a config; strings are copied into a. Errors: "<name>: line N: ...". */
comb_code secret_config_parse(comb_arena *a, const char *name, const char *text, size_t len,
                              secret_config *out, comb_err *err);

/* ---- engine.c: compiled rules ---- */

typedef struct secret_allow {
    const char *id;
    pcre2_code *regex;          /* tested on the whole match, or NULL */
    pcre2_code *path;           /* tested on the path, or NULL */
} secret_allow;

typedef struct secret_rule {
    const char *id, *category, *title, *severity, *regex_src;
    pcre2_code *regex;
    uint32_t secret_group;      /* capture group of the secret, 0 = whole match */
    const char **keywords;
    size_t nkeywords;
    pcre2_code *path;
    double min_entropy;
    uint32_t max_length;
    int binary, builtin;
    secret_allow *allows;
    size_t nallows;
} secret_rule;

typedef struct secret_finding {
    uint32_t rule;
    size_t ms, me;              /* whole match */
    size_t ss, se;              /* secret */
} secret_finding;

/* The Vectorscan database; pattern id i feeds rules rule_of[first[i] ..
 * first[i + 1]) (a keyword may serve several rules). */
typedef struct secret_prefilter {
    hs_database_t *db;
    hs_scratch_t *scratch;
    size_t npatterns;
    uint32_t *first;            /* npatterns + 1 offsets into rule_of */
    uint32_t *rule_of;
    uint32_t *literal_len;      /* per pattern: keyword length, 0 for a regex */
    uint32_t *fullscan;         /* rules no pattern covers: regex over the whole file */
    size_t nfullscan;
} secret_prefilter;

struct comb_secret_engine {
    comb_arena arena;
    secret_rule *rules;
    size_t nrules;
    secret_allow *allows;       /* global: a path hit skips the file, a regex hit drops a match */
    size_t nallows;
    uint64_t max_size;
    int scan_binaries;
    comb_secret_prefilter mode;
    secret_prefilter pf;
    /* scratch for one scan */
    pcre2_match_data *md, *md_allow;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
    uint8_t *rule_on;           /* per rule: applies to the current file */
    size_t *win_start, *win_end;/* per rule: the open window, win_end == 0 when none */
    secret_finding *found;
    size_t nfound, capfound;
    int full;                   /* COMB_SECRET_MAX_FINDINGS reached */
    comb_code oom;
    const uint8_t *data;
    size_t len;
};

/* engine_new with the config given as text (the fuzzer's entry point);
 * with_builtin = 0 leaves out rules/secrets/builtin.yaml. */
comb_code secret_engine_new_text(const comb_secret_opts *o, const char *name, const char *text,
                                 size_t len, int with_builtin, comb_secret_engine **out,
                                 comb_err *err);

/* 1 when re matches anywhere in s[0..n). */
int secret_re_search(comb_secret_engine *e, const pcre2_code *re, const uint8_t *s, size_t n);

/* ---- prefilter.c ---- */
comb_code secret_prefilter_build(comb_secret_engine *e, comb_err *err);
void secret_prefilter_free(secret_prefilter *pf);
/* Run the prefilter over e->data, confirming candidates (scan.c). */
comb_code secret_prefilter_run(comb_secret_engine *e);

/* ---- scan.c ---- */
/* Run rule r's regex over [ws, we) of e->data and record the findings. */
void secret_confirm(comb_secret_engine *e, uint32_t r, size_t ws, size_t we);
/* A hit of rule r covering [from, to): open or widen its window. */
void secret_hit(comb_secret_engine *e, uint32_t r, size_t from, size_t to);
/* Confirm every open window. */
void secret_flush_all(comb_secret_engine *e);
double secret_entropy(const uint8_t *s, size_t n);

/* ---- redact.c ---- */
/* Write the redacted match and line of finding f into the buffers (NUL-terminated).
 * masks: merged secret intervals of the file, sorted, as start/end pairs. */
void secret_redact(const uint8_t *data, size_t len, const secret_finding *f, size_t keep,
                   size_t line_start, const size_t *masks, size_t nmasks, char *match_out,
                   size_t match_cap, char *line_out, size_t line_cap);

#endif
