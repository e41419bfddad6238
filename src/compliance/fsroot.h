/* fsroot.h - reading a host's files, confined to a root directory.
 *
 * `comb bench --root DIR` evaluates a mounted host or an image root without
 * touching the live host. Every path is resolved by the kernel with
 * openat2(RESOLVE_IN_ROOT): ".." stops at DIR and an absolute symlink
 * ("/etc/shadow") is resolved as if DIR were "/", so no read can leave DIR.
 * Without --root the same code runs with DIR = "/" (the live host).
 */
#ifndef COMB_COMPLIANCE_FSROOT_H
#define COMB_COMPLIANCE_FSROOT_H

#include <dirent.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/error.h"

/* Bounds on what is read from a host. */
#define COMB_FSROOT_MAX_FILE (4u << 20)  /* one config file */
#define COMB_FSROOT_MAX_GLOB 4096        /* paths one pattern may expand to */

typedef struct comb_fsroot {
    int dfd;          /* the root directory */
    char root[4096];  /* its path, for messages ("/" when live) */
    int live;         /* 1: the running host, so /proc and processes are ours */
    int confined;     /* lookups go through openat2(RESOLVE_IN_ROOT) */
} comb_fsroot;

/* Open `dir` (NULL: the live host "/"). A root directory needs openat2
 * (Linux 5.6); the live host does without it, since "/" is the root anyway. */
comb_code comb_fsroot_open(comb_fsroot *r, const char *dir, comb_err *err);
void comb_fsroot_close(comb_fsroot *r);

/* Open an absolute or relative `path` inside the root; -1 with errno set.
 * flags as for open(2); O_NOFOLLOW is not needed: symlinks resolve within
 * the root. */
int comb_fsroot_openat(const comb_fsroot *r, const char *path, int flags);

/* stat(2) inside the root (symlinks followed, within it); -1 with errno. */
int comb_fsroot_stat(const comb_fsroot *r, const char *path, struct stat *st);

/* Read a regular file of at most `max` bytes into malloc'd, NUL-terminated
 * memory. COMB_ENOTFOUND when it does not exist, COMB_ELIMIT when larger. */
comb_code comb_fsroot_read(const comb_fsroot *r, const char *path, size_t max, char **out,
                           size_t *len, comb_err *err);

/* opendir(3) inside the root, or NULL with errno. */
DIR *comb_fsroot_opendir(const comb_fsroot *r, const char *path);

/* Expand a pattern whose components may hold fnmatch(3) wildcards
 * ("/etc/docker/certs.d/ * /ca.crt"). Calls fn with each existing path (names
 * sorted per directory, at most COMB_FSROOT_MAX_GLOB); returns the number of
 * matches, or fn's non-zero value when it stops the walk early (negated). */
int comb_fsroot_glob(const comb_fsroot *r, const char *pattern,
                     int (*fn)(void *ud, const char *path), void *ud);

#endif
