// cdb build <out> [input…]: streams records from files or stdin into a new database,
// published atomically; on any error the target is left as it was and no temp file stays.
// --assets (build-assets.ts) and sharded builds (build-sharded.ts) branch off here.
import { Option, type Command } from 'commander';
import { createWriter, isCdbError, type Writer, type WriterOptions } from '@mmcdb/core';
import { CliError, EXIT_USAGE, InputError, systemError, type InputLocation } from '../errors.js';
import {
  createParser,
  INPUT_FORMATS,
  parseCommentChar,
  readChunks,
  resolveInputs,
  tabularOptionsGiven,
  type RecordSink,
} from '../input/index.js';
import { listDir, readDir } from '../input/dir.js';
import { loadMetadata, parseAlign, parsePositiveInt, parseSeed } from '../options.js';
import { buildProgress } from '../progress.js';
import { onInterrupt } from '../signals.js';
import { count } from '../words.js';
import type { Context } from '../context.js';
import { isShardedBuild, runShardedBuild, type ShardBuildOptions } from './build-sharded.js';
import { parsePrecompress, runAssets } from './build-assets.js';
import { csvOptionsOf, warnName, type BuildOptions } from './build-common.js';

export function registerBuild(program: Command, ctx: Context): void {
  program
    .command('build')
    .description('build a database from cdbmake, jsonl, json, csv/tsv input or a folder (stdin when no input or "-")')
    .argument('<out>', 'the database to create (replaced atomically when it exists)')
    .argument('[input...]', 'input files, "-" for stdin (default: stdin)')
    .addOption(
      new Option('-i, --input-format <format>', 'input format (default: from the file extension; cdbmake otherwise)').choices(
        INPUT_FORMATS,
      ),
    )
    .option('--key-column <column>', 'csv/tsv: key column, by header name or 1-based index (default: 1)')
    .option('--value-column <column>', 'csv/tsv: value column (default: the whole row as a JSON object)')
    .option('--no-header', 'csv/tsv: no header row (columns by number; the value is the row as a JSON array)')
    .addOption(
      new Option('--comment <char>', 'csv/tsv: skip the lines that start with this character (e.g. #)').argParser(
        parseCommentChar,
      ),
    )
    .option('--relax-column-count', 'csv/tsv: a row with fewer fields gets empty ones (more is still an error)')
    .addOption(
      new Option('--duplicates <policy>', 'repeated keys: keep all, the first, the last, or fail')
        .choices(['all', 'first', 'last', 'error'])
        .default('all'),
    )
    .addOption(
      new Option('--seed <n|random>', 'xxh64 seed (decimal or 0x hex), or "random" for untrusted keys').argParser(parseSeed),
    )
    .addOption(new Option('--align <n>', 'align every value to n bytes (a power of two)').argParser(parseAlign))
    .option('--metadata <json|@file>', 'JSON metadata to store in the file (inline, or @file to read it)')
    .addOption(new Option('--format <format>', 'output format').choices(['mmcdb', 'classic']).default('mmcdb'))
    .option('--assets', 'pack one folder as a static-asset database for "cdb serve" (docs/ASSETS.md)')
    .option(
      '--include-dotfiles',
      'with --assets: also pack dot-files and dot-folders (.env, .git/; .well-known/ is always packed)',
    )
    .addOption(
      new Option('--precompress <list>', 'with --assets: also store br and/or gzip variants (e.g. br,gzip)').argParser(
        parsePrecompress,
      ),
    )
    .option('-q, --quiet', 'no summary line, no progress bar')
    .option('--no-progress', 'no progress bar (it shows only when stderr is a terminal; plain text under NO_COLOR or TERM=dumb)')
    .addOption(
      new Option('--chunk-size <bytes>', 'read inputs in chunks of this size (testing)').argParser(parsePositiveInt).hideHelp(),
    )
    .addOption(
      new Option('--progress-delay <ms>', 'show the progress bar after this long (testing)').argParser(Number).hideHelp(),
    )
    .addHelpText(
      'after',
      `
Input formats (docs/cli.md): cdbmake "+klen,dlen:key->value" lines then an empty line
(binary-exact); jsonl {"key":…,"value":…} per line; json {"key": value, …}; csv/tsv with a
header row; dir = every file under a folder (key = relative path). Extensions: .jsonl
.ndjson .json .csv .tsv .tab; anything else (and stdin) is cdbmake.

Name mmcdb files .mmcdb: .cdb is for classic files (--format classic), which tinycdb,
Postfix and other cdb readers open; a .cdb name without --format gets a warning.

Examples:
  $ cdb build countries.mmcdb fixtures/countries.jsonl
  $ printf '+1,3:a->xyz\\n+2,0:bc->\\n\\n' | cdb build small.mmcdb
  $ cdb build users.mmcdb users.csv --key-column id --value-column email --duplicates error
  $ cdb build site.mmcdb public/ --input-format dir --align 8 --metadata '{"v":1}'
  $ cdb dump old.mmcdb | cdb build copy.mmcdb -
  $ cdb build legacy.cdb data.txt --format classic       # byte-identical to tinycdb cdb -c
  $ cdb build --assets site.mmcdb dist/ --precompress br,gzip && cdb serve site.mmcdb`,
    )
    .action(
      ctx.action('build', (out: string, inputs: string[], opts: BuildOptions, cmd: Command) =>
        runBuild(out, inputs, { ...opts, formatGiven: cmd.getOptionValueSource('format') !== 'default' }, ctx),
      ),
    );
}

async function runBuild(out: string, inputs: string[], opts: BuildOptions, ctx: Context): Promise<number> {
  if (isShardedBuild(opts)) return runShardedBuild(out, inputs, opts as BuildOptions & ShardBuildOptions, ctx);
  if (opts.assets === true) return runAssets(out, inputs, opts, ctx);
  if (opts.precompress !== undefined) throw new CliError('--precompress applies to --assets builds only', EXIT_USAGE);
  if (opts.includeDotfiles === true) throw new CliError('--include-dotfiles applies to --assets builds only', EXIT_USAGE);
  const started = performance.now();
  const specs = resolveInputs(inputs, opts.inputFormat);
  const tabular = specs.some((s) => s.format === 'csv' || s.format === 'tsv');
  const csvOptions = csvOptionsOf(opts);
  const csvOnly = tabularOptionsGiven(csvOptions);
  if (!tabular && csvOnly.length > 0) {
    throw new CliError(`${csvOnly.join(', ')} ${csvOnly.length === 1 ? 'applies' : 'apply'} to csv/tsv input only`, EXIT_USAGE);
  }
  const metadata = opts.metadata !== undefined ? loadMetadata(opts.metadata) : undefined;
  const options: WriterOptions = {
    format: opts.format,
    duplicates: opts.duplicates,
    onWarning: (m) => ctx.io.stderr.write(`cdb build: warning: ${m}\n`),
  };
  if (opts.seed !== undefined) options.seed = opts.seed;
  if (opts.align !== undefined) options.valueAlign = opts.align;
  if (metadata !== undefined) options.metadata = metadata;

  let writer: Writer;
  try {
    writer = createWriter(out, options);
  } catch (err) {
    throw systemError(err, out, 'create');
  }
  const stopListening = onInterrupt((signal) => {
    writer.abort(new Error(signal));
    ctx.io.stderr.write(`cdb build: interrupted (${signal}); ${out} was not changed\n`);
  });

  const totalBytes = specs.every((s) => s.size !== undefined) ? specs.reduce((a, s) => a + s.size!, 0) : undefined;
  const progress = buildProgress(totalBytes, opts, ctx);
  let bytesRead = 0;
  let dropped = 0;
  let added = 0; // records the writer took, superseded ones included
  try {
    for (const spec of specs) {
      let where: () => InputLocation = () => ({});
      let file = spec.name;
      const sink: RecordSink = (key, value) => {
        try {
          if (writer.add(key, value)) added++;
          else dropped++;
        } catch (err) {
          throw recordError(err, file, where());
        }
      };
      if (spec.format === 'dir') {
        const entries = listDir(spec.path!);
        const dirSink: RecordSink = (key, value) => {
          file = `${spec.name.replace(/\/+$/, '')}/${Buffer.from(key).toString()}`;
          sink(key, value);
        };
        readDir(entries, dirSink, (n) => {
          bytesRead += n;
          progress.update(bytesRead, writer.count);
        });
        continue;
      }
      // Whole records in bulk (native parsing, copying and hashing) when no per-record
      // decision is needed; duplicate policies name the line of the record they act on.
      const bulk =
        opts.format === 'classic' || opts.duplicates !== 'all'
          ? undefined
          : (bytes: Uint8Array) => {
              try {
                const took = writer.addCdbmake(bytes);
                dropped += took.dropped;
                added += took.records - took.dropped;
                return took;
              } catch (err) {
                throw recordError(err, file, where());
              }
            };
      const parser = createParser(spec, sink, { ...csvOptions, bulk });
      where = () => parser.recordLocation;
      for await (const chunk of readChunks(spec, ctx.io.stdin, opts.chunkSize)) {
        parser.push(chunk);
        bytesRead += chunk.length;
        progress.update(bytesRead, writer.count);
      }
      parser.end();
    }
    const result = await finish(writer, out);
    progress.stop();
    warnName(out, result.format, opts, ctx);
    if (opts.quiet !== true) {
      const seconds = (performance.now() - started) / 1000;
      const superseded = added - result.records; // --duplicates last: earlier records of a key added again
      const extra =
        dropped > 0
          ? `; ${count(dropped, 'duplicate record')} dropped (--duplicates ${opts.duplicates})`
          : superseded > 0
            ? `; ${count(superseded, 'duplicate record')} superseded (--duplicates ${opts.duplicates})`
            : '';
      ctx.io.stderr.write(
        `cdb build: wrote ${out}: ${count(result.records, 'record')}, ${count(result.bytes, 'byte')}, ${seconds.toFixed(2)} s (${result.format})${extra}\n`,
      );
    }
    return 0;
  } catch (err) {
    progress.stop();
    writer.abort(err);
    throw err;
  } finally {
    stopListening();
  }
}

async function finish(writer: Writer, out: string) {
  try {
    return await writer.finish();
  } catch (err) {
    throw systemError(err, out, 'write');
  }
}

/** An error the writer raised for one record, as an input error at that record. */
function recordError(err: unknown, file: string, where: InputLocation): unknown {
  if (err instanceof CliError) return err;
  if (isCdbError(err, 'ERR_CDB_DUPLICATE')) {
    const what = err.reason;
    return new InputError(file, where, `${what} (--duplicates error)`, { cause: err });
  }
  if (err instanceof RangeError || err instanceof TypeError) return new InputError(file, where, err.message, { cause: err });
  return err;
}
