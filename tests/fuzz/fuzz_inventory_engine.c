/* fuzz_inventory_engine.c - libFuzzer target for the engine state documents
 * comb inventory reads. The first byte picks the kind: 0 an OCI runtime
 * config, 1 Docker's config.v2.json, 2 runc's state.json, 3 an entry of
 * podman's containers.json, 4 a BoltDB file (looked up as podman's
 * ctr/<id>/config). */
#include <stdint.h>
#include <stdlib.h>

#include "inventory/bolt.h"
#include "inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const kinds[] = { "oci", "docker", "runc-state", "podman-ctr" };
    if (size < 1)
        return 0;
    unsigned k = data[0] % 5;
    if (k == 4) {
        const char *path[] = { "ctr", "f42da8b1c351107950b491a83fefb8c31f5c872ecc0ce029da8c1c2991e30ecd", "config" };
        const unsigned char *v;
        size_t vl;
        if (!comb_bolt_get(data + 1, size - 1, path, 3, &v, &vl) &&
            (v < data + 1 || v + vl > data + size))
            abort();
        return 0;
    }
    json_t *ctr = json_object();
    comb_err err;
    comb_inventory_engine_doc(kinds[k], "fuzz", (const char *)data + 1, size - 1, ctr, &err);
    char *s = json_dumps(ctr, 0);
    free(s);
    json_decref(ctr);
    return 0;
}
