/* rpmdb_bdb.c - read header blobs from rpm's Berkeley DB "Packages" file.
 *
 * Format: Berkeley DB hash access method (db_page.h, hash.h of BDB 4.x-5.x).
 * Page 0 is the hash metadata page (magic 0x061561 at offset 12, page size at
 * 20, encryption at 24, page type 8 at 25, meta flags at 26, last page number
 * at 32), in the byte order of the machine that wrote it (the magic tells).
 * Every page starts with a 26-byte header (next page at 16, entry count at
 * 20, high-free-offset at 22, type at 25), followed by 6 more bytes when the
 * database is checksummed, then the item offsets. Hash pages (type 13, or 2
 * for pre-4.6) hold key/data pairs; rpm's key is the 4-byte header number and
 * the data is the header blob, normally an off-page item (type 3: page
 * number at +4, total length at +8) stored in a chain of overflow pages
 * (type 7) that each carry hf_offset bytes after the page header.
 *
 * What it does: scans the pages in file order (so the hash buckets need not
 * be followed), reassembles overflow chains with every page used at most once
 * (no cycles, linear time), and passes each blob on. What it does not: the
 * btree access method, encrypted databases, duplicate items, rpm's index
 * files (Name, Basenames, ...), which are not needed to list packages.
 */
#include "analyze/rpmdb.h"
#include "analyze/rpm_header.h"

#include <byteswap.h>
#include <stdlib.h>
#include <string.h>

#define HASH_MAGIC 0x061561u
#define BTREE_MAGIC 0x053162u
#define P_HASH_UNSORTED 2
#define P_OVERFLOW 7
#define P_HASHMETA 8
#define P_HASH 13
#define H_KEYDATA 1
#define H_DUPLICATE 2
#define H_OFFPAGE 3
#define H_OFFDUP 4
#define PAGE_HDR 26
#define MAX_WARN_PAGES 20 /* page-level warnings before going quiet */

typedef struct bdb {
    comb_emit *out;
    const uint8_t *data;
    size_t pagesize, npages, overhead;
    int swap;
    uint8_t *used;       /* bitmap of overflow pages already consumed */
    uint8_t *buf;        /* reassembly buffer */
    size_t bufcap;
    unsigned warnings;
} bdb;

static uint32_t rd32(const bdb *b, const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return b->swap ? bswap_32(v) : v;
}

static uint16_t rd16(const bdb *b, const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return b->swap ? bswap_16(v) : v;
}

#define BDB_WARN(b, ...)                                                            \
    do {                                                                            \
        if ((b)->warnings++ < MAX_WARN_PAGES)                                       \
            comb_emit_warn((b)->out, __VA_ARGS__);                                  \
    } while (0)

static const uint8_t *page(const bdb *b, size_t pg) { return b->data + pg * b->pagesize; }

/* Reassemble an off-page item of tlen bytes starting at page pgno. Returns
 * 0 with the blob in b->buf, -1 (warned) when the chain is broken, -2 on OOM. */
static int read_overflow(bdb *b, size_t from, uint32_t pgno, uint32_t tlen)
{
    if (tlen == 0 || tlen > RPM_HDR_MAX_BLOB) {
        BDB_WARN(b, "page %zu: header of %u bytes out of range, skipped", from, tlen);
        return -1;
    }
    if (tlen > b->bufcap) {
        uint8_t *nb = realloc(b->buf, tlen);
        if (!nb)
            return -2;
        b->buf = nb;
        b->bufcap = tlen;
    }
    size_t got = 0, cur = pgno;
    while (got < tlen) {
        if (cur == 0 || cur >= b->npages) {
            BDB_WARN(b, "page %zu: overflow chain %s at page %zu, header skipped", from,
                     cur == 0 ? "ends early" : "leaves the file", cur);
            return -1;
        }
        if (b->used[cur / 8] & (1u << (cur % 8))) {
            BDB_WARN(b, "page %zu: overflow page %zu used twice (cycle?), header skipped",
                     from, cur);
            return -1;
        }
        b->used[cur / 8] |= (uint8_t)(1u << (cur % 8));
        const uint8_t *p = page(b, cur);
        if (p[25] != P_OVERFLOW) {
            BDB_WARN(b, "page %zu: overflow chain reaches page %zu of type %u, header skipped",
                     from, cur, p[25]);
            return -1;
        }
        size_t ovlen = rd16(b, p + 22);
        if (ovlen == 0 || ovlen > b->pagesize - b->overhead) {
            BDB_WARN(b, "page %zu: overflow page %zu has bad length %zu, header skipped", from,
                     cur, ovlen);
            return -1;
        }
        size_t n = ovlen < tlen - got ? ovlen : tlen - got;
        memcpy(b->buf + got, p + b->overhead, n);
        got += n;
        cur = rd32(b, p + 16);
    }
    return 0;
}

/* Bounds of item i on a hash page: 0 and [*off, *off + *len) on success. */
static int item(const bdb *b, const uint8_t *p, unsigned n, unsigned i, size_t *off,
                size_t *len)
{
    size_t lo = b->overhead + (size_t)n * 2;
    size_t o = rd16(b, p + b->overhead + (size_t)i * 2);
    size_t end = i == 0 ? b->pagesize : rd16(b, p + b->overhead + (size_t)(i - 1) * 2);
    if (o < lo || end > b->pagesize || o >= end)
        return -1;
    *off = o;
    *len = end - o;
    return 0;
}

static comb_code hash_page(bdb *b, size_t pg, rpmdb_blob_fn fn, void *ctx, comb_err *err)
{
    const uint8_t *p = page(b, pg);
    unsigned n = rd16(b, p + 20);
    if (b->overhead + (size_t)n * 2 > b->pagesize) {
        BDB_WARN(b, "page %zu: %u entries do not fit the page, skipped", pg, n);
        return COMB_OK;
    }
    for (unsigned i = 0; i + 1 < n; i += 2) {
        size_t koff, klen, doff, dlen;
        if (item(b, p, n, i, &koff, &klen) != 0 || item(b, p, n, i + 1, &doff, &dlen) != 0) {
            BDB_WARN(b, "page %zu: item %u has bad offsets, rest of page skipped", pg, i);
            return COMB_OK;
        }
        /* rpm keeps a 4-byte counter under header number 0: not a package. */
        if (p[koff] == H_KEYDATA && klen == 5 && memcmp(p + koff + 1, "\0\0\0\0", 4) == 0)
            continue;
        const uint8_t *d = p + doff;
        int rc;
        switch (d[0]) {
        case H_OFFPAGE:
            if (dlen < 12) {
                BDB_WARN(b, "page %zu: short off-page item %u, skipped", pg, i + 1);
                continue;
            }
            rc = read_overflow(b, pg, rd32(b, d + 4), rd32(b, d + 8));
            if (rc == -2)
                return comb_fail(err, COMB_ENOMEM, "out of memory");
            if (rc == 0) {
                comb_code c = fn(ctx, b->buf, rd32(b, d + 8));
                if (c != COMB_OK)
                    return c;
            }
            break;
        case H_KEYDATA:
            if (dlen > 1) {
                comb_code c = fn(ctx, d + 1, dlen - 1);
                if (c != COMB_OK)
                    return c;
            }
            break;
        case H_DUPLICATE:
        case H_OFFDUP:
            BDB_WARN(b, "page %zu: duplicate items are not used by rpm, skipped", pg);
            break;
        default:
            BDB_WARN(b, "page %zu: item %u of unknown type %u, skipped", pg, i + 1, d[0]);
            break;
        }
    }
    return COMB_OK;
}

comb_code rpmdb_bdb_read(comb_emit *out, const uint8_t *data, size_t len, rpmdb_blob_fn fn,
                         void *ctx, comb_err *err)
{
    bdb b = { .out = out, .data = data };
    if (!data || len < 512)
        return comb_fail(err, COMB_EFORMAT,
                         "Berkeley DB: file of %zu bytes is shorter than a metadata page", len);
    uint32_t magic;
    memcpy(&magic, data + 12, 4);
    if (magic == HASH_MAGIC)
        b.swap = 0;
    else if (bswap_32(magic) == HASH_MAGIC)
        b.swap = 1;
    else if (magic == BTREE_MAGIC || bswap_32(magic) == BTREE_MAGIC)
        return comb_fail(err, COMB_EUNSUPPORTED,
                         "Berkeley DB: btree database, rpm's Packages uses hash");
    else
        return comb_fail(err, COMB_EFORMAT, "not a Berkeley DB hash database (bad magic)");
    uint32_t ps = rd32(&b, data + 20);
    if (ps < 512 || ps > 65536 || (ps & (ps - 1)) != 0)
        return comb_fail(err, COMB_EFORMAT, "Berkeley DB: bad page size %u", ps);
    if (data[24] != 0)
        return comb_fail(err, COMB_EUNSUPPORTED, "Berkeley DB: encrypted database");
    if (data[25] != P_HASHMETA)
        return comb_fail(err, COMB_EFORMAT, "Berkeley DB: metadata page has type %u, not hash",
                         data[25]);
    b.pagesize = ps;
    b.overhead = (data[26] & 0x01) ? PAGE_HDR + 6 : PAGE_HDR; /* DBMETA_CHKSUM */
    uint32_t last = rd32(&b, data + 32);
    b.npages = len / ps;
    if ((uint64_t)last + 1 < b.npages)
        b.npages = (size_t)last + 1;
    else if ((uint64_t)last + 1 > b.npages)
        comb_emit_warn(out, "Berkeley DB: truncated: %zu of %llu pages present", b.npages,
                       (unsigned long long)last + 1);

    b.used = calloc(b.npages / 8 + 1, 1);
    if (!b.used)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_code rc = COMB_OK;
    for (size_t pg = 1; pg < b.npages && rc == COMB_OK; pg++) {
        uint8_t type = page(&b, pg)[25];
        if (type == P_HASH || type == P_HASH_UNSORTED)
            rc = hash_page(&b, pg, fn, ctx, err);
    }
    if (b.warnings > MAX_WARN_PAGES)
        comb_emit_warn(out, "Berkeley DB: %u more problems not shown",
                       b.warnings - MAX_WARN_PAGES);
    free(b.used);
    free(b.buf);
    return rc;
}
