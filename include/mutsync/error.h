//  error - status codes and the detail for people that goes with a failure.
//
//  A function that can fail returns int: 0 on success, a negative MS_E* code
//  otherwise. Callers that want to tell a person what went wrong pass an
//  ms_error_t; the failing function fills it with where and why, e.g.
//  "members.csv:5001: birth_date \"2019-02-31\" is not a date".
//  Errors never carry member names, birth dates, claims or key material
//  unless the person gave them in the input being checked.

#ifndef MS_ERROR_H
#define MS_ERROR_H

#include <stddef.h>

#if defined(__GNUC__)
#define MS_MUST_CHECK __attribute__((warn_unused_result))
#define MS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define MS_MUST_CHECK
#define MS_PRINTF(fmt, args)
#endif

enum {
    MS_OK = 0,
    MS_EINVAL = -1,     //  bad input: arguments, a file, a frame
    MS_ENOTFOUND = -2,  //  no such record, feed, key or org
    MS_EREFUSED = -3,   //  an accept rule said no (see ms_refusal_t)
    MS_ESTORE = -4,     //  LMDB failed
    MS_ENET = -5,       //  ZeroMQ failed
    MS_EIO = -6,        //  a file could not be read or written
    MS_ENOMEM = -7,     //  out of memory
    MS_ECRYPTO = -8,    //  a key could not be made or used
    MS_EPERM = -9,      //  a file's permissions are unsafe
    MS_EEXIST = -10,    //  already there (a node directory, a child)
    MS_EFORK = -11,     //  two different change sets for one seq of a node's own feed
};

#define MS_ERROR_MSG_BYTES 512

typedef struct {
    int code;                          //  MS_E*; 0 when no error was recorded
    char where[128];                   //  file:line, org/feed:seq, peer...; may be empty
    char message[MS_ERROR_MSG_BYTES];  //  why, for people
} ms_error_t;

//  Returns a constant string naming CODE ("refused by an accept rule"...),
//  in the language of messages (i18n.h).
const char *ms_strerror(int code);

//  Fills ERR (when not NULL) with CODE, WHERE (may be NULL) and the formatted
//  message, and returns CODE, so a failure path is one line:
//      return ms_error_set(err, MS_EINVAL, path, "not a number");
//  FMT is written in English and is a msgid of the catalogue (i18n.h): it
//  is translated into the language of messages before the arguments are
//  put in, so the message reads in French in a French session. WHERE and
//  CODE are never translated.
int ms_error_set(ms_error_t *err, int code, const char *where, const char *fmt, ...)
    MS_PRINTF(4, 5);

//  Clears ERR (when not NULL).
void ms_error_clear(ms_error_t *err);

//  Writes "where: message" (or just the message) into BUF of SIZE bytes and
//  returns BUF. Safe on an empty error.
const char *ms_error_text(const ms_error_t *err, char *buf, size_t size);

#endif
