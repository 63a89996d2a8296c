// Native entries that read JS values (getMany / getManyAsync key arrays: getters,
// Proxies, arrays whose length changes while being read, a getter that calls close())
// read every value first and touch the handle's shared state only afterwards: a getter
// that calls getMany / getManyAsync / get / setOut on the same handle cannot change the
// outer call's keys (docs/RELIABILITY.md §Hostile JS values). Run in a child per format.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
import { nativeIndex } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('mmcdb-native-reentry-');
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'reentry-child.mjs');

describe.each(['mmcdb', 'classic'] as const)('hostile key arrays (%s)', (format) => {
  it('re-entrant calls from getters never change the outer batch; bad arrays fail cleanly', async () => {
    const file = path.join(dir, `db.${format}`);
    const records = Array.from({ length: 60 }, (_, i) => [`key${i}`, `value ${i} ${'v'.repeat(i % 9)}`] as [string, string]);
    await build(file, records, { format, fsync: false });
    const r = spawnSync(process.execPath, [child, nativeIndex, file, format], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as Record<string, { ok?: unknown; error?: string; message?: string }>;
    for (const [name, o] of Object.entries(res)) {
      if (/^(getMany|getManyNested|get|async|setOut|asyncOuter)@/.test(name)) {
        expect(o.ok, `${name}: ${JSON.stringify(o)}`).toMatchObject({ same: true });
        if (name.startsWith('getMany@')) expect((o.ok as { inner: boolean }).inner, name).toBe(true);
      }
    }
    // The array shrank while being read: the missing elements are not keys.
    expect(res.shrink).toMatchObject({ error: 'ERR_INVALID_ARG_TYPE' });
    // It grew: the length read first is the batch.
    expect(res.grow).toEqual({ ok: { same: true } });
    // `out` detached by a getter: checked again once every key is read (it holds nothing now).
    expect(res.detachOut).toMatchObject({
      error: 'ERR_OUT_OF_RANGE',
      message: `out must hold at least 2 numbers per key (80), it holds 0`,
    });
    expect(res.throwing).toMatchObject({ error: 'BOOM' });
    expect(res.proxy).toMatchObject({ error: 'ERR_INVALID_ARG_TYPE' });
    expect(res.asyncProxy).toMatchObject({ error: 'ERR_INVALID_ARG_TYPE' });
    expect(res.close).toMatchObject({ error: 'ERR_CDB_CLOSED' });
    expect(res.afterClose).toMatchObject({ error: 'ERR_CDB_CLOSED' });
    expect(res.asyncClose).toMatchObject({ error: 'ERR_CDB_CLOSED' });
  });
});
