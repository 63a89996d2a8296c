// Publishing a build: a rebuild keeps the permissions (and, as root, the owner) of the
// file it replaces unless `mode` says otherwise; a write error (ENOSPC, EFBIG) names the
// target, not the temp file, and leaves no temp file.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
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
