// cdb keys <db>: every record's key in file order, one per line (or `+klen:key` lines
// and a final empty line, like tinycdb's `cdb -l`).
import type { Command } from 'commander';
import { openDb } from '../options.js';
import { Output } from '../output.js';
import type { Context } from '../context.js';
import { isUrl, openRemoteDb } from '../remote.js';

export function registerKeys(program: Command, ctx: Context): void {
  program
    .command('keys')
    .description('print every key, in file order, one per line (a key stored twice prints twice)')
    .argument('<db>', 'the database: a path, or an http(s):// URL (streamed in large ranges)')
    .option('--cdbmake', 'print "+klen:key" lines and a final empty line, like tinycdb cdb -l')
    .addHelpText(
      'after',
      `
Examples:
  $ cdb keys countries.cdb | head -3
  $ cdb keys bin.cdb --cdbmake`,
    )
    .action(ctx.action('keys', (db: string, opts: { cdbmake?: boolean }) => runKeys(db, opts.cdbmake === true, ctx)));
}

async function runKeys(db: string, cdbmake: boolean, ctx: Context): Promise<number> {
  const reader = isUrl(db) ? await openRemoteDb(db) : openDb(db, ctx.backend(), 'sequential');
  const out = new Output(ctx.io.stdout);
  try {
    let n = 0;
    for await (const key of reader.keys()) {
      if (cdbmake) out.write(`+${key.length}:`);
      out.write(key);
      out.write('\n');
      if ((++n & 1023) === 0) await out.drain();
    }
    if (cdbmake) out.write('\n');
    await out.flush();
    return 0;
  } finally {
    reader.close();
  }
}
