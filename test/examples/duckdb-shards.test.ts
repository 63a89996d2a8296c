// examples/duckdb-shards (docs/SHARDS.md §Independent builds): N tasks, run as parallel
// processes the way a batch engine runs a job array, each read a Parquet (and a CSV) file
// with DuckDB and build their shard; `cdb shards commit` makes the version; the set then
// answers every row DuckDB reads from the file.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSync } from '@mmcdb/core';
import { tempDir } from '../helpers/tmp.js';
import { ok } from '../cli/helpers.js';

const SCRIPT = fileURLToPath(new URL('../../examples/duckdb-shards/build-shard.mjs', import.meta.url));
const dir = tempDir('mmcdb-duckdb-');
const ROWS = 3000;

let duckdb: typeof import('@duckdb/node-api') | undefined;
let reason = '';
try {
  duckdb = await import('@duckdb/node-api');
} catch (err) {
  reason = (err as Error).message;
  console.warn(`[examples] duckdb example not tested: @duckdb/node-api did not load: ${reason}`);
}

function task(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe.skipIf(duckdb === undefined)('examples/duckdb-shards', () => {
  it.each(['parquet', 'csv'])('4 parallel tasks over a %s file, then cdb shards commit', async (kind) => {
    const db = await duckdb!.DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const input = path.join(dir, `users.${kind}`);
    await c.run(
      `COPY (SELECT 'user:' || i AS id, 'name ' || i AS name, i % 7 AS team FROM range(${ROWS}) t(i)) TO '${input}' (FORMAT ${kind})`,
    );
    const set = path.join(dir, `users-${kind}.d`);
    const results = await Promise.all([0, 1, 2, 3].map((i) => task([set, input, 'id', String(i), '4', '1234'])));
    for (const r of results) {
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^shard \d of 4 of set s00000000000004d2-n4: \d+ records/);
    }
    await ok(['shards', 'commit', set]);
    const reader = openSync(set);
    expect(reader.size).toBe(ROWS);
    const rows = (await (
      await c.runAndReadAll(`SELECT id, CAST(to_json(t) AS VARCHAR) FROM read_${kind}('${input}') t`)
    ).getRows()) as [string, string][];
    for (const [id, json] of rows) expect(reader.getString(id)).toBe(json);
    expect(JSON.parse(reader.getString('user:42')!)).toEqual({ id: 'user:42', name: 'name 42', team: 0 });
    reader.close();
    c.closeSync();
  });

  it('a task with missing arguments exits 2 with its usage', async () => {
    const r = await task([path.join(dir, 'x.d')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('usage: build-shard.mjs');
  });
});
