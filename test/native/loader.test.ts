// The loader (packages/native/index.cjs) reports every candidate it tried in one Error,
// and loads the production addon, which has no test hooks (those live in the test
// addon, build/Release/mmcdb_test.node).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { native, nativeLoader, productionAddonPath, testAddon } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const HOOKS = ['xxh64', 'djb', 'sigbusTest'];
// The copied loaders below have no V8-API flavour beside them: these tests are about the
// Node-API candidates, so a required V8-API flavour (CI) is not asked of them
// (flavors.test.ts covers MMCDB_REQUIRE_V8_FAST).
const napiOnly = { ...process.env, MMCDB_REQUIRE_V8_FAST: '' };

describe('@mmcdb/native loader', () => {
  it('loads the addon here', () => {
    expect(typeof native.open).toBe('function');
    expect(typeof native.default.encodeCdbmake).toBe('function');
    expect(typeof native.default.setErrorClass).toBe('function');
  });

  it('the production addon exports no test hooks; the test addon does', () => {
    // In a child: this process may hold either addon already.
    const script = `const m = require(${JSON.stringify(productionAddonPath)}); console.log(JSON.stringify(Object.getOwnPropertyNames(m).sort()))`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      'encodeCdbmake',
      'flavor',
      'lockFile',
      'mappings',
      'open',
      'setErrorClass',
      'shardEncode',
      'shardIndex',
      'shardRoute',
      'shardRouter',
    ]);
    for (const h of HOOKS) expect(Object.keys(native.default)).not.toContain(h);
    for (const h of HOOKS) expect(typeof (testAddon as unknown as Record<string, unknown>)[h]).toBe('function');
  });

  it("the test addon checks its hooks' arguments (sigbusTest with a read past the mapping used to segfault)", () => {
    const file = path.join(tempDir('mmcdb-native-hooks-'), 'page');
    fs.writeFileSync(file, Buffer.alloc(4096, 1));
    expect(() => testAddon.sigbusTest(file, 4096, 1e9, false)).toThrow(RangeError);
    expect(() => testAddon.sigbusTest(file, 0, 0, false)).toThrow(RangeError);
    expect(() => testAddon.sigbusTest(42 as unknown as string, 4096, 0, false)).toThrow(TypeError);
    expect(testAddon.sigbusTest(file, 4096, 5, false)).toMatchObject({ value: 1, previousCalls: 0 }); // inside the file: no fault
  });

  it('refuses a module with test hooks (the test addon) as the production one', () => {
    const dir = tempDir('mmcdb-native-loader-hooks-');
    fs.copyFileSync(nativeLoader, path.join(dir, 'index.cjs'));
    fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
    fs.copyFileSync(
      path.join(path.dirname(productionAddonPath), 'mmcdb_test.node'),
      path.join(dir, 'build', 'Release', 'mmcdb.node'),
    );
    const script = `try { require(${JSON.stringify(path.join(dir, 'index.cjs'))}); console.log('{"loaded":true}'); } catch (e) { console.log(JSON.stringify({ code: e.code, attempts: e.attempts })); }`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: napiOnly });
    const e = JSON.parse(r.stdout) as { code: string; attempts: { path: string; reason: string }[] };
    expect(e.code).toBe('ERR_MMCDB_NATIVE_LOAD');
    expect(e.attempts[1]!.reason).toContain('test addon');
  });

  it('throws ONE error listing every path tried and why', () => {
    const dir = tempDir('mmcdb-native-loader-');
    fs.copyFileSync(nativeLoader, path.join(dir, 'index.cjs'));
    const script = `try { require(${JSON.stringify(path.join(dir, 'index.cjs'))}); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message, attempts: e.attempts })); }`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: napiOnly });
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
