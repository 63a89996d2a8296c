// The conformance cases: one table of databases and the answers any reader must give
// for them, whatever it reads through — the local backends (mmap, memory, pread), the
// remote reader over HTTP, a sharded set. A reader implementation plugs in with
// defineConformance(name, openAdapter): a few lines that open a built fixture and wrap
// the reader in the async Adapter below (see local.test.ts).
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type Bytes, type WriterOptions } from '@mmcdb/core';
import { modelOf, sameBytes, type Rec } from '../helpers/model.js';
import { tempDir } from '../helpers/tmp.js';

/** What every reader offers, made async so that local and remote readers look alike. */
export interface Adapter {
  readonly format: 'mmcdb' | 'classic';
  size(): Promise<number>;
  get(key: Bytes): Promise<Uint8Array | undefined>;
  getAll(key: Bytes): Promise<Uint8Array[]>;
  has(key: Bytes): Promise<boolean>;
  getString(key: Bytes): Promise<string | undefined>;
  getMany(keys: readonly Bytes[]): Promise<(Uint8Array | undefined)[]>;
  entries(): AsyncIterable<[Uint8Array, Uint8Array]>;
  /** forEach() where the reader has it (a remote set has not): the records fn was called with. */
  forEach?(fn: (key: Uint8Array, value: Uint8Array) => unknown): Promise<number>;
  metadata(): Promise<unknown>;
  close(): Promise<void>;
}

export interface Fixture {
  name: string;
  format: 'mmcdb' | 'classic';
  records: Rec[];
  options?: WriterOptions;
  /** Keys that must be absent. */
  absent: Bytes[];
}

export interface ReaderTraits {
  /** entries() yields records in file order (false: a sharded set, shard by shard). */
  fileOrder: boolean;
}

const enc = (s: string) => Buffer.from(s, 'utf8');

function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
}

/** 600 records of binary keys (1–12 bytes, many duplicates) and values (0–300 bytes). */
function binaryRecords(seed: number): Rec[] {
  const byte = seeded(seed);
  const out: Rec[] = [];
  for (let i = 0; i < 600; i++) {
    const key = Buffer.from(Array.from({ length: 1 + (byte() % 12) }, () => byte() % 8));
    const value = Buffer.from(Array.from({ length: (byte() * 7) % 301 }, byte));
    out.push([key, value]);
  }
  return out;
}

const api: Rec[] = [
  [enc('alpha'), enc('one')],
  [enc('beta'), enc('two')],
  [enc('alpha'), enc('uno')],
  [enc(''), enc('empty key')],
  [enc('nothing'), enc('')],
  [enc('héllo wörld'), enc('ünïcode')],
];
const many: Rec[] = Array.from({ length: 5000 }, (_, i) => [enc(`key:${i}`), enc(`value ${i} ${'x'.repeat(i % 40)}`)]);
const bigValue: Rec[] = [
  [enc('small'), enc('s')],
  [enc('big'), Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 31) & 255))],
  [enc('after'), enc('a')],
];
const absent = [enc('gamma'), enc('alpha '), enc('key:5000'), Buffer.from([0xff, 0xfe]), enc('\u0000')];

export const FIXTURES: Fixture[] = [
  { name: 'api', format: 'mmcdb', records: api, options: { metadata: { name: 'api', version: 3 } }, absent },
  { name: 'api-classic', format: 'classic', records: api, options: { format: 'classic' }, absent },
  { name: 'empty', format: 'mmcdb', records: [], absent },
  { name: 'empty-classic', format: 'classic', records: [], options: { format: 'classic' }, absent },
  { name: 'binary', format: 'mmcdb', records: binaryRecords(7), options: { seed: 12345n }, absent },
  { name: 'binary-classic', format: 'classic', records: binaryRecords(7), options: { format: 'classic' }, absent },
  { name: 'aligned', format: 'mmcdb', records: binaryRecords(9), options: { valueAlign: 16 }, absent },
  { name: 'many', format: 'mmcdb', records: many, absent },
  { name: 'many-classic', format: 'classic', records: many, options: { format: 'classic' }, absent },
  { name: 'big-value', format: 'mmcdb', records: bigValue, absent },
];

/** Builds every fixture once into `dir`; returns the file of each. */
export async function buildFixtures(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const f of FIXTURES) {
    const file = path.join(dir, `${f.name}.${f.format === 'classic' ? 'cdb' : 'mmcdb'}`);
    await build(file, f.records, f.options ?? {});
    files.set(f.name, file);
  }
  return files;
}

/**
 * Registers the conformance suite for one reader implementation. `open(file, fixture)`
 * returns an Adapter over the reader of that built file (or of a set/URL made from it).
 */
export function defineConformance(
  name: string,
  open: (file: string, fixture: Fixture) => Promise<Adapter>,
  traits: ReaderTraits = { fileOrder: true },
): void {
  describe(`conformance: ${name}`, () => {
    const dir = tempDir('mmcdb-conformance-');
    let files = new Map<string, string>();
    beforeAll(async () => {
      files = await buildFixtures(dir);
    });

    describe.each(FIXTURES)('$name', (fx) => {
      const model = modelOf(
        fx.records,
        fx.options?.duplicates === 'first' || fx.options?.duplicates === 'last' ? fx.options.duplicates : 'all',
      );
      const distinct = [...model.keys()].map((hex) => Buffer.from(hex, 'hex'));

      it('format, size and metadata', async () => {
        const r = await open(files.get(fx.name)!, fx);
        try {
          expect(r.format).toBe(fx.format);
          expect(await r.size()).toBe(fx.records.length);
          expect(await r.metadata()).toEqual(fx.options?.metadata);
        } finally {
          await r.close();
        }
      });

      it('get / getAll / has / getString of every key, and absent keys', async () => {
        const r = await open(files.get(fx.name)!, fx);
        try {
          for (const key of distinct) {
            const want = model.get(key.toString('hex'))!;
            expect(sameBytes(await r.getAll(key), want), key.toString('hex')).toBe('same');
            expect(sameBytes([(await r.get(key))!], [want[0]!])).toBe('same');
            expect(await r.has(key)).toBe(true);
          }
          for (const key of fx.absent) {
            if (model.has(Buffer.from(key).toString('hex'))) continue;
            expect(await r.get(key)).toBeUndefined();
            expect(await r.getAll(key)).toEqual([]);
            expect(await r.has(key)).toBe(false);
            expect(await r.getString(key)).toBeUndefined();
          }
          if (fx.records.length > 0) {
            const key = fx.records[0]![0];
            const first = model.get(Buffer.from(key).toString('hex'))![0]!;
            expect(await r.getString(key)).toBe(first.toString('utf8'));
          }
        } finally {
          await r.close();
        }
      });

      it('string keys are their UTF-8 bytes', async () => {
        const r = await open(files.get(fx.name)!, fx);
        try {
          for (const key of distinct.slice(0, 50)) {
            const text = key.toString('utf8');
            if (!Buffer.from(text, 'utf8').equals(key)) continue; // not valid UTF-8: no string spells it
            expect(sameBytes(await r.getAll(text), model.get(key.toString('hex'))!)).toBe('same');
          }
        } finally {
          await r.close();
        }
      });

      it('getMany equals get() key by key, hits and misses mixed, in order', async () => {
        const r = await open(files.get(fx.name)!, fx);
        try {
          const keys: Bytes[] = [];
          for (let i = 0; i < Math.min(distinct.length, 1000); i++) {
            keys.push(distinct[(i * 7919) % distinct.length]!);
            if (i % 4 === 0) keys.push(fx.absent[i % fx.absent.length]!);
          }
          const got = await r.getMany(keys);
          expect(got.length).toBe(keys.length);
          for (let i = 0; i < keys.length; i++) {
            const want = model.get(Buffer.from(keys[i] as Uint8Array).toString('hex'));
            if (want === undefined) expect(got[i]).toBeUndefined();
            else expect(sameBytes([got[i]!], [want[0]!])).toBe('same');
          }
          expect(await r.getMany([])).toEqual([]);
        } finally {
          await r.close();
        }
      });

      it(traits.fileOrder ? 'entries() yields every record in insertion order' : 'entries() yields every record', async () => {
        const r = await open(files.get(fx.name)!, fx);
        try {
          const seen: string[] = [];
          for await (const [k, v] of r.entries())
            seen.push(`${Buffer.from(k).toString('hex')}:${Buffer.from(v).toString('hex')}`);
          const want = fx.records.map(([k, v]) => `${Buffer.from(k).toString('hex')}:${Buffer.from(v).toString('hex')}`);
          if (traits.fileOrder) expect(seen).toEqual(want);
          else expect(seen.sort()).toEqual(want.sort());
        } finally {
          await r.close();
        }
      });

      it('forEach() calls back with the records of entries(), in the same order; false stops', async () => {
        const r = await open(files.get(fx.name)!, fx);
        try {
          if (r.forEach === undefined) return;
          const hex = (k: Uint8Array, v: Uint8Array) => `${Buffer.from(k).toString('hex')}:${Buffer.from(v).toString('hex')}`;
          const want: string[] = [];
          for await (const [k, v] of r.entries()) want.push(hex(k, v));
          const seen: string[] = [];
          expect(await r.forEach((k, v) => void seen.push(hex(k, v)))).toBe(want.length);
          expect(seen).toEqual(want);
          let calls = 0;
          // biome-ignore lint/suspicious/useIterableCallbackReturn: forEach here is not Array#forEach: false stops it
          expect(await r.forEach(() => ++calls < 2 && undefined)).toBe(Math.min(2, want.length));
        } finally {
          await r.close();
        }
      });

      it('after close() reads fail with ERR_CDB_CLOSED', async () => {
        const r = await open(files.get(fx.name)!, fx);
        await r.close();
        await expect(r.get('alpha')).rejects.toMatchObject({ code: 'ERR_CDB_CLOSED' });
        await r.close(); // twice is fine
      });
    });
  });
}
