// A failed build leaves the target as it was and no temp file behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, createWriter, openSync } from '@mmcdb/core';
import { tempDir, tempLeftovers } from '../../../helpers/tmp.js';

const dir = tempDir();

function existingTarget(name: string): { file: string; bytes: Buffer } {
  const file = path.join(dir, name);
  fs.writeFileSync(file, 'previous database');
  return { file, bytes: fs.readFileSync(file) };
}

describe('writer failure paths', () => {
  it('an exception thrown by the input mid-build', async () => {
    const { file, bytes } = existingTarget('throw.mmcdb');
    function* input() {
      yield ['a', 'b'] as const;
      throw new Error('input broke');
    }
    await expect(build(file, input())).rejects.toThrow('input broke');
    expect(fs.readFileSync(file)).toEqual(bytes);
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it('an AbortSignal fired mid-build', async () => {
    const { file, bytes } = existingTarget('abort.mmcdb');
    const ac = new AbortController();
    async function* input() {
      for (let i = 0; ; i++) {
        if (i === 100) ac.abort(new Error('user cancelled'));
        yield [`k${i}`, 'v'] as const;
      }
    }
    await expect(build(file, input(), { signal: ac.signal })).rejects.toMatchObject({ code: 'ERR_CDB_ABORTED' });
    expect(fs.readFileSync(file)).toEqual(bytes);
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it('an already-aborted signal refuses to start', () => {
    const ac = new AbortController();
    ac.abort();
    expect(() => createWriter(path.join(dir, 'never.mmcdb'), { signal: ac.signal })).toThrow(
      expect.objectContaining({ code: 'ERR_CDB_ABORTED' }),
    );
    expect(fs.existsSync(path.join(dir, 'never.mmcdb'))).toBe(false);
  });

  it('abort() discards the build', () => {
    const { file, bytes } = existingTarget('manual.mmcdb');
    const w = createWriter(file);
    w.add('a', 'b');
    w.abort();
    expect(fs.readFileSync(file)).toEqual(bytes);
    expect(tempLeftovers(dir)).toEqual([]);
    expect(() => w.add('c', 'd')).toThrow(expect.objectContaining({ code: 'ERR_CDB_CLOSED' }));
  });

  it('an output folder that does not exist', () => {
    expect(() => createWriter(path.join(dir, 'no', 'such', 'folder.mmcdb'))).toThrow(/ENOENT/);
  });

  it('an output folder that is not writable (a file in the way)', () => {
    const blocker = path.join(dir, 'blocker');
    fs.writeFileSync(blocker, '');
    expect(() => createWriter(path.join(blocker, 'x.mmcdb'))).toThrow(/ENOTDIR/);
  });

  it('an invalid key mid-build aborts the whole build', () => {
    const { file, bytes } = existingTarget('badkey.mmcdb');
    const w = createWriter(file);
    w.add('fine', 'v');
    expect(() => w.add({} as unknown as string, 'v')).toThrow(TypeError);
    // A TypeError is a caller mistake before anything was written: the writer stays usable.
    w.add('also fine', 'v');
    w.abort();
    expect(fs.readFileSync(file)).toEqual(bytes);
  });

  it('a successful build replaces the previous file atomically', async () => {
    const { file } = existingTarget('replace.mmcdb');
    await build(file, [['new', 'db']]);
    const db = openSync(file, { backend: 'memory' });
    expect(db.getString('new')).toBe('db');
    db.close();
  });

  it('removes temp files left by a killed build of the same target', async () => {
    const file = path.join(dir, 'stale.mmcdb');
    // pid 2^22+1 is above Linux's pid_max default, so no such process exists.
    const stale = path.join(dir, `.stale.mmcdb.${2 ** 22 + 1}-0123abcd.mmcdb-tmp`);
    fs.writeFileSync(stale, 'half a database');
    await build(file, [['a', 'b']]);
    expect(fs.existsSync(stale)).toBe(false);
  });
});
