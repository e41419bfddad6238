/* fuzz_detect_cache.c - libFuzzer target: a detection cache entry read back
 * from the layer cache (detect_cache_decode, on core/wire's bounded reader)
 * on arbitrary bytes; the entry's checksum is bypassed. Validation first,
 * then the real load into a detector, then the detections' finish. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detector_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* half the inputs get the entry magic, so the parser is reached */
    static const uint64_t magic = 0x636f6d6264657431ULL;
    unsigned char *buf = malloc(size + 8);
    if (!buf)
        return 0;
    size_t n = size;
    if (size && (data[0] & 1)) {
        memcpy(buf, &magic, 8);
        memcpy(buf + 8, data + 1, size - 1);
        n = size + 7;
    } else if (size) {
        memcpy(buf, data, size);
    }
    comb_detect_opts o = { .scanners = COMB_SCANNER_CONFIG }; /* no engine to load */
    comb_detector *d = NULL;
    comb_err err;
    if (comb_detector_new(&o, &d, &err) == COMB_OK) {
        if (detect_cache_decode(d, buf, n, 0, 0) == 0)
            detect_cache_decode(d, buf, n, 0, 1);
        comb_detector_free(d);
    }
    free(buf);
    return 0;
}
