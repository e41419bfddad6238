/* fuzz_java.c - libFuzzer target: the Java archive analyzer through its
 * stream reader, nested archives included (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_stream(comb_analyzer_find("java"), "app/fuzz.war", 0100644, data, size);
    return 0;
}
