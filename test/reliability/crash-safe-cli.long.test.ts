// The CLI twin of crash-safe-build.test.ts: the real `cdb build` (packages/cli/dist/bin.js,
// a child process reading a generated cdbmake file) is killed with SIGKILL at 60 points
// spread over its run. After every kill the target must be the previous complete database
// or the new complete one — verify() passes, it opens, and a marker key says which —
// never a partial file. Killed builds may leave temp files named
// `.<name>.<pid>-<8 hex>.<pid namespace>.mmcdb-tmp`; the next `cdb build` of the same target removes them.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSync, verify } from '@mmcdb/core';
import { tempDir, tempLeftovers } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
// Enough records that the build itself (not Node start-up) lasts > 150 ms even on the native
// bulk path (writer.addCdbmake), so the kills land inside it.
const RECORDS = 600_000;
const KILLS = 60;

const dir = tempDir('mmcdb-crash-cli-');
const target = path.join(dir, 'target.mmcdb');
const big = path.join(dir, 'big.cdbmake');

function cdbmakeRecord(key: string, value: string): string {
  return `+${Buffer.byteLength(key)},${Buffer.byteLength(value)}:${key}->${value}\n`;
}

/** The bulk of every build: RECORDS records of ~210 bytes (~35 MB of cdbmake). */
function writeBigInput(): void {
  const pad = 'x'.repeat(200);
  const fd = fs.openSync(big, 'w');
  let parts: string[] = [];
  for (let i = 0; i < RECORDS; i++) {
    parts.push(cdbmakeRecord(`key:${i}`, `new:${i}:${pad}`));
    if (parts.length === 10_000) {
      fs.writeSync(fd, parts.join(''));
      parts = [];
    }
  }
  parts.push('\n');
  fs.writeSync(fd, parts.join(''));
  fs.closeSync(fd);
}

/** A one-record cdbmake input: the marker that says which build made the database. */
function markerInput(version: string): string {
  const file = path.join(dir, `marker-${version}.cdbmake`);
  fs.writeFileSync(file, `${cdbmakeRecord('version', version)}\n`);
  return file;
}

interface Run {
  pid: number;
  /** The build exited on its own (status 0) before the kill. */
  finished: boolean;
  ms: number;
}

/** `cdb build <target> <marker> <big>`, killed `delayMs` after the spawn (never, if undefined). */
function buildAndKill(version: string, delayMs: number | undefined): Promise<Run> {
  const marker = markerInput(version);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const proc = spawn(process.execPath, [BIN, 'build', target, marker, big, '--no-progress', '-q'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MMCDB_BACKEND: undefined, DEBUG: undefined },
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = delayMs === undefined ? undefined : setTimeout(() => proc.kill('SIGKILL'), delayMs);
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      if (signal === null && code !== 0) reject(new Error(`cdb build exited ${code}: ${stderr}`));
      else resolve({ pid: proc.pid!, finished: signal === null, ms });
    });
  });
}

/** Reads the target: its marker and record count, after a full verify(). */
async function inspect(): Promise<{ version: string | undefined; records: number }> {
  const report = await verify(target);
  if (!report.ok) throw new Error(`target is not a sound database: ${report.error?.code} ${report.error?.message}`);
  const db = openSync(target, { backend: 'memory' });
  try {
    return { version: db.getString('version'), records: db.size };
  } finally {
    db.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('crash-safe build (cdb CLI)', () => {
  it(`SIGKILL at ${KILLS} points of a cdb build never leaves a partial database`, { timeout: 300_000 }, async () => {
    writeBigInput();
    // The first database: a complete one with marker "initial".
    await buildAndKill('initial', undefined);
    expect(await inspect()).toEqual({ version: 'initial', records: RECORDS + 1 });

    // Calibrate: a whole build (spawn to exit), and the process start alone (cdb --version).
    // The machine's speed drifts (CI neighbours, disk writeback), so the build time is
    // measured again every 10 rounds with an unkilled build (the median of the last 3).
    const fullRuns: number[] = [];
    for (let i = 0; i < 3; i++) fullRuns.push((await buildAndKill(`calibrate-${i}`, undefined)).ms);
    const startups: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, [BIN, '--version']);
      startups.push(performance.now() - t0);
    }
    const full = (): number => median(fullRuns.slice(-3));
    const startup = Math.min(median(startups), full() * 0.8);
    console.log(
      `[crash-safe-cli] cdb build of ${RECORDS + 1} records: ${full().toFixed(0)} ms from spawn to exit, ~${startup.toFixed(0)} ms of it process start`,
    );
    expect(full() - startup, 'the build must run long enough for kills to land inside it').toBeGreaterThan(150);

    // Kill points: from shortly before the build starts to a little after it should end.
    const outcomes = { old: 0, new: 0, newKilledAfterRename: 0, finishedBeforeKill: 0, tempFileLeft: 0, removedByNextBuild: 0 };
    let previous = (await inspect()).version!;
    const delays: number[] = [];
    const round = async (version: string, delay: number): Promise<void> => {
      const before = tempLeftovers(dir);
      delays.push(delay);
      const run = await buildAndKill(version, delay);
      const now = await inspect();
      expect([previous, version], `kill at ${delay} ms`).toContain(now.version);
      expect(now.records, `kill at ${delay} ms`).toBe(RECORDS + 1);
      // A killed build's temp file carries its pid; anything else there is a bug.
      const mine = tempLeftovers(dir).filter((n) => n.includes(`.${run.pid}-`));
      for (const name of mine)
        expect(name).toMatch(new RegExp(`^\\.target\\.mmcdb\\.${run.pid}-[0-9a-f]{8}\\.\\d+\\.mmcdb-tmp$`));
      if (mine.length > 0) {
        outcomes.tempFileLeft++;
        expect(run.finished).toBe(false);
      }
      const after = new Set(tempLeftovers(dir));
      outcomes.removedByNextBuild += before.filter((n) => !after.has(n)).length;
      if (run.finished) outcomes.finishedBeforeKill++;
      if (now.version === version) {
        outcomes.new++;
        if (!run.finished) outcomes.newKilledAfterRename++;
        previous = version;
      } else {
        outcomes.old++;
      }
    };
    for (let k = 0; k < KILLS; k++) {
      if (k > 0 && k % 10 === 0) {
        fullRuns.push((await buildAndKill(`recalibrate-${k}`, undefined)).ms);
        previous = `recalibrate-${k}`;
      }
      const work = full() - startup;
      await round(`round-${k}`, Math.round(startup * 0.9 + (work * 1.25 * k) / (KILLS - 1)));
    }
    // The last points should fall after the rename; if the machine slowed down so that none
    // did, kill later until one does (these count as extra points).
    for (let extra = 1; outcomes.new === 0 && extra <= 5; extra++) {
      await round(`late-${extra}`, Math.round(full() * (1 + 0.5 * extra)));
    }
    // At least 50 kills must have hit a running build (not one that had already exited).
    for (let extra = 0; delays.length - outcomes.finishedBeforeKill < 50 && extra < 30; extra++) {
      await round(`inside-${extra}`, Math.round(startup + (full() - startup) * ((extra * 0.37) % 0.9)));
    }
    const { removedByNextBuild: _, ...counts } = outcomes;
    console.log(
      `[crash-safe-cli] outcomes over ${delays.length} SIGKILLs at ${Math.min(...delays)}–${Math.max(...delays)} ms after spawn: ${JSON.stringify(counts)}`,
    );
    expect(new Set(delays).size).toBeGreaterThanOrEqual(50);
    expect(delays.length - outcomes.finishedBeforeKill, 'kills that hit a running build').toBeGreaterThanOrEqual(50);
    expect(outcomes.old + outcomes.new).toBe(delays.length);
    expect(outcomes.old, 'some kills must land before the rename').toBeGreaterThan(0);
    expect(outcomes.new, 'some kills must land after the rename').toBeGreaterThan(0);
    expect(outcomes.tempFileLeft, 'some kills must land while the temp file is being written').toBeGreaterThan(0);

    // Each build removes the temp files of earlier, dead builds of the same target when it
    // starts writing, so at most the last kills' files are left here. Make sure there is one,
    // then check that the next complete cdb build removes it.
    for (let tries = 0; tempLeftovers(dir).length === 0 && tries < 10; tries++) {
      await buildAndKill(`extra-${tries}`, Math.round(startup + (full() - startup) * (0.3 + 0.05 * tries)));
    }
    const left = tempLeftovers(dir);
    expect(left.length).toBeGreaterThan(0);
    for (const name of left) expect(name).toMatch(/^\.target\.mmcdb\.\d+-[0-9a-f]{8}\.\d+\.mmcdb-tmp$/);
    console.log(
      `[crash-safe-cli] ${outcomes.removedByNextBuild} temp files removed by a later build during the rounds; ${left.length} left before the final build`,
    );
    const final = await buildAndKill('final', undefined);
    expect(final.finished).toBe(true);
    expect(tempLeftovers(dir)).toEqual([]);
    expect(await inspect()).toEqual({ version: 'final', records: RECORDS + 1 });
    expect(fs.readdirSync(dir).filter((n) => n.includes('target'))).toEqual(['target.mmcdb']);
  });
});
