/* fuzz_python.c - libFuzzer target: the python analyzer (dist-info METADATA, egg-info) (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

FUZZ_BUFFER_TARGET("python",
                   "usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA",
                   "usr/lib/python3/dist-packages/x-1.0.egg-info")
