/* rpmdb_ndb.c - read header blobs from rpm's NDB "Packages.db" (SUSE).
 *
 * Format (rpm's lib/backend/ndb/rpmpkg.c), all little-endian: the file
 * starts with slot pages of 4096 bytes. The first 32 bytes are the database
 * header: magic "RpmP", version 0, generation, number of slot pages; the rest
 * of the slot pages are 16-byte slots {magic "Slot", package index, block
 * offset, block count} (package index 0 = free slot). A package blob lives at
 * block offset * 16: a 16-byte blob header {magic "BlbS", package index,
 * checksum, length} followed by length bytes of rpm header.
 *
 * What it does: walks the slots, checks each blob header against its slot and
 * the file size, and passes the blob on. What it does not: verify the blob
 * checksum or trailer, or read the NDB index files (Index.db, ...).
 */
#include "analyze/rpmdb.h"
#include "analyze/rpm_header.h"

#include <endian.h>
#include <string.h>

#define NDB_MAGIC 0x506d7052u  /* "RpmP" read as little-endian */
#define SLOT_MAGIC 0x746f6c53u /* "Slot" */
#define BLOB_MAGIC 0x53626c42u /* "BlbS" */
#define NDB_PAGE 4096
#define NDB_BLK 16
#define NDB_MAX_SLOT_PAGES 2048
#define MAX_WARN 20

static uint32_t le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return le32toh(v);
}

comb_code rpmdb_ndb_read(comb_emit *out, const uint8_t *data, size_t len, rpmdb_blob_fn fn,
                         void *ctx, comb_err *err)
{
    if (!data || len < 32)
        return comb_fail(err, COMB_EFORMAT, "NDB: file of %zu bytes is shorter than its header",
                         len);
    if (le32(data) != NDB_MAGIC)
        return comb_fail(err, COMB_EFORMAT, "not an NDB rpm database (bad magic)");
    if (le32(data + 4) != 0)
        return comb_fail(err, COMB_EUNSUPPORTED, "NDB: unsupported version %u", le32(data + 4));
    uint32_t npages = le32(data + 12);
    if (npages == 0 || npages > NDB_MAX_SLOT_PAGES)
        return comb_fail(err, COMB_EFORMAT, "NDB: bad slot page count %u", npages);

    size_t nslots = (size_t)npages * (NDB_PAGE / 16) - 2;
    size_t have = (len - 32) / 16;
    if (have < nslots) {
        comb_emit_warn(out, "NDB: truncated: %zu of %zu slots present", have, nslots);
        nslots = have;
    }
    unsigned warnings = 0;
#define NDB_WARN(...)                                                               \
    do {                                                                            \
        if (warnings++ < MAX_WARN)                                                  \
            comb_emit_warn(out, __VA_ARGS__);                                       \
    } while (0)
    for (size_t i = 0; i < nslots; i++) {
        const uint8_t *s = data + 32 + i * 16;
        if (le32(s) != SLOT_MAGIC) {
            NDB_WARN("NDB: slot %zu has a bad magic, skipped", i);
            continue;
        }
        uint32_t pkgidx = le32(s + 4), blkoff = le32(s + 8), blkcnt = le32(s + 12);
        if (pkgidx == 0)
            continue; /* free slot */
        uint64_t off = (uint64_t)blkoff * NDB_BLK;
        if (off < 32 || off > len || len - off < 16) {
            NDB_WARN("NDB: package %u: blob offset outside the file, skipped", pkgidx);
            continue;
        }
        const uint8_t *b = data + off;
        if (le32(b) != BLOB_MAGIC || le32(b + 4) != pkgidx) {
            NDB_WARN("NDB: package %u: bad blob header, skipped", pkgidx);
            continue;
        }
        uint32_t blen = le32(b + 12);
        if (blen > RPM_HDR_MAX_BLOB || blen > len - off - 16 ||
            (uint64_t)blkcnt * NDB_BLK < (uint64_t)blen + 16) {
            NDB_WARN("NDB: package %u: blob length %u out of range, skipped", pkgidx, blen);
            continue;
        }
        comb_code rc = fn(ctx, b + 16, blen);
        if (rc != COMB_OK)
            return rc;
    }
    if (warnings > MAX_WARN)
        comb_emit_warn(out, "NDB: %u more problems not shown", warnings - MAX_WARN);
    return COMB_OK;
}
