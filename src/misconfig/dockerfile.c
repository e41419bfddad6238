/* dockerfile.c - see dockerfile.h. One pass over the lines: directives at
 * the top, then instructions; a continued instruction is joined into a
 * scratch buffer, heredoc bodies are read right after the line that opens
 * them. Everything kept lives in the Dockerfile's arena, except the two
 * growable arrays (instructions, stages). */
#include "misconfig/dockerfile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define MAX_REF 4096          /* FROM reference after substitution */
#define MAX_GLOBAL_ARGS 256

typedef struct reader {
    const char *p, *end;
    unsigned lineno;          /* of the line last returned */
} reader;

/* Next physical line without its '\n' (and '\r'); 0 at the end. */
static int next_line(reader *r, const char **line, size_t *len)
{
    if (r->p >= r->end)
        return 0;
    const char *s = r->p;
    const char *nl = memchr(s, '\n', (size_t)(r->end - s));
    const char *e = nl ? nl : r->end;
    r->p = nl ? nl + 1 : r->end;
    r->lineno++;
    if (e > s && e[-1] == '\r')
        e--;
    *line = s;
    *len = (size_t)(e - s);
    return 1;
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

static int blank(const char *s, size_t len)
{
    return skip_ws(s, len, 0) == len;
}

static int comment(const char *s, size_t len)
{
    size_t i = skip_ws(s, len, 0);
    return i < len && s[i] == '#';
}

/* "# key=value" -> key and value; 0 when the line is not a directive. */
static int directive(const char *s, size_t len, char key[16], const char **val, size_t *vlen)
{
    size_t i = skip_ws(s, len, 0);
    if (i >= len || s[i] != '#')
        return 0;
    i = skip_ws(s, len, i + 1);
    size_t k = i;
    while (i < len && isalpha((unsigned char)s[i]))
        i++;
    if (i == k || i - k >= 16)
        return 0;
    memcpy(key, s + k, i - k);
    key[i - k] = '\0';
    i = skip_ws(s, len, i);
    if (i >= len || s[i] != '=')
        return 0;
    i = skip_ws(s, len, i + 1);
    size_t e = len;
    while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    *val = s + i;
    *vlen = e - i;
    return 1;
}

/* Does the line end with the escape character (trailing blanks allowed)?
 * Then *cut is where the escape character sits. */
static int continues(const char *s, size_t len, char esc, size_t *cut)
{
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len && s[len - 1] == esc) {
        *cut = len - 1;
        return 1;
    }
    return 0;
}

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static int buf_add(buf *b, const char *s, size_t n, size_t limit)
{
    if (b->n + n + 1 > limit)
        return -1;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -2;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

static const char *const keywords[] = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
    "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
};

static int has_exec_form(const char *kw)
{
    return !strcmp(kw, "RUN") || !strcmp(kw, "CMD") || !strcmp(kw, "ENTRYPOINT") ||
           !strcmp(kw, "SHELL") || !strcmp(kw, "COPY") || !strcmp(kw, "ADD") ||
           !strcmp(kw, "VOLUME");
}

static int takes_flags(const char *kw)
{
    return !strcmp(kw, "RUN") || !strcmp(kw, "COPY") || !strcmp(kw, "ADD") ||
           !strcmp(kw, "FROM") || !strcmp(kw, "HEALTHCHECK");
}

typedef struct parser {
    comb_dockerfile *df;
    reader rd;
    comb_err *err;
    size_t cap_instrs, cap_stages;
    const char *gnames[MAX_GLOBAL_ARGS], *gvals[MAX_GLOBAL_ARGS]; /* ARGs before FROM */
    size_t nglobal;
} parser;

static comb_code oom(parser *ps)
{
    return comb_fail(ps->err, COMB_ENOMEM, "%s: out of memory", ps->df->name);
}

/* Exec form: a JSON array of strings. 1 when args is one. */
static int parse_exec(parser *ps, comb_df_instr *in)
{
    /* only a flat array of strings qualifies: no deep nesting reaches jansson */
    const char *p = in->args;
    if (*p != '[')
        return 0;
    p += 1 + strspn(p + 1, " \t");
    if (*p != '"' && *p != ']')
        return 0;
    json_error_t je;
    json_t *a = json_loads(in->args, 0, &je);
    if (!json_is_array(a)) {
        json_decref(a);
        return 0;
    }
    size_t n = json_array_size(a);
    for (size_t i = 0; i < n; i++)
        if (!json_is_string(json_array_get(a, i))) {
            json_decref(a);
            return 0;
        }
    in->argv = comb_arena_calloc(&ps->df->arena, n + 1, sizeof *in->argv);
    for (size_t i = 0; in->argv && i < n; i++)
        if (!(in->argv[i] = comb_arena_strdup(&ps->df->arena,
                                              json_string_value(json_array_get(a, i))))) {
            in->argv = NULL;
        }
    json_decref(a);
    if (!in->argv)
        return -1;
    in->argc = n;
    in->exec_form = 1;
    return 1;
}

/* Find the heredoc openers in a shell-form line: a word (outside quotes)
 * that starts with <<WORD, <<-WORD, <<"WORD" or <<'WORD', as BuildKit
 * reads them; then read their bodies from the following lines. */
static comb_code read_heredocs(parser *ps, comb_df_instr *in)
{
    const char *s = in->args;
    struct { const char *d; size_t n; int strip; } open[COMB_DF_MAX_HEREDOCS];
    size_t nopen = 0;
    char quote = 0;
    for (const char *p = s; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            else if (*p == '\\' && quote == '"' && p[1])
                p++;
            continue;
        }
        if (*p == '"' || *p == '\'') {
            quote = *p;
            continue;
        }
        if (p[0] != '<' || p[1] != '<' || (p > s && p[-1] != ' ' && p[-1] != '\t'))
            continue;
        const char *q = p + 2;
        int strip = 0;
        if (*q == '-')
            strip = 1, q++;
        char dq = (*q == '"' || *q == '\'') ? *q++ : 0;
        const char *d = q;
        while (isalnum((unsigned char)*q) || *q == '_' || *q == '.' || *q == '-')
            q++;
        if (q == d || (dq && *q != dq))
            continue; /* <<< and other redirections */
        if (nopen == COMB_DF_MAX_HEREDOCS)
            return comb_fail(ps->err, COMB_ELIMIT, "%s:%u: more than %d heredocs", ps->df->name,
                             in->line, COMB_DF_MAX_HEREDOCS);
        open[nopen].d = d;
        open[nopen].n = (size_t)(q - d);
        open[nopen].strip = strip;
        nopen++;
        p = dq ? q : q - 1;
    }
    if (!nopen)
        return COMB_OK;
    in->heredocs = comb_arena_calloc(&ps->df->arena, nopen, sizeof *in->heredocs);
    if (!in->heredocs)
        return oom(ps);
    for (size_t h = 0; h < nopen; h++) {
        buf body = { 0 };
        const char *line;
        size_t len;
        int done = 0;
        while (!done && next_line(&ps->rd, &line, &len)) {
            if (open[h].strip)
                while (len && *line == '\t')
                    line++, len--;
            if (len == open[h].n && !memcmp(line, open[h].d, len)) {
                done = 1;
                break;
            }
            int rc = buf_add(&body, line, len, COMB_DF_MAX_SIZE);
            if (!rc)
                rc = buf_add(&body, "\n", 1, COMB_DF_MAX_SIZE);
            if (rc) {
                free(body.p);
                return rc == -2 ? oom(ps) : comb_fail(ps->err, COMB_ELIMIT, "%s:%u: heredoc too large",
                                                      ps->df->name, in->line);
            }
        }
        if (!done) {
            free(body.p);
            return comb_fail(ps->err, COMB_EFORMAT, "%s:%u: heredoc <<%.*s is not terminated",
                             ps->df->name, in->line, (int)(open[h].n > 64 ? 64 : open[h].n),
                             open[h].d);
        }
        comb_df_heredoc *hd = &in->heredocs[h];
        hd->delimiter = comb_arena_strndup(&ps->df->arena, open[h].d, open[h].n);
        hd->body = comb_arena_strndup(&ps->df->arena, body.p ? body.p : "", body.n);
        free(body.p);
        if (!hd->delimiter || !hd->body)
            return oom(ps);
        in->nheredocs++;
    }
    in->end_line = ps->rd.lineno;
    return COMB_OK;
}

static const char *global_arg(parser *ps, const char *name, size_t len, int *found)
{
    for (size_t i = ps->nglobal; i-- > 0;)
        if (strlen(ps->gnames[i]) == len && !memcmp(ps->gnames[i], name, len)) {
            *found = 1;
            return ps->gvals[i];
        }
    *found = 0;
    return NULL;
}

/* Substitute $NAME, ${NAME}, ${NAME:-word}, ${NAME-word} from the global
 * ARGs. *unresolved is set when a variable has no value. */
static char *substitute(parser *ps, const char *s, int *unresolved)
{
    char out[MAX_REF];
    size_t o = 0;
    *unresolved = 0;
    for (size_t i = 0; s[i];) {
        const char *val = NULL;
        size_t vlen = 0, used = 1;
        if (s[i] == '$' && (s[i + 1] == '{' || isalpha((unsigned char)s[i + 1]) || s[i + 1] == '_')) {
            int braced = s[i + 1] == '{';
            size_t n0 = i + 1 + braced, n1 = n0;
            while (isalnum((unsigned char)s[n1]) || s[n1] == '_')
                n1++;
            const char *dflt = NULL;
            size_t dlen = 0, end = n1;
            if (braced) {
                if (s[n1] == ':' && s[n1 + 1] == '-')
                    dflt = s + n1 + 2;
                else if (s[n1] == '-')
                    dflt = s + n1 + 1;
                const char *close = strchr(s + n1, '}');
                if (!close) {
                    *unresolved = 1;
                    break;
                }
                if (dflt)
                    dlen = (size_t)(close - dflt);
                end = (size_t)(close - s) + 1;
            }
            int found;
            const char *v = global_arg(ps, s + n0, n1 - n0, &found);
            if (v && *v)
                val = v, vlen = strlen(v);
            else if (dflt)
                val = dflt, vlen = dlen;
            else if (!found || !v)
                *unresolved = 1, val = "", vlen = 0;
            else
                val = "", vlen = 0;
            used = end - i;
        } else {
            val = s + i;
            vlen = 1;
        }
        if (o + vlen >= sizeof out) {
            *unresolved = 1;
            return NULL;
        }
        memcpy(out + o, val, vlen);
        o += vlen;
        i += used;
    }
    out[o] = '\0';
    return comb_arena_strdup(&ps->df->arena, out);
}

static comb_code add_stage(parser *ps, comb_df_instr *in)
{
    comb_dockerfile *df = ps->df;
    const char *a = in->args;
    size_t n0 = strcspn(a, " \t");
    if (!n0)
        return comb_fail(ps->err, COMB_EFORMAT, "%s:%u: FROM needs an image", df->name, in->line);
    if (df->nstages == COMB_DF_MAX_STAGES)
        return comb_fail(ps->err, COMB_ELIMIT, "%s:%u: more than %d stages", df->name, in->line,
                         COMB_DF_MAX_STAGES);
    if (df->nstages == ps->cap_stages) {
        size_t cap = ps->cap_stages ? ps->cap_stages * 2 : 4;
        comb_df_stage *st = realloc(df->stages, cap * sizeof *st);
        if (!st)
            return oom(ps);
        df->stages = st;
        ps->cap_stages = cap;
    }
    comb_df_stage *st = &df->stages[df->nstages];
    memset(st, 0, sizeof *st);
    st->parent = -1;
    st->line = in->line;
    st->first = df->n - 1; /* the FROM itself, already counted */
    const char *raw = comb_arena_strndup(&df->arena, a, n0);
    if (!raw)
        return oom(ps);
    const char *rest = a + n0;
    rest += strspn(rest, " \t");
    if (!strncasecmp(rest, "AS", 2) && (rest[2] == ' ' || rest[2] == '\t' || !rest[2])) {
        rest += 2;
        rest += strspn(rest, " \t");
        size_t nl = strcspn(rest, " \t");
        if (!nl)
            return comb_fail(ps->err, COMB_EFORMAT, "%s:%u: FROM ... AS needs a name", df->name,
                             in->line);
        char *name = comb_arena_strndup(&df->arena, rest, nl);
        if (!name)
            return oom(ps);
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        st->name = name;
    }
    int unresolved = 0;
    /* a reference longer than any real one is kept as written */
    st->image = strchr(raw, '$') && n0 < MAX_REF ? substitute(ps, raw, &unresolved) : raw;
    if (strchr(raw, '$') && n0 >= MAX_REF)
        unresolved = 1;
    if (!st->image) {
        st->image = raw;
        unresolved = 1;
    }
    st->unresolved = unresolved;
    for (size_t i = 0; i < df->nstages; i++)
        if (df->stages[i].name && !strcasecmp(df->stages[i].name, st->image)) {
            st->parent = (int)i;
            break;
        }
    df->nstages++;
    return COMB_OK;
}

static comb_code note_global_arg(parser *ps, const comb_df_instr *in)
{
    /* ARG NAME[=default] [NAME2[=default] ...] */
    const char *s = in->args;
    while (*s && ps->nglobal < MAX_GLOBAL_ARGS) {
        s += strspn(s, " \t");
        size_t n = strcspn(s, " \t");
        if (!n)
            break;
        const char *eq = memchr(s, '=', n);
        size_t nl = eq ? (size_t)(eq - s) : n;
        const char *name = comb_arena_strndup(&ps->df->arena, s, nl);
        const char *val = NULL;
        if (eq) {
            const char *v = eq + 1;
            size_t vl = n - nl - 1;
            if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0])
                v++, vl -= 2;
            val = comb_arena_strndup(&ps->df->arena, v, vl);
            if (!val)
                return oom(ps);
        }
        if (!name)
            return oom(ps);
        ps->gnames[ps->nglobal] = name;
        ps->gvals[ps->nglobal] = val;
        ps->nglobal++;
        s += n;
    }
    return COMB_OK;
}

/* One logical instruction, already joined: split it and store it. */
static comb_code add_instruction(parser *ps, char *text, unsigned first, unsigned last)
{
    comb_dockerfile *df = ps->df;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        text[--len] = '\0';
    size_t i = skip_ws(text, len, 0), k = i;
    while (i < len && isalpha((unsigned char)text[i]))
        i++;
    char kw[16];
    if (i == k || i - k >= sizeof kw || (i < len && text[i] != ' ' && text[i] != '\t'))
        return comb_fail(ps->err, COMB_EFORMAT, "%s:%u: not an instruction: \"%.40s\"", df->name,
                         first, text + k);
    for (size_t j = k; j < i; j++)
        kw[j - k] = (char)toupper((unsigned char)text[j]);
    kw[i - k] = '\0';
    const char *keyword = NULL;
    for (size_t j = 0; j < sizeof keywords / sizeof *keywords; j++)
        if (!strcmp(kw, keywords[j]))
            keyword = keywords[j];
    if (!keyword)
        return comb_fail(ps->err, COMB_EFORMAT, "%s:%u: unknown instruction %s", df->name, first, kw);
    if (df->n == COMB_DF_MAX_INSTRUCTIONS)
        return comb_fail(ps->err, COMB_ELIMIT, "%s:%u: more than %d instructions", df->name, first,
                         COMB_DF_MAX_INSTRUCTIONS);
    if (df->n == ps->cap_instrs) {
        size_t cap = ps->cap_instrs ? ps->cap_instrs * 2 : 32;
        comb_df_instr *a = realloc(df->instrs, cap * sizeof *a);
        if (!a)
            return oom(ps);
        df->instrs = a;
        ps->cap_instrs = cap;
    }
    comb_df_instr *in = &df->instrs[df->n];
    memset(in, 0, sizeof *in);
    in->keyword = keyword;
    in->line = first;
    in->end_line = last;
    in->stage = (int)df->nstages - 1;
    i = skip_ws(text, len, i);
    if (takes_flags(keyword)) {
        const char *flags[COMB_DF_MAX_FLAGS];
        size_t nf = 0;
        while (i + 2 < len && text[i] == '-' && text[i + 1] == '-' && text[i + 2] != ' ') {
            size_t e = i;
            while (e < len && text[e] != ' ' && text[e] != '\t')
                e++;
            if (nf == COMB_DF_MAX_FLAGS)
                return comb_fail(ps->err, COMB_ELIMIT, "%s:%u: more than %d flags", df->name, first,
                                 COMB_DF_MAX_FLAGS);
            if (!(flags[nf++] = comb_arena_strndup(&df->arena, text + i, e - i)))
                return oom(ps);
            i = skip_ws(text, len, e);
        }
        if (nf) {
            in->flags = comb_arena_calloc(&df->arena, nf, sizeof *in->flags);
            if (!in->flags)
                return oom(ps);
            memcpy(in->flags, flags, nf * sizeof *flags);
            in->nflags = nf;
        }
    }
    if (!(in->args = comb_arena_strndup(&df->arena, text + i, len - i)))
        return oom(ps);
    int ex = has_exec_form(keyword) ? parse_exec(ps, in) : 0;
    if (ex < 0)
        return oom(ps);
    df->n++; /* counted before the heredocs so that errors leave no half entry */
    comb_code rc = COMB_OK;
    if (!ex && (!strcmp(keyword, "RUN") || !strcmp(keyword, "COPY") || !strcmp(keyword, "ADD")))
        rc = read_heredocs(ps, in);
    if (!rc && !strcmp(keyword, "FROM")) {
        rc = add_stage(ps, in);
        in->stage = (int)df->nstages - 1;
    }
    if (!rc && !strcmp(keyword, "ARG") && df->nstages == 0)
        rc = note_global_arg(ps, in);
    return rc;
}

static void finish_stages(comb_dockerfile *df)
{
    for (size_t s = 0; s < df->nstages; s++) {
        size_t end = s + 1 < df->nstages ? df->stages[s + 1].first : df->n;
        df->stages[s].count = end - df->stages[s].first;
    }
}

comb_code comb_dockerfile_parse(const char *name, const char *text, size_t len,
                                comb_dockerfile **out, comb_err *err)
{
    *out = NULL;
    if (!name)
        name = "Dockerfile";
    if (len > COMB_DF_MAX_SIZE)
        return comb_fail(err, COMB_ELIMIT, "%s: %zu bytes, more than the %u allowed", name, len,
                         COMB_DF_MAX_SIZE);
    if (!text && len)
        return comb_fail(err, COMB_EINVAL, "%s: no text", name);
    if (len && memchr(text, '\0', len))
        return comb_fail(err, COMB_EFORMAT, "%s: contains NUL bytes: not a Dockerfile", name);
    comb_dockerfile *df = calloc(1, sizeof *df);
    if (!df)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
    comb_arena_init(&df->arena);
    df->escape = '\\';
    parser ps = { .df = df, .err = err };
    df->name = comb_arena_strdup(&df->arena, name);
    if (!df->name) {
        comb_dockerfile_free(df);
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
    }
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) /* UTF-8 byte order mark */
        text += 3, len -= 3;
    ps.rd.p = text ? text : "";
    ps.rd.end = ps.rd.p + len;

    comb_code rc = COMB_OK;
    const char *line;
    size_t ll;
    int in_directives = 1;
    buf ins = { 0 };
    while (rc == COMB_OK && next_line(&ps.rd, &line, &ll)) {
        if (in_directives) {
            char key[16];
            const char *val;
            size_t vl;
            if (directive(line, ll, key, &val, &vl)) {
                if (!strcasecmp(key, "escape")) {
                    if (vl != 1 || (val[0] != '\\' && val[0] != '`')) {
                        rc = comb_fail(err, COMB_EFORMAT, "%s:%u: invalid escape character "
                                       "\"%.*s\" (\\ or ` expected)", name, ps.rd.lineno,
                                       (int)(vl > 8 ? 8 : vl), val);
                        break;
                    }
                    df->escape = val[0];
                } else if (!strcasecmp(key, "syntax") && !df->syntax) {
                    if (!(df->syntax = comb_arena_strndup(&df->arena, val, vl)))
                        rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
                }
                continue;
            }
            in_directives = 0;
        }
        if (blank(line, ll) || comment(line, ll))
            continue;
        unsigned first = ps.rd.lineno, last = first;
        ins.n = 0;
        size_t cut;
        int more;
        do {
            more = continues(line, ll, df->escape, &cut);
            int r = buf_add(&ins, line, more ? cut : ll, COMB_DF_MAX_LINE);
            if (r) {
                rc = r == -2 ? comb_fail(err, COMB_ENOMEM, "%s: out of memory", name)
                             : comb_fail(err, COMB_ELIMIT, "%s:%u: instruction longer than %u bytes",
                                         name, first, COMB_DF_MAX_LINE);
                break;
            }
            last = ps.rd.lineno;
            /* the next line that is neither empty nor a comment continues it */
            while (more && next_line(&ps.rd, &line, &ll) && (blank(line, ll) || comment(line, ll)))
                ;
            if (more && ps.rd.lineno == last)
                more = 0; /* the file ended */
            else if (more && (blank(line, ll) || comment(line, ll)))
                more = 0; /* only empty or comment lines followed */
        } while (more);
        if (rc)
            break;
        rc = add_instruction(&ps, ins.p ? ins.p : (char[]){ "" }, first, last);
    }
    free(ins.p);
    if (rc) {
        comb_dockerfile_free(df);
        return rc;
    }
    finish_stages(df);
    *out = df;
    return COMB_OK;
}

void comb_dockerfile_free(comb_dockerfile *df)
{
    if (!df)
        return;
    free(df->instrs);
    free(df->stages);
    comb_arena_free(&df->arena);
    free(df);
}

const char *comb_df_flag(const comb_df_instr *in, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < in->nflags; i++) {
        const char *f = in->flags[i];
        if (!strncmp(f, "--", 2) && !strncasecmp(f + 2, name, n) && f[2 + n] == '=')
            return f + 3 + n;
    }
    return NULL;
}
