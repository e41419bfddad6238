/* fuzz_dpkg.c - libFuzzer target: the dpkg analyzer (status, status.d, info lists) (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

FUZZ_BUFFER_TARGET("dpkg",
                   "var/lib/dpkg/status",
                   "var/lib/dpkg/status.d/base",
                   "var/lib/dpkg/info/libc6:amd64.list")
