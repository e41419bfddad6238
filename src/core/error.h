/* error.h - the one error type of comb.
 *
 * Library functions return a comb_code (COMB_OK == 0) and, on failure, fill a
 * caller-owned comb_err with a message that names the input and the problem,
 * e.g. "alpine.tar: layer 2: lib/apk/db/installed: line 41: field V missing".
 * The library never prints and never exits; the CLI reports the error once.
 */
#ifndef COMB_CORE_ERROR_H
#define COMB_CORE_ERROR_H

#include <stddef.h>

typedef enum comb_code {
    COMB_OK = 0,
    COMB_EINVAL,      /* bad argument or option */
    COMB_EIO,         /* read/write failure */
    COMB_ENOMEM,      /* allocation failed */
    COMB_EFORMAT,     /* malformed input (archive, JSON, database) */
    COMB_ELIMIT,      /* input exceeds a configured bound */
    COMB_EDIGEST,     /* content does not match its digest */
    COMB_ENOTFOUND,   /* target, tag, platform or file absent */
    COMB_EUNSUPPORTED, /* recognised but not supported */
    COMB_EAUTH        /* a registry refused access: no or wrong credentials */
} comb_code;

#define COMB_ERR_MSG_MAX 1024

typedef struct comb_err {
    comb_code code;
    char msg[COMB_ERR_MSG_MAX];
} comb_err;

/* Set err (if not NULL) and return code. */
comb_code comb_fail(comb_err *err, comb_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend "prefix: " to the current message (context on the way up). */
void comb_err_prefix(comb_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void comb_err_clear(comb_err *err);

/* Short name of a code ("format error", "limit exceeded", ...). */
const char *comb_code_name(comb_code code);

#endif
