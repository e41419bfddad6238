/* match.h - does one advisory record affect one installed version?
 *
 * Pure logic, no I/O. Follows the OSV evaluation rules:
 *  - the event list of a comb_affected may hold several ranges; a new range
 *    starts at an "introduced" event that follows a fixed / last_affected /
 *    limit event in the stored order (OSV lists every range introduced-first);
 *  - within a range, events are sorted by the scheme's order ("introduced: 0"
 *    sorts first; at equal versions introduced sorts before the others, so
 *    "introduced X, fixed X" affects nothing); walking them, introduced
 *    switches "affected" on when installed >= it, fixed switches it off when
 *    installed >= it, last_affected when installed > it; limit events bound
 *    the range: installed must be < some limit ("*" = no bound);
 *  - ranges are or-ed, and so is the explicit `versions` list (exact string
 *    or equal in the scheme);
 *  - semver_ranges records compare their range events as SemVer 2.0;
 *  - a "fixed: 0" event (Alpine secdb / Debian tracker "fixed in 0") means
 *    the range affects nothing;
 *  - no events and no versions with state NOT_FIXED / WONT_FIX (Debian
 *    tracker "open", no fix yet) means every version is affected;
 *  - an installed or event version the scheme cannot parse never matches
 *    silently: the result carries a warning (and a range with such an event
 *    is not used; a bad installed version is "undecided").
 */
#ifndef COMB_VULN_MATCH_H
#define COMB_VULN_MATCH_H

#include <stddef.h>

#include "core/arena.h"
#include "vuln/vulndb.h"

typedef enum comb_match_verdict {
    COMB_MATCH_NO = 0,
    COMB_MATCH_YES = 1,
    COMB_MATCH_UNDECIDED = -1, /* the installed version is not valid in the scheme */
} comb_match_verdict;

typedef struct comb_match {
    comb_match_verdict verdict;
    /* Fixed versions to report when affected: the "fixed" events of the
     * ranges that contain the installed version (or, for a match through the
     * explicit versions list only, every fixed event above the installed
     * version), deduplicated, lowest first. Arena strings. */
    const char **fixed;
    size_t nfixed;
    /* Warnings (unparsable versions), arena strings; NULL/0 when none. */
    const char **warnings;
    size_t nwarnings;
} comb_match;

/* The scheme used to order a record's range events. */
comb_vscheme comb_match_scheme(const comb_affected *a);

/* Evaluate record `a` for `installed`. Strings in *out live in `arena`.
 * Returns COMB_OK, or COMB_ENOMEM (out of memory) / COMB_EINVAL (NULL input). */
comb_code comb_match_affected(const comb_affected *a, const char *installed, comb_arena *arena,
                              comb_match *out);

#endif
