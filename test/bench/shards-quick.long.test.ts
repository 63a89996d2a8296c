// `node bench/shards.mjs --quick` must run in CI: exit 0, the set and the file agree (the
// script checks the checksums itself), and the report section is there with its targets.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = tempDir('mmcdb-bench-shards-');

describe('bench/shards.mjs --quick', () => {
  const run = spawnSync(process.execPath, [path.join(root, 'bench/shards.mjs'), '--quick', '--out', out], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
  });

  it('exits 0 and writes its RESULTS.md section and results', () => {
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr + run.stdout.slice(-2000)).toBe(0);
    const md = fs.readFileSync(path.join(out, 'RESULTS.md'), 'utf8');
    expect(md).toMatch(/<!-- sharded-sets:begin[\s\S]*## Sharded sets[\s\S]*<!-- sharded-sets:end -->/);
    for (const line of [
      '| 8 shards | 2 |',
      '| 64 shards | 1 |',
      'hot get on the set within 10 %',
      '`getMany()`, 1,000 keys a call',
    ])
      expect(md).toContain(line);
    const r = JSON.parse(fs.readFileSync(path.join(out, 'shards-results.json'), 'utf8'));
    expect(r.builds[0].file.records).toBe(100_000);
    expect(r.builds[0].s64w2.records).toBe(100_000);
  });
});
