//  arena - bump allocation for protobuf-c unpacking (internal to lib/).
//
//  protobuf-c allocates every string, bytes field and submessage of an
//  unpacked message separately; an import of a million members made that
//  a million mallocs per pass. An arena hands out memory from a buffer the
//  caller owns (on the stack for one record) or from chunks it grows (for
//  a change set), and frees everything at once. Anything that does not fit
//  comes from malloc and is freed one by one, so no size is ever refused.

#ifndef MS_ARENA_H
#define MS_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ms_arena_chunk ms_arena_chunk_t;

typedef struct {
    uint8_t *buf;                  //  the current block
    size_t cap;                    //  bytes in it
    size_t used;                   //  bytes handed out
    ms_arena_chunk_t *chunks;      //  grown blocks, freed by ms_arena_release
    size_t grow;                   //  size of the next grown block; 0: never grow
    ProtobufCAllocator allocator;  //  pass &arena->allocator to unpack
} ms_arena_t;

//  Starts an arena either over BUF of CAP bytes with GROW 0 (what does not
//  fit comes from malloc), or with BUF NULL and GROW > 0 (blocks of GROW
//  bytes are added as needed; larger requests come from malloc).
void ms_arena_init(ms_arena_t *arena, void *buf, size_t cap, size_t grow);

//  Frees the grown blocks. What came from malloc is freed by free_unpacked
//  through the allocator, so call it after free_unpacked.
void ms_arena_release(ms_arena_t *arena);

#endif
