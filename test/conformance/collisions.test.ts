// Collisions: forced full 64-bit hash collisions (test hook of the pure-TS hash) and
// crowded tables (high load factor) must still return exactly the right records.
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyze, build, openSync, verify, type Backend } from '@mmcdb/core';
import { testHooks } from '@mmcdb/core/internal';

const setKeyHashForTesting = (fn: ((key: Uint8Array) => bigint) | undefined) => {
  testHooks.keyHash = fn;
};
import { availableBackends } from '../helpers/backends.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
// The hash override reaches only the TypeScript code, so these run on memory and pread.
const tsBackends: Backend[] = ['memory', 'pread'];

afterEach(() => setKeyHashForTesting(undefined));

describe('forced hash collisions', () => {
  it('keys sharing one 64-bit hash are told apart by their bytes', async () => {
    // Three hash values for 300 keys: long runs of equal hashes.
    setKeyHashForTesting((key) => BigInt(key.length % 3) * 0x5555555555555555n);
    const recs: [string, string][] = [];
    for (let i = 0; i < 300; i++) recs.push([`k${i}`, `v${i}`]);
    recs.push(['k7', 'v7-again']);
    const file = path.join(dir, 'collide.mmcdb');
    await build(file, recs);
    for (const backend of tsBackends) {
      const db = openSync(file, { backend });
      for (let i = 0; i < 300; i++) expect(db.getString(`k${i}`)).toBe(`v${i}`);
      expect(db.getAll('k7').map(String)).toEqual(['v7', 'v7-again']);
      expect(db.get('k300')).toBeUndefined();
      expect(db.get('zz')).toBeUndefined();
      db.close();
    }
    expect((await verify(file)).ok).toBe(true);
    const stats = await analyze(file);
    expect(stats.distinctKeys).toBe(300);
    expect(stats.index.maxProbe).toBeGreaterThan(50);
  });

  it('every key on the last home slot spills into the overflow tail', async () => {
    setKeyHashForTesting(() => 0xffffffffffffffffn);
    const recs: [string, string][] = Array.from({ length: 50 }, (_, i) => [`t${i}`, `${i}`]);
    const file = path.join(dir, 'tail.mmcdb');
    const result = await build(file, recs, { onWarning: () => {} });
    expect(result.indexSlots).toBeGreaterThan(100);
    for (const backend of tsBackends) {
      const db = openSync(file, { backend });
      for (const [k, v] of recs) expect(db.getString(k)).toBe(v);
      expect(db.get('nope')).toBeUndefined();
      db.close();
    }
    expect((await verify(file)).ok).toBe(true);
  });

  it('the writer warns when the probe distance is pathological', async () => {
    setKeyHashForTesting(() => 42n);
    const warnings: string[] = [];
    await build(
      path.join(dir, 'warn.mmcdb'),
      Array.from({ length: 200 }, (_, i) => [`w${i}`, 'x'] as const),
      { onWarning: (m) => warnings.push(m) },
    );
    expect(warnings.join()).toMatch(/probe.*seed: 'random'/);
  });
});

describe('crowded index (load 0.95) on every backend', () => {
  it('finds every key and misses absent ones', async () => {
    const recs: [string, string][] = Array.from({ length: 3000 }, (_, i) => [`crowd-${i}`, `v${i}`]);
    const file = path.join(dir, 'crowd.mmcdb');
    await build(file, recs, { load: 0.95 });
    for (const backend of availableBackends()) {
      const db = openSync(file, { backend });
      for (const [k, v] of recs) expect(db.getString(k)).toBe(v);
      for (let i = 0; i < 300; i++) expect(db.get(`absent-${i}`)).toBeUndefined();
      db.close();
    }
  });
});
