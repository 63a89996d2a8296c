// Batched full scans: handle.scan(cursor, out) (index.d.cts NativeHandle.scan). One call
// walks up to out.length / 4 records in file order (skipping SUPERSEDED ones, as next()
// does) and writes each one's (key offset, key length, value offset, value length) into
// `out`, relative to the batch's origin, so JS views thousands of records per N-API
// call instead of one (issue 16: one next() call per record ran at 0.16× tinycdb's
// cdb_seq).
//
// Every record of a batch lies wholly in ONE byte range JS can view, named in the batch
// head (h->out[0..3]):
// - a segment (window) i ≥ 0: origin = the window's first file offset; the batch ends
//   before the first record that runs past the window's end;
// - i = −1: bytes [origin, origin + span) JS views through range() or copies with
//   copy() — one record that no window holds whole (windowed files, records over the
//   stride), or, without external buffers (V8 sandbox), records from origin up to
//   kCopyBatchSpan bytes (so a batch is one copy, not two per record).
#pragma once
#include <node_api.h>

#include <cstdint>

namespace mmcdb {

// Without external buffers, a batch spans at most this many bytes (its first record may
// be larger: then it is alone).
constexpr uint64_t kCopyBatchSpan = 4ULL << 20;

// scan(cursor, out): out is a Float64Array or a Uint32Array of ≥ 4 elements. Returns
// the number n of records written (0 only at the end). h->out[0] = the cursor of the
// next batch (−1: no records after these), [1] = segment index (−1: none, see above),
// [2] = origin (file offset the record offsets count from), [3] = span (bytes from
// origin holding every record of the batch).
napi_value Scan(napi_env env, napi_callback_info info);

}  // namespace mmcdb
