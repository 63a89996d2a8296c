// forEach / forEachRaw for engines without a scan of their own (memory, pread, sharded
// sets): over entries(), with the same contract as the mmap backend's batched scans
// (native-scan.ts) — file order, `false` stops, a close() inside the callback stops.
import type { RawRecordCallback, RecordCallback } from '../format/engine.js';
import { describe } from '../util/bytes.js';

/** TypeError unless fn is a function (before any record is read). */
export function checkCallback(fn: unknown, what: string): void {
  if (typeof fn !== 'function') throw new TypeError(`${what} takes a function, got ${describe(fn)}`);
}

/** Calls fn for each entry until it returns false or closed() is true after it; returns the records visited. */
export function forEachEntry(entries: Iterable<[Buffer, Buffer]>, fn: RecordCallback, closed: () => boolean): number {
  let visited = 0;
  for (const [key, value] of entries) {
    visited++;
    if (fn(key, value) === false || closed()) break;
  }
  return visited;
}

/**
 * forEachEntry in forEachRaw's shape. A key and value over the same ArrayBuffer (the
 * memory backend's file Buffer) are passed as offsets into a view of all of it; others
 * (pread reads them apart) are copied together into a Buffer of their own.
 */
export function forEachRawEntry(entries: Iterable<[Buffer, Buffer]>, fn: RawRecordCallback, closed: () => boolean): number {
  let visited = 0;
  let shared: ArrayBufferLike | undefined;
  let whole: Buffer | undefined;
  for (const [key, value] of entries) {
    visited++;
    let stop: unknown;
    if (key.buffer === value.buffer) {
      if (key.buffer !== shared) {
        shared = key.buffer;
        whole = Buffer.from(shared);
      }
      const ks = key.byteOffset;
      const vs = value.byteOffset;
      stop = fn(whole!, ks, ks + key.length, vs, vs + value.length);
    } else {
      stop = fn(Buffer.concat([key, value]), 0, key.length, key.length, key.length + value.length);
    }
    if (stop === false || closed()) break;
  }
  return visited;
}
