/* redact.c - the text a finding shows: its match and a slice of its line,
 * with every secret of the file that overlaps them masked. Only the public
 * prefix of the finding's own secret (a keyword such as "ghp_") stays
 * visible. Output is bounded, control bytes become spaces and invalid UTF-8
 * becomes '?', so reports stay printable and valid JSON strings. */
#include <string.h>

#include "secret/secret_internal.h"

#define MATCH_SHOW 200  /* bytes of the match shown before "..." */
#define MASK_RUN 16     /* a masked run prints as at most this many '*' */
#define SNIPPET_BEFORE 60

typedef struct out {
    char *s;
    size_t n, cap;
} out;

static void put(out *o, const char *s, size_t n)
{
    while (n-- && o->n + 1 < o->cap)
        o->s[o->n++] = *s++;
    o->s[o->n] = '\0';
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const uint8_t *s, size_t n)
{
    size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (!len || s[0] > 0xf4 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
        return 0;
    return len;
}

/* First mask interval that ends after a (masks are sorted and disjoint). */
static size_t first_mask(const size_t *masks, size_t nmasks, size_t a)
{
    size_t lo = 0, hi = nmasks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (masks[2 * mid + 1] <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Copy data[a, b) to o: masked bytes (except [keep_a, keep_b)) as runs of
 * '*', other bytes sanitised. */
static void emit(out *o, const uint8_t *data, size_t a, size_t b, const size_t *masks,
                 size_t nmasks, size_t keep_a, size_t keep_b)
{
    size_t m = first_mask(masks, nmasks, a);
    size_t i = a;
    while (i < b) {
        while (m < nmasks && masks[2 * m + 1] <= i)
            m++;
        int masked = m < nmasks && masks[2 * m] <= i && !(i >= keep_a && i < keep_b);
        if (masked) {
            size_t end = masks[2 * m + 1] < b ? masks[2 * m + 1] : b;
            if (keep_b > keep_a && keep_a > i && keep_a < end)
                end = keep_a; /* the public prefix starts inside the run */
            size_t run = end - i;
            put(o, "****************", run < MASK_RUN ? run : MASK_RUN);
            i = end;
            continue;
        }
        uint8_t c = data[i];
        if (c < 0x20 || c == 0x7f) {
            put(o, " ", 1);
            i++;
        } else if (c < 0x80) {
            put(o, (const char *)&c, 1);
            i++;
        } else {
            /* a multi-byte character is printed only when unmasked and whole */
            size_t len = utf8_len(data + i, b - i);
            size_t mend = m < nmasks ? masks[2 * m] : b;
            if (len && i + len <= mend) {
                put(o, (const char *)data + i, len);
                i += len;
            } else {
                put(o, "?", 1);
                i++;
            }
        }
    }
}

void secret_redact(const uint8_t *data, size_t len, const secret_finding *f, size_t keep,
                   size_t line_start, const size_t *masks, size_t nmasks, char *match_out,
                   size_t match_cap, char *line_out, size_t line_cap)
{
    out o = { match_out, 0, match_cap };
    o.s[0] = '\0';
    size_t mend = f->me - f->ms > MATCH_SHOW ? f->ms + MATCH_SHOW : f->me;
    emit(&o, data, f->ms, mend, masks, nmasks, f->ss, f->ss + keep);
    if (mend < f->me)
        put(&o, "...", 3);

    /* The line: up to SNIPPET_BEFORE bytes before the secret, bounded in all. */
    size_t a = f->ss - line_start > SNIPPET_BEFORE ? f->ss - SNIPPET_BEFORE : line_start;
    size_t limit = a + COMB_SECRET_SNIPPET_MAX < len ? a + COMB_SECRET_SNIPPET_MAX : len;
    const uint8_t *nl = memchr(data + f->ss, '\n', limit - f->ss);
    size_t b = nl ? (size_t)(nl - data) : limit;
    if (b > a && data[b - 1] == '\r')
        b--;
    o = (out){ line_out, 0, line_cap };
    o.s[0] = '\0';
    if (a > line_start)
        put(&o, "...", 3);
    emit(&o, data, a, b, masks, nmasks, f->ss, f->ss + keep);
    if (!nl && b < len)
        put(&o, "...", 3);
}
