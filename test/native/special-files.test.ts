// open() refuses anything that is not a regular file before reading it, and a FIFO
// never blocks (docs/RELIABILITY.md §Native reader hardening, item 6): the file is
// opened O_NONBLOCK, fstat'ed, refused unless S_ISREG, and only then made blocking.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeIndex } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'special-files-child.mjs');

describe('open() on special files', () => {
  it('a FIFO, a socket and a device are refused at once as "not a regular file"; a folder is EISDIR', () => {
    const dir = tempDir('mmcdb-native-special-');
    const r = spawnSync(process.execPath, [child, dir, nativeIndex], { encoding: 'utf8', timeout: 20_000 });
    expect(r.error?.message ?? null, 'the child hung (a blocking open of the FIFO?)').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, { cls?: string; code?: string; message?: string; path?: string }>;
    for (const [name, kind] of [
      ['fifo', 'a FIFO'],
      ['socket', 'a socket'],
      ['chardev', 'a character device'],
    ] as const) {
      for (const v of [name, `${name}Core`]) {
        expect(out[v], v).toMatchObject({ code: 'ERR_CDB_FORMAT' });
        expect(out[v]!.message, v).toContain(`not a regular file (${kind})`);
      }
      expect(out[`${name}Core`]!.cls).toBe('CdbError');
    }
    expect(out.dir).toMatchObject({ code: 'EISDIR', path: dir });
    expect(out.dirCore).toMatchObject({ code: 'EISDIR' });
  });
});
