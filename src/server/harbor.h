/* harbor.h - Harbor's pluggable scanner adapter API v1.1 served by comb
 * server under /harbor (docs/HARBOR.md): metadata, scan requests queued on
 * one bounded worker that pulls the artifact from the registry Harbor names
 * (with the Authorization it hands over) and scans it for vulnerabilities,
 * and the reports in Harbor's vulnerability report format.
 * Internal to server/: api.c routes to the handlers and starts the worker. */
#ifndef COMB_SERVER_HARBOR_H
#define COMB_SERVER_HARBOR_H

#include <stddef.h>

#include "core/error.h"
#include "server/handler.h"

#define COMB_HARBOR_QUEUE 64   /* default: scans waiting */
#define COMB_HARBOR_KEEP 1024  /* reports kept; the oldest finished one goes first */

typedef struct comb_harbor comb_harbor;

/* vuln_db: the database file (NULL: comb's default path); queue: scans
 * that may wait (0: COMB_HARBOR_QUEUE). */
comb_code comb_harbor_start(const char *vuln_db, unsigned queue, comb_harbor **out, comb_err *err);
/* Waits for the scan under way; drops those still queued. */
void comb_harbor_stop(comb_harbor *h);

/* The route handlers (GET /harbor/api/v1/metadata, POST .../scan,
 * GET .../scan/{id}/report). */
reply comb_harbor_metadata(ctx *x);
reply comb_harbor_scan(ctx *x);
reply comb_harbor_report(ctx *x);

#endif
