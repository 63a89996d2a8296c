// `node bench/run.mjs --quick` must run in CI: exit 0, every available engine reports the same
// checksum for the same work, and RESULTS.md carries the metadata lines.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = tempDir('mmcdb-bench-quick-');

interface Round {
  [engine: string]: { [work: string]: { checksum: number; found: number; n: number } | unknown };
}
interface Dataset {
  id: string;
  engines: string[];
  gets: Round[];
  cold: Round[];
  unavailable: Record<string, string>;
  errors: Record<string, string>;
  checksums: { agree: boolean };
}

describe('bench --quick', () => {
  const run = spawnSync(process.execPath, [path.join(root, 'bench/run.mjs'), '--quick', '--out', out], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
  });

  it('exits 0', () => {
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr + run.stdout.slice(-2000)).toBe(0);
  });

  it('every available engine reports the same checksums', () => {
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as { datasets: Dataset[] };
    expect(results.datasets.length).toBeGreaterThan(0);
    for (const d of results.datasets) {
      expect(d.errors, d.id).toEqual({});
      for (const rounds of [d.gets, d.cold]) {
        for (const work of ['hits', 'misses', 'scan']) {
          const sums = new Map<string, number>();
          for (const round of rounds) {
            for (const [engine, r] of Object.entries(round)) {
              const w = (r as Record<string, { checksum: number } | undefined>)[work];
              if (w) sums.set(engine, w.checksum);
            }
          }
          expect(new Set(sums.values()).size, `${d.id} ${work}: ${JSON.stringify([...sums])}`).toBeLessThanOrEqual(1);
        }
      }
      // Every engine either ran or says why it is unavailable.
      for (const e of d.engines) expect(d.gets.some((r) => r[e]) || d.unavailable[e] !== undefined, `${d.id} ${e}`).toBe(true);
      // The pure-TS backends are always there.
      expect(d.gets.some((r) => r['mmcdb-memory'] && r['mmcdb-pread'])).toBe(true);
      expect(d.checksums.agree).toBe(true);
    }
  });

  it('measures batches (getMany, getManyAsync, warm) with agreeing checksums', () => {
    const { batch } = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as {
      batch: {
        checksumsAgree: boolean;
        warm: { rounds: Record<string, unknown>[]; errors: Record<string, string> };
        cold: {
          rounds: Record<string, { hits: { found: number; n: number }; loop?: { maxMs: number } }>[];
          errors: Record<string, string>;
          eviction: { residentBytes?: number; error?: string }[];
        };
        first: {
          rounds: Record<string, { residentAfterWarm?: { index: number; indexTotal: number } }>[];
          errors: Record<string, string>;
        };
      };
    };
    expect(batch.checksumsAgree).toBe(true);
    expect(batch.warm.errors).toEqual({});
    expect(batch.cold.errors).toEqual({});
    expect(batch.first.errors).toEqual({});
    // mmap may be unavailable (no addon): then the batch runs say so instead of measuring.
    const round = batch.warm.rounds[0]!;
    if (round['get']) {
      expect(Object.keys(round)).toEqual(expect.arrayContaining(['get', 'getMany-256', 'getMany-1024']));
      for (const x of Object.values(batch.cold.rounds[0]!)) expect(x.hits.found).toBe(x.hits.n);
      for (const e of batch.cold.eviction) expect(e.error ?? e.residentBytes).toBe(0);
      const w = batch.first.rounds[0]!['warm']!.residentAfterWarm!;
      expect(w.index).toBe(w.indexTotal);
    }
  });

  it('serves the same assets from every server, bodies verified', () => {
    const { serve } = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as {
      serve: {
        verifyFailed: boolean;
        errors: Record<string, string>;
        rounds: Record<string, { requests: number; verify: { ok: number; checked: number } }>[];
      };
    };
    expect(serve.errors).toEqual({});
    expect(serve.verifyFailed).toBe(false);
    const round = serve.rounds[0]!;
    for (const key of ['identity:mmcdb', 'identity:sirv', 'identity:serve-static', 'compressed:mmcdb', 'compressed:sirv-pre']) {
      expect(round[key]?.requests, key).toBeGreaterThan(0);
      expect(round[key]!.verify.ok, key).toBe(round[key]!.verify.checked);
    }
  });

  it('writes RESULTS.md with the metadata lines and SVG charts', () => {
    const md = fs.readFileSync(path.join(out, 'RESULTS.md'), 'utf8');
    for (const line of [
      '- Machine: ',
      '- CPU: ',
      '- Node: v',
      '- Date: ',
      '- Commit: ',
      '## Datasets',
      '## Targets',
      '## Batches and cold data',
      '## Serving static assets',
    ]) {
      expect(md).toContain(line);
    }
    const svgs = fs.readdirSync(path.join(out, 'charts')).filter((f) => f.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(out, 'charts', svgs[0]!), 'utf8')).toMatch(/^<svg /);
  });
});
