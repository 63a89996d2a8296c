// A > 4 GiB mmcdb file (sparse: the big values are holes of zeros) read through the
// overlapping windows of index.d.ts: a value straddling 2^32, a value of exactly 2^31
// bytes at the worst offset (≡ 2^31 − 1 mod 2^31), and records beyond 6 GiB.
// body_checksum is left 0: open() does not check it (FORMAT.md §Checksums).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED, MAGIC, home, sealHeader } from './helpers/mmcdb-builder.js';
import { native, refHasher, thrown } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const xx = await refHasher();
const dir = tempDir('mmcdb-native-large-');
const GiB = 2 ** 30;
const S = 2 ** 31;

interface Big {
  key: string;
  length: number;
  /** Bytes written at the value's start (the rest of the value is a hole). */
  head?: Buffer;
  /** Bytes written at the value's end. */
  tail?: Buffer;
}

const pattern = (n: number, salt: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + salt) & 255));

/** Writes the records sparsely; `valueStarts` forces where some values begin. */
function writeSparse(file: string, plan: (recordPos: number) => Big[]): { size: number; values: Map<string, number> } {
  const recs = plan(128);
  const fd = fs.openSync(file, 'w');
  let p = 128;
  const live: { hash: bigint; pos: number }[] = [];
  const values = new Map<string, number>();
  for (const r of recs) {
    const key = Buffer.from(r.key);
    const hdr = Buffer.alloc(12);
    hdr.writeUInt32LE(key.length, 0);
    hdr.writeBigUInt64LE(BigInt(r.length), 4);
    fs.writeSync(fd, Buffer.concat([hdr, key]), 0, 12 + key.length, p);
    const v = p + 12 + key.length;
    if (r.head) fs.writeSync(fd, r.head, 0, r.head.length, v);
    if (r.tail) fs.writeSync(fd, r.tail, 0, r.tail.length, v + r.length - r.tail.length);
    live.push({ hash: xx.h64Raw(key, DEFAULT_SEED), pos: p });
    values.set(r.key, v);
    p = v + r.length;
  }
  const dataEnd = p;
  const indexOffset = Math.ceil(dataEnd / 64) * 64;
  const H = Math.ceil(live.length / 0.5);
  live.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : a.pos - b.pos));
  const index = Buffer.alloc(H * 2 * 16);
  let prev = -1;
  for (const r of live) {
    const slot = Math.max(home(r.hash, H), prev + 1);
    index.writeBigUInt64LE(r.hash, slot * 16);
    index.writeBigUInt64LE(BigInt(r.pos), slot * 16 + 8);
    prev = slot;
  }
  const indexLength = Math.max(H, prev + 1);
  fs.writeSync(fd, index, 0, indexLength * 16, indexOffset);
  const size = indexOffset + indexLength * 16;
  fs.ftruncateSync(fd, size);
  const h = Buffer.alloc(128);
  h.set(MAGIC, 0);
  h.writeUInt16LE(1, 8);
  h.writeUInt16LE(128, 10);
  h.writeBigUInt64LE(BigInt(live.length), 16);
  h.writeBigUInt64LE(DEFAULT_SEED, 24);
  h.writeBigUInt64LE(128n, 32);
  h.writeBigUInt64LE(BigInt(dataEnd), 40);
  h.writeBigUInt64LE(BigInt(indexOffset), 48);
  h.writeUInt32LE(H, 56);
  h.writeUInt32LE(1, 60);
  h.writeBigUInt64LE(BigInt(indexLength), 64);
  h.writeBigUInt64LE(BigInt(size), 72);
  h.writeBigUInt64LE(0n, 80);
  h.writeBigUInt64LE(BigInt(size), 88);
  sealHeader(xx, h);
  fs.writeSync(fd, h, 0, 128, 0);
  fs.closeSync(fd);
  return { size, values };
}

// Record header + key = 12 + key length; the plan places values at chosen offsets.
const straddleStart = 2 ** 32 - 2 ** 19;
const edgeStart = 3 * S - 1;
const plan = (): Big[] => {
  const first = { key: 'first', length: 11, head: Buffer.from('hello-first') };
  const aEnd = 128 + 12 + 5 + 11;
  const padLen = straddleStart - (aEnd + 12 + 3) - 12 - 8; // "pad" record, then "straddle"'s header+key
  const pad = { key: 'pad', length: padLen };
  const straddle = { key: 'straddle', length: 2 ** 20, head: pattern(2 ** 20, 3) };
  const farStart = straddleStart + 2 ** 20 + 12 + 3;
  const farLen = edgeStart - farStart - 12 - 4;
  const far = { key: 'far', length: farLen, head: Buffer.from('value beyond 4 GiB') };
  const edge = { key: 'edge', length: S, head: pattern(4096, 5), tail: pattern(4096, 9) };
  const last = { key: 'last', length: 4, head: Buffer.from('tail') };
  return [first, pad, straddle, far, edge, last];
};

const expectedSize = edgeStart + S + 64 + 12 * 16 + 64;
const free = (() => {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return 0;
  }
})();
const enoughSpace = free > expectedSize + GiB;
if (!enoughSpace) {
  console.warn(
    `[native/large] SKIPPED the > 4 GiB file test: ${(free / GiB).toFixed(1)} GiB free in ${dir}, ` +
      `need ${((expectedSize + GiB) / GiB).toFixed(1)} GiB in case the file system cannot store sparse files`,
  );
}

describe('files of 4 GiB and more', () => {
  it.runIf(enoughSpace)('reads records beyond 4 GiB through lazily created overlapping windows', () => {
    const file = path.join(dir, 'large.mmcdb');
    const { size, values } = writeSparse(file, plan);
    try {
      expect(values.get('straddle')).toBe(straddleStart);
      expect(values.get('edge')).toBe(edgeStart);
      const h = native.open(file);
      expect(h.fileSize).toBe(size);
      expect(size).toBeGreaterThan(2 ** 32);
      // windows of 256 MiB every 128 MiB for data sections over 1 GiB (V8-API flavour), of
      // 32 MiB every 16 MiB over 48 MiB (Node-API flavour: src/segments.h)
      const W = h.uncountedBuffers ? 2 ** 27 : 2 ** 24;
      const head = Buffer.alloc(128);
      const fd = fs.openSync(file, 'r');
      fs.readSync(fd, head, 0, 128, 0);
      fs.closeSync(fd);
      const data = Number(head.readBigUInt64LE(40)) - 128; // segments cover [128, data_end) only
      expect(h.segmentStride).toBe(W);
      expect(h.segmentBase).toBe(128);
      expect(h.segments.length).toBe(Math.ceil(data / W)); // every offset has window floor((offset - 128) / W)
      // Windows are created on first use, not at open (open stays O(1) for huge files).
      expect(h.segments.every((seg) => seg === undefined)).toBe(true);
      for (let i = 0; i < h.segments.length; i += 7) expect(h.segment(i)!.byteLength).toBe(Math.min(2 * W, data - i * W));
      expect(h.segment(h.segments.length)).toBeUndefined();
      const view = (key: string) => {
        const r = h.get(key);
        expect(r, key).toBe(h.out[1]! <= W ? 1 : 2); // 2: bigger than a window — range() or copy()
        return native.viewOf(h, h.out[0]!, h.out[1]!);
      };
      expect(view('first').toString()).toBe('hello-first');
      expect(view('straddle').equals(pattern(2 ** 20, 3))).toBe(true);
      expect(h.out[0]).toBe(straddleStart);
      const far = view('far');
      expect(far.subarray(0, 18).toString()).toBe('value beyond 4 GiB');
      expect(view('last').toString()).toBe('tail');
      expect(h.out[0]).toBeGreaterThan(4 * GiB);
      // Exactly 2^31 bytes at offset ≡ 2^31 − 1 (mod 2^31): the window's last byte.
      const edge = view('edge');
      expect(edge.length).toBe(S);
      expect(edge.buffer.byteLength).toBe(S); // an ArrayBuffer of its own over the value: still zero-copy
      expect(far.buffer.byteLength).toBe(far.length);
      expect(edge.subarray(0, 4096).equals(pattern(4096, 5))).toBe(true);
      expect(edge.subarray(S - 4096).equals(pattern(4096, 9))).toBe(true);
      expect(h.copy(size - 4096 - 64 - 12 * 16, 4).length).toBe(4);
      expect(thrown(() => h.copy(0, 2 ** 32)).code).toBe('ERR_CDB_TOO_LARGE');
      const keys: string[] = [];
      for (let c = h.next(0); c !== -1; c = h.next(c)) keys.push(native.viewOf(h, h.out[0]!, h.out[1]!).toString());
      expect(keys).toEqual(['first', 'pad', 'straddle', 'far', 'edge', 'last']);
      h.close();
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
