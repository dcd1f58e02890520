//  fuzz - the entry point every fuzz target defines.
//
//  Under clang with -fsanitize=fuzzer, libFuzzer calls it with mutated
//  inputs; in every other build replay.c calls it once per corpus file, so
//  the corpus is a regression test. It returns 0 and must not crash, leak
//  or read out of bounds whatever DATA holds.

#ifndef MS_FUZZ_H
#define MS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
