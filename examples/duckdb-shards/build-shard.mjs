#!/usr/bin/env node
// One task of a batch job that builds a sharded mmcdb set from a Parquet or CSV input with
// DuckDB (docs/SHARDS.md §Independent builds). Every task reads the whole input and keeps
// the records of its own shard; when all N have finished, `cdb shards commit <set>` checks
// them and makes the version live.
//
//   node build-shard.mjs <set folder> <input.parquet|.csv> <key column> [task i] [N] [seed]
//
// i, N and the seed may also come from the environment, so the same command serves as a
// job-array task: MMCDB_SHARD / JOB_COMPLETION_INDEX (Kubernetes Indexed Job) /
// AWS_BATCH_JOB_ARRAY_INDEX / SLURM_ARRAY_TASK_ID for i; MMCDB_SHARDS for N; MMCDB_SEED.
// The value of each record is its row as JSON (DuckDB's to_json).
import { DuckDBInstance } from '@duckdb/node-api';
import { createShardedWriter } from '@mmcdb/core';

const env = process.env;
const [dir, input, keyColumn, iArg, nArg, seedArg] = process.argv.slice(2);
const i = Number(iArg ?? env.MMCDB_SHARD ?? env.JOB_COMPLETION_INDEX ?? env.AWS_BATCH_JOB_ARRAY_INDEX ?? env.SLURM_ARRAY_TASK_ID);
const n = Number(nArg ?? env.MMCDB_SHARDS);
const seed = seedArg ?? env.MMCDB_SEED;
if (!dir || !input || !keyColumn || !Number.isInteger(i) || !Number.isInteger(n) || seed === undefined) {
  console.error('usage: build-shard.mjs <set folder> <input.parquet|.csv> <key column> <task i> <N> <seed>');
  process.exit(2);
}
if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyColumn)) {
  console.error(`build-shard: the key column must be a plain column name, got ${JSON.stringify(keyColumn)}`);
  process.exit(2);
}

const reader = /\.parquet$/i.test(input) ? 'read_parquet' : 'read_csv';
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
// Streamed: DuckDB hands the rows over in chunks, so memory stays bounded by the shard's index.
const result = await connection.stream(
  `SELECT CAST("${keyColumn}" AS VARCHAR) AS k, CAST(to_json(t) AS VARCHAR) AS v FROM ${reader}($input) t`,
  { input },
);
const writer = createShardedWriter(dir, { shards: n, shard: i, partitionSeed: BigInt(seed) });
try {
  for await (const rows of result.yieldRows()) {
    for (const [k, v] of rows) if (k !== null) writer.add(String(k), String(v));
    await writer.ready();
  }
  const r = await writer.finish();
  console.log(`shard ${i} of ${n} of set ${r.set}: ${r.records} records, ${r.bytes} bytes`);
} catch (err) {
  await writer.abort(err);
  throw err;
} finally {
  connection.closeSync();
}
