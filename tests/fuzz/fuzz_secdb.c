/* fuzz_secdb.c - libFuzzer target: the importer of Alpine secdb documents (YAML when the first byte is odd, else JSON) (see fuzz_import.h). */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_import(COMB_IMPORT_SECDB, 1, data, size);
    return 0;
}
