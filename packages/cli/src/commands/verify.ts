// cdb verify <db>: core's full check (checksums, every record, every index slot).
import type { Command } from 'commander';
import { verify, type VerifyReport } from '@mmcdb/core';
import { CliError, describeError, systemError } from '../errors.js';
import { checkDbPath } from '../options.js';
import { Output } from '../output.js';
import { count } from '../words.js';
import { verifyJson } from '../json-output.js';
import type { Context } from '../context.js';

export function registerVerify(program: Command, ctx: Context): void {
  program
    .command('verify')
    .description('check a database completely: exit 0 if sound, 111 with the first problem if not')
    .argument('<db>', 'the database')
    .option('--json', 'print one JSON object {ok, path, format, records, fileSize, error?} (also when not sound)')
    .addHelpText(
      'after',
      `
Examples:
  $ cdb verify countries.mmcdb
  $ cdb verify suspect.mmcdb || echo damaged
  $ cdb verify suspect.mmcdb --json | jq -r .error.code`,
    )
    .action(ctx.action('verify', (db: string, opts: { json?: boolean }) => runVerify(db, opts.json === true, ctx)));
}

async function runVerify(db: string, json: boolean, ctx: Context): Promise<number> {
  let report: VerifyReport;
  try {
    checkDbPath(db);
    try {
      report = await verify(db);
    } catch (err) {
      throw systemError(err, db, 'read');
    }
  } catch (err) {
    // Not readable at all: with --json, still one object on stdout (the line on stderr too).
    if (json)
      await print(
        ctx,
        `${JSON.stringify(verifyJson(db, undefined, { code: errorCode(err), message: describeError(err).message }))}\n`,
      );
    throw err;
  }
  if (json) await print(ctx, `${JSON.stringify(verifyJson(db, report))}\n`);
  if (!report.ok) {
    const e = report.error;
    const message = e === undefined ? 'not sound' : e.reason;
    const where = e?.offset !== undefined ? ` at offset ${e.offset}` : '';
    throw new CliError(`${db}: ${e?.code ?? 'ERR_CDB_CORRUPT'}${where}: ${message}`);
  }
  if (!json)
    await print(ctx, `${db}: ok (${report.format}, ${count(report.records, 'record')}, ${count(report.fileSize, 'byte')})\n`);
  return 0;
}

async function print(ctx: Context, text: string): Promise<void> {
  const out = new Output(ctx.io.stdout);
  out.write(text);
  await out.flush();
}

/** The errno code (ENOENT, EISDIR, EACCES, …) of a file that could not be read. */
function errorCode(err: unknown): string {
  const code = ((err as { cause?: NodeJS.ErrnoException })?.cause ?? (err as NodeJS.ErrnoException))?.code;
  if (typeof code === 'string') return code;
  return /\((E[A-Z0-9]+)\)$/.exec(describeError(err).message)?.[1] ?? 'EIO';
}
