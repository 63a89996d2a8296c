// What only the mmap backend promises: zero-copy views, a private mapping, safe lifetime
// after close(), mapped bytes in stats(), and an explained fallback when the addon is missing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, openSync } from '@mmcdb/core';
import { loadNative, setTestHook } from '@mmcdb/core/internal';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir();
const file = path.join(dir, 'mmap.mmcdb');
const native = loadNative();

beforeAll(async () => {
  await build(
    file,
    Array.from({ length: 1000 }, (_, i) => [`k${i}`, `value number ${i}`] as const),
  );
});

describe.runIf(native.ok)('mmap backend', () => {
  it('two gets return views over the same ArrayBuffer (zero-copy)', () => {
    const db = openSync(file, { backend: 'mmap' });
    const a = db.get('k1')!;
    const b = db.get('k999')!;
    expect(a.buffer).toBe(b.buffer);
    // The views' ArrayBuffer covers the data section only (FORMAT.md §Layout: data_end −
    // 128 bytes): the header and the index are never reachable from JS.
    const dataEnd = Number(fs.readFileSync(file).readBigUInt64LE(40));
    expect(a.buffer.byteLength).toBe(dataEnd - 128);
    expect(String(a)).toBe('value number 1');
    db.close();
  });

  it('values are Buffers in every respect (built without Buffer.from on the hot path)', () => {
    const db = openSync(file, { backend: 'mmap' });
    const v = db.get('k12')!;
    expect(Buffer.isBuffer(v)).toBe(true);
    expect(v).toBeInstanceOf(Buffer);
    expect(v.constructor).toBe(Buffer);
    expect(inspect(v)).toBe(inspect(Buffer.from('value number 12')));
    expect(v.toString('hex')).toBe(Buffer.from('value number 12').toString('hex'));
    expect(v.readUInt32LE(0)).toBe(Buffer.from('value number 12').readUInt32LE(0));
    expect(v.subarray(6).constructor).toBe(Buffer);
    expect(v.slice(0, 5).toString()).toBe('value');
    expect(JSON.stringify(v)).toBe(JSON.stringify(Buffer.from('value number 12')));
    expect(Buffer.concat([v, v]).toString()).toBe('value number 12value number 12');
    expect(v.equals(Buffer.from('value number 12'))).toBe(true);
    db.close();
  });

  it('writing into a value changes neither the file nor later reads of other readers', () => {
    const before = fs.readFileSync(file);
    const db = openSync(file, { backend: 'mmap' });
    const v = db.get('k5')!;
    v.fill(0x58);
    expect(String(v)).toBe('X'.repeat(v.length));
    db.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    const again = openSync(file, { backend: 'mmap' });
    expect(again.getString('k5')).toBe('value number 5');
    again.close();
  });

  it('views held after close() and gc() still read the right bytes', () => {
    const db = openSync(file, { backend: 'mmap' });
    const held = Array.from({ length: 50 }, (_, i) => db.get(`k${i}`)!);
    db.close();
    expect(() => db.get('k1')).toThrow(expect.objectContaining({ code: 'ERR_CDB_CLOSED' }));
    for (let round = 0; round < 3; round++) (globalThis as { gc?: () => void }).gc?.();
    held.forEach((v, i) => {
      expect(String(v)).toBe(`value number ${i}`);
    });
  });

  it('stats() reports the mapped bytes, which heap reports do not show', () => {
    const db = openSync(file, { backend: 'mmap' });
    expect(db.stats()).toMatchObject({ backend: 'mmap', mappedBytes: fs.statSync(file).size, heapBytes: 0 });
    db.close();
  });

  it("'auto' picks mmap", () => {
    const db = openSync(file);
    expect(db.backend).toBe('mmap');
    expect(db.fallbackReason).toBeUndefined();
    db.close();
  });
});

describe('fallback when the addon cannot load', () => {
  it("'auto' falls back to the pure-TS reader and says why; 'mmap' demanded throws ERR_CDB_BACKEND", () => {
    const restore = setTestHook('nativeDisabled', 'simulated: no binary for this platform');
    try {
      const db = openSync(file);
      expect(db.backend).toBe('memory');
      expect(db.fallbackReason).toBe('simulated: no binary for this platform');
      expect(db.stats().fallbackReason).toBe('simulated: no binary for this platform');
      expect(db.getString('k7')).toBe('value number 7');
      db.close();
      expect(() => openSync(file, { backend: 'mmap' })).toThrow(
        expect.objectContaining({ code: 'ERR_CDB_BACKEND', message: expect.stringContaining('simulated') }),
      );
    } finally {
      restore();
    }
  });
});

describe('files larger than one Buffer', () => {
  it("backend 'memory' refuses a file over buffer.constants.MAX_LENGTH with ERR_CDB_BACKEND; 'auto' without the addon picks pread", () => {
    // A sparse file: 5 GiB of size, no disk. Refused before anything is read.
    const big = path.join(dir, 'sparse-5g.mmcdb');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 5 * 2 ** 30);
    expect(() => openSync(big, { backend: 'memory' })).toThrow(
      expect.objectContaining({
        name: 'CdbError',
        code: 'ERR_CDB_BACKEND',
        message: expect.stringContaining("use backend 'mmap' or 'pread'"),
      }),
    );
    const restore = setTestHook('nativeDisabled', 'simulated');
    try {
      // auto goes to pread for big files; the zero header is then rejected as a format problem
      expect(() => openSync(big)).toThrow(expect.objectContaining({ code: 'ERR_CDB_FORMAT' }));
    } finally {
      restore();
      fs.rmSync(big);
    }
  });
});

describe('the addon in CI', () => {
  it('loads on CI machines (the mmap backend must not silently go untested)', () => {
    if (!native.ok) console.warn(`[mmap] native addon not loaded, mmap-only tests not run: ${native.reason}`);
    expect(native.ok || process.env['CI'] === undefined).toBe(true);
  });
});
