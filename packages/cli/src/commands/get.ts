// cdb get <db> <key>: the value (or every value) of one key, raw bytes to stdout.
import { Option, type Command } from 'commander';
import { EXIT_NOT_FOUND } from '../errors.js';
import { decodeKey, KEY_ENCODINGS, openDb } from '../options.js';
import { Output } from '../output.js';
import { isValidUtf8 } from '../input/values.js';
import type { Context } from '../context.js';
import { isUrl, openRemoteDb } from '../remote.js';

interface GetOptions {
  all?: boolean;
  json?: boolean;
  newline?: boolean;
  keyEncoding: 'utf8' | 'hex' | 'base64';
}

export function registerGet(program: Command, ctx: Context): void {
  program
    .command('get')
    .description('print the value of a key (exit 0 found, 100 not found)')
    .argument('<db>', 'the database: a path, or an http(s):// URL (read with Range requests)')
    .argument('<key>', 'the key (UTF-8 text unless --key-encoding says otherwise)')
    .option('-a, --all', 'every value of the key, in insertion order')
    .option('--json', 'print values as JSON strings (a JSON array with --all); bytes that are not UTF-8 as {"base64": "…"}')
    .option('--newline', 'print a newline after each value')
    .addOption(new Option('--key-encoding <encoding>', 'how <key> is written').choices(KEY_ENCODINGS).default('utf8'))
    .addHelpText(
      'after',
      `
Examples:
  $ cdb get countries.cdb FR --newline
  $ cdb get multi.cdb k --all --json
  $ cdb get bin.cdb 00ff10 --key-encoding hex > value.bin
  $ cdb get countries.cdb XX || echo "exit $? (100 = not found)"`,
    )
    .action(ctx.action('get', (db: string, key: string, opts: GetOptions) => runGet(db, key, opts, ctx)));
}

async function runGet(db: string, keyText: string, opts: GetOptions, ctx: Context): Promise<number> {
  const key = decodeKey(keyText, opts.keyEncoding);
  const reader = isUrl(db) ? await openRemoteDb(db) : openDb(db, ctx.backend());
  const out = new Output(ctx.io.stdout);
  try {
    const values: Uint8Array[] = opts.all === true ? await reader.getAll(key) : [await reader.get(key)].filter((v) => v !== undefined);
    if (values.length === 0) return EXIT_NOT_FOUND;
    if (opts.json === true) {
      const items = values.map(jsonValue);
      out.write(`${opts.all === true ? `[${items.join(',')}]` : items[0]!}\n`);
    } else {
      for (const v of values) {
        out.write(v);
        if (opts.newline === true) out.write('\n');
      }
    }
    await out.flush();
    return 0;
  } finally {
    reader.close();
  }
}

/** A value as JSON: a string when it is UTF-8, else {"base64": "…"}. */
export function jsonValue(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return isValidUtf8(b) ? JSON.stringify(b.toString('utf8')) : `{"base64":${JSON.stringify(b.toString('base64'))}}`;
}
