// Runs test/native/helpers/open-gc-child.mjs: open + first get in a fresh process that
// holds `heapMiB` of live objects, with the GCs PerformanceObserver saw (open-gc tests).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { createWriter } from '@mmcdb/core';
import { repoRoot } from './native.js';

const CHILD = fileURLToPath(new URL('./open-gc-child.mjs', import.meta.url));
const core = pathToFileURL(path.join(repoRoot, 'packages', 'core', 'dist', 'index.js')).href;

interface Case {
  gcs: [number, number][];
  value: [number, number, number];
  externalGrowth: number;
}

/** cases: "key" or "key:windowSize:windowStride" (windows forced by the test hook). */
export function runOpenGc(
  db: string,
  heapMiB: number,
  env: Record<string, string>,
  cases: string[],
): { cases: Case[]; live: number; backend: string } {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=4096', CHILD, core, db, String(heapMiB), ...cases],
    {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 120_000,
    },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

export const FLAVOURS: { name: string; env: Record<string, string> }[] = [
  { name: 'the addon that loads by default', env: {} },
  { name: 'the Node-API flavour', env: { MMCDB_NATIVE_FLAVOR: 'napi' } },
];

/** A database of `count` values of 1 MiB, key big-i holding bytes i % 251. */
export async function writeBigFile(file: string, count: number): Promise<void> {
  const w = createWriter(file, { fsync: false });
  const v = Buffer.alloc(2 ** 20);
  for (let i = 0; i < count; i++) {
    v.fill(i % 251);
    w.add(`big-${i}`, v);
  }
  await w.finish();
}
