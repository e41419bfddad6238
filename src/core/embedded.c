/* embedded.c - lookups over the table that cmake/embed.cmake generates. */
#include "core/embedded.h"

#include <string.h>

const comb_embedded_file *comb_embedded_find(const char *name)
{
    for (size_t i = 0; i < comb_embedded_count; i++)
        if (!strcmp(comb_embedded_files[i].name, name))
            return &comb_embedded_files[i];
    return NULL;
}

int comb_embedded_each(const char *prefix, int (*fn)(void *ud, const comb_embedded_file *f),
                       void *ud)
{
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < comb_embedded_count; i++) {
        if (strncmp(comb_embedded_files[i].name, prefix, pl))
            continue;
        int r = fn(ud, &comb_embedded_files[i]);
        if (r)
            return r;
    }
    return 0;
}
