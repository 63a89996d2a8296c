// buildSharded() / createShardedWriter() (docs/SHARDS.md §Building): records land in
// the shard of xxh64(key, seed) mod N, in insertion order; every path (records encoded on
// the main thread, cdbmake text routed, waves over a spool, records larger than a region)
// gives the same shards; bad options throw before anything is written; a failed build
// leaves the previous version live and nothing of its own behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSharded, CdbError, createShardedWriter, openSync, shardOf, verify, type Reader } from '@mmcdb/core';
import { readManifest, setTestHook } from '@mmcdb/core/internal';
import { tempDir } from '../../../helpers/tmp.js';

const dir = tempDir('mmcdb-sets-build-');
let seq = 0;
const fresh = (name: string) => path.join(dir, `${name}-${seq++}`);

const records = (n: number, tag = 'v'): [string, string][] =>
  Array.from({ length: n }, (_, i) => [`key:${i}`, `${tag}${i}:${'x'.repeat(i % 50)}`]);

function cdbmake(recs: [string, string][]): Buffer {
  return Buffer.from(`${recs.map(([k, v]) => `+${Buffer.byteLength(k)},${Buffer.byteLength(v)}:${k}->${v}\n`).join('')}\n`);
}

/** Every shard file's records, by shard, read back one file at a time. */
function shardContents(root: string): string[][] {
  const m = readManifest(path.join(root, fs.readFileSync(path.join(root, 'CURRENT'), 'utf8').trim(), 'manifest.json'));
  const vdir = path.join(root, `v${m.set}`);
  return m.files.map((f) => {
    const r = openSync(path.join(vdir, f.file));
    try {
      return [...r.entries()].map(([k, v]) => `${k}=${v}`);
    } finally {
      r.close();
    }
  });
}

function expectSame(a: Reader, recs: [string, string][]): void {
  for (const [k, v] of recs) expect(a.getString(k)).toBe(v);
}

describe('buildSharded', () => {
  it('puts every record in the shard of xxh64(key, seed) mod N, in insertion order, and makes the version live', async () => {
    const root = fresh('route');
    const recs = records(3000);
    recs.push(['key:7', 'second value of key:7']);
    const r = await buildSharded(root, recs, { shards: 5, workers: 2, partitionSeed: 99n, fsync: false });
    expect(r.records).toBe(3001);
    expect(fs.readFileSync(path.join(root, 'CURRENT'), 'utf8')).toBe(`v${r.set}\n`);
    const shards = shardContents(root);
    for (const [i, list] of shards.entries()) for (const line of list) expect(shardOf(line.split('=')[0]!, 99n, 5)).toBe(i);
    expect(shards.flat().sort()).toEqual(recs.map(([k, v]) => `${k}=${v}`).sort());
    const db = openSync(root);
    expect(db.getAll('key:7').map(String)).toEqual([recs[7]![1], 'second value of key:7']);
    db.close();
    expect((await verify(root)).ok).toBe(true);
  });

  it('gives the same shards whatever the path: encoded from add() or natively from cdbmake, waves, cdbmake routed, 1–3 workers', async () => {
    const recs = records(4000);
    const input = cdbmake(recs);
    const opts = { shards: 9, partitionSeed: 5n, fsync: false } as const;
    const variants: (() => Promise<string>)[] = [
      async () => {
        const root = fresh('add');
        await buildSharded(root, recs, { ...opts, workers: 1 });
        return root;
      },
      async () => {
        const root = fresh('cdbmake');
        const w = createShardedWriter(root, { ...opts, workers: 3 });
        let at = 0;
        while (at < input.length - 1) {
          at += w.addCdbmake(input.subarray(at, Math.min(input.length, at + 777))).consumed; // chunks cut mid-record
          await w.ready();
          if (at + 777 >= input.length) at += w.addCdbmake(input.subarray(at)).consumed;
        }
        await w.finish();
        return root;
      },
      async () => {
        const root = fresh('waves');
        const w = createShardedWriter(root, { ...opts, workers: 2, maxOpenShards: 4 });
        w.addCdbmake(input);
        await w.finish();
        expect(fs.readdirSync(w.dir).filter((n) => n.startsWith('.spool'))).toEqual([]);
        return root;
      },
      async () => {
        // duplicates 'last' (no key repeats here): cdbmake text routed, parsed by the shard writers.
        const root = fresh('routed');
        const w = createShardedWriter(root, { ...opts, workers: 2, duplicates: 'last' });
        w.addCdbmake(input);
        await w.finish();
        return root;
      },
    ];
    const results: string[][][] = [];
    for (const v of variants) results.push(shardContents(await v()));
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(results[3]).toEqual(results[0]);
  });

  it('keeps records larger than a region, and aligned values, in order', async () => {
    const root = fresh('big');
    const big = Buffer.alloc(3 << 20, 7);
    const recs: [string, string | Buffer][] = [
      ['a', 'small'],
      ['b', big],
      ['c', 'after'],
      ['b', 'b again'],
    ];
    await buildSharded(root, recs as [string, Buffer][], { shards: 1, workers: 1, valueAlign: 16, fsync: false });
    const db = openSync(root);
    expect(db.getAll('b').map((v) => v.length)).toEqual([3 << 20, 7]);
    expect(db.get('b')!.equals(big)).toBe(true);
    expect(db.get('b')!.byteOffset % 16).toBe(0);
    expect(db.getString('c')).toBe('after');
    db.close();
    expect((await verify(root)).ok).toBe(true);
  });

  it('applies the duplicates policy per shard (a key always lands in the same shard)', async () => {
    const recs: [string, string][] = [...records(500), ['key:1', 'later'], ['key:400', 'later too']];
    for (const duplicates of ['first', 'last'] as const) {
      const root = fresh(duplicates);
      const r = await buildSharded(root, recs, { shards: 4, workers: 2, duplicates, fsync: false });
      expect(r.records).toBe(500);
      const db = openSync(root);
      expect(db.getAll('key:1').map(String)).toEqual([duplicates === 'first' ? recs[1]![1] : 'later']);
      db.close();
    }
  });

  it('classic shards: the set reads the same; classic options are checked before any worker starts', async () => {
    const root = fresh('classic');
    const recs = records(1000);
    await buildSharded(root, recs, { shards: 3, format: 'classic', workers: 2, fsync: false });
    const db = openSync(root);
    expect(db.format).toBe('classic');
    expectSame(db, recs);
    db.close();
    expect(() => createShardedWriter(fresh('classic-bad'), { shards: 2, format: 'classic', seed: 3n })).toThrow(/has no seed/);
    expect(() => createShardedWriter(fresh('classic-bad'), { shards: 2, format: 'classic', valueAlign: 8 })).toThrow(
      /cannot align/,
    );
  });

  it('without the addon on this thread: routed and read in TypeScript, the same answers', async () => {
    const recs = records(800);
    const restore = setTestHook('nativeDisabled', 'test: no addon');
    try {
      const root = fresh('no-addon');
      await buildSharded(root, recs, { shards: 7, workers: 2, fsync: false });
      const db = openSync(root);
      expect(db.backend).not.toBe('mmap');
      expectSame(db, recs);
      expect(db.getMany(['key:1', 'nope', 'key:799']).map((v) => v?.toString())).toEqual([recs[1]![1], undefined, recs[799]![1]]);
      db.close();
    } finally {
      restore();
    }
  });

  it('an empty input gives a set of empty shards', async () => {
    const root = fresh('empty');
    const r = await buildSharded(root, [], { shards: 6, workers: 2, fsync: false });
    expect(r.files.map((f) => f.records)).toEqual([0, 0, 0, 0, 0, 0]);
    const db = openSync(root);
    expect(db.size).toBe(0);
    expect([...db.entries()]).toEqual([]);
    db.close();
  });

  it('refuses bad options with TypeError / RangeError, writing nothing', async () => {
    const root = fresh('opts');
    const bad: [object, RegExp][] = [
      [{ shards: 0 }, /shards must be an integer from 1 to 65536, got 0/],
      [{ shards: 65537 }, /got 65537/],
      [{ shards: 2.5 }, /got 2.5/],
      [{ shards: 4, workers: 0 }, /workers must be an integer from 1 to 256/],
      [{ shards: 4, shard: 4 }, /shard must be an integer from 0 to 3, got 4/],
      [{ shards: 4, set: '../up' }, /set must be 1–64 characters/],
      [{ shards: 4, partitionSeed: -1 }, /partitionSeed must be a non-negative integer below 2\^64/],
      [{ shards: 4, partitionSeed: 1n << 64n }, /partitionSeed/],
      [{ shards: 4, valueAlign: 3 }, /valueAlign must be a power of two/],
      [{ shards: 4, maxOpenShards: 0 }, /maxOpenShards must be a positive integer/],
    ];
    for (const [options, message] of bad) {
      expect(() => createShardedWriter(root, options as never), message.source).toThrow(message);
    }
    await expect(buildSharded(root, 5 as never, { shards: 2 })).rejects.toThrow(TypeError);
    expect(fs.existsSync(root)).toBe(false);
  });

  it('a failed build (duplicate, bad record, abort) leaves the previous version live and no folder of its own', async () => {
    const root = fresh('fail');
    const first = await buildSharded(root, records(200), { shards: 3, workers: 2, fsync: false });
    const before = fs.readdirSync(root).sort();
    await expect(
      buildSharded(root, [...records(300), ['key:5', 'again']], { shards: 3, workers: 2, duplicates: 'error' }),
    ).rejects.toMatchObject({
      code: 'ERR_CDB_DUPLICATE',
    });
    await expect(buildSharded(root, [['ok', 'ok'], [42, 'x'] as never], { shards: 3 })).rejects.toThrow(TypeError);
    const ac = new AbortController();
    const w = createShardedWriter(root, { shards: 3, workers: 2, signal: ac.signal });
    w.add('a', 'b');
    ac.abort(new Error('stop'));
    expect(() => w.add('c', 'd')).toThrow(CdbError);
    await w.abort();
    expect(fs.readdirSync(root).sort()).toEqual(before);
    const db = openSync(root);
    expect(db.stats().set?.id).toBe(first.set);
    expect(db.size).toBe(200);
    db.close();
  });

  it('publish: false writes the version without making it live', async () => {
    const root = fresh('nopublish');
    const a = await buildSharded(root, records(10, 'a'), { shards: 2, workers: 1, fsync: false });
    const b = await buildSharded(root, records(10, 'b'), { shards: 2, workers: 1, fsync: false, publish: false });
    expect(openSync(root).stats().set?.id).toBe(a.set);
    expect(openSync(b.dir).getString('key:1')).toMatch(/^b1/);
  });
});
