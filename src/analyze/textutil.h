/* textutil.h - small helpers for line-oriented package databases that
 * arrive as unterminated buffers (never read past `end`). */
#ifndef COMB_ANALYZE_TEXTUTIL_H
#define COMB_ANALYZE_TEXTUTIL_H

#include <stddef.h>

/* Next line in [*pos, end): sets *line and *len (without '\n' or "\r\n"),
 * advances *pos; returns 0 at the end. */
static inline int comb_next_line(const char **pos, const char *end, const char **line, size_t *len)
{
    const char *p = *pos;
    if (p >= end)
        return 0;
    const char *s = p;
    while (p < end && *p != '\n')
        p++;
    size_t n = (size_t)(p - s);
    if (n && s[n - 1] == '\r')
        n--;
    *line = s;
    *len = n;
    *pos = p < end ? p + 1 : p;
    return 1;
}

/* Trim spaces and tabs at both ends. */
static inline void comb_trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

#endif
