/* store.h - an artifact store: where images, their signatures and their
 * referrers live (manifests and blobs addressed by digest, tags).
 *
 * Signing and verification (trust/) talk only to this vtable, so a remote
 * registry (the OCI distribution client) can be plugged in beside the OCI
 * image layout implemented here (image/layout_store.c). Everything read is
 * bounded by the caller's max and checked against its digest; a failing
 * lookup of something absent returns COMB_ENOTFOUND.
 */
#ifndef COMB_IMAGE_STORE_H
#define COMB_IMAGE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define COMB_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define COMB_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define COMB_MT_OCI_EMPTY "application/vnd.oci.empty.v1+json"
#define COMB_STORE_MAX_MANIFEST (4u << 20)

typedef struct comb_desc {
    char digest[72];
    char media_type[128];
    char artifact_type[128]; /* "" when none */
    uint64_t size;
} comb_desc;

typedef struct comb_store comb_store;

typedef struct comb_store_ops {
    const char *kind; /* "oci-layout", "registry" */
    /* The manifest a tag names (NULL: the store's only image), among them
     * the one for platform "os/arch[/variant]" when given; its descriptor
     * and (malloc'd, may be NULL) ref name. */
    comb_code (*resolve)(comb_store *s, const char *tag, const char *platform, comb_desc *out,
                         char **ref_name, comb_err *err);
    /* A manifest by digest ("sha256:...") or by tag; malloc'd bytes. */
    comb_code (*get_manifest)(comb_store *s, const char *ref, unsigned char **data, size_t *len,
                              comb_desc *desc, comb_err *err);
    comb_code (*get_blob)(comb_store *s, const char *digest, size_t max, unsigned char **data,
                          size_t *len, comb_err *err);
    comb_code (*put_blob)(comb_store *s, const void *data, size_t len, char digest[72],
                          comb_err *err);
    /* Store a manifest; with a tag, the tag now names it (replacing what it
     * named); without one it is kept untagged (a referrer). */
    comb_code (*put_manifest)(comb_store *s, const void *data, size_t len,
                              const char *media_type, const char *tag, char digest[72],
                              comb_err *err);
    /* Manifests whose subject is `subject`, filtered by artifact type (NULL:
     * all); *out is malloc'd. */
    comb_code (*referrers)(comb_store *s, const char *subject, const char *artifact_type,
                           comb_desc **out, size_t *n, comb_err *err);
    /* Hold writers off while a manifest is read, changed and put back (the
     * .sig manifest gains a layer); put_manifest inside is fine. A store
     * without such a lock (a registry) makes these no-ops. */
    comb_code (*lock)(comb_store *s, comb_err *err);
    void (*unlock)(comb_store *s);
    void (*close)(comb_store *s);
} comb_store_ops;

struct comb_store {
    const comb_store_ops *ops;
};

/* An OCI image layout directory (must exist: oci-layout + index.json).
 * Writes are atomic: blobs and index.json go to a temporary file that is
 * renamed into place, under an exclusive lock of the layout. */
comb_code comb_layout_store_open(const char *dir, comb_store **out, comb_err *err);

/* An image's repository in an OCI registry, through the distribution
 * client (image/registry_store.c): manifests and blobs pushed and pulled,
 * referrers through the referrers API or, on registries without it, the
 * "sha256-<hex>" tag schema of distribution spec 1.1. Mirrors are not used.
 * ref and opts are registry/ref.h's and registry/client.h's. */
struct comb_ref;
struct comb_registry_opts;
comb_code comb_registry_store_open(const struct comb_ref *ref, const struct comb_registry_opts *opts,
                                   comb_store **out, comb_err *err);

static inline void comb_store_close(comb_store *s)
{
    if (s)
        s->ops->close(s);
}

/* "sha256-<64 hex>" with an optional ".suffix": tags that name a
 * signature, attestation or referrers list rather than an image. */
int comb_store_is_artifact_tag(const char *tag);

#endif
