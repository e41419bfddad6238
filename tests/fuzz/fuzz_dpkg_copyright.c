/* fuzz_dpkg_copyright.c - libFuzzer target: Debian copyright files (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

FUZZ_BUFFER_TARGET("dpkg-copyright",
                   "usr/share/doc/bash/copyright")
