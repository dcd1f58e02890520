//  fuzz_config - a mutsyncd.conf from anywhere: it is read or refused,
//  never crashes or leaks, and a refusal names its line and says why while
//  leaving the config empty.

#include "fuzz.h"

#include "config.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_config_t config;
    ms_error_t err = {0};
    int rc = ms_config_parse("fuzz.conf", (const char *)data, size, &config, &err);
    if (rc != 0 && (err.code != rc || !err.message[0] || !err.where[0] || config.listen ||
                    config.directory || config.site))
        abort();
    ms_config_clear(&config);
    return 0;
}
