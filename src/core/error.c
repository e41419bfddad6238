/* error.c - building error messages; see error.h. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

comb_code comb_fail(comb_err *err, comb_code code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void comb_err_prefix(comb_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[COMB_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    char old[COMB_ERR_MSG_MAX];
    memcpy(old, err->msg, sizeof old);
    old[sizeof old - 1] = '\0';
    size_t pl = strlen(prefix);
    if (pl > sizeof err->msg - 3)
        pl = sizeof err->msg - 3;
    memcpy(err->msg, prefix, pl);
    memcpy(err->msg + pl, ": ", 2);
    size_t room = sizeof err->msg - pl - 3;
    size_t ol = strnlen(old, room);
    memcpy(err->msg + pl + 2, old, ol);
    err->msg[pl + 2 + ol] = '\0';
}

void comb_err_clear(comb_err *err)
{
    if (err) {
        err->code = COMB_OK;
        err->msg[0] = '\0';
    }
}

const char *comb_code_name(comb_code code)
{
    switch (code) {
    case COMB_OK: return "ok";
    case COMB_EINVAL: return "invalid argument";
    case COMB_EIO: return "i/o error";
    case COMB_ENOMEM: return "out of memory";
    case COMB_EFORMAT: return "format error";
    case COMB_ELIMIT: return "limit exceeded";
    case COMB_EDIGEST: return "digest mismatch";
    case COMB_ENOTFOUND: return "not found";
    case COMB_EUNSUPPORTED: return "unsupported";
    case COMB_EAUTH: return "authentication failed";
    }
    return "error";
}
