// Terminating worker threads while they load the addon, open files and run lookups must
// never take the process down (docs/RELIABILITY.md §Native reader hardening, item 2):
// every Node-API status is checked, and a call that fails because the env is being
// torn down returns (or its async job frees itself) instead of using unwritten outputs.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
import { availableBackends } from '../helpers/backends.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
const child = fileURLToPath(new URL('./worker-terminate-child.mjs', import.meta.url));
const nativeIndex = pathToFileURL(fileURLToPath(new URL('../../packages/native/index.js', import.meta.url))).href;

describe.skipIf(!availableBackends().includes('mmap'))('worker termination', () => {
  it('4 workers looping open/get/getMany/getManyAsync/close, terminated at random moments, 100 rounds: the process survives', async () => {
    const records = Array.from({ length: 2000 }, (_, i) => [`key${i}`, `value ${i}`] as [string, string]);
    const mm = path.join(dir, 'w.mmcdb');
    const cl = path.join(dir, 'w.cdb');
    await build(mm, records, { fsync: false });
    await build(cl, records, { format: 'classic', fsync: false });
    const r = spawnSync(process.execPath, [child, mm, cl, nativeIndex, '100'], { encoding: 'utf8', timeout: 180_000 });
    const detail = `status ${r.status} signal ${r.signal}\n${r.stderr.slice(-2000)}`;
    expect(r.signal, detail).toBeNull();
    expect(r.status, detail).toBe(0);
    expect(r.stdout.trim(), detail).toBe('survived 100');
  });
});
