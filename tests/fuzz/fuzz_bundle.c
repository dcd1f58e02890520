//  fuzz_bundle - a bundle file from a USB key, imported by a union node.
//
//  The node is created once per process (a union that has certified
//  ML-MUT-001 with the key of the golden envelope, seed 00 01 .. 1f, so
//  corpus bundles signed with it reach the accept rules' later stages) in a
//  temporary directory, under /dev/shm when there is one since every import
//  commits. Each input is written to a file and imported. Nothing may crash
//  or leak; a refused file carries a message and changes nothing counted.

#include "fuzz.h"

#include "mutsync/bundle.h"
#include "mutsync/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MUTUAL_KEY_HEX "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"

static char dir[64];
static char bundle_path[128];
static ms_node_t *node;

static void cleanup(void)
{
    ms_node_close(&node);
    if (dir[0]) {
        char command[128];
        snprintf(command, sizeof command, "rm -rf '%s'", dir);
        if (system(command) != 0)
            fprintf(stderr, "fuzz_bundle: cannot remove %s\n", dir);
    }
}

static int certify(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    (void)arg;
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    strcpy(cert.name, "Mutuelle");
    cert.role = MS_ROLE_MUTUAL;
    strcpy(cert.country, "ML");
    strcpy(cert.parent, "ML-MUT");
    if (ms_key_from_hex(MUTUAL_KEY_HEX, cert.key, err) != 0)
        return MS_EINVAL;
    uint8_t value[512];
    size_t len = 0;
    if (ms_cert_encode(&cert, value, sizeof value, &len) != 0)
        return MS_EINVAL;
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT-001", value, len};
    ms_verdict_t verdict;
    return ms_node_append(node, txn, "certs", &change, 1, &verdict, err);
}

static void start(void)
{
    snprintf(dir, sizeof dir, "%s/ms-fuzz-bundle.XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    ms_log_set_level(MS_LOG_ERROR);  //  refusals are the point, not news
    char path[128];
    snprintf(path, sizeof path, "%s/node", dir);
    snprintf(bundle_path, sizeof bundle_path, "%s/in.msb", dir);
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    strcpy(id.org, "ML-MUT");
    id.role = MS_ROLE_UNION;
    strcpy(id.country, "ML");
    strcpy(id.name, "Union");
    ms_error_t err = {0};
    if (ms_node_init(path, &id, &err) != 0 || ms_node_open(path, &node, &err) != 0 ||
        ms_store_write(ms_node_store(node), certify, NULL, &err) != 0) {
        fprintf(stderr, "fuzz_bundle: %s\n", err.message);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!node)
        start();
    FILE *out = fopen(bundle_path, "wb");
    if (!out || fwrite(data, 1, size, out) != size || fclose(out) != 0)
        abort();
    ms_bundle_stats_t stats;
    ms_error_t err = {0};
    int rc = ms_bundle_import(node, bundle_path, &stats, &err);
    if (rc != 0 && (err.code != rc || err.message[0] == '\0'))
        abort();
    if (rc != 0 && (stats.envelopes || stats.applied || stats.refused || stats.duplicates))
        abort();
    if (rc == 0 && stats.applied + stats.duplicates + stats.refused != stats.envelopes)
        abort();
    return 0;
}
