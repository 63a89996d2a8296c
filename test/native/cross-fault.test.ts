// A SIGBUS is charged to the mapping it hit (docs/RELIABILITY.md §Native reader
// hardening, item 5): a key that is a view of database A, whose file was truncated,
// used on database B, faults in A's memory — B stays undamaged and usable, and the
// error names A. Run in a child (a wrongly handled SIGBUS kills the process).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
import { nativeIndex } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('mmcdb-native-crossfault-');
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'cross-fault-child.mjs');

describe.each(['mmcdb', 'classic'] as const)('a key from a truncated database (%s)', (format) => {
  it('faults in A; B stays undamaged and usable; the error names A', async () => {
    const records = Array.from({ length: 3000 }, (_, i) => [`key${i}`, `value ${i}`] as [string, string]);
    const a = path.join(dir, `a.${format}`);
    const b = path.join(dir, `b.${format}`);
    await build(a, records, { format, fsync: false });
    await build(b, records, { format, fsync: false });
    const r = spawnSync(process.execPath, [child, a, b, nativeIndex], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<
      string,
      { cls?: string; code?: string; path?: string; message?: string } & Record<string, unknown>
    >;
    for (const op of ['get', 'getAll', 'has', 'getMany', 'getManyAsync', 'rawGet', 'rawGetMany']) {
      expect(out[op], op).toMatchObject({ code: 'ERR_CDB_TRUNCATED', path: a });
      expect(out[op]!.message, op).toContain("the key's memory faulted");
    }
    expect(out.get!.cls).toBe('CdbError');
    expect(out.bDamagedAfterGet).toBe(false);
    expect(out.bDamaged).toBe(false);
    expect(out.rawBDamaged).toBe(false);
    expect(out.bStillWorks).toBe('value 1');
    expect(out.bGetMany).toBe('value 1,value 2');
    expect(out.aDamaged).toBe(true);
  });
});
