/* ruby.c - installed Ruby gems.
 *
 * Reads the gemspecs RubyGems writes for installed gems:
 * <gem home>/specifications/<name>-<ver>.gemspec and
 * specifications/default/<name>-<ver>.gemspec (default gems), anywhere in
 * the image (usr/lib/ruby/gems/X/, var/lib/gems/X/,
 * usr/share/rubygems-integration/all/, bundler's vendor/bundle, ...).
 * Format: Ruby code as produced by Gem::Specification#to_ruby (RubyGems,
 * lib/rubygems/specification.rb): a "Gem::Specification.new do |s|" block of
 * "s.attr = literal" assignments. This is not a Ruby interpreter: it reads
 * assignments of string literals ("x", 'x', %q{x}, optional .freeze) and
 * one-line arrays of them to the block variable (any name) for name, version
 * (Gem::Version.new("x") too), license / licenses (joined with " OR ") and
 * authors (joined with ", ", as maintainer). The "# stub: name version"
 * comment gem writes is the fallback for name and version. Computed values
 * (File.read, interpolation, constants) are not evaluated: such gems are
 * skipped with a warning. Gemfile.lock and .gem archives are not read.
 */
#include "analyze/analyzer.h"

#include <string.h>

#define RB_MAX_SIZE (8u << 20)
#define RB_MAX_STR 1024  /* one string literal */
#define RB_MAX_LIST 32   /* elements of one array */
#define RB_MAX_JOINED 2048

static int wants(const comb_entry *e)
{
    const char *p = e->path;
    size_t n = strlen(p);
    if (n < 9 || memcmp(p + n - 8, ".gemspec", 8) != 0 || p[n - 9] == '/')
        return COMB_WANT_NO;
    size_t i = n - 8;
    while (i > 0 && p[i - 1] != '/')
        i--;
    if (i == 0)
        return COMB_WANT_NO;
    size_t d = i - 1; /* parent directory is p[0..d) */
    static const char spec[] = "specifications";
    static const char dflt[] = "specifications/default";
#define DIR_IS(lit)                                                           \
    (d >= sizeof(lit) - 1 && memcmp(p + d - (sizeof(lit) - 1), lit, sizeof(lit) - 1) == 0 && \
     (d == sizeof(lit) - 1 || p[d - sizeof(lit)] == '/'))
    if (DIR_IS(spec) || DIR_IS(dflt))
        return COMB_WANT_BUFFER;
#undef DIR_IS
    return COMB_WANT_NO;
}

typedef struct cur {
    const char *s;
    size_t i, n;
} cur;

static int is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

static void skip_blank(cur *c) /* spaces and tabs */
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
        c->i++;
}

static void skip_ws(cur *c) /* including newlines */
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' ||
                           c->s[c->i] == '\r'))
        c->i++;
}

static int lit(cur *c, const char *w)
{
    size_t l = strlen(w);
    if (c->n - c->i >= l && memcmp(c->s + c->i, w, l) == 0) {
        c->i += l;
        return 1;
    }
    return 0;
}

/* Parse one string literal into buf (NUL-terminated); 1 on success. */
static int parse_string(cur *c, char *buf, size_t cap, size_t *outlen)
{
    if (c->i >= c->n)
        return 0;
    char open = c->s[c->i], close;
    int dq;
    if (open == '"' || open == '\'') {
        close = open;
        dq = open == '"';
        c->i++;
    } else if (open == '%' && c->i + 2 < c->n && (c->s[c->i + 1] == 'q' || c->s[c->i + 1] == 'Q')) {
        dq = c->s[c->i + 1] == 'Q';
        open = c->s[c->i + 2];
        switch (open) {
        case '{': close = '}'; break;
        case '(': close = ')'; break;
        case '[': close = ']'; break;
        case '<': close = '>'; break;
        default:
            if (is_ident(open) || open == ' ' || open == '\n' || (unsigned char)open < 0x21)
                return 0;
            close = open;
        }
        c->i += 3;
    } else {
        return 0;
    }
    size_t len = 0;
    while (c->i < c->n) {
        char ch = c->s[c->i++];
        if (ch == close) {
            buf[len] = '\0';
            *outlen = len;
            return 1;
        }
        if (ch == '\n' || ch == '\0')
            return 0; /* gemspec values never span lines */
        if (ch == '\\') {
            if (c->i >= c->n)
                return 0;
            char nx = c->s[c->i++];
            if (dq) {
                switch (nx) {
                case 'n': case 't': case 'r': case 'e': case 'u': case 'x': case '0':
                    return 0; /* control characters or escapes we do not decode */
                default: ch = nx;
                }
            } else if (nx == close || nx == '\\') {
                ch = nx;
            } else {
                c->i--; /* backslash is literal in single quotes */
            }
        } else if (dq && ch == '#' && c->i < c->n && c->s[c->i] == '{') {
            return 0; /* interpolation: computed value */
        } else if ((unsigned char)ch < 0x20 && ch != '\t') {
            return 0;
        }
        if (len + 1 >= cap)
            return 0;
        buf[len++] = ch;
    }
    return 0;
}

/* A string literal with optional ".freeze" suffix. */
static int parse_value_string(cur *c, char *buf, size_t cap, size_t *len)
{
    if (!parse_string(c, buf, cap, len))
        return 0;
    lit(c, ".freeze");
    return 1;
}

/* "x" | ["x", "y"] joined with sep into buf. */
static int parse_string_or_list(cur *c, char *buf, size_t cap, const char *sep)
{
    char one[RB_MAX_STR];
    size_t ol, used = 0, seplen = strlen(sep);
    if (c->i < c->n && c->s[c->i] == '[') {
        c->i++;
        buf[0] = '\0';
        for (int k = 0; k < RB_MAX_LIST; k++) {
            skip_ws(c);
            if (c->i < c->n && c->s[c->i] == ']') {
                c->i++;
                return 1;
            }
            if (!parse_value_string(c, one, sizeof one, &ol))
                return 0;
            if (ol) {
                if (used + (used ? seplen : 0) + ol + 1 > cap)
                    return 0;
                if (used) {
                    memcpy(buf + used, sep, seplen);
                    used += seplen;
                }
                memcpy(buf + used, one, ol);
                used += ol;
                buf[used] = '\0';
            }
            skip_ws(c);
            if (c->i < c->n && c->s[c->i] == ',')
                c->i++;
        }
        return 0;
    }
    if (!parse_value_string(c, one, sizeof one, &ol) || ol + 1 > cap)
        return 0;
    memcpy(buf, one, ol + 1);
    return 1;
}

typedef struct gem {
    char name[RB_MAX_STR], version[RB_MAX_STR], license[RB_MAX_JOINED],
        authors[RB_MAX_JOINED];
    char stub_name[RB_MAX_STR], stub_version[RB_MAX_STR];
    int has_name, has_version, has_license, has_authors, has_stub;
    int computed; /* name or version assigned something we cannot read */
} gem;

/* "# stub: rake 13.0.6 ruby lib" */
static void parse_stub(cur *c, gem *g)
{
    skip_blank(c);
    const char *w[2];
    size_t wl[2];
    for (int k = 0; k < 2; k++) {
        skip_blank(c);
        size_t st = c->i;
        while (c->i < c->n && c->s[c->i] != ' ' && c->s[c->i] != '\t' && c->s[c->i] != '\n' &&
               c->s[c->i] != '\r' && (unsigned char)c->s[c->i] >= 0x20)
            c->i++;
        w[k] = c->s + st;
        wl[k] = c->i - st;
        if (wl[k] == 0 || wl[k] >= RB_MAX_STR)
            return;
    }
    memcpy(g->stub_name, w[0], wl[0]);
    g->stub_name[wl[0]] = '\0';
    memcpy(g->stub_version, w[1], wl[1]);
    g->stub_version[wl[1]] = '\0';
    g->has_stub = 1;
}

static void parse_assignment(cur *c, gem *g, const char *attr, size_t al)
{
    size_t dummy;
#define ATTR(lit) (al == sizeof(lit) - 1 && memcmp(attr, lit, al) == 0)
    if (ATTR("name") && !g->has_name) {
        if (parse_value_string(c, g->name, sizeof g->name, &dummy) && dummy)
            g->has_name = 1;
        else
            g->computed = 1;
    } else if (ATTR("version") && !g->has_version) {
        int wrapped = lit(c, "Gem::Version.new(");
        if (wrapped)
            skip_blank(c);
        if (parse_value_string(c, g->version, sizeof g->version, &dummy) && dummy)
            g->has_version = 1;
        else
            g->computed = 1;
    } else if ((ATTR("license") || ATTR("licenses")) && !g->has_license) {
        if (parse_string_or_list(c, g->license, sizeof g->license, " OR ") && g->license[0])
            g->has_license = 1;
    } else if ((ATTR("authors") || ATTR("author")) && !g->has_authors) {
        if (parse_string_or_list(c, g->authors, sizeof g->authors, ", ") && g->authors[0])
            g->has_authors = 1;
    }
#undef ATTR
}

static comb_code on_buffer(comb_emit *out, const comb_entry *e, const uint8_t *data,
                           size_t len, comb_err *err)
{
    gem gs_;
    memset(&gs_, 0, sizeof gs_);
    gem *g = &gs_;
    cur c = { (const char *)data, 0, len };
    char var[64] = "";
    size_t varlen = 0;

    while (c.i < c.n) {
        /* one line: find its end first so nothing runs past it */
        size_t start = c.i;
        const char *nl = memchr(c.s + start, '\n', c.n - start);
        size_t end = nl ? (size_t)(nl - c.s) : c.n;
        cur l = { c.s, start, end };
        c.i = nl ? end + 1 : c.n;

        skip_blank(&l);
        if (lit(&l, "# stub:")) {
            if (!g->has_stub)
                parse_stub(&l, g);
            continue;
        }
        if (l.i < l.n && l.s[l.i] == '#')
            continue;
        /* Gem::Specification.new do |s|  /  Gem::Specification.new { |s| */
        size_t at = l.i;
        const char *gs = NULL;
        for (size_t k = l.i; k + 22 <= l.n; k++)
            if (memcmp(l.s + k, "Gem::Specification.new", 22) == 0) {
                gs = l.s + k;
                break;
            }
        if (gs && !varlen) {
            const char *bar = memchr(gs, '|', (size_t)(l.s + l.n - gs));
            if (bar) {
                cur v = { l.s, (size_t)(bar - l.s) + 1, l.n };
                skip_blank(&v);
                size_t vs = v.i;
                while (v.i < v.n && is_ident(v.s[v.i]))
                    v.i++;
                size_t vl = v.i - vs;
                if (vl > 0 && vl < sizeof var) {
                    memcpy(var, v.s + vs, vl);
                    var[vl] = '\0';
                    varlen = vl;
                }
            }
            continue;
        }
        l.i = at;
        /* VAR.attr = value */
        size_t rs = l.i;
        while (l.i < l.n && is_ident(l.s[l.i]))
            l.i++;
        size_t rl = l.i - rs;
        if (rl == 0 || l.i >= l.n || l.s[l.i] != '.')
            continue;
        if (varlen && (rl != varlen || memcmp(l.s + rs, var, rl) != 0))
            continue;
        l.i++;
        size_t as = l.i;
        while (l.i < l.n && is_ident(l.s[l.i]))
            l.i++;
        size_t al = l.i - as;
        skip_blank(&l);
        if (al == 0 || l.i + 1 >= l.n || l.s[l.i] != '=' || l.s[l.i + 1] == '=' ||
            l.s[l.i + 1] == '~')
            continue;
        l.i++;
        skip_blank(&l);
        parse_assignment(&l, g, l.s + as, al);
    }

    const char *name = g->has_name ? g->name : g->has_stub ? g->stub_name : NULL;
    const char *version = g->has_version ? g->version : g->has_stub ? g->stub_version : NULL;
    if (!name || !version) {
        if (g->computed)
            return comb_fail(err, COMB_EFORMAT,
                             "%s: gemspec name or version is computed, not a literal", e->path);
        return comb_fail(err, COMB_EFORMAT, "%s: no gem name and version found", e->path);
    }
    comb_pkg *p = comb_emit_pkg(out, COMB_PKG_GEM);
    if (!p || !(p->name = comb_emit_strdup(out, name)) ||
        !(p->version = comb_emit_strdup(out, version)))
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", e->path);
    if (g->has_license)
        p->license = comb_emit_strdup(out, g->license);
    if (g->has_authors)
        p->maintainer = comb_emit_strdup(out, g->authors);
    return COMB_OK;
}

const comb_analyzer comb_analyzer_ruby = {
    .name = "ruby",
    .wants = wants,
    .max_size = RB_MAX_SIZE,
    .on_buffer = on_buffer,
};
