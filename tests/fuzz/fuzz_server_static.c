/* fuzz_server_static.c - libFuzzer target for the web console's path
 * resolution (comb_static_resolve): arbitrary bytes as a request URL. A
 * resolved path must stay relative and inside the console's directory: no
 * leading '/', no empty, "." or ".." component, no backslash, '%' or
 * control character, and it fits the buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/static.h"

static int component_bad(const char *p, size_t n)
{
    return n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = malloc(size + 1);
    if (!url)
        return 0;
    memcpy(url, data, size);
    url[size] = '\0';
    char rel[64];
    if (comb_static_resolve(url, rel, sizeof rel) == 0) {
        size_t len = strnlen(rel, sizeof rel);
        if (len == 0 || len >= sizeof rel || rel[0] == '/' || strpbrk(rel, "\\%?#"))
            abort();
        for (const char *c = rel; *c;) {
            const char *slash = strchr(c, '/');
            size_t n = slash ? (size_t)(slash - c) : strlen(c);
            if (component_bad(c, n))
                abort();
            for (size_t i = 0; i < n; i++)
                if ((unsigned char)c[i] < 0x20)
                    abort();
            c += n + (slash != NULL);
        }
        (void)comb_static_type(rel);
    }
    free(url);
    return 0;
}
