//  keyset - the keys seen so far in a file, as 64-bit hashes.
//
//  An import refuses a file that names one key twice. Holding every key of
//  a ten-million-row file would cost more than the file; the set holds an
//  8-byte hash per key instead (open addressing, three quarters full at
//  most), so ten million keys cost 128 MiB. A hash already present is only
//  a suspicion: the caller confirms it against the keys themselves, which
//  only a real duplicate (or a 1-in-2^64 collision) costs.
//  Thread rule: one thread at a time.
#ifndef MS_KEYSET_H
#define MS_KEYSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct ms_keyset ms_keyset_t;

//  An empty set with room for ROOM keys before it grows, into *SELF_P.
//  Returns 0 or MS_ENOMEM (*SELF_P NULL).
int ms_keyset_new(size_t room, ms_keyset_t **self_p);

//  Frees the set and sets *SELF_P to NULL. Safe on NULL.
void ms_keyset_destroy(ms_keyset_t **self_p);

//  The hash of KEY (a C string) the set works with; never 0.
uint64_t ms_keyset_hash(const char *key);

//  Asks the processor to fetch the slot of hash H ahead of ms_keyset_add:
//  past a million keys the set is far larger than its caches.
void ms_keyset_prefetch(const ms_keyset_t *self, uint64_t h);

//  Adds hash H. Returns 0, 1 when H was there already, or MS_ENOMEM.
int ms_keyset_add(ms_keyset_t *self, uint64_t h);

//  Forgets every key, keeping the room.
void ms_keyset_clear(ms_keyset_t *self);

#endif
