/* fuzz_misconfig_config.c - libFuzzer target for the image config checks.
 * The first byte picks the context (a reference with or without a tag, an
 * OS release, a fixed clock); the rest is the config JSON. The checks must
 * succeed or fail with COMB_EFORMAT and a message; findings must be
 * complete, and the JSON report must be written. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "misconfig/misconfig.h"
#include "misconfig/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const names[] = { NULL, "app", "app:latest", "r:5000/a/b:1@sha256:00" };
    static const char *const oses[][2] = { { NULL, NULL }, { "debian", "9" }, { "alpine", "3.19.1" },
                                           { "ubuntu", "24.04" } };
    comb_mc_image_ctx ctx = {
        .name = names[data[0] & 3],
        .os_id = oses[(data[0] >> 2) & 3][0],
        .os_version_id = oses[(data[0] >> 2) & 3][1],
        .now = 1795000000 + (time_t)(data[0] >> 4) * 86400 * 200,
        .max_age_days = (data[0] >> 4) ? (unsigned)(data[0] >> 4) : 0,
    };
    comb_err err;
    comb_err_clear(&err);
    comb_mc_list l;
    comb_mc_list_init(&l);
    comb_code rc = comb_misconfig_image((const char *)data + 1, size - 1, &ctx, &l, &err);
    if (rc != COMB_OK && (rc != COMB_EFORMAT || !err.msg[0]))
        abort();
    for (size_t i = 0; i < l.n; i++)
        if (!l.items[i].check || !l.items[i].message || !l.items[i].location)
            abort();
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        comb_mc_target t = { .name = "image", .kind = "image", .findings = &l };
        if (comb_mc_report_write(&t, 1, COMB_MC_FMT_JSON, 0, null, &err) != COMB_OK)
            abort();
        fclose(null);
    }
    comb_mc_list_free(&l);
    return 0;
}
