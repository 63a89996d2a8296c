// Crash safety at fixed points (the fast default-suite twin of the random-kill tests in
// *.long.test.ts): a build killed with SIGKILL at each step of its publication
// (MMCDB_CRASH_AT, build/crash-point.ts) leaves the previous complete database before the
// rename and the new one after it — never a partial file — and the next build removes
// the temp file a killed build left. For the library (createWriter) and `cdb build`,
// both formats.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSync, verify } from '@mmcdb/core';
import { tempDir, tempLeftovers } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./build-child.mjs', import.meta.url));
const RECORDS = 2000;
const STEPS = [
  ['after-records', 'old'],
  ['after-index', 'old'],
  ['before-rename', 'old'],
  ['after-rename', 'new'],
] as const;

const dir = tempDir('mmcdb-crash-points-');

function input(version: string): string {
  const file = path.join(dir, `input-${version}.cdbmake`);
  const pad = 'x'.repeat(100);
  const lines = [`+7,${version.length}:version->${version}\n`];
  for (let i = 0; i < RECORDS; i++) {
    const k = `key:${i}`;
    const v = `${version}:${i}:${pad}`;
    lines.push(`+${k.length},${v.length}:${k}->${v}\n`);
  }
  fs.writeFileSync(file, `${lines.join('')}\n`);
  return file;
}

type How = 'library' | 'cli';

function run(how: How, target: string, version: string, format: 'mmcdb' | 'classic', crashAt?: string) {
  const env = { ...process.env, MMCDB_BACKEND: undefined, DEBUG: undefined, MMCDB_CRASH_AT: crashAt };
  const args =
    how === 'cli'
      ? [BIN, 'build', target, input(version), '-q', '--no-progress', '--format', format]
      : [CHILD, target, String(RECORDS), version, format];
  return spawnSync(process.execPath, args, { env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
}

async function versionOf(target: string): Promise<string | undefined> {
  const report = await verify(target);
  expect(report.ok, report.error?.message).toBe(true);
  const db = openSync(target, { backend: 'memory' });
  try {
    expect(db.size).toBe(RECORDS + 1);
    return db.getString('version');
  } finally {
    db.close();
  }
}

describe.each(['library', 'cli'] as const)('crash points (%s)', (how) => {
  describe.each(['mmcdb', 'classic'] as const)('%s', (format) => {
    it.each(STEPS)('SIGKILL %s leaves the %s database', async (step, expected) => {
      const sub = fs.mkdtempSync(path.join(dir, `${how}-${format}-${step}-`));
      const target = path.join(sub, format === 'classic' ? 'db.cdb' : 'db.mmcdb');
      expect(run(how, target, 'old', format).status).toBe(0);
      const killed = run(how, target, 'new', format, step);
      expect(killed.signal).toBe('SIGKILL');
      expect(await versionOf(target)).toBe(expected);
      const left = tempLeftovers(sub);
      if (expected === 'old') expect(left).toHaveLength(1);
      else expect(left).toEqual([]);
      // The next build of the same target removes what the killed one left.
      expect(run(how, target, 'next', format).status).toBe(0);
      expect(tempLeftovers(sub)).toEqual([]);
      expect(await versionOf(target)).toBe('next');
      expect(fs.readdirSync(sub)).toEqual([path.basename(target)]);
    });
  });
});
