/* path.h - normalising paths that come from archives and images.
 *
 * Image paths are attacker-controlled. comb never writes them to disk, but it
 * must still agree with a container runtime on which file a path names:
 * "./etc//os-release" and "/etc/os-release" are the same file, and a path
 * with ".." is rejected (runtimes refuse such layers).
 */
#ifndef COMB_CORE_PATH_H
#define COMB_CORE_PATH_H

#include <stddef.h>

#define COMB_PATH_MAX 4096

/* Normalise `in` into `out` (relative, no leading '/', no "." components,
 * no repeated or trailing '/'). Returns the length, 0 for the root itself,
 * or -1 when the path contains "..", a NUL-free overlong path, or does not
 * fit in outsz. */
int comb_path_normalize(const char *in, char *out, size_t outsz);

/* Last component of a normalised path, and its parent's length (0 at top). */
const char *comb_path_base(const char *path);
size_t comb_path_dirlen(const char *path);

/* 1 if `path` ends with "/suffix" or equals suffix. */
int comb_path_has_suffix(const char *path, const char *suffix);

#endif
