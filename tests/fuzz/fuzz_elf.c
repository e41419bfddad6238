/* fuzz_elf.c - libFuzzer target: the ELF analyzer (Go build info,
 * cargo-auditable) through its stream reader (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_stream(comb_analyzer_find("elf"), "usr/bin/fuzz", 0100755, data, size);
    return 0;
}
