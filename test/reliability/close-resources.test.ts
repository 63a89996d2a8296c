// close() releases what it can at once, and nothing about how many readers were ever
// opened limits the SIGBUS guard (docs/RELIABILITY.md §Native reader hardening, item 3).
// Each scenario runs in a child under `ulimit -n 256`.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
import { availableBackends } from '../helpers/backends.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
const child = fileURLToPath(new URL('./close-resources-child.mjs', import.meta.url));

function run(limit: number | undefined, ...args: string[]) {
  const cmd = [process.execPath, child, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('bash', ['-c', `${limit !== undefined ? `ulimit -n ${limit}; ` : ''}exec ${cmd}`], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const detail = `status ${r.status} signal ${r.signal}\n${r.stderr.slice(-1500)}`;
  expect(r.signal, detail).toBeNull();
  expect(r.status, detail).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

async function db(name: string, format: 'mmcdb' | 'classic'): Promise<string> {
  const file = path.join(dir, name);
  await build(
    file,
    Array.from({ length: 300 }, (_, i) => [`key${i}`, `value ${i}`] as [string, string]),
    { format, fsync: false },
  );
  return file;
}

describe.skipIf(!availableBackends().includes('mmap')).each(['mmcdb', 'classic'] as const)(
  'close() and the SIGBUS registry (%s)',
  (format) => {
    it('5,000 openSync().close() cycles under ulimit -n 256: close() closes the descriptor (no EMFILE)', async () => {
      expect(run(256, 'cycles', await db(`cycles.${format}`, format))).toEqual({ cycles: 5000 });
    });

    it('1,200 closed readers whose views are alive, then a fresh reader of a file truncated under a view: zeros and ERR_CDB_TRUNCATED, the process survives', async () => {
      const file = await db(`many.${format}`, format);
      for (const limit of [256, undefined]) {
        const victim = await db(`victim-${limit}.${format}`, format);
        expect(run(limit, 'registry', file, victim)).toEqual({
          before: 'value 7',
          zeros: true,
          get: 'ERR_CDB_TRUNCATED',
          damaged: true,
          heldOk: true,
        });
      }
    });
  },
);
