// Full scans (issue 16): entries(), keys(), values(), forEach(), forEachRaw() and
// forEachRawAsync() agree with each other and with the records built, on both formats
// and every backend — mmap in one segment and in small forced windows (a record larger
// than a window comes through its own range; test/native/scan.test.ts covers the
// no-external-buffers copies). Early stop, close() inside the callback, nested scans and
// truncation under a scan (in a child process).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { build, isCdbError, openSync, type Reader } from '@mmcdb/core';
import { setTestHook } from '@mmcdb/core/internal';
import { availableBackends } from '../../helpers/backends.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('mmcdb-scan-');
const backends = availableBackends();
const hasMmap = backends.includes('mmap');
let fileNo = 0;
type Format = 'mmcdb' | 'classic';
type Pair = [Buffer, Buffer];

// mmap in one segment, and with windows of 4 KiB every 2 KiB (the test hook).
const modes = [
  ...backends.map((b) => ({ backend: b, windows: false })),
  ...(hasMmap ? [{ backend: 'mmap' as const, windows: true }] : []),
];
let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

function open(file: string, mode: (typeof modes)[number]): Reader {
  if (mode.windows) restore = setTestHook('windows', { windowSize: 4096, windowStride: 2048 });
  const db = openSync(file, { backend: mode.backend });
  expect(db.backend).toBe(mode.backend);
  return db;
}

async function make(records: Pair[], format: Format, options: { duplicates?: 'all' | 'last' } = {}): Promise<string> {
  const file = path.join(dir, `f${fileNo++}.${format}`);
  await build(file, records, { format, fsync: false, ...options });
  return file;
}

const hex = ([k, v]: Pair): string => `${k.toString('hex')}:${v.toString('hex')}`;

/** Every scan's records, as hex pairs, each checked to be the same list. */
async function scanAll(db: Reader): Promise<string[]> {
  const entries = [...db.entries()].map(hex);
  const each: string[] = [];
  expect(db.forEach((k, v) => void each.push(hex([k, v])))).toBe(entries.length);
  const raw: string[] = [];
  const rawCount = db.forEachRaw((b, ks, ke, vs, ve) => {
    expect(Buffer.isBuffer(b)).toBe(true);
    raw.push(hex([b.subarray(ks, ke), b.subarray(vs, ve)]));
  });
  const rawAsync: string[] = [];
  const asyncCount = await db.forEachRawAsync(async (b, ks, ke, vs, ve) => {
    const pair = hex([b.subarray(ks, ke), b.subarray(vs, ve)]);
    if (rawAsync.length % 7 === 0) await new Promise((r) => setImmediate(r));
    rawAsync.push(pair);
  });
  expect(each).toEqual(entries);
  expect(raw).toEqual(entries);
  expect(rawAsync).toEqual(entries);
  expect([rawCount, asyncCount]).toEqual([entries.length, entries.length]);
  expect([...db.keys()].map((k) => k.toString('hex'))).toEqual(entries.map((e) => e.split(':')[0]));
  expect([...db.values()].map((v) => v.toString('hex'))).toEqual(entries.map((e) => e.split(':')[1]));
  expect([...db].map(hex)).toEqual(entries);
  return entries;
}

const records = (n: number, size: (i: number) => number): Pair[] =>
  Array.from({ length: n }, (_, i) => [Buffer.from(`key-${i}`), Buffer.alloc(size(i), i & 0xff)]);

describe.each(['mmcdb', 'classic'] as const)('scans of %s files', (format) => {
  describe.each(modes)('$backend (windows: $windows)', (mode) => {
    it('every record in file order: 10,000 records (several native batches), empty key and value, duplicates', async () => {
      const recs = [
        ...records(10_000, (i) => i % 97),
        [Buffer.alloc(0), Buffer.alloc(0)] as Pair,
        [Buffer.from('dup'), Buffer.from('first')] as Pair,
        [Buffer.from('dup'), Buffer.from('second')] as Pair,
      ];
      const db = open(await make(recs, format), mode);
      expect(await scanAll(db)).toEqual(recs.map(hex));
      db.close();
    });

    it('huge values (larger than a window) and empty ones between small records', async () => {
      const recs: Pair[] = [
        [Buffer.from('a'), Buffer.alloc(0)],
        [Buffer.from('big1'), Buffer.alloc(100_000, 1)],
        [Buffer.from('b'), Buffer.from('x')],
        [Buffer.from('big2'), Buffer.alloc(3000, 2)],
        [Buffer.from('big3'), Buffer.alloc(1 << 20, 3)],
        [Buffer.from('c'), Buffer.alloc(0)],
      ];
      const db = open(await make(recs, format), mode);
      expect(await scanAll(db)).toEqual(recs.map(hex));
      db.close();
    });

    it('an empty file: no callback, 0 visited', async () => {
      const db = open(await make([], format), mode);
      expect(await scanAll(db)).toEqual([]);
      db.close();
    });

    it('returning false stops the scan; the count says how many records the callback saw', async () => {
      const db = open(
        await make(
          records(9000, () => 10),
          format,
        ),
        mode,
      );
      let seen = 0;
      // biome-ignore lint/suspicious/useIterableCallbackReturn: Reader.forEach is not Array#forEach: false stops it
      expect(db.forEach(() => ++seen < 5000 && undefined)).toBe(5000);
      expect(db.forEachRaw(() => false)).toBe(1);
      expect(await db.forEachRawAsync(async () => false)).toBe(1);
      // biome-ignore lint/suspicious/useIterableCallbackReturn: Reader.forEach is not Array#forEach: false stops it
      expect(db.forEach(() => 0)).toBe(9000); // only false stops
      db.close();
    });

    it('close() inside the callback stops every scan with ERR_CDB_CLOSED, and the reader stays closed', async () => {
      const file = await make(
        records(6000, () => 20),
        format,
      );
      const scans: [string, (db: Reader) => unknown][] = [
        [
          'forEach',
          (db) =>
            db.forEach(() => {
              db.close();
            }),
        ],
        [
          'forEachRaw',
          (db) =>
            db.forEachRaw(() => {
              db.close();
            }),
        ],
        [
          'entries',
          (db) => {
            for (const _ of db.entries()) db.close();
          },
        ],
        [
          'keys',
          (db) => {
            for (const _ of db.keys()) db.close();
          },
        ],
        [
          'values',
          (db) => {
            for (const _ of db.values()) db.close();
          },
        ],
      ];
      for (const [name, scan] of scans) {
        const db = open(file, mode);
        let err: unknown;
        try {
          scan(db);
        } catch (e) {
          err = e;
        }
        expect(isCdbError(err, 'ERR_CDB_CLOSED'), name).toBe(true);
        expect(db.closed).toBe(true);
        expect(() => db.forEach(() => {})).toThrow(/closed/);
      }
      const db = open(file, mode);
      await expect(db.forEachRawAsync(async () => db.close())).rejects.toMatchObject({ code: 'ERR_CDB_CLOSED' });
    });

    it('nested and interleaved scans each see every record', async () => {
      const recs = records(5000, (i) => i % 13);
      const db = open(await make(recs, format), mode);
      let outer = 0;
      let inner = 0;
      db.forEach((k) => {
        if (outer++ % 2000 === 0) inner += db.forEach(() => {});
        expect(k.length).toBeGreaterThan(0);
      });
      expect([outer, inner]).toEqual([5000, 3 * 5000]);
      const a = db.entries();
      const b = db.keys();
      for (const [k] of recs) {
        expect(a.next().value![0].equals(k)).toBe(true);
        expect((b.next().value as Buffer).equals(k)).toBe(true);
      }
      expect([a.next().done, b.next().done]).toEqual([true, true]);
      db.close();
    });

    it('breaking out of entries() / keys() ends that scan; later scans see every record; a done iterator stays done', async () => {
      const recs = records(3000, (i) => i % 5);
      const db = open(await make(recs, format), mode);
      for (let round = 0; round < 3; round++) {
        let i = 0;
        for (const [k] of db.entries()) if (++i === 10 || !k) break;
        for (const _ of db.keys()) if (++i === 20) break;
      }
      let seen = 0;
      db.forEach(() => {
        seen++;
      });
      expect(seen).toBe(3000);
      const it = db.values();
      expect([...it].length).toBe(3000);
      expect(it.next().done).toBe(true);
      const early = db.entries();
      expect(early.next().done).toBe(false);
      expect(early.return?.().done).toBe(true);
      expect(early.next().done).toBe(true);
      db.close();
    });

    it('a callback that is not a function is a TypeError before any record is read', async () => {
      const db = open(
        await make(
          records(3, () => 1),
          format,
        ),
        mode,
      );
      expect(() => db.forEach(42 as never)).toThrow(TypeError);
      expect(() => db.forEachRaw(undefined as never)).toThrow(TypeError);
      await expect(db.forEachRawAsync('x' as never)).rejects.toThrow(TypeError);
      db.close();
    });
  });
});

describe.runIf(backends.length > 0)('scans, property-based', () => {
  it('every scan of any records equals the records (duplicates all), or the live ones (duplicates last)', async () => {
    const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.oneof(bytes, fc.constantFrom(Buffer.from('k'), Buffer.from(''))), bytes), { maxLength: 60 }),
        fc.constantFrom<Format>('mmcdb', 'classic'),
        fc.boolean(),
        async (recs, format, last) => {
          const pairs = recs as Pair[];
          const options = last && format === 'mmcdb' ? { duplicates: 'last' as const } : {};
          const file = await make(pairs, format, options);
          // duplicates 'last': each key's last record, at its place in insertion order.
          const lastIndex = new Map(pairs.map(([k], i) => [k.toString('hex'), i]));
          const expected = (options.duplicates ? pairs.filter(([k], i) => lastIndex.get(k.toString('hex')) === i) : pairs).map(
            hex,
          );
          for (const mode of modes) {
            const db = open(file, mode);
            expect(await scanAll(db)).toEqual(expected);
            db.close();
            restore?.();
            restore = undefined;
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe.runIf(hasMmap).each(['mmcdb', 'classic'] as const)('a file truncated under a scan (%s)', (format) => {
  it('the next native batch throws ERR_CDB_TRUNCATED; views of the lost pages read zeros; the process survives', async () => {
    const file = await make(
      records(20_000, () => 100),
      format,
    );
    const child = fileURLToPath(new URL('./scan-truncation-child.mjs', import.meta.url));
    for (const scan of ['forEach', 'forEachRaw', 'entries']) {
      const copy = path.join(dir, `trunc-${fileNo++}.${format}`);
      spawnSync('cp', [file, copy]);
      const r = spawnSync(process.execPath, [child, copy, scan], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        code: string;
        seen: number;
        zeros: number;
        damaged: boolean;
      };
      expect(out.code).toBe('ERR_CDB_TRUNCATED');
      expect(out.seen).toBeGreaterThan(0);
      expect(out.seen).toBeLessThan(20_000);
      expect(out.zeros).toBeGreaterThan(0);
      expect(out.damaged).toBe(true);
    }
  });
});
