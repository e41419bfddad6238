/* rustaudit.c - cargo-auditable ".dep-v0" data (see rustaudit.h). */
#include "analyze/rustaudit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX_LEN (sizeof COMB_RUSTAUDIT_PREFIX - 1)

void comb_rustaudit_init(comb_rustaudit *ra) { memset(ra, 0, sizeof *ra); }

void comb_rustaudit_free(comb_rustaudit *ra)
{
    if (ra->probe_ok)
        inflateEnd(&ra->probe);
    if (ra->live_ok)
        inflateEnd(&ra->live);
    free(ra->json);
    memset(ra, 0, sizeof *ra);
}

int comb_rustaudit_probe(comb_rustaudit *ra, const uint8_t *p, size_t n)
{
    if (n < 2 || !comb_rustaudit_zhdr(p))
        return 0;
    if (!ra->probe_ok) {
        if (inflateInit(&ra->probe) != Z_OK)
            return 0;
        ra->probe_ok = 1;
    } else if (inflateReset(&ra->probe) != Z_OK) {
        return 0;
    }
    uint8_t out[PREFIX_LEN];
    ra->probe.next_in = (Bytef *)(uintptr_t)p;
    ra->probe.avail_in = (uInt)(n > 65536 ? 65536 : n);
    ra->probe.next_out = out;
    ra->probe.avail_out = (uInt)sizeof out;
    for (;;) {
        uInt before_in = ra->probe.avail_in, before_out = ra->probe.avail_out;
        int rc = inflate(&ra->probe, Z_SYNC_FLUSH);
        if (ra->probe.avail_out == 0)
            break;
        if (rc != Z_OK)
            return 0;
        if (ra->probe.avail_in == before_in && ra->probe.avail_out == before_out)
            return 0;
    }
    return memcmp(out, COMB_RUSTAUDIT_PREFIX, PREFIX_LEN) == 0;
}

int comb_rustaudit_start(comb_rustaudit *ra, uint64_t offset)
{
    if (!ra->live_ok) {
        if (inflateInit(&ra->live) != Z_OK)
            return -1;
        ra->live_ok = 1;
    } else if (inflateReset(&ra->live) != Z_OK) {
        return -1;
    }
    ra->state = 1;
    ra->offset = offset;
    ra->in_bytes = 0;
    ra->json_len = 0;
    ra->over_cap = 0;
    return 0;
}

int comb_rustaudit_feed(comb_rustaudit *ra, const uint8_t *p, size_t n)
{
    if (ra->state != 1)
        return ra->state == 2 ? 1 : -1;
    ra->live.next_in = (Bytef *)(uintptr_t)p;
    ra->live.avail_in = (uInt)n;
    while (ra->live.avail_in > 0) {
        if (ra->json_len == ra->json_cap) {
            if (ra->json_cap >= COMB_RUSTAUDIT_MAX_JSON) {
                ra->over_cap = 1;
                ra->state = 3;
                return -1;
            }
            size_t cap = ra->json_cap ? ra->json_cap * 2 : 16384;
            if (cap > COMB_RUSTAUDIT_MAX_JSON)
                cap = COMB_RUSTAUDIT_MAX_JSON;
            uint8_t *j = realloc(ra->json, cap);
            if (!j) {
                ra->state = 3;
                return -1;
            }
            ra->json = j;
            ra->json_cap = cap;
        }
        ra->live.next_out = ra->json + ra->json_len;
        ra->live.avail_out = (uInt)(ra->json_cap - ra->json_len);
        uInt in0 = ra->live.avail_in;
        int rc = inflate(&ra->live, Z_NO_FLUSH);
        ra->in_bytes += in0 - ra->live.avail_in;
        ra->json_len = ra->json_cap - ra->live.avail_out;
        if (rc == Z_STREAM_END) {
            ra->state = 2;
            return 1;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            ra->state = 3;
            return -1;
        }
        if (rc == Z_BUF_ERROR && ra->live.avail_out > 0) /* no progress possible */
            break;
    }
    return 0;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

comb_code comb_rustaudit_emit(comb_emit *out, const uint8_t *json, size_t len, comb_err *err)
{
    json_error_t je;
    json_t *root = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return comb_fail(err, COMB_EFORMAT, "cargo-auditable data: %s (line %d)", je.text,
                         je.line);
    comb_code rc = COMB_OK;
    json_t *pkgs = json_object_get(root, "packages");
    if (!json_is_array(pkgs)) {
        rc = comb_fail(err, COMB_EFORMAT, "cargo-auditable data: no packages array");
        goto done;
    }
    if (json_array_size(pkgs) > COMB_RUSTAUDIT_MAX_PACKAGES) {
        rc = comb_fail(err, COMB_ELIMIT, "cargo-auditable data: %zu packages (limit %d)",
                       json_array_size(pkgs), COMB_RUSTAUDIT_MAX_PACKAGES);
        goto done;
    }
    size_t i;
    json_t *p;
    json_array_foreach(pkgs, i, p) {
        const char *name = jstr(p, "name"), *version = jstr(p, "version");
        const char *kind = jstr(p, "kind");
        if (!name || !version || !name[0] || !version[0]) {
            comb_emit_warn(out, "cargo-auditable data: package %zu without name or version", i);
            continue;
        }
        if (kind && strcmp(kind, "build") == 0)
            continue;
        comb_pkg *pk = comb_emit_pkg(out, COMB_PKG_CARGO);
        if (!pk) {
            rc = comb_fail(err, COMB_ENOMEM, "out of memory");
            goto done;
        }
        pk->name = comb_emit_strdup(out, name);
        pk->version = comb_emit_strdup(out, version);
        if (!pk->name || !pk->version) {
            rc = comb_fail(err, COMB_ENOMEM, "out of memory");
            goto done;
        }
    }
done:
    json_decref(root);
    return rc;
}
