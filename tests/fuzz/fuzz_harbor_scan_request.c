/* fuzz_harbor_scan_request.c - libFuzzer target for Harbor's ScanRequest
 * bodies, as comb server's /harbor/api/v1/scan receives them. Aborts when
 * the verdict is not 0, 400 or 422, when a refusal has no reason, or when
 * an accepted request holds what the parser must have refused. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/harbor_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    comb_harbor_request rq;
    char why[300] = "";
    int st = comb_harbor_parse_request((const char *)data, size, &rq, why, sizeof why);
    if (st != 0 && st != 400 && st != 422)
        abort();
    if (st && !why[0])
        abort();
    if (!st && (!rq.registry[0] || !rq.repository[0] || strncmp(rq.digest, "sha256:", 7) ||
                strpbrk(rq.authorization, "\r\n") || strchr(rq.registry, '/')))
        abort();
    return 0;
}
