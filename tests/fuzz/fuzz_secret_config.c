/* fuzz_secret_config.c - libFuzzer target for the secret rule config loader:
 * the input is a user config (YAML), built into an engine without the
 * built-in rules (they would dominate every run), and the engine scans a
 * fixed text. Aborts when a failure comes without a message, when an engine
 * comes back on failure, or when a scan fails. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secret/secret_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char text[] = "token=ghp_R7mXq2VbN8kT4wZy6PcL1sDf9GhJ3aQeU5oI\n"
                               "password: hunter2 key AKIA2222ABCDEFGHIJKL\n";
    comb_secret_engine *e = NULL;
    comb_err err;
    comb_err_clear(&err);
    comb_secret_opts o = { 0 };
    comb_code rc = secret_engine_new_text(&o, "fuzz.yaml", (const char *)data, size, 0, &e, &err);
    if (rc != COMB_OK) {
        if (e || !err.msg[0])
            abort();
        return 0;
    }
    if (comb_secret_scan(e, "app/config", (const uint8_t *)text, sizeof text - 1, NULL, NULL, &err))
        abort();
    comb_secret_engine_free(e);
    return 0;
}
