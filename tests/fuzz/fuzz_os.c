/* fuzz_os.c - libFuzzer target: OS release files (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

FUZZ_BUFFER_TARGET("os",
                   "etc/os-release",
                   "etc/debian_version",
                   "etc/alpine-release",
                   "etc/redhat-release")
