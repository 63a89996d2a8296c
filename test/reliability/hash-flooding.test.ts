// Hash flooding: keys crafted to pile into one corner of the index under the default
// seed make probe runs pathological (the writer warns); a random seed spreads the same
// keys and lookups stay O(1).
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, build, DEFAULT_SEED, openSync } from '@mmcdb/core';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
// The writer's probe work is quadratic in a pile-up: 30k keys in the default run, 100k in test:long.
const COUNT = process.env.MMCDB_TEST_LONG === '1' ? 100_000 : 30_000;
const BITS = 10; // 2^-10 of the hash space: the keys squeezed into ~1/1000 of the home slots
let keys: string[] = [];

beforeAll(() => {
  const src = fileURLToPath(new URL('./flood-keys.cc', import.meta.url));
  const xxh = fileURLToPath(new URL('../../packages/native/src/xxh64.cc', import.meta.url));
  const exe = path.join(os.tmpdir(), `mmcdb-flood-keys-${process.pid}`);
  execFileSync('g++', ['-O2', '-std=c++17', '-o', exe, src, xxh]);
  const out = execFileSync(exe, [String(COUNT), String(BITS), `0x${DEFAULT_SEED.toString(16)}`], { maxBuffer: 1 << 26 });
  keys = out.toString().trim().split('\n');
}, 120_000);

describe('hash flooding', () => {
  it(`${COUNT} crafted keys under the default seed: pathological probes, and the writer warns`, async () => {
    expect(keys).toHaveLength(COUNT);
    const warnings: string[] = [];
    const file = path.join(dir, 'default-seed.mmcdb');
    await build(
      file,
      keys.map((k) => [k, 'v'] as const),
      { onWarning: (m) => warnings.push(m) },
    );
    const stats = await analyze(file);
    console.log(`[flooding] default seed: max probe ${stats.index.maxProbe}, collisions ${stats.index.collisions}`);
    expect(stats.index.maxProbe).toBeGreaterThan(COUNT / 2);
    expect(warnings.join('\n')).toMatch(/seed: 'random'/);
  });

  it('the same keys with a random seed: short probes, every key found', async () => {
    const warnings: string[] = [];
    const file = path.join(dir, 'random-seed.mmcdb');
    await build(
      file,
      keys.map((k) => [k, k] as const),
      { seed: 'random', onWarning: (m) => warnings.push(m) },
    );
    const stats = await analyze(file);
    console.log(`[flooding] random seed: max probe ${stats.index.maxProbe}, histogram ${stats.index.probeHistogram.join(' ')}`);
    expect(stats.index.maxProbe).toBeLessThan(64);
    expect(warnings).toEqual([]);
    const db = openSync(file);
    for (let i = 0; i < keys.length; i += 97) expect(db.getString(keys[i]!)).toBe(keys[i]);
    db.close();
  });
});
