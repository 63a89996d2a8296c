// The addon's two flavours (packages/native/binding.gyp, index.cjs): the Node-API addon
// (mmcdb.node) and the V8-API one (mmcdb_v8_abi<ABI>.node: V8 fast API calls for the
// lookups, src/fast_calls.h). The loader's choice (MMCDB_NATIVE_FLAVOR, the fallback, and
// MMCDB_REQUIRE_V8_FAST=1), and identical answers from both — in functions TurboFan has
// optimized (where the fast calls happen) and not, for every kind of key.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build, openSync } from '@mmcdb/core';
import { native, nativeDir, nativeLoader, productionAddonPath, repoRoot } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const v8Addon = path.join(nativeDir, 'build', 'Release', `mmcdb_v8_abi${process.versions.modules}.node`);
const v8Built = fs.existsSync(v8Addon);
const required = process.env['MMCDB_REQUIRE_V8_FAST'] === '1';
const child = fileURLToPath(new URL('./helpers/flavor-child.mjs', import.meta.url));
const core = pathToFileURL(path.join(repoRoot, 'packages', 'core', 'dist', 'index.js')).href;

function loaderIn(dir: string, env: Record<string, string>) {
  const script = `try { const b = require(${JSON.stringify(path.join(dir, 'index.cjs'))}); console.log(JSON.stringify({ flavor: b.flavor, reason: b.flavorReason, names: Object.keys(b).sort() })); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { flavor?: string; reason?: string; names?: string[]; code?: string; message?: string };
}

describe('native flavours', () => {
  it('this process has the flavour its environment asks for; reader.nativeFlavor says which', async () => {
    const asked = process.env['MMCDB_NATIVE_FLAVOR'];
    if (required) expect(v8Built, 'MMCDB_REQUIRE_V8_FAST=1: the V8-API flavour must be built').toBe(true);
    expect(native.flavor).toBe(asked === 'napi' || !v8Built ? 'napi' : 'v8');
    expect(native.default.flavorReason.length).toBeGreaterThan(0);
    const file = path.join(tempDir('mmcdb-flavor-reader-'), 'one.mmcdb');
    await build(file, [['a', 'b']], { fsync: false });
    for (const [backend, flavor] of [
      ['mmap', native.flavor],
      ['memory', undefined],
      ['pread', undefined],
    ] as const) {
      const db = openSync(file, { backend });
      expect(db.nativeFlavor, backend).toBe(flavor);
      expect(db.getString('a')).toBe('b');
      db.close();
    }
  });

  it('MMCDB_NATIVE_FLAVOR chooses; an unknown value is reported and ignored', () => {
    const napi = loaderIn(nativeDir, { MMCDB_NATIVE_FLAVOR: 'napi' });
    expect(napi).toMatchObject({ flavor: 'napi', reason: 'MMCDB_NATIVE_FLAVOR=napi' });
    const other = loaderIn(nativeDir, { MMCDB_NATIVE_FLAVOR: 'fast', MMCDB_REQUIRE_V8_FAST: '' });
    expect(other.flavor).toBe(v8Built ? 'v8' : 'napi');
    expect(other.reason).toContain('MMCDB_NATIVE_FLAVOR=fast is neither napi nor v8');
    if (v8Built) {
      const v8 = loaderIn(nativeDir, { MMCDB_NATIVE_FLAVOR: 'v8' });
      expect(v8.flavor).toBe('v8');
      expect(v8.reason).toContain(`mmcdb_v8_abi${process.versions.modules}.node`);
      // The same exports in both flavours.
      expect(v8.names).toEqual(napi.names);
    }
  });

  it('without a V8-API build for this ABI: the Node-API addon, or an error under MMCDB_REQUIRE_V8_FAST=1', () => {
    const dir = tempDir('mmcdb-flavor-loader-');
    fs.copyFileSync(nativeLoader, path.join(dir, 'index.cjs'));
    fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
    fs.copyFileSync(productionAddonPath, path.join(dir, 'build', 'Release', 'mmcdb.node'));
    // A V8-API file for another ABI is never looked at.
    fs.writeFileSync(path.join(dir, 'build', 'Release', 'mmcdb_v8_abi1.node'), 'not a module');
    const fallback = loaderIn(dir, { MMCDB_NATIVE_FLAVOR: '', MMCDB_REQUIRE_V8_FAST: '' });
    expect(fallback.flavor).toBe('napi');
    expect(fallback.reason).toContain(`no V8-API flavour for Node ABI ${process.versions.modules}`);
    expect(fallback.reason).toContain('not built');
    const failed = loaderIn(dir, { MMCDB_NATIVE_FLAVOR: '', MMCDB_REQUIRE_V8_FAST: '1' });
    expect(failed.code).toBe('ERR_MMCDB_NATIVE_LOAD');
    expect(failed.message).toContain('MMCDB_REQUIRE_V8_FAST=1');
    // Asking for napi is always honoured.
    expect(loaderIn(dir, { MMCDB_NATIVE_FLAVOR: 'napi', MMCDB_REQUIRE_V8_FAST: '1' }).flavor).toBe('napi');
  });

  it.runIf(v8Built)('the V8-API addon loaded twice in one process (a second path) and in a worker that exits', async () => {
    const dir = tempDir('mmcdb-flavor-twice-');
    const file = path.join(dir, 'one.mmcdb');
    await build(file, [['k', 'v']], { fsync: false });
    // A hard link: another path (require() keys its cache by path) to the same file, so
    // the dynamic loader hands back the library already loaded and Node initialises it
    // again in the same env. A copy where links cannot be made (another file system).
    const link = path.join(dir, 'again.node');
    try {
      fs.linkSync(v8Addon, link);
    } catch {
      fs.copyFileSync(v8Addon, link);
    }
    const script = `
      const { Worker } = require('node:worker_threads');
      const a = require(${JSON.stringify(v8Addon)});
      const b = require(${JSON.stringify(link)});
      const got = [a, b].map((m) => { const h = m.open(${JSON.stringify(file)}); const r = [m.flavor, h.fast.get('k'), h.fast.get('x'), h.get('k')]; h.close(); return r; });
      const w = new Worker('const m = require(' + JSON.stringify(${JSON.stringify(v8Addon)}) + '); const h = m.open(' + JSON.stringify(${JSON.stringify(file)}) + '); h.fast.get("k"); h.segments[0]; h.close();', { eval: true });
      w.on('exit', (code) => console.log(JSON.stringify({ got, worker: code })));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      got: [
        ['v8', 1, 0, 1],
        ['v8', 1, 0, 1],
      ],
      worker: 0,
    });
  });

  it('both flavours answer every kind of key identically, optimized or not', async () => {
    const dir = tempDir('mmcdb-flavor-keys-');
    const long = 'k'.repeat(1500); // more UTF-8 than the fast path's stack buffer
    const records: [string | Uint8Array, string | Uint8Array][] = [
      ['plain', 'value 1'],
      ['café', 'Latin-1 key ≥ 0x80'],
      ['ÿþ', Buffer.from([0xff, 0xfe, 0x00])],
      ['日本', 'two-byte string key'],
      ['🙂', 'astral key'],
      ['', 'empty key'],
      [long, 'long key'],
      [Buffer.from([0x00, 0xff, 0x80, 0x7f]), 'binary key'],
      ['dup', 'first'],
      ['dup', 'second'],
      ['ab12', ''],
    ];
    for (let i = 0; i < 200; i++) records.push([`key-${i}`, `v${i}`]);
    const db = path.join(dir, 'keys.mmcdb');
    await build(db, records, { fsync: false });
    const probes = [
      { s: 'plain' },
      { s: 'café' },
      { s: 'ÿþ' },
      { s: '日本' },
      { s: '🙂' },
      { s: '' },
      { s: long },
      { s: `${long}x` },
      { b: '00ff807f' },
      { b: Buffer.from('plain').toString('hex') },
      { u8: Buffer.from('plain').toString('hex') },
      { sub: Buffer.from('[café]').toString('hex') },
      { s: 'dup' },
      { s: 'ab12' },
      { cons: ['ab', 12] },
      { s: 'absent' },
      { s: 'cafe' },
      { b: '' },
      ...Array.from({ length: 50 }, (_, i) => ({ s: `key-${i * 5}` })),
    ];
    const probesFile = path.join(dir, 'probes.json');
    fs.writeFileSync(probesFile, JSON.stringify(probes));
    // What every flavour must answer: the pure-TypeScript reader's answers.
    const ts = openSync(db, { backend: 'memory' });
    const keyOf = (p: (typeof probes)[number]) =>
      'cons' in p && p.cons
        ? `${p.cons[0]}${p.cons[1]}`
        : 's' in p && p.s !== undefined
          ? p.s
          : 'u8' in p && p.u8 !== undefined
            ? new Uint8Array(Buffer.from(p.u8, 'hex'))
            : 'sub' in p && p.sub !== undefined
              ? Buffer.from(p.sub, 'hex').subarray(1, -1)
              : Buffer.from((p as { b: string }).b, 'hex');
    const expected = probes.map((p) => {
      const k = keyOf(p);
      const v = ts.get(k);
      return {
        get: v?.toString('hex') ?? null,
        has: ts.has(k),
        str: ts.getString(k) ?? null,
        latin1: ts.getString(k, 'latin1') ?? null,
      };
    });
    ts.close();
    expect(expected[0]!.get).toBe(Buffer.from('value 1').toString('hex'));
    expect(expected.filter((e) => e.has).length).toBe(55);
    const flavors = v8Built ? ['napi', 'v8'] : ['napi'];
    for (const flavor of flavors) {
      const r = spawnSync(process.execPath, ['--allow-natives-syntax', child, core, db, probesFile], {
        encoding: 'utf8',
        env: { ...process.env, MMCDB_NATIVE_FLAVOR: flavor },
      });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        flavor: string;
        optimized: unknown[];
        same: boolean;
        turbofan: boolean[];
        closed: string;
      };
      expect(out.flavor).toBe(flavor);
      expect(out.turbofan, `${flavor}: the probe functions were optimized`).toEqual([true, true, true, true]);
      expect(out.optimized, flavor).toEqual(expected);
      expect(out.same, `${flavor}: unoptimized answers equal the optimized ones`).toBe(true);
      expect(out.closed, `${flavor}: the optimized get() of a closed reader`).toBe('ERR_CDB_CLOSED');
    }
  });
});
