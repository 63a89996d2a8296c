// Everything docs/RELIABILITY.md §Native reader hardening lists holds in worker threads
// too (item 7): the addon is per env — its error class, its handles — while the SIGBUS
// guard and its registry are per process and its jump targets per thread. Each
// scenario's child script runs inside a Worker (helpers/in-worker.mjs) in a child
// process, with the same expectations as on the main thread.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
import { nativeIndex } from './helpers/native.js';
import { availableBackends } from '../helpers/backends.js';
import { tempDir } from '../helpers/tmp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const runner = path.join(here, 'helpers', 'in-worker.mjs');
const helper = (name: string) => path.join(here, 'helpers', name);
const closeChild = path.join(here, '..', 'reliability', 'close-resources-child.mjs');
const dir = tempDir('mmcdb-native-workers-');

function inWorker(script: string, args: string[], ulimit?: number, timeout = 120_000) {
  const cmd = [process.execPath, runner, script, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('bash', ['-c', `${ulimit !== undefined ? `ulimit -n ${ulimit}; ` : ''}exec ${cmd}`], {
    encoding: 'utf8',
    timeout,
  });
  const detail = `status ${r.status} signal ${r.signal} ${r.error?.message ?? ''}\n${r.stderr.slice(-1500)}`;
  expect(r.signal, detail).toBeNull();
  expect(r.status, detail).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

async function db(name: string, format: 'mmcdb' | 'classic', n = 300): Promise<string> {
  const file = path.join(dir, name);
  await build(
    file,
    Array.from({ length: n }, (_, i) => [`key${i}`, `value ${i}`] as [string, string]),
    { format, fsync: false },
  );
  return file;
}

describe.skipIf(!availableBackends().includes('mmap')).each(['mmcdb', 'classic'] as const)(
  'native hardening in a worker thread (%s)',
  (format) => {
    it('1: re-entrant getters never change the outer batch', async () => {
      const res = inWorker(helper('reentry-child.mjs'), [nativeIndex, await db(`re.${format}`, format, 60), format]) as Record<
        string,
        { ok?: { same?: boolean }; error?: string }
      >;
      for (const [name, o] of Object.entries(res)) if (name.includes('@')) expect(o.ok?.same, name).toBe(true);
      expect(res.close).toMatchObject({ error: 'ERR_CDB_CLOSED' });
      expect(res.shrink).toMatchObject({ error: 'ERR_INVALID_ARG_TYPE' });
    });

    it('3: close() closes the descriptor; the registry has room for every mapping', async () => {
      expect(inWorker(closeChild, ['cycles', await db(`cy.${format}`, format)], 256)).toEqual({ cycles: 5000 });
      expect(
        inWorker(closeChild, ['registry', await db(`many.${format}`, format), await db(`victim.${format}`, format)], 256),
      ).toEqual({
        before: 'value 7',
        zeros: true,
        get: 'ERR_CDB_TRUNCATED',
        damaged: true,
        heldOk: true,
      });
    });

    it('4: value.buffer is the data section; writes into it change no lookup', async () => {
      expect(inWorker(helper('isolation-child.mjs'), [await db(`iso.${format}`, format), format, nativeIndex])).toEqual({
        ok: true,
      });
    });

    it('5: a key viewing another, truncated database faults there, not here', async () => {
      const a = await db(`a.${format}`, format, 3000);
      const b = await db(`b.${format}`, format, 3000);
      const out = inWorker(helper('cross-fault-child.mjs'), [a, b, nativeIndex]) as Record<
        string,
        { cls?: string; code?: string; path?: string }
      >;
      expect(out.get).toMatchObject({ cls: 'CdbError', code: 'ERR_CDB_TRUNCATED', path: a }); // the worker's own CdbError class
      expect(out.getMany).toMatchObject({ code: 'ERR_CDB_TRUNCATED', path: a });
      expect(out.bDamaged).toBe(false);
      expect(out.bStillWorks).toBe('value 1');
      expect(out.aDamaged).toBe(true);
    });
  },
);

describe('native hardening in a worker thread', () => {
  it('6: a FIFO does not block open(); non-regular files are refused', () => {
    const out = inWorker(
      helper('special-files-child.mjs'),
      [tempDir('mmcdb-native-workers-special-'), nativeIndex],
      undefined,
      20_000,
    ) as Record<string, { code?: string; cls?: string; message?: string }>;
    expect(out.fifo).toMatchObject({ code: 'ERR_CDB_FORMAT' });
    expect(out.fifoCore).toMatchObject({ cls: 'CdbError', code: 'ERR_CDB_FORMAT' });
    expect(out.socket?.message).toContain('not a regular file (a socket)');
    expect(out.dir).toMatchObject({ code: 'EISDIR' });
  });
});
