/**
 * @mmcdb/native — the Node-API reader behind @mmcdb/core's 'mmap' backend.
 *
 * Addressing. All offsets handed out are ABSOLUTE byte offsets in the file (< 2^53).
 * To view bytes [off, off + len): i = Math.floor(off / segmentStride),
 * start = i * segmentStride, then `Buffer.from(segments[i], off - start, len)`.
 * - fileSize < 2^32: one segment over the whole file; segmentStride = 2^32.
 * - fileSize ≥ 2^32: overlapping windows; segment i covers
 *   [i × 2^31, min(i × 2^31 + 2^32 − 1, fileSize)), segmentStride = 2^31, so every
 *   range of ≤ 2^31 bytes lies wholly inside segment floor(off / 2^31). A larger
 *   value may not: get() then returns 2 instead of 1, and JS must use copy() (which
 *   itself is limited to buffer.constants.MAX_LENGTH; beyond it: ERR_CDB_TOO_LARGE).
 * - externalBuffers false (V8 sandbox, napi_no_external_buffers_allowed): segments
 *   is empty; use copy(offset, length) for every value.
 *
 * Lifetime. The mapping is reference-counted: the handle holds one reference and each
 * segment ArrayBuffer holds one, released by its finalizer. close() drops the
 * handle's reference only, so every later call throws ERR_CDB_CLOSED while views made
 * before still read the file's bytes; the pages are unmapped when the last segment
 * ArrayBuffer is garbage-collected. Views are private copy-on-write pages (MAP_PRIVATE,
 * PROT_READ|PROT_WRITE): writing into one never changes the file.
 *
 * Errors. Data problems throw an Error with `code` ERR_CDB_FORMAT / ERR_CDB_TRUNCATED /
 * ERR_CDB_CHECKSUM / ERR_CDB_VERSION (open) or ERR_CDB_CORRUPT (lookups, iteration),
 * plus numeric `offset` and `path`; the message names the field and ends with
 * "(path, offset N)". System errors have code = errno name (ENOENT, EACCES, EISDIR,
 * …), `errno`, `syscall` and `path`. Bad arguments throw TypeError / RangeError.
 *
 * Not handled: a file truncated by another process while mapped (SIGBUS on access).
 */
export interface NativeBinding {
  open(path: string, options?: NativeOpenOptions): NativeHandle;
  /** Test hook: XXH64 of `bytes` with the seed (seedHi << 32 | seedLo), both u32. */
  xxh64(bytes: Uint8Array, seedHi: number, seedLo: number): bigint;
  /** Test hook: the classic djb cdb hash (u32). */
  djb(bytes: Uint8Array): number;
}

/** Test hooks only; production callers pass nothing. */
export interface NativeOpenOptions {
  /** false simulates a V8 sandbox: no segments, externalBuffers false. */
  externalBuffers?: boolean;
  /** Force windowed segments (windowStride ≤ windowSize < 2^32) on any file. */
  windowSize?: number;
  windowStride?: number;
}

export interface NativeHandle {
  readonly format: 'mmcdb' | 'classic';
  readonly fileSize: number;
  /** External ArrayBuffers over the mapping (see Addressing). Empty when !externalBuffers. */
  readonly segments: ArrayBuffer[];
  /** Byte distance between segment starts: 2^32 for a single segment, else 2^31. */
  readonly segmentStride: number;
  readonly externalBuffers: boolean;
  /**
   * The shared output array the lookups write into (absolute offsets, lengths).
   * Initially a Float64Array(512); setOut() replaces it (and this property). Do not
   * transfer or detach it.
   */
  readonly out: Float64Array;
  /**
   * First value of `key` (a string is UTF-8 encoded; any TypedArray is taken as its
   * bytes). 0: absent. 1: found, out[0] = value offset, out[1] = value length. 2: found
   * (out as for 1) but no segment holds the value whole — use copy().
   */
  get(key: string | Uint8Array): 0 | 1 | 2;
  /**
   * Every value of `key` in insertion order. Returns the count n; when
   * n ≤ out.length / 2, out[2i], out[2i+1] = offset, length of value i. When n is
   * larger nothing is written: setOut() a bigger array and call again.
   */
  getAll(key: string | Uint8Array): number;
  /** Replaces `out` (a Float64Array of at least 4 elements). */
  setOut(out: Float64Array): void;
  /**
   * Iteration in file order, skipping SUPERSEDED records. cursor 0 = first record;
   * pass the returned cursor back for the next one. Returns -1 at the end; otherwise
   * out[0..3] = key offset, key length, value offset, value length.
   */
  next(cursor: number): number;
  /** The metadata JSON text (FORMAT.md §Metadata), undefined when none or classic. */
  metadata(): string | undefined;
  /** A Buffer copy of file bytes [offset, offset + length). */
  copy(offset: number, length: number): Buffer;
  /** Idempotent. Later calls (except stats) throw ERR_CDB_CLOSED; see Lifetime. */
  close(): void;
  stats(): NativeStats;
}

export interface NativeStats {
  /** Bytes mapped by this handle; 0 after close(). */
  mappedBytes: number;
  segments: number;
  format: 'mmcdb' | 'classic';
  externalBuffers: boolean;
  closed: boolean;
}

declare const binding: NativeBinding;
export default binding;
export declare const open: NativeBinding['open'];
export declare const xxh64: NativeBinding['xxh64'];
export declare const djb: NativeBinding['djb'];
/** View (or copy) of file bytes [offset, offset + length) — the addressing above. */
export declare function viewOf(handle: NativeHandle, offset: number, length: number): Buffer;
