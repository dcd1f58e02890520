//  replay - runs every file of the directories given as arguments through
//  LLVMFuzzerTestOneInput, once each, for builds without libFuzzer.
//  Exits 0 when all ran (a crash ends the process), 1 when a directory or
//  file cannot be read or none was found.

#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

//  Reads PATH whole into a fresh buffer (*data, caller frees). Returns 0 or -1.
static int slurp(const char *path, uint8_t **data, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return -1;
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, file);
        if (len < cap)
            break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(file);
    fclose(file);
    if (!buf || failed) {
        free(buf);
        return -1;
    }
    //  An exact-size copy lets AddressSanitizer see reads past the input.
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    *data = exact;
    *size = len;
    return 0;
}

static int replay_dir(const char *dir, int *count)
{
    DIR *handle = opendir(dir);
    if (!handle) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        return -1;
    }
    int rc = 0;
    struct dirent *entry;
    while (rc == 0 && (entry = readdir(handle)) != NULL) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
        struct stat info;
        if (stat(path, &info) != 0 || !S_ISREG(info.st_mode))
            continue;
        uint8_t *data;
        size_t size;
        if (slurp(path, &data, &size) != 0) {
            fprintf(stderr, "replay: cannot read %s\n", path);
            rc = -1;
            break;
        }
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        (*count)++;
    }
    closedir(handle);
    return rc;
}

int main(int argc, char **argv)
{
    int count = 0;
    for (int i = 1; i < argc; i++)
        if (replay_dir(argv[i], &count) != 0)
            return 1;
    printf("replay: %d inputs\n", count);
    return count > 0 ? 0 : 1;
}
