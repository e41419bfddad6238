/* registry.c - the one table of analyzers. Adding an ecosystem means one
 * analyzer file and one line here. Order matters only for streams: the first
 * analyzer that asks to stream a file gets it. */
#include "analyze/records.h"

#include <string.h>

extern const comb_analyzer comb_analyzer_os;
extern const comb_analyzer comb_analyzer_dpkg;
extern const comb_analyzer comb_analyzer_dpkg_copyright;
extern const comb_analyzer comb_analyzer_apk;
extern const comb_analyzer comb_analyzer_rpm;
extern const comb_analyzer comb_analyzer_python;
extern const comb_analyzer comb_analyzer_node;
extern const comb_analyzer comb_analyzer_elf;      /* Go build info, cargo-auditable */
extern const comb_analyzer comb_analyzer_java;
extern const comb_analyzer comb_analyzer_ruby;
extern const comb_analyzer comb_analyzer_cargo;    /* Cargo.lock */
extern const comb_analyzer comb_analyzer_composer; /* composer.lock, installed.json */

const comb_analyzer *const comb_analyzers[] = {
    &comb_analyzer_os,     &comb_analyzer_dpkg,  &comb_analyzer_dpkg_copyright,
    &comb_analyzer_apk,
    &comb_analyzer_rpm,    &comb_analyzer_python, &comb_analyzer_node,
    &comb_analyzer_elf,    &comb_analyzer_java,  &comb_analyzer_ruby,
    &comb_analyzer_cargo,  &comb_analyzer_composer,
};
const size_t comb_analyzer_count = sizeof comb_analyzers / sizeof comb_analyzers[0];

const comb_analyzer *comb_analyzer_find(const char *name)
{
    for (size_t i = 0; i < comb_analyzer_count; i++)
        if (strcmp(comb_analyzers[i]->name, name) == 0)
            return comb_analyzers[i];
    return NULL;
}
