// The addon's sharded-set functions (packages/native/src/shards.cc, shard_encode.cc,
// shard_index.cc): the partition equals the TypeScript one; the routers keep each shard's
// records in order, stop cleanly on bad or cut input and never read or write out of
// bounds; the set index answers like the shard's own engine, and hands back (never
// answers wrongly) whatever it cannot read: a shard not attached, a closed handle, a
// corrupt slot, anything that is not a handle of open().
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build, buildSharded, openSync, shardOf } from '@mmcdb/core';
import { encodedSize, encodeRecord, layoutFor, nativeAddon, RegionBuffer, type NativeAddon } from '@mmcdb/core/internal';
import { tempDir } from '../helpers/tmp.js';
import { native } from './helpers/native.js';

const { viewOf } = native;

const addon = nativeAddon() as Required<NativeAddon> | undefined;
if (addon === undefined) console.warn('[native] shard functions not tested: the addon did not load here');
const dir = tempDir('mmcdb-native-shards-');

function cdbmake(recs: [string | Buffer, string | Buffer][]): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of recs) {
    const kb = Buffer.from(k);
    const vb = Buffer.from(v);
    parts.push(Buffer.from(`+${kb.length},${vb.length}:`), kb, Buffer.from('->'), vb, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

describe.skipIf(addon === undefined)('native shard functions', () => {
  const a = addon!;

  it('shardRouter: the same partition as TypeScript, for strings, bytes, every n', () => {
    const keys: (string | Uint8Array)[] = [
      '',
      'a',
      'key:1',
      'héllo wörld',
      '\uD800 lone surrogate',
      'x'.repeat(5000),
      Buffer.from([0, 255, 7]),
      new Uint8Array(0),
    ];
    for (let i = 0; i < 300; i++) keys.push(`k${i * 7919}`);
    for (const [seed, n] of [
      [0n, 1],
      [5n, 7],
      [0x6d6d636462736574n, 64],
      [(1n << 64n) - 1n, 65536],
    ] as const) {
      const r = a.shardRouter(seed, n);
      const out = new Uint32Array(keys.length);
      r.many(keys, out);
      keys.forEach((k, i) => {
        const want = shardOf(typeof k === 'string' ? Buffer.from(k, 'utf8') : k, seed, n);
        expect(r.of(k)).toBe(want);
        expect(out[i]).toBe(want);
      });
    }
    const r = a.shardRouter(1n, 3);
    expect(() => r.of(42 as never)).toThrow(TypeError);
    expect(() => r.many(['a', 'b'], new Uint32Array(1))).toThrow(RangeError);
    expect(() => r.many('ab' as never, new Uint32Array(2))).toThrow(TypeError);
    for (const n of [0, 65537, 1.5, -1]) expect(() => a.shardRouter(1n, n)).toThrow(RangeError);
    expect(() => a.shardRouter(-1n, 4)).toThrow(RangeError);
  });

  it('shardRoute: each region holds its shard’s records in order; stops before a cut, bad or oversized record', () => {
    const recs: [string, string][] = Array.from({ length: 500 }, (_, i) => [`key:${i}`, `value\n${i}`]);
    const input = cdbmake(recs);
    const n = 5;
    const region = 64 << 10;
    const out = new Uint8Array(n * region);
    const used = new Float64Array(n);
    const state = new Float64Array(4);
    const got = a.shardRoute(input, 9n, n, 0, n, out, region, used, state);
    expect(got).toBe(500);
    expect(state[0]).toBe(input.length);
    expect(state[1]).toBe(1000); // one newline per record and one inside each value
    expect(state[2]).toBe(0);
    for (let s = 0; s < n; s++) {
      const want = cdbmake(recs.filter(([k]) => shardOf(k, 9n, n) === s));
      expect(Buffer.from(out.subarray(s * region, s * region + used[s]!)).equals(want)).toBe(true);
    }
    // Only the shards [2, 4): others skipped.
    used.fill(0);
    expect(a.shardRoute(input, 9n, n, 2, 2, out, region, used, state)).toBe(500);
    expect(used[0]! + used[1]!).toBe(cdbmake(recs.filter(([k]) => [2, 3].includes(shardOf(k, 9n, n)))).length);
    // Cut in the middle of a record, and malformed input: stops before it, without error.
    for (const cut of [input.length - 3, 17, 1]) {
      used.fill(0);
      const k = a.shardRoute(input.subarray(0, cut), 9n, n, 0, n, out, region, used, state);
      expect(state[2]).toBe(0);
      expect(cdbmake(recs.slice(0, k)).length).toBe(state[0]);
    }
    for (const bad of [
      '+3,1:ab->c\n',
      '+1,1:a-x\n',
      '+99999999999999999999,1:a->b\n',
      '+1,2:a->b\n',
      '-1,1:a->b\n',
      '+1,1:a->b\r\n',
      '+,1:->b\n',
    ]) {
      used.fill(0);
      expect(
        a.shardRoute(Buffer.concat([cdbmake(recs.slice(0, 3)), Buffer.from(bad)]), 9n, n, 0, n, out, region, used, state),
      ).toBe(3);
    }
    // A small region fills up (stop 1) and a record larger than a region does not fit at all (stop 3).
    const small = new Uint8Array(n * 64);
    used.fill(0);
    a.shardRoute(input, 9n, n, 0, n, small, 64, used, state);
    expect(state[2]).toBe(1);
    const huge = cdbmake([['big', 'x'.repeat(200)]]);
    used.fill(0);
    expect(a.shardRoute(huge, 9n, n, 0, n, small, 64, used, state)).toBe(0);
    expect(state[2]).toBe(3);
    expect(state[3]).toBe(shardOf('big', 9n, n));
    // Arguments: shard ranges and buffers that do not fit are refused before anything is read.
    expect(() => a.shardRoute(input, 9n, 0, 0, 1, out, region, used, state)).toThrow(RangeError);
    expect(() => a.shardRoute(input, 9n, 4, 3, 2, out, region, used, state)).toThrow(RangeError);
    expect(() => a.shardRoute(input, 9n, n, 0, n, new Uint8Array(region), region, used, state)).toThrow(RangeError);
    expect(() => a.shardRoute(input, 9n, n, 0, n, out, region, new Float64Array(1), state)).toThrow(RangeError);
    expect(() => a.shardRoute('x' as never, 9n, n, 0, n, out, region, used, state)).toThrow(TypeError);
  });

  it('shardEncode: the bytes and index entries the TypeScript encoder writes, values aligned', () => {
    const recs: [string, string][] = Array.from({ length: 300 }, (_, i) => [`key:${i}`, 'v'.repeat(i % 40)]);
    const input = cdbmake(recs);
    for (const align of [1, 16]) {
      const layout = layoutFor('encode', 3);
      const nat = new RegionBuffer(layout);
      const pos = new Float64Array(3).fill(128);
      const state = new Float64Array(4);
      const n = a.shardEncode(
        input,
        4n,
        4n,
        3,
        0,
        3,
        align,
        nat.bytes,
        layout.region,
        layout.entries,
        nat.used,
        nat.records,
        pos,
        state,
      );
      expect(n).toBe(300);
      // The same through the JavaScript encoder (what add() does when there is no addon).
      const js = new RegionBuffer(layout);
      const jsPos = new Float64Array(3).fill(128);
      for (const [k, v] of recs) {
        const s = shardOf(k, 4n, 3);
        encodeRecord(js, s, jsPos[s]!, Buffer.from(k), Buffer.from(v), { fileSeed: 4n, align });
        jsPos[s]! += encodedSize(jsPos[s]!, Buffer.byteLength(k), Buffer.byteLength(v), align);
      }
      expect(Array.from(nat.used)).toEqual(Array.from(js.used));
      expect(Array.from(nat.records)).toEqual(Array.from(js.records));
      expect(Array.from(pos)).toEqual(Array.from(jsPos));
      expect(Buffer.from(nat.sab).equals(Buffer.from(js.sab))).toBe(true);
    }
  });

  /** n shard files of `recs` under partition seed 3 (as a set's shards are). */
  async function shardFiles(name: string, recs: [string, string][], n: number, format: 'mmcdb' | 'classic') {
    const files: string[] = [];
    for (let s = 0; s < n; s++) {
      const f = path.join(dir, `${name}-${s}.${format}`);
      await build(
        f,
        recs.filter(([k]) => shardOf(k, 3n, n) === s),
        { fsync: false, format },
      );
      files.push(f);
    }
    return files;
  }

  it.each(['mmcdb', 'classic'] as const)(
    'shardIndex (%s): answers like each shard’s engine, through the shards’ handles; hands back what it cannot read',
    async (format) => {
      const recs: [string, string][] = Array.from({ length: 2000 }, (_, i) => [`key:${i}`, `value ${i}`]);
      const n = 4;
      const files = await shardFiles(`idx-${format}`, recs, n, format);
      const readers = files.map((f) => openSync(f, { backend: 'memory' }));
      const handles = files.map((f) => native.open(f));
      const out = new Float64Array(2);
      const idx = a.shardIndex(3n, n, out);
      const value = (s: number, off: number, len: number) => viewOf(handles[s]!, off, len).toString();
      expect(idx.attach(0, handles[0]!)).toBe(true);
      // Anything but an open handle of open() is refused: the shard stays with its engine.
      for (const fake of [new ArrayBuffer(64), {}, { ...handles[1]! }, Object.create(handles[1]!), null, 7, 'h'])
        expect(idx.attach(1, fake as never)).toBe(false);
      const closed = native.open(files[1]!);
      closed.close();
      expect(idx.attach(1, closed)).toBe(false);
      for (const [k, v] of recs.slice(0, 400)) {
        const s = shardOf(k, 3n, n);
        const r = idx.get(k);
        if (s === 0) {
          expect(r).toBe(1);
          expect(value(0, out[0]!, out[1]!)).toBe(v);
        } else {
          expect(r).toBe(-(s + 1)); // not attached: the engine answers
        }
      }
      for (let s = 1; s < n; s++) expect(idx.attach(s, handles[s]!)).toBe(true);
      expect(idx.get('absent')).toBe(0);
      const keys = [...recs.slice(0, 500).map(([k]) => k), 'absent', '', Buffer.from('key:7')];
      const mo = new Float64Array(2 * keys.length);
      const ms = new Uint32Array(keys.length);
      idx.getMany(keys, mo, ms);
      keys.forEach((k, i) => {
        const s = shardOf(typeof k === 'string' ? Buffer.from(k) : k, 3n, n);
        expect(ms[i]).toBe(s);
        const want = readers[s]!.get(k);
        if (want === undefined) expect(mo[2 * i]).toBe(-1);
        else expect(viewOf(handles[s]!, mo[2 * i]!, mo[2 * i + 1]!).equals(want)).toBe(true);
      });
      expect(() => idx.getMany(keys, new Float64Array(2), ms)).toThrow(RangeError);
      expect(() => idx.getMany(keys, mo, new Uint32Array(1))).toThrow(RangeError);
      expect(() => idx.getMany([1] as never, mo, ms)).toThrow(TypeError);
      expect(() => idx.get(1 as never)).toThrow(TypeError);
      expect(() => idx.attach(n, handles[0]!)).toThrow(TypeError);
      idx.detach(2);
      const k2 = recs.find(([k]) => shardOf(k, 3n, n) === 2)![0];
      expect(idx.get(k2)).toBe(-3);
      // A handle closed while attached is never read again: its shard goes back to the engine.
      const k1 = recs.find(([k]) => shardOf(k, 3n, n) === 1)![0];
      expect(idx.get(k1)).toBe(2);
      handles[1]!.close();
      expect(idx.get(k1)).toBe(-2);
      idx.getMany([k1], mo, ms);
      expect(mo[0]).toBe(-2);
      idx.close();
      expect(idx.get(recs[0]![0])).toBeLessThan(0);
      expect(idx.attach(0, handles[0]!)).toBe(false);
      for (const h of handles) h.close();
      for (const r of readers) r.close();
    },
  );

  it('shardIndex: a shard whose index slot points outside its records is handed back, never answered', async () => {
    const recs: [string, string][] = Array.from({ length: 800 }, (_, i) => [`key:${i}`, `value ${i}`]);
    const n = 2;
    const files = await shardFiles('corrupt', recs, n, 'mmcdb');
    const bytes = fs.readFileSync(files[1]!);
    const indexOffset = Number(bytes.readBigUInt64LE(48));
    let slot = indexOffset;
    while (bytes.readBigUInt64LE(slot + 8) === 0n) slot += 16;
    bytes.writeBigUInt64LE(1n << 40n, slot + 8);
    const bad = path.join(dir, 'corrupt-bad.mmcdb');
    fs.writeFileSync(bad, bytes);
    const out = new Float64Array(2);
    const idx = a.shardIndex(3n, n, out);
    const h = native.open(bad);
    expect(idx.attach(1, h)).toBe(true); // the header is sound (index slots are not checked at open)
    const victims = recs.filter(([k]) => shardOf(k, 3n, n) === 1).map(([k]) => k);
    const answers = victims.map((k) => idx.get(k));
    expect(answers.some((r) => r === -2)).toBe(true);
    expect(answers.every((r) => r === -2 || r === 2)).toBe(true);
    const mo = new Float64Array(2 * victims.length);
    const ms = new Uint32Array(victims.length);
    idx.getMany(victims, mo, ms);
    for (let i = 0; i < victims.length; i++) expect(mo[2 * i] === -2 || mo[2 * i]! >= 0).toBe(true);
    expect(Array.from({ length: victims.length }, (_, i) => mo[2 * i]).some((o) => o === -2)).toBe(true);
    h.close();
    idx.close();
  });

  it('shardIndex getMany: getters that close, detach or re-enter the index meanwhile change nothing it reads', async () => {
    const recs: [string, string][] = Array.from({ length: 300 }, (_, i) => [`key:${i}`, `value ${i}`]);
    const n = 3;
    const files = await shardFiles('reentry', recs, n, 'mmcdb');
    const handles = files.map((f) => native.open(f));
    const out = new Float64Array(2);
    const idx = a.shardIndex(3n, n, out);
    for (const [s, h] of handles.entries()) expect(idx.attach(s, h)).toBe(true);
    const keys: (string | Uint8Array)[] = recs.slice(0, 60).map(([k]) => k);
    const mo = new Float64Array(2 * (keys.length + 1));
    const ms = new Uint32Array(keys.length + 1);
    let inner = false;
    const hostile = new Proxy(keys, {
      get(target, prop, recv) {
        if (prop === String(keys.length - 1)) {
          // Re-enter with other buffers, detach shard 0, close shard 1's handle.
          idx.getMany(
            recs.slice(100, 200).map(([k]) => k),
            new Float64Array(200),
            new Uint32Array(100),
          );
          inner = true;
          idx.detach(0);
          handles[1]!.close();
        }
        return Reflect.get(target, prop, recv);
      },
    });
    // A Proxy is not an array (napi_is_array): TypeError, nothing read.
    expect(() => idx.getMany(hostile, mo, ms)).toThrow(TypeError);
    const arr = [...keys];
    Object.defineProperty(arr, keys.length - 1, {
      get() {
        const o = new Float64Array(200);
        idx.getMany(
          recs.slice(100, 200).map(([k]) => k),
          o,
          new Uint32Array(100),
        );
        inner = o[0]! >= 0;
        idx.detach(0);
        handles[1]!.close();
        return keys[keys.length - 1];
      },
    });
    idx.getMany(arr, mo, ms);
    expect(inner).toBe(true);
    arr.forEach((k, i) => {
      const s = shardOf(k as string, 3n, n);
      expect(ms[i]).toBe(s);
      if (s === 2) expect(viewOf(handles[2]!, mo[2 * i]!, mo[2 * i + 1]!).toString()).toBe(recs[i]![1]);
      else expect(mo[2 * i]).toBe(-2); // detached, or closed: its engine answers
    });
    for (const h of handles) h.close();
    idx.close();
  });

  it.each(['mmcdb', 'classic'] as const)(
    'a key that is a view of a truncated database, on a %s set: handed back, the fault names that file',
    async (format) => {
      const records = Array.from({ length: 3000 }, (_, i) => [`key${i}`, `value ${i}`] as [string, string]);
      const fileA = path.join(dir, `fault-a.${format}`);
      await build(fileA, records, { format, fsync: false });
      const set = await buildSharded(path.join(dir, `fault-set-${format}`), records, { shards: 4, format, fsync: false });
      const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'cross-fault-set-child.mjs');
      const r = spawnSync(process.execPath, [child, fileA, set.root], { encoding: 'utf8', timeout: 60_000 });
      expect(r.signal, r.stderr).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as Record<
        string,
        { cls?: string; code?: string; path?: string; message?: string } & Record<string, unknown>
      >;
      for (const op of ['get', 'has', 'getMany']) {
        expect(out[op], op).toMatchObject({ cls: 'CdbError', code: 'ERR_CDB_TRUNCATED', path: fileA });
        expect(out[op]!.message, op).toContain("the key's memory faulted");
      }
      expect(out.bDamaged).toBe(false);
      expect(out.bStillWorks).toBe('value 1');
      expect(out.bGetMany).toBe('value 1,value 2');
    },
  );
});
