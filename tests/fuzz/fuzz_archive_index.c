/* fuzz_archive_index.c - libFuzzer target: the archive index read back
 * from the layer cache (comb_image_index_restore, on core/wire's bounded
 * reader) on arbitrary bytes; the entry's checksum is bypassed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* half the inputs get a valid magic, so the parser is reached */
    unsigned char *buf = malloc(size + 8);
    if (!buf)
        return 0;
    size_t n = size;
    if (size && (data[0] & 1)) {
        memcpy(buf, "COMBIX01", 8);
        memcpy(buf + 8, data + 1, size - 1);
        n = size + 7;
    } else if (size) {
        memcpy(buf, data, size);
    }
    comb_image *img = calloc(1, sizeof *img);
    if (!img) {
        free(buf);
        return 0;
    }
    comb_arena_init(&img->arena);
    img->kind = SRC_ARCHIVE;
    img->max_layer_size = COMB_DEFAULT_MAX_LAYER_SIZE;
    comb_err err;
    comb_image_index_restore(img, buf, n, &err);
    comb_image_close(img);
    free(buf);
    return 0;
}
