// cdb get <db> <key…>: the value (or every value) of each key, raw bytes to stdout; `-`
// reads keys from stdin. Exit 0 when every key was found, 100 when one was not.
import { Option, type Command } from 'commander';
import { CliError, EXIT_NOT_FOUND, EXIT_USAGE } from '../errors.js';
import { KEY_ENCODINGS, openDb } from '../options.js';
import { Output } from '../output.js';
import { keysOf } from '../keys-input.js';
import { jsonGetLine } from '../json-output.js';
import type { Context } from '../context.js';
import { isUrl, openRemoteDb, valuesOfKeys } from '../remote.js';

interface GetOptions {
  all?: boolean;
  json?: boolean;
  newline?: boolean;
  null?: boolean;
  keyEncoding: 'utf8' | 'hex' | 'base64';
}

export function registerGet(program: Command, ctx: Context): void {
  program
    .command('get')
    .description('print the value of each key (exit 0 all found, 100 one or more not found)')
    .argument('<db>', 'the database: a path, or an http(s):// URL (read with Range requests)')
    .argument('<key...>', 'the keys (UTF-8 text unless --key-encoding says otherwise); "-" reads keys from stdin, one per line')
    .option('-a, --all', 'every value of the key, in insertion order')
    .option(
      '--json',
      'one JSON line per key: its value as a JSON string, null when absent (a JSON array with --all); bytes that are not UTF-8 as {"base64": "…"}',
    )
    .option('--newline', 'print a newline after each value (an absent key prints an empty line)')
    .option('-z, --null', 'print a NUL byte after each value; stdin keys (-) end with NUL too')
    .addOption(
      new Option('--key-encoding <encoding>', 'how the keys are written (also the stdin keys)')
        .choices(KEY_ENCODINGS)
        .default('utf8'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ cdb get countries.mmcdb FR --newline
  $ cdb get countries.mmcdb FR DE XX --newline      # 3 lines (the 3rd empty), exit 100
  $ cut -f1 codes.tsv | cdb get countries.mmcdb - --json
  $ cdb get multi.mmcdb k --all --json
  $ cdb get bin.mmcdb 00ff10 --key-encoding hex > value.bin
  $ cdb get countries.mmcdb XX || echo "exit $? (100 = not found)"`,
    )
    .action(ctx.action('get', (db: string, keys: string[], opts: GetOptions) => runGet(db, keys, opts, ctx)));
}

async function runGet(db: string, args: string[], opts: GetOptions, ctx: Context): Promise<number> {
  if (opts.null === true && (opts.newline === true || opts.json === true)) {
    throw new CliError(`--null cannot be combined with ${opts.json === true ? '--json' : '--newline'}`, EXIT_USAGE);
  }
  const keys = keysOf(args, ctx.io.stdin, { encoding: opts.keyEncoding, nul: opts.null === true });
  const reader = isUrl(db) ? await openRemoteDb(db) : openDb(db, ctx.backend());
  const out = new Output(ctx.io.stdout);
  const all = opts.all === true;
  const sep = opts.null === true ? '\0' : opts.newline === true ? '\n' : undefined;
  let missing = 0;
  try {
    let n = 0;
    for await (const values of valuesOfKeys(reader, keys, all)) {
      if (values.length === 0) missing++;
      if (opts.json === true) {
        out.write(jsonGetLine(values, all));
      } else {
        for (const v of values) {
          out.write(v);
          if (sep !== undefined) out.write(sep);
        }
        // An absent key keeps its place: an empty item (without --all, which has no one value per key).
        if (values.length === 0 && !all && sep !== undefined) out.write(sep);
      }
      if ((++n & 1023) === 0) await out.drain();
    }
    await out.flush();
    return missing > 0 ? EXIT_NOT_FOUND : 0;
  } finally {
    reader.close();
  }
}
