/* readfile.h - reading a whole small file into memory, bounded. */
#ifndef COMB_CORE_READFILE_H
#define COMB_CORE_READFILE_H

#include <stddef.h>

#include "core/error.h"

/* Read the regular file open on fd (which is closed in every case) into a
 * malloc'd, NUL-terminated buffer of *len bytes. A file that is not regular
 * or is larger than max bytes is a COMB_EFORMAT error naming `name`. */
comb_code comb_read_fd(int fd, size_t max, const char *name, unsigned char **out, size_t *len,
                       comb_err *err);

#endif
