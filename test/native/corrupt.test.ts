// Thousands of seeded mutations and truncations of valid mmcdb and classic files: every
// open/get/getAll/next either works or throws an ERR_CDB_* error, and nothing ever
// reads outside the file. The loop runs in a child process (helpers/fuzz-child.mjs)
// so a crash is a failed test, not a dead vitest worker.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildClassic } from './helpers/classic-builder.js';
import { buildMmcdb, type Rec } from './helpers/mmcdb-builder.js';
import { refHasher } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const xx = await refHasher();
const dir = tempDir('mmcdb-native-fuzz-');
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'fuzz-child.mjs');

const records: Rec[] = [];
for (let i = 0; i < 150; i++) records.push([`key${i}`, `value-${i}-${'v'.repeat(i % 23)}`]);
records.push(['key7', 'dup'], ['', 'empty'], ['novalue', '']);
const keys = ['key0', 'key7', 'key42', 'key149', 'novalue', ''];

function runChild(file: string, format: 'mmcdb' | 'classic', seed: number, iterations: number) {
  const arg = JSON.stringify({ file, format, seed, iterations, keys, work: dir });
  const r = spawnSync(process.execPath, [child, arg], { encoding: 'utf8', timeout: 120_000 });
  const detail = `status ${r.status} signal ${r.signal}\n${r.stderr}`;
  expect(r.signal, detail).toBeNull();
  expect(r.status, detail).toBe(0);
  const tally = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
  expect(Object.values(tally).reduce((a, b) => a + b, 0)).toBe(iterations);
  return tally;
}

describe('corrupt files never crash the native reader', () => {
  for (const valueAlign of [1, 16]) {
    it(`mmcdb (value_align ${valueAlign}): 2 × 2,500 seeded mutations`, () => {
      const file = path.join(dir, `good-${valueAlign}.mmcdb`);
      fs.writeFileSync(file, buildMmcdb(xx, records, { valueAlign, metadata: '{"k":"v"}' }));
      for (const seed of [1, 2]) {
        const tally = runChild(file, 'mmcdb', seed * 7919 + valueAlign, 2500);
        // The mutations reach past open(): some lookups hit corrupt records.
        expect(tally.ok ?? 0).toBeGreaterThan(0);
        expect(tally.ERR_CDB_CORRUPT ?? 0).toBeGreaterThan(0);
        expect(tally.ERR_CDB_CHECKSUM ?? 0).toBeGreaterThan(0);
      }
    });
  }

  it('classic: 5,000 seeded mutations', () => {
    const file = path.join(dir, 'good.cdb');
    fs.writeFileSync(file, buildClassic(records));
    const tally = runChild(file, 'classic', 4242, 5000);
    expect(tally.ok ?? 0).toBeGreaterThan(0);
    expect(tally.ERR_CDB_CORRUPT ?? 0).toBeGreaterThan(0);
    expect(tally.ERR_CDB_FORMAT ?? 0).toBeGreaterThan(0);
  });
});
