/* bolt.c - a bounded BoltDB reader (see bolt.h). Layout: pages of a size
 * the meta page gives; each page has a 16-byte header (id, flags, count,
 * overflow); branch elements are (pos, ksize, child page), leaf elements
 * (flags, pos, ksize, vsize), with pos relative to the element. A bucket is
 * a leaf value holding (root page, sequence), and when root is 0 the
 * bucket's own page follows inline. */
#include "inventory/bolt.h"

#include <stdint.h>
#include <string.h>

#define BOLT_MAGIC 0xED0CDAEDu
#define F_BRANCH 0x01
#define F_LEAF 0x02
#define F_BUCKET 0x01

static uint64_t rd64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t rd32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t rd16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }

typedef struct view { const unsigned char *p; size_t len; } view; /* one page, bounded */

static int cmp(const unsigned char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

static int page_at(const unsigned char *db, size_t len, uint32_t psize, uint64_t id, view *out)
{
    if (id < 2 || id > len / psize)
        return -1;
    size_t off = (size_t)id * psize;
    if (off + 16 > len)
        return -1;
    uint64_t span = ((uint64_t)rd32(db + off + 12) + 1) * psize;
    out->p = db + off;
    out->len = span > len - off ? len - off : (size_t)span;
    return 0;
}

/* Find key in the b+tree rooted at page v; leaf element flags in *flags. */
static int find(const unsigned char *db, size_t len, uint32_t psize, view v, const char *key,
                const unsigned char **val, size_t *vlen, uint32_t *flags, int depth)
{
    size_t kl = strlen(key);
    if (depth > 32 || v.len < 16)
        return -1;
    uint16_t pflags = rd16(v.p + 8), count = rd16(v.p + 10);
    if ((size_t)count * 16 > v.len - 16)
        return -1;
    if (pflags & F_BRANCH) {
        uint64_t child = 0;
        int have = 0;
        for (uint16_t i = 0; i < count; i++) {
            const unsigned char *e = v.p + 16 + (size_t)i * 16;
            uint32_t pos = rd32(e), ks = rd32(e + 4);
            size_t at = (size_t)(e - v.p) + pos;
            if (at > v.len || ks > v.len - at)
                return -1;
            if (i == 0 || cmp(v.p + at, ks, key, kl) <= 0) {
                child = rd64(e + 8);
                have = 1;
            } else {
                break;
            }
        }
        view c;
        if (!have || page_at(db, len, psize, child, &c))
            return -1;
        return find(db, len, psize, c, key, val, vlen, flags, depth + 1);
    }
    if (!(pflags & F_LEAF))
        return -1;
    for (uint16_t i = 0; i < count; i++) {
        const unsigned char *e = v.p + 16 + (size_t)i * 16;
        uint32_t ef = rd32(e), pos = rd32(e + 4), ks = rd32(e + 8), vs = rd32(e + 12);
        size_t at = (size_t)(e - v.p) + pos;
        if (at > v.len || ks > v.len - at || vs > v.len - at - ks)
            return -1;
        if (cmp(v.p + at, ks, key, kl) == 0) {
            *val = v.p + at + ks;
            *vlen = vs;
            *flags = ef;
            return 0;
        }
    }
    return -1;
}

int comb_bolt_get(const unsigned char *db, size_t len, const char *const *path, size_t n,
                  const unsigned char **val, size_t *vlen)
{
    /* two meta pages: the valid one with the higher transaction id */
    if (len < 96 || !n)
        return -1;
    uint32_t psize = rd32(db + 24);
    if (psize < 512 || psize > (1u << 20) || psize & (psize - 1))
        return -1;
    const unsigned char *meta = NULL;
    for (int m = 0; m < 2; m++) {
        size_t off = (size_t)m * psize;
        if (off + 80 > len || rd32(db + off + 16) != BOLT_MAGIC || rd32(db + off + 24) != psize)
            continue;
        uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 over the meta fields */
        for (size_t k = 16; k < 72; k++)
            h = (h ^ db[off + k]) * 0x100000001b3ULL;
        if (h != rd64(db + off + 72))
            continue;
        if (!meta || rd64(db + off + 64) > rd64(meta + 64))
            meta = db + off;
    }
    if (!meta)
        return -1;
    view v;
    if (page_at(db, len, psize, rd64(meta + 32), &v))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p;
        size_t pl;
        uint32_t flags;
        if (find(db, len, psize, v, path[i], &p, &pl, &flags, 0))
            return -1;
        if (i + 1 == n) {
            if (flags & F_BUCKET)
                return -1;
            *val = p;
            *vlen = pl;
            return 0;
        }
        if (!(flags & F_BUCKET) || pl < 16)
            return -1;
        uint64_t root = rd64(p);
        if (root == 0) { /* inline bucket: its page follows the header */
            v.p = p + 16;
            v.len = pl - 16;
        } else if (page_at(db, len, psize, root, &v)) {
            return -1;
        }
    }
    return -1;
}
