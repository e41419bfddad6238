/* sstore.h - a read-only comb_store over one repository of a registry
 * root (store.c), for the signature policy. */
#ifndef COMB_REGISTRY_SERVER_SSTORE_H
#define COMB_REGISTRY_SERVER_SSTORE_H

#include "image/store.h"
#include "registry/server/core.h"

comb_code rs_store_open(rs_core *core, const char *repo, comb_store **out, comb_err *err);

#endif
