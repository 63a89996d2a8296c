// build/atomic-file.ts: a build that fails on the file system reports the target, not the
// temp file it was writing (`.<name>.<pid>-<hex>.mmcdb-tmp`), for both formats; the code,
// errno and syscall stay, and the original error is the cause.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, createWriter } from '@mmcdb/core';
import { tempDir, tempLeftovers } from '../../helpers/tmp.js';

const dir = tempDir('mmcdb-atomic-');

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
