//  tmpdir - a new empty directory for each CMocka test, removed after it.
//  Use as: cmocka_unit_test_setup_teardown(test_x, ms_tmpdir_setup, ms_tmpdir_teardown);
//  *state is then the directory's path.

#ifndef MS_TEST_TMPDIR_H
#define MS_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ms_tmpdir_setup(void **state)
{
    char *dir = strdup("/tmp/ms-test.XXXXXX");
    if (!dir || !mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static int ms_tmpdir_teardown(void **state)
{
    char command[256];
    snprintf(command, sizeof command, "rm -rf '%s'", (char *)*state);
    int rc = system(command);
    free(*state);
    return rc;
}

#endif
