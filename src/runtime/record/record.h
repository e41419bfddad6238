/* record.h - `comb watch --record` and `comb replay`: decoded events in a file.
 *
 * The file holds the events the decoder produced, after the process table,
 * the container metadata and the user names were applied, so replaying needs
 * nothing from the machine that recorded it (no /proc, no root, no engine
 * state) and gives the rules exactly the events the live run gave them.
 *
 * Format (all integers little-endian):
 *   header   "COMBREC\n" (8 bytes), u32 version (COMB_RECORD_VERSION), u32 flags (0)
 *   record*  u32 length (1..COMB_RECORD_MAX), then `length` bytes:
 *            u8 kind (1 = event), then the event's members in a fixed order:
 *            integers as i64, strings as u32 length (0xffffffff: absent) + bytes + NUL,
 *            lists as u32 count + items (bounded below); a process (the event's
 *            and each ancestor) inline, or stored in one of 4096 slots the
 *            first time and named by its slot in later events (docs/RUNTIME.md)
 * A reader rejects a wrong magic or version, a record longer than the bound,
 * a truncated record, and any length inside a record that runs past its end.
 * Unknown record kinds are skipped (room for later kinds, same version).
 */
#ifndef COMB_RUNTIME_RECORD_RECORD_H
#define COMB_RUNTIME_RECORD_RECORD_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "runtime/rules/event.h"

#define COMB_RECORD_VERSION 2u
#define COMB_RECORD_MAX (1u << 20)     /* bytes of one record */
#define COMB_RECORD_MAX_LIST 4096u     /* argv/env entries, event args, mounts */
#define COMB_RECORD_MAX_ANCESTORS 16u
#define COMB_RECORD_MAX_PTRS 32768u    /* string pointers of one record, all lists */

typedef struct comb_recorder comb_recorder;
typedef struct comb_replay comb_replay;

/* Create (truncate) path and write the header. */
comb_code comb_recorder_open(const char *path, comb_recorder **out, comb_err *err);
comb_code comb_recorder_write(comb_recorder *r, const comb_event *ev, comb_err *err);
/* Flush and close; r may be NULL. */
comb_code comb_recorder_close(comb_recorder *r, comb_err *err);

/* Read from f (not closed by comb_replay_free); name appears in messages. */
comb_code comb_replay_open(FILE *f, const char *name, comb_replay **out, comb_err *err);
/* The next event into ev (valid until the next call): *have = 1, or 0 at the
 * clean end of the file. A malformed file fails with COMB_EFORMAT/COMB_ELIMIT
 * and a message naming the record. */
comb_code comb_replay_next(comb_replay *r, comb_event *ev, int *have, comb_err *err);
void comb_replay_free(comb_replay *r);

#endif
