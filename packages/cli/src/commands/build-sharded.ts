// cdb build --shards N <out.d> [input…]: a sharded set (docs/SHARDS.md) built on worker
// threads, published as a new version; and --shard i/N: just shard i, one task of a
// batch job, made live later by `cdb shards commit`. The inputs are read as by `cdb
// build`; records are routed to their shards as they stream past.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createShardedWriter, type ShardedWriter, type ShardedWriterOptions, type SetBuildResult } from '@mmcdb/core';
import { CliError, EXIT_USAGE, InputError, systemError, type InputLocation } from '../errors.js';
import { createParser, readChunks, resolveInputs, tabularOptionsGiven, type RecordSink } from '../input/index.js';
import { listDir, readDir } from '../input/dir.js';
import { loadMetadata, parsePositiveInt, parseSeed } from '../options.js';
import { buildProgress } from '../progress.js';
import { count } from '../words.js';
import type { Context } from '../context.js';
import { csvOptionsOf, type BuildOptions } from './build-common.js';

/** `cdb build`'s options plus the sharded ones. */
export interface ShardBuildOptions extends BuildOptions {
  shards?: number;
  shard?: { i: number; n: number };
  shardsSeed?: bigint | 'random';
  setId?: string;
  workers?: number;
}

/** `--shard 3/8`: shard 3 of 8. */
export function parseShardSpec(value: string): { i: number; n: number } {
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(value);
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!(n >= 1 && n <= 65536 && i < n))
    throw new InvalidArgumentError('expected i/N: a shard number i from 0 to N − 1 of N shards (1 to 65536)');
  return { i, n };
}

function parseShardCount(value: string): number {
  const n = parsePositiveInt(value);
  if (n > 65536) throw new InvalidArgumentError('expected a shard count from 1 to 65536');
  return n;
}

/** The sharded-set options of `cdb build` (added to the build command by main.ts). */
export function addShardBuildOptions(build: Command): void {
  build
    .addOption(
      new Option('--shards <n>', 'build a sharded set of n shards in the folder <out> (docs/SHARDS.md)').argParser(
        parseShardCount,
      ),
    )
    .addOption(
      new Option('--shard <i/n>', 'build only shard i of n (a batch task; then: cdb shards commit <out>)').argParser(
        parseShardSpec,
      ),
    )
    .addOption(
      new Option(
        '--shards-seed <n|random>',
        'the partition seed: shard = xxh64(key, seed) mod n (with --shard: the same for every task)',
      ).argParser(parseSeed),
    )
    .option('--set-id <id>', 'the version id (folder v<id>); default: time + random, or from the seed with --shard')
    .addOption(new Option('--workers <n>', 'worker threads for --shards (default: one per core)').argParser(parsePositiveInt))
    .addHelpText(
      'after',
      `
Sharded sets:
  $ cdb build --shards 8 users.d users.jsonl               # 8 shards on worker threads, then live
  $ cdb build --shard 3/8 --shards-seed 42 users.d users.jsonl   # one batch task …
  $ cdb shards commit users.d                               # … then, once all 8 are built`,
    );
}

export function isShardedBuild(opts: object): boolean {
  const o = opts as ShardBuildOptions;
  return o.shards !== undefined || o.shard !== undefined;
}

export async function runShardedBuild(out: string, inputs: string[], opts: ShardBuildOptions, ctx: Context): Promise<number> {
  const started = performance.now();
  if (opts.assets === true || opts.precompress !== undefined || opts.includeDotfiles === true)
    throw new CliError('--shards and --shard cannot be combined with --assets', EXIT_USAGE);
  if (opts.shard !== undefined && opts.shards !== undefined && opts.shards !== opts.shard.n) {
    throw new CliError(`--shard ${opts.shard.i}/${opts.shard.n} and --shards ${opts.shards} disagree`, EXIT_USAGE);
  }
  if (opts.shard !== undefined && (opts.shardsSeed === undefined || opts.shardsSeed === 'random')) {
    throw new CliError(
      '--shard needs --shards-seed <n>: every task of one version uses the same seed (it also names the version)',
      EXIT_USAGE,
    );
  }
  const specs = resolveInputs(inputs, opts.inputFormat);
  const csvOptions = csvOptionsOf(opts);
  const csvOnly = tabularOptionsGiven(csvOptions);
  if (!specs.some((s) => s.format === 'csv' || s.format === 'tsv') && csvOnly.length > 0) {
    throw new CliError(`${csvOnly.join(', ')} ${csvOnly.length === 1 ? 'applies' : 'apply'} to csv/tsv input only`, EXIT_USAGE);
  }
  const metadata = opts.metadata !== undefined ? loadMetadata(opts.metadata) : undefined;
  const options: ShardedWriterOptions = {
    shards: opts.shard?.n ?? opts.shards!,
    format: opts.format,
    duplicates: opts.duplicates,
    onWarning: (m) => ctx.io.stderr.write(`cdb build: warning: ${m}\n`),
    ...(opts.shard !== undefined && { shard: opts.shard.i }),
    ...(opts.shardsSeed !== undefined && { partitionSeed: opts.shardsSeed }),
    ...(opts.setId !== undefined && { set: opts.setId }),
    ...(opts.workers !== undefined && { workers: opts.workers }),
    ...(opts.seed !== undefined && { seed: opts.seed }),
    ...(opts.align !== undefined && { valueAlign: opts.align }),
    ...(metadata !== undefined && { metadata }),
  };
  let writer: ShardedWriter;
  try {
    writer = createShardedWriter(out, options);
  } catch (err) {
    if (err instanceof RangeError) throw new CliError(err.message, EXIT_USAGE);
    throw systemError(err, out, 'create');
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    ctx.io.stderr.write(`cdb build: interrupted (${signal}); ${out} was not changed\n`);
    void writer.abort(new Error(signal)).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const totalBytes = specs.every((s) => s.size !== undefined) ? specs.reduce((a, s) => a + s.size!, 0) : undefined;
  const progress = buildProgress(totalBytes, opts, ctx);
  let bytesRead = 0;
  try {
    for (const spec of specs) {
      let where: () => InputLocation = () => ({});
      const sink: RecordSink = (key, value) => {
        try {
          writer.add(key, value);
        } catch (err) {
          throw err instanceof RangeError || err instanceof TypeError
            ? new InputError(spec.name, where(), err.message, { cause: err })
            : err;
        }
      };
      if (spec.format === 'dir') {
        readDir(listDir(spec.path!), sink, (n) => progress.update((bytesRead += n), writer.count));
        continue;
      }
      const parser = createParser(spec, sink, { ...csvOptions, bulk: (b) => writer.addCdbmake(b) });
      where = () => parser.recordLocation;
      for await (const chunk of readChunks(spec, ctx.io.stdin, opts.chunkSize)) {
        parser.push(chunk);
        progress.update((bytesRead += chunk.length), writer.count);
        await writer.ready();
      }
      parser.end();
    }
    const result = await writer.finish();
    progress.stop();
    if (opts.quiet !== true) {
      const dropped = result.manifest !== undefined ? writer.count - result.records : 0;
      const extra = dropped > 0 ? `; ${count(dropped, 'duplicate record')} dropped (--duplicates ${opts.duplicates})` : '';
      ctx.io.stderr.write(summary(out, result, (performance.now() - started) / 1000, opts.format, extra));
    }
    return 0;
  } catch (err) {
    progress.stop();
    await writer.abort(err);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function summary(out: string, r: SetBuildResult, seconds: number, format: string, extra: string): string {
  const records = count(r.records, 'record');
  const bytes = count(r.bytes, 'byte');
  if (r.manifest === undefined) {
    const f = r.files[0]!;
    return `cdb build: wrote shard ${f.shard} of ${r.shards} of set ${r.set} in ${out}: ${records}, ${bytes}, ${seconds.toFixed(2)} s (${format}); once all ${r.shards} are built: cdb shards commit ${out}\n`;
  }
  return `cdb build: wrote ${out}: version v${r.set}, ${count(r.shards, 'shard')}, ${records}, ${bytes}, ${seconds.toFixed(2)} s (${format})${extra}\n`;
}
