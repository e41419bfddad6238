/* hashpipe.h - SHA-256 of two byte streams on a second thread.
 *
 * Verifying a layer means hashing every byte twice (the blob digest over
 * the compressed bytes, the diff_id over the tar), which costs as much as
 * decompressing it. The reader fills buffers from a ring; each filled
 * buffer is queued for the hasher thread, and a buffer is reused only once
 * the hasher is done with it, so the hashing overlaps decompression and
 * parsing on another core. Falls back to hashing inline when no thread can
 * be started.
 */
#ifndef COMB_CORE_HASHPIPE_H
#define COMB_CORE_HASHPIPE_H

#include <stddef.h>

#include "core/digest.h"

#define COMB_HASHPIPE_STREAMS 2
#define COMB_HASHPIPE_SLOTS 16
#define COMB_HASHPIPE_BUF (128 * 1024)

typedef struct comb_hashpipe comb_hashpipe;

comb_hashpipe *comb_hashpipe_new(void);                       /* NULL: out of memory */
/* A buffer of COMB_HASHPIPE_BUF bytes to fill for `stream` (0 or 1); it
 * stays valid until COMB_HASHPIPE_SLOTS more buffers of that stream. */
unsigned char *comb_hashpipe_buffer(comb_hashpipe *h, int stream);
/* Queue the buffer last returned for `stream`, holding n bytes. */
void comb_hashpipe_submit(comb_hashpipe *h, int stream, size_t n);
/* Wait for the hasher; write "sha256:..." of each stream. Frees h. */
void comb_hashpipe_finish(comb_hashpipe *h, char out0[72], char out1[72]);
void comb_hashpipe_free(comb_hashpipe *h);                    /* without results */

#endif
