//  log - timestamped one-line events on stderr. stdout belongs to the user.
//  Under systemd the journal stamps each line itself and wants its syslog
//  priority in front ("<4>"), so a line is written either way, never both.

#include "mutsync/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static ms_log_level_t current_level = MS_LOG_WARN;
static bool journal = false;  //  write "<N>" priorities instead of timestamps

static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
static const char *const lower_names[] = {"error", "warn", "info", "debug"};

void ms_log_set_level(ms_log_level_t level)
{
    current_level = level;
}

ms_log_level_t ms_log_level(void)
{
    return current_level;
}

int ms_log_level_parse(const char *name, ms_log_level_t *level)
{
    for (int i = MS_LOG_ERROR; i <= MS_LOG_DEBUG; i++)
        if (strcmp(name, lower_names[i]) == 0) {
            *level = (ms_log_level_t)i;
            return 0;
        }
    return MS_EINVAL;
}

const char *ms_log_level_name(ms_log_level_t level)
{
    return level >= MS_LOG_ERROR && level <= MS_LOG_DEBUG ? names[level] : "?";
}

bool ms_log_stderr_is_journal(void)
{
    const char *stream = getenv("JOURNAL_STREAM");
    unsigned long long device, inode;
    char extra;
    if (!stream || sscanf(stream, "%llu:%llu%c", &device, &inode, &extra) != 2)
        return false;
    struct stat st;
    if (fstat(2, &st) != 0)
        return false;
    return (unsigned long long)st.st_dev == device && (unsigned long long)st.st_ino == inode;
}

void ms_log_set_journal(bool on)
{
    journal = on;
}

const char *ms_log_priority_prefix(ms_log_level_t level)
{
    //  syslog(3): LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG
    static const char *const prefixes[] = {"<3>", "<4>", "<6>", "<7>"};
    return journal && level >= MS_LOG_ERROR && level <= MS_LOG_DEBUG ? prefixes[level] : "";
}

void ms_log_write(ms_log_level_t level, const char *module, const char *fmt, ...)
{
    char line[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    if (journal) {
        fprintf(stderr, "%s%s %s: %s\n", ms_log_priority_prefix(level), names[level], module, line);
        return;
    }
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s %s %s: %s\n", stamp, names[level], module, line);
}
