// The public Reader: one facade over every backend (engine.ts). It owns the closed
// state and argument checks so each engine stays small.
import { checkKey, checkKeys, type Bytes } from '../util/bytes.js';
import { CdbError } from '../util/errors.js';
import { parseMetadata } from '../util/json.js';
import type { SetReaderInfo } from './sharded/set-engine.js';
import { checkSignal, sliced, syncSlices, SYNC_SLICE_KEYS, type AsyncCallOptions } from './async-batch.js';
import type { AsyncIo } from './async-io.js';
import { checkCallback, forEachEntry, forEachRawEntry, forEachRawEntryAsync } from './scan-fallback.js';
import {
  engineStats,
  type Backend,
  type Engine,
  type EngineStats,
  type FormatName,
  type RawRecordCallback,
  type RecordCallback,
  type Residency,
  type WarmTarget,
} from '../format/engine.js';

export interface ReaderStats extends EngineStats {
  path: string;
  fallbackReason: string | undefined;
  /** A sharded set (docs/SHARDS.md): its id, shard count, partition seed, version folder, shards open now. */
  set?: SetReaderInfo;
}

export class Reader implements Iterable<[Buffer, Buffer]> {
  readonly path: string;
  readonly backend: Backend;
  readonly format: FormatName;
  /** Why the preferred backend (mmap) is not serving this reader, if it is not. */
  readonly fallbackReason: string | undefined;
  /**
   * mmap: which build of the native addon serves — 'v8' (V8 fast API calls, built for this
   * Node ABI) or 'napi' (the Node-API addon); MMCDB_NATIVE_FLAVOR chooses. undefined for
   * the other backends.
   */
  readonly nativeFlavor: 'napi' | 'v8' | undefined;
  #engine: Engine | undefined;
  #metadata: { value: unknown } | undefined;
  /** getManyAsync calls in flight; close() waits for them before closing the engine. */
  #inflight = 0;
  #closeWhenIdle: Engine | undefined;

  /** @internal Use openSync() or open(). */
  constructor(engine: Engine, path: string, fallbackReason: string | undefined) {
    this.#engine = engine;
    this.path = path;
    this.backend = engine.backend;
    this.format = engine.format;
    this.fallbackReason = fallbackReason;
    this.nativeFlavor = engine.nativeFlavor;
  }

  #live(): Engine {
    if (this.#engine === undefined) throw new CdbError('ERR_CDB_CLOSED', 'reader is closed', { path: this.path });
    return this.#engine;
  }

  /** Records in the file (live ones: duplicates count once each). */
  get size(): number {
    return this.#live().size;
  }

  get closed(): boolean {
    return this.#engine === undefined;
  }

  /**
   * mmap backend: true once the file was found truncated under the mapping (a read met a
   * lost page, or its size is now smaller; one fstat). Every lookup then throws
   * ERR_CDB_TRUNCATED: reopen the file. Always false for the other backends and once closed.
   */
  get damaged(): boolean {
    return this.#engine?.damaged?.() ?? false;
  }

  /** The first value stored under `key`, or undefined. */
  get(key: Bytes): Buffer | undefined {
    return this.#live().get(checkKey(key));
  }

  /** Every value stored under `key`, in insertion order ([] when none). */
  getAll(key: Bytes): Buffer[] {
    return this.#live().getAll(checkKey(key));
  }

  has(key: Bytes): boolean {
    const engine = this.#live();
    const k = checkKey(key);
    return engine.has !== undefined ? engine.has(k) : engine.get(k) !== undefined;
  }

  /** The first value decoded as text (UTF-8 by default), or undefined. */
  getString(key: Bytes, encoding: BufferEncoding = 'utf8'): string | undefined {
    const engine = this.#live();
    const k = checkKey(key);
    return engine.getString !== undefined ? engine.getString(k, encoding) : engine.get(k)?.toString(encoding);
  }

  /**
   * The first value as a private copy (a Buffer of its own), or undefined. get() returns
   * a view shared with every other get() of the same value (zero-copy on mmap and
   * memory): write into a value only through getCopy().
   */
  getCopy(key: Bytes): Buffer | undefined {
    const v = this.#live().get(checkKey(key));
    return v === undefined ? undefined : Buffer.from(v);
  }

  /**
   * First values of many keys at once, in order (undefined for absent keys). On mmap the
   * whole batch is one native call that overlaps the cache misses of all its keys.
   */
  getMany(keys: readonly Bytes[]): (Buffer | undefined)[] {
    const engine = this.#live();
    checkKeys(keys);
    if (engine.getMany) return engine.getMany(keys);
    return keys.map((k) => engine.get(k));
  }

  /** get() as a Promise; on mmap the lookup and its page reads run off the main thread (asyncIo). */
  async getAsync(key: Bytes, options?: AsyncCallOptions): Promise<Buffer | undefined> {
    checkKey(key);
    return (await this.getManyAsync([key], options))[0];
  }

  /**
   * getMany() as a Promise. On mmap the lookups and the reads of their pages run off the
   * main thread (asyncIo), on pread cold reads go through fs.read on libuv's threadpool
   * (pread-async.ts, source/range-reads.ts), so cold data never blocks the event loop; on
   * memory it resolves with the synchronous answers, in slices.
   */
  async getManyAsync(keys: readonly Bytes[], options?: AsyncCallOptions): Promise<(Buffer | undefined)[]> {
    const engine = this.#live();
    checkKeys(keys);
    const signal = checkSignal(options);
    // In slices, one per event-loop turn (async-batch.ts); close() meanwhile lets the
    // batch finish on the engine it started on.
    this.#inflight++;
    try {
      if (engine.startMany) return await sliced(keys, engine.sliceKeys ?? SYNC_SLICE_KEYS, engine.startMany, signal);
      return await sliced(
        keys,
        SYNC_SLICE_KEYS,
        syncSlices((k) => engine.get(k)),
        signal,
      );
    } finally {
      if (--this.#inflight === 0 && this.#closeWhenIdle !== undefined) {
        const e = this.#closeWhenIdle;
        this.#closeWhenIdle = undefined;
        e.close();
      }
    }
  }

  /**
   * mmap: the path getAsync/getManyAsync run on — 'uring', 'willneed' or 'threadpool'
   * (docs/api.md §asyncIo); chosen on first use (this getter counts). A sharded set on
   * mmap: its first open shard's (each shard picks the same way). undefined on the other
   * backends (pread picks its reads by itself, memory answers on the main thread).
   */
  get asyncIo(): AsyncIo | undefined {
    return this.#engine?.asyncIo?.().mode;
  }

  /** Why asyncIo 'auto' did not get its first choice (e.g. io_uring blocked by seccomp), or undefined. */
  get asyncFallbackReason(): string | undefined {
    return this.#engine?.asyncIo?.().fallbackReason;
  }

  /**
   * Prefetches the index (default) or the whole file into the page cache off the main
   * thread (mmap: chunked MADV_WILLNEED; pread: sequential reads; memory: nothing to do).
   */
  async warm(options: { what?: WarmTarget } = {}): Promise<void> {
    const what = options.what ?? 'index';
    if (what !== 'index' && what !== 'all') throw new RangeError(`what must be 'index' or 'all', got ${String(what)}`);
    const engine = this.#live();
    if (engine.warm) await engine.warm(what);
  }

  /** Bytes of the index and the data resident in the page cache (mincore). mmap only. */
  residency(): Residency {
    const engine = this.#live();
    if (!engine.residency) throw this.#mmapOnly('residency()');
    return engine.residency();
  }

  /**
   * Drops the file's clean pages from the page cache (and this reader's mapping); returns
   * the bytes still resident afterwards (other processes may hold pages). mmap only.
   */
  evict(): number {
    const engine = this.#live();
    if (!engine.evict) throw this.#mmapOnly('evict()');
    return engine.evict();
  }

  #mmapOnly(what: string): CdbError {
    return new CdbError('ERR_CDB_BACKEND', `${what} needs the mmap backend; this reader uses ${this.backend}`, {
      path: this.path,
    });
  }

  /** The metadata stored at build time (parsed JSON), or undefined. */
  get metadata(): unknown {
    const engine = this.#live();
    if (this.#metadata === undefined) {
      const text = engine.metadataText();
      this.#metadata = { value: text === undefined ? undefined : parseMetadata(text, this.path) };
    }
    return this.#metadata.value;
  }

  /** [key, value] for every record, in file order. */
  entries(): IterableIterator<[Buffer, Buffer]> {
    // mmap: the engine's own iterator (it throws ERR_CDB_CLOSED itself): no wrapper per record.
    if (this.#engine?.scansCheckClose) return this.#engine.entries();
    return this.#checked(() => this.#live().entries());
  }

  keys(): IterableIterator<Buffer> {
    const fast = this.#engine?.scansCheckClose ? this.#engine.keys?.() : undefined;
    return fast ?? this.#checked(() => this.#fields(0));
  }

  values(): IterableIterator<Buffer> {
    const fast = this.#engine?.scansCheckClose ? this.#engine.values?.() : undefined;
    return fast ?? this.#checked(() => this.#fields(1));
  }

  *#fields(i: 0 | 1): IterableIterator<Buffer> {
    for (const entry of this.#live().entries()) yield entry[i];
  }

  /** The items of iterate() (started at the first next(), as a generator starts), ERR_CDB_CLOSED after a close(). */
  *#checked<T>(iterate: () => Iterable<T>): IterableIterator<T> {
    for (const item of iterate()) {
      yield item;
      if (this.#engine === undefined) throw this.#closedDuringScan();
    }
  }

  /**
   * Calls fn(key, value) for every record in file order (zero-copy views, as entries()),
   * until fn returns false; returns the number of records fn was called with. On mmap
   * the records come in native batches. close() inside fn stops the scan: ERR_CDB_CLOSED.
   */
  forEach(fn: RecordCallback): number {
    checkCallback(fn, 'forEach()');
    const engine = this.#live();
    const visited = engine.forEach ? engine.forEach(fn) : forEachEntry(engine.entries(), fn, () => this.closed);
    if (this.#engine === undefined) throw this.#closedDuringScan();
    return visited;
  }

  /**
   * forEach() without a Buffer per key and value: fn(bytes, keyStart, keyEnd, valueStart,
   * valueEnd) with the key at bytes[keyStart, keyEnd) and the value at bytes[valueStart,
   * valueEnd). `bytes` is shared by many records (mmap: a whole segment of the file) and
   * is only valid during the call: copy what you keep. Same stop and close rules.
   */
  forEachRaw(fn: RawRecordCallback): number {
    checkCallback(fn, 'forEachRaw()');
    const engine = this.#live();
    const visited = engine.forEachRaw?.(fn) ?? forEachRawEntry(engine.entries(), fn, () => this.closed);
    if (this.#engine === undefined) throw this.#closedDuringScan();
    return visited;
  }

  /**
   * forEachRaw() for async consumers (a stream's backpressure): when fn returns a Promise
   * the scan waits for it before the next record; false (returned or resolved) stops.
   * Resolves to the records visited. `bytes` stays valid until fn's Promise settles.
   */
  async forEachRawAsync(fn: RawRecordCallback): Promise<number> {
    checkCallback(fn, 'forEachRawAsync()');
    const engine = this.#live();
    const visited = await (engine.forEachRawAsync?.(fn) ?? forEachRawEntryAsync(engine.entries(), fn, () => this.closed));
    if (this.#engine === undefined) throw this.#closedDuringScan();
    return visited;
  }

  #closedDuringScan(): CdbError {
    return new CdbError('ERR_CDB_CLOSED', 'reader closed during iteration', { path: this.path });
  }

  [Symbol.iterator](): IterableIterator<[Buffer, Buffer]> {
    return this.entries();
  }

  stats(): ReaderStats {
    const engine = this.#live();
    const set = (engine as { setInfo?(): SetReaderInfo }).setInfo?.();
    return { ...engineStats(engine), path: this.path, fallbackReason: this.fallbackReason, ...(set !== undefined && { set }) };
  }

  /** Releases the file. Further calls throw ERR_CDB_CLOSED; calling close() again does nothing. */
  close(): void {
    const engine = this.#engine;
    this.#engine = undefined;
    if (this.#inflight > 0) this.#closeWhenIdle = engine;
    else engine?.close();
  }
}
