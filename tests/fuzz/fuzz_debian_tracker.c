/* fuzz_debian_tracker.c - libFuzzer target: the importer of Debian security tracker JSON (see fuzz_import.h). */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_import(COMB_IMPORT_DEBIAN, 0, data, size);
    return 0;
}
