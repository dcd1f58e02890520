//  syncbackup - the sealed backups a sync session carries between a node
//  and its parent.
//
//  The child announces its pending backup (mutsync backup) in its Hello
//  and sends it in chunks of MS_SYNC_CHUNK_MAX bytes, each acknowledged
//  with the bytes the parent now holds, before the heads; the parent keeps
//  it as the child's latest and only then answers the Hello. A cut
//  transfer resumes where the parent's incoming file stops. A child that
//  asks for its backup back (restore --from-parent) gets the latest one in
//  chunks, or whole from an older parent, and the session ends there.
//  Older peers that carry a backup in one message are still understood.
//
//  A session owns one exchange and hands it each backup message; the
//  exchange answers through the session's link (send, fail) and tells the
//  session what follows (ms_syncbackup_step_t). It keeps the files through
//  syncstore.h. Not thread-safe: it runs in its session's thread.

#ifndef MS_SYNCBACKUP_H
#define MS_SYNCBACKUP_H

#include "mutsync/node.h"
#include "mutsync/syncmsg.h"

typedef struct ms_syncbackup ms_syncbackup_t;

//  What the exchange needs of its session. SEND carries one message to
//  the peer: 0, or -1 once the session has failed. FAIL ends the session
//  with CODE (MS_E*) and REASON, telling the peer first when TELL is set.
//  Both get CTX.
typedef struct {
    int (*send)(void *ctx, const ms_msg_t *msg);
    void (*fail)(void *ctx, int code, bool tell, const char *reason);
    void *ctx;
} ms_syncbackup_link_t;

//  What the session does after a step of the exchange.
typedef enum {
    MS_SYNCBACKUP_FAILED = -1,  //  the session failed (FAIL was called)
    MS_SYNCBACKUP_GO_ON,        //  nothing (more) of a backup: the session goes on
    MS_SYNCBACKUP_OVER,         //  the backup ended the session, which is complete
    MS_SYNCBACKUP_MORE,         //  a backup in chunks goes on: wait for the peer
    MS_SYNCBACKUP_KEPT,         //  parent: the child's backup is whole and kept, the last
                                //  chunk acknowledged: answer the child's Hello now
} ms_syncbackup_step_t;

//  Makes the exchange of NODE with PEER (its org id). PARENT: NODE is
//  PEER's parent (the session's responder), else its child. LINK is
//  copied. Returns 0 or MS_ENOMEM.
MS_MUST_CHECK int ms_syncbackup_new(ms_node_t *node, bool parent, const char *peer,
                                    const ms_syncbackup_link_t *link, ms_syncbackup_t **self_p,
                                    ms_error_t *err);

//  Closes the files of a transfer cut short, frees the exchange and sets
//  *self_p to NULL. Safe on NULL.
void ms_syncbackup_destroy(ms_syncbackup_t **self_p);

//  Child: ask the parent for its latest backup of this node instead of
//  sending our pending one. Set before ms_syncbackup_announce.
void ms_syncbackup_set_request(ms_syncbackup_t *self);

//  Child: fills the backup fields of our HELLO: the request, or the size
//  and digest of the pending backup, which is then opened to be sent.
//  A pending backup that cannot be sent (too big, unreadable) is logged
//  and left for a USB key.
void ms_syncbackup_announce(ms_syncbackup_t *self, ms_msg_t *hello);

//  Child: the parent answered our Hello without taking the backup it
//  announced (an older version): it stays pending. Logged.
void ms_syncbackup_not_taken(ms_syncbackup_t *self);

//  Parent: the backup side of the child's HELLO. Sends the latest backup
//  kept of the child when it asks (OVER once all is sent, else MORE),
//  starts receiving an announced one (MORE: the acknowledgement of what
//  a cut transfer left is sent), keeps one carried whole, or has nothing
//  to do (GO_ON, as after keeping it). FAILED when refused.
ms_syncbackup_step_t ms_syncbackup_take_hello(ms_syncbackup_t *self, const ms_msg_t *hello);

//  The sender of a backup in chunks: the peer holds the first ACK->offset
//  bytes. Sends the next chunk (MORE; OVER for a parent that sent the
//  last), or, once the peer holds it all, forgets the backup (GO_ON; a
//  child removes its pending file). An offset out of place is refused.
ms_syncbackup_step_t ms_syncbackup_take_ack(ms_syncbackup_t *self, const ms_msg_t *ack);

//  The receiver of a backup in chunks: writes CHUNK in order and
//  acknowledges it (MORE), until the backup is whole: a child keeps the
//  parent's backup for restore --from-parent (OVER), a parent verifies
//  and keeps the child's and acknowledges it all (KEPT). A chunk that was
//  not announced or does not follow is refused.
ms_syncbackup_step_t ms_syncbackup_take_chunk(ms_syncbackup_t *self, const ms_msg_t *chunk);

//  Child: the parent's latest backup of us carried whole in BACKUP (an
//  older parent), kept for restore --from-parent: OVER, or FAILED.
ms_syncbackup_step_t ms_syncbackup_take_whole(ms_syncbackup_t *self, const ms_msg_t *backup);

#endif
