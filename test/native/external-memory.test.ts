// V8 counts every ArrayBuffer's length as external memory and collects garbage when that
// count grows by more than 64 MiB (handle.h kWindow): one ArrayBuffer over a whole 156 MB
// file made open() pay a full GC. Files over 32 MiB are therefore read through 32 MiB
// windows made on first use: open adds nothing to the count (process.memoryUsage()
// .external), a read makes one window.
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, openSync } from '@mmcdb/core';
import { fullGc } from './helpers/gc.js';
import { native } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const MiB = 2 ** 20;
const dir = tempDir('mmcdb-external-');
const file = path.join(dir, 'big.mmcdb');
// 96 values of 1 MiB and two of 20 MiB (larger than a window's stride: a range of their own).
const sizes = [...Array.from({ length: 96 }, () => MiB), 20 * MiB, 20 * MiB];

beforeAll(async () => {
  await build(file, sizes.map((size, i) => [`k${i}`, Buffer.alloc(size, i % 251)] as const), { fsync: false });
});

const external = () => process.memoryUsage().external;

describe('V8 external memory of a 136 MiB file', () => {
  it('open creates no ArrayBuffer; one read creates one 32 MiB window', () => {
    fullGc()();
    const before = external();
    const h = native.open(file);
    expect(h.segmentStride).toBe(16 * MiB);
    expect(h.segments.every((s) => s === undefined)).toBe(true);
    const db = openSync(file, { backend: 'mmap' });
    expect(external() - before).toBeLessThan(MiB);
    expect(db.get('k40')!.length).toBe(MiB);
    // Through the handle: the read made exactly one window, of 32 MiB.
    expect(h.get('k40')).toBe(1);
    expect(native.viewOf(h, h.out[0]!, h.out[1]!).length).toBe(MiB);
    const made = h.segments.filter((seg) => seg !== undefined);
    expect(made.map((seg) => seg!.byteLength)).toEqual([32 * MiB]);
    db.close();
    h.close();
  });

  it('every value reads back whole, through windows and ranges', () => {
    const db = openSync(file, { backend: 'mmap' });
    for (let i = 0; i < sizes.length; i++) {
      const v = db.get(`k${i}`)!;
      expect(v.length).toBe(sizes[i]);
      expect(v[0]).toBe(i % 251);
      expect(v[v.length - 1]).toBe(i % 251);
    }
    db.close();
  });
});
