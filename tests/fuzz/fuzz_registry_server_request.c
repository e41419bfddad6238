/* fuzz_registry_server_request.c - libFuzzer target for the registry
 * server's request parsers (registry/server/parse.h). The first byte picks
 * the parser: 0 route of a URL, 1 Content-Range, 2 Range (against a size
 * from the next 4 bytes), 3 page size `n`, 4 action lists. Invariants: a
 * route never yields an unvalidated name as valid, a range stays inside the
 * object. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/ref.h"
#include "registry/server/access.h"
#include "registry/server/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned which = data[0] % 5;
    uint64_t objsize = 0;
    data++, size--;
    if (which == 2 && size >= 4) {
        objsize = (uint64_t)data[0] | (uint64_t)data[1] << 8 | (uint64_t)data[2] << 16 |
                  (uint64_t)data[3] << 24;
        data += 4, size -= 4;
    }
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    switch (which) {
    case 0: {
        comb_rs_route r;
        if (comb_rs_route_parse(s, &r) != COMB_RS_NONE && r.name_ok && !comb_ref_valid_repo(r.name))
            abort();
        if (strchr(r.ref, '/'))
            abort();
        break;
    }
    case 1: {
        uint64_t a, b;
        if (!comb_rs_content_range(s, &a, &b) && b < a)
            abort();
        break;
    }
    case 2: {
        uint64_t off, len;
        if (!comb_rs_range(s, objsize, &off, &len) && (len == 0 || off + len > objsize))
            abort();
        break;
    }
    case 3:
        if (comb_rs_page_size(s, 10000) > 10000)
            abort();
        break;
    default: {
        int b = comb_actions_parse(s);
        char out[64];
        if (b >= 0) {
            comb_actions_format(b, out, sizeof out);
            if (comb_actions_parse(out) != b)
                abort();
        }
        break;
    }
    }
    free(s);
    return 0;
}
