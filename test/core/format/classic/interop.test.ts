// Interop with the reference tools: tinycdb (/usr/bin/cdb) and freecdb (cdbmake, cdbget,
// cdbdump). Seeded datasets with duplicates, empty keys and values, binary bytes, keys
// crowded into one table and the djb collision pair "playwright"/"snush".
// Skipped, with the reason printed, only when the tools are not installed.
import { availableBackends } from '../../../helpers/backends.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, build, openSync, verify, type Backend } from '@mmcdb/core';
import { formatTinycdbStats } from '@mmcdb/core';
import type { ClassicDbStats } from '@mmcdb/core/internal';
import { tempDir, tempLeftovers } from '../../../helpers/tmp.js';
import {
  CDBDUMP,
  CDBGET,
  CDBMAKE,
  cdbmakeText,
  dataset,
  modelMismatches,
  modelOf,
  sameEntries,
  run,
  survivors,
  TINYCDB,
  toolsMissing,
  type Rec,
} from './helpers.js';

const missing = toolsMissing();
if (missing) console.warn(`[classic interop] skipped: ${missing}`);

const backends: Backend[] = availableBackends();
const SEEDS = [1, 2, 3, 20240601];

describe.skipIf(missing !== undefined)('classic interop with tinycdb and freecdb', () => {
  const dir = tempDir('mmcdb-classic-interop-');
  const sets = new Map<number, { recs: Rec[]; input: string; tiny: string; free: string; ours: string }>();

  beforeAll(async () => {
    for (const seed of SEEDS) {
      const recs = dataset(seed, seed === 20240601 ? 6000 : 3000);
      const input = path.join(dir, `in${seed}.txt`);
      fs.writeFileSync(input, cdbmakeText(recs));
      const tiny = path.join(dir, `tiny${seed}.cdb`);
      const free = path.join(dir, `free${seed}.cdb`);
      const ours = path.join(dir, `ours${seed}.cdb`);
      expect(run(TINYCDB, ['-c', tiny, input]).status).toBe(0);
      expect(run(CDBMAKE, [free, `${free}.tmp`], input).status).toBe(0);
      await build(ours, recs, { format: 'classic' });
      sets.set(seed, { recs, input, tiny, free, ours });
    }
  });

  it.each(SEEDS)('seed %i: our file is byte-identical to `cdb -c` and to `cdbmake`', (seed) => {
    const s = sets.get(seed)!;
    const ours = fs.readFileSync(s.ours);
    expect(ours.equals(fs.readFileSync(s.tiny)), 'vs tinycdb cdb -c').toBe(true);
    expect(ours.equals(fs.readFileSync(s.free)), 'vs freecdb cdbmake').toBe(true);
  });

  it.each(SEEDS)('seed %i: their files read correctly through both backends', async (seed) => {
    const s = sets.get(seed)!;
    const model = modelOf(s.recs);
    for (const f of [s.tiny, s.free]) {
      for (const backend of backends) {
        const db = openSync(f, { backend });
        expect(db.format).toBe('classic');
        expect(db.size).toBe(s.recs.length);
        expect(modelMismatches(db, model)).toEqual([]);
        for (let i = 0; i < 200; i++) expect(db.get(`absent-${seed}-${i}`)).toBeUndefined();
        expect(sameEntries(db, s.recs)).toBe(true);
        db.close();
      }
      expect(await verify(f)).toMatchObject({ ok: true, format: 'classic', records: s.recs.length });
    }
  });

  it.each(SEEDS)('seed %i: `cdb -d` and `cdbdump` of our file give back the input', (seed) => {
    const s = sets.get(seed)!;
    const expected = cdbmakeText(s.recs);
    const d = run(TINYCDB, ['-d', s.ours]);
    expect(d.status).toBe(0);
    expect(d.stdout.equals(expected)).toBe(true);
    const fd = run(CDBDUMP, [], s.ours);
    expect(fd.status).toBe(0);
    expect(fd.stdout.equals(expected)).toBe(true);
  });

  it.each(SEEDS)('seed %i: `cdb -q` and `cdbget` find every value in our file', (seed) => {
    const s = sets.get(seed)!;
    let checked = 0;
    for (const [key, values] of modelOf(s.recs)) {
      const k = Buffer.from(key, 'hex');
      // argv cannot carry NUL, and Node passes strings as UTF-8: query the keys that survive that.
      const asText = k.toString('utf8');
      if (k.includes(0) || !Buffer.from(asText, 'utf8').equals(k) || k.length === 0) continue;
      if (checked++ > 150) break;
      const q = run(TINYCDB, ['-q', s.ours, asText]);
      expect(q.status).toBe(0);
      expect(q.stdout.equals(Buffer.concat(values))).toBe(true);
      const g = run(CDBGET, [asText], s.ours);
      expect(g.status).toBe(0);
      expect(g.stdout.equals(values[0]!)).toBe(true);
    }
    expect(checked).toBeGreaterThan(100);
    expect(
      run(TINYCDB, ['-q', s.ours, 'playwright']).stdout.equals(
        Buffer.concat(modelOf(s.recs).get(Buffer.from('playwright').toString('hex'))!),
      ),
    ).toBe(true);
    expect(run(TINYCDB, ['-q', s.ours, 'no such key here']).status).toBe(100);
  });

  it.each(SEEDS)("seed %i: 'first' = `cdb -c -u`, 'last' = `cdb -c -r`, 'error' = `cdb -c -e`", async (seed) => {
    const s = sets.get(seed)!;
    for (const [flag, policy] of [
      ['-u', 'first'],
      ['-r', 'last'],
    ] as const) {
      const theirs = path.join(dir, `tiny${seed}${flag}.cdb`);
      expect(run(TINYCDB, ['-c', flag, theirs, s.input]).status).toBe(0);
      const ours = path.join(dir, `ours${seed}${flag}.cdb`);
      await build(ours, s.recs, { format: 'classic', duplicates: policy });
      expect(fs.readFileSync(ours).equals(fs.readFileSync(theirs)), `${flag} vs ${policy}`).toBe(true);
      const db = openSync(theirs, { backend: 'pread' });
      expect(modelMismatches(db, modelOf(s.recs, policy))).toEqual([]);
      expect(sameEntries(db, survivors(s.recs, policy))).toBe(true);
      db.close();
    }
    const theirs = path.join(dir, `tiny${seed}-e.cdb`);
    expect(run(TINYCDB, ['-c', '-e', theirs, s.input]).status).toBe(1);
    expect(fs.existsSync(theirs)).toBe(false);
    const ours = path.join(dir, `ours${seed}-e.cdb`);
    await expect(build(ours, s.recs, { format: 'classic', duplicates: 'error' })).rejects.toMatchObject({
      code: 'ERR_CDB_DUPLICATE',
    });
    expect(fs.existsSync(ours)).toBe(false);
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it.each(SEEDS)('seed %i: analyze() reproduces `cdb -s`, also for a `cdb -c -0` file', async (seed) => {
    const s = sets.get(seed)!;
    const zero = path.join(dir, `tiny${seed}-0.cdb`);
    expect(run(TINYCDB, ['-c', '-0', zero, s.input]).status).toBe(0);
    for (const f of [s.tiny, zero]) {
      const stats = (await analyze(f)) as ClassicDbStats;
      expect(formatTinycdbStats(stats.classic.tinycdb)).toBe(run(TINYCDB, ['-s', f]).stdout.toString('latin1'));
      expect(stats.index.probeHistogram.reduce((a, b) => a + b, 0)).toBe(stats.index.used);
    }
    // -0 keeps zero-filled records in the data section: `cdb -d` and our entries() agree.
    const db = openSync(zero, { backend: 'memory' });
    expect(cdbmakeText([...db]).equals(run(TINYCDB, ['-d', zero]).stdout)).toBe(true);
    expect(modelMismatches(db, modelOf(s.recs, 'last'))).toEqual([]);
    db.close();
    expect((await verify(zero)).ok).toBe(true);
  });

  it('the empty database: "\\n" gives 2048 bytes everywhere', async () => {
    const input = path.join(dir, 'empty.txt');
    fs.writeFileSync(input, '\n');
    const tiny = path.join(dir, 'empty-tiny.cdb');
    const free = path.join(dir, 'empty-free.cdb');
    const ours = path.join(dir, 'empty-ours.cdb');
    expect(run(TINYCDB, ['-c', tiny, input]).status).toBe(0);
    expect(run(CDBMAKE, [free, `${free}.tmp`], input).status).toBe(0);
    await build(ours, [], { format: 'classic' });
    const bytes = fs.readFileSync(ours);
    expect(bytes.length).toBe(2048);
    expect(bytes.equals(fs.readFileSync(tiny))).toBe(true);
    expect(bytes.equals(fs.readFileSync(free))).toBe(true);
    expect(run(TINYCDB, ['-d', ours]).stdout.toString()).toBe('\n');
    const stats = (await analyze(ours)) as ClassicDbStats;
    expect(formatTinycdbStats(stats.classic.tinycdb)).toBe(run(TINYCDB, ['-s', ours]).stdout.toString('latin1'));
  });
});
