// Page-cache control: evict() drops the file's pages (residency() shows it), warm()
// brings the index (or everything) back off the JS thread, advise() takes the five
// madvise names, and open()'s advice option. Numbers are printed for the record.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildClassic } from './helpers/classic-builder.js';
import { buildMmcdb, type Rec } from './helpers/mmcdb-builder.js';
import { native, refHasher, thrown, type NativeHandle } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const xx = await refHasher();
const dir = tempDir('mmcdb-native-residency-');
const TMPFS_MAGIC = 0x01021994;
const onTmpfs = fs.statfsSync(dir).type === TMPFS_MAGIC;
if (onTmpfs) console.warn(`[native/residency] ${dir} is tmpfs: its pages cannot be evicted, eviction checks skipped`);

let n = 0;
/** Written and fsynced: dirty pages would survive POSIX_FADV_DONTNEED (writeback is only started). */
function write(bytes: Uint8Array, ext: string): string {
  const file = path.join(dir, `r${n++}.${ext}`);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, bytes);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  return file;
}

const records: Rec[] = [];
for (let i = 0; i < 40_000; i++) records.push([`key:${i}`, `value ${i} `.padEnd(100, '#')]);

const total = (r: ReturnType<NativeHandle['residency']>) => r.index.resident + r.data.resident;
const fmt = (r: ReturnType<NativeHandle['residency']>) =>
  `index ${r.index.resident}/${r.index.total}, data ${r.data.resident}/${r.data.total}`;

describe('residency, evict, warm', () => {
  for (const [format, make] of [
    ['mmcdb', () => buildMmcdb(xx, records)],
    ['classic', () => buildClassic(records)],
  ] as const) {
    it(`${format}: evict() drops the pages, warm('index') brings the whole index back`, async () => {
      const bytes = make();
      const h = native.open(write(bytes, format));
      const r0 = h.residency();
      expect(r0.pageSize).toBeGreaterThanOrEqual(4096);
      if (format === 'mmcdb') {
        expect(r0.index.total).toBe(Number(bytes.readBigUInt64LE(72)) - Number(bytes.readBigUInt64LE(48)));
        expect(r0.data.total).toBe(Number(bytes.readBigUInt64LE(40)) - 128);
      } else {
        expect(r0.index.total).toBe(bytes.length - bytes.readUInt32LE(0) + 2048);
        expect(r0.data.total).toBe(bytes.readUInt32LE(0) - 2048);
      }
      const left = h.evict();
      const r1 = h.residency();
      console.log(`[${format}] ${bytes.length} bytes; before evict: ${fmt(r0)}; evict() left ${left}; after: ${fmt(r1)}`);
      expect(total(r1)).toBeLessThanOrEqual(left);
      if (!onTmpfs) {
        if (left > 0) console.warn(`[${format}] evict() left ${left} bytes resident (another process maps them?)`);
        expect(total(r1)).toBeLessThan(total(r0) / 4 + 65536);
      }
      await h.warm('index');
      const r2 = h.residency();
      console.log(`[${format}] after warm('index'): ${fmt(r2)}`);
      expect(r2.index.resident).toBe(r2.index.total);
      await h.warm('all');
      const r3 = h.residency();
      expect(r3.index.resident).toBe(r3.index.total);
      expect(r3.data.resident).toBe(r3.data.total);
      // Lookups still work after all that.
      expect(h.get('key:123')).toBe(1);
      expect(native.viewOf(h, h.out[0]!, h.out[1]!).toString()).toMatch(/^value 123 #+$/);
      h.close();
      expect(thrown(() => h.residency()).code).toBe('ERR_CDB_CLOSED');
      expect(thrown(() => h.evict()).code).toBe('ERR_CDB_CLOSED');
      expect(thrown(() => h.warm('all')).code).toBe('ERR_CDB_CLOSED');
    });
  }

  it('views survive evict(); private writes into them revert to the file bytes', () => {
    const h = native.open(write(buildMmcdb(xx, records), 'mmcdb'));
    expect(h.get('key:7')).toBe(1);
    const v = native.viewOf(h, h.out[0]!, h.out[1]!);
    const text = v.toString();
    v[0] = 'X'.charCodeAt(0);
    expect(v.toString()).toBe('X' + text.slice(1));
    h.evict();
    expect(v.toString()).toBe(text); // documented: MADV_DONTNEED discards private copies
    h.close();
  });

  it("warm() rejects other targets; close() while warm('all') runs is safe", async () => {
    const h = native.open(write(buildMmcdb(xx, records), 'mmcdb'));
    expect(() => h.warm('data' as 'all')).toThrow(RangeError);
    expect(() => h.warm(1 as unknown as 'all')).toThrow(TypeError);
    h.evict();
    const p = h.warm('all');
    h.close();
    await expect(p).resolves.toBeUndefined();
  });

  it('warm() reads through a descriptor of its own and closes it, also when the handle closes meanwhile', async () => {
    const file = write(buildMmcdb(xx, records), 'mmcdb');
    const fds = () => fs.readdirSync('/proc/self/fd').length;
    const h = native.open(file);
    const before = fds();
    for (let i = 0; i < 20; i++) {
      h.evict();
      await h.warm(i % 2 ? 'all' : 'index');
    }
    expect(h.residency().index.resident).toBe(h.residency().index.total);
    expect(fds()).toBe(before);
    const other = native.open(file);
    other.evict();
    const p = other.warm('all');
    other.close(); // the job's descriptor is its own: the read goes on, then it is closed
    await p;
    h.close();
    expect(fds()).toBe(before - 1); // h's own descriptor
  });
});

describe('advise and the open() advice option', () => {
  it('advise takes the five names, a range, and nothing else', () => {
    const file = write(buildMmcdb(xx, records), 'mmcdb');
    const h = native.open(file);
    for (const a of ['normal', 'random', 'sequential', 'willneed', 'dontneed'] as const) {
      h.advise(a);
      h.advise(a, 100);
      h.advise(a, 5000, 10_000);
      h.advise(a, h.fileSize, 0);
    }
    for (const bad of ['', 'RANDOM', 'hugepage', 'free', 'remove', 'willneed ']) {
      expect(() => h.advise(bad as 'normal')).toThrow(RangeError);
    }
    expect(() => h.advise(3 as unknown as 'normal')).toThrow(TypeError);
    expect(() => h.advise('normal', h.fileSize + 1)).toThrow(RangeError);
    expect(() => h.advise('normal', 10, h.fileSize)).toThrow(RangeError);
    expect(() => h.advise('normal', -1)).toThrow(RangeError);
    expect(() => h.advise('normal', 1.5)).toThrow(RangeError);
    expect(h.get('key:1')).toBe(1);
    h.close();
    expect(thrown(() => h.advise('normal')).code).toBe('ERR_CDB_CLOSED');
  });

  it('open(path, { advice }) takes normal | random | sequential', () => {
    const file = write(buildMmcdb(xx, records), 'mmcdb');
    for (const advice of ['normal', 'random', 'sequential'] as const) {
      const h = native.open(file, { advice });
      expect(h.get('key:39999')).toBe(1);
      h.close();
    }
    for (const bad of ['willneed', 'dontneed', 'x']) {
      expect(() => native.open(file, { advice: bad as 'normal' })).toThrow(RangeError);
    }
    expect(() => native.open(file, { advice: 1 as unknown as 'normal' })).toThrow(TypeError);
    native.open(file, { advice: undefined }).close();
  });
});
