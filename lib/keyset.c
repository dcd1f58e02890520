//  keyset - the keys seen so far in a file, as 64-bit hashes.
//
//  DESIGN. Open addressing with linear probing over a power-of-two table
//  of hashes, 0 marking an empty slot. Keys land anywhere in the table, so
//  each lookup would also miss the address translation cache: past a huge
//  page the table is mapped apart and asks for huge pages (2 MiB) where the
//  system allows them. Pages no key reached stay unused, as with calloc.

#include "mutsync/keyset.h"

#include "mutsync/error.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE_BYTES (2u << 20)
#define FIRST_CAPACITY 4096

struct ms_keyset {
    uint64_t *slots;  //  hash of each key, 0 = empty
    size_t capacity;  //  slots, a power of two
    size_t count;     //  keys held
};

static uint64_t *table_new(size_t capacity)
{
    size_t bytes = capacity * sizeof(uint64_t);
    if (bytes < HUGE_PAGE_BYTES)
        return calloc(capacity, sizeof(uint64_t));
    void *table = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (table == MAP_FAILED)
        return NULL;
    (void)madvise(table, bytes, MADV_HUGEPAGE);
    return table;
}

static void table_free(uint64_t *table, size_t capacity)
{
    size_t bytes = capacity * sizeof(uint64_t);
    if (bytes < HUGE_PAGE_BYTES)
        free(table);
    else if (table)
        munmap(table, bytes);
}

//  Makes room for at least ROOM keys (twice the slots, or more).
static int grow(ms_keyset_t *self, size_t room)
{
    size_t capacity = self->capacity ? self->capacity * 2 : FIRST_CAPACITY;
    while (room * 4 > capacity * 3)
        capacity *= 2;
    uint64_t *slots = table_new(capacity);
    if (!slots)
        return MS_ENOMEM;
    for (size_t i = 0; i < self->capacity; i++) {
        if (!self->slots[i])
            continue;
        size_t j = self->slots[i] & (capacity - 1);
        while (slots[j])
            j = (j + 1) & (capacity - 1);
        slots[j] = self->slots[i];
    }
    table_free(self->slots, self->capacity);
    self->slots = slots;
    self->capacity = capacity;
    return 0;
}

int ms_keyset_new(size_t room, ms_keyset_t **self_p)
{
    *self_p = NULL;
    ms_keyset_t *self = calloc(1, sizeof *self);
    if (!self || grow(self, room) != 0) {
        free(self);
        return MS_ENOMEM;
    }
    *self_p = self;
    return 0;
}

void ms_keyset_destroy(ms_keyset_t **self_p)
{
    ms_keyset_t *self = *self_p;
    if (!self)
        return;
    table_free(self->slots, self->capacity);
    free(self);
    *self_p = NULL;
}

uint64_t ms_keyset_hash(const char *key)
{
    uint64_t h = 1469598103934665603ull;  //  FNV-1a, then a finaliser to spread the low bits
    for (; *key; key++)
        h = (h ^ (uint8_t)*key) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h ? h : 1;
}

void ms_keyset_prefetch(const ms_keyset_t *self, uint64_t h)
{
    __builtin_prefetch(&self->slots[h & (self->capacity - 1)]);
}

int ms_keyset_add(ms_keyset_t *self, uint64_t h)
{
    if ((self->count + 1) * 4 > self->capacity * 3 && grow(self, self->count + 1) != 0)
        return MS_ENOMEM;
    size_t i = h & (self->capacity - 1);
    for (; self->slots[i]; i = (i + 1) & (self->capacity - 1))
        if (self->slots[i] == h)
            return 1;
    self->slots[i] = h;
    self->count++;
    return 0;
}

void ms_keyset_clear(ms_keyset_t *self)
{
    memset(self->slots, 0, self->capacity * sizeof *self->slots);
    self->count = 0;
}
