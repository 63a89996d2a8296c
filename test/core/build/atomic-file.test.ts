// build/atomic-file.ts: a rebuild keeps the permissions (and, as root, the owner) of the
// file it replaces unless `mode` says otherwise; a build that fails on the file system
// (a missing folder, a folder in the target's place, ENOSPC/EFBIG) reports the target, not
// the temp file it was writing, keeps code/errno/syscall with the original as the cause,
// and leaves no temp file — for both formats.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build, createWriter } from '@mmcdb/core';
import { tempDir, tempLeftovers } from '../../helpers/tmp.js';

const dir = tempDir('mmcdb-atomic-');
const records: [string, string][] = [['a', '1'], ['b', '2']];

describe('a rebuild keeps the file it replaces', () => {
  it('keeps a chmod 600 (it used to come back 0644)', async () => {
    const file = path.join(dir, 'private.mmcdb');
    await build(file, records);
    fs.chmodSync(file, 0o600);
    await build(file, records);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await build(file, records, { format: 'classic' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('mode overrides it', async () => {
    const file = path.join(dir, 'given.mmcdb');
    await build(file, records);
    fs.chmodSync(file, 0o600);
    await build(file, records, { mode: 0o640 });
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
  });

  it('keeps the owner and group when running as root', async () => {
    if (process.getuid?.() !== 0) {
      console.warn('[atomic-file] not root: owner preservation is checked only as root');
      return;
    }
    const file = path.join(dir, 'owned.mmcdb');
    await build(file, records);
    fs.chownSync(file, 1234, 2345);
    await build(file, records);
    const st = fs.statSync(file);
    expect([st.uid, st.gid]).toEqual([1234, 2345]);
  });
});

describe('write errors name the target', () => {
  it('EFBIG under a file-size limit: the error names the target, no temp file is left', () => {
    const child = path.join(dir, 'big-child.mjs');
    const core = fileURLToPath(new URL('../../../packages/core/dist/index.js', import.meta.url));
    fs.writeFileSync(
      child,
      `import { build } from ${JSON.stringify(core)};
const big = Buffer.alloc(1 << 20, 7);
try { await build(process.argv[2], Array.from({ length: 8 }, (_, i) => ['k' + i, big]), { fsync: false }); console.log('built'); }
catch (e) { console.log(JSON.stringify({ code: e.code, path: e.path, message: e.message })); }`,
    );
    const target = path.join(dir, 'limited.mmcdb');
    // ulimit -f is in 1 KiB blocks; SIGXFSZ ignored so that write(2) fails with EFBIG instead.
    const r = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 2048; "${process.execPath}" "${child}" "${target}"`], { encoding: 'utf8' });
    const out = JSON.parse(r.stdout.trim()) as { code: string; path: string; message: string };
    expect(out.code).toBe('EFBIG');
    expect(out.path).toBe(target);
    expect(out.message).toContain(target);
    expect(out.message).not.toContain('mmcdb-tmp');
    expect(tempLeftovers(dir)).toEqual([]);
    expect(fs.existsSync(target)).toBe(false);
  });
});

async function failure(run: () => Promise<unknown>): Promise<NodeJS.ErrnoException> {
  try {
    await run();
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('expected the build to fail');
}

describe.each(['mmcdb', 'classic'] as const)('a failed build names its target (%s)', (format) => {
  it('a folder that does not exist: ENOENT, "create \'<target>\'"', async () => {
    const target = path.join(dir, 'no', 'such', `x.${format}`);
    const err = await failure(() => build(target, [['a', '1']], { format }));
    expect(err.code).toBe('ENOENT');
    expect(err.syscall).toBe('open');
    expect(err.path).toBe(target);
    expect(err.message).toBe(`ENOENT: no such file or directory, create '${target}'`);
    expect(err.message).not.toContain('mmcdb-tmp');
    expect((err.cause as NodeJS.ErrnoException).path).toMatch(/\.mmcdb-tmp$/);
    expect(() => createWriter(target, { format })).toThrow(`create '${target}'`);
  });

  it('a folder in the place of the target: EISDIR, "replace \'<target>\'", no temp file left', async () => {
    const target = path.join(dir, `folder-${format}`);
    fs.mkdirSync(target);
    const err = await failure(() => build(target, [['a', '1']], { format }));
    expect(err.code).toBe('EISDIR');
    expect(err.path).toBe(target);
    expect(err.message).toBe(`EISDIR: illegal operation on a directory, replace '${target}'`);
    expect(tempLeftovers(dir)).toEqual([]);
  });
});
