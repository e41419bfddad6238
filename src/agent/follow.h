/* follow.h - following a `comb watch -o FILE` alert file (Falco JSON lines)
 * into the agent's spool, exactly once across restarts.
 *
 * The read position lives in a small state file in the spool directory
 * (.follow-alerts): the file's identity (device, inode), the offset of the
 * first byte not yet consumed, a hash of the file's first bytes (so a file
 * truncated and rewritten past the offset is noticed) and the batch being
 * spooled. A batch is recorded in the state (its end and the time stamp of
 * its spool name) before it is spooled; after a crash in between it is
 * spooled again under the same name, which is the X-Comb-Record-Id the
 * server stores once. A rotated (other inode) or truncated file is read from
 * its start. Only complete lines are taken: a partial last line waits for
 * its newline; a line longer than COMB_FOLLOW_MAX_LINE, a blank line or one
 * that is not a JSON object is skipped and counted.
 */
#ifndef COMB_AGENT_FOLLOW_H
#define COMB_AGENT_FOLLOW_H

#include <stddef.h>

#include "core/error.h"

#define COMB_FOLLOW_MAX_LINE (64u << 10) /* one alert line */
#define COMB_FOLLOW_MAX_BATCH (1u << 20) /* bytes read into one record */
#define COMB_FOLLOW_HEAD 256             /* bytes hashed to recognise the file */
#define COMB_FOLLOW_STATE_NAME ".follow-alerts"
#define COMB_FOLLOW_STATE_MAX 512

typedef struct comb_follow_state {
    unsigned long long dev, ino;    /* the file followed (0: none yet) */
    unsigned long long offset;      /* bytes consumed */
    unsigned long long head;        /* FNV-1a of the first min(offset, COMB_FOLLOW_HEAD) bytes */
    int skipping;                   /* inside an over-long line: dropped up to its newline */
    unsigned long long pending_ns;  /* a batch [offset, pending_end) being spooled under this stamp */
    unsigned long long pending_end;
} comb_follow_state;

/* The state file's text: 0, or -1 when it is not one (strict, bounded). */
int comb_follow_state_parse(const char *text, size_t len, comb_follow_state *out);
/* Its text into out (n >= COMB_FOLLOW_STATE_MAX); the length. */
int comb_follow_state_format(const comb_follow_state *s, char *out, size_t n);

/* The complete lines at the start of buf[0..n): appends the kept lines
 * (each with its newline) to batch (capacity >= n) and returns the number
 * of bytes consumed; a trailing partial line is consumed only when it is
 * already too long (then *skipping is set). */
size_t comb_follow_take(const char *buf, size_t n, int *skipping, char *batch, size_t *batch_len,
                        size_t *lines, size_t *dropped);

typedef struct comb_follow_stats {
    size_t lines, dropped, records;
    int restarted; /* the file was rotated or truncated: read from its start */
} comb_follow_stats;

/* One round: spool the new complete lines of file as "alert" records. A
 * missing file is no error (it may not exist yet). */
comb_code comb_follow_alerts(const char *file, const char *spool, comb_follow_stats *st, comb_err *err);

#endif
