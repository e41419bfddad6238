/* fuzz_archive.c - the whole sbom pipeline on an arbitrary file taken as an
 * image archive (outer tar, possibly compressed, with layers inside). */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sbom/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-archive", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    comb_sbom_opts opts = { .max_layer_size = 64u << 20 };
    comb_inventory *inv = NULL;
    comb_err err;
    if (comb_inventory_build(path, &opts, &inv, &err) == COMB_OK)
        comb_inventory_free(inv);
    close(fd);
    return 0;
}
