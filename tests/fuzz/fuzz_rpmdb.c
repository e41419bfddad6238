/* fuzz_rpmdb.c - libFuzzer target: the rpm analyzer on Berkeley DB, NDB and SQLite databases (see fuzz_analyzer.h). */
#include "fuzz_analyzer.h"

FUZZ_BUFFER_TARGET("rpm",
                   "var/lib/rpm/Packages",
                   "usr/lib/sysimage/rpm/Packages.db",
                   "usr/share/rpm/rpmdb.sqlite")
