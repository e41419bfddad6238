/* wire.c - see wire.h. */
#include "core/wire.h"

#include <stdlib.h>
#include <string.h>

void comb_wbuf_put(comb_wbuf *b, const void *d, size_t n)
{
    if (b->oom)
        return;
    if (n > SIZE_MAX / 2 - b->n) {
        b->oom = 1;
        return;
    }
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->n, d, n);
    b->n += n;
}

void comb_wbuf_u64(comb_wbuf *b, uint64_t v) { comb_wbuf_put(b, &v, sizeof v); }
void comb_wbuf_i32(comb_wbuf *b, int32_t v) { comb_wbuf_put(b, &v, sizeof v); }

void comb_wbuf_bytes(comb_wbuf *b, const void *d, size_t n)
{
    comb_wbuf_u64(b, n);
    comb_wbuf_put(b, d, n);
}

void comb_wbuf_str(comb_wbuf *b, const char *s)
{
    if (!s)
        comb_wbuf_u64(b, UINT64_MAX);
    else
        comb_wbuf_bytes(b, s, strlen(s));
}

static int get(comb_rbuf *r, void *d, size_t n)
{
    if (r->bad || r->n - r->off < n) {
        r->bad = 1;
        return -1;
    }
    memcpy(d, r->p + r->off, n);
    r->off += n;
    return 0;
}

uint64_t comb_rbuf_u64(comb_rbuf *r)
{
    uint64_t v = 0;
    get(r, &v, sizeof v);
    return v;
}

int32_t comb_rbuf_i32(comb_rbuf *r)
{
    int32_t v = 0;
    get(r, &v, sizeof v);
    return v;
}

const unsigned char *comb_rbuf_bytes(comb_rbuf *r, size_t max, size_t *len)
{
    uint64_t n = comb_rbuf_u64(r);
    *len = 0;
    if (r->bad || n == UINT64_MAX)
        return NULL;
    if (n > max || r->n - r->off < n) {
        r->bad = 1;
        return NULL;
    }
    const unsigned char *p = r->p + r->off;
    r->off += (size_t)n;
    *len = (size_t)n;
    return p;
}
