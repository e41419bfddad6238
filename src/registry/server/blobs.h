/* blobs.h - the registry server's content-addressed blob store on the
 * filesystem:
 *
 *   ROOT/blobs/sha256/<2 hex>/<64 hex>   complete, digest-verified blobs
 *   ROOT/uploads/<32 hex id>             uploads in progress
 *
 * A blob only ever appears under blobs/ by rename(2) of a file whose digest
 * was verified and which was fsync'ed (then its directory), so a crash at
 * any point leaves either no blob or a whole one. Paths are built only from
 * validated digests and ids, never from request text. */
#ifndef COMB_REGISTRY_SERVER_BLOBS_H
#define COMB_REGISTRY_SERVER_BLOBS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct comb_blobs {
    char root[4096];
} comb_blobs;

comb_code comb_blobs_open(comb_blobs *b, const char *root, comb_err *err);

/* A new, empty upload file. */
comb_code comb_blobs_upload_create(comb_blobs *b, const char *id, comb_err *err);
/* Open an upload for appending; *size is its current length. */
comb_code comb_blobs_upload_open(comb_blobs *b, const char *id, int *fd, uint64_t *size,
                                 comb_err *err);
comb_code comb_blobs_upload_size(comb_blobs *b, const char *id, uint64_t *size, comb_err *err);
/* Verify that the upload hashes to `digest`, fsync it and rename it into
 * place (an existing blob with that digest is kept); *size its length. On a
 * mismatch COMB_EDIGEST and the upload is kept. */
comb_code comb_blobs_upload_commit(comb_blobs *b, const char *id, const char *digest,
                                   uint64_t *size, comb_err *err);
void comb_blobs_upload_remove(comb_blobs *b, const char *id);
/* Store bytes under their digest (computed into digest). */
comb_code comb_blobs_put(comb_blobs *b, const void *data, size_t len, char digest[72],
                         comb_err *err);
/* Open a blob for reading; *size its length. COMB_ENOTFOUND when absent. */
comb_code comb_blobs_open_blob(comb_blobs *b, const char *digest, int *fd, uint64_t *size,
                               comb_err *err);
/* Read a whole blob of at most max bytes. */
comb_code comb_blobs_read(comb_blobs *b, const char *digest, size_t max, unsigned char **data,
                          size_t *len, comb_err *err);
void comb_blobs_remove(comb_blobs *b, const char *digest);
/* Blob files that are not complete blobs: leftovers of a rename that never
 * happened are uploads, removed by the collector with their upload. */

#endif
