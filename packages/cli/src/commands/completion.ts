// cdb completion bash|zsh|fish: a completion script generated from the command
// definitions (completion.ts), printed on stdout.
import { Argument, type Command } from 'commander';
import { completionScript, describeProgram, SHELLS, type Shell } from '../completion.js';
import { Output } from '../output.js';
import type { Context } from '../context.js';

export function registerCompletion(program: Command, ctx: Context): void {
  program
    .command('completion')
    .description('print a shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  $ cdb completion bash > ~/.local/share/bash-completion/completions/cdb   # or: source <(cdb completion bash)
  $ cdb completion zsh > "\${fpath[1]}/_cdb"
  $ cdb completion fish > ~/.config/fish/completions/cdb.fish`,
    )
    .action(
      ctx.action('completion', async (shell: Shell) => {
        const out = new Output(ctx.io.stdout);
        out.write(completionScript(shell, describeProgram(program)));
        await out.flush();
        return 0;
      }),
    );
}
