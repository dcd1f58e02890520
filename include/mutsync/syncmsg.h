//  syncmsg - the sync protocol's messages to and from bytes, and batches of
//  envelopes packed and compressed.
//
//  This module is the only one that sees the generated code of
//  proto/sync.proto; the session works with ms_msg_t. Decoding enforces the
//  protocol's limits (MS_SYNC_*): a frame, a list of heads or a batch larger
//  than they allow is refused with MS_EINVAL before anything acts on it.
//  A batch is zstd of frames (4-byte big-endian length, envelope bytes),
//  split by field (fieldsplit.h) since version 2;
//  unpacking checks the declared size before decompressing, so a small
//  frame can never expand past MS_SYNC_BATCH_RAW_MAX.

#ifndef MS_SYNCMSG_H
#define MS_SYNCMSG_H

#include "mutsync/codec.h"

#define MS_SYNC_VERSION 2                         //  2: batches split by field (fieldsplit.h)
#define MS_SYNC_DIGEST_BYTES 16                   //  BLAKE2b-128 of heads
#define MS_SYNC_BATCH_RAW_MAX (8u * 1024 * 1024)  //  bytes of one batch decompressed
#define MS_SYNC_FRAME_MAX (MS_SYNC_BATCH_RAW_MAX + (1u << 20))  //  bytes of one message
#define MS_SYNC_FEEDS_MAX 65536                                 //  heads in one offer or want list
#define MS_SYNC_BATCH_ENVELOPES_MAX 1024                        //  envelopes in one batch
#define MS_SYNC_REASON_MAX 200                                  //  bytes of an Error's reason
#define MS_SYNC_BACKUP_MAX (256u * 1024 * 1024)  //  bytes of a sealed backup sent in chunks
#define MS_SYNC_BACKUP_INLINE_MAX                                                                  \
    (8u * 1024 * 1024)                //  bytes of a backup in one message (older peers)
#define MS_SYNC_CHUNK_MAX (1u << 20)  //  bytes of data in one BackupChunk
#define MS_SYNC_BLOB_DIGEST_BYTES 32  //  BLAKE2b-256 of a whole backup

typedef enum {
    MS_MSG_NONE = 0,
    MS_MSG_HELLO,
    MS_MSG_IDLE,
    MS_MSG_HEADS,
    MS_MSG_BATCH,
    MS_MSG_ACK,
    MS_MSG_DONE,
    MS_MSG_ERROR,
    MS_MSG_BACKUP,
    MS_MSG_BACKUP_CHUNK,
    MS_MSG_BACKUP_ACK,
} ms_msg_type_t;

//  A feed and a head: seq 0 and a zero hash when the feed is not held.
typedef struct {
    char org[MS_ORG_MAX + 1];
    char feed[MS_FEED_NAME_MAX + 1];
    uint64_t seq;
    uint8_t hash[MS_HASH_BYTES];
    bool refused;  //  in a want: the receiver will not take this feed; seq is 0
} ms_sync_head_t;

//  One message. Only the fields of TYPE are meaningful. After ms_msg_decode
//  the message owns its lists and DATA; release them with ms_msg_clear.
//  To encode, callers fill the fields with pointers they own.
typedef struct {
    ms_msg_type_t type;
    uint32_t version;                                //  hello
    uint32_t window;                                 //  hello: batches in flight
    uint8_t digest[MS_SYNC_DIGEST_BYTES];            //  hello
    ms_sync_head_t *offer;                           //  heads
    size_t offer_count;                              //
    ms_sync_head_t *want;                            //  heads
    size_t want_count;                               //
    uint64_t number;                                 //  batch, ack; done: batches sent
    uint32_t feed;                                   //  batch: index in the sender's offer
    uint64_t first_seq;                              //  batch
    uint32_t count;                                  //  batch: envelopes
    uint32_t raw_bytes;                              //  batch: DATA decompressed
    const uint8_t *data;                             //  batch: compressed frames; hello,
                                                     //  backup: a sealed backup (or none);
                                                     //  heads: the sender's chain (or none);
                                                     //  backup chunk: its piece
    size_t data_len;                                 //  batch, hello, backup, heads: bytes
    bool want_backup;                                //  hello: send the latest backup back
    bool want_chain;                                 //  hello: send the chain in heads
    bool chunks;                                     //  hello: take a backup in chunks
    uint64_t offset;                                 //  backup chunk, backup ack: bytes
    uint64_t total;                                  //  backup chunk; hello: backup announced
    uint8_t blob_digest[MS_SYNC_BLOB_DIGEST_BYTES];  //  backup chunk; hello with total
    uint64_t head;                                   //  ack: receiver's head seq now
    uint32_t applied, duplicates, refused, held;     //  ack
    int code;                                        //  error: MS_E*
    char reason[MS_SYNC_REASON_MAX + 1];             //  error
    void *decoded;                                   //  private
} ms_msg_t;

//  "hello", "batch"...; "unknown" for anything else.
const char *ms_msg_name(ms_msg_type_t type);

//  Serializes MSG into a new buffer (*bytes_p, caller frees with free()).
//  Returns 0, MS_EINVAL when MSG breaks a limit, or MS_ENOMEM.
MS_MUST_CHECK int ms_msg_encode(const ms_msg_t *msg, uint8_t **bytes_p, size_t *len_p,
                                ms_error_t *err);

//  Parses BYTES into MSG. Returns 0, or MS_EINVAL with the reason (not a
//  message, an unknown body, a field or list over its limit, a frame over
//  MS_SYNC_FRAME_MAX); MSG is zeroed on failure. Release with ms_msg_clear.
MS_MUST_CHECK int ms_msg_decode(const uint8_t *bytes, size_t len, ms_msg_t *msg, ms_error_t *err);

//  The type of the message in BYTES from its first byte, without decoding
//  it (MS_MSG_NONE when that byte is not a known body's tag).
ms_msg_type_t ms_msg_peek(const uint8_t *bytes, size_t len);

//  Frees what ms_msg_decode allocated and zeroes MSG. Safe on a zeroed MSG.
void ms_msg_clear(ms_msg_t *msg);

//  Batch packing: a reusable zstd context and buffers. One per session.
typedef struct ms_batch ms_batch_t;

//  Makes a packer compressing at LEVEL (zstd levels; MS_SYNC_ZSTD_LEVEL is
//  what sessions use). Returns 0 or MS_ENOMEM; *batch_p stays NULL on failure.
#define MS_SYNC_ZSTD_LEVEL 6
MS_MUST_CHECK int ms_batch_new(int level, ms_batch_t **batch_p, ms_error_t *err);

//  Frees the packer and sets *batch_p to NULL. Safe on NULL.
void ms_batch_destroy(ms_batch_t **batch_p);

//  Starts a new batch: forgets the frames added so far.
void ms_batch_reset(ms_batch_t *self);

//  Adds one envelope. Returns 0, or MS_EINVAL when it would take the batch
//  past MS_SYNC_BATCH_RAW_MAX or MS_SYNC_BATCH_ENVELOPES_MAX (the batch is unchanged).
MS_MUST_CHECK int ms_batch_add(ms_batch_t *self, const uint8_t *envelope, size_t len,
                               ms_error_t *err);

//  Envelopes and raw bytes added since the last reset.
uint32_t ms_batch_count(const ms_batch_t *self);
size_t ms_batch_raw_bytes(const ms_batch_t *self);

//  Compresses the frames added. *data_p is valid until the next call on SELF.
//  Returns 0 or MS_ENOMEM.
MS_MUST_CHECK int ms_batch_compress(ms_batch_t *self, const uint8_t **data_p, size_t *len_p,
                                    ms_error_t *err);

//  Decompresses DATA, which must expand to exactly RAW_BYTES (at most
//  MS_SYNC_BATCH_RAW_MAX), and holds COUNT frames. Returns 0 or MS_EINVAL
//  (damaged, lying sizes, torn frames). Read the envelopes with ms_batch_next.
MS_MUST_CHECK int ms_batch_unpack(ms_batch_t *self, const uint8_t *data, size_t len,
                                  uint32_t raw_bytes, uint32_t count, ms_error_t *err);

//  The next envelope of the unpacked batch: returns 1 and sets *envelope_p,
//  *len_p (valid until the next unpack or reset), or 0 after the last.
int ms_batch_next(ms_batch_t *self, const uint8_t **envelope_p, size_t *len_p);

//  Makes ms_batch_next start again from the first envelope.
void ms_batch_rewind(ms_batch_t *self);

#endif
