/* wire.h - the byte encoding of comb's cache files: a growable writer and a
 * bounds-checked reader of native-endian integers and length-prefixed byte
 * strings (length UINT64_MAX stands for a NULL string). Caches are per
 * machine, so native byte order is enough; every read is checked, since a
 * cache file can still be damaged. */
#ifndef COMB_CORE_WIRE_H
#define COMB_CORE_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef struct comb_wbuf {
    unsigned char *p; /* malloc'd; the caller frees */
    size_t n, cap;
    int oom;          /* an allocation failed: the content is incomplete */
} comb_wbuf;

void comb_wbuf_put(comb_wbuf *b, const void *d, size_t n);
void comb_wbuf_u64(comb_wbuf *b, uint64_t v);
void comb_wbuf_i32(comb_wbuf *b, int32_t v);
void comb_wbuf_bytes(comb_wbuf *b, const void *d, size_t n); /* length-prefixed */
void comb_wbuf_str(comb_wbuf *b, const char *s);             /* NULL allowed */

typedef struct comb_rbuf {
    const unsigned char *p;
    size_t n, off;
    int bad;          /* a read ran past the end or a length was absurd */
} comb_rbuf;

uint64_t comb_rbuf_u64(comb_rbuf *r);
int32_t comb_rbuf_i32(comb_rbuf *r);
/* A view of the next length-prefixed string: NULL for a NULL string (bad
 * stays 0) or on error (bad set); at most max bytes. */
const unsigned char *comb_rbuf_bytes(comb_rbuf *r, size_t max, size_t *len);

#endif
