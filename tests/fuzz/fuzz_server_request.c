/* fuzz_server_request.c - libFuzzer target for what comb server parses from
 * a request before it reaches the store: the route of a URL (the first byte
 * picks the method) and the body of a record (the second byte picks the
 * kind: JSON documents, or Falco JSON lines for alerts). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compliance/containers.h"
#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = { "GET", "POST", "DELETE", "PUT" };
    static const char *const kinds[] = { "inventory", "alert", "scan", "segmentation" };
    if (size < 2)
        return 0;
    char *s = malloc(size - 1);
    if (!s)
        return 0;
    memcpy(s, data + 2, size - 2);
    s[size - 2] = '\0';
    char node[129], kind[32];
    int r = comb_server_route(methods[data[0] % 4], s, node, kind);
    /* a captured node name is always a plain name */
    if (r >= 0 && strstr(s, "/nodes/") && !comb_container_safe_id(node))
        abort();
    size_t n;
    if (comb_server_body_ok(kinds[data[1] % 4], (const char *)data + 2, size - 2, &n) == 0 && n == 0)
        abort();
    free(s);
    return 0;
}
