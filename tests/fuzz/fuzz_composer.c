/* fuzz_composer.c - libFuzzer target: the composer analyzer (composer.lock, installed.json) (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

FUZZ_BUFFER_TARGET("composer",
                   "srv/app/composer.lock",
                   "var/www/vendor/composer/installed.json")
