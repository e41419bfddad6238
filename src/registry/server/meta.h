/* meta.h - the registry server's metadata: repositories, which blobs each
 * repository may read, manifests, tags, the referrers index, uploads in
 * progress. A vtable so that a server-grade database can replace SQLite
 * (meta_sqlite.c) without touching the HTTP side; every operation is atomic
 * and thread-safe. Blob *bytes* live in the blob store (blobs.h), never
 * here. Times are Unix seconds. */
#ifndef COMB_REGISTRY_SERVER_META_H
#define COMB_REGISTRY_SERVER_META_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct comb_meta comb_meta;

typedef struct comb_meta_manifest {
    char repo[256];
    char digest[72];
    char media_type[128];
    char artifact_type[128]; /* "" when none */
    char subject[72];        /* "" when none */
    uint64_t size;
    char *annotations; /* JSON object text or NULL; owned by the caller */
} comb_meta_manifest;

typedef struct comb_meta_list {
    char **v;
    size_t n;
} comb_meta_list;

void comb_meta_list_free(comb_meta_list *l);

typedef struct comb_meta_ops {
    /* A verified blob is in the store: record it (touched now) and let repo
     * read it. */
    comb_code (*blob_add)(comb_meta *m, const char *repo, const char *digest, uint64_t size,
                          comb_err *err);
    /* Size of a blob repo may read; COMB_ENOTFOUND otherwise. */
    comb_code (*blob_get)(comb_meta *m, const char *repo, const char *digest, uint64_t *size,
                          comb_err *err);
    /* Cross-repository mount: repo may now read a blob `from` may read. */
    comb_code (*blob_mount)(comb_meta *m, const char *repo, const char *from, const char *digest,
                            uint64_t *size, comb_err *err);
    comb_code (*blob_unlink)(comb_meta *m, const char *repo, const char *digest, comb_err *err);
    /* Store a manifest whose blobs (refs: config, layers, child manifests)
     * must all be readable in its repo, checked in the same transaction;
     * missing names the first absent one (COMB_ENOTFOUND). tag may be NULL. */
    comb_code (*manifest_put)(comb_meta *m, const comb_meta_manifest *mf, const char *const *refs,
                              size_t nrefs, const char *tag, char missing[72], comb_err *err);
    /* By tag or digest; out->annotations is malloc'd or NULL. */
    comb_code (*manifest_get)(comb_meta *m, const char *repo, const char *ref,
                              comb_meta_manifest *out, comb_err *err);
    /* Remove a manifest (and its tags) from repo. */
    comb_code (*manifest_delete)(comb_meta *m, const char *repo, const char *digest,
                                 comb_err *err);
    comb_code (*tag_delete)(comb_meta *m, const char *repo, const char *tag, comb_err *err);
    /* Lexical order, after `last` (NULL: from the start), at most n. */
    comb_code (*tags)(comb_meta *m, const char *repo, const char *last, long n,
                      comb_meta_list *out, comb_err *err);
    comb_code (*catalog)(comb_meta *m, const char *last, long n, comb_meta_list *out,
                         comb_err *err);
    /* 1 in *exists if the repository has any manifest or blob. */
    comb_code (*repo_exists)(comb_meta *m, const char *repo, int *exists, comb_err *err);
    /* Manifests of repo whose subject is `subject`, optionally with that
     * artifact type. */
    comb_code (*referrers)(comb_meta *m, const char *repo, const char *subject,
                           const char *artifact_type, comb_meta_manifest **out, size_t *n,
                           comb_err *err);
    comb_code (*upload_begin)(comb_meta *m, const char *id, const char *repo, comb_err *err);
    comb_code (*upload_check)(comb_meta *m, const char *id, const char *repo, comb_err *err);
    comb_code (*upload_end)(comb_meta *m, const char *id, comb_err *err);
    /* Uploads started before `before`: ids for the collector to drop. */
    comb_code (*uploads_stale)(comb_meta *m, int64_t before, comb_meta_list *out, comb_err *err);
    /* Garbage collection. Blobs referenced by no manifest and touched before
     * `before`. */
    comb_code (*gc_candidates)(comb_meta *m, int64_t before, comb_meta_list *out, comb_err *err);
    /* Forget such a blob if it still qualifies (*dropped = 1); the caller
     * then removes the bytes. */
    comb_code (*gc_drop)(comb_meta *m, const char *digest, int64_t before, int *dropped,
                         comb_err *err);
    void (*close)(comb_meta *m);
} comb_meta_ops;

struct comb_meta {
    const comb_meta_ops *ops;
};

/* ROOT/meta.db (created with its schema when absent). */
comb_code comb_meta_sqlite_open(const char *path, comb_meta **out, comb_err *err);

#endif
