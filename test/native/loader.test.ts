// The loader (packages/native/index.js) reports every candidate it tried in one Error.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { native, nativeIndex } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

describe('@mmcdb/native loader', () => {
  it('loads the addon here', () => {
    expect(typeof native.open).toBe('function');
    expect(typeof native.default.xxh64).toBe('function');
  });

  it('throws ONE error listing every path tried and why', () => {
    const dir = tempDir('mmcdb-native-loader-');
    fs.copyFileSync(nativeIndex, path.join(dir, 'index.js'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    const script = `import(${JSON.stringify(path.join(dir, 'index.js'))}).catch((e) => { console.log(JSON.stringify({ code: e.code, message: e.message, attempts: e.attempts })); })`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const e = JSON.parse(r.stdout) as { code: string; message: string; attempts: { path: string; reason: string }[] };
    expect(e.code).toBe('ERR_MMCDB_NATIVE_LOAD');
    expect(e.attempts.map((a) => a.path)).toEqual([
      `node-gyp-build(${dir})`,
      path.join(dir, 'build', 'Release', 'mmcdb.node'),
      path.join(dir, 'build', 'Debug', 'mmcdb.node'),
    ]);
    for (const a of e.attempts) {
      expect(a.reason.length).toBeGreaterThan(0);
      expect(e.message).toContain(a.path);
    }
  });
});
