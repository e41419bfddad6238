/* dockerfile_checks.c - the checks of a parsed Dockerfile (the CMB-DF-*
 * checks and the image checks that have a Dockerfile form). Each finding
 * carries the line of the instruction. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "misconfig/dockerfile.h"
#include "misconfig/mc_internal.h"
#include "misconfig/misconfig.h"

#define NAME_SHOWN 128

typedef struct ctx {
    const comb_dockerfile *df;
    comb_mc_list *out;
    comb_err *err;
} ctx;

static comb_code add(ctx *c, const char *id, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static comb_code add(ctx *c, const char *id, unsigned line, const char *fmt, ...)
{
    char loc[300], msg[1024];
    snprintf(loc, sizeof loc, "%.256s:%u", c->df->name, line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return comb_mc_add(c->out, id, loc, line, c->err, "%s", msg);
}

/* Split s into words: blanks separate, quotes group (and are removed), a
 * backslash escapes the next character. fn gets each word and its raw
 * start; a non-zero return stops. Words longer than the buffer are cut. */
typedef comb_code (*word_fn)(ctx *c, const comb_df_instr *in, const char *word, const char *raw,
                             void *ud);

static comb_code each_word(ctx *c, const comb_df_instr *in, const char *s, word_fn fn, void *ud)
{
    size_t cap = strlen(s) + 1;
    char *w = malloc(cap);
    if (!w)
        return comb_fail(c->err, COMB_ENOMEM, "%s: out of memory", c->df->name);
    comb_code rc = COMB_OK;
    while (*s && !rc) {
        s += strspn(s, " \t");
        if (!*s)
            break;
        const char *raw = s;
        size_t n = 0;
        char q = 0;
        for (; *s && (q || (*s != ' ' && *s != '\t')); s++) {
            if (q && *s == q) {
                q = 0;
            } else if (!q && (*s == '"' || *s == '\'')) {
                q = *s;
            } else if (*s == '\\' && q != '\'' && s[1]) {
                w[n++] = *++s;
            } else {
                w[n++] = *s;
            }
        }
        w[n] = '\0';
        rc = fn(c, in, w, raw, ud);
    }
    free(w);
    return rc;
}

/* ---- secrets in ENV and ARG ---- */

static comb_code env_word(ctx *c, const comb_df_instr *in, const char *w, const char *raw, void *ud)
{
    (void)raw;
    (void)ud;
    const char *eq = strchr(w, '=');
    if (!eq || !mc_secret_name(w, (size_t)(eq - w)) || !mc_secret_value(eq + 1, strlen(eq + 1)))
        return COMB_OK;
    size_t n = (size_t)(eq - w);
    return add(c, "CMB-IMG-002", in->line,
               "ENV %.*s sets what looks like a secret; it stays in the image (value not shown)",
               (int)(n < NAME_SHOWN ? n : NAME_SHOWN), w);
}

static comb_code check_env(ctx *c, const comb_df_instr *in)
{
    const char *a = in->args;
    size_t first = strcspn(a, " \t");
    if (!memchr(a, '=', first)) { /* legacy form: ENV NAME value with spaces */
        const char *v = a + first;
        v += strspn(v, " \t");
        if (mc_secret_name(a, first) && mc_secret_value(v, strlen(v)))
            return add(c, "CMB-IMG-002", in->line,
                       "ENV %.*s sets what looks like a secret; it stays in the image (value not "
                       "shown)", (int)(first < NAME_SHOWN ? first : NAME_SHOWN), a);
        return COMB_OK;
    }
    return each_word(c, in, a, env_word, NULL);
}

static comb_code label_word(ctx *c, const comb_df_instr *in, const char *w, const char *raw,
                            void *ud)
{
    (void)raw;
    (void)ud;
    const char *eq = strchr(w, '=');
    if (!eq || !mc_secret_name(w, (size_t)(eq - w)) || !mc_secret_value(eq + 1, strlen(eq + 1)))
        return COMB_OK;
    size_t n = (size_t)(eq - w);
    return add(c, "CMB-IMG-004", in->line,
               "LABEL %.*s holds what looks like a secret; labels are public (value not shown)",
               (int)(n < NAME_SHOWN ? n : NAME_SHOWN), w);
}

static comb_code arg_word(ctx *c, const comb_df_instr *in, const char *w, const char *raw, void *ud)
{
    (void)raw;
    (void)ud;
    const char *eq = strchr(w, '=');
    size_t n = eq ? (size_t)(eq - w) : strlen(w);
    if (!mc_secret_name(w, n))
        return COMB_OK;
    int shown = (int)(n < NAME_SHOWN ? n : NAME_SHOWN);
    if (eq && mc_secret_value(eq + 1, strlen(eq + 1)))
        return add(c, "CMB-IMG-003", in->line,
                   "ARG %.*s has a default that looks like a secret; it is written into the image "
                   "history (value not shown)", shown, w);
    return add(c, "CMB-DF-004", in->line,
               "ARG %.*s is meant for a secret; a value given with --build-arg is kept in the "
               "image history", shown, w);
}

/* ---- FROM ---- */

static comb_code check_from(ctx *c, const comb_df_stage *st)
{
    if (st->parent >= 0 || st->unresolved || !strcasecmp(st->image, "scratch"))
        return COMB_OK;
    const char *img = st->image;
    if (strchr(img, '@'))
        return COMB_OK; /* pinned by digest */
    const char *slash = strrchr(img, '/');
    const char *colon = strchr(slash ? slash : img, ':');
    comb_code rc = COMB_OK;
    if (!colon)
        rc = add(c, "CMB-DF-002", st->line, "FROM %.200s has no tag, so it means latest", img);
    else if (!strcmp(colon + 1, "latest"))
        rc = add(c, "CMB-DF-002", st->line, "FROM %.200s uses the latest tag", img);
    if (!rc)
        rc = add(c, "CMB-DF-003", st->line,
                 "FROM %.200s is not pinned by digest, so the base can change under the same tag",
                 img);
    return rc;
}

/* ---- RUN ---- */

static int cache_mount(const comb_df_instr *in, const char *target_part)
{
    for (size_t i = 0; i < in->nflags; i++) {
        const char *f = in->flags[i];
        if (!strncmp(f, "--mount=", 8) && strstr(f, "type=cache") && strstr(f, target_part))
            return 1;
    }
    return 0;
}

static unsigned run_facts(const comb_df_instr *in)
{
    unsigned facts = 0;
    if (in->exec_form) {
        /* ["sh", "-c", "script"] runs the script; other argv is one command */
        if (in->argc >= 3 && !strcmp(in->argv[1], "-c"))
            facts |= mc_run_facts(in->argv[2], strlen(in->argv[2]));
        else {
            size_t len = 0;
            for (size_t i = 0; i < in->argc; i++)
                len += strlen(in->argv[i]) + 3;
            char *s = malloc(len + 1), *p = s;
            if (!s)
                return 0;
            for (size_t i = 0; i < in->argc; i++)
                p += sprintf(p, "'%s' ", in->argv[i]);
            facts |= mc_run_facts(s, (size_t)(p - s));
            free(s);
        }
    } else {
        facts |= mc_run_facts(in->args, strlen(in->args));
    }
    for (size_t h = 0; h < in->nheredocs; h++)
        facts |= mc_run_facts(in->heredocs[h].body, strlen(in->heredocs[h].body));
    return facts;
}

static comb_code check_run(ctx *c, const comb_df_instr *in, int pip_env)
{
    unsigned f = run_facts(in);
    unsigned l = in->line;
    comb_code rc = COMB_OK;
    if (f & MC_RUN_FETCH_TO_SHELL)
        rc = add(c, "CMB-IMG-006", l, "RUN pipes a downloaded script into a shell without "
                                      "verifying it");
    if (!rc && (f & MC_RUN_APT_NO_YES))
        rc = add(c, "CMB-DF-005", l, "apt-get install without -y waits for an answer");
    if (!rc && (f & MC_RUN_APT_RECOMMENDS))
        rc = add(c, "CMB-DF-006", l, "apt-get install without --no-install-recommends adds "
                                     "recommended packages");
    if (!rc && (f & MC_RUN_APT_UPDATE) && !(f & MC_RUN_APT_LISTS_REMOVED) &&
        !cache_mount(in, "/var/lib/apt"))
        rc = add(c, "CMB-DF-007", l, "apt-get update leaves /var/lib/apt/lists in the layer");
    if (!rc && (f & MC_RUN_APK_CACHED) && !(f & MC_RUN_APK_CACHE_REMOVED) &&
        !cache_mount(in, "/var/cache/apk") && !cache_mount(in, "/etc/apk/cache"))
        rc = add(c, "CMB-DF-008", l, "apk add without --no-cache leaves its index in the layer");
    if (!rc && (f & MC_RUN_PIP_CACHED) && !pip_env && !cache_mount(in, ".cache/pip"))
        rc = add(c, "CMB-DF-009", l, "pip install without --no-cache-dir leaves its cache in "
                                     "the layer");
    if (!rc && (f & MC_RUN_SUDO))
        rc = add(c, "CMB-DF-010", l, "RUN uses sudo");
    if (!rc && (f & MC_RUN_CHMOD_777))
        rc = add(c, "CMB-DF-015", l, "RUN gives everybody write access with chmod 777");
    return rc;
}

/* ---- ADD, COPY ---- */

static int is_archive_name(const char *s)
{
    static const char *const ext[] = { ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2",
                                       ".tar.xz", ".txz", ".tar.zst", ".tzst", ".tar.lz",
                                       ".tar.lzma" };
    size_t n = strlen(s);
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        size_t e = strlen(ext[i]);
        if (n >= e && !strcasecmp(s + n - e, ext[i]))
            return 1;
    }
    return strchr(s, '$') != NULL; /* a variable may name an archive */
}

typedef struct add_scan {
    const char *last;      /* the previous word: every word but the last is a source */
    int remote, archive, local;
    char lastbuf[4096];
} add_scan;

static void add_source(add_scan *a, const char *src)
{
    if (mc_is_remote_url(src))
        a->remote = 1;
    else if (is_archive_name(src))
        a->archive = 1;
    else
        a->local = 1;
}

static comb_code add_word(ctx *c, const comb_df_instr *in, const char *w, const char *raw, void *ud)
{
    (void)c;
    (void)in;
    (void)raw;
    add_scan *a = ud;
    if (a->last)
        add_source(a, a->last);
    snprintf(a->lastbuf, sizeof a->lastbuf, "%s", w);
    a->last = a->lastbuf;
    return COMB_OK;
}

static comb_code check_add(ctx *c, const comb_df_instr *in)
{
    add_scan *a = calloc(1, sizeof *a);
    if (!a)
        return comb_fail(c->err, COMB_ENOMEM, "%s: out of memory", c->df->name);
    comb_code rc = COMB_OK;
    if (in->exec_form) {
        for (size_t i = 0; i + 1 < in->argc; i++)
            add_source(a, in->argv[i]);
    } else if (in->nheredocs) {
        a->local = 1; /* ADD <<EOF /dest: an inline file */
    } else {
        rc = each_word(c, in, in->args, add_word, a);
    }
    if (!rc && a->remote && !comb_df_flag(in, "checksum"))
        rc = add(c, "CMB-IMG-005", in->line,
                 "ADD downloads a remote URL without --checksum, so its content is not verified");
    if (!rc && a->local && !a->remote && !a->archive)
        rc = add(c, "CMB-DF-014", in->line, "ADD copies local files that COPY can copy");
    free(a);
    return rc;
}

static comb_code check_copy(ctx *c, const comb_df_instr *in)
{
    const char *mode = comb_df_flag(in, "chmod");
    if (mode && (!strcmp(mode, "777") || !strcmp(mode, "0777")))
        return add(c, "CMB-DF-015", in->line, "COPY --chmod=%s gives everybody write access", mode);
    return COMB_OK;
}

/* ---- EXPOSE ---- */

static comb_code expose_word(ctx *c, const comb_df_instr *in, const char *w, const char *raw,
                             void *ud)
{
    (void)raw;
    (void)ud;
    const char *what;
    long p = mc_port_number(w);
    if (p < 0 || !mc_sensitive_port((unsigned long)p, &what))
        return COMB_OK;
    return add(c, "CMB-IMG-008", in->line, "EXPOSE %.32s (%s)", w, what);
}

/* ---- per stage ---- */

static int is_root_user(const char *u)
{
    size_t n = strcspn(u, ": \t");
    return (n == 4 && !strncmp(u, "root", 4)) || (n == 1 && u[0] == '0');
}

/* The last instruction `kw` of stage s or the stages it builds on, or NULL. */
static const comb_df_instr *last_in_chain(const comb_dockerfile *df, int s, const char *kw)
{
    for (int depth = 0; s >= 0 && depth < (int)df->nstages; depth++) {
        const comb_df_stage *st = &df->stages[s];
        for (size_t i = st->first + st->count; i-- > st->first;)
            if (!strcmp(df->instrs[i].keyword, kw))
                return &df->instrs[i];
        s = st->parent;
    }
    return NULL;
}

static comb_code check_final_stage(ctx *c)
{
    const comb_dockerfile *df = c->df;
    if (!df->nstages)
        return COMB_OK;
    int last = (int)df->nstages - 1;
    const comb_df_stage *st = &df->stages[last];
    comb_code rc = COMB_OK;
    const comb_df_instr *user = last_in_chain(df, last, "USER");
    if (!user)
        rc = add(c, "CMB-DF-001", st->line,
                 "the final stage sets no USER, so it runs as the base image's user (root for "
                 "most images)");
    else if (is_root_user(user->args))
        rc = add(c, "CMB-DF-001", user->line, "USER %.64s: the final stage runs as root",
                 user->args);
    const comb_df_instr *hc = last_in_chain(df, last, "HEALTHCHECK");
    if (!rc && !hc)
        rc = add(c, "CMB-IMG-007", st->line, "the final stage defines no HEALTHCHECK");
    else if (!rc && !strncasecmp(hc->args, "NONE", 4))
        rc = add(c, "CMB-IMG-007", hc->line, "HEALTHCHECK NONE disables the health check");
    return rc;
}

static comb_code check_stage_repeats(ctx *c, const comb_df_stage *st, const char *kw)
{
    const comb_dockerfile *df = c->df;
    const comb_df_instr *lastone = NULL;
    for (size_t i = st->first + st->count; i-- > st->first;) {
        const comb_df_instr *in = &df->instrs[i];
        if (strcmp(in->keyword, kw))
            continue;
        if (!lastone) {
            lastone = in;
            continue;
        }
        comb_code rc = add(c, "CMB-DF-012", in->line,
                           "%s has no effect: a later %s on line %u replaces it", kw, kw,
                           lastone->line);
        if (rc)
            return rc;
    }
    return COMB_OK;
}

static int relative_dir(const char *a)
{
    while (*a == '"' || *a == '\'')
        a++;
    if (!*a || *a == '/' || *a == '$' || *a == '\\')
        return 0;
    return !(isalpha((unsigned char)a[0]) && a[1] == ':'); /* C:\app on Windows */
}

comb_code comb_misconfig_dockerfile(const comb_dockerfile *df, comb_mc_list *out, comb_err *err)
{
    if (!df || !out)
        return comb_fail(err, COMB_EINVAL, "misconfig: no Dockerfile");
    ctx c = { .df = df, .out = out, .err = err };
    comb_code rc = COMB_OK;
    for (size_t s = 0; s < df->nstages && !rc; s++) {
        rc = check_from(&c, &df->stages[s]);
        if (!rc)
            rc = check_stage_repeats(&c, &df->stages[s], "CMD");
        if (!rc)
            rc = check_stage_repeats(&c, &df->stages[s], "ENTRYPOINT");
    }
    int pip_env = 0, stage = -2;
    for (size_t i = 0; i < df->n && !rc; i++) {
        const comb_df_instr *in = &df->instrs[i];
        const char *kw = in->keyword;
        if (in->stage != stage) {
            stage = in->stage;
            pip_env = 0;
        }
        if (!strcmp(kw, "ENV")) {
            if (strstr(in->args, "PIP_NO_CACHE_DIR"))
                pip_env = 1;
            rc = check_env(&c, in);
        } else if (!strcmp(kw, "LABEL")) {
            rc = each_word(&c, in, in->args, label_word, NULL);
        } else if (!strcmp(kw, "ARG")) {
            rc = each_word(&c, in, in->args, arg_word, NULL);
        } else if (!strcmp(kw, "RUN")) {
            rc = check_run(&c, in, pip_env);
        } else if (!strcmp(kw, "ADD")) {
            rc = check_add(&c, in);
        } else if (!strcmp(kw, "COPY")) {
            rc = check_copy(&c, in);
        } else if (!strcmp(kw, "EXPOSE")) {
            rc = each_word(&c, in, in->args, expose_word, NULL);
        } else if (!strcmp(kw, "MAINTAINER")) {
            rc = add(&c, "CMB-DF-011", in->line, "MAINTAINER is deprecated");
        } else if (!strcmp(kw, "WORKDIR") && relative_dir(in->args)) {
            rc = add(&c, "CMB-DF-013", in->line, "WORKDIR %.200s is relative to the previous one",
                     in->args);
        }
    }
    if (!rc)
        rc = check_final_stage(&c);
    return rc;
}
