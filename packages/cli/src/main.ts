// The cdb program: global options, the commands, and how outcomes become exit codes.
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import type { BackendChoice } from '@mmcdb/core';
import { EXIT_ERROR, EXIT_USAGE, reportError } from './errors.js';
import { BACKENDS } from './options.js';
import { handleEpipe } from './output.js';
import { registerBuild } from './commands/build.js';
import { registerGet } from './commands/get.js';
import { registerDump } from './commands/dump.js';
import { registerKeys } from './commands/keys.js';
import { registerStats } from './commands/stats.js';
import { registerVerify } from './commands/verify.js';
import { registerConvert } from './commands/convert.js';
import { registerServe } from './commands/serve.js';

/** What each command module gets: a way to register an action that returns an exit code. */
export interface Context {
  /** Wraps a command's action: its result (or its error) becomes the exit code. */
  action<A extends unknown[]>(name: string, fn: (...args: A) => Promise<number>): (...args: A) => Promise<void>;
  /** The global --backend, if given (else core's default: MMCDB_BACKEND or auto). */
  backend(): BackendChoice | undefined;
}

function version(): string {
  const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
  return pkg.version;
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  handleEpipe();
  const program = new Command('cdb');
  program
    .description('Build, query, dump, convert and check mmcdb and classic cdb constant databases; serve static assets.')
    .version(version(), '-V, --version', 'print the version')
    .addOption(new Option('--backend <backend>', 'how to read databases (default: $MMCDB_BACKEND or auto)').choices(BACKENDS))
    .exitOverride()
    .showHelpAfterError('(run cdb --help, or cdb <command> --help, for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok (found), 100 not found (get), 111 error (bad input, bad database,
I/O), 2 usage. Documentation: docs/cli.md.

Examples:
  $ cdb build /tmp/demo.cdb fixtures/countries.jsonl
  $ cdb get /tmp/demo.cdb FR --newline
  $ cdb convert /tmp/demo.cdb /tmp/demo-classic.cdb --format classic
  $ cdb stats /tmp/demo-classic.cdb --tinycdb
  $ cdb build --assets /tmp/site.mmcdb public/ --precompress br,gzip
  $ cdb serve /tmp/site.mmcdb --port 8080`,
    );

  const ctx: Context = {
    action: (name, fn) => async (...args) => {
      try {
        exitCode = await fn(...args);
      } catch (err) {
        exitCode = reportError(err, name);
      }
    },
    backend: () => program.opts<{ backend?: BackendChoice }>().backend,
  };
  registerBuild(program, ctx);
  registerGet(program, ctx);
  registerDump(program, ctx);
  registerKeys(program, ctx);
  registerStats(program, ctx);
  registerVerify(program, ctx);
  registerConvert(program, ctx);
  registerServe(program, ctx);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version exit 0; commander has already printed any error.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    return reportError(err, undefined) || EXIT_ERROR;
  }
  return exitCode;
}
