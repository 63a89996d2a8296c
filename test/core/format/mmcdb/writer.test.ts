// createWriter() / build(): options, duplicate policies, metadata, sizes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, createWriter, openSync, verify } from '@mmcdb/core';
import { tempDir, tempLeftovers } from '../../../helpers/tmp.js';

const dir = tempDir();
let n = 0;
const next = () => path.join(dir, `w${n++}.mmcdb`);
const recs: [string, string][] = [
  ['k', 'v1'],
  ['x', 'only'],
  ['k', 'v2'],
  ['k', 'v3'],
];

describe('createWriter', () => {
  it('add() then finish() publishes a database and reports a summary', async () => {
    const file = next();
    const w = createWriter(file);
    expect(w.add('a', '1')).toBe(true);
    expect(w.add(Buffer.from('b'), new Uint8Array([2]))).toBe(true);
    expect(w.count).toBe(2);
    expect(fs.existsSync(file)).toBe(false); // nothing published before finish()
    const result = await w.finish();
    expect(result).toMatchObject({ path: file, format: 'mmcdb', records: 2, bytes: fs.statSync(file).size });
    expect(result.seconds).toBeGreaterThanOrEqual(0);
    expect(tempLeftovers(dir)).toEqual([]);
    const db = openSync(file, { backend: 'memory' });
    expect(db.getString('a')).toBe('1');
    expect([...db.get('b')!]).toEqual([2]);
    db.close();
  });

  it('after finish() add() throws ERR_CDB_CLOSED', async () => {
    const w = createWriter(next());
    await w.finish();
    expect(() => w.add('a', 'b')).toThrow(expect.objectContaining({ code: 'ERR_CDB_CLOSED' }));
  });

  it('rejects bad arguments with TypeError / RangeError', () => {
    expect(() => createWriter('')).toThrow(TypeError);
    expect(() => createWriter(next(), { valueAlign: 3 })).toThrow(RangeError);
    expect(() => createWriter(next(), { valueAlign: 1 << 17 })).toThrow(RangeError);
    expect(() => createWriter(next(), { duplicates: 'some' as 'all' })).toThrow(RangeError);
    expect(() => createWriter(next(), { load: 1.5 })).toThrow(RangeError);
    expect(() => createWriter(next(), { seed: -1 })).toThrow(RangeError);
    expect(() => createWriter(next(), { seed: 1n << 64n })).toThrow(RangeError);
    expect(() => createWriter(next(), { format: 'xml' as 'mmcdb' })).toThrow(RangeError);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => createWriter(next(), { metadata: cyclic })).toThrow(TypeError);
    const w = createWriter(next());
    expect(() => w.add(5 as unknown as string, 'v')).toThrow(TypeError);
    w.abort();
    expect(tempLeftovers(dir)).toEqual([]);
  });
});

describe('duplicates policy', () => {
  it("'all' keeps every value in insertion order", async () => {
    const file = next();
    await build(file, recs);
    const db = openSync(file, { backend: 'memory' });
    expect(db.getAll('k').map(String)).toEqual(['v1', 'v2', 'v3']);
    expect(db.size).toBe(4);
    db.close();
  });

  it("'first' keeps the first value and add() reports the drop", async () => {
    const file = next();
    const w = createWriter(file, { duplicates: 'first' });
    expect(recs.map(([k, v]) => w.add(k, v))).toEqual([true, true, false, false]);
    await w.finish();
    const db = openSync(file, { backend: 'memory' });
    expect(db.getAll('k').map(String)).toEqual(['v1']);
    expect([...db.keys()].map(String)).toEqual(['k', 'x']);
    db.close();
  });

  it("'last' keeps the last value; iteration skips superseded records", async () => {
    const file = next();
    await build(file, recs, { duplicates: 'last' });
    const db = openSync(file, { backend: 'pread' });
    expect(db.getAll('k').map(String)).toEqual(['v3']);
    expect(db.size).toBe(2);
    expect([...db].map(([k, v]) => `${k}=${v}`)).toEqual(['x=only', 'k=v3']);
    db.close();
    expect((await verify(file)).ok).toBe(true);
  });

  it("'last' across the write buffer (records already flushed to disk)", async () => {
    const file = next();
    const big = 'x'.repeat(300_000);
    const input: [string, string][] = [
      ['dup', 'first'],
      ...Array.from({ length: 8 }, (_, i) => [`pad${i}`, big] as [string, string]),
      ['dup', 'second'],
    ];
    await build(file, input, { duplicates: 'last' });
    const db = openSync(file, { backend: 'memory' });
    expect(db.getAll('dup').map(String)).toEqual(['second']);
    db.close();
    expect((await verify(file)).ok).toBe(true);
  });

  it("'error' throws ERR_CDB_DUPLICATE naming the key and leaves nothing behind", async () => {
    const file = next();
    await expect(build(file, recs, { duplicates: 'error' })).rejects.toMatchObject({
      code: 'ERR_CDB_DUPLICATE',
      message: expect.stringContaining('"k"'),
    });
    expect(fs.existsSync(file)).toBe(false);
    expect(tempLeftovers(dir)).toEqual([]);
  });
});

describe('build()', () => {
  it('accepts async iterables and {key, value} objects', async () => {
    const file = next();
    async function* gen() {
      yield { key: 'a', value: 'A' };
      yield ['b', 'B'] as const;
    }
    const result = await build(file, gen());
    expect(result.records).toBe(2);
    const db = openSync(file, { backend: 'memory' });
    expect(db.getString('a')).toBe('A');
    db.close();
  });

  it('rejects a non-iterable and a malformed record with TypeError', async () => {
    await expect(build(next(), 5 as unknown as [])).rejects.toThrow(TypeError);
    await expect(build(next(), [42 as unknown as [string, string]])).rejects.toThrow(TypeError);
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it('stores metadata and the seed it used', async () => {
    const file = next();
    const result = await build(file, recs, { metadata: { built: 'today', n: [1, 2] }, seed: 12345 });
    expect(result.seed).toBe(12345n);
    const db = openSync(file, { backend: 'memory' });
    expect(db.metadata).toEqual({ built: 'today', n: [1, 2] });
    expect(db.getString('x')).toBe('only');
    db.close();
  });
});
