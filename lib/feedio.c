//  feedio - the store side of a sync batch: fill from a read snapshot,
//  apply in one write transaction (re-runnable: ms_store_write may run it
//  again after growing the map, so it rewinds the batch and its counts).

#include "mutsync/feedio.h"

#include "mutsync/replica.h"

#include <stdio.h>
#include <string.h>

int ms_feedio_fill(ms_node_t *node, const char *org, const char *feed, uint64_t from, uint64_t to,
                   size_t target, ms_batch_t *batch, uint64_t *next, ms_error_t *err)
{
    ms_txn_t *txn;
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    if (rc)
        return rc;
    ms_batch_reset(batch);
    uint64_t seq = from;
    while (seq <= to && ms_batch_raw_bytes(batch) < target) {
        ms_val_t bytes;
        rc = ms_replica_envelope(txn, org, feed, seq, NULL, &bytes, err);
        if (rc)
            break;
        rc = ms_batch_add(batch, bytes.data, bytes.len, err);
        if (rc == MS_EINVAL && ms_batch_count(batch) > 0) {
            rc = 0;  //  the batch is full: the rest goes in the next one
            break;
        }
        if (rc)
            break;
        seq++;
    }
    ms_txn_abort(&txn);
    *next = seq;
    return rc;
}

typedef struct {
    ms_node_t *node;
    ms_batch_t *batch;
    const char *org, *feed;
    uint64_t first_seq;
    const char *source;
    ms_feedio_result_t *result;
} apply_t;

static int apply_txn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    apply_t *a = arg;
    ms_feedio_result_t *result = a->result;
    memset(result, 0, sizeof *result);
    ms_batch_rewind(a->batch);
    const uint8_t *envelope;
    size_t len;
    uint64_t seq = a->first_seq;
    int rc = 0;
    while (rc == 0 && ms_batch_next(a->batch, &envelope, &len) == 1) {
        ms_head_t head;
        rc = ms_replica_head(txn, a->org, a->feed, &head, err);
        if (rc)
            break;
        if (head.frozen || seq > head.seq + 1) {
            result->held++;
            seq++;
            continue;
        }
        ms_verdict_t verdict;
        rc = ms_node_accept(a->node, txn, envelope, len, a->source, &verdict, err);
        if (rc)
            break;
        if (verdict.origin[0] &&
            (strcmp(verdict.origin, a->org) != 0 || strcmp(verdict.feed, a->feed) != 0)) {
            snprintf(result->stray, sizeof result->stray, "%s/%s seq=%llu inside a batch of %s/%s",
                     verdict.origin, verdict.feed, (unsigned long long)verdict.seq, a->org,
                     a->feed);
            return ms_error_set(err, MS_EREFUSED, a->source, "%s", result->stray);
        }
        if (verdict.outcome == MS_OUTCOME_APPLIED) {
            result->applied++;
            result->changes += verdict.change_count;
        } else if (verdict.outcome == MS_OUTCOME_DUPLICATE) {
            result->duplicates++;
        } else {
            result->refused++;
        }
        seq++;
    }
    if (rc == 0) {
        ms_head_t head;
        rc = ms_replica_head(txn, a->org, a->feed, &head, err);
        result->head = head.seq;
    }
    return rc;
}

int ms_feedio_apply(ms_node_t *node, ms_batch_t *batch, const char *org, const char *feed,
                    uint64_t first_seq, const char *source, ms_feedio_result_t *result,
                    ms_error_t *err)
{
    apply_t a = {node, batch, org, feed, first_seq, source, result};
    return ms_store_write(ms_node_store(node), apply_txn, &a, err);
}
