// The cdb program: global options, the commands, and how outcomes become exit codes.
// main() takes its streams as an argument (context.ts), so tests run it in-process.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import type { BackendChoice } from '@mmcdb/core';
import { processIo, type Context, type Io } from './context.js';
import { EXIT_ERROR, EXIT_USAGE, reportError } from './errors.js';
import { BACKENDS, checkBackendEnv } from './options.js';
import { colorEnabled } from './terminal.js';
import { registerBuild } from './commands/build.js';
import { registerGet } from './commands/get.js';
import { registerDump } from './commands/dump.js';
import { registerKeys } from './commands/keys.js';
import { registerStats } from './commands/stats.js';
import { registerVerify } from './commands/verify.js';
import { registerConvert } from './commands/convert.js';
import { registerServe } from './commands/serve.js';
import { registerShards } from './commands/shards.js';
import { addShardBuildOptions } from './commands/build-sharded.js';
import { registerCompletion } from './commands/completion.js';

export type { Io } from './context.js';

/** Where docs/cli.md is: shipped in the package, or the repository's own in a checkout. */
function manualPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, '..', 'docs', 'cli.md'), path.join(here, '..', '..', '..', 'docs', 'cli.md')];
  return candidates.find((c) => fs.existsSync(c)) ?? 'docs/cli.md';
}

function version(): string {
  const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
  return pkg.version;
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode = 0;
  const program = new Command('cdb');
  program
    .description('Build, query, dump, convert and check mmcdb and classic cdb constant databases; serve static assets.')
    .version(version(), '-V, --version', 'print the version')
    .addOption(new Option('--backend <backend>', 'how to read databases (default: $MMCDB_BACKEND or auto)').choices(BACKENDS))
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Commander's own test reads process.stdout/stderr and process.env, not ours.
      getOutHasColors: () => colorEnabled(io.stdout, io.env),
      getErrHasColors: () => colorEnabled(io.stderr, io.env),
    })
    .showHelpAfterError('(run cdb --help, or cdb <command> --help, for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok (found), 100 not found (get), 111 error (bad input, bad database,
I/O), 2 usage. The manual: ${manualPath()}.

Examples:
  $ cdb build /tmp/demo.mmcdb fixtures/countries.jsonl
  $ cdb get /tmp/demo.mmcdb FR --newline
  $ cut -f1 codes.txt | cdb get /tmp/demo.mmcdb - --json   # many keys, one JSON line each
  $ cdb convert /tmp/demo.mmcdb /tmp/demo.cdb            # .cdb: classic, for tinycdb & co
  $ cdb stats /tmp/demo.cdb --tinycdb
  $ cdb build --assets /tmp/site.mmcdb public/ --precompress br,gzip
  $ cdb serve /tmp/site.mmcdb --port 8080
  $ source <(cdb completion bash)`,
    );

  const ctx: Context = {
    io,
    action:
      (name, fn) =>
      async (...args) => {
        try {
          exitCode = await fn(...args);
        } catch (err) {
          exitCode = reportError(err, name, io);
        }
      },
    backend: () => program.opts<{ backend?: BackendChoice }>().backend,
  };
  let running: string | undefined;
  program.hook('preAction', (_program, command) => {
    running = command.name();
    checkBackendEnv(io.env);
  });
  registerBuild(program, ctx);
  addShardBuildOptions(program.commands.find((c) => c.name() === 'build')!);
  registerGet(program, ctx);
  registerDump(program, ctx);
  registerKeys(program, ctx);
  registerStats(program, ctx);
  registerVerify(program, ctx);
  registerConvert(program, ctx);
  registerServe(program, ctx);
  registerShards(program, ctx);
  registerCompletion(program, ctx);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version exit 0; commander has already printed any error.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    return reportError(err, running, io) || EXIT_ERROR;
  }
  return exitCode;
}
