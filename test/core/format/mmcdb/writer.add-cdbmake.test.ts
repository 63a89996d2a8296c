// Writer.addCdbmake(): whole cdbmake records in bulk (native pass when the addon loads,
// writer.add() one by one otherwise) must give the very bytes add() gives, whatever the
// chunking, and stop exactly before the first byte that is not a complete record.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWriter, type WriterOptions } from '@mmcdb/core';
import { loadNative, nativeAddon, setTestHook } from '@mmcdb/core/internal';
import { tempDir } from '../../../helpers/tmp.js';

const dir = tempDir();
let n = 0;
const next = (ext = 'mmcdb') => path.join(dir, `c${n++}.${ext}`);
type Rec = [Uint8Array, Uint8Array];

function cdbmake(records: Rec[]): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of records)
    parts.push(Buffer.from(`+${k.length},${v.length}:`), Buffer.from(k), Buffer.from('->'), Buffer.from(v), Buffer.from('\n'));
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

async function viaAdd(records: Rec[], options: WriterOptions, ext = 'mmcdb'): Promise<Buffer> {
  const file = next(ext);
  const w = createWriter(file, { fsync: false, ...options });
  for (const [k, v] of records) w.add(k, v);
  await w.finish();
  return fs.readFileSync(file);
}

/** Feeds `text` in pieces ending at `cuts`, carrying the unconsumed tail over, like a reader of a stream. */
async function viaBulk(text: Buffer, cuts: number[], options: WriterOptions, ext = 'mmcdb') {
  const file = next(ext);
  const w = createWriter(file, { fsync: false, ...options });
  let pending = Buffer.alloc(0);
  let records = 0;
  let lines = 0;
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < text.length).sort((a, b) => a - b), text.length]) {
    pending = Buffer.concat([pending, text.subarray(from, cut)]);
    from = cut;
    const took = w.addCdbmake(pending);
    records += took.records;
    lines += took.lines;
    pending = pending.subarray(took.consumed);
  }
  await w.finish();
  return { bytes: fs.readFileSync(file), records, lines, left: pending.toString('latin1') };
}

const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const newliny = fc.constantFrom(Buffer.from(''), Buffer.from('\n'), Buffer.from('+1,1:a->b\n'), Buffer.from('->'));
const field = fc.oneof(bytes, newliny);
const records = fc.array(fc.tuple(field, field), { maxLength: 60 });
const backends = loadNative().ok ? (['native', 'pure'] as const) : (['pure'] as const);

function withBackend<T>(backend: 'native' | 'pure', fn: () => Promise<T>): Promise<T> {
  if (backend === 'native') return fn();
  const restore = setTestHook('nativeDisabled', 'test: pure TypeScript path');
  return fn().finally(restore);
}

describe.each(backends)('writer.addCdbmake (%s)', (backend) => {
  it('gives the bytes add() gives, for any records, alignment and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        records,
        fc.constantFrom(1, 8, 64),
        fc.array(fc.nat(4000), { maxLength: 6 }),
        async (recs, align, cuts) => {
          const text = cdbmake(recs);
          const want = await viaAdd(recs, { valueAlign: align });
          const got = await withBackend(backend, () => viaBulk(text, cuts, { valueAlign: align }));
          expect(got.bytes.equals(want)).toBe(true);
          expect(got.records).toBe(recs.length);
          expect(got.left).toBe('\n'); // the final empty line is the caller's to read
          const newlines = recs.reduce(
            (a, [k, v]) => a + 1 + k.filter((b) => b === 10).length + v.filter((b) => b === 10).length,
            0,
          );
          expect(got.lines).toBe(newlines);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('handles a record larger than the write buffer and more records than one native batch', async () => {
    const recs: Rec[] = [[Buffer.from('big'), Buffer.alloc(3 << 20, 7)]];
    for (let i = 0; i < 20_000; i++) recs.push([Buffer.from(`k${i}`), Buffer.from(`v${i % 97}`)]);
    recs.push([Buffer.from('big2'), Buffer.alloc(1 << 20, 9)]);
    const want = await viaAdd(recs, {});
    const got = await withBackend(backend, () => viaBulk(cdbmake(recs), [], {}));
    expect(got.records).toBe(recs.length);
    expect(got.bytes.equals(want)).toBe(true);
  });

  it('stops before a malformed record, a cut-off record and the final empty line', async () => {
    const w = createWriter(next(), { fsync: false });
    await withBackend(backend, async () => {
      expect(w.addCdbmake(Buffer.from('+1,1:a->b\n+1,1:c->d\n+1,1:e-'))).toEqual({
        consumed: 20,
        records: 2,
        dropped: 0,
        lines: 2,
      });
      expect(w.addCdbmake(Buffer.from('+1,1:e->f\r\n'))).toMatchObject({ consumed: 0, records: 0 });
      expect(w.addCdbmake(Buffer.from('+x,1:e->f\n'))).toMatchObject({ consumed: 0, records: 0 });
      expect(w.addCdbmake(Buffer.from('+1,1:e->f\n\n+1,1:g->h\n'))).toMatchObject({ consumed: 10, records: 1 });
      expect(w.addCdbmake(Buffer.alloc(0))).toMatchObject({ consumed: 0, records: 0 });
    });
    expect(w.count).toBe(3);
    await w.finish();
  });

  it('rejects lengths of 2^64 and more (no wrap-around) and reads from a SharedArrayBuffer', async () => {
    const w = createWriter(next(), { fsync: false });
    await withBackend(backend, async () => {
      expect(w.addCdbmake(Buffer.from('+18446744073709551616,0:->\n'))).toMatchObject({ consumed: 0, records: 0 });
      expect(w.addCdbmake(Buffer.from('+1,18446744073709551617:a->b\n'))).toMatchObject({ consumed: 0, records: 0 });
      expect(w.addCdbmake(Buffer.from('+2147483648,0:'))).toMatchObject({ consumed: 0, records: 0 });
      const text = Buffer.from('+1,2:a->bc\n+0,0:->\n');
      const shared = new Uint8Array(new SharedArrayBuffer(text.length + 3), 3);
      shared.set(text);
      expect(w.addCdbmake(shared)).toEqual({ consumed: text.length, records: 2, dropped: 0, lines: 2 });
    });
    expect(w.count).toBe(2);
    w.abort();
  });

  it('applies the duplicates policy and counts what it dropped', async () => {
    const recs: Rec[] = [
      [Buffer.from('a'), Buffer.from('1')],
      [Buffer.from('b'), Buffer.from('2')],
      [Buffer.from('a'), Buffer.from('3')],
    ];
    const want = await viaAdd(recs, { duplicates: 'first' });
    const file = next();
    const w = createWriter(file, { fsync: false, duplicates: 'first' });
    const took = await withBackend(backend, async () => w.addCdbmake(cdbmake(recs)));
    expect(took).toMatchObject({ records: 3, dropped: 1 });
    await w.finish();
    expect(fs.readFileSync(file).equals(want)).toBe(true);
  });
});

describe('the native encoder', () => {
  it('is what the writer uses whenever the addon loads', () => {
    const native = loadNative();
    if (native.ok) expect(typeof nativeAddon()?.encodeCdbmake).toBe('function');
    else expect(native.reason).toMatch(/./); // no addon: the pure path above is all there is
  });
});

describe('classic writer.addCdbmake', () => {
  it('gives the bytes add() gives', async () => {
    const recs: Rec[] = Array.from({ length: 500 }, (_, i) => [Buffer.from(`key\n${i % 50}`), Buffer.from(`value ${i}`)]);
    const want = await viaAdd(recs, { format: 'classic' }, 'cdb');
    const got = await viaBulk(cdbmake(recs), [777, 5000], { format: 'classic' }, 'cdb');
    expect(got.bytes.equals(want)).toBe(true);
  });
});

describe('addCdbmake arguments', () => {
  it('throws TypeError for anything but bytes', async () => {
    const w = createWriter(next(), { fsync: false });
    expect(() => w.addCdbmake('+1,1:a->b\n' as unknown as Uint8Array)).toThrow(TypeError);
    w.abort();
  });
});
