/* rpm_header.h - bounds-checked access to one rpm header blob, as stored in
 * an rpm database (the "immutable" header of an installed package, without
 * the lead and signature that a .rpm file has). See rpm_header.c. */
#ifndef COMB_ANALYZE_RPM_HEADER_H
#define COMB_ANALYZE_RPM_HEADER_H

#include <stddef.h>
#include <stdint.h>

/* Caps on untrusted headers (rpm itself allows 0xffff tags, 256 MiB data). */
#define RPM_HDR_MAX_TAGS 0xffffu
#define RPM_HDR_MAX_DATA (64u << 20)
#define RPM_HDR_MAX_BLOB (8u + 16u * RPM_HDR_MAX_TAGS + RPM_HDR_MAX_DATA)

/* Tag value types. */
enum {
    RPM_TYPE_NULL = 0, RPM_TYPE_CHAR = 1, RPM_TYPE_INT8 = 2, RPM_TYPE_INT16 = 3,
    RPM_TYPE_INT32 = 4, RPM_TYPE_INT64 = 5, RPM_TYPE_STRING = 6, RPM_TYPE_BIN = 7,
    RPM_TYPE_STRING_ARRAY = 8, RPM_TYPE_I18NSTRING = 9
};

/* Tags the analyzer reads. */
enum {
    RPMTAG_HEADERIMAGE = 61, RPMTAG_HEADERSIGNATURES = 62, RPMTAG_HEADERIMMUTABLE = 63,
    RPMTAG_NAME = 1000, RPMTAG_VERSION = 1001, RPMTAG_RELEASE = 1002, RPMTAG_EPOCH = 1003,
    RPMTAG_VENDOR = 1011, RPMTAG_LICENSE = 1014, RPMTAG_PACKAGER = 1015, RPMTAG_ARCH = 1022,
    RPMTAG_OLDFILENAMES = 1027, RPMTAG_SOURCERPM = 1044, RPMTAG_DIRINDEXES = 1116,
    RPMTAG_BASENAMES = 1117, RPMTAG_DIRNAMES = 1118, RPMTAG_MODULARITYLABEL = 5096
};

typedef struct rpm_header {
    const uint8_t *index; /* il entries of 16 bytes, big-endian */
    uint32_t il;
    const uint8_t *data;  /* dl bytes of tag data */
    uint32_t dl;
} rpm_header;

/* One located tag: its type, count and the data bytes from its offset to the
 * end of the data store (avail). Values are not validated until read. */
typedef struct rpm_tag {
    uint32_t type, count;
    const uint8_t *p;
    size_t avail;
} rpm_tag;

/* Check the blob's counts, sizes and region trailer. Returns 0 and fills h,
 * or -1 with a short reason in *why (a static string). */
int rpm_header_load(rpm_header *h, const uint8_t *blob, size_t len, const char **why);

/* Find a tag (the last entry wins: entries added after the immutable region
 * replace region ones, as rpm does). 0 when found, -1 when absent. */
int rpm_header_find(const rpm_header *h, uint32_t tag, rpm_tag *t);

/* A single string (STRING, or the first of STRING_ARRAY / I18NSTRING).
 * Returns a pointer into the blob (NUL-terminated within it) or NULL when
 * absent, of another type or unterminated. */
const char *rpm_header_string(const rpm_header *h, uint32_t tag);

/* A single INT32 (the first when count > 1). 0 when found, -1 otherwise. */
int rpm_header_int32(const rpm_header *h, uint32_t tag, uint32_t *out);

/* Walk a STRING_ARRAY: call with *pos = 0 first. Returns the next string and
 * its length, or NULL at the end / when unterminated (then *bad is set). */
typedef struct rpm_strarray {
    const uint8_t *p;
    size_t avail, off;
    uint32_t left;
    int bad;
} rpm_strarray;
int rpm_header_strarray(const rpm_header *h, uint32_t tag, rpm_strarray *it);
const char *rpm_strarray_next(rpm_strarray *it, size_t *len);

/* Read element i of an INT32 array located with rpm_header_find (caller
 * checked the type and that count * 4 <= avail). */
uint32_t rpm_tag_u32(const rpm_tag *t, uint32_t i);

#endif
