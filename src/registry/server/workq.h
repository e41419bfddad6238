/* workq.h - one worker thread over a bounded queue of items, shared by scan
 * on push and webhook delivery. Items are malloc'd by the producer and
 * handed to fn (which frees them), or freed by rs_workq_stop when dropped. */
#ifndef COMB_REGISTRY_SERVER_WORKQ_H
#define COMB_REGISTRY_SERVER_WORKQ_H

#include <stddef.h>

#include "core/error.h"

typedef struct rs_workq rs_workq;
typedef void (*rs_work_fn)(void *ctx, void *item);

comb_code rs_workq_start(size_t cap, rs_work_fn fn, void *ctx, rs_workq **out, comb_err *err);
/* Queue item; -1 (item not taken) when cap items are pending. */
int rs_workq_push(rs_workq *q, void *item);
/* drain: handle what is pending first; else drop (free) it. */
void rs_workq_stop(rs_workq *q, int drain);

#endif
