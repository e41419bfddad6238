/* file.h - reading a small regular file whole (JSON documents, auth files). */
#ifndef COMB_CORE_FILE_H
#define COMB_CORE_FILE_H

#include <stddef.h>

#include "core/error.h"

/* Read the regular file open on fd (closed in every case) into a malloc'd,
 * NUL-terminated buffer; more than max bytes or not a regular file is a
 * COMB_EFORMAT error naming `name`. */
comb_code comb_read_small_fd(int fd, const char *name, size_t max, unsigned char **out,
                             size_t *len, comb_err *err);

#endif
