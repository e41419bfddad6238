/* sbom_util.c - helpers shared by the CycloneDX and SPDX reporters. */
#include "report/sbom_util.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

/* ---- strings ---------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, at most U+10FFFF), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

json_t *sbom_str(const char *s)
{
    if (!s)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), bad = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(p + i);
        if (n == 0) {
            bad++;
            i++;
        } else {
            i += n;
        }
    }
    if (!bad)
        return json_stringn(s, len);
    if (bad > (SIZE_MAX - len - 1) / 2)
        return NULL;
    char *fixed = malloc(len + 2 * bad + 1), *o = fixed;
    if (!fixed)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(p + i);
        if (n == 0) {
            memcpy(o, "\xEF\xBF\xBD", 3); /* U+FFFD */
            o += 3;
            i++;
        } else {
            memcpy(o, s + i, n);
            o += n;
            i += n;
        }
    }
    json_t *j = json_stringn(fixed, (size_t)(o - fixed));
    free(fixed);
    return j;
}

int sbom_set_new(json_t *obj, const char *key, json_t *value)
{
    if (!value)
        return -1;
    return json_object_set_new(obj, key, value);
}

int sbom_set_str(json_t *obj, const char *key, const char *val)
{
    if (!val)
        return 0;
    return sbom_set_new(obj, key, sbom_str(val));
}

int sbom_append_new(json_t *arr, json_t *value)
{
    if (!value)
        return -1;
    return json_array_append_new(arr, value);
}

static json_t *attach(json_t *parent, const char *key, json_t *child)
{
    if (!child)
        return NULL;
    int rc = key ? json_object_set_new(parent, key, child) : json_array_append_new(parent, child);
    return rc == 0 ? child : NULL;
}

json_t *sbom_add_obj(json_t *obj, const char *key) { return attach(obj, key, json_object()); }
json_t *sbom_add_arr(json_t *obj, const char *key) { return attach(obj, key, json_array()); }
json_t *sbom_push_obj(json_t *arr) { return attach(arr, NULL, json_object()); }

json_t *sbom_text_obj(const char *text)
{
    json_t *o = json_object();
    if (o && sbom_set_str(o, "text", text ? text : "") != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- time and identity ------------------------------------------------ */

int sbom_timestamp(time_t now, char out[32])
{
    struct tm tm;
    if (now == 0)
        now = time(NULL);
    if (!gmtime_r(&now, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
        return -1;
    return strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) ? 0 : -1;
}

comb_code sbom_uuid(const char *given, char out[37], comb_err *err)
{
    if (given) {
        static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
        if (strlen(given) != 36)
            return comb_fail(err, COMB_EINVAL, "uuid \"%s\": want 8-4-4-4-12 hex digits", given);
        for (size_t i = 0; i < 36; i++) {
            if (shape[i] == '-' ? given[i] != '-' : !isxdigit((unsigned char)given[i]))
                return comb_fail(err, COMB_EINVAL, "uuid \"%s\": want 8-4-4-4-12 hex digits", given);
            out[i] = (char)tolower((unsigned char)given[i]);
        }
        out[36] = '\0';
        return COMB_OK;
    }
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return comb_fail(err, COMB_EIO, "cannot get random bytes for a uuid");
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
             b[12], b[13], b[14], b[15]);
    return COMB_OK;
}

/* ---- SPDX license expressions ----------------------------------------- */

/* Identifiers from the SPDX license list that commonly appear in package
 * metadata. Anything else is treated as free text by the reporters, which
 * is always valid output; the unit test checks that every entry is in the
 * official list shipped with the CycloneDX schema. */
static const char *const license_ids[] = {
    "0BSD", "AFL-2.1", "AFL-3.0", "AGPL-1.0", "AGPL-3.0", "AGPL-3.0-only",
    "AGPL-3.0-or-later", "Apache-1.0", "Apache-1.1", "Apache-2.0", "APSL-2.0",
    "Artistic-1.0", "Artistic-1.0-Perl", "Artistic-2.0", "Beerware", "blessing",
    "BlueOak-1.0.0", "BSD-1-Clause", "BSD-2-Clause", "BSD-2-Clause-Patent",
    "BSD-3-Clause", "BSD-3-Clause-Clear", "BSD-4-Clause", "BSD-4-Clause-UC",
    "BSD-Source-Code", "BSL-1.0", "bzip2-1.0.6", "CC-BY-3.0", "CC-BY-4.0",
    "CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC0-1.0", "CDDL-1.0", "CDDL-1.1", "CPL-1.0",
    "curl", "ECL-2.0", "EPL-1.0", "EPL-2.0", "EUPL-1.1", "EUPL-1.2", "FSFAP",
    "FSFUL", "FSFULLR", "FTL", "GFDL-1.1-only", "GFDL-1.1-or-later",
    "GFDL-1.2-only", "GFDL-1.2-or-later", "GFDL-1.3-only", "GFDL-1.3-or-later",
    "GPL-1.0", "GPL-1.0+", "GPL-1.0-only", "GPL-1.0-or-later", "GPL-2.0",
    "GPL-2.0+", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0", "GPL-3.0+",
    "GPL-3.0-only", "GPL-3.0-or-later", "HPND", "ICU", "IJG", "ImageMagick",
    "Info-ZIP", "IPA", "ISC", "JSON", "LGPL-2.0", "LGPL-2.0+", "LGPL-2.0-only",
    "LGPL-2.0-or-later", "LGPL-2.1", "LGPL-2.1+", "LGPL-2.1-only",
    "LGPL-2.1-or-later", "LGPL-3.0", "LGPL-3.0+", "LGPL-3.0-only",
    "LGPL-3.0-or-later", "Libpng", "libpng-2.0", "libtiff", "LPPL-1.3c", "MirOS",
    "MIT", "MIT-0", "MIT-CMU", "MPL-1.0", "MPL-1.1", "MPL-2.0",
    "MPL-2.0-no-copyleft-exception", "MS-PL", "MS-RL", "NCSA", "NTP", "OFL-1.1",
    "OLDAP-2.8", "OpenSSL", "PHP-3.0", "PHP-3.01", "PostgreSQL", "PSF-2.0",
    "Python-2.0", "Python-2.0.1", "Ruby", "Sendmail", "SGI-B-2.0", "Sleepycat",
    "Spencer-86", "Spencer-94", "TCL", "Unicode-3.0", "Unicode-DFS-2015",
    "Unicode-DFS-2016", "Unlicense", "UPL-1.0", "Vim", "W3C", "WTFPL", "X11",
    "XFree86-1.1", "Zlib", "zlib-acknowledgement", "ZPL-2.1",
};

static const char *const exception_ids[] = {
    "389-exception", "Autoconf-exception-2.0", "Autoconf-exception-3.0",
    "Autoconf-exception-generic", "Bison-exception-2.2", "Bootloader-exception",
    "Classpath-exception-2.0", "eCos-exception-2.0", "FLTK-exception",
    "Font-exception-2.0", "GCC-exception-2.0", "GCC-exception-3.1",
    "GPL-3.0-linking-exception", "GPL-3.0-linking-source-exception",
    "GStreamer-exception-2008", "Libtool-exception", "Linux-syscall-note",
    "LLVM-exception", "LZMA-exception", "OCaml-LGPL-linking-exception",
    "OpenJDK-assembly-exception-1.0", "openvpn-openssl-exception",
    "Qt-GPL-exception-1.0", "Qt-LGPL-exception-1.1", "Swift-exception",
    "u-boot-exception-2.0", "Universal-FOSS-exception-1.0",
    "WxWindows-exception-3.1",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

size_t sbom_license_id_count(void) { return NELEM(license_ids); }
const char *sbom_license_id_at(size_t i) { return i < NELEM(license_ids) ? license_ids[i] : NULL; }
size_t sbom_license_exception_count(void) { return NELEM(exception_ids); }
const char *sbom_license_exception_at(size_t i)
{
    return i < NELEM(exception_ids) ? exception_ids[i] : NULL;
}

static const char *lookup(const char *const *tab, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(tab[i]) == len && strncasecmp(tab[i], s, len) == 0)
            return tab[i];
    return NULL;
}

typedef enum { T_END, T_OPEN, T_CLOSE, T_WORD, T_BAD } tok_kind;

typedef struct lic_parser {
    const char *p;
    tok_kind kind;
    const char *word;
    size_t wlen;
    char *out;
    size_t olen, ocap;
    int oom;
    int nterms;
    int plus; /* a '+' suffix was used */
} lic_parser;

static void next_tok(lic_parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
    char c = *ps->p;
    if (c == '\0') {
        ps->kind = T_END;
    } else if (c == '(' || c == ')') {
        ps->kind = c == '(' ? T_OPEN : T_CLOSE;
        ps->p++;
    } else {
        const char *start = ps->p;
        while (isalnum((unsigned char)*ps->p) || *ps->p == '.' || *ps->p == '-' || *ps->p == '+')
            ps->p++;
        if (ps->p == start || (*ps->p && !strchr(" \t\r\n()", *ps->p))) {
            ps->kind = T_BAD;
            return;
        }
        ps->kind = T_WORD;
        ps->word = start;
        ps->wlen = (size_t)(ps->p - start);
    }
}

static void emit(lic_parser *ps, const char *s, size_t n)
{
    if (ps->oom)
        return;
    if (ps->olen + n + 1 > ps->ocap) {
        size_t cap = (ps->olen + n + 1) * 2;
        char *o = realloc(ps->out, cap);
        if (!o) {
            ps->oom = 1;
            return;
        }
        ps->out = o;
        ps->ocap = cap;
    }
    memcpy(ps->out + ps->olen, s, n);
    ps->olen += n;
    ps->out[ps->olen] = '\0';
}

static int is_op(const lic_parser *ps, const char *op)
{
    return ps->kind == T_WORD && ps->wlen == strlen(op) && memcmp(ps->word, op, ps->wlen) == 0;
}

static int parse_or(lic_parser *ps, int depth);

/* term := '(' or ')' | license-id ['+'] [WITH exception-id] */
static int parse_term(lic_parser *ps, int depth)
{
    if (ps->kind == T_OPEN) {
        emit(ps, "(", 1);
        next_tok(ps);
        if (!parse_or(ps, depth + 1) || ps->kind != T_CLOSE)
            return 0;
        emit(ps, ")", 1);
        next_tok(ps);
        return 1;
    }
    if (ps->kind != T_WORD || is_op(ps, "AND") || is_op(ps, "OR") || is_op(ps, "WITH"))
        return 0;
    size_t len = ps->wlen;
    const char *id = lookup(license_ids, NELEM(license_ids), ps->word, len);
    int plus = 0;
    if (!id && len > 1 && ps->word[len - 1] == '+') {
        id = lookup(license_ids, NELEM(license_ids), ps->word, len - 1);
        plus = 1;
    }
    if (!id || (plus && id[strlen(id) - 1] == '+'))
        return 0;
    emit(ps, id, strlen(id));
    if (plus) {
        emit(ps, "+", 1);
        ps->plus = 1;
    }
    ps->nterms++;
    next_tok(ps);
    if (is_op(ps, "WITH")) {
        next_tok(ps);
        if (ps->kind != T_WORD)
            return 0;
        const char *ex = lookup(exception_ids, NELEM(exception_ids), ps->word, ps->wlen);
        if (!ex)
            return 0;
        emit(ps, " WITH ", 6);
        emit(ps, ex, strlen(ex));
        ps->nterms++;
        next_tok(ps);
    }
    return 1;
}

static int parse_and(lic_parser *ps, int depth)
{
    if (!parse_term(ps, depth))
        return 0;
    while (is_op(ps, "AND")) {
        emit(ps, " AND ", 5);
        next_tok(ps);
        if (!parse_term(ps, depth))
            return 0;
    }
    return 1;
}

static int parse_or(lic_parser *ps, int depth)
{
    if (depth > 32 || !parse_and(ps, depth))
        return 0;
    while (is_op(ps, "OR")) {
        emit(ps, " OR ", 4);
        next_tok(ps);
        if (!parse_and(ps, depth))
            return 0;
    }
    return 1;
}

int sbom_license_expr(const char *s, char **canon, int *single_id)
{
    *canon = NULL;
    if (single_id)
        *single_id = 0;
    if (!s)
        return 0;
    lic_parser ps = {.p = s};
    next_tok(&ps);
    int ok = parse_or(&ps, 0) && ps.kind == T_END;
    if (ps.oom) {
        free(ps.out);
        return -1;
    }
    if (!ok || !ps.out) {
        free(ps.out);
        return 0;
    }
    if (single_id)
        *single_id = ps.nterms == 1 && !ps.plus && ps.out[0] != '(';
    *canon = ps.out;
    return 1;
}

/* ---- output ----------------------------------------------------------- */

comb_code sbom_write(json_t *doc, FILE *out, const char *what, comb_err *err)
{
    /* one buffer and one write: json_dumpf writes token by token */
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        return comb_fail(err, COMB_ENOMEM, "%s output: out of memory", what);
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, out) != n || fputc('\n', out) == EOF || fflush(out) != 0 ||
              ferror(out);
    free(text);
    return bad ? comb_fail(err, COMB_EIO, "writing %s output failed", what) : COMB_OK;
}

char *sbom_uri_path(const char *path)
{
    if (!path)
        return NULL;
    size_t n = strlen(path);
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
    static const char hex[] = "0123456789ABCDEF";
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (isalnum(*p) || strchr("-._~!$&'()*+,;=/@", *p)) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

const char *sbom_vuln_source(const char *id)
{
    if (id && strncasecmp(id, "CVE-", 4) == 0)
        return "NVD";
    if (id && strncasecmp(id, "GHSA-", 5) == 0)
        return "GitHub";
    return "OSV";
}

char *sbom_vuln_url(const char *id)
{
    if (!id || !*id)
        return NULL;
    char *enc = sbom_uri_path(id);
    char *url = NULL;
    if (!enc)
        return NULL;
    const char *src = sbom_vuln_source(id);
    int r = strcmp(src, "NVD") == 0      ? asprintf(&url, "https://nvd.nist.gov/vuln/detail/%s", enc)
            : strcmp(src, "GitHub") == 0 ? asprintf(&url, "https://github.com/advisories/%s", enc)
                                         : asprintf(&url, "https://osv.dev/vulnerability/%s", enc);
    free(enc);
    return r < 0 ? NULL : url;
}
