//  arena - bump allocator behind protobuf-c's ProtobufCAllocator.

#include "arena.h"

#include <stdlib.h>

struct ms_arena_chunk {
    ms_arena_chunk_t *next;  //  older block
};

static int inside(const ms_arena_t *arena, const void *ptr)
{
    return arena->buf && (const uint8_t *)ptr >= arena->buf &&
           (const uint8_t *)ptr < arena->buf + arena->cap;
}

static int owned(const ms_arena_t *arena, const void *ptr)
{
    if (inside(arena, ptr))
        return 1;
    for (const ms_arena_chunk_t *chunk = arena->chunks; chunk; chunk = chunk->next)
        if ((const uint8_t *)ptr > (const uint8_t *)chunk &&
            (const uint8_t *)ptr < (const uint8_t *)(chunk + 1) + arena->grow)
            return 1;
    return 0;
}

static void *arena_alloc(void *data, size_t size)
{
    ms_arena_t *arena = data;
    size = (size + 15) & ~(size_t)15;
    if (arena->used + size > arena->cap) {
        if (!arena->grow || size > arena->grow)
            return malloc(size);
        ms_arena_chunk_t *chunk = malloc(sizeof *chunk + arena->grow);
        if (!chunk)
            return NULL;
        chunk->next = arena->chunks;
        arena->chunks = chunk;
        arena->buf = (uint8_t *)(chunk + 1);
        arena->cap = arena->grow;
        arena->used = 0;
    }
    void *ptr = arena->buf + arena->used;
    arena->used += size;
    return ptr;
}

static void arena_free(void *data, void *ptr)
{
    if (ptr && !owned(data, ptr))
        free(ptr);
}

void ms_arena_init(ms_arena_t *arena, void *buf, size_t cap, size_t grow)
{
    arena->buf = buf;
    arena->cap = buf ? cap : 0;
    arena->used = (size_t)(-(uintptr_t)buf & 15);
    if (arena->used > arena->cap)
        arena->used = arena->cap;
    arena->chunks = NULL;
    arena->grow = grow;
    arena->allocator.alloc = arena_alloc;
    arena->allocator.free = arena_free;
    arena->allocator.allocator_data = arena;
}

void ms_arena_release(ms_arena_t *arena)
{
    while (arena->chunks) {
        ms_arena_chunk_t *next = arena->chunks->next;
        free(arena->chunks);
        arena->chunks = next;
    }
    arena->buf = NULL;
    arena->cap = arena->used = 0;
}
