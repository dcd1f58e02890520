//  error - codes, their names, and the one-line setter every failure path uses.
//
//  Messages are written in English in the source and read in the user's
//  language: the format given to ms_error_set is a gettext msgid (the
//  template script extracts ms_error_set's fourth argument) and is
//  translated when the error is set, before the arguments are put in.
//  The program chooses the language (ms_i18n_init); until it does, or in a
//  program that never does, messages stay English. Codes and WHERE are
//  never translated.

#include "mutsync/error.h"
#include "mutsync/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ms_strerror(int code)
{
    switch (code) {
    case MS_OK:
        return _("success");
    case MS_EINVAL:
        return _("invalid input");
    case MS_ENOTFOUND:
        return _("not found");
    case MS_EREFUSED:
        return _("refused by an accept rule");
    case MS_ESTORE:
        return _("store (LMDB) failure");
    case MS_ENET:
        return _("network (ZeroMQ) failure");
    case MS_EIO:
        return _("input/output failure");
    case MS_ENOMEM:
        return _("out of memory");
    case MS_ECRYPTO:
        return _("cryptographic failure");
    case MS_EPERM:
        return _("unsafe permissions");
    case MS_EEXIST:
        return _("already exists");
    case MS_EFORK:
        return _("a feed forked");
    default:
        return _("unknown error");
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
    vsnprintf(err->message, sizeof err->message, _(fmt), args);
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
        snprintf(buf, size, "%s", _("no error"));
    else if (err->where[0])
        snprintf(buf, size, "%s: %s", err->where, err->message);
    else
        snprintf(buf, size, "%s", err->message[0] ? err->message : ms_strerror(err->code));
    return buf;
}
