// Bounded fuzzing (CI): ~3,000 seeded cases of corrupted mmcdb (value_align 1 / 8,
// duplicates, SUPERSEDED records) and classic files, every read operation on every
// backend, in child processes. 0 crashes, 0 hangs (a per-case time budget), and every
// failure a CdbError with an ERR_CDB_* code. Long runs: fuzz-long.mjs.
// Also: every file of fixtures/corrupt/ (minimised past findings) on every backend.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFuzz } from './fuzz-lib.mjs';
import { availableBackends } from '../helpers/backends.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('mmcdb-fuzz-');
const CASES = Number(process.env['MMCDB_FUZZ_CASES'] ?? 3000);
const SEED = Number(process.env['MMCDB_FUZZ_SEED'] ?? 20240601);
const worker = fileURLToPath(new URL('./fuzz-worker.mjs', import.meta.url));
const corruptDir = fileURLToPath(new URL('../../fixtures/corrupt/', import.meta.url));

describe('fuzzing the readers', () => {
  it(`${CASES} cases (seed ${SEED}): no crash, no hang, only CdbErrors`, async () => {
    // mmap needs the addon; the fuzz runs all three backends and reports 'BAD' if one is missing.
    expect(availableBackends()).toContain('mmap');
    const s = await runFuzz({ cases: CASES, seed: SEED, workers: 2, budgetMs: 10_000, dir });
    console.log(
      `[fuzz] ${s.done} cases in ${s.seconds.toFixed(1)} s; outcomes ${JSON.stringify(s.codes)}; ` +
        `slowest case ${s.slowestMs.toFixed(0)} ms; backend disagreements ${s.disagreements}; verify missed ${s.verifyMissed}`,
    );
    expect(s.done).toBe(CASES);
    expect(s.crashes, JSON.stringify(s.crashes, null, 1)).toEqual([]);
    expect(s.hangs, JSON.stringify(s.hangs, null, 1)).toEqual([]);
    expect(s.bad, JSON.stringify(s.bad, null, 1)).toEqual([]);
    // The backends give the same answers for the same file (values found, their lengths).
    expect(s.disagreementSamples, JSON.stringify(s.disagreementSamples, null, 1)).toEqual([]);
  }, 180_000);
});

const fixtures = fs.existsSync(corruptDir) ? fs.readdirSync(corruptDir).filter((n) => !/^README/i.test(n)) : [];

describe('fixtures/corrupt regressions (every backend)', () => {
  it.each(fixtures)('%s', (name) => {
    const r = spawnSync(process.execPath, [worker, '--file', path.join(corruptDir, name)], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const { ops, answers } = JSON.parse(r.stdout) as { ops: Record<string, string>; answers: Record<string, string> };
    for (const [op, code] of Object.entries(ops)) expect(code, op).toMatch(/^(ok|ERR_CDB_[A-Z]+)$/);
    // Same outcome on every backend, operation by operation.
    for (const op of ['open', 'get', 'getAll', 'has', 'getMany', 'getManyAsync', 'iterate']) {
      const codes = new Set(['mmap', 'memory', 'pread'].map((b) => ops[`${b}.${op}`]));
      expect([...codes], `${name} ${op}`).toHaveLength(1);
    }
    const a = Object.values(answers);
    expect(new Set(a).size, JSON.stringify(answers)).toBeLessThanOrEqual(1);
  });
});
