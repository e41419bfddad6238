/* store_internal.h - the store's state, shared by store.c (connections,
 * migrations, queries) and store_commit.c (group commit). Internal. */
#ifndef COMB_SERVER_STORE_INTERNAL_H
#define COMB_SERVER_STORE_INTERNAL_H

#include <pthread.h>

#include "server/store.h"
#include "server/store_driver.h"

#define STORE_POOL_MAX 16 /* connections besides the writer's */

typedef struct store_job store_job;

/* Tokens recently found valid (by the SHA-256 of the token): a request's
 * token check then costs no database round trip. An entry is trusted for
 * at most STORE_TOKEN_CACHE_SECONDS and never past the token's expiry;
 * slots are picked by the digest (direct-mapped). */
#define STORE_TOKEN_CACHE_SLOTS 256
#define STORE_TOKEN_CACHE_SECONDS 30
typedef struct store_token_entry {
    char digest[72];
    char user[129];
    comb_role role;
    int64_t until; /* trusted before this time */
} store_token_entry;

struct comb_store_db {
    const store_driver *drv;
    char label[512];                /* a path, or a URL without its password */
    /* the one connection that writes: group commits, users, tokens */
    void *writer;
    pthread_mutex_t wmu;
    /* reads (and PostgreSQL's record writes) take a free connection of the pool */
    void *pool[STORE_POOL_MAX];
    int busy[STORE_POOL_MAX], npool;
    pthread_mutex_t rmu;
    pthread_cond_t rfree;
    /* group commit: jobs queued by request threads, committed by one thread */
    pthread_mutex_t qmu;
    pthread_cond_t qwork;
    store_job *head, *tail;
    int stopping, writer_running;
    pthread_t writer_thread;
    pthread_mutex_t tmu;
    store_token_entry tokens[STORE_TOKEN_CACHE_SLOTS];
};

/* store.c: a connection of the pool, waiting for one to be free; give it back. */
void *store_conn_take(comb_store_db *s);
void store_conn_give(comb_store_db *s, void *conn);

/* store_commit.c: start and stop the writer thread (stop drains the queue). */
int store_commit_start(comb_store_db *s);
void store_commit_stop(comb_store_db *s);

#endif
