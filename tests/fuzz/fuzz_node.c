/* fuzz_node.c - libFuzzer target: the node analyzer (package.json, package-lock.json) (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

FUZZ_BUFFER_TARGET("node",
                   "app/node_modules/x/package.json",
                   "app/package-lock.json")
