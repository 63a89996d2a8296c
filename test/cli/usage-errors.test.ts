// Usage errors: exit 2 with commander's message (or ours), nothing written, no stack trace;
// an MMCDB_BACKEND that names no backend is a usage error for every command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { cdb, fixture, ok } from './helpers.js';

const dir = tempDir('mmcdb-cli-usage-');
let n = 0;

function freshDir(): string {
  const d = path.join(dir, `case${n++}`);
  fs.mkdirSync(d);
  return d;
}

describe('usage errors → exit 2', () => {
  const cases: [string, string[], string | RegExp, (Buffer | string)?][] = [
    ['no command', [], 'Usage: cdb'],
    ['unknown command', ['frob'], "unknown command 'frob'"],
    ['unknown option', ['build', 'x.cdb', '--frob'], "unknown option '--frob'"],
    ['missing argument', ['build'], "missing required argument 'out'"],
    ['bad choice', ['build', 'x.cdb', '--duplicates', 'some'], "argument 'some' is invalid"],
    ['bad --align', ['build', 'x.cdb', '--align', '3'], 'expected a power of two'],
    ['bad --seed', ['build', 'x.cdb', '--seed', '-1'], "option '--seed <n|random>' argument '-1' is invalid"],
    ['bad inline --metadata', ['build', 'x.cdb', '--metadata', '{nope'], '--metadata: expected JSON text or @file'],
    ['--key-column without csv', ['build', 'x.cdb', '--key-column', 'id'], '--key-column applies to csv/tsv input only', '\n'],
    ['stdin twice', ['build', 'x.cdb', '-', '-'], 'stdin (-) can be given only once'],
    ['unknown input format', ['build', 'x.cdb', '-i', 'xml'], "argument 'xml' is invalid"],
    ['dump: bad format', ['dump', 'x.cdb', '--format', 'xml'], "argument 'xml' is invalid"],
  ];
  it.each(cases)('%s', async (_name, args, message, input) => {
    const d = freshDir();
    const r = await cdb(args, { cwd: d, ...(input !== undefined && { input }) });
    expect(r.status, r.stderr).toBe(2);
    if (typeof message === 'string') expect(r.stderr).toContain(message);
    else expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(d)).toEqual([]);
  });
});

describe('MMCDB_BACKEND that names no backend → exit 2 for every command', () => {
  const d = tempDir('mmcdb-cli-env-');
  const db = path.join(d, 'db.mmcdb');
  const commands: [string, string[]][] = [
    ['build', [path.join(d, 'new.mmcdb'), fixture('small.cdbmake')]],
    ['get', [db, 'a']],
    ['dump', [db]],
    ['keys', [db]],
    ['stats', [db]],
    ['verify', [db]],
    ['convert', [db, path.join(d, 'new.cdb')]],
    ['serve', [db, '--port', '0']],
    ['completion', ['bash']],
  ];
  it.each(commands)('%s', async (cmd, args) => {
    if (!fs.existsSync(db)) await ok(['build', db, fixture('small.cdbmake'), '-q']);
    const r = await cdb([cmd, ...args], { env: { MMCDB_BACKEND: 'bogus' } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(
      `cdb ${cmd}: MMCDB_BACKEND=bogus is not a backend: expected one of auto, mmap, memory, pread (or unset it)\n`,
    );
    expect(r.stdout.length).toBe(0);
    expect(fs.readdirSync(d)).toEqual(['db.mmcdb']);
  });

  it('an empty MMCDB_BACKEND means unset; help still works', async () => {
    if (!fs.existsSync(db)) await ok(['build', db, fixture('small.cdbmake'), '-q']);
    expect((await cdb(['verify', db], { env: { MMCDB_BACKEND: '' } })).status).toBe(0);
    expect((await cdb(['--help'], { env: { MMCDB_BACKEND: 'bogus' } })).status).toBe(0);
  });
});
