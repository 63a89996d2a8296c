// The classic writer without the reference tools: byte-identical to the committed
// tinycdb/freecdb fixtures, duplicates policies (tinycdb -u / -r semantics), option
// checks, the 4 GiB limit (through a test hook), aborts and atomic publish.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { build, CdbError, createWriter, openSync, verify } from '@mmcdb/core';
import { testHooks } from '@mmcdb/core/internal';

const setClassicMaxFileSizeForTesting = (n: number | undefined) => {
  testHooks.classicMaxFileSize = n;
};
import { tempDir, tempLeftovers } from '../../../helpers/tmp.js';
import { dataset, modelMismatches, modelOf, parseCdbmake, survivors, type Rec } from './helpers.js';

const FIX = fileURLToPath(new URL('../../../../fixtures/classic', import.meta.url));
const dir = tempDir('mmcdb-classic-writer-');
let n = 0;
const target = () => path.join(dir, `w${n++}.cdb`);

async function buildClassic(recs: readonly Rec[], duplicates: 'all' | 'first' | 'last' = 'all'): Promise<Buffer> {
  const f = target();
  await build(f, recs, { format: 'classic', duplicates });
  return fs.readFileSync(f);
}

afterEach(() => setClassicMaxFileSizeForTesting(undefined));

describe('classic writer', () => {
  it('reproduces the tinycdb and freecdb fixtures byte for byte', async () => {
    for (const name of ['empty', 'small', 'collide']) {
      const recs = parseCdbmake(fs.readFileSync(path.join(FIX, `${name}.txt`)));
      const ours = await buildClassic(recs);
      expect(ours.equals(fs.readFileSync(path.join(FIX, `${name}.tinycdb.cdb`))), `${name} vs cdb -c`).toBe(true);
      expect(ours.equals(fs.readFileSync(path.join(FIX, `${name}.freecdb.cdb`))), `${name} vs cdbmake`).toBe(true);
    }
  });

  it("reproduces tinycdb -u with 'first' and -r with 'last'", async () => {
    const recs = parseCdbmake(fs.readFileSync(path.join(FIX, 'small.txt')));
    expect((await buildClassic(recs, 'first')).equals(fs.readFileSync(path.join(FIX, 'small.u.cdb')))).toBe(true);
    expect((await buildClassic(recs, 'last')).equals(fs.readFileSync(path.join(FIX, 'small.r.cdb')))).toBe(true);
  });

  it('writes the empty database as exactly 2048 bytes of (2048, 0) pairs', async () => {
    const bytes = await buildClassic([]);
    expect(bytes.length).toBe(2048);
    for (let t = 0; t < 256; t++) expect([bytes.readUInt32LE(t * 8), bytes.readUInt32LE(t * 8 + 4)]).toEqual([2048, 0]);
  });

  it.each(['first', 'last'] as const)(
    "'%s' equals 'all' over the surviving records (large dataset, compaction across 1 MiB chunks)",
    async (policy) => {
      const recs = dataset(101, 4000);
      // Big values of repeated keys: the temp file spans several 1 MiB output chunks and
      // 'last' moves records across them.
      for (let i = 0; i < 8; i++) recs.splice(i * 500, 0, [Buffer.from(`big${i % 3}`), Buffer.alloc(300_000 + i, i)]);
      expect((await buildClassic(recs)).length).toBeGreaterThan(2_400_000);
      const ours = await buildClassic(recs, policy);
      const expected = await buildClassic(survivors(recs, policy));
      expect(ours.equals(expected)).toBe(true);
      const f = target();
      fs.writeFileSync(f, ours);
      const db = openSync(f, { backend: 'memory' });
      expect(modelMismatches(db, modelOf(recs, policy))).toEqual([]);
      db.close();
      expect((await verify(f)).ok).toBe(true);
    },
  );

  it("'last' with one key replaced many times keeps only the last record", async () => {
    const recs: Rec[] = [];
    for (let i = 0; i < 3000; i++)
      recs.push([Buffer.from(i % 3 === 0 ? 'hot' : `cold${i}`), Buffer.from(`v${i}`.repeat(i % 50))]);
    const ours = await buildClassic(recs, 'last');
    expect(ours.equals(await buildClassic(survivors(recs, 'last')))).toBe(true);
  });

  it('add() reports dropped duplicates and count follows the policy', async () => {
    const w = createWriter(target(), { format: 'classic', duplicates: 'first' });
    expect(w.add('a', '1')).toBe(true);
    expect(w.add('a', '2')).toBe(false);
    expect(w.add('b', '3')).toBe(true);
    expect(w.count).toBe(2);
    const res = await w.finish();
    expect(res).toMatchObject({ format: 'classic', records: 2, indexSlots: 4, seed: 5381n });
    const l = createWriter(target(), { format: 'classic', duplicates: 'last' });
    l.add('a', '1');
    l.add('a', '2');
    expect(l.count).toBe(1);
    expect((await l.finish()).records).toBe(1);
  });

  it("'error' throws ERR_CDB_DUPLICATE (like tinycdb -e) and leaves nothing behind", () => {
    const f = target();
    const w = createWriter(f, { format: 'classic', duplicates: 'error' });
    w.add('playwright', '1');
    w.add('snush', '2'); // same 32-bit hash, different key: not a duplicate
    expect(() => w.add('playwright', '3')).toThrowError(expect.objectContaining({ code: 'ERR_CDB_DUPLICATE' }));
    expect(fs.existsSync(f)).toBe(false);
    expect(tempLeftovers(dir)).toEqual([]);
    expect(() => w.add('x', 'y')).toThrowError(expect.objectContaining({ code: 'ERR_CDB_CLOSED' }));
  });

  it('rejects options that mean nothing for classic with a RangeError', () => {
    for (const bad of [{ seed: 1 }, { seed: 'random' as const }, { valueAlign: 8 }, { metadata: { a: 1 } }, { load: 0.7 }]) {
      expect(() => createWriter(target(), { format: 'classic', ...bad }), JSON.stringify(bad)).toThrow(RangeError);
    }
    expect(() => createWriter(target(), { format: 'classic', duplicates: 'some' as never })).toThrow(RangeError);
    expect(tempLeftovers(dir)).toEqual([]);
    // valueAlign 1 and load 0.5 are what classic does anyway.
    createWriter(target(), { format: 'classic', valueAlign: 1, load: 0.5 }).abort();
  });

  it('fails with ERR_CDB_TOO_LARGE before publishing when the file would pass the limit', async () => {
    const f = target();
    fs.writeFileSync(f, 'previous contents');
    setClassicMaxFileSizeForTesting(2048 + 3 * (8 + 1 + 100) + 3 * 16);
    const w = createWriter(f, { format: 'classic' });
    for (let i = 0; i < 3; i++) w.add(String(i), 'v'.repeat(100));
    let err: unknown;
    try {
      w.add('3', 'v');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CdbError);
    expect((err as CdbError).code).toBe('ERR_CDB_TOO_LARGE');
    expect(fs.readFileSync(f, 'utf8')).toBe('previous contents');
    expect(tempLeftovers(dir)).toEqual([]);
    await expect(w.finish()).rejects.toMatchObject({ code: 'ERR_CDB_CLOSED' });
    // Exactly at the limit is fine.
    const ok = createWriter(target(), { format: 'classic' });
    for (let i = 0; i < 3; i++) ok.add(String(i), 'v'.repeat(100));
    expect((await ok.finish()).bytes).toBe(2048 + 3 * 109 + 48);
  });

  it("the limit counts what 'last' removes", async () => {
    setClassicMaxFileSizeForTesting(2048 + 2 * (8 + 1 + 100) + 2 * 16);
    const w = createWriter(target(), { format: 'classic', duplicates: 'last' });
    for (let i = 0; i < 10; i++) w.add(String(i % 2), 'v'.repeat(100)); // replacements free their bytes
    expect((await w.finish()).bytes).toBe(2048 + 2 * 109 + 32);
  });

  it('abort() and an AbortSignal remove the temp file and keep the target', async () => {
    const f = target();
    fs.writeFileSync(f, 'old');
    const w = createWriter(f, { format: 'classic' });
    w.add('a', 'b');
    w.abort();
    expect(fs.readFileSync(f, 'utf8')).toBe('old');
    const ac = new AbortController();
    const w2 = createWriter(f, { format: 'classic', signal: ac.signal });
    w2.add('a', 'b');
    ac.abort(new Error('stop'));
    await expect(w2.finish()).rejects.toMatchObject({ code: 'ERR_CDB_ABORTED' });
    expect(fs.readFileSync(f, 'utf8')).toBe('old');
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it('publishes with the requested mode and replaces an existing file atomically', async () => {
    const f = target();
    fs.writeFileSync(f, 'old');
    await build(f, [['k', 'v']], { format: 'classic', mode: 0o600, fsync: false });
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    const db = openSync(f, { backend: 'pread' });
    expect(db.getString('k')).toBe('v');
    db.close();
  });

  it('warns when a probe run is longer than maxProbeWarning', async () => {
    const warnings: string[] = [];
    await build(target(), parseCdbmake(fs.readFileSync(path.join(FIX, 'collide.txt'))), {
      format: 'classic',
      maxProbeWarning: 5,
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toContain('probe');
  });
});
