/* readfile.h - whole small files: reading one into memory (bounded), and
 * writing a buffer durably. */
#ifndef COMB_CORE_READFILE_H
#define COMB_CORE_READFILE_H

#include <stddef.h>

#include "core/error.h"

/* Read the regular file open on fd (which is closed in every case) into a
 * malloc'd, NUL-terminated buffer of *len bytes. A file that is not regular
 * or is larger than max bytes is a COMB_EFORMAT error naming `name`. */
comb_code comb_read_fd(int fd, size_t max, const char *name, unsigned char **out, size_t *len,
                       comb_err *err);

/* Read from fd until end of file, an error or cap bytes (retrying on
 * EINTR); the number of bytes read. For files whose size stat() does not
 * tell, such as those of /proc. fd stays open. */
size_t comb_read_upto(int fd, void *buf, size_t cap);

/* Read a file whose size stat(2) does not tell (/proc, pipes) up to max
 * bytes into malloc'd, NUL-terminated memory; the rest is cut. NULL when it
 * cannot be opened (it may have vanished) or memory runs out. */
char *comb_read_unsized(const char *path, size_t max, size_t *len);

/* Write all of data to fd, fsync it and close it (in every case).
 * 0 on success, else the errno of the first failure. */
int comb_write_fd_sync(int fd, const void *data, size_t len);

#endif
