/* procs.h - the processes of the live host and the flags on command
 * lines, for checks of a daemon's flags (dockerd --icc, kubelet --config).
 * The table is read once, from /proc through the root (so never under
 * --root, where the checks do not ask), and bounded. */
#ifndef COMB_COMPLIANCE_PROCS_H
#define COMB_COMPLIANCE_PROCS_H

#include <jansson.h>
#include <stddef.h>

#include "compliance/fsroot.h"

#define COMB_PROCS_MAX 65536
#define COMB_PROCS_MAX_CMDLINE 65536

typedef struct comb_proc {
    char *comm;   /* basename of argv[0] */
    char **argv;
    size_t argc;
} comb_proc;

typedef struct comb_procs {
    comb_proc *items;
    size_t n;
    int loaded;
} comb_procs;

/* The first process whose argv[0] has basename `name` (the table is read on
 * first use), or NULL. */
const comb_proc *comb_procs_find(comb_procs *ps, const comb_fsroot *fs, const char *name);
void comb_procs_free(comb_procs *ps);

/* The values of `flag` in argv (from argv[1]): "--f=v" and "--f v" give v, a
 * bare "--f" gives "true"; an array when repeated; NULL when not given. */
json_t *comb_flag_values(char *const *argv, size_t argc, const char *flag);

/* Split a command line the way a shell would for simple quoting ('..',
 * "..", backslash); returns a malloc'd, NULL-terminated argv (at most 4096
 * words) or NULL. */
char **comb_split_words(const char *s, size_t *argc);

#endif
