/* bench.c - running the benchmarks: choose sets and checks, find the
 * component and the containers, evaluate, count (see bench.h). */
#include "compliance/bench.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compliance/containers.h"
#include "compliance/eval.h"
#include "compliance/images.h"

const char *const comb_bench_targets[] = { "docker", "containerd", "podman",     "k8s-node",
                                           "host",   "containers", "images", "all", NULL };

static int matches_any(const char *id, const char *const *pats, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!fnmatch(pats[i], id, 0))
            return 1;
    return 0;
}

/* Host strings (file names, config values) go into JSON, XML and HTML:
 * keep them valid UTF-8 without control characters other than tab. */
static char *clean(const char *s, int keep_newlines)
{
    size_t n = strlen(s);
    char *o = malloc(n + 1), *w = o;
    if (!o)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
                     : (*p & 0xF8) == 0xF0 ? 4 : 0;
        int ok = len > 0 && !(len == 2 && *p < 0xC2) && !(len == 4 && *p > 0xF4);
        for (size_t i = 1; ok && i < len; i++)
            ok = (p[i] & 0xC0) == 0x80;
        if (ok && len == 3) {
            unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
            ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
        }
        if (ok && len == 4) {
            unsigned cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12);
            ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
        if (!ok) {
            *w++ = '?';
            p++;
            continue;
        }
        if (len == 1 && (*p < 0x20 || *p == 0x7F) && *p != '\t' && !(keep_newlines && *p == '\n'))
            *w++ = ' ';
        else
            for (size_t i = 0; i < len; i++)
                *w++ = (char)p[i];
        p += len;
    }
    *w = '\0';
    return o;
}

/* One-line host strings (names, evidence): a newline could forge table lines. */
static char *clean_text(const char *s)
{
    return clean(s, 0);
}

/* The fix with every "{file}" replaced by the file the result is about
 * ("FILE" when none is known). */
static char *fill_remediation(const char *text, const char *file)
{
    const char *f = file && *file ? file : "FILE";
    size_t n = 0, fl = strlen(f);
    for (const char *p = text; (p = strstr(p, "{file}")) != NULL; p += 6)
        n++;
    char *out = malloc(strlen(text) + n * fl + 1), *w = out;
    if (!out)
        return NULL;
    for (const char *p = text; *p;) {
        if (!strncmp(p, "{file}", 6)) {
            memcpy(w, f, fl);
            w += fl;
            p += 6;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    return out;
}

static int add_result(comb_bench_report *r, const comb_bench_check *c, const char *target,
                      comb_bench_status s, const char *reason, const char *file)
{
    if (r->nresults == r->capresults) {
        size_t cap = r->capresults ? r->capresults * 2 : 256;
        comb_bench_result *n = realloc(r->results, cap * sizeof *n);
        if (!n)
            return -1;
        r->results = n;
        r->capresults = cap;
    }
    comb_bench_result *res = &r->results[r->nresults];
    res->check = c;
    res->status = s;
    res->target = target ? clean_text(target) : NULL;
    res->reason = clean_text(reason ? reason : "");
    res->file = file && *file ? clean_text(file) : NULL;
    char *fix = fill_remediation(c->remediation, res->file);
    res->remediation = fix ? clean(fix, 1) : NULL; /* a fix keeps its lines */
    free(fix);
    r->nresults++;
    return (target && !res->target) || !res->reason || (file && *file && !res->file) ||
                   !res->remediation ? -1 : 0;
}

static int add_warning(comb_bench_report *r, const char *msg)
{
    char **n = realloc(r->warnings, (r->nwarnings + 1) * sizeof *n);
    if (!n)
        return -1;
    r->warnings = n;
    if (!(r->warnings[r->nwarnings] = clean_text(msg)))
        return -1;
    r->nwarnings++;
    return 0;
}

/* Evaluate one check (for one container, or the host). */
static int run_check(comb_bench_report *r, comb_eval_ctx *ctx, const comb_bench_check *c,
                     const char *target)
{
    char ev[COMB_EVAL_MAX_EVIDENCE];
    ctx->file[0] = '\0';
    ctx->file_failing = 0;
    if (c->when) {
        comb_bench_status w = comb_eval_item(ctx, c->when, ev, sizeof ev);
        if (w != COMB_BENCH_PASS) {
            char why[COMB_EVAL_MAX_EVIDENCE + 32];
            snprintf(why, sizeof why, "does not apply: %s", ev);
            return add_result(r, c, target, w == COMB_BENCH_ERROR ? COMB_BENCH_ERROR : COMB_BENCH_NA,
                              why, NULL);
        }
    }
    if (c->manual)
        return add_result(r, c, target, COMB_BENCH_WARN, "manual check: review it by hand", NULL);
    ctx->file[0] = '\0'; /* what "when" read is not what the check is about */
    ctx->file_failing = 0;
    comb_bench_status s = comb_eval_item(ctx, c->audit, ev, sizeof ev);
    return add_result(r, c, target, s, ev, ctx->file);
}

static int load_dir(comb_bench_rules *rules, const char *dir, comb_err *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        comb_fail(err, COMB_ENOTFOUND, "%s: cannot open the rules directory", dir);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        char *buf = malloc(COMB_RULES_MAX_FILE + 1);
        size_t len = buf ? fread(buf, 1, COMB_RULES_MAX_FILE + 1, f) : 0;
        fclose(f);
        if (!buf) {
            comb_fail(err, COMB_ENOMEM, "out of memory");
            rc = -1;
        } else if (comb_bench_rules_load(rules, path, buf, len, err)) {
            rc = -1;
        }
        free(buf);
    }
    closedir(d);
    return rc;
}

comb_code comb_bench_run(const comb_bench_opts *o, comb_bench_report **out, comb_err *err)
{
    *out = NULL;
    comb_bench_report *r = calloc(1, sizeof *r);
    if (!r)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_bench_rules_init(&r->rules);
    comb_code rc = comb_bench_rules_builtin(&r->rules, err);
    if (!rc && o->rules_dir && load_dir(&r->rules, o->rules_dir, err))
        rc = err->code ? err->code : COMB_EFORMAT;
    if (rc) {
        comb_bench_report_free(r);
        return rc;
    }
    /* which benchmarks */
    int all = o->ntargets == 0;
    for (size_t i = 0; i < o->ntargets; i++) {
        if (!strcmp(o->targets[i], "all")) {
            all = 1;
            continue;
        }
        size_t s;
        for (s = 0; s < r->rules.nsets; s++)
            if (!strcmp(r->rules.sets[s].name, o->targets[i]))
                break;
        if (s == r->rules.nsets) {
            comb_bench_report_free(r);
            return comb_fail(err, COMB_EINVAL, "\"%s\" is not a benchmark (docker, containerd, "
                             "podman, k8s-node, host, containers, images, all)", o->targets[i]);
        }
    }
    r->sets = calloc(r->rules.nsets, sizeof *r->sets);
    if (!r->sets) {
        comb_bench_report_free(r);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    for (size_t s = 0; s < r->rules.nsets; s++) {
        const comb_bench_set *set = &r->rules.sets[s];
        int chosen = o->nonly == 0; /* with --check, only benchmarks that hold a chosen check */
        for (size_t k = 0; !chosen && k < set->nchecks; k++)
            chosen = matches_any(set->checks[k].id, o->only, o->nonly);
        if (chosen && (all || matches_any(set->name, o->targets, o->ntargets)))
            r->sets[r->nsets++] = set;
    }
    if (r->nsets == 0) {
        comb_bench_report_free(r);
        return comb_fail(err, COMB_EINVAL, "--check: none of the chosen checks belongs to the "
                         "chosen benchmarks");
    }
    /* --check and --skip must name something, or a typo passes silently */
    for (size_t i = 0; i < o->nonly + o->nskip; i++) {
        const char *pat = i < o->nonly ? o->only[i] : o->skip[i - o->nonly];
        int hit = 0;
        for (size_t s = 0; s < r->rules.nsets && !hit; s++)
            for (size_t k = 0; k < r->rules.sets[s].nchecks && !hit; k++)
                hit = !fnmatch(pat, r->rules.sets[s].checks[k].id, 0);
        if (!hit) {
            comb_bench_report_free(r);
            return comb_fail(err, COMB_EINVAL, "%s %s: no check has this id",
                             i < o->nonly ? "--check" : "--skip", pat);
        }
    }

    comb_fsroot fs;
    if ((rc = comb_fsroot_open(&fs, o->root, err))) {
        comb_bench_report_free(r);
        return rc;
    }
    r->live = fs.live;
    r->root = clean_text(fs.root);
    if (fs.live) {
        if (gethostname(r->hostname, sizeof r->hostname) != 0)
            r->hostname[0] = '\0';
        r->hostname[sizeof r->hostname - 1] = '\0';
    } else {
        char *h;
        size_t hl;
        comb_err e2;
        if (comb_fsroot_read(&fs, "/etc/hostname", 4096, &h, &hl, &e2) == COMB_OK) {
            snprintf(r->hostname, sizeof r->hostname, "%.*s", (int)strcspn(h, "\r\n"), h);
            free(h);
        }
    }
    char *hn = clean_text(r->hostname);
    if (hn) {
        snprintf(r->hostname, sizeof r->hostname, "%s", hn);
        free(hn);
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(r->started, sizeof r->started, "%Y-%m-%dT%H:%M:%SZ", &tm);

    comb_eval_ctx ctx;
    comb_eval_init(&ctx, &fs);
    comb_container_list cl, il;
    memset(&cl, 0, sizeof cl);
    memset(&il, 0, sizeof il);
    int need_containers = 0, need_images = 0;
    for (size_t s = 0; s < r->nsets; s++)
        for (size_t k = 0; k < r->sets[s]->nchecks; k++) {
            need_containers |= r->sets[s]->checks[k].per_container;
            need_images |= r->sets[s]->checks[k].per_image;
        }
    if (need_containers) {
        rc = comb_containers_discover(&fs, o->podman_roots, o->npodman_roots, &cl, err);
        for (size_t i = 0; !rc && i < cl.nwarnings; i++)
            if (add_warning(r, cl.warnings[i]))
                rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        r->containers = calloc(cl.n ? cl.n : 1, sizeof *r->containers);
        if (!rc && !r->containers)
            rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        for (size_t i = 0; !rc && i < cl.n; i++, r->ncontainers++) {
            comb_bench_container *bc = &r->containers[i];
            const comb_container *c = &cl.items[i];
            bc->engine = clean_text(c->engine);
            bc->id = clean_text(c->id);
            bc->name = clean_text(c->name);
            bc->image = clean_text(c->image);
            bc->state = clean_text(c->state);
            bc->config = clean_text(c->config);
            if (!bc->engine || !bc->id || !bc->name || !bc->image || !bc->state || !bc->config)
                rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        }
    }
    if (!rc && need_images) {
        rc = comb_images_discover(&fs, o->podman_roots, o->npodman_roots, &il, err);
        for (size_t i = 0; !rc && i < il.nwarnings; i++)
            if (add_warning(r, il.warnings[i]))
                rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        r->nimages = il.n;
    }
    for (size_t s = 0; !rc && s < r->nsets; s++) {
        const comb_bench_set *set = r->sets[s];
        char why[COMB_EVAL_MAX_EVIDENCE + 64] = "";
        int present = 1;
        if (set->applies) {
            char ev[COMB_EVAL_MAX_EVIDENCE];
            present = comb_eval_item(&ctx, set->applies, ev, sizeof ev) == COMB_BENCH_PASS;
            snprintf(why, sizeof why, "%s is not installed here (%s)", set->name, ev);
        }
        for (size_t k = 0; !rc && k < set->nchecks; k++) {
            const comb_bench_check *c = &set->checks[k];
            if ((o->nonly && !matches_any(c->id, o->only, o->nonly)) ||
                matches_any(c->id, o->skip, o->nskip))
                continue;
            int bad = 0;
            if (!present)
                bad = add_result(r, c, NULL, COMB_BENCH_NA, why, NULL);
            else if (!c->per_container && !c->per_image)
                bad = run_check(r, &ctx, c, NULL);
            else {
                /* once per container, or per image */
                const comb_container_list *l = c->per_image ? &il : &cl;
                if (l->n == 0)
                    bad = add_result(r, c, NULL, COMB_BENCH_NA,
                                     c->per_image ? "no images found" : "no containers found", NULL);
                for (size_t i = 0; !bad && i < l->n; i++) {
                    char target[600];
                    snprintf(target, sizeof target, "%s%s/%s", c->per_image ? "image:" : "",
                             l->items[i].engine, l->items[i].name);
                    ctx.container = &l->items[i];
                    bad = run_check(r, &ctx, c, target);
                    ctx.container = NULL;
                }
            }
            if (bad)
                rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        }
    }
    comb_containers_free(&cl);
    comb_containers_free(&il);
    comb_eval_free(&ctx);
    comb_fsroot_close(&fs);
    if (rc) {
        comb_bench_report_free(r);
        return rc;
    }
    *out = r;
    return COMB_OK;
}

void comb_bench_report_free(comb_bench_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nresults; i++) {
        free(r->results[i].target);
        free(r->results[i].reason);
        free(r->results[i].file);
        free(r->results[i].remediation);
    }
    free(r->results);
    for (size_t i = 0; i < r->nwarnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    for (size_t i = 0; i < r->ncontainers; i++) {
        comb_bench_container *c = &r->containers[i];
        free(c->engine), free(c->id), free(c->name), free(c->image), free(c->state), free(c->config);
    }
    free(r->containers);
    free(r->sets);
    free(r->root);
    comb_bench_rules_free(&r->rules);
    free(r);
}

static int selected(const comb_bench_result *res, const comb_bench_set *set, const char *section)
{
    return (!set || res->check->set == set) && (!section || !strcmp(res->check->section, section));
}

comb_bench_counts comb_bench_count(const comb_bench_report *r, const comb_bench_set *set,
                                   const char *section)
{
    comb_bench_counts c;
    memset(&c, 0, sizeof c);
    for (size_t i = 0; i < r->nresults; i++)
        if (selected(&r->results[i], set, section))
            c.n[r->results[i].status]++;
    return c;
}

double comb_bench_score(const comb_bench_report *r, const comb_bench_set *set, const char *section)
{
    size_t pass = 0, fail = 0;
    for (size_t i = 0; i < r->nresults; i++) {
        const comb_bench_result *res = &r->results[i];
        if (!res->check->scored || !selected(res, set, section))
            continue;
        pass += res->status == COMB_BENCH_PASS;
        fail += res->status == COMB_BENCH_FAIL;
    }
    return pass + fail ? 100.0 * (double)pass / (double)(pass + fail) : -1.0;
}
