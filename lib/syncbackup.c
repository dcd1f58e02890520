//  syncbackup - the sealed backups a sync session carries.
//
//  DESIGN. One exchange holds at most one backup in transfer: the file it
//  is read from or written to (chunkfile.h), its size and digest, and which
//  way it goes. The sender sends the chunk after the offset the receiver
//  acknowledges, so the receiver's file alone says where a cut transfer
//  resumes; the receiver writes chunks in order only (ms_chunkfile_write
//  refuses a gap). Invariant: a backup leaves the child's pending file only
//  once the parent acknowledged it whole, which it does only after keeping
//  it. The session (sync.c) calls this module from its state table and
//  decides the states; the files are syncstore.c's.

#include "mutsync/syncbackup.h"

#include "mutsync/backupstore.h"
#include "mutsync/chunkfile.h"
#include "mutsync/i18n.h"
#include "mutsync/log.h"
#include "mutsync/syncstore.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ms_syncbackup {
    ms_node_t *node;                            //  borrowed
    bool parent;                                //  NODE is the peer's parent
    char peer[MS_ORG_MAX + 1];                  //  the peer's org id
    ms_syncbackup_link_t link;                  //  the session's send and fail
    bool request;                               //  child: fetch the parent's backup of us
    ms_chunkfile_t *file;                       //  a sealed backup being sent or received
    bool sending;                               //  the backup is ours to send (else we receive it)
    uint64_t total;                             //  bytes of it
    uint64_t next;                              //  sending: end of the chunk in flight
    uint8_t digest[MS_SYNC_BLOB_DIGEST_BYTES];  //  BLAKE2b-256 of it
    uint8_t *chunk;  //  sending: MS_SYNC_CHUNK_MAX bytes, made on first use
};

int ms_syncbackup_new(ms_node_t *node, bool parent, const char *peer,
                      const ms_syncbackup_link_t *link, ms_syncbackup_t **self_p, ms_error_t *err)
{
    *self_p = calloc(1, sizeof **self_p);
    if (!*self_p)
        return ms_error_set(err, MS_ENOMEM, "sync", "no memory for a session");
    ms_syncbackup_t *self = *self_p;
    self->node = node;
    self->parent = parent;
    snprintf(self->peer, sizeof self->peer, "%s", peer);
    self->link = *link;
    return 0;
}

void ms_syncbackup_destroy(ms_syncbackup_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ms_chunkfile_close(&(*self_p)->file);
    free((*self_p)->chunk);
    free(*self_p);
    *self_p = NULL;
}

void ms_syncbackup_set_request(ms_syncbackup_t *self)
{
    self->request = true;
}

void ms_syncbackup_announce(ms_syncbackup_t *self, ms_msg_t *hello)
{
    hello->want_backup = self->request;
    if (!self->request &&
        ms_syncstore_open_pending_backup(self->node, &self->total, self->digest, &self->file)) {
        self->sending = true;
        hello->total = self->total;
        memcpy(hello->blob_digest, self->digest, MS_SYNC_BLOB_DIGEST_BYTES);
    }
}

void ms_syncbackup_not_taken(ms_syncbackup_t *self)
{
    if (!self->file)
        return;
    ms_log(MS_LOG_WARN, "sync",
           "%s does not take sealed backups in chunks (an older version): the backup stays "
           "pending",
           self->peer);
    ms_chunkfile_close(&self->file);
}

//  Ends the session with a reason; TELL: the peer is told it first.
static ms_syncbackup_step_t end(ms_syncbackup_t *self, int code, bool tell, const char *fmt, ...)
    MS_PRINTF(4, 5);

static ms_syncbackup_step_t end(ms_syncbackup_t *self, int code, bool tell, const char *fmt, ...)
{
    char reason[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(reason, sizeof reason, fmt, args);
    va_end(args);
    self->link.fail(self->link.ctx, code, tell, reason);
    return MS_SYNCBACKUP_FAILED;
}

static int send_msg(ms_syncbackup_t *self, const ms_msg_t *msg)
{
    return self->link.send(self->link.ctx, msg);
}

static int send_ack(ms_syncbackup_t *self, uint64_t offset)
{
    ms_msg_t ack = {.type = MS_MSG_BACKUP_ACK, .offset = offset};
    return send_msg(self, &ack);
}

//  Opens the file a backup announced by IN (the first chunk, or the
//  child's Hello) is received into.
static int receive(ms_syncbackup_t *self, const ms_msg_t *in)
{
    ms_error_t err = {0};
    self->total = in->total;
    memcpy(self->digest, in->blob_digest, MS_SYNC_BLOB_DIGEST_BYTES);
    int rc = self->parent ? ms_syncstore_receive_backup(self->node, self->peer, in->total,
                                                        in->blob_digest, &self->file, &err)
                          : ms_syncstore_receive_parent_backup(self->node, in->total,
                                                               in->blob_digest, &self->file, &err);
    if (rc)
        return end(self, MS_ESTORE, true, _("cannot receive a sealed backup: %s"), err.message);
    self->sending = false;
    return 0;
}

//  Parent: the latest backup kept of the child, in chunks (the first sent
//  here) or, for an older child, whole.
static ms_syncbackup_step_t send_kept(ms_syncbackup_t *self, const ms_msg_t *hello)
{
    ms_error_t err = {0};
    if (hello->chunks) {
        if (ms_syncstore_open_kept_backup(self->node, self->peer, &self->total, self->digest,
                                          &self->file, &err) != 0)
            return end(self, err.code, true, "%s", err.message);
        self->sending = true;
        ms_msg_t start = {.type = MS_MSG_BACKUP_ACK};
        return ms_syncbackup_take_ack(self, &start);
    }
    const char *dir = ms_store_dir(ms_node_store(self->node));
    uint8_t *blob = NULL;
    size_t len = 0;
    if (ms_backupstore_latest(dir, self->peer, &blob, &len, &err) != 0)
        return end(self, err.code, true, "%s", err.message);
    if (len > MS_SYNC_BACKUP_INLINE_MAX) {
        free(blob);
        return end(self, MS_EINVAL, true,
                   _("the backup of %s is %zu bytes, over what this older version takes in "
                     "one message: upgrade mutsync"),
                   self->peer, len);
    }
    ms_msg_t msg = {.type = MS_MSG_BACKUP, .data = blob, .data_len = len};
    int rc = send_msg(self, &msg);
    free(blob);
    return rc ? MS_SYNCBACKUP_FAILED : MS_SYNCBACKUP_OVER;
}

ms_syncbackup_step_t ms_syncbackup_take_hello(ms_syncbackup_t *self, const ms_msg_t *hello)
{
    ms_error_t err = {0};
    if (hello->want_backup)
        return send_kept(self, hello);
    if (hello->total) {
        if (receive(self, hello) != 0)
            return MS_SYNCBACKUP_FAILED;
        uint64_t held = ms_chunkfile_received(self->file);
        if (held)
            ms_log(MS_LOG_INFO, "sync", "%s: resumes its sealed backup at %llu of %llu bytes",
                   self->peer, (unsigned long long)held, (unsigned long long)hello->total);
        return send_ack(self, held) == 0 ? MS_SYNCBACKUP_MORE : MS_SYNCBACKUP_FAILED;
    }
    if (hello->data_len) {
        if (ms_syncstore_keep_backup(self->node, self->peer, hello->data, hello->data_len, &err) !=
            0)
            return end(self, err.code, true, "%s", err.message);
        ms_log(MS_LOG_INFO, "sync", "%s: kept a sealed backup of %zu bytes", self->peer,
               hello->data_len);
    }
    return MS_SYNCBACKUP_GO_ON;
}

ms_syncbackup_step_t ms_syncbackup_take_ack(ms_syncbackup_t *self, const ms_msg_t *ack)
{
    //  The first acknowledgement may resume where a cut transfer stopped.
    bool first = self->next == 0;
    if (!self->file || !self->sending ||
        (first ? ack->offset > self->total : ack->offset != self->next))
        return end(self, MS_EINVAL, true,
                   _("a backup acknowledgement for %llu bytes where %llu were sent"),
                   (unsigned long long)ack->offset, (unsigned long long)self->next);
    if (ack->offset == self->total) {
        ms_syncstore_backup_delivered(self->node, self->file);
        ms_chunkfile_close(&self->file);
        ms_log(MS_LOG_INFO, "sync", "%s keeps this node's sealed backup (%llu bytes)", self->peer,
               (unsigned long long)self->total);
        return MS_SYNCBACKUP_GO_ON;
    }
    ms_error_t err = {0};
    if (!self->chunk && !(self->chunk = malloc(MS_SYNC_CHUNK_MAX)))
        return end(self, MS_ENOMEM, false, _("no memory for a backup chunk"));
    ms_msg_t msg = {.type = MS_MSG_BACKUP_CHUNK,
                    .offset = ack->offset,
                    .total = self->total,
                    .data = self->chunk};
    memcpy(msg.blob_digest, self->digest, MS_SYNC_BLOB_DIGEST_BYTES);
    if (ms_chunkfile_read(self->file, ack->offset, self->chunk, MS_SYNC_CHUNK_MAX, &msg.data_len,
                          &err) != 0 ||
        msg.data_len == 0)
        return end(self, MS_EIO, true, _("cannot read the sealed backup: %s"), err.message);
    if (send_msg(self, &msg) != 0)
        return MS_SYNCBACKUP_FAILED;
    self->next = ack->offset + msg.data_len;
    if (self->parent && self->next == self->total) {
        ms_log(MS_LOG_INFO, "sync", "%s: sent its latest sealed backup (%llu bytes)", self->peer,
               (unsigned long long)self->total);
        ms_chunkfile_close(&self->file);
        return MS_SYNCBACKUP_OVER;
    }
    return MS_SYNCBACKUP_MORE;
}

ms_syncbackup_step_t ms_syncbackup_take_chunk(ms_syncbackup_t *self, const ms_msg_t *chunk)
{
    if (!self->file && !self->parent && chunk->offset == 0 && self->request &&
        receive(self, chunk) != 0)
        return MS_SYNCBACKUP_FAILED;
    if (!self->file || self->sending || chunk->total != self->total ||
        sodium_memcmp(chunk->blob_digest, self->digest, MS_SYNC_BLOB_DIGEST_BYTES) != 0)
        return end(self, MS_EINVAL, true,
                   _("a backup chunk at %llu of %llu bytes that was not announced"),
                   (unsigned long long)chunk->offset, (unsigned long long)chunk->total);
    ms_error_t err = {0};
    if (ms_chunkfile_write(self->file, chunk->offset, chunk->data, chunk->data_len, &err) != 0)
        return end(self, err.code == MS_EINVAL ? MS_EINVAL : MS_ESTORE, true, "%s", err.message);
    if (!ms_chunkfile_complete(self->file))
        return send_ack(self, ms_chunkfile_received(self->file)) == 0 ? MS_SYNCBACKUP_MORE
                                                                      : MS_SYNCBACKUP_FAILED;
    if (!self->parent) {
        int rc = ms_syncstore_finish_parent_backup(self->node, self->file, &err);
        ms_chunkfile_close(&self->file);
        if (rc)
            return end(self, rc, false, _("the backup from %s: %s"), self->peer, err.message);
        return MS_SYNCBACKUP_OVER;
    }
    int rc = ms_syncstore_keep_received(self->node, self->peer, self->file, &err);
    ms_chunkfile_close(&self->file);
    if (rc)
        return end(self, rc, true, "%s", err.message);
    ms_log(MS_LOG_INFO, "sync", "%s: kept a sealed backup of %llu bytes", self->peer,
           (unsigned long long)self->total);
    return send_ack(self, self->total) == 0 ? MS_SYNCBACKUP_KEPT : MS_SYNCBACKUP_FAILED;
}

ms_syncbackup_step_t ms_syncbackup_take_whole(ms_syncbackup_t *self, const ms_msg_t *backup)
{
    ms_error_t err = {0};
    if (ms_syncstore_save_parent_backup(self->node, backup->data, backup->data_len, &err) != 0)
        return end(self, err.code, false, "%s", err.message);
    return MS_SYNCBACKUP_OVER;
}
