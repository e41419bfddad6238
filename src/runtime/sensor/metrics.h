/* metrics.h - comb watch's counters in the Prometheus text exposition
 * format (version 0.0.4): totals, one series per ring, and the process
 * table. The file is written whole to a temporary name beside the target
 * and renamed over it, so a scraper (node_exporter's textfile collector,
 * cat) never sees half of it.
 */
#ifndef COMB_RUNTIME_SENSOR_METRICS_H
#define COMB_RUNTIME_SENSOR_METRICS_H

#include <stddef.h>

#include "core/error.h"
#include "runtime/sensor/watch.h"

/* Enough for every series with COMB_SENSOR_MAX_RINGS rings. */
#define COMB_METRICS_MAX 16384

/* The exposition into buf (NUL-terminated); returns its length, or 0 when
 * cap is too small. */
size_t comb_metrics_format(const comb_watch_stats *st, char *buf, size_t cap);
/* Write it to path atomically (path.tmp, then rename). */
comb_code comb_metrics_write(const char *path, const comb_watch_stats *st, comb_err *err);

#endif
