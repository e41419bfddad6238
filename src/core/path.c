/* path.c - see path.h. */
#include "core/path.h"

#include <string.h>

int comb_path_normalize(const char *in, char *out, size_t outsz)
{
    size_t o = 0;
    const char *p = in;
    if (outsz == 0)
        return -1;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - s);
        if (n == 1 && s[0] == '.')
            continue;
        if (n == 2 && s[0] == '.' && s[1] == '.')
            return -1;
        if (o + n + 2 > outsz || o + n + 1 > COMB_PATH_MAX)
            return -1;
        if (o)
            out[o++] = '/';
        memcpy(out + o, s, n);
        o += n;
    }
    out[o] = '\0';
    return (int)o;
}

const char *comb_path_base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

size_t comb_path_dirlen(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? (size_t)(s - path) : 0;
}

int comb_path_has_suffix(const char *path, const char *suffix)
{
    size_t pl = strlen(path), sl = strlen(suffix);
    if (pl < sl)
        return 0;
    if (memcmp(path + pl - sl, suffix, sl) != 0)
        return 0;
    return pl == sl || path[pl - sl - 1] == '/';
}
