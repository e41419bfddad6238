/* ref.h - image references as users type them, per the grammar of the
 * OCI distribution / docker reference ("name[:tag][@digest]"):
 *
 *   alpine                       -> docker.io/library/alpine:latest
 *   library/alpine:3.19          -> docker.io/library/alpine:3.19
 *   ghcr.io/o/app@sha256:<hex>   -> ghcr.io/o/app@sha256:<hex>
 *   localhost:5000/app:1         -> localhost:5000/app:1
 *
 * The first path component is a registry when it holds a '.' or a ':' or
 * is "localhost"; otherwise the image is on Docker Hub. Validation is
 * strict: lowercase path components with single separators, tags of at most
 * 128 word characters, names of at most 255 bytes, and only sha256 digests
 * (the one algorithm the rest of comb verifies). Pure: no I/O.
 */
#ifndef COMB_REGISTRY_REF_H
#define COMB_REGISTRY_REF_H

#include "core/error.h"

#define COMB_REF_NAME_MAX 255
#define COMB_REF_TAG_MAX 128

typedef struct comb_ref {
    char registry[COMB_REF_NAME_MAX + 1]; /* "docker.io", "127.0.0.1:5000", "[::1]:5000" */
    char repo[COMB_REF_NAME_MAX + 1];     /* "library/alpine" */
    char tag[COMB_REF_TAG_MAX + 1];       /* "" when only a digest was given */
    char digest[72];                      /* "sha256:<hex>" or "" */
} comb_ref;

/* Parse `s`; on failure err names the reference and the rule it breaks. */
comb_code comb_ref_parse(const char *s, comb_ref *out, comb_err *err);

/* 1 if s is a repository name by the distribution grammar (path
 * components, no registry, at most COMB_REF_NAME_MAX bytes); the server
 * (registry/server/) applies it to every name it is sent. */
int comb_ref_valid_repo(const char *s);
/* 1 if s is a tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
int comb_ref_valid_tag(const char *s);

/* "registry/repo[:tag][@digest]" into out (always NUL-terminated). */
void comb_ref_format(const comb_ref *r, char *out, size_t outsz);

/* The host to talk to for a registry name: Docker Hub's API lives at
 * registry-1.docker.io. */
const char *comb_ref_api_host(const char *registry);

/* 1 if the registry is on loopback (localhost, 127.0.0.0/8, [::1]). */
int comb_ref_is_loopback(const char *registry);

#endif
