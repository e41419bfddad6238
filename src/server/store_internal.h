/* store_internal.h - the store's state, shared by store.c (connections,
 * migrations, queries) and store_commit.c (group commit). Internal. */
#ifndef COMB_SERVER_STORE_INTERNAL_H
#define COMB_SERVER_STORE_INTERNAL_H

#include <pthread.h>

#include "server/store.h"
#include "server/store_driver.h"

#define STORE_READERS 6 /* connections for reads, besides the one that writes */

typedef struct store_job store_job;

struct comb_store_db {
    const store_driver *drv;
    char label[512];                /* a path, or a URL without its password */
    /* the one connection that writes: group commits, users, tokens */
    void *writer;
    pthread_mutex_t wmu;
    /* reads take any free connection of the pool */
    void *readers[STORE_READERS];
    int busy[STORE_READERS];
    pthread_mutex_t rmu;
    pthread_cond_t rfree;
    /* group commit: jobs queued by request threads, committed by one thread */
    pthread_mutex_t qmu;
    pthread_cond_t qwork, qdone;
    store_job *head, *tail;
    int stopping, writer_running;
    pthread_t writer_thread;
};

/* store_commit.c: start and stop the writer thread (stop drains the queue). */
int store_commit_start(comb_store_db *s);
void store_commit_stop(comb_store_db *s);

#endif
