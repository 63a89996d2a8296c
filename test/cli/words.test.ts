// Counts in messages read "1 record", "2 records" (words.ts): build, build --assets,
// convert and verify summaries.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { cdbmake, ok } from './helpers.js';

const dir = tempDir('mmcdb-cli-words-');
const p = (name: string): string => path.join(dir, name);

describe('singular counts', () => {
  it('build, convert and verify of one record say "1 record"', async () => {
    const b = await ok(['build', p('one.mmcdb')], { input: cdbmake([['k', 'v']]) });
    expect(b.stderr).toMatch(/: 1 record, \d+ bytes, /);
    const c = await ok(['convert', p('one.mmcdb'), p('one.cdb')]);
    expect(c.stderr).toMatch(/: 1 record, \d+ bytes, /);
    expect((await ok(['verify', p('one.cdb')])).out).toMatch(/: ok \(classic, 1 record, 2\d+ bytes\)\n$/);
    const two = await ok(['build', p('two.mmcdb')], {
      input: cdbmake([
        ['k', 'v'],
        ['l', 'w'],
      ]),
    });
    expect(two.stderr).toMatch(/: 2 records, /);
    expect((await ok(['build', p('zero.mmcdb')], { input: '\n' })).stderr).toMatch(/: 0 records, /);
  });

  it('build --assets of one file says "1 file"; --duplicates first says "1 duplicate record dropped"', async () => {
    fs.mkdirSync(p('site'));
    fs.writeFileSync(p('site/index.html'), '<p>hi</p>');
    expect((await ok(['build', '--assets', p('site.mmcdb'), p('site')])).stderr).toMatch(/: 1 file \(\d+ records\), /);
    const d = await ok(['build', p('dup.mmcdb'), '--duplicates', 'first'], {
      input: cdbmake([
        ['k', 'v'],
        ['k', 'w'],
      ]),
    });
    expect(d.stderr).toMatch(/: 1 record, .*; 1 duplicate record dropped \(--duplicates first\)\n$/);
  });
});
