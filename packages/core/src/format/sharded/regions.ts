// The shared buffers of a set build (docs/SHARDS.md §Building): one region per shard of
// the wave. 'route': cdbmake text. 'encode': mmcdb records (FORMAT.md §Records) already
// at their shard file's positions, followed (after all regions) by `entries` index
// entries per region — Float64 positions, then (low, high) Uint32 hash pairs — in the
// layout packages/native/src/shard_encode.cc writes.
import { alignUp, RECORD_HEADER_SIZE } from '../mmcdb/codec.js';
import { xxh64Split, type Hash64 } from '../../util/hash.js';

/** Bytes of one shared buffer's regions; each shard of the wave gets an equal share. */
const BUFFER_BYTES = 16 << 20;
const MIN_REGION = 16 << 10;
const MAX_REGION = 2 << 20;

export interface Layout {
  mode: 'route' | 'encode';
  count: number;
  /** Bytes per region (a multiple of 64). */
  region: number;
  /** encode: index entries per region. */
  entries: number;
  /** Total bytes of a buffer. */
  size: number;
}

export function layoutFor(mode: 'route' | 'encode', count: number): Layout {
  const region = Math.min(MAX_REGION, Math.max(MIN_REGION, Math.floor(BUFFER_BYTES / count / 64) * 64));
  const entries = mode === 'encode' ? region / 32 : 0;
  return { mode, count, region, entries, size: count * (region + 16 * entries) };
}

/** Where region r's entries are, in a buffer of `layout`. */
export function entryViews(
  buffer: SharedArrayBuffer,
  layout: Layout,
  r: number,
  n: number,
): { positions: Float64Array; hashes: Uint32Array } {
  const base = layout.count * layout.region;
  return {
    positions: new Float64Array(buffer, base + 8 * r * layout.entries, n),
    hashes: new Uint32Array(buffer, base + 8 * layout.count * layout.entries + 8 * r * layout.entries, 2 * n),
  };
}

export class RegionBuffer {
  readonly sab: SharedArrayBuffer;
  readonly bytes: Buffer;
  readonly layout: Layout;
  /** Bytes used per region, and (encode) records per region. Copied into each message. */
  used: Float64Array;
  records: Float64Array;
  touched = false;
  readonly #positions: Float64Array;
  readonly #hashes: Uint32Array;

  constructor(layout: Layout) {
    this.layout = layout;
    this.sab = new SharedArrayBuffer(layout.size);
    this.bytes = Buffer.from(this.sab);
    this.used = new Float64Array(layout.count);
    this.records = new Float64Array(layout.count);
    const all = entryViews(this.sab, layout, 0, layout.count * layout.entries);
    this.#positions = all.positions;
    this.#hashes = all.hashes;
  }

  reset(): void {
    this.used.fill(0);
    this.records.fill(0);
    this.touched = false;
  }

  /** route: `+klen,vlen:key->value\n` at the end of region r (the caller checked the room). */
  appendCdbmake(r: number, k: Uint8Array, v: Uint8Array): void {
    let at = r * this.layout.region + this.used[r]!;
    const start = at;
    at += this.bytes.write(`+${k.length},${v.length}:`, at, 'latin1');
    this.bytes.set(k, at);
    at += k.length;
    this.bytes[at++] = 0x2d; // '-'
    this.bytes[at++] = 0x3e; // '>'
    this.bytes.set(v, at);
    at += v.length;
    this.bytes[at++] = 0x0a;
    this.used[r]! += at - start;
    this.touched = true;
  }

  /** encode: one entry of region r. */
  setEntry(r: number, position: number, h: Hash64): void {
    const e = r * this.layout.entries + this.records[r]!;
    this.#positions[e] = position;
    this.#hashes[2 * e] = h.lo;
    this.#hashes[2 * e + 1] = h.hi;
    this.records[r]!++;
  }
}

/** §Records: the bytes a record of these lengths takes at file offset `pos` (value padding included). */
export function encodedSize(pos: number, keyLength: number, valueLength: number, align: number): number {
  const keyEnd = pos + RECORD_HEADER_SIZE + keyLength;
  return alignUp(keyEnd, align) - pos + valueLength;
}

const scratch: Hash64 = { hi: 0, lo: 0 };

/** encode: the record at the end of region r, for file offset `pos` (the caller checked the room). */
export function encodeRecord(
  buf: RegionBuffer,
  r: number,
  pos: number,
  k: Uint8Array,
  v: Uint8Array,
  enc: { fileSeed: bigint; align: number },
): void {
  const b = buf.bytes;
  let at = r * buf.layout.region + buf.used[r]!;
  const start = at;
  b.writeUInt32LE(k.length, at);
  b.writeUInt32LE(v.length % 0x100000000, at + 4);
  b.writeUInt32LE(Math.floor(v.length / 0x100000000), at + 8);
  at += RECORD_HEADER_SIZE;
  b.set(k, at);
  at += k.length;
  const pad = alignUp(pos + (at - start), enc.align) - (pos + (at - start));
  b.fill(0, at, at + pad);
  at += pad;
  b.set(v, at);
  at += v.length;
  buf.used[r]! += at - start;
  buf.touched = true;
  buf.setEntry(r, pos, xxh64Split(k, enc.fileSeed, scratch));
}
