// What buildAssets() packs from a real folder: names that are not UTF-8 (they aborted the
// build with a misleading ENOENT), names with a backslash (packed but never reachable),
// symbolic links and dot-files are skipped with a warning each; the rest is packed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSync } from '@mmcdb/core';
import { buildAssets, listFiles } from '@mmcdb/core/assets';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('mmcdb-assets-build-');

describe('buildAssets on awkward folders', () => {
  it('skips non-UTF-8 names, backslashes and symlinks with a warning each, and packs the rest', async () => {
    const site = path.join(dir, 'site');
    fs.mkdirSync(site);
    fs.writeFileSync(path.join(site, 'ok.txt'), 'ok');
    fs.writeFileSync(
      Buffer.concat([Buffer.from(`${site}/`), Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67]), Buffer.from('.txt')]),
      'sjis name',
    );
    fs.writeFileSync(path.join(site, 'back\\slash.txt'), 'x');
    fs.symlinkSync(path.join(site, 'ok.txt'), path.join(site, 'link.txt'));
    fs.writeFileSync(path.join(site, '.htaccess'), 'deny');
    const warnings: string[] = [];
    expect(listFiles(site, { onWarning: (m) => warnings.push(m) })).toEqual(['/ok.txt']);
    expect(warnings.join('\n')).toMatch(/not valid UTF-8/);
    expect(warnings.join('\n')).toMatch(/back\\slash\.txt: a name with a backslash/);
    expect(warnings.join('\n')).toMatch(/link\.txt: a symbolic link/);
    expect(warnings.join('\n')).toMatch(/skipped 1 dot-file/);
    const out = path.join(dir, 'site.mmcdb');
    const r = await buildAssets(site, out, { onWarning: () => undefined });
    expect(r.records).toBe(2);
    expect(openSync(out).getString('/ok.txt')).toBe('ok');
  });
});
