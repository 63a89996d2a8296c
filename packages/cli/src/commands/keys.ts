// cdb keys <db>: every record's key in file order, one per line (or `+klen:key` lines
// and a final empty line, like tinycdb's `cdb -l`, or one JSON string per line).
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from '../errors.js';
import { openDb } from '../options.js';
import { Output } from '../output.js';
import { jsonBytes } from '../json-output.js';
import type { Context } from '../context.js';
import { isUrl, openRemoteDb } from '../remote.js';

interface KeysOptions {
  cdbmake?: boolean;
  json?: boolean;
}

export function registerKeys(program: Command, ctx: Context): void {
  program
    .command('keys')
    .description('print every key, in file order, one per line (a key stored twice prints twice)')
    .argument('<db>', 'the database: a path, or an http(s):// URL (streamed in large ranges)')
    .option('--cdbmake', 'print "+klen:key" lines and a final empty line, like tinycdb cdb -l')
    .option('--json', 'print one JSON string per line; keys that are not UTF-8 as {"base64": "…"}')
    .addHelpText(
      'after',
      `
Examples:
  $ cdb keys countries.mmcdb | head -3
  $ cdb keys bin.mmcdb --cdbmake
  $ cdb keys bin.mmcdb --json | jq -c 'select(type == "object")'   # the keys that are not UTF-8`,
    )
    .action(ctx.action('keys', (db: string, opts: KeysOptions) => runKeys(db, opts, ctx)));
}

async function runKeys(db: string, opts: KeysOptions, ctx: Context): Promise<number> {
  if (opts.cdbmake === true && opts.json === true) throw new CliError('--cdbmake and --json cannot be used together', EXIT_USAGE);
  const reader = isUrl(db) ? await openRemoteDb(db) : openDb(db, ctx.backend(), 'sequential');
  const out = new Output(ctx.io.stdout);
  try {
    let n = 0;
    for await (const key of reader.keys()) {
      if (opts.json === true) {
        out.write(jsonBytes(key));
      } else {
        if (opts.cdbmake === true) out.write(`+${key.length}:`);
        out.write(key);
      }
      out.write('\n');
      if ((++n & 1023) === 0) await out.drain();
    }
    if (opts.cdbmake === true) out.write('\n');
    await out.flush();
    return 0;
  } finally {
    reader.close();
  }
}
