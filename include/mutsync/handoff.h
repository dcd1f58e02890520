//  handoff - a bounded queue of pointers from one thread to another.
//
//  One producer puts items, one consumer takes them, in order; a full
//  queue makes the producer wait, an empty one the consumer. The producer
//  closes it when it has no more; either side may cancel it, which wakes
//  both and makes every later put and take fail at once. The queue never
//  owns the items: whoever made them frees them.
//  Thread rule: put and close from one thread, take from another; cancel
//  and the others from either; new and destroy while no other thread uses it.
#ifndef MS_HANDOFF_H
#define MS_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ms_handoff ms_handoff_t;

//  A queue of at most CAPACITY (>= 1) items into *SELF_P. Returns 0, or
//  MS_ENOMEM (or MS_EINVAL for a capacity of 0) with *SELF_P NULL.
int ms_handoff_new(size_t capacity, ms_handoff_t **self_p);

//  Frees the queue (not its items) and sets *SELF_P to NULL. Safe on NULL.
void ms_handoff_destroy(ms_handoff_t **self_p);

//  Queues ITEM (not NULL), waiting for room. Returns false, ITEM not
//  queued, once the queue is cancelled or closed.
bool ms_handoff_put(ms_handoff_t *self, void *item);

//  The next item, waiting for one; NULL once the queue is closed and
//  empty, or cancelled.
void *ms_handoff_take(ms_handoff_t *self);

//  No more items: takes return what is queued, then NULL.
void ms_handoff_close(ms_handoff_t *self);

//  Stops the queue: puts and takes, waiting or not, fail from now on.
void ms_handoff_cancel(ms_handoff_t *self);

#endif
