// A 1M-record build from a generated cdbmake file (~100-byte values), then lookups.
// The time is printed, not asserted.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cdb, ok } from './helpers.js';

const RECORDS = 1_000_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-cli-large-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const value = (i: number) => `value-${i}-`.padEnd(100, String.fromCharCode(97 + (i % 26)));

describe('1M records', () => {
  it('builds from a cdbmake file and answers lookups', { timeout: 120_000 }, async () => {
    const input = path.join(dir, 'big.cdbmake');
    const fd = fs.openSync(input, 'w');
    let parts: string[] = [];
    for (let i = 0; i < RECORDS; i++) {
      const k = `key:${i}`;
      const v = value(i);
      parts.push(`+${k.length},${v.length}:${k}->${v}\n`);
      if (parts.length === 20_000) {
        fs.writeSync(fd, parts.join(''));
        parts = [];
      }
    }
    parts.push('\n');
    fs.writeSync(fd, parts.join(''));
    fs.closeSync(fd);

    const db = path.join(dir, 'big.cdb');
    const t0 = performance.now();
    const r = await ok(['build', db, input]);
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `cdb build: ${RECORDS} records (${(fs.statSync(input).size / 1e6).toFixed(0)} MB of cdbmake) in ${seconds.toFixed(2)} s; ${r.stderr.trim()}`,
    );
    expect(r.stderr).toContain(`${RECORDS} records`);

    for (const i of [0, 1, 4242, 500_000, RECORDS - 1]) {
      expect((await ok(['get', db, `key:${i}`])).out).toBe(value(i));
    }
    expect((await cdb(['get', db, `key:${RECORDS}`])).status).toBe(100);
  });
});
