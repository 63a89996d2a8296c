// Corrupt classic files: a classic cdb has no checksum, so every operation must end in a
// CdbError (or a plain answer) for any damage: never another exception, a read outside
// the file or an unbounded loop. Seeded truncations and byte flips in the TOC, the
// records and the tables, run in-process through a source that fails the test on any
// out-of-bounds read, and through real files on both backends plus verify()/analyze().
import { availableBackends } from '../../../helpers/backends.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, build, CdbError, openSync, verify, type Backend } from '@mmcdb/core';
import { analyzeClassic, openClassicEngine, verifyClassic, type ByteSource } from '@mmcdb/core/internal';
import { tempDir } from '../../../helpers/tmp.js';
import { dataset, rng, type Rec } from './helpers.js';

const FIX = fileURLToPath(new URL('../../../../fixtures/classic', import.meta.url));
const dir = tempDir('mmcdb-classic-corrupt-');

/** A memory source that throws a plain Error (failing the test) on any read outside the file or past a read budget. */
class StrictSource implements ByteSource {
  readonly data: Buffer;
  readonly size: number;
  readonly heapBytes = 0;
  reads = 0;
  readonly budget: number;
  constructor(data: Buffer) {
    this.data = data;
    this.size = data.length;
    this.budget = 64 * (data.length / 8) + 100_000;
  }
  #check(pos: number, len: number): void {
    if (!Number.isInteger(pos) || !Number.isInteger(len) || pos < 0 || len < 0 || pos + len > this.size) {
      throw new Error(`OUT OF BOUNDS read [${pos}, ${pos + len}) of ${this.size}`);
    }
    if (++this.reads > this.budget) throw new Error(`read budget exceeded: a loop does not end`);
  }
  load(pos: number, len: number): number {
    this.#check(pos, len);
    return pos;
  }
  bytes(pos: number, len: number): Buffer {
    this.#check(pos, len);
    return this.data.subarray(pos, pos + len);
  }
  close(): void {}
}

interface Base {
  name: string;
  bytes: Buffer;
  keys: Buffer[];
  dataEnd: number;
}
const bases: Base[] = [];

/** Returns 'ok' or the CdbError code; rethrows anything else. */
function outcome(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof CdbError) return err.code;
    throw err;
  }
}

/** Every engine operation, then verify and analyze, on `bytes` through a StrictSource. */
function exerciseInProcess(bytes: Buffer, keys: Buffer[]): string[] {
  const probe = [...keys.slice(0, 40), Buffer.from('absent'), Buffer.alloc(0), Buffer.from('playwright')];
  const open = outcome(() => {
    const e = openClassicEngine(new StrictSource(bytes), 'memory', 'mem');
    for (const k of probe) {
      e.get(k);
      e.getAll(k);
    }
    void e.size;
    void e.heapBytes;
    for (const entry of e.entries()) void entry;
    e.close();
  });
  const ver = outcome(() => void verifyClassic(new StrictSource(bytes), 'mem'));
  const ana = outcome(() => void analyzeClassic(new StrictSource(bytes), 'mem'));
  return [open, ver, ana];
}

function exerciseFile(file: string, backend: Backend, keys: Buffer[]): string {
  return outcome(() => {
    const db = openSync(file, { backend });
    try {
      for (const k of keys.slice(0, 20)) {
        db.get(k);
        db.getAll(k);
      }
      db.get('absent');
      void db.size;
      for (const entry of db) void entry;
      void db.metadata;
    } finally {
      db.close();
    }
  });
}

beforeAll(async () => {
  const recs: Rec[] = dataset(7, 400);
  const f = path.join(dir, 'base.cdb');
  await build(f, recs, { format: 'classic' });
  for (const [name, file, keys] of [
    ['generated', f, recs.map((r) => r[0])],
    ['small.tinycdb', path.join(FIX, 'small.tinycdb.cdb'), []],
    ['collide.tinycdb', path.join(FIX, 'collide.tinycdb.cdb'), []],
    ['small.0', path.join(FIX, 'small.0.cdb'), []],
  ] as const) {
    const bytes = fs.readFileSync(file);
    const db = openSync(file, { backend: 'memory' });
    const all = keys.length > 0 ? [...keys] : [...db.keys()].map((k) => Buffer.from(k));
    db.close();
    bases.push({ name, bytes, keys: all, dataEnd: bytes.readUInt32LE(0) });
  }
});

describe('corrupt classic files', () => {
  it('every truncation fails to open with ERR_CDB_FORMAT (the TOC no longer fits)', () => {
    let cases = 0;
    for (const base of bases) {
      const size = base.bytes.length;
      const step = Math.max(1, Math.floor(size / 700));
      for (let cut = 0; cut < size; cut += step) {
        const [open, ver, ana] = exerciseInProcess(base.bytes.subarray(0, cut), base.keys);
        expect([open, ver, ana], `${base.name} cut at ${cut}`).toEqual(['ERR_CDB_FORMAT', 'ERR_CDB_FORMAT', 'ERR_CDB_FORMAT']);
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(2000);
  });

  it('seeded byte flips in the TOC, records and tables end in an answer or a CdbError', () => {
    const rand = rng(0xc1a551c);
    const codes = new Map<string, number>();
    let cases = 0;
    for (const base of bases) {
      const size = base.bytes.length;
      const regions: [number, number][] = [
        [0, 2048],
        [2048, Math.max(2049, base.dataEnd)],
        [base.dataEnd, size],
      ];
      for (let c = 0; c < 1200; c++) {
        const copy = Buffer.from(base.bytes);
        const [lo, hi] = regions[c % 3]!;
        if (hi <= lo) continue;
        const flips = 1 + Math.floor(rand() * 3);
        for (let f = 0; f < flips; f++) {
          const at = lo + Math.floor(rand() * (hi - lo));
          if (rand() < 0.5 || at + 4 > size) {
            copy[at] = copy[at]! ^ (1 << Math.floor(rand() * 8));
          } else {
            // A whole u32 (aligned in the TOC and tables) set to an interesting value.
            const p = at - (at % 4);
            const values = [0, 1, 2047, 2048, base.dataEnd, size, size - 1, 0xffffffff, Math.floor(rand() * 2 ** 32)];
            if (p + 4 <= size) copy.writeUInt32LE(values[Math.floor(rand() * values.length)]! >>> 0, p);
          }
        }
        for (const code of exerciseInProcess(copy, base.keys)) codes.set(code, (codes.get(code) ?? 0) + 1);
        cases++;
      }
    }
    console.log('[classic corrupt] flip outcomes', Object.fromEntries(codes));
    expect(cases).toBeGreaterThan(4000);
    // The checks fire: damage is found, not silently read.
    expect(codes.get('ERR_CDB_FORMAT') ?? 0).toBeGreaterThan(100);
    expect(codes.get('ERR_CDB_CORRUPT') ?? 0).toBeGreaterThan(100);
    expect([...codes.keys()].sort()).toEqual(expect.arrayContaining(['ok']));
  });

  it('the same damage through real files, both backends, verify() and analyze()', async () => {
    const rand = rng(42);
    const base = bases[0]!;
    const size = base.bytes.length;
    for (let c = 0; c < 300; c++) {
      const copy = Buffer.from(base.bytes);
      const region = c % 3 === 0 ? [0, 2048] : c % 3 === 1 ? [2048, base.dataEnd] : [base.dataEnd, size];
      const at = region[0]! + Math.floor(rand() * (region[1]! - region[0]!));
      copy[at] = Math.floor(rand() * 256);
      const file = path.join(dir, `flip${c}.cdb`);
      fs.writeFileSync(file, copy);
      for (const backend of availableBackends()) exerciseFile(file, backend, base.keys);
      const report = await verify(file);
      if (!report.ok) expect(report.error).toBeInstanceOf(CdbError);
      await analyze(file).catch((err: unknown) => {
        if (!(err instanceof CdbError)) throw err;
      });
      fs.unlinkSync(file);
    }
  });

  describe('specific damage is reported with its offset', () => {
    const slotOf = (bytes: Buffer, recPos: number): number => {
      const dataEnd = bytes.readUInt32LE(0);
      for (let p = dataEnd; p < bytes.length; p += 8) if (bytes.readUInt32LE(p + 4) === recPos) return p;
      throw new Error('no slot');
    };
    const verifyError = (bytes: Buffer): CdbError => {
      try {
        verifyClassic(new StrictSource(bytes), 'mem');
      } catch (err) {
        if (err instanceof CdbError) return err;
        throw err;
      }
      throw new Error('verify passed');
    };

    it('a stored hash that does not match the key', () => {
      const bytes = Buffer.from(bases[1]!.bytes);
      const slot = slotOf(bytes, 2048);
      bytes.writeUInt32LE(bytes.readUInt32LE(slot) ^ 0x100, slot); // same table, wrong hash
      const e = verifyError(bytes);
      expect([e.code, e.offset]).toEqual(['ERR_CDB_CORRUPT', slot]);
      expect(e.message).toContain("key's hash");
    });

    it('a slot pointing into the middle of a record, or outside the records', () => {
      for (const bad of [2049, 100, 0xfffffff0]) {
        const bytes = Buffer.from(bases[1]!.bytes);
        const slot = slotOf(bytes, 2048);
        bytes.writeUInt32LE(bad, slot + 4);
        const e = verifyError(bytes);
        expect([e.code, e.offset], String(bad)).toEqual(['ERR_CDB_CORRUPT', slot]);
      }
      // The reader, asked for that key, refuses a position outside the records.
      const bytes = Buffer.from(bases[1]!.bytes);
      const slot = slotOf(bytes, 2048);
      bytes.writeUInt32LE(0xfffffff0, slot + 4);
      const e = openClassicEngine(new StrictSource(bytes), 'memory', 'mem');
      expect(() => e.get('alpha')).toThrowError(expect.objectContaining({ code: 'ERR_CDB_CORRUPT', offset: slot }));
    });

    it('a record length that runs past the end of the records', () => {
      const bytes = Buffer.from(bases[1]!.bytes);
      bytes.writeUInt32LE(0xffffff00, 2048 + 4); // first record's value length
      const e = openClassicEngine(new StrictSource(bytes), 'memory', 'mem');
      expect(() => [...e.entries()]).toThrowError(expect.objectContaining({ code: 'ERR_CDB_CORRUPT', offset: 2048 }));
      expect(() => e.get('alpha')).toThrowError(expect.objectContaining({ code: 'ERR_CDB_CORRUPT', offset: 2048 }));
      expect(verifyError(bytes).offset).toBe(2048);
    });

    it('an entry made unreachable by an empty slot before it', () => {
      const bytes = Buffer.from(bases[2]!.bytes); // collide: one table of 1200 slots
      const tablePos = bytes.readUInt32LE(0);
      const n = bytes.readUInt32LE(4);
      // Find a record at distance ≥ 1 and empty the slot just before it.
      for (let i = 1; i < n; i++) {
        const p = tablePos + i * 8;
        const h = bytes.readUInt32LE(p);
        if (bytes.readUInt32LE(p + 4) === 0 || (h >>> 8) % n === i) continue;
        bytes.writeUInt32LE(0, p - 8);
        bytes.writeUInt32LE(0, p - 4);
        const e = verifyError(bytes);
        expect(e.code).toBe('ERR_CDB_CORRUPT');
        expect(e.message).toMatch(/unreachable|not the start|second slot/);
        return;
      }
      throw new Error('no displaced record');
    });

    it('an enormous slot count in a table that still fits is bounded by slots', () => {
      // Table 0 made to span the whole tail of the file: probing ends after `slots` probes.
      const bytes = Buffer.from(bases[0]!.bytes);
      const dataEnd = bytes.readUInt32LE(0);
      bytes.writeUInt32LE(Math.floor((bytes.length - dataEnd) / 8), 4);
      const src = new StrictSource(bytes);
      const e = openClassicEngine(src, 'memory', 'mem');
      for (let i = 0; i < 300; i++) outcome(() => void e.getAll(`absent${i}`));
      expect(src.reads).toBeLessThan(src.budget);
    });
  });
});
