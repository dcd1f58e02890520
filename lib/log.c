//  log - timestamped one-line events on stderr. stdout belongs to the user.

#include "mutsync/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static ms_log_level_t current_level = MS_LOG_WARN;

void ms_log_set_level(ms_log_level_t level)
{
    current_level = level;
}

ms_log_level_t ms_log_level(void)
{
    return current_level;
}

void ms_log_write(ms_log_level_t level, const char *module, const char *fmt, ...)
{
    static const char *names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);

    char line[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    fprintf(stderr, "%s %s %s: %s\n", stamp, names[level], module, line);
}
