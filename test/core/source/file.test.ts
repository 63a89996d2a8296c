// Opening a database refuses anything that is not a regular file before reading it: a
// FIFO used to block open() forever (openSync, open, verify, analyze, cdb get/verify).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, open, openSync, verify } from '@mmcdb/core';
import { availableBackends } from '../../helpers/backends.js';
import { tempDir } from '../../helpers/tmp.js';
import { cdb } from '../../cli/helpers.js';

const dir = tempDir('mmcdb-source-');
const fifo = path.join(dir, 'pipe');
spawnSync('mkfifo', [fifo]);

describe('a FIFO is refused, never waited on', () => {
  it.each(availableBackends())('openSync / open (%s backend)', async (backend) => {
    expect(() => openSync(fifo, { backend })).toThrow(/not a regular file/);
    await expect(open(fifo, { backend })).rejects.toThrow(/not a regular file/);
  });

  it('verify(), analyze() and the CLI', async () => {
    await expect(verify(fifo)).rejects.toThrow(/not a regular file/);
    await expect(analyze(fifo)).rejects.toThrow(/not a regular file/);
    for (const args of [
      ['get', fifo, 'k'],
      ['verify', fifo],
      ['stats', fifo],
      ['dump', fifo],
    ]) {
      const r = await cdb(args);
      expect(r.status, args.join(' ')).toBe(111);
      expect(r.stderr).toMatch(/not a regular file/);
    }
  });
});
