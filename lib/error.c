//  error - codes, their names, and the one-line setter every failure path uses.

#include "mutsync/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ms_strerror(int code)
{
    switch (code) {
    case MS_OK:
        return "success";
    case MS_EINVAL:
        return "invalid input";
    case MS_ENOTFOUND:
        return "not found";
    case MS_EREFUSED:
        return "refused by an accept rule";
    case MS_ESTORE:
        return "store (LMDB) failure";
    case MS_ENET:
        return "network (ZeroMQ) failure";
    case MS_EIO:
        return "input/output failure";
    case MS_ENOMEM:
        return "out of memory";
    case MS_ECRYPTO:
        return "cryptographic failure";
    case MS_EPERM:
        return "unsafe permissions";
    case MS_EEXIST:
        return "already exists";
    case MS_EFORK:
        return "a feed forked";
    default:
        return "unknown error";
    }
}

int ms_error_set(ms_error_t *err, int code, const char *where, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    va_list args;
    va_start(args, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, args);
    va_end(args);
    return code;
}

void ms_error_clear(ms_error_t *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

const char *ms_error_text(const ms_error_t *err, char *buf, size_t size)
{
    if (!err || err->code == 0)
        snprintf(buf, size, "no error");
    else if (err->where[0])
        snprintf(buf, size, "%s: %s", err->where, err->message);
    else
        snprintf(buf, size, "%s", err->message[0] ? err->message : ms_strerror(err->code));
    return buf;
}
