/* store.h - comb_store (image/store.h) on an OCI registry through the
 * distribution client, so that `comb sign` and `comb verify` work on any
 * registry: manifests and blobs pushed and pulled, referrers through the
 * referrers API or, where a registry lacks it, the "sha256-<hex>" tag
 * schema of the OCI distribution spec 1.1. Mirrors are not used. */
#ifndef COMB_REGISTRY_STORE_H
#define COMB_REGISTRY_STORE_H

#include "image/store.h"
#include "registry/client.h"
#include "registry/ref.h"

comb_code comb_registry_store_open(const comb_ref *ref, const comb_registry_opts *opts,
                                   comb_store **out, comb_err *err);

#endif
