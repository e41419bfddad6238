/* fuzz_rpm_header.c - libFuzzer target for the rpm header decoder: the input
 * is one header blob, read with every accessor and then passed through the
 * analyzer inside a minimal NDB image (so that package and file-list
 * extraction run on it too). */
#include "analyze/records.h"
#include "analyze/rpm_header.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern const comb_analyzer comb_analyzer_rpm;

static const uint32_t tags[] = {
    RPMTAG_NAME, RPMTAG_VERSION, RPMTAG_RELEASE, RPMTAG_EPOCH, RPMTAG_ARCH,
    RPMTAG_SOURCERPM, RPMTAG_LICENSE, RPMTAG_VENDOR, RPMTAG_PACKAGER,
    RPMTAG_MODULARITYLABEL, RPMTAG_DIRNAMES, RPMTAG_BASENAMES, RPMTAG_DIRINDEXES,
    RPMTAG_OLDFILENAMES, RPMTAG_HEADERIMMUTABLE,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* exact-size copy so reads past the end are caught */
    uint8_t *blob = malloc(size ? size : 1);
    if (!blob)
        return 0;
    memcpy(blob, data, size);
    rpm_header h;
    const char *why;
    if (rpm_header_load(&h, blob, size, &why) == 0) {
        volatile size_t sink = 0;
        for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
            const char *s = rpm_header_string(&h, tags[i]);
            if (s)
                sink += strlen(s);
            uint32_t v;
            if (rpm_header_int32(&h, tags[i], &v) == 0)
                sink += v;
            rpm_strarray it;
            if (rpm_header_strarray(&h, tags[i], &it) == 0) {
                size_t n;
                for (int k = 0; k < 100000 && (s = rpm_strarray_next(&it, &n)); k++)
                    sink += n;
            }
        }
        (void)sink;
    }

    /* the same blob as the only package of an NDB database */
    if (size <= (1u << 20)) {
        size_t len = 4096 + 16 + (size + 15) / 16 * 16;
        uint8_t *img = calloc(1, len);
        if (img) {
            memcpy(img, "RpmP", 4);
            img[12] = 1;
            for (size_t i = 0; i < 254; i++)
                memcpy(img + 32 + i * 16, "Slot", 4);
            uint32_t idx = 1, off = 4096 / 16, cnt = (uint32_t)((len - 4096) / 16),
                     blen = (uint32_t)size;
            memcpy(img + 36, &idx, 4);
            memcpy(img + 40, &off, 4);
            memcpy(img + 44, &cnt, 4);
            memcpy(img + 4096, "BlbS", 4);
            memcpy(img + 4100, &idx, 4);
            memcpy(img + 4108, &blen, 4);
            memcpy(img + 4112, data, size);
            comb_arena arena;
            comb_recset set;
            comb_err err;
            comb_arena_init(&arena);
            comb_recset_init(&set, &arena);
            comb_analyze_buffer(&comb_analyzer_rpm, &set, "var/lib/rpm/Packages.db", img, len,
                                &err);
            comb_recset_free(&set);
            comb_arena_free(&arena);
            free(img);
        }
    }
    free(blob);
    return 0;
}
