// The 'mmap' backend: an Engine over a handle of the native addon (source/native.ts).
// Hot path: the addon hashes, probes and compares keys and returns numbers (absolute
// offset and length in a shared Float64Array); this module makes the Buffer view over
// the mapping's ArrayBuffer — no per-value allocation in C++. Errors: the addon throws
// CdbError itself (setErrorClass, per env), so nothing here re-wraps them.
import type {
  Advice,
  Backend,
  Engine,
  FormatName,
  RawRecordCallback,
  RecordCallback,
  Residency,
  WarmTarget,
} from '../format/engine.js';
import type { Bytes } from '../util/bytes.js';
import { testHooks } from '../util/test-hooks.js';
import {
  nativeAddon,
  nativeFailure,
  type NativeFastLookup,
  type NativeFlavor,
  type NativeHandle,
  type NativeShardIndex,
} from '../source/native.js';
import { CdbError } from '../util/errors.js';
import { NATIVE_SLICE_KEYS, type Values } from './async-batch.js';
import { type AsyncIoOptions, type AsyncIoState, DEFAULT_QUEUE_DEPTH, pickAsyncIo } from './async-io.js';
import { bufferView } from './buffer-view.js';
import { NativeScan } from './native-scan.js';

export type NativeLoad =
  | { ok: true; open(path: string, advice: Advice, io?: AsyncIoOptions): Engine }
  | { ok: false; reason: string };

/** The mmap backend, when the addon loaded here; else why not (Reader.fallbackReason). */
export function loadNative(): NativeLoad {
  const addon = nativeAddon();
  if (addon === undefined) return { ok: false, reason: nativeFailure() };
  const flavor = addon.flavor ?? 'napi';
  return {
    ok: true,
    open: (path, advice, io) => {
      const h = addon.open(path, { advice, ...testHooks.windows });
      try {
        return new NativeEngine(h, advice, io, path, flavor);
      } catch (err) {
        h.close();
        throw err;
      }
    },
  };
}

export class NativeEngine implements Engine {
  readonly backend: Backend = 'mmap';
  readonly format: FormatName;
  readonly fileSize: number;
  readonly #h: NativeHandle;
  readonly nativeFlavor: NativeFlavor;
  /** The V8-API flavour's fast lookups, else undefined (every lookup through #h.get). */
  readonly #fast: NativeFastLookup | undefined;
  /** #whole as one Buffer, for getString() without a view per value (made on first use). */
  #wholeBuffer: Buffer | undefined;
  /**
   * The whole data section as one ArrayBuffer (≤ 1 GiB, external buffers), starting at
   * file offset #base: the fast path. Segments never cover the header or the index.
   */
  readonly #whole: ArrayBuffer | undefined;
  readonly #base: number;
  /** The handle's segment list (windows are filled in on first use) and their stride. */
  readonly #segments: (ArrayBuffer | undefined)[];
  readonly #stride: number;
  #out: Float64Array;
  #batchOut = new Float64Array(2048);
  #size: number | undefined;

  readonly #advice: Advice;
  /** Batched scans (native-scan.ts); undefined with an addon older than handle.scan(). */
  readonly #scan: NativeScan | undefined;

  /** entries(), keys() and values() throw ERR_CDB_CLOSED themselves after a close() during iteration. */
  readonly scansCheckClose: boolean;
  readonly #io: AsyncIoOptions;
  #ioState: AsyncIoState | undefined;
  readonly sliceKeys = NATIVE_SLICE_KEYS;

  constructor(
    handle: NativeHandle,
    advice: Advice,
    io: AsyncIoOptions = { asyncIo: 'auto', queueDepth: DEFAULT_QUEUE_DEPTH },
    path = '',
    flavor: NativeFlavor = 'napi',
  ) {
    this.#h = handle;
    this.nativeFlavor = flavor;
    this.#fast = handle.fast;
    this.#advice = advice;
    this.#scan = typeof handle.scan === 'function' ? new NativeScan(handle, advice, path) : undefined;
    this.scansCheckClose = this.#scan !== undefined;
    this.#io = io;
    // An explicit 'uring' starts the ring at open, so that a kernel that refuses it is
    // an open error; 'auto' starts it on the first async call (docs/RELIABILITY.md).
    if (io.asyncIo === 'uring') {
      const picked = this.asyncIo();
      if (picked.mode !== 'uring')
        throw new CdbError('ERR_CDB_BACKEND', `asyncIo 'uring' is not available: ${picked.fallbackReason}`, { path });
    }
    this.format = handle.format;
    this.fileSize = handle.fileSize;
    this.#out = handle.out;
    const seg = handle.segments[0];
    this.#segments = handle.segments;
    this.#stride = handle.segmentStride;
    this.#base = handle.segmentBase;
    this.#whole = handle.externalBuffers && handle.segments.length === 1 ? seg : undefined;
  }

  get size(): number {
    if (this.#size === undefined) this.#size = this.#countRecords();
    return this.#size;
  }

  /** handle.get()'s code for key, through the fast call when there is one (−1: it defers). */
  #find(key: Bytes): number {
    const fast = this.#fast;
    if (fast !== undefined) {
      const r = typeof key === 'string' ? fast.get(key) : fast.getBytes(key);
      if (r >= 0) return r;
    }
    return this.#h.get(key);
  }

  has(key: Bytes): boolean {
    return this.#find(key) !== 0;
  }

  getString(key: Bytes, encoding: BufferEncoding): string | undefined {
    const r = this.#find(key);
    if (r === 0) return undefined;
    if (r === 1 && this.#whole !== undefined) {
      // Decoded straight from the mapping: no view of the value is made.
      const whole = (this.#wholeBuffer ??= bufferView(this.#whole, 0, this.#whole.byteLength));
      const start = this.#out[0]! - this.#base;
      return whole.toString(encoding, start, start + this.#out[1]!);
    }
    return this.#value(r).toString(encoding);
  }

  get(key: Bytes): Buffer | undefined {
    const r = this.#find(key);
    if (r === 0) return undefined;
    return this.#value(r);
  }

  /** The value a lookup that returned r (1 or 2) found: out[0..1]. */
  #value(r: number): Buffer {
    const out = this.#out;
    if (r === 1) {
      // 1: the value lies wholly in one segment (the addon checked it): view it there.
      if (this.#whole !== undefined) return bufferView(this.#whole, out[0]! - this.#base, out[1]!);
      const rel = out[0]! - this.#base;
      const i = Math.min(Math.floor(rel / this.#stride), this.#segments.length - 1);
      const seg = this.#segments[i];
      if (seg !== undefined) return bufferView(seg, rel - i * this.#stride, out[1]!);
    }
    return this.#view(out[0]!, out[1]!);
  }

  getAll(key: Bytes): Buffer[] {
    let n = this.#h.getAll(key);
    if (n * 2 > this.#out.length) {
      this.#h.setOut(new Float64Array(Math.max(n * 2, this.#out.length * 2)));
      this.#out = this.#h.out;
      n = this.#h.getAll(key);
    }
    const out = this.#out;
    const values = new Array<Buffer>(n);
    for (let i = 0; i < n; i++) values[i] = this.#view(out[2 * i]!, out[2 * i + 1]!);
    return values;
  }

  getMany(keys: readonly Bytes[]): (Buffer | undefined)[] {
    if (this.#batchOut.length < keys.length * 2) this.#batchOut = new Float64Array(keys.length * 2);
    const out = this.#batchOut;
    this.#h.getMany(keys, out);
    return this.#views(out, keys.length);
  }

  async getManyAsync(keys: readonly Bytes[]): Promise<(Buffer | undefined)[]> {
    return (await this.startMany(keys, undefined))();
  }

  /** The path async lookups take (async-io.ts), picked on the first call. */
  asyncIo(): AsyncIoState {
    if (this.#ioState !== undefined) return this.#ioState;
    const h = this.#h;
    const picked = pickAsyncIo(this.#io.asyncIo, () =>
      h.uringStart === undefined ? 'this build of @mmcdb/native predates io_uring support' : h.uringStart(this.#io.queueDepth),
    );
    // An explicit 'uring' that failed: reported, never cached (the constructor throws).
    if (typeof picked === 'string') return { mode: 'threadpool', fallbackReason: picked };
    this.#ioState = picked;
    return picked;
  }

  /** One slice of getManyAsync (async-batch.ts): the keys are handed to the addon now. */
  startMany = (keys: readonly Bytes[], cancel: Int32Array | undefined): Promise<() => Values> => {
    const { mode } = this.asyncIo();
    const h = this.#h;
    const p = mode === 'uring' ? h.uringGetMany!(keys, cancel, testHooks.uringWalkOnly) : h.getManyAsync(keys, mode, cancel);
    return p.then((out) => () => this.#views(out, keys.length));
  };

  /** Values for a batch's (offset, length) pairs; offset -1 = absent. */
  #views(out: Float64Array, n: number): (Buffer | undefined)[] {
    const values = new Array<Buffer | undefined>(n);
    for (let i = 0; i < n; i++) {
      const off = out[2 * i]!;
      values[i] = off < 0 ? undefined : this.#view(off, out[2 * i + 1]!);
    }
    return values;
  }

  async warm(what: WarmTarget): Promise<void> {
    await this.#h.warm(what);
  }

  residency(): Residency {
    return this.#h.residency();
  }

  evict(): number {
    return this.#h.evict();
  }

  entries(): IterableIterator<[Buffer, Buffer]> {
    return this.#scan !== undefined ? this.#scan.entries() : this.#nextEntries();
  }

  keys(): IterableIterator<Buffer> | undefined {
    return this.#scan?.fields(0);
  }

  values(): IterableIterator<Buffer> | undefined {
    return this.#scan?.fields(2);
  }

  forEach(fn: RecordCallback): number {
    if (this.#scan !== undefined) return this.#scan.forEach(fn);
    let visited = 0;
    for (const [k, v] of this.#nextEntries()) {
      visited++;
      if (fn(k, v) === false) break;
    }
    return visited;
  }

  forEachRaw(fn: RawRecordCallback): number | undefined {
    return this.#scan?.forEachRaw(fn);
  }

  forEachRawAsync(fn: RawRecordCallback): Promise<number> | undefined {
    return this.#scan?.forEachRawAsync(fn);
  }

  /** entries() one next() call per record: an addon without scan(). */
  *#nextEntries(): IterableIterator<[Buffer, Buffer]> {
    if (this.#advice !== 'sequential') this.#h.advise('sequential');
    try {
      for (let cursor = 0; ; ) {
        cursor = this.#h.next(cursor);
        if (cursor < 0) return;
        const out = this.#out;
        const key = this.#view(out[0]!, out[1]!);
        yield [key, this.#view(out[2]!, out[3]!)];
      }
    } finally {
      if (this.#advice !== 'sequential' && !this.#h.stats().closed) this.#h.advise(this.#advice);
    }
  }

  metadataText(): string | undefined {
    return this.#h.metadata();
  }

  /** The file shrank under the mapping (docs/RELIABILITY.md): every lookup now throws ERR_CDB_TRUNCATED. */
  damaged(): boolean {
    return this.#h.damaged();
  }

  /**
   * The set index (reader/sharded/set-engine.ts) answers shard i from this file's handle
   * from now on: true when it took it (docs/SHARDS.md §Reading).
   */
  attachTo(index: NativeShardIndex, i: number): boolean {
    return index.attach(i, this.#h);
  }

  /** The value at absolute file offset `offset` that the set index found in this file: a view, or a copy. */
  valueAt(offset: number, length: number): Buffer {
    return this.#view(offset, length);
  }

  get mappedBytes(): number {
    return this.#h.stats().mappedBytes;
  }

  readonly heapBytes = 0;

  close(): void {
    this.#scan?.close();
    this.#h.close();
  }

  /** A view of data-section bytes [offset, offset + length) over the right segment, or a copy. */
  #view(offset: number, length: number): Buffer {
    const h = this.#h;
    if (this.#whole !== undefined) return bufferView(this.#whole, offset - this.#base, length);
    if (!h.externalBuffers || h.segments.length === 0) return h.copy(offset, length);
    // The last window also holds an empty value at the very end of the data section.
    const rel = offset - this.#base;
    const i = Math.min(Math.floor(rel / h.segmentStride), h.segments.length - 1);
    const start = i * h.segmentStride;
    // Windows of files over 1 GiB are created on first use (packages/native/index.d.ts).
    const seg = h.segments[i] ?? (h.segments[i] = h.segment(i));
    if (seg === undefined || rel - start + length > seg.byteLength) {
      // A value no window holds whole: an ArrayBuffer of its own (still zero-copy), else a copy.
      const own = seg === undefined ? undefined : h.range(offset, length);
      return own !== undefined ? Buffer.from(own) : h.copy(offset, length);
    }
    return bufferView(seg, rel - start, length);
  }

  /** mmcdb: the header's record_count; classic: the non-empty slots (read natively: JS never sees the header). */
  #countRecords(): number {
    return this.#h.recordCount();
  }
}
