//  handoff - a bounded queue of pointers from one thread to another.
//
//  DESIGN. A ring of CAPACITY slots under one mutex, with one condition
//  for "an item came or the queue stopped" and one for "room came or the
//  queue stopped". Items are handed over in batches of work large enough
//  (a change set of a thousand records) that one lock per item costs
//  nothing next to them.

#include "mutsync/handoff.h"

#include "mutsync/error.h"

#include <pthread.h>
#include <stdlib.h>

struct ms_handoff {
    pthread_mutex_t lock;    //  guards all below
    pthread_cond_t filled;   //  an item was put, or the queue stopped
    pthread_cond_t emptied;  //  an item was taken, or the queue stopped
    void **slots;            //  CAPACITY items, a ring
    size_t capacity;         //  slots
    size_t head;             //  slot of the next item to take
    size_t count;            //  items queued
    bool closed;             //  the producer has no more
    bool cancelled;          //  everything fails from now on
};

int ms_handoff_new(size_t capacity, ms_handoff_t **self_p)
{
    *self_p = NULL;
    if (capacity == 0)
        return MS_EINVAL;
    ms_handoff_t *self = calloc(1, sizeof *self);
    if (self)
        self->slots = calloc(capacity, sizeof *self->slots);
    if (!self || !self->slots) {
        free(self);
        return MS_ENOMEM;
    }
    self->capacity = capacity;
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->filled, NULL);
    pthread_cond_init(&self->emptied, NULL);
    *self_p = self;
    return 0;
}

void ms_handoff_destroy(ms_handoff_t **self_p)
{
    ms_handoff_t *self = *self_p;
    if (!self)
        return;
    pthread_cond_destroy(&self->emptied);
    pthread_cond_destroy(&self->filled);
    pthread_mutex_destroy(&self->lock);
    free(self->slots);
    free(self);
    *self_p = NULL;
}

bool ms_handoff_put(ms_handoff_t *self, void *item)
{
    pthread_mutex_lock(&self->lock);
    while (self->count == self->capacity && !self->cancelled && !self->closed)
        pthread_cond_wait(&self->emptied, &self->lock);
    bool queued = !self->cancelled && !self->closed && item;
    if (queued) {
        self->slots[(self->head + self->count) % self->capacity] = item;
        self->count++;
        pthread_cond_signal(&self->filled);
    }
    pthread_mutex_unlock(&self->lock);
    return queued;
}

void *ms_handoff_take(ms_handoff_t *self)
{
    pthread_mutex_lock(&self->lock);
    while (self->count == 0 && !self->cancelled && !self->closed)
        pthread_cond_wait(&self->filled, &self->lock);
    void *item = NULL;
    if (!self->cancelled && self->count > 0) {
        item = self->slots[self->head];
        self->head = (self->head + 1) % self->capacity;
        self->count--;
        pthread_cond_signal(&self->emptied);
    }
    pthread_mutex_unlock(&self->lock);
    return item;
}

static void stop(ms_handoff_t *self, bool cancel)
{
    pthread_mutex_lock(&self->lock);
    if (cancel)
        self->cancelled = true;
    else
        self->closed = true;
    pthread_cond_broadcast(&self->filled);
    pthread_cond_broadcast(&self->emptied);
    pthread_mutex_unlock(&self->lock);
}

void ms_handoff_close(ms_handoff_t *self)
{
    stop(self, false);
}

void ms_handoff_cancel(ms_handoff_t *self)
{
    stop(self, true);
}
