/* fuzz_osv.c - libFuzzer target: the importer of OSV records (JSON, or YAML when the first byte is odd) (see fuzz_import.h). */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_import(COMB_IMPORT_OSV, 1, data, size);
    return 0;
}
