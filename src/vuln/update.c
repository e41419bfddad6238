/* update.c - see update.h. */
#include "vuln/update.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vuln/fetch.h"

static int name_ok(const char *s)
{
    if (!*s || strlen(s) >= 64 || s[0] == '.')
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
            return 0;
    return 1;
}

comb_code comb_update_parse_source(const char *spec, comb_update_source *out, comb_err *err)
{
    memset(out, 0, sizeof *out);
    const char *eq = strchr(spec, '=');
    if (!eq || (size_t)(eq - spec) >= sizeof out->name || strlen(eq + 1) >= sizeof out->url)
        return comb_fail(err, COMB_EINVAL, "source \"%.100s\": expected NAME=URL", spec);
    memcpy(out->name, spec, (size_t)(eq - spec));
    snprintf(out->url, sizeof out->url, "%s", eq + 1);
    if (!name_ok(out->name))
        return comb_fail(err, COMB_EINVAL, "source name \"%s\": use letters, digits, '.', '_', '-'",
                         out->name);
    return COMB_OK;
}

comb_code comb_update_read_sources(const char *path, comb_update_source *out, size_t max,
                                   size_t *n, comb_err *err)
{
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return comb_fail(err, COMB_EIO, "%s: %s", path, strerror(errno));
    char line[4096];
    int lineno = 0;
    comb_code rc = COMB_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char name[128], url[4096], sum[128];
        int k = sscanf(line, "%127s %4095s %127s", name, url, sum);
        if (k <= 0)
            continue;
        if (k < 2 || *n >= max || !name_ok(name) || strlen(url) >= sizeof out->url) {
            rc = comb_fail(err, COMB_EINVAL, "%s:%d: expected NAME URL [SHA256]%s", path, lineno,
                           *n >= max ? " (too many sources)" : "");
            break;
        }
        comb_update_source *s = &out[(*n)++];
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "%.63s", name);
        memcpy(s->url, url, strlen(url) + 1); /* length checked above */
        if (k == 3)
            snprintf(s->sha256, sizeof s->sha256, "%.79s", sum);
    }
    fclose(f);
    return rc;
}

static int loopback_url(const char *url)
{
    const char *h = url + 7; /* after http:// */
    return !strncmp(h, "127.", 4) || !strncmp(h, "localhost:", 10) || !strncmp(h, "localhost/", 10) ||
           !strncmp(h, "[::1]", 5);
}

static void read_state(const char *path, char *etag, size_t en, char *lm, size_t ln)
{
    etag[0] = lm[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(etag, (int)en, f))
        etag[strcspn(etag, "\n")] = '\0';
    if (fgets(lm, (int)ln, f))
        lm[strcspn(lm, "\n")] = '\0';
    fclose(f);
}

static void write_state(const char *path, const char *etag, const char *lm)
{
    char tmp[4600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    fprintf(f, "%s\n%s\n", etag, lm);
    if (fclose(f) == 0)
        rename(tmp, path);
    else
        unlink(tmp);
}

/* The importer recognises files by extension: keep the URL's. */
static const char *url_ext(const char *url)
{
    static const char *const exts[] = { ".tar.gz", ".tgz", ".tar.zst", ".tar", ".zip",
                                        ".json", ".yaml", ".yml" };
    const char *end = url + strcspn(url, "?#");
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t n = strlen(exts[i]);
        if ((size_t)(end - url) > n && !strncasecmp(end - n, exts[i], n))
            return exts[i];
    }
    return "";
}

typedef struct prog_ctx {
    const comb_update_opts *o;
    const char *name;
} prog_ctx;

static void fetch_progress(void *ud, uint64_t done, uint64_t total)
{
    prog_ctx *p = ud;
    p->o->progress(p->o->ud, p->name, done, total);
}

comb_code comb_vulndb_update(const char *db_path, const comb_update_opts *o,
                             comb_update_report *rep, comb_err *err)
{
    memset(rep, 0, sizeof *rep);
    if (!o->nsources)
        return comb_fail(err, COMB_EINVAL, "no sources configured");
    if (o->nsources > COMB_UPDATE_MAX_SOURCES)
        return comb_fail(err, COMB_ELIMIT, "more than %d sources", COMB_UPDATE_MAX_SOURCES);
    char dir[4200];
    if ((size_t)snprintf(dir, sizeof dir, "%s.sources", db_path) >= sizeof dir)
        return comb_fail(err, COMB_EINVAL, "%s: path too long", db_path);
    /* the database's own directory first (XDG data dir may not exist yet) */
    {
        comb_vulndb *probe;
        comb_code rc = comb_vulndb_open(db_path, 1, &probe, err);
        if (rc)
            return rc;
        comb_vulndb_close(probe);
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return comb_fail(err, COMB_EIO, "%s: %s", dir, strerror(errno));

    int changed = 0;
    const char *paths[COMB_UPDATE_MAX_SOURCES];
    char files[COMB_UPDATE_MAX_SOURCES][4300];
    size_t npaths = 0;
    for (size_t i = 0; i < o->nsources; i++) {
        const comb_update_source *s = &o->sources[i];
        char state[4400], etag[256], lm[64];
        snprintf(files[i], sizeof files[i], "%s/%s%s", dir, s->name, url_ext(s->url));
        snprintf(state, sizeof state, "%s/.%s.state", dir, s->name);
        struct stat st;
        int have = stat(files[i], &st) == 0 && S_ISREG(st.st_mode);
        if (have)
            read_state(state, etag, sizeof etag, lm, sizeof lm);
        else
            etag[0] = lm[0] = '\0';
        comb_fetch_opts fo = { .etag = etag, .last_modified = lm,
                               .sha256 = s->sha256[0] ? s->sha256 : NULL,
                               .retries = o->retries, .backoff_ms = o->backoff_ms,
                               .allow_http = o->allow_loopback_http && !strncmp(s->url, "http://", 7) &&
                                             loopback_url(s->url) };
        prog_ctx pc = { o, s->name };
        if (o->progress) {
            fo.progress = fetch_progress;
            fo.progress_ud = &pc;
        }
        comb_fetch_result fr;
        comb_err ferr;
        comb_err_clear(&ferr);
        if (comb_fetch(s->url, files[i], &fo, &fr, &ferr) != COMB_OK) {
            rep->state[i] = COMB_SRC_FAILED;
            snprintf(rep->message[i], sizeof rep->message[i], "%.255s", ferr.msg);
            rep->failed++;
        } else if (fr.not_modified) {
            rep->state[i] = COMB_SRC_NOT_MODIFIED;
        } else {
            rep->state[i] = COMB_SRC_UPDATED;
            rep->bytes[i] = fr.bytes;
            write_state(state, fr.etag, fr.last_modified);
            changed = 1;
        }
        if (stat(files[i], &st) == 0 && S_ISREG(st.st_mode))
            paths[npaths++] = files[i];
    }
    struct stat dbst;
    int db_has_data = stat(db_path, &dbst) == 0 && dbst.st_size > 0;
    if (!changed && db_has_data) {
        /* nothing new: keep the database as it is */
        return rep->failed == o->nsources
                   ? comb_fail(err, COMB_EIO, "no source could be downloaded (%s)", rep->message[0])
                   : COMB_OK;
    }
    if (!npaths)
        return comb_fail(err, COMB_EIO, "no source could be downloaded (%s)", rep->message[0]);

    /* build the new database beside the old one, then swap */
    char fresh[4300];
    snprintf(fresh, sizeof fresh, "%s.new", db_path);
    unlink(fresh);
    comb_vulndb *db;
    comb_code rc = comb_vulndb_open(fresh, 1, &db, err);
    if (rc) {
        comb_err_prefix(err, "update failed, the previous database is unchanged");
        return rc;
    }
    comb_import_opts io = { .warn = o->warn, .ud = o->ud };
    rc = comb_import_paths(db, paths, npaths, &io, &rep->stats, err);
    comb_vulndb_close(db);
    if (rc == COMB_OK) {
        int fd = open(fresh, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0)
            rc = comb_fail(err, COMB_EIO, "%s: %s", fresh, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    if (rc == COMB_OK && rename(fresh, db_path) != 0)
        rc = comb_fail(err, COMB_EIO, "%s: %s", db_path, strerror(errno));
    if (rc) {
        unlink(fresh);
        comb_err_prefix(err, "update failed, the previous database is unchanged");
        return rc;
    }
    rep->rebuilt = 1;
    return COMB_OK;
}
