/* rustaudit.h - cargo-auditable dependency data (the ".dep-v0" ELF section).
 *
 * cargo-auditable embeds zlib-compressed JSON:
 *   {"packages":[{"name":"x","version":"1.0.0","source":"crates.io",
 *                 "kind":"build","dependencies":[1,2],"root":true}, ...]}
 * The ELF analyzer sees the file as a forward-only stream and learns where
 * .dep-v0 lives only from the section headers at the end of the file, so it
 * recognises the data by content while streaming: at every zlib header
 * (0x78 xx) it test-inflates a bounded lookahead and keeps the first stream
 * that decompresses to '{"packages":[', inflating it as the bytes arrive
 * (output capped at COMB_RUSTAUDIT_MAX_JSON). The section headers confirm the
 * offset at the end (see elf.c).
 */
#ifndef COMB_ANALYZE_RUSTAUDIT_H
#define COMB_ANALYZE_RUSTAUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "analyze/analyzer.h"

#define COMB_RUSTAUDIT_MAX_JSON (8u << 20)
#define COMB_RUSTAUDIT_MAX_PACKAGES 100000
#define COMB_RUSTAUDIT_PREFIX "{\"packages\":["

typedef struct comb_rustaudit {
    z_stream probe, live;
    int probe_ok, live_ok;   /* inflateInit done */
    int state;               /* 0 idle, 1 inflating, 2 done, 3 gave up */
    uint64_t offset;         /* file offset of the zlib stream */
    uint64_t in_bytes;       /* compressed bytes consumed so far */
    uint8_t *json;           /* malloc'd output */
    size_t json_len, json_cap;
    int over_cap;            /* output exceeded the cap */
} comb_rustaudit;

void comb_rustaudit_init(comb_rustaudit *ra);
void comb_rustaudit_free(comb_rustaudit *ra);

/* Cheap test: zlib header at p? */
static inline int comb_rustaudit_zhdr(const uint8_t *p)
{
    return p[0] == 0x78 && ((p[0] << 8) | p[1]) % 31 == 0 && !(p[1] & 0x20);
}

/* Does the zlib stream at p (n bytes available) start with the prefix? */
int comb_rustaudit_probe(comb_rustaudit *ra, const uint8_t *p, size_t n);

/* Start inflating the stream at file offset `offset`. */
int comb_rustaudit_start(comb_rustaudit *ra, uint64_t offset);

/* Feed the next bytes of the stream: returns 1 when the stream ended
 * (state 2), 0 when more is wanted, -1 on failure (state 3). */
int comb_rustaudit_feed(comb_rustaudit *ra, const uint8_t *p, size_t n);

/* Parse the JSON and emit COMB_PKG_CARGO records (build-only packages are
 * skipped: they run at build time and are not part of the binary). */
comb_code comb_rustaudit_emit(comb_emit *out, const uint8_t *json, size_t len, comb_err *err);

#endif
