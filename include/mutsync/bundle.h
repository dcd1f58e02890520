//  bundle - change sets carried on a USB key (sneakernet).
//
//  A bundle file is "MSBUNDL1" followed by frames: a 4-byte big-endian
//  length and that many bytes of one envelope, exactly as stored. Export
//  writes what a sync would send to the parent (syncscope.h): its own and
//  its descendants' public feeds (certifiers first), its own register feed
//  when its register reach is 1 or more, and never a care feed. Import applies
//  the same accept rules as sync, in one transaction: refusals go to the
//  quarantine, and a damaged file (bad magic, a torn frame) imports nothing.

#ifndef MS_BUNDLE_H
#define MS_BUNDLE_H

#include "mutsync/node.h"

#define MS_BUNDLE_MAGIC "MSBUNDL1"

typedef struct {
    uint64_t envelopes;   //  frames written or read
    uint64_t bytes;       //  file size
    uint64_t applied;     //  import: applied
    uint64_t duplicates;  //  import: already held
    uint64_t refused;     //  import: quarantined
} ms_bundle_stats_t;

//  Writes the bundle to PATH (replaced atomically: written to PATH.tmp,
//  fsynced, renamed), after publishing what is pending (ms_node_before_leave).
//  Returns 0 or MS_EIO / a store error.
MS_MUST_CHECK int ms_bundle_export(ms_node_t *node, const char *path, ms_bundle_stats_t *stats,
                                   ms_error_t *err);

//  Applies every envelope of the bundle at PATH. Returns 0 with STATS
//  (refusals are data, counted in STATS), MS_EINVAL for a damaged file
//  (nothing applied), MS_EIO, or a store error.
MS_MUST_CHECK int ms_bundle_import(ms_node_t *node, const char *path, ms_bundle_stats_t *stats,
                                   ms_error_t *err);

#endif
