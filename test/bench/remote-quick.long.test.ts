// `node bench/remote/run.mjs --quick` must run in CI: exit 0, every lookup a hit, the
// cost model's request counts (cold get ≤ 2 requests, getMany(1000) a few multi-range
// requests, the naive reader ≥ 4 per get), and its RESULTS.md section with the metadata.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = tempDir('mmcdb-bench-remote-quick-');

interface Run {
  latencyMs: number;
  open: { requests: number };
  cold: { missing: number; requestsPerGet: number };
  getMany: Array<{ requests: number; missing: number }>;
  naive: { requestsPerGet: number };
  whole: { found: boolean };
}

describe('bench/remote --quick', () => {
  const run = spawnSync(process.execPath, [path.join(root, 'bench/remote/run.mjs'), '--quick', '--out', out], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
  });

  it('exits 0', () => {
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr + run.stdout.slice(-2000)).toBe(0);
  });

  it('measures the cost model: 1 request to open, ≤ 2 per cold get, few for getMany(1000), every lookup a hit', () => {
    const r = JSON.parse(fs.readFileSync(path.join(out, 'remote-results.json'), 'utf8')) as { datasets: Array<{ runs: Run[] }> };
    expect(r.datasets.length).toBeGreaterThan(0);
    for (const d of r.datasets) {
      expect(d.runs.map((x) => x.latencyMs)).toEqual([0, 5]);
      for (const x of d.runs) {
        expect(x.open.requests).toBe(1);
        expect(x.cold.missing).toBe(0);
        expect(x.cold.requestsPerGet).toBeLessThanOrEqual(2);
        for (const g of x.getMany) {
          expect(g.missing).toBe(0);
          expect(g.requests).toBeLessThanOrEqual(16);
        }
        expect(x.naive.requestsPerGet).toBeGreaterThanOrEqual(4);
        expect(x.whole.found).toBe(true);
      }
    }
  });

  it('writes its RESULTS.md section with the metadata', () => {
    const md = fs.readFileSync(path.join(out, 'RESULTS.md'), 'utf8');
    expect(md).toMatch(/^<!-- remote:begin/);
    for (const s of ['## Remote reads over HTTP Range', 'commit ', 'Node v', '| latency | RTT ms', '<!-- remote:end -->'])
      expect(md).toContain(s);
  });
});
