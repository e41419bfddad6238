/* fuzz_ruby.c - libFuzzer target: the ruby analyzer (gemspecs) (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

FUZZ_BUFFER_TARGET("ruby",
                   "usr/lib/ruby/gems/3.1.0/specifications/x-1.0.gemspec")
