/* rpm_header.c - decode an rpm header blob as stored in the rpm databases.
 *
 * Format (rpm's lib/header.c, "headerImport"): big-endian int32 il (number
 * of index entries) and dl (size of the data store), then il entries of
 * {tag, type, offset, count} (4 x int32 BE), then dl bytes of data. The first
 * entry is normally a region tag (HEADERIMMUTABLE) whose 16-byte trailer in
 * the data store is an entry with a negative offset, -(entries in region)*16;
 * entries after the region ("dribbles") were added at install time and
 * replace region entries with the same tag.
 *
 * This file only checks and reads: it validates counts, sizes, the region
 * trailer and that every entry lies inside the data store; strings are checked
 * for termination when read. It does not verify digests or signatures, does
 * not handle the lead/signature of .rpm files, and does not swab or copy the
 * blob (all reads are memcpy + be32toh, so any alignment is fine).
 */
#include "analyze/rpm_header.h"

#include <endian.h>
#include <string.h>

static uint32_t be32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return be32toh(v);
}

/* Size of one element of a fixed-size type, 0 for variable-size types,
 * -1 for unknown types. */
static int type_size(uint32_t type)
{
    switch (type) {
    case RPM_TYPE_NULL: return 0;
    case RPM_TYPE_CHAR: case RPM_TYPE_INT8: case RPM_TYPE_BIN: return 1;
    case RPM_TYPE_INT16: return 2;
    case RPM_TYPE_INT32: return 4;
    case RPM_TYPE_INT64: return 8;
    case RPM_TYPE_STRING: case RPM_TYPE_STRING_ARRAY: case RPM_TYPE_I18NSTRING: return 0;
    default: return -1;
    }
}

int rpm_header_load(rpm_header *h, const uint8_t *blob, size_t len, const char **why)
{
    memset(h, 0, sizeof *h);
    if (!blob || len < 8) {
        *why = "header shorter than 8 bytes";
        return -1;
    }
    uint32_t il = be32(blob), dl = be32(blob + 4);
    if (il == 0 || il > RPM_HDR_MAX_TAGS) {
        *why = "tag count out of range";
        return -1;
    }
    if (dl > RPM_HDR_MAX_DATA) {
        *why = "data size out of range";
        return -1;
    }
    size_t need = 8 + (size_t)il * 16 + dl; /* cannot overflow: both capped */
    if (need > len) {
        *why = "header truncated";
        return -1;
    }
    h->index = blob + 8;
    h->il = il;
    h->data = blob + 8 + (size_t)il * 16;
    h->dl = dl;

    for (uint32_t i = 0; i < il; i++) {
        const uint8_t *e = h->index + (size_t)i * 16;
        uint32_t type = be32(e + 4), off = be32(e + 8), count = be32(e + 12);
        int sz = type_size(type);
        if (sz < 0) {
            *why = "unknown tag type";
            return -1;
        }
        if (off > dl) {
            *why = "tag offset outside the data store";
            return -1;
        }
        if (sz > 0 && (uint64_t)count * (uint64_t)sz > (uint64_t)(dl - off)) {
            *why = "tag data outside the data store";
            return -1;
        }
    }

    /* Region: first entry HEADERIMMUTABLE (or legacy HEADERIMAGE /
     * HEADERSIGNATURES), BIN, count 16, offset to a 16-byte trailer. */
    uint32_t tag0 = be32(h->index);
    if (tag0 == RPMTAG_HEADERIMMUTABLE || tag0 == RPMTAG_HEADERIMAGE ||
        tag0 == RPMTAG_HEADERSIGNATURES) {
        uint32_t type = be32(h->index + 4), off = be32(h->index + 8),
                 count = be32(h->index + 12);
        if (type != RPM_TYPE_BIN || count != 16 || off > dl || dl - off < 16) {
            *why = "bad region tag";
            return -1;
        }
        const uint8_t *tr = h->data + off;
        uint32_t ttag = be32(tr), ttype = be32(tr + 4), tcount = be32(tr + 12);
        int32_t toff;
        uint32_t u = be32(tr + 8);
        memcpy(&toff, &u, 4);
        if (!(ttag == tag0 || (tag0 == RPMTAG_HEADERIMAGE && ttag == RPMTAG_HEADERIMMUTABLE)) ||
            ttype != RPM_TYPE_BIN || tcount != 16) {
            *why = "bad region trailer";
            return -1;
        }
        if (toff >= 0 || toff == INT32_MIN || (-(int64_t)toff) % 16 != 0 ||
            -(int64_t)toff / 16 > (int64_t)il) {
            *why = "bad region size";
            return -1;
        }
    }
    return 0;
}

int rpm_header_find(const rpm_header *h, uint32_t tag, rpm_tag *t)
{
    int found = 0;
    for (uint32_t i = 0; i < h->il; i++) {
        const uint8_t *e = h->index + (size_t)i * 16;
        if (be32(e) != tag)
            continue;
        uint32_t off = be32(e + 8);
        if (off > h->dl) /* checked at load; kept as a guard */
            continue;
        t->type = be32(e + 4);
        t->count = be32(e + 12);
        t->p = h->data + off;
        t->avail = h->dl - off;
        found = 1;
    }
    return found ? 0 : -1;
}

int rpm_header_strarray(const rpm_header *h, uint32_t tag, rpm_strarray *it)
{
    rpm_tag t;
    memset(it, 0, sizeof *it);
    if (rpm_header_find(h, tag, &t) != 0)
        return -1;
    if (t.type != RPM_TYPE_STRING_ARRAY && t.type != RPM_TYPE_I18NSTRING &&
        t.type != RPM_TYPE_STRING)
        return -1;
    it->p = t.p;
    it->avail = t.avail;
    it->left = t.type == RPM_TYPE_STRING ? 1 : t.count;
    return 0;
}

const char *rpm_strarray_next(rpm_strarray *it, size_t *len)
{
    if (it->left == 0 || it->bad)
        return NULL;
    if (it->off >= it->avail) {
        it->bad = 1;
        return NULL;
    }
    const uint8_t *s = it->p + it->off;
    const uint8_t *nul = memchr(s, 0, it->avail - it->off);
    if (!nul) {
        it->bad = 1;
        return NULL;
    }
    size_t n = (size_t)(nul - s);
    it->off += n + 1;
    it->left--;
    if (len)
        *len = n;
    return (const char *)s;
}

const char *rpm_header_string(const rpm_header *h, uint32_t tag)
{
    rpm_strarray it;
    if (rpm_header_strarray(h, tag, &it) != 0)
        return NULL;
    return rpm_strarray_next(&it, NULL);
}

uint32_t rpm_tag_u32(const rpm_tag *t, uint32_t i)
{
    return be32(t->p + (size_t)i * 4);
}

int rpm_header_int32(const rpm_header *h, uint32_t tag, uint32_t *out)
{
    rpm_tag t;
    if (rpm_header_find(h, tag, &t) != 0 || t.type != RPM_TYPE_INT32 || t.count < 1 ||
        t.avail < 4)
        return -1;
    *out = rpm_tag_u32(&t, 0);
    return 0;
}
