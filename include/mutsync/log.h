//  log - one line per event to the sink the program chose (stderr by default):
//      2026-11-22T10:15:03Z WARN sync: peer ML-UTM-001 gap seq=41..44, asking again
//  The level is checked before formatting. Logs carry org ids, seqs, counts
//  and hashes; never member names, birth dates, claim contents or keys.
//
//  When stderr is the systemd journal (see ms_log_detect_journal), a line
//  starts with its syslog priority instead of the time, as sd-daemon(3)
//  describes, so `journalctl -p warning` keeps WARN and ERROR:
//      <4>WARN sync: peer ML-UTM-001 gap seq=41..44, asking again
//  ERROR is <3>, WARN <4>, INFO <6>, DEBUG <7>.

#ifndef MS_LOG_H
#define MS_LOG_H

#include "mutsync/error.h"

#include <stdbool.h>

typedef enum { MS_LOG_ERROR = 0, MS_LOG_WARN, MS_LOG_INFO, MS_LOG_DEBUG } ms_log_level_t;

//  Sets the most verbose level written; the default is MS_LOG_WARN
//  (programs raise it: mutsyncd logs INFO).
void ms_log_set_level(ms_log_level_t level);

//  Returns the current level.
ms_log_level_t ms_log_level(void);

//  Reads a level's name: "error", "warn", "info" or "debug" (lower case, as
//  a config file or --log-level gives it). Returns 0 and sets *LEVEL, or
//  MS_EINVAL with *LEVEL unchanged.
MS_MUST_CHECK int ms_log_level_parse(const char *name, ms_log_level_t *level);

//  Returns the name of LEVEL as lines show it: "ERROR", "WARN", "INFO", "DEBUG". Static.
const char *ms_log_level_name(ms_log_level_t level);

//  Returns whether file descriptor 2 is the journal's stream: systemd sets
//  $JOURNAL_STREAM to "DEVICE:INODE" of the stream it connects to stderr,
//  and fstat(2) of fd 2 gives the same pair only when stderr was not
//  redirected since (systemd.exec(5)).
bool ms_log_stderr_is_journal(void);

//  Writes syslog priority prefixes ("<4>") instead of timestamps when ON.
//  Programs call ms_log_set_journal(ms_log_stderr_is_journal()) at start.
void ms_log_set_journal(bool on);

//  Returns "<N>", LEVEL's syslog priority, when lines go to the journal,
//  else "": for the few messages a program writes to stderr itself (a
//  refused settings file), so the journal files them at the right level. Static.
const char *ms_log_priority_prefix(ms_log_level_t level);

//  Writes one line when LEVEL is enabled. MODULE names the writer ("sync").
#define ms_log(level, module, ...)                                                                 \
    do {                                                                                           \
        if ((level) <= ms_log_level())                                                             \
            ms_log_write((level), (module), __VA_ARGS__);                                          \
    } while (0)

//  Unconditional writer behind ms_log; call ms_log instead.
void ms_log_write(ms_log_level_t level, const char *module, const char *fmt, ...) MS_PRINTF(3, 4);

#endif
