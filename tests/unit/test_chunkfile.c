//  test_chunkfile - a file sent and received in pieces: the receiver's file
//  appears whole and verified or not at all.

#include "mutsync/backupstore.h"
#include "mutsync/chunkfile.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test_chunkfile.XXXXXX";

static void path_of(const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

//  Writes LEN bytes of a pattern to NAME and returns its path in PATH.
static void make_file(const char *name, size_t len, char *path, size_t cap)
{
    path_of(name, path, cap);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    for (size_t i = 0; i < len; i++)
        fputc((int)((i * 7 + i / 251) & 0xff), out);
    assert_int_equal(fclose(out), 0);
}

//  A sender's file NAME of LEN bytes read whole into BUF (LEN bytes), with
//  the TOTAL and DIGEST it announces; TMP and DST name the receiver's
//  temporary file and the file it ends as (NAME.tmp, NAME.out).
typedef struct {
    char src[4096], tmp[4096], dst[4096];
    uint64_t total;
    uint8_t digest[MS_CHUNKFILE_DIGEST_BYTES];
} sent_t;

static void send_whole(const char *name, size_t len, uint8_t *buf, sent_t *sent)
{
    char other[256];
    make_file(name, len, sent->src, sizeof sent->src);
    snprintf(other, sizeof other, "%s.tmp", name);
    path_of(other, sent->tmp, sizeof sent->tmp);
    snprintf(other, sizeof other, "%s.out", name);
    path_of(other, sent->dst, sizeof sent->dst);
    ms_chunkfile_t *out = NULL;
    size_t got = 0;
    assert_int_equal(
        ms_chunkfile_open_read(sent->src, 1 << 20, &sent->total, sent->digest, &out, NULL), 0);
    assert_int_equal(ms_chunkfile_read(out, 0, buf, len, &got, NULL), 0);
    assert_int_equal(got, len);
    ms_chunkfile_close(&out);
}

static void test_a_file_crosses_in_pieces_and_is_verified(void **state)
{
    (void)state;
    char src[4096], tmp[4096], dst[4096];
    make_file("source", 250000, src, sizeof src);
    path_of("dest.tmp", tmp, sizeof tmp);
    path_of("dest", dst, sizeof dst);
    uint64_t total = 0;
    uint8_t digest[MS_CHUNKFILE_DIGEST_BYTES];
    ms_chunkfile_t *out = NULL, *in = NULL;
    assert_int_equal(ms_chunkfile_open_read(src, 1 << 20, &total, digest, &out, NULL), 0);
    assert_int_equal(total, 250000);
    assert_true(ms_chunkfile_same(out, src));
    assert_int_equal(ms_chunkfile_open_write(tmp, total, digest, false, &in, NULL), 0);
    uint8_t buf[65536];
    uint64_t offset = 0;
    size_t len = 0;
    while (!ms_chunkfile_complete(in)) {
        assert_int_equal(ms_chunkfile_read(out, offset, buf, sizeof buf, &len, NULL), 0);
        assert_true(len > 0);
        assert_int_equal(ms_chunkfile_write(in, offset, buf, len, NULL), 0);
        offset += len;
        assert_int_equal(ms_chunkfile_received(in), offset);
        assert_false(exists(dst));
    }
    assert_int_equal(ms_chunkfile_read(out, offset, buf, sizeof buf, &len, NULL), 0);
    assert_int_equal(len, 0);
    assert_int_equal(ms_chunkfile_finish(in, dst, NULL), 0);
    ms_chunkfile_close(&in);
    ms_chunkfile_close(&in);
    ms_chunkfile_close(&out);
    assert_null(in);
    assert_false(exists(tmp));
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", src, dst);
    assert_int_equal(system(cmd), 0);
}

static void test_out_of_order_or_damaged_pieces_leave_nothing(void **state)
{
    (void)state;
    uint8_t buf[3000];
    sent_t sent;
    send_whole("source2", sizeof buf, buf, &sent);
    ms_chunkfile_t *out = NULL, *in = NULL;
    ms_error_t err = {0};

    //  A gap, a repeat, a piece past the total: refused, nothing changes.
    assert_int_equal(ms_chunkfile_open_write(sent.tmp, sent.total, sent.digest, false, &in, NULL),
                     0);
    assert_int_equal(ms_chunkfile_write(in, 1000, buf + 1000, 1000, &err), MS_EINVAL);
    assert_int_equal(ms_chunkfile_write(in, 0, buf, 1000, NULL), 0);
    assert_int_equal(ms_chunkfile_write(in, 0, buf, 1000, &err), MS_EINVAL);
    assert_int_equal(ms_chunkfile_write(in, 1000, buf, 2001, &err), MS_EINVAL);
    assert_int_equal(ms_chunkfile_received(in), 1000);
    assert_int_equal(ms_chunkfile_finish(in, sent.dst, &err), MS_EINVAL);
    //  Cut here: the temporary file goes with the receiver.
    ms_chunkfile_close(&in);
    assert_false(exists(sent.tmp));
    assert_false(exists(sent.dst));

    //  One byte changed: the digest differs at the end.
    buf[1500] ^= 1;
    assert_int_equal(ms_chunkfile_open_write(sent.tmp, sent.total, sent.digest, false, &in, NULL),
                     0);
    assert_int_equal(ms_chunkfile_write(in, 0, buf, sizeof buf, NULL), 0);
    assert_int_equal(ms_chunkfile_finish(in, sent.dst, &err), MS_EINVAL);
    assert_non_null(strstr(err.message, "digest"));
    ms_chunkfile_close(&in);
    assert_false(exists(sent.tmp));
    assert_false(exists(sent.dst));

    //  Over the sender's limit, or missing: nothing opens.
    assert_int_equal(ms_chunkfile_open_read(sent.src, 2999, &sent.total, sent.digest, &out, &err),
                     MS_EINVAL);
    assert_null(out);
    path_of("missing", sent.src, sizeof sent.src);
    assert_int_equal(
        ms_chunkfile_open_read(sent.src, 1 << 20, &sent.total, sent.digest, &out, &err),
        MS_ENOTFOUND);
    assert_null(out);
}

//  A sparse file of SIZE bytes under the name TMP, as a received backup.
static void sparse(const char *tmp, off_t size)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, size), 0);
    assert_int_equal(close(fd), 0);
}

static void test_a_cut_transfer_resumes_after_the_bytes_held(void **state)
{
    (void)state;
    uint8_t buf[5000];
    sent_t sent;
    send_whole("source3", sizeof buf, buf, &sent);
    ms_chunkfile_t *in = NULL;
    ms_error_t err = {0};

    //  Cut after 2000 bytes: the resumable file stays, and goes on from there.
    assert_int_equal(ms_chunkfile_open_write(sent.tmp, sent.total, sent.digest, true, &in, NULL),
                     0);
    assert_int_equal(ms_chunkfile_received(in), 0);
    assert_int_equal(ms_chunkfile_write(in, 0, buf, 2000, NULL), 0);
    ms_chunkfile_close(&in);
    assert_true(exists(sent.tmp));
    assert_int_equal(ms_chunkfile_open_write(sent.tmp, sent.total, sent.digest, true, &in, NULL),
                     0);
    assert_int_equal(ms_chunkfile_received(in), 2000);
    assert_int_equal(ms_chunkfile_write(in, 0, buf, 1000, &err), MS_EINVAL);
    assert_int_equal(ms_chunkfile_write(in, 2000, buf + 2000, 3000, NULL), 0);
    assert_int_equal(ms_chunkfile_finish(in, sent.dst, NULL), 0);
    ms_chunkfile_close(&in);
    assert_false(exists(sent.tmp));
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", sent.src, sent.dst);
    assert_int_equal(system(cmd), 0);

    //  A partial file damaged while cut: found at the end, and removed.
    assert_int_equal(ms_chunkfile_open_write(sent.tmp, sent.total, sent.digest, true, &in, NULL),
                     0);
    assert_int_equal(ms_chunkfile_write(in, 0, buf, 2000, NULL), 0);
    ms_chunkfile_close(&in);
    FILE *damage = fopen(sent.tmp, "r+b");
    assert_non_null(damage);
    fputc(buf[10] ^ 1, (fseek(damage, 10, SEEK_SET), damage));
    assert_int_equal(fclose(damage), 0);
    assert_int_equal(ms_chunkfile_open_write(sent.tmp, sent.total, sent.digest, true, &in, NULL),
                     0);
    assert_int_equal(ms_chunkfile_write(in, 2000, buf + 2000, 3000, NULL), 0);
    assert_int_equal(ms_chunkfile_finish(in, sent.dst, &err), MS_EINVAL);
    ms_chunkfile_close(&in);
    assert_false(exists(sent.tmp));

    //  A leftover as long as the whole starts again from zero.
    sparse(sent.tmp, 5000);
    assert_int_equal(ms_chunkfile_open_write(sent.tmp, sent.total, sent.digest, true, &in, NULL),
                     0);
    assert_int_equal(ms_chunkfile_received(in), 0);
    ms_chunkfile_close(&in);
}

static int kept(const char *org)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "exit $(ls %s/backups/%s | grep -c 'msbk$')", dir, org);
    return WEXITSTATUS(system(cmd));
}

static void test_the_parent_keeps_three_backups_within_its_quota(void **state)
{
    (void)state;
    char tmp[4200], latest[4200];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ms_backupstore_incoming(dir, "ML-UTM-001", NULL, tmp, sizeof tmp, NULL),
                         0);
        sparse(tmp, 1000 + i);
        assert_int_equal(ms_backupstore_keep(dir, "ML-UTM-001", tmp, NULL), 0);
    }
    assert_int_equal(kept("ML-UTM-001"), MS_BACKUPSTORE_KEEP);
    assert_int_equal(ms_backupstore_latest_path(dir, "ML-UTM-001", latest, sizeof latest, NULL), 0);
    assert_non_null(strstr(latest, "0000000005.msbk"));
    //  Two large ones pass the quota together: only the newest stays.
    off_t large = (off_t)(MS_BACKUPSTORE_QUOTA / 2 + 1);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(ms_backupstore_incoming(dir, "ML-UTM-001", NULL, tmp, sizeof tmp, NULL),
                         0);
        sparse(tmp, large);
        assert_int_equal(ms_backupstore_keep(dir, "ML-UTM-001", tmp, NULL), 0);
    }
    assert_int_equal(kept("ML-UTM-001"), 1);
    assert_int_equal(ms_backupstore_latest_path(dir, "ML-UTM-001", latest, sizeof latest, NULL), 0);
    assert_non_null(strstr(latest, "0000000007.msbk"));
    assert_false(exists(tmp));
    assert_int_equal(ms_backupstore_latest_path(dir, "ML-UTM-002", latest, sizeof latest, NULL),
                     MS_ENOTFOUND);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_file_crosses_in_pieces_and_is_verified),
        cmocka_unit_test(test_out_of_order_or_damaged_pieces_leave_nothing),
        cmocka_unit_test(test_a_cut_transfer_resumes_after_the_bytes_held),
        cmocka_unit_test(test_the_parent_keeps_three_backups_within_its_quota),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
