/* vulndb.c - the SQLite store behind vulndb.h.
 *
 * Schema (version 2):
 *   meta(key PRIMARY KEY, value)            schema, created, built, gen
 *   vuln(id PRIMARY KEY, summary, details, cvss_v3, cvss_v4, severity, url,
 *        published, modified)               (rowid table: rows are large)
 *   alias(vuln_id, alias) PRIMARY KEY both  WITHOUT ROWID, index on alias
 *   pkg(id INTEGER PRIMARY KEY, ecosystem, name) UNIQUE(ecosystem, name)
 *   affected_row(k INTEGER PRIMARY KEY,     k = 64-bit hash of the content,
 *            pkg, vuln_id, scheme, semver,      so identical rows never repeat
 *            state, severity, source, ranges, versions, gen)
 *        index (pkg); partial index (vuln_id) WHERE source = 1 (OSV re-imports)
 *   affected: a view of affected_row with ecosystem, package and source names
 *   source(name PRIMARY KEY, records, rejected, imported_at)
 * Each (ecosystem, package) is stored once; affected rows refer to it by
 * integer, and the known sources are small integers (1 osv, 2 alpine-secdb,
 * 3 debian-tracker; others are stored as text).
 *
 * ranges is a compact text encoding of the events: one event per line, a
 * kind letter (i introduced, f fixed, l last_affected, m limit) followed by
 * the version. versions is the explicit list, one per line. Importers reject
 * versions with control characters, so the encoding is unambiguous.
 *
 * gen counts import transactions; importers delete the rows of an advisory
 * (or of a distro package) left by earlier imports before writing the new
 * ones, so a re-import replaces instead of accumulating (see import.h).
 */
#include "vuln/vulndb.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "vuln/import/import.h"

#define SCHEMA_VERSION "2"

enum {
    ST_LOOKUP,
    ST_VULN_PUT,
    ST_ALIAS_PUT,
    ST_AFF_PUT,
    ST_AFF_TOUCH,
    ST_FORGET_ID,
    ST_FORGET_OSV,
    ST_PKG_PUT,
    ST_PKG_GET,
    ST_FORGET_PKG,
    ST_VULN_GET,
    ST_ALIAS_GET,
    ST_SOURCE_PUT,
    ST_COUNT
};

struct comb_vulndb {
    sqlite3 *h;
    int writable;
    int in_txn;
    int64_t gen;
    char *path;
    sqlite3_stmt *st[ST_COUNT];
    uint64_t txn_vulns, txn_affected;
    int last_new;            /* the last put_affected added a row */
    char *pc_eco, *pc_name;  /* pkg id cache (cleared on rollback) */
    sqlite3_int64 pc_id;
    /* lookup scratch */
    char *buf;
    size_t bufcap;
    comb_event *ev;
    size_t evcap;
    const char **vers;
    size_t verscap;
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_LOOKUP] = "SELECT r.vuln_id, r.scheme, r.semver, r.state, r.severity, r.source, r.ranges, "
                  "r.versions FROM pkg p JOIN affected_row r ON r.pkg = p.id "
                  "WHERE p.ecosystem = ?1 AND p.name = ?2 ORDER BY r.vuln_id, r.k",
    [ST_VULN_PUT] =
        "INSERT INTO vuln(id, summary, details, cvss_v3, cvss_v4, severity, url, published, modified) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(id) DO UPDATE SET "
        "summary = coalesce(excluded.summary, summary), details = coalesce(excluded.details, details), "
        "cvss_v3 = coalesce(excluded.cvss_v3, cvss_v3), cvss_v4 = coalesce(excluded.cvss_v4, cvss_v4), "
        "severity = coalesce(excluded.severity, severity), url = coalesce(excluded.url, url), "
        "published = coalesce(excluded.published, published), "
        "modified = coalesce(excluded.modified, modified)",
    [ST_ALIAS_PUT] = "INSERT OR IGNORE INTO alias(vuln_id, alias) VALUES(?1, ?2)",
    [ST_AFF_PUT] = "INSERT INTO affected_row(k, pkg, vuln_id, scheme, semver, state, "
                   "severity, source, ranges, versions, gen) "
                   "VALUES(?1, ?2, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
                   "ON CONFLICT(k) DO NOTHING",
    [ST_AFF_TOUCH] = "UPDATE affected_row SET gen = ?2 WHERE k = ?1",
    [ST_FORGET_ID] = "DELETE FROM affected_row WHERE vuln_id = ?1 AND source = ?2 AND gen < ?3",
    /* the literal source = 1 lets SQLite use the partial index */
    [ST_FORGET_OSV] = "DELETE FROM affected_row WHERE vuln_id = ?1 AND source = 1 AND gen < ?3",
    [ST_FORGET_PKG] = "DELETE FROM affected_row WHERE pkg = (SELECT id FROM pkg WHERE "
                      "ecosystem = ?1 AND name = ?2) AND source = ?3 AND gen < ?4",
    [ST_PKG_PUT] = "INSERT OR IGNORE INTO pkg(ecosystem, name) VALUES(?1, ?2)",
    [ST_PKG_GET] = "SELECT id FROM pkg WHERE ecosystem = ?1 AND name = ?2",
    [ST_VULN_GET] = "SELECT id, summary, details, cvss_v3, cvss_v4, severity, url, published, "
                    "modified FROM vuln WHERE id = ?1",
    [ST_ALIAS_GET] = "SELECT alias FROM alias WHERE vuln_id = ?1 ORDER BY alias",
    [ST_SOURCE_PUT] = "INSERT OR REPLACE INTO source(name, records, rejected, imported_at) "
                      "VALUES(?1, ?2, ?3, ?4)",
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS vuln(id TEXT PRIMARY KEY, summary TEXT, details TEXT, "
    "  cvss_v3 TEXT, cvss_v4 TEXT, severity TEXT, url TEXT, published TEXT, modified TEXT);"
    "CREATE TABLE IF NOT EXISTS alias(vuln_id TEXT NOT NULL, alias TEXT NOT NULL, "
    "  PRIMARY KEY(vuln_id, alias)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS alias_alias ON alias(alias);"
    "CREATE TABLE IF NOT EXISTS pkg(id INTEGER PRIMARY KEY, ecosystem TEXT NOT NULL, "
    "  name TEXT NOT NULL, UNIQUE(ecosystem, name));"
    "CREATE TABLE IF NOT EXISTS affected_row(k INTEGER PRIMARY KEY, pkg INTEGER NOT NULL, "
    "  vuln_id TEXT NOT NULL, scheme INTEGER NOT NULL, semver INTEGER NOT NULL, "
    "  state INTEGER NOT NULL, severity TEXT, source NOT NULL, ranges TEXT, versions TEXT, "
    "  gen INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS affected_pkg ON affected_row(pkg);"
    "CREATE INDEX IF NOT EXISTS affected_osv ON affected_row(vuln_id) WHERE source = 1;"
    "CREATE VIEW IF NOT EXISTS affected AS SELECT r.k AS k, p.ecosystem AS ecosystem, "
    "  p.name AS package, r.vuln_id AS vuln_id, r.scheme AS scheme, r.semver AS semver, "
    "  r.state AS state, r.severity AS severity, CASE r.source WHEN 1 THEN 'osv' "
    "  WHEN 2 THEN 'alpine-secdb' WHEN 3 THEN 'debian-tracker' ELSE r.source END AS source, "
    "  r.ranges AS ranges, r.versions AS versions, r.gen AS gen "
    "  FROM affected_row r JOIN pkg p ON p.id = r.pkg;"
    "CREATE TABLE IF NOT EXISTS source(name TEXT PRIMARY KEY, records INTEGER, rejected INTEGER, "
    "  imported_at TEXT) WITHOUT ROWID;";

static void pkg_cache_clear(comb_vulndb *db);

static const char *const source_names[] = { NULL, "osv", "alpine-secdb", "debian-tracker" };

static int source_code(const char *name)
{
    for (int i = 1; i < (int)(sizeof source_names / sizeof *source_names); i++)
        if (name && !strcmp(name, source_names[i]))
            return i;
    return 0;
}

static void bind_source(sqlite3_stmt *s, int i, const char *name)
{
    int c = source_code(name);
    if (c)
        sqlite3_bind_int(s, i, c);
    else
        sqlite3_bind_text(s, i, name ? name : "unknown", -1, SQLITE_STATIC);
}

static const char *source_col(sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_INTEGER) {
        int c = sqlite3_column_int(s, i);
        return c > 0 && c < (int)(sizeof source_names / sizeof *source_names) ? source_names[c]
                                                                              : "unknown";
    }
    return (const char *)sqlite3_column_text(s, i);
}

static comb_code sqlfail(comb_vulndb *db, comb_err *err, const char *what)
{
    return comb_fail(err, COMB_EIO, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->h));
}

static void now_rfc3339(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *comb_vulndb_default_path(char *buf, size_t n)
{
    const char *x = getenv("XDG_DATA_HOME");
    int r;
    if (x && x[0] == '/') {
        r = snprintf(buf, n, "%s/comb/vuln.db", x);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home)
            return NULL;
        r = snprintf(buf, n, "%s/.local/share/comb/vuln.db", home);
    }
    if (r < 0 || (size_t)r >= n)
        return NULL;
    return buf;
}

static int mkdirs_for(const char *path)
{
    char tmp[PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof tmp)
        return -1;
    memcpy(tmp, path, len + 1);
    char *slash = strrchr(tmp, '/');
    if (!slash || slash == tmp)
        return 0;
    *slash = '\0';
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int meta_get(comb_vulndb *db, const char *key, char *buf, size_t n)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key = ?1", -1, &s, NULL))
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = -1;
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        snprintf(buf, n, "%s", v ? v : "");
        rc = 0;
    }
    sqlite3_finalize(s);
    return rc;
}

static int meta_set(comb_vulndb *db, const char *key, const char *value)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1,
                           &s, NULL))
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(s);
    return rc;
}

comb_code comb_vulndb_open(const char *path, int writable, comb_vulndb **out, comb_err *err)
{
    *out = NULL;
    char defbuf[PATH_MAX];
    if (!path || !*path) {
        path = comb_vulndb_default_path(defbuf, sizeof defbuf);
        if (!path)
            return comb_fail(err, COMB_EINVAL,
                             "no database path: set XDG_DATA_HOME or HOME, or give --db");
    }
    int memory = !strcmp(path, ":memory:");
    if (!writable && !memory) {
        struct stat st;
        if (stat(path, &st) != 0)
            return comb_fail(err, COMB_ENOTFOUND,
                             "%s: no vulnerability database (run 'comb db import' first): %s",
                             path, strerror(errno));
    }
    if (writable && !memory && mkdirs_for(path) != 0)
        return comb_fail(err, COMB_EIO, "%s: cannot create its directory: %s", path,
                         strerror(errno));
    comb_vulndb *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    db->writable = writable;
    int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path, &db->h, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        comb_code c = comb_fail(err, COMB_EIO, "%s: cannot open: %s", path,
                                db->h ? sqlite3_errmsg(db->h) : "out of memory");
        comb_vulndb_close(db);
        return c;
    }
    sqlite3_busy_timeout(db->h, 5000);
    sqlite3_limit(db->h, SQLITE_LIMIT_LENGTH, 64 << 20);
    char ver[32];
    if (writable) {
        if (sqlite3_exec(db->h, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL;", NULL,
                         NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(db->h, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
            comb_code c = comb_fail(err, COMB_EFORMAT, "%s: not a comb vulnerability database: %s",
                                    path, sqlite3_errmsg(db->h));
            comb_vulndb_close(db);
            return c;
        }
        if (meta_get(db, "schema", ver, sizeof ver) != 0) {
            char now[32];
            now_rfc3339(now, sizeof now);
            if (meta_set(db, "schema", SCHEMA_VERSION) || meta_set(db, "created", now) ||
                meta_set(db, "gen", "0")) {
                comb_code c = sqlfail(db, err, "writing meta");
                comb_vulndb_close(db);
                return c;
            }
            snprintf(ver, sizeof ver, "%s", SCHEMA_VERSION);
        }
    } else if (sqlite3_exec(db->h, "PRAGMA locking_mode=EXCLUSIVE", NULL, NULL, NULL),
               /* a reader keeps its shared lock: no lock/unlock syscalls per lookup
                * (updates build a new file and rename it, so they never wait) */
               meta_get(db, "schema", ver, sizeof ver) != 0) {
        comb_code c = comb_fail(err, COMB_EFORMAT, "%s: not a comb vulnerability database", path);
        comb_vulndb_close(db);
        return c;
    }
    if (strcmp(ver, SCHEMA_VERSION) != 0) {
        comb_code c = comb_fail(err, COMB_EFORMAT,
                                "%s: database schema %s, this comb reads schema %s; re-import",
                                path, ver, SCHEMA_VERSION);
        comb_vulndb_close(db);
        return c;
    }
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(db->h, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &db->st[i],
                               NULL) != SQLITE_OK) {
            comb_code c = comb_fail(err, COMB_EFORMAT, "%s: not a comb vulnerability database: %s",
                                    path, sqlite3_errmsg(db->h));
            comb_vulndb_close(db);
            return c;
        }
    }
    *out = db;
    return COMB_OK;
}

void comb_vulndb_close(comb_vulndb *db)
{
    if (!db)
        return;
    if (db->in_txn)
        comb_vulndb_rollback(db);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(db->st[i]);
    sqlite3_close(db->h);
    pkg_cache_clear(db);
    free(db->path);
    free(db->buf);
    free(db->ev);
    free(db->vers);
    free(db);
}

/* --- reading -------------------------------------------------------------- */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

comb_code comb_vulndb_lookup(comb_vulndb *db, const char *ecosystem, const char *package,
                             int (*cb)(void *ud, const comb_affected *a), void *ud,
                             comb_err *err)
{
    sqlite3_stmt *s = db->st[ST_LOOKUP];
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, ecosystem, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, package, -1, SQLITE_STATIC);
    comb_code rc = COMB_OK;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        const char *ranges = col(s, 6), *versions = col(s, 7);
        size_t rl = ranges ? strlen(ranges) : 0, vl = versions ? strlen(versions) : 0;
        if (grow((void **)&db->buf, &db->bufcap, rl + vl + 2, 1)) {
            rc = comb_fail(err, COMB_ENOMEM, "out of memory");
            break;
        }
        char *rb = db->buf, *vb = db->buf + rl + 1;
        memcpy(rb, ranges ? ranges : "", rl + 1);
        memcpy(vb, versions ? versions : "", vl + 1);
        size_t nev = 0, nver = 0;
        for (char *p = rb; *p;) {
            char *nl = strchr(p, '\n');
            if (nl)
                *nl = '\0';
            comb_event_kind k;
            int ok = 1;
            switch (*p) {
            case 'i': k = COMB_EV_INTRODUCED; break;
            case 'f': k = COMB_EV_FIXED; break;
            case 'l': k = COMB_EV_LAST_AFFECTED; break;
            case 'm': k = COMB_EV_LIMIT; break;
            default: ok = 0; k = COMB_EV_INTRODUCED; break;
            }
            if (ok) {
                if (grow((void **)&db->ev, &db->evcap, nev + 1, sizeof *db->ev)) {
                    rc = comb_fail(err, COMB_ENOMEM, "out of memory");
                    goto done;
                }
                db->ev[nev].kind = k;
                db->ev[nev].version = p + 1;
                nev++;
            }
            if (!nl)
                break;
            p = nl + 1;
        }
        for (char *p = vb; *p;) {
            char *nl = strchr(p, '\n');
            if (nl)
                *nl = '\0';
            if (grow((void **)&db->vers, &db->verscap, nver + 1, sizeof *db->vers)) {
                rc = comb_fail(err, COMB_ENOMEM, "out of memory");
                goto done;
            }
            db->vers[nver++] = p;
            if (!nl)
                break;
            p = nl + 1;
        }
        comb_affected a = {
            .vuln_id = col(s, 0),
            .ecosystem = ecosystem,
            .package = package,
            .scheme = (comb_vscheme)sqlite3_column_int(s, 1),
            .semver_ranges = sqlite3_column_int(s, 2),
            .events = db->ev,
            .nevents = nev,
            .versions = (const char *const *)db->vers,
            .nversions = nver,
            .state = (comb_fix_state)sqlite3_column_int(s, 3),
            .severity = col(s, 4),
            .source = source_col(s, 5),
        };
        if (cb(ud, &a))
            break;
    }
    if (r != SQLITE_ROW && r != SQLITE_DONE && rc == COMB_OK)
        rc = sqlfail(db, err, "lookup");
done:
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

static const char *adup(comb_arena *a, const char *s)
{
    return s ? comb_arena_strdup(a, s) : NULL;
}

comb_code comb_vulndb_vuln(comb_vulndb *db, const char *id, comb_arena *a, comb_vuln_info *out,
                           comb_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = db->st[ST_VULN_GET];
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r == SQLITE_DONE) {
        sqlite3_reset(s);
        return comb_fail(err, COMB_ENOTFOUND, "%s: not in the vulnerability database", id);
    }
    if (r != SQLITE_ROW) {
        comb_code c = sqlfail(db, err, "reading a vulnerability");
        sqlite3_reset(s);
        return c;
    }
    out->id = adup(a, col(s, 0));
    out->summary = adup(a, col(s, 1));
    out->details = adup(a, col(s, 2));
    out->cvss_v3 = adup(a, col(s, 3));
    out->cvss_v4 = adup(a, col(s, 4));
    out->severity = adup(a, col(s, 5));
    out->url = adup(a, col(s, 6));
    out->published = adup(a, col(s, 7));
    out->modified = adup(a, col(s, 8));
    sqlite3_reset(s);
    if (!out->id)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    s = db->st[ST_ALIAS_GET];
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    size_t n = 0, cap = 0;
    const char **al = NULL;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            const char **na = comb_arena_calloc(a, nc, sizeof *na);
            if (!na) {
                sqlite3_reset(s);
                return comb_fail(err, COMB_ENOMEM, "out of memory");
            }
            if (n)
                memcpy(na, al, n * sizeof *na);
            al = na;
            cap = nc;
        }
        al[n++] = adup(a, col(s, 0));
    }
    sqlite3_reset(s);
    out->aliases = (const char *const *)al;
    out->naliases = n;
    return COMB_OK;
}

static uint64_t count_q(comb_vulndb *db, const char *sql)
{
    sqlite3_stmt *s;
    uint64_t n = 0;
    if (sqlite3_prepare_v2(db->h, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            n = (uint64_t)sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    return n;
}

comb_code comb_vulndb_stats_get(comb_vulndb *db, comb_arena *a, comb_vulndb_stats *out,
                                comb_err *err)
{
    memset(out, 0, sizeof *out);
    out->vulns = count_q(db, "SELECT count(*) FROM vuln");
    out->affected = count_q(db, "SELECT count(*) FROM affected_row");
    out->packages = count_q(db, "SELECT count(DISTINCT pkg) FROM affected_row");
    char built[64];
    if (meta_get(db, "built", built, sizeof built) == 0)
        out->built = comb_arena_strdup(a, built);
    size_t nsrc = (size_t)count_q(db, "SELECT count(*) FROM source");
    out->sources = comb_arena_calloc(a, nsrc + 1, sizeof *out->sources);
    if (!out->sources)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->h,
                           "SELECT name, records, rejected, imported_at FROM source ORDER BY name",
                           -1, &s, NULL) != SQLITE_OK)
        return sqlfail(db, err, "reading sources");
    while (out->nsources < nsrc && sqlite3_step(s) == SQLITE_ROW) {
        const char *imp = col(s, 3);
        out->sources[out->nsources++] = comb_arena_printf(
            a, "%s (%lld records, %lld rejected, imported %s)", col(s, 0),
            (long long)sqlite3_column_int64(s, 1), (long long)sqlite3_column_int64(s, 2),
            imp ? imp : "?");
    }
    sqlite3_finalize(s);
    return COMB_OK;
}

/* --- writing -------------------------------------------------------------- */

comb_code comb_vulndb_begin(comb_vulndb *db, comb_err *err)
{
    if (!db->writable)
        return comb_fail(err, COMB_EINVAL, "%s: opened read-only", db->path);
    if (db->in_txn)
        return comb_fail(err, COMB_EINVAL, "%s: a transaction is already open", db->path);
    if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return sqlfail(db, err, "begin");
    char g[32] = "0";
    meta_get(db, "gen", g, sizeof g);
    db->gen = strtoll(g, NULL, 10) + 1;
    snprintf(g, sizeof g, "%lld", (long long)db->gen);
    if (meta_set(db, "gen", g) != 0) {
        comb_code c = sqlfail(db, err, "begin");
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        return c;
    }
    db->in_txn = 1;
    db->txn_vulns = db->txn_affected = 0;
    return COMB_OK;
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static comb_code step_done(comb_vulndb *db, sqlite3_stmt *s, comb_err *err, const char *what)
{
    int r = sqlite3_step(s);
    comb_code c = COMB_OK;
    if (r != SQLITE_DONE)
        c = sqlfail(db, err, what);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return c;
}

comb_code comb_vulndb_put_vuln(comb_vulndb *db, const comb_vuln_info *v, comb_err *err)
{
    if (!db->in_txn)
        return comb_fail(err, COMB_EINVAL, "%s: put outside a transaction", db->path);
    if (!v->id || !*v->id)
        return comb_fail(err, COMB_EINVAL, "vulnerability without an id");
    sqlite3_stmt *s = db->st[ST_VULN_PUT];
    bind_opt(s, 1, v->id);
    bind_opt(s, 2, v->summary);
    bind_opt(s, 3, v->details);
    bind_opt(s, 4, v->cvss_v3);
    bind_opt(s, 5, v->cvss_v4);
    bind_opt(s, 6, v->severity);
    bind_opt(s, 7, v->url);
    bind_opt(s, 8, v->published);
    bind_opt(s, 9, v->modified);
    comb_code c = step_done(db, s, err, "writing a vulnerability");
    for (size_t i = 0; c == COMB_OK && i < v->naliases; i++) {
        if (!v->aliases[i] || !strcmp(v->aliases[i], v->id))
            continue;
        s = db->st[ST_ALIAS_PUT];
        bind_opt(s, 1, v->id);
        bind_opt(s, 2, v->aliases[i]);
        c = step_done(db, s, err, "writing an alias");
    }
    if (c == COMB_OK)
        db->txn_vulns++;
    return c;
}

static uint64_t fnv(uint64_t h, const char *s)
{
    if (s)
        for (; *s; s++) {
            h ^= (unsigned char)*s;
            h *= 1099511628211ULL;
        }
    h ^= 0xff; /* field separator (0xff never occurs in valid UTF-8) */
    h *= 1099511628211ULL;
    return h;
}

static char *strbuf_append(char *buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t nc = *cap ? *cap : 256;
        while (nc < *len + n + 1)
            nc *= 2;
        char *nb = realloc(buf, nc);
        if (!nb) {
            free(buf);
            return NULL;
        }
        buf = nb;
        *cap = nc;
    }
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
    return buf;
}

static void pkg_cache_clear(comb_vulndb *db)
{
    free(db->pc_eco);
    free(db->pc_name);
    db->pc_eco = db->pc_name = NULL;
}

/* The id of (ecosystem, name) in pkg, created when new; the last one is cached. */
static comb_code pkg_id(comb_vulndb *db, const char *eco, const char *name, sqlite3_int64 *out,
                        comb_err *err)
{
    if (db->pc_eco && !strcmp(db->pc_eco, eco) && !strcmp(db->pc_name, name)) {
        *out = db->pc_id;
        return COMB_OK;
    }
    sqlite3_stmt *s = db->st[ST_PKG_PUT];
    bind_opt(s, 1, eco);
    bind_opt(s, 2, name);
    comb_code c = step_done(db, s, err, "writing a package");
    if (c)
        return c;
    s = db->st[ST_PKG_GET];
    bind_opt(s, 1, eco);
    bind_opt(s, 2, name);
    int r = sqlite3_step(s);
    if (r != SQLITE_ROW) {
        c = sqlfail(db, err, "reading a package");
        sqlite3_reset(s);
        return c;
    }
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    pkg_cache_clear(db);
    db->pc_eco = strdup(eco);
    db->pc_name = strdup(name);
    if (!db->pc_eco || !db->pc_name)
        pkg_cache_clear(db);
    db->pc_id = *out;
    return COMB_OK;
}

comb_code comb_vulndb_put_affected(comb_vulndb *db, const comb_affected *a, comb_err *err)
{
    if (!db->in_txn)
        return comb_fail(err, COMB_EINVAL, "%s: put outside a transaction", db->path);
    if (!a->vuln_id || !*a->vuln_id || !a->ecosystem || !*a->ecosystem || !a->package ||
        !*a->package)
        return comb_fail(err, COMB_EINVAL, "affected record without id, ecosystem or package");
    static const char kinds[] = "iflm";
    char *r = NULL, *v = NULL;
    size_t rl = 0, rc = 0, vl = 0, vc = 0;
    r = strbuf_append(r, &rl, &rc, "", 0);
    v = strbuf_append(v, &vl, &vc, "", 0);
    for (size_t i = 0; r && i < a->nevents; i++) {
        const char *ver = a->events[i].version ? a->events[i].version : "";
        unsigned k = (unsigned)a->events[i].kind;
        if (i)
            r = strbuf_append(r, &rl, &rc, "\n", 1);
        if (r)
            r = strbuf_append(r, &rl, &rc, &kinds[k < 4 ? k : 0], 1);
        if (r)
            r = strbuf_append(r, &rl, &rc, ver, strlen(ver));
    }
    for (size_t i = 0; v && i < a->nversions; i++) {
        const char *ver = a->versions[i] ? a->versions[i] : "";
        if (i)
            v = strbuf_append(v, &vl, &vc, "\n", 1);
        if (v)
            v = strbuf_append(v, &vl, &vc, ver, strlen(ver));
    }
    if (!r || !v) {
        free(r);
        free(v);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    char num[64];
    uint64_t h = 14695981039346656037ULL;
    h = fnv(h, a->ecosystem);
    h = fnv(h, a->package);
    h = fnv(h, a->vuln_id);
    snprintf(num, sizeof num, "%d/%d/%d", (int)a->scheme, a->semver_ranges ? 1 : 0, (int)a->state);
    h = fnv(h, num);
    h = fnv(h, a->severity);
    h = fnv(h, a->source);
    h = fnv(h, r);
    h = fnv(h, v);
    sqlite3_stmt *s = db->st[ST_AFF_PUT];
    sqlite3_bind_int64(s, 1, (sqlite3_int64)h);
    sqlite3_int64 pid = 0;
    comb_code pc = pkg_id(db, a->ecosystem, a->package, &pid, err);
    if (pc) {
        free(r);
        free(v);
        return pc;
    }
    sqlite3_bind_int64(s, 2, pid);
    bind_opt(s, 4, a->vuln_id);
    sqlite3_bind_int(s, 5, (int)a->scheme);
    sqlite3_bind_int(s, 6, a->semver_ranges ? 1 : 0);
    sqlite3_bind_int(s, 7, (int)a->state);
    bind_opt(s, 8, a->severity);
    bind_source(s, 9, a->source);
    if (rl)
        sqlite3_bind_text(s, 10, r, (int)rl, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 10);
    if (vl)
        sqlite3_bind_text(s, 11, v, (int)vl, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 11);
    sqlite3_bind_int64(s, 12, db->gen);
    comb_code c = step_done(db, s, err, "writing an affected record");
    free(r);
    free(v);
    db->last_new = 0;
    if (c == COMB_OK && sqlite3_changes(db->h) == 0) {
        s = db->st[ST_AFF_TOUCH];
        sqlite3_bind_int64(s, 1, (sqlite3_int64)h);
        sqlite3_bind_int64(s, 2, db->gen);
        c = step_done(db, s, err, "writing an affected record");
    } else if (c == COMB_OK) {
        db->last_new = 1;
        db->txn_affected++;
    }
    return c;
}

comb_code comb_vulndb_commit(comb_vulndb *db, const char *source, comb_err *err)
{
    if (!db->in_txn)
        return comb_fail(err, COMB_EINVAL, "%s: commit without a transaction", db->path);
    char now[32];
    now_rfc3339(now, sizeof now);
    if (source) {
        comb_code c = comb_vulndb_note_source(
            db, source, db->txn_vulns ? db->txn_vulns : db->txn_affected, 0, err);
        if (c)
            return c;
    }
    if (meta_set(db, "built", now) != 0)
        return sqlfail(db, err, "writing meta");
    if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return sqlfail(db, err, "commit");
    db->in_txn = 0;
    return COMB_OK;
}

void comb_vulndb_rollback(comb_vulndb *db)
{
    if (!db || !db->in_txn)
        return;
    sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    db->in_txn = 0;
    pkg_cache_clear(db);
}

/* --- internal, for the importers (import.h) -------------------------------- */

comb_code comb_vulndb_note_source(comb_vulndb *db, const char *name, uint64_t records,
                                  uint64_t rejected, comb_err *err)
{
    char now[32];
    now_rfc3339(now, sizeof now);
    sqlite3_stmt *s = db->st[ST_SOURCE_PUT];
    bind_opt(s, 1, name);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)records);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)rejected);
    sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
    return step_done(db, s, err, "writing a source");
}

comb_code comb_vulndb_forget_vuln(comb_vulndb *db, const char *vuln_id, const char *source,
                                  comb_err *err)
{
    int code = source_code(source);
    sqlite3_stmt *s = db->st[code == 1 ? ST_FORGET_OSV : ST_FORGET_ID];
    bind_opt(s, 1, vuln_id);
    if (code != 1)
        bind_source(s, 2, source);
    sqlite3_bind_int64(s, 3, db->gen);
    return step_done(db, s, err, "replacing an advisory");
}

comb_code comb_vulndb_forget_package(comb_vulndb *db, const char *ecosystem, const char *package,
                                     const char *source, comb_err *err)
{
    sqlite3_stmt *s = db->st[ST_FORGET_PKG];
    bind_opt(s, 1, ecosystem);
    bind_opt(s, 2, package);
    bind_source(s, 3, source);
    sqlite3_bind_int64(s, 4, db->gen);
    return step_done(db, s, err, "replacing a package's records");
}

comb_code comb_vulndb_savepoint(comb_vulndb *db, int op, comb_err *err)
{
    static const char *const sql[] = { "SAVEPOINT rec", "RELEASE rec",
                                       "ROLLBACK TO rec; RELEASE rec" };
    if (op < 0 || op > 2)
        return comb_fail(err, COMB_EINVAL, "bad savepoint operation");
    if (op == 2)
        pkg_cache_clear(db);
    if (sqlite3_exec(db->h, sql[op], NULL, NULL, NULL) != SQLITE_OK)
        return sqlfail(db, err, "savepoint");
    return COMB_OK;
}

int comb_vulndb_last_new(const comb_vulndb *db)
{
    return db->last_new;
}

const char *comb_vulndb_path(const comb_vulndb *db)
{
    return db->path;
}
