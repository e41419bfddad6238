/* image_checks.c - checks of an image's config blob and history, and of
 * the release of its OS against the end-of-life table.
 *
 * The history's created_by strings are what the builders recorded:
 *   classic builder  "/bin/sh -c apt-get ...", "|2 A=1 B=2 /bin/sh -c ...",
 *                    "/bin/sh -c #(nop)  ENV ...", "#(nop) ADD file:... in /"
 *   BuildKit         "RUN /bin/sh -c apt-get ... # buildkit",
 *                    "RUN |1 TOKEN=x /bin/sh -c ... # buildkit", "ADD URL DEST # buildkit",
 *                    "ARG NAME=value", "ENV ..."
 * where "|N" lists the N build arguments in effect for a RUN. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "misconfig/mc_internal.h"
#include "misconfig/misconfig.h"

#define MAX_HISTORY 10000
#define MAX_ARGS_PER_RUN 256
#define MAX_SECRET_NAMES 64
#define NAME_SHOWN 128      /* bytes of a variable name shown in a message */

/* Names already reported by a check, so that a build argument in effect
 * for every RUN is reported once. */
typedef struct seen_names {
    char *names[MAX_SECRET_NAMES];
    size_t n;
} seen_names;

static int seen(seen_names *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->names[i]) == len && !memcmp(s->names[i], name, len))
            return 1;
    if (s->n < MAX_SECRET_NAMES && (s->names[s->n] = strndup(name, len)))
        s->n++;
    return 0;
}

static void seen_free(seen_names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->names[i]);
    s->n = 0;
}

/* "YYYY-MM-DD" (the start of that day, UTC) -> time; -1 when malformed. */
static time_t parse_day(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int y, m, d;
    char tail;
    if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) < 3 || m < 1 || m > 12 || d < 1 ||
        d > 31 || y < 1970 || y > 9999)
        return (time_t)-1;
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return timegm(&tm);
}

/* RFC 3339 timestamp (fractional seconds and offset allowed) -> time. */
static time_t parse_rfc3339(const char *s)
{
    int y, mo, d, h, mi, sec;
    int used = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6)
        return (time_t)-1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
        return (time_t)-1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    const char *p = s + used;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            ;
    int oh, om;
    if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2)
        t -= (*p == '+' ? 1 : -1) * (time_t)(oh * 3600 + om * 60);
    return t;
}

comb_code comb_misconfig_os(const char *os_id, const char *version_id, time_t now,
                            const char *location, comb_mc_list *out, comb_err *err)
{
    comb_eol_info e;
    int r = comb_eol_lookup(os_id, version_id, &e);
    if (r < 0)
        return comb_fail(err, COMB_EFORMAT, "misconfig/eol.yaml: the built-in end-of-life table "
                                            "cannot be read");
    if (r == 0)
        return COMB_OK; /* unknown release: nothing to say (docs/MISCONFIG.md) */
    if (!now)
        now = time(NULL);
    if (!location)
        location = "os-release";
    char label[160];
    snprintf(label, sizeof label, "%s %s%s%s%s", e.os_name, e.release, e.codename ? " (" : "",
             e.codename ? e.codename : "", e.codename ? ")" : "");
    const char *last = e.lts ? e.lts : e.eol;
    time_t end = parse_day(last), std_end = parse_day(e.eol);
    const time_t day = 86400;
    char paid[96] = "";
    if (e.paid)
        snprintf(paid, sizeof paid, "; paid extended support only, until %s", e.paid);
    /* a date is the last day of support */
    if (now >= end + day)
        return comb_mc_add(out, "CMB-IMG-011", location, 0, err,
                           "%s reached its end of life on %s%s%s%s: it receives no more security "
                           "updates%s",
                           label, last, e.lts ? " (standard support ended " : "",
                           e.lts ? e.eol : "", e.lts ? ")" : "", paid);
    if (now + (time_t)COMB_MC_EOL_WARN_DAYS * day >= end + day)
        return comb_mc_add(out, "CMB-IMG-012", location, 0, err,
                           "%s reaches its end of life on %s, in %lld days", label, last,
                           (long long)((end + day - now + day - 1) / day));
    if (e.lts && now >= std_end + day)
        return comb_mc_add(out, "CMB-IMG-013", location, 0, err,
                           "%s: standard security support ended on %s; long-term support "
                           "continues until %s",
                           label, e.eol, e.lts);
    return COMB_OK;
}

static comb_code check_user(json_t *cfg, comb_mc_list *out, comb_err *err)
{
    const char *user = json_string_value(json_object_get(cfg, "User"));
    if (!user || !*user)
        return comb_mc_add(out, "CMB-IMG-001", "config.User", 0, err,
                           "no user is set, so the container runs as root");
    size_t n = strcspn(user, ":");
    if ((n == 4 && !strncmp(user, "root", 4)) || (n == 1 && user[0] == '0'))
        return comb_mc_add(out, "CMB-IMG-001", "config.User", 0, err,
                           "the container runs as user \"%.*s\" (root)", (int)n, user);
    return COMB_OK;
}

static comb_code check_env(json_t *cfg, comb_mc_list *out, comb_err *err)
{
    json_t *env = json_object_get(cfg, "Env");
    size_t i;
    json_t *v;
    json_array_foreach(env, i, v) {
        const char *kv = json_string_value(v);
        const char *eq = kv ? strchr(kv, '=') : NULL;
        if (!eq || !mc_secret_name(kv, (size_t)(eq - kv)) || !mc_secret_value(eq + 1, strlen(eq + 1)))
            continue;
        comb_code rc = comb_mc_add(out, "CMB-IMG-002", "config.Env", 0, err,
                                   "environment variable %.*s holds what looks like a secret "
                                   "(value not shown)",
                                   (int)((size_t)(eq - kv) < NAME_SHOWN ? eq - kv : NAME_SHOWN), kv);
        if (rc)
            return rc;
    }
    return COMB_OK;
}

static comb_code check_labels(json_t *cfg, comb_mc_list *out, comb_err *err)
{
    json_t *labels = json_object_get(cfg, "Labels");
    const char *key;
    json_t *v;
    json_object_foreach(labels, key, v) {
        const char *val = json_string_value(v);
        if (!val || !mc_secret_name(key, strlen(key)) || !mc_secret_value(val, strlen(val)))
            continue;
        comb_code rc = comb_mc_add(out, "CMB-IMG-004", "config.Labels", 0, err,
                                   "label %.*s holds what looks like a secret (value not shown)",
                                   NAME_SHOWN, key);
        if (rc)
            return rc;
    }
    return COMB_OK;
}

static comb_code check_ports(json_t *cfg, comb_mc_list *out, comb_err *err)
{
    json_t *ports = json_object_get(cfg, "ExposedPorts");
    const char *key;
    json_t *v;
    json_object_foreach(ports, key, v) {
        const char *what;
        long p = mc_port_number(key);
        if (p < 0 || !mc_sensitive_port((unsigned long)p, &what))
            continue;
        comb_code rc = comb_mc_add(out, "CMB-IMG-008", "config.ExposedPorts", 0, err,
                                   "port %.32s (%s) is exposed", key, what);
        if (rc)
            return rc;
    }
    return COMB_OK;
}

static comb_code check_healthcheck(json_t *cfg, comb_mc_list *out, comb_err *err)
{
    json_t *test = json_object_get(json_object_get(cfg, "Healthcheck"), "Test");
    const char *first = json_string_value(json_array_get(test, 0));
    if (!first || !*first)
        return comb_mc_add(out, "CMB-IMG-007", "config.Healthcheck", 0, err,
                           "the image defines no health check");
    if (!strcasecmp(first, "NONE"))
        return comb_mc_add(out, "CMB-IMG-007", "config.Healthcheck", 0, err,
                           "the health check is disabled (HEALTHCHECK NONE)");
    return COMB_OK;
}

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* "NAME=value" at s (ending at a space or end) that names a secret. */
static comb_code check_arg_token(const char *tok, size_t len, const char *where,
                                 seen_names *reported, comb_mc_list *out, comb_err *err)
{
    const char *eq = memchr(tok, '=', len);
    if (!eq)
        return COMB_OK;
    size_t nlen = (size_t)(eq - tok);
    if (!mc_secret_name(tok, nlen) || !mc_secret_value(eq + 1, len - nlen - 1) ||
        seen(reported, tok, nlen))
        return COMB_OK;
    return comb_mc_add(out, "CMB-IMG-003", where, 0, err,
                       "build argument %.*s was given what looks like a secret, which the image "
                       "history keeps (value not shown)",
                       (int)(nlen < NAME_SHOWN ? nlen : NAME_SHOWN), tok);
}

static comb_code check_history_entry(const char *cb, size_t idx, seen_names *reported,
                                     comb_mc_list *out, comb_err *err)
{
    char where[48];
    snprintf(where, sizeof where, "history[%zu]", idx);
    const char *s = skip_spaces(cb);
    int run = 0;
    if (!strncmp(s, "RUN ", 4)) {
        s = skip_spaces(s + 4);
        run = 1;
    }
    if (*s == '|') { /* "|N NAME=value ... " build arguments of a RUN */
        char *end;
        unsigned long n = strtoul(s + 1, &end, 10);
        s = end;
        for (unsigned long a = 0; a < n && a < MAX_ARGS_PER_RUN; a++) {
            s = skip_spaces(s);
            size_t len = strcspn(s, " \t");
            if (!len)
                break;
            comb_code rc = check_arg_token(s, len, where, reported, out, err);
            if (rc)
                return rc;
            s += len;
        }
        s = skip_spaces(s);
        run = 1;
    }
    static const char *const shells[] = { "/bin/sh -c ", "/bin/bash -c ", "sh -c " };
    for (size_t i = 0; i < sizeof shells / sizeof *shells; i++)
        if (!strncmp(s, shells[i], strlen(shells[i]))) {
            s += strlen(shells[i]);
            run = 1;
            break;
        }
    s = skip_spaces(s);
    if (!strncmp(s, "#(nop)", 6)) {
        s = skip_spaces(s + 6);
        run = 0;
    }
    size_t len = strlen(s);
    static const char buildkit[] = "# buildkit";
    if (len >= sizeof buildkit - 1 && !strcmp(s + len - (sizeof buildkit - 1), buildkit))
        len -= sizeof buildkit - 1;
    if (run) {
        if (mc_run_facts(s, len) & MC_RUN_FETCH_TO_SHELL)
            return comb_mc_add(out, "CMB-IMG-006", where, 0, err,
                               "a RUN step pipes a downloaded script into a shell");
        return COMB_OK;
    }
    size_t kw = strcspn(s, " \t");
    const char *rest = skip_spaces(s + kw);
    if (kw == 3 && !strncasecmp(s, "ADD", 3)) {
        while (rest[0] == '-' && rest[1] == '-')
            rest = skip_spaces(rest + strcspn(rest, " \t"));
        if (mc_is_remote_url(rest))
            return comb_mc_add(out, "CMB-IMG-005", where, 0, err,
                               "an ADD step downloaded a remote URL");
    } else if (kw == 3 && !strncasecmp(s, "ARG", 3)) {
        size_t tl = strcspn(rest, " \t");
        return check_arg_token(rest, tl, where, reported, out, err);
    }
    return COMB_OK;
}

static comb_code check_history(json_t *root, comb_mc_list *out, comb_err *err)
{
    json_t *hist = json_object_get(root, "history");
    seen_names reported = { .n = 0 };
    comb_code rc = COMB_OK;
    size_t n = json_array_size(hist);
    for (size_t i = 0; i < n && i < MAX_HISTORY && rc == COMB_OK; i++) {
        const char *cb = json_string_value(json_object_get(json_array_get(hist, i), "created_by"));
        if (cb)
            rc = check_history_entry(cb, i, &reported, out, err);
    }
    seen_free(&reported);
    return rc;
}

/* "name", "name:tag", "host:5000/name:tag", "name@sha256:..." */
static comb_code check_reference(const char *ref, comb_mc_list *out, comb_err *err)
{
    if (!ref || !*ref || strchr(ref, '@'))
        return COMB_OK; /* pinned by digest */
    const char *slash = strrchr(ref, '/');
    const char *colon = strchr(slash ? slash : ref, ':');
    if (!colon)
        return comb_mc_add(out, "CMB-IMG-009", "image reference", 0, err,
                           "%.200s has no tag, which means latest", ref);
    if (!strcmp(colon + 1, "latest"))
        return comb_mc_add(out, "CMB-IMG-009", "image reference", 0, err,
                           "%.200s uses the latest tag", ref);
    return COMB_OK;
}

static comb_code check_age(json_t *root, time_t now, unsigned max_days, comb_mc_list *out,
                           comb_err *err)
{
    const char *created = json_string_value(json_object_get(root, "created"));
    time_t t = parse_rfc3339(created);
    if (t == (time_t)-1 || t > now)
        return COMB_OK;
    long long days = (long long)((now - t) / 86400);
    if (days <= (long long)max_days)
        return COMB_OK;
    return comb_mc_add(out, "CMB-IMG-010", "created", 0, err,
                       "the image was built %.10s, %lld days ago (more than %u)", created, days,
                       max_days);
}

comb_code comb_misconfig_image(const char *config_json, size_t len, const comb_mc_image_ctx *ctx,
                               comb_mc_list *out, comb_err *err)
{
    comb_mc_image_ctx def = { 0 };
    if (!ctx)
        ctx = &def;
    if (!config_json)
        return comb_fail(err, COMB_EINVAL, "image config: none given");
    if (len > COMB_MC_MAX_CONFIG)
        return comb_fail(err, COMB_ELIMIT, "image config: %zu bytes, more than the %u allowed",
                         len, COMB_MC_MAX_CONFIG);
    json_error_t jerr;
    json_t *root = json_loadb(config_json, len, 0, &jerr);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return comb_fail(err, COMB_EFORMAT, "image config: not a JSON object%s%s",
                         root ? "" : ": ", root ? "" : jerr.text);
    }
    time_t now = ctx->now ? ctx->now : time(NULL);
    unsigned max_days = ctx->max_age_days ? ctx->max_age_days : COMB_MC_DEFAULT_MAX_AGE_DAYS;
    json_t *cfg = json_object_get(root, "config");
    if (!json_is_object(cfg))
        cfg = NULL; /* every check below then sees "nothing set" */
    comb_code rc = check_user(cfg, out, err);
    if (!rc)
        rc = check_env(cfg, out, err);
    if (!rc)
        rc = check_labels(cfg, out, err);
    if (!rc)
        rc = check_ports(cfg, out, err);
    if (!rc)
        rc = check_healthcheck(cfg, out, err);
    if (!rc)
        rc = check_history(root, out, err);
    if (!rc)
        rc = check_reference(ctx->name, out, err);
    if (!rc)
        rc = check_age(root, now, max_days, out, err);
    if (!rc && ctx->os_id)
        rc = comb_misconfig_os(ctx->os_id, ctx->os_version_id, now, "os-release", out, err);
    json_decref(root);
    return rc;
}
