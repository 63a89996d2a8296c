// Reading classic djb cdb files: detection, lookups (probing, wrap-around, the empty-slot
// rule, full-hash collisions), iteration, and the committed reference-tool fixtures
// (fixtures/classic, built by tinycdb and freecdb; no tool needed here).
import { availableBackends } from '../../../helpers/backends.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze, build, CdbError, openSync, verify, type Backend } from '@mmcdb/core';
import { formatTinycdbStats } from '@mmcdb/core';
import { djbHash, type ClassicDbStats } from '@mmcdb/core/internal';
import { tempDir } from '../../../helpers/tmp.js';
import { modelOf, parseCdbmake, survivors, type Rec } from './helpers.js';

const FIX = fileURLToPath(new URL('../../../../fixtures/classic', import.meta.url));
const backends: Backend[] = availableBackends();
const dir = tempDir('mmcdb-classic-reader-');
let n = 0;
const file = (data: Uint8Array): string => {
  const f = path.join(dir, `f${n++}.cdb`);
  fs.writeFileSync(f, data);
  return f;
};

function formatError(fn: () => unknown): CdbError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CdbError);
    return err as CdbError;
  }
  throw new Error('expected a CdbError');
}

/** Hand-made classic file: records in order, then tables laid out like the reference writer. */
function craft(recs: Rec[]): Buffer {
  const body: Buffer[] = [];
  const entries: [number, number][] = [];
  let pos = 2048;
  for (const [k, v] of recs) {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(k.length, 0);
    h.writeUInt32LE(v.length, 4);
    body.push(h, k, v);
    entries.push([djbHash(k), pos]);
    pos += 8 + k.length + v.length;
  }
  const toc = Buffer.alloc(2048);
  for (let t = 0; t < 256; t++) {
    const mine = entries.filter(([h]) => (h & 255) === t);
    const slots = 2 * mine.length;
    toc.writeUInt32LE(pos, t * 8);
    toc.writeUInt32LE(slots, t * 8 + 4);
    const table = Buffer.alloc(slots * 8);
    for (const [h, p] of mine) {
      let i = (h >>> 8) % slots;
      while (table.readUInt32LE(i * 8 + 4) !== 0) i = (i + 1) % slots;
      table.writeUInt32LE(h, i * 8);
      table.writeUInt32LE(p, i * 8 + 4);
    }
    body.push(table);
    pos += table.length;
  }
  return Buffer.concat([toc, ...body]);
}

describe('djb hash', () => {
  it('matches known values and the full 32-bit collision pair', () => {
    expect(djbHash(new Uint8Array())).toBe(5381);
    expect(djbHash(Buffer.from('a'))).toBe(((5381 * 33) ^ 97) >>> 0);
    expect(djbHash(Buffer.from('playwright'))).toBe(0x0ba9ad76);
    expect(djbHash(Buffer.from('snush'))).toBe(0x0ba9ad76);
    // Bytes are unsigned: 0xff contributes 255, not -1.
    let h = 5381;
    for (const c of [0xff, 0x80, 0x00]) h = Number(((BigInt(h) * 33n) ^ BigInt(c)) % 2n ** 32n);
    expect(djbHash(Buffer.from([0xff, 0x80, 0x00]))).toBe(h);
  });
});

describe.each(backends)('classic reader (%s backend)', (backend) => {
  it('detects the format and reads the empty database (exactly 2048 bytes)', () => {
    const toc = Buffer.alloc(2048);
    for (let t = 0; t < 256; t++) toc.writeUInt32LE(2048, t * 8);
    const db = openSync(file(toc), { backend });
    expect(db.format).toBe('classic');
    expect(db.size).toBe(0);
    expect(db.get('anything')).toBeUndefined();
    expect(db.getAll('')).toEqual([]);
    expect([...db]).toEqual([]);
    expect(db.metadata).toBeUndefined();
    expect(db.stats()).toMatchObject({ format: 'classic', backend, records: 0, fileSize: 2048 });
    db.close();
  });

  it('refuses files that are neither mmcdb nor cdb with ERR_CDB_FORMAT and the offset', () => {
    for (const size of [200, 2047]) {
      const e = formatError(() => openSync(file(Buffer.alloc(size, 7)), { backend }));
      expect(e.code).toBe('ERR_CDB_FORMAT');
      expect(e.message).toContain('not an mmcdb or cdb file');
      expect(e.offset).toBe(0);
    }
    const zeros = formatError(() => openSync(file(Buffer.alloc(4096)), { backend }));
    expect(zeros.code).toBe('ERR_CDB_FORMAT');
    expect(zeros.offset).toBe(0); // table 0 at position 0 < 2048
    const good = craft([[Buffer.from('a'), Buffer.from('b')]]);
    const badSlots = Buffer.from(good);
    badSlots.writeUInt32LE(1000, 17 * 8 + 4); // table 17: 1000 slots run past the end
    const e1 = formatError(() => openSync(file(badSlots), { backend }));
    expect([e1.code, e1.offset]).toEqual(['ERR_CDB_FORMAT', 17 * 8]);
    const badPos = Buffer.from(good);
    badPos.writeUInt32LE(good.length + 1, 255 * 8); // table 255 starts past the end
    const e2 = formatError(() => openSync(file(badPos), { backend }));
    expect([e2.code, e2.offset]).toEqual(['ERR_CDB_FORMAT', 255 * 8]);
  });

  it('answers get/getAll/entries like the model, with duplicates in insertion order', () => {
    const recs: Rec[] = [
      ['alpha', 'one'],
      ['beta', 'two'],
      ['alpha', 'uno'],
      ['', 'empty key'],
      ['nothing', ''],
      ['playwright', 'P'],
      ['snush', 'S'],
      ['alpha', 'eins'],
      ['k'.repeat(200), 'v'.repeat(100_000)],
    ].map(([k, v]) => [Buffer.from(k!), Buffer.from(v!)] as Rec);
    const db = openSync(file(craft(recs)), { backend });
    for (const [key, values] of modelOf(recs)) {
      const k = Buffer.from(key, 'hex');
      expect(db.getAll(k)).toEqual(values);
      expect(db.get(k)).toEqual(values[0]);
      expect(db.has(k)).toBe(true);
    }
    expect(db.getAll('alpha').map(String)).toEqual(['one', 'uno', 'eins']);
    expect(db.getString('playwright')).toBe('P');
    expect(db.getString('snush')).toBe('S');
    expect(db.get('absent')).toBeUndefined();
    expect(db.get('playwrighT')).toBeUndefined();
    expect([...db]).toEqual(recs);
    expect(db.size).toBe(recs.length);
    db.close();
  });

  it('stops at an empty slot (position 0), not at a stored hash of 0', () => {
    // Two keys of one table where the second sits one slot after the first; the first
    // slot's stored hash is then overwritten with 0. A reader that treats hash 0 as
    // "empty" loses the second key.
    const inTable0: Buffer[] = [];
    for (let i = 0; inTable0.length < 2; i++) {
      const k = Buffer.from(`k${i}`);
      const h = djbHash(k);
      if ((h & 255) !== 0) continue;
      if (inTable0.length === 0 || (h >>> 8) % 4 === (djbHash(inTable0[0]!) >>> 8) % 4) inTable0.push(k);
    }
    const [a, b] = inTable0 as [Buffer, Buffer];
    const bytes = craft([
      [a, Buffer.from('A')],
      [b, Buffer.from('B')],
    ]);
    const tablePos = bytes.readUInt32LE(0);
    const home = (djbHash(a) >>> 8) % 4;
    expect(bytes.readUInt32LE(tablePos + home * 8 + 4)).toBe(2048); // a in its home slot
    bytes.writeUInt32LE(0, tablePos + home * 8);
    const db = openSync(file(bytes), { backend });
    expect(db.getString(b)).toBe('B');
    db.close();
  });

  it('wraps around the end of a table and stops after `slots` probes in a full table', () => {
    // A table of 2 slots, both full: a lookup of an absent key of that table must end.
    const ks: Buffer[] = [];
    for (let i = 0; ks.length < 2; i++) {
      const k = Buffer.from(`w${i}`);
      if ((djbHash(k) & 255) === 9) ks.push(k);
    }
    const bytes = craft(ks.map((k) => [k, k]));
    // Shrink table 9 to its occupied slots only: rewrite it as 2 full slots.
    const t9 = bytes.readUInt32LE(9 * 8);
    const slots = bytes.readUInt32LE(9 * 8 + 4);
    const full = [] as Buffer[];
    for (let i = 0; i < slots; i++) {
      const s = bytes.subarray(t9 + i * 8, t9 + i * 8 + 8);
      if (s.readUInt32LE(4) !== 0) full.push(Buffer.from(s));
    }
    Buffer.concat(full).copy(bytes, t9);
    bytes.writeUInt32LE(2, 9 * 8 + 4);
    const db = openSync(file(bytes), { backend });
    for (const k of ks) expect(db.get(k)).toEqual(k);
    let absent: Buffer | undefined;
    for (let i = 0; !absent; i++) {
      const k = Buffer.from(`absent${i}`);
      if ((djbHash(k) & 255) === 9) absent = k;
    }
    expect(db.get(absent)).toBeUndefined();
    db.close();
  });

  it('reads the tinycdb/freecdb fixtures like their cdbmake input', () => {
    for (const name of ['empty', 'small', 'collide']) {
      const recs = parseCdbmake(fs.readFileSync(path.join(FIX, `${name}.txt`)));
      for (const tool of ['tinycdb', 'freecdb']) {
        const db = openSync(path.join(FIX, `${name}.${tool}.cdb`), { backend });
        expect(db.format).toBe('classic');
        expect(db.size).toBe(recs.length);
        expect([...db]).toEqual(recs);
        for (const [key, values] of modelOf(recs)) expect(db.getAll(Buffer.from(key, 'hex'))).toEqual(values);
        expect(db.get('not there')).toBeUndefined();
        db.close();
      }
    }
  });

  it('reads tinycdb -u, -r and -0 fixtures', () => {
    const recs = parseCdbmake(fs.readFileSync(path.join(FIX, 'small.txt')));
    for (const [flag, policy] of [
      ['u', 'first'],
      ['r', 'last'],
      ['0', 'last'],
    ] as const) {
      const db = openSync(path.join(FIX, `small.${flag}.cdb`), { backend });
      const model = modelOf(recs, policy);
      for (const [key, values] of model) expect(db.getAll(Buffer.from(key, 'hex'))).toEqual(values);
      expect(db.size).toBe(model.size);
      if (flag === '0') {
        // -0 leaves zero-filled records (empty key, zero bytes) in the data section.
        expect([...db]).toEqual(parseCdbmake(fs.readFileSync(path.join(FIX, 'small.0.dump'))));
      } else {
        expect([...db]).toEqual(survivors(recs, policy));
      }
      db.close();
    }
  });
});

describe('verify and analyze on the fixtures', () => {
  it('verify() accepts every reference file', async () => {
    for (const f of fs.readdirSync(FIX).filter((x) => x.endsWith('.cdb'))) {
      const r = await verify(path.join(FIX, f));
      expect(r, f).toMatchObject({ ok: true, format: 'classic' });
      const expected = f.startsWith('small.0') ? 14 : f.startsWith('small.u') || f.startsWith('small.r') ? 9 : undefined;
      if (expected !== undefined) expect(r.records).toBe(expected);
    }
  });

  it('analyze() matches `cdb -s` output (stored next to each fixture)', async () => {
    for (const [db, stats] of [
      ['empty.tinycdb.cdb', 'empty.tinycdb.stats'],
      ['small.tinycdb.cdb', 'small.tinycdb.stats'],
      ['collide.tinycdb.cdb', 'collide.tinycdb.stats'],
      ['small.0.cdb', 'small.0.stats'],
    ]) {
      const s = (await analyze(path.join(FIX, db!))) as ClassicDbStats;
      expect(s.format).toBe('classic');
      expect(formatTinycdbStats(s.classic.tinycdb)).toBe(fs.readFileSync(path.join(FIX, stats!), 'latin1'));
    }
    const c = (await analyze(path.join(FIX, 'collide.tinycdb.cdb'))) as ClassicDbStats;
    expect(c.records).toBe(600);
    expect(c.distinctKeys).toBe(600);
    expect(c.index).toMatchObject({ slots: 1200, used: 600, loadFactor: 0.5, tables: 1, collisions: 200 });
    expect(c.index.probeHistogram.reduce((a, b) => a + b, 0)).toBe(600);
    expect(c.index.probeHistogram[10]).toBe(1);
    expect(c.classic.tableLength).toMatchObject({ min: 1200, max: 1200, avg: 1200 });
    const s = (await analyze(path.join(FIX, 'small.tinycdb.cdb'))) as ClassicDbStats;
    expect(s.records).toBe(14);
    expect(s.distinctKeys).toBe(9);
    expect(s.keyLength.min).toBe(0); // exact, where tinycdb prints its skip-zero minimum
    expect(s.keyLength.avg).toBeCloseTo(s.keyLength.total / 14, 10);
  });
});

describe('our writer, our reader', () => {
  it('round-trips through build() with format classic on both backends', async () => {
    const recs: Rec[] = Array.from({ length: 2000 }, (_, i) => [Buffer.from(`key${i % 1500}`), Buffer.from(`v${i}`)]);
    const f = path.join(dir, 'rt.cdb');
    const res = await build(f, recs, { format: 'classic' });
    expect(res).toMatchObject({ format: 'classic', records: 2000, bytes: fs.statSync(f).size, indexSlots: 4000 });
    for (const backend of backends) {
      const db = openSync(f, { backend });
      for (const [key, values] of modelOf(recs)) expect(db.getAll(Buffer.from(key, 'hex'))).toEqual(values);
      expect(db.size).toBe(2000);
      db.close();
    }
  });
});
