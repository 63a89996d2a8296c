// getAsync/getManyAsync paths (docs/api.md §asyncIo): every path gives getMany's answers;
// the choice (option, MMCDB_ASYNC_IO, 'auto' and its fallback, forced by
// MMCDB_URING_FORCE_FAIL); AbortSignal on every backend; close() during a batch; and
// the slicing that keeps a big batch from holding the event loop (a structural check:
// the loop turns between slices — never a timing).
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build, buildSharded, openSync, type AsyncIo, type Backend, type Reader } from '@mmcdb/core';
import { AUTO_ASYNC_IO, NATIVE_SLICE_KEYS, testHooks } from '@mmcdb/core/internal';
import { availableAsyncIo, availableBackends } from '../../helpers/backends.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('mmcdb-async-io-');
const mmcdbFile = path.join(dir, 'a.mmcdb');
const classicFile = path.join(dir, 'a.cdb');
const setDir = path.join(dir, 'set');
const N = 30_000;
const records: [string, string][] = Array.from({ length: N }, (_, i) => [`key:${i}`, `value:${i}:${'v'.repeat(i % 40)}`]);
const keys = Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? `absent:${i}` : `key:${(i * 7919) % N}`));
const hex = (vs: (Buffer | undefined)[]) => vs.map((v) => v?.toString('hex'));

// Built before the suites are collected: which io paths run here is asked of a real reader.
await build(mmcdbFile, records);
await build(classicFile, records, { format: 'classic' });
await buildSharded(setDir, records.slice(0, 5000), { shards: 3, workers: 1, fsync: false });

const savedEnv = { ...process.env };
afterEach(() => {
  testHooks.asyncIoOrder = undefined;
  for (const k of ['MMCDB_ASYNC_IO', 'MMCDB_URING_FORCE_FAIL']) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

const hasMmap = availableBackends().includes('mmap');
const asyncPaths = availableAsyncIo;

// 'uring' twice: as it runs (a batch that starts with the whole file resident runs
// getMany's lookup) and with every batch walking (testHooks.uringWalkOnly).
const variants = (): [string, AsyncIo, boolean][] =>
  asyncPaths().flatMap((a): [string, AsyncIo, boolean][] =>
    a === 'uring'
      ? [
          [a, a, false],
          ['uring walk', a, true],
        ]
      : [[a, a, false]],
  );

describe.each(variants())('asyncIo %s', (_name, asyncIo, walkOnly) => {
  beforeEach(() => {
    testHooks.uringWalkOnly = walkOnly;
  });
  afterEach(() => {
    testHooks.uringWalkOnly = false;
  });
  for (const [format, file] of [
    ['mmcdb', mmcdbFile],
    ['classic', classicFile],
  ] as const) {
    it(`${format}: getManyAsync and getAsync equal getMany (0, 1, 7, 2049 and 20000 keys)`, async () => {
      const db = openSync(file, { backend: 'mmap', asyncIo, queueDepth: 8 });
      expect(db.asyncIo).toBe(asyncIo);
      for (const size of [0, 1, 7, 2049, keys.length]) {
        const batch = keys.slice(0, size);
        expect(hex(await db.getManyAsync(batch))).toEqual(hex(db.getMany(batch)));
      }
      // Cold: the file's pages dropped first (evict), then read back through this path.
      db.evict();
      expect(hex(await db.getManyAsync(keys))).toEqual(hex(db.getMany(keys)));
      expect((await db.getAsync('key:3'))?.toString()).toBe('value:3:vvv');
      expect(await db.getAsync('absent')).toBeUndefined();
      const concurrent = await Promise.all([1, 2, 3].map((i) => db.getManyAsync(keys.slice(i * 100, i * 900))));
      for (let i = 0; i < 3; i++) expect(hex(concurrent[i]!)).toEqual(hex(db.getMany(keys.slice((i + 1) * 100, (i + 1) * 900))));
      db.close();
    });
  }

  it('close() during an in-flight batch: the batch resolves, later calls throw ERR_CDB_CLOSED', async () => {
    const db = openSync(mmcdbFile, { backend: 'mmap', asyncIo });
    const want = hex(db.getMany(keys));
    db.evict();
    const p = db.getManyAsync(keys);
    db.close();
    expect(hex(await p)).toEqual(want);
    await expect(db.getManyAsync(['key:1'])).rejects.toMatchObject({ code: 'ERR_CDB_CLOSED' });
  });
});

/** Every reader getManyAsync runs on: each local backend (and each async path of mmap), and a sharded set. */
function readers(): [string, () => Reader][] {
  const list: [string, () => Reader][] = [];
  for (const backend of availableBackends() as Backend[]) {
    if (backend === 'mmap')
      for (const asyncIo of asyncPaths()) list.push([`mmap/${asyncIo}`, () => openSync(mmcdbFile, { backend, asyncIo })]);
    else list.push([backend, () => openSync(mmcdbFile, { backend })]);
  }
  list.push(['sharded set', () => openSync(setDir)]);
  return list;
}

describe.each(readers())('AbortSignal (%s)', (_name, openReader) => {
  it('aborted before the call: rejects with an AbortError; the reader stays usable', async () => {
    const db = openReader();
    const signal = AbortSignal.abort();
    await expect(db.getManyAsync(keys, { signal })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(db.getAsync('key:1', { signal })).rejects.toBeInstanceOf(DOMException);
    expect((await db.getAsync('key:1'))?.toString()).toBe('value:1:v');
    db.close();
  });

  it('aborted during the batch: rejects with an AbortError; later batches answer in full', async () => {
    const db = openReader();
    const ac = new AbortController();
    const p = db.getManyAsync(keys, { signal: ac.signal });
    setImmediate(() => ac.abort());
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe('AbortError');
    const small = keys.slice(0, 300);
    expect(hex(await db.getManyAsync(small))).toEqual(hex(db.getMany(small)));
    // A signal that is never aborted changes nothing.
    expect(hex(await db.getManyAsync(small, { signal: new AbortController().signal }))).toEqual(hex(db.getMany(small)));
    db.close();
  });

  it('bad options throw TypeError', async () => {
    const db = openReader();
    await expect(db.getManyAsync(['a'], { signal: 'x' as unknown as AbortSignal })).rejects.toThrow(TypeError);
    await expect(db.getManyAsync(['a'], 3 as unknown as object)).rejects.toThrow(TypeError);
    db.close();
  });
});

describe.each(readers())('slices (%s)', (_name, openReader) => {
  it('getManyAsync(20000) resolves across event-loop turns, never in one synchronous run', async () => {
    const db = openReader();
    await db.getManyAsync(keys.slice(0, 10)); // the path is picked
    let turns = 0;
    let running = true;
    const tick = () => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const values = await db.getManyAsync(keys);
    running = false;
    expect(values.length).toBe(keys.length);
    // ≥ one turn per slice: at most NATIVE_SLICE_KEYS (2048) keys are handed over, or turned into values, per turn.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(keys.length / NATIVE_SLICE_KEYS));
    db.close();
  });
});

describe.runIf(hasMmap)('the choice', () => {
  it('asyncIo and MMCDB_ASYNC_IO are checked; queueDepth too', () => {
    expect(() => openSync(mmcdbFile, { asyncIo: 'fast' as 'auto' })).toThrow(RangeError);
    expect(() => openSync(mmcdbFile, { queueDepth: 0 })).toThrow(RangeError);
    expect(() => openSync(mmcdbFile, { queueDepth: 1.5 })).toThrow(RangeError);
    process.env['MMCDB_ASYNC_IO'] = 'nope';
    expect(() => openSync(mmcdbFile)).toThrow(/MMCDB_ASYNC_IO/);
    process.env['MMCDB_ASYNC_IO'] = 'willneed';
    const db = openSync(mmcdbFile, { backend: 'mmap' });
    expect(db.asyncIo).toBe('willneed');
    expect(db.asyncFallbackReason).toBeUndefined();
    db.close();
  });

  it('auto takes the first path of its order that works, with no fallback reason', () => {
    const db = openSync(mmcdbFile, { backend: 'mmap' });
    expect(db.asyncIo).toBe(AUTO_ASYNC_IO[0]);
    expect(db.asyncFallbackReason).toBeUndefined();
    db.close();
  });

  it('MMCDB_URING_FORCE_FAIL: auto falls back (with the reason), an explicit uring throws ERR_CDB_BACKEND', async () => {
    testHooks.asyncIoOrder = ['uring', 'willneed', 'threadpool'];
    process.env['MMCDB_URING_FORCE_FAIL'] = '1';
    const db = openSync(mmcdbFile, { backend: 'mmap' });
    expect(db.asyncIo).toBe('willneed');
    expect(db.asyncFallbackReason).toMatch(/^uring: .*MMCDB_URING_FORCE_FAIL/);
    expect(hex(await db.getManyAsync(keys.slice(0, 500)))).toEqual(hex(db.getMany(keys.slice(0, 500))));
    db.close();
    expect(() => openSync(mmcdbFile, { backend: 'mmap', asyncIo: 'uring' })).toThrow(
      expect.objectContaining({ code: 'ERR_CDB_BACKEND', message: expect.stringMatching(/uring/) }),
    );
    for (const errno of ['EPERM', 'ENOSYS']) {
      process.env['MMCDB_URING_FORCE_FAIL'] = errno;
      const r = openSync(mmcdbFile, { backend: 'mmap' });
      expect(r.asyncIo).not.toBe('uring');
      expect(r.asyncFallbackReason).toContain(errno);
      r.close();
    }
  });

  it('a sharded set reports the path its shards take, and its fallback reason', async () => {
    for (const asyncIo of asyncPaths()) {
      const set = openSync(setDir, { backend: 'mmap', asyncIo });
      expect(set.asyncIo).toBe(asyncIo);
      const some = keys.slice(0, 700);
      expect(hex(await set.getManyAsync(some))).toEqual(hex(set.getMany(some)));
      set.close();
      expect(set.asyncIo).toBeUndefined();
    }
    testHooks.asyncIoOrder = ['uring', 'willneed', 'threadpool'];
    process.env['MMCDB_URING_FORCE_FAIL'] = '1';
    const set = openSync(setDir, { backend: 'mmap' });
    expect(set.asyncIo).toBe('willneed');
    expect(set.asyncFallbackReason).toMatch(/^uring: .*MMCDB_URING_FORCE_FAIL/);
    set.close();
    const onPread = openSync(setDir, { backend: 'pread' });
    expect(onPread.asyncIo).toBeUndefined();
    onPread.close();
  });

  it('the other backends have no async path to choose', () => {
    for (const backend of availableBackends().filter((b) => b !== 'mmap')) {
      const db = openSync(mmcdbFile, { backend, asyncIo: 'willneed' });
      expect(db.asyncIo).toBeUndefined();
      db.close();
    }
  });
});
