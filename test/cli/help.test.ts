// --help (with an example for every command) and --version.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cdb, ok, ROOT } from './helpers.js';

const COMMANDS = ['build', 'get', 'dump', 'keys', 'stats', 'verify', 'convert', 'serve', 'completion'];

describe('help and version', () => {
  it('cdb --help lists every command and the exit codes', async () => {
    const out = (await ok(['--help'])).out;
    for (const c of COMMANDS) expect(out).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(out).toContain('100 not found');
    expect(out).toContain('--backend');
  });

  it.each(COMMANDS)('cdb %s --help has examples', async (c) => {
    const r = await cdb([c, '--help']);
    expect(r.status).toBe(0);
    expect(r.out).toContain(`Usage: cdb ${c}`);
    expect(r.out).toMatch(new RegExp(`Examples?:\\n  \\$ cdb ${c} `));
  });

  it('cdb help <command> works too', async () => {
    expect((await ok(['help', 'get'])).out).toContain('Usage: cdb get');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(fs.readFileSync(`${ROOT}/packages/cli/package.json`, 'utf8'));
    expect((await ok(['--version'])).out).toBe(`${pkg.version}\n`);
    expect((await ok(['-V'])).out).toBe(`${pkg.version}\n`);
  });
});
