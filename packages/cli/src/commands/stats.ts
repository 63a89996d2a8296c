// cdb stats <db>: record counts, key/value lengths, index shape (core's analyze()) and
// the backend that serves lookups. Classic files also show every number tinycdb's
// `cdb -s` prints (its rounding, its minimum that skips zero lengths), and --tinycdb
// prints exactly the text of `cdb -s`.
import type { Command } from 'commander';
import { analyze, formatTinycdbStats, type ClassicStats, type DbStats, type LengthStats, type SetInfo } from '@mmcdb/core';
import { checkDbPath, openDb } from '../options.js';
import { Output } from '../output.js';
import { CliError, EXIT_USAGE, systemError } from '../errors.js';
import type { Context } from '../context.js';
import { formatRemoteStats, isUrl, remoteStats } from '../remote.js';
import { formatMemory, memoryReport, type MemoryReport } from './stats-memory.js';

interface StatsOptions {
  json?: boolean;
  tinycdb?: boolean;
  memory?: boolean;
}

export function registerStats(program: Command, ctx: Context): void {
  program
    .command('stats')
    .description('print statistics: records, distinct keys, lengths, index load and probe distances')
    .argument('<db>', 'the database: a path, or an http(s):// URL (then what the header says, without a full scan)')
    .option('--json', 'print one JSON object (the seed as a hex string)')
    .option('--tinycdb', 'classic files: print exactly what tinycdb `cdb -s` prints')
    .option(
      '--memory',
      'also show what the open database maps: address space, bytes in the page cache, and why heap reports miss them',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ cdb stats countries.mmcdb
  $ cdb stats countries.mmcdb --json | jq .index.loadFactor
  $ cdb stats legacy.cdb --tinycdb        # the same text as tinycdb: cdb -s legacy.cdb
  $ cdb stats countries.mmcdb --memory    # mapped and resident bytes (mincore)`,
    )
    .action(ctx.action('stats', (db: string, opts: StatsOptions) => runStats(db, opts, ctx)));
}

async function runStats(db: string, opts: StatsOptions, ctx: Context): Promise<number> {
  const json = opts.json === true;
  if (json && opts.tinycdb === true) throw new CliError('--json and --tinycdb cannot be used together', EXIT_USAGE);
  if (opts.memory === true && opts.tinycdb === true)
    throw new CliError('--memory and --tinycdb cannot be used together', EXIT_USAGE);
  if (isUrl(db)) {
    if (opts.tinycdb === true)
      throw new CliError('--tinycdb reads the whole file: run it on a local copy, not a URL', EXIT_USAGE);
    if (opts.memory === true) throw new CliError('--memory describes a local file mapped by this process, not a URL', EXIT_USAGE);
    const s = await remoteStats(db);
    const out = new Output(ctx.io.stdout);
    out.write(json ? `${JSON.stringify(s, null, 2)}\n` : formatRemoteStats(s));
    await out.flush();
    return 0;
  }
  checkDbPath(db);
  const reader = openDb(db, ctx.backend());
  let backend: string;
  let metadata: unknown;
  let memory: MemoryReport | undefined;
  try {
    backend = reader.backend;
    metadata = reader.metadata;
    if (opts.memory === true) memory = memoryReport(reader, db);
  } finally {
    reader.close();
  }
  let stats: DbStats & { set?: SetInfo };
  try {
    stats = await analyze(db);
  } catch (err) {
    throw systemError(err, db, 'read');
  }
  const out = new Output(ctx.io.stdout);
  if (opts.tinycdb === true) {
    if (stats.classic === undefined) {
      throw new CliError(
        `${db}: --tinycdb describes classic cdb files; this one is ${stats.format} (use cdb stats without --tinycdb)`,
      );
    }
    out.write(formatTinycdbStats(stats.classic.tinycdb));
  } else {
    const body = json
      ? `${JSON.stringify({ ...toJson(stats, backend, metadata), ...(memory !== undefined && { memory }) }, null, 2)}\n`
      : formatText(stats, backend, metadata) + (memory !== undefined ? formatMemory(memory) : '');
    out.write(body);
  }
  await out.flush();
  return 0;
}

function toJson(s: DbStats & { set?: SetInfo }, backend: string, metadata: unknown): object {
  const { seed, set, ...rest } = s;
  return {
    ...rest,
    ...(seed !== undefined && { seed: `0x${seed.toString(16).padStart(16, '0')}` }),
    ...(set !== undefined && { set: { ...set, partitionSeed: `0x${set.partitionSeed.toString(16).padStart(16, '0')}` } }),
    backend,
    ...(metadata !== undefined && { metadata }),
  };
}

function lengths(l: LengthStats): string {
  return `min ${l.min} / avg ${round(l.avg)} / max ${l.max} (total ${l.total})`;
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

function formatText(s: DbStats & { set?: SetInfo }, backend: string, metadata: unknown): string {
  const ix = s.index;
  const c = s.classic;
  const t = c?.tinycdb;
  const lines = [
    `format:          ${s.format}`,
    `backend:         ${backend}`,
    `file size:       ${s.fileSize} bytes`,
    `records:         ${s.records}`,
    `distinct keys:   ${s.distinctKeys}`,
    `key length:      ${lengths(s.keyLength)}${t ? `; cdb -s: ${t.keyMin}/${t.keyAvg}/${t.keyMax}` : ''}`,
    `value length:    ${lengths(s.valueLength)}${t ? `; cdb -s: ${t.valMin}/${t.valAvg}/${t.valMax}` : ''}`,
    `index:           ${ix.used} of ${ix.slots} slots used, load factor ${ix.loadFactor.toFixed(3)}` +
      (s.format === 'classic' ? `, ${ix.tables} non-empty tables` : ''),
  ];
  if (s.set !== undefined) {
    lines.splice(
      1,
      0,
      `set:             ${s.set.shards} shards, version v${s.set.id} (partition seed 0x${s.set.partitionSeed.toString(16).padStart(16, '0')})`,
    );
  }
  if (c !== undefined && t !== undefined)
    lines.push(`table length:    ${tableLengths(c)}; cdb -s: ${t.tableMin}/${t.tableAvg}/${t.tableMax}`);
  lines.push(
    `collisions:      ${ix.collisions} (records not in their home slot); max probe ${ix.maxProbe}` +
      // tinycdb counts records - records at distance 0, which differs only when some records
      // are in no table (files made with tinycdb `cdb -c -0`).
      (t !== undefined && t.collisions !== ix.collisions ? `; cdb -s: ${t.collisions}` : ''),
  );
  if (s.seed !== undefined) lines.push(`seed:            0x${s.seed.toString(16).padStart(16, '0')}`);
  if (s.valueAlign !== undefined) lines.push(`value align:     ${s.valueAlign}`);
  if (metadata !== undefined) lines.push(`metadata:        ${JSON.stringify(metadata)}`);
  lines.push('probe distances:');
  const total = ix.probeHistogram.reduce((a, b) => a + b, 0);
  ix.probeHistogram.forEach((count, d) => {
    // Classic files: tinycdb's percentages (rounded down, of all records); mmcdb: rounded, of the indexed records.
    const pct =
      t !== undefined
        ? t.records === 0
          ? 0
          : Math.floor((Math.imul(count, 100) >>> 0) / t.records) // u32 arithmetic, as tinycdb
        : total === 0
          ? 0
          : Math.round((count * 100) / total);
    lines.push(`  ${d < 10 ? `d${d} ` : '>9 '} ${String(count).padStart(10)} ${String(pct).padStart(3)}%`);
  });
  return `${lines.join('\n')}\n`;
}

function tableLengths(c: ClassicStats): string {
  const l = c.tableLength;
  return `min ${l.min} / avg ${round(l.avg)} / max ${l.max} slots (non-empty tables)`;
}
