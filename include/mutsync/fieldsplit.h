//  fieldsplit - a batch of envelopes rearranged field by field, losslessly,
//  so that zstd sees like next to like.
//
//  A batch is frames of protobuf messages (a 4-byte length, then an
//  envelope, whose body is a change set, whose changes hold records).
//  Encoding walks each frame as protobuf wire format and writes every
//  field's bytes to the stream of its path (the field numbers from the
//  frame down to it): the tags, the lengths, the values, each in its own
//  stream, so a thousand birth dates sit together, and a thousand member
//  ids. A length-delimited field that parses as a message is walked in
//  turn (a flag byte says so); anything else is kept as bytes. Nothing is
//  re-encoded: every byte of the input is copied once, so decoding gives
//  back the very bytes that were signed. The format is in docs/PROTOCOL.md
//  (Compression).

#ifndef MS_FIELDSPLIT_H
#define MS_FIELDSPLIT_H

#include "mutsync/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_FIELDSPLIT_MAGIC_BYTES 4  //  zero bytes: a zero-length frame to a version 1 reader
#define MS_FIELDSPLIT_STREAMS_MAX 256
#define MS_FIELDSPLIT_DEPTH_MAX 8  //  messages walked inside one frame

//  Encodes the LEN bytes of frames at RAW. On success *OUT_P is a new buffer
//  of *OUT_LEN bytes the caller frees. Returns 0, MS_EINVAL when RAW is not
//  a sequence of frames (4-byte big-endian length, then that many bytes),
//  or MS_ENOMEM.
MS_MUST_CHECK int ms_fieldsplit_encode(const uint8_t *raw, size_t len, uint8_t **out_p,
                                       size_t *out_len, ms_error_t *err);

//  True when the LEN bytes at DATA begin as an encoded batch does.
bool ms_fieldsplit_is(const uint8_t *data, size_t len);

//  Decodes what ms_fieldsplit_encode wrote. The frames must come to at
//  most MAX bytes. On success *OUT_P is a new buffer of *OUT_LEN bytes the
//  caller frees. Any inconsistency (a stream too short or too long, a
//  message whose fields do not end where its length says, too deep) is
//  MS_EINVAL, with *OUT_P NULL; MS_ENOMEM without memory.
MS_MUST_CHECK int ms_fieldsplit_decode(const uint8_t *data, size_t len, size_t max, uint8_t **out_p,
                                       size_t *out_len, ms_error_t *err);

#endif
