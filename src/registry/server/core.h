/* core.h - what the HTTP side, the collector and the CLI share on one
 * registry root: the blob store, the metadata, and the publish lock that
 * orders "blob bytes appear + metadata row" against "collector forgets the
 * row + removes the bytes" (a mutex for threads, flock(2) on ROOT/lock for
 * other processes such as an offline `comb registry gc`). */
#ifndef COMB_REGISTRY_SERVER_CORE_H
#define COMB_REGISTRY_SERVER_CORE_H

#include <pthread.h>

#include "registry/server/blobs.h"
#include "registry/server/meta.h"
#include "registry/server/server.h"

typedef struct rs_core {
    comb_blobs blobs;
    comb_meta *meta;
    pthread_mutex_t pub;
    int lockfd;
} rs_core;

comb_code rs_core_open(rs_core *c, const char *root, comb_err *err);
void rs_core_close(rs_core *c);
void rs_publish_lock(rs_core *c);
void rs_publish_unlock(rs_core *c);
comb_code rs_gc(rs_core *c, unsigned grace, unsigned upload_ttl, comb_rs_gc_stats *st,
                comb_err *err);

#endif
