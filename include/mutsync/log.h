//  log - one line per event to the sink the program chose (stderr by default):
//      2026-11-22T10:15:03Z WARN sync: peer ML-UTM-001 gap seq=41..44, asking again
//  The level is checked before formatting. Logs carry org ids, seqs, counts
//  and hashes; never member names, birth dates, claim contents or keys.

#ifndef MS_LOG_H
#define MS_LOG_H

#include "mutsync/error.h"

typedef enum { MS_LOG_ERROR = 0, MS_LOG_WARN, MS_LOG_INFO, MS_LOG_DEBUG } ms_log_level_t;

//  Sets the most verbose level written; the default is MS_LOG_WARN
//  (programs raise it: mutsyncd logs INFO).
void ms_log_set_level(ms_log_level_t level);

//  Returns the current level.
ms_log_level_t ms_log_level(void);

//  Writes one line when LEVEL is enabled. MODULE names the writer ("sync").
#define ms_log(level, module, ...)                                                                 \
    do {                                                                                           \
        if ((level) <= ms_log_level())                                                             \
            ms_log_write((level), (module), __VA_ARGS__);                                          \
    } while (0)

//  Unconditional writer behind ms_log; call ms_log instead.
void ms_log_write(ms_log_level_t level, const char *module, const char *fmt, ...) MS_PRINTF(3, 4);

#endif
