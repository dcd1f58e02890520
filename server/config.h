//  config - mutsyncd's settings file, /etc/mutsync/mutsyncd.conf for the
//  Debian package (SYSCONFDIR/mutsync/mutsyncd.conf for other prefixes).
//
//  One setting a line, "key = value"; blank lines and lines whose first
//  non-blank character is '#' are ignored. Spaces around the key and the
//  value are dropped; the value runs to the end of the line (no quotes, no
//  trailing comment). The keys:
//
//      directory     = /var/lib/mutsync     the node directory (absolute path)
//      listen        = tcp://0.0.0.0:7301   where children connect (tcp:// or ipc://)
//      sync-interval = 300                  seconds between checks with the parent (0.1 to 86400)
//      site          = /var/www/mutsync     where the public site is written (absolute path)
//      log-level     = info                 error, warn, info or debug
//
//  The reading is strict: an unknown key, a key given twice, a line without
//  '=', an empty or bad value are refused with FILE:LINE and why, and the
//  program does not start. Flags on the command line win over the file.

#ifndef MS_CONFIG_H
#define MS_CONFIG_H

#include "mutsync/error.h"
#include "mutsync/log.h"

#include <stdbool.h>
#include <stddef.h>

#define MS_CONFIG_LINE_MAX 1024   //  bytes in one line, newline excluded
#define MS_CONFIG_FILE_MAX 65536  //  bytes in the whole file

typedef struct {
    char *directory;           //  the node directory; NULL when not set
    char *listen;              //  the endpoint children connect to; NULL when not set
    double sync_interval;      //  seconds; 0 when not set
    char *site;                //  the site directory; NULL when not set
    bool has_log_level;        //  whether log_level was set
    ms_log_level_t log_level;  //  when has_log_level
} ms_config_t;

//  The file read when --config is not given: SYSCONFDIR/mutsync/mutsyncd.conf
//  (/etc/mutsync/mutsyncd.conf when installed under /usr). Static.
const char *ms_config_default_path(void);

//  Reads the settings in TEXT, LEN bytes (need not end in '\0'); NAME is the
//  file's name in messages. On success CONFIG holds what the text set (free
//  with ms_config_clear). On failure CONFIG is left empty and ERR says
//  "NAME:LINE" (where) and why. Returns 0, MS_EINVAL or MS_ENOMEM.
MS_MUST_CHECK int ms_config_parse(const char *name, const char *text, size_t len,
                                  ms_config_t *config, ms_error_t *err);

//  Reads the file PATH as ms_config_parse does. PATH NULL means the default
//  file, when it exists: without it, CONFIG is left empty and 0 returned
//  (the flags alone configure the program). Returns 0, MS_EIO (the file
//  cannot be read, or is larger than MS_CONFIG_FILE_MAX), MS_EINVAL or
//  MS_ENOMEM; on failure CONFIG is left empty.
MS_MUST_CHECK int ms_config_load(const char *path, ms_config_t *config, ms_error_t *err);

//  Frees what CONFIG holds and empties it. Safe on an empty config and twice.
void ms_config_clear(ms_config_t *config);

#endif
