// Which temp files the next build removes (docs/RELIABILITY.md §Crash-safe builds). A
// live build holds an exclusive flock on its temp file, so a build in another PID
// namespace (a container sharing the volume), whose PID looks dead from here, is never
// taken for a dead one: its temp file was removed under it, and it failed with ENOENT.
// The lock is taken here by `flock(1)` in a child, standing for that other build.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
import { nativeAddon } from '@mmcdb/core/internal';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('mmcdb-stale-');
const DEAD_PID = 2 ** 22 + 7; // above pid_max: no process has it here
const OTHER_NS = '4026539999';
const children: ChildProcess[] = [];
/** Kills flock(1) and the command it runs (its own process group). */
function killAll(c: ChildProcess): void {
  try {
    process.kill(-c.pid!, 'SIGKILL');
  } catch {
    // gone already
  }
}
afterAll(() => {
  for (const c of children) killAll(c);
});

/** Holds an exclusive flock on `file` in a child process until killed; resolves once held. */
async function holdLock(file: string): Promise<ChildProcess> {
  // -o: the lock stays with flock(1) itself (not the command), so killing it releases the lock.
  const c = spawn('flock', ['-x', '-o', file, '-c', 'echo held; exec sleep 60'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  children.push(c);
  await new Promise<void>((resolve) => c.stdout!.once('data', () => resolve()));
  return c;
}

const hasFlock = spawnSync('flock', ['--version']).status === 0;
const canLock = nativeAddon()?.lockFile !== undefined;

if (hasFlock && canLock) describe('stale temp files', () => {
  it('a temp file locked by a live build in another PID namespace survives the next build', async () => {
    const target = path.join(dir, 'shared.mmcdb');
    const foreign = path.join(dir, `.shared.mmcdb.${DEAD_PID}-0123abcd.${OTHER_NS}.mmcdb-tmp`);
    fs.writeFileSync(foreign, 'a build in progress elsewhere');
    const other = await holdLock(foreign);
    fs.utimesSync(foreign, new Date(0), new Date(0)); // old, too: only the lock protects it
    await build(target, [['k', 'v']]);
    expect(fs.existsSync(foreign)).toBe(true);
    const exited = new Promise((r) => other.once('exit', r));
    killAll(other);
    await exited;
    await build(target, [['k', 'v']]); // unlocked and old: a dead build's leftover
    expect(fs.existsSync(foreign)).toBe(false);
  });

  it('an unlocked young temp file of another namespace is left for later; of a dead build here, removed at once', async () => {
    const target = path.join(dir, 'young.mmcdb');
    const foreign = path.join(dir, `.young.mmcdb.${DEAD_PID}-0123abcd.${OTHER_NS}.mmcdb-tmp`);
    const local = path.join(dir, `.young.mmcdb.${DEAD_PID}-4567cdef.mmcdb-tmp`);
    fs.writeFileSync(foreign, 'just created elsewhere, not locked yet');
    fs.writeFileSync(local, 'left by a build killed here');
    await build(target, [['k', 'v']]);
    expect(fs.existsSync(foreign)).toBe(true);
    expect(fs.existsSync(local)).toBe(false);
  });
});

else console.warn(`[stale-temps] not run: ${hasFlock ? '' : 'flock(1) missing; '}${canLock ? '' : 'the native addon (lockFile) did not load'}`);
