// Property-based round trip: whatever goes in comes back, on every backend.
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { build, openSync } from '@mmcdb/core';
import { availableBackends } from '../helpers/backends.js';
import { modelOf, sameBytes, type Rec } from '../helpers/model.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
const backends = availableBackends();
let n = 0;

const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });
// A small key pool makes duplicates frequent; the empty key is always a candidate.
const records = fc
  .tuple(fc.array(bytes(24), { minLength: 1, maxLength: 40 }), fc.array(fc.tuple(fc.nat(), bytes(300)), { maxLength: 120 }))
  .map(([pool, picks]): Rec[] => picks.map(([i, v]) => [i % 7 === 0 ? new Uint8Array(0) : pool[i % pool.length]!, v]));

function checkAgainstModel(file: string, recs: Rec[], absent: Uint8Array[]): void {
  const model = modelOf(recs);
  for (const backend of backends) {
    const db = openSync(file, { backend });
    try {
      expect(db.size).toBe(recs.length);
      for (const [hex, values] of model) {
        const key = Buffer.from(hex, 'hex');
        expect(sameBytes(db.getAll(key), values)).toBe('same');
        expect(sameBytes([db.get(key)!], [values[0]!])).toBe('same');
        expect(db.has(key)).toBe(true);
      }
      for (const key of absent) {
        if (model.has(Buffer.from(key).toString('hex'))) continue;
        expect(db.get(key)).toBeUndefined();
        expect(db.getAll(key)).toEqual([]);
        expect(db.has(key)).toBe(false);
      }
      const entries = [...db.entries()];
      expect(
        sameBytes(
          entries.map((e) => e[0]),
          recs.map((r) => r[0]),
        ),
      ).toBe('same');
      expect(
        sameBytes(
          entries.map((e) => e[1]),
          recs.map((r) => r[1]),
        ),
      ).toBe('same');
    } finally {
      db.close();
    }
  }
}

describe('round trip (fast-check) on every backend', () => {
  it('binary keys and values, empty key, empty values, duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(
        records,
        fc.array(bytes(24), { maxLength: 20 }),
        fc.constantFrom(1, 8, 64),
        async (recs, absent, valueAlign) => {
          const file = path.join(dir, `rt-${n++}.mmcdb`);
          await build(file, recs, { valueAlign });
          checkAgainstModel(file, recs, absent);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('unicode string keys and values read back as the same strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })), { maxLength: 80 }),
        async (pairs) => {
          const file = path.join(dir, `str-${n++}.mmcdb`);
          await build(file, pairs);
          const firsts = new Map<string, string>();
          for (const [k, v] of pairs) if (!firsts.has(k)) firsts.set(k, v);
          for (const backend of backends) {
            const db = openSync(file, { backend });
            for (const [k, v] of firsts) {
              expect(db.getString(k)).toBe(v);
              expect(db.get(Buffer.from(k, 'utf8'))?.toString()).toBe(v);
            }
            db.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('1 MiB values', async () => {
    const big = (seed: number) => Buffer.alloc(1 << 20, seed);
    const recs: Rec[] = [
      [Buffer.from('a'), big(1)],
      [Buffer.from('b'), Buffer.from('small')],
      [Buffer.from('a'), big(2)],
      [Buffer.from('c'), big(3)],
    ];
    const file = path.join(dir, 'big.mmcdb');
    await build(file, recs);
    checkAgainstModel(file, recs, [Buffer.from('d')]);
  });

  it('a few thousand records, every key found, random absent keys missed', async () => {
    const recs: Rec[] = [];
    for (let i = 0; i < 5000; i++) recs.push([Buffer.from(`key-${i}`), Buffer.from(`value-${i * 7}`)]);
    const absent = Array.from({ length: 500 }, (_, i) => Buffer.from(`absent-${i}`));
    const file = path.join(dir, 'many.mmcdb');
    await build(file, recs);
    checkAgainstModel(file, recs, absent);
  });
});
