/* scanstore.c - the per-host store of image scan results (see scanstore.h). */
#include "inventory/scanstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/readfile.h"
#include "report/scan_report.h"

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[n] == '\0';
}

int comb_scanstore_name(const char *digest, char *out, size_t n)
{
    if (!digest)
        return -1;
    const char *hex = !strncmp(digest, "sha256:", 7) ? digest + 7 : digest;
    if (strlen(hex) != 64 || !is_hex(hex, 64))
        return -1;
    return snprintf(out, n, "sha256-%s.json", hex) < (int)n ? 0 : -1;
}

static int path_of(const char *dir, const char *digest, char *out, size_t n)
{
    char name[80];
    if (comb_scanstore_name(digest, name, sizeof name))
        return -1;
    return snprintf(out, n, "%s/%s", dir, name) < (int)n ? 0 : -1;
}

comb_code comb_scanstore_json(const comb_scan_result *r, char **text, size_t *len, comb_err *err)
{
    *text = NULL;
    *len = 0;
    comb_report_opts ro = { 0 };
    FILE *m = open_memstream(text, len);
    comb_code rc = m ? comb_report_scan_json(r, &ro, m, err) : comb_fail(err, COMB_ENOMEM, "out of memory");
    if (m && fclose(m) && !rc)
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
    if (rc) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

comb_code comb_scanstore_save(const char *dir, const char *json, size_t len, comb_err *err)
{
    if (len > COMB_SCANSTORE_MAX_RESULT)
        return comb_fail(err, COMB_ELIMIT, "scan result: larger than %u bytes", COMB_SCANSTORE_MAX_RESULT);
    json_t *doc = json_loadb(json, len, 0, NULL);
    const char *digest = json_string_value(json_object_get(json_object_get(doc, "target"), "config_digest"));
    char path[4200], tmp[4300];
    if (path_of(dir, digest, path, sizeof path)) {
        json_decref(doc);
        return comb_fail(err, COMB_EFORMAT, "scan result: no image config digest to store it under");
    }
    json_decref(doc);
    if (mkdir(dir, 0700) && errno != EEXIST)
        return comb_fail(err, COMB_EIO, "%s: %s", dir, strerror(errno));
    snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return comb_fail(err, COMB_EIO, "%s: %s", tmp, strerror(errno));
    int e = comb_write_fd_sync(fd, json, len);
    if (e || rename(tmp, path)) {
        int saved = e ? e : errno;
        unlink(tmp);
        return comb_fail(err, COMB_EIO, "%s: %s", path, strerror(saved));
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return COMB_OK;
}

int comb_scanstore_has(const char *dir, const char *digest)
{
    char path[4200];
    struct stat st;
    return !path_of(dir, digest, path, sizeof path) && lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS..." in UTC; -1 when it is not one. */
static time_t parse_time(const char *s)
{
    struct tm tm = { 0 };
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                     &tm.tm_min, &tm.tm_sec) != 6)
        return (time_t)-1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

static json_t *status_only(const char *status)
{
    return json_pack("{s:s}", "status", status);
}

/* The summary of a stored result: {total, by_severity}, or NULL when the
 * document is not a comb scan result for digest. */
static json_t *summary_of(const json_t *doc, const char *digest)
{
    const char *hex = !strncmp(digest, "sha256:", 7) ? digest + 7 : digest;
    const char *cd = json_string_value(json_object_get(json_object_get(doc, "target"), "config_digest"));
    const json_t *sum = json_object_get(doc, "summary");
    const json_t *total = json_object_get(sum, "total"), *bs = json_object_get(sum, "by_severity");
    const char *schema = json_string_value(json_object_get(doc, "schema"));
    if (!schema || strcmp(schema, "comb-scan/1") || !cd || strncmp(cd, "sha256:", 7) || strcmp(cd + 7, hex) ||
        !json_is_integer(total) || json_integer_value(total) < 0 || !json_is_object(bs))
        return NULL;
    static const char *const sev[] = { "CRITICAL", "HIGH", "MEDIUM", "LOW", "NEGLIGIBLE", "UNKNOWN" };
    json_t *counts = json_object();
    for (size_t i = 0; i < sizeof sev / sizeof *sev; i++) {
        const json_t *v = json_object_get(bs, sev[i]);
        json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
        json_object_set_new(counts, sev[i], json_integer(n < 0 ? 0 : n));
    }
    return json_pack("{s:I, s:o}", "total", json_integer_value(total), "by_severity", counts);
}

comb_code comb_scanstore_status(const char *dir, const char *digest, const char *db_built, json_t **out,
                                comb_err *err)
{
    *out = NULL;
    char path[4200];
    if (path_of(dir, digest, path, sizeof path)) {
        *out = status_only("not_scanned"); /* an id comb cannot store results under */
        return COMB_OK;
    }
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            *out = status_only("not_scanned");
            return COMB_OK;
        }
        return comb_fail(err, COMB_EIO, "%s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st)) {
        close(fd);
        return comb_fail(err, COMB_EIO, "%s: %s", path, strerror(errno));
    }
    unsigned char *data;
    size_t len;
    comb_code rc = comb_read_fd(fd, COMB_SCANSTORE_MAX_RESULT, path, &data, &len, err);
    if (rc)
        return rc;
    json_t *doc = json_loadb((const char *)data, len, 0, NULL);
    free(data);
    json_t *s = doc ? summary_of(doc, digest) : NULL;
    if (!s) {
        json_decref(doc);
        return comb_fail(err, COMB_EFORMAT, "%s: not a comb scan result of this image", path);
    }
    const char *built = json_string_value(json_object_get(json_object_get(doc, "database"), "built"));
    time_t now_built = parse_time(db_built), scan_built = parse_time(built);
    int stale = now_built != (time_t)-1 && (scan_built == (time_t)-1 || now_built > scan_built);
    char at[32];
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&st.st_mtime));
    json_object_set_new(s, "status", json_string(stale ? "stale" : "scanned"));
    json_object_set_new(s, "scanned_at", json_string(at));
    if (built && scan_built != (time_t)-1)
        json_object_set_new(s, "database_built", json_string(built));
    json_decref(doc);
    *out = s;
    return COMB_OK;
}
