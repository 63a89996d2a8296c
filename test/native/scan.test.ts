// handle.scan(cursor, records) (src/scan.h): batches equal to next()'s records, the
// batch head (next cursor, segment, origin, span) for one segment, forced windows and
// no external buffers, and argument checks. Corruption is fuzzed in corrupt.test.ts
// (helpers/fuzz-child.mjs compares scan() with next() on every mutated file).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
import { native, thrown, type NativeHandle } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('mmcdb-native-scan-');
let n = 0;

async function make(format: 'mmcdb' | 'classic', records: [string, Buffer][]): Promise<string> {
  const file = path.join(dir, `s${n++}.${format}`);
  await build(file, records, { format, fsync: false });
  return file;
}

/** next()'s records: absolute key offset, key length, value offset, value length. */
function viaNext(h: NativeHandle): number[] {
  const all: number[] = [];
  for (let c = h.next(0); c !== -1; c = h.next(c)) all.push(h.out[0]!, h.out[1]!, h.out[2]!, h.out[3]!);
  return all;
}

interface Batch {
  n: number;
  segment: number;
  origin: number;
  span: number;
}

/** scan()'s records (made absolute) and batch heads. */
function viaScan(h: NativeHandle, out: Float64Array | Uint32Array): { all: number[]; batches: Batch[] } {
  const all: number[] = [];
  const batches: Batch[] = [];
  for (let c = 0; c >= 0; ) {
    const count = h.scan(c, out);
    const [next, segment, origin, span] = [...h.out.subarray(0, 4)] as [number, number, number, number];
    batches.push({ n: count, segment, origin, span });
    for (let j = 0; j < 4 * count; j += 4) all.push(origin + out[j]!, out[j + 1]!, origin + out[j + 2]!, out[j + 3]!);
    c = next;
  }
  return { all, batches };
}

const recs = (count: number, size: (i: number) => number): [string, Buffer][] =>
  Array.from({ length: count }, (_, i) => [`key${i}`, Buffer.alloc(size(i), i & 0xff)]);

describe.each(['mmcdb', 'classic'] as const)('scan() on %s', (format) => {
  it('one segment: batches of records.length / 4 equal next(); segment 0 from the data section start', async () => {
    const h = native.open(
      await make(
        format,
        recs(1000, (i) => i % 50),
      ),
    );
    const want = viaNext(h);
    for (const out of [new Float64Array(4 * 300), new Uint32Array(4 * 300), new Uint32Array(5)]) {
      const { all, batches } = viaScan(h, out);
      expect(all).toEqual(want);
      const per = Math.floor(out.length / 4);
      expect(batches.length).toBe(Math.ceil(1000 / per) + (1000 % per === 0 ? 1 : 0));
      for (const b of batches.slice(0, -1)) expect(b).toMatchObject({ n: per, segment: 0, origin: h.segmentBase });
      for (const b of batches) expect(b.span).toBeLessThanOrEqual(h.fileSize);
    }
    h.close();
  });

  it('windows: no batch crosses its window; a record larger than the stride comes alone (segment −1, range())', async () => {
    const records = recs(400, (i) => (i === 150 ? 20_000 : i % 90));
    const h = native.open(await make(format, records), { windowSize: 8192, windowStride: 4096 });
    const { all, batches } = viaScan(h, new Uint32Array(4 * 4096));
    expect(all).toEqual(viaNext(h));
    expect(batches.length).toBeGreaterThan(3);
    for (const b of batches.filter((x) => x.n > 0)) {
      if (b.segment >= 0) {
        expect(b.origin).toBe(h.segmentBase + b.segment * h.segmentStride);
        expect(b.span).toBeLessThanOrEqual(8192);
      } else {
        expect(b.n).toBe(1);
        expect(b.span).toBeGreaterThan(20_000);
        expect(h.range(b.origin, b.span)!.byteLength).toBe(b.span);
      }
    }
    expect(batches.some((b) => b.segment === -1)).toBe(true);
    h.close();
  });

  it('without external buffers: segment −1 batches of ≤ 4 MiB, one copy() each', async () => {
    const records = recs(600, (i) => (i % 3 === 0 ? 50_000 : 10)); // 10 MB of values
    const h = native.open(await make(format, records), { externalBuffers: false });
    const { all, batches } = viaScan(h, new Float64Array(4 * 4096));
    expect(all).toEqual(viaNext(h));
    for (const b of batches.filter((x) => x.n > 0)) {
      expect(b.segment).toBe(-1);
      expect(b.span).toBeLessThanOrEqual(4 << 20);
      expect(h.copy(b.origin, b.span).length).toBe(b.span);
    }
    expect(batches.length).toBeGreaterThan(2);
    h.close();
  });

  it('an empty file: 0 records, next cursor −1', async () => {
    const h = native.open(await make(format, []));
    expect(h.scan(0, new Uint32Array(8))).toBe(0);
    expect(h.out[0]).toBe(-1);
    h.close();
  });

  it('argument checks, closed handle', async () => {
    const h = native.open(
      await make(
        format,
        recs(10, () => 5),
      ),
    );
    expect(thrown(() => h.scan(0, new Int32Array(8) as never))).toBeInstanceOf(TypeError);
    expect(thrown(() => h.scan(0, [0, 0, 0, 0] as never))).toBeInstanceOf(TypeError);
    expect(thrown(() => h.scan(0, new Uint32Array(3)))).toBeInstanceOf(RangeError);
    expect(thrown(() => h.scan(-1, new Uint32Array(8)))).toBeInstanceOf(RangeError);
    expect(thrown(() => h.scan(0, h.out))).toBeInstanceOf(RangeError);
    expect(thrown(() => h.scan(0, new Float64Array(h.out.buffer, 8, 8)))).toBeInstanceOf(RangeError);
    expect(h.scan(h.fileSize * 2, new Uint32Array(8))).toBe(0); // past the records: the end
    h.close();
    expect(thrown(() => h.scan(0, new Uint32Array(8))).code).toBe('ERR_CDB_CLOSED');
  });
});

it('scan() reads only the records: the header and index bytes never reach a batch', async () => {
  const file = await make(
    'mmcdb',
    recs(50, () => 7),
  );
  const h = native.open(file);
  const dataEnd = Number(fs.readFileSync(file).readBigUInt64LE(40));
  const { all } = viaScan(h, new Uint32Array(64));
  for (let i = 0; i < all.length; i += 4) {
    expect(all[i]).toBeGreaterThanOrEqual(128);
    expect(all[i + 2]! + all[i + 3]!).toBeLessThanOrEqual(dataEnd);
  }
  h.close();
});
