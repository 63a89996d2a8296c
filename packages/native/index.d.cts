/// <reference types="node" />
/**
 * @mmcdb/native — the Node-API reader behind @mmcdb/core's 'mmap' backend.
 *
 * Memory. The file is mapped twice (src/mapping.h). Lookups, iteration, metadata() and
 * copy() read a read-only mapping of the whole file that no JS ArrayBuffer covers; the
 * segments — the only ArrayBuffers handed out — cover just the DATA SECTION (FORMAT.md
 * §Layout: mmcdb [128, data_end); classic [2048, position of table 0)), in a second,
 * private copy-on-write mapping (MAP_PRIVATE, PROT_READ|PROT_WRITE). So no JS code can
 * reach the header or the index, and a write into a view never changes what any lookup
 * finds — nor the file. It does change what later views of the same bytes show (they
 * share the memory: zero-copy); evict() / advise('dontneed') revert such writes to the
 * file's bytes. Take a copy (copy(), Buffer.from(view)) to keep bytes you write into.
 *
 * Addressing. All offsets handed out are ABSOLUTE byte offsets in the file (< 2^53);
 * segments start at file offset segmentBase (the data section's start). To view bytes
 * [off, off + len) of a value or key: rel = off − segmentBase, i = min(floor(rel /
 * segmentStride), segments.length − 1), start = i × segmentStride, then
 * `Buffer.from(segments[i], rel − start, len)` (index.js viewOf). With D = the data
 * section's size:
 * - Node-API flavour (uncountedBuffers false): D ≤ 48 MiB: one segment over all of it,
 *   created at open, segmentStride = 2^32; larger: windows of 32 MiB every 16 MiB
 *   (segmentStride = 2^24), created on first use through segment(i).
 * - V8-API flavour (uncountedBuffers true): D ≤ 1 GiB: one segment; larger: windows of
 *   256 MiB every 128 MiB (segmentStride = 2^27).
 * - Windowed: segment i covers data bytes [i × stride, min(i × stride + 2 × stride, D))
 *   for i < ceil(D / stride); every range of ≤ stride bytes lies wholly inside its
 *   segment i. A larger value may not: get() then returns 2 instead of 1, and JS uses
 *   range(off, len) (its own ArrayBuffer, up to 2^32 − 1 bytes) or copy() (limited to
 *   buffer.constants.MAX_LENGTH; beyond it: ERR_CDB_TOO_LARGE).
 *   Why these sizes (src/segments.h, docs/RELIABILITY.md §Open without a GC): V8 collects
 *   garbage when its external-memory count grows by more than 64 MiB at once. Node-API
 *   buffers are counted (and compensated), so each stays under that; V8-API ones are not
 *   counted at all.
 * - D = 0 (no records): segments = [an empty ArrayBuffer].
 * - externalBuffers false (V8 sandbox, napi_no_external_buffers_allowed): segments
 *   is empty; use copy(offset, length) for every value.
 *
 * Lifetime. The mappings are reference-counted together: the handle holds one reference
 * and each segment ArrayBuffer holds one, released by its finalizer. close() closes the
 * file descriptor and drops the handle's reference, so every later call throws
 * ERR_CDB_CLOSED while views made before still read the file's bytes; the pages are
 * unmapped when the last segment ArrayBuffer is garbage-collected.
 *
 * Errors. Data problems throw `code` ERR_CDB_FORMAT / ERR_CDB_TRUNCATED / ERR_CDB_CHECKSUM
 * / ERR_CDB_VERSION (open), ERR_CDB_CORRUPT (lookups, iteration), ERR_CDB_CLOSED,
 * ERR_CDB_TOO_LARGE, with `path` and (when known) numeric `offset`. They are instances of
 * the class given to setErrorClass() — @mmcdb/core passes its CdbError, constructed as
 * `new CdbError(code, message, { offset, path })` — with the same message (and offset)
 * as core's own readers give for the same check; without a class, plain Errors whose
 * message is that message plus " (path, offset N)", as CdbError would make it. System
 * errors have code = errno name (ENOENT, EACCES, EISDIR for a folder, …), `errno`,
 * `syscall` and `path`. open() never blocks and reads nothing before it knows the path
 * is a regular file: a FIFO, socket or device throws ERR_CDB_FORMAT "not a regular file
 * (a FIFO)" (… "a socket", "a character device", "a block device"). Bad arguments throw
 * TypeError (code ERR_INVALID_ARG_TYPE) / RangeError (ERR_OUT_OF_RANGE). Two codes are
 * this package's own, never CdbErrors (documented here rather than mapped to a CdbError
 * code: neither is a data problem):
 * - ERR_MMCDB_NATIVE_LOAD: thrown by this module's import when no addon loads (with
 *   `attempts`: every path tried and why it failed); @mmcdb/core then falls back.
 * - ERR_MMCDB_NATIVE_QUEUE: getManyAsync rejects with it when the threadpool refused the
 *   job (napi_queue_async_work failed — the env is shutting down).
 *
 * Threads. Everything holds per env: each worker thread that imports this module gets
 * its own instance (and must call setErrorClass itself); a handle belongs to the env
 * that opened it.
 *
 * Page cache. open() keeps the file descriptor open until close() (for evict() and the
 * fstat of damaged()); close() closes it at once, whatever views remain. residency()
 * and evict() use mincore(2), which reports the page cache only to a process that may
 * write the file (owner, write permission or CAP_SYS_ADMIN) — otherwise only this
 * process's own mapped pages.
 *
 * Truncation while mapped (docs/RELIABILITY.md). Another process may truncate the file in
 * place; touching a page past the new end raises SIGBUS. A process-wide SIGBUS handler
 * (installed when the addon loads, chained to any handler installed before it) makes
 * that survivable: a native read that faults (get, getAll, next, getMany, copy,
 * metadata, open, and the threadpool jobs of getManyAsync / warm) throws — or rejects
 * with — ERR_CDB_TRUNCATED with the faulting file offset; a JS read through a view made
 * earlier reads zeros instead (anonymous zero pages are mapped from the faulting page to
 * the end of the mapping; the guard's registry of mappings has no size limit). Either
 * way the handle is then `damaged`: every later lookup
 * throws ERR_CDB_TRUNCATED. A cut inside a page is not a fault: the rest of that page
 * reads as zeros; damaged() / stats() also compare the file's size (fstat) to catch it.
 * A fault is charged to the mapping it hit: a key that is a view of ANOTHER database
 * whose file was truncated makes the call throw ERR_CDB_TRUNCATED "the key's memory
 * faulted…" with that database's path and offset; the called handle stays usable and
 * undamaged (the other one is damaged). SIGBUS faults outside our mappings and outside
 * our native reads go to the previous handler (or kill the process, as without us).
 */
export interface NativeBinding {
  open(path: string, options?: NativeOpenOptions): NativeHandle;
  /**
   * The class ERR_CDB_* errors are made with in this env (null: plain Errors again);
   * called as `new ctor(code, message, { offset?, path })`. TypeError for anything else.
   */
  setErrorClass(ctor: (new (code: string, message: string, options: { offset?: number; path?: string }) => Error) | null): void;
  /**
   * flock(fd, LOCK_EX | LOCK_NB) (LOCK_SH when exclusive is false): true when the lock is
   * held now, false when another open file description holds a conflicting one. The lock
   * is released when the descriptor is closed. Used for build temp files (a live build
   * holds its temp file locked, so another build can tell it from a dead one's leftover).
   */
  lockFile(fd: number, exclusive?: boolean): boolean;
  /**
   * The writer's bulk cdbmake path (@mmcdb/core Writer.addCdbmake): parses the complete
   * `+klen,dlen:key->value\n` records at the start of src and writes each as an mmcdb
   * record (FORMAT.md §Records) into dst, values aligned to `align` counting from file
   * offset filePos. For record i: positions[i] = its file offset, hashes[2i] / [2i + 1] =
   * low / high word of xxh64(key, seed). Returns the number of records; state = [src bytes
   * consumed, dst bytes written, newlines consumed, stop: 0 = src[consumed] is not a
   * complete well-formed record (end of input, the final empty line, bad input: the JS
   * parser takes over), 1 = dst is full, 2 = positions/hashes are full, 3 = the record
   * does not fit even in an empty dst]. Never throws for bad input.
   */
  encodeCdbmake(
    src: Uint8Array,
    dst: Uint8Array,
    filePos: number,
    align: number,
    seed: bigint,
    positions: Float64Array,
    hashes: Uint32Array,
    state: Float64Array,
  ): number;
  /**
   * Sharded sets (docs/SHARDS.md §Partition): shard = xxh64(key, seed) mod n, 1 ≤ n ≤ 65536.
   * shardRoute copies the complete cdbmake records at the start of src whose shard s is in
   * [first, first + count) to the end of region s − first of `out` (region r = bytes
   * [r × regionSize, (r + 1) × regionSize), filled up to used[r]), skipping the others.
   * Returns the records parsed; state = [src bytes consumed, newlines consumed, stop
   * (0 = not a complete well-formed record, 1 = its region is full, 3 = larger than a
   * region), the stopping record's shard]. Never throws for bad input (src/shards.cc).
   */
  shardRoute(
    src: Uint8Array,
    seed: bigint,
    n: number,
    first: number,
    count: number,
    out: Uint8Array,
    regionSize: number,
    used: Float64Array,
    state: Float64Array,
  ): number;
  /**
   * As shardRoute, but each record is written already encoded as an mmcdb record at its
   * shard file's next position (positions[r]; values aligned to `align`), with its index
   * entry (position, xxh64(key, fileSeed)) — the layout of @mmcdb/core's set builder
   * (format/sharded/regions.ts; src/shard_encode.cc). Returns the records parsed; state as
   * shardRoute's (stop 2: the region's entries are full).
   */
  shardEncode(
    src: Uint8Array,
    seed: bigint,
    fileSeed: bigint,
    n: number,
    first: number,
    count: number,
    align: number,
    buf: Uint8Array,
    regionSize: number,
    entryCap: number,
    used: Float64Array,
    records: Float64Array,
    positions: Float64Array,
    state: Float64Array,
  ): number;
  /** The partition of one set, bound once (RangeError for a seed ≥ 2^64 or n out of range). */
  shardRouter(seed: bigint, n: number): NativeShardRouter;
  /**
   * The set reader's route-and-look-up path over shards attached as handles of open()
   * (src/shard_index.cc). `out` (≥ 2 numbers) receives get()'s value offset and length.
   */
  shardIndex(seed: bigint, n: number, out: Float64Array): NativeShardIndex;
  /** Every file this process has mapped through the addon (src/mapping_list.h), every thread's readers. */
  mappings(): NativeMapping[];
  /**
   * Which build loaded (index.cjs): 'v8' — mmcdb_v8_abi<NODE_MODULE_VERSION>.node, built
   * for this Node ABI only, with V8 fast API calls (handle.fast) and uncounted segment
   * buffers; 'napi' — mmcdb.node, the Node-API addon. MMCDB_NATIVE_FLAVOR=napi|v8 chooses;
   * the default is 'v8' where it loads.
   */
  readonly flavor: 'napi' | 'v8';
  /** Why this flavour (the environment variable, or why the V8-API one did not load). */
  readonly flavorReason: string;
  // Test hooks (xxh64, djb, sigbusTest) are not here: they exist only in the test addon,
  // build/Release/mmcdb_test.node (binding.gyp target mmcdb_test), which the tests load.
}

/**
 * The V8-API flavour's fast lookups (src/fast_calls.h), one object per handle. Once the
 * calling function is optimized, TurboFan calls them as plain C functions (a string key
 * must be a flat one-byte string for that, a byte key a Uint8Array; anything else takes
 * the slow callback, with the same results).
 */
export interface NativeFastLookup {
  /**
   * As NativeHandle.get(key) for a string key (UTF-8 encoded): 1 / 2 / 0 with out[0..1]
   * set alike — or −1: ask NativeHandle.get(key), which repeats the lookup and throws
   * what it finds (closed, truncated, corrupt; a key over 1 KiB of UTF-8). Never throws.
   */
  get(key: string): -1 | 0 | 1 | 2;
  /** The same for a Uint8Array key (its bytes). */
  getBytes(key: Uint8Array): -1 | 0 | 1 | 2;
  /** Whether the handle is closed (the cheapest call: bench/hot-path.mjs "empty call"). */
  closed(): boolean;
}

/** One mapped file (mappings()). */
export interface NativeMapping {
  path: string;
  /** The file's size when it was opened. */
  fileBytes: number;
  /** Address space: the whole file read-only plus the data section's views mapping. */
  mappedBytes: number;
  /** The file's bytes in the page cache (mincore). */
  residentBytes: number;
  /** Open handles on it; 0 once closed while a view still holds it. */
  readers: number;
  /** Segment ArrayBuffers alive over it. */
  views: number;
}

export interface NativeShardRouter {
  /**
   * The shard of `key` (a string is UTF-8 encoded). A key that is a view of a database
   * whose file was truncated throws ERR_CDB_TRUNCATED ("the key's memory faulted").
   */
  of(key: string | Uint8Array): number;
  /** out[i] = the shard of keys[i]; keys are read (copied) before `out` is checked and written. */
  many(keys: (string | Uint8Array)[], out: Uint32Array): void;
}

/**
 * Route and look up in one call. Shards are attached as handles of open() in this
 * thread; the index holds a reference to each attached handle (released by detach(),
 * close() or its own collection) and reads the handle's file exactly as the handle's
 * lookups do (same bounds checks), never through JS memory. It never answers for a
 * handle closed or found damaged since it was attached: whatever it cannot answer goes
 * back to the caller, who asks that shard's handle (which then throws the right error).
 */
export interface NativeShardIndex {
  /** True when `handle` is an open, undamaged handle of open(): shard i is answered here from now on; false otherwise (TypeError for a bad i). */
  attach(shard: number, handle: NativeHandle): boolean;
  /** Shard i goes back to the caller. */
  detach(shard: number): void;
  /**
   * s + 1 when found in shard s (out[0], out[1] = the value's absolute offset and length
   * in that shard's file: view it through that handle's segments, Addressing); 0 when
   * absent; −(s + 1) when shard s's handle must answer (not attached, closed, damaged,
   * corrupt where the key leads, a SIGBUS in its file). A key that is a view of a
   * database whose file was truncated throws ERR_CDB_TRUNCATED ("the key's memory
   * faulted"), as the handle's lookups do.
   */
  get(key: string | Uint8Array): number;
  /**
   * For each key: out[2i], out[2i + 1] = absolute offset and length in shard shards[i]
   * of its first value; out[2i] = −1 when absent, −2 when that shard's handle must
   * answer. Keys are read (copied) first — a key that faults throws as for get(); then
   * out (≥ 2 numbers per key) and shards (≥ 1 per key) are checked: RangeError.
   */
  getMany(keys: (string | Uint8Array)[], out: Float64Array, shards: Uint32Array): void;
  /** Detaches every shard; later attach() calls return false. */
  close(): void;
}

export interface NativeOpenOptions {
  /**
   * madvise(2) over both mappings right after mmap. Absent: none (the kernel's
   * default, 'normal': fault readahead). 'random' stops readahead: a cold get() reads one
   * page instead of stalling on a readahead window (measured: 13–18 ms), but a cold
   * scan (next()) is ~7× slower (advise('sequential') or warm('all') first). Other strings: RangeError; non-strings: TypeError.
   */
  advice?: 'normal' | 'random' | 'sequential';
  // Test hooks only; production callers pass nothing below.
  /** false simulates a V8 sandbox: no segments, externalBuffers false. */
  externalBuffers?: boolean;
  /** Force windowed segments (windowStride ≤ windowSize < 2^32) on any file. */
  windowSize?: number;
  windowStride?: number;
}

export interface NativeHandle {
  readonly format: 'mmcdb' | 'classic';
  readonly fileSize: number;
  /**
   * External ArrayBuffers over the data section (see Memory, Addressing). Empty when
   * !externalBuffers. A data section of ≤ 1 GiB has its one segment filled at open. A
   * windowed one gets a list of holes: call segment(i) (and cache it here) for the
   * windows you read from, so open stays O(1) at any size.
   */
  readonly segments: (ArrayBuffer | undefined)[];
  /** Creates the ArrayBuffer over window i; undefined when i is out of range or external buffers are refused. */
  segment(i: number): ArrayBuffer | undefined;
  /**
   * An external ArrayBuffer over exactly file bytes [offset, offset + length) (length
   * < 2^32), for a value no window holds; undefined when refused or when the bytes are
   * not all inside the data section.
   */
  range(offset: number, length: number): ArrayBuffer | undefined;
  /** Byte distance between segment starts: 2^32 for a single segment, else 2^24 (Node-API flavour) or 2^27. */
  readonly segmentStride: number;
  /** File offset where segment 0 starts: the data section's start (mmcdb 128, classic 2048). */
  readonly segmentBase: number;
  readonly externalBuffers: boolean;
  /** Whether segments are ArrayBuffers V8 does not count as external memory (the V8-API flavour, src/uncounted_buffer.h). */
  readonly uncountedBuffers: boolean;
  /**
   * The shared output array the lookups write into (absolute offsets, lengths).
   * Initially a Float64Array(512); setOut() replaces it (and this property). Do not
   * transfer or detach it.
   */
  readonly out: Float64Array;
  /** The V8-API flavour only (binding.flavor 'v8'): the lookups as V8 fast API calls. */
  readonly fast?: NativeFastLookup;
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
  /**
   * Batched iteration (src/scan.h): from `cursor` (0 = the first record; then the cursor
   * this call leaves in out[0] of the handle), writes up to floor(records.length / 4)
   * records in file order, SUPERSEDED ones skipped as next() skips them:
   * records[4i..4i+3] = key offset, key length, value offset, value length — offsets
   * RELATIVE to the batch's origin. Returns the count n (0 only at the end). The handle's
   * `out` then holds the batch head: out[0] = the cursor for the next call (−1: no more
   * records), out[1] = segment index s, out[2] = origin (a file offset), out[3] = span.
   * Every record of the batch lies in [origin, origin + span): when s ≥ 0 that is inside
   * segment s, which starts at origin (view segments[s], or segment(s) for a window not
   * made yet); when s = −1 view range(origin, span), or copy(origin, span) when that is
   * undefined — a single record no window holds whole, or, without external buffers,
   * records spanning up to 4 MiB (one copy per batch). Every offset is checked against
   * the data section first (ERR_CDB_CORRUPT, as next()); the reads run under the SIGBUS
   * guard (ERR_CDB_TRUNCATED). `records` is a Float64Array or a Uint32Array (offsets are
   * relative, so they fit unless a single record spans 4 GiB: ERR_CDB_TOO_LARGE — a
   * Buffer could not hold it either) of ≥ 4 elements that does not overlap `out`
   * (TypeError / RangeError). @mmcdb/core asks for 1,024 records a call (the batch then
   * still sits in L2 when JS reads it: 4,096 measured ~10 % slower, 16,384 ~40 %).
   */
  scan(cursor: number, records: Float64Array | Uint32Array): number;
  /** The metadata JSON text (FORMAT.md §Metadata), undefined when none or classic. */
  metadata(): string | undefined;
  /**
   * mmcdb: the header's record_count (FORMAT.md §Header); classic: the records the hash
   * tables reach (non-empty slots), as @mmcdb/core's ClassicEngine counts them.
   */
  recordCount(): number;
  /** A Buffer copy of file bytes [offset, offset + length). */
  copy(offset: number, length: number): Buffer;
  /**
   * Sync batch lookup of first values, for warm data. For N keys writes
   * out[2i] = value offset (absolute) and out[2i + 1] = length, or out[2i] = -1 and
   * out[2i + 1] = 0 when absent. Returns the number found. Equal, key by key, to get()
   * (first value of a duplicated key; '' and empty values as get()). One N-API call:
   * first every key is read and copied (N = the array's length when the call starts;
   * getters on it may run any JS, even this handle's methods, without effect on this
   * call; a getter that closes the handle makes it throw ERR_CDB_CLOSED), then `out` and
   * the handle are checked again, then the keys are looked up 16 at a time: hashed,
   * their slots then candidate records prefetched before any is compared, so cache
   * misses overlap. The caller checks that a value lies inside its segment (Addressing;
   * always true up to 128 MiB) or uses copy(), as for get() returning 2. `out` must hold
   * ≥ 2N numbers (RangeError), and is only valid up to the key where an error was
   * thrown. Errors: TypeError for keys that are not an array of strings / Uint8Arrays
   * (a Proxy is not an array); ERR_CDB_CORRUPT (+ offset) as get() would throw for the
   * first key, in order, whose lookup meets corruption; ERR_CDB_CLOSED; ERR_CDB_TRUNCATED
   * when a key's bytes fault (a view of a truncated database: see Truncation).
   */
  getMany(keys: (string | Uint8Array)[], out: Float64Array): number;
  /**
   * Async batch: copies the keys' bytes now, then looks them up AND reads one byte of
   * every page of every found value on the libuv threadpool, so page faults happen off
   * the JS thread; resolves to a new Float64Array(2N) laid out like getMany's out.
   * A batch is split into up to UV_THREADPOOL_SIZE (default 4) jobs of ≥ 16 keys. While
   * the pages look cold, a job requests (MADV_WILLNEED) the slots, then the records,
   * then the values of 64 keys before reading any, so their disk reads overlap; it stops
   * when the pages are resident (~1 µs a key saved) and starts again when reads block.
   * Rejects with ERR_CDB_CORRUPT (+ offset, path) for the first key, in order, whose
   * lookup meets corruption. Throws synchronously for bad arguments and ERR_CDB_CLOSED.
   * close() while batches are in flight: each job holds a reference on the mapping, so
   * batches already started complete and resolve normally; the pages are unmapped after
   * the last job ends and the segments are collected. Calls after close() throw.
   */
  getManyAsync(keys: (string | Uint8Array)[], mode?: 'threadpool' | 'willneed', cancel?: Int32Array): Promise<Float64Array>;
  // mode 'willneed': one job per ≥ 256 keys; while the pages look cold, every key of the
  // job walks one step per round (slot, record, value) and each round first requests
  // (MADV_WILLNEED) what every key reads next, so all of the job's reads are in flight
  // at once. cancel (an Int32Array): once cancel[0] ≠ 0 the jobs stop early and the
  // batch resolves with partial results (for a caller that gave up on it).
  /**
   * io_uring (Linux, an addon built with liburing): creates this handle's ring with
   * `queueDepth` reads in flight at most, once (later calls return the first answer).
   * undefined when it runs, else why not (seccomp EPERM/ENOSYS, io_uring_disabled, an
   * old kernel, MMCDB_URING_FORCE_FAIL). Absent on an addon built without liburing.
   */
  uringStart?(queueDepth: number): string | undefined;
  /**
   * getManyAsync through the ring (uringStart first, else ERR_MMCDB_NATIVE_QUEUE):
   * the JS thread walks every key (slot, record, value) and reads only bytes on resident
   * pages (mincore); the others are read into the page cache with IORING_OP_READ, the
   * completions reaped through an eventfd libuv watches. Work is done in slices of
   * ≤ 1 ms per event-loop turn. Same results, errors and close() rules as getManyAsync.
   * A batch that starts while a sweep (mincore, ≤ 250 µs a turn) has found the whole
   * file resident skips the walk and runs getMany's lookup; walkOnly (tests) forbids that.
   */
  uringGetMany?(keys: (string | Uint8Array)[], cancel?: Int32Array, walkOnly?: boolean): Promise<Float64Array>;
  /**
   * madvise(2) over the whole file, or [offset, offset + length) widened to whole
   * pages, in both mappings (the read-only one; the views one for the part of the range
   * it holds) (length defaults to the rest of the file): 'normal' | 'random' | 'sequential' |
   * 'willneed' | 'dontneed'. Other names: RangeError; a range beyond the file: RangeError.
   * 'dontneed' drops this process's pages of the range, as evict() does (views stay
   * valid and re-read the file; private writes into them are lost).
   */
  advise(advice: 'normal' | 'random' | 'sequential' | 'willneed' | 'dontneed', offset?: number, length?: number): void;
  /**
   * Off-thread prefetch: MADV_WILLNEED in 2 MiB chunks (kept 8 ahead) and a read of one
   * byte per page, on the threadpool. 'index' — mmcdb: [index_offset, meta_offset);
   * classic: the 2048-byte TOC and the hash tables (pos of table 0 to EOF); 'all' — the
   * whole file, and the data section's pages once more through the views mapping (so JS
   * reading values takes no page faults either). Resolves once every page has been
   * touched (so it is resident unless memory pressure evicts it again). Other values:
   * RangeError. close() meanwhile is safe.
   */
  warm(what: 'index' | 'all'): Promise<void>;
  /**
   * mincore(2) over both mappings (a page counts when either has it): bytes of the
   * index (as warm('index') defines it) and of the records (mmcdb: [128, data_end);
   * classic: [2048, pos of table 0)) that are resident in the page cache, out of their
   * totals. ~1 ms per 100 MB.
   */
  residency(): { index: { resident: number; total: number }; data: { resident: number; total: number }; pageSize: number };
  /**
   * Drops the file's clean pages: madvise(MADV_DONTNEED) over both mappings (this
   * process stops holding them; views stay valid and re-read the file — any private
   * copy-on-write page a user wrote into through a view REVERTS to the file's bytes),
   * then posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) on the descriptor kept from open()
   * (until close()).
   * Returns the bytes still resident afterwards (mincore): pages that another mapping
   * holds (another process, or another open() of the same file here), and dirty pages of
   * a file just written and not yet synced, stay.
   */
  evict(): number;
  /**
   * Whether the file shrank under the mapping: a read met a lost page (SIGBUS), or
   * fstat on the kept descriptor shows the file shorter than the mapping (one syscall).
   * Once true, every lookup throws ERR_CDB_TRUNCATED. After close(): the value at close.
   */
  damaged(): boolean;
  /**
   * Idempotent. Closes the file descriptor and drops the handle's mapping reference;
   * later calls (except stats, damaged) throw ERR_CDB_CLOSED; see Lifetime.
   */
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
  /** As damaged(). */
  damaged: boolean;
}

declare const binding: NativeBinding;
export default binding;
export declare const open: NativeBinding['open'];
export declare const encodeCdbmake: NativeBinding['encodeCdbmake'];
export declare const setErrorClass: NativeBinding['setErrorClass'];
export declare const lockFile: NativeBinding['lockFile'];
export declare const shardRoute: NativeBinding['shardRoute'];
export declare const shardEncode: NativeBinding['shardEncode'];
export declare const shardRouter: NativeBinding['shardRouter'];
export declare const shardIndex: NativeBinding['shardIndex'];
export declare const mappings: NativeBinding['mappings'];
export declare const flavor: NativeBinding['flavor'];
export declare const flavorReason: NativeBinding['flavorReason'];
/** View (or copy) of file bytes [offset, offset + length) — the addressing above. */
export declare function viewOf(handle: NativeHandle, offset: number, length: number): Buffer;
