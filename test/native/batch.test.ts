// getMany(): the sync batch lookup equals get() key by key — hits, misses, duplicates
// (first value), the empty key, empty values, hash collisions that continue a probe —
// on mmcdb and classic files, for batches of 0, 1, 7 and 1000 keys; argument checks;
// corruption reported as get() reports it for the first faulting key.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildClassic, djb } from './helpers/classic-builder.js';
import { buildMmcdb, type Rec } from './helpers/mmcdb-builder.js';
import { native, refHasher, thrown, type NativeHandle } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const xx = await refHasher();
const dir = tempDir('mmcdb-native-batch-');
let n = 0;
function write(bytes: Uint8Array, ext = 'mmcdb'): string {
  const file = path.join(dir, `b${n++}.${ext}`);
  fs.writeFileSync(file, bytes);
  return file;
}

const records: Rec[] = [
  ['alpha', 'one'],
  ['beta', 'two'],
  ['alpha', 'three'],
  ['', 'empty key'],
  ['novalue', ''],
  [Uint8Array.of(0, 255, 0, 1), Uint8Array.of(9, 8, 7)],
  ['alpha', 'four'],
];
for (let i = 0; i < 300; i++) records.push([`k${i}`, `v${i}-${'x'.repeat(i % 17)}`]);

/** get() for every key, as getMany lays it out. */
function expected(h: NativeHandle, keys: (string | Uint8Array)[]): { out: number[]; found: number } {
  const out: number[] = [];
  let found = 0;
  for (const k of keys) {
    if (h.get(k)) {
      out.push(h.out[0]!, h.out[1]!);
      found++;
    } else out.push(-1, 0);
  }
  return { out, found };
}

function keySet(size: number): (string | Uint8Array)[] {
  const pool: (string | Uint8Array)[] = [
    'alpha',
    'beta',
    '',
    'novalue',
    Uint8Array.of(0, 255, 0, 1),
    'missing',
    'k0',
    'k299',
    'k300',
    Buffer.from('beta'),
    new Uint8Array(0),
    'ALPHA',
    'x'.repeat(600),
  ];
  return Array.from({ length: size }, (_, i) => (i % 3 === 0 ? `k${(i * 7) % 320}` : pool[i % pool.length]!));
}

function check(h: NativeHandle, keys: (string | Uint8Array)[]) {
  const want = expected(h, keys);
  const out = new Float64Array(2 * keys.length + 3).fill(NaN);
  expect(h.getMany(keys, out)).toBe(want.found);
  expect(Array.from(out.subarray(0, 2 * keys.length))).toEqual(want.out);
  expect(out.subarray(2 * keys.length).every(Number.isNaN)).toBe(true); // nothing beyond 2N
}

const files: [string, () => string][] = [
  ['mmcdb (test builder)', () => write(buildMmcdb(xx, records))],
  ['mmcdb value_align 16, load 0.9', () => write(buildMmcdb(xx, records, { valueAlign: 16, load: 0.9 }))],
  ['classic', () => write(buildClassic(records), 'cdb')],
];

describe('getMany equals get() key by key', () => {
  for (const [name, make] of files) {
    it(`${name}: batches of 0, 1, 7, 1000`, () => {
      const h = native.open(make());
      for (const size of [0, 1, 7, 1000]) check(h, keySet(size));
      // Duplicates: the first value, like get().
      const out = new Float64Array(2);
      expect(h.getMany(['alpha'], out)).toBe(1);
      expect(native.viewOf(h, out[0]!, out[1]!).toString()).toBe('one');
      expect(h.getMany([''], out)).toBe(1);
      expect(native.viewOf(h, out[0]!, out[1]!).toString()).toBe('empty key');
      expect(h.getMany(['novalue'], out)).toBe(1);
      expect(out[1]).toBe(0);
      h.close();
    });
  }

  it('files from @mmcdb/core build() (duplicates all and last)', async () => {
    const { build } = await import('@mmcdb/core');
    for (const duplicates of ['all', 'last'] as const) {
      const file = path.join(dir, `core-${duplicates}.mmcdb`);
      await build(file, records, { duplicates });
      const h = native.open(file);
      for (const size of [0, 1, 7, 1000]) check(h, keySet(size));
      h.close();
    }
  });

  it('empty database; windowed segments and no external buffers change nothing', () => {
    const h0 = native.open(write(buildMmcdb(xx, [])));
    const out = new Float64Array(4);
    expect(h0.getMany(['a', ''], out)).toBe(0);
    expect(Array.from(out)).toEqual([-1, 0, -1, 0]);
    const file = write(buildMmcdb(xx, records));
    for (const opts of [{ windowSize: 8192, windowStride: 4096 }, { externalBuffers: false }]) {
      const h = native.open(file, opts);
      check(h, keySet(1000));
    }
  });

  it('mmcdb: equal 64-bit hashes with different keys continue the run', () => {
    // A fake hasher gives 'twinA' the hash of 'twinB': the slot of twinA (first in
    // position order) matches twinB's hash but not its key.
    const fake = {
      h64Raw: (k: Uint8Array, seed?: bigint) => xx.h64Raw(Buffer.from(k).toString() === 'twinA' ? Buffer.from('twinB') : k, seed),
    };
    const recs: Rec[] = [['twinA', 'A'], ['twinB', 'B'], ...records];
    const h = native.open(write(buildMmcdb(fake, recs)));
    const keys = ['twinB', 'twinA', 'alpha', 'twinB'];
    check(h, keys);
    const out = new Float64Array(8);
    expect(h.getMany(keys, out)).toBe(3);
    expect(native.viewOf(h, out[0]!, out[1]!).toString()).toBe('B');
    expect(out[2]).toBe(-1); // twinA's slot holds the wrong hash: not found, as get() says
  });

  it('classic: djb collisions continue the probe', () => {
    const pair: [string, string] = ['a1c', 'a2@'];
    expect(djb(Buffer.from(pair[0]))).toBe(djb(Buffer.from(pair[1])));
    const recs: Rec[] = [[pair[0], 'first'], [pair[1], 'second'], ...records];
    const h = native.open(write(buildClassic(recs), 'cdb'));
    check(h, [pair[1], pair[0], 'alpha', pair[1], 'nope']);
    const out = new Float64Array(4);
    expect(h.getMany([pair[1], pair[0]], out)).toBe(2);
    expect(native.viewOf(h, out[0]!, out[1]!).toString()).toBe('second');
    expect(native.viewOf(h, out[2]!, out[3]!).toString()).toBe('first');
  });
});

describe('getMany arguments and errors', () => {
  it('RangeError for a short out, TypeError for bad keys or out, ERR_CDB_CLOSED', () => {
    const h = native.open(write(buildMmcdb(xx, records)));
    expect(() => h.getMany(['a', 'b'], new Float64Array(3))).toThrow(RangeError);
    expect(h.getMany([], new Float64Array(0))).toBe(0);
    expect(() => h.getMany(['a'], new Uint32Array(2) as unknown as Float64Array)).toThrow(TypeError);
    expect(() => h.getMany('ab' as unknown as string[], new Float64Array(4))).toThrow(TypeError);
    expect(() => h.getMany(['a', 42 as unknown as string], new Float64Array(4))).toThrow(TypeError);
    h.close();
    expect(thrown(() => h.getMany(['a'], new Float64Array(2))).code).toBe('ERR_CDB_CLOSED');
  });

  it('a getter on the keys array that closes the handle: every key is read first, then ERR_CDB_CLOSED (nothing is looked up)', () => {
    const h = native.open(write(buildMmcdb(xx, records)), { externalBuffers: false });
    const keys = ['alpha', 'beta', 'k1'];
    let read = 0;
    Object.defineProperty(keys, 1, { get: () => (h.close(), read++, 'beta') });
    Object.defineProperty(keys, 2, { get: () => (read++, 'k1') });
    const out = new Float64Array(6).fill(7);
    expect(thrown(() => h.getMany(keys, out)).code).toBe('ERR_CDB_CLOSED');
    expect(read).toBe(2);
    expect(Array.from(out)).toEqual([7, 7, 7, 7, 7, 7]);
  });

  for (const format of ['mmcdb', 'classic'] as const) {
    it(`${format}: a corrupt slot throws ERR_CDB_CORRUPT as get() does, for the first faulting key`, () => {
      const good = format === 'mmcdb' ? buildMmcdb(xx, records) : buildClassic(records);
      const probe = native.open(write(good, format));
      // The record of 'beta': its key starts 12 (mmcdb) / 8 (classic) bytes after it.
      let recPos = -1;
      for (let c = probe.next(0); c !== -1; c = probe.next(c)) {
        if (native.viewOf(probe, probe.out[0]!, probe.out[1]!).toString() === 'beta') {
          recPos = probe.out[0]! - (format === 'mmcdb' ? 12 : 8);
        }
      }
      probe.close();
      const bad = Buffer.from(good);
      let patched = 0;
      if (format === 'mmcdb') {
        const io = Number(bad.readBigUInt64LE(48));
        const len = Number(bad.readBigUInt64LE(64));
        for (let i = 0; i < len; i++) {
          if (Number(bad.readBigUInt64LE(io + 16 * i + 8)) === recPos) {
            bad.writeBigUInt64LE(BigInt(bad.length + 1000), io + 16 * i + 8);
            patched++;
          }
        }
      } else {
        for (let o = bad.readUInt32LE(0); o < bad.length; o += 8) {
          if (bad.readUInt32LE(o + 4) === recPos) {
            bad.writeUInt32LE(bad.length + 1000, o + 4);
            patched++;
          }
        }
      }
      expect(patched).toBe(1);
      const h = native.open(write(bad, format));
      const want = thrown(() => h.get('beta'));
      expect(want.code).toBe('ERR_CDB_CORRUPT');
      const keys = ['alpha', 'missing', ...keySet(40).filter((k) => String(k) !== 'beta'), 'beta', 'k1', 'beta'];
      const err = thrown(() => h.getMany(keys, new Float64Array(2 * keys.length)));
      expect(err.code).toBe('ERR_CDB_CORRUPT');
      expect(err.offset).toBe(want.offset);
      expect(err.message).toBe(want.message);
      // Without the bad key the rest still works.
      check(
        h,
        keys.filter((k) => k !== 'beta'),
      );
    });
  }
});
