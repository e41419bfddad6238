/* fuzz_layer.c - the layer walker: the input is one layer blob (tar, or
 * gzip/zstd/xz/bzip2 of a tar) inside a well-formed OCI layout, so every
 * input reaches the tar parser, the whiteout index and the analyzers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "sbom/inventory.h"

static char dir[] = "/tmp/comb-fuzz-layer-XXXXXX";

static int put(const char *rel, const void *data, size_t n)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "wb");
    if (!f)
        return -1;
    fwrite(data, 1, n, f);
    return fclose(f);
}

static void blob(const void *d, size_t n, char out[72])
{
    comb_sha256_buf(d, n, out);
    char rel[128];
    snprintf(rel, sizeof rel, "blobs/sha256/%s", out + 7);
    put(rel, d, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        if (!mkdtemp(dir))
            abort();
        char p[256];
        snprintf(p, sizeof p, "%s/blobs", dir);
        mkdir(p, 0700);
        snprintf(p, sizeof p, "%s/blobs/sha256", dir);
        mkdir(p, 0700);
        put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
        init = 1;
    }
    char ld[72], cd[72], md[72];
    blob(data, size, ld);
    char cfg[512];
    int cn = snprintf(cfg, sizeof cfg,
                      "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                      "\"diff_ids\":[\"%s\"]}}", ld);
    blob(cfg, (size_t)cn, cd);
    char man[1024];
    int mn = snprintf(man, sizeof man,
                      "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                      "\"digest\":\"%s\",\"size\":%d},\"layers\":[{\"mediaType\":"
                      "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"%s\",\"size\":%zu}]}",
                      cd, cn, ld, size);
    blob(man, (size_t)mn, md);
    char idx[512];
    int in = snprintf(idx, sizeof idx,
                      "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                      "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%d}]}",
                      md, mn);
    put("index.json", idx, (size_t)in);
    comb_sbom_opts opts = { .max_layer_size = 64u << 20 };
    comb_inventory *inv = NULL;
    comb_err err;
    if (comb_inventory_build(dir, &opts, &inv, &err) == COMB_OK)
        comb_inventory_free(inv);
    char rel[128];
    snprintf(rel, sizeof rel, "%s/blobs/sha256/%s", dir, ld + 7);
    unlink(rel);
    snprintf(rel, sizeof rel, "%s/blobs/sha256/%s", dir, cd + 7);
    unlink(rel);
    snprintf(rel, sizeof rel, "%s/blobs/sha256/%s", dir, md + 7);
    unlink(rel);
    return 0;
}
