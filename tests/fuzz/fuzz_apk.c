/* fuzz_apk.c - libFuzzer target: the apk analyzer (lib/apk/db/installed) (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

FUZZ_BUFFER_TARGET("apk",
                   "lib/apk/db/installed")
