// Crash safety of sharded sets at fixed points (docs/SHARDS.md §Versions, RELIABILITY.md):
// a set build or commit killed with SIGKILL at any step — inside a shard's build on a
// worker thread, between shards, after the manifest, before or after CURRENT — leaves
// the previous version live and sound (the new one once CURRENT was replaced), and the
// next build and gc clean up what the killed one left. For the library, `cdb build
// --shards` and `cdb shards commit`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gcShards, openSync, verify } from '@mmcdb/core';
import { tempDir } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./set-build-child.mjs', import.meta.url));
const RECORDS = 2000;
const STEPS = [
  ['after-records', 'old'],
  ['after-index', 'old'],
  ['before-rename', 'old'],
  ['after-rename', 'old'],
  ['set-after-shards', 'old'],
  ['set-after-manifest', 'old'],
  ['set-after-current', 'new'],
] as const;

const dir = tempDir('mmcdb-set-crash-');

function input(version: string): string {
  const file = path.join(dir, `input-${version}.cdbmake`);
  const pad = 'x'.repeat(100);
  const lines = [`+7,${version.length}:version->${version}\n`];
  for (let i = 0; i < RECORDS; i++)
    lines.push(`+${`key:${i}`.length},${`${version}:${i}:${pad}`.length}:key:${i}->${version}:${i}:${pad}\n`);
  fs.writeFileSync(file, `${lines.join('')}\n`);
  return file;
}

type How = 'library' | 'cli' | 'commit';

function run(how: How, root: string, version: string, crashAt?: string) {
  const env = { ...process.env, MMCDB_BACKEND: undefined, DEBUG: undefined, MMCDB_CRASH_AT: undefined };
  const spawn = (args: string[], crash?: string) =>
    spawnSync(process.execPath, args, { env: { ...env, MMCDB_CRASH_AT: crash } as NodeJS.ProcessEnv, encoding: 'utf8' });
  if (how === 'library') return spawn([CHILD, root, String(RECORDS), version], crashAt);
  if (how === 'cli')
    return spawn([BIN, 'build', '--shards', '3', '--workers', '2', root, input(version), '-q', '--no-progress'], crashAt);
  // Three batch tasks (never killed), then the commit (killed at its steps).
  const seed = String({ old: 11, new: 12, next: 13 }[version] ?? 14);
  for (let i = 0; i < 3; i++) {
    const r = spawn([BIN, 'build', '--shard', `${i}/3`, '--shards-seed', seed, root, input(version), '-q', '--no-progress']);
    expect(r.status, r.stderr).toBe(0);
  }
  return spawn([BIN, 'shards', 'commit', root, '--set-id', `s${BigInt(seed).toString(16).padStart(16, '0')}-n3`], crashAt);
}

async function liveVersion(root: string): Promise<string | undefined> {
  const report = await verify(root);
  expect(report.ok, report.error?.message).toBe(true);
  const db = openSync(root, { backend: 'memory' });
  try {
    expect(db.size).toBe(RECORDS + 1);
    return db.getString('version');
  } finally {
    db.close();
  }
}

describe.each(['library', 'cli', 'commit'] as const)('set crash points (%s)', (how) => {
  const steps =
    how === 'commit'
      ? STEPS.filter(([s]) => s.startsWith('set-after-m') || s === 'set-after-current' || s === 'before-rename')
      : STEPS;
  it.each(steps)('SIGKILL at %s leaves the %s version live', async (step, expected) => {
    const root = fs.mkdtempSync(path.join(dir, `${how}-${step}-`));
    const first = run(how, root, 'old');
    expect(first.status, first.stderr).toBe(0);
    const killed = run(how, root, 'new', step);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(await liveVersion(root)).toBe(expected);
    // The next version builds; gc removes what the killed build left (older than the live one).
    const next = run(how, root, 'next');
    expect(next.status, next.stderr).toBe(0);
    expect(await liveVersion(root)).toBe('next');
    gcShards(root, { keep: 1 });
    const live = fs.readFileSync(path.join(root, 'CURRENT'), 'utf8').trim();
    expect(fs.readdirSync(root).sort()).toEqual(['CURRENT', live].sort());
    expect(fs.readdirSync(path.join(root, live)).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
