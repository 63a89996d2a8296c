// getManyAsync(): the same results as getMany() (both formats), errors reject like
// get() throws, and close() / gc while batches are in flight never crash: jobs hold a
// mapping reference, so batches already started resolve normally and the file is
// unmapped only after the last one ends and the handle is collected.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildClassic } from './helpers/classic-builder.js';
import { fullGc } from './helpers/gc.js';
import { buildMmcdb, type Rec } from './helpers/mmcdb-builder.js';
import { native, refHasher, thrown, type NativeHandle } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const xx = await refHasher();
const dir = tempDir('mmcdb-native-async-');
let n = 0;
function write(bytes: Uint8Array, ext = 'mmcdb'): string {
  const file = path.join(dir, `a${n++}.${ext}`);
  fs.writeFileSync(file, bytes);
  return file;
}

const records: Rec[] = [
  ['alpha', 'one'],
  ['alpha', 'two'],
  ['', 'empty key'],
  ['novalue', ''],
];
for (let i = 0; i < 5000; i++) records.push([`k${i}`, `v${i}`.padEnd(10 + (i % 300), '.')]);
const big = Buffer.alloc(300_000, 7);
records.push(['big', big]);

function keySet(size: number): (string | Uint8Array)[] {
  const pool = ['alpha', '', 'novalue', 'missing', 'big', Buffer.from('k17'), new Uint8Array(0)];
  return Array.from({ length: size }, (_, i) => (i % 2 ? `k${(i * 13) % 5200}` : pool[i % pool.length]!));
}

function sync(h: NativeHandle, keys: (string | Uint8Array)[]): Float64Array {
  const out = new Float64Array(2 * keys.length);
  h.getMany(keys, out);
  return out;
}

function isMapped(file: string): boolean {
  return fs.readFileSync('/proc/self/maps', 'utf8').includes(file);
}

async function settle(gc: () => void, until: () => boolean): Promise<number> {
  for (let i = 0; i < 50; i++) {
    if (until()) return i;
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  return -1;
}

describe('getManyAsync', () => {
  for (const [name, bytes, ext] of [
    ['mmcdb', () => buildMmcdb(xx, records), 'mmcdb'],
    ['classic', () => buildClassic(records), 'cdb'],
  ] as const) {
    it(`${name}: resolves to getMany's offsets (0, 1, 7, 1000, 5000 keys)`, async () => {
      const h = native.open(write(bytes(), ext));
      for (const size of [0, 1, 7, 1000, 5000]) {
        const keys = keySet(size);
        const got = await h.getManyAsync(keys);
        expect(got).toBeInstanceOf(Float64Array);
        expect(got.length).toBe(2 * size);
        expect(Array.from(got)).toEqual(Array.from(sync(h, keys)));
      }
      // Concurrent batches (more jobs than threads) and a big value touched off-thread.
      const batches = Array.from({ length: 20 }, (_, i) => keySet(50 + i * 37));
      const results = await Promise.all(batches.map((k) => h.getManyAsync(k)));
      results.forEach((r, i) => {
        expect(Array.from(r)).toEqual(Array.from(sync(h, batches[i]!)));
      });
      const [bigOut] = [await h.getManyAsync(['big'])];
      expect(native.viewOf(h, bigOut[0]!, bigOut[1]!).equals(big)).toBe(true);
      h.close();
    });
  }

  it('the keys are copied at the call: changing them afterwards changes nothing', async () => {
    const h = native.open(write(buildMmcdb(xx, records)));
    const key = Buffer.from('alpha');
    const p = h.getManyAsync([key, 'novalue']);
    key.fill(0);
    const out = await p;
    expect(native.viewOf(h, out[0]!, out[1]!).toString()).toBe('one');
    h.close();
  });

  it('bad arguments throw synchronously; after close() calls throw ERR_CDB_CLOSED', () => {
    const h = native.open(write(buildMmcdb(xx, records)));
    expect(() => h.getManyAsync('abc' as unknown as string[])).toThrow(TypeError);
    expect(() => h.getManyAsync([{} as unknown as string])).toThrow(TypeError);
    h.close();
    expect(thrown(() => h.getManyAsync(['a'])).code).toBe('ERR_CDB_CLOSED');
  });

  for (const format of ['mmcdb', 'classic'] as const) {
    it(`${format}: corruption rejects with get()'s ERR_CDB_CORRUPT and offset`, async () => {
      const good = format === 'mmcdb' ? buildMmcdb(xx, records) : buildClassic(records);
      const bad = Buffer.from(good);
      // Every slot position points past the end of the file.
      if (format === 'mmcdb') {
        const io = Number(bad.readBigUInt64LE(48));
        const len = Number(bad.readBigUInt64LE(64));
        for (let i = 0; i < len; i++) {
          if (bad.readBigUInt64LE(io + 16 * i + 8) !== 0n) bad.writeBigUInt64LE(BigInt(bad.length + 5), io + 16 * i + 8);
        }
      } else {
        for (let o = bad.readUInt32LE(0); o < bad.length; o += 8) {
          if (bad.readUInt32LE(o + 4) !== 0) bad.writeUInt32LE(bad.length + 5, o + 4);
        }
      }
      const h = native.open(write(bad, format));
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
      const err = (await h.getManyAsync(keys).then(
        () => null,
        (e: unknown) => e,
      )) as (Error & { code?: string; offset?: number; path?: string }) | null;
      expect(err).toBeInstanceOf(Error);
      expect(err!.code).toBe('ERR_CDB_CORRUPT');
      expect(err!.offset).toBe(want.offset);
      expect(err!.message).toBe(want.message);
      expect(typeof err!.path).toBe('string');
      h.close();
    });
  }

  it('close() during 50 in-flight batches of 1000 keys: all resolve; gc then unmaps', async () => {
    const file = write(buildMmcdb(xx, records));
    const keys = keySet(1000);
    const gc = fullGc();
    const { pending, want } = (() => {
      const h = native.open(file);
      const want = Array.from(sync(h, keys));
      const pending = Array.from({ length: 50 }, () => h.getManyAsync(keys));
      h.close();
      expect(thrown(() => h.getManyAsync(keys)).code).toBe('ERR_CDB_CLOSED');
      return { pending, want };
    })();
    // Decided behaviour: batches started before close() complete normally.
    gc();
    const results = await Promise.allSettled(pending);
    for (const r of results) {
      expect(r.status).toBe('fulfilled');
      expect(Array.from((r as PromiseFulfilledResult<Float64Array>).value)).toEqual(want);
    }
    // The handle is unreachable and every job has ended: gc unmaps the file.
    expect(await settle(gc, () => !isMapped(file))).toBeGreaterThanOrEqual(0);
  });

  it('without segments, the jobs hold the only references: unmapped as the last one ends', async () => {
    const file = write(buildMmcdb(xx, records));
    const keys = keySet(1000);
    const h = native.open(file, { externalBuffers: false });
    const want = Array.from(sync(h, keys));
    const pending = Array.from({ length: 50 }, () => h.getManyAsync(keys));
    h.close(); // the handle's reference is gone; 50 × up to 4 jobs keep the pages
    const results = await Promise.all(pending);
    for (const r of results) expect(Array.from(r)).toEqual(want);
    expect(isMapped(file)).toBe(false); // no gc needed: the last job unmapped it
  });

  it('an unreachable handle (never closed) with batches in flight: results stay valid', async () => {
    const file = write(buildMmcdb(xx, records, { valueAlign: 8 }));
    const gc = fullGc();
    const keys = keySet(1000);
    const pending = (() => {
      const h = native.open(file, { externalBuffers: false });
      return Array.from({ length: 20 }, () => h.getManyAsync(keys));
    })();
    gc();
    const results = await Promise.all(pending);
    const h2 = native.open(file);
    const want = Array.from(sync(h2, keys));
    for (const r of results) expect(Array.from(r)).toEqual(want);
    h2.close();
  });
});
