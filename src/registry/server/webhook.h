/* webhook.h - event notifications of the registry server: push, delete,
 * scan completed, policy violation (a pull refused by a project policy, or
 * an image that a rescan finds now violating it). One JSON POST per event to
 * each configured URL from a delivery thread, retried with backoff (1 s,
 * 2 s, 4 s, ...; `retries` times) on connection errors, 429 and 5xx. */
#ifndef COMB_REGISTRY_SERVER_WEBHOOK_H
#define COMB_REGISTRY_SERVER_WEBHOOK_H

#include "core/error.h"

typedef struct rs_hooks rs_hooks;

/* NULL url: no webhooks (*out = NULL). */
comb_code rs_hooks_start(const char *url, int retries, rs_hooks **out, comb_err *err);
/* Queue an event (dropped when 1024 are pending). */
void rs_hooks_event(rs_hooks *h, const char *type, const char *repo, const char *digest,
                    const char *tag, const char *detail);
/* Deliver what is pending (bounded by the retries), then stop. */
void rs_hooks_stop(rs_hooks *h);

#endif
