/* relations.c - containers' learned flows from the segment store (see relations.h). */
#include "inventory/relations.h"

#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "segment/segment.h"

typedef struct queries {
    sqlite3 *db;
    sqlite3_stmt *flows, *kind, *addrs;
} queries;

static json_t *iso_time(sqlite3_int64 t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !gmtime_r(&tt, &tm))
        return json_null();
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

static json_t *column_string(sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    json_t *v = json_string(s ? (const char *)s : "");
    return v ? v : json_string("?"); /* not UTF-8 */
}

/* The group a container is in the store: its name, else its short id. */
static int group_of(const json_t *c, char *out, size_t n)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *engine = json_string_value(json_object_get(c, "engine"));
    const char *id = json_string_value(json_object_get(c, "id"));
    if (engine && strcmp(engine, "podman") && id && strlen(id) >= 12)
        return snprintf(out, n, "%.12s", id) > 0 ? 0 : -1;
    return name && *name && snprintf(out, n, "%s", name) < (int)n ? 0 : -1;
}

static const char *container_id_of_group(const json_t *containers, const char *group)
{
    size_t i;
    json_t *c;
    char g[SEG_NAME_MAX];
    json_array_foreach(containers, i, c) if (!group_of(c, g, sizeof g) && !strcmp(g, group))
        return json_string_value(json_object_get(c, "id"));
    return NULL;
}

static json_t *peer_json(queries *q, const json_t *containers, const char *name)
{
    json_t *p = json_object();
    json_object_set_new(p, "name", json_string(name));
    sqlite3_reset(q->kind);
    sqlite3_bind_text(q->kind, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q->kind) == SQLITE_ROW)
        json_object_set_new(p, "kind", column_string(q->kind, 0));
    const char *cid = container_id_of_group(containers, name);
    if (cid)
        json_object_set_new(p, "container_id", json_string(cid));
    json_t *addrs = json_array();
    sqlite3_reset(q->addrs);
    sqlite3_bind_text(q->addrs, 1, name, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(q->addrs) == SQLITE_ROW) {
        uint32_t a = (uint32_t)sqlite3_column_int64(q->addrs, 0); /* network order */
        char text[INET_ADDRSTRLEN];
        if (inet_ntop(AF_INET, &a, text, sizeof text))
            json_array_append_new(addrs, json_string(text));
    }
    json_object_set_new(p, "addresses", addrs);
    return p;
}

static comb_code relations_of(queries *q, const json_t *containers, const char *group, json_t *out,
                              const char *path, comb_err *err)
{
    sqlite3_reset(q->flows);
    sqlite3_bind_text(q->flows, 1, group, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q->flows, 2, COMB_INV_MAX_RELATIONSHIPS);
    int rc;
    while ((rc = sqlite3_step(q->flows)) == SQLITE_ROW) {
        const char *src = (const char *)sqlite3_column_text(q->flows, 0);
        const char *dst = (const char *)sqlite3_column_text(q->flows, 1);
        if (!src || !dst)
            continue;
        int outbound = !strcmp(src, group);
        sqlite3_int64 proto = sqlite3_column_int64(q->flows, 2), port = sqlite3_column_int64(q->flows, 3);
        json_t *r = json_object();
        json_object_set_new(r, "direction", json_string(outbound ? "outbound" : "inbound"));
        json_object_set_new(r, "peer", peer_json(q, containers, outbound ? dst : src));
        json_object_set_new(r, "protocol", json_string(seg_proto_name((uint8_t)(proto & 0xff))));
        json_object_set_new(r, "port", json_integer(port >= 0 && port <= 65535 ? port : 0));
        sqlite3_int64 count = sqlite3_column_int64(q->flows, 4);
        json_object_set_new(r, "count", json_integer(count < 0 ? 0 : count));
        json_object_set_new(r, "first_seen", iso_time(sqlite3_column_int64(q->flows, 5)));
        json_object_set_new(r, "last_seen", iso_time(sqlite3_column_int64(q->flows, 6)));
        json_object_set_new(r, "processes", column_string(q->flows, 7));
        json_array_append_new(out, r);
    }
    if (rc != SQLITE_DONE)
        return comb_fail(err, COMB_EIO, "%s: flows: %s", path, sqlite3_errmsg(q->db));
    return COMB_OK;
}

comb_code comb_inventory_relationships(const char *path, json_t *containers, comb_err *err)
{
    queries q = { 0 };
    comb_code rc = COMB_OK;
    if (sqlite3_open_v2(path, &q.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = comb_fail(err, COMB_EIO, "%s: %s", path, q.db ? sqlite3_errmsg(q.db) : "cannot open");
        goto done;
    }
    sqlite3_busy_timeout(q.db, 5000);
    if (sqlite3_prepare_v2(q.db,
                           "SELECT src, dst, proto, dport, count, first_seen, last_seen, procs FROM flows"
                           " WHERE src = ?1 OR dst = ?1 ORDER BY src, dst, proto, dport LIMIT ?2",
                           -1, &q.flows, NULL) ||
        sqlite3_prepare_v2(q.db, "SELECT kind FROM groups WHERE name = ?1", -1, &q.kind, NULL) ||
        sqlite3_prepare_v2(q.db, "SELECT addr FROM addrs WHERE grp = ?1 ORDER BY addr LIMIT 64", -1,
                           &q.addrs, NULL)) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: not a comb segment database: %s", path, sqlite3_errmsg(q.db));
        goto done;
    }
    size_t i;
    json_t *c;
    json_array_foreach(containers, i, c)
    {
        json_t *rel = json_array();
        char group[SEG_NAME_MAX];
        if (!group_of(c, group, sizeof group))
            rc = relations_of(&q, containers, group, rel, path, err);
        json_object_set_new(c, "relationships", rel);
        if (rc)
            break;
    }
done:
    sqlite3_finalize(q.flows);
    sqlite3_finalize(q.kind);
    sqlite3_finalize(q.addrs);
    sqlite3_close(q.db);
    return rc;
}
