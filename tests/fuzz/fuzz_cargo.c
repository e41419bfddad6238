/* fuzz_cargo.c - libFuzzer target: the cargo analyzer (Cargo.lock) (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

FUZZ_BUFFER_TARGET("cargo",
                   "src/app/Cargo.lock")
