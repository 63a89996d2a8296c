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

/** forEachEntry in forEachRaw's shape (rawRecords). */
export function forEachRawEntry(entries: Iterable<[Buffer, Buffer]>, fn: RawRecordCallback, closed: () => boolean): number {
  let visited = 0;
  for (const [bytes, ks, ke, vs, ve] of rawRecords(entries)) {
    visited++;
    if (fn(bytes, ks, ke, vs, ve) === false || closed()) break;
  }
  return visited;
}

/** forEachRawEntry for async consumers: a Promise from fn is waited for (false stops). */
export async function forEachRawEntryAsync(
  entries: Iterable<[Buffer, Buffer]>,
  fn: RawRecordCallback,
  closed: () => boolean,
): Promise<number> {
  let visited = 0;
  for (const [bytes, ks, ke, vs, ve] of rawRecords(entries)) {
    visited++;
    let r = fn(bytes, ks, ke, vs, ve);
    if (r instanceof Promise) r = await r;
    if (r === false || closed()) break;
  }
  return visited;
}

/**
 * Each entry as (bytes, keyStart, keyEnd, valueStart, valueEnd). A key and value over
 * the same ArrayBuffer (the memory backend's file Buffer) are offsets into a view of
 * all of it; others (pread reads them apart) are copied together into a Buffer of their own.
 */
function* rawRecords(entries: Iterable<[Buffer, Buffer]>): Generator<[Buffer, number, number, number, number]> {
  let shared: ArrayBufferLike | undefined;
  let whole: Buffer | undefined;
  for (const [key, value] of entries) {
    if (key.buffer === value.buffer) {
      if (key.buffer !== shared) {
        shared = key.buffer;
        whole = Buffer.from(shared);
      }
      const ks = key.byteOffset;
      const vs = value.byteOffset;
      yield [whole!, ks, ks + key.length, vs, vs + value.length];
    } else {
      yield [Buffer.concat([key, value]), 0, key.length, key.length, key.length + value.length];
    }
  }
}
