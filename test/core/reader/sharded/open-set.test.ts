// openSync() of a sharded set (docs/SHARDS.md §Reading): the set folder (CURRENT
// followed), a version folder or its manifest.json; every way a set can be wrong — a
// missing shard, a shard of another set or version, a manifest that lies — is a CdbError
// naming the file, never a wrong answer; the open-shard cap; batches, leases, stats.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildSharded, CdbError, open, openSync, shardOf, verify, type Backend, type SetBuildResult } from '@mmcdb/core';
import { liveLeases, NativeEngine, nativeAddon, readManifest, type setManifest, writeManifest } from '@mmcdb/core/internal';
import { availableBackends } from '../../../helpers/backends.js';
import { tempDir } from '../../../helpers/tmp.js';

const dir = tempDir('mmcdb-sets-open-');
let seq = 0;
const records = (n: number, tag = 'v'): [string, string][] => Array.from({ length: n }, (_, i) => [`key:${i}`, `${tag}${i}`]);

async function make(n = 4, recs = records(400), extra: object = {}): Promise<SetBuildResult> {
  return buildSharded(path.join(dir, `set-${seq++}`), recs, { shards: n, workers: 2, fsync: false, ...extra });
}

function codeOf(fn: () => unknown): { code: string; message: string; path: string | undefined } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CdbError);
    const e = err as CdbError;
    return { code: e.code, message: e.message, path: e.path };
  }
  throw new Error('did not throw');
}

describe.each(availableBackends())('a sharded set, %s backend', (backend: Backend) => {
  it('opens from the set folder, a version folder or its manifest, with one Reader API', async () => {
    const r = await make(4, records(400), { metadata: { owner: 'test' } });
    for (const p of [r.root, r.dir, path.join(r.dir, 'manifest.json')]) {
      const db = openSync(p, { backend });
      expect(db.backend).toBe(backend);
      expect(db.size).toBe(400);
      expect(db.metadata).toEqual({ owner: 'test' });
      expect(db.getString('key:123')).toBe('v123');
      expect(db.has('nope')).toBe(false);
      expect(db.stats()).toMatchObject({ records: 400, set: { id: r.set, shards: 4, dir: r.dir } });
      db.close();
      expect(() => db.get('key:1')).toThrow(/closed/);
    }
    const db = await open(r.root, { backend });
    expect(await db.getManyAsync(['key:3', 'missing', 'key:399'])).toEqual([Buffer.from('v3'), undefined, Buffer.from('v399')]);
    expect(await db.getAsync('key:9')).toEqual(Buffer.from('v9'));
    await db.warm();
    if (backend === 'mmap') {
      expect(db.residency().index.total).toBeGreaterThan(0);
      expect(db.evict()).toBeGreaterThanOrEqual(0);
    } else {
      expect(() => db.residency()).toThrow(/needs the mmap backend/);
    }
    db.close();
  });

  it('keeps at most maxOpenShards open and still answers every key', async () => {
    const recs = records(3000);
    const r = await make(16, recs);
    const db = openSync(r.root, { backend, maxOpenShards: 3 });
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < recs.length; i += 7) expect(db.getString(recs[i]![0])).toBe(recs[i]![1]);
    expect(db.stats().set!.openShards).toBeLessThanOrEqual(3);
    const many = db.getMany(recs.map(([k]) => k));
    expect(many.every((v, i) => v?.toString() === recs[i]![1])).toBe(true);
    expect([...db.keys()]).toHaveLength(3000);
    // Lookups in other shards during an iteration do not close the shard being read.
    let seen = 0;
    for (const [k] of db.entries()) {
      expect(db.getString(recs[(seen * 13) % recs.length]![0])).toBeDefined();
      expect(k.length).toBeGreaterThan(0);
      seen++;
    }
    expect(seen).toBe(3000);
    db.close();
  });
});

describe.skipIf(nativeAddon()?.shardIndex === undefined)('the native set index (mmap)', () => {
  it.each(['mmcdb', 'classic'] as const)('answers %s sets itself, through the shards’ handles', async (format) => {
    const recs = records(2000);
    const r = await make(8, recs, { format, ...(format === 'classic' && { partitionSeed: 77n }) });
    const db = openSync(r.root, { backend: 'mmap' });
    const engineGet = vi.spyOn(NativeEngine.prototype, 'get');
    const engineGetMany = vi.spyOn(NativeEngine.prototype, 'getMany');
    const valueAt = vi.spyOn(NativeEngine.prototype, 'valueAt');
    try {
      db.get('key:0'); // opens (and checks) the first shard
      db.getMany(recs.map(([k]) => k)); // … and the others: the engines answer the shards not yet attached
      engineGet.mockClear();
      engineGetMany.mockClear();
      valueAt.mockClear();
      for (const [k, v] of recs) expect(db.getString(k)).toBe(v);
      expect(db.get('absent')).toBeUndefined();
      const many = db.getMany([...recs.slice(0, 500).map(([k]) => k), 'absent']);
      expect(many.slice(0, 500).map(String)).toEqual(recs.slice(0, 500).map(([, v]) => v));
      expect(many[500]).toBeUndefined();
      expect(engineGet).not.toHaveBeenCalled();
      expect(engineGetMany).not.toHaveBeenCalled();
      expect(valueAt).toHaveBeenCalledTimes(2500);
    } finally {
      vi.restoreAllMocks();
      db.close();
    }
  });

  it('a shard closed to make room (maxOpenShards) is detached first: answers stay right', async () => {
    const recs = records(1500);
    const r = await make(16, recs);
    const db = openSync(r.root, { backend: 'mmap', maxOpenShards: 2 });
    for (let round = 0; round < 2; round++) {
      for (const [k, v] of recs) expect(db.getString(k)).toBe(v);
      expect(db.getMany(recs.map(([k]) => k)).map(String)).toEqual(recs.map(([, v]) => v));
    }
    expect(db.stats().set!.openShards).toBeLessThanOrEqual(2);
    db.close();
  });
});

describe('a set that is wrong', () => {
  it('a missing shard: ERR_CDB_SHARD naming it, at open', async () => {
    const r = await make();
    const victim = path.join(r.dir, 'shard-00002-of-00004.mmcdb');
    fs.rmSync(victim);
    expect(codeOf(() => openSync(r.root))).toMatchObject({
      code: 'ERR_CDB_SHARD',
      path: victim,
      message: /shard 2 of 4 is missing \(ENOENT\)/,
    });
    const report = await verify(r.root);
    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({ code: 'ERR_CDB_SHARD', path: victim });
  });

  it('a shard of another set or version (even of the same size): ERR_CDB_SHARD on first use', async () => {
    const recs = records(400);
    const a = await make(4, recs);
    const b = await make(4, recs); // same records, same sizes: only the set id differs
    const file = 'shard-00001-of-00004.mmcdb';
    fs.copyFileSync(path.join(b.dir, file), path.join(a.dir, file));
    const db = openSync(a.root, { backend: 'memory' });
    const key = recs.map(([k]) => k).find((k) => shardOf(k, a.partitionSeed, a.shards) === 1)!;
    const e = codeOf(() => db.get(key));
    expect(e.code).toBe('ERR_CDB_SHARD');
    expect(e.path).toBe(path.join(a.dir, file));
    expect(e.message).toContain(`of set ${b.set}`);
    expect(e.message).toContain(`expected shard 1 of 4 of set ${a.set}`);
    expect(codeOf(() => db.size).code).toBe('ERR_CDB_SHARD');
    db.close();
    expect((await verify(a.root)).error?.code).toBe('ERR_CDB_SHARD');
  });

  it('a shard in the wrong position: ERR_CDB_SHARD', async () => {
    const a = await make(2, records(1000));
    const [f0, f1] = ['shard-00000-of-00002.mmcdb', 'shard-00001-of-00002.mmcdb'].map((f) => path.join(a.dir, f));
    fs.renameSync(f0!, `${f0}.x`);
    fs.renameSync(f1!, f0!);
    fs.renameSync(`${f0}.x`, f1!);
    const m = readManifest(path.join(a.dir, 'manifest.json'));
    [m.files[0]!.bytes, m.files[1]!.bytes] = [m.files[1]!.bytes, m.files[0]!.bytes];
    m.bytes = m.files[0]!.bytes + m.files[1]!.bytes;
    fs.rmSync(path.join(a.dir, 'manifest.json'));
    writeManifest(a.dir, m, false);
    expect(codeOf(() => openSync(a.root).size).message).toMatch(/this file is shard 1 of 2 .*expected shard 0 of 2/);
  });

  it('a manifest that lies about a shard’s size, records or checksum: ERR_CDB_SHARD', async () => {
    const lies: [string, (m: setManifest.SetManifest) => void, RegExp][] = [
      [
        'bytes',
        (m) => {
          m.files[0]!.bytes += 1;
          m.bytes += 1;
        },
        /shard 0 is \d+ bytes; the manifest says/,
      ],
      [
        'records',
        (m) => {
          m.files[0]!.records += 1;
          m.records += 1;
        },
        /shard 0 holds \d+ records; the manifest says/,
      ],
      ['checksum', (m) => (m.files[0]!.checksum ^= 1n), /shard 0's body checksum is 0x[0-9a-f]{16}; the manifest says/],
    ];
    for (const [what, lie, message] of lies) {
      const r = await make(1);
      const m = readManifest(path.join(r.dir, 'manifest.json'));
      lie(m);
      fs.rmSync(path.join(r.dir, 'manifest.json'));
      writeManifest(r.dir, m, false);
      const e = codeOf(() => openSync(r.root).get('key:1'));
      expect(e.code, what).toBe('ERR_CDB_SHARD');
      expect(e.message, what).toMatch(message);
      expect((await verify(r.root)).ok, what).toBe(false);
    }
  });

  it('CURRENT naming a missing version, a hostile manifest, a non-set folder', async () => {
    const r = await make(2);
    fs.writeFileSync(path.join(r.root, 'CURRENT'), 'v20990101T000000Z-00000000\n');
    expect(codeOf(() => openSync(r.root))).toMatchObject({
      code: 'ERR_CDB_SHARD',
      message: /CURRENT names v20990101T000000Z-00000000, which has no manifest\.json/,
    });
    fs.writeFileSync(path.join(r.root, 'CURRENT'), '../../etc\n');
    expect(codeOf(() => openSync(r.root))).toMatchObject({
      code: 'ERR_CDB_FORMAT',
      message: /CURRENT must name a version folder/,
    });
    const m = JSON.parse(fs.readFileSync(path.join(r.dir, 'manifest.json'), 'utf8'));
    m.partition.shards = 70000;
    fs.writeFileSync(path.join(r.dir, 'manifest.json'), JSON.stringify(m));
    expect(codeOf(() => openSync(r.dir))).toMatchObject({
      code: 'ERR_CDB_FORMAT',
      message: /partition\.shards must be an integer from 1 to 65536, got 70000/,
    });
    const plain = path.join(dir, `plain-${seq++}`);
    fs.mkdirSync(plain);
    expect(() => openSync(plain)).toThrow(/EISDIR/);
  });
});

describe('leases', () => {
  it('a reader holds a lease on its version until close()', async () => {
    const r = await make(2);
    const db = openSync(r.root);
    expect(liveLeases(r.dir)).toEqual([{ kind: 'reader', pid: process.pid }]);
    db.close();
    expect(liveLeases(r.dir)).toEqual([]);
  });
});
