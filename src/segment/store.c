/* store.c - the learned graph in SQLite: groups, their addresses, flows,
 * settings and the applied policy versions. The file is comb's own, but it
 * is read defensively: bad rows are errors, never crashes. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segment/segment.h"

struct seg_store {
    sqlite3 *db;
    char path[512];
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS groups(name TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " ns TEXT NOT NULL, labels TEXT NOT NULL, image TEXT NOT NULL, mode TEXT NOT NULL,"
    " quarantined INTEGER NOT NULL, qallow TEXT NOT NULL, created INTEGER NOT NULL,"
    " last_new INTEGER NOT NULL, listening TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS addrs(grp TEXT NOT NULL, addr INTEGER NOT NULL,"
    " PRIMARY KEY(grp, addr));"
    "CREATE TABLE IF NOT EXISTS flows(src TEXT NOT NULL, dst TEXT NOT NULL,"
    " proto INTEGER NOT NULL, dport INTEGER NOT NULL, count INTEGER NOT NULL,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, procs TEXT NOT NULL,"
    " PRIMARY KEY(src, dst, proto, dport));"
    "CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS versions(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " created INTEGER NOT NULL, text TEXT NOT NULL, previous TEXT NOT NULL);";

static comb_code db_fail(seg_store *s, comb_err *err, const char *what)
{
    return comb_fail(err, COMB_EIO, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

comb_code seg_store_open(const char *path, seg_store **out, comb_err *err)
{
    seg_store *s = calloc(1, sizeof *s);
    if (!s)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", path);
    snprintf(s->path, sizeof s->path, "%s", path);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)) {
        comb_code rc = db_fail(s, err, "open");
        seg_store_close(s);
        return rc;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if (sqlite3_exec(s->db, schema, NULL, NULL, NULL)) {
        comb_code rc = db_fail(s, err, "schema");
        seg_store_close(s);
        return rc;
    }
    *out = s;
    return COMB_OK;
}

void seg_store_close(seg_store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s);
}

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

comb_code seg_store_load(seg_store *s, seg_graph *g, comb_err *err)
{
    sqlite3_stmt *st = NULL;
    comb_code rc = COMB_OK;
    if (sqlite3_prepare_v2(s->db, "SELECT name, kind, ns, labels, image, mode, quarantined,"
                           " qallow, created, last_new, listening FROM groups ORDER BY rowid", -1, &st, NULL))
        return db_fail(s, err, "groups");
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        seg_kind kind;
        seg_mode mode;
        uint32_t idx;
        if (seg_kind_parse(col(st, 1), &kind) || seg_mode_parse(col(st, 5), &mode)) {
            rc = comb_fail(err, COMB_EFORMAT, "%s: group \"%.64s\": bad kind or mode", s->path,
                           col(st, 0));
            break;
        }
        if (seg_graph_group(g, col(st, 0), kind, &idx) < 0) {
            rc = comb_fail(err, COMB_ELIMIT, "%s: too many groups", s->path);
            break;
        }
        seg_group *gr = seg_graph_group_at(g, idx);
        snprintf(gr->ns, sizeof gr->ns, "%s", col(st, 2));
        snprintf(gr->labels, sizeof gr->labels, "%s", col(st, 3));
        snprintf(gr->image, sizeof gr->image, "%s", col(st, 4));
        gr->mode = mode;
        gr->quarantined = sqlite3_column_int(st, 6) != 0;
        snprintf(gr->qallow, sizeof gr->qallow, "%s", col(st, 7));
        gr->created = sqlite3_column_int64(st, 8);
        gr->last_new = sqlite3_column_int64(st, 9);
        snprintf(gr->listening, sizeof gr->listening, "%s", col(st, 10));
        gr->dirty = 0;
    }
    if (!rc && r != SQLITE_DONE)
        rc = db_fail(s, err, "groups");
    sqlite3_finalize(st);
    if (rc)
        return rc;
    if (sqlite3_prepare_v2(s->db, "SELECT grp, addr FROM addrs", -1, &st, NULL))
        return db_fail(s, err, "addrs");
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t idx;
        if (!seg_graph_find_group(g, col(st, 0), &idx)) {
            seg_graph_add_addr(g, idx, (uint32_t)sqlite3_column_int64(st, 1));
            seg_graph_group_at(g, idx)->dirty = 0;
        }
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(s->db, "SELECT src, dst, proto, dport, count, first_seen, last_seen,"
                           " procs FROM flows ORDER BY rowid", -1, &st, NULL))
        return db_fail(s, err, "flows");
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t a, b;
        if (seg_graph_find_group(g, col(st, 0), &a) || seg_graph_find_group(g, col(st, 1), &b))
            continue; /* a flow of a group that is gone */
        int proto = sqlite3_column_int(st, 2), port = sqlite3_column_int(st, 3);
        if ((proto != 6 && proto != 17) || port <= 0 || port > 65535) {
            rc = comb_fail(err, COMB_EFORMAT, "%s: flow with bad protocol or port", s->path);
            break;
        }
        sqlite3_int64 cnt = sqlite3_column_int64(st, 4);
        if (seg_graph_flow_add(g, a, b, (uint8_t)proto, (uint16_t)port,
                               cnt > 0 ? (uint64_t)cnt : 1, sqlite3_column_int64(st, 5),
                               NULL) < 0) {
            rc = comb_fail(err, COMB_ELIMIT, "%s: too many flows", s->path);
            break;
        }
        seg_flow *f = seg_graph_flow_find(g, a, b, (uint8_t)proto, (uint16_t)port);
        f->last_seen = sqlite3_column_int64(st, 6);
        snprintf(f->procs, sizeof f->procs, "%s", col(st, 7));
        f->dirty = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

comb_code seg_store_save(seg_store *s, seg_graph *g, comb_err *err)
{
    sqlite3_stmt *gs = NULL, *as = NULL, *fs = NULL;
    comb_code rc = COMB_OK;
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL))
        return db_fail(s, err, "begin");
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO groups VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &gs, NULL) ||
        sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO addrs VALUES(?,?)", -1, &as, NULL) ||
        sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO flows VALUES(?,?,?,?,?,?,?,?)", -1,
                           &fs, NULL)) {
        rc = db_fail(s, err, "save");
        goto out;
    }
    for (size_t i = 0; i < seg_graph_ngroups(g); i++) {
        seg_group *gr = seg_graph_group_at(g, (uint32_t)i);
        if (!gr->dirty)
            continue;
        sqlite3_bind_text(gs, 1, gr->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(gs, 2, seg_kind_name(gr->kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(gs, 3, gr->ns, -1, SQLITE_STATIC);
        sqlite3_bind_text(gs, 4, gr->labels, -1, SQLITE_STATIC);
        sqlite3_bind_text(gs, 5, gr->image, -1, SQLITE_STATIC);
        sqlite3_bind_text(gs, 6, seg_mode_name(gr->mode), -1, SQLITE_STATIC);
        sqlite3_bind_int(gs, 7, gr->quarantined);
        sqlite3_bind_text(gs, 8, gr->qallow, -1, SQLITE_STATIC);
        sqlite3_bind_int64(gs, 9, gr->created);
        sqlite3_bind_int64(gs, 10, gr->last_new);
        sqlite3_bind_text(gs, 11, gr->listening, -1, SQLITE_STATIC);
        if (sqlite3_step(gs) != SQLITE_DONE) {
            rc = db_fail(s, err, "save group");
            goto out;
        }
        sqlite3_reset(gs);
        for (size_t k = 0; k < gr->naddrs; k++) {
            sqlite3_bind_text(as, 1, gr->name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(as, 2, gr->addrs[k]);
            if (sqlite3_step(as) != SQLITE_DONE) {
                rc = db_fail(s, err, "save address");
                goto out;
            }
            sqlite3_reset(as);
        }
        gr->dirty = 0;
    }
    for (size_t i = 0; i < seg_graph_nflows(g); i++) {
        seg_flow *f = seg_graph_flow_at(g, i);
        if (!f->dirty)
            continue;
        sqlite3_bind_text(fs, 1, seg_graph_group_at(g, f->src)->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(fs, 2, seg_graph_group_at(g, f->dst)->name, -1, SQLITE_STATIC);
        sqlite3_bind_int(fs, 3, f->proto);
        sqlite3_bind_int(fs, 4, f->dport);
        sqlite3_bind_int64(fs, 5, (sqlite3_int64)(f->count > INT64_MAX ? INT64_MAX : f->count));
        sqlite3_bind_int64(fs, 6, f->first_seen);
        sqlite3_bind_int64(fs, 7, f->last_seen);
        sqlite3_bind_text(fs, 8, f->procs, -1, SQLITE_STATIC);
        if (sqlite3_step(fs) != SQLITE_DONE) {
            rc = db_fail(s, err, "save flow");
            goto out;
        }
        sqlite3_reset(fs);
        f->dirty = 0;
    }
out:
    sqlite3_finalize(gs);
    sqlite3_finalize(as);
    sqlite3_finalize(fs);
    if (sqlite3_exec(s->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL) && !rc)
        rc = db_fail(s, err, "commit");
    return rc;
}

comb_code seg_store_get(seg_store *s, const char *key, char *out, size_t size, comb_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM settings WHERE key=?", -1, &st, NULL))
        return db_fail(s, err, "settings");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    comb_code rc = COMB_OK;
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, size, "%s", col(st, 0));
    else
        rc = comb_fail(err, COMB_ENOTFOUND, "%s: no setting %s", s->path, key);
    sqlite3_finalize(st);
    return rc;
}

comb_code seg_store_set(seg_store *s, const char *key, const char *value, comb_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO settings VALUES(?,?)", -1, &st, NULL))
        return db_fail(s, err, "settings");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    comb_code rc = sqlite3_step(st) == SQLITE_DONE ? COMB_OK : db_fail(s, err, "settings");
    sqlite3_finalize(st);
    return rc;
}

comb_code seg_store_version_add(seg_store *s, const char *text, const char *previous,
                                comb_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO versions(created, text, previous)"
                           " VALUES(strftime('%s','now'),?,?)", -1, &st, NULL))
        return db_fail(s, err, "versions");
    sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, previous ? previous : "", -1, SQLITE_STATIC);
    comb_code rc = sqlite3_step(st) == SQLITE_DONE ? COMB_OK : db_fail(s, err, "versions");
    sqlite3_finalize(st);
    /* bounded history: the newest SEG_VERSIONS_KEPT versions */
    char sql[160];
    snprintf(sql, sizeof sql, "DELETE FROM versions WHERE id <= (SELECT MAX(id) FROM versions) - %d",
             SEG_VERSIONS_KEPT);
    if (!rc && sqlite3_exec(s->db, sql, NULL, NULL, NULL))
        rc = db_fail(s, err, "versions");
    return rc;
}

comb_code seg_store_version_last(seg_store *s, long long *id, char **text, char **previous,
                                 comb_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT id, text, previous FROM versions ORDER BY id DESC"
                           " LIMIT 1", -1, &st, NULL))
        return db_fail(s, err, "versions");
    comb_code rc = COMB_OK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *text = strdup(col(st, 1));
        *previous = strdup(col(st, 2));
        if (!*text || !*previous) {
            free(*text);
            free(*previous);
            rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", s->path);
        }
    } else {
        rc = comb_fail(err, COMB_ENOTFOUND, "%s: no policy was applied", s->path);
    }
    sqlite3_finalize(st);
    return rc;
}

comb_code seg_store_version_drop(seg_store *s, long long id, comb_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM versions WHERE id=?", -1, &st, NULL))
        return db_fail(s, err, "versions");
    sqlite3_bind_int64(st, 1, id);
    comb_code rc = sqlite3_step(st) == SQLITE_DONE ? COMB_OK : db_fail(s, err, "versions");
    sqlite3_finalize(st);
    return rc;
}

comb_code seg_store_sync_modes(seg_store *s, seg_graph *g, comb_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT name, mode, quarantined, qallow FROM groups", -1, &st,
                           NULL))
        return db_fail(s, err, "groups");
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint32_t idx;
        seg_mode m;
        if (seg_graph_find_group(g, col(st, 0), &idx) || seg_mode_parse(col(st, 1), &m))
            continue;
        seg_group *gr = seg_graph_group_at(g, idx);
        gr->mode = m;
        gr->quarantined = sqlite3_column_int(st, 2) != 0;
        snprintf(gr->qallow, sizeof gr->qallow, "%s", col(st, 3));
    }
    sqlite3_finalize(st);
    return COMB_OK;
}
