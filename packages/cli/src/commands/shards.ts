// cdb shards commit | gc | list <dir>: the versions of a sharded set (docs/SHARDS.md):
// make a version out of shards built by independent tasks, remove old versions, show them.
import { Option, type Command } from 'commander';
import {
  commitShards,
  gcShards,
  listSetVersions,
  type CommitOptions,
  type CommitResult,
  type GcReport,
  type VersionSummary,
} from '@mmcdb/core';
import { CliError, EXIT_USAGE, systemError } from '../errors.js';
import { loadMetadata, parsePositiveInt, parseSeed } from '../options.js';
import { Output } from '../output.js';
import type { Context } from '../context.js';

interface CommitFlags {
  setId?: string;
  shardsSeed?: bigint | 'random';
  metadata?: string;
  publish: boolean;
}

export function registerShards(program: Command, ctx: Context): void {
  const shards = program
    .command('shards')
    .description('sharded sets: commit a version built by independent tasks, remove old versions, list them')
    .addHelpText(
      'after',
      `
A set folder holds CURRENT (naming the live version) and one folder v<id>/ per version:
manifest.json and the shard files. See docs/SHARDS.md.

Examples:
  $ for i in 0 1 2 3; do cdb build --shard $i/4 --shards-seed 7 users.d users.jsonl & done; wait
  $ cdb shards commit users.d
  $ cdb shards list users.d
  $ cdb shards gc users.d --keep 2`,
    );

  shards
    .command('commit')
    .description('check every shard of a version built with --shard (count, set id, checksum) and make it live')
    .argument('<dir>', 'the set folder')
    .option('--set-id <id>', 'the version to commit (default: the only one without a manifest)')
    .addOption(
      new Option('--shards-seed <n>', 'classic shards only: the partition seed they were built with').argParser(parseSeed),
    )
    .option('--metadata <json|@file>', 'JSON metadata of the set (reader.metadata)')
    .option('--no-publish', 'write the manifest but leave CURRENT as it is')
    .action(ctx.action('shards commit', (dir: string, opts: CommitFlags) => runCommit(dir, opts, ctx)));

  shards
    .command('gc')
    .description('remove old versions: keeps the live one, the newest --keep, and any a live reader or build holds')
    .argument('<dir>', 'the set folder')
    .addOption(
      new Option('--keep <n>', 'complete versions to keep, the live one included').argParser(parsePositiveInt).default(2),
    )
    .option('--incomplete', 'also remove incomplete versions (no manifest.json) that no live build holds')
    .option('--dry-run', 'print what would be removed, remove nothing')
    .action(
      ctx.action('shards gc', (dir: string, opts: { keep: number; incomplete?: boolean; dryRun?: boolean }) =>
        runGc(dir, opts, ctx),
      ),
    );

  shards
    .command('list')
    .description('list the versions of a set: live, complete, records, shards, who holds them')
    .argument('<dir>', 'the set folder')
    .option('--json', 'one JSON array')
    .action(ctx.action('shards list', (dir: string, opts: { json?: boolean }) => runList(dir, opts.json === true, ctx)));
}

async function runCommit(dir: string, opts: CommitFlags, ctx: Context): Promise<number> {
  if (opts.shardsSeed === 'random')
    throw new CliError('--shards-seed: give the seed the shards were built with, not "random"', EXIT_USAGE);
  const options: CommitOptions = { publish: opts.publish };
  if (opts.setId !== undefined) options.set = opts.setId;
  if (opts.shardsSeed !== undefined) options.partitionSeed = opts.shardsSeed;
  if (opts.metadata !== undefined) options.metadata = loadMetadata(opts.metadata);
  let r: CommitResult;
  try {
    r = await commitShards(dir, options);
  } catch (err) {
    if (err instanceof RangeError) throw new CliError(err.message, EXIT_USAGE);
    throw systemError(err, dir, 'commit');
  }
  const m = r.manifest;
  const state = opts.publish ? 'live' : 'committed, not live (--no-publish)';
  ctx.io.stderr.write(
    `cdb shards commit: ${dir}: version v${m.set} ${state}: ${m.shards} shards, ${m.records} records, ${m.bytes} bytes\n`,
  );
  return 0;
}

async function runGc(dir: string, opts: { keep: number; incomplete?: boolean; dryRun?: boolean }, ctx: Context): Promise<number> {
  let report: GcReport;
  try {
    report = gcShards(dir, { keep: opts.keep, incomplete: opts.incomplete === true, dryRun: opts.dryRun === true });
  } catch (err) {
    throw systemError(err, dir, 'clean');
  }
  const out = new Output(ctx.io.stdout);
  for (const v of report.removed) out.write(`${opts.dryRun === true ? 'would remove' : 'removed'} ${v}\n`);
  for (const k of report.kept) out.write(`kept ${k.version}: ${k.why}\n`);
  await out.flush();
  return 0;
}

async function runList(dir: string, json: boolean, ctx: Context): Promise<number> {
  let versions: VersionSummary[];
  try {
    versions = listSetVersions(dir);
  } catch (err) {
    throw systemError(err, dir, 'read');
  }
  const out = new Output(ctx.io.stdout);
  if (json) out.write(`${JSON.stringify(versions, null, 2)}\n`);
  else {
    for (const v of versions) {
      const what = v.complete
        ? `${v.shards} shards, ${v.records} records, ${v.bytes} bytes, ${v.createdAt}`
        : `incomplete: ${v.problem}`;
      const held = v.leases.length > 0 ? `; held by ${v.leases.map((l) => `${l.kind} ${l.pid}`).join(', ')}` : '';
      out.write(`${v.live ? '*' : ' '} ${v.version}  ${what}${held}\n`);
    }
  }
  await out.flush();
  return 0;
}
