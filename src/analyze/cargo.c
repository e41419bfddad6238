/* cargo.c - Rust crates from Cargo.lock.
 *
 * Reads Cargo.lock anywhere in the image (lockfile versions 1 to 4 as written
 * by cargo: https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html,
 * syntax per TOML 1.0). Only the subset cargo writes is parsed, strictly and
 * without recursion: top-level "key = value" lines, "[[package]]" and other
 * table headers, values that are basic strings, literal strings, integers,
 * booleans and arrays of strings (which may span lines). Each [[package]]
 * with name and version is reported as COMB_PKG_CARGO with its version as
 * written. Packages without "source" are local path or workspace members
 * (the project itself, not a fetched dependency) and are NOT reported: they
 * have no identity outside the project and would only produce false matches
 * against crates of the same name. [metadata] (v1 checksums) and
 * [[patch.unused]] are ignored. Malformed lines and packages are skipped
 * with a warning. Not read: Cargo.toml, the registry cache, binaries (see
 * elf.c for cargo-auditable).
 */
#include "analyze/analyzer.h"

#include <string.h>

#define CARGO_MAX_SIZE (64u << 20)
#define CARGO_MAX_LINE (64u << 10)
#define CARGO_MAX_VALUE 1024
#define CARGO_MAX_PKGS 200000
#define CARGO_MAX_ARRAY_LINES 100000 /* lines one multi-line array may take */
#define CARGO_MAX_WARN 10

static int wants(const comb_entry *e)
{
    const char *p = e->path;
    size_t n = strlen(p);
    if ((n == 10 && memcmp(p, "Cargo.lock", 10) == 0) ||
        (n > 10 && memcmp(p + n - 11, "/Cargo.lock", 11) == 0))
        return COMB_WANT_BUFFER;
    return COMB_WANT_NO;
}

enum section { SEC_TOP, SEC_PACKAGE, SEC_OTHER };

typedef struct pkgstate {
    char name[CARGO_MAX_VALUE], version[CARGO_MAX_VALUE], source[CARGO_MAX_VALUE];
    int has_name, has_version, has_source;
    int bad;        /* a line inside it was malformed */
    size_t line;    /* where it started */
} pkgstate;

typedef struct ctx {
    comb_emit *out;
    size_t lineno;
    size_t errors;    /* syntax errors */
    size_t warned;
    size_t emitted, skipped, local, tables;
    int oom, limited;
} ctx;

static void warn(ctx *c, const char *what)
{
    c->errors++;
    if (c->warned++ < CARGO_MAX_WARN)
        comb_emit_warn(c->out, "line %zu: %s", c->lineno, what);
}

static int is_bare(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

typedef struct cur {
    const char *s;
    size_t i, n;
} cur;

static void skip_sp(cur *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
        c->i++;
}

/* Only whitespace or a comment left on the line? */
static int at_eol(cur *c)
{
    skip_sp(c);
    return c->i >= c->n || c->s[c->i] == '#';
}

/* A basic ("...") or literal ('...') string on one line. Decodes the simple
 * escapes; \u escapes and control characters are rejected. buf may be NULL
 * (syntax check only). Returns 1 on success. */
static int parse_str(cur *c, char *buf, size_t cap, size_t *outlen)
{
    if (c->i >= c->n || (c->s[c->i] != '"' && c->s[c->i] != '\''))
        return 0;
    char q = c->s[c->i++];
    if (c->n - c->i >= 2 && c->s[c->i] == q && c->s[c->i + 1] == q)
        return 0; /* multi-line strings are not used in Cargo.lock */
    size_t len = 0;
    while (c->i < c->n) {
        char ch = c->s[c->i++];
        if (ch == q) {
            if (buf)
                buf[len] = '\0';
            if (outlen)
                *outlen = len;
            return 1;
        }
        if ((unsigned char)ch < 0x20 && ch != '\t')
            return 0;
        if (ch == 0x7f)
            return 0;
        if (ch == '\\' && q == '"') {
            if (c->i >= c->n)
                return 0;
            switch (c->s[c->i++]) {
            case '"': ch = '"'; break;
            case '\\': ch = '\\'; break;
            default: return 0; /* control escapes and \u never occur in names/versions */
            }
        }
        if (buf) {
            if (len + 1 >= cap)
                return 0;
            buf[len] = ch;
        }
        len++;
    }
    return 0;
}

/* Scan array elements from c; returns 1 when the closing ']' was found, 0 if
 * the line ended inside the array (continue on the next line), -1 on error. */
static int scan_array(cur *c)
{
    for (;;) {
        skip_sp(c);
        if (c->i >= c->n || c->s[c->i] == '#')
            return 0;
        char ch = c->s[c->i];
        if (ch == ']') {
            c->i++;
            return 1;
        }
        if (ch == ',') {
            c->i++;
            continue;
        }
        if (!parse_str(c, NULL, 0, NULL))
            return -1;
    }
}

/* Handles one logical line of a table; *in_array is set when a multi-line
 * array continues. Fills p when sec == SEC_PACKAGE. */
static void parse_kv(ctx *cx, cur *c, enum section sec, pkgstate *p, int *in_array)
{
    /* key: bare or quoted (v1 [metadata] uses quoted keys) */
    char key[16] = "";
    size_t ks = c->i;
    if (c->i < c->n && (c->s[c->i] == '"' || c->s[c->i] == '\'')) {
        if (!parse_str(c, NULL, 0, NULL)) {
            warn(cx, "bad key");
            p->bad |= sec == SEC_PACKAGE;
            return;
        }
    } else {
        while (c->i < c->n && is_bare(c->s[c->i]))
            c->i++;
        if (c->i == ks) {
            warn(cx, "expected key = value");
            p->bad |= sec == SEC_PACKAGE;
            return;
        }
        size_t kl = c->i - ks;
        if (kl < sizeof key) {
            memcpy(key, c->s + ks, kl);
            key[kl] = '\0';
        }
    }
    skip_sp(c);
    if (c->i >= c->n || c->s[c->i] != '=') {
        warn(cx, "expected '='");
        p->bad |= sec == SEC_PACKAGE;
        return;
    }
    c->i++;
    skip_sp(c);
    if (c->i >= c->n) {
        warn(cx, "missing value");
        p->bad |= sec == SEC_PACKAGE;
        return;
    }

    char *dst = NULL;
    int *flag = NULL;
    if (sec == SEC_PACKAGE) {
        if (strcmp(key, "name") == 0)
            dst = p->name, flag = &p->has_name;
        else if (strcmp(key, "version") == 0)
            dst = p->version, flag = &p->has_version;
        else if (strcmp(key, "source") == 0)
            dst = p->source, flag = &p->has_source;
        if (flag && *flag) {
            warn(cx, "duplicate key in [[package]]");
            p->bad = 1;
            return;
        }
    }

    char ch = c->s[c->i];
    int ok;
    if (ch == '"' || ch == '\'') {
        size_t len = 0;
        ok = parse_str(c, dst, CARGO_MAX_VALUE, &len);
        if (ok && flag) {
            if (len == 0)
                ok = 0;
            else
                *flag = 1;
        }
    } else if (ch == '[') {
        c->i++;
        int r = scan_array(c);
        ok = r >= 0;
        if (r == 0)
            *in_array = 1;
        if (flag)
            ok = 0; /* name/version/source must be strings */
    } else if ((ch >= '0' && ch <= '9') || ch == '+' || ch == '-') {
        c->i++;
        while (c->i < c->n && ((c->s[c->i] >= '0' && c->s[c->i] <= '9') || c->s[c->i] == '_'))
            c->i++;
        ok = !flag;
    } else if (c->n - c->i >= 4 && memcmp(c->s + c->i, "true", 4) == 0) {
        c->i += 4;
        ok = !flag;
    } else if (c->n - c->i >= 5 && memcmp(c->s + c->i, "false", 5) == 0) {
        c->i += 5;
        ok = !flag;
    } else {
        ok = 0;
    }
    if (ok && !*in_array && !at_eol(c))
        ok = 0;
    if (!ok) {
        warn(cx, "malformed value");
        p->bad |= sec == SEC_PACKAGE;
        if (flag)
            *flag = 0;
    }
}

static void finish_package(ctx *cx, pkgstate *p)
{
    if (p->bad || !p->has_name || !p->has_version) {
        cx->skipped++;
        if (cx->warned++ < CARGO_MAX_WARN)
            comb_emit_warn(cx->out, "[[package]] at line %zu skipped: %s", p->line,
                           p->bad ? "malformed" : "name or version missing");
        return;
    }
    if (!p->has_source) {
        cx->local++;
        return;
    }
    if (cx->emitted >= CARGO_MAX_PKGS) {
        if (!cx->limited)
            comb_emit_warn(cx->out, "more than %u packages; the rest is ignored",
                           CARGO_MAX_PKGS);
        cx->limited = 1;
        return;
    }
    comb_pkg *k = comb_emit_pkg(cx->out, COMB_PKG_CARGO);
    if (!k || !(k->name = comb_emit_strdup(cx->out, p->name)) ||
        !(k->version = comb_emit_strdup(cx->out, p->version))) {
        cx->oom = 1;
        return;
    }
    cx->emitted++;
}

static comb_code on_buffer(comb_emit *out, const comb_entry *e, const uint8_t *data,
                           size_t len, comb_err *err)
{
    ctx cx = { .out = out };
    pkgstate p;
    memset(&p, 0, sizeof p);
    enum section sec = SEC_TOP;
    int in_array = 0, in_pkg = 0;
    size_t array_lines = 0;
    const char *s = (const char *)data;
    size_t pos = 0;

    while (pos < len && !cx.oom && !cx.limited) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - s) : len;
        cur c = { s, pos, end };
        pos = nl ? end + 1 : len;
        cx.lineno++;
        if (c.n > c.i && c.s[c.n - 1] == '\r')
            c.n--;
        if (c.n - c.i > CARGO_MAX_LINE) {
            warn(&cx, "line too long");
            if (in_pkg)
                p.bad = 1;
            continue;
        }
        if (in_array) {
            int r = scan_array(&c);
            if (r < 0 || (r == 1 && !at_eol(&c))) {
                warn(&cx, "malformed array");
                if (in_pkg)
                    p.bad = 1;
                in_array = 0;
            } else if (r == 1) {
                in_array = 0;
            } else if (++array_lines > CARGO_MAX_ARRAY_LINES) {
                warn(&cx, "array too long");
                if (in_pkg)
                    p.bad = 1;
                in_array = 0;
            }
            continue;
        }
        if (at_eol(&c))
            continue; /* blank line or comment */
        if (c.s[c.i] == '[') {
            if (in_pkg)
                finish_package(&cx, &p);
            in_pkg = 0;
            int dbl = c.n - c.i >= 2 && c.s[c.i + 1] == '[';
            c.i += dbl ? 2 : 1;
            skip_sp(&c);
            size_t ns = c.i;
            while (c.i < c.n && (is_bare(c.s[c.i]) || c.s[c.i] == '.'))
                c.i++;
            size_t nlen = c.i - ns;
            skip_sp(&c);
            int ok = nlen > 0 && c.i < c.n && c.s[c.i] == ']';
            if (ok && dbl)
                ok = c.i + 1 < c.n && c.s[c.i + 1] == ']';
            if (ok)
                c.i += dbl ? 2 : 1;
            if (!ok || !at_eol(&c)) {
                warn(&cx, "malformed table header");
                sec = SEC_OTHER;
                continue;
            }
            cx.tables++;
            if (dbl && nlen == 7 && memcmp(c.s + ns, "package", 7) == 0) {
                sec = SEC_PACKAGE;
                in_pkg = 1;
                memset(&p, 0, sizeof p);
                p.line = cx.lineno;
            } else {
                sec = SEC_OTHER;
            }
            continue;
        }
        parse_kv(&cx, &c, sec, &p, &in_array);
        array_lines = 0;
    }
    if (in_pkg && !cx.oom && !cx.limited) {
        if (in_array)
            p.bad = 1; /* truncated inside an array */
        finish_package(&cx, &p);
    }
    if (cx.oom)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", e->path);
    if (cx.warned > CARGO_MAX_WARN)
        comb_emit_warn(out, "%zu more problems not shown", cx.warned - CARGO_MAX_WARN);
    if (cx.emitted == 0 && cx.local == 0 && cx.errors > 0)
        return comb_fail(err, COMB_EFORMAT, "%s: not a readable Cargo.lock (%zu errors)",
                         e->path, cx.errors);
    return COMB_OK;
}

const comb_analyzer comb_analyzer_cargo = {
    .name = "cargo",
    .wants = wants,
    .max_size = CARGO_MAX_SIZE,
    .on_buffer = on_buffer,
};
