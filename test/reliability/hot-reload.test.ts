// openWatched(): a database replaced 100 times by rename under continuous reads. Every
// answer belongs to one complete version; views of old versions stay readable.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build, openWatched, type Backend } from '@mmcdb/core';
import { availableBackends } from '../helpers/backends.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
const child = fileURLToPath(new URL('./replace-child.mjs', import.meta.url));
const KEYS = 200;
const VERSIONS = 100;

async function initial(file: string): Promise<void> {
  const records: [string, string][] = [];
  for (let i = 0; i < KEYS; i++) records.push([`key:${i}`, `v0:key:${i}`]);
  records.push(['version', '0']);
  await build(file, records);
}

function checkAnswer(value: Buffer | undefined, i: number): number {
  const m = /^v(\d+):key:(\d+)$/.exec(String(value));
  expect(m, `key:${i} → ${String(value)}`).not.toBeNull();
  expect(Number(m![2])).toBe(i);
  return Number(m![1]);
}

describe.each(availableBackends())('openWatched (%s backend)', (backend: Backend) => {
  it(`follows ${VERSIONS} replacements under continuous reads`, async () => {
    const file = path.join(dir, `${backend}.mmcdb`);
    await initial(file);
    const watched = openWatched(file, { backend, pollMs: 20 });
    const held: [Buffer, number, number][] = []; // value, version, key
    let reads = 0;
    let lastVersion = 0;
    const proc = spawn(process.execPath, [child, file, String(VERSIONS), String(KEYS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let finished = false;
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => ((finished = true), resolve(code))));
    while (!finished || watched.reloads === 0) {
      // A burst of synchronous reads: all from one version (the swap happens between turns).
      const version = Number(watched.getString('version'));
      for (let j = 0; j < 50; j++) {
        const i = (reads * 31 + j) % KEYS;
        const v = watched.get(`key:${i}`);
        expect(checkAnswer(v, i)).toBe(version);
        if (j === 0 && reads % 20 === 0) held.push([v!, version, i]);
      }
      const batch = await watched.getManyAsync([`key:${reads % KEYS}`, 'version']);
      checkAnswer(batch[0], reads % KEYS);
      expect(version).toBeGreaterThanOrEqual(lastVersion);
      lastVersion = version;
      reads++;
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(await exited).toBe(0);
    // Let the watcher see the final rename.
    for (let t = 0; t < 100 && watched.getString('version') !== String(VERSIONS); t++) {
      watched.reopen();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(watched.getString('version')).toBe(String(VERSIONS));
    expect(watched.reloads).toBeGreaterThan(1);
    (globalThis as { gc?: () => void }).gc?.();
    for (const [value, version, i] of held) expect(String(value)).toBe(`v${version}:key:${i}`);
    console.log(`[hot reload ${backend}] ${reads} read bursts, ${watched.reloads} reloads, ${held.length} old views checked`);
    watched.close();
  });

  it('keeps serving the old version when the new file is not a database', async () => {
    const file = path.join(dir, `${backend}-bad.mmcdb`);
    await initial(file);
    const errors: unknown[] = [];
    const watched = openWatched(file, { backend, pollMs: 0, onError: (e) => errors.push(e) });
    const { writeFileSync, renameSync } = await import('node:fs');
    writeFileSync(`${file}.new`, 'not a database at all');
    renameSync(`${file}.new`, file);
    expect(watched.reopen()).toBe(false);
    expect(errors).toHaveLength(1);
    expect(watched.getString('key:3')).toBe('v0:key:3');
    watched.close();
  });
});
