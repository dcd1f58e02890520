//  config - reads mutsyncd.conf (see config.h for the format).
//
//  Design: one pass over the text, line by line; each line is a comment, a
//  blank or "key = value", and each key has one row in the table below
//  with the function that checks and stores its value. The parser keeps
//  its result in a local config and hands it over only when the whole
//  text was good, so a refused file leaves the caller's config empty.
//  Messages name the file and the line, as an import's do.

#include "config.h"

#include "cli_opts.h"

#include "mutsync/i18n.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MS_SYSCONFDIR
#define MS_SYSCONFDIR "/usr/local/etc"
#endif

const char *ms_config_default_path(void)
{
    return MS_SYSCONFDIR "/mutsync/mutsyncd.conf";
}

//  Stores VALUE into CONFIG, or returns the reason it is refused (untranslated).
static const char out_of_memory[] = N_("out of memory");
typedef const char *(*setter_t)(ms_config_t *config, const char *value);

static const char *set_path(char **field, const char *value)
{
    if (value[0] != '/')
        return N_("must be an absolute path");
    *field = strdup(value);
    return *field ? NULL : out_of_memory;
}

static const char *set_directory(ms_config_t *config, const char *value)
{
    return set_path(&config->directory, value);
}

static const char *set_site(ms_config_t *config, const char *value)
{
    return set_path(&config->site, value);
}

//  tcp://HOST:PORT (HOST may be * or [v6]; PORT 1 to 65535) or ipc://PATH.
static bool endpoint_ok(const char *value)
{
    if (strncmp(value, "ipc://", 6) == 0)
        return value[6] != '\0';
    if (strncmp(value, "tcp://", 6) != 0)
        return false;
    const char *colon = strrchr(value + 6, ':');
    uint64_t port;
    return colon && colon > value + 6 && cli_parse_uint(colon + 1, 1, 65535, &port) == 0;
}

static const char *set_listen(ms_config_t *config, const char *value)
{
    if (!endpoint_ok(value))
        return N_("must be tcp://HOST:PORT or ipc://PATH");
    config->listen = strdup(value);
    return config->listen ? NULL : out_of_memory;
}

static const char *set_sync_interval(ms_config_t *config, const char *value)
{
    if (cli_parse_decimal(value, 0.1, 86400, &config->sync_interval) != 0)
        return N_("must be a number of seconds from 0.1 to 86400");
    return NULL;
}

static const char *set_log_level(ms_config_t *config, const char *value)
{
    if (ms_log_level_parse(value, &config->log_level) != 0)
        return N_("must be error, warn, info or debug");
    config->has_log_level = true;
    return NULL;
}

static const struct {
    const char *key;
    setter_t set;
} keys[] = {
    {"directory", set_directory},         {"listen", set_listen},
    {"sync-interval", set_sync_interval}, {"site", set_site},
    {"log-level", set_log_level},
};
#define KEY_COUNT (sizeof keys / sizeof keys[0])

static char *trim(char *start, char *end)
{
    while (start < end && (*start == ' ' || *start == '\t'))
        start++;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *end = '\0';
    return start;
}

static bool has_control(const char *text)
{
    for (; *text; text++)
        if ((unsigned char)*text < 0x20 || *text == 0x7f)
            return true;
    return false;
}

//  Reads one line (without its newline) into CONFIG. SEEN marks the keys
//  already set. Returns NULL, or the reason (untranslated) with *KEY_P
//  naming the key when there is one.
static const char *parse_line(char *line, ms_config_t *config, bool *seen, const char **key_p)
{
    char *end = line + strlen(line);
    char *start = trim(line, end);
    if (!start[0] || start[0] == '#')
        return NULL;
    char *equals = strchr(start, '=');
    if (!equals)
        return N_("expected \"key = value\"");
    *equals = '\0';
    char *key = trim(start, equals);
    char *value = trim(equals + 1, equals + 1 + strlen(equals + 1));
    if (!key[0])
        return N_("no key before '='");
    *key_p = key;
    size_t i = 0;
    while (i < KEY_COUNT && strcmp(keys[i].key, key) != 0)
        i++;
    if (i == KEY_COUNT)
        return N_("unknown key (known: directory, listen, sync-interval, site, log-level)");
    if (seen[i])
        return N_("set twice");
    if (!value[0])
        return N_("has no value");
    if (has_control(value))
        return N_("holds a control character");
    seen[i] = true;
    return keys[i].set(config, value);
}

int ms_config_parse(const char *name, const char *text, size_t len, ms_config_t *config,
                    ms_error_t *err)
{
    ms_config_t result = {0};
    bool seen[KEY_COUNT] = {false};
    char line[MS_CONFIG_LINE_MAX + 2];
    size_t number = 0, at = 0;
    int rc = 0;
    char where[sizeof err->where];
    while (rc == 0 && at < len) {
        number++;
        const char *newline = memchr(text + at, '\n', len - at);
        size_t line_len = newline ? (size_t)(newline - (text + at)) : len - at;
        snprintf(where, sizeof where, "%s:%zu", name, number);
        const char *key = NULL, *why = NULL;
        if (line_len > MS_CONFIG_LINE_MAX)
            why = N_("line longer than 1024 bytes");
        else if (memchr(text + at, '\0', line_len))
            why = N_("holds a NUL byte");
        else {
            memcpy(line, text + at, line_len);
            line[line_len] = '\0';
            why = parse_line(line, &result, seen, &key);
        }
        int code = why == out_of_memory ? MS_ENOMEM : MS_EINVAL;
        if (why && key)
            rc = ms_error_set(err, code, where, "%s: %s", key, _(why));
        else if (why)
            rc = ms_error_set(err, code, where, "%s", _(why));
        at += line_len + 1;
    }
    if (rc != 0)
        ms_config_clear(&result);
    *config = result;
    return rc;
}

int ms_config_load(const char *path, ms_config_t *config, ms_error_t *err)
{
    *config = (ms_config_t){0};
    if (!path) {
        path = ms_config_default_path();
        if (access(path, F_OK) != 0 && errno == ENOENT)
            return 0;
    }
    FILE *file = fopen(path, "rb");
    if (!file)
        return ms_error_set(err, MS_EIO, path, "cannot read: %s", strerror(errno));
    char *text = malloc(MS_CONFIG_FILE_MAX + 1);
    if (!text) {
        fclose(file);
        return ms_error_set(err, MS_ENOMEM, path, "%s", _(out_of_memory));
    }
    size_t len = fread(text, 1, MS_CONFIG_FILE_MAX + 1, file);
    int failed = ferror(file);
    fclose(file);
    int rc;
    if (failed)
        rc = ms_error_set(err, MS_EIO, path, "cannot read: %s", strerror(errno));
    else if (len > MS_CONFIG_FILE_MAX)
        rc = ms_error_set(err, MS_EIO, path, "larger than %d bytes", MS_CONFIG_FILE_MAX);
    else
        rc = ms_config_parse(path, text, len, config, err);
    free(text);
    return rc;
}

void ms_config_clear(ms_config_t *config)
{
    if (!config)
        return;
    free(config->directory);
    free(config->listen);
    free(config->site);
    *config = (ms_config_t){0};
}
