// The handle's other getManyAsync paths (index.d.cts): mode 'willneed' and the io_uring
// ring (uringStart / uringGetMany) give getMany's offsets for both formats, reject
// corruption with get()'s error (the first key, in order), stop early once the cancel
// flag is set, and survive close() with batches in flight.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildClassic } from './helpers/classic-builder.js';
import { buildMmcdb, type Rec } from './helpers/mmcdb-builder.js';
import { native, refHasher, thrown, type NativeHandle } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const xx = await refHasher();
const dir = tempDir('mmcdb-native-paths-');
let n = 0;
function write(bytes: Uint8Array, ext: string): string {
  const file = path.join(dir, `p${n++}.${ext}`);
  fs.writeFileSync(file, bytes);
  return file;
}

const records: Rec[] = [
  ['alpha', 'one'],
  ['alpha', 'two'],
  ['', 'empty key'],
  ['novalue', ''],
];
for (let i = 0; i < 4000; i++) records.push([`k${i}`, `v${i}`.padEnd(10 + (i % 300), '.')]);
records.push(['big', Buffer.alloc(600_000, 9)]); // more than one 256 KiB read

const keySet = (size: number): (string | Uint8Array)[] =>
  Array.from({ length: size }, (_, i) =>
    i % 3 ? `k${(i * 13) % 4200}` : ['alpha', '', 'novalue', 'missing', 'big', Buffer.from('k17')][i % 6]!,
  );

function sync(h: NativeHandle, keys: (string | Uint8Array)[]): number[] {
  const out = new Float64Array(2 * keys.length);
  h.getMany(keys, out);
  return Array.from(out);
}

/** The paths a handle offers here; the ring only where it starts (else the reason is printed). */
function paths(h: NativeHandle): [string, (keys: (string | Uint8Array)[], cancel?: Int32Array) => Promise<Float64Array>][] {
  // 'willneed' and 'threadpool' two ways each: on a file resident in whole a batch is
  // answered in its call (batch_async.cc RunResident); evicted first, it goes to the pool.
  const list: [string, (keys: (string | Uint8Array)[], cancel?: Int32Array) => Promise<Float64Array>][] = [
    ['threadpool', (k, c) => h.getManyAsync(k, 'threadpool', c)],
    [
      'threadpool, evicted first',
      (k, c) => {
        h.evict();
        return h.getManyAsync(k, 'threadpool', c);
      },
    ],
    ['willneed', (k, c) => h.getManyAsync(k, 'willneed', c)],
    [
      'willneed, evicted first',
      (k, c) => {
        h.evict();
        return h.getManyAsync(k, 'willneed', c);
      },
    ],
  ];
  const why = h.uringStart?.(16);
  // The ring two ways: a batch that starts with the whole file resident runs getMany's
  // lookup; walkOnly makes every batch walk (what a cold or partly cold file does).
  if (why === undefined && h.uringGetMany) {
    list.push(['uring', (k, c) => h.uringGetMany!(k, c)], ['uring walk', (k, c) => h.uringGetMany!(k, c, true)]);
  } else console.warn(`[async-paths] io_uring not tested: ${why}`);
  return list;
}

describe.each([
  ['mmcdb', () => buildMmcdb(xx, records), 'mmcdb'],
  ['classic', () => buildClassic(records), 'cdb'],
] as const)('%s', (_name, bytes, ext) => {
  it("every path resolves to getMany's offsets (0, 1, 7, 1000, 4500 keys), cold and warm, and concurrently", async () => {
    const h = native.open(write(bytes(), ext));
    for (const [, run] of paths(h)) {
      for (const size of [0, 1, 7, 1000, 4500]) {
        const keys = keySet(size);
        expect(Array.from(await run(keys))).toEqual(sync(h, keys));
      }
      h.evict();
      const keys = keySet(4500);
      expect(Array.from(await run(keys))).toEqual(sync(h, keys));
      const batches = Array.from({ length: 12 }, (_, i) => keySet(40 + i * 53));
      const results = await Promise.all(batches.map((k) => run(k)));
      for (let i = 0; i < batches.length; i++) expect(Array.from(results[i]!)).toEqual(sync(h, batches[i]!));
    }
    h.close();
  });

  it("corruption rejects with get()'s ERR_CDB_CORRUPT, message and offset on every path", async () => {
    const bad = Buffer.from(bytes());
    if (ext === 'mmcdb') {
      const io = Number(bad.readBigUInt64LE(48));
      const len = Number(bad.readBigUInt64LE(64));
      for (let i = 0; i < len; i += 2) {
        if (bad.readBigUInt64LE(io + 16 * i + 8) !== 0n) bad.writeBigUInt64LE(BigInt(bad.length + 5), io + 16 * i + 8);
      }
    } else {
      for (let o = bad.readUInt32LE(0), i = 0; o < bad.length; o += 8, i++) {
        if (i % 2 === 0 && bad.readUInt32LE(o + 4) !== 0) bad.writeUInt32LE(bad.length + 5, o + 4);
      }
    }
    const h = native.open(write(bad, ext));
    const keys = ['missing', ...keySet(2000)];
    const first = keys.find((k) => {
      try {
        h.get(k);
        return false;
      } catch {
        return true;
      }
    })!;
    const want = thrown(() => h.get(first));
    for (const [name, run] of paths(h)) {
      const err = (await run(keys).then(
        () => null,
        (e: unknown) => e,
      )) as (Error & { code?: string; offset?: number }) | null;
      expect(err, name).toBeInstanceOf(Error);
      expect(err!.code).toBe('ERR_CDB_CORRUPT');
      expect(err!.message).toBe(want.message);
      expect(err!.offset).toBe(want.offset);
    }
    h.close();
  });

  it('a set cancel flag ends the batch early; close() with batches in flight: they resolve', async () => {
    const file = write(bytes(), ext);
    const h = native.open(file);
    const keys = keySet(4000);
    const want = sync(h, keys);
    for (const [, run] of paths(h)) {
      const cancel = new Int32Array([1]);
      const early = await run(keys, cancel); // resolves (the caller gave up on it): no answers promised
      expect(early.length).toBe(2 * keys.length);
    }
    const pending = paths(h).flatMap(([, run]) => Array.from({ length: 5 }, () => run(keys)));
    h.evict();
    h.close();
    expect(thrown(() => h.getManyAsync(keys, 'willneed')).code).toBe('ERR_CDB_CLOSED');
    if (h.uringGetMany) expect(thrown(() => h.uringGetMany!(keys)).code).toBe('ERR_CDB_CLOSED');
    for (const r of await Promise.all(pending)) expect(Array.from(r)).toEqual(want);
  });
});

describe('io_uring residency (residency_map.h)', () => {
  /** A synced file (dirty pages cannot be evicted), its handle's ring started, one warm batch run through it. */
  async function warmRing() {
    const file = write(buildMmcdb(xx, records), 'mmcdb');
    const fd = fs.openSync(file, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    const h = native.open(file);
    if (h.uringStart?.(16) !== undefined || !h.uringGetMany) {
      console.warn('[async-paths] io_uring not available: residency case not run');
      h.close();
      return undefined;
    }
    const keys = keySet(4500);
    const want = sync(h, keys);
    expect(Array.from(await h.uringGetMany(keys))).toEqual(want); // every chunk checked, all resident
    return { file, h: h as NativeHandle & { uringGetMany: NonNullable<NativeHandle['uringGetMany']> }, keys, want };
  }

  it('after evict() the ring forgets what it saw resident: a cold batch reads, the JS thread takes no major fault', async () => {
    const ring = await warmRing();
    if (ring === undefined) return;
    const { file, h, keys, want } = ring;
    const size = fs.statSync(file).size;
    expect(h.evict()).toBeLessThan(size / 2);
    const before = process.resourceUsage().majorPageFault;
    expect(Array.from(await h.uringGetMany(keys))).toEqual(want);
    // The ring's reads run on io-wq workers; the walk reads only pages they brought in.
    expect(process.resourceUsage().majorPageFault - before).toBe(0);
    h.close();
  });

  it('pages evicted behind its back: after 250 ms the map asks mincore again, so the walk reads them', async () => {
    const ring = await warmRing();
    if (ring === undefined) return;
    const { file, h, keys, want } = ring;
    h.advise('dontneed'); // this handle lets go of its pages without telling its ring
    const other = native.open(file);
    expect(other.evict()).toBeLessThan(fs.statSync(file).size / 2); // the page cache drops them
    other.close();
    await new Promise((r) => setTimeout(r, 300)); // > ResidencyMap::kFreshMs
    const before = process.resourceUsage().majorPageFault;
    expect(Array.from(await h.uringGetMany(keys))).toEqual(want);
    expect(process.resourceUsage().majorPageFault - before).toBe(0);
    h.close();
  });
});

describe.each([
  ['io_uring (UringRing::Start)', 'uring'],
  ["'willneed' (batch_async.cc RunResident)", 'willneed'],
] as const)('batches settled inside their call: %s', (_name, mode) => {
  it('a warm batch resolves without a loop turn; a chain of them still lets the loop turn', async () => {
    const h = native.open(write(buildMmcdb(xx, records), 'mmcdb'));
    if (mode === 'uring' && (h.uringStart?.(16) !== undefined || !h.uringGetMany)) {
      console.warn('[async-paths] io_uring not available: inline case not run');
      h.close();
      return;
    }
    const run = (k: (string | Uint8Array)[]) => (mode === 'uring' ? h.uringGetMany!(k) : h.getManyAsync(k, 'willneed'));
    const keys = keySet(64);
    const want = sync(h, keys);
    await run(keys); // the whole-file sweep runs: every page is resident
    let settled: number[] | undefined;
    void run(keys).then((r) => {
      settled = Array.from(r);
    });
    for (let i = 0; i < 3; i++) await Promise.resolve(); // microtasks only: no loop turn
    expect(settled).toEqual(want);
    // Awaited one after another, such batches would hold the loop forever; after
    // kInlineTickUs of them in one loop tick (inline_budget.h), a batch waits for a turn.
    let turns = 0;
    let stop = false;
    const tick = () => {
      turns++;
      if (!stop) setImmediate(tick);
    };
    setImmediate(tick);
    const t0 = performance.now();
    while (performance.now() - t0 < 50) expect(Array.from(await run(keys))).toEqual(want);
    stop = true;
    expect(turns).toBeGreaterThan(5);
    h.close();
  });
});

describe('arguments', () => {
  it('mode and cancel are checked; uringStart answers the same twice', () => {
    const h = native.open(write(buildMmcdb(xx, records), 'mmcdb'));
    expect(() => h.getManyAsync(['a'], 'fast' as 'willneed')).toThrow(TypeError);
    expect(() => h.getManyAsync(['a'], 'willneed', new Float64Array(1) as unknown as Int32Array)).toThrow(TypeError);
    expect(() => h.uringStart?.(0)).toThrow(RangeError);
    expect(h.uringStart?.(8)).toBe(h.uringStart?.(8));
    if (h.uringStart?.(8) === undefined && h.uringGetMany) {
      expect(() => h.uringGetMany!(['a'], undefined, 1 as unknown as boolean)).toThrow(TypeError);
    }
    h.close();
  });
});
