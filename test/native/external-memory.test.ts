// Segments and V8's external memory (packages/native/src/segments.h): V8 counts every
// ArrayBuffer's length as external memory. Segments cover the data section only
// (segmentBase = 128 for mmcdb); one of ≤ 1 GiB gets its one segment at open, a larger
// one gets windows made on first use, so open adds nothing to the count. The window
// paths run here on a 136 MiB file with windows forced to 32 MiB every 16 MiB (the
// addon's test options) instead of a > 1 GiB file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, openSync } from '@mmcdb/core';
import { setTestHook } from '@mmcdb/core/internal';
import { native } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const MiB = 2 ** 20;
const W = 32 * MiB;
const S = 16 * MiB;
const dir = tempDir('mmcdb-external-');
const file = path.join(dir, 'big.mmcdb');
// 96 values of 1 MiB, two of 20 MiB (more than a stride: a range of their own), then a
// small one in the file's last stride.
const sizes = [...Array.from({ length: 96 }, () => MiB), 20 * MiB, 20 * MiB, 1000];

let data = 0; // bytes of the data section: [128, data_end)
let smallData = 0;
beforeAll(async () => {
  await build(
    file,
    sizes.map((size, i) => [`k${i}`, Buffer.alloc(size, i % 251)] as const),
    { fsync: false },
  );
  const head = Buffer.alloc(128);
  const fd = fs.openSync(file, 'r');
  fs.readSync(fd, head, 0, 128, 0);
  fs.closeSync(fd);
  data = Number(head.readBigUInt64LE(40)) - 128; // FORMAT.md §Header data_end
  await build(path.join(dir, 'small.mmcdb'), [['a', Buffer.alloc(40 * MiB, 1)]], { fsync: false });
  smallData = fs.statSync(path.join(dir, 'small.mmcdb')).size;
});

const external = () => process.memoryUsage().external;

describe('segments of a 136 MiB file', () => {
  it('one segment, made at open, up to 1 GiB (V8-API flavour) / 48 MiB (Node-API flavour: windows of 32 MiB every 16 MiB beyond)', () => {
    const h = native.open(file);
    expect(h.segmentBase).toBe(128);
    if (h.uncountedBuffers) {
      expect(h.segments.length).toBe(1);
      expect(h.segments[0]!.byteLength).toBe(data);
    } else {
      expect(h.segmentStride).toBe(16 * MiB);
      expect(h.segments.length).toBe(Math.ceil(data / (16 * MiB)));
      expect(h.segments.every((seg) => seg === undefined)).toBe(true);
      expect(h.get('k40')).toBe(1);
      expect(h.segment(0)!.byteLength).toBe(32 * MiB);
    }
    h.close();
    const small = native.open(path.join(dir, 'small.mmcdb'));
    expect(small.segments.length).toBe(1);
    // the data section: the one 40 MiB value and its record header, not the header or index
    expect(small.segments[0]!.byteLength).toBeGreaterThan(40 * MiB);
    expect(small.segments[0]!.byteLength).toBeLessThan(smallData - 128);
    small.close();
  });

  it('windows: open makes none; every offset has window floor((offset - base) / stride); a read makes one', () => {
    const before = external();
    const h = native.open(file, { windowSize: W, windowStride: S });
    expect(h.segmentStride).toBe(S);
    expect(h.segments.length).toBe(Math.ceil(data / S));
    expect(h.segments.every((seg) => seg === undefined)).toBe(true);
    expect(external() - before).toBeLessThan(MiB);
    expect(h.get('k40')).toBe(1);
    expect(native.viewOf(h, h.out[0]!, h.out[1]!).length).toBe(MiB);
    expect(h.segments.filter((seg) => seg !== undefined).map((seg) => seg!.byteLength)).toEqual([W]);
    const last = h.segment(h.segments.length - 1)!;
    expect(last.byteLength).toBe(data - (h.segments.length - 1) * S);
    expect(h.segment(h.segments.length)).toBeUndefined();
    h.close();
  });

  it('the reader answers through windows and ranges: views of windows up to a stride, whole values always', () => {
    const restore = setTestHook('windows', { windowSize: W, windowStride: S });
    try {
      const db = openSync(file, { backend: 'mmap' });
      const lastWindow = data - (Math.ceil(data / S) - 1) * S;
      for (let i = 0; i < sizes.length; i++) {
        const v = db.get(`k${i}`)!;
        expect(v.length).toBe(sizes[i]);
        expect(v[0]).toBe(i % 251);
        expect(v[v.length - 1]).toBe(i % 251);
        // ≤ a stride: a view of a window (the last stride too), not a copy or a range of its own
        if (sizes[i]! <= S) expect([W, lastWindow]).toContain(v.buffer.byteLength);
      }
      db.close();
    } finally {
      restore();
    }
  });
});
