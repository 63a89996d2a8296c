// getManyAsync on the pread backend (reader/pread-async.ts, source/range-reads.ts): while
// reads come back fast they are synchronous, never more than the turn's budget at a time;
// after a slow (disk) one they go through libuv (fs.read on the threadpool), at most
// asyncReadLimit() queued; values of every size, both formats, equal get()'s either way;
// a close() during a batch lets it finish; a file cut short rejects with ERR_CDB_TRUNCATED.
// The thresholds are set through test hooks, so nothing here depends on timing.
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { build, openSync } from '@mmcdb/core';
import { asyncReadLimit, testHooks } from '@mmcdb/core/internal';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('mmcdb-pread-async-');
const cjsFs = createRequire(import.meta.url)('node:fs') as typeof fs;
// Values of 0 B to 20 KiB: some end inside their record's first page, some run on past it.
const records: [string, Buffer][] = Array.from({ length: 3000 }, (_, i) => [
  `key:${i}`,
  Buffer.alloc((i * 977) % 20_000, i % 251),
]);
records.push(['key:7', Buffer.from('second value of 7')]);
// Past 32 KiB a value is read whole into a Buffer of its own (ReadTuning.wholeValueBytes),
// past 64 KiB always on the threadpool.
const big = [40_000, 100_000, 300_000].map((n, i): [string, Buffer] => [`big:${i}`, Buffer.alloc(n, 0x41 + i)]);
records.push(...big);
const keys = Array.from({ length: 2000 }, (_, i) => (i % 9 === 0 ? `absent:${i}` : `key:${(i * 7919) % 3000}`));
keys.push(...big.map(([k]) => k));
const hex = (vs: (Buffer | undefined)[]) => vs.map((v) => v?.toString('hex'));
const files = { mmcdb: path.join(dir, 'p.mmcdb'), classic: path.join(dir, 'p.cdb') };
await build(files.mmcdb, records);
await build(files.classic, records, { format: 'classic' });

const real = { read: cjsFs.read, readSync: cjsFs.readSync };
afterEach(() => {
  testHooks.preadAsyncOnly = false;
  testHooks.preadColdReadMs = undefined;
  testHooks.preadTurnBudgetMs = undefined;
  cjsFs.read = real.read;
  cjsFs.readSync = real.readSync;
  syncBuiltinESMExports();
});

/** Counts fs.read calls (and the most in flight at once) and readSync calls from now on. */
function countReads(): { reads: number; maxInFlight: number; readSyncs: number } {
  const c = { reads: 0, maxInFlight: 0, readSyncs: 0 };
  let inFlight = 0;
  cjsFs.read = ((...args: unknown[]) => {
    c.reads++;
    c.maxInFlight = Math.max(c.maxInFlight, ++inFlight);
    const cb = args.pop() as (...r: unknown[]) => void;
    (real.read as (...a: unknown[]) => void)(...args, (...r: unknown[]) => {
      inFlight--;
      cb(...r);
    });
  }) as typeof fs.read;
  cjsFs.readSync = ((...args: Parameters<typeof fs.readSync>) => {
    c.readSyncs++;
    return real.readSync(...args);
  }) as typeof fs.readSync;
  syncBuiltinESMExports();
  return c;
}

/** Counts event-loop turns (setImmediate callbacks, one a turn) until stop(), which returns the count. */
function countTurns(): { stop(): number } {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      running = false;
      return turns;
    },
  };
}

describe.each(Object.entries(files))('%s file on pread', (_format, file) => {
  it("on the threadpool: getManyAsync's values equal get()'s, read by fs.read only, at most asyncReadLimit() at once", async () => {
    testHooks.preadAsyncOnly = true;
    const db = openSync(file, { backend: 'pread' });
    const want = hex(keys.map((k) => db.get(k)));
    const c = countReads();
    const got = await db.getManyAsync(keys);
    expect(hex(got)).toEqual(want);
    expect(c.readSyncs).toBe(0);
    // A slot run and a record a lookup, more for a value past its first page or a collision.
    expect(c.reads).toBeGreaterThanOrEqual(keys.length);
    expect(c.maxInFlight).toBeGreaterThan(1);
    expect(c.maxInFlight).toBeLessThanOrEqual(asyncReadLimit());
    expect((await db.getAsync('key:7'))?.length).toBe(records[7]![1].length);
    db.close();
  });

  it("fast reads: synchronous, the threadpool only past 64 KiB, values equal get()'s", async () => {
    testHooks.preadColdReadMs = Number.POSITIVE_INFINITY; // no read counts as a disk read
    const db = openSync(file, { backend: 'pread' });
    const want = hex(db.getMany(keys));
    const c = countReads();
    expect(hex(await db.getManyAsync(keys))).toEqual(want);
    expect(c.reads).toBe(2); // only the two values over 64 KiB (range-reads.ts SYNC_MAX_BYTES)
    expect(c.readSyncs).toBeGreaterThanOrEqual(keys.length);
    db.close();
  });

  it('synchronous reads yield the loop turn once the budget is spent', async () => {
    testHooks.preadColdReadMs = Number.POSITIVE_INFINITY;
    testHooks.preadTurnBudgetMs = 0; // every read after a turn's first waits for the next turn
    const db = openSync(file, { backend: 'pread' });
    const batch = keys.slice(0, 100); // one slice: no turn between slices
    const want = hex(db.getMany(batch));
    const c = countReads();
    const turns = countTurns();
    const got = hex(await db.getManyAsync(batch));
    expect(got).toEqual(want);
    expect(turns.stop()).toBeGreaterThanOrEqual(c.readSyncs - 1);
    expect(c.readSyncs).toBeGreaterThanOrEqual(100);
    db.close();
  });

  it('two slow reads send the rest of the batch to the threadpool', async () => {
    testHooks.preadColdReadMs = -1; // every read counts as a disk read
    const db = openSync(file, { backend: 'pread' });
    const want = hex(db.getMany(keys));
    const c = countReads();
    const t0 = performance.now();
    expect(hex(await db.getManyAsync(keys))).toEqual(want);
    const ms = performance.now() - t0;
    // Two reads, then the threadpool for 50 ms, then two tries again, the wait doubling
    // up to 1 s (range-reads.ts RETRY_SYNC_MS): tries start at 0, 50, 150, 350, 750, 1550 ms, …
    const tries = Math.floor(Math.log2(ms / 50 + 1)) + 1 + Math.max(0, Math.ceil((ms - 1550) / 1000));
    expect(c.readSyncs).toBeGreaterThanOrEqual(2);
    expect(c.readSyncs).toBeLessThanOrEqual(2 * tries);
    expect(c.reads).toBeGreaterThanOrEqual(keys.length);
    db.close();
  });

  it('a batch of one slice on the threadpool lets the event loop turn while its reads are out', async () => {
    testHooks.preadAsyncOnly = true;
    const db = openSync(file, { backend: 'pread' });
    const turns = countTurns();
    const values = await db.getManyAsync(keys.slice(0, 100));
    expect(values.length).toBe(100);
    expect(turns.stop()).toBeGreaterThan(0); // two rounds of reads: at least one turn between them
    db.close();
  });

  it.each([false, true])(
    'close() during a batch (threadpool only: %s): the batch resolves, later calls throw ERR_CDB_CLOSED',
    async (asyncOnly) => {
      testHooks.preadAsyncOnly = asyncOnly;
      const db = openSync(file, { backend: 'pread' });
      const want = hex(db.getMany(keys));
      const p = db.getManyAsync(keys);
      db.close();
      expect(hex(await p)).toEqual(want);
      await expect(db.getManyAsync(['key:1'])).rejects.toMatchObject({ code: 'ERR_CDB_CLOSED' });
    },
  );

  it.each([false, true])(
    'a file cut short under the reader (threadpool only: %s): ERR_CDB_TRUNCATED, the reader stays usable',
    async (asyncOnly) => {
      testHooks.preadAsyncOnly = asyncOnly;
      const copy = path.join(dir, `cut-${asyncOnly}-${path.basename(file)}`);
      fs.copyFileSync(file, copy);
      const db = openSync(copy, { backend: 'pread' });
      fs.truncateSync(copy, 4096);
      await expect(db.getManyAsync(keys)).rejects.toMatchObject({ name: 'CdbError', code: 'ERR_CDB_TRUNCATED' });
      fs.copyFileSync(file, copy); // same inode, whole again
      expect(hex(await db.getManyAsync(keys.slice(0, 50)))).toEqual(hex(db.getMany(keys.slice(0, 50))));
      db.close();
    },
  );
});
