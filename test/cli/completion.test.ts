// cdb completion bash|zsh|fish: scripts generated from the commander definitions
// (completion.ts). Checked: a made-up program's commands and options appear (so nothing is
// hand-written), every command and option of `cdb … --help` appears, and the real shells
// complete with them (bash through COMP_WORDS, fish through `complete -C`, zsh parses and
// registers it). A shell that is not installed is skipped with the reason printed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { completionScript, describeProgram, SHELLS } from '../../packages/cli/dist/completion.js';
import { tempDir } from '../helpers/tmp.js';
import { cdb, ok } from './helpers.js';

// commander is the CLI package's dependency, not the root's.
const { Command, Option } = createRequire(new URL('../../packages/cli/package.json', import.meta.url))(
  'commander',
) as typeof import('../../packages/cli/node_modules/commander/typings/index.js');

const dir = tempDir('mmcdb-cli-completion-');
const COMMANDS = ['build', 'get', 'dump', 'keys', 'stats', 'verify', 'convert', 'serve', 'shards', 'completion'];
const scripts: Record<string, string> = {};

function has(shell: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${shell}`]);
  return r.status === 0 ? undefined : `${shell} is not installed`;
}
const missing = Object.fromEntries(['bash', 'zsh', 'fish'].map((s) => [s, has(s)]));
for (const [shell, why] of Object.entries(missing))
  if (why !== undefined) console.warn(`[cli completion] ${shell} checks skipped: ${why}`);

beforeAll(async () => {
  for (const shell of SHELLS) {
    scripts[shell] = (await ok(['completion', shell])).out;
    fs.writeFileSync(path.join(dir, `cdb.${shell}`), scripts[shell]!);
  }
});

describe('cdb completion', () => {
  it('is generated from the definitions: a made-up program gets its own commands, options and choices', () => {
    const program = new Command('frobctl').option('--verbose', 'talk more');
    program
      .command('frob')
      .description('frobnicate a thing')
      .argument('<thing>')
      .addOption(new Option('-l, --level <n>', 'how hard').choices(['low', 'high']))
      .option('--dry-run', 'do nothing');
    const spec = describeProgram(program);
    for (const shell of SHELLS) {
      const text = completionScript(shell, spec);
      expect(text, shell).toContain('frob');
      expect(text, shell).toMatch(/level/);
      expect(text, shell).toContain('low high');
      expect(text, shell).toMatch(/dry-run/);
      expect(text, shell).not.toContain('build');
    }
  });

  it.each(SHELLS)('%s: every command and every option of cdb … --help is in the script', async (shell) => {
    const text = scripts[shell]!;
    for (const c of COMMANDS) {
      expect(text).toContain(c);
      const help = (await ok([c, '--help'])).out;
      for (const m of help.matchAll(/^ {2}(?:-\w, )?--([a-z][a-z-]*)/gm))
        expect(text, `${c} --${m[1]}`).toMatch(new RegExp(`(--|-l )${m[1]}\\b`));
    }
  });

  it('a shell it does not know is a usage error (exit 2)', async () => {
    const r = await cdb(['completion', 'tcsh']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'tcsh' is invalid for argument 'shell'");
  });
});

/** What bash's completion function offers for `line` (the cursor at its end). */
function bashComplete(line: string): string[] {
  const script = `source "$0"; COMP_LINE=$1; read -ra COMP_WORDS <<< "$1"; [[ $1 == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _cdb; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script, path.join(dir, 'cdb.bash'), line], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe.skipIf(missing['bash'] !== undefined)('bash', () => {
  it('completes commands, options, choices of options and of arguments', () => {
    expect(bashComplete('cdb g')).toEqual(['get']);
    expect(bashComplete('cdb ')).toEqual(COMMANDS.concat('help'));
    expect(bashComplete('cdb get --key-e')).toEqual(['--key-encoding']);
    expect(bashComplete('cdb get db.mmcdb --key-encoding ')).toEqual(['utf8', 'hex', 'base64']);
    expect(bashComplete('cdb --backend m')).toEqual(['mmap', 'memory']);
    expect(bashComplete('cdb --backend mmap st')).toEqual(['stats']);
    expect(bashComplete('cdb build out.mmcdb -i j')).toEqual(['jsonl', 'json']);
    expect(bashComplete('cdb completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(bashComplete('cdb help co')).toEqual(['convert', 'completion']);
    expect(bashComplete('cdb stats x.mmcdb --j')).toEqual(['--json']);
  });

  it('leaves file arguments to bash (nothing offered: -o default completes file names)', () => {
    expect(bashComplete('cdb get ')).toEqual([]);
    expect(bashComplete('cdb build out.mmcdb --format classic ')).toEqual([]);
  });
});

describe.skipIf(missing['fish'] !== undefined)('fish', () => {
  const fish = (line: string): string[] => {
    const r = spawnSync(
      'fish',
      ['--no-config', '-c', `source $argv[1]; complete -C $argv[2]`, path.join(dir, 'cdb.fish'), line],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    return r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t')[0]!);
  };
  it('completes commands, options and choices', () => {
    expect(fish('cdb g')).toEqual(['get']);
    expect(fish('cdb get --key-e')).toEqual(['--key-encoding']);
    expect(fish('cdb get db --key-encoding ').sort()).toEqual(['base64', 'hex', 'utf8']);
    expect(fish('cdb completion ').sort()).toEqual(['bash', 'fish', 'zsh']);
    expect(fish('cdb --backend m').sort()).toEqual(['memory', 'mmap']);
  });
});

describe.skipIf(missing['zsh'] !== undefined)('zsh', () => {
  it('parses, and registers _cdb for cdb with compinit', () => {
    const file = path.join(dir, 'cdb.zsh');
    expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
    const r = spawnSync(
      'zsh',
      ['-f', '-c', 'autoload -U compinit; compinit -u -D; source $1; print -r -- $_comps[cdb]', 'zsh', file],
      { encoding: 'utf8' },
    );
    expect(r.stdout.trim(), r.stderr).toBe('_cdb');
  });
});
