// Lookups, iteration and lifetime of the native reader on mmcdb files, built by the
// test-only builder (an independent reading of FORMAT.md) and by @mmcdb/core's writer.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMmcdb, type Rec } from './helpers/mmcdb-builder.js';
import { fullGc } from './helpers/gc.js';
import { native, refHasher, thrown, type NativeHandle } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const xx = await refHasher();
const dir = tempDir('mmcdb-native-');
let n = 0;

function write(bytes: Uint8Array): string {
  const file = path.join(dir, `f${n++}.mmcdb`);
  fs.writeFileSync(file, bytes);
  return file;
}

function value(h: NativeHandle, off: number, len: number): Buffer {
  return native.viewOf(h, off, len);
}

function get(h: NativeHandle, key: string | Uint8Array): Buffer | undefined {
  const r = h.get(key);
  if (r === 0) return undefined;
  return value(h, h.out[0]!, h.out[1]!);
}

function getAll(h: NativeHandle, key: string | Uint8Array): Buffer[] {
  let count = h.getAll(key);
  if (count > h.out.length / 2) {
    h.setOut(new Float64Array(count * 2));
    count = h.getAll(key);
  }
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) out.push(value(h, h.out[2 * i]!, h.out[2 * i + 1]!));
  return out;
}

function entries(h: NativeHandle): [string, string][] {
  const list: [string, string][] = [];
  for (let c = h.next(0); c !== -1; c = h.next(c)) {
    const [ko, kl, vo, vl] = h.out;
    list.push([value(h, ko!, kl!).toString('latin1'), value(h, vo!, vl!).toString('latin1')]);
  }
  return list;
}

const big = Buffer.alloc(1 << 20, 0);
for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 255;

const records: Rec[] = [
  ['alpha', 'one'],
  ['beta', 'two'],
  ['alpha', 'three'],
  ['', 'empty key'],
  ['novalue', ''],
  [Uint8Array.of(0, 255, 0, 1), Uint8Array.of(9, 8, 7)],
  ['big', big],
  ['ünïcødé 🎉', 'utf8'],
  ['alpha', 'four'],
  ['nul\0key', 'nul inside'],
  ['k'.repeat(600), 'long key'],
  ['z'.repeat(507), 'key near the stack buffer size'],
  ['é'.repeat(254), 'multi-byte key near the stack buffer size'],
];
for (let i = 0; i < 500; i++) records.push([`key-${i}`, `value-${i}`]);

function checkAll(h: NativeHandle) {
  expect(get(h, 'alpha')?.toString()).toBe('one');
  expect(getAll(h, 'alpha').map(String)).toEqual(['one', 'three', 'four']);
  expect(get(h, 'beta')?.toString()).toBe('two');
  expect(get(h, '')?.toString()).toBe('empty key');
  expect(get(h, new Uint8Array(0))?.toString()).toBe('empty key');
  expect(get(h, 'novalue')?.length).toBe(0);
  expect(h.get('novalue')).toBe(1);
  expect([...get(h, Uint8Array.of(0, 255, 0, 1))!]).toEqual([9, 8, 7]);
  expect(get(h, 'big')!.equals(big)).toBe(true);
  expect(get(h, 'ünïcødé 🎉')?.toString()).toBe('utf8');
  expect(get(h, Buffer.from('ünïcødé 🎉'))?.toString()).toBe('utf8');
  expect(get(h, 'nul\0key')?.toString()).toBe('nul inside');
  expect(h.get('nul')).toBe(0);
  expect(get(h, 'k'.repeat(600))?.toString()).toBe('long key');
  expect(get(h, 'z'.repeat(507))?.toString()).toBe('key near the stack buffer size');
  expect(get(h, 'é'.repeat(254))?.toString()).toBe('multi-byte key near the stack buffer size');
  expect(get(h, 'é'.repeat(253))).toBeUndefined();
  expect(get(h, 'z'.repeat(506))).toBeUndefined();
  for (let i = 0; i < 500; i++) {
    expect(get(h, `key-${i}`)?.toString()).toBe(`value-${i}`);
    expect(get(h, Buffer.from(`key-${i}`))?.toString()).toBe(`value-${i}`);
  }
  for (const miss of ['absent', 'alph', 'alphaa', 'key-500', 'k'.repeat(599)]) {
    expect(h.get(miss)).toBe(0);
    expect(h.getAll(miss)).toBe(0);
  }
  // Other typed arrays are taken as their bytes.
  expect(get(h, new Uint16Array(Uint8Array.of(0, 255, 0, 1).buffer) as unknown as Uint8Array)?.length).toBe(3);
}

describe('native reader on mmcdb files', () => {
  for (const valueAlign of [1, 8, 4096]) {
    it(`hits, misses, duplicates, empty key/value, binary, 1 MiB value (value_align ${valueAlign})`, () => {
      const file = write(buildMmcdb(xx, records, { valueAlign, metadata: '{"a":1}' }));
      const h = native.open(file);
      expect(h.format).toBe('mmcdb');
      expect(h.fileSize).toBe(fs.statSync(file).size);
      expect(h.segments.length).toBe(1);
      expect(h.externalBuffers).toBe(true);
      checkAll(h);
      if (valueAlign > 1) {
        h.get('big');
        expect(h.out[0]! % valueAlign).toBe(0);
      }
      expect(h.metadata()).toBe('{"a":1}');
      const list = entries(h);
      expect(list.length).toBe(records.length);
      expect(list[0]).toEqual(['alpha', 'one']);
      expect(list[8]).toEqual(['alpha', 'four']);
      h.close();
    });
  }

  it('reads the FORMAT.md §Example bytes and matches @mmcdb/core byte for byte', async () => {
    const mine = buildMmcdb(xx, [
      ['a', 'xyz'],
      ['bc', ''],
    ]);
    const { build } = await import('@mmcdb/core');
    const coreFile = path.join(dir, 'core-example.mmcdb');
    await build(coreFile, [
      ['a', 'xyz'],
      ['bc', ''],
    ]);
    expect(mine.equals(fs.readFileSync(coreFile))).toBe(true);
    const h = native.open(coreFile);
    expect(get(h, 'a')?.toString()).toBe('xyz');
    expect(h.out[0]).toBe(0x8c + 1);
    expect(get(h, 'bc')?.length).toBe(0);
    expect(h.get('zz')).toBe(0);
    expect(h.metadata()).toBeUndefined();
  });

  it('files from the core writer: duplicates all/last (SUPERSEDED skipped), metadata, align', async () => {
    const { createWriter } = await import('@mmcdb/core');
    for (const duplicates of ['all', 'last'] as const) {
      const file = path.join(dir, `core-${duplicates}.mmcdb`);
      const w = createWriter(file, { duplicates, valueAlign: 8, metadata: { x: [1, 2] }, fsync: false });
      for (const [k, v] of records) w.add(k, v);
      await w.finish();
      const h = native.open(file);
      expect(get(h, 'beta')?.toString()).toBe('two');
      expect(getAll(h, 'alpha').map(String)).toEqual(duplicates === 'all' ? ['one', 'three', 'four'] : ['four']);
      expect(get(h, 'big')!.equals(big)).toBe(true);
      expect(JSON.parse(h.metadata()!)).toEqual({ x: [1, 2] });
      const alphas = entries(h)
        .filter(([k]) => k === 'alpha')
        .map(([, v]) => v);
      expect(alphas).toEqual(duplicates === 'all' ? ['one', 'three', 'four'] : ['four']);
      // The builder gives the same bytes for the same records.
      if (duplicates === 'all') {
        const mine = buildMmcdb(xx, records, { valueAlign: 8, metadata: JSON.stringify({ x: [1, 2] }) });
        expect(mine.equals(fs.readFileSync(file))).toBe(true);
      }
    }
  });

  it('empty database, many duplicates (getAll beyond out, setOut)', () => {
    const h0 = native.open(write(buildMmcdb(xx, [])));
    expect(h0.get('x')).toBe(0);
    expect(h0.next(0)).toBe(-1);
    const dup: Rec[] = Array.from({ length: 1000 }, (_, i) => ['same', `v${i}`]);
    const h = native.open(write(buildMmcdb(xx, dup, { load: 0.9 })));
    h.out.fill(-1);
    expect(h.getAll('same')).toBe(1000);
    expect(h.out.every((x) => x === -1)).toBe(true); // too many: out untouched
    const all = getAll(h, 'same').map(String);
    expect(all).toEqual(dup.map(([, v]) => v));
    expect(h.out.length).toBe(2000);
    expect(() => h.setOut(new Float64Array(2))).toThrow(RangeError);
    expect(() => h.setOut(new Uint32Array(8) as unknown as Float64Array)).toThrow(TypeError);
    expect(() => h.get(42 as unknown as string)).toThrow(TypeError);
    expect(() => h.next(-1)).toThrow(RangeError);
  });

  it('zero-copy: two gets view the same ArrayBuffer; writes stay private', () => {
    const file = write(buildMmcdb(xx, records));
    const before = fs.readFileSync(file);
    const h = native.open(file);
    const a = get(h, 'beta')!;
    const b = get(h, 'beta')!;
    expect(a.buffer).toBe(b.buffer);
    expect(a.buffer).toBe(h.segments[0]);
    a[0] = 'X'.charCodeAt(0);
    expect(b.toString()).toBe('Xwo'); // same private page
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    const h2 = native.open(file);
    expect(get(h2, 'beta')?.toString()).toBe('two');
    h.close();
    h2.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('close(): later calls throw ERR_CDB_CLOSED; held views survive gc of the handle', async () => {
    const file = write(buildMmcdb(xx, records));
    // Only the views escape: the handle itself becomes unreachable.
    const [v, w] = (() => {
      const h = native.open(file);
      const views = [get(h, 'big')!, get(h, 'beta')!];
      h.close();
      h.close(); // idempotent
      for (const fn of [() => h.get('a'), () => h.getAll('a'), () => h.next(0), () => h.metadata(), () => h.copy(0, 1)]) {
        expect(thrown(fn).code).toBe('ERR_CDB_CLOSED');
      }
      expect(h.stats()).toMatchObject({ closed: true, mappedBytes: 0 });
      return views;
    })();
    const gc = fullGc();
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    expect(v!.equals(big)).toBe(true);
    expect(w!.toString()).toBe('two');
    // The mapping is still there (held by the views' ArrayBuffer).
    expect(fs.readFileSync('/proc/self/maps', 'utf8')).toContain(file);
  });

  it('an unreachable closed handle is unmapped without crashing', async () => {
    const file = write(buildMmcdb(xx, records));
    const gc = fullGc();
    for (let i = 0; i < 200; i++) {
      const h = native.open(file);
      get(h, 'big');
      if (i % 2) h.close();
    }
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    const maps = fs
      .readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .filter((l) => l.includes(file));
    expect(maps.length).toBeLessThan(50);
  });

  it('windowed segments (forced on a small file) address every value', () => {
    const file = write(buildMmcdb(xx, records));
    const data = Number(fs.readFileSync(file).readBigUInt64LE(40)) - 128; // the data section [128, data_end)
    const h = native.open(file, { windowSize: 8192, windowStride: 4096 });
    expect(h.segmentStride).toBe(4096);
    expect(h.segmentBase).toBe(128);
    expect(h.segments.length).toBe(Math.ceil(data / 4096)); // every offset has window floor((offset - 128) / 4096)
    expect(h.segments.every((seg) => seg === undefined)).toBe(true); // created on first use
    for (let i = 0; i < h.segments.length; i++) expect(h.segment(i)!.byteLength).toBe(Math.min(8192, data - i * 4096));
    expect(h.get('big')).toBe(2); // 1 MiB > a window: copy() path
    checkAll(h);
    expect(entries(h).length).toBe(records.length);
  });

  it('without external buffers (V8 sandbox): no segments, copy()', () => {
    const h = native.open(write(buildMmcdb(xx, records)), { externalBuffers: false });
    expect(h.externalBuffers).toBe(false);
    expect(h.segments).toEqual([]);
    expect(h.stats()).toMatchObject({ externalBuffers: false, segments: 0, format: 'mmcdb' });
    checkAll(h);
    expect(() => h.copy(h.fileSize, 1)).toThrow(RangeError);
    expect(h.copy(h.fileSize, 0).length).toBe(0);
  });

  it('system errors carry the errno name and the path', () => {
    const e = thrown(() => native.open(path.join(dir, 'missing.mmcdb')));
    expect(e.code).toBe('ENOENT');
    expect(e.message).toContain('missing.mmcdb');
    expect(thrown(() => native.open(dir)).code).toBe('EISDIR');
    expect(() => native.open(42 as unknown as string)).toThrow(TypeError);
  });

  it('header errors: codes and offsets', () => {
    const good = buildMmcdb(xx, records);
    const cases: [string, (b: Buffer) => Buffer, string, number][] = [
      ['empty file', () => Buffer.alloc(0), 'ERR_CDB_FORMAT', 0],
      ['short with magic', (b) => b.subarray(0, 100), 'ERR_CDB_TRUNCATED', 100],
      ['bad magic, short', (b) => Buffer.concat([Buffer.from('hello'), b.subarray(5, 300)]), 'ERR_CDB_FORMAT', 0],
      ['version 2', (b) => (b.writeUInt16LE(2, 8), b), 'ERR_CDB_VERSION', 8],
      ['checksum', (b) => ((b[20]! ^= 1), b), 'ERR_CDB_CHECKSUM', 120],
      ['truncated body', (b) => b.subarray(0, b.length - 1), 'ERR_CDB_TRUNCATED', good.length - 1],
      ['trailing bytes', (b) => Buffer.concat([b, Buffer.alloc(1)]), 'ERR_CDB_FORMAT', 88],
    ];
    for (const [name, mutate, code, offset] of cases) {
      const e = thrown(() => native.open(write(mutate(Buffer.from(good)))));
      expect(e.code, name).toBe(code);
      expect(e.offset, name).toBe(offset);
    }
  });
});
