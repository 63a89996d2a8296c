// The build progress bar (progress.ts, terminal.ts): only when stderr is a terminal; -q and
// --no-progress hide it; under NO_COLOR or TERM=dumb it is plain text (carriage returns, no
// escape sequence). The hidden --progress-delay 0 shows it at once, --chunk-size makes
// several updates.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { cdb, cdbmake, ok } from './helpers.js';

const dir = tempDir('mmcdb-cli-progress-');
let n = 0;
const out = (): string => path.join(dir, `p${n++}.mmcdb`);
const input = cdbmake(Array.from({ length: 200 }, (_, i) => [`key${i}`, `value ${i}`] as const));
const SHOW = ['--progress-delay', '0', '--chunk-size', '512'];
const ESC = '\x1b';

describe('build progress', () => {
  it('a terminal: the cli-progress bar (escape sequences), erased before the summary line', async () => {
    const r = await ok(['build', out(), ...SHOW], { input, stderrTTY: true });
    expect(r.stderr).toContain('building');
    expect(r.stderr).toContain(ESC);
    expect(r.stderr).toMatch(/cdb build: wrote .*: 200 records, /);
  });

  it('not a terminal: no bar at all', async () => {
    const r = await ok(['build', out(), ...SHOW], { input });
    expect(r.stderr).toMatch(/^cdb build: wrote [^\n]*\n$/);
  });

  it.each([
    ['-q', ['-q']],
    ['--no-progress', ['--no-progress']],
  ])('%s hides it on a terminal', async (_name, flag) => {
    const r = await ok(['build', out(), ...SHOW, ...flag], { input, stderrTTY: true });
    expect(r.stderr).not.toContain('building');
    expect(r.stderr).not.toContain(ESC);
  });

  it.each([
    ['NO_COLOR=1', { NO_COLOR: '1' }],
    ['TERM=dumb', { TERM: 'dumb' }],
  ])('%s on a terminal: plain text redrawn with \\r, not one escape sequence, erased at the end', async (_name, env) => {
    const r = await ok(['build', out(), ...SHOW], { input, stderrTTY: true, env });
    expect(r.stderr).not.toContain(ESC);
    expect(r.stderr).toMatch(/^\rbuilding (\d+% )?\| \d+ records \| [\d.]+ MiB read/);
    const [bar, summary] = r.stderr.split(/\r +\r/);
    expect(bar).toContain('building');
    expect(summary).toMatch(/^cdb build: wrote [^\n]*\n$/);
  });

  it('an empty NO_COLOR counts as unset (no-color.org)', async () => {
    expect((await ok(['build', out(), ...SHOW], { input, stderrTTY: true, env: { NO_COLOR: '' } })).stderr).toContain(ESC);
  });

  it('help on a terminal under NO_COLOR has no escape sequence either', async () => {
    const r = await cdb(['build', '--frob'], { stderrTTY: true, env: { NO_COLOR: '1' } });
    expect(r.status).toBe(2);
    expect(r.stderr).not.toContain(ESC);
  });
});
