// cdb stats <db>: record counts, key/value lengths, index shape (core's analyze()) and
// the backend that serves lookups.
import type { Command } from 'commander';
import { analyze, type DbStats, type LengthStats } from '@mmcdb/core';
import { checkDbPath, openDb } from '../options.js';
import { Output } from '../output.js';
import { systemError } from '../errors.js';
import type { Context } from '../main.js';

export function registerStats(program: Command, ctx: Context): void {
  program
    .command('stats')
    .description('print statistics: records, distinct keys, lengths, index load and probe distances')
    .argument('<db>', 'the database')
    .option('--json', 'print one JSON object (the seed as a hex string)')
    .addHelpText(
      'after',
      `
Examples:
  $ cdb stats countries.cdb
  $ cdb stats countries.cdb --json | jq .index.loadFactor`,
    )
    .action(ctx.action('stats', (db: string, opts: { json?: boolean }) => runStats(db, opts.json === true, ctx)));
}

async function runStats(db: string, json: boolean, ctx: Context): Promise<number> {
  checkDbPath(db);
  const reader = openDb(db, ctx.backend());
  let backend: string;
  let metadata: unknown;
  try {
    backend = reader.backend;
    metadata = reader.metadata;
  } finally {
    reader.close();
  }
  let stats: DbStats;
  try {
    stats = await analyze(db);
  } catch (err) {
    throw systemError(err, db, 'read');
  }
  const out = new Output();
  out.write(json ? `${JSON.stringify(toJson(stats, backend, metadata), null, 2)}\n` : formatText(stats, backend, metadata));
  await out.flush();
  return 0;
}

function toJson(s: DbStats, backend: string, metadata: unknown): object {
  const { seed, ...rest } = s;
  return {
    ...rest,
    ...(seed !== undefined && { seed: `0x${seed.toString(16).padStart(16, '0')}` }),
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

function formatText(s: DbStats, backend: string, metadata: unknown): string {
  const ix = s.index;
  const lines = [
    `format:          ${s.format}`,
    `backend:         ${backend}`,
    `file size:       ${s.fileSize} bytes`,
    `records:         ${s.records}`,
    `distinct keys:   ${s.distinctKeys}`,
    `key length:      ${lengths(s.keyLength)}`,
    `value length:    ${lengths(s.valueLength)}`,
    `index:           ${ix.used} of ${ix.slots} slots used, load factor ${ix.loadFactor.toFixed(3)}` +
      (s.format === 'classic' ? `, ${ix.tables} non-empty tables` : ''),
    `collisions:      ${ix.collisions} (records not in their home slot); max probe ${ix.maxProbe}`,
  ];
  if (s.seed !== undefined) lines.push(`seed:            0x${s.seed.toString(16).padStart(16, '0')}`);
  if (s.valueAlign !== undefined) lines.push(`value align:     ${s.valueAlign}`);
  if (metadata !== undefined) lines.push(`metadata:        ${JSON.stringify(metadata)}`);
  lines.push('probe distances:');
  const total = ix.probeHistogram.reduce((a, b) => a + b, 0);
  ix.probeHistogram.forEach((count, d) => {
    const pct = total === 0 ? 0 : Math.round((count * 100) / total);
    lines.push(`  ${d < 10 ? `d${d} ` : '>9 '} ${String(count).padStart(10)} ${String(pct).padStart(3)}%`);
  });
  return `${lines.join('\n')}\n`;
}
