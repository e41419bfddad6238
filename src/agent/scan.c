/* scan.c - the agent's scans of running images (see scan.h). */
#include "agent/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "inventory/scanstore.h"
#include "scan/image_scan.h"

/* One image as `comb scan -f json TARGET` would: the JSON text. */
static comb_code scan_one(const char *target, const char *db_path, char **text, size_t *len, comb_err *err)
{
    comb_sbom_opts sbo = { .use_cache = 1 };
    comb_detect_opts dopts = { .scanners = COMB_SCANNER_ALL };
    comb_scan_opts so = { .db_path = db_path };
    comb_vulndb *db = NULL;
    comb_code rc = comb_vulndb_open(db_path, 0, &db, err);
    if (rc)
        return rc;
    comb_scan_result *res = NULL;
    rc = comb_image_scan(target, &sbo, db, &so, &dopts, &res, err);
    comb_vulndb_close(db);
    if (!rc)
        rc = comb_scanstore_json(res, text, len, err);
    comb_scan_result_free(res);
    return rc;
}

comb_code comb_agent_scan(const comb_agent_scan_opts *o, const json_t *inventory, size_t *scanned, comb_err *err)
{
    *scanned = 0;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(inventory, "containers"), i, c)
    {
        const char *engine = json_string_value(json_object_get(c, "engine"));
        const char *state = json_string_value(json_object_get(c, "state"));
        const char *id = json_string_value(json_object_get(json_object_get(c, "image"), "id"));
        char name[80], target[128];
        /* containerd's content store cannot be read as an image (image/engine.c) */
        if (!engine || !state || strcmp(state, "running") || (strcmp(engine, "podman") && strcmp(engine, "docker")) ||
            comb_scanstore_name(id, name, sizeof name) || comb_scanstore_has(o->scan_dir, id))
            continue;
        snprintf(target, sizeof target, "%s://%s", engine, strncmp(id, "sha256:", 7) ? id : id + 7);
        char *text;
        size_t len;
        comb_err e = { 0 };
        if (scan_one(target, o->db_path, &text, &len, &e)) {
            if (o->warn) {
                char msg[sizeof e.msg + 200];
                snprintf(msg, sizeof msg, "scan %s: %s", target, e.msg);
                o->warn(o->ud, msg);
            }
            continue;
        }
        /* spooled first: were the store written first, a crash would lose the record */
        comb_code rc = comb_spool_put(o->spool, "scan", text, len, err);
        if (!rc)
            rc = comb_scanstore_save(o->scan_dir, text, len, err);
        free(text);
        if (rc)
            return rc;
        (*scanned)++;
        if (!comb_scanstore_has(o->scan_dir, id) && o->warn) { /* else it would be scanned every time */
            char msg[300];
            snprintf(msg, sizeof msg, "scan %s: the result names another image digest", target);
            o->warn(o->ud, msg);
        }
    }
    return COMB_OK;
}
