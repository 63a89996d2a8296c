// cdb convert <in> <out>: copies every record of a database, in file order and with every
// duplicate, into a new database of the other (or the same) format. The target is
// published atomically, as by `cdb build`: on any error (a classic file that would pass
// 4 GiB, I/O, Ctrl-C) it is left as it was and no temp file stays.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import { createWriter, type Reader, type Writer, type WriterOptions } from '@mmcdb/core';
import { CliError, EXIT_USAGE, systemError } from '../errors.js';
import { convertFormat, sameFile } from '../file-names.js';
import { openDb, parseAlign, parseSeed } from '../options.js';
import { count } from '../words.js';
import type { Context } from '../context.js';

interface ConvertOptions {
  format?: 'mmcdb' | 'classic';
  seed?: bigint | 'random';
  align?: number;
  quiet?: boolean;
}

export function registerConvert(program: Command, ctx: Context): void {
  program
    .command('convert')
    .description('copy every record (duplicates too, in order) into a new mmcdb or classic cdb file')
    .argument('<in>', 'the database to read (mmcdb or classic)')
    .argument('<out>', 'the database to create (replaced atomically when it exists; may be <in> when the format changes)')
    .addOption(
      new Option(
        '--format <format>',
        'output format (default: from <out>: .mmcdb or .cdb; else mmcdb with --seed/--align; else the other format than <in>)',
      ).choices(['mmcdb', 'classic']),
    )
    .addOption(new Option('--seed <n|random>', 'mmcdb output: xxh64 seed (decimal or 0x hex), or "random"').argParser(parseSeed))
    .addOption(new Option('--align <n>', 'mmcdb output: align every value to n bytes (a power of two)').argParser(parseAlign))
    .option('-q, --quiet', 'no summary line')
    .addHelpText(
      'after',
      `
The output format: --format, else the name of <out> (.mmcdb = mmcdb, .cdb = classic),
else mmcdb when --seed or --align is given, else the other format than <in>. Converting a
file onto itself without changing anything is refused (exit 2). mmcdb metadata is carried
over to mmcdb output; a classic file cannot hold it (a warning says so). Records superseded
by --duplicates last are not copied. A classic file cannot pass 4 GiB: such a conversion
fails with exit 111 and publishes nothing.

Examples:
  $ cdb convert legacy.cdb fast.mmcdb
  $ cdb convert countries.mmcdb countries.cdb       # classic: readable by tinycdb, cdbget, Postfix…
  $ cdb convert old.mmcdb new.mmcdb --seed random --align 8
  $ cdb convert data.mmcdb data.mmcdb --seed random  # in place (atomically)`,
    )
    .action(ctx.action('convert', (input: string, out: string, opts: ConvertOptions) => runConvert(input, out, opts, ctx)));
}

async function runConvert(input: string, out: string, opts: ConvertOptions, ctx: Context): Promise<number> {
  const started = performance.now();
  const reader = openDb(input, ctx.backend(), 'sequential');
  try {
    const mmcdbOptions = opts.seed !== undefined || opts.align !== undefined;
    const format = convertFormat(reader.format, out, { format: opts.format, mmcdbOptions });
    if (format === reader.format && !mmcdbOptions && sameFile(input, out)) {
      throw new CliError(
        `${out} is ${input}, already ${format}: nothing to convert (give --format ${format === 'mmcdb' ? 'classic' : 'mmcdb'}, or --seed/--align to rewrite it in place)`,
        EXIT_USAGE,
      );
    }
    const options: WriterOptions = {
      format,
      duplicates: 'all',
      onWarning: (m) => ctx.io.stderr.write(`cdb convert: warning: ${m}\n`),
    };
    if (opts.seed !== undefined) options.seed = opts.seed;
    if (opts.align !== undefined) options.valueAlign = opts.align;
    const metadata = reader.metadata;
    if (metadata !== undefined && format === 'mmcdb') options.metadata = metadata;
    let writer: Writer;
    try {
      writer = createWriter(out, options);
    } catch (err) {
      throw systemError(err, out, 'create');
    }
    const result = await copy(reader, writer, out, ctx);
    // Said once the copy succeeded, so that a failure stays one line.
    if (metadata !== undefined && format === 'classic') {
      ctx.io.stderr.write(`cdb convert: warning: the metadata of ${input} was not copied (classic files have none)\n`);
    }
    if (opts.quiet !== true) {
      const seconds = (performance.now() - started) / 1000;
      ctx.io.stderr.write(
        `cdb convert: wrote ${out}: ${count(result.records, 'record')}, ${count(result.bytes, 'byte')}, ${seconds.toFixed(2)} s (${reader.format} -> ${result.format})\n`,
      );
    }
    return 0;
  } finally {
    reader.close();
  }
}

async function copy(reader: Reader, writer: Writer, out: string, ctx: Context) {
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = signal;
  };
  const stop = (signal: NodeJS.Signals): never => {
    writer.abort(new Error(signal));
    ctx.io.stderr.write(`cdb convert: interrupted (${signal}); ${out} was not changed\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let n = 0;
    for (const [key, value] of reader.entries()) {
      writer.add(key, value);
      // Let signals in now and then: the copy itself is synchronous.
      if ((++n & 4095) === 0) {
        await yieldToLoop();
        if (interrupted !== undefined) stop(interrupted);
      }
    }
    if (interrupted !== undefined) stop(interrupted);
    let result: Awaited<ReturnType<typeof writer.finish>>;
    try {
      result = await writer.finish();
    } catch (err) {
      throw systemError(err, out, 'write');
    }
    return result;
  } catch (err) {
    writer.abort(err);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
