// cdb verify <db>: core's full check (checksums, every record, every index slot).
import type { Command } from 'commander';
import { verify, type VerifyReport } from '@mmcdb/core';
import { CliError, systemError } from '../errors.js';
import { checkDbPath } from '../options.js';
import { Output } from '../output.js';
import { count } from '../words.js';
import type { Context } from '../context.js';

export function registerVerify(program: Command, ctx: Context): void {
  program
    .command('verify')
    .description('check a database completely: exit 0 if sound, 111 with the first problem if not')
    .argument('<db>', 'the database')
    .addHelpText(
      'after',
      `
Examples:
  $ cdb verify countries.cdb
  $ cdb verify suspect.cdb || echo damaged`,
    )
    .action(ctx.action('verify', (db: string) => runVerify(db, ctx)));
}

async function runVerify(db: string, ctx: Context): Promise<number> {
  checkDbPath(db);
  let report: VerifyReport;
  try {
    report = await verify(db);
  } catch (err) {
    throw systemError(err, db, 'read');
  }
  if (!report.ok) {
    const e = report.error;
    const message = e === undefined ? 'not sound' : e.reason;
    const where = e?.offset !== undefined ? ` at offset ${e.offset}` : '';
    throw new CliError(`${db}: ${e?.code ?? 'ERR_CDB_CORRUPT'}${where}: ${message}`);
  }
  const out = new Output(ctx.io.stdout);
  out.write(`${db}: ok (${report.format}, ${count(report.records, 'record')}, ${count(report.fileSize, 'byte')})\n`);
  await out.flush();
  return 0;
}
