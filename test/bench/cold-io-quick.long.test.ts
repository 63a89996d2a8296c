// `node bench/cold-io.mjs --quick` must run in CI: exit 0, every row of every phase reports
// sane figures (or says why this build cannot run it), cold runs start with nothing resident,
// all rows agree on the checksum, and the RESULTS.md section carries its tables and targets.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = tempDir('mmcdb-bench-cold-io-');

interface Run {
  n: number;
  found: number;
  perSec: number;
  stallMs: number;
  cpuUsPerLookup: number;
  diskShare: number;
  readBytes: number;
  bytesRequested: number;
  residentAtStart: number;
  fileBytes: number;
  checksum: number;
  asyncIo?: string;
}
interface Phase {
  rounds: Record<string, Run>[];
  unavailable: Record<string, string>;
  errors: Record<string, string[]>;
  checksums: number[];
}
interface Row {
  id: string;
  label: string;
  asyncIo?: string;
}
interface Results {
  rows: Row[];
  datasets: { id: string; warm?: Phase; cold?: Phase; one?: Phase }[];
}

// Rows a machine may lack: io_uring (a kernel or seccomp policy without it, or an addon
// built without liburing), which must then say so instead of giving figures.
const OPTIONAL = /^uring\d+$/;

describe('bench/cold-io.mjs --quick', () => {
  const run = spawnSync(process.execPath, [path.join(root, 'bench/cold-io.mjs'), '--quick', '--out', out], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
  });
  const results = (): Results => JSON.parse(fs.readFileSync(path.join(out, 'cold-io-results.json'), 'utf8')) as Results;

  it('exits 0', () => {
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr + run.stdout.slice(-3000)).toBe(0);
  });

  it('has every row in every phase, with sane figures', () => {
    const r = results();
    expect(r.rows.length).toBe(12);
    expect(r.datasets.map((d) => d.id)).toEqual(['q-20k-100b', 'q-256-16k', 'q-16-1m']);
    const phases = r.datasets.flatMap((d) =>
      (['warm', 'cold', 'one'] as const).filter((p) => d[p]).map((p) => ({ ds: d.id, name: p, p: d[p]! })),
    );
    expect(phases.map((x) => `${x.ds} ${x.name}`)).toEqual([
      'q-20k-100b warm',
      'q-20k-100b cold',
      'q-20k-100b one',
      'q-256-16k cold',
      'q-16-1m cold',
    ]);
    for (const { ds, name, p } of phases) {
      expect(p.errors, `${ds} ${name}`).toEqual({});
      expect(p.checksums.length, `${ds} ${name} checksums`).toBe(1);
      const ids =
        name === 'one'
          ? ['tp4', 'uring8', 'uring32', 'uring128', 'uring256', 'willneed', 'auto', 'pread']
          : r.rows.map((x) => x.id);
      for (const id of ids) {
        const x = p.rounds[0]![id];
        const where = `${ds} ${name} ${id}`;
        if (x === undefined) {
          expect(id, `${where} has no figures: ${p.unavailable[id]}`).toMatch(OPTIONAL);
          expect(p.unavailable[id], where).toMatch(/'uring' is not available/);
          continue;
        }
        const row = r.rows.find((y) => y.id === id)!;
        // an explicit path is the path taken; 'auto' takes one of them
        if (row.asyncIo === 'auto') expect(['uring', 'willneed', 'threadpool'], where).toContain(x.asyncIo);
        else if (row.asyncIo !== undefined) expect(x.asyncIo, where).toBe(row.asyncIo);
        expect(x.found, where).toBe(x.n);
        expect(x.perSec, where).toBeGreaterThan(0);
        expect(Number.isFinite(x.perSec), where).toBe(true);
        expect(x.stallMs, where).toBeGreaterThanOrEqual(1);
        expect(x.stallMs, where).toBeLessThan(60_000);
        expect(x.cpuUsPerLookup, where).toBeGreaterThan(0);
        expect(x.diskShare, where).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(x.diskShare), where).toBe(true);
        expect(x.bytesRequested, where).toBeGreaterThan(0);
        if (name === 'warm') {
          expect(x.residentAtStart, where).toBe(x.fileBytes);
        } else {
          // Nearly nothing resident: on the quick run's tiny files the kernel has been seen to
          // keep about 1 MiB (one read-ahead unit) through every eviction and retry, even
          // after threadpool rows; the full run reports its worst run's residency in RESULTS.md.
          expect(x.residentAtStart, where).toBeLessThanOrEqual(Math.min(2 ** 21, x.fileBytes / 4));
          expect(x.readBytes, `${where}: a cold run reads from the disk`).toBeGreaterThan(0);
        }
      }
    }
  });

  it('writes its RESULTS.md section with tables, targets and a verdict', () => {
    const md = fs.readFileSync(path.join(out, 'RESULTS.md'), 'utf8');
    expect(md).toMatch(/<!-- cold-io:begin[\s\S]*## mmap, pread or io_uring[\s\S]*<!-- cold-io:end -->/);
    for (const line of [
      '### Cold, q-20k-100b',
      '### Cold, one getManyAsync(2,000) call, q-20k-100b',
      '### Warm (file in the page cache), q-20k-100b',
      '### Cold, q-16-1m',
      '| getManyAsync threadpool, pool 4 |',
      "### The device's ceiling: random 4 KiB buffered reads",
      '| pread, 4 threads |',
      '≥ 2× threadpool(4)',
      'Longest event-loop stall < 5 ms',
      'Warm io_uring within 20 % of warm getMany',
      '### Verdict',
    ])
      expect(md).toContain(line);
  });
});
