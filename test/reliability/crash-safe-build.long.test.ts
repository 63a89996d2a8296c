// A build killed with SIGKILL at any moment leaves the target as the previous complete
// database or the new complete one — never a partial file; its temp file is recognisable
// and removed by the next build of the same target.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build, openSync, verify } from '@mmcdb/core';
import { tempDir, tempLeftovers } from '../helpers/tmp.js';

const dir = tempDir();
const child = fileURLToPath(new URL('./build-child.mjs', import.meta.url));
const RECORDS = 60_000;

/** Runs the child and kills it `delayMs` after it printed "started"; resolves whether it finished first. */
function buildAndKill(file: string, delayMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, file, String(RECORDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d;
      if (out.startsWith('started\n') && !proc.killed) {
        out = out.replace('started\n', '#');
        setTimeout(() => proc.kill('SIGKILL'), delayMs);
      }
    });
    proc.on('error', reject);
    proc.on('exit', () => resolve(out.includes('finished')));
  });
}

describe('crash-safe build (library writer)', () => {
  it('SIGKILL at 50 points never leaves a partial database', async () => {
    const file = path.join(dir, 'target.mmcdb');
    await build(file, [['version', 'old']]);
    // Calibrate: how long does a whole build take here?
    const t0 = performance.now();
    await buildAndKill(path.join(dir, 'calibrate.mmcdb'), 60_000);
    const full = performance.now() - t0;
    const outcomes = { old: 0, new: 0, finished: 0 };
    for (let k = 0; k < 50; k++) {
      const delay = Math.round((full * 1.1 * k) / 50);
      const finished = await buildAndKill(file, delay);
      if (finished) outcomes.finished++;
      const report = await verify(file);
      expect(report.ok, `kill at ${delay} ms: ${report.error?.message}`).toBe(true);
      const db = openSync(file, { backend: 'memory' });
      const version = db.getString('version');
      expect(['old', 'new']).toContain(version);
      if (version === 'new') expect(db.size).toBe(RECORDS + 1);
      outcomes[version as 'old' | 'new']++;
      db.close();
      if (version === 'new') await build(file, [['version', 'old']]); // start the next round from the old one
    }
    console.log(`[crash-safe] build ≈ ${full.toFixed(0)} ms; outcomes over 50 kills:`, outcomes);
    expect(outcomes.old).toBeGreaterThan(0);
    // Killed builds leave temp files named after the target; the next build removes them.
    const leftovers = tempLeftovers(dir);
    for (const name of leftovers) expect(name).toMatch(/^\.(target|calibrate)\.mmcdb\.\d+-[0-9a-f]{8}\.\d+\.mmcdb-tmp$/);
    await build(file, [['version', 'final']]);
    expect(tempLeftovers(dir).filter((n) => n.startsWith('.target.mmcdb.'))).toEqual([]);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('target.mmcdb'))).toEqual(['target.mmcdb']);
  });
});
