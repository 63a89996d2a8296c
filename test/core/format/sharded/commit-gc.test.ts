// Independent builds + commitShards(), gcShards() and openWatched() over versions
// (docs/SHARDS.md §Independent builds, §Versions).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSharded, commitShards, createShardedWriter, gcShards, listSetVersions, openSync, openWatched } from '@mmcdb/core';
import { liveLeases, nativeAddon, takeLease } from '@mmcdb/core/internal';
import { tempDir } from '../../../helpers/tmp.js';

const dir = tempDir('mmcdb-sets-commit-');
let seq = 0;
const fresh = () => path.join(dir, `set-${seq++}`);
const records = (n: number, tag = 'v'): [string, string][] => Array.from({ length: n }, (_, i) => [`key:${i}`, `${tag}${i}`]);

/** What a batch task does: the whole input, only shard `i` kept. */
async function task(
  root: string,
  i: number,
  n: number,
  seed: bigint,
  recs: [string, string][],
  format: 'mmcdb' | 'classic' = 'mmcdb',
) {
  const w = createShardedWriter(root, { shards: n, shard: i, partitionSeed: seed, workers: 1, fsync: false, format });
  for (const [k, v] of recs) w.add(k, v);
  return w.finish();
}

describe('independent builds and commitShards()', () => {
  it('N tasks (in parallel) then commit give the set a coordinated build gives', async () => {
    const recs = records(2000);
    const root = fresh();
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => task(root, i, 5, 42n, recs)));
    expect(new Set(results.map((r) => r.set))).toEqual(new Set(['s000000000000002a-n5']));
    expect(results.every((r) => r.manifest === undefined)).toBe(true);
    expect(fs.existsSync(path.join(root, 'CURRENT'))).toBe(false);
    const c = await commitShards(root, { metadata: { from: 'batch' } });
    expect(c.manifest.records).toBe(2000);
    const db = openSync(root);
    for (const [k, v] of recs) expect(db.getString(k)).toBe(v);
    expect(db.metadata).toEqual({ from: 'batch' });
    db.close();
    const same = await buildSharded(fresh(), recs, {
      shards: 5,
      partitionSeed: 42n,
      set: 's000000000000002a-n5',
      workers: 2,
      fsync: false,
    });
    expect(same.manifest!.files.map((f) => f.checksum)).toEqual(c.manifest.files.map((f) => f.checksum));
  });

  it('refuses a version with a missing shard, a shard of another set, a build still running', async () => {
    const recs = records(300);
    const root = fresh();
    await task(root, 0, 3, 7n, recs);
    await task(root, 2, 3, 7n, recs);
    await expect(commitShards(root)).rejects.toMatchObject({
      code: 'ERR_CDB_SHARD',
      message: /missing shard file shard-00001-of-00003\.mmcdb \(2 of 3 present\)/,
    });
    const other = fresh();
    await task(other, 1, 3, 8n, recs); // another seed: another set
    fs.copyFileSync(
      path.join(other, 'vs0000000000000008-n3', 'shard-00001-of-00003.mmcdb'),
      path.join(root, 'vs0000000000000007-n3', 'shard-00001-of-00003.mmcdb'),
    );
    await expect(commitShards(root)).rejects.toMatchObject({
      code: 'ERR_CDB_SHARD',
      message: /of set s0000000000000008-n3 .*expected shard 1 of 3 of set s0000000000000007-n3/,
    });
    await task(root, 1, 3, 7n, recs);
    const lease = takeLease(path.join(root, 'vs0000000000000007-n3'), 'builder')!;
    await expect(commitShards(root)).rejects.toMatchObject({
      code: 'ERR_CDB_SHARD',
      message: /still being built here \(pid \d+\)/,
    });
    lease.release();
    fs.appendFileSync(path.join(root, 'vs0000000000000007-n3', 'shard-00002-of-00003.mmcdb'), 'junk');
    await expect(commitShards(root)).rejects.toMatchObject({
      code: 'ERR_CDB_SHARD',
      message: /shard 2 is damaged: ERR_CDB_FORMAT/,
    });
  });

  it('classic shards need the partition seed at commit; several open versions need a name', async () => {
    const recs = records(200);
    const root = fresh();
    for (const i of [0, 1]) await task(root, i, 2, 9n, recs, 'classic');
    await expect(commitShards(root)).rejects.toThrow(/classic shards carry no identity/);
    for (const i of [0, 1]) await task(root, i, 2, 10n, recs);
    await expect(commitShards(root)).rejects.toThrow(
      /several versions to commit \(vs0000000000000009-n2, vs000000000000000a-n2\)/,
    );
    await commitShards(root, { set: 's0000000000000009-n2', partitionSeed: 9n });
    expect(openSync(root).format).toBe('classic');
    await expect(commitShards(root, { set: 'nope' })).rejects.toMatchObject({
      code: 'ERR_CDB_SHARD',
      message: /no version vnope to commit/,
    });
  });
});

describe('gcShards()', () => {
  it('keeps the live version, the newest --keep and every version a live reader holds', async () => {
    const root = fresh();
    const sets: string[] = [];
    for (let v = 0; v < 4; v++)
      sets.push((await buildSharded(root, records(50, `v${v}-`), { shards: 2, workers: 1, fsync: false })).set);
    const oldReader = openSync(path.join(root, `v${sets[0]}`)); // an old version, held
    const report = gcShards(root, { keep: 2 });
    expect(report.live).toBe(`v${sets[3]}`);
    expect(report.removed).toEqual([`v${sets[1]}`]);
    expect(report.kept.map((k) => k.why)).toEqual([
      `held by a reader (pid ${process.pid})`,
      'one of the newest 2',
      'live (CURRENT)',
    ]);
    expect(oldReader.getString('key:1')).toBe('v0-1');
    oldReader.close();
    expect(gcShards(root, { keep: 1 }).removed.sort()).toEqual([`v${sets[0]}`, `v${sets[2]}`].sort());
    expect(listSetVersions(root).map((v) => [v.version, v.live])).toEqual([[`v${sets[3]}`, true]]);
    expect(() => gcShards(root, { keep: 0 })).toThrow(RangeError);
  });

  it('incomplete versions: kept while newer than the live one or being built, removed with incomplete: true', async () => {
    const root = fresh();
    await buildSharded(root, records(10), { shards: 2, workers: 1, fsync: false });
    await task(root, 0, 2, 3n, records(10)); // a batch job's half-built next version
    expect(gcShards(root).kept.find((k) => k.version === 'vs0000000000000003-n2')?.why).toMatch(
      /incomplete .*--incomplete removes it/,
    );
    const dry = gcShards(root, { incomplete: true, dryRun: true });
    expect(dry.removed).toEqual(['vs0000000000000003-n2']);
    expect(fs.existsSync(path.join(root, 'vs0000000000000003-n2'))).toBe(true);
    expect(gcShards(root, { incomplete: true }).removed).toEqual(['vs0000000000000003-n2']);
  });
});

describe('openWatched() of a set folder', () => {
  it('follows CURRENT: a new version is picked up, the old one released', async () => {
    const root = fresh();
    const first = await buildSharded(root, records(100, 'a'), { shards: 3, workers: 1, fsync: false });
    const w = openWatched(root, { pollMs: 10 });
    expect(w.getString('key:5')).toBe('a5');
    const held = w.get('key:6')!;
    await buildSharded(root, records(100, 'b'), { shards: 5, workers: 1, fsync: false });
    for (let t = 0; t < 200 && w.reloads === 0; t++) await new Promise((r) => setTimeout(r, 10));
    expect(w.reloads).toBe(1);
    expect(w.getString('key:5')).toBe('b5');
    expect(w.current.stats().set?.shards).toBe(5);
    expect(String(held)).toBe('a6');
    expect(gcShards(root, { keep: 1 }).removed).toEqual([`v${first.set}`]);
    w.close();
  });
});

describe.skipIf(nativeAddon() === undefined)('leases by lock (as build temp files)', () => {
  it('a lease held open and locked is live, whatever PID namespace its name says; an unlocked old one is dead', () => {
    const v = path.join(dir, 'lease-lock');
    fs.mkdirSync(v);
    const lockFile = nativeAddon()!.lockFile;
    // Another process (here: another open file description) in another PID namespace (1: not ours).
    const foreign = path.join(v, '.reader-999999-deadbeef.1.lease');
    fs.writeFileSync(foreign, '');
    const fd = fs.openSync(foreign, 'r');
    expect(lockFile(fd, true)).toBe(true);
    fs.utimesSync(foreign, 0, 0);
    expect(liveLeases(v)).toEqual([{ kind: 'reader', pid: 999999 }]);
    fs.closeSync(fd); // its holder is gone
    expect(liveLeases(v)).toEqual([]);
    expect(fs.existsSync(foreign)).toBe(false);
    // Just made and not locked yet by a process not known dead: kept for the grace period.
    const young = path.join(v, '.builder-999998-cafebabe.1.lease');
    fs.writeFileSync(young, '');
    expect(liveLeases(v)).toEqual([{ kind: 'builder', pid: 999998 }]);
    fs.utimesSync(young, 0, 0);
    expect(liveLeases(v)).toEqual([]);
    // Ours: live until released, then gone.
    const lease = takeLease(v, 'reader')!;
    expect(liveLeases(v)).toEqual([{ kind: 'reader', pid: process.pid }]);
    lease.release();
    expect(liveLeases(v)).toEqual([]);
    expect(fs.readdirSync(v)).toEqual([]);
  });
});
