// Full scans of the mmap backend: batches of handle.scan() (packages/native/src/scan.h),
// 1,024 records per native call, viewed here without another call per record.
// One batch's records all lie in one byte range (a segment window, an ArrayBuffer of
// their own, or a copy without external buffers), and their offsets count from its start.
import type { Advice, RawRecordCallback, RecordCallback } from '../format/engine.js';
import type { NativeHandle } from '../source/native.js';
import { CdbError } from '../util/errors.js';
import { bufferView } from './buffer-view.js';
import { RecordIterator, type ScanSource } from './scan-iterator.js';

/**
 * Records per scan() call (4 numbers each). Measured per million 100-byte records: 512
 * and 1,024 equally fast, 4,096 ~10 % and 16,384 ~40 % slower — a batch's records
 * (~130 KiB here) must still be in L2 when JS reads them after the native walk.
 */
const BATCH = 1024;

export class NativeScan implements ScanSource {
  readonly #h: NativeHandle;
  readonly #advice: Advice;
  /** The records array of the outermost scan; nested or interleaved scans get their own. */
  readonly #shared = new Uint32Array(4 * BATCH);
  #sharedBusy = false;
  #depth = 0;
  #closed = false;

  readonly #path: string;

  constructor(handle: NativeHandle, advice: Advice, path: string) {
    this.#h = handle;
    this.#advice = advice;
    this.#path = path;
  }

  /** Marks the scans closed: the record loops stop after the callback that closed the reader. */
  close(): void {
    this.#closed = true;
  }

  /** Calls fn for every record in file order until it returns false; returns the records visited. */
  forEachRaw(fn: RawRecordCallback): number {
    const out = this.enter();
    try {
      return rawLoop(this.#h, out, fn, this);
    } finally {
      this.leave(out);
    }
  }

  /** forEachRaw for async consumers: when fn returns a Promise, the scan waits for it (a false result stops). */
  async forEachRawAsync(fn: RawRecordCallback): Promise<number> {
    const out = this.enter();
    try {
      let visited = 0;
      for (let cursor = 0; cursor >= 0; ) {
        const n = this.#h.scan(cursor, out);
        const bytes = this.bytes();
        cursor = this.#h.out[0]!;
        for (let j = 0, end = 4 * n; j < end; j += 4) {
          const ks = out[j]!;
          const vs = out[j + 2]!;
          visited++;
          let r = fn(bytes, ks, ks + out[j + 1]!, vs, vs + out[j + 3]!);
          if (r instanceof Promise) r = await r;
          if (r === false || this.#closed) return visited;
        }
      }
      return visited;
    } finally {
      this.leave(out);
    }
  }

  /** forEachRaw with a zero-copy Buffer view for each key and value. */
  forEach(fn: RecordCallback): number {
    const out = this.enter();
    try {
      return viewLoop(this.#h, out, fn, this);
    } finally {
      this.leave(out);
    }
  }

  /** Whether close() was called (the loops check it after every callback). */
  get closed(): boolean {
    return this.#closed;
  }

  /** [key, value] views in file order. */
  entries(): IterableIterator<[Buffer, Buffer]> {
    return new RecordIterator<[Buffer, Buffer]>(this, 4);
  }

  /** Keys (0) or values (2) of every record, in file order. */
  fields(field: 0 | 2): IterableIterator<Buffer> {
    return new RecordIterator<Buffer>(this, field);
  }

  get handle(): NativeHandle {
    return this.#h;
  }

  closedError(): CdbError {
    return new CdbError('ERR_CDB_CLOSED', 'reader closed during iteration', { path: this.#path });
  }

  /**
   * A scan reads the file front to back: under 'random' advice a cold scan took ~8×
   * longer (2.4 s vs 0.3 s for 150 MB here), so read ahead while any scan runs.
   */
  enter(): Uint32Array {
    if (this.#depth === 0 && this.#advice !== 'sequential') this.#h.advise('sequential'); // throws when closed
    this.#depth++;
    if (this.#sharedBusy) return new Uint32Array(4 * BATCH);
    this.#sharedBusy = true;
    return this.#shared;
  }

  leave(out: Uint32Array): void {
    if (out === this.#shared) this.#sharedBusy = false;
    if (--this.#depth === 0 && this.#advice !== 'sequential' && !this.#closed && !this.#h.stats().closed) {
      this.#h.advise(this.#advice);
    }
  }

  /** The bytes of the last scan() batch, index 0 = its origin (scan.h): its segment, its own ArrayBuffer, or a copy. */
  bytes(): Buffer {
    const h = this.#h;
    const head = h.out;
    const s = head[1]!;
    if (s >= 0) {
      // Windows of larger files are created on first use (packages/native/index.d.cts).
      const seg = h.segments[s] ?? (h.segments[s] = h.segment(s));
      if (seg !== undefined) return bufferView(seg, 0, seg.byteLength);
    }
    const own = h.range(head[2]!, head[3]!);
    return own !== undefined ? bufferView(own, 0, own.byteLength) : h.copy(head[2]!, head[3]!);
  }
}

// The record loops, as plain functions over locals: measured ~1.7× faster than the same
// loop in a closure over the class's fields. Offsets come in a Uint32Array (batch-
// relative, < 2^32: scan.h): small integers for V8, ~8 % faster than a Float64Array.
function rawLoop(h: NativeHandle, out: Uint32Array, fn: RawRecordCallback, scan: NativeScan): number {
  let visited = 0;
  for (let cursor = 0; cursor >= 0; ) {
    const n = h.scan(cursor, out);
    const bytes = scan.bytes();
    cursor = h.out[0]!;
    for (let j = 0, end = 4 * n; j < end; j += 4) {
      const ks = out[j]!;
      const vs = out[j + 2]!;
      visited++;
      if (fn(bytes, ks, ks + out[j + 1]!, vs, vs + out[j + 3]!) === false || scan.closed) return visited;
    }
  }
  return visited;
}

function viewLoop(h: NativeHandle, out: Uint32Array, fn: RecordCallback, scan: NativeScan): number {
  let visited = 0;
  for (let cursor = 0; cursor >= 0; ) {
    const n = h.scan(cursor, out);
    const bytes = scan.bytes();
    const ab = bytes.buffer as ArrayBuffer;
    const base = bytes.byteOffset;
    cursor = h.out[0]!;
    for (let j = 0, end = 4 * n; j < end; j += 4) {
      const key = bufferView(ab, base + out[j]!, out[j + 1]!);
      visited++;
      if (fn(key, bufferView(ab, base + out[j + 2]!, out[j + 3]!)) === false || scan.closed) return visited;
    }
  }
  return visited;
}
